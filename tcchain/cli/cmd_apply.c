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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcchain/cli/apply.h"

struct apply_opts {
	const char *file;
	const char *dev;		/* only this device's chains */
	bool dry_run, diff;
	bool skip_missing;		/* chains of absent devices: skipped */
};

static struct plan *plans;
static int n_plans;

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
	int err;

	if (argc == 1 && is_kw(argv[0], "help"))
		return do_apply(argc, argv);
	if (parse_target_all(argc, argv, &t, "rollback"))
		return -1;
	chain = target_chain(&t, "roll back");
	if (!chain)
		return -1;
	err = tcc_chain_rollback(ctx, chain);
	if (err)
		p_fail(err, "cannot roll back the chain on %s %s", t.dev ? t.dev : "", tcc_dir_str(t.dir));
	tcc_chain_close(chain);
	return err ? -1 : 0;
}
