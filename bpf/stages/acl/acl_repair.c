// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * acl: repair before an edit.  Rule edits write one list at a time, so a
 * command killed half-way leaves some lists written; the next edit
 * finishes or undoes it here (reads need no repair: acl.c's collect()
 * already shows what this will leave).
 */
#include "acl_table.h"

static bool table_has(const struct acl_table *t, __u16 id)
{
	for (int li = 0; li < t->n; li++)
		for (int ri = 0; ri < t->lists[li].n; ri++)
			if (t->lists[li].rules[ri].id == id)
				return true;
	return false;
}

/* Drop the two-prefix rules of a that b does not hold. */
static void drop_half_rules(struct acl_table *a, const struct acl_table *b)
{
	for (int li = 0; li < a->n; li++) {
		for (int ri = 0; ri < a->lists[li].n; ri++) {
			const struct acl_rule *r = &a->lists[li].rules[ri];

			if ((r->flags & ACL_F_BOTH) && !table_has(b, r->id)) {
				acl_table_remove(a, r->id);
				ri = -1;	/* the list moved under us */
			}
		}
	}
}

/*
 * Make the maps what an uninterrupted history of edits leaves, before
 * an edit: a two-prefix rule in one trie only (its add or delete was
 * killed between the tries) goes, as it never matched; a list that lacks
 * a rule of a prefix covering it (an add or delete killed between lists)
 * gets it back.  Normally this writes nothing.
 */
int acl_repair(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot)
{
	struct acl_table t[4];
	int err = 0, i;

	for (i = 0; i < 4; i++)
		t[i] = (struct acl_table){ .m.fd = -1 };
	for (i = 0; i < 4 && !err; i++)
		err = acl_table_load(ctx, c, slot, i, &t[i]);
	for (i = 0; i < 4 && !err; i += 2) {
		drop_half_rules(&t[i], &t[i + 1]);
		drop_half_rules(&t[i + 1], &t[i]);
	}
	for (i = 0; i < 4 && !err; i++) {
		for (int k = 0; k < t[i].n; k++) {
			for (int l = 0; l < t[i].n; l++) {
				const struct acl_list *wide = &t[i].lists[k];

				if (k == l || wide->pfx.plen >= t[i].lists[l].pfx.plen ||
				    !tcc__prefix_covers(&wide->pfx, t[i].lists[l].pfx.plen,
							t[i].lists[l].pfx.addr))
					continue;
				for (int r = 0; r < wide->n; r++)
					acl_list_append(&t[i].lists[l], &wide->rules[r]);
			}
		}
	}
	for (i = 0; i < 4 && !err; i++)
		err = acl_table_store(ctx, &t[i], true);
	for (i = 0; i < 4; i++)
		acl_table_free(&t[i]);
	return err;
}
