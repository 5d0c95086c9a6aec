// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Nicer param words for shipped stages, on top of the generic BTF params.
 * ratelimit: rate=1000pps (packets/s), rate=10mbit (tc's bit units),
 * rate=2MBps (bytes/s); a byte unit also sets bytes=1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tcchain/cli/main.h"

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

/* "10mbit" -> 1250000, bytes: 0 when no unit, -1 on a bad unit. */
static int rate_value(const char *s, char *out, size_t len, bool *bytes, bool *has_unit)
{
	char *end;
	double v = strtod(s, &end);

	*has_unit = *end != '\0';
	if (end == s || v < 0)
		return -1;
	if (!*has_unit)
		return snprintf(out, len, "%s", s) < (int)len ? 0 : -1;
	/* tc spells bytes/s "Bps" and bits/s "bit"; "bps" here is bytes/s
	 * as in tc, case-insensitively.
	 */
	for (size_t i = 0; i < ARRAY_SIZE(rate_units); i++) {
		if (strcasecmp(end, rate_units[i].sfx))
			continue;
		*bytes = rate_units[i].bytes;
		snprintf(out, len, "%.0f", v * rate_units[i].mul);
		return 0;
	}
	return -1;
}

int stage_words(const char *file, struct tcc_param *params, size_t *n, size_t max)
{
	static char rate_buf[32];
	const char *base = strrchr(file, '/');
	bool bytes = false, has_unit = false, bytes_given = false;
	struct tcc_param *rate = NULL;

	base = base ? base + 1 : file;
	if (strcmp(base, "ratelimit.bpf.o"))
		return 0;
	for (size_t i = 0; i < *n; i++) {
		if (!strcmp(params[i].name, "rate"))
			rate = &params[i];
		if (!strcmp(params[i].name, "bytes"))
			bytes_given = true;
	}
	if (!rate)
		return 0;
	if (rate_value(rate->value, rate_buf, sizeof(rate_buf), &bytes, &has_unit)) {
		p_err("param rate=%s: not a rate (N, Npps, Nkbit, Nmbit, Ngbit, NBps, NKBps, NMBps)",
		      rate->value);
		return -1;
	}
	rate->value = rate_buf;
	if (has_unit && !bytes_given) {
		if (*n == max) {
			p_err("stage set: too many params");
			return -1;
		}
		params[(*n)++] = (struct tcc_param){ "bytes", bytes ? "1" : "0" };
	}
	return 0;
}
