// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test stage: drops every packet. */
#include <tcchain.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

TCC_STAGE(drop_all)(struct __sk_buff *skb)
{
	return TCC_DROP;
}
