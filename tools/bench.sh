#!/usr/bin/env bash
# make bench: what tcchain costs, on this machine.  Root.
#
#   1. dispatch: tools/bench (BPF_PROG_TEST_RUN, N = 1..32 stages, every
#      dispatch design in doc/dispatch.md), then a look at the JIT images:
#      how many tail-call sites each program has and how many of them go
#      through a retpoline.
#   2. the stage library: tools/bench -S, parse -> acl -> ratelimit ->
#      mark -> count as a tcchain chain vs the same sources as one program
#      (BPF_PROG_TEST_RUN, IPv4 and IPv6 UDP).
#   3. the real path: UDP over veth pairs between two namespaces, blasted
#      by tools/traffic, with nothing / one 8-body program / an 8-stage
#      chain / 8 cls_bpf filters on the receiver's ingress; packets/s the
#      receiver gets and the sender's CPU time per packet (which holds the
#      receive path: veth delivers in the sender's context); then a perf
#      profile of the sender for the share of its time inside the tc hook.
#   4. control plane: the CLI timed on a veth in a namespace (add, stage
#      set, stage replace, stage del, del; stage del again with k = 1..32
#      stages in the chain), then BENCH_CHAINS chains on as
#      many veth devices added, shown and deleted, with the kernel memory
#      their pins hold (bytes_memlock of the pinned programs and maps).
#
# Tables go to stdout; everything also goes to $OUT/bench/results.json.
# Knobs: BENCH_ARGS (extra tools/bench options, e.g. "-k 2 -r 3"),
#        BENCH_STAGES_ARGS (the same for part 2),
#        BENCH_REAL_COUNT, BENCH_REAL_ROUNDS (timed runs of part 3:
#        datagrams per run, default 50000, and rounds, default 20),
#        BENCH_REAL_PCOUNT, BENCH_REAL_PROUNDS (profiled runs: 100000, 8),
#        BENCH_REAL_CPUS (sender,receiver; default 0,1),
#        BENCH_CHAINS (default 200), BENCH_REPS (default 10),
#        BENCH_SKIP=dispatch,stages,real,control,apply to leave parts out,
#        BENCH_PART=NAME (make bench PART=NAME) to run only one.
#   5. apply: tools/bench_apply.sh, a 5-stage chain applied from scratch,
#      re-applied unchanged, a 3-slot generation commit, rollback.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-build}
B=$OUT/bench
TCCHAIN=$OUT/tcchain
TRAFFIC=$OUT/tools/traffic
CHAINS=${BENCH_CHAINS:-200}
REPS=${BENCH_REPS:-10}
SKIP=${BENCH_SKIP:-}
# make bench PART=apply: only that part (dispatch, stages, real, control, apply)
if [ -n "${BENCH_PART:-}" ]; then
	SKIP=$(echo dispatch stages real control apply | tr ' ' '\n' | grep -vx "$BENCH_PART" | paste -sd,)
fi
REAL_COUNT=${BENCH_REAL_COUNT:-50000}
REAL_ROUNDS=${BENCH_REAL_ROUNDS:-20}
REAL_PCOUNT=${BENCH_REAL_PCOUNT:-100000}
REAL_PROUNDS=${BENCH_REAL_PROUNDS:-8}
REAL_CPUS=${BENCH_REAL_CPUS:-0,1}

[ "$(id -u)" -eq 0 ] || { echo "Error: make bench needs root (BPF_PROG_TEST_RUN, netns)" >&2; exit 1; }
rm -rf "$B"
mkdir -p "$B/jit"
echo '{}' > "$B/jit.json"
echo '{"skipped": "not run"}' > "$B/control.json"
echo '{"skipped": "not run"}' > "$B/dispatch.json"
echo '{"skipped": "not run"}' > "$B/stages.json"
echo '{"skipped": "not run"}' > "$B/real.json"
echo '{"skipped": "not run"}' > "$B/apply.json"
start=$(date +%s)

now_ns() { date +%s%N; }
# median, min and max in ms of the ns values on stdin, as a JSON object
stats_ms() {
	sort -n | awk '{ v[NR] = $1 / 1e6 }
		END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		      printf "{\"median_ms\": %.2f, \"min_ms\": %.2f, \"max_ms\": %.2f, \"n\": %d}\n",
			     m, v[1], v[NR], NR }'
}

# ---- 1. dispatch --------------------------------------------------------------

if [[ $SKIP != *dispatch* ]]; then
	echo "== 1. dispatch cost (tools/bench) =="
	# shellcheck disable=SC2086
	"$OUT/tools/bench" -o "$B/dispatch.json" -j "$B/jit" ${BENCH_ARGS:-} | tee "$B/dispatch.txt"

	# A tail call through a retpoline is a jmp to __x86_indirect_thunk_*;
	# a direct one is a patched jmp (or nop) into the next program.  The
	# JIT's tail-call sites all compare the tail-call counter with
	# MAX_TAIL_CALL_CNT (33): "cmpq $0x21".
	if [ "$(uname -m)" = x86_64 ] && command -v objdump >/dev/null; then
		thunks=$(awk '/ __x86_indirect_thunk_/ { print $1 }' /proc/kallsyms | paste -sd'|')
		echo
		echo "JIT check: tail-call sites per program (N = 2 chains), and how many use a retpoline"
		printf '%-20s %6s %10s %6s\n' program sites retpoline bytes
		jit='{}'
		for bin in "$B"/jit/*.bin; do
			[ -e "$bin" ] || continue
			name=$(basename "$bin" .bin)
			objdump -D -b binary -m i386:x86-64 --adjust-vma="$(cat "${bin%.bin}.addr")" \
				"$bin" > "${bin%.bin}.s"
			# shellcheck disable=SC2016 # a literal $ in the pattern
			sites=$(grep -cE 'cmpq +\$0x21,' "${bin%.bin}.s" || true)
			indirect=0
			[ -n "$thunks" ] &&
				indirect=$(grep -ciE "jmp +0x($thunks)\$" "${bin%.bin}.s" || true)
			bytes=$(stat -c %s "$bin")
			printf '%-20s %6s %10s %6s\n' "$name" "$sites" "$indirect" "$bytes"
			jit=$(jq -c --arg n "$name" --argjson s "$sites" --argjson i "$indirect" \
				--argjson b "$bytes" '. + {($n): {sites: $s, retpoline: $i, jit_bytes: $b}}' \
				<<< "$jit")
		done
		echo "$jit" > "$B/jit.json"
	else
		echo "JIT check: skipped (needs x86_64 and objdump)"
	fi
	echo
fi

# ---- 2. the stage library ---------------------------------------------------------

if [[ $SKIP != *stages* ]]; then
	echo "== 2. the stage library: one chain vs one program (tools/bench -S) =="
	# shellcheck disable=SC2086
	"$OUT/tools/bench" -S -s "$OUT/stages" -o "$B/stages.json" ${BENCH_STAGES_ARGS:-} |
		tee "$B/stages.txt"
	echo
fi

# ---- 3. the real path -------------------------------------------------------------

# Four veth pairs between a sender and a receiver namespace, one per setup,
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
# Addresses 10.77.N.1 (sender) and 10.77.N.2 exist only in the namespaces.
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
REAL_SETUPS=(none mono chain filters)
declare -A REAL_PAIR=([none]=1 [mono]=2 [chain]=3 [filters]=4)
declare -A REAL_LABEL=([none]="no program" [mono]="one program, 8 bodies"
	[chain]="tcchain, 8 stages" [filters]="8 cls_bpf filters")
declare -A REAL_GOT=()	# datagrams received per setup since its programs were loaded
REAL_HZ=10000
REAL_HOOK='^(tc_run|tcx_run|sch_handle_ingress|tcf_classify)$'
RX=tcc-bench-$$-rx
TX=tcc-bench-$$-tx
# The key of a namespace's pin directory: its netns cookie.
ns_cookie()
{
	nsenter --net="/run/netns/$1" python3 -c 'import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print(struct.unpack("Q", s.getsockopt(socket.SOL_SOCKET, 71, 8))[0])'
}
RXINO=
RPID=
SCPU=${REAL_CPUS%,*}
RCPU=${REAL_CPUS#*,}
PERF_STAT=
PERF_RECORD=

real_cleanup() {
	if [ -n "$RPID" ]; then
		kill "$RPID" 2>/dev/null || true
		wait "$RPID" 2>/dev/null || true
		RPID=
	fi
	"$TCCHAIN" -n "$RX" del dev r3 ingress > /dev/null 2>&1 || true
	ip netns del "$TX" 2>/dev/null || true
	ip netns del "$RX" 2>/dev/null || true
	if [[ $RXINO =~ ^[0-9]+$ ]]; then
		rm -rf "/sys/fs/bpf/tcchain/$RXINO"
	fi
}

# Run a setup command; its output goes to real.log, a failure ends the
# benchmark.
rlog() {
	if ! "$@" >> "$B/real/real.log" 2>&1; then
		echo "Error: failed: $*" >&2
		tail -n 5 "$B/real/real.log" >&2
		exit 1
	fi
}

real_setup() {
	local i t mac

	rlog ip netns add "$TX"
	rlog ip netns add "$RX"
	RXINO=$(ns_cookie "$RX")
	rlog ip -n "$TX" link set lo up
	rlog ip -n "$RX" link set lo up
	for i in 1 2 3 4; do
		rlog ip -n "$TX" link add "s$i" type veth peer name "r$i" netns "$RX"
		rlog ip -n "$TX" addr add "10.77.$i.1/24" dev "s$i"
		rlog ip -n "$RX" addr add "10.77.$i.2/24" dev "r$i"
		rlog ip -n "$TX" link set "s$i" up
		rlog ip -n "$RX" link set "r$i" up
		# No ARP in the middle of a run.
		mac=$(ip -n "$RX" -j link show dev "r$i" | jq -r '.[0].address')
		rlog ip -n "$TX" neigh replace "10.77.$i.2" lladdr "$mac" dev "s$i" nud permanent
	done
	rlog tc -n "$RX" qdisc add dev r2 clsact
	rlog tc -n "$RX" qdisc add dev r4 clsact
	real_load
	# Carrier comes up asynchronously; until it has, the veth drops.
	for i in 1 2 3 4; do
		for ((t = 0; ; t++)); do
			nsenter --net="/run/netns/$TX" -- ping -c 1 -W 1 -q "10.77.$i.2" \
				> /dev/null 2>&1 && break
			if [ "$t" -ge 50 ]; then
				echo "Error: no ping over pair $i (10.77.$i.2)" >&2
				exit 1
			fi
			sleep 0.1
		done
	done
}

# (Re)load the programs of the three setups.  Where the JIT puts a program
# changes its cost (doc/dispatch.md, "Depth and layout"), so every round
# runs on a fresh load; the one before is checked first.
real_load() {
	local i sec tb=$OUT/tools/bpf

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
	REAL_GOT=([mono]=0 [chain]=0 [filters]=0)
}

# One run: $1 setup, $2 round (0: warm-up), $3 datagrams, $4 time|profile.
# Appends a JSON line to runs.jsonl.
real_run() {
	local setup=$1 round=$2 count=$3 mode=$4 i=${REAL_PAIR[$1]} t cpu_ms=null prof=null
	local TIMEFORMAT='%3U %3S'
	local send=(nsenter --net="/run/netns/$TX" -- taskset -c "$SCPU" "$TRAFFIC" send -4
		    --dst "10.77.$i.2" --port 5001 --count "$count" --json)

	# nsenter and taskset exec: $! is the receiver itself.
	nsenter --net="/run/netns/$RX" -- taskset -c "$RCPU" "$TRAFFIC" recv -4 --port 5001 \
		--expect "$count" --timeout 60 --json > "$B/real/recv.json" 2>> "$B/real/real.log" &
	RPID=$!
	for ((t = 0; t < 500; t++)); do
		[ -n "$(nsenter --net="/run/netns/$RX" -- ss -Hnul 'sport = :5001')" ] && break
		kill -0 "$RPID" 2>/dev/null || break
		sleep 0.01
	done
	if [ "$mode" = profile ]; then
		rm -f "$B/real/perf.data"
		perf record -q -o "$B/real/perf.data" -e cpu-clock -F "$REAL_HZ" -g -- "${send[@]}" \
			> "$B/real/send.json" 2>> "$B/real/real.log" || true
	elif [ -n "$PERF_STAT" ]; then
		perf stat -x, -e task-clock -o "$B/real/cpu.txt" -- "${send[@]}" \
			> "$B/real/send.json" 2>> "$B/real/real.log" || true
		cpu_ms=$(awk -F, '$3 == "task-clock" { print $1 }' "$B/real/cpu.txt")
	else
		{ time "${send[@]}" > "$B/real/send.json" 2>> "$B/real/real.log"; } \
			2> "$B/real/cpu.txt" || true
		cpu_ms=$(awk '{ print ($1 + $2) * 1000 }' "$B/real/cpu.txt")
	fi
	# The sender is done: the receiver leaves after 200 ms of quiet, at
	# once if it has them all.
	kill -USR1 "$RPID" 2>/dev/null || true
	wait "$RPID" || true
	RPID=
	REAL_GOT[$setup]=$(( ${REAL_GOT[$setup]:-0} + $(jq '.received // 0' "$B/real/recv.json") ))
	if [ "$mode" = profile ]; then
		# Samples (a blank line apart): a period line, then the stack,
		# innermost first, one "addr symbol" per line.
		prof=$(perf script -i "$B/real/perf.data" -F period,ip,sym 2>> "$B/real/real.log" |
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
		--slurpfile s "$B/real/send.json" --slurpfile r "$B/real/recv.json" '
		{mode: $mode, round: $round, setup: $setup, sent: $s[0].sent, send_pps: $s[0].pps,
		 received: $r[0].received, recv_pps: $r[0].pps,
		 cpu_ns: (if $cpu_ms then $cpu_ms * 1e6 / $s[0].sent else null end), profile: $prof}' \
		>> "$B/real/runs.jsonl"
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

# Every program of the current load ran on every packet: each stage body's
# counter (and the chain's end-of-chain count) is at least what the
# receiver got over its pair since the load.  A setup that stopped early
# would look fast.
real_check() {
	local setup got s

	for setup in mono chain filters; do
		case $setup in
		mono|filters)
			got=$(filter_counts "r${REAL_PAIR[$setup]}")
			;;
		chain)
			got=$(for ((s = 0; s < 8; s++)); do
				"$TCCHAIN" -n "$RX" -j map show "$s" bench_count | jq '.entries[0].value'
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
   over_mono_hook_ns: (if ($m.chain.hook_ns.median // 0) > $m.mono.hook_ns.median then {
	chain: ($m.chain.hook_ns.median - $m.mono.hook_ns.median),
	filters: ($m.filters.hook_ns.median - $m.mono.hook_ns.median),
	ratio: (($m.filters.hook_ns.median - $m.mono.hook_ns.median)
		/ ($m.chain.hook_ns.median - $m.mono.hook_ns.median))} else null end),
   runs: ($runs + $profs)}'

real_report() {
	local j=$B/real.json metric="bash time (user + sys)" setup

	[ -n "$PERF_STAT" ] && metric="perf stat task-clock"
	jq -s --argjson setups "$(printf '%s\n' "${REAL_SETUPS[@]}" | jq -R . | jq -s -c .)" \
		--argjson count "$REAL_COUNT" --argjson rounds "$REAL_ROUNDS" \
		--argjson pcount "$REAL_PCOUNT" --argjson prounds "$REAL_PROUNDS" \
		--argjson scpu "$SCPU" --argjson rcpu "$RCPU" --argjson hz "$REAL_HZ" \
		--arg metric "$metric" "$REAL_JQ" "$B/real/runs.jsonl" > "$j"
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
		(.setups[] | select(.setup == "none") |
		 "noise: the no-program setup alone spans \(.recv_kpps.min | p)-\(.recv_kpps.max | p) kpps (\((.recv_kpps.max / .recv_kpps.min - 1) * 100 | round)%) and \(.cpu_ns.min | round)-\(.cpu_ns.max | round) sender CPU ns/pkt (\((.cpu_ns.max / .cpu_ns.min - 1) * 100 | round)%) over rounds")' "$j"
}

real_path() {
	local r setup

	mkdir -p "$B/real"
	: > "$B/real/runs.jsonl"
	: > "$B/real/real.log"
	if command -v perf > /dev/null; then
		perf stat -x, -e task-clock -o /dev/null true 2>/dev/null && PERF_STAT=1
		perf record -q -o "$B/real/perf.data" -e cpu-clock -g -- true \
			> /dev/null 2>&1 && PERF_RECORD=1
	fi
	trap real_cleanup EXIT
	echo "== 3. the real path: UDP over veth, programs on the receiver's ingress" \
		"(namespaces $TX, $RX) =="
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
			for setup in $(printf '%s\n' mono chain filters | shuf); do
				real_run "$setup" "$r" "$REAL_PCOUNT" profile
			done
		done
	fi
	real_check
	real_report
	real_cleanup
	trap - EXIT
	echo
}

if [[ $SKIP != *real* ]]; then
	missing=
	for c in tc nsenter taskset ss bpftool "$TCCHAIN" "$TRAFFIC"; do
		command -v "$c" > /dev/null || missing+=" $c"
	done
	if [ -z "$missing" ]; then
		real_path
	else
		echo "== 3. the real path: SKIP (missing:$missing) =="
		echo "{\"skipped\": \"missing:$missing\"}" > "$B/real.json"
	fi
fi

# ---- 4. control plane ---------------------------------------------------------------

NS=tcc-bench-$$
NSINO=

cleanup() {
	ip netns del "$NS" 2>/dev/null || true
	# Chains the namespace took with it still have pins: remove ours only.
	if [[ $NSINO =~ ^[0-9]+$ ]]; then
		rm -rf "/sys/fs/bpf/tcchain/$NSINO"
	fi
}

# seconds since the epoch in ns around one command; the command's output
# goes to $B/control.log, a failure stops the benchmark.
timed() {
	local t0 t1
	t0=$(now_ns)
	if ! "$@" >> "$B/control.log" 2>&1; then
		echo "Error: failed: $*" >&2
		tail -n 5 "$B/control.log" >&2
		exit 1
	fi
	t1=$(now_ns)
	echo $((t1 - t0))
}

# Sum of bytes_memlock and counts of the programs and maps pinned under
# this namespace's tcchain directory.
pin_memory() {
	local prefix=/sys/fs/bpf/tcchain/$NSINO/
	jq -s -c --arg p "$prefix" '
		def mine: [.[] | select(any(.pinned[]?; startswith($p)))];
		(.[0] | mine) as $progs | (.[1] | mine) as $maps |
		{ progs: ($progs | length), maps: ($maps | length),
		  prog_bytes: ([$progs[].bytes_memlock // 0] | add // 0),
		  map_bytes: ([$maps[].bytes_memlock // 0] | add // 0) }
		| .total_bytes = .prog_bytes + .map_bytes' \
		<(bpftool -j -f prog show) <(bpftool -j -f map show)
}

control_plane() {
	local stage=$OUT/tools/bpf/bench_stage.bpf.o
	local i t add=() set=() repl=() sdel=() del=() one mem0 mem1 n_dev
	local t_add t_show t_showj t_del left

	trap cleanup EXIT
	ip netns add "$NS"
	NSINO=$(ns_cookie "$NS")
	ip -n "$NS" link add va type veth peer name vb

	echo "== 4. control plane (tcchain CLI, namespace $NS) =="
	for ((i = 0; i < REPS; i++)); do
		add+=("$(timed "$TCCHAIN" -n "$NS" add dev va ingress)")
		set+=("$(timed "$TCCHAIN" -n "$NS" stage set 2 "$stage")")
		repl+=("$(timed "$TCCHAIN" -n "$NS" stage set 2 "$stage")")
		if [ "$i" -eq 0 ]; then
			one=$(pin_memory)
		fi
		sdel+=("$(timed "$TCCHAIN" -n "$NS" stage del 2)")
		del+=("$(timed "$TCCHAIN" -n "$NS" del dev va ingress)")
	done
	local j_add j_set j_repl j_sdel j_del
	j_add=$(printf '%s\n' "${add[@]}" | stats_ms)
	j_set=$(printf '%s\n' "${set[@]}" | stats_ms)
	j_repl=$(printf '%s\n' "${repl[@]}" | stats_ms)
	j_sdel=$(printf '%s\n' "${sdel[@]}" | stats_ms)
	j_del=$(printf '%s\n' "${del[@]}" | stats_ms)
	echo
	echo "one veth, $REPS times each (ms; the whole command: exec, load, netlink, pins)"
	printf '%-28s %8s %8s %8s\n' command median min max
	for row in "add dev va ingress:$j_add" "stage set 2 (empty slot):$j_set" \
		   "stage set 2 (replace):$j_repl" "stage del 2:$j_sdel" "del dev va ingress:$j_del"; do
		jq -r --arg c "${row%%:*}" '"\($c)\t\(.median_ms)\t\(.min_ms)\t\(.max_ms)"' <<< "${row#*:}" |
			awk -F'\t' '{ printf "%-28s %8.2f %8.2f %8.2f\n", $1, $2, $3, $4 }'
	done
	jq -r '"pins of one chain with one stage: \(.progs) programs, \(.maps) maps, \(.total_bytes) bytes memlock (programs \(.prog_bytes), maps \(.map_bytes))"' <<< "$one"

	# Emptying a slot re-patches every direct tail-call site that jumps
	# to it, and the x86 JIT waits for an RCU grace period per patched
	# program; with the shipped switch every stage has a site for every
	# slot.  So: stage del of the last of k stages.
	echo
	echo "stage del of the last of k stages (ms)"
	local k sdel_k='{}' t_k
	for k in 1 4 16 32; do
		timed "$TCCHAIN" -n "$NS" add dev va ingress > /dev/null
		for ((i = 0; i < k; i++)); do
			timed "$TCCHAIN" -n "$NS" stage set "$i" "$stage" > /dev/null
		done
		t_k=$(timed "$TCCHAIN" -n "$NS" stage del $((k - 1)))
		timed "$TCCHAIN" -n "$NS" del dev va ingress > /dev/null
		printf 'k = %-3d %8.1f\n' "$k" "$(awk -v t="$t_k" 'BEGIN { print t / 1e6 }')"
		sdel_k=$(jq -c --arg k "$k" --argjson t "$t_k" '. + {($k): ($t / 1e6)}' <<< "$sdel_k")
	done

	# BENCH_CHAINS devices: veth pairs, both ends in the namespace.
	n_dev=$(( (CHAINS + 1) / 2 * 2 ))
	for ((i = 0; i < n_dev; i += 2)); do
		echo "link add d$i type veth peer name d$((i + 1))"
	done > "$B/links.batch"
	ip -n "$NS" -batch "$B/links.batch"

	mem0=$(pin_memory)
	t=$(now_ns)
	for ((i = 0; i < CHAINS; i++)); do
		timed "$TCCHAIN" -n "$NS" add dev "d$i" ingress > /dev/null
	done
	t_add=$(( $(now_ns) - t ))
	mem1=$(pin_memory)
	t_show=$(timed "$TCCHAIN" -n "$NS" show)
	t_showj=$(timed "$TCCHAIN" -n "$NS" -j show)
	local shown
	shown=$("$TCCHAIN" -n "$NS" -j show | jq length)
	t=$(now_ns)
	for ((i = 0; i < CHAINS; i++)); do
		timed "$TCCHAIN" -n "$NS" del dev "d$i" ingress > /dev/null
	done
	t_del=$(( $(now_ns) - t ))
	left=$( (find "/sys/fs/bpf/tcchain/$NSINO" -mindepth 1 -path "*/[0-9]*" 2>/dev/null || true) | wc -l)

	echo
	echo "$CHAINS chains on $CHAINS veth devices"
	awk -v n="$CHAINS" -v a="$t_add" -v s="$t_show" -v j="$t_showj" -v d="$t_del" 'BEGIN {
		printf "%-28s %9.1f ms  (%.2f ms per chain)\n", "add all", a / 1e6, a / 1e6 / n
		printf "%-28s %9.1f ms\n", "show (text)", s / 1e6
		printf "%-28s %9.1f ms\n", "show -j", j / 1e6
		printf "%-28s %9.1f ms  (%.2f ms per chain)\n", "del all", d / 1e6, d / 1e6 / n }'
	echo "show -j listed $shown chains; pins left after del: $left"
	jq -r -n --argjson a "$mem0" --argjson b "$mem1" --argjson n "$CHAINS" '
		"pins of \($n) chains: \($b.progs - $a.progs) programs, \($b.maps - $a.maps) maps, " +
		"\($b.total_bytes - $a.total_bytes) bytes memlock " +
		"(\((($b.total_bytes - $a.total_bytes) / $n) | floor) per chain)"'

	jq -n --argjson reps "$REPS" --argjson add "$j_add" --argjson set "$j_set" \
		--argjson repl "$j_repl" --argjson sdel "$j_sdel" --argjson del "$j_del" \
		--argjson one "$one" --argjson n "$CHAINS" --argjson ta "$t_add" \
		--argjson ts "$t_show" --argjson tj "$t_showj" --argjson td "$t_del" \
		--argjson m0 "$mem0" --argjson m1 "$mem1" --argjson shown "$shown" \
		--argjson left "$left" --argjson sdel_k "$sdel_k" '{
		single: {reps: $reps, add: $add, stage_set: $set, stage_replace: $repl,
			 stage_del: $sdel, del: $del, pins_one_chain_one_stage: $one,
			 stage_del_last_of_k_ms: $sdel_k},
		many: {chains: $n, add_all_ms: ($ta / 1e6), show_ms: ($ts / 1e6),
		       show_json_ms: ($tj / 1e6), del_all_ms: ($td / 1e6),
		       shown: $shown, pins_left_after_del: $left,
		       pins: {progs: ($m1.progs - $m0.progs), maps: ($m1.maps - $m0.maps),
			      prog_bytes: ($m1.prog_bytes - $m0.prog_bytes),
			      map_bytes: ($m1.map_bytes - $m0.map_bytes),
			      total_bytes: ($m1.total_bytes - $m0.total_bytes),
			      bytes_per_chain: (($m1.total_bytes - $m0.total_bytes) / $n)}}}' \
		> "$B/control.json"
	cleanup
	trap - EXIT
	echo
}

if [[ $SKIP != *control* ]]; then
	if [ -x "$TCCHAIN" ]; then
		: > "$B/control.log"
		control_plane
	else
		echo "== 4. control plane: SKIP ($TCCHAIN is not built) =="
		echo '{"skipped": "CLI not built"}' > "$B/control.json"
	fi
fi

# ---- 5. apply: whole-chain changes (tools/bench_apply.sh) -----------------------------

if [[ $SKIP != *apply* ]]; then
	if [ -x "$TCCHAIN" ]; then
		OUT=$OUT tools/bench_apply.sh "$B/apply.json"
	else
		echo "== 5. apply: SKIP ($TCCHAIN is not built) =="
	fi
fi

jq -n --slurpfile d "$B/dispatch.json" --slurpfile j "$B/jit.json" \
	--slurpfile st "$B/stages.json" --slurpfile r "$B/real.json" \
	--slurpfile c "$B/control.json" --slurpfile ap "$B/apply.json" \
	--argjson s "$(( $(date +%s) - start ))" \
	'{dispatch: $d[0], jit: $j[0], stages: $st[0], real_path: $r[0], control_plane: $c[0],
	  apply: $ap[0], seconds: $s}' > "$B/results.json"
echo "results: $B/results.json ($(( $(date +%s) - start )) s)"
