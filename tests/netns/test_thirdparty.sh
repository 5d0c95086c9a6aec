#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# A stage written only from doc/abi.md and the SDK header
# (tests/progs/thirdparty_portblock.bpf.c) loads and runs with no change to
# tcchain, and is configured through its own map by BTF field names.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic

P=$TCC_OUTDIR/tests/progs
N=100

setup_ns A B
setup_veth "$A" a0 "$B" b0
tcc() { "$TCCHAIN" "$@"; }

chain_add "$B" b0 ingress
check_ok "third-party: third-party stage loads" tcc -n "$B" stage set 4 "$P/thirdparty_portblock.bpf.o"
check_eq "third-party: its map is listed" \
	"$(tcc -n "$B" -j map show 4 | jq -r '[.[0].maps[].name] | sort | join(",")')" "blocked_ports,rodata"
check_eq "third-party: no port blocked: traffic passes" "$(udp_count "$A" "$VETH_B4" "$B" 6000 "$N")" "$N"
check_ok "third-party: block port 6000 by field names" \
	tcc -n "$B" map set 4 blocked_ports key port=6000 value enabled=1
check_eq "third-party: port 6000 dropped" "$(udp_count "$A" "$VETH_B4" "$B" 6000 "$N")" 0
check_eq "third-party: port 6001 still passes" "$(udp_count "$A" "$VETH_B4" "$B" 6001 "$N")" "$N"
check_eq "third-party: map show -j: the stage's own counter" \
	"$(tcc -n "$B" -j map show 4 blocked_ports | jq -c '.[0].entries[] | [.key.port, .value.hits, .value.enabled]')" \
	"[6000,$N,1]"
check_eq "third-party: map show (text)" \
	"$(tcc -n "$B" map show 4 blocked_ports | grep -c "key: port=6000  value: hits=$N enabled=1")" 1
check_ok "third-party: set keeps the fields it does not name" \
	tcc -n "$B" map set 4 blocked_ports key port=6000 value enabled=0
check_eq "third-party: hits kept, rule disabled" \
	"$(tcc -n "$B" -j map show 4 blocked_ports | jq -c '.[0].entries[0].value')" "{\"hits\":$N,\"enabled\":0}"
check_eq "third-party: disabled: traffic passes" "$(udp_count "$A" "$VETH_B4" "$B" 6000 "$N")" "$N"
check_ok "third-party: map del" tcc -n "$B" map del 4 blocked_ports key port=6000
check_eq "third-party: the map is empty" "$(tcc -n "$B" -j map show 4 blocked_ports | jq '.[0].entries | length')" 0
check_eq "third-party: its param is visible in rodata" \
	"$(tcc -n "$B" -j map show 4 rodata | jq -c '.[0].entries[0].value | [.tcc_slot, .verdict]')" "[4,2]"

bad() { check_fail "third-party: bad map input: $1" "$2" "${@:3}"; }
bad "unknown field" "map blocked_ports key: no field 'prt'" \
	tcc -n "$B" map set 4 blocked_ports key prt=1 value enabled=1
bad "value too large for the field" "port=70000: out of range for a 2-byte unsigned integer \(0\.\.65535\)" \
	tcc -n "$B" map set 4 blocked_ports key port=70000 value enabled=1
bad "missing key" "'key FIELD=VALUE...' is required" tcc -n "$B" map set 4 blocked_ports value enabled=1
bad "missing value" "'value FIELD=VALUE...' is required" tcc -n "$B" map set 4 blocked_ports key port=1
bad "unknown map" "slot 4 has no map 'nope'" tcc -n "$B" map set 4 nope key port=1 value enabled=1
bad "del of an absent key" "no such key" tcc -n "$B" map del 4 blocked_ports key port=1
bad "empty slot" "slot 5 is empty" tcc -n "$B" map show 5
bad "map name missing" "MAP is required" tcc -n "$B" map set 4
check_eq "third-party: after the bad input, the map is still empty" \
	"$(tcc -n "$B" -j map show 4 blocked_ports | jq '.[0].entries | length')" 0
