/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * libFuzzer target for the contiguous-group checker,
 * target/arm/contpte-check.c, which judges whatever descriptors a guest
 * writes.  Any group of any granule and level: the checker must report
 * within its bounds (at most @max violations stored, each naming a real
 * entry and rule, the count the same however many are stored), must pass
 * every group made to the Arm ARM's rules from the same bytes, and must
 * report that group once one entry's PXN differs.
 * Built with ASan and UBSan.
 *
 * Input: one byte of choices (granule, level, how many violations to
 * store), then the group's descriptors (8 bytes each, LE; missing bytes
 * are zero).
 */

#include "qemu/osdep.h"
#include "contpte-check.h"
#include "fuzz-check.h"

#define MAX_ENTRIES 128
#define DESC_CONT (1ULL << 52)
/* AF, the software bits [58:55] and PBHA [62:59] may differ in a group */
#define MAY_DIFFER ((1ULL << 10) | (0xffULL << 55))
#define DESC_AP2 (1ULL << 7)
#define DESC_DBM (1ULL << 51)
#define DESC_PXN (1ULL << 53)

static void check_report(const ContpteGeometry *geo, const ContpteViolation *v,
                         unsigned stored)
{
    for (unsigned i = 0; i < stored; i++) {
        CHECK(v[i].rule < CONTPTE_RULE__MAX);
        CHECK(v[i].index < geo->entries);
        CHECK(strcmp(contpte_rule_name(v[i].rule), "?"));
        CHECK((v[i].rule == CONTPTE_RULE_ATTR) == (v[i].field != NULL));
    }
}

/* The group the Arm ARM allows, made from @descs[0]. */
static void make_legal(uint64_t *group, const uint64_t *descs,
                       const ContpteGeometry *geo, int level)
{
    uint64_t size = 1ULL << geo->page_bits;
    uint64_t span = size * geo->entries;
    uint64_t oa_mask = ((1ULL << 48) - 1) & ~(size - 1);
    uint64_t first = descs[0];

    /* valid; a page at level 3, a block at level 2; contiguous */
    first = (first & ~3ULL) | (level == 3 ? 3 : 1) | DESC_CONT;
    /* an output range aligned to the group */
    first = (first & ~oa_mask) | (first & oa_mask & ~(span - 1));
    for (unsigned i = 0; i < geo->entries; i++) {
        uint64_t d = first + i * size;

        /* what each entry may have of its own; with DBM, AP[2] too */
        uint64_t own = MAY_DIFFER | (first & DESC_DBM ? DESC_AP2 : 0);

        d = (d & ~own) | (descs[i] & own);
        group[i] = d;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned granules[] = { 12, 14, 16, 12 };
    uint64_t descs[MAX_ENTRIES] = { 0 }, legal[MAX_ENTRIES];
    ContpteViolation v[MAX_ENTRIES * 16];
    ContpteGeometry geo;
    unsigned n, n_few, max;
    int level;

    if (size < 1) {
        return 0;
    }
    level = data[0] & 4 ? 2 : 3;
    if (!contpte_geometry(granules[data[0] & 3], level, &geo)) {
        abort();        /* every granule has level 2 and 3 groups */
    }
    CHECK(geo.entries <= MAX_ENTRIES);
    memcpy(descs, data + 1, MIN(size - 1, sizeof(descs)));
    max = data[0] >> 3;

    n = contpte_check_group(descs, &geo, v, G_N_ELEMENTS(v));
    CHECK(n <= G_N_ELEMENTS(v));
    check_report(&geo, v, n);
    n_few = contpte_check_group(descs, &geo, v, max);
    CHECK(n_few == n);          /* counted whether stored or not */
    check_report(&geo, v, MIN(n, max));

    make_legal(legal, descs, &geo, level);
    n = contpte_check_group(legal, &geo, v, G_N_ELEMENTS(v));
    if (n) {
        fprintf(stderr, "legal group reported: %s at entry %u\n",
                contpte_rule_name(v[0].rule), v[0].index);
        abort();
    }

    /* and a permission that differs in one entry is always reported */
    legal[descs[1] % geo.entries] ^= DESC_PXN;
    CHECK(contpte_check_group(legal, &geo, v, 0) > 0);
    return 0;
}
