/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Bare-metal AArch64 payload for contpte-test.c.  At EL1 it builds
 * stage 1 tables with the granule the test asks for, identity-maps RAM,
 * maps one contiguous group at GROUP_VA (level 3 pages or level 2
 * blocks), breaks it the way the case says, enables the MMU, accesses
 * the group and reports what happened in the mailbox.
 */

#include <stdint.h>
#include <stdbool.h>
#include "../contpte-payload.h"
#include "entry.h"
#include "payload.h"

#define RAM_BASE        0x40000000ULL
#define RAM_SIZE        0x80000000ULL   /* the test runs with -m 2G */
#define POOL_BASE       0x40800000ULL   /* page tables come from here */
#define GROUP_VA        CONTPTE_GROUP_VA
#define UNTOUCHED_VA    0x60000000ULL   /* identity-mapped, never accessed */

#define NORMAL          (DESC_ATTRINDX(0) | DESC_SH(3) | DESC_AF)

unsigned granule_bits;
static unsigned stride, start_level;
static uint64_t pool_next = POOL_BASE;
static uint64_t ttbr0;

static inline void dsb_isb(void)
{
    asm volatile("dsb ish; isb" : : : "memory");
}

static uint64_t alloc_table(void)
{
    uint64_t t = pool_next;
    uint64_t *p = (uint64_t *)t;

    for (unsigned i = 0; i < (1u << stride); i++) {
        p[i] = 0;
    }
    pool_next += 1ULL << granule_bits;
    return t;
}

static unsigned level_shift(unsigned level)
{
    return granule_bits + stride * (3 - level);
}

uint64_t *slot(uint64_t va, unsigned level)
{
    uint64_t table = ttbr0;

    for (unsigned l = start_level; ; l++) {
        uint64_t *d = (uint64_t *)table +
                      ((va >> level_shift(l)) & ((1u << stride) - 1));

        if (l == level) {
            return d;
        }
        if (!(*d & DESC_VALID)) {
            *d = alloc_table() | DESC_TABLE | DESC_VALID;
        }
        table = *d & 0x0000fffffffff000ULL & ~((1ULL << granule_bits) - 1);
    }
}

static uint64_t leaf(uint64_t oa, unsigned level, uint64_t attrs)
{
    return oa | attrs | DESC_VALID | (level == 3 ? DESC_TABLE : 0);
}

static uint64_t cpu_index(void)
{
    uint64_t mpidr;

    asm volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
    return mpidr & 0xff;
}

/*
 * Called from the vector table for every synchronous exception: retry the
 * faulting instruction while the case asks for it (MB_RETRIES), then go
 * past it.  Each vCPU counts its own; vCPU 0's also go to the fields the
 * single-vCPU cases read.
 */
uint64_t sync_exception(void)
{
    uint64_t esr, far, elr, cpu = cpu_index(), n;

    asm volatile("mrs %0, esr_el1; mrs %1, far_el1; mrs %2, elr_el1"
                 : "=r"(esr), "=r"(far), "=r"(elr));
    n = MB(MB_CPU(cpu, CPU_EXCEPTIONS)) + 1;
    MB(MB_CPU(cpu, CPU_LAST_ESR)) = esr;
    MB(MB_CPU(cpu, CPU_LAST_FAR)) = far;
    MB(MB_CPU(cpu, CPU_EXCEPTIONS)) = n;
    if (cpu == 0) {
        if (n == 1) {
            MB(MB_ESR) = esr;
            MB(MB_FAR) = far;
            MB(MB_ELR) = elr;
        }
        MB(MB_LAST_ESR) = esr;
        MB(MB_LAST_FAR) = far;
        MB(MB_EXCEPTIONS) = n;
    }
    return n <= MB(MB_RETRIES) ? 0 : 4;
}

static uint64_t load(uint64_t va)
{
    uint64_t v;

    asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(va) : "memory");
    return v;
}

/* The probe accesses: each records its own address as MB_PC. */
static uint64_t probe_load(uint64_t va)
{
    uint64_t v, pc;

    /* The PC goes out first: a guest stopped at the load never returns. */
    asm volatile("adr %1, 1f\n\tstr %1, [%3]\n1:\tldr %0, [%2]"
                 : "=&r"(v), "=&r"(pc)
                 : "r"(va), "r"(&MB(MB_PC)) : "memory");
    return v;
}

static void probe_store(uint64_t va, uint64_t v)
{
    uint64_t pc;

    asm volatile("adr %0, 1f\n1:\tstr %1, [%2]"
                 : "=&r"(pc) : "r"(v), "r"(va) : "memory");
    MB(MB_PC) = pc;
}

/* AT S1E1R of @va: PAR_EL1, and the AT's own address in *pc. */
static uint64_t at_s1e1r(uint64_t va, uint64_t *pc)
{
    uint64_t par;

    asm volatile("adr %1, 1f\n1:\tat s1e1r, %2\n\tisb\n\tmrs %0, par_el1"
                 : "=&r"(par), "=&r"(*pc) : "r"(va) : "memory");
    return par;
}

static void tlbi_va(uint64_t va)
{
    asm volatile("dsb ishst; tlbi vae1, %0; dsb ish; isb"
                 : : "r"(va >> 12) : "memory");
}

/* TLBI by VA, broadcast, with the FEAT_TTL level hint @ttl. */
static void tlbi_va_ttl(uint64_t va, uint64_t ttl)
{
    asm volatile("dsb ishst; tlbi vae1is, %0; dsb ish; isb"
                 : : "r"((va >> 12) | ttl << 44) : "memory");
}

/* TLBI by VA, broadcast to the other vCPU (CASE_SMP_REFILL). */
static void tlbi_va_is(uint64_t va)
{
    asm volatile("dsb ishst; tlbi vae1is, %0; dsb ish; isb"
                 : : "r"(va >> 12) : "memory");
}

void wait_mb(uint64_t off, uint64_t value)
{
    while (MB(off) < value) {
        asm volatile("yield" : : : "memory");
    }
}

/* PSCI CPU_ON (SMC64 function ID) through QEMU's HVC conduit. */
bool start_secondary(uint64_t cpu)
{
    register uint64_t x0 asm("x0") = 0xc4000003;
    register uint64_t x1 asm("x1") = cpu;       /* MPIDR: Aff0 on virt */
    register uint64_t x2 asm("x2") = (uint64_t)secondary_start;
    register uint64_t x3 asm("x3") = 0;

    asm volatile("hvc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3)
                 : "memory");
    return x0 == 0;
}

/* Tell the test we reached @step and wait until it lets us go on. */
static void pause_at(uint64_t step)
{
    MB(MB_STEP) = step;
    while (MB(MB_GO) < step) {
        asm volatile("yield" : : : "memory");
    }
}

static void enable_mmu(void)
{
    uint64_t tg0 = granule_bits == 12 ? 0 : granule_bits == 16 ? 1 : 2;
    uint64_t tcr = 16                   /* T0SZ: 48-bit VA */
                   | (1ULL << 8)        /* IRGN0 WBWA */
                   | (1ULL << 10)       /* ORGN0 WBWA */
                   | (3ULL << 12)       /* SH0 inner */
                   | (tg0 << 14)
                   | (1ULL << 23)       /* EPD1: no TTBR1 walks */
                   | (2ULL << 32)       /* IPS: 40 bits */
                   | (1ULL << 39)       /* HA: hardware AF, if the CPU */
                   | (1ULL << 40);      /* HD: and dirty state has it */
    uint64_t mair = 0xff | (0x44ULL << 8);  /* 0: WB, 1: non-cacheable */
    uint64_t sctlr;

    asm volatile("msr mair_el1, %0; msr tcr_el1, %1; msr ttbr0_el1, %2;"
                 "isb; tlbi vmalle1; dsb ish; isb"
                 : : "r"(mair), "r"(tcr), "r"(ttbr0) : "memory");
    asm volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
    sctlr |= 1 | (1 << 2) | (1 << 12);     /* M, C, I */
    sctlr &= ~(1ULL << 1);                  /* no alignment checks */
    asm volatile("msr sctlr_el1, %0; isb" : : "r"(sctlr) : "memory");
}

static uint64_t smp_page;        /* what one group entry maps */

/* The group the payload maps, for the cases that rewrite it. */
static struct {
    uint64_t *desc;
    unsigned entries, level;
    uint64_t oa, page, attrs;
} grp;

/* Entries [@from, @to) of the group: written valid, or invalid. */
static void group_set(unsigned from, unsigned to, bool valid)
{
    for (unsigned i = from; i < to; i++) {
        grp.desc[i] = valid ? leaf(grp.oa + i * grp.page, grp.level,
                                   grp.attrs) : 0;
    }
}

/* TLBI of every page of the group, local or broadcast. */
static void group_tlbi(bool broadcast)
{
    for (unsigned i = 0; i < grp.entries; i++) {
        if (broadcast) {
            tlbi_va_is(GROUP_VA + i * grp.page);
        } else {
            tlbi_va(GROUP_VA + i * grp.page);
        }
    }
}

/*
 * One copy of the read for every vCPU: TCG folds a constant ID register
 * into the translated code, which vCPUs share unless QEMU keeps them apart.
 */
static uint64_t __attribute__((noinline)) read_mmfr1(void)
{
    uint64_t v;

    asm volatile("mrs %0, id_aa64mmfr1_el1" : "=r"(v));
    return v;
}

void secondary_main(void)
{
    MB(MB_SMP_MMFR1) = read_mmfr1();
    enable_mmu();
    MB(MB_SMP_DONE) = 1;
    if (MB(MB_CASE) == CASE_FUZZ) {
        fuzz_secondary(cpu_index());
        return;
    }
    if (MB(MB_CASE) != CASE_SMP_REFILL) {
        return;
    }
    /* Load page 2 of the group in each transient, then once it is whole. */
    for (uint64_t step = 1; step <= 3 * SMP_REFILL_ROUNDS; step++) {
        wait_mb(MB_SMP_STEP, step);
        (void)load(GROUP_VA + CONTPTE_PROBE * smp_page);
        MB(MB_SMP_DONE) = step + 1;
    }
}

static bool in_ram(uint64_t pa, uint64_t size)
{
    return pa >= RAM_BASE && pa + size <= RAM_BASE + RAM_SIZE;
}

void payload_main(void)
{
    unsigned level = MB(MB_LEVEL);
    enum contpte_case c = MB(MB_CASE);
    unsigned entries, entry_bits;
    uint64_t page, group_oa, attrs = NORMAL | DESC_CONT, sum = 0, touched = 0;
    uint64_t pc;
    uint64_t *group;

    MB(MB_STAGE) = 1;
    if (MB(MB_MAGIC) != CONTPTE_MAGIC) {
        return;
    }
    asm volatile("mrs %0, id_aa64mmfr2_el1" : "=r"(MB(MB_MMFR2)));
    MB(MB_MMFR1) = read_mmfr1();
    asm volatile("mrs %0, id_aa64isar0_el1" : "=r"(MB(MB_ISAR0)));
    granule_bits = MB(MB_GRANULE_BITS);
    stride = granule_bits - 3;
    start_level = 4 - (48 - 4) / stride;
    ttbr0 = alloc_table();

    /* Identity map of RAM with level 2 blocks. */
    for (uint64_t pa = RAM_BASE; pa < RAM_BASE + RAM_SIZE;
         pa += 1ULL << level_shift(2)) {
        *slot(pa, 2) = leaf(pa, 2, NORMAL);
    }

    /*
     * The group: 4K 16 x 4K / 16 x 2M, 16K 128 x 16K / 32 x 32M,
     * 64K 32 x 64K / 32 x 512M, at an output address aligned to it.
     */
    entry_bits = level_shift(level);
    entries = level == 3 ? (granule_bits == 12 ? 16 :
                            granule_bits == 14 ? 128 : 32)
                         : (granule_bits == 12 ? 16 : 32);
    page = 1ULL << entry_bits;
    group_oa = level == 3 || granule_bits == 12 ? 0x50000000ULL :
               granule_bits == 14 ? 0x40000000ULL : 0;
    if (c == CASE_BBM || c == CASE_UNFOLD || c == CASE_BBM_ATTR) {
        attrs |= DESC_AP_RO;
    }
    if (c == CASE_HWUPDATE) {
        attrs = (attrs | DESC_AP_RO | DESC_DBM) & ~DESC_AF;
    }
    if (c == CASE_FAULT_LOOP) {
        attrs &= ~DESC_AF;
    }
    group = slot(GROUP_VA, level);
    for (unsigned i = 0; i < entries; i++) {
        group[i] = leaf(group_oa + i * page, level, attrs);
    }
    for (unsigned k = 1; c == CASE_WAYS && k <= MODEL_WAYS; k++) {
        uint64_t *alias = slot(GROUP_VA + k * MODEL_SETS * entries * page,
                               level);

        for (unsigned i = 0; i < entries; i++) {
            alias[i] = group[i];
        }
    }
    switch (c) {
    case CASE_NO_CONT:
        group[CONTPTE_VICTIM] &= ~DESC_CONT;
        break;
    case CASE_OA_ALIGN:
        for (unsigned i = 0; i < entries; i++) {
            group[i] += page;
        }
        break;
    case CASE_OA_CONTIG:
        group[CONTPTE_VICTIM] += entries * page;
        break;
    case CASE_ATTRINDX:
    case CASE_AT:
        group[CONTPTE_VICTIM] |= DESC_ATTRINDX(1);
        break;
    case CASE_SH:
        group[CONTPTE_VICTIM] &= ~DESC_SH(1);
        break;
    case CASE_AP:
        group[CONTPTE_VICTIM] |= DESC_AP_RO;
        break;
    case CASE_XN:
        group[CONTPTE_VICTIM] |= DESC_UXN;
        break;
    case CASE_NG:
        group[CONTPTE_VICTIM] |= DESC_NG;
        break;
    case CASE_INVALID:
        group[CONTPTE_VICTIM] = 0;
        break;
    case CASE_REFILL:
    case CASE_SMP_REFILL:
        break;          /* entries from entries / 2 up invalid, below */
    default:
        break;
    }
    grp.desc = group;
    grp.entries = entries;
    grp.level = level;
    grp.oa = group_oa;
    grp.page = page;
    grp.attrs = attrs;
    if (c == CASE_REFILL || c == CASE_SMP_REFILL) {
        group_set(entries / 2, entries, false);         /* transient 1 */
    }
    if (c == CASE_FAULT_WAIT) {
        group_set(0, entries, false);
    }
    if (c == CASE_TTL || c == CASE_TLBI_RANGE) {
        *(uint64_t *)(group_oa + CONTPTE_PROBE * page) = MB_TTL_OLD;
        *(uint64_t *)(group_oa + (entries + CONTPTE_PROBE) * page) =
            MB_TTL_NEW;
    }
    MB(MB_VA) = GROUP_VA;
    MB(MB_ENTRIES) = entries;
    MB(MB_PAGE_SIZE) = page;
    if (c == CASE_FUZZ) {
        fuzz_setup();
    }
    MB(MB_STAGE) = 2;
    enable_mmu();
    MB(MB_STAGE) = 3;

    switch (c) {
    case CASE_GOOD:
        /* One walk, then hits; a TLBI of page 0 drops the whole group. */
        for (unsigned i = 0; i < entries; i++) {
            if (in_ram(group_oa + i * page, page)) {
                sum += load(GROUP_VA + i * page);
                touched++;
            }
        }
        tlbi_va(GROUP_VA);
        sum += load(GROUP_VA + CONTPTE_VICTIM * page);
        break;
    case CASE_FLUSH_SCOPE:
        for (unsigned i = 0; i < entries; i++) {
            sum += load(GROUP_VA + i * page);
        }
        pause_at(1);
        tlbi_va(GROUP_VA);
        sum += load(GROUP_VA + CONTPTE_VICTIM * page);
        pause_at(2);
        tlbi_va(CONTPTE_MAILBOX);
        sum += load(GROUP_VA + CONTPTE_VICTIM * page);
        pause_at(3);
        break;
    case CASE_WAYS:
        for (unsigned k = 0; k <= MODEL_WAYS; k++) {
            if (k == MODEL_WAYS) {
                pause_at(1);
            }
            sum += load(GROUP_VA + k * MODEL_SETS * entries * page +
                        CONTPTE_PROBE * page);
        }
        break;
    case CASE_INVALID:
        /* Transient until TLB maintenance has covered it. */
        sum += load(GROUP_VA + CONTPTE_PROBE * page);
        tlbi_va(GROUP_VA + CONTPTE_PROBE * page);
        sum += probe_load(GROUP_VA + CONTPTE_PROBE * page);
        break;
    case CASE_BBM:
        /*
         * Cache the read-only group, move it one group further without
         * break-before-make, then store: the store misses the group's
         * permissions, and its walk finds the new output address.
         */
        sum += load(GROUP_VA + CONTPTE_PROBE * page);
        for (unsigned i = 0; i < entries; i++) {
            group[i] += entries * page;
        }
        asm volatile("dsb ish" : : : "memory");
        probe_store(GROUP_VA + (CONTPTE_PROBE + 1) * page, 1);
        break;
    case CASE_UNFOLD:
        /*
         * Cache the read-only group, then repaint it as single entries
         * (same output addresses and attributes, Contiguous bit clear)
         * without break-before-make, as Linux's contpte_convert() does
         * on a FEAT_BBML3 CPU; then store: the store misses the group's
         * permissions, and its walk finds a smaller translation.
         */
        sum += load(GROUP_VA + CONTPTE_PROBE * page);
        for (unsigned i = 0; i < entries; i++) {
            group[i] &= ~DESC_CONT;
        }
        asm volatile("dsb ish" : : : "memory");
        probe_store(GROUP_VA + (CONTPTE_PROBE + 1) * page, 1);
        break;
    case CASE_BBM_ATTR:
        sum += load(GROUP_VA + CONTPTE_PROBE * page);
        for (unsigned i = 0; i < entries; i++) {
            group[i] |= DESC_ATTRINDX(1);
        }
        asm volatile("dsb ish" : : : "memory");
        probe_store(GROUP_VA + (CONTPTE_PROBE + 1) * page, 1);
        break;
    case CASE_REFILL:
        sum += load(GROUP_VA + CONTPTE_PROBE * page);   /* transient 1 */
        group_set(entries / 2, entries, true);
        group_set(0, entries, false);                   /* break */
        group_tlbi(false);
        group_set(0, entries / 2, true);                /* transient 2 */
        asm volatile("dsb ish" : : : "memory");
        sum += probe_load(GROUP_VA + CONTPTE_PROBE * page);
        group_set(entries / 2, entries, true);
        group_tlbi(false);
        sum += probe_load(GROUP_VA + CONTPTE_PROBE * page);
        break;
    case CASE_SMP_REFILL:
        smp_page = page;
        if (!start_secondary(1)) {
            break;
        }
        wait_mb(MB_SMP_DONE, 1);
        for (uint64_t step = 0; step < 3 * SMP_REFILL_ROUNDS; step += 3) {
            if (step) {                                 /* transient 1 */
                group_set(entries / 2, entries, false);
                group_tlbi(true);
            }
            MB(MB_SMP_STEP) = step + 1;
            wait_mb(MB_SMP_DONE, step + 2);
            group_set(entries / 2, entries, true);
            group_set(0, entries, false);               /* break */
            group_tlbi(true);
            group_set(0, entries / 2, true);
            asm volatile("dsb ish" : : : "memory");
            MB(MB_SMP_STEP) = step + 2;                 /* transient 2 */
            wait_mb(MB_SMP_DONE, step + 3);
            group_set(entries / 2, entries, true);
            group_tlbi(true);
            MB(MB_SMP_STEP) = step + 3;                 /* whole */
            wait_mb(MB_SMP_DONE, step + 4);
        }
        break;
    case CASE_SMP_IDREG:
        if (start_secondary(1)) {
            wait_mb(MB_SMP_DONE, 1);
        }
        break;
    case CASE_HWUPDATE:
        sum += load(GROUP_VA + CONTPTE_PROBE * page);
        probe_store(GROUP_VA + (CONTPTE_PROBE + 1) * page, 0x5a);
        sum += load(GROUP_VA + (CONTPTE_PROBE + 1) * page);
        asm volatile("dsb ish" : : : "memory");
        MB(MB_DESC_PROBE) = group[CONTPTE_PROBE];
        MB(MB_DESC_NEXT) = group[CONTPTE_PROBE + 1];
        break;
    case CASE_TTL:
    case CASE_TLBI_RANGE:
        /* Move the group one group further, break-before-make. */
        (void)load(GROUP_VA + CONTPTE_PROBE * page);
        group_set(0, entries, false);                   /* break */
        asm volatile("dsb ish" : : : "memory");
        if (c == CASE_TTL) {
            for (unsigned i = 0; i < entries; i++) {
                tlbi_va_ttl(GROUP_VA + i * page, MB(MB_TTL));
            }
        } else {
            /* TLBI RVAE1, by its encoding */
            asm volatile("sys #0, c8, c6, #1, %0; dsb ish; isb"
                         : : "r"(MB(MB_TLBI_RANGE)) : "memory");
        }
        grp.oa += entries * page;                       /* make */
        group_set(0, entries, true);
        dsb_isb();
        sum = probe_load(GROUP_VA + CONTPTE_PROBE * page);
        break;
    case CASE_FUZZ:
        fuzz_run();
        break;
    case CASE_AT:
        /*
         * First an AT of the unmapped entry after the group, so that the
         * probe's walk finds its table pages in the TLB and fills nothing
         * on its own; then a load elsewhere that does fill the TLB.
         */
        at_s1e1r(GROUP_VA + entries * page, &pc);
        sum += load(UNTOUCHED_VA);
        MB(MB_PAR) = at_s1e1r(GROUP_VA + CONTPTE_PROBE * page, &pc);
        MB(MB_PC) = pc;
        break;
    default:
        sum += probe_load(GROUP_VA + CONTPTE_PROBE * page);
        break;
    }
    MB(MB_SUM) = sum;
    MB(MB_TOUCHED) = touched;
    MB(MB_STAGE) = 4;
    dsb_isb();
    MB(MB_DONE) = 1;
}
