/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The info block of a label-less NVDIMM namespace in pfn or dax mode, as
 * Linux defines it (struct nd_pfn_sb, drivers/nvdimm/pfn.h) and writes it
 * (nd_pfn_init(), drivers/nvdimm/pfn_devs.c).  Pure logic: no QEMU state,
 * so that it also compiles into the standalone unit tests.
 *
 * Layout, little-endian, at namespace offset 4 KiB, 4 KiB long:
 *
 *   0  signature[16]  "NVDIMM_DAX_INFO\0" (devdax) or "NVDIMM_PFN_INFO\0"
 *  16  uuid[16]
 *  32  parent_uuid[16]  the namespace's uuid: all zero when label-less
 *  48  flags u32        52 version_major u16   54 version_minor u16
 *  56  dataoff u64      offset of the data from the namespace start
 *  64  npfns u64        72 mode u32 (1 memmap in RAM, 2 memmap on device)
 *  76  start_pad u32    80 end_trunc u32       84 align u32
 *  88  page_size u32    92 page_struct_size u16
 * 4088 checksum u64     Fletcher-64 over the block, this field zero
 */

#ifndef HW_MEM_NVDIMM_DAX_INFO_H
#define HW_MEM_NVDIMM_DAX_INFO_H

#define NVDIMM_DAX_INFO_OFFSET      4096
#define NVDIMM_DAX_INFO_SIZE        4096
#define NVDIMM_DAX_INFO_SIG_LEN     16
/* Linux's MAX_STRUCT_PAGE_SIZE: the memmap size reserved per page. */
#define NVDIMM_DAX_STRUCT_PAGE_SIZE 64
/* arm64's memremap_compat_align(): SUBSECTION_SIZE. */
#define NVDIMM_DAX_COMPAT_ALIGN     (2 * 1024 * 1024)

/* Where the guest keeps the struct pages: Linux's enum nd_pfn_mode. */
typedef enum NvdimmDaxPfnMode {
    NVDIMM_DAX_PFN_MODE_RAM = 1,    /* PFN_MODE_RAM: memmap=ram */
    NVDIMM_DAX_PFN_MODE_PMEM = 2,   /* PFN_MODE_PMEM: memmap=dev */
} NvdimmDaxPfnMode;

/* Which signature the block carries. */
typedef enum NvdimmDaxKind {
    NVDIMM_DAX_KIND_DEVDAX,     /* /dev/daxN.M */
    NVDIMM_DAX_KIND_FSDAX,      /* /dev/pmemN with a pfn map */
} NvdimmDaxKind;

/* What a block is made from. */
typedef struct NvdimmDaxParams {
    uint64_t ns_size;           /* namespace size, bytes */
    uint64_t align;             /* the guest's dax alignment */
    uint64_t page_size;         /* the guest kernel's PAGE_SIZE */
    NvdimmDaxPfnMode memmap;
    NvdimmDaxKind mode;
    uint8_t uuid[16];
} NvdimmDaxParams;

/* A block decoded from its bytes. */
typedef struct NvdimmDaxInfo {
    NvdimmDaxKind mode;
    uint8_t uuid[16];
    uint16_t version_major;
    uint16_t version_minor;
    uint64_t dataoff;
    uint64_t npfns;
    NvdimmDaxPfnMode memmap;
    uint32_t start_pad;
    uint32_t end_trunc;
    uint32_t align;
    uint32_t page_size;
    uint16_t page_struct_size;
} NvdimmDaxInfo;

/* What the info-block area of a backing file holds. */
typedef enum NvdimmDaxFound {
    NVDIMM_DAX_FOUND_EMPTY,     /* all zero */
    NVDIMM_DAX_FOUND_SAME,      /* a valid block with the same parameters */
    NVDIMM_DAX_FOUND_OTHER,     /* a valid block with other parameters */
    NVDIMM_DAX_FOUND_FOREIGN,   /* non-zero bytes that are no valid block */
} NvdimmDaxFound;

uint64_t nvdimm_dax_fletcher64(const uint8_t *buf, size_t len);

/*
 * Fill @block with the info block Linux would write for @p.  Returns false
 * with a message in @err (static storage) if @p leaves no room for data or
 * is not representable.
 */
bool nvdimm_dax_info_build(const NvdimmDaxParams *p, uint8_t *block,
                           const char **err);

/*
 * Decode and check @block as Linux's nd_pfn_validate() does for a
 * label-less namespace of @ns_size bytes.  Returns false with a message in
 * @err (static storage) if it is not a valid block.
 */
bool nvdimm_dax_info_parse(const uint8_t *block, uint64_t ns_size,
                           NvdimmDaxInfo *info, const char **err);

/*
 * Classify @block against the block @p would produce.  The uuid counts
 * only if @match_uuid.  @desc receives a short description of what was
 * found (caller frees with g_free), for error messages.
 */
NvdimmDaxFound nvdimm_dax_info_classify(const uint8_t *block,
                                        const NvdimmDaxParams *p,
                                        bool match_uuid, char **desc);

#endif
