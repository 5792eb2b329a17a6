/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/port.h — the whole environment surface the portable core needs: memory ordering
 * against the *other core* and shared-memory accessors. Nothing else (no OS, no allocator).
 *
 * The peer is a different CPU that is not necessarily in our coherency domain, so every ordering
 * point in the ring protocol is a real barrier (Linux creates remoteproc vrings with
 * weak_barriers = false for the same reason):
 *
 *   MMAMP_RMB()  reads before the barrier complete before reads after it
 *                (after reading a producer index, before reading what it covers)
 *   MMAMP_WMB()  writes before complete before writes after
 *                (after filling a buffer/ring slot, before publishing the index)
 *   MMAMP_MB()   full barrier, including store→load
 *                (after publishing an index, before reading the peer's suppression flag)
 *
 * Defaults:
 *   - Cortex-M (ARMv7-M/ARMv8-M): DMB. M-profile has one DMB domain; it orders accesses to the
 *     shared RAM as seen by every bus master, which is what an A-core peer needs. Map the shared
 *     region non-cacheable (or add cache maintenance in MMAMP_CACHE_*; empty by default).
 *   - Host (sim and tests): C11 fences. Both "cores" are processes/threads on one coherent SMP
 *     machine, where a fence is exactly the required ordering.
 * A port may predefine any macro before including this file (e.g. `dmb osh` for an A-core).
 *
 * Shared fields are accessed through MMAMP_SHM_READ/WRITE so that each read of a value the peer
 * controls happens exactly once, into a local (no time-of-check/time-of-use window), and the
 * compiler can neither tear, repeat nor elide it. They are relaxed atomics: the barriers above
 * provide the ordering, and thread sanitizer understands the accesses.
 */
#ifndef MMAMP_PORT_H
#define MMAMP_PORT_H

#include "mmamp/cdefs.h"

MMAMP_BEGIN_DECLS

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "mmamp: shared structures are little-endian and accessed natively; big-endian cores are not supported"
#endif

#if defined(__arm__) && (defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__) || \
                         defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8M_BASE__))
#define MMAMP_PORT_CORTEX_M 1
#endif

#ifndef MMAMP_MB
#ifdef MMAMP_PORT_CORTEX_M
#define MMAMP_MB()  __asm__ volatile("dmb" ::: "memory")
#define MMAMP_RMB() __asm__ volatile("dmb" ::: "memory")
#define MMAMP_WMB() __asm__ volatile("dmb" ::: "memory")
#else
#define MMAMP_MB()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define MMAMP_RMB() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define MMAMP_WMB() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#endif

/* Single, untorn access to a naturally aligned shared field (u8/u16/u32/u64 on 64-bit hosts). */
#ifndef MMAMP_SHM_READ
#define MMAMP_SHM_READ(lvalue)      __atomic_load_n(&(lvalue), __ATOMIC_RELAXED)
#define MMAMP_SHM_WRITE(lvalue, v)  __atomic_store_n(&(lvalue), (v), __ATOMIC_RELAXED)
#endif

/*
 * Index publication and consumption: the producer's "everything before this is written" and the
 * consumer's "nothing after this is read early".
 *   MMAMP_SHM_PUBLISH(idx, v)  = MMAMP_WMB(); write idx      (release)
 *   MMAMP_SHM_ACQUIRE(idx)     = read idx; MMAMP_RMB()       (acquire)
 * On Cortex-M that is literally a DMB beside the access. On the host it is a release store /
 * acquire load, which is the same ordering and is what thread sanitizer understands (it does
 * not model stand-alone fences).
 */
#ifndef MMAMP_SHM_PUBLISH
#ifdef MMAMP_PORT_CORTEX_M
#define MMAMP_SHM_PUBLISH(lvalue, v) do { MMAMP_WMB(); MMAMP_SHM_WRITE(lvalue, v); } while (0)
#define MMAMP_SHM_ACQUIRE(lvalue) \
	({ __typeof__(lvalue) mmamp_v_ = MMAMP_SHM_READ(lvalue); MMAMP_RMB(); mmamp_v_; })
#else
#define MMAMP_SHM_PUBLISH(lvalue, v) __atomic_store_n(&(lvalue), (v), __ATOMIC_RELEASE)
#define MMAMP_SHM_ACQUIRE(lvalue)    __atomic_load_n(&(lvalue), __ATOMIC_ACQUIRE)
#endif
#endif

/* Cache maintenance for cacheable shared memory; no-ops for the (recommended) uncached mapping. */
#ifndef MMAMP_CACHE_FLUSH
#define MMAMP_CACHE_FLUSH(ptr, len)      ((void)(ptr), (void)(len))
#define MMAMP_CACHE_INVALIDATE(ptr, len) ((void)(ptr), (void)(len))
#endif

/*
 * The payload copy of the copy-send API (mmamp_rpmsg_sendto() and friends): memcpy on the host.
 * On Cortex-M it is the function mmamp_port_copy(), which the core defines weak as memcpy and
 * a port may replace by linking its own (ports/qemu-mps2/copy.S: 32-byte LDM/STM blocks). It
 * must copy exactly @n bytes into [@dst, @dst + @n) — also when a hostile host made the two
 * buffers overlap (the result is then its own garbage, but nothing outside is touched).
 */
#ifdef MMAMP_PORT_CORTEX_M
void *mmamp_port_copy(void *dst, const void *src, __SIZE_TYPE__ n);
#define MMAMP_PAYLOAD_COPY mmamp_port_copy
#else
#define MMAMP_PAYLOAD_COPY memcpy
#endif

MMAMP_END_DECLS

#endif /* MMAMP_PORT_H */
