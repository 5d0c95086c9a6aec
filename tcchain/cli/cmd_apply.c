// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcchain apply -f FILE [ --dry-run ] [ --skip-missing ] [ dev DEV ]
 *	make the chains equal to FILE (only DEV's with dev; chains of devices
 *	that do not exist yet skipped with --skip-missing: boot, hot-plug)
 * tcchain diff -f FILE [ --skip-missing ] [ dev DEV ]	the plan; exit 1 on drift
 * tcchain rollback [ dev DEV [ DIR ] ]			the previous generation
 *
 * apply reads the whole file, then builds every chain that differs as a
 * new generation in memory (every stage loaded and verified, every rule
 * and map entry written into it) before it changes anything.  Only then
 * does it commit, per chain, the smallest change that is still atomic
 * (doc/generations.md): nothing, one prog-array update (one slot with no
 * rules changes), or the new generation with one filter replace (rules
 * too: a changed rule set switches all at once).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcchain/cli/chainfile.h"

enum action { A_NONE, A_STAGE, A_GEN, A_ADD, A_RECREATE, A_DEL };

static const char *const action_names[] = {
	[A_NONE] = "none", [A_STAGE] = "stage",
	[A_GEN] = "generation", [A_ADD] = "add", [A_RECREATE] = "recreate", [A_DEL] = "del",
};

static const char *const action_text[] = {
	[A_NONE] = "unchanged",
	[A_STAGE] = "one slot changes (one prog-array update)",
	[A_GEN] = "new generation (one filter replace)",
	[A_ADD] = "new chain",
	[A_RECREATE] = "prio or handle changes: deleted and added again",
	[A_DEL] = "not in the file: deleted",
};

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

struct apply_opts {
	const char *file;
	const char *dev;		/* only this device's chains */
	bool dry_run, diff;
	bool skip_missing;		/* chains of absent devices: skipped */
};

static struct plan *plans;
static int n_plans;

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
		if (!w->words[i].text[0])
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

/*
 * Loading the generation's stages is mostly the verifier's time (acl:
 * 30 ms here), one stage per thread on every CPU.  Each thread has its
 * own context (error detail); slots are independent until next[] is
 * rebuilt, which tcc_gen_commit does once more before the commit.
 */
struct load_job {
	struct plan *p;
	__u32 slot;
	struct tcc_ctx *ctx;
	int err;
};

static struct load_job *jobs;
static int n_jobs, next_job;
static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;

static void *load_worker(void *arg)
{
	(void)arg;
	for (;;) {
		struct load_job *j;

		pthread_mutex_lock(&jobs_lock);
		j = next_job < n_jobs ? &jobs[next_job++] : NULL;
		pthread_mutex_unlock(&jobs_lock);
		if (!j)
			return NULL;
		const struct cf_stage *st = &j->p->want->st[j->slot];
		struct tcc_stage_opts so = {
			.file = st->file, .prog = st->prog[0] ? st->prog : NULL,
			.params = st->params, .n_params = st->n_params,
		};

		j->err = j->p->keep[j->slot] ?
			 tcc_gen_keep(j->ctx, j->p->gen, j->p->live, j->slot) :
			 tcc_stage_set(j->ctx, j->p->gen, j->slot, &so);
	}
}

static int load_stages(const struct chainfile *cf, struct plan *p)
{
	const struct cf_chain *w = p->want;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	bool said = false;
	pthread_t th[8];
	int n_th = 0, err = 0;

	jobs = calloc(TCC_MAX_SLOTS, sizeof(*jobs));
	if (!jobs) {
		p_err("out of memory");
		return -1;
	}
	n_jobs = next_job = 0;
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		if (!w->st[s].line)
			continue;
		jobs[n_jobs] = (struct load_job){ .p = p, .slot = s, .ctx = tcc_ctx_new() };
		if (!jobs[n_jobs++].ctx)
			err = -1;
	}
	for (int i = 0; !err && i < ncpu && i < (int)ARRAY_SIZE(th) && i < n_jobs; i++)
		if (!pthread_create(&th[n_th], NULL, load_worker, NULL))
			n_th++;
	if (!err && !n_th)
		load_worker(NULL);
	for (int i = 0; i < n_th; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; !err && i < n_jobs; i++) {
		const struct cf_stage *st = &w->st[jobs[i].slot];
		struct tcc_ctx *mine = ctx;

		if (!jobs[i].err)
			continue;
		/* the error as the CLI says it, with the thread's detail */
		ctx = jobs[i].ctx;
		p_err_where = cf_where(cf, st->line);
		p_fail(jobs[i].err, "cannot set stage %u (%s) on %s %s", jobs[i].slot, st->arg,
		       w->dev, tcc_dir_str(w->dir));
		cli_refused = tcc_ctx_refused(ctx);
		ctx = mine;
		err = -1;
		said = true;
	}
	if (err && !said)
		p_err("out of memory");
	for (int i = 0; i < n_jobs; i++)
		tcc_ctx_free(jobs[i].ctx);
	free(jobs);
	jobs = NULL;
	return err;
}

/* Phase one for a chain of the file: what differs, and the generation. */
static int plan_chain(const struct chainfile *cf, struct plan *p)
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
		char rec[1024];

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

			snprintf(rec, sizeof(rec), "%s", wd->text + strlen("map set "));
			/* "SLOT MAP key ...": the record has no slot */
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

/* ---- the plan, printed --------------------------------------------------------- */

static void plan_line(char sign, const char *line, const char *suffix)
{
	char buf[2048 + 80];

	snprintf(buf, sizeof(buf), "%c %s%s", sign, line, suffix);
	if (json_output)
		out_string(NULL, NULL, buf);
	else
		printf("  %s\n", buf);
}

static void plan_lines(char sign, const char *text, const char *suffix)
{
	char line[2048];

	for (const char *q = text; q && *q; ) {
		const char *eol = strchr(q, '\n');
		int l = eol ? eol - q : (int)strlen(q);

		snprintf(line, sizeof(line), "%.*s", l, q);
		plan_line(sign, line, suffix);
		q += l + (eol ? 1 : 0);
	}
}

/* Lines of a that are not in b. */
static void plan_words(char sign, const char *a, const char *b, const char *suffix)
{
	char line[2048];

	for (const char *q = a; q && *q; ) {
		const char *eol = strchr(q, '\n');
		int l = eol ? eol - q : (int)strlen(q);

		snprintf(line, sizeof(line), "%.*s\n", l, q);
		if (!b || !strstr(b, line) || (strstr(b, line) != b && strstr(b, line)[-1] != '\n')) {
			line[l] = '\0';
			plan_line(sign, line, suffix);
		}
		q += l + (eol ? 1 : 0);
	}
}

static void plan_print(const struct plan *p)
{
	struct tcc_stage_info si;
	char line[2048], suffix[64];
	const struct cf_chain *w = p->want;

	if (p->action == A_NONE)
		return;
	snprintf(suffix, sizeof(suffix), " dev %s %s", p->dev, tcc_dir_str(p->dir));
	out_open_object(NULL);
	out_string("dev", "%s", p->dev);
	out_string("dir", " %s: ", tcc_dir_str(p->dir));
	out_string("action", NULL, action_names[p->action]);
	out_text("%s\n", action_text[p->action]);
	out_open_array("changes");
	if (p->action == A_DEL) {
		plan_line('-', "del", suffix);
		goto out;
	}
	if (p->live && (p->action == A_RECREATE || p->action == A_GEN) &&
	    (p->li.prio != w->prio || p->li.handle != w->handle ||
	     p->li.end_verdict != w->end_verdict || p->li.miss_verdict != w->miss_verdict)) {
		save_add_line(line, sizeof(line), p->dev, p->dir, p->li.prio, p->li.handle,
			      p->li.end_verdict, p->li.miss_verdict);
		plan_line('-', line, "");
	}
	if (!p->live || p->action == A_RECREATE || p->li.end_verdict != w->end_verdict ||
	    p->li.miss_verdict != w->miss_verdict) {
		save_add_line(line, sizeof(line), p->dev, p->dir, w->prio, w->handle,
			      w->end_verdict, w->miss_verdict);
		plan_line('+', line, "");
	}
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		if (p->same[s])
			continue;
		if (p->live && !tcc_stage_info(p->live, s, &si)) {
			save_stage_line(line, sizeof(line), s, si.file, si.prog, si.params);
			plan_line('-', line, suffix);
		}
		if (w->st[s].line) {
			save_stage_line(line, sizeof(line), s, w->st[s].file, w->st[s].prog,
					w->st[s].params_text);
			plan_line('+', line, suffix);
		}
	}
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		if (p->same[s] && p->action != A_RECREATE) {
			plan_words('-', p->live_words[s], p->gen_words[s], suffix);
			plan_words('+', p->gen_words[s], p->live_words[s], suffix);
		} else {
			if (p->live && p->action != A_RECREATE)
				plan_lines('-', p->live_words[s], suffix);
			plan_lines('+', p->gen_words[s], suffix);
		}
	}
out:
	out_close_array();
	out_close_object();
}

/* ---- commit ------------------------------------------------------------------------ */

static int records_write(struct plan *p)
{
	struct tcc_chain *c = tcc_chain_open(ctx, p->ifindex, p->dir);

	if (!c)
		return -errno;
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++)
		if (p->records[s] && *p->records[s])
			tcc_map_record_set(c, s, p->records[s]);
	tcc_chain_close(c);
	return 0;
}

static int plan_commit(struct plan *p)
{
	const struct cf_chain *w = p->want;
	struct tcc_chain_opts o;
	int err = 0;

	switch (p->action) {
	case A_NONE:
		return 0;
	case A_DEL:
		err = tcc_chain_del(ctx, p->ifindex, p->dir);
		break;
	case A_STAGE:
		if (w->st[p->slot].line) {
			const struct cf_stage *st = &w->st[p->slot];
			/* the file is the truth: the new stage has no rules or
			 * entries (else this is a generation), so fresh maps */
			struct tcc_stage_opts so = {
				.file = st->file, .prog = st->prog[0] ? st->prog : NULL,
				.params = st->params, .n_params = st->n_params,
				.fresh_maps = true,
			};

			err = tcc_stage_set(ctx, p->live, p->slot, &so);
		} else {
			err = tcc_stage_del(ctx, p->live, p->slot);
		}
		break;
	case A_RECREATE:
		err = tcc_chain_del(ctx, p->ifindex, p->dir);
		if (err)
			break;
		/* fall through */
	case A_ADD:
		o = (struct tcc_chain_opts){
			.ifindex = p->ifindex, .dir = p->dir, .prio = w->prio, .handle = w->handle,
			.end_verdict = w->end_verdict, .miss_verdict = w->miss_verdict,
		};
		err = tcc_chain_add(ctx, &o);
		if (err)
			break;
		tcc_chain_close(p->live);
		p->live = tcc_chain_open(ctx, p->ifindex, p->dir);
		if (!p->live) {
			err = -errno;
			break;
		}
		/* fall through */
	case A_GEN:
		err = tcc_gen_commit(ctx, p->live, p->gen);
		if (!err)
			records_write(p);
		break;
	}
	if (err)
		p_fail(err, "cannot change the chain on %s %s (%s)", p->dev, tcc_dir_str(p->dir),
		       action_names[p->action]);
	return err ? -1 : 0;
}

/* ---- the command ------------------------------------------------------------------- */

static int live_cb(struct tcc_chain *c, void *arg)
{
	const struct apply_opts *ao = arg;
	struct plan *grown;
	char name[IF_NAMESIZE] = "";

	for (int i = 0; i < n_plans; i++)
		if (plans[i].ifindex == tcc_chain_ifindex(c) && plans[i].dir == tcc_chain_dir(c))
			return 0;
	if_indextoname(tcc_chain_ifindex(c), name);
	if (ao->dev && strcmp(ao->dev, name))
		return 0;
	grown = realloc(plans, (n_plans + 1) * sizeof(*plans));
	if (!grown)
		return -ENOMEM;
	plans = grown;
	memset(&plans[n_plans], 0, sizeof(*plans));
	plans[n_plans].ifindex = tcc_chain_ifindex(c);
	plans[n_plans].dir = tcc_chain_dir(c);
	snprintf(plans[n_plans].dev, sizeof(plans[n_plans].dev), "%s",
		 name[0] ? name : "(gone)");
	plans[n_plans++].action = A_DEL;
	return 0;
}

static void plans_free(void)
{
	for (int i = 0; i < n_plans; i++) {
		tcc_chain_close(plans[i].live);
		tcc_chain_close(plans[i].gen);
		for (int s = 0; s < TCC_MAX_SLOTS; s++) {
			free(plans[i].live_words[s]);
			free(plans[i].gen_words[s]);
			free(plans[i].records[s]);
		}
	}
	free(plans);
	plans = NULL;
	n_plans = 0;
}

static struct chainfile cur_cf;

/* Under the chains' lock; the file was read before it was taken (a
 * `save | apply -f -` pipe: save may need the lock to read rules). */
static int run(int argc, char **argv, const struct apply_opts *ao_in)
{
	struct apply_opts ao = *ao_in;
	struct chainfile cf = cur_cf;
	int err = 0, drift = 0;

	(void)argc; (void)argv;
	memset(&cur_cf, 0, sizeof(cur_cf));
	plans = calloc(cf.n + 1, sizeof(*plans));
	if (!plans) {
		chainfile_free(&cf);
		return -1;
	}
	/* Phase one: every chain of the file resolved, loaded, checked. */
	for (int i = 0; i < cf.n && !err; i++) {
		struct cf_chain *w = &cf.chains[i];
		struct plan *p;

		if (ao.dev && strcmp(ao.dev, w->dev))
			continue;
		if (ao.skip_missing && !if_nametoindex(w->dev)) {
			fprintf(stderr, "Warning: %s: no device '%s' (yet): its chain is skipped\n",
				cf_where(&cf, w->line), w->dev);
			continue;
		}
		p = &plans[n_plans++];
		p->want = w;
		p->dir = w->dir;
		snprintf(p->dev, sizeof(p->dev), "%s", w->dev);
		p->ifindex = if_nametoindex(w->dev);
		if (!p->ifindex) {
			p_err_where = cf_where(&cf, w->line);
			p_err("cannot find device '%s'", w->dev);
			err = -1;
			break;
		}
		err = plan_chain(&cf, p);
	}
	p_err_where = NULL;
	if (!err && tcc_chain_foreach(ctx, live_cb, &ao)) {
		p_err("cannot list the chains");
		err = -1;
	}
	if (err)
		goto out;
	for (int i = 0; i < n_plans; i++)
		drift |= plans[i].action != A_NONE;
	if (ao.dry_run || ao.diff || json_output) {
		out_open_object(NULL);
		out_bool("drift", NULL, drift);
		out_open_array("chains");
		for (int i = 0; i < n_plans; i++)
			plan_print(&plans[i]);
		out_close_array();
		out_close_object();
	}
	if (ao.dry_run || ao.diff)
		goto out;
	/* Phase two: commit, chain by chain. */
	for (int i = 0; i < n_plans && !err; i++)
		err = plan_commit(&plans[i]);
out:
	plans_free();
	chainfile_free(&cf);
	if (!err && ao.diff && drift) {
		cli_refused = false;
		return 1;	/* drift: exit status 1, no error line */
	}
	return err;
}

static struct apply_opts cur;

static int run_cur(int argc, char **argv)
{
	return run(argc, argv, &cur);
}

static int parse(int argc, char **argv, struct apply_opts *ao, bool diff)
{
	bool f = false, dry = false, dev = false, skip = false;

	memset(ao, 0, sizeof(*ao));
	ao->diff = diff;
	while (argc > 0) {
		if (is_kw(*argv, "-f") || is_kw(*argv, "file")) {
			ONCE(f, "-f");
			NEXT_ARG(); REQ_ARGS(1);
			ao->file = *argv;
		} else if (!diff && (is_kw(*argv, "--dry-run") || is_kw(*argv, "dry-run"))) {
			ONCE(dry, "--dry-run");
			ao->dry_run = true;
		} else if (is_kw(*argv, "--skip-missing")) {
			ONCE(skip, "--skip-missing");
			ao->skip_missing = true;
		} else if (is_kw(*argv, "dev")) {
			ONCE(dev, "dev");
			NEXT_ARG(); REQ_ARGS(1);
			ao->dev = *argv;
		} else {
			p_err("%s: unknown keyword '%s'", diff ? "diff" : "apply", *argv);
			return -1;
		}
		NEXT_ARG();
	}
	if (!ao->file) {
		p_err("%s: '-f FILE' is required ('-f -' reads stdin)", diff ? "diff" : "apply");
		return -1;
	}
	return 0;
}

int do_apply(int argc, char **argv)
{
	if (argc == 1 && is_kw(argv[0], "help")) {
		fprintf(stderr,
			"Usage: %s apply -f { FILE | - } [ --dry-run ] [ --skip-missing ] [ dev DEV ]\n"
			"       %s diff -f { FILE | - } [ --skip-missing ] [ dev DEV ]   (exit status 1: the chains differ)\n"
			"       %s save [ --all-namespaces ]\n"
			"       %s rollback [ dev DEV [ ingress | egress ] ]\n"
			"The file is the commands that make the chains, one a line (doc/chain-file.md).\n",
			bin_name, bin_name, bin_name, bin_name);
		return 0;
	}
	if (parse(argc, argv, &cur, false) || chainfile_read(cur.file, &cur_cf))
		return -1;
	return run_locked(run_cur, 0, NULL);
}

int do_diff(int argc, char **argv)
{
	int err;

	if (argc == 1 && is_kw(argv[0], "help"))
		return do_apply(argc, argv);
	if (parse(argc, argv, &cur, true) || chainfile_read(cur.file, &cur_cf))
		return -1;
	err = run_locked(run_cur, 0, NULL);
	return err;
}

int do_rollback(int argc, char **argv)
{
	struct tcc_chain *chain;
	struct target t = {};
	int used, err;

	if (argc == 1 && is_kw(argv[0], "help"))
		return do_apply(argc, argv);
	used = parse_target(argc, argv, &t);
	if (used < 0)
		return -1;
	if (argc > used) {
		p_err("rollback: unknown keyword '%s'", argv[used]);
		return -1;
	}
	chain = target_chain(&t, "roll back");
	if (!chain)
		return -1;
	err = tcc_chain_rollback(ctx, chain);
	if (err)
		p_fail(err, "cannot roll back the chain on %s %s", t.dev ? t.dev : "", tcc_dir_str(t.dir));
	tcc_chain_close(chain);
	return err ? -1 : 0;
}
