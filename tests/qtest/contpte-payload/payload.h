/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * What payload.c shares with the other parts of the payload (fuzz.c).
 */

#ifndef CONTPTE_PAYLOAD_PAYLOAD_H
#define CONTPTE_PAYLOAD_PAYLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include "../contpte-payload.h"
#include "../../../target/arm/contpte-desc.h"

/* Descriptor bits, as masks. */
#define DESC_VALID      (1ULL << CONTPTE_DESC_VALID)
#define DESC_TABLE      (1ULL << CONTPTE_DESC_TYPE) /* or page at level 3 */
#define DESC_ATTRINDX(i) ((uint64_t)(i) << CONTPTE_DESC_ATTRINDX)
#define DESC_AP_RO      (1ULL << CONTPTE_DESC_AP2)
#define DESC_SH(s)      ((uint64_t)(s) << CONTPTE_DESC_SH)
#define DESC_AF         (1ULL << CONTPTE_DESC_AF)
#define DESC_NG         (1ULL << CONTPTE_DESC_NG)
#define DESC_DBM        (1ULL << CONTPTE_DESC_DBM)
#define DESC_CONT       (1ULL << CONTPTE_DESC_CONT)
#define DESC_PXN        (1ULL << CONTPTE_DESC_PXN)
#define DESC_UXN        (1ULL << CONTPTE_DESC_UXN)

/* volatile: the test reads the mailbox from outside, while we run */
#define MB(off)         (((volatile uint64_t *)CONTPTE_MAILBOX)[(off) / 8])

extern unsigned granule_bits;

/* The descriptor slot for @va at @level, creating tables on the way. */
uint64_t *slot(uint64_t va, unsigned level);

/* Wait until the mailbox word at @off reaches @value. */
void wait_mb(uint64_t off, uint64_t value);

/* Start vCPU @cpu at secondary_start (PSCI CPU_ON); false if refused. */
bool start_secondary(uint64_t cpu);

/* CASE_FUZZ (fuzz.c): before the MMU is on, then with it on; vCPU > 0. */
void fuzz_setup(void);
void fuzz_run(void);
void fuzz_secondary(unsigned cpu);

#endif
