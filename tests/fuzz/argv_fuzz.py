#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""A bounded argv fuzzer for the tcchain CLI.

Command lines come from the real grammar (GRAMMAR below), then some are
mutated: a token dropped, doubled, swapped, replaced by a hostile value
(huge, negative, octal-looking, empty, not UTF-8, format directives, very
long), or a garbage token appended.  Every run is checked for:

  * no sanitizer report (AddressSanitizer, UndefinedBehaviorSanitizer),
  * no crash (killed by a signal) and no hang (timeout),
  * under -j: stdout is exactly one valid JSON document (or empty),
  * a command line with a garbage token appended never exits 0,
  * exit status is 0, 1 or 2 (the documented set).

Usage: argv_fuzz.py TCCHAIN NETNS DEV [--runs N] [--seed S] [--stage-dir D]
It prints one line per failure class found (with an example) and a summary;
exit status 0 when nothing was found.  Deterministic for a given seed.
"""
import argparse
import json
import os
import random
import subprocess
import sys

SLOT = ["0", "1", "2", "3", "7", "31"]
DIR = ["ingress", "egress"]
VERDICT = ["pass", "drop", "continue"]
PREFIX = ["10.0.0.0/8", "10.9.0.1", "192.168.1.0/24", "fd00::/64", "::1", "0.0.0.0/0"]
PROTO = ["tcp", "udp", "icmp", "icmpv6", "sctp"]
PORT = ["22", "53", "1000-2000", "65535", "0"]
STAGES = ["parse", "acl", "ratelimit", "mark", "count"]
PARAMS = ["rate=1000pps", "rate=10mbit", "burst=100", "burst=64Ki", "priority=3",
          "mark_value=0x10", "bytes=1", "per_source=on"]
MAPS = ["acl_src4", "rl_stats", "rl_global", "count_proto", "mark_rules", "rodata"]
FIELDS = ["rate=5", "packets=5", "burst=10k", "src=10.9.0.1", "rules[0].mark=7"]


def target(r):
    out = []
    if r.random() < 0.6:
        out += ["dev", "$DEV"]
        if r.random() < 0.8:
            out.append(r.choice(DIR))
    return out


def g_add(r):
    t = ["add", "dev", "$DEV", r.choice(DIR)]
    for kw, vals in (("prio", ["1", "5", "65535"]), ("handle", ["1", "2", "0x10"]),
                     ("end", VERDICT), ("miss", VERDICT)):
        if r.random() < 0.3:
            t += [kw, r.choice(vals)]
    return t


def g_stage_set(r):
    t = ["stage", "set", r.choice(SLOT), r.choice(STAGES)]
    if r.random() < 0.4:
        t.append("param")
        t += r.sample(PARAMS, r.randint(1, 3))
    return t + target(r)


def g_acl_add(r):
    t = ["acl", "add"]
    if r.random() < 0.3:
        t += ["id", r.choice(["5", "10", "1023", "1024"])]
    t.append(r.choice(["drop", "pass", "continue"]))
    for side in ("src", "dst"):
        if r.random() < 0.6:
            t += [side, r.choice(PREFIX)]
    if r.random() < 0.6:
        t.append(r.choice(PROTO))
    if r.random() < 0.4:
        t += ["dport", r.choice(PORT)]
    return t + target(r)


def g_map(r):
    verb = r.choice(["show", "set", "del"])
    t = ["map", verb, r.choice(SLOT)]
    if r.random() < 0.8:
        t.append(r.choice(MAPS))
    if verb != "show" or r.random() < 0.3:
        t += ["key", r.choice(["0", "17", "proto=17", "1"])]
    if verb == "set":
        t += ["value"] + r.sample(FIELDS, r.randint(1, 2))
    return t + target(r)


GRAMMAR = [
    (g_add, 1),
    (lambda r: ["del"] + ["dev", "$DEV", r.choice(DIR)], 1),
    (lambda r: ["show"] + target(r), 3),
    (lambda r: ["prune"], 1),
    (g_stage_set, 3),
    (lambda r: ["stage", "del", r.choice(SLOT)] + target(r), 2),
    (lambda r: ["stage", "info", r.choice(SLOT)] + target(r), 1),
    (lambda r: ["stage", r.choice(["show", "help"])] + target(r), 2),
    (lambda r: ["stats"] + target(r), 3),
    (lambda r: ["stats", "reset"] + target(r), 1),
    (lambda r: ["stats", "cost", r.choice(["on", "off"])] +
     (["rate", r.choice(["1", "3", "64", "65536", "131072"])] if r.random() < 0.5 else []) +
     target(r), 1),
    (lambda r: ["stats"] + target(r) + ["-o", r.choice(["prometheus", "json"])], 1),
    (g_map, 3),
    (g_acl_add, 3),
    (lambda r: ["acl", "del", "id", r.choice(["10", "20", "99999"])] + target(r), 1),
    (lambda r: ["acl", "show"] + target(r), 2),
    (lambda r: [r.choice(["help", "show", "stage", "map", "acl", "stats"]), "help"], 1),
]

HOSTILE = [
    "", "-1", "010", "0x", "0x100000000", "18446744073709551616", "4294967296",
    "99999999999999999999999", "1e3", " 1", "1 ", "%s%s%n", "\\", "--", "-j",
    "a" * 5000, "/" * 300, "dev", "param", "=", "x=", "=y", "10.0.0.0/33",
    "10.0.0.0/08", "::/129", "1.2.3.4.5", "0-", "-5", "65536", "999-1",
    b"\xff\xfe".decode("latin-1"), "caf\u00e9", "\u202e", "slot",
]
GARBAGE = "zz\u00ff-not-a-keyword"


def pick(r):
    gens = [g for g, w in GRAMMAR for _ in range(w)]
    return r.choice(gens)(r)


def mutate(r, toks):
    toks = list(toks)
    op = r.randrange(5)
    i = r.randrange(len(toks)) if toks else 0
    if op == 0 and toks:
        del toks[i]
    elif op == 1 and toks:
        toks.insert(i, toks[i])
    elif op == 2 and len(toks) > 1:
        j = r.randrange(len(toks))
        toks[i], toks[j] = toks[j], toks[i]
    else:
        if toks:
            toks[i] = r.choice(HOSTILE)
        else:
            toks.append(r.choice(HOSTILE))
    return toks


def to_bytes(tok, dev):
    tok = tok.replace("$DEV", dev)
    # latin-1 keeps the odd bytes odd: "\xff" is passed as the byte 0xff
    try:
        return tok.encode("latin-1")
    except UnicodeEncodeError:
        return tok.encode("utf-8")


SAN_MARKS = (b"AddressSanitizer", b"runtime error:", b"LeakSanitizer",
             b"UndefinedBehaviorSanitizer")


def one_json_doc(out):
    if not out.strip():
        return True
    try:
        json.loads(out.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tcchain")
    ap.add_argument("netns")
    ap.add_argument("dev")
    ap.add_argument("--runs", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=20.0)
    args = ap.parse_args()

    r = random.Random(args.seed)
    found = {}
    counts = {"runs": 0, "exit0": 0, "exit1": 0, "exit2": 0, "json": 0}
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")

    for n in range(args.runs):
        toks = pick(r)
        garbage = False
        roll = r.random()
        if roll < 0.35:
            toks = mutate(r, toks)
        elif roll < 0.45:
            toks = toks + [GARBAGE]
            garbage = True
        json_mode = r.random() < 0.4
        argv = [args.tcchain, "-n", args.netns] + (["-j"] if json_mode else []) + toks
        bargv = [to_bytes(t, args.dev) for t in argv]
        shown = " ".join(repr(t) if " " in t or not t else t for t in argv[1:])
        try:
            p = subprocess.run(bargv, capture_output=True, timeout=args.timeout, env=env)
        except subprocess.TimeoutExpired:
            found.setdefault("hang", shown)
            continue
        counts["runs"] += 1
        rc = p.returncode
        if rc in (0, 1, 2):
            counts["exit%d" % rc] += 1
        if any(m in p.stderr for m in SAN_MARKS):
            found.setdefault("sanitizer", shown + "\n      " +
                             p.stderr.decode("utf-8", "replace").strip().splitlines()[0])
        if rc < 0:
            found.setdefault("crash (signal %d)" % -rc, shown)
        elif rc not in (0, 1, 2):
            found.setdefault("exit status %d" % rc, shown)
        if json_mode:
            counts["json"] += 1
            if not one_json_doc(p.stdout):
                found.setdefault("not one JSON document", shown + "\n      stdout: " +
                                 p.stdout.decode("utf-8", "replace")[:200])
        if garbage and rc == 0:
            found.setdefault("exit 0 on garbage", shown)

    print("# %(runs)d runs: exit 0 %(exit0)d, exit 1 %(exit1)d, exit 2 %(exit2)d, "
          "%(json)d under -j" % counts)
    for what, example in sorted(found.items()):
        print("FOUND %s: %s" % (what, example))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
