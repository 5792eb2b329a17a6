/* SPDX-License-Identifier: BSD-3-Clause */
/* report.c — Table 1, RT comparison, baselines, cyclictest histogram block, JSON. */
#define _GNU_SOURCE
#include "report.h"

#include <stdint.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

/* The paper's Table 1 (i.MX8X, PREEMPT_RT, 496 bytes, 4,000,000 samples), µs. */
static const double paper[5][5] = {
	/*          TTY-write TTY-read IPI->M4 IPI->A35 processing */
	/* Max  */ { 628, 55291, 809, 581, 365 },
	/* Min  */ { 10, 4, 3, 4, 190 },
	/* Mean */ { 15, 278, 4, 5, 198 },
	/* Std  */ { 5, 108, 1, 2, 1 },
	/* 99.9 */ { 50, 942, 4, 11, 200 },
};
static const char *const row_name[5] = { "Max. [us]", "Min. [us]", "Arith. mean [us]",
					 "Standard deviation [us]", "99.9 % quantile [us]" };

double mm_paper_value(int row, enum mm_section s)
{
	if (row < 0 || row > 4 || (unsigned)s >= MM_ROUND_TRIP)
		return -1;
	return paper[row][s];
}

static double row_value(const struct mm_stats *st, int row)
{
	switch (row) {
	case 0:  return (double)st->max / 1e3;
	case 1:  return (double)st->min / 1e3;
	case 2:  return st->mean / 1e3;
	case 3:  return mm_stats_stddev(st) / 1e3;
	default: return (double)mm_stats_quantile(st, 0.999) / 1e3;
	}
}

static void cell(FILE *f, const struct mm_stats *st, int row, double ref)
{
	char ours[32] = "-", theirs[32] = "";

	if (st->count)
		snprintf(ours, sizeof(ours), "%.2f", row_value(st, row));
	if (ref >= 0)
		snprintf(theirs, sizeof(theirs), "(%.0f)", ref);
	fprintf(f, " %10s %-8s", ours, theirs);
}

static void header(FILE *f, const char *first)
{
	fprintf(f, "%-24s", first);
	for (int s = 0; s < MM_NSECTIONS; s++)
		fprintf(f, " %-19s", mm_section_name((enum mm_section)s));
	fputc('\n', f);
}

static void table(FILE *f, const struct mm_run *run, bool with_paper)
{
	static const double qs[3] = { 0.5, 0.99, 0.9999 };
	static const char *const qn[3] = { "Median [us]", "99 % quantile [us]",
					   "99.99 % quantile [us]" };

	header(f, "");
	for (int row = 0; row < 5; row++) {
		fprintf(f, "%-24s", row_name[row]);
		for (int s = 0; s < MM_NSECTIONS; s++)
			cell(f, &run->sec[s], row,
			     with_paper ? mm_paper_value(row, (enum mm_section)s) : -1);
		fputc('\n', f);
	}
	for (int q = 0; q < 3; q++) {
		fprintf(f, "%-24s", qn[q]);
		for (int s = 0; s < MM_NSECTIONS; s++) {
			const struct mm_stats *st = &run->sec[s];

			if (st->count)
				fprintf(f, " %10.2f %-8s", (double)mm_stats_quantile(st, qs[q]) / 1e3, "");
			else
				fprintf(f, " %10s %-8s", "-", "");
		}
		fputc('\n', f);
	}
	fprintf(f, "%-24s", "Samples");
	for (int s = 0; s < MM_NSECTIONS; s++)
		fprintf(f, " %10llu %-8s", (unsigned long long)run->sec[s].count, "");
	fputc('\n', f);
}

void mm_print_table1(FILE *f, const struct mm_report *rep)
{
	const struct mm_run *run = rep->rt ? rep->rt : rep->run;

	fprintf(f, "MeasureMan: %zu-byte payload, %llu messages verified byte for byte, platform %s\n",
		rep->len, (unsigned long long)run->messages, rep->platform);
	fprintf(f, "  link: %s; settings: %s\n", rep->link,
		rep->rt ? rep->rt_label : rep->run_label);
	fprintf(f, "  ours [us] (in parentheses: the paper's Table 1, i.MX8X A35+M4, PREEMPT_RT, "
		"4,000,000 samples)\n");
	table(f, run, true);
	if (run->unattributed)
		fprintf(f, "  %llu messages left out of a section (stale doorbell time)\n",
			(unsigned long long)run->unattributed);
}

void mm_print_rt_compare(FILE *f, const struct mm_report *rep)
{
	if (!rep->rt)
		return;
	fprintf(f, "\nRT comparison (like the paper's RT-patch comparison), [us]:\n");
	fprintf(f, "  without RT settings: %s\n", rep->run_label);
	table(f, rep->run, false);
	fprintf(f, "  with RT settings: %s\n", rep->rt_label);
	table(f, rep->rt, false);
	fprintf(f, "%-24s", "max ratio non-RT / RT");
	for (int s = 0; s < MM_NSECTIONS; s++) {
		const struct mm_stats *a = &rep->run->sec[s], *b = &rep->rt->sec[s];

		if (a->count && b->count && b->max)
			fprintf(f, " %10.2f %-8s", (double)a->max / (double)b->max, "");
		else
			fprintf(f, " %10s %-8s", "-", "");
	}
	fputc('\n', f);
}

void mm_print_baselines(FILE *f, const struct mm_report *rep)
{
	const struct mm_run *run = rep->rt ? rep->rt : rep->run;
	const struct mm_stats *rt = &run->sec[MM_ROUND_TRIP];

	if (!rep->nbase)
		return;
	fprintf(f, "\nBaselines, same run, same payload (%zu bytes), round trip [us]:\n", rep->len);
	fprintf(f, "%-30s %10s %10s %10s %10s %12s\n", "case", "median", "p99", "p99.9", "max",
		"mmamp/this");
	fprintf(f, "%-30s %10.2f %10.2f %10.2f %10.2f %12s\n", "mmamp (this run)",
		(double)mm_stats_quantile(rt, 0.5) / 1e3, (double)mm_stats_quantile(rt, 0.99) / 1e3,
		(double)mm_stats_quantile(rt, 0.999) / 1e3, (double)rt->max / 1e3, "1.00");
	for (size_t i = 0; i < rep->nbase; i++) {
		const struct mm_stats *b = &rep->base[i].st;
		uint64_t bm = mm_stats_quantile(b, 0.5);

		if (rep->base[i].error || !b->count) {
			fprintf(f, "%-30s not measured: %s\n", rep->base[i].name,
				strerror(-rep->base[i].error));
			continue;
		}
		fprintf(f, "%-30s %10.2f %10.2f %10.2f %10.2f %12.2f\n", rep->base[i].name,
			(double)bm / 1e3, (double)mm_stats_quantile(b, 0.99) / 1e3,
			(double)mm_stats_quantile(b, 0.999) / 1e3, (double)b->max / 1e3,
			bm ? (double)mm_stats_quantile(rt, 0.5) / (double)bm : 0.0);
	}
}

/* ---- cyclictest's histogram block: one column ("thread") per section ---- */

static unsigned long us_of(uint64_t ns)
{
	return (unsigned long)(ns / 1000u);
}

static void footer_line(FILE *f, const char *what, const struct mm_run *run, int kind)
{
	fprintf(f, "# %s:", what);
	for (int s = 0; s < MM_NSECTIONS; s++) {
		const struct mm_stats *st = &run->sec[s];
		unsigned long v = kind == 0 ? (st->count ? us_of(st->min) : 0)
				: kind == 1 ? (unsigned long)(st->mean / 1e3)
				: kind == 2 ? us_of(st->max) : (unsigned long)st->us_overflows;

		fprintf(f, " %05lu", v);
	}
	fputc('\n', f);
}

void mm_print_histogram(FILE *f, const struct mm_run *run)
{
	uint32_t bins = run->sec[0].us_bins;

	fprintf(f, "# Histogram\n");
	for (uint32_t i = 0; i < bins; i++) {
		uint64_t any = 0;

		for (int s = 0; s < MM_NSECTIONS; s++)
			any |= run->sec[s].us[i];
		if (!any)
			continue;
		fprintf(f, "%06u ", i);
		for (int s = 0; s < MM_NSECTIONS; s++)
			fprintf(f, "%s%06llu", s ? "\t" : "", (unsigned long long)run->sec[s].us[i]);
		fputc('\n', f);
	}
	fprintf(f, "# Total:");
	for (int s = 0; s < MM_NSECTIONS; s++)
		fprintf(f, " %09llu",
			(unsigned long long)(run->sec[s].count - run->sec[s].us_overflows));
	fputc('\n', f);
	footer_line(f, "Min Latencies", run, 0);
	footer_line(f, "Avg Latencies", run, 1);
	footer_line(f, "Max Latencies", run, 2);
	footer_line(f, "Histogram Overflows", run, 3);
	fprintf(f, "# Histogram Overflow at cycle number:\n");
	for (int s = 0; s < MM_NSECTIONS; s++) {
		const struct mm_stats *st = &run->sec[s];
		uint64_t n = st->us_overflows < MM_STATS_MAX_OUTLIERS ? st->us_overflows
								       : MM_STATS_MAX_OUTLIERS;

		fprintf(f, "# Thread %d:", s);
		for (uint64_t i = 0; i < n; i++)
			fprintf(f, " %05llu", (unsigned long long)st->outlier[i]);
		if (n < st->us_overflows)
			fprintf(f, " # %05llu others", (unsigned long long)(st->us_overflows - n));
		fputc('\n', f);
	}
	fputc('\n', f);
}

/* ---- JSON ---- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_time(FILE *f, const char *key, uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];

	localtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%a, %d %b %Y %T %z", &tm);
	fprintf(f, "  \"%s\": \"%s\",\n", key, buf);
}

static void json_sysinfo(FILE *f)
{
	struct utsname u;
	FILE *rt = fopen("/sys/kernel/realtime", "r");
	int realtime = 0;

	if (rt) {
		realtime = fgetc(rt) == '1';
		fclose(rt);
	}
	uname(&u);
	fprintf(f, "  \"sysinfo\": {\n    \"sysname\": ");
	json_str(f, u.sysname);
	fprintf(f, ",\n    \"nodename\": ");
	json_str(f, u.nodename);
	fprintf(f, ",\n    \"release\": ");
	json_str(f, u.release);
	fprintf(f, ",\n    \"version\": ");
	json_str(f, u.version);
	fprintf(f, ",\n    \"machine\": ");
	json_str(f, u.machine);
	fprintf(f, ",\n    \"realtime\": %d\n  },\n", realtime);
}

static void json_stats(FILE *f, const struct mm_stats *st, const char *indent)
{
	fprintf(f, "{\"count\": %llu, \"min_ns\": %llu, \"max_ns\": %llu, \"mean_ns\": %.1f, "
		"\"stddev_ns\": %.1f,\n%s \"p50_ns\": %llu, \"p99_ns\": %llu, \"p99.9_ns\": %llu, "
		"\"p99.99_ns\": %llu, \"overflows\": %llu}",
		(unsigned long long)st->count, (unsigned long long)(st->count ? st->min : 0),
		(unsigned long long)st->max, st->mean, mm_stats_stddev(st), indent,
		(unsigned long long)mm_stats_quantile(st, 0.5),
		(unsigned long long)mm_stats_quantile(st, 0.99),
		(unsigned long long)mm_stats_quantile(st, 0.999),
		(unsigned long long)mm_stats_quantile(st, 0.9999),
		(unsigned long long)(st->overflows + st->us_overflows));
}

/* cyclictest's per-thread entries: histogram (µs → count), cycles, min, max, avg in µs. */
static void json_threads(FILE *f, const struct mm_run *run)
{
	fprintf(f, "  \"num_threads\": %d,\n  \"resolution_in_ns\": 1,\n  \"thread\": {\n",
		MM_NSECTIONS);
	for (int s = 0; s < MM_NSECTIONS; s++) {
		const struct mm_stats *st = &run->sec[s];
		bool first = true;

		fprintf(f, "    \"%d\": {\n      \"name\": \"%s\",\n      \"histogram\": {", s,
			mm_section_name((enum mm_section)s));
		for (uint32_t i = 0; i < st->us_bins; i++) {
			if (!st->us[i])
				continue;
			fprintf(f, "%s\"%u\": %llu", first ? "" : ", ", i,
				(unsigned long long)st->us[i]);
			first = false;
		}
		fprintf(f, "},\n      \"cycles\": %llu,\n      \"min\": %lu,\n      \"max\": %lu,\n"
			"      \"avg\": %.2f,\n      \"cpu\": -1,\n      \"node\": 0\n    }%s\n",
			(unsigned long long)st->count, st->count ? us_of(st->min) : 0, us_of(st->max),
			st->mean / 1e3, s + 1 < MM_NSECTIONS ? "," : "");
	}
	fprintf(f, "  },\n");
}

static void json_run(FILE *f, const char *key, const struct mm_run *run, const char *label)
{
	fprintf(f, "    \"%s\": {\n      \"settings\": ", key);
	json_str(f, label);
	fprintf(f, ",\n      \"messages\": %llu, \"unattributed\": %llu, \"mismatches\": %llu, "
		"\"breaktrace\": %s, \"duration_ns\": %llu,\n      \"sections\": {\n",
		(unsigned long long)run->messages, (unsigned long long)run->unattributed,
		(unsigned long long)run->mismatches, run->broke ? "true" : "false",
		(unsigned long long)(run->end_ns - run->start_ns));
	for (int s = 0; s < MM_NSECTIONS; s++) {
		fprintf(f, "        \"%s\": ", mm_section_key((enum mm_section)s));
		json_stats(f, &run->sec[s], "         ");
		fprintf(f, "%s\n", s + 1 < MM_NSECTIONS ? "," : "");
	}
	fprintf(f, "      }\n    }");
}

static void json_paper(FILE *f)
{
	static const char *const rk[5] = { "max_us", "min_us", "mean_us", "stddev_us", "p99.9_us" };

	fprintf(f, "    \"paper_table1\": {");
	for (int s = 0; s < MM_ROUND_TRIP; s++) {
		fprintf(f, "%s\n      \"%s\": {", s ? "," : "", mm_section_key((enum mm_section)s));
		for (int row = 0; row < 5; row++)
			fprintf(f, "%s\"%s\": %.0f", row ? ", " : "", rk[row], paper[row][s]);
		fputc('}', f);
	}
	fprintf(f, "\n    }");
}

static void json_baselines(FILE *f, const struct mm_report *rep)
{
	const struct mm_run *run = rep->rt ? rep->rt : rep->run;
	double ours = (double)mm_stats_quantile(&run->sec[MM_ROUND_TRIP], 0.5);

	fprintf(f, ",\n    \"baselines\": {");
	for (size_t i = 0; i < rep->nbase; i++) {
		const struct mm_stats *b = &rep->base[i].st;
		uint64_t bm = mm_stats_quantile(b, 0.5);

		fprintf(f, "%s\n      \"%s\": {\"round_trip\": ", i ? "," : "", rep->base[i].key);
		json_stats(f, b, "        ");
		fprintf(f, ", \"median_ratio_mmamp_to_this\": %.3f}", bm ? ours / (double)bm : 0.0);
	}
	fprintf(f, "\n    }");
}

void mm_write_json(FILE *f, const struct mm_report *rep)
{
	fprintf(f, "{\n  \"file_version\": 1,\n  \"cmdline\": ");
	json_str(f, rep->cmdline);
	fprintf(f, ",\n  \"rt_test_version\": \"measureman 0.1\",\n");
	json_time(f, "start_time", rep->start_wall);
	json_time(f, "end_time", rep->end_wall);
	fprintf(f, "  \"return_code\": %d,\n", rep->return_code);
	json_sysinfo(f);
	json_threads(f, rep->rt ? rep->rt : rep->run);
	fprintf(f, "  \"measureman\": {\n    \"platform\": ");
	json_str(f, rep->platform);
	fprintf(f, ",\n    \"link\": ");
	json_str(f, rep->link);
	fprintf(f, ",\n    \"payload_bytes\": %zu,\n", rep->len);
	json_run(f, rep->rt ? "non_rt" : "run", rep->run, rep->run_label);
	if (rep->rt) {
		fprintf(f, ",\n");
		json_run(f, "rt", rep->rt, rep->rt_label);
	}
	fprintf(f, ",\n");
	json_paper(f);
	if (rep->nbase)
		json_baselines(f, rep);
	fprintf(f, "\n  }\n}\n");
}
