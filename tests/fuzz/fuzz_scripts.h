/*
 * fuzz_scripts.h — the operation codes of the script-driven fuzz targets (one input byte each,
 * taken modulo the count), shared with gen_seeds.c, which writes the seed scripts.
 */
#ifndef MMAMP_FUZZ_SCRIPTS_H
#define MMAMP_FUZZ_SCRIPTS_H

/* fuzz_rpmsg_host.c: hostile remote vs host role */
enum host_op {
	HOST_OP_RETURN_RX,  /* remote fills an RX buffer and returns it on vring0 used */
	HOST_OP_RETURN_TX,  /* remote returns a TX buffer on vring1 used */
	HOST_OP_SCRIBBLE,   /* remote writes bytes anywhere in a ring or pool */
	HOST_OP_SET_IDX,    /* remote sets used.idx, used.flags or avail_event */
	HOST_OP_POLL,       /* host: mmamp_rpmsg_poll */
	HOST_OP_SEND,       /* host: sendto / send / sendto_timeout */
	HOST_OP_ZERO_COPY,  /* host: get_tx_buffer / send_nocopy / release_tx / bogus pointers */
	HOST_OP_RELEASE_RX, /* host: release a held RX buffer */
	HOST_OP_EPT,        /* host: create or destroy an endpoint */
	HOST_OP_COUNT
};

/* fuzz_vring_device.c, first byte even: a raw device-role virtqueue */
enum vq_op {
	VQ_OP_DESC,      /* driver writes descriptor fields */
	VQ_OP_PUSH,      /* driver makes a head available and publishes avail.idx */
	VQ_OP_SET_IDX,   /* driver sets avail.idx, avail.flags or used_event */
	VQ_OP_SCRIBBLE,  /* driver writes bytes anywhere in the ring */
	VQ_OP_GET,       /* device: get_avail */
	VQ_OP_PUT,       /* device: put_used */
	VQ_OP_NOTIFY,    /* device: kick_prepare / enable_cb / disable_cb / pending */
	VQ_OP_COUNT
};

/* fuzz_vring_device.c, first byte odd: the remote RPMsg role against a hostile host */
enum remote_op {
	REM_OP_BOOT,       /* host writes a (possibly bent) vdev config and DRIVER_OK */
	REM_OP_STATUS,     /* host writes the status byte */
	REM_OP_VDEV_BYTES, /* host writes bytes into the live vdev */
	REM_OP_POST,       /* host posts a buffer (descriptor + avail) on vring0 or vring1 */
	REM_OP_SET_IDX,    /* host sets avail.idx, avail.flags or used_event */
	REM_OP_SCRIBBLE,   /* host writes bytes anywhere in rings or pool */
	REM_OP_POLL,       /* remote: mmamp_rpmsg_poll */
	REM_OP_SEND,       /* remote: sendto / send / sendto_timeout */
	REM_OP_ZERO_COPY,  /* remote: get_tx_buffer / send_nocopy / release_tx */
	REM_OP_RELEASE_RX, /* remote: release a held RX buffer */
	REM_OP_EPT,        /* remote: create (announce) or destroy an endpoint */
	REM_OP_COUNT
};

/* fuzz_ns.c: name service between a real host and a real remote */
enum ns_op {
	NS_OP_REMOTE_EPT,  /* remote creates a named endpoint (announced) or destroys one */
	NS_OP_REMOTE_RAW,  /* remote sends an arbitrary payload to address 53 */
	NS_OP_REMOTE_MSG,  /* remote sends a well-formed NS message with arbitrary fields */
	NS_OP_HOST_RAW,    /* host sends an arbitrary payload to the remote's address 53 */
	NS_OP_POLL_HOST,   /* host: poll */
	NS_OP_POLL_REMOTE, /* remote: poll */
	NS_OP_CHANNEL_TX,  /* host sends on a channel the name service created */
	NS_OP_RESET,       /* host resets the vdev (status 0) and boots it again */
	NS_OP_COUNT
};

/* fuzz_min_device.c: the minimal remote device (mmamp/rpmsg_min.h) against a hostile host */
enum min_op {
	MIN_OP_BOOT,     /* host: status 0, table fields (maybe bent), rings zeroed, DRIVER_OK */
	MIN_OP_STATUS,   /* host writes the status byte */
	MIN_OP_FIELD,    /* host changes gfeatures or a vring's da / num / align / notifyid */
	MIN_OP_POST,     /* host posts an RX buffer on vring0 or a message on vring1 */
	MIN_OP_SET_IDX,  /* host sets avail.idx, avail.flags or an avail ring entry */
	MIN_OP_DESC,     /* host rewrites one descriptor field */
	MIN_OP_HDR,      /* host rewrites one message header field in a pool buffer */
	MIN_OP_SCRIBBLE, /* host writes bytes anywhere in the window */
	MIN_OP_RESET,    /* host: status 0, the device polls (or not), rings zeroed, DRIVER_OK */
	MIN_OP_POLL,     /* device: mmamp_min_poll (the endpoint callbacks read their actions) */
	MIN_OP_TX_GET,   /* app: mmamp_min_tx_get, then writes the payload */
	MIN_OP_TX_SEND,  /* app: mmamp_min_tx_send */
	MIN_OP_SEND,     /* app: mmamp_min_send */
	MIN_OP_COUNT
};

#endif /* MMAMP_FUZZ_SCRIPTS_H */
