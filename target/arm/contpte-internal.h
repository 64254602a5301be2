/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The state of the Contiguous-bit model shared by its files: the MMU
 * hooks (contpte.c), the group cache (contpte-groups.c), the checks and
 * the watch list (contpte-watch.c), the reports (contpte-report.c), the
 * CPU properties (contpte-cpu.c) and the fault-loop detector
 * (contpte-faults.c).
 */

#ifndef TARGET_ARM_CONTPTE_INTERNAL_H
#define TARGET_ARM_CONTPTE_INTERNAL_H

#include "qemu/stats64.h"
#include "contpte.h"

#define CONTPTE_SETS        256     /* sets of cached groups per level */
#define CONTPTE_WAYS        4       /* groups per set */
#define CONTPTE_PENDING     8       /* transiently invalid groups watched */
#define CONTPTE_MAX_REPORT  8       /* violations logged per walk */
#define CONTPTE_MAX_FOUND   256     /* violations classified per walk */
#define CONTPTE_MAX_ENTRIES 128     /* the largest group: 16K granule, L3 */
#define VA_BITS             56      /* VA bits that select a translation */

/* One cached group: what a TLB entry for the whole group would hold. */
typedef struct ContpteGroup {
    bool valid;
    ARMMMUIdx mmu_idx;
    ARMSecuritySpace space;
    uint8_t group_bits;
    uint64_t va;                /* group base, VA_BITS significant */
    hwaddr pa;                  /* output address of the group base */
    GetPhysAddrResult res;      /* the leaf's translation */
    unsigned origin;            /* the member it was cached from */
} ContpteGroup;

/*
 * A group seen with invalid entries beside valid contiguous ones.  Linux
 * passes through this state while it refills a group after
 * break-before-make (contpte_convert, set_ptes), so it is only reported
 * when it is still there after TLB maintenance covered the group.
 */
typedef struct ContptePending {
    bool valid;
    bool flushed;
    ARMMMUIdx mmu_idx;
    uint8_t group_bits;
    uint64_t va;
    hwaddr group_descaddr;
    unsigned entries;
    ARMSecuritySpace desc_space;    /* where the table lives */
    bool desc_be;
} ContptePending;

/* A group a walk may cache once it succeeds. */
typedef struct ContpteFill {
    bool valid;
    uint64_t va;
    int level;
    ARMMMUIdx mmu_idx;
    ARMSecuritySpace space;
    unsigned group_bits;
    unsigned origin;            /* the member hardware updates land on */
} ContpteFill;

/*
 * The counters: added to by the vCPU's thread, read and reset by the
 * monitor's, so every update is one atomic add (a reset is never lost).
 */
typedef struct ContpteCounters {
#define CONTPTE_STAT64(field, member) Stat64 field;
    CONTPTE_COUNTERS(CONTPTE_STAT64)
#undef CONTPTE_STAT64
    Stat64 violations[CONTPTE_KIND__MAX];
} ContpteCounters;

struct ArmContpte {
    ContpteMode mode;
    ContpteCounters stats;
    unsigned ngroups;
    /* [0]: level 3, [1]: level 2; a group's set is chosen by its base */
    ContpteGroup groups[2][CONTPTE_SETS][CONTPTE_WAYS];
    unsigned next_victim;       /* the way a fill into a full set replaces */
    uint64_t group_sizes[2];    /* bit N: groups of 1 << N were cached */
    ContptePending pending[CONTPTE_PENDING];
    unsigned next_pending;
    uintptr_t retaddr;
    /*
     * The group of the walk in progress on this vCPU, from arm_contpte_walk
     * to arm_contpte_walk_done: the hooks in ptw.c have no state of their
     * own to carry it in, and the hardware update of the walked descriptor
     * (arm_contpte_hw_update_member) happens between the two.
     */
    ContpteFill fill;
    /* Where hardware AF/dirty updates land (-cpu ...,hwupdate=). */
    ContpteHwUpdate hwupdate;
    /* vCPUs without FEAT_HAFDBS (-cpu ...,hafdbs-off=), by index. */
    uint64_t hafdbs_off;
    /* TLBI level hints taken at their word (-cpu ...,ttl-exact=on). */
    bool ttl_exact;
    /* FEAT_TLBIRANGE hidden from the guest (-cpu ...,tlbirange=off). */
    bool tlbirange_off;
    /* The last walk's leaf, for the fault-loop detector. */
    struct {
        uint64_t desc;
        hwaddr descaddr;
        int level;
        unsigned granule_bits;
        ARMSecuritySpace desc_space;
        bool desc_be;
    } walked;
    /* The last translation fault taken, and how often in a row. */
    struct {
        uint64_t va;
        uint64_t pc;
        uint64_t desc;
        unsigned type;
        uint64_t count;
    } fault;
};

static inline uint64_t va_bits(uint64_t va)
{
    return va & MAKE_64BIT_MASK(0, VA_BITS);
}

/* contpte-groups.c */

/* The cputlb indexes that hold translations of a stage 1 regime. */
uint16_t contpte_core_idxmap(ARMMMUIdx mmu_idx);
bool contpte_group_geometry(unsigned granule_bits, int level,
                            ContpteGeometry *geo, unsigned *group_bits);
/* The cached group of @level that translates @va, if any. */
ContpteGroup *contpte_group_find(ArmContpte *s, int level,
                                 unsigned group_bits, ARMMMUIdx mmu_idx,
                                 ARMSecuritySpace space, uint64_t va);
/* Drop @g and the translations cputlb holds from it. */
void contpte_group_drop(CPUState *cs, ArmContpte *s, ContpteGroup *g,
                        unsigned bits);
/* Cache @fill's group, which the walk that chose it translated to @result. */
void contpte_group_insert(CPUState *cs, ArmContpte *s, const ContpteFill *fill,
                          const GetPhysAddrResult *result);
/* cputlb flushed @len bytes from @lo (all if 0) of @idxmap. */
void contpte_groups_flushed(CPUState *cs, ArmContpte *s, uint64_t lo,
                            vaddr len, uint16_t idxmap, unsigned bits);

/* contpte-watch.c */

/* Read @n descriptors from @base in the table space of @leaf. */
bool contpte_read_descs(CPUARMState *env, const ArmContpteLeaf *leaf,
                        hwaddr base, unsigned n, uint64_t *descs);

/*
 * Check the group @leaf belongs to.  Returns true if it is consistent;
 * otherwise reports what is wrong and sets *@abort when strict mode must
 * raise the conflict abort for it.
 */
bool contpte_check_walked_group(CPUARMState *env, ArmContpte *s,
                                const ArmContpteLeaf *leaf,
                                const ContpteGeometry *geo,
                                unsigned group_bits, bool *abort);
/* TLB maintenance of @idxmap, @len bytes from @lo (all if 0), on @cs. */
void contpte_pendings_flushed(CPUState *cs, uint64_t lo, vaddr len,
                              uint16_t idxmap);

/* contpte-report.c */

/* Log one violation of @kind at @descaddr, once per (descaddr, kind). */
void contpte_report(CPUARMState *env, ArmContpte *s,
                    const ArmContpteLeaf *leaf, unsigned kind,
                    hwaddr descaddr, const char *what);

#endif
