/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * For the fuzz targets: a property that must hold, checked whatever
 * NDEBUG says, failing as libFuzzer reports a crash.
 */

#ifndef CONTDAX_FUZZ_CHECK_H
#define CONTDAX_FUZZ_CHECK_H

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
            abort(); \
        } \
    } while (0)

#endif
