/* SPDX-License-Identifier: MIT */
/*
 * --redact (lib/redact.c): the kernel command line rewrite on real
 * command lines, and what a snapshot taken with it holds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The "redacted" list of a snapshot's JSON, as "a,b,c" ("" when none). */
static void assert_list(const char *json, const char *want)
{
	cJSON *doc = cJSON_Parse(json), *list, *e;
	char got[256] = "";

	assert_non_null(doc);
	list = cJSON_GetObjectItemCaseSensitive(doc, "redacted");
	cJSON_ArrayForEach(e, list) {
		assert_true(cJSON_IsString(e));
		if (got[0])
			strcat(got, ",");
		strcat(got, e->valuestring);
	}
	assert_string_equal(got, want);
	cJSON_Delete(doc);
}

static void assert_redacted(const char *in, const char *want)
{
	char *got = hctx_redact_cmdline_text(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* Command lines as real machines have them (Debian, Fedora, this VM). */
static void real_command_lines(void **state)
{
	(void)state;
	assert_redacted("BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 "
			"root=UUID=0b7d6f1e-54a4-4f3b-9c1c-7d2a5b9e3f10 ro quiet",
			"BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=<redacted> ro quiet");
	assert_redacted("BOOT_IMAGE=/vmlinuz root=/dev/mapper/vesubie--vg-root ro "
			"resume=/dev/mapper/vesubie--vg-swap_1",
			"BOOT_IMAGE=/vmlinuz root=<redacted> ro resume=<redacted>");
	assert_redacted("rd.lvm.lv=fedora/root rd.luks.uuid=luks-0b7d6f1e-54a4-4f3b-9c1c-7d2a5b9e3f10 "
			"rhgb quiet",
			"rd.lvm.lv=<redacted> rd.luks.uuid=<redacted> rhgb quiet");
	assert_redacted("cryptdevice=/dev/sda2:cryptroot ip=10.0.0.2::10.0.0.1:255.255.255.0:host:eth0:off "
			"nfsroot=10.0.0.1:/srv/nfs",
			"cryptdevice=<redacted> ip=<redacted> nfsroot=<redacted>");
	/* this VM: init's arguments after " -- " name a listener and its flags */
	assert_redacted("console=ttyS0 quiet psi=1 rdinit=/process_api -- --addr 0.0.0.0:2024 "
			"--auth-required",
			"console=ttyS0 quiet psi=1 rdinit=/process_api");
}

static void uuids_anywhere_and_edges(void **state)
{
	(void)state;
	/* a UUID in a parameter that is not on the list, and a bare one */
	assert_redacted("boot=UUID=0B7D6F1E-54A4-4F3B-9C1C-7D2A5B9E3F10 x",
			"boot=UUID=<redacted> x");
	assert_redacted("0b7d6f1e-54a4-4f3b-9c1c-7d2a5b9e3f10",
			"<redacted>");
	/* not UUIDs: a group too short, a non-hex digit */
	assert_redacted("a=0b7d6f1e-54a4-4f3b-9c1c-7d2a5b9e3f1 b=0b7d6f1e-54a4-4f3b-9c1c-7d2a5b9e3f1g",
			"a=0b7d6f1e-54a4-4f3b-9c1c-7d2a5b9e3f1 b=0b7d6f1e-54a4-4f3b-9c1c-7d2a5b9e3f1g");
	/* look-alikes of the listed parameters are kept */
	assert_redacted("rootfstype=ext4 ipv6.disable=1 noresume", "rootfstype=ext4 ipv6.disable=1 noresume");
	/* an empty value still goes; blanks are kept as written */
	assert_redacted("root=  ro\tquiet", "root=<redacted>  ro\tquiet");
	/* "--" alone at the end, "--" inside a word, a leading "--" */
	assert_redacted("quiet --", "quiet");
	assert_redacted("a--b --c", "a--b --c");
	assert_redacted("-- init args", "");
	assert_redacted("", "");
	assert_redacted("   ", "");
}

/* A snapshot of a tree, taken with --redact on. */
static void snapshot_lists_and_omits(void **state)
{
	char dir[] = "/tmp/hostctx-redact-XXXXXX";
	char path[256];
	struct hostctx_root *root = NULL;
	struct hostctx_snapshot *s = NULL;
	char *json = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/proc", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/cmdline", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("root=UUID=0b7d6f1e-54a4-4f3b-9c1c-7d2a5b9e3f10 ro -- secret\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/proc/cpuinfo", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("processor\t: 0\nmicrocode\t: 0x1000065\n\n", f);
	fclose(f);

	assert_int_equal(hostctx_root_open(dir, &root), 0);
	hostctx_root_set_redact(root, true);
	assert_int_equal(hostctx_snapshot_take(root, &s), 0);
	assert_int_equal(hostctx_snapshot_to_json(s, &json, NULL), 0);
	assert_non_null(strstr(json, "\"kernel_cmdline\": \"root=<redacted> ro\""));
	assert_null(strstr(json, "0x1000065"));
	assert_null(strstr(json, "secret"));
	assert_list(json, "kernel_cmdline,boot_id,cpu_vulnerabilities,cpu_microcode");
	free(json);
	hostctx_snapshot_free(s);

	/* off again: the microcode is back, no list */
	hostctx_root_set_redact(root, false);
	assert_int_equal(hostctx_snapshot_take(root, &s), 0);
	assert_int_equal(hostctx_snapshot_to_json(s, &json, NULL), 0);
	assert_non_null(strstr(json, "0x1000065"));
	assert_list(json, "");
	free(json);
	hostctx_snapshot_free(s);

	/* only selected rows are listed */
	hostctx_root_set_redact(root, true);
	assert_int_equal(hostctx_root_select(root, "seed"), 0);
	assert_int_equal(hostctx_snapshot_take(root, &s), 0);
	assert_int_equal(hostctx_snapshot_to_json(s, &json, NULL), 0);
	assert_list(json, "kernel_cmdline");
	free(json);
	hostctx_snapshot_free(s);
	hostctx_root_close(root);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_command_lines),
		cmocka_unit_test(uuids_anywhere_and_edges),
		cmocka_unit_test(snapshot_lists_and_omits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
