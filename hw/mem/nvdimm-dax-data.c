/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Finding data in a backing file, for nvdimm-dax's format=auto.
 *
 * Zeroes at the info block's offset prove nothing: a GPT disk image has
 * its partition entries there, most of them zero.  So format=auto writes
 * only into a file without a single non-zero byte.  Holes are skipped
 * with SEEK_DATA/SEEK_HOLE, so a sparse file of any size costs a few
 * lseek() calls; extents that are allocated are read, since a file made
 * with dd from /dev/zero is allocated and empty all the same.
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "hw/mem/nvdimm-dax-data.h"

#define CHUNK (1024 * 1024)

/* The first non-zero byte of @buf, which is not all zero. */
static size_t first_nonzero(const uint8_t *buf, size_t len)
{
    size_t i = 0;

    while (i < len && !buf[i]) {
        i++;
    }
    return i;
}

/* Read [@off, @end) of @fd, looking for a non-zero byte. */
static int scan_extent(int fd, uint64_t off, uint64_t end, uint8_t *buf,
                       uint64_t *found, NvdimmDaxScan *scan)
{
    while (off < end) {
        size_t want = MIN(end - off, CHUNK);
        ssize_t got = pread(fd, buf, want, off);

        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (got == 0) {
            return 0;           /* the file ends here: the rest is zero */
        }
        scan->allocated += got;
        if (!buffer_is_zero(buf, got)) {
            *found = off + first_nonzero(buf, got);
            return 1;
        }
        off += got;
    }
    return 0;
}

int nvdimm_dax_find_data(int fd, uint64_t start, uint64_t len,
                         uint64_t *where, NvdimmDaxScan *scan)
{
    g_autofree uint8_t *buf = g_malloc(CHUNK);
    uint64_t end = start + len, off = start, found;

    scan->allocated = 0;
    while (off < end) {
        off_t data = lseek(fd, off, SEEK_DATA), hole;
        int ret;

        if (data < 0) {
            if (errno == ENXIO) {
                return 0;       /* only a hole up to the end of the file */
            }
            if (errno != EINVAL) {
                return -errno;
            }
            data = off;         /* no SEEK_DATA here: read everything */
            hole = end;
        } else {
            hole = lseek(fd, data, SEEK_HOLE);
            if (hole < 0) {
                return -errno;
            }
        }
        if ((uint64_t)data >= end) {
            return 0;
        }
        ret = scan_extent(fd, data, MIN((uint64_t)hole, end), buf, &found,
                          scan);
        if (ret) {
            if (ret > 0) {
                *where = found - start;
            }
            return ret;
        }
        off = hole;
    }
    return 0;
}
