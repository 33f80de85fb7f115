/* SPDX-License-Identifier: MIT */
/* The platform parsers: os-release(5) quoting and malformed lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static const char *const keys[] = { "ID", "VERSION_ID", "PRETTY_NAME",
				    "VERSION_CODENAME" };
#define N_KEYS 4

static void parse(const char *text, size_t len, char **v)
{
	memset(v, 0, N_KEYS * sizeof(*v));
	assert_int_equal(hctx_parse_os_release(text, len, keys, N_KEYS, v), 0);
}

static void clear(char **v)
{
	for (size_t k = 0; k < N_KEYS; k++)
		free(v[k]);
}

/* Debian 12's file, as on the development VM. */
static void debian_bookworm(void **state)
{
	static const char text[] =
		"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
		"NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n"
		"VERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n"
		"HOME_URL=\"https://www.debian.org/\"\n";
	char *v[N_KEYS];

	(void)state;
	parse(text, sizeof(text) - 1, v);
	assert_string_equal(v[0], "debian");
	assert_string_equal(v[1], "12");
	assert_string_equal(v[2], "Debian GNU/Linux 12 (bookworm)");
	assert_string_equal(v[3], "bookworm");
	clear(v);
}

static void quoting_forms(void **state)
{
	static const char text[] =
		"ID='single \\\" kept'\n"
		"VERSION_ID=\"a\\\"b\\\\c\\$d\\`e\\nf\"\n"
		"PRETTY_NAME=plain value  \r\n"
		"  # a comment\n\n"
		"VERSION_CODENAME=\"\"\n";
	char *v[N_KEYS];

	(void)state;
	parse(text, sizeof(text) - 1, v);
	assert_string_equal(v[0], "single \\\" kept");
	assert_string_equal(v[1], "a\"b\\c$d`e\\nf");
	assert_string_equal(v[2], "plain value");	/* CRLF and blanks cut */
	assert_null(v[3]);				/* empty: unset */
	clear(v);
}

static void malformed_lines(void **state)
{
	char text[5000];
	char *v[N_KEYS];
	int n;

	(void)state;
	n = snprintf(text, sizeof(text),
		     "ID=\"unterminated\nVERSION_ID=\"1\" junk\n"
		     "PRETTY_NAME\nVERSION_CODENAME='x'y\nID\xff=1\n");
	parse(text, (size_t)n, v);
	for (size_t k = 0; k < N_KEYS; k++)
		assert_null(v[k]);
	/* non-UTF-8, a NUL inside, and a line over 4 KiB are skipped */
	parse("ID=\xc3(\nVERSION_ID=1\0x\n", 19, v);
	assert_null(v[0]);
	assert_null(v[1]);
	memset(text, 'a', sizeof(text));
	memcpy(text, "ID=", 3);
	parse(text, sizeof(text), v);
	assert_null(v[0]);
	/* the last assignment wins; no final newline */
	parse("ID=a\nID=b", 9, v);
	assert_string_equal(v[0], "b");
	clear(v);
	parse("", 0, v);
	assert_null(v[0]);
}

static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int read_in(const char *dir, struct hctx_value **v)
{
	struct hostctx_root *root = NULL;
	struct hctx_reader rd = { 0 };
	int r;

	assert_int_equal(hostctx_root_open(dir, &root), 0);
	rd.root = root;
	rd.buf = root->scratch;
	r = hctx_read_os_release(&rd, NULL, v);
	hostctx_root_close(root);
	return r;
}

/* etc/os-release first, else usr/lib/os-release; absent without either. */
static void os_release_reader_fallback(void **state)
{
	char dir[] = "/tmp/hctx-platform-XXXXXX", path[512];
	struct hctx_value *v = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(read_in(dir, &v), -ENOENT);
	snprintf(path, sizeof(path), "%s/usr", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/usr/lib", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc", dir);
	mkdir(path, 0755);
	write_file(dir, "usr/lib/os-release", "ID=fedora\nVERSION_ID=41\n");
	assert_int_equal(read_in(dir, &v), 0);
	assert_string_equal(v->rec.slot[0]->s, "fedora");
	assert_string_equal(v->rec.slot[1]->s, "41");
	assert_null(v->rec.slot[2]);
	hctx_value_free(v);
	write_file(dir, "etc/os-release", "# nothing we keep\nNAME=x\n");
	assert_int_equal(read_in(dir, &v), -ENODATA);
	write_file(dir, "etc/os-release", "ID=\"arch\"\n");
	assert_int_equal(read_in(dir, &v), 0);
	assert_string_equal(v->rec.slot[0]->s, "arch");
	hctx_value_free(v);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

static int dmi_in(const char *dir, struct hctx_value **v)
{
	struct hostctx_root *root = NULL;
	struct hctx_reader rd = { 0 };
	int r;

	assert_int_equal(hostctx_root_open(dir, &root), 0);
	rd.root = root;
	rd.buf = root->scratch;
	r = hctx_read_dmi(&rd, NULL, v);
	hostctx_root_close(root);
	return r;
}

/* Members from the class path, else the devices path; serials never read. */
static void dmi_fallback_path(void **state)
{
	char dir[] = "/tmp/hctx-dmi-XXXXXX", cmd[600];
	struct hctx_value *v = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(dmi_in(dir, &v), -ENOENT);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/sys/class/dmi/id' "
		 "'%s/sys/devices/virtual/dmi/id'", dir, dir);
	assert_int_equal(system(cmd), 0);
	write_file(dir, "sys/class/dmi/id/sys_vendor", "QEMU\n");
	write_file(dir, "sys/class/dmi/id/product_serial", "SECRET\n");
	write_file(dir, "sys/devices/virtual/dmi/id/sys_vendor", "other\n");
	write_file(dir, "sys/devices/virtual/dmi/id/bios_date", " 04/01/2014 \n");
	assert_int_equal(dmi_in(dir, &v), 0);
	assert_int_equal(v->rec.n, 6);
	assert_string_equal(v->rec.slot[0]->s, "QEMU");
	assert_null(v->rec.slot[1]);
	assert_string_equal(v->rec.slot[5]->s, "04/01/2014");
	hctx_value_free(v);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* ---- hypervisor ------------------------------------------------------ */

static void hypervisor_signatures_and_texts(void **state)
{
	/* real s390 sysinfo lines (the fixtures' z/VM and LPAR machines) */
	static const char zvm[] = "Manufacturer:         IBM\nType:                 2817\n"
				  "VM00 Name:            LINUX\n"
				  "VM00 Control Program: z/VM    6.1.0\n";
	static const char kvm[] = "VM00 Control Program: KVM/Linux\n";
	static const char lpar[] = "Manufacturer:         IBM\nLPAR Name:            L1\n";
	static const char pseries[] = "qemu,pseries\0";
	static const char powernv[] = "ibm,powernv\0ibm,power8\0";
	static const char other[] = "ibm,pSeries\0";

	(void)state;
	assert_string_equal(hctx_hypervisor_of_cpuid("KVMKVMKVM"), "kvm");
	assert_string_equal(hctx_hypervisor_of_cpuid("Microsoft Hv"), "microsoft");
	assert_string_equal(hctx_hypervisor_of_cpuid(" lrpepyh  vr"), "parallels");
	assert_string_equal(hctx_hypervisor_of_cpuid("SomethingNew"), "unknown");
	assert_string_equal(hctx_hypervisor_of_type("xen"), "xen");
	assert_string_equal(hctx_hypervisor_of_type("s390"), "unknown");
	assert_null(hctx_hypervisor_of_type(""));
	assert_string_equal(hctx_hypervisor_of_sysinfo(zvm, sizeof(zvm) - 1), "zvm");
	assert_string_equal(hctx_hypervisor_of_sysinfo(kvm, sizeof(kvm) - 1), "kvm");
	assert_string_equal(hctx_hypervisor_of_sysinfo(lpar, sizeof(lpar) - 1), "lpar");
	/* a KVM outside a Control Program: line does not count */
	assert_string_equal(hctx_hypervisor_of_sysinfo("Name: KVM\n", 10), "lpar");
	assert_string_equal(hctx_hypervisor_of_compatible(pseries, sizeof(pseries) - 1), "kvm");
	assert_string_equal(hctx_hypervisor_of_compatible(powernv, sizeof(powernv) - 1), "none");
	assert_null(hctx_hypervisor_of_compatible(other, sizeof(other) - 1));
	assert_null(hctx_hypervisor_of_compatible("", 0));
	assert_string_equal(hctx_hypervisor_of_dmi("QEMU", NULL), "qemu");
	assert_string_equal(hctx_hypervisor_of_dmi("innotek GmbH", "VirtualBox"), "virtualbox");
	assert_string_equal(hctx_hypervisor_of_dmi("Microsoft Corporation", "Virtual Machine"),
			    "microsoft");
	assert_null(hctx_hypervisor_of_dmi("Microsoft Corporation", "Surface Book"));
	assert_null(hctx_hypervisor_of_dmi("Amazon EC2", "m5.metal"));
}

static void cpuinfo_flags(void **state)
{
	static const char x86[] = "processor\t: 0\nflags\t\t: fpu vme hypervisor lahf_lm\n\n"
				  "processor\t: 1\nflags\t\t: fpu\n\n";
	static const char second[] = "processor\t: 0\nflags\t\t: fpu\n\n"
				     "processor\t: 1\nflags\t\t: hypervisor\n\n";
	static const char prefix[] = "flags\t\t: fpu hypervisorx xhypervisor\n";
	static const char last[] = "flags\t: fpu hypervisor";

	(void)state;
	assert_true(hctx_cpuinfo_has_flag(x86, sizeof(x86) - 1, "hypervisor"));
	assert_false(hctx_cpuinfo_has_flag(second, sizeof(second) - 1, "hypervisor"));
	assert_false(hctx_cpuinfo_has_flag(prefix, sizeof(prefix) - 1, "hypervisor"));
	assert_true(hctx_cpuinfo_has_flag(last, sizeof(last) - 1, "hypervisor"));
	assert_false(hctx_cpuinfo_has_flag("", 0, "hypervisor"));
}

static const char *hypervisor_in(const char *dir, const char **source)
{
	static char value[32], src[32];
	struct hostctx_root *root = NULL;
	struct hostctx_snapshot *s = NULL;
	const char *v = NULL, *so = NULL;

	assert_int_equal(hostctx_root_open(dir, &root), 0);
	assert_int_equal(hostctx_snapshot_take(root, &s), 0);
	hostctx_root_close(root);
	if (hostctx_snapshot_get_string(s, "hypervisor", &v) < 0) {
		assert_int_not_equal(hostctx_snapshot_get_string(s, "hypervisor_source", &so), 0);
		hostctx_snapshot_free(s);
		return NULL;
	}
	assert_int_equal(hostctx_snapshot_get_string(s, "hypervisor_source", &so), 0);
	snprintf(value, sizeof(value), "%s", v);
	snprintf(src, sizeof(src), "%s", so);
	hostctx_snapshot_free(s);
	*source = src;
	return value;
}

/* The probes in order under a root; "none" is never inferred there. */
static void hypervisor_probe_order(void **state)
{
	char dir[] = "/tmp/hctx-hv-XXXXXX", cmd[600];
	const char *source = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/proc/device-tree' '%s/sys/class/dmi/id' "
		 "'%s/sys/hypervisor'", dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	assert_null(hypervisor_in(dir, &source));
	write_file(dir, "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu hypervisor\n\n");
	assert_string_equal(hypervisor_in(dir, &source), "unknown");
	assert_string_equal(source, "cpuinfo_flag");
	write_file(dir, "sys/class/dmi/id/sys_vendor", "QEMU\n");
	assert_string_equal(hypervisor_in(dir, &source), "qemu");
	assert_string_equal(source, "dmi");
	/* powernv is bare metal: under a root that decides nothing */
	write_file(dir, "proc/device-tree/compatible", "ibm,powernv");
	assert_string_equal(hypervisor_in(dir, &source), "qemu");
	write_file(dir, "proc/device-tree/ibm,partition-name", "SECRET-LPAR");
	assert_string_equal(hypervisor_in(dir, &source), "powervm");
	assert_string_equal(source, "device_tree");
	write_file(dir, "proc/sysinfo", "LPAR Name: SECRET\n");
	assert_string_equal(hypervisor_in(dir, &source), "lpar");
	assert_string_equal(source, "sysinfo");
	write_file(dir, "sys/hypervisor/type", "xen\n");
	assert_string_equal(hypervisor_in(dir, &source), "xen");
	assert_string_equal(source, "sys_hypervisor");
	/* a source that is there but unreadable omits both: no later probe answers */
	snprintf(cmd, sizeof(cmd), "rm '%s/sys/hypervisor/type' && mkdir '%s/sys/hypervisor/type'",
		 dir, dir);
	assert_int_equal(system(cmd), 0);
	assert_null(hypervisor_in(dir, &source));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Live on x86: the cpuid probe decides, whatever the tree says. */
static void hypervisor_live(void **state)
{
	const char *source = NULL, *v;

	(void)state;
	v = hypervisor_in("/", &source);
#if defined(__x86_64__) || defined(__i386__)
	assert_non_null(v);
	assert_string_equal(source, "cpuid");
#else
	(void)v;
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(debian_bookworm),
		cmocka_unit_test(quoting_forms),
		cmocka_unit_test(malformed_lines),
		cmocka_unit_test(os_release_reader_fallback),
		cmocka_unit_test(dmi_fallback_path),
		cmocka_unit_test(hypervisor_signatures_and_texts),
		cmocka_unit_test(cpuinfo_flags),
		cmocka_unit_test(hypervisor_probe_order),
		cmocka_unit_test(hypervisor_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
