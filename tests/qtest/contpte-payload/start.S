/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Entry at EL1 with the MMU off, and the EL1 vector table: every
 * synchronous exception from EL1 is handed to sync_exception(), which
 * records it and says where execution resumes: after the faulting
 * instruction, or at it again (a fault loop).
 */

    .section .text.start, "ax"
    .global _start
_start:
    ldr     x0, =__stack_top
    mov     sp, x0
    adr     x0, vectors
    msr     vbar_el1, x0
    isb
    bl      payload_main
1:  wfe
    b       1b

/* vCPUs 1 to 3, started by PSCI CPU_ON at EL1 with the MMU off. */
    .global secondary_start
secondary_start:
    mrs     x1, mpidr_el1
    and     x1, x1, #0xff
    ldr     x0, =__stack_top
    add     x0, x0, x1, lsl #16
    mov     sp, x0
    adr     x0, vectors
    msr     vbar_el1, x0
    isb
    bl      secondary_main
1:  wfe
    b       1b

    .balign 2048
vectors:
    .rept   4               /* current EL with SP_EL0 */
    .balign 128
    b       .
    .endr
    .balign 128             /* current EL with SP_ELx: synchronous */
    b       sync_entry
    .rept   3
    .balign 128
    b       .
    .endr
    .rept   8               /* lower EL */
    .balign 128
    b       .
    .endr

sync_entry:
    sub     sp, sp, #256
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x30, [sp, #144]
    bl      sync_exception
    mrs     x1, elr_el1
    add     x1, x1, x0
    msr     elr_el1, x1
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x30, [sp, #144]
    add     sp, sp, #256
    eret
