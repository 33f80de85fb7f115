/* SPDX-License-Identifier: MIT */
/*
 * Pure parsers of the platform fields (docs/json-format.md, "Fields
 * beyond the reference"): os-release(5) assignments.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * The value after '=' in [s, end): unquoted (kept as written, trailing
 * blanks cut), in double quotes (backslash escapes only \" \\ \$ \`) or
 * single quotes (no escapes).  Anything but blanks after the closing
 * quote, or no closing quote, makes the line malformed: -EINVAL.
 */
static int os_release_value(const char *s, const char *end, char **ret)
{
	char *out = malloc((size_t)(end - s) + 1), *o = out;
	char quote;

	if (!out)
		return -ENOMEM;
	while (end > s && is_blank(end[-1]))
		end--;
	if (s == end || (*s != '"' && *s != '\'')) {
		memcpy(out, s, (size_t)(end - s));
		out[end - s] = '\0';
		*ret = out;
		return 0;
	}
	quote = *s++;
	for (; s < end && *s != quote; s++) {
		if (quote == '"' && *s == '\\' && s + 1 < end &&
		    strchr("\"\\$`", s[1]))
			s++;
		*o++ = *s;
	}
	if (s + 1 != end) {	/* unterminated, or junk after the quote */
		free(out);
		return -EINVAL;
	}
	*o = '\0';
	*ret = out;
	return 0;
}

/* One line; fills values[k] when its key is keys[k] (the last one wins). */
static int os_release_line(const char *s, const char *end,
			   const char *const *keys, size_t n_keys, char **values)
{
	const char *eq;
	char *v = NULL;
	int r;

	while (s < end && is_blank(*s))
		s++;
	if (s == end || *s == '#' || end - s > HCTX_OS_RELEASE_LINE_MAX ||
	    memchr(s, '\0', (size_t)(end - s)))
		return 0;
	eq = memchr(s, '=', (size_t)(end - s));
	if (!eq)
		return 0;
	for (size_t k = 0; k < n_keys; k++) {
		if (strlen(keys[k]) != (size_t)(eq - s) ||
		    memcmp(keys[k], s, (size_t)(eq - s)) != 0)
			continue;
		r = os_release_value(eq + 1, end, &v);
		if (r < 0)
			return r == -ENOMEM ? r : 0;
		if (!*v || !hctx_is_utf8(v, strlen(v))) {
			free(v);
			return 0;
		}
		free(values[k]);
		values[k] = v;
	}
	return 0;
}

int hctx_parse_os_release(const char *text, size_t len, const char *const *keys,
			  size_t n_keys, char **values)
{
	const char *end = text + len;

	for (const char *s = text; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		int r = os_release_line(s, eol, keys, n_keys, values);

		if (r < 0)
			return r;
		s = nl ? nl + 1 : end;
	}
	return 0;
}

/* ---- hypervisor probes ------------------------------------------------ */

static const struct {
	const char *signature;	/* CPUID 0x40000000 EBX, ECX, EDX */
	const char *name;
} cpuid_signatures[] = {
	{ "KVMKVMKVM", "kvm" },	/* padded with NULs */
	{ "XenVMMXenVMM", "xen" },
	{ "Microsoft Hv", "microsoft" },
	{ "VMwareVMware", "vmware" },
	{ "VBoxVBoxVBox", "virtualbox" },
	{ "TCGTCGTCGTCG", "qemu" },
	{ "bhyve bhyve ", "bhyve" },
	{ " lrpepyh  vr", "parallels" },
	{ "ACRNACRNACRN", "acrn" },
};

const char *hctx_hypervisor_of_cpuid(const char *signature)
{
	for (size_t i = 0; i < sizeof(cpuid_signatures) / sizeof(cpuid_signatures[0]); i++)
		if (strcmp(signature, cpuid_signatures[i].signature) == 0)
			return cpuid_signatures[i].name;
	return "unknown";
}

/* Xen writes "xen"; any other word is a hypervisor we cannot name. */
const char *hctx_hypervisor_of_type(const char *type)
{
	if (!*type)
		return NULL;
	return strcmp(type, "xen") == 0 ? "xen" : "unknown";
}

static bool line_has(const char *line, size_t len, const char *what)
{
	size_t n = strlen(what);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(line + i, what, n) == 0)
			return true;
	return false;
}

/* Nothing but the "Control Program:" lines: the file names the machine. */
const char *hctx_hypervisor_of_sysinfo(const char *text, size_t len)
{
	const char *end = text + len;

	for (const char *s = text; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (line_has(s, n, "Control Program:")) {
			if (line_has(s, n, "KVM"))
				return "kvm";
			if (line_has(s, n, "z/VM"))
				return "zvm";
		}
		s += n + 1;
	}
	return "lpar";	/* PR/SM: the file without a control program */
}

/* lscpu's rules for the device tree's compatible strings. */
const char *hctx_hypervisor_of_compatible(const char *text, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = strnlen(text + i, len - i);

		if (n == 12 && memcmp(text + i, "qemu,pseries", 12) == 0)
			return "kvm";
		if (n == 11 && memcmp(text + i, "ibm,powernv", 11) == 0)
			return "none";
		i += n + 1;
	}
	return NULL;
}

/* Virtual platforms only: cloud vendors stay visible in dmi instead. */
const char *hctx_hypervisor_of_dmi(const char *vendor, const char *product)
{
	static const struct {
		const char *vendor, *product, *name;
	} platforms[] = {
		{ "QEMU", NULL, "qemu" },
		{ "Bochs", NULL, "qemu" },
		{ "innotek GmbH", NULL, "virtualbox" },
		{ "VMware, Inc.", NULL, "vmware" },
		{ "Microsoft Corporation", "Virtual Machine", "microsoft" },
		{ "Xen", NULL, "xen" },
		{ "Parallels Software International Inc.", NULL, "parallels" },
		{ "BHYVE", NULL, "bhyve" },
	};

	for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++) {
		if (strcmp(vendor, platforms[i].vendor) != 0)
			continue;
		if (!platforms[i].product ||
		    (product && strcmp(product, platforms[i].product) == 0))
			return platforms[i].name;
	}
	return NULL;
}

static bool is_word_char(char c)
{
	return c != ' ' && c != '\t' && c != '\n' && c != '\0';
}

/* "flags\t\t: fpu vme ... hypervisor ..." in the first block. */
bool hctx_cpuinfo_has_flag(const char *text, size_t len, const char *flag)
{
	size_t end = hctx_cpuinfo_first_block_end(text, len), flen = strlen(flag);

	if (end == 0)
		end = len;
	for (size_t i = 0; i < end;) {
		const char *line = text + i, *nl = memchr(line, '\n', end - i);
		size_t n = nl ? (size_t)(nl - line) : end - i;
		const char *colon = memchr(line, ':', n);

		if (colon && n >= 5 && memcmp(line, "flags", 5) == 0 &&
		    (line[5] == ' ' || line[5] == '\t' || line + 5 == colon)) {
			for (const char *w = colon + 1; w + flen <= line + n; w++)
				if (memcmp(w, flag, flen) == 0 && !is_word_char(w[-1]) &&
				    (w + flen == line + n || !is_word_char(w[flen])))
					return true;
			return false;
		}
		i += n + 1;
	}
	return false;
}

/* ---- cpu_caches --------------------------------------------------------- */

/* sysfs prints "%uK"; an "M" suffix is taken as 1024 K. */
int hctx_parse_cache_size(const char *text, unsigned long *ret_kib)
{
	unsigned long v = 0;
	const char *p = text;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (ULONG_MAX / 1024 - 9) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (strcmp(p, "K") == 0)
		*ret_kib = v;
	else if (strcmp(p, "M") == 0)
		*ret_kib = v * 1024;
	else
		return -EINVAL;
	return 0;
}

/* "Data", "Instruction", "Unified" lowercased; other words as they are. */
int hctx_cache_type(const char *text, char *buf, size_t size)
{
	size_t n = strlen(text);

	if (n == 0 || n >= size)
		return -EINVAL;
	for (size_t i = 0; i <= n; i++)
		buf[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] - 'A' + 'a' : text[i]);
	return 0;
}
