// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcchain stage info SLOT [ dev DEV [ ingress | egress ] ]
 *
 * Everything known about one loaded stage, as `bpftool prog show id N`
 * shows a program: what tcchain recorded (the keys of `stage show`), what
 * the kernel knows (tag, sizes, verified instructions, its own maps with
 * ids and pins) and what it counted (its `stats` row and cost).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <net/if.h>
#include <bpf/libbpf.h>

#include "tcchain/cli/main.h"

static void print_kinfo(const struct tcc_stage_kinfo *k)
{
	out_string("tag", "        tag %s", k->tag);
	out_uint("bytes_xlated", " xlated %lluB", k->xlated_len);
	out_bool("jited", NULL, k->jited_len > 0);
	out_uint("bytes_jited", k->jited_len ? " jited %lluB" : " not jited", k->jited_len);
	if (k->verified_insns)
		out_uint("verified_insns", " verified_insns %llu", k->verified_insns);
	else
		out_null("verified_insns");
	if (k->btf_id)
		out_uint("btf_id", " btf_id %llu", k->btf_id);
	else
		out_null("btf_id");
	out_text("\n");
	if (k->pin[0])
		out_string("pinned", "        pinned %s\n", k->pin);
	else
		out_null("pinned");

	out_open_array("maps");
	for (int i = 0; i < k->n_maps; i++) {
		const struct tcc_stage_map_kinfo *m = &k->maps[i];
		const char *type = libbpf_bpf_map_type_str(m->type);

		out_open_object(NULL);
		out_string("name", "        map %s:", m->name);
		out_string("type", " %s", type ? type : "?");
		out_uint("key_size", " key %lluB", m->key_size);
		out_uint("value_size", " value %lluB", m->value_size);
		out_uint("max_entries", " max_entries %llu", m->max_entries);
		out_bool("per_cpu", " per CPU", m->per_cpu);
		out_uint("id", " id %llu", m->id);
		if (m->pin[0])
			out_string("pinned", " pinned %s", m->pin);
		else
			out_null("pinned");
		out_text("\n");
		out_close_object();
	}
	out_close_array();
	if (k->more_maps)
		out_text("        (more than %d maps: the rest are not shown)\n", TCC_STAGE_MAPS_MAX);
}

/* Its row of `stats`: counted since the stage went into the slot. */
static void print_counts(const struct tcc_slot_stats *s, bool foreign)
{
	static const char *const verdicts[] = { "pass", "drop", "redirect", "other" };
	const __u64 v[] = { s->pass, s->drop, s->redirect, s->other };
	char fmt[32];

	out_open_object("stats");
	out_uint("packets", "        stats: packets %llu", s->packets);
	out_uint("bytes", " bytes %llu", s->bytes);
	for (size_t i = 0; i < ARRAY_SIZE(verdicts); i++) {
		snprintf(fmt, sizeof(fmt), " %s %%llu", verdicts[i]);
		if (foreign)
			out_null(verdicts[i]);	/* not counted: unknown, not 0 */
		else
			out_uint(verdicts[i], fmt, v[i]);
	}
	out_uint("next", " next %llu", s->next);
	out_uint("miss", " miss %llu", s->miss);
	if (foreign)
		out_text(" (foreign: verdicts not counted)");
	out_text("\n");
	out_close_object();
}

/* The chain's sampling switch, and this stage's time per timed packet. */
static void print_cost(const struct tcc_chain *c, const struct tcc_slot_stats *s)
{
	__u32 f = tcc_observe_flags(c);
	bool on = f & TCC_CFG_F_COST;

	out_open_object("cost");
	out_bool("sampling", NULL, on);
	out_text("        cost: sampling %s", on ? "on" : "off");
	if (on)
		out_uint("rate", " 1/%llu", 1ULL << TCC_CFG_COST_SHIFT(f));
	else
		out_null("rate");
	if (s->cost_samples)
		out_uint("ns", " %llu ns/pkt", (s->cost_ns + s->cost_samples / 2) / s->cost_samples);
	else
		out_null("ns");
	out_uint("samples", " (%llu timed)", s->cost_samples);
	out_text("\n");
	out_close_object();
}

static int stage_info(struct tcc_chain *c, __u32 slot)
{
	struct tcc_slot_stats st[TCC_STATS_ROWS];
	struct tcc_stage_kinfo *k;
	struct tcc_stage_info si;
	int err;

	err = tcc_stage_info(c, slot, &si);
	if (err == -ENOENT) {
		char dev[IF_NAMESIZE] = "?";

		p_err("cannot show stage %u on %s %s: slot %u is empty", slot,
		      if_indextoname(tcc_chain_ifindex(c), dev) ?: "?",
		      tcc_dir_str(tcc_chain_dir(c)), slot);
		return -1;
	}
	k = calloc(1, sizeof(*k));
	if (!k)
		err = -ENOMEM;
	if (!err)
		err = tcc_stage_kinfo(c, slot, k);
	if (!err)
		err = tcc_stats_read(c, st);
	if (err) {
		p_fail(err, "cannot show stage %u", slot);
		free(k);
		return -1;
	}
	out_open_object(NULL);
	out_chain_id(c, " %s:");
	out_text("\n");
	print_stage(&si);
	print_kinfo(k);
	print_counts(&st[slot], si.flags & TCC_STAGE_F_FOREIGN);
	print_cost(c, &st[slot]);
	out_close_object();
	free(k);
	return 0;
}

int do_stage_info(int argc, char **argv)
{
	struct tcc_chain *chain;
	struct target t = {};
	__u32 slot;
	int used, err;

	if (argc < 1) {
		p_err("stage info: SLOT is required");
		return -1;
	}
	if (parse_u32(argv[0], "slot", 0, TCC_MAX_SLOTS - 1, &slot))
		return -1;
	NEXT_ARG();
	while (argc > 0) {
		/* again and again: a second dev is "given twice", not unknown */
		used = parse_target(argc, argv, &t);
		if (used < 0)
			return -1;
		if (!used) {
			p_err("stage info: unknown keyword '%s'", *argv);
			return -1;
		}
		argc -= used;
		argv += used;
	}
	chain = target_chain(&t, "show stage");
	if (!chain)
		return -1;
	err = stage_info(chain, slot);
	tcc_chain_close(chain);
	return err;
}
