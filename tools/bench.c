// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench: what does dispatching a packet through N stages cost?
 *
 * Every variant runs the same work per packet (the entry's reset and N
 * minimal stage bodies, tools/bpf/bench.h) on a 64-byte IPv4/UDP packet
 * with BPF_PROG_TEST_RUN; only the way control gets from one stage to the
 * next differs:
 *
 *   inline   the N bodies inlined into one program (no dispatch at all)
 *   bpf2bpf  each body a __noinline subprogram of one program
 *   tcchain  the real chain: tcc_chain_load() + tcc_stage_set() of
 *            bench_stage.bpf.o (TCC_STAGE, stats on), as `tcchain add` and
 *            `stage set` build it
 *   next[]   the shipped dispatch (next[] table + asm-pinned constant tail
 *            calls) without the per-stage stats, loaded with plain libbpf
 *   next+1   next[] with a fast path: adjacent slot by a direct tail call
 *            on tcc_slot + 1, the switch only for holes
 *   slot+1   each stage tail-calls the constant slot + 1; holes filled
 *            with a skip program
 *   1obj+1   slot+1 with all stages in one object (compile-time slots)
 *   naive    next[] table and one variable-key tail call (retpoline)
 *
 * Chains are built with stages in slots 0..N-1 ("packed") and, for N = 4,
 * also in slots 0, 10, 20, 31 ("holes").
 *
 * Method.  Where the JIT puts a chain's programs changes its cost by up to
 * half on this machine (the same chain loaded twice can run at 60 or at
 * 100 ns), so every configuration is loaded several times ("copies", each
 * at its own addresses) and the figures are the median and min-max over
 * copies x rounds.  A round runs every copy of every configuration once,
 * in a fresh random order, so drift hits all alike.  Time is the thread's
 * CPU time around BPF_PROG_TEST_RUN divided by the repeat count (the
 * kernel's own figure is whole nanoseconds; it goes to the JSON as a
 * cross-check).  Every run is checked: the verdict must be TC_ACT_OK and
 * cb[0], which each stage body increments, must come back as N.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "tcchain/libtcchain.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_ROUNDS	51
#define MAX_COPIES	8
#define MAX_SAMPLES	(MAX_ROUNDS * MAX_COPIES)
#define MAX_CONFIGS	320
#define PKT_LEN		64

static int stage_counts[TCC_MAX_SLOTS] = { 1, 2, 4, 8, 16, 32 };
static size_t n_counts = 6;

static const __u32 holes_slots[] = { 0, 10, 20, 31 };

/* ---- designs --------------------------------------------------------------- */

enum kind {
	K_MONO,		/* one program per N in one object */
	K_LIB,		/* libtcchain */
	K_RAW,		/* one object per stage, loaded here with plain libbpf */
	K_ONE,		/* all stages in one object */
};

struct design {
	const char *key;	/* -d and JSON name */
	const char *label;	/* column head */
	enum kind kind;
	const char *file;	/* object under the BPF dir */
	const char *entry;	/* entry program; K_MONO: program name prefix */
	const char *stage;	/* stage program; K_ONE: name prefix */
	const char *skip;	/* program for empty slots between stages */
	bool table;		/* dispatch reads next[] from tcc_config */
	bool holes;		/* also measured with holes */
};

static const struct design designs[] = {
	{ "inline",   "inline",  K_MONO, "bench_mono.bpf.o",  "mono_" },
	{ "bpf2bpf",  "bpf2bpf", K_MONO, "bench_mono.bpf.o",  "call_" },
	{ "tcchain",  "tcchain", K_LIB,  "bench_stage.bpf.o", .holes = true },
	{ "nexttab",  "next[]",  K_RAW,  "bench_next.bpf.o",  "next_entry", "next_stage",
	  .table = true, .holes = true },
	{ "nextfast", "next+1",  K_RAW,  "bench_nextfast.bpf.o", "fast_entry", "fast_stage",
	  .table = true, .holes = true },
	{ "slot1",    "slot+1",  K_RAW,  "bench_slot1.bpf.o", "slot1_entry", "slot1_stage",
	  "slot1_skip", .holes = true },
	{ "slot1one", "1obj+1",  K_ONE,  "bench_slot1_one.bpf.o", "one_entry", "one_" },
	{ "naive",    "naive",   K_RAW,  "bench_naive.bpf.o", "naive_entry", "naive_stage",
	  .table = true, .holes = true },
};
#define N_DESIGNS	ARRAY_SIZE(designs)

/* One measured configuration: a design with stages in some slots. */
struct config {
	const struct design *d;
	bool holes;
	int n;				/* stages */
	__u32 slots[TCC_MAX_SLOTS];
	int fd[MAX_COPIES];		/* program to run, per copy */
	int progs_fd[MAX_COPIES];	/* its prog array, -1 for K_MONO */
	double ns[MAX_COPIES][MAX_ROUNDS];	/* CPU ns per packet */
	__u32 kns[MAX_COPIES][MAX_ROUNDS];	/* the kernel's integer average */
	double med, min, max, kmed;
	double copy_med[MAX_COPIES];
};

static struct {
	const char *bpf_dir;
	const char *json;
	const char *jit_dir;
	const char *only;	/* comma-separated design keys, NULL: all */
	int rounds;
	int copies;
	int repeat;
	int cpu;
	bool verbose;
} opt = {
	.rounds = 3,
	.copies = 6,
	.repeat = 1000000,
	.cpu = -1,
};

static struct config configs[MAX_CONFIGS];
static int n_configs;
/* Objects that must stay open: they hold the maps' user references. */
static struct bpf_object **objs;
static int n_objs;
static struct tcc_ctx *tcc;
static struct tcc_chain **chains;
static int n_chains;
static unsigned char pkt[PKT_LEN];

static void usage(void) __attribute__((noreturn));

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Warnings carry the verifier log of a failed load; keep those. */
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !opt.verbose))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void keep(struct bpf_object *obj)
{
	objs = realloc(objs, (n_objs + 1) * sizeof(*objs));
	if (!objs)
		die("out of memory");
	objs[n_objs++] = obj;
}

/* ---- the packet -------------------------------------------------------------- */

static __u16 ip_csum(const void *hdr, size_t len)
{
	const __u16 *p = hdr;
	__u32 sum = 0;

	for (; len > 1; len -= 2)
		sum += *p++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* 64 bytes without FCS: Ethernet, IPv4, UDP, 22 bytes of payload. */
static void build_packet(void)
{
	struct ethhdr *eth = (void *)pkt;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	static const unsigned char dst[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 2 };
	static const unsigned char src[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 1 };

	memset(pkt, 0, sizeof(pkt));
	memcpy(eth->h_dest, dst, ETH_ALEN);
	memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(PKT_LEN - sizeof(*eth));
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = htonl(0x0a000001);
	ip->daddr = htonl(0x0a000002);
	ip->check = ip_csum(ip, sizeof(*ip));
	udp->source = htons(40000);
	udp->dest = htons(5001);
	udp->len = htons(PKT_LEN - sizeof(*eth) - sizeof(*ip));
	memset(udp + 1, 0xab, PKT_LEN - sizeof(*eth) - sizeof(*ip) - sizeof(*udp));
}

/* ---- loading with plain libbpf ------------------------------------------------ */

static const char *obj_path(const char *file)
{
	static char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s/%s", opt.bpf_dir, file);
	return buf;
}

static struct bpf_object *obj_open(const char *file)
{
	const char *path = obj_path(file);
	struct bpf_object *obj = bpf_object__open_file(path, NULL);

	if (!obj)
		die("cannot open %s: %s", path, strerror(errno));
	return obj;
}

static void obj_load(struct bpf_object *obj, const char *what, int slot)
{
	int err = bpf_object__load(obj);

	if (err)
		die("%s: %s (slot %d) does not load: %s", bpf_object__name(obj), what, slot,
		    strerror(-err));
}

static int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	if (!p)
		die("%s: no program %s", bpf_object__name(obj), name);
	return bpf_program__fd(p);
}

/* Set a 32-bit `const volatile` variable in the object's .rodata. */
static int rodata_set_u32(struct bpf_object *obj, const char *var, __u32 val)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, ".rodata");
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	const void *init;
	size_t size;
	int id, err = -ENOENT;
	char *data;

	if (!map || !btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return id;
	sec = btf__type_by_id(btf, id);
	init = bpf_map__initial_value(map, &size);
	if (!init)
		return -ENOENT;
	data = malloc(size);
	if (!data)
		return -ENOMEM;
	memcpy(data, init, size);
	vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type);

		if (strcmp(btf__name_by_offset(btf, v->name_off), var) || vs->size != 4)
			continue;
		memcpy(data + vs->offset, &val, sizeof(val));
		err = bpf_map__set_initial_value(map, data, size);
		break;
	}
	free(data);
	return err;
}

static const char *const shared_maps[] = {
	TCC_MAP_PROGS, TCC_MAP_CONFIG, TCC_MAP_SCRATCH, TCC_MAP_STATS,
};

struct raw_chain {
	int fds[ARRAY_SIZE(shared_maps)];	/* the entry object's shared maps */
};

static void prog_array_put(int progs_fd, __u32 slot, int fd)
{
	if (bpf_map_update_elem(progs_fd, &slot, &fd, BPF_ANY))
		die("prog array update (slot %u): %s", slot, strerror(errno));
}

/* Load only program @prog of a fresh copy of the design's object. */
static struct bpf_object *raw_open(const struct design *d, const char *prog)
{
	struct bpf_object *obj = obj_open(d->file);
	struct bpf_program *p;
	bool found = false;

	bpf_object__for_each_program(p, obj) {
		bool mine = !strcmp(bpf_program__name(p), prog);

		bpf_program__set_autoload(p, mine);
		found |= mine;
	}
	if (!found)
		die("%s: no program %s", d->file, prog);
	return obj;
}

/*
 * A stage or skip program for @slot, bound to the chain's maps by name as
 * libtcchain binds them, and put into the slot.  The object is closed at
 * once: the prog array keeps the program, and the program its maps.
 */
static void raw_stage(const struct raw_chain *rc, const struct design *d, const char *prog,
		      __u32 slot)
{
	struct bpf_object *obj = raw_open(d, prog);
	int err = rodata_set_u32(obj, "tcc_slot", slot);

	if (err)
		die("%s: cannot set tcc_slot: %s", d->file, strerror(-err));
	for (size_t i = 0; i < ARRAY_SIZE(shared_maps); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, shared_maps[i]);

		if (!m || bpf_map__reuse_fd(m, rc->fds[i]))
			die("%s: cannot bind map %s", d->file, shared_maps[i]);
	}
	obj_load(obj, prog, slot);
	prog_array_put(rc->fds[0], slot, prog_fd(obj, prog));
	bpf_object__close(obj);
}

/* next[i] = first occupied slot >= i, as libtcchain keeps it. */
static void config_fill(struct tcc_config *cfg, const __u32 *slots, int n)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->magic = TCC_ABI_MAGIC;
	cfg->version = TCC_ABI_VERSION;
	cfg->end_verdict = TC_ACT_OK;
	cfg->miss_verdict = TC_ACT_OK;
	for (int i = 0, k = 0; i <= TCC_MAX_SLOTS; i++) {
		while (k < n && slots[k] < (__u32)i)
			k++;
		cfg->next[i] = k < n ? slots[k] : TCC_SLOT_END;
	}
}

static int raw_chain_build(const struct design *d, const __u32 *slots, int n, int *progs_fd)
{
	struct bpf_object *obj = raw_open(d, d->entry);
	struct raw_chain rc;
	int k = 0;

	obj_load(obj, d->entry, -1);
	keep(obj);
	for (size_t i = 0; i < ARRAY_SIZE(shared_maps); i++)
		rc.fds[i] = bpf_object__find_map_fd_by_name(obj, shared_maps[i]);
	for (__u32 s = 0; s <= slots[n - 1]; s++) {
		if (k < n && slots[k] == s) {
			raw_stage(&rc, d, d->stage, s);
			k++;
		} else if (d->skip) {
			raw_stage(&rc, d, d->skip, s);
		}
	}
	if (d->table) {
		struct tcc_config cfg;
		__u32 zero = 0;

		config_fill(&cfg, slots, n);
		if (bpf_map_update_elem(rc.fds[1], &zero, &cfg, BPF_ANY))
			die("config update: %s", strerror(errno));
	}
	*progs_fd = rc.fds[0];
	return prog_fd(obj, d->entry);
}

/* All programs of one object: the entry, and <stage><s> in slots 0..n-1. */
static int one_chain_build(const struct design *d, int n, int *progs_fd)
{
	struct bpf_object *obj = obj_open(d->file);
	char name[32];

	obj_load(obj, "object", -1);
	keep(obj);
	*progs_fd = bpf_object__find_map_fd_by_name(obj, TCC_MAP_PROGS);
	for (int s = 0; s < n; s++) {
		snprintf(name, sizeof(name), "%s%d", d->stage, s);
		prog_array_put(*progs_fd, s, prog_fd(obj, name));
	}
	return prog_fd(obj, d->entry);
}

/* One copy of the mono object serves both mono designs at every N. */
static int mono_prog(const struct design *d, int n, int copy)
{
	static struct bpf_object *mono[MAX_COPIES];
	char name[32];

	if (!mono[copy]) {
		mono[copy] = obj_open(d->file);
		obj_load(mono[copy], "object", -1);
		keep(mono[copy]);
	}
	snprintf(name, sizeof(name), "%s%d", d->entry, n);
	return prog_fd(mono[copy], name);
}

/* ---- loading with libtcchain ---------------------------------------------------- */

static void tcc_die(const char *what, int err)
{
	const char *detail = tcc_ctx_detail(tcc);

	die("%s: %s%s%s", what, strerror(-err), detail ? ": " : "", detail ? detail : "");
}

static int lib_chain_build(const struct design *d, const __u32 *slots, int n, int *progs_fd)
{
	struct tcc_chain_opts copts = { .end_verdict = TC_ACT_OK, .miss_verdict = TC_ACT_OK };
	struct tcc_stage_opts sopts = { .file = obj_path(d->file) };
	struct tcc_chain *c;
	int err;

	if (!tcc && !(tcc = tcc_ctx_new()))
		die("tcc_ctx_new: %s", strerror(errno));
	c = tcc_chain_load(tcc, &copts);
	if (!c)
		tcc_die("tcc_chain_load", -errno);
	chains = realloc(chains, (n_chains + 1) * sizeof(*chains));
	if (!chains)
		die("out of memory");
	chains[n_chains++] = c;
	for (int i = 0; i < n; i++) {
		err = tcc_stage_set(tcc, c, slots[i], &sopts);
		if (err)
			tcc_die("tcc_stage_set", err);
	}
	*progs_fd = tcc_chain_map_fd(c, TCC_MAP_PROGS);
	return tcc_chain_entry_fd(c);
}

static void config_new(const struct design *d, int n, const __u32 *slots)
{
	struct config *c;

	if (n_configs == MAX_CONFIGS)
		die("too many configurations");
	c = &configs[n_configs++];
	c->d = d;
	c->n = n;
	c->holes = slots != NULL;
	for (int i = 0; i < n; i++)
		c->slots[i] = slots ? slots[i] : (__u32)i;
}

static void config_load(struct config *c, int copy)
{
	c->progs_fd[copy] = -1;
	switch (c->d->kind) {
	case K_MONO:
		c->fd[copy] = mono_prog(c->d, c->n, copy);
		break;
	case K_LIB:
		c->fd[copy] = lib_chain_build(c->d, c->slots, c->n, &c->progs_fd[copy]);
		break;
	case K_RAW:
		c->fd[copy] = raw_chain_build(c->d, c->slots, c->n, &c->progs_fd[copy]);
		break;
	case K_ONE:
		c->fd[copy] = one_chain_build(c->d, c->n, &c->progs_fd[copy]);
		break;
	}
}

/* ---- running --------------------------------------------------------------------- */

static double thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Run one copy of a configuration repeat times: CPU ns per packet. */
static double run(const struct config *c, int copy, int repeat, __u32 *kns)
{
	struct __sk_buff ctx_in = {}, ctx_out = {};
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = pkt,
		.data_size_in = sizeof(pkt),
		.ctx_in = &ctx_in,
		.ctx_size_in = sizeof(ctx_in),
		.ctx_out = &ctx_out,
		.ctx_size_out = sizeof(ctx_out),
		.repeat = repeat,
	);
	double t0, t1;

	/* The entry must clear it; a stale value must not pass the check. */
	ctx_in.cb[0] = 0xdead;
	t0 = thread_ns();
	if (bpf_prog_test_run_opts(c->fd[copy], &o))
		die("%s N=%d: BPF_PROG_TEST_RUN: %s", c->d->key, c->n, strerror(errno));
	t1 = thread_ns();
	if (o.retval != TC_ACT_OK || ctx_out.cb[0] != (__u32)c->n)
		die("%s N=%d%s: wrong result: verdict %d, cb[0] = %u (want %d, %d)",
		    c->d->key, c->n, c->holes ? " holes" : "", (int)o.retval,
		    ctx_out.cb[0], TC_ACT_OK, c->n);
	if (kns)
		*kns = o.duration;
	return (t1 - t0) / repeat;
}

static __u64 rng_state = 0x9e3779b97f4a7c15ULL;

static __u32 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state >> 32;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
	double s[MAX_SAMPLES];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void summarize(struct config *c)
{
	double all[MAX_SAMPLES] = { 0 }, k[MAX_SAMPLES];
	int m = 0;

	for (int cp = 0; cp < opt.copies; cp++) {
		c->copy_med[cp] = median(c->ns[cp], opt.rounds);
		for (int r = 0; r < opt.rounds; r++, m++) {
			all[m] = c->ns[cp][r];
			k[m] = c->kns[cp][r];
		}
	}
	c->med = median(all, m);
	c->kmed = median(k, m);
	c->min = c->max = all[0];
	for (int i = 0; i < m; i++) {
		c->min = fmin(c->min, all[i]);
		c->max = fmax(c->max, all[i]);
	}
}

static void measure(void)
{
	static int order[MAX_CONFIGS * MAX_COPIES];
	int n = n_configs * opt.copies;

	for (int i = 0; i < n; i++) {
		const struct config *c = &configs[i / opt.copies];

		run(c, i % opt.copies, 1, NULL);		/* correctness first */
		run(c, i % opt.copies, opt.repeat / 100, NULL);	/* warm up */
		order[i] = i;
	}
	for (int r = 0; r < opt.rounds; r++) {
		for (int i = n - 1; i > 0; i--) {
			int j = rng() % (i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (int i = 0; i < n; i++) {
			struct config *c = &configs[order[i] / opt.copies];
			int cp = order[i] % opt.copies;

			c->ns[cp][r] = run(c, cp, opt.repeat, &c->kns[cp][r]);
		}
		if (opt.verbose)
			fprintf(stderr, "round %d/%d done\n", r + 1, opt.rounds);
	}
	for (int i = 0; i < n_configs; i++)
		summarize(&configs[i]);
}

/* ---- JIT images ------------------------------------------------------------------------ */

/*
 * Write the JIT image of a program to DIR/NAME.bin and its kernel address
 * to DIR/NAME.addr, for tools/bench.sh to disassemble (Debian's bpftool
 * cannot dump JIT code without libbfd).
 */
static void jit_dump(int fd, const char *name)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), jlen;
	unsigned long long ksym = 0;
	char path[PATH_MAX];
	unsigned char *img;
	FILE *f;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("prog info: %s", strerror(errno));
	jlen = info.jited_prog_len;
	img = malloc(jlen);
	if (!img)
		die("out of memory");
	memset(&info, 0, sizeof(info));
	info.jited_prog_len = jlen;
	info.jited_prog_insns = (unsigned long)img;
	info.nr_jited_ksyms = 1;	/* the main program; subprograms follow it */
	info.jited_ksyms = (unsigned long)&ksym;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("prog info: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/%s.bin", opt.jit_dir, name);
	f = fopen(path, "w");
	if (!f || fwrite(img, 1, jlen, f) != jlen || fclose(f))
		die("cannot write %s", path);
	snprintf(path, sizeof(path), "%s/%s.addr", opt.jit_dir, name);
	f = fopen(path, "w");
	if (!f || fprintf(f, "0x%llx\n", ksym) < 0 || fclose(f))
		die("cannot write %s", path);
	free(img);
}

/* Entry and slot-0 stage of each chain design's N = 2 chain, first copy. */
static void jit_dump_all(void)
{
	char name[64];

	for (int i = 0; i < n_configs; i++) {
		struct config *c = &configs[i];
		__u32 slot = 0, id;
		int fd;

		if (c->n != 2 || c->holes || c->progs_fd[0] < 0)
			continue;
		snprintf(name, sizeof(name), "%s-entry", c->d->key);
		jit_dump(c->fd[0], name);
		if (bpf_map_lookup_elem(c->progs_fd[0], &slot, &id))
			die("prog array lookup: %s", strerror(errno));
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			die("prog %u: %s", id, strerror(errno));
		snprintf(name, sizeof(name), "%s-stage", c->d->key);
		jit_dump(fd, name);
		close(fd);
	}
}

/* ---- reporting ----------------------------------------------------------------------- */

static struct config *find(const char *key, int n, bool holes)
{
	for (int i = 0; i < n_configs; i++)
		if (!strcmp(configs[i].d->key, key) && configs[i].n == n &&
		    configs[i].holes == holes)
			return &configs[i];
	return NULL;
}

static bool measured(const struct design *d)
{
	return find(d->key, stage_counts[0], false) != NULL;
}

/* Least-squares slope and intercept of the packed medians over N. */
static bool fit(const char *key, double *slope, double *icept)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	int m = 0;

	for (size_t i = 0; i < n_counts; i++) {
		struct config *c = find(key, stage_counts[i], false);

		if (!c)
			continue;
		sx += c->n;
		sy += c->med;
		sxx += (double)c->n * c->n;
		sxy += c->n * c->med;
		m++;
	}
	if (m < 2 || m * sxx == sx * sx)
		return false;
	*slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
	*icept = (sy - *slope * sx) / m;
	return true;
}

/* Largest difference between the copies' medians, relative to the median. */
static double layout_spread(const struct config *c)
{
	double lo = c->copy_med[0], hi = c->copy_med[0];

	for (int cp = 1; cp < opt.copies; cp++) {
		lo = fmin(lo, c->copy_med[cp]);
		hi = fmax(hi, c->copy_med[cp]);
	}
	return (hi - lo) / c->med;
}

static void print_tables(void)
{
	bool derived = find("inline", 1, false) && find("tcchain", 1, false);
	double in_slope = 0, in_icept, worst = 0;
	const struct config *worst_c = NULL;

	printf("\nns per packet: median over %d copies x %d rounds of %d packets "
	       "(64-byte IPv4/UDP, CPU %d)\n\n", opt.copies, opt.rounds, opt.repeat, opt.cpu);
	printf("%3s", "N");
	for (size_t d = 0; d < N_DESIGNS; d++)
		if (measured(&designs[d]))
			printf(" %8s", designs[d].label);
	if (derived)
		printf(" | %14s %10s %7s", "tcchain-inline", "per stage", "ratio");
	printf("\n");
	for (size_t i = 0; i < n_counts; i++) {
		int n = stage_counts[i];

		printf("%3d", n);
		for (size_t d = 0; d < N_DESIGNS; d++)
			if (measured(&designs[d]))
				printf(" %8.1f", find(designs[d].key, n, false)->med);
		if (derived) {
			const struct config *in = find("inline", n, false);
			const struct config *tc = find("tcchain", n, false);

			printf(" | %14.1f %10.2f %6.2fx", tc->med - in->med,
			       (tc->med - in->med) / n, tc->med / in->med);
		}
		printf("\n");
	}

	printf("\nmin-max over copies and rounds\n\n%3s", "N");
	for (size_t d = 0; d < N_DESIGNS; d++)
		if (measured(&designs[d]))
			printf(" %13s", designs[d].label);
	printf("\n");
	for (size_t i = 0; i < n_counts; i++) {
		printf("%3d", stage_counts[i]);
		for (size_t d = 0; d < N_DESIGNS; d++) {
			struct config *c = find(designs[d].key, stage_counts[i], false);
			char cell[32];

			if (!c)
				continue;
			snprintf(cell, sizeof(cell), "%.0f-%.0f", c->min, c->max);
			printf(" %13s", cell);
		}
		printf("\n");
	}

	printf("\nlinear fit of the medians over N\n\n");
	printf("%-8s %9s %10s %18s\n", "design", "ns/stage", "ns at N=0", "over inline/stage");
	if (find("inline", 1, false))
		fit("inline", &in_slope, &in_icept);
	for (size_t d = 0; d < N_DESIGNS; d++) {
		double sl, b;

		if (!measured(&designs[d]) || !fit(designs[d].key, &sl, &b))
			continue;
		printf("%-8s %9.2f %10.1f %18.2f\n", designs[d].label, sl, b, sl - in_slope);
	}

	printf("\n4 stages: slots 0-3 vs slots 0, 10, 20, 31 (median, min-max)\n\n");
	printf("%-8s %18s %18s %8s\n", "design", "packed", "holes", "diff");
	for (size_t d = 0; d < N_DESIGNS; d++) {
		struct config *p = find(designs[d].key, 4, false), *h = find(designs[d].key, 4, true);
		char a[48], b[48];

		if (!h || !p)
			continue;
		snprintf(a, sizeof(a), "%.1f (%.0f-%.0f)", p->med, p->min, p->max);
		snprintf(b, sizeof(b), "%.1f (%.0f-%.0f)", h->med, h->min, h->max);
		printf("%-8s %18s %18s %+8.1f\n", designs[d].label, a, b, h->med - p->med);
	}

	for (int i = 0; i < n_configs; i++) {
		if (layout_spread(&configs[i]) > worst) {
			worst = layout_spread(&configs[i]);
			worst_c = &configs[i];
		}
	}
	if (worst_c && opt.copies > 1)
		printf("\nlayout: the copies' medians differ by up to %.0f%% (%s N=%d%s)\n",
		       100 * worst, worst_c->d->label, worst_c->n, worst_c->holes ? " holes" : "");
}

static void json_array(FILE *f, const double *v, int n)
{
	fprintf(f, "[");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%.2f", i ? ", " : "", v[i]);
	fprintf(f, "]");
}

static void write_json(const char *path)
{
	double in_slope = 0, in_icept;
	const char *sep = "\n";
	struct utsname u;
	FILE *f = fopen(path, "w");

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	uname(&u);
	fprintf(f, "{\n  \"bench\": \"dispatch\",\n");
	fprintf(f, "  \"kernel\": \"%s\",\n  \"machine\": \"%s\",\n", u.release, u.machine);
	fprintf(f, "  \"unit\": \"ns per packet (thread CPU time / repeat)\",\n");
	fprintf(f, "  \"packet_bytes\": %d,\n  \"copies\": %d,\n  \"rounds\": %d,\n"
		"  \"repeat\": %d,\n  \"cpu\": %d,\n",
		PKT_LEN, opt.copies, opt.rounds, opt.repeat, opt.cpu);
	fprintf(f, "  \"results\": [\n");
	for (int i = 0; i < n_configs; i++) {
		struct config *c = &configs[i];

		fprintf(f, "    {\"design\": \"%s\", \"layout\": \"%s\", \"n\": %d, \"slots\": [",
			c->d->key, c->holes ? "holes" : "packed", c->n);
		for (int s = 0; s < c->n; s++)
			fprintf(f, "%s%u", s ? ", " : "", c->slots[s]);
		fprintf(f, "],\n     \"median_ns\": %.2f, \"min_ns\": %.2f, \"max_ns\": %.2f, "
			"\"kernel_median_ns\": %.1f,\n     ", c->med, c->min, c->max, c->kmed);
		fprintf(f, "\"copy_median_ns\": ");
		json_array(f, c->copy_med, opt.copies);
		fprintf(f, ",\n     \"samples_ns\": [");
		for (int cp = 0; cp < opt.copies; cp++) {
			fprintf(f, "%s", cp ? ", " : "");
			json_array(f, c->ns[cp], opt.rounds);
		}
		fprintf(f, "]}%s\n", i + 1 < n_configs ? "," : "");
	}
	fprintf(f, "  ],\n  \"fit\": [");
	if (find("inline", 1, false))
		fit("inline", &in_slope, &in_icept);
	for (size_t d = 0; d < N_DESIGNS; d++) {
		double s, b;

		if (!measured(&designs[d]) || !fit(designs[d].key, &s, &b))
			continue;
		fprintf(f, "%s    {\"design\": \"%s\", \"ns_per_stage\": %.3f, \"ns_at_zero\": %.3f, "
			"\"over_inline_ns_per_stage\": %.3f}", sep, designs[d].key, s, b, s - in_slope);
		sep = ",\n";
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f))
		die("cannot write %s: %s", path, strerror(errno));
}

/* ---- main ------------------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
		"usage: bench [-r ROUNDS] [-k COPIES] [-n REPEAT] [-c CPU] [-b BPF_DIR] [-o JSON]\n"
		"             [-j JIT_DIR] [-d LIST] [-N LIST] [-v]\n"
		"  -r ROUNDS  interleaved rounds (default 3, max %d)\n"
		"  -k COPIES  loads of each configuration, at different addresses (default 6, max %d)\n"
		"  -n REPEAT  packets per BPF_PROG_TEST_RUN (default 1000000)\n"
		"  -c CPU     pin to CPU (default: the one we start on)\n"
		"  -b DIR     benchmark BPF objects (default: bpf/ next to the binary)\n"
		"  -o FILE    write the results as JSON\n"
		"  -j DIR     write JIT images of each chain design's entry and stage there\n"
		"  -d LIST    only these designs, comma-separated: inline,bpf2bpf,tcchain,\n"
		"             nexttab,nextfast,slot1,slot1one,naive\n"
		"  -N LIST    stage counts (default 1,2,4,8,16,32; inline and bpf2bpf\n"
		"             exist for those only)\n"
		"  -v         progress and libbpf info on stderr\n", MAX_ROUNDS, MAX_COPIES);
	exit(2);
}

static void counts_parse(char *arg)
{
	n_counts = 0;
	for (char *t = strtok(arg, ","); t; t = strtok(NULL, ",")) {
		int n = atoi(t);

		if (n < 1 || n > TCC_MAX_SLOTS || n_counts == TCC_MAX_SLOTS)
			usage();
		stage_counts[n_counts++] = n;
	}
	if (!n_counts)
		usage();
}

static bool selected(const struct design *d)
{
	size_t len = strlen(d->key);

	if (!opt.only)
		return true;
	for (const char *p = opt.only; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, d->key, len) && (p[len] == ',' || !p[len]))
			return true;
	return false;
}

static const char *default_bpf_dir(void)
{
	static char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 5);

	if (n < 0)
		return "build/tools/bpf";
	buf[n] = 0;
	strcat(dirname(buf), "/bpf");
	return buf;
}

static void setup(void)
{
	struct rlimit rl;
	cpu_set_t set;

	/* Chains keep many maps open: stage objects' own maps stay with them. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (opt.cpu < 0)
		opt.cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(opt.cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("cannot pin to CPU %d: %s", opt.cpu, strerror(errno));
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	int c;

	while ((c = getopt(argc, argv, "r:k:n:c:b:o:j:d:N:vh")) != -1) {
		switch (c) {
		case 'r': opt.rounds = atoi(optarg); break;
		case 'k': opt.copies = atoi(optarg); break;
		case 'n': opt.repeat = atoi(optarg); break;
		case 'c': opt.cpu = atoi(optarg); break;
		case 'b': opt.bpf_dir = optarg; break;
		case 'o': opt.json = optarg; break;
		case 'j': opt.jit_dir = optarg; break;
		case 'd': opt.only = optarg; break;
		case 'N': counts_parse(optarg); break;
		case 'v': opt.verbose = true; break;
		default: usage();
		}
	}
	if (optind != argc || opt.rounds < 1 || opt.rounds > MAX_ROUNDS ||
	    opt.copies < 1 || opt.copies > MAX_COPIES || opt.repeat < 100)
		usage();
	if (!opt.bpf_dir)
		opt.bpf_dir = default_bpf_dir();
	libbpf_set_print(libbpf_print);
	setup();
	build_packet();

	for (size_t d = 0; d < N_DESIGNS; d++) {
		if (!selected(&designs[d]))
			continue;
		for (size_t i = 0; i < n_counts; i++)
			config_new(&designs[d], stage_counts[i], NULL);
		if (designs[d].holes)
			config_new(&designs[d], ARRAY_SIZE(holes_slots), holes_slots);
	}
	if (!n_configs)
		usage();
	/* Copy by copy, so each copy's programs land among different neighbours. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int cp = 0; cp < opt.copies; cp++)
		for (int i = 0; i < n_configs; i++)
			config_load(&configs[i], cp);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "bench: %d configurations x %d copies loaded in %.1f s; "
		"%d rounds of %d packets each on CPU %d\n", n_configs, opt.copies,
		t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9,
		opt.rounds, opt.repeat, opt.cpu);
	if (opt.jit_dir)
		jit_dump_all();

	measure();
	print_tables();
	if (opt.json)
		write_json(opt.json);

	for (int i = 0; i < n_chains; i++)
		tcc_chain_close(chains[i]);
	tcc_ctx_free(tcc);
	for (int i = 0; i < n_objs; i++)
		bpf_object__close(objs[i]);
	free(chains);
	free(objs);
	return 0;
}
