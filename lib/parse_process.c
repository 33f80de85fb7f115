/* SPDX-License-Identifier: MIT */
/*
 * Pure parsers of the cgroup fields (docs/json-format.md, "Process and
 * cgroup"): proc/self/cgroup lines, proc/self/mountinfo lines (octal
 * escapes decoded), cpu.max and memory.max values.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The path of the hierarchy named ctrl ("" = v2) in proc/self/cgroup. */
int hctx_cgroup_path(const char *text, size_t len, const char *ctrl, char **ret,
		     bool *ret_has_v1)
{
	const char *end = text + len;
	int r = -ENOENT;

	*ret_has_v1 = false;
	for (const char *s = text; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		const char *c1 = memchr(s, ':', (size_t)(e - s));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(e - c1 - 1)) : NULL;

		if (c2) {
			size_t clen = (size_t)(c2 - c1 - 1);
			bool v2 = clen == 0 && c1 - s == 1 && s[0] == '0';

			*ret_has_v1 |= !v2;
			if (r == -ENOENT && (*ctrl ? hctx_list_has(c1 + 1, clen, ctrl) : v2)) {
				*ret = strndup(c2 + 1, (size_t)(e - c2 - 1));
				r = *ret ? 0 : -ENOMEM;
			}
		}
		s = e + 1;
	}
	return r;
}

/* Whether the comma list (len bytes) holds word. */
bool hctx_list_has(const char *list, size_t len, const char *word)
{
	size_t n = strlen(word);

	for (size_t i = 0; i < len;) {
		const char *comma = memchr(list + i, ',', len - i);
		size_t item = comma ? (size_t)(comma - list - i) : len - i;

		if (item == n && memcmp(list + i, word, n) == 0)
			return true;
		i += item + 1;
	}
	return false;
}

/* mountinfo's escapes: \040 space, \011 tab, \012 newline, \134 backslash. */
static char *unescape(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && len - i >= 4 &&
		    s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			*o++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* The n-th blank-separated field of [s, e), 0-based. */
static bool field_at(const char *s, const char *e, int n, const char **f, size_t *flen)
{
	for (int i = 0; s < e; i++) {
		const char *sp = memchr(s, ' ', (size_t)(e - s));
		const char *fe = sp ? sp : e;

		if (i == n) {
			*f = s;
			*flen = (size_t)(fe - s);
			return true;
		}
		s = fe + 1;
	}
	return false;
}

/*
 * The directory of cgroup path in the first mount of fstype ("cgroup2",
 * or "cgroup" with super option ctrl) whose root is a prefix of path:
 * mount point + path minus that root; *ret_mount the mount point.
 */
int hctx_cgroup_dir(const char *text, size_t len, const char *fstype, const char *ctrl,
		    const char *path, char **ret_dir, char **ret_mount)
{
	const char *end = text + len;

	for (const char *s = text; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end, *dash = NULL, *root, *mnt, *type, *opts;
		size_t rlen, mlen, tlen, olen;

		for (const char *p = s; p + 3 <= e; p++)
			if (memcmp(p, " - ", 3) == 0) {
				dash = p + 3;
				break;
			}
		if (dash && field_at(s, dash, 3, &root, &rlen) && field_at(s, dash, 4, &mnt, &mlen) &&
		    field_at(dash, e, 0, &type, &tlen) && field_at(dash, e, 2, &opts, &olen) &&
		    tlen == strlen(fstype) && memcmp(type, fstype, tlen) == 0 &&
		    (!*ctrl || hctx_list_has(opts, olen, ctrl))) {
			char *r = unescape(root, rlen), *m = unescape(mnt, mlen);
			size_t n = r ? strlen(r) : 0;
			bool prefix = r && (strcmp(r, "/") == 0 ||
					    (strncmp(path, r, n) == 0 && (path[n] == '/' || !path[n])));

			if (prefix && m) {
				const char *rest = strcmp(r, "/") == 0 ? path : path + n;
				int ok = asprintf(ret_dir, "%s%s%s", m,
						  *rest && *rest != '/' ? "/" : "", strcmp(rest, "/") ? rest : "");

				free(r);
				if (ok < 0) {
					free(m);
					return -ENOMEM;
				}
				*ret_mount = m;
				return 0;
			}
			free(r);
			free(m);
		}
		s = e + 1;
	}
	return -ENOENT;
}

/* cpu.max "QUOTA PERIOD" / "max PERIOD": the share of one CPU (inf for max). */
int hctx_cpu_max_share(const char *text, double *ret)
{
	char *end;
	double quota, period;

	if (strncmp(text, "max", 3) == 0 && (text[3] == ' ' || !text[3])) {
		*ret = -1;	/* unlimited */
		return 0;
	}
	quota = strtod(text, &end);
	if (end == text || *end != ' ')
		return -EINVAL;
	period = strtod(end + 1, &end);
	if (*end || period <= 0 || quota < 0)
		return -EINVAL;
	*ret = quota / period;
	return 0;
}

/*
 * /proc/PID/stat: the state (field 3) and the start time (field 22,
 * clock ticks after boot).  comm (field 2) may hold blanks and
 * parentheses, so the fields are counted from its last ')'.
 */
int hctx_parse_pid_stat(const char *text, size_t len, char *ret_state, uint64_t *ret_start)
{
	const char *end = text + len, *p = NULL, *word;
	size_t n;

	for (const char *q = text; q < end; q++)
		if (*q == ')')
			p = q;
	if (!p || p + 3 > end || p[1] != ' ')
		return -EINVAL;
	*ret_state = p[2];
	p += 2;
	for (int field = 3; field < 22; field++) {
		p = memchr(p, ' ', (size_t)(end - p));
		if (!p)
			return -EINVAL;
		p++;
	}
	word = p;
	for (n = 0; word + n < end && word[n] != ' ' && word[n] != '\n'; n++)
		;
	return hctx_parse_u64(word, n, ret_start);
}
