/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The reports of the Contiguous-bit model: one LOG_GUEST_ERROR line per
 * (descriptor, kind), with where the guest was when it made the access.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "cpu.h"
#include "internals.h"
#include "exec/translation-block.h"
#include "tcg/insn-start-words.h"
#include "contpte.h"
#include "contpte-internal.h"
#include "trace.h"

/* (descriptor address | kind) pairs already logged, across all vCPUs. */
static GMutex reported_lock;
static GHashTable *reported;

const char *arm_contpte_kind_name(unsigned kind)
{
    switch (kind) {
#define KIND_NAME(e, name, member) case e: return name;
    CONTPTE_KINDS(KIND_NAME)
#undef KIND_NAME
    }
    return "?";
}

static unsigned regime_asid(CPUARMState *env, ARMMMUIdx mmu_idx)
{
    int el = regime_el(env, mmu_idx);
    uint64_t tcr = env->cp15.tcr_el[el];
    uint64_t ttbr;

    if (!regime_has_2_ranges(mmu_idx)) {
        return 0;
    }
    /* TCR_ELx.A1 (bit 22): which TTBR holds the ASID; .AS (36): 16 bits */
    ttbr = extract64(tcr, 22, 1) ? env->cp15.ttbr1_el[el]
                                 : env->cp15.ttbr0_el[el];
    return extract64(ttbr, 48, extract64(tcr, 36, 1) ? 16 : 8);
}

static unsigned regime_vmid(CPUARMState *env, ARMMMUIdx mmu_idx)
{
    if (regime_el(env, mmu_idx) >= 2 || !arm_is_el2_enabled(env)) {
        return 0;
    }
    return extract64(env->cp15.vttbr_el2, 48, 16);  /* VTTBR_EL2.VMID */
}

/* The PC of the access being translated, without disturbing the TB. */
static uint64_t access_pc(CPUARMState *env, ArmContpte *s, uint64_t va,
                          bool ifetch)
{
    CPUState *cs = env_cpu(env);
    uint64_t data[TARGET_INSN_START_WORDS];

    if (ifetch) {
        return va;
    }
    if (s->retaddr && cpu_unwind_state_data(cs, s->retaddr, data)) {
        if (cs->tcg_cflags & CF_PCREL) {
            return (env->pc & TARGET_PAGE_MASK) | data[0];
        }
        return data[0];
    }
    return env->pc;
}

/* True the first time (@descaddr, @kind) is seen since the last reset. */
static bool first_report(hwaddr descaddr, unsigned kind)
{
    gpointer key = (gpointer)(uintptr_t)(descaddr | kind);
    bool first;

    QEMU_BUILD_BUG_ON(CONTPTE_KIND__MAX > 8);   /* descaddr is 8-aligned */
    g_mutex_lock(&reported_lock);
    if (!reported) {
        reported = g_hash_table_new(g_direct_hash, g_direct_equal);
    }
    first = g_hash_table_add(reported, key);
    g_mutex_unlock(&reported_lock);
    return first;
}

void arm_contpte_forget_reports(void)
{
    g_mutex_lock(&reported_lock);
    if (reported) {
        g_hash_table_remove_all(reported);
    }
    g_mutex_unlock(&reported_lock);
}

void contpte_report(CPUARMState *env, ArmContpte *s,
                    const ArmContpteLeaf *leaf, unsigned kind,
                    hwaddr descaddr, const char *what)
{
    CPUState *cs = env_cpu(env);

    trace_contpte_violation(cs->cpu_index, leaf->va, descaddr,
                            arm_contpte_kind_name(kind));
    if (!first_report(descaddr, kind)) {
        return;
    }
    stat64_add(&s->stats.violations[kind], 1);
    qemu_log_mask(LOG_GUEST_ERROR,
                  "contpte: %s: VA 0x%" PRIx64 " descriptor 0x%016" PRIx64
                  " at 0x%" HWADDR_PRIx " level %d: %s; vCPU %d PC 0x%"
                  PRIx64 " EL%d ASID 0x%x VMID 0x%x\n",
                  arm_contpte_kind_name(kind), leaf->va, leaf->desc,
                  leaf->descaddr, leaf->level, what, cs->cpu_index,
                  access_pc(env, s, leaf->va,
                            leaf->access_type == MMU_INST_FETCH),
                  arm_current_el(env), regime_asid(env, leaf->mmu_idx),
                  regime_vmid(env, leaf->mmu_idx));
}
