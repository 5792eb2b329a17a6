// SPDX-License-Identifier: GPL-2.0
/*
 * mmamp_rproc.c - remoteproc driver for the Cortex-M4 of mmamp's simulated i.MX8X, for
 * User-Mode Linux: the i.MX remoteproc driver plus its i.MX8X (SCU) extension, with the
 * hardware played by a host process (tools/mmamp-soc) reached over a UNIX socket.
 *
 * What the hardware would do, the SoC process does; what Linux does, Linux does:
 *   - memory: the M4's TCMs, its DDR, the two vrings of vdev 0 and the live resource table are
 *     carveouts at the i.MX8QXP device addresses, named as in the i.MX device tree. Their
 *     backing is UML RAM (dma_alloc_coherent); the SoC maps the same pages of UML's memory
 *     file at those addresses for the M4, and all of UML RAM at its physical addresses, where
 *     virtio_rpmsg_bus puts its buffers (descriptors carry physical addresses);
 *   - the remoteproc core loads the ELF (rproc_elf_*), handles the resource table, the vdev,
 *     sysfs and crash recovery; the live table is the rsc-table carveout (as imx_rproc does),
 *     which is where the M4 firmware looks for it;
 *   - start/stop are SCU calls: the SoC applies the SCU's partition rules and a refusal fails
 *     the sysfs write with the SCU's reason in the kernel log;
 *   - doorbells are MU channel 1 messages, notifyid << 16, both ways; an incoming doorbell is
 *     handled from a work item (rproc_vq_interrupt() may sleep: the name service probes
 *     rpmsg_tty, which creates a device node);
 *   - a core that dies or faults is reported with rproc_report_crash(), and so is the loss
 *     of the SoC process (the M4 is part of it); the next start connects to a new SoC at
 *     the same socket if there is one;
 *   - a heartbeat that stands still (the firmware's counter in the rsc-table carveout) is a
 *     crash too: RPROC_WATCHDOG;
 *   - a core the SoC reports running at probe (a boot loader started it) is attached to:
 *     RPROC_DETACHED, the firmware's own table in the rsc-table carveout as the live one;
 *     the kernel may detach from it again (the M4 runs on) and attach once more.
 * The wire is include/mmamp/soc_wire.h; docs/linux-host.md tells the whole story.
 */
#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/remoteproc.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/time-internal.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include <irq_kern.h>
#include <mem.h>
#include <os.h>

#include "mmamp/soc_wire.h"

#include "mmamp_kernel_decls.h"

static char *soc = "/tmp/mmamp-soc.sock";
module_param(soc, charp, 0444);
MODULE_PARM_DESC(soc, "host path of the simulated SoC's socket (tools/mmamp-soc)");

static char *partition = "apu";
module_param(partition, charp, 0444);
MODULE_PARM_DESC(partition, "SCU partition this kernel runs in (the platform's name)");

static char *firmware = "fw_echo";
module_param(firmware, charp, 0444);
MODULE_PARM_DESC(firmware, "default firmware file name");

static unsigned int watchdog_ms = 3000;
module_param(watchdog_ms, uint, 0444);
MODULE_PARM_DESC(watchdog_ms, "a heartbeat that stands still this long is a crash (0: no watchdog)");

#define CALL_TIMEOUT (10 * HZ)
#define WATCHDOG_TICK (HZ / 4)
/* mmamp's heartbeat word in the live table's region (include/mmamp/rsc_table.h) */
#define HEARTBEAT_OFFSET 0xff0
#define TXQ_LEN 8
#define KICK_IDS 64

/* The M4's memory as on the i.MX8QXP (names from its device tree; platforms/imx8qxp-sim.dts). */
struct mmamp_carveout_desc {
	const char *name;
	u32 da;
	size_t size;
};

static const struct mmamp_carveout_desc mmamp_carveouts[] = {
	{ "m4-tcml",     0x1ffe0000, SZ_128K },
	{ "m4-tcmu",     0x20000000, SZ_128K },
	{ "m4-ddr",      0x88000000, SZ_1M },
	{ "vdev0vring0", 0x90000000, SZ_32K },
	{ "vdev0vring1", 0x90008000, SZ_32K },
	{ "rsc-table",   0x900ff000, SZ_4K },
};

#define RSC_TABLE_IDX 5

struct mmamp_mem {
	void *va;
	dma_addr_t dma;
};

struct mmamp_rproc {
	struct rproc *rproc;
	struct device *dev;
	int fd;
	int irq;
	bool dead;
	bool ended;             /* the core ended while detached: nothing to attach to */
	struct mmamp_mem mem[ARRAY_SIZE(mmamp_carveouts)];

	struct workqueue_struct *wq;
	struct work_struct rx_work;
	struct delayed_work tx_work;
	u8 rx[MMAMP_SOC_MSG_SIZE];
	size_t rx_len;

	/* transmit side: one message on the wire at a time, control messages before kicks */
	spinlock_t tx_lock;
	struct mmamp_soc_msg txq[TXQ_LEN];
	unsigned int txq_head, txq_count;
	DECLARE_BITMAP(kicks, KICK_IDS);
	struct mmamp_soc_msg out;
	size_t out_len, out_off;

	/* the heartbeat watchdog: armed once the firmware has beaten after a start or attach */
	struct delayed_work wdog;
	bool watching;          /* cleared when a crash is reported another way */
	u32 beat;
	bool beating;
	unsigned long beat_at;

	/* one SCU call at a time */
	struct mutex call_lock;
	struct completion reply_done;
	struct mmamp_soc_msg reply;

	/* per-message timestamps (ktime_get_ns), read through sysfs: see mmamp_times_* */
	atomic64_t kick_ns, kick_count;
	atomic64_t irq_ns, doorbell_ns, doorbell_count;
};

static void mmamp_times_kick(struct mmamp_rproc *p);
static void mmamp_times_irq(struct mmamp_rproc *p);
static void mmamp_times_doorbell(struct mmamp_rproc *p);

/*
 * The SoC process ended (or its socket broke): the M4 was part of it, so a core that ran has
 * crashed, and the kernel's recovery is told so. Any context (a kick may find it out).
 */
static void mmamp_lost(struct mmamp_rproc *p, int err)
{
	enum rproc_state state = READ_ONCE(p->rproc->state);

	/* once: the receive work and a kick may find it out at the same time */
	if (xchg(&p->dead, true))
		return;
	WRITE_ONCE(p->watching, false);
	dev_err(p->dev, "lost the simulated SoC (socket %s): error %d; the M4 is gone with it\n",
		soc, err);
	p->reply.arg = -EPIPE;
	strscpy(p->reply.text, "the simulated SoC is gone", sizeof(p->reply.text));
	complete(&p->reply_done);
	/*
	 * A stop in progress finds its STOP answered -EPIPE: the core is off (mmamp_rproc_stop).
	 * A detached core went with the SoC: not reported (mmamp_detached_core_ended).
	 */
	if (state == RPROC_RUNNING || state == RPROC_ATTACHED)
		rproc_report_crash(p->rproc, RPROC_FATAL_ERROR);
}

/* Put what is queued on the wire until it is empty or the socket is full. tx_lock held. */
static void mmamp_flush_locked(struct mmamp_rproc *p)
{
	int n;

	while (!p->dead) {
		if (p->out_off < p->out_len) {
			n = os_write_file(p->fd, (u8 *)&p->out + p->out_off,
					  p->out_len - p->out_off);
			if (n == -EAGAIN) {
				/* The SoC reads continuously; look again on the next tick. */
				queue_delayed_work(p->wq, &p->tx_work, 1);
				return;
			}
			if (n <= 0) {
				mmamp_lost(p, n ? n : -EPIPE);
				return;
			}
			p->out_off += n;
			continue;
		}
		if (p->txq_count) {
			p->out = p->txq[p->txq_head];
			p->txq_head = (p->txq_head + 1) % TXQ_LEN;
			p->txq_count--;
		} else if (!bitmap_empty(p->kicks, KICK_IDS)) {
			unsigned int id = find_first_bit(p->kicks, KICK_IDS);

			clear_bit(id, p->kicks);
			memset(&p->out, 0, sizeof(p->out));
			p->out.type = MMAMP_SOC_KICK;
			p->out.arg = id;
			mmamp_times_kick(p);
		} else {
			return;
		}
		p->out_len = sizeof(p->out);
		p->out_off = 0;
	}
}

static void mmamp_tx_work(struct work_struct *work)
{
	struct mmamp_rproc *p = container_of(to_delayed_work(work), struct mmamp_rproc, tx_work);
	unsigned long flags;

	spin_lock_irqsave(&p->tx_lock, flags);
	mmamp_flush_locked(p);
	spin_unlock_irqrestore(&p->tx_lock, flags);
}

/* An SCU call: send @msg, wait for the SoC's REPLY. Process context. */
static int mmamp_call(struct mmamp_rproc *p, const struct mmamp_soc_msg *msg, char *why,
		      size_t whylen)
{
	unsigned long flags;
	int ret;

	mutex_lock(&p->call_lock);
	if (p->dead) {
		ret = -EPIPE;
		strscpy(why, "the simulated SoC is gone", whylen);
		goto out;
	}
	reinit_completion(&p->reply_done);
	spin_lock_irqsave(&p->tx_lock, flags);
	/* Calls are serialised, so the queue holds at most this one. */
	p->txq[(p->txq_head + p->txq_count) % TXQ_LEN] = *msg;
	p->txq_count++;
	mmamp_flush_locked(p);
	spin_unlock_irqrestore(&p->tx_lock, flags);
	if (!wait_for_completion_timeout(&p->reply_done, CALL_TIMEOUT)) {
		ret = -ETIMEDOUT;
		strscpy(why, "the simulated SoC did not answer within 10 s", whylen);
		goto out;
	}
	ret = p->reply.arg;
	strscpy(why, p->reply.text, whylen);
out:
	mutex_unlock(&p->call_lock);
	return ret;
}

/*
 * The core ended while the kernel was detached from it. Not reported: 6.1's recovery of a
 * crashed core reloads the segments into the carveouts it still holds, and a detach gave them
 * all back ("bad phdr da"); a crashed detached core cannot go offline either (rproc_shutdown
 * refuses a detached one). So it stays "detached", and the attach a start tries fails.
 */
static void mmamp_detached_core_ended(struct mmamp_rproc *p, const char *why)
{
	WRITE_ONCE(p->ended, true);
	dev_err(p->dev, "the detached M4 ended: %s; not reported: there is nothing to recover\n",
		why);
}

static void mmamp_dispatch(struct mmamp_rproc *p, const struct mmamp_soc_msg *m)
{
	char text[MMAMP_SOC_TEXT_MAX];

	switch (m->type) {
	case MMAMP_SOC_REPLY:
		p->reply = *m;
		p->reply.text[MMAMP_SOC_TEXT_MAX - 1] = '\0';
		complete(&p->reply_done);
		break;
	case MMAMP_SOC_DOORBELL:
		mmamp_times_doorbell(p);
		if (rproc_vq_interrupt(p->rproc, m->arg) == IRQ_NONE)
			dev_dbg(p->dev, "doorbell for notifyid %d: no such vring\n", m->arg);
		break;
	case MMAMP_SOC_CRASHED:
		WRITE_ONCE(p->watching, false); /* one report per crash */
		strscpy(text, m->text, sizeof(text));
		if (READ_ONCE(p->rproc->state) == RPROC_DETACHED) {
			mmamp_detached_core_ended(p, text);
			break;
		}
		dev_err(p->dev, "the M4 crashed: %s\n", text);
		rproc_report_crash(p->rproc, m->arg == MMAMP_SOC_CRASH_MMUFAULT ? RPROC_MMUFAULT :
					     m->arg == MMAMP_SOC_CRASH_WATCHDOG ? RPROC_WATCHDOG :
					     RPROC_FATAL_ERROR);
		break;
	default:
		dev_err_ratelimited(p->dev, "unknown message type %u from the simulated SoC\n",
				    m->type);
		break;
	}
}

/*
 * Everything the SoC sent, in order, in process context. UML's fd interrupts are edge
 * triggered: read until the socket is empty, or a message could sit there unseen.
 */
static void mmamp_rx_work(struct work_struct *work)
{
	struct mmamp_rproc *p = container_of(work, struct mmamp_rproc, rx_work);
	int n;

	while (!p->dead) {
		n = os_read_file(p->fd, p->rx + p->rx_len, sizeof(p->rx) - p->rx_len);
		if (n == -EAGAIN)
			return;
		if (n <= 0) {
			mmamp_lost(p, n ? n : -ECONNRESET);
			return;
		}
		p->rx_len += n;
		if (p->rx_len == sizeof(p->rx)) {
			struct mmamp_soc_msg m;

			memcpy(&m, p->rx, sizeof(m));
			p->rx_len = 0;
			mmamp_dispatch(p, &m);
		}
	}
}

static irqreturn_t mmamp_soc_interrupt(int irq, void *data)
{
	struct mmamp_rproc *p = data;

	mmamp_times_irq(p);
	queue_work(p->wq, &p->rx_work);
	return IRQ_HANDLED;
}

static int mmamp_soc_reconnect(struct mmamp_rproc *p);

/*
 * The firmware counts the u32 at HEARTBEAT_OFFSET of the rsc-table carveout up in its main
 * loop, while it waits and when it rings (src/remote/remote.c); a core that stops counting is
 * frozen or lost in a loop: a crash (RPROC_WATCHDOG), so the kernel's recovery runs. A
 * firmware that never beats (not mmamp's) is not watched.
 */
static void mmamp_wdog_work(struct work_struct *work)
{
	struct mmamp_rproc *p = container_of(to_delayed_work(work), struct mmamp_rproc, wdog);
	u32 now = READ_ONCE(*(u32 *)((u8 *)p->mem[RSC_TABLE_IDX].va + HEARTBEAT_OFFSET));

	if (!READ_ONCE(p->watching))
		return;
	if (now != p->beat) {
		p->beat = now;
		p->beating = true;
		p->beat_at = jiffies;
	} else if (p->beating && time_after(jiffies, p->beat_at + msecs_to_jiffies(watchdog_ms))) {
		dev_err(p->dev, "watchdog: no heartbeat for %u ms\n",
			jiffies_to_msecs(jiffies - p->beat_at));
		WRITE_ONCE(p->watching, false);
		rproc_report_crash(p->rproc, RPROC_WATCHDOG);
		return; /* the recovery's start arms it again */
	}
	schedule_delayed_work(&p->wdog, WATCHDOG_TICK);
}

static void mmamp_wdog_arm(struct mmamp_rproc *p)
{
	if (!watchdog_ms)
		return;
	p->beat = READ_ONCE(*(u32 *)((u8 *)p->mem[RSC_TABLE_IDX].va + HEARTBEAT_OFFSET));
	p->beating = false;
	p->beat_at = jiffies;
	WRITE_ONCE(p->watching, true);
	schedule_delayed_work(&p->wdog, WATCHDOG_TICK);
}

/* ---- remoteproc ops ---- */

static int mmamp_rproc_prepare(struct rproc *rproc)
{
	struct mmamp_rproc *p = rproc->priv;
	struct rproc_mem_entry *mem;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mmamp_carveouts); i++) {
		const struct mmamp_carveout_desc *c = &mmamp_carveouts[i];

		/*
		 * A power-on finds no trace of the previous firmware; a core we attach to keeps
		 * what the boot loader put there.
		 */
		if (rproc->state != RPROC_DETACHED)
			memset(p->mem[i].va, 0, c->size);
		mem = rproc_mem_entry_init(p->dev, p->mem[i].va, p->mem[i].dma, c->size, c->da,
					   NULL, NULL, "%s", c->name);
		if (!mem)
			return -ENOMEM;
		rproc_add_carveout(rproc, mem);
	}
	return 0;
}

static int mmamp_rproc_start(struct rproc *rproc)
{
	struct mmamp_rproc *p = rproc->priv;
	struct mmamp_soc_msg m = { .type = MMAMP_SOC_START, .a = rproc->bootaddr };
	char why[MMAMP_SOC_TEXT_MAX];
	int ret;

	/* A SoC that went away took the M4 with it: a new one (at the same socket) may be there */
	if (READ_ONCE(p->dead)) {
		ret = mmamp_soc_reconnect(p);
		if (ret) {
			dev_err(p->dev,
				"cannot start the M4: the simulated SoC is gone and none answers at %s (%d)\n",
				soc, ret);
			return ret;
		}
	}
	ret = mmamp_call(p, &m, why, sizeof(why));
	if (ret)
		dev_err(p->dev, "SCU refused to start the M4 at 0x%llx: %s (%d)\n",
			(unsigned long long)rproc->bootaddr, why, ret);
	else
		dev_info(p->dev, "M4 started at 0x%llx by partition %s\n",
			 (unsigned long long)rproc->bootaddr, partition);
	if (!ret)
		mmamp_wdog_arm(p);
	return ret;
}

static int mmamp_rproc_stop(struct rproc *rproc)
{
	struct mmamp_rproc *p = rproc->priv;
	struct mmamp_soc_msg m = { .type = MMAMP_SOC_STOP };
	char why[MMAMP_SOC_TEXT_MAX];
	int ret;

	/* never from the watchdog work itself: it ends after a report, it does not stop us */
	WRITE_ONCE(p->watching, false);
	cancel_delayed_work_sync(&p->wdog);
	ret = mmamp_call(p, &m, why, sizeof(why));
	if (ret == -EPIPE && READ_ONCE(p->dead)) {
		/*
		 * Nothing left to stop: the M4 ended with the SoC (the kernel's recovery, or a
		 * stop of the crashed core, goes on from offline).
		 */
		dev_info(p->dev, "the M4 is off: the simulated SoC is gone\n");
		return 0;
	}
	if (ret)
		dev_err(p->dev, "SCU refused to stop the M4: %s (%d)\n", why, ret);
	return ret;
}

/* Any context (virtqueue_kick may run under spinlocks): queue the doorbell, never wait. */
static void mmamp_rproc_kick(struct rproc *rproc, int vqid)
{
	struct mmamp_rproc *p = rproc->priv;
	unsigned long flags;

	if (vqid < 0 || vqid >= KICK_IDS || vqid > 0xffff) {
		dev_err_ratelimited(p->dev, "kick for notifyid %d: out of range\n", vqid);
		return;
	}
	spin_lock_irqsave(&p->tx_lock, flags);
	/* A doorbell not yet on the wire already covers this one (the M4 reads both rings). */
	set_bit(vqid, p->kicks);
	mmamp_flush_locked(p);
	spin_unlock_irqrestore(&p->tx_lock, flags);
}

/* The live table is the rsc-table carveout (0x900ff000), where the firmware reads it. */
static struct resource_table *mmamp_rproc_find_loaded_rsc_table(struct rproc *rproc,
								const struct firmware *fw)
{
	struct mmamp_rproc *p = rproc->priv;

	return p->mem[RSC_TABLE_IDX].va;
}

/* A core a boot loader started: nothing to power on, the SoC relays its doorbells already. */
static int mmamp_rproc_attach(struct rproc *rproc)
{
	struct mmamp_rproc *p = rproc->priv;

	if (READ_ONCE(p->ended) || READ_ONCE(p->dead)) {
		dev_err(p->dev, "cannot attach: the M4 is no longer running (it ended while detached)\n");
		return -ENODEV;
	}
	dev_info(p->dev, "attached to the running M4\n");
	mmamp_wdog_arm(p);
	return 0;
}

/*
 * The kernel lets go of the core: the M4 runs on (nothing to tell the SoC; its doorbells
 * still come and find no vring). remoteproc has reset the vdev (status 0) and copied the
 * table it found at the attach back over the live one; the firmware takes status 0 for the
 * link going down and waits for the next DRIVER_OK (docs/protocol.md §1.3). A core the kernel
 * does not manage is not watched: the heartbeat may stand still (a debugger, another
 * partition's own control) without it being ours to recover; nor is its end reported
 * (mmamp_detached_core_ended).
 */
static int mmamp_rproc_detach(struct rproc *rproc)
{
	struct mmamp_rproc *p = rproc->priv;

	WRITE_ONCE(p->watching, false);
	cancel_delayed_work_sync(&p->wdog);
	dev_info(p->dev, "detached from the M4: it runs on, not watched\n");
	return 0;
}

/*
 * For a core we attach to: the table the firmware installed in the rsc-table carveout (it
 * fits the 1 KiB the i.MX driver maps; docs/protocol.md §1.1).
 */
static struct resource_table *mmamp_rproc_get_loaded_rsc_table(struct rproc *rproc, size_t *size)
{
	struct mmamp_rproc *p = rproc->priv;

	*size = SZ_1K;
	return p->mem[RSC_TABLE_IDX].va;
}

static const struct rproc_ops mmamp_rproc_ops = {
	.attach = mmamp_rproc_attach,
	.detach = mmamp_rproc_detach,
	.get_loaded_rsc_table = mmamp_rproc_get_loaded_rsc_table,
	.prepare = mmamp_rproc_prepare,
	.start = mmamp_rproc_start,
	.stop = mmamp_rproc_stop,
	.kick = mmamp_rproc_kick,
	.load = rproc_elf_load_segments,
	.parse_fw = rproc_elf_load_rsc_table,
	.sanity_check = rproc_elf_sanity_check,
	.get_boot_addr = rproc_elf_get_boot_addr,
	.find_loaded_rsc_table = mmamp_rproc_find_loaded_rsc_table,
};

/* ---- talking to the SoC before the interrupt is set up (probe) ---- */

static int mmamp_sync_call(struct mmamp_rproc *p, const struct mmamp_soc_msg *m, int pass_fd,
			   u64 *a)
{
	struct mmamp_soc_msg r;
	size_t got = 0;
	int n;

	if (pass_fd >= 0)
		n = os_sendmsg_fds(p->fd, m, sizeof(*m), &pass_fd, 1);
	else
		n = os_write_file(p->fd, m, sizeof(*m));
	if (n != sizeof(*m))
		return n < 0 ? n : -EIO;
	while (got < sizeof(r)) {
		n = os_read_file(p->fd, (u8 *)&r + got, sizeof(r) - got);
		if (n <= 0)
			return n ? n : -ECONNRESET;
		got += n;
	}
	r.text[MMAMP_SOC_TEXT_MAX - 1] = '\0';
	if (r.type != MMAMP_SOC_REPLY) {
		dev_err(p->dev, "expected a reply from the SoC, got message type %u\n", r.type);
		return -EPROTO;
	}
	if (r.arg)
		dev_err(p->dev, "the simulated SoC refused %s: %s (%d)\n",
			m->type == MMAMP_SOC_HELLO ? "us" : m->type == MMAMP_SOC_QUERY ?
			"the question whether the M4 runs" : m->text, r.text, r.arg);
	else if (a)
		*a = r.a;
	return r.arg;
}

/* HELLO, the carveouts and (@running not NULL) the QUERY, blocking; then non-blocking. */
static int mmamp_soc_connect(struct mmamp_rproc *p, bool *running)
{
	struct mmamp_soc_msg m = { .type = MMAMP_SOC_HELLO };
	unsigned long long off;
	u64 on = 0;
	int memfd, ret;
	size_t i;

	p->fd = os_connect_socket(soc);
	if (p->fd < 0) {
		dev_err(p->dev, "cannot reach the simulated SoC at %s: error %d\n", soc, p->fd);
		return p->fd;
	}
	/* Every carveout, and all of RAM, lives in UML's one memory file. */
	memfd = phys_mapping(virt_to_phys(p->mem[0].va), &off);
	if (memfd < 0) {
		ret = -ENODEV;
		goto err;
	}
	strscpy(m.text, partition, sizeof(m.text));
	/* RAM is the file's first physmem_size bytes: offset = physical address (phys_mapping). */
	m.a = physmem_size;
	ret = mmamp_sync_call(p, &m, memfd, NULL);
	for (i = 0; !ret && i < ARRAY_SIZE(mmamp_carveouts); i++) {
		const struct mmamp_carveout_desc *c = &mmamp_carveouts[i];

		if (phys_mapping(virt_to_phys(p->mem[i].va), &off) != memfd) {
			ret = -ENODEV;
			break;
		}
		memset(&m, 0, sizeof(m));
		m.type = MMAMP_SOC_CARVEOUT;
		m.a = c->da;
		m.b = off;
		m.c = c->size;
		strscpy(m.text, c->name, sizeof(m.text));
		ret = mmamp_sync_call(p, &m, -1, NULL);
	}
	/* With every carveout in place: is the M4 running already (a boot loader started it)? */
	if (!ret && running) {
		memset(&m, 0, sizeof(m));
		m.type = MMAMP_SOC_QUERY;
		ret = mmamp_sync_call(p, &m, -1, &on);
		*running = on == 1;
	}
	if (ret)
		goto err;
	ret = os_set_fd_block(p->fd, 0);
	if (ret)
		goto err;
	return 0;
err:
	os_close_file(p->fd);
	p->fd = -1;
	return ret;
}

static int mmamp_soc_listen(struct mmamp_rproc *p)
{
	p->irq = um_request_irq(UM_IRQ_ALLOC, p->fd, IRQ_READ, mmamp_soc_interrupt, 0,
				"mmamp-soc", p);
	if (p->irq < 0)
		return p->irq;
	/* Anything that arrived before the interrupt was there. */
	queue_work(p->wq, &p->rx_work);
	return 0;
}

/*
 * A new SoC at the same socket, after the old one went away: drop what is left of the old
 * connection (its interrupt, work, half-sent message and kicks), connect and say HELLO again.
 * Process context, never from p->wq (start runs from sysfs or the kernel's recovery work).
 */
static int mmamp_soc_reconnect(struct mmamp_rproc *p)
{
	unsigned long flags;
	int ret;

	if (p->irq >= 0) {
		um_free_irq(p->irq, p);
		p->irq = -1;
	}
	flush_work(&p->rx_work);
	cancel_delayed_work_sync(&p->tx_work);
	if (p->fd >= 0) {
		os_close_file(p->fd);
		p->fd = -1;
	}
	p->rx_len = 0;
	spin_lock_irqsave(&p->tx_lock, flags);
	p->txq_count = 0;
	p->out_len = 0;
	p->out_off = 0;
	bitmap_zero(p->kicks, KICK_IDS);
	spin_unlock_irqrestore(&p->tx_lock, flags);

	/* no QUERY: a new SoC has no core running, and starting one is what we are here for */
	ret = mmamp_soc_connect(p, NULL);
	if (ret)
		return ret;
	WRITE_ONCE(p->dead, false);
	ret = mmamp_soc_listen(p);
	if (ret) {
		WRITE_ONCE(p->dead, true);
		os_close_file(p->fd);
		p->fd = -1;
		return ret;
	}
	dev_info(p->dev, "connected to a new simulated SoC at %s\n", soc);
	return 0;
}

static void mmamp_free_mem(struct mmamp_rproc *p)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mmamp_carveouts); i++)
		if (p->mem[i].va)
			dma_free_coherent(p->dev, mmamp_carveouts[i].size, p->mem[i].va,
					  p->mem[i].dma);
}

static int mmamp_rproc_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct mmamp_rproc *p;
	struct rproc *rproc;
	bool running = false;
	size_t i;
	int ret;

	ret = dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(32));
	if (ret)
		return ret;
	rproc = rproc_alloc(dev, "m4_0", &mmamp_rproc_ops, firmware, sizeof(*p));
	if (!rproc)
		return -ENOMEM;
	rproc->auto_boot = false;
	p = rproc->priv;
	p->rproc = rproc;
	p->dev = dev;
	p->fd = -1;
	p->irq = -1;
	spin_lock_init(&p->tx_lock);
	mutex_init(&p->call_lock);
	init_completion(&p->reply_done);
	INIT_WORK(&p->rx_work, mmamp_rx_work);
	INIT_DELAYED_WORK(&p->tx_work, mmamp_tx_work);
	INIT_DELAYED_WORK(&p->wdog, mmamp_wdog_work);
	platform_set_drvdata(pdev, p);

	for (i = 0; i < ARRAY_SIZE(mmamp_carveouts); i++) {
		p->mem[i].va = dma_alloc_coherent(dev, mmamp_carveouts[i].size, &p->mem[i].dma,
						  GFP_KERNEL);
		if (!p->mem[i].va) {
			ret = -ENOMEM;
			goto err_mem;
		}
	}
	/* Ordered: messages are handled in the order the SoC sent them. */
	p->wq = alloc_ordered_workqueue("mmamp-soc", 0);
	if (!p->wq) {
		ret = -ENOMEM;
		goto err_mem;
	}
	ret = mmamp_soc_connect(p, &running);
	if (ret)
		goto err_wq;
	if (running) {
		/*
		 * rproc_add() attaches at once (auto_boot): no firmware is loaded, the live
		 * table is the one the firmware installed in the rsc-table carveout.
		 */
		dev_info(dev, "the M4 is running already (started by a boot loader): attaching\n");
		rproc->state = RPROC_DETACHED;
		rproc->auto_boot = true;
	}
	ret = mmamp_soc_listen(p);
	if (ret)
		goto err_fd;
	ret = rproc_add(rproc);
	if (ret)
		goto err_irq;
	dev_info(dev, "i.MX8X M4 remoteproc on simulated SoC %s, SCU partition %s\n", soc,
		 partition);
	return 0;

err_irq:
	um_free_irq(p->irq, p);
err_fd:
	os_close_file(p->fd);
err_wq:
	destroy_workqueue(p->wq);
err_mem:
	mmamp_free_mem(p);
	rproc_free(rproc);
	return ret;
}

static int mmamp_rproc_remove(struct platform_device *pdev)
{
	struct mmamp_rproc *p = platform_get_drvdata(pdev);
	struct rproc *rproc = p->rproc;

	rproc_del(rproc);
	cancel_delayed_work_sync(&p->wdog);
	if (p->irq >= 0)
		um_free_irq(p->irq, p);
	cancel_delayed_work_sync(&p->tx_work);
	destroy_workqueue(p->wq);
	if (p->fd >= 0)
		os_close_file(p->fd);
	mmamp_free_mem(p);
	rproc_free(rproc);
	return 0;
}

/*
 * ---- per-message timestamps ----
 * What user space cannot see of a message's way through the kernel: when the kernel's doorbell
 * to the M4 went out and when the M4's doorbell came in. MeasureMan (tools/measureman) splits
 * a round trip into the paper's sections with them. Attributes of our platform device
 * (/sys/class/remoteproc/remoteprocN/device/...), values in ns of ktime_get_ns(), which is the
 * CLOCK_MONOTONIC user space reads with clock_gettime(); 0 until the first event:
 *   last_kick_ns      the last KICK put on the wire: just before its write to the SoC (the
 *                     MU TR1 write on the hardware); a kick that finds one of its vring still
 *                     queued rides on it and gets no stamp of its own
 *   kicks             KICKs put on the wire
 *   last_doorbell_ns  the interrupt that brought the last DOORBELL in (the MU ISR on the
 *                     hardware), stamped in mmamp_soc_interrupt() before the work item runs
 *   doorbells         DOORBELLs handled
 *   soc_clock_offset_ns  the SoC's clock (the host's CLOCK_MONOTONIC, which the simulated M4
 *                     reads for its own stamps) minus ktime_get_ns(): UML's clocksource counts
 *                     host CLOCK_MONOTONIC ns / TIMER_MULTIPLIER (256), and one snapshot gives
 *                     that count and the kernel's time of the same read, so the offset is
 *                     known to +-128 ns. With it user space puts the M4's stamps on its clock.
 */
static void mmamp_times_kick(struct mmamp_rproc *p)
{
	atomic64_set(&p->kick_ns, ktime_get_ns());
	atomic64_inc(&p->kick_count);
}

static void mmamp_times_irq(struct mmamp_rproc *p)
{
	atomic64_set(&p->irq_ns, ktime_get_ns());
}

/* The socket's interrupt came before the read that completed the message: its stamp is the ISR. */
static void mmamp_times_doorbell(struct mmamp_rproc *p)
{
	atomic64_set(&p->doorbell_ns, atomic64_read(&p->irq_ns));
	atomic64_inc(&p->doorbell_count);
}

#define MMAMP_TIMES_ATTR(_name, _field)							\
static ssize_t _name##_show(struct device *dev, struct device_attribute *attr, char *buf)	\
{											\
	struct mmamp_rproc *p = dev_get_drvdata(dev);					\
											\
	return sysfs_emit(buf, "%lld\n", (long long)atomic64_read(&p->_field));		\
}											\
static DEVICE_ATTR_RO(_name)

static ssize_t soc_clock_offset_ns_show(struct device *dev, struct device_attribute *attr,
					char *buf)
{
	struct system_time_snapshot snap;
	s64 host, mono;

	/* One clocksource read gives both: its count and CLOCK_REALTIME; REALTIME less its
	 * offset is CLOCK_MONOTONIC at that read. The count holds the host's time truncated to
	 * TIMER_MULTIPLIER ns: take the middle of that interval.
	 */
	ktime_get_snapshot(&snap);
	mono = ktime_to_ns(ktime_sub(snap.real, ktime_mono_to_any(0, TK_OFFS_REAL)));
	host = snap.cycles * TIMER_MULTIPLIER + TIMER_MULTIPLIER / 2;
	return sysfs_emit(buf, "%lld\n", (long long)(host - mono));
}
static DEVICE_ATTR_RO(soc_clock_offset_ns);

MMAMP_TIMES_ATTR(last_kick_ns, kick_ns);
MMAMP_TIMES_ATTR(kicks, kick_count);
MMAMP_TIMES_ATTR(last_doorbell_ns, doorbell_ns);
MMAMP_TIMES_ATTR(doorbells, doorbell_count);

static struct attribute *mmamp_times_attrs[] = {
	&dev_attr_last_kick_ns.attr,
	&dev_attr_kicks.attr,
	&dev_attr_last_doorbell_ns.attr,
	&dev_attr_doorbells.attr,
	&dev_attr_soc_clock_offset_ns.attr,
	NULL
};
ATTRIBUTE_GROUPS(mmamp_times);

static struct platform_driver mmamp_rproc_driver = {
	.probe = mmamp_rproc_probe,
	.remove = mmamp_rproc_remove,
	.driver = {
		.name = "mmamp-rproc",
		.dev_groups = mmamp_times_groups,
	},
};

static struct platform_device *mmamp_pdev;

static int __init mmamp_rproc_init(void)
{
	int ret = platform_driver_register(&mmamp_rproc_driver);

	if (ret)
		return ret;
	/* UML has no device tree: the device is ours to create. */
	mmamp_pdev = platform_device_register_simple("mmamp-rproc", -1, NULL, 0);
	if (IS_ERR(mmamp_pdev)) {
		ret = PTR_ERR(mmamp_pdev);
		goto err;
	}
	/* Probing is synchronous: a device without a driver means the probe failed (logged). */
	if (!platform_get_drvdata(mmamp_pdev)) {
		platform_device_unregister(mmamp_pdev);
		ret = -ENODEV;
		goto err;
	}
	return 0;
err:
	platform_driver_unregister(&mmamp_rproc_driver);
	return ret;
}

static void __exit mmamp_rproc_exit(void)
{
	platform_device_unregister(mmamp_pdev);
	platform_driver_unregister(&mmamp_rproc_driver);
}

module_init(mmamp_rproc_init);
module_exit(mmamp_rproc_exit);

MODULE_DESCRIPTION("remoteproc driver for mmamp's simulated i.MX8X Cortex-M4 (User-Mode Linux)");
MODULE_LICENSE("GPL");
