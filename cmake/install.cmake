# install.cmake — what `cmake --install` puts under the prefix for other projects: the core and
# host libraries, the public headers (with the generated mmamp/version.h), the CMake package
# (find_package(mmamp): mmamp::core, mmamp::host) and mmamp-host.pc for pkg-config.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS mmamp_core mmamp_host mmamp_simcore_launch mmamp_libfdt EXPORT mmampTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/mmamp ${PROJECT_BINARY_DIR}/include/mmamp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(EXPORT mmampTargets NAMESPACE mmamp:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mmamp)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/mmampConfig.cmake.in
  ${PROJECT_BINARY_DIR}/mmampConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mmamp)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mmampConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
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
