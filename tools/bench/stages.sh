#!/usr/bin/env bash
# Bench part "stages" (tools/bench/run.sh): the stages binary
# (tools/bench/stages.c): parse -> acl -> ratelimit -> mark -> count as a
# tcchain chain vs the same sources as one program (BPF_PROG_TEST_RUN,
# IPv4 and IPv6 UDP).
#
# Writes $BENCH_DIR/stages.json: {"stages": the binary's JSON}.
# Knob: BENCH_STAGES_ARGS (extra stages options, e.g. "-k 2 -r 3").
set -uo pipefail
D=$BENCH_DIR/stages
mkdir -p "$D"

echo "== stages: the stage library, one chain vs one program ($OUT/tools/bench/stages) =="
# shellcheck disable=SC2086
"$OUT/tools/bench/stages" -s "$OUT/stages" -o "$D/bench.json" ${BENCH_STAGES_ARGS:-} |
	tee "$D/stages.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
jq '{stages: .}' "$D/bench.json" >"$BENCH_DIR/stages.json"
