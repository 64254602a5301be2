/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Device tree nodes for the NVDIMMs of -M virt: one "pmem-region" node
 * per NVDIMM present at start-up (Linux's binding,
 * Documentation/devicetree/bindings/pmem/pmem-region.yaml), so that a
 * guest booted without firmware or ACPI finds them through of_pmem.  Each
 * region holds one label-less namespace covering the NVDIMM, and names
 * the DIMM's NUMA node: Linux's kmem onlines no region without a node.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/arm/virt-nvdimm-fdt.h"
#include "hw/mem/nvdimm.h"
#include "hw/mem/pc-dimm.h"
#include "system/device_tree.h"
#include "trace.h"

static int collect_nvdimm(Object *obj, void *opaque)
{
    GSList **list = opaque;

    if (object_dynamic_cast(obj, TYPE_NVDIMM) && DEVICE(obj)->realized) {
        *list = g_slist_prepend(*list, obj);
    }
    return 0;
}

static gint by_address(gconstpointer a, gconstpointer b)
{
    uint64_t x = object_property_get_uint(OBJECT(a), PC_DIMM_ADDR_PROP,
                                          &error_abort);
    uint64_t y = object_property_get_uint(OBJECT(b), PC_DIMM_ADDR_PROP,
                                          &error_abort);

    return x < y ? -1 : x > y;
}

void virt_fdt_add_nvdimms(VirtMachineState *vms)
{
    MachineState *ms = MACHINE(vms);
    GSList *list = NULL;

    object_child_foreach_recursive(OBJECT(ms), collect_nvdimm, &list);
    list = g_slist_sort(list, by_address);
    for (GSList *l = list; l; l = l->next) {
        Object *obj = OBJECT(l->data);
        uint64_t addr = object_property_get_uint(obj, PC_DIMM_ADDR_PROP,
                                                 &error_abort);
        uint64_t size = object_property_get_uint(obj, PC_DIMM_SIZE_PROP,
                                                 &error_abort);
        uint32_t numa = object_property_get_uint(obj, PC_DIMM_NODE_PROP,
                                                 &error_abort);
        g_autofree char *node = g_strdup_printf("/pmem@%" PRIx64, addr);

        qemu_fdt_add_subnode(ms->fdt, node);
        qemu_fdt_setprop_string(ms->fdt, node, "compatible", "pmem-region");
        qemu_fdt_setprop_sized_cells(ms->fdt, node, "reg", 2, addr, 2, size);
        qemu_fdt_setprop_cell(ms->fdt, node, "numa-node-id", numa);
        trace_virt_fdt_add_nvdimm(node, addr, size, numa);
    }
    g_slist_free(list);
}
