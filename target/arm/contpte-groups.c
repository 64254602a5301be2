/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The group cache of the Contiguous-bit model (on, check and strict):
 * CONTPTE_SETS sets of CONTPTE_WAYS groups per level, chosen by the
 * group's base; lookup before a walk, fill after one, and invalidation by
 * TLB maintenance, including TLBIs whose level hint misses the group.
 */

#include "qemu/osdep.h"
#include "qemu/range.h"
#include "cpu.h"
#include "internals.h"
#include "exec/cputlb.h"
#include "contpte.h"
#include "contpte-internal.h"
#include "trace.h"

uint16_t contpte_core_idxmap(ARMMMUIdx mmu_idx)
{
    switch (mmu_idx) {
    case ARMMMUIdx_Stage1_E0:
        return ARMMMUIdxBit_E10_0;
    case ARMMMUIdx_Stage1_E1:
        return ARMMMUIdxBit_E10_1;
    case ARMMMUIdx_Stage1_E1_PAN:
        return ARMMMUIdxBit_E10_1_PAN;
    default:
        return 1 << arm_to_core_mmu_idx(mmu_idx);
    }
}

bool contpte_group_geometry(unsigned granule_bits, int level,
                            ContpteGeometry *geo, unsigned *group_bits)
{
    if (!contpte_geometry(granule_bits, level, geo)) {
        return false;
    }
    *group_bits = geo->page_bits + ctz32(geo->entries);
    return true;
}

/* The CONTPTE_WAYS slots a group of 1 << @group_bits at @va may use. */
static ContpteGroup *group_set_of(ArmContpte *s, int level,
                                  unsigned group_bits, uint64_t va)
{
    return s->groups[level == 3 ? 0 : 1][(va >> group_bits) % CONTPTE_SETS];
}

static bool group_covers(const ContpteGroup *g, ARMMMUIdx mmu_idx,
                         ARMSecuritySpace space, uint64_t va)
{
    return g->valid && g->mmu_idx == mmu_idx && g->space == space &&
           !((va_bits(va) ^ g->va) >> g->group_bits);
}

ContpteGroup *contpte_group_find(ArmContpte *s, int level,
                                 unsigned group_bits, ARMMMUIdx mmu_idx,
                                 ARMSecuritySpace space, uint64_t va)
{
    ContpteGroup *set = group_set_of(s, level, group_bits, va_bits(va));

    for (unsigned w = 0; w < CONTPTE_WAYS; w++) {
        if (group_covers(&set[w], mmu_idx, space, va)) {
            return &set[w];
        }
    }
    return NULL;
}

/* Forget @g; whoever calls this flushes cputlb's copies of it. */
static void group_forget(CPUState *cs, ArmContpte *s, ContpteGroup *g)
{
    g->valid = false;
    s->ngroups--;
    trace_contpte_invalidate(cs->cpu_index, g->va, 1ULL << g->group_bits);
}

/*
 * The cputlb flushes below call the flush notifier, which lands in
 * contpte_groups_flushed() again: @g is no longer valid by then, so the
 * nested call finds nothing of it to drop.
 */
void contpte_group_drop(CPUState *cs, ArmContpte *s, ContpteGroup *g,
                        unsigned bits)
{
    uint64_t va = g->va;

    if (!g->valid) {
        return;
    }
    group_forget(cs, s, g);
    /* Sign-extend: TTBR1 addresses are flushed by their full VA. */
    va = sextract64(va, 0, VA_BITS);
    if (g->res.f.lg_page_size > TARGET_PAGE_BITS) {
        /* cputlb tracks these in its large-page window: it flushes all. */
        tlb_flush_range_by_mmuidx(cs, va, 1ULL << g->group_bits,
                                  contpte_core_idxmap(g->mmu_idx), bits);
        return;
    }
    /*
     * Page by page: cputlb turns a range flush longer than its table
     * into a flush of the whole MMU index.
     */
    for (uint64_t off = 0; off < 1ULL << g->group_bits;
         off += TARGET_PAGE_SIZE) {
        tlb_flush_page_bits_by_mmuidx(cs, va + off,
                                      contpte_core_idxmap(g->mmu_idx), bits);
    }
}

bool arm_contpte_lookup(CPUARMState *env, ARMMMUIdx mmu_idx,
                        ARMSecuritySpace space, unsigned granule_bits,
                        uint64_t va, MMUAccessType access_type,
                        GetPhysAddrResult *result)
{
    ArmContpte *s = env_archcpu(env)->contpte;
    ContpteGeometry geo;
    unsigned group_bits;

    if (!s->ngroups) {
        return false;
    }
    for (int level = 3; level >= 2; level--) {
        ContpteGroup *g;

        if (!contpte_group_geometry(granule_bits, level, &geo,
                                    &group_bits)) {
            continue;
        }
        g = contpte_group_find(s, level, group_bits, mmu_idx, space, va);
        if (!g) {
            continue;
        }
        /*
         * A store to a clean (DBM) page, say, is walked so that the walk
         * can update the descriptor; it is not a fault of the group.
         */
        if (!(g->res.f.prot & (1 << access_type))) {
            return false;
        }
        *result = g->res;
        result->f.phys_addr = g->pa + extract64(va, 0, group_bits);
        stat64_add(&s->stats.group_hits, 1);
        return true;
    }
    return false;
}

void contpte_group_insert(CPUState *cs, ArmContpte *s, const ContpteFill *fill,
                          const GetPhysAddrResult *result)
{
    unsigned group_bits = fill->group_bits;
    uint64_t va = fill->va;
    ContpteGroup *g = contpte_group_find(s, fill->level, group_bits,
                                         fill->mmu_idx, fill->space, va);
    uint64_t offset = extract64(va, 0, group_bits);

    if (!g) {
        /*
         * A free way, or any: which entry a TLB replaces is IMPLEMENTATION
         * DEFINED, and the ways keep the kernel's own groups from evicting
         * a user group between its use and a TLBI that should drop it.
         */
        ContpteGroup *set = group_set_of(s, fill->level, group_bits,
                                         va_bits(va));

        g = &set[s->next_victim++ % CONTPTE_WAYS];
        for (unsigned w = 0; w < CONTPTE_WAYS; w++) {
            if (!set[w].valid) {
                g = &set[w];
                break;
            }
        }
    }
    if (g->valid) {
        stat64_add(&s->stats.group_evictions, 1);
        contpte_group_drop(cs, s, g, TARGET_LONG_BITS);
    }
    *g = (ContpteGroup) {
        .valid = true,
        .mmu_idx = fill->mmu_idx,
        .space = fill->space,
        .group_bits = group_bits,
        .va = va_bits(va) - offset,
        .pa = result->f.phys_addr - offset,
        .res = *result,
        .origin = fill->origin,
    };
    s->ngroups++;
    s->group_sizes[fill->level == 3 ? 0 : 1] |= 1ULL << group_bits;
    stat64_add(&s->stats.groups_cached, 1);
    trace_contpte_fill(cs->cpu_index, g->va, 1ULL << group_bits, g->pa);
}

/* cputlb flushed @len bytes from @lo of @idxmap: drop @g if it overlaps. */
static void group_range_flushed(CPUState *cs, ArmContpte *s, ContpteGroup *g,
                                unsigned gbits, uint64_t lo, vaddr len,
                                uint16_t idxmap, unsigned bits)
{
    uint64_t size = 1ULL << gbits;

    if (!g->valid || g->group_bits != gbits ||
        !(contpte_core_idxmap(g->mmu_idx) & idxmap) ||
        !ranges_overlap(lo, len, g->va, size)) {
        return;
    }
    stat64_add(&s->stats.group_invalidations, 1);
    if (g->va >= lo && g->va + size <= lo + len) {
        /* cputlb is flushing all of it already. */
        group_forget(cs, s, g);
    } else {
        contpte_group_drop(cs, s, g, bits);
    }
}

void contpte_groups_flushed(CPUState *cs, ArmContpte *s, uint64_t lo,
                            vaddr len, uint16_t idxmap, unsigned bits)
{
    if (!len) {
        ContpteGroup *all = &s->groups[0][0][0];

        for (unsigned i = 0; i < sizeof(s->groups) / sizeof(*all) &&
                             s->ngroups; i++) {
            ContpteGroup *g = &all[i];

            if (g->valid && (contpte_core_idxmap(g->mmu_idx) & idxmap)) {
                stat64_add(&s->stats.group_invalidations, 1);
                group_forget(cs, s, g);
            }
        }
        return;
    }
    /* Only the sets whose groups could overlap the range. */
    for (int t = 0; t < 2; t++) {
        for (uint64_t sizes = s->group_sizes[t]; sizes; sizes &= sizes - 1) {
            unsigned gbits = ctz64(sizes);
            uint64_t first = lo >> gbits, last = (lo + len - 1) >> gbits;
            bool all = last - first >= CONTPTE_SETS;

            for (uint64_t n = all ? 0 : first;
                 n <= (all ? CONTPTE_SETS - 1 : last); n++) {
                for (unsigned w = 0; w < CONTPTE_WAYS; w++) {
                    group_range_flushed(cs, s, &s->groups[t][n %
                                                             CONTPTE_SETS][w],
                                        gbits, lo, len, idxmap, bits);
                }
            }
        }
    }
}

/*
 * The level a TLBI's FEAT_TTL field names for translation granule @gran,
 * -1 for "no information", or -2 when it names another granule, which is
 * wrong for every entry (DDI 0487, the TLBI VAE1 TTL encodings).
 */
static int ttl_level(ARMCPU *cpu, unsigned ttl, ARMGranuleSize gran)
{
    static const unsigned tg_of[] = {
        [Gran4K] = 1, [Gran16K] = 2, [Gran64K] = 3,
    };
    unsigned tg = ttl >> 2, level = ttl & 3;

    if (!tg) {
        return -1;
    }
    if (gran >= GranInvalid || tg != tg_of[gran]) {
        return -2;
    }
    switch (tg) {
    case 1:     /* 4K: level 0 only with FEAT_LPA2 */
        return level || cpu_isar_feature(aa64_tgran4_lpa2, cpu) ? level : -1;
    case 2:     /* 16K: level 1 only with FEAT_LPA2 */
        return level > 1 || (level == 1 &&
                             cpu_isar_feature(aa64_tgran16_lpa2, cpu))
               ? level : -1;
    default:    /* 64K */
        return level ? level : -1;
    }
}

/*
 * FEAT_TTL lets a TLBI by VA name the level of the entry it invalidates,
 * and "if an incorrect value of the TTL field is specified ... no entries
 * are required by the architecture to be invalidated" (DDI 0487,
 * R_SQXYZ).  QEMU invalidates whatever the hint says; with ttl-exact=on
 * a hint that names another level (or granule) than the group this vCPU
 * caches for the address invalidates nothing, and the stale translation
 * stays.  Decided on the issuing vCPU: the TLBI then is not performed on
 * any.  Entries outside cached groups are always invalidated.
 */
bool arm_contpte_tlbi_ignored(CPUARMState *env, uint64_t value,
                              uint16_t idxmap)
{
    ARMCPU *cpu = env_archcpu(env);
    ArmContpte *s = cpu->contpte;
    uint64_t va = va_bits(value << 12);

    if (!cpu->contpte_on || !s->ttl_exact || !s->ngroups ||
        !extract64(value, 44, 4)) {
        return false;
    }
    for (int t = 0; t < 2; t++) {
        for (uint64_t sizes = s->group_sizes[t]; sizes; sizes &= sizes - 1) {
            unsigned gbits = ctz64(sizes);
            ContpteGroup *set = group_set_of(s, t ? 2 : 3, gbits, va);
            int level = t ? 2 : 3, hint;
            ContpteGroup *g = NULL;

            for (unsigned w = 0; w < CONTPTE_WAYS; w++) {
                if (set[w].valid && set[w].group_bits == gbits &&
                    (contpte_core_idxmap(set[w].mmu_idx) & idxmap) &&
                    !((va ^ set[w].va) >> gbits)) {
                    g = &set[w];
                    break;
                }
            }
            if (!g) {
                continue;
            }
            hint = ttl_level(cpu, extract64(value, 44, 4),
                             aa64_va_parameters(env, sextract64(g->va, 0,
                                                                VA_BITS),
                                                g->mmu_idx, true,
                                                false).gran);
            if (hint == -1 || hint == level) {
                return false;
            }
            stat64_add(&s->stats.tlbis_ignored, 1);
            trace_contpte_tlbi_ignored(env_cpu(env)->cpu_index,
                                       sextract64(va, 0, VA_BITS), hint,
                                       level);
            return true;
        }
    }
    return false;
}
