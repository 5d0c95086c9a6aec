/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tcchain apply / diff, between its files: the plan of one chain.
 *
 *   cmd_apply.c	the commands: options, the two phases, rollback
 *   apply_plan.c	phase one: what differs, and the generation built
 *   apply_load.c	the generation's stages loaded in parallel
 *   apply_print.c	the plan printed (--dry-run, diff, -j)
 *   apply_commit.c	phase two: the smallest atomic change, committed
 */
#ifndef TCC_APPLY_H
#define TCC_APPLY_H

#include "tcchain/cli/chainfile.h"

enum action { A_NONE, A_STAGE, A_GEN, A_ADD, A_RECREATE, A_DEL };

/* "none", "stage", ...: the JSON "action" and the commit's error. */
extern const char *const action_names[];

struct plan {
	struct cf_chain *want;		/* NULL: a live chain the file does not have */
	int ifindex;
	enum tcc_dir dir;
	char dev[IF_NAMESIZE];
	struct tcc_chain *live;
	struct tcc_chain_info li;
	struct tcc_chain *gen;
	enum action action;
	bool same[TCC_MAX_SLOTS];	/* same stage (file, prog, params) */
	bool keep[TCC_MAX_SLOTS];	/* the generation keeps the live stage */
	char *live_words[TCC_MAX_SLOTS];
	char *gen_words[TCC_MAX_SLOTS];
	char *records[TCC_MAX_SLOTS];	/* map entries to record after a commit */
	int slot;			/* A_STAGE */
};

/* apply_plan.c: phase one for a chain of the file: what differs, and the
 * generation (every stage loaded and verified, every rule and map entry
 * written); -1 after p_err(). */
int plan_chain(const struct chainfile *cf, struct plan *p);
/* apply_load.c: the stages of the file's chain loaded into p->gen (or
 * kept from p->live), in parallel; -1 after p_err(). */
int load_stages(const struct chainfile *cf, struct plan *p);
/* apply_print.c: what the plan changes, one line each (text or JSON). */
void plan_print(const struct plan *p);
/* apply_commit.c: commit the plan; -1 after p_fail(). */
int plan_commit(struct plan *p);

#endif
