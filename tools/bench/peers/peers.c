// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * peers: the loaders of the peers bench part (tools/bench/peers.sh), the
 * ways users put several programs on one tc hook without tcchain.
 *
 *   peers tcx DEV N FILTER_OBJ
 *	N programs on DEV's ingress with BPF_LINK_CREATE, BPF_TCX_INGRESS
 *	(kernel >= 6.6; libbpf 1.1.2 has no wrapper, so the raw attach type
 *	through bpf_link_create()): filter_next of FILTER_OBJ N-1 times
 *	(TC_ACT_UNSPEC = TCX_NEXT), then filter_last (TC_ACT_OK), each loaded
 *	on its own with its own counter.
 *   peers freplace DEV N DISP_OBJ EXT_OBJ
 *	the freplace dispatcher (DISP_OBJ, num_progs = N) with stubs 0..N-1
 *	replaced by EXT_OBJ programs, as libxdp and bpfman do, attached as a
 *	cls_bpf direct-action filter (prio 1) on DEV's ingress (clsact made
 *	if missing; the filter is removed on exit).
 *   peers run-freplace N DISP_OBJ EXT_OBJ REPEAT ROUNDS
 *   peers run-id PROG_ID REPEAT ROUNDS
 *	BPF_PROG_TEST_RUN of the dispatcher with N extensions, or of a loaded
 *	program (tcchain's entry, the tc filter on the chain's hook), on a 64-byte-payload UDP/IPv4 frame:
 *	prints {"ns": [per round], "retval": R} (ns per packet).
 *   peers acl-list N ADDR
 *   peers acl-fill PROG_ID N ADDR
 *	the acl prefixes of the nftables comparison: ADDR/32 and N-1 /24s
 *	from 11.0.0.0 up (none of which holds a test address); acl-list
 *	prints them one a line (for the nft set), acl-fill puts them into
 *	the acl_src4 trie of acl program PROG_ID, each with one rule, id 1,
 *	drop, any protocol and port: one rule over a set of prefixes, as
 *	nftables' `ip saddr @set drop`.
 *
 * tcx and freplace print "ready" once attached, then wait: SIGUSR1 prints
 * one JSON line {"counts": [...]} (each program's bench_count summed over
 * CPUs, in attach order), SIGTERM or SIGINT print it and exit, which
 * detaches everything (links are not pinned).  Errors: one line, exit 1.
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../../bpf/stages/acl/acl.h"

/* include/uapi/linux/bpf.h of kernel 6.6, missing from libbpf 1.1.2's
 * headers.
 */
#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS	46
#endif
#define MAX_PROGS	64
#define MAX_STUBS	10

static struct bpf_object *objs[MAX_PROGS + 1];
static int n_objs;

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: peers: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level <= (getenv("PEERS_DEBUG") ? LIBBPF_DEBUG : LIBBPF_WARN) ? vfprintf(stderr, fmt, ap) : 0;
}

static int to_int(const char *s, int lo, int hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die("invalid number '%s' (want %d..%d)", s, lo, hi);
	return v;
}

/* Open FILE with only program PROG to be loaded. */
static struct bpf_object *open_one(const char *file, const char *prog,
				   struct bpf_program **out)
{
	struct bpf_program *p, *want = NULL;
	struct bpf_object *obj;

	obj = bpf_object__open_file(file, NULL);
	if (!obj)
		die("cannot open %s: %s", file, strerror(errno));
	bpf_object__for_each_program(p, obj) {
		if (!strcmp(bpf_program__name(p), prog))
			want = p;
		else
			bpf_program__set_autoload(p, false);
	}
	if (!want)
		die("%s has no program %s", file, prog);
	*out = want;
	return obj;
}

static void load(struct bpf_object *obj, const char *what)
{
	int err = bpf_object__load(obj);

	if (err)
		die("cannot load %s: %s", what, strerror(-err));
}

static unsigned long long count_of(struct bpf_object *obj)
{
	int ncpu = libbpf_num_possible_cpus(), fd, i;
	unsigned long long v[256], sum = 0;
	__u32 zero = 0;

	fd = bpf_object__find_map_fd_by_name(obj, "bench_count");
	if (fd < 0 || ncpu <= 0 || ncpu > 256 || bpf_map_lookup_elem(fd, &zero, v))
		return 0;
	for (i = 0; i < ncpu; i++)
		sum += v[i];
	return sum;
}

static void print_counts(int first)
{
	int i;

	printf("{\"counts\": [");
	for (i = first; i < n_objs; i++)
		printf("%s%llu", i > first ? ", " : "", count_of(objs[i]));
	printf("]}\n");
	fflush(stdout);
}

/* Counters of objs[first..] on SIGUSR1, until SIGTERM/SIGINT. */
static void wait_loop(int first)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (sigwait(&set, &sig))
			die("sigwait failed");
		print_counts(first);
		if (sig != SIGUSR1)
			return;
	}
}

static int ifindex_of(const char *dev)
{
	int ifindex = if_nametoindex(dev);

	if (!ifindex)
		die("no device '%s'", dev);
	return ifindex;
}

static int cmd_tcx(char **argv)
{
	int ifindex = ifindex_of(argv[0]), n = to_int(argv[1], 1, MAX_PROGS), i, fd;
	struct bpf_program *p;

	for (i = 0; i < n; i++) {
		objs[n_objs++] = open_one(argv[2], i == n - 1 ? "filter_last" : "filter_next", &p);
		load(objs[i], argv[2]);
		fd = bpf_link_create(bpf_program__fd(p), ifindex, BPF_TCX_INGRESS, NULL);
		if (fd < 0)
			die("BPF_LINK_CREATE BPF_TCX_INGRESS on %s (program %d): %s",
			    argv[0], i + 1, strerror(errno));
	}
	wait_loop(0);
	return 0;
}

/* objs[0]: the dispatcher with num_progs = n, objs[1..n]: its extensions. */
static int freplace_load(int n, const char *disp, const char *ext)
{
	struct bpf_program *p;
	struct bpf_map *ro;
	char stub[16];
	__u32 v = n;
	int dfd, i, err;

	objs[n_objs++] = open_one(disp, "peers_dispatcher", &p);
	ro = bpf_object__find_map_by_name(objs[0], ".rodata");
	if (!ro || bpf_map__set_initial_value(ro, &v, sizeof(v)))
		die("%s: cannot set num_progs", disp);
	load(objs[0], disp);
	dfd = bpf_program__fd(p);
	for (i = 0; i < n; i++) {
		snprintf(stub, sizeof(stub), "stub%d", i);
		objs[n_objs++] = open_one(ext, "peers_ext", &p);
		err = bpf_program__set_attach_target(p, dfd, stub);
		if (err)
			die("set_attach_target %s: %s", stub, strerror(-err));
		load(objs[n_objs - 1], ext);
		if (!bpf_program__attach_freplace(p, dfd, stub))
			die("attach_freplace %s: %s", stub, strerror(errno));
	}
	return dfd;
}

static int cmd_freplace(char **argv)
{
	int ifindex = ifindex_of(argv[0]), n = to_int(argv[1], 1, MAX_STUBS), dfd, err;
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1, .priority = 1);

	dfd = freplace_load(n, argv[2], argv[3]);
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		die("clsact on %s: %s", argv[0], strerror(-err));
	opts.prog_fd = dfd;
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		die("cls_bpf filter on %s: %s", argv[0], strerror(-err));
	wait_loop(1);
	opts.prog_fd = 0;
	opts.prog_id = 0;
	opts.flags = 0;
	bpf_tc_detach(&hook, &opts);
	return 0;
}

/* Ethernet + IPv4 + UDP + 64 bytes of payload, 10.0.0.1 -> 10.0.0.2. */
static size_t frame(unsigned char *buf)
{
	struct ethhdr *eth = (void *)buf;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	size_t len = sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + 64;

	memset(buf, 0, len);
	memset(eth->h_dest, 0x02, ETH_ALEN);
	memset(eth->h_source, 0x04, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(len - sizeof(*eth));
	ip->saddr = htonl(0x0a000001);
	ip->daddr = htonl(0x0a000002);
	udp->source = htons(4000);
	udp->dest = htons(5001);
	udp->len = htons(sizeof(*udp) + 64);
	return len;
}

static int test_run(int fd, int repeat, int rounds)
{
	unsigned char buf[256];
	int i, err;
	DECLARE_LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .repeat = repeat);

	o.data_size_in = frame(buf);
	printf("{\"ns\": [");
	for (i = 0; i < rounds; i++) {
		err = bpf_prog_test_run_opts(fd, &o);
		if (err)
			die("BPF_PROG_TEST_RUN: %s", strerror(errno));
		printf("%s%u", i ? ", " : "", o.duration);
	}
	printf("], \"retval\": %d}\n", (int)o.retval);
	return 0;
}

/* Prefix i of acl-list/acl-fill: 0 is ADDR/32, i > 0 the /24 11.0.0.0 + i - 1. */
static __u32 acl_prefix(int i, __u32 addr, int *len)
{
	*len = i ? 24 : 32;
	return i ? 0x0b000000 + ((__u32)(i - 1) << 8) : addr;
}

static __u32 parse_addr(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die("invalid IPv4 address '%s'", s);
	return ntohl(a.s_addr);
}

static int cmd_acl_list(int n, __u32 addr)
{
	struct in_addr a;
	char buf[INET_ADDRSTRLEN];
	int i, len;

	for (i = 0; i < n; i++) {
		a.s_addr = htonl(acl_prefix(i, addr, &len));
		printf("%s/%d\n", inet_ntop(AF_INET, &a, buf, sizeof(buf)), len);
	}
	return 0;
}

static int cmd_acl_fill(__u32 prog_id, int n, __u32 addr)
{
	struct acl_rules rules = { .n_rules = 1, .rules[0] = {
		.id = 1, .action = ACL_DROP, .dport_min = 0, .dport_max = 65535 } };
	__u32 map_ids[64], nr = 64, i;
	struct bpf_prog_info pi = { .nr_map_ids = nr, .map_ids = (__u64)(unsigned long)map_ids };
	struct bpf_map_info mi;
	__u32 len = sizeof(pi);
	struct acl_key4 key;
	int fd, mfd = -1, plen, k;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &pi, &len))
		die("program id %u: %s", prog_id, strerror(errno));
	for (i = 0; i < pi.nr_map_ids && i < nr && mfd < 0; i++) {
		int m = bpf_map_get_fd_by_id(map_ids[i]);

		len = sizeof(mi);
		memset(&mi, 0, sizeof(mi));
		if (m >= 0 && !bpf_obj_get_info_by_fd(m, &mi, &len) &&
		    !strcmp(mi.name, "acl_src4"))
			mfd = m;
		else if (m >= 0)
			close(m);
	}
	if (mfd < 0)
		die("program id %u has no map acl_src4", prog_id);
	if ((int)mi.max_entries < n)
		die("acl_src4 holds %u prefixes, %d asked", mi.max_entries, n);
	for (k = 0; k < n; k++) {
		__u32 a = htonl(acl_prefix(k, addr, &plen));

		key.prefixlen = plen;
		memcpy(key.addr, &a, 4);
		if (bpf_map_update_elem(mfd, &key, &rules, BPF_ANY))
			die("acl_src4 update %d: %s", k, strerror(errno));
	}
	return 0;
}

int main(int argc, char **argv)
{
	sigset_t set;

	/* Blocked from the start: sigwait() takes them, a signal that comes
	 * early is not lost nor fatal.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	libbpf_set_print(libbpf_quiet);
	if (argc == 5 && !strcmp(argv[1], "tcx"))
		return cmd_tcx(argv + 2);
	if (argc == 6 && !strcmp(argv[1], "freplace"))
		return cmd_freplace(argv + 2);
	if (argc == 7 && !strcmp(argv[1], "run-freplace"))
		return test_run(freplace_load(to_int(argv[2], 1, MAX_STUBS), argv[3], argv[4]),
				to_int(argv[5], 1, 100000000), to_int(argv[6], 1, 100));
	if (argc == 5 && !strcmp(argv[1], "run-id")) {
		int fd = bpf_prog_get_fd_by_id(to_int(argv[2], 1, 0x7fffffff));

		if (fd < 0)
			die("program id %s: %s", argv[2], strerror(errno));
		return test_run(fd, to_int(argv[3], 1, 100000000), to_int(argv[4], 1, 100));
	}
	if (argc == 4 && !strcmp(argv[1], "acl-list"))
		return cmd_acl_list(to_int(argv[2], 1, 1000000), parse_addr(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "acl-fill"))
		return cmd_acl_fill(to_int(argv[2], 1, 0x7fffffff), to_int(argv[3], 1, 1000000),
				    parse_addr(argv[4]));
	fputs("Usage: peers tcx DEV N FILTER_OBJ\n"
	      "       peers freplace DEV N DISP_OBJ EXT_OBJ\n"
	      "       peers run-freplace N DISP_OBJ EXT_OBJ REPEAT ROUNDS\n"
	      "       peers run-id PROG_ID REPEAT ROUNDS\n"
	      "       peers acl-list N ADDR\n"
	      "       peers acl-fill PROG_ID N ADDR\n", stderr);
	return 2;
}
