/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sysfs_fuse.c — the kernel's sysfs face of remoteproc, served through FUSE (libfuse3, low-level
 * API, a thread of its own): <runtime>/sys/class/remoteproc/remoteproc<N>/ with the attributes
 * of drivers/remoteproc/remoteproc_sysfs.c (tools/mmampd/README.md, docs/protocol.md §1.3), N
 * the core's index on the platform:
 *
 *   name      0444  the core's name ("m4_0"); opening it for writing is EACCES (kernfs)
 *   firmware  0644  the firmware name ("unknown" while attached); write: EBUSY unless offline
 *                   (checked first, as rproc_set_firmware does), the name ends at the first
 *                   newline, empty ⇒ EINVAL
 *   state     0644  offline, suspended, running, crashed, deleted, attached, detached;
 *                   write start (EBUSY unless offline; ENOENT/EINVAL/EACCES when the boot
 *                   fails: an image the loader refuses is EINVAL, as in Linux), stop (EINVAL
 *                   unless running, attached or crashed), detach (EINVAL unless attached);
 *                   another word ⇒ EINVAL
 *   recovery  0644  enabled / disabled; write enabled (and recover now if crashed), disabled,
 *                   recover (recover now if crashed); like the kernel, a recovery that fails is
 *                   logged, not returned to the writer; another word ⇒ EINVAL
 *   coredump  0644  disabled / enabled / inline; EBUSY while crashed; another word ⇒ EINVAL.
 *                   The mode is kept and shown; the host library produces no dump yet.
 *
 * Reads end with "\n" and are generated at the read at offset 0 (a later offset reads the same
 * text, like seq_file). Writes compare words with sysfs_streq() (one trailing newline allowed,
 * so "echo start > state" works), take at most 4096 bytes, ignore the file offset, and return
 * the whole count on success. O_TRUNC and truncate are accepted and ignored. Files are 4096
 * bytes long in stat, owned by the daemon's user; directories 0755. Creating files is EACCES,
 * removing or renaming anything EPERM.
 *
 * Lifecycle writes are queued for the daemon's event loop and answered from there (see
 * sysfs_fuse.h); reads and coredump are answered on the FUSE thread. The FUSE thread runs its
 * own loop (poll on /dev/fuse and a stop eventfd), so sysfs_stop() can end it deterministically
 * before it unmounts. A dead mount left by a killed daemon is detached at start-up.
 */
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mmampd.h"
#include "sysfs_fuse.h"

extern char **environ;

#define SYSFS_PAGE 4096        /* an attribute's size, and the most one write stores */
#define TIMEOUT_S 3600.0       /* the tree never changes while mounted */

#define INO_ROOT FUSE_ROOT_ID /* <runtime>/sys */
#define INO_CLASS 2           /* class/ */
#define INO_RPROC 3           /* class/remoteproc/ */
#define INO_CORE0 16          /* class/remoteproc/remoteproc0/, then its attributes */
#define INO_PER_CORE 8

enum attr { A_NAME, A_FIRMWARE, A_STATE, A_RECOVERY, A_COREDUMP, A_COUNT, A_DIR = -1 };

static const struct {
	const char *name;
	mode_t mode;
} attrs[A_COUNT] = {
	[A_NAME] = { "name", 0444 },         [A_FIRMWARE] = { "firmware", 0644 },
	[A_STATE] = { "state", 0644 },       [A_RECOVERY] = { "recovery", 0644 },
	[A_COREDUMP] = { "coredump", 0644 },
};

static const char *const coredump_words[] = { "disabled", "enabled", "inline" };

/** struct pend - a lifecycle write waiting for the loop. */
struct pend {
	struct pend *next;
	fuse_req_t req;
	size_t core;
	enum attr attr;
	size_t count;   /* what the write returns on success */
	char text[];    /* the word (state, recovery) or the written text (firmware) */
};

/** struct ofile - an open attribute: the text of its last read at offset 0. */
struct ofile {
	struct ofile *prev, *next; /* on sysfs.files */
	size_t core;
	enum attr attr;
	bool have;
	size_t len;
	char text[SYSFS_PAGE];
};

struct sysfs {
	struct daemon *d;
	struct fuse_session *se;
	char mnt[MMAMPD_FILE_MAX];
	pthread_t thread;
	bool thread_up;
	int stop_fd;            /* eventfd: the FUSE thread is to end */
	int wake_fd;            /* eventfd: writes wait for the loop */
	uid_t uid;
	gid_t gid;
	struct timespec t0;
	int *coredump;          /* per core: index into coredump_words (FUSE thread only) */
	struct ofile *files;    /* open files (FUSE thread only): a release may never come */

	pthread_mutex_t lock;   /* protects the queue */
	struct pend *head, *tail;
};

/* ---- libfuse's messages: into the daemon's log, or captured while mounting ---- */

static bool fuse_capturing;
static char fuse_last[256];

static void fuse_log_to_daemon(enum fuse_log_level level, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = '\0';
	if (fuse_capturing)
		snprintf(fuse_last, sizeof(fuse_last), "%s", line);
	else if (level <= FUSE_LOG_INFO)
		logmsg("sysfs: %s", line);
}

/* ---- the tree ---- */

/* What @ino is: a core's directory (attr A_DIR) or one of its attributes. */
static bool ino_core(const struct sysfs *s, fuse_ino_t ino, size_t *core, enum attr *attr)
{
	size_t i, k;

	if (ino < INO_CORE0)
		return false;
	i = (size_t)(ino - INO_CORE0) / INO_PER_CORE;
	k = (size_t)(ino - INO_CORE0) % INO_PER_CORE;
	if (i >= s->d->ncores || k > A_COUNT)
		return false;
	*core = i;
	*attr = k == 0 ? A_DIR : (enum attr)(k - 1);
	return true;
}

static fuse_ino_t core_ino(size_t core, enum attr attr)
{
	return INO_CORE0 + core * INO_PER_CORE + (attr == A_DIR ? 0 : 1 + (size_t)attr);
}

static int fill_stat(const struct sysfs *s, fuse_ino_t ino, struct stat *st)
{
	size_t core;
	enum attr attr = A_DIR;

	memset(st, 0, sizeof(*st));
	if (ino != INO_ROOT && ino != INO_CLASS && ino != INO_RPROC && !ino_core(s, ino, &core, &attr))
		return -ENOENT;
	st->st_ino = ino;
	st->st_uid = s->uid;
	st->st_gid = s->gid;
	st->st_atim = st->st_mtim = st->st_ctim = s->t0;
	st->st_blksize = SYSFS_PAGE;
	if (attr == A_DIR) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2 + (ino == INO_RPROC ? s->d->ncores : (ino == INO_ROOT || ino ==
										   INO_CLASS));
		st->st_size = 0;
	} else {
		st->st_mode = S_IFREG | attrs[attr].mode;
		st->st_nlink = 1;
		st->st_size = SYSFS_PAGE;
	}
	return 0;
}

/* The child @name of directory @parent, or 0. */
static fuse_ino_t child(const struct sysfs *s, fuse_ino_t parent, const char *name)
{
	size_t core;
	enum attr attr;

	if (parent == INO_ROOT)
		return strcmp(name, "class") ? 0 : INO_CLASS;
	if (parent == INO_CLASS)
		return strcmp(name, "remoteproc") ? 0 : INO_RPROC;
	if (parent == INO_RPROC) {
		char want[32];

		for (size_t i = 0; i < s->d->ncores; i++) {
			snprintf(want, sizeof(want), "remoteproc%zu", i);
			if (!strcmp(name, want))
				return core_ino(i, A_DIR);
		}
		return 0;
	}
	if (ino_core(s, parent, &core, &attr) && attr == A_DIR) {
		for (int a = 0; a < A_COUNT; a++)
			if (!strcmp(name, attrs[a].name))
				return core_ino(core, (enum attr)a);
	}
	return 0;
}

/* ---- sysfs semantics ---- */

/* The kernel's sysfs_streq(): equal, but for one trailing newline on either side. */
static bool sysfs_streq(const char *s1, const char *s2)
{
	while (*s1 && *s1 == *s2) {
		s1++;
		s2++;
	}
	if (*s1 == *s2)
		return true;
	if (!*s1 && *s2 == '\n' && !s2[1])
		return true;
	if (*s1 == '\n' && !s1[1] && !*s2)
		return true;
	return false;
}

/* @text as one of @words (sysfs_streq), or NULL. */
static const char *match(const char *text, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sysfs_streq(text, words[i]))
			return words[i];
	return NULL;
}

/* A written text, printable and short, for the log. */
static const char *shown(const char *text, char *buf, size_t len)
{
	return mmamp_escape(text, strlen(text), false, buf, len);
}

/* The text a read of @attr of @core gives. */
static size_t show(struct sysfs *s, size_t core, enum attr attr, char *buf, size_t len)
{
	struct core *c = &s->d->cores[core];
	int n;

	switch (attr) {
	case A_NAME:
		lcm_get(c, "name", buf, len - 1);
		break;
	case A_STATE:
		lcm_get(c, "state", buf, len - 1);
		break;
	case A_FIRMWARE:
		/* an attached core runs an image nobody here loaded (firmware_show()) */
		if (mmamp_rproc_state(c->r) == MMAMP_RPROC_ATTACHED)
			snprintf(buf, len - 1, "unknown");
		else
			lcm_get(c, "firmware", buf, len - 1);
		break;
	case A_RECOVERY:
		lcm_get(c, "recovery", buf, len - 1);
		break;
	case A_COREDUMP:
		snprintf(buf, len - 1, "%s", coredump_words[s->coredump[core]]);
		break;
	default:
		buf[0] = '\0';
		break;
	}
	n = (int)strlen(buf);
	buf[n++] = '\n';
	buf[n] = '\0';
	return (size_t)n;
}

/* ---- FUSE operations (the FUSE thread) ---- */

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* every read and write comes here (direct I/O), none is cached or merged */
	conn->want &= ~(unsigned)FUSE_CAP_WRITEBACK_CACHE;
}

/*
 * How long the kernel may keep what it knows of @ino. Directories never change. An attribute's
 * size must be looked up at every open: the kernel's FUSE client shrinks its idea of the size
 * to what a read returned (a short read is EOF to it) and to 0 at an O_TRUNC open, and
 * sendfile()/splice() — busybox's cat — read through the page cache up to that size, so
 * "running" would then read as the "offline" it replaced, cut to eight bytes. Asked at every
 * path walk, the size is 4096 again, as on sysfs.
 */
static double cache_timeout(const struct sysfs *s, fuse_ino_t ino)
{
	size_t core;
	enum attr attr;

	return ino_core(s, ino, &core, &attr) && attr != A_DIR ? 0.0 : TIMEOUT_S;
}

static void reply_entry(fuse_req_t req, struct sysfs *s, fuse_ino_t ino)
{
	struct fuse_entry_param e;

	memset(&e, 0, sizeof(e));
	e.ino = ino;
	e.attr_timeout = cache_timeout(s, ino);
	e.entry_timeout = cache_timeout(s, ino);
	fill_stat(s, ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct sysfs *s = fuse_req_userdata(req);
	fuse_ino_t ino = child(s, parent, name);

	if (!ino)
		fuse_reply_err(req, ENOENT);
	else
		reply_entry(req, s, ino);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sysfs *s = fuse_req_userdata(req);
	struct stat st;

	(void)fi;
	if (fill_stat(s, ino, &st))
		fuse_reply_err(req, ENOENT);
	else
		fuse_reply_attr(req, &st, cache_timeout(s, ino));
}

/* O_TRUNC ("echo x > state") and truncate(1) are accepted and change nothing, as on sysfs;
 * owner and mode stay the daemon's. */
static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	(void)attr;
	if (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	op_getattr(req, ino, fi);
}

struct dirbuf {
	char *p;
	size_t size;
};

static int dirbuf_add(fuse_req_t req, struct sysfs *s, struct dirbuf *b, const char *name,
		      fuse_ino_t ino)
{
	struct stat st;
	size_t old = b->size, need;
	char *p;

	fill_stat(s, ino, &st);
	need = fuse_add_direntry(req, NULL, 0, name, NULL, 0);
	p = realloc(b->p, old + need);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->size = old + need;
	fuse_add_direntry(req, b->p + old, need, name, &st, (off_t)b->size);
	return 0;
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct sysfs *s = fuse_req_userdata(req);
	struct dirbuf b = { NULL, 0 };
	fuse_ino_t parent = INO_ROOT;
	size_t core = 0;
	enum attr attr;
	char name[32];
	int err = 0;

	(void)fi;
	if (ino == INO_CLASS) {
		parent = INO_ROOT;
	} else if (ino == INO_RPROC) {
		parent = INO_CLASS;
	} else if (ino_core(s, ino, &core, &attr)) {
		if (attr != A_DIR) {
			fuse_reply_err(req, ENOTDIR);
			return;
		}
		parent = INO_RPROC;
	} else if (ino != INO_ROOT) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	err = dirbuf_add(req, s, &b, ".", ino);
	if (!err)
		err = dirbuf_add(req, s, &b, "..", parent);
	if (!err && ino == INO_ROOT)
		err = dirbuf_add(req, s, &b, "class", INO_CLASS);
	if (!err && ino == INO_CLASS)
		err = dirbuf_add(req, s, &b, "remoteproc", INO_RPROC);
	for (size_t i = 0; !err && ino == INO_RPROC && i < s->d->ncores; i++) {
		snprintf(name, sizeof(name), "remoteproc%zu", i);
		err = dirbuf_add(req, s, &b, name, core_ino(i, A_DIR));
	}
	for (int a = 0; !err && ino >= INO_CORE0 && a < A_COUNT; a++)
		err = dirbuf_add(req, s, &b, attrs[a].name, core_ino(core, (enum attr)a));
	if (err)
		fuse_reply_err(req, -err);
	else if (off < 0 || (size_t)off >= b.size)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, b.p + off, b.size - (size_t)off < size ? b.size - (size_t)off
									 : size);
	free(b.p);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sysfs *s = fuse_req_userdata(req);
	struct ofile *of;
	size_t core;
	enum attr attr;

	if (!ino_core(s, ino, &core, &attr) || attr == A_DIR) {
		fuse_reply_err(req, EISDIR); /* directories come as opendir: not reached */
		return;
	}
	/* kernfs_fop_open(): writing a file without write permission bits is EACCES even for
	 * root */
	if ((fi->flags & O_ACCMODE) != O_RDONLY && !(attrs[attr].mode & 0222)) {
		fuse_reply_err(req, EACCES);
		return;
	}
	of = calloc(1, sizeof(*of));
	if (!of) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	of->core = core;
	of->attr = attr;
	fi->fh = (uint64_t)(uintptr_t)of;
	fi->direct_io = 1; /* every read asks the daemon: the values change under the reader */
	fi->keep_cache = 0;
	if (fuse_reply_open(req, fi)) {
		free(of); /* the open was interrupted: no release will come */
		return;
	}
	of->next = s->files;
	if (s->files)
		s->files->prev = of;
	s->files = of;
}

static void file_free(struct sysfs *s, struct ofile *of)
{
	if (of->prev)
		of->prev->next = of->next;
	else
		s->files = of->next;
	if (of->next)
		of->next->prev = of->prev;
	free(of);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	file_free(fuse_req_userdata(req), (struct ofile *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct sysfs *s = fuse_req_userdata(req);
	struct ofile *of = (struct ofile *)(uintptr_t)fi->fh;

	(void)ino;
	if (off == 0 || !of->have) {
		of->len = show(s, of->core, of->attr, of->text, sizeof(of->text));
		of->have = true;
	}
	if (off < 0 || (size_t)off >= of->len)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, of->text + off,
			       of->len - (size_t)off < size ? of->len - (size_t)off : size);
}

static void queue(struct sysfs *s, fuse_req_t req, size_t core, enum attr attr, size_t count,
		  const char *text)
{
	size_t n = strlen(text);
	struct pend *p = malloc(sizeof(*p) + n + 1);
	uint64_t one = 1;

	if (!p) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	p->next = NULL;
	p->req = req;
	p->core = core;
	p->attr = attr;
	p->count = count;
	memcpy(p->text, text, n + 1);
	pthread_mutex_lock(&s->lock);
	if (s->tail)
		s->tail->next = p;
	else
		s->head = p;
	s->tail = p;
	pthread_mutex_unlock(&s->lock);
	if (write(s->wake_fd, &one, sizeof(one)) < 0)
		(void)0; /* only when the counter would overflow: a wake-up is pending anyway */
}

static void refuse(fuse_req_t req, size_t core, enum attr attr, int err, const char *why,
		   const char *text)
{
	char b[200];

	logmsg("sysfs: remoteproc%zu/%s: \"%s\": %s (%s)", core, attrs[attr].name,
	       shown(text, b, sizeof(b)), why, mmamp_errno_name(err));
	fuse_reply_err(req, err);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	static const char *const state_words[] = { "start", "stop", "detach" };
	static const char *const recovery_words[] = { "enabled", "disabled", "recover" };
	struct sysfs *s = fuse_req_userdata(req);
	struct ofile *of = (struct ofile *)(uintptr_t)fi->fh;
	char text[SYSFS_PAGE + 1];
	const char *w;
	size_t len = size < SYSFS_PAGE ? size : SYSFS_PAGE;

	(void)ino;
	(void)off; /* sysfs_kf_write() ignores the position */
	if (len == 0) {
		fuse_reply_write(req, 0);
		return;
	}
	/* kernfs hands the store a NUL-terminated copy: a NUL inside ends the text */
	memcpy(text, buf, len);
	text[len] = '\0';
	switch (of->attr) {
	case A_STATE:
		if (!(w = match(text, state_words, 3)))
			refuse(req, of->core, of->attr, EINVAL, "not start, stop or detach", text);
		else
			queue(s, req, of->core, of->attr, len, w);
		break;
	case A_RECOVERY:
		if (!(w = match(text, recovery_words, 3)))
			refuse(req, of->core, of->attr, EINVAL, "not enabled, disabled or recover",
			       text);
		else
			queue(s, req, of->core, of->attr, len, w);
		break;
	case A_FIRMWARE:
		/* the whole text is the name (one trailing newline aside): the rule of every face,
		 * mmamp_firmware_name_check(), applied after the state check as the kernel does */
		queue(s, req, of->core, of->attr, len, text);
		break;
	case A_COREDUMP:
		if (mmamp_rproc_state(s->d->cores[of->core].r) == MMAMP_RPROC_CRASHED) {
			refuse(req, of->core, of->attr, EBUSY, "can't change coredump configuration "
			       "while crashed", text);
		} else if (!(w = match(text, coredump_words, 3))) {
			refuse(req, of->core, of->attr, EINVAL, "not disabled, enabled or inline",
			       text);
		} else {
			for (int i = 0; i < 3; i++)
				if (w == coredump_words[i])
					s->coredump[of->core] = i;
			fuse_reply_write(req, len);
		}
		break;
	default:
		fuse_reply_err(req, EACCES);
		break;
	}
}

/* No files or directories come or go: creating is EACCES (no ->create), the rest EPERM. */
static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	(void)parent;
	(void)name;
	(void)mode;
	(void)fi;
	fuse_reply_err(req, EACCES);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		     dev_t rdev)
{
	(void)parent;
	(void)name;
	(void)mode;
	(void)rdev;
	fuse_reply_err(req, EACCES);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	(void)parent;
	(void)name;
	(void)mode;
	fuse_reply_err(req, EPERM);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)parent;
	(void)name;
	fuse_reply_err(req, EPERM);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	(void)parent;
	(void)name;
	(void)newparent;
	(void)newname;
	(void)flags;
	fuse_reply_err(req, EPERM);
}

static const struct fuse_lowlevel_ops ops = {
	.init = op_init,
	.lookup = op_lookup,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.readdir = op_readdir,
	.open = op_open,
	.release = op_release,
	.read = op_read,
	.write = op_write,
	.create = op_create,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_unlink,
	.rename = op_rename,
};

static void *fuse_thread(void *arg)
{
	struct sysfs *s = arg;
	struct fuse_buf buf;
	struct pollfd p[2] = { { .fd = fuse_session_fd(s->se), .events = POLLIN },
			       { .fd = s->stop_fd, .events = POLLIN } };

	memset(&buf, 0, sizeof(buf));
	while (!fuse_session_exited(s->se)) {
		int n = poll(p, 2, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			logmsg("sysfs: poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents)
			break; /* sysfs_stop() */
		n = fuse_session_receive_buf(s->se, &buf);
		if (n == -EINTR || n == -EAGAIN)
			continue;
		if (n <= 0) {
			/* 0: the kernel ended the connection (unmounted by someone else) */
			logmsg("sysfs: %s: %s; the control socket still works", s->mnt,
			       n ? strerror(-n) : "unmounted from outside mmampd");
			break;
		}
		fuse_session_process_buf(s->se, &buf);
	}
	free(buf.mem);
	return NULL;
}

/* ---- mounting ---- */

/* @path as /proc/self/mountinfo writes it (space, tab, newline, backslash as \ooo). */
static void mountinfo_escape(const char *path, char *out, size_t len)
{
	size_t o = 0;

	for (; *path && o + 5 < len; path++) {
		if (strchr(" \t\n\\", *path))
			o += (size_t)snprintf(out + o, len - o, "\\%03o", (unsigned char)*path);
		else
			out[o++] = *path;
	}
	out[o] = '\0';
}

static bool is_mounted(const char *path)
{
	char want[MMAMPD_FILE_MAX * 4], line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	bool found = false;

	if (!f)
		return false;
	mountinfo_escape(path, want, sizeof(want));
	while (!found && fgets(line, sizeof(line), f)) {
		/* id parent major:minor root MOUNTPOINT ... */
		char *save = NULL, *tok = strtok_r(line, " ", &save);

		for (int i = 0; tok && i < 4; i++)
			tok = strtok_r(NULL, " ", &save);
		found = tok && !strcmp(tok, want);
	}
	fclose(f);
	return found;
}

/* Detach whatever is mounted on @mnt: a daemon killed before it could unmount left it (we hold
 * the runtime directory's instance lock, so nobody else serves it). No stat() of it first: a
 * mount whose server is stopped but alive would block it. */
static void clear_stale(const char *mnt)
{
	for (int i = 0; i < 8 && is_mounted(mnt); i++) {
		char *const argv[] = { "fusermount3", "-u", "-z", (char *)(uintptr_t)mnt, NULL };
		int status = -1;
		pid_t pid;

		if (!umount2(mnt, MNT_DETACH)) {
			logmsg("sysfs: detached a stale mount at %s", mnt);
			continue;
		}
		if (errno != EPERM || posix_spawnp(&pid, "fusermount3", NULL, NULL, argv, environ) ||
		    waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			logmsg("sysfs: %s: a stale mount is in the way and could not be detached",
			       mnt);
			return;
		}
		logmsg("sysfs: detached a stale mount at %s (fusermount3)", mnt);
	}
}

static void unavailable(const char *what)
{
	logmsg("sysfs: unavailable (%s); the control socket still works", what);
}

static void sysfs_free(struct sysfs *s)
{
	/* files still open, or whose release the kernel had not sent yet (it is asynchronous) */
	while (s->files)
		file_free(s, s->files);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	pthread_mutex_destroy(&s->lock);
	free(s->coredump);
	free(s);
}

struct sysfs *sysfs_start(struct daemon *d)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct sysfs *s;
	sigset_t all, old;
	char what[400];
	int ret;

	if (access("/dev/fuse", R_OK | W_OK)) {
		snprintf(what, sizeof(what), "/dev/fuse: %s", strerror(errno));
		unavailable(what);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->coredump = calloc(d->ncores ? d->ncores : 1, sizeof(int)))) {
		free(s);
		unavailable("out of memory");
		return NULL;
	}
	s->d = d;
	s->uid = geteuid();
	s->gid = getegid();
	clock_gettime(CLOCK_REALTIME, &s->t0);
	pthread_mutex_init(&s->lock, NULL);
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->stop_fd < 0 || s->wake_fd < 0) {
		snprintf(what, sizeof(what), "eventfd: %s", strerror(errno));
		goto fail;
	}
	runtime_file(d, SYSFS_DIR, s->mnt);
	if (mkdir(s->mnt, 0755) && errno != EEXIST) {
		snprintf(what, sizeof(what), "%s: %s", s->mnt, strerror(errno));
		goto fail;
	}
	clear_stale(s->mnt);

	fuse_set_log_func(fuse_log_to_daemon);
	fuse_capturing = true;
	fuse_last[0] = '\0';
	/* as root: readable by everyone, like sysfs; the mode bits decide (default_permissions) */
	if (fuse_opt_add_arg(&args, "mmampd") || fuse_opt_add_arg(&args, "-o") ||
	    fuse_opt_add_arg(&args, s->uid == 0 ? "default_permissions,allow_other,"
						  "fsname=mmamp,subtype=mmamp-sysfs"
						: "default_permissions,fsname=mmamp,"
						  "subtype=mmamp-sysfs")) {
		snprintf(what, sizeof(what), "out of memory");
		goto fail_log;
	}
	s->se = fuse_session_new(&args, &ops, sizeof(ops), s);
	fuse_opt_free_args(&args);
	if (!s->se) {
		snprintf(what, sizeof(what), "fuse_session_new: %s",
			 fuse_last[0] ? fuse_last : "failed");
		goto fail_log;
	}
	if (fuse_session_mount(s->se, s->mnt)) {
		snprintf(what, sizeof(what), "mounting %s: %s", s->mnt,
			 fuse_last[0] ? fuse_last : "failed");
		goto fail_log;
	}
	fuse_capturing = false;
	/* the simulated cores and helpers the daemon starts must not hold the connection open */
	fcntl(fuse_session_fd(s->se), F_SETFD, FD_CLOEXEC);

	/* the FUSE thread takes no signals: they are the loop's (self-pipe) */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = pthread_create(&s->thread, NULL, fuse_thread, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		snprintf(what, sizeof(what), "thread: %s", strerror(ret));
		fuse_session_unmount(s->se);
		goto fail_log;
	}
	s->thread_up = true;
	logmsg("sysfs: %s/class/remoteproc: remoteproc0..%zu", s->mnt,
	       d->ncores ? d->ncores - 1 : 0);
	return s;

fail_log:
	fuse_capturing = false;
	if (s->se)
		fuse_session_destroy(s->se);
	rmdir(s->mnt);
fail:
	unavailable(what);
	sysfs_free(s);
	return NULL;
}

int sysfs_wake_fd(const struct sysfs *s)
{
	return s->wake_fd;
}

static struct pend *take_all(struct sysfs *s)
{
	struct pend *list;
	uint64_t v;

	if (read(s->wake_fd, &v, sizeof(v)) < 0)
		(void)0; /* EAGAIN: nothing was signalled */
	pthread_mutex_lock(&s->lock);
	list = s->head;
	s->head = s->tail = NULL;
	pthread_mutex_unlock(&s->lock);
	return list;
}

/* One lifecycle write, on the loop thread, through the control socket's helpers. */
static int carry_out(struct sysfs *s, const struct pend *p, char *msg, size_t len)
{
	struct core *c = &s->d->cores[p->core];
	enum mmamp_rproc_state st;
	int ret;

	switch (p->attr) {
	case A_STATE:
		ret = lcm_set_state(s->d, c, p->text, msg, len);
		/* Linux refuses every image it cannot load with EINVAL (rproc_elf_sanity_check and
		 * the loader after it); the library's ENOEXEC says the same, and the log keeps the
		 * reason (docs/linux-host.md, "One sysfs behaviour, two implementations"). */
		return ret == -ENOEXEC ? -EINVAL : ret;
	case A_FIRMWARE:
		/* rproc_set_firmware(): the state is checked before the name */
		st = mmamp_rproc_state(c->r);
		if (st != MMAMP_RPROC_OFFLINE) {
			snprintf(msg, len, "%s is %s: the firmware can be changed only while offline",
				 c->name, mmamp_rproc_state_str(st));
			return -EBUSY;
		}
		return lcm_set_firmware(c, p->text, msg, len);
	case A_RECOVERY:
		/* recovery_store() returns the count whatever the recovery did: log it */
		ret = lcm_set_recovery(c, p->text, msg, len);
		if (ret)
			logmsg("sysfs: remoteproc%zu/recovery: %s: %s (%s)", p->core, p->text, msg,
			       mmamp_errno_name(ret));
		return 0;
	default:
		snprintf(msg, len, "read-only");
		return -EACCES;
	}
}

void sysfs_process(struct sysfs *s)
{
	struct pend *p = take_all(s);

	while (p) {
		struct pend *next = p->next;
		char msg[512] = "", b[200];
		int ret = carry_out(s, p, msg, sizeof(msg));

		if (ret) {
			logmsg("sysfs: remoteproc%zu/%s: \"%s\": %s (%s)", p->core, attrs[p->attr].name,
			       shown(p->text, b, sizeof(b)), msg, mmamp_errno_name(ret));
			fuse_reply_err(p->req, -ret);
		} else {
			if (p->attr == A_STATE)
				logmsg("sysfs: remoteproc%zu/state: %s", p->core, p->text);
			fuse_reply_write(p->req, p->count);
		}
		free(p);
		p = next;
	}
}

void sysfs_stop(struct sysfs *s)
{
	uint64_t one = 1;

	if (!s)
		return;
	if (s->thread_up) {
		if (write(s->stop_fd, &one, sizeof(one)) < 0)
			(void)0;
		pthread_join(s->thread, NULL);
	}
	/* writes nobody will carry out: the device is going away */
	for (struct pend *p = take_all(s), *next; p; p = next) {
		next = p->next;
		fuse_reply_err(p->req, ENODEV);
		free(p);
	}
	/* closes the connection (pending requests fail), then a lazy unmount: gone from the
	 * namespace at once even if someone still has a file open in it */
	fuse_session_unmount(s->se);
	fuse_session_destroy(s->se);
	if (rmdir(s->mnt) && errno != ENOENT)
		logmsg("sysfs: %s: %s", s->mnt, strerror(errno));
	else
		logmsg("sysfs: %s unmounted", s->mnt);
	sysfs_free(s);
}
