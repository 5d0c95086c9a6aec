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
 * Written as the SDK would ship it, so that it is measured against the
 * "tcchain" design with the same work: the entry's reset and chain row,
 * the stats counted where a packet ends, the cost/trace hooks (off).  Only
 * the transfer of control differs: no next[] table, no switch, one site.
 * A failed tail call is the end of the chain, never a miss: with every
 * hole filled, an empty index after a stage means no stage follows.
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

/* The tail call fell through: no stage after this point.  The end verdict,
 * counted on the chain's row, as the shipped dispatch's default case.
 */
static __always_inline int v2_end(struct __sk_buff *skb)
{
	struct tcc_config *cfg;
	struct tcc_stats *st;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&tcc_config, &zero);
	if (!cfg)
		return TC_ACT_OK;
	st = tcc__stats_row(TCC_STATS_CHAIN);
	if (st)
		tcc__count(st, cfg->end_verdict);
	if (__builtin_expect(TCC__OBSERVE && tcc__fw_word(skb), 0))
		tcc__observe_end(skb, TCC_TRACE_END, -1, cfg->end_verdict);
	return cfg->end_verdict;
}

/* tcc__stage_finish() with the v2 dispatch. */
static __always_inline int v2_finish(struct __sk_buff *skb, int verdict)
{
	struct tcc_stats *st;

	if (__builtin_expect(TCC__OBSERVE && tcc__fw_word(skb), 0))
		tcc__observe_hop(skb, tcc_slot, verdict);
	if (verdict == TCC_NEXT) {
		/* Slot 31 has no successor; the test folds away at load. */
		if (tcc_slot + 1 < TCC_MAX_SLOTS)
			bpf_tail_call(skb, &tcc_progs, tcc_slot + 1);
		return v2_end(skb);
	}
	st = tcc__stats_row(tcc_slot);
	if (st) {
		st->bytes += skb->len;
		tcc__count(st, verdict);
	}
	return verdict;
}

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
	bpf_tail_call(skb, &tcc_progs, 0);
	return v2_end(skb);
}

/* bench_stage.bpf.c's body under the v2 TCC_STAGE. */
SEC("tc")
int v2_stage(struct __sk_buff *skb)
{
	__u32 zero = 0;

	return v2_finish(skb, bench_body(skb, tcc_slot, bpf_map_lookup_elem(&bench_count, &zero)));
}
