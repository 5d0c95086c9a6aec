#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# make demo: two network namespaces joined by a veth pair, a chain
# parse -> acl -> ratelimit -> mark -> count on the server's ingress, real
# traffic of several kinds, and what every stage did.  Cleans up after
# itself, also when interrupted.
set -u
cd "$(dirname "$0")/.."
OUT=${OUT:-build}
TCCHAIN=$PWD/$OUT/tcchain
TRAFFIC=$PWD/$OUT/tests/tools/traffic

if [ "$(id -u)" -ne 0 ]; then
	echo "Error: the demo needs root (network namespaces, BPF)" >&2
	exit 1
fi
for f in "$TCCHAIN" "$TRAFFIC"; do
	[ -x "$f" ] || { echo "Error: $f is missing: run make" >&2; exit 1; }
done

CLI=tcc-demo-client-$$
SRV=tcc-demo-server-$$
bold= dim= norm=
# Colour only for a terminal: a log or a pipe gets plain text.
if [ -t 1 ]; then
	bold=$(tput bold 2>/dev/null || true)
	dim=$(tput dim 2>/dev/null || true)
	norm=$(tput sgr0 2>/dev/null || true)
fi

cleanup()
{
	"$TCCHAIN" -n "$SRV" del dev s0 ingress >/dev/null 2>&1
	ip netns del "$CLI" 2>/dev/null
	ip netns del "$SRV" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n%s== %s ==%s\n' "$bold" "$*" "$norm"; }
run() { printf '%s$ %s%s\n' "$dim" "${*/#$TCCHAIN/tcchain}" "$norm"; "$@"; }
in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" -- "$@"; }
tcc() { run "$TCCHAIN" -n "$SRV" "$@"; }

die() { echo "Error: $*" >&2; exit 1; }

step "Two namespaces: client 10.0.0.1 / fd00::1 -- veth -- server 10.0.0.2 / fd00::2"
ip netns add "$CLI" && ip netns add "$SRV" || die "cannot create namespaces"
ip -n "$CLI" link add c0 type veth peer name s0 netns "$SRV" || die "cannot create veth"
ip -n "$CLI" addr add 10.0.0.1/24 dev c0
ip -n "$SRV" addr add 10.0.0.2/24 dev s0
ip -n "$CLI" addr add fd00::1/64 dev c0 nodad
ip -n "$SRV" addr add fd00::2/64 dev s0 nodad
for ns in "$CLI" "$SRV"; do ip -n "$ns" link set lo up; done
ip -n "$CLI" link set c0 up
ip -n "$SRV" link set s0 up
for _ in $(seq 50); do
	in_ns "$CLI" ping -c1 -W1 -q 10.0.0.2 >/dev/null 2>&1 &&
		in_ns "$CLI" ping -c1 -W1 -q fd00::2 >/dev/null 2>&1 && break
	sleep 0.1
done
echo "link up"

step "A chain on the server's ingress, one stage per slot"
tcc add dev s0 ingress
tcc stage set 0 parse
tcc stage set 1 acl
tcc stage set 2 ratelimit param rate=2000pps burst=200
tcc stage set 3 mark param priority=3 mark_value=0x10
tcc stage set 4 count
tcc acl add drop src 10.0.0.0/24 udp dport 7000
tcc acl add drop src fd00::/64 tcp dport 22-23
tcc acl add pass src 10.0.0.1 icmp
tcc show

# One flow: a receiver on the server counts what arrives of COUNT datagrams
# the client sends at RATE.  nsenter execs the tools, so $! is the
# receiver and SIGUSR1 (sent once the sender is done) reaches it.
flow()
{
	local what=$1 fam=$2 dst=$3 port=$4 count=$5 rate=$6 out=$tmp/$4 p

	nsenter --net="/run/netns/$SRV" -- "$TRAFFIC" recv "$fam" --port "$port" \
		--idle 500 --timeout 20 --json >"$out" &
	p=$!
	for _ in $(seq 50); do
		[ -n "$(in_ns "$SRV" ss -Hnul "sport = :$port")" ] && break
		sleep 0.05
	done
	in_ns "$CLI" "$TRAFFIC" send "$fam" --dst "$dst" --port "$port" --count "$count" \
		--rate "$rate" --json >/dev/null
	kill -USR1 "$p" 2>/dev/null
	wait "$p"
	printf '  %-44s sent %6d  received %6d\n' "$what" "$count" "$(jq -r .received "$out")"
}

step "Traffic from the client"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; cleanup' EXIT

flow "IPv4 UDP :5000 (allowed)" -4 10.0.0.2 5000 600 1000
flow "IPv4 UDP :7000 (acl: drop)" -4 10.0.0.2 7000 300 1000
flow "IPv6 UDP :5353 (allowed)" -6 fd00::2 5353 400 1000
flow "IPv4 UDP :9000 flood, 20000 pps for 1 s" -4 10.0.0.2 9000 20000 20000
printf '  %s(ratelimit: 2000 pps with a burst of 200 -> about 2200 of them pass)%s\n' "$dim" "$norm"

in_ns "$CLI" ping -c 3 -i 0.2 -q 10.0.0.2 | grep -E 'packets transmitted' | sed 's/^/  ping: /'

step "What every stage did"
tcc stats
step "The acl stage's rules, with hits"
tcc acl show
note() { printf '  %s%s%s\n' "$dim" "$*" "$norm"; }
note "(acl's default counts the IP packets no rule matched; stats' 'next' for acl"
note " also has the few packets that are not IP (ARP), which acl lets by uncounted)"
step "The ratelimit stage's own counters (a stage map, read by BTF field names)"
tcc map show 2 rl_stats
step "The count stage: packets per L4 protocol and per destination port"
tcc map show 4 count_proto
tcc map show 4 count_dport
note "(count saw the packets ratelimit let through: UDP (17), ICMPv6 neighbour"
note " discovery (58) and the odd ARP packet, which has no L4 protocol to count)"
step "Cleanup"
tcc del dev s0 ingress
echo "done: namespaces and pins removed"
