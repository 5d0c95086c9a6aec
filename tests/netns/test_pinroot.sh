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
