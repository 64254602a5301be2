/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The Contiguous-bit model of the AArch64 TCG MMU: -cpu ...,contpte=MODE.
 *
 * off     QEMU's behaviour: the bit is ignored.  Only walks are counted.
 * on      a walk that lands on a contiguous descriptor caches the whole
 *         group as one translation; later misses anywhere in the group are
 *         served from it without a walk, and any TLB maintenance that
 *         touches one page of the group drops all of it.
 * check   on, and each such walk reads the aligned group and checks it
 *         against the Arm ARM rules (contpte-check.c).  Only a consistent
 *         group is cached; a violation is logged once per descriptor and
 *         kind, and the access completes with the page's own translation.
 * strict  check, and a violation, or a walk whose result overlaps a cached
 *         group with another output address or memory type (a missing
 *         break-before-make), takes the TLB conflict abort.
 *
 * Why not hand the group to cputlb as one large page: cputlb keeps a single
 * "large page" window per MMU index and turns every page flush inside it
 * into a flush of the whole index.  Groups are instead kept here, keyed by
 * level, and cputlb only ever sees the leaf's own size; a flush that
 * touches a group is widened to exactly that group (via the flush notifier
 * cputlb calls on the vCPU's own thread), so unrelated translations stay.
 *
 * This file holds what ptw.c, cputlb and the monitor call: the walk hook
 * that decides what a walk may cache, checks and reports, and the flush
 * notifier.  The group cache is contpte-groups.c, the checks and the watch
 * list contpte-watch.c, the log lines contpte-report.c.
 *
 * All state is per vCPU and only touched on that vCPU's thread, except the
 * counters (read by the monitor), the set of reported violations, and the
 * watched transients, which a broadcast TLBI judges for every vCPU while
 * they are all stopped (contpte-watch.c).
 */

#include "qemu/osdep.h"
#include "cpu.h"
#include "internals.h"
#include "hw/core/cpu.h"
#include "contpte.h"
#include "contpte-desc.h"
#include "contpte-internal.h"
#include "trace.h"

/*
 * A missing break-before-make: a group is still cached for part of what
 * this walk translates, and the walk says something else about it.
 * Permissions may change without break-before-make; the output address,
 * the memory type and the shareability may not.  Nor may the size of the
 * translation (the Contiguous bit, or a block split into pages) below
 * FEAT_BBML3: at BBM level 2 hardware may raise a TLB conflict abort for
 * it.  *@size_only tells the caller that the size is all that differs.
 */
static ContpteGroup *stale_group(ArmContpte *s, const ArmContpteLeaf *leaf,
                                 bool grouped, unsigned cont_group_bits,
                                 bool *size_only)
{
    unsigned leaf_bits = leaf->lg_page_size;
    uint64_t lo = va_bits(leaf->va) & ~MAKE_64BIT_MASK(0, leaf_bits);
    uint64_t hi = lo + (1ULL << leaf_bits);
    hwaddr pa = leaf->oa & ~MAKE_64BIT_MASK(0, leaf_bits);
    ContpteGeometry geo;
    unsigned group_bits;

    for (int level = 3; level >= 2; level--) {
        if (!contpte_group_geometry(leaf->granule_bits, level, &geo,
                                    &group_bits)) {
            continue;
        }
        /* Groups of this level live in the sets their base selects. */
        for (uint64_t va = lo & ~MAKE_64BIT_MASK(0, group_bits), n = 0;
             va < hi && n < CONTPTE_SETS; va += 1ULL << group_bits, n++) {
            ContpteGroup *g = contpte_group_find(s, level, group_bits,
                                                 leaf->mmu_idx, leaf->space,
                                                 va);
            uint64_t at;

            if (!g) {
                continue;
            }
            at = MAX(lo, g->va);
            *size_only = g->pa + (at - g->va) == pa + (at - lo) &&
                         g->res.cacheattrs.attrs == leaf->memattr &&
                         g->res.cacheattrs.shareability == leaf->sh;
            if (!*size_only || g->res.f.lg_page_size != leaf_bits ||
                !grouped || g->group_bits != cont_group_bits) {
                return g;
            }
        }
    }
    return NULL;
}

/* What @leaf's walk says that contradicts the cached group @g, by field. */
static char *stale_what(const ArmContpteLeaf *leaf, const ContpteGroup *g,
                        bool grouped, unsigned cont_group_bits)
{
    unsigned leaf_bits = leaf->lg_page_size;
    uint64_t lo = va_bits(leaf->va) & ~MAKE_64BIT_MASK(0, leaf_bits);
    uint64_t at = MAX(lo, g->va);
    hwaddr pa = (leaf->oa & ~MAKE_64BIT_MASK(0, leaf_bits)) + (at - lo);
    hwaddr cached = g->pa + (at - g->va);
    GString *out = g_string_new(NULL);

    g_string_append_printf(out, "a group at VA 0x%" PRIx64 "+0x%llx is "
                           "cached, and at VA 0x%" PRIx64 " the walk gives",
                           g->va, 1ULL << g->group_bits, at);
    if (pa != cached) {
        g_string_append_printf(out, " PA 0x%" HWADDR_PRIx " where it has "
                               "0x%" HWADDR_PRIx ";", pa, cached);
    }
    if (leaf->memattr != g->res.cacheattrs.attrs) {
        g_string_append_printf(out, " memory type (MAIR) 0x%02x where it "
                               "has 0x%02x;", leaf->memattr,
                               g->res.cacheattrs.attrs);
    }
    if (leaf->sh != g->res.cacheattrs.shareability) {
        g_string_append_printf(out, " shareability %u where it has %u;",
                               leaf->sh, g->res.cacheattrs.shareability);
    }
    if (!grouped || cont_group_bits != g->group_bits ||
        leaf_bits != g->res.f.lg_page_size) {
        g_string_append_printf(out, " a translation of 0x%llx%s where it "
                               "has contiguous 0x%llx;", 1ULL << leaf_bits,
                               grouped ? " in a contiguous group" : "",
                               1ULL << g->group_bits);
    }
    g_string_truncate(out, out->len - 1);       /* the last ';' */
    return g_string_free(out, false);
}

/* ID_AA64MMFR2_EL1.BBM: 3 is FEAT_BBML3, level 2 without the abort. */
static unsigned bbm_level(CPUARMState *env)
{
    return FIELD_EX64(env_archcpu(env)->isar.id_aa64mmfr2, ID_AA64MMFR2, BBM);
}

static bool conflict_abort(CPUARMState *env, ArmContpte *s,
                           const ArmContpteLeaf *leaf, ARMMMUFaultInfo *fi)
{
    stat64_add(&s->stats.conflict_aborts, 1);
    trace_contpte_conflict(env_cpu(env)->cpu_index, leaf->va,
                           arm_current_el(env));
    fi->type = ARMFault_TLBConflict;
    return true;
}

bool arm_contpte_walk(CPUARMState *env, const ArmContpteLeaf *leaf,
                      ARMMMUFaultInfo *fi)
{
    CPUState *cs = env_cpu(env);
    ArmContpte *s = env_archcpu(env)->contpte;
    bool cont = extract64(leaf->desc, CONTPTE_DESC_CONT, 1);
    ContpteGeometry geo;
    unsigned group_bits = 0;
    bool grouped, abort = false;

    s->fill.valid = false;
    stat64_add(&s->stats.walks, 1);
    grouped = cont && contpte_group_geometry(leaf->granule_bits, leaf->level,
                                             &geo, &group_bits);
    if (cont) {
        stat64_add(&s->stats.cont_walks, 1);
    }
    if (s->mode >= CONTPTE_MODE_CHECK && s->ngroups) {
        bool size_only = false;
        ContpteGroup *g = stale_group(s, leaf, grouped, group_bits,
                                      &size_only);

        if (g && size_only && bbm_level(env) >= 3) {
            /*
             * FEAT_BBML3: no conflict abort; a lookup gives one of the
             * two translations, never a mix.  Take the walked one.
             */
            stat64_add(&s->stats.group_invalidations, 1);
            contpte_group_drop(cs, s, g, TARGET_LONG_BITS);
            g = NULL;
        }
        if (g) {
            g_autofree char *what = stale_what(leaf, g, grouped,
                                               group_bits);

            contpte_report(env, s, leaf, CONTPTE_KIND_BBM, leaf->descaddr,
                           what);
            if (s->mode == CONTPTE_MODE_STRICT) {
                return conflict_abort(env, s, leaf, fi);
            }
            /* What hardware without the abort may do: take the new one. */
            stat64_add(&s->stats.group_invalidations, 1);
            contpte_group_drop(cs, s, g, TARGET_LONG_BITS);
        }
    }
    if (!grouped) {
        return false;
    }
    if (s->mode >= CONTPTE_MODE_CHECK &&
        !contpte_check_walked_group(env, s, leaf, &geo, group_bits,
                                    &abort)) {
        return abort ? conflict_abort(env, s, leaf, fi) : false;
    }
    s->fill = (ContpteFill) {
        .valid = true,
        .va = leaf->va,
        .level = leaf->level,
        .mmu_idx = leaf->mmu_idx,
        .space = leaf->space,
        .group_bits = group_bits,
        .origin = contpte_group_index(&geo, leaf->va),
    };
    return false;
}

bool arm_contpte_hw_update_member(CPUARMState *env, uint64_t va,
                                  hwaddr descaddr, hwaddr *member)
{
    ArmContpte *s = env_archcpu(env)->contpte;
    unsigned index = s->fill.origin;    /* this walk's member, so far */
    ContpteGroup *g;

    if (s->hwupdate != CONTPTE_HW_UPDATE_CACHED || !s->fill.valid ||
        s->fill.va != va) {
        return false;
    }
    g = contpte_group_find(s, s->fill.level, s->fill.group_bits,
                           s->fill.mmu_idx, s->fill.space, va);
    if (!g || g->group_bits != s->fill.group_bits || g->origin == index) {
        return false;
    }
    /* The member of the cached one's index, in the table walked now. */
    *member = descaddr + ((hwaddr)g->origin - index) * 8;
    s->fill.origin = g->origin;
    stat64_add(&s->stats.hw_updates_moved, 1);
    trace_contpte_hw_update(env_cpu(env)->cpu_index, va, descaddr, *member);
    return true;
}

void arm_contpte_walk_done(CPUARMState *env, uint64_t va,
                           const GetPhysAddrResult *result)
{
    ArmContpte *s = env_archcpu(env)->contpte;

    if (s->fill.valid && s->fill.va == va) {
        contpte_group_insert(env_cpu(env), s, &s->fill, result);
        s->fill.valid = false;
    }
}

uintptr_t arm_contpte_set_retaddr(ARMCPU *cpu, uintptr_t ra)
{
    uintptr_t prev = 0;

    if (cpu->contpte) {
        prev = cpu->contpte->retaddr;
        cpu->contpte->retaddr = ra;
    }
    return prev;
}

void arm_contpte_tlb_flush_notify(CPUState *cs, vaddr addr, vaddr len,
                                  uint16_t idxmap, unsigned bits)
{
    ArmContpte *s = ARM_CPU(cs)->contpte;
    uint64_t lo = va_bits(addr);

    if (!ARM_CPU(cs)->contpte_on) {
        return;
    }
    /*
     * A transient is judged by the tables as they were when the TLBI
     * completed.  A local flush runs inside the vCPU's own execution.  A
     * broadcast one reaches its source in an exclusive section, every
     * vCPU stopped, and each other vCPU as queued work that may only run
     * once the source has gone on rewriting the tables: so the source
     * judges every vCPU's transients, and the queued copies none.
     */
    if (cpu_in_exclusive_context(cs)) {
        CPUState *other;

        CPU_FOREACH(other) {
            contpte_pendings_flushed(other, lo, len, idxmap);
        }
    } else if (qatomic_read(&cs->running)) {
        contpte_pendings_flushed(cs, lo, len, idxmap);
    }
    if (s->ngroups) {
        contpte_groups_flushed(cs, s, lo, len, idxmap, bits);
    }
}

ContpteMode arm_contpte_mode(ARMCPU *cpu)
{
    return cpu->contpte ? cpu->contpte->mode : CONTPTE_MODE_OFF;
}

void arm_contpte_stats(ARMCPU *cpu, ArmContpteStats *out)
{
    const ContpteCounters *st = &cpu->contpte->stats;

#define READ(field, member) out->field = stat64_get(&st->field);
    CONTPTE_COUNTERS(READ)
#undef READ
    for (unsigned k = 0; k < CONTPTE_KIND__MAX; k++) {
        out->violations[k] = stat64_get(&st->violations[k]);
    }
}

void arm_contpte_reset_stats(ARMCPU *cpu)
{
    ContpteCounters *st = &cpu->contpte->stats;

#define ZERO(field, member) stat64_set(&st->field, 0);
    CONTPTE_COUNTERS(ZERO)
#undef ZERO
    for (unsigned k = 0; k < CONTPTE_KIND__MAX; k++) {
        stat64_set(&st->violations[k], 0);
    }
}
