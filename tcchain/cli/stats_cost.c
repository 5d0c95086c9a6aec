// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tcchain stats cost { on [ rate N ] | off }: per-stage time sampling. */
#include <stdio.h>

#include "tcchain/cli/observe.h"

struct cost_arg {
	const struct target *t;
	bool on;
	__u32 shift;
	int n;
};

static int cost_cb(struct tcc_chain *c, void *arg)
{
	struct cost_arg *ca = arg;
	int err;

	if (!stats_target_has(ca->t, c))
		return 0;
	err = tcc_chain_error(c) ?: tcc_cost_set(c, ca->on, ca->shift);
	if (!err)
		ca->n++;
	return err;
}

int stats_cost(int argc, char **argv)
{
	struct target t = {};
	struct cost_arg ca = { .t = &t, .shift = TCC_COST_SHIFT_DEFAULT };
	bool seen_rate = false;
	int used, err, lock;
	__u32 rate;

	if (!argc || !(is_kw(argv[0], "on") || is_kw(argv[0], "off"))) {
		p_err("stats cost: expected 'on' or 'off'%s%s", argc ? ", not " : "",
		      argc ? argv[0] : "");
		return -1;
	}
	ca.on = is_kw(argv[0], "on");
	NEXT_ARG();
	while (argc) {
		if (is_kw(argv[0], "rate")) {
			ONCE(seen_rate, "rate");
			if (!ca.on) {
				p_err("stats cost off: 'rate' goes with 'on'");
				return -1;
			}
			NEXT_ARG();
			REQ_ARGS(1);
			if (parse_u32(argv[0], "rate", 1, 1UL << TCC_COST_SHIFT_MAX, &rate))
				return -1;
			if (rate & (rate - 1)) {
				p_err("stats cost: rate %u is not a power of two (1 packet in N is timed)",
				      rate);
				return -1;
			}
			ca.shift = __builtin_ctz(rate);
			NEXT_ARG();
			continue;
		}
		used = parse_target(argc, argv, &t);
		if (used < 0)
			return -1;
		if (!used) {
			p_err("stats cost: unknown keyword '%s'", argv[0]);
			return -1;
		}
		argc -= used;
		argv += used;
	}
	if (!ca.on)
		ca.shift = 0;	/* off leaves no trace in the flags word */
	lock = tcc_lock();
	if (lock < 0) {
		p_fail(lock, "stats cost: cannot take the chains' lock");
		return -1;
	}
	err = tcc_chain_foreach(ctx, cost_cb, &ca);
	tcc_unlock(lock);
	if (err) {
		p_fail(err, "cannot switch cost sampling %s", ca.on ? "on" : "off");
		return -1;
	}
	if (!ca.n) {
		p_err("stats cost: no chain matches");
		return -1;
	}
	return 0;
}
