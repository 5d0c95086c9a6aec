/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The acl module's rule tables, private to its user-space half:
 *
 *   acl_table.c	one trie's lists loaded, edited and stored
 *   acl_repair.c	the tables made consistent after a killed edit
 *   acl.c		the rules as the CLI sees them: words and ops
 */
#ifndef TCC_STAGE_ACL_TABLE_H
#define TCC_STAGE_ACL_TABLE_H

#include <stdbool.h>

#include "tcchain/lib/internal.h"
#include "acl.h"

struct acl_list {
	struct tcc_prefix pfx;
	int n;
	struct acl_rule rules[ACL_RULES_PER_PREFIX];
	bool dirty;
};

struct acl_table {
	bool dst;
	int family;
	struct tcc_map m;
	struct acl_list *lists;
	int n;
};

/* The four tries: acl_src4, acl_dst4, acl_src6, acl_dst6 (in that order). */
#define ACL_N_TABLES	4
extern const struct acl_table_desc {
	bool dst;
	int family;
	const char *map;
} acl_tables[ACL_N_TABLES];

void acl_table_free(struct acl_table *t);
/* Trie `which` (an index into acl_tables) of the stage in slot. */
int acl_table_load(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot, size_t which,
		   struct acl_table *t);
/* Write the changed lists; see acl_table.c for the order. */
int acl_table_store(struct tcc_ctx *ctx, struct acl_table *t, bool widest_first);
/* r on l (once); -ENOSPC when l is full. */
int acl_list_append(struct acl_list *l, const struct acl_rule *r);
/* Put r on its prefix in t, and on every more specific prefix. */
int acl_table_add(struct tcc_ctx *ctx, struct acl_table *t, const struct tcc_prefix *p,
		  const struct acl_rule *r);
/* Rule id out of every list of t; whether any held it. */
bool acl_table_remove(struct acl_table *t, __u32 id);
/* acl_repair.c: before an edit, the tables as an uninterrupted history
 * of edits leaves them. */
int acl_repair(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot);

#endif
