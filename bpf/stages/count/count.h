/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The count stage's maps: one layout for the BPF program (count.bpf.c),
 * the tests and the benchmark.
 */
#ifndef TCC_STAGE_COUNT_H
#define TCC_STAGE_COUNT_H

#include <linux/types.h>

#define COUNT_MAX_PORTS		4096

struct count_val {
	__u64 packets;
	__u64 bytes;
};

struct count_port {
	__u8 proto;
	__u8 pad;
	__u16 dport;
};

#endif
