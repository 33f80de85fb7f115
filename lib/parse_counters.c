/* SPDX-License-Identifier: MIT */
/*
 * Pure parsers of the counter fields (docs/json-format.md, "Counters"):
 * proc/stat's aggregate cpu line and its single counters, proc/vmstat's
 * "name value" lines, proc/pressure's "some/full avg10=... total=..."
 * lines.  Numbers are strict decimal u64 (overflow or junk: not read).
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A strict decimal u64 at *p (leading blanks skipped); *p moves past it. */
static int take_u64(const char **p, const char *end, uint64_t *ret)
{
	const char *s = *p;
	uint64_t v = 0;

	while (s < end && is_blank(*s))
		s++;
	if (s == end || *s < '0' || *s > '9')
		return -EINVAL;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (s < end && !is_blank(*s) && *s != '\r')
		return -EINVAL;
	*p = s;
	*ret = v;
	return 0;
}

/* The line of text starting with key and a blank; NULL when none. */
static const char *line_of(const char *text, size_t len, const char *key,
			   const char **line_end)
{
	size_t klen = strlen(key);
	const char *end = text + len;

	for (const char *s = text; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;

		if ((size_t)(e - s) > klen && memcmp(s, key, klen) == 0 && is_blank(s[klen])) {
			*line_end = e;
			return s + klen;
		}
		s = e + 1;
	}
	return NULL;
}

int hctx_parse_stat_cpu(const char *text, size_t len, uint64_t *cols, size_t max,
			size_t *ret_n)
{
	const char *end, *p = line_of(text, len, "cpu", &end);
	size_t n = 0;

	if (!p)
		return -ENOENT;
	while (n < max && take_u64(&p, end, &cols[n]) == 0)
		n++;	/* the first column that is not a number ends the row */
	if (n == 0)
		return -EINVAL;
	*ret_n = n;
	return 0;
}

int hctx_parse_stat_counter(const char *text, size_t len, const char *key,
			    uint64_t *ret)
{
	const char *end, *p = line_of(text, len, key, &end);

	if (!p)
		return -ENOENT;
	return take_u64(&p, end, ret);
}

/*
 * The names of each length, chained: a line is compared only with the
 * names as long as its key (about one of ~170 lines has a candidate).
 */
struct name_index {
	signed char first[HCTX_VMSTAT_KEY_MAX + 1];	/* a name of that length, or -1 */
	signed char next[HCTX_VMSTAT_MAX_NAMES];
	uint64_t pairs[16];	/* the names' first two bytes, hashed to 1024 bits */
};

static unsigned pair_hash(const char *s)
{
	return ((unsigned char)s[0] * 31u + (unsigned char)s[1]) & 1023u;
}

static void index_names(struct name_index *ix, const char *const *names, size_t n)
{
	memset(ix->first, -1, sizeof(ix->first));
	memset(ix->pairs, 0, sizeof(ix->pairs));
	for (size_t i = n; i-- > 0;) {
		size_t len = strlen(names[i]);
		unsigned h;

		ix->next[i] = -1;
		if (len < 2 || len > HCTX_VMSTAT_KEY_MAX)
			continue;	/* no line can hold it (a one-byte name: see below) */
		ix->next[i] = ix->first[len];
		ix->first[len] = (signed char)i;
		h = pair_hash(names[i]);
		ix->pairs[h / 64] |= (uint64_t)1 << (h % 64);
	}
}

int hctx_parse_vmstat(const char *text, size_t len, const char *const *names,
		      size_t n_names, uint64_t *values, bool *found)
{
	const char *end = text + len;
	struct name_index ix;
	size_t left = n_names;

	if (n_names > HCTX_VMSTAT_MAX_NAMES)
		return -E2BIG;
	index_names(&ix, names, n_names);
	memset(found, 0, n_names * sizeof(*found));
	for (const char *s = text; s < end && left > 0;) {
		const char *k = s, *nl;
		unsigned h = end - s >= 2 ? pair_hash(s) : 0;

		/* most lines (nr_*) start like no name: straight to the next */
		if (end - s < 2 || !(ix.pairs[h / 64] & ((uint64_t)1 << (h % 64)))) {
			nl = memchr(s, '\n', (size_t)(end - s));
			s = nl ? nl + 1 : end;
			continue;
		}
		while (k < end && *k != ' ' && *k != '\n')
			k++;
		if (k < end && *k == ' ' && (size_t)(k - s) <= HCTX_VMSTAT_KEY_MAX) {
			const char *e = memchr(k, '\n', (size_t)(end - k));

			e = e ? e : end;
			for (int i = ix.first[k - s]; i >= 0; i = ix.next[i]) {
				const char *p = k;

				if (found[i] || memcmp(s, names[i], (size_t)(k - s)) != 0)
					continue;
				found[i] = take_u64(&p, e, &values[i]) == 0;
				left -= found[i];
				break;
			}
			s = e + 1;
			continue;
		}
		nl = k < end && *k == '\n' ? k : memchr(k, '\n', (size_t)(end - k));
		s = nl ? nl + 1 : end;
	}
	return 0;
}

/* "avg10=0.00" at p: the number after '='. */
/*
 * "12.34" (the kernel prints "%lu.%02lu") without strtod: up to 15
 * digits make an integer that a double holds exactly, and one division
 * by a power of ten, itself exact, rounds once: the value strtod gives.
 * -EINVAL for anything else, which strtod then judges.
 */
static int fixed_point(const char *s, double *ret)
{
	static const double ten[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
				      1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	uint64_t n = 0;
	int digits = 0, decimals = -1;

	for (; *s; s++) {
		if (*s == '.' && decimals < 0) {
			decimals = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || ++digits > 15)
			return -EINVAL;
		n = n * 10 + (uint64_t)(*s - '0');
		decimals += decimals >= 0;
	}
	if (digits == 0)
		return -EINVAL;
	*ret = (double)n / ten[decimals > 0 ? decimals : 0];
	return 0;
}

static int take_avg(const char **p, const char *end, const char *name, double *ret)
{
	size_t n = strlen(name);
	const char *s = *p;
	char buf[32], *stop;
	size_t k = 0;

	while (s < end && is_blank(*s))
		s++;
	if ((size_t)(end - s) <= n + 1 || memcmp(s, name, n) != 0 || s[n] != '=')
		return -EINVAL;
	s += n + 1;
	while (s < end && k < sizeof(buf) - 1 && ((*s >= '0' && *s <= '9') || *s == '.'))
		buf[k++] = *s++;
	buf[k] = '\0';
	if (k == 0 || (s < end && !is_blank(*s) && *s != '\r'))
		return -EINVAL;
	if (fixed_point(buf, ret) < 0) {
		*ret = strtod(buf, &stop);
		if (*stop || !isfinite(*ret))
			return -EINVAL;
	}
	*p = s;
	return 0;
}

int hctx_parse_pressure(const char *text, size_t len, struct hctx_pressure *ret)
{
	static const char *const kinds[2] = { "some", "full" };

	memset(ret, 0, sizeof(*ret));
	for (size_t k = 0; k < 2; k++) {
		const char *end, *p = line_of(text, len, kinds[k], &end);
		struct hctx_pressure_line *l = &ret->line[k];

		if (!p)
			continue;
		if (take_avg(&p, end, "avg10", &l->avg[0]) < 0 ||
		    take_avg(&p, end, "avg60", &l->avg[1]) < 0 ||
		    take_avg(&p, end, "avg300", &l->avg[2]) < 0)
			return -EINVAL;
		while (p < end && is_blank(*p))
			p++;
		if ((size_t)(end - p) < 7 || memcmp(p, "total=", 6) != 0)
			return -EINVAL;
		p += 6;
		if (take_u64(&p, end, &l->total_us) < 0)
			return -EINVAL;
		l->present = true;
	}
	return ret->line[0].present || ret->line[1].present ? 0 : -EINVAL;
}
