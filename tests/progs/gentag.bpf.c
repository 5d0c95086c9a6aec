// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Test stage for generations (tests/netns/test_generations.sh): each
 * stage writes its generation's tag into cb word A, or notes in word B
 * that the packet already carries another generation's tag; the final
 * stage drops such a packet, so the chain's drop count is the number of
 * packets that ran through a mix of two generations.
 */
#include <tcchain.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 tag = 1;
const volatile __u32 final = 0;

TCC_STAGE(gentag)(struct __sk_buff *skb)
{
	__u32 seen = tcc_cb_get(skb, TCC_CB_A);

	if (!seen)
		tcc_cb_set(skb, TCC_CB_A, tag);
	else if (seen != tag)
		tcc_cb_set(skb, TCC_CB_B, 1);
	if (final && tcc_cb_get(skb, TCC_CB_B))
		return TCC_DROP;
	return TCC_NEXT;
}
