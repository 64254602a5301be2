/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Helpers shared by the contdax qtests.
 */

#ifndef CONTDAX_QTEST_H
#define CONTDAX_QTEST_H

#include "libqtest.h"
#include "qobject/qdict.h"

/* Run a QMP command, assert it succeeded, return the whole response. */
static inline QDict * G_GNUC_PRINTF(2, 3) qmp_ok(QTestState *qts,
                                                 const char *fmt, ...)
{
    va_list ap;
    QDict *resp;

    va_start(ap, fmt);
    resp = qtest_vqmp(qts, fmt, ap);
    va_end(ap);
    g_assert_false(qdict_haskey(resp, "error"));
    return resp;
}

#endif
