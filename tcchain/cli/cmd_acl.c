// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcchain acl add | del | show: the acl stage's rules in words,
 *
 *	tcchain acl add drop src 10.0.0.0/8 tcp dport 22
 *
 * written through the generic map layer by BTF field names (rules[i].id,
 * ...), so this file knows the acl stage's map names and field names and
 * nothing of its struct layout.  See bpf/stages/acl.bpf.c for the rules'
 * meaning: lowest id wins among the rules of the longest matching source
 * and destination prefixes; default_action decides the rest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "tcchain/cli/main.h"

#define ACL_STAGE	"acl"
#define ACL_ID_MAX	1023		/* ids index acl_hits[1024] */

static const char *const actions[] = { "continue", "pass", "drop" };

static const struct { const char *name; __u8 proto; } protos[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP }, { "icmp", IPPROTO_ICMP },
	{ "icmpv6", IPPROTO_ICMPV6 }, { "sctp", IPPROTO_SCTP },
};

struct acl_rule {
	__u64 id, proto, action, dport_min, dport_max;
	bool src;
	int family;
	__u8 addr[16];
	unsigned int plen;
	__u64 hits;
};

static int do_acl_help(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr,
		"Usage: %s acl add [ slot N ] [ id ID ] ACTION { src | dst } PREFIX [ PROTO ] [ dport PORT[-PORT] ]\n"
		"       %s acl del [ slot N ] id ID\n"
		"       %s acl show [ slot N ]\n"
		"       (each takes [ dev DEV [ ingress | egress ] ] at the end)\n"
		"ACTION := { drop | pass | continue }   PROTO := { tcp | udp | icmp | icmpv6 | sctp | proto N }\n"
		"The rule with the lowest ID among those of the longest matching source and\n"
		"destination prefixes decides; ID defaults to the highest in use plus 10.\n",
		bin_name, bin_name, bin_name);
	return 0;
}

static const char *map_name(bool src, int family)
{
	return src ? (family == AF_INET ? "acl_src4" : "acl_src6")
		   : (family == AF_INET ? "acl_dst4" : "acl_dst6");
}

/* The acl stage's slot: the one given, or the only one in the chain. */
static int find_slot(const struct tcc_chain *c, long want, __u32 *slot)
{
	struct tcc_stage_info si;
	int n = 0;

	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		if (tcc_stage_info(c, s, &si) || strcmp(si.prog, ACL_STAGE))
			continue;
		if (want >= 0 && (__u32)want != s)
			continue;
		*slot = s;
		n++;
	}
	if (n == 1)
		return 0;
	if (n == 0 && want >= 0)
		p_err("slot %ld does not hold the acl stage", want);
	else if (n == 0)
		p_err("no acl stage in the chain (tcchain stage set N acl)");
	else
		p_err("%d acl stages in the chain: say which with 'slot N'", n);
	return -1;
}

static int parse_prefix(const char *arg, struct acl_rule *r)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned int max;
	long plen;

	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, r->addr) == 1)
		r->family = AF_INET, max = 32;
	else if (inet_pton(AF_INET6, buf, r->addr) == 1)
		r->family = AF_INET6, max = 128;
	else
		return -1;
	plen = max;
	if (slash) {
		plen = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || plen < 0 || plen > max)
			return -1;
	}
	r->plen = plen;
	/* host bits off: 10.1.2.3/8 is the prefix 10.0.0.0/8 */
	for (unsigned int bit = plen; bit < max; bit++)
		r->addr[bit / 8] &= ~(0x80 >> (bit % 8));
	return 0;
}

static void fmt_prefix(const struct acl_rule *r, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(r->family, r->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, r->plen);
}

/*
 * The rules as the control plane sees them: one table per trie, one list
 * per prefix.  The stage looks up only the longest matching prefix, so
 * every list also carries the rules of the prefixes that cover it: adding
 * a rule to 10.0.0.0/8 adds it to 10.1.0.0/16's list too, and a new list
 * for 10.1.0.0/16 starts with 10.0.0.0/8's rules.  A more specific rule
 * thus never hides a broader one.  A rule's own prefix is the shortest
 * one whose list holds it.
 */
#define ACL_LIST_MAX	64

static const char *const rule_fields[] = { "id", "proto", "action", "dport_min", "dport_max" };

struct acl_list {
	unsigned int plen;
	__u8 addr[16];
	int n;
	__u64 rules[ACL_LIST_MAX][5];	/* rule_fields, in order */
	bool dirty, gone;
};

struct acl_table {
	bool src;
	int family;
	struct tcc_map m;
	void *key, *val;
	int cap;			/* rules a list holds */
	struct acl_list *lists;
	int n;
};

static void table_free(struct acl_table *t)
{
	free(t->lists);
	free(t->key);
	free(t->val);
	if (t->m.fd >= 0)
		tcc_map_close(&t->m);
	memset(t, 0, sizeof(*t));
	t->m.fd = -1;
}

static int field_set(const struct btf *btf, __u32 id, void *data, const char *name, __u64 v)
{
	char val[32], err[128];

	snprintf(val, sizeof(val), "%llu", (unsigned long long)v);
	return tcc_btf_set(btf, id, data, name, val, err, sizeof(err));
}

static int table_load(const struct tcc_chain *c, __u32 slot, bool src, int family,
		      struct acl_table *t)
{
	char name[40];
	void *prev = NULL, *next;
	__u64 v;
	int err;

	memset(t, 0, sizeof(*t));
	t->src = src;
	t->family = family;
	err = tcc_map_open(c, slot, map_name(src, family), &t->m);
	if (err) {
		t->m.fd = -1;
		return err;
	}
	t->key = calloc(1, t->m.key_size);
	t->val = calloc(1, t->m.value_size);
	next = calloc(1, t->m.key_size);
	if (!t->m.btf || !t->key || !t->val || !next) {
		free(next);
		return -EINVAL;
	}
	for (t->cap = 0; t->cap < ACL_LIST_MAX; t->cap++) {
		snprintf(name, sizeof(name), "rules[%d].id", t->cap);
		if (tcc_btf_get(t->m.btf, t->m.value_type_id, t->val, name, &v))
			break;
	}
	while (!bpf_map_get_next_key(t->m.fd, prev, next)) {
		struct acl_list *l;
		__u64 plen = 0, n = 0;

		memcpy(t->key, next, t->m.key_size);
		prev = t->key;
		/* An existing prefix's own entry is its longest match. */
		if (bpf_map_lookup_elem(t->m.fd, t->key, t->val))
			continue;
		l = realloc(t->lists, (t->n + 1) * sizeof(*l));
		if (!l) {
			free(next);
			return -ENOMEM;
		}
		t->lists = l;
		l = &t->lists[t->n++];
		memset(l, 0, sizeof(*l));
		tcc_btf_get(t->m.btf, t->m.key_type_id, t->key, "prefixlen", &plen);
		tcc_btf_get(t->m.btf, t->m.value_type_id, t->val, "n_rules", &n);
		l->plen = plen;
		memcpy(l->addr, (char *)t->key + 4, t->m.key_size - 4);
		for (l->n = 0; l->n < (int)n && l->n < t->cap; l->n++) {
			for (size_t f = 0; f < ARRAY_SIZE(rule_fields); f++) {
				snprintf(name, sizeof(name), "rules[%d].%s", l->n, rule_fields[f]);
				tcc_btf_get(t->m.btf, t->m.value_type_id, t->val, name,
					    &l->rules[l->n][f]);
			}
		}
	}
	free(next);
	return 0;
}

static int table_store(struct acl_table *t)
{
	char name[40], a[INET6_ADDRSTRLEN], plen[8], e[128];

	for (int i = 0; i < t->n; i++) {
		struct acl_list *l = &t->lists[i];

		if (!l->dirty && !l->gone)
			continue;
		memset(t->key, 0, t->m.key_size);
		inet_ntop(t->family, l->addr, a, sizeof(a));
		snprintf(plen, sizeof(plen), "%u", l->plen);
		if (tcc_btf_set(t->m.btf, t->m.key_type_id, t->key, "prefixlen", plen, e, sizeof(e)) ||
		    tcc_btf_set(t->m.btf, t->m.key_type_id, t->key, "addr", a, e, sizeof(e)))
			return -EINVAL;
		if (l->gone || !l->n) {
			if (bpf_map_delete_elem(t->m.fd, t->key) && errno != ENOENT)
				return -errno;
			continue;
		}
		memset(t->val, 0, t->m.value_size);
		field_set(t->m.btf, t->m.value_type_id, t->val, "n_rules", l->n);
		for (int r = 0; r < l->n; r++) {
			for (size_t f = 0; f < ARRAY_SIZE(rule_fields); f++) {
				snprintf(name, sizeof(name), "rules[%d].%s", r, rule_fields[f]);
				if (field_set(t->m.btf, t->m.value_type_id, t->val, name,
					      l->rules[r][f]))
					return -EINVAL;
			}
		}
		/* The whole list in one update: packets see it before or after. */
		if (bpf_map_update_elem(t->m.fd, t->key, t->val, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* Does the prefix (plen, addr) lie inside l's prefix? */
static bool covers(const struct acl_list *l, unsigned int plen, const __u8 *addr)
{
	if (l->plen > plen)
		return false;
	for (unsigned int bit = 0; bit < l->plen; bit++) {
		__u8 m = 0x80 >> (bit % 8);

		if ((l->addr[bit / 8] & m) != (addr[bit / 8] & m))
			return false;
	}
	return true;
}

static bool list_has(const struct acl_list *l, __u64 id)
{
	for (int i = 0; i < l->n; i++)
		if (l->rules[i][0] == id)
			return true;
	return false;
}

static int list_append(struct acl_list *l, const __u64 *rule, int cap)
{
	if (list_has(l, rule[0]))
		return 0;
	if (l->n >= cap)
		return -ENOSPC;
	memcpy(l->rules[l->n++], rule, sizeof(l->rules[0]));
	l->dirty = true;
	return 0;
}

static const struct { bool src; int family; } tables[] = {
	{ true, AF_INET }, { false, AF_INET }, { true, AF_INET6 }, { false, AF_INET6 },
};

/* Every rule once, at its own (shortest) prefix, with its hits. */
static int collect(const struct tcc_chain *c, __u32 slot, struct acl_rule **out, int *n)
{
	struct acl_rule *rules = NULL;
	struct tcc_map hits;
	int cnt = 0, err = 0;

	if (tcc_map_open(c, slot, "acl_hits", &hits))
		hits.fd = -1;
	for (size_t i = 0; i < ARRAY_SIZE(tables) && !err; i++) {
		struct acl_table t;

		err = table_load(c, slot, tables[i].src, tables[i].family, &t);
		for (int li = 0; !err && li < t.n; li++) {
			const struct acl_list *l = &t.lists[li];

			for (int ri = 0; ri < l->n; ri++) {
				struct acl_rule *r = NULL;

				for (int k = 0; k < cnt; k++)
					if (rules[k].id == l->rules[ri][0])
						r = &rules[k];
				if (r && r->plen <= l->plen)
					continue;
				if (!r) {
					struct acl_rule *grown = realloc(rules, (cnt + 1) * sizeof(*rules));

					if (!grown) {
						err = -ENOMEM;
						break;
					}
					rules = grown;
					r = &rules[cnt++];
				}
				memset(r, 0, sizeof(*r));
				r->src = t.src;
				r->family = t.family;
				r->plen = l->plen;
				memcpy(r->addr, l->addr, sizeof(r->addr));
				r->id = l->rules[ri][0];
				r->proto = l->rules[ri][1];
				r->action = l->rules[ri][2];
				r->dport_min = l->rules[ri][3];
				r->dport_max = l->rules[ri][4];
			}
		}
		table_free(&t);
	}
	for (int k = 0; k < cnt && hits.fd >= 0; k++) {
		__u32 key = rules[k].id;

		tcc_map_lookup(&hits, &key, &rules[k].hits);
	}
	if (hits.fd >= 0)
		tcc_map_close(&hits);
	*out = rules;
	*n = cnt;
	return err;
}

static int cmp_id(const void *a, const void *b)
{
	const struct acl_rule *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Trailing "dev DEV [DIR]" and a leading "slot N". */
static struct tcc_chain *acl_target(int *argc, char **argv, long *slot, const char *what)
{
	struct target t = {};
	int i;

	*slot = -1;
	for (i = 0; i < *argc; i++) {
		if (is_kw(argv[i], "dev") || is_kw(argv[i], "ingress") || is_kw(argv[i], "egress")) {
			int used = parse_target(*argc - i, argv + i, &t);

			if (used < 0)
				return NULL;
			if (i + used != *argc) {
				p_err("%s: unexpected '%s' after the device", what, argv[i + used]);
				return NULL;
			}
			*argc = i;
			break;
		}
	}
	return target_chain(&t, what);
}

static int take_slot(int *argc, char ***argv, long *slot)
{
	__u32 v;

	if (*argc >= 2 && is_kw((*argv)[0], "slot")) {
		if (parse_u32((*argv)[1], "slot", 0, TCC_MAX_SLOTS - 1, &v))
			return -1;
		*slot = v;
		*argc -= 2;
		*argv += 2;
	}
	return 0;
}

static int parse_rule(int argc, char **argv, struct acl_rule *r)
{
	bool have_action = false, have_prefix = false;
	__u32 v;

	r->dport_min = 0;
	r->dport_max = 65535;
	while (argc > 0) {
		const char *kw = *argv;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(actions); i++)
			if (is_kw(kw, actions[i]))
				break;
		if (i < ARRAY_SIZE(actions)) {
			r->action = i;
			have_action = true;
			NEXT_ARG();
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(protos); i++)
			if (is_kw(kw, protos[i].name))
				break;
		if (i < ARRAY_SIZE(protos)) {
			r->proto = protos[i].proto;
			NEXT_ARG();
			continue;
		}
		if (is_kw(kw, "src") || is_kw(kw, "dst")) {
			NEXT_ARG(); REQ_ARGS(1);
			r->src = is_kw(kw, "src");
			if (parse_prefix(*argv, r)) {
				p_err("acl: invalid prefix '%s' (ADDR[/LEN], IPv4 or IPv6)", *argv);
				return -1;
			}
			have_prefix = true;
		} else if (is_kw(kw, "proto")) {
			NEXT_ARG(); REQ_ARGS(1);
			if (parse_u32(*argv, "protocol", 0, 255, &v))
				return -1;
			r->proto = v;
		} else if (is_kw(kw, "dport")) {
			char *dash, *end;
			long lo, hi;

			NEXT_ARG(); REQ_ARGS(1);
			lo = strtol(*argv, &end, 10);
			hi = lo;
			dash = end;
			if (*dash == '-')
				hi = strtol(dash + 1, &end, 10);
			if (end == *argv || *end || lo < 0 || hi > 65535 || lo > hi) {
				p_err("acl: invalid port '%s' (PORT or LOW-HIGH, 0..65535)", *argv);
				return -1;
			}
			r->dport_min = lo;
			r->dport_max = hi;
		} else if (is_kw(kw, "id")) {
			NEXT_ARG(); REQ_ARGS(1);
			if (parse_u32(*argv, "rule id", 1, ACL_ID_MAX, &v))
				return -1;
			r->id = v;
		} else {
			p_err("acl: unknown keyword '%s'", kw);
			return -1;
		}
		NEXT_ARG();
	}
	if (!have_action) {
		p_err("acl: the rule needs an action (drop, pass or continue)");
		return -1;
	}
	if (!have_prefix) {
		p_err("acl: the rule needs 'src PREFIX' or 'dst PREFIX' (0.0.0.0/0 or ::/0 for any)");
		return -1;
	}
	if ((r->dport_min != 0 || r->dport_max != 65535) &&
	    r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP && r->proto != IPPROTO_SCTP) {
		p_err("acl: 'dport' needs tcp, udp or sctp");
		return -1;
	}
	return 0;
}

static int acl_add(int argc, char **argv);
static int acl_del(int argc, char **argv);

/* Rule edits read, change and write whole lists: one writer at a time. */
static int do_acl_add(int argc, char **argv)
{
	return run_locked(acl_add, argc, argv);
}

static int do_acl_del(int argc, char **argv)
{
	return run_locked(acl_del, argc, argv);
}

static int acl_add(int argc, char **argv)
{
	struct acl_rule r = {}, *all = NULL;
	struct acl_table t = { .m.fd = -1 };
	struct tcc_chain *chain;
	struct acl_list *own = NULL;
	int n = 0, err = -1;
	__u64 max_id = 0, rule[5];
	char pfx[64];
	__u32 slot;
	long want;

	chain = acl_target(&argc, argv, &want, "add acl rule");
	if (!chain)
		return -1;
	if (take_slot(&argc, &argv, &want) || parse_rule(argc, argv, &r) ||
	    find_slot(chain, want, &slot))
		goto out;
	if (collect(chain, slot, &all, &n)) {
		p_err("cannot add acl rule: slot %u's acl maps are not as expected", slot);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		if (r.id && all[i].id == r.id) {
			p_err("cannot add acl rule: id %llu is taken (acl del id %llu first)",
			      (unsigned long long)r.id, (unsigned long long)r.id);
			goto out;
		}
		if (all[i].id > max_id)
			max_id = all[i].id;
	}
	if (!r.id)
		r.id = max_id + 10 > ACL_ID_MAX ? max_id + 1 : max_id + 10;
	if (r.id > ACL_ID_MAX) {
		p_err("cannot add acl rule: no rule id left (1..%d)", ACL_ID_MAX);
		goto out;
	}
	if (table_load(chain, slot, r.src, r.family, &t)) {
		p_err("cannot add acl rule: slot %u's acl maps are not as expected", slot);
		goto out;
	}
	rule[0] = r.id, rule[1] = r.proto, rule[2] = r.action;
	rule[3] = r.dport_min, rule[4] = r.dport_max;
	for (int i = 0; i < t.n; i++)
		if (t.lists[i].plen == r.plen && !memcmp(t.lists[i].addr, r.addr, sizeof(r.addr)))
			own = &t.lists[i];
	if (!own) {
		/* A new prefix starts with the rules of every prefix that
		 * covers it, so it hides none of them.
		 */
		struct acl_list *grown = realloc(t.lists, (t.n + 1) * sizeof(*grown)), fresh = {};
		int base = t.n;

		if (!grown)
			goto out;
		t.lists = grown;
		fresh.plen = r.plen;
		memcpy(fresh.addr, r.addr, sizeof(fresh.addr));
		fresh.dirty = true;
		for (int i = 0; i < base; i++)
			for (int k = 0; covers(&t.lists[i], r.plen, r.addr) && k < t.lists[i].n; k++)
				if (list_append(&fresh, t.lists[i].rules[k], t.cap))
					goto full;
		t.lists[t.n++] = fresh;
		own = &t.lists[t.n - 1];
	}
	/* The rule goes to its prefix and to every more specific one. */
	for (int i = 0; i < t.n; i++) {
		struct acl_list *l = &t.lists[i];

		if ((l == own || covers(own, l->plen, l->addr)) && list_append(l, rule, t.cap))
			goto full;
	}
	if (table_store(&t)) {
		p_err("cannot add acl rule: %s", strerror(errno));
		goto out;
	}
	out_open_object(NULL);
	out_uint("id", "rule id %llu\n", r.id);
	out_close_object();
	err = 0;
	goto out;
full:
	fmt_prefix(&r, pfx, sizeof(pfx));
	p_err("cannot add acl rule: the rules that apply to %s %s would exceed %d, the most one prefix holds",
	      r.src ? "src" : "dst", pfx, t.cap);
out:
	table_free(&t);
	free(all);
	tcc_chain_close(chain);
	return err;
}

static int acl_del(int argc, char **argv)
{
	struct tcc_chain *chain;
	bool found = false;
	int err = -1;
	__u32 slot, id;
	long want;

	chain = acl_target(&argc, argv, &want, "delete acl rule");
	if (!chain)
		return -1;
	if (take_slot(&argc, &argv, &want))
		goto out;
	if (argc != 2 || !is_kw(argv[0], "id")) {
		p_err("acl del: 'id ID' is required");
		goto out;
	}
	if (parse_u32(argv[1], "rule id", 1, ACL_ID_MAX, &id) || find_slot(chain, want, &slot))
		goto out;
	/* Out of every list that holds it: its own and the inherited copies. */
	for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
		struct acl_table t;

		if (table_load(chain, slot, tables[i].src, tables[i].family, &t)) {
			table_free(&t);
			p_err("cannot delete acl rule %u: slot %u's acl maps are not as expected",
			      id, slot);
			goto out;
		}
		for (int li = 0; li < t.n; li++) {
			struct acl_list *l = &t.lists[li];
			int o = 0;

			for (int ri = 0; ri < l->n; ri++)
				if (l->rules[ri][0] != id)
					memcpy(l->rules[o++], l->rules[ri], sizeof(l->rules[0]));
			if (o != l->n) {
				found = l->dirty = true;
				l->n = o;
			}
		}
		err = table_store(&t);
		table_free(&t);
		if (err) {
			p_err("cannot delete acl rule %u: %s", id, strerror(-err));
			err = -1;
			goto out;
		}
	}
	if (!found) {
		p_err("cannot delete acl rule %u: no such rule", id);
		err = -1;
		goto out;
	}
	err = 0;
out:
	tcc_chain_close(chain);
	return err;
}

static int do_acl_show(int argc, char **argv)
{
	struct acl_rule *all = NULL;
	struct tcc_chain *chain;
	struct tcc_map ro, hits;
	__u64 def = 0, def_hits = 0;
	int n = 0, err = -1;
	__u32 slot, zero = 0;
	long want;

	chain = acl_target(&argc, argv, &want, "show acl rules");
	if (!chain)
		return -1;
	if (take_slot(&argc, &argv, &want))
		goto out;
	if (argc > 0) {
		p_err("acl show: unknown keyword '%s'", argv[0]);
		goto out;
	}
	if (find_slot(chain, want, &slot))
		goto out;
	if (collect(chain, slot, &all, &n)) {
		p_err("cannot show acl rules: cannot read the rules");
		goto out;
	}
	qsort(all, n, sizeof(*all), cmp_id);
	if (!tcc_map_open(chain, slot, "rodata", &ro)) {
		void *v = calloc(1, ro.value_size);

		if (v && !tcc_map_lookup(&ro, &zero, v))
			tcc_btf_get(ro.btf, ro.value_type_id, v, "default_action", &def);
		free(v);
		tcc_map_close(&ro);
	}
	if (!tcc_map_open(chain, slot, "acl_hits", &hits)) {
		tcc_map_lookup(&hits, &zero, &def_hits);
		tcc_map_close(&hits);
	}

	out_open_object(NULL);
	out_uint("slot", "acl in slot %llu", slot);
	out_string("default", ", default %s", def < 3 ? actions[def] : "continue");
	out_uint("default_hits", " (%llu packets)\n", def_hits);
	out_open_array("rules");
	for (int i = 0; i < n; i++) {
		const struct acl_rule *r = &all[i];
		char pfx[64], proto[32] = "";

		fmt_prefix(r, pfx, sizeof(pfx));
		for (size_t k = 0; k < ARRAY_SIZE(protos); k++)
			if (protos[k].proto == r->proto)
				snprintf(proto, sizeof(proto), "%s", protos[k].name);
		if (r->proto && !proto[0])
			snprintf(proto, sizeof(proto), "proto %llu", (unsigned long long)r->proto);
		out_open_object(NULL);
		out_uint("id", "  id %4llu:", r->id);
		out_string("action", " %s", r->action < 3 ? actions[r->action] : "continue");
		out_string(r->src ? "src" : "dst", r->src ? " src %s" : " dst %s", pfx);
		if (proto[0])
			out_string("proto", " %s", proto);
		else
			out_null("proto");
		if (r->dport_min != 0 || r->dport_max != 65535) {
			out_uint("dport_min", " dport %llu", r->dport_min);
			out_uint("dport_max", r->dport_max != r->dport_min ? "-%llu" : NULL,
				 r->dport_max);
		}
		out_uint("hits", "  (%llu packets)\n", r->hits);
		out_close_object();
	}
	out_close_array();
	out_close_object();
	err = 0;
out:
	free(all);
	tcc_chain_close(chain);
	return err;
}

int do_acl(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "add",  do_acl_add },
		{ "del",  do_acl_del },
		{ "show", do_acl_show },
		{ "list", do_acl_show },
		{ "help", do_acl_help },
		{ 0 }
	};

	return cmd_select(cmds, argc, argv, do_acl_help);
}
