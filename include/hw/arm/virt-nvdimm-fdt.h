/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Device tree description of the NVDIMMs of -M virt.
 */

#ifndef HW_ARM_VIRT_NVDIMM_FDT_H
#define HW_ARM_VIRT_NVDIMM_FDT_H

#include "hw/arm/virt.h"

void virt_fdt_add_nvdimms(VirtMachineState *vms);

#endif
