/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * What start.S calls in payload.c.
 */

#ifndef CONTPTE_PAYLOAD_ENTRY_H
#define CONTPTE_PAYLOAD_ENTRY_H

void payload_main(void);        /* at EL1, MMU off, stack set */
void sync_exception(void);      /* from the EL1 synchronous vector */

#endif
