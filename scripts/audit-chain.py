#!/usr/bin/env python3
"""An outside auditor's check of a Not One Less event log, written from docs/hash-chain.md
alone (standard library only). It reads the embedded SQLite database, recomputes every case's
hash chain and the digest of the whole log, and prints the digest, which must equal the one
`notoneless verify` prints.

    python3 scripts/audit-chain.py data/notoneless.db

Exits 1 if any chain is broken.
"""
import hashlib
import json
import sqlite3
import sys

GENESIS = "0" * 64


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(row):
    obj = {
        "aggregate_id": row["aggregate_id"],
        "aggregate_type": row["aggregate_type"],
        "event_type": row["event_type"],
        "event_version": row["event_version"],
        "metadata": json.loads(row["metadata"]),
        "payload": json.loads(row["payload"]),
        "prev_hash": row["prev_hash"],
        "recorded_at": row["recorded_at"],
        "sequence": row["sequence"],
    }
    return hashlib.sha256(canonical(obj).encode("utf-8")).hexdigest()


def main(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    running = hashlib.sha256(b"notoneless-log-v1").digest()
    count = 0
    cases = {}
    broken = []
    for row in db.execute("SELECT * FROM events ORDER BY global_position"):
        running = hashlib.sha256(running + row["hash"].encode("ascii")).digest()
        count += 1
        key = (row["aggregate_type"], row["aggregate_id"])
        expected_sequence, last_hash, bad = cases.get(key, (1, GENESIS, False))
        if bad:
            continue
        if row["sequence"] != expected_sequence:
            problem = "removed"
        elif event_hash(row) != row["hash"]:
            problem = "altered"
        elif row["prev_hash"] != last_hash:
            problem = "relinked"
        else:
            cases[key] = (expected_sequence + 1, row["hash"], False)
            continue
        cases[key] = (expected_sequence, last_hash, True)
        broken.append((row["aggregate_id"], min(expected_sequence, row["sequence"]), problem))
    for case_id, sequence, problem in broken:
        print(f"BROKEN case {case_id} at sequence {sequence}: {problem}")
    print(f"digest: v1:{count}:{running.hex()}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
