/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Stand-in for QEMU's qemu/cutils.h in the standalone unit tests: the
 * helpers the project's pure-logic files use, with QEMU's semantics.
 */
#ifndef CONTDAX_UNIT_CUTILS_H
#define CONTDAX_UNIT_CUTILS_H

static inline bool buffer_is_zero(const void *buf, size_t len)
{
    const unsigned char *p = buf;

    for (size_t i = 0; i < len; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

#endif
