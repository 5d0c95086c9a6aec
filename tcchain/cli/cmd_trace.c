// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcchain trace: each traced packet's path through the chain, from the
 * chain's tcc_trace ring buffer (doc/observe.md).  The data plane sends
 * events only while the trace flag is on; this command turns it on after
 * claiming the chain (a flock on its pin directory, see lib/observe.c) and
 * off again on every way out it can see: count reached, SIGINT, SIGTERM,
 * SIGHUP, SIGPIPE.  A SIGKILL is noticed by the next command that opens
 * the chain, which finds the flag on and the claim free.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <netinet/in.h>
#include <linux/pkt_cls.h>

#include "tcchain/cli/observe.h"

#define MAX_HOPS	(TCC_MAX_SLOTS + 2)

struct filter {
	int proto;			/* -1: any */
	bool has_src, has_dst;
	int src_fam, dst_fam;
	__u32 src[4], dst[4];
	int sport, dport;		/* -1: any */
};

struct percpu {
	bool active;
	int n;
	struct tcc_trace_event ev[MAX_HOPS];	/* [0]: the entry */
};

struct tracer {
	const struct tcc_chain *c;
	struct filter f;
	struct percpu *cpu;
	int ncpu;
	__u32 count, printed;
	bool discard;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *verdict_str(int v, char *buf, size_t len)
{
	switch (v) {
	case -128:		return "next";
	case TC_ACT_OK:		return "pass";
	case TC_ACT_SHOT:	return "drop";
	case TC_ACT_REDIRECT:	return "redirect";
	case TC_ACT_UNSPEC:	return "continue";
	}
	snprintf(buf, len, "act-%d", v);
	return buf;
}

static const char *proto_str(int p, char *buf, size_t len)
{
	switch (p) {
	case IPPROTO_TCP:	return "tcp";
	case IPPROTO_UDP:	return "udp";
	case IPPROTO_ICMP:	return "icmp";
	case IPPROTO_ICMPV6:	return "icmpv6";
	}
	snprintf(buf, len, "%d", p);
	return buf;
}

/* The parsed packet as the last hop saw it, or NULL (no parse stage). */
static const struct tcc_pkt *parsed(const struct percpu *pc)
{
	for (int i = pc->n - 1; i >= 0; i--)
		if (pc->ev[i].pkt.flags & TCC_PKT_PARSED)
			return &pc->ev[i].pkt;
	return NULL;
}

static bool addr_eq(const struct tcc_pkt *p, const __u32 *a, int fam, const __u32 *want)
{
	if ((fam == AF_INET) != (p->ip_ver == 4))
		return false;
	return !memcmp(a, want, fam == AF_INET ? 4 : 16);
}

static bool matches(const struct filter *f, const struct tcc_pkt *p)
{
	if (f->proto < 0 && !f->has_src && !f->has_dst && f->sport < 0 && f->dport < 0)
		return true;
	if (!p)
		return false;
	if (f->proto >= 0 && p->l4_proto != f->proto)
		return false;
	if (f->has_src && !addr_eq(p, p->src, f->src_fam, f->src))
		return false;
	if (f->has_dst && !addr_eq(p, p->dst, f->dst_fam, f->dst))
		return false;
	if (f->sport >= 0 && (!(p->flags & TCC_PKT_L4) || p->sport != f->sport))
		return false;
	if (f->dport >= 0 && (!(p->flags & TCC_PKT_L4) || p->dport != f->dport))
		return false;
	return true;
}

static void print_pkt(const struct tcc_pkt *p)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], pb[16];
	int fam = p->ip_ver == 6 ? AF_INET6 : AF_INET;

	out_open_object("pkt");
	if (p->ip_ver) {
		inet_ntop(fam, p->src, src, sizeof(src));
		inet_ntop(fam, p->dst, dst, sizeof(dst));
		out_string("proto", " %s", proto_str(p->l4_proto, pb, sizeof(pb)));
		out_string("src", " %s", src);
		if (p->flags & TCC_PKT_L4)
			out_uint("sport", ":%llu", p->sport);
		out_string("dst", " > %s", dst);
		if (p->flags & TCC_PKT_L4)
			out_uint("dport", ":%llu", p->dport);
	} else {
		out_uint("eth_proto", " ethertype 0x%04llx", p->eth_proto);
	}
	out_close_object();
}

static void print_packet(struct tracer *tr, struct percpu *pc)
{
	const struct tcc_trace_event *en = &pc->ev[0], *last = &pc->ev[pc->n - 1];
	const struct tcc_pkt *p = parsed(pc);
	struct tcc_stage_info si;
	__u64 stage_ns = 0;
	char vb[16];

	for (int i = 1; i < pc->n; i++)
		if (pc->ev[i].kind == TCC_TRACE_HOP)
			stage_ns += pc->ev[i].ns;
	out_open_object(NULL);
	out_uint("seq", "packet %llu", en->seq);
	out_uint("cpu", " cpu %llu", en->cpu);
	out_uint("len", " len %llu", en->len);
	out_uint("ifindex", " ifindex %llu", en->ifindex);
	out_text(":");
	if (p)
		print_pkt(p);
	else if (json_output)
		out_null("pkt");
	else
		out_text(" (not parsed)");
	out_text("\n");
	out_open_array("hops");
	for (int i = 1; i < pc->n; i++) {
		const struct tcc_trace_event *e = &pc->ev[i];

		if (e->kind != TCC_TRACE_HOP)
			continue;
		out_open_object(NULL);
		out_uint("slot", "  slot %-2llu", e->slot);
		out_string("stage", " %-16s", !tcc_stage_info(tr->c, e->slot, &si) ? si.prog : "?");
		out_string("verdict", " %-8s", verdict_str(e->verdict, vb, sizeof(vb)));
		out_uint("ns", " %6llu ns", e->ns);
		out_open_array("cb");
		out_text("  cb");
		for (int w = 0; w < TCC_CB_WORDS; w++)
			out_uint(NULL, " %08llx", e->cb[w]);
		out_close_array();
		out_open_object("hdr");
		out_uint("flags", "  hdr %llx", e->hdr.flags);
		out_uint("seq", " %08llx", e->hdr.seq);
		out_close_object();
		out_uint("mark", "  mark %llx", e->mark);
		out_text("\n");
		out_close_object();
	}
	out_close_array();
	out_string("verdict", "  verdict %s", verdict_str(last->verdict, vb, sizeof(vb)));
	if (last->kind == TCC_TRACE_END) {
		out_string("by", " by the end of the chain", "end");
		out_null("slot");
	} else {
		out_string("by", last->kind == TCC_TRACE_MISS ? " by a miss" : " by a stage",
			   last->kind == TCC_TRACE_MISS ? "miss" : "stage");
		out_uint("slot", " at slot %llu", last->slot);
	}
	out_uint("ns", " after %llu ns in stages", stage_ns);
	out_uint("wall_ns", " (%llu ns with the trace's own)\n", last->ts - en->ts);
	out_close_object();
	fflush(stdout);
}

static int on_event(void *arg, void *data, size_t size)
{
	const struct tcc_trace_event *e = data;
	struct tracer *tr = arg;
	struct percpu *pc;

	if (tr->discard || size < sizeof(*e) || e->cpu >= (__u32)tr->ncpu)
		return 0;
	pc = &tr->cpu[e->cpu];
	if (e->kind == TCC_TRACE_ENTRY) {
		/* a packet whose end was lost (ring full) is dropped */
		pc->active = true;
		pc->n = 0;
	}
	if (!pc->active || pc->n >= MAX_HOPS)
		return 0;
	pc->ev[pc->n++] = *e;
	if (e->kind == TCC_TRACE_ENTRY || (e->kind == TCC_TRACE_HOP && e->verdict == -128))
		return 0;
	pc->active = false;
	if (!matches(&tr->f, parsed(pc)))
		return 0;
	print_packet(tr, pc);
	tr->printed++;
	if (tr->count && tr->printed >= tr->count)
		return 1;	/* stops ring_buffer__poll */
	return 0;
}

static int parse_addr(const char *arg, int *fam, __u32 *a)
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, arg, a) == 1) {
		*fam = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, arg, a) == 1) {
		*fam = AF_INET6;
		return 0;
	}
	p_err("trace: '%s' is not an IPv4 or IPv6 address", arg);
	return -1;
}

static int parse_proto(const char *arg, int *proto)
{
	static const struct { const char *name; int p; } protos[] = {
		{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
		{ "icmp", IPPROTO_ICMP }, { "icmpv6", IPPROTO_ICMPV6 },
	};
	__u32 v;

	for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
		if (is_kw(arg, protos[i].name)) {
			*proto = protos[i].p;
			return 0;
		}
	}
	if (arg[0] < '0' || arg[0] > '9') {
		p_err("trace: unknown protocol '%s' (tcp, udp, icmp, icmpv6 or a number)", arg);
		return -1;
	}
	if (parse_u32(arg, "proto", 0, 255, &v))
		return -1;
	*proto = v;
	return 0;
}

static int do_trace_help(void)
{
	fprintf(stderr,
		"Usage: %s trace [ dev DEV [ ingress | egress ] ] [ count N ] [ rate N ]\n"
		"                [ proto PROTO ] [ src ADDR ] [ dst ADDR ] [ sport PORT ] [ dport PORT ]\n"
		"Print each traced packet's path: slots, verdicts, cb words, scratch header, time.\n"
		"rate N traces 1 packet in N (a power of two, default 1); the filters apply to\n"
		"the parsed packet.  Tracing is on only while this runs (doc/observe.md).\n",
		bin_name);
	return 0;
}

static int parse_args(int argc, char **argv, struct target *t, struct tracer *tr, __u32 *shift)
{
	bool seen[7] = {};
	__u32 v;

	while (argc) {
		const char *kw = argv[0];
		int used;

		if (is_kw(kw, "count") || is_kw(kw, "rate") || is_kw(kw, "proto") ||
		    is_kw(kw, "src") || is_kw(kw, "dst") || is_kw(kw, "sport") ||
		    is_kw(kw, "dport")) {
			NEXT_ARG();
			REQ_ARGS(1);
		}
		if (is_kw(kw, "count")) {
			ONCE(seen[0], kw);
			if (parse_u32(argv[0], "count", 1, UINT32_MAX, &tr->count))
				return -1;
		} else if (is_kw(kw, "rate")) {
			ONCE(seen[1], kw);
			if (parse_u32(argv[0], "rate", 1, 1UL << TCC_COST_SHIFT_MAX, &v))
				return -1;
			if (v & (v - 1)) {
				p_err("trace: rate %u is not a power of two (1 packet in N is traced)", v);
				return -1;
			}
			*shift = __builtin_ctz(v);
		} else if (is_kw(kw, "proto")) {
			ONCE(seen[2], kw);
			if (parse_proto(argv[0], &tr->f.proto))
				return -1;
		} else if (is_kw(kw, "src")) {
			ONCE(seen[3], kw);
			if (parse_addr(argv[0], &tr->f.src_fam, tr->f.src))
				return -1;
			tr->f.has_src = true;
		} else if (is_kw(kw, "dst")) {
			ONCE(seen[4], kw);
			if (parse_addr(argv[0], &tr->f.dst_fam, tr->f.dst))
				return -1;
			tr->f.has_dst = true;
		} else if (is_kw(kw, "sport") || is_kw(kw, "dport")) {
			ONCE(seen[is_kw(kw, "sport") ? 5 : 6], kw);
			if (parse_u32(argv[0], kw, 0, 65535, &v))
				return -1;
			*(is_kw(kw, "sport") ? &tr->f.sport : &tr->f.dport) = v;
		} else {
			used = parse_target(argc, argv, t);
			if (used < 0)
				return -1;
			if (!used) {
				p_err("trace: unknown keyword '%s'", kw);
				return -1;
			}
			argc -= used;
			argv += used;
			continue;
		}
		NEXT_ARG();
	}
	return 0;
}

int do_trace(int argc, char **argv)
{
	struct tracer tr = { .f = { .proto = -1, .sport = -1, .dport = -1 } };
	struct ring_buffer *rb = NULL;
	struct target t = {};
	struct tcc_chain *c;
	struct sigaction sa = { .sa_handler = on_signal };
	__u32 shift = 0;
	int claim, err = 0, n;

	if (argc && is_kw(argv[0], "help")) {
		if (argc > 1) {
			p_err("unexpected '%s' after help", argv[1]);
			return -1;
		}
		return do_trace_help();
	}
	if (parse_args(argc, argv, &t, &tr, &shift))
		return -1;
	c = target_chain(&t, "trace");
	if (!c)
		return -1;
	tr.c = c;
	tr.ncpu = libbpf_num_possible_cpus();
	if (tr.ncpu < 0 || !(tr.cpu = calloc(tr.ncpu, sizeof(*tr.cpu)))) {
		p_err("trace: out of memory");
		tcc_chain_close(c);
		return -1;
	}
	claim = tcc_trace_claim(c);
	if (claim < 0) {
		if (claim == -EBUSY)
			p_err("trace: another trace is running on this chain");
		else
			p_fail(claim, "trace: cannot claim the chain");
		free(tr.cpu);
		tcc_chain_close(c);
		return -1;
	}
	rb = ring_buffer__new(tcc_chain_map_fd(c, TCC_MAP_TRACE), on_event, &tr, NULL);
	if (!rb) {
		p_fail(-errno, "trace: cannot open the chain's trace ring buffer");
		tcc_trace_release(c, claim);
		free(tr.cpu);
		tcc_chain_close(c);
		return -1;
	}
	/* What a killed tracer left in the ring is not ours. */
	tr.discard = true;
	ring_buffer__consume(rb);
	tr.discard = false;

	/* No SA_RESTART: a signal ends the poll at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);

	out_open_array(NULL);
	err = tcc_trace_set(c, true, shift);
	while (!err && !stop && !(tr.count && tr.printed >= tr.count)) {
		/* The data plane never wakes us (observe.h): the poll is
		 * a 20 ms sleep that a signal cuts short, then a read.
		 */
		n = ring_buffer__poll(rb, 20);
		if (n < 0 && n != -EINTR)
			err = n;
		else
			n = ring_buffer__consume(rb);
	}
	tcc_trace_release(c, claim);
	out_close_array();
	ring_buffer__free(rb);
	free(tr.cpu);
	tcc_chain_close(c);
	if (err) {
		p_fail(err, "trace: cannot read events");
		return -1;
	}
	return 0;
}
