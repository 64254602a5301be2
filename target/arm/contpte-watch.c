/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The checks of the Contiguous-bit model (check and strict): a walked
 * group against the Arm ARM rules (contpte-check.c), and the watch list of
 * groups seen partly invalid, which are only wrong if they outlive the TLB
 * maintenance of their range.
 */

#include "qemu/osdep.h"
#include "qemu/range.h"
#include "cpu.h"
#include "internals.h"
#include "contpte.h"
#include "contpte-internal.h"

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

bool contpte_check_walked_group(CPUARMState *env, ArmContpte *s,
                                const ArmContpteLeaf *leaf,
                                const ContpteGeometry *geo,
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

void contpte_pendings_flushed(CPUState *cs, uint64_t lo, vaddr len,
                              uint16_t idxmap)
{
    ArmContpte *s = ARM_CPU(cs)->contpte;

    if (!ARM_CPU(cs)->contpte_on) {
        return;
    }
    for (unsigned i = 0; i < CONTPTE_PENDING; i++) {
        ContptePending *p = &s->pending[i];

        if (p->valid && (contpte_core_idxmap(p->mmu_idx) & idxmap) &&
            (!len || ranges_overlap(lo, len, p->va, 1ULL << p->group_bits))) {
            pending_flushed(cs, p);
        }
    }
}
