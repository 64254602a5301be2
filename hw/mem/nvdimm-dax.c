/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * nvdimm-dax: an NVDIMM pre-formatted as a device-dax (or fsdax)
 * namespace of a chosen alignment.
 *
 * The guest sees a label-less namespace covering the whole memdev, as with
 * nvdimm and label-size unset.  At realize, QEMU writes the namespace's
 * info block (4 KiB at offset 4 KiB) exactly as Linux's nd_pfn_init()
 * would, so that the guest kernel creates /dev/daxN.M (or /dev/pmemN with
 * a pfn map) by itself at boot, with no tool in the guest.  Only those
 * 4 KiB are ever written, and only over zeroes or an identical block
 * unless the user asked for format=force.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qemu/pmem.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/qdev-properties.h"
#include "hw/core/qdev-prop-internal.h"
#include "hw/mem/nvdimm-dax.h"
#include "hw/mem/nvdimm-dax-data.h"
#include "hw/mem/memory-device.h"
#include "system/hostmem.h"
#include "exec/ramblock.h"
#include "trace.h"

static const uint64_t valid_aligns[] = {
    4 * KiB, 16 * KiB, 64 * KiB, 2 * MiB, 32 * MiB, 512 * MiB, 1 * GiB,
};
#define VALID_ALIGNS "4K, 16K, 64K, 2M, 32M, 512M, 1G"
#define VALID_PAGE_SIZES "4K, 16K, 64K, 0 (from align)"

static const uint64_t valid_page_sizes[] = { 4 * KiB, 16 * KiB, 64 * KiB, 0 };

static void nvdimm_dax_get_size(Object *obj, Visitor *v, const char *name,
                                void *opaque, Error **errp)
{
    const Property *prop = opaque;

    visit_type_size(v, name, object_field_prop_ptr(obj, prop), errp);
}

static void nvdimm_dax_set_size(Object *obj, Visitor *v, const char *name,
                                const Property *prop, const uint64_t *valid,
                                size_t n_valid, const char *valid_names,
                                Error **errp)
{
    uint64_t value;

    if (!visit_type_size(v, name, &value, errp)) {
        return;
    }
    for (size_t i = 0; i < n_valid; i++) {
        if (value == valid[i]) {
            *(uint64_t *)object_field_prop_ptr(obj, prop) = value;
            return;
        }
    }
    error_setg(errp, "Property '%s.%s' (0x%" PRIx64 ") must be one of %s",
               object_get_typename(obj), name, value, valid_names);
}

static void nvdimm_dax_set_align(Object *obj, Visitor *v, const char *name,
                                 void *opaque, Error **errp)
{
    /*
     * Checked here, not at realize: memory_device_pre_plug() asks for the
     * alignment before the device is realized.
     */
    nvdimm_dax_set_size(obj, v, name, opaque, valid_aligns,
                        ARRAY_SIZE(valid_aligns), VALID_ALIGNS, errp);
}

static void nvdimm_dax_set_page_size(Object *obj, Visitor *v,
                                     const char *name, void *opaque,
                                     Error **errp)
{
    nvdimm_dax_set_size(obj, v, name, opaque, valid_page_sizes,
                        ARRAY_SIZE(valid_page_sizes), VALID_PAGE_SIZES, errp);
}

/* As qdev_propinfo_set_enum(), with the valid values in the message. */
static void nvdimm_dax_set_enum(Object *obj, Visitor *v, const char *name,
                                void *opaque, Error **errp)
{
    const Property *prop = opaque;
    const QEnumLookup *lookup = prop->info->enum_table;
    g_autofree char *value = NULL;
    g_autoptr(GString) valid = g_string_new("");
    int i;

    if (!visit_type_str(v, name, &value, errp)) {
        return;
    }
    i = qapi_enum_parse(lookup, value, -1, NULL);
    if (i >= 0) {
        *(int *)object_field_prop_ptr(obj, prop) = i;
        return;
    }
    for (i = 0; i < lookup->size; i++) {
        g_string_append_printf(valid, "%s%s", i ? ", " : "",
                               lookup->array[i]);
    }
    error_setg(errp, "Property '%s.%s' does not accept '%s'; valid values: "
               "%s", object_get_typename(obj), name, value, valid->str);
}

static const PropertyInfo nvdimm_dax_prop_align = {
    .type = "size",
    .description = "The guest's dax alignment: " VALID_ALIGNS,
    .get = nvdimm_dax_get_size,
    .set = nvdimm_dax_set_align,
    .set_default_value = qdev_propinfo_set_default_value_uint,
};

static const PropertyInfo nvdimm_dax_prop_page_size = {
    .type = "size",
    .description = "The guest kernel's page size the info block is "
                   "computed for: " VALID_PAGE_SIZES "; from align: 16K "
                   "for 16K and 32M, 64K for 64K and 512M, else 4K",
    .get = nvdimm_dax_get_size,
    .set = nvdimm_dax_set_page_size,
    .set_default_value = qdev_propinfo_set_default_value_uint,
};

static const PropertyInfo nvdimm_dax_prop_memmap = {
    .type = "NvdimmDaxMemmap",
    .description = "Where the guest keeps the namespace's struct pages: "
                   "dev (in the namespace) or ram",
    .enum_table = &NvdimmDaxMemmap_lookup,
    .get = qdev_propinfo_get_enum,
    .set = nvdimm_dax_set_enum,
    .set_default_value = qdev_propinfo_set_default_value_enum,
};

static const PropertyInfo nvdimm_dax_prop_mode = {
    .type = "NvdimmDaxMode",
    .description = "devdax (/dev/daxN.M) or fsdax (/dev/pmemN with a pfn "
                   "map)",
    .enum_table = &NvdimmDaxMode_lookup,
    .get = qdev_propinfo_get_enum,
    .set = nvdimm_dax_set_enum,
    .set_default_value = qdev_propinfo_set_default_value_enum,
};

static const PropertyInfo nvdimm_dax_prop_format = {
    .type = "NvdimmDaxFormat",
    .description = "auto: write the info block only into a memdev without "
                   "data; never; force: overwrite whatever is there "
                   "(destructive)",
    .enum_table = &NvdimmDaxFormat_lookup,
    .get = qdev_propinfo_get_enum,
    .set = nvdimm_dax_set_enum,
    .set_default_value = qdev_propinfo_set_default_value_enum,
};

static const Property nvdimm_dax_properties[] = {
    DEFINE_PROP_UNSIGNED("align", NvdimmDaxDevice, align, 2 * MiB,
                         nvdimm_dax_prop_align, uint64_t),
    DEFINE_PROP_UNSIGNED("page-size", NvdimmDaxDevice, page_size, 0,
                         nvdimm_dax_prop_page_size, uint64_t),
    DEFINE_PROP_SIGNED("memmap", NvdimmDaxDevice, memmap,
                       NVDIMM_DAX_MEMMAP_DEV, nvdimm_dax_prop_memmap,
                       NvdimmDaxMemmap),
    DEFINE_PROP_SIGNED("mode", NvdimmDaxDevice, mode, NVDIMM_DAX_MODE_DEVDAX,
                       nvdimm_dax_prop_mode, NvdimmDaxMode),
    DEFINE_PROP_SIGNED("format", NvdimmDaxDevice, format,
                       NVDIMM_DAX_FORMAT_AUTO, nvdimm_dax_prop_format,
                       NvdimmDaxFormat),
};

/*
 * The guest page size a block is computed for: npfns and the memmap
 * reserve count guest pages.  Unless set, it follows from the alignment,
 * as each arm64 granule supports its page size and its PMD size.
 */
static uint64_t nvdimm_dax_page_size(NvdimmDaxDevice *dax)
{
    if (dax->page_size) {
        return dax->page_size;
    }
    switch (dax->align) {
    case 16 * KiB:
    case 32 * MiB:
        return 16 * KiB;
    case 64 * KiB:
    case 512 * MiB:
        return 64 * KiB;
    default:
        return 4 * KiB;
    }
}

static const char *found_name(NvdimmDaxFound found)
{
    static const char *const names[] = {
        [NVDIMM_DAX_FOUND_EMPTY] = "empty",
        [NVDIMM_DAX_FOUND_SAME] = "same",
        [NVDIMM_DAX_FOUND_OTHER] = "other",
        [NVDIMM_DAX_FOUND_FOREIGN] = "foreign",
    };
    return names[found];
}

static void nvdimm_dax_write_block(NvdimmDaxDevice *dax, MemoryRegion *mr,
                                   const uint8_t *block)
{
    PCDIMMDevice *dimm = PC_DIMM(dax);
    uint8_t *dest = (uint8_t *)memory_region_get_ram_ptr(mr) +
                    NVDIMM_DAX_INFO_OFFSET;

    if (object_property_get_bool(OBJECT(dimm->hostmem), "pmem", NULL)) {
        pmem_memcpy_persist(dest, block, NVDIMM_DAX_INFO_SIZE);
    } else {
        memcpy(dest, block, NVDIMM_DAX_INFO_SIZE);
    }
    memory_region_set_dirty(mr, NVDIMM_DAX_INFO_OFFSET, NVDIMM_DAX_INFO_SIZE);
}

/*
 * format=auto writes the info block only into a backend without data:
 * zeroes where the block goes are not enough (a GPT disk image has its
 * partition entries there, mostly zero).  Anonymous RAM starts empty; a
 * file is scanned, its holes skipped.  False with @errp set otherwise.
 */
static bool nvdimm_dax_file_is_empty(NvdimmDaxDevice *dax, MemoryRegion *mr,
                                     const char *memdev, Error **errp)
{
    int fd = memory_region_get_fd(mr);
    NvdimmDaxScan scan;
    uint64_t where;
    int ret;

    if (fd < 0) {
        return true;
    }
    ret = nvdimm_dax_find_data(fd, mr->ram_block->fd_offset,
                               memory_region_size(mr), &where, &scan);
    trace_nvdimm_dax_scan(DEVICE(dax)->id ?: "", memdev, scan.allocated,
                          ret);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "%s: cannot read memdev %s to check "
                         "that it holds no data before format=auto writes "
                         "the info block; format=never leaves it as it is",
                         TYPE_NVDIMM_DAX, memdev);
        return false;
    }
    if (ret > 0) {
        error_setg(errp, "%s: memdev %s holds data at offset 0x%" PRIx64
                   " and no info block; refusing to write one into it: "
                   "format=force writes it anyway (overwriting 0x%x-0x%x), "
                   "format=never leaves it as it is", TYPE_NVDIMM_DAX,
                   memdev, where, NVDIMM_DAX_INFO_OFFSET,
                   NVDIMM_DAX_INFO_OFFSET + NVDIMM_DAX_INFO_SIZE - 1);
        return false;
    }
    return true;
}

static void nvdimm_dax_realize(NVDIMMDevice *nvdimm, Error **errp)
{
    NvdimmDaxDevice *dax = NVDIMM_DAX(nvdimm);
    PCDIMMDevice *dimm = PC_DIMM(nvdimm);
    const char *memdev, *err = NULL;
    g_autofree char *found_desc = NULL;
    uint8_t block[NVDIMM_DAX_INFO_SIZE];
    NvdimmDaxParams params = { 0 };
    NvdimmDaxFound found;
    MemoryRegion *mr;
    size_t host_page;
    bool uuid_given;

    if (!nvdimm->nvdimm_mr) {
        return; /* nvdimm_prepare_memory_region() has set errp */
    }
    mr = host_memory_backend_get_memory(dimm->hostmem);
    memdev = object_get_canonical_path_component(OBJECT(dimm->hostmem));

    if (nvdimm->label_size) {
        error_setg(errp, "Property '%s.%s' is not supported: the namespace "
                   "of nvdimm-dax is label-less and covers all of memdev %s",
                   TYPE_NVDIMM_DAX, NVDIMM_LABEL_SIZE_PROP, memdev);
        return;
    }
    host_page = host_memory_backend_pagesize(dimm->hostmem);
    if (dax->align < host_page) {
        error_setg(errp, "Property '%s.align' (0x%" PRIx64 ") is smaller "
                   "than the page size of memdev %s (0x%zx); valid values: "
                   VALID_ALIGNS " and at least 0x%zx", TYPE_NVDIMM_DAX,
                   dax->align, memdev, host_page, host_page);
        return;
    }

    uuid_given = !qemu_uuid_is_null(&nvdimm->uuid);
    if (!uuid_given) {
        qemu_uuid_generate(&nvdimm->uuid);
    }
    params.ns_size = memory_region_size(nvdimm->nvdimm_mr);
    params.align = dax->align;
    params.page_size = nvdimm_dax_page_size(dax);
    params.memmap = dax->memmap == NVDIMM_DAX_MEMMAP_DEV ?
                    NVDIMM_DAX_PFN_MODE_PMEM : NVDIMM_DAX_PFN_MODE_RAM;
    params.mode = dax->mode == NVDIMM_DAX_MODE_DEVDAX ?
                  NVDIMM_DAX_KIND_DEVDAX : NVDIMM_DAX_KIND_FSDAX;
    memcpy(params.uuid, nvdimm->uuid.data, sizeof(params.uuid));

    if (!nvdimm_dax_info_build(&params, block, &err)) {
        error_setg(errp, "Property '%s.align' (0x%" PRIx64 ") with memmap=%s "
                   "does not fit memdev %s (0x%" PRIx64 " bytes): %s",
                   TYPE_NVDIMM_DAX, dax->align,
                   NvdimmDaxMemmap_str(dax->memmap), memdev,
                   params.ns_size, err);
        return;
    }

    found = nvdimm_dax_info_classify((uint8_t *)memory_region_get_ram_ptr(mr)
                                     + NVDIMM_DAX_INFO_OFFSET, &params,
                                     uuid_given, &found_desc);
    trace_nvdimm_dax_realize(DEVICE(dax)->id ?: "", memdev, params.ns_size,
                             dax->align, params.page_size,
                             found_name(found));

    if (dax->format == NVDIMM_DAX_FORMAT_NEVER ||
        found == NVDIMM_DAX_FOUND_SAME) {
        return;
    }
    if (dax->format == NVDIMM_DAX_FORMAT_AUTO &&
        found == NVDIMM_DAX_FOUND_EMPTY &&
        !nvdimm_dax_file_is_empty(dax, mr, memdev, errp)) {
        return;
    }
    if (dax->format == NVDIMM_DAX_FORMAT_AUTO &&
        found != NVDIMM_DAX_FOUND_EMPTY) {
        error_setg(errp, "%s: memdev %s holds %s at offset 0x%x; refusing to "
                   "overwrite it: format=force replaces it (destroying the "
                   "namespace's layout), format=never leaves it",
                   TYPE_NVDIMM_DAX, memdev, found_desc,
                   NVDIMM_DAX_INFO_OFFSET);
        return;
    }
    if (nvdimm->readonly) {
        error_setg(errp, "%s: memdev %s is read-only but holds %s where the "
                   "info block must be written; use format=never or a "
                   "writable memdev", TYPE_NVDIMM_DAX, memdev, found_desc);
        return;
    }
    nvdimm_dax_write_block(dax, mr, block);
    trace_nvdimm_dax_format(DEVICE(dax)->id ?: "", memdev, found_name(found));
}

static uint64_t nvdimm_dax_md_get_min_alignment(const MemoryDeviceState *md)
{
    uint64_t align = object_property_get_uint(OBJECT(md), "align",
                                              &error_abort);

    /* memremap_compat_align(): the namespace must start 2 MiB aligned */
    return MAX(align, NVDIMM_DAX_COMPAT_ALIGN);
}

static void nvdimm_dax_class_init(ObjectClass *oc, void *data)
{
    NVDIMMClass *nvc = NVDIMM_CLASS(oc);
    MemoryDeviceClass *mdc = MEMORY_DEVICE_CLASS(oc);

    nvc->realize = nvdimm_dax_realize;
    mdc->get_min_alignment = nvdimm_dax_md_get_min_alignment;

    device_class_set_props(DEVICE_CLASS(oc), nvdimm_dax_properties);
}

static const TypeInfo nvdimm_dax_info = {
    .name          = TYPE_NVDIMM_DAX,
    .parent        = TYPE_NVDIMM,
    .instance_size = sizeof(NvdimmDaxDevice),
    .class_init    = nvdimm_dax_class_init,
};

static void nvdimm_dax_register_types(void)
{
    type_register_static(&nvdimm_dax_info);
}

type_init(nvdimm_dax_register_types)
