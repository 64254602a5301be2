/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Checks of VMSAv8-64 contiguous groups (see contpte-check.h).
 *
 * This file depends on GLib only: it is compiled into QEMU and into the
 * standalone unit tests, which is why it extracts fields with its own
 * helper instead of qemu/bitops.h.
 */

#include "qemu/osdep.h"
#include "contpte-check.h"
#include "contpte-desc.h"

#define OA_TOP          48      /* output address bits [47:page_bits] */

static uint64_t field(uint64_t desc, int start, int length)
{
    return (desc >> start) & ((1ULL << length) - 1);
}

/*
 * The fields that must be identical across a group, by their Arm ARM
 * names.  AP[2] is compared separately: with DBM set it is the dirty
 * state, which may differ.  AF, the software bits [58:55] and PBHA may
 * differ; nT is a hint.
 */
static const struct {
    const char *name;
    int start, length;
} group_fields[] = {
    { "AttrIndx", CONTPTE_DESC_ATTRINDX, 3 },
    { "NS", CONTPTE_DESC_NS, 1 },
    { "AP[1]", CONTPTE_DESC_AP1, 1 },
    { "SH", CONTPTE_DESC_SH, 2 },
    { "nG", CONTPTE_DESC_NG, 1 },
    { "GP", CONTPTE_DESC_GP, 1 },
    { "DBM", CONTPTE_DESC_DBM, 1 },
    { "PXN", CONTPTE_DESC_PXN, 1 },
    { "UXN", CONTPTE_DESC_UXN, 1 },
};

bool contpte_geometry(unsigned granule_bits, int level, ContpteGeometry *geo)
{
    /* entries for level 3 and level 2, per granule */
    static const struct {
        unsigned granule_bits, l3_entries, l2_entries;
    } table[] = {
        { 12, 16, 16 }, { 14, 128, 32 }, { 16, 32, 32 },
    };
    unsigned per_table_bits = granule_bits - 3;

    for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
        if (table[i].granule_bits != granule_bits) {
            continue;
        }
        if (level == 3) {
            geo->entries = table[i].l3_entries;
            geo->page_bits = granule_bits;
            return true;
        }
        if (level == 2) {
            geo->entries = table[i].l2_entries;
            geo->page_bits = granule_bits + per_table_bits;
            return true;
        }
    }
    return false;
}

unsigned contpte_group_index(const ContpteGeometry *geo, uint64_t va)
{
    return (va >> geo->page_bits) & (geo->entries - 1);
}

static uint64_t output_address(uint64_t desc, const ContpteGeometry *geo)
{
    return field(desc, geo->page_bits, OA_TOP - geo->page_bits)
           << geo->page_bits;
}

static void add(ContpteViolation *v, unsigned max, unsigned *n,
                ContpteRule rule, unsigned index, const char *name,
                uint64_t expected, uint64_t found)
{
    if (*n < max) {
        v[*n] = (ContpteViolation) {
            .rule = rule, .index = index, .field = name,
            .expected = expected, .found = found,
        };
    }
    (*n)++;
}

unsigned contpte_check_group(const uint64_t *descs, const ContpteGeometry *geo,
                             ContpteViolation *v, unsigned max)
{
    uint64_t size = 1ULL << geo->page_bits;
    uint64_t span = size * geo->entries;
    unsigned ref = geo->entries, n = 0;
    uint64_t base;

    for (unsigned i = 0; i < geo->entries; i++) {
        if (field(descs[i], CONTPTE_DESC_VALID, 1)) {
            ref = i;
            break;
        }
    }
    if (ref == geo->entries) {
        return 0;
    }

    /* where the group's range starts if the reference entry is right */
    base = output_address(descs[ref], geo) - ref * size;
    if (base & (span - 1)) {
        add(v, max, &n, CONTPTE_RULE_OA_ALIGN, ref, NULL,
            base & ~(span - 1), base);
    }

    for (unsigned i = 0; i < geo->entries; i++) {
        uint64_t d = descs[i], r = descs[ref];

        if (!field(d, CONTPTE_DESC_VALID, 1)) {
            add(v, max, &n, CONTPTE_RULE_INVALID, i, NULL, r, d);
            continue;
        }
        if (!field(d, CONTPTE_DESC_CONT, 1)) {
            add(v, max, &n, CONTPTE_RULE_NO_CONT_BIT, i, NULL, 1, 0);
        }
        if (field(d, CONTPTE_DESC_TYPE, 1) != field(r, CONTPTE_DESC_TYPE, 1)) {
            add(v, max, &n, CONTPTE_RULE_TYPE, i, NULL,
                field(r, CONTPTE_DESC_TYPE, 1), field(d, CONTPTE_DESC_TYPE, 1));
        }
        if (output_address(d, geo) != base + i * size) {
            add(v, max, &n, CONTPTE_RULE_OA_CONTIG, i, NULL, base + i * size,
                output_address(d, geo));
        }
        for (size_t f = 0; f < G_N_ELEMENTS(group_fields); f++) {
            uint64_t want = field(r, group_fields[f].start,
                                  group_fields[f].length);
            uint64_t got = field(d, group_fields[f].start,
                                 group_fields[f].length);

            if (want != got) {
                add(v, max, &n, CONTPTE_RULE_ATTR, i, group_fields[f].name,
                    want, got);
            }
        }
        /* AP[2] is the dirty state only where DBM is set in both */
        if (field(d, CONTPTE_DESC_AP2, 1) != field(r, CONTPTE_DESC_AP2, 1) &&
            !(field(d, CONTPTE_DESC_DBM, 1) && field(r, CONTPTE_DESC_DBM, 1))) {
            add(v, max, &n, CONTPTE_RULE_ATTR, i, "AP[2]",
                field(r, CONTPTE_DESC_AP2, 1), field(d, CONTPTE_DESC_AP2, 1));
        }
    }
    return n;
}

const char *contpte_rule_name(ContpteRule rule)
{
    switch (rule) {
#define RULE_NAME(e, name, member) case e: return name;
    CONTPTE_RULES(RULE_NAME)
#undef RULE_NAME
    case CONTPTE_RULE__MAX:
        break;
    }
    return "?";
}
