/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * What payload.c shares with the other parts of the payload (fuzz.c).
 */

#ifndef CONTPTE_PAYLOAD_PAYLOAD_H
#define CONTPTE_PAYLOAD_PAYLOAD_H

#include <stdint.h>
#include "../contpte-payload.h"

/* volatile: the test reads the mailbox from outside, while we run */
#define MB(off)         (((volatile uint64_t *)CONTPTE_MAILBOX)[(off) / 8])

extern unsigned granule_bits;

/* The descriptor slot for @va at @level, creating tables on the way. */
uint64_t *slot(uint64_t va, unsigned level);

/* CASE_FUZZ (fuzz.c): before the MMU is on, then with it on. */
void fuzz_setup(void);
void fuzz_run(void);

#endif
