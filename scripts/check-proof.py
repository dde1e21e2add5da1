#!/usr/bin/env python3
"""Check a Not One Less inclusion proof against a checkpoint, with nothing but the two files.

    scripts/check-proof.py PROOF.json CHECKPOINT.json [--public-key HEX]

Written from docs/hash-chain.md alone, with Python's standard library (hashlib, json) and a
pure-Python Ed25519 verification (RFC 8032 §5.1.7, after the RFC's own reference code).

It checks that
  1. the checkpoint the proof names is the one held (same body, same signature);
  2. the checkpoint's signature holds for the public key (--public-key, else the one in the
     checkpoint file, which you should compare with the key the log publishes);
  3. the case's events run 1, 2, 3 ..., each one's hash is the hash of its content, each links
     to the one before, and each is signed by the key it names (when that is the checkpoint's
     key, or --public-key; events signed by another key are reported as not checked);
  4. the last event is the leaf, and the leaf with the audit path gives the checkpoint's root.
Prints "proof: holds" and exits 0, or names what fails and exits 1.
"""

import hashlib
import json
import sys

# ---- Ed25519 verification (RFC 8032 §5.1, reference code in §6) -------------------------

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    A = (y1 - x1) * (y2 - x2) % P
    B = (y1 + x1) * (y2 + x2) % P
    C = 2 * t1 * t2 * D % P
    Dd = 2 * z1 * z2 % P
    E, F, G, H = B - A, Dd - C, Dd + C, B + A
    return (E * F % P, G * H % P, F * G % P, E * H % P)


def _mul(s, point):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, point)
        point = _add(point, point)
        s >>= 1
    return q


def _equal(a, b):
    x1, y1, z1, _ = a
    x2, y2, z2, _ = b
    return (x1 * z2 - x2 * z1) % P == 0 and (y1 * z2 - y2 * z1) % P == 0


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _decompress(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


_GY = 4 * pow(5, P - 2, P) % P
_G = (_recover_x(_GY, 0), _GY, 1, _recover_x(_GY, 0) * _GY % P)


def ed25519_verify(public, message, signature):
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    if a is None:
        return False
    r = _decompress(signature[:32])
    if r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % L
    return _equal(_mul(s, _G), _add(r, _mul(h, a)))


# ---- the encodings of docs/hash-chain.md ------------------------------------------------


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


HASHED = ["aggregate_id", "aggregate_type", "event_type", "event_version", "metadata",
          "payload", "prev_hash", "recorded_at", "sequence"]


def event_hash(event):
    return hashlib.sha256(canonical({k: event[k] for k in HASHED}).encode("utf-8")).hexdigest()


def leaf_hash(leaf):
    body = canonical({k: leaf[k] for k in ["aggregate_id", "aggregate_type", "hash", "sequence"]})
    return hashlib.sha256(b"\x00" + body.encode("utf-8")).digest()


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_path(index, size, leaf, path):
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def main(argv):
    args = [a for a in argv[1:]]
    public_hex = None
    if "--public-key" in args:
        i = args.index("--public-key")
        public_hex = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__)
        return 2
    with open(args[0], encoding="utf-8") as f:
        proof = json.load(f)
    with open(args[1], encoding="utf-8") as f:
        held = json.load(f)
    problems = []

    body = held["checkpoint"]
    if proof["checkpoint"] != body or proof["signature"] != held["signature"]:
        problems.append("the proof is against another checkpoint than the one held")
    if public_hex is None:
        public_hex = held.get("public_key")
        print("public key taken from the checkpoint file: compare it with the log's published key")
    if not public_hex:
        problems.append("no public key to check signatures with (give --public-key)")
        public = None
    else:
        public = bytes.fromhex(public_hex)
    message = b"notoneless-checkpoint-v1:" + canonical(body).encode("utf-8")
    if public is not None and not ed25519_verify(public, message, bytes.fromhex(held["signature"])):
        problems.append("the checkpoint's signature does not hold")

    events = proof["events"]
    prev = "0" * 64
    for expected, event in enumerate(events, start=1):
        where = "event %d" % event.get("sequence", expected)
        if event["sequence"] != expected:
            problems.append("%s: the sequence jumps (removed)" % where)
            break
        if event_hash(event) != event["hash"]:
            problems.append("%s: its content does not match its hash (altered)" % where)
        if event["prev_hash"] != prev:
            problems.append("%s: it does not link to the event before (relinked)" % where)
        signed = event.get("signature")
        if not signed:
            problems.append("%s: unsigned" % where)
        elif public is not None and event.get("key_id") == body["key_id"]:
            if not ed25519_verify(public, b"notoneless-event-v1:" + event["hash"].encode("ascii"),
                                  bytes.fromhex(signed)):
                problems.append("%s: its signature does not hold" % where)
        else:
            print("%s: signed by key %s, not checked here" % (where, event.get("key_id")))
        prev = event["hash"]

    leaf = proof["leaf"]
    if not events or events[-1]["hash"] != leaf["hash"] or len(events) != leaf["sequence"]:
        problems.append("the case's last event is not the leaf of the checkpoint")
    if events and (leaf["aggregate_id"] != events[0]["aggregate_id"]
                   or leaf["aggregate_type"] != events[0]["aggregate_type"]):
        problems.append("the leaf is another stream's")
    path = [bytes.fromhex(h) for h in proof["audit_path"]]
    root = root_from_path(proof["leaf_index"], body["streams"], leaf_hash(leaf), path)
    if root is None or root.hex() != body["root"]:
        problems.append("the leaf and the audit path do not give the checkpoint's root")

    for problem in problems:
        print("FAILS: " + problem)
    if problems:
        print("proof: does NOT hold")
        return 1
    print("proof: holds (case %s, %d events, checkpoint %d)"
          % (leaf["aggregate_id"], len(events), body["number"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
