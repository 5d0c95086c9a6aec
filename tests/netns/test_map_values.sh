#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# map set / map show with the one value parser (doc/values.md): every field
# of every shipped stage's maps round-trips (show -> set the same text ->
# show identical), addresses go in as addresses and never as ASCII, per-CPU
# values read back as written, params and map fields share the rules, and
# each bad input is one line, exit status 1, and changes nothing.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic

N=50

setup_ns A B
setup_veth "$A" a0 "$B" b0
tcc() { "$TCCHAIN" "$@"; }

chain_add "$B" b0 ingress
check_ok "map values: shipped stages in slots 0-4" bash -c "
	'$TCCHAIN' -n '$B' stage set 0 parse &&
	'$TCCHAIN' -n '$B' stage set 1 acl &&
	'$TCCHAIN' -n '$B' stage set 2 mark &&
	'$TCCHAIN' -n '$B' stage set 3 ratelimit param rate=10000 burst=64Ki per_source=1 &&
	'$TCCHAIN' -n '$B' stage set 4 count"
check_ok "map values: acl rules for the acl maps" bash -c "
	'$TCCHAIN' -n '$B' acl add drop src 192.0.2.0/24 udp dport 7000 >/dev/null &&
	'$TCCHAIN' -n '$B' acl add drop dst 2001:db8::/32 udp dport 7001 >/dev/null"

# ---- addresses ---------------------------------------------------------------------
check_fail "map values: IPv4 into a 16-byte field is refused, not stored as text" \
	"rules\[0\]\.src=10\.9\.0\.1: an IPv4 address does not fit a 16-byte field" \
	tcc -n "$B" map set 2 mark_rules key 0 value rules[0].src=10.9.0.1
check_ok "map values: IPv6 into mark's 16-byte src" \
	tcc -n "$B" map set 2 mark_rules key 0 value n_rules=1 rules[0].src=2001:db8::9 \
	rules[0].src_prefixlen=128 rules[0].ip_ver=6 rules[0].dport_max=65535
check_eq "map values: shown as the address, under the name set takes" \
	"$(tcc -n "$B" -j map show 2 mark_rules | jq -r '.[0].entries[0].value["rules[0].src"]')" "2001:db8::9"
check_eq "map values: no name with a double dot" \
	"$(tcc -n "$B" map show 2 mark_rules | grep -c '\.\.')" 0
check_ok "map values: IPv4 given as hex, first 4 bytes (mark's layout)" \
	tcc -n "$B" map set 2 mark_rules key 0 value rules[1].src=0x0a090001000000000000000000000000
check_eq "map values: the bytes are the address, not ASCII" \
	"$(tcc -n "$B" -j map show 2 mark_rules | jq -r '.[0].entries[0].value["rules[1].src_words[0]"]')" \
	"16779530"
check_eq "map values: acl's 4-byte key prints as an IPv4 address" \
	"$(tcc -n "$B" -j map show 1 acl_src4 | jq -r '.[0].entries[0].key.addr')" "192.0.2.0"

# ---- traffic, so the counters are not all zero ------------------------------------
check_eq "map values: traffic passes the chain" "$(udp_count "$A" "$VETH_B4" "$B" 6000 "$N")" "$N"

# ---- round trip of every field of every map --------------------------------------------
# For each entry: map set KEY with all its value fields as shown, then the
# whole map must show the same.  rodata is frozen: it is only shown.
entry_args()	# JSON part -> FIELD=VALUE words (a bare VALUE for a scalar)
{
	jq -r 'if type == "object" then to_entries | map("\(.key)=\(.value)") | join(" ")
	       else tostring end' <<<"$1"
}

round_trip_once()
{
	local slot=$1 map=$2 before after e key val n=0 fails=0

	before=$(tcc -n "$B" -j map show "$slot" "$map") || return 1
	while read -r e; do
		key=$(entry_args "$(jq -c .key <<<"$e")")
		val=$(entry_args "$(jq -c .value <<<"$e")")
		# shellcheck disable=SC2086 # the words are the arguments
		tcc -n "$B" map set "$slot" "$map" key $key value $val || fails=$((fails + 1))
		n=$((n + 1))
	done < <(jq -c '.[0].entries[]' <<<"$before")
	after=$(tcc -n "$B" -j map show "$slot" "$map")
	note "$map: $n entries set again, $fails refused"
	[ "$fails" -eq 0 ] && [ "$before" = "$after" ] && [ "$n" -gt 0 ]
}

# A stray packet (ARP, IPv6 neighbour discovery) may count between the two
# shows: the set is idempotent, so try again; a real mismatch stays.
round_trip()
{
	local try

	for try in 1 2 3 4 5; do
		round_trip_once "$@" && return 0
	done
	return 1
}

for slot in 1 2 3 4; do
	for map in $(tcc -n "$B" -j map show "$slot" | jq -r '.[0].maps[].name'); do
		[[ $map == *rodata ]] && continue
		# tables no packet or rule filled have nothing to round-trip
		[ "$(tcc -n "$B" -j map show "$slot" "$map" | jq '.[0].entries | length')" -eq 0 ] &&
			continue
		check_ok "map values: round trip: slot $slot $map" round_trip "$slot" "$map"
	done
done
# The round trip set all of mark_rules' one entry (8 rules, ~2 KB of words):
# save prints it whole, the last rule's fields included.
fields() { tcc -n "$B" save | grep '^map set 2 mark_rules ' | grep -o "rules\[$1\]\.[a-z_]*=" | wc -l; }
check_range "map values: save records mark_rules' first rule" "$(fields 0)" 5 100
check_eq "map values: ... and every field of its last rule" "$(fields 7)" "$(fields 0)"
check_eq "map values: the counters round-tripped were not all zero" \
	"$(tcc -n "$B" -j map show 4 count_ipver | jq '.[0].entries[0].value.packets > 0')" true

# ---- per-CPU maps: what is written reads back ---------------------------------------
check_ok "map values: per-CPU set packets=5" tcc -n "$B" map set 4 count_ipver key 7 value packets=5 bytes=1Ki
check_eq "map values: reads back 5 (not 5 per CPU)" \
	"$(tcc -n "$B" -j map show 4 count_ipver | jq -c '.[0].entries[] | select(.key == 7) | .value')" \
	'{"packets":5,"bytes":1024}'
check_eq "map values: percpu: CPU 0 holds 5, the other CPUs 0" \
	"$(tcc -n "$B" -j map show 4 count_ipver percpu |
	   jq -c '.[0].entries[] | select(.key == 7) | [.cpus[0].value.packets, ([.cpus[1:][].value.packets] | add // 0)]')" \
	"[5,0]"
check_eq "map values: percpu: one line per CPU in text" \
	"$(tcc -n "$B" map show 4 count_ipver percpu | grep -c '^    cpu 0  value: packets=5 bytes=1024$')" 1
check_ok "map values: per-CPU: a second set of one field" tcc -n "$B" map set 4 count_ipver key 7 value packets=7
check_eq "map values: keeps the other field, reads back 7" \
	"$(tcc -n "$B" -j map show 4 count_ipver | jq -c '.[0].entries[] | select(.key == 7) | .value')" \
	'{"packets":7,"bytes":1024}'

# ---- params and map fields share the rules ---------------------------------------------
check_eq "map values: param burst=64Ki stored as 65536" \
	"$(tcc -n "$B" -j map show 3 rodata | jq -c '.[0].entries[0].value | [.rate, .burst, .per_source]')" \
	"[10000,65536,1]"
check_ok "map values: map set takes the same multipliers" \
	tcc -n "$B" map set 4 count_ipver key 5 value packets=10k bytes=2Mi
check_eq "map values: 10k and 2Mi stored" \
	"$(tcc -n "$B" -j map show 4 count_ipver | jq -c '.[0].entries[] | select(.key == 5) | .value')" \
	'{"packets":10000,"bytes":2097152}'
check_ok "map values: a leading zero is decimal, never octal" \
	tcc -n "$B" map set 4 count_ipver key 07 value packets=010
check_eq "map values: key 7, packets 10 (octal would be 8)" \
	"$(tcc -n "$B" -j map show 4 count_ipver | jq -c '.[0].entries[] | select(.key == 7) | .value.packets')" 10

# ---- bad input: one line, exit status 1, nothing changed -----------------------------
snapshot()
{
	# what configuration and the tests set; live counters are left out
	tcc -n "$B" -j map show 2 mark_rules; tcc -n "$B" -j map show 1 acl_src4
	tcc -n "$B" -j map show 4 count_ipver | jq -c '.[0].entries[] | select(.key == 5 or .key == 7)'
	tcc -n "$B" -j map show 3 rl_sources | jq -c '.[0].entries[] | select(.key.addr == "::1")'
	tcc -n "$B" -j stage show
}
bad()
{
	local desc=$1 pat=$2 before rc; shift 2

	before=$(snapshot)
	check_fail "map values: bad value: $desc" "$pat" "$@"
	"$@" >/dev/null 2>&1
	rc=$?
	check_eq "map values: bad value: $desc: exit status 1" "$rc" 1
	check_eq "map values: bad value: $desc: maps unchanged" "$(snapshot)" "$before"
}
bad "percpu on a map that is not per-CPU" "map 'mark_rules' per CPU: it is not a per-CPU map" \
	tcc -n "$B" map show 2 mark_rules percpu
bad "double-dot name" "no field 'rules\[0\]\.\.src'" \
	tcc -n "$B" map set 2 mark_rules key 0 value rules[0]..src=::1
bad "u8 out of range" "rules\[0\]\.ip_ver=256: out of range for a 1-byte unsigned integer \(0\.\.255\)" \
	tcc -n "$B" map set 2 mark_rules key 0 value rules[0].ip_ver=256
bad "u16 out of range by a multiplier" "rules\[0\]\.dport_max=64Ki: out of range for a 2-byte" \
	tcc -n "$B" map set 2 mark_rules key 0 value rules[0].dport_max=64Ki
bad "negative into unsigned" "packets=-1: out of range for a 8-byte unsigned" \
	tcc -n "$B" map set 4 count_ipver key 4 value packets=-1
bad "key out of range" "count_ipver key: 4294967296: out of range for a 4-byte unsigned integer \(0\.\.4294967295\)" \
	tcc -n "$B" map set 4 count_ipver key 4294967296 value packets=1
bad "not a number" "packets=lots: not an integer" \
	tcc -n "$B" map set 4 count_ipver key 4 value packets=lots
bad "unknown multiplier" "packets=10m: not an integer" \
	tcc -n "$B" map set 4 count_ipver key 4 value packets=10m
bad "IPv4 into a u8 field" "rules\[0\]\.proto=10\.0\.0\.1: an IPv4 address does not fit a 1-byte" \
	tcc -n "$B" map set 2 mark_rules key 0 value rules[0].proto=10.0.0.1
bad "IPv6 into a 4-byte key" "acl_src4 key: addr=2001:db8::1: an IPv6 address does not fit a 4-byte field" \
	tcc -n "$B" map set 1 acl_src4 key prefixlen=32 addr=2001:db8::1 value n_rules=0
bad "hex of the wrong length" "rules\[0\]\.src=0x0a09: not an IPv6 address or 0x and 32 hex digits" \
	tcc -n "$B" map set 2 mark_rules key 0 value rules[0].src=0x0a09
bad "text into a byte array" "pad=abc: not 0x and 6 hex digits" \
	tcc -n "$B" map set 3 rl_sources key addr=::1 ip_ver=6 pad=abc value tat=1
bad "set stops at the first bad field" "rules\[0\]\.ip_ver=x" \
	tcc -n "$B" map set 2 mark_rules key 0 value rules[0].mark=99 rules[0].ip_ver=x
bad "param out of range" "param per_source=4294967296: out of range for a 4-byte unsigned integer" \
	tcc -n "$B" stage set 3 ratelimit param per_source=4294967296
bad "param address into a u64" "param burst=10.0.0.1: an IPv4 address does not fit a 8-byte" \
	tcc -n "$B" stage set 3 ratelimit param burst=10.0.0.1

# ---- a stage map the kernel cannot create -------------------------------------------
P=$TCC_OUTDIR/tests/progs
before=$(tcc -n "$B" -j stage show)
check_fail "map values: a map the kernel cannot create: named, with the reason" \
	"cannot set stage 5 .*map 'huge_values': failed to create: " \
	tcc -n "$B" stage set 5 "$P/map_too_big.bpf.o"
check_eq "map values: a map the kernel cannot create: chain unchanged" "$(tcc -n "$B" -j stage show)" "$before"

# ---- the record save keeps is full: refused before the map changes ----------------
# Each entry below is ~70 bytes of words; the slot's record (TCC_MAP_RECORD_SIZE,
# 4096) fills before the map's 64 entries.
check_ok "map record: a stage with a hash map in slot 6" \
	tcc -n "$B" stage set 6 "$P/thirdparty_portblock.bpf.o"
big=18446744073709551615
set_port() { tcc -n "$B" map set 6 blocked_ports key port="$1" value enabled=1 hits="$big"; }
set_count=0
for port in $(seq 20000 20063); do
	set_port "$port" >/dev/null 2>&1 || break
	set_count=$((set_count + 1))
done
check_range "map record: the record fills before the map does" "$set_count" 40 63
entries() { tcc -n "$B" -j map show 6 blocked_ports | jq '.[0].entries | length'; }
check_fail "map record: full: refused, one line" \
	"cannot set map entry: slot 6's record of map entries for save is full \(4096 bytes\)" \
	set_port "$port"
check_eq "map record: full: the map is unchanged" "$(entries)" "$set_count"
check_eq "map record: full: the refused port is not in the map" \
	"$(tcc -n "$B" -j map show 6 blocked_ports |
	   jq "[.[0].entries[] | select(.key.port == $port)] | length")" 0
check_eq "map record: save shows exactly the entries in the map" \
	"$(tcc -n "$B" save | grep -c '^map set 6 blocked_ports ')" "$set_count"
check_ok "map record: map del makes room" \
	tcc -n "$B" map del 6 blocked_ports key port=20000
check_ok "map record: then the refused entry is set" set_port "$port"
check_eq "map record: save shows it" \
	"$(tcc -n "$B" save | grep -c "^map set 6 blocked_ports key port=$port ")" 1
long=$(printf 'port=%05000d' 0)
check_fail "map record: words too long to record" "too long to record for save" \
	tcc -n "$B" map set 6 blocked_ports key "$long" value enabled=1
check_eq "map record: the map is unchanged after the refusals" "$(entries)" "$set_count"

# ---- long entries through save and apply -------------------------------------------
# The chain is added again from its saved file: every recorded entry, the
# ~2 KB mark_rules line too, comes back whole, and save prints the same file.
F=$TCC_TMP/chains.conf
tcc -n "$B" save >"$F"
check_ok "map record: del the chain" tcc -n "$B" del dev b0 ingress
check_ok "map record: apply its saved file" tcc -n "$B" apply -f "$F"
check_eq "map record: save after apply prints the file again" "$(tcc -n "$B" save)" "$(cat "$F")"
check_eq "map record: the last mark rule's fields came back" "$(fields 7)" "$(fields 0)"
