// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ttlguard's module: `tcchain ttlguard add dport PORT min TTL`, del, show.
 * Ids are positions, as in the mark stage.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "tcchain/lib/internal.h"
#include "ttlguard.h"

static int rules_rw(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot,
		    struct ttlguard_rules *rs, bool write)
{
	struct tcc_map m;
	__u32 zero = 0;
	int err;

	err = tcc__map_open_layout(ctx, c, slot, "ttlguard_rules", 4, sizeof(*rs), &m);
	if (err)
		return err;
	if (write ? bpf_map_update_elem(m.fd, &zero, rs, BPF_ANY)
		  : bpf_map_lookup_elem(m.fd, &zero, rs))
		err = tcc__fail(ctx, -errno, "cannot %s ttlguard_rules", write ? "write" : "read");
	tcc_map_close(&m);
	return err;
}

static int tg_add(struct tcc_ctx *ctx, struct tcc_chain *c, __u32 slot,
		  int argc, char **argv, __u32 *id)
{
	struct ttlguard_rules rs;
	__u32 port, min;
	int err;

	if (argc != 4 || strcmp(argv[0], "dport") || strcmp(argv[2], "min"))
		return tcc__fail(ctx, -EINVAL, "ttlguard: want 'dport PORT min TTL'");
	if (tcc__word_u32(ctx, argv[1], "port", 1, 65535, &port) ||
	    tcc__word_u32(ctx, argv[3], "ttl", 1, 255, &min))
		return -EINVAL;
	err = rules_rw(ctx, c, slot, &rs, false);
	if (err)
		return err;
	if (rs.n_rules >= TTLGUARD_MAX_RULES)
		return tcc__fail(ctx, -ENOSPC, "ttlguard holds %d rules", TTLGUARD_MAX_RULES);
	rs.rules[rs.n_rules++] = (struct ttlguard_rule){ .dport = port, .min_ttl = min };
	err = rules_rw(ctx, c, slot, &rs, true);
	if (!err)
		*id = rs.n_rules;
	return err;
}

static int tg_del(struct tcc_ctx *ctx, struct tcc_chain *c, __u32 slot, __u32 id)
{
	struct ttlguard_rules rs;
	int err = rules_rw(ctx, c, slot, &rs, false);

	if (err)
		return err;
	if (id < 1 || id > rs.n_rules)
		return tcc__fail(ctx, -ENOENT, "no such rule (id %u)", id);
	memmove(&rs.rules[id - 1], &rs.rules[id], (rs.n_rules - id) * sizeof(rs.rules[0]));
	rs.n_rules--;
	return rules_rw(ctx, c, slot, &rs, true);
}

static int tg_list(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot,
		   struct tcc_rule **rules, int *n)
{
	struct ttlguard_rules rs;
	int err = rules_rw(ctx, c, slot, &rs, false);

	*rules = NULL;
	*n = 0;
	if (err)
		return err;
	*rules = calloc(TTLGUARD_MAX_RULES, sizeof(**rules));
	if (!*rules)
		return -ENOMEM;
	for (__u32 i = 0; i < rs.n_rules && i < TTLGUARD_MAX_RULES; i++) {
		struct tcc_rule *r = &(*rules)[i];

		r->id = i + 1;
		tcc_rule_num(r, "dport", "dport %llu", rs.rules[i].dport);
		tcc_rule_num(r, "min", " min %llu", rs.rules[i].min_ttl);
		(*n)++;
	}
	return 0;
}

const struct tcc_kind tcc_kind_ttlguard = {
	.name		= "ttlguard",
	.rule_usage	= "dport PORT min TTL",
	.rule_add	= tg_add,
	.rule_del	= tg_del,
	.rule_list	= tg_list,
};
