/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * CASE_FUZZ: random page tables and random streams of accesses, address
 * translations and TLB maintenance, from a seed.
 *
 * FUZZ_GROUPS groups of level 3 entries at FUZZ_VA map pages of a data
 * pool.  Each operation repaints a group (break-before-make: invalid,
 * TLBI, then new entries, contiguous or not, with random attributes),
 * loads or stores a word, translates an address with AT, or issues a TLBI
 * of a random kind.  What the guest sees of each (the value loaded, the
 * syndrome of a fault, PAR_EL1) is folded into one hash per seed.  With
 * MB_FUZZ_LEGAL the sequence is architecturally well defined, so the hash
 * may not depend on -cpu max,contpte=: the test compares the modes.
 * Without it, entries are also written raw, any bits, no maintenance,
 * and the test only asks that QEMU neither crashes nor hangs.
 */

#include <stdbool.h>
#include "payload.h"

#define FUZZ_VA         0x9000000000ULL /* 576G: clear of GROUP_VA */
#define POOL_PA         0x50000000ULL
#define POOL_GROUPS     8               /* groups' worth of data pages */


static uint64_t rng, hash;
static uint64_t *region;        /* the FUZZ_GROUPS * entries slots */
static unsigned entries;        /* per group */
static uint64_t page;

static uint64_t rnd(void)
{
    /* xorshift64* */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dULL;
}

static unsigned below(unsigned n)
{
    return rnd() % n;
}

static void fold(uint64_t v)
{
    hash = (hash ^ v) * 0x100000001b3ULL;
}

static void barrier(void)
{
    asm volatile("dsb ish; isb" : : : "memory");
}

/* Fold what the last access did: nothing, or its fault. */
static void fold_fault(uint64_t exceptions_before)
{
    if (MB(MB_EXCEPTIONS) != exceptions_before) {
        fold(MB(MB_LAST_ESR));
        fold(MB(MB_LAST_FAR));
    }
}

static uint64_t random_va(void)
{
    uint64_t off = (uint64_t)below(page / 8) * 8;

    return FUZZ_VA + (uint64_t)below(FUZZ_GROUPS * entries) * page + off;
}

static void op_load(void)
{
    uint64_t before = MB(MB_EXCEPTIONS), v;

    /* zero first: a faulting load is skipped and leaves it */
    asm volatile("mov %0, xzr\n\tldr %0, [%1]"
                 : "=&r"(v) : "r"(random_va()) : "memory");
    fold(v);
    fold_fault(before);
}

static void op_store(void)
{
    uint64_t before = MB(MB_EXCEPTIONS);

    asm volatile("str %0, [%1]" : : "r"(rnd()), "r"(random_va())
                 : "memory");
    fold_fault(before);
}

static void op_at(void)
{
    uint64_t va = random_va(), par;

    if (rnd() & 1) {
        asm volatile("at s1e1r, %1\n\tisb\n\tmrs %0, par_el1"
                     : "=r"(par) : "r"(va) : "memory");
    } else {
        asm volatile("at s1e1w, %1\n\tisb\n\tmrs %0, par_el1"
                     : "=r"(par) : "r"(va) : "memory");
    }
    fold(par);
}

/* A TLBI of a random kind that covers @va (or everything). */
static void tlbi_covering(uint64_t va)
{
    uint64_t x = va >> 12;
    /* range: 2 * (NUM + 1) pages from va, in granules, TG by granule */
    uint64_t tg = granule_bits == 12 ? 1 : granule_bits == 14 ? 2 : 3;
    uint64_t r = tg << 46 | (uint64_t)below(32) << 39 |
                 (va >> granule_bits);

    asm volatile("dsb ishst" : : : "memory");
    switch (below(14)) {
    case 0:
        asm volatile("tlbi vae1, %0" : : "r"(x) : "memory");
        break;
    case 1:
        asm volatile("tlbi vae1is, %0" : : "r"(x) : "memory");
        break;
    case 2:
        asm volatile("tlbi vale1, %0" : : "r"(x) : "memory");
        break;
    case 3:
        asm volatile("tlbi vale1is, %0" : : "r"(x) : "memory");
        break;
    case 4:
        asm volatile("tlbi vaae1, %0" : : "r"(x) : "memory");
        break;
    case 5:
        asm volatile("tlbi vaae1is, %0" : : "r"(x) : "memory");
        break;
    case 6:
        asm volatile("tlbi vaale1, %0" : : "r"(x) : "memory");
        break;
    case 7:
        asm volatile("tlbi vaale1is, %0" : : "r"(x) : "memory");
        break;
    case 8:
        asm volatile("tlbi aside1, %0" : : "r"(0ULL) : "memory");
        break;
    case 9:
        asm volatile("tlbi aside1is, %0" : : "r"(0ULL) : "memory");
        break;
    case 10:
        asm volatile("tlbi vmalle1" : : : "memory");
        break;
    case 11:
        asm volatile("tlbi vmalle1is" : : : "memory");
        break;
    case 12:
        /* TLBI RVAE1IS (FEAT_TLBIRANGE), by its encoding */
        asm volatile("sys #0, c8, c2, #1, %0" : : "r"(r) : "memory");
        break;
    default:
        /* TLBI RVALE1 */
        asm volatile("sys #0, c8, c6, #5, %0" : : "r"(r) : "memory");
        break;
    }
    barrier();
}

/* A TLBI that covers all of slot @i (the range kinds may cover more). */
static void tlbi_slot(unsigned i)
{
    uint64_t va = FUZZ_VA + i * page;

    /* a range TLBI from va covers it; so does every other kind */
    tlbi_covering(va);
}

static uint64_t random_attrs(void)
{
    static const uint64_t sh[] = { 0, 2ULL << 8, 3ULL << 8 };
    uint64_t a = (uint64_t)below(2) << 2       /* AttrIndx 0 WB, 1 NC */
                 | sh[below(3)]
                 | (rnd() & (1ULL << 11))      /* nG */
                 | (rnd() & (DESC_PXN | DESC_UXN))
                 | (rnd() & DESC_DBM);

    return a | (rnd() & DESC_AP_RO);
}

static uint64_t pool_page(unsigned n)
{
    return POOL_PA + (uint64_t)n * page;
}

/*
 * Break-before-make: group @g invalid, every slot TLBIed, then new
 * entries.  Contiguous: one output range aligned to the group, the same
 * attributes in each entry but for AF and (with DBM) AP[2].  Otherwise
 * any pool page per entry, some entries left invalid.
 */
static void op_repaint(unsigned g)
{
    uint64_t *d = region + g * entries;
    bool cont = rnd() & 1;
    uint64_t attrs = random_attrs();
    uint64_t base = pool_page(below(POOL_GROUPS) * entries);

    for (unsigned i = 0; i < entries; i++) {
        d[i] = 0;
    }
    barrier();
    for (unsigned i = 0; i < entries; i++) {
        tlbi_slot(g * entries + i);
    }
    for (unsigned i = 0; i < entries; i++) {
        uint64_t e = attrs | DESC_VALID | DESC_TABLE |
                     (rnd() & DESC_AF);

        if (attrs & DESC_DBM) {
            e = (e & ~DESC_AP_RO) | (rnd() & DESC_AP_RO);
        }
        if (cont) {
            d[i] = e | DESC_CONT | (base + i * page);
        } else if (below(4)) {
            d[i] = e | pool_page(below(POOL_GROUPS * entries));
        }
    }
    barrier();
}

/* Any bits, no maintenance: the output address stays in the pool. */
static void op_raw(void)
{
    unsigned i = below(FUZZ_GROUPS * entries);
    uint64_t oa_mask = 0x0000fffffffff000ULL & ~(page - 1);
    uint64_t d = rnd() & ~oa_mask;

    region[i] = d | pool_page(below(POOL_GROUPS * entries));
    if (rnd() & 1) {
        barrier();
    }
}

void fuzz_setup(void)
{
    uint64_t *pool;

    page = 1ULL << granule_bits;
    entries = granule_bits == 12 ? 16 : granule_bits == 14 ? 128 : 32;
    region = slot(FUZZ_VA, 3);      /* one level 3 table holds them all */
    pool = (uint64_t *)POOL_PA;
    for (uint64_t i = 0; i < POOL_GROUPS * entries * page / 8; i++) {
        pool[i] = POOL_PA + i * 8;
    }
}

void fuzz_run(void)
{
    uint64_t seeds = MB(MB_FUZZ_SEEDS), ops = MB(MB_FUZZ_OPS);
    bool legal = MB(MB_FUZZ_LEGAL);

    for (uint64_t s = 0; s < seeds && s < FUZZ_MAX_SEEDS; s++) {
        rng = MB(MB_SEED) + s + 1;
        hash = 0xcbf29ce484222325ULL;
        for (unsigned g = 0; g < FUZZ_GROUPS; g++) {
            op_repaint(g);
        }
        for (uint64_t n = 0; n < ops; n++) {
            unsigned what = below(legal ? 100 : 120);

            if (what < 10) {
                op_repaint(below(FUZZ_GROUPS));
            } else if (what < 45) {
                op_load();
            } else if (what < 65) {
                op_store();
            } else if (what < 80) {
                op_at();
            } else if (what < 100) {
                tlbi_covering(random_va());
            } else {
                op_raw();
            }
        }
        MB(MB_FUZZ_HASHES + 8 * s) = hash;
        MB(MB_STAGE) = 100 + s;     /* progress, for a stuck seed */
    }
}
