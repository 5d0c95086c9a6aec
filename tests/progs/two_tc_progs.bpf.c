// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test object with two tc programs: 'prog NAME' must choose. */
#include <tcchain.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

TCC_STAGE(two_tc_progs_a)(struct __sk_buff *skb)
{
	return TCC_NEXT;
}

TCC_STAGE(two_tc_progs_b)(struct __sk_buff *skb)
{
	return TCC_DROP;
}
