# ports/qemu-mps2/host.cmake — included by the host build: cross-builds the Cortex-M4 firmware
# (QEMU mps2-an386 and the i.MX8QXP board), the boot ROM and the core alone into <build>/m4 (a
# separate CMake build with cmake/arm-none-eabi.cmake, MinSizeRel), every time the host build runs
# (it is incremental). The one M4 cross build: `make size` builds this target, and
# tests/check-core-m4.sh inspects its core library.
#   MMAMP_QEMU_FW_DIR   <build>/m4/ports/qemu-mps2: fw_echo.elf, fw_echo_b.elf,
#                       fw_echo_fault.elf, qemu_bootrom.elf and their .map files
#   mmamp_m4            the target that builds them (part of ALL)
#   MMAMP_HAVE_M4       OFF (and nothing built) when arm-none-eabi-gcc is missing
include(ExternalProject)
find_program(MMAMP_ARM_GCC arm-none-eabi-gcc)
set(MMAMP_QEMU_FW_DIR ${CMAKE_BINARY_DIR}/m4/ports/qemu-mps2)
if(MMAMP_ARM_GCC)
  set(MMAMP_HAVE_M4 ON)
  ExternalProject_Add(mmamp_m4
    SOURCE_DIR ${PROJECT_SOURCE_DIR}
    BINARY_DIR ${CMAKE_BINARY_DIR}/m4
    CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/cmake/arm-none-eabi.cmake
               -DCMAKE_BUILD_TYPE=MinSizeRel
    BUILD_ALWAYS ON
    INSTALL_COMMAND ""
    BUILD_BYPRODUCTS ${MMAMP_QEMU_FW_DIR}/fw_echo.elf ${MMAMP_QEMU_FW_DIR}/qemu_bootrom.elf)
else()
  set(MMAMP_HAVE_M4 OFF)
  message(STATUS "arm-none-eabi-gcc not found: no Cortex-M4 firmware for QEMU")
endif()
