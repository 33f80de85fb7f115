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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(debian_bookworm),
		cmocka_unit_test(quoting_forms),
		cmocka_unit_test(malformed_lines),
		cmocka_unit_test(os_release_reader_fallback),
		cmocka_unit_test(dmi_fallback_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
