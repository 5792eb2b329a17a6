/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_mm_format.c — MeasureMan's outputs against the layouts they promise: cyclictest's
 * "# Histogram" block (byte for byte), rt-tests' JSON top-level fields, the Table 1 rows with
 * the paper's figures, the SVG and the Perfetto trace.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "measure.h"
#include "plot.h"
#include "report.h"
#include "trace.h"

static struct mm_run run;

/* Three stamped messages; the second one's round trip is 5 µs: over the 5-bin histogram. */
static void fill(void)
{
	static const struct mm_sample m[3] = {
		{ 0, 1000, 1500, 3500, 4000, 4700, 5100, false },
		{ 1, 10000, 10600, 12000, 12900, 14000, 15000, false },
		{ 2, 20000, 20400, 22200, 23100, 23800, 24200, false },
	};
	struct mm_params p = { .loops = 3, .len = 496, .hist_us = 5, .slowest = 3 };

	assert_int_equal(mm_run_init(&run, &p), 0);
	for (int i = 0; i < 3; i++)
		mm_record(&run, &m[i]);
}

static char *capture(void (*fn)(FILE *, const void *), const void *arg)
{
	static char *buf;
	static size_t len;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, arg);
	fclose(f);
	return buf;
}

static void hist_fn(FILE *f, const void *r)
{
	mm_print_histogram(f, r);
}

/*
 * cyclictest's block: "# Histogram", rows "%06d " + one "%06lu" per column separated by tabs
 * (empty rows left out), then "# Total:" (%09llu, samples inside the histogram), "# Min/Avg/Max
 * Latencies:" and "# Histogram Overflows:" (%05lu each), the overflow cycle numbers per
 * "thread", and an empty line. Columns here: the six sections in Table 1 order.
 */
static void histogram_block_is_cyclictests(void **state)
{
	static const char want[] =
		"# Histogram\n"
		"000000 000003\t000002\t000000\t000002\t000003\t000000\n"
		"000001 000000\t000001\t000002\t000001\t000000\t000000\n"
		"000002 000000\t000000\t000001\t000000\t000000\t000000\n"
		"000004 000000\t000000\t000000\t000000\t000000\t000002\n"
		"# Total: 000000003 000000003 000000003 000000003 000000003 000000002\n"
		"# Min Latencies: 00000 00000 00001 00000 00000 00004\n"
		"# Avg Latencies: 00000 00000 00001 00000 00000 00004\n"
		"# Max Latencies: 00000 00001 00002 00001 00000 00005\n"
		"# Histogram Overflows: 00000 00000 00000 00000 00000 00001\n"
		"# Histogram Overflow at cycle number:\n"
		"# Thread 0:\n"
		"# Thread 1:\n"
		"# Thread 2:\n"
		"# Thread 3:\n"
		"# Thread 4:\n"
		"# Thread 5: 00001\n"
		"\n";
	char *got;

	(void)state;
	fill();
	got = capture(hist_fn, &run);
	assert_string_equal(got, want);
	free(got);
	mm_run_free(&run);
}

static void json_fn(FILE *f, const void *rep)
{
	mm_write_json(f, rep);
}

static void json_has_rt_tests_fields(void **state)
{
	struct mm_report rep = { .cmdline = "measureman -l 3", .platform = "sim", .link = "test",
				 .len = 496, .run = &run, .run_label = "none",
				 .start_wall = 0, .end_wall = 1 };
	static const char *const keys[] = {
		"\"file_version\": 1", "\"cmdline\": \"measureman -l 3\"", "\"rt_test_version\"",
		"\"start_time\"", "\"end_time\"", "\"return_code\": 0", "\"sysinfo\"",
		"\"sysname\"", "\"release\"", "\"machine\"", "\"realtime\"", "\"num_threads\": 6",
		"\"thread\"", "\"histogram\": {\"4\": 2}", "\"cycles\": 3", "\"name\": \"round trip\"",
		"\"p99.9_ns\"", "\"paper_table1\"", "\"tty_read\": {\"max_us\": 55291",
	};
	char *got;
	int depth = 0;

	(void)state;
	fill();
	got = capture(json_fn, &rep);
	assert_true(!strncmp(got, "{\n  \"file_version\": 1,", 22));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strstr(got, keys[i]))
			fail_msg("JSON lacks %s:\n%s", keys[i], got);
	for (const char *p = got; *p; p++) {
		depth += *p == '{' || *p == '[';
		depth -= *p == '}' || *p == ']';
		assert_true(depth >= 0);
	}
	assert_int_equal(depth, 0);
	free(got);
	mm_run_free(&run);
}

static void table_fn(FILE *f, const void *rep)
{
	mm_print_table1(f, rep);
}

static void table1_rows_carry_the_papers_figures(void **state)
{
	struct mm_report rep = { .platform = "sim", .link = "test", .len = 496, .run = &run,
				 .run_label = "none" };
	char *got;

	(void)state;
	fill();
	got = capture(table_fn, &rep);
	assert_non_null(strstr(got, "Max. [us]"));
	assert_non_null(strstr(got, "99.9 % quantile [us]"));
	assert_non_null(strstr(got, "(55291)"));  /* TTY-read max */
	assert_non_null(strstr(got, "(190)"));    /* processing min */
	assert_non_null(strstr(got, "remote processing"));
	assert_true(mm_paper_value(2, MM_IPI_HOST) == 5);
	assert_true(mm_paper_value(0, MM_ROUND_TRIP) < 0);
	free(got);
	mm_run_free(&run);
}

static void svg_fn(FILE *f, const void *st)
{
	mm_plot_svg(f, st, "round trip");
}

static void trace_fn(FILE *f, const void *r)
{
	mm_trace_write(f, r);
}

static void svg_and_trace_are_complete(void **state)
{
	char *svg, *trace, *first;

	(void)state;
	fill();
	svg = capture(svg_fn, &run.sec[MM_ROUND_TRIP]);
	assert_true(!strncmp(svg, "<?xml", 5));
	assert_non_null(strstr(svg, "<svg"));
	assert_non_null(strstr(svg, "<polyline"));
	assert_non_null(strstr(svg, "p99.9"));
	assert_non_null(strstr(svg, "</svg>\n"));
	trace = capture(trace_fn, &run);
	assert_non_null(strstr(trace, "\"traceEvents\""));
	assert_non_null(strstr(trace, "\"ph\": \"s\""));
	assert_non_null(strstr(trace, "\"ph\": \"f\""));
	assert_non_null(strstr(trace, "\"name\": \"remote processing\""));
	/* slowest first: message 1 (5 µs) comes before message 2 */
	first = strstr(trace, "\"seq\": ");
	assert_non_null(first);
	assert_true(!strncmp(first, "\"seq\": 1}", 9));
	free(svg);
	free(trace);
	mm_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(histogram_block_is_cyclictests),
		cmocka_unit_test(json_has_rt_tests_fields),
		cmocka_unit_test(table1_rows_carry_the_papers_figures),
		cmocka_unit_test(svg_and_trace_are_complete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
