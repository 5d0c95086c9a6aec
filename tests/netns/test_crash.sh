#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Crash safety: each changing command (add, del, stage set, stage del, acl
# add, map set) is killed with SIGKILL at 200 points spread over its run
# time.  After each kill the next command (show) must succeed and the
# chain must be in the old or the new state, with everything agreeing:
# the tc filter runs the pinned entry, the clsact is there exactly when a
# chain is, the prog array, the slot pins, next[] and show name the same
# stages, and no half-done pins (-new, -old, -del) are left.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_cmd jq

P=$TCC_OUTDIR/tests/progs
KILLAT=$TCC_OUTDIR/tests/tools/killat
CHAINCHECK=$TCC_OUTDIR/tests/tools/chaincheck
POINTS=${TCC_CRASH_POINTS:-200}
[ -x "$KILLAT" ] && [ -x "$CHAINCHECK" ] || skip_all "tests/tools not built (make)"

setup_ns A B
setup_veth "$A" a0 "$B" b0

tcc() { "$TCCHAIN" -n "$B" "$@"; }

IFDIR=/sys/fs/bpf/tcchain/$(netns_cookie "$B")/$(in_ns "$B" ip -o link show b0 | cut -d: -f1)
DIR=$IFDIR/ingress

# The chain as the kernel and bpffs hold it (tests/tools/chaincheck:
# "BROKEN: ..." for whatever disagrees), show's view of it, and the state.
state()
{
	local raw shown=${1:-}

	raw=$(in_ns "$B" "$CHAINCHECK" b0 "$IFDIR")
	grep -v '^chain=' <<<"$raw"
	if [ "$(tail -1 <<<"$raw")" = chain=none ]; then
		echo "chain=none"
		return
	fi
	[ -n "$shown" ] || shown=$(tcc -j show)
	[ "progs=$(jq -r '[.[0].stages[] | "\(.slot)=\(.id)"] | join(",")' <<<"$shown")" = \
	  "$(tail -1 <<<"$raw" | cut -d' ' -f2)" ] ||
		echo "BROKEN: show lists other stages than the prog array holds"
	echo "chain=yes stages=$(jq -c '[.[0].stages[] | [.slot, .prog, .params]]' <<<"$shown")$(extra_state)"
}

# What the command under test changes besides stages.
extra_state() { :; }

# Kill "$@" at POINTS moments spread over its run time; after each: show
# must succeed and the state be $old or $new.  revert brings new back to
# old; prepare builds old from nothing.
crash_cmd()
{
	local name=$1 t i us out st shown broken=0 killed=0 n_old=0 n_new=0 failed=0 bad=
	shift
	prepare
	old=$(state)
	t=$("$KILLAT" -t "$@" 2>/dev/null)
	new=$(state)
	if grep -q BROKEN <<<"$old$new" || [ "$old" = "$new" ]; then
		log_test "crash: $name: old and new states differ and are whole" 1
		note "old: $old"$'\n'"new: $new"
		return
	fi
	st=$old
	for ((i = 1; i <= POINTS; i++)); do
		if [ "$st" != "$old" ]; then
			revert
			[ "$(state)" = "$old" ] || recover
		fi
		# spread over the run time and a quarter beyond: a run under
		# killat may take longer than the one measured
		us=$((t * 5 * i / (4 * POINTS)))
		out=$("$KILLAT" "$us" "$@" 2>/dev/null)
		[ "$out" = killed ] && killed=$((killed + 1))
		# the next command: show, which must work in either state
		if ! shown=$(tcc -j show 2>&1); then
			failed=$((failed + 1))
			bad+=$'\n'"at ${us} us ($out): show failed: $shown"
			shown=
		fi
		st=$(state "$shown")
		if [ "$st" = "$old" ]; then
			n_old=$((n_old + 1))
		elif [ "$st" = "$new" ]; then
			n_new=$((n_new + 1))
		else
			broken=$((broken + 1))
			bad+=$'\n'"at ${us} us ($out): $st"
			recover
			st=$old
		fi
	done
	echo "#   $name: run time ${t} us; $killed of $POINTS kills before the end; then $n_old old, $n_new new, $broken broken, $failed next commands failed"
	note "${bad:0:3000}"
	check_eq "crash: $name: $POINTS SIGKILLs, each leaves the old or the new state" \
		"$broken broken, $failed failed" "0 broken, 0 failed"
}

# After a broken state: start over from nothing.
recover()
{
	tcc del dev b0 ingress >/dev/null 2>&1
	in_ns "$B" tc qdisc del dev b0 clsact 2>/dev/null
	rm -rf "$IFDIR"
	prepare
}

stages_base()
{
	tcc add dev b0 ingress >/dev/null &&
	tcc stage set 0 parse >/dev/null &&
	tcc stage set 1 acl >/dev/null &&
	tcc stage set 3 ratelimit param rate=1000pps burst=50 >/dev/null &&
	tcc stage set 4 count >/dev/null &&
	tcc stage set 9 "$P/thirdparty_portblock.bpf.o" >/dev/null &&
	tcc acl add drop src 10.1.0.0/16 udp >/dev/null
}

# add: from no chain to a chain without stages.
prepare() { tcc del dev b0 ingress >/dev/null 2>&1; true; }
revert() { tcc del dev b0 ingress >/dev/null 2>&1; }
crash_cmd add "$TCCHAIN" -n "$B" add dev b0 ingress

# del: from a chain with five stages to nothing.
prepare() { tcc del dev b0 ingress >/dev/null 2>&1; stages_base; }
revert() { prepare; }
crash_cmd del "$TCCHAIN" -n "$B" del dev b0 ingress

# stage set: replace ratelimit in place with other params (maps carried).
prepare() { tcc del dev b0 ingress >/dev/null 2>&1; stages_base; }
revert() { tcc stage set 3 ratelimit param rate=1000pps burst=50 >/dev/null 2>&1; }
crash_cmd "stage set" "$TCCHAIN" -n "$B" stage set 3 ratelimit param rate=2000pps burst=50

# stage set into an empty slot.
revert() { tcc stage del 6 >/dev/null 2>&1; }
crash_cmd "stage set (empty slot)" "$TCCHAIN" -n "$B" stage set 6 "$P/pass_all.bpf.o"

# stage del.
revert() { tcc stage set 4 count >/dev/null 2>&1; }
crash_cmd "stage del" "$TCCHAIN" -n "$B" stage del 4

# acl add.
extra_state() { echo " acl=$(tcc -j acl show dev b0 ingress | jq -c '[.[0].rules[] | .words]')"; }
revert()
{
	local id

	for id in $(tcc -j acl show dev b0 ingress | jq -r '.[0].rules[] | select(.words | test("dst")) | .id'); do
		tcc acl del "$id" >/dev/null 2>&1
	done
}
crash_cmd "acl add" "$TCCHAIN" -n "$B" acl add drop src 10.2.0.0/16 dst 10.9.0.2 udp dport 53

# map set.
extra_state() { echo " map=$(tcc -j map show 9 blocked_ports | jq -c '[.[0].entries[] | [.key, .value.enabled]]')"; }
revert() { tcc map del 9 blocked_ports key port=6000 >/dev/null 2>&1; }
crash_cmd "map set" "$TCCHAIN" -n "$B" map set 9 blocked_ports key port=6000 value enabled=1

extra_state() { :; }
tcc del dev b0 ingress >/dev/null 2>&1
