# mmampFirmware.cmake — mmamp_add_firmware(): a firmware on one of mmamp's ports, built with the
# portable core and the remote runtime compiled for that port and the firmware's configuration
# (docs/using-mmamp.md). Included by mmamp's own build (the firmware in ports/*/) and by the
# installed package (find_package(mmamp)), and so also reached through add_subdirectory(mmamp).
#
#   mmamp_add_firmware(<target> PORT <sim|qemu-mps2|imx8qx-m4> SOURCES <src>...
#                      [CONFIG <header>] [DEFINITIONS <def>...] [RUNTIME_DEFINITIONS <def>...]
#                      [MINIMAL] [OWN_RSC_TABLE])
#
#   PORT                 the board: sim (the simulated M4, an x86-64 ELF for mmamp-simcore: needs
#                        a host build on x86-64 Linux), qemu-mps2 (Cortex-M4 on QEMU mps2-an386)
#                        or imx8qx-m4 (the i.MX8QXP's M4; one of IMX8QX_BOARD_MEK /
#                        IMX8QX_BOARD_VAR_SOM_MX8X in RUNTIME_DEFINITIONS) — the last two need the
#                        arm-none-eabi toolchain file the package installs (MMAMP_ARM_TOOLCHAIN_FILE)
#   SOURCES              the firmware's own sources; it defines int fw_main(void)
#   CONFIG               the core's configuration file (mmamp/config.h: MMAMP_CONFIG_FILE), for
#                        the firmware, the core and the runtime alike
#   DEFINITIONS          preprocessor definitions for the firmware's own sources (MINIMAL: and
#                        the profile's files, which are compiled with them)
#   RUNTIME_DEFINITIONS  definitions for everything, core, runtime and port included
#   MINIMAL              the minimal profile (mmamp/rpmsg_min.h, rpmsg_min.c and the port's
#                        minimal binding, MMAMP_FW_MIN_PORT_H) instead of the runtime; qemu-mps2
# qemu-mps2 has an assembly file (copy.S): its projects enable ASM (project(... C ASM)).
#   OWN_RSC_TABLE        the firmware declares its own .resource_table (else the runtime's
#                        one-vdev table, mmamp_fw_rsc_table, or the port's)
#
# The firmware's sources see MMAMP_FW_PORT_H (the port header: mmamp/remote/port.h's memory map
# and doorbell), the public headers, the port folder and firmware/common (fw_app.h: bring-up,
# live table, info line; fw_text.h). <target> is an executable named
# <target>.elf (the sim's: <target>) with <target>.map next to it; imx8qx-m4 adds <target>.bin.
# Core, runtime and port are compiled once per (port, CONFIG, RUNTIME_DEFINITIONS).
include_guard(GLOBAL)

# Where the sources are: the source tree, or the package's share/mmamp/src (mmampConfig.cmake
# sets both first). Kept as global properties: the function runs in its caller's scope, which
# with add_subdirectory(mmamp) is not the one this file was read in.
if(NOT DEFINED MMAMP_FIRMWARE_ROOT)
  set(MMAMP_FIRMWARE_ROOT ${CMAKE_CURRENT_LIST_DIR}/..)
endif()
get_filename_component(MMAMP_FIRMWARE_ROOT ${MMAMP_FIRMWARE_ROOT} ABSOLUTE)
if(NOT DEFINED MMAMP_FIRMWARE_INCLUDE)
  set(MMAMP_FIRMWARE_INCLUDE ${MMAMP_FIRMWARE_ROOT}/include)
endif()
set_property(GLOBAL PROPERTY MMAMP_FIRMWARE_ROOT ${MMAMP_FIRMWARE_ROOT})
set_property(GLOBAL PROPERTY MMAMP_FIRMWARE_INCLUDE ${MMAMP_FIRMWARE_INCLUDE})

# The portable core's sources, as a firmware compiles them (src/core).
set_property(GLOBAL PROPERTY MMAMP_FIRMWARE_CORE_SOURCES diag.c vring.c rpmsg.c rsc_table.c
             rsc_vdev_lookup.c elf_loader.c)

# _mmamp_firmware_paths(): MMAMP_FIRMWARE_ROOT/INCLUDE/CORE_SOURCES in the caller's scope.
macro(_mmamp_firmware_paths)
  get_property(MMAMP_FIRMWARE_ROOT GLOBAL PROPERTY MMAMP_FIRMWARE_ROOT)
  get_property(MMAMP_FIRMWARE_INCLUDE GLOBAL PROPERTY MMAMP_FIRMWARE_INCLUDE)
  get_property(MMAMP_FIRMWARE_CORE_SOURCES GLOBAL PROPERTY MMAMP_FIRMWARE_CORE_SOURCES)
endmacro()

# Remove -fsanitize=... that a target inherits from add_compile_options()/add_link_options() of
# an enclosing project: firmware has no sanitizer runtime (the sim's: its address space too).
function(mmamp_firmware_no_sanitizers target)
  foreach(prop COMPILE_OPTIONS LINK_OPTIONS)
    get_target_property(opts ${target} ${prop})
    if(opts)
      list(FILTER opts EXCLUDE REGEX "sanitize")
      set_property(TARGET ${target} PROPERTY ${prop} "${opts}")
    endif()
  endforeach()
  if(NOT CMAKE_SYSTEM_NAME STREQUAL "Generic")
    target_compile_options(${target} PRIVATE -fno-sanitize=all)
  endif()
endfunction()

# The port's description (ports/<port>/firmware.cmake) into _mmamp_port_* of the caller.
macro(_mmamp_firmware_port port)
  set(_mmamp_port_dir ${MMAMP_FIRMWARE_ROOT}/ports/${port})
  if(NOT EXISTS ${_mmamp_port_dir}/firmware.cmake)
    message(FATAL_ERROR "mmamp_add_firmware: no port \"${port}\" (ports/${port}/firmware.cmake "
                        "under ${MMAMP_FIRMWARE_ROOT}); the ports are sim, qemu-mps2, imx8qx-m4")
  endif()
  foreach(_v cross header sources includes cflags ldflags ldscript suffix rsc_table app_last bin
             libc_sources no_pic min_header min_sources min_defs cpu)
    unset(_mmamp_port_${_v})
  endforeach()
  include(${_mmamp_port_dir}/firmware.cmake)
endmacro()

# Flags of the port on a target (compile, include, no sanitizers).
function(_mmamp_firmware_flags target)
  target_compile_options(${target} PRIVATE ${_mmamp_port_cflags})
  target_include_directories(${target} PRIVATE ${MMAMP_FIRMWARE_INCLUDE} ${_mmamp_port_includes}
                             ${MMAMP_FIRMWARE_ROOT}/firmware/common)
  target_compile_definitions(${target} PRIVATE MMAMP_FW_PORT_H="${_mmamp_port_header}"
                             ${_mmamp_fw_rt_defs})
  if(_mmamp_port_no_pic)
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
  endif()
  mmamp_firmware_no_sanitizers(${target})
endfunction()

function(mmamp_add_firmware name)
  cmake_parse_arguments(FW "MINIMAL;OWN_RSC_TABLE" "PORT;CONFIG"
                        "SOURCES;DEFINITIONS;RUNTIME_DEFINITIONS" ${ARGN})
  if(NOT FW_PORT OR NOT FW_SOURCES)
    message(FATAL_ERROR "mmamp_add_firmware(${name}): PORT and SOURCES are required")
  endif()
  if(FW_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "mmamp_add_firmware(${name}): unknown arguments ${FW_UNPARSED_ARGUMENTS}")
  endif()
  _mmamp_firmware_paths()
  _mmamp_firmware_port(${FW_PORT})
  if(_mmamp_port_cross AND NOT (CMAKE_SYSTEM_NAME STREQUAL "Generic" AND
                                CMAKE_C_COMPILER MATCHES "arm-none-eabi"))
    message(FATAL_ERROR "mmamp_add_firmware(${name}): PORT ${FW_PORT} is a Cortex-M4: configure "
                        "with -DCMAKE_TOOLCHAIN_FILE=<the package's arm-none-eabi.cmake> "
                        "(MMAMP_ARM_TOOLCHAIN_FILE)")
  endif()
  if(NOT _mmamp_port_cross AND NOT (CMAKE_SYSTEM_NAME STREQUAL "Linux" AND
                                    CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64"))
    message(FATAL_ERROR "mmamp_add_firmware(${name}): PORT sim builds an x86-64 Linux ELF for "
                        "mmamp-simcore: use a native x86-64 Linux build, not ${CMAKE_SYSTEM_NAME}")
  endif()
  if(FW_MINIMAL AND NOT _mmamp_port_min_sources)
    message(FATAL_ERROR "mmamp_add_firmware(${name}): PORT ${FW_PORT} has no minimal profile")
  endif()
  set(_asm ${_mmamp_port_sources} ${_mmamp_port_min_sources})
  list(FILTER _asm INCLUDE REGEX "\\.S$")
  if(_asm AND NOT CMAKE_ASM_COMPILER_LOADED)
    message(FATAL_ERROR "mmamp_add_firmware(${name}): PORT ${FW_PORT} has an assembly file "
                        "(${_asm}): enable ASM in the project (project(... LANGUAGES C ASM))")
  endif()
  if(FW_CONFIG)
    get_filename_component(FW_CONFIG ${FW_CONFIG} ABSOLUTE)
    if(NOT EXISTS ${FW_CONFIG})
      message(FATAL_ERROR "mmamp_add_firmware(${name}): CONFIG ${FW_CONFIG} does not exist")
    endif()
  endif()
  # Every firmware is the remote: the core's host role is compiled out (docs/config.md).
  set(_mmamp_fw_rt_defs MMAMP_CONFIG_HOST_ROLE=0 ${FW_RUNTIME_DEFINITIONS})
  if(FW_CONFIG)
    list(APPEND _mmamp_fw_rt_defs MMAMP_CONFIG_FILE="${FW_CONFIG}")
  endif()
  set(_core ${MMAMP_FIRMWARE_ROOT}/src/core)
  set(_remote ${MMAMP_FIRMWARE_ROOT}/src/remote)

  if(FW_MINIMAL)
    # A handful of small files, in the order the footprint was measured in: compiled here.
    set(_objs ${_core}/rpmsg_min.c)
    if(NOT FW_OWN_RSC_TABLE)
      list(APPEND _objs ${_remote}/rsc_table_rpmsg.c)
    endif()
    add_executable(${name} ${FW_SOURCES} ${_objs} ${_mmamp_port_min_sources})
    set(_mmamp_port_header ${_mmamp_port_min_header})
    list(APPEND _mmamp_fw_rt_defs ${_mmamp_port_min_defs})
    _mmamp_firmware_flags(${name})
    target_compile_definitions(${name} PRIVATE MMAMP_FW_MIN_PORT_H="${_mmamp_port_min_header}")
  else()
    # The runtime for (port, config): the port's objects, the runtime and its table as objects
    # (the table is KEPT, never referenced), the core as a library --gc-sections trims.
    if(_mmamp_fw_rt_defs STREQUAL "MMAMP_CONFIG_HOST_ROLE=0")
      string(MAKE_C_IDENTIFIER "mmamp_fw_${FW_PORT}" _rt) # the port's defaults
    else()
      string(MD5 _key "${FW_PORT};${_mmamp_fw_rt_defs}")
      string(SUBSTRING ${_key} 0 8 _key)
      string(MAKE_C_IDENTIFIER "mmamp_fw_${FW_PORT}_${_key}" _rt)
    endif()
    if(NOT TARGET ${_rt}_core)
      add_library(${_rt}_core STATIC)
      list(TRANSFORM MMAMP_FIRMWARE_CORE_SOURCES PREPEND ${_core}/ OUTPUT_VARIABLE _core_srcs)
      target_sources(${_rt}_core PRIVATE ${_core_srcs})
      _mmamp_firmware_flags(${_rt}_core)
      set(_rt_srcs ${_mmamp_port_sources} ${_remote}/remote.c)
      add_library(${_rt}_rt OBJECT ${_rt_srcs})
      _mmamp_firmware_flags(${_rt}_rt)
      if(NOT _mmamp_port_rsc_table)
        add_library(${_rt}_rsc OBJECT ${_remote}/rsc_table_rpmsg.c)
        _mmamp_firmware_flags(${_rt}_rsc)
      endif()
      if(_mmamp_port_libc_sources AND CMAKE_C_COMPILER_ID STREQUAL "GNU")
        # mem* themselves: gcc must not turn their loops back into calls to them
        set_source_files_properties(${_mmamp_port_libc_sources} TARGET_DIRECTORY ${_rt}_rt
                                    PROPERTIES COMPILE_OPTIONS -fno-tree-loop-distribute-patterns)
      endif()
    endif()
    set(_objs $<TARGET_OBJECTS:${_rt}_rt>)
    if(NOT FW_OWN_RSC_TABLE AND NOT _mmamp_port_rsc_table)
      list(APPEND _objs $<TARGET_OBJECTS:${_rt}_rsc>)
    endif()
    if(_mmamp_port_app_last)
      add_executable(${name} ${_objs} ${FW_SOURCES})
    else()
      add_executable(${name} ${FW_SOURCES} ${_objs})
    endif()
    _mmamp_firmware_flags(${name})
    target_link_libraries(${name} PRIVATE ${_rt}_core)
  endif()
  target_compile_definitions(${name} PRIVATE ${FW_DEFINITIONS})
  set_property(GLOBAL APPEND PROPERTY MMAMP_FIRMWARE_TARGETS_${FW_PORT} ${name}) # (install.cmake)
  set_target_properties(${name} PROPERTIES SUFFIX "${_mmamp_port_suffix}"
                        LINK_DEPENDS ${_mmamp_port_ldscript})
  target_link_options(${name} PRIVATE ${_mmamp_port_ldflags} -T${_mmamp_port_ldscript}
                      -Wl,--gc-sections -Wl,--build-id=none
                      -Wl,-Map=${CMAKE_CURRENT_BINARY_DIR}/${name}.map)
  if(_mmamp_port_bin)
    add_custom_command(TARGET ${name} POST_BUILD
      COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:${name}> ${CMAKE_CURRENT_BINARY_DIR}/${name}.bin
      COMMENT "objcopy ${name}.bin (bootaux image)" VERBATIM)
  endif()
endfunction()

# mmamp_firmware_sources_mk(<file>) — the plain list of what a non-CMake (Make/IDE) firmware
# build compiles, per port, as a Make fragment written from the same port descriptions
# mmamp_add_firmware() reads (installed as share/mmamp/firmware-sources.mk; examples/firmware's
# Makefile builds from it in tests/install/check-install.sh). Paths are relative to the
# fragment: $(MMAMP_SRC) is share/mmamp/src, the headers are in $(MMAMP_INC).
function(mmamp_firmware_sources_mk file)
  _mmamp_firmware_paths()
  set(_root ${MMAMP_FIRMWARE_ROOT})
  string(CONCAT mk "# firmware-sources.mk — generated by mmamp's build (cmake/mmampFirmware.cmake) from the\n"
         "# port descriptions (ports/<port>/firmware.cmake): per port, every source a firmware\n"
         "# links beside its own, the include folders and the flags. A Makefile includes it and\n"
         "# builds with\n"
         "#   $(CC) $(MMAMP_<P>_CFLAGS) app.c $(MMAMP_<P>_SRCS) $(MMAMP_<P>_LDFLAGS)\n"
         "# (<P>: sim, qemu_mps2, imx8qx_m4; imx8qx_m4 also needs -DIMX8QX_BOARD_MEK or\n"
         "# -DIMX8QX_BOARD_VAR_SOM_MX8X). See docs/using-mmamp.md.\n"
         "MMAMP_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))\n"
         "MMAMP_SRC := $(MMAMP_MK_DIR)/src\n"
         "MMAMP_INC := $(MMAMP_MK_DIR)/../../include\n")
  get_property(_core_files GLOBAL PROPERTY MMAMP_FIRMWARE_CORE_SOURCES)
  list(TRANSFORM _core_files PREPEND "$(MMAMP_SRC)/src/core/")
  list(JOIN _core_files " " _core)
  string(APPEND mk "MMAMP_CORE_SRCS := ${_core}\n"
                   "MMAMP_RUNTIME_SRCS := $(MMAMP_SRC)/src/remote/remote.c\n")
  foreach(port sim qemu-mps2 imx8qx-m4)
    _mmamp_firmware_port(${port})
    string(MAKE_C_IDENTIFIER ${port} p)
    set(srcs ${_mmamp_port_sources})
    if(NOT _mmamp_port_rsc_table)
      list(APPEND srcs ${_root}/src/remote/rsc_table_rpmsg.c)
    endif()
    set(incs)
    foreach(d ${_mmamp_port_includes} ${_root}/firmware/common)
      get_filename_component(d ${d} ABSOLUTE)
      list(APPEND incs ${d})
    endforeach()
    foreach(v srcs incs)
      set(rel)
      foreach(f ${${v}})
        get_filename_component(f ${f} ABSOLUTE)
        file(RELATIVE_PATH f ${_root} ${f})
        list(APPEND rel "$(MMAMP_SRC)/${f}")
      endforeach()
      list(JOIN rel " " ${v})
    endforeach()
    file(RELATIVE_PATH lds ${_root} ${_mmamp_port_ldscript})
    # the one generator expression of a port: the sim's -no-pie (a gcc link option)
    string(REPLACE "$<$<C_COMPILER_ID:GNU>:-no-pie>" "-no-pie" ldflags "${_mmamp_port_ldflags}")
    list(JOIN ldflags " " ldflags)
    list(JOIN _mmamp_port_cflags " " cflags)
    list(JOIN _mmamp_port_cpu " " cpu)
    if(_mmamp_port_libc_sources)
      string(APPEND cflags " -fno-tree-loop-distribute-patterns") # mem* of the port (gcc)
    endif()
    string(APPEND mk "\n# ${port} (ports/${port}/firmware.cmake)\n"
      "MMAMP_${p}_SRCS := $(MMAMP_CORE_SRCS) $(MMAMP_RUNTIME_SRCS) ${srcs}\n"
      "MMAMP_${p}_INCLUDES := $(MMAMP_INC) ${incs}\n"
      "MMAMP_${p}_CFLAGS := ${cpu} ${cflags} -DMMAMP_CONFIG_HOST_ROLE=0 "
      "-DMMAMP_FW_PORT_H='\"${_mmamp_port_header}\"' $(addprefix -I,$(MMAMP_${p}_INCLUDES))\n"
      "MMAMP_${p}_LDFLAGS := ${ldflags} -T$(MMAMP_SRC)/${lds} -Wl,--gc-sections "
      "-Wl,--build-id=none\n")
  endforeach()
  file(WRITE ${file} "${mk}")
endfunction()
