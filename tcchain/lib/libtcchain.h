/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libtcchain: chains of BPF stages on a clsact hook.
 *
 * Error contract (as libbpf): functions return 0 or -errno; functions that
 * return a pointer return NULL and set errno.  Nothing here prints or exits.
 * When the kernel or the verifier said why something failed, that text is
 * kept in the tcc_ctx (tcc_ctx_detail()) for the caller to show.
 */
#ifndef LIBTCCHAIN_H
#define LIBTCCHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <sys/types.h>
#include <linux/types.h>
#include <tcchain/abi.h>
#include "netlink/tcnl.h"	/* enum tcc_dir */

#define TCC_PIN_ROOT		"/sys/fs/bpf/tcchain"
#define TCC_DEFAULT_PRIO	1
#define TCC_DEFAULT_HANDLE	1


const char *tcc_dir_str(enum tcc_dir dir);
int tcc_dir_parse(const char *s, enum tcc_dir *dir);		/* -EINVAL */
const char *tcc_verdict_str(int verdict);			/* "pass", ... */
int tcc_verdict_parse(const char *s, int *verdict);		/* pass|drop|continue */

/* ---- context: netlink socket, namespace, error detail ---------------------- */

struct tcc_ctx;

struct tcc_ctx *tcc_ctx_new(void);		/* NULL + errno */
void tcc_ctx_free(struct tcc_ctx *ctx);
/* Extended-ACK text or verifier reason of the last failure, or NULL. */
const char *tcc_ctx_detail(const struct tcc_ctx *ctx);
/* A call that changed the chain succeeds even when cleanup after its commit
 * point did not finish; what was left is said here (NULL when nothing was).
 */
const char *tcc_ctx_warning(const struct tcc_ctx *ctx);
/* Warnings are one per line.  A note says what a call that worked did
 * that the caller may not expect (a foreign stage loaded), or NULL.
 */
const char *tcc_ctx_note(const struct tcc_ctx *ctx);
/* Whether the last failure was the kernel's or the verifier's refusal
 * (the CLI exits 2), rather than input tcchain itself found wrong (1). */
bool tcc_ctx_refused(const struct tcc_ctx *ctx);
/* The whole verifier log of the last failed load, or NULL. */
const char *tcc_ctx_log(const struct tcc_ctx *ctx);
/* Enter a network namespace: a name under /run/netns or a path.  Call
 * before anything else uses the context.
 */
int tcc_netns_enter(const char *name_or_path);
/* The current network namespace's cookie (the pin directory's name): the
 * kernel never gives it to another namespace while the system runs. */
int tcc_netns_id(__u64 *id);
/*
 * Remove the pins of namespaces that no longer exist: the kernel proves
 * each one gone (its nsfs file handle, recorded at add, goes stale).
 * *chains counts the chains removed, *netns the namespaces.  Namespaces
 * that are alive, or whose liveness cannot be proven, are not touched.
 */
int tcc_netns_prune(struct tcc_ctx *ctx, int *chains, int *netns);
/*
 * The lock every change to a chain takes (flock on the pin root), for
 * callers doing their own read-modify-write of a stage's maps.  Returns a
 * token for tcc_unlock(), or -errno.  The library takes it itself in every
 * changing call; it is re-entrant within a process (a depth count on one
 * fd), so a caller holding it may call any library function.  It waits
 * at most 10 s (TCC_LOCK_TIMEOUT_MS in the environment overrides), then
 * fails with -ETIMEDOUT and tcc_lock_holder() names the process holding it.
 */
int tcc_lock(void);
void tcc_unlock(int token);
/* The pid holding the chains' lock, or 0. */
pid_t tcc_lock_holder(void);
/* Whether this process may change tc and BPF state at all: effective
 * CAP_NET_ADMIN plus CAP_BPF or CAP_SYS_ADMIN. */
bool tcc_privileged(void);
/*
 * Whether the pin root can be trusted: a real directory owned by root and
 * writable by no one else, in a bpffs that others cannot rename it out of.
 * -EPERM with the reason in why when not.  A missing root is fine: tcchain
 * creates it root-owned, mode 0700.
 */
int tcc_pin_root_check(char *why, size_t len);
/*
 * Make sure pins will outlive this command: mount bpffs on /sys/fs/bpf
 * when nothing is mounted there and this is the host's mount namespace.
 * -EXDEV when pins would live only in a private mount namespace (as
 * under `ip netns exec`): nothing is mounted then.
 */
int tcc_bpffs_ensure(void);

/* ---- chains ------------------------------------------------------------------ */

struct tcc_chain;

struct tcc_chain_opts {
	int ifindex;
	enum tcc_dir dir;
	__u16 prio;		/* 0: TCC_DEFAULT_PRIO */
	__u32 handle;		/* 0: TCC_DEFAULT_HANDLE */
	int end_verdict;	/* TC_ACT_OK (default), TC_ACT_SHOT, TC_ACT_UNSPEC */
	int miss_verdict;	/* same set; default TC_ACT_OK */
};

/*
 * Create a chain's maps and entry program in memory: not pinned, not
 * attached.  Tests and the benchmark run it with BPF_PROG_TEST_RUN.
 * opts->ifindex and dir may be zero here.
 */
struct tcc_chain *tcc_chain_load(struct tcc_ctx *ctx, const struct tcc_chain_opts *opts);
/*
 * tcchain add: tcc_chain_load, pin under the chain directory, create clsact
 * when absent, attach the filter.  On failure nothing is left behind.
 */
int tcc_chain_add(struct tcc_ctx *ctx, const struct tcc_chain_opts *opts);
/* tcchain del: filter, pins, and clsact if tcchain created it and it is empty. */
int tcc_chain_del(struct tcc_ctx *ctx, int ifindex, enum tcc_dir dir);
/*
 * Remove the pins of chains in the current netns that are not attached any
 * more (the device is gone, or their filter was deleted behind tcchain's
 * back).  *removed counts them.  Attached chains are never touched.
 */
int tcc_chain_prune(struct tcc_ctx *ctx, int *removed);
/* Remove the tcchain filters of the current netns whose chain has no pins
 * (pins that vanished under a running chain); *removed counts them. */
int tcc_orphans_prune(struct tcc_ctx *ctx, int *removed);
/* Open the pinned chain of (current netns, ifindex, dir); -ENOENT if none. */
struct tcc_chain *tcc_chain_open(struct tcc_ctx *ctx, int ifindex, enum tcc_dir dir);
void tcc_chain_close(struct tcc_chain *chain);

int tcc_chain_entry_fd(const struct tcc_chain *chain);
int tcc_chain_map_fd(const struct tcc_chain *chain, const char *name);	/* TCC_MAP_* */
int tcc_chain_ifindex(const struct tcc_chain *chain);
enum tcc_dir tcc_chain_dir(const struct tcc_chain *chain);
const char *tcc_chain_pin_dir(const struct tcc_chain *chain);	/* NULL if unpinned */
int tcc_chain_config(const struct tcc_chain *chain, struct tcc_config *cfg);

struct tcc_chain_info {
	__u64 netns;
	int ifindex;
	char ifname[16];		/* "" when the device is gone */
	enum tcc_dir dir;
	__u16 prio;
	__u32 handle;
	__u32 entry_id;
	int end_verdict;
	int miss_verdict;
	bool attached;			/* the filter is on the hook with our entry */
	bool owns_qdisc;		/* tcchain created the clsact */
};

int tcc_chain_info(struct tcc_ctx *ctx, const struct tcc_chain *chain, struct tcc_chain_info *info);
/*
 * Call cb for every chain pinned for the current netns, in (ifindex, dir)
 * order.  A chain that is pinned but cannot be opened (another ABI, a pin
 * missing, out of file descriptors) is passed too, so it is reported
 * rather than skipped: tcc_chain_error() says why, and only the
 * identity accessors (ifindex, dir, pin dir) work on it.
 */
int tcc_chain_error(const struct tcc_chain *chain);	/* 0, or -errno */
int tcc_chain_foreach(struct tcc_ctx *ctx,
		      int (*cb)(struct tcc_chain *chain, void *arg), void *arg);

/* ---- stages ------------------------------------------------------------------ */

#define TCC_MAX_PARAMS	32

struct tcc_param {
	const char *name;
	const char *value;		/* text, parsed against the BTF type */
};

struct tcc_stage_opts {
	const char *file;		/* path of the .bpf.o, or of C source (.c) */
	const char *prog;		/* program name; NULL: the only tc program */
	const struct tcc_param *params;
	size_t n_params;
	/* Replacing a stage in place keeps its maps whose definition is
	 * unchanged (doc/abi.md); fresh_maps gives it new, empty ones. */
	bool fresh_maps;
};

/*
 * Load a stage object against the chain's maps and put it in slot (one
 * prog-array update: an occupied slot is replaced atomically), then link it
 * into next[].  A pinned chain pins the stage, its own maps and its
 * metadata under slot-NN/.  On failure the chain is exactly as before.
 */
int tcc_stage_set(struct tcc_ctx *ctx, struct tcc_chain *chain, __u32 slot,
		  const struct tcc_stage_opts *opts);
/* Unlink from next[], empty the slot, remove its pins.  -ENOENT if empty. */
int tcc_stage_del(struct tcc_ctx *ctx, struct tcc_chain *chain, __u32 slot);

/*
 * What the loader found out about a stage (doc/abi.md, "Foreign stages"):
 *  FOREIGN	a tc program not built with TCC_STAGE (a plain SEC("tc")
 *		program, with or without <tcchain.h>): it does not hand the
 *		packet on, so its verdict ends the chain, and it counts
 *		nothing; tcchain knows only how many packets reached it.
 *  READS_PKT	it calls tcc_pkt_parsed(): it needs parse in an earlier slot
 *  FILLS_PKT	it fills the parsed packet (parse, tcc_parse(), tcc_pkt_get())
 *  SOURCE	file is C source that stage set compiled (object says where)
 */
#define TCC_STAGE_F_FOREIGN	(1U << 0)
#define TCC_STAGE_F_READS_PKT	(1U << 1)
#define TCC_STAGE_F_FILLS_PKT	(1U << 2)
#define TCC_STAGE_F_SOURCE	(1U << 3)

struct tcc_stage_info {
	__u32 slot;
	__u32 prog_id;
	__u32 flags;			/* TCC_STAGE_F_* */
	char prog[64];			/* program name */
	char file[4096];		/* object file (or C source) as given, made absolute (PATH_MAX) */
	char object[4096];		/* SOURCE: the object compiled from it; else "" */
	char params[512];		/* "name=value name=value" as set */
	char kept_maps[128];		/* "a b": maps carried over from the stage it replaced */
	time_t loaded;			/* wall clock, seconds */
};

/* Stage in slot: 0 and *info, -ENOENT when the slot is empty. */
int tcc_stage_info(const struct tcc_chain *chain, __u32 slot, struct tcc_stage_info *info);
/* A new fd (the caller closes it) of the stage's own map called name, or -ENOENT.
 * Pinned chains open the pin; in-memory chains keep the fds of their stages. */
int tcc_stage_map_fd(const struct tcc_chain *chain, __u32 slot, const char *name);

/* ---- what the kernel knows of a stage (stage_info.c) --------------------------- */

#define TCC_STAGE_MAPS_MAX	64	/* the kernel's limit of maps per program */

struct tcc_stage_map_kinfo {
	char name[16];
	__u32 id;
	__u32 type;			/* BPF_MAP_TYPE_* */
	__u32 key_size, value_size, max_entries;
	bool per_cpu;
	char pin[256];			/* "" for an in-memory chain */
};

struct tcc_stage_kinfo {
	char tag[17];			/* the kernel's program tag, hex */
	__u32 xlated_len;		/* bytes of BPF after the verifier's rewrites */
	__u32 jited_len;		/* bytes of machine code; 0: not JITed */
	__u32 verified_insns;		/* 0: the kernel does not say (before 5.16) */
	__u32 btf_id;			/* 0: none */
	char pin[256];			/* the program's pin; "" for an in-memory chain */
	int n_maps;			/* the stage's own maps (not the chain's) */
	bool more_maps;			/* more than TCC_STAGE_MAPS_MAX */
	struct tcc_stage_map_kinfo maps[TCC_STAGE_MAPS_MAX];
};

/* The stage in slot as the kernel sees it (bpf_prog_info, bpf_map_info):
 * 0, -ENOENT when the slot is empty, or -errno. */
int tcc_stage_kinfo(const struct tcc_chain *chain, __u32 slot, struct tcc_stage_kinfo *info);

/* ---- a stage's own maps, by BTF field names ---------------------------------- */

struct btf;

/* Called per scalar field: "name" (flattened: a.b, arr[3]) and its text. */
typedef int (*tcc_field_cb)(const char *name, const char *value, bool numeric, void *arg);
int tcc_btf_walk(const struct btf *btf, __u32 type_id, const void *data,
		 tcc_field_cb cb, void *arg);
/* Read the integer field "name" of data: 0, -ENOENT, or -EINVAL (not an int). */
int tcc_btf_get(const struct btf *btf, __u32 type_id, const void *data, const char *name,
		__u64 *value);
/* Set the field "name" of data from text by the rules of doc/values.md (the
 * same as params); "name=text: why" in err on failure, data unchanged. */
int tcc_btf_set(const struct btf *btf, __u32 type_id, void *data, const char *name,
		const char *value, char *err, size_t errlen);

struct tcc_map {
	int fd;
	char name[16];
	__u32 type;			/* BPF_MAP_TYPE_* */
	__u32 key_size, value_size, max_entries;
	struct btf *btf;		/* NULL: the map has no BTF */
	__u32 key_type_id, value_type_id;
	int ncpu;			/* > 0 for per-CPU maps */
};

/* Call cb with the name of each of the stage's own maps in slot. */
int tcc_stage_maps(const struct tcc_chain *chain, __u32 slot,
		   int (*cb)(const char *name, void *arg), void *arg);
int tcc_map_open(const struct tcc_chain *chain, __u32 slot, const char *name,
		 struct tcc_map *map);
/* The same for a map fd of the caller's (taken over: tcc_map_close closes it). */
int tcc_map_from_fd(int fd, const char *name, struct tcc_map *map);
void tcc_map_close(struct tcc_map *map);
/*
 * Look up key; value gets value_size bytes.  Per-CPU maps are summed
 * field by field for integer fields (counters), first CPU otherwise.
 * -ENOENT when absent.
 */
int tcc_map_lookup(const struct tcc_map *map, const void *key, void *value);
/*
 * Write value.  A per-CPU map gets it on CPU 0 and, on the other CPUs, the
 * same with every integer counter zeroed: tcc_map_lookup reads it back as
 * written (doc/values.md).
 */
int tcc_map_update(const struct tcc_map *map, const void *key, const void *value);

/* ---- stats ------------------------------------------------------------------- */

/*
 * What each slot did, derived from the per-CPU rows (see struct tcc_stats):
 * packets and bytes the stage saw, its verdicts, how many it passed on
 * (next), and misses.  Counted from when the stage went into the slot;
 * a stage replaced in place keeps counting.  Row TCC_STATS_CHAIN is the
 * chain's: packets and bytes in, end verdicts.  Exact when read at rest;
 * under traffic, packets in flight between stages may be off by a few.
 */
struct tcc_slot_stats {
	__u64 packets;
	__u64 bytes;
	__u64 pass;
	__u64 drop;
	__u64 redirect;
	__u64 other;
	__u64 next;
	__u64 miss;
	__u64 cost_ns;		/* sampled packets' time in the stage (chain: in all) */
	__u64 cost_samples;	/* sampled packets timed (chain: sampled packets in) */
	/* Packets that ended in a foreign stage, whose verdict tcchain
	 * cannot see.  A foreign slot's row has packets and bytes (what
	 * reached it) and foreign == packets; its pass..other stay 0.
	 */
	__u64 foreign;
	bool is_foreign;		/* slot rows: the stage is foreign */
};

/*
 * out has TCC_STATS_ROWS entries.  A slot row counts for the stage in the
 * slot now, from when it went in; an empty slot shows only its misses.
 */
int tcc_stats_read(const struct tcc_chain *chain, struct tcc_slot_stats *out);
/*
 * Where the chain's packets ended, over its whole life: every slot's
 * verdicts and misses (whichever stage gave them) plus the end verdicts;
 * packets and bytes in.  Monotonic: stage set and del never move it back;
 * only tcc_stats_reset() does.
 */
int tcc_stats_totals(const struct tcc_chain *chain, struct tcc_slot_stats *total);
/* Zero every counter of the chain and every stage's baseline.  Take the
 * chains' lock around it.
 */
int tcc_stats_reset(const struct tcc_chain *chain);

/* ---- observation (observe.c, doc/observe.md) ------------------------------- */

#define TCC_COST_SHIFT_MAX	16	/* sample at least 1 packet in 65536 */

/* tcc_config.flags as the data plane sees it (TCC_CFG_F_*). */
__u32 tcc_observe_flags(const struct tcc_chain *chain);
/* Cost sampling on (1 packet in 2^shift) or off.  Takes effect at once. */
int tcc_cost_set(struct tcc_chain *chain, bool on, __u32 shift);
/* The trace flag; a tracer sets it only while it holds the claim. */
int tcc_trace_set(struct tcc_chain *chain, bool on, __u32 shift);
/* Become the chain's one tracer: a lock fd, or -EBUSY if another runs. */
int tcc_trace_claim(struct tcc_chain *chain);
/* Trace flag off, then give up the claim (claim < 0: only the flag). */
void tcc_trace_release(struct tcc_chain *chain, int claim);

/* ---- stage kinds: what tcchain knows of the stages it ships ------------------ */

/*
 * Each shipped stage that has words of its own (ratelimit's rate units,
 * acl's and mark's rules) is a module in bpf/stages/NAME/: its BPF
 * program, one header with its map layout, and NAME.c with the ops below,
 * registered by one line in tcchain/lib/kinds.c.  A loaded stage is of a
 * kind when its program is called NAME (TCC_STAGE(NAME)), wherever its
 * object file came from.
 */

/* One rule as the module shows it: the words `add` takes, and the same as
 * named fields for JSON.  A field with is_num false and str NULL is null.
 */
#define TCC_RULE_FIELDS	10
struct tcc_rule_field {
	const char *key;
	const char *str;
	__u64 num;
	bool is_num;
};

struct tcc_rule {
	__u32 id;
	__u64 hits;			/* packets the rule decided */
	char words[256];		/* "drop src 10.0.0.0/8 tcp dport 22" */
	int n_fields;
	struct tcc_rule_field f[TCC_RULE_FIELDS];
	char buf[256];			/* storage for the fields' strings */
};

struct tcc_kind {
	const char *name;
	/* Rewrite the params as typed into the stage's own ("rate=10mbit"
	 * into "rate=1250000 bytes=1"); may append up to max.  text is
	 * scratch space for the new values.
	 */
	int (*params)(struct tcc_ctx *ctx, struct tcc_param *p, size_t *n, size_t max,
		      char *text, size_t text_len);
	/* Rule words: NULL when the stage has none. */
	const char *rule_usage;		/* "[ id ID ] ACTION ..." */
	const char *rule_help;		/* more lines of help, or NULL */
	int (*rule_add)(struct tcc_ctx *ctx, struct tcc_chain *c, __u32 slot,
			int argc, char **argv, __u32 *id);
	int (*rule_del)(struct tcc_ctx *ctx, struct tcc_chain *c, __u32 slot, __u32 id);
	/* Every rule, in id order (*rules: malloc'ed, the caller frees). */
	int (*rule_list)(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot,
			 struct tcc_rule **rules, int *n);
	/* What applies when no rule does (a rule with id 0), or NULL. */
	int (*rule_default)(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot,
			    struct tcc_rule *def);
};

/* The kind called name, or NULL. */
const struct tcc_kind *tcc_kind_find(const char *name);
/* The kind of the stage in slot (by its program name), or NULL. */
const struct tcc_kind *tcc_kind_of(const struct tcc_chain *chain, __u32 slot);
/* Every registered kind, NULL-terminated. */
const struct tcc_kind *const *tcc_kinds(void);
/*
 * The slot holding a stage of this kind: want >= 0 must hold one; want < 0
 * means the only one in the chain.  -ENOENT (none, or want is another
 * stage) or -E2BIG (several: say which), with the reason in ctx.
 */
int tcc_kind_slot(struct tcc_ctx *ctx, const struct tcc_chain *chain,
		  const struct tcc_kind *kind, long want, __u32 *slot);
/* Append "text" to a rule's words and, as key, to its JSON fields. */
void tcc_rule_str(struct tcc_rule *r, const char *key, const char *words_fmt,
		  const char *text);
void tcc_rule_num(struct tcc_rule *r, const char *key, const char *words_fmt, __u64 v);
void tcc_rule_null(struct tcc_rule *r, const char *key);

/*
 * Write to out the commands that recreate the configuration the tool owns
 * in words for the stage in slot (acl rules, mark rules), one per line,
 * without "dev DEV DIR": "acl add slot 1 id 3 drop src 10.0.0.0/8 tcp dport 22".
 * Stages with no words write nothing.  0 or -errno.
 */
int tcc_stage_save_words(struct tcc_ctx *ctx, struct tcc_chain *chain, __u32 slot, FILE *out);

/*
 * A number as every tcchain word takes it: decimal, or hex with 0x; no
 * sign, no space, no leading zero (not octal: -EDOM), nothing after it.
 * 0, -EDOM, -EINVAL (not a number) or -ERANGE (over 64 bits).
 */
int tcc_parse_uint(const char *text, unsigned long long *out);

/* ---- stage lookup ------------------------------------------------------------ */

/*
 * Resolve a stage argument.  A path (with a '/', or ending in .o or .c) is used
 * as is.  Any other word is a library name, never a file of the current
 * directory: NAME.bpf.o in $TCCHAIN_STAGE_PATH (colon separated), then
 * stages/ next to the binary (the build tree), then PREFIX/lib/tcchain/stages
 * for a binary in PREFIX/sbin, then the stage dir the build was given.
 * 0 and out filled; -ENOENT with out listing the places looked in.
 */
bool tcc_stage_is_path(const char *arg);
/* Whether file is C source (ends in .c): stage set compiles it. */
bool tcc_stage_is_source(const char *file);
/*
 * Compile C source into the stage cache (doc/writing-stages.md has the
 * flags): clang -O2 -g -target bpf, the SDK headers, Debian's multiarch
 * include dir.  0 with the object's path in out; on failure -errno and
 * the reason in ctx (clang's diagnostics as the log: tcc_ctx_log()).
 */
int tcc_stage_compile(struct tcc_ctx *ctx, const char *src, char *out, size_t len);
/* Where the object compiled from src is kept (no I/O). */
int tcc_stage_cache_path(const char *src, char *out, size_t len);
/*
 * Remove the objects of the stage cache that no chain pinned in any
 * namespace uses (live or previous generation) and that were last
 * compiled more than a day ago (doc/writing-stages.md).  *removed counts
 * them.  Fails only when the pins cannot be read (nothing removed then);
 * a file that cannot be removed is a warning (tcc_ctx_warning()).
 */
int tcc_cache_prune(struct tcc_ctx *ctx, int *removed);
int tcc_stage_find(const char *arg, char *out, size_t len);

/* ---- generations: whole-chain changes (doc/generations.md) ------------------- */

/*
 * A new generation of live (NULL: of a chain not created yet): a complete
 * chain in memory (entry, prog array, config, scratch, meta) counting into
 * live's stats map.  Fill it with tcc_stage_set() and tcc_gen_keep(),
 * commit it with tcc_gen_commit(), or drop it with tcc_chain_close().
 */
struct tcc_chain *tcc_gen_new(struct tcc_ctx *ctx, const struct tcc_chain *live,
			      const struct tcc_chain_opts *opts);
/* Put live's stage of slot into gen's slot, loaded again against gen's
 * maps but keeping its own maps (rules, state) and its counts. */
int tcc_gen_keep(struct tcc_ctx *ctx, struct tcc_chain *gen, const struct tcc_chain *live,
		 __u32 slot);
/*
 * Make gen the chain: pin it, replace the filter's program with its entry
 * (one netlink request: the commit point), keep the chain that ran as the
 * previous generation.  live's object is stale afterwards: open the chain
 * again.  On failure nothing changed.
 */
int tcc_gen_commit(struct tcc_ctx *ctx, struct tcc_chain *live, struct tcc_chain *gen);
/* Whether a previous generation is kept. */
bool tcc_chain_has_prev(const struct tcc_chain *live);
/* Run the previous generation again (one filter replace); the one that ran
 * becomes the previous.  -ENOENT when there is none. */
int tcc_chain_rollback(struct tcc_ctx *ctx, struct tcc_chain *live);

/* ---- map entries set by the user, kept for save ------------------------------ */

#define TCC_MAP_RECORD_SIZE	4096
/* The "MAP key WORDS value WORDS" lines recorded for slot ("" when none). */
int tcc_map_record_get(const struct tcc_chain *chain, __u32 slot, char *buf, size_t len);
int tcc_map_record_set(const struct tcc_chain *chain, __u32 slot, const char *text);
/* Record a map set (value: its FIELD=VALUE words) or a map del (value NULL)
 * of the entry with these key words. */
int tcc_map_record_edit(const struct tcc_chain *chain, __u32 slot, const char *map,
			const char *key, const char *value);

#endif /* LIBTCCHAIN_H */
