// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test stage the verifier must reject: reads the packet without a bounds check. */
#include <tcchain.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

TCC_STAGE(verifier_reject)(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;

	return *(__u32 *)(data + 30) == 7 ? TCC_DROP : TCC_NEXT;
}
