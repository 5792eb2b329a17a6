/*
 * test_mu_xproc.c — the MU model between two processes, each mapping the same memfd page at its
 * own address (as mmampd and the sim core do), with the host glue (mu_host.h): shared-futex
 * wakes across processes, no lost edge, and no doorbell lost or overwritten under load.
 *
 *   1. ping-pong: A rings B, B answers, 2,000 times; both sides sleep on their line between
 *      (interrupt mode: RIE1 on both sides).
 *   2. flood: A sends 200,000 doorbells back to back, waiting for TE1 before each (TIE1 +
 *      futex); B must receive exactly 0, 1, 2, ... (mod 2^16), nothing lost or duplicated.
 *
 * Every wait is bounded (10 s); a hang or a lost wake-up fails the test instead of stalling it.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mu_host.h"

#define WAIT_NS   (10ull * 1000000000ull)
#define PINGPONGS 2000u
#define FLOOD     200000u

static int fail(const char *who, const char *what, unsigned i, uint32_t got)
{
	fprintf(stderr, "%s: %s (round %u, got %u)\n", who, what, i, got);
	return 1;
}

/* Take side @side's next doorbell, sleeping on its line; -ETIMEDOUT after WAIT_NS of silence. */
static int recv_wait(struct mu *mu, unsigned side, uint32_t *id)
{
	for (;;) {
		uint32_t seq = mu_irq_seq(mu, side);

		if (mu_doorbell_recv(mu, side, id) == 0)
			return 0;
		if (mu_host_wait_line(mu, side, seq, WAIT_NS) == -ETIMEDOUT &&
		    !mu_doorbell_pending(mu, side))
			return -ETIMEDOUT;
	}
}

static int wait_te_futex(struct mu *mu, unsigned side, uint32_t seq, uint32_t attempt)
{
	(void)attempt;
	/* TIE1 is set on the sender: the peer's read of RR1 raises our line. */
	if (mu_host_wait_line(mu, side, seq, WAIT_NS) == -ETIMEDOUT &&
	    !(mu_get_sr(mu, side) & MU_SR_TE(1)))
		return -ETIMEDOUT;
	return 0;
}

static int side_b(int memfd)
{
	void *page = mmap(NULL, MU_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	struct mu mu;
	uint32_t id;

	if (page == MAP_FAILED)
		return fail("B", "mmap", 0, 0);
	mu_attach(&mu, page, mu_host_wake);
	mu_rmw_cr(&mu, MU_SIDE_B, MU_CR_RIE(1) | MU_CR_TIE(1), 0);
	for (unsigned i = 0; i < PINGPONGS; i++) {
		if (recv_wait(&mu, MU_SIDE_B, &id))
			return fail("B", "ping never came", i, 0);
		if (id != (i & 0xFFFFu))
			return fail("B", "wrong ping", i, id);
		if (mu_doorbell_send(&mu, MU_SIDE_B, id ^ 0x5A5Au, wait_te_futex))
			return fail("B", "A never took the pong", i, 0);
	}
	for (unsigned i = 0; i < FLOOD; i++) {
		if (recv_wait(&mu, MU_SIDE_B, &id))
			return fail("B", "flood stalled", i, 0);
		if (id != (i & 0xFFFFu))
			return fail("B", "flood value lost or overwritten", i, id);
	}
	return 0;
}

int main(void)
{
	int memfd = memfd_create("mu", MFD_CLOEXEC), pidfd, status;
	struct pollfd pfd;
	struct mu mu;
	void *page;
	uint32_t id;
	pid_t pid;

	if (memfd < 0 || ftruncate(memfd, MU_PAGE_SIZE))
		return perror("memfd"), 1;
	page = mmap(NULL, MU_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (page == MAP_FAILED)
		return perror("mmap"), 1;
	mu_attach(&mu, page, mu_host_wake);
	mu_reset(&mu);
	mu_rmw_cr(&mu, MU_SIDE_A, MU_CR_RIE(1) | MU_CR_TIE(1), 0);

	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0)
		_exit(side_b(memfd));

	for (unsigned i = 0; i < PINGPONGS; i++) {
		if (mu_doorbell_send(&mu, MU_SIDE_A, i & 0xFFFFu, wait_te_futex))
			return kill(pid, SIGKILL), fail("A", "B never took the ping", i, 0);
		if (recv_wait(&mu, MU_SIDE_A, &id))
			return kill(pid, SIGKILL), fail("A", "pong never came", i, 0);
		if (id != ((i & 0xFFFFu) ^ 0x5A5Au))
			return kill(pid, SIGKILL), fail("A", "wrong pong", i, id);
	}
	for (unsigned i = 0; i < FLOOD; i++)
		if (mu_doorbell_send(&mu, MU_SIDE_A, i & 0xFFFFu, wait_te_futex))
			return kill(pid, SIGKILL), fail("A", "flood: B stopped reading", i, 0);

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return perror("pidfd_open"), kill(pid, SIGKILL), 1;
	pfd = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	if (poll(&pfd, 1, 10000) != 1)
		return kill(pid, SIGKILL), fail("A", "B did not finish", 0, 0);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return fail("A", "B failed", 0, (uint32_t)status);
	printf("mu xproc: %u ping-pongs and %u flooded doorbells, none lost; line A %u, B %u\n",
	       PINGPONGS, FLOOD, mu_irq_seq(&mu, MU_SIDE_A), mu_irq_seq(&mu, MU_SIDE_B));
	return 0;
}
