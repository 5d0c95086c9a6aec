// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* apply: the generation's stages, loaded in parallel. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "tcchain/cli/apply.h"

/*
 * Loading the generation's stages is mostly the verifier's time (acl:
 * 30 ms here), one stage per thread on every CPU.  Each thread has its
 * own context (error detail).  Each stage set writes its slot's indices of
 * the generation's prog array under the library's table lock
 * (tcchain/lib/dispatch.c), and tcc_gen_commit rewrites the whole table
 * once more before the commit.
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

int load_stages(const struct chainfile *cf, struct plan *p)
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
