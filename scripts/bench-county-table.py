"""Prints scripts/bench-county's table from the raw results in a directory (the same layout as
scripts/bench-table.py's)."""

import json
import os
import platform
import statistics
import sys

out = sys.argv[1]


def path(name):
    return os.path.join(out, name)


def timed(name):
    """(seconds, peak RSS in MB, CPU seconds) of a command run by the script's `timed`."""
    start, end, rss_kb, user, system = open(path(name)).read().split()
    return float(end) - float(start), int(rss_kb) / 1024, float(user) + float(system)


def requests(name):
    """Latencies (ms), the last answer's size (bytes) and status codes of the timed requests."""
    rows = [line.split() for line in open(path(name)) if line.strip()]
    return [float(r[0]) * 1000 for r in rows], int(rows[-1][1]), {r[2] for r in rows}


seed = json.load(open(path("seed.json")))
replay = json.load(open(path("replay.json")))
case_events, all_events, table_bytes = (int(x) for x in open(path("counts.txt")).read().strip().split("|"))
seed_s, seed_rss, _ = timed("seed.time")
reproject_s, reproject_rss, reproject_cpu = timed("reproject.time")
checked = os.path.exists(path("verify.time"))
review, review_bytes, review_codes = requests("review.txt")
dashboard, _, dashboard_codes = requests("dashboard.txt")
rss_mb = int(open(path("rss_kb.txt")).read().strip() or 0) / 1024
findings = len(json.load(open(path("review.json"))).get("findings", []))

rebuild = case_events / reproject_s
replay_rate = replay["per_second"]
replay_note = (f"{replay['events']:,} events, all of them" if replay["complete"]
               else f"stopped after {replay['events']:,} of {replay['case_events']:,} events")
if replay.get("stage_differs") is not None:
    replay_note += f"; stage differs from case_status in {replay['stage_differs']} view(s)"

rows = [
    ("County: nol-seed", f"{seed['events'] / seed_s:,.0f} events/s",
     f"{seed['events']:,} events in {seed_s:,.0f} s",
     f"{seed['children']:,} children, {seed['schools']} schools, {seed['school_days']} school days; "
     f"{case_events:,} case events, {seed['roll_call_events']:,} roll calls; events table {table_bytes / 2**20:,.0f} MB"),
    ("Rebuild: notoneless reproject", f"{rebuild:,.0f} events/s", f"{case_events:,} case events in {reproject_s:,.1f} s",
     f"its CPU {reproject_cpu:,.1f} s, peak RSS {reproject_rss:,.0f} MB; target >= 50,000 events/s"),
    ("Rebuild: cqrs-es QueryReplay", f"{replay_rate:,.0f} events/s", f"{replay['seconds']:,.1f} s", replay_note),
    ("Rebuild / QueryReplay", f"{rebuild / replay_rate:,.1f} x", "", "target >= 10 x"),
    ("Review of the year (API, whole county)", f"{statistics.median(review):,.0f} ms median", f"max {max(review):,.0f} ms",
     f"{len(review)} request(s); {findings:,} findings ({seed['planted_findings']:,} planted), "
     f"{review_bytes / 2**20:,.2f} MB of JSON; HTTP {'/'.join(sorted(review_codes))}; target <= 1,000 ms"),
    ("Dashboard (API, whole county)", f"{statistics.median(dashboard):,.0f} ms median", f"max {max(dashboard):,.0f} ms",
     f"HTTP {'/'.join(sorted(dashboard_codes))}; target <= 1,000 ms"),
    ("Server peak RSS (VmHWM)", f"{rss_mb:,.0f} MB", "", "target <= 150 MB"),
]
if checked:
    verify_s, _, _ = timed("verify.time")
    check_s, _, _ = timed("check.time")
    rows += [
        ("Verify: notoneless verify", f"{all_events / verify_s:,.0f} events/s", f"{all_events:,} events in {verify_s:,.1f} s",
         "every chain clean"),
        ("Check: notoneless check-projections", f"{seed['cases'] / check_s:,.0f} cases/s",
         f"{seed['cases']:,} cases in {check_s:,.1f} s", "every row equals a fresh fold"),
    ]

print(f"machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}; "
      f"county of {seed['children']:,} children, {all_events:,} events, year {seed['from']} to {seed['until']}")
widths = [max(len(r[i]) for r in rows) for i in range(4)]
for r in rows:
    print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
