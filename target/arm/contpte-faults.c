/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The fault-loop detector of the Contiguous-bit model (check and strict).
 *
 * Some contpte bugs do not misprogram anything: the kernel answers a
 * fault by deciding there is nothing to do, and the vCPU takes the same
 * fault again, forever.  Linux's contpte_ptep_set_access_flags() did so
 * when a walker that reads descriptors one by one (a CPU without
 * FEAT_HAFDBS, an SMMU without HTTU) faulted on an entry whose sibling
 * hardware had already updated.  On hardware that is a hung process; a
 * test would only time out.  Here a vCPU that takes the same translation,
 * access flag or permission fault (same VA, fault type, PC and valid
 * descriptor) CONTPTE_LOOP_FAULTS times in a row is reported once, with
 * the descriptor's contiguous group, and under strict the guest is
 * stopped as a guest panic.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "cpu.h"
#include "internals.h"
#include "system/runstate.h"
#include "contpte.h"
#include "contpte-internal.h"
#include "trace.h"

/* No kernel path faults this often in a row on one unchanged descriptor. */
#define CONTPTE_LOOP_FAULTS 1000
#define CONTPTE_LOOP_SHOWN  32      /* group members printed at most */

void arm_contpte_walked(CPUARMState *env, uint64_t desc,
                             hwaddr descaddr, ARMSecuritySpace desc_space,
                             bool desc_be, int level, unsigned granule_bits)
{
    ArmContpte *s = env_archcpu(env)->contpte;

    if (s->mode < CONTPTE_MODE_CHECK) {
        return;
    }
    s->walked.desc = desc;
    s->walked.descaddr = descaddr;
    s->walked.desc_space = desc_space;
    s->walked.desc_be = desc_be;
    s->walked.level = level;
    s->walked.granule_bits = granule_bits;
}

/* The members of the group around the faulting descriptor, for the log. */
static char *group_members(CPUARMState *env, const ArmContpteLeaf *leaf)
{
    uint64_t descs[CONTPTE_MAX_ENTRIES];
    ContpteGeometry geo;
    GString *out;
    hwaddr base;
    unsigned n;

    if (!contpte_geometry(leaf->granule_bits, leaf->level, &geo)) {
        return g_strdup("no contiguous group at this level");
    }
    base = leaf->descaddr - contpte_group_index(&geo, leaf->va) * 8;
    if (!contpte_read_descs(env, leaf, base, geo.entries, descs)) {
        return g_strdup("group not in RAM");
    }
    n = MIN(geo.entries, CONTPTE_LOOP_SHOWN);
    out = g_string_new(NULL);
    g_string_append_printf(out, "group at 0x%" HWADDR_PRIx ":", base);
    for (unsigned i = 0; i < n; i++) {
        g_string_append_printf(out, " %s0x%016" PRIx64,
                               base + i * 8 == leaf->descaddr ? "*" : "",
                               descs[i]);
    }
    if (n < geo.entries) {
        g_string_append_printf(out, " (+%u more)", geo.entries - n);
    }
    return g_string_free(out, false);
}

void arm_contpte_fault(ARMCPU *cpu, uint64_t va, MMUAccessType access_type,
                       ARMMMUIdx mmu_idx, const ARMMMUFaultInfo *fi)
{
    ArmContpte *s = cpu->contpte;
    CPUARMState *env = &cpu->env;
    uint64_t pc = env->pc;
    ArmContpteLeaf leaf;
    g_autofree char *members = NULL;
    g_autofree char *what = NULL;

    trace_contpte_fault(CPU(cpu)->cpu_index, va, pc, fi->type,
                        s->walked.desc);
    if (s->mode < CONTPTE_MODE_CHECK) {
        return;
    }
    /*
     * A fault on an invalid descriptor waits for the guest to fill it,
     * and a vCPU may retry one for as long as another vCPU takes to free
     * what the fault needs: on 6.12, hugetlb_fault_after_madv's store
     * retries while MADV_DONTNEED on another vCPU frees the only huge
     * page, thousands of times under TCG.  Only a fault on a descriptor
     * that exists can be a loop of the kernel's own making.
     */
    if ((fi->type != ARMFault_Translation &&
         fi->type != ARMFault_AccessFlag &&
         fi->type != ARMFault_Permission) || !(s->walked.desc & 1)) {
        s->fault.count = 0;
        return;
    }
    if (s->fault.count && s->fault.va == va && s->fault.pc == pc &&
        s->fault.type == fi->type && s->fault.desc == s->walked.desc) {
        if (++s->fault.count != CONTPTE_LOOP_FAULTS) {
            return;
        }
    } else {
        s->fault.va = va;
        s->fault.pc = pc;
        s->fault.type = fi->type;
        s->fault.desc = s->walked.desc;
        s->fault.count = 1;
        return;
    }

    leaf = (ArmContpteLeaf) {
        .va = va, .access_type = access_type, .desc = s->walked.desc,
        .descaddr = s->walked.descaddr, .desc_space = s->walked.desc_space,
        .desc_be = s->walked.desc_be, .level = s->walked.level,
        .granule_bits = s->walked.granule_bits,
        .mmu_idx = mmu_idx,
    };
    members = group_members(env, &leaf);
    what = g_strdup_printf("%u identical %s faults in a row, no progress; "
                           "%s", CONTPTE_LOOP_FAULTS,
                           fi->type == ARMFault_AccessFlag ? "access flag" :
                           fi->type == ARMFault_Permission ? "permission" :
                           "translation", members);
    contpte_report(env, s, &leaf, CONTPTE_KIND_FAULT_LOOP, leaf.descaddr,
                   what);
    if (s->mode == CONTPTE_MODE_STRICT) {
        /* Fail fast: the guest would spin here until a test times out. */
        qemu_system_guest_panicked(NULL);
    }
}
