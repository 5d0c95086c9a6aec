#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# stats -o prometheus (doc/observe.md): the output passes `promtool check
# metrics`, its figures are the ones `stats -j` shows, and no series goes
# back across in-place stage replacements and new stages.  stats -w: the
# rates it prints add up to the traffic sent.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic

P=$TCC_OUTDIR/tests/progs
N=2000

setup_ns A B
setup_veth "$A" a0 "$B" b0

tcc() { "$TCCHAIN" -n "$B" "$@"; }
send() { udp_count "$A" "$VETH_B4" "$B" 5001 "$N" >/dev/null; }
prom() { tcc stats -o prometheus >"$1"; }
# One sample's value: prom_val FILE 'name{...labels...}' (labels as printed).
prom_val() { awk -v k="$2" 'index($0, k " ") == 1 { print $NF }' "$1"; }
# Every series of $1 that is also in $2 has a value in $2 at least as large.
monotonic() {
	awk 'NR == FNR { if ($1 !~ /^#/) v[$1] = $2; next }
	     $1 !~ /^#/ && ($1 in v) && $2 + 0 < v[$1] + 0 { print "went back: " $1 " " v[$1] " -> " $2; bad = 1 }
	     END { exit bad }' "$1" "$2"
}

chain_add "$B" b0 ingress
check_ok "export: stage set 0 parse" tcc stage set 0 parse
check_ok "export: stage set 1 (passing stage)" tcc stage set 1 "$P/pass_all.bpf.o"
check_ok "export: stats cost on" tcc stats cost on rate 1
send

check_ok "export: stats -o prometheus" prom "$TCC_TMP/p1"
capture cat "$TCC_TMP/p1"
if command -v promtool >/dev/null; then
	check_ok "export: promtool check metrics" sh -c "promtool check metrics <'$TCC_TMP/p1'"
else
	log_skip "export: promtool check metrics" "promtool not installed (apt-get install prometheus)"
fi
labels="netns=\"$(netns_cookie "$B")\",dev=\"b0\",dir=\"ingress\""
# (a stray neighbour-discovery packet may arrive between two reads)
p=$(prom_val "$TCC_TMP/p1" "tcchain_packets_total{$labels}")
check_range "export: packets in = stats -j" "$(tcc -j stats | jq '.[0].packets')" "$p" "$((p + 3))"
p=$(prom_val "$TCC_TMP/p1" "tcchain_end_verdicts_total{$labels,verdict=\"pass\"}")
check_range "export: end verdicts = stats -j" "$(tcc -j stats | jq '.[0].end.pass')" "$p" "$((p + 3))"
check_eq "export: the stage is labelled with its name and id" \
	"$(grep -c "^tcchain_stage_packets_total{$labels,slot=\"1\",stage=\"pass_all\",prog_id=\"[1-9][0-9]*\"} " \
	   "$TCC_TMP/p1")" 1
stage_val() { awk -v m="$2" -v s="slot=\"$3\"" 'index($0, m "{") == 1 && index($0, s) { print $NF }' "$1"; }
check_range "export: the stage's packets" "$(stage_val "$TCC_TMP/p1" tcchain_stage_packets_total 1)" \
	"$N" "$((N + 20))"
check_range "export: the stage's cost samples" \
	"$(stage_val "$TCC_TMP/p1" tcchain_stage_cost_samples_total 1)" "$N" "$((N + 20))"
check_eq "export: sample rate gauge" \
	"$(prom_val "$TCC_TMP/p1" "tcchain_cost_sample_rate{$labels}")" 1

# In-place replacements and a new stage: nothing goes back.
check_ok "export: stage set 1 again (in place)" tcc stage set 1 "$P/pass_all.bpf.o" param version=1
check_ok "export: stats -o prometheus after the replace" prom "$TCC_TMP/p2"
check_ok "export: monotonic across an in-place stage set" monotonic "$TCC_TMP/p1" "$TCC_TMP/p2"
send
check_ok "export: stage set 2 (a new stage)" tcc stage set 2 "$P/pass_all.bpf.o"
check_ok "export: stage set 0 parse again (in place)" tcc stage set 0 parse
check_ok "export: stats -o prometheus after more traffic" prom "$TCC_TMP/p3"
check_ok "export: monotonic across traffic and stage sets" monotonic "$TCC_TMP/p2" "$TCC_TMP/p3"
check_ok "export: monotonic from the first scrape" monotonic "$TCC_TMP/p1" "$TCC_TMP/p3"
check_range "export: packets in grew by the traffic" \
	"$(( $(prom_val "$TCC_TMP/p3" "tcchain_packets_total{$labels}") - \
	     $(prom_val "$TCC_TMP/p1" "tcchain_packets_total{$labels}") ))" "$N" "$((N + 20))"

# -- stats -w ------------------------------------------------------------------------
"$TCCHAIN" -n "$B" stats -w 0.5 -x count 6 >"$TCC_TMP/watch" 2>&1 &
wpid=$!
send
wait "$wpid"
check_eq "export: stats -w count 6 exits 0" "$?" 0
capture cat "$TCC_TMP/watch"
check_eq "export: stats -w printed 6 refreshes" "$(grep -c '^every 0.5s' "$TCC_TMP/watch")" 6
check_range "export: stats -w rates add up to the traffic" \
	"$(awk '/^b0 ingress: in/ { s += $4 * 0.5 } END { print s }' "$TCC_TMP/watch")" \
	"$((N * 8 / 10))" "$((N * 12 / 10))"
check_eq "export: stats -w shows every stage" \
	"$(awk '$1 ~ /^[0-9]+$/ { print $1 $2 }' "$TCC_TMP/watch" | sort -u | tr '\n' ' ')" \
	"0parse 1pass_all 2pass_all "
check_ok "export: stats -w with SI units" tcc stats -w 0.1 count 1
check_eq "export: stats -w SI: a header line" "$(grep -c '(SI units)' "$TCC_STDOUT")" 1

check_fail "export: unknown format" "unknown format 'json'" tcc stats -o json
check_fail "export: -o without a format" "needs an argument" tcc stats -o
json_fail() { ! "$TCCHAIN" -n "$B" "$@" >"$TCC_TMP/err.json" && jq -r .error "$TCC_TMP/err.json"; }
check_eq "export: -o prometheus with -j" "$(json_fail -j stats -o prometheus)" \
	"stats -o prometheus: the format is text, not JSON (-j)"
check_fail "export: -w and -o together" "cannot be used together" tcc stats -w -o prometheus
check_fail "export: -w 0" "not an interval" tcc stats -w 0
check_fail "export: -w with a bad number" "not an interval" tcc stats -w 1x
check_fail "export: -x without -w" "'-x' goes with -w" tcc stats -x
check_fail "export: count without -w" "'count' goes with -w" tcc stats count 2
check_fail "export: -w twice" "given twice" tcc stats -w -w
check_eq "export: -w with -j" "$(json_fail -j stats -w count 1 | cut -d ';' -f 1)" \
	"stats -w: rates are text only"
check_fail "export: -w on a device with no chain" "no chain matches" tcc stats -w dev b0 egress count 1
