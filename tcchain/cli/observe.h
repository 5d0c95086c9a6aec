/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The CLI's observation words: stats cost, stats -w, stats -o, trace. */
#ifndef TCC_CLI_OBSERVE_H
#define TCC_CLI_OBSERVE_H

#include "tcchain/cli/main.h"

/* stats cost { on [ rate N ] | off } [ dev DEV [ DIR ] ] */
int stats_cost(int argc, char **argv);
/* stats -w: refresh every interval_ms with rates, count times (0: until ^C). */
int stats_watch(const struct target *t, unsigned int interval_ms, bool exact, __u32 count);
/* stats -o prometheus: the text exposition format of every matching chain. */
int stats_prometheus(const struct target *t);
/* Whether chain c is one the target names. */
bool stats_target_has(const struct target *t, const struct tcc_chain *c);

int do_trace(int argc, char **argv);

/* What every matching chain counted, read at one moment (stats_snap.c). */
struct snap_chain {
	char dev[16];
	int ifindex;
	enum tcc_dir dir;
	int err;				/* the chain could not be opened */
	__u32 flags;				/* tcc_observe_flags() */
	struct tcc_slot_stats st[TCC_STATS_ROWS];
	struct tcc_slot_stats total;
	bool occupied[TCC_MAX_SLOTS];
	struct tcc_stage_info si[TCC_MAX_SLOTS];
};

struct snap {
	__u64 netns;				/* the namespace's cookie */
	int n;
	struct snap_chain *c;
	double when;				/* CLOCK_MONOTONIC, seconds */
};

int snap_take(const struct target *t, struct snap *s);
void snap_free(struct snap *s);

#endif
