# shellcheck shell=bash
# The sections and the report of the peers bench part, sourced by
# tools/bench/peers.sh (which holds the setup, the runs and the checks).

# ---- TCX multi-attach ------------------------------------------------------

section_tcx() {
	local n

	PAIR=([none]=1 [tcx]=2 [tcchain]=3)
	for n in 1 2 4 8 16 32; do
		GOT=()
		peers_start tcx r2 "$n" "$TB/bench_filter.bpf.o"
		chain_n "$n"
		# Verdicts first: every datagram passes, every program ran.
		check_all_pass tcx 2 1000
		check_all_pass tcchain 3 1000
		check_counts "tcx N=$n" "$(peers_counts)" 1000 "$n"
		check_counts "tcchain N=$n" "$(chain_counts "$n")" 1000 $((n + 1))
		measure tcx "$n" tcx tcchain
		check_counts "tcx N=$n" "$(peers_counts)" "${GOT[tcx]}" "$n"
		check_counts "tcchain N=$n" "$(chain_counts "$n")" "${GOT[tcchain]}" $((n + 1))
		jq -c -n --argjson n "$n" '{section: "tcx", n: $n,
			check: "1000 datagrams passed on each, every program counted them"}' \
			>> "$R/checks.jsonl"
		peers_stop
		chain_del
	done
}

# ---- nftables netdev ingress vs parse -> acl -> ratelimit ------------------

# The rate of both rate limits: far above what the sender reaches, so that
# the timed runs lose nothing; the limit is still evaluated per packet.
NFT_RATE=10000000
NFT_BURST=100000

nft_load() {
	local n=$1 f=$R/nft.conf

	{
		echo "table netdev peers {"
		echo "	set acl { type ipv4_addr; flags interval; elements = {"
		"$PEERS" acl-list "$n" 10.0.2.3 | sed 's/$/,/'
		echo "	} }"
		echo "	chain ingress {"
		echo "		type filter hook ingress device \"r2\" priority 0; policy accept;"
		echo "		ip saddr @acl drop"
		echo "		limit rate over $NFT_RATE/second burst $NFT_BURST packets drop"
		echo "	}"
		echo "}"
	} > "$f"
	rlog nsenter --net="/run/netns/$RX" -- nft -f "$f"
}

nft_chain() {
	local n=$1 acl=acl id

	[ "$n" -gt 4096 ] && acl=$PB/acl_big.bpf.o
	rlog "$TCCHAIN" -n "$RX" add dev r3 ingress
	rlog "$TCCHAIN" -n "$RX" stage set 0 parse
	rlog "$TCCHAIN" -n "$RX" stage set 1 "$acl"
	rlog "$TCCHAIN" -n "$RX" stage set 2 ratelimit param \
		rate="${NFT_RATE}pps" burst="$NFT_BURST"
	id=$(tcc -j stage show | jq '.[0].stages[] | select(.slot == 1) | .id')
	rlog "$PEERS" acl-fill "$id" "$n" 10.0.3.3
}

# Same packets dropped: the drop prefix's datagrams (10.0.P.3 -> .4)
# none arrive, the others all do, through both.
nft_check() {
	local s p

	# The second addresses work: with nothing on the way, all arrive.
	prun check 0 none 1 0 1000 check 10.0.1.4
	if [ "$RECEIVED" -ne 1000 ]; then
		echo "Error: none: $RECEIVED of 1000 datagrams 10.0.1.3 -> 10.0.1.4 arrived" >&2
		exit 1
	fi
	for s in nft tcchain; do
		p=${PAIR[$s]}
		prun check 0 "$s" "$p" 0 1000 check "10.0.$p.4"
		if [ "$RECEIVED" -ne 0 ]; then
			echo "Error: $s: $RECEIVED of 1000 datagrams from the acl's drop prefix arrived" >&2
			exit 1
		fi
		check_all_pass "$s" "$p" 1000
	done
	jq -c -n --argjson n "$1" '{section: "nft", n: $n,
		check: "1000 datagrams from the drop prefix dropped, 1000 others passed, on each"}' \
		>> "$R/checks.jsonl"
}

section_nft() {
	local n

	PAIR=([none]=1 [nft]=2 [tcchain]=3)
	for n in 10 1000 100000; do
		GOT=()
		nft_load "$n"
		nft_chain "$n"
		nft_check "$n"
		measure nft "$n" nft tcchain
		rlog nsenter --net="/run/netns/$RX" -- nft delete table netdev peers
		chain_del
	done
}

# ---- freplace dispatcher ---------------------------------------------------

section_freplace() {
	local n id ns

	PAIR=([none]=1 [freplace]=2 [tcchain]=3)
	if ! "$PEERS" run-freplace 1 "$PB/peers_disp.bpf.o" "$PB/peers_ext.bpf.o" 1000 1 \
			> /dev/null 2> "$R/freplace.err"; then
		jq -n --arg why "$(head -n 1 "$R/freplace.err")" '{failed: $why}' \
			> "$R/freplace_failed.json"
		echo "freplace: could not load the dispatcher's extensions: $(head -n 1 "$R/freplace.err")"
		return 0
	fi
	for n in 1 2 4 8 10; do
		GOT=()
		# BPF_PROG_TEST_RUN: the dispatcher, and tcchain's entry
		ns=$("$PEERS" run-freplace "$n" "$PB/peers_disp.bpf.o" "$PB/peers_ext.bpf.o" \
			1000000 5) || exit 1
		jq -c --argjson n "$n" '{n: $n, setup: "freplace"} + .' <<< "$ns" >> "$R/testrun.jsonl"
		chain_n "$n"
		id=$(tc -n "$RX" -j filter show dev r3 ingress |
			jq '[.[] | .options.prog.id // empty][0]')
		ns=$("$PEERS" run-id "$id" 1000000 5) || exit 1
		jq -c --argjson n "$n" '{n: $n, setup: "tcchain"} + .' <<< "$ns" >> "$R/testrun.jsonl"
		# the real path
		peers_start freplace r2 "$n" "$PB/peers_disp.bpf.o" "$PB/peers_ext.bpf.o"
		check_all_pass freplace 2 1000
		check_all_pass tcchain 3 1000
		check_counts "freplace N=$n" "$(peers_counts)" 1000 "$n"
		check_counts "tcchain N=$n" "$(chain_counts "$n")" 1000 $((n + 1))
		measure freplace "$n" freplace tcchain
		check_counts "freplace N=$n" "$(peers_counts)" "${GOT[freplace]}" "$n"
		jq -c -n --argjson n "$n" '{section: "freplace", n: $n,
			check: "1000 datagrams passed on each, every program counted them"}' \
			>> "$R/checks.jsonl"
		peers_stop
		chain_del
	done
}

# ---- report ----------------------------------------------------------------

# Per section and point: per setup the medians over rounds of the sender's
# CPU ns per packet, of that minus the no-program run of the same round,
# and of the tc hook's time (the profile's share x the no-program median
# CPU ns, as the real part computes it); the peer / tcchain ratios.
# shellcheck disable=SC2016 # jq's own $variables
PEERS_JQ='
def median: sort | if length == 0 then null
	elif length % 2 == 1 then .[(length - 1) / 2]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def r2: if . == null then null else (. * 100 | round / 100) end;
def r1: if . == null then null else (. * 10 | round / 10) end;
$runs | map(select(.round > 0)) | group_by([.section, .n]) | map(
	. as $pt
	| ($pt | map(select(.mode == "time")) ) as $t
	| ($t | map({key: "\(.setup)/\(.round)", value: .}) | from_entries) as $by
	| ($t | map(select(.setup == "none") | .cpu_ns) | median) as $base
	| ($pt | map(.setup) | unique) as $setups
	| {section: $pt[0].section, n: $pt[0].n, none_cpu_ns: ($base | r1),
	   setups: ($setups | map(. as $s | {key: $s, value: {
		rounds: ($t | map(select(.setup == $s)) | length),
		lost: ($t | map(select(.setup == $s) | .sent - .received) | add),
		cpu_ns: ($t | map(select(.setup == $s) | .cpu_ns) | median | r1),
		added_cpu_ns: ($t | map(select(.setup == $s)
			| .cpu_ns - $by["none/\(.round)"].cpu_ns) | median | r1),
		hook_share_pct: ($pt | map(select(.mode == "profile" and .setup == $s)
			| .profile.share * 100) | median | r2),
		hook_ns: ($pt | map(select(.mode == "profile" and .setup == $s)
			| $base * .profile.share / (1 - .profile.share)) | median | r1)}})
		| from_entries)})
| map(. as $p | ($p.setups | keys - ["none", "tcchain"] | .[0]) as $peer
	| $p + {peer: $peer,
		ratio_hook: (if ($p.setups.tcchain.hook_ns // 0) > 0 and $p.setups[$peer].hook_ns
			then ($p.setups[$peer].hook_ns / $p.setups.tcchain.hook_ns | r2) else null end),
		ratio_added_cpu: (if ($p.setups.tcchain.added_cpu_ns // 0) > 0
			then ($p.setups[$peer].added_cpu_ns / $p.setups.tcchain.added_cpu_ns | r2)
			else null end)})
| group_by(.section) | map({key: .[0].section, value: .}) | from_entries
| . + {testrun: ($tr | group_by(.n) | map({n: .[0].n} + (map({key: .setup,
	value: (.ns | median)}) | from_entries)) | map(. + {ratio: (if .tcchain then
	(.freplace / .tcchain | r2) else null end)}))}
| . + {checks: $checks, count: $count, profile_count: $pcount, rounds: $rounds,
       profile_rounds: $prounds, sender_cpu: $scpu, receiver_cpu: $rcpu,
       cpu_metric: $metric, profile_hz: $hz,
       freplace_failed: $ff[0].failed}'

peers_report() {
	local j=$R/summary.json metric="bash time (user + sys)" sec

	[ -n "$PERF_STAT" ] && metric="perf stat task-clock"
	[ -f "$R/freplace_failed.json" ] || echo '{"failed": null}' > "$R/freplace_failed.json"
	jq -n --slurpfile runs "$R/runs.jsonl" --slurpfile tr "$R/testrun.jsonl" \
		--slurpfile checks "$R/checks.jsonl" --slurpfile ff "$R/freplace_failed.json" \
		--argjson count "$COUNT" --argjson rounds "$ROUNDS" --argjson pcount "$PCOUNT" \
		--argjson prounds "$PROUNDS" --argjson scpu "$SCPU" --argjson rcpu "$RCPU" \
		--argjson hz "$HZ_" --arg metric "$metric" \
		"$PEERS_JQ" > "$j" || exit 1
	echo
	echo "real path: UDP over veth, $ROUNDS timed rounds x $COUNT datagrams and" \
		"$PROUNDS profiled x $PCOUNT per point, setups interleaved;"
	echo "sender CPU ns/pkt ($metric), \"added\": minus the no-program run of the" \
		"round; hook ns/pkt: tc/netfilter ingress hook share of the"
	echo "sender's perf samples x the no-program CPU ns; ratio: the peer / tcchain" \
		"(> 1: tcchain is cheaper); medians"
	for sec in tcx nft freplace; do
		jq -e --arg s "$sec" 'has($s)' "$j" > /dev/null || continue
		echo
		printf '%-9s %7s | %9s %9s %9s | %9s %9s %9s | %7s %7s\n' "$sec" N \
			"peer cpu" "+added" "hook" "tcc cpu" "+added" "hook" "x hook" "x added"
		jq -r --arg s "$sec" '.[$s][] | . as $p | [$p.peer, $p.n,
			$p.setups[$p.peer].cpu_ns, $p.setups[$p.peer].added_cpu_ns,
			$p.setups[$p.peer].hook_ns, $p.setups.tcchain.cpu_ns,
			$p.setups.tcchain.added_cpu_ns, $p.setups.tcchain.hook_ns,
			$p.ratio_hook, $p.ratio_added_cpu] | map(. // "-") | @tsv' "$j" |
			awk -F'\t' '{ printf "%-9s %7s | %9s %9s %9s | %9s %9s %9s | %7s %7s\n",
				$1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
	done
	if jq -e '.testrun | length > 0' "$j" > /dev/null; then
		echo
		echo "BPF_PROG_TEST_RUN, ns per packet (median of 5 x 1000000):"
		printf '%7s %10s %10s %7s\n' N freplace tcchain ratio
		jq -r '.testrun[] | [.n, .freplace, .tcchain, .ratio] | map(. // "-") | @tsv' "$j" |
			awk -F'\t' '{ printf "%7s %10s %10s %7s\n", $1, $2, $3, $4 }'
	fi
	jq -r '.freplace_failed // empty | "freplace: not measured: \(.)"' "$j"
	jq '{peers: .}' "$j" > "$BENCH_DIR/peers.json"
}
