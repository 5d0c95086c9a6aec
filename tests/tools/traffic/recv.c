// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* traffic recv: see traffic.c. */
#include "traffic.h"

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
	sigset_t stop_set, open_mask;
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
	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGINT);
	sigaddset(&stop_set, SIGTERM);
	sigaddset(&stop_set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &stop_set, &open_mask);

	while (!reason) {
		uint64_t now = now_ns(CLOCK_MONOTONIC), wake = t_end, quiet;
		uint64_t left;
		struct timespec ts;
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

		/* The signals stay blocked except inside ppoll(): one that
		 * came after the check above is delivered there, at once,
		 * instead of being noticed only at the timeout.
		 */
		left = wake - now;
		ts.tv_sec = left / 1000000000ULL;
		ts.tv_nsec = left % 1000000000ULL;
		n = ppoll(pfd, nfd, &ts, &open_mask);
		if (n < 0 && errno != EINTR) {
			err("ppoll: %s", strerror(errno));
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

int cmd_recv(int argc, char **argv)
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
