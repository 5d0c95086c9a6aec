// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* traffic send: see traffic.c. */
#include "traffic.h"

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

int cmd_send(int argc, char **argv)
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
