/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * copy.S — mmamp_qemu_copy(dst, src, n): memcpy for the Cortex-M4 (port_min.h; the full stack's
 * payload copy too, as mmamp_port_copy of include/mmamp/port.h). When dst, src
 * and n are all multiples of 4 (RPMsg payloads: 512-byte buffers, 16-byte header), it moves
 * 32 bytes per LDM/STM pair — 4 instructions per 32 bytes, about 85 for a 496-byte message,
 * against ~260 for newlib-nano's word loop; anything else goes to the library's memcpy.
 * (Guest instructions under QEMU's -icount, where an LDM/STM counts as one.)
 */
	.cpu cortex-m4
	.syntax unified
	.thumb
	.section .text.mmamp_qemu_copy, "ax", %progbits
	.global mmamp_qemu_copy
	.type mmamp_qemu_copy, %function
	.thumb_func
mmamp_qemu_copy:
	orr	r3, r0, r1
	orr	r3, r3, r2
	lsls	r3, r3, #30
	bne	memcpy			@ not word-aligned: the library's copy (tail call)
	push	{r0, r4-r9}		@ r0: the return value
	subs	r2, r2, #32
	blo	2f
1:	ldmia	r1!, {r3-r9, r12}
	stmia	r0!, {r3-r9, r12}
	subs	r2, r2, #32
	bhs	1b
2:	adds	r2, r2, #32		@ 0..28 bytes left, a multiple of 4
	beq	4f
3:	ldr	r3, [r1], #4
	str	r3, [r0], #4
	subs	r2, r2, #4
	bne	3b
4:	pop	{r0, r4-r9}
	bx	lr
	.size mmamp_qemu_copy, . - mmamp_qemu_copy

	@ the full stack's payload copy (include/mmamp/port.h): this one, not the core's weak memcpy
	.global mmamp_port_copy
	.thumb_set mmamp_port_copy, mmamp_qemu_copy
