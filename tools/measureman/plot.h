/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * plot.h — pictures of a run for a person: per section one SVG with the latency histogram
 * (log-scaled counts over log-scaled latency) and the CDF with the p50/p99/p99.9 marks;
 * a PNG beside each through rsvg-convert when it is installed.
 */
#ifndef MEASUREMAN_PLOT_H
#define MEASUREMAN_PLOT_H

#include <stdio.h>

#include "measure.h"

/**
 * mm_plot_write() - write <dir>/<prefix><section>.svg (and .png) for every section with
 * samples. Returns how many SVGs were written, or a negative errno (the directory).
 */
int mm_plot_write(const struct mm_run *run, const char *dir, const char *prefix,
		  const char *title);

/** mm_plot_svg() - one section's SVG to @f (the part the tests check). */
void mm_plot_svg(FILE *f, const struct mm_stats *st, const char *title);

#endif /* MEASUREMAN_PLOT_H */
