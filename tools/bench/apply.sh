#!/usr/bin/env bash
# make bench PART=apply (a part of tools/bench/run.sh): what a whole-chain
# change costs, the CLI timed end to end on a veth in a namespace:
#   * apply a 5-stage chain (parse, acl, ratelimit, mark, count, with
#     rules and params) from scratch (no chain on the device);
#   * apply the same chain again from the file save printed (nothing
#     changes; target < 50 ms), and from the hand-written file (its rules
#     have no ids: only loading the stages tells whether they changed);
#   * commit a change to three slots as a new generation (target < 100 ms);
#   * rollback (one filter replace).
# Writes {"apply": ...} to $BENCH_DIR/apply.json.  Knob: BENCH_REPS.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-build}
TCCHAIN=${TCCHAIN:-$OUT/tcchain}
REPS=${BENCH_REPS:-10}
BENCH_DIR=${BENCH_DIR:-$OUT/bench}
JSON=$BENCH_DIR/apply.json.tmp
NS=tcc-bench-apply-$$
TMP=$(mktemp -d /tmp/tcc-bench-apply.XXXXXX)

[ "$(id -u)" -eq 0 ] || { echo "Error: needs root" >&2; exit 1; }
cleanup() {
	"$TCCHAIN" -n "$NS" del dev bx0 ingress >/dev/null 2>&1 || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link add bx0 type veth peer name bx1
ip -n "$NS" link set bx0 up
ip -n "$NS" link set bx1 up

# five stages; B changes three of them (acl's rules, ratelimit's params,
# mark's rules)
chain() {
	cat <<EOT
add dev bx0 ingress
stage set 0 parse
stage set 1 acl
stage set 2 ratelimit param rate=$1 burst=100
stage set 3 mark
stage set 4 count
acl add slot 1 drop src 10.0.0.0/8 tcp dport $2
acl add slot 1 drop src 192.0.2.0/24 udp dport 53
mark add slot 3 udp dport $3 mark 0x10
EOT
}
chain 1000pps 22 7100 >"$TMP/a.conf"
chain 2000pps 23 7101 >"$TMP/b.conf"

now() { date +%s%N; }
timed() {	# timed FILE CMD...: append the ns CMD took to FILE
	local out=$1 t0 t1; shift
	t0=$(now)
	"$@" >/dev/null
	t1=$(now)
	echo $((t1 - t0)) >>"$out"
}
stats_ms() {
	sort -n | awk '{ v[NR] = $1 / 1e6 }
		END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		      printf "{\"median_ms\": %.2f, \"min_ms\": %.2f, \"max_ms\": %.2f, \"n\": %d}\n",
			     m, v[1], v[NR], NR }'
}
T() { "$TCCHAIN" -n "$NS" "$@"; }

for i in $(seq "$REPS"); do
	T del dev bx0 ingress >/dev/null 2>&1 || true
	timed "$TMP/scratch" T apply -f "$TMP/a.conf"
	# what operators keep: the file save prints (rule ids written out)
	[ "$i" -eq 1 ] && T save >"$TMP/saved.conf"
	timed "$TMP/same" T apply -f "$TMP/saved.conf"
	timed "$TMP/diff" T diff -f "$TMP/saved.conf"
	# a hand-written file (rules without ids) is compared by loading it
	timed "$TMP/same_hand" T apply -f "$TMP/a.conf"
	timed "$TMP/gen" T apply -f "$TMP/b.conf"
	timed "$TMP/rollback" T rollback
	timed "$TMP/gen" T apply -f "$TMP/b.conf"
	timed "$TMP/gen" T apply -f "$TMP/a.conf"
done
# the 3-slot change is really one generation
action=$(T -j diff -f "$TMP/b.conf" | jq -r '.chains[0].action' || true)

j_scratch=$(stats_ms <"$TMP/scratch")
j_same=$(stats_ms <"$TMP/same")
j_diff=$(stats_ms <"$TMP/diff")
j_hand=$(stats_ms <"$TMP/same_hand")
j_gen=$(stats_ms <"$TMP/gen")
j_rb=$(stats_ms <"$TMP/rollback")
mkdir -p "$(dirname "$JSON")"
jq -n --argjson s "$j_scratch" --argjson u "$j_same" --argjson d "$j_diff" --argjson h "$j_hand" \
	--argjson g "$j_gen" --argjson r "$j_rb" --arg a "$action" '{
	apply_from_scratch: $s, apply_unchanged: $u, diff_unchanged: $d,
	apply_unchanged_hand_written: $h,
	commit_3_slots: ($g + {action: $a}), rollback: $r,
	targets: {apply_unchanged_ms: 50, commit_3_slots_ms: 100,
		  apply_unchanged_met: ($u.median_ms < 50), commit_3_slots_met: ($g.median_ms < 100)}}' \
	>"$JSON"
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print v < t ? "ok" : "OVER" }'; }
echo "== apply: a 5-stage chain, median (min..max) of $REPS, CLI end to end =="
jq -r '"  apply from scratch       \(.apply_from_scratch.median_ms) ms (\(.apply_from_scratch.min_ms)..\(.apply_from_scratch.max_ms))",
       "  apply unchanged          \(.apply_unchanged.median_ms) ms (\(.apply_unchanged.min_ms)..\(.apply_unchanged.max_ms))   target < 50 ms",
       "  diff unchanged           \(.diff_unchanged.median_ms) ms (\(.diff_unchanged.min_ms)..\(.diff_unchanged.max_ms))",
       "  apply unchanged, hand-written (no rule ids): \(.apply_unchanged_hand_written.median_ms) ms",
       "  commit a 3-slot change   \(.commit_3_slots.median_ms) ms (\(.commit_3_slots.min_ms)..\(.commit_3_slots.max_ms))   target < 100 ms (\(.commit_3_slots.action))",
       "  rollback                 \(.rollback.median_ms) ms (\(.rollback.min_ms)..\(.rollback.max_ms))"' "$JSON"
echo "  targets: unchanged $(verdict "$(jq .apply_unchanged.median_ms "$JSON")" 50), 3-slot commit $(verdict "$(jq .commit_3_slots.median_ms "$JSON")" 100)"
jq '{apply: .}' "$JSON" >"$BENCH_DIR/apply.json"
rm -f "$JSON"
