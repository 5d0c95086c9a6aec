/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* libtcchain internals: shared by the library's files, not installed. */
#ifndef TCC_INTERNAL_H
#define TCC_INTERNAL_H

#include <stdarg.h>
#include <limits.h>
#include "tcchain/lib/libtcchain.h"
#include "netlink/tcnl.h"

struct bpf_object;
struct bpf_map;
struct bpf_program;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * The chain's control-plane record, one more pinned map ("meta", an array
 * of TCC_MAX_SLOTS + 1 rows).  Slot rows say what show prints about a
 * stage; row TCC_MAX_SLOTS holds the chain's own settings.  The data plane
 * never reads it.
 */
struct tcc_meta {
	__u32 prog_id;		/* slot rows: stage program id, 0 = empty */
	__u32 prio;		/* chain row; undo row: the slot it saves + 1,
				 * 0 = no change in progress (repair.c) */
	__u32 handle;		/* chain row */
	__u32 flags;		/* slot rows: TCC_STAGE_F_*; chain row: the
				 * generation's number (gen.c) */
	__s64 loaded;		/* slot rows: wall clock, seconds; chain row:
				 * TCC_META_F_* (stats.c) */
	char prog[64];
	char file[PATH_MAX];	/* whole: show never cuts a path */
	char params[512];
	char kept_maps[128];	/* slot rows: maps carried over from the stage replaced */
	/* slot rows: the flow at this slot when the stage went in, so its
	 * counts start from zero (see stats.c)
	 */
	__u64 base_arrived;
	__u64 base_arrived_bytes;
	struct tcc_stats base;
};

#define TCC_META_CHAIN		TCC_MAX_SLOTS
/* chain row, in `loaded`: the chain has had a foreign stage since its
 * counters started (stats.c: its `foreign` total never falls back) */
#define TCC_META_F_HAD_FOREIGN	(1U << 0)
/* A slot's row as it was before the change in progress (repair.c). */
#define TCC_META_UNDO		(TCC_MAX_SLOTS + 1)
#define TCC_META_ROWS		(TCC_MAX_SLOTS + 2)

/*
 * Pin names inside a chain directory (doc/abi.md lists them: ABI).  The
 * shared maps are pinned by their map name without the "tcc_" prefix.
 */
#define TCC_PIN_ENTRY		"entry"
#define TCC_PIN_PROGS		"progs"		/* TCC_MAP_PROGS */
#define TCC_PIN_CONFIG		"config"	/* TCC_MAP_CONFIG */
#define TCC_PIN_SCRATCH		"scratch"	/* TCC_MAP_SCRATCH */
#define TCC_PIN_STATS		"stats"		/* TCC_MAP_STATS */
#define TCC_PIN_META		"meta"
#define TCC_PIN_TRACE		"trace"		/* TCC_MAP_TRACE */
/* A slot's directory, its program and its own maps: slot-NN/{prog,maps/} */
#define TCC_PIN_SLOT_FMT	"slot-%02u"
#define TCC_PIN_SLOT_PROG	"prog"
#define TCC_PIN_SLOT_MAPS	"maps"
/* A stage being put in (pinned before the commit) and the one it replaces
 * (moved aside, then removed after the commit): slot-NN-new, slot-NN-old.
 */
#define TCC_PIN_SLOT_NEW	"-new"
#define TCC_PIN_SLOT_OLD	"-old"
/* A chain being added (pinned before its filter goes on the hook) and
 * one being deleted (renamed before its filter goes): DIR-new, DIR-del,
 * next to the chain's directory DIR (repair.c).
 */
#define TCC_PIN_CHAIN_NEW	"-new"
#define TCC_PIN_CHAIN_DEL	"-del"
/* A generation being committed, DIR-next, and the one before the live
 * one, DIR/prev (gen.c). */
#define TCC_PIN_CHAIN_NEXT	"-next"
#define TCC_PIN_GEN_PREV	"prev"
/* Device-level marker directory: tcchain created this device's clsact. */
#define TCC_PIN_OWN_QDISC	"own-clsact"

struct tcc_ctx {
	struct tcc_nl *nl;	/* opened on first use, in the current netns */
	char detail[1024];
	char warning[1024];	/* lines: cleanup that did not finish, or
				 * what a change that worked may break */
	char note[512];		/* what the command did that the user may
				 * not expect (a foreign stage loaded) */
	char *log;		/* verifier log of the last failed load */
	bool kernel;		/* the kernel or the verifier refused */
};

struct tcc_chain {
	int ifindex;
	enum tcc_dir dir;
	int entry_fd;
	int progs_fd;
	int config_fd;
	int scratch_fd;
	int stats_fd;
	int meta_fd;
	int trace_fd;
	__u32 meta_rows;		/* the meta map's rows (older chains: no undo row) */
	struct tcc_config *cfg;		/* mmap of the config map */
	char *pin_dir;			/* NULL: in-memory chain */
	int open_err;			/* pinned but could not be opened: -errno */
	/* In-memory chains keep each stage's own maps here instead of pins. */
	struct tcc_kept_map {
		char name[16];
		int fd;
	} *kept[TCC_MAX_SLOTS];
	int n_kept[TCC_MAX_SLOTS];
};

/* ctx.c */
struct tcc_nl *tcc__nl(struct tcc_ctx *ctx);
void tcc__warn(struct tcc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tcc__note(struct tcc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int tcc__fail(struct tcc_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tcc__clear(struct tcc_ctx *ctx);
/* Mark the failure as the kernel's or the verifier's refusal (exit 2). */
int tcc__refused(struct tcc_ctx *ctx, int err);
/* Keep the kernel's extended ACK (if any) as the detail of a netlink error. */
int tcc__nl_fail(struct tcc_ctx *ctx, int err);
void tcc__set_log(struct tcc_ctx *ctx, const char *log);

/* snprintf into a PATH_MAX array; -ENAMETOOLONG instead of a cut path. */
#define path_fmt(buf, fmt, ...)						\
	((size_t)snprintf((buf), sizeof(buf), fmt, __VA_ARGS__) >= sizeof(buf) ? \
	 -ENAMETOOLONG : 0)

/* pin.c */
int tcc__netns_dir(char *buf, size_t len);
int tcc__chain_dir(char *buf, size_t len, int ifindex, enum tcc_dir dir);
int tcc__mkdir_p(const char *path);
int tcc__rm_rf(const char *path);
/* tcc_pin_root_check() on any bpffs and pin root: for tests. */
int tcc__pin_root_check_at(const char *bpffs, const char *root, char *why, size_t len);
int tcc__pin_at(int fd, const char *dir, const char *name);
int tcc__obj_get_at(const char *dir, const char *name);

/* lock.c: re-entrant within the process; see there */
#define TCC_LOCK_TIMEOUT_MS	10000
int tcc__lock(void);			/* returns a lock token, or -errno */
int tcc__lock_ctx(struct tcc_ctx *ctx);	/* the same; names the holder on timeout */
int tcc__trylock(void);			/* the same, or -EWOULDBLOCK at once */
void tcc__unlock(int token);

/* observe.c: trace flag set and no tracer alive: clear it (1), else 0. */
int tcc__trace_reap(struct tcc_chain *chain);

/* chain.c: the chain object */
int tcc__meta_read(const struct tcc_chain *chain, __u32 row, struct tcc_meta *m);
int tcc__meta_write(const struct tcc_chain *chain, __u32 row, const struct tcc_meta *m);
/* tcc_chain_load counting into an existing stats map (stats_fd >= 0). */
struct tcc_chain *tcc__chain_load_stats(struct tcc_ctx *ctx, const struct tcc_chain_opts *opts,
					int stats_fd);
/* Pin the chain's entry and maps into dir. */
int tcc__chain_pin(const struct tcc_chain *chain, const char *dir);
/* Open the chain pinned in dir; NULL + errno (EPROTO: another ABI). */
struct tcc_chain *tcc__chain_open_dir(const char *dir, int ifindex, enum tcc_dir d);
/* A chain pinned in dir that cannot be opened: no fds, open_err set. */
struct tcc_chain *tcc__chain_broken(const char *dir, int ifindex, enum tcc_dir d, int err);

/* attach.c: the chain on its hook */
/* Is the chain's entry the program of the filter at its prio/handle? 1/0/-errno */
int tcc__chain_attached(struct tcc_ctx *ctx, const struct tcc_chain *chain);
/* Under the lock: still the chain that was opened, and still attached. */
int tcc__chain_check(struct tcc_ctx *ctx, const struct tcc_chain *chain);
void tcc__dev_dir(char *buf, size_t len, const char *chain_dir);
__u32 tcc__prog_id(int prog_fd);		/* 0 when unknown */
/* After a chain's pins are gone: the device's clsact and directories. */
void tcc__dev_cleanup(struct tcc_ctx *ctx, int ifindex, const char *devdir);
/* The filter on the hook running program prog_id (0: any filter tcchain
 * named): 1 found (into out, may be NULL), 0 none, -errno. */
int tcc__hook_filter_of(struct tcc_ctx *ctx, int ifindex, enum tcc_dir d, __u32 prog_id,
			struct tcc_nl_filter_info *out);

/* gen.c */
int tcc__gen_number_at(const char *dir, __u32 *n);
int tcc__gen_settle(const char *dir, const char *next, bool exchange);

/* repair.c: what a killed tcchain left; repair calls need the lock */
int tcc__repair_dev(struct tcc_ctx *ctx, int ifindex);
bool tcc__dev_needs_repair(int ifindex);
int tcc__repair_chain(struct tcc_chain *chain);
bool tcc__chain_needs_repair(const struct tcc_chain *chain);
void tcc__repair_if_idle(struct tcc_ctx *ctx, int ifindex, struct tcc_chain *chain);
int tcc__undo_save(const struct tcc_chain *chain, __u32 slot);
void tcc__undo_clear(const struct tcc_chain *chain);
/* A stage set or del of slot undo->prio - 1 is under way (or was killed). */
bool tcc__undo_pending(const struct tcc_chain *chain, struct tcc_meta *undo);

/* dispatch.c: the prog array and next[]; which slots are occupied comes
 * from the meta rows */
__u32 tcc__slot_prog_id(const struct tcc_chain *chain, __u32 slot);
void tcc__next_rebuild(struct tcc_chain *chain, __u32 exclude);
int tcc__dispatch_link(struct tcc_chain *chain, __u32 slot, int prog_fd);
int tcc__dispatch_unlink(struct tcc_chain *chain, __u32 slot);
int tcc__dispatch_rebuild(struct tcc_chain *chain);

/* stage.c: slots */
/* tcc_stage_set with the stage's own maps taken from slot from_slot of
 * maps_from (NULL: new maps), for a generation keeping a stage's state. */
int tcc__stage_set_maps(struct tcc_ctx *ctx, struct tcc_chain *c, __u32 slot,
			const struct tcc_stage_opts *opts,
			const struct tcc_chain *maps_from, __u32 from_slot);
void tcc__drop_maps(struct tcc_chain *chain, __u32 slot);
const char *tcc__map_pin_name(const struct bpf_map *m);
int tcc__kept_map_fd(const struct tcc_chain *chain, __u32 slot, const char *name);

/* record.c: copy slot's map set record into the slot directory dir */
void tcc__record_carry(const struct tcc_chain *c, __u32 slot, const char *dir);

/* stats.c */
/* The flow at slot now, as a new stage's baseline (retires the stage in
 * slot, as below, when a swap in place starts the counts over). */
int tcc__stats_baseline(const struct tcc_chain *chain, __u32 slot, struct tcc_meta *m);
/* Before the stage in slot leaves the chain: what it contributed to the
 * chain's totals stays (a foreign stage: the chain keeps having had one). */
int tcc__stats_retire(const struct tcc_chain *chain, __u32 slot);
/* The same for every stage of from, into the chain whose meta map is
 * to_meta_fd (a generation about to replace from). */
int tcc__stats_carry(const struct tcc_chain *from, int to_meta_fd);

/* btf_value.c: add src's counters (plain integers) into dst; src NULL zeroes them */
int tcc__btf_sum_counters(const struct btf *btf, __u32 type_id, void *dst, const void *src);

/* carry.c: the old stage's maps for an in-place replace (occupied slot);
 * kept gets their names.  -EINVAL (said in ctx) when one changed and fresh
 * is not set. */
int tcc__maps_carry(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot,
		    struct bpf_object *obj, bool occupied, bool fresh,
		    char *kept, size_t kept_len);
/* stage.c: the chain's own maps that stages share (config, scratch, ...) */
bool tcc__is_shared_map(const char *name);

/* orphan.c: tcchain filters (TCA_BPF_NAME TCC_FILTER_NAME) on a hook whose
 * chain has no pins; *removed counts what went */
#define TCC_FILTER_NAME	"tcchain"
int tcc__orphans_remove(struct tcc_ctx *ctx, int ifindex, enum tcc_dir d, int *removed);
int tcc__orphans_prune(struct tcc_ctx *ctx, int *removed);

/* compile.c, cache_prune.c: where stage set puts what it compiled */
#ifndef TCC_CACHE_DIR
#define TCC_CACHE_DIR	"/var/cache/tcchain"
#endif

/* stage_obj.c: a stage's object before it is loaded */
int tcc__check_file(struct tcc_ctx *ctx, const char *file);
int tcc__check_source(struct tcc_ctx *ctx, const char *file);
/* Choose the program (want, or the only tc one); autoload only it. */
int tcc__pick_prog(struct tcc_ctx *ctx, struct bpf_object *obj, const char *want,
		   struct bpf_program **out);
/* The verifier's reason and the source line it refused, from its log. */
void tcc__verifier_reason(const char *log, char *out, size_t len);

/* foreign.c: what a stage is (TCC_STAGE_F_*), where it may go */
#define TCC__SLOT_OCCUPIED	(1U << 31)
unsigned int tcc__stage_probe(struct bpf_object *obj, const char *prog);
/* Refuse a foreign stage before others, or any stage after a foreign one. */
int tcc__foreign_check(struct tcc_ctx *ctx, const struct tcc_chain *chain, __u32 slot,
		       const char *prog, unsigned int flags);
/* Slots whose stage reads the parsed packet with no filler before it. */
__u32 tcc__unparsed_mask(const struct tcc_chain *chain);
/* Warn for the slots in that mask now that were not in before. */
void tcc__unparsed_warn(struct tcc_ctx *ctx, const struct tcc_chain *chain, __u32 before);

/* params.c (flags: tcc__stage_probe's; a foreign object needs no SDK) */
int tcc__params_apply(struct tcc_ctx *ctx, struct bpf_object *obj, const char *prog,
		      unsigned int flags,
		      const struct tcc_param *typed, size_t n_typed, __u32 slot,
		      char *summary, size_t summary_len);


/* words.c: words shared by the stage modules (bpf/stages/NAME/NAME.c) */
struct tcc_prefix {
	int family;			/* AF_INET, AF_INET6 */
	unsigned int plen;
	__u8 addr[16];			/* network order; IPv4 in the first 4 */
};
int tcc__word_u32(struct tcc_ctx *ctx, const char *text, const char *what,
		  __u32 min, __u32 max, __u32 *out);
int tcc__word_prefix(struct tcc_ctx *ctx, const char *text, struct tcc_prefix *p);
void tcc__fmt_prefix(const struct tcc_prefix *p, char *buf, size_t len);
/* Does outer contain the prefix (plen, addr) of the same family? */
bool tcc__prefix_covers(const struct tcc_prefix *outer, unsigned int plen, const __u8 *addr);
int tcc__word_proto_name(const char *word, __u8 *proto);	/* tcp, udp, ...: -ENOENT */
void tcc__fmt_proto(__u8 proto, char *buf, size_t len);		/* "tcp" or "proto 47" */
int tcc__word_ports(struct tcc_ctx *ctx, const char *text, __u16 *lo, __u16 *hi);
/* A stage's map with the key and value sizes of its module's header:
 * -EPROTO (said in ctx) when a stage of that name has another layout. */
int tcc__map_open_layout(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot,
			 const char *name, __u32 key_size, __u32 value_size,
			 struct tcc_map *m);

#endif /* TCC_INTERNAL_H */
