/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * What start.S calls in payload.c.
 */

#ifndef CONTPTE_PAYLOAD_ENTRY_H
#define CONTPTE_PAYLOAD_ENTRY_H

#include <stdint.h>

void payload_main(void);        /* at EL1, MMU off, stack set */
void secondary_start(void);     /* where PSCI starts vCPUs 1 to 3 */
void secondary_main(void);      /* vCPUs 1 to 3, MMU off, stack set */
/* From the EL1 synchronous vector: how far to move ELR_EL1 (0: retry). */
uint64_t sync_exception(void);

#endif
