/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The mailbox between contpte-test.c and the bare-metal payload it runs
 * (contpte-payload/): the test writes the case while the machine is
 * stopped, the payload writes what happened and sets @done.
 */

#ifndef CONTPTE_PAYLOAD_H
#define CONTPTE_PAYLOAD_H

#define CONTPTE_MAILBOX     0x40300000ULL
#define CONTPTE_MAGIC       0x636f6e7470746521ULL   /* "contpte!" */
#define CONTPTE_GROUP_VA    0x8000000000ULL /* 512G: aligned for every group */

/* What the payload does to one entry (or all) of the group it maps. */
enum contpte_case {
    CASE_GOOD,          /* a correct group: touch every page, TLBI one */
    CASE_NO_CONT,       /* entry 5 lacks the Contiguous bit */
    CASE_OA_ALIGN,      /* every output address one entry too high */
    CASE_OA_CONTIG,     /* entry 5 points one group further */
    CASE_ATTRINDX,      /* entry 5: AttrIndx 1 */
    CASE_SH,            /* entry 5: SH 2 */
    CASE_AP,            /* entry 5: read-only */
    CASE_XN,            /* entry 5: UXN */
    CASE_NG,            /* entry 5: nG */
    CASE_INVALID,       /* entry 5 invalid; access, TLBI, access again */
    CASE_BBM,           /* remap the cached group without break-before-make */
    CASE__MAX,          /* the rule matrix ends here */
    /*
     * A measurement, in steps the test paces through MB_STEP/MB_GO:
     * 1: the group and the payload's own pages are cached;
     * 2: a TLBI of group page 0 was issued and page 5 read again;
     * 3: a TLBI inside the 2M-block identity map (cputlb's large-page
     *    window) was issued and the payload ran on.
     */
    CASE_FLUSH_SCOPE = CASE__MAX,
    /*
     * Entry 5 AttrIndx 1, found by an AT S1E1R of the probe page right
     * after a load elsewhere filled the TLB: the report names the AT.
     */
    CASE_AT,
    /*
     * The read-only group cached, then repainted without the Contiguous
     * bit and without break-before-make, then a store to page 3: legal
     * only at FEAT_BBML3 (-cpu max,bbm=3).
     */
    CASE_UNFOLD,
    /*
     * Hardware updates (TCR_EL1.HA and HD are always on): entries 0-15
     * writable-clean (DBM, AP[2] set) with AF clear.  Load page 2, store
     * page 3, then read both descriptors back: under hwupdate=cached the
     * store's dirty update lands on entry 2, the group's origin.
     */
    CASE_HWUPDATE,
    /*
     * Load page 2 of a group whose entries have AF clear, retrying the
     * faulting load MB_RETRIES times before going on: a fault loop on a
     * vCPU without FEAT_HAFDBS (-cpu max,hafdbs-off=1), none with it.
     */
    CASE_FAULT_LOOP,
    /*
     * Load page 2 of a group whose entries are all invalid, retrying the
     * faulting load MB_RETRIES times before going on: a vCPU waiting for
     * the descriptor to be filled, as Linux retries a fault while another
     * CPU frees what it needs.  No fault loop.
     */
    CASE_FAULT_WAIT,
    /*
     * The read-only group cached, then given AttrIndx 1 (another memory
     * type) without break-before-make, then a store to page 3.
     */
    CASE_BBM_ATTR,
    /*
     * Two refills, as contpte_convert() makes them: entries 8 up
     * invalid, load page 2; complete the group; clear it, TLBI it;
     * refill entries 0-7 only and load page 2 again; complete it, TLBI,
     * load page 2.  Each partly invalid group is a transient of its own.
     */
    CASE_REFILL,
    /*
     * CASE_REFILL across two vCPUs (-smp 2): vCPU 0 refills the group
     * twice, with TLBI IS in between, while vCPU 1 loads page 2 in each
     * transient and once the group is whole; SMP_REFILL_ROUNDS times,
     * since each round gives vCPU 1's queued share of a broadcast TLBI one
     * chance to run after vCPU 0 has gone on rewriting the group.
     */
    CASE_SMP_REFILL,
    /*
     * Load page 2 of the group, then move it one group further with
     * break-before-make whose TLBIs carry the level hint MB_TTL (TLBI
     * operand bits [47:44]), then load page 2 again: MB_SUM is that
     * load, which finds MB_TTL_OLD if the TLBIs invalidated nothing.
     */
    CASE_TTL,
    /*
     * Start vCPU 1 (-smp 2), which reads ID_AA64MMFR1_EL1 through the
     * same code vCPU 0 read it with (MB_MMFR1, MB_SMP_MMFR1).
     */
    CASE_SMP_IDREG,
    /*
     * The group and MODEL_WAYS aliases of it, each MODEL_SETS groups
     * further, so that all share one set of the model's group cache: load
     * page 2 of the first MODEL_WAYS, pause (step 1), then of the last.
     */
    CASE_WAYS,
    /*
     * Differential fuzzing: from each of MB_FUZZ_SEEDS seeds (the first
     * MB_SEED), new stage 1 tables with a random T0SZ (so start level),
     * ASID and HA/HD, then on each of MB_FUZZ_CPUS vCPUs MB_FUZZ_OPS
     * random operations on its own groups of level 3 pages and level 2
     * blocks or tables: repaint a group, load, store, AT S1E1R/W, TLBI
     * of every kind.  With MB_FUZZ_LEGAL every change follows
     * break-before-make and keeps each group consistent, so every mode
     * must give the guest the same results: each seed's hash of every
     * loaded value, fault syndrome and PAR_EL1 goes to MB_FUZZ_HASHES.
     * Without it, entries are also written raw, with any bits, and
     * groups repainted without break-before-make.
     */
    CASE_FUZZ,
    /*
     * CASE_TTL's move, with one TLBI RVAE1 of operand MB_TLBI_RANGE for
     * the break instead: MB_SUM is MB_TTL_OLD if it invalidated nothing.
     */
    CASE_TLBI_RANGE,
};

/* The model's group cache (target/arm/contpte-internal.h), for CASE_WAYS. */
#define MODEL_SETS          256
#define MODEL_WAYS          4

#define CONTPTE_VICTIM      5   /* the entry a case breaks */
#define CONTPTE_PROBE       2   /* the entry whose page is accessed */

/* Offsets of 64-bit fields in the mailbox. */
#define MB_MAGIC            0x00
#define MB_GRANULE_BITS     0x08    /* in: 12, 14 or 16 */
#define MB_LEVEL            0x10    /* in: 3 or 2 */
#define MB_CASE             0x18    /* in: enum contpte_case */
#define MB_DONE             0x20    /* out: 1 when finished */
#define MB_EXCEPTIONS       0x28    /* out: synchronous exceptions taken */
#define MB_ESR              0x30    /* out: ESR_EL1 of the first one */
#define MB_FAR              0x38    /* out: FAR_EL1 of the first one */
#define MB_VA               0x40    /* out: VA of the group */
#define MB_ENTRIES          0x48    /* out: entries in the group */
#define MB_PAGE_SIZE        0x50    /* out: bytes one entry maps */
#define MB_SUM              0x58    /* out: sum of the words read */
#define MB_STAGE            0x60    /* out: progress, for a stuck payload */
#define MB_TOUCHED          0x68    /* out: pages of the group read */
#define MB_STEP             0x70    /* out: CASE_FLUSH_SCOPE step reached */
#define MB_GO               0x78    /* in: step the payload may go past */
#define MB_PC               0x80    /* out: PC of the access that reports */
#define MB_ELR              0x88    /* out: ELR_EL1 of the first exception */
#define MB_PAR              0x90    /* out: PAR_EL1 after CASE_AT's AT */
#define MB_MMFR2            0x98    /* out: ID_AA64MMFR2_EL1 */
#define MB_MMFR1            0xa0    /* out: ID_AA64MMFR1_EL1 */
#define MB_DESC_PROBE       0xa8    /* out: CASE_HWUPDATE: entry 2 after */
#define MB_DESC_NEXT        0xb0    /* out: CASE_HWUPDATE: entry 3 after */
#define MB_RETRIES          0xb8    /* in: faults retried before skipping */
#define MB_SMP_STEP         0xc0    /* CASE_SMP_REFILL: vCPU 0's progress */
#define MB_SMP_DONE         0xc8    /* CASE_SMP_REFILL: vCPU 1's progress */
#define MB_TTL              0xd0    /* in: CASE_TTL's TLBI level hint */
#define MB_ISAR0            0xd8    /* out: ID_AA64ISAR0_EL1 */
#define MB_SMP_MMFR1        0xe0    /* out: vCPU 1's ID_AA64MMFR1_EL1 */
#define MB_LAST_ESR         0xe8    /* out: ESR_EL1 of the last exception */
#define MB_LAST_FAR         0xf0    /* out: FAR_EL1 of the last exception */
#define MB_SEED             0xf8    /* in: CASE_FUZZ's first seed */
#define MB_FUZZ_SEEDS       0x100   /* in: seeds, at most FUZZ_MAX_SEEDS */
#define MB_FUZZ_OPS         0x108   /* in: operations per seed */
#define MB_FUZZ_LEGAL       0x110   /* in: 1: well-defined sequences only */
#define MB_FUZZ_CPUS        0x118   /* in: vCPUs, 1 to FUZZ_MAX_CPUS */
#define MB_FUZZ_GO          0x120   /* vCPU 0 to the others: seed + 1 */
#define MB_TLBI_RANGE       0x128   /* in: CASE_TLBI_RANGE's operand */
/* Per vCPU @cpu, CASE_FUZZ: its own exceptions and progress. */
#define MB_CPU(cpu, field)  (0x200 + (cpu) * 0x40 + (field))
#define CPU_EXCEPTIONS      0x00    /* out: synchronous exceptions taken */
#define CPU_LAST_ESR        0x08    /* out: ESR_EL1 of the last one */
#define CPU_LAST_FAR        0x10    /* out: FAR_EL1 of the last one */
#define CPU_UP              0x18    /* out: 1 once it waits for seeds */
#define CPU_DONE            0x20    /* out: seeds it has run */
#define CPU_HASH            0x28    /* out: its hash of the last seed */
#define MB_FUZZ_HASHES      0x1000  /* out: one hash per seed */

#define FUZZ_MAX_SEEDS      8192
#define FUZZ_MAX_CPUS       4

#define SMP_REFILL_ROUNDS   32

/* CASE_TTL: the words at page 2 of the group before and after the move. */
#define MB_TTL_OLD          0x6f6c64ULL     /* "old" */
#define MB_TTL_NEW          0x6e6577ULL     /* "new" */

#endif
