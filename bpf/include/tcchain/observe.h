/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Per-stage cost and packet trace: the framework's side of the SDK,
 * included by <tcchain.h>; stages never call it.  Everything here runs only
 * for a packet the entry chose (skb->cb[TCC_CB_FRAMEWORK] != 0), so with
 * cost and trace off a stage pays one context load and one branch.
 * doc/observe.md says what is measured and how.
 */
#ifndef TCCHAIN_OBSERVE_H
#define TCCHAIN_OBSERVE_H

/* The framework's cb word, read past clang's CSE (see tcc_cb_get). */
static __always_inline __u32 tcc__fw_word(struct __sk_buff *skb)
{
	asm volatile("" : "+r"(skb));
	return skb->cb[TCC_CB_FRAMEWORK];
}

/*
 * The entry's part is inlined (one program).  A stage's part is one
 * subprogram, tcc__observe_slow(), called only for a sampled or traced
 * packet: inlined, it made every stage's JIT image ~1.3 KB bigger, code
 * that every packet's stages carry through the instruction cache (make
 * bench could not resolve a runtime difference; doc/observe.md).  The
 * subprogram has no tail call, so the x86 JIT leaves the stage's own
 * tail-call handling as it was (the count is only passed along at the call,
 * on the slow path) and the combined stack stays far below the limit for
 * programs that tail call.  doc/observe.md has the figures.
 */
#define TCC__OBS	static __always_inline

/* One event.  The reader is never woken: a wakeup is an irq_work, a
 * self-IPI that cost ~5 us per packet in a VM here; the tracer reads
 * the ring every 20 ms instead.
 */
TCC__OBS void tcc__trace_emit(struct __sk_buff *skb, struct tcc_scratch *s, __u32 kind,
			      int slot, int verdict, __u64 now, __u32 seq, __u32 ns)
{
	struct tcc_trace_event *e;

	e = bpf_ringbuf_reserve(&tcc_trace, sizeof(*e), 0);
	if (!e)
		return;		/* reader too slow: the packet loses this hop */
	e->ts = now;
	e->kind = kind;
	e->cpu = bpf_get_smp_processor_id();
	e->seq = seq;
	e->slot = slot;
	e->verdict = verdict;
	e->len = skb->len;
	e->ifindex = skb->ifindex;
	e->mark = skb->mark;
	e->cb[0] = skb->cb[0];
	e->cb[1] = skb->cb[1];
	e->cb[2] = skb->cb[2];
	e->cb[3] = skb->cb[3];
	e->cb[4] = skb->cb[4];
	e->ns = ns;
	e->hdr = s->hdr;
	__builtin_memcpy(&e->pkt, &s->pkt, sizeof(e->pkt));
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

/*
 * At the entry, with cfg->flags & TCC_CFG_F_OBSERVE: choose whether this
 * packet is timed and/or traced (by the CPU's packet count, so the choice
 * costs no helper call), and stamp the start.
 */
TCC__OBS void tcc__observe_entry(struct __sk_buff *skb, struct tcc_config *cfg,
					  struct tcc_stats *st, struct tcc_scratch *s)
{
	__u32 flags, fw = 0, n;
	__u64 now;

	if (!st || !s)
		return;
	flags = cfg->flags;
	n = st->packets;
	if ((flags & TCC_CFG_F_COST) &&
	    !(n & ((1U << TCC_CFG_COST_SHIFT(flags)) - 1))) {
		fw |= TCC_FW_COST;
		st->cost_samples++;
	}
	if ((flags & TCC_CFG_F_TRACE) &&
	    !(n & ((1U << TCC_CFG_TRACE_SHIFT(flags)) - 1)))
		fw |= TCC_FW_TRACE;
	if (!fw)
		return;
	skb->cb[TCC_CB_FRAMEWORK] = fw;
	s->hdr.flags = fw;
	now = bpf_ktime_get_ns();
	s->hdr.seq = (__u32)now;
	if (fw & TCC_FW_TRACE) {
		tcc__trace_emit(skb, s, TCC_TRACE_ENTRY, -1, 0, now, n, 0);
		s->hdr.seq = (__u32)bpf_ktime_get_ns();	/* not the event's cost */
	}
}

/*
 * At a stage's end (before its verdict is counted or the next tail call):
 * charge the time since the previous stamp to this slot, and trace the hop.
 * One clock read per hop: what this bookkeeping costs is charged to the
 * next stage, as the entry's is to the first (doc/observe.md).
 */
TCC__OBS void tcc__observe_hop_slow(struct __sk_buff *skb, __u32 slot, int verdict)
{
	struct tcc_scratch *s;
	struct tcc_stats *st;
	__u32 zero = 0, row, d;
	__u64 now = bpf_ktime_get_ns();

	s = bpf_map_lookup_elem(&tcc_scratch, &zero);
	if (!s)
		return;
	d = (__u32)now - s->hdr.seq;	/* wraps correctly */
	if (s->hdr.flags & TCC_FW_COST) {
		row = slot;
		st = bpf_map_lookup_elem(&tcc_stats, &row);
		if (st) {
			st->cost_ns += d;
			st->cost_samples++;
		}
		row = TCC_STATS_CHAIN;
		st = bpf_map_lookup_elem(&tcc_stats, &row);
		if (st)
			st->cost_ns += d;
	}
	s->hdr.seq = (__u32)now;
	if (s->hdr.flags & TCC_FW_TRACE) {
		tcc__trace_emit(skb, s, TCC_TRACE_HOP, slot, verdict, now, 0, d);
		/* the next stage is not charged for the event */
		s->hdr.seq = (__u32)bpf_ktime_get_ns();
	}
}

/* The chain ended without a stage's verdict: end verdict or a miss. */
TCC__OBS void tcc__observe_end_slow(struct __sk_buff *skb, __u32 kind, int slot, int verdict)
{
	__u32 zero = 0;
	struct tcc_scratch *s;

	s = bpf_map_lookup_elem(&tcc_scratch, &zero);
	if (s && (s->hdr.flags & TCC_FW_TRACE))
		tcc__trace_emit(skb, s, kind, slot, verdict, bpf_ktime_get_ns(), 0, 0);
}

/*
 * A stage's slow path, out of line: a hop (TCC_TRACE_HOP) or the chain's
 * end (TCC_TRACE_END, TCC_TRACE_MISS).  One subprogram per program, so a
 * stage's image grows by its call sites only.  Returns 0 (a value the
 * verifier can see at the subprogram's exit).
 */
static __noinline __attribute__((unused))
int tcc__observe_slow(struct __sk_buff *skb, __u32 kind, int slot, int verdict)
{
	if (kind == TCC_TRACE_HOP)
		tcc__observe_hop_slow(skb, slot, verdict);
	else
		tcc__observe_end_slow(skb, kind, slot, verdict);
	return 0;
}

TCC__OBS void tcc__observe_hop(struct __sk_buff *skb, __u32 slot, int verdict)
{
	tcc__observe_slow(skb, TCC_TRACE_HOP, slot, verdict);
}

TCC__OBS void tcc__observe_end(struct __sk_buff *skb, __u32 kind, int slot, int verdict)
{
	tcc__observe_slow(skb, kind, slot, verdict);
}

#endif /* TCCHAIN_OBSERVE_H */
