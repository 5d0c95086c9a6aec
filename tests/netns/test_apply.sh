#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The chain as one unit (doc/chain-file.md): `save | apply` is a no-op
# (same program ids, counters untouched) for a chain with all five
# library stages, params, acl and mark rules, a map entry and a
# third-party stage; diff and --dry-run print the plan; a file with any
# error changes nothing and names FILE:LINE; a change commits and
# rollback brings back the chain that ran before.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic

P=$TCC_OUTDIR/tests/progs
N=50

setup_ns A B
setup_veth "$A" a0 "$B" b0
tcc() { "$TCCHAIN" -n "$B" "$@"; }
send() { udp_count "$A" "$VETH_B4" "$B" "$1" "$N"; }
ids() { tcc -j show | jq -c '[.[] | .entry_id, (.stages[] | .id)]'; }
# What a no-op must not touch: every slot's packets and the count
# stage's own counters.
counters() {
	{ tcc -j stats | jq -c '[.[0].packets, [.[0].slots[] | .packets]]'
	  tcc -j map show 4 | jq -c . ; } | tr -d "\n"
}
quiet() {
	local a b
	a=$(tcc -j stats); sleep 0.1; b=$(tcc -j stats)
	[ "$a" = "$b" ]
}

chain_add "$B" b0 ingress
{
	capture tcc stage set 0 parse &&
	capture tcc stage set 1 acl &&
	capture tcc stage set 2 ratelimit param rate=100000pps burst=1000 &&
	capture tcc stage set 3 mark &&
	capture tcc stage set 4 count &&
	capture tcc stage set 9 "$P/thirdparty_portblock.bpf.o" &&
	capture tcc acl add drop src "$VETH_A4/32" udp dport 7000 &&
	capture tcc acl add drop src 10.0.0.0/8 tcp dport 22 &&
	capture tcc mark add udp dport 7100 mark 0x10 &&
	capture tcc map set 9 blocked_ports key port=6000 value enabled=1
} || { log_test "apply: setup of the chain" 1; exit 1; }

check_eq "apply: acl rule drops before save" "$(send 7000)" 0
check_eq "apply: portblock entry drops before save" "$(send 6000)" 0
check_eq "apply: other traffic passes before save" "$(send 7001)" "$N"
wait_until 5 quiet

F=$TCC_TMP/chains.conf
check_ok "apply: save" tcc save
cp "$TCC_STDOUT" "$F"
check_eq "apply: save has every stage, rule and map entry" \
	"$(grep -c -e '^stage set' -e '^acl add' -e '^mark add' -e '^map set' "$F")" 10
check_eq "apply: save prints params as typed" \
	"$(grep -c 'stage set 2 ratelimit param rate=100000pps burst=1000 dev b0 ingress' "$F")" 1
check_eq "apply: save prints the map entry set" \
	"$(grep -c 'map set 9 blocked_ports key port=6000 value enabled=1 dev b0 ingress' "$F")" 1
ids0=$(ids)
cnt0=$(counters)

check_ok "apply: diff of the saved file" tcc diff -f "$F"
check_eq "apply: diff of the saved file prints nothing" "$(cat "$TCC_STDOUT")" ""
check_eq "apply: -j diff says no drift" "$(tcc -j diff -f "$F" | jq -c '[.drift, (.chains | length)]')" \
	"[false,0]"
check_ok "apply: apply the saved file" tcc apply -f "$F"
check_ok "apply: save | apply -f -" sh -c "'$TCCHAIN' -n '$B' save | '$TCCHAIN' -n '$B' apply -f -"
check_eq "apply: save | apply keeps every program id" "$(ids)" "$ids0"
check_eq "apply: save | apply leaves the counters alone" "$(counters)" "$cnt0"
check_eq "apply: rules still drop after save | apply" "$(send 7000)" 0

# ---- a file with an error changes nothing, and says where -------------------
bad() {
	local name=$1 pat=$2 want_rc=$3 file=$TCC_TMP/bad.conf; shift 3

	# every bad file also changes something valid before its error
	sed 's/rate=100000pps/rate=90000pps/' "$F" >"$file"
	"$@" "$file"
	check_fail "apply: bad file: $name" "$pat" tcc apply -f "$file"
	capture tcc apply -f "$file"
	check_eq "apply: bad file: $name: exit status" "$?" "$want_rc"
	check_eq "apply: bad file: $name: nothing changed" "$(ids)" "$ids0"
}
ln=$(($(wc -l <"$F") + 1))
bad "unknown stage" "bad.conf:$ln: no stage 'nosuchstage'" 1 \
	sh -c 'echo "stage set 6 nosuchstage dev b0 ingress" >>"$0"'
bad "stage the verifier refuses" "bad.conf:$ln: cannot set stage 6 .*verifier" 2 \
	sh -c "echo 'stage set 6 $P/verifier_reject.bpf.o dev b0 ingress' >>\"\$0\""
bad "unknown param" "bad.conf:$ln: .*unknown param 'nosuch'" 1 \
	sh -c 'echo "stage set 6 count param nosuch=1 dev b0 ingress" >>"$0"'
bad "bad rule" "bad.conf:$ln: cannot add acl rule: .*host bits" 1 \
	sh -c 'echo "acl add slot 1 drop src 10.1.2.3/8 dev b0 ingress" >>"$0"'
bad "bad map entry" "bad.conf:$ln: map blocked_ports key: .*prt" 1 \
	sh -c 'echo "map set 9 blocked_ports key prt=1 value enabled=1 dev b0 ingress" >>"$0"'
bad "unknown device" "bad.conf:$ln: cannot find device 'nosuch0'" 1 \
	sh -c 'echo "add dev nosuch0 ingress" >>"$0"'
bad "unknown command" "bad.conf:$ln: 'stagee' does not belong in a chain file" 1 \
	sh -c 'echo "stagee set 3 count" >>"$0"'
bad "missing direction" "bad.conf:$ln: add: .*direction" 1 \
	sh -c 'echo "add dev b0" >>"$0"'
bad "slot set twice" "bad.conf:$ln: slot 4 is set twice \(first on line [0-9]+\)" 1 \
	sh -c 'echo "stage set 4 count dev b0 ingress" >>"$0"'
bad "rule for a chain not in the file" "bad.conf:$ln: no chain on a0" 1 \
	sh -c 'echo "acl add drop src 10.0.0.0/8 dev a0 ingress" >>"$0"'
check_fail "apply: missing file" "cannot read $TCC_TMP/none.conf" tcc apply -f "$TCC_TMP/none.conf"
check_fail "apply: -f is required" "'-f FILE' is required" tcc apply

# ---- diff, --dry-run, a change and rollback ----------------------------------
G=$TCC_TMP/changed.conf
sed -e 's/udp dport 7000/udp dport 7002/' -e 's/rate=100000pps/rate=90000pps/' \
	-e 's/key port=6000/key port=6001/' "$F" >"$G"
capture tcc diff -f "$G"
check_eq "apply: diff exits 1 on drift" "$?" 1
check_eq "apply: diff prints the plan" \
	"$(grep -c -e '^  - ' -e '^  + ' "$TCC_STDOUT") $(head -n 1 "$TCC_STDOUT")" \
	"6 b0 ingress: new generation (one filter replace)"
check_eq "apply: -j diff" "$(tcc -j diff -f "$G" | jq -c '[.drift, .chains[0].action, (.chains[0].changes | length)]')" \
	'[true,"generation",6]'
check_ok "apply: --dry-run" tcc apply --dry-run -f "$G"
check_eq "apply: --dry-run prints the plan" "$(grep -c -e '^  [-+] ' "$TCC_STDOUT")" 6
check_eq "apply: --dry-run changes nothing" "$(ids)" "$ids0"
check_ok "apply: a three-slot change" tcc apply -f "$G"
check_ok "apply: diff after apply" tcc diff -f "$G"
check_eq "apply: the new rule drops" "$(send 7002)" 0
check_eq "apply: the old rule is gone" "$(send 7000)" "$N"
check_eq "apply: the new map entry drops" "$(send 6001)" 0
check_eq "apply: the old map entry is gone" "$(send 6000)" "$N"
check_eq "apply: a generation changes every program id" \
	"$(jq -n --argjson a "$ids0" --argjson b "$(ids)" '[$a[], $b[]] | unique | length')" 14
check_ok "apply: rollback" tcc rollback
check_eq "apply: rollback restores every program id" "$(ids)" "$ids0"
check_eq "apply: rollback restores the old rule" "$(send 7000)" 0
check_eq "apply: rollback restores the old map entry" "$(send 6000)" 0
check_eq "apply: after rollback the old file matches" "$(tcc diff -f "$F" >/dev/null; echo $?)" 0
check_ok "apply: rollback again goes forward" tcc rollback
check_eq "apply: forward again: the new file matches" "$(tcc diff -f "$G" >/dev/null; echo $?)" 0
check_ok "apply: back to the saved file" tcc apply -f "$F"

# ---- one slot: one prog-array update, the others untouched ---------------------
ids1=$(ids)
H=$TCC_TMP/one.conf
sed 's/rate=100000pps burst=1000/rate=100000pps burst=999/' "$F" >"$H"
check_eq "apply: one-slot change is a stage change" \
	"$(tcc -j diff -f "$H" | jq -r '.chains[0].action')" stage
check_ok "apply: one-slot change" tcc apply -f "$H"
check_eq "apply: one-slot change keeps the other ids" \
	"$(ids | jq -c 'del(.[3])')" "$(jq -c 'del(.[3])' <<<"$ids1")"

# ---- chains the file does not have go; chains it has come ---------------------
chain_add "$B" b0 egress
E=$TCC_TMP/empty.conf
echo "# nothing" >"$E"
check_eq "apply: a chain not in the file is in the plan" \
	"$(tcc -j diff -f "$H" | jq -c '[.chains[] | [.dir, .action]]')" '[["egress","del"]]'
check_ok "apply: apply removes the chain not in the file" tcc apply -f "$H"
check_eq "apply: only the file's chain is left" "$(tcc -j show | jq -c '[.[] | .dir]')" '["ingress"]'
check_ok "apply: an empty file removes every chain" tcc apply -f "$E"
check_eq "apply: no chain left" "$(tcc -j show | jq -c 'length')" 0
check_ok "apply: the saved file on no chain at all" tcc apply -f "$F"
check_ok "apply: then nothing differs" tcc diff -f "$F"
check_eq "apply: rules of a chain made from the file drop" "$(send 7000)" 0
check_eq "apply: map entries of a chain made from the file drop" "$(send 6000)" 0
check_eq "apply: traffic passes through a chain made from the file" "$(send 7001)" "$N"

# ---- every namespace ---------------------------------------------------------------
check_eq "apply: save --all-namespaces has a section for the namespace" \
	"$("$TCCHAIN" save --all-namespaces | sed -n "/^netns $B\$/,/^netns /p" | grep -c '^stage set')" 6
check_eq "apply: -j save --all-namespaces" \
	"$("$TCCHAIN" -j save --all-namespaces | jq -c --arg b "$B" '[.[] | select(.netns_name == $b) | .chains[] | .dir]')" \
	'["ingress"]'
check_eq "apply: a section applies with -n" \
	"$("$TCCHAIN" save --all-namespaces | sed -n "/^netns $B\$/,/^netns /p" | grep -v '^netns' | tcc diff -f - >/dev/null; echo $?)" 0
check_fail "apply: a netns line is refused" "'netns' does not belong in a chain file" \
	sh -c "echo 'netns x' | '$TCCHAIN' -n '$B' apply -f -"
