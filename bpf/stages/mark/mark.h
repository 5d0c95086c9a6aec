/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The mark stage's maps: one layout for the BPF program (mark.bpf.c), its
 * library module (mark.c), the tests and the benchmark.
 */
#ifndef TCC_STAGE_MARK_H
#define TCC_STAGE_MARK_H

#include <linux/types.h>

/* Rules are tried one after the other, each unrolled: keep the list short
 * (a longer one belongs in a trie, as in the acl stage).
 */
#define MARK_MAX_RULES		8
#define MARK_SET_MARK		(1U << 0)
#define MARK_SET_PRIORITY	(1U << 1)
#define MARK_SET_CLASSID	(1U << 2)

struct mark_rule {
	__u8 set;
	__u8 proto;
	__u8 ip_ver;
	__u8 src_prefixlen;
	__u16 dport_min;
	__u16 dport_max;
	union {
		__u8 src[16];
		__u32 src_words[4];	/* the same bytes, for word compares */
	};
	__u32 mark;
	__u32 priority;
	__u16 classid;
	__u16 pad;
};

struct mark_rules {
	__u32 n_rules;
	struct mark_rule rules[MARK_MAX_RULES];
};

#endif
