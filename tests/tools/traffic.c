// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * traffic: a bounded packet generator and counting receiver for the
 * end-to-end tests, the demo and quick manual checks.
 *
 *   traffic send -4|-6 --dst ADDR --port P[-Q] [--sport S] [--count N]
 *                [--rate PPS] [--size BYTES] [--duration SEC]
 *                [--seq-start N] [--proto udp|tcp-syn] [--json]
 *   traffic recv [-4|-6] --port P[-Q] [--bind ADDR] [--expect N]
 *                [--timeout SEC] [--idle MS] [--proto udp|tcp-syn] [--json]
 *
 * send takes the family from --dst when -4/-6 is left out.
 *
 * Every packet's payload starts with a 64-bit sequence number in network
 * byte order (the sender counts from --seq-start, default 0), so the
 * receiver can tell unique packets from duplicates and count gaps.
 * A port range P-Q sends packet i to port P + i % (Q - P + 1) (one flow per
 * port) and makes the receiver listen on every port of the range.
 *
 * Both sides are bounded: send stops after --count (default 1000) or
 * --duration, recv after --expect packets, --idle ms of quiet once something
 * arrived, or --timeout (default 10 s).  SIGUSR1 tells a receiver that the
 * sender is done: it exits after --idle ms (default 200) of quiet even if
 * nothing arrived, which keeps "everything was dropped" tests fast.
 * SIGINT/SIGTERM stop either side early; the report is still printed.
 *
 * --proto tcp-syn sends TCP SYNs (sequence number in the TCP seq field and
 * in the payload) from a raw socket; the receiver then counts SYNs to the
 * port range with a raw socket.  Both need CAP_NET_RAW.
 *
 * --json prints one object.  send: proto, family, dst, port, sent, bytes
 * (payload), elapsed (s), pps, retries (ENOBUFS/EAGAIN retried), errors
 * (packets given up on).  recv: proto, family, port, received, unique,
 * duplicates, short (no sequence number), bytes (payload), reordered
 * (within one port's flow), missing (gaps below the highest sequence
 * number), first and last (kernel arrival time, Unix seconds, or null),
 * span (s), pps, reason (expect, idle, done, timeout or signal) and ports
 * ({"5000": n, ...}, one key per port of the range).
 *
 * Exit status: 0 done; 1 a runtime error, send could not send everything,
 * or recv got fewer than --expect packets; 2 bad usage.  Errors are one
 * "Error: ..." line on stderr.
 */
#include <errno.h>
#include <endian.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#define SEQ_LEN		8
#define MAX_RECV_PORTS	1024
#define DEF_COUNT	1000
#define DEF_SIZE	64
#define DEF_TIMEOUT	10.0
#define DEF_DONE_IDLE	200		/* ms of quiet after SIGUSR1 */
#define BATCH		64		/* datagrams per recvmmsg */
#define SNAP		256		/* bytes kept of each packet */
#define SPIN_NS		50000ULL	/* busy-wait the last 50 us of a gap */
#define BURST		8		/* token bucket depth: packets, */
#define BURST_NS	2000000.0	/* or 2 ms of packets if more */
#define RETRY_MAX	200		/* ENOBUFS/EAGAIN retries per packet */
#define RETRY_NS	20000L
#define SEQ_BITS_MAX	(1ULL << 28)	/* 32 MiB of duplicate tracking */

enum proto { P_UDP, P_TCP_SYN };

static volatile sig_atomic_t stop_sig;	/* SIGINT/SIGTERM */
static volatile sig_atomic_t done_sig;	/* SIGUSR1: the sender finished */

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		done_sig = 1;
	else
		stop_sig = 1;
}

static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a signal must end poll() and nanosleep() at once. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
}

static void __attribute__((format(printf, 1, 2))) err(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define usage_err(...) do { err(__VA_ARGS__); exit(2); } while (0)

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- argument parsing ------------------------------------------------------ */

static uint64_t parse_u64(const char *opt, const char *s, uint64_t min,
			  uint64_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		usage_err("invalid %s '%s' (want an integer %llu..%llu)", opt,
			  s, (unsigned long long)min, (unsigned long long)max);
	return v;
}

static double parse_double(const char *opt, const char *s, double min,
			   double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		usage_err("invalid %s '%s' (want a number %g..%g)", opt, s,
			  min, max);
	return v;
}

/* Called for getopt_long's '?' and ':' (opterr is 0, optstring starts with
 * ':'), so the message is our one "Error:" line, not getopt's.
 */
static void __attribute__((noreturn)) bad_option(const char *cmd, char **argv)
{
	usage_err("%s: unknown option or missing argument: %s", cmd,
		  argv[optind - 1]);
}

struct port_range {
	uint16_t lo, hi;
};

static struct port_range parse_ports(const char *s)
{
	struct port_range r;
	const char *dash = strchr(s, '-');
	char lo[16];

	if (!dash) {
		r.lo = r.hi = parse_u64("--port", s, 1, 65535);
		return r;
	}
	if ((size_t)(dash - s) >= sizeof(lo))
		usage_err("invalid --port '%s'", s);
	memcpy(lo, s, dash - s);
	lo[dash - s] = '\0';
	r.lo = parse_u64("--port", lo, 1, 65535);
	r.hi = parse_u64("--port", dash + 1, 1, 65535);
	if (r.hi < r.lo)
		usage_err("invalid --port '%s' (range ends before it starts)", s);
	return r;
}

static enum proto parse_proto(const char *s)
{
	if (!strcmp(s, "udp"))
		return P_UDP;
	if (!strcmp(s, "tcp-syn"))
		return P_TCP_SYN;
	usage_err("invalid --proto '%s' (want udp or tcp-syn)", s);
}

/* A numeric address (no DNS); IPv6 may carry a %scope. */
static socklen_t parse_addr(const char *opt, const char *s, int *family,
			    struct sockaddr_storage *ss)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST,
				  .ai_family = *family };
	struct addrinfo *ai;
	socklen_t len;

	if (getaddrinfo(s, NULL, &hints, &ai) || !ai)
		usage_err("invalid %s '%s' (want a numeric IPv%s address)",
			  opt, s, *family == AF_INET ? "4" :
			  *family == AF_INET6 ? "6" : "4 or IPv6");
	/* getaddrinfo takes inet_aton forms such as "10.1"; we do not. */
	if (ai->ai_family == AF_INET &&
	    inet_pton(AF_INET, s, &((struct sockaddr_in *)ai->ai_addr)->sin_addr) != 1) {
		freeaddrinfo(ai);
		usage_err("invalid %s '%s' (want a numeric IPv4 address)", opt, s);
	}
	*family = ai->ai_family;
	len = ai->ai_addrlen;
	memcpy(ss, ai->ai_addr, len);
	freeaddrinfo(ai);
	return len;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static const char *family_str(int family)
{
	return family == AF_INET6 ? "6" : "4";
}

/* ---- send ---------------------------------------------------------------------- */

struct send_opts {
	int family;			/* AF_UNSPEC until -4/-6/--dst */
	const char *dst_str;
	struct sockaddr_storage dst;
	socklen_t dst_len;
	struct port_range ports;
	bool have_ports;
	uint16_t sport;
	uint64_t count;			/* 0: no count limit */
	bool have_count;
	double rate;			/* 0: as fast as possible */
	uint64_t size;
	double duration;		/* 0: no time limit */
	uint64_t seq_start;
	enum proto proto;
	bool json;
};

struct send_stats {
	uint64_t sent, bytes, retries, errors;
	uint64_t t_start, t_end;
};

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/* Builds the TCP SYN for sequence number seq in buf (header + payload). */
static void tcp_syn_build(uint8_t *buf, size_t len, uint64_t seq,
			  uint16_t sport, uint16_t dport,
			  const struct sockaddr_storage *src,
			  const struct sockaddr_storage *dst)
{
	struct tcphdr *th = (struct tcphdr *)buf;

	memset(th, 0, sizeof(*th));
	th->source = htons(sport);
	th->dest = htons(dport);
	th->seq = htonl((uint32_t)seq);
	th->doff = sizeof(*th) / 4;
	th->syn = 1;
	th->window = htons(65535);
	/* IPv6 raw sockets fill the checksum (IPV6_CHECKSUM); IPv4 ones do not. */
	if (dst->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)src;
		const struct sockaddr_in *d4 = (const void *)dst;
		uint8_t ph[12];
		uint32_t sum;

		memcpy(ph, &s4->sin_addr, 4);
		memcpy(ph + 4, &d4->sin_addr, 4);
		ph[8] = 0;
		ph[9] = IPPROTO_TCP;
		ph[10] = len >> 8;
		ph[11] = len & 0xff;
		sum = csum_add(0, ph, sizeof(ph));
		sum = csum_add(sum, buf, len);
		th->check = htons(csum_fold(sum));
	}
}

/* The source address the kernel would pick for dst (for the TCP checksum). */
static int source_addr(const struct send_opts *o, struct sockaddr_storage *src)
{
	socklen_t len = sizeof(*src);
	int fd, ret = 0;

	fd = socket(o->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&o->dst, o->dst_len) ||
	    getsockname(fd, (struct sockaddr *)src, &len))
		ret = -errno;
	close(fd);
	return ret;
}

static int send_socket(const struct send_opts *o)
{
	int one = 1, sndbuf = 1 << 20, fd;

	if (o->proto == P_TCP_SYN) {
		int off = offsetof(struct tcphdr, check);

		fd = socket(o->family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
		if (fd < 0)
			return -errno;
		if (o->family == AF_INET6 &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, &off,
			       sizeof(off))) {
			close(fd);
			return -errno;
		}
		return fd;
	}
	fd = socket(o->family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (o->sport) {
		struct sockaddr_storage any = { .ss_family = o->family };

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		set_port(&any, o->sport);
		if (bind(fd, (struct sockaddr *)&any, o->dst_len)) {
			int e = -errno;

			close(fd);
			return e;
		}
	}
	/* Not connected on purpose: an unconnected socket never reports an
	 * ICMP port unreachable as ECONNREFUSED on a later send.
	 */
	return fd;
}

/* Sleeps until the CLOCK_MONOTONIC time due: nanosleep for most of the gap,
 * busy-wait the rest, because a sleep alone overshoots by tens of us.
 */
static void wait_until(uint64_t due)
{
	for (;;) {
		uint64_t t = now_ns(CLOCK_MONOTONIC);
		struct timespec ts;

		if (t >= due || stop_sig)
			return;
		if (due - t > SPIN_NS) {
			uint64_t wake = due - SPIN_NS;

			ts.tv_sec = wake / 1000000000ULL;
			ts.tv_nsec = wake % 1000000000ULL;
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
	}
}

/* One packet, retrying briefly while the socket or device queue is full.
 * Returns 0, or -errno of a failure that is not worth retrying.
 */
static int send_one(int fd, const void *buf, size_t len,
		    const struct sockaddr_storage *dst, socklen_t dst_len,
		    struct send_stats *st)
{
	const struct timespec pause = { .tv_nsec = RETRY_NS };
	int tries;

	for (tries = 0;; tries++) {
		if (sendto(fd, buf, len, 0, (const struct sockaddr *)dst,
			   dst_len) >= 0)
			return 0;
		if (errno == EINTR && !stop_sig)
			continue;
		if ((errno != ENOBUFS && errno != EAGAIN) || tries >= RETRY_MAX)
			return -errno;
		st->retries++;
		nanosleep(&pause, NULL);
	}
}

static int do_send(struct send_opts *o)
{
	struct sockaddr_storage src = {}, dst = o->dst;
	uint32_t nports = o->ports.hi - o->ports.lo + 1;
	uint64_t end = 0, base, base_i = 0, i;
	size_t hdr = o->proto == P_TCP_SYN ? sizeof(struct tcphdr) : 0;
	struct send_stats st = {};
	double interval = o->rate > 0 ? 1e9 / o->rate : 0;
	double burst = interval * BURST > BURST_NS ? interval * BURST : BURST_NS;
	uint16_t sport = o->sport;
	uint8_t *buf;
	int fd, ret = 0, e;

	if (o->proto == P_TCP_SYN) {
		e = source_addr(o, &src);
		if (e) {
			err("no route to %s: %s", o->dst_str, strerror(-e));
			return 1;
		}
		if (!sport)
			sport = 32768 + getpid() % 28000;
	}
	fd = send_socket(o);
	if (fd < 0) {
		err("cannot open %s socket: %s",
		    o->proto == P_UDP ? "UDP" : "raw TCP", strerror(-fd));
		return 1;
	}
	buf = malloc(hdr + o->size);
	if (!buf) {
		err("out of memory");
		close(fd);
		return 1;
	}
	memset(buf, 0xa5, hdr + o->size);

	/* Less timer slack: the pacing sleeps must wake when asked. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

	st.t_start = base = now_ns(CLOCK_MONOTONIC);
	if (o->duration > 0)
		end = st.t_start + (uint64_t)(o->duration * 1e9);

	for (i = 0; !stop_sig; i++) {
		uint64_t seq = o->seq_start + i, be = htobe64(seq);
		uint16_t dport = o->ports.lo + i % nports;

		if (o->count && i >= o->count)
			break;
		if (interval > 0) {
			/* A token bucket: packet i is due at base + (i -
			 * base_i) * interval; after a stall (a preempted
			 * sender), at most burst ns worth of packets go out
			 * back to back to catch up.
			 */
			uint64_t due = base + (uint64_t)((i - base_i) * interval);
			uint64_t t = now_ns(CLOCK_MONOTONIC);

			if (t > due + (uint64_t)burst) {
				base = t - (uint64_t)burst;
				base_i = i;
				due = base;
			}
			wait_until(end && due > end ? end : due);
			if (stop_sig)
				break;
		}
		if (end && now_ns(CLOCK_MONOTONIC) >= end)
			break;

		memcpy(buf + hdr, &be, SEQ_LEN);
		set_port(&dst, o->proto == P_TCP_SYN ? 0 : dport);
		if (o->proto == P_TCP_SYN)
			tcp_syn_build(buf, hdr + o->size, seq, sport, dport,
				      &src, &o->dst);
		e = send_one(fd, buf, hdr + o->size, &dst, o->dst_len, &st);
		if (e == -EINTR)
			break;
		if (e == -ENOBUFS || e == -EAGAIN) {
			st.errors++;	/* gave up on this one; go on */
			continue;
		}
		if (e) {
			st.errors++;
			err("send to %s port %u: %s", o->dst_str, dport,
			    strerror(-e));
			ret = 1;
			break;
		}
		st.sent++;
		st.bytes += o->size;
	}
	st.t_end = now_ns(CLOCK_MONOTONIC);
	free(buf);
	close(fd);

	double elapsed = (st.t_end - st.t_start) / 1e9;
	double pps = elapsed > 0 ? st.sent / elapsed : 0;
	char port[16];

	if (o->ports.lo == o->ports.hi)
		snprintf(port, sizeof(port), "%u", o->ports.lo);
	else
		snprintf(port, sizeof(port), "%u-%u", o->ports.lo, o->ports.hi);
	if (o->json)
		printf("{\"proto\":\"%s\",\"family\":%s,\"dst\":\"%s\","
		       "\"port\":\"%s\",\"sent\":%llu,\"bytes\":%llu,"
		       "\"elapsed\":%.6f,\"pps\":%.1f,\"retries\":%llu,"
		       "\"errors\":%llu}\n",
		       o->proto == P_UDP ? "udp" : "tcp-syn",
		       family_str(o->family), o->dst_str, port,
		       (unsigned long long)st.sent, (unsigned long long)st.bytes,
		       elapsed, pps, (unsigned long long)st.retries,
		       (unsigned long long)st.errors);
	else
		printf("sent %llu packets (%llu bytes) to %s port %s in %.3f s,"
		       " %.0f pps, %llu retries, %llu errors\n",
		       (unsigned long long)st.sent, (unsigned long long)st.bytes,
		       o->dst_str, port, elapsed, pps,
		       (unsigned long long)st.retries,
		       (unsigned long long)st.errors);
	fflush(stdout);
	return ret || st.errors ? 1 : 0;
}

static int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst",	required_argument, NULL, 'd' },
		{ "port",	required_argument, NULL, 'p' },
		{ "sport",	required_argument, NULL, 's' },
		{ "count",	required_argument, NULL, 'c' },
		{ "rate",	required_argument, NULL, 'r' },
		{ "size",	required_argument, NULL, 'l' },
		{ "duration",	required_argument, NULL, 'D' },
		{ "seq-start",	required_argument, NULL, 'S' },
		{ "proto",	required_argument, NULL, 'P' },
		{ "json",	no_argument,	   NULL, 'j' },
		{}
	};
	struct send_opts o = { .size = DEF_SIZE };
	int c;

	while ((c = getopt_long(argc, argv, ":46d:p:s:c:r:l:D:S:P:j", opts,
				NULL)) != -1) {
		switch (c) {
		case '4': o.family = AF_INET; break;
		case '6': o.family = AF_INET6; break;
		case 'd': o.dst_str = optarg; break;
		case 'p': o.ports = parse_ports(optarg); o.have_ports = true; break;
		case 's': o.sport = parse_u64("--sport", optarg, 1, 65535); break;
		case 'c':
			o.count = parse_u64("--count", optarg, 1, UINT64_MAX / 2);
			o.have_count = true;
			break;
		case 'r': o.rate = parse_double("--rate", optarg, 0, 1e8); break;
		case 'l': o.size = parse_u64("--size", optarg, SEQ_LEN, 65000); break;
		case 'D':
			o.duration = parse_double("--duration", optarg, 0.001,
						  86400);
			break;
		case 'S':
			o.seq_start = parse_u64("--seq-start", optarg, 0,
						UINT64_MAX / 2);
			break;
		case 'P': o.proto = parse_proto(optarg); break;
		case 'j': o.json = true; break;
		default: bad_option("send", argv);
		}
	}
	if (optind < argc)
		usage_err("send: unexpected argument '%s'", argv[optind]);
	if (!o.dst_str || !o.have_ports)
		usage_err("send needs --dst ADDR and --port P[-Q]");
	o.dst_len = parse_addr("--dst", o.dst_str, &o.family, &o.dst);
	/* Bounded: without --count or --duration, send DEF_COUNT packets. */
	if (!o.have_count && o.duration == 0)
		o.count = DEF_COUNT;
	setup_signals();
	return do_send(&o);
}

/* ---- recv ---------------------------------------------------------------------- */

struct recv_opts {
	int family;
	const char *bind_str;
	struct sockaddr_storage bind;
	socklen_t bind_len;
	struct port_range ports;
	bool have_ports;
	uint64_t expect;		/* 0: none */
	double timeout;
	uint64_t idle_ms;		/* 0: off */
	enum proto proto;
	bool json;
};

/* Which sequence numbers arrived: a bitmap that grows to SEQ_BITS_MAX. */
struct seqset {
	uint64_t *bits;
	uint64_t nbits;
};

/* 1: seen before; 0: new; -1: beyond the bitmap (treated as new). */
static int seqset_test_set(struct seqset *s, uint64_t seq)
{
	uint64_t mask = 1ULL << (seq % 64), *w;

	if (seq >= s->nbits) {
		uint64_t n = s->nbits ? s->nbits : 1 << 16;
		uint64_t *bits;

		if (seq >= SEQ_BITS_MAX)
			return -1;
		while (n <= seq)
			n *= 2;
		bits = realloc(s->bits, n / 8);
		if (!bits)
			return -1;
		memset(bits + s->nbits / 64, 0, (n - s->nbits) / 8);
		s->bits = bits;
		s->nbits = n;
	}
	w = &s->bits[seq / 64];
	if (*w & mask)
		return 1;
	*w |= mask;
	return 0;
}

struct recv_stats {
	uint64_t received, unique, dups, shorts, bytes, reordered;
	uint64_t max_seq;
	uint64_t first_rt, last_rt;	/* CLOCK_REALTIME, ns */
	uint64_t last_mono;		/* CLOCK_MONOTONIC of the last packet */
	uint64_t *per_port;		/* packets per destination port */
	uint64_t *port_max;		/* highest sequence number per port + 1 */
	struct seqset seen;
};

/* seq: the 8-byte sequence number, or NULL when the payload is too short. */
static void count_packet(const struct recv_opts *o, struct recv_stats *st,
			 uint16_t dport, const uint8_t *seq_be, size_t len,
			 uint64_t rt)
{
	uint32_t pi = dport - o->ports.lo;	/* dport is in the range */
	uint64_t seq;

	st->received++;
	st->bytes += len;
	st->per_port[pi]++;
	if (!st->first_rt)
		st->first_rt = rt;
	st->last_rt = rt;
	st->last_mono = now_ns(CLOCK_MONOTONIC);
	if (!seq_be) {
		st->shorts++;
		return;
	}
	memcpy(&seq, seq_be, SEQ_LEN);
	seq = be64toh(seq);
	if (seqset_test_set(&st->seen, seq) == 1) {
		st->dups++;
		return;
	}
	st->unique++;
	/* Reordering within a flow (one destination port): the order in which
	 * we read several sockets says nothing about the network.
	 */
	if (seq + 1 < st->port_max[pi])
		st->reordered++;
	else
		st->port_max[pi] = seq + 1;
	if (st->unique == 1 || seq > st->max_seq)
		st->max_seq = seq;
}

/* A received TCP segment: count it if it is a SYN to one of our ports.
 * The sequence number comes from the payload, or from the TCP header when
 * the SYN carries less than 8 bytes (a SYN from some other tool).
 */
static void count_tcp(const struct recv_opts *o, struct recv_stats *st,
		      const uint8_t *pkt, size_t avail, size_t len, uint64_t rt)
{
	const struct tcphdr *th;
	size_t off = 0, thl;
	uint16_t dport;
	uint64_t be;

	if (o->family == AF_INET) {	/* IPv4 raw sockets see the IP header */
		if (avail < sizeof(struct iphdr))
			return;
		off = (pkt[0] & 0x0f) * 4;
	}
	if (avail < off + sizeof(*th))
		return;
	th = (const struct tcphdr *)(pkt + off);
	thl = th->doff * 4;
	dport = ntohs(th->dest);
	if (!th->syn || th->ack || dport < o->ports.lo || dport > o->ports.hi ||
	    thl < sizeof(*th) || len < off + thl)
		return;
	if (len - off - thl >= SEQ_LEN && avail >= off + thl + SEQ_LEN) {
		count_packet(o, st, dport, pkt + off + thl, len - off - thl, rt);
		return;
	}
	be = htobe64(ntohl(th->seq));
	count_packet(o, st, dport, (const uint8_t *)&be, len - off - thl, rt);
}

static int recv_sockets(const struct recv_opts *o, struct pollfd *pfd,
			int *nfd)
{
	int one = 1, rcvbuf = 8 << 20, n = 0, fd;
	uint32_t p;

	for (p = o->ports.lo; p <= o->ports.hi; p++) {
		struct sockaddr_storage addr = o->bind;

		if (o->proto == P_TCP_SYN && n)
			break;		/* one raw socket sees every port */
		fd = socket(o->family, (o->proto == P_UDP ? SOCK_DGRAM :
			    SOCK_RAW) | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    o->proto == P_UDP ? IPPROTO_UDP : IPPROTO_TCP);
		if (fd < 0)
			goto fail;
		pfd[n].fd = fd;
		pfd[n++].events = POLLIN;
		/* Bursts of a few thousand packets must not overflow the
		 * default 208 KiB buffer; FORCE works as root, beyond rmem_max.
		 */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
			       sizeof(rcvbuf)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				   sizeof(rcvbuf));
		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
		if (o->family == AF_INET6 && o->proto == P_UDP &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
			goto fail;
		if (o->proto == P_UDP)
			set_port(&addr, p);
		if ((o->proto == P_UDP || o->bind_str) &&
		    bind(fd, (struct sockaddr *)&addr, o->bind_len))
			goto fail;
	}
	*nfd = n;
	return 0;
fail:
	err("cannot listen on %s port %u: %s", o->bind_str ? o->bind_str :
	    o->family == AF_INET ? "0.0.0.0" : "::", p, strerror(errno));
	while (n--)
		close(pfd[n].fd);
	return -1;
}

/* Reads everything queued on fd.  dport: the port the socket is bound to. */
static void drain(int fd, const struct recv_opts *o, struct recv_stats *st,
		  uint16_t dport)
{
	static uint8_t bufs[BATCH][SNAP];
	static char ctl[BATCH][CMSG_SPACE(sizeof(struct timespec))];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	int i, n;

	for (;;) {
		if (o->expect && st->received >= o->expect)
			return;
		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = SNAP;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_control = ctl[i];
			msgs[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
		}
		/* MSG_TRUNC: msg_len is the real length, beyond SNAP too. */
		n = recvmmsg(fd, msgs, BATCH, MSG_TRUNC, NULL);
		if (n <= 0)
			return;
		for (i = 0; i < n; i++) {
			struct msghdr *mh = &msgs[i].msg_hdr;
			size_t len = msgs[i].msg_len;
			size_t avail = len < SNAP ? len : SNAP;
			uint64_t rt = 0;
			struct cmsghdr *cm;

			for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
				struct timespec ts;

				if (cm->cmsg_level != SOL_SOCKET ||
				    cm->cmsg_type != SCM_TIMESTAMPNS)
					continue;
				memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
				rt = (uint64_t)ts.tv_sec * 1000000000ULL +
				     ts.tv_nsec;
			}
			if (!rt)
				rt = now_ns(CLOCK_REALTIME);
			if (o->proto == P_UDP)
				count_packet(o, st, dport, len >= SEQ_LEN ?
					     bufs[i] : NULL, len, rt);
			else
				count_tcp(o, st, bufs[i], avail, len, rt);
			if (o->expect && st->received >= o->expect)
				return;
		}
	}
}

static void recv_report(const struct recv_opts *o, struct recv_stats *st,
			const char *reason)
{
	uint32_t nports = o->ports.hi - o->ports.lo + 1, i;
	double span = st->received > 1 ?
		      (st->last_rt - st->first_rt) / 1e9 : 0;
	double pps = span > 0 ? (st->received - 1) / span : 0;
	uint64_t missing = st->unique ? st->max_seq + 1 - st->unique : 0;
	char port[16];

	/* Gaps below the highest sequence number seen; a sender that did not
	 * start at 0 (--seq-start) shows its start here too.
	 */
	if (st->unique && st->max_seq + 1 < st->unique)
		missing = 0;
	if (o->ports.lo == o->ports.hi)
		snprintf(port, sizeof(port), "%u", o->ports.lo);
	else
		snprintf(port, sizeof(port), "%u-%u", o->ports.lo, o->ports.hi);
	if (!o->json) {
		printf("received %llu packets (%llu unique, %llu duplicates, "
		       "%llu bytes) on port %s, %.0f pps over %.3f s; %s\n",
		       (unsigned long long)st->received,
		       (unsigned long long)st->unique,
		       (unsigned long long)st->dups,
		       (unsigned long long)st->bytes, port, pps, span, reason);
		fflush(stdout);
		return;
	}
	printf("{\"proto\":\"%s\",\"family\":%s,\"port\":\"%s\","
	       "\"received\":%llu,\"unique\":%llu,\"duplicates\":%llu,"
	       "\"short\":%llu,\"bytes\":%llu,\"reordered\":%llu,"
	       "\"missing\":%llu,",
	       o->proto == P_UDP ? "udp" : "tcp-syn", family_str(o->family),
	       port, (unsigned long long)st->received,
	       (unsigned long long)st->unique, (unsigned long long)st->dups,
	       (unsigned long long)st->shorts, (unsigned long long)st->bytes,
	       (unsigned long long)st->reordered, (unsigned long long)missing);
	if (st->received)
		printf("\"first\":%llu.%06llu,\"last\":%llu.%06llu,",
		       (unsigned long long)(st->first_rt / 1000000000ULL),
		       (unsigned long long)(st->first_rt % 1000000000ULL / 1000),
		       (unsigned long long)(st->last_rt / 1000000000ULL),
		       (unsigned long long)(st->last_rt % 1000000000ULL / 1000));
	else
		printf("\"first\":null,\"last\":null,");
	printf("\"span\":%.6f,\"pps\":%.1f,\"reason\":\"%s\",\"ports\":{",
	       span, pps, reason);
	for (i = 0; i < nports; i++)
		printf("%s\"%u\":%llu", i ? "," : "", o->ports.lo + i,
		       (unsigned long long)st->per_port[i]);
	printf("}}\n");
	fflush(stdout);
}

static int do_recv(struct recv_opts *o)
{
	static struct pollfd pfd[MAX_RECV_PORTS];
	uint32_t nports = o->ports.hi - o->ports.lo + 1;
	struct recv_stats st = {};
	uint64_t t_end, done_at = 0;
	const char *reason = NULL;
	int nfd, i;

	st.per_port = calloc(nports, sizeof(*st.per_port));
	st.port_max = calloc(nports, sizeof(*st.port_max));
	if (!st.per_port || !st.port_max) {
		err("out of memory");
		return 1;
	}
	if (recv_sockets(o, pfd, &nfd))
		return 1;
	t_end = now_ns(CLOCK_MONOTONIC) + (uint64_t)(o->timeout * 1e9);

	while (!reason) {
		uint64_t now = now_ns(CLOCK_MONOTONIC), wake = t_end, quiet;
		int n;

		if (done_sig && !done_at)
			done_at = now;
		/* Quiet period: --idle once a packet came, or after SIGUSR1
		 * (counted from the signal or the last packet, whichever is
		 * later) --idle or DEF_DONE_IDLE ms.
		 */
		quiet = (o->idle_ms ? o->idle_ms : DEF_DONE_IDLE) * 1000000ULL;
		if (done_at) {
			uint64_t from = st.last_mono > done_at ? st.last_mono :
					done_at;

			if (from + quiet < wake)
				wake = from + quiet;
		} else if (o->idle_ms && st.received &&
			   st.last_mono + quiet < wake) {
			wake = st.last_mono + quiet;
		}
		if (stop_sig) {
			reason = "signal";
			break;
		}
		if (now >= wake) {
			reason = wake == t_end ? "timeout" :
				 done_at ? "done" : "idle";
			break;
		}

		n = poll(pfd, nfd, (wake - now + 999999) / 1000000);
		if (n < 0 && errno != EINTR) {
			err("poll: %s", strerror(errno));
			return 1;
		}
		for (i = 0; n > 0 && i < nfd; i++)
			if (pfd[i].revents & POLLIN)
				drain(pfd[i].fd, o, &st, o->ports.lo + i);
		if (o->expect && st.received >= o->expect)
			reason = "expect";
	}
	for (i = 0; i < nfd; i++)
		close(pfd[i].fd);
	recv_report(o, &st, reason);
	free(st.per_port);
	free(st.port_max);
	free(st.seen.bits);
	return o->expect && st.received < o->expect ? 1 : 0;
}

static int cmd_recv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port",	required_argument, NULL, 'p' },
		{ "bind",	required_argument, NULL, 'b' },
		{ "expect",	required_argument, NULL, 'e' },
		{ "timeout",	required_argument, NULL, 't' },
		{ "idle",	required_argument, NULL, 'i' },
		{ "proto",	required_argument, NULL, 'P' },
		{ "json",	no_argument,	   NULL, 'j' },
		{}
	};
	struct recv_opts o = { .timeout = DEF_TIMEOUT };
	int c;

	while ((c = getopt_long(argc, argv, ":46p:b:e:t:i:P:j", opts,
				NULL)) != -1) {
		switch (c) {
		case '4': o.family = AF_INET; break;
		case '6': o.family = AF_INET6; break;
		case 'p': o.ports = parse_ports(optarg); o.have_ports = true; break;
		case 'b': o.bind_str = optarg; break;
		case 'e':
			o.expect = parse_u64("--expect", optarg, 1, UINT64_MAX / 2);
			break;
		case 't':
			o.timeout = parse_double("--timeout", optarg, 0.001, 86400);
			break;
		case 'i':
			o.idle_ms = parse_u64("--idle", optarg, 1, 86400000);
			break;
		case 'P': o.proto = parse_proto(optarg); break;
		case 'j': o.json = true; break;
		default: bad_option("recv", argv);
		}
	}
	if (optind < argc)
		usage_err("recv: unexpected argument '%s'", argv[optind]);
	if (!o.have_ports)
		usage_err("recv needs --port P[-Q]");
	if (o.proto == P_UDP &&
	    o.ports.hi - o.ports.lo + 1 > MAX_RECV_PORTS)
		usage_err("--port range too wide for recv (at most %d ports)",
			  MAX_RECV_PORTS);
	if (o.bind_str) {
		o.bind_len = parse_addr("--bind", o.bind_str, &o.family, &o.bind);
	} else {
		if (o.family == AF_UNSPEC)
			o.family = AF_INET;
		o.bind.ss_family = o.family;	/* the wildcard address */
		o.bind_len = o.family == AF_INET ? sizeof(struct sockaddr_in) :
			     sizeof(struct sockaddr_in6);
	}
	/* Before the sockets exist: a SIGUSR1 from a test that saw the port
	 * bound must never kill us.
	 */
	setup_signals();
	return do_recv(&o);
}

static void usage(FILE *f)
{
	fputs("Usage: traffic send -4|-6 --dst ADDR --port P[-Q] [--sport S] [--count N]\n"
	      "                    [--rate PPS] [--size BYTES] [--duration SEC]\n"
	      "                    [--seq-start N] [--proto udp|tcp-syn] [--json]\n"
	      "       traffic recv [-4|-6] --port P[-Q] [--bind ADDR] [--expect N]\n"
	      "                    [--timeout SEC] [--idle MS] [--proto udp|tcp-syn] [--json]\n"
	      "send stops after --count (default 1000) or --duration; recv after --expect,\n"
	      "--idle ms of quiet, or --timeout (default 10 s); SIGUSR1 ends recv after\n"
	      "--idle (default 200) ms of quiet.\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	opterr = 0;
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "recv"))
		return cmd_recv(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	err("unknown command '%s' (want send, recv or help)", argv[1]);
	return 2;
}
