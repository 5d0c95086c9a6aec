#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Changing commands racing each other on one chain: 8 processes per round
# (stage set of five slots, stage del, del and add of the chain itself) for
# 20 rounds.  After each round: a stage set that exited 0 is there unless a
# del of the chain also succeeded; no pins outlive their chain; the pinned
# slots are exactly the stages show lists; no half-done "-new"/"-old" pins.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_cmd tc jq

P=$TCC_OUTDIR/tests/progs
ROUNDS=${TCC_RACE_ROUNDS:-20}

setup_ns A B
setup_veth "$A" a0 "$B" b0

tcc() { "$TCCHAIN" -n "$B" "$@"; }

pins() { echo "/sys/fs/bpf/tcchain/$(netns_cookie "$B")/$(in_ns "$B" ip -o link show b0 | cut -d: -f1)/ingress"; }

# One round: returns the problems found, one per line, on stdout.
race_round()
{
	local r=$1 dir=$2 rc=$TCC_TMP/rc.$1 pids=() s shown pinned lost=

	mkdir -p "$rc"
	tcc add dev b0 ingress >/dev/null 2>&1
	tcc stage set 6 "$P/pass_all.bpf.o" >/dev/null 2>&1
	for s in 1 2 3 4 5; do
		( tcc stage set "$s" "$P/pass_all.bpf.o" >/dev/null 2>&1; echo $? >"$rc/set$s" ) &
		pids+=($!)
	done
	( tcc stage del 6 >/dev/null 2>&1; echo $? >"$rc/del6" ) & pids+=($!)
	( tcc del dev b0 ingress >/dev/null 2>&1; echo $? >"$rc/del" ) & pids+=($!)
	( tcc add dev b0 ingress >/dev/null 2>&1; echo $? >"$rc/add" ) & pids+=($!)
	wait "${pids[@]}"

	shown=$(tcc -j show dev b0 ingress 2>/dev/null | jq -r '.[0].stages[]?.slot' | sort -n | xargs)
	if [ -d "$dir" ]; then
		pinned=$(cd "$dir" && ls -d slot-* 2>/dev/null | sed 's/slot-0*\([0-9]\)/\1/' | sort -n | xargs)
		[ "$(tcc -j show dev b0 ingress | jq -r '.[0].attached')" = true ] ||
			echo "round $r: pins without an attached chain"
		[ "$pinned" = "$shown" ] || echo "round $r: pinned slots '$pinned', shown '$shown'"
		ls "$dir" | grep -qE -- '-(new|old)$' && echo "round $r: half-done pins: $(ls "$dir" | xargs)"
	elif [ -n "$(in_ns "$B" tc filter show dev b0 ingress)" ]; then
		echo "round $r: a filter without pins"
	fi
	# A successful del of the chain may come after a stage set; without
	# one, every stage set that exited 0 must be there.
	if [ "$(cat "$rc/del")" != 0 ]; then
		for s in 1 2 3 4 5; do
			[ "$(cat "$rc/set$s")" = 0 ] && ! grep -qw "$s" <<<"$shown" && lost+=" $s"
		done
		[ -n "$lost" ] && echo "round $r: stage set exited 0 but slot(s)$lost are empty"
	fi
	tcc del dev b0 ingress >/dev/null 2>&1
	[ -d "$dir" ] && echo "round $r: pins left after the final del"
}

test_races()
{
	local r dir problems=$TCC_TMP/problems

	dir=$(pins)
	: >"$problems"
	for ((r = 1; r <= ROUNDS; r++)); do
		race_round "$r" "$dir" >>"$problems"
	done
	note "$(cat "$problems")"
	check_eq "races: $ROUNDS rounds of 8 changing commands, no lost change, no stray pins" \
		"$(grep -c '' "$problems")" 0
}

test_races
