// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Test stage: records its slot, what it found in cb and scratch, and its
 * param, then continues or returns the verdict param.
 */
#include <tcchain.h>
#include "trace_slots.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __s32 verdict = TCC_NEXT;
const volatile __u32 cb_set = 0;	/* written to TCC_CB_A when non-zero */
const volatile __u32 value = 0;
const volatile __u8 small = 0;		/* for range checks */
const volatile char label[8] = "";	/* for string params */

_Static_assert(sizeof(struct trace_slots) <= TCC_SCRATCH_USER_SIZE, "trace fits");

TCC_STAGE(trace_slots)(struct __sk_buff *skb)
{
	struct tcc_scratch *s = tcc_scratch_get();
	struct trace_slots *t;

	if (!s)
		return TCC_DROP;
	t = (struct trace_slots *)s->user;
	if (t->n == 0) {
		t->cb_seen_first = tcc_cb_get(skb, TCC_CB_A);
		t->marker_seen = t->marker;
	}
	t->cb_seen_last = tcc_cb_get(skb, TCC_CB_A);
	if (t->n < 32)
		t->slot[t->n & 31] = tcc_slot;
	t->n++;
	t->marker = RT_MARKER;
	t->param_seen = value + small + label[0];
	if (cb_set)
		tcc_cb_set(skb, TCC_CB_A, cb_set);
	return verdict;
}
