// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test stage built against a future SDK ABI (v3): the loader must refuse it. */
#include <tcchain/abi.h>
#undef TCC_ABI_VERSION
#define TCC_ABI_VERSION 3
#include <tcchain.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

TCC_STAGE(abi_v3)(struct __sk_buff *skb)
{
	return TCC_NEXT;
}
