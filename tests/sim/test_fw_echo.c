/*
 * test_fw_echo.c — the echo firmware end to end, in real processes, without the host library:
 * the test plays a minimal Linux (remoteproc + virtio_rpmsg_bus) itself, with the portable
 * core's RPMsg host role on the same shared regions the platform gives the two cores.
 *
 *   regions (memfds)  TCML 0x1FFE0000 128K (core: rx), TCMU 0x20000000 128K, vrings
 *                     0x90000000 64K, rsc-table 0x900FF000 4K, vdevbuffer 0x90400000 1M,
 *                     MU page 0x5D290000 4K; the host maps 0x90000000..0x904FFFFF as one
 *                     window with the gaps left inaccessible, as the core sees it.
 *   remoteproc        ELF loader → TCMs; .resource_table → the live table at 0x900FF000;
 *                     start mmamp-simcore at the entry; status 1, 3, gfeatures, vring da;
 *                     mmamp_rpmsg_init_host() (zero rings, post 256 RX buffers); status 7; kick.
 *   doorbells         MU side A (RIE1): notify = mu_doorbell_send(A). The host's "ISR" is a
 *                     thread sleeping on the side A line futex: it takes every doorbell at once
 *                     (reads RR1, so the core's next doorbell never waits for TE1) and wakes
 *                     the test's "bottom half", which runs RPMsg (mmamp_rpmsg_poll()).
 *
 * Then: the three name-service announcements (names and addresses exact), 1,000 × 496-byte
 * messages echoed byte-exact on the TTY channel (flooding: both sides run out of buffers and
 * wait for each other), every length 0..496 class on rpmsg-raw, the mmamp-info line, a reset
 * (status 0: the firmware reports link down), a second link-up with fresh announcements, and
 * the core killed at the end. Variants: the same firmware under another name (swap), polled
 * mode, a requested crash, a hostile descriptor into an unmapped gap of the window, a ring
 * broken by the host (reported once, then the core sleeps until a reset brings the link back),
 * and a start with no table at 0x900FF000 (the firmware installs its own, as for attach).
 *
 * Usage: test_fw_echo MMAMP-SIMCORE FW_ECHO FW_ECHO_B FW_ECHO_POLLED FW_ECHO_FAULT
 *
 * Synchronisation is by events only (the MU line futex, console and report pipes, pidfd);
 * every wait has a deadline, after which the test fails showing the firmware's console.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mmamp/elf_loader.h"
#include "mmamp/errno.h"
#include "mmamp/port.h"
#include "mmamp/rpmsg.h"
#include "mmamp/rsc_table.h"
#include "mmamp/virtio_ring.h"
#include "mmamp/vring.h"
#include "mu_host.h"
#include "port_sim.h"
#include "simcore_spawn.h"

#ifndef FW_CRASH_ADDR
#error "FW_CRASH_ADDR must be defined (the address fw_echo_fault stores to)"
#endif

#define TIMEOUT_MS 10000

/* The platform (platforms/imx8qxp-sim.dts; docs/protocol.md §0). */
#define VRINGS_DA   0x90000000u
#define VRINGS_SIZE 0x10000u /* vdev0vring0 + vdev0vring1 */
#define VRING1_OFF  0x8000u
#define RSC_DA      0x900FF000u
#define RSC_SIZE    0x1000u
#define VBUF_DA     0x90400000u
#define VBUF_SIZE   0x100000u
#define WIN_DA      0x90000000u
#define WIN_SIZE    0x500000u
#define GAP_DA      0x90200000u /* inside the window, in no region */

#define NUM     256u
#define ALIGN   0x1000u
#define MTU     MMAMP_RPMSG_MTU
#define ECHOES  1000u

static const char *simcore_path, *fw_echo_path, *fw_echo_b_path, *fw_polled_path, *fw_fault_path;

struct ns_entry {
	char name[MMAMP_RPMSG_NAME_SIZE];
	uint32_t addr;
	uint32_t flags;
};

struct host {
	struct sc_proc core;
	int pidfd;             /* the core's, readable once it has ended */
	struct mu mu;
	int fd_tcml, fd_tcmu, fd_vrings, fd_rsc, fd_vbuf, fd_mu;
	uint8_t *tcml, *tcmu, *win;
	uint64_t entry;
	struct mmamp_rsc_table_rpmsg table; /* the firmware's .resource_table */
	struct mmamp_rsc_table_rpmsg *live;
	struct mmamp_shm shm;
	struct mmamp_rpmsg_dev rdev;
	struct mmamp_rpmsg_ops ops;
	struct mmamp_vq_desc_state rx_state[NUM], tx_state[NUM];
	uint16_t tx_free[NUM];
	struct ns_entry ns[8];
	unsigned nns;
	pthread_t isr;
	bool isr_running;
	uint32_t isr_stop;     /* atomics: shared with the ISR thread */
	uint32_t doorbells;
	uint32_t events;       /* bumped (and futex-woken) by the ISR for each doorbell */
	uint64_t te_deadline;
	struct mmamp_rpmsg_ept tty, raw, info;
	uint32_t addr_tty, addr_raw, addr_info;
	/* what came back */
	uint32_t tty_seq;      /* next sequence number expected on the TTY channel */
	uint32_t raw_count;    /* raw replies received */
	size_t raw_len;
	uint8_t raw_buf[MTU];
	uint32_t info_count;
	char info_text[MTU + 1];
	char why[256];         /* first mismatch a callback found */
};

/* ---- the test's "Linux": regions, loader, remoteproc, the MU side A driver ---- */

static struct host *host_of_mu(struct mu *mu)
{
	return (struct host *)(void *)((char *)mu - offsetof(struct host, mu));
}

/*
 * mu_wait_fn for our doorbells while TE1 is clear: the core's ISR will read RR1 soon — unless
 * the core has ended (-MMAMP_EPIPE: a dead core never frees TE1).
 */
static int host_wait_te(struct mu *mu, unsigned side, uint32_t seq, uint32_t attempt)
{
	struct host *h = host_of_mu(mu);
	struct pollfd pf = { .fd = h->pidfd, .events = POLLIN };

	(void)side;
	(void)seq;
	if (attempt == 0)
		h->te_deadline = sc_now_ms() + TIMEOUT_MS;
	else if (sc_now_ms() >= h->te_deadline)
		return -MMAMP_ETIMEDOUT;
	if (h->pidfd >= 0 && poll(&pf, 1, 0) == 1)
		return -MMAMP_EPIPE;
	sched_yield();
	return 0;
}

static long futex(uint32_t *word, int op, uint32_t val, uint64_t timeout_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(timeout_ns / 1000000000u),
			       .tv_nsec = (long)(timeout_ns % 1000000000u) };

	return syscall(SYS_futex, word, op, val, op == FUTEX_WAIT_PRIVATE ? &ts : NULL, NULL, 0);
}

/* The MU side A interrupt handler: take each doorbell, wake the bottom half. */
static void *host_isr(void *arg)
{
	struct host *h = arg;
	uint32_t id;

	while (!__atomic_load_n(&h->isr_stop, __ATOMIC_SEQ_CST)) {
		uint32_t seq = mu_irq_seq(&h->mu, MU_SIDE_A);

		if (mu_doorbell_recv(&h->mu, MU_SIDE_A, &id) == 0) {
			__atomic_fetch_add(&h->doorbells, 1u, __ATOMIC_SEQ_CST);
			__atomic_fetch_add(&h->events, 1u, __ATOMIC_SEQ_CST);
			futex(&h->events, FUTEX_WAKE_PRIVATE, INT32_MAX, 0);
			continue;
		}
		mu_host_wait_line(&h->mu, MU_SIDE_A, seq, 3600ull * 1000000000u);
	}
	return NULL;
}

static void host_isr_stop(struct host *h)
{
	if (!h->isr_running)
		return;
	__atomic_store_n(&h->isr_stop, 1u, __ATOMIC_SEQ_CST);
	mu_raise_irq(&h->mu, MU_SIDE_A); /* an edge on its line gets it out of the futex */
	assert_int_equal(pthread_join(h->isr, NULL), 0);
	h->isr_running = false;
}

static int host_notify(void *ctx, uint32_t notifyid)
{
	struct host *h = ctx;

	return mu_doorbell_send(&h->mu, MU_SIDE_A, notifyid, host_wait_te);
}

static void host_ns_bind(struct mmamp_rpmsg_dev *rdev, const char *name, uint32_t addr,
			 uint32_t flags, void *ctx)
{
	struct host *h = ctx;

	(void)rdev;
	if (h->nns == sizeof(h->ns) / sizeof(h->ns[0])) {
		snprintf(h->why, sizeof(h->why), "too many name-service messages");
		return;
	}
	snprintf(h->ns[h->nns].name, sizeof(h->ns[h->nns].name), "%s", name);
	h->ns[h->nns].addr = addr;
	h->ns[h->nns].flags = flags;
	h->nns++;
}

static int map_tcm(void *ctx, uint64_t da, uint64_t memsz, void **local)
{
	struct host *h = ctx;

	return sc_map_tcm(h->tcml, h->tcmu, da, memsz, local);
}

static void map_into_window(struct host *h, int fd, uint32_t da, uint32_t size)
{
	void *p = mmap(h->win + (da - WIN_DA), size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		       fd, 0);

	assert_true(p == h->win + (da - WIN_DA));
}

/* The regions and the firmware loaded into them; its resource table kept in h->table. */
static void host_init(struct host *h, const char *fw)
{
	struct mmamp_elf_image img;
	struct mmamp_elf_segment seg;
	struct mmamp_diag d;
	const void *tab;
	size_t size, tab_size;
	uint64_t tab_da;
	void *file = sc_read_file(fw, &size), *mu_page;
	unsigned loads = 0;

	memset(h, 0, sizeof(*h));
	h->core.pid = -1;
	h->core.console_rd = h->core.report_rd = h->core.stderr_rd = -1;
	h->pidfd = -1;
	h->fd_tcml = sc_memfd("tcml", MMAMP_SIM_CODE_TCM_SIZE, (void **)&h->tcml);
	h->fd_tcmu = sc_memfd("tcmu", MMAMP_SIM_DATA_TCM_SIZE, (void **)&h->tcmu);
	h->fd_vrings = sc_memfd("vrings", VRINGS_SIZE, NULL);
	h->fd_rsc = sc_memfd("rsc-table", RSC_SIZE, NULL);
	h->fd_vbuf = sc_memfd("vdevbuffer", VBUF_SIZE, NULL);
	h->fd_mu = sc_memfd("mu", MU_PAGE_SIZE, &mu_page);

	/* 0x90000000..0x904FFFFF as one window, gaps inaccessible (as in the core). */
	h->win = mmap(NULL, WIN_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(h->win != MAP_FAILED);
	map_into_window(h, h->fd_vrings, VRINGS_DA, VRINGS_SIZE);
	map_into_window(h, h->fd_rsc, RSC_DA, RSC_SIZE);
	map_into_window(h, h->fd_vbuf, VBUF_DA, VBUF_SIZE);
	h->shm = (struct mmamp_shm){ h->win, WIN_DA, WIN_SIZE };
	h->live = (struct mmamp_rsc_table_rpmsg *)(void *)(h->win + (RSC_DA - WIN_DA));

	mu_attach(&h->mu, mu_page, mu_host_wake);
	mu_reset(&h->mu);
	mu_rmw_cr(&h->mu, MU_SIDE_A, MU_CR_RIE(MU_DOORBELL_CHANNEL), 0);
	assert_int_equal(pthread_create(&h->isr, NULL, host_isr, h), 0);
	h->isr_running = true;

	/* Load it as remoteproc does, checking it is shaped like an M4 image. */
	assert_int_equal(mmamp_elf_parse(&img, file, size, &d), 0);
	assert_int_equal(img.machine, MMAMP_EM_X86_64);
	assert_int_equal(img.type, MMAMP_ET_EXEC);
	for (unsigned i = 0; i < img.phnum; i++) {
		assert_int_equal(mmamp_elf_segment(&img, i, &seg, &d), 0);
		if (seg.type == MMAMP_PT_LOAD)
			loads++;
	}
	assert_int_equal(loads, 2);
	assert_int_equal(mmamp_elf_find_rsc_table(&img, &tab, &tab_size, &tab_da, &d), 0);
	assert_int_equal(tab_size, sizeof(struct mmamp_rsc_table_rpmsg));
	assert_true(tab_da >= MMAMP_SIM_DATA_TCM_DA && tab_da < MMAMP_SIM_STACK_TOP);
	assert_int_equal(mmamp_rsc_table_validate(tab, tab_size, &d), 0);
	assert_int_equal(mmamp_elf_load(&img, map_tcm, h, &d), 0);
	h->entry = img.entry;
	memcpy(&h->table, tab, tab_size);
	free(file);
}

/*
 * remoteproc's resource handling on the live table (i.MX's rsc-table region, not the section's
 * sh_addr): it holds the firmware's table — checked here — and gets the vring notifyids.
 */
static void host_take_live_table(struct host *h)
{
	struct mmamp_fw_rsc_vdev2 *v = &h->live->vdev;

	assert_memory_equal(h->live, &h->table, sizeof(h->table));
	/* The firmware's side: one RPMsg vdev, 2 × 256 descriptors, align 0x1000, NS. */
	assert_int_equal(h->live->num, 1);
	assert_int_equal(h->live->vdev_hdr.type, MMAMP_RSC_VDEV);
	assert_int_equal(v->id, MMAMP_VIRTIO_ID_RPMSG);
	assert_int_equal(v->dfeatures, 1u << MMAMP_VIRTIO_RPMSG_F_NS);
	assert_int_equal(v->num_of_vrings, 2);
	assert_int_equal(v->status, 0);
	for (unsigned j = 0; j < 2; j++) {
		assert_int_equal(v->vring[j].da, MMAMP_FW_RSC_ADDR_ANY);
		assert_int_equal(v->vring[j].num, NUM);
		assert_int_equal(v->vring[j].align, ALIGN);
		v->vring[j].notifyid = j; /* remoteproc assigns notifyids before the start */
	}
}

static void host_start(struct host *h)
{
	const struct sc_map maps[] = {
		{ h->fd_tcml, MMAMP_SIM_CODE_TCM_DA, MMAMP_SIM_CODE_TCM_SIZE, "rx" },
		{ h->fd_tcmu, MMAMP_SIM_DATA_TCM_DA, MMAMP_SIM_DATA_TCM_SIZE, "rw" },
		{ h->fd_vrings, VRINGS_DA, VRINGS_SIZE, "rw" },
		{ h->fd_rsc, RSC_DA, RSC_SIZE, "rw" },
		{ h->fd_vbuf, VBUF_DA, VBUF_SIZE, "rw" },
		{ h->fd_mu, MMAMP_SIM_MU_DA, MU_PAGE_SIZE, "rw" },
	};

	sc_spawn(&h->core, simcore_path, maps, sizeof(maps) / sizeof(maps[0]), h->entry,
		 MMAMP_SIM_STACK_TOP);
	h->pidfd = (int)syscall(SYS_pidfd_open, h->core.pid, 0);
	assert_true(h->pidfd >= 0);
}

static void host_fini(struct host *h)
{
	sc_close(&h->core);
	host_isr_stop(h);
	close(h->pidfd);
	munmap(h->tcml, MMAMP_SIM_CODE_TCM_SIZE);
	munmap(h->tcmu, MMAMP_SIM_DATA_TCM_SIZE);
	munmap(h->win, WIN_SIZE);
	munmap(h->mu.page, MU_PAGE_SIZE);
	close(h->fd_tcml);
	close(h->fd_tcmu);
	close(h->fd_vrings);
	close(h->fd_rsc);
	close(h->fd_vbuf);
	close(h->fd_mu);
}

static void fail_with_console(struct host *h, const char *what)
{
	while (sc_console_poll(&h->core, 0) > 0)
		;
	fail_msg("%s; firmware console:\n%s", what, h->core.console);
}

/*
 * One turn of the host's bottom half: run RPMsg; if nothing came in, sleep until the ISR
 * reports the next doorbell (snapshot of its counter taken before looking: no lost wake-up)
 * or @deadline, which fails the test naming @what.
 */
static void host_turn(struct host *h, uint64_t deadline, const char *what)
{
	uint32_t ev = __atomic_load_n(&h->events, __ATOMIC_SEQ_CST), before;
	uint64_t now;
	int ret;
	char msg[256];

	before = mmamp_rpmsg_stats(&h->rdev)->rx;
	ret = mmamp_rpmsg_poll(&h->rdev);
	if (ret < 0) {
		struct mmamp_diag d;
		char text[160] = "";

		if (mmamp_rpmsg_fault(&h->rdev, &d))
			mmamp_diag_format(&d, text, sizeof(text));
		snprintf(msg, sizeof(msg), "host rpmsg poll: %d %s", ret, text);
		fail_with_console(h, msg);
	}
	if (h->why[0])
		fail_with_console(h, h->why);
	if (mmamp_rpmsg_stats(&h->rdev)->rx != before || mmamp_rpmsg_work_pending(&h->rdev))
		return;
	now = sc_now_ms();
	if (now >= deadline) {
		snprintf(msg, sizeof(msg), "timed out waiting for %s", what);
		fail_with_console(h, msg);
	}
	futex(&h->events, FUTEX_WAIT_PRIVATE, ev, (deadline - now) * 1000000u);
}

#define HOST_WAIT(h, cond, what)                                              \
	do {                                                                  \
		uint64_t deadline_ = sc_now_ms() + TIMEOUT_MS;                \
		while (!(cond))                                               \
			host_turn((h), deadline_, (what));                    \
	} while (0)

/* remoteproc start + virtio_rpmsg_bus probe (docs/protocol.md §1.2). */
static void host_link_up(struct host *h)
{
	struct mmamp_fw_rsc_vdev2 *v = &h->live->vdev;
	struct mmamp_rpmsg_host_config cfg = {
		.shm = &h->shm,
		.vring = { h->win + (VRINGS_DA - WIN_DA), h->win + (VRINGS_DA - WIN_DA) + VRING1_OFF },
		.num = NUM,
		.align = ALIGN,
		.notifyid = { 0, 1 },
		.buffers = h->win + (VBUF_DA - WIN_DA),
		.rx_state = h->rx_state,
		.tx_state = h->tx_state,
		.tx_free = h->tx_free,
		.ops = &h->ops,
		.ctx = h,
	};

	h->ops = (struct mmamp_rpmsg_ops){ .notify = host_notify, .ns_bind = host_ns_bind };
	h->nns = 0;
	MMAMP_SHM_PUBLISH(v->status, (uint8_t)MMAMP_VIRTIO_STATUS_ACKNOWLEDGE);
	MMAMP_SHM_PUBLISH(v->status,
			  (uint8_t)(MMAMP_VIRTIO_STATUS_ACKNOWLEDGE | MMAMP_VIRTIO_STATUS_DRIVER));
	cfg.features = v->dfeatures & ((1u << MMAMP_VIRTIO_RPMSG_F_NS) |
				       (1u << MMAMP_VIRTIO_RING_F_EVENT_IDX));
	MMAMP_SHM_WRITE(v->gfeatures, cfg.features);
	MMAMP_SHM_WRITE(v->vring[0].da, VRINGS_DA);
	MMAMP_SHM_WRITE(v->vring[1].da, VRINGS_DA + VRING1_OFF);
	assert_int_equal(mmamp_rpmsg_init_host(&h->rdev, &cfg), 0);
	MMAMP_SHM_PUBLISH(v->status, (uint8_t)(MMAMP_VIRTIO_STATUS_ACKNOWLEDGE |
					       MMAMP_VIRTIO_STATUS_DRIVER |
					       MMAMP_VIRTIO_STATUS_DRIVER_OK));
	assert_int_equal(mmamp_rpmsg_host_kick(&h->rdev), 0);
}

static void host_reset(struct host *h)
{
	MMAMP_SHM_PUBLISH(h->live->vdev.status, (uint8_t)0); /* virtio reset; no doorbell (Linux) */
}

/* ---- what comes back ---- */

static void pattern(uint8_t *b, uint32_t seq, size_t len)
{
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(seq * 131u + i * 7u + (i >> 8));
	if (len >= 4)
		memcpy(b, &seq, 4);
}

static int tty_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct host *h = priv;
	uint8_t want[MTU];

	(void)ept;
	pattern(want, h->tty_seq, MTU);
	if (!h->why[0] && (src != h->addr_tty || len != MTU || memcmp(data, want, MTU)))
		snprintf(h->why, sizeof(h->why),
			 "TTY echo %u: src %u len %zu, or its bytes, differ from what was sent",
			 h->tty_seq, src, len);
	h->tty_seq++;
	return 0;
}

static int raw_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct host *h = priv;

	(void)ept;
	if (!h->why[0] && src != h->addr_raw)
		snprintf(h->why, sizeof(h->why), "raw echo from %u", src);
	memcpy(h->raw_buf, data, len);
	h->raw_len = len;
	h->raw_count++;
	return 0;
}

static int info_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct host *h = priv;

	(void)ept;
	if (!h->why[0] && src != h->addr_info)
		snprintf(h->why, sizeof(h->why), "info reply from %u", src);
	memcpy(h->info_text, data, len);
	h->info_text[len] = 0;
	h->info_count++;
	return 0;
}

/* The four announcements, exactly; then our endpoints for three of them. */
static void host_expect_announcements(struct host *h)
{
	static const struct {
		const char *name;
		uint32_t addr;
	} want[] = { { "rpmsg-virtual-tty-channel-1", 30 }, { "rpmsg-tty", 31 }, { "rpmsg-raw", 40 },
		     { "mmamp-info", 50 } };

	HOST_WAIT(h, h->nns >= 4, "four name-service announcements");
	assert_int_equal(h->nns, 4);
	for (unsigned i = 0; i < 4; i++) {
		unsigned found = 0;

		for (unsigned j = 0; j < h->nns; j++) {
			if (strcmp(h->ns[j].name, want[i].name))
				continue;
			found++;
			assert_int_equal(h->ns[j].addr, want[i].addr);
			assert_int_equal(h->ns[j].flags, MMAMP_RPMSG_NS_CREATE);
		}
		if (found != 1)
			fail_msg("announcement of \"%s\" seen %u times", want[i].name, found);
	}
	h->addr_tty = 30;
	h->addr_raw = 40;
	h->addr_info = 50;
	/* Linux's channel endpoints: dynamic local addresses (1024+), the announced remote one. */
	assert_int_equal(mmamp_rpmsg_ept_init(&h->tty, &h->rdev, NULL, MMAMP_RPMSG_ADDR_ANY,
					      h->addr_tty, tty_cb, h), 0);
	assert_int_equal(mmamp_rpmsg_ept_init(&h->raw, &h->rdev, NULL, MMAMP_RPMSG_ADDR_ANY,
					      h->addr_raw, raw_cb, h), 0);
	assert_int_equal(mmamp_rpmsg_ept_init(&h->info, &h->rdev, NULL, MMAMP_RPMSG_ADDR_ANY,
					      h->addr_info, info_cb, h), 0);
	assert_true(h->tty.addr >= MMAMP_RPMSG_RESERVED_ADDRESSES);
}

/* @count messages of 496 bytes on the TTY channel, as fast as buffers allow; all echoed. */
static void echo_tty(struct host *h, uint32_t count)
{
	uint64_t deadline = sc_now_ms() + 3 * TIMEOUT_MS;
	uint32_t sent = h->tty_seq, end = h->tty_seq + count;
	uint8_t buf[MTU];

	while (h->tty_seq < end) {
		while (sent < end) {
			int ret;

			pattern(buf, sent, MTU);
			ret = mmamp_rpmsg_send(&h->tty, buf, MTU);
			if (ret == -MMAMP_ENOBUFS)
				break; /* all 256 TX buffers are with the core: let it catch up */
			assert_int_equal(ret, 0);
			sent++;
		}
		host_turn(h, deadline, "TTY echoes");
	}
	assert_int_equal(h->tty_seq, end);
}

/* rpmsg-raw: one message at a time, every length from 0 to the MTU in steps, byte-exact. */
static void echo_raw(struct host *h)
{
	static const size_t lens[] = { 0, 1, 2, 3, 15, 16, 17, 100, 255, 256, 257, 495, MTU };
	uint8_t buf[MTU];

	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint32_t before = h->raw_count;

		pattern(buf, 7000u + i, lens[i]);
		assert_int_equal(mmamp_rpmsg_send(&h->raw, buf, lens[i]), 0);
		HOST_WAIT(h, h->raw_count != before, "a raw echo");
		assert_int_equal(h->raw_count, before + 1);
		assert_int_equal(h->raw_len, lens[i]);
		assert_memory_equal(h->raw_buf, buf, lens[i]);
	}
}

/* mmamp-info answers "fw=<name> build=<id> uptime_ms=<n>\n"; returns n. */
static unsigned long long query_info(struct host *h, const char *name, const char *build)
{
	uint32_t before = h->info_count;
	unsigned long long uptime;
	char fw[64], id[64], expect[MTU + 1];
	int end = 0;

	assert_int_equal(mmamp_rpmsg_send(&h->info, "?", 1), 0);
	HOST_WAIT(h, h->info_count != before, "the mmamp-info line");
	if (sscanf(h->info_text, "fw=%63s build=%63s uptime_ms=%llu%n", fw, id, &uptime, &end) != 3)
		fail_msg("mmamp-info said \"%s\"", h->info_text);
	assert_string_equal(fw, name);
	assert_string_equal(id, build);
	snprintf(expect, sizeof(expect), "fw=%s build=%s uptime_ms=%llu\n", name, build, uptime);
	assert_string_equal(h->info_text, expect);
	return uptime;
}

/* The core's WFI: asleep in futex(2) with the MU receive interrupt enabled. */
static void wait_core_asleep(struct host *h)
{
	char path[64], buf[128];
	uint64_t deadline = sc_now_ms() + TIMEOUT_MS;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)h->core.pid);
	for (;;) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

		if (fd >= 0)
			close(fd);
		assert_true(n > 0);
		buf[n] = 0;
		if (!strncmp(buf, "202 ", 4) &&
		    (mu_get_cr(&h->mu, MU_SIDE_B) & MU_CR_RIE(MU_DOORBELL_CHANNEL)))
			return;
		if (sc_now_ms() >= deadline)
			fail_with_console(h, "the core never slept in futex(2) with RIE1 set");
		sched_yield();
	}
}

static void assert_no_report(struct host *h)
{
	struct mmamp_simcore_report r;
	char err[256];
	size_t n;

	assert_int_equal(sc_read_all(h->core.report_rd, &r, sizeof(r), TIMEOUT_MS), 0);
	n = sc_read_all(h->core.stderr_rd, err, sizeof(err) - 1, TIMEOUT_MS);
	err[n] = 0;
	assert_string_equal(err, "");
}

static void assert_fault_report(struct host *h, uint64_t addr)
{
	struct mmamp_simcore_report r;
	int status = sc_wait_exit(&h->core, TIMEOUT_MS);

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 128 + SIGSEGV); /* 139 */
	assert_int_equal(sc_read_all(h->core.report_rd, &r, sizeof(r), TIMEOUT_MS), sizeof(r));
	assert_int_equal(r.magic, MMAMP_SIMCORE_REPORT_MAGIC);
	assert_int_equal(r.signo, SIGSEGV);
	assert_int_equal(r.code, SEGV_MAPERR);
	assert_int_equal(r.addr, addr);
	assert_true(r.pc >= MMAMP_SIM_CODE_TCM_DA && r.pc < MMAMP_SIM_DATA_TCM_DA);
	assert_int_equal(sc_read_all(h->core.report_rd, &r, sizeof(r), TIMEOUT_MS), 0);
}

/* Boot @fw and bring the link up to the point where the host has its three channels. */
static void boot_and_link(struct host *h, const char *fw, const char *name, bool polled)
{
	char line[128];

	host_init(h, fw);
	memcpy(h->live, &h->table, sizeof(h->table)); /* before the start, as remoteproc */
	host_take_live_table(h);
	host_start(h);
	snprintf(line, sizeof(line), "%s: boot build=", name);
	sc_console_wait_count(&h->core, line, 1, TIMEOUT_MS);
	if (!polled)
		wait_core_asleep(h); /* DRIVER_OK and the kick must wake it, not find it spinning */
	host_link_up(h);
	host_expect_announcements(h);
}

/* ---- tests ---- */

struct variant {
	const char **path;
	const char *name;
	const char *build;
	bool polled;
};

static const struct variant echo_a = { &fw_echo_path, "fw_echo", "1", false };
static const struct variant echo_b = { &fw_echo_b_path, "fw_echo_b", "2", false };
static const struct variant echo_polled = { &fw_polled_path, "fw_echo_polled", "1", true };

static void test_echo(void **state)
{
	const struct variant *v = *state;
	struct host *h = calloc(1, sizeof(*h));
	unsigned long long up1, up2;
	char line[256];
	int status;

	assert_non_null(h);
	boot_and_link(h, *v->path, v->name, v->polled);
	snprintf(line, sizeof(line),
		 "%s: boot build=%s (%s mode)\n%s: link up\n"
		 "%s: announced rpmsg-virtual-tty-channel-1 at 30\n"
		 "%s: announced rpmsg-tty at 31\n"
		 "%s: announced rpmsg-raw at 40\n%s: announced mmamp-info at 50\n",
		 v->name, v->build, v->polled ? "polled" : "interrupt", v->name, v->name, v->name,
		 v->name, v->name);
	sc_console_wait_count(&h->core, line, 1, TIMEOUT_MS);

	echo_tty(h, ECHOES);
	/*
	 * The flood cannot have gone through without both sides running dry: the host reaps its
	 * RX ring only between bursts, so after 256 echoes the core waited in a blocking send for
	 * buffers while the host filled all its TX buffers and got -ENOBUFS.
	 */
	assert_true(mmamp_rpmsg_stats(&h->rdev)->tx_no_buf > 0);
	/*
	 * Our RX ring never asks for silence: the core rings once per announcement and echo, each
	 * time after we took the previous doorbell (TE1). The last ones may still be on their way
	 * to our ISR thread: wait for them.
	 */
	HOST_WAIT(h, __atomic_load_n(&h->doorbells, __ATOMIC_SEQ_CST) >= 3 + ECHOES,
		  "a doorbell per echo");
	echo_raw(h);
	up1 = query_info(h, v->name, v->build);
	up2 = query_info(h, v->name, v->build);
	assert_true(up2 >= up1);
	assert_int_equal(mmamp_rpmsg_stats(&h->rdev)->rx_no_ept, 0);
	assert_int_equal(mmamp_rpmsg_stats(&h->rdev)->rx_malformed, 0);
	assert_int_equal(h->nns, 4); /* nothing announced twice */

	/* Reset: status 0 and nothing else — the firmware must notice by itself. */
	host_reset(h);
	snprintf(line, sizeof(line), "%s: link down (rx %u, tx %u, dropped 0)\n", v->name,
		 ECHOES + 13 + 2, ECHOES + 13 + 2 + 4);
	sc_console_wait_count(&h->core, line, 1, TIMEOUT_MS);

	/* Link up again: fresh rings, fresh announcements, the TTY learns our new address. */
	host_link_up(h);
	host_expect_announcements(h);
	snprintf(line, sizeof(line), "%s: link up\n", v->name);
	sc_console_wait_count(&h->core, line, 2, TIMEOUT_MS);
	echo_tty(h, 10);
	query_info(h, v->name, v->build);
	host_reset(h);
	snprintf(line, sizeof(line), "%s: link down", v->name);
	sc_console_wait_count(&h->core, line, 2, TIMEOUT_MS);

	if (v->polled)
		assert_false(mu_get_cr(&h->mu, MU_SIDE_B) & MU_CR_RIE(MU_DOORBELL_CHANNEL));
	/* remoteproc stop: the core is powered off. */
	status = sc_kill(&h->core);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_no_report(h);
	while (sc_console_poll(&h->core, 0) > 0)
		;
	assert_null(strstr(h->core.console, "error"));
	assert_null(strstr(h->core.console, "echo dropped"));
	host_fini(h);
	free(h);
}

static void test_crash_on_request(void **state)
{
	struct host *h = calloc(1, sizeof(*h));
	int ret;

	(void)state;
	assert_non_null(h);
	boot_and_link(h, fw_fault_path, "fw_echo_fault", false);
	echo_tty(h, 10);
	query_info(h, "fw_echo_fault", "1");
	/*
	 * The core may take "crash" straight from the ring, before its ISR read our previous
	 * doorbell: then it dies with our TE1 clear and this doorbell cannot be delivered — the
	 * send reports that the core is gone (a real host's mailbox TX times out).
	 */
	ret = mmamp_rpmsg_send(&h->info, "crash", 5);
	assert_true(ret == 0 || ret == -MMAMP_EPIPE);
	assert_fault_report(h, FW_CRASH_ADDR);
	assert_non_null(strstr(h->core.console, "fw_echo_fault: crash requested: store to 0x40000000\n"));
	host_fini(h);
	free(h);
}

/*
 * A hostile host posts a vring1 descriptor into a gap of the window (0x90200000: inside
 * 0x90000000..0x904FFFFF, so it passes the window check, but in no region): the core faults on
 * the first access — a crash the host sees, with the address, instead of silent corruption.
 */
static void test_descriptor_into_gap_faults(void **state)
{
	struct host *h = calloc(1, sizeof(*h));
	uint8_t *ring;
	struct mmamp_vring_desc *desc;
	struct mmamp_vring_avail *avail;

	(void)state;
	assert_non_null(h);
	boot_and_link(h, fw_echo_path, "fw_echo", false);
	ring = h->win + (VRINGS_DA - WIN_DA) + VRING1_OFF;
	desc = (struct mmamp_vring_desc *)(void *)ring;
	avail = (struct mmamp_vring_avail *)(void *)(ring + 16u * NUM);
	assert_int_equal(avail->idx, 0); /* the host has sent nothing yet */
	desc[0] = (struct mmamp_vring_desc){ .addr_lo = GAP_DA, .addr_hi = 0, .len = 32 };
	avail->ring[0] = 0;
	MMAMP_SHM_PUBLISH(avail->idx, (uint16_t)1);
	assert_int_equal(mu_doorbell_send(&h->mu, MU_SIDE_A, 1, host_wait_te), 0);
	assert_fault_report(h, GAP_DA);
	host_fini(h);
	free(h);
}

/*
 * A host that breaks a ring (vring1 avail.idx 300 ahead with 256 descriptors) breaks the
 * device: the firmware says so once, then sleeps (no busy loop on a device that reports work
 * forever) until the host resets it; after the reset the link comes up again on fresh rings.
 */
static void test_broken_ring_until_reset(void **state)
{
	struct host *h = calloc(1, sizeof(*h));
	struct mmamp_vring_avail *avail;

	(void)state;
	assert_non_null(h);
	boot_and_link(h, fw_echo_path, "fw_echo", false);
	echo_tty(h, 5);
	avail = (struct mmamp_vring_avail *)(void *)(h->win + (VRINGS_DA - WIN_DA) + VRING1_OFF +
						     16u * NUM);
	MMAMP_SHM_PUBLISH(avail->idx, (uint16_t)(MMAMP_SHM_READ(avail->idx) + 300u));
	assert_int_equal(mu_doorbell_send(&h->mu, MU_SIDE_A, 1, host_wait_te), 0);
	/* 5 taken + 300 = 0x131 */
	sc_console_wait_count(&h->core,
			      "fw_echo: rpmsg error -5: avail ring: idx 0x131 is more than num ahead\n",
			      1, TIMEOUT_MS);
	wait_core_asleep(h);

	host_reset(h);
	sc_console_wait_count(&h->core, "fw_echo: link down", 1, TIMEOUT_MS);
	host_link_up(h);
	host_expect_announcements(h);
	h->tty_seq = 0;
	echo_tty(h, 10);
	query_info(h, "fw_echo", "1");
	assert_int_equal(sc_console_count(&h->core, "rpmsg error"), 1);
	host_fini(h);
	free(h);
}

/*
 * No table at 0x900FF000 when the core starts (as when ROM/SCFW booted it and Linux attaches
 * later): the firmware installs its own there, and the link comes up on that one.
 */
static void test_installs_table_when_none(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	(void)state;
	assert_non_null(h);
	host_init(h, fw_echo_path);
	host_start(h);
	sc_console_wait_count(&h->core, "fw_echo: no usable table at 0x900ff000 (", 1, TIMEOUT_MS);
	sc_console_wait_count(&h->core, "): installed ours\n", 1, TIMEOUT_MS);
	host_take_live_table(h);
	host_link_up(h);
	host_expect_announcements(h);
	echo_tty(h, 10);
	query_info(h, "fw_echo", "1");
	host_fini(h);
	free(h);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_echo, (void *)(uintptr_t)&echo_a),
		cmocka_unit_test_prestate(test_echo, (void *)(uintptr_t)&echo_b),
		cmocka_unit_test_prestate(test_echo, (void *)(uintptr_t)&echo_polled),
		cmocka_unit_test(test_crash_on_request),
		cmocka_unit_test(test_descriptor_into_gap_faults),
		cmocka_unit_test(test_broken_ring_until_reset),
		cmocka_unit_test(test_installs_table_when_none),
	};

	if (argc != 6) {
		fprintf(stderr,
			"usage: %s MMAMP-SIMCORE FW_ECHO FW_ECHO_B FW_ECHO_POLLED FW_ECHO_FAULT\n",
			argv[0]);
		return 2;
	}
	simcore_path = argv[1];
	fw_echo_path = argv[2];
	fw_echo_b_path = argv[3];
	fw_polled_path = argv[4];
	fw_fault_path = argv[5];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
