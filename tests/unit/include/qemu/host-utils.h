/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Stand-in for QEMU's qemu/host-utils.h in the standalone unit tests.
 */
#ifndef CONTDAX_UNIT_HOST_UTILS_H
#define CONTDAX_UNIT_HOST_UTILS_H

static inline bool is_power_of_2(uint64_t value)
{
    return value && !(value & (value - 1));
}

#endif
