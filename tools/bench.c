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
 *   next[]   the shipped dispatch (next[] table, a direct tail call to an
 *            adjacent slot, else asm-pinned constant tail calls) with no
 *            stats at all, loaded with plain libbpf
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
 *
 * bench -S measures the stage library instead (part 2 of the benchmark):
 * see "part 2" below.
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
#include <linux/pkt_cls.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "tcchain/lib/libtcchain.h"
#include "tests/lib/pkt.h"

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
	const char *stage_dir;	/* -S: the stage library's objects */
	bool stages;		/* -S: part 2 instead of the dispatch designs */
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

/* The benchmark's packet, built with tests/lib/pkt.h (the tests' packet
 * builder): Ethernet, IPv4 (checksummed) or IPv6, UDP 40000 -> 5001 (no
 * UDP checksum: no stage looks at it), 22 bytes of payload; from src to
 * 10.0.0.2 or fd00::2.  64 bytes over IPv4, 84 over IPv6.
 */
static void udp_packet(unsigned char *buf, size_t size, int family, const char *src)
{
	struct pb p = {};
	size_t ip, udp;

	if (family == 4) {
		pb_eth(&p, ETH_P_IP);
		ip = pb_ip4(&p, IPPROTO_UDP, src, "10.0.0.2", 5, 0);
	} else {
		pb_eth(&p, ETH_P_IPV6);
		ip = pb_ip6(&p, IPPROTO_UDP, src, "fd00::2");
	}
	udp = pb_udp(&p, 40000, 5001);
	pb_fill(&p, PKT_LEN - 14 - 20 - 8, 0xab);
	pb_udp_len(&p, udp);
	if (family == 4) {
		pb_ip4_len(&p, ip);
		pb_ip4_csum(&p, ip);
	} else {
		pb_ip6_len(&p, ip);
	}
	if (p.len != size)
		die("IPv%d packet: %zu bytes, want %zu", family, p.len, size);
	memcpy(buf, p.b, size);
}

static void build_packet(void)
{
	udp_packet(pkt, sizeof(pkt), 4, "10.0.0.1");
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

/* Set a `const volatile` variable of @len bytes in the object's .rodata. */
static int rodata_set(struct bpf_object *obj, const char *var, const void *val, __u32 len)
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

		if (strcmp(btf__name_by_offset(btf, v->name_off), var) || vs->size != len)
			continue;
		memcpy(data + vs->offset, val, len);
		err = bpf_map__set_initial_value(map, data, size);
		break;
	}
	free(data);
	return err;
}

static int rodata_set_u32(struct bpf_object *obj, const char *var, __u32 val)
{
	return rodata_set(obj, var, &val, sizeof(val));
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

static void keep_chain(struct tcc_chain *c)
{
	chains = realloc(chains, (n_chains + 1) * sizeof(*chains));
	if (!chains)
		die("out of memory");
	chains[n_chains++] = c;
}

/* An in-memory chain as the library builds it, end verdict pass, kept
 * until exit.
 */
static struct tcc_chain *new_chain(void)
{
	struct tcc_chain_opts copts = { .end_verdict = TC_ACT_OK, .miss_verdict = TC_ACT_OK };
	struct tcc_chain *c;

	if (!tcc && !(tcc = tcc_ctx_new()))
		die("tcc_ctx_new: %s", strerror(errno));
	c = tcc_chain_load(tcc, &copts);
	if (!c)
		tcc_die("tcc_chain_load", -errno);
	keep_chain(c);
	return c;
}

static int lib_chain_build(const struct design *d, const __u32 *slots, int n, int *progs_fd)
{
	struct tcc_stage_opts sopts = { .file = obj_path(d->file) };
	struct tcc_chain *c;
	int err;

	c = new_chain();
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

/* A fresh random order for a round. */
static void shuffle(int *order, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = rng() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
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
		shuffle(order, n);
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

/* ---- part 2: the stage library, as a chain and as one program ------------------------ */

/*
 * bench -S: parse -> acl -> ratelimit -> mark -> count, built twice:
 *
 *   chain  tcc_chain_load() + tcc_stage_set() of the shipped stage objects
 *          in slots 0-4, with params as `stage set ... param` sets them
 *   mono   bench_stages_mono.bpf.o: the same five sources compiled into
 *          one program, each body an inline function called in turn
 *
 * Both get the same rules through their maps (acl: a few prefixes, one of
 * which lets the test packets continue; mark: one rule that marks them)
 * and a rate limit nothing reaches, so every packet runs through all five
 * stages.  Same method as part 1: copies, interleaved rounds, thread CPU
 * time per BPF_PROG_TEST_RUN, on a 64-byte IPv4/UDP and an 84-byte
 * IPv6/UDP frame (the same UDP datagram).  Checked: the verdict, the
 * skb->mark and skb->priority the mark rule sets, and the parsed packet
 * left in the scratch are the same for both builds; count saw every
 * packet of every run; nothing went over the rate limit; and a packet
 * from a source the acl drops ends both at acl, with TC_ACT_SHOT and the
 * same scratch.
 */

#define SL_MARK		0x42
#define SL_PRIO		7
#define SL_DPORT	5001
#define PKT6_LEN	84

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
	struct config c;		/* samples and summary, as in part 1 */
	enum sl_variant v;
	int family;			/* 4 or 6 */
};

static struct sl_copy sl_copies[SL_VARIANTS][MAX_COPIES];
static struct sl_config sl_configs[SL_VARIANTS * 2];
static unsigned char pkt6[PKT6_LEN];

/* The IPv4 packet's UDP datagram over IPv6: fd00::1 -> fd00::2. */
static void build_packet6(void)
{
	udp_packet(pkt6, sizeof(pkt6), 6, "fd00::1");
}

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
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_object__find_map_fd_by_name(obj, name);

	memset(m, 0, sizeof(*m));
	if (fd < 0 || (m->fd = dup(fd)) < 0 || bpf_obj_get_info_by_fd(m->fd, &info, &len))
		die("%s: map %s: %s", bpf_object__name(obj), name, strerror(errno));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->type = info.type;
	m->key_size = info.key_size;
	m->value_size = info.value_size;
	m->max_entries = info.max_entries;
	m->key_type_id = info.btf_key_type_id;
	m->value_type_id = info.btf_value_type_id;
	if (info.type == BPF_MAP_TYPE_PERCPU_ARRAY || info.type == BPF_MAP_TYPE_PERCPU_HASH)
		m->ncpu = libbpf_num_possible_cpus();
	m->btf = btf__load_from_kernel_by_id(info.btf_id);
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

static __u32 jit_len(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("prog info: %s", strerror(errno));
	return info.jited_prog_len;
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

		snprintf(path, sizeof(path), "%s/%s.bpf.o", opt.stage_dir, sl_stage_names[slot]);
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
		const struct config *ch = &sl_configs[i + SL_CHAIN].c, *mo = &sl_configs[i + SL_MONO].c;
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
		const struct config *c = &s->c;

		fprintf(f, "    {\"variant\": \"%s\", \"family\": %d, \"packet_bytes\": %zu, "
			"\"median_ns\": %.2f, \"min_ns\": %.2f, \"max_ns\": %.2f, "
			"\"kernel_median_ns\": %.1f,\n     \"copy_median_ns\": ",
			sl_variant_key[s->v], s->family, s->family == 4 ? sizeof(pkt) : sizeof(pkt6),
			c->med, c->min, c->max, c->kmed);
		json_array(f, c->copy_med, opt.copies);
		fprintf(f, ",\n     \"samples_ns\": [");
		for (int cp = 0; cp < opt.copies; cp++) {
			fprintf(f, "%s", cp ? ", " : "");
			json_array(f, c->ns[cp], opt.rounds);
		}
		fprintf(f, "]}%s\n", i + 1 < ARRAY_SIZE(sl_configs) ? "," : "");
	}
	fprintf(f, "  ],\n  \"ratio\": {");
	for (size_t i = 0; i < ARRAY_SIZE(sl_configs); i += SL_VARIANTS)
		fprintf(f, "%s\"ipv%d\": %.3f", i ? ", " : "", sl_configs[i].family,
			sl_configs[i + SL_CHAIN].c.med / sl_configs[i + SL_MONO].c.med);
	fprintf(f, "}\n}\n");
	if (fclose(f))
		die("cannot write %s: %s", path, strerror(errno));
}

static int stages_main(void)
{
	struct timespec t0, t1;
	__u64 over;

	if (!opt.stage_dir) {
		static char buf[PATH_MAX];

		snprintf(buf, sizeof(buf), "%s/../../stages", opt.bpf_dir);
		opt.stage_dir = buf;
	}
	build_packet6();
	for (size_t i = 0; i < ARRAY_SIZE(sl_configs); i++) {
		sl_configs[i].v = i % SL_VARIANTS;
		sl_configs[i].family = i < SL_VARIANTS ? 4 : 6;
		sl_configs[i].c.n = SL_N_STAGES;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Copy by copy, alternating, as in part 1. */
	for (int cp = 0; cp < opt.copies; cp++) {
		sl_load_chain(&sl_copies[SL_CHAIN][cp]);
		sl_load_mono(&sl_copies[SL_MONO][cp]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "bench -S: chain and one program x %d copies loaded in %.1f s; "
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
	for (int i = 0; i < n_chains; i++)
		tcc_chain_close(chains[i]);
	tcc_ctx_free(tcc);
	for (int i = 0; i < n_objs; i++)
		bpf_object__close(objs[i]);
	free(chains);
	free(objs);
	return 0;
}

/* ---- main ------------------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
		"usage: bench [-r ROUNDS] [-k COPIES] [-n REPEAT] [-c CPU] [-b BPF_DIR] [-o JSON]\n"
		"             [-j JIT_DIR] [-d LIST] [-N LIST] [-v]\n"
		"       bench -S [-s STAGE_DIR] [-r ROUNDS] [-k COPIES] [-n REPEAT] [-c CPU]\n"
		"             [-b BPF_DIR] [-o JSON] [-v]\n"
		"  -r ROUNDS  interleaved rounds (default 3, max %d)\n"
		"  -k COPIES  loads of each configuration, at different addresses (default 6, max %d)\n"
		"  -n REPEAT  packets per BPF_PROG_TEST_RUN (default 1000000)\n"
		"  -c CPU     pin to CPU (default: the one we start on)\n"
		"  -b DIR     benchmark BPF objects (default: bpf/ next to the binary)\n"
		"  -o FILE    write the results as JSON\n"
		"  -j DIR     write JIT images of each chain design's entry and stage there\n"
		"  -d LIST    only these designs, comma-separated: inline,bpf2bpf,tcchain,\n"
		"             nexttab,slot1,slot1one,naive\n"
		"  -N LIST    stage counts (default 1,2,4,8,16,32; inline and bpf2bpf\n"
		"             exist for those only)\n"
		"  -v         progress and libbpf info on stderr\n"
		"  -S         the stage library instead (part 2): parse, acl, ratelimit, mark,\n"
		"             count as a chain vs as one program, IPv4 and IPv6\n"
		"  -s DIR     the stage objects (default: BPF_DIR/../../stages)\n",
		MAX_ROUNDS, MAX_COPIES);
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

	while ((c = getopt(argc, argv, "r:k:n:c:b:o:j:d:N:Ss:vh")) != -1) {
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
		case 'S': opt.stages = true; break;
		case 's': opt.stage_dir = optarg; break;
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
	if (opt.stages)
		return stages_main();

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
