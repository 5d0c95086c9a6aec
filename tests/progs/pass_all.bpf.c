// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test stage: continues; two copies (A, B) for the live-replace test. */
#include <tcchain.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 version = 0;	/* makes A and B different programs */

TCC_STAGE(pass_all)(struct __sk_buff *skb)
{
	if (version == 0xffffffff)
		return TCC_DROP;
	return TCC_NEXT;
}
