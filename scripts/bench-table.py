"""Prints scripts/bench's one table from the raw results in a directory."""

import glob
import json
import os
import platform
import re
import statistics
import sys

out, seconds, cases = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])


def pgbench(prefix):
    """Transactions per second and p50/p99 latency (ms) from pgbench's per-transaction logs."""
    latencies = []
    for path in glob.glob(os.path.join(out, prefix + ".*")):
        if path.endswith(".out"):
            continue
        with open(path) as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 3:
                    latencies.append(int(fields[2]) / 1000.0)
    latencies.sort()
    text = open(os.path.join(out, prefix + ".out")).read()
    tps = float(re.search(r"tps = ([0-9.]+)", text).group(1))
    at = lambda q: latencies[round((len(latencies) - 1) * q)] if latencies else 0.0
    return tps, at(0.5), at(0.99)


def load(name):
    with open(os.path.join(out, name)) as f:
        return json.load(f)


r1, r16 = pgbench("r1"), pgbench("r16")
h1, h16 = load("h1.json"), load("h16.json")
replay = load("replay.json")
review = sorted(float(x) * 1000 for x in open(os.path.join(out, "review.txt")))
dashboard = sorted(float(x) * 1000 for x in open(os.path.join(out, "dashboard.txt")))
rss_mb = int(open(os.path.join(out, "rss_kb.txt")).read().strip() or 0) / 1024
# The peak after each phase: "start 65 MB, open 110, H1 …", so that the row says where it rose.
phases_path = os.path.join(out, "rss_phases.txt")
rss_phases = ""
if os.path.exists(phases_path):
    rss_phases = ", ".join(f"{name} {int(kb) / 1024:,.0f}" for name, kb in
                           (line.split() for line in open(phases_path) if len(line.split()) == 2))
    rss_phases = f"peak after: {rss_phases}"
events, start, end = open(os.path.join(out, "reproject.txt")).read().split()
rebuild = int(events) / (float(end) - float(start))
fold = {}
for line in open(os.path.join(out, "fold.txt")):
    m = re.match(r"test case_200_events/(\w+)\s+\.\.\. bench:\s+([0-9,]+) ns/iter", line)
    if m:
        fold[m.group(1)] = 200 / (int(m.group(2).replace(",", "")) / 1e9)

rows = [
    ("R  pgbench insert, 1 client", f"{r1[0]:,.0f} tx/s", f"p50 {r1[1]:.2f} ms, p99 {r1[2]:.2f} ms", ""),
    ("R  pgbench insert, 16 clients", f"{r16[0]:,.0f} tx/s", f"p50 {r16[1]:.2f} ms, p99 {r16[2]:.2f} ms", ""),
    ("H  HTTP commands, 1 client", f"{h1['per_second']:,.0f} cmd/s",
     f"p50 {h1['p50_ms']:.2f} ms, p99 {h1['p99_ms']:.2f} ms",
     f"H/R {h1['per_second'] / r1[0]:.2f}; p50 - R p50 = {h1['p50_ms'] - r1[1]:+.2f} ms (target <= +1 ms); errors {h1['errors']}"),
    ("H  HTTP commands, 16 clients", f"{h16['per_second']:,.0f} cmd/s",
     f"p50 {h16['p50_ms']:.2f} ms, p99 {h16['p99_ms']:.2f} ms",
     f"H/R {h16['per_second'] / r16[0]:.2f} (target >= 0.40); errors {h16['errors']}"),
    ("Replay: history of a 200-event case", f"{replay['history']['per_second']:,.0f} req/s",
     f"p50 {replay['history']['p50_ms']:.2f} ms, p99 {replay['history']['p99_ms']:.2f} ms", "target p99 <= 5 ms"),
    ("Replay: as-of of a 200-event case", f"{replay['as_of']['per_second']:,.0f} req/s",
     f"p50 {replay['as_of']['p50_ms']:.2f} ms, p99 {replay['as_of']['p99_ms']:.2f} ms", "target p99 <= 5 ms"),
    ("Fold in process (criterion)", f"{fold.get('fold', 0):,.0f} events/s", "", "target >= 500,000 events/s"),
    ("Decode + fold in process", f"{fold.get('decode_and_fold', 0):,.0f} events/s", "", ""),
    ("Assess in process", f"{fold.get('assess', 0):,.0f} events/s", "", ""),
    ("Rebuild: notoneless reproject", f"{rebuild:,.0f} events/s", f"{int(events):,} events", "target >= 50,000 events/s"),
    ("Review of the term (API, whole county)", f"{statistics.median(review):,.0f} ms median", f"max {max(review):,.0f} ms", f"{int(events):,} events in the log"),
    ("Dashboard (API, whole county)", f"{statistics.median(dashboard):,.0f} ms median", f"max {max(dashboard):,.0f} ms", ""),
    ("Server peak RSS (VmHWM)", f"{rss_mb:,.0f} MB", "", f"target <= 150 MB; {rss_phases}" if rss_phases else "target <= 150 MB"),
]

# The console's pages (nol-pages): server time per page on the demo county, beside the
# stylesheet served by the same server in the same run.
pages_path = os.path.join(out, "pages.json")
if os.path.exists(pages_path):
    pages = load("pages.json")
    base = pages["baseline"]
    for key, label in [("baseline", "page: baseline (the stylesheet)"), ("today", "page: today"),
                       ("timeline", f"page: timeline ({pages['events']} events)"),
                       ("dashboard", "page: dashboard"), ("review", "page: review")]:
        p = pages[key]
        note = (f"{p['requests']} GETs, {p['bytes']:,} bytes" if key == "baseline" else
                f"p50 - baseline p50 = {p['p50_ms'] - base['p50_ms']:+.2f} ms; {p['bytes']:,} bytes")
        api = pages.get(key + "_api")
        if api:
            note += f"; its API answer alone p50 {api['p50_ms']:.2f} ms, p99 {api['p99_ms']:.2f} ms"
        rows.append((label, f"p50 {p['p50_ms']:.2f} ms", f"p99 {p['p99_ms']:.2f} ms", note))


def cpu(name, done):
    """CPU milliseconds per transaction or command: PostgreSQL, the server, the load tool."""
    path = os.path.join(out, name + ".cpu")
    if not os.path.exists(path) or not done:
        return None
    pg0, pg1, s0, s1, user, system = (float(x) for x in open(path).read().split())
    per = lambda seconds: seconds * 1000 / done
    return per(pg1 - pg0), per(s1 - s0), per(user + system)


def cpu_row(label, name, done):
    c = cpu(name, done)
    if c is None:
        return None
    server = f", server {c[1]:.2f} ms" if name.startswith("h") else ""
    tool = "pgbench" if name.startswith("r") else "nol-load"
    return (label, f"PostgreSQL {c[0]:.2f} ms", f"{tool} {c[2]:.2f} ms{server}", "CPU per transaction or command")


for row in [
    cpu_row("CPU: R at 16 clients", "r16", r16[0] * seconds),
    cpu_row("CPU: H at 16 clients", "h16", h16["requests"]),
]:
    if row is not None:
        rows.insert(5 if row[0].startswith("CPU: H") else 2, row)

print(f"machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}; "
      f"{seconds:.0f} s per load run, {cases:,} cases")
widths = [max(len(r[i]) for r in rows) for i in range(4)]
for r in rows:
    print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
