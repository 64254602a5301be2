/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Unit tests of the contiguous-group checker: geometry per granule and
 * level, groups that are correct (including the differences the Arm ARM
 * allows), and one case per rule.
 */

#include "qemu/osdep.h"
#include "contpte-check.h"

#define BIT(n)      (1ULL << (n))
#define VALID       BIT(0)
#define PAGE        BIT(1)      /* level 3 page (vs. level 1/2 block) */
#define ATTRIDX(x)  ((uint64_t)(x) << 2)
#define NS          BIT(5)
#define AP1         BIT(6)
#define AP2         BIT(7)
#define SH(x)       ((uint64_t)(x) << 8)
#define AF          BIT(10)
#define NG          BIT(11)
#define GP          BIT(50)
#define DBM         BIT(51)
#define CONT        BIT(52)
#define PXN         BIT(53)
#define UXN         BIT(54)
#define SW(x)       ((uint64_t)(x) << 55)

/* What Linux maps for user anonymous memory: normal, RW, clean+DBM. */
#define USER_RW     (VALID | ATTRIDX(0) | AP1 | AP2 | SH(3) | AF | NG | \
                     DBM | CONT | PXN | UXN)

typedef struct Group {
    ContpteGeometry geo;
    uint64_t d[128];
} Group;

static Group group(unsigned granule_bits, int level, uint64_t oa_base,
                   uint64_t attrs)
{
    Group g;

    g_assert_true(contpte_geometry(granule_bits, level, &g.geo));
    for (unsigned i = 0; i < g.geo.entries; i++) {
        g.d[i] = (oa_base + ((uint64_t)i << g.geo.page_bits)) | attrs |
                 (level == 3 ? PAGE : 0);
    }
    return g;
}

static unsigned check(Group *g, ContpteViolation *v, unsigned max)
{
    return contpte_check_group(g->d, &g->geo, v, max);
}

/* Exactly one violation, of @rule at @index (and @field for ATTR). */
static void assert_one(Group *g, ContpteRule rule, unsigned index,
                       const char *field)
{
    ContpteViolation v[4];
    unsigned n = check(g, v, G_N_ELEMENTS(v));

    g_assert_cmpuint(n, ==, 1);
    g_assert_cmpstr(contpte_rule_name(v[0].rule), ==,
                    contpte_rule_name(rule));
    g_assert_cmpuint(v[0].index, ==, index);
    g_assert_cmpstr(v[0].field, ==, field);
}

static void test_geometry(void)
{
    static const struct {
        unsigned granule_bits;
        int level;
        unsigned entries;
        uint64_t span;
    } cases[] = {
        { 12, 3, 16, 64 * 1024 },
        { 12, 2, 16, 32ULL << 20 },
        { 14, 3, 128, 2ULL << 20 },
        { 14, 2, 32, 1ULL << 30 },
        { 16, 3, 32, 2ULL << 20 },
        { 16, 2, 32, 16ULL << 30 },
    };
    ContpteGeometry geo;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_assert_true(contpte_geometry(cases[i].granule_bits, cases[i].level,
                                       &geo));
        g_assert_cmpuint(geo.entries, ==, cases[i].entries);
        g_assert_cmpuint(geo.entries * (1ULL << geo.page_bits), ==,
                         cases[i].span);
    }
    g_assert_false(contpte_geometry(12, 1, &geo));
    g_assert_false(contpte_geometry(13, 3, &geo));

    g_assert_true(contpte_geometry(12, 3, &geo));
    g_assert_cmpuint(contpte_group_index(&geo, 0x7f0000ab5123), ==, 5);
}

static void test_correct_groups(void)
{
    static const struct {
        unsigned granule_bits;
        int level;
        uint64_t base;
    } cases[] = {
        { 12, 3, 0x40010000 }, { 12, 2, 0x42000000 },
        { 14, 3, 0x40200000 }, { 14, 2, 0x80000000 },
        { 16, 3, 0x40200000 }, { 16, 2, 0x400000000 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Group g = group(cases[i].granule_bits, cases[i].level,
                        cases[i].base, USER_RW);

        g_assert_cmpuint(check(&g, NULL, 0), ==, 0);
    }
}

/* Access flag, dirty state under DBM, software bits: per entry. */
static void test_allowed_differences(void)
{
    Group g = group(12, 3, 0x40010000, USER_RW);

    g.d[1] &= ~AF;
    g.d[2] &= ~AP2;             /* hardware-dirty (DBM set) */
    g.d[3] |= SW(0xf);
    g.d[4] |= BIT(59);          /* PBHA */
    g_assert_cmpuint(check(&g, NULL, 0), ==, 0);

    /* Linux clears the whole group before refilling it: all invalid */
    for (unsigned i = 0; i < g.geo.entries; i++) {
        g.d[i] = 0;
    }
    g_assert_cmpuint(check(&g, NULL, 0), ==, 0);
}

static void test_rules(void)
{
    static const struct {
        const char *field;
        uint64_t flip;
    } attrs[] = {
        { "AttrIndx", ATTRIDX(1) }, { "NS", NS }, { "AP[1]", AP1 },
        { "SH", SH(1) }, { "nG", NG }, { "GP", GP }, { "PXN", PXN },
        { "UXN", UXN },
    };
    Group g;

    g = group(12, 3, 0x40010000, USER_RW);
    g.d[5] &= ~CONT;
    assert_one(&g, CONTPTE_RULE_NO_CONT_BIT, 5, NULL);

    g = group(12, 3, 0x40010000, USER_RW);
    g.d[9] = 0;
    assert_one(&g, CONTPTE_RULE_INVALID, 9, NULL);

    /* a whole group shifted by one page: contiguous, but not aligned */
    g = group(12, 3, 0x40011000, USER_RW);
    assert_one(&g, CONTPTE_RULE_OA_ALIGN, 0, NULL);

    g = group(12, 3, 0x40010000, USER_RW);
    g.d[7] += 0x2000;
    assert_one(&g, CONTPTE_RULE_OA_CONTIG, 7, NULL);

    g = group(12, 2, 0x42000000, USER_RW);
    g.d[3] |= PAGE;
    assert_one(&g, CONTPTE_RULE_TYPE, 3, NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(attrs); i++) {
        g = group(12, 3, 0x40010000, USER_RW);
        g.d[3] ^= attrs[i].flip;
        assert_one(&g, CONTPTE_RULE_ATTR, 3, attrs[i].field);
    }

    /* without DBM, AP[2] is a permission: read-only vs writable */
    g = group(12, 3, 0x40010000, USER_RW & ~DBM);
    g.d[6] &= ~AP2;
    assert_one(&g, CONTPTE_RULE_ATTR, 6, "AP[2]");
    /* DBM itself must agree: it decides whether writes are allowed */
    g = group(12, 3, 0x40010000, USER_RW);
    g.d[6] &= ~DBM;
    assert_one(&g, CONTPTE_RULE_ATTR, 6, "DBM");
}

/* The reported values: what the first valid entry implies, and found. */
static void test_values_and_reference(void)
{
    ContpteViolation v[2];
    Group g = group(16, 3, 0x40200000, USER_RW);

    g.d[0] = 0;                 /* the reference is then entry 1 */
    g.d[31] = (g.d[31] & ~0xffff0000ULL) | 0x50000000;
    g_assert_cmpuint(check(&g, v, 2), ==, 2);
    g_assert_cmpuint(v[0].rule, ==, CONTPTE_RULE_INVALID);
    g_assert_cmpuint(v[0].index, ==, 0);
    g_assert_cmpuint(v[1].rule, ==, CONTPTE_RULE_OA_CONTIG);
    g_assert_cmpuint(v[1].index, ==, 31);
    g_assert_cmphex(v[1].expected, ==, 0x40200000 + 31 * 0x10000);
    g_assert_cmphex(v[1].found, ==, 0x50000000);
}

static void test_truncation(void)
{
    ContpteViolation v[3];
    Group g = group(14, 3, 0x40200000, USER_RW);

    for (unsigned i = 1; i < g.geo.entries; i++) {
        g.d[i] &= ~CONT;
    }
    g_assert_cmpuint(check(&g, v, G_N_ELEMENTS(v)), ==, 127);
    g_assert_cmpuint(v[2].index, ==, 3);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/contpte-check/geometry", test_geometry);
    g_test_add_func("/contpte-check/correct-groups", test_correct_groups);
    g_test_add_func("/contpte-check/allowed-differences",
                    test_allowed_differences);
    g_test_add_func("/contpte-check/rules", test_rules);
    g_test_add_func("/contpte-check/values-and-reference",
                    test_values_and_reference);
    g_test_add_func("/contpte-check/truncation", test_truncation);
    return g_test_run();
}
