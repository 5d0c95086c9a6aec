/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* ttlguard: the map layout shared by ttlguard.bpf.c and ttlguard.c. */
#ifndef TCC_STAGE_TTLGUARD_H
#define TCC_STAGE_TTLGUARD_H

#include <linux/types.h>

#define TTLGUARD_MAX_RULES	4

struct ttlguard_rule {
	__u16 dport;		/* host order */
	__u8 min_ttl;		/* drop when the packet's TTL is lower */
	__u8 pad;
};

struct ttlguard_rules {
	__u32 n_rules;
	struct ttlguard_rule rules[TTLGUARD_MAX_RULES];
};

#endif
