#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# tcchain stage info SLOT: one stage, everything known about it, checked
# against the other commands and against the kernel (bpftool): the keys of
# stage show, the program's tag, sizes and pin, its own maps with their
# ids and pins, its stats row after traffic, its cost once sampling is on,
# a foreign stage's uncounted verdicts, and a C source stage's object.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic

P=$TCC_OUTDIR/tests/progs
N=100

setup_ns A B
setup_veth "$A" a0 "$B" b0

tcc() { "$TCCHAIN" -n "$B" "$@"; }
send() { udp_count "$A" "$VETH_B4" "$B" 5001 "$N" >/dev/null; }
info() { tcc -j stage info "$1" | jq -c "$2"; }
infor() { tcc -j stage info "$1" | jq -r "$2"; }

chain_add "$B" b0 ingress
check_ok "stage info: chain with parse and count" tcc stage set 0 parse
capture tcc stage set 1 count

# Text: the stage show line, then the kernel's view, the maps, the counters.
check_ok "stage info: text" tcc stage info 1
text=$(cat "$TCC_STDOUT")
rc=0
for want in '^b0 ingress:$' '^    slot  1: count id [0-9]+ file ' \
	    '^        tag [0-9a-f]{16} xlated [0-9]+B jited [0-9]+B verified_insns [0-9]+' \
	    '^        pinned /sys/fs/bpf/tcchain/.*/slot-01/prog$' \
	    '^        map count_proto: percpu_array key 4B value [0-9]+B max_entries 256 per CPU id [0-9]+ pinned ' \
	    '^        stats: packets [0-9]+ bytes [0-9]+ pass 0 drop 0 redirect 0 other 0 next [0-9]+ miss 0$' \
	    '^        cost: sampling off '; do
	grep -Eq -- "$want" <<<"$text" || { rc=1; note "no line matches /$want/"; }
done
[ "$rc" -eq 0 ] || note "$text"
log_test "stage info: text has the stage, tag, pin, maps, stats, cost" "$rc"

# JSON: the chain's identity and the stage's keys exactly as stage show has them.
show=$(tcc -j stage show | jq -c '.[0]')
check_eq "stage info: -j has the chain's identity keys" \
	"$(info 1 '[.netns, .dev, .ifindex, .dir]')" "$(jq -c '[.netns, .dev, .ifindex, .dir]' <<<"$show")"
want=$(jq -cS '.stages[] | select(.slot == 1)' <<<"$show")
check_eq "stage info: -j has the stage keys of stage show, same values" \
	"$(tcc -j stage info 1 | jq -cS --argjson w "$want" 'with_entries(select(.key as $k | $w | has($k)))')" \
	"$want"
check_eq "stage info: -j numbers are numbers, absent is null" \
	"$(info 1 '[(.id, .bytes_xlated, .bytes_jited, .verified_insns, .btf_id, .maps[0].id, .stats.packets, .cost.samples | type), .object, .cost.ns, .cost.rate]')" \
	'["number","number","number","number","number","number","number","number",null,null,null]'

# The kernel's view of the same program and maps.
id=$(info 1 .id)
if command -v bpftool >/dev/null; then
	k=$(bpftool -j prog show id "$id")
	check_eq "stage info: tag and sizes are the kernel's (bpftool prog show)" \
		"$(info 1 '[.tag, .bytes_xlated, .bytes_jited]')" \
		"$(jq -c '[.tag, .bytes_xlated, .bytes_jited]' <<<"$k")"
	check_eq "stage info: the program's pin is the stage (bpftool prog show pinned)" \
		"$(bpftool -j prog show pinned "$(infor 1 .pinned)" | jq .id)" "$id"
	rc=0
	while read -r name mid pin; do
		# (the kernel's name of .rodata is "OBJ.rodata": compare ids)
		got=$(bpftool -j map show pinned "$pin" | jq .id)
		[ "$got" = "$mid" ] || { rc=1; note "map $name: id $mid pin $pin, bpftool: $got"; }
	done < <(tcc -j stage info 1 | jq -r '.maps[] | "\(.name) \(.id) \(.pinned)"')
	log_test "stage info: every map's id and pin are the kernel's (bpftool map show pinned)" "$rc"
else
	log_skip "stage info: tag and sizes are the kernel's (bpftool prog show)" "bpftool not installed"
fi
check_eq "stage info: the maps are map show's" \
	"$(info 1 '[.maps[].name] | sort')" \
	"$(tcc -j map show 1 | jq -c '[.[0].maps[].name] | sort')"

# Counters: its row of stats; cost once sampling is on.
check_ok "stage info: stats cost on rate 1" tcc stats cost on rate 1
send
settled 5 tcc -j stats >/dev/null
check_eq "stage info: stats is the slot's row of stats" \
	"$(info 1 '.stats')" \
	"$(tcc -j stats | jq -c '.[0].slots[] | select(.slot == 1) |
		{packets, bytes, pass, drop, redirect, other, next, miss}')"
check_range "stage info: the stage counted the traffic" "$(info 1 .stats.packets)" "$N" "$((N + 20))"
check_eq "stage info: cost sampling on, rate 1, an average in ns" \
	"$(info 1 '[.cost.sampling, .cost.rate, (.cost.ns | type), .cost.samples >= '"$N"']')" \
	'[true,1,"number",true]'
grep -Eq '^        cost: sampling on 1/1 [0-9]+ ns/pkt \([0-9]+ timed\)$' <<<"$(tcc stage info 1)"
log_test "stage info: text shows the cost" $?
capture tcc stats cost off

# A foreign stage: terminal, its verdicts not counted (null, not 0).
check_ok "stage info: foreign stage in slot 5" tcc stage set 5 "$P/foreign_drop.bpf.o"
send
settled 5 tcc -j stats >/dev/null
check_eq "stage info: a foreign stage is foreign and terminal, verdicts null" \
	"$(info 5 '[.foreign, .terminal, .stats.pass, .stats.drop, .stats.next, .stats.packets >= '"$N"']')" \
	'[true,true,null,null,0,true]'
check_eq "stage info: a stage with no maps of its own lists none" "$(info 5 .maps)" "[]"
grep -q 'foreign: verdicts not counted' <<<"$(tcc stage info 5)"
log_test "stage info: text says a foreign stage's verdicts are not counted" $?

# A stage from C source names the object it was compiled into.
if command -v clang >/dev/null; then
	cat >"$TCC_TMP/info_src.bpf.c" <<'C'
#include <tcchain.h>
char LICENSE[] SEC("license") = "Dual BSD/GPL";
TCC_STAGE(info_src)(struct __sk_buff *skb)
{
	return TCC_NEXT;
}
C
	check_ok "stage info: stage set 2 from C source" tcc stage set 2 "$TCC_TMP/info_src.bpf.c"
	obj=$(infor 2 .object)
	check_eq "stage info: a C source stage names its object (as stage show)" \
		"$obj" "$(tcc -j stage show | jq -r '.[0].stages[] | select(.slot == 2) | .object')"
	[ -f "$obj" ] && [[ $obj == *.o ]]
	log_test "stage info: the compiled object exists" $?
	grep -q "^    slot  2: info_src .* object $obj" <<<"$(tcc stage info 2)"
	log_test "stage info: text names the compiled object" $?
else
	log_skip "stage info: a C source stage names its object (as stage show)" "clang not installed"
fi

# After stage del the slot is empty: one error line, nothing printed.
capture tcc stage del 5
check_fail "stage info: a deleted stage's slot is empty" \
	"cannot show stage 5 on b0 ingress: slot 5 is empty" tcc stage info 5
check_eq "stage info -j: an empty slot is one JSON error" \
	"$(tcc -j stage info 5 | jq -c 'keys')" '["error"]'
