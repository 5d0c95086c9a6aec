// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tools/bench/dispatch: what does dispatching a packet through N stages cost?
 *
 * Every variant runs the same work per packet (the entry's reset and N
 * minimal stage bodies, tools/bench/bpf/bench.h) on a 64-byte IPv4/UDP packet
 * with BPF_PROG_TEST_RUN; only the way control gets from one stage to the
 * next differs:
 *
 *   inline   the N bodies inlined into one program (no dispatch at all)
 *   bpf2bpf  each body a __noinline subprogram of one program
 *   tcchain  the real chain: tcc_chain_load() + tcc_stage_set() of
 *            bench_stage.bpf.o (TCC_STAGE, stats on), as `tcchain add` and
 *            `stage set` build it: dispatch v2 since SDK ABI 2
 *   next[]   the dispatch shipped before ABI 2 (next[] table, a direct
 *            tail call to an adjacent slot, else asm-pinned constant tail
 *            calls), counting only the end verdict, loaded with plain libbpf
 *   slot+1   each stage tail-calls the constant slot + 1; holes filled
 *            with a skip program
 *   1obj+1   slot+1 with all stages in one object (compile-time slots)
 *   naive    next[] table and one variable-key tail call (retpoline)
 *   v2       the SDK's dispatch v2 loaded with plain libbpf: one site per
 *            stage, the constant slot + 1; every hole holds the next
 *            stage's program (bench_v2.bpf.c): tcchain without libtcchain
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
 * What the benchmarks share (options, packets, loading, the method) is in
 * common.c; tools/bench/stages.c measures the stage library.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tools/bench/dispatch.h"

int stage_counts[TCC_MAX_SLOTS] = { 1, 2, 4, 8, 16, 32 };
size_t n_counts = 6;

static const __u32 holes_slots[] = { 0, 10, 20, 31 };

const struct design designs[N_DESIGNS] = {
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
	{ "v2",       "v2",      K_RAW,  "bench_v2.bpf.o",    "v2_entry", "v2_stage",
	  .holes = true, .fill = true },
};

/* Options of this benchmark only; the shared ones are in opt. */
static struct {
	const char *jit_dir;	/* -j */
	const char *only;	/* -d: comma-separated design keys, NULL: all */
	int update_reps;	/* -u: stage del timings, 0: none */
	const char *update_json;	/* -U */
	const char *pin_dir;	/* -P: build one chain, pin it, exit */
} dopt;

const struct design *design_find(const char *key)
{
	for (size_t d = 0; d < N_DESIGNS; d++)
		if (!strcmp(designs[d].key, key))
			return &designs[d];
	die("no design %s", key);
}

struct config configs[MAX_CONFIGS];
int n_configs;

/* ---- loading with plain libbpf ------------------------------------------------ */

static const char *const shared_maps[] = {
	TCC_MAP_PROGS, TCC_MAP_CONFIG, TCC_MAP_SCRATCH, TCC_MAP_STATS, TCC_MAP_TRACE,
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
 * libtcchain binds them, and put into the prog array at indices @from..@slot
 * (v2 fills the hole before a stage with it; the others: @from = @slot).
 * Written from @slot down, so a live chain would only see the stage once it
 * is complete.  The object is closed at once: the prog array keeps the
 * program, and the program its maps.
 */
static void raw_stage(const struct raw_chain *rc, const struct design *d, const char *prog,
		      __u32 from, __u32 slot)
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
	for (__u32 i = slot + 1; i-- > from;)
		prog_array_put(rc->fds[0], i, prog_fd(obj, prog));
	bpf_object__close(obj);
}

/* next[i] = first occupied slot >= i, as libtcchain keeps it. */
void config_fill(struct tcc_config *cfg, const __u32 *slots, int n)
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

int raw_chain_build(const struct design *d, const __u32 *slots, int n, int *progs_fd,
		    int *config_fd)
{
	struct bpf_object *obj = raw_open(d, d->entry);
	struct raw_chain rc;
	int k = 0;

	obj_load(obj, d->entry, -1);
	keep(obj);
	for (size_t i = 0; i < ARRAY_SIZE(shared_maps); i++)
		rc.fds[i] = bpf_object__find_map_fd_by_name(obj, shared_maps[i]);
	for (__u32 s = 0, from = 0; s <= slots[n - 1]; s++) {
		if (k < n && slots[k] == s) {
			raw_stage(&rc, d, d->stage, d->fill ? from : s, s);
			from = s + 1;
			k++;
		} else if (d->skip) {
			raw_stage(&rc, d, d->skip, s, s);
		}
	}
	/* The end verdict is in the config for every design; next[] only
	 * matters to those that read it.
	 */
	{
		struct tcc_config cfg;
		__u32 zero = 0;

		config_fill(&cfg, slots, n);
		if (bpf_map_update_elem(rc.fds[1], &zero, &cfg, BPF_ANY))
			die("config update: %s", strerror(errno));
	}
	*progs_fd = rc.fds[0];
	if (config_fd)
		*config_fd = rc.fds[1];
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

int lib_chain_build(const struct design *d, const __u32 *slots, int n, int *progs_fd)
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
		c->fd[copy] = raw_chain_build(c->d, c->slots, c->n, &c->progs_fd[copy], NULL);
		break;
	case K_ONE:
		c->fd[copy] = one_chain_build(c->d, c->n, &c->progs_fd[copy]);
		break;
	}
}

/* ---- running --------------------------------------------------------------------- */

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

			c->s.ns[cp][r] = run(c, cp, opt.repeat, &c->s.kns[cp][r]);
		}
		if (opt.verbose)
			fprintf(stderr, "round %d/%d done\n", r + 1, opt.rounds);
	}
	for (int i = 0; i < n_configs; i++)
		summarize(&configs[i].s);
}

/* ---- JIT images ------------------------------------------------------------------------ */

/*
 * Write the JIT image of a program's main function to DIR/NAME.bin, its
 * kernel address to DIR/NAME.addr and the bytes of its subprograms (the
 * SDK's out-of-line observe path) to DIR/NAME.sub, for
 * tools/bench/dispatch.sh to disassemble (Debian's bpftool cannot dump JIT
 * code without libbfd).  The main function is what every packet runs
 * through; the kernel reports all functions' images back to back.
 */
static void jit_dump(int fd, const char *name)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), jlen, nfuncs, flens[64] = {};
	unsigned long long ksym[64] = {};
	char path[PATH_MAX];
	unsigned char *img;
	FILE *f;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("prog info: %s", strerror(errno));
	jlen = info.jited_prog_len;
	nfuncs = info.nr_jited_func_lens ? info.nr_jited_func_lens : 1;
	if (nfuncs > ARRAY_SIZE(flens))
		die("%s: %u functions", name, nfuncs);
	img = malloc(jlen);
	if (!img)
		die("out of memory");
	memset(&info, 0, sizeof(info));
	info.jited_prog_len = jlen;
	info.jited_prog_insns = (unsigned long)img;
	info.nr_jited_ksyms = nfuncs;	/* the main program first, then subprograms */
	info.jited_ksyms = (unsigned long)ksym;
	info.nr_jited_func_lens = nfuncs;
	info.jited_func_lens = (unsigned long)flens;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("prog info: %s", strerror(errno));
	if (!flens[0])
		flens[0] = jlen;
	snprintf(path, sizeof(path), "%s/%s.bin", dopt.jit_dir, name);
	f = fopen(path, "w");
	if (!f || fwrite(img, 1, flens[0], f) != flens[0] || fclose(f))
		die("cannot write %s", path);
	snprintf(path, sizeof(path), "%s/%s.addr", dopt.jit_dir, name);
	f = fopen(path, "w");
	if (!f || fprintf(f, "0x%llx\n", ksym[0]) < 0 || fclose(f))
		die("cannot write %s", path);
	snprintf(path, sizeof(path), "%s/%s.sub", dopt.jit_dir, name);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%u\n", jlen - flens[0]) < 0 || fclose(f))
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

static bool selected(const struct design *d);

/* -P: one chain of the selected design, pinned, for the real path. */
static int pin_chain(void)
{
	const struct design *d = NULL;
	char path[PATH_MAX];
	int entry_fd, progs_fd;

	for (size_t i = 0; i < N_DESIGNS; i++)
		if (selected(&designs[i])) {
			if (d)
				die("-P: one design (-d), not %s and %s", d->key, designs[i].key);
			d = &designs[i];
		}
	if (!d || d->kind != K_RAW)
		die("-P: give one plain libbpf design with -d (nexttab, slot1, naive, v2)");
	config_new(d, stage_counts[0], NULL);
	entry_fd = raw_chain_build(d, configs[0].slots, configs[0].n, &progs_fd, NULL);
	snprintf(path, sizeof(path), "%s/entry", dopt.pin_dir);
	if (bpf_obj_pin(entry_fd, path))
		die("cannot pin %s: %s", path, strerror(errno));
	/* The prog array empties itself when its last user reference goes. */
	snprintf(path, sizeof(path), "%s/progs", dopt.pin_dir);
	if (bpf_obj_pin(progs_fd, path))
		die("cannot pin %s: %s", path, strerror(errno));
	bench_cleanup();
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: dispatch [-r ROUNDS] [-k COPIES] [-n REPEAT] [-c CPU] [-b BPF_DIR] [-o JSON]\n"
		"                [-j JIT_DIR] [-d LIST] [-N LIST] [-v]\n"
		BENCH_OPTS_USAGE
		"  -j DIR     write JIT images of each chain design's entry and stage there\n"
		"  -d LIST    only these designs, comma-separated: inline,bpf2bpf,tcchain,\n"
		"             nexttab,slot1,slot1one,naive,v2\n"
		"  -N LIST    stage counts (default 1,2,4,8,16,32; inline and bpf2bpf\n"
		"             exist for those only)\n"
		"  -u REPS    then time `stage del`: tcchain whole vs next[]'s prog-array delete\n"
		"             (-d none: only that)\n"
		"  -U FILE    write those timings as JSON\n"
		"  -P DIR     only build one chain of the one design -d (plain libbpf\n"
		"             designs) with the first -N count of stages, pin its entry\n"
		"             as DIR/entry and its prog array as DIR/progs, and exit\n"
		"             (tools/bench/real.sh attaches it with tc object-pinned)\n");
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

	if (!dopt.only)
		return true;
	for (const char *p = dopt.only; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, d->key, len) && (p[len] == ',' || !p[len]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	int c;

	while ((c = getopt(argc, argv, BENCH_OPTS "j:d:N:u:U:P:h")) != -1) {
		if (bench_opt(c, optarg))
			continue;
		switch (c) {
		case 'j': dopt.jit_dir = optarg; break;
		case 'd': dopt.only = optarg; break;
		case 'N': counts_parse(optarg); break;
		case 'u': dopt.update_reps = atoi(optarg); break;
		case 'U': dopt.update_json = optarg; break;
		case 'P': dopt.pin_dir = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || !bench_setup())
		usage();

	for (size_t d = 0; d < N_DESIGNS; d++) {
		if (!selected(&designs[d]))
			continue;
		for (size_t i = 0; i < n_counts; i++)
			config_new(&designs[d], stage_counts[i], NULL);
		if (designs[d].holes)
			config_new(&designs[d], ARRAY_SIZE(holes_slots), holes_slots);
	}
	if (dopt.pin_dir)
		return pin_chain();
	if (!n_configs && dopt.update_reps > 0) {
		update_bench(dopt.update_reps, dopt.update_json);
		bench_cleanup();
		return 0;
	}
	if (!n_configs || dopt.update_reps < 0)
		usage();
	/* Copy by copy, so each copy's programs land among different neighbours. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int cp = 0; cp < opt.copies; cp++)
		for (int i = 0; i < n_configs; i++)
			config_load(&configs[i], cp);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "dispatch: %d configurations x %d copies loaded in %.1f s; "
		"%d rounds of %d packets each on CPU %d\n", n_configs, opt.copies,
		t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9,
		opt.rounds, opt.repeat, opt.cpu);
	if (dopt.jit_dir)
		jit_dump_all();

	measure();
	print_tables();
	if (opt.json)
		write_json(opt.json);
	if (dopt.update_reps > 0)
		update_bench(dopt.update_reps, dopt.update_json);

	bench_cleanup();
	return 0;
}
