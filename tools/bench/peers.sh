#!/usr/bin/env bash
# Bench part "peers" (tools/bench/run.sh; make bench PART=peers): tcchain
# against what users would pick instead, on the real path of the "real"
# part (UDP over veth, tests/tools/traffic, the sender's CPU time per
# packet and the perf profile's share inside the tc hook), each checked
# for its verdicts before it is timed:
#
#   tcx       N programs on one hook with BPF_LINK_CREATE/BPF_TCX_INGRESS
#             (tools/bench/peers/peers tcx), N = 1 2 4 8 16 32, against
#             tcchain with N stages; both run the bench's minimal stage
#             body (bench_filter.bpf.o, bench_stage.bpf.o)
#   nft       nftables netdev ingress (one set of acl prefixes with drop,
#             a limit rate) against tcchain's parse -> acl -> ratelimit
#             with the same prefixes and rate, at 10, 1000, 100000 prefixes
#   freplace  a libxdp/bpfman-style dispatcher with N stubs replaced by
#             BPF_PROG_TYPE_EXT programs, N = 1 2 4 8 10, against tcchain
#             with N stages, in BPF_PROG_TEST_RUN and on the real path
#
# Writes $BENCH_DIR/peers.json: {"peers": ...}; runs and logs in
# $BENCH_DIR/peers/.
# Knobs: BENCH_PEERS_COUNT (datagrams per timed run, default 20000),
#        BENCH_PEERS_ROUNDS (timed rounds per point, 3),
#        BENCH_PEERS_PCOUNT, BENCH_PEERS_PROUNDS (profiled runs: 30000, 3),
#        BENCH_PEERS_SECTIONS (default "tcx nft freplace"),
#        BENCH_REAL_CPUS (sender,receiver; default 0,1).
source "$(dirname "$0")/../../tests/netns/lib.sh"

R=$BENCH_DIR/peers
COUNT=${BENCH_PEERS_COUNT:-20000}
ROUNDS=${BENCH_PEERS_ROUNDS:-3}
PCOUNT=${BENCH_PEERS_PCOUNT:-30000}
PROUNDS=${BENCH_PEERS_PROUNDS:-3}
SECTIONS=${BENCH_PEERS_SECTIONS:-tcx nft freplace}
CPUS=${BENCH_REAL_CPUS:-0,1}
SCPU=${CPUS%,*}
RCPU=${CPUS#*,}
TB=$OUT/tools/bench/bpf
PEERS=$OUT/tools/bench/peers/peers
PB=$OUT/tools/bench/peers
HZ_=10000
# The hook: tc's (the real part's list), the netdev ingress hook of
# netfilter (nf_hook_slow called from the receive path itself) and BPF
# programs called from the receive path itself: tcx_run and
# sch_handle_ingress are inlined into __netif_receive_skb_core when only
# TCX links are on the device, so the TCX programs' own time is counted
# but not that of the few lines of tcx_run's loop around them.
HOOK='^(tc_run|tcx_run|sch_handle_ingress|tcf_classify|nft_do_chain_netdev)$'
# Pairs: 1 nothing on the receiver, 2 the peer, 3 tcchain.
declare -A DST=() GOT=()
PERF_STAT=
PERF_RECORD=
LOADER=		# pid of a running peers tcx/freplace loader

rlog() {
	if ! "$@" >> "$R/peers.log" 2>&1; then
		echo "Error: failed: $*" >&2
		tail -n 5 "$R/peers.log" >&2
		exit 1
	fi
}

tcc() { "$TCCHAIN" -n "$RX" "$@"; }

peers_setup() {
	local i mac

	setup_ns TX RX
	for i in 1 2 3; do
		setup_veth "$TX" "s$i" "$RX" "r$i"
		DST[$i]=$VETH_B4
		mac=$(ip -n "$RX" -j link show dev "r$i" | jq -r '.[0].address')
		rlog ip -n "$TX" neigh replace "$VETH_B4" lladdr "$mac" dev "s$i" nud permanent
		# A second receiver address reached from a second sender
		# address: the acl's drop prefix (nft section).
		rlog ip -n "$RX" addr add "10.0.$i.4/32" dev "r$i"
		rlog ip -n "$TX" addr add "10.0.$i.3/32" dev "s$i"
		rlog ip -n "$TX" route add "10.0.$i.4/32" dev "s$i" src "10.0.$i.3"
		rlog ip -n "$TX" neigh replace "10.0.$i.4" lladdr "$mac" dev "s$i" nud permanent
	done
	defer -q "$TCCHAIN" -n "$RX" del dev r3 ingress
	defer -q peers_stop
	defer -q nsenter --net="/run/netns/$RX" -- nft delete table netdev peers
}

# One run: $1 section, $2 n, $3 setup, $4 pair, $5 round, $6 datagrams,
# $7 time|profile|check, $8 destination (default the pair's).  A JSON line
# to runs.jsonl; check runs also leave their receiver count in $RECEIVED.
prun() {
	local sec=$1 n=$2 setup=$3 pair=$4 round=$5 count=$6 mode=$7
	local dst=${8:-${DST[$pair]}}
	local t rpid cpu_ms=null prof=null TIMEFORMAT='%3U %3S'
	local send=(nsenter --net="/run/netns/$TX" -- taskset -c "$SCPU" "$TRAFFIC" send -4
		    --dst "$dst" --port 5001 --count "$count" --json)

	nsenter --net="/run/netns/$RX" -- taskset -c "$RCPU" "$TRAFFIC" recv -4 --port 5001 \
		--expect "$count" --timeout 30 --idle 100 --json > "$R/recv.json" 2>> "$R/peers.log" &
	rpid=$!
	echo "$rpid" >>"$TCC_TMP/pids"
	for ((t = 0; t < 500; t++)); do
		[ -n "$(nsenter --net="/run/netns/$RX" -- ss -Hnul 'sport = :5001')" ] && break
		kill -0 "$rpid" 2>/dev/null || break
		sleep 0.01
	done
	if [ "$mode" = profile ]; then
		rm -f "$R/perf.data"
		perf record -q -o "$R/perf.data" -e cpu-clock -F "$HZ_" -g -- "${send[@]}" \
			> "$R/send.json" 2>> "$R/peers.log" || true
	elif [ "$mode" = time ] && [ -n "$PERF_STAT" ]; then
		perf stat -x, -e task-clock -o "$R/cpu.txt" -- "${send[@]}" \
			> "$R/send.json" 2>> "$R/peers.log" || true
		cpu_ms=$(awk -F, '$3 == "task-clock" { print $1 }' "$R/cpu.txt")
	else
		{ time "${send[@]}" > "$R/send.json" 2>> "$R/peers.log"; } 2> "$R/cpu.txt" || true
		cpu_ms=$(awk '{ print ($1 + $2) * 1000 }' "$R/cpu.txt")
	fi
	kill -USR1 "$rpid" 2>/dev/null || true
	wait "$rpid" || true
	RECEIVED=$(jq '.received // 0' "$R/recv.json")
	GOT[$setup]=$(( ${GOT[$setup]:-0} + RECEIVED ))
	if [ "$mode" = profile ]; then
		prof=$(perf script -i "$R/perf.data" -F period,ip,sym 2>> "$R/peers.log" |
			awk -v RS= -v hook="$HOOK" '{
				nl = split($0, l, "\n"); p = l[1] + 0; all += p; n++
				for (i = 2; i <= nl; i++) {
					split(l[i], f, " ")
					if (f[2] ~ hook || (f[2] ~ /^(nf_hook_slow|bpf_prog_)/ &&
					    i < nl && l[i + 1] ~ / __netif_receive_skb/)) {
						in_hook += p; h++; break
					}
				}
			} END { printf "{\"samples\": %d, \"hook_samples\": %d, \"share\": %.6f}",
					n, h, n ? in_hook / all : 0 }')
	fi
	[ "$mode" = check ] && return 0
	jq -c -n --arg sec "$sec" --argjson n "$n" --arg setup "$setup" --argjson round "$round" \
		--arg mode "$mode" --argjson cpu_ms "${cpu_ms:-null}" --argjson prof "$prof" \
		--slurpfile s "$R/send.json" --slurpfile r "$R/recv.json" '
		{section: $sec, n: $n, mode: $mode, round: $round, setup: $setup,
		 sent: $s[0].sent, received: $r[0].received, recv_pps: $r[0].pps,
		 cpu_ns: (if $cpu_ms then $cpu_ms * 1e6 / $s[0].sent else null end),
		 profile: $prof}' >> "$R/runs.jsonl"
}

# Timed rounds then profiled rounds of the setups $3.. at point ($1, $2);
# the setups' pairs in PAIR.
declare -A PAIR=()
measure() {
	local sec=$1 n=$2 r s
	shift 2

	for ((r = 1; r <= ROUNDS; r++)); do
		for s in $(printf '%s\n' none "$@" | shuf); do
			prun "$sec" "$n" "$s" "${PAIR[$s]}" "$r" "$COUNT" time
		done
	done
	[ -n "$PERF_RECORD" ] || return 0
	# (no profile of the no-program setup: nothing of it is in the hook)
	for ((r = 1; r <= PROUNDS; r++)); do
		for s in $(printf '%s\n' "$@" | shuf); do
			prun "$sec" "$n" "$s" "${PAIR[$s]}" "$r" "$PCOUNT" profile
		done
	done
}

# A check run of $3 datagrams over pair $2 for setup $1: all must arrive.
check_all_pass() {
	prun check 0 "$1" "$2" 0 "$3" check
	if [ "$RECEIVED" -ne "$3" ]; then
		echo "Error: $1: $RECEIVED of $3 datagrams arrived, expected all" >&2
		exit 1
	fi
}

# Every counter in the words of $2 is at least $3 (setup $1): each program
# ran on every packet the receiver got.
check_counts() {
	local c

	if [ "$(wc -w <<< "$2")" -lt "$4" ]; then
		echo "Error: $1: expected $4 counters, found: $2" >&2
		exit 1
	fi
	for c in $2; do
		if [ "$c" -lt "$3" ]; then
			echo "Error: $1: a program saw $c packets, the receiver got $3" >&2
			exit 1
		fi
	done
}

# ---- loaders ---------------------------------------------------------------

# Start `peers MODE ARGS...` in the receiver namespace; wait for "ready".
peers_start() {
	local t

	: > "$R/loader.out"
	nsenter --net="/run/netns/$RX" -- "$PEERS" "$@" > "$R/loader.out" 2>> "$R/peers.log" &
	LOADER=$!
	echo "$LOADER" >>"$TCC_TMP/pids"
	for ((t = 0; t < 1000; t++)); do
		grep -qx ready "$R/loader.out" && return 0
		kill -0 "$LOADER" 2>/dev/null || break
		sleep 0.01
	done
	echo "Error: peers $*: did not attach" >&2
	tail -n 3 "$R/peers.log" >&2
	exit 1
}

# The loader's counters (one line of words).
peers_counts() {
	local before t

	before=$(grep -c counts "$R/loader.out")
	kill -USR1 "$LOADER"
	for ((t = 0; t < 500; t++)); do
		[ "$(grep -c counts "$R/loader.out")" -gt "$before" ] && break
		sleep 0.01
	done
	grep counts "$R/loader.out" | tail -n 1 | jq -r '.counts | map(tostring) | join(" ")'
}

peers_stop() {
	[ -n "$LOADER" ] || return 0
	kill -TERM "$LOADER" 2>/dev/null
	wait "$LOADER" 2>/dev/null
	LOADER=
}

# tcchain on r3 with $1 copies of bench_stage.bpf.o in slots 0..$1-1.
chain_n() {
	local i

	rlog "$TCCHAIN" -n "$RX" add dev r3 ingress
	for ((i = 0; i < $1; i++)); do
		rlog "$TCCHAIN" -n "$RX" stage set "$i" "$TB/bench_stage.bpf.o"
	done
}

chain_counts() {
	local s

	for ((s = 0; s < $1; s++)); do
		tcc -j map show "$s" bench_count | jq '.[0].entries[0].value'
	done
	tcc -j stats dev r3 ingress | jq '.[0].end.pass'
}

chain_del() { rlog "$TCCHAIN" -n "$RX" del dev r3 ingress; }

# shellcheck source=tools/bench/peers/sections.sh
source "$(dirname "$0")/peers/sections.sh"

main() {
	local s

	mkdir -p "$R"
	: > "$R/runs.jsonl"
	: > "$R/peers.log"
	: > "$R/testrun.jsonl"
	: > "$R/checks.jsonl"
	if command -v perf > /dev/null; then
		perf stat -x, -e task-clock -o /dev/null true 2>/dev/null && PERF_STAT=1
		perf record -q -o "$R/perf.data" -e cpu-clock -g -- true \
			> /dev/null 2>&1 && PERF_RECORD=1
	fi
	echo "== peers: tcchain vs TCX multi-attach, nftables, a freplace dispatcher =="
	peers_setup
	for s in $SECTIONS; do
		"section_$s"
	done
	peers_report
}

require_tcchain
require_traffic
require_cmd tc taskset bpftool shuf jq nft
[ -x "$PEERS" ] || { echo "Error: $PEERS missing (make)" >&2; exit 1; }
main
