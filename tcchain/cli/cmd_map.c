// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcchain map show | set | del: any stage's own maps, keys and values
 * named by their BTF fields, so a third-party stage is configurable with
 * no code in tcchain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "tcchain/cli/main.h"

static int do_map_help(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr,
		"Usage: %s map show SLOT [ MAP [ percpu ] ] [ dev DEV [ DIR ] ]\n"
		"       %s map set SLOT MAP key FIELD=VALUE... [ value FIELD=VALUE... ] [ dev DEV [ DIR ] ]\n"
		"       %s map del SLOT MAP key FIELD=VALUE... [ dev DEV [ DIR ] ]\n"
		"FIELD is a field of the key or value struct as map show names it (a.b,\n"
		"arr[2]); a key or value that is a plain number is given as just VALUE.\n"
		"VALUE: integers (0x hex, k/M/G, Ki/Mi/Gi), on/off, enum names, IPv4/IPv6\n"
		"addresses, 0x hex bytes, strings (doc/values.md).  set changes only the\n"
		"fields it names and keeps the rest of an existing entry.  A per-CPU map\n"
		"shows its counters summed; percpu shows each CPU's copy.\n",
		bin_name, bin_name, bin_name);
	return 0;
}

static bool is_scalar(const struct btf *btf, __u32 id)
{
	__s32 r = btf__resolve_type(btf, id);
	const struct btf_type *t = r < 0 ? NULL : btf__type_by_id(btf, r);

	return t && (btf_is_int(t) || btf_is_enum(t));
}

/* arg: the JSON key for a plain scalar ("key": 3), NULL inside a struct. */
static int field_cb(const char *name, const char *value, bool numeric, void *arg)
{
	const char *key = *name ? name : arg;

	if (!json_output)
		printf(*name ? " %s=%s" : "%s %s", name, value);
	else if (!numeric)
		out_string(key, NULL, value);
	else if (*value == '-')
		out_int(key, NULL, strtoll(value, NULL, 10));
	else
		out_uint(key, NULL, strtoull(value, NULL, 10));
	return 0;
}

static void print_part(const struct tcc_map *m, const char *what, __u32 type_id,
		       const void *data, __u32 size)
{
	char hex[3 * 64 + 1] = "";

	out_text("  %s:", what);
	if (!m->btf || !type_id) {
		for (__u32 i = 0; i < size && i < 64; i++)
			snprintf(hex + 3 * i, 4, "%02x ", ((const __u8 *)data)[i]);
		out_string(what, " %s", hex);
	} else if (is_scalar(m->btf, type_id)) {
		tcc_btf_walk(m->btf, type_id, data, field_cb, (void *)what);
	} else {
		out_open_object(what);
		tcc_btf_walk(m->btf, type_id, data, field_cb, NULL);
		out_close_object();
	}
}

static bool all_zero(const void *p, size_t n)
{
	const __u8 *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* percpu: each CPU's copy of the value, as the kernel holds it. */
static int print_cpus(const struct tcc_map *m, const void *key)
{
	size_t stride = (m->value_size + 7) & ~7U;
	char *all = calloc(m->ncpu, stride);

	if (!all)
		return -ENOMEM;
	if (bpf_map_lookup_elem(m->fd, key, all)) {
		free(all);
		return -errno;
	}
	out_open_array("cpus");
	for (int cpu = 0; cpu < m->ncpu; cpu++) {
		out_open_object(NULL);
		out_uint("cpu", "\n    cpu %llu", cpu);
		print_part(m, "value", m->value_type_id, all + cpu * stride, m->value_size);
		out_close_object();
	}
	out_close_array();
	free(all);
	return 0;
}

static int map_dump(const struct tcc_map *m, bool percpu)
{
	bool is_array = m->type == BPF_MAP_TYPE_ARRAY || m->type == BPF_MAP_TYPE_PERCPU_ARRAY;
	void *key = calloc(1, m->key_size), *next = calloc(1, m->key_size);
	void *val = calloc(1, m->value_size);
	void *prev = NULL;
	int err = 0;

	if (!key || !next || !val) {
		err = -ENOMEM;
		goto out;
	}
	out_open_array("entries");
	while (!bpf_map_get_next_key(m->fd, prev, next)) {
		memcpy(key, next, m->key_size);
		prev = key;
		err = tcc_map_lookup(m, key, val);
		if (err == -ENOENT)
			continue;	/* deleted while we walked */
		if (err)
			break;
		/* An array always has max_entries slots; untouched ones say
		 * nothing.
		 */
		if (is_array && all_zero(val, m->value_size) && m->max_entries > 1)
			continue;
		out_open_object(NULL);
		print_part(m, "key", m->key_type_id, key, m->key_size);
		if (percpu)
			err = print_cpus(m, key);
		else
			print_part(m, "value", m->value_type_id, val, m->value_size);
		out_text("\n");
		out_close_object();
		if (err)
			break;
	}
	out_close_array();
out:
	free(key);
	free(next);
	free(val);
	return err;
}

struct list_args {
	const struct tcc_chain *chain;
	__u32 slot;
};

static int list_cb(const char *name, void *arg)
{
	struct list_args *a = arg;
	struct tcc_map m;
	const char *type;

	if (tcc_map_open(a->chain, a->slot, name, &m))
		return 0;
	type = libbpf_bpf_map_type_str(m.type);
	out_open_object(NULL);
	out_string("name", "  %-16s", name);
	out_string("type", " %-14s", type ? type : "?");
	out_uint("key_size", " key %llu", m.key_size);
	out_uint("value_size", " value %llu", m.value_size);
	out_uint("max_entries", " max_entries %llu", m.max_entries);
	out_bool("per_cpu", " (per CPU, shown summed)", m.ncpu > 0);
	out_text("\n");
	out_close_object();
	tcc_map_close(&m);
	return 0;
}

/* SLOT MAP? then dev/dir; fills the chain and the map name. */
static int parse_slot_map_args(int *argc, char ***argv, bool need_map, __u32 *slot,
			       const char **map, const char *what)
{
	enum tcc_dir dir;

	if (*argc < 1) {
		p_err("%s: SLOT is required", what);
		return -1;
	}
	if (parse_u32((*argv)[0], "slot", 0, TCC_MAX_SLOTS - 1, slot))
		return -1;
	(*argc)--, (*argv)++;
	*map = NULL;
	if (*argc > 0 && !is_kw((*argv)[0], "dev") && tcc_dir_parse((*argv)[0], &dir)) {
		*map = (*argv)[0];
		(*argc)--, (*argv)++;
	}
	if (need_map && !*map) {
		p_err("%s: MAP is required (see '%s map show %u')", what, bin_name, *slot);
		return -1;
	}
	return 0;
}

static struct tcc_chain *parse_slot_map(int *argc, char ***argv, bool need_map, __u32 *slot,
					const char **map, struct target *t, const char *what)
{
	if (parse_slot_map_args(argc, argv, need_map, slot, map, what))
		return NULL;
	return target_chain(t, what);
}

/* Strip "dev DEV [DIR]" / "DIR" from the end of the arguments. */
static int split_target(int argc, char **argv, struct target *t)
{
	for (int i = 0; i < argc; i++) {
		enum tcc_dir d;

		if (is_kw(argv[i], "dev") || !tcc_dir_parse(argv[i], &d)) {
			int used = parse_target(argc - i, argv + i, t);

			if (used < 0)
				return -1;
			if (i + used != argc) {
				p_err("unexpected '%s' after the device", argv[i + used]);
				return -1;
			}
			return i;
		}
	}
	return argc;
}

struct show_args {
	__u32 slot;
	const char *name;
	bool percpu;
	char why[160];		/* why the last chain had nothing to show */
};

/* One chain's maps of the slot, or one map's entries; 0 when the chain
 * has no such stage or map. */
static int map_show_cb(struct tcc_chain *chain, void *arg)
{
	struct show_args *a = arg;
	struct list_args la = { .chain = chain, .slot = a->slot };
	struct tcc_map m;
	int err;

	if (tcc_stage_info(chain, a->slot, &(struct tcc_stage_info){})) {
		snprintf(a->why, sizeof(a->why), "slot %u is empty", a->slot);
		return 0;
	}
	if (a->name) {
		err = tcc_map_open(chain, a->slot, a->name, &m);
		if (err) {
			snprintf(a->why, sizeof(a->why), "cannot open map '%s' of slot %u: %s",
				 a->name, a->slot, strerror(-err));
			return 0;
		}
		if (a->percpu && !m.ncpu) {
			p_err("cannot show map '%s' per CPU: it is not a per-CPU map", a->name);
			tcc_map_close(&m);
			return -ECANCELED;
		}
	}
	out_open_object(NULL);
	out_chain_id(chain, " %s: ");
	out_uint("slot", "slot %llu", a->slot);
	if (!a->name) {
		out_text("\n");
		out_open_array("maps");
		err = tcc_stage_maps(chain, a->slot, list_cb, &la);
		out_close_array();
	} else {
		out_string("map", " map %s", a->name);
		out_text("\n");
		err = map_dump(&m, a->percpu);
		tcc_map_close(&m);
	}
	out_close_object();
	if (err) {
		p_fail(err, "cannot read the maps of slot %u", a->slot);
		return -ECANCELED;
	}
	return 1;
}

static int do_map_show(int argc, char **argv)
{
	struct show_args a = {};
	struct target t = {};
	int shown;

	argc = split_target(argc, argv, &t);
	if (argc < 0)
		return -1;
	if (argc == 3 && is_kw(argv[2], "percpu")) {
		a.percpu = true;
		argc--;
	}
	if (argc > 2) {
		p_err("map show: unknown keyword '%s'", argv[2]);
		return -1;
	}
	if (parse_slot_map_args(&argc, &argv, false, &a.slot, &a.name, "show maps"))
		return -1;
	shown = foreach_target_chain(&t, "show maps", map_show_cb, &a);
	if (shown == 0)
		p_err("cannot show maps: %s", a.why);
	return shown > 0 ? 0 : -1;
}

/* FIELD=VALUE (or a bare VALUE for a scalar) words up to the next keyword. */
static int set_fields(const struct tcc_map *m, __u32 type_id, void *data, int *argc,
		      char ***argv, const char *what)
{
	char err[256];
	int n = 0;

	if (!m->btf || !type_id) {
		p_err("map %s has no BTF: its %s cannot be given by field names", m->name, what);
		return -1;
	}
	const char *names[64];

	while (*argc > 0 && !is_kw((*argv)[0], "value") && !is_kw((*argv)[0], "key")) {
		char *arg = (*argv)[0], *eq = strchr(arg, '=');
		const char *name = "", *value = arg;

		if (eq) {
			*eq = '\0';
			name = arg;
			value = eq + 1;
		}
		for (int i = 0; i < n && i < (int)ARRAY_SIZE(names); i++) {
			if (!strcmp(names[i], name)) {
				p_err("map %s %s: field '%s' is given twice", m->name, what,
				      *name ? name : "(the whole value)");
				return -1;
			}
		}
		if (n < (int)ARRAY_SIZE(names))
			names[n] = name;
		if (tcc_btf_set(m->btf, type_id, data, name, value, err, sizeof(err))) {
			p_err("map %s %s: %s", m->name, what, err);
			return -1;
		}
		(*argc)--, (*argv)++;
		n++;
	}
	if (!n) {
		p_err("map %s: '%s' needs FIELD=VALUE", m->name, what);
		return -1;
	}
	return 0;
}

/* The words of argv up to the keyword stop (or the end), joined by spaces;
 * -E2BIG if they do not fit.
 */
static int join_words(int argc, char **argv, const char *stop, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < argc && (!stop || !is_kw(argv[i], stop)); i++)
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s",
				 used ? " " : "", argv[i]);
	return used < len ? 0 : -E2BIG;
}

static int map_edit(int argc, char **argv, bool del)
{
	const char *what = del ? "delete map entry" : "set map entry";
	struct tcc_chain *chain;
	struct target t = {};
	const char *name;
	__u32 slot;
	int err;

	argc = split_target(argc, argv, &t);
	if (argc < 0)
		return -1;
	chain = parse_slot_map(&argc, &argv, true, &slot, &name, &t, what);
	if (!chain)
		return -1;
	err = map_edit_chain(chain, slot, name, argc, argv, del);
	tcc_chain_close(chain);
	return err;
}

/*
 * The record save prints (tcchain/lib/record.c) is edited before the map, so
 * that a record that cannot take the entry refuses the command with the map
 * untouched; @old keeps the record as it was, to put back if the kernel
 * then refuses.  In-memory chains keep no record.
 */
static int record_first(struct tcc_chain *chain, __u32 slot, const char *name,
			const char *kwords, const char *vwords, char *old, const char *what,
			bool *recorded)
{
	int err;

	if (!old) {
		p_err("cannot %s: out of memory", what);
		return -1;
	}
	err = tcc_map_record_get(chain, slot, old, TCC_MAP_RECORD_SIZE);
	if (!err)
		err = tcc_map_record_edit(chain, slot, name, kwords, vwords);
	if (err == -EOPNOTSUPP)
		return 0;
	if (err == -E2BIG) {
		p_err("cannot %s: slot %u's record of map entries for save is full (%d bytes)",
		      what, slot, TCC_MAP_RECORD_SIZE);
		return -1;
	}
	if (err) {
		p_fail(err, "cannot %s: cannot record it for save", what);
		return -1;
	}
	*recorded = true;
	return 0;
}

int map_edit_chain(struct tcc_chain *chain, __u32 slot, const char *name, int argc,
		   char **argv, bool del)
{
	const char *what = del ? "delete map entry" : "set map entry";
	char kwords[TCC_MAP_RECORD_SIZE] = "", vwords[TCC_MAP_RECORD_SIZE] = "";
	void *key = NULL, *val = NULL;
	char *rec = malloc(TCC_MAP_RECORD_SIZE);
	struct tcc_map m = { .fd = -1 };
	bool recorded = false;
	int err = -1, rerr = 0;

	/* What the record keeps (set_fields cuts the words at '='). */
	if (argc > 0 && is_kw(argv[0], "key")) {
		rerr = join_words(argc - 1, argv + 1, "value", kwords, sizeof(kwords));
		for (int i = 1; i < argc; i++)
			if (is_kw(argv[i], "value"))
				rerr = rerr ?: join_words(argc - i - 1, argv + i + 1, NULL,
							  vwords, sizeof(vwords));
	}
	if (rerr) {
		p_err("cannot %s: the key and value words are too long to record for save",
		      what);
		goto out;
	}
	if (tcc_map_open(chain, slot, name, &m)) {
		p_err("cannot %s: slot %u has no map '%s'", what, slot, name);
		goto out;
	}
	key = calloc(1, m.key_size);
	val = calloc(1, m.value_size);
	if (!key || !val)
		goto out;
	if (argc < 1 || !is_kw(argv[0], "key")) {
		p_err("cannot %s: 'key FIELD=VALUE...' is required", what);
		goto out;
	}
	argc--, argv++;
	if (set_fields(&m, m.key_type_id, key, &argc, &argv, "key"))
		goto out;
	if (del) {
		if (argc > 0) {
			p_err("cannot %s: unexpected '%s'", what, argv[0]);
			goto out;
		}
		if (record_first(chain, slot, name, kwords, NULL, rec, what, &recorded))
			goto out;
		if (bpf_map_delete_elem(m.fd, key)) {
			cli_refused = errno != ENOENT;
			p_err("cannot %s in %s: %s", what, name,
			      errno == ENOENT ? "no such key" : strerror(errno));
			goto out;
		}
		err = 0;
		goto out;
	}
	if (argc < 1 || !is_kw(argv[0], "value")) {
		p_err("cannot %s: 'value FIELD=VALUE...' is required", what);
		goto out;
	}
	argc--, argv++;
	/* Start from the entry as it is: set changes only what it names. */
	tcc_map_lookup(&m, key, val);
	if (set_fields(&m, m.value_type_id, val, &argc, &argv, "value"))
		goto out;
	if (argc > 0) {
		p_err("cannot %s: unexpected '%s'", what, argv[0]);
		goto out;
	}
	if (record_first(chain, slot, name, kwords, vwords, rec, what, &recorded))
		goto out;
	err = tcc_map_update(&m, key, val);
	if (err) {
		cli_refused = true;
		p_fail(err, "cannot %s in %s", what, name);
		err = -1;
		goto out;
	}
out:
	/* The kernel refused: the record goes back to what it was. */
	if (err && recorded && tcc_map_record_set(chain, slot, rec))
		fprintf(stderr, "Warning: save may still show the entry that was refused\n");
	free(rec);
	free(key);
	free(val);
	if (m.fd >= 0)
		tcc_map_close(&m);
	return err;
}

static int map_set(int argc, char **argv)
{
	return map_edit(argc, argv, false);
}

static int map_del(int argc, char **argv)
{
	return map_edit(argc, argv, true);
}

/* set keeps the fields it does not name: a read-modify-write, locked. */
static int do_map_set(int argc, char **argv)
{
	return run_locked(map_set, argc, argv);
}

static int do_map_del(int argc, char **argv)
{
	return run_locked(map_del, argc, argv);
}

int do_map(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "show",   do_map_show },
		{ "list",   do_map_show },
		{ "set",    do_map_set },
		{ "update", do_map_set },
		{ "del",    do_map_del },
		{ "delete", do_map_del },
		{ "help",   do_map_help },
		{ 0 }
	};

	return cmd_select(cmds, argc, argv, do_map_help);
}
