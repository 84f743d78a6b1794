/* Reporters.  Every position is turned into 1-based lines and columns
 * through the source map here and nowhere else; control characters from
 * user files are escaped so that one finding is one line, and the text of
 * the SARIF, checkstyle and GitHub formats is made valid for each. */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "report.h"

#define COLOR_BOLD "\033[1m"
#define COLOR_RESET "\033[0m"

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/" \
	"errata01/os/schemas/sarif-schema-2.1.0.json"
#define SARIF_FINGERPRINT "rulecheck/v1"
#define UTF8_REPLACEMENT "\xEF\xBF\xBD"

static const char *const severity_color[] = {
	"\033[1;36m", "\033[1;35m", "\033[1;31m"
};

/* One SARIF result waiting for its fingerprint, which counts the results
 * before it with the same hash and so is written at the end. */
struct report_mark {
	uint64_t hash;
	size_t seq;
	cJSON *to;		/* the partialFingerprints object */
};

static void sarif_init(struct report *r);

void report_init(struct report *r, enum report_format format, int color,
		 FILE *out)
{
	memset(r, 0, sizeof(*r));
	r->format = format;
	r->color = color && format == REPORT_TTY;
	r->out = out;
	if (format == REPORT_JSON) {
		r->root = cJSON_CreateObject();
		r->findings = cJSON_AddArrayToObject(r->root, "findings");
	}
	if (format == REPORT_SARIF)
		sarif_init(r);
	if (format == REPORT_CHECKSTYLE)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<checkstyle version=\"4.3\">\n", out);
}

void report_doc_path(char *buf, size_t len, enum check_id check)
{
	snprintf(buf, len, "doc/checks/%s.md", check_table[check].id);
}

/* Output gathered in memory before it goes to the stream: the findings
 * of a file are written at once, not a dozen pieces a line.  The file's
 * name, escaped, and the position last printed are kept from one
 * finding to the next. */
struct line {
	FILE *out;
	char buf[8192];
	size_t n;
	unsigned flushes;
	struct src_cursor cursor;
	const struct src_file *named;	/* the file whose name is in NAME */
	char name[1024];
	size_t name_len;
};

static void line_init(struct line *l, FILE *out)
{
	l->out = out;
	l->n = 0;
	l->flushes = 0;
	l->cursor.f = NULL;
	l->named = NULL;
}

static void line_flush(struct line *l)
{
	fwrite(l->buf, 1, l->n, l->out);
	l->n = 0;
	l->flushes++;
}

static void line_put_slow(struct line *l, const char *s, size_t n)
{
	line_flush(l);
	if (n > sizeof(l->buf)) {
		fwrite(s, 1, n, l->out);
		return;
	}
	memcpy(l->buf, s, n);
	l->n = n;
}

/* Inline: a finding's line is a dozen pieces, most of a byte or two. */
static inline void line_put(struct line *l, const char *s, size_t n)
{
	if (l->n + n > sizeof(l->buf)) {
		line_put_slow(l, s, n);
		return;
	}
	memcpy(l->buf + l->n, s, n);
	l->n += n;
}

static void line_str(struct line *l, const char *s)
{
	line_put(l, s, strlen(s));
}

static void line_uint(struct line *l, unsigned v)
{
	char b[16];
	size_t i = sizeof(b);

	do
		b[--i] = (char)('0' + v % 10);
	while (v /= 10);
	line_put(l, b + i, sizeof(b) - i);
}

/* The length of the run of S without a control character (the NUL
 * that ends S is one).  Texts are mostly plain: eight bytes are looked
 * at together while the string runs on. */
static size_t plain_run(const char *s)
{
	static const uint64_t ones = 0x0101010101010101u,
			      highs = 0x8080808080808080u;
	size_t n = 0, len = strlen(s);
	uint64_t w, del;

	for (; len - n >= 8; n += 8) {
		memcpy(&w, s + n, 8);
		del = w ^ (0x7f * ones);
		/* a byte below 0x20, or 0x7f, sets its high bit here */
		if (((w - 0x20 * ones) & ~w & highs) |
		    ((del - ones) & ~del & highs))
			break;
	}
	while ((unsigned char)s[n] >= 0x20 && s[n] != 0x7f)
		n++;
	return n;
}

/* S into L with control characters escaped. */
static void line_text(struct line *l, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char esc[4] = {'\\', 'x', 0, 0};
	size_t n;

	for (;;) {
		n = plain_run(s);
		line_put(l, s, n);
		s += n;
		if (!*s)
			return;
		esc[2] = hex[(unsigned char)*s >> 4];
		esc[3] = hex[(unsigned char)*s & 15];
		line_put(l, esc, 4);
		s++;
	}
}

/* The name of F's file into L, escaped once a file. */
static void line_name(struct line *l, const struct src_file *f)
{
	size_t at = l->n;
	unsigned flushes = l->flushes;

	if (l->named == f) {
		line_put(l, l->name, l->name_len);
		return;
	}
	line_text(l, f->name);
	l->named = NULL;
	if (l->flushes == flushes && l->n - at <= sizeof(l->name)) {
		l->name_len = l->n - at;
		memcpy(l->name, l->buf + at, l->name_len);
		l->named = f;
	}
}

static void print_gcc(struct report *r, struct line *l,
		      const struct finding *f)
{
	struct src_pos p = src_position_from(&l->cursor, f->file, f->start);
	const char *sev = check_severity_name(f->severity);

	if (r->color)
		line_str(l, COLOR_BOLD);
	line_name(l, f->file);
	line_put(l, ":", 1);
	line_uint(l, p.line);
	line_put(l, ":", 1);
	line_uint(l, p.column);
	line_put(l, ": ", 2);
	if (r->color)
		line_str(l, severity_color[f->severity]);
	line_str(l, sev);
	line_put(l, ":", 1);
	if (r->color)
		line_str(l, COLOR_RESET COLOR_BOLD);
	line_put(l, " ", 1);
	line_text(l, f->message);
	line_put(l, " [", 2);
	line_str(l, check_table[f->check].id);
	line_put(l, "]", 1);
	if (r->color)
		line_str(l, COLOR_RESET);
	line_put(l, "\n", 1);
	if (f->witness) {
		line_str(l, "    witness (");
		line_str(l, f->principal);
		line_put(l, "): ", 3);
		line_text(l, f->witness);
		line_put(l, "\n", 1);
	}
}

static int is_lead(unsigned char c)
{
	return (c & 0xC0) != 0x80;
}

/* The source line of F and a caret line under its span. */
static void print_excerpt(struct report *r, const struct finding *f)
{
	size_t len, i, start, end;
	const char *line = src_line(f->file, f->start, &len);
	const char *base = f->file->buf;
	struct src_pos p = src_position(f->file, f->start);

	start = f->start - (size_t)(line - base);
	end = f->end - (size_t)(line - base);
	if (end > len)
		end = len;
	fprintf(r->out, "%5u | ", p.line);
	for (i = 0; i < len; i++)
		putc((unsigned char)line[i] < 0x20 && line[i] != '\t' ?
		     ' ' : line[i], r->out);
	fprintf(r->out, "\n      | ");
	for (i = 0; i < start && i < len; i++)
		if (is_lead((unsigned char)line[i]))
			putc(line[i] == '\t' ? '\t' : ' ', r->out);
	if (r->color)
		fprintf(r->out, "%s", severity_color[f->severity]);
	putc('^', r->out);
	for (i = start + 1; i < end; i++)
		if (is_lead((unsigned char)line[i]))
			putc('~', r->out);
	if (r->color)
		fprintf(r->out, COLOR_RESET);
	putc('\n', r->out);
}

static void add_json(struct report *r, const struct finding *f)
{
	struct src_pos p = src_position(f->file, f->start);
	struct src_pos e = src_position(f->file, f->end);
	cJSON *o = cJSON_CreateObject();
	char doc[128];

	report_doc_path(doc, sizeof(doc), f->check);
	cJSON_AddStringToObject(o, "check", check_table[f->check].id);
	cJSON_AddStringToObject(o, "severity",
				check_severity_name(f->severity));
	cJSON_AddStringToObject(o, "file", f->file->name);
	cJSON_AddNumberToObject(o, "line", p.line);
	cJSON_AddNumberToObject(o, "column", p.column);
	cJSON_AddNumberToObject(o, "end_line", e.line);
	cJSON_AddNumberToObject(o, "end_column", e.column);
	if (f->pointer)
		cJSON_AddStringToObject(o, "pointer", f->pointer);
	else
		cJSON_AddNullToObject(o, "pointer");
	if (f->collection)
		cJSON_AddStringToObject(o, "collection", f->collection);
	else
		cJSON_AddNullToObject(o, "collection");
	if (f->operation)
		cJSON_AddStringToObject(o, "operation", f->operation);
	else
		cJSON_AddNullToObject(o, "operation");
	cJSON_AddStringToObject(o, "message", f->message);
	if (f->principal)
		cJSON_AddStringToObject(o, "class", f->principal);
	if (f->witness)
		cJSON_AddItemToObject(o, "witness", cJSON_Parse(f->witness));
	cJSON_AddStringToObject(o, "doc", doc);
	cJSON_AddItemToArray(r->findings, o);
}

/* ---- text for XML, SARIF and workflow commands --------------------------- */

/* The length of the valid UTF-8 sequence at S (1 to 4 bytes), or 0 when
 * S starts none (overlong forms and surrogates included); *CP receives
 * its code point. */
static size_t utf8_seq(const char *s, unsigned long *cp)
{
	static const unsigned long least[] = {0, 0, 0x80, 0x800, 0x10000};
	const unsigned char *u = (const unsigned char *)s;
	unsigned long c = u[0];
	size_t n, i;

	*cp = c;
	if (c < 0x80)
		return 1;
	if (c < 0xC2 || c > 0xF4)
		return 0;
	n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	c &= 0x3Fu >> (n - 1);
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (u[i] & 0x3F);
	}
	if (c < least[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* Write the character at S and return its length in bytes: a control
 * character as \xNN, as the gcc format does; a byte that starts no valid
 * UTF-8 sequence, and the non-characters U+FFFE and U+FFFF that XML
 * forbids, as U+FFFD. */
static size_t put_char(FILE *out, const char *s)
{
	unsigned char c = (unsigned char)*s;
	unsigned long cp;
	size_t n;

	if (c < 0x20 || c == 0x7f) {
		fprintf(out, "\\x%02x", c);
		return 1;
	}
	n = utf8_seq(s, &cp);
	if (n == 0 || cp == 0xFFFE || cp == 0xFFFF) {
		fputs(UTF8_REPLACEMENT, out);
		return n ? n : 1;
	}
	fwrite(s, 1, n, out);
	return n;
}

static void put_clean(FILE *out, const char *s)
{
	while (*s)
		s += put_char(out, s);
}

/* Text inside an XML attribute value in double quotes. */
static void put_xml(FILE *out, const char *s)
{
	while (*s) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default:
			s += put_char(out, s);
			continue;
		}
		s++;
	}
}

/* The message of a workflow command: '%' is its escape character. */
static void put_workflow_data(FILE *out, const char *s)
{
	while (*s) {
		if (*s == '%') {
			fputs("%25", out);
			s++;
		} else {
			s += put_char(out, s);
		}
	}
}

/* A property value of a workflow command, such as a file name, kept byte
 * for byte but for the characters that end a value or a line. */
static void put_workflow_property(FILE *out, const char *s)
{
	size_t n;

	for (; *s; s++) {
		n = strcspn(s, "%\r\n:,");
		fwrite(s, 1, n, out);
		s += n;
		switch (*s) {
		case '\0': return;
		case '%': fputs("%25", out); break;
		case '\r': fputs("%0D", out); break;
		case '\n': fputs("%0A", out); break;
		case ':': fputs("%3A", out); break;
		case ',': fputs("%2C", out); break;
		}
	}
}

/* The message of F through PUT, followed for a finding with a witness by
 * the witness on a line of its own; NEWLINE is written as it is. */
static void put_message(FILE *out, const struct finding *f,
			void (*put)(FILE *, const char *), const char *newline)
{
	put(out, f->message);
	if (!f->witness)
		return;
	fputs(newline, out);
	put(out, "witness (");
	put(out, f->principal ? f->principal : "unknown");
	put(out, "): ");
	put(out, f->witness);
}

static FILE *mem_open(char **buf, size_t *len)
{
	FILE *m = open_memstream(buf, len);

	if (!m)
		abort();
	return m;
}

static void mem_close(FILE *m)
{
	if (fclose(m) != 0)
		abort();
}

/* ---- SARIF 2.1.0 --------------------------------------------------------- */

static void sarif_add_text(cJSON *o, const char *key, const char *text)
{
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, key), "text", text);
}

/* Add S under KEY as valid UTF-8 with control characters escaped. */
static void sarif_add_clean(cJSON *o, const char *key, const char *s)
{
	char *buf = NULL;
	size_t len;
	FILE *m = mem_open(&buf, &len);

	put_clean(m, s);
	mem_close(m);
	cJSON_AddStringToObject(o, key, buf);
	free(buf);
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* "public-write" becomes "PublicWrite". */
static void sarif_rule_name(char *buf, size_t size, const char *id)
{
	size_t n = 0;
	int up = 1;

	for (; *id && n + 1 < size; id++) {
		if (*id == '-') {
			up = 1;
			continue;
		}
		buf[n++] = up ? upper(*id) : *id;
		up = 0;
	}
	buf[n] = '\0';
}

/* The summary of a check as a sentence: capital first, final period. */
static void put_sentence(FILE *out, const char *summary,
			 void (*put)(FILE *, const char *))
{
	char first[2] = {upper(summary[0]), '\0'};

	put(out, first);
	put(out, summary + (first[0] != '\0'));
	putc('.', out);
}

static void put_plain(FILE *out, const char *s)
{
	fputs(s, out);
}

/* Backslash before the characters that Markdown would take as markup. */
static void put_markdown(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\`*_[]<>#|", *s))
			putc('\\', out);
		putc(*s, out);
	}
}

static void sarif_help(cJSON *o, const struct check_info *c,
		       const char *uri)
{
	static const char tail[] = "for an example, the fix and when to "
				   "suppress the check";
	char *text = NULL, *md = NULL;
	size_t len;
	FILE *m;

	m = mem_open(&text, &len);
	put_sentence(m, c->summary, put_plain);
	fprintf(m, "\n\nSee %s %s (--disable %s).", uri, tail, c->id);
	mem_close(m);
	m = mem_open(&md, &len);
	put_sentence(m, c->summary, put_markdown);
	fprintf(m, "\n\nSee [doc/checks/%s.md](%s) %s (`--disable %s`).",
		c->id, uri, tail, c->id);
	mem_close(m);

	o = cJSON_AddObjectToObject(o, "help");
	cJSON_AddStringToObject(o, "text", text);
	cJSON_AddStringToObject(o, "markdown", md);
	free(text);
	free(md);
}

/* The summary as a sentence, the category and the default severity. */
static void sarif_full_description(cJSON *o, const struct check_info *c)
{
	static const char *const kind[] = {
		"A structure", "An expression", "An access", "A logic"
	};
	char *text = NULL;
	size_t len;
	FILE *m = mem_open(&text, &len);

	put_sentence(m, c->summary, put_plain);
	fprintf(m, " %s check, %s by default.", kind[c->category],
		check_severity_name(c->severity));
	if (c->category == CAT_ACCESS)
		fputs(" Each finding carries a witness: a request that the "
		      "rule allows.", m);
	mem_close(m);
	sarif_add_text(o, "fullDescription", text);
	free(text);
}

/* Tags for filtering; GitHub ranks "security" alerts by the string
 * "security-severity": high, medium and low for error, warning, note. */
static void sarif_rule_properties(cJSON *o, const struct check_info *c)
{
	static const char *const security[] = {"2.0", "5.0", "8.0"};
	cJSON *p = cJSON_AddObjectToObject(o, "properties");
	cJSON *tags = cJSON_AddArrayToObject(p, "tags");

	cJSON_AddItemToArray(tags, cJSON_CreateString(
					   check_category_name(c->category)));
	if (c->category != CAT_ACCESS)
		return;
	cJSON_AddItemToArray(tags, cJSON_CreateString("security"));
	cJSON_AddStringToObject(p, "security-severity",
				security[c->severity]);
}

static cJSON *sarif_rule(enum check_id id)
{
	const struct check_info *c = &check_table[id];
	cJSON *o = cJSON_CreateObject();
	char name[64], uri[256];

	sarif_rule_name(name, sizeof(name), c->id);
	snprintf(uri, sizeof(uri), "%sdoc/checks/%s.md", REPORT_HOME_URI,
		 c->id);
	cJSON_AddStringToObject(o, "id", c->id);
	cJSON_AddStringToObject(o, "name", name);
	sarif_add_text(o, "shortDescription", c->summary);
	sarif_full_description(o, c);
	sarif_help(o, c, uri);
	cJSON_AddStringToObject(o, "helpUri", uri);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o,
							"defaultConfiguration"),
				"level", check_severity_name(c->severity));
	sarif_rule_properties(o, c);
	return o;
}

/* One run of the tool, with every check as a rule, whether it fired or
 * not, so that ruleIndex is the check id. */
static void sarif_init(struct report *r)
{
	cJSON *run, *driver, *rules;
	int i;

	r->root = cJSON_CreateObject();
	cJSON_AddStringToObject(r->root, "$schema", SARIF_SCHEMA);
	cJSON_AddStringToObject(r->root, "version", "2.1.0");
	run = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(r->root, "runs"), run);

	driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"),
					 "driver");
	cJSON_AddStringToObject(driver, "name", PACKAGE_NAME);
	cJSON_AddStringToObject(driver, "semanticVersion", PACKAGE_VERSION);
	cJSON_AddStringToObject(driver, "informationUri", REPORT_HOME_URI);
	rules = cJSON_AddArrayToObject(driver, "rules");
	for (i = 0; i < CHECK_COUNT; i++)
		cJSON_AddItemToArray(rules, sarif_rule((enum check_id)i));

	cJSON_AddStringToObject(run, "columnKind", "unicodeCodePoints");
	r->findings = cJSON_AddArrayToObject(run, "results");
}

/* A path as a URI reference: every byte but the unreserved characters
 * and '/' percent-encoded; an absolute path becomes a file: URI. */
static char *sarif_uri(const char *path)
{
	static const char keep[] = "-._~/";
	char *buf = NULL;
	size_t len;
	FILE *m = mem_open(&buf, &len);

	if (path[0] == '/')
		fputs("file://", m);
	for (; *path; path++) {
		unsigned char c = (unsigned char)*path;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c && strchr(keep, c)))
			putc(c, m);
		else
			fprintf(m, "%%%02X", c);
	}
	mem_close(m);
	return buf;
}

static void sarif_region(cJSON *o, const struct finding *f)
{
	struct src_pos p = src_position(f->file, f->start);
	struct src_pos e = src_position(f->file, f->end);
	cJSON *region = cJSON_AddObjectToObject(o, "region");

	cJSON_AddNumberToObject(region, "startLine", p.line);
	cJSON_AddNumberToObject(region, "startColumn", p.column);
	cJSON_AddNumberToObject(region, "endLine", e.line);
	cJSON_AddNumberToObject(region, "endColumn", e.column);
}

static cJSON *sarif_location(const struct finding *f)
{
	cJSON *o = cJSON_CreateObject(), *phys, *art, *logical;
	char *uri = sarif_uri(f->file->name);

	phys = cJSON_AddObjectToObject(o, "physicalLocation");
	art = cJSON_AddObjectToObject(phys, "artifactLocation");
	cJSON_AddStringToObject(art, "uri", uri);
	if (f->file->name[0] != '/')
		cJSON_AddStringToObject(art, "uriBaseId", "%SRCROOT%");
	free(uri);
	sarif_region(phys, f);
	if (!f->pointer)
		return o;

	logical = cJSON_CreateObject();
	sarif_add_clean(logical, "fullyQualifiedName", f->pointer);
	cJSON_AddStringToObject(logical, "kind", "member");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "logicalLocations"),
			     logical);
	return o;
}

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)

static uint64_t fnv_byte(uint64_t h, unsigned char c)
{
	return (h ^ c) * FNV_PRIME;
}

/* FNV-1a of S and its terminating NUL, which separates the fields.  With
 * DIGITS set, a run of digits counts as one '0', so that a line number
 * quoted in a message does not change the hash when the rule moves. */
static uint64_t fnv_add(uint64_t h, const char *s, int digits)
{
	for (; *s; s++) {
		if (digits && *s >= '0' && *s <= '9') {
			while (s[1] >= '0' && s[1] <= '9')
				s++;
			h = fnv_byte(h, '0');
			continue;
		}
		h = fnv_byte(h, (unsigned char)*s);
	}
	return fnv_byte(h, 0);
}

/* What identifies a finding across runs: the check, the file, the rule,
 * the operation and the message, but not the position. */
static uint64_t sarif_hash(const struct finding *f)
{
	const char *file = f->file->name;
	uint64_t h = FNV_OFFSET;

	while (file[0] == '.' && file[1] == '/')
		file += 2;
	h = fnv_add(h, check_table[f->check].id, 0);
	h = fnv_add(h, file, 0);
	h = fnv_add(h, f->pointer ? f->pointer : "", 0);
	h = fnv_add(h, f->operation ? f->operation : "", 0);
	return fnv_add(h, f->message, 1);
}

static void sarif_mark(struct report *r, const struct finding *f,
		       cJSON *to)
{
	if (r->nmarks == r->capmarks) {
		r->capmarks = r->capmarks ? r->capmarks * 2 : 64;
		r->marks = realloc(r->marks, r->capmarks * sizeof(*r->marks));
		if (!r->marks)
			abort();
	}
	r->marks[r->nmarks].hash = sarif_hash(f);
	r->marks[r->nmarks].seq = r->nmarks;
	r->marks[r->nmarks].to = to;
	r->nmarks++;
}

/* The collection, operation, class and witness of F, when it has them. */
static void sarif_result_properties(cJSON *o, const struct finding *f)
{
	cJSON *p, *witness;

	if (!f->collection && !f->operation && !f->principal && !f->witness)
		return;
	p = cJSON_AddObjectToObject(o, "properties");
	if (f->collection)
		sarif_add_clean(p, "collection", f->collection);
	if (f->operation)
		cJSON_AddStringToObject(p, "operation", f->operation);
	if (f->principal)
		cJSON_AddStringToObject(p, "class", f->principal);
	if (!f->witness)
		return;
	witness = cJSON_Parse(f->witness);
	if (witness)
		cJSON_AddItemToObject(p, "witness", witness);
	else
		sarif_add_clean(p, "witness", f->witness);
}

static void add_sarif(struct report *r, const struct finding *f)
{
	cJSON *o = cJSON_CreateObject();
	char *text = NULL;
	size_t len;
	FILE *m = mem_open(&text, &len);

	put_message(m, f, put_clean, "\n");
	mem_close(m);
	cJSON_AddStringToObject(o, "ruleId", check_table[f->check].id);
	cJSON_AddNumberToObject(o, "ruleIndex", f->check);
	cJSON_AddStringToObject(o, "level", check_severity_name(f->severity));
	sarif_add_text(o, "message", text);
	free(text);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "locations"),
			     sarif_location(f));
	sarif_mark(r, f, cJSON_AddObjectToObject(o, "partialFingerprints"));
	sarif_result_properties(o, f);
	cJSON_AddItemToArray(r->findings, o);
}

static int mark_cmp(const void *a, const void *b)
{
	const struct report_mark *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Findings that hash alike are told apart by their rank among them, in
 * report order: "HASH:1", "HASH:2", ... */
static void sarif_fingerprints(struct report *r)
{
	char fp[40];
	size_t i, k = 0;

	if (r->nmarks)
		qsort(r->marks, r->nmarks, sizeof(*r->marks), mark_cmp);
	for (i = 0; i < r->nmarks; i++) {
		if (i > 0 && r->marks[i].hash == r->marks[i - 1].hash)
			k++;
		else
			k = 1;
		snprintf(fp, sizeof(fp), "%016" PRIx64 ":%zu",
			 r->marks[i].hash, k);
		cJSON_AddStringToObject(r->marks[i].to, SARIF_FINGERPRINT, fp);
	}
	free(r->marks);
	r->marks = NULL;
	r->nmarks = r->capmarks = 0;
}

/* ---- checkstyle and GitHub workflow commands ----------------------------- */

static void print_checkstyle(struct report *r, const struct finding *f)
{
	static const char *const severity[] = {"info", "warning", "error"};
	struct src_pos p = src_position(f->file, f->start);

	fprintf(r->out, "<error line=\"%u\" column=\"%u\" severity=\"%s\" "
		"message=\"", p.line, p.column, severity[f->severity]);
	put_message(r->out, f, put_xml, "&#10;");
	fprintf(r->out, "\" source=\"rulecheck.%s\"/>\n",
		check_table[f->check].id);
}

/* One <file> element for each run of findings in the same file. */
static void checkstyle_findings(struct report *r, const struct diag_list *d)
{
	const char *open = NULL;
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct finding *f = &d->v[i];

		if (open && strcmp(open, f->file->name) != 0) {
			fputs("</file>\n", r->out);
			open = NULL;
		}
		if (!open) {
			open = f->file->name;
			fputs("<file name=\"", r->out);
			put_xml(r->out, open);
			fputs("\">\n", r->out);
		}
		print_checkstyle(r, f);
	}
	if (open)
		fputs("</file>\n", r->out);
}

/* An annotation; columns only for a span within one line, the only kind
 * that GitHub accepts them for. */
static void print_github(struct report *r, const struct finding *f)
{
	static const char *const command[] = {"notice", "warning", "error"};
	struct src_pos p = src_position(f->file, f->start);
	struct src_pos e = src_position(f->file, f->end);
	int cols = p.line == e.line;

	fprintf(r->out, "::%s file=", command[f->severity]);
	put_workflow_property(r->out, f->file->name);
	fprintf(r->out, ",line=%u", p.line);
	if (cols)
		fprintf(r->out, ",col=%u", p.column);
	fprintf(r->out, ",endLine=%u", e.line);
	if (cols)
		fprintf(r->out, ",endColumn=%u", e.column);
	fprintf(r->out, ",title=rulecheck %s::", check_table[f->check].id);
	put_message(r->out, f, put_workflow_data, "%0A");
	putc('\n', r->out);
}

/* ---- the entry points ---------------------------------------------------- */

static void report_one(struct report *r, struct line *l,
		       const struct finding *f)
{
	switch (r->format) {
	case REPORT_JSON:
		add_json(r, f);
		break;
	case REPORT_SARIF:
		add_sarif(r, f);
		break;
	case REPORT_GITHUB:
		print_github(r, f);
		break;
	case REPORT_TTY:
		print_gcc(r, l, f);
		line_flush(l); /* the excerpt is printed to the stream */
		print_excerpt(r, f);
		break;
	default:
		print_gcc(r, l, f);
		break;
	}
}

void report_findings(struct report *r, const struct diag_list *d)
{
	struct line l;
	size_t i;

	for (i = 0; i < d->n; i++)
		r->count[d->v[i].severity]++;
	if (r->format == REPORT_CHECKSTYLE) {
		checkstyle_findings(r, d);
		return;
	}
	line_init(&l, r->out);
	for (i = 0; i < d->n; i++)
		report_one(r, &l, &d->v[i]);
	if (l.n)
		line_flush(&l);
}

/* Print the document built by the JSON and SARIF formats. */
static int print_document(struct report *r)
{
	char *text = cJSON_Print(r->root);
	int rc = 0;

	if (!text)
		rc = -1;
	else
		fprintf(r->out, "%s\n", text);
	free(text);
	cJSON_Delete(r->root);
	r->root = NULL;
	return rc;
}

int report_finish(struct report *r)
{
	int rc = 0;

	if (r->format == REPORT_SARIF)
		sarif_fingerprints(r);
	if (r->root)
		rc = print_document(r);
	if (r->format == REPORT_CHECKSTYLE)
		fputs("</checkstyle>\n", r->out);
	if (fflush(r->out) != 0 || ferror(r->out))
		rc = -1;
	return rc;
}
