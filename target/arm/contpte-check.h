/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The rules of the VMSAv8-64 Contiguous bit (descriptor bit 52) for
 * stage 1, as a pure check of one aligned group of descriptors.  No QEMU
 * state: it compiles into QEMU's MMU model and into standalone unit tests.
 *
 * A group is the aligned run of descriptors the bit promises the TLB may
 * cache as one entry:
 *
 *   granule  level 3 (pages)       level 2 (blocks)
 *   4K       16 x 4K  = 64K        16 x 2M   = 32M
 *   16K      128 x 16K = 2M        32 x 32M  = 1G
 *   64K      32 x 64K = 2M         32 x 512M = 16G
 *
 * It is misprogrammed if an entry is invalid or lacks the bit, if the
 * output addresses are not one contiguous range aligned to the group
 * size, or if attributes or permissions differ.  The access flag, the
 * dirty state (AP[2] where DBM is set) and the software bits may differ.
 */

#ifndef TARGET_ARM_CONTPTE_CHECK_H
#define TARGET_ARM_CONTPTE_CHECK_H

typedef struct ContpteGeometry {
    unsigned entries;           /* descriptors in one group */
    unsigned page_bits;         /* log2 of what one descriptor maps */
} ContpteGeometry;

typedef enum ContpteRule {
    CONTPTE_RULE_INVALID,       /* an entry of the group is invalid */
    CONTPTE_RULE_NO_CONT_BIT,   /* an entry lacks the Contiguous bit */
    CONTPTE_RULE_TYPE,          /* page/block type differs */
    CONTPTE_RULE_OA_ALIGN,      /* the range is not aligned to the group */
    CONTPTE_RULE_OA_CONTIG,     /* an entry breaks the contiguous range */
    CONTPTE_RULE_ATTR,          /* an attribute or permission differs */
    CONTPTE_RULE__MAX,
} ContpteRule;

/*
 * Each rule once: X(enumerator, name, member of the QAPI type
 * ContpteViolations).  The name is what the model's reports, QMP and HMP
 * call a violation of it; contpte.h adds the kinds that are not group
 * rules.  contpte_rule_name() switches over every enumerator, so a rule
 * missing here fails the (-Werror) unit build.
 */
#define CONTPTE_RULES(X) \
    X(CONTPTE_RULE_INVALID, "invalid", invalid) \
    X(CONTPTE_RULE_NO_CONT_BIT, "no-cont-bit", no_cont_bit) \
    X(CONTPTE_RULE_TYPE, "type", type) \
    X(CONTPTE_RULE_OA_ALIGN, "oa-align", oa_align) \
    X(CONTPTE_RULE_OA_CONTIG, "oa-contig", oa_contig) \
    X(CONTPTE_RULE_ATTR, "attr", attr)

typedef struct ContpteViolation {
    ContpteRule rule;
    unsigned index;             /* the offending entry within the group */
    const char *field;          /* ATTR: the field's Arm ARM name */
    uint64_t expected;          /* the value the group's first valid entry */
    uint64_t found;             /* implies, and the value found */
} ContpteViolation;

/*
 * The group geometry for a stage-1 descriptor at @level with a granule of
 * 1 << @granule_bits bytes.  Returns false where the Contiguous bit
 * defines no group.
 */
bool contpte_geometry(unsigned granule_bits, int level, ContpteGeometry *geo);

/* Index of the descriptor for @va within its group. */
unsigned contpte_group_index(const ContpteGeometry *geo, uint64_t va);

/*
 * Check the @geo->entries descriptors of one group, @descs[0] first.
 * Writes at most @max violations to @v and returns how many were found
 * (which may exceed @max).  Fields are compared with the group's first
 * valid entry; an all-invalid group is no violation (nothing can be
 * cached from it).
 */
unsigned contpte_check_group(const uint64_t *descs, const ContpteGeometry *geo,
                             ContpteViolation *v, unsigned max);

const char *contpte_rule_name(ContpteRule rule);

#endif
