// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tcchain stats: what every stage did. */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tcchain/cli/main.h"

static void print_counts(const struct tcc_slot_stats *s)
{
	out_uint("packets", " %12llu", s->packets);
	out_uint("bytes", " %14llu", s->bytes);
	if (s->is_foreign) {
		/* A foreign stage's verdicts are not counted: unknown, not 0. */
		out_null("pass");
		out_null("drop");
		out_null("redirect");
		out_null("other");
		out_text(" %10s %10s %8s %8s", "-", "-", "-", "-");
	} else {
		out_uint("pass", " %10llu", s->pass);
		out_uint("drop", " %10llu", s->drop);
		out_uint("redirect", " %8llu", s->redirect);
		out_uint("other", " %8llu", s->other);
	}
	out_uint("next", " %12llu", s->next);
	out_uint("miss", " %6llu", s->miss);
	out_bool("foreign", NULL, s->is_foreign);
	out_bool("terminal", NULL, s->is_foreign);
	if (s->is_foreign)
		out_text("  foreign: terminal, verdicts not counted");
}

static bool target_has(const struct target *t, const struct tcc_chain *c)
{
	return (!t->ifindex || tcc_chain_ifindex(c) == t->ifindex) &&
	       (!t->has_dir || tcc_chain_dir(c) == t->dir);
}

static int stats_cb(struct tcc_chain *c, void *arg)
{
	const struct target *t = arg;
	struct tcc_slot_stats st[TCC_STATS_ROWS], total;
	const struct tcc_slot_stats *chain = &st[TCC_STATS_CHAIN];
	struct tcc_stage_info si;
	int err;

	if (!target_has(t, c))
		return 0;
	if (tcc_chain_error(c)) {
		out_open_object(NULL);
		out_chain_id(c, " %s:");
		out_string("error", " cannot be opened: %s\n", strerror(-tcc_chain_error(c)));
		out_close_object();
		return 0;
	}
	err = tcc_stats_read(c, st);
	if (!err)
		err = tcc_stats_totals(c, &total);
	if (err)
		return err;
	out_open_object(NULL);
	out_chain_id(c, " %s:");
	out_uint("packets", " %llu packets", chain->packets);
	out_uint("bytes", " %llu bytes in;", chain->bytes);
	out_open_object("end");
	out_uint("pass", " end pass %llu", chain->pass);
	out_uint("drop", " drop %llu", chain->drop);
	out_uint("continue", " continue %llu", chain->other);
	out_close_object();
	out_text("\n  %4s %-16s %12s %14s %10s %10s %8s %8s %12s %6s\n", "slot", "stage",
		 "packets", "bytes", "pass", "drop", "redirect", "other", "next", "miss");

	out_open_array("slots");
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		const struct tcc_slot_stats *r = &st[s];
		bool occupied = !tcc_stage_info(c, s, &si);

		/* An empty slot is shown only for its misses: what a deleted
		 * stage counted is in the chain's verdicts below, not here.
		 */
		if (!occupied && !r->miss)
			continue;
		out_open_object(NULL);
		out_uint("slot", "  %4llu", s);
		if (occupied)
			out_string("prog", " %-16s", si.prog);
		else
			out_null("prog");
		out_text(occupied ? "" : " %-16s", "-");
		print_counts(r);
		out_text("\n");
		out_close_object();
	}
	out_close_array();

	/* Where the chain's packets ended, over its whole life: a stage's
	 * verdict, the end verdict, or a miss.  Monotonic (doc/stats.md).
	 */
	out_open_object("verdicts");
	out_uint("pass", "  verdicts: pass %llu", total.pass);
	out_uint("drop", " drop %llu", total.drop);
	out_uint("redirect", " redirect %llu", total.redirect);
	out_uint("other", " other %llu", total.other);
	out_uint("miss", " miss %llu", total.miss);
	/* packets that ended in a foreign stage (doc/abi.md) */
	out_uint("foreign", total.foreign ? " foreign %llu" : NULL, total.foreign);
	out_text("\n");
	out_close_object();
	out_close_object();
	return 0;
}

struct reset_arg {
	const struct target *t;
	int n;
};

static int reset_cb(struct tcc_chain *c, void *arg)
{
	struct reset_arg *ra = arg;
	int err;

	if (!target_has(ra->t, c))
		return 0;
	err = tcc_chain_error(c) ?: tcc_stats_reset(c);
	if (!err)
		ra->n++;
	return err;
}

static int do_stats_help(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr,
		"Usage: %s stats [ dev DEV [ ingress | egress ] ]\n"
		"       %s stats reset [ dev DEV [ ingress | egress ] ]\n"
		"Slot rows count for the stage in the slot since it went in; the verdicts\n"
		"line counts the chain's whole life and never goes back (only reset does).\n",
		bin_name, bin_name);
	return 0;
}

static int stats_reset(int argc, char **argv)
{
	struct target t = {};
	struct reset_arg ra = { .t = &t };
	int used, err, lock;

	used = parse_target(argc, argv, &t);
	if (used < 0)
		return -1;
	if (argc > used) {
		p_err("stats reset: unknown keyword '%s'", argv[used]);
		return -1;
	}
	lock = tcc_lock();
	if (lock < 0) {
		p_fail(lock, "stats reset: cannot take the chains' lock");
		return -1;
	}
	err = tcc_chain_foreach(ctx, reset_cb, &ra);
	tcc_unlock(lock);
	if (err) {
		p_fail(err, "cannot reset stats");
		return -1;
	}
	if (!ra.n) {
		p_err("stats reset: no chain matches");
		return -1;
	}
	return 0;
}

int do_stats(int argc, char **argv)
{
	struct target t = {};
	int used, err;

	if (argc && is_kw(argv[0], "help")) {
		if (argc > 1) {
			p_err("unexpected '%s' after help", argv[1]);
			return -1;
		}
		return do_stats_help(argc, argv);
	}
	if (argc && is_kw(argv[0], "reset"))
		return stats_reset(argc - 1, argv + 1);
	used = parse_target(argc, argv, &t);
	if (used < 0)
		return -1;
	if (argc > used) {
		p_err("stats: unknown keyword '%s'", argv[used]);
		return -1;
	}
	out_open_array(NULL);
	err = tcc_chain_foreach(ctx, stats_cb, &t);
	out_close_array();
	if (err) {
		p_fail(err, "cannot read stats");
		return -1;
	}
	return 0;
}
