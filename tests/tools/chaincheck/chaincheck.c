// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * chaincheck: does a chain's kernel and bpffs state agree with itself?
 * For the crash test (tests/netns/test_crash.sh); run inside the chain's
 * network namespace.  Reads the raw objects, not through libtcchain.
 *
 *   chaincheck IFNAME DEVDIR
 *
 * DEVDIR is the device's pin directory (.../tcchain/NETNS/IFINDEX); the
 * ingress chain is DEVDIR/ingress.  Prints one "BROKEN: ..." line per
 * disagreement, then "chain=none" or "chain=yes progs=SLOT=ID,...".
 * Exits 0 whatever it finds (1 on a usage or system error).
 */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "netlink/tcnl.h"
#include "tcchain/abi.h"

static __u32 prog_id_of(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static __u32 pinned_id(const char *path)
{
	int fd = bpf_obj_get(path);
	__u32 id;

	if (fd < 0)
		return 0;
	id = prog_id_of(fd);
	close(fd);
	return id;
}

static bool half_done(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && (!strcmp(name + n - 4, "-new") || !strcmp(name + n - 4, "-old") ||
			  !strcmp(name + n - 4, "-del"))) ||
	       (n > 5 && !strcmp(name + n - 5, "-next"));
}

/* Half-done names in dir and one level below. */
static void markers(const char *dir, int depth)
{
	char sub[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		if (half_done(de->d_name))
			printf("BROKEN: half-done pins: %s\n", sub);
		else if (depth && de->d_type == DT_DIR)
			markers(sub, depth - 1);
	}
	closedir(d);
}

struct filters {
	int n;
	__u32 id;
};

static int filter_cb(const struct tcc_nl_filter_info *f, void *arg)
{
	struct filters *fs = arg;

	if (f->has_prog && !strcmp(f->name, "tcchain")) {
		fs->n++;
		fs->id = f->prog_id;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char dir[320], path[400], list[512] = "";
	struct tcc_config cfg;
	struct tcc_nl_qdisc q;
	struct filters fs = {};
	__u32 arr[TCC_MAX_SLOTS] = {}, pin[TCC_MAX_SLOTS] = {}, entry, want, zero = 0;
	struct tcc_nl *nl;
	struct stat st;
	int ifindex, progs, config, clsact, next;
	size_t used = 0;

	if (argc != 3 || strlen(argv[2]) > 300) {
		fprintf(stderr, "usage: chaincheck IFNAME DEVDIR (of up to 300 characters)\n");
		return 1;
	}
	ifindex = if_nametoindex(argv[1]);
	nl = tcc_nl_open();
	if (!ifindex || !nl) {
		fprintf(stderr, "chaincheck: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/ingress", argv[2]);
	markers(argv[2], 1);
	snprintf(path, sizeof(path), "%s/prev/prev", dir);
	if (!stat(path, &st))
		printf("BROKEN: a generation older than prev/ is left\n");
	tcc_nl_filter_dump(nl, ifindex, tcc_nl_hook_parent(TCC_INGRESS), filter_cb, &fs);
	clsact = !tcc_nl_qdisc_ingress_get(nl, ifindex, &q) && !strcmp(q.kind, "clsact");

	if (stat(dir, &st)) {
		if (fs.n)
			printf("BROKEN: a tcchain filter (prog %u) without pins\n", fs.id);
		if (clsact)
			printf("BROKEN: a clsact without a chain\n");
		if (!stat(argv[2], &st))
			printf("BROKEN: the device's pin directory is left\n");
		printf("chain=none\n");
		return 0;
	}
	snprintf(path, sizeof(path), "%s/entry", dir);
	entry = pinned_id(path);
	if (fs.n != 1 || fs.id != entry)
		printf("BROKEN: %d tcchain filters (prog %u), the entry pin is prog %u\n",
		       fs.n, fs.id, entry);
	if (!clsact)
		printf("BROKEN: no clsact under the chain\n");

	snprintf(path, sizeof(path), "%s/progs", dir);
	progs = bpf_obj_get(path);
	snprintf(path, sizeof(path), "%s/config", dir);
	config = bpf_obj_get(path);
	if (progs < 0 || config < 0 || bpf_map_lookup_elem(config, &zero, &cfg)) {
		printf("BROKEN: the chain's maps cannot be read\nchain=yes\n");
		return 0;
	}
	/* A slot is occupied when it has a pin directory; its index must
	 * hold that program, and each hole before it the same one (the
	 * dispatch fills holes with the next stage's program).
	 */
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		snprintf(path, sizeof(path), "%s/slot-%02u", dir, s);
		if (stat(path, &st))
			continue;
		snprintf(path, sizeof(path), "%s/slot-%02u/prog", dir, s);
		pin[s] = pinned_id(path);
		if (!pin[s])
			pin[s] = ~0U;
	}
	next = TCC_SLOT_END;
	for (int s = TCC_MAX_SLOTS - 1; s >= -1; s--) {
		if (cfg.next[s + 1] != (__u32)next)
			printf("BROKEN: next[%d] is %u, the first occupied slot after %d is %d\n",
			       s + 1, cfg.next[s + 1], s, next);
		if (s < 0)
			break;
		bpf_map_lookup_elem(progs, &s, &arr[s]);
		if (pin[s])
			next = s;
		want = next < TCC_SLOT_END ? pin[next] : 0;
		if (arr[s] != want)
			printf("BROKEN: index %d: prog array %u, %s %d\n", s, arr[s],
			       pin[s] ? "pinned" : "the next stage's program", (int)want);
	}
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++)
		if (pin[s] && arr[s] && used < sizeof(list))
			used += snprintf(list + used, sizeof(list) - used, "%s%u=%u",
					 used ? "," : "", s, arr[s]);
	printf("chain=yes progs=%s\n", list);
	return 0;
}
