/* SPDX-License-Identifier: MIT */
/*
 * tree_fixture.h - a synthetic /proc + /sys tree in a temporary
 * directory for the field groups' tests: setup/teardown, files and
 * links in it, and the snapshot of some groups of it as parsed JSON.
 * Include after cmocka.h and internal.h; define TREE_PREFIX (the
 * temporary directory's name) and TREE_GROUPS (the --fields groups).
 */
#ifndef HOSTCTX_TREE_FIXTURE_H
#define HOSTCTX_TREE_FIXTURE_H

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CPU "sys/devices/system/cpu"

struct tree {
	char dir[64];
};

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	snprintf(t->dir, sizeof(t->dir), "/tmp/" TREE_PREFIX "-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

static void put(const struct tree *t, const char *rel, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->dir, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_at(const struct tree *t, const char *rel, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", t->dir, rel);
	assert_int_equal(symlink(target, path), 0);
}

/* The snapshot of the tree as JSON, only the TREE_GROUPS groups. */
static cJSON *snap(const struct tree *t)
{
	struct hostctx_root *root = NULL;
	struct hostctx_snapshot *s = NULL;
	char *text = NULL;
	cJSON *doc;

	assert_int_equal(hostctx_root_open(t->dir, &root), 0);
	assert_int_equal(hostctx_root_select(root, TREE_GROUPS), 0);
	assert_int_equal(hostctx_snapshot_take(root, &s), 0);
	assert_int_equal(hostctx_snapshot_to_json(s, &text, NULL), 0);
	hostctx_snapshot_free(s);
	hostctx_root_close(root);
	doc = cJSON_Parse(text);
	assert_non_null(doc);
	free(text);
	return doc;
}

static void assert_field(const cJSON *doc, const char *key, const char *want)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);
	char *got;

	if (!want) {
		if (v)
			fail_msg("%s present: %s", key, cJSON_PrintUnformatted(v));
		return;
	}
	if (!v)
		fail_msg("%s absent, expected %s", key, want);
	got = cJSON_PrintUnformatted(v);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got %s, expected %s", key, got, want);
	free(got);
}

#endif /* HOSTCTX_TREE_FIXTURE_H */
