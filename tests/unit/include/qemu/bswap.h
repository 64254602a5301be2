/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Stand-in for QEMU's qemu/bswap.h in the standalone unit tests: the
 * little-endian loads and stores the project's pure-logic files use, with
 * QEMU's signatures (lduw_le_p and ldl_le_p return int, as there).
 */
#ifndef CONTDAX_UNIT_BSWAP_H
#define CONTDAX_UNIT_BSWAP_H

static inline int lduw_le_p(const void *ptr)
{
    uint16_t v;

    memcpy(&v, ptr, sizeof(v));
    return GUINT16_FROM_LE(v);
}

static inline int ldl_le_p(const void *ptr)
{
    uint32_t v;

    memcpy(&v, ptr, sizeof(v));
    return GUINT32_FROM_LE(v);
}

static inline uint64_t ldq_le_p(const void *ptr)
{
    uint64_t v;

    memcpy(&v, ptr, sizeof(v));
    return GUINT64_FROM_LE(v);
}

static inline void stw_le_p(void *ptr, uint16_t v)
{
    v = GUINT16_TO_LE(v);
    memcpy(ptr, &v, sizeof(v));
}

static inline void stl_le_p(void *ptr, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    memcpy(ptr, &v, sizeof(v));
}

static inline void stq_le_p(void *ptr, uint64_t v)
{
    v = GUINT64_TO_LE(v);
    memcpy(ptr, &v, sizeof(v));
}

#endif
