/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Text to BTF-typed values and back: the one set of rules that stage
 * params (.rodata) and map fields share.  doc/values.md is the user's
 * description of the same rules; keep the two in step.
 */
#ifndef TCC_VALUE_H
#define TCC_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct btf;

/*
 * Store text into dst as the BTF type type_id says.  name is only for the
 * message: on failure err holds "name=text: why" and the return is
 * -EINVAL (not of the type) or -ERANGE (does not fit); dst is unchanged.
 */
int tcc__value_parse(const struct btf *btf, __u32 type_id, void *dst, const char *name,
		     const char *text, char *err, size_t errlen);
/* Text for src of type type_id; returns true when the text is a number. */
bool tcc__value_format(const struct btf *btf, __u32 type_id, const void *src,
		       char *out, size_t len);
/* A leaf the value rules know (integer, bool, enum, byte or char array). */
bool tcc__value_is_leaf(const struct btf *btf, __u32 type_id);
/* A plain integer: per-CPU copies of it are counters, summed when read. */
bool tcc__value_is_counter(const struct btf *btf, __u32 type_id);

#endif
