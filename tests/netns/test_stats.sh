#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Counters a monitoring system can scrape: the chain's verdicts never go
# back across stage del and stage set, a slot row counts for the stage in
# it now (a new stage starts from zero), an empty slot shows only its
# misses, and `stats reset` is the one way to start over.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic

P=$TCC_OUTDIR/tests/progs
N=200

setup_ns A B
setup_veth "$A" a0 "$B" b0

tcc() { "$TCCHAIN" -n "$B" "$@"; }
send() { udp_count "$A" "$VETH_B4" "$B" 5001 "$N" >/dev/null; }
# One figure from `stats -j`: a jq path below the chain's object.
stat() { tcc -j stats | jq -r ".[0] | $1"; }
slot_rows() { tcc -j stats | jq -c '[.[0].slots[].slot]'; }
# The data plane counts a packet where it ends: wait until the chain's
# figures stop moving before comparing them.
quiet() { settled 5 tcc -j stats >/dev/null; }

chain_add "$B" b0 ingress
check_ok "stats: stage set 1 (dropping stage)" tcc stage set 1 "$P/drop_all.bpf.o"
send
quiet
drops=$(stat .verdicts.drop)
check_range "stats: the dropping stage counted the traffic" "$(stat '.slots[0].drop')" "$N" "$((N + 20))"
check_eq "stats: chain verdicts include the stage's drops" \
	"$(stat '.verdicts.drop == .slots[0].drop + .end.drop')" true
# Stray packets of the namespace (neighbour discovery) may still arrive
# and be dropped: counters may grow, never fall.
grows() { check_range "$1" "$(stat .verdicts.drop)" "$drops" "$((drops + 20))"; }

check_ok "stats: stage del 1" tcc stage del 1
check_eq "stats: a deleted slot has no row (no misses)" "$(slot_rows)" "[]"
grows "stats: chain drops stay after stage del"

check_ok "stats: stage set 1 (passing stage)" tcc stage set 1 "$P/pass_all.bpf.o"
grows "stats: chain drops stay after stage set"
# (a stray neighbour-discovery packet may reach it in between)
check_range "stats: a new stage starts from zero" "$(stat '.slots[0].packets')" 0 3
send
quiet
check_range "stats: the new stage counts only its own packets" \
	"$(stat '.slots[0].packets')" "$N" "$((N + 20))"
grows "stats: chain drops stay after more traffic through a passing stage"
check_eq "stats: verdicts = every packet in (pass + drop)" \
	"$(stat '.verdicts.pass + .verdicts.drop == .packets')" true

check_ok "stats reset" tcc stats reset
check_eq "stats reset: chain counters are zero" "$(stat '[.packets, .verdicts.drop, .verdicts.pass] | add')" 0
check_eq "stats reset: the stage's counters are zero" "$(stat '.slots[0].packets')" 0
send
quiet
check_range "stats reset: counting starts over" "$(stat '.slots[0].packets')" "$N" "$((N + 20))"

check_ok "stats help" tcc stats help
check_fail "stats: an unknown keyword" "stats: unknown keyword 'bogus'" tcc stats bogus
check_fail "stats reset: an unknown keyword" "stats reset: unknown keyword 'bogus'" tcc stats reset bogus
check_fail "stats reset: no such device" "nosuch" tcc stats reset dev nosuch
before=$(settled 5 tcc -j stats)
check_fail "stats reset: a device with no chain" "no chain matches" tcc stats reset dev b0 egress
# A stray packet may still add to the counters; a reset would zero them.
after=$(settled 5 tcc -j stats)
note "before: $before" "after: $after"
check_eq "stats reset: a refused reset changed nothing (no counter went down)" \
	"$(jq -n --argjson a "$before" --argjson b "$after" \
		'$a[0].packets > 0 and ([$a | paths(numbers)] | all(. as $p |
			($a | getpath($p)) <= ($b | getpath($p) // -1)))')" true
