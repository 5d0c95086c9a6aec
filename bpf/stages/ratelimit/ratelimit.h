/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The ratelimit stage's maps: one layout for the BPF program
 * (ratelimit.bpf.c), its library module (ratelimit.c), the tests and the
 * benchmark.
 */
#ifndef TCC_STAGE_RATELIMIT_H
#define TCC_STAGE_RATELIMIT_H

#include <linux/types.h>

#define RL_MAX_SOURCES	16384

struct rl_bucket {
	__u64 tat;
};

struct rl_key {
	__u8 addr[16];
	__u8 ip_ver;
	__u8 pad[3];
};

struct rl_stats {
	__u64 passed;
	__u64 passed_bytes;
	__u64 over;
	__u64 over_bytes;
};

#endif
