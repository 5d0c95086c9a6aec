/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Shared pieces of the dispatch benchmark programs (tools/bench/dispatch.c).
 *
 * Every variant runs the same per-packet work so that only the dispatch
 * differs: the entry's reset (cb[] and scratch cleared, as the shipped
 * entry does) and N copies of one minimal stage body.  The body touches
 * the three things a real stage touches: the per-CPU scratch, a cb word
 * and a per-CPU counter of its own.  The cb word doubles as the proof
 * that every stage ran: the benchmark reads cb[0] back through ctx_out and
 * expects N.
 *
 * The maps come from the SDK header, so the tail-call variants share the
 * chain's real map layout.
 */
#ifndef BENCH_H
#define BENCH_H

#include <tcchain.h>

#define BENCH_MAX_STAGES	TCC_MAX_SLOTS

/* The shipped entry's per-packet reset, without its stats row. */
static __always_inline void bench_reset(struct __sk_buff *skb)
{
	struct tcc_scratch *s;

	skb->cb[0] = 0;
	skb->cb[1] = 0;
	skb->cb[2] = 0;
	skb->cb[3] = 0;
	skb->cb[4] = 0;
	s = tcc_scratch_get();
	if (s)
		__builtin_memset(s, 0, sizeof(*s));
}

/*
 * One minimal stage: a scratch byte, cb word A, and the stage's counter.
 * idx says which scratch byte; cnt is the stage's own per-CPU counter.
 */
static __always_inline int bench_body(struct __sk_buff *skb, __u32 idx, __u64 *cnt)
{
	struct tcc_scratch *s = tcc_scratch_get();

	if (s)
		s->user[idx & (TCC_SCRATCH_USER_SIZE - 1)]++;
	/* Where many bodies are inlined into one program, clang would hoist
	 * &skb->cb[0] into a register, and the verifier rejects a modified
	 * ctx pointer.  The empty asm hides skb's value from that CSE; it
	 * emits no instruction.
	 */
	asm volatile("" : "+r"(skb));
	tcc_cb_set(skb, TCC_CB_A, tcc_cb_get(skb, TCC_CB_A) + 1);
	if (cnt)
		(*cnt)++;
	return TCC_NEXT;
}

#endif /* BENCH_H */
