/*
 * test_mu_model.c — the MU register model (ports/sim/mu_model.h) in one process: register
 * offsets and bit positions against docs/sim-platform.md "MU" (typed in here as numbers, not taken from the
 * header), every register semantic, when an interrupt line rises and when it must not, the
 * doorbell value and the TE wait. The cross-process behaviour is test_mu_xproc's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mu_model.h"

#define A MU_SIDE_A
#define B MU_SIDE_B

static _Alignas(4096) uint8_t page_mem[4096];
static struct mu mu;

static unsigned wakes[2];
static uint32_t *last_woken;

static void record_wake(uint32_t *line)
{
	last_woken = line;
	if (line == mu_irq_line(&mu, A))
		wakes[A]++;
	else if (line == mu_irq_line(&mu, B))
		wakes[B]++;
	else
		fail_msg("wake on something that is not a line word");
}

/* Raw register access at the MU's register offsets (docs/sim-platform.md): side A at +0x000, side B at +0x100. */
static uint32_t reg(unsigned side, unsigned off)
{
	uint32_t v;

	memcpy(&v, page_mem + side * 0x100u + off, 4);
	return v;
}

static void poke(unsigned side, unsigned off, uint32_t v)
{
	memcpy(page_mem + side * 0x100u + off, &v, 4);
}

static uint32_t line_word(unsigned side)
{
	uint32_t v;

	memcpy(&v, page_mem + 0x200u + side * 0x40u, 4);
	return v;
}

static int setup(void **state)
{
	(void)state;
	memset(page_mem, 0xA5, sizeof(page_mem)); /* reset must not depend on a zeroed page... */
	memset(page_mem + 0x200, 0, 0x80);        /* ...except the line counters, which it keeps */
	mu_attach(&mu, page_mem, record_wake);
	mu_reset(&mu);
	wakes[A] = wakes[B] = 0;
	last_woken = NULL;
	return 0;
}

static void test_bit_positions(void **state)
{
	(void)state;
	/* SR: GIPn = 31-n, RFn = 27-n, TEn = 23-n, BRDIP = 9. Channel 1 is the doorbell. */
	assert_int_equal(MU_SR_GIP(0), 0x80000000u);
	assert_int_equal(MU_SR_GIP(1), 0x40000000u);
	assert_int_equal(MU_SR_GIP(3), 0x10000000u);
	assert_int_equal(MU_SR_RF(0), 0x08000000u);
	assert_int_equal(MU_SR_RF(1), 0x04000000u);
	assert_int_equal(MU_SR_RF(3), 0x01000000u);
	assert_int_equal(MU_SR_TE(0), 0x00800000u);
	assert_int_equal(MU_SR_TE(1), 0x00400000u);
	assert_int_equal(MU_SR_TE(3), 0x00100000u);
	assert_int_equal(MU_SR_BRDIP, 0x00000200u);
	/* CR: GIEn = 31-n, RIEn = 27-n, TIEn = 23-n, GIRn = 19-n. */
	assert_int_equal(MU_CR_GIE(1), 0x40000000u);
	assert_int_equal(MU_CR_RIE(1), 0x04000000u);
	assert_int_equal(MU_CR_TIE(1), 0x00400000u);
	assert_int_equal(MU_CR_GIR(0), 0x00080000u);
	assert_int_equal(MU_CR_GIR(1), 0x00040000u);
	assert_int_equal(MU_CR_GIR(3), 0x00010000u);
	/* Register offsets (imx6sx). */
	assert_int_equal(MU_TR(0), 0x00);
	assert_int_equal(MU_TR(3), 0x0C);
	assert_int_equal(MU_RR(0), 0x10);
	assert_int_equal(MU_RR(1), 0x14);
	assert_int_equal(MU_SR, 0x20);
	assert_int_equal(MU_CR, 0x24);
	assert_int_equal(sizeof(struct mu_page), 4096);
}

static void test_reset_state(void **state)
{
	(void)state;
	for (unsigned s = 0; s < 2; s++) {
		assert_int_equal(reg(s, 0x20), 0x00F00000u); /* TE0..3 set, RF/GIP clear */
		assert_int_equal(reg(s, 0x24), 0u);
		for (unsigned n = 0; n < 4; n++)
			assert_int_equal(reg(s, 0x10 + 4 * n), 0u);
	}
	assert_true(mu_is_reset(&mu));
	assert_memory_equal(page_mem + 0x280, "MUSM", 4);
	assert_int_equal(line_word(A), 0);
	assert_int_equal(line_word(B), 0);

	memset(page_mem + 0x280, 0, 8); /* a page nobody reset (e.g. a fresh memfd) */
	assert_false(mu_is_reset(&mu));
}

static void test_tr_to_peer_rr_every_channel(void **state)
{
	(void)state;
	for (unsigned s = 0; s < 2; s++) {
		unsigned p = s ^ 1u;

		for (unsigned n = 0; n < 4; n++) {
			uint32_t v = 0x11110000u * (n + 1) + s;

			mu_write_tr(&mu, s, n, v);
			assert_int_equal(reg(p, 0x10 + 4 * n), v);           /* peer RRn */
			assert_int_equal(reg(p, 0x20), 0x00F00000u | (1u << (27 - n)));
			assert_int_equal(reg(s, 0x20), 0x00F00000u & ~(1u << (23 - n)));
			assert_int_equal(reg(s, 0x00 + 4 * n), v);           /* own TRn mirror */

			assert_int_equal(mu_read_rr(&mu, p, n), v);
			assert_int_equal(reg(p, 0x20), 0x00F00000u);         /* RFn cleared */
			assert_int_equal(reg(s, 0x20), 0x00F00000u);         /* TEn re-asserted */
		}
	}
	/* No enable bit was set: no line ever rose. */
	assert_int_equal(line_word(A), 0);
	assert_int_equal(line_word(B), 0);
	assert_int_equal(wakes[A] + wakes[B], 0);
}

static void test_rie_raises_peer_line_on_rf(void **state)
{
	(void)state;
	mu_set_cr(&mu, B, 0x04000000u); /* B: RIE1 */
	assert_int_equal(reg(B, 0x24), 0x04000000u);
	assert_int_equal(line_word(B), 0); /* nothing pending: enabling raises nothing */

	mu_write_tr(&mu, A, 0, 1); /* channel 0: RIE0 is not set */
	assert_int_equal(line_word(B), 0);
	assert_int_equal(mu_irq_pending(&mu, B), 0);

	mu_write_tr(&mu, A, 1, 2);
	assert_int_equal(line_word(B), 1);
	assert_int_equal(wakes[B], 1);
	assert_ptr_equal(last_woken, page_mem + 0x240);
	assert_int_equal(mu_irq_pending(&mu, B), 0x04000000u);
	assert_int_equal(line_word(A), 0);

	/* RF1 already set (the level is already high): no second edge. */
	mu_write_tr(&mu, A, 1, 3);
	assert_int_equal(line_word(B), 1);

	mu_read_rr(&mu, B, 1);
	mu_read_rr(&mu, B, 0);
	assert_int_equal(mu_irq_pending(&mu, B), 0);
	assert_int_equal(line_word(A), 0); /* A has no TIE */
	mu_write_tr(&mu, A, 1, 4);
	assert_int_equal(line_word(B), 2);
	assert_int_equal(wakes[B], 2);
}

static void test_tie_raises_writer_line_when_peer_reads(void **state)
{
	(void)state;
	mu_rmw_cr(&mu, A, 0x00400000u, 0); /* A: TIE1 */
	/* TE1 is set at reset, so enabling TIE1 asserts A's line at once (level semantics). */
	assert_int_equal(line_word(A), 1);
	assert_int_equal(mu_irq_pending(&mu, A), 0x00400000u);

	mu_write_tr(&mu, A, 1, 0x50000);
	assert_int_equal(mu_irq_pending(&mu, A), 0);
	assert_int_equal(line_word(A), 1);
	assert_int_equal(mu_read_rr(&mu, B, 1), 0x50000);
	assert_int_equal(line_word(A), 2); /* TE1 rose with TIE1 set */
	assert_int_equal(wakes[A], 2);
	assert_int_equal(mu_irq_pending(&mu, A), 0x00400000u);

	/* Reading RR1 again: TE1 was already set, no edge. */
	mu_read_rr(&mu, B, 1);
	assert_int_equal(line_word(A), 2);
	assert_int_equal(line_word(B), 0);
}

static void test_enable_while_pending_raises_own_line(void **state)
{
	(void)state;
	mu_write_tr(&mu, A, 1, 7);      /* B: RF1 pending, RIE1 clear */
	assert_int_equal(line_word(B), 0);
	mu_set_cr(&mu, B, 0x08000000u); /* RIE0: not the pending source */
	assert_int_equal(line_word(B), 0);
	mu_rmw_cr(&mu, B, 0x04000000u, 0);
	assert_int_equal(reg(B, 0x24), 0x0C000000u);
	assert_int_equal(line_word(B), 1);
	assert_int_equal(wakes[B], 1);
	mu_set_cr(&mu, B, 0x0C000000u); /* already enabled: no edge */
	assert_int_equal(line_word(B), 1);
	mu_rmw_cr(&mu, B, 0, 0x04000000u); /* disable, re-enable: a new edge */
	assert_int_equal(reg(B, 0x24), 0x08000000u);
	mu_rmw_cr(&mu, B, 0x04000000u, 0);
	assert_int_equal(line_word(B), 2);
	assert_int_equal(line_word(A), 0);
}

static void test_gir_gip(void **state)
{
	(void)state;
	mu_set_cr(&mu, A, 0x00040000u); /* A: GIR1 */
	assert_int_equal(reg(B, 0x20), 0x00F00000u | 0x40000000u); /* B: GIP1 */
	assert_int_equal(reg(A, 0x24), 0x00040000u);               /* GIR1 stays set */
	assert_int_equal(line_word(B), 0);                         /* B has no GIE1 */

	mu_set_cr(&mu, A, 0); /* writing 0 does not withdraw the request */
	assert_int_equal(reg(A, 0x24), 0x00040000u);
	mu_rmw_cr(&mu, A, 0, 0x00040000u);
	assert_int_equal(reg(A, 0x24), 0x00040000u);

	mu_write_sr(&mu, B, 0x80000000u); /* clearing GIP0 (not pending) changes nothing */
	assert_int_equal(reg(B, 0x20), 0x00F00000u | 0x40000000u);
	assert_int_equal(reg(A, 0x24), 0x00040000u);

	mu_write_sr(&mu, B, 0x40000000u); /* w1c GIP1: GIR1 self-clears on A */
	assert_int_equal(reg(B, 0x20), 0x00F00000u);
	assert_int_equal(reg(A, 0x24), 0);

	mu_set_cr(&mu, B, 0x40000000u); /* B: GIE1 */
	assert_int_equal(line_word(B), 0);
	mu_rmw_cr(&mu, A, 0x00040000u, 0);
	assert_int_equal(line_word(B), 1);
	assert_int_equal(mu_irq_pending(&mu, B), 0x40000000u);
	mu_rmw_cr(&mu, A, 0x00040000u, 0); /* already requested: no new edge */
	assert_int_equal(line_word(B), 1);

	/* GIR on channel 3 from B to A lands in A's GIP3 = bit 28. */
	mu_set_cr(&mu, B, 0x40000000u | 0x00010000u);
	assert_int_equal(reg(A, 0x20), 0x00F00000u | 0x10000000u);
	assert_int_equal(line_word(A), 0);
}

static void test_sr_writes(void **state)
{
	(void)state;
	mu_write_tr(&mu, A, 2, 9); /* B: RF2; A: TE2 clear */
	mu_write_sr(&mu, B, 0x0FF00000u); /* RF and TE bits are read-only */
	assert_int_equal(reg(B, 0x20), 0x00F00000u | 0x02000000u);
	mu_write_sr(&mu, A, 0xFFFFFFFFu);
	assert_int_equal(reg(A, 0x20), 0x00F00000u & ~0x00200000u);

	poke(B, 0x20, reg(B, 0x20) | 0x200u); /* BRDIP (the model never sets it) is w1c */
	mu_write_sr(&mu, B, 0x200u);
	assert_int_equal(reg(B, 0x20), 0x00F00000u | 0x02000000u);
}

static void test_irq_pending_is_sr_and_cr(void **state)
{
	(void)state;
	mu_write_tr(&mu, A, 1, 1);
	mu_write_tr(&mu, A, 3, 1);
	mu_set_cr(&mu, B, 0x04000000u | 0x00100000u | 0x000000FFu); /* RIE1, TIE3, junk low bits */
	assert_int_equal(mu_irq_pending(&mu, B), 0x04000000u | 0x00100000u);
	assert_int_equal(mu_get_cr(&mu, B), 0x04000000u | 0x00100000u | 0x000000FFu);
	assert_int_equal(mu_get_sr(&mu, B), 0x00F00000u | 0x04000000u | 0x01000000u);
}

static void test_doorbell(void **state)
{
	uint32_t id = 1234;

	(void)state;
	assert_int_equal(mu_doorbell_recv(&mu, B, &id), -MMAMP_EAGAIN);
	assert_int_equal(id, 1234);
	assert_false(mu_doorbell_pending(&mu, B));

	assert_int_equal(mu_doorbell_send(&mu, A, 5, NULL), 0);
	assert_int_equal(reg(B, 0x14), 0x00050000u); /* RR1 = notifyid << 16 */
	assert_int_equal(reg(A, 0x04), 0x00050000u);
	assert_true(mu_doorbell_pending(&mu, B));
	assert_false(mu_doorbell_pending(&mu, A));
	assert_int_equal(reg(A, 0x20) & 0x00400000u, 0); /* TE1 clear until B reads */
	assert_int_equal(mu_doorbell_recv(&mu, B, &id), 0);
	assert_int_equal(id, 5);
	assert_int_equal(reg(A, 0x20) & 0x00400000u, 0x00400000u);
	assert_false(mu_doorbell_pending(&mu, B));

	assert_int_equal(mu_doorbell_send(&mu, B, 0xFFFF, NULL), 0);
	assert_int_equal(reg(A, 0x14), 0xFFFF0000u);
	assert_int_equal(mu_doorbell_recv(&mu, A, &id), 0);
	assert_int_equal(id, 0xFFFF);

	assert_int_equal(mu_doorbell_send(&mu, B, 0x10000, NULL), -MMAMP_EINVAL);
	assert_false(mu_doorbell_pending(&mu, A));
	assert_int_equal(reg(A, 0x14), 0xFFFF0000u);
}

/* A wait function that plays side B taking the pending doorbell on its third call. */
static unsigned wait_calls;
static int wait_result;

static int wait_then_peer_reads(struct mu *m, unsigned side, uint32_t seq, uint32_t attempt)
{
	assert_ptr_equal(m, &mu);
	assert_int_equal(side, A);
	assert_int_equal(attempt, wait_calls);
	assert_int_equal(seq, mu_irq_seq(&mu, A));
	wait_calls++;
	if (attempt > 10)
		fail_msg("still waiting for TE1 after the peer read RR1");
	if (wait_result)
		return wait_result;
	if (attempt == 2)
		mu_doorbell_recv(&mu, B, NULL);
	return 0;
}

static void test_send_waits_for_te(void **state)
{
	uint32_t id;

	(void)state;
	assert_int_equal(mu_doorbell_send(&mu, A, 1, wait_then_peer_reads), 0);
	assert_int_equal(wait_calls, 0); /* TE1 was set: no wait */
	assert_int_equal(mu_doorbell_send(&mu, A, 2, wait_then_peer_reads), 0);
	assert_int_equal(wait_calls, 3);
	assert_int_equal(mu_doorbell_recv(&mu, B, &id), 0);
	assert_int_equal(id, 2);
}

static void test_send_gives_up_without_overwriting(void **state)
{
	uint32_t id;

	(void)state;
	wait_calls = 0;
	wait_result = -MMAMP_ETIMEDOUT;
	assert_int_equal(mu_doorbell_send(&mu, A, 1, NULL), 0);
	assert_int_equal(mu_doorbell_send(&mu, A, 2, wait_then_peer_reads), -MMAMP_ETIMEDOUT);
	assert_int_equal(wait_calls, 1);
	wait_result = 1; /* a positive "give up" is reported as a timeout too */
	wait_calls = 0;
	assert_int_equal(mu_doorbell_send(&mu, A, 3, wait_then_peer_reads), -MMAMP_ETIMEDOUT);
	wait_result = 0;
	/* Without a wait function the spin is bounded. */
	assert_int_equal(mu_doorbell_send(&mu, A, 4, NULL), -MMAMP_ETIMEDOUT);
	assert_int_equal(mu_wait_te(&mu, A, 1, NULL), -MMAMP_ETIMEDOUT);
	assert_int_equal(mu_wait_te(&mu, A, 0, NULL), 0);
	/* The first doorbell is still there, intact. */
	assert_int_equal(mu_doorbell_recv(&mu, B, &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(mu_doorbell_recv(&mu, B, &id), -MMAMP_EAGAIN);
}

static void test_polling_mode(void **state)
{
	uint32_t id;

	(void)state;
	mu_attach(&mu, page_mem, NULL);
	mu_set_cr(&mu, B, 0x04000000u);
	assert_int_equal(mu_doorbell_send(&mu, A, 9, NULL), 0);
	assert_int_equal(line_word(B), 1); /* the line still counts; nobody is woken */
	assert_int_equal(wakes[A] + wakes[B], 0);
	assert_true(mu_doorbell_pending(&mu, B));
	assert_int_equal(mu_doorbell_recv(&mu, B, &id), 0);
	assert_int_equal(id, 9);
	mu_set_cr(&mu, B, 0);
	assert_int_equal(mu_doorbell_send(&mu, A, 10, NULL), 0);
	assert_int_equal(line_word(B), 1);
	assert_int_equal(mu_doorbell_recv(&mu, B, &id), 0);
	assert_int_equal(id, 10);
}

static void test_reset_keeps_line_counters(void **state)
{
	(void)state;
	mu_set_cr(&mu, B, 0x04000000u);
	mu_write_tr(&mu, A, 1, 1);
	assert_int_equal(line_word(B), 1);
	mu_reset(&mu);
	assert_int_equal(line_word(B), 1);
	assert_int_equal(reg(B, 0x20), 0x00F00000u);
	assert_int_equal(reg(B, 0x24), 0);
	assert_int_equal(reg(B, 0x14), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bit_positions, setup),
		cmocka_unit_test_setup(test_reset_state, setup),
		cmocka_unit_test_setup(test_tr_to_peer_rr_every_channel, setup),
		cmocka_unit_test_setup(test_rie_raises_peer_line_on_rf, setup),
		cmocka_unit_test_setup(test_tie_raises_writer_line_when_peer_reads, setup),
		cmocka_unit_test_setup(test_enable_while_pending_raises_own_line, setup),
		cmocka_unit_test_setup(test_gir_gip, setup),
		cmocka_unit_test_setup(test_sr_writes, setup),
		cmocka_unit_test_setup(test_irq_pending_is_sr_and_cr, setup),
		cmocka_unit_test_setup(test_doorbell, setup),
		cmocka_unit_test_setup(test_send_waits_for_te, setup),
		cmocka_unit_test_setup(test_send_gives_up_without_overwriting, setup),
		cmocka_unit_test_setup(test_polling_mode, setup),
		cmocka_unit_test_setup(test_reset_keeps_line_counters, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
