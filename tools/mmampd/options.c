/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * options.c — mmampd's command line: the defaults (the install prefix's platforms, firmware and
 * launchers when mmampd runs from one, else this build tree's: tool_paths.h), --help, parsing
 * into struct daemon, and checking every path an option names (made absolute: the daemon
 * changes to /), each refused in one line.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmamp/host/platform.h"
#include "mmampd.h"
#include "sysfs_fuse.h"
#include "tool_paths.h"


/*
 * The defaults: the files of the prefix mmampd is installed in, else this build tree's
 * (tool_paths.h). Firmware names are looked up in the simulated core's firmware, then QEMU's.
 */
static int default_paths(struct daemon *d)
{
	struct tool_paths paths;
	int ret = tool_paths_resolve(&paths);

	if (!ret &&
	    (snprintf(d->platform, sizeof(d->platform), "%s/%s.dtb", paths.platform_dir,
		      MMAMP_PLATFORM_DEFAULT) >= (int)sizeof(d->platform) ||
	     snprintf(d->firmware_dir, sizeof(d->firmware_dir), "%s%s%s", paths.sim_fw_dir,
		      paths.qemu_fw_dir[0] ? ":" : "", paths.qemu_fw_dir) >=
	     (int)sizeof(d->firmware_dir)))
		ret = -ENAMETOOLONG;
	if (ret) {
		fprintf(stderr, "mmampd: the default platform and firmware (%.400s): %s\n",
			paths.platform_dir, strerror(-ret));
		return ret;
	}
	snprintf(d->simcore, sizeof(d->simcore), "%s", paths.simcore);
	if (paths.qemu_bootrom[0] && access(paths.qemu_bootrom, R_OK) == 0)
		snprintf(d->qemu_bootrom, sizeof(d->qemu_bootrom), "%s", paths.qemu_bootrom);
	return 0;
}

/* --help, with the defaults in @d. */
static void usage(FILE *f, const struct daemon *d)
{
	fprintf(f,
		"Usage: mmampd [OPTIONS]\n"
		"The mmamp host daemon: remoteproc lifecycle, RPMsg master, TTYs and endpoints for\n"
		"every remote core of a platform, controlled through <runtime>/mmampd.sock (see mmamp).\n"
		"\n"
		"  -p, --platform FILE.dtb  platform description (default %s)\n"
		"  -r, --runtime DIR        runtime directory (default: $" MMAMP_RUNTIME_ENV ", else\n"
		"                           /run/mmamp as root, else $XDG_RUNTIME_DIR/mmamp)\n"
		"  -f, --firmware DIR[:DIR] where firmware names are looked up, first match wins\n"
		"                           (default %s)\n"
		"      --simcore PATH       the simulated core launcher (default %s)\n"
		"      --qemu-bootrom PATH  the boot ROM of QEMU cores (default %s)\n"
		"      --polling            poll doorbells instead of waiting for MU interrupts\n"
		"      --no-auto-boot       do not boot the cores the platform marks auto-boot\n"
		"      --no-sysfs           do not serve <runtime>/" SYSFS_DIR "/class/remoteproc (FUSE)\n"
		"  -F, --foreground         stay in the foreground, log to stderr\n"
		"      --ready-fd FD        with -F: write \"K\" to FD and close it once the control\n"
		"                           socket accepts (\"E<reason>\" if start-up fails)\n"
		"  -h, --help               this text\n"
		"\n"
		"Without -F, mmampd returns once the control socket accepts requests and logs to\n"
		"<runtime>/mmampd.log.\n",
		d->platform, d->firmware_dir, d->simcore,
		d->qemu_bootrom[0] ? d->qemu_bootrom : "none");
}

static int make_dirs(const char *dir)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Make @path absolute (the daemon changes to / ). */
static int absolute(char *path, size_t len, const char *what, char *err, size_t errlen)
{
	char buf[PATH_MAX];

	if (!realpath(path, buf)) {
		snprintf(err, errlen, "%s %.400s: %s", what, path, strerror(errno));
		return -errno;
	}
	if (snprintf(path, len, "%s", buf) >= (int)len) {
		snprintf(err, errlen, "%s %.200s...: path longer than %zu bytes", what, buf,
			 len - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

/*
 * That @path (already absolute) is what the option needs — 'f' a regular file, 'x' an
 * executable regular file, 'd' a directory — so that a FIFO, a device or a directory given by
 * mistake is refused at once with one line, not opened (a FIFO would block start-up forever).
 */
static int check_kind(const char *path, char kind, const char *what, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st)) {
		snprintf(err, errlen, "%s %.400s: %s", what, path, strerror(errno));
		return -errno;
	}
	if (kind == 'd' ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s %.400s: not a %s", what, path,
			 kind == 'd' ? "directory" : "regular file");
		return kind == 'd' ? -ENOTDIR : -EINVAL;
	}
	if (kind == 'x' && access(path, X_OK)) {
		snprintf(err, errlen, "%s %.400s: not executable", what, path);
		return -EACCES;
	}
	return 0;
}

/* absolute() for each directory of a ':'-separated list. */
static int absolute_list(char *list, size_t len, const char *what, char *err, size_t errlen)
{
	char out[PATH_MAX * 2] = "", one[PATH_MAX], *save = NULL, *tok, copy[PATH_MAX * 2];
	int ret;

	if (strlen(list) >= sizeof(copy))
		return -ENAMETOOLONG;
	memcpy(copy, list, strlen(list) + 1);
	for (tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		snprintf(one, sizeof(one), "%s", tok);
		ret = absolute(one, sizeof(one), what, err, errlen);
		if (!ret)
			ret = check_kind(one, 'd', what, err, errlen);
		if (ret)
			return ret;
		if (snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", out[0] ? ":" : "",
			     one) >= (int)(sizeof(out) - strlen(out)))
			return -ENAMETOOLONG;
	}
	if (!out[0]) {
		snprintf(err, errlen, "%s: empty", what);
		return -EINVAL;
	}
	if (snprintf(list, len, "%s", out) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Parse the command line into @d (defaults first) and @ready_fd (--ready-fd, else -1).
 * Returns MMAMPD_CONTINUE, or the exit status (help, a usage error).
 */
static int parse_args(struct daemon *d, int argc, char **argv, const char **runtime,
		      int *ready_fd)
{
	static const struct option opts[] = {
		{ "platform", required_argument, NULL, 'p' },
		{ "runtime", required_argument, NULL, 'r' },
		{ "firmware", required_argument, NULL, 'f' },
		{ "simcore", required_argument, NULL, 'S' },
		{ "qemu-bootrom", required_argument, NULL, 'Q' },
		{ "polling", no_argument, NULL, 'P' },
		{ "no-auto-boot", no_argument, NULL, 'N' },
		{ "no-sysfs", no_argument, NULL, 'Y' },
		{ "foreground", no_argument, NULL, 'F' },
		{ "ready-fd", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	d->auto_boot = true;
	d->sysfs_on = true;
	if (default_paths(d))
		return 1;
	while ((opt = getopt_long(argc, argv, "p:r:f:Fh", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			snprintf(d->platform, sizeof(d->platform), "%s", optarg);
			break;
		case 'r':
			*runtime = optarg;
			break;
		case 'f':
			snprintf(d->firmware_dir, sizeof(d->firmware_dir), "%s", optarg);
			break;
		case 'S':
			snprintf(d->simcore, sizeof(d->simcore), "%s", optarg);
			break;
		case 'Q':
			snprintf(d->qemu_bootrom, sizeof(d->qemu_bootrom), "%s", optarg);
			break;
		case 'P':
			d->polling = true;
			break;
		case 'N':
			d->auto_boot = false;
			break;
		case 'Y':
			d->sysfs_on = false;
			break;
		case 'F':
			d->foreground = true;
			break;
		case 'R': {
			char *end;
			long fd = strtol(optarg, &end, 10);

			if (!optarg[0] || *end || fd < 3 || fd > 1023 || fcntl((int)fd, F_GETFD) < 0) {
				fprintf(stderr, "mmampd: --ready-fd: \"%s\" is not an open file "
					"descriptor above 2\n", optarg);
				return 2;
			}
			*ready_fd = (int)fd;
			break;
		}
		case 'h':
			usage(stdout, d);
			return 0;
		default:
			fprintf(stderr, "Try 'mmampd --help'.\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mmampd: unexpected argument '%s'\nTry 'mmampd --help'.\n",
			argv[optind]);
		return 2;
	}
	return MMAMPD_CONTINUE;
}

/*
 * The runtime directory (-r, else the default one), created; then every path an option names
 * made absolute and checked. Returns MMAMPD_CONTINUE or the exit status, said on stderr.
 */
static int resolve_paths(struct daemon *d, const char *runtime)
{
	char err[1024] = "";
	int ret;

	if (runtime) {
		if (!runtime[0]) {
			fprintf(stderr, "mmampd: empty runtime directory\n");
			return 2;
		}
		if (strlen(runtime) >= sizeof(d->runtime)) {
			fprintf(stderr, "mmampd: runtime directory %s: longer than %zu bytes (its "
				"sockets' paths must fit a UNIX socket address)\n", runtime,
				sizeof(d->runtime) - 1);
			return 1;
		}
		snprintf(d->runtime, sizeof(d->runtime), "%s", runtime);
	} else if (mmamp_default_runtime_dir(d->runtime, sizeof(d->runtime))) {
		fprintf(stderr, "mmampd: %s\n", d->runtime);
		return 1;
	}
	ret = make_dirs(d->runtime);
	if (ret) {
		fprintf(stderr, "mmampd: runtime directory %s: %s\n", d->runtime, strerror(-ret));
		return 1;
	}
	if (absolute(d->runtime, sizeof(d->runtime), "runtime directory", err, sizeof(err)) ||
	    check_kind(d->runtime, 'd', "runtime directory", err, sizeof(err)) ||
	    absolute(d->platform, sizeof(d->platform), "platform", err, sizeof(err)) ||
	    check_kind(d->platform, 'f', "platform", err, sizeof(err)) ||
	    absolute_list(d->firmware_dir, sizeof(d->firmware_dir), "firmware directory", err,
			  sizeof(err)) ||
	    absolute(d->simcore, sizeof(d->simcore), "simcore", err, sizeof(err)) ||
	    check_kind(d->simcore, 'x', "simcore", err, sizeof(err)) ||
	    (d->qemu_bootrom[0] &&
	     (absolute(d->qemu_bootrom, sizeof(d->qemu_bootrom), "QEMU boot ROM", err,
		       sizeof(err)) ||
	      check_kind(d->qemu_bootrom, 'f', "QEMU boot ROM", err, sizeof(err))))) {
		fprintf(stderr, "mmampd: %s\n", err);
		return 1;
	}
	return MMAMPD_CONTINUE;
}

int options_parse(struct daemon *d, int argc, char **argv, int *ready_fd)
{
	const char *runtime = NULL;
	int ret;

	*ready_fd = -1;
	ret = parse_args(d, argc, argv, &runtime, ready_fd);
	if (ret != MMAMPD_CONTINUE)
		return ret;
	return resolve_paths(d, runtime);
}
