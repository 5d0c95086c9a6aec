#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# A stage's own maps across an in-place replace (tcchain/lib/carry.c): a
# blocklist configured with map set keeps its entries and counters when
# the stage is replaced under traffic (same object with another param,
# and another file with the same maps), no blocked packet gets through
# during or after the swaps; a changed map definition is refused unless
# 'maps fresh' is given.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic

P=$(dirname "$TCCHAIN")/tests/progs
N=200
SWAP_PKTS=3000

setup_ns A B
setup_veth "$A" a0 "$B" b0
tcc() { "$TCCHAIN" "$@"; }
hits() { tcc -n "$B" -j map show 3 blocked_ports | jq '[.[0].entries[] | select(.key.port == 7500) | .value.hits] | add // 0'; }

chain_add "$B" b0 ingress
capture tcc -n "$B" stage set 3 "$P/thirdparty_portblock.bpf.o"
capture tcc -n "$B" map set 3 blocked_ports key port=7500 value enabled=1
check_eq "carry: the blocklist drops its port" "$(udp_count "$A" "$VETH_B4" "$B" 7500 "$N")" 0
check_eq "carry: the stage counted the drops" "$(hits)" "$N"

cp "$P/thirdparty_portblock.bpf.o" "$TCC_TMP/rebuilt_portblock.bpf.o"
before=$(hits)
nsenter --net="/run/netns/$B" -- "$TRAFFIC" recv -4 --port 7500 --timeout 20 --idle 1000 \
	--json >"$TCC_TMP/recv.json" 2>/dev/null &
rpid=$!
echo "$rpid" >>"$TCC_TMP/pids"
wait_until 5 _udp_ready "$B" 7500 "$rpid"
in_ns "$A" "$TRAFFIC" send -4 --dst "$VETH_B4" --port 7500 --count "$SWAP_PKTS" --rate 2000 \
	--json >"$TCC_TMP/send.json" 2>/dev/null &
spid=$!
swaps_ok=0
for i in $(seq 1 10); do
	if ((i % 2)); then
		tcc -n "$B" stage set 3 "$P/thirdparty_portblock.bpf.o" param verdict=2 && swaps_ok=$((swaps_ok + 1))
	else
		tcc -n "$B" stage set 3 "$TCC_TMP/rebuilt_portblock.bpf.o" && swaps_ok=$((swaps_ok + 1))
	fi
	sleep 0.1
done
wait "$spid"
kill -USR1 "$rpid" 2>/dev/null
wait "$rpid"
check_eq "carry: 10 in-place replaces under traffic succeeded" "$swaps_ok" 10
check_eq "carry: no blocked packet got through during the swaps" \
	"$(jq -r .received "$TCC_TMP/recv.json")" 0
check_eq "carry: the entry's counter kept counting across every swap" \
	"$(( $(hits) - before ))" "$(jq -r .sent "$TCC_TMP/send.json")"
check_eq "carry: show says which maps were kept" \
	"$(tcc -n "$B" -j stage show | jq -c '.[0].stages[] | select(.slot == 3) | .kept_maps')" \
	'["blocked_ports"]'
check_eq "carry: still blocked after the swaps" "$(udp_count "$A" "$VETH_B4" "$B" 7500 "$N")" 0

id=$(tcc -n "$B" -j stage show | jq '.[0].stages[] | select(.slot == 3) | .id')
check_fail "carry: a changed map definition is refused" \
	"map blocked_ports changed \(max_entries 64 -> 128\).*'maps fresh'" \
	tcc -n "$B" stage set 3 "$P/thirdparty_portblock_big.bpf.o"
check_eq "carry: the refused replace left the stage in place" \
	"$(tcc -n "$B" -j stage show | jq '.[0].stages[] | select(.slot == 3) | .id')" "$id"
check_eq "carry: and its entries" "$(udp_count "$A" "$VETH_B4" "$B" 7500 "$N")" 0
check_fail "carry: 'maps' needs 'fresh'" "'maps' takes 'fresh'" \
	tcc -n "$B" stage set 3 "$P/thirdparty_portblock_big.bpf.o" maps stale
check_ok "carry: maps fresh replaces with new, empty maps" \
	tcc -n "$B" stage set 3 "$P/thirdparty_portblock_big.bpf.o" maps fresh
check_eq "carry: show lists no kept map after maps fresh" \
	"$(tcc -n "$B" -j stage show | jq -c '.[0].stages[] | select(.slot == 3) | .kept_maps')" '[]'
check_eq "carry: the fresh map is empty: the port passes" \
	"$(udp_count "$A" "$VETH_B4" "$B" 7500 "$N")" "$N"
capture tcc -n "$B" stage del 3
capture tcc -n "$B" stage set 3 "$P/thirdparty_portblock.bpf.o"
check_eq "carry: a stage set into an empty slot starts with empty maps" \
	"$(tcc -n "$B" -j map show 3 blocked_ports | jq '.[0].entries | length')" 0
