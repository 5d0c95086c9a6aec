// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tcchain stats: what every stage did. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tcchain/cli/observe.h"

/* Average ns per timed packet (doc/observe.md); "-" when none was timed. */
static void print_cost(const struct tcc_slot_stats *s)
{
	if (s->cost_samples)
		out_uint("cost_ns", " %7llu", (s->cost_ns + s->cost_samples / 2) / s->cost_samples);
	else if (json_output)
		out_null("cost_ns");
	else
		out_text(" %7s", "-");
	out_uint("cost_samples", NULL, s->cost_samples);
}

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
	print_cost(s);
	out_bool("foreign", NULL, s->is_foreign);
	out_bool("terminal", NULL, s->is_foreign);
	if (s->is_foreign)
		out_text("  foreign: terminal, verdicts not counted");
}

/* Whether cost sampling is on, and the chain's time per timed packet. */
static void print_chain_cost(const struct tcc_chain *c, const struct tcc_slot_stats *chain)
{
	__u32 f = tcc_observe_flags(c);

	out_open_object("cost");
	out_bool("sampling", NULL, f & TCC_CFG_F_COST);
	out_text("\n  cost %s", f & TCC_CFG_F_COST ? "on" : "off");
	if (f & TCC_CFG_F_COST)
		out_uint("rate", " 1/%llu", 1ULL << TCC_CFG_COST_SHIFT(f));
	else if (json_output)
		out_null("rate");
	if (chain->cost_samples)
		out_uint("ns", " %llu ns/pkt", (chain->cost_ns + chain->cost_samples / 2) /
					       chain->cost_samples);
	else if (json_output)
		out_null("ns");
	out_uint("samples", " (%llu timed)", chain->cost_samples);
	out_close_object();
}

bool stats_target_has(const struct target *t, const struct tcc_chain *c)
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

	if (!stats_target_has(t, c))
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
	print_chain_cost(c, chain);
	out_text("\n  %4s %-16s %12s %14s %10s %10s %8s %8s %12s %6s %7s\n", "slot", "stage",
		 "packets", "bytes", "pass", "drop", "redirect", "other", "next", "miss", "ns/pkt");

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
		if (occupied) {
			out_string("prog", " %-16s", si.prog);
		} else {
			out_null("prog");
			out_text(" %-16s", "-");
		}
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

	if (!stats_target_has(ra->t, c))
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
		"Usage: %s stats [ dev DEV [ ingress | egress ] ] [ -w [ SECONDS ] [ -x ] [ count N ] ]\n"
		"       %s stats [ dev DEV [ ingress | egress ] ] -o prometheus\n"
		"       %s stats reset [ dev DEV [ ingress | egress ] ]\n"
		"       %s stats cost { on [ rate N ] | off } [ dev DEV [ ingress | egress ] ]\n"
		"Slot rows count for the stage in the slot since it went in; the verdicts\n"
		"line counts the chain's whole life and never goes back (only reset does).\n"
		"-w: refresh every SECONDS (default 1) with packets/s and bits/s; -x exact numbers.\n"
		"cost on: time 1 packet in N (power of two, default 64) per stage: ns/pkt.\n",
		bin_name, bin_name, bin_name, bin_name);
	return 0;
}

static int stats_reset(int argc, char **argv)
{
	struct target t = {};
	struct reset_arg ra = { .t = &t };
	int err, lock;

	if (parse_target_all(argc, argv, &t, "stats reset"))
		return -1;
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
	bool watch = false, exact = false, seen_count = false, seen_o = false;
	unsigned int interval_ms = 1000;
	struct target t = {};
	__u32 count = 0;
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
	if (argc && is_kw(argv[0], "cost"))
		return stats_cost(argc - 1, argv + 1);
	while (argc) {
		if (is_kw(argv[0], "-w")) {
			ONCE(watch, "-w");
			NEXT_ARG();
			/* an optional number: 1, 0.5 */
			if (argc && (isdigit((unsigned char)argv[0][0]) || argv[0][0] == '.')) {
				char *end;
				double sec = strtod(argv[0], &end);

				if (*end || sec < 0.1 || sec > 3600) {
					p_err("stats -w: '%s' is not an interval in seconds (0.1 to 3600)",
					      argv[0]);
					return -1;
				}
				interval_ms = (unsigned int)(sec * 1000 + 0.5);
				NEXT_ARG();
			}
			continue;
		}
		if (is_kw(argv[0], "-x")) {
			ONCE(exact, "-x");
			NEXT_ARG();
			continue;
		}
		if (is_kw(argv[0], "count")) {
			ONCE(seen_count, "count");
			NEXT_ARG();
			REQ_ARGS(1);
			if (parse_u32(argv[0], "count", 1, UINT32_MAX, &count))
				return -1;
			NEXT_ARG();
			continue;
		}
		if (is_kw(argv[0], "-o")) {
			ONCE(seen_o, "-o");
			NEXT_ARG();
			REQ_ARGS(1);
			if (!is_kw(argv[0], "prometheus")) {
				p_err("stats -o: unknown format '%s' (known: prometheus)", argv[0]);
				return -1;
			}
			NEXT_ARG();
			continue;
		}
		used = parse_target(argc, argv, &t);
		if (used < 0)
			return -1;
		if (!used) {
			p_err("stats: unknown keyword '%s'", argv[0]);
			return -1;
		}
		argc -= used;
		argv += used;
	}
	if ((exact || seen_count) && !watch) {
		p_err("stats: '%s' goes with -w", exact ? "-x" : "count");
		return -1;
	}
	if (watch && seen_o) {
		p_err("stats: -w and -o cannot be used together");
		return -1;
	}
	if (seen_o)
		return stats_prometheus(&t);
	if (watch)
		return stats_watch(&t, interval_ms, exact, count);
	out_open_array(NULL);
	err = tcc_chain_foreach(ctx, stats_cb, &t);
	out_close_array();
	if (err) {
		p_fail(err, "cannot read stats");
		return -1;
	}
	return 0;
}
