/* Unit tests of the source map and the lenient JSON parser: events, the
 * maps from decoded strings to raw offsets, line and column counting,
 * every fault with its exact span, and hostile input (deep nesting, large
 * documents, bad bytes).  Runs without arguments or files; prints TAP. */

#include "json.h"
#include "source.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static size_t off(const char *text, const char *needle)
{
	const char *hit = strstr(text, needle);

	if (!hit) {
		printf("# test bug: '%s' not found\n", needle);
		exit(99);
	}
	return (size_t)(hit - text);
}

static int parse(struct json_doc *d, const char *text)
{
	return json_parse(d, text, strlen(text), JSON_MAX_DEPTH_DEFAULT);
}

static int span_is(struct json_span s, size_t start, size_t end)
{
	return s.start == start && s.end == end;
}

static void show_fault(const struct json_doc *d)
{
	printf("#   got: %zu-%zu \"%s\"\n", d->err_span.start, d->err_span.end,
	       d->err);
}

/* ---- source positions ------------------------------------------------- */

static int pos_is(const struct src_file *f, size_t offset, unsigned line,
		  unsigned column)
{
	struct src_pos p = src_position(f, offset);

	if (p.line == line && p.column == column)
		return 1;
	printf("#   offset %zu: got %u:%u, want %u:%u\n", offset, p.line,
	       p.column, line, column);
	return 0;
}

static int line_is(const struct src_file *f, size_t offset, const char *want)
{
	size_t len;
	const char *s = src_line(f, offset, &len);

	return len == strlen(want) && !memcmp(s, want, len);
}

static void test_line_breaks(void)
{
	static const char text[] = "a\r\nb\rc\nd";
	struct src_file f;

	src_from_memory(&f, "mem", text, sizeof(text) - 1);
	ok(f.nlines == 4, "CRLF, CR and LF each end one line");
	ok(pos_is(&f, 0, 1, 1) && pos_is(&f, 1, 1, 2) && pos_is(&f, 2, 1, 3) &&
	   pos_is(&f, 3, 2, 1) && pos_is(&f, 4, 2, 2) && pos_is(&f, 5, 3, 1) &&
	   pos_is(&f, 6, 3, 2) && pos_is(&f, 7, 4, 1) && pos_is(&f, 8, 4, 2),
	   "positions across CRLF, CR and LF");
	ok(line_is(&f, 1, "a") && line_is(&f, 3, "b") && line_is(&f, 5, "c") &&
	   line_is(&f, 8, "d"), "src_line drops the line break");
	ok(pos_is(&f, 1000, 4, 2), "an offset past the end is clamped");
	src_free(&f);

	src_from_memory(&f, "mem", "a\n", 2);
	ok(f.nlines == 2 && pos_is(&f, 2, 2, 1) && line_is(&f, 2, ""),
	   "the end of a text ending in a line break is on a new line");
	src_free(&f);

	src_from_memory(&f, "mem", "", 0);
	ok(f.nlines == 1 && pos_is(&f, 0, 1, 1) && line_is(&f, 0, ""),
	   "an empty text has one line");
	src_free(&f);
}

static void test_columns(void)
{
	static const char cjk[] = "{\"\xe4\xb8\xad\xe6\x96\x87\": 1}";
	struct src_file f;

	src_from_memory(&f, "mem", cjk, sizeof(cjk) - 1);
	ok(pos_is(&f, 2, 1, 3) && pos_is(&f, 5, 1, 4) && pos_is(&f, 8, 1, 5) &&
	   pos_is(&f, 11, 1, 8), "a Chinese character is one column");
	ok(pos_is(&f, 3, 1, 3), "an offset inside a character gets its column");
	src_free(&f);

	src_from_memory(&f, "mem", "\t\tx", 3);
	ok(pos_is(&f, 2, 1, 3), "a tab is one column");
	src_free(&f);

	src_from_memory(&f, "mem", "\xff\xfe\xe4\xb8x", 5);
	ok(pos_is(&f, 4, 1, 5), "an invalid byte is one column");
	src_free(&f);

	src_from_memory(&f, "mem", "\xef\xbb\xbf{}\n[]", 8);
	ok(f.bom == 3 && pos_is(&f, 3, 1, 1) && pos_is(&f, 4, 1, 2) &&
	   pos_is(&f, 0, 1, 1) && pos_is(&f, 6, 2, 1),
	   "a byte-order mark takes no column");
	ok(line_is(&f, 3, "{}"), "src_line leaves the byte-order mark out");
	src_free(&f);
}

/* Positions asked through a cursor, in order or not, across lines,
 * multi-byte and invalid characters, equal those asked afresh. */
static void test_cursor(void)
{
	static const char text[] = "\xef\xbb\xbf{\"a\xe4\xb8\xad\": \"\xff\xc3\xa9x\"\r\n"
				   "  \"\xf0\x9f\x98\x80\": [1, 2]\r"
				   "\n\n\t\"\xe4\xb8\": \"\xc3\"}";
	struct src_cursor c = {0};
	struct src_pos a, b;
	struct src_file f;
	size_t len = sizeof(text) - 1, i, bad = 0, n = 0;
	unsigned seed = 3;

	src_from_memory(&f, "mem", text, len);
	for (i = 0; i <= len + 2; i++, n++) {
		a = src_position_from(&c, &f, i);
		b = src_position(&f, i);
		bad += a.line != b.line || a.column != b.column;
	}
	for (i = 0; i < 2000; i++, n++) {
		size_t at;

		seed = seed * 1103515245u + 12345u;
		at = (seed >> 16) % (len + 3);
		if (i % 3) /* mostly onwards, as findings come */
			at = c.at + (seed >> 8) % 5;
		a = src_position_from(&c, &f, at);
		b = src_position(&f, at);
		bad += a.line != b.line || a.column != b.column;
	}
	ok(bad == 0, "%zu positions through a cursor equal those found "
	   "afresh", n);
	src_free(&f);
}

static void test_bisection(void)
{
	enum { LINES = 100000 };
	char *text = malloc(LINES * 3);
	struct src_file f;
	size_t i;
	int good = 1;

	for (i = 0; i < LINES; i++)
		memcpy(text + 3 * i, i % 2 ? "x\r\n" : "ab\n", 3);
	src_from_memory(&f, "mem", text, LINES * 3);
	for (i = 0; i < LINES && good; i += 997)
		good = pos_is(&f, 3 * i + 1, (unsigned)i + 1, 2);
	ok(good && f.nlines == LINES + 1, "positions in a text of %d lines",
	   LINES);
	src_free(&f);
	free(text);
}

static void test_load(void)
{
	char path[] = "/tmp/test-json-XXXXXX";
	char err[128] = "";
	struct src_file f;
	int fd = mkstemp(path);
	int rc;

	ok(fd >= 0 && write(fd, "{\"a\": 1}\n", 9) == 9, "a scratch file");
	rc = src_load(&f, path, "shown.json", 8, err, sizeof(err));
	ok(rc == -1 && !strcmp(err, "file is larger than 8 bytes"),
	   "a file over the size limit is refused (%s)", err);
	rc = src_load(&f, path, "shown.json", 9, err, sizeof(err));
	ok(rc == 0 && f.len == 9 && !strcmp(f.buf, "{\"a\": 1}\n") &&
	   !strcmp(f.name, "shown.json") && f.nlines == 2, "a file is read");
	src_free(&f);

	ok(freopen(path, "r", stdin) != NULL, "standard input from a file");
	rc = src_load(&f, "-", "<stdin>", 0, err, sizeof(err));
	ok(rc == 0 && f.len == 9 && !strcmp(f.name, "<stdin>"),
	   "\"-\" reads standard input");
	src_free(&f);
	unlink(path);

	rc = src_load(&f, "/tmp", NULL, 0, err, sizeof(err));
	ok(rc == -1 && !strcmp(err, "is a directory") && !f.buf,
	   "a directory is refused (%s)", err);
	rc = src_load(&f, path, NULL, 0, err, sizeof(err));
	ok(rc == -1 && !strcmp(err, "no such file or directory"),
	   "a missing file reports errno text (%s)", err);
}

/* ---- events ----------------------------------------------------------- */

static void test_comments(void)
{
	static const char text[] = "// lead\n{\"a\": /* in */ 1 // tail\r\n}";
	struct json_doc d;
	int rc = parse(&d, text);

	ok(rc == 0 && d.nevents == 3, "comments are accepted");
	ok(rc == 0 && d.events[0].kind == JSON_EV_COMMENT &&
	   span_is(d.events[0].span, 0, 7) &&
	   span_is(d.events[1].span, off(text, "/*"), off(text, " 1")) &&
	   span_is(d.events[2].span, off(text, "// t"), off(text, "\r")),
	   "comment events span the comment, without the line break");
	json_free(&d);

	rc = parse(&d, "[1 /* a */ /**/ // b\n]");
	ok(rc == 0 && d.nevents == 3 && d.root->nitems == 1,
	   "comments in a row");
	json_free(&d);
}

static void test_trailing_commas(void)
{
	static const char text[] = "{\"a\": [1, 2,], \"b\": {\"c\": 3,}, }";
	static const char later[] = "[1, /* c */ ]";
	struct json_doc d;
	int rc = parse(&d, text);

	ok(rc == 0 && d.nevents == 3 &&
	   d.events[0].kind == JSON_EV_TRAILING_COMMA &&
	   span_is(d.events[0].span, off(text, ",]"), off(text, ",]") + 1) &&
	   span_is(d.events[1].span, off(text, ",}"), off(text, ",}") + 1) &&
	   span_is(d.events[2].span, off(text, ", }"), off(text, ", }") + 1),
	   "trailing commas in arrays and objects");
	ok(rc == 0 && d.root->nmembers == 2 &&
	   d.root->members[0].value->nitems == 2,
	   "a trailing comma adds no element");
	json_free(&d);

	rc = parse(&d, later);
	ok(rc == 0 && d.nevents == 2 &&
	   d.events[0].kind == JSON_EV_TRAILING_COMMA &&
	   d.events[1].kind == JSON_EV_COMMENT && d.events[0].span.start == 2,
	   "a trailing comma is recorded before a comment after it");
	json_free(&d);
}

static void test_duplicates(void)
{
	static const char text[] = "{\"a\": 1, \"b\": 2, \"a\": 3, \"a\": 4}";
	struct json_doc d;
	struct json_member *m;
	int rc = parse(&d, text);

	ok(rc == 0 && d.nevents == 2 &&
	   d.events[0].kind == JSON_EV_DUPLICATE_KEY &&
	   span_is(d.events[0].span, 17, 20) &&
	   span_is(d.events[0].other, 1, 4) &&
	   span_is(d.events[1].span, 25, 28) &&
	   span_is(d.events[1].other, 17, 20),
	   "a duplicate key names the later and the earlier key");
	m = rc == 0 ? json_lookup(d.root, "a") : NULL;
	ok(m && m->value->number == 4 && m == &d.root->members[3],
	   "json_lookup returns the last member");
	ok(rc == 0 && d.root->members[0].shadowed &&
	   !d.root->members[1].shadowed && d.root->members[2].shadowed &&
	   !d.root->members[3].shadowed, "earlier members are shadowed");
	ok(rc == 0 && !json_lookup(d.root, "c") &&
	   !json_lookup(d.root->members[0].value, "a"),
	   "json_lookup misses cleanly");
	json_free(&d);
}

static void test_duplicates_large(void)
{
	char text[4096], *t = text;
	struct json_doc d;
	struct json_member *m;
	int rc, i, shadowed = 0;

	t += sprintf(t, "{");
	for (i = 0; i < 40; i++)
		t += sprintf(t, "\"k%d\": %d, ", i, i);
	t += sprintf(t, "\"k5\": 100, \"k39\": 101, \"k5\": 102, \"k0\": 103}");
	rc = parse(&d, text);
	ok(rc == 0 && d.nevents == 4 && d.root->nmembers == 44,
	   "duplicates in an object of 44 members");
	for (i = 0; rc == 0 && i < 44; i++)
		shadowed += d.root->members[i].shadowed;
	m = rc == 0 ? json_lookup(d.root, "k5") : NULL;
	ok(shadowed == 4 && m && m->value->number == 102 &&
	   d.root->members[5].shadowed && d.root->members[40].shadowed,
	   "the hashed search shadows the earlier members");
	ok(rc == 0 && d.events[2].other.start ==
	   d.root->members[40].key_span.start,
	   "the third k5 names the second as the earlier key");
	json_free(&d);
}

static void test_key_with_nul(void)
{
	struct json_doc d;
	int rc = parse(&d, "{\"a\\u0000b\": 1, \"a\": 2, \"a\\u0000c\": 3}");

	ok(rc == 0 && d.nevents == 0 && d.root->members[0].key.len == 3 &&
	   json_lookup(d.root, "a") == &d.root->members[1],
	   "keys with a NUL compare by length");
	json_free(&d);
}

/* ---- strings ---------------------------------------------------------- */

static int raw_is(const struct json_string *s, const size_t *want, size_t n)
{
	size_t i;

	if (s->len + 1 != n)
		return 0;
	for (i = 0; i < n; i++)
		if (json_raw(s, i) != want[i])
			return 0;
	return 1;
}

static void test_escapes(void)
{
	static const size_t quote_raw[] = { 1, 2, 4, 5 };
	static const size_t mix_raw[] = { 1, 2, 4, 6, 6, 6, 12, 14, 15, 17 };
	static const size_t plain_raw[] = { 3, 4, 5, 6, 7 };
	struct json_doc d;
	int rc = parse(&d, "\"a\\\"b\"");

	ok(rc == 0 && d.root->type == JSON_STRING && d.root->str.len == 3 &&
	   !strcmp(d.root->str.text, "a\"b") &&
	   raw_is(&d.root->str, quote_raw, 4) && span_is(d.root->span, 0, 6),
	   "\"a\\\"b\" maps its decoded bytes to 1, 2, 4 and its end to 5");
	json_free(&d);

	/* a plain string keeps no table: its offsets follow from its start */
	rc = parse(&d, " [\"ab\xc3\xa9\"]");
	ok(rc == 0 && d.root->items[0]->str.raw == NULL &&
	   raw_is(&d.root->items[0]->str, plain_raw, 5),
	   "a string without an escape maps byte i to its start + i, "
	   "without a table");
	json_free(&d);

	/* "x\n\/\u4e2d\\y\t" */
	rc = parse(&d, "\"x\\n\\/\\u4e2d\\\\y\\t\"");
	ok(rc == 0 && !strcmp(d.root->str.text, "x\n/\xe4\xb8\xad\\y\t") &&
	   raw_is(&d.root->str, mix_raw, 10),
	   "\\n, \\/, \\uXXXX, \\\\ and \\t map to their backslash");
	json_free(&d);

	rc = parse(&d, "[\"\\b\\f\\r\\u0000\\u00e9\\u0041\"]");
	ok(rc == 0 && d.root->items[0]->str.len == 7 &&
	   !memcmp(d.root->items[0]->str.text, "\b\f\r\0\xc3\xa9" "A", 8),
	   "\\b, \\f, \\r and \\u escapes of one and two bytes");
	json_free(&d);
}

/* Every length around the eight-byte stride of the plain-string scan,
 * with one special byte at every position: the decoded text, the
 * offsets and the fault position must not depend on where it falls. */
static void test_string_strides(void)
{
	static const char *const kinds[] = { "\\\"", "\\\\", "\xc3\xa9",
					     "\x01", "\xff", "" };
	static const char *const decoded[] = { "\"", "\\", "\xc3\xa9",
					       NULL, NULL, "" };
	char text[64], want[64];
	size_t len, at, k, i, n, bad = 0, cases = 0;
	struct json_doc d;

	for (len = 0; len <= 20; len++)
		for (k = 0; k < sizeof kinds / sizeof *kinds; k++)
			for (at = 0; at <= len; at++) {
				size_t klen = strlen(kinds[k]), dlen;
				int rc, good;

				text[0] = '"';
				for (i = 0; i < at; i++)
					text[1 + i] = (char)('a' + i);
				memcpy(text + 1 + at, kinds[k], klen);
				for (i = at; i < len; i++)
					text[1 + klen + i] = (char)('a' + i);
				n = 1 + klen + len;
				text[n++] = '"';
				text[n] = '\0';
				rc = json_parse(&d, text, n,
						JSON_MAX_DEPTH_DEFAULT);
				cases++;
				if (!decoded[k]) {
					/* the fault is at the special byte */
					good = rc != 0 &&
					       d.err_span.start == 1 + at;
					bad += !good;
					json_free(&d);
					continue;
				}
				dlen = strlen(decoded[k]);
				memcpy(want, text + 1, at);
				memcpy(want + at, decoded[k], dlen);
				memcpy(want + at + dlen, text + 1 + at + klen,
				       len - at);
				want[len + dlen] = '\0';
				good = rc == 0 && d.root->str.len == len + dlen &&
				       !strcmp(d.root->str.text, want) &&
				       span_is(d.root->span, 0, n);
				for (i = 0; good && i < len + dlen; i++) {
					size_t src = 1 + i;

					if (i >= at + dlen)
						src = 1 + i - dlen + klen;
					else if (i >= at)
						src = 1 + at + (klen == dlen ?
								i - at : 0);
					good = json_raw(&d.root->str, i) == src;
				}
				bad += !good;
				json_free(&d);
			}
	ok(bad == 0, "%zu strings of 0 to 20 bytes with an escape, a "
	   "non-ASCII character or a bad byte at every position",
	   cases);

	for (len = 0, bad = 0; len <= 20; len++) {
		text[0] = '"';
		memset(text + 1, 'x', len);
		bad += json_parse(&d, text, 1 + len,
				  JSON_MAX_DEPTH_DEFAULT) == 0;
		json_free(&d);
	}
	ok(bad == 0, "a string without its closing quote is a fault at "
	   "every length");
}

static void test_surrogates(void)
{
	static const size_t pair_raw[] = { 1, 2, 2, 2, 2, 14, 15 };
	static const size_t lone_raw[] = { 1, 1, 1, 7, 8 };
	struct json_doc d;
	int rc = parse(&d, "\"x\\ud83d\\ude00y\"");

	ok(rc == 0 && !strcmp(d.root->str.text, "x\xf0\x9f\x98\x80y") &&
	   raw_is(&d.root->str, pair_raw, 7),
	   "a surrogate pair is one 4-byte character mapped to its backslash");
	json_free(&d);

	rc = parse(&d, "\"\\ud800x\"");
	ok(rc == 0 && !strcmp(d.root->str.text, "\xef\xbf\xbdx") &&
	   raw_is(&d.root->str, lone_raw, 5),
	   "a lone high surrogate decodes to U+FFFD");
	json_free(&d);

	rc = parse(&d, "[\"\\udc00\", \"\\ud800\\u0041\", \"\\uD83D\\uDE00\"]");
	ok(rc == 0 && !strcmp(d.root->items[0]->str.text, "\xef\xbf\xbd") &&
	   !strcmp(d.root->items[1]->str.text, "\xef\xbf\xbd" "A") &&
	   !strcmp(d.root->items[2]->str.text, "\xf0\x9f\x98\x80"),
	   "a lone low surrogate, a high one before a non-surrogate, "
	   "upper case");
	json_free(&d);
}

/* A column inside a string goes through the raw map and the source map. */
static void test_string_position(void)
{
	static const char text[] = "{\r\n  \"read\": "
		"\"\xe4\xb8\xad\\\"\\u4e2d == auth.openid\"\r\n}";
	struct json_doc d;
	struct src_file f;
	const struct json_string *s;
	size_t at;
	int rc = parse(&d, text);

	src_from_memory(&f, "mem", text, sizeof(text) - 1);
	s = rc == 0 ? &d.root->members[0].value->str : NULL;
	at = s ? (size_t)(strstr(s->text, "auth") - s->text) : 0;
	ok(s && at == 11 && pos_is(&f, json_raw(s, at), 2, 25) &&
	   pos_is(&f, json_raw(s, 3), 2, 13) && pos_is(&f, json_raw(s, 5), 2, 15),
	   "a decoded offset maps to line and column through the escapes");
	src_free(&f);
	json_free(&d);
}

/* ---- values and spans ------------------------------------------------- */

static void test_values(void)
{
	static const char text[] = "\xef\xbb\xbf"
		"{\"n\": [-1.5e3, 0, 12, true, false, null, {}, []]}";
	struct json_doc d;
	struct json_node *a;
	int rc = parse(&d, text);

	a = rc == 0 ? d.root->members[0].value : NULL;
	ok(a && a->type == JSON_ARRAY && a->nitems == 8 &&
	   a->items[0]->number == -1500 && a->items[2]->number == 12 &&
	   a->items[3]->type == JSON_TRUE && a->items[4]->type == JSON_FALSE &&
	   a->items[5]->type == JSON_NULL && a->items[6]->nmembers == 0 &&
	   a->items[7]->nitems == 0, "numbers, literals, empty containers");
	ok(a && span_is(d.root->span, 3, sizeof(text) - 1) &&
	   span_is(d.root->members[0].key_span, 4, 7) &&
	   span_is(a->items[0]->span, off(text, "-1"), off(text, ", 0")) &&
	   span_is(a->items[3]->span, off(text, "true"),
		   off(text, ", false")) &&
	   span_is(a->items[6]->span, off(text, "{}"), off(text, "{}") + 2),
	   "spans of keys and values, after a byte-order mark");
	json_free(&d);

	rc = parse(&d, "  \"top\"  ");
	ok(rc == 0 && d.root->type == JSON_STRING &&
	   span_is(d.root->span, 2, 7),
	   "a scalar at the top");
	json_free(&d);
}

/* ---- faults ----------------------------------------------------------- */

static void fault_n(const char *text, size_t len, size_t start, size_t end,
		    const char *msg)
{
	struct json_doc d;
	int rc = json_parse(&d, text, len, JSON_MAX_DEPTH_DEFAULT);

	if (!ok(rc == -1 && !d.root && span_is(d.err_span, start, end) &&
		!strcmp(d.err, msg), "fault at %zu: %s", start, msg))
		show_fault(&d);
	json_free(&d);
}

static void fault(const char *text, size_t start, size_t end, const char *msg)
{
	fault_n(text, strlen(text), start, end, msg);
}

#define SPAN_LINES "a string cannot span lines"

static void test_faults(void)
{
	fault("{\"a\": 1 \"b\": 2}", 8, 11,
	      "expected ',' or '}' after an object member, found '\"b\"'");
	fault("[1 2]", 3, 4,
	      "expected ',' or ']' after an array element, found '2'");
	fault("[1", 2, 2, "unexpected end of file, "
	      "expected ',' or ']' after an array element");
	fault("{\"a\": 1,", 8, 8,
	      "unexpected end of file, expected a string key or '}'");
	fault("{a: 1}", 1, 2, "expected a string key or '}', found 'a'");
	fault("{'a': 1}", 1, 4, "expected a string key or '}', found ''a''");
	fault("{\"a\" 1}", 5, 6, "expected ':' after an object key, found '1'");
	fault("{\"a\":}", 5, 6, "expected a value, found '}'");
	fault("[1,,2]", 3, 4, "expected a value, found ','");
	fault("[tru]", 1, 4, "expected a value, found 'tru'");
	fault("[True]", 1, 5, "expected a value, found 'True'");
	fault("[01]", 1, 3, "invalid number '01'");
	fault("[1.]", 1, 3, "invalid number '1.'");
	fault("[-]", 1, 2, "invalid number '-'");
	fault("[1e+]", 1, 4, "invalid number '1e+'");
	fault("[0x1F]", 1, 5, "invalid number '0x1F'");
	fault("\"abc", 0, 4, "unterminated string");
	fault("[\"a\\", 1, 4, "unterminated string");
	fault("[\"\\u12", 1, 6, "unterminated string");
	fault("[1] /* x", 4, 8, "unterminated comment");
	fault("\"a\\qb\"", 2, 4, "invalid escape '\\q'");
	fault("\"\\u12G4\"", 1, 6, "invalid escape '\\u12G'");
	fault("\"\\u12\"", 1, 5, "invalid escape '\\u12'");
	fault("\"ab\ncd\"", 3, 4,
	      "control character U+000A in a string; " SPAN_LINES);
	fault("\"ab\r\n\"", 3, 4,
	      "control character U+000D in a string; " SPAN_LINES);
	fault("\"a\tb\"", 2, 3, "control character U+0009 in a string");
	fault("\"a\\\n\"", 3, 4,
	      "control character U+000A in a string; " SPAN_LINES);
	fault("", 0, 0, "unexpected end of file, expected a value");
	fault("  // only a comment\n", 20, 20,
	      "unexpected end of file, expected a value");
	fault("\xef\xbb\xbf", 3, 3, "unexpected end of file, expected a value");
	fault("{} x", 3, 4, "trailing text after the value, found 'x'");
	fault("[1]]", 3, 4, "trailing text after the value, found ']'");
	fault("{}{}", 2, 3, "trailing text after the value, found '{'");
	fault("[\"a\xff\"]", 3, 4, "invalid UTF-8 byte 0xff");
	fault("[1, \xff]", 4, 5, "invalid UTF-8 byte 0xff");
	fault("// \xd6\xd0\n{}", 3, 4, "invalid UTF-8 byte 0xd6");
	fault("\"\xe4\xb8", 1, 2, "invalid UTF-8 byte 0xe4");
	fault("\"\xed\xa0\x80\"", 1, 2, "invalid UTF-8 byte 0xed");
	fault("\"\xc0\xaf\"", 1, 2, "invalid UTF-8 byte 0xc0");
	fault_n("{\"a\": \"x\0y\"}", 12, 8, 9, "NUL byte");
	fault_n("[1,\0]", 5, 3, 4, "NUL byte");
	fault_n("{}\0", 3, 2, 3, "NUL byte");
	fault("\xe3\x80\x80{}", 0, 3, "expected a value, found U+3000");
	fault("[\x01]", 1, 2, "expected a value, found U+0001");
	fault("[\xe4\xb8\xad]", 1, 4, "expected a value, found '\xe4\xb8\xad'");
	fault("[/ 1]", 1, 2, "expected a value, found '/'");
	fault("[aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeee]", 1, 46,
	      "expected a value, found "
	      "'aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd...'");
}

static void test_fault_keeps_events(void)
{
	struct json_doc d;
	int rc = parse(&d, "// c\n[1,] x");

	ok(rc == -1 && !d.root && d.nevents == 2 &&
	   d.events[0].kind == JSON_EV_COMMENT &&
	   d.events[1].kind == JSON_EV_TRAILING_COMMA,
	   "events before a fault are kept");
	json_free(&d);
	json_free(&d);
	ok(!d.arena && !d.events, "json_free twice is harmless");
}

/* ---- hostile input ---------------------------------------------------- */

static void test_deep(void)
{
	enum { DEPTH = 100000 };
	char *text = malloc(DEPTH * 5 + 1);
	struct json_doc d;
	clock_t t0 = clock();
	int rc, i;

	memset(text, '[', DEPTH);
	rc = json_parse(&d, text, DEPTH, JSON_MAX_DEPTH_DEFAULT);
	ok(rc == -1 && span_is(d.err_span, 512, 513) &&
	   !strcmp(d.err, "nesting deeper than 512 levels"),
	   "%d nested arrays: a fault at the 513th", DEPTH);
	json_free(&d);

	for (i = 0; i < DEPTH; i++)
		memcpy(text + 5 * i, "{\"a\":", 5);
	rc = json_parse(&d, text, DEPTH * 5, 1000);
	ok(rc == -1 && span_is(d.err_span, 5000, 5001) &&
	   !strcmp(d.err, "nesting deeper than 1000 levels"),
	   "%d nested objects against a limit of 1000", DEPTH);
	json_free(&d);
	ok(clock() - t0 < CLOCKS_PER_SEC, "deep nesting fails fast");

	memset(text, '[', 512);
	memset(text + 512, ']', 512);
	rc = json_parse(&d, text, 1024, JSON_MAX_DEPTH_DEFAULT);
	ok(rc == 0 && d.root->nitems == 1, "512 levels are allowed");
	json_free(&d);
	free(text);
}

/* A few MiB of rule-like objects with comments, escapes and trailing
 * commas, and now and then a duplicate key. */
static char *big_document(size_t count, size_t *len)
{
	size_t cap = count * 160 + 64, i;
	char *text = malloc(cap), *t = text;

	t += sprintf(t, "{\n");
	for (i = 0; i < count; i++)
		t += sprintf(t, "  // collection %zu\n  \"c%zu\": {"
			     "\"read\": \"doc._openid == auth.openid\", "
			     "\"write\": \"doc.tag == \\\"\\u4e2d\\\"\", "
			     "\"n\": [%zu, 1.5,]%s},\n",
			     i, i, i, i % 1000 ? "" : ", \"n\": 0");
	t += sprintf(t, "  \"end\": true\n}\n");
	*len = (size_t)(t - text);
	return text;
}

static void test_big(void)
{
	enum { COUNT = 40000 };
	struct json_doc d;
	struct json_member *m;
	clock_t t0 = clock();
	size_t len;
	char *text = big_document(COUNT, &len);
	int rc = json_parse(&d, text, len, JSON_MAX_DEPTH_DEFAULT);

	ok(rc == 0 && d.root->nmembers == COUNT + 1 &&
	   d.nevents == COUNT * 2 + COUNT / 1000,
	   "a document of %zu bytes parses", len);
	m = rc == 0 ? json_lookup(d.root, "c39999") : NULL;
	m = m ? json_lookup(m->value, "write") : NULL;
	ok(m && !strcmp(m->value->str.text, "doc.tag == \"\xe4\xb8\xad\""),
	   "its last collection decodes");
	printf("# %zu bytes in %.3f s\n", len,
	       (double)(clock() - t0) / CLOCKS_PER_SEC);
	json_free(&d);
	free(text);
}

static void test_big_array(void)
{
	enum { COUNT = 1 << 20 };
	char *text = malloc(COUNT * 2 + 1);
	struct json_doc d;
	int rc;

	memset(text, '7', COUNT * 2);
	text[0] = '[';
	for (size_t i = 2; i < COUNT * 2; i += 2)
		text[i] = ',';
	text[COUNT * 2 - 1] = ']';
	rc = json_parse(&d, text, COUNT * 2, JSON_MAX_DEPTH_DEFAULT);
	ok(rc == 0 && d.root->nitems == COUNT - 1 &&
	   d.root->items[COUNT - 2]->number == 7, "an array of %d numbers",
	   COUNT - 1);
	json_free(&d);
	free(text);
}

int main(void)
{
	test_line_breaks();
	test_columns();
	test_cursor();
	test_bisection();
	test_load();
	test_comments();
	test_trailing_commas();
	test_duplicates();
	test_duplicates_large();
	test_key_with_nul();
	test_escapes();
	test_string_strides();
	test_surrogates();
	test_string_position();
	test_values();
	test_faults();
	test_fault_keeps_events();
	test_deep();
	test_big();
	test_big_array();

	return tap_done();
}
