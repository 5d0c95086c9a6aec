#!/usr/bin/env bash
# Bench part "real" (tools/bench/run.sh): the real path.  UDP over veth
# pairs between two namespaces, blasted by tests/tools/traffic, with
# nothing / one 8-body program / an 8-stage chain / 8 cls_bpf filters /
# an 8-stage chain with dispatch v2 on the receiver's ingress; packets/s the receiver gets and the sender's CPU
# time per packet (which holds the receive path: veth delivers in the
# sender's context); then a perf profile of the sender for the share of
# its time inside the tc hook.
#
# Writes $BENCH_DIR/real.json: {"real_path": ...}; runs and logs in
# $BENCH_DIR/real/.
# Knobs: BENCH_REAL_COUNT, BENCH_REAL_ROUNDS (timed runs: datagrams per
#        run, default 50000, and rounds, default 16),
#        BENCH_REAL_PCOUNT, BENCH_REAL_PROUNDS (profiled runs: 100000, 6),
#        BENCH_REAL_CPUS (sender,receiver; default 0,1).
# shellcheck source=tests/netns/lib.sh
source "$(dirname "$0")/../../tests/netns/lib.sh"

R=$BENCH_DIR/real
REAL_COUNT=${BENCH_REAL_COUNT:-50000}
REAL_ROUNDS=${BENCH_REAL_ROUNDS:-16}
REAL_PCOUNT=${BENCH_REAL_PCOUNT:-100000}
REAL_PROUNDS=${BENCH_REAL_PROUNDS:-6}
REAL_CPUS=${BENCH_REAL_CPUS:-0,1}

# Five veth pairs between a sender and a receiver namespace, one per setup,
# so that a round runs the setups in a fresh random order with nothing to
# change but the destination; the programs are loaded afresh for each
# round (real_load):
#   pair 1  none     nothing on the receiver's ingress (no clsact either)
#   pair 2  mono     bench_mono8.bpf.o as one cls_bpf da filter: the entry's
#                    reset and 8 stage bodies in one program
#   pair 3  chain    tcchain add + stage set 0..7 bench_stage.bpf.o
#   pair 4  filters  8 cls_bpf da filters, prio 1..8, one stage body each
#                    (bench_filter.bpf.o: TC_ACT_UNSPEC on to the next
#                    filter, TC_ACT_OK from the last), as users chain today
#   pair 5  v2       dispatch v2 (doc/dispatch.md "Dispatch v2"): the entry and
#                    8 stages of bench_v2.bpf.o (the same body as the chain's
#                    bench_stage, one slot + 1 tail call each), built and
#                    pinned by `dispatch -P`, the entry attached with tc
#                    object-pinned as one cls_bpf da filter
# Addresses: setup_veth's (10.0.N.1 sender, 10.0.N.2 receiver).
#
# A run: a receiver (traffic recv, pinned) waits for the datagrams, the
# sender (traffic send, pinned, no rate limit) sends them.  On a veth the
# receive path, tc hook included, runs in the sender's context right after
# each send (softirq on local_bh_enable), so the sender's CPU holds the
# filters' cost.
#
#   timed runs     the receiver's packets/s, and the sender's CPU time per
#                  packet (perf stat task-clock, or bash's `time`): CPU
#                  time leaves out the time the VM or another task had the
#                  CPU, but not the host's other guests slowing this one
#   profiled runs  perf record -g (cpu-clock, REAL_HZ) on the sender: the
#                  share of its samples inside the tc hook (tc_run and
#                  below).  A share within one run does not move with the
#                  machine's speed from run to run, which the timed figures
#                  do by more than the filters cost.  Hook ns per packet =
#                  share x the setup's median CPU ns per packet.
REAL_SETUPS=(none mono chain filters v2)
declare -A REAL_PAIR=([none]=1 [mono]=2 [chain]=3 [filters]=4 [v2]=5)
declare -A REAL_LABEL=([none]="no program" [mono]="one program, 8 bodies"
	[chain]="tcchain, 8 stages" [filters]="8 cls_bpf filters"
	[v2]="dispatch v2, 8 stages")
REAL_V2PIN=	# in the receiver namespace's pin directory (set up by real_setup)
declare -A REAL_GOT=()	# datagrams received per setup since its programs were loaded
REAL_HZ=10000
REAL_HOOK='^(tc_run|tcx_run|sch_handle_ingress|tcf_classify)$'
declare -A REAL_DST=()	# the receiver's address on each pair
RPID=
SCPU=${REAL_CPUS%,*}
RCPU=${REAL_CPUS#*,}
PERF_STAT=
PERF_RECORD=

# Run a setup command; its output goes to real.log, a failure ends the
# benchmark.
rlog() {
	if ! "$@" >> "$R/real.log" 2>&1; then
		echo "Error: failed: $*" >&2
		tail -n 5 "$R/real.log" >&2
		exit 1
	fi
}

# Namespaces and veths from tests/netns/lib.sh (which also removes them,
# and any pins left, on every exit); then no ARP in the middle of a run.
real_setup() {
	local i mac

	setup_ns TX RX
	# bpffs here takes only the tcchain layout; lib.sh removes the
	# namespace's directory, this included, on exit
	REAL_V2PIN=/sys/fs/bpf/tcchain/$(netns_cookie "$RX")/bench-v2
	for i in 1 2 3 4 5; do
		setup_veth "$TX" "s$i" "$RX" "r$i"
		REAL_DST[$i]=$VETH_B4
		mac=$(ip -n "$RX" -j link show dev "r$i" | jq -r '.[0].address')
		rlog ip -n "$TX" neigh replace "$VETH_B4" lladdr "$mac" dev "s$i" nud permanent
	done
	rlog tc -n "$RX" qdisc add dev r2 clsact
	rlog tc -n "$RX" qdisc add dev r4 clsact
	rlog tc -n "$RX" qdisc add dev r5 clsact
	defer -q "$TCCHAIN" -n "$RX" del dev r3 ingress
	defer -q rm -rf "$REAL_V2PIN"
	real_load
}

# (Re)load the programs of the three setups.  Where the JIT puts a program
# changes its cost (doc/dispatch.md, "Depth and layout"), so every round
# runs on a fresh load; the one before is checked first.
real_load() {
	local i sec tb=$OUT/tools/bench/bpf

	if [ -n "${REAL_GOT[chain]:-}" ]; then
		real_check
		rlog "$TCCHAIN" -n "$RX" del dev r3 ingress
	fi
	rlog tc -n "$RX" filter replace dev r2 ingress prio 1 handle 1 bpf da \
		obj "$tb/bench_mono8.bpf.o" sec tc
	rlog "$TCCHAIN" -n "$RX" add dev r3 ingress
	for ((i = 0; i < 8; i++)); do
		rlog "$TCCHAIN" -n "$RX" stage set "$i" "$tb/bench_stage.bpf.o"
	done
	for ((i = 1; i <= 8; i++)); do
		sec=tc
		[ "$i" -eq 8 ] && sec=classifier
		rlog tc -n "$RX" filter replace dev r4 ingress prio "$i" handle 1 bpf da \
			obj "$tb/bench_filter.bpf.o" sec "$sec"
	done
	# v2: the filter holds the entry, the pin holds the prog array
	rm -rf "$REAL_V2PIN"
	mkdir -p "$REAL_V2PIN"
	rlog "$OUT/tools/bench/dispatch" -d v2 -N 8 -P "$REAL_V2PIN"
	# (tc -n would remount /sys and lose bpffs; nsenter keeps it)
	rlog in_ns "$RX" tc filter replace dev r5 ingress prio 1 handle 1 bpf da \
		object-pinned "$REAL_V2PIN/entry"
	REAL_GOT=([mono]=0 [chain]=0 [filters]=0 [v2]=0)
}

# One run: $1 setup, $2 round (0: warm-up), $3 datagrams, $4 time|profile.
# Appends a JSON line to runs.jsonl.
real_run() {
	local setup=$1 round=$2 count=$3 mode=$4 i=${REAL_PAIR[$1]} t cpu_ms=null prof=null
	local TIMEFORMAT='%3U %3S'
	local send=(nsenter --net="/run/netns/$TX" -- taskset -c "$SCPU" "$TRAFFIC" send -4
		    --dst "${REAL_DST[$i]}" --port 5001 --count "$count" --json)

	# nsenter and taskset exec: $! is the receiver itself.
	nsenter --net="/run/netns/$RX" -- taskset -c "$RCPU" "$TRAFFIC" recv -4 --port 5001 \
		--expect "$count" --timeout 60 --json > "$R/recv.json" 2>> "$R/real.log" &
	RPID=$!
	echo "$RPID" >>"$TCC_TMP/pids"	# lib.sh kills it if we are stopped
	for ((t = 0; t < 500; t++)); do
		[ -n "$(nsenter --net="/run/netns/$RX" -- ss -Hnul 'sport = :5001')" ] && break
		kill -0 "$RPID" 2>/dev/null || break
		sleep 0.01
	done
	if [ "$mode" = profile ]; then
		rm -f "$R/perf.data"
		perf record -q -o "$R/perf.data" -e cpu-clock -F "$REAL_HZ" -g -- "${send[@]}" \
			> "$R/send.json" 2>> "$R/real.log" || true
	elif [ -n "$PERF_STAT" ]; then
		perf stat -x, -e task-clock -o "$R/cpu.txt" -- "${send[@]}" \
			> "$R/send.json" 2>> "$R/real.log" || true
		cpu_ms=$(awk -F, '$3 == "task-clock" { print $1 }' "$R/cpu.txt")
	else
		{ time "${send[@]}" > "$R/send.json" 2>> "$R/real.log"; } \
			2> "$R/cpu.txt" || true
		cpu_ms=$(awk '{ print ($1 + $2) * 1000 }' "$R/cpu.txt")
	fi
	# The sender is done: the receiver leaves after 200 ms of quiet, at
	# once if it has them all.
	kill -USR1 "$RPID" 2>/dev/null || true
	wait "$RPID" || true
	RPID=
	REAL_GOT[$setup]=$(( ${REAL_GOT[$setup]:-0} + $(jq '.received // 0' "$R/recv.json") ))
	if [ "$mode" = profile ]; then
		# Samples (a blank line apart): a period line, then the stack,
		# innermost first, one "addr symbol" per line.
		prof=$(perf script -i "$R/perf.data" -F period,ip,sym 2>> "$R/real.log" |
			awk -v RS= -v hook="$REAL_HOOK" '{
				nl = split($0, l, "\n"); p = l[1] + 0; all += p; n++
				for (i = 2; i <= nl; i++) {
					split(l[i], f, " ")
					if (f[2] ~ hook) { in_hook += p; h++; break }
				}
			} END { printf "{\"samples\": %d, \"hook_samples\": %d, \"share\": %.6f}",
					n, h, n ? in_hook / all : 0 }')
	fi
	jq -c -n --arg setup "$setup" --argjson round "$round" --arg mode "$mode" \
		--argjson cpu_ms "${cpu_ms:-null}" --argjson prof "$prof" \
		--slurpfile s "$R/send.json" --slurpfile r "$R/recv.json" '
		{mode: $mode, round: $round, setup: $setup, sent: $s[0].sent, send_pps: $s[0].pps,
		 received: $r[0].received, recv_pps: $r[0].pps,
		 cpu_ns: (if $cpu_ms then $cpu_ms * 1e6 / $s[0].sent else null end), profile: $prof}' \
		>> "$R/runs.jsonl"
}

# Per-row sums over CPUs of the bench_count maps of the filters on device $1.
filter_counts() {
	local ids m

	ids=$(tc -n "$RX" -j filter show dev "$1" ingress |
		jq -c '[.[] | select(.options.prog) | .options.prog.id]')
	for m in $(jq -n --argjson ids "$ids" --argjson progs "$(bpftool -j prog show)" \
			--argjson maps "$(bpftool -j map show)" '
			[$progs[] | select(.id as $i | any($ids[]; . == $i)) | .map_ids[]] as $mine
			| $maps[] | select(.name == "bench_count" and (.id as $i | any($mine[]; . == $i)))
			| .id'); do
		bpftool -j map dump id "$m" | jq -r '.[] | [.formatted.values[].value] | add'
	done
}

# The bench_count maps of the v2 chain's 8 stages.
v2_counts() {
	local pid m

	pid=$(bpftool -j map show pinned "$REAL_V2PIN/progs" | jq .id)
	for m in $(jq -n --argjson pid "$pid" --argjson progs "$(bpftool -j prog show)" \
			--argjson maps "$(bpftool -j map show)" '
			[$progs[] | select(.name == "v2_stage" and any(.map_ids[]?; . == $pid))
			 | .map_ids[]] as $mine
			| $maps[] | select(.name == "bench_count" and (.id as $i | any($mine[]; . == $i)))
			| .id'); do
		bpftool -j map dump id "$m" | jq -r '.[] | [.formatted.values[].value] | add'
	done
}

# Every program of the current load ran on every packet: each stage body's
# counter (and the chain's end-of-chain count) is at least what the
# receiver got over its pair since the load.  A setup that stopped early
# would look fast.
real_check() {
	local setup got s

	for setup in mono chain filters v2; do
		case $setup in
		v2)
			got=$(v2_counts)
			;;
		mono|filters)
			got=$(filter_counts "r${REAL_PAIR[$setup]}")
			;;
		chain)
			got=$(for ((s = 0; s < 8; s++)); do
				"$TCCHAIN" -n "$RX" -j map show "$s" bench_count | jq '.[0].entries[0].value'
			done
			"$TCCHAIN" -n "$RX" -j stats dev r3 ingress | jq '.[0].end.pass')
			;;
		esac
		if [ "$(wc -w <<< "$got")" -lt 8 ]; then
			echo "Error: $setup: expected 8 stage counters, found: $got" >&2
			exit 1
		fi
		for s in $got; do
			if [ "$s" -lt "${REAL_GOT[$setup]}" ]; then
				echo "Error: $setup: a stage saw $s packets, the receiver got" \
					"${REAL_GOT[$setup]}" >&2
				exit 1
			fi
		done
	done
}

# The summary as JSON: per setup, median/min/max over the rounds; "added"
# is the difference to the no-program run of the same round.
# shellcheck disable=SC2016 # jq's own $variables
REAL_JQ='
def median: sort | if length == 0 then null
	elif length % 2 == 1 then .[(length - 1) / 2]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def stat: {median: median, min: min, max: max};
def t: 1e9 / .recv_pps;
[.[] | select(.round > 0 and .mode == "time")] as $runs
| [.[] | select(.round > 0 and .mode == "profile")] as $profs
| ($runs | map({key: "\(.setup)/\(.round)", value: .}) | from_entries) as $by
| ($runs | map(select(.setup == "none") | .cpu_ns) | median) as $base
| def base: $by["none/\(.round)"];
  def hook: $base * .profile.share / (1 - .profile.share);
  def pairs($a; $b): [$runs[] | select(.setup == $a) | . as $x
	| $by["\($b)/\(.round)"] | select(.) | [$x, .]];
  ($setups | map(. as $s | ($runs | map(select(.setup == $s))) as $r
	| ($profs | map(select(.setup == $s))) as $p | {
	setup: $s,
	rounds: ($r | length),
	sent: ($r | map(.sent) | add), received: ($r | map(.received) | add),
	recv_kpps: ($r | map(.recv_pps / 1000) | stat),
	ns_per_packet: ($r | map(t) | stat),
	added_ns: ($r | map(t - (base | t)) | stat),
	cpu_ns: ($r | map(.cpu_ns) | stat),
	cpu_added_ns: ($r | map(.cpu_ns - base.cpu_ns) | stat),
	hook_share_pct: ($p | map(.profile.share * 100) | stat),
	hook_samples: ($p | map(.profile.hook_samples) | add),
	samples: ($p | map(.profile.samples) | add),
	hook_ns: ($p | map(hook) | stat)})) as $res
| ($res | map({key: .setup, value: .}) | from_entries) as $m
| {count: $count, profile_count: $pcount, rounds: $rounds, profile_rounds: $prounds,
   payload_bytes: 64, sender_cpu: $scpu, receiver_cpu: $rcpu, cpu_metric: $metric,
   profile_hz: $hz, setups: $res,
   chain_vs_mono: {
	recv_time_pct: (pairs("chain"; "mono") | map(((.[0] | t) / (.[1] | t) - 1) * 100) | stat),
	cpu_pct: (pairs("chain"; "mono") | map((.[0].cpu_ns / .[1].cpu_ns - 1) * 100) | stat),
	hook_pct: (if ($m.chain.hook_ns.median // 0) > 0 then
		($m.chain.hook_ns.median - $m.mono.hook_ns.median)
		/ ($base + $m.mono.hook_ns.median) * 100 else null end),
	target_pct: 3},
   filters_vs_chain_added: {
	by_recv_rate: ($m.filters.added_ns.median / $m.chain.added_ns.median),
	by_cpu: ($m.filters.cpu_added_ns.median / $m.chain.cpu_added_ns.median),
	by_hook: (if ($m.chain.hook_ns.median // 0) > 0 then
		$m.filters.hook_ns.median / $m.chain.hook_ns.median else null end),
	target: 5},
   hook_vs_mono: (if ($m.mono.hook_ns.median // 0) > 0 then {
	chain: ($m.chain.hook_ns.median / $m.mono.hook_ns.median),
	v2: (if $m.v2 then $m.v2.hook_ns.median / $m.mono.hook_ns.median else null end),
	target: 1.3} else null end),
   over_mono_hook_ns: (if ($m.chain.hook_ns.median // 0) > $m.mono.hook_ns.median then {
	chain: ($m.chain.hook_ns.median - $m.mono.hook_ns.median),
	filters: ($m.filters.hook_ns.median - $m.mono.hook_ns.median),
	ratio: (($m.filters.hook_ns.median - $m.mono.hook_ns.median)
		/ ($m.chain.hook_ns.median - $m.mono.hook_ns.median))} else null end),
   runs: ($runs + $profs)}'

real_report() {
	local j=$R/summary.json metric="bash time (user + sys)" setup

	[ -n "$PERF_STAT" ] && metric="perf stat task-clock"
	jq -s --argjson setups "$(printf '%s\n' "${REAL_SETUPS[@]}" | jq -R . | jq -s -c .)" \
		--argjson count "$REAL_COUNT" --argjson rounds "$REAL_ROUNDS" \
		--argjson pcount "$REAL_PCOUNT" --argjson prounds "$REAL_PROUNDS" \
		--argjson scpu "$SCPU" --argjson rcpu "$RCPU" --argjson hz "$REAL_HZ" \
		--arg metric "$metric" "$REAL_JQ" "$R/runs.jsonl" > "$j"
	echo
	echo "timed: $REAL_ROUNDS rounds x ${#REAL_SETUPS[@]} setups x $REAL_COUNT UDP datagrams" \
		"(64-byte payload), setups interleaved;"
	echo "sender on CPU $SCPU, receiver on CPU $RCPU; median (min-max) over rounds;" \
		"\"added\": minus the no-program run of the same round"
	echo
	printf '%-22s %17s %7s %17s %19s %17s %5s\n' setup "received kpps" ns/pkt \
		"added ns/pkt" "sender CPU ns/pkt" "added ns/pkt" lost
	for setup in "${REAL_SETUPS[@]}"; do
		jq -r --arg s "$setup" --arg l "${REAL_LABEL[$setup]}" '.setups[] | select(.setup == $s) |
			[$l, .recv_kpps.median, .recv_kpps.min, .recv_kpps.max, .ns_per_packet.median,
			 .added_ns.median, .added_ns.min, .added_ns.max, .cpu_ns.median, .cpu_ns.min,
			 .cpu_ns.max, .cpu_added_ns.median, .cpu_added_ns.min, .cpu_added_ns.max,
			 .sent - .received] | @tsv' "$j"
	done | awk -F'\t' '{
		a = "-"; c = "-"
		if (NR > 1) {
			a = sprintf("%+.0f (%+.0f..%+.0f)", $6, $7, $8)
			c = sprintf("%+.0f (%+.0f..%+.0f)", $12, $13, $14) }
		printf "%-22s %17s %7.0f %17s %19s %17s %5d\n", $1,
			sprintf("%.1f (%.0f-%.0f)", $2, $3, $4), $5, a,
			sprintf("%.0f (%.0f-%.0f)", $9, $10, $11), c, $15 }'
	if [ -n "$PERF_RECORD" ]; then
		echo
		echo "profiled: $REAL_PROUNDS rounds x $REAL_PCOUNT datagrams, perf record -g" \
			"-e cpu-clock -F $REAL_HZ on the sender;"
		echo "share of its samples inside the tc hook (median, min-max); hook ns/pkt =" \
			"B x share / (1 - share), B = the no-program"
		echo "median sender CPU ns/pkt above (what the rest of the path costs)"
		echo
		printf '%-22s %19s %9s %13s\n' setup "hook share %" samples "hook ns/pkt"
		for setup in "${REAL_SETUPS[@]}"; do
			[ "$setup" = none ] && continue
			jq -r --arg s "$setup" --arg l "${REAL_LABEL[$setup]}" '.setups[] |
				select(.setup == $s) | [$l, .hook_share_pct.median, .hook_share_pct.min,
				.hook_share_pct.max, .hook_samples, .samples, .hook_ns.median,
				.hook_ns.min, .hook_ns.max] | @tsv' "$j"
		done | awk -F'\t' '{
			printf "%-22s %19s %9s %13s\n", $1, sprintf("%.2f (%.2f-%.2f)", $2, $3, $4),
				$5 "/" $6, sprintf("%.0f (%.0f-%.0f)", $7, $8, $9) }'
	fi
	echo
	jq -r '.chain_vs_mono as $c | .filters_vs_chain_added as $f |
		def p: (. * 10 | round / 10) | tostring;
		def s: (if . >= 0 then "+" else "" end) + p;
		def x: (. * 100 | round / 100) | tostring;
		"tcchain (8 stages) vs one program, target within \($c.target_pct)%:",
		"  receiver time per packet \($c.recv_time_pct.median | s)% (\($c.recv_time_pct.min | s)..\($c.recv_time_pct.max | s) over rounds), sender CPU \($c.cpu_pct.median | s)% (\($c.cpu_pct.min | s)..\($c.cpu_pct.max | s))" +
		(if $c.hook_pct then ",\n  tc hook difference \($c.hook_pct | s)% of the packet" else "" end),
		"added cost of 8 cls_bpf filters / added cost of tcchain, target >= \($f.target)x:",
		"  \($f.by_recv_rate | x)x by receiver rate, \($f.by_cpu | x)x by sender CPU" +
		(if $f.by_hook then ", \($f.by_hook | x)x by tc hook time" else "" end),
		(.over_mono_hook_ns // empty |
		 "  over one program (the cost of splitting into 8): filters \(.filters | s) ns," +
		 " tcchain \(.chain | s) ns, \(.ratio | x)x"),
		(.hook_vs_mono // empty | select(.v2) |
		 "tc hook time over one program (issue 12 target <= \(.target)x): tcchain \(.chain | x)x, dispatch v2 \(.v2 | x)x"),
		(.setups[] | select(.setup == "none") |
		 "noise: the no-program setup alone spans \(.recv_kpps.min | p)-\(.recv_kpps.max | p) kpps (\((.recv_kpps.max / .recv_kpps.min - 1) * 100 | round)%) and \(.cpu_ns.min | round)-\(.cpu_ns.max | round) sender CPU ns/pkt (\((.cpu_ns.max / .cpu_ns.min - 1) * 100 | round)%) over rounds")' "$j"
}

real_path() {
	local r setup

	mkdir -p "$R"
	: > "$R/runs.jsonl"
	: > "$R/real.log"
	if command -v perf > /dev/null; then
		perf stat -x, -e task-clock -o /dev/null true 2>/dev/null && PERF_STAT=1
		perf record -q -o "$R/perf.data" -e cpu-clock -g -- true \
			> /dev/null 2>&1 && PERF_RECORD=1
	fi
	echo "== real: UDP over veth, programs on the receiver's ingress =="
	real_setup
	for setup in "${REAL_SETUPS[@]}"; do
		real_run "$setup" 0 $((REAL_COUNT / 5)) time
	done
	for ((r = 1; r <= REAL_ROUNDS; r++)); do
		real_load
		for setup in $(printf '%s\n' "${REAL_SETUPS[@]}" | shuf); do
			real_run "$setup" "$r" "$REAL_COUNT" time
		done
	done
	if [ -n "$PERF_RECORD" ]; then
		for ((r = 1; r <= REAL_PROUNDS; r++)); do
			real_load
			for setup in $(printf '%s\n' mono chain filters v2 | shuf); do
				real_run "$setup" "$r" "$REAL_PCOUNT" profile
			done
		done
	fi
	real_check
	real_report
	jq '{real_path: .}' "$R/summary.json" > "$BENCH_DIR/real.json"
}

require_tcchain
require_traffic
require_cmd tc taskset bpftool shuf
real_path
