/* The concrete evaluator: what a rule expression yields on one request,
 * computed as JavaScript would over JSON values (abstract equality,
 * ToNumber, ToString, truthiness, short-circuit), plus the sub-expression
 * that decided and why.  The symbolic engine is tested against it. */
#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "keep.h"

#define EVAL_BLOCK_SIZE 4096
#define EVAL_MAX_MEMORY ((size_t)64 << 20)
#define EVAL_MAX_DEPTH 1000		/* recursion, far above the parser's */
#define EVAL_SPINE_STACK 32
#define EVAL_NUM_MAX 32
#define EVAL_QUOTE_MAX 40
#define EVAL_RX_MAX_GROUPS 64
#define EVAL_RX_MAX_REPEAT 1000
#define EVAL_RX_MAX_COST 10000
#define EVAL_RX_MB_COST 5

/* Where JavaScript or the platform leave room, these choices are fixed
 * here, and the symbolic engine must make the same ones:
 * - a rule allows exactly when its value is truthy (rule-language.md
 *   section 5 asks for JavaScript truthiness); an error anywhere denies;
 * - === and !== are == and != (analysis.md section 1);
 * - 'x in arr' is membership under strict equality (same type and value,
 *   objects by identity), as a typed database membership test compares;
 *   'k in obj' tests an own key of the object, as JavaScript does; any
 *   other right operand is an error;
 * - strings compare by their UTF-8 bytes, which is code-point order; it
 *   differs from JavaScript's UTF-16 order only between characters above
 *   U+FFFF and those in U+E000..U+FFFF;
 * - ToNumber of a string is JavaScript's, 0x, 0o and 0b forms included,
 *   and ToString of a number is Number.prototype.toString, exactly;
 * - members that JavaScript finds on prototypes (toString, constructor)
 *   are undefined; of duplicate JSON keys the last one wins;
 * - every root (auth, doc, request, now, resource) exists in every kind:
 *   a root that a kind lacks is the linter's finding;
 * - get() takes one string, database.<collection>.<id>, and yields the
 *   document given for that path, or null; the platform's limits on get()
 *   are the linter's too.
 * Regular expressions are described in their own section below. */

/* ---- values ------------------------------------------------------------ */

enum eval_type {
	EVAL_UNDEF,
	EVAL_NULL,
	EVAL_BOOL,
	EVAL_NUMBER,
	EVAL_STRING,
	EVAL_ARRAY,
	EVAL_OBJECT,
	EVAL_REGEX
};

/* A JavaScript value.  Arrays come from JSON (json) or from a literal
 * (items); an object with a NULL json is the request object.  Strings are
 * LEN bytes of UTF-8 and are not NUL-terminated.  The null that get()
 * returns for an absent document keeps its path in str. */
struct eval_value {
	enum eval_type type;
	int boolean;
	double number;
	const char *str;
	size_t len;
	const cJSON *json;
	const struct eval_value *items;
	size_t nitems;
	const struct ast_node *regex;
	const struct ast_node *decider;	/* the node whose value this is */
};

struct eval_block {
	struct eval_block *prev;
	size_t size, used;
	max_align_t data[];
};

struct eval_state {
	const struct eval_request *req;
	struct eval_block *head;	/* the per-evaluation arena */
	size_t total;
	unsigned depth;
	int failed;
	int suspended;		/* the hook asked to stop */
	const struct ast_node *at;	/* the member access being evaluated */
	const struct ast_node *err_node;
	int quiet;		/* no reason is wanted: none is written */
	char reason[256];	/* last: not cleared for a quiet one */
};

/* A string under construction at the top of the arena.  While one is
 * open nothing else may be allocated. */
struct eval_buf {
	struct eval_state *ev;
	char *p;
	size_t len, cap;
};

static const cJSON eval_empty_doc = { .type = cJSON_Object };
static const cJSON eval_empty_resource = { .type = cJSON_Object };

static struct eval_value eval_node(struct eval_state *ev,
				   const struct ast_node *n);

static struct eval_value mk_undef(void)
{
	struct eval_value v = { .type = EVAL_UNDEF };

	return v;
}

static struct eval_value mk_null(void)
{
	struct eval_value v = { .type = EVAL_NULL };

	return v;
}

static struct eval_value mk_bool(int b)
{
	struct eval_value v = { .type = EVAL_BOOL, .boolean = !!b };

	return v;
}

static struct eval_value mk_number(double d)
{
	struct eval_value v = { .type = EVAL_NUMBER, .number = d };

	return v;
}

static struct eval_value mk_string(const char *s, size_t len)
{
	struct eval_value v = { .type = EVAL_STRING, .str = s, .len = len };

	return v;
}

static struct eval_value mk_json_object(const cJSON *j)
{
	struct eval_value v = { .type = EVAL_OBJECT, .json = j };

	return v;
}

static struct eval_value from_json(const cJSON *j)
{
	struct eval_value v = { .type = EVAL_UNDEF, .json = j };

	switch (j->type & 0xFF) {
	case cJSON_False:
		return mk_bool(0);
	case cJSON_True:
		return mk_bool(1);
	case cJSON_NULL:
		return mk_null();
	case cJSON_Number:
		return mk_number(j->valuedouble);
	case cJSON_String:
		if (!j->valuestring)
			return mk_string("", 0);
		return mk_string(j->valuestring, strlen(j->valuestring));
	case cJSON_Array:
		v.type = EVAL_ARRAY;
		return v;
	case cJSON_Object:
		v.type = EVAL_OBJECT;
		return v;
	}
	return mk_undef();
}

static const char *type_name(enum eval_type t)
{
	static const char *const names[] = {
		"undefined", "null", "a boolean", "a number", "a string",
		"an array", "an object", "a regular expression"
	};

	return names[t];
}

static int is_nullish(const struct eval_value *v)
{
	return v->type == EVAL_UNDEF || v->type == EVAL_NULL;
}

static int is_objectish(const struct eval_value *v)
{
	return v->type == EVAL_ARRAY || v->type == EVAL_OBJECT ||
	       v->type == EVAL_REGEX;
}

/* JavaScript truthiness. */
static int truthy(const struct eval_value *v)
{
	switch (v->type) {
	case EVAL_UNDEF:
	case EVAL_NULL:
		return 0;
	case EVAL_BOOL:
		return v->boolean;
	case EVAL_NUMBER:
		return v->number != 0 && !isnan(v->number);
	case EVAL_STRING:
		return v->len > 0;
	default:
		return 1;
	}
}

/* ---- errors, arena and string building --------------------------------- */

static void fail(struct eval_state *ev, const struct ast_node *n,
		 const char *fmt, ...);

/* Ask the engine's hook about something the request does not hold;
 * returns nonzero when the evaluation is now suspended. */
static int ask_hook(struct eval_state *ev, const cJSON *obj, const char *key,
		    size_t len, const struct ast_node *at)
{
	const struct eval_hook *h = ev->req->hook;

	if (!h || ev->failed || !h->missing(h->ctx, obj, key, len, at))
		return 0;
	fail(ev, at, "suspended");
	ev->suspended = 1;
	return 1;
}

/* Record the first error; evaluation stops as soon as it is set. */
static void fail(struct eval_state *ev, const struct ast_node *n,
		 const char *fmt, ...)
{
	va_list ap;

	if (ev->failed)
		return;
	ev->failed = 1;
	ev->err_node = n;
	if (ev->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(ev->reason, sizeof(ev->reason), fmt, ap);
	va_end(ap);
}

/* A thread keeps one block of the default size from one evaluation to
 * the next: most evaluations need no more, and the engine runs hundreds
 * of thousands of them, for which malloc and free cost more than the
 * arena saved. */
static struct keep spare_blocks = KEEP_SPARE_INIT;

static struct eval_block *block_new(struct eval_state *ev, size_t need)
{
	size_t size = need > EVAL_BLOCK_SIZE ? need : EVAL_BLOCK_SIZE;
	struct eval_block *b = NULL;

	if (size > EVAL_MAX_MEMORY || ev->total + size > EVAL_MAX_MEMORY) {
		fail(ev, NULL, "evaluation needs more than %zu MiB of memory",
		     EVAL_MAX_MEMORY >> 20);
		return NULL;
	}
	if (size == EVAL_BLOCK_SIZE)
		b = keep_spare_take(&spare_blocks);
	if (!b)
		b = malloc(sizeof(*b) + size);
	if (!b) {
		fail(ev, NULL, "out of memory");
		return NULL;
	}
	b->prev = ev->head;
	b->size = size;
	b->used = 0;
	ev->head = b;
	ev->total += size;
	return b;
}

static void *arena_alloc(struct eval_state *ev, size_t n)
{
	size_t align = _Alignof(max_align_t), at;
	struct eval_block *b = ev->head;

	if (n == 0)
		n = 1;
	at = b ? (b->used + align - 1) / align * align : 0;
	if (!b || at > b->size || b->size - at < n) {
		b = block_new(ev, n);
		if (!b)
			return NULL;
		at = 0;
	}
	b->used = at + n;
	return (char *)b->data + at;
}

static void arena_free(struct eval_state *ev)
{
	struct eval_block *b = ev->head, *prev;

	while (b) {
		prev = b->prev;
		if (b->size == EVAL_BLOCK_SIZE)
			keep_spare_give(&spare_blocks, b);
		else
			free(b);
		b = prev;
	}
	ev->head = NULL;
}

static char *arena_top(struct eval_state *ev)
{
	return (char *)ev->head->data + ev->head->used;
}

static void buf_open(struct eval_state *ev, struct eval_buf *buf)
{
	buf->ev = ev;
	buf->len = 0;
	buf->p = NULL;
	buf->cap = 0;
	if (!ev->head && !block_new(ev, EVAL_BLOCK_SIZE))
		return;
	buf->p = arena_top(ev);
	buf->cap = ev->head->size - ev->head->used;
}

static void buf_grow(struct eval_buf *buf, size_t need)
{
	struct eval_block *b;
	char *old = buf->p;

	b = block_new(buf->ev, need <= EVAL_MAX_MEMORY / 2 ? 2 * need : need);
	if (!b)
		return;
	if (buf->len)
		memcpy(b->data, old, buf->len);
	buf->p = (char *)b->data;
	buf->cap = b->size;
}

static void buf_put(struct eval_buf *buf, const char *s, size_t n)
{
	if (buf->ev->failed || n == 0)
		return;
	if (n > buf->cap - buf->len) {
		buf_grow(buf, buf->len + n);
		if (buf->ev->failed)
			return;
	}
	memcpy(buf->p + buf->len, s, n);
	buf->len += n;
}

static void buf_puts(struct eval_buf *buf, const char *s)
{
	buf_put(buf, s, strlen(s));
}

/* Open a buffer that starts with S; when S is the last string closed in
 * the arena it is extended in place, so a chain of concatenations costs
 * linear, not quadratic, memory. */
static void buf_reopen(struct eval_state *ev, struct eval_buf *buf,
		       const char *s, size_t len)
{
	struct eval_block *b = ev->head;
	char *base = b ? (char *)b->data : NULL;
	uintptr_t at = (uintptr_t)s;

	if (b && len && at >= (uintptr_t)base &&
	    at + len == (uintptr_t)arena_top(ev)) {
		b->used -= len;
		buf->ev = ev;
		buf->p = base + b->used;
		buf->len = len;
		buf->cap = b->size - b->used;
		return;
	}
	buf_open(ev, buf);
	buf_put(buf, s, len);
}

static struct eval_value buf_close(struct eval_buf *buf)
{
	if (buf->ev->failed)
		return mk_undef();
	if (buf->len)
		buf->ev->head->used += buf->len;
	return mk_string(buf->len ? buf->p : "", buf->len);
}

/* ---- numbers and strings ----------------------------------------------- */

/* The shortest decimal digits that read back as D (D finite, positive),
 * and the decimal exponent of the first digit. */
static int shortest_digits(double d, char digits[24], int *exp10)
{
	char tmp[40], back[48];
	const char *s;
	int prec, n = 0;

	if (d < 9007199254740992.0 && d == floor(d)) {
		/* An integer below 2^53: its own digits, since every other
		 * number of as few digits is at least 1 away, at least half
		 * the spacing of doubles there. */
		unsigned long long u = (unsigned long long)d;

		for (; u; u /= 10)
			tmp[n++] = (char)('0' + u % 10);
		*exp10 = n - 1;
		for (prec = 0; prec < n; prec++)
			digits[prec] = tmp[n - 1 - prec];
		digits[n] = '\0';
		while (n > 1 && digits[n - 1] == '0')
			digits[--n] = '\0';
		return n;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		n = 0;
		for (s = tmp; *s && *s != 'e'; s++)
			if (*s >= '0' && *s <= '9')
				digits[n++] = *s;
		digits[n] = '\0';
		*exp10 = *s ? atoi(s + 1) : 0;
		snprintf(back, sizeof(back), "%se%d", digits,
			 *exp10 - (n - 1));
		if (strtod(back, NULL) == d)
			break;
	}
	while (n > 1 && digits[n - 1] == '0')
		digits[--n] = '\0';
	return n;
}

static size_t put_zeros(char *out, int count)
{
	int i;

	for (i = 0; i < count; i++)
		out[i] = '0';
	return count > 0 ? (size_t)count : 0;
}

/* Number::toString of a finite positive D, after ECMA-262 7.1.12.1. */
static size_t format_positive(double d, char *out)
{
	char dig[24];
	int e, k = shortest_digits(d, dig, &e), n = e + 1;
	size_t len = 0;

	if (k <= n && n <= 21) {
		memcpy(out, dig, k);
		len = k + put_zeros(out + k, n - k);
	} else if (0 < n && n <= 21) {
		memcpy(out, dig, n);
		out[n] = '.';
		memcpy(out + n + 1, dig + n, k - n);
		len = k + 1;
	} else if (-6 < n && n <= 0) {
		memcpy(out, "0.", 2);
		len = 2 + put_zeros(out + 2, -n);
		memcpy(out + len, dig, k);
		len += k;
	} else {
		out[len++] = dig[0];
		if (k > 1) {
			out[len++] = '.';
			memcpy(out + len, dig + 1, k - 1);
			len += k - 1;
		}
		len += sprintf(out + len, "e%c%d", n - 1 < 0 ? '-' : '+',
			       abs(n - 1));
	}
	out[len] = '\0';
	return len;
}

/* JavaScript's ToString of a number into OUT (EVAL_NUM_MAX bytes). */
static size_t format_number(double d, char *out)
{
	if (isnan(d))
		return (size_t)sprintf(out, "NaN");
	if (d == 0)
		return (size_t)sprintf(out, "0");
	if (isinf(d))
		return (size_t)sprintf(out, d < 0 ? "-Infinity" : "Infinity");
	if (d < 0) {
		out[0] = '-';
		return 1 + format_positive(-d, out + 1);
	}
	return format_positive(d, out);
}

/* The byte length of the JavaScript white space or line terminator that
 * starts at P, or 0. */
static size_t js_space(const unsigned char *p, const unsigned char *end)
{
	size_t n = (size_t)(end - p);

	if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		return 1;
	if (n >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
		return 2;
	if (n < 3)
		return 0;
	if ((p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80) ||
	    (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) ||
	    (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) ||
	    (p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F))
		return 3;
	if (p[0] == 0xE2 && p[1] == 0x80 &&
	    ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 ||
	     p[2] == 0xA9 || p[2] == 0xAF))
		return 3;
	return 0;
}

static size_t count_digits(const char *s, size_t i, size_t len)
{
	size_t start = i;

	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i - start;
}

/* Whether S is a StrDecimalLiteral without its Infinity form. */
static int is_decimal(const char *s, size_t len)
{
	size_t i = 0, intd, fracd = 0, expd;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	intd = count_digits(s, i, len);
	i += intd;
	if (i < len && s[i] == '.') {
		fracd = count_digits(s, i + 1, len);
		i += 1 + fracd;
	}
	if (intd + fracd == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		expd = count_digits(s, i, len);
		if (expd == 0)
			return 0;
		i += expd;
	}
	return i == len;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* 0x, 0o and 0b literals: S holds the digits after the prefix. */
static double radix_number(const char *s, size_t len, int radix)
{
	double d = 0;
	size_t i;

	if (len == 0)
		return NAN;
	for (i = 0; i < len; i++) {
		int v = digit_value(s[i]);

		if (v >= radix)
			return NAN;
		d = d * radix + v;
	}
	return d;
}

static double infinity_number(const char *s, size_t len)
{
	int neg = len && s[0] == '-';
	size_t skip = len && (s[0] == '+' || s[0] == '-');

	if (len - skip == 8 && memcmp(s + skip, "Infinity", 8) == 0)
		return neg ? -INFINITY : INFINITY;
	return NAN;
}

static int radix_of(char c)
{
	if (c == 'x' || c == 'X')
		return 16;
	if (c == 'o' || c == 'O')
		return 8;
	if (c == 'b' || c == 'B')
		return 2;
	return 0;
}

/* JavaScript's StringToNumber (ECMA-262 7.1.4.1.1) of a trimmed body. */
static double body_to_number(struct eval_state *ev, const char *s,
			     size_t len)
{
	char small[64], *copy = small;

	if (len == 0)
		return 0;
	if (len > 2 && s[0] == '0' && radix_of(s[1]))
		return radix_number(s + 2, len - 2, radix_of(s[1]));
	if (!is_decimal(s, len))
		return infinity_number(s, len);
	if (len >= sizeof(small)) {
		copy = arena_alloc(ev, len + 1);
		if (!copy)
			return NAN;
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	return strtod(copy, NULL);
}

static double string_to_number(struct eval_state *ev, const char *str,
			       size_t len)
{
	const unsigned char *p = (const unsigned char *)str, *end = p + len;
	const unsigned char *q, *last;
	size_t n;

	while (p < end && (n = js_space(p, end)) > 0)
		p += n;
	/* No number starts with another ASCII byte: the engine's strings
	 * mostly do, and need not be read to their end. */
	if (p < end && *p < 0x80 && !(*p >= '0' && *p <= '9') && *p != '+' &&
	    *p != '-' && *p != '.' && *p != 'I')
		return NAN;
	for (q = last = p; q < end;) {
		n = js_space(q, end);
		q += n ? n : 1;
		if (!n)
			last = q;
	}
	return body_to_number(ev, (const char *)p, (size_t)(last - p));
}

/* Decode one UTF-8 character at P; an invalid byte decodes alone. */
static size_t utf8_decode(const unsigned char *p, const unsigned char *end,
			  unsigned long *cp)
{
	size_t n, i, avail = (size_t)(end - p);

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] < 0xC2 || p[0] > 0xF4) {
		*cp = 0xFFFD;
		return 1;
	}
	n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
	if (avail < n) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = p[0] & (0x7F >> n);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		*cp = (*cp << 6) | (p[i] & 0x3F);
	}
	return n;
}

static size_t utf8_encode(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The length of S in UTF-16 code units, as String.prototype.length. */
static size_t utf16_length(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	unsigned long cp;
	size_t units = 0;

	while (p < end) {
		p += utf8_decode(p, end, &cp);
		units += cp >= 0x10000 ? 2 : 1;
	}
	return units;
}

/* ---- conversions ------------------------------------------------------- */

static size_t array_length(const struct eval_value *v)
{
	const cJSON *c;
	size_t n = 0;

	if (!v->json)
		return v->nitems;
	for (c = v->json->child; c; c = c->next)
		n++;
	return n;
}

static void put_value(struct eval_buf *buf, const struct eval_value *v,
		      unsigned depth);

static void put_element(struct eval_buf *buf, const struct eval_value *e,
			unsigned depth)
{
	if (!is_nullish(e))
		put_value(buf, e, depth + 1);
}

/* Array.prototype.join with ",": null and undefined become "". */
static void put_array(struct eval_buf *buf, const struct eval_value *v,
		      unsigned depth)
{
	struct eval_value e;
	const cJSON *c;
	size_t i;

	if (depth > EVAL_MAX_DEPTH) {
		fail(buf->ev, NULL, "array nested too deeply to convert");
		return;
	}
	if (!v->json) {
		for (i = 0; i < v->nitems; i++) {
			if (i)
				buf_put(buf, ",", 1);
			put_element(buf, &v->items[i], depth);
		}
		return;
	}
	for (c = v->json->child; c; c = c->next) {
		if (c != v->json->child)
			buf_put(buf, ",", 1);
		e = from_json(c);
		put_element(buf, &e, depth);
	}
}

static void put_regex(struct eval_buf *buf, const struct ast_node *re)
{
	buf_put(buf, "/", 1);
	if (re->text)
		buf_put(buf, re->text, re->len);
	buf_put(buf, "/", 1);
	if (re->flags)
		buf_puts(buf, re->flags);
}

/* Append JavaScript's ToString of V (objects through ToPrimitive). */
static void put_value(struct eval_buf *buf, const struct eval_value *v,
		      unsigned depth)
{
	char num[EVAL_NUM_MAX];

	switch (v->type) {
	case EVAL_UNDEF:
		buf_puts(buf, "undefined");
		break;
	case EVAL_NULL:
		buf_puts(buf, "null");
		break;
	case EVAL_BOOL:
		buf_puts(buf, v->boolean ? "true" : "false");
		break;
	case EVAL_NUMBER:
		buf_put(buf, num, format_number(v->number, num));
		break;
	case EVAL_STRING:
		buf_put(buf, v->str, v->len);
		break;
	case EVAL_ARRAY:
		put_array(buf, v, depth);
		break;
	case EVAL_OBJECT:
		buf_puts(buf, "[object Object]");
		break;
	case EVAL_REGEX:
		put_regex(buf, v->regex);
		break;
	}
}

static struct eval_value to_string(struct eval_state *ev,
				   const struct eval_value *v)
{
	struct eval_buf buf;

	if (v->type == EVAL_STRING)
		return *v;
	buf_open(ev, &buf);
	put_value(&buf, v, 0);
	return buf_close(&buf);
}

/* ToPrimitive: arrays, objects and regular expressions become strings. */
static struct eval_value to_primitive(struct eval_state *ev,
				      const struct eval_value *v)
{
	return is_objectish(v) ? to_string(ev, v) : *v;
}

static double to_number(struct eval_state *ev, const struct eval_value *v)
{
	struct eval_value s;

	switch (v->type) {
	case EVAL_UNDEF:
		return NAN;
	case EVAL_NULL:
		return 0;
	case EVAL_BOOL:
		return v->boolean;
	case EVAL_NUMBER:
		return v->number;
	case EVAL_STRING:
		return string_to_number(ev, v->str, v->len);
	default:
		s = to_string(ev, v);
		return ev->failed ? NAN : string_to_number(ev, s.str, s.len);
	}
}

/* A short, printable rendering of S for a message: control characters
 * become '?', and long strings are cut at a character boundary. */
static const char *quote(char *out, size_t size, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	unsigned long cp;
	size_t o = 0, n;

	while (p < end) {
		n = utf8_decode(p, end, &cp);
		if (o + n + 4 > size || o >= EVAL_QUOTE_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (cp < 0x20 || cp == 0x7F || cp == 0xFFFD ||
		    (cp >= 0xD800 && cp < 0xE000)) {
			out[o++] = '?';
		} else {
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	out[o] = '\0';
	return out;
}

/* A description of V for a reason: 'text', 12, null, an array of 3, ... */
static const char *describe(const struct eval_value *v, char *out,
			    size_t size)
{
	char q[EVAL_QUOTE_MAX + 8];

	switch (v->type) {
	case EVAL_NUMBER:
		format_number(v->number, q);
		snprintf(out, size, "%s", q);
		break;
	case EVAL_STRING:
		snprintf(out, size, "'%s'", quote(q, sizeof(q), v->str,
						  v->len));
		break;
	case EVAL_BOOL:
		snprintf(out, size, "%s", v->boolean ? "true" : "false");
		break;
	case EVAL_ARRAY:
		snprintf(out, size, "an array of length %zu",
			 array_length(v));
		break;
	default:
		snprintf(out, size, "%s", type_name(v->type));
		break;
	}
	return out;
}

/* ---- property access --------------------------------------------------- */

/* Whether KEY is a canonical array index ("0", "17", not "01", "1.0"). */
static int key_index(const char *key, size_t len, size_t *index)
{
	size_t i, n = 0;

	if (len == 0 || len > 10 || (len > 1 && key[0] == '0'))
		return 0;
	for (i = 0; i < len; i++) {
		if (key[i] < '0' || key[i] > '9')
			return 0;
		n = n * 10 + (size_t)(key[i] - '0');
	}
	if (n >= 4294967295u)
		return 0;
	*index = n;
	return 1;
}

/* The member KEY of a JSON object; of duplicate keys the last one wins,
 * as in JSON.parse. */
static const cJSON *json_member(const cJSON *obj, const char *key,
				size_t len)
{
	const cJSON *c, *found = NULL;

	/* the first byte first: every evaluation of the engine reads
	 * members */
	for (c = obj->child; c; c = c->next)
		if (c->string && c->string[0] == (len ? key[0] : '\0') &&
		    strlen(c->string) == len &&
		    memcmp(c->string, key, len) == 0)
			found = c;
	return found;
}

static struct eval_value array_element(const struct eval_value *v,
				       size_t index)
{
	const cJSON *c;

	if (!v->json)
		return index < v->nitems ? v->items[index] : mk_undef();
	for (c = v->json->child; c && index; c = c->next)
		index--;
	return c ? from_json(c) : mk_undef();
}

/* The code unit at INDEX of a string, as a string: a character of the
 * basic plane, or one half of a surrogate pair encoded on its own. */
static struct eval_value string_unit(struct eval_state *ev,
				     const struct eval_value *v, size_t index)
{
	const unsigned char *p = (const unsigned char *)v->str;
	const unsigned char *end = p + v->len;
	unsigned long cp, half;
	size_t n, units;
	char *out;

	for (; p < end; p += n, index -= units) {
		n = utf8_decode(p, end, &cp);
		units = cp >= 0x10000 ? 2 : 1;
		if (index >= units)
			continue;
		if (units == 1)
			return mk_string((const char *)p, n);
		half = index ? 0xDC00 + ((cp - 0x10000) & 0x3FF) :
			       0xD800 + ((cp - 0x10000) >> 10);
		out = arena_alloc(ev, 3);
		return out ? mk_string(out, utf8_encode(half, out)) :
			     mk_undef();
	}
	return mk_undef();
}

static struct eval_value object_member(struct eval_state *ev,
				       const struct eval_value *v,
				       const char *key, size_t len)
{
	const cJSON *m;

	if (!v->json) {
		if (len == 4 && memcmp(key, "data", 4) == 0 && ev->req->data)
			return from_json(ev->req->data);
		return mk_undef();
	}
	m = json_member(v->json, key, len);
	if (!m && ask_hook(ev, v->json, key, len, ev->at))
		return mk_undef();
	m = m ? m : json_member(v->json, key, len);
	return m ? from_json(m) : mk_undef();
}

/* V[KEY] for a property key that is already a string.  Members that
 * JavaScript finds on prototypes (toString, constructor, ...) are not
 * modelled: they are undefined here. */
static struct eval_value property(struct eval_state *ev,
				  const struct eval_value *v,
				  const char *key, size_t len)
{
	int is_length = len == 6 && memcmp(key, "length", 6) == 0;
	size_t index;

	switch (v->type) {
	case EVAL_OBJECT:
		return object_member(ev, v, key, len);
	case EVAL_ARRAY:
		if (is_length)
			return mk_number((double)array_length(v));
		if (key_index(key, len, &index))
			return array_element(v, index);
		return mk_undef();
	case EVAL_STRING:
		if (is_length)
			return mk_number((double)utf16_length(v->str, v->len));
		if (key_index(key, len, &index))
			return string_unit(ev, v, index);
		return mk_undef();
	default:
		return mk_undef();
	}
}

static void fail_nullish(struct eval_state *ev, const struct ast_node *n,
			 const struct eval_value *base, const char *key,
			 size_t len)
{
	char q[EVAL_QUOTE_MAX + 8], p[EVAL_QUOTE_MAX + 8];

	if (base->type == EVAL_NULL && base->str)
		fail(ev, n, "member access '%s' on null: get('%s') returned "
		     "null", quote(q, sizeof(q), key, len),
		     quote(p, sizeof(p), base->str, base->len));
	else
		fail(ev, n, "member access '%s' on %s",
		     quote(q, sizeof(q), key, len), type_name(base->type));
}

/* BASE.KEY, as the MEMBER node N computes it. */
static struct eval_value member(struct eval_state *ev,
				const struct ast_node *n,
				const struct eval_value *base)
{
	if (!n->text) {
		fail(ev, n, "malformed member access");
		return mk_undef();
	}
	if (is_nullish(base)) {
		fail_nullish(ev, n, base, n->text, n->len);
		return mk_undef();
	}
	return property(ev, base, n->text, n->len);
}

/* BASE[KEY]: the key goes through ToString ("1" for 1). */
static struct eval_value index_value(struct eval_state *ev,
				     const struct ast_node *n,
				     const struct eval_value *base,
				     const struct eval_value *key)
{
	struct eval_value k;
	double d = key->number;

	if (key->type == EVAL_NUMBER && d >= 0 && d < 4294967295.0 &&
	    d == floor(d) && base->type != EVAL_OBJECT &&
	    !is_nullish(base)) {
		if (base->type == EVAL_ARRAY)
			return array_element(base, (size_t)d);
		if (base->type == EVAL_STRING)
			return string_unit(ev, base, (size_t)d);
		return mk_undef();
	}
	k = to_string(ev, key);
	if (ev->failed)
		return mk_undef();
	if (is_nullish(base)) {
		fail_nullish(ev, n, base, k.str, k.len);
		return mk_undef();
	}
	return property(ev, base, k.str, k.len);
}

/* ---- operators --------------------------------------------------------- */

/* Equality of two values of the same type.  Objects and arrays are equal
 * only to themselves; every evaluation of a regular-expression literal
 * makes a new object, so two of them are never equal. */
static int same_type_equal(const struct eval_value *x,
			   const struct eval_value *y)
{
	switch (x->type) {
	case EVAL_UNDEF:
	case EVAL_NULL:
		return 1;
	case EVAL_BOOL:
		return x->boolean == y->boolean;
	case EVAL_NUMBER:
		return x->number == y->number;
	case EVAL_STRING:
		return x->len == y->len && memcmp(x->str, y->str, x->len) == 0;
	case EVAL_ARRAY:
		if (x->json || y->json)
			return x->json == y->json;
		return x->items == y->items;
	case EVAL_OBJECT:
		return x->json == y->json;
	default:
		return 0;
	}
}

static int strict_equal(const struct eval_value *x,
			const struct eval_value *y)
{
	return x->type == y->type && same_type_equal(x, y);
}

/* The abstract equality comparison (ECMA-262 7.2.14) over our values. */
static int loose_equal(struct eval_state *ev, const struct eval_value *x,
		       const struct eval_value *y)
{
	struct eval_value t;

	if (x->type == y->type)
		return same_type_equal(x, y);
	if (is_nullish(x) || is_nullish(y))
		return is_nullish(x) && is_nullish(y);
	if (x->type == EVAL_BOOL || y->type == EVAL_BOOL) {
		t = mk_number(x->type == EVAL_BOOL ? x->boolean : y->boolean);
		return loose_equal(ev, x->type == EVAL_BOOL ? &t : x,
				   x->type == EVAL_BOOL ? y : &t);
	}
	if (x->type == EVAL_NUMBER && y->type == EVAL_STRING)
		return x->number == to_number(ev, y);
	if (x->type == EVAL_STRING && y->type == EVAL_NUMBER)
		return to_number(ev, x) == y->number;
	if (is_objectish(x) == is_objectish(y))
		return 0;
	t = to_primitive(ev, is_objectish(x) ? x : y);
	if (ev->failed)
		return 0;
	return loose_equal(ev, is_objectish(x) ? &t : x,
			   is_objectish(x) ? y : &t);
}

static int byte_compare(const struct eval_value *x,
			const struct eval_value *y)
{
	size_t n = x->len < y->len ? x->len : y->len;
	int c = n ? memcmp(x->str, y->str, n) : 0;

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int order_holds(enum ast_op op, double x, double y)
{
	switch (op) {
	case AST_OP_LT:
		return x < y;
	case AST_OP_LE:
		return x <= y;
	case AST_OP_GT:
		return x > y;
	default:
		return x >= y;
	}
}

/* < <= > >=: two strings compare by their UTF-8 bytes, which is code
 * point order; anything else compares as numbers, and NaN never holds. */
static int relational(struct eval_state *ev, enum ast_op op,
		      const struct eval_value *x, const struct eval_value *y)
{
	struct eval_value px = to_primitive(ev, x), py = to_primitive(ev, y);
	double nx, ny;

	if (ev->failed)
		return 0;
	if (px.type == EVAL_STRING && py.type == EVAL_STRING)
		return order_holds(op, byte_compare(&px, &py), 0);
	nx = to_number(ev, &px);
	ny = to_number(ev, &py);
	return order_holds(op, nx, ny);
}

static int array_contains(const struct eval_value *arr,
			  const struct eval_value *x)
{
	struct eval_value e;
	const cJSON *c;
	size_t i;

	if (!arr->json) {
		for (i = 0; i < arr->nitems; i++)
			if (strict_equal(&arr->items[i], x))
				return 1;
		return 0;
	}
	for (c = arr->json->child; c; c = c->next) {
		e = from_json(c);
		if (strict_equal(&e, x))
			return 1;
	}
	return 0;
}

static int object_has(struct eval_state *ev, const struct eval_value *obj,
		      const struct eval_value *key)
{
	struct eval_value k = to_string(ev, key);

	if (ev->failed)
		return 0;
	if (!obj->json)
		return k.len == 4 && memcmp(k.str, "data", 4) == 0 &&
		       ev->req->data;
	if (json_member(obj->json, k.str, k.len))
		return 1;
	if (ask_hook(ev, obj->json, k.str, k.len, ev->at))
		return 0;
	return json_member(obj->json, k.str, k.len) != NULL;
}

/* X in Y: the platform's array membership, with strict equality (same
 * type and value), or, for an object, JavaScript's own-key test. */
static struct eval_value in_value(struct eval_state *ev,
				  const struct ast_node *n,
				  const struct eval_value *x,
				  const struct eval_value *y)
{
	if (y->type == EVAL_ARRAY)
		return mk_bool(array_contains(y, x));
	if (y->type == EVAL_OBJECT)
		return mk_bool(object_has(ev, y, x));
	fail(ev, n, "'in' needs an array on the right, found %s",
	     type_name(y->type));
	return mk_undef();
}

/* X + Y: concatenation when either primitive is a string, else a sum. */
static struct eval_value add_value(struct eval_state *ev,
				   const struct eval_value *x,
				   const struct eval_value *y)
{
	struct eval_value px = to_primitive(ev, x), py = to_primitive(ev, y);
	struct eval_buf buf;

	if (ev->failed)
		return mk_undef();
	if (px.type != EVAL_STRING && py.type != EVAL_STRING)
		return mk_number(to_number(ev, &px) + to_number(ev, &py));
	if (px.type == EVAL_STRING) {
		buf_reopen(ev, &buf, px.str, px.len);
	} else {
		buf_open(ev, &buf);
		put_value(&buf, &px, 0);
	}
	put_value(&buf, &py, 0);
	return buf_close(&buf);
}

static struct eval_value arith_value(struct eval_state *ev, enum ast_op op,
				     const struct eval_value *x,
				     const struct eval_value *y)
{
	double a = to_number(ev, x), b = to_number(ev, y);

	switch (op) {
	case AST_OP_SUB:
		return mk_number(a - b);
	case AST_OP_MUL:
		return mk_number(a * b);
	case AST_OP_DIV:
		return mk_number(a / b);
	default:
		return mk_number(fmod(a, b));
	}
}

/* ---- regular expressions ----------------------------------------------- */

/* A JavaScript pattern is translated into a POSIX extended expression
 * matched byte by byte in the C locale.  Character sets are built as
 * bitmaps over ASCII plus one flag for "any multi-byte character", which
 * is spelled out as UTF-8 byte sequences.  The translator also bounds the
 * size of what regcomp expands, since repeats multiply. */
enum eval_rx_prev {
	EVAL_RX_START,		/* start, after '(' or '|' */
	EVAL_RX_ANCHOR,
	EVAL_RX_ATOM,
	EVAL_RX_QUANT,
	EVAL_RX_LAZY
};

struct eval_rx {
	struct eval_buf out;
	const unsigned char *p, *end;
	int dotall;
	const char *why;	/* why the pattern cannot be translated */
	enum eval_rx_prev prev;
	int depth;
	size_t size[EVAL_RX_MAX_GROUPS + 1];
	size_t last;		/* the expanded size of the last atom */
};

struct eval_rx_set {
	unsigned char ascii[128];	/* 1: the character is a member */
	int multibyte;		/* every non-ASCII character is a member */
};

#define EVAL_RX_MB "[\xC2-\xDF][\x80-\xBF]|[\xE0-\xEF][\x80-\xBF]{2}|" \
	"[\xF0-\xF4][\x80-\xBF]{3}"

static void rx_put(struct eval_rx *rx, const char *s)
{
	buf_puts(&rx->out, s);
}

static void rx_cost(struct eval_rx *rx, size_t cost)
{
	rx->last = cost ? cost : 1;
	rx->size[rx->depth] += rx->last;
	rx->prev = EVAL_RX_ATOM;
	if (rx->size[rx->depth] > EVAL_RX_MAX_COST)
		rx->why = "it is too large";
}

/* The text of one ASCII character as an atom, without its cost. */
static void rx_char_text(struct eval_rx *rx, unsigned char c)
{
	char s[4] = { (char)c, '\0', '\0', '\0' };

	if (c == '\0') {
		rx->why = "it matches a NUL character";
		return;
	}
	if (c == '^') {
		rx_put(rx, "\\^");
		return;
	}
	if (strchr(".[\\()*+?{|$", c)) {
		s[0] = '[';
		s[1] = (char)c;
		s[2] = ']';
	}
	rx_put(rx, s);
}

static void rx_char(struct eval_rx *rx, unsigned char c)
{
	rx_char_text(rx, c);
	rx_cost(rx, 1);
}

static void rx_codepoint(struct eval_rx *rx, unsigned long cp)
{
	char s[8];
	size_t n;

	if (cp < 0x80) {
		rx_char(rx, (unsigned char)cp);
		return;
	}
	s[0] = '(';
	n = utf8_encode(cp, s + 1);
	s[n + 1] = ')';
	s[n + 2] = '\0';
	rx_put(rx, s);
	rx_cost(rx, 1);
}

static void set_range(struct eval_rx_set *set, int lo, int hi)
{
	int c;

	for (c = lo; c <= hi; c++)
		set->ascii[c] = 1;
}

/* \d \w \s and their complements (ASCII \s only). */
static int set_class(struct eval_rx_set *set, unsigned char esc)
{
	struct eval_rx_set cls;
	int c, neg = esc == 'D' || esc == 'W' || esc == 'S';

	memset(&cls, 0, sizeof(cls));
	switch (esc | 0x20) {
	case 'd':
		set_range(&cls, '0', '9');
		break;
	case 'w':
		set_range(&cls, '0', '9');
		set_range(&cls, 'A', 'Z');
		set_range(&cls, 'a', 'z');
		cls.ascii['_'] = 1;
		break;
	case 's':
		set_range(&cls, '\t', '\r');
		cls.ascii[' '] = 1;
		break;
	default:
		return 0;
	}
	for (c = 1; c < 128; c++)
		if (cls.ascii[c] != neg)
			set->ascii[c] = 1;
	if (neg)
		set->multibyte = 1;
	return 1;
}

static int set_count(const struct eval_rx_set *set, int *only)
{
	int c, n = 0;

	for (c = 1; c < 128; c++)
		if (set->ascii[c]) {
			*only = c;
			n++;
		}
	return n;
}

/* The runs of a bracket expression, leaving out ']' '^' '-', which need
 * fixed places.  Returns how many characters it wrote. */
static int rx_runs(struct eval_rx *rx, const struct eval_rx_set *set)
{
	char s[4];
	int c, hi, n, written = 0;

	for (c = 1; c < 128; c = hi + 1) {
		hi = c;
		if (!set->ascii[c] || strchr("]^-", c))
			continue;
		while (hi + 1 < 128 && set->ascii[hi + 1] &&
		       !strchr("]^-", hi + 1))
			hi++;
		n = 0;
		s[n++] = (char)c;
		if (hi > c + 1)
			s[n++] = '-';
		if (hi > c)
			s[n++] = (char)hi;
		s[n] = '\0';
		rx_put(rx, s);
		written += n;
	}
	return written;
}

/* The ASCII members of SET (more than one) as a bracket expression. */
static void rx_bracket(struct eval_rx *rx, const struct eval_rx_set *set)
{
	int before = set->ascii[']'];

	rx_put(rx, before ? "[]" : "[");
	before += rx_runs(rx, set);
	if (set->ascii['^']) {
		rx_put(rx, before ? "^" : "-^");
		rx_put(rx, before && set->ascii['-'] ? "-]" : "]");
		return;
	}
	rx_put(rx, set->ascii['-'] ? "-]" : "]");
}

/* SET as one atom.  An empty set cannot be written in POSIX syntax. */
static void rx_set(struct eval_rx *rx, const struct eval_rx_set *set)
{
	int only = 0, n = set_count(set, &only);

	if (n == 0 && !set->multibyte) {
		rx->why = "it has an empty character class";
		return;
	}
	if (set->multibyte)
		rx_put(rx, "(");
	if (n == 1)
		rx_char_text(rx, (unsigned char)only);
	else if (n > 1)
		rx_bracket(rx, set);
	if (set->multibyte)
		rx_put(rx, n ? "|" EVAL_RX_MB ")" : EVAL_RX_MB ")");
	rx_cost(rx, set->multibyte ? EVAL_RX_MB_COST : 1);
}

static int hex_digits(const unsigned char *p, const unsigned char *end,
		      int count, unsigned long *value)
{
	int i, d;

	if (end - p < count)
		return 0;
	*value = 0;
	for (i = 0; i < count; i++) {
		d = digit_value((char)p[i]);
		if (d >= 16)
			return 0;
		*value = *value * 16 + (unsigned long)d;
	}
	return 1;
}

static int simple_escape(unsigned char c, int in_class)
{
	switch (c) {
	case 'n':
		return '\n';
	case 't':
		return '\t';
	case 'r':
		return '\r';
	case 'f':
		return '\f';
	case 'v':
		return '\v';
	case 'b':
		return in_class ? '\b' : -1;
	default:
		return -1;
	}
}

static long rx_control(struct eval_rx *rx)
{
	unsigned char c = rx->p < rx->end ? *rx->p | 0x20 : 0;

	if (c < 'a' || c > 'z') {
		rx->why = "'\\c' without a letter is not supported";
		return -1;
	}
	rx->p++;
	return c % 32;
}

static long rx_unicode(struct eval_rx *rx, unsigned long v)
{
	if (v >= 0xD800 && v < 0xE000) {
		rx->why = "surrogate escapes are not supported";
		return -1;
	}
	return (long)v;
}

/* The character that the escape letter C stands for (RX->p is past it),
 * or -1 with RX->why set.  An unknown letter stands for itself. */
static long rx_escape_char(struct eval_rx *rx, unsigned char c, int in_class)
{
	unsigned long v;
	int simple = simple_escape(c, in_class);

	if (simple >= 0)
		return simple;
	if (c == 'b' || c == 'B') {
		rx->why = "word boundaries are not supported";
		return -1;
	}
	if (c >= '0' && c <= '9') {
		rx->why = "back-references and octal escapes are not supported";
		return -1;
	}
	if (c == 'c')
		return rx_control(rx);
	if (c == 'x' && hex_digits(rx->p, rx->end, 2, &v)) {
		rx->p += 2;
		return (long)v;
	}
	if (c == 'u' && hex_digits(rx->p, rx->end, 4, &v)) {
		rx->p += 4;
		return rx_unicode(rx, v);
	}
	return c;
}

/* A literal multi-byte character (or a stray byte), grouped so that a
 * quantifier applies to all of it. */
static void rx_utf8(struct eval_rx *rx)
{
	unsigned long cp;
	size_t n = utf8_decode(rx->p, rx->end, &cp);

	rx_put(rx, "(");
	buf_put(&rx->out, (const char *)rx->p, n);
	rx_put(rx, ")");
	rx->p += n;
	rx_cost(rx, 1);
}

static void rx_escape(struct eval_rx *rx)
{
	struct eval_rx_set set;
	long ch;

	if (rx->p == rx->end) {
		rx->why = "it ends with a backslash";
		return;
	}
	if (*rx->p >= 0x80) {
		rx_utf8(rx);
		return;
	}
	memset(&set, 0, sizeof(set));
	if (set_class(&set, *rx->p)) {
		rx->p++;
		rx_set(rx, &set);
		return;
	}
	ch = rx_escape_char(rx, *rx->p++, 0);
	if (ch >= 0)
		rx_codepoint(rx, (unsigned long)ch);
}

/* One member of a class at RX->p: a character (>= 0), or a class escape
 * already merged into SET (-2); -1 with RX->why set on failure. */
static long rx_class_atom(struct eval_rx *rx, struct eval_rx_set *set)
{
	unsigned char c = *rx->p++;

	if (c == '\\' && rx->p == rx->end) {
		rx->why = "it has an unterminated character class";
		return -1;
	}
	if (c >= 0x80 || (c == '\\' && *rx->p >= 0x80)) {
		rx->why = "non-ASCII characters in a class are not supported";
		return -1;
	}
	if (c != '\\')
		return c;
	if (set_class(set, *rx->p)) {
		rx->p++;
		return -2;
	}
	return rx_escape_char(rx, *rx->p++, 1);
}

static void rx_add(struct eval_rx *rx, struct eval_rx_set *set, long lo,
		   long hi)
{
	if (hi < lo)
		rx->why = "a class range is out of order";
	else if (lo == 0)
		rx->why = "it matches a NUL character";
	else if (hi >= 0x80)
		rx->why = "non-ASCII characters in a class are not supported";
	else
		set_range(set, (int)lo, (int)hi);
}

/* A class member at RX->p, with a range when a '-' follows. */
static void rx_class_member(struct eval_rx *rx, struct eval_rx_set *set)
{
	long lo = rx_class_atom(rx, set), hi;

	if (lo < 0)
		return;
	if (rx->end - rx->p < 2 || rx->p[0] != '-' || rx->p[1] == ']') {
		rx_add(rx, set, lo, lo);
		return;
	}
	rx->p++;
	hi = rx_class_atom(rx, set);
	if (hi == -1)
		return;
	if (hi == -2) {
		rx_add(rx, set, lo, lo);
		set->ascii['-'] = 1;
		return;
	}
	rx_add(rx, set, lo, hi);
}

static void rx_class(struct eval_rx *rx)
{
	struct eval_rx_set set;
	int neg = rx->p < rx->end && *rx->p == '^', c;

	memset(&set, 0, sizeof(set));
	rx->p += neg;
	while (!rx->why && (rx->p == rx->end || *rx->p != ']')) {
		if (rx->p == rx->end)
			rx->why = "it has an unterminated character class";
		else
			rx_class_member(rx, &set);
	}
	if (rx->why)
		return;
	rx->p++;
	if (neg) {
		for (c = 1; c < 128; c++)
			set.ascii[c] = !set.ascii[c];
		set.multibyte = !set.multibyte;
	}
	rx_set(rx, &set);
}

static void rx_dot(struct eval_rx *rx)
{
	struct eval_rx_set set;

	memset(&set, 0, sizeof(set));
	set_range(&set, 1, 127);
	set.multibyte = 1;
	if (!rx->dotall)
		set.ascii['\n'] = set.ascii['\r'] = 0;
	rx_set(rx, &set);
}

static void rx_quant(struct eval_rx *rx, const char *text, size_t factor)
{
	if (rx->prev != EVAL_RX_ATOM) {
		rx->why = "a quantifier has nothing to repeat";
		return;
	}
	rx_put(rx, text);
	rx->size[rx->depth] += rx->last * (factor - 1);
	rx->last *= factor;
	rx->prev = EVAL_RX_QUANT;
	if (rx->size[rx->depth] > EVAL_RX_MAX_COST)
		rx->why = "it is too large";
}

static int rx_count(const unsigned char **p, const unsigned char *end,
		    unsigned long *value)
{
	const unsigned char *q = *p;

	*value = 0;
	while (q < end && *q >= '0' && *q <= '9') {
		if (*value <= EVAL_RX_MAX_REPEAT)
			*value = *value * 10 + (unsigned long)(*q - '0');
		q++;
	}
	if (q == *p)
		return 0;
	*p = q;
	return 1;
}

/* {n}, {n,} or {n,m} after the brace at RX->p; anything else makes the
 * brace a literal, as JavaScript does. */
static void rx_brace(struct eval_rx *rx)
{
	const unsigned char *p = rx->p;
	unsigned long lo, hi;
	int open = 0, two = 0;
	char text[32];

	if (!rx_count(&p, rx->end, &lo)) {
		rx_char(rx, '{');
		return;
	}
	hi = lo;
	if (p < rx->end && *p == ',') {
		p++;
		two = rx_count(&p, rx->end, &hi);
		open = !two;
	}
	if (p == rx->end || *p != '}') {
		rx_char(rx, '{');
		return;
	}
	rx->p = p + 1;
	if (hi < lo)
		rx->why = "the numbers of a quantifier are out of order";
	else if (hi > EVAL_RX_MAX_REPEAT)
		rx->why = "a repeat count is over 1000";
	if (rx->why)
		return;
	snprintf(text, sizeof(text), two ? "{%lu,%lu}" : open ? "{%lu,}" :
		 "{%lu}", lo, hi);
	rx_quant(rx, text, hi + 1);
}

static void rx_open(struct eval_rx *rx)
{
	int special = rx->p < rx->end && *rx->p == '?';

	if (special && (rx->end - rx->p < 2 || rx->p[1] != ':')) {
		rx->why = "lookaround and named groups are not supported";
		return;
	}
	if (special)
		rx->p += 2;
	if (rx->depth == EVAL_RX_MAX_GROUPS) {
		rx->why = "groups are nested too deeply";
		return;
	}
	rx->depth++;
	rx->size[rx->depth] = 0;
	rx_put(rx, "(");
	rx->prev = EVAL_RX_START;
}

static void rx_close(struct eval_rx *rx)
{
	size_t inner;

	if (rx->depth == 0) {
		rx->why = "it has an unmatched ')'";
		return;
	}
	inner = rx->size[rx->depth--];
	rx_put(rx, ")");
	rx_cost(rx, inner);
}

static void rx_step(struct eval_rx *rx)
{
	unsigned char c = *rx->p++;

	switch (c) {
	case '\\':
		rx_escape(rx);
		break;
	case '[':
		rx_class(rx);
		break;
	case '(':
		rx_open(rx);
		break;
	case ')':
		rx_close(rx);
		break;
	case '|':
		rx_put(rx, "|");
		rx->prev = EVAL_RX_START;
		break;
	case '^':
	case '$':
		rx_put(rx, c == '^' ? "^" : "$");
		rx->prev = EVAL_RX_ANCHOR;
		break;
	case '*':
		rx_quant(rx, "*", 1);
		break;
	case '+':
		rx_quant(rx, "+", 2);
		break;
	case '?':
		/* a lazy quantifier finds a match exactly when the
		 * greedy one does, so test() ignores the laziness */
		if (rx->prev == EVAL_RX_QUANT)
			rx->prev = EVAL_RX_LAZY;
		else
			rx_quant(rx, "?", 1);
		break;
	case '{':
		rx_brace(rx);
		break;
	case '.':
		rx_dot(rx);
		break;
	default:
		if (c >= 0x80) {
			rx->p--;
			rx_utf8(rx);
		} else {
			rx_char(rx, c);
		}
	}
}

/* Translate the pattern of RE; on success the NUL-terminated POSIX
 * pattern is returned, else NULL with RX->why or an error set. */
static const char *rx_translate(struct eval_state *ev,
				const struct ast_node *re, int dotall,
				struct eval_rx *rx)
{
	struct eval_value out;

	memset(rx, 0, sizeof(*rx));
	rx->p = (const unsigned char *)re->text;
	rx->end = rx->p + re->len;
	rx->dotall = dotall;
	buf_open(ev, &rx->out);
	while (rx->p < rx->end && !rx->why && !ev->failed)
		rx_step(rx);
	if (!rx->why && rx->depth)
		rx->why = "it has an unterminated group";
	buf_put(&rx->out, "", 1);
	out = buf_close(&rx->out);
	return rx->why || ev->failed ? NULL : out.str;
}

static int rx_flags(struct eval_state *ev, const struct ast_node *call,
		    const char *flags, int *cflags, int *dotall)
{
	const char *f;

	for (f = flags ? flags : ""; *f; f++) {
		if (strchr(f + 1, *f))
			fail(ev, call, "regular expression flag '%c' is given "
			     "twice", *f);
		else if (*f == 'i')
			*cflags |= REG_ICASE;
		else if (*f == 's')
			*dotall = 1;
		else if (*f != 'g')
			fail(ev, call, "regular expression flag '%c' is not "
			     "supported", *f);
	}
	return !ev->failed;
}

/* Every thread keeps the regular expressions it compiled for the rest of
 * its life: the engine evaluates the same few patterns in thousands of
 * questions, and compiling one costs more than the evaluations around it. */
#define EVAL_RX_CACHE_SIZE 64

struct eval_rx_entry {
	char *pattern;
	int cflags;
	regex_t re;
};

struct eval_rx_cache {
	struct eval_rx_entry v[EVAL_RX_CACHE_SIZE];
	size_t n;
};

static void rx_cache_release(void *arg)
{
	struct eval_rx_cache *c = arg;
	size_t i;

	for (i = 0; i < c->n; i++) {
		regfree(&c->v[i].re);
		free(c->v[i].pattern);
	}
}

static struct keep rx_caches =
	KEEP_INIT(sizeof(struct eval_rx_cache), rx_cache_release);

/* PATTERN compiled with CFLAGS from the cache, compiled into it when
 * there is room; NULL when it is full or the pattern does not compile. */
static const regex_t *rx_cached(struct eval_rx_cache *c, const char *pattern,
				int cflags)
{
	struct eval_rx_entry *e;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].cflags == cflags &&
		    strcmp(c->v[i].pattern, pattern) == 0)
			return &c->v[i].re;
	if (c->n == EVAL_RX_CACHE_SIZE)
		return NULL;
	e = &c->v[c->n];
	if (regcomp(&e->re, pattern, cflags) != 0)
		return NULL;
	e->pattern = strdup(pattern);
	if (!e->pattern) {
		regfree(&e->re);
		return NULL;
	}
	e->cflags = cflags;
	c->n++;
	return &e->re;
}

/* SUBJECT against the compiled RE. */
static int rx_exec(struct eval_state *ev, const struct ast_node *call,
		   const regex_t *re, const struct eval_value *subject)
{
	regmatch_t m;
	char *text = arena_alloc(ev, subject->len + 1);
	int rc = REG_NOMATCH;

	if (text) {
		memcpy(text, subject->str, subject->len);
		text[subject->len] = '\0';
		m.rm_so = 0;
		m.rm_eo = (regoff_t)subject->len;
		rc = regexec(re, text, 1, &m, REG_STARTEND);
		if (rc && rc != REG_NOMATCH)
			fail(ev, call, "regular expression matching failed");
	}
	return text && rc == 0;
}

static int rx_match(struct eval_state *ev, const struct ast_node *call,
		    const char *pattern, int cflags,
		    const struct eval_value *subject)
{
	struct eval_rx_cache *cache = keep_get(&rx_caches);
	const regex_t *cached = NULL;
	regex_t re;
	char msg[128];
	int rc, hit;

	if (cache)
		cached = rx_cached(cache, pattern, cflags);
	if (cached)
		return rx_exec(ev, call, cached, subject);
	rc = regcomp(&re, pattern, cflags);

	if (rc) {
		regerror(rc, &re, msg, sizeof(msg));
		msg[0] = (char)tolower((unsigned char)msg[0]);
		fail(ev, call, "regular expression cannot be compiled: %s",
		     msg);
		return 0;
	}
	hit = rx_exec(ev, call, &re, subject);
	regfree(&re);
	return hit;
}

/* RE.test(SUBJECT) for the call node CALL. */
static struct eval_value regex_test(struct eval_state *ev,
				    const struct ast_node *call,
				    const struct ast_node *re,
				    const struct eval_value *subject)
{
	struct eval_rx rx;
	const char *pattern;
	int cflags = REG_EXTENDED | REG_NOSUB, dotall = 0, hit;

	if (!re->text) {
		fail(ev, call, "malformed regular expression");
		return mk_undef();
	}
	if (!rx_flags(ev, call, re->flags, &cflags, &dotall))
		return mk_undef();
	pattern = rx_translate(ev, re, dotall, &rx);
	if (!pattern) {
		fail(ev, call, "regular expression cannot be translated: %s",
		     rx.why ? rx.why : "out of memory");
		return mk_undef();
	}
	hit = rx_match(ev, call, pattern, cflags, subject);
	return ev->failed ? mk_undef() : mk_bool(hit);
}

/* ---- get() ------------------------------------------------------------- */

/* Whether PATH is database.<collection>.<id>, both parts non-empty and
 * without dots. */
static int get_path_valid(const char *path, size_t len)
{
	const char *rest, *dot;
	size_t n;

	if (len < 9 || memcmp(path, "database.", 9) != 0)
		return 0;
	rest = path + 9;
	n = len - 9;
	dot = memchr(rest, '.', n);
	if (!dot || dot == rest || dot == rest + n - 1)
		return 0;
	return memchr(dot + 1, '.', (size_t)(rest + n - dot - 1)) == NULL;
}

static const cJSON *get_lookup(const struct eval_request *req,
			       const struct eval_value *path)
{
	size_t i;

	for (i = 0; i < req->ngets; i++) {
		const char *p = req->gets[i].path;

		if (p && strlen(p) == path->len &&
		    memcmp(p, path->str, path->len) == 0)
			return req->gets[i].doc;
	}
	return NULL;
}

/* get(path): the document given for PATH, or null when none is; that
 * null keeps the path, for the message of a member access on it. */
static struct eval_value eval_get(struct eval_state *ev,
				  const struct ast_node *call)
{
	struct eval_value path, absent;
	const cJSON *doc;
	char q[EVAL_QUOTE_MAX + 8];

	if (call->nlist != 1) {
		fail(ev, call, "get() takes one argument, found %zu",
		     call->nlist);
		return mk_undef();
	}
	path = eval_node(ev, call->list[0]);
	if (ev->failed)
		return mk_undef();
	if (path.type != EVAL_STRING) {
		fail(ev, call, "get() needs a string path, found %s",
		     type_name(path.type));
		return mk_undef();
	}
	if (!get_path_valid(path.str, path.len)) {
		fail(ev, call, "get() path '%s' is not "
		     "database.<collection>.<id>",
		     quote(q, sizeof(q), path.str, path.len));
		return mk_undef();
	}
	doc = get_lookup(ev->req, &path);
	if (!doc && ask_hook(ev, NULL, path.str, path.len, call))
		return mk_undef();
	doc = doc ? doc : get_lookup(ev->req, &path);
	if (doc && !cJSON_IsNull(doc))
		return from_json(doc);
	absent = mk_null();
	absent.str = path.str;
	absent.len = path.len;
	return absent;
}

/* ---- evaluation -------------------------------------------------------- */

/* The roots.  All of them exist for every kind; the linter reports a
 * root that the rule's kind does not have. */
static struct eval_value eval_ident(struct eval_state *ev,
				    const struct ast_node *n)
{
	const struct eval_request *req = ev->req;
	char q[EVAL_QUOTE_MAX + 8];

	if (strcmp(n->text, "auth") == 0)
		return req->auth && !cJSON_IsNull(req->auth) ?
		       from_json(req->auth) : mk_null();
	if (strcmp(n->text, "doc") == 0)
		return from_json(req->doc ? req->doc : &eval_empty_doc);
	if (strcmp(n->text, "resource") == 0)
		return from_json(req->resource ? req->resource :
				 &eval_empty_resource);
	if (strcmp(n->text, "request") == 0)
		return mk_json_object(NULL);
	if (strcmp(n->text, "now") == 0) {
		if (req->now_open && ask_hook(ev, NULL, NULL, 0, n))
			return mk_undef();
		return mk_number(req->now);
	}
	if (strcmp(n->text, "undefined") == 0)
		return mk_undef();
	if (strcmp(n->text, "get") == 0)
		fail(ev, n, "'get' is a function; call it as get(path)");
	else
		fail(ev, n, "unknown variable '%s'",
		     quote(q, sizeof(q), n->text, n->len));
	return mk_undef();
}

static struct eval_value eval_array(struct eval_state *ev,
				    const struct ast_node *n)
{
	struct eval_value v = { .type = EVAL_ARRAY };
	struct eval_value *items;
	size_t i;

	items = arena_alloc(ev, n->nlist * sizeof(*items));
	if (!items)
		return mk_undef();
	for (i = 0; i < n->nlist && !ev->failed; i++)
		items[i] = eval_node(ev, n->list[i]);
	v.items = items;
	v.nitems = n->nlist;
	return v;
}

/* A template literal: its pieces and the ToString of its parts. */
static struct eval_value eval_template(struct eval_state *ev,
				       const struct ast_node *n)
{
	struct eval_value *parts;
	struct eval_buf buf;
	size_t i;

	parts = arena_alloc(ev, n->nlist * sizeof(*parts));
	if (!parts)
		return mk_undef();
	for (i = 0; i < n->nlist && !ev->failed; i++)
		parts[i] = eval_node(ev, n->list[i]);
	if (ev->failed)
		return mk_undef();
	buf_open(ev, &buf);
	for (i = 0; i < n->nlist; i++)
		put_value(&buf, &parts[i], 0);
	return buf_close(&buf);
}

/* A call whose callee is not a method: get(path), or unsupported. */
static struct eval_value eval_call(struct eval_state *ev,
				   const struct ast_node *n)
{
	const struct ast_node *callee = n->a;
	char q[EVAL_QUOTE_MAX + 8];

	if (callee && callee->kind == AST_IDENT && callee->text &&
	    strcmp(callee->text, "get") == 0)
		return eval_get(ev, n);
	if (callee && callee->kind == AST_IDENT && callee->text)
		fail(ev, n, "unsupported construct: call of '%s'",
		     quote(q, sizeof(q), callee->text, callee->len));
	else
		fail(ev, n, "unsupported construct: call");
	return mk_undef();
}

static struct eval_value eval_leaf(struct eval_state *ev,
				   const struct ast_node *n)
{
	struct eval_value v = { .type = EVAL_REGEX, .regex = n };

	switch (n->kind) {
	case AST_UNDEFINED:
		return mk_undef();
	case AST_NULL:
		return mk_null();
	case AST_BOOL:
		return mk_bool(n->boolean);
	case AST_NUMBER:
		return mk_number(n->number);
	case AST_STRING:
		return n->text ? mk_string(n->text, n->len) : mk_undef();
	case AST_TEMPLATE:
		return eval_template(ev, n);
	case AST_REGEX:
		return v;
	case AST_ARRAY:
		return eval_array(ev, n);
	case AST_IDENT:
		if (n->text)
			return eval_ident(ev, n);
		break;
	case AST_CALL:
		return eval_call(ev, n);
	case AST_COND:
		return eval_node(ev, n);
	case AST_OBJECT:
		fail(ev, n, "unsupported construct: object literal");
		return mk_undef();
	case AST_ARROW:
		fail(ev, n, "unsupported construct: arrow function");
		return mk_undef();
	default:
		break;
	}
	fail(ev, n, "malformed expression");
	return mk_undef();
}

/* && and ||: JavaScript returns the deciding operand.  The decider of a
 * false && is that of its first false conjunct, of a true || that of its
 * true alternative; otherwise it is the operator itself. */
static void step_logical(struct eval_state *ev, const struct ast_node *n,
			 struct eval_value *v)
{
	int is_and = n->op == AST_OP_AND;

	if (truthy(v) != is_and)
		return;
	*v = eval_node(ev, n->b);
	if (truthy(v) == is_and)
		v->decider = n;
}

static struct eval_value binary_value(struct eval_state *ev,
				      const struct ast_node *n,
				      const struct eval_value *x,
				      const struct eval_value *y)
{
	switch (n->op) {
	case AST_OP_EQ:
	case AST_OP_SEQ:
		return mk_bool(loose_equal(ev, x, y));
	case AST_OP_NE:
	case AST_OP_SNE:
		return mk_bool(!loose_equal(ev, x, y));
	case AST_OP_LT:
	case AST_OP_LE:
	case AST_OP_GT:
	case AST_OP_GE:
		return mk_bool(relational(ev, n->op, x, y));
	case AST_OP_IN:
		return in_value(ev, n, x, y);
	case AST_OP_ADD:
		return add_value(ev, x, y);
	case AST_OP_SUB:
	case AST_OP_MUL:
	case AST_OP_DIV:
	case AST_OP_MOD:
		return arith_value(ev, n->op, x, y);
	default:
		fail(ev, n, "malformed expression");
		return mk_undef();
	}
}

static void step_binary(struct eval_state *ev, const struct ast_node *n,
			struct eval_value *v)
{
	struct eval_value r;

	if (n->op == AST_OP_AND || n->op == AST_OP_OR) {
		step_logical(ev, n, v);
		return;
	}
	r = eval_node(ev, n->b);
	if (!ev->failed)
		*v = binary_value(ev, n, v, &r);
	v->decider = n;
}

static void step_unary(struct eval_state *ev, const struct ast_node *n,
		       struct eval_value *v)
{
	if (n->op == AST_OP_NOT)
		*v = mk_bool(!truthy(v));
	else if (n->op == AST_OP_NEG)
		*v = mk_number(-to_number(ev, v));
	else if (n->op == AST_OP_PLUS)
		*v = mk_number(to_number(ev, v));
	else
		fail(ev, n, "malformed expression");
	v->decider = n;
}

/* RECV.name(args): only a regular expression's test() is supported. */
static void step_method(struct eval_state *ev, const struct ast_node *n,
			struct eval_value *v)
{
	const struct ast_node *name = n->a;
	struct eval_value arg = mk_undef(), s;
	char q[EVAL_QUOTE_MAX + 8];
	size_t i;

	if (is_nullish(v) && name->text) {
		fail_nullish(ev, name, v, name->text, name->len);
		return;
	}
	if (!name->text || strcmp(name->text, "test") != 0) {
		fail(ev, n, "unsupported call '.%s'", name->text ?
		     quote(q, sizeof(q), name->text, name->len) : "");
		return;
	}
	if (v->type != EVAL_REGEX) {
		fail(ev, n, "'.test' needs a regular expression, found %s",
		     type_name(v->type));
		return;
	}
	for (i = 0; i < n->nlist && !ev->failed; i++) {
		s = eval_node(ev, n->list[i]);
		if (i == 0)
			arg = s;
	}
	s = ev->failed ? arg : to_string(ev, &arg);
	if (!ev->failed)
		*v = regex_test(ev, n, v->regex, &s);
	v->decider = n;
}

/* Apply the spine node N to the value V of its first operand. */
static void step(struct eval_state *ev, const struct ast_node *n,
		 struct eval_value *v)
{
	struct eval_value key;

	switch (n->kind) {
	case AST_BINARY:
		step_binary(ev, n, v);
		return;
	case AST_UNARY:
		step_unary(ev, n, v);
		return;
	case AST_MEMBER:
		*v = member(ev, n, v);
		break;
	case AST_INDEX:
		key = eval_node(ev, n->b);
		if (!ev->failed)
			*v = index_value(ev, n, v, &key);
		break;
	default:
		step_method(ev, n, v);
		return;
	}
	v->decider = n;
}

/* The first operand of N when it is evaluated before anything else of N
 * (the receiver of a method call), or NULL when N is a leaf. */
static const struct ast_node *spine_child(const struct ast_node *n)
{
	switch (n->kind) {
	case AST_BINARY:
	case AST_UNARY:
	case AST_MEMBER:
	case AST_INDEX:
		return n->a;
	case AST_CALL:
		if (n->a && n->a->kind == AST_MEMBER)
			return n->a->a;
		return NULL;
	default:
		return NULL;
	}
}

/* The next node down the spine, which stops at the engine's probe. */
static const struct ast_node *spine_next(const struct eval_state *ev,
					 const struct ast_node *n)
{
	return n == ev->req->override ? NULL : spine_child(n);
}

/* Follow the chosen branches of a chain of conditionals iteratively;
 * returns the branch that gives the value, and the first conditional. */
static const struct ast_node *skip_conds(struct eval_state *ev,
					 const struct ast_node *n,
					 const struct ast_node **first)
{
	struct eval_value t;

	while (n && n->kind == AST_COND && !ev->failed) {
		if (!*first)
			*first = n;
		t = eval_node(ev, n->a);
		n = truthy(&t) ? n->b : n->c;
	}
	return n;
}

/* Evaluate N.  Chains that nest to the left (a && b && c, a.b.c, a + b +
 * c, as long as the parser allows) are walked with an explicit stack, so
 * recursion follows only the nesting of parentheses and brackets. */
static struct eval_value eval_node(struct eval_state *ev,
				   const struct ast_node *n)
{
	const struct ast_node *stack[EVAL_SPINE_STACK], **spine = stack;
	const struct ast_node *cond = NULL, *c;
	struct eval_value v = mk_undef();
	size_t depth = 0, i;

	if (ev->failed)
		return v;
	if (++ev->depth > EVAL_MAX_DEPTH)
		fail(ev, n, "expression nested too deeply");
	n = skip_conds(ev, n, &cond);
	if (!n && !ev->failed)
		fail(ev, cond, "malformed expression");
	for (c = n; c && !ev->failed; c = spine_next(ev, c))
		depth++;
	if (depth > EVAL_SPINE_STACK)
		spine = arena_alloc(ev, depth * sizeof(*spine));
	if (ev->failed)
		goto out;
	for (i = 0, c = n; i < depth; c = spine_next(ev, c))
		spine[i++] = c;
	if (spine[depth - 1] == ev->req->override)
		v = ev->req->override_value ?
		    from_json(ev->req->override_value) : mk_undef();
	else
		v = eval_leaf(ev, spine[depth - 1]);
	v.decider = spine[depth - 1];
	for (i = depth - 1; i-- > 0 && !ev->failed;) {
		ev->at = spine[i];
		step(ev, spine[i], &v);
	}
	if (cond)
		v.decider = cond;
out:
	ev->depth--;
	return v;
}

/* ---- explanations ------------------------------------------------------ */

static const char *op_symbol(enum ast_op op)
{
	switch (op) {
	case AST_OP_EQ:
		return "==";
	case AST_OP_NE:
		return "!=";
	case AST_OP_SEQ:
		return "===";
	case AST_OP_SNE:
		return "!==";
	case AST_OP_LT:
		return "<";
	case AST_OP_LE:
		return "<=";
	case AST_OP_GT:
		return ">";
	case AST_OP_GE:
		return ">=";
	default:
		return NULL;
	}
}

static const char *truth_word(int t)
{
	return t ? "true" : "false";
}

/* X op Y of a comparison, re-evaluated (evaluation has no side effects,
 * so the operands have the values they had). */
static void explain_binary(struct eval_state *ev, const struct ast_node *d,
			   int t, char *out, size_t size)
{
	struct eval_value x = eval_node(ev, d->a), y = eval_node(ev, d->b);
	char dx[64], dy[64];

	if (ev->failed)
		return;
	describe(&x, dx, sizeof(dx));
	describe(&y, dy, sizeof(dy));
	if (op_symbol(d->op))
		snprintf(out, size, "%s %s %s is %s", dx, op_symbol(d->op), dy,
			 truth_word(t));
	else if (y.type == EVAL_ARRAY)
		snprintf(out, size, "%s is %sin %s", dx, t ? "" : "not ", dy);
	else
		snprintf(out, size, "%s is %sa key of the object", dx,
			 t ? "" : "not ");
}

static void explain_call(struct eval_state *ev, const struct ast_node *d,
			 const struct eval_value *v, char *out, size_t size)
{
	struct eval_value arg = mk_undef();
	char da[64], dv[64];

	if (d->nlist)
		arg = eval_node(ev, d->list[0]);
	if (d->a->kind == AST_MEMBER)
		arg = to_string(ev, &arg);
	if (ev->failed)
		return;
	describe(&arg, da, sizeof(da));
	if (d->a->kind == AST_MEMBER)
		snprintf(out, size, "%s %s the regular expression", da,
			 v->boolean ? "matches" : "does not match");
	else
		snprintf(out, size, "get(%s) returned %s", da,
			 describe(v, dv, sizeof(dv)));
}

static void explain_value(const struct eval_value *v, char *out,
			  size_t size)
{
	char dv[64];

	describe(v, dv, sizeof(dv));
	if (v->type == EVAL_BOOL)
		snprintf(out, size, "the value is %s", dv);
	else
		snprintf(out, size, "the value is %s, which is %s", dv,
			 truthy(v) ? "truthy" : "falsy");
}

/* Why the value V of its decider allows or denies. */
static void explain(struct eval_state *ev, const struct eval_value *v,
		    char *out, size_t size)
{
	const struct ast_node *d = v->decider;
	int t = truthy(v);

	out[0] = '\0';
	if (d->kind == AST_BINARY && (d->op == AST_OP_AND ||
				      d->op == AST_OP_OR))
		snprintf(out, size, "every operand of '%s' is %s",
			 d->op == AST_OP_AND ? "&&" : "||", truth_word(t));
	else if (d->kind == AST_BINARY && (op_symbol(d->op) ||
					   d->op == AST_OP_IN))
		explain_binary(ev, d, t, out, size);
	else if (d->kind == AST_UNARY && d->op == AST_OP_NOT)
		snprintf(out, size, "'!' of a %s value is %s",
			 t ? "falsy" : "truthy", truth_word(t));
	else if (d->kind == AST_CALL && d->a)
		explain_call(ev, d, v, out, size);
	else if (d->kind == AST_BOOL)
		snprintf(out, size, "the literal is %s", truth_word(t));
	if (ev->failed || out[0] == '\0')
		explain_value(v, out, size);
}

void eval_expr(const struct ast_node *expr, const struct eval_request *req,
	       struct eval_outcome *out)
{
	static const struct eval_request no_request;
	struct eval_state ev;
	struct eval_value v = mk_undef();
	locale_t c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	locale_t old = c_locale ? uselocale(c_locale) : (locale_t)0;

	memset(&ev, 0, sizeof(ev));
	memset(out, 0, sizeof(*out));
	ev.req = req ? req : &no_request;
	if (expr)
		v = eval_node(&ev, expr);
	else
		fail(&ev, NULL, "no expression");
	if (ev.failed) {
		out->verdict = EVAL_DENY;
		out->error = 1;
		out->decider = ev.err_node ? ev.err_node : expr;
		snprintf(out->reason, sizeof(out->reason), "%s", ev.reason);
	} else {
		out->verdict = truthy(&v) ? EVAL_ALLOW : EVAL_DENY;
		out->decider = v.decider ? v.decider : expr;
		v.decider = out->decider;
		explain(&ev, &v, out->reason, sizeof(out->reason));
	}
	arena_free(&ev);
	if (c_locale) {
		uselocale(old);
		freelocale(c_locale);
	}
}

enum eval_status eval_quick(const struct ast_node *expr,
			    const struct eval_request *req)
{
	struct eval_state ev;
	struct eval_value v;
	enum eval_status st;

	memset(&ev, 0, offsetof(struct eval_state, reason));
	ev.req = req;
	ev.quiet = 1;
	v = eval_node(&ev, expr);
	if (ev.suspended)
		st = EVAL_ST_SUSPENDED;
	else if (ev.failed)
		st = EVAL_ST_ERROR;
	else
		st = truthy(&v) ? EVAL_ST_TRUE : EVAL_ST_FALSE;
	arena_free(&ev);
	return st;
}
