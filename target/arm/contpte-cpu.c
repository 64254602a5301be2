/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The CPU properties of the Contiguous-bit model: the model's mode, and
 * the freedoms the architecture gives hardware that QEMU otherwise never
 * takes, so that kernel code depending on one particular choice shows:
 *
 * bbm=2|3         the break-before-make level advertised (FEAT_BBML3)
 * hwupdate=entry|cached
 *                 where a hardware AF or dirty update lands inside a
 *                 contiguous group: on the descriptor walked, or on the
 *                 member the group was cached from (DDI 0487, D8.5.5)
 * hafdbs-off=MASK vCPUs (bit N: vCPU N) without FEAT_HAFDBS, like an SMMU
 *                 without HTTU that reads descriptors one by one
 * ttl-exact=on    a TLBI whose FEAT_TTL level hint is wrong for a cached
 *                 group invalidates nothing (DDI 0487, R_SQXYZ)
 * tlbirange=off   no FEAT_TLBIRANGE, as a hypervisor may hide it from a
 *                 guest: Linux then invalidates ranges page by page, with
 *                 level hints
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "cpu.h"
#include "internals.h"
#include "system/tcg.h"
#include "contpte.h"
#include "contpte-internal.h"

/* Added to the cluster index of a vCPU whose ID registers differ. */
#define CONTPTE_OWN_CLUSTER 0x80

static int contpte_get_mode(Object *obj, Error **errp)
{
    return ARM_CPU(obj)->contpte->mode;
}

static void contpte_set_mode(Object *obj, int value, Error **errp)
{
    ARMCPU *cpu = ARM_CPU(obj);

    if (value != CONTPTE_MODE_OFF && !tcg_enabled()) {
        error_setg(errp, "Property 'contpte' can only be '%s' without TCG",
                   ContpteMode_str(CONTPTE_MODE_OFF));
        return;
    }
    /* Off, the model sees no flush: groups it cached before would be stale. */
    if (DEVICE(obj)->realized) {
        error_setg(errp, "Property 'contpte' cannot be changed after the "
                   "CPU is realized");
        return;
    }
    cpu->contpte->mode = value;
    cpu->contpte_on = value != CONTPTE_MODE_OFF;
}

static void contpte_get_bbm(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    uint8_t level = FIELD_EX64(ARM_CPU(obj)->isar.id_aa64mmfr2,
                               ID_AA64MMFR2, BBM);

    visit_type_uint8(v, name, &level, errp);
}

/*
 * The BBM level the CPU advertises, and the model follows: Linux 7.x
 * skips the TLBI in the middle of contpte_convert() at level 3.
 */
static void contpte_set_bbm(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    ARMCPU *cpu = ARM_CPU(obj);
    uint8_t level;

    if (!visit_type_uint8(v, name, &level, errp)) {
        return;
    }
    if (level != 2 && level != 3) {
        error_setg(errp, "Property 'bbm' can be 2 (FEAT_BBM level 2: a "
                   "change of translation size without break-before-make "
                   "may take a TLB conflict abort) or 3 (FEAT_BBML3: it "
                   "may not), not %u", level);
        return;
    }
    cpu->isar.id_aa64mmfr2 = FIELD_DP64(cpu->isar.id_aa64mmfr2,
                                        ID_AA64MMFR2, BBM, level);
}

static int contpte_get_hwupdate(Object *obj, Error **errp)
{
    return ARM_CPU(obj)->contpte->hwupdate;
}

static void contpte_set_hwupdate(Object *obj, int value, Error **errp)
{
    ARM_CPU(obj)->contpte->hwupdate = value;
}

static void contpte_get_hafdbs_off(Object *obj, Visitor *v, const char *name,
                                   void *opaque, Error **errp)
{
    visit_type_uint64(v, name, &ARM_CPU(obj)->contpte->hafdbs_off, errp);
}

static void contpte_set_hafdbs_off(Object *obj, Visitor *v, const char *name,
                                   void *opaque, Error **errp)
{
    visit_type_uint64(v, name, &ARM_CPU(obj)->contpte->hafdbs_off, errp);
}

static bool contpte_get_ttl_exact(Object *obj, Error **errp)
{
    return ARM_CPU(obj)->contpte->ttl_exact;
}

static void contpte_set_ttl_exact(Object *obj, bool value, Error **errp)
{
    ARM_CPU(obj)->contpte->ttl_exact = value;
}

static bool contpte_get_tlbirange(Object *obj, Error **errp)
{
    return !ARM_CPU(obj)->contpte->tlbirange_off;
}

static void contpte_set_tlbirange(Object *obj, bool value, Error **errp)
{
    ARM_CPU(obj)->contpte->tlbirange_off = !value;
}

void arm_contpte_realize(ARMCPU *cpu)
{
    int index = CPU(cpu)->cpu_index;

    /*
     * Linux enables TCR_EL1.HA and HD per CPU from the CPU's own
     * ID_AA64MMFR1_EL1.HAFDBS, and QEMU honours them only where that
     * field is set: such a vCPU takes Access flag and permission faults
     * where the others update descriptors in hardware.
     */
    if (index < 64 && extract64(cpu->contpte->hafdbs_off, index, 1)) {
        cpu->isar.id_aa64mmfr1 = FIELD_DP64(cpu->isar.id_aa64mmfr1,
                                            ID_AA64MMFR1, HAFDBS, 0);
        /*
         * TCG folds constant ID registers into the code it translates,
         * and vCPUs of one cluster share that code: without a cluster of
         * its own, this vCPU would read whatever ID_AA64MMFR1_EL1 the
         * vCPU that first ran the code had.  The cluster index keeps
         * their translations apart, as for CPUs that differ in features
         * (the gdbstub then shows the vCPU as a process of its own).
         */
        CPU(cpu)->cluster_index = CONTPTE_OWN_CLUSTER |
                                  MAX(CPU(cpu)->cluster_index, 0);
    }
    /* Before the TLBI registers are defined: the range ones then are not. */
    if (cpu->contpte->tlbirange_off &&
        FIELD_EX64(cpu->isar.id_aa64isar0, ID_AA64ISAR0, TLB) > 1) {
        cpu->isar.id_aa64isar0 = FIELD_DP64(cpu->isar.id_aa64isar0,
                                            ID_AA64ISAR0, TLB, 1);
    }
}

void arm_contpte_add_property(Object *obj)
{
    ARMCPU *cpu = ARM_CPU(obj);

    cpu->contpte = g_new0(ArmContpte, 1);
    object_property_add_enum(obj, "contpte", "ContpteMode",
                             &ContpteMode_lookup, contpte_get_mode,
                             contpte_set_mode);
    object_property_set_description(obj, "contpte",
        "Contiguous bit model: off (ignore it), on (cache groups), "
        "check (on, and log misprogrammed groups), strict (check, and "
        "raise the TLB conflict abort)");
    object_property_add(obj, "bbm", "uint8", contpte_get_bbm,
                        contpte_set_bbm, NULL, NULL);
    object_property_set_description(obj, "bbm",
        "Break-before-make level in ID_AA64MMFR2_EL1.BBM: 2 or 3 "
        "(FEAT_BBML3, no TLB conflict abort for a size change)");
    object_property_add_enum(obj, "hwupdate", "ContpteHwUpdate",
                             &ContpteHwUpdate_lookup, contpte_get_hwupdate,
                             contpte_set_hwupdate);
    object_property_set_description(obj, "hwupdate",
        "Where a hardware AF or dirty update inside a contiguous group "
        "lands: entry (the descriptor walked) or cached (the member the "
        "group was cached from)");
    object_property_add(obj, "hafdbs-off", "uint64", contpte_get_hafdbs_off,
                        contpte_set_hafdbs_off, NULL, NULL);
    object_property_set_description(obj, "hafdbs-off",
        "vCPUs without FEAT_HAFDBS, as a mask of vCPU indexes (bit N: "
        "vCPU N)");
    object_property_add_bool(obj, "ttl-exact", contpte_get_ttl_exact,
                             contpte_set_ttl_exact);
    object_property_set_description(obj, "ttl-exact",
        "Take TLBI level hints (FEAT_TTL) at their word: a TLBI whose hint "
        "names another level than a cached group's invalidates nothing");
    object_property_add_bool(obj, "tlbirange", contpte_get_tlbirange,
                             contpte_set_tlbirange);
    object_property_set_description(obj, "tlbirange",
        "Offer FEAT_TLBIRANGE (on, as -cpu max) or hide it (off)");
}

void arm_contpte_finalize(ARMCPU *cpu)
{
    g_free(cpu->contpte);
    cpu->contpte = NULL;
}
