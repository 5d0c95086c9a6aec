#!/usr/bin/env bash
# make bench: the benchmarks, in parts (tools/bench/*.sh); see
# tools/bench/run.sh.  An argument (or PART=) picks parts:
#   tools/bench.sh dispatch,real
exec "$(dirname "$0")/bench/run.sh" "$@"
