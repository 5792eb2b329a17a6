/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * measure.h — MeasureMan's measurement model: the timestamp points of the paper's Fig. 4 per
 * message, the sections computed from them, the links a message travels (in-process host
 * library, a TTY), and the measuring loop with payload verification.
 *
 *   t_send    (1) application, just before it writes the message
 *   t_kick    (3) host driver, doorbell rung (just before the MU write)
 *   t_isr     (4) remote ISR entry of the doorbell that brought the message
 *   t_sent    (4) remote, just before the reply is handed to RPMsg
 *   t_db      (3) host driver, doorbell taken (host "ISR" entry)
 *   t_recv    (1) application, the read returned
 *
 *   TTY-write = t_kick - t_send      IPI to remote = t_isr - t_kick   remote processing =
 *   t_sent - t_isr                   IPI to host = t_db - t_sent      TTY-read = t_recv - t_db
 *   round trip = t_recv - t_send (the five sum to it exactly when all points are known)
 *
 * A point a link cannot see is 0; a section is recorded only when both its ends are known and
 * ordered (a stale doorbell time, e.g. a coalesced kick, makes the message "unattributed").
 */
#ifndef MEASUREMAN_MEASURE_H
#define MEASUREMAN_MEASURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"
#include "tool_time.h" /* the clock of every sample: tool_now_ns(), CLOCK_MONOTONIC */

enum mm_section {
	MM_TTY_WRITE,
	MM_TTY_READ,
	MM_IPI_REMOTE,
	MM_IPI_HOST,
	MM_REMOTE_PROC,
	MM_ROUND_TRIP,
	MM_NSECTIONS
};

/** mm_section_name() - "TTY-write", …; mm_section_key() - "tty_write", … (JSON, files). */
const char *mm_section_name(enum mm_section s);
const char *mm_section_key(enum mm_section s);

/*
 * @own_clock: t_isr and t_sent are on the remote's own clock, not the host's (QEMU under
 * -icount: guest time counts instructions), so only remote processing is known among the
 * sections that cross between the cores.
 */
struct mm_sample {
	uint64_t seq;
	uint64_t t_send, t_kick, t_isr, t_sent, t_db, t_recv;
	bool own_clock;
};

/** mm_sample_section() - the section's duration in ns, or -1 when its ends are not known. */
int64_t mm_sample_section(const struct mm_sample *m, enum mm_section s);

/**
 * struct mm_link - one way to get a message to the measurement firmware and back.
 * @roundtrip: send @len bytes of @tx, receive the reply into @rx (same length), fill the host
 *             points of @m (t_send..t_recv except the remote's, which the caller takes from the
 *             reply). Return 0 or a negative errno, with @err saying why.
 * @name:      for the report ("sim in-process (interrupt)", "tty /dev/ttyRPMSG30", …).
 * @remote_offset_ns: added to the remote's points to put them on the host's clock (QEMU: the
 *             guest's timer0 against CLOCK_MONOTONIC, calibrated by the link; 0 in the sim).
 * @remote_offset_err_ns: how far off that offset may be.
 * @remote_own_clock: the remote's points cannot be put on the host's clock (mm_sample).
 */
struct mm_link {
	int (*roundtrip)(struct mm_link *l, const uint8_t *tx, uint8_t *rx, size_t len,
			 struct mm_sample *m, char *err, size_t errlen);
	const char *name;
	void *priv;
	int64_t remote_offset_ns;
	uint64_t remote_offset_err_ns; /* the offset's error bound (0: exact or not used) */
	bool remote_own_clock;
};

#define MM_SLOWEST_MAX 1000u

/** struct mm_run - what one measuring run gathered. */
struct mm_run {
	struct mm_stats sec[MM_NSECTIONS];
	uint64_t messages;      /* round trips completed and verified */
	uint64_t unattributed;  /* messages with a section left out (stale or missing point) */
	uint64_t mismatches;    /* replies that differed from the request (run stops) */
	uint64_t start_ns, end_ns;
	bool broke;             /* stopped by -b/--breaktrace */
	size_t nslowest, slowest_cap;
	struct mm_sample slowest[MM_SLOWEST_MAX]; /* by round trip, unsorted */
};

/** struct mm_params - the measuring loop's settings. */
struct mm_params {
	uint64_t loops;         /* 0: until duration */
	uint64_t duration_ns;   /* 0: until loops */
	size_t len;             /* payload bytes, ≥ 32 (the header) */
	uint32_t hist_us;       /* per-µs histogram bins (0: none) */
	uint64_t break_ns;      /* stop when a round trip exceeds this (0: never) */
	size_t slowest;         /* keep the N slowest messages (≤ MM_SLOWEST_MAX) */
	bool progress;          /* progress line on stderr */
	uint64_t warmup;        /* round trips not recorded first */
};

int mm_run_init(struct mm_run *r, const struct mm_params *p);
void mm_run_free(struct mm_run *r);

/** mm_record() - add one verified message to @r. */
void mm_record(struct mm_run *r, const struct mm_sample *m);

/**
 * mm_measure() - the loop: build each request (header + pattern), run it over @l, check the
 * reply byte for byte, take the remote points from its header and record. Stops on an error
 * (returned, @err filled), a mismatch (-EBADMSG), the loop count or duration, a breaktrace, or
 * *@stop becoming true (a signal). Returns 0.
 */
int mm_measure(struct mm_link *l, const struct mm_params *p, struct mm_run *r,
	       const volatile int *stop, char *err, size_t errlen);

#endif /* MEASUREMAN_MEASURE_H */
