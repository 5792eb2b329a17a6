#!/bin/sh
# remoteproc-cycle.sh — a plain script written for the kernel's /sys/class/remoteproc: find a
# remote processor by name, load a firmware, boot it, check the kernel's refusals while it runs,
# and stop it. Nothing in it knows about mmamp: test_sysfs runs it against mmampd's sysfs face by
# passing <runtime>/sys as the root, exactly as it would run on a board with /sys.
#
#   remoteproc-cycle.sh [SYSFS_ROOT [NAME [FIRMWARE]]]     (defaults: /sys m4_0 fw_echo)
set -eu

SYSFS=${1:-/sys}
NAME=${2:-m4_0}
FW=${3:-fw_echo}

fail() {
	echo "remoteproc-cycle: $*" >&2
	exit 1
}

rp=
for d in "$SYSFS"/class/remoteproc/remoteproc*; do
	[ -r "$d/name" ] || continue
	if [ "$(cat "$d/name")" = "$NAME" ]; then
		rp=$d
		break
	fi
done
[ -n "$rp" ] || fail "no remote processor named $NAME under $SYSFS/class/remoteproc"

[ "$(cat "$rp/state")" = offline ] || echo stop > "$rp/state"
[ "$(cat "$rp/state")" = offline ] || fail "$rp did not stop"

echo "$FW" > "$rp/firmware"
[ "$(cat "$rp/firmware")" = "$FW" ] || fail "firmware reads $(cat "$rp/firmware")"

echo start > "$rp/state"
[ "$(cat "$rp/state")" = running ] || fail "state after start: $(cat "$rp/state")"

# while it runs: start is EBUSY, the firmware cannot change, a bad word is refused
if echo start > "$rp/state" 2>/dev/null; then fail "a second start was accepted"; fi
if echo other_fw > "$rp/firmware" 2>/dev/null; then fail "firmware changed while running"; fi
if echo reboot > "$rp/state" 2>/dev/null; then fail "state accepted \"reboot\""; fi
if echo oops > "$rp/name" 2>/dev/null; then fail "name is writable"; fi
[ "$(cat "$rp/firmware")" = "$FW" ] || fail "firmware reads $(cat "$rp/firmware") while running"

echo disabled > "$rp/recovery"
[ "$(cat "$rp/recovery")" = disabled ] || fail "recovery not disabled"
echo enabled > "$rp/recovery"
[ "$(cat "$rp/recovery")" = enabled ] || fail "recovery not enabled"

echo stop > "$rp/state"
[ "$(cat "$rp/state")" = offline ] || fail "state after stop: $(cat "$rp/state")"
echo "remoteproc-cycle: $rp ($NAME) ran $FW and stopped"
