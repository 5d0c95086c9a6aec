// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcchain save [ --all-namespaces ]: the namespace's chains as the chain
 * file `tcchain apply -f` reads (doc/chain-file.md): the commands that
 * make them, one a line.  -j gives the same as JSON.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcchain/cli/chainfile.h"

void save_add_line(char *buf, size_t len, const char *dev, enum tcc_dir dir, __u16 prio,
		   __u32 handle, int end, int miss)
{
	snprintf(buf, len, "add dev %s %s prio %u handle %u end %s miss %s", dev,
		 tcc_dir_str(dir), prio, handle, tcc_verdict_str(end), tcc_verdict_str(miss));
}

/*
 * Is file the library stage name?  Its file is NAME.bpf.o in a stage
 * library: a directory called stages (the build tree's, the installed
 * PREFIX/lib/tcchain/stages), or where the lookup finds name.  So a file
 * saved by one tcchain applies unchanged with another (the installed one
 * at boot, a newer release) whose library is elsewhere.
 */
bool stage_in_library(const char *file, const char *name)
{
	char want[256], found[PATH_MAX], *abs;
	const char *base = strrchr(file, '/');
	bool same;

	snprintf(want, sizeof(want), "%s.bpf.o", name);
	if (!base || strcmp(base + 1, want) || tcc_stage_is_path(name))
		return false;
	if (base - file >= 7 && !strncmp(base - 7, "/stages", 7))
		return true;
	if (tcc_stage_find(name, found, sizeof(found)))
		return false;
	abs = realpath(found, NULL);
	same = abs && !strcmp(abs, file);
	free(abs);
	return same;
}

/* The stage word: its library name when it is a library stage (above),
 * else its path; prog when the program is not called after the file. */
void save_stage_line(char *buf, size_t len, __u32 slot, const char *file, const char *prog,
		     const char *params)
{
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	size_t used, l = strlen(base);
	const char *word = file;
	char name[256];

	if (l > 6 && !strcmp(base + l - 6, ".bpf.o"))
		l -= 6;
	else if (l > 2 && !strcmp(base + l - 2, ".o"))
		l -= 2;
	snprintf(name, sizeof(name), "%.*s", (int)l, base);
	if (stage_in_library(file, name))
		word = name;
	used = snprintf(buf, len, "stage set %u %s", slot, word);
	if (prog && *prog && strcmp(prog, name))
		used += snprintf(buf + used, used < len ? len - used : 0, " prog %s", prog);
	if (params && *params)
		snprintf(buf + used, used < len ? len - used : 0, " param %s", params);
}

char *save_slot_words(struct tcc_chain *c, __u32 slot, const char *record)
{
	char *text = NULL, *rec = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	if (tcc_stage_save_words(ctx, c, slot, f))
		fprintf(f, "# cannot read the rules of slot %u\n", slot);
	if (!record) {
		rec = malloc(TCC_MAP_RECORD_SIZE);
		if (rec && tcc_map_record_get(c, slot, rec, TCC_MAP_RECORD_SIZE))
			rec[0] = '\0';
		record = rec ? rec : "";
	}
	for (const char *p = record; *p; ) {
		const char *eol = strchr(p, '\n');
		int l = eol ? eol - p : (int)strlen(p);

		if (l)
			fprintf(f, "map set %u %.*s\n", slot, l, p);
		p += l + (eol ? 1 : 0);
	}
	free(rec);
	fclose(f);
	return text;
}

/* Print text's lines, each followed by " dev DEV DIR". */
static void put_lines(const char *text, const char *suffix)
{
	for (const char *p = text; p && *p; ) {
		const char *eol = strchr(p, '\n');
		int l = eol ? eol - p : (int)strlen(p);
		char *line = NULL;

		/* a line is as long as it is: a map entry's words run to kilobytes */
		if (asprintf(&line, "%.*s%s", l, p, suffix) < 0)
			line = NULL;
		if (json_output)
			out_string(NULL, NULL, line ?: "# out of memory");
		else
			printf("%s\n", line ?: "# out of memory");
		free(line);
		p += l + (eol ? 1 : 0);
	}
}

static int save_cb(struct tcc_chain *c, void *arg)
{
	struct tcc_chain_info ci;
	struct tcc_stage_info si;
	char line[PATH_MAX + 1024], suffix[64];	/* a stage line: path, prog, params */
	int *n = arg;

	if (tcc_chain_info(ctx, c, &ci) || !ci.attached || !ci.ifname[0]) {
		if (!json_output)
			printf("# not saved: the chain on ifindex %d %s (%s)\n", ci.ifindex,
			       tcc_dir_str(ci.dir),
			       tcc_chain_error(c) ? "cannot be opened" : "detached");
		return 0;
	}
	snprintf(suffix, sizeof(suffix), " dev %s %s", ci.ifname, tcc_dir_str(ci.dir));
	if (json_output) {
		out_open_object(NULL);
		out_chain_id(c, NULL);
		out_uint("prio", NULL, ci.prio);
		out_uint("handle", NULL, ci.handle);
		out_string("end_verdict", NULL, tcc_verdict_str(ci.end_verdict));
		out_string("miss_verdict", NULL, tcc_verdict_str(ci.miss_verdict));
		out_open_array("stages");
		for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
			if (tcc_stage_info(c, s, &si))
				continue;
			out_open_object(NULL);
			out_uint("slot", NULL, s);
			out_string("prog", NULL, si.prog);
			out_string("file", NULL, si.file);
			out_params(si.params, NULL);
			out_close_object();
		}
		out_close_array();
		out_open_array("lines");
	} else if ((*n)++) {
		printf("\n");
	}
	save_add_line(line, sizeof(line), ci.ifname, ci.dir, ci.prio, ci.handle,
		      ci.end_verdict, ci.miss_verdict);
	put_lines(line, "");
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		if (tcc_stage_info(c, s, &si))
			continue;
		save_stage_line(line, sizeof(line), s, si.file, si.prog, si.params);
		put_lines(line, suffix);
	}
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		char *words;

		if (tcc_stage_info(c, s, &si))
			continue;
		words = save_slot_words(c, s, NULL);
		put_lines(words, suffix);
		free(words);
	}
	if (json_output) {
		out_close_array();
		out_close_object();
	}
	return 0;
}

static int save_netns(void)
{
	int n = 0, err;

	err = tcc_chain_foreach(ctx, save_cb, &n);
	if (err)
		p_fail(err, "cannot save: cannot list chains");
	return err ? -1 : 0;
}

/* Every namespace named under /run/netns, after the current one. */
static int save_all(void)
{
	struct tcc_ctx *home_ctx = ctx;
	int home, err = 0;
	struct dirent *de;
	DIR *d;

	out_open_array(NULL);
	out_open_object(NULL);
	out_null("netns_name");
	out_open_array("chains");
	err = save_netns();
	out_close_array();
	out_close_object();
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	d = opendir("/run/netns");
	while (!err && d && home >= 0 && (de = readdir(d))) {
		char path[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", de->d_name);
		if (tcc_netns_enter(path))
			continue;
		ctx = tcc_ctx_new();
		if (!ctx) {
			err = -1;
			break;
		}
		if (!json_output)
			printf("\nnetns %s\n", de->d_name);
		out_open_object(NULL);
		out_string("netns_name", NULL, de->d_name);
		out_open_array("chains");
		err = save_netns();
		out_close_array();
		out_close_object();
		tcc_ctx_free(ctx);
		ctx = home_ctx;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", home);
		if (tcc_netns_enter(path)) {
			p_err("cannot return to the first network namespace");
			err = -1;
		}
	}
	if (d)
		closedir(d);
	if (home >= 0)
		close(home);
	out_close_array();
	return err;
}

int do_save(int argc, char **argv)
{
	bool all = false;

	for (int i = 0; i < argc; i++) {
		if (is_kw(argv[i], "--all-namespaces") || is_kw(argv[i], "-A")) {
			ONCE(all, "--all-namespaces");
		} else if (is_kw(argv[i], "help")) {
			fprintf(stderr, "Usage: %s save [ --all-namespaces ]\n", bin_name);
			return 0;
		} else {
			p_err("save: unknown keyword '%s'", argv[i]);
			return -1;
		}
	}
	if (!all) {
		int err;

		out_open_array(NULL);
		err = save_netns();
		out_close_array();
		return err;
	}
	return save_all();
}
