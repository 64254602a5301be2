/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * nvdimm-dax-info: the info block nvdimm-dax writes, from the host.
 *
 *   nvdimm-dax-info show FILE
 *       decode the info block of a backing file (namespace offset 4 KiB)
 *   nvdimm-dax-info build SIZE ALIGN PAGE_SIZE dev|ram devdax|fsdax UUID
 *       write to stdout the 4 KiB block nvdimm-dax would write
 *
 * Sizes are in bytes.  Exit status 1 on an invalid block or bad input.
 */

#include "qemu/osdep.h"
#include "hw/mem/nvdimm-dax-info.h"

static int usage(void)
{
    fprintf(stderr, "usage: nvdimm-dax-info show FILE\n"
            "       nvdimm-dax-info build SIZE ALIGN PAGE_SIZE dev|ram "
            "devdax|fsdax UUID\n");
    return 2;
}

static bool parse_uuid(const char *s, uint8_t *out)
{
    int n = 0;

    for (; *s && n < 16; s++) {
        unsigned int byte;

        if (*s == '-') {
            continue;
        }
        if (sscanf(s, "%2x", &byte) != 1) {
            return false;
        }
        out[n++] = byte;
        s++;
    }
    return n == 16 && !*s;
}

static int show(const char *path)
{
    uint8_t block[NVDIMM_DAX_INFO_SIZE];
    const char *why;
    NvdimmDaxInfo i;
    struct stat st;
    int fd = open(path, O_RDONLY);

    if (fd < 0 || fstat(fd, &st) < 0) {
        fprintf(stderr, "nvdimm-dax-info: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (pread(fd, block, sizeof(block), NVDIMM_DAX_INFO_OFFSET) !=
        sizeof(block)) {
        fprintf(stderr, "nvdimm-dax-info: %s: too small\n", path);
        close(fd);
        return 1;
    }
    close(fd);
    if (!nvdimm_dax_info_parse(block, st.st_size, &i, &why)) {
        fprintf(stderr, "nvdimm-dax-info: %s: %s\n", path, why);
        return 1;
    }
    printf("mode=%s\nversion=%u.%u\ndataoff=%" PRIu64 "\nnpfns=%" PRIu64
           "\nmemmap=%s\nstart_pad=%u\nend_trunc=%u\nalign=%u\n"
           "page_size=%u\npage_struct_size=%u\n",
           i.mode == NVDIMM_DAX_KIND_DEVDAX ? "devdax" : "fsdax",
           i.version_major, i.version_minor, i.dataoff, i.npfns,
           i.memmap == NVDIMM_DAX_PFN_MODE_PMEM ? "dev" : "ram", i.start_pad,
           i.end_trunc, i.align, i.page_size, i.page_struct_size);
    return 0;
}

static int build(char **argv)
{
    NvdimmDaxParams p = {
        .ns_size = g_ascii_strtoull(argv[0], NULL, 0),
        .align = g_ascii_strtoull(argv[1], NULL, 0),
        .page_size = g_ascii_strtoull(argv[2], NULL, 0),
        .memmap = !strcmp(argv[3], "dev") ? NVDIMM_DAX_PFN_MODE_PMEM
                                          : NVDIMM_DAX_PFN_MODE_RAM,
        .mode = !strcmp(argv[4], "devdax") ? NVDIMM_DAX_KIND_DEVDAX
                                           : NVDIMM_DAX_KIND_FSDAX,
    };
    uint8_t block[NVDIMM_DAX_INFO_SIZE];
    const char *why;

    if ((strcmp(argv[3], "dev") && strcmp(argv[3], "ram")) ||
        (strcmp(argv[4], "devdax") && strcmp(argv[4], "fsdax")) ||
        !parse_uuid(argv[5], p.uuid)) {
        return usage();
    }
    if (!nvdimm_dax_info_build(&p, block, &why)) {
        fprintf(stderr, "nvdimm-dax-info: %s\n", why);
        return 1;
    }
    return fwrite(block, sizeof(block), 1, stdout) == 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "show")) {
        return show(argv[2]);
    }
    if (argc == 8 && !strcmp(argv[1], "build")) {
        return build(argv + 2);
    }
    return usage();
}
