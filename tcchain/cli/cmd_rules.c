// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcchain KIND { add | del | show | help }: the rule words of every stage
 * kind that has them (acl, mark, ...).  The words themselves belong to the
 * stage's module (bpf/stages/KIND/KIND.c); this file only finds the chain
 * and the slot, and prints what the module returns.
 *
 *	tcchain acl add [ slot N ] WORDS... [ dev DEV [ DIR ] ]
 *	tcchain acl del [ slot N ] id ID [ dev DEV [ DIR ] ]
 *	tcchain acl show [ slot N ] [ dev DEV [ DIR ] ]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "tcchain/cli/main.h"

static const struct tcc_kind *kind;

static int rules_help(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr,
		"Usage: %s %s add [ slot N ] %s\n"
		"       %s %s del [ slot N ] id ID\n"
		"       %s %s show [ slot N ]\n"
		"       (each takes [ dev DEV [ ingress | egress ] ] at the end)\n%s",
		bin_name, kind->name, kind->rule_usage, bin_name, kind->name,
		bin_name, kind->name, kind->rule_help ? kind->rule_help : "");
	return 0;
}

/* Trailing "dev DEV [DIR]" (or a bare DIR) and a leading "slot N". */
static int rules_args(int *argc, char ***argv, struct target *t, long *slot, const char *what)
{
	enum tcc_dir dir;
	__u32 v;

	*slot = -1;
	for (int i = 0; i < *argc; i++) {
		const char *a = (*argv)[i];

		if (is_kw(a, "dev") || !tcc_dir_parse(a, &dir)) {
			int used = parse_target(*argc - i, *argv + i, t);

			if (used < 0)
				return -1;
			if (i + used != *argc) {
				p_err("%s: unexpected '%s' after the device", what, (*argv)[i + used]);
				return -1;
			}
			*argc = i;
			break;
		}
	}
	if (*argc >= 1 && is_kw((*argv)[0], "slot")) {
		if (*argc < 2) {
			p_err("%s: 'slot' needs a number", what);
			return -1;
		}
		if (parse_u32((*argv)[1], "slot", 0, TCC_MAX_SLOTS - 1, &v))
			return -1;
		*slot = v;
		*argc -= 2;
		*argv += 2;
	}
	return 0;
}

static struct tcc_chain *rules_target(int *argc, char ***argv, long *slot, const char *what)
{
	struct target t = {};

	if (rules_args(argc, argv, &t, slot, what))
		return NULL;
	return target_chain(&t, what);
}

static void print_fields(const struct tcc_rule *r);

/* Text: "rule id N".  -j: the rule as show prints it, with its chain. */
static void print_added(const struct tcc_chain *chain, __u32 slot, __u32 id)
{
	struct tcc_rule *rules = NULL;
	int n = 0;

	out_open_object(NULL);
	if (json_output) {
		out_chain_id(chain, NULL);
		out_uint("slot", NULL, slot);
	}
	out_uint("id", "rule id %llu\n", id);
	if (json_output && !kind->rule_list(ctx, chain, slot, &rules, &n)) {
		for (int i = 0; i < n; i++) {
			if (rules[i].id != id)
				continue;
			out_string("words", NULL, rules[i].words);
			print_fields(&rules[i]);
			out_uint("hits", NULL, rules[i].hits);
		}
	}
	free(rules);
	out_close_object();
}

static int rules_add(int argc, char **argv)
{
	struct tcc_chain *chain;
	char what[64];
	__u32 slot, id = 0;
	long want;
	int err;

	snprintf(what, sizeof(what), "add %s rule", kind->name);
	chain = rules_target(&argc, &argv, &want, what);
	if (!chain)
		return -1;
	err = tcc_kind_slot(ctx, chain, kind, want, &slot);
	if (!err)
		err = kind->rule_add(ctx, chain, slot, argc, argv, &id);
	if (err) {
		p_fail(err, "cannot %s", what);
	} else {
		print_added(chain, slot, id);
	}
	tcc_chain_close(chain);
	return err ? -1 : 0;
}

static int rules_del(int argc, char **argv)
{
	struct tcc_chain *chain;
	char what[64];
	__u32 slot, id;
	long want;
	int err = -1;

	snprintf(what, sizeof(what), "delete %s rule", kind->name);
	chain = rules_target(&argc, &argv, &want, what);
	if (!chain)
		return -1;
	if (argc != 2 || !is_kw(argv[0], "id")) {
		p_err("%s del: 'id ID' is required, and nothing else", kind->name);
		goto out;
	}
	if (parse_u32(argv[1], "rule id", 1, 0xffff, &id))
		goto out;
	err = tcc_kind_slot(ctx, chain, kind, want, &slot);
	if (!err)
		err = kind->rule_del(ctx, chain, slot, id);
	if (err)
		p_fail(err, "cannot %s %u", what, id);
out:
	tcc_chain_close(chain);
	return err ? -1 : 0;
}

static void print_fields(const struct tcc_rule *r)
{
	if (!json_output)
		return;
	for (int i = 0; i < r->n_fields; i++) {
		const struct tcc_rule_field *f = &r->f[i];

		if (f->is_num)
			out_uint(f->key, NULL, f->num);
		else if (f->str)
			out_string(f->key, NULL, f->str);
		else
			out_null(f->key);
	}
}

struct show_args {
	long want;
	int err;		/* why the last chain had nothing to show */
};

static int show_cb(struct tcc_chain *chain, void *arg)
{
	struct show_args *a = arg;
	struct tcc_rule *rules = NULL, def;
	__u32 slot;
	int n = 0, err;

	err = tcc_kind_slot(ctx, chain, kind, a->want, &slot);
	if (err == -ENOENT) {
		a->err = err;
		return 0;	/* no such stage on this chain: another may have one */
	}
	if (!err)
		err = kind->rule_list(ctx, chain, slot, &rules, &n);
	if (!err && kind->rule_default)
		err = kind->rule_default(ctx, chain, slot, &def);
	if (err) {
		free(rules);
		p_fail(err, "cannot show %s rules", kind->name);
		return -ECANCELED;
	}
	out_open_object(NULL);
	out_chain_id(chain, " %s: ");
	out_text("%s in slot ", kind->name);
	out_uint("slot", "%llu", slot);
	if (kind->rule_default) {
		out_string("default", ", default %s", def.words);
		out_uint("default_hits", " (%llu packets)", def.hits);
	}
	out_text("\n");
	out_open_array("rules");
	for (int i = 0; i < n; i++) {
		out_open_object(NULL);
		out_uint("id", "  id %4llu:", rules[i].id);
		out_string("words", " %s", rules[i].words);
		print_fields(&rules[i]);
		out_uint("hits", "  (%llu packets)\n", rules[i].hits);
		out_close_object();
	}
	out_close_array();
	out_close_object();
	free(rules);
	return 1;
}

/* Every chain the target names (all of them by default), labelled. */
static int rules_show(int argc, char **argv)
{
	struct show_args a = {};
	struct target t = {};
	char what[64];
	int shown;

	snprintf(what, sizeof(what), "show %s rules", kind->name);
	if (rules_args(&argc, &argv, &t, &a.want, what))
		return -1;
	if (argc > 0) {
		p_err("%s show: unknown keyword '%s'", kind->name, argv[0]);
		return -1;
	}
	shown = foreach_target_chain(&t, what, show_cb, &a);
	if (shown == 0)
		p_fail(a.err, "cannot %s", what);
	return shown > 0 ? 0 : -1;
}

/* Rule edits read, change and write whole lists: one writer at a time. */
static int rules_add_locked(int argc, char **argv)
{
	return run_locked(rules_add, argc, argv);
}

static int rules_del_locked(int argc, char **argv)
{
	return run_locked(rules_del, argc, argv);
}

bool is_rules_object(const char *word)
{
	const struct tcc_kind *k = tcc_kind_find(word);

	return k && k->rule_add;
}

int do_rules(const char *object, int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "add",  rules_add_locked },
		{ "del",  rules_del_locked },
		{ "show", rules_show },
		{ "list", rules_show },
		{ "help", rules_help },
		{ 0 }
	};

	kind = tcc_kind_find(object);
	return cmd_select(cmds, argc, argv, rules_help);
}
