/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The machine contdax boots by default (-M virt -cpu max, 2 vCPUs, 2 GiB,
 * no default devices) as this QEMU build provides it: the vCPU count and
 * type, the RAM size, and RAM that is readable and writable at both ends
 * of virt's RAM window.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "contdax-qtest.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"

#define VIRT_RAM_BASE   0x40000000ULL
#define CONTDAX_RAM     (2 * GiB)
#define CONTDAX_SMP     2

static QTestState *contdax_machine(void)
{
    return qtest_initf("-M virt -cpu max -smp %d -m %lluM -nodefaults",
                       CONTDAX_SMP, (unsigned long long)(CONTDAX_RAM / MiB));
}

static void test_cpus(void)
{
    QTestState *qts = contdax_machine();
    QDict *resp = qmp_ok(qts, "{ 'execute': 'query-cpus-fast' }");
    QList *cpus = qdict_get_qlist(resp, "return");
    QListEntry *e;
    int n = 0;

    QLIST_FOREACH_ENTRY(cpus, e) {
        QDict *cpu = qobject_to(QDict, qlist_entry_obj(e));
        QDict *type;

        g_assert_cmpstr(qdict_get_str(cpu, "target"), ==, "aarch64");
        g_assert_cmpint(qdict_get_int(cpu, "cpu-index"), ==, n);
        type = qmp_ok(qts, "{ 'execute': 'qom-get', 'arguments': "
                      "{ 'path': %s, 'property': 'type' } }",
                      qdict_get_str(cpu, "qom-path"));
        g_assert_cmpstr(qdict_get_str(type, "return"), ==, "max-arm-cpu");
        qobject_unref(type);
        n++;
    }
    g_assert_cmpint(n, ==, CONTDAX_SMP);
    qobject_unref(resp);
    qtest_quit(qts);
}

static void test_ram(void)
{
    QTestState *qts = contdax_machine();
    QDict *resp = qmp_ok(qts,
                         "{ 'execute': 'query-memory-size-summary' }");
    QDict *ret = qdict_get_qdict(resp, "return");
    uint64_t last = VIRT_RAM_BASE + CONTDAX_RAM - 8;

    g_assert_cmphex(qdict_get_int(ret, "base-memory"), ==, CONTDAX_RAM);
    qobject_unref(resp);

    qtest_writeq(qts, VIRT_RAM_BASE, 0x0123456789abcdefULL);
    qtest_writeq(qts, last, 0xfedcba9876543210ULL);
    g_assert_cmphex(qtest_readq(qts, VIRT_RAM_BASE), ==,
                    0x0123456789abcdefULL);
    g_assert_cmphex(qtest_readq(qts, last), ==, 0xfedcba9876543210ULL);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/contdax/machine/cpus", test_cpus);
    qtest_add_func("/contdax/machine/ram", test_ram);
    return g_test_run();
}
