/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c — measureman: the command line (cyclictest's conventions), platform selection and
 * lifecycle, the run(s), and the outputs. Usage: measureman --help.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "lcm.h"
#include "link_inproc.h"
#include "link_kstamps.h"
#include "link_tty.h"
#include "measure.h"
#include "mmamp/rpmsg.h"
#include "plot.h"
#include "report.h"
#include "rt.h"
#include "tool_paths.h"
#include "trace.h"

#define EXIT_ERROR     1
#define EXIT_USAGE     2
#define EXIT_HARDLIMIT 3

struct opts {
	struct mm_params p;
	struct mm_rt rt;
	const char *platform, *platform_file, *mmampd, *core, *firmware, *channel;
	const char *rproc, *fw_file, *fw_dir, *tty;
	const char *histfile, *json, *plots, *trace;
	uint64_t hardlimit_ns;
	bool quiet, polled, rt_compare, histogram_stdout, icount;
	size_t baselines;
	char cmdline[1024];
};

static volatile int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: measureman [OPTIONS]\n"
"Latency of RPMsg messages between the host and a remote core, in the sections of the\n"
"paper's Table 1 (TTY-write, TTY-read, IPI to remote, IPI to host, remote processing) and\n"
"the round trip. Installs its measurement firmware, measures, puts the old one back.\n"
"\n"
"  -l, --loops=N          round trips, N > 0 (default 4000000; with -D alone: until the duration)\n"
"  -D, --duration=T       run for T seconds (suffix m, h, d as in cyclictest)\n"
"  -s, --size=BYTES       payload, 32..496 (default 496)\n"
"  -p, --priority=PRIO    SCHED_FIFO priority for this thread and the remote core\n"
"  -a, --affinity=CPU     pin this thread to CPU (the remote core to --remote-cpu)\n"
"      --remote-cpu=CPU   pin the simulated remote core (default: the next CPU with -a)\n"
"  -m, --mlockall         lock memory\n"
"  -q, --quiet            no progress line\n"
"  -h, --histogram=US     cyclictest's histogram block, 0..US-1 us, to stdout (or --histfile)\n"
"      --histfile=FILE    write the histogram block to FILE\n"
"      --json=FILE        rt-tests-style JSON with every statistic\n"
"  -b, --breaktrace=US    stop when a round trip exceeds US\n"
"      --hardlimit=US     exit status 3 when a round trip exceeded US\n"
"      --rt-compare       run twice: without RT settings, then with (-p 80 -m -a 0 unless\n"
"                         given), and print both side by side\n"
"      --baselines[=N]    also measure spin, futex and UNIX-socket ping-pongs (N round trips,\n"
"                         default: the loop count, at most 1000000)\n"
"      --plots=DIR        SVG (and PNG through rsvg-convert) histogram + CDF per section\n"
"      --trace=FILE       Perfetto/Chrome JSON trace of the slowest messages\n"
"      --trace-slowest=N  how many (default 20)\n"
"\n"
"platforms:\n"
"      --platform=sim|qemu|board   (default: board if --rproc is given, else sim)\n"
"  sim, qemu: in-process through the host library (all sections):\n"
"      --platform-file=DTB  platform description (default: imx8qxp-sim.dtb of the install\n"
"                           prefix measureman runs from, else of its build tree;\n"
"                           qemu: qemu-mps2-an386.dtb, firmware fw_measure.elf)\n"
"      --polled             both sides spin (fw_measure_polled)\n"
"      --icount             qemu: -icount shift=0,sleep=off; remote times count guest\n"
"                           instructions (1 ns each); IPI sections left out\n"
"  sim or qemu through mmampd (round trip + remote processing):\n"
"      --mmampd=RUNTIME_DIR the daemon's runtime directory; uses its ttyRPMSG<addr>\n"
"  board (Linux remoteproc; round trip + remote processing, all sections when the driver\n"
"  publishes its kick/doorbell stamps in <rproc>/device, as kernel/mmamp_rproc.c does):\n"
"      --rproc=DIR          /sys/class/remoteproc/remoteprocN\n"
"      --fw-file=FILE       measurement firmware to install (copied to --fw-dir)\n"
"      --fw-dir=DIR         firmware directory (default /lib/firmware)\n"
"      --tty=DEV            the channel's TTY (default: the first /dev/ttyRPMSG*)\n"
"  common: --core=NAME (m4_0), --firmware=NAME (fw_measure), --channel=NAME\n"
"\n"
"exit status: 0 ok, 1 error, 2 usage, 3 --hardlimit exceeded\n");
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end ? -EINVAL : 0;
}

static int parse_duration(const char *s, uint64_t *ns)
{
	char *end;
	double v = strtod(s, &end);
	double mul = 1;

	switch (*end) {
	case 0: case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	default: return -EINVAL;
	}
	if (end == s || v <= 0 || (*end && end[1]))
		return -EINVAL;
	*ns = (uint64_t)(v * mul * 1e9);
	return 0;
}

enum { O_HISTFILE = 256, O_JSON, O_HARDLIMIT, O_RTCMP, O_BASE, O_PLOTS, O_TRACE, O_SLOWEST,
       O_PLATFORM, O_PFILE, O_POLLED, O_MMAMPD, O_RPROC, O_FWFILE, O_FWDIR, O_TTY, O_CORE,
       O_FIRMWARE, O_CHANNEL, O_RCPU, O_ICOUNT, O_HELP };

static const struct option longopts[] = {
	{ "loops", required_argument, NULL, 'l' },
	{ "duration", required_argument, NULL, 'D' },
	{ "size", required_argument, NULL, 's' },
	{ "priority", required_argument, NULL, 'p' },
	{ "affinity", required_argument, NULL, 'a' },
	{ "mlockall", no_argument, NULL, 'm' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "histogram", required_argument, NULL, 'h' },
	{ "breaktrace", required_argument, NULL, 'b' },
	{ "histfile", required_argument, NULL, O_HISTFILE },
	{ "json", required_argument, NULL, O_JSON },
	{ "hardlimit", required_argument, NULL, O_HARDLIMIT },
	{ "rt-compare", no_argument, NULL, O_RTCMP },
	{ "baselines", optional_argument, NULL, O_BASE },
	{ "plots", required_argument, NULL, O_PLOTS },
	{ "trace", required_argument, NULL, O_TRACE },
	{ "trace-slowest", required_argument, NULL, O_SLOWEST },
	{ "platform", required_argument, NULL, O_PLATFORM },
	{ "platform-file", required_argument, NULL, O_PFILE },
	{ "polled", no_argument, NULL, O_POLLED },
	{ "mmampd", required_argument, NULL, O_MMAMPD },
	{ "rproc", required_argument, NULL, O_RPROC },
	{ "fw-file", required_argument, NULL, O_FWFILE },
	{ "fw-dir", required_argument, NULL, O_FWDIR },
	{ "tty", required_argument, NULL, O_TTY },
	{ "core", required_argument, NULL, O_CORE },
	{ "firmware", required_argument, NULL, O_FIRMWARE },
	{ "channel", required_argument, NULL, O_CHANNEL },
	{ "remote-cpu", required_argument, NULL, O_RCPU },
	{ "icount", no_argument, NULL, O_ICOUNT },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

static void defaults(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->p.loops = 4000000;
	o->p.len = MMAMP_RPMSG_MTU;
	o->p.slowest = 20;
	o->p.warmup = 100;
	o->rt.host_cpu = -1;
	o->rt.remote_cpu = -1;
	o->core = "m4_0";
	o->fw_dir = "/lib/firmware";
}

/* One option; -EINVAL with a message for a bad value. */
static int apply_opt(struct opts *o, int c, const char *arg, bool *loops_set)
{
	uint64_t v = 0;
	int bad = 0;

	switch (c) {
	case 'l': bad = parse_u64(arg, &o->p.loops) || !o->p.loops; *loops_set = true; break;
	case 'D': bad = parse_duration(arg, &o->p.duration_ns); break;
	case 's': bad = parse_u64(arg, &v); o->p.len = (size_t)v; break;
	case 'p': bad = parse_u64(arg, &v) || v < 1 || v > 99; o->rt.prio = (int)v; break;
	case 'a': bad = parse_u64(arg, &v); o->rt.host_cpu = (int)v; break;
	case 'm': o->rt.mlock = true; break;
	case 'q': o->quiet = true; break;
	case 'h': bad = parse_u64(arg, &v) || !v || v > 10000000; o->p.hist_us = (uint32_t)v;
		o->histogram_stdout = true; break;
	case 'b': bad = parse_u64(arg, &v); o->p.break_ns = v * 1000u; break;
	case O_HISTFILE: o->histfile = arg; break;
	case O_JSON: o->json = arg; break;
	case O_HARDLIMIT: bad = parse_u64(arg, &v); o->hardlimit_ns = v * 1000u; break;
	case O_RTCMP: o->rt_compare = true; break;
	case O_BASE: o->baselines = SIZE_MAX; if (arg) { bad = parse_u64(arg, &v);
		o->baselines = (size_t)v; } break;
	case O_PLOTS: o->plots = arg; break;
	case O_TRACE: o->trace = arg; break;
	case O_SLOWEST: bad = parse_u64(arg, &v) || v > MM_SLOWEST_MAX; o->p.slowest = v; break;
	case O_PLATFORM: o->platform = arg; break;
	case O_PFILE: o->platform_file = arg; break;
	case O_POLLED: o->polled = true; break;
	case O_MMAMPD: o->mmampd = arg; break;
	case O_RPROC: o->rproc = arg; break;
	case O_FWFILE: o->fw_file = arg; break;
	case O_FWDIR: o->fw_dir = arg; break;
	case O_TTY: o->tty = arg; break;
	case O_CORE: o->core = arg; break;
	case O_FIRMWARE: o->firmware = arg; break;
	case O_CHANNEL: o->channel = arg; break;
	case O_RCPU: bad = parse_u64(arg, &v); o->rt.remote_cpu = (int)v; break;
	case O_ICOUNT: o->icount = true; break;
	default: return -EINVAL;
	}
	if (bad)
		fprintf(stderr, "measureman: bad value \"%s\" for option %s%c\n", arg ? arg : "",
			c < 256 ? "-" : "", c < 256 ? c : ' ');
	return bad ? -EINVAL : 0;
}

static int parse(struct opts *o, int argc, char **argv)
{
	bool loops_set = false;
	int c, n = 0;

	defaults(o);
	for (int i = 0; i < argc && (size_t)n < sizeof(o->cmdline); i++)
		n += snprintf(o->cmdline + n, sizeof(o->cmdline) - (size_t)n, "%s%s", i ? " " : "",
			      argv[i]);
	while ((c = getopt_long(argc, argv, "l:D:s:p:a:mqh:b:", longopts, NULL)) != -1) {
		if (c == O_HELP) {
			usage(stdout);
			exit(0);
		}
		if (c == '?' || apply_opt(o, c, optarg, &loops_set))
			return -EINVAL;
	}
	if (optind < argc) {
		fprintf(stderr, "measureman: unexpected argument \"%s\"\n", argv[optind]);
		return -EINVAL;
	}
	if (o->p.duration_ns && !loops_set)
		o->p.loops = 0;
	if (o->histfile && !o->p.hist_us)
		o->p.hist_us = 1000;
	if (o->histfile)
		o->histogram_stdout = false;
	if (!o->p.hist_us)
		o->p.hist_us = 1000; /* the JSON's per-µs histogram */
	if (o->rt.host_cpu >= 0 && o->rt.remote_cpu < 0)
		o->rt.remote_cpu = o->rt.host_cpu + 1 < sysconf(_SC_NPROCESSORS_ONLN)
				   ? o->rt.host_cpu + 1 : o->rt.host_cpu;
	o->p.progress = !o->quiet && isatty(2);
	return 0;
}

/* ---- platforms ---- */

struct session {
	struct mm_link link;
	enum { S_INPROC, S_TTY } kind;
	struct mm_lcm lcm;
	bool lcm_used;
	bool kstamps;      /* the link is wrapped with the kernel driver's stamps */
	char platform_desc[64];
	struct tool_paths paths;          /* in-process: the simulated core's files */
	char platform_path[PATH_MAX];     /* in-process: the default platform description */
};

/* @name.dtb among the platform descriptions: the install prefix's, else the build tree's */
static const char *platform_file(struct session *s, const char *name)
{
	if (snprintf(s->platform_path, sizeof(s->platform_path), "%s/%s.dtb",
		     s->paths.platform_dir, name) >= (int)sizeof(s->platform_path))
		return NULL;
	return s->platform_path;
}

static int open_inproc(struct session *s, const struct opts *o, char *err, size_t errlen)
{
	bool qemu = !strcmp(o->platform, "qemu");
	struct mm_inproc_config cfg = {
		.core = o->core,
		.firmware = o->firmware ? o->firmware
					: o->polled ? "fw_measure_polled" : "fw_measure",
		.channel = o->channel ? o->channel : "rpmsg-raw",
		.polled = o->polled,
		.remote_cpu = -1,
	};
	int ret = tool_paths_resolve(&s->paths);

	if (ret) {
		snprintf(err, errlen, "the install prefix's paths: %s", strerror(-ret));
		return ret;
	}
	cfg.platform = o->platform_file ? o->platform_file
		       : platform_file(s, qemu ? "qemu-mps2-an386" : "imx8qxp-sim");
	if (!cfg.platform) {
		snprintf(err, errlen, "%.400s/...: the platform description's path is longer than "
			 "%d bytes", s->paths.platform_dir, PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	cfg.firmware_dir = s->paths.sim_fw_dir;
	cfg.simcore = s->paths.simcore;
	if (o->icount && !qemu) {
		snprintf(err, errlen, "--icount is for --platform qemu");
		return -EINVAL;
	}
	if (qemu) {
		if (!s->paths.qemu_fw_dir[0]) {
			snprintf(err, errlen, "no Cortex-M4 firmware (%s: arm-none-eabi-gcc was "
				 "missing when it was built): no qemu platform",
				 s->paths.installed ? "the installed package" : "this build");
			return -ENOENT;
		}
		cfg.firmware_dir = s->paths.qemu_fw_dir;
		cfg.qemu_bootrom = s->paths.qemu_bootrom;
		cfg.firmware = o->firmware ? o->firmware : o->polled ? "fw_measure_polled.elf"
								     : "fw_measure.elf";
		cfg.clock_file = "shm/qemu-ram"; /* the platform's one RAM file, mailbox at 0 */
		cfg.icount = o->icount;
	}
	if (access(cfg.platform, R_OK)) {
		snprintf(err, errlen, "platform description %s: %s", cfg.platform, strerror(errno));
		return -ENOENT;
	}
	s->kind = S_INPROC;
	snprintf(s->platform_desc, sizeof(s->platform_desc), "%s (in-process)", o->platform);
	return mm_inproc_open(&s->link, &cfg, err, errlen);
}

/*
 * A kernel driver that publishes its kick and doorbell stamps beside the remoteproc device (ours
 * for the simulated i.MX8X does) gives all five sections; another gives what a TTY link sees.
 */
static int attach_kstamps(struct session *s, const char *rproc, char *err, size_t errlen)
{
	char dir[512];
	int ret;

	snprintf(dir, sizeof(dir), "%s/device", rproc);
	ret = mm_kstamps_attach(&s->link, dir, err, errlen);
	if (ret == -ENOENT)
		return 0;
	if (!ret) {
		s->kstamps = true;
		snprintf(s->platform_desc, sizeof(s->platform_desc),
			 "board (remoteproc sysfs, the kernel's stamps)");
	}
	return ret;
}

static int open_lcm_tty(struct session *s, const struct opts *o, char *err, size_t errlen)
{
	char dev[512];
	int ret;

	s->lcm.ctl = -1;
	s->lcm.core = o->core;
	s->lcm.channel = o->channel ? o->channel : "rpmsg-virtual-tty-channel-1";
	s->lcm.firmware = o->firmware ? o->firmware : "fw_measure";
	if (o->rproc) {
		s->lcm.kind = MM_LCM_SYSFS;
		s->lcm.rproc_dir = o->rproc;
		s->lcm.fw_file = o->fw_file;
		s->lcm.fw_dir = o->fw_dir;
		s->lcm.tty = o->tty;
		snprintf(s->platform_desc, sizeof(s->platform_desc), "board (remoteproc sysfs)");
	} else {
		s->lcm.kind = MM_LCM_MMAMPD;
		s->lcm.runtime = o->mmampd;
		snprintf(s->platform_desc, sizeof(s->platform_desc), "%s (through mmampd)",
			 o->platform);
	}
	s->lcm_used = true;
	ret = mm_lcm_install(&s->lcm, dev, sizeof(dev), err, errlen);
	if (!ret)
		ret = mm_tty_open(&s->link, dev, err, errlen);
	s->kind = S_TTY;
	if (!ret && o->rproc)
		ret = attach_kstamps(s, o->rproc, err, errlen);
	return ret;
}

static int open_session(struct session *s, struct opts *o, char *err, size_t errlen)
{
	if (!o->platform)
		o->platform = o->rproc ? "board" : "sim";
	if (strcmp(o->platform, "sim") && strcmp(o->platform, "qemu") &&
	    strcmp(o->platform, "board")) {
		snprintf(err, errlen, "unknown platform \"%s\" (sim, qemu or board)", o->platform);
		return -EINVAL;
	}
	if (!strcmp(o->platform, "board") && !o->rproc) {
		snprintf(err, errlen, "platform board needs --rproc=/sys/class/remoteproc/remoteprocN");
		return -EINVAL;
	}
	if (!strcmp(o->platform, "board") || o->mmampd)
		return open_lcm_tty(s, o, err, errlen);
	return open_inproc(s, o, err, errlen);
}

static void close_session(struct session *s)
{
	char err[512];

	if (s->kstamps)
		mm_kstamps_detach(&s->link);
	if (s->kind == S_INPROC)
		mm_inproc_close(&s->link);
	else
		mm_tty_close(&s->link);
	if (s->lcm_used && mm_lcm_restore(&s->lcm, err, sizeof(err)))
		fprintf(stderr, "measureman: restoring the previous firmware: %s\n", err);
}

/* ---- runs ---- */

static int remote_pid(struct session *s)
{
	return s->kind == S_INPROC ? mm_inproc_remote_pid(&s->link) : 0;
}

static int one_run(struct session *s, const struct opts *o, const struct mm_rt *rt,
		   struct mm_run *run, char *label, size_t labellen)
{
	char err[512] = "";
	int ret;

	mm_rt_describe(rt, label, labellen);
	if (mm_rt_apply(rt, remote_pid(s), err, sizeof(err)))
		fprintf(stderr, "measureman: RT setting not applied: %s (run continues without it)\n",
			err);
	ret = mm_run_init(run, &o->p);
	if (!ret)
		ret = mm_measure(&s->link, &o->p, run, &stop_flag, err, sizeof(err));
	mm_rt_reset(remote_pid(s));
	if (ret)
		fprintf(stderr, "measureman: %s\n", err[0] ? err : strerror(-ret));
	return ret;
}

static void add_sample(void *ctx, uint64_t ns)
{
	mm_stats_add(ctx, ns);
}

static size_t run_baselines(const struct opts *o, struct mm_baseline_result *b)
{
	size_t n = o->baselines == SIZE_MAX ? (o->p.loops && o->p.loops < 1000000 ? o->p.loops
							: 1000000) : o->baselines;
	int a = o->rt.host_cpu >= 0 ? o->rt.host_cpu : 0, r = o->rt.remote_cpu >= 0 ? o->rt.remote_cpu : 1;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		r = a;
	for (int i = 0; i < MM_NBASELINES; i++) {
		b[i].name = mm_baseline_name((enum mm_baseline)i);
		b[i].key = mm_baseline_key((enum mm_baseline)i);
		b[i].error = mm_stats_init(&b[i].st, 0);
		if (!o->quiet)
			fprintf(stderr, "measureman: baseline %s, %zu round trips\n", b[i].name, n);
		if (!b[i].error)
			b[i].error = mm_baseline_run((enum mm_baseline)i, n, o->p.len, a, r,
						     add_sample, &b[i].st);
	}
	mm_rt_reset(0);
	return MM_NBASELINES;
}

/* ---- outputs ---- */

static int write_file(const char *path, void (*fn)(FILE *, const void *), const void *arg)
{
	FILE *f = !strcmp(path, "-") ? stdout : fopen(path, "w");

	if (!f) {
		fprintf(stderr, "measureman: cannot write %s: %s\n", path, strerror(errno));
		return -errno;
	}
	fn(f, arg);
	if (f != stdout)
		fclose(f);
	return 0;
}

static void json_fn(FILE *f, const void *rep)
{
	mm_write_json(f, rep);
}

static void hist_fn(FILE *f, const void *run)
{
	mm_print_histogram(f, run);
}

static void trace_fn(FILE *f, const void *run)
{
	mm_trace_write(f, run);
}

static void outputs(const struct opts *o, struct mm_report *rep)
{
	const struct mm_run *last = rep->rt ? rep->rt : rep->run;

	mm_print_table1(stdout, rep);
	mm_print_rt_compare(stdout, rep);
	mm_print_baselines(stdout, rep);
	if (o->histogram_stdout) {
		fputc('\n', stdout);
		mm_print_histogram(stdout, last);
	}
	if (o->histfile)
		write_file(o->histfile, hist_fn, last);
	if (o->json)
		write_file(o->json, json_fn, rep);
	if (o->trace)
		write_file(o->trace, trace_fn, last);
	if (o->plots) {
		int n = mm_plot_write(rep->run, o->plots, rep->rt ? "nonrt-" : "", "");

		if (n >= 0 && rep->rt)
			n = mm_plot_write(rep->rt, o->plots, "rt-", "RT: ");
		if (n < 0)
			fprintf(stderr, "measureman: plots in %s: %s\n", o->plots, strerror(-n));
	}
	fflush(stdout);
}

static bool over_hardlimit(const struct opts *o, const struct mm_report *rep)
{
	const struct mm_run *last = rep->rt ? rep->rt : rep->run;

	return o->hardlimit_ns && (last->sec[MM_ROUND_TRIP].max > o->hardlimit_ns ||
				   (rep->rt && rep->run->sec[MM_ROUND_TRIP].max > o->hardlimit_ns));
}

int main(int argc, char **argv)
{
	static struct mm_run run, rtrun;
	struct mm_baseline_result base[MM_NBASELINES];
	struct session s = { .lcm.ctl = -1 };
	struct mm_report rep = { 0 };
	char err[1024] = "", label[160], rtlabel[160], link[480];
	struct opts o;
	int ret;

	if (parse(&o, argc, argv)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal); /* its terminal closed: stop and clean up like ^C */
	signal(SIGPIPE, SIG_IGN);
	rep.start_wall = (uint64_t)time(NULL);
	ret = open_session(&s, &o, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "measureman: %s\n", err[0] ? err : strerror(-ret));
		close_session(&s);
		return EXIT_ERROR;
	}
	if (o.rt_compare) {
		struct mm_rt none = { 0, false, -1, -1 }, rt = o.rt;

		if (!rt.prio)
			rt.prio = 80;
		rt.mlock = true;
		if (rt.host_cpu < 0) {
			rt.host_cpu = 0;
			rt.remote_cpu = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1 : 0;
		}
		ret = one_run(&s, &o, &none, &run, label, sizeof(label));
		if (!ret && !stop_flag)
			ret = one_run(&s, &o, &rt, &rtrun, rtlabel, sizeof(rtlabel));
		rep.rt = ret || stop_flag ? NULL : &rtrun;
		rep.rt_label = rtlabel;
	} else {
		ret = one_run(&s, &o, &o.rt, &run, label, sizeof(label));
	}
	if (s.kind == S_INPROC && !ret && !stop_flag && mm_inproc_clock_recheck(&s.link))
		fprintf(stderr, "measureman: the guest clock's second calibration failed\n");
	snprintf(link, sizeof(link), "%s", s.link.name ? s.link.name : "?");
	rep.link = link;
	close_session(&s);
	if (o.baselines && !stop_flag)
		rep.nbase = run_baselines(&o, base);
	rep.end_wall = (uint64_t)time(NULL);
	rep.cmdline = o.cmdline;
	rep.platform = s.platform_desc;
	rep.len = o.p.len;
	rep.run = &run;
	rep.run_label = label;
	rep.base = base;
	rep.return_code = ret ? EXIT_ERROR : over_hardlimit(&o, &rep) ? EXIT_HARDLIMIT : 0;
	if (run.messages)
		outputs(&o, &rep);
	return rep.return_code;
}
