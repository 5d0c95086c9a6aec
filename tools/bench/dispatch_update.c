// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tools/bench/dispatch -u: what `stage del` costs in the kernel, tcchain's
 * dispatch (v2 since SDK ABI 2) against the next[] dispatch it replaced
 * (doc/dispatch.md "Dispatch v2").
 *
 * Emptying a prog-array index makes the x86 JIT re-patch every direct
 * tail-call site aimed at it, with an RCU grace period per site
 * (bpf_arch_poke_desc_update); replacing one program by another patches
 * the sites with no wait.  A v2 program has one site, aimed at its own
 * slot + 1, so at most one site is aimed at any index; a next[] program
 * has a site for every slot after its own (the switch; the verifier drops
 * the leaves at or below the stage's slot), so deleting slot s patches
 * one in the entry and in every stage before s.
 *
 *   tcchain  tcc_stage_del() of a libtcchain chain of bench_stage.bpf.o,
 *            timed whole: the indices that held the deleted stage get the
 *            next stage's program, or are deleted after the last stage
 *   next[]   a chain of bench_next.bpf.o: next[] rewritten (untimed), then
 *            the one prog-array delete its control plane made, timed alone
 *
 * Every delete is checked: the chain then runs k - 1 stage bodies
 * (cb[0] == k - 1) and ends with the end verdict.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>

#include "tools/bench/dispatch.h"

#define MAX_REPS	9

struct scenario {
	const char *name;
	int k;			/* stages */
	__u32 slots[TCC_MAX_SLOTS];	/* packed 0..k-1 when slots[1] == 0 */
	int del;		/* index into slots of the stage deleted */
};

static struct scenario scen[] = {
	{ "last",  1,  {}, 0 },
	{ "last",  4,  {}, 3 },  { "first", 4,  {}, 0 },
	{ "last",  16, {}, 15 }, { "first", 16, {}, 0 },  { "middle", 16, {}, 8 },
	{ "last",  32, {}, 31 }, { "first", 32, {}, 0 },  { "middle", 32, {}, 16 },
	{ "holes last",   4, { 0, 10, 20, 31 }, 3 },
	{ "holes middle", 4, { 0, 10, 20, 31 }, 1 },
};
#define N_SCEN	ARRAY_SIZE(scen)

enum { D_TCCHAIN, D_NEXT, N_D };
static const char *const dname[N_D] = { "tcchain", "next" };
static double ms[N_SCEN][N_D][MAX_REPS];
static int ops[N_SCEN];		/* tcchain's prog-array writes per delete */

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One packet through the chain: the end verdict after @want bodies. */
static void check(int entry_fd, int want, const struct scenario *s, int d)
{
	struct __sk_buff in = {}, out = {};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .ctx_in = &in, .ctx_size_in = sizeof(in), .ctx_out = &out,
		    .ctx_size_out = sizeof(out), .repeat = 1);

	in.cb[0] = 0xdead;
	if (bpf_prog_test_run_opts(entry_fd, &o))
		die("update %s k=%d %s: BPF_PROG_TEST_RUN: %s", dname[d], s->k, s->name,
		    strerror(errno));
	if (o.retval != TC_ACT_OK || out.cb[0] != (__u32)want)
		die("update %s k=%d %s: wrong result after the delete: verdict %d, cb[0] = %u "
		    "(want %d, %d)", dname[d], s->k, s->name, (int)o.retval, out.cb[0],
		    TC_ACT_OK, want);
}

static double del_tcchain(const struct scenario *s, int *n_ops)
{
	struct tcc_chain *c = new_chain();
	struct tcc_stage_opts so = { .file = obj_path("bench_stage.bpf.o") };
	double t0, t1;
	int err;

	for (int i = 0; i < s->k; i++) {
		err = tcc_stage_set(tcc, c, s->slots[i], &so);
		if (err)
			tcc_die("tcc_stage_set", err);
	}
	check(tcc_chain_entry_fd(c), s->k, s, D_TCCHAIN);
	/* the deleted stage's indices: its slot down to the previous stage's + 1 */
	*n_ops = s->slots[s->del] - (s->del ? s->slots[s->del - 1] + 1 : 0) + 1;
	t0 = mono_ms();
	err = tcc_stage_del(tcc, c, s->slots[s->del]);
	t1 = mono_ms();
	if (err)
		tcc_die("tcc_stage_del", err);
	check(tcc_chain_entry_fd(c), s->k - 1, s, D_TCCHAIN);
	return t1 - t0;
}

static double del_next(const struct scenario *s)
{
	__u32 slot = s->slots[s->del], rest[TCC_MAX_SLOTS], zero = 0;
	int progs_fd, config_fd, entry_fd, n = 0;
	struct tcc_config cfg;
	double t0, t1;

	entry_fd = raw_chain_build(design_find("nexttab"), s->slots, s->k, &progs_fd, &config_fd);
	check(entry_fd, s->k, s, D_NEXT);
	for (int i = 0; i < s->k; i++)
		if (i != s->del)
			rest[n++] = s->slots[i];
	config_fill(&cfg, rest, n);
	if (bpf_map_update_elem(config_fd, &zero, &cfg, BPF_ANY))
		die("config update: %s", strerror(errno));
	t0 = mono_ms();
	if (bpf_map_delete_elem(progs_fd, &slot))
		die("prog array delete (index %u): %s", slot, strerror(errno));
	t1 = mono_ms();
	check(entry_fd, s->k - 1, s, D_NEXT);
	return t1 - t0;
}

void update_bench(int reps, const char *json)
{
	FILE *f = NULL;

	if (reps > MAX_REPS)
		reps = MAX_REPS;
	for (size_t i = 0; i < N_SCEN; i++)
		if (!scen[i].slots[1])
			for (int k = 0; k < scen[i].k; k++)
				scen[i].slots[k] = k;
	/* interleaved, so slow phases of the machine hit both alike */
	for (int r = 0; r < reps; r++)
		for (size_t i = 0; i < N_SCEN; i++) {
			ms[i][D_TCCHAIN][r] = del_tcchain(&scen[i], &ops[i]);
			ms[i][D_NEXT][r] = del_next(&scen[i]);
		}

	printf("\nstage del: the prog-array update in the kernel, ms (median of %d, min-max)\n"
	       "tcchain: tcc_stage_del() whole (its prog-array writes); next[]: the one delete\n\n",
	       reps);
	printf("%3s %-22s %28s %22s\n", "k", "stage deleted", "tcchain (writes)", "next[]");
	if (json) {
		f = fopen(json, "w");
		if (!f)
			die("cannot write %s: %s", json, strerror(errno));
		fprintf(f, "{\"unit\": \"ms\", \"reps\": %d, \"target_ms\": 10, \"scenarios\": [", reps);
	}
	for (size_t i = 0; i < N_SCEN; i++) {
		const struct scenario *s = &scen[i];
		double med[N_D], lo[N_D], hi[N_D];
		char cell[N_D][48], what[48];

		for (int d = 0; d < N_D; d++) {
			lo[d] = hi[d] = ms[i][d][0];
			for (int r = 1; r < reps; r++) {
				lo[d] = ms[i][d][r] < lo[d] ? ms[i][d][r] : lo[d];
				hi[d] = ms[i][d][r] > hi[d] ? ms[i][d][r] : hi[d];
			}
			med[d] = median(ms[i][d], reps);
			snprintf(cell[d], sizeof(cell[d]), "%.2f (%.2f-%.2f)", med[d], lo[d], hi[d]);
		}
		snprintf(what, sizeof(what), "%s (slot %u)", s->name, s->slots[s->del]);
		printf("%3d %-22s %22s (%3d) %22s\n", s->k, what, cell[D_TCCHAIN], ops[i],
		       cell[D_NEXT]);
		if (f) {
			fprintf(f, "%s\n  {\"k\": %d, \"deleted\": \"%s\", \"slot\": %u, \"tcchain_writes\": %d",
				i ? "," : "", s->k, s->name, s->slots[s->del], ops[i]);
			for (int d = 0; d < N_D; d++)
				fprintf(f, ", \"%s\": {\"median_ms\": %.3f, \"min_ms\": %.3f, "
					"\"max_ms\": %.3f}", dname[d], med[d], lo[d], hi[d]);
			fprintf(f, "}");
		}
	}
	if (f) {
		fprintf(f, "\n]}\n");
		if (fclose(f))
			die("cannot write %s: %s", json, strerror(errno));
	}
}
