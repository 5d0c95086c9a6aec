#!/usr/bin/env bash
# Run every test: unit and BPF_PROG_TEST_RUN binaries, then the netns
# end-to-end scripts.  Each prints "TEST: name [ OK | FAIL | SKIP ]" lines;
# this script counts them and ends with "N passed, N failed, N skipped".
# Test names are unique over the whole run: two TEST lines with one name
# are a FAIL of their own ("TEST: unique names: ...").
# An argument filters the test files by name: tests/run.sh netlink
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-build}
export OUT TCCHAIN="$PWD/$OUT/tcchain"
filter=${1:-}

log=$(mktemp)
times=()
trap 'rm -f "$log"' EXIT
crashed=0

run() {
	local name=$1; shift
	[ -n "$filter" ] && [[ "$name" != *"$filter"* ]] && return
	echo "# $name"
	local t0=$EPOCHREALTIME
	"$@" 2>&1 | tee -a "$log"
	local rc=${PIPESTATUS[0]}
	times+=("$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%7.1f", b - a }') s  $name")
	# A test file that dies without printing a FAIL line still fails.
	if [ "$rc" -ne 0 ] && ! tail -n 50 "$log" | grep -q '\[FAIL\]'; then
		echo "TEST: $name exited with status $rc                    [FAIL]" | tee -a "$log"
	fi
}

for t in "$OUT"/tests/unit/*; do
	[ -x "$t" ] && run "$(basename "$t")" "$t"
done
# The unit tests once more, built with ASan and UBSan (make san); any
# report fails the run.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
for t in "$OUT"/san/tests/unit/*; do
	[ -x "$t" ] && run "san_$(basename "$t")" env TST_PREFIX="san: " "$t"
done
for t in tests/netns/*.sh; do
	case $t in */lib.sh) continue;; esac
	run "$(basename "$t" .sh)" bash "$t"
done

# The name is what stands between "TEST: " and the result marker.
dups=$(sed -n 's/^TEST: \(.*[^ ]\) *\[\( OK \|FAIL\|SKIP\)\].*/\1/p' "$log" |
	sort | uniq -cd)
if [ -n "$dups" ]; then
	echo "# test names used more than once in this run:"
	sed 's/^ *\([0-9]*\) \(.*\)/#   \1x "\2"/' <<<"$dups"
	printf 'TEST: %-60s  [FAIL]\n' "unique names: $(grep -c "" <<<"$dups") name(s) on more than one TEST line" |
		tee -a "$log"
fi

# Where the time went: the slowest files first.
if [ "${#times[@]}" -gt 1 ]; then
	echo "# time per test file, slowest first:"
	printf '%s\n' "${times[@]}" | sort -rn | head -n 12 | sed 's/^/#   /'
fi

passed=$(grep -c '\[ OK \]' "$log")
failed=$(grep -c '\[FAIL\]' "$log")
skipped=$(grep -c '\[SKIP\]' "$log")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
