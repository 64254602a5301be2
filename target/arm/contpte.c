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
 * All state is per vCPU and only touched on that vCPU's thread, except the
 * counters (read by the monitor), the set of reported violations, and the
 * watched transients, which a broadcast TLBI judges for every vCPU while
 * they are all stopped (pendings_flushed).
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/range.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "cpu.h"
#include "internals.h"
#include "exec/cputlb.h"
#include "exec/translation-block.h"
#include "tcg/insn-start-words.h"
#include "system/tcg.h"
#include "contpte.h"
#include "contpte-internal.h"
#include "trace.h"

/* (descriptor address | kind) pairs already logged, across all vCPUs. */
static GMutex reported_lock;
static GHashTable *reported;

static const char *const kind_names[CONTPTE_KIND__MAX] = {
    [CONTPTE_RULE_INVALID] = "invalid",
    [CONTPTE_RULE_NO_CONT_BIT] = "no-cont-bit",
    [CONTPTE_RULE_TYPE] = "type",
    [CONTPTE_RULE_OA_ALIGN] = "oa-align",
    [CONTPTE_RULE_OA_CONTIG] = "oa-contig",
    [CONTPTE_RULE_ATTR] = "attr",
    [CONTPTE_KIND_BBM] = "break-before-make",
    [CONTPTE_KIND_FAULT_LOOP] = "fault-loop",
};

const char *arm_contpte_kind_name(unsigned kind)
{
    return kind < CONTPTE_KIND__MAX ? kind_names[kind] : "?";
}

/* The cputlb indexes that hold translations of a stage 1 regime. */
static uint16_t core_idxmap(ARMMMUIdx mmu_idx)
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

static bool group_geometry(unsigned granule_bits, int level,
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

/* The cached group of @level that translates @va, if any. */
static ContpteGroup *group_find(ArmContpte *s, int level, unsigned group_bits,
                                ARMMMUIdx mmu_idx, ARMSecuritySpace space,
                                uint64_t va)
{
    ContpteGroup *set = group_set_of(s, level, group_bits, va_bits(va));

    for (unsigned w = 0; w < CONTPTE_WAYS; w++) {
        if (group_covers(&set[w], mmu_idx, space, va)) {
            return &set[w];
        }
    }
    return NULL;
}

/* Drop @g and the translations cputlb holds from it. */
static void group_drop(CPUState *cs, ArmContpte *s, ContpteGroup *g,
                       unsigned bits)
{
    uint64_t va = g->va;

    if (!g->valid) {
        return;
    }
    g->valid = false;
    s->ngroups--;
    trace_contpte_invalidate(cs->cpu_index, va, 1ULL << g->group_bits);
    /* Sign-extend: TTBR1 addresses are flushed by their full VA. */
    va = sextract64(va, 0, VA_BITS);
    if (g->res.f.lg_page_size > TARGET_PAGE_BITS) {
        /* cputlb tracks these in its large-page window: it flushes all. */
        tlb_flush_range_by_mmuidx(cs, va, 1ULL << g->group_bits,
                                  core_idxmap(g->mmu_idx), bits);
        return;
    }
    /*
     * Page by page: cputlb turns a range flush longer than its table
     * into a flush of the whole MMU index.
     */
    for (uint64_t off = 0; off < 1ULL << g->group_bits;
         off += TARGET_PAGE_SIZE) {
        tlb_flush_page_bits_by_mmuidx(cs, va + off, core_idxmap(g->mmu_idx),
                                      bits);
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

        if (!group_geometry(granule_bits, level, &geo, &group_bits)) {
            continue;
        }
        g = group_find(s, level, group_bits, mmu_idx, space, va);
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
        stat_add(&s->stats.group_hits, 1);
        return true;
    }
    return false;
}

static unsigned regime_asid(CPUARMState *env, ARMMMUIdx mmu_idx)
{
    int el = regime_el(env, mmu_idx);
    uint64_t tcr = env->cp15.tcr_el[el];
    uint64_t ttbr;

    if (!regime_has_2_ranges(mmu_idx)) {
        return 0;
    }
    ttbr = extract64(tcr, 22, 1) ? env->cp15.ttbr1_el[el]
                                 : env->cp15.ttbr0_el[el];
    return extract64(ttbr, 48, extract64(tcr, 36, 1) ? 16 : 8);
}

static unsigned regime_vmid(CPUARMState *env, ARMMMUIdx mmu_idx)
{
    if (regime_el(env, mmu_idx) >= 2 || !arm_is_el2_enabled(env)) {
        return 0;
    }
    return extract64(env->cp15.vttbr_el2, 48, 16);
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
    stat_add(&s->stats.violations[kind], 1);
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

bool contpte_read_descs(CPUARMState *env, const ArmContpteLeaf *leaf,
                        hwaddr base, unsigned n, uint64_t *descs)
{
    MemTxAttrs attrs = {
        .space = leaf->desc_space,
        .secure = arm_space_is_secure(leaf->desc_space),
    };
    AddressSpace *as = arm_addressspace(env_cpu(env), attrs);

    if (address_space_read(as, base, attrs, descs, n * 8) != MEMTX_OK) {
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        descs[i] = leaf->desc_be ? be64_to_cpu(descs[i])
                                 : le64_to_cpu(descs[i]);
    }
    return true;
}

static ContptePending *pending_find(ArmContpte *s, hwaddr group_descaddr)
{
    for (unsigned i = 0; i < CONTPTE_PENDING; i++) {
        if (s->pending[i].valid &&
            s->pending[i].group_descaddr == group_descaddr) {
            return &s->pending[i];
        }
    }
    return NULL;
}

/*
 * Invalid entries and nothing else wrong: reportable only once the group
 * has outlived TLB maintenance of its range (see ContptePending).
 */
static bool invalid_persists(ArmContpte *s, const ArmContpteLeaf *leaf,
                             const ContpteGeometry *geo, unsigned group_bits,
                             hwaddr group_descaddr)
{
    ContptePending *p = pending_find(s, group_descaddr);

    if (p) {
        if (p->flushed) {
            p->valid = false;
            return true;
        }
        return false;
    }
    p = &s->pending[s->next_pending++ % CONTPTE_PENDING];
    *p = (ContptePending) {
        .valid = true,
        .mmu_idx = leaf->mmu_idx,
        .group_bits = group_bits,
        .va = va_bits(leaf->va) & ~MAKE_64BIT_MASK(0, group_bits),
        .group_descaddr = group_descaddr,
        .entries = geo->entries,
        .desc_space = leaf->desc_space,
        .desc_be = leaf->desc_be,
    };
    return false;
}

/*
 * TLB maintenance covers @p's group.  If the group is still partly
 * invalid, the transient outlived the maintenance: the next walk that
 * finds it so reports it.  If it is whole again, or wholly invalid (the
 * "break" of the next break-before-make), the transient watched is over,
 * and a later partly refilled group is a transient of its own.
 */
static void pending_flushed(CPUState *cs, ContptePending *p)
{
    ArmContpteLeaf leaf = {
        .desc_space = p->desc_space, .desc_be = p->desc_be,
    };
    uint64_t descs[CONTPTE_MAX_ENTRIES];
    unsigned valid = 0;

    if (!contpte_read_descs(cpu_env(cs), &leaf, p->group_descaddr,
                            p->entries, descs)) {
        p->valid = false;
        return;
    }
    for (unsigned i = 0; i < p->entries; i++) {
        valid += descs[i] & 1;
    }
    if (valid && valid < p->entries) {
        p->flushed = true;
    } else {
        p->valid = false;
    }
}

/*
 * Check the group @leaf belongs to.  Returns true if it is consistent;
 * otherwise reports what is wrong and sets *@abort when strict mode must
 * raise the conflict abort for it.
 */
static bool check_group(CPUARMState *env, ArmContpte *s,
                        const ArmContpteLeaf *leaf, const ContpteGeometry *geo,
                        unsigned group_bits, bool *abort)
{
    uint64_t descs[CONTPTE_MAX_ENTRIES];
    ContpteViolation v[CONTPTE_MAX_FOUND];
    unsigned index = contpte_group_index(geo, leaf->va);
    hwaddr base = leaf->descaddr - index * 8;
    unsigned n, only_invalid = 0;
    ContptePending *p;

    if (!contpte_read_descs(env, leaf, base, geo->entries, descs)) {
        return false;   /* not RAM: the walk itself read it, cache nothing */
    }
    n = contpte_check_group(descs, geo, v, ARRAY_SIZE(v));
    if (!n) {
        p = pending_find(s, base);
        if (p) {
            p->valid = false;
        }
        return true;
    }
    for (unsigned i = 0; i < MIN(n, ARRAY_SIZE(v)); i++) {
        only_invalid += v[i].rule == CONTPTE_RULE_INVALID;
    }
    if (only_invalid == n &&
        !invalid_persists(s, leaf, geo, group_bits, base)) {
        return false;
    }
    for (unsigned i = 0; i < MIN(n, CONTPTE_MAX_REPORT); i++) {
        g_autofree char *what = NULL;

        if (v[i].field) {
            what = g_strdup_printf("entry %u of %u: %s 0x%" PRIx64
                                   " where the first valid entry has 0x%"
                                   PRIx64, v[i].index, geo->entries,
                                   v[i].field, v[i].found, v[i].expected);
        } else {
            what = g_strdup_printf("entry %u of %u is 0x%016" PRIx64
                                   " (%s)", v[i].index, geo->entries,
                                   descs[v[i].index],
                                   contpte_rule_name(v[i].rule));
        }
        contpte_report(env, s, leaf, v[i].rule, base + v[i].index * 8,
                       what);
    }
    *abort = s->mode == CONTPTE_MODE_STRICT;
    return false;
}

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
        if (!group_geometry(leaf->granule_bits, level, &geo, &group_bits)) {
            continue;
        }
        /* Groups of this level live in the sets their base selects. */
        for (uint64_t va = lo & ~MAKE_64BIT_MASK(0, group_bits), n = 0;
             va < hi && n < CONTPTE_SETS; va += 1ULL << group_bits, n++) {
            ContpteGroup *g = group_find(s, level, group_bits, leaf->mmu_idx,
                                         leaf->space, va);
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

static void group_insert(CPUState *cs, ArmContpte *s, uint64_t va,
                         const GetPhysAddrResult *result)
{
    unsigned group_bits = s->fill.group_bits;
    ContpteGroup *g = group_find(s, s->fill.level, group_bits,
                                 s->fill.mmu_idx, s->fill.space, va);
    uint64_t offset = extract64(va, 0, group_bits);

    if (!g) {
        /*
         * A free way, or any: which entry a TLB replaces is IMPLEMENTATION
         * DEFINED, and the ways keep the kernel's own groups from evicting
         * a user group between its use and a TLBI that should drop it.
         */
        ContpteGroup *set = group_set_of(s, s->fill.level, group_bits,
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
        stat_add(&s->stats.group_evictions, 1);
        group_drop(cs, s, g, TARGET_LONG_BITS);
    }
    *g = (ContpteGroup) {
        .valid = true,
        .mmu_idx = s->fill.mmu_idx,
        .space = s->fill.space,
        .group_bits = group_bits,
        .va = va_bits(va) - offset,
        .pa = result->f.phys_addr - offset,
        .res = *result,
        .origin = s->fill.origin,
    };
    s->ngroups++;
    s->group_sizes[s->fill.level == 3 ? 0 : 1] |= 1ULL << group_bits;
    stat_add(&s->stats.groups_cached, 1);
    trace_contpte_fill(cs->cpu_index, g->va, 1ULL << group_bits, g->pa);
}

/* ID_AA64MMFR2_EL1.BBM: 3 is FEAT_BBML3, level 2 without the abort. */
static unsigned bbm_level(CPUARMState *env)
{
    return FIELD_EX64(env_archcpu(env)->isar.id_aa64mmfr2, ID_AA64MMFR2, BBM);
}

static bool conflict_abort(CPUARMState *env, ArmContpte *s,
                           const ArmContpteLeaf *leaf, ARMMMUFaultInfo *fi)
{
    stat_add(&s->stats.conflict_aborts, 1);
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
    bool cont = extract64(leaf->desc, 52, 1);
    ContpteGeometry geo;
    unsigned group_bits = 0;
    bool grouped, abort = false;

    s->fill.valid = false;
    stat_add(&s->stats.walks, 1);
    if (s->mode == CONTPTE_MODE_OFF) {
        return false;
    }
    grouped = cont && group_geometry(leaf->granule_bits, leaf->level, &geo,
                                     &group_bits);
    if (cont) {
        stat_add(&s->stats.cont_walks, 1);
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
            stat_add(&s->stats.group_invalidations, 1);
            group_drop(cs, s, g, TARGET_LONG_BITS);
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
            stat_add(&s->stats.group_invalidations, 1);
            group_drop(cs, s, g, TARGET_LONG_BITS);
        }
    }
    if (!grouped) {
        return false;
    }
    if (s->mode >= CONTPTE_MODE_CHECK &&
        !check_group(env, s, leaf, &geo, group_bits, &abort)) {
        return abort ? conflict_abort(env, s, leaf, fi) : false;
    }
    s->fill.valid = true;
    s->fill.va = leaf->va;
    s->fill.level = leaf->level;
    s->fill.mmu_idx = leaf->mmu_idx;
    s->fill.space = leaf->space;
    s->fill.group_bits = group_bits;
    s->fill.origin = contpte_group_index(&geo, leaf->va);
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
    g = group_find(s, s->fill.level, s->fill.group_bits, s->fill.mmu_idx,
                   s->fill.space, va);
    if (!g || g->group_bits != s->fill.group_bits || g->origin == index) {
        return false;
    }
    /* The member of the cached one's index, in the table walked now. */
    *member = descaddr + ((hwaddr)g->origin - index) * 8;
    s->fill.origin = g->origin;
    stat_add(&s->stats.hw_updates_moved, 1);
    trace_contpte_hw_update(env_cpu(env)->cpu_index, va, descaddr, *member);
    return true;
}

void arm_contpte_walk_done(CPUARMState *env, uint64_t va,
                           const GetPhysAddrResult *result)
{
    ArmContpte *s = env_archcpu(env)->contpte;

    if (s->fill.valid && s->fill.va == va) {
        group_insert(env_cpu(env), s, va, result);
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

/* TLB maintenance of @idxmap, @len bytes from @lo (all if 0), on @cs. */
static void pendings_flushed(CPUState *cs, uint64_t lo, vaddr len,
                             uint16_t idxmap)
{
    ArmContpte *s = ARM_CPU(cs)->contpte;

    if (!s || s->mode == CONTPTE_MODE_OFF) {
        return;
    }
    for (unsigned i = 0; i < CONTPTE_PENDING; i++) {
        ContptePending *p = &s->pending[i];

        if (p->valid && (core_idxmap(p->mmu_idx) & idxmap) &&
            (!len || ranges_overlap(lo, len, p->va, 1ULL << p->group_bits))) {
            pending_flushed(cs, p);
        }
    }
}

/* cputlb flushed @len bytes from @lo of @idxmap: drop @g if it overlaps. */
static void group_range_flushed(CPUState *cs, ArmContpte *s, ContpteGroup *g,
                                unsigned gbits, uint64_t lo, vaddr len,
                                uint16_t idxmap, unsigned bits)
{
    uint64_t size = 1ULL << gbits;

    if (!g->valid || g->group_bits != gbits ||
        !(core_idxmap(g->mmu_idx) & idxmap) ||
        !ranges_overlap(lo, len, g->va, size)) {
        return;
    }
    stat_add(&s->stats.group_invalidations, 1);
    if (g->va >= lo && g->va + size <= lo + len) {
        /* cputlb is flushing all of it already. */
        g->valid = false;
        s->ngroups--;
        trace_contpte_invalidate(cs->cpu_index, g->va, size);
    } else {
        group_drop(cs, s, g, bits);
    }
}

void arm_contpte_tlb_flush_notify(CPUState *cs, vaddr addr, vaddr len,
                                  uint16_t idxmap, unsigned bits)
{
    ArmContpte *s = ARM_CPU(cs)->contpte;
    uint64_t lo = va_bits(addr);

    if (!s || s->mode == CONTPTE_MODE_OFF) {
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
            pendings_flushed(other, lo, len, idxmap);
        }
    } else if (qatomic_read(&cs->running)) {
        pendings_flushed(cs, lo, len, idxmap);
    }
    if (!s->ngroups) {
        return;
    }
    if (!len) {
        ContpteGroup *all = &s->groups[0][0][0];

        for (unsigned i = 0; i < sizeof(s->groups) / sizeof(*all) &&
                             s->ngroups; i++) {
            ContpteGroup *g = &all[i];

            if (g->valid && (core_idxmap(g->mmu_idx) & idxmap)) {
                g->valid = false;
                s->ngroups--;
                stat_add(&s->stats.group_invalidations, 1);
                trace_contpte_invalidate(cs->cpu_index, g->va,
                                         1ULL << g->group_bits);
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

    if (!s || !s->ttl_exact || s->mode == CONTPTE_MODE_OFF || !s->ngroups ||
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
                    (core_idxmap(set[w].mmu_idx) & idxmap) &&
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
            stat_add(&s->stats.tlbis_ignored, 1);
            trace_contpte_tlbi_ignored(env_cpu(env)->cpu_index,
                                       sextract64(va, 0, VA_BITS), hint,
                                       level);
            return true;
        }
    }
    return false;
}

ContpteMode arm_contpte_mode(ARMCPU *cpu)
{
    return cpu->contpte ? cpu->contpte->mode : CONTPTE_MODE_OFF;
}

void arm_contpte_stats(ARMCPU *cpu, ArmContpteStats *out)
{
    const ArmContpteStats *st = &cpu->contpte->stats;

#define READ(field, member) out->field = qatomic_read(&st->field);
    CONTPTE_COUNTERS(READ)
#undef READ
    for (unsigned k = 0; k < CONTPTE_KIND__MAX; k++) {
        out->violations[k] = qatomic_read(&st->violations[k]);
    }
}

void arm_contpte_reset_stats(ARMCPU *cpu)
{
    ArmContpteStats *st = &cpu->contpte->stats;

#define ZERO(field, member) qatomic_set(&st->field, 0);
    CONTPTE_COUNTERS(ZERO)
#undef ZERO
    for (unsigned k = 0; k < CONTPTE_KIND__MAX; k++) {
        qatomic_set(&st->violations[k], 0);
    }
}
