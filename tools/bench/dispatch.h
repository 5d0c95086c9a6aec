/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tools/bench/dispatch: the designs and the measured configurations,
 * shared by the measuring (dispatch.c) and the reporting
 * (dispatch_report.c).
 */
#ifndef TCC_BENCH_DISPATCH_H
#define TCC_BENCH_DISPATCH_H

#include "tools/bench/common.h"

#define MAX_CONFIGS	320
#define N_DESIGNS	8

enum kind {
	K_MONO,		/* one program per N in one object */
	K_LIB,		/* libtcchain */
	K_RAW,		/* one object per stage, loaded here with plain libbpf */
	K_ONE,		/* all stages in one object */
};

struct design {
	const char *key;	/* -d and JSON name */
	const char *label;	/* column head */
	enum kind kind;
	const char *file;	/* object under the BPF dir */
	const char *entry;	/* entry program; K_MONO: program name prefix */
	const char *stage;	/* stage program; K_ONE: name prefix */
	const char *skip;	/* program for empty slots between stages */
	bool table;		/* dispatch reads next[] from tcc_config */
	bool holes;		/* also measured with holes */
	bool fill;		/* v2: each hole holds the next stage's program */
};

extern const struct design designs[N_DESIGNS];

/* One measured configuration: a design with stages in some slots. */
struct config {
	const struct design *d;
	bool holes;
	int n;				/* stages */
	__u32 slots[TCC_MAX_SLOTS];
	int fd[MAX_COPIES];		/* program to run, per copy */
	int progs_fd[MAX_COPIES];	/* its prog array, -1 for K_MONO */
	struct samples s;
};

extern struct config configs[MAX_CONFIGS];
extern int n_configs;
extern int stage_counts[TCC_MAX_SLOTS];	/* the N measured, packed */
extern size_t n_counts;

/* A chain of design @d with stages in @slots; the entry's fd, and the
 * prog array's in @progs_fd (dispatch.c).
 */
int raw_chain_build(const struct design *d, const __u32 *slots, int n, int *progs_fd,
		    int *config_fd);
/* next[i] = first occupied slot >= i, as libtcchain keeps it. */
void config_fill(struct tcc_config *cfg, const __u32 *slots, int n);
int lib_chain_build(const struct design *d, const __u32 *slots, int n, int *progs_fd);
const struct design *design_find(const char *key);

/* What `stage del` costs in the prog-array update, shipped vs v2
 * (dispatch_update.c); JSON to @json when not NULL.
 */
void update_bench(int reps, const char *json);

void print_tables(void);
void write_json(const char *path);

#endif /* TCC_BENCH_DISPATCH_H */
