/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * report.h — MeasureMan's text outputs: the paper's Table 1 layout (rows Max/Min/Mean/Std/
 * 99.9 %, columns the sections, the paper's i.MX8X figures beside ours), the RT comparison side
 * by side, baselines with ratios, cyclictest's "# Histogram" block and rt-tests-style JSON.
 */
#ifndef MEASUREMAN_REPORT_H
#define MEASUREMAN_REPORT_H

#include <stdio.h>

#include "measure.h"

#define MM_MAX_BASELINES 3

struct mm_baseline_result {
	const char *name;      /* "futex ping-pong", … */
	const char *key;       /* "futex", … */
	struct mm_stats st;
	int error;             /* negative errno: not measured */
};

/** struct mm_report - everything one invocation measured, for the writers below. */
struct mm_report {
	const char *cmdline;
	const char *platform;    /* "sim", "qemu", "board" */
	const char *link;        /* the link's name */
	size_t len;
	struct mm_run *run;      /* the (first / non-RT) run */
	const char *run_label;   /* "non-RT" with --rt-compare, else the settings used */
	struct mm_run *rt;       /* the RT run of --rt-compare, or NULL */
	const char *rt_label;
	struct mm_baseline_result *base;
	size_t nbase;
	uint64_t start_wall, end_wall; /* time(2) */
	int return_code;
};

/** mm_paper_value() - the paper's Table 1 figure (µs) for @row (0..4) and @s, or -1. */
double mm_paper_value(int row, enum mm_section s);

void mm_print_table1(FILE *f, const struct mm_report *rep);
void mm_print_rt_compare(FILE *f, const struct mm_report *rep);
void mm_print_baselines(FILE *f, const struct mm_report *rep);

/** mm_print_histogram() - cyclictest's "# Histogram" block, one column per section. */
void mm_print_histogram(FILE *f, const struct mm_run *run);

/** mm_write_json() - rt-tests' top-level fields, per-section "thread" entries, our details. */
void mm_write_json(FILE *f, const struct mm_report *rep);

#endif /* MEASUREMAN_REPORT_H */
