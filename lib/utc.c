/* SPDX-License-Identifier: MIT */
/*
 * UTC calendar fields from a time_t without gmtime_r(): glibc's gmtime
 * loads /etc/localtime on first use (tzset), six system calls that every
 * hostctx-run would pay for a time zone it never uses.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>

void hctx_utc_fields(time_t t, struct hctx_utc *ret)
{
	/* Days since 1970-01-01 and the second of the day, floor division. */
	int64_t days = (int64_t)t / 86400, secs = (int64_t)t % 86400;
	int64_t era, doe, yoe, doy, mp, y;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	ret->hour = (int)(secs / 3600);
	ret->min = (int)(secs / 60 % 60);
	ret->sec = (int)(secs % 60);
	/* Civil from days (proleptic Gregorian, 400-year eras). */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	ret->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	ret->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	ret->year = (int64_t)(y + (ret->month <= 2));
}

/* "2026-12-04T18:29:19.997Z", as records write run.started_at. */
void hctx_utc_timestamp(const struct timespec *ts, char *buf, size_t size)
{
	struct hctx_utc u;

	hctx_utc_fields(ts->tv_sec, &u);
	snprintf(buf, size, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%03ldZ",
		 u.year, u.month, u.day, u.hour, u.min, u.sec,
		 (long)(ts->tv_nsec / 1000000));
}
