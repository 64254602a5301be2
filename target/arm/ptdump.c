/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * HMP "info tlb" for AArch64: dump the stage 1 translation tables of the
 * monitor's current vCPU for the regime of its current exception level,
 * one line per leaf, and one line per consistent contiguous group.
 *
 * Limits: tables are read as physical addresses, so under an active
 * stage 2 (a guest hypervisor) they are only right for identity-mapped
 * IPAs; FEAT_LPA2 (TCR.DS) and 52-bit output addresses are not decoded.
 */

#include "qemu/osdep.h"
#include "monitor/monitor.h"
#include "monitor/hmp-target.h"
#include "exec/memory.h"
#include "cpu.h"
#include "internals.h"
#include "contpte-check.h"
#include "contpte-desc.h"

#define OA_MASK MAKE_64BIT_MASK(0, 48)

typedef struct PtDump {
    Monitor *mon;
    CPUState *cs;
    bool be;
    unsigned granule_bits;
    uint64_t va_top;            /* sign bits of the TTBR1 half */
    uint64_t leaves;
} PtDump;

static bool read_table(PtDump *d, hwaddr pa, uint64_t *descs, unsigned n)
{
    MemTxAttrs attrs = { .space = ARMSS_NonSecure };
    AddressSpace *as = cpu_get_address_space(d->cs, ARMASIdx_NS);

    if (address_space_read(as, pa, attrs, descs, n * 8) != MEMTX_OK) {
        monitor_printf(d->mon, "  table at 0x%" HWADDR_PRIx
                       " is not readable\n", pa);
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        descs[i] = d->be ? be64_to_cpu(descs[i]) : le64_to_cpu(descs[i]);
    }
    return true;
}

static void print_leaf(PtDump *d, uint64_t va, uint64_t desc, int level,
                       unsigned size_bits, unsigned group)
{
    uint64_t size = 1ULL << size_bits;
    uint64_t oa = desc & OA_MASK & ~(size / group - 1);

    monitor_printf(d->mon, "%016" PRIx64 "-%016" PRIx64 " -> %012" PRIx64
                   " L%d %s AttrIndx=%u SH=%u AP=%u%s%s%s%s%s",
                   va, va + size - 1, oa, level,
                   level == 3 ? "page " : "block",
                   (unsigned)extract64(desc, CONTPTE_DESC_ATTRINDX, 3),
                   (unsigned)extract64(desc, CONTPTE_DESC_SH, 2),
                   (unsigned)extract64(desc, CONTPTE_DESC_AP1, 2),
                   extract64(desc, CONTPTE_DESC_UXN, 1) ? " UXN" : "",
                   extract64(desc, CONTPTE_DESC_PXN, 1) ? " PXN" : "",
                   extract64(desc, CONTPTE_DESC_NG, 1) ? " nG" : "",
                   extract64(desc, CONTPTE_DESC_AF, 1) ? " AF" : "",
                   extract64(desc, CONTPTE_DESC_DBM, 1) ? " DBM" : "");
    if (group > 1) {
        monitor_printf(d->mon, " cont x%u", group);
    } else if (extract64(desc, CONTPTE_DESC_CONT, 1)) {
        monitor_printf(d->mon, " cont (group misprogrammed)");
    }
    monitor_printf(d->mon, "\n");
    d->leaves++;
}

static void dump_table(PtDump *d, hwaddr table, int level, uint64_t va_base)
{
    unsigned stride = d->granule_bits - 3;
    unsigned n = 1u << stride;
    unsigned entry_bits = d->granule_bits + stride * (3 - level);
    g_autofree uint64_t *descs = g_new(uint64_t, n);
    ContpteGeometry geo;
    bool has_groups = contpte_geometry(d->granule_bits, level, &geo);

    if (!read_table(d, table, descs, n)) {
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        uint64_t desc = descs[i];
        uint64_t va = d->va_top | (va_base + ((uint64_t)i << entry_bits));

        if (!(desc & 1)) {
            continue;
        }
        if (level < 3 && (desc & 2)) {
            dump_table(d, desc & OA_MASK & ~MAKE_64BIT_MASK(0, d->granule_bits),
                       level + 1, va_base + ((uint64_t)i << entry_bits));
            continue;
        }
        if (level == 0) {
            continue;   /* a block descriptor is invalid at level 0 */
        }
        if (has_groups && extract64(desc, CONTPTE_DESC_CONT, 1) &&
            i % geo.entries == 0 &&
            i + geo.entries <= n &&
            contpte_check_group(&descs[i], &geo, NULL, 0) == 0) {
            print_leaf(d, va, desc, level,
                       entry_bits + ctz32(geo.entries), geo.entries);
            i += geo.entries - 1;
            continue;
        }
        print_leaf(d, va, desc, level, entry_bits, 1);
    }
}

static void dump_half(PtDump *d, const char *name, uint64_t ttbr,
                      unsigned tsz, int tg_bits, bool upper)
{
    unsigned inputsize = 64 - tsz;
    unsigned stride;
    int level;

    d->granule_bits = tg_bits;
    stride = tg_bits - 3;
    level = 4 - (inputsize - 4) / stride;
    d->va_top = upper ? ~MAKE_64BIT_MASK(0, inputsize) : 0;
    monitor_printf(d->mon, "%s: table 0x%" PRIx64 ", %u-bit VA, %uK granule,"
                   " start level %d\n", name, (uint64_t)(ttbr & OA_MASK),
                   inputsize, 1u << (tg_bits - 10), level);
    dump_table(d, ttbr & OA_MASK & ~MAKE_64BIT_MASK(0, 1), level, 0);
}

void hmp_info_tlb(Monitor *mon, const QDict *qdict)
{
    CPUArchState *env = mon_get_cpu_env(mon);
    PtDump d = { .mon = mon };
    ARMMMUIdx mmu_idx;
    int el;

    if (!env) {
        monitor_printf(mon, "No CPU available\n");
        return;
    }
    d.cs = env_cpu(env);
    if (!arm_feature(env, ARM_FEATURE_AARCH64) || !is_a64(env)) {
        monitor_printf(mon, "info tlb: the CPU is not in AArch64 state\n");
        return;
    }
    /* The regime the vCPU translates in now (EL0 under VHE: EL2&0). */
    mmu_idx = arm_stage1_mmu_idx(env);
    el = regime_el(env, mmu_idx);
    if (!(arm_sctlr(env, el) & SCTLR_M)) {
        monitor_printf(mon, "info tlb: the EL%d stage 1 MMU is off\n", el);
        return;
    }
    d.be = arm_sctlr(env, el) & SCTLR_EE;
    for (int upper = 0; upper <= regime_has_2_ranges(mmu_idx); upper++) {
        /* TnSZ, TGn and EPDn as the walker reads them for that half */
        ARMVAParameters p = aa64_va_parameters(env, upper ? -1ULL : 0,
                                               mmu_idx, true, false);

        if (!p.epd) {
            dump_half(&d, upper ? "TTBR1" : "TTBR0",
                      upper ? env->cp15.ttbr1_el[el]
                            : env->cp15.ttbr0_el[el],
                      p.tsz, arm_granule_bits(p.gran), upper);
        }
    }
    monitor_printf(mon, "%" PRIu64 " lines\n", d.leaves);
}
