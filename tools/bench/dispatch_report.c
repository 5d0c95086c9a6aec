// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* tools/bench/dispatch: the tables on stdout and the JSON (-o). */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/utsname.h>

#include "tools/bench/dispatch.h"

static struct config *find(const char *key, int n, bool holes)
{
	for (int i = 0; i < n_configs; i++)
		if (!strcmp(configs[i].d->key, key) && configs[i].n == n &&
		    configs[i].holes == holes)
			return &configs[i];
	return NULL;
}

static bool measured(const struct design *d)
{
	return find(d->key, stage_counts[0], false) != NULL;
}

/* Least-squares slope and intercept of the packed medians over N. */
static bool fit(const char *key, double *slope, double *icept)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	int m = 0;

	for (size_t i = 0; i < n_counts; i++) {
		struct config *c = find(key, stage_counts[i], false);

		if (!c)
			continue;
		sx += c->n;
		sy += c->s.med;
		sxx += (double)c->n * c->n;
		sxy += c->n * c->s.med;
		m++;
	}
	if (m < 2 || m * sxx == sx * sx)
		return false;
	*slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
	*icept = (sy - *slope * sx) / m;
	return true;
}

/* Largest difference between the copies' medians, relative to the median. */
static double layout_spread(const struct config *c)
{
	double lo = c->s.copy_med[0], hi = c->s.copy_med[0];

	for (int cp = 1; cp < opt.copies; cp++) {
		lo = fmin(lo, c->s.copy_med[cp]);
		hi = fmax(hi, c->s.copy_med[cp]);
	}
	return (hi - lo) / c->s.med;
}

void print_tables(void)
{
	bool derived = find("inline", 1, false) && find("tcchain", 1, false);
	double in_slope = 0, in_icept, worst = 0;
	const struct config *worst_c = NULL;

	printf("\nns per packet: median over %d copies x %d rounds of %d packets "
	       "(64-byte IPv4/UDP, CPU %d)\n\n", opt.copies, opt.rounds, opt.repeat, opt.cpu);
	printf("%3s", "N");
	for (size_t d = 0; d < N_DESIGNS; d++)
		if (measured(&designs[d]))
			printf(" %8s", designs[d].label);
	if (derived)
		printf(" | %14s %10s %7s", "tcchain-inline", "per stage", "ratio");
	printf("\n");
	for (size_t i = 0; i < n_counts; i++) {
		int n = stage_counts[i];

		printf("%3d", n);
		for (size_t d = 0; d < N_DESIGNS; d++)
			if (measured(&designs[d]))
				printf(" %8.1f", find(designs[d].key, n, false)->s.med);
		if (derived) {
			const struct config *in = find("inline", n, false);
			const struct config *tc = find("tcchain", n, false);

			printf(" | %14.1f %10.2f %6.2fx", tc->s.med - in->s.med,
			       (tc->s.med - in->s.med) / n, tc->s.med / in->s.med);
		}
		printf("\n");
	}

	printf("\nmin-max over copies and rounds\n\n%3s", "N");
	for (size_t d = 0; d < N_DESIGNS; d++)
		if (measured(&designs[d]))
			printf(" %13s", designs[d].label);
	printf("\n");
	for (size_t i = 0; i < n_counts; i++) {
		printf("%3d", stage_counts[i]);
		for (size_t d = 0; d < N_DESIGNS; d++) {
			struct config *c = find(designs[d].key, stage_counts[i], false);
			char cell[32];

			if (!c)
				continue;
			snprintf(cell, sizeof(cell), "%.0f-%.0f", c->s.min, c->s.max);
			printf(" %13s", cell);
		}
		printf("\n");
	}

	printf("\nlinear fit of the medians over N\n\n");
	printf("%-8s %9s %10s %18s\n", "design", "ns/stage", "ns at N=0", "over inline/stage");
	if (find("inline", 1, false))
		fit("inline", &in_slope, &in_icept);
	for (size_t d = 0; d < N_DESIGNS; d++) {
		double sl, b;

		if (!measured(&designs[d]) || !fit(designs[d].key, &sl, &b))
			continue;
		printf("%-8s %9.2f %10.1f %18.2f\n", designs[d].label, sl, b, sl - in_slope);
	}

	printf("\n4 stages: slots 0-3 vs slots 0, 10, 20, 31 (median, min-max)\n\n");
	printf("%-8s %18s %18s %8s\n", "design", "packed", "holes", "diff");
	for (size_t d = 0; d < N_DESIGNS; d++) {
		struct config *p = find(designs[d].key, 4, false), *h = find(designs[d].key, 4, true);
		char a[48], b[48];

		if (!h || !p)
			continue;
		snprintf(a, sizeof(a), "%.1f (%.0f-%.0f)", p->s.med, p->s.min, p->s.max);
		snprintf(b, sizeof(b), "%.1f (%.0f-%.0f)", h->s.med, h->s.min, h->s.max);
		printf("%-8s %18s %18s %+8.1f\n", designs[d].label, a, b, h->s.med - p->s.med);
	}

	for (int i = 0; i < n_configs; i++) {
		if (layout_spread(&configs[i]) > worst) {
			worst = layout_spread(&configs[i]);
			worst_c = &configs[i];
		}
	}
	if (worst_c && opt.copies > 1)
		printf("\nlayout: the copies' medians differ by up to %.0f%% (%s N=%d%s)\n",
		       100 * worst, worst_c->d->label, worst_c->n, worst_c->holes ? " holes" : "");
}

void write_json(const char *path)
{
	double in_slope = 0, in_icept;
	const char *sep = "\n";
	struct utsname u;
	FILE *f = fopen(path, "w");

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	uname(&u);
	fprintf(f, "{\n  \"bench\": \"dispatch\",\n");
	fprintf(f, "  \"kernel\": \"%s\",\n  \"machine\": \"%s\",\n", u.release, u.machine);
	fprintf(f, "  \"unit\": \"ns per packet (thread CPU time / repeat)\",\n");
	fprintf(f, "  \"packet_bytes\": %d,\n  \"copies\": %d,\n  \"rounds\": %d,\n"
		"  \"repeat\": %d,\n  \"cpu\": %d,\n",
		PKT_LEN, opt.copies, opt.rounds, opt.repeat, opt.cpu);
	fprintf(f, "  \"results\": [\n");
	for (int i = 0; i < n_configs; i++) {
		struct config *c = &configs[i];

		fprintf(f, "    {\"design\": \"%s\", \"layout\": \"%s\", \"n\": %d, \"slots\": [",
			c->d->key, c->holes ? "holes" : "packed", c->n);
		for (int s = 0; s < c->n; s++)
			fprintf(f, "%s%u", s ? ", " : "", c->slots[s]);
		fprintf(f, "],\n     \"median_ns\": %.2f, \"min_ns\": %.2f, \"max_ns\": %.2f, "
			"\"kernel_median_ns\": %.1f,\n     ", c->s.med, c->s.min, c->s.max, c->s.kmed);
		json_samples(f, &c->s);
		fprintf(f, "}%s\n", i + 1 < n_configs ? "," : "");
	}
	fprintf(f, "  ],\n  \"fit\": [");
	if (find("inline", 1, false))
		fit("inline", &in_slope, &in_icept);
	for (size_t d = 0; d < N_DESIGNS; d++) {
		double s, b;

		if (!measured(&designs[d]) || !fit(designs[d].key, &s, &b))
			continue;
		fprintf(f, "%s    {\"design\": \"%s\", \"ns_per_stage\": %.3f, \"ns_at_zero\": %.3f, "
			"\"over_inline_ns_per_stage\": %.3f}", sep, designs[d].key, s, b, s - in_slope);
		sep = ",\n";
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f))
		die("cannot write %s: %s", path, strerror(errno));
}

/* ---- main ------------------------------------------------------------------------------ */
