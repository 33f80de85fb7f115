/* SPDX-License-Identifier: MIT */
/*
 * The pure parsers of libhostctx, tested on strings: the rules the
 * reference's own tests pin (the reference's tests in host_context.rs, 9-31, 49-52 as
 * strings, 54-57, 59-69, 71-72, 74), plus real file contents and
 * malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "internal.h"

/* sizeof a literal minus its terminating NUL: literals may hold NULs. */
#define LIT(s) (s), (sizeof(s) - 1)

/* ---- helpers -------------------------------------------------------- */

struct identity {
	char *model;
	char *vendor;
};

static struct identity cpuinfo(const char *text, size_t len)
{
	struct identity id = { NULL, NULL };

	assert_int_equal(hctx_parse_cpuinfo(text, len, &id.model, &id.vendor, NULL), 0);
	return id;
}

static void identity_free(struct identity *id)
{
	free(id->model);
	free(id->vendor);
}

static void assert_identity(const char *text, size_t len, const char *model,
			    const char *vendor)
{
	struct identity id = cpuinfo(text, len);

	if (model) {
		assert_non_null(id.model);
		assert_string_equal(id.model, model);
	} else {
		assert_null(id.model);
	}
	if (vendor) {
		assert_non_null(id.vendor);
		assert_string_equal(id.vendor, vendor);
	} else {
		assert_null(id.vendor);
	}
	identity_free(&id);
}

/* One meminfo key's answer: hctx_meminfo_value's return and value. */
struct meminfo_key {
	int r;
	uint64_t value;
};

/* The four keys the snapshot's memory rows read, each asked on its own. */
struct meminfo_view {
	struct meminfo_key mem_total_kib;
	struct meminfo_key hugepages_total;
	struct meminfo_key hugepages_free;
	struct meminfo_key hugepages_size_kib;
};

static struct meminfo_key meminfo_key(const char *text, size_t len,
				      const char *key)
{
	struct meminfo_key k = { 0, 0xdeadbeef };

	k.r = hctx_meminfo_value(text, len, key, &k.value);
	if (k.r < 0)	/* out-parameters are written only on success */
		assert_int_equal(k.value, 0xdeadbeef);
	return k;
}

static struct meminfo_view meminfo(const char *text, size_t len)
{
	struct meminfo_view m;

	m.mem_total_kib = meminfo_key(text, len, "MemTotal");
	m.hugepages_total = meminfo_key(text, len, "HugePages_Total");
	m.hugepages_free = meminfo_key(text, len, "HugePages_Free");
	m.hugepages_size_kib = meminfo_key(text, len, "Hugepagesize");
	return m;
}

static void assert_u64(struct meminfo_key k, uint64_t expected)
{
	assert_int_equal(k.r, 0);
	assert_int_equal(k.value, expected);
}

/* Absent: -ENOENT when no line has the key, -EINVAL when none is a number. */
static void assert_absent(struct meminfo_key k, int err)
{
	assert_int_equal(k.r, err);
}

static void assert_trimmed(const char *text, size_t len, const char *expected)
{
	char *out = NULL;

	assert_int_equal(hctx_parse_trimmed(text, len, &out), 0);
	assert_non_null(out);
	assert_string_equal(out, expected);
	free(out);
}

static void assert_trimmed_error(const char *text, size_t len, int err)
{
	char *out = NULL;

	assert_int_equal(hctx_parse_trimmed(text, len, &out), err);
	assert_null(out);
}

/* Parse a cpulist that must be valid; the caller clears the set. */
static struct hctx_cpuset cpulist(const char *text, size_t len)
{
	struct hctx_cpuset s = { 0, NULL };

	assert_int_equal(hctx_parse_cpulist(text, len, &s), 0);
	return s;
}

static void assert_cpulist_count(const char *text, size_t len, size_t count)
{
	struct hctx_cpuset s = cpulist(text, len);

	assert_int_equal(hctx_cpuset_count(&s), count);
	hctx_cpuset_clear(&s);
}

static void assert_cpulist_invalid(const char *text, size_t len)
{
	struct hctx_cpuset s = { 0, NULL };

	assert_true(hctx_parse_cpulist(text, len, &s) < 0);
	hctx_cpuset_clear(&s);
}

static void assert_cpumask_invalid(const char *text, size_t len)
{
	struct hctx_cpuset s = { 0, NULL };

	assert_true(hctx_parse_cpumask(text, len, &s) < 0);
	hctx_cpuset_clear(&s);
}

static void assert_active(const char *s, const char *expected)
{
	const char *start = NULL;
	size_t len = 0;

	if (!expected) {
		assert_false(hostctx_bracketed_active(s, &start, &len));
		return;
	}
	assert_true(hostctx_bracketed_active(s, &start, &len));
	assert_non_null(start);
	assert_int_equal(len, strlen(expected));
	assert_memory_equal(start, expected, len);
}

/* ---- cpuinfo (reference 9-14, 21-23) --------------------------------- */

static const char x86_cpuinfo[] =
	"processor\t: 0\n"
	"vendor_id\t: GenuineIntel\n"
	"cpu family\t: 6\n"
	"model\t\t: 207\n"
	"model name\t: Intel(R) Xeon(R) Processor\n"
	"stepping\t: 2\n"
	"microcode\t: 0x1\n"
	"cpu MHz\t\t: 2100.000\n"
	"cache size\t: 307200 KB\n"
	"flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr\n"
	"bogomips\t: 4200.00\n"
	"address sizes\t: 46 bits physical, 57 bits virtual\n"
	"power management:\n"
	"\n"
	"processor\t: 1\n"
	"vendor_id\t: AuthenticAMD\n"
	"model name\t: AMD EPYC 9654 96-Core Processor\n"
	"\n";

static const char arm64_cpuinfo[] =
	"processor\t: 0\n"
	"BogoMIPS\t: 38.40\n"
	"Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics\n"
	"CPU implementer\t: 0x41\n"
	"CPU architecture: 8\n"
	"CPU variant\t: 0x1\n"
	"CPU part\t: 0xd46\n"
	"CPU revision\t: 1\n"
	"\n"
	"processor\t: 1\n"
	"BogoMIPS\t: 38.40\n"
	"\n";

/* s390: a machine header block comes first; it has vendor_id only. */
static const char s390_cpuinfo[] =
	"vendor_id       : IBM/S390\n"
	"# processors    : 4\n"
	"bogomips per cpu: 14367.00\n"
	"features\t: esan3 zarch stfle msa ldisp eimm dfp etf3eh highgprs \n"
	"processor 0: version = FF,  identification = 0D3F27,  machine = 2964\n"
	"processor 1: version = FF,  identification = 1D3F27,  machine = 2964\n"
	"\n"
	"cpu number      : 0\n"
	"model name      : should not be seen\n"
	"\n";

static void cpuinfo_x86_happy_path(void **state)
{
	assert_identity(LIT(x86_cpuinfo), "Intel(R) Xeon(R) Processor",
			"GenuineIntel");
}

static void cpuinfo_empty_input(void **state)
{
	assert_identity("", 0, NULL, NULL);
}

static void cpuinfo_arm64_has_neither(void **state)
{
	assert_identity(LIT(arm64_cpuinfo), NULL, NULL);
}

static void cpuinfo_s390_header_block(void **state)
{
	assert_identity(LIT(s390_cpuinfo), NULL, "IBM/S390");
}

static void cpuinfo_malformed_lines_skipped(void **state)
{
	assert_identity(LIT("processor 0 without colon\n"
			    "model name\n"
			    "model name\t:\n"
			    "model name\t:   \t\n"
			    "vendor_id:\n"
			    "garbage line\n"
			    "model name\t: Real Model\n"
			    "vendor_id\t: RealVendor\n"),
			"Real Model", "RealVendor");
}

static void cpuinfo_crlf(void **state)
{
	assert_identity(LIT("processor\t: 0\r\n"
			    "vendor_id\t: GenuineIntel\r\n"
			    "model name\t: Intel(R) Core(TM) i7\r\n"
			    "\r\n"
			    "processor\t: 1\r\n"),
			"Intel(R) Core(TM) i7", "GenuineIntel");
	/* A CRLF blank line ends the first block too. */
	assert_identity(LIT("model name : A\r\n\r\nvendor_id : V\r\n"), "A", NULL);
}

static void cpuinfo_first_block_only(void **state)
{
	assert_identity(LIT("processor\t: 0\n"
			    "model name\t: First\n"
			    "\n"
			    "processor\t: 1\n"
			    "model name\t: Second\n"
			    "vendor_id\t: SecondVendor\n"),
			"First", NULL);
}

static void cpuinfo_duplicate_first_wins(void **state)
{
	assert_identity(LIT("vendor_id : V1\n"
			    "model name : M1\n"
			    "vendor_id : V2\n"
			    "model name : M2\n"),
			"M1", "V1");
}

static void cpuinfo_value_with_colon(void **state)
{
	assert_identity(LIT("model name\t: Foo: Bar: Baz\n"
			    "vendor_id\t: a:b\n"),
			"Foo: Bar: Baz", "a:b");
}

static void cpuinfo_leading_blank_line(void **state)
{
	assert_identity(LIT("\nmodel name : M\nvendor_id : V\n"), NULL, NULL);
}

static void cpuinfo_inner_blanks_kept(void **state)
{
	assert_identity(LIT("model name\t: Intel(R) Xeon(R) CPU           X7550  @ 2.00GHz\n"),
			"Intel(R) Xeon(R) CPU           X7550  @ 2.00GHz", NULL);
}

static void cpuinfo_other_keys_do_not_count(void **state)
{
	/* loongarch "Model Name", old ARM "Processor", ia64 "vendor" */
	assert_identity(LIT("system type\t\t: generic-loongson-machine\n"
			    "Model Name\t\t: Loongson-3A5000\n"
			    "Processor\t: ARMv7 Processor rev 1 (v7l)\n"
			    "vendor     : GenuineIntel\n"
			    "cpu\t\t: 740/750\n"),
			NULL, NULL);
}

static void cpuinfo_no_trailing_newline(void **state)
{
	assert_identity(LIT("vendor_id : V\nmodel name : M"), "M", "V");
}

static void cpuinfo_length_is_respected(void **state)
{
	static const char text[] = "vendor_id : V\nmodel name : M\n";

	/* Only the first line is inside len. */
	assert_identity(text, strlen("vendor_id : V\n"), NULL, "V");
}

static void cpuinfo_first_block_end(void **state)
{
	static const char two[] = "processor: 0\nvendor_id: X\n\nprocessor: 1\n";
	size_t blank = strlen("processor: 0\nvendor_id: X\n");
	size_t end = hctx_cpuinfo_first_block_end(LIT(two));

	assert_true(end >= blank && end <= blank + 1);
	/* No blank line yet: the block has not ended. */
	assert_int_equal(hctx_cpuinfo_first_block_end(LIT("processor: 0\nvendor_id: X\n")), 0);
	assert_int_equal(hctx_cpuinfo_first_block_end("", 0), 0);
	assert_true(hctx_cpuinfo_first_block_end(LIT("a: b\r\n\r\nc: d\r\n")) > 0);
	end = hctx_cpuinfo_first_block_end(LIT(x86_cpuinfo));
	assert_true(end > 0);
	assert_true(end <= (size_t)(strstr(x86_cpuinfo, "processor\t: 1") - x86_cpuinfo));
}

/* ---- meminfo (reference 15-20, 24-27) -------------------------------- */

static const char real_meminfo[] =
	"MemTotal:   400016779264 kB\n"
	"MemFree:          105040 kB\n"
	"MemAvailable:     812345 kB\n"
	"Buffers:          452456 kB\n"
	"Cached:           290968 kB\n"
	"SwapCached:        12296 kB\n"
	"Active:           398736 kB\n"
	"HardwareCorrupted:     0 kB\n"
	"AnonHugePages:         0 kB\n"
	"ShmemHugePages:        0 kB\n"
	"FileHugePages:         0 kB\n"
	"HugePages_Total:       8\n"
	"HugePages_Free:        3\n"
	"HugePages_Rsvd:        0\n"
	"HugePages_Surp:        0\n"
	"Hugepagesize:       2048 kB\n"
	"Hugetlb:           16384 kB\n"
	"DirectMap4k:      171884 kB\n"
	"DirectMap2M:     3999744 kB\n";

static void meminfo_happy_path(void **state)
{
	struct meminfo_view m = meminfo(LIT(real_meminfo));

	assert_u64(m.mem_total_kib, 400016779264ull);	/* above 2^32 */
	assert_u64(m.hugepages_total, 8);
	assert_u64(m.hugepages_free, 3);
	assert_u64(m.hugepages_size_kib, 2048);
}

static void meminfo_empty_input(void **state)
{
	struct meminfo_view m = meminfo("", 0);

	assert_absent(m.mem_total_kib, -ENOENT);
	assert_absent(m.hugepages_total, -ENOENT);
	assert_absent(m.hugepages_free, -ENOENT);
	assert_absent(m.hugepages_size_kib, -ENOENT);
}

static void meminfo_missing_fields_stay_absent(void **state)
{
	struct meminfo_view m = meminfo(LIT("MemTotal: 1024 kB\nMemFree: 12 kB\n"));

	assert_u64(m.mem_total_kib, 1024);
	assert_absent(m.hugepages_total, -ENOENT);
	assert_absent(m.hugepages_free, -ENOENT);
	assert_absent(m.hugepages_size_kib, -ENOENT);
}

static void meminfo_zero_is_present(void **state)
{
	struct meminfo_view m = meminfo(LIT("HugePages_Total:       0\nHugePages_Free: 0\n"));

	assert_u64(m.hugepages_total, 0);
	assert_u64(m.hugepages_free, 0);
}

static void meminfo_non_numeric_skipped(void **state)
{
	struct meminfo_view m = meminfo(LIT("MemTotal: lots kB\n"
					   "HugePages_Total: 12abc\n"
					   "HugePages_Free: 4\n"
					   "Hugepagesize: 0x800 kB\n"));

	assert_absent(m.mem_total_kib, -EINVAL);
	assert_absent(m.hugepages_total, -EINVAL);
	assert_u64(m.hugepages_free, 4);
	assert_absent(m.hugepages_size_kib, -EINVAL);
}

static void meminfo_unknown_fields_tolerated(void **state)
{
	struct meminfo_view m = meminfo(LIT("FutureField: yes please\n"
					   "MemTotal: 77 kB\n"
					   "memtotal: 99 kB\n"
					   "MemTotalX: 98 kB\n"
					   "Hugepagesize: 1024 kB\n"));

	assert_u64(m.mem_total_kib, 77);
	assert_u64(m.hugepages_size_kib, 1024);
}

static void meminfo_crlf(void **state)
{
	struct meminfo_view m = meminfo(LIT("MemTotal: 5 kB\r\n"
					   "HugePages_Total: 7\r\n"
					   "HugePages_Free: 6\r\n"
					   "Hugepagesize: 2048 kB\r\n"));

	assert_u64(m.mem_total_kib, 5);
	assert_u64(m.hugepages_total, 7);
	assert_u64(m.hugepages_free, 6);
	assert_u64(m.hugepages_size_kib, 2048);
}

static void meminfo_duplicate_last_wins(void **state)
{
	struct meminfo_view m = meminfo(LIT("MemTotal: 1 kB\nMemTotal: 2 kB\nMemTotal: 3 kB\n"));

	assert_u64(m.mem_total_kib, 3);

	/* the last VALID occurrence wins: bad lines around it change nothing */
	m = meminfo(LIT("MemTotal: x kB\nMemTotal: 4 kB\nMemTotal: -1 kB\n"));
	assert_u64(m.mem_total_kib, 4);
}

static void meminfo_line_without_colon(void **state)
{
	struct meminfo_view m = meminfo(LIT("MemTotal: 10 kB\n"
					   "HugePages_Total 99\n"
					   "garbage\n"
					   "HugePages_Free: 2\n"));

	assert_u64(m.mem_total_kib, 10);
	assert_absent(m.hugepages_total, -ENOENT);
	assert_u64(m.hugepages_free, 2);
}

static void meminfo_empty_value(void **state)
{
	struct meminfo_view m = meminfo(LIT("MemTotal:\nHugepagesize:    \n"));

	assert_absent(m.mem_total_kib, -EINVAL);
	assert_absent(m.hugepages_size_kib, -EINVAL);
}

static void meminfo_negative_and_overflow_skipped(void **state)
{
	struct meminfo_view m = meminfo(LIT("MemTotal: -1 kB\n"
					   "HugePages_Total: 18446744073709551616\n"
					   "HugePages_Free: 99999999999999999999999\n"
					   "Hugepagesize: 2048 kB\n"));

	assert_absent(m.mem_total_kib, -EINVAL);
	assert_absent(m.hugepages_total, -EINVAL);
	assert_absent(m.hugepages_free, -EINVAL);
	assert_u64(m.hugepages_size_kib, 2048);

	/* A skipped later line does not undo an earlier good one. */
	m = meminfo(LIT("MemTotal: 1000 kB\nMemTotal: -5 kB\n"
			"HugePages_Total: 18446744073709551615\n"));
	assert_u64(m.mem_total_kib, 1000);
	assert_u64(m.hugepages_total, UINT64_MAX);
}

static void meminfo_key_is_trimmed(void **state)
{
	struct meminfo_view m = meminfo(LIT("  MemTotal  :\t 42 kB\n"));

	assert_u64(m.mem_total_kib, 42);
}

/* ---- strict numbers ------------------------------------------------- */

static void u64_strict(void **state)
{
	uint64_t v = 7;

	assert_int_equal(hctx_parse_u64(LIT("0"), &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(hctx_parse_u64(LIT("18446744073709551615"), &v), 0);
	assert_int_equal(v, UINT64_MAX);
	v = 7;
	assert_true(hctx_parse_u64(LIT("18446744073709551616"), &v) < 0);
	assert_true(hctx_parse_u64(LIT("-1"), &v) < 0);
	assert_true(hctx_parse_u64(LIT("+1"), &v) < 0);
	assert_true(hctx_parse_u64(LIT(" 1"), &v) < 0);
	assert_true(hctx_parse_u64(LIT("1 "), &v) < 0);
	assert_true(hctx_parse_u64(LIT("1x"), &v) < 0);
	assert_true(hctx_parse_u64(LIT("0x10"), &v) < 0);
	assert_true(hctx_parse_u64("", 0, &v) < 0);
	assert_int_equal(v, 7);	/* untouched on failure */
	/* len bounds the number */
	assert_int_equal(hctx_parse_u64("123", 2, &v), 0);
	assert_int_equal(v, 12);
}

/* ---- trimming (reference 28-31, 49-52) ------------------------------ */

static void trimmed_empty_is_absent(void **state)
{
	assert_trimmed_error("", 0, -ENODATA);
}

static void trimmed_whitespace_only_is_absent(void **state)
{
	assert_trimmed_error(LIT("   "), -ENODATA);
	assert_trimmed_error(LIT(" \t\r\n \n"), -ENODATA);
	assert_trimmed_error(LIT("\n\0\0"), -ENODATA);
}

static void trimmed_strips_newline(void **state)
{
	assert_trimmed(LIT("madvise\n"), "madvise");
	assert_trimmed(LIT("  performance \r\n"), "performance");
	assert_trimmed(LIT("\tx"), "x");
}

static void trimmed_keeps_thp_menu(void **state)
{
	assert_trimmed(LIT("always [madvise] never\n"), "always [madvise] never");
	assert_trimmed(LIT("always defer defer+madvise [madvise] never\n"),
		       "always defer defer+madvise [madvise] never");
}

static void trimmed_keeps_inner_blanks(void **state)
{
	assert_trimmed(LIT("BOOT_IMAGE=/vmlinuz  root=/dev/sda1\tro quiet\n"),
		       "BOOT_IMAGE=/vmlinuz  root=/dev/sda1\tro quiet");
}

static void trimmed_trailing_nul_is_blank(void **state)
{
	assert_trimmed(LIT("0-3\n\0"), "0-3");
	assert_trimmed(LIT("5\0\0\0"), "5");
	assert_trimmed(LIT("\0 5"), "5");
}

static void trimmed_inner_nul_is_unreadable(void **state)
{
	assert_trimmed_error(LIT("a\0b\n"), -EILSEQ);
	assert_trimmed_error(LIT("1 \0 2"), -EILSEQ);
}

static void trimmed_invalid_utf8_is_unreadable(void **state)
{
	assert_trimmed_error(LIT("\xff\n"), -EILSEQ);
	assert_trimmed_error(LIT("caf\xc3\n"), -EILSEQ);	/* truncated sequence */
	assert_trimmed(LIT("caf\xc3\xa9\n"), "caf\xc3\xa9");
}

static void trimmed_length_is_respected(void **state)
{
	assert_trimmed("abc def", 3, "abc");
}

static void utf8_validation(void **state)
{
	assert_true(hctx_is_utf8(LIT("plain ascii")));
	assert_true(hctx_is_utf8("", 0));
	assert_true(hctx_is_utf8(LIT("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80")));	/* é € 😀 */
	assert_true(hctx_is_utf8(LIT("\xf4\x8f\xbf\xbf")));	/* U+10FFFF */
	assert_false(hctx_is_utf8(LIT("\x80")));		/* lone continuation */
	assert_false(hctx_is_utf8(LIT("\xc0\x80")));		/* overlong NUL */
	assert_false(hctx_is_utf8(LIT("\xe0\x80\xaf")));	/* overlong '/' */
	assert_false(hctx_is_utf8(LIT("\xed\xa0\x80")));	/* surrogate */
	assert_false(hctx_is_utf8(LIT("\xf4\x90\x80\x80")));	/* > U+10FFFF */
	assert_false(hctx_is_utf8(LIT("\xe2\x82")));		/* truncated */
	assert_false(hctx_is_utf8(LIT("\xf8\x88\x80\x80\x80")));	/* 5 bytes */
	assert_false(hctx_is_utf8(LIT("ok\xfe")));
}

/* ---- cpu sets -------------------------------------------------------- */

static void cpuset_operations(void **state)
{
	struct hctx_cpuset a = { 0, NULL }, b = { 0, NULL };

	assert_int_equal(hctx_cpuset_count(&a), 0);
	assert_false(hctx_cpuset_has(&a, 0));
	assert_int_equal(hctx_cpuset_next(&a, 0), -1);
	assert_false(hctx_cpuset_intersects(&a, &b));

	assert_int_equal(hctx_cpuset_add(&a, 3), 0);
	assert_int_equal(hctx_cpuset_add(&a, 64), 0);
	assert_int_equal(hctx_cpuset_add(&a, 4095), 0);
	assert_int_equal(hctx_cpuset_add(&a, 64), 0);	/* twice: one member */
	assert_int_equal(hctx_cpuset_count(&a), 3);
	assert_true(hctx_cpuset_has(&a, 64));
	assert_false(hctx_cpuset_has(&a, 65));
	assert_false(hctx_cpuset_has(&a, 100000));	/* beyond the words */
	assert_int_equal(hctx_cpuset_next(&a, 0), 3);
	assert_int_equal(hctx_cpuset_next(&a, 4), 64);
	assert_int_equal(hctx_cpuset_next(&a, 65), 4095);
	assert_int_equal(hctx_cpuset_next(&a, 4096), -1);

	assert_true(hctx_cpuset_add(&a, HCTX_CPUSET_MAX + 1) < 0);
	assert_true(hctx_cpuset_add(&a, UINT32_MAX) < 0);
	assert_int_equal(hctx_cpuset_count(&a), 3);

	assert_int_equal(hctx_cpuset_add(&b, 5), 0);
	assert_false(hctx_cpuset_intersects(&a, &b));
	assert_false(hctx_cpuset_intersects(&b, &a));
	assert_int_equal(hctx_cpuset_add(&b, 4095), 0);
	assert_true(hctx_cpuset_intersects(&a, &b));
	assert_true(hctx_cpuset_intersects(&b, &a));

	hctx_cpuset_clear(&a);
	assert_int_equal(hctx_cpuset_count(&a), 0);
	hctx_cpuset_clear(&a);	/* twice is fine */
	hctx_cpuset_clear(&b);
}

/* or, and, equal and subset, a word at a time, over sets of other lengths */
static void cpuset_set_algebra(void **state)
{
	struct hctx_cpuset a = { 0, NULL }, b = { 0, NULL }, c = { 0, NULL };

	assert_true(hctx_cpuset_equal(&a, &b));			/* empty, no words */
	assert_int_equal(hctx_cpuset_or(&a, &b), 0);
	assert_int_equal(a.nwords, 0);				/* nothing to grow for */
	assert_int_equal(hctx_cpuset_add(&a, 1), 0);
	assert_int_equal(hctx_cpuset_add(&b, 200), 0);
	assert_false(hctx_cpuset_equal(&a, &b));
	assert_int_equal(hctx_cpuset_or(&a, &b), 0);		/* a grows to b's word */
	assert_int_equal(hctx_cpuset_count(&a), 2);
	assert_true(hctx_cpuset_has(&a, 1) && hctx_cpuset_has(&a, 200));
	assert_false(hctx_cpuset_has(&a, 192));		/* no stray bit from growing */
	assert_true(hctx_cpuset_subset(&b, &a));
	assert_false(hctx_cpuset_subset(&a, &b));

	/* equal ignores trailing zero words: {1} in 1 word and in 4 */
	assert_int_equal(hctx_cpuset_add(&c, 1), 0);
	hctx_cpuset_and(&a, &c);
	assert_true(a.nwords >= 4);
	assert_true(hctx_cpuset_equal(&a, &c));
	assert_true(hctx_cpuset_equal(&c, &a));
	assert_int_equal(hctx_cpuset_count(&a), 1);

	/* andnot over shorter and longer sets: {1, 130} minus {1} and {130, 900} */
	assert_int_equal(hctx_cpuset_add(&a, 130), 0);
	hctx_cpuset_andnot(&a, &c);
	assert_int_equal(hctx_cpuset_count(&a), 1);
	assert_true(hctx_cpuset_has(&a, 130));
	assert_int_equal(hctx_cpuset_add(&a, 1), 0);
	{
		struct hctx_cpuset d = { 0, NULL };

		assert_int_equal(hctx_cpuset_add(&d, 130), 0);
		assert_int_equal(hctx_cpuset_add(&d, 900), 0);
		hctx_cpuset_andnot(&a, &d);
		hctx_cpuset_clear(&d);
	}
	assert_int_equal(hctx_cpuset_count(&a), 1);
	assert_true(hctx_cpuset_has(&a, 1));

	/* b's trailing zero words do not grow a */
	hctx_cpuset_and(&b, &c);				/* b: empty, 4 words */
	hctx_cpuset_clear(&c);
	assert_int_equal(hctx_cpuset_or(&c, &b), 0);
	assert_int_equal(c.nwords, 0);

	hctx_cpuset_clear(&a);
	hctx_cpuset_clear(&b);
	hctx_cpuset_clear(&c);
}

/* ---- cpulist (online, node cpulist) --------------------------------- */

static void cpulist_valid(void **state)
{
	struct hctx_cpuset s;

	assert_cpulist_count(LIT("0"), 1);
	assert_cpulist_count(LIT("0-3"), 4);
	assert_cpulist_count(LIT("0-3,8,10-11"), 7);
	assert_cpulist_count(LIT("1-5,8-19"), 17);
	assert_cpulist_count(LIT("6-7,10-11,14-15"), 6);
	assert_cpulist_count(LIT("5-5"), 1);
	assert_cpulist_count(LIT("0-1048575"), 1048576);

	s = cpulist(LIT("0,2-3,63-64,4095\n"));
	assert_int_equal(hctx_cpuset_count(&s), 6);
	assert_true(hctx_cpuset_has(&s, 0));
	assert_false(hctx_cpuset_has(&s, 1));
	assert_true(hctx_cpuset_has(&s, 3));
	assert_true(hctx_cpuset_has(&s, 63));
	assert_true(hctx_cpuset_has(&s, 64));
	assert_true(hctx_cpuset_has(&s, 4095));
	hctx_cpuset_clear(&s);
}

static void cpulist_trailing_blanks_and_nul(void **state)
{
	assert_cpulist_count(LIT("0-3\n"), 4);
	assert_cpulist_count(LIT("0-3\n\0"), 4);	/* real dumps end so */
	assert_cpulist_count(LIT("0-31\n\0\0"), 32);
	assert_cpulist_count(LIT("0-3\r\n"), 4);
	assert_cpulist_count(LIT(" 0-3 \t\n"), 4);
}

static void cpulist_malformed(void **state)
{
	assert_cpulist_invalid("", 0);
	assert_cpulist_invalid(LIT("\n"));
	assert_cpulist_invalid(LIT("\n\0"));
	assert_cpulist_invalid(LIT(","));
	assert_cpulist_invalid(LIT("0,"));
	assert_cpulist_invalid(LIT(",0"));
	assert_cpulist_invalid(LIT("0,,1"));
	assert_cpulist_invalid(LIT("3-1"));
	assert_cpulist_invalid(LIT("1-"));
	assert_cpulist_invalid(LIT("-1"));
	assert_cpulist_invalid(LIT("1--2"));
	assert_cpulist_invalid(LIT("0-1-2"));
	assert_cpulist_invalid(LIT("a"));
	assert_cpulist_invalid(LIT("0-2x"));
	assert_cpulist_invalid(LIT("0 - 2"));
	assert_cpulist_invalid(LIT("0, 1"));
	assert_cpulist_invalid(LIT("0\0,1"));		/* NUL inside */
	assert_cpulist_invalid(LIT("+1"));
	assert_cpulist_invalid(LIT("0x3"));
	assert_cpulist_invalid(LIT("2000000"));		/* beyond HCTX_CPUSET_MAX */
	assert_cpulist_invalid(LIT("0-2000000"));
	assert_cpulist_invalid(LIT("99999999999999999999"));
	assert_cpulist_invalid(LIT("0-18446744073709551617"));
	assert_cpulist_invalid(LIT("4294967296"));	/* wraps to 0 as 32 bits */
	assert_cpulist_invalid(LIT("4294967297-4294967298"));
}

/* ---- id words (cpufreq's affected_cpus) ------------------------------ */

static void id_words(void **state)
{
	static const char *const bad[] = { "", "\n", "0 x", "1,2", "-1", "0-3", "1048576",
					   "99999999999999999999", "3a" };
	struct hctx_cpuset s = { 0, NULL };

	(void)state;
	/* util-linux arm A510/A710/A715/X3: policy0's CPUs */
	assert_int_equal(hctx_parse_id_words(LIT("0 1 2\n"), &s), 0);
	assert_int_equal(hctx_cpuset_count(&s), 3);
	assert_true(hctx_cpuset_has(&s, 2));
	assert_int_equal(hctx_parse_id_words(LIT("7\n"), &s), 0);
	assert_int_equal(hctx_cpuset_count(&s), 1);
	assert_true(hctx_cpuset_has(&s, 7));
	assert_int_equal(hctx_parse_id_words(LIT("  12\t13  \n\0"), &s), 0);
	assert_int_equal(hctx_cpuset_count(&s), 2);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (hctx_parse_id_words(bad[i], strlen(bad[i]), &s) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
		assert_int_equal(hctx_cpuset_count(&s), 0);
	}
	hctx_cpuset_clear(&s);
}

/* ---- cpumask (node cpumap) ------------------------------------------- */

static void cpumask_valid(void **state)
{
	struct hctx_cpuset s = { 0, NULL };

	assert_int_equal(hctx_parse_cpumask(LIT("0000000f\n"), &s), 0);
	assert_int_equal(hctx_cpuset_count(&s), 4);
	assert_true(hctx_cpuset_has(&s, 3));
	assert_false(hctx_cpuset_has(&s, 4));
	hctx_cpuset_clear(&s);

	/* High word first: bit 32 is the lowest bit of the second-last word. */
	assert_int_equal(hctx_parse_cpumask(LIT("00000001,00000000\n"), &s), 0);
	assert_int_equal(hctx_cpuset_count(&s), 1);
	assert_true(hctx_cpuset_has(&s, 32));
	hctx_cpuset_clear(&s);

	assert_int_equal(hctx_parse_cpumask(LIT("00000000,00000000,00000000,0000ff0f\n\0"), &s), 0);
	assert_int_equal(hctx_cpuset_count(&s), 12);
	assert_true(hctx_cpuset_has(&s, 0));
	assert_false(hctx_cpuset_has(&s, 4));
	assert_true(hctx_cpuset_has(&s, 15));
	hctx_cpuset_clear(&s);

	/* util-linux x86_64-64cpu: node 2 holds 1,5,9,...,61 */
	assert_int_equal(hctx_parse_cpumask(LIT("22222222,22222222\n"), &s), 0);
	assert_int_equal(hctx_cpuset_count(&s), 16);
	assert_true(hctx_cpuset_has(&s, 1));
	assert_true(hctx_cpuset_has(&s, 61));
	assert_false(hctx_cpuset_has(&s, 0));
	hctx_cpuset_clear(&s);

	assert_int_equal(hctx_parse_cpumask(LIT("FFFFFFFF\n"), &s), 0);	/* upper case */
	assert_int_equal(hctx_cpuset_count(&s), 32);
	hctx_cpuset_clear(&s);

	assert_int_equal(hctx_parse_cpumask(LIT("00000000\n"), &s), 0);	/* CPU-less node */
	assert_int_equal(hctx_cpuset_count(&s), 0);
	hctx_cpuset_clear(&s);
}

static void cpumask_malformed(void **state)
{
	assert_cpumask_invalid("", 0);
	assert_cpumask_invalid(LIT("\n"));
	assert_cpumask_invalid(LIT("0000000g\n"));
	assert_cpumask_invalid(LIT("xyz"));
	assert_cpumask_invalid(LIT("0x0000000f"));
	assert_cpumask_invalid(LIT("000000001\n"));		/* 9 digits: > 32 bits */
	assert_cpumask_invalid(LIT("00000000,,0000000f"));
	assert_cpumask_invalid(LIT(",0000000f"));
	assert_cpumask_invalid(LIT("0000000f,"));
	assert_cpumask_invalid(LIT("0000 000f"));
	assert_cpumask_invalid(LIT("-0000000f"));
	assert_cpumask_invalid(LIT("0000\0000f"));
}

/* Commas separate 32-bit words: a short word must not shift the next. */
static void cpumask_short_words_keep_word_boundaries(void **state)
{
	struct hctx_cpuset s = { 0, NULL };

	if (hctx_parse_cpumask(LIT("1,f\n"), &s) == 0) {
		assert_true(hctx_cpuset_has(&s, 0));
		assert_true(hctx_cpuset_has(&s, 3));
		assert_false(hctx_cpuset_has(&s, 4));
		assert_true(hctx_cpuset_has(&s, 32));
		assert_int_equal(hctx_cpuset_count(&s), 5);
	}
	hctx_cpuset_clear(&s);
}

/* ---- bracketed active policy (reference 60-69) ---------------------- */

static void bracketed_middle(void **state)
{
	assert_active("always [madvise] never", "madvise");
}

static void bracketed_leading(void **state)
{
	assert_active("[always] madvise never", "always");
}

static void bracketed_trailing(void **state)
{
	assert_active("always madvise [never]", "never");
}

static void bracketed_defrag_hyphenated(void **state)
{
	assert_active("always defer [defer+madvise] madvise never", "defer+madvise");
}

static void bracketed_none(void **state)
{
	assert_active("always madvise never", NULL);
}

static void bracketed_empty(void **state)
{
	assert_active("", NULL);
	assert_active(NULL, NULL);
}

static void bracketed_unclosed(void **state)
{
	assert_active("always [madvise never", NULL);
}

static void bracketed_unopened(void **state)
{
	assert_active("always madvise] never", NULL);
}

static void bracketed_first_pair_wins(void **state)
{
	assert_active("[always] [never]", "always");
}

static void bracketed_nested_truncates(void **state)
{
	assert_active("[a[b]c]", "a[b");
	assert_active("[a[b] c", "a[b");
	assert_active("[x] [a[b]c]", "x");
	assert_active("] [y]", "y");
	assert_active("[]", "");
}

/* ---- kconfig and delay accounting (reference 71, 72, 74) ------------- */

static void kconfig_three_states(void **state)
{
	assert_int_equal(hctx_parse_kconfig_xacct(LIT("CONFIG_TASK_XACCT=y\n")),
			 HCTX_XACCT_ON);
	assert_int_equal(hctx_parse_kconfig_xacct(LIT("# CONFIG_TASK_XACCT is not set\n")),
			 HCTX_XACCT_OFF);
	assert_int_equal(hctx_parse_kconfig_xacct(LIT("CONFIG_TASKSTATS=y\n")),
			 HCTX_XACCT_UNKNOWN);
	assert_int_equal(hctx_parse_kconfig_xacct("", 0), HCTX_XACCT_UNKNOWN);
}

static void kconfig_extra_symbol_does_not_match(void **state)
{
	assert_int_equal(hctx_parse_kconfig_xacct(LIT("CONFIG_TASK_XACCT_EXTRA=y\n"
						       "# CONFIG_TASK_XACCT_EXTRA is not set\n"
						       "XCONFIG_TASK_XACCT=y\n"
						       "CONFIG_TASK_XACCT=yes\n"
						       "CONFIG_TASK_XACCT=m\n"
						       "CONFIG_TASK_XACCT=n\n"
						       "CONFIG_TASK_XACCT = y\n"
						       "#CONFIG_TASK_XACCT is not set\n"
						       "# CONFIG_TASK_XACCT is not set!\n")),
			 HCTX_XACCT_UNKNOWN);
}

static void kconfig_line_in_a_real_config(void **state)
{
	static const char config[] =
		"#\n"
		"# Automatically generated file; DO NOT EDIT.\n"
		"# Linux/x86 6.1.0 Kernel Configuration\n"
		"#\n"
		"CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\n"
		"CONFIG_CC_IS_GCC=y\n"
		"\n"
		"#\n"
		"# CPU/Task time and stats accounting\n"
		"#\n"
		"CONFIG_VIRT_CPU_ACCOUNTING=y\n"
		"CONFIG_BSD_PROCESS_ACCT=y\n"
		"CONFIG_BSD_PROCESS_ACCT_V3=y\n"
		"CONFIG_TASKSTATS=y\n"
		"CONFIG_TASK_DELAY_ACCT=y\n"
		"CONFIG_TASK_XACCT=y\n"
		"CONFIG_TASK_IO_ACCOUNTING=y\n";

	assert_int_equal(hctx_parse_kconfig_xacct(LIT(config)), HCTX_XACCT_ON);
	/* no trailing newline, CRLF, surrounding blanks */
	assert_int_equal(hctx_parse_kconfig_xacct(LIT("A=1\nCONFIG_TASK_XACCT=y")),
			 HCTX_XACCT_ON);
	assert_int_equal(hctx_parse_kconfig_xacct(LIT("A=1\r\nCONFIG_TASK_XACCT=y\r\n")),
			 HCTX_XACCT_ON);
	assert_int_equal(hctx_parse_kconfig_xacct(LIT("  # CONFIG_TASK_XACCT is not set\t\n")),
			 HCTX_XACCT_OFF);
}

static void kconfig_single_lines(void **state)
{
	assert_int_equal(hctx_kconfig_line_xacct(LIT("CONFIG_TASK_XACCT=y")), HCTX_XACCT_ON);
	assert_int_equal(hctx_kconfig_line_xacct(LIT(" CONFIG_TASK_XACCT=y \r")), HCTX_XACCT_ON);
	assert_int_equal(hctx_kconfig_line_xacct(LIT("# CONFIG_TASK_XACCT is not set")),
			 HCTX_XACCT_OFF);
	assert_int_equal(hctx_kconfig_line_xacct(LIT("CONFIG_TASK_XACCT_EXTRA=y")),
			 HCTX_XACCT_ABSENT);
	assert_int_equal(hctx_kconfig_line_xacct(LIT("CONFIG_TASK_XACCT=n")), HCTX_XACCT_ABSENT);
	assert_int_equal(hctx_kconfig_line_xacct("", 0), HCTX_XACCT_ABSENT);
	/* len bounds the line */
	assert_int_equal(hctx_kconfig_line_xacct("CONFIG_TASK_XACCT=yes", 19), HCTX_XACCT_ON);
}

static void delayacct_from_value(void **state)
{
	assert_string_equal(hctx_delayacct_from_value(NULL), "config_off");
	assert_string_equal(hctx_delayacct_from_value("0"), "runtime_off");
	assert_string_equal(hctx_delayacct_from_value("1"), "on");
	assert_string_equal(hctx_delayacct_from_value("2"), "runtime_off");
	assert_string_equal(hctx_delayacct_from_value("01"), "runtime_off");
	assert_string_equal(hctx_delayacct_from_value("10"), "runtime_off");
	assert_string_equal(hctx_delayacct_from_value("on"), "runtime_off");
}

static const struct hctx_spec *row_spec(const char *name)
{
	const struct hctx_field *f = hctx_field_by_name(name, strlen(name));

	assert_non_null(f);
	return f->spec;
}

/* The human spelling of an enum name, as the report prints it. */
static char *human_enum(const char *json_name)
{
	char *text = NULL;
	size_t len = 0;
	struct hctx_human h = { open_memstream(&text, &len) };

	assert_non_null(h.f);
	hctx_human_enum(&h, json_name);
	assert_int_equal(fclose(h.f), 0);
	return text;
}

static void assert_human_enum(const char *json_name, const char *human)
{
	char *text = human_enum(json_name);

	assert_string_equal(text, human);
	free(text);
}

static void enum_names(void **state)
{
	const struct hctx_spec *delay = row_spec("task_delayacct");
	const struct hctx_spec *xacct = row_spec("config_task_xacct");

	/* the rows' name tables are the JSON names, in the enums' order */
	assert_int_equal(delay->kind, HCTX_KIND_ENUM);
	assert_string_equal(delay->names[0], "config_off");
	assert_string_equal(delay->names[1], "runtime_off");
	assert_string_equal(delay->names[2], "on");
	assert_null(delay->names[3]);
	/* every name of the row is one hctx_delayacct_from_value gives */
	for (const char *const *n = delay->names; *n; n++)
		assert_true(strcmp(hctx_delayacct_from_value(NULL), *n) == 0 ||
			    strcmp(hctx_delayacct_from_value("0"), *n) == 0 ||
			    strcmp(hctx_delayacct_from_value("1"), *n) == 0);
	assert_human_enum("config_off", "config-off");
	assert_human_enum("runtime_off", "runtime-off");
	assert_human_enum("on", "on");

	assert_int_equal(xacct->kind, HCTX_KIND_ENUM);
	assert_string_equal(xacct->names[HCTX_XACCT_ON], "on");
	assert_string_equal(xacct->names[HCTX_XACCT_OFF], "off");
	assert_string_equal(xacct->names[HCTX_XACCT_UNKNOWN], "unknown");
	assert_null(xacct->names[HCTX_XACCT_UNKNOWN + 1]);
}

/* ---- config.gz (reference test 74; docs/json-format.md) ------------- */

struct buf {
	unsigned char *data;
	size_t len;
};

/* windowBits 31: gzip wrapper; 15: zlib wrapper. */
static struct buf compress_with(const char *text, size_t len, int level, int window_bits)
{
	z_stream z;
	struct buf out;
	size_t cap = compressBound(len) + 64;

	memset(&z, 0, sizeof(z));
	out.data = malloc(cap);
	assert_non_null(out.data);
	assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, window_bits, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)text;
	z.avail_in = len;
	z.next_out = out.data;
	z.avail_out = cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	out.len = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

static struct buf gzip_text(const char *text)
{
	return compress_with(text, strlen(text), Z_DEFAULT_COMPRESSION, 31);
}

/* gzip with every optional header field set (name, extra, comment, hcrc). */
static struct buf gzip_text_with_header(const char *text)
{
	static char name[] = "config", comment[] = "a kernel config";
	static unsigned char extra[] = { 'h', 'c', 2, 0, 1, 2 };
	gz_header head;
	z_stream z;
	struct buf out;
	size_t cap = compressBound(strlen(text)) + 128;

	memset(&z, 0, sizeof(z));
	memset(&head, 0, sizeof(head));
	head.name = (Bytef *)name;
	head.comment = (Bytef *)comment;
	head.extra = extra;
	head.extra_len = sizeof(extra);
	head.hcrc = 1;
	out.data = malloc(cap);
	assert_non_null(out.data);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	assert_int_equal(deflateSetHeader(&z, &head), Z_OK);
	z.next_in = (unsigned char *)text;
	z.avail_in = strlen(text);
	z.next_out = out.data;
	z.avail_out = cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	out.len = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

/* `gzip -c a b` or `cat a.gz b.gz`: members one after the other. */
static struct buf concat(struct buf a, struct buf b)
{
	struct buf out = { malloc(a.len + b.len), a.len + b.len };

	assert_non_null(out.data);
	memcpy(out.data, a.data, a.len);
	memcpy(out.data + a.len, b.data, b.len);
	free(a.data);
	free(b.data);
	return out;
}

static void gzip_optional_header_fields(void **state)
{
	struct buf b = gzip_text_with_header("CONFIG_A=y\n# CONFIG_TASK_XACCT is not set\n");

	(void)state;
	assert_int_equal(hctx_xacct_from_gzip(b.data, b.len), HCTX_XACCT_OFF);
	/* cut inside the file name: not even a header */
	assert_int_equal(hctx_xacct_from_gzip(b.data, 14), HCTX_XACCT_UNKNOWN);
	free(b.data);
}

static void gzip_concatenated_members(void **state)
{
	struct buf b = concat(gzip_text("CONFIG_A=y\n"),
			      gzip_text_with_header("CONFIG_TASK_XACCT=y\n"));

	(void)state;
	assert_int_equal(hctx_xacct_from_gzip(b.data, b.len), HCTX_XACCT_ON);
	free(b.data);
	/* bytes after a member that are no gzip header: nothing more to read */
	{
		static const char junk[] = "CONFIG_TASK_XACCT=y\n(not compressed)";
		struct buf tail = { malloc(sizeof(junk)), sizeof(junk) };

		assert_non_null(tail.data);
		memcpy(tail.data, junk, sizeof(junk));
		b = concat(gzip_text("CONFIG_A=y\n"), tail);
		assert_int_equal(hctx_xacct_from_gzip(b.data, b.len), HCTX_XACCT_UNKNOWN);
		free(b.data);
	}
}

/*
 * A config-like text: the answer line (if any) after `before` lines,
 * then `after` lines of hard-to-compress noise, so the compressed
 * stream is long and a cut far from the start lies after the answer.
 */
static char *kconfig_text(const char *answer, unsigned before, unsigned after)
{
	size_t cap = (size_t)(before + after + 2) * 48 + 64;
	char *text = malloc(cap), *p = text;
	uint32_t seed = 12345;

	assert_non_null(text);
	p += sprintf(p, "#\n# Linux/x86 6.1.0 Kernel Configuration\n#\n");
	for (unsigned i = 0; i < before + after; i++) {
		if (i == before && answer)
			p += sprintf(p, "%s\n", answer);
		seed = seed * 1103515245u + 12345u;
		p += sprintf(p, "CONFIG_SYM_%08x_%u=%c\n", seed, i, "ymn"[seed % 3]);
	}
	return text;
}

static void gzip_on_off_missing(void **state)
{
	struct buf on = gzip_text("CONFIG_TASKSTATS=y\nCONFIG_TASK_XACCT=y\n");
	struct buf off = gzip_text("CONFIG_TASKSTATS=y\n# CONFIG_TASK_XACCT is not set\n");
	struct buf missing = gzip_text("CONFIG_TASKSTATS=y\nCONFIG_TASK_XACCT_EXTRA=y\n");

	assert_int_equal(hctx_xacct_from_gzip(on.data, on.len), HCTX_XACCT_ON);
	assert_int_equal(hctx_xacct_from_gzip(off.data, off.len), HCTX_XACCT_OFF);
	assert_int_equal(hctx_xacct_from_gzip(missing.data, missing.len), HCTX_XACCT_UNKNOWN);
	free(on.data);
	free(off.data);
	free(missing.data);
}

static void gzip_real_sized_config(void **state)
{
	_cleanup_free_ char *on_text = kconfig_text("CONFIG_TASK_XACCT=y", 150, 6000);
	_cleanup_free_ char *off_text = kconfig_text("# CONFIG_TASK_XACCT is not set", 150, 6000);
	_cleanup_free_ char *late = kconfig_text("CONFIG_TASK_XACCT=y", 5900, 100);
	_cleanup_free_ char *none = kconfig_text(NULL, 150, 6000);
	struct buf b;

	b = gzip_text(on_text);
	assert_int_equal(hctx_xacct_from_gzip(b.data, b.len), HCTX_XACCT_ON);
	free(b.data);
	b = gzip_text(off_text);
	assert_int_equal(hctx_xacct_from_gzip(b.data, b.len), HCTX_XACCT_OFF);
	free(b.data);
	b = gzip_text(late);	/* the answer ~250 KB in */
	assert_int_equal(hctx_xacct_from_gzip(b.data, b.len), HCTX_XACCT_ON);
	free(b.data);
	b = gzip_text(none);
	assert_int_equal(hctx_xacct_from_gzip(b.data, b.len), HCTX_XACCT_UNKNOWN);
	free(b.data);
}

static void gzip_answer_split_across_reads(void **state)
{
	/* Put the answer line across every plausible buffer boundary. */
	for (size_t pad = 4000; pad < 4200; pad += 7) {
		_cleanup_free_ char *text = malloc(pad + 64);
		struct buf b;

		assert_non_null(text);
		memset(text, '#', pad);
		text[pad - 1] = '\n';
		strcpy(text + pad, "CONFIG_TASK_XACCT=y\n");
		b = gzip_text(text);
		assert_int_equal(hctx_xacct_from_gzip(b.data, b.len), HCTX_XACCT_ON);
		free(b.data);
	}
}

static void gzip_not_gzip_is_unknown(void **state)
{
	static const char plain[] = "CONFIG_TASK_XACCT=y\n";
	struct buf zlib_stream = compress_with(LIT(plain), Z_DEFAULT_COMPRESSION, 15);

	assert_int_equal(hctx_xacct_from_gzip(LIT(plain)), HCTX_XACCT_UNKNOWN);
	assert_int_equal(hctx_xacct_from_gzip(LIT("\x1f\x8b")), HCTX_XACCT_UNKNOWN);
	assert_int_equal(hctx_xacct_from_gzip(LIT("\x1f\x8b\x08\x00garbage-garbage")),
			 HCTX_XACCT_UNKNOWN);
	/* A zlib (not gzip) stream of the same text is not gzip either. */
	assert_int_equal(hctx_xacct_from_gzip(zlib_stream.data, zlib_stream.len),
			 HCTX_XACCT_UNKNOWN);
	free(zlib_stream.data);
}

static void gzip_empty_is_unknown(void **state)
{
	struct buf empty = gzip_text("");

	assert_int_equal(hctx_xacct_from_gzip("", 0), HCTX_XACCT_UNKNOWN);
	assert_int_equal(hctx_xacct_from_gzip(NULL, 0), HCTX_XACCT_UNKNOWN);
	assert_int_equal(hctx_xacct_from_gzip(empty.data, empty.len), HCTX_XACCT_UNKNOWN);
	free(empty.data);
}

static void gzip_damage_after_answer_keeps_answer(void **state)
{
	_cleanup_free_ char *on_text = kconfig_text("CONFIG_TASK_XACCT=y", 150, 8000);
	_cleanup_free_ char *off_text = kconfig_text("# CONFIG_TASK_XACCT is not set", 150, 8000);
	struct buf on = gzip_text(on_text), off = gzip_text(off_text);
	size_t cut = on.len / 2;

	assert_true(on.len > 40000);	/* the cut lies far after the answer */
	/* truncated */
	assert_int_equal(hctx_xacct_from_gzip(on.data, cut), HCTX_XACCT_ON);
	assert_int_equal(hctx_xacct_from_gzip(off.data, off.len / 2), HCTX_XACCT_OFF);
	/* bad CRC / length trailer */
	on.data[on.len - 6] ^= 0xff;
	on.data[on.len - 2] ^= 0xff;
	assert_int_equal(hctx_xacct_from_gzip(on.data, on.len), HCTX_XACCT_ON);
	/* garbage from the middle to the end */
	memset(on.data + cut, 0xa5, on.len - cut);
	assert_int_equal(hctx_xacct_from_gzip(on.data, on.len), HCTX_XACCT_ON);
	free(on.data);
	free(off.data);
}

static void gzip_damage_before_answer_is_unknown(void **state)
{
	_cleanup_free_ char *late = kconfig_text("CONFIG_TASK_XACCT=y", 6000, 100);
	_cleanup_free_ char *small = kconfig_text("CONFIG_TASK_XACCT=y", 2, 2);
	struct buf b = gzip_text(late);
	struct buf stored = compress_with(small, strlen(small), 0, 31);
	unsigned char *bad_header;

	/* truncated long before the answer */
	assert_int_equal(hctx_xacct_from_gzip(b.data, b.len / 10), HCTX_XACCT_UNKNOWN);
	assert_int_equal(hctx_xacct_from_gzip(b.data, 10), HCTX_XACCT_UNKNOWN);

	/* a stored block whose LEN/NLEN disagree: nothing inflates */
	assert_int_equal(hctx_xacct_from_gzip(stored.data, stored.len), HCTX_XACCT_ON);
	stored.data[10 + 1] ^= 0x55;	/* 10-byte header, then BFINAL/BTYPE, LEN */
	assert_int_equal(hctx_xacct_from_gzip(stored.data, stored.len), HCTX_XACCT_UNKNOWN);
	free(stored.data);

	/* a bad compression method in the header */
	bad_header = malloc(b.len);
	assert_non_null(bad_header);
	memcpy(bad_header, b.data, b.len);
	bad_header[2] = 7;
	assert_int_equal(hctx_xacct_from_gzip(bad_header, b.len), HCTX_XACCT_UNKNOWN);
	free(bad_header);
	free(b.data);
}

static void gzip_bomb_is_bounded(void **state)
{
	/* 64 MiB of zeros, no answer: must end, and say unknown. */
	size_t len = 64u << 20;
	char *zeros = calloc(1, len);
	struct buf b;

	assert_non_null(zeros);
	b = compress_with(zeros, len, 9, 31);
	free(zeros);
	assert_int_equal(hctx_xacct_from_gzip(b.data, b.len), HCTX_XACCT_UNKNOWN);
	free(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpuinfo_x86_happy_path),
		cmocka_unit_test(cpuinfo_empty_input),
		cmocka_unit_test(cpuinfo_arm64_has_neither),
		cmocka_unit_test(cpuinfo_s390_header_block),
		cmocka_unit_test(cpuinfo_malformed_lines_skipped),
		cmocka_unit_test(cpuinfo_crlf),
		cmocka_unit_test(cpuinfo_first_block_only),
		cmocka_unit_test(cpuinfo_duplicate_first_wins),
		cmocka_unit_test(cpuinfo_value_with_colon),
		cmocka_unit_test(cpuinfo_leading_blank_line),
		cmocka_unit_test(cpuinfo_inner_blanks_kept),
		cmocka_unit_test(cpuinfo_other_keys_do_not_count),
		cmocka_unit_test(cpuinfo_no_trailing_newline),
		cmocka_unit_test(cpuinfo_length_is_respected),
		cmocka_unit_test(cpuinfo_first_block_end),
		cmocka_unit_test(meminfo_happy_path),
		cmocka_unit_test(meminfo_empty_input),
		cmocka_unit_test(meminfo_missing_fields_stay_absent),
		cmocka_unit_test(meminfo_zero_is_present),
		cmocka_unit_test(meminfo_non_numeric_skipped),
		cmocka_unit_test(meminfo_unknown_fields_tolerated),
		cmocka_unit_test(meminfo_crlf),
		cmocka_unit_test(meminfo_duplicate_last_wins),
		cmocka_unit_test(meminfo_line_without_colon),
		cmocka_unit_test(meminfo_empty_value),
		cmocka_unit_test(meminfo_negative_and_overflow_skipped),
		cmocka_unit_test(meminfo_key_is_trimmed),
		cmocka_unit_test(u64_strict),
		cmocka_unit_test(trimmed_empty_is_absent),
		cmocka_unit_test(trimmed_whitespace_only_is_absent),
		cmocka_unit_test(trimmed_strips_newline),
		cmocka_unit_test(trimmed_keeps_thp_menu),
		cmocka_unit_test(trimmed_keeps_inner_blanks),
		cmocka_unit_test(trimmed_trailing_nul_is_blank),
		cmocka_unit_test(trimmed_inner_nul_is_unreadable),
		cmocka_unit_test(trimmed_invalid_utf8_is_unreadable),
		cmocka_unit_test(trimmed_length_is_respected),
		cmocka_unit_test(utf8_validation),
		cmocka_unit_test(cpuset_operations),
		cmocka_unit_test(cpuset_set_algebra),
		cmocka_unit_test(cpulist_valid),
		cmocka_unit_test(cpulist_trailing_blanks_and_nul),
		cmocka_unit_test(cpulist_malformed),
		cmocka_unit_test(id_words),
		cmocka_unit_test(cpumask_valid),
		cmocka_unit_test(cpumask_malformed),
		cmocka_unit_test(cpumask_short_words_keep_word_boundaries),
		cmocka_unit_test(bracketed_middle),
		cmocka_unit_test(bracketed_leading),
		cmocka_unit_test(bracketed_trailing),
		cmocka_unit_test(bracketed_defrag_hyphenated),
		cmocka_unit_test(bracketed_none),
		cmocka_unit_test(bracketed_empty),
		cmocka_unit_test(bracketed_unclosed),
		cmocka_unit_test(bracketed_unopened),
		cmocka_unit_test(bracketed_first_pair_wins),
		cmocka_unit_test(bracketed_nested_truncates),
		cmocka_unit_test(kconfig_three_states),
		cmocka_unit_test(kconfig_extra_symbol_does_not_match),
		cmocka_unit_test(kconfig_line_in_a_real_config),
		cmocka_unit_test(kconfig_single_lines),
		cmocka_unit_test(delayacct_from_value),
		cmocka_unit_test(enum_names),
		cmocka_unit_test(gzip_on_off_missing),
		cmocka_unit_test(gzip_real_sized_config),
		cmocka_unit_test(gzip_answer_split_across_reads),
		cmocka_unit_test(gzip_not_gzip_is_unknown),
		cmocka_unit_test(gzip_empty_is_unknown),
		cmocka_unit_test(gzip_damage_after_answer_keeps_answer),
		cmocka_unit_test(gzip_damage_before_answer_is_unknown),
		cmocka_unit_test(gzip_bomb_is_bounded),
		cmocka_unit_test(gzip_optional_header_fields),
		cmocka_unit_test(gzip_concatenated_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
