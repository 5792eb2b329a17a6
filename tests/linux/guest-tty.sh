# SPDX-License-Identifier: BSD-3-Clause
# tests/linux/guest-tty.sh — guest helpers (busybox sh) for the rpmsg-tty channel of fw_echo,
# sourced by a guest script after guest_tty_helpers (tests/linux/lib.sh) copied it into the root:
#   tty_of               $t = /dev/ttyRPMSG<n> of the channel (its index may change after a
#                        recovery), once it exists
#   echo_once WORD       "ping WORD" through it, raw; says "echo WORD ok" when it comes back
R=/sys/class/remoteproc/remoteproc0
TTYDEV=/sys/bus/rpmsg/devices/virtio0.rpmsg-tty.-1.31/tty
tty_of() {
  wait_for $TTYDEV || return 1
  t=/dev/$(ls $TTYDEV | head -1)
  wait_for $t || return 1
  [ -c $t ] || { say "$t is not a character device"; return 1; }
}
echo_once() {
  tty_of || { say "no tty for rpmsg-tty"; return 1; }
  stty -F $t raw -echo
  exec 3<>$t; echo "ping $1" >&3
  [ "$(timeout 10 head -c $(( ${#1} + 6 )) <&3)" = "ping $1" ] && say "echo $1 ok"
  exec 3<&-
}
