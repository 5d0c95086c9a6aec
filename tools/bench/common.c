// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What the two benchmarks share: see common.h. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <sys/resource.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "tools/bench/common.h"
#include "tests/lib/pkt.h"

struct bench_opts opt = {
	.rounds = 3,
	.copies = 6,
	.repeat = 1000000,
	.cpu = -1,
};

unsigned char pkt[PKT_LEN];
unsigned char pkt6[PKT6_LEN];
struct tcc_ctx *tcc;
/* Objects that must stay open: they hold the maps' user references. */
static struct bpf_object **objs;
static int n_objs;
static struct tcc_chain **chains;
static int n_chains;

void die(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Warnings carry the verifier log of a failed load; keep those. */
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !opt.verbose))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

bool bench_opt(int c, const char *arg)
{
	switch (c) {
	case 'r': opt.rounds = atoi(arg); break;
	case 'k': opt.copies = atoi(arg); break;
	case 'n': opt.repeat = atoi(arg); break;
	case 'c': opt.cpu = atoi(arg); break;
	case 'b': opt.bpf_dir = arg; break;
	case 'o': opt.json = arg; break;
	case 'v': opt.verbose = true; break;
	default: return false;
	}
	return true;
}

const char *bench_exe_dir(void)
{
	static char buf[PATH_MAX];
	ssize_t n;
	char *d;

	if (buf[0])
		return buf;
	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n < 0) {
		snprintf(buf, sizeof(buf), "build/tools/bench");	/* no /proc */
		return buf;
	}
	buf[n] = 0;
	d = dirname(buf);
	if (d != buf)
		memmove(buf, d, strlen(d) + 1);
	return buf;
}

bool bench_setup(void)
{
	static char bpf_dir[PATH_MAX + 8];
	struct rlimit rl;
	cpu_set_t set;

	if (opt.rounds < 1 || opt.rounds > MAX_ROUNDS || opt.copies < 1 ||
	    opt.copies > MAX_COPIES || opt.repeat < 100)
		return false;
	if (!opt.bpf_dir) {
		snprintf(bpf_dir, sizeof(bpf_dir), "%s/bpf", bench_exe_dir());
		opt.bpf_dir = bpf_dir;
	}
	libbpf_set_print(libbpf_print);
	/* Chains keep many maps open: stage objects' own maps stay with them. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (opt.cpu < 0)
		opt.cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(opt.cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("cannot pin to CPU %d: %s", opt.cpu, strerror(errno));
	udp_packet(pkt, sizeof(pkt), 4, "10.0.0.1");
	udp_packet(pkt6, sizeof(pkt6), 6, "fd00::1");
	return true;
}

/* ---- packets -------------------------------------------------------------------- */

/* The benchmark's packet, built with tests/lib/pkt.h (the tests' packet
 * builder): Ethernet, IPv4 (checksummed) or IPv6, UDP 40000 -> 5001 (no
 * UDP checksum: no stage looks at it), 22 bytes of payload; from src to
 * 10.0.0.2 or fd00::2.  64 bytes over IPv4, 84 over IPv6.
 */
void udp_packet(unsigned char *buf, size_t size, int family, const char *src)
{
	struct pb p = {};
	size_t ip, udp;

	if (family == 4) {
		pb_eth(&p, ETH_P_IP);
		ip = pb_ip4(&p, IPPROTO_UDP, src, "10.0.0.2", 5, 0);
	} else {
		pb_eth(&p, ETH_P_IPV6);
		ip = pb_ip6(&p, IPPROTO_UDP, src, "fd00::2");
	}
	udp = pb_udp(&p, 40000, 5001);
	pb_fill(&p, PKT_LEN - 14 - 20 - 8, 0xab);
	pb_udp_len(&p, udp);
	if (family == 4) {
		pb_ip4_len(&p, ip);
		pb_ip4_csum(&p, ip);
	} else {
		pb_ip6_len(&p, ip);
	}
	if (p.len != size)
		die("IPv%d packet: %zu bytes, want %zu", family, p.len, size);
	memcpy(buf, p.b, size);
}

/* ---- loading with plain libbpf ------------------------------------------------ */

void keep(struct bpf_object *obj)
{
	objs = realloc(objs, (n_objs + 1) * sizeof(*objs));
	if (!objs)
		die("out of memory");
	objs[n_objs++] = obj;
}

const char *obj_path(const char *file)
{
	static char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s/%s", opt.bpf_dir, file);
	return buf;
}

struct bpf_object *obj_open(const char *file)
{
	const char *path = obj_path(file);
	struct bpf_object *obj = bpf_object__open_file(path, NULL);

	if (!obj)
		die("cannot open %s: %s", path, strerror(errno));
	return obj;
}

void obj_load(struct bpf_object *obj, const char *what, int slot)
{
	int err = bpf_object__load(obj);

	if (err)
		die("%s: %s (slot %d) does not load: %s", bpf_object__name(obj), what, slot,
		    strerror(-err));
}

int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	if (!p)
		die("%s: no program %s", bpf_object__name(obj), name);
	return bpf_program__fd(p);
}

/* Set a `const volatile` variable of @len bytes in the object's .rodata. */
int rodata_set(struct bpf_object *obj, const char *var, const void *val, __u32 len)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, ".rodata");
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	const void *init;
	size_t size;
	int id, err = -ENOENT;
	char *data;

	if (!map || !btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return id;
	sec = btf__type_by_id(btf, id);
	init = bpf_map__initial_value(map, &size);
	if (!init)
		return -ENOENT;
	data = malloc(size);
	if (!data)
		return -ENOMEM;
	memcpy(data, init, size);
	vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type);

		if (strcmp(btf__name_by_offset(btf, v->name_off), var) || vs->size != len)
			continue;
		memcpy(data + vs->offset, val, len);
		err = bpf_map__set_initial_value(map, data, size);
		break;
	}
	free(data);
	return err;
}

int rodata_set_u32(struct bpf_object *obj, const char *var, __u32 val)
{
	return rodata_set(obj, var, &val, sizeof(val));
}

__u32 jit_len(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("prog info: %s", strerror(errno));
	return info.jited_prog_len;
}

__u32 jit_main_len(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), flen[64] = {};

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("prog info: %s", strerror(errno));
	if (info.nr_jited_func_lens < 2)
		return info.jited_prog_len;
	if (info.nr_jited_func_lens > ARRAY_SIZE(flen))
		die("prog info: %u functions", info.nr_jited_func_lens);
	len = info.nr_jited_func_lens;
	memset(&info, 0, sizeof(info));
	info.nr_jited_func_lens = len;
	info.jited_func_lens = (unsigned long)flen;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("prog info: %s", strerror(errno));
	return flen[0];
}

/* ---- loading with libtcchain ---------------------------------------------------- */

void tcc_die(const char *what, int err)
{
	const char *detail = tcc_ctx_detail(tcc);

	die("%s: %s%s%s", what, strerror(-err), detail ? ": " : "", detail ? detail : "");
}

static void keep_chain(struct tcc_chain *c)
{
	chains = realloc(chains, (n_chains + 1) * sizeof(*chains));
	if (!chains)
		die("out of memory");
	chains[n_chains++] = c;
}

/* An in-memory chain as the library builds it, end verdict pass, kept
 * until exit.
 */
struct tcc_chain *new_chain(void)
{
	struct tcc_chain_opts copts = { .end_verdict = TC_ACT_OK, .miss_verdict = TC_ACT_OK };
	struct tcc_chain *c;

	if (!tcc && !(tcc = tcc_ctx_new()))
		die("tcc_ctx_new: %s", strerror(errno));
	c = tcc_chain_load(tcc, &copts);
	if (!c)
		tcc_die("tcc_chain_load", -errno);
	keep_chain(c);
	return c;
}

void bench_cleanup(void)
{
	for (int i = 0; i < n_chains; i++)
		tcc_chain_close(chains[i]);
	tcc_ctx_free(tcc);
	for (int i = 0; i < n_objs; i++)
		bpf_object__close(objs[i]);
	free(chains);
	free(objs);
}

/* ---- method ------------------------------------------------------------------------ */

double thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static __u64 rng_state = 0x9e3779b97f4a7c15ULL;

static __u32 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state >> 32;
}

/* A fresh random order for a round. */
void shuffle(int *order, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = rng() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double median(const double *v, int n)
{
	double s[MAX_SAMPLES];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

void summarize(struct samples *c)
{
	double all[MAX_SAMPLES] = { 0 }, k[MAX_SAMPLES];
	int m = 0;

	for (int cp = 0; cp < opt.copies; cp++) {
		c->copy_med[cp] = median(c->ns[cp], opt.rounds);
		for (int r = 0; r < opt.rounds; r++, m++) {
			all[m] = c->ns[cp][r];
			k[m] = c->kns[cp][r];
		}
	}
	c->med = median(all, m);
	c->kmed = median(k, m);
	c->min = c->max = all[0];
	for (int i = 0; i < m; i++) {
		c->min = fmin(c->min, all[i]);
		c->max = fmax(c->max, all[i]);
	}
}

static void json_array(FILE *f, const double *v, int n)
{
	fprintf(f, "[");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%.2f", i ? ", " : "", v[i]);
	fprintf(f, "]");
}

void json_samples(FILE *f, const struct samples *s)
{
	fprintf(f, "\"copy_median_ns\": ");
	json_array(f, s->copy_med, opt.copies);
	fprintf(f, ",\n     \"samples_ns\": [");
	for (int cp = 0; cp < opt.copies; cp++) {
		fprintf(f, "%s", cp ? ", " : "");
		json_array(f, s->ns[cp], opt.rounds);
	}
	fprintf(f, "]");
}
