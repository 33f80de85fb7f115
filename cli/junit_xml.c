/* SPDX-License-Identifier: MIT */
/*
 * junit_xml.c - put a record's properties into a JUnit XML file with
 * libxml2 (the Makefile's HAVE_LIBXML; without it junit_rewrite() is
 * absent and `hostctx junit` says so).
 *
 * The document is parsed and written back by libxml2 as it is: comments,
 * processing instructions, CDATA, entity references, attributes and
 * whitespace stay, and only the hostctx.* <property> elements (with the
 * indentation before each) are replaced.  What libxml2 normalises is
 * what an XML parser cannot tell apart anyway: attribute quotes, <a></a>
 * written <a/>, a byte-order mark.
 *
 * Untrusted input: no network (XML_PARSE_NONET), no external DTD or
 * entity is ever loaded (no XML_PARSE_DTDLOAD, no XML_PARSE_NOENT, and
 * an entity loader that refuses everything), libxml2's own limits on
 * depth and entity amplification stay on (no XML_PARSE_HUGE), and
 * libxml2 prints nothing: its first error becomes our one line.
 */
#include "junit.h"

#ifdef HAVE_LIBXML

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <libxml/chvalid.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>

bool junit_xml_available(void)
{
	return true;
}

/* ---- errors: the first one, for one line ---------------------------- */

struct first_error {
	bool set;
	int line;
	char message[200];
};

/* libxml2's unstructured messages (the serialiser's, say): not printed. */
static void ignore_generic(void *ctx, const char *msg, ...)
{
}

/* libxml2 2.12 made the error const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *error_ptr;
#else
typedef xmlErrorPtr error_ptr;
#endif

static void keep_first(void *userdata, error_ptr e)
{
	struct first_error *f = userdata;
	size_t n;

	if (f->set || !e || !e->message || e->level < XML_ERR_ERROR)
		return;
	snprintf(f->message, sizeof(f->message), "%s", e->message);
	n = strlen(f->message);
	while (n > 0 && (f->message[n - 1] == '\n' || f->message[n - 1] == ' '))
		f->message[--n] = '\0';
	f->line = e->line;
	f->set = true;
}

/* No DTD, no external entity, from anywhere. */
static xmlParserInputPtr refuse_to_load(const char *url, const char *id,
					xmlParserCtxtPtr ctxt)
{
	return NULL;
}

static void quiet_libxml(struct first_error *f)
{
	xmlSetGenericErrorFunc(NULL, ignore_generic);
	xmlSetStructuredErrorFunc(f, keep_first);
	xmlSetExternalEntityLoader(refuse_to_load);
}

/* ---- nodes ------------------------------------------------------------ */

static bool is_element(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       xmlStrEqual(n->name, (const xmlChar *)name);
}

static xmlNode *first_element(xmlNode *parent)
{
	for (xmlNode *n = parent->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

static xmlNode *child_named(xmlNode *parent, const char *name)
{
	for (xmlNode *n = parent->children; n; n = n->next)
		if (is_element(n, name))
			return n;
	return NULL;
}

static bool is_blank_text(const xmlNode *n)
{
	if (!n || n->type != XML_TEXT_NODE || !n->content)
		return false;
	return n->content[strspn((const char *)n->content, " \t\r\n")] == '\0';
}

/* The indentation text just before n, NULL when there is none. */
static const char *indent_before(const xmlNode *n)
{
	return n && is_blank_text(n->prev) ? (const char *)n->prev->content : NULL;
}

/*
 * Insert indentation before ref (or, ref NULL, at the end of parent).
 * Not next to text: libxml2 would merge it into that text, where the
 * next run could not tell it apart to remove it (not idempotent).
 * 0 or -ENOMEM.
 */
static int insert_text(xmlNode *parent, xmlNode *ref, const char *text)
{
	const xmlNode *before = ref ? ref->prev : parent->last;
	xmlNode *t;

	if (!text || (before && before->type == XML_TEXT_NODE) ||
	    (ref && ref->type == XML_TEXT_NODE))
		return 0;
	t = xmlNewDocText(parent->doc, (const xmlChar *)text);
	if (!t)
		return -ENOMEM;
	if (!(ref ? xmlAddPrevSibling(ref, t) : xmlAddChild(parent, t))) {
		xmlFreeNode(t);
		return -ENOMEM;
	}
	return 0;
}

static void remove_node(xmlNode *n)
{
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

/* ---- indentation -------------------------------------------------- */

/*
 * One level of the file's indentation, learnt from how much deeper the
 * suite's children sit than the suite: "  ", "\t"; "  " when it cannot
 * tell.  child is the indentation text of a child of suite.
 */
static size_t indent_unit(const xmlNode *suite, const char *child,
			  const char **ret_unit)
{
	const char *parent = indent_before(suite), *line;
	size_t pl = parent ? strlen(parent) : 0;

	if (parent && strncmp(child, parent, pl) == 0 && strlen(child) > pl) {
		*ret_unit = child + pl;
		return strlen(child) - pl;
	}
	line = strrchr(child, '\n');
	line = line ? line + 1 : child;
	if (*line) {
		*ret_unit = line;
		return strlen(line);
	}
	*ret_unit = "  ";
	return 2;
}

/* parent's indentation text plus one unit (malloc()ed), NULL when unknown. */
static char *deeper(const xmlNode *suite, const char *parent)
{
	const char *unit;
	size_t n;
	char *s;

	if (!parent)
		return NULL;
	n = indent_unit(suite, parent, &unit);
	if (asprintf(&s, "%s%.*s", parent, (int)n, unit) < 0)
		return NULL;
	return s;
}

/* ---- <properties> ------------------------------------------------- */

/*
 * A new <properties> as the suite's first element child (the JUnit
 * schema's order), indented as the children are.
 */
static xmlNode *insert_properties(xmlNode *suite)
{
	xmlNode *first = first_element(suite);
	xmlNode *p = xmlNewDocNode(suite->doc, suite->ns, (const xmlChar *)"properties", NULL);
	_cleanup_free_ char *child_indent = NULL;
	int r = 0;

	if (!p)
		return NULL;
	if (first) {
		/* ws <properties/> ws <first>: the same indentation before both */
		if (!xmlAddPrevSibling(first, p))
			r = -ENOMEM;
		if (r == 0)
			r = insert_text(suite, first, indent_before(p));
	} else if (is_blank_text(suite->last)) {
		/* only the indentation of </testsuite>: one level deeper */
		child_indent = deeper(suite, (const char *)suite->last->content);
		if (!xmlAddPrevSibling(suite->last, p))
			r = -ENOMEM;
		if (r == 0)
			r = insert_text(suite, p, child_indent);
	} else if (!suite->children) {
		/* <testsuite/>: as deep as its siblings' children would be */
		const char *own = indent_before(suite) ? indent_before(suite) : "\n";

		child_indent = deeper(suite, own);
		r = insert_text(suite, NULL, child_indent);
		if (r == 0 && !xmlAddChild(suite, p))
			r = -ENOMEM;
		if (r == 0)
			r = insert_text(suite, NULL, own);
	} else if (!xmlAddChild(suite, p)) {
		r = -ENOMEM;
	}
	if (r < 0) {
		if (!p->parent)
			xmlFreeNode(p);
		return NULL;
	}
	return p;
}

static bool is_ours(xmlNode *n)
{
	xmlChar *name;
	bool ours;

	if (!is_element(n, "property"))
		return false;
	name = xmlGetProp(n, (const xmlChar *)"name");
	ours = name && strncmp((const char *)name, JUNIT_PROPERTY_PREFIX,
			       strlen(JUNIT_PROPERTY_PREFIX)) == 0;
	xmlFree(name);
	return ours;
}

/* Remove the hostctx.* properties and the indentation before each. */
static void drop_ours(xmlNode *props)
{
	xmlNode *n = props->children;

	while (n) {
		xmlNode *next = n->next;

		if (is_ours(n)) {
			if (is_blank_text(n->prev))
				remove_node(n->prev);
			remove_node(n);
		}
		n = next;
	}
}

/* v made fit for an attribute: invalid UTF-8 and non-XML characters as '?'. */
static xmlChar *xml_safe(const char *v)
{
	size_t len = strlen(v);
	xmlChar *out = xmlMalloc(len + 1);
	const xmlChar *in = (const xmlChar *)v;
	size_t o = 0;

	if (!out)
		return NULL;
	while (*in) {
		int n = (int)(len < INT_MAX ? len : INT_MAX);
		int c = xmlGetUTF8Char(in, &n);

		if (c < 0 || !xmlIsCharQ(c) || n <= 0) {
			out[o++] = '?';
			n = 1;
		} else {
			memcpy(out + o, in, (size_t)n);
			o += (size_t)n;
		}
		in += n;
		len -= (size_t)n;
	}
	out[o] = '\0';
	return out;
}

static xmlNode *new_property(xmlNode *props, const struct junit_property *jp)
{
	xmlNode *n = xmlNewDocNode(props->doc, props->ns, (const xmlChar *)"property", NULL);
	xmlChar *value = xml_safe(jp->value);
	bool ok = n && value &&
		  xmlNewProp(n, (const xmlChar *)"name", (const xmlChar *)jp->name) &&
		  xmlNewProp(n, (const xmlChar *)"value", value);

	xmlFree(value);
	if (!ok) {
		xmlFreeNode(n);
		return NULL;
	}
	return n;
}

/*
 * Add props at the end of <properties>, each on its own line when the
 * file is indented: as deep as the first other property, else one
 * level below <properties>.
 */
static int append_ours(xmlNode *suite, xmlNode *props, const struct junit_properties *jp)
{
	xmlNode *other = child_named(props, "property");
	_cleanup_free_ char *own = NULL;
	const char *item = indent_before(other);
	xmlNode *end;
	int r = 0;

	if (!item) {
		own = deeper(suite, indent_before(props));
		item = own;
	}
	if (!props->children)	/* </properties> on its own line */
		r = insert_text(props, NULL, indent_before(props));
	end = is_blank_text(props->last) ? props->last : NULL;
	for (size_t i = 0; i < jp->n && r == 0; i++) {
		xmlNode *n = new_property(props, &jp->items[i]);

		if (!n)
			return -ENOMEM;
		if (!(end ? xmlAddPrevSibling(end, n) : xmlAddChild(props, n))) {
			xmlFreeNode(n);
			return -ENOMEM;
		}
		r = insert_text(props, n, item);
	}
	return r;
}

static int annotate_suite(xmlNode *suite, const struct junit_properties *jp)
{
	xmlNode *props = child_named(suite, "properties");

	if (!props)
		props = insert_properties(suite);
	if (!props)
		return -ENOMEM;
	drop_ours(props);
	return append_ours(suite, props, jp);
}

/* suite and every <testsuite> nested in it (libxml2 bounds the depth). */
static int annotate_tree(xmlNode *suite, const struct junit_properties *jp)
{
	int r = annotate_suite(suite, jp);

	for (xmlNode *n = suite->children; n && r == 0; n = n->next)
		if (is_element(n, "testsuite"))
			r = annotate_tree(n, jp);
	return r;
}

/* root is <testsuite> or <testsuites> (check_root). */
static int annotate(xmlNode *root, const struct junit_properties *jp)
{
	int r = 0;

	if (is_element(root, "testsuite"))
		return annotate_tree(root, jp);
	for (xmlNode *n = root->children; n && r == 0; n = n->next)
		if (is_element(n, "testsuite"))
			r = annotate_tree(n, jp);
	return r;
}

/* ---- parse, serialise ------------------------------------------------- */

/* s at start, one byte of each width-byte unit (UTF-16: width 2, at offset 0 or 1). */
static bool ascii_at(const char *text, size_t len, size_t start, size_t width,
		     const char *s)
{
	size_t n = strlen(s);

	if (len < start + n * width)
		return false;
	for (size_t i = 0; i < n; i++)
		if (text[start + i * width] != s[i])
			return false;
	return true;
}

/*
 * Whether text starts with an XML declaration, in UTF-8 (or an ASCII
 * superset) or UTF-16 of either order, after a byte-order mark.
 */
static bool has_declaration(const char *text, size_t len)
{
	/* "<?xml" and white space: "<?xml-stylesheet" is a processing instruction */
	static const char *const starts[] = { "<?xml ", "<?xml\t", "<?xml\n", "<?xml\r" };
	size_t skip = 0;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		skip = 3;
	else if (len >= 2 && (memcmp(text, "\xff\xfe", 2) == 0 ||
			      memcmp(text, "\xfe\xff", 2) == 0))
		skip = 2;
	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (ascii_at(text, len, skip, 1, starts[i]) ||
		    ascii_at(text, len, skip, 2, starts[i]) ||
		    ascii_at(text, len, skip + 1, 2, starts[i]))
			return true;
	return false;
}

/* The document in its declared encoding, declared only if it was. */
static int serialise(xmlDoc *doc, bool declaration, char **ret_out, size_t *ret_len)
{
	xmlBuffer *buf = xmlBufferCreate();
	xmlSaveCtxt *save;
	long r;

	if (!buf)
		return -ENOMEM;
	save = xmlSaveToBuffer(buf, (const char *)doc->encoding,
			       declaration ? 0 : XML_SAVE_NO_DECL);
	if (!save) {
		xmlBufferFree(buf);
		return -ENOMEM;
	}
	r = xmlSaveDoc(save, doc);
	if (xmlSaveClose(save) < 0 || r < 0) {
		xmlBufferFree(buf);
		return -EIO;
	}
	*ret_len = (size_t)xmlBufferLength(buf);
	*ret_out = (char *)xmlBufferDetach(buf);
	xmlBufferFree(buf);
	return *ret_out ? 0 : -ENOMEM;
}

/* No network; no DTD loaded, no entity replaced (the header comment). */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

static xmlDoc *parse(const char *text, size_t len, const char *name,
		     struct first_error *err)
{
	xmlDoc *doc;

	if (len > INT_MAX) {
		cli_file_error(name, "file too large");
		return NULL;
	}
	doc = xmlReadMemory(text, (int)len, NULL, NULL, PARSE_OPTIONS);
	if (doc)
		return doc;
	if (err->set)
		cli_file_error(name, "not well-formed XML: line %d: %s", err->line,
			       err->message);
	else
		cli_file_error(name, "not well-formed XML%s", len ? "" : ": the file is empty");
	return NULL;
}

static int check_root(xmlDoc *doc, const char *name)
{
	xmlNode *root = xmlDocGetRootElement(doc);

	if (is_element(root, "testsuites") || is_element(root, "testsuite"))
		return 0;
	cli_file_error(name, "not a JUnit XML file: the root element is <%s>, "
		       "not <testsuites> or <testsuite>",
		       root ? (const char *)root->name : "");
	return -1;
}

/*
 * libxml2 writes some encodings it cannot read back (UTF-7 through
 * iconv spells '<' in base64): never replace a file by one no parser
 * reads.
 */
static bool reads_again(const char *out, size_t len)
{
	xmlDoc *again;

	if (len > INT_MAX)
		return false;
	again = xmlReadMemory(out, (int)len, NULL, NULL, PARSE_OPTIONS);
	xmlFreeDoc(again);
	return again != NULL;
}

static int rewrite_doc(xmlDoc *doc, bool declaration, const char *name,
		       const struct junit_properties *props, char **ret_out,
		       size_t *ret_len)
{
	int r = check_root(doc, name);

	if (r < 0)
		return r;
	r = annotate(xmlDocGetRootElement(doc), props);
	if (r == 0)
		r = serialise(doc, declaration, ret_out, ret_len);
	if (r < 0) {
		cli_file_error(name, "cannot rewrite: %s", strerror(-r));
		return r;
	}
	if (!reads_again(*ret_out, *ret_len)) {
		cli_file_error(name, "libxml2 cannot write encoding %s so that it reads "
			       "back", doc->encoding ? (const char *)doc->encoding : "UTF-8");
		free(*ret_out);
		*ret_out = NULL;
		return -1;
	}
	return 0;
}

int junit_rewrite(const char *text, size_t len, const char *name,
		  const struct junit_properties *props, char **ret_out,
		  size_t *ret_len)
{
	struct first_error err = { .set = false };
	xmlDoc *doc;
	int r = -1;

	quiet_libxml(&err);
	doc = parse(text, len, name, &err);
	if (doc) {
		r = rewrite_doc(doc, has_declaration(text, len), name, props,
				ret_out, ret_len);
		xmlFreeDoc(doc);
	}
	/* The process parses one document: libxml2's globals go too. */
	xmlCleanupParser();
	return r < 0 ? -1 : 0;
}

#else /* !HAVE_LIBXML */

bool junit_xml_available(void)
{
	return false;
}

int junit_rewrite(const char *text, size_t len, const char *name,
		  const struct junit_properties *props, char **ret_out,
		  size_t *ret_len)
{
	cli_file_error(name, "cannot rewrite: built without libxml2");
	return -1;
}

#endif /* HAVE_LIBXML */
