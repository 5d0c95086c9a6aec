/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The command line: bpftool-style command tables and argument helpers. */
#ifndef TCC_MAIN_H
#define TCC_MAIN_H

#include <stdbool.h>
#include <string.h>

#include "tcchain/lib/libtcchain.h"
#include "tcchain/cli/output.h"

struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
};

/* The candidate closest to word (a typo), or NULL. */
const char *did_you_mean(const char *word, const char *const *cands, size_t n);
/* Run the command named argv[0] from the table; a missing or unknown
 * one is an error that lists the table ("did you mean" for a typo). */
int cmd_select(const struct cmd *cmds, int argc, char **argv, int (*help)(int, char **));

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define NEXT_ARG()	({ argc--; argv++; })
#define REQ_ARGS(n)							\
	({								\
		if (argc < (n)) {					\
			p_err("'%s' needs an argument", argv[-1]);	\
			return -1;					\
		}							\
	})
/* Exact keyword match: an abbreviation would change meaning the day a
 * keyword with the same prefix is added.
 */
#define is_kw(arg, kw)	(!strcmp((arg), (kw)))

/* Every keyword at most once: a second one is an error, never a silent
 * overwrite.  seen is a bool of the caller's, one per keyword.
 */
#define ONCE(seen, kw)							\
	({								\
		if (seen) {						\
			p_err("'%s' is given twice", (kw));		\
			return -1;					\
		}							\
		(seen) = true;						\
	})

extern struct tcc_ctx *ctx;
/* The kernel refused what the command asked (exit status 2, as ip/tc);
 * the library's refusals are in tcc_ctx_refused(). */
extern bool cli_refused;
extern const char *bin_name;

/* Where a command acts: dev and direction as given (either may be absent). */
struct target {
	const char *dev;
	int ifindex;
	bool has_dir;
	enum tcc_dir dir;
};

/* Parse "dev DEV" and "ingress|egress" at argv; returns args used or -1. */
int parse_target(int argc, char **argv, struct target *t);
/* The whole of argv is a target ("dev DEV", a direction, in either order);
 * anything else is "WHAT: unknown keyword".  0 or -1 after p_err().
 */
int parse_target_all(int argc, char **argv, struct target *t, const char *what);
/* The one chain the target names (pinned); NULL after p_err(). */
struct tcc_chain *target_chain(struct target *t, const char *what);
int parse_u32(const char *arg, const char *what, unsigned long min, unsigned long max,
	      __u32 *out);
/*
 * Call cb for every chain the target names, all chains when it names none,
 * inside a JSON array: the read-only commands (stage show, acl show, map
 * show) show each chain, labelled, as stats does.  cb returns 1 when it
 * printed the chain, 0 when it had nothing to show there, or -ECANCELED
 * after p_err().  Returns how many chains were shown, or -1 after p_err()
 * (no chain at all).
 */
int foreach_target_chain(const struct target *t, const char *what,
			 int (*cb)(struct tcc_chain *c, void *arg), void *arg);
/* One error line: the action, then the library's detail or strerror. */
void p_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Run a command under the chains' lock (tcc_lock), for CLI-side edits. */
int run_locked(int (*fn)(int argc, char **argv), int argc, char **argv);

int do_add(int argc, char **argv);
int do_del(int argc, char **argv);
int do_show(int argc, char **argv);
int do_prune(int argc, char **argv);
int do_stage(int argc, char **argv);
/* stage info SLOT [ dev DEV [ DIR ] ] (cmd_stage_info.c) */
int do_stage_info(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_map(int argc, char **argv);
/* map set|del on an open chain: argv is "key ... [value ...]" (cmd_map.c). */
int map_edit_chain(struct tcc_chain *chain, __u32 slot, const char *name, int argc,
		   char **argv, bool del);
int do_save(int argc, char **argv);
int do_apply(int argc, char **argv);
int do_diff(int argc, char **argv);
int do_rollback(int argc, char **argv);
/* The rule words of a stage kind (cmd_rules.c): tcchain acl add ... */
bool is_rules_object(const char *word);
int do_rules(const char *object, int argc, char **argv);
int do_help(int argc, char **argv);

/* The keys that identify a chain in every JSON object that describes one:
 * netns (cookie), dev (null when gone), ifindex, dir; as text "DEV" and
 * then text_fmt with the direction (" %s:"), or nothing when NULL. */
void out_chain_id(const struct tcc_chain *c, const char *text_fmt);
/* Print the stages of a chain (text or JSON), used by show and stage show. */
void print_stages(const struct tcc_chain *chain);
/* One stage's keys (slot, prog, id, file, loaded, params). */
void print_stage(const struct tcc_stage_info *si);
/* One chain as show prints it (text or a JSON object). */
void print_chain(const struct tcc_chain *c, const struct tcc_chain_info *ci);

#endif
