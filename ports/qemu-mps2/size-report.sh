#!/usr/bin/env bash
# size-report.sh MAP — footprint of a linked mps2-an386 firmware, from its GNU ld map file:
# flash (what an image in flash holds: .text, .rodata, .ARM.exidx, and the initial values of
# .data and .resource_table) and static RAM (.data, .resource_table, .bss), split by origin:
#   core     src/core (the firmware's core library           \
#            libmmamp_fw_<port>_<config>_core.a, or rpmsg_min.c)  \
#   runtime  src/remote/remote.c, rsc_table_rpmsg.c            > the IPC stack
#   port     the doorbell binding (port_qemu.c / port_min.c,  /
#            copy.S; i.MX8QXP: port_imx8qx.c, mu5b.c)
#   board    startup.c (vectors, reset, fault record), board.c (console, clock); on the
#            i.MX8QXP also the SoC bring-up (bringup.c, scfw.c, irqsteer.c, lpuart.c): every
#            firmware has them whatever its IPC stack, like the app
#   app      the firmware itself (fw_echo.c, fw_echo_lean.c, fw_echo_min.c) — except the
#            stack's state, which the app declares but which is the stack's RAM: .bss.fw_remote
#            and .bss.fw_doorbell (firmware/common/fw_app.h), .bss.dev (fw_echo_min) count as
#            runtime
#   libc     newlib-nano and libgcc (memcpy, memset, 64-bit division, ...)
# then the biggest input sections of the IPC stack. The stack itself (16 KiB reserved) is not
# static data and is not counted.
set -euo pipefail
map=${1:?usage: size-report.sh MAP}
[ -r "$map" ] || { echo "size-report: cannot read $map (build the M4 firmware first)" >&2; exit 1; }
awk -v budget_flash=1200 -v budget_ram=200 '
function hex(s,    i, v, c) {
	v = 0
	s = tolower(substr(s, 3))
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1)) - 1
		v = v * 16 + c
	}
	return v
}
function origin(f) {
	if (f ~ /libmmamp_(fw_[A-Za-z0-9_]+_)?core\.a|rpmsg_min\.c\.obj/) return "core"
	if (f ~ /remote\.c\.obj|rsc_table_(rpmsg|imx8qx)\.c\.obj/) return "runtime"
	if (f ~ /(startup|board|bringup|scfw|irqsteer|lpuart)\.c\.obj/) return "board"
	if (f ~ /(port_qemu|port_min|port_imx8qx|mu5b)\.c\.obj|copy\.S\.obj/) return "port"
	if (f ~ /libc_nano|libgcc|libc\.a|libnosys/) return "libc"
	return "app"
}
function account(sec, name, size, file,    o, fl, rm) {
	if (size == 0) return
	o = origin(file)
	if (o == "app" && name ~ /^\.bss\.(fw_remote|fw_doorbell|dev)$/) o = "runtime"
	fl = (sec == ".text" || sec == ".rodata" || sec == ".ARM.exidx" || sec == ".data" ||
	      sec == ".resource_table")
	rm = (sec == ".data" || sec == ".resource_table" || sec == ".bss")
	if (fl) flash[o] += size
	if (rm) ram[o] += size
	if ((fl || rm) && (o == "core" || o == "runtime" || o == "port")) {
		sub(/^.*\//, "", file)
		item[sec " " name " (" file ")"] += size
	}
}
/^Linker script and memory map/ { inmap = 1; next }
!inmap { next }
/^\.[A-Za-z_.]+/ { sec = $1; pending = ""; next }       # an output section
/^ \.[^ ]+ +0x[0-9a-f]+ +0x[0-9a-f]+ +[^ ]/ {           # input section on one line
	account(sec, $1, hex($3), $4); pending = ""; next }
/^ \.[^ ]+$/ { pending = $1; next }                      # name alone; numbers follow
pending != "" && /^ +0x[0-9a-f]+ +0x[0-9a-f]+ +[^ ]/ {
	account(sec, pending, hex($2), $3); pending = ""; next }
{ pending = "" }
END {
	n = split("core runtime port board app libc", os, " ")
	printf "%-10s %8s %8s\n", "origin", "flash", "ram"
	for (i = 1; i <= n; i++) {
		printf "%-10s %8d %8d\n", os[i], flash[os[i]], ram[os[i]]
		tf += flash[os[i]]; tr += ram[os[i]]
	}
	sf = flash["core"] + flash["runtime"] + flash["port"]
	sr = ram["core"] + ram["runtime"] + ram["port"]
	printf "%-10s %8d %8d   (budget %d / %d: %s)\n", "IPC stack", sf, sr, budget_flash,
	       budget_ram, (sf <= budget_flash && sr <= budget_ram) ? "within" : "OVER"
	printf "%-10s %8d %8d\n", "image", tf, tr
	printf "\nbiggest parts of the IPC stack (bytes, section, input):\n"
	cmd = "sort -rn | head -15"
	for (k in item) printf "%8d  %s\n", item[k], k | cmd
	close(cmd)
}' "$map"
