// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Includes the SDK but skips TCC_STAGE: a plain SEC("tc") program that
 * drops everything.  It neither counts its verdict nor hands the packet
 * on, so the loader must take it as a foreign, terminal stage.
 */
#include <tcchain.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int sdk_plain(struct __sk_buff *skb)
{
	return TCC_DROP;
}
