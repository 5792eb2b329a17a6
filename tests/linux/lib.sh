# SPDX-License-Identifier: BSD-3-Clause
# tests/linux/lib.sh — the harness of the `linux` tests (sourced): boots the real kernel (User-Mode
# Linux from scripts/build-uml-kernel.sh) on a hostfs root holding busybox-static, our module
# and the firmware, with mmamp-soc (the simulated i.MX8X) under it, runs a guest script as
# init, and checks the guest's log. Everything it starts dies with it, pass or fail: UML runs
# in its own PID namespace, torn down on exit; mmamp-soc is a coprocess killed on exit (and
# dies with us anyway, --die-with-parent).
#
#   linux_setup BUILD_DIR OUT_DIR       the work dir, the root file system, the trap
#   linux_boot GUEST_SCRIPT [PLATFORM] [MODULE_ARGS]   PLATFORM: a name in <build>/platforms or a
#                                       .dtb path; soc_extra=(...) adds mmamp-soc options
#                                       boot, run GUEST_SCRIPT (sh, with the helpers below
#                                       defined) as init, power off; $guest_log, $soc_log,
#                                       $m4_console are the logs
#   host_helper FUNC                    run FUNC in the background during the boot (killed on exit)
#   wait_file PATH [SECONDS]            (host side) poll for a file with a deadline
#   expect_in_order FILE PATTERN...     every extended regex matches a line, in this order
#   expect_absent FILE PATTERN          no line matches
#   expect_clean_guest                  no BUG:, WARNING:, Oops, panic or call trace
# Guest helpers (each polls with a deadline; inside the guest there is no event to wait on):
#   wait_for PATH [SECONDS]             the file exists
#   wait_log REGEX COUNT [SECONDS]      the kernel log has COUNT lines matching REGEX
#   say TEXT                            prints "MMAMP: TEXT"
set -euo pipefail

linux_fail() { echo "FAIL: $*" >&2; exit 1; }

linux_setup() {
  local build=$1 out=$2
  kdir=$(cat "$out/kdir")
  module=$out/mmamp_rproc.ko
  soc_bin=$build/tools/mmamp-soc/mmamp-soc
  simcore=$build/ports/sim/mmamp-simcore
  fwdir=$build/ports/sim
  platdir=$build/platforms
  for f in "$kdir/linux" "$module" "$soc_bin" "$simcore" /bin/busybox; do
    [ -e "$f" ] || linux_fail "missing $f"
  done
  work=$(mktemp -d /tmp/mmamp-linux.XXXXXX)
  uml_pid=
  trap linux_cleanup EXIT
  trap 'exit 143' TERM INT
  root=$work/root
  mkdir -p "$root/bin" "$root/fw" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
  cp /bin/busybox "$root/bin/"
  cp "$module" "$root/"
  guest_log=$work/guest.log
  soc_log=$work/soc.log
  m4_console=$work/m4.console
}

linux_cleanup() {
  local rc=$?
  set +e # kill a process that ended already fails: nothing to stop here
  # unshare's end kills the namespace, i.e. all of UML (SIGKILL: signals may be ignored).
  if [ -n "$uml_pid" ]; then
    pkill -KILL -P "$uml_pid" 2>/dev/null
    kill -KILL "$uml_pid" 2>/dev/null
  fi
  [ -n "${soc_pid:-}" ] && kill -KILL "$soc_pid" 2>/dev/null
  [ -n "${helper_pid:-}" ] && kill -KILL "$helper_pid" 2>/dev/null
  wait 2>/dev/null || true
  if [ $rc -ne 0 ]; then
    echo "---- guest log ($guest_log)" >&2; cat "$guest_log" >&2 || true
    echo "---- mmamp-soc" >&2; cat "$soc_log" >&2 || true
    echo "---- M4 console" >&2; cat "$m4_console" >&2 || true
    echo "(kept $work)" >&2
  else
    [ -n "${MMAMP_KEEP:-}" ] && echo "(kept $work)" >&2 || rm -rf "$work"
  fi
  exit $rc
}

# linux_boot GUEST_SCRIPT [PLATFORM] [MODULE_ARGS] [TIMEOUT_S]
linux_boot() {
  local script=$1 platform=${2:-imx8qxp-sim} modargs=${3:-} limit=${4:-120} line
  local sock=$work/soc.sock
  {
    echo '#!/bin/busybox sh'
    echo '/bin/busybox --install -s /bin'
    echo 'mount -t proc proc /proc; mount -t sysfs sys /sys'
    echo 'say() { echo "MMAMP: $*"; }'
    # Poll a condition with a deadline (inside the guest there is no event to wait on). A TTY
    # must also open: Linux makes its node (device_register) before it adds the character
    # device, and an open in between fails with ENXIO.
    echo 'wait_for() { local i=0; while [ ! -e "$1" ]; do i=$((i+1)); [ $i -gt $(( ${2:-10} * 20 )) ] && return 1; sleep 0.05; done;'
    echo '  case "$1" in /dev/tty*) while ! stty -F "$1" >/dev/null 2>&1; do i=$((i+1)); [ $i -gt $(( ${2:-10} * 20 )) ] && return 1; sleep 0.05; done;; esac; }'
    echo 'wait_log() { local i=0; while [ "$(dmesg | grep -cE "$1")" -lt "$2" ]; do i=$((i+1)); [ $i -gt $(( ${3:-10} * 20 )) ] && return 1; sleep 0.05; done; }'
    echo "insmod /mmamp_rproc.ko soc=$sock $modargs && say module loaded || say insmod failed"
    cat "$script"
    echo 'say done'
    echo 'poweroff -f'
  } > "$root/init"
  chmod +x "$root/init"

  case $platform in */*) ;; *) platform=$platdir/$platform.dtb ;; esac
  coproc SOC { exec "$soc_bin" --platform "$platform" --socket "$sock" \
                 --simcore "$simcore" --console "$m4_console" --die-with-parent \
                 ${soc_extra[@]+"${soc_extra[@]}"} 2>"$soc_log"; }
  soc_pid=$SOC_PID # bash unsets SOC_PID when the coprocess ends
  read -r -t 20 -u "${SOC[0]}" line || linux_fail "mmamp-soc did not start (see $soc_log)"
  [ "$line" = "mmamp-soc: listening on $sock" ] || linux_fail "mmamp-soc said '$line'"

  # setarch -R: without address randomisation UML's RAM is mem= plus its image; with it, UML
  # adds the random gap below its heap to RAM, up to ~1 GiB, and RAM would reach the M4's TCM
  # at 0x1ffe0000 (mmamp-soc refuses that: the M4 sees RAM at its physical addresses).
  # UML is a tree of host processes (its kernel and one tracer/process per guest task): it runs
  # as the init of its own PID namespace, so when its kernel process ends, or unshare ends
  # (--kill-child), every one of them is killed by the host kernel. timeout is the test's time
  # limit (not synchronisation): a guest that hangs is killed. Each link of the chain dies with
  # the one before it (--pdeathsig), so a test killed outright (SIGKILL) takes UML with it.
  setpriv --pdeathsig KILL timeout -s KILL "$limit" setpriv --pdeathsig KILL \
    unshare --pid --fork --kill-child setarch -R "$kdir/linux" \
    mem=128M rootfstype=hostfs rootflags="$root" rw init=/init con0=fd:0,fd:1 con=null \
    uml_dir="$work" firmware_class.path=/fw </dev/null >"$guest_log" 2>&1 &
  uml_pid=$!
  local rc=0
  wait "$uml_pid" || rc=$?
  uml_pid=
  [ $rc -eq 0 ] || linux_fail "the guest ended with status $rc (killed after ${limit}s?)"
  # The SoC ends when the kernel disconnects (at power-off).
  # (a test that kills the SoC itself sets soc_may_die)
  wait "$soc_pid" || [ -n "${soc_may_die:-}" ] || linux_fail "mmamp-soc ended with status $?"
  soc_pid=
}

host_helper() {
  "$1" &
  helper_pid=$!
}

wait_file() {
  local deadline=$(( $(date +%s) + ${2:-30} ))
  while [ ! -e "$1" ]; do
    [ "$(date +%s)" -lt $deadline ] || return 1
    sleep 0.05
  done
}

expect_in_order() {
  local file=$1 from=0 n
  shift
  for pat in "$@"; do
    # awk, not tail | grep -m1: with pipefail, tail's SIGPIPE on a long log would fail the match
    n=$(PAT=$pat awk -v from="$from" 'NR > from && $0 ~ ENVIRON["PAT"] { print NR; exit }' "$file")
    [ -n "$n" ] || linux_fail "$file: no line matching '$pat' after line $from"
    from=$n
  done
}

expect_absent() {
  if grep -nE -- "$2" "$1" >&2; then linux_fail "$1: unexpected lines matching '$2'"; fi
}

expect_clean_guest() {
  expect_absent "$guest_log" 'BUG:|WARNING:|Oops|[Pp]anic|Call Trace'
}

# ---- helpers added for the sysfs comparison and the crash tests ----

# soc_core_pid: the pid of the process playing the M4 now (the last power-on mmamp-soc logged).
soc_core_pid() {
  sed -n 's/.*core m4_0 on at .* (pid \([0-9]*\),.*/\1/p' "$soc_log" | tail -1
}

# kill_core_on_request N: for i = 1..N, once the guest creates /tmp/crash-<i> (a hostfs file),
# kill -9 the process playing the M4 (the guest cannot reach host processes itself).
kill_core_on_request() {
  local i pid
  for i in $(seq 1 "$1"); do
    wait_file "$root/tmp/crash-$i" 120 || exit 1
    pid=$(soc_core_pid)
    [ -n "$pid" ] && kill -KILL "$pid"
  done
}

# guest_tty_helpers: tests/linux/guest-tty.sh into the root; the guest script sources
# /guest-tty.sh for tty_of and echo_once (and $R, $TTYDEV).
guest_tty_helpers() {
  cp "$(dirname "${BASH_SOURCE[0]}")/guest-tty.sh" "$root/"
}

# linux_install_guest_tools BUILD_DIR: the static user-space tools, built with the tree, into
# the guest's /bin: mmamp-guest (tools/guest: the rpmsg_ctrl ioctl, round trips) and MeasureMan
# (measureman-guest, installed as measureman).
linux_install_guest_tools() {
  local tool=$1/tools/guest/mmamp-guest mm=$1/tools/measureman/measureman-guest
  [ -x "$tool" ] || linux_fail "missing $tool (build the tree first)"
  [ -x "$mm" ] || linux_fail "missing $mm (build the tree first)"
  cp "$tool" "$root/bin/"
  cp "$mm" "$root/bin/measureman"
}
