#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# killed.sh — measureman leaves nothing behind however it ends: SIGHUP (its terminal closed)
# stops it like ^C and it removes its core and runtime directory; after SIGKILL its simulated
# core dies with it (parent-death signal) and the next measureman removes the directory it
# left. Every wait polls a condition with a deadline. Usage: killed.sh BUILD_DIR
# The runtime directories live in a TMPDIR of our own: a measureman of another run on this
# machine would otherwise reclaim the one we leave on purpose before our next one does.
set -euo pipefail
build=$1
mm="$build/tools/measureman/measureman"
pids=()
TMPDIR=$(mktemp -d /tmp/mm-killed.XXXXXX)
export TMPDIR
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$TMPDIR"; }
trap cleanup EXIT

# wait_for SECONDS COMMAND...: poll COMMAND until it succeeds, or fail after SECONDS
wait_for() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.05
	done
}
# the simulated core: the process that measureman's runtime directory's regions are mapped by
core_of() { pgrep -P "$1" -f mmamp-simcore | head -1; }
has_core() { [ -n "$(core_of "$1")" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }
dir_of() { grep -l "^$1\$" "$TMPDIR"/measureman-*/owner.pid 2>/dev/null | xargs -r dirname; }

start() {
	"$mm" -l 100000000 -q >/dev/null 2>"$1" &
	mmpid=$!
	pids+=("$mmpid")
	wait_for 60 has_core "$mmpid" || { echo "FAIL: measureman $mmpid never ran a core"; cat "$1"; exit 1; }
	core=$(core_of "$mmpid"); pids+=("$core")
	dir=$(dir_of "$mmpid")
	[ -n "$dir" ] && [ -d "$dir" ] || { echo "FAIL: no runtime directory names owner $mmpid"; exit 1; }
}

log=$TMPDIR/log
start "$log"
kill -HUP "$mmpid"
wait_for 60 gone "$mmpid" || { echo "FAIL: SIGHUP did not stop measureman"; exit 1; }
wait_for 20 gone "$core" || { echo "FAIL: SIGHUP left core $core running"; exit 1; }
[ ! -e "$dir" ] || { echo "FAIL: SIGHUP left $dir"; exit 1; }
echo "SIGHUP: measureman $mmpid stopped, core $core gone, $dir removed"

start "$log"
kill -KILL "$mmpid"
wait_for 20 gone "$core" || { echo "FAIL: SIGKILL left core $core running (parent 1)"; exit 1; }
[ -d "$dir" ] || { echo "FAIL: $dir vanished by itself?"; exit 1; }
"$mm" -l 20 -q >/dev/null 2>"$log" || { echo "FAIL: the next measureman failed"; cat "$log"; exit 1; }
[ ! -e "$dir" ] || { echo "FAIL: the next measureman did not reclaim $dir"; cat "$log"; exit 1; }
grep -q "removing $dir, left by measureman $mmpid that was killed" "$log" ||
	{ echo "FAIL: the next measureman did not say what it removed"; cat "$log"; exit 1; }
echo "SIGKILL: core $core died with measureman $mmpid; the next run removed $dir and said so"
