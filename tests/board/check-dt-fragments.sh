#!/usr/bin/env bash
# check-dt-fragments.sh SRC TMP TOOL FWDIR — the Linux device-tree fragments of
# platforms/linux/ for both boards, compiled (cpp + dtc) onto a stub of the SoC labels they
# reference (&lsio_mu5, &pd, &iomuxc, &lpuart1), and the firmware checked against each with
# mmamp-imx-rproc-check --dtb: accepted. Then copies made wrong on purpose — a vring carveout
# moved, the entry address off TCML, the buffer pool not first — must be rejected, with the
# reason.
set -euo pipefail
src=${1:?SRC} tmp=${2:?TMP} tool=${3:?TOOL} fw=${4:?FWDIR}
rm -rf "$tmp" && mkdir -p "$tmp"

stub() { # $1: the fragment to include
	cat <<EOT
/dts-v1/;
#define IMX8QXP_ADC_IN2_M40_UART0_RX	1 1
#define IMX8QXP_ADC_IN3_M40_UART0_TX	2 1
#define IMX8QXP_UART1_RX_ADMA_UART1_RX	3 0
#define IMX8QXP_UART1_TX_ADMA_UART1_TX	4 0
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	lsio_mu5: mailbox@5d1b0000 { #mbox-cells = <2>; };
	pd: power-controller { #power-domain-cells = <1>; };
	iomuxc: pinctrl { };
	lpuart1: serial@5a070000 { };
};
#include "$1"
EOT
}

compile() { # $1: fragment, $2: include dir, $3: output dtb
	stub "$1" >"$tmp/host.dts"
	cpp -nostdinc -undef -P -x assembler-with-cpp -I "$2" "$tmp/host.dts" >"$tmp/host.pp.dts"
	dtc -q -I dts -O dtb -o "$3" "$tmp/host.pp.dts"
}

expect_reject() { # $1: dtb, $2: elf, $3: text the verdict must contain
	local out rc=0
	out=$("$tool" --dtb "$1" "$2") || rc=$?
	echo "$out"
	if [ "$rc" -ne 1 ] || ! grep -qF -- "$3" <<<"$out"; then
		echo "check-dt-fragments: expected rejection with \"$3\" (exit $rc)" >&2
		exit 1
	fi
}

for board in mek var-som; do
	b=${board/-/_}
	compile "imx8qxp-$board-mmamp.dtsi" "$src/platforms/linux" "$tmp/$board.dtb"
	"$tool" --dtb "$tmp/$board.dtb" "$fw/fw_echo_$b.elf" "$fw/fw_echo_$b.bin"
done

# Wrong on purpose, from copies of the fragments.
mkdir -p "$tmp/bad"
cp "$src"/platforms/linux/*.dtsi "$tmp/bad/"
sed -i 's/vdev0vring1@90008000 {/vdev0vring1@90020000 {/; s/reg = <0 0x90008000 0 0x8000>;/reg = <0 0x90020000 0 0x8000>;/' \
	"$tmp/bad/imx8qxp-m4-rpmsg.dtsi"
compile imx8qxp-mek-mmamp.dtsi "$tmp/bad" "$tmp/bad-vring.dtb"
expect_reject "$tmp/bad-vring.dtb" "$fw/fw_echo_mek.elf" \
	"FAIL vrings: vdev 0 vring 1: da 0x90008000 is not carveout vdev0vring1 at 0x90020000"

cp "$src"/platforms/linux/imx8qxp-m4-rpmsg.dtsi "$tmp/bad/"
sed -i 's/fsl,entry-address = <0x34fe0000>;/fsl,entry-address = <0x1ffe0000>;/' \
	"$tmp/bad/imx8qxp-m4-rpmsg.dtsi"
compile imx8qxp-mek-mmamp.dtsi "$tmp/bad" "$tmp/bad-entry.dtb"
expect_reject "$tmp/bad-entry.dtb" "$fw/fw_echo_mek.elf" "fsl,entry-address is 0x1ffe0000"
cp "$src"/platforms/linux/imx8qxp-m4-rpmsg.dtsi "$tmp/bad/"
sed -i 's/memory-region = <&vdev0buffer>, <&vdev0vring0>,/memory-region = <\&vdev0vring0>, <\&vdev0buffer>,/' \
	"$tmp/bad/imx8qxp-m4-rpmsg.dtsi"
compile imx8qxp-mek-mmamp.dtsi "$tmp/bad" "$tmp/bad-order.dtb"
expect_reject "$tmp/bad-order.dtb" "$fw/fw_echo_mek.elf" "memory-region[0] is not vdev0buffer"
echo "check-dt-fragments: both boards accepted, three wrong fragments rejected"
