#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Back after a reboot (doc/fleet.md): make install puts the systemd units
# and the udev rule in place, systemd-analyze verify finds nothing wrong
# with them, and a simulated reboot (save; every filter, qdisc and pin
# removed; the installed unit's command run) brings back the chains,
# their params, rules, map entries and traffic behaviour.  A device that
# appears later gets its chain from the hot-plug unit's command.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic
require_cmd tc make

ROOT=$PWD
P=$TCC_OUTDIR/tests/progs
N=50
PREFIX=$TCC_TMP/prefix
UNITS=$PREFIX/lib/systemd/system

setup_ns A B
setup_veth "$A" a0 "$B" b0
tcc() { "$TCCHAIN" -n "$B" "$@"; }
send() { udp_count "$A" "$VETH_B4" "$B" "$1" "$N"; }

# ---- the units -----------------------------------------------------------------------
check_ok "restore: make install PREFIX=..." \
	make -C "$ROOT" -s install PREFIX="$PREFIX" OUT="${OUT:-build}"
for u in tcchain-restore.service tcchain-apply.service tcchain-apply.path \
	 tcchain-dev@.service; do
	check_ok "restore: $u is installed" test -f "$UNITS/$u"
done
check_ok "restore: the udev rule is installed" test -f "$PREFIX/lib/udev/rules.d/90-tcchain.rules"
check_eq "restore: the units run the installed binary" \
	"$(grep -h '^ExecStart=' "$UNITS"/tcchain-*.service | cut -d' ' -f1 | sort -u)" \
	"ExecStart=$PREFIX/sbin/tcchain"
if command -v systemd-analyze >/dev/null; then
	verify() { (cd "$1" && systemd-analyze verify --man=no "${@:2}"); }
	check_ok "restore: systemd-analyze verify on the units" \
		verify "$UNITS" tcchain-restore.service tcchain-apply.service \
		tcchain-apply.path tcchain-dev@.service
	check_eq "restore: systemd-analyze verify said nothing" "$(cat "$TCC_STDERR")" ""
	# The check can fail: a unit with a relative command does.
	mkdir -p "$TCC_TMP/broken"
	sed 's|^ExecStart=.*|ExecStart=tcchain apply -f x|' "$UNITS/tcchain-restore.service" \
		>"$TCC_TMP/broken/tcchain-restore.service"
	capture verify "$TCC_TMP/broken" tcchain-restore.service
	check_eq "restore: systemd-analyze verify finds a broken unit" "$([ $? -ne 0 ] && echo yes)" yes
else
	log_skip "restore: systemd-analyze verify on the units" "systemd-analyze is not installed"
fi
# The command the unit runs at boot, on a file of ours, in namespace B.
boot_cmd() {
	local cmd
	cmd=$(sed -n 's/^ExecStart=//p' "$UNITS/$1" | sed "s|/etc/tcchain/chains.conf|$2|; s|%I|${3:-}|")
	# shellcheck disable=SC2086
	in_ns "$B" $cmd
}

# ---- a simulated reboot ----------------------------------------------------------------
chain_add "$B" b0 ingress end pass miss drop
chain_add "$B" b0 egress prio 7 handle 3
{
	capture tcc stage set 0 parse dev b0 ingress &&
	capture tcc stage set 1 acl dev b0 ingress &&
	capture tcc stage set 2 ratelimit param rate=100000pps burst=1000 dev b0 ingress &&
	capture tcc stage set 3 mark dev b0 ingress &&
	capture tcc stage set 4 count dev b0 ingress &&
	capture tcc stage set 5 "$P/thirdparty_portblock.bpf.o" dev b0 ingress &&
	capture tcc stage set 9 count dev b0 egress &&
	capture tcc acl add drop src "$VETH_A4/32" udp dport 7000 dev b0 ingress &&
	capture tcc mark add udp dport 7100 mark 0x10 dev b0 ingress &&
	capture tcc map set 5 blocked_ports key port=6000 value enabled=1 dev b0 ingress
} || { log_test "restore: setup of the chains" 1; exit 1; }
F=$TCC_TMP/chains.conf
check_ok "restore: save" tcc save
cp "$TCC_STDOUT" "$F"
check_eq "restore: -j save has the same lines" \
	"$(tcc -j save | jq -r '.[].lines[]')" "$(grep -v '^$' "$F")"

# What a reboot takes away: filters, qdiscs, every pin.
cookie=$(netns_cookie "$B")
check_ok "restore: reboot: delete the clsact qdisc" tc -n "$B" qdisc del dev b0 clsact
check_ok "restore: reboot: remove every pin" rm -rf "/sys/fs/bpf/tcchain/$cookie"
check_eq "restore: after the reboot there is no chain" "$(tcc -j show | jq length)" 0
check_eq "restore: after the reboot nothing is dropped" "$(send 7000)" "$N"

check_ok "restore: tcchain-restore.service's command" boot_cmd tcchain-restore.service "$F"
check_ok "restore: the chains match the file" tcc diff -f "$F"
check_eq "restore: save prints the file again" "$(tcc save)" "$(cat "$F")"
check_eq "restore: both chains, with prio, handle and verdicts" \
	"$(tcc -j show | jq -c '[.[] | [.dir, .prio, .handle, .end_verdict, .miss_verdict, (.stages | length)]]')" \
	'[["ingress",1,1,"pass","drop",6],["egress",7,3,"pass","pass",1]]'
check_eq "restore: params are back" \
	"$(tcc -j show | jq -c '.[0].stages[2].params')" '{"rate":"100000pps","burst":"1000"}'
check_eq "restore: the acl rule drops again" "$(send 7000)" 0
check_eq "restore: the map entry drops again" "$(send 6000)" 0
check_eq "restore: other traffic passes" "$(send 7001)" "$N"
check_ok "restore: running it again changes nothing" boot_cmd tcchain-apply.service "$F"

# ---- a device that appears later -----------------------------------------------------
L=$TCC_TMP/late.conf
{ cat "$F"; echo; echo "add dev late0 ingress"; echo "stage set 0 count dev late0 ingress"; } >"$L"
check_ok "restore: boot with a device not there yet" boot_cmd tcchain-restore.service "$L"
check_eq "restore: the missing device is a warning" \
	"$(grep -c "Warning: .*late.conf:[0-9]*: no device 'late0'" "$TCC_STDERR")" 1
capture ip -n "$B" link add late0 type veth peer name late1
check_ok "restore: tcchain-dev@late0.service's command" boot_cmd "tcchain-dev@.service" "$L" late0
check_eq "restore: the late device has its chain" \
	"$(tcc -j show dev late0 | jq -c '[.[] | .stages[] | .prog]')" '["count"]'
check_ok "restore: everything matches the file now" tcc diff -f "$L"
capture tcc del dev late0 ingress
