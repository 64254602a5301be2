/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Unit tests of the NVDIMM pfn/dax info-block code against figures and
 * blocks written by the real Linux 6.12 guest kernel.
 */

#include "qemu/osdep.h"
#include "hw/mem/nvdimm-dax-info.h"

#define KiB 1024ULL
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)

static NvdimmDaxParams params(uint64_t size, uint64_t align,
                              NvdimmDaxPfnMode memmap)
{
    NvdimmDaxParams p = {
        .ns_size = size, .align = align, .page_size = 4 * KiB,
        .memmap = memmap, .mode = NVDIMM_DAX_KIND_DEVDAX,
    };

    for (int i = 0; i < 16; i++) {
        p.uuid[i] = 0xa0 + i;
    }
    return p;
}

static void build_ok(const NvdimmDaxParams *p, uint8_t *block)
{
    const char *err = NULL;

    g_assert_true(nvdimm_dax_info_build(p, block, &err));
    g_assert_null(err);
}

static void test_fletcher64(void)
{
    const uint8_t words[12] = { 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0 };

    /* lo: 1, 3, 6; hi: 1 + 3 + 6 */
    g_assert_cmphex(nvdimm_dax_fletcher64(words, sizeof(words)), ==,
                    (10ULL << 32) | 6);
}

/*
 * Blocks the guest kernel wrote for a 1 GiB namespace at a 1 GiB aligned
 * address (shared/notes/bringup.md): dataoff, npfns and /dev/dax0.0 size.
 */
static void test_kernel_figures(void)
{
    static const struct {
        uint64_t align;
        NvdimmDaxPfnMode memmap;
        uint64_t dataoff, npfns;
    } cases[] = {
        { 2 * MiB, NVDIMM_DAX_PFN_MODE_PMEM, 18874368, 257536 },
        { 2 * MiB, NVDIMM_DAX_PFN_MODE_RAM, 2097152, 261632 },
        { 4 * KiB, NVDIMM_DAX_PFN_MODE_PMEM, 18874368, 257536 },
        { 4 * KiB, NVDIMM_DAX_PFN_MODE_RAM, 2097152, 261632 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        NvdimmDaxParams p = params(GiB, cases[i].align, cases[i].memmap);
        uint8_t block[NVDIMM_DAX_INFO_SIZE];
        NvdimmDaxInfo info;
        const char *err;

        build_ok(&p, block);
        g_assert_true(nvdimm_dax_info_parse(block, p.ns_size, &info, &err));
        g_assert_cmpuint(info.dataoff, ==, cases[i].dataoff);
        g_assert_cmpuint(info.npfns, ==, cases[i].npfns);
        g_assert_cmpuint(info.version_major, ==, 1);
        g_assert_cmpuint(info.version_minor, ==, 4);
        g_assert_cmpuint(info.page_size, ==, 4096);
        g_assert_cmpuint(info.page_struct_size, ==, 64);
        g_assert_cmpuint(info.start_pad, ==, 0);
        g_assert_cmpuint(info.end_trunc, ==, 0);
        g_assert_cmpuint(info.align, ==, cases[i].align);
        g_assert_cmpuint(info.memmap, ==, cases[i].memmap);
        g_assert_cmpmem(info.uuid, 16, p.uuid, 16);
    }
}

/*
 * Blocks the Linux 6.12 guest kernel itself wrote for a raw 1 GiB
 * namespace (tests/unit/data/regenerate.sh): given the same uuid,
 * nvdimm-dax must write the same 4 KiB, byte for byte.
 */
static void test_kernel_blocks(void)
{
    static const struct {
        const char *file;
        uint64_t align;
        NvdimmDaxPfnMode memmap;
        NvdimmDaxKind mode;
    } cases[] = {
        { "linux-6.12-devdax-4096-dev.bin", 4 * KiB, NVDIMM_DAX_PFN_MODE_PMEM,
          NVDIMM_DAX_KIND_DEVDAX },
        { "linux-6.12-devdax-4096-ram.bin", 4 * KiB, NVDIMM_DAX_PFN_MODE_RAM,
          NVDIMM_DAX_KIND_DEVDAX },
        { "linux-6.12-devdax-2097152-dev.bin", 2 * MiB,
          NVDIMM_DAX_PFN_MODE_PMEM, NVDIMM_DAX_KIND_DEVDAX },
        { "linux-6.12-devdax-2097152-ram.bin", 2 * MiB,
          NVDIMM_DAX_PFN_MODE_RAM, NVDIMM_DAX_KIND_DEVDAX },
        { "linux-6.12-fsdax-2097152-dev.bin", 2 * MiB, NVDIMM_DAX_PFN_MODE_PMEM,
          NVDIMM_DAX_KIND_FSDAX },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_build_filename(UNIT_DATA_DIR,
                                                 cases[i].file, NULL);
        g_autofree char *kernel = NULL;
        g_autoptr(GError) err = NULL;
        NvdimmDaxParams p = params(GiB, cases[i].align, cases[i].memmap);
        uint8_t block[NVDIMM_DAX_INFO_SIZE];
        gsize len;

        if (!g_file_get_contents(path, &kernel, &len, &err)) {
            g_error("%s", err->message);
        }
        g_assert_cmpuint(len, ==, NVDIMM_DAX_INFO_SIZE);
        p.mode = cases[i].mode;
        /* the uuid the kernel was given, at offset 16 */
        memcpy(p.uuid, kernel + 16, sizeof(p.uuid));
        build_ok(&p, block);
        g_assert_cmpmem(block, sizeof(block), kernel, len);
    }
}

static void test_layout(void)
{
    NvdimmDaxParams p = params(GiB, 2 * MiB, NVDIMM_DAX_PFN_MODE_RAM);
    uint8_t block[NVDIMM_DAX_INFO_SIZE];

    build_ok(&p, block);
    g_assert_cmpmem(block, 16, "NVDIMM_DAX_INFO\0", 16);
    g_assert_cmpmem(block + 16, 16, p.uuid, 16);
    g_assert_cmphex(block[72], ==, 1);              /* mode: ram */
    g_assert_cmphex(block[84 + 2], ==, 0x20);       /* align 0x200000 */
    p.mode = NVDIMM_DAX_KIND_FSDAX;
    p.memmap = NVDIMM_DAX_PFN_MODE_PMEM;
    build_ok(&p, block);
    g_assert_cmpmem(block, 16, "NVDIMM_PFN_INFO\0", 16);
    g_assert_cmphex(block[72], ==, 2);              /* mode: dev */
}

/* A size that is no multiple of the alignment is truncated at the end. */
static void test_end_trunc(void)
{
    NvdimmDaxParams p = params(GiB + 3 * MiB, 2 * MiB,
                               NVDIMM_DAX_PFN_MODE_RAM);
    uint8_t block[NVDIMM_DAX_INFO_SIZE];
    NvdimmDaxInfo info;
    const char *err;

    build_ok(&p, block);
    g_assert_true(nvdimm_dax_info_parse(block, p.ns_size, &info, &err));
    g_assert_cmpuint(info.end_trunc, ==, 1 * MiB);
    g_assert_cmpuint(info.dataoff + info.npfns * 4096 + info.end_trunc,
                     ==, p.ns_size);
}

/* 16K and 64K page guests: npfns counts guest pages. */
static void test_page_sizes(void)
{
    NvdimmDaxParams p = params(GiB, 32 * MiB, NVDIMM_DAX_PFN_MODE_PMEM);
    uint8_t block[NVDIMM_DAX_INFO_SIZE];
    NvdimmDaxInfo info;
    const char *err;

    p.page_size = 16 * KiB;
    build_ok(&p, block);
    g_assert_true(nvdimm_dax_info_parse(block, p.ns_size, &info, &err));
    /* memmap of (1G - 8K) / 16K pages * 64 bytes rounds up to 32M */
    g_assert_cmpuint(info.dataoff, ==, 32 * MiB);
    g_assert_cmpuint(info.npfns, ==, (GiB - 32 * MiB) / (16 * KiB));
    g_assert_cmpuint(info.page_size, ==, 16 * KiB);

    p = params(GiB, 512 * MiB, NVDIMM_DAX_PFN_MODE_RAM);
    p.page_size = 64 * KiB;
    build_ok(&p, block);
    g_assert_true(nvdimm_dax_info_parse(block, p.ns_size, &info, &err));
    g_assert_cmpuint(info.dataoff, ==, 512 * MiB);
    g_assert_cmpuint(info.npfns, ==, 512 * MiB / (64 * KiB));
}

static void test_no_room(void)
{
    uint8_t block[NVDIMM_DAX_INFO_SIZE];
    const char *err = NULL;
    NvdimmDaxParams p = params(512 * MiB, GiB, NVDIMM_DAX_PFN_MODE_RAM);

    g_assert_false(nvdimm_dax_info_build(&p, block, &err));
    g_assert_nonnull(strstr(err, "no room"));

    /* 4 MiB with memmap on the device: memmap + 8K rounds to all of it */
    p = params(4 * MiB, 2 * MiB, NVDIMM_DAX_PFN_MODE_PMEM);
    p.ns_size = 2 * MiB;
    g_assert_false(nvdimm_dax_info_build(&p, block, &err));

    p = params(GiB, 3 * MiB, NVDIMM_DAX_PFN_MODE_RAM);
    g_assert_false(nvdimm_dax_info_build(&p, block, &err));
}

/* Each corruption nd_pfn_validate() would reject is rejected. */
static void test_corrupted(void)
{
    NvdimmDaxParams p = params(GiB, 2 * MiB, NVDIMM_DAX_PFN_MODE_PMEM);
    uint8_t good[NVDIMM_DAX_INFO_SIZE], bad[NVDIMM_DAX_INFO_SIZE];
    static const struct {
        size_t off;
        uint8_t val;
        bool fix_checksum;
        const char *err;
    } cases[] = {
        { 0, 'X', true, "signature" },
        { 100, 1, false, "checksum" },
        { 4095, 1, false, "checksum" },
        { 40, 1, true, "parent uuid" },
        { 54, 3, true, "version" },
        { 72, 3, true, "memmap mode" },
        { 48, 1, true, "flags or padding" },
        { 2000, 1, true, "flags or padding" },
        { 57, 0x10, true, "data offset" },          /* dataoff + 4K */
        { 66, 0x10, true, "npfns" },                /* npfns too large */
        { 70, 0x10, true, "npfns" },                /* npfns * 4K wraps */
        { 76, 1, true, "start_pad" },
        { 89, 0x30, true, "power of two" },         /* page size 0x3000 */
    };

    build_ok(&p, good);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        NvdimmDaxInfo info;
        const char *err = NULL;

        memcpy(bad, good, sizeof(bad));
        bad[cases[i].off] = cases[i].val;
        if (cases[i].fix_checksum) {
            uint64_t sum;

            memset(bad + 4088, 0, 8);
            sum = nvdimm_dax_fletcher64(bad, sizeof(bad));
            for (int b = 0; b < 8; b++) {
                bad[4088 + b] = sum >> (8 * b);
            }
        }
        g_assert_false(nvdimm_dax_info_parse(bad, p.ns_size, &info, &err));
        if (!strstr(err, cases[i].err)) {
            g_error("case %zu: error '%s' lacks '%s'", i, err, cases[i].err);
        }
    }
}

static void test_classify(void)
{
    NvdimmDaxParams p = params(GiB, 2 * MiB, NVDIMM_DAX_PFN_MODE_RAM);
    NvdimmDaxParams q = p;
    uint8_t block[NVDIMM_DAX_INFO_SIZE] = { 0 };
    char *desc;

    g_assert_cmpint(nvdimm_dax_info_classify(block, &p, false, &desc), ==,
                    NVDIMM_DAX_FOUND_EMPTY);
    g_free(desc);

    build_ok(&p, block);
    g_assert_cmpint(nvdimm_dax_info_classify(block, &p, true, &desc), ==,
                    NVDIMM_DAX_FOUND_SAME);
    g_free(desc);

    /* another uuid matters only when the user named one */
    q.uuid[0] ^= 0xff;
    g_assert_cmpint(nvdimm_dax_info_classify(block, &q, false, &desc), ==,
                    NVDIMM_DAX_FOUND_SAME);
    g_free(desc);
    g_assert_cmpint(nvdimm_dax_info_classify(block, &q, true, &desc), ==,
                    NVDIMM_DAX_FOUND_OTHER);
    g_free(desc);

    q = p;
    q.align = 4 * KiB;
    g_assert_cmpint(nvdimm_dax_info_classify(block, &q, false, &desc), ==,
                    NVDIMM_DAX_FOUND_OTHER);
    g_assert_nonnull(strstr(desc, "align 2097152"));
    g_free(desc);

    q = p;
    q.mode = NVDIMM_DAX_KIND_FSDAX;
    g_assert_cmpint(nvdimm_dax_info_classify(block, &q, false, &desc), ==,
                    NVDIMM_DAX_FOUND_OTHER);
    g_assert_nonnull(strstr(desc, "devdax"));
    g_free(desc);

    memset(block, 0, sizeof(block));
    memcpy(block + 1000, "ext4 or whatever", 16);
    g_assert_cmpint(nvdimm_dax_info_classify(block, &p, false, &desc), ==,
                    NVDIMM_DAX_FOUND_FOREIGN);
    g_assert_nonnull(strstr(desc, "no valid info block"));
    g_free(desc);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nvdimm-dax-info/fletcher64", test_fletcher64);
    g_test_add_func("/nvdimm-dax-info/kernel-figures", test_kernel_figures);
    g_test_add_func("/nvdimm-dax-info/kernel-blocks", test_kernel_blocks);
    g_test_add_func("/nvdimm-dax-info/layout", test_layout);
    g_test_add_func("/nvdimm-dax-info/end-trunc", test_end_trunc);
    g_test_add_func("/nvdimm-dax-info/page-sizes", test_page_sizes);
    g_test_add_func("/nvdimm-dax-info/no-room", test_no_room);
    g_test_add_func("/nvdimm-dax-info/corrupted", test_corrupted);
    g_test_add_func("/nvdimm-dax-info/classify", test_classify);
    return g_test_run();
}
