/* SPDX-License-Identifier: MIT */
/*
 * redact.c - what --redact does to a field (docs/json-format.md,
 * "Redaction"): a row's .redact names one of these.  Omitted rows are
 * not even read; the command line is rewritten by a pure function.
 */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Parameters whose value names a disk, a volume, a host or an address. */
static const char *const secret_params[] = {
	"root=", "resume=", "rd.lvm.lv=", "rd.luks.uuid=", "cryptdevice=",
	"ip=", "nfsroot=",
};

static const char redacted[] = "<redacted>";

/*
 * 8-4-4-4-12 hex digits at p (36 bytes are there).  Wherever it stands,
 * even inside a longer run: better one hex run too many redacted.
 */
bool hctx_uuid_at(const char *p)
{
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? p[i] != '-' : !isxdigit((unsigned char)p[i]))
			return false;
	}
	return true;
}

static const char *secret_param(const char *word, size_t len)
{
	for (size_t i = 0; i < sizeof(secret_params) / sizeof(secret_params[0]); i++) {
		size_t n = strlen(secret_params[i]);

		if (len >= n && memcmp(word, secret_params[i], n) == 0)
			return secret_params[i];
	}
	return NULL;
}

/* Append word (len bytes) to out at *at, its UUIDs replaced. */
static void put_word(char *out, size_t *at, const char *word, size_t len)
{
	for (size_t i = 0; i < len;) {
		if (len - i >= 36 && hctx_uuid_at(word + i)) {
			memcpy(out + *at, redacted, sizeof(redacted) - 1);
			*at += sizeof(redacted) - 1;
			i += 36;
		} else {
			out[(*at)++] = word[i++];
		}
	}
}

/*
 * The command line with the values of secret_params[] and every
 * UUID-shaped token replaced by "<redacted>", cut before " -- " (what
 * follows goes to init, not the kernel).  Blanks are kept as written.
 * Returns a new string, or NULL when out of memory.
 */
char *hctx_redact_cmdline_text(const char *cmdline)
{
	/* the most a word grows: "ip=" (3 bytes) becomes "ip=<redacted>" (13) */
	size_t size = 5 * strlen(cmdline) + 1, at = 0;
	char *out = malloc(size);
	const char *p = cmdline;

	if (!out)
		return NULL;
	while (*p) {
		size_t blanks = strspn(p, " \t"), len;
		const char *param;

		if (p[blanks] == '-' && p[blanks + 1] == '-' &&
		    (p[blanks + 2] == '\0' || p[blanks + 2] == ' ' || p[blanks + 2] == '\t'))
			break;
		memcpy(out + at, p, blanks);
		at += blanks;
		p += blanks;
		len = strcspn(p, " \t");
		param = secret_param(p, len);
		if (param) {
			size_t n = strlen(param);

			memcpy(out + at, param, n);
			at += n;
			memcpy(out + at, redacted, sizeof(redacted) - 1);
			at += sizeof(redacted) - 1;
		} else {
			put_word(out, &at, p, len);
		}
		p += len;
	}
	while (at > 0 && (out[at - 1] == ' ' || out[at - 1] == '\t'))
		at--;
	out[at] = '\0';
	return out;
}

/* A row's redaction: the value goes (the row is not read at all). */
int hctx_redact_omit(struct hctx_value **v)
{
	hctx_value_free(*v);
	*v = NULL;
	return 0;
}

/* A row's redaction: kernel_cmdline's text rewritten. */
int hctx_redact_cmdline(struct hctx_value **v)
{
	struct hctx_value *nv;
	char *text;

	if (!*v || (*v)->node != HCTX_NODE_STRING)
		return 0;
	text = hctx_redact_cmdline_text((*v)->s);
	if (!text)
		return -ENOMEM;
	nv = hctx_value_string(text);
	free(text);
	if (!nv)
		return -ENOMEM;
	hctx_value_free(*v);
	*v = nv;
	return 0;
}
