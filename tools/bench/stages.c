// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tools/bench/stages: the stage library as a chain and as one program.
 *
 * parse -> acl -> ratelimit -> mark -> count, built twice:
 *
 *   chain  tcc_chain_load() + tcc_stage_set() of the shipped stage objects
 *          in slots 0-4, with params as `stage set ... param` sets them
 *   mono   bench_stages_mono.bpf.o: the same five sources compiled into
 *          one program, each body an inline function called in turn
 *
 * Both get the same rules through their maps (acl: a few prefixes, one of
 * which lets the test packets continue; mark: one rule that marks them)
 * and a rate limit nothing reaches, so every packet runs through all five
 * stages.  Same method as tools/bench/dispatch (common.h): copies,
 * interleaved rounds, thread CPU time per BPF_PROG_TEST_RUN, on a
 * 64-byte IPv4/UDP and an 84-byte
 * IPv6/UDP frame (the same UDP datagram).  Checked: the verdict, the
 * skb->mark and skb->priority the mark rule sets, and the parsed packet
 * left in the scratch are the same for both builds; count saw every
 * packet of every run; nothing went over the rate limit; and a packet
 * from a source the acl drops ends both at acl, with TC_ACT_SHOT and the
 * same scratch.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include <netinet/in.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "tools/bench/common.h"

/* Options of this benchmark only; the shared ones are in opt. */
static struct {
	const char *stage_dir;	/* -s: the stage library's objects */
} sopt;

#define SL_MARK		0x42
#define SL_PRIO		7
#define SL_DPORT	5001

enum sl_variant { SL_CHAIN, SL_MONO, SL_VARIANTS };

static const char *const sl_variant_key[SL_VARIANTS] = { "chain", "mono" };
static const char *const sl_stage_names[] = { "parse", "acl", "ratelimit", "mark", "count" };
#define SL_N_STAGES	ARRAY_SIZE(sl_stage_names)
/* their slots in the chain: the index in sl_stage_names */
#define SL_SLOT_ACL	1
#define SL_SLOT_RL	2
#define SL_SLOT_MARK	3
#define SL_SLOT_COUNT	4

/* ratelimit's params, for both builds (both are __u64 in the stage). */
static const struct tcc_param sl_rl_params[] = {
	{ "rate", "100000000" },	/* 100 Mpps: 10 ns a packet, never reached here */
	{ "burst", "1000000" },
};

/* acl lists; a rule is "id proto dport_min dport_max action". */
static const struct {
	const char *map, *prefix;
	int plen;
	const char *rules;
} sl_acl[] = {
	{ "acl_dst4", "10.0.0.0",    8,  "10 17 5000 5010 0, 20 6 22 22 2" },
	{ "acl_src4", "192.168.0.0", 16, "5 0 0 65535 2" },
	{ "acl_dst6", "fd00::",      8,  "30 17 5000 5010 0, 40 6 22 22 2" },
	{ "acl_src6", "2001:db8::",  32, "6 0 0 65535 2" },
};
static const char *const sl_acl_fields[] = { "id", "proto", "dport_min", "dport_max", "action" };

/* One load of a build. */
struct sl_copy {
	int fd;				/* the program to run */
	int scratch_fd;
	struct tcc_map count_ipver, rl_stats;
	int progs;			/* programs a packet runs through */
	__u32 jit_bytes;		/* their JIT images */
};

struct sl_config {
	struct samples c;		/* samples and summary */
	enum sl_variant v;
	int family;			/* 4 or 6 */
};

static struct sl_copy sl_copies[SL_VARIANTS][MAX_COPIES];
static struct sl_config sl_configs[SL_VARIANTS * 2];

static void sl_field(const struct tcc_map *m, bool key, void *buf, const char *name,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Set field @name of a key or value of @m from text, by its BTF. */
static void sl_field(const struct tcc_map *m, bool key, void *buf, const char *name,
		     const char *fmt, ...)
{
	char val[64], err[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (tcc_btf_set(m->btf, key ? m->key_type_id : m->value_type_id, buf, name, val,
			err, sizeof(err)))
		die("map %s: %s", m->name, err);
}

/* Field @field of element @key, summed over CPUs. */
static __u64 sl_counter(const struct tcc_map *m, __u32 key, const char *field)
{
	void *buf = calloc(1, m->value_size);
	int err = buf ? tcc_map_lookup(m, &key, buf) : -ENOMEM;
	__u64 v = 0;

	if (err || tcc_btf_get(m->btf, m->value_type_id, buf, field, &v))
		die("map %s: cannot read %s[%u].%s", m->name, m->name, key, field);
	free(buf);
	return v;
}

/*
 * A map of the mono object as a struct tcc_map (what tcc_map_open() gives
 * for a chain's stage map), so the rest of the code treats both alike.
 */
static void sl_map_obj(struct bpf_object *obj, const char *name, struct tcc_map *m)
{
	int fd = bpf_object__find_map_fd_by_name(obj, name);

	if (fd < 0 || (fd = dup(fd)) < 0 || tcc_map_from_fd(fd, name, m))
		die("%s: map %s: %s", bpf_object__name(obj), name, strerror(errno));
}

/* Stage map @name of the chain's slot, or the mono object's map. */
static void sl_map(struct tcc_chain *c, struct bpf_object *obj, __u32 slot, const char *name,
		   struct tcc_map *m)
{
	int err;

	if (obj) {
		sl_map_obj(obj, name, m);
	} else {
		err = tcc_map_open(c, slot, name, m);
		if (err)
			die("slot %u (%s): map %s: %s", slot, sl_stage_names[slot], name,
			    strerror(-err));
	}
	if (!m->btf || !m->value_type_id)
		die("map %s: no BTF", name);
}

static void sl_acl_list(const struct tcc_map *m, const char *prefix, int plen, const char *rules)
{
	void *key = calloc(1, m->key_size), *val = calloc(1, m->value_size);
	char name[32];
	int n = 0, err;

	if (!key || !val)
		die("out of memory");
	sl_field(m, true, key, "prefixlen", "%d", plen);
	sl_field(m, true, key, "addr", "%s", prefix);
	for (const char *r = rules; r; r = strchr(r, ',') ? strchr(r, ',') + 1 : NULL, n++) {
		unsigned int v[ARRAY_SIZE(sl_acl_fields)];

		if (sscanf(r, "%u %u %u %u %u", &v[0], &v[1], &v[2], &v[3], &v[4]) != 5)
			die("acl rule '%s'", r);
		for (size_t f = 0; f < ARRAY_SIZE(sl_acl_fields); f++) {
			snprintf(name, sizeof(name), "rules[%d].%s", n, sl_acl_fields[f]);
			sl_field(m, false, val, name, "%u", v[f]);
		}
	}
	sl_field(m, false, val, "n_rules", "%d", n);
	err = tcc_map_update(m, key, val);
	if (err)
		die("map %s: %s/%d: %s", m->name, prefix, plen, strerror(-err));
	free(key);
	free(val);
}

/* The rules, through the stages' maps; and the maps the checks read. */
static void sl_configure(struct tcc_chain *c, struct bpf_object *obj, struct sl_copy *cp)
{
	struct tcc_map m;
	void *val;
	__u32 zero = 0;
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(sl_acl); i++) {
		sl_map(c, obj, SL_SLOT_ACL, sl_acl[i].map, &m);
		sl_acl_list(&m, sl_acl[i].prefix, sl_acl[i].plen, sl_acl[i].rules);
		tcc_map_close(&m);
	}

	sl_map(c, obj, SL_SLOT_MARK, "mark_rules", &m);
	val = calloc(1, m.value_size);
	if (!val)
		die("out of memory");
	sl_field(&m, false, val, "n_rules", "1");
	sl_field(&m, false, val, "rules[0].set", "3");		/* mark and priority */
	sl_field(&m, false, val, "rules[0].proto", "%d", IPPROTO_UDP);
	sl_field(&m, false, val, "rules[0].dport_min", "5000");
	sl_field(&m, false, val, "rules[0].dport_max", "5010");
	sl_field(&m, false, val, "rules[0].mark", "%d", SL_MARK);
	sl_field(&m, false, val, "rules[0].priority", "%d", SL_PRIO);
	err = tcc_map_update(&m, &zero, val);
	if (err)
		die("map mark_rules: %s", strerror(-err));
	free(val);
	tcc_map_close(&m);

	sl_map(c, obj, SL_SLOT_COUNT, "count_ipver", &cp->count_ipver);
	sl_map(c, obj, SL_SLOT_RL, "rl_stats", &cp->rl_stats);
}

/* As `tcchain add` + `tcchain stage set N STAGE [param ...]`, unattached. */
static void sl_load_chain(struct sl_copy *cp)
{
	char path[PATH_MAX];
	struct tcc_chain *c;
	int err, fd, progs_fd;
	__u32 id;

	c = new_chain();
	for (__u32 slot = 0; slot < SL_N_STAGES; slot++) {
		struct tcc_stage_opts so = { .file = path };

		snprintf(path, sizeof(path), "%s/%s.bpf.o", sopt.stage_dir, sl_stage_names[slot]);
		if (slot == SL_SLOT_RL) {
			so.params = sl_rl_params;
			so.n_params = ARRAY_SIZE(sl_rl_params);
		}
		err = tcc_stage_set(tcc, c, slot, &so);
		if (err)
			tcc_die(path, err);
	}
	sl_configure(c, NULL, cp);
	cp->fd = tcc_chain_entry_fd(c);
	cp->scratch_fd = tcc_chain_map_fd(c, TCC_MAP_SCRATCH);
	cp->progs = 1 + SL_N_STAGES;
	cp->jit_bytes = jit_len(cp->fd);
	progs_fd = tcc_chain_map_fd(c, TCC_MAP_PROGS);
	for (__u32 slot = 0; slot < SL_N_STAGES; slot++) {
		if (bpf_map_lookup_elem(progs_fd, &slot, &id) ||
		    (fd = bpf_prog_get_fd_by_id(id)) < 0)
			die("slot %u: %s", slot, strerror(errno));
		cp->jit_bytes += jit_len(fd);
		close(fd);
	}
}

static void sl_load_mono(struct sl_copy *cp)
{
	struct bpf_object *obj = obj_open("bench_stages_mono.bpf.o");

	for (size_t i = 0; i < ARRAY_SIZE(sl_rl_params); i++) {
		__u64 v = strtoull(sl_rl_params[i].value, NULL, 0);
		int err = rodata_set(obj, sl_rl_params[i].name, &v, sizeof(v));

		if (err)
			die("bench_stages_mono: cannot set %s: %s", sl_rl_params[i].name,
			    strerror(-err));
	}
	obj_load(obj, "stages_mono", -1);
	keep(obj);
	sl_configure(NULL, obj, cp);
	cp->fd = prog_fd(obj, "stages_mono");
	cp->scratch_fd = bpf_object__find_map_fd_by_name(obj, TCC_MAP_SCRATCH);
	cp->progs = 1;
	cp->jit_bytes = jit_len(cp->fd);
}

/* This CPU's scratch: what the last packet run here left. */
static void sl_scratch(int fd, struct tcc_scratch *out)
{
	size_t stride = (sizeof(*out) + 7) & ~7UL;
	int ncpu = libbpf_num_possible_cpus();
	char *all = calloc(ncpu, stride);
	__u32 zero = 0;

	if (!all || bpf_map_lookup_elem(fd, &zero, all))
		die("scratch lookup: %s", strerror(errno));
	memcpy(out, all + opt.cpu * stride, sizeof(*out));
	free(all);
}

/* Run one copy repeat times: CPU ns per packet; every packet checked. */
static double sl_run(const struct sl_config *s, int copy, int repeat, __u32 *kns)
{
	const struct sl_copy *cp = &sl_copies[s->v][copy];
	struct __sk_buff ctx_in = {}, ctx_out = {};
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = s->family == 4 ? pkt : pkt6,
		.data_size_in = s->family == 4 ? sizeof(pkt) : sizeof(pkt6),
		.ctx_in = &ctx_in,
		.ctx_size_in = sizeof(ctx_in),
		.ctx_out = &ctx_out,
		.ctx_size_out = sizeof(ctx_out),
		.repeat = repeat,
	);
	__u64 before = sl_counter(&cp->count_ipver, s->family, "packets"), seen;
	double t0, t1;

	t0 = thread_ns();
	if (bpf_prog_test_run_opts(cp->fd, &o))
		die("stages %s IPv%d: BPF_PROG_TEST_RUN: %s", sl_variant_key[s->v], s->family,
		    strerror(errno));
	t1 = thread_ns();
	seen = sl_counter(&cp->count_ipver, s->family, "packets") - before;
	if (o.retval != TC_ACT_OK || ctx_out.mark != SL_MARK || ctx_out.priority != SL_PRIO ||
	    seen != (__u64)repeat)
		die("stages %s IPv%d: wrong result: verdict %d, mark 0x%x, priority %u, "
		    "count saw %llu of %d packets (want %d, 0x%x, %d, all)",
		    sl_variant_key[s->v], s->family, (int)o.retval, ctx_out.mark,
		    ctx_out.priority, (unsigned long long)seen, repeat, TC_ACT_OK, SL_MARK,
		    SL_PRIO);
	if (kns)
		*kns = o.duration;
	return (t1 - t0) / repeat;
}

/* Both builds leave the same parsed packet, and a real one. */
static void sl_check_scratch(const struct sl_config *chain, const struct sl_config *mono,
			     int copy)
{
	struct tcc_scratch a, b;

	sl_run(chain, copy, 1, NULL);
	sl_scratch(sl_copies[SL_CHAIN][copy].scratch_fd, &a);
	sl_run(mono, copy, 1, NULL);
	sl_scratch(sl_copies[SL_MONO][copy].scratch_fd, &b);
	if (!(a.pkt.flags & TCC_PKT_PARSED) || !(a.pkt.flags & TCC_PKT_L4) ||
	    a.pkt.ip_ver != chain->family || a.pkt.l4_proto != IPPROTO_UDP ||
	    a.pkt.dport != SL_DPORT)
		die("stages IPv%d: the chain did not parse the packet (flags 0x%x, ip_ver %u, "
		    "dport %u)", chain->family, a.pkt.flags, a.pkt.ip_ver, a.pkt.dport);
	if (memcmp(&a, &b, sizeof(a)))
		die("stages IPv%d: chain and one program leave different scratch contents",
		    chain->family);
}

/*
 * The other way out: a source the acl drops (192.168.0.0/16, 2001:db8::/32)
 * must end both builds at acl, with TC_ACT_SHOT, before ratelimit, mark
 * and count, and leave the same scratch.
 */
static void sl_check_drop(int family, int copy)
{
	unsigned char buf[PKT6_LEN];
	struct tcc_scratch sc[SL_VARIANTS];
	struct __sk_buff ctx_out[SL_VARIANTS] = {};
	size_t len = family == 4 ? sizeof(pkt) : sizeof(pkt6);

	udp_packet(buf, len, family, family == 4 ? "192.168.1.1" : "2001:db8::1");
	for (int v = 0; v < SL_VARIANTS; v++) {
		const struct sl_copy *cp = &sl_copies[v][copy];
		LIBBPF_OPTS(bpf_test_run_opts, o,
			.data_in = buf,
			.data_size_in = len,
			.ctx_out = &ctx_out[v],
			.ctx_size_out = sizeof(ctx_out[v]),
			.repeat = 1,
		);
		__u64 before = sl_counter(&cp->count_ipver, family, "packets");

		if (bpf_prog_test_run_opts(cp->fd, &o))
			die("stages %s IPv%d: BPF_PROG_TEST_RUN: %s", sl_variant_key[v], family,
			    strerror(errno));
		if (o.retval != TC_ACT_SHOT || ctx_out[v].mark ||
		    sl_counter(&cp->count_ipver, family, "packets") != before)
			die("stages %s IPv%d: a packet the acl drops: verdict %d, mark 0x%x "
			    "(want %d, no mark, not counted)", sl_variant_key[v], family,
			    (int)o.retval, ctx_out[v].mark, TC_ACT_SHOT);
		sl_scratch(cp->scratch_fd, &sc[v]);
	}
	if (memcmp(&sc[SL_CHAIN], &sc[SL_MONO], sizeof(sc[0])))
		die("stages IPv%d: a packet the acl drops: chain and one program leave different "
		    "scratch contents", family);
}

static void sl_measure(void)
{
	static int order[ARRAY_SIZE(sl_configs) * MAX_COPIES];
	int n = ARRAY_SIZE(sl_configs) * opt.copies;

	for (int cp = 0; cp < opt.copies; cp++) {
		for (size_t i = 0; i < ARRAY_SIZE(sl_configs); i += SL_VARIANTS) {
			sl_check_drop(sl_configs[i].family, cp);
			sl_check_scratch(&sl_configs[i + SL_CHAIN], &sl_configs[i + SL_MONO], cp);
		}
	}
	for (int i = 0; i < n; i++) {
		sl_run(&sl_configs[i / opt.copies], i % opt.copies, opt.repeat / 100, NULL);
		order[i] = i;
	}
	for (int r = 0; r < opt.rounds; r++) {
		shuffle(order, n);
		for (int i = 0; i < n; i++) {
			struct sl_config *s = &sl_configs[order[i] / opt.copies];
			int cp = order[i] % opt.copies;

			s->c.ns[cp][r] = sl_run(s, cp, opt.repeat, &s->c.kns[cp][r]);
		}
		if (opt.verbose)
			fprintf(stderr, "round %d/%d done\n", r + 1, opt.rounds);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sl_configs); i++)
		summarize(&sl_configs[i].c);
}

/* Nothing may have been over the limit, or not every packet ran every stage. */
static __u64 sl_over(void)
{
	__u64 over = 0;

	for (int v = 0; v < SL_VARIANTS; v++)
		for (int cp = 0; cp < opt.copies; cp++)
			over += sl_counter(&sl_copies[v][cp].rl_stats, 0, "over");
	return over;
}

static double sl_jit_kb(enum sl_variant v)
{
	double sum = 0;

	for (int cp = 0; cp < opt.copies; cp++)
		sum += sl_copies[v][cp].jit_bytes;
	return sum / opt.copies / 1024;
}

static void sl_print(__u64 over)
{
	printf("\nns per packet: median (min-max) over %d copies x %d rounds of %d packets, CPU %d\n",
	       opt.copies, opt.rounds, opt.repeat, opt.cpu);
	printf("%s", sl_stage_names[0]);
	for (size_t i = 1; i < SL_N_STAGES; i++)
		printf(" -> %s", sl_stage_names[i]);
	printf(": a tcchain chain vs the same sources as one program\n\n");
	printf("%-16s %20s %20s %10s %10s %7s\n", "packet", "chain", "one program",
	       "chain-one", "per stage", "ratio");
	for (size_t i = 0; i < ARRAY_SIZE(sl_configs); i += SL_VARIANTS) {
		const struct samples *ch = &sl_configs[i + SL_CHAIN].c, *mo = &sl_configs[i + SL_MONO].c;
		int fam = sl_configs[i].family;
		char a[48], b[48], what[32];

		snprintf(what, sizeof(what), "IPv%d/UDP %zu B", fam,
			 fam == 4 ? sizeof(pkt) : sizeof(pkt6));
		snprintf(a, sizeof(a), "%.1f (%.0f-%.0f)", ch->med, ch->min, ch->max);
		snprintf(b, sizeof(b), "%.1f (%.0f-%.0f)", mo->med, mo->min, mo->max);
		printf("%-16s %20s %20s %+10.1f %10.1f %6.2fx\n", what, a, b, ch->med - mo->med,
		       (ch->med - mo->med) / SL_N_STAGES, ch->med / mo->med);
	}
	printf("\nprograms a packet runs: chain %d (entry + %zu stages, %.1f KB JIT), "
	       "one program 1 (%.1f KB JIT)\n", sl_copies[SL_CHAIN][0].progs, SL_N_STAGES,
	       sl_jit_kb(SL_CHAIN), sl_jit_kb(SL_MONO));
	printf("checked for both: verdict TC_ACT_OK, skb->mark 0x%x and priority %d from the "
	       "mark rule,\nthe same parsed packet in the scratch; count saw every packet; "
	       "%llu over the rate limit;\na source the acl drops: TC_ACT_SHOT at acl, the same "
	       "scratch\n", SL_MARK, SL_PRIO, (unsigned long long)over);
}

static void sl_write_json(const char *path, __u64 over)
{
	struct utsname u;
	FILE *f = fopen(path, "w");

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	uname(&u);
	fprintf(f, "{\n  \"bench\": \"stages\",\n  \"kernel\": \"%s\",\n", u.release);
	fprintf(f, "  \"unit\": \"ns per packet (thread CPU time / repeat)\",\n  \"stages\": [");
	for (size_t i = 0; i < SL_N_STAGES; i++)
		fprintf(f, "%s\"%s\"", i ? ", " : "", sl_stage_names[i]);
	fprintf(f, "],\n  \"ratelimit_params\": \"");
	for (size_t i = 0; i < ARRAY_SIZE(sl_rl_params); i++)
		fprintf(f, "%s%s=%s", i ? " " : "", sl_rl_params[i].name, sl_rl_params[i].value);
	fprintf(f, "\",\n  \"copies\": %d,\n  \"rounds\": %d,\n  \"repeat\": %d,\n  \"cpu\": %d,\n",
		opt.copies, opt.rounds, opt.repeat, opt.cpu);
	fprintf(f, "  \"jit_bytes\": {\"chain\": %.0f, \"mono\": %.0f},\n",
		sl_jit_kb(SL_CHAIN) * 1024, sl_jit_kb(SL_MONO) * 1024);
	fprintf(f, "  \"over_limit\": %llu,\n  \"results\": [\n", (unsigned long long)over);
	for (size_t i = 0; i < ARRAY_SIZE(sl_configs); i++) {
		const struct sl_config *s = &sl_configs[i];
		const struct samples *c = &s->c;

		fprintf(f, "    {\"variant\": \"%s\", \"family\": %d, \"packet_bytes\": %zu, "
			"\"median_ns\": %.2f, \"min_ns\": %.2f, \"max_ns\": %.2f, "
			"\"kernel_median_ns\": %.1f,\n     ",
			sl_variant_key[s->v], s->family, s->family == 4 ? sizeof(pkt) : sizeof(pkt6),
			c->med, c->min, c->max, c->kmed);
		json_samples(f, c);
		fprintf(f, "}%s\n", i + 1 < ARRAY_SIZE(sl_configs) ? "," : "");
	}
	fprintf(f, "  ],\n  \"ratio\": {");
	for (size_t i = 0; i < ARRAY_SIZE(sl_configs); i += SL_VARIANTS)
		fprintf(f, "%s\"ipv%d\": %.3f", i ? ", " : "", sl_configs[i].family,
			sl_configs[i + SL_CHAIN].c.med / sl_configs[i + SL_MONO].c.med);
	fprintf(f, "}\n}\n");
	if (fclose(f))
		die("cannot write %s: %s", path, strerror(errno));
}

static void usage(void)
{
	fprintf(stderr,
		"usage: stages [-s STAGE_DIR] [-r ROUNDS] [-k COPIES] [-n REPEAT] [-c CPU]\n"
		"              [-b BPF_DIR] [-o JSON] [-v]\n"
		BENCH_OPTS_USAGE
		"  -s DIR     the stage objects (default: ../../stages from the binary,\n"
		"             $(OUT)/stages)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static char stage_dir[PATH_MAX + 16];
	struct timespec t0, t1;
	__u64 over;
	int c;

	while ((c = getopt(argc, argv, BENCH_OPTS "s:h")) != -1) {
		if (bench_opt(c, optarg))
			continue;
		if (c != 's')
			usage();
		sopt.stage_dir = optarg;
	}
	if (optind != argc || !bench_setup())
		usage();
	if (!sopt.stage_dir) {
		snprintf(stage_dir, sizeof(stage_dir), "%s/../../stages", bench_exe_dir());
		sopt.stage_dir = stage_dir;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sl_configs); i++) {
		sl_configs[i].v = i % SL_VARIANTS;
		sl_configs[i].family = i < SL_VARIANTS ? 4 : 6;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Copy by copy, alternating, as tools/bench/dispatch loads. */
	for (int cp = 0; cp < opt.copies; cp++) {
		sl_load_chain(&sl_copies[SL_CHAIN][cp]);
		sl_load_mono(&sl_copies[SL_MONO][cp]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "stages: chain and one program x %d copies loaded in %.1f s; "
		"%d rounds of %d packets each on CPU %d\n", opt.copies,
		t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9, opt.rounds, opt.repeat,
		opt.cpu);

	sl_measure();
	over = sl_over();
	if (over)
		die("stages: %llu packets over the rate limit: not every packet ran every stage",
		    (unsigned long long)over);
	sl_print(over);
	if (opt.json)
		sl_write_json(opt.json, over);

	for (int v = 0; v < SL_VARIANTS; v++) {
		for (int cp = 0; cp < opt.copies; cp++) {
			tcc_map_close(&sl_copies[v][cp].count_ipver);
			tcc_map_close(&sl_copies[v][cp].rl_stats);
		}
	}
	bench_cleanup();
	return 0;
}
