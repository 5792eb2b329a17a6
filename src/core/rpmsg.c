/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmsg.c — RPMsg endpoints, name service, copy and zero-copy send/receive over two virtqueues,
 * for the host (driver) and remote (device) roles; the remote follows the vdev status in the
 * live resource table. Wire format and rules: mmamp/rpmsg.h, docs/protocol.md §3.
 */
#include "mmamp/rpmsg.h"

#include <string.h>

#include "mmamp/errno.h"
#include "mmamp/port.h"
#include "hot.h"
#include "vring_dev.h"

#ifdef MMAMP_PORT_CORTEX_M
/* The default payload copy (mmamp/port.h): a port links a faster one under the same name. */
__attribute__((weak)) void *mmamp_port_copy(void *dst, const void *src, size_t n)
{
	return memcpy(dst, src, n);
}
#endif

/* Why the remote could not bring the link up (rdev->link_error). */
enum link_error {
	LINK_OK = 0,
	LINK_BAD_GEOMETRY, /* vring num/align the rings cannot have */
	LINK_BAD_DA,       /* vring da outside the shared window */
	LINK_BAD_VRINGS,   /* num_of_vrings rewritten below the two RPMsg needs */
};

#define LINK_ERROR(code, vring) ((uint8_t)((code) | ((vring) << 4)))

/* The host role's branches; a remote-only build (MMAMP_CONFIG_HOST_ROLE 0) has none. */
#define IS_HOST(rdev) (MMAMP_CONFIG_HOST_ROLE && (rdev)->is_host)

/* The static link's layout; a table-only build (MMAMP_CONFIG_STATIC_LINK 0) has no branches. */
#define LAYOUT(rdev) (MMAMP_CONFIG_STATIC_LINK ? (rdev)->layout : NULL)

static bool feature(uint32_t features, unsigned int bit)
{
	return (features >> bit) & 1u;
}

static uint8_t *host_buf(uint8_t *pool, uint16_t head)
{
	return pool + (size_t)head * MMAMP_RPMSG_BUF_SIZE;
}

/*
 * A buffer the host placed must hold a header at the header's alignment: any address inside
 * the window passes translation, and a misaligned one would make every header access an
 * unaligned (undefined, on some cores faulting) load or store.
 */
static bool hdr_aligned(const void *p)
{
	return ((uintptr_t)p & (_Alignof(struct mmamp_rpmsg_hdr) - 1u)) == 0;
}

MMAMP_HOT int notify_peer(struct mmamp_rpmsg_dev *rdev, struct mmamp_vq *vq, uint32_t notifyid)
{
	/* remote: called only after a return succeeded, so the queue is not broken */
	bool need = IS_HOST(rdev) ? mmamp_vq_kick_prepare(vq) : vq_dev_kick_needed(vq);

	return need ? rdev->ops->notify(rdev->ctx, notifyid) : 0;
}

/* ---- endpoints ---- */

static struct mmamp_rpmsg_ept *ept_find(const struct mmamp_rpmsg_dev *rdev, uint32_t addr)
{
	struct mmamp_rpmsg_ept *e;

	for (e = rdev->epts; e; e = e->next)
		if (e->addr == addr)
			return e;
	return NULL;
}

static uint32_t ept_next_dynamic(struct mmamp_rpmsg_dev *rdev)
{
	uint32_t a = rdev->next_dyn_addr;

	/* Terminates: there are far fewer endpoints than dynamic addresses. */
	while (ept_find(rdev, a))
		a = (a >= MMAMP_RPMSG_ADDR_ANY - 1u) ? MMAMP_RPMSG_RESERVED_ADDRESSES : a + 1u;
	rdev->next_dyn_addr = (a >= MMAMP_RPMSG_ADDR_ANY - 1u) ? MMAMP_RPMSG_RESERVED_ADDRESSES
							    : a + 1u;
	return a;
}

int mmamp_rpmsg_ept_init(struct mmamp_rpmsg_ept *ept, struct mmamp_rpmsg_dev *rdev,
			 const char *name, uint32_t addr, uint32_t dest, mmamp_rpmsg_cb cb,
			 void *priv)
{
	size_t n = 0;

	if (!ept || !rdev || !cb)
		return -MMAMP_EINVAL;
	if (addr == MMAMP_RPMSG_ADDR_ANY)
		addr = ept_next_dynamic(rdev);
	else if (ept_find(rdev, addr) || addr == MMAMP_RPMSG_NS_ADDR)
		return -MMAMP_EADDRINUSE; /* 53 belongs to the name service, negotiated or not yet */

	memset(ept, 0, sizeof(*ept));
	if (name) {
		while (name[n] && n < MMAMP_RPMSG_NAME_SIZE - 1u)
			n++;
		if (name[n])
			return -MMAMP_EINVAL; /* would not fit the 32-byte NS name with its NUL */
		memcpy(ept->name, name, n);
	}
	ept->rdev = rdev;
	ept->cb = cb;
	ept->priv = priv;
	ept->addr = addr;
	ept->dest_addr = dest;
	ept->next = rdev->epts;
	rdev->epts = ept;
	/* A remote endpoint appearing while the link is up is announced right away (or, if that
	 * fails for want of a buffer, at a later poll). */
	if (!IS_HOST(rdev) && ept->name[0]) {
		rdev->announce_pending = 1;
		if (rdev->link_up && rdev->ns)
			mmamp_rpmsg_announce(ept, MMAMP_RPMSG_NS_CREATE);
	}
	return 0;
}

void mmamp_rpmsg_ept_destroy(struct mmamp_rpmsg_ept *ept)
{
	struct mmamp_rpmsg_ept **pp;

	if (!ept || !ept->rdev)
		return;
	if (ept->announced && ept->rdev->link_up)
		mmamp_rpmsg_announce(ept, MMAMP_RPMSG_NS_DESTROY);
	for (pp = &ept->rdev->epts; *pp; pp = &(*pp)->next) {
		if (*pp == ept) {
			*pp = ept->next;
			break;
		}
	}
	ept->rdev = NULL;
}

/* ---- TX buffers ---- */

/*
 * A TX buffer in hand: where its header is, which descriptor carries it and how many bytes it
 * holds. Host: one of our pool buffers. Remote: one the host posted on vring0.
 */
struct tx_slot {
	struct mmamp_rpmsg_hdr *hdr;
	uint32_t cap;
	uint16_t head;
};

/*
 * Remote-side TX buffers reserved but not sent go on a list threaded through the buffers
 * themselves (no RAM): hdr.reserved = head, hdr.len = capacity, hdr.src/dst = link. Buffers we
 * hold are ours, but the link is re-validated on the way out anyway — a host scribbling on
 * them can at worst hand us another buffer inside the window.
 */
static void remote_spare_push(struct mmamp_rpmsg_dev *rdev, const struct tx_slot *s)
{
	struct mmamp_rpmsg_hdr *h = s->hdr;
	uintptr_t link = (uintptr_t)rdev->tx_spare;

	MMAMP_SHM_WRITE(h->reserved, (uint32_t)s->head);
	MMAMP_SHM_WRITE(h->len, (uint16_t)s->cap);
	memcpy(h, &link, sizeof(link)); /* over src/dst: 8 bytes at most */
	rdev->tx_spare = h;
}

/*
 * Whether @h is on the spare list already: a second release of one buffer (an application
 * bug, or one address the host posted under two heads) would close the list into a cycle that
 * hands the same buffer to every send. Bounded and validated like the pop.
 */
static bool remote_spare_has(const struct mmamp_rpmsg_dev *rdev, const struct mmamp_rpmsg_hdr *h)
{
	const struct mmamp_rpmsg_hdr *e = rdev->tx_spare;
	unsigned int tries = mmamp_vq_num(&rdev->svq);
	uintptr_t link;

	while (e && tries--) {
		if (e == h)
			return true;
		memcpy(&link, e, sizeof(link));
		e = (const struct mmamp_rpmsg_hdr *)link;
		if (e && (!hdr_aligned(e) ||
			  !mmamp_shm_contains(&rdev->shm, e, MMAMP_RPMSG_HDR_SIZE)))
			return false;
	}
	return false;
}

static bool remote_spare_pop(struct mmamp_rpmsg_dev *rdev, struct tx_slot *s)
{
	struct mmamp_rpmsg_hdr *h;
	uintptr_t link;
	unsigned int tries = mmamp_vq_num(&rdev->svq);

	/* Bounded: a corrupted list (even a cycle) costs at most num steps, then is dropped. */
	while ((h = rdev->tx_spare) && tries--) {
		memcpy(&link, h, sizeof(link));
		rdev->tx_spare = (struct mmamp_rpmsg_hdr *)link;
		if (rdev->tx_spare &&
		    (!hdr_aligned(rdev->tx_spare) ||
		     !mmamp_shm_contains(&rdev->shm, rdev->tx_spare, MMAMP_RPMSG_HDR_SIZE)))
			rdev->tx_spare = NULL;
		s->hdr = h;
		s->head = (uint16_t)MMAMP_SHM_READ(h->reserved);
		s->cap = MMAMP_SHM_READ(h->len);
		if (s->head < mmamp_vq_num(&rdev->svq) && s->cap >= MMAMP_RPMSG_HDR_SIZE &&
		    s->cap <= MMAMP_RPMSG_BUF_SIZE && mmamp_shm_contains(&rdev->shm, h, s->cap))
			return true;
		rdev->stats.rx_malformed++;
	}
	rdev->tx_spare = NULL;
	return false;
}

static int host_tx_acquire(struct mmamp_rpmsg_dev *rdev, struct tx_slot *s)
{
	uint32_t unused;
	int ret;

	if (rdev->tx_free_count) {
		s->head = rdev->tx_free[--rdev->tx_free_count];
	} else {
		ret = mmamp_vq_get_used(&rdev->svq, &s->head, &unused);
		if (ret)
			return ret == -MMAMP_EAGAIN ? -MMAMP_ENOBUFS : ret;
	}
	s->hdr = (struct mmamp_rpmsg_hdr *)(void *)host_buf(rdev->tx_pool, s->head);
	s->cap = MMAMP_RPMSG_BUF_SIZE;
	return 0;
}

/*
 * The host's RX buffers on vring0. avail.idx is read only once the buffers it counted last
 * time are taken (a Linux host posts all of its 256 at once: one read for them); each buffer
 * is still checked as it is taken (vring_dev.h), and here for what a message needs.
 */
MMAMP_HOT int remote_tx_acquire(struct mmamp_rpmsg_dev *rdev, struct tx_slot *s)
{
	struct mmamp_vq *vq = &rdev->svq;
	struct mmamp_vq_buf b;
	int ret;

	if (vq->fault)
		return -MMAMP_EIO;
	if (rdev->tx_spare) {
		/* spares are buffers we hold: with none held, the list is a scribble */
		if (vq->outstanding && remote_spare_pop(rdev, s))
			return 0;
		rdev->tx_spare = NULL;
	}
	for (;;) {
		if (vq->next_avail == vq->avail_seen) {
			ret = vq_dev_avail(vq);
			if (ret <= 0)
				return ret ? ret : -MMAMP_ENOBUFS;
		}
		ret = vq_dev_take(vq, &b);
		if (ret)
			return ret;
		if (b.device_writable && b.len >= MMAMP_RPMSG_HDR_SIZE && hdr_aligned(b.data))
			break;
		/* Unusable for a message: hand it straight back (as an empty, harmless buffer). */
		rdev->stats.rx_malformed++;
		vq_dev_put(vq, b.head, 0);
	}
	s->hdr = b.data;
	s->cap = b.len;
	s->head = b.head;
	return 0;
}

static int tx_acquire(struct mmamp_rpmsg_dev *rdev, struct tx_slot *s)
{
	if (!rdev->link_up)
		return -MMAMP_ENOTCONN;
	return IS_HOST(rdev) ? host_tx_acquire(rdev, s) : remote_tx_acquire(rdev, s);
}

static uint32_t elapsed_us(struct mmamp_rpmsg_dev *rdev, uint64_t start)
{
	uint64_t d;

	if (!rdev->ops->now_us)
		return 0;
	d = rdev->ops->now_us(rdev->ctx) - start;
	return d > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)d;
}

/* None was free: sleep through ops->wait up to @timeout_us until one is (the slow path). */
static int tx_wait_for_buffer(struct mmamp_rpmsg_dev *rdev, struct tx_slot *s,
			      uint32_t timeout_us)
{
	uint64_t start = 0;
	uint32_t spent;
	int ret = -MMAMP_ENOBUFS, woke;

	/* The clock is read only once we have to wait: the common case costs no clock read. */
	if (ret == -MMAMP_ENOBUFS && timeout_us && rdev->ops->wait && rdev->ops->now_us)
		start = rdev->ops->now_us(rdev->ctx);
	while (ret == -MMAMP_ENOBUFS && timeout_us && rdev->ops->wait) {
		/* Ask the peer to tell us when buffers come back, then re-check (no lost wake-up). */
		if (!mmamp_vq_enable_cb(&rdev->svq)) {
			spent = elapsed_us(rdev, start);
			if (spent >= timeout_us) {
				mmamp_vq_disable_cb(&rdev->svq);
				return -MMAMP_ETIMEDOUT;
			}
			woke = rdev->ops->wait(rdev->ctx, timeout_us - spent);
			mmamp_vq_disable_cb(&rdev->svq);
			ret = tx_acquire(rdev, s);
			if (ret == -MMAMP_ENOBUFS && woke == -MMAMP_ETIMEDOUT)
				return -MMAMP_ETIMEDOUT;
			continue;
		}
		mmamp_vq_disable_cb(&rdev->svq);
		ret = tx_acquire(rdev, s);
	}
	if (ret == -MMAMP_ENOBUFS)
		rdev->stats.tx_no_buf++;
	return ret;
}

/* Acquire a TX buffer, waiting up to @timeout_us while none is free. */
static int tx_acquire_wait(struct mmamp_rpmsg_dev *rdev, struct tx_slot *s, uint32_t timeout_us)
{
	int ret = tx_acquire(rdev, s);

	if (ret != -MMAMP_ENOBUFS)
		return ret; /* the common case: a buffer at once, no clock, no loop */
	return tx_wait_for_buffer(rdev, s, timeout_us);
}

static int tx_commit(struct mmamp_rpmsg_dev *rdev, const struct tx_slot *s, uint32_t src,
		     uint32_t dst, size_t len)
{
	struct mmamp_rpmsg_hdr *h = s->hdr;
	uint32_t total = MMAMP_RPMSG_HDR_SIZE + (uint32_t)len;
	int ret;

	MMAMP_SHM_WRITE(h->src, src);
	MMAMP_SHM_WRITE(h->dst, dst);
	MMAMP_SHM_WRITE(h->reserved, 0u);
	MMAMP_SHM_WRITE(h->len, (uint16_t)len);
	MMAMP_SHM_WRITE(h->flags, (uint16_t)0);
	MMAMP_CACHE_FLUSH(h, total);
	if (IS_HOST(rdev)) {
		ret = mmamp_vq_add(&rdev->svq, s->head, mmamp_shm_da_of(&rdev->shm, h), total, false);
		if (ret)
			return ret;
	} else {
		/* A buffer we hold, head < num: taken just now, or checked by the caller. */
		vq_dev_put(&rdev->svq, s->head, total);
	}
	rdev->stats.tx++;
	return notify_peer(rdev, &rdev->svq, rdev->svq_notifyid);
}

static void tx_cancel(struct mmamp_rpmsg_dev *rdev, const struct tx_slot *s)
{
	if (IS_HOST(rdev))
		rdev->tx_free[rdev->tx_free_count++] = s->head;
	else
		remote_spare_push(rdev, s);
}

int mmamp_rpmsg_sendto(struct mmamp_rpmsg_ept *ept, uint32_t dst, const void *data, size_t len)
{
	return mmamp_rpmsg_sendto_timeout(ept, dst, data, len, 0);
}

int mmamp_rpmsg_send(struct mmamp_rpmsg_ept *ept, const void *data, size_t len)
{
	if (!ept || !ept->rdev)
		return -MMAMP_EINVAL;
	if (ept->dest_addr == MMAMP_RPMSG_ADDR_ANY)
		return -MMAMP_ENOTCONN;
	return mmamp_rpmsg_sendto(ept, ept->dest_addr, data, len);
}

/* Every copy send ends here (announcements too): one call from the application to the ring. */
int mmamp_rpmsg_sendto_timeout(struct mmamp_rpmsg_ept *ept, uint32_t dst, const void *data,
			       size_t len, uint32_t timeout_us)
{
	struct mmamp_rpmsg_dev *rdev;
	struct tx_slot s;
	int ret;

	if (!ept || !ept->rdev)
		return -MMAMP_EINVAL;
	rdev = ept->rdev;
	if (len > MMAMP_RPMSG_MTU)
		return -MMAMP_EMSGSIZE;
	/* The source is ept->addr, never ANY (mmamp_rpmsg_ept_init() hands out another). */
	if (dst == MMAMP_RPMSG_ADDR_ANY || (len && !data))
		return -MMAMP_EINVAL;
	ret = tx_acquire_wait(rdev, &s, timeout_us);
	if (ret)
		return ret;
	if (len > s.cap - MMAMP_RPMSG_HDR_SIZE) {
		/* The host posted a short buffer. Kept as a spare, it would be popped first by
		 * every later send and fail the same way: hand it back empty, as unusable. */
		if (IS_HOST(rdev)) {
			tx_cancel(rdev, &s);
		} else {
			rdev->stats.rx_malformed++;
			vq_dev_put(&rdev->svq, s.head, 0); /* a buffer we hold */
		}
		return -MMAMP_EMSGSIZE;
	}
	if (len)
		MMAMP_PAYLOAD_COPY(s.hdr + 1, data, len);
	return tx_commit(rdev, &s, ept->addr, dst, len);
}

int mmamp_rpmsg_announce(struct mmamp_rpmsg_ept *ept, uint32_t flags)
{
	struct mmamp_rpmsg_ns_msg msg;
	int ret;

	if (!ept || !ept->rdev || !ept->name[0] || flags > MMAMP_RPMSG_NS_DESTROY)
		return -MMAMP_EINVAL;
	if (!ept->rdev->ns)
		return -MMAMP_EOPNOTSUPP;
	memset(&msg, 0, sizeof(msg));
	memcpy(msg.name, ept->name, sizeof(msg.name));
	msg.addr = ept->addr;
	msg.flags = flags;
	ret = mmamp_rpmsg_sendto_timeout(ept, MMAMP_RPMSG_NS_ADDR, &msg, sizeof(msg), 0);
	if (!ret)
		ept->announced = flags == MMAMP_RPMSG_NS_CREATE;
	return ret;
}

void *mmamp_rpmsg_get_tx_buffer(struct mmamp_rpmsg_ept *ept, uint32_t *size, uint32_t timeout_us,
				int *err)
{
	struct tx_slot s;
	int ret;

	if (!ept || !ept->rdev || !size) {
		ret = -MMAMP_EINVAL;
	} else {
		ret = tx_acquire_wait(ept->rdev, &s, timeout_us);
		if (!ret) {
			/* Remember the descriptor in the buffer we now own (cleared at send). */
			MMAMP_SHM_WRITE(s.hdr->reserved, (uint32_t)s.head);
			MMAMP_SHM_WRITE(s.hdr->len, (uint16_t)s.cap);
			*size = s.cap - MMAMP_RPMSG_HDR_SIZE;
			if (*size > MMAMP_RPMSG_MTU)
				*size = MMAMP_RPMSG_MTU;
		}
	}
	if (err)
		*err = ret;
	return ret ? NULL : (void *)(s.hdr + 1);
}

/* Recover the slot of a buffer handed out by mmamp_rpmsg_get_tx_buffer(). */
static int tx_slot_of(struct mmamp_rpmsg_dev *rdev, void *data, struct tx_slot *s)
{
	struct mmamp_rpmsg_hdr *h;
	size_t off;

	if (!data)
		return -MMAMP_EINVAL;
	h = (struct mmamp_rpmsg_hdr *)data - 1;
	if (IS_HOST(rdev)) {
		off = (size_t)((uint8_t *)h - rdev->tx_pool);
		if ((uint8_t *)h < rdev->tx_pool || off % MMAMP_RPMSG_BUF_SIZE ||
		    off / MMAMP_RPMSG_BUF_SIZE >= rdev->nbufs)
			return -MMAMP_EINVAL;
		s->head = (uint16_t)(off / MMAMP_RPMSG_BUF_SIZE);
		s->cap = MMAMP_RPMSG_BUF_SIZE;
	} else {
		if (!hdr_aligned(h) || !mmamp_shm_contains(&rdev->shm, h, MMAMP_RPMSG_HDR_SIZE))
			return -MMAMP_EINVAL;
		s->head = (uint16_t)MMAMP_SHM_READ(h->reserved);
		s->cap = MMAMP_SHM_READ(h->len);
		if (s->head >= mmamp_vq_num(&rdev->svq) || s->cap < MMAMP_RPMSG_HDR_SIZE ||
		    !mmamp_shm_contains(&rdev->shm, h, s->cap))
			return -MMAMP_EINVAL;
	}
	s->hdr = h;
	return 0;
}

int mmamp_rpmsg_send_nocopy(struct mmamp_rpmsg_ept *ept, uint32_t dst, void *data, size_t len)
{
	struct tx_slot s;
	int ret;

	if (!ept || !ept->rdev || dst == MMAMP_RPMSG_ADDR_ANY)
		return -MMAMP_EINVAL;
	ret = tx_slot_of(ept->rdev, data, &s);
	if (ret)
		return ret;
	if (len > MMAMP_RPMSG_MTU || len > s.cap - MMAMP_RPMSG_HDR_SIZE)
		return -MMAMP_EMSGSIZE;
	if (!ept->rdev->link_up)
		return -MMAMP_ENOTCONN;
	/* tx_commit() returns it as a buffer we hold: what is left of mmamp_vq_put_used()'s
	 * checks for a pointer the application gave back (tx_slot_of() checked head < num) */
	if (!IS_HOST(ept->rdev)) {
		if (ept->rdev->svq.fault)
			return -MMAMP_EIO;
		if (!ept->rdev->svq.outstanding)
			return -MMAMP_EINVAL;
	}
	return tx_commit(ept->rdev, &s, ept->addr, dst, len);
}

/* Host: a TX buffer the caller may give back is neither in flight nor already free. */
static bool host_tx_reserved(const struct mmamp_rpmsg_dev *rdev, uint16_t head)
{
	uint16_t i;

	if (rdev->svq.state[head].len)
		return false;
	for (i = 0; i < rdev->tx_free_count; i++)
		if (rdev->tx_free[i] == head)
			return false;
	return true;
}

int mmamp_rpmsg_release_tx_buffer(struct mmamp_rpmsg_dev *rdev, void *data)
{
	struct tx_slot s;
	int ret;

	if (!rdev)
		return -MMAMP_EINVAL;
	ret = tx_slot_of(rdev, data, &s);
	if (ret)
		return ret;
	if (IS_HOST(rdev) && !host_tx_reserved(rdev, s.head))
		return -MMAMP_EINVAL;
	if (!IS_HOST(rdev) && remote_spare_has(rdev, s.hdr))
		return -MMAMP_EINVAL; /* released twice */
	tx_cancel(rdev, &s);
	return 0;
}

/* ---- receive ---- */

static void ns_receive(struct mmamp_rpmsg_dev *rdev, const uint8_t *payload, uint16_t len)
{
	struct mmamp_rpmsg_ns_msg msg;

	if (len != sizeof(msg)) {
		rdev->stats.rx_malformed++;
		return;
	}
	memcpy(&msg, payload, sizeof(msg)); /* one read of the peer's bytes */
	msg.name[MMAMP_RPMSG_NAME_SIZE - 1] = '\0';
	rdev->stats.rx++;
	if (rdev->ops->ns_bind)
		rdev->ops->ns_bind(rdev, msg.name, msg.addr, msg.flags & MMAMP_RPMSG_NS_DESTROY,
				   rdev->ctx);
}

/* Deliver one received buffer. Returns true if the endpoint holds it. */
static bool deliver(struct mmamp_rpmsg_dev *rdev, struct mmamp_rpmsg_hdr *h, uint32_t buf_len,
		    uint16_t head)
{
	struct mmamp_rpmsg_ept *ept;
	uint32_t src, dst;
	uint16_t len;

	if (buf_len < MMAMP_RPMSG_HDR_SIZE) {
		rdev->stats.rx_malformed++;
		return false;
	}
	src = MMAMP_SHM_READ(h->src);
	dst = MMAMP_SHM_READ(h->dst);
	len = MMAMP_SHM_READ(h->len);
	if (len > buf_len - MMAMP_RPMSG_HDR_SIZE || len > MMAMP_RPMSG_MTU) {
		rdev->stats.rx_malformed++;
		return false;
	}
	if (dst == MMAMP_RPMSG_NS_ADDR && rdev->ns) {
		ns_receive(rdev, (const uint8_t *)(h + 1), len);
		return false;
	}
	ept = ept_find(rdev, dst);
	if (!ept) {
		rdev->stats.rx_no_ept++;
		return false;
	}
	if (ept->dest_addr == MMAMP_RPMSG_ADDR_ANY && src != MMAMP_RPMSG_ADDR_ANY) {
		ept->dest_addr = src; /* how a remote learns the host's dynamic address */
		ept->dest_learned = 1;
	}
	rdev->stats.rx++;
	if (ept->cb(ept, h + 1, len, src, ept->priv) != MMAMP_RPMSG_HOLD)
		return false;
	/* What mmamp_rpmsg_release_rx() needs: the descriptor, and (remote) its length. */
	MMAMP_SHM_WRITE(h->reserved, (uint32_t)head | buf_len << 16);
	return true;
}

static int host_rx_repost(struct mmamp_rpmsg_dev *rdev, uint16_t head)
{
	uint8_t *b = host_buf(rdev->rx_pool, head);

	return mmamp_vq_add(&rdev->rvq, head, mmamp_shm_da_of(&rdev->shm, b),
			    MMAMP_RPMSG_BUF_SIZE, true);
}

static int host_rx_one(struct mmamp_rpmsg_dev *rdev)
{
	uint16_t head;
	uint32_t len;
	uint8_t *b;
	int ret = mmamp_vq_get_used(&rdev->rvq, &head, &len);

	if (ret)
		return ret;
	if (head >= rdev->nbufs) /* in flight, so ours — but never posted by init: impossible */
		return -MMAMP_EIO;
	b = host_buf(rdev->rx_pool, head);
	MMAMP_CACHE_INVALIDATE(b, len);
	if (deliver(rdev, (struct mmamp_rpmsg_hdr *)(void *)b, len, head))
		return 0;
	return host_rx_repost(rdev, head);
}

/*
 * Hand a host TX buffer back with used.len = the descriptor's length, not the 0 that virtio
 * prescribes for a buffer the device only read: OpenAMP's master takes that len as the capacity
 * of the buffer it reuses (0 makes it compute 0 - 16), RPMsg-Lite's and OpenAMP's remotes do
 * the same, and Linux ignores it (docs/protocol.md §3.1).
 */
static int remote_rx_return(struct mmamp_rpmsg_dev *rdev, uint16_t head, uint32_t desc_len)
{
	return mmamp_vq_put_used(&rdev->rvq, head, desc_len);
}

/* Take what the host sent (from mmamp/vring.h's rules, vring_dev.h) and deliver it. */
static int remote_rx_drain(struct mmamp_rpmsg_dev *rdev)
{
	struct mmamp_vq *vq = &rdev->rvq;
	struct mmamp_vq_buf b;
	/* Bounded: a peer refilling as fast as we drain must not starve the caller. */
	unsigned int budget = 2u * vq->num, took = 0;
	int n, ret;

	if (vq->fault)
		return -MMAMP_EIO;
	for (;;) {
		/* avail.idx once per round: the messages it counts are taken without a re-read */
		n = vq_dev_avail(vq);
		if (n <= 0) {
			if (n < 0)
				return n;
			break;
		}
		if ((unsigned int)n > budget - took)
			n = (int)(budget - took);
		for (took += (unsigned int)n; n; n--) {
			ret = vq_dev_take(vq, &b);
			if (ret)
				return ret;
			if (!hdr_aligned(b.data))
				rdev->stats.rx_malformed++; /* dropped unread, returned at once */
			else if (deliver(rdev, b.data, b.len, b.head))
				continue;
			/* the descriptor's length, as remote_rx_return() says why */
			vq_dev_put(vq, b.head, b.len);
		}
		/*
		 * Without EVENT_IDX the host rings after every message it posts while our flag
		 * says so: what came during this round brings its own doorbell. With EVENT_IDX it
		 * rings only when it passes the avail_event we wrote at the last take, which it
		 * may have read before that take: look again (full barrier: our store first).
		 */
		if (!vq->event_idx || vq->cb_off || took >= budget)
			break;
		MMAMP_MB();
	}
	return took ? notify_peer(rdev, vq, rdev->rvq_notifyid) : 0;
}

static int rx_drain(struct mmamp_rpmsg_dev *rdev)
{
	/* Bounded: a peer refilling as fast as we drain must not starve the caller. */
	unsigned budget = 2u * mmamp_vq_num(&rdev->rvq), done = 0;
	int ret = 0;

	if (!IS_HOST(rdev))
		return remote_rx_drain(rdev);
	while (done < budget) {
		ret = host_rx_one(rdev);
		if (ret)
			break;
		done++;
	}
	if (ret == -MMAMP_EAGAIN)
		ret = 0;
	if (done && !ret)
		ret = notify_peer(rdev, &rdev->rvq, rdev->rvq_notifyid);
	return ret;
}

int mmamp_rpmsg_release_rx(struct mmamp_rpmsg_dev *rdev, void *data)
{
	struct mmamp_rpmsg_hdr *h;
	size_t off;
	uint32_t head;
	int ret;

	if (!rdev || !data)
		return -MMAMP_EINVAL;
	h = (struct mmamp_rpmsg_hdr *)data - 1;
	if (IS_HOST(rdev)) {
		off = (size_t)((uint8_t *)h - rdev->rx_pool);
		if ((uint8_t *)h < rdev->rx_pool || off % MMAMP_RPMSG_BUF_SIZE ||
		    off / MMAMP_RPMSG_BUF_SIZE >= rdev->nbufs)
			return -MMAMP_EINVAL;
		ret = host_rx_repost(rdev, (uint16_t)(off / MMAMP_RPMSG_BUF_SIZE));
	} else {
		if (!hdr_aligned(h) || !mmamp_shm_contains(&rdev->shm, h, MMAMP_RPMSG_HDR_SIZE))
			return -MMAMP_EINVAL;
		head = MMAMP_SHM_READ(h->reserved);
		if ((head & 0xFFFFu) >= mmamp_vq_num(&rdev->rvq) ||
		    head >> 16 > MMAMP_RPMSG_BUF_SIZE)
			return -MMAMP_EINVAL;
		ret = remote_rx_return(rdev, (uint16_t)head, head >> 16);
	}
	if (ret)
		return ret;
	return notify_peer(rdev, &rdev->rvq, rdev->rvq_notifyid);
}

/* ---- host role ---- */

int mmamp_rpmsg_init_host(struct mmamp_rpmsg_dev *rdev, const struct mmamp_rpmsg_host_config *cfg)
{
	unsigned int vq_flags;
	uint32_t nbufs;
	uint16_t i;
	int ret;

	if (!MMAMP_CONFIG_HOST_ROLE)
		return -MMAMP_EOPNOTSUPP;
	if (!rdev || !cfg || !cfg->shm || !cfg->ops || !cfg->ops->notify || !cfg->buffers ||
	    !cfg->rx_state || !cfg->tx_state || !cfg->tx_free)
		return -MMAMP_EINVAL;
	nbufs = mmamp_rpmsg_host_nbufs(cfg->num);
	if (!mmamp_shm_contains(cfg->shm, cfg->buffers, 2ull * nbufs * MMAMP_RPMSG_BUF_SIZE))
		return -MMAMP_EINVAL;

	memset(rdev, 0, sizeof(*rdev));
	rdev->shm = *cfg->shm;
	vq_flags = feature(cfg->features, MMAMP_VIRTIO_RING_F_EVENT_IDX) ? MMAMP_VQ_F_EVENT_IDX : 0;
	ret = mmamp_vq_init_driver(&rdev->rvq, cfg->vring[0], cfg->num, cfg->align, &rdev->shm,
				   cfg->rx_state, vq_flags);
	if (!ret)
		ret = mmamp_vq_init_driver(&rdev->svq, cfg->vring[1], cfg->num, cfg->align,
					   &rdev->shm, cfg->tx_state, vq_flags);
	if (ret)
		return ret;

	rdev->is_host = 1; /* (kept: IS_HOST) */
	rdev->ops = cfg->ops;
	rdev->ctx = cfg->ctx;
	rdev->ns = feature(cfg->features, MMAMP_VIRTIO_RPMSG_F_NS);
	rdev->rvq_notifyid = cfg->notifyid[0];
	rdev->svq_notifyid = cfg->notifyid[1];
	rdev->next_dyn_addr = MMAMP_RPMSG_RESERVED_ADDRESSES;
	rdev->nbufs = (uint16_t)nbufs;
	rdev->rx_pool = cfg->buffers;
	rdev->tx_pool = rdev->rx_pool + (size_t)nbufs * MMAMP_RPMSG_BUF_SIZE;
	rdev->tx_free = cfg->tx_free;
	/* Hand out low buffers first: pop from the end of a descending stack. */
	for (i = 0; i < nbufs; i++)
		rdev->tx_free[i] = (uint16_t)(nbufs - 1u - i);
	rdev->tx_free_count = (uint16_t)nbufs;

	for (i = 0; i < nbufs; i++) {
		ret = host_rx_repost(rdev, i);
		if (ret)
			return ret;
	}
	/* Linux does not want TX-complete interrupts; it reaps vring1 lazily when it sends. */
	mmamp_vq_disable_cb(&rdev->svq);
	rdev->link_up = 1;
	return 0;
}

int mmamp_rpmsg_host_kick(struct mmamp_rpmsg_dev *rdev)
{
	if (!rdev || !IS_HOST(rdev))
		return -MMAMP_EINVAL;
	return notify_peer(rdev, &rdev->rvq, rdev->rvq_notifyid);
}

/* ---- remote role ---- */

/* A static link's layout is ours, so it is checked once, here, instead of at every link-up. */
static int static_link_check(const struct mmamp_rpmsg_static_link *l, const struct mmamp_shm *shm)
{
	unsigned int i;

	if (mmamp_vq_check_geometry(l->num, l->align))
		return -MMAMP_EINVAL;
	for (i = 0; i < 2; i++)
		if (!mmamp_shm_translate(shm, l->vring_da[i], mmamp_vring_size(l->num, l->align)))
			return -MMAMP_EINVAL;
	return 0;
}

int mmamp_rpmsg_init_remote(struct mmamp_rpmsg_dev *rdev,
			    const struct mmamp_rpmsg_remote_config *cfg)
{
	if (!rdev || !cfg || !cfg->shm || !cfg->vdev == !cfg->layout || !cfg->ops ||
	    !cfg->ops->notify)
		return -MMAMP_EINVAL;
	if (cfg->layout && !MMAMP_CONFIG_STATIC_LINK)
		return -MMAMP_EOPNOTSUPP;
	if (cfg->layout && static_link_check(cfg->layout, cfg->shm))
		return -MMAMP_EINVAL;
	memset(rdev, 0, sizeof(*rdev));
	rdev->shm = *cfg->shm;
	rdev->vdev = cfg->vdev;
	rdev->layout = cfg->layout;
	rdev->ops = cfg->ops;
	rdev->ctx = cfg->ctx;
	rdev->link_epoch = cfg->link_epoch;
	rdev->next_dyn_addr = MMAMP_RPMSG_RESERVED_ADDRESSES;
	return 0;
}

/*
 * Set up the device side of vring @i: from what the host wrote into the live table, or from
 * the static layout both sides were built with.
 */
static int remote_vq_setup(struct mmamp_rpmsg_dev *rdev, unsigned int i, struct mmamp_vq *vq,
			   uint32_t *notifyid, unsigned int flags)
{
	const struct mmamp_rpmsg_static_link *l = LAYOUT(rdev);
	struct mmamp_fw_rsc_vdev_vring *vr = l ? NULL : &rdev->vdev->vring[i];
	uint32_t da = l ? l->vring_da[i] : MMAMP_SHM_READ(vr->da);
	uint32_t align = l ? l->align : MMAMP_SHM_READ(vr->align);
	uint32_t num = l ? l->num : MMAMP_SHM_READ(vr->num);
	int ret;

	*notifyid = l ? l->notifyid[i] : MMAMP_SHM_READ(vr->notifyid);
	ret = mmamp_vq_init_device_at(vq, da, num, align, &rdev->shm, MMAMP_RPMSG_BUF_SIZE, flags);
	if (ret) {
		/* -EINVAL: num/align no ring can have; else the ring is not inside the window */
		rdev->link_error = ret == -MMAMP_EINVAL ? LINK_ERROR(LINK_BAD_GEOMETRY, i)
							: LINK_ERROR(LINK_BAD_DA, i);
		rdev->link_error_value = ret == -MMAMP_EINVAL ? num : da;
		return -MMAMP_EPROTO;
	}
	return 0;
}

/* Only we write the epoch: a plain read-modify-write, published with release order. */
static void bump_link_epoch(struct mmamp_rpmsg_dev *rdev)
{
	if (rdev->link_epoch)
		MMAMP_SHM_PUBLISH(*rdev->link_epoch, MMAMP_SHM_READ(*rdev->link_epoch) + 1u);
}

static uint32_t remote_features(const struct mmamp_rpmsg_dev *rdev)
{
	if (LAYOUT(rdev))
		return LAYOUT(rdev)->features;
	return MMAMP_SHM_READ(rdev->vdev->gfeatures) & MMAMP_SHM_READ(rdev->vdev->dfeatures);
}

static int remote_link_up(struct mmamp_rpmsg_dev *rdev)
{
	uint32_t features = remote_features(rdev);
	unsigned int flags = feature(features, MMAMP_VIRTIO_RING_F_EVENT_IDX) ?
			     MMAMP_VQ_F_EVENT_IDX : 0;
	int ret;

	/* Our own table says two vrings; a host that rewrote the count is not to be followed. */
	if (!LAYOUT(rdev) && MMAMP_SHM_READ(rdev->vdev->num_of_vrings) < 2) {
		rdev->link_error = LINK_ERROR(LINK_BAD_VRINGS, 0);
		rdev->link_error_value = MMAMP_SHM_READ(rdev->vdev->num_of_vrings);
		return -MMAMP_EPROTO;
	}
	/* da/num/notifyid are read only now: the host writes them at find_vqs, after boot. */
	ret = remote_vq_setup(rdev, 0, &rdev->svq, &rdev->svq_notifyid, flags);
	if (!ret)
		ret = remote_vq_setup(rdev, 1, &rdev->rvq, &rdev->rvq_notifyid, flags);
	if (ret)
		return ret;
	rdev->ns = feature(features, MMAMP_VIRTIO_RPMSG_F_NS);
	rdev->announce_pending = 1;
	rdev->tx_spare = NULL;
	/* Buffers the host re-posts on vring0 need no doorbell: we look when we send. */
	mmamp_vq_disable_cb(&rdev->svq);
	rdev->link_up = 1;
	bump_link_epoch(rdev); /* odd: ring state exists, before anything is announced */
	return MMAMP_RPMSG_LINK_UP;
}

static void remote_link_down(struct mmamp_rpmsg_dev *rdev)
{
	struct mmamp_rpmsg_ept *e;

	rdev->link_up = 0;
	rdev->tx_spare = NULL;
	for (e = rdev->epts; e; e = e->next) {
		e->announced = 0;
		if (e->dest_learned) {
			e->dest_addr = MMAMP_RPMSG_ADDR_ANY;
			e->dest_learned = 0;
		}
	}
	bump_link_epoch(rdev); /* even: nothing of the old rings is used any more */
}

static int remote_announce_pending(struct mmamp_rpmsg_dev *rdev)
{
	struct mmamp_rpmsg_ept *e;
	int ret;

	if (!rdev->ns) {
		rdev->announce_pending = 0;
		return 0;
	}
	for (e = rdev->epts; e; e = e->next) {
		if (!e->name[0] || e->announced)
			continue;
		ret = mmamp_rpmsg_announce(e, MMAMP_RPMSG_NS_CREATE);
		/* retried at the next poll (a short host buffer was handed back: the next one) */
		if (ret == -MMAMP_ENOBUFS || ret == -MMAMP_EMSGSIZE)
			return 0;
		if (ret)
			return ret;
	}
	rdev->announce_pending = 0; /* every poll after this skips the walk */
	return 0;
}

/*
 * A static link has no status byte: it comes up at the first doorbell after boot, and a master
 * that restarted is recognised by its re-initialised rings — a used index we did not write
 * (Linux-like masters zero it, RPMsg-Lite's sets vring1's to its buffer count; we have sent
 * at least one announcement, so vring0's has moved from either). The link then goes down and
 * comes up again at once: the re-initialisation ends with a doorbell (docs/protocol.md §5).
 */
static int remote_follow_static(struct mmamp_rpmsg_dev *rdev)
{
	if (rdev->link_up) {
		if (!mmamp_vq_used_rewritten(&rdev->svq) && !mmamp_vq_used_rewritten(&rdev->rvq))
			return 0;
		remote_link_down(rdev);
		rdev->kicked = 1;
		return MMAMP_RPMSG_LINK_DOWN;
	}
	if (!rdev->kicked)
		return 0;
	rdev->kicked = 0;
	return remote_link_up(rdev);
}

void mmamp_rpmsg_kicked(struct mmamp_rpmsg_dev *rdev)
{
	rdev->kicked = 1;
}

static int remote_follow_table(struct mmamp_rpmsg_dev *rdev)
{
	/* Acquire: the rings and table fields the host wrote before DRIVER_OK are visible after. */
	uint8_t status = MMAMP_SHM_ACQUIRE(rdev->vdev->status);

	if (rdev->link_up) {
		if (status & MMAMP_VIRTIO_STATUS_DRIVER_OK)
			return 0;
		remote_link_down(rdev); /* host reset the device (status 0) or detached */
		return MMAMP_RPMSG_LINK_DOWN;
	}
	if (!(status & MMAMP_VIRTIO_STATUS_DRIVER_OK)) {
		rdev->link_error = LINK_OK; /* a reset clears a refused configuration */
		return 0;
	}
	if (rdev->link_error)
		return -MMAMP_EPROTO; /* wait for the host to reset before trying again */
	return remote_link_up(rdev);
}

static int remote_follow_status(struct mmamp_rpmsg_dev *rdev)
{
	return LAYOUT(rdev) ? remote_follow_static(rdev) : remote_follow_table(rdev);
}

int mmamp_rpmsg_poll(struct mmamp_rpmsg_dev *rdev)
{
	int event = 0, ret;

	if (!rdev)
		return -MMAMP_EINVAL;
	if (!IS_HOST(rdev)) {
		event = remote_follow_status(rdev);
		if (event < 0 || !rdev->link_up)
			return event;
		ret = rdev->announce_pending ? remote_announce_pending(rdev) : 0;
		if (ret)
			return ret;
	}
	/* A send that broke the TX queue breaks the device: poll is where the owner looks. */
	if (mmamp_vq_is_broken(&rdev->svq))
		return -MMAMP_EIO;
	ret = rx_drain(rdev);
	if (!ret && mmamp_vq_is_broken(&rdev->svq))
		ret = -MMAMP_EIO; /* broken by a send from an endpoint callback */
	return ret ? ret : event;
}

uint32_t mmamp_rpmsg_tx_in_flight(struct mmamp_rpmsg_dev *rdev, uint32_t src)
{
	const struct mmamp_vq *vq = &rdev->svq;
	uint32_t n = 0, unused;
	uint16_t head;

	if (!IS_HOST(rdev) || !vq->state)
		return 0;
	/* first take back what the remote returned (Linux-like, we reap lazily when we send);
	 * a ring the remote broke stops this, and the count stays an upper bound */
	while (rdev->tx_free_count < vq->num &&
	       mmamp_vq_get_used(&rdev->svq, &head, &unused) == 0)
		rdev->tx_free[rdev->tx_free_count++] = head;
	for (head = 0; head < vq->num; head++) {
		const struct mmamp_rpmsg_hdr *h;

		if (!vq->state[head].len)
			continue;
		/* the header is ours but in shared memory: read once, used only to count */
		h = (const struct mmamp_rpmsg_hdr *)(const void *)host_buf(rdev->tx_pool, head);
		if (MMAMP_SHM_READ(h->src) == src)
			n++;
	}
	return n;
}

bool mmamp_rpmsg_work_pending(const struct mmamp_rpmsg_dev *rdev)
{
	uint8_t status;

	if (LAYOUT(rdev)) {
		if (!rdev->link_up)
			return rdev->kicked;
		if (mmamp_vq_used_rewritten(&rdev->svq) || mmamp_vq_used_rewritten(&rdev->rvq))
			return true;
	} else if (!IS_HOST(rdev)) {
		status = MMAMP_SHM_READ(rdev->vdev->status);
		if (!rdev->link_up)
			return (status & MMAMP_VIRTIO_STATUS_DRIVER_OK) ? !rdev->link_error
									 : rdev->link_error != 0;
		if (!(status & MMAMP_VIRTIO_STATUS_DRIVER_OK))
			return true;
	}
	return rdev->link_up && (mmamp_vq_pending(&rdev->rvq) || mmamp_vq_is_broken(&rdev->svq));
}

int mmamp_rpmsg_rx_notify(struct mmamp_rpmsg_dev *rdev, bool on)
{
	if (!rdev)
		return -MMAMP_EINVAL;
	if (on)
		(void)mmamp_vq_enable_cb(&rdev->rvq); /* pending work is found by the next poll */
	else
		mmamp_vq_disable_cb(&rdev->rvq);
	return 0;
}

/* ---- diagnostics ---- */

int mmamp_rpmsg_fault(const struct mmamp_rpmsg_dev *rdev, struct mmamp_diag *d)
{
	unsigned int code = rdev->link_error & 0xFu, vring = rdev->link_error >> 4;

	if (code == LINK_BAD_GEOMETRY)
		return mmamp_diag_set(d, MMAMP_EPROTO, MMAMP_DIAG_S("live vdev vring"), (int)vring, MMAMP_DIAG_S("num/align"),
				      rdev->link_error_value, MMAMP_DIAG_S("is not a usable ring geometry"));
	if (code == LINK_BAD_VRINGS)
		return mmamp_diag_set(d, MMAMP_EPROTO, MMAMP_DIAG_S("live vdev"), MMAMP_DIAG_NO_INDEX,
				      MMAMP_DIAG_S("num_of_vrings"), rdev->link_error_value,
				      MMAMP_DIAG_S("is fewer than the 2 vrings RPMsg needs"));
	if (code == LINK_BAD_DA)
		return mmamp_diag_set(d, MMAMP_EPROTO, MMAMP_DIAG_S("live vdev vring"), (int)vring, MMAMP_DIAG_S("da"),
				      rdev->link_error_value, MMAMP_DIAG_S("puts the ring outside shared memory"));
	if (mmamp_vq_is_broken(&rdev->rvq))
		return mmamp_vq_fault(&rdev->rvq, d);
	if (mmamp_vq_is_broken(&rdev->svq))
		return mmamp_vq_fault(&rdev->svq, d);
	return 0;
}
