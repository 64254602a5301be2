/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Whether a backing file already holds data: nvdimm-dax's format=auto
 * writes its info block only into a file that holds none.
 */
#ifndef HW_MEM_NVDIMM_DAX_DATA_H
#define HW_MEM_NVDIMM_DAX_DATA_H

/* What nvdimm_dax_find_data() read to decide. */
typedef struct NvdimmDaxScan {
    uint64_t allocated;     /* bytes in data extents, all read */
} NvdimmDaxScan;

/*
 * Look for a non-zero byte in [@start, @start + @len) of @fd.  Holes
 * (SEEK_HOLE) are zero by definition and cost nothing; data extents are
 * read.  Returns 1 with its offset from @start in *@where, 0 when there
 * is none, or -errno when the file cannot be read.
 */
int nvdimm_dax_find_data(int fd, uint64_t start, uint64_t len,
                         uint64_t *where, NvdimmDaxScan *scan);

#endif
