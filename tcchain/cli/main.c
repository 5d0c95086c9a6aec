// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tcchain: compose tc packet processing from small BPF stages. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcchain/cli/main.h"

#ifndef TCC_VERSION
#define TCC_VERSION "0.1.0"
#endif

struct tcc_ctx *ctx;
const char *bin_name = "tcchain";

int do_help(int argc, char **argv)
{
	(void)argc; (void)argv;
	if (json_output) {
		out_null(NULL);
		return 0;
	}
	fprintf(stderr,
		"Usage: %s [OPTIONS] OBJECT { COMMAND | help }\n"
		"       %s add dev DEV { ingress | egress } [ prio N ] [ handle H ]\n"
		"                  [ end { pass | drop | continue } ] [ miss { pass | drop | continue } ]\n"
		"       %s del dev DEV { ingress | egress }\n"
		"       %s show [ dev DEV [ ingress | egress ] ]\n"
		"       %s prune   (remove chains whose device or filter is gone)\n"
		"       %s stage { set | del | show | help } ...\n"
		"       %s stats [ dev DEV [ ingress | egress ] ]\n"
		"       %s map { show | set | del | help } SLOT ...   (a stage's own maps)\n",
		bin_name, bin_name, bin_name, bin_name, bin_name, bin_name, bin_name, bin_name);
	for (const struct tcc_kind *const *k = tcc_kinds(); *k; k++)
		if ((*k)->rule_add)
			fprintf(stderr, "       %s %-9s { add | del | show | help } ...  (the %s stage's rules)\n",
				bin_name, (*k)->name, (*k)->name);
	fprintf(stderr,
		"OPTIONS := { -n NETNS | -j | -p | -d | -V }\n"
		"       -n NETNS  act in network namespace NETNS (name under /run/netns, or a path)\n"
		"       -j        JSON output;  -p  pretty JSON\n"
		"       -d        debug: the whole verifier log on a failed load\n"
		"       -V        version\n");
	return 0;
}

int cmd_select(const struct cmd *cmds, int argc, char **argv, int (*help)(int, char **))
{
	if (argc < 1 && help)
		return help(argc, argv);
	for (const struct cmd *c = cmds; c->name; c++)
		if (is_kw(argv[0], c->name))
			return c->func(argc - 1, argv + 1);
	p_err("unknown command '%s' (try '%s help')", argv[0], bin_name);
	return -1;
}

void p_fail(int err, const char *fmt, ...)
{
	const char *detail = tcc_ctx_detail(ctx);
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	p_err("%s: %s", what, detail ? detail : strerror(err < 0 ? -err : err));
	p_debug(tcc_ctx_log(ctx));
}

/* The lock is the library's (re-entrant): a handler run here may call
 * library functions that take it again.
 */
int run_locked(int (*fn)(int argc, char **argv), int argc, char **argv)
{
	int lock = tcc_lock(), err;

	if (lock == -ETIMEDOUT) {
		p_err("cannot lock %s: held by pid %d", TCC_PIN_ROOT, (int)tcc_lock_holder());
		return -1;
	}
	if (lock < 0) {
		p_err("cannot lock %s: %s", TCC_PIN_ROOT, strerror(-lock));
		return -1;
	}
	err = fn(argc, argv);
	tcc_unlock(lock);
	return err;
}

int parse_u32(const char *arg, const char *what, unsigned long min, unsigned long max,
	      __u32 *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno || !*arg || *end || *arg == '-' || v < min || v > max) {
		p_err("invalid %s '%s' (%lu..%lu)", what, arg, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_target(int argc, char **argv, struct target *t)
{
	int used = 0;

	if (argc >= 1 && is_kw(argv[0], "dev")) {
		if (argc < 2) {
			p_err("'dev' needs a device name");
			return -1;
		}
		t->dev = argv[1];
		t->ifindex = if_nametoindex(t->dev);
		if (!t->ifindex) {
			p_err("cannot find device '%s'", t->dev);
			return -1;
		}
		used = 2;
	}
	if (argc > used && !tcc_dir_parse(argv[used], &t->dir)) {
		t->has_dir = true;
		used++;
	}
	return used;
}

struct pick {
	const struct target *t;
	struct tcc_chain *found;
	int open_err;
	int n;
	char names[512];
};

static int pick_cb(struct tcc_chain *c, void *arg)
{
	struct pick *p = arg;
	char name[IF_NAMESIZE] = "?";
	size_t len = strlen(p->names);

	if (p->t->ifindex && tcc_chain_ifindex(c) != p->t->ifindex)
		return 0;
	if (p->t->has_dir && tcc_chain_dir(c) != p->t->dir)
		return 0;
	if_indextoname(tcc_chain_ifindex(c), name);
	snprintf(p->names + len, sizeof(p->names) - len, "%s%s %s",
		 p->n ? ", " : "", name, tcc_dir_str(tcc_chain_dir(c)));
	if (p->n++ == 0) {
		p->found = tcc_chain_open(ctx, tcc_chain_ifindex(c), tcc_chain_dir(c));
		p->open_err = p->found ? 0 : -errno;
	}
	return 0;
}

struct tcc_chain *target_chain(struct target *t, const char *what)
{
	struct pick p = { .t = t };
	char where[64] = "";
	int err;

	if (t->dev)
		snprintf(where, sizeof(where), " on %s%s%s", t->dev, t->has_dir ? " " : "",
			 t->has_dir ? tcc_dir_str(t->dir) : "");
	else if (t->has_dir)
		snprintf(where, sizeof(where), " on %s", tcc_dir_str(t->dir));
	err = tcc_chain_foreach(ctx, pick_cb, &p);
	if (err) {
		tcc_chain_close(p.found);
		p_fail(err, "cannot %s: cannot list chains", what);
		return NULL;
	}
	if (p.n == 0) {
		p_err("cannot %s: no chain%s (create one with: %s add dev DEV ingress)",
		      what, where, bin_name);
		return NULL;
	}
	if (p.n > 1) {
		tcc_chain_close(p.found);
		p_err("cannot %s: %d chains exist (%s); say which with dev DEV ingress|egress",
		      what, p.n, p.names);
		return NULL;
	}
	if (!p.found) {
		p_fail(p.open_err, "cannot %s: cannot open the chain%s%s", what, where,
		       p.open_err == -EPROTO ? " (it has another ABI)" : "");
		return NULL;
	}
	if (!t->dev)
		t->ifindex = tcc_chain_ifindex(p.found);
	t->dir = tcc_chain_dir(p.found);
	t->has_dir = true;
	return p.found;
}

static const struct cmd cmds[] = {
	{ "add",   do_add },
	{ "del",   do_del },
	{ "show",  do_show },
	{ "list",  do_show },
	{ "prune", do_prune },
	{ "stage", do_stage },
	{ "stats", do_stats },
	{ "map",   do_map },
	{ "help",  do_help },
	{ 0 }
};

/* The namespace, the bpffs and the pin root, before any command runs. */
static int prepare(const char *netns)
{
	char why[256];
	int err;

	if (!tcc_privileged()) {
		p_err("tcchain needs root (CAP_NET_ADMIN and CAP_BPF or CAP_SYS_ADMIN)");
		return 1;
	}

	if (netns) {
		err = tcc_netns_enter(netns);
		if (err) {
			p_err("cannot enter network namespace '%s': %s", netns, strerror(-err));
			return 1;
		}
	}
	err = tcc_bpffs_ensure();
	if (err == -EXDEV) {
		p_err("/sys/fs/bpf here is not the host's bpffs (under 'ip netns exec'?): pins would vanish with this command; use '%s -n NETNS' instead",
		      bin_name);
		return 1;
	}
	if (err) {
		p_err("cannot mount bpffs on /sys/fs/bpf: %s", strerror(-err));
		return 1;
	}
	err = tcc_pin_root_check(why, sizeof(why));
	if (err) {
		p_err("refusing to use the pin root: %s", err == -EPERM ? why : strerror(-err));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "netns",   required_argument, NULL, 'n' },
		{ "json",    no_argument,       NULL, 'j' },
		{ "pretty",  no_argument,       NULL, 'p' },
		{ "debug",   no_argument,       NULL, 'd' },
		{ "version", no_argument,       NULL, 'V' },
		{ "help",    no_argument,       NULL, 'h' },
		{ 0 }
	};
	const char *netns = NULL;
	int opt, err;

	/* Options first, then the object: "tcchain -n ns1 show". */
	while ((opt = getopt_long(argc, argv, "+n:jpdVh", opts, NULL)) >= 0) {
		switch (opt) {
		case 'n': netns = optarg; break;
		case 'j': json_output = true; break;
		case 'p': json_output = pretty_output = true; break;
		case 'd': debug_output = true; break;
		case 'V':
			printf("%s %s (SDK ABI v%d)\n", bin_name, TCC_VERSION, TCC_ABI_VERSION);
			return 0;
		case 'h':
			return do_help(0, NULL);
		default:
			p_err("unknown option (try '%s help')", bin_name);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		do_help(0, NULL);
		return 1;
	}
	/* Help needs nothing; everything else needs the kernel's leave. */
	if (!is_kw(argv[argc - 1], "help") && prepare(netns))
		return 1;
	ctx = tcc_ctx_new();
	if (!ctx) {
		p_err("out of memory");
		return 1;
	}
	if (argc > 0 && is_rules_object(argv[0]))
		err = do_rules(argv[0], argc - 1, argv + 1);
	else
		err = cmd_select(cmds, argc, argv, do_help);
	out_flush();
	/* A change that committed succeeded; leftover cleanup is only said. */
	if (tcc_ctx_warning(ctx))
		fprintf(stderr, "Warning: %s\n", tcc_ctx_warning(ctx));
	tcc_ctx_free(ctx);
	return err ? 1 : 0;
}
