#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# tests/linux/sysfs-script.sh — one script of remoteproc sysfs reads and writes, valid and
# invalid, in every state, run unchanged against the real kernel's /sys/class/remoteproc
# (inside the UML guest) and against mmampd's FUSE face (<runtime>/sys/class/remoteproc); the
# linux_sysfs_compare test compares the two transcripts line by line (docs/linux-host.md,
# "One sysfs behaviour, two implementations"). Both sides run it with the same busybox sh, so
# an error's text is the same strerror() for the same errno.
#
#   sysfs-script.sh RPROC_DIR          e.g. /sys/class/remoteproc/remoteproc0
# Environment: SYSFS_CRASH — a command that makes the core crash (the side's way: a request to
# the host in the guest, kill -9 of the core's process under mmampd); the script then waits for
# the state to read "crashed". The firmware directory must hold fw_echo, fw_echo_b and
# fw_garbage (not an ELF); no_such_fw must not exist.
#
# Transcript lines: "read ATTR: VALUE", "write ATTR LABEL: ok" or "write ATTR LABEL: <the
# shell's error text>" (strerror of the errno), "crash N: STATE".
set -u
cd "$1" || exit 1

r() {
	echo "read $1: $(cat "$1" 2>&1)"
}

# w ATTR LABEL TEXT: write exactly TEXT in one write() (echo -n; busybox's printf would not
# report a write error); an empty TEXT opens the file and writes nothing
w() {
	local out
	out=$( (echo -n "$3" > "$1") 2>&1 ) && out=ok
	echo "write $1 $2: ${out##*: }"
}

# the state after a command that crashes the core, with a deadline (no event to wait on)
crash() {
	local i=0 s
	eval "$SYSFS_CRASH" || echo "crash $1: the crash command failed"
	s=$(cat state)
	while [ "$s" != crashed ] && [ $i -lt 400 ]; do
		i=$((i + 1))
		sleep 0.05
		s=$(cat state)
	done
	echo "crash $1: $s"
}

nl='
'
n255=$(printf '%0255d' 0 | tr 0 n)
n300=$(printf '%0300d' 0 | tr 0 n)

echo "== offline"
r name; r state; r firmware; r recovery; r coredump
w name oops "oops$nl"
w state stop "stop$nl"
w state detach "detach$nl"
w state reboot "reboot$nl"
w state Start "Start$nl"
w state start-blank "start $nl"
w state start-2nl "start$nl$nl"
r state

echo "== firmware while offline"
w firmware fw_echo_b+nl "fw_echo_b$nl"
r firmware
w firmware fw_echo "fw_echo"
r firmware
w firmware nl-only "$nl"
w firmware empty ""
r firmware
w firmware a-nl-b "a${nl}b"
r firmware
w firmware blank "a b"
r firmware
w firmware dotdot ".."
r firmware
w firmware n255 "$n255"
r firmware
w firmware n300 "$n300"
r firmware

echo "== start that fails"
w firmware no_such_fw "no_such_fw$nl"
w state start "start$nl"
r state
w firmware fw_garbage "fw_garbage$nl"
w state start "start$nl"
r state

echo "== running"
w firmware fw_echo "fw_echo$nl"
w state start "start$nl"
r state; r firmware
w firmware fw_echo_b "fw_echo_b$nl"
w firmware nl-only "$nl"
r firmware
w state reboot "reboot$nl"
w state detach "detach$nl"
w coredump enabled "enabled$nl"
r coredump
w coredump inline "inline"
r coredump
w coredump always "always$nl"
w coredump disabled "disabled$nl"
r coredump
w recovery disabled "disabled$nl"
r recovery
w recovery maybe "maybe$nl"
w recovery Enabled "Enabled$nl"
w recovery recover "recover$nl"
w recovery enabled "enabled"
r recovery; r state

echo "== start while running, then stop"
w state start "start$nl"
r state
w state stop "stop$nl"
r state
w state stop "stop$nl"
r state

echo "== crashed, recovery disabled: recover"
w state start "start$nl"
w recovery disabled "disabled$nl"
crash 1
r state; r recovery; r firmware
w coredump enabled "enabled$nl"
r coredump
w firmware fw_echo_b "fw_echo_b$nl"
w state detach "detach$nl"
w state reboot "reboot$nl"
w recovery recover "recover$nl"
r state; r recovery

echo "== crashed: enabled recovers"
crash 2
w recovery enabled "enabled$nl"
r state; r recovery

echo "== crashed: stop"
w recovery disabled "disabled$nl"
crash 3
w state stop "stop$nl"
r state
w state stop "stop$nl"
r state

echo "== crashed: start, then stop"
w state start "start$nl"
crash 4
w state start "start$nl"
r state
w state stop "stop$nl"
r state
w state stop "stop$nl"
r state
w recovery enabled "enabled$nl"
r recovery; r firmware; r state
echo "== end"
