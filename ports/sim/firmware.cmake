# ports/sim/firmware.cmake — this port as mmamp_add_firmware() (cmake/mmampFirmware.cmake) takes
# it: the simulated M4, a static, freestanding, non-PIE x86-64 ELF that mmamp-simcore runs —
# .text/.rodata in the code TCM (0x1FFE0000), .resource_table/.data/.bss/stack in the data TCM
# (0x20000000), p_paddr == p_vaddr (firmware.ld). Built by the host compiler, without sanitizers.
set(_mmamp_port_cross OFF)
set(_mmamp_port_header port_sim_extra.h)
# system calls as the board, reset handler, mem*, and the MU side B doorbell binding
set(_mmamp_port_sources ${_mmamp_port_dir}/port_sim.c ${_mmamp_port_dir}/startup.c
    ${_mmamp_port_dir}/libc_min.c ${_mmamp_port_dir}/port_sim_extra.c)
set(_mmamp_port_libc_sources ${_mmamp_port_dir}/libc_min.c)
set(_mmamp_port_cpu) # (-O2 is in the flags above)
set(_mmamp_port_includes ${_mmamp_port_dir})
set(_mmamp_port_cflags -ffreestanding -fno-pie -fno-stack-protector -mno-red-zone
    -fcf-protection=none -O2 -mgeneral-regs-only -fno-asynchronous-unwind-tables
    -fno-unwind-tables -ffunction-sections -fdata-sections)
set(_mmamp_port_no_pic ON)
set(_mmamp_port_ldflags -nostdlib -static $<$<C_COMPILER_ID:GNU>:-no-pie>
    -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack)
set(_mmamp_port_ldscript ${_mmamp_port_dir}/firmware.ld)
set(_mmamp_port_suffix "")
