// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcchain stats -w [SECONDS]: rates, refreshed in place.  Each refresh
 * reads every matching chain once and shows what changed since the last
 * one, per second: packets and bits in, per verdict, and per stage.  A
 * stage that was replaced (another program id in its slot) starts over.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tcchain/cli/observe.h"

static bool exact_numbers;

/* A rate: 1.23M with SI prefixes, or the exact integer with -x. */
static const char *rate_str(char *buf, size_t len, double v)
{
	static const char *const unit[] = { "", "k", "M", "G", "T" };
	int u = 0;

	if (exact_numbers) {
		snprintf(buf, len, "%.0f", v);
		return buf;
	}
	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, u ? "%.2f%s" : "%.0f%s", v, unit[u]);
	return buf;
}

static double delta(__u64 now, __u64 then, double dt)
{
	return now >= then ? (now - then) / dt : 0;
}

static const struct snap_chain *find(const struct snap *s, const struct snap_chain *c)
{
	for (int i = 0; i < s->n; i++)
		if (s->c[i].ifindex == c->ifindex && s->c[i].dir == c->dir)
			return &s->c[i];
	return NULL;
}

static void watch_chain(const struct snap_chain *c, const struct snap_chain *p, double dt)
{
	const struct tcc_slot_stats *ch = &c->st[TCC_STATS_CHAIN], *pch = &p->st[TCC_STATS_CHAIN];
	char a[32], b[32], d[32], e[32], f[32], g[32];

	printf("%s %s: in %s pkt/s %s bit/s; verdicts/s pass %s drop %s redirect %s miss %s\n",
	       c->dev, tcc_dir_str(c->dir),
	       rate_str(a, sizeof(a), delta(ch->packets, pch->packets, dt)),
	       rate_str(b, sizeof(b), 8 * delta(ch->bytes, pch->bytes, dt)),
	       rate_str(d, sizeof(d), delta(c->total.pass, p->total.pass, dt)),
	       rate_str(e, sizeof(e), delta(c->total.drop, p->total.drop, dt)),
	       rate_str(f, sizeof(f), delta(c->total.redirect, p->total.redirect, dt)),
	       rate_str(g, sizeof(g), delta(c->total.miss, p->total.miss, dt)));
	printf("  %4s %-16s %10s %10s %10s %10s %10s %10s %7s\n", "slot", "stage", "pkt/s",
	       "bit/s", "pass/s", "drop/s", "next/s", "other/s", "ns/pkt");
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		const struct tcc_slot_stats *r = &c->st[s], *q = &p->st[s];
		struct tcc_slot_stats zero = {};
		__u64 ns = 0, n = 0;

		if (!c->occupied[s])
			continue;
		if (!p->occupied[s] || p->si[s].prog_id != c->si[s].prog_id)
			q = &zero;	/* a new stage: its counts started at zero */
		if (r->cost_samples > q->cost_samples) {
			n = r->cost_samples - q->cost_samples;
			ns = r->cost_ns >= q->cost_ns ? r->cost_ns - q->cost_ns : 0;
		}
		printf("  %4u %-16s %10s %10s %10s %10s %10s %10s", s, c->si[s].prog,
		       rate_str(a, sizeof(a), delta(r->packets, q->packets, dt)),
		       rate_str(b, sizeof(b), 8 * delta(r->bytes, q->bytes, dt)),
		       rate_str(d, sizeof(d), delta(r->pass, q->pass, dt)),
		       rate_str(e, sizeof(e), delta(r->drop, q->drop, dt)),
		       rate_str(f, sizeof(f), delta(r->next, q->next, dt)),
		       rate_str(g, sizeof(g), delta(r->other + r->redirect, q->other + q->redirect, dt)));
		if (n)
			printf(" %7llu\n", (unsigned long long)((ns + n / 2) / n));
		else
			printf(" %7s\n", "-");
	}
}

int stats_watch(const struct target *t, unsigned int interval_ms, bool exact, __u32 count)
{
	bool tty = isatty(STDOUT_FILENO);
	struct snap prev, cur;
	int err;

	if (json_output) {
		p_err("stats -w: rates are text only; read counters with 'stats -j' or '-o prometheus'");
		return -1;
	}
	exact_numbers = exact;
	err = snap_take(t, &prev);
	if (!err && !prev.n) {
		snap_free(&prev);
		p_err("stats -w: no chain matches");
		return -1;
	}
	for (__u32 i = 0; !err && (!count || i < count); i++) {
		usleep(interval_ms * 1000U);
		err = snap_take(t, &cur);
		if (err)
			break;
		if (tty)
			printf("\033[H\033[2J");	/* refresh in place */
		printf("every %.1fs (%s)\n", interval_ms / 1000.0, exact ? "exact" : "SI units");
		for (int c = 0; c < cur.n; c++) {
			const struct snap_chain *p = find(&prev, &cur.c[c]);

			if (cur.c[c].err || !p || p->err)
				continue;
			watch_chain(&cur.c[c], p, cur.when - prev.when);
		}
		fflush(stdout);
		snap_free(&prev);
		prev = cur;
	}
	snap_free(&prev);
	if (err) {
		p_fail(err, "cannot read stats");
		return -1;
	}
	return 0;
}
