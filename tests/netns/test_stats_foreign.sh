#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The chain's `verdicts.foreign` (packets that ended in a foreign stage,
# whose verdicts nobody counts) is monotonic like every chain figure
# (doc/stats.md): it stays after the foreign stage leaves by stage del, by
# a stage set in its slot (an SDK stage swapped in place), by an apply
# whose generation has no foreign stage, and across rollback.  Only
# stats reset starts it over.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic

P=$TCC_OUTDIR/tests/progs
N=100

setup_ns A B
setup_veth "$A" a0 "$B" b0

tcc() { "$TCCHAIN" -n "$B" "$@"; }
send() { udp_count "$A" "$VETH_B4" "$B" "$1" "$N" >/dev/null; }
stat() { tcc -j stats | jq -r ".[0] | $1"; }
quiet() { settled 5 tcc -j stats >/dev/null; }
# Stray packets of the namespace (neighbour discovery) may add a few.
stays() { check_range "$1" "$(stat .verdicts.foreign)" "$2" "$(($2 + 20))"; }

chain_add "$B" b0 ingress
check_ok "foreign total: parse, then a foreign stage in slot 5" tcc stage set 0 parse
capture tcc stage set 5 "$P/foreign_drop.bpf.o"
send 5101
quiet
before=$(stat .verdicts.foreign)
check_range "foreign total: counts the packets the foreign stage ended" "$before" "$N" "$((N + 20))"

# stage del: the stage's packets stay in the chain's total.
check_ok "foreign total: stage del 5" tcc stage del 5
stays "foreign total: stays after stage del" "$before"
send 5102
quiet
check_range "foreign total: after stage del the end verdict counts the traffic" \
	"$(stat .end.pass)" "$N" "$((N + 40))"
stays "foreign total: stays after more traffic with no foreign stage" "$before"
check_eq "foreign total: every packet is still accounted for" \
	"$(stat '.verdicts | .pass + .drop + .redirect + .other + .miss + .foreign')" "$(stat .packets)"

# A new SDK stage in the slot, then a foreign one again, then an SDK
# stage swapped in place over it: the total only grows.
check_ok "foreign total: stage set 5 pass_all (SDK)" tcc stage set 5 "$P/pass_all.bpf.o"
stays "foreign total: stays after a new stage in that slot" "$before"
send 5103
quiet
stays "foreign total: stays while the new stage passes traffic" "$before"
check_ok "foreign total: stage set 5 foreign_drop (swap in place)" \
	tcc stage set 5 "$P/foreign_drop.bpf.o"
send 5104
quiet
second=$(stat .verdicts.foreign)
check_range "foreign total: a second foreign stage adds to it" "$second" \
	"$((before + N))" "$((before + N + 20))"
check_ok "foreign total: stage set 5 pass_all over the foreign stage (swap in place)" \
	tcc stage set 5 "$P/pass_all.bpf.o"
stays "foreign total: stays after an SDK stage replaces the foreign one in place" "$second"

# A generation without the foreign stage (apply), and rollback.
capture tcc stage set 5 "$P/foreign_drop.bpf.o"
send 5105
quiet
third=$(stat .verdicts.foreign)
check_range "foreign total: grows again with a foreign stage" "$third" \
	"$((second + N))" "$((second + N + 20))"
cat >"$TCC_TMP/chains.conf" <<EOF
add dev b0 ingress
stage set 0 parse dev b0 ingress
stage set 1 $P/pass_all.bpf.o dev b0 ingress
EOF
check_ok "foreign total: apply a chain without the foreign stage (a new generation)" \
	tcc apply -f "$TCC_TMP/chains.conf"
check_eq "foreign total: the new generation has no foreign stage" \
	"$(tcc -j stage show | jq '[.[0].stages[] | select(.foreign)] | length')" 0
stays "foreign total: stays across a generation commit" "$third"
check_ok "foreign total: rollback (the foreign stage is back)" tcc rollback
stays "foreign total: stays across rollback" "$third"
check_ok "foreign total: rollback again (forward: no foreign stage)" tcc rollback
stays "foreign total: stays across rollback forward" "$third"

# stats reset is the one way back to zero, and then it stays zero with
# no foreign stage in the chain.
check_ok "foreign total: stats reset" tcc stats reset
check_eq "foreign total: zero after stats reset" "$(stat .verdicts.foreign)" 0
send 5106
quiet
check_eq "foreign total: stays zero with no foreign stage after reset" \
	"$(stat .verdicts.foreign)" 0
