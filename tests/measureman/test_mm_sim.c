/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_mm_sim.c — a short real MeasureMan run on the simulated M4 (fw_measure, in-process host
 * library, interrupt mode): every section has samples and positive, ordered statistics
 * (min ≤ p50 ≤ p99.9 ≤ max), payloads came back byte-exact, and the sections add up to the
 * measured round trip.
 */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "link_inproc.h"
#include "measure.h"

#define LOOPS 3000u

static struct mm_run run;

static void short_run_on_sim(void **state)
{
	struct mm_inproc_config cfg = {
		.platform = MMAMP_PLATFORM_DIR "/imx8qxp-sim.dtb",
		.firmware_dir = MMAMP_FIRMWARE_DIR,
		.simcore = MMAMP_SIMCORE,
		.core = "m4_0",
		.firmware = "fw_measure",
		.channel = "rpmsg-raw",
		.remote_cpu = -1,
	};
	struct mm_params p = { .loops = LOOPS, .len = 496, .hist_us = 1000, .slowest = 50,
			       .warmup = 50 };
	struct mm_link l = { 0 };
	char err[512] = "";
	double sum = 0, rt;

	(void)state;
	if (mm_inproc_open(&l, &cfg, err, sizeof(err)))
		fail_msg("open: %s", err);
	assert_int_equal(mm_run_init(&run, &p), 0);
	if (mm_measure(&l, &p, &run, NULL, err, sizeof(err)))
		fail_msg("measure: %s", err);
	mm_inproc_close(&l);

	assert_int_equal(run.messages, LOOPS);
	assert_int_equal(run.mismatches, 0);
	/* a message is left out of a section only when its doorbell was coalesced or stale */
	assert_true(run.unattributed * 20 < LOOPS);
	for (int s = 0; s < MM_NSECTIONS; s++) {
		const struct mm_stats *st = &run.sec[s];
		uint64_t p50 = mm_stats_quantile(st, 0.5), p999 = mm_stats_quantile(st, 0.999);

		print_message("%-18s n=%llu min=%llu p50=%llu p99.9=%llu max=%llu ns\n",
			      mm_section_name((enum mm_section)s), (unsigned long long)st->count,
			      (unsigned long long)st->min, (unsigned long long)p50,
			      (unsigned long long)p999, (unsigned long long)st->max);
		assert_true(st->count * 10 >= LOOPS * 9);
		assert_true(st->mean > 0 && st->max > 0);
		assert_true(st->min <= p50 && p50 <= p999 && p999 <= st->max);
		if (s != MM_ROUND_TRIP)
			sum += st->mean;
	}
	/* every remote point lies between the host's: the sections tile the round trip */
	rt = run.sec[MM_ROUND_TRIP].mean;
	print_message("sum of section means %.0f ns, round-trip mean %.0f ns\n", sum, rt);
	assert_true(fabs(sum - rt) <= 0.15 * rt);
	for (size_t i = 0; i < run.nslowest; i++) {
		const struct mm_sample *m = &run.slowest[i];
		int64_t parts = 0;
		int known = 0;

		for (int s = 0; s < MM_ROUND_TRIP; s++) {
			int64_t v = mm_sample_section(m, (enum mm_section)s);

			known += v >= 0;
			parts += v >= 0 ? v : 0;
		}
		if (known == MM_ROUND_TRIP)
			assert_int_equal(parts, mm_sample_section(m, MM_ROUND_TRIP));
	}
	mm_run_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(short_run_on_sim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
