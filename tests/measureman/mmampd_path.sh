#!/usr/bin/env bash
# mmampd_path.sh — measureman through mmampd (sim): it swaps the running fw_echo for fw_measure
# through the control socket, measures over ttyRPMSG30 (round trip + remote processing) and
# puts fw_echo back, running. Usage: mmampd_path.sh BUILD_DIR
set -euo pipefail
build=$1
rt=$(mktemp -d /tmp/mm-mmampd.XXXXXX)
mmamp() { "$build/tools/mmamp/mmamp" -r "$rt" "$@"; }
cleanup() { mmamp shutdown >/dev/null 2>&1 || true; rm -rf "$rt"; }
trap cleanup EXIT

"$build/tools/mmampd/mmampd" -r "$rt"
mmamp firmware m4_0 fw_echo
mmamp state m4_0 start
mmamp wait m4_0 running --channel rpmsg-virtual-tty-channel-1 >/dev/null

"$build/tools/measureman/measureman" --mmampd "$rt" -l 300 -q --json "$rt/out.json" > "$rt/out.txt"
grep -q '"messages": 300,' "$rt/out.json" || { echo "FAIL: not 300 messages"; cat "$rt/out.json"; exit 1; }
grep -q '"remote_processing": {"count": 300,' "$rt/out.json" || { echo "FAIL: remote section"; exit 1; }
grep -q 'link: .*ttyRPMSG30' "$rt/out.txt" || { echo "FAIL: not over the TTY"; cat "$rt/out.txt"; exit 1; }
fw=$(mmamp get m4_0 firmware); state=$(mmamp get m4_0 state)
[ "$fw" = fw_echo ] && [ "$state" = running ] || { echo "FAIL: left $fw $state"; exit 1; }
mmamp wait m4_0 running --channel rpmsg-virtual-tty-channel-1 >/dev/null
echo "mmampd path: 300 messages, fw_echo back and running"
