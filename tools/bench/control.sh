#!/usr/bin/env bash
# Bench part "control" (tools/bench/run.sh): the control plane.  The CLI
# timed on a veth in a namespace (add, stage set, stage replace, stage
# del, del; stage del again with k = 1..32 stages in the chain), then
# BENCH_CHAINS chains on as many veth devices added, shown and deleted,
# with the kernel memory their pins hold (bytes_memlock of the pinned
# programs and maps).
#
# Writes $BENCH_DIR/control.json: {"control_plane": ...}; the CLI's output
# in $BENCH_DIR/control/control.log.
# Knobs: BENCH_CHAINS (default 200), BENCH_REPS (default 10).
# shellcheck source=tests/netns/lib.sh
source "$(dirname "$0")/../../tests/netns/lib.sh"

C=$BENCH_DIR/control
CHAINS=${BENCH_CHAINS:-200}
REPS=${BENCH_REPS:-10}
NSINO=

now_ns() { date +%s%N; }
# median, min and max in ms of the ns values on stdin, as a JSON object
stats_ms() {
	sort -n | awk '{ v[NR] = $1 / 1e6 }
		END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		      printf "{\"median_ms\": %.2f, \"min_ms\": %.2f, \"max_ms\": %.2f, \"n\": %d}\n",
			     m, v[1], v[NR], NR }'
}

# ns around one command; the command's output goes to control.log, a
# failure stops the benchmark.
timed() {
	local t0 t1
	t0=$(now_ns)
	if ! "$@" >> "$C/control.log" 2>&1; then
		echo "Error: failed: $*" >&2
		tail -n 5 "$C/control.log" >&2
		: > "$C/failed"	# for the caller: $(timed ...) is a subshell
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
	local stage=$OUT/tools/bench/bpf/bench_stage.bpf.o
	local i t add=() set=() repl=() sdel=() del=() one mem0 mem1 n_dev
	local t_add t_show t_showj t_del left

	# The namespace from tests/netns/lib.sh, which removes it and any
	# pins left in it on every exit.
	setup_ns NS
	NSINO=$(netns_cookie "$NS")
	ip -n "$NS" link add va type veth peer name vb || exit 1

	echo "== control: the tcchain CLI timed (namespace $NS) =="
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

	# Emptying a prog-array index re-patches every direct tail-call site
	# that jumps to it, and the x86 JIT waits for an RCU grace period per
	# patched program; one site is aimed at any index (dispatch v2), where
	# the next[] dispatch had one in every stage before it.  So: stage del
	# of the last of k stages, whose one reachable index is emptied.
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
	done > "$C/links.batch"
	ip -n "$NS" -batch "$C/links.batch" || exit 1

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

	[ -e "$C/failed" ] && exit 1
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
		> "$C/summary.json"
	jq '{control_plane: .}' "$C/summary.json" > "$BENCH_DIR/control.json"
}

require_tcchain
mkdir -p "$C"
: > "$C/control.log"
control_plane
