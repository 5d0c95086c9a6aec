// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The ratelimit stage's module: rates in words, on top of the generic
 * params.  rate=1000pps (packets/s), rate=10mbit (tc's bit units),
 * rate=2MBps (bytes/s); a unit also sets bytes= to match, unless bytes
 * was given (then the two must agree).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tcchain/lib/internal.h"
#include "ratelimit.h"

static const struct unit {
	const char *sfx;
	double mul;	/* to the stage's unit: packets/s or bytes/s */
	bool bytes;
} rate_units[] = {
	{ "pps", 1, false },    { "kpps", 1e3, false }, { "mpps", 1e6, false },
	{ "bit", 1.0 / 8, true }, { "kbit", 1e3 / 8, true }, { "mbit", 1e6 / 8, true },
	{ "gbit", 1e9 / 8, true }, { "bps", 1, true },  { "kbps", 1e3, true },
	{ "mbps", 1e6, true },  { "gbps", 1e9, true },
};

static int rl_params(struct tcc_ctx *ctx, struct tcc_param *p, size_t *n, size_t max,
		     char *text, size_t text_len)
{
	struct tcc_param *rate = NULL, *bytes = NULL;
	const struct unit *u = NULL;
	double v, scaled;
	char *end;

	for (size_t i = 0; i < *n; i++) {
		if (!strcmp(p[i].name, "rate"))
			rate = &p[i];
		if (!strcmp(p[i].name, "bytes"))
			bytes = &p[i];
	}
	if (!rate)
		return 0;
	v = strtod(rate->value, &end);
	if (!*end)
		return 0;		/* a plain number: the generic rules apply */
	/* tc spells bytes/s "Bps" and bits/s "bit"; "bps" here is bytes/s
	 * as in tc, case-insensitively.
	 */
	for (size_t i = 0; i < ARRAY_SIZE(rate_units); i++)
		if (!strcasecmp(end, rate_units[i].sfx))
			u = &rate_units[i];
	if (!u && strlen(end) == 1 && strchr("kKmMgG", *end))
		return 0;		/* 10k: the generic multipliers (doc/values.md) */
	if (end == rate->value || !u || !(v >= 0) || !isfinite(v))
		return tcc__fail(ctx, -EINVAL, "param rate=%s: not a rate "
				 "(N, Npps, Nkpps, Nbit, Nkbit, Nmbit, Ngbit, NBps, NKBps, NMBps)",
				 rate->value);
	scaled = v * u->mul;
	if (scaled != floor(scaled) || scaled > 1.8e19)
		return tcc__fail(ctx, -EINVAL, "param rate=%s: is %.3f %s/s, not a whole number",
				 rate->value, scaled, u->bytes ? "bytes" : "packets");
	if (bytes && strcmp(bytes->value, u->bytes ? "1" : "0"))
		return tcc__fail(ctx, -EINVAL, "param rate=%s counts %s but bytes=%s says otherwise",
				 rate->value, u->bytes ? "bytes" : "packets", bytes->value);
	if (snprintf(text, text_len, "%.0f", scaled) >= (int)text_len)
		return -ENAMETOOLONG;
	rate->value = text;
	if (!bytes) {
		if (*n == max)
			return tcc__fail(ctx, -E2BIG, "too many params");
		p[(*n)++] = (struct tcc_param){ "bytes", u->bytes ? "1" : "0" };
	}
	return 0;
}

const struct tcc_kind tcc_kind_ratelimit = {
	.name	= "ratelimit",
	.params	= rl_params,
};
