#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Where the pins live: tcchain refuses to pin into a bpffs that would die
# with the command (`ip netns exec` gives it a private /sys), before it
# changes anything, and says what to run instead.
source "$(dirname "$0")/lib.sh"
require_tcchain

setup_ns A

check_fail "pin root: 'ip netns exec NS tcchain add' is refused" \
	"not the host's bpffs .*use 'tcchain -n NETNS' instead" \
	ip netns exec "$A" "$TCCHAIN" add dev lo ingress
check_eq "pin root: the refused add left no filter" "$(tc -n "$A" filter show dev lo ingress)" ""
check_eq "pin root: the refused add left no qdisc" \
	"$(tc -n "$A" qdisc show dev lo | grep -c clsact)" 0
check_fail "pin root: 'ip netns exec NS tcchain show' is refused too" "not the host's bpffs" \
	ip netns exec "$A" "$TCCHAIN" show
check_eq "pin root: nothing was mounted on the host's /sys/fs/bpf" \
	"$(grep -c ' /sys/fs/bpf ' /proc/self/mountinfo)" 1
check_ok "pin root: 'tcchain -n NS add' works" "$TCCHAIN" -n "$A" add dev lo ingress
check_ok "pin root: and del" "$TCCHAIN" -n "$A" del dev lo ingress

# ---- unprivileged users and a pin root others can write ------------------------
setup_ns B
chain_add "$B" lo ingress
capture "$TCCHAIN" -n "$B" stage set 0 "$TCC_OUTDIR/stages/parse.bpf.o"
snap() {
	find /sys/fs/bpf/tcchain | sort
	tc -n "$B" filter show dev lo ingress
	"$TCCHAIN" -n "$B" -j show
}
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
before=$(snap)
while read -r cmd; do
	# shellcheck disable=SC2086
	check_fail "unprivileged: $cmd" "needs root" nobody "$TCCHAIN" -n "$B" $cmd
done <<'CMDS'
add dev lo egress
del dev lo ingress
show
prune
stage set 1 parse
stage del 0
stage show
stats
stats reset
map show 0
acl show
CMDS
check_eq "unprivileged: nothing changed" "$(snap)" "$before"
check_ok "unprivileged: help still works" nobody "$TCCHAIN" help
check_ok "unprivileged: stage help still works" nobody "$TCCHAIN" stage help

mode=$(stat -c %a /sys/fs/bpf/tcchain)
defer chmod "$mode" /sys/fs/bpf/tcchain
capture chmod 0777 /sys/fs/bpf/tcchain
check_fail "pin root writable by others: refused" "writable by others \(mode 0777\)" \
	"$TCCHAIN" -n "$B" show
capture chmod "$mode" /sys/fs/bpf/tcchain
defer chown 0:0 /sys/fs/bpf/tcchain
capture chown 65534:65534 /sys/fs/bpf/tcchain
check_fail "pin root owned by another user: refused" "owned by uid 65534, not root" \
	"$TCCHAIN" -n "$B" stage set 1 parse
capture chown 0:0 /sys/fs/bpf/tcchain
bmode=$(stat -c %a /sys/fs/bpf)
defer chmod "$bmode" /sys/fs/bpf
capture chmod 0777 /sys/fs/bpf
check_fail "bpffs writable by everyone without the sticky bit: refused" "without the sticky bit" \
	"$TCCHAIN" -n "$B" show
capture chmod 1777 /sys/fs/bpf
check_ok "bpffs 1777 (sticky): fine, the pin root is ours" "$TCCHAIN" -n "$B" show
capture chmod "$bmode" /sys/fs/bpf
check_eq "refused commands changed nothing" "$(snap)" "$before"
