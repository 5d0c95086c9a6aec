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

#include "tcchain/main.h"

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

/* One rule list: key text in, value buffer out (zeroed when absent). */
struct list {
	struct tcc_map m;
	void *key, *val;
	__u64 n;
};

static int list_key(struct list *l, const struct acl_rule *r)
{
	char a[INET6_ADDRSTRLEN], plen[8], err[128];

	inet_ntop(r->family, r->addr, a, sizeof(a));
	snprintf(plen, sizeof(plen), "%u", r->plen);
	memset(l->key, 0, l->m.key_size);
	if (tcc_btf_set(l->m.btf, l->m.key_type_id, l->key, "prefixlen", plen, err, sizeof(err)) ||
	    tcc_btf_set(l->m.btf, l->m.key_type_id, l->key, "addr", a, err, sizeof(err)))
		return -EINVAL;
	return 0;
}

static int list_open(const struct tcc_chain *c, __u32 slot, const char *name, struct list *l)
{
	int err = tcc_map_open(c, slot, name, &l->m);

	if (err)
		return err;
	if (!l->m.btf) {
		tcc_map_close(&l->m);
		return -ENOTSUP;
	}
	l->key = calloc(1, l->m.key_size);
	l->val = calloc(1, l->m.value_size);
	return l->key && l->val ? 0 : -ENOMEM;
}

static void list_close(struct list *l)
{
	free(l->key);
	free(l->val);
	tcc_map_close(&l->m);
}

static __u64 rule_field(const struct list *l, __u64 i, const char *f)
{
	char name[64];
	__u64 v = 0;

	snprintf(name, sizeof(name), "rules[%llu].%s", (unsigned long long)i, f);
	tcc_btf_get(l->m.btf, l->m.value_type_id, l->val, name, &v);
	return v;
}

static int rule_set(struct list *l, __u64 i, const char *f, __u64 v)
{
	char name[64], val[32], err[128];

	snprintf(name, sizeof(name), "rules[%llu].%s", (unsigned long long)i, f);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)v);
	return tcc_btf_set(l->m.btf, l->m.value_type_id, l->val, name, val, err, sizeof(err));
}

static int rules_capacity(const struct list *l)
{
	char name[32];
	__u64 v;
	int n = 0;

	for (;; n++) {
		snprintf(name, sizeof(name), "rules[%d].id", n);
		if (tcc_btf_get(l->m.btf, l->m.value_type_id, l->val, name, &v))
			return n;
	}
}

/* Every rule of every list, with its hits; *n rules in a malloc'd array. */
static int collect(const struct tcc_chain *c, __u32 slot, struct acl_rule **out, int *n)
{
	static const struct { bool src; int family; } lists[] = {
		{ true, AF_INET }, { false, AF_INET }, { true, AF_INET6 }, { false, AF_INET6 },
	};
	struct acl_rule *rules = NULL;
	struct tcc_map hits;
	int cnt = 0, err = 0;

	if (tcc_map_open(c, slot, "acl_hits", &hits))
		hits.fd = -1;
	for (size_t i = 0; i < ARRAY_SIZE(lists) && !err; i++) {
		struct list l;
		void *prev = NULL;

		err = list_open(c, slot, map_name(lists[i].src, lists[i].family), &l);
		if (err)
			break;
		void *next = calloc(1, l.m.key_size);
		while (next && !bpf_map_get_next_key(l.m.fd, prev, next)) {
			__u64 plen = 0, n_rules = 0;

			memcpy(l.key, next, l.m.key_size);
			prev = l.key;
			if (bpf_map_lookup_elem(l.m.fd, l.key, l.val))
				continue;
			tcc_btf_get(l.m.btf, l.m.key_type_id, l.key, "prefixlen", &plen);
			tcc_btf_get(l.m.btf, l.m.value_type_id, l.val, "n_rules", &n_rules);
			for (__u64 j = 0; j < n_rules && j < (__u64)rules_capacity(&l); j++) {
				struct acl_rule *r;

				rules = realloc(rules, (cnt + 1) * sizeof(*rules));
				if (!rules) {
					err = -ENOMEM;
					break;
				}
				r = &rules[cnt++];
				memset(r, 0, sizeof(*r));
				r->src = lists[i].src;
				r->family = lists[i].family;
				r->plen = plen;
				/* addr follows prefixlen: copy it by field */
				memcpy(r->addr, (char *)l.key + 4, l.m.key_size - 4);
				r->id = rule_field(&l, j, "id");
				r->proto = rule_field(&l, j, "proto");
				r->action = rule_field(&l, j, "action");
				r->dport_min = rule_field(&l, j, "dport_min");
				r->dport_max = rule_field(&l, j, "dport_max");
				if (hits.fd >= 0) {
					__u32 k = r->id;

					tcc_map_lookup(&hits, &k, &r->hits);
				}
			}
		}
		free(next);
		list_close(&l);
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

static int do_acl_add(int argc, char **argv)
{
	struct acl_rule r = {}, *all = NULL;
	struct tcc_chain *chain;
	struct list l = {};
	int n = 0, err = -1, cap;
	__u64 max_id = 0;
	__u32 slot;
	long want;

	chain = acl_target(&argc, argv, &want, "add acl rule");
	if (!chain)
		return -1;
	if (take_slot(&argc, &argv, &want) || parse_rule(argc, argv, &r) ||
	    find_slot(chain, want, &slot))
		goto out;
	if (collect(chain, slot, &all, &n)) {
		p_err("cannot add acl rule: cannot read the rules");
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
	if (list_open(chain, slot, map_name(r.src, r.family), &l) || list_key(&l, &r)) {
		p_err("cannot add acl rule: slot %u's acl maps are not as expected", slot);
		goto out;
	}
	if (bpf_map_lookup_elem(l.m.fd, l.key, l.val))
		memset(l.val, 0, l.m.value_size);
	tcc_btf_get(l.m.btf, l.m.value_type_id, l.val, "n_rules", &l.n);
	cap = rules_capacity(&l);
	if ((int)l.n >= cap) {
		char p[64];

		fmt_prefix(&r, p, sizeof(p));
		p_err("cannot add acl rule: %s %s already has %d rules, the most one prefix holds",
		      r.src ? "src" : "dst", p, cap);
		goto out;
	}
	if (rule_set(&l, l.n, "id", r.id) || rule_set(&l, l.n, "proto", r.proto) ||
	    rule_set(&l, l.n, "action", r.action) || rule_set(&l, l.n, "dport_min", r.dport_min) ||
	    rule_set(&l, l.n, "dport_max", r.dport_max)) {
		p_err("cannot add acl rule: slot %u's acl maps are not as expected", slot);
		goto out;
	}
	{
		char nr[16], e[64];

		snprintf(nr, sizeof(nr), "%llu", (unsigned long long)l.n + 1);
		tcc_btf_set(l.m.btf, l.m.value_type_id, l.val, "n_rules", nr, e, sizeof(e));
	}
	/* The whole list in one update: packets see it before or after. */
	if (bpf_map_update_elem(l.m.fd, l.key, l.val, BPF_ANY)) {
		p_err("cannot add acl rule: %s", strerror(errno));
		goto out;
	}
	out_open_object(NULL);
	out_uint("id", "rule id %llu\n", r.id);
	out_close_object();
	err = 0;
out:
	if (l.key)
		list_close(&l);
	free(all);
	tcc_chain_close(chain);
	return err;
}

static int do_acl_del(int argc, char **argv)
{
	struct acl_rule *all = NULL, *r = NULL;
	struct tcc_chain *chain;
	struct list l = {};
	int n = 0, err = -1;
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
	if (collect(chain, slot, &all, &n)) {
		p_err("cannot delete acl rule: cannot read the rules");
		goto out;
	}
	for (int i = 0; i < n; i++)
		if (all[i].id == id)
			r = &all[i];
	if (!r) {
		p_err("cannot delete acl rule %u: no such rule", id);
		goto out;
	}
	if (list_open(chain, slot, map_name(r->src, r->family), &l) || list_key(&l, r) ||
	    bpf_map_lookup_elem(l.m.fd, l.key, l.val)) {
		p_err("cannot delete acl rule %u: %s", id, strerror(errno));
		goto out;
	}
	tcc_btf_get(l.m.btf, l.m.value_type_id, l.val, "n_rules", &l.n);
	for (__u64 i = 0, o = 0; i < l.n; i++) {
		static const char *const f[] = { "id", "proto", "action", "dport_min", "dport_max" };

		if (rule_field(&l, i, "id") == id)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(f); k++)
			rule_set(&l, o, f[k], rule_field(&l, i, f[k]));
		o++;
	}
	if (l.n == 1) {
		err = bpf_map_delete_elem(l.m.fd, l.key);
	} else {
		char nr[16], e[64];

		for (size_t k = 0; k < 5; k++)
			rule_set(&l, l.n - 1, (const char *[]){ "id", "proto", "action",
								"dport_min", "dport_max" }[k], 0);
		snprintf(nr, sizeof(nr), "%llu", (unsigned long long)l.n - 1);
		tcc_btf_set(l.m.btf, l.m.value_type_id, l.val, "n_rules", nr, e, sizeof(e));
		err = bpf_map_update_elem(l.m.fd, l.key, l.val, BPF_ANY);
	}
	if (err) {
		p_err("cannot delete acl rule %u: %s", id, strerror(errno));
		err = -1;
	}
out:
	if (l.key)
		list_close(&l);
	free(all);
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
