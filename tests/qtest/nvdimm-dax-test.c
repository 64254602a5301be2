/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * nvdimm-dax on -M virt: properties and defaults, guest physical address
 * alignment, the info block as the guest reads it, the rules that keep
 * user data in a backing file safe, every bad input refused with a
 * message and exit status 1, and the device tree node virt writes for it.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "contdax-qtest.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qjson.h"

#define MACHINE "-M virt,nvdimm=on -cpu max -m 1G,slots=4,maxmem=8G " \
                "-nodefaults "
/* virt puts device memory at the first GiB boundary above RAM */
#define DEVICE_MEMORY_BASE (0x40000000ULL + 1 * GiB)
#define NS_SIZE (32 * MiB)
#define INFO_OFF 4096

/* --- helpers ------------------------------------------------------- */

static uint64_t le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;

    for (int i = 0; i < bytes; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

/* Linux's nd_fletcher64 over the block with its checksum field zero. */
static uint64_t block_checksum(const uint8_t *block)
{
    uint32_t lo = 0;
    uint64_t hi = 0;

    for (int i = 0; i < 4096; i += 4) {
        lo += i == 4088 || i == 4092 ? 0 : (uint32_t)le(block + i, 4);
        hi += lo;
    }
    return hi << 32 | lo;
}

static void assert_block(const uint8_t *b, const char *sig, uint32_t mode,
                         uint64_t align, uint64_t dataoff, uint64_t npfns)
{
    g_assert_cmpmem(b, 16, sig, 16);
    g_assert_cmpuint(le(b + 52, 2), ==, 1);             /* version 1.4 */
    g_assert_cmpuint(le(b + 54, 2), ==, 4);
    g_assert_cmpuint(le(b + 56, 8), ==, dataoff);
    g_assert_cmpuint(le(b + 64, 8), ==, npfns);
    g_assert_cmpuint(le(b + 72, 4), ==, mode);
    g_assert_cmpuint(le(b + 84, 4), ==, align);
    g_assert_cmpuint(le(b + 88, 4), ==, 4096);
    g_assert_cmpuint(le(b + 92, 2), ==, 64);
    g_assert_cmphex(le(b + 4088, 8), ==, block_checksum(b));
}

static uint64_t device_addr(QTestState *qts, const char *id)
{
    QDict *resp = qmp_ok(qts, "{ 'execute': 'query-memory-devices' }");
    QListEntry *e;
    uint64_t addr = UINT64_MAX;

    QLIST_FOREACH_ENTRY(qdict_get_qlist(resp, "return"), e) {
        QDict *data = qdict_get_qdict(qobject_to(QDict, qlist_entry_obj(e)),
                                      "data");

        if (!g_strcmp0(qdict_get_try_str(data, "id"), id)) {
            addr = qdict_get_int(data, "addr");
        }
    }
    qobject_unref(resp);
    g_assert_cmphex(addr, !=, UINT64_MAX);
    return addr;
}

static char *qom_get_str(QTestState *qts, const char *path, const char *prop)
{
    QDict *resp = qmp_ok(qts, "{ 'execute': 'qom-get', 'arguments': "
                         "{ 'path': %s, 'property': %s } }", path, prop);
    char *value = g_strdup(qdict_get_str(resp, "return"));

    qobject_unref(resp);
    return value;
}

static int64_t qom_get_int(QTestState *qts, const char *path,
                           const char *prop)
{
    QDict *resp = qmp_ok(qts, "{ 'execute': 'qom-get', 'arguments': "
                         "{ 'path': %s, 'property': %s } }", path, prop);
    int64_t value = qdict_get_int(resp, "return");

    qobject_unref(resp);
    return value;
}

/*
 * Run QEMU with args that must make it fail at start-up; return its
 * stderr and check it exited with status 1 (not a signal: no crash).
 * The timeout only guards against a regression that lets QEMU run.
 */
static char *expect_startup_failure(const char *args)
{
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    g_autofree char *cmd = g_strdup_printf("timeout -s KILL 60 %s " MACHINE
                                           "-accel qtest -display none %s",
                                           qemu, args);
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *out = NULL;
    g_autofree char *errout = NULL;
    int status;

    g_assert_nonnull(qemu);
    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, &err));
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
                               NULL, &out, &errout, &status, &err));
    g_assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 1) {
        g_error("expected exit status 1, got %d; stderr: %s",
                WEXITSTATUS(status), errout);
    }
    return g_steal_pointer(&errout);
}

static void assert_refused(const char *args, const char *message)
{
    g_autofree char *err = expect_startup_failure(args);

    if (!strstr(err, message)) {
        g_error("expected '%s' in QEMU's error, got: %s", message, err);
    }
    /* one line: the message, nothing dumped after it */
    g_assert_true(g_str_has_suffix(err, "\n"));
    g_assert_cmpuint(strchr(err, '\n') - err, ==, strlen(err) - 1);
}

/* A zero-filled sparse backing file, optionally with bytes at offsets. */
static char *backing_file(void)
{
    g_autoptr(GError) err = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp("nvdimm-dax-XXXXXX", &path, &err);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, NS_SIZE), ==, 0);
    close(fd);
    return path;
}

static void poke(const char *path, off_t off, const char *bytes)
{
    int fd = open(path, O_WRONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, bytes, strlen(bytes), off), ==,
                    strlen(bytes));
    close(fd);
}

static uint8_t *read_file(const char *path)
{
    g_autoptr(GError) err = NULL;
    char *data;
    gsize len;

    g_assert_true(g_file_get_contents(path, &data, &len, &err));
    g_assert_cmpuint(len, ==, NS_SIZE);
    return (uint8_t *)data;
}

static bool is_zero(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

static char *file_args(const char *path, const char *extra_backend,
                       const char *extra_device)
{
    return g_strdup_printf("-object memory-backend-file,id=m0,share=on,"
                           "mem-path=%s,size=%llu%s "
                           "-device nvdimm-dax,id=d0,memdev=m0%s", path,
                           (unsigned long long)NS_SIZE, extra_backend,
                           extra_device);
}

static QTestState *start_on_file(const char *path, const char *extra_backend,
                                 const char *extra_device)
{
    g_autofree char *args = file_args(path, extra_backend, extra_device);

    return qtest_initf(MACHINE "%s", args);
}

/* --- properties and placement --------------------------------------- */

static void test_defaults(void)
{
    QTestState *qts = qtest_init(MACHINE
                        "-object memory-backend-ram,id=m0,size=32M "
                        "-device nvdimm-dax,id=d0,memdev=m0");
    const char *dev = "/machine/peripheral/d0";
    g_autofree char *memmap = qom_get_str(qts, dev, "memmap");
    g_autofree char *mode = qom_get_str(qts, dev, "mode");
    g_autofree char *format = qom_get_str(qts, dev, "format");

    g_assert_cmpint(qom_get_int(qts, dev, "align"), ==, 2 * MiB);
    g_assert_cmpint(qom_get_int(qts, dev, "page-size"), ==, 0);
    g_assert_cmpstr(memmap, ==, "dev");
    g_assert_cmpstr(mode, ==, "devdax");
    g_assert_cmpstr(format, ==, "auto");
    g_assert_cmphex(device_addr(qts, "d0"), ==, DEVICE_MEMORY_BASE);
    qtest_quit(qts);
}

/*
 * The choices are QAPI enums and every property says its type and
 * default, as -device nvdimm-dax,help and device-list-properties show
 * them; a realized device refuses a change.
 */
static void test_properties_introspected(void)
{
    static const struct {
        const char *name, *type, *def;
    } expect[] = {
        { "align", "size", "2097152" },
        { "page-size", "size", "0" },
        { "memmap", "NvdimmDaxMemmap", "\"dev\"" },
        { "mode", "NvdimmDaxMode", "\"devdax\"" },
        { "format", "NvdimmDaxFormat", "\"auto\"" },
    };
    QTestState *qts = qtest_init(MACHINE
                        "-object memory-backend-ram,id=m0,size=32M "
                        "-device nvdimm-dax,id=d0,memdev=m0");
    QDict *resp = qmp_ok(qts, "{ 'execute': 'device-list-properties', "
                         "'arguments': { 'typename': 'nvdimm-dax' } }");
    QList *props = qdict_get_qlist(resp, "return");

    for (size_t i = 0; i < ARRAY_SIZE(expect); i++) {
        QListEntry *e;
        bool found = false;

        QLIST_FOREACH_ENTRY(props, e) {
            QDict *prop = qobject_to(QDict, qlist_entry_obj(e));
            g_autoptr(GString) def = NULL;

            if (strcmp(qdict_get_str(prop, "name"), expect[i].name)) {
                continue;
            }
            def = qobject_to_json(qdict_get(prop, "default-value"));
            g_assert_cmpstr(qdict_get_str(prop, "type"), ==, expect[i].type);
            g_assert_cmpstr(def->str, ==, expect[i].def);
            g_assert_nonnull(qdict_get_try_str(prop, "description"));
            found = true;
        }
        g_assert_true(found);
    }
    qobject_unref(resp);

    resp = qtest_qmp(qts, "{ 'execute': 'qom-set', 'arguments': { 'path': "
                     "'/machine/peripheral/d0', 'property': 'align', "
                     "'value': 4096 } }");
    g_assert_nonnull(qdict_get(resp, "error"));
    qobject_unref(resp);
    g_assert_cmpint(qom_get_int(qts, "/machine/peripheral/d0", "align"), ==,
                    2 * MiB);
    qtest_quit(qts);
}

/*
 * A 6 MiB nvdimm-dax first, so that the next free address is
 * DEVICE_MEMORY_BASE + 6M: the second device must land on the next
 * boundary of its alignment (at least 2 MiB, memremap's).
 */
static void test_gpa_align(const void *opaque)
{
    uint64_t align = *(const uint64_t *)opaque;
    uint64_t want = ROUND_UP(DEVICE_MEMORY_BASE + 6 * MiB,
                             MAX(align, 2 * MiB));
    QTestState *qts = qtest_initf(MACHINE
                        "-object memory-backend-ram,id=m0,size=6M "
                        "-object memory-backend-ram,id=m1,size=2G "
                        "-device nvdimm-dax,id=d0,memdev=m0,align=4K "
                        "-device nvdimm-dax,id=d1,memdev=m1,align=%" PRIu64,
                        align);

    g_assert_cmphex(device_addr(qts, "d0"), ==, DEVICE_MEMORY_BASE);
    g_assert_cmphex(device_addr(qts, "d1"), ==, want);
    qtest_quit(qts);
}

/* The block as the guest reads it at namespace offset 4 KiB. */
static void test_guest_reads_block(void)
{
    static const struct {
        const char *props;
        const char *sig;
        uint32_t mode;
        uint64_t align, dataoff, npfns;
    } cases[] = {
        /* memmap=dev: 8190 pages * 64 bytes + 8K rounds up to 2M */
        { "", "NVDIMM_DAX_INFO", 2, 2 * MiB, 2 * MiB, 7680 },
        { ",memmap=ram,align=4K", "NVDIMM_DAX_INFO", 1, 4 * KiB, 2 * MiB,
          7680 },
        { ",mode=fsdax,memmap=ram", "NVDIMM_PFN_INFO", 1, 2 * MiB, 2 * MiB,
          7680 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        QTestState *qts = qtest_initf(MACHINE
                            "-object memory-backend-ram,id=m0,size=32M "
                            "-device nvdimm-dax,id=d0,memdev=m0%s",
                            cases[i].props);
        uint64_t addr = device_addr(qts, "d0");
        uint8_t block[4096], head[4096];

        qtest_memread(qts, addr + INFO_OFF, block, sizeof(block));
        assert_block(block, cases[i].sig, cases[i].mode, cases[i].align,
                     cases[i].dataoff, cases[i].npfns);
        qtest_memread(qts, addr, head, sizeof(head));
        g_assert_true(is_zero(head, sizeof(head)));
        qtest_quit(qts);
    }
}

/* Upstream's plain nvdimm is cold-pluggable by device tree too. */
static void test_plain_nvdimm(void)
{
    QTestState *qts = qtest_init(MACHINE
                        "-object memory-backend-ram,id=m0,size=32M "
                        "-device nvdimm,id=n0,memdev=m0");
    uint8_t block[4096];

    qtest_memread(qts, device_addr(qts, "n0") + INFO_OFF, block,
                  sizeof(block));
    g_assert_true(is_zero(block, sizeof(block)));
    qtest_quit(qts);
}

/* --- the backing file's data is safe ---------------------------------- */

static void test_format_fresh_then_same(void)
{
    g_autofree char *path = backing_file();
    g_autofree uint8_t *first = NULL, *second = NULL;
    QTestState *qts = start_on_file(path, "", "");

    qtest_quit(qts);
    first = read_file(path);
    assert_block(first + INFO_OFF, "NVDIMM_DAX_INFO", 2, 2 * MiB, 2 * MiB,
                 7680);
    /* only the info block was written */
    g_assert_true(is_zero(first, INFO_OFF));
    g_assert_true(is_zero(first + 2 * INFO_OFF, NS_SIZE - 2 * INFO_OFF));

    /* same parameters: accepted as is, uuid and all */
    qts = start_on_file(path, "", "");
    qtest_quit(qts);
    second = read_file(path);
    g_assert_cmpmem(first, NS_SIZE, second, NS_SIZE);
    unlink(path);
}

static void test_format_other_block(void)
{
    g_autofree char *path = backing_file();
    g_autofree char *args = file_args(path, "", ",align=4K");
    g_autofree uint8_t *before = NULL, *after = NULL;

    qtest_quit(start_on_file(path, "", ""));
    before = read_file(path);
    assert_refused(args, "holds devdax block, align 2097152, memmap dev");
    g_free(args);
    args = file_args(path, "", ",uuid=00000000-0000-0000-0000-000000000001");
    assert_refused(args, "format=force replaces it");
    after = read_file(path);
    g_assert_cmpmem(before, NS_SIZE, after, NS_SIZE);
    unlink(path);
}

static void test_format_foreign_then_force(void)
{
    g_autofree char *path = backing_file();
    g_autofree char *args = file_args(path, "", "");
    g_autofree uint8_t *data = NULL;

    poke(path, 100, "partition table");
    poke(path, 5000, "filesystem");
    poke(path, 9000, "user data");
    assert_refused(args, "non-zero data that is no valid info block");
    data = read_file(path);
    g_assert_cmpmem(data + 5000, 10, "filesystem", 10);
    g_free(data);

    qtest_quit(start_on_file(path, "", ",format=force"));
    data = read_file(path);
    assert_block(data + INFO_OFF, "NVDIMM_DAX_INFO", 2, 2 * MiB, 2 * MiB,
                 7680);
    /* outside the info block, nothing changed */
    g_assert_cmpmem(data + 100, 15, "partition table", 15);
    g_assert_cmpmem(data + 9000, 9, "user data", 9);
    unlink(path);
}

/*
 * Make a disk image of @size bytes with @tool ("%s" is the image's path);
 * the tools come from Debian packages that contdax's setup installs.
 */
static char *disk_image(uint64_t size, const char *tool, const char *input)
{
    g_autoptr(GError) err = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp("nvdimm-dax-disk-XXXXXX", &path, &err);
    g_autofree char *cmd = NULL;
    g_autofree char *out = NULL, *errout = NULL;
    g_auto(GStrv) argv = NULL;
    int status;

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, size), ==, 0);
    close(fd);
    if (input) {
        cmd = g_strdup_printf("sh -c 'printf \"%s\" | %s %s'", input, tool,
                              path);
    } else {
        cmd = g_strdup_printf(tool, path);
    }
    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, &err));
    g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
                               NULL, &out, &errout, &status, &err));
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_error("'%s' failed: %s", cmd, errout);
    }
    return path;
}

/* The offset of the first non-zero byte of @path, which has one. */
static uint64_t first_data(const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *data = NULL;
    gsize len, i = 0;

    g_assert_true(g_file_get_contents(path, &data, &len, &err));
    while (i < len && !data[i]) {
        i++;
    }
    g_assert_cmpuint(i, <, len);
    return i;
}

typedef struct DiskImage {
    const char *name;
    uint64_t size;
    const char *tool;       /* command: %s is the image; or, with input, */
    const char *input;      /* the image is its last argument and this */
                            /* is printf'd to its standard input */
    bool info_area_zero;    /* the image leaves bytes 4096-8191 zero */
} DiskImage;

/*
 * format=auto on a disk image (or any file with data): refused, and not
 * one byte of the image changes.  Where the info block area happens to be
 * zero (a GPT or MBR image, data at the end) the error names the first
 * data's offset; a filesystem that uses the area is refused as before.
 */
static void test_format_disk_image(const void *opaque)
{
    const DiskImage *img = opaque;
    g_autofree char *path = disk_image(img->size, img->tool, img->input);
    g_autofree char *args = g_strdup_printf(
        "-object memory-backend-file,id=m0,share=on,mem-path=%s,size=%"
        PRIu64 " -device nvdimm-dax,id=d0,memdev=m0,align=2M", path,
        img->size);
    g_autoptr(GError) err = NULL;
    g_autofree char *before = NULL, *after = NULL;
    g_autofree char *message = NULL;
    gsize before_len, after_len;

    g_assert_true(g_file_get_contents(path, &before, &before_len, &err));
    if (is_zero((uint8_t *)before + INFO_OFF, INFO_OFF)) {
        message = g_strdup_printf("holds data at offset 0x%" PRIx64
                                  " and no info block", first_data(path));
    } else {
        message = g_strdup("non-zero data that is no valid info block");
    }
    g_assert_cmpint(img->info_area_zero, ==,
                    is_zero((uint8_t *)before + INFO_OFF, INFO_OFF));
    assert_refused(args, message);
    assert_refused(args, "format=never leaves it");
    g_assert_true(g_file_get_contents(path, &after, &after_len, &err));
    g_assert_cmpmem(before, before_len, after, after_len);
    unlink(path);
}

/* An allocated file of zeroes (dd if=/dev/zero) is empty: it is formatted. */
static void test_format_allocated_zeroes(void)
{
    g_autofree char *path = backing_file();
    g_autofree uint8_t *zeroes = g_malloc0(NS_SIZE), *data = NULL;
    int fd = open(path, O_WRONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, zeroes, NS_SIZE, 0), ==, NS_SIZE);
    g_assert_cmpint(fsync(fd), ==, 0);
    close(fd);
    qtest_quit(start_on_file(path, "", ""));
    data = read_file(path);
    assert_block(data + INFO_OFF, "NVDIMM_DAX_INFO", 2, 2 * MiB, 2 * MiB,
                 7680);
    unlink(path);
}

static void test_format_never(void)
{
    g_autofree char *path = backing_file();
    g_autofree uint8_t *data = NULL;

    qtest_quit(start_on_file(path, "", ",format=never"));
    data = read_file(path);
    g_assert_true(is_zero(data, NS_SIZE));
    unlink(path);
}

static void test_format_readonly(void)
{
    g_autofree char *path = backing_file();
    g_autofree char *args = file_args(path, ",readonly=on",
                                      ",unarmed=on");

    assert_refused(args, "is read-only");
    /* once formatted, a read-only backend is fine */
    qtest_quit(start_on_file(path, "", ""));
    qtest_quit(start_on_file(path, ",readonly=on", ",unarmed=on"));
    unlink(path);
}

/* --- bad input ------------------------------------------------------- */

static void test_bad_input(void)
{
    static const struct {
        const char *device;
        const char *message;
    } cases[] = {
        { ",align=3M", "Property 'nvdimm-dax.align' (0x300000) must be one "
          "of 4K, 16K, 64K, 2M, 32M, 512M, 1G" },
        { ",align=1G", "does not fit memdev m0" },
        { ",page-size=8K", "Property 'nvdimm-dax.page-size' (0x2000) must "
          "be one of 4K, 16K, 64K, 0 (from align)" },
        { ",memmap=disk", "Property 'nvdimm-dax.memmap' does not accept "
          "'disk'; valid values: dev, ram" },
        { ",mode=btt", "valid values: devdax, fsdax" },
        { ",format=yes", "valid values: auto, never, force" },
        { ",label-size=128K", "'nvdimm-dax.label-size' is not supported" },
        { ",addr=0x80100000", "address must be aligned to 0x200000" },
        { ",align=32M,addr=0x81000000", "address must be aligned to "
          "0x2000000" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *args = g_strdup_printf(
            "-object memory-backend-ram,id=m0,size=32M "
            "-device nvdimm-dax,memdev=m0%s", cases[i].device);

        assert_refused(args, cases[i].message);
    }
}

/* Without acpi-ged (no firmware) nothing can announce a hotplugged DIMM. */
static void test_hotplug_refused(void)
{
    QTestState *qts = qtest_init(MACHINE
                        "-object memory-backend-ram,id=m0,size=32M");
    QDict *resp = qtest_qmp(qts, "{ 'execute': 'device_add', 'arguments': "
                            "{ 'driver': 'nvdimm-dax', 'memdev': 'm0' } }");

    g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(resp, "error"),
                                          "desc"),
                            "nvdimms can only be present at start-up"));
    qobject_unref(resp);
    qtest_quit(qts);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/*
 * Property @prop of the node named @name in the flattened device tree
 * @fdt (Devicetree Specification, 5.4: tokens of the structure block),
 * its length in *@len; NULL if either is missing.
 */
static const uint8_t *fdt_prop(const uint8_t *fdt, const char *name,
                               const char *prop, uint32_t *len)
{
    const uint8_t *p = fdt + be32(fdt + 8);
    const char *strings = (const char *)fdt + be32(fdt + 12);
    int depth = 0, found = -1;

    g_assert_cmphex(be32(fdt), ==, 0xd00dfeed);
    for (;;) {
        uint32_t token = be32(p);

        p += 4;
        switch (token) {
        case 1:                                         /* BEGIN_NODE */
            depth++;
            if (found < 0 && !strcmp((const char *)p, name)) {
                found = depth;
            }
            p += ROUND_UP(strlen((const char *)p) + 1, 4);
            break;
        case 2:                                         /* END_NODE */
            if (depth-- == found) {
                return NULL;
            }
            break;
        case 3:                                         /* PROP */
            if (depth == found && !strcmp(strings + be32(p + 4), prop)) {
                *len = be32(p);
                return p + 8;
            }
            p += 8 + ROUND_UP(be32(p), 4);
            break;
        case 4:                                         /* NOP */
            break;
        default:                                        /* END */
            return NULL;
        }
    }
}

/*
 * -M virt describes each cold-plugged NVDIMM as a pmem-region node that
 * names the DIMM's NUMA node (Linux's kmem onlines no region without).
 */
static void test_device_tree_node(void)
{
    QTestState *qts = qtest_init(MACHINE
                        "-object memory-backend-ram,id=r0,size=512M "
                        "-object memory-backend-ram,id=r1,size=512M "
                        "-numa node,nodeid=0,memdev=r0 "
                        "-numa node,nodeid=1,memdev=r1 "
                        "-object memory-backend-ram,id=m0,size=32M "
                        "-device nvdimm-dax,id=d0,memdev=m0,node=1");
    g_autofree char *dtb_path = g_strdup_printf("%s/nvdimm-dax-dtb-%d",
                                                g_get_tmp_dir(), getpid());
    g_autofree char *name = g_strdup_printf("pmem@%" PRIx64,
                                            device_addr(qts, "d0"));
    g_autofree uint8_t *dtb = NULL;
    const uint8_t *v;
    uint32_t len;

    qobject_unref(qmp_ok(qts, "{ 'execute': 'dumpdtb', 'arguments': "
                         "{ 'filename': %s } }", dtb_path));
    g_assert_true(g_file_get_contents(dtb_path, (char **)&dtb, NULL, NULL));
    unlink(dtb_path);
    v = fdt_prop(dtb, name, "compatible", &len);
    g_assert_nonnull(v);
    g_assert_cmpstr((const char *)v, ==, "pmem-region");
    v = fdt_prop(dtb, name, "reg", &len);
    g_assert_nonnull(v);
    g_assert_cmpuint(len, ==, 16);
    g_assert_cmphex((uint64_t)be32(v) << 32 | be32(v + 4), ==,
                    device_addr(qts, "d0"));
    g_assert_cmphex((uint64_t)be32(v + 8) << 32 | be32(v + 12), ==, NS_SIZE);
    v = fdt_prop(dtb, name, "numa-node-id", &len);
    g_assert_nonnull(v);
    g_assert_cmpuint(len, ==, 4);
    g_assert_cmpuint(be32(v), ==, 1);
    qtest_quit(qts);
}

/*
 * The device tree is guest ABI: virt-10.0 keeps the one it had, and so
 * still refuses an NVDIMM without acpi-ged, as before the pmem-region
 * nodes.
 */
static void test_virt_10_0_compat(void)
{
    g_autofree char *err = expect_startup_failure(
        "-M virt-10.0 -object memory-backend-ram,id=m0,size=32M "
        "-device nvdimm-dax,memdev=m0");

    g_assert_nonnull(strstr(err, "memory hotplug is not enabled: missing "
                                 "acpi-ged device\n"));
}

int main(int argc, char **argv)
{
    static const uint64_t aligns[] = {
        4 * KiB, 2 * MiB, 32 * MiB, 512 * MiB, 1 * GiB,
    };

    static const DiskImage disk_images[] = {
        /* one 8M partition, as the disk image that auto used to damage */
        { "gpt", NS_SIZE, "sfdisk -q", "label: gpt\\n,8M\\n", true },
        { "mbr", NS_SIZE, "sfdisk -q", "label: dos\\n,8M\\n", true },
        { "ext4", NS_SIZE, "mkfs.ext4 -q -F %s", NULL, false },
        /* xfs needs 300M at least */
        { "xfs", 512 * MiB, "mkfs.xfs -q -f %s", NULL, false },
        /* one byte, in the last page */
        { "data-at-end", NS_SIZE,
          "sh -c 'printf x | dd of=%s bs=1 seek=33554431 conv=notrunc "
          "status=none'", NULL, true },
    };

    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/nvdimm-dax/defaults", test_defaults);
    qtest_add_func("/nvdimm-dax/properties-introspected",
                   test_properties_introspected);
    for (size_t i = 0; i < G_N_ELEMENTS(aligns); i++) {
        g_autofree char *name = g_strdup_printf("/nvdimm-dax/gpa-align/%"
                                                PRIu64 "K", aligns[i] / KiB);

        qtest_add_data_func(name, &aligns[i], test_gpa_align);
    }
    qtest_add_func("/nvdimm-dax/guest-reads-block", test_guest_reads_block);
    qtest_add_func("/nvdimm-dax/plain-nvdimm", test_plain_nvdimm);
    qtest_add_func("/nvdimm-dax/format/fresh-then-same",
                   test_format_fresh_then_same);
    qtest_add_func("/nvdimm-dax/format/other-block", test_format_other_block);
    qtest_add_func("/nvdimm-dax/format/foreign-then-force",
                   test_format_foreign_then_force);
    for (size_t i = 0; i < G_N_ELEMENTS(disk_images); i++) {
        g_autofree char *name = g_strdup_printf(
            "/nvdimm-dax/format/disk-image/%s", disk_images[i].name);

        qtest_add_data_func(name, &disk_images[i], test_format_disk_image);
    }
    qtest_add_func("/nvdimm-dax/format/allocated-zeroes",
                   test_format_allocated_zeroes);
    qtest_add_func("/nvdimm-dax/format/never", test_format_never);
    qtest_add_func("/nvdimm-dax/format/readonly", test_format_readonly);
    qtest_add_func("/nvdimm-dax/bad-input", test_bad_input);
    qtest_add_func("/nvdimm-dax/hotplug-refused", test_hotplug_refused);
    qtest_add_func("/nvdimm-dax/device-tree-node", test_device_tree_node);
    qtest_add_func("/nvdimm-dax/virt-10.0-compat", test_virt_10_0_compat);
    return g_test_run();
}
