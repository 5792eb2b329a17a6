# install.cmake — what `cmake --install` puts under the prefix for other projects: the core and
# host libraries, the public headers (with the generated mmamp/version.h), the CMake package
# (find_package(mmamp): mmamp::core, mmamp::host) and mmamp-host.pc for pkg-config.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS mmamp_core mmamp_host mmamp_remote mmamp_simcore_launch mmamp_libfdt EXPORT mmampTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/mmamp ${PROJECT_BINARY_DIR}/include/mmamp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(EXPORT mmampTargets NAMESPACE mmamp:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mmamp)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/mmampConfig.cmake.in
  ${PROJECT_BINARY_DIR}/mmampConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mmamp)
# ARCH_INDEPENDENT: a firmware's cross build (32-bit) takes the package too; the host libraries'
# pointer size is checked in mmampConfig.cmake for the builds that use them.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mmampConfigVersion.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/mmampConfig.cmake ${PROJECT_BINARY_DIR}/mmampConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mmamp)

# pkg-config: libfdt as Debian 12 ships it has no .pc file, so its library goes in by path
if(MMAMP_LIBFDT_LIBRARY)
  set(MMAMP_PC_FDT ${MMAMP_LIBFDT_LIBRARY})
else()
  set(MMAMP_PC_FDT -lfdt)
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/mmamp-host.pc.in ${PROJECT_BINARY_DIR}/mmamp-host.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/mmamp-host.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The firmware side (docs/using-mmamp.md): mmamp_add_firmware() with the cross toolchain file,
# the sources it compiles for a firmware (share/mmamp/src: the core, the runtime, the ports'
# firmware halves, firmware/common) and the same list for a Make/IDE build.
install(FILES ${PROJECT_SOURCE_DIR}/cmake/mmampFirmware.cmake
              ${PROJECT_SOURCE_DIR}/cmake/arm-none-eabi.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mmamp)
set(_fw_src ${CMAKE_INSTALL_DATADIR}/mmamp/src)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/core ${PROJECT_SOURCE_DIR}/src/remote
        DESTINATION ${_fw_src}/src FILES_MATCHING PATTERN "*.c" PATTERN "*.h") # (private headers too)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/ports/ DESTINATION ${_fw_src}/ports
        FILES_MATCHING PATTERN "*.c" PATTERN "*.h" PATTERN "*.S" PATTERN "*.ld"
                       PATTERN "firmware*.cmake"
                       PATTERN "simcore*" EXCLUDE PATTERN "mu_host.h" EXCLUDE
                       PATTERN "bootrom" EXCLUDE)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/firmware/common DESTINATION ${_fw_src}/firmware
        FILES_MATCHING PATTERN "*.h")
mmamp_firmware_sources_mk(${PROJECT_BINARY_DIR}/firmware-sources.mk)
install(FILES ${PROJECT_BINARY_DIR}/firmware-sources.mk DESTINATION ${CMAKE_INSTALL_DATADIR}/mmamp)

# The tools and what they run (docs/using-mmamp.md): platform descriptions, firmware, the
# simulated-core launcher. The tools find them from where they run (tools/common/tool_paths.h:
# <prefix>/bin beside <prefix>/share/mmamp), so the prefix may move.
set(_libexec ${CMAKE_INSTALL_LIBEXECDIR}/mmamp)
set(_data ${CMAKE_INSTALL_DATADIR}/mmamp)
if(MMAMP_BUILD_TOOLS OR MMAMP_BUILD_FIRMWARE)
  install(DIRECTORY ${MMAMP_PLATFORM_DIR}/ DESTINATION ${_data}/platforms
          FILES_MATCHING PATTERN "*.dtb" PATTERN "CMakeFiles" EXCLUDE)
endif()
if(MMAMP_BUILD_FIRMWARE)
  install(TARGETS mmamp-simcore RUNTIME DESTINATION ${_libexec})
  get_property(_sim_fw GLOBAL PROPERTY MMAMP_FIRMWARE_TARGETS_sim)
  install(TARGETS ${_sim_fw} RUNTIME DESTINATION ${_data}/firmware/sim)
  if(MMAMP_HAVE_M4) # the cross build's (ports/qemu-mps2/host.cmake)
    install(DIRECTORY ${CMAKE_BINARY_DIR}/m4/ports/qemu-mps2/ DESTINATION ${_data}/firmware/qemu-mps2
            FILES_MATCHING PATTERN "*.elf" PATTERN "CMakeFiles" EXCLUDE)
    install(DIRECTORY ${CMAKE_BINARY_DIR}/m4/ports/imx8qx-m4/ DESTINATION ${_data}/firmware/imx8qx-m4
            FILES_MATCHING PATTERN "*.elf" PATTERN "*.bin" PATTERN "CMakeFiles" EXCLUDE)
  endif()
endif()
if(MMAMP_BUILD_TOOLS)
  install(TARGETS mmampd mmamp measureman mmamp-soc mmamp-imx-rproc-check
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
