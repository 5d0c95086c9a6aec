// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The acl module's tables: one per trie, one list per prefix (acl.h),
 * loaded from the trie, edited in memory, and written back list by list.
 * Every list also carries the rules of the prefixes that cover it (acl.c
 * says why).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "acl_table.h"

const struct acl_table_desc acl_tables[ACL_N_TABLES] = {
	{ false, AF_INET, "acl_src4" }, { true, AF_INET, "acl_dst4" },
	{ false, AF_INET6, "acl_src6" }, { true, AF_INET6, "acl_dst6" },
};

void acl_table_free(struct acl_table *t)
{
	free(t->lists);
	if (t->m.fd >= 0)
		tcc_map_close(&t->m);
	t->lists = NULL;
	t->n = 0;
	t->m.fd = -1;
}

int acl_table_load(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot, size_t which,
		      struct acl_table *t)
{
	size_t alen = acl_tables[which].family == AF_INET ? 4 : 16;
	__u8 key[20], next[20];
	struct acl_rules val;
	void *prev = NULL;
	int err;

	memset(t, 0, sizeof(*t));
	t->dst = acl_tables[which].dst;
	t->family = acl_tables[which].family;
	err = tcc__map_open_layout(ctx, c, slot, acl_tables[which].map, 4 + alen, sizeof(val), &t->m);
	if (err)
		return err;
	while (!bpf_map_get_next_key(t->m.fd, prev, next)) {
		struct acl_list *l;
		__u32 plen;

		memcpy(key, next, 4 + alen);
		prev = key;
		/* An existing prefix's own entry is its longest match. */
		if (bpf_map_lookup_elem(t->m.fd, key, &val))
			continue;
		l = realloc(t->lists, (t->n + 1) * sizeof(*l));
		if (!l)
			return -ENOMEM;
		t->lists = l;
		l = &t->lists[t->n++];
		memset(l, 0, sizeof(*l));
		memcpy(&plen, key, 4);
		l->pfx.family = t->family;
		l->pfx.plen = plen;
		memcpy(l->pfx.addr, key + 4, alen);
		l->n = val.n_rules < ACL_RULES_PER_PREFIX ? val.n_rules : ACL_RULES_PER_PREFIX;
		memcpy(l->rules, val.rules, sizeof(l->rules));
	}
	return 0;
}

/* Write the changed lists, each in one update: packets see a list before
 * or after an edit, never half of one. */
static int cmp_wide(const void *a, const void *b)
{
	const struct acl_list *x = a, *y = b;

	return (x->pfx.plen > y->pfx.plen) - (x->pfx.plen < y->pfx.plen);
}

static int cmp_narrow(const void *a, const void *b)
{
	return cmp_wide(b, a);
}

/*
 * Lists are written one by one, so a command killed half-way leaves some
 * written: adding writes the widest prefix first (the rule's own list),
 * deleting the narrowest first (the rule's own list last).  Either way
 * the rule's own list says what the command was doing, and acl_repair()
 * makes every list agree with it at the next edit.
 */
int acl_table_store(struct tcc_ctx *ctx, struct acl_table *t, bool widest_first)
{
	size_t alen = t->family == AF_INET ? 4 : 16;

	if (t->n)
		qsort(t->lists, t->n, sizeof(*t->lists), widest_first ? cmp_wide : cmp_narrow);

	for (int i = 0; i < t->n; i++) {
		struct acl_list *l = &t->lists[i];
		struct acl_rules val = { .n_rules = l->n };
		__u8 key[20] = {};
		__u32 plen = l->pfx.plen;

		if (!l->dirty)
			continue;
		memcpy(key, &plen, 4);
		memcpy(key + 4, l->pfx.addr, alen);
		if (!l->n) {
			if (bpf_map_delete_elem(t->m.fd, key) && errno != ENOENT)
				return tcc__refused(ctx, tcc__fail(ctx, -errno, "cannot update %s", t->m.name));
			continue;
		}
		memcpy(val.rules, l->rules, sizeof(val.rules));
		if (bpf_map_update_elem(t->m.fd, key, &val, BPF_ANY))
			return tcc__refused(ctx, tcc__fail(ctx, -errno, "cannot update %s", t->m.name));
		l->dirty = false;
	}
	return 0;
}

int acl_list_append(struct acl_list *l, const struct acl_rule *r)
{
	for (int i = 0; i < l->n; i++)
		if (l->rules[i].id == r->id)
			return 0;
	if (l->n >= ACL_RULES_PER_PREFIX)
		return -ENOSPC;
	l->rules[l->n++] = *r;
	l->dirty = true;
	return 0;
}

/* Put r on its prefix in t, and on every more specific prefix. */
int acl_table_add(struct tcc_ctx *ctx, struct acl_table *t, const struct tcc_prefix *p,
		     const struct acl_rule *r)
{
	struct acl_list *own = NULL;
	char text[64];

	for (int i = 0; i < t->n; i++)
		if (t->lists[i].pfx.plen == p->plen && !memcmp(t->lists[i].pfx.addr, p->addr, 16))
			own = &t->lists[i];
	if (!own) {
		/* A new prefix starts with the rules of every prefix that
		 * covers it, so it hides none of them. */
		struct acl_list *grown = realloc(t->lists, (t->n + 1) * sizeof(*grown));
		struct acl_list fresh = { .pfx = *p, .dirty = true };

		if (!grown)
			return -ENOMEM;
		t->lists = grown;
		for (int i = 0; i < t->n; i++)
			for (int k = 0; k < t->lists[i].n; k++)
				if (tcc__prefix_covers(&t->lists[i].pfx, p->plen, p->addr) &&
				    acl_list_append(&fresh, &t->lists[i].rules[k]))
					goto full;
		t->lists[t->n++] = fresh;
		own = &t->lists[t->n - 1];
	}
	for (int i = 0; i < t->n; i++) {
		struct acl_list *l = &t->lists[i];

		if ((l == own || tcc__prefix_covers(p, l->pfx.plen, l->pfx.addr)) &&
		    acl_list_append(l, r))
			goto full;
	}
	return 0;
full:
	tcc__fmt_prefix(p, text, sizeof(text));
	return tcc__fail(ctx, -ENOSPC, "the rules that apply to %s %s would exceed %d, "
			 "the most one prefix holds", t->dst ? "dst" : "src", text,
			 ACL_RULES_PER_PREFIX);
}

bool acl_table_remove(struct acl_table *t, __u32 id)
{
	bool found = false;

	for (int li = 0; li < t->n; li++) {
		struct acl_list *l = &t->lists[li];
		int o = 0;

		for (int ri = 0; ri < l->n; ri++)
			if (l->rules[ri].id != id)
				l->rules[o++] = l->rules[ri];
		if (o != l->n) {
			found = l->dirty = true;
			l->n = o;
		}
	}
	return found;
}
