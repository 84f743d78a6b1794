/* The language server.  Messages are framed by a Content-Length header
 * and carry JSON-RPC 2.0; every open document is checked whole on each
 * change, and its findings go back as diagnostics whose ranges count
 * UTF-16 code units, the encoding every client understands. */
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "lint.h"
#include "lsp.h"
#include "report.h"
#include "suppress.h"

#define LSP_MAX_HEADER 8192	/* bytes in one block of header fields */
#define LSP_LINE_KEEP 256	/* the tail of a header line that is kept */
#define LSP_LENGTH_DIGITS 15	/* a longer Content-Length is invalid */
#define LSP_LENGTH_FIELD "content-length:"
#define LSP_MAX_DOCS 512	/* documents open at once */
#define LSP_DOC_BASE "https://rulecheck.invalid/"

enum lsp_error_code {
	LSP_PARSE_ERROR = -32700,
	LSP_INVALID_REQUEST = -32600,
	LSP_METHOD_NOT_FOUND = -32601,
	LSP_INVALID_PARAMS = -32602,
	LSP_NOT_INITIALIZED = -32002
};

enum lsp_read {
	LSP_READ_BODY,		/* a body to handle */
	LSP_READ_BAD,		/* a framing error, answered; read on */
	LSP_READ_EOF
};

struct lsp_doc {
	char *uri;
	char *name;		/* the file name, for kind inference */
	char *text;		/* NULL when larger than the size limit */
	size_t len;
	double version;
	int has_version;
};

struct lsp_server {
	FILE *in, *out;
	struct rule_options ro;
	struct access_options ao;
	struct lsp_doc *docs;
	size_t ndocs, cap;
	int initialized, shutdown, exit, broken;
};

/* One block of header fields as it is read. */
struct lsp_header {
	size_t total;		/* bytes since the block (re)started */
	size_t lines;
	long long length;	/* Content-Length, or -1 */
	int invalid;		/* a Content-Length that is not a number */
};

/* ---- output ---------------------------------------------------------- */

/* Send MSG as one framed message and free it. */
static void lsp_send(struct lsp_server *s, cJSON *msg)
{
	char *text = msg ? cJSON_PrintUnformatted(msg) : NULL;

	cJSON_Delete(msg);
	if (!text)
		return;
	if (fprintf(s->out, "Content-Length: %zu\r\n\r\n%s", strlen(text),
		    text) < 0 ||
	    fflush(s->out) == EOF)
		s->broken = 1;
	free(text);
}

static cJSON *lsp_message(void)
{
	cJSON *msg = cJSON_CreateObject();

	cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
	return msg;
}

/* A response to ID (null when ID is NULL) carrying RESULT. */
static void lsp_result(struct lsp_server *s, const cJSON *id, cJSON *result)
{
	cJSON *msg = lsp_message();

	cJSON_AddItemToObject(msg, "id", id ? cJSON_Duplicate(id, 1) :
				  cJSON_CreateNull());
	cJSON_AddItemToObject(msg, "result", result);
	lsp_send(s, msg);
}

static void lsp_error(struct lsp_server *s, const cJSON *id, int code,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void lsp_error(struct lsp_server *s, const cJSON *id, int code,
		      const char *fmt, ...)
{
	cJSON *msg = lsp_message(), *err;
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);

	cJSON_AddItemToObject(msg, "id", id ? cJSON_Duplicate(id, 1) :
				  cJSON_CreateNull());
	err = cJSON_AddObjectToObject(msg, "error");
	cJSON_AddNumberToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", text);
	lsp_send(s, msg);
}

static void lsp_notification(struct lsp_server *s, const char *method,
			     cJSON *params)
{
	cJSON *msg = lsp_message();

	cJSON_AddStringToObject(msg, "method", method);
	cJSON_AddItemToObject(msg, "params", params);
	lsp_send(s, msg);
}

/* ---- framing ----------------------------------------------------------- */

/* Read one line through its LF into BUF, keeping only its last bytes
 * when it is long; a final CR is dropped.  *FULL is the length of the
 * whole line, *SKIPPED the bytes dropped from its start.  Returns -1 at
 * the end of the input. */
static int lsp_read_line(FILE *in, char *buf, size_t *keep, size_t *full,
			 size_t *skipped)
{
	const size_t half = LSP_LINE_KEEP / 2;
	int c;

	*keep = *full = *skipped = 0;
	while ((c = getc(in)) != EOF && c != '\n') {
		if (*keep == LSP_LINE_KEEP - 1) {
			memmove(buf, buf + half, *keep - half);
			*keep -= half;
			*skipped += half;
		}
		buf[(*keep)++] = (char)c;
		(*full)++;
	}
	if (c == EOF)
		return -1;

	(*full)++;
	if (*keep && buf[*keep - 1] == '\r')
		(*keep)--;
	buf[*keep] = '\0';
	return 0;
}

/* The Content-Length field name in the N bytes of BUF, or NULL. */
static const char *lsp_find_length(const char *buf, size_t n)
{
	const size_t len = strlen(LSP_LENGTH_FIELD);
	size_t i;

	for (i = 0; i + len <= n; i++)
		if (strncasecmp(buf + i, LSP_LENGTH_FIELD, len) == 0)
			return buf + i;
	return NULL;
}

static void lsp_parse_length(struct lsp_header *h, const char *p)
{
	long long v = 0;
	int digits = 0;

	p += strspn(p, " \t");
	for (; *p >= '0' && *p <= '9' && digits < LSP_LENGTH_DIGITS;
	     p++, digits++)
		v = v * 10 + (*p - '0');
	p += strspn(p, " \t");

	h->invalid = !digits || *p;
	h->length = h->invalid ? -1 : v;
}

/* Note one header line.  A Content-Length field that follows other bytes
 * on its line starts the block afresh: those bytes were the end of a
 * message that could not be framed, and the reader resynchronises on
 * the field. */
static void lsp_header_line(struct lsp_header *h, const char *buf,
			    size_t keep, size_t full, size_t skipped)
{
	const char *field = lsp_find_length(buf, keep);
	size_t at = field ? (size_t)(field - buf) : 0;

	if (field && (at || skipped)) {
		h->total = 0;
		h->lines = 0;
		h->length = -1;
		h->invalid = 0;
		full = keep - at + 1;
	}
	h->total += full;
	h->lines++;
	if (field)
		lsp_parse_length(h, field + strlen(LSP_LENGTH_FIELD));
}

/* Read and drop N bytes. */
static void lsp_skip(FILE *in, long long n)
{
	char buf[4096];
	size_t want, got;

	while (n > 0) {
		want = (unsigned long long)n < sizeof(buf) ? (size_t)n :
		       sizeof(buf);
		got = fread(buf, 1, want, in);
		if (!got)
			return;
		n -= (long long)got;
	}
}

/* Judge a complete block: the body length, or an error in ERR (skipping
 * the body when its length is known). */
static enum lsp_read lsp_header_verdict(struct lsp_server *s,
					const struct lsp_header *h,
					size_t *length, char *err,
					size_t errlen)
{
	if (h->total > LSP_MAX_HEADER) {
		snprintf(err, errlen,
			 "header of %zu bytes exceeds the limit of %d bytes",
			 h->total, LSP_MAX_HEADER);
		lsp_skip(s->in, h->length);
		return LSP_READ_BAD;
	}
	if (h->invalid || h->length < 0) {
		snprintf(err, errlen, h->invalid ?
			 "invalid 'Content-Length' header" :
			 "missing 'Content-Length' header");
		return LSP_READ_BAD;
	}
	if ((unsigned long long)h->length > LSP_MAX_BODY) {
		snprintf(err, errlen,
			 "message body of %lld bytes exceeds the limit of %zu bytes",
			 h->length, LSP_MAX_BODY);
		lsp_skip(s->in, h->length);
		return LSP_READ_BAD;
	}
	*length = (size_t)h->length;
	return LSP_READ_BODY;
}

/* Read header fields up to the empty line that ends them; empty lines
 * before the first field are passed over. */
static enum lsp_read lsp_read_header(struct lsp_server *s, size_t *length,
				     char *err, size_t errlen)
{
	struct lsp_header h = { 0, 0, -1, 0 };
	char buf[LSP_LINE_KEEP];
	size_t keep, full, skipped;

	for (;;) {
		if (lsp_read_line(s->in, buf, &keep, &full, &skipped) < 0)
			return LSP_READ_EOF;
		if (!keep && !skipped && h.lines)
			break;
		if (keep || skipped)
			lsp_header_line(&h, buf, keep, full, skipped);
	}
	return lsp_header_verdict(s, &h, length, err, errlen);
}

/* Read one message into *BODY (NUL-terminated); a framing error is
 * answered here. */
static enum lsp_read lsp_read_message(struct lsp_server *s, char **body,
				      size_t *len)
{
	char err[128];
	enum lsp_read r = lsp_read_header(s, len, err, sizeof(err));

	if (r == LSP_READ_BAD)
		lsp_error(s, NULL, LSP_PARSE_ERROR, "%s", err);
	if (r != LSP_READ_BODY)
		return r;

	*body = malloc(*len + 1);
	if (!*body) {
		lsp_skip(s->in, (long long)*len);
		lsp_error(s, NULL, LSP_PARSE_ERROR, "out of memory");
		return LSP_READ_BAD;
	}
	if (fread(*body, 1, *len, s->in) != *len) {
		free(*body);
		return LSP_READ_EOF;
	}
	(*body)[*len] = '\0';
	return LSP_READ_BODY;
}

/* ---- documents ------------------------------------------------------- */

static struct lsp_doc *lsp_doc_find(struct lsp_server *s, const char *uri)
{
	size_t i;

	for (i = 0; uri && i < s->ndocs; i++)
		if (strcmp(s->docs[i].uri, uri) == 0)
			return &s->docs[i];
	return NULL;
}

static int lsp_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The bytes from START to END, percent-decoded (but never to a NUL). */
static char *lsp_decode(const char *start, const char *end)
{
	char *out = malloc((size_t)(end - start) + 1), *o = out;
	int hi, lo;

	for (; out && start < end; start++) {
		hi = *start == '%' && start + 2 < end ? lsp_hex(start[1]) : -1;
		lo = hi >= 0 ? lsp_hex(start[2]) : -1;
		if (lo >= 0 && (hi || lo)) {
			*o++ = (char)(hi * 16 + lo);
			start += 2;
		} else {
			*o++ = *start;
		}
	}
	if (out)
		*o = '\0';
	return out;
}

/* The last path segment of URI, decoded. */
static char *lsp_uri_name(const char *uri)
{
	const char *p = uri + strcspn(uri, "?#"), *start = p;

	while (start > uri && start[-1] != '/')
		start--;
	return lsp_decode(start, p);
}

/* The file a file: URI names, decoded, or NULL for another scheme; a
 * host other than localhost is refused. */
static char *lsp_uri_path(const char *uri)
{
	const char *p;

	if (strncasecmp(uri, "file://", 7) != 0)
		return NULL;
	p = uri + 7;
	if (strncasecmp(p, "localhost/", 10) == 0)
		p += 9;
	if (*p != '/')
		return NULL;
	return lsp_decode(p, p + strcspn(p, "?#"));
}

static struct lsp_doc *lsp_doc_add(struct lsp_server *s, const char *uri)
{
	struct lsp_doc *doc, *v;

	if (s->ndocs == LSP_MAX_DOCS)
		return NULL;
	if (s->ndocs == s->cap) {
		v = realloc(s->docs, (s->cap ? s->cap * 2 : 8) * sizeof(*v));
		if (!v)
			return NULL;
		s->docs = v;
		s->cap = s->cap ? s->cap * 2 : 8;
	}

	doc = &s->docs[s->ndocs];
	memset(doc, 0, sizeof(*doc));
	doc->uri = strdup(uri);
	doc->name = lsp_uri_name(uri);
	if (!doc->uri || !doc->name) {
		free(doc->uri);
		free(doc->name);
		return NULL;
	}
	s->ndocs++;
	return doc;
}

static void lsp_doc_free(struct lsp_doc *doc)
{
	free(doc->uri);
	free(doc->name);
	free(doc->text);
}

static void lsp_doc_remove(struct lsp_server *s, struct lsp_doc *doc)
{
	lsp_doc_free(doc);
	*doc = s->docs[--s->ndocs];
}

/* Give DOC the LEN bytes of TEXT; a text over the size limit is not kept
 * and will be reported as too large. */
static void lsp_doc_set(struct lsp_server *s, struct lsp_doc *doc,
			const char *text, size_t len)
{
	free(doc->text);
	doc->text = NULL;
	doc->len = len;
	if (len > s->ro.max_file_size)
		return;
	doc->text = malloc(len + 1);
	if (!doc->text)
		return;
	memcpy(doc->text, text, len);
	doc->text[len] = '\0';
}

static void lsp_doc_version(struct lsp_doc *doc, const cJSON *td)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(td, "version");

	doc->has_version = cJSON_IsNumber(v);
	doc->version = doc->has_version ? v->valuedouble : 0;
}

/* ---- positions ------------------------------------------------------- */

/* A character beyond the Basic Multilingual Plane takes a surrogate
 * pair: two code units. */
static size_t lsp_units(size_t char_len)
{
	return char_len == 4 ? 2 : 1;
}

/* OFFSET of F as an LSP position.  The first line starts at the first
 * byte: a byte-order mark the client sent is a character of its text. */
static cJSON *lsp_position(const struct src_file *f, size_t offset)
{
	const unsigned char *buf = (const unsigned char *)f->buf;
	size_t line = 0, i = 0, units = 0, n;
	cJSON *pos = cJSON_CreateObject();

	offset = offset < f->len ? offset : f->len;
	if (f->nlines) {
		line = src_find_line(f, offset);
		i = line ? f->line_starts[line] : 0;
	}
	for (; i < offset; i += n) {
		n = src_char_len(buf + i, f->len - i);
		if (i + n > offset)
			break;
		units += lsp_units(n);
	}

	cJSON_AddNumberToObject(pos, "line", (double)line);
	cJSON_AddNumberToObject(pos, "character", (double)units);
	return pos;
}

static size_t lsp_index(const cJSON *pos, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(pos, key);

	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0))
		return 0;
	if (v->valuedouble >= (double)(SIZE_MAX / 2))
		return SIZE_MAX / 2;
	return (size_t)v->valuedouble;
}

/* The byte offset in TEXT of the position POS, clamped to the end of its
 * line and to the end of the text. */
static size_t lsp_offset(const char *text, size_t len, const cJSON *pos)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t line = lsp_index(pos, "line"), ch = lsp_index(pos, "character");
	size_t i = 0, units = 0, n;

	for (; line && i < len; i++) {
		if (t[i] == '\r' && i + 1 < len && t[i + 1] == '\n')
			i++;
		if (t[i] == '\n' || t[i] == '\r')
			line--;
	}
	for (; i < len && t[i] != '\n' && t[i] != '\r'; i += n) {
		n = src_char_len(t + i, len - i);
		if (units + lsp_units(n) > ch)
			break;
		units += lsp_units(n);
	}
	return i;
}

/* ---- diagnostics ----------------------------------------------------- */

static void lsp_add_message(cJSON *o, const struct finding *f)
{
	char *text;

	if (!f->witness) {
		cJSON_AddStringToObject(o, "message", f->message);
		return;
	}
	if (asprintf(&text, "%s\nwitness (%s): %s", f->message,
		     f->principal ? f->principal : "unknown", f->witness) < 0)
		return;
	cJSON_AddStringToObject(o, "message", text);
	free(text);
}

static cJSON *lsp_diagnostic(const struct finding *f)
{
	static const int severity[] = {
		[SEV_NOTE] = 3, [SEV_WARNING] = 2, [SEV_ERROR] = 1
	};
	cJSON *o = cJSON_CreateObject(), *range, *desc;
	char path[128], href[160];

	range = cJSON_AddObjectToObject(o, "range");
	cJSON_AddItemToObject(range, "start", lsp_position(f->file, f->start));
	cJSON_AddItemToObject(range, "end", lsp_position(f->file, f->end));
	cJSON_AddNumberToObject(o, "severity", severity[f->severity]);
	cJSON_AddStringToObject(o, "code", check_table[f->check].id);

	report_doc_path(path, sizeof(path), f->check);
	snprintf(href, sizeof(href), "%s%s", LSP_DOC_BASE, path);
	desc = cJSON_AddObjectToObject(o, "codeDescription");
	cJSON_AddStringToObject(desc, "href", href);
	cJSON_AddStringToObject(o, "source", "rulecheck");
	lsp_add_message(o, f);
	return o;
}

/* A document that could not be checked at all: one error at its start. */
static cJSON *lsp_failure(const char *message)
{
	cJSON *diags = cJSON_CreateArray(), *o = cJSON_CreateObject();
	cJSON *range = cJSON_AddObjectToObject(o, "range"), *pos;

	pos = cJSON_AddObjectToObject(range, "start");
	cJSON_AddNumberToObject(pos, "line", 0);
	cJSON_AddNumberToObject(pos, "character", 0);
	cJSON_AddItemToObject(range, "end", cJSON_Duplicate(pos, 1));
	cJSON_AddNumberToObject(o, "severity", 1);
	cJSON_AddStringToObject(o, "source", "rulecheck");
	cJSON_AddStringToObject(o, "message", message);
	cJSON_AddItemToArray(diags, o);
	return diags;
}

/* The settings of the document's .rulecheck.json, found from the file
 * its URI names, applied to D and AO; a document that is no file, or
 * whose directory does not exist, takes none.  Returns -1 when the
 * configuration is invalid. */
static int lsp_configure(const struct lsp_doc *doc, struct conf_set *set,
			 struct conf_view *v, struct diag_list *d,
			 struct access_options *ao)
{
	struct conf_settings none;
	char *path = lsp_uri_path(doc->uri);
	int rc;

	char *abs = path ? conf_absolute(path) : NULL;

	conf_settings_init(&none);
	memset(set, 0, sizeof(*set));
	set->disabled = !abs;
	set->quiet = 1;
	rc = conf_view(set, abs ? abs : doc->name, &none, v);
	free(path);
	free(abs);
	if (rc == 0)
		conf_apply(v, d, ao);
	return rc;
}

/* The checks of a loaded document, as the command line runs them on one
 * file: the document is its own summary for role-doc-writable; then the
 * severities and suppressions of its configuration. */
static void lsp_lint(struct diag_list *d, struct rule_file *rf,
		     const struct lsp_doc *doc, struct conf_view *v,
		     const struct access_options *ao)
{
	struct access_summary summary = { 0 };

	if (rf->json.root)
		access_summarize(&summary, rf, ao);
	if (lint_file(d, rf, 1, ao, &summary) == LINT_INTERNAL)
		fprintf(stderr, "rulecheck: %s: internal error: a witness "
			"did not hold on re-evaluation\n", doc->uri);
	access_summary_free(&summary);
	conf_fix_severities(v, d);
	suppress_file(d, rf, v);
}

static cJSON *lsp_diagnostics(struct diag_list *d)
{
	cJSON *diags = cJSON_CreateArray();
	size_t i;

	diag_sort(d);
	for (i = 0; i < d->n; i++)
		cJSON_AddItemToArray(diags, lsp_diagnostic(&d->v[i]));
	return diags;
}

/* Run every check on DOC and return its diagnostics. */
static cJSON *lsp_check(struct lsp_server *s, const struct lsp_doc *doc)
{
	struct access_options ao = s->ao;
	struct conf_set set;
	struct conf_view v;
	struct diag_list d;
	struct rule_file rf;
	char err[256];
	cJSON *diags;

	if (!doc->text) {
		snprintf(err, sizeof(err), "file is larger than %zu bytes",
			 s->ro.max_file_size);
		return lsp_failure(err);
	}
	diag_init(&d);
	if (lsp_configure(doc, &set, &v, &d, &ao) < 0) {
		diags = lsp_failure(set.fault);
	} else if (rules_load_memory(&rf, doc->name, doc->text, doc->len,
				     &s->ro, &d, err, sizeof(err)) < 0) {
		diags = lsp_failure(err);
		conf_view_free(&v);
	} else {
		lsp_lint(&d, &rf, doc, &v, &ao);
		diags = lsp_diagnostics(&d);
		rules_free(&rf);
		conf_view_free(&v);
	}
	diag_free(&d);
	conf_set_free(&set);
	return diags;
}

static void lsp_publish_for(struct lsp_server *s, const char *uri,
			    const struct lsp_doc *doc, cJSON *diags)
{
	cJSON *params = cJSON_CreateObject();

	cJSON_AddStringToObject(params, "uri", uri);
	if (doc && doc->has_version)
		cJSON_AddNumberToObject(params, "version", doc->version);
	cJSON_AddItemToObject(params, "diagnostics", diags);
	lsp_notification(s, "textDocument/publishDiagnostics", params);
}

static void lsp_publish(struct lsp_server *s, const struct lsp_doc *doc)
{
	lsp_publish_for(s, doc->uri, doc, lsp_check(s, doc));
}

/* ---- notifications --------------------------------------------------- */

static const char *lsp_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *lsp_text_document(const cJSON *params)
{
	return cJSON_GetObjectItemCaseSensitive(params, "textDocument");
}

static void lsp_did_open(struct lsp_server *s, const cJSON *params)
{
	const cJSON *td = lsp_text_document(params);
	const char *uri = lsp_string(td, "uri"), *text = lsp_string(td, "text");
	struct lsp_doc *doc;

	if (!uri || !text)
		return;
	doc = lsp_doc_find(s, uri);
	if (!doc)
		doc = lsp_doc_add(s, uri);
	if (!doc) {
		lsp_publish_for(s, uri, NULL,
				lsp_failure("too many open documents; "
					    "this one is not checked"));
		return;
	}

	lsp_doc_set(s, doc, text, strlen(text));
	lsp_doc_version(doc, td);
	lsp_publish(s, doc);
}

/* Replace the bytes of DOC between the offsets of RANGE with TEXT. */
static void lsp_splice(struct lsp_server *s, struct lsp_doc *doc,
		       const cJSON *range, const char *text)
{
	size_t a, b, tlen = strlen(text), len;
	char *v;

	a = lsp_offset(doc->text, doc->len,
		       cJSON_GetObjectItemCaseSensitive(range, "start"));
	b = lsp_offset(doc->text, doc->len,
		       cJSON_GetObjectItemCaseSensitive(range, "end"));
	if (b < a)
		b = a;
	len = doc->len - (b - a) + tlen;

	v = malloc(len + 1);
	if (!v)
		return;
	memcpy(v, doc->text, a);
	memcpy(v + a, text, tlen);
	memcpy(v + a + tlen, doc->text + b, doc->len - b + 1);
	lsp_doc_set(s, doc, v, len);
	free(v);
}

/* One entry of contentChanges: the whole text, or a range and the text
 * that replaces it for a client that sends increments regardless. */
static void lsp_apply_change(struct lsp_server *s, struct lsp_doc *doc,
			     const cJSON *change)
{
	const char *text = lsp_string(change, "text");
	const cJSON *range = cJSON_GetObjectItemCaseSensitive(change, "range");

	if (!text)
		return;
	if (!cJSON_IsObject(range))
		lsp_doc_set(s, doc, text, strlen(text));
	else if (doc->text)
		lsp_splice(s, doc, range, text);
}

static void lsp_did_change(struct lsp_server *s, const cJSON *params)
{
	const cJSON *td = lsp_text_document(params), *change;
	const cJSON *changes;
	struct lsp_doc *doc = lsp_doc_find(s, lsp_string(td, "uri"));

	changes = cJSON_GetObjectItemCaseSensitive(params, "contentChanges");
	if (!doc || !cJSON_IsArray(changes))
		return;
	cJSON_ArrayForEach(change, changes)
		lsp_apply_change(s, doc, change);
	lsp_doc_version(doc, td);
	lsp_publish(s, doc);
}

static void lsp_did_save(struct lsp_server *s, const cJSON *params)
{
	const cJSON *td = lsp_text_document(params);
	const char *text = lsp_string(params, "text");
	struct lsp_doc *doc = lsp_doc_find(s, lsp_string(td, "uri"));

	if (!doc)
		return;
	if (text)
		lsp_doc_set(s, doc, text, strlen(text));
	lsp_publish(s, doc);
}

static void lsp_did_close(struct lsp_server *s, const cJSON *params)
{
	const char *uri = lsp_string(lsp_text_document(params), "uri");
	struct lsp_doc *doc = lsp_doc_find(s, uri);

	if (!uri)
		return;
	if (doc)
		lsp_doc_remove(s, doc);
	lsp_publish_for(s, uri, NULL, cJSON_CreateArray());
}

static const struct lsp_handler {
	const char *method;
	void (*fn)(struct lsp_server *s, const cJSON *params);
} lsp_handlers[] = {
	{ "textDocument/didOpen", lsp_did_open },
	{ "textDocument/didChange", lsp_did_change },
	{ "textDocument/didSave", lsp_did_save },
	{ "textDocument/didClose", lsp_did_close },
};

/* Notifications of unknown methods are ignored, as are all but exit
 * before initialisation and after shutdown. */
static void lsp_notify(struct lsp_server *s, const char *method,
		       const cJSON *params)
{
	size_t i;

	if (strcmp(method, "exit") == 0) {
		s->exit = 1;
		return;
	}
	if (!s->initialized || s->shutdown)
		return;
	for (i = 0; i < sizeof(lsp_handlers) / sizeof(lsp_handlers[0]); i++)
		if (strcmp(method, lsp_handlers[i].method) == 0)
			lsp_handlers[i].fn(s, params);
}

/* ---- requests -------------------------------------------------------- */

static void lsp_initialize(struct lsp_server *s, const cJSON *id)
{
	cJSON *res = cJSON_CreateObject(), *caps, *sync, *save, *info;

	caps = cJSON_AddObjectToObject(res, "capabilities");
	cJSON_AddStringToObject(caps, "positionEncoding", "utf-16");
	sync = cJSON_AddObjectToObject(caps, "textDocumentSync");
	cJSON_AddBoolToObject(sync, "openClose", 1);
	cJSON_AddNumberToObject(sync, "change", 1);
	save = cJSON_AddObjectToObject(sync, "save");
	cJSON_AddBoolToObject(save, "includeText", 0);

	info = cJSON_AddObjectToObject(res, "serverInfo");
	cJSON_AddStringToObject(info, "name", "rulecheck");
	cJSON_AddStringToObject(info, "version", PACKAGE_VERSION);
	s->initialized = 1;
	lsp_result(s, id, res);
}

static void lsp_shutdown(struct lsp_server *s, const cJSON *id)
{
	s->shutdown = 1;
	lsp_result(s, id, cJSON_CreateNull());
}

/* Only initialize is served before initialisation, only exit after
 * shutdown. */
static void lsp_request(struct lsp_server *s, const cJSON *id,
			const char *method, const cJSON *params)
{
	int init = strcmp(method, "initialize") == 0;

	if (!s->initialized && !init)
		lsp_error(s, id, LSP_NOT_INITIALIZED,
			  "server not initialized: '%.64s' before 'initialize'",
			  method);
	else if (s->shutdown)
		lsp_error(s, id, LSP_INVALID_REQUEST,
			  "server is shutting down: only 'exit' is accepted");
	else if (params && !cJSON_IsObject(params) && !cJSON_IsArray(params))
		lsp_error(s, id, LSP_INVALID_PARAMS,
			  "'params' must be an object or an array");
	else if (init && s->initialized)
		lsp_error(s, id, LSP_INVALID_REQUEST,
			  "server already initialized");
	else if (init)
		lsp_initialize(s, id);
	else if (strcmp(method, "shutdown") == 0)
		lsp_shutdown(s, id);
	else
		lsp_error(s, id, LSP_METHOD_NOT_FOUND,
			  "method '%.64s' not found", method);
}

/* ---- dispatch -------------------------------------------------------- */

static int lsp_valid_id(const cJSON *id)
{
	return cJSON_IsString(id) || cJSON_IsNumber(id);
}

/* Sort one message into a request, a notification or a response (which
 * the server, sending no requests, ignores); anything else is invalid.
 * Null params, which some clients send with shutdown, count as none. */
static void lsp_dispatch(struct lsp_server *s, const cJSON *msg)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(msg, "method");
	const char *version = lsp_string(msg, "jsonrpc");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(msg, "params");

	if (cJSON_IsNull(params))
		params = NULL;
	if (id && !lsp_valid_id(id))
		lsp_error(s, NULL, LSP_INVALID_REQUEST,
			  "'id' must be a number or a string");
	else if (!version || strcmp(version, "2.0") != 0)
		lsp_error(s, id, LSP_INVALID_REQUEST,
			  "'jsonrpc' must be '2.0'");
	else if (!method && id && (cJSON_HasObjectItem(msg, "result") ||
				   cJSON_HasObjectItem(msg, "error")))
		return;
	else if (!cJSON_IsString(method))
		lsp_error(s, id, LSP_INVALID_REQUEST,
			  "'method' must be a string");
	else if (id)
		lsp_request(s, id, method->valuestring, params);
	else
		lsp_notify(s, method->valuestring, params);
}

static void lsp_handle(struct lsp_server *s, const char *body, size_t len)
{
	cJSON *msg = NULL;

	if (!memchr(body, '\0', len))
		msg = cJSON_ParseWithLengthOpts(body, len + 1, NULL, 1);
	if (!msg)
		lsp_error(s, NULL, LSP_PARSE_ERROR,
			  "message body is not valid JSON");
	else if (!cJSON_IsObject(msg))
		lsp_error(s, NULL, LSP_INVALID_REQUEST,
			  "a message must be a JSON object");
	else
		lsp_dispatch(s, msg);
	cJSON_Delete(msg);
}

int lsp_main(FILE *in, FILE *out, const struct rule_options *ro,
	     const struct access_options *ao)
{
	struct lsp_server s;
	char *body;
	size_t len, i;
	enum lsp_read r;

	memset(&s, 0, sizeof(s));
	s.in = in;
	s.out = out;
	s.ro = *ro;
	s.ao = *ao;
	s.ao.dump = NULL;
	signal(SIGPIPE, SIG_IGN);

	while (!s.exit && !s.broken) {
		r = lsp_read_message(&s, &body, &len);
		if (r == LSP_READ_EOF)
			break;
		if (r == LSP_READ_BAD)
			continue;
		lsp_handle(&s, body, len);
		free(body);
	}

	for (i = 0; i < s.ndocs; i++)
		lsp_doc_free(&s.docs[i]);
	free(s.docs);
	return s.shutdown && !s.broken ? 0 : 1;
}
