# ports/cortex-m/firmware-m4.cmake — what the Cortex-M4F ports (qemu-mps2, imx8qx-m4) share in
# their description for mmamp_add_firmware() (cmake/mmampFirmware.cmake): cross-built with
# arm-none-eabi, freestanding, newlib-nano for mem*, an ELF per firmware. Read by their
# firmware.cmake.
set(_mmamp_port_cross ON)
set(_mmamp_port_cflags -ffreestanding -fno-builtin-printf -ffunction-sections -fdata-sections
    -fno-common)
set(_mmamp_port_ldflags -nostartfiles --specs=nano.specs)
# the CPU (cmake/arm-none-eabi.cmake gives CMake builds the same), for a Make build's flags
set(_mmamp_port_cpu -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os)
set(_mmamp_port_ldscript ${_mmamp_port_dir}/firmware.ld)
set(_mmamp_port_suffix .elf)
