// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tcchain: compose tc packet processing from small BPF stages. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tcchain/cli/main.h"
#include "tcchain/cli/observe.h"

#ifndef TCC_VERSION
#define TCC_VERSION "0.1.0"
#endif

struct tcc_ctx *ctx;
const char *bin_name = "tcchain";

bool cli_refused;
static const char *object;	/* the object being run: "stage", ... */

/* One line (or two) of usage per command: tcchain help, tcchain CMD help. */
static const struct usage {
	const char *cmd;
	const char *text;
} usages[] = {
	{ "add",   "add dev DEV { ingress | egress } [ prio N ] [ handle H ]\n"
		   "                  [ end { pass | drop | continue } ] [ miss { pass | drop | continue } ]" },
	{ "del",   "del dev DEV { ingress | egress }" },
	{ "show",  "show [ dev DEV [ ingress | egress ] ]" },
	{ "prune", "prune   (remove chains whose device or filter is gone, unused stage-cache objects)" },
	{ "stage", "stage { set | del | show | info | help } ..." },
	{ "stats", "stats [ reset | help ] [ dev DEV [ ingress | egress ] ]\n"
		   "                  [ -w [ SECONDS ] [ -x ] | -o prometheus ] | stats cost { on [ rate N ] | off }" },
	{ "trace", "trace [ dev DEV [ ingress | egress ] ] [ count N ] [ rate N ] [ FILTER ]" },
	{ "map",   "map { show | set | del | help } SLOT ...   (a stage's own maps)" },
	{ "save",  "save [ --all-namespaces ]   (the chains as the file apply reads)" },
	{ "apply", "apply -f { FILE | - } [ --dry-run ] [ --skip-missing ] [ dev DEV ]" },
	{ "diff",  "diff -f { FILE | - } [ --skip-missing ] [ dev DEV ]   (exit 1 when the chains differ)" },
	{ "rollback", "rollback [ dev DEV [ ingress | egress ] ]   (the previous generation)" },
};

static void usage_line(const char *lead, const struct usage *u)
{
	fprintf(stderr, "%s%s %s\n", lead, bin_name, u->text);
}

int do_help(int argc, char **argv)
{
	(void)argc; (void)argv;
	if (json_output) {
		out_null(NULL);
		return 0;
	}
	fprintf(stderr, "Usage: %s [OPTIONS] OBJECT { COMMAND | help }\n", bin_name);
	for (size_t i = 0; i < ARRAY_SIZE(usages); i++)
		usage_line("       ", &usages[i]);
	for (const struct tcc_kind *const *k = tcc_kinds(); *k; k++)
		if ((*k)->rule_add)
			fprintf(stderr, "       %s %-9s { add | del | show | help } ...  (the %s stage's rules)\n",
				bin_name, (*k)->name, (*k)->name);
	fprintf(stderr,
		"OPTIONS := { -n NETNS | -j | -p | -d | -V }\n"
		"       -n NETNS  act in network namespace NETNS (name under /run/netns, or a path)\n"
		"       -j        JSON output;  -p  pretty JSON\n"
		"       -d        debug: the whole verifier log on a failed load\n"
		"       -V        version\n"
		"Exit status: 0 done, 1 bad input (nothing changed), 2 the kernel or the verifier refused.\n");
	return 0;
}

/* "tcchain show help": the usage of one command without subcommands. */
static bool command_help(int argc, char **argv)
{
	if (argc != 2 || !is_kw(argv[1], "help"))
		return false;
	/* objects with subcommands have a help of their own */
	if (is_kw(argv[0], "stage") || is_kw(argv[0], "map"))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(usages); i++) {
		if (is_kw(argv[0], usages[i].cmd) ||
		    (is_kw(argv[0], "list") && is_kw(usages[i].cmd, "show"))) {
			if (!json_output)
				usage_line("Usage: ", &usages[i]);
			else
				out_null(NULL);
			return true;
		}
	}
	return false;
}

/* Edit distance, for "did you mean": short words only. */
static int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[33][33];

	if (la > 32 || lb > 32)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;

			d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			/* a swap of two neighbours counts as one */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[la][lb];
}

const char *did_you_mean(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	int bd = 3;

	for (size_t i = 0; i < n; i++) {
		int dd = distance(word, cands[i]);

		if (dd < bd && dd < (int)strlen(cands[i])) {
			bd = dd;
			best = cands[i];
		}
	}
	return best;
}

int cmd_select(const struct cmd *cmds, int argc, char **argv, int (*help)(int, char **))
{
	const char *names[32], *guess;
	char list[256] = "";
	size_t n = 0, used = 0;

	for (const struct cmd *c = cmds; c->name && n < ARRAY_SIZE(names); c++) {
		names[n++] = c->name;
		used += snprintf(list + used, used < sizeof(list) ? sizeof(list) - used : 0,
				 "%s%s", used ? ", " : "", c->name);
	}
	if (argc < 1) {
		if (help == do_help || !object)
			return help(argc, argv);
		p_err("%s: a command is required (%s)", object, list);
		return -1;
	}
	for (const struct cmd *c = cmds; c->name; c++) {
		if (!is_kw(argv[0], c->name))
			continue;
		if (is_kw(c->name, "help") && argc > 1) {
			p_err("unexpected '%s' after help", argv[1]);
			return -1;
		}
		/* "stage set help", as "ip link add help": the object's usage */
		if (argc == 2 && is_kw(argv[1], "help") && help != do_help)
			return help(0, NULL);
		return c->func(argc - 1, argv + 1);
	}
	guess = did_you_mean(argv[0], names, n);
	if (guess)
		p_err("unknown command '%s' (did you mean '%s'?)", argv[0], guess);
	else if (object && help != do_help)
		p_err("unknown command '%s' for %s (%s)", argv[0], object, list);
	else
		p_err("unknown command '%s' (try '%s help')", argv[0], bin_name);
	return -1;
}

void p_fail(int err, const char *fmt, ...)
{
	const char *detail = tcc_ctx_detail(ctx), *log = tcc_ctx_log(ctx);
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* A log with -ENOEXEC is clang's diagnostics for a stage from C
	 * source: always shown.  Otherwise it is the verifier's, shown
	 * whole with -d and pointed at without.
	 */
	if (log && err == -ENOEXEC) {
		p_err("%s: %s", what, detail ? detail : strerror(-err));
		fprintf(stderr, "%s%s", log, log[strlen(log) - 1] == '\n' ? "" : "\n");
		return;
	}
	p_err("%s: %s%s", what, detail ? detail : strerror(err < 0 ? -err : err),
	      log && !debug_output ? " (run with -d for the whole verifier log)" : "");
	p_debug(log);
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
	unsigned long long v;
	int err = tcc_parse_uint(arg, &v);

	if (err == -EDOM) {
		p_err("invalid %s '%s': leading zeros are not allowed (decimal, or hex with 0x)",
		      what, arg);
		return -1;
	}
	if (err || v < min || v > max) {
		p_err("invalid %s '%s' (%lu..%lu)", what, arg, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_target(int argc, char **argv, struct target *t)
{
	enum tcc_dir dir;
	int used = 0;

	if (argc >= 1 && is_kw(argv[0], "dev")) {
		if (t->dev) {
			p_err("'dev' is given twice");
			return -1;
		}
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
	if (argc > used && !tcc_dir_parse(argv[used], &dir)) {
		if (t->has_dir) {
			p_err("the direction is given twice ('%s' after '%s')", argv[used],
			      tcc_dir_str(t->dir));
			return -1;
		}
		t->dir = dir;
		t->has_dir = true;
		used++;
	}
	return used;
}

int parse_target_all(int argc, char **argv, struct target *t, const char *what)
{
	while (argc > 0) {
		int used = parse_target(argc, argv, t);

		if (used < 0)
			return -1;
		if (!used) {
			p_err("%s: unknown keyword '%s'", what, argv[0]);
			return -1;
		}
		argc -= used;
		argv += used;
	}
	return 0;
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

struct each {
	const struct target *t;
	const char *what;
	int (*cb)(struct tcc_chain *c, void *arg);
	void *arg;
	int n, shown;
};

static int each_cb(struct tcc_chain *c, void *arg)
{
	struct each *e = arg;
	int r;

	if ((e->t->ifindex && tcc_chain_ifindex(c) != e->t->ifindex) ||
	    (e->t->has_dir && tcc_chain_dir(c) != e->t->dir))
		return 0;
	e->n++;
	/* A chain that cannot be opened is never skipped in silence. */
	if (tcc_chain_error(c)) {
		char name[IF_NAMESIZE] = "?";

		if_indextoname(tcc_chain_ifindex(c), name);
		p_err("cannot %s on %s %s: cannot open the chain: %s", e->what, name,
		      tcc_dir_str(tcc_chain_dir(c)), strerror(-tcc_chain_error(c)));
		return -ECANCELED;
	}
	r = e->cb(c, e->arg);
	if (r > 0)
		e->shown++;
	return r < 0 ? r : 0;
}

int foreach_target_chain(const struct target *t, const char *what,
			 int (*cb)(struct tcc_chain *c, void *arg), void *arg)
{
	struct each e = { .t = t, .what = what, .cb = cb, .arg = arg };
	int err;

	out_open_array(NULL);
	err = tcc_chain_foreach(ctx, each_cb, &e);
	out_close_array();
	if (err == -ECANCELED)
		return -1;		/* cb said why */
	if (err) {
		p_fail(err, "cannot %s", what);
		return -1;
	}
	if (!e.n) {
		char where[64] = "";

		if (t->dev || t->has_dir)
			snprintf(where, sizeof(where), " on %s%s%s", t->dev ? t->dev : "",
				 t->dev && t->has_dir ? " " : "",
				 t->has_dir ? tcc_dir_str(t->dir) : "");
		p_err("cannot %s: no chain%s (create one with: %s add dev DEV ingress)",
		      what, where, bin_name);
		return -1;
	}
	return e.shown;
}

void out_chain_id(const struct tcc_chain *c, const char *text_fmt)
{
	char name[IF_NAMESIZE];
	__u64 netns = 0;
	bool has_name = if_indextoname(tcc_chain_ifindex(c), name);

	tcc_netns_id(&netns);
	out_uint("netns", NULL, netns);
	if (has_name)
		out_string("dev", text_fmt ? "%s" : NULL, name);
	else
		out_null("dev");
	if (!has_name && text_fmt)
		out_text("(ifindex %d, gone)", tcc_chain_ifindex(c));
	out_uint("ifindex", NULL, tcc_chain_ifindex(c));
	out_string("dir", text_fmt, tcc_dir_str(tcc_chain_dir(c)));
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
	{ "trace", do_trace },
	{ "map",   do_map },
	{ "save",  do_save },
	{ "apply", do_apply },
	{ "diff",  do_diff },
	{ "rollback", do_rollback },
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
	int opt, err, status;

	/* Options first, then the object: "tcchain -n ns1 show". */
	opterr = 0;		/* one Error: line of our own, not getopt's */
	while ((opt = getopt_long(argc, argv, "+:n:jpdVh", opts, NULL)) >= 0) {
		switch (opt) {
		case 'n': netns = optarg; break;
		case 'j': json_output = true; break;
		case 'p': json_output = pretty_output = true; break;
		case 'd': debug_output = true; break;
		case 'V':
			if (json_output)
				printf("{\"version\":\"%s\",\"abi\":%d}\n", TCC_VERSION,
				       TCC_ABI_VERSION);
			else
				printf("%s %s (SDK ABI v%d)\n", bin_name, TCC_VERSION,
				       TCC_ABI_VERSION);
			return 0;
		case 'h':
			return do_help(0, NULL);
		case ':':
			p_err("option '%s' needs an argument", argv[optind - 1]);
			return 1;
		default:
			if (optopt)
				p_err("unknown option '-%c' (try '%s help')", optopt, bin_name);
			else
				p_err("unknown option '%s' (try '%s help')", argv[optind - 1], bin_name);
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
	object = argv[0];
	if (command_help(argc, argv))
		err = 0;
	else if (is_rules_object(argv[0]))
		err = do_rules(argv[0], argc - 1, argv + 1);
	else
		err = cmd_select(cmds, argc, argv, do_help);
	if (!err)
		out_null_if_empty();
	out_flush();
	/* A change that committed succeeded; leftover cleanup is only said. */
	if (tcc_ctx_note(ctx))
		fprintf(stderr, "Note: %s\n", tcc_ctx_note(ctx));
	for (const char *w = tcc_ctx_warning(ctx), *nl; w && *w; w = *nl ? nl + 1 : nl) {
		nl = strchrnul(w, '\n');
		fprintf(stderr, "Warning: %.*s\n", (int)(nl - w), w);
	}
	status = !err ? 0 : cli_refused || tcc_ctx_refused(ctx) ? 2 : 1;
	tcc_ctx_free(ctx);
	return status;
}
