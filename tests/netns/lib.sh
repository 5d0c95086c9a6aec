# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# shellcheck shell=bash
#
# Shared helpers for the end-to-end tests, after the kernel selftests'
# net/lib.sh.  A test starts with
#
#	source "$(dirname "$0")/lib.sh"
#
# and is run from the top of the tree as `bash tests/netns/test_x.sh`
# (tests/run.sh does that, with $OUT and $TCCHAIN set).  Sourcing it:
#   * re-runs the script in a private mount namespace with its own tmpfs on
#     /run/netns, so the namespaces a test makes are invisible to the host
#     and vanish with the test even if it is killed (bpffs stays shared);
#   * skips the whole script (one SKIP line, exit 0) without root, the tools,
#     or kernel support for veth and clsact;
#   * installs the EXIT trap that runs the cleanup stack (`defer`), LIFO,
#     whether the test passes, fails or dies.  Do not trap EXIT yourself,
#     and call defer, setup_* and chain_add from the test's own shell, not
#     inside $(...) or a pipeline, where the stack would be a copy.
#
# Variables: $TCCHAIN, $TRAFFIC (absolute paths of the binaries),
# $TCC_OUTDIR ($OUT, absolute), $TCC_TMP (a directory removed at exit).
#
# Setup
#   setup_ns NAME...		make namespaces; $NAME holds each unique name
#   setup_veth NS_A IF_A NS_B IF_B
#				veth pair, addresses, up, ping works; sets
#				VETH_A4 VETH_B4 VETH_A6 VETH_B6 (pair n of the
#				test: 10.0.n.1|2/24, fd00:0:n::1|2/64)
#   in_ns NS CMD...		run CMD in NS (nsenter, keeps the host /sys)
#   netns_cookie NS		the key of NS's pin directory
#   chain_add NS DEV DIR [ARG...]	tcchain add, deferring its del
#   defer [-q] CMD...		push CMD on the cleanup stack (-q: ignore
#				its failure quietly)
#   stop_bg PID...		SIGTERM, and SIGKILL 2 s later if still running
# Results
#   log_test NAME RC [REASON]	one TEST line: RC 0 OK, 4 ($ksft_skip) SKIP,
#				else FAIL plus what was captured since the
#				last TEST line
#   log_skip NAME REASON		a SKIP line
#   skip_all REASON		one SKIP line for the script, exit 0
#   note LINE...		add lines to what the next FAIL shows
#   capture CMD...		run CMD, record it; stdout/stderr in the files
#				$TCC_STDOUT and $TCC_STDERR
#   check_ok DESC CMD...	CMD exits 0
#   check_fail DESC ERE CMD...	CMD exits non-zero (not by a signal) and its
#				stderr is exactly one line, matching ^Error:
#				and ERE
#   check_eq DESC GOT WANT	string equality
#   check_range DESC VAL MIN MAX	MIN <= VAL <= MAX, decimals allowed
#   wait_until SECONDS CMD...	retry CMD every 0.05 s until it succeeds;
#				1 on timeout
#   settled SECONDS CMD...	run CMD until two runs 0.2 s apart print the
#				same, and echo that: counters read once they
#				are quiet.  Read every counter a check compares
#				in one CMD, never one live read after another.
#				1 (and a note) if still moving after SECONDS
# Traffic ($OUT/tests/tools/traffic, from tests/tools/traffic/)
#   require_traffic, require_tcchain, require_cmd CMD...	skip_all if missing
#   udp_count NS_SEND DST NS_RECV PORT COUNT [-4|-6] [SEND_ARG...]
#				send COUNT datagrams (PORT may be P-Q), echo
#				how many arrived; the reports stay in
#				$UDP_SEND_JSON and $UDP_RECV_JSON
#   ping_ok NS DST		1-3 pings, 1 s each

ksft_skip=4

# ---- isolation: re-run in a private mount namespace ----------------------------
# Only when sourced from the script being run (not from `bash -c`), as root,
# and once: TCC_ISOLATED is inherited by everything the test starts.
if [ -z "${TCC_ISOLATED:-}" ] && [ "${BASH_SOURCE[1]:-}" = "$0" ] &&
   [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null &&
   unshare --mount --propagation private true 2>/dev/null; then
	export TCC_ISOLATED=1
	mkdir -p /run/netns
	# shellcheck disable=SC2016
	exec unshare --mount --propagation private -- sh -c \
		'mount -t tmpfs -o mode=0755 tcc-netns /run/netns && exec bash "$0" "$@"' \
		"$0" "$@"
fi

# ---- configuration from tests/run.sh ---------------------------------------------
OUT=${OUT:-build}
case $OUT in /*) TCC_OUTDIR=$OUT ;; *) TCC_OUTDIR=$PWD/$OUT ;; esac
TCCHAIN=${TCCHAIN:-$PWD/build/tcchain}
TRAFFIC=${TRAFFIC:-$TCC_OUTDIR/tests/tools/traffic}
UDP_TIMEOUT=${UDP_TIMEOUT:-30}		# receiver bound for udp_count, s
TCC_NAME=$(basename "$0" .sh)
# Unique per run: a leftover or parallel run never collides.
TCC_PREFIX=tcc-$$-$(printf '%04x' $((RANDOM)))-
TCC_DEFER=()
TCC_VETH_N=0

# ---- results ------------------------------------------------------------------------
_tcc_line()
{
	printf 'TEST: %-60s  %s\n' "$1" "$2"
}

# Everything captured since the last TEST line, indented, with result
# markers defused so tests/run.sh never counts a dump as a result.
_tcc_dump()
{
	local f=$TCC_TMP/capture n

	[ -s "$f" ] || return 0
	n=$(grep -c '' "$f")
	[ "$n" -gt 100 ] && echo "    ... ($((n - 100)) earlier lines)"
	tail -n 100 "$f" | sed -e 's/^/    /' -e 's/\[ OK \]/[ ok ]/g' \
		-e 's/\[FAIL\]/[fail]/g' -e 's/\[SKIP\]/[skip]/g'
}

log_test()
{
	local name=$1 rc=$2 reason=${3:-}

	if [ "$rc" -eq 0 ]; then
		_tcc_line "$name" "[ OK ]"
	elif [ "$rc" -eq "$ksft_skip" ]; then
		_tcc_line "$name" "[SKIP] ${reason:-no reason given}"
	else
		_tcc_line "$name" "[FAIL]${reason:+ $reason}"
		_tcc_dump
		: >"$TCC_TMP/failed"	# a file: works from subshells too
	fi
	: >"$TCC_TMP/capture"
	return 0
}

log_skip()
{
	log_test "$1" "$ksft_skip" "$2"
}

skip_all()
{
	_tcc_line "$TCC_NAME" "[SKIP] $1"
	exit 0
}

# Adds lines to what the next FAIL line shows.
note()
{
	printf '%s\n' "$@" >>"$TCC_TMP/capture"
}

capture()
{
	local rc

	note "\$ $*"
	"$@" >"$TCC_STDOUT" 2>"$TCC_STDERR"
	rc=$?
	[ -s "$TCC_STDOUT" ] && sed 's/^/  | /' "$TCC_STDOUT" >>"$TCC_TMP/capture"
	[ -s "$TCC_STDERR" ] && sed 's/^/  ! /' "$TCC_STDERR" >>"$TCC_TMP/capture"
	note "  exit status $rc"
	return "$rc"
}

check_ok()
{
	local desc=$1 rc; shift

	capture "$@"
	rc=$?
	log_test "$desc" "$rc"
	return "$rc"
}

check_fail()
{
	local desc=$1 pat=$2 rc lines line why=; shift 2

	capture "$@"
	rc=$?
	lines=$(grep -c '' "$TCC_STDERR")
	line=$(head -n 1 "$TCC_STDERR")
	if [ "$rc" -eq 0 ]; then
		why="exit status 0, want non-zero"
	elif [ "$rc" -eq 126 ] || [ "$rc" -eq 127 ] ||
	     { [ "$rc" -gt 128 ] && [ "$rc" -le 192 ]; }; then
		why="exit status $rc: not run, or killed by a signal"
	elif [ "$lines" -ne 1 ]; then
		why="$lines lines on stderr, want exactly 1"
	elif [[ $line != "Error: "* ]]; then
		why="stderr does not start with 'Error: '"
	elif ! grep -Eq -- "$pat" <<<"$line"; then
		why="stderr does not match /$pat/"
	fi
	if [ -n "$why" ]; then
		note "check_fail: $why"
		log_test "$desc" 1
		return 1
	fi
	log_test "$desc" 0
}

check_eq()
{
	local desc=$1 got=$2 want=$3

	if [ "$got" = "$want" ]; then
		log_test "$desc" 0
		return 0
	fi
	note "check_eq: got '$got', want '$want'"
	log_test "$desc" 1
	return 1
}

check_range()
{
	local desc=$1 val=$2 min=$3 max=$4

	if awk -v v="$val" -v a="$min" -v b="$max" \
	   'BEGIN { exit !(v ~ /^-?[0-9.]+$/ && v + 0 >= a + 0 && v + 0 <= b + 0) }'; then
		log_test "$desc" 0
		return 0
	fi
	note "check_range: got '$val', want $min .. $max"
	log_test "$desc" 1
	return 1
}

wait_until()
{
	local us end; us=$(awk -v s="$1" 'BEGIN { printf "%d", s * 1000000 }')
	shift
	end=$(( ${EPOCHREALTIME/[.,]/} + us ))
	until "$@" >/dev/null 2>&1; do
		(( ${EPOCHREALTIME/[.,]/} >= end )) && return 1
		sleep 0.05
	done
}

settled()
{
	local secs=$1 us end prev cur
	us=$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000000 }')
	shift
	end=$(( ${EPOCHREALTIME/[.,]/} + us ))
	prev=$("$@" 2>&1)
	while :; do
		sleep 0.2
		cur=$("$@" 2>&1)
		[ "$cur" = "$prev" ] && break
		if (( ${EPOCHREALTIME/[.,]/} >= end )); then
			note "settled: '$*' still changing after $secs s" \
				"  before: $prev" "  after:  $cur"
			printf '%s\n' "$cur"
			return 1
		fi
		prev=$cur
	done
	printf '%s\n' "$cur"
}

# ---- cleanup stack -----------------------------------------------------------------
defer()
{
	local quiet=0

	[ "${1:-}" = -q ] && { quiet=1; shift; }
	TCC_DEFER+=("$quiet $(printf '%q ' "$@")")
}

_tcc_cleanup()
{
	local i cmd quiet rc log=$TCC_TMP/cleanup.log

	for ((i = ${#TCC_DEFER[@]} - 1; i >= 0; i--)); do
		quiet=${TCC_DEFER[i]%% *}
		cmd=${TCC_DEFER[i]#* }
		eval "$cmd" >"$log" 2>&1
		rc=$?
		if [ "$rc" -ne 0 ] && [ "$quiet" = 0 ]; then
			echo "# cleanup: '$cmd' failed (exit $rc)"
			sed -n '1,5s/^/#   /p' "$log"
		fi
	done
	TCC_DEFER=()
}

_tcc_exit()
{
	local rc=$?

	trap - EXIT
	[ "$rc" -eq 0 ] && [ -e "$TCC_TMP/failed" ] && rc=1
	_tcc_cleanup
	exit "$rc"
}

# stop_bg PID...: SIGTERM, then SIGKILL for whatever still runs 2 s later.
# A background job's SIGTERM can be lost: sent in the moment after fork
# and before exec, it lands in bash's own handler (the test's TERM trap),
# which exec then forgets, and the program runs on to its own timeout.
stop_bg()
{
	local pid

	kill "$@" 2>/dev/null
	wait_until 2 _tcc_none_running "$@" && return 0
	for pid in "$@"; do
		_tcc_none_running "$pid" || kill -KILL "$pid" 2>/dev/null
	done
	return 0
}

# True when none of the pids runs: gone, or a zombie left for its parent.
_tcc_none_running()
{
	local pid

	for pid in "$@"; do
		kill -0 "$pid" 2>/dev/null &&
		! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null &&
			return 1
	done
	return 0
}

# Stops the receivers udp_count started and did not reap (an interrupted
# test), by pid, only while they are still ours and running.
_tcc_kill_bg()
{
	local pid pids=()

	[ -s "$TCC_TMP/pids" ] || return 0
	while read -r pid; do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = traffic ] && pids+=("$pid")
	done <"$TCC_TMP/pids"
	[ "${#pids[@]}" -eq 0 ] || stop_bg "${pids[@]}"
}

# ---- namespaces and links ----------------------------------------------------------
in_ns()
{
	local ns=$1; shift

	case $ns in */*) ;; *) ns=/run/netns/$ns ;; esac
	nsenter --net="$ns" -- "$@"
}

# The key of a namespace's pin directory, /sys/fs/bpf/tcchain/<cookie>/:
# its netns cookie (SO_NETNS_COOKIE), which the kernel never reuses.
netns_cookie()
{
	in_ns "$1" python3 -c 'import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print(struct.unpack("Q", s.getsockopt(socket.SOL_SOCKET, 71, 8))[0])'
}

# Pins left for a namespace about to go are a bug (a missing del, or del
# leaking); say so and remove them now.
_tcc_ns_del()
{
	local ns=$1 key

	key=$(netns_cookie "$ns" 2>/dev/null)
	if [ -n "$key" ] && [ -d "/sys/fs/bpf/tcchain/$key" ] &&
	   [ -n "$(find "/sys/fs/bpf/tcchain/$key" -mindepth 1 -maxdepth 1 -name '[0-9]*')" ]; then
		echo "# cleanup: $ns: removing pins left in /sys/fs/bpf/tcchain/$key"
	fi
	[ -n "$key" ] && rm -rf "/sys/fs/bpf/tcchain/$key"
	ip netns del "$ns"
}

_tcc_setup_fail()
{
	log_test "setup: $1" 1
	exit 1
}

setup_ns()
{
	local var ns

	for var in "$@"; do
		ns=$TCC_PREFIX$var
		capture ip netns add "$ns" || _tcc_setup_fail "ip netns add $ns"
		defer _tcc_ns_del "$ns"
		printf -v "$var" '%s' "$ns"
		# IPv6 usable at once and quiet: no DAD, no router
		# solicitations on links made later ("default").
		capture ip -n "$ns" link set lo up &&
		capture in_ns "$ns" sysctl -qw \
			net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.default.dad_transmits=0 \
			net.ipv6.conf.default.router_solicitations=0 ||
			_tcc_setup_fail "namespace $ns"
	done
	: >"$TCC_TMP/capture"
}

# Carrier is handled by linkwatch, asynchronously: until it ran, the device
# has no qdisc (TX drops) and IPv6 has no multicast route (received neighbour
# solicitations are dropped, and the sender then retries only after 1 s).
_tcc_link_ready()
{
	[[ $(ip -n "$1" -o link show dev "$2") == *"state UP"* ]] &&
	[ -n "$(ip -n "$1" -6 route show table local ff00::/8 dev "$2")" ]
}

setup_veth()
{
	local ns_a=$1 if_a=$2 ns_b=$3 if_b=$4 n

	n=$((++TCC_VETH_N))
	VETH_A4=10.0.$n.1 VETH_B4=10.0.$n.2
	VETH_A6=fd00:0:$n::1 VETH_B6=fd00:0:$n::2
	{
		capture ip -n "$ns_a" link add "$if_a" type veth \
			peer name "$if_b" netns "$ns_b" &&
		capture ip -n "$ns_a" addr add "$VETH_A4/24" dev "$if_a" &&
		capture ip -n "$ns_b" addr add "$VETH_B4/24" dev "$if_b" &&
		capture ip -n "$ns_a" addr add "$VETH_A6/64" dev "$if_a" nodad &&
		capture ip -n "$ns_b" addr add "$VETH_B6/64" dev "$if_b" nodad &&
		capture ip -n "$ns_a" link set "$if_a" up &&
		capture ip -n "$ns_b" link set "$if_b" up
	} || _tcc_setup_fail "veth $if_a ($ns_a) - $if_b ($ns_b)"
	wait_until 5 _tcc_link_ready "$ns_a" "$if_a" &&
	wait_until 5 _tcc_link_ready "$ns_b" "$if_b" ||
		_tcc_setup_fail "veth $if_a ($ns_a) - $if_b ($ns_b) not ready"
	# Also resolves the neighbours, so no first packet waits on ARP/ND.
	wait_until 10 in_ns "$ns_a" ping -c 1 -W 1 "$VETH_B4" ||
		_tcc_setup_fail "ping $VETH_B4 over $if_a"
	wait_until 10 in_ns "$ns_a" ping -c 1 -W 1 "$VETH_B6" ||
		_tcc_setup_fail "ping $VETH_B6 over $if_a"
	: >"$TCC_TMP/capture"
}

ping_ok()
{
	local i

	for i in 1 2 3; do
		in_ns "$1" ping -c 1 -W 1 -q "$2" >/dev/null 2>&1 && return 0
	done
	return 1
}

chain_add()
{
	local ns=$1 dev=$2 dir=$3; shift 3

	capture "$TCCHAIN" -n "$ns" add dev "$dev" "$dir" "$@" || return
	# Quiet: tests often del the chain themselves.  A chain really left
	# behind still shows, as pins left when the namespace goes.
	defer -q "$TCCHAIN" -n "$ns" del dev "$dev" "$dir"
}

# ---- traffic -------------------------------------------------------------------------
require_cmd()
{
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null || skip_all "$c not installed"
	done
}

require_traffic()
{
	[ -x "$TRAFFIC" ] || skip_all "$TRAFFIC not built (make)"
}

require_tcchain()
{
	[ -x "$TCCHAIN" ] || skip_all "$TCCHAIN not built (make)"
}

_tcc_running()
{
	local st

	st=$(cut -d ' ' -f 3 "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

# Ready when the last port of the range is bound, or the receiver died.
_udp_ready()
{
	local ns=$1 port=$2 pid=$3

	_tcc_running "$pid" || return 0
	[ -n "$(in_ns "$ns" ss -Hnul "sport = :$port")" ]
}

udp_count()
{
	local ns_s=$1 dst=$2 ns_r=$3 port=$4 count=$5 fam=-4 rpid src rrc got
	shift 5

	[[ $dst == *:* ]] && fam=-6
	case ${1:-} in -4|-6) fam=$1; shift ;; esac
	: >"$UDP_SEND_JSON"
	: >"$UDP_RECV_JSON"
	# Started directly (nsenter execs traffic), so $! is the receiver.
	nsenter --net="/run/netns/$ns_r" -- "$TRAFFIC" recv "$fam" \
		--port "$port" --expect "$count" --timeout "$UDP_TIMEOUT" \
		--json >"$UDP_RECV_JSON" 2>"$TCC_TMP/recv.err" &
	rpid=$!
	echo "$rpid" >>"$TCC_TMP/pids"
	if ! wait_until 5 _udp_ready "$ns_r" "${port#*-}" "$rpid" ||
	   ! _tcc_running "$rpid"; then
		kill "$rpid" 2>/dev/null
		wait "$rpid"
		note "udp_count: receiver in $ns_r never bound port $port" \
			"$(cat "$TCC_TMP/recv.err")"
		echo -1
		return 1
	fi
	in_ns "$ns_s" "$TRAFFIC" send "$fam" --dst "$dst" --port "$port" \
		--count "$count" --json "$@" >"$UDP_SEND_JSON" \
		2>"$TCC_TMP/send.err"
	src=$?
	# Sender done: the receiver leaves after 200 ms of quiet (at once if
	# it already has all COUNT).
	kill -USR1 "$rpid" 2>/dev/null
	wait "$rpid"
	rrc=$?
	note "udp_count $ns_s -> $dst port $port ($ns_r), $count datagrams" \
		"  send (exit $src): $(cat "$UDP_SEND_JSON" "$TCC_TMP/send.err")" \
		"  recv (exit $rrc): $(cat "$UDP_RECV_JSON" "$TCC_TMP/recv.err")"
	got=$(jq -r '.received // empty' "$UDP_RECV_JSON" 2>/dev/null)
	echo "${got:--1}"
	[ -n "$got" ] && [ "$src" -le 1 ]
}

# ---- start ----------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -n "${EPOCHREALTIME:-}" ] || skip_all "needs bash 5 (EPOCHREALTIME)"
require_cmd ip nsenter ss jq awk ping

TCC_TMP=$(mktemp -d "/tmp/tcc-$TCC_NAME.XXXXXX") || exit 1
TCC_STDOUT=$TCC_TMP/stdout
TCC_STDERR=$TCC_TMP/stderr
UDP_SEND_JSON=$TCC_TMP/udp_send.json
UDP_RECV_JSON=$TCC_TMP/udp_recv.json
: >"$TCC_TMP/capture"
trap _tcc_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE	# output cut short: still clean up
defer rm -rf "$TCC_TMP"
defer _tcc_kill_bg

# Kernel support, checked once in a scratch namespace.
_tcc_probe()
{
	local ns=${TCC_PREFIX}probe out

	out=$(ip netns add "$ns" 2>&1) || skip_all "cannot add a netns: $out"
	defer -q ip netns del "$ns"
	out=$(ip -n "$ns" link add tcc-p0 type veth peer name tcc-p1 2>&1) ||
		skip_all "kernel lacks veth: $out"
	if command -v tc >/dev/null; then
		out=$(tc -n "$ns" qdisc add dev tcc-p0 clsact 2>&1) ||
			skip_all "kernel lacks clsact (sch_ingress): $out"
	fi
	ip netns del "$ns"
}
_tcc_probe
