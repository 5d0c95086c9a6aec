// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * apply, phase one: for a chain of the file, what differs from the live
 * chain, and (when anything does) the new generation built in memory
 * before anything is committed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcchain/cli/apply.h"

static bool slot_same(const struct cf_stage *want, const struct tcc_stage_info *si, bool live)
{
	if (!want->line || !live)
		return !want->line && !live;
	/* a library name is the same stage whichever library it was found in */
	return (want->by_name ? stage_in_library(si->file, want->arg) :
				!strcmp(want->file, si->file)) &&
	       (!want->prog[0] || !strcmp(want->prog, si->prog)) &&
	       !strcmp(want->params_text, si->params);
}

/* The file's words of slot as save prints them; false when a line left
 * its slot out (only loading the chain says which slot it means). */
static bool want_words(const struct cf_chain *w, __u32 slot, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < w->n_words; i++) {
		if (!w->words[i].text)
			return false;
		if (w->words[i].slot == slot)
			used += snprintf(buf + used, used < len ? len - used : 0, "%s\n",
					 w->words[i].text);
	}
	return used < len;
}

static char **copy_argv(int argc, char **argv)
{
	char **v = calloc(argc + 1, sizeof(char *));

	for (int i = 0; v && i < argc; i++)
		v[i] = strdup(argv[i]);
	return v;
}

static void free_argv(char **v)
{
	for (int i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int words_apply(struct tcc_chain *c, __u32 slot, bool is_map, const struct tcc_kind *kind,
		       const char *map, int argc, char **argv)
{
	char **v = copy_argv(argc, argv);
	__u32 id;
	int err;

	if (!v)
		return -ENOMEM;
	if (is_map) {
		err = map_edit_chain(c, slot, map, argc, v, false) ? -EINVAL : 0;
	} else {
		err = kind->rule_add(ctx, c, slot, argc, v, &id);
		if (err)
			p_fail(err, "cannot add %s rule", kind->name);
	}
	free_argv(v);
	return err;
}

/* Phase one for a chain of the file: what differs, and the generation. */
int plan_chain(const struct chainfile *cf, struct plan *p)
{
	struct cf_chain *w = p->want;
	struct tcc_chain_opts o = {
		.ifindex = p->ifindex, .dir = w->dir, .prio = w->prio, .handle = w->handle,
		.end_verdict = w->end_verdict, .miss_verdict = w->miss_verdict,
	};
	struct tcc_stage_info si[TCC_MAX_SLOTS];
	bool has[TCC_MAX_SLOTS] = {}, fast = true, all_same;
	char buf[8192];
	int n_diff = 0;

	p_err_where = cf_where(cf, w->line);
	p->live = tcc_chain_open(ctx, p->ifindex, w->dir);
	if (!p->live && errno != ENOENT) {
		p_fail(-errno, "cannot open the chain on %s %s", w->dev, tcc_dir_str(w->dir));
		return -1;
	}
	if (p->live && (tcc_chain_info(ctx, p->live, &p->li) || !p->li.attached)) {
		/* detached: add replaces it */
		tcc_chain_close(p->live);
		p->live = NULL;
	}
	all_same = p->live && p->li.prio == w->prio && p->li.handle == w->handle &&
		   p->li.end_verdict == w->end_verdict && p->li.miss_verdict == w->miss_verdict;
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		has[s] = p->live && !tcc_stage_info(p->live, s, &si[s]);
		p->same[s] = p->live && slot_same(&w->st[s], &si[s], has[s]);
		if (has[s])
			p->live_words[s] = save_slot_words(p->live, s, NULL);
		if (!want_words(w, s, buf, sizeof(buf)))
			fast = false;
		else if (strcmp(buf, p->live_words[s] ?: ""))
			all_same = false;
		all_same &= p->same[s];
	}
	if (all_same && fast)
		return 0;

	p->gen = tcc_gen_new(ctx, p->live, &o);
	if (!p->gen) {
		p_fail(-errno, "cannot load a chain for %s %s", w->dev, tcc_dir_str(w->dir));
		return -1;
	}
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++)
		p->keep[s] = w->st[s].line && p->same[s] && fast &&
			     want_words(w, s, buf, sizeof(buf)) &&
			     !strcmp(buf, p->live_words[s] ?: "");
	if (load_stages(cf, p))
		return -1;
	for (int i = 0; i < w->n_words; i++) {
		struct cf_words *wd = &w->words[i];
		__u32 slot = wd->slot;

		p_err_where = cf_where(cf, wd->line);
		if (!wd->is_map) {
			int err = tcc_kind_slot(ctx, p->gen, wd->kind, wd->slot, &slot);

			if (err) {
				p_fail(err, "cannot add %s rule", wd->kind->name);
				return -1;
			}
		} else if (!w->st[slot].line) {
			p_err("cannot set map entry: slot %u has no stage in the file", slot);
			return -1;
		}
		if (p->keep[slot])
			continue;
		if (words_apply(p->gen, slot, wd->is_map, wd->kind, wd->map, wd->argc, wd->argv))
			return -1;
		if (wd->is_map) {
			size_t l = p->records[slot] ? strlen(p->records[slot]) : 0;
			char *grown;

			/* "SLOT MAP key ...": the record has no slot */
			const char *rec = wd->text + strlen("map set ");
			const char *r = strchr(rec, ' ') ? strchr(rec, ' ') + 1 : rec;

			grown = realloc(p->records[slot], l + strlen(r) + 2);
			if (!grown)
				return -1;
			sprintf(grown + l, "%s\n", r);
			p->records[slot] = grown;
		}
	}
	p_err_where = cf_where(cf, w->line);
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		if (!w->st[s].line)
			continue;
		if (p->keep[s]) {
			p->gen_words[s] = strdup(p->live_words[s] ?: "");
			free(p->records[s]);
			p->records[s] = malloc(TCC_MAP_RECORD_SIZE);
			if (p->records[s] && tcc_map_record_get(p->live, s, p->records[s],
								TCC_MAP_RECORD_SIZE))
				p->records[s][0] = '\0';
		} else {
			p->gen_words[s] = save_slot_words(p->gen, s, p->records[s] ?: "");
		}
	}
	if (!p->live) {
		p->action = A_ADD;
		return 0;
	}
	if (p->li.prio != w->prio || p->li.handle != w->handle) {
		p->action = A_RECREATE;
		return 0;
	}
	bool words_differ = false;

	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		if (!p->same[s]) {
			n_diff++;
			p->slot = s;
		} else if (has[s] && strcmp(p->gen_words[s] ?: "", p->live_words[s] ?: "")) {
			words_differ = true;
		}
	}
	if (p->li.end_verdict != w->end_verdict || p->li.miss_verdict != w->miss_verdict)
		p->action = A_GEN;
	else if (!n_diff && !words_differ)
		p->action = A_NONE;
	else if (n_diff == 1 && !words_differ && !*(p->gen_words[p->slot] ?: ""))
		p->action = A_STAGE;
	else
		p->action = A_GEN;
	if (p->action != A_GEN)
		return 0;
	/* The same stage with the same rules, written another way: the
	 * generation keeps the live one (its state and counts). */
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		if (p->keep[s] || !p->same[s] || !has[s] ||
		    strcmp(p->gen_words[s] ?: "", p->live_words[s] ?: ""))
			continue;
		if (tcc_gen_keep(ctx, p->gen, p->live, s)) {
			p_fail(-EINVAL, "cannot reload stage %u", s);
			return -1;
		}
		p->keep[s] = true;
	}
	return 0;
}
