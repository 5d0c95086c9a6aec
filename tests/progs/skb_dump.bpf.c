// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Test stage: copy what earlier stages left (scratch->pkt, skb->mark,
 * priority, tc_classid) into the map skb_dump_out for the test to read.
 * tc_classid has to be read here: BPF_PROG_TEST_RUN does not copy it back
 * in ctx_out.
 *
 * Param use_pkt_get=1 calls tcc_pkt_get() first, as a stage that does not
 * rely on a parse stage would.
 */
#include <tcchain.h>
#include <tcchain/parse.h>
#include "skb_dump.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 use_pkt_get = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct skb_dump);
} skb_dump_out SEC(".maps");

TCC_STAGE(skb_dump)(struct __sk_buff *skb)
{
	struct tcc_scratch *s = tcc_scratch_get();
	struct skb_dump *d;
	__u32 zero = 0;

	d = bpf_map_lookup_elem(&skb_dump_out, &zero);
	if (!d || !s)
		return TCC_NEXT;
	if (use_pkt_get)
		tcc_pkt_get(skb, s);
	d->pkt = s->pkt;
	d->mark = skb->mark;
	d->priority = skb->priority;
	d->tc_classid = skb->tc_classid;
	d->runs++;
	return TCC_NEXT;
}
