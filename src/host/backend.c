/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backend.c — the table of built-in backends (backend.h), looked up by the platform's name, and
 * what backends whose core is a process share.
 */
#include "backend.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const struct rproc_backend_ops *rproc_backend_find(const char *name)
{
	static const struct rproc_backend_ops *const all[] = { &rproc_backend_sim,
							       &rproc_backend_qemu };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

/* The process's start time (clock ticks since boot, /proc/<pid>/stat field 22): with the pid it
 * names one process, whatever pids were reused since. 0 if it is gone (or a zombie). */
unsigned long long rproc_proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
	if (!p)
		return 0;
	/* after ") ": state is field 3; starttime is field 22, i.e. 19 more fields on */
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return 0; /* ended, not yet reaped: nothing left to adopt or to stop */
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%llu", &start) != 1)
		return 0;
	return start;
}
