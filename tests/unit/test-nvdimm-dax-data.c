/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Unit tests of the search for data in a backing file that guards
 * nvdimm-dax's format=auto: holes cost nothing, allocated zeroes are no
 * data, and the first non-zero byte is found wherever it is.
 */

#include "qemu/osdep.h"
#include "hw/mem/nvdimm-dax-data.h"

#define MiB (1024ULL * 1024)
#define GiB (1024 * MiB)

static int temp_file(uint64_t size)
{
    g_autofree char *path = NULL;
    int fd = g_file_open_tmp("nvdimm-dax-data-XXXXXX", &path, NULL);

    g_assert_cmpint(fd, >=, 0);
    unlink(path);
    g_assert_cmpint(ftruncate(fd, size), ==, 0);
    return fd;
}

static void put(int fd, uint64_t off, const void *buf, size_t len)
{
    g_assert_cmpint(pwrite(fd, buf, len, off), ==, len);
}

/* A 16 GiB sparse file: no data, and nothing read. */
static void test_sparse(void)
{
    int fd = temp_file(16 * GiB);
    NvdimmDaxScan scan;
    uint64_t where = 7;

    g_assert_cmpint(nvdimm_dax_find_data(fd, 0, 16 * GiB, &where, &scan),
                    ==, 0);
    g_assert_cmpuint(scan.allocated, ==, 0);
    g_assert_cmpuint(where, ==, 7);
    close(fd);
}

/* Allocated zeroes (dd if=/dev/zero) are read, and are no data. */
static void test_allocated_zeroes(void)
{
    g_autofree uint8_t *zeroes = g_malloc0(4 * MiB);
    int fd = temp_file(4 * MiB);
    NvdimmDaxScan scan;
    uint64_t where;

    put(fd, 0, zeroes, 4 * MiB);
    g_assert_cmpint(fsync(fd), ==, 0);
    g_assert_cmpint(nvdimm_dax_find_data(fd, 0, 4 * MiB, &where, &scan),
                    ==, 0);
    g_assert_cmpuint(scan.allocated, ==, 4 * MiB);
    close(fd);
}

/* One byte anywhere is found, at its exact offset, in a sparse file. */
static void test_one_byte(void)
{
    static const uint64_t offsets[] = {
        0, 0x1000 - 1, 0x1be, 5 * GiB + 12345, 8 * GiB - 1,
    };

    for (size_t i = 0; i < G_N_ELEMENTS(offsets); i++) {
        int fd = temp_file(8 * GiB);
        NvdimmDaxScan scan;
        uint64_t where;

        put(fd, offsets[i], "x", 1);
        g_assert_cmpint(nvdimm_dax_find_data(fd, 0, 8 * GiB, &where, &scan),
                        ==, 1);
        g_assert_cmpuint(where, ==, offsets[i]);
        /* only the extent around it was read */
        g_assert_cmpuint(scan.allocated, <=, 2 * MiB);
        close(fd);
    }
}

/*
 * The backend may start at an offset into the file (memory-backend-file
 * offset=) and end before its end: only its own bytes count, and the
 * offset found is the backend's.
 */
static void test_window(void)
{
    int fd = temp_file(64 * MiB);
    NvdimmDaxScan scan;
    uint64_t where;

    put(fd, 1 * MiB - 1, "a", 1);           /* before the window */
    put(fd, 48 * MiB, "z", 1);              /* after it */
    g_assert_cmpint(nvdimm_dax_find_data(fd, 1 * MiB, 32 * MiB, &where,
                                         &scan), ==, 0);
    put(fd, 20 * MiB + 3, "m", 1);          /* in it */
    g_assert_cmpint(nvdimm_dax_find_data(fd, 1 * MiB, 32 * MiB, &where,
                                         &scan), ==, 1);
    g_assert_cmpuint(where, ==, 19 * MiB + 3);
    close(fd);
}

/* A backend longer than its file: the rest reads as zero. */
static void test_short_file(void)
{
    int fd = temp_file(1 * MiB);
    NvdimmDaxScan scan;
    uint64_t where;

    g_assert_cmpint(nvdimm_dax_find_data(fd, 0, 32 * MiB, &where, &scan),
                    ==, 0);
    close(fd);
}

/* A file that cannot be read is an error, not an empty file. */
static void test_unreadable(void)
{
    g_autofree char *path = NULL;
    int fd = g_file_open_tmp("nvdimm-dax-data-XXXXXX", &path, NULL);
    NvdimmDaxScan scan;
    uint64_t where;

    g_assert_cmpint(fd, >=, 0);
    put(fd, 0, "data", 4);
    close(fd);
    fd = open(path, O_WRONLY);
    unlink(path);
    g_assert_cmpint(nvdimm_dax_find_data(fd, 0, 1 * MiB, &where, &scan),
                    ==, -EBADF);
    close(fd);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nvdimm-dax-data/sparse", test_sparse);
    g_test_add_func("/nvdimm-dax-data/allocated-zeroes",
                    test_allocated_zeroes);
    g_test_add_func("/nvdimm-dax-data/one-byte", test_one_byte);
    g_test_add_func("/nvdimm-dax-data/window", test_window);
    g_test_add_func("/nvdimm-dax-data/short-file", test_short_file);
    g_test_add_func("/nvdimm-dax-data/unreadable", test_unreadable);
    return g_test_run();
}
