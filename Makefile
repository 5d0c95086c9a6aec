# tcchain: the only build entry point.
#
#   make            build everything under $(OUT)/
#   make test       unit, BPF_PROG_TEST_RUN and netns tests (root)
#   make demo       the built-in demo: namespaces, a chain, traffic, stats
#   make bench      benchmarks (tools/bench), results in $(OUT)/bench/
#   make install    PREFIX=/usr/local
#   V=1             show full commands

OUT	?= build
PREFIX	?= /usr/local
BINDIR	:= $(PREFIX)/sbin
STAGEDIR := $(PREFIX)/lib/tcchain/stages
INCDIR	:= $(PREFIX)/include
MANDIR	:= $(PREFIX)/share/man/man8

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
CFLAGS	+= -Wall -Wextra -Wno-missing-field-initializers -std=gnu11 \
	   -D_GNU_SOURCE -MMD -MP -I. -Ibpf/include -I$(OUT) \
	   -DTCC_STAGEDIR='"$(STAGEDIR)"'
LDLIBS	:= -lbpf -lmnl -lelf -lz

# Debian's clang 14 needs the multiarch include dir for asm/types.h.
BPF_CFLAGS := -g -O2 -target bpf -Wall -Wextra -Wno-unused-parameter \
	      -MMD -MP -Ibpf/include -I/usr/include/$(ARCH)-linux-gnu

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps test unit-test netns-test demo bench install clean

# ---- sources ------------------------------------------------------------
NL_SRCS		:= $(wildcard netlink/*.c)
CLI_SRCS	:= $(wildcard tcchain/cli/*.c)
LIB_SRCS	:= $(wildcard tcchain/lib/*.c)
STAGE_SRCS	:= $(wildcard bpf/stages/*/*.bpf.c)
TPROG_SRCS	:= $(wildcard tests/progs/*.bpf.c)
TOOLPROG_SRCS	:= $(wildcard tools/bpf/*.bpf.c)
UNIT_SRCS	:= $(wildcard tests/unit/*.c)
TOOL_SRCS	:= $(wildcard tools/*.c)
TLIB_SRCS	:= $(wildcard tests/lib/*.c)

OBJ		:= $(OUT)/obj
NL_OBJS		:= $(NL_SRCS:%.c=$(OBJ)/%.o)
LIB_OBJS	:= $(LIB_SRCS:%.c=$(OBJ)/%.o)
CLI_OBJS	:= $(CLI_SRCS:%.c=$(OBJ)/%.o)
TLIB_OBJS	:= $(TLIB_SRCS:%.c=$(OBJ)/%.o)
STAGES		:= $(foreach s,$(STAGE_SRCS),$(OUT)/stages/$(notdir $(s:.bpf.c=.bpf.o)))
TPROGS		:= $(TPROG_SRCS:tests/progs/%.bpf.c=$(OUT)/tests/progs/%.bpf.o)
TOOLPROGS	:= $(TOOLPROG_SRCS:tools/bpf/%.bpf.c=$(OUT)/tools/bpf/%.bpf.o)
UNIT_BINS	:= $(UNIT_SRCS:tests/unit/%.c=$(OUT)/tests/unit/%)
TOOL_BINS	:= $(TOOL_SRCS:tools/%.c=$(OUT)/tools/%)
SKEL		:= $(OUT)/entry.skel.h

BIN		:= $(OUT)/tcchain
LIBTCC		:= $(OUT)/libtcchain.a

all: deps $(BIN) $(STAGES) $(TPROGS) $(TOOLPROGS) $(UNIT_BINS) $(TOOL_BINS)

deps:
	$(Q)tools/install-deps.sh

# ---- BPF ------------------------------------------------------------------
$(OBJ)/bpf/entry.bpf.o: bpf/entry/entry.bpf.c | deps
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# One folder per stage module: bpf/stages/NAME/NAME.bpf.c -> stages/NAME.bpf.o
.SECONDEXPANSION:
$(OUT)/stages/%.bpf.o: bpf/stages/$$*/$$*.bpf.c | deps
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/tests/progs/%.bpf.o: tests/progs/%.bpf.c | deps
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Itests/progs -c $< -o $@

$(OUT)/tools/bpf/%.bpf.o: tools/bpf/%.bpf.c | deps
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Itools/bpf -c $< -o $@

$(SKEL): $(OBJ)/bpf/entry.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name tcc_entry_bpf > $@

# ---- C ----------------------------------------------------------------------
# Everything that includes the skeleton waits for it; -MMD then keeps the
# precise header dependencies.
$(OBJ)/%.o: %.c | deps $(SKEL)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIBTCC): $(LIB_OBJS) $(NL_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJS) $(LIBTCC)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/tests/unit/%: $(OBJ)/tests/unit/%.o $(TLIB_OBJS) $(LIBTCC)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/tools/%: $(OBJ)/tools/%.o $(LIBTCC)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lm

# ---- run --------------------------------------------------------------------
test: all
	$(Q)OUT=$(OUT) tests/run.sh

demo: all
	$(Q)OUT=$(OUT) tools/demo.sh

bench: all
	$(Q)OUT=$(OUT) tools/bench.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(STAGEDIR) $(DESTDIR)$(INCDIR)/tcchain $(DESTDIR)$(MANDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/tcchain
	install -m 0644 $(STAGES) $(DESTDIR)$(STAGEDIR)/
	install -m 0644 bpf/include/tcchain.h $(DESTDIR)$(INCDIR)/
	install -m 0644 bpf/include/tcchain/*.h $(DESTDIR)$(INCDIR)/tcchain/
	install -m 0644 doc/tcchain.8 $(DESTDIR)$(MANDIR)/

clean:
	rm -rf $(OUT)

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)
