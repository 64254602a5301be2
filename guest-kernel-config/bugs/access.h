/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For the bug corpus reproducers: single accesses the compiler must
 * neither drop nor merge, since each one is what the MMU sees.
 */
#ifndef ACCESS_H
#define ACCESS_H

#include <stdint.h>

static inline uint8_t peek(const uint8_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void poke(uint8_t *p, uint8_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline uint64_t peek64(const void *p)
{
	return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
}

static inline void poke64(void *p, uint64_t v)
{
	__atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED);
}

#endif
