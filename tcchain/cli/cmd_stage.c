// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tcchain stage set | del | show (stage info: cmd_stage_info.c) */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include "tcchain/cli/main.h"

static int do_stage_help(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr,
		"Usage: %s stage set SLOT { FILE | NAME } [ prog PROG ] [ dev DEV [ ingress | egress ] ]\n"
		"                    [ param NAME=VALUE ... ] [ maps fresh ]\n"
		"       %s stage del SLOT [ dev DEV [ ingress | egress ] ]\n"
		"       %s stage show [ dev DEV [ ingress | egress ] ]\n"
		"       %s stage info SLOT [ dev DEV [ ingress | egress ] ]\n"
		"       %s stage info { FILE | NAME } [ prog PROG ] [ check ]\n"
		"SLOT := 0..%d; stages run in slot order, empty slots cost nothing.\n"
		"NAME is a stage of the installed library (parse, acl, ratelimit, mark, count).\n"
		"FILE is an object (.o) or C source (.c), which is compiled with\n"
		"clang -O2 -g -target bpf into /var/cache/tcchain first.  A tc program\n"
		"not built with TCC_STAGE is a foreign, terminal stage: last used slot only.\n"
		"info: everything known about the stage in SLOT (program, maps, counters);\n"
		"of FILE or NAME: its programs, params, maps and ABI before it is loaded,\n"
		"and with check, the verifier's verdict (no chain is touched).\n"
		"dev and direction may be left out when the namespace has one chain.\n",
		bin_name, bin_name, bin_name, bin_name, bin_name, TCC_MAX_SLOTS - 1);
	return 0;
}

static int parse_slot(const char *arg, __u32 *slot)
{
	return parse_u32(arg, "slot", 0, TCC_MAX_SLOTS - 1, slot);
}

static const char *where(const struct target *t, char *buf, size_t len)
{
	char name[IF_NAMESIZE] = "?";

	snprintf(buf, len, "%s %s", t->dev ? t->dev : if_indextoname(t->ifindex, name) ?: "?",
		 tcc_dir_str(t->dir));
	return buf;
}

static int do_stage_set(int argc, char **argv)
{
	struct tcc_param params[TCC_MAX_PARAMS];
	struct tcc_stage_opts opts = { .params = params };
	char file[PATH_MAX], at[64];
	struct tcc_chain *chain;
	struct target t = {};
	const char *stage;
	bool prog = false;
	__u32 slot;
	int used, err;

	if (argc < 2) {
		p_err("stage set: SLOT and FILE are required");
		return -1;
	}
	if (parse_slot(argv[0], &slot))
		return -1;
	stage = argv[1];
	argc -= 2;
	argv += 2;
	while (argc > 0) {
		if (is_kw(*argv, "maps")) {
			ONCE(opts.fresh_maps, "maps");
			NEXT_ARG();
			if (argc < 1 || !is_kw(*argv, "fresh")) {
				p_err("stage set: 'maps' takes 'fresh' (new, empty maps for the stage)");
				return -1;
			}
			NEXT_ARG();
			continue;
		}
		if (is_kw(*argv, "prog")) {
			ONCE(prog, "prog");
			NEXT_ARG(); REQ_ARGS(1);
			opts.prog = *argv;
			NEXT_ARG();
		} else if (is_kw(*argv, "param")) {
			NEXT_ARG();
			if (argc < 1 || !strchr(*argv, '=')) {
				p_err("stage set: 'param' needs NAME=VALUE");
				return -1;
			}
			/* param a=1 b=2 ...: every NAME=VALUE up to the next keyword */
			while (argc > 0 && strchr(*argv, '=')) {
				char *eq = strchr(*argv, '=');

				if (opts.n_params == TCC_MAX_PARAMS) {
					p_err("stage set: more than %d params", TCC_MAX_PARAMS);
					return -1;
				}
				if (eq == *argv) {
					p_err("stage set: param '%s' has no name", *argv);
					return -1;
				}
				*eq = '\0';
				params[opts.n_params].name = *argv;
				params[opts.n_params].value = eq + 1;
				opts.n_params++;
				NEXT_ARG();
			}
		} else if (is_kw(*argv, "dev") || !tcc_dir_parse(*argv, &t.dir)) {
			used = parse_target(argc, argv, &t);
			if (used < 0)
				return -1;
			argc -= used;
			argv += used;
		} else {
			p_err("stage set: unknown keyword '%s'", *argv);
			return -1;
		}
	}

	err = tcc_stage_find(stage, file, sizeof(file));
	if (err == -ENOENT) {
		p_err("cannot set stage %u: no stage '%s' in the stage library (looked in %s; "
		      "a file in this directory is ./%s)", slot, stage, file, stage);
		return -1;
	} else if (err) {
		p_err("cannot set stage %u: %s: %s", slot, stage, strerror(-err));
		return -1;
	}
	opts.file = file;
	chain = target_chain(&t, "set stage");
	if (!chain)
		return -1;
	err = tcc_stage_set(ctx, chain, slot, &opts);
	if (err) {
		p_fail(err, "cannot set stage %u (%s) on %s", slot, stage, where(&t, at, sizeof(at)));
	} else if (json_output) {
		struct tcc_stage_info si;

		/* -j: the stage as stage show prints it, with its chain. */
		if (!tcc_stage_info(chain, slot, &si)) {
			out_open_object(NULL);
			out_chain_id(chain, NULL);
			print_stage(&si);
			out_close_object();
		}
	}
	tcc_chain_close(chain);
	return err ? -1 : 0;
}

static int do_stage_del(int argc, char **argv)
{
	struct tcc_chain *chain;
	struct target t = {};
	char at[64];
	__u32 slot;
	int err;

	if (argc < 1) {
		p_err("stage del: SLOT is required");
		return -1;
	}
	if (parse_slot(argv[0], &slot))
		return -1;
	if (parse_target_all(argc - 1, argv + 1, &t, "stage del"))
		return -1;
	chain = target_chain(&t, "delete stage");
	if (!chain)
		return -1;
	err = tcc_stage_del(ctx, chain, slot);
	if (err)
		p_fail(err, "cannot delete stage %u on %s", slot, where(&t, at, sizeof(at)));
	tcc_chain_close(chain);
	return err ? -1 : 0;
}

/* Each chain, labelled, as stats shows them. */
static int stage_show_cb(struct tcc_chain *c, void *arg)
{
	(void)arg;
	out_open_object(NULL);
	out_chain_id(c, " %s:");
	out_text("\n");
	print_stages(c);
	out_close_object();
	return 1;
}

static int do_stage_show(int argc, char **argv)
{
	struct target t = {};

	if (parse_target_all(argc, argv, &t, "stage show"))
		return -1;
	return foreach_target_chain(&t, "show stages", stage_show_cb, NULL) < 0 ? -1 : 0;
}

int do_stage(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "set",  do_stage_set },
		{ "del",  do_stage_del },
		{ "show", do_stage_show },
		{ "list", do_stage_show },
		{ "info", do_stage_info },
		{ "help", do_stage_help },
		{ 0 }
	};

	return cmd_select(cmds, argc, argv, do_stage_help);
}
