/* SPDX-License-Identifier: MIT */
/*
 * junit.h - private to `hostctx junit` (cmd_junit.c): the properties a
 * record gives (junit_props.c) and the rewriting of a JUnit XML file
 * (junit_xml.c, libxml2).
 */
#ifndef HOSTCTX_CLI_JUNIT_H
#define HOSTCTX_CLI_JUNIT_H

#include "cli.h"

#include <stddef.h>

/* Every property hostctx junit writes is named so, and only those are replaced. */
#define JUNIT_PROPERTY_PREFIX "hostctx."

struct junit_property {
	char *name;	/* "hostctx.kernel" */
	char *value;	/* as read from the record: may be any bytes */
};

/* The properties of one record, in the order they are written. */
struct junit_properties {
	struct junit_property *items;
	size_t n;
};

/*
 * The curated properties of sc (docs/hostctx.1, "junit"); sidecar_name
 * is the record's path as given.  An absent value gives no property.
 * 0 or -ENOMEM.
 */
int junit_properties_from_sidecar(const struct hostctx_sidecar *sc,
				  const char *sidecar_name,
				  struct junit_properties *ret);
void junit_properties_clear(struct junit_properties *p);

/* Built with libxml2: junit_rewrite() exists. */
bool junit_xml_available(void);

/*
 * Parse the JUnit XML text (len bytes; name is for messages), replace
 * the hostctx.* properties of every <testsuite> by props, and serialise
 * the document again in its own encoding: *ret_out (malloc()ed) and
 * *ret_len.  On failure the problem has been reported (one line naming
 * the file) and -1 is returned.  Nothing here writes but to stderr.
 */
int junit_rewrite(const char *text, size_t len, const char *name,
		  const struct junit_properties *props, char **ret_out,
		  size_t *ret_len);

#endif /* HOSTCTX_CLI_JUNIT_H */
