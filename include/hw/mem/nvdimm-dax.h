/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * nvdimm-dax: an NVDIMM whose label-less namespace the guest sees as
 * device-dax (or fsdax) with a chosen alignment, because QEMU writes the
 * namespace's info block at realize time.
 */

#ifndef HW_MEM_NVDIMM_DAX_H
#define HW_MEM_NVDIMM_DAX_H

#include "hw/mem/nvdimm.h"
#include "hw/mem/nvdimm-dax-info.h"
#include "qapi/qapi-types-machine.h"
#include "qom/object.h"

#define TYPE_NVDIMM_DAX "nvdimm-dax"
OBJECT_DECLARE_SIMPLE_TYPE(NvdimmDaxDevice, NVDIMM_DAX)

struct NvdimmDaxDevice {
    NVDIMMDevice parent_obj;

    uint64_t align;
    uint64_t page_size;         /* 0: derived from align */
    NvdimmDaxMemmap memmap;
    NvdimmDaxMode mode;
    NvdimmDaxFormat format;
};

#endif
