// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The chain runtime under BPF_PROG_TEST_RUN: the entry and real stage
 * objects loaded by the library exactly as `tcchain stage set` loads them,
 * in a chain that is neither pinned nor attached.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tests/lib/tst.h"
#include "tcchain/lib/libtcchain.h"
#include "tests/progs/trace_slots.h"

static char progs_dir[512];

static const char *prog_path(const char *name)
{
	static char buf[4][600];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s.bpf.o", progs_dir, name);
	return buf[i];
}

struct fixture {
	struct tcc_ctx *ctx;
	struct tcc_chain *chain;
};

static bool fx_init(struct fixture *fx, int end_verdict)
{
	struct tcc_chain_opts opts = { .end_verdict = end_verdict, .miss_verdict = TC_ACT_OK };

	fx->ctx = tcc_ctx_new();
	fx->chain = fx->ctx ? tcc_chain_load(fx->ctx, &opts) : NULL;
	return ASSERT_TRUE(fx->chain, "tcc_chain_load: %s", strerror(errno));
}

static void fx_fini(struct fixture *fx)
{
	tcc_chain_close(fx->chain);
	tcc_ctx_free(fx->ctx);
}

static int set_stage(struct fixture *fx, __u32 slot, const char *name,
		     const struct tcc_param *params, size_t n)
{
	struct tcc_stage_opts o = { .file = prog_path(name), .params = params, .n_params = n };
	int err = tcc_stage_set(fx->ctx, fx->chain, slot, &o);

	if (err)
		fprintf(stderr, "    stage set %u %s: %d (%s)\n", slot, name, err,
			tcc_ctx_detail(fx->ctx) ?: strerror(-err));
	return err;
}

/* A 64-byte IPv4/UDP frame; the contents do not matter to these stages. */
static unsigned char pkt[64] = {
	0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
	0x45, 0, 0, 50, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
	0x13, 0x88, 0x13, 0x89, 0, 30, 0, 0,
};

/* Run one packet; returns the chain's verdict, or a value < -1000 on error. */
static int run(struct fixture *fx, struct __sk_buff *ctx_in)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = pkt,
		.data_size_in = sizeof(pkt),
		.ctx_in = ctx_in,
		.ctx_size_in = ctx_in ? sizeof(*ctx_in) : 0,
		.repeat = 1,
	);
	int err = bpf_prog_test_run_opts(tcc_chain_entry_fd(fx->chain), &opts);

	if (!ASSERT_OK(err, "bpf_prog_test_run_opts"))
		return -10000;
	return (int)opts.retval;
}

/* The scratch as this CPU left it: the test runs pinned to CPU 0. */
static bool read_trace(struct fixture *fx, struct trace_slots *t)
{
	int ncpu = libbpf_num_possible_cpus();
	struct tcc_scratch *s = calloc(ncpu, sizeof(*s));
	__u32 zero = 0;
	int err;

	err = bpf_map_lookup_elem(tcc_chain_map_fd(fx->chain, TCC_MAP_SCRATCH), &zero, s);
	if (!err)
		memcpy(t, s[0].user, sizeof(*t));
	free(s);
	return ASSERT_OK(err ? -errno : 0, "read scratch");
}

static void check_order(struct fixture *fx, const __u8 *want, int n)
{
	struct trace_slots t;

	if (!read_trace(fx, &t))
		return;
	if (!ASSERT_EQ(t.n, n, "stages run"))
		return;
	ASSERT_MEMEQ(t.slot, want, n, "slot order");
}

static void slot_order(void)
{
	static const __u8 want[] = { 1, 3, 7 };
	struct fixture fx;

	if (!fx_init(&fx, TC_ACT_OK))
		return;
	/* set out of order: execution order is slot order */
	if (!set_stage(&fx, 7, "trace_slots", NULL, 0) && !set_stage(&fx, 1, "trace_slots", NULL, 0) &&
	    !set_stage(&fx, 3, "trace_slots", NULL, 0)) {
		ASSERT_EQ(run(&fx, NULL), TC_ACT_OK, "verdict");
		check_order(&fx, want, 3);
	}
	fx_fini(&fx);
}

static void holes_run_in_order(void)
{
	static const __u8 want[] = { 0, 5, 31 };
	struct fixture fx;

	if (!fx_init(&fx, TC_ACT_SHOT))
		return;
	if (!set_stage(&fx, 31, "trace_slots", NULL, 0) && !set_stage(&fx, 0, "trace_slots", NULL, 0) &&
	    !set_stage(&fx, 5, "trace_slots", NULL, 0)) {
		ASSERT_EQ(run(&fx, NULL), TC_ACT_SHOT, "end verdict after slot 31");
		check_order(&fx, want, 3);
	}
	fx_fini(&fx);
}

static void end_verdicts(void)
{
	static const int verdicts[] = { TC_ACT_OK, TC_ACT_SHOT, TC_ACT_UNSPEC };

	for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		struct fixture fx;

		if (!fx_init(&fx, verdicts[i]))
			return;
		ASSERT_EQ(run(&fx, NULL), verdicts[i], "empty chain");
		if (!set_stage(&fx, 4, "trace_slots", NULL, 0))
			ASSERT_EQ(run(&fx, NULL), verdicts[i], "after one stage");
		fx_fini(&fx);
	}
}

static void stage_verdict_stops_chain(void)
{
	static const __u8 want[] = { 1, 2 };
	const struct tcc_param drop = { "verdict", "2" };	/* TC_ACT_SHOT */
	struct tcc_slot_stats st[TCC_STATS_ROWS];
	struct fixture fx;

	if (!fx_init(&fx, TC_ACT_OK))
		return;
	if (!set_stage(&fx, 1, "trace_slots", NULL, 0) && !set_stage(&fx, 2, "trace_slots", &drop, 1) &&
	    !set_stage(&fx, 3, "trace_slots", NULL, 0)) {
		ASSERT_EQ(run(&fx, NULL), TC_ACT_SHOT, "verdict of slot 2");
		check_order(&fx, want, 2);
		if (ASSERT_OK(tcc_stats_read(fx.chain, st), "stats")) {
			ASSERT_EQ(st[1].next, 1, "slot 1 next");
			ASSERT_EQ(st[2].drop, 1, "slot 2 drop");
			ASSERT_EQ(st[3].packets, 0, "slot 3 saw nothing");
			ASSERT_EQ(st[1].packets, 1, "slot 1 saw the packet");
			ASSERT_EQ(st[2].packets, 1, "slot 2 saw the packet");
			ASSERT_EQ(st[TCC_STATS_CHAIN].packets, 1, "packets in");
		}
	}
	fx_fini(&fx);
}

static void all_32_slots_run(void)
{
	struct tcc_slot_stats st[TCC_STATS_ROWS];
	struct fixture fx;
	__u8 want[32];
	int s;

	if (!fx_init(&fx, TC_ACT_SHOT))
		return;
	for (s = 0; s < 32; s++) {
		want[s] = s;
		if (set_stage(&fx, s, "trace_slots", NULL, 0))
			break;
	}
	if (s == 32) {
		/* 32 stages after the entry: 32 tail calls, within the limit */
		ASSERT_EQ(run(&fx, NULL), TC_ACT_SHOT, "end verdict after 32 stages");
		check_order(&fx, want, 32);
		if (ASSERT_OK(tcc_stats_read(fx.chain, st), "stats")) {
			ASSERT_EQ(st[31].next, 1, "slot 31 ran");
			ASSERT_EQ(st[TCC_STATS_CHAIN].drop, 1, "end verdict counted");
		}
	}
	fx_fini(&fx);
}

static void cb_and_scratch_reach_later_stage(void)
{
	const struct tcc_param set = { "cb_set", "0x1234" };
	struct fixture fx;
	struct trace_slots t;

	if (!fx_init(&fx, TC_ACT_OK))
		return;
	if (!set_stage(&fx, 1, "trace_slots", &set, 1) && !set_stage(&fx, 4, "trace_slots", NULL, 0)) {
		run(&fx, NULL);
		if (read_trace(&fx, &t)) {
			ASSERT_EQ(t.n, 2, "stages run");
			ASSERT_EQ(t.cb_seen_last, 0x1234, "cb word written by slot 1, read by slot 4");
			ASSERT_EQ(t.marker, RT_MARKER, "scratch written");
		}
	}
	fx_fini(&fx);
}

static void no_state_across_packets(void)
{
	const struct tcc_param set = { "cb_set", "0x77" };
	struct __sk_buff dirty = { .cb = { 0xdead, 0xbeef, 1, 2, 3 } };
	struct fixture fx;
	struct trace_slots t;

	if (!fx_init(&fx, TC_ACT_OK))
		return;
	if (!set_stage(&fx, 0, "trace_slots", &set, 1)) {
		run(&fx, &dirty);	/* first packet: leaves marker and cb behind */
		run(&fx, &dirty);
		if (read_trace(&fx, &t)) {
			ASSERT_EQ(t.n, 1, "scratch trace restarted");
			ASSERT_EQ(t.cb_seen_first, 0, "cb zeroed by the entry (was dirty on input)");
			ASSERT_EQ(t.marker_seen, 0, "scratch zeroed between packets");
		}
	}
	fx_fini(&fx);
}

static void params_reach_program(void)
{
	const struct tcc_param p[] = { { "value", "40k" }, { "small", "255" }, { "label", "A" } };
	struct tcc_stage_info si;
	struct fixture fx;
	struct trace_slots t;

	if (!fx_init(&fx, TC_ACT_OK))
		return;
	if (!set_stage(&fx, 2, "trace_slots", p, 3)) {
		run(&fx, NULL);
		if (read_trace(&fx, &t))
			ASSERT_EQ(t.param_seen, 40000 + 255 + 'A', "value + small + label[0]");
		if (ASSERT_OK(tcc_stage_info(fx.chain, 2, &si), "stage info"))
			ASSERT_STREQ(si.params, "value=40k small=255 label=A", "params recorded");
	}
	fx_fini(&fx);
}

static void replace_keeps_order_and_counts(void)
{
	static const __u8 want[] = { 1, 2 };
	struct tcc_slot_stats st[TCC_STATS_ROWS];
	struct fixture fx;

	if (!fx_init(&fx, TC_ACT_OK))
		return;
	if (!set_stage(&fx, 1, "trace_slots", NULL, 0) && !set_stage(&fx, 2, "trace_slots", NULL, 0)) {
		run(&fx, NULL);
		if (!set_stage(&fx, 2, "pass_all", NULL, 0) && !set_stage(&fx, 2, "trace_slots", NULL, 0)) {
			run(&fx, NULL);
			check_order(&fx, want, 2);
			if (ASSERT_OK(tcc_stats_read(fx.chain, st), "stats"))
				ASSERT_EQ(st[2].next, 2, "slot 2 counted across replaces");
		}
	}
	fx_fini(&fx);
}

static void del_unlinks_slot(void)
{
	static const __u8 want[] = { 1, 9 };
	struct fixture fx;

	if (!fx_init(&fx, TC_ACT_OK))
		return;
	if (!set_stage(&fx, 1, "trace_slots", NULL, 0) && !set_stage(&fx, 5, "trace_slots", NULL, 0) &&
	    !set_stage(&fx, 9, "trace_slots", NULL, 0)) {
		ASSERT_OK(tcc_stage_del(fx.ctx, fx.chain, 5), "stage del 5");
		run(&fx, NULL);
		check_order(&fx, want, 2);
		ASSERT_EQ(tcc_stage_del(fx.ctx, fx.chain, 5), -ENOENT, "del of an empty slot");
	}
	fx_fini(&fx);
}

/*
 * The prog array is the dispatch table: index i holds the program of the
 * first occupied slot >= i, and nothing after the last stage.  @want names
 * the occupied slots in order; every index is checked.
 */
static void check_fills(struct fixture *fx, const __u8 *want, int n, const char *what)
{
	int progs = tcc_chain_map_fd(fx->chain, TCC_MAP_PROGS);
	struct tcc_stage_info info;
	__u32 ids[TCC_MAX_SLOTS] = {};
	int k = 0, bad = -1;

	for (int i = 0; i < n; i++)
		if (!tcc_stage_info(fx->chain, want[i], &info))
			ids[want[i]] = info.prog_id;
	for (__u32 i = 0; i < TCC_MAX_SLOTS && bad < 0; i++) {
		__u32 id = 0, exp;

		while (k < n && want[k] < i)
			k++;
		exp = k < n ? ids[want[k]] : 0;
		bpf_map_lookup_elem(progs, &i, &id);
		if (id != exp || (k < n && !exp))
			bad = i;
	}
	ASSERT_TRUE(bad == -1, "%s: index %d is not the next stage's program", what, bad);
}

static void holes_hold_the_next_stage(void)
{
	static const __u8 s39[] = { 3, 9 }, s9[] = { 9 }, s59[] = { 5, 9 }, s5[] = { 5 };
	struct tcc_slot_stats st[TCC_STATS_ROWS];
	struct fixture fx;

	if (!fx_init(&fx, TC_ACT_OK))
		return;
	check_fills(&fx, NULL, 0, "empty chain");
	if (set_stage(&fx, 9, "trace_slots", NULL, 0) || set_stage(&fx, 3, "trace_slots", NULL, 0))
		goto out;
	check_fills(&fx, s39, 2, "insert before");
	run(&fx, NULL);
	check_order(&fx, s39, 2);
	ASSERT_OK(tcc_stage_del(fx.ctx, fx.chain, 3), "stage del 3");
	check_fills(&fx, s9, 1, "del of the first");
	ASSERT_OK(set_stage(&fx, 5, "trace_slots", NULL, 0), "stage set 5");
	check_fills(&fx, s59, 2, "insert between");
	ASSERT_OK(set_stage(&fx, 5, "trace_slots", NULL, 0), "stage set 5 again");
	check_fills(&fx, s59, 2, "replace");
	ASSERT_OK(tcc_stage_del(fx.ctx, fx.chain, 9), "stage del 9");
	check_fills(&fx, s5, 1, "del of the last");
	run(&fx, NULL);
	check_order(&fx, s5, 1);
	/* a tail call that falls through is the end of the chain, not a miss */
	if (ASSERT_OK(tcc_stats_read(fx.chain, st), "stats"))
		ASSERT_EQ(st[5].miss + st[9].miss + st[3].miss, 0, "no miss");
out:
	fx_fini(&fx);
}

/* Counted where packets end; each slot's view derived, from its insertion. */
static void stats_follow_the_chain(void)
{
	const struct tcc_param drop = { "verdict", "2" };
	struct tcc_slot_stats st[TCC_STATS_ROWS], total;
	struct fixture fx;
	int i;

	if (!fx_init(&fx, TC_ACT_OK))
		return;
	if (set_stage(&fx, 1, "trace_slots", NULL, 0))
		goto out;
	for (i = 0; i < 3; i++)
		run(&fx, NULL);
	/* a stage added after 3 packets counts from zero */
	if (set_stage(&fx, 5, "trace_slots", NULL, 0))
		goto out;
	if (ASSERT_OK(tcc_stats_read(fx.chain, st), "stats")) {
		ASSERT_EQ(st[1].packets, 3, "slot 1 before");
		ASSERT_EQ(st[5].packets, 0, "slot 5 counts from its insertion");
	}
	run(&fx, NULL);
	run(&fx, NULL);
	if (ASSERT_OK(tcc_stats_read(fx.chain, st), "stats")) {
		ASSERT_EQ(st[1].packets, 5, "slot 1");
		ASSERT_EQ(st[1].next, 5, "slot 1 passed all on");
		ASSERT_EQ(st[5].packets, 2, "slot 5");
		ASSERT_EQ(st[5].bytes, 2 * sizeof(pkt), "slot 5 bytes");
		ASSERT_EQ(st[TCC_STATS_CHAIN].pass, 5, "end verdicts");
	}
	/* a dropping stage in between: slot 5 sees nothing more */
	if (set_stage(&fx, 3, "trace_slots", &drop, 1))
		goto out;
	run(&fx, NULL);
	if (ASSERT_OK(tcc_stats_read(fx.chain, st), "stats")) {
		ASSERT_EQ(st[3].packets, 1, "slot 3 saw one");
		ASSERT_EQ(st[3].drop, 1, "slot 3 dropped it");
		ASSERT_EQ(st[3].next, 0, "slot 3 passed none on");
		ASSERT_EQ(st[5].packets, 2, "slot 5 unchanged");
	}
	/* deleting slot 3 keeps its history out of slot 5's count */
	ASSERT_OK(tcc_stage_del(fx.ctx, fx.chain, 3), "del 3");
	run(&fx, NULL);
	if (ASSERT_OK(tcc_stats_read(fx.chain, st), "stats")) {
		ASSERT_EQ(st[5].packets, 3, "slot 5 after the del");
		ASSERT_EQ(st[1].packets, 7, "slot 1 saw every packet");
		ASSERT_EQ(st[3].drop, 0, "an empty slot counts for no stage");
		ASSERT_EQ(st[TCC_STATS_CHAIN].packets, 7, "packets in");
	}
	/* ... and what the deleted stage did stays in the chain's totals */
	if (ASSERT_OK(tcc_stats_totals(fx.chain, &total), "totals")) {
		ASSERT_EQ(total.drop, 1, "the deleted stage's drop stays counted");
		ASSERT_EQ(total.pass, 6, "every other packet passed");
		ASSERT_EQ(total.packets, 7, "totals: packets in");
	}
out:
	fx_fini(&fx);
}

/*
 * Out of file descriptors at every point of a replace: each failed
 * stage set leaves the old stage in its slot (its program, its meta row);
 * no error is ever returned once the new stage is in.
 */
static int open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 4096; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

static void failed_replace_changes_nothing(void)
{
	struct tcc_stage_info before, after;
	struct rlimit old, lim;
	struct fixture fx;
	int err = -1, tries = 0;

	if (!fx_init(&fx, TC_ACT_OK))
		return;
	if (set_stage(&fx, 2, "pass_all", NULL, 0) ||
	    !ASSERT_OK(tcc_stage_info(fx.chain, 2, &before), "info"))
		goto out;
	getrlimit(RLIMIT_NOFILE, &old);
	for (int extra = 0; extra < 200 && err; extra++, tries++) {
		struct tcc_stage_opts o = { .file = prog_path("trace_slots") };

		lim = old;
		lim.rlim_cur = open_fds() + extra;
		setrlimit(RLIMIT_NOFILE, &lim);
		err = tcc_stage_set(fx.ctx, fx.chain, 2, &o);
		setrlimit(RLIMIT_NOFILE, &old);
		if (!ASSERT_OK(tcc_stage_info(fx.chain, 2, &after), "info"))
			break;
		if (err && !ASSERT_EQ(after.prog_id, before.prog_id,
				      "a failed replace left the old program in the slot"))
			break;
		if (err && !ASSERT_STREQ(after.prog, before.prog, "and its meta row"))
			break;
	}
	ASSERT_OK(err, "with enough fds the replace went through");
	ASSERT_TRUE(tries > 1, "some limits made it fail first (%d tries)", tries);
	ASSERT_STREQ(after.prog, "trace_slots", "the new stage is in");
out:
	fx_fini(&fx);
}

/* Bad stage objects and params: a clear error, and the chain unchanged. */
static void bad_stages_leave_chain_unchanged(void)
{
	static const struct {
		const char *what, *file, *prog, *pname, *pval;
		__u32 slot;
		int err;
		const char *detail;
	} cases[] = {
		{ "missing file", "/nonexistent/x.bpf.o", NULL, NULL, NULL, 2, -ENOENT, "No such file" },
		{ "not an ELF", "/etc/hostname", NULL, NULL, NULL, 2, -ENOEXEC, "not an ELF" },
		{ "no tc program", "no_tc_prog", NULL, NULL, NULL, 2, -ENOENT, "no tc program" },
		{ "two tc programs", "two_tc_progs", NULL, NULL, NULL, 2, -EINVAL, "choose one with 'prog NAME'" },
		{ "kprobe chosen", "no_tc_prog", "kprobe_prog", NULL, NULL, 2, -EINVAL, "not a tc program" },
		{ "xdp chosen", "no_tc_prog", "xdp_prog", NULL, NULL, 2, -EINVAL, "not a tc program" },
		{ "no such prog", "two_tc_progs", "nope", NULL, NULL, 2, -ENOENT, "no program named 'nope'" },
		{ "other ABI", "abi_v3", NULL, NULL, NULL, 2, -EPROTO, "ABI v3" },
		{ "verifier", "verifier_reject", NULL, NULL, NULL, 2, -EACCES, "verifier: " },
		{ "slot range", "trace_slots", NULL, NULL, NULL, 32, -ERANGE, "out of range" },
		{ "unknown param", "trace_slots", NULL, "nope", "1", 2, -ENOENT, "unknown param 'nope'" },
		{ "param type", "trace_slots", NULL, "value", "abc", 2, -EINVAL, "not an integer" },
		{ "param size", "trace_slots", NULL, "small", "256", 2, -ERANGE, "out of range" },
		{ "param string", "trace_slots", NULL, "label", "12345678", 2, -ERANGE, "longer than 7" },
		{ "framework param", "trace_slots", NULL, "tcc_slot", "3", 2, -EINVAL, "framework" },
	};
	static const __u8 want[] = { 2 };
	struct fixture fx;

	if (!fx_init(&fx, TC_ACT_OK))
		return;
	if (set_stage(&fx, 2, "trace_slots", NULL, 0))
		goto out;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tcc_param p = { cases[i].pname, cases[i].pval };
		struct tcc_stage_opts o = {
			.file = cases[i].file[0] == '/' ? cases[i].file : prog_path(cases[i].file),
			.prog = cases[i].prog,
			.params = &p,
			.n_params = cases[i].pname ? 1 : 0,
		};
		const char *detail;
		int err;

		err = tcc_stage_set(fx.ctx, fx.chain, cases[i].slot, &o);
		detail = tcc_ctx_detail(fx.ctx);
		if (!ASSERT_EQ(err, cases[i].err, cases[i].what))
			fprintf(stderr, "      detail: %s\n", detail ?: "(none)");
		ASSERT_TRUE(detail && strstr(detail, cases[i].detail),
			    "%s: detail '%s' lacks '%s'", cases[i].what, detail ?: "(none)",
			    cases[i].detail);
		/* the old stage is still in slot 2 and still runs */
		run(&fx, NULL);
		check_order(&fx, want, 1);
	}
	/* the verifier's whole log is kept for -d */
	tcc_stage_set(fx.ctx, fx.chain, 2, &(struct tcc_stage_opts){ .file = prog_path("verifier_reject") });
	ASSERT_TRUE(tcc_ctx_log(fx.ctx) && strstr(tcc_ctx_log(fx.ctx), "processed"),
		    "verifier log kept");
out:
	fx_fini(&fx);
}

int main(int argc, char **argv)
{
	static const struct tst_case cases[] = {
		TST_CASE(slot_order),
		TST_CASE(holes_run_in_order),
		TST_CASE(end_verdicts),
		TST_CASE(stage_verdict_stops_chain),
		TST_CASE(all_32_slots_run),
		TST_CASE(cb_and_scratch_reach_later_stage),
		TST_CASE(no_state_across_packets),
		TST_CASE(params_reach_program),
		TST_CASE(replace_keeps_order_and_counts),
		TST_CASE(del_unlinks_slot),
		TST_CASE(holes_hold_the_next_stage),
		TST_CASE(stats_follow_the_chain),
		TST_CASE(bad_stages_leave_chain_unchanged),
		TST_CASE(failed_replace_changes_nothing),
	};
	const char *out = getenv("OUT") ?: "build";
	cpu_set_t cpus;

	/* Per-CPU scratch is read back from CPU 0: run there. */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	snprintf(progs_dir, sizeof(progs_dir), "%s/tests/progs", out);
	return tst_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
