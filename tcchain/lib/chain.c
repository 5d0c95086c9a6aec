// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Chains: the entry program and the shared maps, pinned and attached. */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tcchain/lib/internal.h"
#include "entry.skel.h"

static size_t config_map_len(void)
{
	size_t page = sysconf(_SC_PAGESIZE);

	return (sizeof(struct tcc_config) + page - 1) & ~(page - 1);
}

static struct tcc_chain *chain_alloc(void)
{
	struct tcc_chain *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->entry_fd = c->progs_fd = c->config_fd = -1;
	c->scratch_fd = c->stats_fd = c->meta_fd = -1;
	return c;
}

void tcc_chain_close(struct tcc_chain *c)
{
	if (!c)
		return;
	if (c->cfg)
		munmap(c->cfg, config_map_len());
	int *fds[] = { &c->entry_fd, &c->progs_fd, &c->config_fd,
		       &c->scratch_fd, &c->stats_fd, &c->meta_fd };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++)
		tcc__drop_maps(c, s);
	free(c->pin_dir);
	free(c);
}

/*
 * bpffs refuses names with a dot, so libbpf's "obj.rodata" style names of
 * global-data maps are pinned by their section: rodata, data, bss.
 */
const char *tcc__map_pin_name(const struct bpf_map *m)
{
	const char *name = bpf_map__name(m), *dot = strrchr(name, '.');

	return bpf_map__is_internal(m) && dot ? dot + 1 : name;
}

void tcc__drop_maps(struct tcc_chain *c, __u32 slot)
{
	for (int i = 0; i < c->n_kept[slot]; i++)
		close(c->kept[slot][i].fd);
	free(c->kept[slot]);
	c->kept[slot] = NULL;
	c->n_kept[slot] = 0;
}

int tcc__keep_maps(struct tcc_chain *c, __u32 slot, struct bpf_object *obj)
{
	struct tcc_kept_map *k;
	struct bpf_map *m;
	int n = 0;

	tcc__drop_maps(c, slot);
	bpf_object__for_each_map(m, obj)
		n++;
	k = calloc(n ?: 1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	c->kept[slot] = k;
	bpf_object__for_each_map(m, obj) {
		int fd = dup(bpf_map__fd(m));

		if (fd < 0)
			return -errno;
		snprintf(k->name, sizeof(k->name), "%s", tcc__map_pin_name(m));
		k->fd = fd;
		k++;
		c->n_kept[slot]++;
	}
	return 0;
}

int tcc__kept_map_fd(const struct tcc_chain *c, __u32 slot, const char *name)
{
	for (int i = 0; i < c->n_kept[slot]; i++)
		if (!strcmp(c->kept[slot][i].name, name))
			return dup(c->kept[slot][i].fd);
	return -ENOENT;
}

/*
 * next[] is written through a shared mapping of the config map, one
 * aligned 32-bit store per entry: the data plane never sees a torn entry.
 */
static int chain_map_config(struct tcc_chain *c)
{
	void *p = mmap(NULL, config_map_len(), PROT_READ | PROT_WRITE,
		       MAP_SHARED, c->config_fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	c->cfg = p;
	return 0;
}

int tcc__meta_read(const struct tcc_chain *c, __u32 row, struct tcc_meta *m)
{
	return bpf_map_lookup_elem(c->meta_fd, &row, m) ? -errno : 0;
}

int tcc__meta_write(const struct tcc_chain *c, __u32 row, const struct tcc_meta *m)
{
	return bpf_map_update_elem(c->meta_fd, &row, m, BPF_ANY) ? -errno : 0;
}

/* A prog array read from user space yields the program's id. */
__u32 tcc__slot_prog_id(const struct tcc_chain *c, __u32 slot)
{
	__u32 id = 0;

	if (bpf_map_lookup_elem(c->progs_fd, &slot, &id))
		return 0;
	return id;
}

void tcc__next_rebuild(struct tcc_chain *c, __u32 exclude)
{
	__u32 next = TCC_SLOT_END;
	int s;

	/* Walk backwards so each entry is the first occupied slot after it.
	 * Every intermediate state is a valid chain: each store points at a
	 * slot that is occupied (or being emptied, which costs one counted
	 * miss at worst).
	 */
	for (s = TCC_MAX_SLOTS - 1; s >= -1; s--) {
		if (__atomic_load_n(&c->cfg->next[s + 1], __ATOMIC_RELAXED) != next)
			__atomic_store_n(&c->cfg->next[s + 1], next, __ATOMIC_RELEASE);
		if (s >= 0 && (__u32)s != exclude && tcc__slot_prog_id(c, s))
			next = s;
	}
	__atomic_fetch_add(&c->cfg->generation, 1, __ATOMIC_RELEASE);
}

int tcc_chain_entry_fd(const struct tcc_chain *c) { return c->entry_fd; }
int tcc_chain_ifindex(const struct tcc_chain *c) { return c->ifindex; }
enum tcc_dir tcc_chain_dir(const struct tcc_chain *c) { return c->dir; }
const char *tcc_chain_pin_dir(const struct tcc_chain *c) { return c->pin_dir; }

int tcc_chain_map_fd(const struct tcc_chain *c, const char *name)
{
	if (!strcmp(name, TCC_MAP_PROGS))
		return c->progs_fd;
	if (!strcmp(name, TCC_MAP_CONFIG))
		return c->config_fd;
	if (!strcmp(name, TCC_MAP_SCRATCH))
		return c->scratch_fd;
	if (!strcmp(name, TCC_MAP_STATS))
		return c->stats_fd;
	return -ENOENT;
}

int tcc_chain_config(const struct tcc_chain *c, struct tcc_config *cfg)
{
	memcpy(cfg, c->cfg, sizeof(*cfg));
	return 0;
}

static int check_verdict(int v)
{
	return v == TC_ACT_OK || v == TC_ACT_SHOT || v == TC_ACT_UNSPEC ? 0 : -EINVAL;
}

struct tcc_chain *tcc_chain_load(struct tcc_ctx *ctx, const struct tcc_chain_opts *opts)
{
	struct tcc_config cfg = {
		.magic = TCC_ABI_MAGIC,
		.version = TCC_ABI_VERSION,
		.end_verdict = opts->end_verdict,
		.miss_verdict = opts->miss_verdict,
	};
	struct tcc_meta row = {
		.prio = opts->prio ?: TCC_DEFAULT_PRIO,
		.handle = opts->handle ?: TCC_DEFAULT_HANDLE,
	};
	struct tcc_entry_bpf *skel;
	struct tcc_chain *c;
	__u32 zero = 0;
	int err, i;

	tcc__clear(ctx);
	if (check_verdict(opts->end_verdict) || check_verdict(opts->miss_verdict)) {
		errno = EINVAL;
		return NULL;
	}
	c = chain_alloc();
	if (!c)
		return NULL;
	c->ifindex = opts->ifindex;
	c->dir = opts->dir;

	skel = tcc_entry_bpf__open_and_load();
	if (!skel) {
		err = -errno;
		tcc__fail(ctx, err, "cannot load the entry program");
		goto err;
	}
	/* Keep our own references: the skeleton goes, the objects stay. */
	c->entry_fd = dup(bpf_program__fd(skel->progs.tcc_entry));
	c->progs_fd = dup(bpf_map__fd(skel->maps.tcc_progs));
	c->config_fd = dup(bpf_map__fd(skel->maps.tcc_config));
	c->scratch_fd = dup(bpf_map__fd(skel->maps.tcc_scratch));
	c->stats_fd = dup(bpf_map__fd(skel->maps.tcc_stats));
	tcc_entry_bpf__destroy(skel);
	if (c->entry_fd < 0 || c->progs_fd < 0 || c->config_fd < 0 ||
	    c->scratch_fd < 0 || c->stats_fd < 0) {
		err = -EMFILE;
		goto err;
	}

	c->meta_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tcc_meta", sizeof(__u32),
				    sizeof(struct tcc_meta), TCC_META_ROWS, NULL);
	if (c->meta_fd < 0) {
		err = -errno;
		goto err;
	}
	for (i = 0; i <= TCC_MAX_SLOTS; i++)
		cfg.next[i] = TCC_SLOT_END;
	if (bpf_map_update_elem(c->config_fd, &zero, &cfg, BPF_ANY)) {
		err = -errno;
		goto err;
	}
	err = tcc__meta_write(c, TCC_META_CHAIN, &row);
	if (err)
		goto err;
	err = chain_map_config(c);
	if (err)
		goto err;
	return c;
err:
	tcc_chain_close(c);
	errno = -err;
	return NULL;
}

static int chain_pin(const struct tcc_chain *c, const char *dir)
{
	const struct { int fd; const char *name; } pins[] = {
		{ c->entry_fd,   TCC_PIN_ENTRY },
		{ c->progs_fd,   TCC_MAP_PROGS + 4 },	/* without "tcc_" */
		{ c->config_fd,  TCC_MAP_CONFIG + 4 },
		{ c->scratch_fd, TCC_MAP_SCRATCH + 4 },
		{ c->stats_fd,   TCC_MAP_STATS + 4 },
		{ c->meta_fd,    TCC_PIN_META },
	};
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(pins); i++) {
		err = tcc__pin_at(pins[i].fd, dir, pins[i].name);
		if (err)
			return err;
	}
	return 0;
}

static struct tcc_chain *chain_open_dir(const char *dir, int ifindex, enum tcc_dir d)
{
	struct tcc_chain *c = chain_alloc();
	struct tcc_config cfg;
	__u32 zero = 0;
	int err;

	if (!c)
		return NULL;
	c->ifindex = ifindex;
	c->dir = d;
	c->pin_dir = strdup(dir);
	c->entry_fd = tcc__obj_get_at(dir, TCC_PIN_ENTRY);
	c->progs_fd = tcc__obj_get_at(dir, TCC_MAP_PROGS + 4);
	c->config_fd = tcc__obj_get_at(dir, TCC_MAP_CONFIG + 4);
	c->scratch_fd = tcc__obj_get_at(dir, TCC_MAP_SCRATCH + 4);
	c->stats_fd = tcc__obj_get_at(dir, TCC_MAP_STATS + 4);
	c->meta_fd = tcc__obj_get_at(dir, TCC_PIN_META);
	int fds[] = { c->entry_fd, c->progs_fd, c->config_fd, c->scratch_fd,
		      c->stats_fd, c->meta_fd };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		if (fds[i] < 0) {
			err = fds[i];
			goto err;
		}
	}
	if (!c->pin_dir) {
		err = -ENOMEM;
		goto err;
	}
	if (bpf_map_lookup_elem(c->config_fd, &zero, &cfg)) {
		err = -errno;
		goto err;
	}
	if (cfg.magic != TCC_ABI_MAGIC || cfg.version != TCC_ABI_VERSION) {
		err = -EPROTO;
		goto err;
	}
	err = chain_map_config(c);
	if (err)
		goto err;
	return c;
err:
	tcc_chain_close(c);
	errno = -err;
	return NULL;
}

struct tcc_chain *tcc_chain_open(struct tcc_ctx *ctx, int ifindex, enum tcc_dir d)
{
	char dir[PATH_MAX];
	struct tcc_chain *c;
	struct stat st;
	int err;

	err = tcc__chain_dir(dir, sizeof(dir), ifindex, d);
	if (err) {
		errno = -err;
		return NULL;
	}
	if (stat(dir, &st)) {
		errno = ENOENT;
		return NULL;
	}
	c = chain_open_dir(dir, ifindex, d);
	if (!c && errno == EPROTO)
		tcc__fail(ctx, -EPROTO, "pinned chain in %s has another ABI (this tcchain speaks v%d)",
			  dir, TCC_ABI_VERSION);
	return c;
}

struct find_filter {
	__u16 prio;
	__u32 handle;
	bool found;
	struct tcc_nl_filter_info info;
};

static int find_filter_cb(const struct tcc_nl_filter_info *f, void *arg)
{
	struct find_filter *ff = arg;

	/* Filters of other tc chains at the same prio/handle are not ours. */
	if (f->chain || f->prio != ff->prio || f->handle != ff->handle)
		return 0;
	ff->found = true;
	ff->info = *f;
	return 1;
}

/* The filter at (prio, handle) on the hook: 1 found, 0 absent, -errno. */
static int hook_filter_get(struct tcc_ctx *ctx, int ifindex, enum tcc_dir d,
			   __u16 prio, __u32 handle, struct tcc_nl_filter_info *out)
{
	struct find_filter ff = { .prio = prio, .handle = handle };
	struct tcc_nl *nl = tcc__nl(ctx);
	int err;

	if (!nl)
		return -errno;
	err = tcc_nl_filter_dump(nl, ifindex, tcc_nl_hook_parent((enum tcc_nl_hook)d),
				 find_filter_cb, &ff);
	if (err < 0)
		return tcc__nl_fail(ctx, err);
	if (ff.found && out)
		*out = ff.info;
	return ff.found;
}

static int count_cb(const struct tcc_nl_filter_info *f, void *arg)
{
	(void)f;
	(*(int *)arg)++;
	return 0;
}

static int hook_filter_count(struct tcc_ctx *ctx, int ifindex)
{
	struct tcc_nl *nl = tcc__nl(ctx);
	int n = 0, err;

	if (!nl)
		return -errno;
	for (int h = TCC_NL_INGRESS; h <= TCC_NL_EGRESS; h++) {
		err = tcc_nl_filter_dump(nl, ifindex, tcc_nl_hook_parent(h), count_cb, &n);
		if (err < 0)
			return err;
	}
	return n;
}

static __u32 fd_prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

/* Is the chain's entry the program of the filter at its prio/handle? */
static int chain_attached(struct tcc_ctx *ctx, const struct tcc_chain *c)
{
	struct tcc_nl_filter_info f;
	struct tcc_meta row;
	int err;

	err = tcc__meta_read(c, TCC_META_CHAIN, &row);
	if (err)
		return err;
	err = hook_filter_get(ctx, c->ifindex, c->dir, row.prio, row.handle, &f);
	if (err <= 0)
		return err;
	return f.has_prog && f.prog_id == fd_prog_id(c->entry_fd);
}

/*
 * Under the lock, before a change to a pinned chain: the chain opened
 * before the lock was taken must still be the one in bpffs (another
 * tcchain may have deleted or replaced it meanwhile; its entry program
 * says which), and it must still be attached: a change to a chain whose
 * filter is gone would exit 0 and do nothing to any packet.
 */
int tcc__chain_check(struct tcc_ctx *ctx, const struct tcc_chain *c)
{
	char name[IF_NAMESIZE] = "";
	const char *dir = tcc_dir_str(c->dir);
	int fd, err;
	__u32 id;

	if (!c->pin_dir)
		return 0;
	fd = tcc__obj_get_at(c->pin_dir, TCC_PIN_ENTRY);
	id = fd >= 0 ? fd_prog_id(fd) : 0;
	if (fd >= 0)
		close(fd);
	if (!id || id != fd_prog_id(c->entry_fd))
		return tcc__fail(ctx, -ESTALE,
				 "the chain was deleted or replaced while this command waited for the lock");
	if (!if_indextoname(c->ifindex, name))
		return tcc__fail(ctx, -ENOLINK,
				 "the chain is detached: its device (ifindex %d) is gone; remove it with 'tcchain prune'",
				 c->ifindex);
	err = chain_attached(ctx, c);
	if (err < 0)
		return err;
	if (!err)
		return tcc__fail(ctx, -ENOLINK,
				 "the chain is detached (its filter on %s %s is gone); re-attach it with 'tcchain add dev %s %s' (which replaces it) or remove it with 'tcchain del dev %s %s' or 'tcchain prune'",
				 name, dir, name, dir, name, dir);
	return 0;
}

static void dev_dir(char *buf, size_t len, const char *chain_dir)
{
	char *slash;

	snprintf(buf, len, "%s", chain_dir);
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
}

/*
 * After a chain's pins are gone: when no chain is left on the device,
 * delete the clsact if tcchain created it and no filter of anyone remains.
 */
static void dev_cleanup(struct tcc_ctx *ctx, int ifindex, const char *devdir)
{
	char path[PATH_MAX];
	struct stat st;
	int n;

	for (int d = TCC_INGRESS; d <= TCC_EGRESS; d++) {
		if (path_fmt(path, "%s/%s", devdir, tcc_dir_str(d)) || !stat(path, &st))
			return;
	}
	if (!path_fmt(path, "%s/%s", devdir, TCC_PIN_OWN_QDISC) && !stat(path, &st)) {
		n = hook_filter_count(ctx, ifindex);
		if (n == 0 && ctx->nl)
			tcc_nl_qdisc_clsact_del(ctx->nl, ifindex);
		rmdir(path);
	}
	/* The device's directory, then the namespace's if that was the last. */
	if (!rmdir(devdir) && !path_fmt(path, "%s", devdir) && strrchr(path, '/')) {
		*strrchr(path, '/') = '\0';
		rmdir(path);
	}
}

/* "SLOT PROG, ..." of the occupied slots, for the line about a replaced chain. */
static void stage_list(const struct tcc_chain *c, char *buf, size_t len)
{
	struct tcc_meta m;
	size_t used = 0;

	buf[0] = '\0';
	for (__u32 slot = 0; slot < TCC_MAX_SLOTS && used < len; slot++) {
		if (tcc__meta_read(c, slot, &m) || !m.prog_id)
			continue;
		used += snprintf(buf + used, len - used, "%s%u %s", used ? ", " : "",
				 slot, m.prog[0] ? m.prog : "?");
	}
}

int tcc_chain_add(struct tcc_ctx *ctx, const struct tcc_chain_opts *opts)
{
	char dir[PATH_MAX], devdir[PATH_MAX], own[PATH_MAX];
	__u16 prio = opts->prio ?: TCC_DEFAULT_PRIO;
	__u32 handle = opts->handle ?: TCC_DEFAULT_HANDLE;
	bool made_qdisc = false, made_dir = false, replaced = false;
	char stages[sizeof(ctx->warning) - 64] = "";
	struct tcc_nl_filter_info fi;
	struct tcc_nl_qdisc q;
	struct tcc_chain *c = NULL;
	struct tcc_nl *nl;
	struct stat st;
	int lock, err;

	tcc__clear(ctx);
	nl = tcc__nl(ctx);
	if (!nl)
		return -errno;
	lock = tcc__lock_ctx(ctx);
	if (lock < 0)
		return lock;

	err = tcc__chain_dir(dir, sizeof(dir), opts->ifindex, opts->dir);
	if (err)
		goto out;
	dev_dir(devdir, sizeof(devdir), dir);

	if (!stat(dir, &st)) {
		struct tcc_meta row = {};

		/* Pins that cannot be opened (another ABI, no fds left, a
		 * missing pin) may belong to a chain that runs: never
		 * remove them on a guess.
		 */
		c = chain_open_dir(dir, opts->ifindex, opts->dir);
		if (!c) {
			err = -errno;
			err = tcc__fail(ctx, err == -EPROTO ? -EEXIST : err,
					"the chain pinned in %s cannot be opened (%s); it is left as it is",
					dir, err == -EPROTO ? "it has another ABI" : strerror(-err));
			goto out;
		}
		err = chain_attached(ctx, c);
		tcc__meta_read(c, TCC_META_CHAIN, &row);
		if (!err)
			stage_list(c, stages, sizeof(stages));
		tcc_chain_close(c);
		c = NULL;
		if (err < 0)
			goto out;
		if (err > 0) {
			err = tcc__fail(ctx, -EEXIST, "a chain already exists there (prio %u handle 0x%x)",
					row.prio, row.handle);
			goto out;
		}
		/* Proven stale: its entry program is not the filter at its
		 * prio/handle (a device that went away and whose ifindex was
		 * reused, or a filter deleted behind our back).  Replace it,
		 * and say what was dropped.
		 */
		tcc__rm_rf(dir);
		replaced = true;
	}

	err = tcc_nl_qdisc_ingress_get(nl, opts->ifindex, &q);
	if (err == -ENOENT) {
		made_qdisc = true;
	} else if (err) {
		err = tcc__nl_fail(ctx, err);
		goto out;
	} else if (strcmp(q.kind, "clsact")) {
		err = tcc__fail(ctx, -EBUSY,
				"the device has a '%s' qdisc where clsact goes; tcchain needs clsact",
				q.kind);
		goto out;
	}
	if (!made_qdisc) {
		err = hook_filter_get(ctx, opts->ifindex, opts->dir, prio, handle, &fi);
		if (err < 0)
			goto out;
		if (err > 0) {
			err = tcc__fail(ctx, -EEXIST,
					"a %s filter%s%s already sits at prio %u handle 0x%x",
					fi.kind, fi.name[0] ? " " : "", fi.name, prio, handle);
			goto out;
		}
	}

	c = tcc_chain_load(ctx, opts);
	if (!c) {
		err = -errno;
		goto out;
	}
	err = tcc__mkdir_p(dir);
	if (err)
		goto undo;
	made_dir = true;
	err = chain_pin(c, dir);
	if (err)
		goto undo;

	if (made_qdisc) {
		err = tcc_nl_qdisc_clsact_add(nl, opts->ifindex);
		if (err) {
			err = tcc__nl_fail(ctx, err);
			made_qdisc = false;
			goto undo;
		}
		if (!path_fmt(own, "%s/%s", devdir, TCC_PIN_OWN_QDISC))
			mkdir(own, 0700);
	}
	err = tcc_nl_filter_add(nl, &(struct tcc_nl_filter){
		.ifindex = opts->ifindex,
		.parent = tcc_nl_hook_parent((enum tcc_nl_hook)opts->dir),
		.prio = prio,
		.handle = handle,
		.prog_fd = c->entry_fd,
		.name = "tcchain",
	});
	if (err) {
		err = tcc__nl_fail(ctx, err);
		goto undo;
	}
	if (replaced)
		tcc__warn(ctx, "replaced a detached chain (stages: %s)", stages[0] ? stages : "none");
	goto out;

undo:
	if (made_dir)
		tcc__rm_rf(dir);
	if (made_qdisc)
		dev_cleanup(ctx, opts->ifindex, devdir);
	else
		rmdir(devdir);	/* only if we left it empty */
out:
	tcc_chain_close(c);
	tcc__unlock(lock);
	return err;
}

int tcc_chain_del(struct tcc_ctx *ctx, int ifindex, enum tcc_dir d)
{
	char devdir[PATH_MAX];
	struct tcc_chain *c;
	struct tcc_meta row;
	int lock, err;

	tcc__clear(ctx);
	lock = tcc__lock_ctx(ctx);
	if (lock < 0)
		return lock;
	c = tcc_chain_open(ctx, ifindex, d);
	if (!c) {
		err = -errno;
		goto out;
	}
	err = chain_attached(ctx, c);
	if (err < 0 && err != -ENODEV)
		goto out;
	if (err > 0) {
		err = tcc__meta_read(c, TCC_META_CHAIN, &row);
		if (!err)
			err = tcc_nl_filter_del(ctx->nl, ifindex,
						tcc_nl_hook_parent((enum tcc_nl_hook)d),
						row.prio, row.handle);
		if (err) {
			err = tcc__nl_fail(ctx, err);
			goto out;
		}
	}
	err = tcc__rm_rf(c->pin_dir);
	if (err)
		goto out;
	dev_dir(devdir, sizeof(devdir), c->pin_dir);
	dev_cleanup(ctx, ifindex, devdir);
out:
	tcc_chain_close(c);
	tcc__unlock(lock);
	return err;
}

int tcc_chain_info(struct tcc_ctx *ctx, const struct tcc_chain *c, struct tcc_chain_info *info)
{
	char devdir[PATH_MAX], path[PATH_MAX];
	struct tcc_meta row;
	struct stat st;
	int err;

	memset(info, 0, sizeof(*info));
	tcc_netns_id(&info->netns);
	info->ifindex = c->ifindex;
	info->dir = c->dir;
	if (!if_indextoname(c->ifindex, info->ifname))
		info->ifname[0] = '\0';
	err = tcc__meta_read(c, TCC_META_CHAIN, &row);
	if (err)
		return err;
	info->prio = row.prio;
	info->handle = row.handle;
	info->entry_id = fd_prog_id(c->entry_fd);
	info->end_verdict = c->cfg->end_verdict;
	info->miss_verdict = c->cfg->miss_verdict;
	if (info->ifname[0]) {
		err = chain_attached(ctx, c);
		info->attached = err > 0;
	}
	if (c->pin_dir) {
		dev_dir(devdir, sizeof(devdir), c->pin_dir);
		info->owns_qdisc = !path_fmt(path, "%s/%s", devdir, TCC_PIN_OWN_QDISC) &&
				   !stat(path, &st);
	}
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* A chain whose pins cannot be opened: its place and why, nothing else. */
static struct tcc_chain *chain_unopenable(const char *dir, int ifindex, enum tcc_dir d, int err)
{
	struct tcc_chain *c = chain_alloc();

	if (!c)
		return NULL;
	c->ifindex = ifindex;
	c->dir = d;
	c->open_err = err;
	c->pin_dir = strdup(dir);
	if (!c->pin_dir) {
		tcc_chain_close(c);
		return NULL;
	}
	return c;
}

int tcc_chain_open_err(const struct tcc_chain *c) { return c->open_err; }

static int chain_walk(int (*cb)(struct tcc_chain *, void *), void *arg, bool all)
{
	char nsdir[PATH_MAX], dir[PATH_MAX];
	int *ifs = NULL, n = 0, err = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;

	err = tcc__netns_dir(nsdir, sizeof(nsdir));
	if (err)
		return err;
	d = opendir(nsdir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char *end;
		long v = strtol(de->d_name, &end, 10);
		int *grown;

		if (*end || v <= 0)
			continue;
		grown = realloc(ifs, (n + 1) * sizeof(*ifs));
		if (!grown) {
			closedir(d);
			free(ifs);
			return -ENOMEM;
		}
		ifs = grown;
		ifs[n++] = v;
	}
	closedir(d);
	qsort(ifs, n, sizeof(ifs[0]), cmp_int);

	for (int i = 0; i < n; i++) {
		for (int dd = TCC_INGRESS; dd <= TCC_EGRESS; dd++) {
			struct tcc_chain *c;

			if (path_fmt(dir, "%s/%d/%s", nsdir, ifs[i], tcc_dir_str(dd)) ||
			    stat(dir, &st))
				continue;
			c = chain_open_dir(dir, ifs[i], dd);
			if (!c && all)
				c = chain_unopenable(dir, ifs[i], dd, -errno);
			if (!c)
				continue;
			err = cb(c, arg);
			tcc_chain_close(c);
			if (err)
				goto out;
		}
	}
out:
	free(ifs);
	return err;
}

int tcc_chain_foreach(struct tcc_ctx *ctx, int (*cb)(struct tcc_chain *, void *), void *arg)
{
	(void)ctx;
	return chain_walk(cb, arg, false);
}

int tcc_chain_foreach_all(struct tcc_ctx *ctx, int (*cb)(struct tcc_chain *, void *), void *arg)
{
	(void)ctx;
	return chain_walk(cb, arg, true);
}

struct prune {
	struct tcc_ctx *ctx;
	char dirs[2 * TCC_MAX_SLOTS][PATH_MAX];
	int ifindex[2 * TCC_MAX_SLOTS];
	int n;
	bool more;
};

static int prune_cb(struct tcc_chain *c, void *arg)
{
	struct prune *p = arg;
	char name[IF_NAMESIZE];
	int attached = 0;

	if (if_indextoname(c->ifindex, name))
		attached = chain_attached(p->ctx, c);
	if (attached < 0)
		return attached;
	if (attached)
		return 0;
	if (p->n == (int)ARRAY_SIZE(p->ifindex)) {
		p->more = true;
		return 1;
	}
	snprintf(p->dirs[p->n], PATH_MAX, "%s", c->pin_dir);
	p->ifindex[p->n++] = c->ifindex;
	return 0;
}

int tcc_chain_prune(struct tcc_ctx *ctx, int *removed)
{
	struct prune *p = calloc(1, sizeof(*p));
	char devdir[PATH_MAX];
	int lock, err;

	*removed = 0;
	tcc__clear(ctx);
	if (!p)
		return -ENOMEM;
	p->ctx = ctx;
	lock = tcc__lock_ctx(ctx);
	if (lock < 0) {
		free(p);
		return lock;
	}
	do {
		p->n = 0;
		p->more = false;
		err = tcc_chain_foreach(ctx, prune_cb, p);
		if (err < 0)
			break;
		err = 0;
		for (int i = 0; i < p->n && !err; i++) {
			err = tcc__rm_rf(p->dirs[i]);
			dev_dir(devdir, sizeof(devdir), p->dirs[i]);
			/* A gone device took its clsact along; a live one keeps
			 * it unless tcchain made it and it is empty.
			 */
			dev_cleanup(ctx, p->ifindex[i], devdir);
			(*removed)++;
		}
	} while (!err && p->more);
	tcc__unlock(lock);
	free(p);
	return err;
}
