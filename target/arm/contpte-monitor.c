/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The monitor side of the Contiguous-bit model: QMP query-contpte and
 * contpte-reset, HMP info contpte.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-misc-target.h"
#include "monitor/monitor.h"
#include "monitor/hmp-target.h"
#include "hw/core/cpu.h"
#include "cpu.h"
#include "internals.h"
#include "contpte.h"

static ContpteStats *stats_to_qapi(const ArmContpteStats *st)
{
    ContpteStats *q = g_new0(ContpteStats, 1);
    ContpteViolations *v = g_new0(ContpteViolations, 1);

#define SET(e, name, member) v->member = st->violations[e];
    CONTPTE_KINDS(SET)
#undef SET

#define TO_QAPI(field, member) q->member = st->field;
    CONTPTE_COUNTERS(TO_QAPI)
#undef TO_QAPI
    q->violations = v;
    return q;
}

static void stats_add(ArmContpteStats *sum, const ArmContpteStats *st)
{
#define ADD(field, member) sum->field += st->field;
    CONTPTE_COUNTERS(ADD)
#undef ADD
    for (unsigned k = 0; k < CONTPTE_KIND__MAX; k++) {
        sum->violations[k] += st->violations[k];
    }
}

static bool has_model(CPUState *cs)
{
    return object_dynamic_cast(OBJECT(cs), TYPE_AARCH64_CPU) &&
           ARM_CPU(cs)->contpte;
}

ContpteInfo *qmp_query_contpte(Error **errp)
{
    ContpteInfo *info = g_new0(ContpteInfo, 1);
    ContpteVcpuList **tail = &info->vcpus;
    ArmContpteStats total = {};
    CPUState *cs;

    CPU_FOREACH(cs) {
        ContpteVcpu *v;
        ArmContpteStats st;

        if (!has_model(cs)) {
            continue;
        }
        arm_contpte_stats(ARM_CPU(cs), &st);
        stats_add(&total, &st);
        v = g_new0(ContpteVcpu, 1);
        v->cpu_index = cs->cpu_index;
        v->mode = arm_contpte_mode(ARM_CPU(cs));
        v->stats = stats_to_qapi(&st);
        QAPI_LIST_APPEND(tail, v);
    }
    info->total = stats_to_qapi(&total);
    return info;
}

void qmp_contpte_reset(Error **errp)
{
    CPUState *cs;

    CPU_FOREACH(cs) {
        if (has_model(cs)) {
            arm_contpte_reset_stats(ARM_CPU(cs));
        }
    }
    arm_contpte_forget_reports();
}

static void print_stats(Monitor *mon, const char *who, const char *mode,
                        const ArmContpteStats *st)
{
    monitor_printf(mon, "%-6s %-6s %12" PRIu64 " %12" PRIu64 " %10" PRIu64
                   " %12" PRIu64 " %8" PRIu64 " %8" PRIu64,
                   who, mode, st->walks, st->cont_walks, st->groups_cached,
                   st->group_hits, st->group_invalidations,
                   st->group_evictions);
    for (unsigned k = 0; k < CONTPTE_KIND__MAX; k++) {
        monitor_printf(mon, " %s=%" PRIu64, arm_contpte_kind_name(k),
                       st->violations[k]);
    }
    monitor_printf(mon, " aborts=%" PRIu64 " hw-updates-moved=%" PRIu64
                   " tlbis-ignored=%" PRIu64 "\n", st->conflict_aborts,
                   st->hw_updates_moved, st->tlbis_ignored);
}

void hmp_info_contpte(Monitor *mon, const QDict *qdict)
{
    ArmContpteStats total = {};
    CPUState *cs;

    monitor_printf(mon, "%-6s %-6s %12s %12s %10s %12s %8s %8s violations\n",
                   "vcpu", "mode", "walks", "cont-walks", "cached", "hits",
                   "invals", "evicts");
    CPU_FOREACH(cs) {
        g_autofree char *who = NULL;
        ArmContpteStats st;

        if (!has_model(cs)) {
            continue;
        }
        arm_contpte_stats(ARM_CPU(cs), &st);
        stats_add(&total, &st);
        who = g_strdup_printf("%d", cs->cpu_index);
        print_stats(mon, who, ContpteMode_str(arm_contpte_mode(ARM_CPU(cs))),
                    &st);
    }
    print_stats(mon, "total", "", &total);
}
