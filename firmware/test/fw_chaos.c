/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fw_chaos.c — a hostile remote for the fault tests (tests/fault): the echo firmware's three
 * endpoints (TTY echo at 30, raw echo at 40, "mmamp-info" at 50), plus commands on mmamp-info
 * that make it break the protocol on purpose, at run time, in the shared memory the host reads:
 *
 *   command          what the remote does                                host should see
 *   used.idx         vring0 used.idx jumps by 0x1000                     BAD_USED_IDX: vdev broken
 *   used.id          a vring0 used entry with id 0x12345                 BAD_USED_ID: vdev broken
 *   used.len         a vring0 used entry (a real head) with len 4096     BAD_USED_LEN: vdev broken
 *   tx.used.id       a vring1 used entry naming a TX buffer never sent   USED_ID_IDLE (at its reap)
 *   tx.used.idx      vring1 used.idx jumps by 0x1000                     BAD_USED_IDX (at its reap)
 *   hdr.len          a message whose header len exceeds its buffer       dropped, rx_malformed
 *   hdr.dst          a message to an address the host has no endpoint at dropped, rx_no_ept
 *   hdr.src          a message from src 0xFFFFFFFF (ANY)                 whatever the host decides
 *   used.short       a used entry of 8 bytes (shorter than a header)     dropped, rx_malformed
 *   ns.badname       NS CREATE with 32 bytes of 0xFF/control chars       a channel, name cut at 31
 *   ns.empty         NS CREATE with an empty name                        whatever the host decides
 *   ns.short         a 39-byte NS message                                dropped, rx_malformed
 *   ns.destroy       NS DESTROY of the TTY channel                       the TTY channel goes
 *   ns.flood N       N CREATE announcements "flood-<i>" at 2000+i        N channels (no cap)
 *   rsc.num          live table vring[0/1].num := 3 (not a power of 2)   ignored until the next boot
 *   rsc.da           live table vring[0/1].da := 0xDEAD0000              ignored until the next boot
 *   rsc.status       live table status := 0 (the host's field)           our link goes down; the host
 *                                                                         sees a broken vdev → crashed
 *   db.storm N       N doorbells to the host, back to back               survives, still echoes
 *   db.bad N         N doorbells with notifyid 0x7FFF                    survives, still echoes
 *
 * Each command is acknowledged first ("ack <command>\n" to the sender) and carried out right
 * after that reply went out, inside the endpoint callback, so whatever the host sends next
 * is handled after the corruption. Any other message gets the info line
 * "fw=fw_chaos build=<FW_BUILD_ID> uptime_ms=<n>\n". The firmware's own state is left alone:
 * after a ring corruption it goes on as if nothing happened, which is what a buggy or
 * malicious peer does; only the host's reset (LCM) gets the two sides back in step.
 *
 * Build definitions: FW_NAME, FW_BUILD_ID (string literals).
 */
#include "fw_app.h"
#include "mmamp/virtio_ring.h"
#include "mmamp/vring.h"

#if !defined(FW_NAME) || !defined(FW_BUILD_ID)
#error "fw_chaos: define FW_NAME and FW_BUILD_ID (string literals)"
#endif

static struct mmamp_rpmsg_ept ept_tty, ept_raw, ept_info;

/* The command being carried out (by info_cb, right after its acknowledgment went out). */
static char pending[32];

/* The freestanding runtime has mem* only (ports/sim/libc_min.c). */
static size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static bool is(const char *a, const char *b)
{
	size_t n = str_len(b);

	return str_len(a) == n && !memcmp(a, b, n);
}

static bool has_dot(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.')
			return true;
	return false;
}

static int echo_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	(void)fw_send_while_up(ept, src, data, len);
	return 0;
}

static uint32_t parse_u32(const char *p, const char *end)
{
	uint32_t v = 0;

	while (p < end && *p == ' ')
		p++;
	while (p < end && *p >= '0' && *p <= '9')
		v = v * 10u + (uint32_t)(*p++ - '0');
	return v;
}

static void chaos(const char *cmd, uint32_t arg, uint32_t peer);

static int info_cb(struct mmamp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	const char *msg = data;
	char line[FW_INFO_LINE_MAX > 64 ? FW_INFO_LINE_MAX : 64];
	size_t word = 0;

	(void)priv;
	while (word < len && msg[word] != ' ' && msg[word] != '\n')
		word++;
	/* a command is a word with a dot in it: "used.idx", "ns.flood 100" */
	if (word > 2 && word < sizeof(pending) && has_dot(msg, word) && !pending[0]) {
		memcpy(line, "ack ", 4);
		memcpy(line + 4, msg, word);
		line[4 + word] = '\n';
		if (mmamp_rpmsg_sendto_timeout(ept, src, line, word + 5, FW_TX_TIMEOUT_US) == 0) {
			memcpy(pending, msg, word);
			pending[word] = '\0';
			chaos(pending, parse_u32(msg + word, msg + len), src);
			pending[0] = '\0';
		}
		return 0;
	}
	mmamp_rpmsg_sendto_timeout(ept, src, line, fw_info_line(line, fw_uptime_ms()),
				   FW_TX_TIMEOUT_US);
	return 0;
}

/* ---- the corruptions ---- */

static void ring_host(uint32_t notifyid)
{
	FW_DOORBELL_OPS.send(&fw_doorbell, notifyid);
}

/* Publish one raw used entry {id, len} on @vq (our device side of it), ahead of our own
 * bookkeeping, and ring the host. */
static void raw_used(struct mmamp_vq *vq, uint32_t notifyid, uint32_t id, uint32_t len)
{
	uint16_t idx = MMAMP_SHM_READ(vq->used->idx);

	MMAMP_SHM_WRITE(vq->used->ring[idx & vq->mask].id, id);
	MMAMP_SHM_WRITE(vq->used->ring[idx & vq->mask].len, len);
	MMAMP_SHM_PUBLISH(vq->used->idx, (uint16_t)(idx + 1u));
	vq->next_used = (uint16_t)(idx + 1u); /* our next return must not overwrite it */
	ring_host(notifyid);
}

static void jump_used_idx(struct mmamp_vq *vq, uint32_t notifyid)
{
	uint16_t idx = MMAMP_SHM_READ(vq->used->idx);

	MMAMP_SHM_PUBLISH(vq->used->idx, (uint16_t)(idx + 0x1000u));
	vq->next_used = (uint16_t)(idx + 0x1000u);
	ring_host(notifyid);
}

/*
 * Send a message whose header or used length we write ourselves: a buffer the host posted on
 * vring0, taken through the ring as usual, returned with @used_len.
 */
static void raw_message(uint32_t src, uint32_t dst, uint16_t hdr_len, const void *payload,
			size_t n, uint32_t used_len)
{
	struct mmamp_rpmsg_dev *rdev = fw_rdev();
	struct mmamp_vq_buf buf;
	struct mmamp_rpmsg_hdr *h;

	if (mmamp_vq_get_avail(&rdev->svq, &buf) || buf.len < 16u + n) {
		fw_say("raw message: no buffer\n");
		return;
	}
	h = buf.data;
	MMAMP_SHM_WRITE(h->src, src);
	MMAMP_SHM_WRITE(h->dst, dst);
	MMAMP_SHM_WRITE(h->reserved, 0u);
	MMAMP_SHM_WRITE(h->len, hdr_len);
	MMAMP_SHM_WRITE(h->flags, (uint16_t)0);
	memcpy(h + 1, payload, n);
	mmamp_vq_put_used(&rdev->svq, buf.head, used_len);
	ring_host(rdev->svq_notifyid);
}

static void ns_send(const char *name, size_t name_len, uint32_t addr, uint32_t flags, size_t size)
{
	struct mmamp_rpmsg_ns_msg ns;

	memset(&ns, 0, sizeof(ns));
	memcpy(ns.name, name, name_len < sizeof(ns.name) ? name_len : sizeof(ns.name));
	ns.addr = addr;
	ns.flags = flags;
	mmamp_rpmsg_sendto_timeout(&ept_info, MMAMP_RPMSG_NS_ADDR, &ns, size, FW_TX_TIMEOUT_US);
}

static struct mmamp_fw_rsc_vdev *vdev(void)
{
	return fw_rdev()->vdev;
}

static void chaos(const char *cmd, uint32_t arg, uint32_t peer)
{
	struct mmamp_rpmsg_dev *rdev = fw_rdev();
	static const char hello[] = "chaos";

	fw_say("chaos: ");
	mmamp_port_puts(cmd);
	mmamp_port_puts("\n");
	if (is(cmd, "used.idx")) {
		jump_used_idx(&rdev->svq, rdev->svq_notifyid);
	} else if (is(cmd, "used.id")) {
		raw_used(&rdev->svq, rdev->svq_notifyid, 0x12345u, 16u);
	} else if (is(cmd, "used.len")) {
		struct mmamp_vq_buf buf;

		if (mmamp_vq_get_avail(&rdev->svq, &buf) == 0)
			raw_used(&rdev->svq, rdev->svq_notifyid, buf.head, 4096u);
	} else if (is(cmd, "tx.used.id")) {
		raw_used(&rdev->rvq, rdev->svq_notifyid, (uint32_t)(rdev->rvq.num - 1u), 0u);
	} else if (is(cmd, "tx.used.idx")) {
		jump_used_idx(&rdev->rvq, rdev->svq_notifyid);
	} else if (is(cmd, "hdr.len")) {
		raw_message(FW_ADDR_INFO, peer, 4000u, hello, sizeof(hello), 16u + sizeof(hello));
	} else if (is(cmd, "hdr.dst")) {
		raw_message(FW_ADDR_INFO, 7777u, sizeof(hello), hello, sizeof(hello),
			    16u + sizeof(hello));
	} else if (is(cmd, "hdr.src")) {
		raw_message(MMAMP_RPMSG_ADDR_ANY, peer, sizeof(hello), hello, sizeof(hello),
			    16u + sizeof(hello));
	} else if (is(cmd, "used.short")) {
		raw_message(FW_ADDR_INFO, peer, sizeof(hello), hello, sizeof(hello), 8u);
	} else if (is(cmd, "ns.badname")) {
		char name[32];

		for (unsigned i = 0; i < sizeof(name); i++)
			name[i] = (char)(i & 1u ? 0xFF : 0x01 + i);
		ns_send(name, sizeof(name), 61u, MMAMP_RPMSG_NS_CREATE, sizeof(struct mmamp_rpmsg_ns_msg));
	} else if (is(cmd, "ns.empty")) {
		ns_send("", 0, 62u, MMAMP_RPMSG_NS_CREATE, sizeof(struct mmamp_rpmsg_ns_msg));
	} else if (is(cmd, "ns.short")) {
		ns_send("short", 5, 63u, MMAMP_RPMSG_NS_CREATE, sizeof(struct mmamp_rpmsg_ns_msg) - 1u);
	} else if (is(cmd, "ns.destroy")) {
		ns_send(ept_tty.name, str_len(ept_tty.name), FW_ADDR_TTY, MMAMP_RPMSG_NS_DESTROY,
			sizeof(struct mmamp_rpmsg_ns_msg));
	} else if (is(cmd, "ns.flood")) {
		for (uint32_t i = 0; i < arg; i++) {
			char name[24] = "flood-";

			*fw_put_dec(name + 6, i) = '\0';
			ns_send(name, str_len(name), 2000u + i, MMAMP_RPMSG_NS_CREATE,
				sizeof(struct mmamp_rpmsg_ns_msg));
		}
	} else if (is(cmd, "rsc.num")) {
		MMAMP_SHM_WRITE(vdev()->vring[0].num, 3u);
		MMAMP_SHM_WRITE(vdev()->vring[1].num, 3u);
	} else if (is(cmd, "rsc.da")) {
		MMAMP_SHM_WRITE(vdev()->vring[0].da, 0xDEAD0000u);
		MMAMP_SHM_WRITE(vdev()->vring[1].da, 0xDEAD0000u);
	} else if (is(cmd, "rsc.status")) {
		__atomic_store_n(&vdev()->status, (uint8_t)0, __ATOMIC_RELEASE);
	} else if (is(cmd, "db.storm")) {
		for (uint32_t i = 0; i < arg; i++)
			ring_host(rdev->svq_notifyid);
	} else if (is(cmd, "db.bad")) {
		for (uint32_t i = 0; i < arg; i++)
			ring_host(0x7FFFu);
	} else {
		fw_say("chaos: unknown command\n");
	}
	fw_say("chaos: done\n");
}

static void on_event(struct mmamp_remote *r, int ev, void *ctx)
{
	(void)r;
	(void)ctx;
	if (ev == MMAMP_RPMSG_LINK_UP) {
		fw_say("link up\n");
	} else if (ev == MMAMP_RPMSG_LINK_DOWN) {
		fw_say("link down\n");
		pending[0] = '\0';
	} else {
		fw_say_errno("rpmsg error -", ev);
	}
}

int fw_main(void)
{
	static const struct mmamp_shm shm = FW_SHM_INIT;
	struct mmamp_rpmsg_dev *rdev = fw_rdev();
	int ret;

	fw_boot_ns = mmamp_port_now_ns();
	fw_say("boot build=" FW_BUILD_ID "\n");
	/* the host loaded us: the live table is there (no attach mode in this firmware) */
	ret = fw_bring_up(&shm, false, on_event, NULL);
	if (ret)
		return ret;
	ret = mmamp_rpmsg_ept_init(&ept_info, rdev, "mmamp-info", FW_ADDR_INFO,
					   MMAMP_RPMSG_ADDR_ANY, info_cb, NULL);
	if (!ret)
		ret = mmamp_rpmsg_ept_init(&ept_raw, rdev, "rpmsg-raw", FW_ADDR_RAW,
					   MMAMP_RPMSG_ADDR_ANY, echo_cb, NULL);
	if (!ret)
		ret = mmamp_rpmsg_ept_init(&ept_tty, rdev, "rpmsg-virtual-tty-channel-1", FW_ADDR_TTY,
					   MMAMP_RPMSG_ADDR_ANY, echo_cb, NULL);
	if (ret)
		return fw_init_failed(ret);
	return mmamp_remote_run(&fw_remote);
}
