/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The fields of a VMSAv8-64 stage 1 block or page descriptor that the
 * contpte model, its group checker, `info tlb` and the qtests' bare-metal
 * payload read or write: the bit each starts at (DDI 0487, "Block and
 * page descriptor formats").  Plain constants, since the checker's unit
 * tests and the payload build without QEMU's headers.
 */

#ifndef TARGET_ARM_CONTPTE_DESC_H
#define TARGET_ARM_CONTPTE_DESC_H

#define CONTPTE_DESC_VALID      0
#define CONTPTE_DESC_TYPE       1   /* a table, or a page at level 3 */
#define CONTPTE_DESC_ATTRINDX   2   /* 3 bits: the MAIR index */
#define CONTPTE_DESC_NS         5
#define CONTPTE_DESC_AP1        6   /* AP[1]: EL0 access */
#define CONTPTE_DESC_AP2        7   /* AP[2]: read-only (with DBM: clean) */
#define CONTPTE_DESC_SH         8   /* 2 bits: shareability */
#define CONTPTE_DESC_AF         10
#define CONTPTE_DESC_NG         11
#define CONTPTE_DESC_GP         50
#define CONTPTE_DESC_DBM        51
#define CONTPTE_DESC_CONT       52  /* the Contiguous bit */
#define CONTPTE_DESC_PXN        53
#define CONTPTE_DESC_UXN        54

#endif
