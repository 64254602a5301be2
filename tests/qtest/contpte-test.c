/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QTest for the Contiguous-bit model of the AArch64 TCG MMU
 * (-cpu max,contpte=off|on|check|strict).  Each case boots the
 * bare-metal payload (contpte-payload/, built by meson) under
 * TCG with one granule, one group level and one way of breaking the
 * group, then checks what the guest saw (the mailbox), what the model
 * counted (query-contpte) and what it logged (-d guest_errors).
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qemu/bitops.h"
#include "qemu/cutils.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qnum.h"
#include "contpte-payload.h"
#include "../../target/arm/contpte-desc.h"
#include "contdax-qtest.h"

#define ESR_EC(esr)         ((esr) >> 26)
#define ESR_FSC(esr)        ((esr) & 0x3f)
#define EC_DABT_CUR         0x25
#define FSC_TLB_CONFLICT    0x30
#define FSC_PERM_MASK       0x3c
#define FSC_PERM            0x0c

typedef struct ContpteCase {
    const char *mode;
    unsigned granule_bits;
    unsigned level;
    enum contpte_case kind;
    unsigned bbm;       /* -cpu max,bbm=N; 0: the CPU's own level */
    const char *cpu;    /* more -cpu max properties, ",name=value..." */
    const char *args;   /* more QEMU arguments */
    uint64_t retries;   /* faults the payload retries (MB_RETRIES) */
    uint64_t ttl;       /* CASE_TTL: the TLBIs' level hint (MB_TTL) */
    bool stale;         /* CASE_TTL: the TLBIs must invalidate nothing */
    uint64_t seed;      /* CASE_FUZZ: the first seed (MB_SEED) */
    uint64_t seeds;     /* CASE_FUZZ: how many (MB_FUZZ_SEEDS) */
    uint64_t ops;       /* CASE_FUZZ: operations per seed (MB_FUZZ_OPS) */
    bool legal;         /* CASE_FUZZ: well-defined only (MB_FUZZ_LEGAL) */
    unsigned cpus;      /* CASE_FUZZ: vCPUs (MB_FUZZ_CPUS) */
    uint64_t range;     /* CASE_TLBI_RANGE: the operand (MB_TLBI_RANGE) */
} ContpteCase;

static const char *const case_names[CASE__MAX] = {
    [CASE_GOOD] = "good", [CASE_NO_CONT] = "no-cont-bit",
    [CASE_OA_ALIGN] = "oa-align", [CASE_OA_CONTIG] = "oa-contig",
    [CASE_ATTRINDX] = "attrindx", [CASE_SH] = "sh", [CASE_AP] = "ap",
    [CASE_XN] = "xn", [CASE_NG] = "ng", [CASE_INVALID] = "invalid",
    [CASE_BBM] = "bbm",
};

/* The violation kind (query-contpte's name) each case must produce. */
static const char *const case_kind[CASE__MAX] = {
    [CASE_GOOD] = NULL, [CASE_NO_CONT] = "no-cont-bit",
    [CASE_OA_ALIGN] = "oa-align", [CASE_OA_CONTIG] = "oa-contig",
    [CASE_ATTRINDX] = "attr", [CASE_SH] = "attr", [CASE_AP] = "attr",
    [CASE_XN] = "attr", [CASE_NG] = "attr", [CASE_INVALID] = "invalid",
    [CASE_BBM] = "break-before-make",
};

static uint64_t mb(QTestState *qts, uint64_t off)
{
    return qtest_readq(qts, CONTPTE_MAILBOX + off);
}

/*
 * ContpteViolations: @only counted once, every other kind zero.  The
 * kinds are what QMP returns, not a copy of the model's list.
 */
static void assert_violations(QDict *viol, const char *only)
{
    g_assert_true(!only || qdict_haskey(viol, only));
    for (const QDictEntry *e = qdict_first(viol); e;
         e = qdict_next(viol, e)) {
        uint64_t want = only && !strcmp(qdict_entry_key(e), only);

        g_assert_cmpuint(qnum_get_uint(qobject_to(QNum,
                                                  qdict_entry_value(e))),
                         ==, want);
    }
}

static unsigned count_lines(const char *text, const char *needle)
{
    unsigned n = 0;

    for (const char *p = text; (p = strstr(p, needle)); p++) {
        n++;
    }
    return n;
}

static char *temp_log(void)
{
    char *log = NULL;
    int fd = g_file_open_tmp("contpte-test-XXXXXX.log", &log, NULL);

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    return log;
}

/* The report names the guest PC of the access, at EL1 of VMID 0 ASID 0. */
static void assert_report_pc(const char *logtext, uint64_t pc)
{
    g_autofree char *where = g_strdup_printf(" PC 0x%" PRIx64
                                             " EL1 ASID 0x0 VMID 0x0", pc);

    g_assert_cmphex(pc, !=, 0);
    g_assert_nonnull(strstr(logtext, where));
}

/*
 * $CONTPTE_PAYLOAD, or where tests/qtest/meson.build builds it when the
 * test runs from the build directory, as `meson test` runs it.
 */
static const char *payload_path(void)
{
    return getenv("CONTPTE_PAYLOAD") ?: "tests/qtest/contpte-payload.elf";
}

/* Start the payload on case @c, logging guest errors to @log. */
static QTestState *start_payload(const ContpteCase *c, const char *log)
{
    QTestState *qts;

    g_autofree char *bbm = c->bbm ? g_strdup_printf(",bbm=%u", c->bbm)
                                  : g_strdup("");

    qts = qtest_initf("-M virt -nodefaults -cpu max,contpte=%s%s%s -m 2G "
                      "-accel tcg -kernel %s -S -d guest_errors -D %s %s",
                      c->mode, bbm, c->cpu ?: "", payload_path(), log,
                      c->args ?: "");
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_MAGIC, CONTPTE_MAGIC);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_GRANULE_BITS, c->granule_bits);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_LEVEL, c->level);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_CASE, c->kind);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_RETRIES, c->retries);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_TTL, c->ttl);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_SEED, c->seed);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_FUZZ_SEEDS, c->seeds);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_FUZZ_OPS, c->ops);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_FUZZ_LEGAL, c->legal);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_FUZZ_CPUS, c->cpus);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_TLBI_RANGE, c->range);
    qobject_unref(qmp_ok(qts, "{'execute': 'cont'}"));
    return qts;
}

/* Wait up to 20 s for the mailbox word at @off to reach @value. */
static void wait_for(QTestState *qts, uint64_t off, uint64_t value)
{
    for (int i = 0; i < 20000 && mb(qts, off) < value; i++) {
        g_usleep(1000);
    }
    g_assert_cmpuint(mb(qts, off), ==, value);
}

static QTestState *boot_payload(const ContpteCase *c, const char *log)
{
    QTestState *qts = start_payload(c, log);

    wait_for(qts, MB_DONE, 1);
    g_assert_cmphex(mb(qts, MB_STAGE), ==, 4);
    return qts;
}

static uint64_t total_stat(QTestState *qts, const char *name)
{
    QDict *resp = qmp_ok(qts, "{'execute': 'query-contpte'}");
    uint64_t v = qdict_get_int(qdict_get_qdict(qdict_get_qdict(resp,
                                                               "return"),
                                               "total"), name);

    qobject_unref(resp);
    return v;
}

/*
 * What a TLBI costs in re-walks.  With 4K pages, dropping a cached group
 * re-walks only that group (one walk, for page 5).  A TLBI inside the
 * identity map's block entries, which cputlb tracks in its single
 * large-page window, flushes the whole MMU index: the payload's code and
 * mailbox pages are walked again.  This is why groups are not given to
 * cputlb as large pages.  With 16K and 64K pages every leaf is larger
 * than QEMU's 4K target page, so cputlb flushes everything on any TLBI,
 * group or not: the test records that too.
 */
static void test_flush_scope(const void *data)
{
    ContpteCase c = {
        .mode = "on", .granule_bits = GPOINTER_TO_UINT(data), .level = 3,
        .kind = CASE_FLUSH_SCOPE,
    };
    g_autofree char *log = temp_log();
    QTestState *qts = start_payload(&c, log);
    uint64_t walks[4], hits[4];

    for (int step = 1; step <= 3; step++) {
        wait_for(qts, MB_STEP, step);
        walks[step] = total_stat(qts, "walks");
        hits[step] = total_stat(qts, "group-hits");
        qtest_writeq(qts, CONTPTE_MAILBOX + MB_GO, step);
    }
    wait_for(qts, MB_DONE, 1);
    g_test_message("%uK granule: re-walks after a TLBI of one group page: "
                   "%" PRIu64 "; after a TLBI in cputlb's large-page "
                   "window: %" PRIu64, 1u << (c.granule_bits - 10),
                   walks[2] - walks[1], walks[3] - walks[2]);
    if (c.granule_bits == 12) {
        g_assert_cmpuint(walks[2] - walks[1], ==, 1);
    } else {
        g_assert_cmpuint(walks[2] - walks[1], >=, 3);
    }
    g_assert_cmpuint(hits[2] - hits[1], ==, 0);
    g_assert_cmpuint(walks[3] - walks[2], >=, 2);
    g_assert_cmpuint(hits[3] - hits[2], ==, 1);
    qtest_quit(qts);
    unlink(log);
}

/*
 * Groups that share a set of the model's cache: as many as it has ways
 * stay cached together, one more evicts one of them.
 */
static void test_ways(const void *data)
{
    ContpteCase c = {
        .mode = "check", .granule_bits = 12, .level = 3, .kind = CASE_WAYS,
    };
    g_autofree char *log = temp_log();
    QTestState *qts = start_payload(&c, log);

    wait_for(qts, MB_STEP, 1);
    g_assert_cmpuint(total_stat(qts, "groups-cached"), ==, MODEL_WAYS);
    g_assert_cmpuint(total_stat(qts, "group-evictions"), ==, 0);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_GO, 1);
    wait_for(qts, MB_DONE, 1);
    g_assert_cmpuint(total_stat(qts, "groups-cached"), ==, MODEL_WAYS + 1);
    g_assert_cmpuint(total_stat(qts, "group-evictions"), ==, 1);
    g_assert_cmpuint(mb(qts, MB_EXCEPTIONS), ==, 0);
    qtest_quit(qts);
    unlink(log);
}

static void run_case(const void *data)
{
    const ContpteCase *c = data;
    g_autofree char *log = temp_log();
    g_autofree char *logtext = NULL;
    g_autofree char *prefix = NULL;
    bool model = strcmp(c->mode, "off") != 0;
    bool checks = !strcmp(c->mode, "check") || !strcmp(c->mode, "strict");
    bool strict = !strcmp(c->mode, "strict");
    const char *kind = NULL;
    QTestState *qts;
    QDict *resp, *total, *viol;
    uint64_t exceptions, esr, entries, touched;

    if (checks) {
        kind = case_kind[c->kind];
    }
    qts = boot_payload(c, log);
    exceptions = mb(qts, MB_EXCEPTIONS);
    esr = mb(qts, MB_ESR);
    entries = mb(qts, MB_ENTRIES);
    touched = mb(qts, MB_TOUCHED);

    resp = qmp_ok(qts, "{'execute': 'query-contpte'}");
    total = qdict_get_qdict(qdict_get_qdict(resp, "return"), "total");
    viol = qdict_get_qdict(total, "violations");

    /* Violations: exactly the case's kind, once, in check and strict. */
    assert_violations(viol, kind);
    logtext = NULL;
    g_assert_true(g_file_get_contents(log, &logtext, NULL, NULL));
    g_assert_cmpuint(count_lines(logtext, "contpte: "), ==, kind ? 1 : 0);
    if (kind) {
        prefix = g_strdup_printf("contpte: %s: VA 0x", kind);
        g_assert_nonnull(strstr(logtext, prefix));
        assert_report_pc(logtext, mb(qts, MB_PC));
    }

    /* What the guest saw. */
    if (strict && kind) {
        g_assert_cmpuint(exceptions, ==, 1);
        g_assert_cmphex(ESR_EC(esr), ==, EC_DABT_CUR);
        g_assert_cmphex(ESR_FSC(esr), ==, FSC_TLB_CONFLICT);
        g_assert_cmphex(mb(qts, MB_FAR), ==, mb(qts, MB_VA) +
                        (CONTPTE_PROBE + (c->kind == CASE_BBM)) *
                        mb(qts, MB_PAGE_SIZE));
        g_assert_cmphex(mb(qts, MB_ELR), ==, mb(qts, MB_PC));
        g_assert_cmpuint(qdict_get_int(total, "conflict-aborts"), ==, 1);
    } else if (c->kind == CASE_BBM) {
        /* The store to the read-only group takes a permission fault. */
        g_assert_cmpuint(exceptions, ==, 1);
        g_assert_cmphex(ESR_EC(esr), ==, EC_DABT_CUR);
        g_assert_cmphex(ESR_FSC(esr) & FSC_PERM_MASK, ==, FSC_PERM);
    } else {
        g_assert_cmpuint(exceptions, ==, 0);
        g_assert_cmpuint(qdict_get_int(total, "conflict-aborts"), ==, 0);
    }

    /* Off, the walker never calls the model: it counts nothing. */
    g_assert_cmpint(qdict_get_int(total, "walks") > 0, ==, model);
    if (!model) {
        g_assert_cmpuint(qdict_get_int(total, "contiguous-walks"), ==, 0);
        g_assert_cmpuint(qdict_get_int(total, "groups-cached"), ==, 0);
    } else if (c->kind == CASE_GOOD) {
        /*
         * One walk fills the group, the other pages hit it; the TLBI of
         * page 0 drops all of it, so page 5 walks again.
         */
        g_assert_cmpuint(touched, >=, 4);
        g_assert_cmpuint(touched, <=, entries);
        g_assert_cmpuint(qdict_get_int(total, "contiguous-walks"), ==, 2);
        g_assert_cmpuint(qdict_get_int(total, "groups-cached"), ==, 2);
        g_assert_cmpuint(qdict_get_int(total, "group-hits"), ==, touched - 1);
        g_assert_cmpuint(qdict_get_int(total, "group-invalidations"), ==, 1);
    } else if (!checks) {
        /* on trusts the descriptor it walked, as hardware may. */
        g_assert_cmpuint(qdict_get_int(total, "groups-cached"), >=, 1);
    } else if (c->kind != CASE_BBM) {
        g_assert_cmpuint(qdict_get_int(total, "groups-cached"), ==, 0);
    }
    qobject_unref(resp);
    qtest_quit(qts);
    unlink(log);
}

/*
 * The monitor: info tlb shows the group as one line, info contpte the
 * counters, and contpte-reset zeroes them and forgets what was logged.
 */
static void test_monitor(void)
{
    ContpteCase c = {
        .mode = "check", .granule_bits = 16, .level = 3,
        .kind = CASE_ATTRINDX,
    };
    g_autofree char *log = temp_log();
    g_autofree char *tlb = NULL;
    g_autofree char *stats = NULL;
    g_autofree char *cpu = NULL;
    QTestState *qts = boot_payload(&c, log);
    QDict *resp, *total;

    tlb = qtest_hmp(qts, "info tlb");
    g_assert_nonnull(strstr(tlb, "TTBR0: table 0x40800000, 48-bit VA, "
                            "64K granule, start level 1"));
    /* broken at entry 5: no group line, 32 page lines instead */
    g_assert_null(strstr(tlb, "cont x32"));
    g_assert_nonnull(strstr(tlb, "0000008000000000-000000800000ffff -> "
                            "000050000000 L3 page  AttrIndx=0"));
    g_assert_nonnull(strstr(tlb, "0000008000050000-000000800005ffff -> "
                            "000050050000 L3 page  AttrIndx=1"));
    stats = qtest_hmp(qts, "info contpte");
    g_assert_nonnull(strstr(stats, "check"));
    g_assert_nonnull(strstr(stats, "attr=1"));

    qobject_unref(qmp_ok(qts, "{'execute': 'contpte-reset'}"));
    resp = qmp_ok(qts, "{'execute': 'query-contpte'}");
    total = qdict_get_qdict(qdict_get_qdict(resp, "return"), "total");
    g_assert_cmpuint(qdict_get_int(total, "walks"), ==, 0);
    g_assert_cmpuint(qdict_get_int(qdict_get_qdict(total, "violations"),
                                   "attr"), ==, 0);
    qobject_unref(resp);

    /* A realized vCPU keeps its mode: off would leave its groups stale. */
    resp = qmp_ok(qts, "{'execute': 'query-cpus-fast'}");
    cpu = g_strdup(qdict_get_str(qobject_to(QDict, qlist_peek(
                       qdict_get_qlist(resp, "return"))), "qom-path"));
    qobject_unref(resp);
    resp = qtest_qmp(qts, "{'execute': 'qom-set', 'arguments': { 'path': "
                     "%s, 'property': 'contpte', 'value': 'off' } }", cpu);
    g_assert_nonnull(qdict_get(resp, "error"));
    qobject_unref(resp);
    resp = qmp_ok(qts, "{'execute': 'qom-get', 'arguments': { 'path': %s, "
                  "'property': 'contpte' } }", cpu);
    g_assert_cmpstr(qdict_get_str(resp, "return"), ==, "check");
    qobject_unref(resp);
    qtest_quit(qts);
    unlink(log);
}

/*
 * The BBM level the CPU advertises (-cpu max,bbm=N), which the guest reads
 * in ID_AA64MMFR2_EL1.  A group repainted as single entries without
 * break-before-make (CASE_UNFOLD) is reported at level 2, where hardware
 * may take the TLB conflict abort, and legal at FEAT_BBML3; a new output
 * address without break-before-make (CASE_BBM) is reported at both.
 * Either way the store to the read-only page then takes its permission
 * fault, unless strict raised the conflict abort first.
 */
static void test_bbm_level(const void *data)
{
    const ContpteCase *c = data;
    bool reported = c->bbm < 3 || c->kind != CASE_UNFOLD;
    bool strict = !strcmp(c->mode, "strict");
    g_autofree char *log = temp_log();
    g_autofree char *logtext = NULL;
    QTestState *qts = boot_payload(c, log);
    uint64_t esr = mb(qts, MB_ESR);
    QDict *resp = qmp_ok(qts, "{'execute': 'query-contpte'}");
    QDict *total = qdict_get_qdict(qdict_get_qdict(resp, "return"),
                                   "total");
    QDict *viol = qdict_get_qdict(total, "violations");

    g_assert_cmpuint(extract64(mb(qts, MB_MMFR2), 52, 4), ==, c->bbm);
    assert_violations(viol, reported ? "break-before-make" : NULL);
    g_assert_true(g_file_get_contents(log, &logtext, NULL, NULL));
    g_assert_cmpuint(count_lines(logtext, "contpte: "), ==, reported);
    if (reported) {
        g_assert_nonnull(strstr(logtext, "contpte: break-before-make: "));
        assert_report_pc(logtext, mb(qts, MB_PC));
    }
    /* The report names the field that changed, and both values. */
    if (c->kind == CASE_BBM_ATTR) {
        g_assert_nonnull(strstr(logtext, " memory type (MAIR) 0x44 where "
                                "it has 0xff"));
        g_assert_null(strstr(logtext, " PA 0x"));
    } else if (c->kind == CASE_UNFOLD && reported) {
        g_assert_nonnull(strstr(logtext, "where it has contiguous"));
    } else if (c->kind == CASE_BBM) {
        g_assert_nonnull(strstr(logtext, " the walk gives PA 0x"));
    }
    g_assert_cmpuint(mb(qts, MB_EXCEPTIONS), ==, 1);
    g_assert_cmphex(ESR_EC(esr), ==, EC_DABT_CUR);
    g_assert_cmphex(mb(qts, MB_FAR), ==, mb(qts, MB_VA) +
                    (CONTPTE_PROBE + 1) * mb(qts, MB_PAGE_SIZE));
    if (strict && reported) {
        g_assert_cmphex(ESR_FSC(esr), ==, FSC_TLB_CONFLICT);
        g_assert_cmpuint(qdict_get_int(total, "conflict-aborts"), ==, 1);
    } else {
        g_assert_cmphex(ESR_FSC(esr) & FSC_PERM_MASK, ==, FSC_PERM);
        g_assert_cmpuint(qdict_get_int(total, "conflict-aborts"), ==, 0);
    }
    qobject_unref(resp);
    qtest_quit(qts);
    unlink(log);
}

#define DESC_AF             (1ULL << CONTPTE_DESC_AF)
#define DESC_AP_RO          (1ULL << CONTPTE_DESC_AP2)
#define FSC_ACCESS_L3       0x0b
#define FAULT_LOOP_FAULTS   1000    /* contpte-faults.c */

static uint64_t violations_of(QTestState *qts, const char *kind)
{
    QDict *resp = qmp_ok(qts, "{'execute': 'query-contpte'}");
    uint64_t n = qdict_get_int(qdict_get_qdict(qdict_get_qdict(
        qdict_get_qdict(resp, "return"), "total"), "violations"), kind);

    qobject_unref(resp);
    return n;
}

/* Every kind query-contpte counts, summed. */
static uint64_t total_violations(QTestState *qts)
{
    QDict *resp = qmp_ok(qts, "{'execute': 'query-contpte'}");
    QDict *viol = qdict_get_qdict(qdict_get_qdict(
        qdict_get_qdict(resp, "return"), "total"), "violations");
    uint64_t n = 0;

    for (const QDictEntry *e = qdict_first(viol); e;
         e = qdict_next(viol, e)) {
        n += qnum_get_uint(qobject_to(QNum, qdict_entry_value(e)));
    }
    qobject_unref(resp);
    return n;
}

/*
 * Where a hardware dirty update lands (-cpu max,hwupdate=entry|cached).
 * The group is writable-clean with AF clear; a load of page 2 caches it
 * (setting AF on entry 2 itself, since no group was cached yet), then a
 * store to page 3 walks again for write permission.  With hwupdate=cached
 * and the model on, the dirty update lands on entry 2, the group's
 * origin, and entry 3 stays clean and old, as hardware holding one TLB
 * entry for the group may leave it; otherwise entry 3 takes both.
 */
static void test_hwupdate(const void *data)
{
    const ContpteCase *c = data;
    bool moved = strstr(c->cpu, "cached") && strcmp(c->mode, "off");
    g_autofree char *log = temp_log();
    QTestState *qts = boot_payload(c, log);
    uint64_t probe = mb(qts, MB_DESC_PROBE), next = mb(qts, MB_DESC_NEXT);

    g_assert_cmpuint(mb(qts, MB_EXCEPTIONS), ==, 0);
    g_assert_cmphex(probe & DESC_AF, ==, DESC_AF);
    g_assert_cmphex(probe & DESC_AP_RO, ==, moved ? 0 : DESC_AP_RO);
    g_assert_cmphex(next & DESC_AF, ==, moved ? 0 : DESC_AF);
    g_assert_cmphex(next & DESC_AP_RO, ==, moved ? DESC_AP_RO : 0);
    g_assert_cmpuint(total_stat(qts, "hw-updates-moved"), ==, moved);
    g_assert_cmpuint(total_violations(qts), ==, 0);
    qtest_quit(qts);
    unlink(log);
}

/*
 * A vCPU without FEAT_HAFDBS (-cpu max,hafdbs-off=1): the guest sees
 * ID_AA64MMFR1_EL1.HAFDBS 0 and TCR_EL1.HA has no effect, so a load of a
 * page with AF clear takes the Access flag fault; with the feature,
 * hardware sets AF and the load completes.
 */
static void test_hafdbs_off(const void *data)
{
    const ContpteCase *c = data;
    bool off = c->cpu && strstr(c->cpu, "hafdbs-off=1");
    g_autofree char *log = temp_log();
    QTestState *qts = boot_payload(c, log);

    g_assert_cmpuint(extract64(mb(qts, MB_MMFR1), 0, 4), ==, off ? 0 : 2);
    g_assert_cmpuint(mb(qts, MB_EXCEPTIONS), ==, off);
    if (off) {
        g_assert_cmphex(ESR_EC(mb(qts, MB_ESR)), ==, EC_DABT_CUR);
        g_assert_cmphex(ESR_FSC(mb(qts, MB_ESR)), ==, FSC_ACCESS_L3);
    }
    qtest_quit(qts);
    unlink(log);
}

/*
 * hafdbs-off on one vCPU of two: each reads its own ID_AA64MMFR1_EL1
 * through the same code.  TCG folds a constant ID register into the
 * translated code, so vCPUs whose registers differ must not share it:
 * with shared code, both would read whichever vCPU translated it first.
 */
static void test_hafdbs_smp(const void *data)
{
    const ContpteCase *c = data;
    g_autofree char *log = temp_log();
    QTestState *qts = boot_payload(c, log);
    uint64_t mask;

    g_assert_cmpint(qemu_strtou64(strstr(c->cpu, "hafdbs-off=") + 11, NULL,
                                  0, &mask), ==, 0);

    g_assert_cmpuint(mb(qts, MB_SMP_DONE), ==, 1);
    g_assert_cmpuint(extract64(mb(qts, MB_MMFR1), 0, 4), ==,
                     mask & 1 ? 0 : 2);
    g_assert_cmpuint(extract64(mb(qts, MB_SMP_MMFR1), 0, 4), ==,
                     mask & 2 ? 0 : 2);
    qtest_quit(qts);
    unlink(log);
}

/*
 * The fault-loop detector: the payload retries a load that takes the
 * Access flag fault c->retries times.  check reports it once, past
 * FAULT_LOOP_FAULTS identical faults, naming the load's PC, and lets the
 * guest go on; strict stops it as a guest panic; fewer faults, or the
 * model off, report nothing.  Translation faults on invalid descriptors
 * (CASE_FAULT_WAIT) are no loop, however many.
 */
static void test_fault_loop(const void *data)
{
    const ContpteCase *c = data;
    bool checks = !strcmp(c->mode, "check") || !strcmp(c->mode, "strict");
    bool loops = checks && c->kind == CASE_FAULT_LOOP &&
                 c->retries >= FAULT_LOOP_FAULTS;
    g_autofree char *log = temp_log();
    g_autofree char *logtext = NULL;
    QTestState *qts;

    if (loops && !strcmp(c->mode, "strict")) {
        QDict *resp = NULL;

        qts = start_payload(c, log);
        for (int i = 0; i < 20000; i++) {
            resp = qmp_ok(qts, "{'execute': 'query-status'}");
            if (!strcmp(qdict_get_str(qdict_get_qdict(resp, "return"),
                                      "status"), "guest-panicked")) {
                break;
            }
            qobject_unref(resp);
            resp = NULL;
            g_usleep(1000);
        }
        g_assert_nonnull(resp);
        qobject_unref(resp);
        g_assert_cmpuint(mb(qts, MB_DONE), ==, 0);
        /* the panic stops the vCPU before or after it takes the last */
        g_assert_cmpuint(mb(qts, MB_EXCEPTIONS), >=, FAULT_LOOP_FAULTS - 1);
        g_assert_cmpuint(mb(qts, MB_EXCEPTIONS), <, c->retries);
    } else {
        qts = boot_payload(c, log);
        g_assert_cmpuint(mb(qts, MB_EXCEPTIONS), ==, c->retries + 1);
    }
    g_assert_cmpuint(violations_of(qts, "fault-loop"), ==, loops);
    g_assert_true(g_file_get_contents(log, &logtext, NULL, NULL));
    g_assert_cmpuint(count_lines(logtext, "contpte: "), ==, loops);
    if (loops) {
        g_assert_nonnull(strstr(logtext, "contpte: fault-loop: VA 0x"));
        g_assert_nonnull(strstr(logtext, "identical access flag faults"));
        g_assert_nonnull(strstr(logtext, "group at 0x"));
        assert_report_pc(logtext, mb(qts, MB_PC));
    }
    qtest_quit(qts);
    unlink(log);
}

/*
 * A group refilled twice, each time through a partly invalid transient,
 * with the break and its TLBI in between: no transient outlives TLB
 * maintenance, so nothing is reported, no abort, and the group is cached
 * at the end (of each round, on SMP).
 */
static void test_refill(const void *data)
{
    const ContpteCase *c = data;
    g_autofree char *log = temp_log();
    QTestState *qts = boot_payload(c, log);

    g_assert_cmpuint(mb(qts, MB_EXCEPTIONS), ==, 0);
    g_assert_cmpuint(total_violations(qts), ==, 0);
    if (c->kind == CASE_SMP_REFILL) {
        /* vCPU 1 walked every transient and cached each whole group */
        g_assert_cmpuint(mb(qts, MB_SMP_DONE), ==, 3 * SMP_REFILL_ROUNDS + 1);
        g_assert_cmpuint(total_stat(qts, "groups-cached"), ==,
                         SMP_REFILL_ROUNDS);
    } else {
        g_assert_cmpuint(total_stat(qts, "groups-cached"), ==, 1);
    }
    qtest_quit(qts);
    unlink(log);
}

static void add_hw_cases(void)
{
    static const char *const modes[] = { "off", "on", "check", "strict" };

    for (unsigned m = 0; m < G_N_ELEMENTS(modes); m++) {
        for (unsigned cached = 0; cached < 2; cached++) {
            ContpteCase *c = g_new0(ContpteCase, 1);
            g_autofree char *path = NULL;

            *c = (ContpteCase) {
                .mode = modes[m], .granule_bits = 12, .level = 3,
                .kind = CASE_HWUPDATE,
                .cpu = cached ? ",hwupdate=cached" : ",hwupdate=entry",
            };
            path = g_strdup_printf("/contpte/hwupdate/%s/%s", c->cpu + 10,
                                   c->mode);
            qtest_add_data_func_full(path, c, test_hwupdate, g_free);
        }
    }
    for (unsigned m = 2; m < G_N_ELEMENTS(modes); m++) {
        for (unsigned g = 12; g <= 16; g += 2) {
            ContpteCase *c = g_new0(ContpteCase, 1);
            g_autofree char *path = NULL;

            *c = (ContpteCase) {
                .mode = modes[m], .granule_bits = g, .level = 3,
                .kind = CASE_REFILL,
            };
            path = g_strdup_printf("/contpte/refill/%s/%uk", c->mode,
                                   1u << (g - 10));
            qtest_add_data_func_full(path, c, test_refill, g_free);
            c = g_memdup2(c, sizeof(*c));
            c->kind = CASE_SMP_REFILL;
            c->args = "-smp 2";
            g_free(path);
            path = g_strdup_printf("/contpte/refill-smp/%s/%uk", c->mode,
                                   1u << (g - 10));
            qtest_add_data_func_full(path, c, test_refill, g_free);
        }
    }
    for (unsigned off = 0; off < 2; off++) {
        ContpteCase *c = g_new0(ContpteCase, 1);

        *c = (ContpteCase) {
            .mode = "off", .granule_bits = 12, .level = 3,
            .kind = CASE_FAULT_LOOP, .cpu = off ? ",hafdbs-off=1" : NULL,
        };
        qtest_add_data_func_full(off ? "/contpte/hafdbs/off" :
                                 "/contpte/hafdbs/on", c, test_hafdbs_off,
                                 g_free);
    }
    for (unsigned mask = 0; mask < 4; mask++) {
        static const char *const cpus[] = {
            ",hafdbs-off=0x0", ",hafdbs-off=0x1", ",hafdbs-off=0x2",
            ",hafdbs-off=0x3",
        };
        ContpteCase *c = g_new0(ContpteCase, 1);
        g_autofree char *path = g_strdup_printf("/contpte/hafdbs/smp/0x%x",
                                                mask);

        *c = (ContpteCase) {
            .mode = "off", .granule_bits = 12, .level = 3,
            .kind = CASE_SMP_IDREG, .args = "-smp 2", .cpu = cpus[mask],
        };
        qtest_add_data_func_full(path, c, test_hafdbs_smp, g_free);
    }
    for (unsigned m = 0; m < G_N_ELEMENTS(modes); m++) {
        for (unsigned many = 0; many < 2; many++) {
            ContpteCase *c = g_new0(ContpteCase, 1);
            g_autofree char *path = NULL;

            *c = (ContpteCase) {
                .mode = modes[m], .granule_bits = 12, .level = 3,
                .kind = CASE_FAULT_LOOP, .cpu = ",hafdbs-off=1",
                .retries = many ? 3 * FAULT_LOOP_FAULTS
                                : FAULT_LOOP_FAULTS / 2,
                .args = "-action panic=pause",
            };
            path = g_strdup_printf("/contpte/fault-loop/%s/%" PRIu64,
                                   c->mode, c->retries);
            qtest_add_data_func_full(path, c, test_fault_loop, g_free);
        }
        if (strcmp(modes[m], "off")) {
            ContpteCase *c = g_new0(ContpteCase, 1);
            g_autofree char *path = g_strdup_printf(
                "/contpte/fault-wait/%s", modes[m]);

            *c = (ContpteCase) {
                .mode = modes[m], .granule_bits = 12, .level = 3,
                .kind = CASE_FAULT_WAIT, .retries = 3 * FAULT_LOOP_FAULTS,
                .args = "-action panic=pause",
            };
            qtest_add_data_func_full(path, c, test_fault_loop, g_free);
        }
    }
}

/*
 * TLBI level hints (FEAT_TTL) taken at their word: the group is moved with
 * break-before-make whose TLBIs carry the case's hint.  With ttl-exact=on
 * and the model caching the group, a hint naming another level (or level
 * 0 of a 4K granule, which means level 0 only with FEAT_LPA2) invalidates
 * nothing, and the load after the move still finds the old page; a right
 * hint, no hint, or QEMU's own TLBIs find the new one.  tlbirange=off
 * hides FEAT_TLBIRANGE from ID_AA64ISAR0_EL1.TLB.
 */
static void test_ttl(const void *data)
{
    const ContpteCase *c = data;
    g_autofree char *log = temp_log();
    QTestState *qts = boot_payload(c, log);
    bool norange = c->cpu && strstr(c->cpu, "tlbirange=off");

    g_assert_cmpuint(mb(qts, MB_EXCEPTIONS), ==, 0);
    g_assert_cmphex(mb(qts, MB_SUM), ==, c->stale ? MB_TTL_OLD : MB_TTL_NEW);
    g_assert_cmpuint(total_stat(qts, "tlbis-ignored"), ==,
                     c->stale ? mb(qts, MB_ENTRIES) : 0);
    g_assert_cmpuint(extract64(mb(qts, MB_ISAR0), 56, 4), ==,
                     norange ? 1 : 2);
    qtest_quit(qts);
    unlink(log);
}

static void add_ttl_cases(void)
{
    static const struct {
        const char *name;
        unsigned granule_bits, level;
        int hint;               /* the level hinted; -1: no hint */
        const char *cpu;
        bool stale;             /* under a mode that caches groups */
    } cases[] = {
        { "4k/wrong", 12, 3, 2, ",ttl-exact=on,tlbirange=off", true },
        { "16k/wrong", 14, 3, 2, ",ttl-exact=on,tlbirange=off", true },
        { "64k/wrong", 16, 3, 2, ",ttl-exact=on,tlbirange=off", true },
        { "4k-l2/wrong", 12, 2, 3, ",ttl-exact=on", true },
        { "4k/level0", 12, 3, 0, ",ttl-exact=on", true },
        { "4k/level0-no-lpa2", 12, 3, 0, ",ttl-exact=on,lpa2=off", false },
        { "4k/right", 12, 3, 3, ",ttl-exact=on", false },
        { "4k-l2/right", 12, 2, 2, ",ttl-exact=on", false },
        { "4k/none", 12, 3, -1, ",ttl-exact=on", false },
        { "4k/wrong-not-exact", 12, 3, 2, ",tlbirange=off", false },
    };
    static const char *const modes[] = { "off", "on", "strict" };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        for (size_t m = 0; m < G_N_ELEMENTS(modes); m++) {
            ContpteCase *c = g_new0(ContpteCase, 1);
            g_autofree char *path = g_strdup_printf("/contpte/ttl/%s/%s",
                                                    cases[i].name,
                                                    modes[m]);
            /* TTL<3:2>: 1 for 4K, 2 for 16K, 3 for 64K */
            unsigned tg = (cases[i].granule_bits - 10) / 2;
            uint64_t ttl = 0;     /* no hint */

            if (cases[i].hint >= 0) {
                ttl = tg << 2 | cases[i].hint;
            }

            *c = (ContpteCase) {
                .mode = modes[m], .granule_bits = cases[i].granule_bits,
                .level = cases[i].level, .kind = CASE_TTL,
                .cpu = cases[i].cpu,
                .ttl = ttl,
                .stale = cases[i].stale && strcmp(modes[m], "off"),
            };
            qtest_add_data_func_full(path, c, test_ttl, g_free);
        }
    }
}

/* A consistent group prints as one line. */
static void test_info_tlb_group(void)
{
    ContpteCase c = {
        .mode = "on", .granule_bits = 12, .level = 2, .kind = CASE_GOOD,
    };
    g_autofree char *log = temp_log();
    g_autofree char *tlb = NULL;
    QTestState *qts = boot_payload(&c, log);

    tlb = qtest_hmp(qts, "info tlb");
    g_assert_nonnull(strstr(tlb, "0000008000000000-0000008001ffffff -> "
                            "000050000000 L2 block AttrIndx=0 SH=3 AP=0 AF "
                            "cont x16"));
    qtest_quit(qts);
    unlink(log);
}

/*
 * An AT instruction that finds a broken group is reported with its own
 * PC, not that of the last access that filled the TLB; under strict it
 * reports the TLB conflict in PAR_EL1 and takes no exception.
 */
static void test_at(const void *data)
{
    const ContpteCase *c = data;
    g_autofree char *log = temp_log();
    g_autofree char *logtext = NULL;
    bool strict = !strcmp(c->mode, "strict");
    QTestState *qts = boot_payload(c, log);
    uint64_t par = mb(qts, MB_PAR);

    g_assert_true(g_file_get_contents(log, &logtext, NULL, NULL));
    g_assert_cmpuint(count_lines(logtext, "contpte: "), ==, 1);
    g_assert_nonnull(strstr(logtext, "contpte: attr: VA 0x"));
    assert_report_pc(logtext, mb(qts, MB_PC));
    g_assert_cmpuint(mb(qts, MB_EXCEPTIONS), ==, 0);
    g_assert_cmpuint(par & 1, ==, strict);                  /* PAR.F */
    if (strict) {
        g_assert_cmphex((par >> 1) & 0x3f, ==, FSC_TLB_CONFLICT);  /* FST */
    }
    g_assert_cmpuint(total_stat(qts, "conflict-aborts"), ==, strict);
    qtest_quit(qts);
    unlink(log);
}

/*
 * A TLBI RVAE1 of 8 GiB that starts 4 GiB below the group: a length of
 * 4 GiB or more needs more than 32 bits (SCALE 3, NUM 31 with 4K pages,
 * NUM 7 with 16K, NUM 1 with 64K), which QEMU 7.0 to 10.0 lost, so the
 * TLBI invalidated nothing and the load after the move still read the
 * old page.  Plain QEMU (off) must invalidate, and so must the model.
 */
static void test_tlbi_range(const void *data)
{
    const ContpteCase *c = data;
    g_autofree char *log = temp_log();
    QTestState *qts = boot_payload(c, log);

    g_assert_cmpuint(mb(qts, MB_EXCEPTIONS), ==, 0);
    g_assert_cmphex(mb(qts, MB_SUM), ==, MB_TTL_NEW);
    if (strcmp(c->mode, "off")) {
        g_assert_cmpuint(total_violations(qts), ==, 0);
    }
    qtest_quit(qts);
    unlink(log);
}

static void add_tlbi_range_cases(void)
{
    static const char *const modes[] = { "off", "on", "check" };

    for (unsigned g = 12; g <= 16; g += 2) {
        /* NUM + 1 = 8 GiB / (2^16 granules) */
        uint64_t num = (8 * GiB >> (16 + g)) - 1;
        uint64_t base = (CONTPTE_GROUP_VA - 4 * GiB) >> g;
        uint64_t tg = (g - 10) / 2;

        for (size_t m = 0; m < G_N_ELEMENTS(modes); m++) {
            ContpteCase *c = g_new0(ContpteCase, 1);
            g_autofree char *path = g_strdup_printf("/contpte/tlbi-range/"
                                                    "8g/%uk/%s",
                                                    1u << (g - 10),
                                                    modes[m]);

            *c = (ContpteCase) {
                .mode = modes[m], .granule_bits = g, .level = 3,
                .kind = CASE_TLBI_RANGE,
                .range = tg << 46 | 3ULL << 44 | num << 39 | base,
            };
            qtest_add_data_func_full(path, c, test_tlbi_range, g_free);
        }
    }
}

/*
 * Differential fuzzing (CASE_FUZZ): the payload runs @seeds seeds, each
 * with new tables and random operations on every vCPU, and reports one
 * hash per seed of everything the guest saw.  Well-defined sequences
 * (@legal) must give every mode the hashes and exception count of
 * contpte=off, with no violation; any sequence must leave QEMU running
 * and every vCPU done.  CONTPTE_FUZZ_SEEDS=N runs N seeds per case
 * instead, for campaigns.
 */
typedef struct FuzzCase {
    unsigned granule_bits;
    unsigned cpus;
    bool legal;
    uint64_t seeds;
    uint64_t ops;
} FuzzCase;

typedef struct FuzzRun {
    uint64_t exceptions;
    uint64_t groups_cached;
    uint64_t violations;
    uint64_t *hashes;
} FuzzRun;

static FuzzRun fuzz_boot(const FuzzCase *f, const char *mode,
                         uint64_t first, uint64_t seeds)
{
    g_autofree char *log = temp_log();
    g_autofree char *smp = g_strdup_printf("-smp %u", f->cpus);
    ContpteCase c = {
        .mode = mode, .granule_bits = f->granule_bits, .level = 3,
        .kind = CASE_FUZZ, .seed = first, .seeds = seeds, .ops = f->ops,
        .legal = f->legal, .cpus = f->cpus, .args = smp,
    };
    QTestState *qts = start_payload(&c, log);
    FuzzRun r = { .hashes = g_new(uint64_t, seeds) };

    /* up to 10 minutes: a campaign's boot runs FUZZ_MAX_SEEDS seeds */
    for (int i = 0; i < 600000 && mb(qts, MB_DONE) != 1; i++) {
        g_usleep(1000);
    }
    g_assert_cmpuint(mb(qts, MB_DONE), ==, 1);
    for (unsigned k = 0; k < f->cpus; k++) {
        g_assert_cmpuint(mb(qts, MB_CPU(k, CPU_DONE)), ==, seeds);
        r.exceptions += mb(qts, MB_CPU(k, CPU_EXCEPTIONS));
    }
    for (uint64_t s = 0; s < seeds; s++) {
        r.hashes[s] = mb(qts, MB_FUZZ_HASHES + 8 * s);
    }
    if (strcmp(mode, "off")) {
        r.groups_cached = total_stat(qts, "groups-cached");
        r.violations = total_violations(qts);
    }
    qtest_quit(qts);
    unlink(log);
    return r;
}

static void test_fuzz(const void *data)
{
    static const char *const modes[] = { "off", "on", "check", "strict" };
    const FuzzCase *f = data;
    const char *env = getenv("CONTPTE_FUZZ_SEEDS");
    uint64_t total = env ? g_ascii_strtoull(env, NULL, 10) : f->seeds;

    for (uint64_t first = 0; first < total; first += FUZZ_MAX_SEEDS) {
        uint64_t seeds = MIN(total - first, FUZZ_MAX_SEEDS);
        FuzzRun off = fuzz_boot(f, "off", first, seeds);

        for (size_t m = 1; m < G_N_ELEMENTS(modes); m++) {
            FuzzRun r = fuzz_boot(f, modes[m], first, seeds);

            if (f->legal) {
                g_assert_cmpuint(r.exceptions, ==, off.exceptions);
                g_assert_cmpuint(r.violations, ==, 0);
                g_assert_cmpuint(r.groups_cached, >, 0);
                for (uint64_t s = 0; s < seeds; s++) {
                    if (r.hashes[s] != off.hashes[s]) {
                        g_error("seed %" PRIu64 ": contpte=%s differs "
                                "from off", first + s, modes[m]);
                    }
                }
            }
            g_free(r.hashes);
        }
        g_free(off.hashes);
    }
}

static void add_fuzz_cases(void)
{
    static const unsigned cpus[] = { 1, 4 };

    for (unsigned legal = 0; legal < 2; legal++) {
        for (unsigned g = 12; g <= 16; g += 2) {
            for (size_t n = 0; n < G_N_ELEMENTS(cpus); n++) {
                FuzzCase *f = g_new0(FuzzCase, 1);
                g_autofree char *path = NULL;

                /*
                 * 16K groups have 128 entries: each repaint costs more;
                 * and each broadcast TLBI stops every vCPU.
                 */
                *f = (FuzzCase) {
                    .granule_bits = g, .cpus = cpus[n], .legal = legal,
                    .seeds = (g == 14 ? 16 : 64) / cpus[n], .ops = 200,
                };
                path = g_strdup_printf("/contpte/fuzz/%s/%uk/smp%u",
                                       legal ? "legal" : "any",
                                       1u << (g - 10), cpus[n]);
                qtest_add_data_func_full(path, f, test_fuzz, g_free);
            }
        }
    }
}

static void add_cases(const char *mode)
{
    static const unsigned granules[] = { 12, 14, 16 };

    for (size_t g = 0; g < G_N_ELEMENTS(granules); g++) {
        for (unsigned level = 3; level >= 2; level--) {
            for (int k = 0; k < CASE__MAX; k++) {
                ContpteCase *c = g_new0(ContpteCase, 1);
                g_autofree char *path = NULL;

                *c = (ContpteCase) {
                    .mode = mode, .granule_bits = granules[g],
                    .level = level, .kind = k,
                };
                path = g_strdup_printf("/contpte/%s/%uk/l%u/%s", mode,
                                       1u << (granules[g] - 10), level,
                                       case_names[k]);
                qtest_add_data_func_full(path, c, run_case, g_free);
            }
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!g_file_test(payload_path(), G_FILE_TEST_EXISTS)) {
        g_test_skip("no payload: tests/qtest/meson.build builds it with an "
                    "aarch64 cross compiler");
        return g_test_run();
    }
    add_cases("off");
    add_cases("on");
    add_cases("check");
    add_cases("strict");
    qtest_add_func("/contpte/monitor", test_monitor);
    qtest_add_func("/contpte/info-tlb-group", test_info_tlb_group);
    for (unsigned g = 12; g <= 16; g += 2) {
        g_autofree char *path = g_strdup_printf("/contpte/flush-scope/%uk",
                                                1u << (g - 10));

        qtest_add_data_func(path, GUINT_TO_POINTER(g), test_flush_scope);
    }
    qtest_add_data_func("/contpte/ways", NULL, test_ways);
    for (int m = 0; m < 2; m++) {
        for (unsigned g = 12; g <= 16; g += 2) {
            ContpteCase *c = g_new0(ContpteCase, 1);
            g_autofree char *path = NULL;

            *c = (ContpteCase) {
                .mode = m ? "strict" : "check", .granule_bits = g,
                .level = 3, .kind = CASE_AT,
            };
            path = g_strdup_printf("/contpte/at/%s/%uk", c->mode,
                                   1u << (g - 10));
            qtest_add_data_func_full(path, c, test_at, g_free);
        }
    }
    for (unsigned i = 0; i < 2 * 2 * 3 * 3; i++) {
        static const enum contpte_case bbm_cases[] = {
            CASE_UNFOLD, CASE_BBM, CASE_BBM_ATTR,
        };
        static const char *const bbm_names[] = {
            "unfold", "new-oa", "new-memtype",
        };
        ContpteCase *c = g_new0(ContpteCase, 1);
        g_autofree char *path = NULL;

        *c = (ContpteCase) {
            .mode = i & 1 ? "strict" : "check", .bbm = i & 2 ? 3 : 2,
            .kind = bbm_cases[(i / 4) % 3],
            .granule_bits = 12 + 2 * (i / 12), .level = 3,
        };
        path = g_strdup_printf("/contpte/bbm%u/%s/%s/%uk", c->bbm,
                               bbm_names[(i / 4) % 3], c->mode,
                               1u << (c->granule_bits - 10));
        qtest_add_data_func_full(path, c, test_bbm_level, g_free);
    }
    add_hw_cases();
    add_ttl_cases();
    add_fuzz_cases();
    add_tlbi_range_cases();
    return g_test_run();
}
