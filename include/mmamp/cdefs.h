/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mmamp/cdefs.h — what lets every public header be read by a C and a C++ compiler alike: C
 * linkage for the declarations, and a static assertion both languages spell the same way.
 */
#ifndef MMAMP_CDEFS_H
#define MMAMP_CDEFS_H

#ifdef __cplusplus
#define MMAMP_BEGIN_DECLS extern "C" {
#define MMAMP_END_DECLS }
#define MMAMP_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define MMAMP_BEGIN_DECLS
#define MMAMP_END_DECLS
#define MMAMP_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#endif /* MMAMP_CDEFS_H */
