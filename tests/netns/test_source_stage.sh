#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Stages from C source: `stage set 3 guard.bpf.c` compiles the file with
# clang (-O2 -g -target bpf, the SDK headers) into the stage cache and
# loads it.  The stage, written here with a param and its own map, works
# with traffic; show names the source and the object; without clang, or
# with a compile error, the command fails with clang's words and the chain
# is unchanged.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic
command -v clang >/dev/null || skip_all "clang not installed"

N=100

setup_ns A B
setup_veth "$A" a0 "$B" b0

tcc() { "$TCCHAIN" -n "$B" "$@"; }
got() { udp_count "$A" "$VETH_B4" "$B" 5001 "$N"; }
stage() { tcc -j stage show | jq -r ".[0].stages[] | select(.slot == $1) | $2"; }

# A TTL guard: drops IPv4/IPv6 packets whose TTL is below min_ttl unless
# its own map says off=1; counts what it dropped in the same map.
SRC=$TCC_TMP/guard.bpf.c
cat >"$SRC" <<'C'
#include <tcchain.h>
#include <tcchain/parse.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u8 min_ttl = 1;

struct guard_cfg {
	__u32 off;
	__u32 dropped;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct guard_cfg);
} guard_cfg SEC(".maps");

TCC_STAGE(guard)(struct __sk_buff *skb)
{
	struct tcc_pkt *pkt = tcc_pkt_get(skb, tcc_scratch_get());
	struct guard_cfg *cfg;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&guard_cfg, &zero);
	if (!cfg || cfg->off || !pkt || !pkt->ip_ver || pkt->ttl >= min_ttl)
		return TCC_NEXT;
	__sync_fetch_and_add(&cfg->dropped, 1);
	return TCC_DROP;
}
C

chain_add "$B" b0 ingress
check_ok "source: stage set 3 guard.bpf.c param min_ttl=65" tcc stage set 3 "$SRC" param min_ttl=65
check_eq "source: show -j names the source" "$(stage 3 .file)" "$SRC"
obj=$(stage 3 .object)
defer rm -f "$obj"
check_eq "source: show -j names the compiled object, in the cache" \
	"$([[ $obj == /var/cache/tcchain/guard-*.bpf.o ]] && [ -f "$obj" ] && echo yes)" yes
check_eq "source: the object has BTF line info (-g)" \
	"$(bpftool btf dump file "$obj" >/dev/null 2>&1 && echo yes)" yes
capture tcc stage show
check_eq "source: show text names both" \
	"$(grep -c "slot  3: guard .* file $SRC object $obj " "$TCC_STDOUT")" 1

# TTL 64 from A: below 65, every datagram is dropped and counted.
check_eq "source: param min_ttl=65 drops TTL 64" "$(got)" 0
check_range "source: its own map counted them" \
	"$(tcc -j map show 3 guard_cfg | jq '.[0].entries[0].value.dropped')" "$N" "$((N + 20))"
check_ok "source: map set on its own map (off=1)" tcc map set 3 guard_cfg key 0 value off=1
check_eq "source: off=1 passes everything" "$(got)" "$N"
check_ok "source: map set off=0" tcc map set 3 guard_cfg key 0 value off=0
check_ok "source: stage set again, param min_ttl=5" tcc stage set 3 "$SRC" param min_ttl=5
check_eq "source: min_ttl=5 passes TTL 64" "$(got)" "$N"
check_eq "source: the same source keeps one object" "$(stage 3 .object)" "$obj"

# A bare name ending in .c is a file of the current directory, not a
# library name.
check_ok "source: a bare guard.bpf.c is a file here" \
	bash -c "cd '$TCC_TMP' && '$TCCHAIN' -n '$B' stage set 4 guard.bpf.c"
check_eq "source: ... and shown with its absolute path" "$(stage 4 .file)" "$SRC"
check_ok "source: stage del 4" tcc stage del 4

before=$(tcc -j stage show)

# No clang: one line that says so and how to do without.
check_fail "source: clang missing" \
	"cannot compile .*guard.bpf.c: clang is not installed \(not in PATH.*build the object elsewhere with 'clang -O2 -g -target bpf -c" \
	env PATH=/nonexistent "$TCCHAIN" -n "$B" stage set 5 "$SRC"
check_eq "source: clang missing: chain unchanged" "$(tcc -j stage show)" "$before"

# A compile error: clang's diagnostics, the chain unchanged.
BAD=$TCC_TMP/broken.bpf.c
printf '#include <tcchain.h>\nTCC_STAGE(broken)(struct __sk_buff *skb)\n{\n\treturn undeclared_thing;\n}\n' >"$BAD"
capture tcc stage set 5 "$BAD"
rc=$?
check_eq "source: compile error: exit status 1" "$rc" 1
check_eq "source: compile error: the error line has clang's first error" \
	"$(head -n 1 "$TCC_STDERR" | grep -c "^Error: cannot set stage 5 .*: clang failed: .*broken.bpf.c:4:.*error: use of undeclared identifier 'undeclared_thing'")" 1
check_eq "source: compile error: clang's whole diagnostic follows" \
	"$(grep -c "errors\? generated" "$TCC_STDERR")" 1
check_eq "source: compile error: chain unchanged" "$(tcc -j stage show)" "$before"
check_eq "source: compile error: no object left in the cache" \
	"$(ls /var/cache/tcchain/ | grep -c '^broken-')" 0
capture tcc -j stage set 5 "$BAD"
check_eq "source: compile error with -j: one JSON error on stdout" \
	"$(jq -r '.error | test("clang failed")' "$TCC_STDOUT")" true

check_fail "source: a missing source file" "cannot set stage 5 .*nosuch.bpf.c.*No such file" \
	tcc stage set 5 "$TCC_TMP/nosuch.bpf.c"
