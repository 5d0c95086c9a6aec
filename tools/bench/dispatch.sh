#!/usr/bin/env bash
# Bench part "dispatch" (tools/bench/run.sh): the dispatch binary
# (tools/bench/dispatch.c: BPF_PROG_TEST_RUN, N = 1..32 stages, every
# dispatch design in doc/dispatch.md), then a look at the JIT images: how
# many tail-call sites each program has and how many of them go through a
# retpoline; and what `stage del` costs in the kernel, tcchain against the
# next[] dispatch it replaced (-u, tools/bench/dispatch_update.c).
#
# Writes $BENCH_DIR/dispatch.json: {"dispatch": the binary's JSON, "jit":
# sites per program, "stage_del": the -u timings}; the tables also in
# $BENCH_DIR/dispatch/.
# Knobs: BENCH_ARGS (extra dispatch options, e.g. "-k 2 -r 3"),
#        BENCH_DEL_REPS (stage del timings per scenario, default 5).
set -uo pipefail
D=$BENCH_DIR/dispatch
mkdir -p "$D/jit"

echo "== dispatch: the cost of dispatch ($OUT/tools/bench/dispatch) =="
# shellcheck disable=SC2086
"$OUT/tools/bench/dispatch" -o "$D/bench.json" -j "$D/jit" \
	-u "${BENCH_DEL_REPS:-5}" -U "$D/stage_del.json" ${BENCH_ARGS:-} |
	tee "$D/dispatch.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1

# A tail call through a retpoline is a jmp to __x86_indirect_thunk_*; a
# direct one is a patched jmp (or nop) into the next program.  The JIT's
# tail-call sites all compare the tail-call counter with MAX_TAIL_CALL_CNT
# (33): "cmpq $0x21".
jit='{}'
if [ "$(uname -m)" = x86_64 ] && command -v objdump >/dev/null; then
	thunks=$(awk '/ __x86_indirect_thunk_/ { print $1 }' /proc/kallsyms | paste -sd'|')
	echo
	echo "JIT check: tail-call sites per program (N = 2 chains), and how many use a retpoline"
	echo "(bytes: the main function, which every packet runs; subprog: the rest)"
	printf '%-20s %6s %10s %6s %8s\n' program sites retpoline bytes subprog
	for bin in "$D"/jit/*.bin; do
		[ -e "$bin" ] || continue
		name=$(basename "$bin" .bin)
		objdump -D -b binary -m i386:x86-64 --adjust-vma="$(cat "${bin%.bin}.addr")" \
			"$bin" >"${bin%.bin}.s"
		# shellcheck disable=SC2016 # a literal $ in the pattern
		sites=$(grep -cE 'cmpq +\$0x21,' "${bin%.bin}.s")
		indirect=0
		[ -n "$thunks" ] &&
			indirect=$(grep -ciE "jmp +0x($thunks)\$" "${bin%.bin}.s")
		bytes=$(stat -c %s "$bin")
		sub=$(cat "${bin%.bin}.sub")
		printf '%-20s %6s %10s %6s %8s\n' "$name" "$sites" "$indirect" "$bytes" "$sub"
		jit=$(jq -c --arg n "$name" --argjson s "$sites" --argjson i "$indirect" \
			--argjson b "$bytes" --argjson u "$sub" \
			'. + {($n): {sites: $s, retpoline: $i, jit_bytes: $b, subprog_bytes: $u}}' \
			<<<"$jit")
	done
else
	echo "JIT check: skipped (needs x86_64 and objdump)"
	jit='{"skipped": "needs x86_64 and objdump"}'
fi
jq --argjson jit "$jit" --slurpfile del "$D/stage_del.json" \
	'{dispatch: ., jit: $jit, stage_del: $del[0]}' "$D/bench.json" >"$BENCH_DIR/dispatch.json"
