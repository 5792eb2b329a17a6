# ports/qemu-mps2/firmware.cmake — this port as mmamp_add_firmware() (cmake/mmampFirmware.cmake)
# takes it: a Cortex-M4F on QEMU mps2-an386, cross-built with arm-none-eabi (newlib-nano for
# mem*). Read inside mmamp_add_firmware(); _mmamp_port_dir is this folder.
include(${_mmamp_port_dir}/../cortex-m/firmware-m4.cmake)
set(_mmamp_port_header port_qemu.h)
# the UART1 doorbell binding, the payload copy (copy.S: mmamp_port_copy, include/mmamp/port.h;
# the project enables ASM), the board (console, clock), reset and vector table
set(_mmamp_port_sources ${_mmamp_port_dir}/port_qemu.c ${_mmamp_port_dir}/copy.S
    ${_mmamp_port_dir}/board.c ${_mmamp_port_dir}/startup.c)
set(_mmamp_port_includes ${_mmamp_port_dir})
# The minimal profile (MINIMAL): its UART1/SysTick binding and block copy (copy.S), then the
# same board.
set(_mmamp_port_min_header port_min.h)
set(_mmamp_port_min_sources ${_mmamp_port_dir}/port_min.c ${_mmamp_port_dir}/copy.S
    ${_mmamp_port_dir}/board.c ${_mmamp_port_dir}/startup.c)
set(_mmamp_port_min_defs MMAMP_MIN_COPY=mmamp_qemu_copy)
