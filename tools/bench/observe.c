// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tools/bench/observe: what per-stage cost sampling and tracing cost per packet
 * (make bench PART=observe; doc/observe.md).
 *
 * The same chains as tools/bench's "tcchain" design (libtcchain in-memory
 * chains of bench_stage.bpf.o in slots 0..N-1, a 64-byte UDP packet,
 * BPF_PROG_TEST_RUN, thread CPU time per packet), in five variants:
 *
 *   base     entry and stages built with -DTCC_NO_OBSERVE: the dispatch
 *            without the hooks, as it was before cost and trace
 *   off      the shipped entry and stages, cost and trace off
 *   cost64   cost on, 1 packet in 64 timed (the default)
 *   cost1    cost on, every packet timed
 *   trace    trace on, every packet, a thread draining the ring buffer
 *
 * Where the JIT places a chain moves its cost by tens of percent, so each
 * variant is loaded in several copies and rounds run every copy in a fresh
 * random order; a figure is the median over the copies of each copy's
 * fastest round (copies_figure).  The per-stage overhead is the slope
 * over N of (variant - base).  Then the cost figures are checked against
 * the benchmark's own timing: a stage that spins (cost_spin.bpf.o) is run
 * alone with BPF_PROG_TEST_RUN and in a chain with cost on; the two must
 * agree.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <arpa/inet.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tcchain/lib/libtcchain.h"

/* from tools/bench/common.c (its header's names clash with this file's) */
__u32 jit_len(int fd);
__u32 jit_main_len(int fd);

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_COPIES	12	/* ~1700 open fds per copy of all chains */
#define MAX_ROUNDS	31
#define PKT_LEN		64

enum variant { V_BASE, V_OFF, V_COST64, V_COST1, V_TRACE, N_VARIANTS };
static const char *const vname[N_VARIANTS] = { "base", "off", "cost64", "cost1", "trace" };
static const int counts[] = { 1, 8, 32 };
#define N_COUNTS	ARRAY_SIZE(counts)

static struct {
	const char *bpf_dir, *progs_dir, *json;
	int copies, rounds, repeat;
} opt = { .copies = MAX_COPIES, .rounds = 5, .repeat = 100000 };

struct run {
	int fd[MAX_COPIES];
	struct tcc_chain *chain;	/* copy 0's */
	double ns[MAX_COPIES][MAX_ROUNDS];
	int n_ns[MAX_COPIES];
	double best[MAX_COPIES];	/* each copy's fastest round */
	double med;	/* median over the copies of best[] */
};

static struct run runs[N_VARIANTS][N_COUNTS];
static struct tcc_ctx *tcc;
static unsigned char pkt[PKT_LEN];
static struct ring_buffer *rbs[MAX_COPIES * N_COUNTS];
static int n_rbs;
static volatile int draining = 1;
static unsigned long long drained;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	const char *d = tcc ? tcc_ctx_detail(tcc) : NULL;

	va_start(ap, fmt);
	fprintf(stderr, "observe: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s%s\n", d ? ": " : "", d ? d : "");
	exit(1);
}

static void build_packet(void)
{
	static const unsigned char hdr[] = {
		2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,		/* Ethernet */
		0x45, 0, 0, 50, 0, 0, 0, 0, 64, 17, 0, 0,			/* IPv4 */
		10, 0, 0, 1, 10, 0, 0, 2,
		0x9c, 0x40, 0x13, 0x89, 0, 30, 0, 0,				/* UDP */
	};

	memset(pkt, 0xab, sizeof(pkt));
	memcpy(pkt, hdr, sizeof(hdr));
}

static char *path(const char *dir, const char *file)
{
	static char buf[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, file);
	return buf[i];
}

/* The no-hooks entry, bound to the chain's maps. */
static int base_entry(struct tcc_chain *c)
{
	struct bpf_object *obj = bpf_object__open_file(path(opt.bpf_dir, "bench_entry_noobs.bpf.o"),
						       NULL);
	struct bpf_map *m;

	if (!obj)
		die("cannot open bench_entry_noobs.bpf.o: %s", strerror(errno));
	bpf_object__for_each_map(m, obj) {
		int fd = tcc_chain_map_fd(c, bpf_map__name(m));

		if (fd >= 0 && bpf_map__reuse_fd(m, fd))
			die("cannot bind %s", bpf_map__name(m));
	}
	if (bpf_object__load(obj))
		die("bench_entry_noobs.bpf.o does not load");
	return bpf_program__fd(bpf_object__find_program_by_name(obj, "tcc_entry"));
	/* the object stays open until exit: it holds the program */
}

static int on_event(void *ctx, void *data, size_t size)
{
	(void)ctx; (void)data; (void)size;
	drained++;
	return 0;
}

static void *drain(void *arg)
{
	(void)arg;
	while (draining)
		for (int i = 0; i < n_rbs; i++)
			ring_buffer__consume(rbs[i]);
	return NULL;
}

static struct tcc_chain *chain_build(const char *stage, int n)
{
	struct tcc_chain_opts co = { .end_verdict = TC_ACT_OK, .miss_verdict = TC_ACT_OK };
	struct tcc_stage_opts so = { .file = path(opt.bpf_dir, stage) };
	struct tcc_chain *c = tcc_chain_load(tcc, &co);

	if (!c)
		die("tcc_chain_load: %s", strerror(errno));
	for (int s = 0; s < n; s++)
		if (tcc_stage_set(tcc, c, s, &so))
			die("stage set %d %s", s, stage);
	return c;	/* kept until exit */
}

static int load(enum variant v, int n, struct tcc_chain **cp)
{
	struct tcc_chain *c = chain_build(v == V_BASE ? "bench_stage_noobs.bpf.o" :
					  "bench_stage.bpf.o", n);

	if (!*cp)
		*cp = c;

	switch (v) {
	case V_BASE:	return base_entry(c);
	case V_OFF:	break;
	case V_COST64:	tcc_cost_set(c, true, 6); break;
	case V_COST1:	tcc_cost_set(c, true, 0); break;
	case V_TRACE:
		tcc_trace_set(c, true, 0);
		rbs[n_rbs] = ring_buffer__new(tcc_chain_map_fd(c, "tcc_trace"), on_event, NULL, NULL);
		if (!rbs[n_rbs++])
			die("ring_buffer__new: %s", strerror(errno));
		break;
	default:	break;
	}
	return tcc_chain_entry_fd(c);
}

static double thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double run(int fd, int n, int repeat, __u32 *kns)
{
	struct __sk_buff in = {}, out = {};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .ctx_in = &in, .ctx_size_in = sizeof(in), .ctx_out = &out,
		    .ctx_size_out = sizeof(out), .repeat = repeat);
	double t0 = thread_ns();

	if (bpf_prog_test_run_opts(fd, &o))
		die("BPF_PROG_TEST_RUN: %s", strerror(errno));
	if (n >= 0 && (o.retval != TC_ACT_OK || out.cb[0] != (__u32)n))
		die("wrong result: verdict %u, cb[0] %u (want N = %d)", o.retval, out.cb[0], n);
	if (kns)
		*kns = o.duration;
	return (thread_ns() - t0) / repeat;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * A variant's figure at one N.  Contention on a shared machine only adds
 * time, so each copy's fastest round is its own cost; where the JIT put a
 * copy moves it either way, so the copies are summed up by their median.
 */
static double copies_figure(struct run *ru)
{
	double sorted[MAX_COPIES];

	for (int cp = 0; cp < opt.copies; cp++) {
		ru->best[cp] = ru->ns[cp][0];
		for (int r = 1; r < ru->n_ns[cp]; r++)
			if (ru->ns[cp][r] < ru->best[cp])
				ru->best[cp] = ru->ns[cp][r];
		sorted[cp] = ru->best[cp];
	}
	return median(sorted, opt.copies);
}

/* Least-squares slope of y over counts[]. */
static double slope(const double *y)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, k = N_COUNTS;

	for (size_t i = 0; i < N_COUNTS; i++) {
		sx += counts[i];
		sy += y[i];
		sxx += (double)counts[i] * counts[i];
		sxy += counts[i] * y[i];
	}
	return (k * sxy - sx * sy) / (k * sxx - sx * sx);
}

/*
 * How far a variant's per-stage figure can be trusted: the copies are
 * resampled (bootstrap, 2000 times, with replacement) for the variant and
 * for base at every N, and the slope is taken again each time; *lo and *hi
 * are the 5th and 95th percentiles.  A target is met when *hi is under it,
 * missed when *lo is over it, and otherwise this run cannot tell.
 */
#define N_BOOT	2000
static void slope_interval(int v, double *lo, double *hi)
{
	static double slopes[N_BOOT];
	unsigned int seed = 7;

	for (int b = 0; b < N_BOOT; b++) {
		double over[N_COUNTS], xs[MAX_COPIES], xb[MAX_COPIES];

		for (size_t i = 0; i < N_COUNTS; i++) {
			for (int k = 0; k < opt.copies; k++) {
				xs[k] = runs[v][i].best[rand_r(&seed) % opt.copies];
				xb[k] = runs[V_BASE][i].best[rand_r(&seed) % opt.copies];
			}
			over[i] = median(xs, opt.copies) - median(xb, opt.copies);
		}
		slopes[b] = slope(over);
	}
	qsort(slopes, N_BOOT, sizeof(slopes[0]), cmp_double);
	*lo = slopes[N_BOOT / 20];
	*hi = slopes[N_BOOT - 1 - N_BOOT / 20];
}

static const char *verdict(double lo, double hi, double target)
{
	return hi <= target ? "met" : lo > target ? "MISSED" : "not resolved in this run";
}

/* JIT bytes of the stage in slot 0 of @c: main function and in all. */
static void stage_jit(struct tcc_chain *c, __u32 *main_len, __u32 *all)
{
	__u32 slot = 0, id;
	int fd;

	if (bpf_map_lookup_elem(tcc_chain_map_fd(c, "tcc_progs"), &slot, &id))
		die("prog array lookup: %s", strerror(errno));
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		die("prog %u: %s", id, strerror(errno));
	*main_len = jit_main_len(fd);
	*all = jit_len(fd);
	close(fd);
}

/* The spinning stage alone, then in a chain with cost on at rate 1. */
static void cost_check(double *alone, double *chain)
{
	struct bpf_object *obj = bpf_object__open_file(path(opt.progs_dir, "cost_spin.bpf.o"), NULL);
	struct tcc_stage_opts so = { .file = path(opt.progs_dir, "cost_spin.bpf.o") };
	struct tcc_slot_stats st[TCC_STATS_ROWS];
	struct tcc_chain *c;
	__u32 kns[5];
	double a[5];

	if (!obj || bpf_object__load(obj))
		die("cost_spin.bpf.o does not load alone");
	for (int i = 0; i < 5; i++) {
		run(bpf_program__fd(bpf_object__find_program_by_name(obj, "cost_spin")), -1,
		    opt.repeat, &kns[i]);
		a[i] = kns[i];
	}
	*alone = median(a, 5);
	c = chain_build("bench_stage.bpf.o", 1);
	if (tcc_stage_set(tcc, c, 1, &so))
		die("stage set 1 cost_spin");
	tcc_cost_set(c, true, 0);
	run(tcc_chain_entry_fd(c), 1, opt.repeat, NULL);
	if (tcc_stats_read(c, st) || !st[1].cost_samples)
		die("no cost figure for the spinning stage");
	*chain = (double)st[1].cost_ns / st[1].cost_samples;
	bpf_object__close(obj);
}

static void usage(void)
{
	fprintf(stderr, "Usage: observe [ -k COPIES ] [ -r ROUNDS ] [ -n REPEAT ] [ -o JSON ]\n"
		"                     [ -b BPF_DIR ] [ -p TEST_PROGS_DIR ]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static int order[N_VARIANTS * N_COUNTS * MAX_COPIES];
	double over[N_VARIANTS][N_COUNTS], per_stage[N_VARIANTS], alone, chain;
	double lo[N_VARIANTS], hi[N_VARIANTS];
	__u32 jit_main[2], jit_all[2];
	char self[PATH_MAX], def_bpf[PATH_MAX + 8], def_progs[PATH_MAX + 32];
	struct rlimit rl;
	int o, n = 0;
	pthread_t th;
	FILE *j;

	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(def_bpf, sizeof(def_bpf), "%s/bpf", dirname(self));
	snprintf(def_progs, sizeof(def_progs), "%s/../../tests/progs", self);
	opt.bpf_dir = def_bpf;
	opt.progs_dir = def_progs;
	while ((o = getopt(argc, argv, "k:r:n:o:b:p:")) >= 0) {
		switch (o) {
		case 'k': opt.copies = atoi(optarg); break;
		case 'r': opt.rounds = atoi(optarg); break;
		case 'n': opt.repeat = atoi(optarg); break;
		case 'o': opt.json = optarg; break;
		case 'b': opt.bpf_dir = optarg; break;
		case 'p': opt.progs_dir = optarg; break;
		default: usage();
		}
	}
	if (opt.copies < 1 || opt.copies > MAX_COPIES || opt.rounds < 1 ||
	    opt.rounds > MAX_ROUNDS || opt.repeat < 100)
		usage();
	libbpf_set_print(NULL);
	/* every copy of every chain keeps its programs and maps open */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	build_packet();
	tcc = tcc_ctx_new();
	if (!tcc)
		die("tcc_ctx_new: %s", strerror(errno));

	for (int v = 0; v < N_VARIANTS; v++)
		for (size_t i = 0; i < N_COUNTS; i++)
			for (int cp = 0; cp < opt.copies; cp++) {
				runs[v][i].fd[cp] = load(v, counts[i], &runs[v][i].chain);
				run(runs[v][i].fd[cp], counts[i], 1, NULL);	/* check */
				order[n++] = (v * N_COUNTS + i) * MAX_COPIES + cp;
			}
	if (pthread_create(&th, NULL, drain, NULL))
		die("pthread_create");
	srand(1);
	for (int r = 0; r < opt.rounds; r++) {
		for (int i = n - 1; i > 0; i--) {
			int k = rand() % (i + 1), t = order[i];

			order[i] = order[k];
			order[k] = t;
		}
		for (int i = 0; i < n; i++) {
			int cp = order[i] % MAX_COPIES, x = order[i] / MAX_COPIES;
			struct run *ru = &runs[x / N_COUNTS][x % N_COUNTS];

			/* a traced packet costs microseconds: fewer of them */
			ru->ns[cp][ru->n_ns[cp]++] = run(ru->fd[cp], counts[x % N_COUNTS],
						 x / N_COUNTS == V_TRACE ? opt.repeat / 20 : opt.repeat,
						 NULL);
		}
	}
	draining = 0;
	pthread_join(th, NULL);
	for (int v = 0; v < N_VARIANTS; v++)
		for (size_t i = 0; i < N_COUNTS; i++)
			runs[v][i].med = copies_figure(&runs[v][i]);
	for (int v = 0; v < N_VARIANTS; v++) {
		for (size_t i = 0; i < N_COUNTS; i++)
			over[v][i] = runs[v][i].med - runs[V_BASE][i].med;
		per_stage[v] = slope(over[v]);
		if (v != V_BASE)
			slope_interval(v, &lo[v], &hi[v]);
	}
	cost_check(&alone, &chain);
	stage_jit(runs[V_BASE][0].chain, &jit_main[0], &jit_all[0]);
	stage_jit(runs[V_OFF][0].chain, &jit_main[1], &jit_all[1]);

	printf("ns per packet (median over %d copies of each one's fastest of %d rounds, %d packets each)\n",
	       opt.copies, opt.rounds, opt.repeat);
	printf("%8s", "stages");
	for (int v = 0; v < N_VARIANTS; v++)
		printf(" %9s", vname[v]);
	printf("\n");
	for (size_t i = 0; i < N_COUNTS; i++) {
		printf("%8d", counts[i]);
		for (int v = 0; v < N_VARIANTS; v++)
			printf(" %9.1f", runs[v][i].med);
		printf("\n");
	}
	printf("overhead per stage over base (slope over N; 90%% interval over the copies),\n"
	       "and per packet at N = 8:\n");
	for (int v = V_OFF; v < N_VARIANTS; v++) {
		printf("  %-7s %6.2f ns/stage (%.2f .. %.2f)  %6.1f ns/packet", vname[v],
		       per_stage[v], lo[v], hi[v], over[v][1]);
		if (v == V_OFF)
			printf("  (target <= 0.5 ns/stage: %s)", verdict(lo[v], hi[v], 0.5));
		if (v == V_COST64)
			printf("  (target <= 3 ns/stage: %s)", verdict(lo[v], hi[v], 3));
		printf("\n");
	}
	printf("stage JIT image (bench_stage), bytes: without the hooks %u; with them %u in the\n"
	       "  main function (what every packet runs), %u with the out-of-line slow path\n",
	       jit_main[0], jit_main[1], jit_all[1]);
	printf("trace events drained: %llu\n", drained);
	printf("cost check: spinning stage %.0f ns alone (BPF_PROG_TEST_RUN), %.0f ns in the chain "
	       "(stats cost, rate 1): %+.0f%%\n", alone, chain, 100 * (chain - alone) / alone);

	if (opt.json) {
		j = fopen(opt.json, "w");
		if (!j)
			die("%s: %s", opt.json, strerror(errno));
		fprintf(j, "{\"copies\": %d, \"rounds\": %d, \"repeat\": %d, \"ns_per_packet\": {",
			opt.copies, opt.rounds, opt.repeat);
		for (int v = 0; v < N_VARIANTS; v++) {
			fprintf(j, "%s\"%s\": {", v ? ", " : "", vname[v]);
			for (size_t i = 0; i < N_COUNTS; i++)
				fprintf(j, "%s\"%d\": %.2f", i ? ", " : "", counts[i], runs[v][i].med);
			fprintf(j, "}");
		}
		fprintf(j, "}, \"per_stage_ns_over_base\": {");
		for (int v = V_OFF; v < N_VARIANTS; v++)
			fprintf(j, "%s\"%s\": %.3f", v > V_OFF ? ", " : "", vname[v], per_stage[v]);
		fprintf(j, "}, \"per_stage_interval90\": {");
		for (int v = V_OFF; v < N_VARIANTS; v++)
			fprintf(j, "%s\"%s\": [%.3f, %.3f]", v > V_OFF ? ", " : "", vname[v], lo[v],
				hi[v]);
		fprintf(j, "}, \"targets\": {\"off_ns_per_stage\": 0.5, \"cost64_ns_per_stage\": 3},"
			" \"trace_events_drained\": %llu,"
			" \"cost_check\": {\"alone_ns\": %.1f, \"chain_ns\": %.1f},"
			" \"stage_jit_bytes\": {\"base\": %u, \"off_main\": %u, \"off_all\": %u}}\n",
			drained, alone, chain, jit_main[0], jit_main[1], jit_all[1]);
		fclose(j);
	}
	return 0;
}
