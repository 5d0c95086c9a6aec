// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* One reading of the counters of every matching chain, for -w and -o. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcchain/cli/observe.h"

struct snap_arg {
	const struct target *t;
	struct snap *s;
};

static int snap_cb(struct tcc_chain *c, void *arg)
{
	struct snap_arg *sa = arg;
	struct snap *s = sa->s;
	struct snap_chain *sc, *grown;
	int err;

	if (!stats_target_has(sa->t, c))
		return 0;
	grown = realloc(s->c, (s->n + 1) * sizeof(*s->c));
	if (!grown)
		return -ENOMEM;
	s->c = grown;
	sc = &s->c[s->n++];
	memset(sc, 0, sizeof(*sc));
	sc->ifindex = tcc_chain_ifindex(c);
	sc->dir = tcc_chain_dir(c);
	if (!if_indextoname(sc->ifindex, sc->dev))
		strcpy(sc->dev, "(gone)");
	sc->err = tcc_chain_error(c);
	if (sc->err)
		return 0;
	sc->flags = tcc_observe_flags(c);
	err = tcc_stats_read(c, sc->st) ?: tcc_stats_totals(c, &sc->total);
	if (err)
		return err;
	for (__u32 slot = 0; slot < TCC_MAX_SLOTS; slot++)
		sc->occupied[slot] = !tcc_stage_info(c, slot, &sc->si[slot]);
	return 0;
}

int snap_take(const struct target *t, struct snap *s)
{
	struct snap_arg sa = { .t = t, .s = s };
	struct timespec ts;
	int err;

	memset(s, 0, sizeof(*s));
	err = tcc_netns_id(&s->netns);
	if (err)
		return err;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->when = ts.tv_sec + ts.tv_nsec / 1e9;
	err = tcc_chain_foreach(ctx, snap_cb, &sa);
	if (err)
		snap_free(s);
	return err;
}

void snap_free(struct snap *s)
{
	free(s->c);
	s->c = NULL;
	s->n = 0;
}
