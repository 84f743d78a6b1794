/* Lenient JSON with positions: an iterative parser (its own stack, so deep
 * nesting cannot exhaust the C stack) that keeps every node, string and
 * position map in one arena, records comments, trailing commas and
 * duplicate keys as events, and stops at the first fault with its span. */

#include "json.h"
#include "keep.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_SMALL_OBJECT 16	/* up to this many members: linear search */
#define JSON_TOKEN_SHOWN 40	/* bytes of an offending token quoted */
#define JSON_NUMBER_COPY 64	/* numbers shorter than this need no malloc */
#define JSON_ARENA_FIRST ((size_t)4 << 10)
#define JSON_ARENA_LARGEST ((size_t)1 << 20)

/* ---- arena ------------------------------------------------------------ */

/* The arena holds nodes, members, events, offsets and text: it aligns for
 * these types only, which packs nodes tighter than max_align_t would. */
union json_align {
	double d;
	size_t z;
	void *p;
};

#define JSON_ALIGN _Alignof(union json_align)

struct json_chunk {
	struct json_chunk *next;
	size_t size;
	size_t used;
	union json_align data[];
};

struct json_arena {
	struct json_chunk *head;	/* the chunk being filled */
	size_t next_size;
};

/* A thread keeps one chunk of the first size from one document to the
 * next: a scan parses thousands of small documents, and most fit in it. */
static struct keep spare_chunks = KEEP_SPARE_INIT;

static struct json_chunk *chunk_new(size_t size, size_t used)
{
	struct json_chunk *c = NULL;

	if (size > SIZE_MAX - sizeof(*c))
		return NULL;
	if (size == JSON_ARENA_FIRST)
		c = keep_spare_take(&spare_chunks);
	if (!c)
		c = malloc(sizeof(*c) + size);
	if (!c)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = used;
	return c;
}

/* A block too big for the chunk sizes in use gets a chunk of its own,
 * linked behind the current one so that its free space stays usable. */
static void *arena_alloc_slow(struct json_arena *a, size_t n)
{
	struct json_chunk *c;

	if (n >= a->next_size || !a->head) {
		c = chunk_new(n > a->next_size ? n : a->next_size, n);
		if (!c)
			return NULL;
		c->next = a->head ? a->head->next : NULL;
		*(a->head ? &a->head->next : &a->head) = c;
		return c->data;
	}

	c = chunk_new(a->next_size, n);
	if (!c)
		return NULL;
	c->next = a->head;
	a->head = c;
	if (a->next_size < JSON_ARENA_LARGEST)
		a->next_size *= 2;
	return c->data;
}

/* N bytes aligned to ALIGN (1 or JSON_ALIGN), valid until the arena is
 * released. */
static void *arena_alloc(struct json_arena *a, size_t n, size_t align)
{
	struct json_chunk *c = a->head;
	size_t start;

	if (!c)
		return arena_alloc_slow(a, n);
	start = (c->used + align - 1) & ~(align - 1);
	if (start > c->size || c->size - start < n)
		return arena_alloc_slow(a, n);
	c->used = start + n;
	return (char *)c->data + start;
}

/* A copy of N elements of SIZE bytes; NULL for none. */
static void *arena_dup(struct json_arena *a, const void *src, size_t n,
		       size_t size)
{
	void *p;

	if (!n || n > SIZE_MAX / size)
		return NULL;
	p = arena_alloc(a, n * size, size == 1 ? 1 : JSON_ALIGN);
	if (p)
		memcpy(p, src, n * size);
	return p;
}

static void arena_free(struct json_arena *a)
{
	struct json_chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		if (c->size == JSON_ARENA_FIRST)
			keep_spare_give(&spare_chunks, c);
		else
			free(c);
	}
	free(a);
}

/* ---- parser state ----------------------------------------------------- */

enum json_state {
	JSON_ST_FAULT = -1,
	JSON_ST_VALUE,		/* a value is due */
	JSON_ST_OPENED,		/* just after '[' or '{' */
	JSON_ST_KEY,		/* an object key is due */
	JSON_ST_AFTER,		/* a value is complete */
	JSON_ST_END,		/* the top value is complete */
	JSON_ST_DONE
};

struct json_frame {
	struct json_node *node;	/* the open array or object */
	size_t base;		/* its first item or member on the stack */
	size_t *slots;		/* member index + 1 by key hash, when large */
	size_t nslots;
	size_t nkeys;
};

struct json_parser {
	const unsigned char *s;
	size_t len;
	size_t pos;
	unsigned max_depth;
	struct json_doc *doc;
	struct json_arena *arena;
	uint64_t seed;
	int failed;

	struct json_node *node;		/* the value just completed */
	struct json_node *root;
	size_t str_start;		/* the opening quote of this string */
	size_t comma;			/* the last comma after a value */
	size_t comma_event;		/* events recorded before that comma */

	struct json_frame *frames;
	size_t nframes, frames_cap;
	struct json_node **items;
	size_t nitems, items_cap;
	struct json_member *members;
	size_t nmembers, members_cap;
	struct json_event *events;
	size_t nevents, events_cap;
	char *text;			/* the string being decoded */
	size_t *raw;			/* its offsets, once mapped */
	size_t tlen, tcap;
	int mapped;
};

/* Make room for one more element in a vector of SIZE-byte elements: the
 * new array, or NULL (the old one intact) when memory runs out. */
static void *vec_grow(void *vec, size_t *cap, size_t n, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	void *nvec;

	if (n < *cap)
		return vec;
	if (ncap > SIZE_MAX / size)
		return NULL;
	nvec = realloc(vec, ncap * size);
	if (nvec)
		*cap = ncap;
	return nvec;
}

__attribute__((format(printf, 4, 5)))
static int fail(struct json_parser *p, size_t start, size_t end,
		const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return JSON_ST_FAULT;
	p->failed = 1;
	p->doc->err_span.start = start;
	p->doc->err_span.end = end;
	va_start(ap, fmt);
	vsnprintf(p->doc->err, sizeof(p->doc->err), fmt, ap);
	va_end(ap);
	return JSON_ST_FAULT;
}

static int out_of_memory(struct json_parser *p)
{
	return fail(p, p->pos, p->pos, "out of memory");
}

static int push_event(struct json_parser *p, enum json_event_kind kind,
		      struct json_span span, struct json_span other)
{
	struct json_event *ev;

	ev = vec_grow(p->events, &p->events_cap, p->nevents, sizeof(*ev));
	if (!ev)
		return out_of_memory(p);
	p->events = ev;
	ev += p->nevents++;
	ev->kind = kind;
	ev->span = span;
	ev->other = other;
	return 0;
}

/* ---- characters and offending tokens ---------------------------------- */

/* The length of the well-formed UTF-8 character at S (AVAIL bytes
 * readable), or 0 when none starts there; *CP gets its code point. */
static size_t utf8_char(const unsigned char *s, size_t avail, uint32_t *cp)
{
	uint32_t v, min;
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, v = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, v = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, v = s[0] & 0x07, min = 0x10000;
	else
		return 0;

	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* Characters shown by code point, not quoted: controls and spaces that
 * would be invisible or misleading between quotes. */
static int is_invisible(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0xad ||
	       (cp >= 0x2000 && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202f) || cp == 0x205f ||
	       cp == 0x3000 || cp == 0xfeff;
}

static int is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '$' || c == '.' ||
	       c == '+' || c == '-';
}

/* The end of the word at POS: name and number characters, and visible
 * non-ASCII characters. */
static size_t word_end(const struct json_parser *p, size_t pos)
{
	uint32_t cp;
	size_t n;

	while (pos < p->len) {
		if (is_word_byte(p->s[pos])) {
			pos++;
			continue;
		}
		n = p->s[pos] < 0x80 ? 0 : utf8_char(p->s + pos,
						      p->len - pos, &cp);
		if (!n || is_invisible(cp))
			break;
		pos += n;
	}
	return pos;
}

/* The end of the quoted text at POS, which stops at the end of the line
 * or before a byte that cannot be shown. */
static size_t quoted_end(const struct json_parser *p, size_t pos)
{
	unsigned char quote = p->s[pos++];
	uint32_t cp;
	size_t n;

	while (pos < p->len && p->s[pos] != quote) {
		if (p->s[pos] == '\\' && pos + 1 < p->len &&
		    (p->s[pos + 1] == quote || p->s[pos + 1] == '\\'))
			pos++;
		n = utf8_char(p->s + pos, p->len - pos, &cp);
		if (!n || is_invisible(cp))
			return pos;
		pos += n;
	}
	return pos < p->len ? pos + 1 : pos;
}

/* Write S (N bytes of well-formed UTF-8) between single quotes, cut at a
 * character boundary when it is long. */
static void quote_text(char *out, size_t outlen, const unsigned char *s,
		       size_t n)
{
	size_t shown = n;

	if (shown > JSON_TOKEN_SHOWN) {
		shown = JSON_TOKEN_SHOWN;
		while (shown && (s[shown] & 0xc0) == 0x80)
			shown--;
	}
	snprintf(out, outlen, "'%.*s%s'", (int)shown, (const char *)s,
		 shown < n ? "..." : "");
}

/* Describe the token at POS (a character known to be well-formed) into
 * OUT and return its end. */
static size_t describe(const struct json_parser *p, size_t pos, char *out,
		       size_t outlen)
{
	unsigned char c = p->s[pos];
	uint32_t cp = 0;
	size_t end, n = utf8_char(p->s + pos, p->len - pos, &cp);

	if (is_invisible(cp)) {
		snprintf(out, outlen, "U+%04X", (unsigned)cp);
		return pos + n;
	}
	if (c == '"' || c == '\'')
		end = quoted_end(p, pos);
	else if (is_word_byte(c) || c >= 0x80)
		end = word_end(p, pos);
	else
		end = pos + 1;
	quote_text(out, outlen, p->s + pos, end - pos);
	return end;
}

/* A fault when the byte at POS is a NUL or no well-formed UTF-8 starts
 * there, else 0. */
static int bad_byte(struct json_parser *p, size_t pos)
{
	uint32_t cp;

	if (!p->s[pos])
		return fail(p, pos, pos + 1, "NUL byte");
	if (!utf8_char(p->s + pos, p->len - pos, &cp))
		return fail(p, pos, pos + 1, "invalid UTF-8 byte 0x%02x",
			    p->s[pos]);
	return 0;
}

/* The fault for an unexpected token (or end of input) at the cursor,
 * where EXPECT says what should have been there. */
static int unexpected(struct json_parser *p, const char *expect)
{
	char token[JSON_TOKEN_SHOWN + 16];
	size_t end;

	if (p->pos >= p->len)
		return fail(p, p->len, p->len, "unexpected end of file, %s",
			    expect);
	if (bad_byte(p, p->pos) < 0)
		return JSON_ST_FAULT;
	end = describe(p, p->pos, token, sizeof(token));
	return fail(p, p->pos, end, "%s, found %s", expect, token);
}

/* ---- white space and comments ----------------------------------------- */

/* Step over one character of comment text: NUL and malformed UTF-8 are
 * faults here as everywhere. */
static int comment_char(struct json_parser *p)
{
	uint32_t cp;
	size_t n;

	if (p->s[p->pos] && p->s[p->pos] < 0x80) {
		p->pos++;
		return 0;
	}
	n = p->s[p->pos] ? utf8_char(p->s + p->pos, p->len - p->pos, &cp) : 0;
	if (!n)
		return bad_byte(p, p->pos);
	p->pos += n;
	return 0;
}

static int comment_event(struct json_parser *p, size_t start)
{
	struct json_span span = { start, p->pos }, none = { 0, 0 };

	return push_event(p, JSON_EV_COMMENT, span, none);
}

/* A line comment ends before its line break. */
static int line_comment(struct json_parser *p)
{
	size_t start = p->pos;

	p->pos += 2;
	while (p->pos < p->len && p->s[p->pos] != '\n' &&
	       p->s[p->pos] != '\r')
		if (comment_char(p) < 0)
			return JSON_ST_FAULT;
	return comment_event(p, start);
}

static int block_comment(struct json_parser *p)
{
	size_t start = p->pos;

	p->pos += 2;
	for (;;) {
		if (p->pos >= p->len)
			return fail(p, start, p->len, "unterminated comment");
		if (p->s[p->pos] == '*' && p->pos + 1 < p->len &&
		    p->s[p->pos + 1] == '/')
			break;
		if (comment_char(p) < 0)
			return JSON_ST_FAULT;
	}
	p->pos += 2;
	return comment_event(p, start);
}

static int skip_space(struct json_parser *p)
{
	const unsigned char *s = p->s;
	int rc = 0;

	while (rc == 0) {
		while (p->pos < p->len && (s[p->pos] == ' ' ||
		       s[p->pos] == '\n' || s[p->pos] == '\r' ||
		       s[p->pos] == '\t'))
			p->pos++;
		if (p->pos + 1 >= p->len || s[p->pos] != '/')
			break;
		if (s[p->pos + 1] == '/')
			rc = line_comment(p);
		else if (s[p->pos + 1] == '*')
			rc = block_comment(p);
		else
			break;
	}
	return rc;
}

/* ---- strings ---------------------------------------------------------- */

/* Room for EXTRA more decoded bytes, and for the closing entry of raw. */
static int text_reserve(struct json_parser *p, size_t extra)
{
	size_t cap = p->tcap ? p->tcap : 256;
	char *text;
	size_t *raw;

	if (p->tlen + extra < p->tcap)
		return 0;
	while (cap <= p->tlen + extra)
		cap *= 2;
	text = realloc(p->text, cap);
	if (text)
		p->text = text;
	raw = text ? realloc(p->raw, cap * sizeof(*raw)) : NULL;
	if (!raw)
		return out_of_memory(p);
	p->raw = raw;
	p->tcap = cap;
	return 0;
}

/* Until its first escape, byte i of a string comes from the byte at
 * str_start + 1 + i, and the offsets are not written; from there on
 * every byte's offset is kept. */
static void map_offsets(struct json_parser *p)
{
	size_t i;

	if (p->mapped)
		return;
	for (i = 0; i < p->tlen; i++)
		p->raw[i] = p->str_start + 1 + i;
	p->mapped = 1;
}

/* Append the UTF-8 encoding of CP, every byte mapped to the offset AT. */
static int put_code_point(struct json_parser *p, uint32_t cp, size_t at)
{
	unsigned char b[4];
	size_t n, i;

	if (cp < 0x80)
		n = 1, b[0] = (unsigned char)cp;
	else if (cp < 0x800)
		n = 2, b[0] = (unsigned char)(0xc0 | cp >> 6);
	else if (cp < 0x10000)
		n = 3, b[0] = (unsigned char)(0xe0 | cp >> 12);
	else
		n = 4, b[0] = (unsigned char)(0xf0 | cp >> 18);
	for (i = 1; i < n; i++)
		b[i] = (unsigned char)(0x80 | (cp >> (6 * (n - 1 - i)) & 0x3f));

	if (text_reserve(p, n) < 0)
		return JSON_ST_FAULT;
	map_offsets(p);
	for (i = 0; i < n; i++) {
		p->text[p->tlen] = (char)b[i];
		p->raw[p->tlen++] = at;
	}
	return 0;
}

/* Copy the run of plain characters at the cursor: everything but quotes,
 * backslashes, controls and malformed UTF-8. */
static int copy_run(struct json_parser *p)
{
	size_t end = p->pos, n;
	uint32_t cp;

	while (end < p->len) {
		unsigned char c = p->s[end];

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			end++;
			continue;
		}
		n = c < 0x80 ? 0 : utf8_char(p->s + end, p->len - end, &cp);
		if (!n)
			break;
		end += n;
	}
	if (end == p->pos)
		return bad_byte(p, p->pos);

	if (text_reserve(p, end - p->pos) < 0)
		return JSON_ST_FAULT;
	memcpy(p->text + p->tlen, p->s + p->pos, end - p->pos);
	if (!p->mapped) {
		p->tlen += end - p->pos;
		p->pos = end;
		return 0;
	}
	while (p->pos < end)
		p->raw[p->tlen++] = p->pos++;
	return 0;
}

/* A raw control character at POS inside a string.  A line break there
 * is most often a missing closing quote, which the message hints at. */
static int string_control(struct json_parser *p, size_t pos)
{
	unsigned c = p->s[pos];
	int eol = c == '\n' || c == '\r';

	if (!c)
		return bad_byte(p, pos);
	return fail(p, pos, pos + 1, "control character U+%04X in a string%s",
		    c, eol ? "; a string cannot span lines" : "");
}

/* The number of hexadecimal digits (at most 4) after the "\u" at AT; the
 * value of all four goes to *V. */
static size_t hex4(const struct json_parser *p, size_t at, uint32_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < 4 && at + 2 + i < p->len; i++) {
		unsigned char c = p->s[at + 2 + i];

		if (c >= '0' && c <= '9')
			*v = *v << 4 | (uint32_t)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			*v = *v << 4 | (uint32_t)((c | 0x20) - 'a' + 10);
		else
			break;
	}
	return i;
}

/* The fault for the escape at AT whose text runs to END, showing the
 * character there too when it can be shown. */
static int bad_escape(struct json_parser *p, size_t at, size_t end)
{
	char token[JSON_TOKEN_SHOWN + 16];
	uint32_t cp = 0;
	size_t n;

	if (end >= p->len)
		return fail(p, p->str_start, p->len, "unterminated string");
	n = utf8_char(p->s + end, p->len - end, &cp);
	if (end == at + 1 && (!n || cp < 0x20))
		return n ? string_control(p, end) : bad_byte(p, end);
	if (n && !is_invisible(cp) && cp != '"' && cp != '\\')
		end += n;
	quote_text(token, sizeof(token), p->s + at, end - at);
	return fail(p, at, end, "invalid escape %s", token);
}

/* A \uXXXX escape; a surrogate pair becomes one character, and a lone
 * surrogate becomes U+FFFD. */
static int unicode_escape(struct json_parser *p)
{
	size_t at = p->pos, used = 6;
	uint32_t cp, low;

	if (hex4(p, at, &cp) < 4)
		return bad_escape(p, at, at + 2 + hex4(p, at, &cp));
	if (cp >= 0xd800 && cp <= 0xdbff && at + 7 < p->len &&
	    p->s[at + 6] == '\\' && p->s[at + 7] == 'u' &&
	    hex4(p, at + 6, &low) == 4 && low >= 0xdc00 && low <= 0xdfff) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
		used = 12;
	} else if (cp >= 0xd800 && cp <= 0xdfff) {
		cp = 0xfffd;
	}
	if (put_code_point(p, cp, at) < 0)
		return JSON_ST_FAULT;
	p->pos += used;
	return 0;
}

static int escape(struct json_parser *p)
{
	size_t at = p->pos;
	unsigned char c = at + 1 < p->len ? p->s[at + 1] : 0;
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit = c ? strchr(from, c) : NULL;

	if (c == 'u')
		return unicode_escape(p);
	if (!hit)
		return bad_escape(p, at, at + 1);
	if (text_reserve(p, 1) < 0)
		return JSON_ST_FAULT;
	map_offsets(p);
	p->text[p->tlen] = to[hit - from];
	p->raw[p->tlen++] = at;
	p->pos += 2;
	return 0;
}

/* The end of the run of printable ASCII at POS in S, of LEN bytes, that
 * holds no quote and no backslash: what a string holds until its end,
 * most often.  Eight bytes are looked at together. */
static size_t ascii_run(const unsigned char *s, size_t pos, size_t len)
{
	static const uint64_t ones = 0x0101010101010101u,
			      highs = 0x8080808080808080u;
	uint64_t w, q, b;

	for (; len - pos >= 8; pos += 8) {
		memcpy(&w, s + pos, 8);
		q = w ^ ('"' * ones);
		b = w ^ ('\\' * ones);
		/* a byte below 0x20 or from 0x80, a quote or a backslash
		 * sets its high bit here */
		if ((((w - 0x20 * ones) & ~w) | w | ((q - ones) & ~q) |
		     ((b - ones) & ~b)) & highs)
			break;
	}
	while (pos < len && s[pos] >= 0x20 && s[pos] < 0x80 &&
	       s[pos] != '"' && s[pos] != '\\')
		pos++;
	return pos;
}

/* Decode the string whose opening quote is at the cursor into OUT, in
 * arena memory, and give SPAN its extent, quotes included. */
static int parse_string(struct json_parser *p, struct json_string *out,
			struct json_span *span)
{
	size_t end;
	int rc = 0;

	p->str_start = p->pos++;
	end = ascii_run(p->s, p->pos, p->len);
	if (end < p->len && p->s[end] == '"') {
		/* Plain ASCII to the quote: copied once, from the source. */
		out->len = end - p->pos;
		out->base = p->pos;
		out->raw = NULL;
		out->text = arena_alloc(p->arena, out->len + 1, 1);
		if (!out->text)
			return out_of_memory(p);
		memcpy(out->text, p->s + p->pos, out->len);
		out->text[out->len] = '\0';
		p->pos = end + 1;
		span->start = p->str_start;
		span->end = p->pos;
		return 0;
	}
	p->tlen = 0;
	p->mapped = 0;
	while (rc == 0 && (p->pos >= p->len || p->s[p->pos] != '"')) {
		if (p->pos >= p->len)
			rc = fail(p, p->str_start, p->len,
				  "unterminated string");
		else if (p->s[p->pos] == '\\')
			rc = escape(p);
		else if (p->s[p->pos] < 0x20)
			rc = string_control(p, p->pos);
		else
			rc = copy_run(p);
	}
	if (rc < 0 || text_reserve(p, 1) < 0)
		return JSON_ST_FAULT;

	p->text[p->tlen] = '\0';
	p->raw[p->tlen] = p->pos++;
	span->start = p->str_start;
	span->end = p->pos;
	out->len = p->tlen;
	out->base = p->str_start + 1;
	out->text = arena_dup(p->arena, p->text, p->tlen + 1, 1);
	out->raw = p->mapped ? arena_dup(p->arena, p->raw, p->tlen + 1,
					 sizeof(*p->raw))
			     : NULL;
	return out->text && (out->raw || !p->mapped) ? 0 : out_of_memory(p);
}

/* ---- duplicate keys --------------------------------------------------- */

static int same_key(const struct json_string *a, const struct json_string *b)
{
	return a->len == b->len && !memcmp(a->text, b->text, a->len);
}

/* The later member wins, as in JavaScript: the earlier one is shadowed. */
static int duplicate(struct json_parser *p, size_t earlier, size_t later)
{
	p->members[earlier].shadowed = 1;
	return push_event(p, JSON_EV_DUPLICATE_KEY, p->members[later].key_span,
			  p->members[earlier].key_span);
}

/* FNV-1a from a seed that varies between runs (so that keys crafted to
 * collide in one run do not collide in another), then mixed so that the
 * low bits depend on every byte. */
static size_t key_hash(const struct json_parser *p, const struct json_string *k)
{
	uint64_t h = p->seed;
	size_t i;

	for (i = 0; i < k->len; i++) {
		h ^= (unsigned char)k->text[i];
		h *= 0x100000001b3u;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	return (size_t)h;
}

/* The slot of KEY: the one naming a member with that key, or the empty
 * one where it belongs. */
static size_t *slot_of(const struct json_parser *p, struct json_frame *f,
		       const struct json_string *key)
{
	size_t mask = f->nslots - 1, i = key_hash(p, key) & mask;

	while (f->slots[i] && !same_key(&p->members[f->slots[i] - 1].key, key))
		i = (i + 1) & mask;
	return &f->slots[i];
}

static int grow_slots(struct json_parser *p, struct json_frame *f)
{
	size_t *old = f->slots, nold = f->nslots, i;

	f->nslots = nold ? nold * 2 : 64;
	f->slots = calloc(f->nslots, sizeof(*f->slots));
	if (!f->slots) {
		f->slots = old;
		f->nslots = nold;
		return out_of_memory(p);
	}
	for (i = 0; i < nold; i++)
		if (old[i])
			*slot_of(p, f, &p->members[old[i] - 1].key) = old[i];
	free(old);
	return 0;
}

/* Enter member M of frame F in its key set, reporting a duplicate when
 * REPORT is set (members entered again when the set is built were
 * reported by the linear search already). */
static int enter_key(struct json_parser *p, struct json_frame *f, size_t m,
		     int report)
{
	size_t *slot;

	if ((f->nkeys + 1) * 2 > f->nslots && grow_slots(p, f) < 0)
		return JSON_ST_FAULT;
	slot = slot_of(p, f, &p->members[m].key);
	if (!*slot)
		f->nkeys++;
	else if (report && duplicate(p, *slot - 1, m) < 0)
		return JSON_ST_FAULT;
	*slot = m + 1;
	return 0;
}

/* Check the newest member of the innermost object against the others. */
static int check_duplicate(struct json_parser *p)
{
	struct json_frame *f = &p->frames[p->nframes - 1];
	size_t last = p->nmembers - 1, i;

	if (last - f->base < JSON_SMALL_OBJECT) {
		for (i = last; i-- > f->base;)
			if (same_key(&p->members[i].key, &p->members[last].key))
				return duplicate(p, i, last);
		return 0;
	}
	if (!f->nslots)
		for (i = f->base; i < last; i++)
			if (enter_key(p, f, i, 0) < 0)
				return JSON_ST_FAULT;
	return enter_key(p, f, last, 1);
}

/* ---- values ----------------------------------------------------------- */

static struct json_node *new_node(struct json_parser *p, enum json_type type,
				  size_t start, size_t end)
{
	struct json_node *n = arena_alloc(p->arena, sizeof(*n), JSON_ALIGN);

	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->span.start = start;
	n->span.end = end;
	return n;
}

static size_t digits(const unsigned char *s, size_t n, size_t i)
{
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* Whether S (N bytes) is a number in the JSON grammar. */
static int is_number(const unsigned char *s, size_t n)
{
	size_t i = s[0] == '-';

	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		i = digits(s, n, i);
	else
		return 0;
	if (i < n && s[i] == '.') {
		if (digits(s, n, i + 1) == i + 1)
			return 0;
		i = digits(s, n, i + 1);
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i += i + 1 < n && (s[i + 1] == '+' || s[i + 1] == '-');
		if (digits(s, n, i + 1) == i + 1)
			return 0;
		i = digits(s, n, i + 1);
	}
	return i == n;
}

/* strtod needs a terminated copy: the input need not be terminated. */
static int number_value(struct json_parser *p, size_t start, size_t end,
			double *v)
{
	char small[JSON_NUMBER_COPY];
	size_t n = end - start;
	char *copy = n < sizeof(small) ? small : malloc(n + 1);

	if (!copy)
		return out_of_memory(p);
	memcpy(copy, p->s + start, n);
	copy[n] = '\0';
	*v = strtod(copy, NULL);
	if (copy != small)
		free(copy);
	return 0;
}

static int parse_number(struct json_parser *p)
{
	char token[JSON_TOKEN_SHOWN + 16];
	size_t start = p->pos, end = word_end(p, start);

	if (!is_number(p->s + start, end - start)) {
		quote_text(token, sizeof(token), p->s + start, end - start);
		return fail(p, start, end, "invalid number %s", token);
	}
	p->node = new_node(p, JSON_NUMBER, start, end);
	if (!p->node)
		return out_of_memory(p);
	p->pos = end;
	if (number_value(p, start, end, &p->node->number) < 0)
		return JSON_ST_FAULT;
	return JSON_ST_AFTER;
}

static int parse_literal(struct json_parser *p)
{
	static const char *const names[] = { "null", "false", "true" };
	static const enum json_type types[] = {
		JSON_NULL, JSON_FALSE, JSON_TRUE
	};
	size_t end = word_end(p, p->pos), n = end - p->pos, i;

	for (i = 0; i < 3; i++)
		if (n == strlen(names[i]) &&
		    !memcmp(p->s + p->pos, names[i], n))
			break;
	if (i == 3)
		return unexpected(p, "expected a value");
	p->node = new_node(p, types[i], p->pos, end);
	if (!p->node)
		return out_of_memory(p);
	p->pos = end;
	return JSON_ST_AFTER;
}

static int parse_string_value(struct json_parser *p)
{
	p->node = new_node(p, JSON_STRING, p->pos, p->pos);
	if (!p->node)
		return out_of_memory(p);
	if (parse_string(p, &p->node->str, &p->node->span) < 0)
		return JSON_ST_FAULT;
	return JSON_ST_AFTER;
}

/* ---- containers ------------------------------------------------------- */

static int open_container(struct json_parser *p, enum json_type type)
{
	struct json_frame *f;
	struct json_node *n;

	if (p->nframes >= p->max_depth)
		return fail(p, p->pos, p->pos + 1,
			    "nesting deeper than %u levels", p->max_depth);
	f = vec_grow(p->frames, &p->frames_cap, p->nframes, sizeof(*f));
	n = f ? new_node(p, type, p->pos, p->pos) : NULL;
	if (f)
		p->frames = f;
	if (!n)
		return out_of_memory(p);

	f = &p->frames[p->nframes++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	f->base = type == JSON_ARRAY ? p->nitems : p->nmembers;
	p->pos++;
	return JSON_ST_OPENED;
}

/* Close the innermost container at the cursor: its items or members move
 * from the parser's stack to the arena. */
static int close_container(struct json_parser *p)
{
	struct json_frame *f = &p->frames[p->nframes - 1];
	struct json_node *n = f->node;

	if (n->type == JSON_ARRAY && p->nitems > f->base) {
		n->nitems = p->nitems - f->base;
		n->items = arena_dup(p->arena, p->items + f->base, n->nitems,
				     sizeof(*n->items));
		p->nitems = f->base;
	} else if (n->type == JSON_OBJECT && p->nmembers > f->base) {
		n->nmembers = p->nmembers - f->base;
		n->members = arena_dup(p->arena, p->members + f->base,
				       n->nmembers, sizeof(*n->members));
		p->nmembers = f->base;
	}
	if ((n->nitems && !n->items) || (n->nmembers && !n->members))
		return out_of_memory(p);

	free(f->slots);
	p->nframes--;
	n->span.end = ++p->pos;
	p->node = n;
	return JSON_ST_AFTER;
}

/* The comma at p->comma is followed by the closing bracket.  Comments
 * between the two were recorded first; the comma's event goes before
 * them to keep the events in document order. */
static int trailing_comma(struct json_parser *p)
{
	struct json_span span = { p->comma, p->comma + 1 }, none = { 0, 0 };
	size_t later = p->nevents - p->comma_event;
	struct json_event ev;

	if (push_event(p, JSON_EV_TRAILING_COMMA, span, none) < 0)
		return JSON_ST_FAULT;
	ev = p->events[p->nevents - 1];
	memmove(p->events + p->comma_event + 1, p->events + p->comma_event,
		later * sizeof(ev));
	p->events[p->comma_event] = ev;
	return close_container(p);
}

/* After a value in a container: a comma and NEXT, or the closing bracket
 * CLOSE (after a comma too, which is then a trailing comma). */
static int separator(struct json_parser *p, unsigned char close, int next,
		     const char *expect)
{
	if (p->pos < p->len && p->s[p->pos] == close)
		return close_container(p);
	if (p->pos >= p->len || p->s[p->pos] != ',')
		return unexpected(p, expect);
	p->comma = p->pos++;
	p->comma_event = p->nevents;

	if (skip_space(p) < 0)
		return JSON_ST_FAULT;
	if (p->pos < p->len && p->s[p->pos] == close)
		return trailing_comma(p);
	return next;
}

static int after_open(struct json_parser *p)
{
	struct json_node *n = p->frames[p->nframes - 1].node;
	unsigned char close = n->type == JSON_ARRAY ? ']' : '}';

	if (skip_space(p) < 0)
		return JSON_ST_FAULT;
	if (p->pos < p->len && p->s[p->pos] == close)
		return close_container(p);
	return n->type == JSON_ARRAY ? JSON_ST_VALUE : JSON_ST_KEY;
}

static int push_item(struct json_parser *p, struct json_node *n)
{
	struct json_node **items;

	items = vec_grow(p->items, &p->items_cap, p->nitems, sizeof(*items));
	if (!items)
		return out_of_memory(p);
	p->items = items;
	p->items[p->nitems++] = n;
	return 0;
}

/* The value just completed goes to its container (or becomes the root);
 * then comes a separator, a closing bracket or the end of the text. */
static int after_value(struct json_parser *p)
{
	struct json_frame *f;

	if (!p->nframes) {
		p->root = p->node;
		return JSON_ST_END;
	}
	f = &p->frames[p->nframes - 1];
	if (f->node->type == JSON_OBJECT)
		p->members[p->nmembers - 1].value = p->node;
	else if (push_item(p, p->node) < 0)
		return JSON_ST_FAULT;

	if (skip_space(p) < 0)
		return JSON_ST_FAULT;
	if (f->node->type == JSON_ARRAY)
		return separator(p, ']', JSON_ST_VALUE,
				 "expected ',' or ']' after an array element");
	return separator(p, '}', JSON_ST_KEY,
			 "expected ',' or '}' after an object member");
}

static int parse_key(struct json_parser *p)
{
	struct json_member *m;

	if (p->pos >= p->len || p->s[p->pos] != '"')
		return unexpected(p, "expected a string key or '}'");
	m = vec_grow(p->members, &p->members_cap, p->nmembers, sizeof(*m));
	if (!m)
		return out_of_memory(p);
	p->members = m;
	m += p->nmembers++;
	memset(m, 0, sizeof(*m));

	if (parse_string(p, &m->key, &m->key_span) < 0 ||
	    check_duplicate(p) < 0 || skip_space(p) < 0)
		return JSON_ST_FAULT;
	if (p->pos >= p->len || p->s[p->pos] != ':')
		return unexpected(p, "expected ':' after an object key");
	p->pos++;
	return JSON_ST_VALUE;
}

static int parse_value(struct json_parser *p)
{
	unsigned char c;

	if (skip_space(p) < 0)
		return JSON_ST_FAULT;
	c = p->pos < p->len ? p->s[p->pos] : 0;
	if (c == '{')
		return open_container(p, JSON_OBJECT);
	if (c == '[')
		return open_container(p, JSON_ARRAY);
	if (c == '"')
		return parse_string_value(p);
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(p);
	if (c >= 'a' && c <= 'z')
		return parse_literal(p);
	return unexpected(p, "expected a value");
}

static int parse_end(struct json_parser *p)
{
	if (skip_space(p) < 0)
		return JSON_ST_FAULT;
	if (p->pos < p->len)
		return unexpected(p, "trailing text after the value");
	return JSON_ST_DONE;
}

static int parse_run(struct json_parser *p)
{
	int st = JSON_ST_VALUE;

	while (st != JSON_ST_DONE) {
		switch (st) {
		case JSON_ST_VALUE:
			st = parse_value(p);
			break;
		case JSON_ST_OPENED:
			st = after_open(p);
			break;
		case JSON_ST_KEY:
			st = parse_key(p);
			break;
		case JSON_ST_AFTER:
			st = after_value(p);
			break;
		case JSON_ST_END:
			st = parse_end(p);
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/* ---- the document ----------------------------------------------------- */

static void parser_release(struct json_parser *p)
{
	size_t i;

	for (i = 0; i < p->nframes; i++)
		free(p->frames[i].slots);
	free(p->frames);
	free(p->items);
	free(p->members);
	free(p->events);
	free(p->text);
	free(p->raw);
}

int json_parse(struct json_doc *doc, const char *buf, size_t len,
	       unsigned max_depth)
{
	struct json_parser p = { 0 };
	int rc;

	memset(doc, 0, sizeof(*doc));
	p.s = (const unsigned char *)(buf ? buf : "");
	p.len = buf ? len : 0;
	p.max_depth = max_depth ? max_depth : JSON_MAX_DEPTH_DEFAULT;
	p.doc = doc;
	p.arena = calloc(1, sizeof(*p.arena));
	if (!p.arena)
		return out_of_memory(&p);
	p.arena->next_size = JSON_ARENA_FIRST;
	p.seed = 0xcbf29ce484222325u ^ (uint64_t)(uintptr_t)p.arena;
	doc->arena = p.arena;
	if (p.len >= 3 && !memcmp(p.s, "\xef\xbb\xbf", 3))
		p.pos = 3;

	rc = parse_run(&p);
	doc->events = arena_dup(p.arena, p.events, p.nevents,
				sizeof(*p.events));
	doc->nevents = doc->events ? p.nevents : 0;
	if (p.nevents && !doc->events)
		rc = out_of_memory(&p);
	doc->root = rc == 0 ? p.root : NULL;
	parser_release(&p);
	return rc < 0 ? -1 : 0;
}

struct json_member *json_lookup(const struct json_node *obj, const char *key)
{
	size_t n, i;

	if (!obj || obj->type != JSON_OBJECT || !key)
		return NULL;
	n = strlen(key);
	for (i = obj->nmembers; i-- > 0;)
		if (obj->members[i].key.len == n &&
		    !memcmp(obj->members[i].key.text, key, n))
			return &obj->members[i];
	return NULL;
}

void json_free(struct json_doc *doc)
{
	arena_free(doc->arena);
	memset(doc, 0, sizeof(*doc));
}
