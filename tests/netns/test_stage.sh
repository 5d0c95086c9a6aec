#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Stages with real traffic: stage set / del on ingress and egress, show and
# stats (text and JSON), chain selection without dev, and every bad stage
# command leaving the old stage in its slot, still seeing traffic.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic

P=$TCC_OUTDIR/tests/progs
N=200

setup_ns A B
setup_veth "$A" a0 "$B" b0

tcc() { "$TCCHAIN" "$@"; }
sent_ok() { udp_count "$A" "$VETH_B4" "$B" 5001 "$N"; }

test_drop_stage()
{
	local dir=$1 ns=$2 dev=$3 got

	chain_add "$ns" "$dev" "$dir"
	got=$(sent_ok)
	check_eq "stage: $dir: empty chain passes" "$got" "$N"
	check_ok "stage: $dir: stage set 2 (dropping stage)" \
		tcc -n "$ns" stage set 2 "$P/drop_all.bpf.o" dev "$dev" "$dir"
	got=$(sent_ok)
	check_eq "stage: $dir: stage in slot 2 drops" "$got" 0
	check_ok "stage: $dir: stage del 2" tcc -n "$ns" stage del 2 dev "$dev" "$dir"
	got=$(sent_ok)
	check_eq "stage: $dir: passes again after stage del" "$got" "$N"
	check_ok "stage: $dir: del of the chain" tcc -n "$ns" del dev "$dev" "$dir"
}

test_show_and_stats()
{
	local got before after json text

	chain_add "$B" b0 ingress
	# The user's own words: no dev when the namespace has one chain.
	check_ok "stage: stage set without dev (one chain)" tcc -n "$B" stage set 1 "$P/pass_all.bpf.o"
	check_ok "stage: stage set with params" \
		tcc -n "$B" stage set 3 "$P/trace_slots.bpf.o" param value=7 label=x
	json=$(tcc -n "$B" -j show)
	check_eq "stage: show -j: stages, programs, params" \
		"$(jq -c '[.[0].stages[] | [.slot, .prog, .params]]' <<<"$json")" \
		'[[1,"pass_all",{}],[3,"trace_slots",{"value":"7","label":"x"}]]'
	check_eq "stage: show -j: file is absolute" \
		"$(jq -r '.[0].stages[0].file' <<<"$json")" "$(realpath "$P/pass_all.bpf.o")"
	check_eq "stage: stage show -j matches show" \
		"$(tcc -n "$B" -j stage show | jq -c '[.[0].stages[].slot]')" "[1,3]"
	text=$(tcc -n "$B" show)
	check_eq "stage: show (text): one line per stage" \
		"$(grep -cE '^ +slot +[13]: (pass_all|trace_slots) id [0-9]+ file ' <<<"$text")" 2
	check_ok "stage: show -p: pretty JSON parses" eval "tcc -n $B -p show | jq -e '.[0].stages | length == 2'"

	# Counters compared only once they are quiet (settled): the stats
	# of one document are still read slot after slot.
	before=$(settled 5 tcc -n "$B" -j stats | jq '.[0].slots[] | select(.slot == 3) | .next')
	got=$(sent_ok)
	json=$(settled 5 tcc -n "$B" -j stats)
	after=$(jq '.[0].slots[] | select(.slot == 3) | .next' <<<"$json")
	check_eq "stage: traffic through two stages" "$got" "$N"
	check_range "stage: stats -j: slot 3 counted every datagram" "$((after - before))" "$N" "$((N + 20))"
	check_eq "stage: stats -j: slots 1 and 3 saw the same packets" \
		"$(jq '.[0].slots | (.[0].packets == .[1].packets) and (.[0].packets > 0)' <<<"$json")" true
	check_eq "stage: stats -j: chain packets in = end pass (no stage ends the chain)" \
		"$(jq '.[0] | .packets == .end.pass' <<<"$json")" true
	check_eq "stage: stats -j: bytes counted" "$(jq '.[0].slots[0].bytes > 0' <<<"$json")" true
	text=$(tcc -n "$B" stats)
	check_eq "stage: stats (text): a row per stage" \
		"$(grep -cE '^ +[13] +(pass_all|trace_slots) +[0-9]+' <<<"$text")" 2

	# A second chain: now the stage commands must be told which.
	chain_add "$A" a0 egress
	chain_add "$B" b0 egress
	check_fail "stage: several chains, no dev: the error lists them" \
		"2 chains exist \(b0 ingress, b0 egress\)" \
		tcc -n "$B" stage set 4 "$P/pass_all.bpf.o"
	check_ok "stage: direction alone picks one chain" tcc -n "$B" stage set 4 "$P/pass_all.bpf.o" egress
	check_ok "stage: stats for one chain" eval "tcc -n $B -j stats dev b0 egress | jq -e 'length == 1'"
	check_ok "stage: del egress (A)" tcc -n "$A" del dev a0 egress
	check_ok "stage: del egress (B)" tcc -n "$B" del dev b0 egress
	check_ok "stage: del ingress (B)" tcc -n "$B" del dev b0 ingress
}

# Bad stage commands: one error line, non-zero exit, and the old stage still
# in slot 2 (same program id) and still dropping traffic.
test_bad_stage_input()
{
	local id got

	chain_add "$B" b0 ingress
	capture tcc -n "$B" stage set 2 "$P/drop_all.bpf.o"
	id=$(tcc -n "$B" -j show | jq '.[0].stages[0].id')

	bad()
	{
		local desc=$1 pat=$2; shift 2

		check_fail "stage: bad stage: $desc" "$pat" "$@"
		check_eq "stage: bad stage: $desc: slot 2 unchanged" \
			"$(tcc -n "$B" -j show | jq -c '[.[0].stages[] | [.slot, .id]]')" "[[2,$id]]"
	}
	bad "file missing" "cannot set stage 2 \(/nonexistent.bpf.o\) on b0 ingress: No such file" \
		tcc -n "$B" stage set 2 /nonexistent.bpf.o
	bad "not an ELF" "not an ELF object file" tcc -n "$B" stage set 2 /etc/hostname
	bad "no tc program (XDP object)" "no tc program in the object \(it has xdp program 'xdp_prog'\)" \
		tcc -n "$B" stage set 2 "$P/no_tc_prog.bpf.o"
	bad "two tc programs and no prog" "2 tc programs \(two_tc_progs_a, two_tc_progs_b\); choose one with 'prog NAME'" \
		tcc -n "$B" stage set 2 "$P/two_tc_progs.bpf.o"
	bad "an XDP program" "program 'xdp_prog' is of type xdp, not a tc program" \
		tcc -n "$B" stage set 2 "$P/no_tc_prog.bpf.o" prog xdp_prog
	bad "a kprobe program" "program 'kprobe_prog' is of type kprobe, not a tc program" \
		tcc -n "$B" stage set 2 "$P/no_tc_prog.bpf.o" prog kprobe_prog
	bad "another SDK ABI version" "built against SDK ABI v3, this tcchain speaks v2" \
		tcc -n "$B" stage set 2 "$P/abi_v3.bpf.o"
	bad "verifier rejects" "cannot set stage 2 .*: verifier: .*outside of the packet" \
		tcc -n "$B" stage set 2 "$P/verifier_reject.bpf.o"
	bad "slot out of range" "invalid slot '32' \(0..31\)" \
		tcc -n "$B" stage set 32 "$P/pass_all.bpf.o"
	bad "slot not a number" "invalid slot 'two'" tcc -n "$B" stage set two "$P/pass_all.bpf.o"
	bad "unknown param" "unknown param 'rate'" \
		tcc -n "$B" stage set 2 "$P/trace_slots.bpf.o" param rate=5
	bad "param of the wrong type" "param value=fast: not an integer" \
		tcc -n "$B" stage set 2 "$P/trace_slots.bpf.o" param value=fast
	bad "param too large for its size" "param small=256: out of range for a 1-byte" \
		tcc -n "$B" stage set 2 "$P/trace_slots.bpf.o" param small=256
	bad "param string too long" "param label=abcdefghij: string longer than 7 bytes" \
		tcc -n "$B" stage set 2 "$P/trace_slots.bpf.o" param label=abcdefghij
	bad "param without NAME=VALUE" "'param' needs NAME=VALUE" \
		tcc -n "$B" stage set 2 "$P/trace_slots.bpf.o" param value
	bad "no such stage name" "no stage .no_such_stage. in the stage library \(looked in " \
		tcc -n "$B" stage set 2 no_such_stage
	bad "no chain on the device" "cannot set stage: no chain on a0" \
		tcc -n "$A" stage set 2 "$P/pass_all.bpf.o" dev a0
	bad "no chain in the namespace" "no chain \(create one with" \
		tcc -n "$A" stage set 2 "$P/pass_all.bpf.o"
	bad "stage del of an empty slot" "cannot delete stage 5 on b0 ingress: slot 5 is empty" \
		tcc -n "$B" stage del 5
	bad "unknown stage command" "unknown command 'put'" tcc -n "$B" stage put 2 x

	check_ok "stage: -d prints the whole verifier log" \
		eval "tcc -n $B -d stage set 2 $P/verifier_reject.bpf.o 2>&1 | grep -q '^processed [0-9]* insns'"
	got=$(sent_ok)
	check_eq "stage: the old stage still drops traffic" "$got" 0
	check_ok "stage: del after the refused -d stage" tcc -n "$B" del dev b0 ingress
}

test_drop_stage ingress "$B" b0
test_drop_stage egress "$A" a0
test_show_and_stats
test_bad_stage_input

test_long_path()
{
	local dir=$TCC_TMP long file

	long=$(printf 'd%.0s' {1..120})
	dir=$dir/$long/$long/$long
	mkdir -p "$dir"
	file=$dir/pass.bpf.o
	cp "$P/pass_all.bpf.o" "$file"
	tcc -n "$B" show dev b0 ingress | grep -q b0 || chain_add "$B" b0 ingress
	check_ok "stage: a stage from a path over 255 characters" \
		tcc -n "$B" stage set 7 "$file"
	check_eq "stage: show prints the whole path" \
		"$(tcc -n "$B" -j stage show | jq -r '.[0].stages[] | select(.slot == 7) | .file')" "$file"
	capture tcc -n "$B" stage del 7
	check_fail "stage: params too long to keep are refused" "more than 511 characters" \
		tcc -n "$B" stage set 7 "$P/trace_slots.bpf.o" param label="$(printf 'x%.0s' {1..600})"
}
test_long_path
