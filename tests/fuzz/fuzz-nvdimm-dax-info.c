/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * libFuzzer target for the info-block code, hw/mem/nvdimm-dax-info.c.
 *
 * nvdimm-dax reads the info-block area of a backing file the user gave
 * it, which may hold anything, and decides from it whether it may write.
 * So: parse and classify arbitrary bytes against arbitrary parameters,
 * and hold the code to what its answers promise.  A block that parses
 * describes a layout inside the namespace (checked in 128 bits, so that
 * no product can wrap); a block that builds parses back to its
 * parameters and classifies as the same.  Built with ASan and UBSan.
 *
 * Input: namespace size (8 bytes, LE), align (8 bytes, LE), one byte of
 * choices (page size, memmap, mode, uuid match, whether to give the block
 * a valid checksum, without which the fuzzer would hardly ever get past
 * it), then the block.
 */

#include "qemu/osdep.h"
#include "hw/mem/nvdimm-dax-info.h"
#include "fuzz-check.h"

/* where the block's checksum lives (Linux's struct nd_pfn_sb) */
#define CHECKSUM 4088

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--) {
        v = v << 8 | p[i];
    }
    return v;
}

static bool pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

static void check_parsed(const NvdimmDaxInfo *i, uint64_t ns_size)
{
    unsigned __int128 end = (unsigned __int128)i->npfns * i->page_size +
                            i->dataoff + i->end_trunc;

    CHECK(i->dataoff < ns_size);
    CHECK(end <= ns_size);
    CHECK(pow2(i->page_size) && i->page_size >= 4096 && pow2(i->align));
    CHECK(i->memmap == NVDIMM_DAX_PFN_MODE_RAM ||
          i->memmap == NVDIMM_DAX_PFN_MODE_PMEM);
    CHECK(i->start_pad == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t page_sizes[] = { 4096, 16384, 65536, 8192 };
    uint8_t block[NVDIMM_DAX_INFO_SIZE] = { 0 };
    uint8_t built[NVDIMM_DAX_INFO_SIZE];
    NvdimmDaxParams p = { 0 };
    NvdimmDaxInfo info;
    const char *err = NULL;
    char *desc = NULL;
    NvdimmDaxFound found;
    uint8_t choice;

    if (size < 17) {
        return 0;
    }
    p.ns_size = le64(data);
    p.align = le64(data + 8);
    choice = data[16];
    memcpy(block, data + 17, MIN(size - 17, sizeof(block)));
    p.page_size = page_sizes[choice & 3];
    p.memmap = choice & 4 ? NVDIMM_DAX_PFN_MODE_PMEM : NVDIMM_DAX_PFN_MODE_RAM;
    p.mode = choice & 8 ? NVDIMM_DAX_KIND_FSDAX : NVDIMM_DAX_KIND_DEVDAX;
    memcpy(p.uuid, block + 24, 16);
    if (choice & 32) {
        uint64_t sum;

        memset(block + CHECKSUM, 0, 8);
        sum = nvdimm_dax_fletcher64(block, sizeof(block));
        for (int i = 0; i < 8; i++) {
            block[CHECKSUM + i] = sum >> (8 * i);
        }
    }

    if (nvdimm_dax_info_parse(block, p.ns_size, &info, &err)) {
        check_parsed(&info, p.ns_size);
    } else {
        CHECK(err && *err);
    }
    found = nvdimm_dax_info_classify(block, &p, choice & 16, &desc);
    CHECK(desc && *desc);
    CHECK(found <= NVDIMM_DAX_FOUND_FOREIGN);
    g_free(desc);

    err = NULL;
    if (!nvdimm_dax_info_build(&p, built, &err)) {
        CHECK(err && *err);
        return 0;
    }
    /* what nvdimm-dax writes, Linux's rules accept, with its parameters */
    err = NULL;
    if (!nvdimm_dax_info_parse(built, p.ns_size, &info, &err)) {
        fprintf(stderr, "built block does not parse: %s\n", err);
        abort();
    }
    check_parsed(&info, p.ns_size);
    CHECK(info.align == p.align && info.page_size == p.page_size);
    CHECK(info.memmap == p.memmap && info.mode == p.mode);
    CHECK(!memcmp(info.uuid, p.uuid, 16));
    found = nvdimm_dax_info_classify(built, &p, true, &desc);
    CHECK(found == NVDIMM_DAX_FOUND_SAME);
    g_free(desc);
    return 0;
}
