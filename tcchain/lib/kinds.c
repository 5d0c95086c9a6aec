// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The registry of stage kinds, as tc registers its q_/f_/m_ kinds: one
 * line per shipped stage with words of its own.  A module lives in
 * bpf/stages/NAME/ (NAME.bpf.c, NAME.h, NAME.c) and defines
 * `const struct tcc_kind tcc_kind_NAME`; adding one touches that
 * directory and one line below, nothing else.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcchain/lib/internal.h"

#define TCC_KINDS(X)	\
	X(acl)		\
	X(mark)		\
	X(ratelimit)

#define KIND_DECLARE(name)	extern const struct tcc_kind tcc_kind_##name;
#define KIND_ENTRY(name)	&tcc_kind_##name,

TCC_KINDS(KIND_DECLARE)

static const struct tcc_kind *const kinds[] = {
	TCC_KINDS(KIND_ENTRY)
	NULL
};

const struct tcc_kind *const *tcc_kinds(void)
{
	return kinds;
}

const struct tcc_kind *tcc_kind_find(const char *name)
{
	for (size_t i = 0; kinds[i]; i++)
		if (!strcmp(kinds[i]->name, name))
			return kinds[i];
	return NULL;
}

const struct tcc_kind *tcc_kind_of(const struct tcc_chain *chain, __u32 slot)
{
	struct tcc_stage_info si;

	/* A foreign program called like a shipped stage is not that stage. */
	if (tcc_stage_info(chain, slot, &si) || (si.flags & TCC_STAGE_F_FOREIGN))
		return NULL;
	return tcc_kind_find(si.prog);
}

int tcc_kind_slot(struct tcc_ctx *ctx, const struct tcc_chain *chain,
		  const struct tcc_kind *kind, long want, __u32 *slot)
{
	int n = 0;

	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		if (tcc_kind_of(chain, s) != kind)
			continue;
		if (want >= 0 && (__u32)want != s)
			continue;
		*slot = s;
		n++;
	}
	if (n == 1)
		return 0;
	if (n == 0 && want >= 0)
		return tcc__fail(ctx, -ENOENT, "slot %ld does not hold the %s stage",
				 want, kind->name);
	if (n == 0)
		return tcc__fail(ctx, -ENOENT, "no %s stage in the chain (tcchain stage set N %s)",
				 kind->name, kind->name);
	return tcc__fail(ctx, -E2BIG, "%d %s stages in the chain: say which with 'slot N'",
			 n, kind->name);
}

/* ---- building a rule's words and fields -------------------------------------- */

static const char *rule_keep(struct tcc_rule *r, const char *text)
{
	size_t used = 0, len = strlen(text) + 1;

	for (int i = 0; i < r->n_fields; i++)
		if (r->f[i].str)
			used = r->f[i].str + strlen(r->f[i].str) + 1 - r->buf;
	if (used + len > sizeof(r->buf))
		return "";
	memcpy(r->buf + used, text, len);
	return r->buf + used;
}

static void rule_words(struct tcc_rule *r, const char *fmt, ...)
{
	size_t used = strlen(r->words);
	va_list ap;

	if (!fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(r->words + used, sizeof(r->words) - used, fmt, ap);
	va_end(ap);
}

static struct tcc_rule_field *rule_field(struct tcc_rule *r, const char *key)
{
	if (r->n_fields == TCC_RULE_FIELDS)
		return NULL;
	r->f[r->n_fields] = (struct tcc_rule_field){ .key = key };
	return &r->f[r->n_fields++];
}

void tcc_rule_str(struct tcc_rule *r, const char *key, const char *words_fmt,
		  const char *text)
{
	struct tcc_rule_field *f;

	rule_words(r, words_fmt, text);
	f = key ? rule_field(r, key) : NULL;
	if (f)
		f->str = rule_keep(r, text);
}

void tcc_rule_num(struct tcc_rule *r, const char *key, const char *words_fmt, __u64 v)
{
	struct tcc_rule_field *f;

	rule_words(r, words_fmt, (unsigned long long)v);
	f = key ? rule_field(r, key) : NULL;
	if (f) {
		f->num = v;
		f->is_num = true;
	}
}

void tcc_rule_null(struct tcc_rule *r, const char *key)
{
	rule_field(r, key);
}

/* ---- save ------------------------------------------------------------------- */

int tcc_stage_save_words(struct tcc_ctx *ctx, struct tcc_chain *chain, __u32 slot, FILE *out)
{
	const struct tcc_kind *kind = tcc_kind_of(chain, slot);
	struct tcc_rule *rules = NULL;
	int n = 0, err;

	if (!kind || !kind->rule_list)
		return 0;
	err = kind->rule_list(ctx, chain, slot, &rules, &n);
	for (int i = 0; !err && i < n; i++)
		if (fprintf(out, "%s add slot %u id %u %s\n", kind->name, slot,
			    rules[i].id, rules[i].words) < 0)
			err = -EIO;
	free(rules);
	return err;
}
