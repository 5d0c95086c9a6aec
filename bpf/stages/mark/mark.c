// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The mark stage's module: its rules in words.
 *
 *	tcchain mark add src 10.9.0.0/24 udp dport 5000-5999 mark 0x10 priority 3
 *
 * Mark's rules are an ordered list (the first that matches wins), so a
 * rule's id is its position, 1 first, as iptables numbers its rules:
 * `add id N` inserts at N, `del id N` renumbers the rules after it.  The
 * whole list is written with one map update; the per-rule hit counters
 * move with their rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tcchain/lib/internal.h"
#include "mark.h"

#define MARK_ANY_PORT(r)	((r)->dport_min == 0 && (r)->dport_max == 0xffff)

/* What a rule can set, in the order its words print them. */
static const struct { __u8 bit; const char *key; } sets[] = {
	{ MARK_SET_MARK, "mark" }, { MARK_SET_PRIORITY, "priority" }, { MARK_SET_CLASSID, "classid" },
};

static int rules_read(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot,
		      struct tcc_map *m, struct mark_rules *rs)
{
	__u32 zero = 0;
	int err;

	err = tcc__map_open_layout(ctx, c, slot, "mark_rules", 4, sizeof(*rs), m);
	if (err)
		return err;
	memset(rs, 0, sizeof(*rs));
	if (bpf_map_lookup_elem(m->fd, &zero, rs))
		return tcc__fail(ctx, -errno, "cannot read mark_rules");
	if (rs->n_rules > MARK_MAX_RULES)
		rs->n_rules = MARK_MAX_RULES;
	return 0;
}

/*
 * Move the hit counters with their rules: after inserting at pos (delta 1)
 * or deleting pos (delta -1).  Packets counted between the read and the
 * write are lost to the moved counters; the no-match counter never moves.
 */
static void hits_shift(const struct tcc_chain *c, __u32 slot, __u32 pos, int delta)
{
	int ncpu = libbpf_num_possible_cpus(), fd;
	__u64 *all;

	if (ncpu <= 0)
		return;
	fd = tcc_stage_map_fd(c, slot, "mark_hits");
	/* A snapshot of the rule rows, plus one row of zeros (row
	 * MARK_MAX_RULES here) for the slot a new rule opens. */
	all = calloc((size_t)(MARK_MAX_RULES + 1) * ncpu, sizeof(__u64));
	if (fd < 0 || !all)
		goto out;
	for (__u32 i = 0; i < MARK_MAX_RULES; i++)
		bpf_map_lookup_elem(fd, &i, all + (size_t)i * ncpu);
	for (__u32 i = 0; i < MARK_MAX_RULES; i++) {
		__u32 from = delta > 0 ? (i > pos ? i - 1 : i == pos ? MARK_MAX_RULES : i)
				       : (i >= pos && i + 1 < MARK_MAX_RULES ? i + 1 :
					  i >= pos ? MARK_MAX_RULES : i);

		bpf_map_update_elem(fd, &i, all + (size_t)from * ncpu, BPF_ANY);
	}
out:
	free(all);
	if (fd >= 0)
		close(fd);
}

static int parse_rule(struct tcc_ctx *ctx, int argc, char **argv, struct mark_rule *r,
		      __u32 *id)
{
	bool proto = false, port = false, src = false, what = false, ver = false;
	__u32 v;

	memset(r, 0, sizeof(*r));
	r->dport_max = 0xffff;
	*id = 0;
	for (int i = 0; i < argc; i++) {
		const char *kw = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
		struct tcc_prefix p;

		if (!tcc__word_proto_name(kw, &r->proto)) {
			if (proto)
				return tcc__fail(ctx, -EINVAL, "mark: the protocol is given twice");
			proto = true;
			continue;
		}
		if (!strcmp(kw, "ipv4") || !strcmp(kw, "ipv6")) {
			if (ver)
				return tcc__fail(ctx, -EINVAL, "mark: the IP version is given twice");
			r->ip_ver = kw[3] == '4' ? 4 : 6;
			ver = true;
			continue;
		}
		if (!strcmp(kw, "keep")) {
			if (what)
				return tcc__fail(ctx, -EINVAL, "mark: 'keep' sets nothing: "
						 "it cannot go with mark, priority or classid");
			what = true;
			continue;
		}
		if (!arg)
			return tcc__fail(ctx, -EINVAL, "mark: '%s' needs an argument%s", kw,
					 strcmp(kw, "src") && strcmp(kw, "dport") && strcmp(kw, "id") &&
					 strcmp(kw, "mark") && strcmp(kw, "priority") &&
					 strcmp(kw, "classid") && strcmp(kw, "proto") ?
					 " (or is not a keyword)" : "");
		i++;
		if (!strcmp(kw, "src")) {
			if (src)
				return tcc__fail(ctx, -EINVAL, "mark: 'src' is given twice");
			if (tcc__word_prefix(ctx, arg, &p))
				return -EINVAL;
			src = true;
			r->src_prefixlen = p.plen;
			memcpy(r->src, p.addr, sizeof(r->src));
			if (ver && r->ip_ver != (p.family == AF_INET ? 4 : 6))
				return tcc__fail(ctx, -EINVAL, "mark: src %s is not IPv%u", arg, r->ip_ver);
			r->ip_ver = p.family == AF_INET ? 4 : 6;
			ver = true;
		} else if (!strcmp(kw, "proto")) {
			if (proto)
				return tcc__fail(ctx, -EINVAL, "mark: the protocol is given twice");
			if (tcc__word_u32(ctx, arg, "protocol", 1, 255, &v))
				return -EINVAL;
			r->proto = v;
			proto = true;
		} else if (!strcmp(kw, "dport")) {
			if (port)
				return tcc__fail(ctx, -EINVAL, "mark: 'dport' is given twice");
			if (tcc__word_ports(ctx, arg, &r->dport_min, &r->dport_max))
				return -EINVAL;
			port = true;
		} else if (!strcmp(kw, "id")) {
			if (*id)
				return tcc__fail(ctx, -EINVAL, "mark: 'id' is given twice");
			if (tcc__word_u32(ctx, arg, "rule id", 1, MARK_MAX_RULES, id))
				return -EINVAL;
		} else if (!strcmp(kw, "mark") || !strcmp(kw, "priority") || !strcmp(kw, "classid")) {
			__u32 bit = kw[0] == 'm' ? MARK_SET_MARK :
				    kw[0] == 'p' ? MARK_SET_PRIORITY : MARK_SET_CLASSID;

			if (r->set & bit)
				return tcc__fail(ctx, -EINVAL, "mark: '%s' is given twice", kw);
			if (what && !r->set)
				return tcc__fail(ctx, -EINVAL, "mark: 'keep' sets nothing: "
						 "it cannot go with mark, priority or classid");
			if (tcc__word_u32(ctx, arg, kw, 0, bit == MARK_SET_CLASSID ? 0xffff : ~0U, &v))
				return -EINVAL;
			r->set |= bit;
			if (bit == MARK_SET_MARK)
				r->mark = v;
			else if (bit == MARK_SET_PRIORITY)
				r->priority = v;
			else
				r->classid = v;
			what = true;
		} else {
			return tcc__fail(ctx, -EINVAL, "mark: unknown keyword '%s'", kw);
		}
	}
	if (!what)
		return tcc__fail(ctx, -EINVAL, "mark: the rule needs what to set "
				 "(mark N, priority N, classid N) or 'keep'");
	if (!MARK_ANY_PORT(r) && r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP &&
	    r->proto != IPPROTO_SCTP)
		return tcc__fail(ctx, -EINVAL, "mark: 'dport' needs tcp, udp or sctp");
	return 0;
}

static void rule_words(const struct mark_rule *r, __u32 id, __u64 hits, struct tcc_rule *out)
{
	char text[64];

	memset(out, 0, sizeof(*out));
	out->id = id;
	out->hits = hits;
	if (r->src_prefixlen || (r->ip_ver && memcmp(r->src, (__u8[16]){}, 16))) {
		struct tcc_prefix p = { .family = r->ip_ver == 6 ? AF_INET6 : AF_INET,
					.plen = r->src_prefixlen };

		memcpy(p.addr, r->src, sizeof(p.addr));
		tcc__fmt_prefix(&p, text, sizeof(text));
		tcc_rule_str(out, "src", "src %s", text);
		tcc_rule_num(out, "ip_ver", NULL, r->ip_ver);
	} else {
		tcc_rule_null(out, "src");
		if (r->ip_ver)
			tcc_rule_num(out, "ip_ver", "ipv%llu", r->ip_ver);
		else
			tcc_rule_null(out, "ip_ver");
	}
	if (r->proto) {
		tcc__fmt_proto(r->proto, text, sizeof(text));
		tcc_rule_str(out, NULL, out->words[0] ? " %s" : "%s", text);
		tcc_rule_num(out, "proto", NULL, r->proto);
	} else {
		tcc_rule_null(out, "proto");
	}
	if (!MARK_ANY_PORT(r)) {
		tcc_rule_num(out, "dport_min", out->words[0] ? " dport %llu" : "dport %llu",
			     r->dport_min);
		tcc_rule_num(out, "dport_max", r->dport_max != r->dport_min ? "-%llu" : NULL,
			     r->dport_max);
	}
	if (!r->set)
		tcc_rule_str(out, NULL, out->words[0] ? " %s" : "%s", "keep");
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		__u32 v = i == 0 ? r->mark : i == 1 ? r->priority : r->classid;

		if (!(r->set & sets[i].bit)) {
			tcc_rule_null(out, sets[i].key);
			continue;
		}
		snprintf(text, sizeof(text), "%s%s 0x%x", out->words[0] ? " " : "", sets[i].key, v);
		tcc_rule_str(out, NULL, "%s", text);
		tcc_rule_num(out, sets[i].key, NULL, v);
	}
}

static int mark_add(struct tcc_ctx *ctx, struct tcc_chain *c, __u32 slot,
		    int argc, char **argv, __u32 *id)
{
	struct mark_rules rs;
	struct mark_rule r;
	struct tcc_map m = { .fd = -1 };
	__u32 zero = 0, pos;
	int err;

	err = parse_rule(ctx, argc, argv, &r, &pos);
	if (!err)
		err = rules_read(ctx, c, slot, &m, &rs);
	if (err)
		goto out;
	if (rs.n_rules == MARK_MAX_RULES) {
		err = tcc__fail(ctx, -ENOSPC, "the mark stage holds at most %d rules", MARK_MAX_RULES);
		goto out;
	}
	if (!pos)
		pos = rs.n_rules + 1;
	if (pos > rs.n_rules + 1) {
		err = tcc__fail(ctx, -EINVAL, "rule id %u: the rules are numbered 1..%u "
				"(ids are positions; give %u or less)", pos, rs.n_rules + 1,
				rs.n_rules + 1);
		goto out;
	}
	memmove(&rs.rules[pos], &rs.rules[pos - 1], (rs.n_rules - (pos - 1)) * sizeof(r));
	rs.rules[pos - 1] = r;
	rs.n_rules++;
	if (bpf_map_update_elem(m.fd, &zero, &rs, BPF_ANY)) {
		err = tcc__refused(ctx, tcc__fail(ctx, -errno, "cannot update mark_rules"));
		goto out;
	}
	if (pos < rs.n_rules)
		hits_shift(c, slot, pos - 1, 1);
	*id = pos;
out:
	if (m.fd >= 0)
		tcc_map_close(&m);
	return err;
}

static int mark_del(struct tcc_ctx *ctx, struct tcc_chain *c, __u32 slot, __u32 id)
{
	struct tcc_map m = { .fd = -1 };
	struct mark_rules rs;
	__u32 zero = 0;
	int err;

	err = rules_read(ctx, c, slot, &m, &rs);
	if (err)
		goto out;
	if (id < 1 || id > rs.n_rules) {
		err = tcc__fail(ctx, -ENOENT, "no such rule (id %u)", id);
		goto out;
	}
	memmove(&rs.rules[id - 1], &rs.rules[id], (rs.n_rules - id) * sizeof(rs.rules[0]));
	rs.n_rules--;
	memset(&rs.rules[rs.n_rules], 0, sizeof(rs.rules[0]));
	if (bpf_map_update_elem(m.fd, &zero, &rs, BPF_ANY)) {
		err = tcc__refused(ctx, tcc__fail(ctx, -errno, "cannot update mark_rules"));
		goto out;
	}
	hits_shift(c, slot, id - 1, -1);
out:
	if (m.fd >= 0)
		tcc_map_close(&m);
	return err;
}

static int mark_list(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot,
		     struct tcc_rule **rules, int *n)
{
	struct tcc_map m = { .fd = -1 }, hits;
	struct mark_rules rs;
	int err;

	*rules = NULL;
	*n = 0;
	err = rules_read(ctx, c, slot, &m, &rs);
	if (err)
		goto out;
	*rules = calloc(rs.n_rules ? rs.n_rules : 1, sizeof(**rules));
	if (!*rules) {
		err = -ENOMEM;
		goto out;
	}
	if (tcc_map_open(c, slot, "mark_hits", &hits))
		hits.fd = -1;
	for (__u32 i = 0; i < rs.n_rules; i++) {
		__u64 h = 0;

		if (hits.fd >= 0)
			tcc_map_lookup(&hits, &i, &h);
		rule_words(&rs.rules[i], i + 1, h, &(*rules)[i]);
	}
	if (hits.fd >= 0)
		tcc_map_close(&hits);
	*n = rs.n_rules;
out:
	if (m.fd >= 0)
		tcc_map_close(&m);
	return err;
}

static int mark_default(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot,
			struct tcc_rule *def)
{
	static const char *const params[] = { "mark_value", "priority", "classid" };
	__u32 miss = MARK_MAX_RULES, zero = 0;
	struct tcc_map m;
	char text[48];
	bool any = false;

	(void)ctx;
	memset(def, 0, sizeof(*def));
	if (!tcc_map_open(c, slot, "mark_hits", &m)) {
		tcc_map_lookup(&m, &miss, &def->hits);
		tcc_map_close(&m);
	}
	if (!tcc_map_open(c, slot, "rodata", &m)) {
		void *v = calloc(1, m.value_size);

		for (size_t i = 0; v && !tcc_map_lookup(&m, &zero, v) && i < ARRAY_SIZE(params); i++) {
			__u64 x = 0;

			tcc_btf_get(m.btf, m.value_type_id, v, params[i], &x);
			if (!x)
				continue;
			snprintf(text, sizeof(text), "%s%s 0x%llx", any ? " " : "",
				 i ? params[i] : "mark", (unsigned long long)x);
			tcc_rule_str(def, NULL, "%s", text);
			any = true;
		}
		free(v);
		tcc_map_close(&m);
	}
	if (!any)
		tcc_rule_str(def, NULL, "%s", "keep");
	tcc_rule_str(def, "action", NULL, def->words);
	return 0;
}

const struct tcc_kind tcc_kind_mark = {
	.name		= "mark",
	.rule_usage	= "[ id ID ] [ src PREFIX ] [ ipv4 | ipv6 ] [ PROTO ] [ dport PORT[-PORT] ]\n"
			  "        { keep | [ mark N ] [ priority N ] [ classid N ] }",
	.rule_help	= "PROTO := { tcp | udp | icmp | icmpv6 | sctp | proto N }\n"
			  "The first rule that matches sets what it names and the others are not tried;\n"
			  "a packet no rule matched gets the stage's params.  IDs are positions (1 first):\n"
			  "add inserts at ID (default: last), del renumbers the rules after it.\n",
	.rule_add	= mark_add,
	.rule_del	= mark_del,
	.rule_list	= mark_list,
	.rule_default	= mark_default,
};
