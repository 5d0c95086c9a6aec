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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "tcchain/lib/internal.h"
#include "acl.h"

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

static const struct { bool dst; int family; const char *map; } tables[] = {
	{ false, AF_INET, "acl_src4" }, { true, AF_INET, "acl_dst4" },
	{ false, AF_INET6, "acl_src6" }, { true, AF_INET6, "acl_dst6" },
};

static void table_free(struct acl_table *t)
{
	free(t->lists);
	if (t->m.fd >= 0)
		tcc_map_close(&t->m);
	t->lists = NULL;
	t->n = 0;
	t->m.fd = -1;
}

static int table_load(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot, size_t which,
		      struct acl_table *t)
{
	size_t alen = tables[which].family == AF_INET ? 4 : 16;
	__u8 key[20], next[20];
	struct acl_rules val;
	void *prev = NULL;
	int err;

	memset(t, 0, sizeof(*t));
	t->dst = tables[which].dst;
	t->family = tables[which].family;
	err = tcc__map_open_layout(ctx, c, slot, tables[which].map, 4 + alen, sizeof(val), &t->m);
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
static int table_store(struct tcc_ctx *ctx, struct acl_table *t, bool widest_first)
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

static int list_append(struct acl_list *l, const struct acl_rule *r)
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
static int table_add(struct tcc_ctx *ctx, struct acl_table *t, const struct tcc_prefix *p,
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
				    list_append(&fresh, &t->lists[i].rules[k]))
					goto full;
		t->lists[t->n++] = fresh;
		own = &t->lists[t->n - 1];
	}
	for (int i = 0; i < t->n; i++) {
		struct acl_list *l = &t->lists[i];

		if ((l == own || tcc__prefix_covers(p, l->pfx.plen, l->pfx.addr)) &&
		    list_append(l, r))
			goto full;
	}
	return 0;
full:
	tcc__fmt_prefix(p, text, sizeof(text));
	return tcc__fail(ctx, -ENOSPC, "the rules that apply to %s %s would exceed %d, "
			 "the most one prefix holds", t->dst ? "dst" : "src", text,
			 ACL_RULES_PER_PREFIX);
}

static bool table_remove(struct acl_table *t, __u32 id)
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

	for (size_t i = 0; i < ARRAY_SIZE(tables) && !err; i++) {
		struct acl_table t;
		int side = tables[i].dst;

		err = table_load(ctx, c, slot, i, &t);
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
		table_free(&t);
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

/* ---- repair ------------------------------------------------------------------- */

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
				table_remove(a, r->id);
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
static int acl_repair(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot)
{
	struct acl_table t[4];
	int err = 0, i;

	for (i = 0; i < 4; i++)
		t[i] = (struct acl_table){ .m.fd = -1 };
	for (i = 0; i < 4 && !err; i++)
		err = table_load(ctx, c, slot, i, &t[i]);
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
					list_append(&t[i].lists[l], &wide->rules[r]);
			}
		}
	}
	for (i = 0; i < 4 && !err; i++)
		err = table_store(ctx, &t[i], true);
	for (i = 0; i < 4; i++)
		table_free(&t[i]);
	return err;
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
		err = table_load(ctx, c, slot, which, &t[side]);
		if (!err)
			err = table_add(ctx, &t[side], &s.pfx[side], &s.r);
	}
	if (!err && s.has[1])
		err = table_store(ctx, &t[1], true);
	if (!err && s.has[0]) {
		err = table_store(ctx, &t[0], true);
		if (err && s.has[1] && table_remove(&t[1], s.r.id))
			table_store(ctx, &t[1], false);	/* undo: the error stays the first one */
	}
	table_free(&t[0]);
	table_free(&t[1]);
	if (!err)
		*id = s.r.id;
	return err;
}

static int acl_del(struct tcc_ctx *ctx, struct tcc_chain *c, __u32 slot, __u32 id)
{
	bool found = false;
	int err = acl_repair(ctx, c, slot);

	/* Out of every list that holds it, sources first (see acl_add). */
	for (size_t i = 0; i < ARRAY_SIZE(tables) && !err; i++) {
		static const size_t order[] = { 0, 2, 1, 3 };
		struct acl_table t;

		err = table_load(ctx, c, slot, order[i], &t);
		if (!err && table_remove(&t, id)) {
			found = true;
			err = table_store(ctx, &t, false);
		}
		table_free(&t);
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
