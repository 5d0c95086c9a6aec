#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# A tcchain filter whose pins vanished (as under `ip netns exec` before
# tcchain refused it, or pins removed by hand) is something del, add and
# prune deal with (tcchain/lib/orphan.c); other tools' filters are never
# touched.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic
require_cmd tc

setup_ns A B
setup_veth "$A" a0 "$B" b0
tcc() { "$TCCHAIN" "$@"; }
PINS=/sys/fs/bpf/tcchain/$(netns_cookie "$B")
IFX=$(ip -n "$B" -j link show dev b0 | jq ".[0].ifindex")
filters() { in_ns "$B" tc filter show dev b0 "$1" | grep -c 'tcchain'; }

# orphan DIR: a chain on b0 DIR whose pins are then removed.
orphan()
{
	capture tcc -n "$B" add dev b0 "$1" end drop
	capture tcc -n "$B" stage set 0 parse dev b0 "$1"
	rm -rf "${PINS:?}/$IFX/$1"
}

orphan ingress
check_eq "orphan: show no longer sees the chain" "$(tcc -n "$B" -j show | jq length)" 0
check_eq "orphan: its filter is still on the hook" "$(filters ingress)" 1
check_ok "orphan: del removes the filter that has no pins" tcc -n "$B" del dev b0 ingress
check_eq "orphan: del said so" "$(grep -c 'removed 1 tcchain filter that had no pins' "$TCC_STDERR")" 1
check_eq "orphan: no tcchain filter left" "$(filters ingress)" 0
check_eq "orphan: traffic passes again" "$(udp_count "$A" "$VETH_B4" "$B" 7600 50)" 50
check_fail "orphan: del with nothing there is still an error" "no such chain" \
	tcc -n "$B" del dev b0 ingress

orphan ingress
check_ok "orphan: add replaces a filter that has no pins" tcc -n "$B" add dev b0 ingress
check_eq "orphan: add said so" \
	"$(grep -c 'replaced a tcchain filter that had no pins' "$TCC_STDERR")" 1
check_eq "orphan: one tcchain filter, the new chain's" "$(filters ingress)" 1
check_eq "orphan: the new chain is shown, attached" \
	"$(tcc -n "$B" -j show | jq -c '[.[] | [.dir, .attached]]')" '[["ingress",true]]'
check_eq "orphan: the new chain passes traffic" "$(udp_count "$A" "$VETH_B4" "$B" 7600 50)" 50

orphan egress
capture in_ns "$B" tc filter add dev b0 egress prio 7 protocol all u32 match u32 0 0 classid 1:1
check_eq "orphan: prune removes filters with no pins" \
	"$(tcc -n "$B" -j prune | jq .orphan_filters)" 1
check_eq "orphan: prune left the pinned chain's filter" "$(filters ingress)" 1
check_eq "orphan: prune left another tool's filter" \
	"$(in_ns "$B" tc filter show dev b0 egress | grep -c 'u32')" 3
check_eq "orphan: no tcchain filter on egress" "$(filters egress)" 0
