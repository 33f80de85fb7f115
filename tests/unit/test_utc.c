/* SPDX-License-Identifier: MIT */
/* hctx_utc_fields against glibc's gmtime_r, and a few fixed dates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <time.h>

static void assert_like_gmtime(time_t t)
{
	struct tm tm;
	struct hctx_utc u;

	assert_non_null(gmtime_r(&t, &tm));
	hctx_utc_fields(t, &u);
	assert_int_equal(u.year, tm.tm_year + 1900);
	assert_int_equal(u.month, tm.tm_mon + 1);
	assert_int_equal(u.day, tm.tm_mday);
	assert_int_equal(u.hour, tm.tm_hour);
	assert_int_equal(u.min, tm.tm_min);
	assert_int_equal(u.sec, tm.tm_sec);
}

static void fixed_dates(void **state)
{
	struct hctx_utc u;

	(void)state;
	hctx_utc_fields(0, &u);
	assert_true(u.year == 1970 && u.month == 1 && u.day == 1 && u.hour == 0);
	hctx_utc_fields(951782400, &u);		/* 2000-02-29, a leap day */
	assert_true(u.year == 2000 && u.month == 2 && u.day == 29);
	hctx_utc_fields(1795683600 + 86400 * 0, &u);	/* 2026-11-26T09:00:00Z */
	assert_true(u.year == 2026 && u.month == 11 && u.day == 26 && u.hour == 9);
	hctx_utc_fields(-1, &u);		/* a second before the epoch */
	assert_true(u.year == 1969 && u.month == 12 && u.day == 31 && u.sec == 59);
}

static void agrees_with_gmtime_over_centuries(void **state)
{
	(void)state;
	/* ~700 years in steps that hit every time of day and month end */
	for (int64_t t = -INT64_C(86400) * 365 * 300; t < INT64_C(86400) * 365 * 400;
	     t += 86399 * 7 + 13)
		assert_like_gmtime((time_t)t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixed_dates),
		cmocka_unit_test(agrees_with_gmtime_over_centuries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
