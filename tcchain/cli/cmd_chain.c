// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tcchain add | del | show */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/pkt_cls.h>

#include "tcchain/cli/main.h"

/* "dev DEV ingress|egress", both required. */
static int parse_hook(int argc, char **argv, struct target *t, const char *what)
{
	int used;

	if (argc < 1 || !is_kw(argv[0], "dev")) {
		p_err("%s: 'dev DEV' is required", what);
		return -1;
	}
	used = parse_target(argc, argv, t);
	if (used < 0)
		return -1;
	if (!t->has_dir) {
		if (argc > used && is_kw(argv[used], "dev"))
			p_err("'dev' is given twice");
		else if (argc > used)
			p_err("%s: invalid direction '%s' (ingress or egress)", what, argv[used]);
		else
			p_err("%s: the direction is required (ingress or egress)", what);
		return -1;
	}
	return used;
}

static int parse_verdict_arg(const char *kw, const char *arg, int *v)
{
	if (tcc_verdict_parse(arg, v)) {
		p_err("invalid %s verdict '%s' (pass, drop or continue)", kw, arg);
		return -1;
	}
	return 0;
}

int do_add(int argc, char **argv)
{
	struct tcc_chain_opts opts = { .end_verdict = TC_ACT_OK, .miss_verdict = TC_ACT_OK };
	bool prio = false, handle = false, end = false, miss = false;
	struct target t = {};
	__u32 v;
	int used, err;

	used = parse_hook(argc, argv, &t, "add");
	if (used < 0)
		return -1;
	argc -= used;
	argv += used;
	while (argc > 0) {
		if (is_kw(*argv, "prio")) {
			ONCE(prio, "prio");
			NEXT_ARG(); REQ_ARGS(1);
			if (parse_u32(*argv, "prio", 1, 0xffff, &v))
				return -1;
			opts.prio = v;
		} else if (is_kw(*argv, "handle")) {
			ONCE(handle, "handle");
			NEXT_ARG(); REQ_ARGS(1);
			if (parse_u32(*argv, "handle", 1, 0xffffffff, &v))
				return -1;
			opts.handle = v;
		} else if (is_kw(*argv, "end")) {
			ONCE(end, "end");
			NEXT_ARG(); REQ_ARGS(1);
			if (parse_verdict_arg("end", *argv, &opts.end_verdict))
				return -1;
		} else if (is_kw(*argv, "miss")) {
			ONCE(miss, "miss");
			NEXT_ARG(); REQ_ARGS(1);
			if (parse_verdict_arg("miss", *argv, &opts.miss_verdict))
				return -1;
		} else if (is_kw(*argv, "dev") || !tcc_dir_parse(*argv, &t.dir)) {
			p_err(is_kw(*argv, "dev") ? "'dev' is given twice" :
			      "the direction is given twice ('%s')", *argv);
			return -1;
		} else {
			p_err("add: unknown keyword '%s'", *argv);
			return -1;
		}
		NEXT_ARG();
	}
	opts.ifindex = t.ifindex;
	opts.dir = t.dir;
	err = tcc_chain_add(ctx, &opts);
	if (err) {
		p_fail(err, "cannot add chain on %s %s", t.dev, tcc_dir_str(t.dir));
		return -1;
	}
	/* -j: the chain made, as show prints it (text: nothing, as ip). */
	if (json_output) {
		struct tcc_chain *c = tcc_chain_open(ctx, t.ifindex, t.dir);
		struct tcc_chain_info ci;

		if (c && !tcc_chain_info(ctx, c, &ci))
			print_chain(c, &ci);
		tcc_chain_close(c);
	}
	return 0;
}

int do_del(int argc, char **argv)
{
	struct target t = {};
	int used, err;

	used = parse_hook(argc, argv, &t, "del");
	if (used < 0)
		return -1;
	if (argc > used) {
		p_err("del: unknown keyword '%s'", argv[used]);
		return -1;
	}
	err = tcc_chain_del(ctx, t.ifindex, t.dir);
	if (err == -ENOENT && !tcc_ctx_detail(ctx)) {
		p_err("cannot delete chain on %s %s: no such chain", t.dev, tcc_dir_str(t.dir));
		return -1;
	}
	if (err) {
		p_fail(err, "cannot delete chain on %s %s", t.dev, tcc_dir_str(t.dir));
		return -1;
	}
	return 0;
}

static void print_time(const char *key, time_t when)
{
	char buf[32];
	struct tm tm;

	localtime_r(&when, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm);
	out_string(key, " loaded %s", buf);
}

void print_stage(const struct tcc_stage_info *si)
{
	out_uint("slot", "    slot %2llu:", si->slot);
	bool foreign = si->flags & TCC_STAGE_F_FOREIGN;

	out_string("prog", " %s", si->prog);
	/* A foreign program ends the chain with a verdict nobody counts. */
	out_bool("foreign", " foreign", foreign);
	out_bool("terminal", " terminal", foreign);
	out_uint("id", " id %llu", si->prog_id);
	out_string("file", " file %s", si->file);
	if (si->object[0])
		out_string("object", " object %s", si->object);
	else
		out_null("object");
	out_bool("needs_parse", " needs parse", si->flags & TCC_STAGE_F_READS_PKT);
	print_time("loaded", si->loaded);
	out_params(si->params, si->params[0] ? " params %s" : NULL);
	out_words("kept_maps", si->kept_maps[0] ? " kept maps %s" : NULL, si->kept_maps);
	out_text("\n");
}

void print_stages(const struct tcc_chain *c)
{
	struct tcc_stage_info si;

	out_open_array("stages");
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		if (tcc_stage_info(c, s, &si))
			continue;
		out_open_object(NULL);
		print_stage(&si);
		out_close_object();
	}
	out_close_array();
}

struct show_args {
	const struct target *t;
	int n;
};

/* Pins that cannot be opened are listed with the reason, not skipped. */
static int show_unopenable(struct tcc_chain *c, struct show_args *a)
{
	int err = -tcc_chain_error(c);

	a->n++;
	out_open_object(NULL);
	out_chain_id(c, " %s:");
	out_string("pin_dir", " pins %s", tcc_chain_pin_dir(c));
	out_string("error", " cannot be opened: %s",
		   err == EPROTO ? "another ABI" : strerror(err));
	out_text(" ('%s del dev DEV DIR' removes it)\n", bin_name);
	out_close_object();
	return 0;
}

static int show_cb(struct tcc_chain *c, void *arg)
{
	struct show_args *a = arg;
	struct tcc_chain_info ci;
	int err;

	if (a->t->ifindex && tcc_chain_ifindex(c) != a->t->ifindex)
		return 0;
	if (a->t->has_dir && tcc_chain_dir(c) != a->t->dir)
		return 0;
	if (tcc_chain_error(c))
		return show_unopenable(c, a);
	err = tcc_chain_info(ctx, c, &ci);
	if (err)
		return err;
	a->n++;
	print_chain(c, &ci);
	return 0;
}

/* One chain as show prints it; add prints the chain it made the same way. */
void print_chain(const struct tcc_chain *c, const struct tcc_chain_info *ci)
{
	out_open_object(NULL);
	out_chain_id(c, " %s:");
	out_uint("prio", " prio %llu", ci->prio);
	out_uint("handle", " handle 0x%llx", ci->handle);
	out_uint("entry_id", " entry id %llu", ci->entry_id);
	out_string("end_verdict", " end %s", tcc_verdict_str(ci->end_verdict));
	out_string("miss_verdict", " miss %s", tcc_verdict_str(ci->miss_verdict));
	out_bool("attached", NULL, ci->attached);
	if (!ci->attached)
		out_text(" (not attached: stale pins, remove with '%s prune')", bin_name);
	out_bool("owns_qdisc", NULL, ci->owns_qdisc);
	out_text("\n");
	print_stages(c);
	out_close_object();
}

int do_show(int argc, char **argv)
{
	struct target t = {};
	struct show_args a = { .t = &t };
	int err;

	if (parse_target_all(argc, argv, &t, "show"))
		return -1;
	out_open_array(NULL);
	err = tcc_chain_foreach(ctx, show_cb, &a);
	out_close_array();
	if (err) {
		p_fail(err, "cannot show chains");
		return -1;
	}
	return 0;
}

int do_prune(int argc, char **argv)
{
	int removed, dead_chains, dead_ns, orphans, cached, err;

	if (argc > 0) {
		p_err("prune: unknown keyword '%s'", argv[0]);
		return -1;
	}
	err = tcc_chain_prune(ctx, &removed);
	if (err) {
		p_fail(err, "cannot prune stale chains");
		return -1;
	}
	/* From any namespace: the pins of namespaces that are gone. */
	err = tcc_netns_prune(ctx, &dead_chains, &dead_ns);
	if (err) {
		p_fail(err, "cannot prune the chains of deleted namespaces");
		return -1;
	}
	err = tcc_orphans_prune(ctx, &orphans);
	if (err) {
		p_fail(err, "cannot remove the tcchain filters that have no pins");
		return -1;
	}
	/* After the chains: objects only they used are unused now. */
	err = tcc_cache_prune(ctx, &cached);
	if (err) {
		p_fail(err, "cannot prune the stage cache");
		return -1;
	}
	out_open_object(NULL);
	out_uint("removed", "removed %llu chain(s):", removed + dead_chains);
	out_uint("stale", " %llu stale,", removed);
	out_uint("in_deleted_netns", " %llu in deleted namespaces", dead_chains);
	out_uint("deleted_netns", " (%llu namespace(s))", dead_ns);
	out_uint("orphan_filters", "; %llu filter(s) with no pins", orphans);
	out_uint("cache_objects", "; %llu unused compiled object(s) from the stage cache\n",
		 cached);
	out_close_object();
	return 0;
}
