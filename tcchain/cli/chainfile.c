// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Reading a chain file (doc/chain-file.md): the CLI's own commands, one a
 * line, '#' to the end of the line a comment, as `ip -batch` and `nft -f`
 * read theirs.  Only the commands that describe a chain are allowed:
 *
 *	add dev DEV DIR [ prio N ] [ handle H ] [ end V ] [ miss V ]
 *	stage set SLOT STAGE [ prog P ] [ param A=B ... ] [ dev DEV DIR ]
 *	KIND add [ slot N ] WORDS... [ dev DEV DIR ]	(acl, mark, ...)
 *	map set SLOT MAP key ... value ... [ dev DEV DIR ]
 *
 * The whole file is read and checked before anything is looked up in the
 * kernel; every error names FILE:LINE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pkt_cls.h>

#include "tcchain/cli/chainfile.h"

const char *cf_where(const struct chainfile *cf, int line)
{
	static char buf[PATH_MAX + 16];

	snprintf(buf, sizeof(buf), "%s:%d", strcmp(cf->name, "-") ? cf->name : "<stdin>", line);
	return buf;
}

static int read_all(const char *name, char **out)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	size_t cap = 4096, len = 0, n;
	char *buf;

	if (!f) {
		p_err("cannot read %s: %s", name, strerror(errno));
		return -1;
	}
	buf = malloc(cap);
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			char *grown = realloc(buf, cap *= 2);

			if (!grown) {
				free(buf);
				buf = NULL;
			}
			buf = grown;
		}
	}
	if (f != stdin)
		fclose(f);
	if (!buf) {
		p_err("out of memory");
		return -1;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* The chain a line names with its trailing "dev DEV DIR", or the file's
 * only chain when it names none. */
static struct cf_chain *line_chain(struct chainfile *cf, int *argc, char **argv)
{
	const char *dev = NULL;
	enum tcc_dir dir;
	bool has_dir = false;

	for (int i = 0; i < *argc; i++) {
		if (!is_kw(argv[i], "dev"))
			continue;
		if (i + 1 >= *argc) {
			p_err("'dev' needs a device name");
			return NULL;
		}
		dev = argv[i + 1];
		if (i + 2 < *argc && !tcc_dir_parse(argv[i + 2], &dir))
			has_dir = true;
		if (i + 2 + has_dir != *argc) {
			p_err("unexpected '%s' after the device", argv[i + 2 + has_dir]);
			return NULL;
		}
		*argc = i;
		break;
	}
	struct cf_chain *found = NULL;
	int n = 0;

	for (int i = 0; i < cf->n; i++) {
		if (dev && strcmp(cf->chains[i].dev, dev))
			continue;
		if (has_dir && cf->chains[i].dir != dir)
			continue;
		found = &cf->chains[i];
		n++;
	}
	if (n == 1)
		return found;
	if (n == 0 && dev)
		p_err("no chain on %s%s%s in the file above this line (an 'add dev %s ...' line first)",
		      dev, has_dir ? " " : "", has_dir ? tcc_dir_str(dir) : "", dev);
	else if (n == 0)
		p_err("no chain in the file above this line (an 'add dev DEV DIR' line first)");
	else
		p_err("the file has %d chains: say which with dev DEV ingress|egress", n);
	return NULL;
}

static int parse_add(struct chainfile *cf, int line, int argc, char **argv)
{
	bool prio = false, handle = false, end = false, miss = false;
	struct cf_chain *c, *grown;
	__u32 v;

	if (argc < 2 || !is_kw(argv[0], "dev")) {
		p_err("add: 'dev DEV ingress|egress' is required");
		return -1;
	}
	if (argc < 3) {
		p_err("add: the direction is required (ingress or egress)");
		return -1;
	}
	grown = realloc(cf->chains, (cf->n + 1) * sizeof(*c));
	if (!grown)
		return -1;
	cf->chains = grown;
	c = &cf->chains[cf->n];
	memset(c, 0, sizeof(*c));
	c->line = line;
	c->end_verdict = c->miss_verdict = TC_ACT_OK;
	if (strlen(argv[1]) >= sizeof(c->dev)) {
		p_err("invalid device name '%s'", argv[1]);
		return -1;
	}
	strcpy(c->dev, argv[1]);
	if (tcc_dir_parse(argv[2], &c->dir)) {
		p_err("add: invalid direction '%s' (ingress or egress)", argv[2]);
		return -1;
	}
	for (int i = 0; i < cf->n; i++) {
		if (!strcmp(cf->chains[i].dev, c->dev) && cf->chains[i].dir == c->dir) {
			p_err("a second chain on %s %s (the first is on line %d)", c->dev,
			      tcc_dir_str(c->dir), cf->chains[i].line);
			return -1;
		}
	}
	argc -= 3;
	argv += 3;
	while (argc > 0) {
		if (argc < 2) {
			p_err("'%s' needs an argument", argv[0]);
			return -1;
		}
		if (is_kw(argv[0], "prio")) {
			ONCE(prio, "prio");
			if (parse_u32(argv[1], "prio", 1, 0xffff, &v))
				return -1;
			c->prio = v;
		} else if (is_kw(argv[0], "handle")) {
			ONCE(handle, "handle");
			if (parse_u32(argv[1], "handle", 1, 0xffffffff, &v))
				return -1;
			c->handle = v;
		} else if (is_kw(argv[0], "end") || is_kw(argv[0], "miss")) {
			bool is_end = is_kw(argv[0], "end");

			if (is_end)
				ONCE(end, "end");
			else
				ONCE(miss, "miss");
			if (tcc_verdict_parse(argv[1], is_end ? &c->end_verdict : &c->miss_verdict)) {
				p_err("invalid %s verdict '%s' (pass, drop or continue)", argv[0],
				      argv[1]);
				return -1;
			}
		} else {
			p_err("add: unknown keyword '%s'", argv[0]);
			return -1;
		}
		argc -= 2;
		argv += 2;
	}
	c->prio = c->prio ?: TCC_DEFAULT_PRIO;
	c->handle = c->handle ?: TCC_DEFAULT_HANDLE;
	cf->n++;
	return 0;
}

static int parse_stage(struct chainfile *cf, int line, int argc, char **argv)
{
	struct cf_chain *c;
	struct cf_stage *st;
	bool prog = false;
	size_t used = 0;
	__u32 slot;
	int err;

	if (argc < 1 || !is_kw(argv[0], "set")) {
		p_err("only 'stage set' belongs in a chain file");
		return -1;
	}
	argc--, argv++;
	c = line_chain(cf, &argc, argv);
	if (!c)
		return -1;
	if (argc < 2) {
		p_err("stage set: SLOT and STAGE are required");
		return -1;
	}
	if (parse_u32(argv[0], "slot", 0, TCC_MAX_SLOTS - 1, &slot))
		return -1;
	st = &c->st[slot];
	if (st->line) {
		p_err("slot %u is set twice (first on line %d)", slot, st->line);
		return -1;
	}
	st->line = line;
	snprintf(st->arg, sizeof(st->arg), "%s", argv[1]);
	for (int i = 2; i < argc; i++) {
		if (is_kw(argv[i], "prog")) {
			ONCE(prog, "prog");
			if (i + 1 >= argc) {
				p_err("'prog' needs an argument");
				return -1;
			}
			snprintf(st->prog, sizeof(st->prog), "%s", argv[++i]);
		} else if (is_kw(argv[i], "param")) {
			if (i + 1 >= argc || !strchr(argv[i + 1], '=')) {
				p_err("stage set: 'param' needs NAME=VALUE");
				return -1;
			}
			while (i + 1 < argc && strchr(argv[i + 1], '=')) {
				char *w = argv[++i], *eq = strchr(w, '=');

				if (st->n_params == TCC_MAX_PARAMS) {
					p_err("stage set: more than %d params", TCC_MAX_PARAMS);
					return -1;
				}
				if (eq == w) {
					p_err("stage set: param '%s' has no name", w);
					return -1;
				}
				used += snprintf(st->params_text + used,
						 used < sizeof(st->params_text) ?
						 sizeof(st->params_text) - used : 0,
						 "%s%s", used ? " " : "", w);
				*eq = '\0';
				st->params[st->n_params].name = w;
				st->params[st->n_params++].value = eq + 1;
			}
		} else {
			p_err("stage set: unknown keyword '%s'", argv[i]);
			return -1;
		}
	}
	st->by_name = !tcc_stage_is_path(st->arg);
	err = tcc_stage_find(st->arg, st->file, sizeof(st->file));
	if (err == -ENOENT) {
		p_err("no stage '%s' in the stage library (looked in %s)", st->arg, st->file);
		return -1;
	}
	if (err) {
		p_err("stage %s: %s", st->arg, strerror(-err));
		return -1;
	}
	char *abs = realpath(st->file, NULL);

	if (!abs) {
		p_err("stage %s: %s", st->file, strerror(errno));
		return -1;
	}
	snprintf(st->file, sizeof(st->file), "%s", abs);
	free(abs);
	return 0;
}

/* head and the words, space-joined, in a new string; NULL after p_err(). */
static char *join(const char *head, int argc, char **argv)
{
	size_t len = strlen(head) + 1, used;
	char *buf;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	buf = malloc(len);
	if (!buf) {
		p_err("out of memory");
		return NULL;
	}
	used = snprintf(buf, len, "%s", head);
	for (int i = 0; i < argc; i++)
		used += snprintf(buf + used, len - used, " %s", argv[i]);
	return buf;
}

static struct cf_words *new_words(struct cf_chain *c, int line)
{
	struct cf_words *grown = realloc(c->words, (c->n_words + 1) * sizeof(*grown));

	if (!grown)
		return NULL;
	c->words = grown;
	memset(&grown[c->n_words], 0, sizeof(*grown));
	grown[c->n_words].line = line;
	grown[c->n_words].slot = -1;
	return &grown[c->n_words++];
}

static int parse_rule(struct chainfile *cf, int line, const struct tcc_kind *kind,
		      int argc, char **argv)
{
	struct cf_chain *c;
	struct cf_words *w;
	char head[64];
	__u32 v;

	if (argc < 1 || !is_kw(argv[0], "add")) {
		p_err("only '%s add' belongs in a chain file", kind->name);
		return -1;
	}
	argc--, argv++;
	c = line_chain(cf, &argc, argv);
	if (!c)
		return -1;
	w = new_words(c, line);
	if (!w)
		return -1;
	w->kind = kind;
	if (argc >= 1 && is_kw(argv[0], "slot")) {
		if (argc < 2) {
			p_err("'slot' needs a number");
			return -1;
		}
		if (parse_u32(argv[1], "slot", 0, TCC_MAX_SLOTS - 1, &v))
			return -1;
		w->slot = v;
		argc -= 2, argv += 2;
		snprintf(head, sizeof(head), "%s add slot %u", kind->name, v);
		w->text = join(head, argc, argv);
		if (!w->text)
			return -1;
	}
	w->argc = argc;
	w->argv = argv;
	return 0;
}

static int parse_map(struct chainfile *cf, int line, int argc, char **argv)
{
	struct cf_chain *c;
	struct cf_words *w;
	char head[64];
	__u32 slot;

	if (argc < 1 || !is_kw(argv[0], "set")) {
		p_err("only 'map set' belongs in a chain file");
		return -1;
	}
	argc--, argv++;
	c = line_chain(cf, &argc, argv);
	if (!c)
		return -1;
	if (argc < 3) {
		p_err("map set: SLOT MAP key ... value ... is required");
		return -1;
	}
	if (parse_u32(argv[0], "slot", 0, TCC_MAX_SLOTS - 1, &slot))
		return -1;
	if (!is_kw(argv[2], "key")) {
		p_err("map set: 'key FIELD=VALUE...' is required");
		return -1;
	}
	w = new_words(c, line);
	if (!w)
		return -1;
	w->is_map = true;
	w->slot = slot;
	w->map = argv[1];
	w->argc = argc - 2;
	w->argv = argv + 2;
	snprintf(head, sizeof(head), "map set %u %s", slot, argv[1]);
	w->text = join(head, w->argc, w->argv);
	return w->text ? 0 : -1;
}

static int parse_line(struct chainfile *cf, int line, int argc, char **argv)
{
	const struct tcc_kind *kind = tcc_kind_find(argv[0]);

	if (is_kw(argv[0], "add"))
		return parse_add(cf, line, argc - 1, argv + 1);
	if (is_kw(argv[0], "stage"))
		return parse_stage(cf, line, argc - 1, argv + 1);
	if (is_kw(argv[0], "map"))
		return parse_map(cf, line, argc - 1, argv + 1);
	if (kind && kind->rule_add)
		return parse_rule(cf, line, kind, argc - 1, argv + 1);
	p_err("'%s' does not belong in a chain file (add, stage set, map set, or a stage's rules such as acl add)",
	      argv[0]);
	return -1;
}

int chainfile_read(const char *name, struct chainfile *cf)
{
	size_t ntok = 0, cap;
	int line = 0, err = 0;
	char *p;

	memset(cf, 0, sizeof(*cf));
	cf->name = name;
	if (read_all(name, &cf->buf))
		return -1;
	/* At most one token per two bytes: allocated once, so the argv of
	 * every line can point into it. */
	cap = strlen(cf->buf) / 2 + 2;
	cf->tokens = calloc(cap, sizeof(char *));
	if (!cf->tokens) {
		p_err("out of memory");
		return -1;
	}
	p = cf->buf;
	while (*p && !err) {
		char *eol = strchr(p, '\n'), *hash;
		size_t first = ntok;

		line++;
		if (eol)
			*eol = '\0';
		hash = strchr(p, '#');
		if (hash)
			*hash = '\0';
		for (char *save = NULL, *t = strtok_r(p, " \t\r", &save); t;
		     t = strtok_r(NULL, " \t\r", &save)) {
			cf->tokens[ntok++] = t;
		}
		if (ntok > first) {
			p_err_where = cf_where(cf, line);
			err = parse_line(cf, line, ntok - first, cf->tokens + first);
			p_err_where = NULL;
		}
		p = eol ? eol + 1 : p + strlen(p);
	}
	return err ? -1 : 0;
}

void chainfile_free(struct chainfile *cf)
{
	for (int i = 0; i < cf->n; i++) {
		for (int k = 0; k < cf->chains[i].n_words; k++)
			free(cf->chains[i].words[k].text);
		free(cf->chains[i].words);
	}
	free(cf->chains);
	free(cf->tokens);
	free(cf->buf);
	memset(cf, 0, sizeof(*cf));
}
