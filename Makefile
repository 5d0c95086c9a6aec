# tcchain: the only build entry point.
#
#   make            build everything under $(OUT)/
#   make test       unit, BPF_PROG_TEST_RUN and netns tests (root)
#   make demo       the built-in demo: namespaces, a chain, traffic, stats
#   make bench      benchmarks (tools/bench), results in $(OUT)/bench/;
#                   PART=dispatch,stages,real,control,observe for some only
#   make install    PREFIX=/usr/local
#   make san        the CLI and unit tests with ASan + UBSan, in $(OUT)/san
#   make help       this list
#   V=1             show full commands
#
# CFLAGS, LDFLAGS, BPF_EXTRA_CFLAGS are yours: the flags the build needs
# are added separately (ALL_CFLAGS), so `make CFLAGS=-O1` works.

OUT	?= build
PREFIX	?= /usr/local
BINDIR	:= $(PREFIX)/sbin
STAGEDIR := $(PREFIX)/lib/tcchain/stages
INCDIR	:= $(PREFIX)/include
MANDIR	:= $(PREFIX)/share/man/man8
DOCDIR	:= $(PREFIX)/share/doc/tcchain
COMPLDIR := $(PREFIX)/share/bash-completion/completions
# systemd searches PREFIX/lib/systemd/system for /usr and /usr/local; udev
# reads only /etc, /run and /usr/lib: link the rule there (doc/fleet.md).
UNITDIR	?= $(PREFIX)/lib/systemd/system
UDEVDIR	?= $(PREFIX)/lib/udev/rules.d

ARCH	:= $(shell uname -m)
CC	?= gcc
CLANG	?= clang
BPFTOOL	?= bpftool

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(2)';
endif

CFLAGS	?= -O2 -g
LDFLAGS	?=
ALL_CFLAGS = $(CFLAGS) $(SAN_CFLAGS) -Wall -Wextra -Wno-missing-field-initializers \
	     -std=gnu11 -D_GNU_SOURCE -MMD -MP -I. -Ibpf/include -I$(OUT) \
	     -DTCC_STAGEDIR='"$(STAGEDIR)"' -DTCC_INCDIR='"$(INCDIR)"' \
	     -DTCC_SRC_INCDIR='"$(abspath bpf/include)"'
ALL_LDFLAGS = $(LDFLAGS) $(SAN_CFLAGS)
LDLIBS	:= -lbpf -lmnl -lelf -lz -lm

# BPF objects see the system headers clang would use for the host (as
# libbpf-bootstrap does): Debian's multiarch dir holds asm/types.h.  Lazy
# (=): clang may only exist once the deps step has run.
CLANG_BPF_SYS_INCLUDES ?= $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
BPF_CFLAGS = -g -O2 -target bpf -Wall -Wextra -Wno-unused-parameter \
	     -MMD -MP -Ibpf/include $(CLANG_BPF_SYS_INCLUDES) $(BPF_EXTRA_CFLAGS)

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps test demo bench install clean help san

# ---- sources ------------------------------------------------------------
NL_SRCS		:= $(wildcard netlink/*.c)
CLI_SRCS	:= $(wildcard tcchain/cli/*.c)
# A stage module's user-space half (bpf/stages/NAME/NAME.c) is library code.
LIB_SRCS	:= $(wildcard tcchain/lib/*.c) \
		   $(filter-out %.bpf.c,$(wildcard bpf/stages/*/*.c))
STAGE_SRCS	:= $(wildcard bpf/stages/*/*.bpf.c)
TPROG_SRCS	:= $(wildcard tests/progs/*.bpf.c)
BENCHPROG_SRCS	:= $(wildcard tools/bench/bpf/*.bpf.c)
# The peers bench part's loader and programs (tools/bench/peers/).
PEERSPROG_SRCS	:= $(wildcard tools/bench/peers/*.bpf.c)
UNIT_SRCS	:= $(wildcard tests/unit/*.c)
# The benchmark binaries, $(OUT)/tools/bench/{dispatch,stages,observe}, with
# common.c linked into both.
BENCH_MAINS	:= tools/bench/dispatch.c tools/bench/stages.c tools/bench/observe.c
BENCH_LIB_SRCS	:= tools/bench/common.c
# The traffic generator of the tests (and the demo and the benchmark).
TRAFFIC_SRCS	:= $(wildcard tests/tools/traffic/*.c)
# SIGKILL at a chosen moment, for the crash test.
KILLAT_SRCS	:= $(wildcard tests/tools/killat/*.c)
# A chain's raw state checked against itself, for the crash test.
CHAINCHECK_SRCS	:= $(wildcard tests/tools/chaincheck/*.c)
TLIB_SRCS	:= $(wildcard tests/lib/*.c)

OBJ		:= $(OUT)/obj
NL_OBJS		:= $(NL_SRCS:%.c=$(OBJ)/%.o)
LIB_OBJS	:= $(LIB_SRCS:%.c=$(OBJ)/%.o)
CLI_OBJS	:= $(CLI_SRCS:%.c=$(OBJ)/%.o)
TLIB_OBJS	:= $(TLIB_SRCS:%.c=$(OBJ)/%.o)
STAGES		:= $(foreach s,$(STAGE_SRCS),$(OUT)/stages/$(notdir $(s:.bpf.c=.bpf.o)))
TPROGS		:= $(TPROG_SRCS:tests/progs/%.bpf.c=$(OUT)/tests/progs/%.bpf.o)
BENCHPROGS	:= $(BENCHPROG_SRCS:tools/bench/bpf/%.bpf.c=$(OUT)/tools/bench/bpf/%.bpf.o)
UNIT_BINS	:= $(UNIT_SRCS:tests/unit/%.c=$(OUT)/tests/unit/%)
BENCH_BINS	:= $(BENCH_MAINS:tools/bench/%.c=$(OUT)/tools/bench/%)
PEERSPROGS	:= $(PEERSPROG_SRCS:tools/bench/peers/%.bpf.c=$(OUT)/tools/bench/peers/%.bpf.o)
PEERS_BIN	:= $(OUT)/tools/bench/peers/peers
# $(OUT)/tools/bench was the one benchmark binary before it became the
# folder of two: a build tree from then would block the mkdir.
$(shell [ -f $(OUT)/tools/bench ] && rm -f $(OUT)/tools/bench)
BENCH_LIB_OBJS	:= $(BENCH_LIB_SRCS:%.c=$(OBJ)/%.o)
TRAFFIC		:= $(OUT)/tests/tools/traffic
KILLAT		:= $(OUT)/tests/tools/killat
CHAINCHECK	:= $(OUT)/tests/tools/chaincheck
SKEL		:= $(OUT)/entry.skel.h

BIN		:= $(OUT)/tcchain
LIBTCC		:= $(OUT)/libtcchain.a

all: deps $(BIN) $(STAGES) $(TPROGS) $(BENCHPROGS) $(UNIT_BINS) $(BENCH_BINS) $(TRAFFIC) \
     $(KILLAT) $(CHAINCHECK) $(PEERSPROGS) $(PEERS_BIN)

help:
	@sed -n '3,/^$$/{ s/^# \{0,1\}//p }' Makefile

# The package check runs when the stamp is missing or the list changed,
# not on every make; `make clean` (or removing the stamp) checks again.
DEPS_STAMP := $(OUT)/.deps-ok
deps: $(DEPS_STAMP)
$(DEPS_STAMP): tools/install-deps.sh
	$(Q)tools/install-deps.sh
	$(Q)mkdir -p $(@D) && touch $@

# ---- BPF ------------------------------------------------------------------
$(OBJ)/bpf/entry.bpf.o: bpf/entry/entry.bpf.c | $(DEPS_STAMP)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# One folder per stage module: bpf/stages/NAME/NAME.bpf.c -> stages/NAME.bpf.o
.SECONDEXPANSION:
$(OUT)/stages/%.bpf.o: bpf/stages/$$*/$$*.bpf.c | $(DEPS_STAMP)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/tests/progs/%.bpf.o: tests/progs/%.bpf.c | $(DEPS_STAMP)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Itests/progs -c $< -o $@

$(OUT)/tools/bench/bpf/%.bpf.o: tools/bench/bpf/%.bpf.c | $(DEPS_STAMP)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Itools/bench/bpf -c $< -o $@

$(OUT)/tools/bench/peers/%.bpf.o: tools/bench/peers/%.bpf.c | $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Itools/bench/bpf -c $< -o $@

$(SKEL): $(OBJ)/bpf/entry.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name tcc_entry_bpf > $@

# ---- C ----------------------------------------------------------------------
# Everything that includes the skeleton waits for it; -MMD then keeps the
# precise header dependencies.
$(OBJ)/%.o: %.c | $(DEPS_STAMP) $(SKEL)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBTCC): $(LIB_OBJS) $(NL_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJS) $(LIBTCC)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/tests/unit/%: $(OBJ)/tests/unit/%.o $(TLIB_OBJS) $(LIBTCC)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BENCH_BINS): $(OUT)/tools/bench/%: $(OBJ)/tools/bench/%.o $(BENCH_LIB_OBJS) $(LIBTCC)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)
$(OUT)/tools/bench/dispatch: $(OBJ)/tools/bench/dispatch_report.o $(OBJ)/tools/bench/dispatch_update.o

$(PEERS_BIN): $(OBJ)/tools/bench/peers/peers.o
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(TRAFFIC): $(TRAFFIC_SRCS:%.c=$(OBJ)/%.o)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(KILLAT): $(KILLAT_SRCS:%.c=$(OBJ)/%.o)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

$(CHAINCHECK): $(CHAINCHECK_SRCS:%.c=$(OBJ)/%.o) $(NL_SRCS:%.c=$(OBJ)/%.o)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

# ---- the sanitizer build ---------------------------------------------------------
# The CLI and the unit tests once more, with AddressSanitizer and UBSan, in
# a build directory of their own; make test runs them (and the argv fuzzer
# against the CLI).  Any UB report is fatal: -fno-sanitize-recover.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	     -fno-omit-frame-pointer
san: $(DEPS_STAMP)
	$(Q)$(MAKE) --no-print-directory OUT=$(OUT)/san SAN_CFLAGS='$(SAN_FLAGS)' \
		$(OUT)/san/tcchain $(UNIT_SRCS:tests/unit/%.c=$(OUT)/san/tests/unit/%)

# ---- run --------------------------------------------------------------------
test: all san
	$(Q)OUT=$(OUT) tests/run.sh

demo: all
	$(Q)OUT=$(OUT) tools/demo.sh

bench: all
	$(Q)OUT=$(OUT) PART=$(PART) tools/bench.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(STAGEDIR) $(DESTDIR)$(INCDIR)/tcchain $(DESTDIR)$(MANDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/tcchain
	install -m 0644 $(STAGES) $(DESTDIR)$(STAGEDIR)/
	install -m 0644 bpf/include/tcchain.h $(DESTDIR)$(INCDIR)/
	install -m 0644 bpf/include/tcchain/*.h $(DESTDIR)$(INCDIR)/tcchain/
	install -m 0644 doc/tcchain.8 $(DESTDIR)$(MANDIR)/
	install -d $(DESTDIR)$(DOCDIR) $(DESTDIR)$(COMPLDIR)
	install -m 0644 doc/*.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 tools/completion/tcchain.bash $(DESTDIR)$(COMPLDIR)/tcchain
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(UDEVDIR)
	for u in tools/systemd/*.service tools/systemd/*.path; do \
		sed 's|@SBINDIR@|$(BINDIR)|g' $$u > $(DESTDIR)$(UNITDIR)/$${u##*/} && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; \
	done
	install -m 0644 tools/systemd/90-tcchain.rules $(DESTDIR)$(UDEVDIR)/

clean:
	rm -rf $(OUT)

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)
