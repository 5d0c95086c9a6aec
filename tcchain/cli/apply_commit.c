// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* apply, phase two: a chain's plan committed (doc/generations.md). */
#include <errno.h>

#include "tcchain/cli/apply.h"

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

int plan_commit(struct plan *p)
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
