/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The chain file (doc/chain-file.md): the CLI's own words, one command a line. */
#ifndef TCC_CHAINFILE_H
#define TCC_CHAINFILE_H

#include <limits.h>
#include <net/if.h>

#include "tcchain/cli/main.h"

/* A rule line ("acl add ...") or a map entry line ("map set ..."). */
struct cf_words {
	int line;
	bool is_map;
	const struct tcc_kind *kind;	/* rule lines */
	long slot;			/* -1: the only stage of the kind */
	const char *map;		/* map lines */
	int argc;			/* the words after "slot N" / "MAP" */
	char **argv;
	char *text;			/* as save prints it, without dev/dir;
					 * NULL when slot was left out */
};

struct cf_stage {
	int line;			/* 0: the slot is empty */
	char arg[PATH_MAX];		/* as written: name or path */
	char file[PATH_MAX];		/* resolved, absolute */
	bool by_name;			/* arg is a library name, not a path */
	char prog[64];			/* "" when not given */
	struct tcc_param params[TCC_MAX_PARAMS];
	size_t n_params;
	char params_text[512];		/* "a=1 b=2", as meta keeps it */
};

struct cf_chain {
	int line;
	char dev[IF_NAMESIZE];
	int ifindex;
	enum tcc_dir dir;
	__u16 prio;
	__u32 handle;
	int end_verdict, miss_verdict;
	struct cf_stage st[TCC_MAX_SLOTS];
	struct cf_words *words;
	int n_words;
};

struct chainfile {
	const char *name;		/* "-" is stdin */
	struct cf_chain *chains;
	int n;
	char *buf;			/* every token points into it */
	char **tokens;			/* owned, freed with the file */
};

/* Read and check the whole file; errors name FILE:LINE (p_err) and
 * return -1 (exit status 1). */
int chainfile_read(const char *name, struct chainfile *cf);
void chainfile_free(struct chainfile *cf);
/* "FILE:LINE" for p_err_where. */
const char *cf_where(const struct chainfile *cf, int line);

/* cmd_save.c: the lines save prints, also what apply compares with. */
void save_add_line(char *buf, size_t len, const char *dev, enum tcc_dir dir, __u16 prio,
		   __u32 handle, int end, int miss);
void save_stage_line(char *buf, size_t len, __u32 slot, const char *file, const char *prog,
		     const char *params);
/* Rules and map entries of slot, one line each, without dev (malloc'ed);
 * record: the map entries' record text, NULL to read the chain's. */
char *save_slot_words(struct tcc_chain *c, __u32 slot, const char *record);
/* Whether file is the library stage name (NAME.bpf.o in a stage library). */
bool stage_in_library(const char *file, const char *name);

#endif
