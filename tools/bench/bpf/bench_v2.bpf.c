// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Dispatch v2 (issue 12, doc/dispatch.md "Dispatch v2"): every stage has
 * exactly one tail-call site, the read-only constant tcc_slot + 1, and the
 * control plane fills each empty prog-array index with the next occupied
 * stage's program.  A stage reached through a filled index still continues
 * at its own slot + 1 (tcc_slot is baked into its rodata), so a hole costs
 * nothing; indices past the last stage stay empty and the tail call falls
 * through to the end verdict.
 *
 * The SDK's own dispatch (tcc__stage_finish, tcc__dispatch) loaded with
 * plain libbpf and the bench's fill code instead of libtcchain: what the
 * "tcchain" design costs without the control plane's part, next to the
 * "next[]" design that shipped before it.
 *
 * One object, two programs (v2_entry, v2_stage); tools/bench/dispatch
 * loads the one it needs per load and fills the prog array.
 */
#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_count SEC(".maps");

/* The shipped entry (bpf/entry/entry.bpf.c) with the v2 dispatch. */
SEC("tc")
int v2_entry(struct __sk_buff *skb)
{
	struct tcc_config *cfg;
	struct tcc_scratch *s;
	struct tcc_stats *st;
	__u32 zero = 0;

	skb->cb[0] = 0;
	skb->cb[1] = 0;
	skb->cb[2] = 0;
	skb->cb[3] = 0;
	skb->cb[4] = 0;
	s = bpf_map_lookup_elem(&tcc_scratch, &zero);
	if (s)
		__builtin_memset(s, 0, sizeof(*s));
	st = tcc__stats_row(TCC_STATS_CHAIN);
	if (st) {
		st->packets++;
		st->bytes += skb->len;
	}
	cfg = bpf_map_lookup_elem(&tcc_config, &zero);
	if (!cfg)
		return TC_ACT_OK;
	if (__builtin_expect(TCC__OBSERVE && (cfg->flags & TCC_CFG_F_OBSERVE), 0))
		tcc__observe_entry(skb, cfg, st, s);
	return tcc__dispatch(skb, 0);
}

/* bench_stage.bpf.c's body under TCC_STAGE's finish. */
SEC("tc")
int v2_stage(struct __sk_buff *skb)
{
	__u32 zero = 0;

	return tcc__stage_finish(skb, bench_body(skb, tcc_slot, bpf_map_lookup_elem(&bench_count, &zero)));
}
