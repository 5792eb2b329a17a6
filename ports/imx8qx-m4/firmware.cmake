# ports/imx8qx-m4/firmware.cmake — this port as mmamp_add_firmware() (cmake/mmampFirmware.cmake)
# takes it: the i.MX8QXP's Cortex-M4F, cross-built with arm-none-eabi; the board is one of
# IMX8QX_BOARD_MEK / IMX8QX_BOARD_VAR_SOM_MX8X in RUNTIME_DEFINITIONS. It brings its own
# resource table (vrings at the carveouts) and a .bin for U-Boot's bootaux next to the ELF.
include(${_mmamp_port_dir}/../cortex-m/firmware-m4.cmake)
set(_mmamp_port_header port_imx8qx.h)
# reset and vector table, SoC bring-up (SCU RPC, IRQSTEER, LPUART), MU5 B doorbell, the table
set(_mmamp_port_sources)
foreach(_f startup board bringup scfw irqsteer lpuart mu5b port_imx8qx rsc_table_imx8qx)
  list(APPEND _mmamp_port_sources ${_mmamp_port_dir}/${_f}.c)
endforeach()
set(_mmamp_port_rsc_table ON)
set(_mmamp_port_app_last ON) # the layout the footprint was measured in: the app after the port
# the MU's registers (the same imx6sx-type MU as the sim's) are mmamp/wire/mu.h in include/;
# board.c's fw_text.h is firmware/common, which every firmware sees
set(_mmamp_port_includes ${_mmamp_port_dir})
set(_mmamp_port_bin ON)
