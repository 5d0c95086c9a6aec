#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# `make demo` runs end to end, cleans up, and writes plain text (no colour
# codes) when its output is not a terminal.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic

log=$TCC_TMP/demo.log
check_ok "demo: runs to the end" env TERM=xterm OUT="${OUT:-build}" bash tools/demo.sh
cp "$TCC_STDOUT" "$log"
check_eq "demo: no escape codes when stdout is not a terminal" "$(grep -c $'\033' "$log")" 0
check_eq "demo: the acl drops the :7000 flow" \
	"$(grep -c 'UDP :7000 (acl: drop) *sent *300 *received *0$' "$log")" 1
check_eq "demo: cleans up its namespaces" "$(ip netns list | grep -c tcc-demo-)" 0
