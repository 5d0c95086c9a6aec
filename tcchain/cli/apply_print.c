// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* apply --dry-run, diff, apply -j: the plan, printed. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcchain/cli/apply.h"

const char *const action_names[] = {
	[A_NONE] = "none", [A_STAGE] = "stage",
	[A_GEN] = "generation", [A_ADD] = "add", [A_RECREATE] = "recreate", [A_DEL] = "del",
};

static const char *const action_text[] = {
	[A_NONE] = "unchanged",
	[A_STAGE] = "one slot changes (one prog-array update)",
	[A_GEN] = "new generation (one filter replace)",
	[A_ADD] = "new chain",
	[A_RECREATE] = "prio or handle changes: deleted and added again",
	[A_DEL] = "not in the file: deleted",
};

/* One change: the first @len bytes of @line, as long as they are. */
static void plan_line_n(char sign, const char *line, int len, const char *suffix)
{
	char *buf = NULL;

	if (!json_output) {
		printf("  %c %.*s%s\n", sign, len, line, suffix);
		return;
	}
	if (asprintf(&buf, "%c %.*s%s", sign, len, line, suffix) < 0)
		buf = NULL;
	out_string(NULL, NULL, buf ?: "# out of memory");
	free(buf);
}

static void plan_line(char sign, const char *line, const char *suffix)
{
	plan_line_n(sign, line, (int)strlen(line), suffix);
}

static void plan_lines(char sign, const char *text, const char *suffix)
{
	for (const char *q = text; q && *q; ) {
		const char *eol = strchr(q, '\n');
		int l = eol ? eol - q : (int)strlen(q);

		plan_line_n(sign, q, l, suffix);
		q += l + (eol ? 1 : 0);
	}
}

/* Whether the text b has the line of @l bytes at q as one of its lines. */
static bool has_line(const char *b, const char *q, int l)
{
	for (const char *p = b; p && *p; ) {
		const char *eol = strchr(p, '\n');
		int bl = eol ? eol - p : (int)strlen(p);

		if (bl == l && !strncmp(p, q, l))
			return true;
		p += bl + (eol ? 1 : 0);
	}
	return false;
}

/* Lines of a that are not in b. */
static void plan_words(char sign, const char *a, const char *b, const char *suffix)
{
	for (const char *q = a; q && *q; ) {
		const char *eol = strchr(q, '\n');
		int l = eol ? eol - q : (int)strlen(q);

		if (!has_line(b, q, l))
			plan_line_n(sign, q, l, suffix);
		q += l + (eol ? 1 : 0);
	}
}

void plan_print(const struct plan *p)
{
	struct tcc_stage_info si;
	char line[PATH_MAX + 1024], suffix[64];	/* a stage line: path, prog, params */
	const struct cf_chain *w = p->want;

	if (p->action == A_NONE)
		return;
	snprintf(suffix, sizeof(suffix), " dev %s %s", p->dev, tcc_dir_str(p->dir));
	out_open_object(NULL);
	out_string("dev", "%s", p->dev);
	out_string("dir", " %s: ", tcc_dir_str(p->dir));
	out_string("action", NULL, action_names[p->action]);
	out_text("%s\n", action_text[p->action]);
	out_open_array("changes");
	if (p->action == A_DEL) {
		plan_line('-', "del", suffix);
		goto out;
	}
	if (p->live && (p->action == A_RECREATE || p->action == A_GEN) &&
	    (p->li.prio != w->prio || p->li.handle != w->handle ||
	     p->li.end_verdict != w->end_verdict || p->li.miss_verdict != w->miss_verdict)) {
		save_add_line(line, sizeof(line), p->dev, p->dir, p->li.prio, p->li.handle,
			      p->li.end_verdict, p->li.miss_verdict);
		plan_line('-', line, "");
	}
	if (!p->live || p->action == A_RECREATE || p->li.end_verdict != w->end_verdict ||
	    p->li.miss_verdict != w->miss_verdict) {
		save_add_line(line, sizeof(line), p->dev, p->dir, w->prio, w->handle,
			      w->end_verdict, w->miss_verdict);
		plan_line('+', line, "");
	}
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		if (p->same[s])
			continue;
		if (p->live && !tcc_stage_info(p->live, s, &si)) {
			save_stage_line(line, sizeof(line), s, si.file, si.prog, si.params);
			plan_line('-', line, suffix);
		}
		if (w->st[s].line) {
			save_stage_line(line, sizeof(line), s, w->st[s].file, w->st[s].prog,
					w->st[s].params_text);
			plan_line('+', line, suffix);
		}
	}
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		if (p->same[s] && p->action != A_RECREATE) {
			plan_words('-', p->live_words[s], p->gen_words[s], suffix);
			plan_words('+', p->gen_words[s], p->live_words[s], suffix);
		} else {
			if (p->live && p->action != A_RECREATE)
				plan_lines('-', p->live_words[s], suffix);
			plan_lines('+', p->gen_words[s], suffix);
		}
	}
out:
	out_close_array();
	out_close_object();
}
