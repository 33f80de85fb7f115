/* SPDX-License-Identifier: MIT */
/*
 * Pure parsers: text in, values out, no I/O.  Each mirrors one rule of
 * the reference reader; the unit tests feed them real and broken files.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>

static bool is_blank(char c)
{
	/* NUL counts as a blank at the edges: real dumps end lists with one. */
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\v' || c == '\f' || c == '\0';
}

/* Rust's split_whitespace: blanks only, NUL is part of a token. */
static bool is_space(char c)
{
	return c != '\0' && is_blank(c);
}

static void trim_span(const char **s, size_t *len)
{
	while (*len > 0 && is_blank((*s)[0])) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_blank((*s)[*len - 1]))
		(*len)--;
}

void hctx_trim(const char **s, size_t *len)
{
	trim_span(s, len);
}

bool hctx_is_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c;
		size_t need;
		uint32_t cp;

		/* Fast path: eight ASCII bytes at a time. */
		while (len - i >= 8) {
			uint64_t word;

			memcpy(&word, p + i, sizeof(word));
			if (word & UINT64_C(0x8080808080808080))
				break;
			i += 8;
		}
		if (i >= len)
			break;
		c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= need)
			return false;
		for (size_t k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		i += need + 1;
	}
	return true;
}

int hctx_parse_trimmed(const char *text, size_t len, char **ret)
{
	char *out;

	trim_span(&text, &len);
	if (len == 0)
		return -ENODATA;
	/* The reference reads text: a NUL inside or bad UTF-8 is unreadable. */
	if (memchr(text, '\0', len) || !hctx_is_utf8(text, len))
		return -EILSEQ;
	out = strndup(text, len);
	if (!out)
		return -ENOMEM;
	*ret = out;
	return 0;
}

/* Next line from *pos up to end: sets line and line_len, no newline. */
static bool next_line(const char **pos, const char *end, const char **line,
		      size_t *line_len)
{
	const char *nl;

	if (*pos >= end)
		return false;
	*line = *pos;
	nl = memchr(*pos, '\n', (size_t)(end - *pos));
	if (nl) {
		*line_len = (size_t)(nl - *pos);
		*pos = nl + 1;
	} else {
		*line_len = (size_t)(end - *pos);
		*pos = end;
	}
	return true;
}

/* Rust's str::lines() drops one trailing '\r' of each line. */
static void drop_cr(const char *line, size_t *len)
{
	if (*len > 0 && line[*len - 1] == '\r')
		(*len)--;
}

static bool span_equals(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

size_t hctx_cpuinfo_first_block_end(const char *text, size_t len)
{
	const char *pos = text, *end = text + len;

	/* Only complete lines count: the last one may still be growing. */
	while (pos < end) {
		const char *nl = memchr(pos, '\n', (size_t)(end - pos));
		size_t line_len;

		if (!nl)
			return 0;
		line_len = (size_t)(nl - pos);
		drop_cr(pos, &line_len);
		if (line_len == 0)
			return (size_t)(nl + 1 - text);
		pos = nl + 1;
	}
	return 0;
}

static int set_once(char **slot, const char *value, size_t len)
{
	if (*slot)
		return 0;
	*slot = strndup(value, len);
	return *slot ? 0 : -ENOMEM;
}

int hctx_parse_cpuinfo(const char *text, size_t len, char **ret_model,
		       char **ret_vendor, char **ret_microcode)
{
	const char *pos = text, *end = text + len, *line;
	size_t line_len;
	char *model = NULL, *vendor = NULL, *microcode = NULL;
	int r = 0;

	while (r == 0 && next_line(&pos, end, &line, &line_len)) {
		const char *colon, *key, *value;
		size_t key_len, value_len;

		drop_cr(line, &line_len);
		if (line_len == 0)
			break;	/* end of the first processor block */
		colon = memchr(line, ':', line_len);
		if (!colon)
			continue;
		key = line;
		key_len = (size_t)(colon - line);
		value = colon + 1;
		value_len = line_len - key_len - 1;
		trim_span(&key, &key_len);
		trim_span(&value, &value_len);
		if (value_len == 0 || memchr(value, '\0', value_len) ||
		    !hctx_is_utf8(value, value_len))
			continue;
		if (span_equals(key, key_len, "model name"))
			r = set_once(&model, value, value_len);
		else if (span_equals(key, key_len, "vendor_id"))
			r = set_once(&vendor, value, value_len);
		else if (ret_microcode && span_equals(key, key_len, "microcode"))
			r = set_once(&microcode, value, value_len);
	}
	if (r < 0) {
		free(model);
		free(vendor);
		free(microcode);
		return r;
	}
	*ret_model = model;
	*ret_vendor = vendor;
	if (ret_microcode)
		*ret_microcode = microcode;
	return 0;
}

int hctx_parse_u64(const char *s, size_t len, uint64_t *ret)
{
	uint64_t v = 0;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

int hctx_meminfo_scan(const char *text, size_t len, const char *const *keys,
		      size_t n_keys, uint64_t *values, int *found)
{
	const char *pos = text, *end = text + len, *line;
	size_t line_len, key_len[16];

	if (n_keys > sizeof(key_len) / sizeof(key_len[0]))
		return -E2BIG;
	for (size_t k = 0; k < n_keys; k++) {
		found[k] = -ENOENT;
		key_len[k] = strlen(keys[k]);
	}
	while (next_line(&pos, end, &line, &line_len)) {
		const char *colon, *name, *tok;
		size_t name_len, tok_len = 0, rest_len, k;
		uint64_t v;

		drop_cr(line, &line_len);
		colon = memchr(line, ':', line_len);
		if (!colon)
			continue;
		name = line;
		name_len = (size_t)(colon - line);
		trim_span(&name, &name_len);
		for (k = 0; k < n_keys; k++)
			if (key_len[k] == name_len && memcmp(name, keys[k], name_len) == 0)
				break;
		if (k == n_keys)
			continue;
		/* first whitespace-separated token after the colon */
		tok = colon + 1;
		rest_len = (size_t)(line + line_len - tok);
		while (rest_len > 0 && is_space(*tok)) {
			tok++;
			rest_len--;
		}
		while (tok_len < rest_len && !is_space(tok[tok_len]))
			tok_len++;
		/* Unparseable values are skipped; the last good one wins. */
		if (hctx_parse_u64(tok, tok_len, &v) == 0) {
			values[k] = v;
			found[k] = 0;
		} else if (found[k] < 0) {
			found[k] = -EINVAL;
		}
	}
	return 0;
}

int hctx_meminfo_value(const char *text, size_t len, const char *key,
		       uint64_t *ret)
{
	uint64_t v = 0;
	int found;

	hctx_meminfo_scan(text, len, &key, 1, &v, &found);
	if (found == 0)
		*ret = v;
	return found;
}

/* ---- CPU sets ------------------------------------------------------ */

void hctx_cpuset_clear(struct hctx_cpuset *s)
{
	free(s->words);
	s->words = NULL;
	s->nwords = 0;
}

/* At least n words, zero-filled (-ENOMEM). */
static int cpuset_grow(struct hctx_cpuset *s, size_t n)
{
	uint64_t *w;

	if (n <= s->nwords)
		return 0;
	/* grow geometrically: a 4096-CPU list adds ids in order */
	if (n < s->nwords * 2)
		n = s->nwords * 2;
	w = realloc(s->words, n * sizeof(*w));
	if (!w)
		return -ENOMEM;
	memset(w + s->nwords, 0, (n - s->nwords) * sizeof(*w));
	s->words = w;
	s->nwords = n;
	return 0;
}

int hctx_cpuset_add(struct hctx_cpuset *s, unsigned id)
{
	if (id >= HCTX_CPUSET_MAX)
		return -ERANGE;
	if (cpuset_grow(s, id / 64 + 1) < 0)
		return -ENOMEM;
	s->words[id / 64] |= UINT64_C(1) << (id % 64);
	return 0;
}

bool hctx_cpuset_has(const struct hctx_cpuset *s, unsigned id)
{
	size_t word = id / 64;

	return word < s->nwords && (s->words[word] >> (id % 64)) & 1;
}

size_t hctx_cpuset_count(const struct hctx_cpuset *s)
{
	size_t n = 0;

	/* a big host's sets are sparse: most words are 0 (no popcount call) */
	for (size_t i = 0; i < s->nwords; i++)
		if (s->words[i])
			n += (size_t)__builtin_popcountll(s->words[i]);
	return n;
}

void hctx_cpuset_and(struct hctx_cpuset *a, const struct hctx_cpuset *b)
{
	for (size_t i = 0; i < a->nwords; i++)
		a->words[i] &= i < b->nwords ? b->words[i] : 0;
}

void hctx_cpuset_andnot(struct hctx_cpuset *a, const struct hctx_cpuset *b)
{
	size_t n = a->nwords < b->nwords ? a->nwords : b->nwords;

	for (size_t i = 0; i < n; i++)
		a->words[i] &= ~b->words[i];
}

int hctx_cpuset_or(struct hctx_cpuset *a, const struct hctx_cpuset *b)
{
	size_t used = b->nwords;

	while (used > 0 && b->words[used - 1] == 0)
		used--;
	if (used == 0)
		return 0;
	if (cpuset_grow(a, used) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < used; i++)
		a->words[i] |= b->words[i];
	return 0;
}

bool hctx_cpuset_equal(const struct hctx_cpuset *a, const struct hctx_cpuset *b)
{
	size_t n = a->nwords > b->nwords ? a->nwords : b->nwords;

	for (size_t i = 0; i < n; i++)
		if ((i < a->nwords ? a->words[i] : 0) != (i < b->nwords ? b->words[i] : 0))
			return false;
	return true;
}

bool hctx_cpuset_subset(const struct hctx_cpuset *a, const struct hctx_cpuset *b)
{
	for (size_t i = 0; i < a->nwords; i++)
		if (a->words[i] & ~(i < b->nwords ? b->words[i] : 0))
			return false;
	return true;
}

bool hctx_cpuset_intersects(const struct hctx_cpuset *a,
			    const struct hctx_cpuset *b)
{
	size_t n = a->nwords < b->nwords ? a->nwords : b->nwords;

	for (size_t i = 0; i < n; i++)
		if (a->words[i] & b->words[i])
			return true;
	return false;
}

long hctx_cpuset_next(const struct hctx_cpuset *s, unsigned from)
{
	size_t word = from / 64;
	uint64_t bits;

	if (word >= s->nwords)
		return -1;
	bits = s->words[word] & (~UINT64_C(0) << (from % 64));
	for (;;) {
		if (bits)
			return (long)(word * 64 + (size_t)__builtin_ctzll(bits));
		if (++word >= s->nwords)
			return -1;
		bits = s->words[word];
	}
}

static int parse_id(const char *s, size_t len, unsigned *ret)
{
	uint64_t v;
	int r = hctx_parse_u64(s, len, &v);

	if (r < 0)
		return -EINVAL;
	if (v >= HCTX_CPUSET_MAX)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

/* One item of a cpulist, "N" or "LO-HI", as a checked range. */
static int parse_range(const char *item, size_t len, unsigned *lo, unsigned *hi)
{
	const char *dash = memchr(item, '-', len);
	int r;

	if (!dash) {
		r = parse_id(item, len, lo);
		*hi = *lo;
	} else {
		r = parse_id(item, (size_t)(dash - item), lo);
		if (r == 0)
			r = parse_id(dash + 1, len - (size_t)(dash - item) - 1, hi);
	}
	if (r < 0)
		return r;
	return *lo > *hi ? -EINVAL : 0;
}

int hctx_cpulist_ranges(const char *text, size_t len, hctx_range_fn fn,
			void *userdata)
{
	const char *end;

	trim_span(&text, &len);
	if (len == 0)
		return -EINVAL;
	end = text + len;
	for (;;) {
		const char *comma = memchr(text, ',', (size_t)(end - text));
		const char *item_end = comma ? comma : end;
		unsigned lo, hi;
		int r = parse_range(text, (size_t)(item_end - text), &lo, &hi);

		if (r == 0)
			r = fn(userdata, lo, hi);
		if (r < 0)
			return r;
		if (!comma)
			return 0;
		text = comma + 1;
	}
}

/*
 * Word by word: a 64 KiB list repeating "0-1048575" is 4,600 ranges of
 * 16,384 words, not 4.8 billion bits.
 */
static int add_range(void *userdata, unsigned lo, unsigned hi)
{
	struct hctx_cpuset *set = userdata;
	int r = hctx_cpuset_add(set, hi);	/* grows the set up to hi */

	if (r < 0)
		return r;
	for (unsigned id = lo; id <= hi;) {
		unsigned bit = id % 64, n = 64 - bit;
		uint64_t mask;

		if (n > hi - id + 1)
			n = hi - id + 1;
		mask = n == 64 ? ~UINT64_C(0) : ((UINT64_C(1) << n) - 1) << bit;
		set->words[id / 64] |= mask;
		if (hi - id < n)
			break;	/* hi may be the largest unsigned */
		id += n;
	}
	return 0;
}

int hctx_parse_cpulist(const char *text, size_t len, struct hctx_cpuset *ret)
{
	struct hctx_cpuset set = { 0 };
	int r = hctx_cpulist_ranges(text, len, add_range, &set);

	if (r < 0) {
		hctx_cpuset_clear(&set);
		return r == -ENOMEM ? r : -EINVAL;
	}
	*ret = set;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One comma-separated word of at most 8 hex digits, bit base base. */
static int add_mask_word(struct hctx_cpuset *set, const char *w, size_t len,
			 unsigned base)
{
	if (len == 0 || len > 8)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int d = hex_digit(w[len - 1 - i]);

		if (d < 0)
			return -EINVAL;
		for (unsigned b = 0; b < 4; b++)
			if ((d >> b) & 1 && hctx_cpuset_add(set, base + (unsigned)i * 4 + b) < 0)
				return -EINVAL;
	}
	return 0;
}

int hctx_parse_id_words(const char *text, size_t len, struct hctx_cpuset *ret)
{
	size_t i = 0, n = 0;

	hctx_cpuset_clear(ret);
	while (i < len) {
		size_t start;
		uint64_t id;

		while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
				   text[i] == '\0'))
			i++;
		start = i;
		while (i < len && text[i] >= '0' && text[i] <= '9')
			i++;
		if (i == start && i < len)
			goto junk;	/* neither blank nor digit */
		if (i == start)
			break;
		if (hctx_parse_u64(text + start, i - start, &id) < 0 || id >= HCTX_CPUSET_MAX)
			goto junk;
		if (hctx_cpuset_add(ret, (unsigned)id) < 0) {
			hctx_cpuset_clear(ret);
			return -ENOMEM;
		}
		n++;
	}
	if (n > 0)
		return 0;
junk:
	hctx_cpuset_clear(ret);
	return -EINVAL;
}

int hctx_parse_cpumask(const char *text, size_t len, struct hctx_cpuset *ret)
{
	struct hctx_cpuset set = { 0 };
	unsigned base = 0;
	const char *end;

	trim_span(&text, &len);
	if (len == 0)
		return -EINVAL;
	/* Words are 32 bits each, the lowest word last: walk backwards. */
	end = text + len;
	for (;;) {
		const char *w = end;

		while (w > text && w[-1] != ',')
			w--;
		if (add_mask_word(&set, w, (size_t)(end - w), base) < 0) {
			hctx_cpuset_clear(&set);
			return -EINVAL;
		}
		if (w == text)
			break;
		end = w - 1;	/* skip the comma */
		base += 32;
	}
	*ret = set;
	return 0;
}

/* ---- accounting switches ------------------------------------------ */

enum hctx_xacct hctx_kconfig_line_xacct(const char *line, size_t len)
{
	trim_span(&line, &len);
	if (span_equals(line, len, "CONFIG_TASK_XACCT=y"))
		return HCTX_XACCT_ON;
	if (span_equals(line, len, "# CONFIG_TASK_XACCT is not set"))
		return HCTX_XACCT_OFF;
	return HCTX_XACCT_ABSENT;
}

enum hctx_xacct hctx_parse_kconfig_xacct(const char *text, size_t len)
{
	const char *pos = text, *end = text + len, *line;
	size_t line_len;
	bool off = false;

	/* "=y" anywhere wins over "is not set", as in the reference. */
	while (next_line(&pos, end, &line, &line_len)) {
		enum hctx_xacct v = hctx_kconfig_line_xacct(line, line_len);

		if (v == HCTX_XACCT_ON)
			return v;
		if (v == HCTX_XACCT_OFF)
			off = true;
	}
	return off ? HCTX_XACCT_OFF : HCTX_XACCT_UNKNOWN;
}

const char *hctx_delayacct_from_value(const char *value)
{
	if (!value)
		return "config_off";
	if (strcmp(value, "1") == 0)
		return "on";
	return "runtime_off";
}
