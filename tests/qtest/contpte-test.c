/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * QTest for the Contiguous-bit model of the AArch64 TCG MMU
 * (-cpu max,contpte=off|on|check|strict).  Each case boots the
 * bare-metal payload (contpte-payload/, path in $CONTPTE_PAYLOAD) under
 * TCG with one granule, one group level and one way of breaking the
 * group, then checks what the guest saw (the mailbox), what the model
 * counted (query-contpte) and what it logged (-d guest_errors).
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "contpte-payload.h"
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

static const char *const kinds[] = {
    "invalid", "no-cont-bit", "type", "oa-align", "oa-contig", "attr",
    "break-before-make",
};

static uint64_t mb(QTestState *qts, uint64_t off)
{
    return qtest_readq(qts, CONTPTE_MAILBOX + off);
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

/* Start the payload on case @c, logging guest errors to @log. */
/* The report names the guest PC of the access, at EL1 of VMID 0 ASID 0. */
static void assert_report_pc(const char *logtext, uint64_t pc)
{
    g_autofree char *where = g_strdup_printf(" PC 0x%" PRIx64
                                             " EL1 ASID 0x0 VMID 0x0", pc);

    g_assert_cmphex(pc, !=, 0);
    g_assert_nonnull(strstr(logtext, where));
}

static QTestState *start_payload(const ContpteCase *c, const char *log)
{
    const char *payload = getenv("CONTPTE_PAYLOAD");
    QTestState *qts;

    g_assert_nonnull(payload);
    qts = qtest_initf("-M virt -nodefaults -cpu max,contpte=%s -m 2G "
                      "-accel tcg -kernel %s -S -d guest_errors -D %s",
                      c->mode, payload, log);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_MAGIC, CONTPTE_MAGIC);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_GRANULE_BITS, c->granule_bits);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_LEVEL, c->level);
    qtest_writeq(qts, CONTPTE_MAILBOX + MB_CASE, c->kind);
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
    for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
        uint64_t want = kind && !strcmp(kind, kinds[k]) ? 1 : 0;

        g_assert_cmpuint(qdict_get_int(viol, kinds[k]), ==, want);
    }
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

    /* Counters: walks always; groups only with the model on. */
    g_assert_cmpuint(qdict_get_int(total, "walks"), >, 0);
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
    qtest_quit(qts);
    unlink(log);
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
    return g_test_run();
}
