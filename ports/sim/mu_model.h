/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ports/sim/mu_model.h — the simulated i.MX Messaging Unit (imx6sx-type MU, docs/sim-platform.md),
 * modelled at register level in one shared 4 KiB page that both "cores" (processes) map.
 *
 * Freestanding: no libc, no OS. Every register access is a C11-style atomic on the shared page,
 * so the model is correct between processes (and threads). The only OS service it needs — waking
 * whoever sleeps on an interrupt line — is a callback the user passes in (the host passes a
 * futex wake, the sim firmware its raw syscall; NULL = polling mode).
 *
 * The page layout, register offsets and bits are in mmamp/wire/mu.h (shared with the host and
 * the board's firmware); this file is the model's behaviour on them.
 *
 * Register semantics, for side s and its peer p = s ^ 1 (channel n = 0..3):
 *   mu_write_tr(s, n, v)  s.TEn := 0; p.RRn := v; p.RFn := 1      IRQ p if p.RIEn and RFn rose
 *   mu_read_rr(s, n)      returns s.RRn; s.RFn := 0; p.TEn := 1    IRQ p if p.TIEn and TEn rose
 *   mu_set_cr(s, v)       s.CR := v, except GIRn: writing 1 requests (p.GIPn := 1, IRQ p if
 *                         p.GIEn), writing 0 has no effect; GIRn self-clears when p clears GIPn.
 *                         Enabling a source that is already pending raises s's own line (level).
 *   mu_write_sr(s, v)     write-1-to-clear of GIPn (which clears p.GIRn) and BRDIP; other SR
 *                         bits are read-only.
 * SR bits:  GIPn = bit 31−n, RFn = bit 27−n, TEn = bit 23−n, BRDIP = bit 9.
 * CR bits:  GIEn = bit 31−n, RIEn = bit 27−n, TIEn = bit 23−n, GIRn = bit 19−n.
 * Reset:    TE0..3 set; RF, GIP, BRDIP clear; CR 0.
 *
 * Interrupt line: side s's interrupt is asserted while (SR & CR & MU_IRQ_MASK) != 0 (GIPn/GIEn,
 * RFn/RIEn, TEn/TIEn share bit positions). The model is level-triggered; the line word is an
 * event counter that is atomically incremented (and woken) whenever that condition gains a bit:
 * a source rises while enabled, or an enable is set while its source is pending. A waiter must
 * therefore snapshot the counter (mu_irq_seq()) *before* testing the condition, and sleep only
 * while the counter still holds the snapshot (futex semantics) — then no edge is ever lost.
 *
 * BRDIP ("peer came out of reset") is defined and clearable but never set by the model.
 */
#ifndef MMAMP_SIM_MU_MODEL_H
#define MMAMP_SIM_MU_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "mmamp/errno.h"
#include "mmamp/wire/mu.h"

/* mu_wait_te() without a wait function gives up after this many polls. */
#define MU_TE_SPIN_LIMIT    (1u << 22)

/**
 * typedef mu_wake_fn - wake every waiter sleeping on interrupt line word @line (FUTEX_WAKE on a
 * shared — not private — futex, since the sleeper is another process). Called after the word
 * was incremented.
 */
typedef void (*mu_wake_fn)(uint32_t *line);

/**
 * struct mu - one side's (or a test's) handle on a mapped MU page. Local to a process: the page
 * is shared, the handle (with its function pointer) is not.
 * @page: the mapped page.
 * @wake: the line waker, or NULL for polling mode (the line words still count).
 */
struct mu {
	struct mu_page *page;
	mu_wake_fn wake;
};

/**
 * typedef mu_wait_fn - called by mu_wait_te() while TEn is clear.
 * @mu:      the MU.
 * @side:    the waiting side.
 * @seq:     the side's line counter, read before TEn was found clear: a futex-based wait may
 *           sleep on mu_irq_line(@mu, @side) while it still holds @seq (useful with TIEn set).
 * @attempt: 0 on the first call, then 1, 2, ...
 * Return: 0 to poll again, or a negative MMAMP_E* error (e.g. -MMAMP_ETIMEDOUT) to give up.
 */
typedef int (*mu_wait_fn)(struct mu *mu, unsigned side, uint32_t seq, uint32_t attempt);

#define MU__LOAD(p)          __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define MU__STORE(p, v)      __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#define MU__OR(p, v)         __atomic_fetch_or((p), (v), __ATOMIC_SEQ_CST)
#define MU__AND(p, v)        __atomic_fetch_and((p), (v), __ATOMIC_SEQ_CST)

static inline void mu__relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ volatile("" ::: "memory");
#endif
}

/** mu_attach() - set up a handle on a mapped page (does not touch the page). */
static inline void mu_attach(struct mu *mu, void *page, mu_wake_fn wake)
{
	mu->page = (struct mu_page *)page;
	mu->wake = wake;
}

/**
 * mu_reset() - put both sides in the reset state and stamp the magic. Done once by the MU's
 * owner (the host) on a fresh page, before either side uses it. The line words are left alone:
 * they only ever count up, so a sleeper never misses a change.
 */
static inline void mu_reset(struct mu *mu)
{
	for (unsigned s = 0; s < 2; s++) {
		struct mu_regs *r = &mu->page->side[s];

		for (unsigned n = 0; n < MU_CHANNELS; n++) {
			MU__STORE(&r->tr[n], 0u);
			MU__STORE(&r->rr[n], 0u);
		}
		MU__STORE(&r->cr, 0u);
		MU__STORE(&r->sr, MU_SR_TE_ALL);
	}
	MU__STORE(&mu->page->version, MU_LAYOUT_VERSION);
	MU__STORE(&mu->page->magic, MU_MAGIC);
}

/** mu_is_reset() - whether the page carries the magic and layout version mu_reset() writes. */
static inline int mu_is_reset(const struct mu *mu)
{
	return MU__LOAD(&mu->page->magic) == MU_MAGIC &&
	       MU__LOAD(&mu->page->version) == MU_LAYOUT_VERSION;
}

/** mu_irq_line() - side @side's interrupt line word (the futex to sleep on). */
static inline uint32_t *mu_irq_line(struct mu *mu, unsigned side)
{
	return &mu->page->line[side & 1u][0];
}

/** mu_irq_seq() - the current value of side @side's line word (snapshot before checking). */
static inline uint32_t mu_irq_seq(const struct mu *mu, unsigned side)
{
	return MU__LOAD(&mu->page->line[side & 1u][0]);
}

/** mu_raise_irq() - one edge on side @side's line: increment the word, then wake its sleepers. */
static inline void mu_raise_irq(struct mu *mu, unsigned side)
{
	uint32_t *line = mu_irq_line(mu, side);

	__atomic_fetch_add(line, 1u, __ATOMIC_SEQ_CST);
	if (mu->wake)
		mu->wake(line);
}

/** mu_get_sr() - read side @side's SR. */
static inline uint32_t mu_get_sr(const struct mu *mu, unsigned side)
{
	return MU__LOAD(&mu->page->side[side & 1u].sr);
}

/** mu_get_cr() - read side @side's CR. */
static inline uint32_t mu_get_cr(const struct mu *mu, unsigned side)
{
	return MU__LOAD(&mu->page->side[side & 1u].cr);
}

/** mu_irq_pending() - the asserted interrupt sources of side @side: SR & CR & MU_IRQ_MASK. */
static inline uint32_t mu_irq_pending(const struct mu *mu, unsigned side)
{
	return mu_get_sr(mu, side) & mu_get_cr(mu, side) & MU_IRQ_MASK;
}

/*
 * CR update on behalf of side @side: bits in @clr cleared, then bits in @set set, atomically
 * (the peer clears our GIRn concurrently). GIRn cannot be cleared by its own side.
 */
static inline void mu__cr_update(struct mu *mu, unsigned side, uint32_t set, uint32_t clr)
{
	unsigned peer = MU_PEER(side & 1u);
	uint32_t *cr = &mu->page->side[side & 1u].cr;
	uint32_t old = MU__LOAD(cr), nv, rose;

	clr &= ~MU_CR_GIR_ALL;
	do {
		nv = (old & ~clr) | set;
	} while (!__atomic_compare_exchange_n(cr, &old, nv, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));

	rose = nv & ~old;
	for (unsigned n = 0; n < MU_CHANNELS; n++) {
		if (rose & MU_CR_GIR(n)) {
			uint32_t was = MU__OR(&mu->page->side[peer].sr, MU_SR_GIP(n));

			if (!(was & MU_SR_GIP(n)) && (mu_get_cr(mu, peer) & MU_CR_GIE(n)))
				mu_raise_irq(mu, peer);
		}
	}
	/* Level semantics: enabling an already pending source asserts our own line. */
	if (rose & MU_IRQ_MASK & mu_get_sr(mu, side))
		mu_raise_irq(mu, side);
}

/** mu_set_cr() - side @side writes @v to its CR (GIRn: 1 requests, 0 has no effect). */
static inline void mu_set_cr(struct mu *mu, unsigned side, uint32_t v)
{
	mu__cr_update(mu, side, v, ~v);
}

/** mu_rmw_cr() - side @side sets @set and clears @clr in its CR atomically (imx_mu_xcr_rmw). */
static inline void mu_rmw_cr(struct mu *mu, unsigned side, uint32_t set, uint32_t clr)
{
	mu__cr_update(mu, side, set, clr);
}

/**
 * mu_write_sr() - side @side writes @v to its SR: 1s in GIPn and BRDIP clear them (clearing
 * GIPn also clears the peer's GIRn); every other SR bit is read-only.
 */
static inline void mu_write_sr(struct mu *mu, unsigned side, uint32_t v)
{
	unsigned peer = MU_PEER(side & 1u);
	uint32_t w1c = v & (MU_SR_GIP_ALL | MU_SR_BRDIP);
	uint32_t was = MU__AND(&mu->page->side[side & 1u].sr, ~w1c);

	for (unsigned n = 0; n < MU_CHANNELS; n++)
		if (was & w1c & MU_SR_GIP(n))
			MU__AND(&mu->page->side[peer].cr, ~MU_CR_GIR(n));
}

/**
 * mu_write_tr() - side @side writes @v to TRn: the peer's RRn takes @v and its RFn sets, our
 * TEn clears until the peer reads RRn; the peer's line rises if RIEn is set there.
 */
static inline void mu_write_tr(struct mu *mu, unsigned side, unsigned n, uint32_t v)
{
	unsigned self = side & 1u, peer = MU_PEER(self);
	uint32_t was;

	n &= MU_CHANNELS - 1u;
	MU__AND(&mu->page->side[self].sr, ~MU_SR_TE(n));
	MU__STORE(&mu->page->side[self].tr[n], v);
	MU__STORE(&mu->page->side[peer].rr[n], v);
	was = MU__OR(&mu->page->side[peer].sr, MU_SR_RF(n));
	if (!(was & MU_SR_RF(n)) && (mu_get_cr(mu, peer) & MU_CR_RIE(n)))
		mu_raise_irq(mu, peer);
}

/**
 * mu_read_rr() - side @side reads RRn: returns the value, clears our RFn and re-asserts the
 * peer's TEn (its line rises if TIEn is set there).
 */
static inline uint32_t mu_read_rr(struct mu *mu, unsigned side, unsigned n)
{
	unsigned self = side & 1u, peer = MU_PEER(self);
	uint32_t v, was;

	n &= MU_CHANNELS - 1u;
	v = MU__LOAD(&mu->page->side[self].rr[n]);
	MU__AND(&mu->page->side[self].sr, ~MU_SR_RF(n));
	was = MU__OR(&mu->page->side[peer].sr, MU_SR_TE(n));
	if (!(was & MU_SR_TE(n)) && (mu_get_cr(mu, peer) & MU_CR_TIE(n)))
		mu_raise_irq(mu, peer);
	return v;
}

/**
 * mu_wait_te() - wait until side @side's TEn is set (the peer consumed the last value).
 * @wait: called while it is clear (see mu_wait_fn); NULL spins up to MU_TE_SPIN_LIMIT polls.
 * Return: 0, @wait's error, or -MMAMP_ETIMEDOUT.
 */
static inline int mu_wait_te(struct mu *mu, unsigned side, unsigned n, mu_wait_fn wait)
{
	n &= MU_CHANNELS - 1u;
	for (uint32_t attempt = 0;; attempt++) {
		uint32_t seq = mu_irq_seq(mu, side);
		int rc;

		if (mu_get_sr(mu, side) & MU_SR_TE(n))
			return 0;
		if (wait) {
			rc = wait(mu, side, seq, attempt);
			if (rc)
				return rc < 0 ? rc : -MMAMP_ETIMEDOUT;
		} else {
			if (attempt >= MU_TE_SPIN_LIMIT)
				return -MMAMP_ETIMEDOUT;
			mu__relax();
		}
	}
}

/**
 * mu_doorbell_send() - ring the peer for vring @notifyid: wait for TE1 (so the previous value
 * is never overwritten, as Linux's imx-mailbox does), then write notifyid << 16 to TR1.
 * Return: 0; -MMAMP_EINVAL if @notifyid > 0xFFFF; or mu_wait_te()'s error (nothing written).
 * One sender per side at a time (callers serialise).
 */
static inline int mu_doorbell_send(struct mu *mu, unsigned side, uint32_t notifyid, mu_wait_fn wait)
{
	int rc;

	if (notifyid > MU_NOTIFYID_MAX)
		return -MMAMP_EINVAL;
	rc = mu_wait_te(mu, side, MU_DOORBELL_CHANNEL, wait);
	if (rc)
		return rc;
	mu_write_tr(mu, side, MU_DOORBELL_CHANNEL, notifyid << MU_DOORBELL_SHIFT);
	return 0;
}

/** mu_doorbell_pending() - whether side @side has an unread doorbell (SR.RF1). */
static inline int mu_doorbell_pending(const struct mu *mu, unsigned side)
{
	return (mu_get_sr(mu, side) & MU_SR_RF(MU_DOORBELL_CHANNEL)) != 0;
}

/**
 * mu_doorbell_recv() - take side @side's doorbell: read RR1 (clearing RF1, freeing the peer's
 * TE1) and return its notifyid (RR1 >> 16) in *@notifyid.
 * Return: 0, or -MMAMP_EAGAIN if none is pending (nothing read).
 */
static inline int mu_doorbell_recv(struct mu *mu, unsigned side, uint32_t *notifyid)
{
	uint32_t v;

	if (!mu_doorbell_pending(mu, side))
		return -MMAMP_EAGAIN;
	v = mu_read_rr(mu, side, MU_DOORBELL_CHANNEL);
	if (notifyid)
		*notifyid = v >> MU_DOORBELL_SHIFT;
	return 0;
}

#endif /* MMAMP_SIM_MU_MODEL_H */
