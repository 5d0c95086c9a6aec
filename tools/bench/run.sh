#!/usr/bin/env bash
# make bench: what tcchain costs, on this machine.  Root.
#
#   make bench                      every part
#   make bench PART=dispatch,real   only these (tools/bench.sh real works too)
#
# A part is a script tools/bench/NAME.sh: every .sh file in this directory
# but run.sh is one, so adding a benchmark is adding a file.  The shipped
# parts run first, in this order, then the others by name:
#
#   dispatch  the cost of getting from one stage to the next (the dispatch
#             binary, BPF_PROG_TEST_RUN), and the JIT images' tail-call sites
#   stages    the stage library as a chain vs as one program (the stages
#             binary, BPF_PROG_TEST_RUN)
#   real      UDP over veth pairs between two namespaces, with nothing / one
#             program / a chain / 8 cls_bpf filters on the receiver
#   control   the CLI timed: add, stage set/replace/del, del; many chains
#
# The contract of a part:
#   * run.sh runs it as `bash tools/bench/NAME.sh` from the top of the tree,
#     with $OUT (the build directory), $TCCHAIN and $TRAFFIC (absolute paths
#     of the binaries) and $BENCH_DIR ($OUT/bench, where its files go);
#   * it prints its tables to stdout, under a line "== NAME: what ==";
#   * it writes $BENCH_DIR/NAME.json: one JSON object, whose members become
#     members of $BENCH_DIR/results.json (dispatch writes "dispatch" and
#     "jit", real "real_path", a new part should write {"NAME": ...});
#   * it exits 0 when it measured, non-zero when it could not (a part that
#     leaves no NAME.json is recorded as {"NAME": {"failed": ...}});
#   * namespaces and veths come from tests/netns/lib.sh (source it: it also
#     isolates /run/netns and cleans up whatever the part set up, on any
#     exit); it finishes in a few minutes: the whole run stays under 10.
#
# results.json: the parts' members, plus "parts" (seconds per part) and
# "seconds" (the whole run).  Knobs of the parts: see each part's header.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
OUT=${OUT:-build}
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
BENCH_DIR=$OUT/bench
TCCHAIN=$OUT/tcchain
TRAFFIC=$OUT/tests/tools/traffic
export OUT BENCH_DIR TCCHAIN TRAFFIC

SHIPPED=(dispatch stages real control)
declare -a parts=()
for p in "${SHIPPED[@]}"; do
	[ -f "tools/bench/$p.sh" ] && parts+=("$p")
done
for f in tools/bench/*.sh; do
	p=$(basename "$f" .sh)
	[[ $p == run || " ${SHIPPED[*]} " == *" $p "* ]] && continue
	parts+=("$p")
done

want=${PART:-${1:-}}
if [ -n "$want" ]; then
	for p in ${want//,/ }; do
		if [[ " ${parts[*]} " != *" $p "* ]]; then
			echo "Error: no bench part '$p' (parts: ${parts[*]})" >&2
			exit 2
		fi
	done
fi

[ "$(id -u)" -eq 0 ] || { echo "Error: make bench needs root (BPF_PROG_TEST_RUN, netns)" >&2; exit 1; }
rm -rf "$BENCH_DIR"
mkdir -p "$BENCH_DIR"
start=$(date +%s)
failed=()
times='{}'
results=()
for p in "${parts[@]}"; do
	[ -n "$want" ] && [[ ",$want," != *",$p,"* ]] && continue
	t0=$(date +%s)
	bash "tools/bench/$p.sh"
	rc=$?
	t1=$(date +%s)
	times=$(jq -c --arg p "$p" --argjson s $((t1 - t0)) '. + {($p): $s}' <<<"$times")
	if ! jq -e 'type == "object"' "$BENCH_DIR/$p.json" >/dev/null 2>&1; then
		jq -n --arg p "$p" --arg why "exit status $rc, no $p.json written" \
			'{($p): {failed: $why}}' >"$BENCH_DIR/$p.json"
		[ "$rc" -eq 0 ] && rc=1
	fi
	results+=("$BENCH_DIR/$p.json")
	if [ "$rc" -ne 0 ]; then
		echo "== $p: FAILED (exit status $rc) =="
		failed+=("$p")
	fi
	echo
done

jq -s --argjson t "$times" --argjson s $(( $(date +%s) - start )) \
	'add + {parts: $t, seconds: $s}' "${results[@]}" >"$BENCH_DIR/results.json"
echo "results: $BENCH_DIR/results.json ($(( $(date +%s) - start )) s)"
[ ${#failed[@]} -eq 0 ] || { echo "Error: bench parts failed: ${failed[*]}" >&2; exit 1; }
