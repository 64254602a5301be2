/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The Contiguous-bit model of the AArch64 TCG MMU (-cpu ...,contpte=MODE):
 * the hooks ptw.c, tlb_helper.c and cputlb call, and the per-vCPU state
 * the monitor reads.  The group rules themselves are in contpte-check.h.
 *
 * The walker's hooks run only while ARMCPU.contpte_on: with contpte=off a
 * stage 1 walk costs one test of that flag, and counts nothing.
 */

#ifndef TARGET_ARM_CONTPTE_H
#define TARGET_ARM_CONTPTE_H

#include "qapi/qapi-types-misc-target.h"
#include "contpte-check.h"

/*
 * What a violation is counted as: the group rules, then break-before-make,
 * then a vCPU faulting on one descriptor over and over.  Each once, as
 * X(enumerator, name, member of ContpteViolations); a new one is
 * added here and in ContpteViolations (qapi/misc-target.json).
 */
#define CONTPTE_KINDS(X) \
    CONTPTE_RULES(X) \
    X(CONTPTE_KIND_BBM, "break-before-make", break_before_make) \
    X(CONTPTE_KIND_FAULT_LOOP, "fault-loop", fault_loop)

#define CONTPTE_KIND_BBM        CONTPTE_RULE__MAX
#define CONTPTE_KIND_FAULT_LOOP (CONTPTE_RULE__MAX + 1)
#define CONTPTE_KIND__MAX       (CONTPTE_RULE__MAX + 2)

/*
 * The model's counters besides the violations, each once:
 * X(field of ArmContpteStats, member of the QAPI type ContpteStats).
 * A new one is added here and in ContpteStats (qapi/misc-target.json).
 */
#define CONTPTE_COUNTERS(X) \
    X(walks, walks)                     /* walks that reached a leaf */ \
    X(cont_walks, contiguous_walks)     /* ... with the Contiguous bit */ \
    X(groups_cached, groups_cached) \
    X(group_hits, group_hits)           /* served without a walk */ \
    X(group_invalidations, group_invalidations) /* by TLB maintenance */ \
    X(group_evictions, group_evictions) /* for capacity */ \
    X(conflict_aborts, conflict_aborts) \
    X(hw_updates_moved, hw_updates_moved) /* AF/dirty on another member */ \
    X(tlbis_ignored, tlbis_ignored)     /* level hint wrong, ttl-exact */

typedef struct ArmContpteStats {
#define CONTPTE_FIELD(field, member) uint64_t field;
    CONTPTE_COUNTERS(CONTPTE_FIELD)
#undef CONTPTE_FIELD
    uint64_t violations[CONTPTE_KIND__MAX];
} ArmContpteStats;

typedef struct ArmContpte ArmContpte;

/* The leaf a stage 1 walk ended on, as far as the model needs it. */
typedef struct ArmContpteLeaf {
    uint64_t va;
    MMUAccessType access_type;
    uint64_t desc;
    hwaddr descaddr;
    ARMSecuritySpace desc_space;    /* where the table itself lives */
    bool desc_be;
    int level;
    unsigned granule_bits;
    ARMMMUIdx mmu_idx;
    ARMSecuritySpace space;
    hwaddr oa;                      /* the output address of @va */
    unsigned lg_page_size;          /* what the leaf maps */
    uint8_t memattr;                /* MAIR attributes it selects */
    uint8_t sh;                     /* its shareability */
} ArmContpteLeaf;

void arm_contpte_add_property(Object *obj);
void arm_contpte_finalize(ARMCPU *cpu);
/* At realize, once the vCPU has its index: per-vCPU ID register changes. */
void arm_contpte_realize(ARMCPU *cpu);

/*
 * Before a stage 1 walk of @va: if a cached group covers it and allows
 * @access_type, fill @result from the group and return true.
 */
bool arm_contpte_lookup(CPUARMState *env, ARMMMUIdx mmu_idx,
                        ARMSecuritySpace space, unsigned granule_bits,
                        uint64_t va, MMUAccessType access_type,
                        GetPhysAddrResult *result);

/*
 * A stage 1 walk reached @leaf; called before its permissions are
 * checked, because a TLB conflict is found before them.  Returns true,
 * with @fi set, when the access must take a TLB conflict abort instead.
 */
bool arm_contpte_walk(CPUARMState *env, const ArmContpteLeaf *leaf,
                      ARMMMUFaultInfo *fi);

/*
 * FEAT_HAFDBS is about to update the descriptor at @descaddr, walked for
 * @va.  With hwupdate=cached, when a group is cached for @va, returns
 * true with the address of the member the group was cached from: the
 * update lands there instead (DDI 0487, "Use of the Contiguous bit with
 * hardware updates").
 */
bool arm_contpte_hw_update_member(CPUARMState *env, uint64_t va,
                                  hwaddr descaddr, hwaddr *member);

/*
 * A stage 1 walk read the descriptor @desc from @descaddr at @level: the
 * last one read is where a fault was found, for the fault-loop detector.
 */
void arm_contpte_walked(CPUARMState *env, uint64_t desc,
                             hwaddr descaddr, ARMSecuritySpace desc_space,
                             bool desc_be, int level, unsigned granule_bits);

/*
 * The vCPU takes the translation fault @fi for @va at env's PC: report a
 * vCPU that takes the same fault on the same descriptor again and again.
 */
void arm_contpte_fault(ARMCPU *cpu, uint64_t va, MMUAccessType access_type,
                       ARMMMUIdx mmu_idx, const ARMMMUFaultInfo *fi);

/* The walk of @va succeeded with @result: cache its group if it has one. */
void arm_contpte_walk_done(CPUARMState *env, uint64_t va,
                           const GetPhysAddrResult *result);

/*
 * The host return address of the access whose TLB fill walks now, for
 * reports; 0 when the walk is not a fill from TCG code, so that reports
 * take the PC from env.  Returns the previous one, to be set back after
 * the walk (fills nest).
 */
uintptr_t arm_contpte_set_retaddr(ARMCPU *cpu, uintptr_t ra);

/*
 * A TLBI by VA of the EL1&0 regime, for the cputlb indexes @idxmap, with
 * operand @value: true when it must invalidate nothing, because its
 * FEAT_TTL level hint is wrong for a group this vCPU caches and the CPU
 * takes hints at their word (-cpu max,ttl-exact=on).
 */
bool arm_contpte_tlbi_ignored(CPUARMState *env, uint64_t value,
                              uint16_t idxmap);

/* TCGCPUOps::tlb_flush_notify */
void arm_contpte_tlb_flush_notify(CPUState *cs, vaddr addr, vaddr len,
                                  uint16_t idxmap, unsigned bits);

ContpteMode arm_contpte_mode(ARMCPU *cpu);
void arm_contpte_stats(ARMCPU *cpu, ArmContpteStats *out);
void arm_contpte_reset_stats(ARMCPU *cpu);
void arm_contpte_forget_reports(void);
const char *arm_contpte_kind_name(unsigned kind);

#endif
