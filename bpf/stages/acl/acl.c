// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The acl stage's module: its rule model and words.
 *
 *	tcchain acl add drop src 10.9.0.0/24 dst 10.9.0.2 udp dport 53
 *
 * The rules as the control plane sees them: one table per trie, one list
 * per prefix (acl.h).  The stage looks up only the longest matching
 * prefix, so every list also carries the rules of the prefixes that cover
 * it: adding a rule to 10.0.0.0/8 adds it to 10.1.0.0/16's list too, and
 * a new list for 10.1.0.0/16 starts with 10.0.0.0/8's rules.  A more
 * specific rule thus never hides a broader one.  A rule's own prefix is
 * the shortest one whose list holds it.  A rule with a source and a
 * destination is in the lists of both tries, flagged ACL_F_BOTH.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "tcchain/lib/internal.h"
#include "acl_table.h"

#define ACL_ID_MAX	(ACL_MAX_RULES - 1)
#define ACL_ANY_PORT(r)	((r)->dport_min == 0 && (r)->dport_max == 0xffff)

static const char *const actions[] = { "continue", "pass", "drop" };

/* One rule, whole: what `acl add` takes and `acl show` prints. */
struct acl_spec {
	struct acl_rule r;		/* id, proto, action, ports, flags */
	bool has[2];			/* [0] src, [1] dst */
	struct tcc_prefix pfx[2];
	__u64 hits;
};

static int cmp_id(const void *a, const void *b)
{
	const struct acl_spec *x = a, *y = b;

	return x->r.id < y->r.id ? -1 : x->r.id > y->r.id;
}

/* Every rule once, each side at its own (shortest) prefix, in id order. */
static int collect(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot,
		   struct acl_spec **out, int *n)
{
	struct acl_spec *all = NULL;
	struct tcc_map hits;
	int cnt = 0, err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(acl_tables) && !err; i++) {
		struct acl_table t;
		int side = acl_tables[i].dst;

		err = acl_table_load(ctx, c, slot, i, &t);
		for (int li = 0; !err && li < t.n; li++) {
			const struct acl_list *l = &t.lists[li];

			for (int ri = 0; ri < l->n; ri++) {
				struct acl_spec *s = NULL;

				for (int k = 0; k < cnt; k++)
					if (all[k].r.id == l->rules[ri].id)
						s = &all[k];
				if (!s) {
					struct acl_spec *grown = realloc(all, (cnt + 1) * sizeof(*all));

					if (!grown) {
						err = -ENOMEM;
						break;
					}
					all = grown;
					s = &all[cnt++];
					memset(s, 0, sizeof(*s));
					s->r = l->rules[ri];
				}
				if (s->has[side] && s->pfx[side].plen <= l->pfx.plen)
					continue;
				s->has[side] = true;
				s->pfx[side] = l->pfx;
			}
		}
		acl_table_free(&t);
	}
	if (!err && !tcc_map_open(c, slot, "acl_hits", &hits)) {
		for (int k = 0; k < cnt; k++) {
			__u32 key = all[k].r.id;

			tcc_map_lookup(&hits, &key, &all[k].hits);
		}
		tcc_map_close(&hits);
	}
	if (err) {
		free(all);
		return err;
	}
	/* A two-prefix rule found in one trie only never matches: its add
	 * or delete was killed between the tries; it is not a rule. */
	for (int k = 0; k < cnt; k++) {
		if ((all[k].r.flags & ACL_F_BOTH) && !(all[k].has[0] && all[k].has[1]))
			all[k--] = all[--cnt];
	}
	if (cnt)
		qsort(all, cnt, sizeof(*all), cmp_id);
	*out = all;
	*n = cnt;
	return 0;
}

/* ---- words ------------------------------------------------------------------- */

static int parse_rule(struct tcc_ctx *ctx, int argc, char **argv, struct acl_spec *s)
{
	bool have_action = false, have_proto = false, have_port = false;
	__u32 v;

	s->r.dport_min = 0;
	s->r.dport_max = 0xffff;
	for (int i = 0; i < argc; i++) {
		const char *kw = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
		size_t a;

		for (a = 0; a < ARRAY_SIZE(actions) && strcmp(kw, actions[a]); a++)
			;
		if (a < ARRAY_SIZE(actions)) {
			if (have_action)
				return tcc__fail(ctx, -EINVAL, "acl: two actions ('%s' and '%s')",
						 actions[s->r.action], kw);
			s->r.action = a;
			have_action = true;
			continue;
		}
		if (!tcc__word_proto_name(kw, &s->r.proto) || !strcmp(kw, "proto")) {
			if (have_proto)
				return tcc__fail(ctx, -EINVAL, "acl: the protocol is given twice");
			have_proto = true;
			if (!strcmp(kw, "proto")) {
				if (!arg)
					return tcc__fail(ctx, -EINVAL, "acl: 'proto' needs a number");
				if (tcc__word_u32(ctx, arg, "protocol", 1, 255, &v))
					return -EINVAL;
				s->r.proto = v;
				i++;
			}
			continue;
		}
		if (!arg)
			return tcc__fail(ctx, -EINVAL, !strcmp(kw, "src") || !strcmp(kw, "dst") ||
					 !strcmp(kw, "dport") || !strcmp(kw, "id") ?
					 "acl: '%s' needs an argument" : "acl: unknown keyword '%s'", kw);
		i++;
		if (!strcmp(kw, "src") || !strcmp(kw, "dst")) {
			int side = !strcmp(kw, "dst");

			if (s->has[side])
				return tcc__fail(ctx, -EINVAL, "acl: '%s' is given twice", kw);
			if (tcc__word_prefix(ctx, arg, &s->pfx[side]))
				return -EINVAL;
			s->has[side] = true;
		} else if (!strcmp(kw, "dport")) {
			if (have_port)
				return tcc__fail(ctx, -EINVAL, "acl: 'dport' is given twice");
			if (tcc__word_ports(ctx, arg, &s->r.dport_min, &s->r.dport_max))
				return -EINVAL;
			have_port = true;
		} else if (!strcmp(kw, "id")) {
			if (s->r.id)
				return tcc__fail(ctx, -EINVAL, "acl: 'id' is given twice");
			if (tcc__word_u32(ctx, arg, "rule id", 1, ACL_ID_MAX, &v))
				return -EINVAL;
			s->r.id = v;
		} else {
			return tcc__fail(ctx, -EINVAL, "acl: unknown keyword '%s'", kw);
		}
	}
	if (!have_action)
		return tcc__fail(ctx, -EINVAL, "acl: the rule needs an action (drop, pass or continue)");
	if (!s->has[0] && !s->has[1])
		return tcc__fail(ctx, -EINVAL, "acl: the rule needs 'src PREFIX' or 'dst PREFIX' "
				 "(0.0.0.0/0 or ::/0 for any)");
	if (s->has[0] && s->has[1] && s->pfx[0].family != s->pfx[1].family)
		return tcc__fail(ctx, -EINVAL, "acl: src and dst must both be IPv4 or both IPv6");
	if (!ACL_ANY_PORT(&s->r) && s->r.proto != IPPROTO_TCP && s->r.proto != IPPROTO_UDP &&
	    s->r.proto != IPPROTO_SCTP)
		return tcc__fail(ctx, -EINVAL, "acl: 'dport' needs tcp, udp or sctp");
	if (s->has[0] && s->has[1])
		s->r.flags |= ACL_F_BOTH;
	return 0;
}

/* The rule in the words parse_rule takes, and as JSON fields. */
static void spec_to_rule(const struct acl_spec *s, struct tcc_rule *out)
{
	char text[64];

	memset(out, 0, sizeof(*out));
	out->id = s->r.id;
	out->hits = s->hits;
	tcc_rule_str(out, "action", "%s", s->r.action < 3 ? actions[s->r.action] : "continue");
	for (int side = 0; side < 2; side++) {
		const char *key = side ? "dst" : "src";

		if (!s->has[side]) {
			tcc_rule_null(out, key);
			continue;
		}
		tcc__fmt_prefix(&s->pfx[side], text, sizeof(text));
		tcc_rule_str(out, key, side ? " dst %s" : " src %s", text);
	}
	if (s->r.proto) {
		tcc__fmt_proto(s->r.proto, text, sizeof(text));
		tcc_rule_str(out, NULL, " %s", text);
		tcc_rule_num(out, "proto", NULL, s->r.proto);
	} else {
		tcc_rule_null(out, "proto");
	}
	if (ACL_ANY_PORT(&s->r)) {
		tcc_rule_null(out, "dport_min");
		tcc_rule_null(out, "dport_max");
		return;
	}
	tcc_rule_num(out, "dport_min", " dport %llu", s->r.dport_min);
	tcc_rule_num(out, "dport_max", s->r.dport_max != s->r.dport_min ? "-%llu" : NULL,
		     s->r.dport_max);
}

/* ---- ops ----------------------------------------------------------------------- */

static int acl_add(struct tcc_ctx *ctx, struct tcc_chain *c, __u32 slot,
		   int argc, char **argv, __u32 *id)
{
	struct acl_table t[2] = { { .m.fd = -1 }, { .m.fd = -1 } };
	struct acl_spec s = {}, *all = NULL;
	__u32 max_id = 0;
	int n = 0, err;

	err = parse_rule(ctx, argc, argv, &s);
	if (!err)
		err = acl_repair(ctx, c, slot);
	if (err)
		return err;
	err = collect(ctx, c, slot, &all, &n);
	for (int i = 0; !err && i < n; i++) {
		if (s.r.id && all[i].r.id == s.r.id)
			err = tcc__fail(ctx, -EEXIST, "rule id %u is taken (acl del id %u first)",
					s.r.id, s.r.id);
		if (all[i].r.id > max_id)
			max_id = all[i].r.id;
	}
	free(all);
	if (err)
		return err;
	if (!s.r.id)
		s.r.id = max_id + 10 > ACL_ID_MAX ? max_id + 1 : max_id + 10;
	if (s.r.id > ACL_ID_MAX)
		return tcc__fail(ctx, -ENOSPC, "no rule id left (1..%d)", ACL_ID_MAX);
	/* Both sides are computed before either is written; the destination
	 * goes first: a two-prefix rule matches only once it is in both, so
	 * no packet sees half of it.
	 */
	for (int side = 1; side >= 0 && !err; side--) {
		size_t which = side + (s.pfx[side].family == AF_INET6 ? 2 : 0);

		if (!s.has[side])
			continue;
		err = acl_table_load(ctx, c, slot, which, &t[side]);
		if (!err)
			err = acl_table_add(ctx, &t[side], &s.pfx[side], &s.r);
	}
	if (!err && s.has[1])
		err = acl_table_store(ctx, &t[1], true);
	if (!err && s.has[0]) {
		err = acl_table_store(ctx, &t[0], true);
		if (err && s.has[1] && acl_table_remove(&t[1], s.r.id))
			acl_table_store(ctx, &t[1], false);	/* undo: the error stays the first one */
	}
	acl_table_free(&t[0]);
	acl_table_free(&t[1]);
	if (!err)
		*id = s.r.id;
	return err;
}

static int acl_del(struct tcc_ctx *ctx, struct tcc_chain *c, __u32 slot, __u32 id)
{
	bool found = false;
	int err = acl_repair(ctx, c, slot);

	/* Out of every list that holds it, sources first (see acl_add). */
	for (size_t i = 0; i < ARRAY_SIZE(acl_tables) && !err; i++) {
		static const size_t order[] = { 0, 2, 1, 3 };
		struct acl_table t;

		err = acl_table_load(ctx, c, slot, order[i], &t);
		if (!err && acl_table_remove(&t, id)) {
			found = true;
			err = acl_table_store(ctx, &t, false);
		}
		acl_table_free(&t);
	}
	if (!err && !found)
		err = tcc__fail(ctx, -ENOENT, "no such rule (id %u)", id);
	return err;
}

static int acl_list(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot,
		    struct tcc_rule **rules, int *n)
{
	struct acl_spec *all = NULL;
	int cnt = 0, err;

	*rules = NULL;
	*n = 0;
	/* Reads take no lock (save | apply must not wait on each other):
	 * collect() shows an edit killed half-way as the next edit's
	 * acl_repair() will leave it. */
	err = collect(ctx, c, slot, &all, &cnt);
	if (err)
		return err;
	*rules = calloc(cnt ? cnt : 1, sizeof(**rules));
	if (!*rules) {
		free(all);
		return -ENOMEM;
	}
	for (int i = 0; i < cnt; i++)
		spec_to_rule(&all[i], &(*rules)[i]);
	*n = cnt;
	free(all);
	return 0;
}

static int acl_default(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot,
		       struct tcc_rule *def)
{
	struct tcc_map m;
	__u64 action = ACL_CONTINUE;
	__u32 zero = 0;

	(void)ctx;
	memset(def, 0, sizeof(*def));
	if (!tcc_map_open(c, slot, "rodata", &m)) {
		void *v = calloc(1, m.value_size);

		if (v && !tcc_map_lookup(&m, &zero, v))
			tcc_btf_get(m.btf, m.value_type_id, v, "default_action", &action);
		free(v);
		tcc_map_close(&m);
	}
	if (!tcc_map_open(c, slot, "acl_hits", &m)) {
		tcc_map_lookup(&m, &zero, &def->hits);
		tcc_map_close(&m);
	}
	tcc_rule_str(def, "action", "%s", action < 3 ? actions[action] : "continue");
	return 0;
}

const struct tcc_kind tcc_kind_acl = {
	.name		= "acl",
	.rule_usage	= "[ id ID ] ACTION [ src PREFIX ] [ dst PREFIX ] [ PROTO ] [ dport PORT[-PORT] ]",
	.rule_help	= "ACTION := { drop | pass | continue }   PROTO := { tcp | udp | icmp | icmpv6 | sctp | proto N }\n"
			  "A rule needs src, dst or both (0.0.0.0/0 or ::/0 for any address).  The rule\n"
			  "with the lowest ID among those of the longest matching source and destination\n"
			  "prefixes decides; ID defaults to the highest in use plus 10.\n",
	.rule_add	= acl_add,
	.rule_del	= acl_del,
	.rule_list	= acl_list,
	.rule_default	= acl_default,
};
