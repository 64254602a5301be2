/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Stand-in for QEMU's qemu/osdep.h when the project's pure-logic files are
 * built outside QEMU for the standalone unit tests: the system and GLib
 * headers osdep.h would have pulled in, and QEMU's alignment macros.
 */
#ifndef CONTDAX_UNIT_OSDEP_H
#define CONTDAX_UNIT_OSDEP_H

/* QEMU builds with it: SEEK_DATA and friends */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>

#define QEMU_ALIGN_DOWN(n, m) ((n) / (m) * (m))
#define QEMU_ALIGN_UP(n, m) QEMU_ALIGN_DOWN((n) + (m) - 1, (m))

#endif
