// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What a stage is, and where it may go.  A program built with TCC_STAGE
 * ends through the SDK: it counts its verdict and hands the packet to the
 * next occupied slot.  Anything else of type tc (a plain SEC("tc")
 * program from another project, or one that includes <tcchain.h> but
 * skips TCC_STAGE) is *foreign*: its verdict ends the chain and nobody
 * counts it.  The SDK leaves markers in the object's BTF that say which
 * is which (tcchain.h: tcc_stage__NAME, tcc_reads_pkt, tcc_fills_pkt).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "tcchain/lib/internal.h"

/* A global or static variable called name in the object's BTF. */
static bool btf_has_var(const struct btf *btf, const char *name)
{
	__u32 n = btf__type_cnt(btf);

	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (btf_is_var(t) && !strcmp(btf__name_by_offset(btf, t->name_off), name))
			return true;
	}
	return false;
}

unsigned int tcc__stage_probe(struct bpf_object *obj, const char *prog)
{
	const struct btf *btf = bpf_object__btf(obj);
	char marker[128];
	unsigned int flags = 0;

	if (!btf)
		return TCC_STAGE_F_FOREIGN;
	snprintf(marker, sizeof(marker), "tcc_stage__%s", prog);
	if (!btf_has_var(btf, marker))
		flags |= TCC_STAGE_F_FOREIGN;
	if (btf_has_var(btf, "tcc_reads_pkt"))
		flags |= TCC_STAGE_F_READS_PKT;
	if (btf_has_var(btf, "tcc_fills_pkt"))
		flags |= TCC_STAGE_F_FILLS_PKT;
	return flags;
}

/* A slot's flags from its meta row; 0 for an empty slot.  A parse stage
 * set before the markers existed still fills the packet. */
static unsigned int slot_flags(const struct tcc_chain *c, __u32 slot, char *prog, size_t len)
{
	struct tcc_meta m;

	if (!tcc__slot_prog_id(c, slot) || tcc__meta_read(c, slot, &m) || !m.prog_id)
		return 0;
	if (prog)
		snprintf(prog, len, "%s", m.prog);
	if (!strcmp(m.prog, "parse"))
		m.flags |= TCC_STAGE_F_FILLS_PKT;
	return m.flags | TCC__SLOT_OCCUPIED;
}

/* Append "N (prog)" for every occupied slot in [from, to) other than skip. */
static int list_slots(const struct tcc_chain *c, __u32 from, __u32 to, __u32 skip,
		      char *buf, size_t len)
{
	size_t used = 0;
	int n = 0;

	buf[0] = '\0';
	for (__u32 s = from; s < to; s++) {
		char prog[64] = "?";

		if (s == skip || !slot_flags(c, s, prog, sizeof(prog)))
			continue;
		if (used < len)
			used += snprintf(buf + used, len - used, "%s%u (%s)", n ? ", " : "", s, prog);
		n++;
	}
	return n;
}

int tcc__foreign_check(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot,
		       const char *prog, unsigned int flags)
{
	char later[256];

	/* A foreign stage before other stages would hide them: every packet
	 * that reaches it ends there.  Refused rather than warned, so a
	 * chain never holds stages that cannot run.
	 */
	if ((flags & TCC_STAGE_F_FOREIGN) &&
	    list_slots(c, slot + 1, TCC_MAX_SLOTS, slot, later, sizeof(later)))
		return tcc__fail(ctx, -EINVAL,
				 "'%s' is a foreign tc program (no TCC_STAGE): its verdict ends the chain, "
				 "so the stages after slot %u would never run: %s; put it in a slot after "
				 "them or delete them first", prog, slot, later);
	for (__u32 s = 0; s < slot; s++) {
		char fprog[64] = "?";

		if (slot_flags(c, s, fprog, sizeof(fprog)) & TCC_STAGE_F_FOREIGN)
			return tcc__fail(ctx, -EINVAL,
					 "slot %u holds '%s', a foreign tc program whose verdict ends the chain: "
					 "a stage in slot %u would never run (use a slot before %u)",
					 s, fprog, slot, s);
	}
	return 0;
}

__u32 tcc__unparsed_mask(const struct tcc_chain *c)
{
	bool filled = false;
	__u32 mask = 0;

	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		unsigned int f = slot_flags(c, s, NULL, 0);

		if ((f & TCC_STAGE_F_READS_PKT) && !filled)
			mask |= 1U << s;
		if (f & TCC_STAGE_F_FILLS_PKT)
			filled = true;
	}
	return mask;
}

void tcc__unparsed_warn(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 before)
{
	__u32 now = tcc__unparsed_mask(c) & ~before;

	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		char prog[64] = "?";

		if (!(now & (1U << s)))
			continue;
		slot_flags(c, s, prog, sizeof(prog));
		tcc__warn(ctx, "stage %u (%s) reads the parsed packet (tcc_pkt_parsed()) but no earlier "
			  "slot runs parse: it sees no parsed packet; put parse in a slot before %u",
			  s, prog, s);
	}
}
