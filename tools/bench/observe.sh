#!/usr/bin/env bash
# Bench part "observe" (tools/bench/run.sh): the observe binary
# (tools/bench/observe.c): what per-stage cost sampling and tracing cost per
# packet, off and on, against the dispatch built without their hooks, and
# the cost figure of a spinning stage against BPF_PROG_TEST_RUN of it alone
# (doc/observe.md).
#
# Writes $BENCH_DIR/observe.json: {"observe": the binary's JSON}.
# Knob: BENCH_OBSERVE_ARGS (extra observe options, e.g. "-k 8 -r 5").
set -uo pipefail
D=$BENCH_DIR/observe
mkdir -p "$D"

echo "== observe: cost sampling and trace, off and on ($OUT/tools/bench/observe) =="
# shellcheck disable=SC2086
"$OUT/tools/bench/observe" -b "$OUT/tools/bench/bpf" -p "$OUT/tests/progs" \
	-o "$D/bench.json" ${BENCH_OBSERVE_ARGS:-} | tee "$D/observe.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
jq '{observe: .}' "$D/bench.json" >"$BENCH_DIR/observe.json"
