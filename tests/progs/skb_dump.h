/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What skb_dump.bpf.o records, shared by the stage and the tests that read
 * its map (skb_dump_out, one element) back through tcc_stage_map_fd().
 */
#ifndef SKB_DUMP_H
#define SKB_DUMP_H

#include <linux/types.h>
#include <tcchain/abi.h>

struct skb_dump {
	struct tcc_pkt pkt;	/* scratch->pkt as this stage found it */
	__u32 mark;		/* skb fields as this stage found them */
	__u32 priority;
	__u32 tc_classid;
	__u32 runs;		/* packets that reached the stage */
};

#endif
