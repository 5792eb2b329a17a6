/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * trace.h — the slowest messages of a run as a Chrome/Perfetto JSON trace (open it in
 * ui.perfetto.dev or chrome://tracing): the host ("A35") and remote ("M4") cores as two
 * processes, each message's sections as slices on them, and one flow per message that
 * follows it from the application's write through the remote and back.
 */
#ifndef MEASUREMAN_TRACE_H
#define MEASUREMAN_TRACE_H

#include <stdio.h>

#include "measure.h"

/** mm_trace_write() - the run's kept slowest messages, slowest first. */
void mm_trace_write(FILE *f, const struct mm_run *run);

#endif /* MEASUREMAN_TRACE_H */
