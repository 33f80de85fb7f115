/* SPDX-License-Identifier: MIT */
/*
 * Pure parsers of the basic fields beyond the reference (docs/json-format.md,
 * "Fields beyond the reference"): boot_id, proc/uptime, proc/loadavg,
 * the isolation cpulists and blank-normalised strings.  Text in, values
 * out, no I/O.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

/* Blanks between tokens; NUL only at the edges (dumps end files in one). */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\v' || c == '\f';
}

static void trim_edges(const char **s, size_t *len)
{
	while (*len > 0 && (is_space(**s) || **s == '\0')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && (is_space((*s)[*len - 1]) || (*s)[*len - 1] == '\0'))
		(*len)--;
}

/* The next blank-separated token from *pos; false at the end. */
static bool next_token(const char **pos, const char *end, const char **tok,
		       size_t *tok_len)
{
	const char *p = *pos;

	while (p < end && is_space(*p))
		p++;
	if (p == end)
		return false;
	*tok = p;
	while (p < end && !is_space(*p))
		p++;
	*tok_len = (size_t)(p - *tok);
	*pos = p;
	return true;
}

bool hctx_is_boot_id(const char *s, size_t len)
{
	if (len != 36)
		return false;
	for (size_t i = 0; i < len; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' :
		    !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

/*
 * "123.45" without strtod: the preload runs inside programs that may
 * have set a locale whose decimal point is ','.  The digits make one
 * integer M below 2^53 and the point a power of ten 10^n (n <= 22): both
 * are exact doubles, so M / 10^n is correctly rounded, as strtod is.
 */
int hctx_parse_gauge(const char *s, size_t len, double *ret)
{
	static const double pow10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
	};
	const uint64_t limit = UINT64_C(1) << 53;
	uint64_t m = 0;
	size_t i = 0, n_int = 0, n_frac = 0;

	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, n_int++)
		if ((m = m * 10 + (uint64_t)(s[i] - '0')) >= limit)
			return -ERANGE;
	if (n_int == 0)
		return -EINVAL;	/* no sign, no ".5", no "inf" or "nan" */
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, n_frac++)
			if ((m = m * 10 + (uint64_t)(s[i] - '0')) >= limit)
				return -ERANGE;
		if (n_frac == 0)
			return -EINVAL;
	}
	if (i != len)
		return -EINVAL;	/* junk after the number */
	if (n_frac >= sizeof(pow10) / sizeof(pow10[0]))
		return -ERANGE;
	*ret = (double)m / pow10[n_frac];
	return 0;
}

/* The edges trimmed; a NUL inside is not text (-EINVAL), nothing: -ENODATA. */
static int text_span(const char **text, size_t *len)
{
	trim_edges(text, len);
	if (*len == 0)
		return -ENODATA;
	return memchr(*text, '\0', *len) ? -EINVAL : 0;
}

int hctx_parse_uptime(const char *text, size_t len, double *ret)
{
	const char *pos, *tok;
	size_t tok_len;
	int r = text_span(&text, &len);

	if (r < 0)
		return r;
	pos = text;
	if (!next_token(&pos, text + len, &tok, &tok_len))
		return -ENODATA;
	return hctx_parse_gauge(tok, tok_len, ret);
}

/* "R/T": two strict integers. */
static int parse_tasks(const char *tok, size_t len, uint64_t *runnable,
		       uint64_t *total)
{
	const char *slash = memchr(tok, '/', len);

	if (!slash)
		return -EINVAL;
	if (hctx_parse_u64(tok, (size_t)(slash - tok), runnable) < 0 ||
	    hctx_parse_u64(slash + 1, len - (size_t)(slash + 1 - tok), total) < 0)
		return -EINVAL;
	return 0;
}

/*
 * "0.52 0.58 0.59 1/467 12345": the first four tokens must all parse;
 * the fifth (the last PID) is never looked at.
 */
int hctx_parse_loadavg(const char *text, size_t len, struct hctx_loadavg *ret)
{
	struct hctx_loadavg la;
	const char *pos, *tok;
	size_t tok_len;
	int r = text_span(&text, &len);

	if (r < 0)
		return r;
	pos = text;
	for (size_t k = 0; k < 3; k++) {
		if (!next_token(&pos, text + len, &tok, &tok_len))
			return -EINVAL;
		r = hctx_parse_gauge(tok, tok_len, &la.avg[k]);
		if (r < 0)
			return -EINVAL;
	}
	if (!next_token(&pos, text + len, &tok, &tok_len) ||
	    parse_tasks(tok, tok_len, &la.runnable, &la.total) < 0)
		return -EINVAL;
	*ret = la;
	return 0;
}

/*
 * A sysfs cpulist as its canonical string: "" for an empty file (and,
 * with null_is_empty, for the "(null)" older kernels print for an empty
 * nohz_full mask, padded or not); -EINVAL when it is no cpulist.
 */
int hctx_parse_cpulist_text(const char *text, size_t len, bool null_is_empty,
			    char **ret)
{
	struct hctx_cpuset set = { 0 };
	int r;

	trim_edges(&text, &len);
	if (len == 0 || (null_is_empty && len == 6 && memcmp(text, "(null)", 6) == 0)) {
		*ret = strdup("");
		return *ret ? 0 : -ENOMEM;
	}
	r = hctx_parse_cpulist(text, len, &set);
	if (r == 0)
		r = hctx_cpulist_format(&set, ret);
	hctx_cpuset_clear(&set);
	return r;
}

/* Trimmed as hctx_parse_trimmed, then each run of blanks made one space. */
int hctx_parse_normalised(const char *text, size_t len, char **ret)
{
	char *s;
	size_t out = 0;
	int r = hctx_parse_trimmed(text, len, &s);

	if (r < 0)
		return r;
	for (size_t in = 0; s[in]; in++) {
		if (is_space(s[in])) {
			if (out > 0 && s[out - 1] == ' ')
				continue;
			s[out++] = ' ';
		} else {
			s[out++] = s[in];
		}
	}
	s[out] = '\0';
	*ret = s;
	return 0;
}

/* The trimmed value of "Key:\tvalue" in a proc status file. */
int hctx_status_value(const char *text, size_t len, const char *key, char **ret)
{
	size_t klen = strlen(key);
	const char *end = text + len;

	for (const char *s = text; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;

		if ((size_t)(e - s) > klen && memcmp(s, key, klen) == 0 && s[klen] == ':')
			return hctx_parse_trimmed(s + klen + 1, (size_t)(e - s - klen - 1), ret);
		s = e + 1;
	}
	return -ENOENT;
}
