/*
 * gen_seeds.c — writes the seed corpus of the fuzz targets: small valid ELF32/ELF64 firmware
 * images, resource tables made with the builder, and op scripts that walk the scripted targets
 * through their normal paths (boot, messages both ways, name service, zero-copy, held
 * buffers). Usage: mmamp_fuzz_gen_seeds <corpus-dir>  (writes <corpus-dir>/<target>/<seed>;
 * the directories must exist). Every seed stays well under 4 KiB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_scripts.h"
#include "mmamp/elf_loader.h"
#include "mmamp/rpmsg.h"
#include "mmamp/rsc_table.h"
#include "mmamp/vring.h"

static const char *out_dir;

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct buf *b, uint8_t v)
{
	if (b->n >= sizeof(b->b)) {
		fprintf(stderr, "seed too large\n");
		exit(1);
	}
	b->b[b->n++] = v;
}

static void put16(struct buf *b, uint16_t v)
{
	put8(b, (uint8_t)v);
	put8(b, (uint8_t)(v >> 8));
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, (uint16_t)v);
	put16(b, (uint16_t)(v >> 16));
}

static void putn(struct buf *b, const void *p, size_t n)
{
	const uint8_t *s = p;

	while (n--)
		put8(b, *s++);
}

static void save(const char *target, const char *name, const struct buf *b)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b->b, 1, b->n, f) != b->n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* ---- ELF images ---- */

/* little-endian field writers at an offset */
static void w16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *p, size_t off, uint32_t v)
{
	w16(p, off, (uint16_t)v);
	w16(p, off + 2, (uint16_t)(v >> 16));
}

static void w64(uint8_t *p, size_t off, uint64_t v)
{
	w32(p, off, (uint32_t)v);
	w32(p, off + 4, (uint32_t)(v >> 32));
}

/* a word of the class's width */
static void wa(uint8_t *p, size_t off, int is64, uint64_t v)
{
	if (is64)
		w64(p, off, v);
	else
		w32(p, off, (uint32_t)v);
}

/*
 * An image with .text (64 B at 0x10000) and .data + .resource_table (at 0x10100, followed by
 * 32 bytes of .bss), as two PT_LOAD segments, and section headers unless @no_sections.
 */
static void elf_image(const char *name, int is64, int no_sections, int with_note)
{
	static const char shstr[] = "\0.text\0.resource_table\0.shstrtab\0.bss";
	struct mmamp_rsc_table_rpmsg rsc = MMAMP_RSC_TABLE_RPMSG_INIT(
		MMAMP_FW_RSC_ADDR_ANY, MMAMP_FW_RSC_ADDR_ANY, 16, 16, 1u << MMAMP_VIRTIO_RPMSG_F_NS);
	struct buf b;
	uint8_t *p = b.b;
	size_t ehsz = is64 ? 64 : 52, phsz = is64 ? 56 : 32, shsz = is64 ? 64 : 40;
	unsigned phnum = with_note ? 3 : 2, shnum = no_sections ? 0 : 5, k;
	size_t phoff = ehsz, text = phoff + phnum * phsz, data = (text + 64 + 7) & ~(size_t)7;
	size_t strtab = data + sizeof(rsc), shoff = (strtab + sizeof(shstr) + 7) & ~(size_t)7;
	size_t total = no_sections ? strtab : shoff + shnum * shsz;

	memset(&b, 0, sizeof(b));
	b.n = total;
	/* ELF header */
	p[0] = 0x7f, p[1] = 'E', p[2] = 'L', p[3] = 'F';
	p[4] = is64 ? MMAMP_ELFCLASS64 : MMAMP_ELFCLASS32;
	p[5] = MMAMP_ELFDATA2LSB;
	p[6] = MMAMP_EV_CURRENT;
	w16(p, 16, MMAMP_ET_EXEC);
	w16(p, 18, is64 ? MMAMP_EM_AARCH64 : MMAMP_EM_ARM);
	w32(p, 20, MMAMP_EV_CURRENT);
	wa(p, 24, is64, 0x10001);			/* e_entry */
	wa(p, is64 ? 32 : 28, is64, phoff);		/* e_phoff */
	wa(p, is64 ? 40 : 32, is64, no_sections ? 0 : shoff);
	w16(p, is64 ? 52 : 40, (uint16_t)ehsz);
	w16(p, is64 ? 54 : 42, (uint16_t)phsz);
	w16(p, is64 ? 56 : 44, (uint16_t)phnum);
	w16(p, is64 ? 58 : 46, no_sections ? 0 : (uint16_t)shsz);
	w16(p, is64 ? 60 : 48, (uint16_t)shnum);
	w16(p, is64 ? 62 : 50, no_sections ? 0 : 3);
	/* program headers: {offset, paddr, filesz, memsz} */
	for (k = 0; k < phnum; k++) {
		uint8_t *ph = p + phoff + k * phsz;
		uint64_t off = k == 0 ? text : data, pa = k == 0 ? 0x10000u : 0x10100u;
		uint64_t fsz = k == 0 ? 64u : sizeof(rsc), msz = k == 0 ? 64u : sizeof(rsc) + 32u;
		uint32_t type = k == 2 ? MMAMP_PT_NOTE : MMAMP_PT_LOAD;

		w32(ph, 0, type);
		if (is64) {
			w32(ph, 4, k ? MMAMP_PF_R | MMAMP_PF_W : MMAMP_PF_R | MMAMP_PF_X);
			w64(ph, 8, off);
			w64(ph, 16, pa);
			w64(ph, 24, pa);
			w64(ph, 32, fsz);
			w64(ph, 40, msz);
			w64(ph, 48, 8);
		} else {
			w32(ph, 4, (uint32_t)off);
			w32(ph, 8, (uint32_t)pa);
			w32(ph, 12, (uint32_t)pa);
			w32(ph, 16, (uint32_t)fsz);
			w32(ph, 20, (uint32_t)msz);
			w32(ph, 24, k ? MMAMP_PF_R | MMAMP_PF_W : MMAMP_PF_R | MMAMP_PF_X);
			w32(ph, 28, 8);
		}
	}
	for (k = 0; k < 64; k++)
		p[text + k] = (uint8_t)(0x40 + k);
	memcpy(p + data, &rsc, sizeof(rsc));
	if (!no_sections) {
		/* {name, type, addr, offset, size} for sections 1..4 (0 is SHN_UNDEF) */
		const struct { uint32_t name, type; uint64_t addr, off, size; } s[5] = {
			{ 0, 0, 0, 0, 0 },
			{ 1, MMAMP_SHT_PROGBITS, 0x10000u, text, 64 },
			{ 7, MMAMP_SHT_PROGBITS, 0x10100u, data, sizeof(rsc) },
			{ 23, MMAMP_SHT_STRTAB, 0, strtab, sizeof(shstr) },
			{ 33, MMAMP_SHT_NOBITS, 0x10100u + sizeof(rsc), strtab, 32 },
		};

		memcpy(p + strtab, shstr, sizeof(shstr));
		for (k = 0; k < shnum; k++) {
			uint8_t *sh = p + shoff + k * shsz;

			w32(sh, 0, s[k].name);
			w32(sh, 4, s[k].type);
			if (is64) {
				w64(sh, 16, s[k].addr);
				w64(sh, 24, s[k].off);
				w64(sh, 32, s[k].size);
			} else {
				w32(sh, 12, (uint32_t)s[k].addr);
				w32(sh, 16, (uint32_t)s[k].off);
				w32(sh, 20, (uint32_t)s[k].size);
			}
		}
	}
	save("elf", name, &b);
}

/* ---- resource tables ---- */

static void rsc_tables(void)
{
	struct mmamp_rsc_table_rpmsg rpmsg = MMAMP_RSC_TABLE_RPMSG_INIT(
		0x90000000u, 0x90008000u, 4096, 256, 1u << MMAMP_VIRTIO_RPMSG_F_NS);
	struct mmamp_fw_rsc_vdev_vring vr[2] = { { 0xFFFFFFFFu, 16, 8, 0, 0 },
						 { 0xFFFFFFFFu, 16, 8, 1, 0 } };
	struct mmamp_rsc_builder bl;
	struct buf b;
	size_t n;

	memset(&b, 0, sizeof(b));
	putn(&b, &rpmsg, sizeof(rpmsg));
	save("rsc_table", "rpmsg_vdev", &b);

	memset(&b, 0, sizeof(b));
	if (mmamp_rsc_builder_init(&bl, b.b, 1024, 6) ||
	    mmamp_rsc_add_carveout(&bl, 0x1FFE0000u, 0, 0x20000, 0, "m4-tcm") < 0 ||
	    mmamp_rsc_add_devmem(&bl, 0x5D1C0000u, 0x5D1C0000u, 0x10000, 0, "mu5") < 0 ||
	    mmamp_rsc_add_trace(&bl, 0x1FFF0000u, 0x1000, "trace0") < 0 ||
	    mmamp_rsc_add_vdev(&bl, MMAMP_VIRTIO_ID_RPMSG, 1, 6, 2, vr) < 0 ||
	    mmamp_rsc_add_raw(&bl, 200, "vendor!", 7) < 0 ||
	    mmamp_rsc_builder_finish(&bl, &n)) {
		fprintf(stderr, "builder failed\n");
		exit(1);
	}
	b.n = n;
	save("rsc_table", "all_types", &b);

	memset(&b, 0, sizeof(b));
	put32(&b, 1);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, 0);
	save("rsc_table", "empty", &b);

	/* read as a builder script: cap 1500, 6 slots, then carveout, trace, vdev, raw, finish */
	memset(&b, 0, sizeof(b));
	put16(&b, 1500);
	put8(&b, 6);
	put8(&b, 0), put32(&b, 0x1000), put32(&b, 0), put32(&b, 0x100), put32(&b, 0);
	put8(&b, 4), putn(&b, "tcm0", 4);
	put8(&b, 2), put32(&b, 0x2000), put32(&b, 0), put32(&b, 0x400);
	put8(&b, 5), putn(&b, "trace", 5);
	put8(&b, 3), put32(&b, 7), put32(&b, 1), put32(&b, 4);
	put8(&b, 2);
	put32(&b, 0xFFFFFFFFu), put8(&b, 4), put8(&b, 4);
	put32(&b, 0xFFFFFFFFu), put8(&b, 4), put8(&b, 4);
	put8(&b, 4), put32(&b, 300), put32(&b, 0), put32(&b, 6), putn(&b, "abcdef", 6);
	put8(&b, 5), put32(&b, 0), put32(&b, 0), put32(&b, 0);
	save("rsc_table", "builder_script", &b);
}

/* ---- scripted targets ---- */

/* The first byte value 0..255 whose geometry decoding gives what a seed wants. */
static uint8_t geo_byte(unsigned num_mod, unsigned num_log2, unsigned align_shift,
			unsigned align_idx, uint8_t flags_mask, uint8_t flags)
{
	unsigned v;

	for (v = 0; v < 256; v++)
		if (v % num_mod == num_log2 && ((v >> align_shift) & 3u) == align_idx &&
		    (v & flags_mask) == flags)
			return (uint8_t)v;
	fprintf(stderr, "no geometry byte\n");
	exit(1);
}

/* host: remote returns an RX buffer with a @len-byte payload for address selector @dst_sel */
static void h_rx(struct buf *b, uint8_t dst_sel, const void *payload, uint16_t len,
		 uint8_t cb_action)
{
	put8(b, HOST_OP_RETURN_RX);
	put8(b, 0);         /* mode: legit head, src 0x400, used.len = 16 + len */
	put16(b, len);
	put8(b, dst_sel);
	putn(b, payload, len);
	(void)cb_action;
}

static void host_scripts(void)
{
	struct mmamp_rpmsg_ns_msg ns;
	struct buf b;
	uint8_t g;

	/* num 16, align 4096, NS */
	g = geo_byte(7, 4, 3, 3, 0x60, 0x20);
	memset(&b, 0, sizeof(b));
	put8(&b, g);
	memset(&ns, 0, sizeof(ns));
	strcpy(ns.name, "rpmsg-virtual-tty-channel-1");
	ns.addr = 30;
	h_rx(&b, 3, &ns, sizeof(ns), 0);
	h_rx(&b, 0, "hello", 5, 0);
	put8(&b, HOST_OP_POLL);
	put8(&b, 0);                /* callback: consume */
	put8(&b, HOST_OP_SEND), put8(&b, 0), put8(&b, 0), put8(&b, 5), put32(&b, 30), put16(&b, 12);
	put8(&b, HOST_OP_RETURN_TX), put8(&b, 0);
	put8(&b, HOST_OP_SEND), put8(&b, 1), put8(&b, 2), put8(&b, 0), put16(&b, 496);
	h_rx(&b, 1, "held", 4, 2);
	put8(&b, HOST_OP_POLL);
	put8(&b, 2);                /* callback: hold */
	put8(&b, HOST_OP_RELEASE_RX), put8(&b, 0);
	put8(&b, HOST_OP_ZERO_COPY), put8(&b, 0), put8(&b, 0);               /* get */
	put8(&b, HOST_OP_ZERO_COPY), put8(&b, 0), put8(&b, 1), put8(&b, 0), put8(&b, 1),
		put16(&b, 100);                                                  /* send_nocopy */
	put8(&b, HOST_OP_ZERO_COPY), put8(&b, 0), put8(&b, 0);
	put8(&b, HOST_OP_ZERO_COPY), put8(&b, 0), put8(&b, 2), put8(&b, 0); /* release */
	put8(&b, HOST_OP_EPT), put8(&b, 2);
	put8(&b, HOST_OP_EPT), put8(&b, 2), put32(&b, 0x1234);
	put8(&b, HOST_OP_POLL);
	save("rpmsg_host", "echo_ns_zero_copy", &b);

	/* num 1, align 4, EVENT_IDX: wrap the single slot many times, then a blocking send */
	g = geo_byte(7, 0, 3, 0, 0x60, 0x40);
	memset(&b, 0, sizeof(b));
	put8(&b, g);
	for (int i = 0; i < 6; i++) {
		h_rx(&b, 0, "x", 1, 0);
		put8(&b, HOST_OP_POLL);
		put8(&b, 1);                       /* callback: reply */
		put8(&b, 0), put8(&b, 0), put8(&b, 0), put16(&b, 3);
		put8(&b, HOST_OP_RETURN_TX), put8(&b, 0);
	}
	put8(&b, HOST_OP_SEND), put8(&b, 0), put8(&b, 0), put8(&b, 0), put16(&b, 1);
	put8(&b, HOST_OP_SEND), put8(&b, 0), put8(&b, 1), put8(&b, 0), put16(&b, 1), put8(&b, 9);
	put8(&b, 1);                               /* wait: the remote returns the buffer */
	put8(&b, HOST_OP_POLL);
	save("rpmsg_host", "event_idx_wrap", &b);

	/* hostile: a header longer than the buffer, a used.len too large, an idx jump */
	g = geo_byte(7, 2, 3, 1, 0x60, 0x20);
	memset(&b, 0, sizeof(b));
	put8(&b, g);
	put8(&b, HOST_OP_RETURN_RX), put8(&b, 32), put16(&b, 500), put8(&b, 0), put32(&b, 600);
	put8(&b, HOST_OP_POLL);
	put8(&b, HOST_OP_SCRIBBLE), put8(&b, 2), put8(&b, 4), put16(&b, 12), put32(&b, 0xFFFF);
	h_rx(&b, 0, "ok", 2, 0);
	put8(&b, HOST_OP_POLL), put8(&b, 0);
	put8(&b, HOST_OP_SET_IDX), put8(&b, 2), put16(&b, 0x8000);
	put8(&b, HOST_OP_POLL);
	put8(&b, HOST_OP_POLL);
	save("rpmsg_host", "hostile_breaks", &b);
}

static void device_scripts(void)
{
	struct buf b;
	uint8_t g;
	int i;

	/* raw vq: num 8, align 16, max_len 512, EVENT_IDX */
	memset(&b, 0, sizeof(b));
	put8(&b, 0);
	g = 0;
	for (unsigned v = 0; v < 256; v++)
		if (v % 9u == 3 && ((v >> 4) & 3u) == 1 && ((v >> 6) & 3u) == 1 && (v & 8u)) {
			g = (uint8_t)v;
			break;
		}
	put8(&b, g);
	for (i = 0; i < 4; i++) {
		put8(&b, VQ_OP_DESC), put8(&b, (uint8_t)i), put8(&b, (uint8_t)(i * 40));
		put8(&b, 0);                 /* da: good */
		put8(&b, 0);                 /* len: 512 */
		put8(&b, 2);                 /* flags: WRITE */
		put16(&b, 0);
		put8(&b, VQ_OP_PUSH), put8(&b, (uint8_t)i);
	}
	put8(&b, VQ_OP_GET), put8(&b, VQ_OP_GET);
	put8(&b, VQ_OP_PUT), put8(&b, 0), put32(&b, 16), put8(&b, 0);
	put8(&b, VQ_OP_NOTIFY), put8(&b, 0);
	put8(&b, VQ_OP_NOTIFY), put8(&b, 2);
	put8(&b, VQ_OP_GET), put8(&b, VQ_OP_GET), put8(&b, VQ_OP_GET);
	put8(&b, VQ_OP_PUT), put8(&b, 0), put32(&b, 0), put8(&b, 1);
	put8(&b, VQ_OP_SET_IDX), put8(&b, 0), put16(&b, 100);
	put8(&b, VQ_OP_GET);
	save("vring_device", "vq_take_return", &b);

	/* remote: num 4, align 16, NS offered; boot, buffers both ways, a message, a reply */
	memset(&b, 0, sizeof(b));
	put8(&b, 1);
	put8(&b, geo_byte(7, 2, 3, 1, 0x60, 0x20));
	put8(&b, REM_OP_POLL);                                   /* no DRIVER_OK yet */
	put8(&b, REM_OP_BOOT), put8(&b, 7), put32(&b, 0), put32(&b, 1);
	put8(&b, REM_OP_POLL);                                   /* link up */
	for (i = 0; i < 4; i++)
		put8(&b, REM_OP_POST), put8(&b, 0), put8(&b, 0), put8(&b, 0), put8(&b, 0);
	put8(&b, REM_OP_POLL);                                   /* announce */
	put8(&b, REM_OP_POST), put8(&b, 1), put8(&b, 0), put8(&b, 0), put8(&b, 0);
	put8(&b, 0), put16(&b, 5), putn(&b, "hello", 5);        /* to ept0 (30) */
	put8(&b, REM_OP_POLL), put8(&b, 0);
	put8(&b, REM_OP_SEND), put8(&b, 0), put8(&b, 2), put8(&b, 0), put16(&b, 5);
	put8(&b, REM_OP_POST), put8(&b, 1), put8(&b, 0), put8(&b, 0), put8(&b, 0);
	put8(&b, 0), put16(&b, 4), putn(&b, "held", 4);
	put8(&b, REM_OP_POLL), put8(&b, 2);
	put8(&b, REM_OP_RELEASE_RX), put8(&b, 0);
	put8(&b, REM_OP_ZERO_COPY), put8(&b, 0), put8(&b, 0);
	put8(&b, REM_OP_ZERO_COPY), put8(&b, 0), put8(&b, 2), put8(&b, 0);   /* release: spare */
	put8(&b, REM_OP_ZERO_COPY), put8(&b, 0), put8(&b, 0);                /* from the spare */
	put8(&b, REM_OP_ZERO_COPY), put8(&b, 0), put8(&b, 1), put8(&b, 0), put8(&b, 4),
		put16(&b, 20);
	put8(&b, REM_OP_EPT), put8(&b, 0x06);
	put8(&b, REM_OP_STATUS), put8(&b, 0);
	put8(&b, REM_OP_POLL);                                   /* link down */
	put8(&b, REM_OP_BOOT), put8(&b, 7), put32(&b, 0), put32(&b, 1);
	put8(&b, REM_OP_POLL);
	save("vring_device", "remote_boot_echo", &b);

	/* remote: bent configurations and a descriptor outside the window */
	memset(&b, 0, sizeof(b));
	put8(&b, 1);
	put8(&b, geo_byte(7, 3, 3, 3, 0x60, 0x60));
	put8(&b, REM_OP_BOOT), put8(&b, 0), put32(&b, 0x12345678), put32(&b, 1);
	put8(&b, REM_OP_POLL), put8(&b, REM_OP_POLL);
	put8(&b, REM_OP_STATUS), put8(&b, 0), put8(&b, REM_OP_POLL);
	put8(&b, REM_OP_BOOT), put8(&b, 3), put32(&b, 1), put32(&b, 1);
	put8(&b, REM_OP_POLL);
	put8(&b, REM_OP_STATUS), put8(&b, 0), put8(&b, REM_OP_POLL);
	put8(&b, REM_OP_BOOT), put8(&b, 7), put32(&b, 0), put32(&b, 0x20000001u);
	put8(&b, REM_OP_POLL);
	put8(&b, REM_OP_POST), put8(&b, 0), put8(&b, 3), put32(&b, 1), put8(&b, 0), put8(&b, 0);
	put8(&b, REM_OP_SEND), put8(&b, 0), put8(&b, 0), put8(&b, 4), put16(&b, 3);
	put8(&b, REM_OP_POST), put8(&b, 1), put8(&b, 6), put32(&b, 0), put32(&b, 1), put8(&b, 0),
		put8(&b, 0);
	put8(&b, REM_OP_POLL);
	save("vring_device", "remote_bent_config", &b);
}

static void ns_scripts(void)
{
	struct buf b;
	char name[32];

	memset(&b, 0, sizeof(b));
	put8(&b, 0);                                        /* NS, no EVENT_IDX */
	put8(&b, NS_OP_POLL_HOST);
	put8(&b, NS_OP_REMOTE_EPT), put8(&b, 0x21), put8(&b, 10), putn(&b, "rpmsg-echo", 10);
	put8(&b, NS_OP_POLL_HOST);
	put8(&b, NS_OP_CHANNEL_TX), put8(&b, 0);
	put8(&b, NS_OP_CHANNEL_TX), put8(&b, 9);
	put8(&b, NS_OP_POLL_REMOTE);
	memset(name, 0, sizeof(name));
	strcpy(name, "rpmsg-echo");
	put8(&b, NS_OP_REMOTE_MSG), put8(&b, 0), putn(&b, name, 32), put32(&b, 31), put32(&b, 1);
	memset(name, 'A', sizeof(name));                    /* no NUL at all */
	put8(&b, NS_OP_REMOTE_MSG), put8(&b, 0), putn(&b, name, 32), put32(&b, 0xFFFFFFFFu),
		put32(&b, 0xFFFFFFFEu);
	put8(&b, NS_OP_REMOTE_RAW), put8(&b, 0), put16(&b, 39), putn(&b, name, 32),
		putn(&b, "1234567", 7);
	put8(&b, NS_OP_HOST_RAW), put16(&b, 40), putn(&b, name, 32), put32(&b, 5), put32(&b, 0);
	put8(&b, NS_OP_POLL_HOST), put8(&b, NS_OP_POLL_REMOTE);
	put8(&b, NS_OP_REMOTE_EPT), put8(&b, 0x01);
	put8(&b, NS_OP_POLL_HOST);
	put8(&b, NS_OP_RESET);
	put8(&b, NS_OP_CHANNEL_TX), put8(&b, 0);
	save("ns", "announce_destroy_reset", &b);

	memset(&b, 0, sizeof(b));
	put8(&b, 3);                                        /* no NS, EVENT_IDX */
	put8(&b, NS_OP_REMOTE_MSG), put8(&b, 0), putn(&b, name, 32), put32(&b, 40), put32(&b, 0);
	put8(&b, NS_OP_HOST_RAW), put16(&b, 40), putn(&b, name, 32), put32(&b, 5), put32(&b, 0);
	put8(&b, NS_OP_POLL_HOST), put8(&b, NS_OP_POLL_REMOTE);
	save("ns", "not_negotiated", &b);
}

/* ---- fuzz_min_device: the minimal remote device against a hostile host ---- */

/* geometry byte: 8 pool buffers (4 TX, 4 RX), all 3 endpoints */
#define MIN_GEO 0x33u

/* host boot with status 7, no bent field, features @gf */
static void m_boot(struct buf *b, uint32_t gf)
{
	put8(b, MIN_OP_BOOT), put8(b, 7), put32(b, 0), put32(b, gf);
}

/* host posts one of its RX buffers on vring 0 (good address, 512 bytes) */
static void m_post_tx(struct buf *b, unsigned n)
{
	while (n--)
		put8(b, MIN_OP_POST), put8(b, 0), put8(b, 0), put8(b, 0), put8(b, 0);
}

/* host posts a message on vring 1 for address selector @dst_sel (0: 30, 1: 31, 2: 1000) */
static void m_post_msg(struct buf *b, uint8_t dst_sel, const char *text)
{
	uint16_t n = (uint16_t)strlen(text);

	put8(b, MIN_OP_POST), put8(b, 1), put8(b, 0), put8(b, 0), put8(b, 0);
	put8(b, dst_sel), put16(b, n), putn(b, text, n);
}

/* device polls; @actions: one callback action byte each (0 consume, 1 -EAGAIN, 2 zero-copy
 * echo, 3 copy echo, 4 keep a TX buffer, 7 return another value) */
static void m_poll(struct buf *b, const char *actions)
{
	put8(b, MIN_OP_POLL);
	for (; *actions; actions++)
		put8(b, (uint8_t)(*actions - '0'));
}

static void m_save(const char *name, const struct buf *b)
{
	save("min_device", name, b);
}

static void min_scripts(void)
{
	const uint32_t ns = 1u << MMAMP_VIRTIO_RPMSG_F_NS;
	struct buf b;

	/* link up (announcements wait for TX buffers), echo both ways, app sends, reset, relink */
	memset(&b, 0, sizeof(b));
	put8(&b, MIN_GEO);
	m_poll(&b, "");                                       /* -ENOTCONN */
	m_boot(&b, ns);
	m_poll(&b, "");                                       /* link up, no TX buffer yet */
	m_post_tx(&b, 8);
	m_poll(&b, "");                                       /* announces 30 and 1000 */
	m_post_msg(&b, 0, "hello");
	m_poll(&b, "2");                                      /* zero-copy echo */
	m_post_msg(&b, 2, "copy");
	m_post_msg(&b, 1, "info");
	m_poll(&b, "30");                                     /* copy echo, consume */
	put8(&b, MIN_OP_TX_GET), put16(&b, 40), put8(&b, 0x55);
	put8(&b, MIN_OP_TX_SEND), put8(&b, 0), put8(&b, 4), put16(&b, 40);
	put8(&b, MIN_OP_SEND), put8(&b, 2), put8(&b, 4), put16(&b, 496);
	put8(&b, MIN_OP_SEND), put8(&b, 2), put8(&b, 4), put16(&b, 497); /* -EMSGSIZE */
	put8(&b, MIN_OP_RESET), put8(&b, 1);                  /* status 0 seen, DRIVER_OK */
	m_poll(&b, "");
	m_save("link_up_echo_reset", &b);

	/* back-pressure: no TX buffer for the echo, the message stays; then it goes */
	memset(&b, 0, sizeof(b));
	put8(&b, MIN_GEO);
	m_boot(&b, 0);                                        /* no name service */
	m_poll(&b, "");
	m_post_msg(&b, 0, "first");
	m_post_msg(&b, 1, "second");
	m_poll(&b, "2");                                      /* no TX buffer: -EAGAIN */
	m_poll(&b, "1");                                      /* the callback says -EAGAIN */
	m_post_tx(&b, 1);
	m_poll(&b, "27");                                     /* echo, then the second */
	put8(&b, MIN_OP_SEND), put8(&b, 0), put8(&b, 4), put16(&b, 8); /* no buffer: -EAGAIN */
	m_post_tx(&b, 2);
	m_post_msg(&b, 0, "keep");
	m_poll(&b, "4");                                      /* takes a TX buffer and keeps it */
	put8(&b, MIN_OP_TX_SEND), put8(&b, 0), put8(&b, 4), put16(&b, 4);
	m_save("back_pressure", &b);

	/* BAD_VRING: a misaligned vring 1 at DRIVER_OK; quiet until status 0; then good */
	memset(&b, 0, sizeof(b));
	put8(&b, MIN_GEO);
	put8(&b, MIN_OP_BOOT), put8(&b, 0x83), put32(&b, 4), put32(&b, ns);
	m_poll(&b, "");
	m_poll(&b, "");
	put8(&b, MIN_OP_STATUS), put8(&b, 0);
	m_poll(&b, "");
	put8(&b, MIN_OP_FIELD), put8(&b, 0x84), put32(&b, 0);  /* vring 1 da back in place */
	put8(&b, MIN_OP_STATUS), put8(&b, 7);
	m_poll(&b, "");                                       /* link up */
	put8(&b, MIN_OP_STATUS), put8(&b, 0);
	m_poll(&b, "");                                       /* link down */
	put8(&b, MIN_OP_BOOT), put8(&b, 0x01), put32(&b, 64), put32(&b, ns); /* num 64 */
	m_poll(&b, "");
	m_save("fault_bad_vring", &b);

	/* BAD_AVAIL_IDX: vring 1 avail.idx far ahead; no delivery, no TX buffer; reset */
	memset(&b, 0, sizeof(b));
	put8(&b, MIN_GEO);
	m_boot(&b, ns);
	m_post_tx(&b, 2);
	m_poll(&b, "");
	put8(&b, MIN_OP_SET_IDX), put8(&b, 1), put16(&b, 0x1000);
	m_poll(&b, "");
	put8(&b, MIN_OP_TX_GET), put16(&b, 4), put8(&b, 1);
	put8(&b, MIN_OP_SEND), put8(&b, 0), put8(&b, 4), put16(&b, 4);
	m_poll(&b, "");
	put8(&b, MIN_OP_RESET), put8(&b, 1);
	m_post_msg(&b, 0, "again");
	m_poll(&b, "0");
	m_save("fault_bad_avail_idx", &b);

	/* BAD_HEAD: an avail entry naming descriptor 0x1234 */
	memset(&b, 0, sizeof(b));
	put8(&b, MIN_GEO);
	m_boot(&b, 0);
	m_poll(&b, "");
	m_post_msg(&b, 0, "ok");
	put8(&b, MIN_OP_POST), put8(&b, 1), put8(&b, 0), put8(&b, 0), put8(&b, 0x40);
	put8(&b, 0), put16(&b, 2), putn(&b, "no", 2), put16(&b, 0x1234);
	m_poll(&b, "0");
	put8(&b, MIN_OP_RESET), put8(&b, 0);                  /* a fast reset: not seen */
	m_poll(&b, "");
	m_save("fault_bad_head", &b);

	/* BAD_DESC: a descriptor above 4 GiB, then one running off the top of the window */
	memset(&b, 0, sizeof(b));
	put8(&b, MIN_GEO);
	m_boot(&b, 0);
	m_poll(&b, "");
	put8(&b, MIN_OP_POST), put8(&b, 1), put8(&b, 6), put32(&b, 0x1000), put32(&b, 1);
	put8(&b, 0), put8(&b, 0), put8(&b, 0), put16(&b, 2), putn(&b, "hi", 2);
	m_poll(&b, "");
	put8(&b, MIN_OP_RESET), put8(&b, 3);
	put8(&b, MIN_OP_POST), put8(&b, 1), put8(&b, 4), put16(&b, 100), put8(&b, 1),
		put16(&b, 101), put8(&b, 0), put8(&b, 0), put16(&b, 2), putn(&b, "hi", 2);
	m_poll(&b, "");
	m_save("fault_bad_desc", &b);

	/* BAD_TX_LEN: a host RX buffer of 100 bytes, met by the announcement */
	memset(&b, 0, sizeof(b));
	put8(&b, MIN_GEO);
	m_boot(&b, ns);
	put8(&b, MIN_OP_POST), put8(&b, 0), put8(&b, 0), put8(&b, 2), put8(&b, 100), put8(&b, 0);
	m_poll(&b, "");
	m_post_msg(&b, 0, "x");
	m_poll(&b, "");
	put8(&b, MIN_OP_STATUS), put8(&b, 0);
	m_poll(&b, "");
	m_save("fault_bad_tx_len", &b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	elf_image("elf32_rsc_bss", 0, 0, 0);
	elf_image("elf64_rsc_bss", 1, 0, 0);
	elf_image("elf32_no_sections", 0, 1, 0);
	elf_image("elf32_note", 0, 0, 1);
	rsc_tables();
	host_scripts();
	device_scripts();
	ns_scripts();
	min_scripts();
	return 0;
}
