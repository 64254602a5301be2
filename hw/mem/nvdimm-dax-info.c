/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * NVDIMM pfn/dax info blocks, computed exactly as Linux 6.12's
 * nd_pfn_init() computes them and checked as nd_pfn_validate() checks
 * them.  See include/hw/mem/nvdimm-dax-info.h for the layout.
 *
 * This file depends on GLib only: it is compiled into QEMU and into the
 * standalone unit tests (tests/unit/), which is why it carries its own
 * little-endian accessors instead of qemu/bswap.h.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/cutils.h"
#include "qemu/host-utils.h"
#include "hw/mem/nvdimm-dax-info.h"

#define OFF_SIGNATURE        0
#define OFF_UUID             16
#define OFF_PARENT_UUID      32
#define OFF_FLAGS            48
#define OFF_VERSION_MAJOR    52
#define OFF_VERSION_MINOR    54
#define OFF_DATAOFF          56
#define OFF_NPFNS            64
#define OFF_MODE             72
#define OFF_START_PAD        76
#define OFF_END_TRUNC        80
#define OFF_ALIGN            84
#define OFF_PAGE_SIZE        88
#define OFF_PAGE_STRUCT_SIZE 92
#define OFF_PADDING          94
#define OFF_CHECKSUM         4088

/* The version Linux 6.12 writes. */
#define VERSION_MAJOR        1
#define VERSION_MINOR        4

static const char dax_sig[NVDIMM_DAX_INFO_SIG_LEN] = "NVDIMM_DAX_INFO";
static const char pfn_sig[NVDIMM_DAX_INFO_SIG_LEN] = "NVDIMM_PFN_INFO";

uint64_t nvdimm_dax_fletcher64(const uint8_t *buf, size_t len)
{
    uint32_t lo32 = 0;
    uint64_t hi32 = 0;

    for (size_t i = 0; i + 4 <= len; i += 4) {
        lo32 += (uint32_t)ldl_le_p(buf + i);
        hi32 += lo32;
    }
    return hi32 << 32 | lo32;
}

/* The checksum of @block as if its checksum field were zero. */
static uint64_t block_checksum(const uint8_t *block)
{
    uint8_t copy[NVDIMM_DAX_INFO_SIZE];

    memcpy(copy, block, sizeof(copy));
    stq_le_p(copy + OFF_CHECKSUM, 0);
    return nvdimm_dax_fletcher64(copy, sizeof(copy));
}

bool nvdimm_dax_info_build(const NvdimmDaxParams *p, uint8_t *block,
                           const char **err)
{
    uint64_t ps = p->page_size;
    uint64_t align, end_trunc, offset, npfns;

    if (!is_power_of_2(ps) || ps < 4096 || !is_power_of_2(p->align)) {
        *err = "page size and align must be powers of two";
        return false;
    }
    if (p->align > UINT32_MAX) {
        *err = "align does not fit the info block";
        return false;
    }
    if (p->ns_size <= 2 * NVDIMM_DAX_INFO_SIZE) {
        *err = "namespace too small for an info block";
        return false;
    }

    /*
     * nd_pfn_init(): the namespace starts aligned (the device places it
     * so), hence ALIGN(start + x, a) - start == ALIGN(x, a).  The data
     * offset honours both the dax alignment and memremap's 2 MiB.
     */
    align = MAX(p->align, NVDIMM_DAX_COMPAT_ALIGN);
    end_trunc = p->ns_size % align;
    npfns = (p->ns_size - 2 * NVDIMM_DAX_INFO_SIZE) / ps;
    if (p->memmap == NVDIMM_DAX_PFN_MODE_PMEM) {
        offset = QEMU_ALIGN_UP(2 * NVDIMM_DAX_INFO_SIZE +
                          NVDIMM_DAX_STRUCT_PAGE_SIZE * npfns, align);
    } else {
        offset = QEMU_ALIGN_UP(2 * NVDIMM_DAX_INFO_SIZE, align);
    }
    if (offset >= p->ns_size - end_trunc) {
        *err = "no room for data after the info block and memmap";
        return false;
    }
    npfns = (p->ns_size - offset - end_trunc) / ps;

    memset(block, 0, NVDIMM_DAX_INFO_SIZE);
    memcpy(block + OFF_SIGNATURE,
           p->mode == NVDIMM_DAX_KIND_DEVDAX ? dax_sig : pfn_sig,
           NVDIMM_DAX_INFO_SIG_LEN);
    memcpy(block + OFF_UUID, p->uuid, 16);
    /* parent_uuid: a label-less namespace's uuid is all zero */
    stw_le_p(block + OFF_VERSION_MAJOR, VERSION_MAJOR);
    stw_le_p(block + OFF_VERSION_MINOR, VERSION_MINOR);
    stq_le_p(block + OFF_DATAOFF, offset);
    stq_le_p(block + OFF_NPFNS, npfns);
    stl_le_p(block + OFF_MODE, p->memmap);
    stl_le_p(block + OFF_END_TRUNC, end_trunc);
    stl_le_p(block + OFF_ALIGN, p->align);
    stl_le_p(block + OFF_PAGE_SIZE, ps);
    stw_le_p(block + OFF_PAGE_STRUCT_SIZE, NVDIMM_DAX_STRUCT_PAGE_SIZE);
    stq_le_p(block + OFF_CHECKSUM, block_checksum(block));
    return true;
}

bool nvdimm_dax_info_parse(const uint8_t *block, uint64_t ns_size,
                           NvdimmDaxInfo *info, const char **err)
{
    uint64_t align;

    if (!memcmp(block + OFF_SIGNATURE, dax_sig, NVDIMM_DAX_INFO_SIG_LEN)) {
        info->mode = NVDIMM_DAX_KIND_DEVDAX;
    } else if (!memcmp(block + OFF_SIGNATURE, pfn_sig,
                       NVDIMM_DAX_INFO_SIG_LEN)) {
        info->mode = NVDIMM_DAX_KIND_FSDAX;
    } else {
        *err = "no NVDIMM_DAX_INFO or NVDIMM_PFN_INFO signature";
        return false;
    }
    if (ldq_le_p(block + OFF_CHECKSUM) != block_checksum(block)) {
        *err = "bad checksum";
        return false;
    }
    if (!buffer_is_zero(block + OFF_PARENT_UUID, 16)) {
        *err = "parent uuid is not that of a label-less namespace";
        return false;
    }
    memcpy(info->uuid, block + OFF_UUID, 16);
    info->version_major = lduw_le_p(block + OFF_VERSION_MAJOR);
    info->version_minor = lduw_le_p(block + OFF_VERSION_MINOR);
    info->dataoff = ldq_le_p(block + OFF_DATAOFF);
    info->npfns = ldq_le_p(block + OFF_NPFNS);
    info->memmap = (uint32_t)ldl_le_p(block + OFF_MODE);
    info->start_pad = (uint32_t)ldl_le_p(block + OFF_START_PAD);
    info->end_trunc = (uint32_t)ldl_le_p(block + OFF_END_TRUNC);
    info->align = (uint32_t)ldl_le_p(block + OFF_ALIGN);
    info->page_size = (uint32_t)ldl_le_p(block + OFF_PAGE_SIZE);
    info->page_struct_size = lduw_le_p(block + OFF_PAGE_STRUCT_SIZE);

    if (info->version_major != VERSION_MAJOR ||
        info->version_minor < VERSION_MINOR) {
        *err = "info block version older than 1.4";
        return false;
    }
    if (info->memmap != NVDIMM_DAX_PFN_MODE_RAM &&
        info->memmap != NVDIMM_DAX_PFN_MODE_PMEM) {
        *err = "memmap mode is neither 1 (ram) nor 2 (dev)";
        return false;
    }
    if ((uint32_t)ldl_le_p(block + OFF_FLAGS) ||
        !buffer_is_zero(block + OFF_PADDING, OFF_CHECKSUM - OFF_PADDING)) {
        *err = "flags or padding not zero";
        return false;
    }
    if (!is_power_of_2(info->page_size) || info->page_size < 4096 ||
        !is_power_of_2(info->align)) {
        *err = "page size or align is not a power of two";
        return false;
    }
    align = MAX(info->align, NVDIMM_DAX_COMPAT_ALIGN);
    if (info->dataoff >= ns_size || info->dataoff % align ||
        info->dataoff % info->page_size) {
        *err = "data offset outside the namespace or misaligned";
        return false;
    }
    /* divided, not multiplied: a huge npfns must not wrap into range */
    if (info->start_pad || info->end_trunc >= ns_size - info->dataoff ||
        info->npfns > (ns_size - info->dataoff - info->end_trunc) /
                      info->page_size) {
        *err = "npfns, start_pad or end_trunc do not fit the namespace";
        return false;
    }
    return true;
}

static char *describe(const NvdimmDaxInfo *i)
{
    return g_strdup_printf("%s block, align %" PRIu32 ", memmap %s, "
                           "page size %" PRIu32 ", dataoff %" PRIu64,
                           i->mode == NVDIMM_DAX_KIND_DEVDAX ?
                           "devdax" : "fsdax", i->align,
                           i->memmap == NVDIMM_DAX_PFN_MODE_PMEM ? "dev"
                                                                 : "ram",
                           i->page_size, i->dataoff);
}

NvdimmDaxFound nvdimm_dax_info_classify(const uint8_t *block,
                                        const NvdimmDaxParams *p,
                                        bool match_uuid, char **desc)
{
    uint8_t want[NVDIMM_DAX_INFO_SIZE];
    NvdimmDaxInfo have;
    const char *err;

    if (buffer_is_zero(block, NVDIMM_DAX_INFO_SIZE)) {
        *desc = g_strdup("an empty (all zero) info block area");
        return NVDIMM_DAX_FOUND_EMPTY;
    }
    if (!nvdimm_dax_info_parse(block, p->ns_size, &have, &err)) {
        *desc = g_strdup_printf("non-zero data that is no valid info "
                                "block (%s)", err);
        return NVDIMM_DAX_FOUND_FOREIGN;
    }
    *desc = describe(&have);
    if (!nvdimm_dax_info_build(p, want, &err)) {
        return NVDIMM_DAX_FOUND_OTHER;
    }
    /* Same block but for the uuid and the checksum that covers it? */
    memcpy(want + OFF_UUID, block + OFF_UUID, 16);
    if (match_uuid && memcmp(have.uuid, p->uuid, 16)) {
        return NVDIMM_DAX_FOUND_OTHER;
    }
    if (memcmp(want, block, OFF_CHECKSUM)) {
        return NVDIMM_DAX_FOUND_OTHER;
    }
    return NVDIMM_DAX_FOUND_SAME;
}
