/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rproc_attr.c — a remote core's attributes, what Linux shows in remoteproc's sysfs: name,
 * state (and waiting for one), firmware (settable while offline, its name checked), recovery
 * (enabled / disabled / recover), the crash count and reason, what the host found at open,
 * the core's pid, the name-service announcements refused.
 */
#include "rproc_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *mmamp_rproc_state_str(enum mmamp_rproc_state s)
{
	static const char *const names[] = { "offline", "suspended", "running", "crashed",
					     "deleted", "attached", "detached" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "invalid";
}

const char *mmamp_rproc_name(const struct mmamp_rproc *r)
{
	return r->core->name;
}

enum mmamp_rproc_state mmamp_rproc_state(struct mmamp_rproc *r)
{
	enum mmamp_rproc_state s;

	pthread_mutex_lock(&r->lock);
	s = r->state;
	pthread_mutex_unlock(&r->lock);
	return s;
}

/* A copy of one of @r's strings, taken under its lock; returns the string's length. */
static size_t copy_locked(struct mmamp_rproc *r, const char *s, char *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&r->lock);
	n = (size_t)snprintf(buf, len, "%s", s);
	pthread_mutex_unlock(&r->lock);
	return n;
}

size_t mmamp_rproc_firmware(struct mmamp_rproc *r, char *buf, size_t len)
{
	return copy_locked(r, r->firmware, buf, len);
}

int mmamp_firmware_name_check(const char *name, char *why, size_t whylen)
{
	size_t n = name ? strlen(name) : 0;
	char tmp[1];

	if (!why) {
		why = tmp;
		whylen = sizeof(tmp);
	}
	if (n && name[n - 1] == '\n')
		n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		const char *what = c == ' ' ? "a blank" : c < ' ' || c == 0x7f ? "a control character"
			: c > '~' ? "not ASCII" : c == '/' ? "a '/' (a name, not a path)" : NULL;

		if (what) {
			snprintf(why, whylen, "byte %zu (0x%02x) is %s", i, c, what);
			return -EINVAL;
		}
	}
	if (!n)
		snprintf(why, whylen, "it is empty");
	else if (n > MMAMP_FIRMWARE_NAME_MAX)
		snprintf(why, whylen, "it is %zu bytes long, more than %d", n,
			 MMAMP_FIRMWARE_NAME_MAX);
	else if ((n == 1 && name[0] == '.') || (n == 2 && !strncmp(name, "..", 2)))
		snprintf(why, whylen, "\".\" and \"..\" are directories");
	else
		return 0;
	return -EINVAL;
}

int mmamp_rproc_set_firmware(struct mmamp_rproc *r, const char *name)
{
	size_t n;
	int ret = 0;

	if (mmamp_firmware_name_check(name, NULL, 0))
		return -EINVAL;
	n = strcspn(name, "\n");
	pthread_mutex_lock(&r->lock);
	if (r->state != MMAMP_RPROC_OFFLINE) {
		ret = -EBUSY;
	} else {
		memcpy(r->firmware, name, n);
		r->firmware[n] = '\0';
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int mmamp_rproc_set_recovery(struct mmamp_rproc *r, const char *word)
{
	char err[256];
	int ret = 0;

	if (!word)
		return -EINVAL;
	pthread_mutex_lock(&r->op_lock);
	pthread_mutex_lock(&r->lock);
	if (!strcmp(word, "enabled") || !strcmp(word, "enabled\n")) {
		r->recovery = true;
		if (r->state == MMAMP_RPROC_CRASHED)
			ret = rproc_recover_locked(r, err, sizeof(err));
	} else if (!strcmp(word, "disabled") || !strcmp(word, "disabled\n")) {
		r->recovery = false;
	} else if (!strcmp(word, "recover") || !strcmp(word, "recover\n")) {
		ret = r->state == MMAMP_RPROC_CRASHED ? rproc_recover_locked(r, err, sizeof(err))
							: 0;
	} else {
		ret = -EINVAL;
	}
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_unlock(&r->op_lock);
	return ret;
}

bool mmamp_rproc_recovery_enabled(struct mmamp_rproc *r)
{
	return __atomic_load_n(&r->recovery, __ATOMIC_RELAXED);
}

unsigned long mmamp_rproc_ns_refused(struct mmamp_rproc *r)
{
	unsigned long n;

	pthread_mutex_lock(&r->lock);
	n = r->ns_refused;
	pthread_mutex_unlock(&r->lock);
	return n;
}

unsigned int mmamp_rproc_crash_count(struct mmamp_rproc *r)
{
	unsigned int n;

	pthread_mutex_lock(&r->lock);
	n = r->crash_count;
	pthread_mutex_unlock(&r->lock);
	return n;
}

size_t mmamp_rproc_found(struct mmamp_rproc *r, char *buf, size_t len)
{
	return copy_locked(r, r->found, buf, len);
}

size_t mmamp_rproc_crash_reason(struct mmamp_rproc *r, char *buf, size_t len)
{
	return copy_locked(r, r->crash_reason, buf, len);
}

int mmamp_rproc_pid(struct mmamp_rproc *r)
{
	int pid;

	pthread_mutex_lock(&r->lock);
	pid = r->powered ? r->bk->pid(r) : 0;
	pthread_mutex_unlock(&r->lock);
	return pid;
}

int mmamp_rproc_wait(struct mmamp_rproc *r, enum mmamp_rproc_state state, const char *channel,
		     int timeout_ms)
{
	struct timespec end;
	int ret = 0;

	rproc_deadline(&end, timeout_ms);
	pthread_mutex_lock(&r->lock);
	while (r->state != state || (channel && !rproc_channel_find_locked(r, channel))) {
		if (pthread_cond_timedwait(&r->changed, &r->lock, &end) == ETIMEDOUT) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}
