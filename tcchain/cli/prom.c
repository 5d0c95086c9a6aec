// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcchain stats -o prometheus: the Prometheus text exposition format
 * (version 0.0.4), for node_exporter's textfile collector.  Metric names
 * and labels are documented in doc/observe.md and are stable.  Every
 * family is a counter that only reset/del moves back; stage families are
 * labelled with the stage's program name and id, so a new stage in a
 * slot is a new series.
 */
#include <stdio.h>

#include "tcchain/cli/observe.h"

/* A label value with \, " and newline escaped, as the format wants. */
static void label_value(const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			printf("\\%c", *v);
		else if (*v == '\n')
			printf("\\n");
		else
			putchar(*v);
	}
}

static void family(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void chain_labels(const struct snap *s, const struct snap_chain *c)
{
	printf("{netns=\"%llu\",dev=\"", (unsigned long long)s->netns);
	label_value(c->dev);
	printf("\",dir=\"%s\"", tcc_dir_str(c->dir));
}

static void stage_labels(const struct snap *s, const struct snap_chain *c, __u32 slot)
{
	chain_labels(s, c);
	printf(",slot=\"%u\",stage=\"", slot);
	label_value(c->si[slot].prog);
	printf("\",prog_id=\"%u\"", c->si[slot].prog_id);
}

typedef unsigned long long (*getter)(const struct tcc_slot_stats *st);

#define GET(field) \
	static unsigned long long get_##field(const struct tcc_slot_stats *st) { return st->field; }
GET(packets) GET(bytes) GET(pass) GET(drop) GET(redirect) GET(other) GET(next) GET(miss)
GET(cost_samples)

static const struct verdict_col {
	const char *name;
	getter get;
} chain_verdicts[] = {
	{ "pass", get_pass }, { "drop", get_drop }, { "redirect", get_redirect },
	{ "other", get_other }, { "miss", get_miss },
}, end_verdicts[] = {
	{ "pass", get_pass }, { "drop", get_drop }, { "continue", get_other },
}, stage_verdicts[] = {
	{ "pass", get_pass }, { "drop", get_drop }, { "redirect", get_redirect },
	{ "other", get_other }, { "next", get_next },
};

static void chain_family(const struct snap *s, const char *name, const char *help,
			 getter get, bool totals)
{
	family(name, "counter", help);
	for (int i = 0; i < s->n; i++) {
		const struct snap_chain *c = &s->c[i];

		if (c->err)
			continue;
		printf("%s", name);
		chain_labels(s, c);
		printf("} %llu\n", get(totals ? &c->total : &c->st[TCC_STATS_CHAIN]));
	}
}

static void chain_verdict_family(const struct snap *s, const char *name, const char *help,
				 const struct verdict_col *cols, size_t ncols, bool totals)
{
	family(name, "counter", help);
	for (int i = 0; i < s->n; i++) {
		const struct snap_chain *c = &s->c[i];

		if (c->err)
			continue;
		for (size_t v = 0; v < ncols; v++) {
			printf("%s", name);
			chain_labels(s, c);
			printf(",verdict=\"%s\"} %llu\n", cols[v].name,
			       cols[v].get(totals ? &c->total : &c->st[TCC_STATS_CHAIN]));
		}
	}
}

static void stage_family(const struct snap *s, const char *name, const char *help, getter get)
{
	family(name, "counter", help);
	for (int i = 0; i < s->n; i++) {
		const struct snap_chain *c = &s->c[i];

		for (__u32 slot = 0; !c->err && slot < TCC_MAX_SLOTS; slot++) {
			if (!c->occupied[slot])
				continue;
			printf("%s", name);
			stage_labels(s, c, slot);
			printf("} %llu\n", get(&c->st[slot]));
		}
	}
}

static void stage_cost_seconds(const struct snap *s)
{
	const char *name = "tcchain_stage_cost_seconds_total";

	family(name, "counter",
	       "Time spent by the sampled packets in the stage (stats cost on).");
	for (int i = 0; i < s->n; i++) {
		const struct snap_chain *c = &s->c[i];

		for (__u32 slot = 0; !c->err && slot < TCC_MAX_SLOTS; slot++) {
			if (!c->occupied[slot])
				continue;
			printf("%s", name);
			stage_labels(s, c, slot);
			printf("} %.9f\n", c->st[slot].cost_ns / 1e9);
		}
	}
}

int stats_prometheus(const struct target *t)
{
	struct snap s;
	int err;

	if (json_output) {
		p_err("stats -o prometheus: the format is text, not JSON (-j)");
		return -1;
	}
	err = snap_take(t, &s);
	if (err) {
		p_fail(err, "cannot read stats");
		return -1;
	}
	chain_family(&s, "tcchain_packets_total", "Packets that entered the chain.",
		     get_packets, true);
	chain_family(&s, "tcchain_bytes_total", "Bytes that entered the chain.",
		     get_bytes, true);
	chain_verdict_family(&s, "tcchain_verdicts_total",
			     "Where the chain's packets ended, over its life: any stage's verdict, or a miss.",
			     chain_verdicts, sizeof(chain_verdicts) / sizeof(chain_verdicts[0]), true);
	chain_verdict_family(&s, "tcchain_end_verdicts_total",
			     "Packets that ran off the end of the chain, by end verdict.",
			     end_verdicts, sizeof(end_verdicts) / sizeof(end_verdicts[0]), false);
	family("tcchain_cost_seconds_total", "counter",
	       "Time the sampled packets spent in all stages (stats cost on).");
	for (int i = 0; i < s.n; i++) {
		if (s.c[i].err)
			continue;
		printf("tcchain_cost_seconds_total");
		chain_labels(&s, &s.c[i]);
		printf("} %.9f\n", s.c[i].st[TCC_STATS_CHAIN].cost_ns / 1e9);
	}
	chain_family(&s, "tcchain_cost_samples_total", "Packets sampled for cost.",
		     get_cost_samples, false);
	family("tcchain_cost_sample_rate", "gauge",
	       "Cost sampling: 1 packet in this many is timed; 0 when off.");
	for (int i = 0; i < s.n; i++) {
		const struct snap_chain *c = &s.c[i];

		if (c->err)
			continue;
		printf("tcchain_cost_sample_rate");
		chain_labels(&s, c);
		printf("} %llu\n", c->flags & TCC_CFG_F_COST ?
		       1ULL << TCC_CFG_COST_SHIFT(c->flags) : 0);
	}
	stage_family(&s, "tcchain_stage_packets_total",
		     "Packets the stage saw since it went into the slot.", get_packets);
	stage_family(&s, "tcchain_stage_bytes_total",
		     "Bytes the stage saw since it went into the slot.", get_bytes);
	family("tcchain_stage_verdicts_total", "counter",
	       "What the stage did with its packets: a verdict, or next.");
	for (int i = 0; i < s.n; i++) {
		const struct snap_chain *c = &s.c[i];

		for (__u32 slot = 0; !c->err && slot < TCC_MAX_SLOTS; slot++) {
			if (!c->occupied[slot])
				continue;
			for (size_t v = 0; v < sizeof(stage_verdicts) / sizeof(stage_verdicts[0]); v++) {
				printf("tcchain_stage_verdicts_total");
				stage_labels(&s, c, slot);
				printf(",verdict=\"%s\"} %llu\n", stage_verdicts[v].name,
				       stage_verdicts[v].get(&c->st[slot]));
			}
		}
	}
	stage_family(&s, "tcchain_stage_misses_total",
		     "Tail calls that found the slot empty while the stage was being replaced.",
		     get_miss);
	stage_cost_seconds(&s);
	stage_family(&s, "tcchain_stage_cost_samples_total",
		     "Sampled packets timed in the stage.", get_cost_samples);
	snap_free(&s);
	return 0;
}
