// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Test stage for per-stage cost: spins a bounded number of bpf_loop()
 * rounds and continues.  test_cost.sh times it alone with
 * BPF_PROG_TEST_RUN and compares with what `tcchain stats` measures (in
 * its longer build, cost_spin_long.bpf.c).
 */
#include <tcchain.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#ifndef COST_SPIN_ROUNDS
#define COST_SPIN_ROUNDS	200	/* ~400 ns here (make bench's check) */
#endif

const volatile __u32 spin = COST_SPIN_ROUNDS;	/* bpf_loop rounds */

static long spin_once(__u32 i, void *arg)
{
	__u64 *acc = arg;

	*acc = *acc * 31 + i;
	return 0;
}

TCC_STAGE(cost_spin)(struct __sk_buff *skb)
{
	__u64 acc = skb->len;

	bpf_loop(spin, spin_once, &acc, 0);
	if (acc == 1)		/* never: keeps the loop's work */
		return TCC_DROP;
	return TCC_NEXT;
}
