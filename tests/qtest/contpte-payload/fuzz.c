/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * CASE_FUZZ: random page tables and random streams of accesses, address
 * translations and TLB maintenance, from a seed, on 1 to 4 vCPUs.
 *
 * For each seed vCPU 0 builds new stage 1 tables: a random T0SZ from 32
 * to 48 bits of VA (so each start level a granule has in that range), a
 * random ASID, hardware AF and dirty updates on or off, RAM identity
 * mapped with level 1 or level 2 blocks, and for each vCPU groups of
 * level 3 pages, all in one level 3 table, and groups of level 2 entries
 * at random VAs.  Every vCPU then switches to the new tables and runs
 * its own stream: it repaints one of its groups (break-before-make:
 * invalid, TLBI, then new entries: one contiguous range, or any mix of
 * pages, blocks, tables of pages and invalid entries), loads or stores a
 * word, translates with AT, or issues a TLBI of a random kind, with its
 * ASID or another.  What a vCPU sees (the value loaded, the syndrome of
 * a fault, PAR_EL1) goes into its hash, and vCPU 0 folds those into one
 * per seed.  A vCPU's groups map only its own slice of the data pool, so
 * its results cannot depend on how the vCPUs interleave; only the TLBIs
 * the others broadcast reach it.  With MB_FUZZ_LEGAL the sequence is
 * architecturally well defined, so the hash may not depend on
 * -cpu max,contpte=: the test compares the modes.  Without it, level 3
 * entries are also written raw, any bits, no maintenance, and repaints
 * skip break-before-make at random: the test only asks that QEMU
 * neither crashes nor hangs.
 */

#include <stdbool.h>
#include "payload.h"

#define RAM_PA          0x40000000ULL   /* -m 2G: identity mapped */
#define RAM_END         0xc0000000ULL
#define POOL_PA         0x80000000ULL   /* the data the groups map */
#define POOL_SIZE       0x40000000ULL
#define POOL_WORDS      8               /* initialised at each 4K page */
#define AREA_PA         0x41000000ULL   /* seed s's tables: area s % 2 */
#define AREA_SIZE       0x02000000ULL
#define SUB_OFFSET      0x01000000ULL   /* tables under level 2 entries */
#define L3_GROUPS       4               /* per vCPU */
#define L2_GROUPS       2
#define L2_MAX_ENTRIES  32
#define OA_MASK         0x0000fffffffff000ULL
#define NO_VA           (~0ULL)

#define NORMAL          (DESC_ATTRINDX(0) | DESC_SH(3) | DESC_AF)
#define TCR_FIXED       ((1ULL << 8)    /* IRGN0 WBWA */ \
                         | (1ULL << 10) /* ORGN0 WBWA */ \
                         | (3ULL << 12) /* SH0 inner */ \
                         | (1ULL << 23) /* EPD1: no TTBR1 walks */ \
                         | (2ULL << 32))/* IPS: 40 bits */
#define TCR_HA          (1ULL << 39)
#define TCR_HD          (1ULL << 40)

typedef struct Group {
    uint64_t va;
    uint64_t *desc;
    uint64_t size;              /* what one entry maps */
    uint64_t *sub;              /* level 2: a table per entry, if used */
    unsigned level, n;
} Group;

/* One vCPU's stream.  vCPU 0 fills in all but hash before each seed. */
typedef struct Stream {
    uint64_t rng, hash;
    uint64_t lo, hi;            /* its slice of the pool */
    unsigned cpu, groups;
    Group g[L3_GROUPS + L2_GROUPS];
} Stream;

static Stream streams[FUZZ_MAX_CPUS];

/* The current seed's translation regime, also written by vCPU 0. */
static struct {
    unsigned vabits, start_level, asid;
    bool ha, hd;
    uint64_t tcr, ttbr, root, next, area;
} rg;

static struct {
    uint64_t lo, hi;
} used[2 + FUZZ_MAX_CPUS * L2_GROUPS];
static unsigned nused;

static unsigned stride;
static uint64_t page;

static uint64_t rnd(uint64_t *state)
{
    /* xorshift64* */
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(uint64_t *state, uint64_t n)
{
    return rnd(state) % n;
}

static void fold(uint64_t *hash, uint64_t v)
{
    *hash = (*hash ^ v) * 0x100000001b3ULL;
}

static void barrier(void)
{
    asm volatile("dsb ish; isb" : : : "memory");
}

static unsigned shift(unsigned level)
{
    return granule_bits + stride * (3 - level);
}

/* Entries in a contiguous range at @level (D8.7, Table D8-90). */
static unsigned cont_entries(unsigned level)
{
    if (granule_bits == 12) {
        return 16;
    }
    return level == 3 && granule_bits == 14 ? 128 : 32;
}

static uint64_t tg_code(void)   /* TLBI TG and TTL[3:2]: 4K 1, 16K 2, 64K 3 */
{
    return granule_bits == 12 ? 1 : granule_bits == 14 ? 2 : 3;
}

/* --- the tables of a seed, built by vCPU 0 --------------------------- */

static uint64_t *new_table(void)
{
    uint64_t *t = (uint64_t *)rg.next;

    for (unsigned i = 0; i < (1u << stride); i++) {
        t[i] = 0;
    }
    rg.next += page;
    return t;
}

static uint64_t *slot_at(uint64_t va, unsigned level)
{
    uint64_t *table = (uint64_t *)rg.root;

    for (unsigned l = rg.start_level; ; l++) {
        uint64_t *d = table + ((va >> shift(l)) & ((1u << stride) - 1));

        if (l == level) {
            return d;
        }
        if (!(*d & DESC_VALID)) {
            *d = (uint64_t)new_table() | DESC_TABLE | DESC_VALID;
        }
        table = (uint64_t *)(*d & OA_MASK & ~(page - 1));
    }
}

/* A free VA range of @size bytes, @size aligned, or NO_VA. */
static uint64_t va_take(uint64_t *r, uint64_t size)
{
    uint64_t slots = (1ULL << rg.vabits) / size;

    for (unsigned t = 0; slots && t < 32; t++) {
        uint64_t va = below(r, slots) * size;
        bool free = true;

        for (unsigned u = 0; u < nused; u++) {
            free &= va >= used[u].hi || va + size <= used[u].lo;
        }
        if (free) {
            used[nused].lo = va;
            used[nused++].hi = va + size;
            return va;
        }
    }
    return NO_VA;
}

/* --- painting a group ------------------------------------------------ */

static uint64_t random_attrs(uint64_t *r)
{
    static const uint64_t sh[] = { 0, DESC_SH(2), DESC_SH(3) };

    return DESC_ATTRINDX(below(r, 2))      /* 0 WB, 1 NC */
           | sh[below(r, 3)]
           | (rnd(r) & (DESC_NG | DESC_PXN | DESC_UXN | DESC_DBM |
                        DESC_AP_RO));
}

/* A @size aligned output range of @size bytes that meets the slice. */
static uint64_t pick_oa(Stream *st, uint64_t size)
{
    uint64_t first = st->lo & ~(size - 1);
    uint64_t last = (st->hi - 1) & ~(size - 1);

    return first + below(&st->rng, (last - first) / size + 1) * size;
}

/*
 * A leaf's bits but its output address.  In a contiguous range the
 * architecture lets only AF (with hardware AF updates) and AP[2] (with
 * DBM and hardware dirty updates) differ between entries: what a TLB
 * caches of one entry then holds for all.
 */
static uint64_t leaf_bits(Stream *st, unsigned level, uint64_t attrs,
                          bool cont)
{
    uint64_t e = attrs | DESC_VALID | (level == 3 ? DESC_TABLE : 0);
    uint64_t r = rnd(&st->rng);

    e |= !cont || rg.ha ? r & DESC_AF : DESC_AF;
    if (!cont || ((attrs & DESC_DBM) && rg.hd)) {
        e = (e & ~DESC_AP_RO) | (r & DESC_AP_RO);
    }
    return e;
}

/*
 * A table of pages under entry @i of level 2 group @g: in each aligned
 * run of contiguous-range size, all invalid, one contiguous range, or
 * pages of the slice with holes.
 */
static uint64_t sub_table(Stream *st, Group *g, unsigned i, bool legal)
{
    uint64_t *t = g->sub + (uint64_t)i * (page / 8);
    unsigned run = cont_entries(3);

    for (unsigned c = 0; c < (1u << stride); c += run) {
        unsigned kind = below(&st->rng, 3);
        uint64_t attrs = random_attrs(&st->rng);
        uint64_t e = leaf_bits(st, 3, attrs, kind == 1);
        uint64_t holes = rnd(&st->rng);
        uint64_t base = pick_oa(st, run * page);

        if (!legal) {
            e |= rnd(&st->rng) & DESC_CONT;
        }
        for (unsigned j = 0; j < run; j++) {
            if (kind == 0) {
                t[c + j] = 0;
            } else if (kind == 1) {
                t[c + j] = e | DESC_CONT | (base + j * page);
            } else {
                /* pages of the run, in another order, some missing */
                t[c + j] = (holes >> (j % 64)) & 1 ? 0 :
                           e | (base + ((j * 7 + 3) % run) * page);
            }
        }
    }
    return (uint64_t)t | DESC_TABLE | DESC_VALID;
}

/*
 * New entries for @g: one contiguous range with the same attributes, or
 * each entry on its own: invalid, a page or block of the slice, or (at
 * level 2) a table of pages.
 */
static void paint(Stream *st, Group *g, bool legal)
{
    uint64_t span = g->size * g->n;
    uint64_t attrs = random_attrs(&st->rng);
    bool cont = rnd(&st->rng) & 1;
    uint64_t base;

    /*
     * A 64K granule's level 2 range spans 16G: more than the pool.  Only
     * well-defined sequences may map it: a stale translation left by raw
     * writes could then reach the payload's own memory.
     */
    if (!legal && span > POOL_SIZE) {
        cont = false;
    }
    base = cont ? pick_oa(st, span) : 0;
    for (unsigned i = 0; i < g->n; i++) {
        uint64_t e = leaf_bits(st, g->level, attrs, cont);

        if (cont) {
            g->desc[i] = e | DESC_CONT | (base + i * g->size);
            continue;
        }
        if (!legal) {
            e |= rnd(&st->rng) & DESC_CONT;
        }
        switch (below(&st->rng, 4)) {
        case 0:
            g->desc[i] = 0;
            break;
        case 1:
            if (g->level == 2) {
                g->desc[i] = sub_table(st, g, i, legal);
                break;
            }
            /* fall through */
        default:
            g->desc[i] = e | pick_oa(st, g->size);
            break;
        }
    }
}

static bool is_table(const Group *g, uint64_t d)
{
    return g->level < 3 && (d & (DESC_VALID | DESC_TABLE)) ==
                           (DESC_VALID | DESC_TABLE);
}

/* --- TLB maintenance ------------------------------------------------- */

static uint64_t asid_bits(uint64_t asid)
{
    return asid << 48;
}

/*
 * A TLBI of a random kind that covers the leaf at @va, @level, for
 * @asid: by VA (last level or not, one ASID or all, with or without the
 * FEAT_TTL level hint), by range, by ASID or all.
 */
static void tlbi_covering(Stream *st, uint64_t va, unsigned level,
                          uint64_t asid, bool hint)
{
    uint64_t ttl = hint ? (tg_code() << 2 | level) << 44 : 0;
    uint64_t x = asid_bits(asid) | ttl | (va >> 12);
    /* range: 2 * (NUM + 1) granules from va, level hint in TTL */
    uint64_t r = asid_bits(asid) | tg_code() << 46 |
                 below(&st->rng, 32) << 39 |
                 (uint64_t)(hint ? level : 0) << 37 | (va >> granule_bits);
    uint64_t a = asid_bits(asid);

    asm volatile("dsb ishst" : : : "memory");
    switch (below(&st->rng, 14)) {
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
        asm volatile("tlbi aside1, %0" : : "r"(a) : "memory");
        break;
    case 9:
        asm volatile("tlbi aside1is, %0" : : "r"(a) : "memory");
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

/* A TLBI that also drops walks through a removed table: by ASID or all. */
static void tlbi_broad(Stream *st)
{
    uint64_t a = asid_bits(rg.asid);

    asm volatile("dsb ishst" : : : "memory");
    switch (below(&st->rng, 4)) {
    case 0:
        asm volatile("tlbi aside1, %0" : : "r"(a) : "memory");
        break;
    case 1:
        asm volatile("tlbi aside1is, %0" : : "r"(a) : "memory");
        break;
    case 2:
        asm volatile("tlbi vmalle1" : : : "memory");
        break;
    default:
        asm volatile("tlbi vmalle1is" : : : "memory");
        break;
    }
    barrier();
}

/*
 * One TLBI by range that covers all of @g: NUM + 1 units of
 * 2^(5 * SCALE + 1) granules.  RVAE1 or RVAE1IS if a table was removed
 * (with no level hint: its pages are at another level), else also the
 * last level only kinds, RVALE1 and RVALE1IS.
 */
static void tlbi_range_group(Stream *st, const Group *g, bool table)
{
    uint64_t granules = g->n * g->size / page, scale = 0;
    uint64_t r;

    while (granules > 32ULL << (5 * scale + 1)) {
        scale++;
    }
    r = asid_bits(rg.asid) | tg_code() << 46 | scale << 44 |
        (granules / (2ULL << (5 * scale)) - 1) << 39 |
        (uint64_t)(!table && (rnd(&st->rng) & 1) ? g->level : 0) << 37 |
        (g->va >> granule_bits);
    asm volatile("dsb ishst" : : : "memory");
    switch (below(&st->rng, table ? 2 : 4)) {
    case 0:
        asm volatile("sys #0, c8, c6, #1, %0" : : "r"(r) : "memory");
        break;
    case 1:
        asm volatile("sys #0, c8, c2, #1, %0" : : "r"(r) : "memory");
        break;
    case 2:
        asm volatile("sys #0, c8, c6, #5, %0" : : "r"(r) : "memory");
        break;
    default:
        asm volatile("sys #0, c8, c2, #5, %0" : : "r"(r) : "memory");
        break;
    }
    barrier();
}

/*
 * Break-before-make: every entry of @g invalid, TLBIs that cover them,
 * then new entries.  The TLBIs: one per entry, of any kind, or one by
 * range for the group (last level only unless a table was removed), or
 * one by ASID or all.  A broadcast TLBI stops every vCPU in QEMU, so one
 * per entry is the rarer choice.  Raw sequences skip the break half the
 * time.
 */
static void op_repaint(Stream *st, Group *g, bool legal)
{
    if (legal || (rnd(&st->rng) & 1)) {
        bool table = false;
        unsigned how = below(&st->rng, 4);

        for (unsigned i = 0; i < g->n; i++) {
            table |= is_table(g, g->desc[i]);
            g->desc[i] = 0;
        }
        barrier();
        if (how == 0 && !table) {
            for (unsigned i = 0; i < g->n; i++) {
                tlbi_covering(st, g->va + i * g->size, g->level, rg.asid,
                              rnd(&st->rng) & 1);
            }
        } else if (how == 1 || (how == 0 && table)) {
            tlbi_broad(st);
        } else {
            tlbi_range_group(st, g, table);
        }
    }
    paint(st, g, legal);
    barrier();
}

/* --- accesses -------------------------------------------------------- */

/*
 * A VA in one of the stream's groups, and whether it may be accessed:
 * a valid leaf may only be if it maps some of the stream's slice, and
 * then the VA is one of the initialised words of a 4K page there.
 */
static uint64_t pick_va(Stream *st, bool *access, unsigned *level)
{
    Group *g = &st->g[below(&st->rng, st->groups)];
    unsigned i = below(&st->rng, g->n);
    uint64_t va = g->va + i * g->size, size = g->size;
    uint64_t d = g->desc[i], oa, lo, hi, pa;

    *level = g->level;
    if (is_table(g, d)) {
        unsigned j = below(&st->rng, 1u << stride);

        va += j * page;
        size = page;
        d = ((uint64_t *)(d & OA_MASK))[j];
        *level = 3;
    }
    if (!(d & DESC_VALID)) {
        *access = true;
        return va + below(&st->rng, size / 8) * 8;
    }
    oa = d & OA_MASK & ~(size - 1);
    lo = oa > st->lo ? oa : st->lo;
    hi = oa + size < st->hi ? oa + size : st->hi;
    *access = lo < hi;
    if (!*access) {
        return va + below(&st->rng, size / 8) * 8;
    }
    pa = lo + below(&st->rng, (hi - lo) >> 12) * 4096 +
         below(&st->rng, POOL_WORDS) * 8;
    return va + (pa - oa);
}

/* Fold what the last access did: nothing, or its fault. */
static void fold_fault(Stream *st, uint64_t exceptions_before)
{
    if (MB(MB_CPU(st->cpu, CPU_EXCEPTIONS)) != exceptions_before) {
        fold(&st->hash, MB(MB_CPU(st->cpu, CPU_LAST_ESR)));
        fold(&st->hash, MB(MB_CPU(st->cpu, CPU_LAST_FAR)));
    }
}

static void op_at(Stream *st, uint64_t va)
{
    uint64_t par;

    if (rnd(&st->rng) & 1) {
        asm volatile("at s1e1r, %1\n\tisb\n\tmrs %0, par_el1"
                     : "=r"(par) : "r"(va) : "memory");
    } else {
        asm volatile("at s1e1w, %1\n\tisb\n\tmrs %0, par_el1"
                     : "=r"(par) : "r"(va) : "memory");
    }
    fold(&st->hash, par);
}

static void op_access(Stream *st, bool store)
{
    uint64_t before = MB(MB_CPU(st->cpu, CPU_EXCEPTIONS)), v;
    unsigned level;
    bool access;
    uint64_t va = pick_va(st, &access, &level);

    if (!access) {
        op_at(st, va);
    } else if (store) {
        asm volatile("str %0, [%1]" : : "r"(rnd(&st->rng)), "r"(va)
                     : "memory");
        fold_fault(st, before);
    } else {
        /* zero first: a faulting load is skipped and leaves it */
        asm volatile("mov %0, xzr\n\tldr %0, [%1]"
                     : "=&r"(v) : "r"(va) : "memory");
        fold(&st->hash, v);
        fold_fault(st, before);
    }
}

/* A TLBI of a random kind, the stream's ASID or another, hint or not. */
static void op_tlbi(Stream *st)
{
    unsigned level;
    bool access;
    uint64_t va = pick_va(st, &access, &level);
    uint64_t asid = below(&st->rng, 4) ? rg.asid : below(&st->rng, 256);

    tlbi_covering(st, va, level, asid, rnd(&st->rng) & 1);
}

/* Any bits in a level 3 entry, no maintenance; the output stays ours. */
static void op_raw(Stream *st)
{
    Group *g = &st->g[below(&st->rng, st->groups)];
    unsigned i = below(&st->rng, g->n);
    uint64_t d = rnd(&st->rng) & ~(OA_MASK & ~(page - 1));

    if (g->level != 3) {
        return;     /* a table descriptor could point anywhere */
    }
    g->desc[i] = d | pick_oa(st, page);
    if (rnd(&st->rng) & 1) {
        barrier();
    }
}

/* --- seeds ------------------------------------------------------------ */

/* The tables of seed @seed, in area seed % 2, and every stream's groups. */
static void build_seed(uint64_t seed, unsigned cpus, bool legal)
{
    uint64_t r = seed * 0x9e3779b97f4a7c15ULL + 1;
    uint64_t slice = POOL_SIZE >> (cpus == 1 ? 0 : cpus == 2 ? 1 : 2);
    uint64_t region, block;

    rg.vabits = 32 + below(&r, 17);
    rg.start_level = 4 - (rg.vabits - granule_bits + stride - 1) / stride;
    rg.asid = below(&r, 256);
    rg.ha = below(&r, 2);
    rg.hd = rg.ha && below(&r, 2);
    rg.area = AREA_PA + (seed & 1) * AREA_SIZE;
    rg.next = rg.area;
    rg.root = (uint64_t)new_table();
    rg.ttbr = rg.root | asid_bits(rg.asid);
    rg.tcr = TCR_FIXED | (64 - rg.vabits) |
             (granule_bits == 12 ? 0 : granule_bits == 16 ? 1 : 2) << 14 |
             (rg.ha ? TCR_HA : 0) | (rg.hd ? TCR_HD : 0);

    /* RAM: the code, the mailbox, these tables; 4K may use 1G blocks */
    block = granule_bits == 12 && below(&r, 2) ? 1 : 2;
    for (uint64_t pa = RAM_PA; pa < RAM_END; pa += 1ULL << shift(block)) {
        *slot_at(pa, block) = pa | NORMAL | DESC_VALID;
    }
    nused = 0;
    used[nused].lo = RAM_PA;
    used[nused++].hi = RAM_END;

    /* every stream's level 3 groups in one level 3 table */
    region = va_take(&r, 1ULL << shift(2));
    for (unsigned k = 0; k < cpus; k++) {
        Stream *st = &streams[k];
        uint64_t *sub = (uint64_t *)(rg.area + SUB_OFFSET) +
                        k * L2_GROUPS * L2_MAX_ENTRIES * (page / 8);

        st->cpu = k;
        st->rng = seed * 0xbf58476d1ce4e5b9ULL + k + 1;
        st->lo = POOL_PA + k * slice;
        st->hi = st->lo + slice;
        st->groups = 0;
        for (unsigned j = 0; j < L3_GROUPS && region != NO_VA; j++) {
            Group *g = &st->g[st->groups++];

            g->level = 3;
            g->n = cont_entries(3);
            g->size = page;
            g->va = region + (k * L3_GROUPS + j) * g->n * page;
            g->desc = slot_at(g->va, 3);
            g->sub = 0;
        }
        for (unsigned j = 0; j < L2_GROUPS; j++) {
            uint64_t n = cont_entries(2), size = 1ULL << shift(2);
            uint64_t va = va_take(&r, n * size);
            Group *g = &st->g[st->groups];

            if (va == NO_VA) {
                continue;
            }
            st->groups++;
            g->level = 2;
            g->n = n;
            g->size = size;
            g->va = va;
            g->desc = slot_at(va, 2);
            g->sub = sub + j * L2_MAX_ENTRIES * (page / 8);
        }
        /* not in use yet: no break-before-make */
        for (unsigned j = 0; j < st->groups; j++) {
            paint(st, &st->g[j], legal);
        }
    }
}

/*
 * Switch to the seed's tables, run the stream, publish its hash.  The MMU
 * is off while TCR and TTBR0 change: with the new T0SZ and the old tables
 * (or the reverse) the walk may start at the wrong level and find no code.
 */
static void run_stream(Stream *st, uint64_t ops, bool legal)
{
    uint64_t sctlr;

    asm volatile("mrs %0, sctlr_el1; bic x9, %0, #1; msr sctlr_el1, x9; isb;"
                 "msr tcr_el1, %1; msr ttbr0_el1, %2; isb;"
                 "tlbi vmalle1; dsb nsh; isb; msr sctlr_el1, %0; isb"
                 : "=&r"(sctlr) : "r"(rg.tcr), "r"(rg.ttbr)
                 : "x9", "memory");
    st->hash = 0xcbf29ce484222325ULL;
    for (uint64_t n = 0; n < ops && st->groups; n++) {
        unsigned what = below(&st->rng, legal ? 100 : 120);

        if (what < 8) {
            op_repaint(st, &st->g[below(&st->rng, st->groups)], legal);
        } else if (what < 43) {
            op_access(st, false);
        } else if (what < 63) {
            op_access(st, true);
        } else if (what < 78) {
            bool access;
            unsigned level;

            op_at(st, pick_va(st, &access, &level));
        } else if (what < 100) {
            op_tlbi(st);
        } else {
            op_raw(st);
        }
    }
    MB(MB_CPU(st->cpu, CPU_HASH)) = st->hash;
    barrier();                  /* before CPU_DONE says it is there */
}

void fuzz_setup(void)
{
    stride = granule_bits - 3;
    page = 1ULL << granule_bits;
    /* each 4K page's first words hold their own address */
    for (uint64_t pa = POOL_PA; pa < POOL_PA + POOL_SIZE; pa += 4096) {
        for (unsigned w = 0; w < POOL_WORDS; w++) {
            ((uint64_t *)pa)[w] = pa + w * 8;
        }
    }
}

/* vCPU 0: start the others, then build each seed and gather hashes. */
void fuzz_run(void)
{
    uint64_t seeds = MB(MB_FUZZ_SEEDS), ops = MB(MB_FUZZ_OPS);
    bool legal = MB(MB_FUZZ_LEGAL);
    unsigned cpus = MB(MB_FUZZ_CPUS);

    cpus = cpus < 1 ? 1 : cpus > FUZZ_MAX_CPUS ? FUZZ_MAX_CPUS : cpus;
    for (unsigned k = 1; k < cpus; k++) {
        if (!start_secondary(k)) {
            return;             /* the test finds CPU_UP unset */
        }
        wait_mb(MB_CPU(k, CPU_UP), 1);
    }
    for (uint64_t s = 0; s < seeds && s < FUZZ_MAX_SEEDS; s++) {
        uint64_t hash = 0xcbf29ce484222325ULL;

        build_seed(MB(MB_SEED) + s, cpus, legal);
        barrier();
        MB(MB_FUZZ_GO) = s + 1;
        run_stream(&streams[0], ops, legal);
        MB(MB_CPU(0, CPU_DONE)) = s + 1;
        for (unsigned k = 0; k < cpus; k++) {
            wait_mb(MB_CPU(k, CPU_DONE), s + 1);
            fold(&hash, MB(MB_CPU(k, CPU_HASH)));
        }
        MB(MB_FUZZ_HASHES + 8 * s) = hash;
        MB(MB_STAGE) = 100 + s;     /* progress, for a stuck seed */
    }
    MB(MB_FUZZ_GO) = NO_VA;
}

/* vCPU @cpu > 0: run each seed's stream once vCPU 0 has built it. */
void fuzz_secondary(unsigned cpu)
{
    uint64_t ops = MB(MB_FUZZ_OPS);
    bool legal = MB(MB_FUZZ_LEGAL);

    MB(MB_CPU(cpu, CPU_UP)) = 1;
    for (uint64_t s = 0; ; s++) {
        wait_mb(MB_FUZZ_GO, s + 1);
        if (MB(MB_FUZZ_GO) == NO_VA) {
            return;
        }
        barrier();
        run_stream(&streams[cpu], ops, legal);
        MB(MB_CPU(cpu, CPU_DONE)) = s + 1;
    }
}
