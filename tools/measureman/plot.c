/* SPDX-License-Identifier: BSD-3-Clause */
/* plot.c — SVG histogram (log count) and CDF per section; PNG through rsvg-convert. */
#define _GNU_SOURCE
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define W      960
#define H      360
#define PW     400   /* one panel's plot area */
#define PH     260
#define LEFT1  70
#define LEFT2  550
#define TOP    50

struct axis {
	double lo, hi; /* log10 of ns */
};

static double xpos(const struct axis *a, int left, double ns)
{
	double v = log10(ns < 1 ? 1 : ns);

	return left + (v - a->lo) / (a->hi - a->lo) * PW;
}

static void frame(FILE *f, int left, const struct axis *a, const char *ylabel)
{
	fprintf(f, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#444'/>\n", left,
		TOP, PW, PH);
	for (int d = (int)floor(a->lo); d <= (int)ceil(a->hi); d++) {
		double x = xpos(a, left, pow(10, d));
		static const char *const unit[] = { "1 ns", "10 ns", "100 ns", "1 us", "10 us",
						    "100 us", "1 ms", "10 ms", "100 ms", "1 s" };

		if (x < left - 0.5 || x > left + PW + 0.5 || d < 0 || d > 9)
			continue;
		fprintf(f, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#ddd'/>\n", x, TOP, x,
			TOP + PH);
		fprintf(f, "<text x='%.1f' y='%d' font-size='11' text-anchor='middle'>%s</text>\n",
			x, TOP + PH + 15, unit[d]);
	}
	fprintf(f, "<text x='%d' y='%d' font-size='12' text-anchor='middle'>latency (log)</text>\n",
		left + PW / 2, TOP + PH + 32);
	fprintf(f, "<text x='%d' y='%d' font-size='12' transform='rotate(-90 %d %d)' "
		"text-anchor='middle'>%s</text>\n", left - 45, TOP + PH / 2, left - 45, TOP + PH / 2,
		ylabel);
}

static void histogram(FILE *f, const struct mm_stats *st, const struct axis *a)
{
	uint64_t top = 1;

	for (unsigned b = 0; b < MM_STATS_BUCKETS; b++)
		if (st->bucket[b] > top)
			top = st->bucket[b];
	frame(f, LEFT1, a, "samples (log)");
	for (int d = 0; pow(10, d) <= (double)top; d++)
		fprintf(f, "<text x='%d' y='%.1f' font-size='10' text-anchor='end'>1e%d</text>\n",
			LEFT1 - 4, TOP + PH - (double)d / log10((double)top + 1) * PH + 3, d);
	for (unsigned b = 0; b < MM_STATS_BUCKETS; b++) {
		double x0, x1, h;

		if (!st->bucket[b])
			continue;
		x0 = xpos(a, LEFT1, (double)mm_stats_bucket_low(b));
		x1 = xpos(a, LEFT1, (double)mm_stats_bucket_high(b) + 1);
		h = log10((double)st->bucket[b] + 1) / log10((double)top + 1) * PH;
		fprintf(f, "<rect x='%.2f' y='%.2f' width='%.2f' height='%.2f' fill='#3366cc'/>\n",
			x0, TOP + PH - h, x1 - x0 < 0.6 ? 0.6 : x1 - x0, h);
	}
}

static void cdf(FILE *f, const struct mm_stats *st, const struct axis *a)
{
	static const double q[3] = { 0.5, 0.99, 0.999 };
	static const char *const qn[3] = { "p50", "p99", "p99.9" };
	uint64_t seen = 0;

	frame(f, LEFT2, a, "fraction of samples &lt;= x");
	fprintf(f, "<polyline fill='none' stroke='#cc3333' stroke-width='1.5' points='");
	for (unsigned b = 0; b < MM_STATS_BUCKETS; b++) {
		if (!st->bucket[b])
			continue;
		seen += st->bucket[b];
		fprintf(f, "%.2f,%.2f ", xpos(a, LEFT2, (double)mm_stats_bucket_high(b) + 1),
			TOP + PH - (double)seen / (double)st->count * PH);
	}
	fprintf(f, "'/>\n");
	for (int i = 0; i < 3; i++) {
		uint64_t v = mm_stats_quantile(st, q[i]);
		double x = xpos(a, LEFT2, (double)v);

		fprintf(f, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#888' "
			"stroke-dasharray='3,3'/>\n", x, TOP, x, TOP + PH);
		fprintf(f, "<text x='%.1f' y='%d' font-size='10'>%s %.1f us</text>\n", x + 2,
			TOP + 12 + 12 * i, qn[i], (double)v / 1e3);
	}
}

void mm_plot_svg(FILE *f, const struct mm_stats *st, const char *title)
{
	struct axis a = { floor(log10(st->min ? (double)st->min : 1)),
			  ceil(log10((double)st->max + 1)) };

	if (a.hi <= a.lo)
		a.hi = a.lo + 1;
	fprintf(f, "<?xml version='1.0' encoding='UTF-8'?>\n<svg xmlns='http://www.w3.org/2000/svg' "
		"width='%d' height='%d' font-family='sans-serif'>\n<rect width='100%%' "
		"height='100%%' fill='white'/>\n", W, H);
	fprintf(f, "<text x='%d' y='24' font-size='15' text-anchor='middle'>%s — %llu samples, "
		"min %.1f us, mean %.1f us, max %.1f us</text>\n", W / 2, title,
		(unsigned long long)st->count, (double)st->min / 1e3, st->mean / 1e3,
		(double)st->max / 1e3);
	histogram(f, st, &a);
	cdf(f, st, &a);
	fprintf(f, "</svg>\n");
}

static bool have_rsvg(void)
{
	return system("command -v rsvg-convert >/dev/null 2>&1") == 0;
}

static void to_png(const char *svg)
{
	char cmd[1200];
	size_t n = strlen(svg);

	snprintf(cmd, sizeof(cmd), "rsvg-convert -o '%.*s.png' '%s'", (int)(n - 4), svg, svg);
	if (system(cmd))
		fprintf(stderr, "measureman: rsvg-convert failed for %s\n", svg);
}

int mm_plot_write(const struct mm_run *run, const char *dir, const char *prefix,
		  const char *title)
{
	bool png = have_rsvg();
	int written = 0;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	for (int s = 0; s < MM_NSECTIONS; s++) {
		char path[1024], t[256];
		FILE *f;

		if (!run->sec[s].count)
			continue;
		snprintf(path, sizeof(path), "%s/%s%s.svg", dir, prefix,
			 mm_section_key((enum mm_section)s));
		f = fopen(path, "w");
		if (!f)
			return -errno;
		snprintf(t, sizeof(t), "%s%s", title, mm_section_name((enum mm_section)s));
		mm_plot_svg(f, &run->sec[s], t);
		fclose(f);
		if (png)
			to_png(path);
		written++;
	}
	return written;
}
