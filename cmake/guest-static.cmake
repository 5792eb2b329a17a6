# mmamp_guest_static(TARGET): TARGET becomes a static executable (or a library for one) for a
# Linux guest's user space (the User-Mode Linux of docs/linux-host.md runs host-arch binaries,
# but its root has no C library). The sanitizers of an ASan/TSan build are taken off it: they cannot link statically,
# and the guest tools are exercised by the `linux` tests, not by the sanitizer runs.
function(mmamp_guest_static target)
  foreach(prop COMPILE_OPTIONS LINK_OPTIONS)
    get_target_property(_opts ${target} ${prop})
    if(_opts)
      list(FILTER _opts EXCLUDE REGEX "^-f(no-)?sanitize")
      set_target_properties(${target} PROPERTIES ${prop} "${_opts}")
    endif()
  endforeach()
  get_target_property(_type ${target} TYPE)
  if(_type STREQUAL "EXECUTABLE")
    target_link_options(${target} PRIVATE -static)
  endif()
endfunction()
