/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tool_paths.c — the files a tool runs, found at run time: from the install prefix the running
 * executable (/proc/self/exe) lies in, else the build tree's, compiled in (tools/common's
 * CMakeLists.txt gives both the build tree's paths and the install directories).
 */
#include "tool_paths.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TOOL_BUILD_PLATFORM_DIR /* a build without the tools' files (the Linux guest's) */
#define TOOL_BUILD_PLATFORM_DIR ""
#define TOOL_BUILD_SIMCORE ""
#define TOOL_BUILD_SIM_FW_DIR ""
#define TOOL_BUILD_QEMU_FW_DIR ""
#endif
#ifndef TOOL_INSTALL_BINDIR
#define TOOL_INSTALL_BINDIR "bin"
#define TOOL_INSTALL_LIBEXECDIR "libexec"
#define TOOL_INSTALL_DATADIR "share"
#endif

#define QEMU_BOOTROM "qemu_bootrom.elf"

/* @out = @a + @b + @c; -ENAMETOOLONG (and @out "") when it does not fit PATH_MAX. */
static int join(char *out, const char *a, const char *b, const char *c)
{
	if (snprintf(out, PATH_MAX, "%s%s%s", a, b, c) < PATH_MAX)
		return 0;
	out[0] = '\0';
	return -ENAMETOOLONG;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Cut "/@sub" off the end of @dir; false (and @dir as it was) if @dir does not end so. */
static bool cut_suffix(char *dir, const char *sub)
{
	size_t n = strlen(dir), s = strlen(sub);

	if (!s || n <= s || dir[n - s - 1] != '/' || strcmp(dir + n - s, sub))
		return false;
	dir[n - s - 1] = '\0';
	return true;
}

/*
 * The install prefix the running executable lies in, into @prefix (PATH_MAX bytes; "" for /),
 * or false: no /proc, not in an install directory, or no <prefix>/share/mmamp beside it.
 */
static bool install_prefix(char *prefix)
{
	char data[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", prefix, PATH_MAX - 1);
	char *slash;

	if (n <= 0 || n >= PATH_MAX - 1)
		return false;
	prefix[n] = '\0';
	slash = strrchr(prefix, '/');
	if (!slash)
		return false;
	*slash = '\0';
	if (!cut_suffix(prefix, TOOL_INSTALL_BINDIR) &&
	    !cut_suffix(prefix, TOOL_INSTALL_LIBEXECDIR "/mmamp"))
		return false;
	return !join(data, prefix, "/" TOOL_INSTALL_DATADIR, "/mmamp") && is_dir(data);
}

static void build_tree_paths(struct tool_paths *p)
{
	snprintf(p->platform_dir, PATH_MAX, "%s", TOOL_BUILD_PLATFORM_DIR);
	snprintf(p->simcore, PATH_MAX, "%s", TOOL_BUILD_SIMCORE);
	snprintf(p->sim_fw_dir, PATH_MAX, "%s", TOOL_BUILD_SIM_FW_DIR);
	snprintf(p->qemu_fw_dir, PATH_MAX, "%s", TOOL_BUILD_QEMU_FW_DIR);
	if (p->qemu_fw_dir[0])
		snprintf(p->qemu_bootrom, PATH_MAX, "%s", TOOL_BUILD_QEMU_FW_DIR "/" QEMU_BOOTROM);
	else
		p->qemu_bootrom[0] = '\0';
	p->installed = false;
}

/* The layout cmake/install.cmake installs: share/mmamp/{platforms,firmware/...}, libexec/mmamp. */
static int prefix_paths(struct tool_paths *p, const char *prefix)
{
	static const char data[] = "/" TOOL_INSTALL_DATADIR "/mmamp";

	if (join(p->platform_dir, prefix, data, "/platforms") ||
	    join(p->simcore, prefix, "/" TOOL_INSTALL_LIBEXECDIR "/mmamp", "/mmamp-simcore") ||
	    join(p->sim_fw_dir, prefix, data, "/firmware/sim") ||
	    join(p->qemu_fw_dir, prefix, data, "/firmware/qemu-mps2") ||
	    join(p->qemu_bootrom, p->qemu_fw_dir, "/", QEMU_BOOTROM))
		return -ENAMETOOLONG;
	if (!is_dir(p->qemu_fw_dir)) /* installed from a build without arm-none-eabi-gcc */
		p->qemu_fw_dir[0] = p->qemu_bootrom[0] = '\0';
	p->installed = true;
	return 0;
}

int tool_paths_resolve(struct tool_paths *p)
{
	char prefix[PATH_MAX];

	if (install_prefix(prefix))
		return prefix_paths(p, prefix);
	build_tree_paths(p);
	return 0;
}
