/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The acl stage's maps: one layout for the BPF program (acl.bpf.c), its
 * library module (acl.c), the tests and the benchmark.  acl.bpf.c says
 * what the fields mean.
 */
#ifndef TCC_STAGE_ACL_H
#define TCC_STAGE_ACL_H

#include <linux/types.h>

#define ACL_RULES_PER_PREFIX	8	/* a prefix's list, inherited rules included */
#define ACL_MAX_RULES		1024	/* ids 1..1023; acl_hits[0]: default */
#define ACL_MAX_PREFIXES	4096	/* per trie */

enum acl_action {
	ACL_CONTINUE	= 0,
	ACL_PASS	= 1,
	ACL_DROP	= 2,
};

/* struct acl_rule.flags */
#define ACL_F_BOTH	(1U << 0)	/* the rule has a source and a destination
					 * prefix: it sits in both tries' lists and
					 * matches only when found in both */

struct acl_key4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct acl_key6 {
	__u32 prefixlen;
	__u8 addr[16];
};

struct acl_rule {
	__u16 id;
	__u8 proto;
	__u8 action;
	__u16 dport_min;
	__u16 dport_max;
	__u16 flags;
};

struct acl_rules {
	__u32 n_rules;
	struct acl_rule rules[ACL_RULES_PER_PREFIX];
};

#endif
