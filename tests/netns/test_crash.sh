#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Crash safety: each changing command (add, del, stage set, stage del, acl
# add, map set, apply, rollback) is killed with SIGKILL at 200 points
# spread over its run time.  After each kill the next command (show) must succeed and the
# chain must be in the old or the new state, with everything agreeing:
# the tc filter runs the pinned entry, the clsact is there exactly when a
# chain is, the prog array, the slot pins, next[] and show name the same
# stages, and no half-done pins (-new, -old, -del) are left.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_cmd jq tc bpftool

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
	# the run time: the longest of three runs
	t=$("$KILLAT" -t "$@" 2>/dev/null)
	new=$(state)
	for i in 1 2; do
		revert
		t+=" $("$KILLAT" -t "$@" 2>/dev/null)"
	done
	t=$(tr ' ' '\n' <<<"$t" | sort -n | tail -1)
	if grep -q BROKEN <<<"$old$new" || [ "$old" = "$new" ]; then
		log_test "crash: $name: old and new states differ and are whole" 1
		note "old: $old"$'\n'"new: $new"
		return
	fi
	st=$new
	for ((i = 1; i <= POINTS; i++)); do
		if [ "$st" != "$old" ]; then
			revert
			[ "$(state)" = "$old" ] || recover
		fi
		# spread over the run time and half of it beyond: a run under
		# killat may take longer than the ones measured
		us=$((t * 3 * i / (2 * POINTS)))
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
	# the kills must span the commit point, or they tested nothing
	[ "$POINTS" -ge 50 ] && check_eq "crash: $name: the kills fell before and after its commit" \
		"$([ "$n_old" -gt 0 ] && [ "$n_new" -gt 0 ] && echo both)" both
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

# Each window of the repair, made by hand (the kills above hit them at
# random): the state a kill leaves there, then the next command.
repaired()
{
	local desc=$1 want=$2 st

	tcc -j show >/dev/null 2>&1 || { log_test "crash: repair: $desc" 1 "show failed"; return; }
	st=$(state)
	note "$st"
	check_eq "crash: repair: $desc" "$(grep -c BROKEN <<<"$st"; tail -1 <<<"$st" | cut -c1-10)" \
		"0"$'\n'"$want"
}
tcc add dev b0 ingress >/dev/null
tcc stage set 3 "$P/pass_all.bpf.o" >/dev/null
mv "$DIR" "$DIR-new"
repaired "an add killed after its filter went on rolls forward" "chain=yes "
mv "$DIR" "$DIR-del"
repaired "a del killed after its rename is finished" "chain=none"
tcc add dev b0 ingress >/dev/null
tcc stage set 3 "$P/pass_all.bpf.o" >/dev/null
mv "$DIR/slot-03" "$DIR/slot-03-old"
repaired "a set killed with the old stage aside puts it back" "chain=yes "
mkdir "$DIR/slot-05-new"
repaired "a set killed while pinning leaves nothing" "chain=yes "
mkdir "$DIR-new"
repaired "an add killed while pinning leaves nothing" "chain=yes "
# generations: two applies make a chain with prev/
tcc save >"$TCC_TMP/r1.conf"
sed "s|stage set 3 .*pass_all.bpf.o|stage set 4 $P/pass_all.bpf.o|" "$TCC_TMP/r1.conf" >"$TCC_TMP/r2.conf"
echo "stage set 5 $P/pass_all.bpf.o" >>"$TCC_TMP/r2.conf"
tcc apply -f "$TCC_TMP/r2.conf" >/dev/null
mv "$DIR/prev" "$DIR-next"
repaired "an older DIR-next that does not run (a rollback before its commit, an apply after its exchange) goes to prev/" "chain=yes "
check_eq "crash: repair: ... and prev/ holds it" "$(cd "$DIR/prev" && ls -d slot-* | xargs)" "slot-03"
tcc apply -f "$TCC_TMP/r1.conf" >/dev/null
# (tc names the filter after the pin, so chaincheck no longer sees it as
# tcchain's: only the layout is checked here)
in_ns "$B" tc filter replace dev b0 ingress prio 1 handle 1 bpf da object-pinned "$DIR/prev/entry"
mv "$DIR/prev" "$DIR-next"
check_ok "crash: repair: a DIR-next that runs (a rollback after its commit): show works" tcc show
check_eq "crash: repair: ... it is settled: the generation that runs is DIR, the other prev/" \
	"$(ls -d "$DIR-next" 2>/dev/null); $(cd "$DIR" && ls -d slot-* | xargs); $(cd "$DIR/prev" && ls -d slot-* | xargs)" \
	"; slot-04 slot-05; slot-03"
check_eq "crash: repair: ... and DIR's entry is the one that runs" \
	"$(bpftool -j prog show pinned "$DIR/entry" | jq .id)" \
	"$(in_ns "$B" tc -j filter show dev b0 ingress | jq '.[] | select(.options.prog.id) | .options.prog.id')"
tcc del dev b0 ingress >/dev/null
mkdir -p "$IFDIR/own-clsact"
repaired "a device directory with no chain is removed" "chain=none"

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
		tcc acl del id "$id" >/dev/null 2>&1
	done
}
crash_cmd "acl add" "$TCCHAIN" -n "$B" acl add drop src 10.2.0.0/16 dst 10.9.0.2 udp dport 53

# map set.
extra_state() { echo " map=$(tcc -j map show 9 blocked_ports | jq -c '[.[0].entries[] | [.key, .value.enabled]]')"; }
revert() { tcc map del 9 blocked_ports key port=6000 >/dev/null 2>&1; }
crash_cmd "map set" "$TCCHAIN" -n "$B" map set 9 blocked_ports key port=6000 value enabled=1

# apply: a file that changes three slots is a new generation (commit,
# exchange of DIR-next and DIR, the old one to DIR/prev); old and new
# differ in the slots of the running chain and of prev/.
F=$TCC_TMP/a.conf
G=$TCC_TMP/b.conf
extra_state() { echo " acl=$(tcc -j acl show dev b0 ingress | jq -c '[.[0].rules[] | .words]') prev=$(cd "$DIR/prev" 2>/dev/null && ls -d slot-* | xargs)"; }
prepare()
{
	tcc del dev b0 ingress >/dev/null 2>&1
	stages_base
	tcc save >"$F"
	sed -e 's/rate=1000pps/rate=3000pps/' -e 's/10\.1\.0\.0/10.3.0.0/' \
	    -e "s|stage set 4 count|stage set 6 $P/pass_all.bpf.o|" "$F" >"$G"
	tcc apply -f "$G" >/dev/null && tcc apply -f "$F" >/dev/null
}
revert() { tcc apply -f "$F" >/dev/null 2>&1; }
crash_cmd apply "$TCCHAIN" -n "$B" apply -f "$G"

# rollback: back and forth between the two generations.
revert() { tcc rollback >/dev/null 2>&1; }
crash_cmd rollback "$TCCHAIN" -n "$B" rollback

extra_state() { :; }
tcc del dev b0 ingress >/dev/null 2>&1
