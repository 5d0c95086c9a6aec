#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# A whole-chain change is atomic (doc/generations.md).  Two 3-slot chains
# whose stages tag each packet with their generation in a cb word
# (tests/progs/gentag.bpf.c); the last stage drops any packet that saw two
# tags.  Under traffic, at least 200 commits swap the chains: no packet may
# see a mix (0 drops), none may be lost (0 misses, every datagram
# received), and the chain's counters go on across every commit.
# rollback brings back the previous generation: its ids and behaviour.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic

P=$TCC_OUTDIR/tests/progs
COMMITS=200
RATE=2000

setup_ns A B
setup_veth "$A" a0 "$B" b0
tcc() { "$TCCHAIN" -n "$B" "$@"; }
ids() { tcc -j show | jq -c '[.[] | .entry_id, (.stages[] | .id)]'; }
verdict() { tcc -j stats | jq -r ".[0].verdicts.$1"; }

# chainfile FILE TAG1 TAG2 TAG3
chainfile() {
	{
		echo "add dev b0 ingress"
		echo "stage set 0 $P/gentag.bpf.o param tag=$2"
		echo "stage set 1 $P/gentag.bpf.o param tag=$3"
		echo "stage set 2 $P/gentag.bpf.o param tag=$4 final=1"
	} >"$1"
}
GA=$TCC_TMP/a.conf GB=$TCC_TMP/b.conf MIX=$TCC_TMP/mix.conf
chainfile "$GA" 1 1 1
chainfile "$GB" 2 2 2
chainfile "$MIX" 2 1 2

chain_add "$B" b0 ingress
check_ok "gen: apply chain A" tcc apply -f "$GA"
check_eq "gen: a change to three slots is one generation" \
	"$(tcc -j diff -f "$GB" | jq -r '.chains[0].action')" generation

# The detector itself: a chain that is a mix drops every packet.
check_ok "gen: apply a mixed chain (tags 2 1 2)" tcc apply -f "$MIX"
d0=$(verdict drop)
check_eq "gen: a mixed chain drops what it sees" \
	"$(udp_count "$A" "$VETH_B4" "$B" 5000 50)" 0
check_range "gen: the drops are counted" "$(( $(verdict drop) - d0 ))" 50 60
check_ok "gen: apply chain A again" tcc apply -f "$GA"

# How long a commit takes here, so the traffic lasts for all of them.
t0=${EPOCHREALTIME/[.,]/}
for i in 1 2 3 4 5 6; do
	if ((i % 2)); then tcc apply -f "$GB"; else tcc apply -f "$GA"; fi
done
t1=${EPOCHREALTIME/[.,]/}
per=$(( (t1 - t0) / 6 ))
secs=$(( (per * COMMITS * 3 / 2) / 1000000 + 3 ))
count=$(( secs * RATE ))
note "one commit: $per us; traffic: $count datagrams over ${secs} s"

drop0=$(verdict drop) miss0=$(verdict miss) pkts0=$(tcc -j stats | jq -r '.[0].packets')
stop=$TCC_TMP/stop
(
	n=0 fail=0
	while [ ! -e "$stop" ]; do
		if ((n % 2)); then f=$GA; else f=$GB; fi
		"$TCCHAIN" -n "$B" apply -f "$f" 2>>"$TCC_TMP/commit.err" || fail=$((fail + 1))
		n=$((n + 1))
	done
	echo "$n $fail" >"$TCC_TMP/commits"
) &
loop=$!
defer -q stop_bg "$loop"
got=$(udp_count "$A" "$VETH_B4" "$B" 5001 "$count" --rate "$RATE")
touch "$stop"
wait "$loop"
read -r n fail <"$TCC_TMP/commits"
note "commits: $n, failed: $fail"
check_range "gen: at least $COMMITS commits under traffic" "$n" "$COMMITS" 1000000
note "$(sort "$TCC_TMP/commit.err" | uniq -c | head -n 5)"
check_eq "gen: every commit succeeded" "$fail" 0
check_eq "gen: no packet saw two generations (drops)" "$(( $(verdict drop) - drop0 ))" 0
check_eq "gen: no tail call missed" "$(( $(verdict miss) - miss0 ))" 0
check_eq "gen: no datagram lost" "$got" "$count"
check_range "gen: the chain's counters went on across every commit" \
	"$(( $(tcc -j stats | jq -r '.[0].packets') - pkts0 ))" "$count" $((count + 100))
check_eq "gen: no generation left behind in DIR-next" \
	"$(find /sys/fs/bpf/tcchain/"$(netns_cookie "$B")" -name '*-next' | wc -l)" 0
check_eq "gen: one previous generation kept, not more" \
	"$(find /sys/fs/bpf/tcchain/"$(netns_cookie "$B")" -name prev | wc -l)" 1

# ---- rollback: the previous generation's ids and behaviour --------------------
tcc apply -f "$GA" >/dev/null
idsA=$(ids)
check_ok "gen: apply the mixed chain" tcc apply -f "$MIX"
d0=$(verdict drop)
check_eq "gen: the mixed chain drops" "$(udp_count "$A" "$VETH_B4" "$B" 5002 50)" 0
check_ok "gen: rollback" tcc rollback dev b0 ingress
check_eq "gen: rollback restores the ids" "$(ids)" "$idsA"
d1=$(verdict drop)
check_eq "gen: after rollback nothing is dropped" "$(udp_count "$A" "$VETH_B4" "$B" 5003 50)" 50
check_eq "gen: after rollback no drops counted" "$(verdict drop)" "$d1"
check_eq "gen: after rollback the file of chain A matches" \
	"$(tcc diff -f "$GA" >/dev/null; echo $?)" 0
check_ok "gen: rollback again returns to the mixed chain" tcc rollback
check_eq "gen: the mixed chain drops again" "$(udp_count "$A" "$VETH_B4" "$B" 5004 50)" 0

# ---- single-slot stage set keeps its fast path --------------------------------
ids1=$(ids)
check_ok "gen: stage set of one slot" tcc stage set 1 "$P/gentag.bpf.o" param tag=1
check_eq "gen: stage set changes only its slot's id" \
	"$(ids | jq -c 'del(.[2])')" "$(jq -c 'del(.[2])' <<<"$ids1")"
check_eq "gen: a one-slot file change is a stage change" \
	"$(sed 's/tag=2 final=1/tag=3 final=1/' "$MIX" | tcc -j diff -f - | jq -r '.chains[0].action')" stage

# ---- bad input -------------------------------------------------------------------
tcc del dev b0 ingress
chain_add "$B" b0 ingress
check_fail "gen: rollback with no previous generation" "no previous generation" tcc rollback
check_fail "gen: rollback on an unknown device" "cannot find device 'a0'" tcc rollback dev a0 ingress
check_fail "gen: rollback with no chain there" "no chain on b0 egress" tcc rollback dev b0 egress
check_fail "gen: rollback with extra words" "unknown keyword 'now'" tcc rollback dev b0 ingress now
