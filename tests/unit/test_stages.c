// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The shipped stages (acl, ratelimit, mark, count) under BPF_PROG_TEST_RUN,
 * each loaded by the library into an in-memory chain and driven through
 * the chain's entry program.  Rules and counters go through the stages'
 * own maps (tcc_stage_map_fd), with the key and value structs of each
 * stage's header (bpf/stages/NAME/NAME.h).
 */
#include <pthread.h>
#include <time.h>

#include "tests/lib/fixture.h"

/* ---- the stages' map types: each module's one header ------------------------ */

#include "bpf/stages/acl/acl.h"
#include "bpf/stages/count/count.h"
#include "bpf/stages/mark/mark.h"
#include "bpf/stages/ratelimit/ratelimit.h"

/* ---- acl -------------------------------------------------------------------- */

#define ANY_PORT	.dport_min = 0, .dport_max = 0xffff

/* Put a rule list on a prefix ("10.0.0.0/8", "2001:db8::/32"). */
static bool acl_list(struct fx *fx, const char *map, const char *cidr,
		     const struct acl_rule *rules, __u32 n)
{
	struct acl_rules val = { .n_rules = n };
	char addr[64];
	char *slash;

	snprintf(addr, sizeof(addr), "%s", cidr);
	slash = strchr(addr, '/');
	*slash = '\0';
	memcpy(val.rules, rules, n * sizeof(*rules));
	if (strchr(addr, ':')) {
		struct acl_key6 k = { .prefixlen = atoi(slash + 1) };

		inet_pton(AF_INET6, addr, k.addr);
		return fx_update(fx, 0, map, &k, &val);
	} else {
		struct acl_key4 k = { .prefixlen = atoi(slash + 1) };

		inet_pton(AF_INET, addr, k.addr);
		return fx_update(fx, 0, map, &k, &val);
	}
}

/* acl in slot 0, skb_dump in slot 1: 'D'rop, 'P'ass (ended before the
 * dump) or 'C'ontinue (the dump saw it).
 */
static char acl_outcome(struct fx *fx, const struct pb *p)
{
	struct skb_dump d;
	int verdict = fx_run(fx, p, NULL);

	if (verdict < 0 || !fx_dump(fx, 1, &d))
		return '?';
	if (verdict == TC_ACT_SHOT && d.runs == 0)
		return 'D';
	if (verdict == TC_ACT_OK)
		return d.runs ? 'C' : 'P';
	return '!';
}

static bool acl_chain(struct fx *fx, const char *default_action)
{
	char param[64];
	const char *const params[] = { param, NULL };

	snprintf(param, sizeof(param), "default_action=%s", default_action);
	return fx_init(fx) && fx_stage(fx, 0, "stages/acl.bpf.o", params) &&
	       fx_stage(fx, 1, "tests/progs/skb_dump.bpf.o", NULL);
}

static __u64 acl_hits(struct fx *fx, __u32 id)
{
	__u64 n[1];

	fx_sum(fx, 0, "acl_hits", &id, &n);
	return n[0];
}

#define ASSERT_OUTCOME(fx, p, want, what)					\
	({									\
		char __got = acl_outcome(fx, p);				\
		ASSERT_TRUE(__got == (want), "%s: got %c, want %c", what, __got, want); \
	})

static void acl_v4_longest_prefix_and_ports(void)
{
	static const struct acl_rule dst8[] = {
		{ .id = 10, .proto = IPPROTO_TCP, .dport_min = 22, .dport_max = 22, .action = ACL_DROP },
		{ .id = 20, ANY_PORT, .action = ACL_PASS },
	};
	static const struct acl_rule dst16[] = {
		{ .id = 30, .proto = IPPROTO_UDP, .dport_min = 53, .dport_max = 53, .action = ACL_PASS },
		{ .id = 40, .proto = IPPROTO_TCP, .dport_min = 8000, .dport_max = 8099,
		  .action = ACL_CONTINUE },
	};
	struct pb ssh = {}, web = {}, dns16 = {}, ssh16 = {}, alt16 = {}, other = {}, icmp = {};
	struct fx fx;
	size_t ip;

	pb_tcp4(&ssh, "1.2.3.4", "10.2.3.4", 22);
	pb_tcp4(&web, "1.2.3.4", "10.2.3.4", 80);
	pb_udp4(&dns16, "1.2.3.4", "10.1.2.3", 53);
	pb_tcp4(&ssh16, "1.2.3.4", "10.1.2.3", 22);
	pb_tcp4(&alt16, "1.2.3.4", "10.1.2.3", 8080);
	pb_tcp4(&other, "1.2.3.4", "11.0.0.1", 22);
	pb_eth(&icmp, 0x0800);
	ip = pb_ip4(&icmp, IPPROTO_ICMP, "1.2.3.4", "10.2.3.4", 5, 0);
	pb_icmp(&icmp, 8, 0);
	pb_ip4_len(&icmp, ip);

	if (!acl_chain(&fx, "2"))
		goto out;
	if (!acl_list(&fx, "acl_dst4", "10.0.0.0/8", dst8, 2) ||
	    !acl_list(&fx, "acl_dst4", "10.1.0.0/16", dst16, 2))
		goto out;
	ASSERT_OUTCOME(&fx, &ssh, 'D', "tcp/22 to 10/8: rule 10");
	ASSERT_OUTCOME(&fx, &web, 'P', "tcp/80 to 10/8: rule 20");
	ASSERT_OUTCOME(&fx, &icmp, 'P', "icmp to 10/8: port rule 10 skipped, rule 20");
	ASSERT_OUTCOME(&fx, &dns16, 'P', "udp/53 to 10.1/16: rule 30");
	ASSERT_OUTCOME(&fx, &alt16, 'C', "tcp/8080 to 10.1/16: rule 40 continues");
	/* 10.1/16 hides 10/8: no rule of its list matches, so the default. */
	ASSERT_OUTCOME(&fx, &ssh16, 'D', "tcp/22 to 10.1/16: default drop");
	ASSERT_OUTCOME(&fx, &other, 'D', "no prefix: default drop");
	ASSERT_EQ(acl_hits(&fx, 10), 1, "hits of rule 10");
	ASSERT_EQ(acl_hits(&fx, 20), 2, "hits of rule 20");
	ASSERT_EQ(acl_hits(&fx, 30), 1, "hits of rule 30");
	ASSERT_EQ(acl_hits(&fx, 40), 1, "hits of rule 40");
	ASSERT_EQ(acl_hits(&fx, 0), 2, "default-action hits");
out:
	fx_fini(&fx);
}

static void acl_lowest_id_wins_across_src_and_dst(void)
{
	static const struct acl_rule dst[] = {
		{ .id = 50, ANY_PORT, .action = ACL_PASS },
	};
	static const struct acl_rule src_block[] = {
		{ .id = 5, ANY_PORT, .action = ACL_DROP },
	};
	static const struct acl_rule src_late[] = {
		/* out of id order on purpose: the id decides, not the place */
		{ .id = 90, ANY_PORT, .action = ACL_DROP },
		{ .id = 30, .proto = IPPROTO_UDP, ANY_PORT, .action = ACL_DROP },
	};
	struct pb blocked = {}, late_tcp = {}, late_udp = {}, clean = {};
	struct fx fx;

	pb_tcp4(&blocked, "192.168.1.7", "10.2.3.4", 80);
	pb_tcp4(&late_tcp, "172.16.0.1", "10.2.3.4", 80);
	pb_udp4(&late_udp, "172.16.0.1", "10.9.9.9", 80);
	pb_tcp4(&clean, "8.8.8.8", "10.2.3.4", 80);
	if (!acl_chain(&fx, "0"))
		goto out;
	if (!acl_list(&fx, "acl_dst4", "10.0.0.0/8", dst, 1) ||
	    !acl_list(&fx, "acl_src4", "192.168.1.0/24", src_block, 1) ||
	    !acl_list(&fx, "acl_src4", "172.16.0.0/12", src_late, 2))
		goto out;
	ASSERT_OUTCOME(&fx, &blocked, 'D', "src rule 5 beats dst rule 50");
	ASSERT_OUTCOME(&fx, &late_tcp, 'P', "dst rule 50 beats src rule 90");
	ASSERT_OUTCOME(&fx, &late_udp, 'D', "src rule 30 (listed second) beats dst rule 50");
	ASSERT_OUTCOME(&fx, &clean, 'P', "dst rule 50 only");
	ASSERT_EQ(acl_hits(&fx, 5), 1, "hits of rule 5");
	ASSERT_EQ(acl_hits(&fx, 50), 2, "hits of rule 50");
	ASSERT_EQ(acl_hits(&fx, 30), 1, "hits of rule 30");
	ASSERT_EQ(acl_hits(&fx, 90), 0, "hits of rule 90");
out:
	fx_fini(&fx);
}

static void acl_v6(void)
{
	static const struct acl_rule dst32[] = {
		{ .id = 10, .proto = IPPROTO_TCP, .dport_min = 1, .dport_max = 1023, .action = ACL_DROP },
	};
	static const struct acl_rule dst48[] = {
		{ .id = 20, .proto = IPPROTO_TCP, ANY_PORT, .action = ACL_PASS },
	};
	static const struct acl_rule src128[] = {
		{ .id = 3, ANY_PORT, .action = ACL_DROP },
	};
	struct pb low = {}, high = {}, in48 = {}, udp = {}, bad_host = {}, v4 = {};
	struct fx fx;

	pb_tcp6(&low, "2001:db8:ffff::1", "2001:db8:2::1", 443);
	pb_tcp6(&high, "2001:db8:ffff::1", "2001:db8:2::1", 8443);
	pb_tcp6(&in48, "2001:db8:ffff::1", "2001:db8:1::1", 443);
	pb_udp6(&udp, "2001:db8:ffff::1", "2001:db8:2::1", 53);
	pb_tcp6(&bad_host, "2001:db8:ffff::66", "2001:db8:1::1", 443);
	/* An IPv4 packet with the same leading bytes must not match the v6 tries. */
	pb_tcp4(&v4, "32.1.13.184", "32.1.13.184", 443);
	if (!acl_chain(&fx, "1"))
		goto out;
	if (!acl_list(&fx, "acl_dst6", "2001:db8::/32", dst32, 1) ||
	    !acl_list(&fx, "acl_dst6", "2001:db8:1::/48", dst48, 1) ||
	    !acl_list(&fx, "acl_src6", "2001:db8:ffff::66/128", src128, 1))
		goto out;
	ASSERT_OUTCOME(&fx, &low, 'D', "tcp/443 to /32: rule 10");
	ASSERT_OUTCOME(&fx, &high, 'P', "tcp/8443 to /32: default pass");
	ASSERT_OUTCOME(&fx, &in48, 'P', "tcp/443 to /48: rule 20");
	ASSERT_OUTCOME(&fx, &udp, 'P', "udp to /32: default pass");
	ASSERT_OUTCOME(&fx, &bad_host, 'D', "src /128 rule 3 beats rule 20");
	ASSERT_OUTCOME(&fx, &v4, 'P', "IPv4: default pass");
	ASSERT_EQ(acl_hits(&fx, 10), 1, "hits of rule 10");
	ASSERT_EQ(acl_hits(&fx, 20), 1, "hits of rule 20");
	ASSERT_EQ(acl_hits(&fx, 3), 1, "hits of rule 3");
	ASSERT_EQ(acl_hits(&fx, 0), 3, "default-action hits");
out:
	fx_fini(&fx);
}

static void acl_default_actions_and_non_ip(void)
{
	static const char *const defaults[] = { "0", "1", "2" };
	static const char want[] = { 'C', 'P', 'D' };
	struct pb v4 = {}, v6 = {}, arp = {}, broken = {};

	pb_tcp4(&v4, "1.1.1.1", "2.2.2.2", 80);
	pb_tcp6(&v6, "2001:db8::1", "2001:db8::2", 80);
	pb_arp(&arp);
	/* An IPv4 header cut short, behind a tag: BPF_PROG_TEST_RUN refuses
	 * an untagged one.
	 */
	pb_eth(&broken, 0x8100);
	pb_vlan(&broken, 1, 0x0800);
	pb_ip4(&broken, IPPROTO_TCP, "1.1.1.1", "2.2.2.2", 5, 0);
	broken.len -= 8;
	for (int i = 0; i < 3; i++) {
		struct fx fx;

		if (acl_chain(&fx, defaults[i])) {
			ASSERT_OUTCOME(&fx, &v4, want[i], "IPv4, empty ACL");
			ASSERT_OUTCOME(&fx, &v6, want[i], "IPv6, empty ACL");
			ASSERT_OUTCOME(&fx, &broken, want[i], "truncated IPv4 header");
			ASSERT_OUTCOME(&fx, &arp, 'C', "ARP is not the ACL's business");
			ASSERT_EQ(acl_hits(&fx, 0), 3, "default-action hits");
		}
		fx_fini(&fx);
	}
}

static void acl_port_rules_skip_later_fragments(void)
{
	static const struct acl_rule dst[] = {
		{ .id = 1, .proto = IPPROTO_UDP, .dport_min = 0, .dport_max = 1000, .action = ACL_DROP },
		{ .id = 2, .proto = IPPROTO_UDP, ANY_PORT, .action = ACL_CONTINUE },
	};
	struct pb first = {}, later = {};
	struct fx fx;
	size_t ip;

	pb_eth(&first, 0x0800);
	ip = pb_ip4(&first, IPPROTO_UDP, "1.1.1.1", "10.0.0.1", 5, 0x2000);
	pb_udp(&first, 1, 53);
	pb_ip4_len(&first, ip);
	pb_eth(&later, 0x0800);
	ip = pb_ip4(&later, IPPROTO_UDP, "1.1.1.1", "10.0.0.1", 5, 100);
	pb_put(&later, 8);		/* zero bytes: "port 0" if misread */
	pb_ip4_len(&later, ip);
	if (!acl_chain(&fx, "1"))
		goto out;
	if (!acl_list(&fx, "acl_dst4", "10.0.0.1/32", dst, 2))
		goto out;
	ASSERT_OUTCOME(&fx, &first, 'D', "first fragment, udp/53: rule 1");
	ASSERT_OUTCOME(&fx, &later, 'C', "later fragment: no ports, rule 2");
out:
	fx_fini(&fx);
}

/* ---- ratelimit ----------------------------------------------------------------- */

static bool rl_chain(struct fx *fx, const char *const *params)
{
	return fx_init(fx) && fx_stage(fx, 0, "stages/ratelimit.bpf.o", params);
}

static struct rl_stats rl_read(struct fx *fx)
{
	struct rl_stats st;
	__u32 zero = 0;

	fx_sum(fx, 0, "rl_stats", &zero, &st);
	return st;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* rate=1/s: a token comes back once a second, far slower than the test. */
static void rl_burst_then_over_limit(void)
{
	static const char *const params[] = { "rate=1", "burst=5", NULL };
	struct pb p = {};
	struct rl_stats st;
	struct fx fx;

	pb_udp4(&p, "10.0.0.1", "10.0.0.2", 53);
	if (!rl_chain(&fx, params))
		goto out;
	for (int i = 1; i <= 5; i++)
		if (!ASSERT_EQ(fx_run(&fx, &p, NULL), TC_ACT_OK, "packet within the burst"))
			goto out;
	ASSERT_EQ(fx_run(&fx, &p, NULL), TC_ACT_SHOT, "packet burst+1");
	ASSERT_EQ(fx_run(&fx, &p, NULL), TC_ACT_SHOT, "packet burst+2");
	st = rl_read(&fx);
	ASSERT_EQ(st.passed, 5, "passed");
	ASSERT_EQ(st.over, 2, "over the limit");
	ASSERT_EQ(st.passed_bytes, 5 * p.len, "passed bytes");
out:
	fx_fini(&fx);
}

static void rl_over_limit_marks(void)
{
	static const char *const params[] = {
		"rate=1", "burst=3", "action=1", "mark_value=0x77", NULL,
	};
	struct __sk_buff skb = {};
	struct pb p = {};
	struct fx fx;

	pb_tcp4(&p, "10.0.0.1", "10.0.0.2", 80);
	if (!rl_chain(&fx, params))
		goto out;
	for (int i = 1; i <= 3; i++) {
		ASSERT_EQ(fx_run(&fx, &p, &skb), TC_ACT_OK, "within the burst");
		ASSERT_EQ(skb.mark, 0, "mark within the burst");
	}
	ASSERT_EQ(fx_run(&fx, &p, &skb), TC_ACT_OK, "over the limit continues");
	ASSERT_EQ(skb.mark, 0x77, "mark over the limit");
	ASSERT_EQ(rl_read(&fx).over, 1, "over the limit");
out:
	fx_fini(&fx);
}

static void rl_bytes_mode(void)
{
	static const char *const params[] = { "rate=1", "burst=300", "bytes=1", NULL };
	struct pb p = {}, big = {};
	struct rl_stats st;
	struct fx fx;

	pb_udp4(&p, "10.0.0.1", "10.0.0.2", 53);
	pb_put(&p, 100 - p.len);	/* 100-byte frames: exactly 3 fit */
	pb_udp4(&big, "10.0.0.1", "10.0.0.2", 53);
	pb_put(&big, 400 - big.len);
	if (!rl_chain(&fx, params))
		goto out;
	ASSERT_EQ(fx_run(&fx, &big, NULL), TC_ACT_SHOT, "a packet bigger than the burst");
	for (int i = 1; i <= 3; i++)
		ASSERT_EQ(fx_run(&fx, &p, NULL), TC_ACT_OK, "100 bytes within 300");
	ASSERT_EQ(fx_run(&fx, &p, NULL), TC_ACT_SHOT, "bytes 301..400");
	st = rl_read(&fx);
	ASSERT_EQ(st.passed_bytes, 300, "passed bytes");
	ASSERT_EQ(st.over_bytes, 500, "bytes over the limit");
out:
	fx_fini(&fx);
}

static void rl_per_source(void)
{
	static const char *const params[] = { "rate=1", "burst=2", "per_source=1", NULL };
	struct pb a = {}, b = {}, c6 = {}, arp = {};
	struct rl_key key = { .ip_ver = 4 };
	struct fx fx;
	int fd;

	pb_tcp4(&a, "10.0.0.1", "10.9.9.9", 80);
	pb_tcp4(&b, "10.0.0.2", "10.9.9.9", 80);
	pb_tcp6(&c6, "2001:db8::1", "2001:db8::9", 80);
	pb_arp(&arp);
	if (!rl_chain(&fx, params))
		goto out;
	ASSERT_EQ(fx_run(&fx, &a, NULL), TC_ACT_OK, "A 1");
	ASSERT_EQ(fx_run(&fx, &a, NULL), TC_ACT_OK, "A 2");
	ASSERT_EQ(fx_run(&fx, &a, NULL), TC_ACT_SHOT, "A 3");
	ASSERT_EQ(fx_run(&fx, &b, NULL), TC_ACT_OK, "B 1: its own bucket");
	ASSERT_EQ(fx_run(&fx, &b, NULL), TC_ACT_OK, "B 2");
	ASSERT_EQ(fx_run(&fx, &b, NULL), TC_ACT_SHOT, "B 3");
	ASSERT_EQ(fx_run(&fx, &c6, NULL), TC_ACT_OK, "IPv6 C 1");
	ASSERT_EQ(fx_run(&fx, &arp, NULL), TC_ACT_OK, "non-IP 1");
	ASSERT_EQ(fx_run(&fx, &arp, NULL), TC_ACT_OK, "non-IP 2");
	ASSERT_EQ(fx_run(&fx, &arp, NULL), TC_ACT_SHOT, "non-IP 3: one shared bucket");

	/* The bucket of A is in the LRU map under its address. */
	fd = fx_map(&fx, 0, "rl_sources");
	if (fd >= 0) {
		__u64 tat = 0;

		inet_pton(AF_INET, "10.0.0.1", key.addr);
		if (fx_map_sizes(fd, "rl_sources", sizeof(key), sizeof(tat)))
			ASSERT_OK(bpf_map_lookup_elem(fd, &key, &tat) ? -errno : 0,
				  "lookup of source A");
		close(fd);
	}
out:
	fx_fini(&fx);
}

/* Tokens come back at rate: after 1/rate s at least one more fits. */
static void rl_refills_over_time(void)
{
	static const char *const params[] = { "rate=20", "burst=1", NULL };
	struct pb p = {};
	struct fx fx;
	__u64 t0, t1;
	int v;

	pb_udp4(&p, "10.0.0.1", "10.0.0.2", 53);
	if (!rl_chain(&fx, params))
		goto out;
	t0 = now_ns();
	ASSERT_EQ(fx_run(&fx, &p, NULL), TC_ACT_OK, "first packet");
	v = fx_run(&fx, &p, NULL);
	t1 = now_ns();
	/* Only a stall of 50 ms between the two runs could refill the
	 * bucket; asserting on such a run would make the test flaky.
	 */
	if (t1 - t0 < 40000000ULL)
		ASSERT_EQ(v, TC_ACT_SHOT, "second packet at once");
	while (now_ns() - t1 < 60000000ULL)
		;		/* busy-wait past one token's worth (50 ms) */
	ASSERT_EQ(fx_run(&fx, &p, NULL), TC_ACT_OK, "after 60 ms");
out:
	fx_fini(&fx);
}

static void rl_rate_zero_passes_nothing(void)
{
	static const char *const params[] = { "rate=0", "burst=1000", NULL };
	struct pb p = {};
	struct fx fx;

	pb_udp4(&p, "10.0.0.1", "10.0.0.2", 53);
	if (rl_chain(&fx, params))
		ASSERT_EQ(fx_run(&fx, &p, NULL), TC_ACT_SHOT, "rate 0");
	fx_fini(&fx);
}

#define RL_HAMMER_RUNS	100000
#define RL_HAMMER_BURST	100000ULL

struct rl_hammer {
	struct fx *fx;
	const struct pb *p;
	pthread_barrier_t *start;
	int cpu;
	int err;
};

static void *rl_hammer_run(void *arg)
{
	struct rl_hammer *h = arg;
	cpu_set_t cpus;
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = h->p->b,
		.data_size_in = h->p->len,
		.repeat = RL_HAMMER_RUNS,
	);

	CPU_ZERO(&cpus);
	CPU_SET(h->cpu, &cpus);
	h->err = -pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	/* Start together, so the two CPUs really contend for the bucket. */
	pthread_barrier_wait(h->start);
	if (!h->err)
		h->err = bpf_prog_test_run_opts(tcc_chain_entry_fd(h->fx->chain), &o) ? -errno : 0;
	return NULL;
}

/*
 * Both CPUs take from one bucket at full speed: exactly burst packets may
 * pass (plus the odd token that refills at 1/s while it runs), however the
 * compare-and-swaps interleave.  With a plain read-modify-write instead of
 * the CAS, this let 300 to 6000 extra packets through in every one of five
 * runs on this 2-CPU machine.
 */
static void rl_exact_across_cpus(void)
{
	char burst[32];
	const char *const params[] = { "rate=1", burst, NULL };
	pthread_barrier_t start;
	struct rl_hammer h[2];
	pthread_t th[2];
	struct pb p = {};
	struct rl_stats st;
	struct fx fx;
	__u64 t0, secs;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		SKIP("needs two CPUs");
		return;
	}
	snprintf(burst, sizeof(burst), "burst=%llu", RL_HAMMER_BURST);
	pb_udp4(&p, "10.0.0.1", "10.0.0.2", 53);
	if (!rl_chain(&fx, params))
		goto out;
	pthread_barrier_init(&start, NULL, 2);
	t0 = now_ns();
	for (int i = 0; i < 2; i++) {
		h[i] = (struct rl_hammer){ .fx = &fx, .p = &p, .start = &start, .cpu = i };
		pthread_create(&th[i], NULL, rl_hammer_run, &h[i]);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		ASSERT_OK(h[i].err, "test run on one CPU");
	}
	pthread_barrier_destroy(&start);
	secs = (now_ns() - t0) / 1000000000ULL + 1;
	st = rl_read(&fx);
	ASSERT_EQ(st.passed + st.over, 2 * RL_HAMMER_RUNS, "packets seen");
	ASSERT_TRUE(st.passed >= RL_HAMMER_BURST && st.passed <= RL_HAMMER_BURST + secs,
		    "passed %llu, want %llu (+ at most %llu refilled)",
		    (unsigned long long)st.passed, RL_HAMMER_BURST, (unsigned long long)secs);
out:
	fx_fini(&fx);
}

/* ---- mark ------------------------------------------------------------------------ */

static bool mark_chain(struct fx *fx, const char *const *params)
{
	return fx_init(fx) && fx_stage(fx, 0, "stages/mark.bpf.o", params) &&
	       fx_stage(fx, 1, "tests/progs/skb_dump.bpf.o", NULL);
}

/* mark, priority as the kernel hands them back; classid as skb_dump saw it. */
static bool mark_run(struct fx *fx, const struct pb *p, __u32 *mark, __u32 *prio, __u32 *classid)
{
	struct __sk_buff skb = {};
	struct skb_dump d;

	if (!ASSERT_EQ(fx_run(fx, p, &skb), TC_ACT_OK, "chain verdict") || !fx_dump(fx, 1, &d) ||
	    !ASSERT_EQ(d.runs, 1, "mark continued to the next stage"))
		return false;
	*mark = skb.mark;
	*prio = skb.priority;
	*classid = d.tc_classid;
	return ASSERT_EQ(d.mark, skb.mark, "mark seen by the next stage");
}

static void mark_params_apply_to_all(void)
{
	static const char *const params[] = {
		"mark_value=0x10", "priority=0x10003", "classid=0x2", NULL,
	};
	struct pb v4 = {}, arp = {};
	__u32 mark, prio, classid;
	struct fx fx;

	pb_tcp4(&v4, "10.0.0.1", "10.0.0.2", 80);
	pb_arp(&arp);
	if (!mark_chain(&fx, params))
		goto out;
	if (mark_run(&fx, &v4, &mark, &prio, &classid)) {
		ASSERT_EQ(mark, 0x10, "mark");
		ASSERT_EQ(prio, 0x10003, "priority");
		ASSERT_EQ(classid, 2, "tc_classid");
	}
	if (mark_run(&fx, &arp, &mark, &prio, &classid))
		ASSERT_EQ(mark, 0x10, "mark of a non-IP packet");
out:
	fx_fini(&fx);
}

static void mark_nothing_set_leaves_skb_alone(void)
{
	struct pb p = {};
	__u32 mark, prio, classid;
	struct fx fx;

	pb_tcp4(&p, "10.0.0.1", "10.0.0.2", 80);
	if (mark_chain(&fx, NULL) && mark_run(&fx, &p, &mark, &prio, &classid)) {
		ASSERT_EQ(mark, 0, "mark");
		ASSERT_EQ(prio, 0, "priority");
		ASSERT_EQ(classid, 0, "tc_classid");
	}
	fx_fini(&fx);
}

/* tc_classid only holds a minor: the param is a __u16, so the loader
 * refuses a major:minor instead of silently dropping the major.
 */
static void mark_classid_is_16_bits(void)
{
	const struct tcc_param p = { .name = "classid", .value = "0x10002" };
	struct tcc_stage_opts o = { .file = fx_obj("stages/mark.bpf.o"), .params = &p,
				    .n_params = 1 };
	struct fx fx;

	if (fx_init(&fx))
		ASSERT_EQ(tcc_stage_set(fx.ctx, fx.chain, 0, &o), -ERANGE, "classid=0x10002");
	fx_fini(&fx);
}

static void mark_rules_first_match(void)
{
	static const char *const params[] = { "mark_value=1", NULL };
	struct mark_rules rs = { .n_rules = 4 };
	struct pb dns = {}, ten = {}, eleven = {}, v6 = {}, v6_other = {}, exempt = {};
	__u32 mark, prio, classid, zero = 0;
	__u64 hits[1];
	struct fx fx;

	rs.rules[0] = (struct mark_rule){ .set = MARK_SET_MARK, .proto = IPPROTO_UDP,
					  .dport_min = 53, .dport_max = 53, .mark = 53 };
	rs.rules[1] = (struct mark_rule){ .set = MARK_SET_PRIORITY | MARK_SET_CLASSID,
					  .ip_ver = 4, .src_prefixlen = 8, .dport_max = 0xffff,
					  .priority = 7, .classid = 0x11 };
	inet_pton(AF_INET, "10.0.0.0", rs.rules[1].src);
	rs.rules[2] = (struct mark_rule){ .set = MARK_SET_MARK, .ip_ver = 6, .src_prefixlen = 36,
					  .dport_max = 0xffff, .mark = 6 };
	inet_pton(AF_INET6, "2001:db8:1000::", rs.rules[2].src);
	/* set = 0: matched, so the params do not apply either */
	rs.rules[3] = (struct mark_rule){ .proto = IPPROTO_TCP, .dport_min = 9, .dport_max = 9 };

	pb_udp4(&dns, "10.1.1.1", "8.8.8.8", 53);
	pb_tcp4(&ten, "10.1.1.1", "8.8.8.8", 80);
	pb_tcp4(&eleven, "11.1.1.1", "8.8.8.8", 80);
	pb_tcp6(&v6, "2001:db8:1fff::1", "2001:db8::2", 80);		/* inside /36 */
	pb_tcp6(&v6_other, "2001:db8:2000::1", "2001:db8::2", 80);	/* just outside */
	pb_tcp4(&exempt, "11.1.1.1", "8.8.8.8", 9);
	if (!mark_chain(&fx, params) || !fx_update(&fx, 0, "mark_rules", &zero, &rs))
		goto out;

	if (mark_run(&fx, &dns, &mark, &prio, &classid)) {
		ASSERT_EQ(mark, 53, "udp/53 from 10/8: rule 0 first");
		ASSERT_EQ(prio, 0, "udp/53: rule 0 does not set priority");
	}
	if (mark_run(&fx, &ten, &mark, &prio, &classid)) {
		ASSERT_EQ(mark, 0, "tcp from 10/8: rule 1 does not set mark");
		ASSERT_EQ(prio, 7, "tcp from 10/8: priority");
		ASSERT_EQ(classid, 0x11, "tcp from 10/8: classid");
	}
	if (mark_run(&fx, &eleven, &mark, &prio, &classid))
		ASSERT_EQ(mark, 1, "no rule: the mark_value param");
	if (mark_run(&fx, &v6, &mark, &prio, &classid))
		ASSERT_EQ(mark, 6, "IPv6 in 2001:db8:1000::/36");
	if (mark_run(&fx, &v6_other, &mark, &prio, &classid))
		ASSERT_EQ(mark, 1, "IPv6 outside the /36");
	if (mark_run(&fx, &exempt, &mark, &prio, &classid))
		ASSERT_EQ(mark, 0, "rule 3 sets nothing and wins over the params");

	for (__u32 i = 0; i <= 8; i++) {
		static const __u64 want[9] = { [0] = 1, [1] = 1, [2] = 1, [3] = 1, [8] = 2 };

		fx_sum(&fx, 0, "mark_hits", &i, &hits);
		ASSERT_TRUE(hits[0] == want[i], "mark_hits[%u]: got %llu, want %llu", i,
			    (unsigned long long)hits[0], (unsigned long long)want[i]);
	}
out:
	fx_fini(&fx);
}

/* ---- count ---------------------------------------------------------------------- */

static void count_counters(void)
{
	struct pb tcp80 = {}, udp53 = {}, icmp = {}, arp = {}, udp53v6 = {}, later = {};
	struct count_val v;
	struct count_port port = {};
	struct fx fx;
	__u32 key;
	size_t ip;

	pb_tcp4(&tcp80, "10.0.0.1", "10.0.0.2", 80);
	pb_udp4(&udp53, "10.0.0.1", "10.0.0.2", 53);
	pb_eth(&icmp, 0x0800);
	ip = pb_ip4(&icmp, IPPROTO_ICMP, "10.0.0.1", "10.0.0.2", 5, 0);
	pb_icmp(&icmp, 8, 0);
	pb_ip4_len(&icmp, ip);
	pb_arp(&arp);
	pb_udp6(&udp53v6, "2001:db8::1", "2001:db8::2", 53);
	pb_eth(&later, 0x0800);
	ip = pb_ip4(&later, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 5, 50);
	pb_put(&later, 16);
	pb_ip4_len(&later, ip);

	/* count alone: it parses for itself (tcc_pkt_get). */
	if (!fx_init(&fx) || !fx_stage(&fx, 0, "stages/count.bpf.o", NULL))
		goto out;
	for (int i = 0; i < 3; i++)
		fx_run(&fx, &tcp80, NULL);
	for (int i = 0; i < 2; i++)
		fx_run(&fx, &udp53, NULL);
	fx_run(&fx, &icmp, NULL);
	fx_run(&fx, &arp, NULL);
	fx_run(&fx, &udp53v6, NULL);
	fx_run(&fx, &later, NULL);

	key = 4;
	fx_sum(&fx, 0, "count_ipver", &key, &v);
	ASSERT_EQ(v.packets, 7, "IPv4 packets");
	ASSERT_EQ(v.bytes, 3 * tcp80.len + 2 * udp53.len + icmp.len + later.len, "IPv4 bytes");
	key = 6;
	fx_sum(&fx, 0, "count_ipver", &key, &v);
	ASSERT_EQ(v.packets, 1, "IPv6 packets");
	key = 0;
	fx_sum(&fx, 0, "count_ipver", &key, &v);
	ASSERT_EQ(v.packets, 1, "non-IP packets");
	ASSERT_EQ(v.bytes, arp.len, "non-IP bytes");

	key = IPPROTO_TCP;
	fx_sum(&fx, 0, "count_proto", &key, &v);
	ASSERT_EQ(v.packets, 3, "TCP packets");
	key = IPPROTO_UDP;
	fx_sum(&fx, 0, "count_proto", &key, &v);
	ASSERT_EQ(v.packets, 4, "UDP packets (v4, v6, a later fragment)");
	key = IPPROTO_ICMP;
	fx_sum(&fx, 0, "count_proto", &key, &v);
	ASSERT_EQ(v.packets, 1, "ICMP packets");

	port.proto = IPPROTO_TCP;
	port.dport = 80;
	fx_sum(&fx, 0, "count_dport", &port, &v);
	ASSERT_EQ(v.packets, 3, "tcp/80 packets");
	ASSERT_EQ(v.bytes, 3 * tcp80.len, "tcp/80 bytes");
	port.proto = IPPROTO_UDP;
	port.dport = 53;
	fx_sum(&fx, 0, "count_dport", &port, &v);
	ASSERT_EQ(v.packets, 3, "udp/53 packets (a later fragment has no port)");
	port.dport = 0;
	fx_sum(&fx, 0, "count_dport", &port, &v);
	ASSERT_EQ(v.packets, 0, "udp/0 packets");
out:
	fx_fini(&fx);
}

static void count_after_parse_stage(void)
{
	struct pb p = {};
	struct count_val v;
	struct count_port port = { .proto = IPPROTO_TCP, .dport = 22 };
	struct fx fx;

	pb_tcp6(&p, "2001:db8::1", "2001:db8::2", 22);
	if (!fx_init(&fx) || !fx_stage(&fx, 0, "stages/parse.bpf.o", NULL) ||
	    !fx_stage(&fx, 5, "stages/count.bpf.o", NULL))
		goto out;
	ASSERT_EQ(fx_run(&fx, &p, NULL), TC_ACT_OK, "chain verdict");
	fx_sum(&fx, 5, "count_dport", &port, &v);
	ASSERT_EQ(v.packets, 1, "tcp/22 packets");
out:
	fx_fini(&fx);
}

int main(int argc, char **argv)
{
	static const struct tst_case cases[] = {
		TST_CASE(acl_v4_longest_prefix_and_ports),
		TST_CASE(acl_lowest_id_wins_across_src_and_dst),
		TST_CASE(acl_v6),
		TST_CASE(acl_default_actions_and_non_ip),
		TST_CASE(acl_port_rules_skip_later_fragments),
		TST_CASE(rl_burst_then_over_limit),
		TST_CASE(rl_over_limit_marks),
		TST_CASE(rl_bytes_mode),
		TST_CASE(rl_per_source),
		TST_CASE(rl_refills_over_time),
		TST_CASE(rl_rate_zero_passes_nothing),
		TST_CASE(rl_exact_across_cpus),
		TST_CASE(mark_params_apply_to_all),
		TST_CASE(mark_nothing_set_leaves_skb_alone),
		TST_CASE(mark_classid_is_16_bits),
		TST_CASE(mark_rules_first_match),
		TST_CASE(count_counters),
		TST_CASE(count_after_parse_stage),
	};

	return tst_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
