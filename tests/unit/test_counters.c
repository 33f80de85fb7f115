/* SPDX-License-Identifier: MIT */
/*
 * The counter parsers (docs/json-format.md, "Counters"): proc/stat's cpu
 * row and single counters, proc/vmstat's allowlist, one proc/pressure
 * file.  Real contents (a 2-CPU KVM guest, Linux 6.1) and malformed ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <errno.h>
#include <string.h>

#define LEN(s) (sizeof(s) - 1)

static const char real_stat[] =
	"cpu  23354 0 27918 1824658 1200 0 625 0 0 0\n"
	"cpu0 9038 0 11201 918616 163 0 286 0 0 0\n"
	"cpu1 14316 0 16716 906041 1037 0 338 0 0 0\n"
	"intr 5187077 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1881 118 0 166\n"
	"ctxt 10007074\n"
	"btime 1764819872\n"
	"processes 45838\n"
	"procs_running 2\n"
	"procs_blocked 0\n"
	"softirq 2931047 0 712131 17 0 0 0 1 1206392 0 1012506\n";

static void stat_cpu_row(void **state)
{
	uint64_t cols[10];
	size_t n = 0;

	(void)state;
	assert_int_equal(hctx_parse_stat_cpu(real_stat, LEN(real_stat), cols, 10, &n), 0);
	assert_int_equal(n, 10);
	assert_int_equal(cols[0], 23354);
	assert_int_equal(cols[3], 1824658);
	assert_int_equal(cols[6], 625);
	/* fewer columns on old kernels; max bounds what is taken */
	assert_int_equal(hctx_parse_stat_cpu("cpu  1 2 3 4\n", 13, cols, 10, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(hctx_parse_stat_cpu(real_stat, LEN(real_stat), cols, 2, &n), 0);
	assert_int_equal(n, 2);
}

static void stat_cpu_row_malformed(void **state)
{
	uint64_t cols[10];
	size_t n = 0;

	(void)state;
	assert_int_equal(hctx_parse_stat_cpu("cpu0 1 2 3\n", 11, cols, 10, &n), -ENOENT);
	assert_int_equal(hctx_parse_stat_cpu("", 0, cols, 10, &n), -ENOENT);
	assert_int_equal(hctx_parse_stat_cpu("cpu  x 2\n", 9, cols, 10, &n), -EINVAL);
	assert_int_equal(hctx_parse_stat_cpu("cpu  -1 2\n", 10, cols, 10, &n), -EINVAL);
	/* a junk column ends the row: the numbers before it stand */
	assert_int_equal(hctx_parse_stat_cpu("cpu  5 6x 7\n", 12, cols, 10, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(hctx_parse_stat_cpu("cpu  99999999999999999999 1\n", 28, cols, 10, &n),
			 -EINVAL);
}

static void stat_counters(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(hctx_parse_stat_counter(real_stat, LEN(real_stat), "ctxt", &v), 0);
	assert_int_equal(v, 10007074);
	assert_int_equal(hctx_parse_stat_counter(real_stat, LEN(real_stat), "processes", &v), 0);
	assert_int_equal(v, 45838);
	assert_int_equal(hctx_parse_stat_counter(real_stat, LEN(real_stat), "intr", &v), 0);
	assert_int_equal(v, 5187077);
	assert_int_equal(hctx_parse_stat_counter(real_stat, LEN(real_stat), "procs_blocked", &v), 0);
	assert_int_equal(v, 0);
	/* "procs" is only a prefix of two keys: no line is "procs ..." */
	assert_int_equal(hctx_parse_stat_counter(real_stat, LEN(real_stat), "procs", &v), -ENOENT);
	/* 2^64 - 1 fits, 2^64 does not */
	assert_int_equal(hctx_parse_stat_counter("ctxt 18446744073709551615\n", 26, "ctxt", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(hctx_parse_stat_counter("ctxt 18446744073709551616\n", 26, "ctxt", &v),
			 -ERANGE);
	assert_int_equal(hctx_parse_stat_counter("ctxt\n", 5, "ctxt", &v), -ENOENT);
	assert_int_equal(hctx_parse_stat_counter("ctxt 12ab\n", 10, "ctxt", &v), -EINVAL);
	/* CRLF and no final newline */
	assert_int_equal(hctx_parse_stat_counter("ctxt 12\r\n", 9, "ctxt", &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(hctx_parse_stat_counter("x 1\nctxt 13", 11, "ctxt", &v), 0);
	assert_int_equal(v, 13);
}

static const char real_vmstat[] =
	"nr_free_pages 1109413\n"
	"nr_free_pages_blocks 1038848\n"
	"nr_zone_inactive_anon 503\n"
	"pgmajfault 1712\n"
	"pswpin 0\n"
	"pswpout 3\n"
	"compact_stall 0\n"
	"numa_hint_faults 0\n"
	"oom_kill 0\n"
	"drop_pagecache 2\n"
	"drop_slab 0\n"
	"thp_fault_alloc 12\n";

static void vmstat_allowlist(void **state)
{
	static const char *const names[] = { "pswpout", "oom_kill", "drop_pagecache",
					     "nr_free_pages", "absent_counter" };
	uint64_t v[5] = { 0 };
	bool found[5];

	(void)state;
	assert_int_equal(hctx_parse_vmstat(real_vmstat, LEN(real_vmstat), names, 5, v, found), 0);
	assert_true(found[0] && v[0] == 3);
	assert_true(found[1] && v[1] == 0);
	assert_true(found[2] && v[2] == 2);
	/* the whole name, not a prefix of nr_free_pages_blocks */
	assert_true(found[3] && v[3] == 1109413);
	assert_false(found[4]);
}

static void vmstat_malformed(void **state)
{
	static const char *const names[] = { "pswpin", "pswpout", "oom_kill" };
	static const char junk[] = "pswpin x\npswpin 4\npswpout\noom_kill 1 2\n"
				   "oom_kill 7\n\n\n no_name 1\npswpout 99999999999999999999\n";
	const char *many[HCTX_VMSTAT_MAX_NAMES + 1];
	uint64_t v[3] = { 0 };
	bool found[3];

	(void)state;
	assert_int_equal(hctx_parse_vmstat(junk, LEN(junk), names, 3, v, found), 0);
	/* an unparseable line is skipped; the name's first good line wins */
	assert_true(found[0] && v[0] == 4);
	/* "pswpout" with no value and one past 2^64: not found */
	assert_false(found[1]);
	/* "1 2": the first number, the rest is another column */
	assert_true(found[2] && v[2] == 1);
	assert_int_equal(hctx_parse_vmstat("", 0, names, 3, v, found), 0);
	assert_false(found[0] || found[1] || found[2]);
	{
		/* keys of the longest length found, longer ones skipped whole */
		static const char *const odd[] = {
			"k234567890123456789012345678901234567890123456789012345678901234",
			"k2345678901234567890123456789012345678901234567890123456789012345",
			"pswpin", "pswpin",
		};
		static const char text[] =
			"k2345678901234567890123456789012345678901234567890123456789012345 5\n"
			"k234567890123456789012345678901234567890123456789012345678901234 6\n"
			"pswpin 1\npswpin 2\nno_blank_at_all\npswpin 3";
		uint64_t w[4] = { 0 };
		bool got[4];

		assert_int_equal(hctx_parse_vmstat(text, LEN(text), odd, 4, w, got), 0);
		assert_true(got[0] && w[0] == 6);
		assert_false(got[1]);
		/* a name twice: each takes the next line */
		assert_true(got[2] && w[2] == 1);
		assert_true(got[3] && w[3] == 2);
	}
	for (size_t i = 0; i < HCTX_VMSTAT_MAX_NAMES + 1; i++)
		many[i] = "pswpin";
	assert_int_equal(hctx_parse_vmstat(real_vmstat, LEN(real_vmstat), many,
					   HCTX_VMSTAT_MAX_NAMES + 1, v, found), -E2BIG);
}

/*
 * The averages are read without strtod where they look like the
 * kernel's "%lu.%02lu": the same doubles strtod gives, for many values
 * and for the shapes that take strtod's way (a 16th digit, "1.", ".5").
 */
static void pressure_averages_are_strtods(void **state)
{
	static const char *const odd[] = { "1.", ".5", "0.00", "99.99", "100.00",
					   "1234567890123.45", "1234567890123456.7",
					   "0.1", "7.125", "000012.50" };
	uint64_t x = 88172645463325252ull;
	char line[160], avg[48];
	struct hctx_pressure p;

	(void)state;
	for (int i = 0; i < 200000 + (int)(sizeof(odd) / sizeof(odd[0])); i++) {
		if (i < (int)(sizeof(odd) / sizeof(odd[0]))) {
			snprintf(avg, sizeof(avg), "%s", odd[i]);
		} else {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;	/* xorshift */
			snprintf(avg, sizeof(avg), "%llu.%02llu",
				 (unsigned long long)(x % (i % 7 ? 1000 : 100000000000ull)),
				 (unsigned long long)((x >> 40) % 100));
		}
		snprintf(line, sizeof(line), "some avg10=%s avg60=0.00 avg300=0.00 total=1\n", avg);
		assert_int_equal(hctx_parse_pressure(line, strlen(line), &p), 0);
		if (p.line[0].avg[0] != strtod(avg, NULL))
			fail_msg("%s: %.17g, strtod %.17g", avg, p.line[0].avg[0], strtod(avg, NULL));
	}
}

static void pressure_real(void **state)
{
	static const char cpu[] = "some avg10=0.04 avg60=1.40 avg300=2.00 total=26138915\n"
				  "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
	static const char io[] = "some avg10=0.10 avg60=0.32 avg300=0.14 total=9675658\n"
				 "full avg10=0.10 avg60=0.29 avg300=0.13 total=9017243\n";
	struct hctx_pressure p;

	(void)state;
	assert_int_equal(hctx_parse_pressure(cpu, LEN(cpu), &p), 0);
	assert_true(p.line[0].present && p.line[1].present);
	assert_true(p.line[0].avg[1] == 1.40 && p.line[0].avg[2] == 2.00);
	assert_int_equal(p.line[0].total_us, 26138915);
	assert_int_equal(p.line[1].total_us, 0);
	assert_int_equal(hctx_parse_pressure(io, LEN(io), &p), 0);
	assert_int_equal(p.line[1].total_us, 9017243);
	assert_true(p.line[1].avg[0] == 0.10);
	/* before Linux 5.13 proc/pressure/cpu has no "full" line */
	assert_int_equal(hctx_parse_pressure(cpu, 55, &p), 0);
	assert_true(p.line[0].present);
	assert_false(p.line[1].present);
}

static void pressure_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"some\n",
		"some avg10=x avg60=0.00 avg300=0.00 total=1\n",
		"some avg10=0.00 avg60=0.00 total=1\n",
		"some avg10=nan avg60=0.00 avg300=0.00 total=1\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=-1\n",
		"other avg10=0.00 avg60=0.00 avg300=0.00 total=1\n",
	};
	struct hctx_pressure p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = hctx_parse_pressure(bad[i], strlen(bad[i]), &p);

		/* either refused, or no line of it taken as present */
		if (r == 0)
			assert_false(p.line[0].present || p.line[1].present);
		else
			assert_true(r < 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_cpu_row),
		cmocka_unit_test(stat_cpu_row_malformed),
		cmocka_unit_test(stat_counters),
		cmocka_unit_test(vmstat_allowlist),
		cmocka_unit_test(vmstat_malformed),
		cmocka_unit_test(pressure_real),
		cmocka_unit_test(pressure_averages_are_strtods),
		cmocka_unit_test(pressure_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
