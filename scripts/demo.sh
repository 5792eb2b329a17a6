#!/usr/bin/env bash
# demo.sh — the main job end to end, as a person would do it at a shell (what `make demo` runs):
# mmampd (the host's "kernel": remoteproc + RPMsg master) on the default platform, the echo
# firmware booted on the simulated Cortex-M4, its TTY and endpoints, a firmware swap, a crash and
# its recovery, and a latency summary.
#
#   scripts/demo.sh [BUILD_DIR] [sim|qemu|linux]
#     BUILD_DIR  a configured and built tree (default build/gcc)
#     qemu       the remote is a real Cortex-M4 under QEMU mps2-an386 (make demo PLATFORM=qemu)
#     linux      the host is the real Linux kernel (User-Mode Linux): scripts/demo-linux.sh
#
# mmampd runs on a runtime directory under BUILD_DIR (demo-run) and is stopped at the end, also
# when a step fails.
set -euo pipefail

build=$(cd "${1:-build/gcc}" && pwd)
platform=${2:-sim}
case $platform in
  sim)  PLATFORM_ARGS=(); FW=fw_echo; FW_B=fw_echo_b
        WHAT="a simulated i.MX8QXP (Cortex-A35 + Cortex-M4)"
        CORE="the simulated M4's process" ;;
  qemu) PLATFORM_ARGS=(-p "$build/platforms/qemu-mps2-an386.dtb"); FW=fw_echo.elf; FW_B=fw_echo_b.elf
        WHAT="a real Cortex-M4 under QEMU mps2-an386"
        CORE="QEMU (the M4)" ;;
  linux) exec "$(dirname "$0")/demo-linux.sh" "$build" ;; # the real kernel (docs/linux-host.md)
  *)    echo "demo: platform '$platform': expected sim, qemu or linux" >&2; exit 2 ;;
esac
MMAMPD=$build/tools/mmampd/mmampd
MMAMP=$build/tools/mmamp/mmamp
for exe in "$MMAMPD" "$MMAMP"; do
  [ -x "$exe" ] || { echo "demo: $exe is missing: build first (make build-gcc)" >&2; exit 1; }
done

rt=$build/demo-run
# sockets live there: their paths must fit a UNIX socket address
if [ ${#rt} -gt 80 ]; then rt=$(mktemp -d /tmp/mmamp-demo.XXXXXX); fi
export MMAMP_RUNTIME_DIR=$rt
TTY_CH=rpmsg-virtual-tty-channel-1

if [ -t 1 ]; then B=$'\e[1m' D=$'\e[2m' G=$'\e[32m' R=$'\e[31m' N=$'\e[0m'; else B= D= G= R= N=; fi
n=0
step() { n=$((n + 1)); printf '\n%s[%d] %s%s\n' "$B" "$n" "$*" "$N"; }
say()  { printf '    %s\n' "$*"; }
run()  { printf '%s  $ %s%s\n' "$D" "$*" "$N"; "$@" 2>&1 | sed 's/^/    /'; return "${PIPESTATUS[0]}"; }
mmamp() { "$MMAMP" "$@"; }
ms_now() { date +%s%N | cut -b1-13; }
log_from() { tail -n +"$(( $1 + 1 ))" "$rt/mmampd.log" | sed -E 's/^[0-9:.]+ mmampd\[[0-9]+\]: /    mmampd: /'; }
log_lines() { wc -l < "$rt/mmampd.log"; }

daemon_up=0
cleanup() {
  status=$?
  { exec 3>&-; } 2>/dev/null || true
  if [ "$daemon_up" = 1 ] && mmamp ping >/dev/null 2>&1; then
    mmamp shutdown || { [ -f "$rt/mmampd.pid" ] && kill "$(cat "$rt/mmampd.pid")"; } || true
  fi
  if [ $status -ne 0 ]; then
    printf '\n%sdemo: FAILED at step %d (exit %d)%s — the daemon log follows (%s/mmampd.log)\n' "$R" "$n" $status "$N" "$rt" >&2
    [ -f "$rt/mmampd.log" ] && sed 's/^/    /' "$rt/mmampd.log" >&2
  fi
  exit $status
}
trap cleanup EXIT

printf '%smmamp demo%s — Linux remoteproc + RPMsg on %s\n' "$B" "$N" "$WHAT"
say "host side: mmampd (this machine's 'kernel'); remote side: the M4 firmware ($platform)"
say "runtime directory: $rt"

# a daemon left over from an interrupted run would own the directory
if "$MMAMP" ping >/dev/null 2>&1; then "$MMAMP" shutdown; fi
mkdir -p "$rt"
: > "$rt/mmampd.log"

step "Start mmampd on the $platform platform; it returns once its control socket answers"
run "$MMAMPD" -r "$rt" ${PLATFORM_ARGS[@]+"${PLATFORM_ARGS[@]}"}
daemon_up=1
run mmamp ping

step "The remote processors the platform describes (remoteproc's view: state, firmware, recovery)"
run mmamp list

step "Load the echo firmware into the M4 partition and boot it (ELF → resource table → vrings → start)"
run mmamp firmware m4_0 "$FW"
run mmamp state m4_0 start

step "Wait for the firmware's name-service announcements: each channel gets a TTY or an endpoint"
run mmamp wait m4_0 running --channel "$TTY_CH" --channel rpmsg-raw --channel mmamp-info
run mmamp channels m4_0
tty=$(mmamp device m4_0 "$TTY_CH")
raw=$(mmamp device m4_0 rpmsg-raw)
info=$(mmamp device m4_0 mmamp-info)
say "the TTY is named like NXP's imx_rpmsg_tty: ttyRPMSG<remote address> = $tty -> $(readlink "$tty")"

step "Write a line to the TTY; the M4 echoes it back"
exec 3<>"$tty"
printf '    write: %s\n' "hello from the A35"
printf 'hello from the A35\n' >&3
IFS= read -r -t 5 line <&3
printf '    read:  %s%s%s\n' "$G" "$line" "$N"
[ "$line" = "hello from the A35" ]

step "Write one full RPMsg payload (496 random bytes) and compare the echo byte for byte"
head -c 496 /dev/urandom > "$rt/sent.bin"
cat "$rt/sent.bin" >&3
timeout 5 head -c 496 <&3 > "$rt/back.bin"
if cmp -s "$rt/sent.bin" "$rt/back.bin"; then
  say "${G}identical${N}: $(wc -c < "$rt/back.bin") bytes back, sha256 $(sha256sum < "$rt/back.bin" | cut -c1-16)…"
else
  say "${R}the echo differs${N}"; cmp "$rt/sent.bin" "$rt/back.bin" || true; exit 1
fi

step "Ask the firmware's mmamp-info service which build is running (a message endpoint, rpmsg_char style)"
run mmamp send "$info" info --reply

step "Swap the firmware at runtime: stop → firmware $FW_B → start → channels up (timed)"
exec 3>&-
t0=$(ms_now)
run mmamp state m4_0 stop
run mmamp firmware m4_0 "$FW_B"
run mmamp state m4_0 start
run mmamp wait m4_0 running --channel "$TTY_CH" --channel rpmsg-raw --channel mmamp-info
t1=$(ms_now)
say "swap took $((t1 - t0)) ms, including the four mmamp command invocations"
info=$(mmamp device m4_0 mmamp-info)
run mmamp send "$info" info --reply

step "Crash: kill -9 $CORE; remoteproc marks it crashed and recovers it"
pid=$(mmamp get m4_0 pid)
mark=$(log_lines)
tty=$(mmamp device m4_0 "$TTY_CH")
exec 3<>"$tty"
run kill -9 "$pid"
run mmamp wait m4_0 running --channel "$TTY_CH" --crashes 1
say "what mmampd saw (its log):"
log_from "$mark" | grep -E -- '->' || true
run mmamp info m4_0

step "The TTY of the crashed core hung up; the recovered core's new TTY echoes again"
if IFS= read -r -t 2 line <&3; then say "old TTY: read '$line'?"; else say "old TTY: hung up (read: end of file)"; fi
exec 3>&-
tty=$(mmamp device m4_0 "$TTY_CH")
exec 3<>"$tty"
printf 'back after the crash\n' >&3
IFS= read -r -t 5 line <&3
printf '    read:  %s%s%s\n' "$G" "$line" "$N"
[ "$line" = "back after the crash" ]
exec 3>&-

if [ "$platform" = qemu ]; then
  step "Latency: 1000 round trips of 496 bytes, write → mmampd → vring + UART doorbell → M4 (QEMU) echo → read"
  say "(the M4 is emulated instruction by instruction; each doorbell is a byte through a socket)"
else
  step "Latency: 1000 round trips of 496 bytes, write → mmampd → vring + MU doorbell → M4 echo → read"
  say "(interrupt mode: each direction wakes a sleeping thread through a futex, like an MU interrupt)"
fi
run mmamp rtt "$tty" --count 1000 --size 496
raw=$(mmamp device m4_0 rpmsg-raw)
run mmamp rtt "$raw" --count 1000 --size 496

step "Shut down: mmampd stops the core, removes its TTYs and endpoints, and exits"
mark=$(log_lines)
run mmamp shutdown
daemon_up=0
log_from "$mark"
left=$(find "$rt" -maxdepth 1 \( -type s -o -type l \) | wc -l)
say "sockets and TTY links left in $rt: $left"
[ "$left" -eq 0 ]
rm -f "$rt/sent.bin" "$rt/back.bin"

MEASUREMAN=$build/tools/measureman/measureman
if [ "$platform" = qemu ]; then
  step "MeasureMan: the paper's Table 1 on the Cortex-M4 under QEMU (2,000 round trips of 496 bytes, in-process)"
  say "(installs fw_measure.elf; the guest's timer0 is put on the host's clock by ping-pongs through the boot mailbox)"
  [ -x "$MEASUREMAN" ] || { echo "demo: $MEASUREMAN is missing: build first" >&2; exit 1; }
  run "$MEASUREMAN" --platform qemu -l 2000 -q
  printf '\n%sdemo: all steps passed%s\n' "$G" "$N"
  exit 0
fi
step "MeasureMan: the paper's Table 1 on the simulated M4 (20,000 round trips of 496 bytes, in-process)"
say "(installs fw_measure, stamps both cores' timestamps into each message; the paper's i.MX8X figures in parentheses)"
[ -x "$MEASUREMAN" ] || { echo "demo: $MEASUREMAN is missing: build first" >&2; exit 1; }
run "$MEASUREMAN" -l 20000 -q
printf '\n%sdemo: all steps passed%s\n' "$G" "$N"
