/* The finite universe of strings of one expression for the Z3 encoding,
 * and the pieces of JavaScript it needs, written here from the language
 * specification: ToNumber of a string, Number::toString, and matching of
 * the small subset of regular expressions that the generator writes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "z3univ.h"

#define Z3UNIV_FRESH 3		/* fresh strings in each gap */
#define Z3UNIV_NUMBERS 64
#define Z3UNIV_BOUND 1e15
#define Z3UNIV_RX_ITEMS 64

/* Strings that conversions produce, and the login types. */
static const char *const z3univ_specials[] = {
	"undefined", "null", "true", "false", "[object Object]", "a.b",
	"WECHAT_PUBLIC", "WECHAT_OPEN", "ANONYMOUS", "EMAIL", "CUSTOM"
};

static const char *const z3univ_marks[Z3UNIV_MARKS] = {
	" ~1", "A~1", "m~1", "~~1", " ~2", "A~2", "m~2", "~~2",
	"\001absent-uid", "\001absent-openid", "undefined"
};

/* Characters fresh strings are made of: printable ASCII without the
 * backslash and the point, letters first. */
static const char z3univ_alphabet[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ{|}~ !\"#$%&'()"
	"*+,-/0123456789:;<=>?@[]^_`";

/* ---- ToNumber and Number::toString --------------------------------------- */

static int js_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static size_t digit_run(const char *s, size_t i, size_t len)
{
	size_t start = i;

	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i - start;
}

/* StrDecimalLiteral without Infinity: sign, digits, point, exponent. */
static int decimal(const char *s, size_t len)
{
	size_t i = 0, whole, frac = 0, exp;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	whole = digit_run(s, i, len);
	i += whole;
	if (i < len && s[i] == '.') {
		frac = digit_run(s, i + 1, len);
		i += 1 + frac;
	}
	if (whole + frac == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		exp = digit_run(s, i, len);
		if (!exp)
			return 0;
		i += exp;
	}
	return i == len;
}

static int radix_value(const char *s, size_t len, int radix, double *d)
{
	size_t i;
	int v;

	*d = 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		v = c >= '0' && c <= '9' ? c - '0' :
		    c >= 'a' && c <= 'z' ? c - 'a' + 10 :
		    c >= 'A' && c <= 'Z' ? c - 'A' + 10 : 99;
		if (v >= radix)
			return 0;
		*d = *d * radix + v;
	}
	return len > 0;
}

int z3univ_to_number(const char *text, size_t len, int *nan, double *d)
{
	const char *s = text, *e = text + len;
	char buf[128];
	int radix;

	while (s < e && js_space(*s))
		s++;
	while (e > s && js_space(e[-1]))
		e--;
	*nan = 0;
	*d = 0;
	if (s == e)
		return 0;
	if (memchr(s, 'I', (size_t)(e - s)) || (size_t)(e - s) >= sizeof(buf))
		return strstr(s, "Infinity") ? -1 : (*nan = 1, 0);
	radix = e - s > 2 && s[0] == '0' ?
			(strchr("xX", s[1]) ? 16 : strchr("oO", s[1]) ? 8 :
			 strchr("bB", s[1]) ? 2 : 0) : 0;
	if (radix) {
		*nan = !radix_value(s + 2, (size_t)(e - s - 2), radix, d);
		return 0;
	}
	if (!decimal(s, (size_t)(e - s))) {
		*nan = 1;
		return 0;
	}
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	*d = strtod(buf, NULL);
	return isfinite(*d) ? 0 : -1;
}

/* The shortest digits that read back as D > 0, and the exponent n of
 * ECMA-262's Number::toString (D = 0.digits * 10^n). */
static int shortest(double d, char *digits, int *n)
{
	char buf[48], *p;
	int prec, k = 0;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	for (p = buf; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[k++] = *p;
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = '\0';
	*n = atoi(p + 1) + 1;
	return k;
}

static char *put_zeros(char *out, int count)
{
	for (; count > 0; count--)
		*out++ = '0';
	*out = '\0';
	return out;
}

void z3univ_numeral(double d, char *out)
{
	char digits[24];
	int k, n;

	if (d == 0) {
		strcpy(out, "0");
		return;
	}
	if (d < 0) {
		*out = '-';
		z3univ_numeral(-d, out + 1);
		return;
	}
	k = shortest(d, digits, &n);
	if (k <= n && n <= 21) {
		put_zeros(out + sprintf(out, "%s", digits), n - k);
	} else if (0 < n && n <= 21) {
		sprintf(out, "%.*s.%s", n, digits, digits + n);
	} else if (-6 < n && n <= 0) {
		strcpy(put_zeros(out + sprintf(out, "0."), -n), digits);
	} else {
		sprintf(out, "%c%s%s%c%c%d", digits[0], k > 1 ? "." : "",
			digits + 1, 'e', n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
}

/* ---- regular expressions ------------------------------------------------- */

enum z3univ_quant {
	Z3UNIV_ONE,
	Z3UNIV_STAR,
	Z3UNIV_PLUS,
	Z3UNIV_OPT
};

struct z3univ_item {
	unsigned char set[128];	/* the characters it matches */
	enum z3univ_quant quant;
};

struct z3univ_rx {
	struct z3univ_item items[Z3UNIV_RX_ITEMS];
	size_t n;
	int start, end;		/* anchored */
};

static int in_class(int c, char esc)
{
	int digit = c >= '0' && c <= '9';

	switch (esc | 0x20) {
	case 'd':
		return digit;
	case 'w':
		return digit || (c >= 'a' && c <= 'z') ||
		       (c >= 'A' && c <= 'Z') || c == '_';
	default:
		return c == ' ' || (c >= '\t' && c <= '\r');
	}
}

/* \d \w \s and their complements, ASCII only. */
static void set_class(unsigned char *set, char esc)
{
	int c, neg = esc >= 'A' && esc <= 'Z';

	for (c = 1; c < 128; c++)
		if (in_class(c, esc) != neg)
			set[c] = 1;
}

/* One escaped atom at P: a class or the character itself. */
static int rx_escape(unsigned char *set, char c)
{
	if (strchr("dDwWsS", c)) {
		set_class(set, c);
		return 0;
	}
	if (strchr("bBkpPu0123456789cxf", c))
		return -1;
	set[(unsigned char)c & 0x7F] = 1;
	return 0;
}

static const char *rx_class(unsigned char *set, const char *p,
			    const char *end)
{
	unsigned char in[128];
	int neg = p < end && *p == '^', c;

	memset(in, 0, sizeof(in));
	p += neg;
	while (p < end && *p != ']') {
		if (*p == '\\' && p + 1 < end) {
			if (rx_escape(in, p[1]) < 0)
				return NULL;
			p += 2;
		} else if (p + 2 < end && p[1] == '-' && p[2] != ']') {
			for (c = (unsigned char)p[0]; c <= (unsigned char)p[2];
			     c++)
				in[c & 0x7F] = 1;
			p += 3;
		} else {
			in[(unsigned char)*p++ & 0x7F] = 1;
		}
	}
	if (p >= end)
		return NULL;
	for (c = 1; c < 128; c++)
		set[c] = neg ? !in[c] : in[c];
	return p + 1;
}

static const char *rx_atom(struct z3univ_item *it, const char *p,
			   const char *end)
{
	int c;

	memset(it->set, 0, sizeof(it->set));
	if (*p == '\\') {
		if (p + 1 >= end || rx_escape(it->set, p[1]) < 0)
			return NULL;
		return p + 2;
	}
	if (*p == '[')
		return rx_class(it->set, p + 1, end);
	if (*p == '.') {
		for (c = 1; c < 128; c++)
			it->set[c] = c != '\n' && c != '\r';
		return p + 1;
	}
	if (strchr("()|{}*+?^$", *p))
		return NULL;
	it->set[(unsigned char)*p & 0x7F] = 1;
	return p + 1;
}

static int rx_parse(struct z3univ_rx *rx, const struct ast_node *re)
{
	const char *p = re->text, *end = re->text + re->len;

	memset(rx, 0, sizeof(*rx));
	if (!re->text || (re->flags && re->flags[0]))
		return -1;
	if (p < end && *p == '^') {
		rx->start = 1;
		p++;
	}
	if (end > p && end[-1] == '$' && (end - 1 == p || end[-2] != '\\')) {
		rx->end = 1;
		end--;
	}
	while (p < end) {
		struct z3univ_item *it = &rx->items[rx->n];

		if (rx->n == Z3UNIV_RX_ITEMS || !(p = rx_atom(it, p, end)))
			return -1;
		it->quant = p < end && *p == '*' ? Z3UNIV_STAR :
			    p < end && *p == '+' ? Z3UNIV_PLUS :
			    p < end && *p == '?' ? Z3UNIV_OPT : Z3UNIV_ONE;
		p += it->quant != Z3UNIV_ONE;
		rx->n++;
	}
	return 0;
}

static int item_at(const struct z3univ_item *it, const char *s, size_t pos,
		   size_t len)
{
	return pos < len && (unsigned char)s[pos] < 128 &&
	       it->set[(unsigned char)s[pos]];
}

/* Whether items I.. match S from POS, backtracking over repeats. */
static int rx_here(const struct z3univ_rx *rx, size_t i, const char *s,
		   size_t pos, size_t len)
{
	const struct z3univ_item *it;
	size_t max, k, min;

	if (i == rx->n)
		return !rx->end || pos == len;
	it = &rx->items[i];
	if (it->quant == Z3UNIV_ONE)
		return item_at(it, s, pos, len) &&
		       rx_here(rx, i + 1, s, pos + 1, len);
	min = it->quant == Z3UNIV_PLUS;
	for (max = 0; item_at(it, s, pos + max, len) &&
		      (it->quant != Z3UNIV_OPT || max < 1);
	     max++)
		;
	for (k = max + 1; k-- > min;)
		if (rx_here(rx, i + 1, s, pos + k, len))
			return 1;
	return 0;
}

int z3univ_match(const struct ast_node *re, const char *text, size_t len)
{
	struct z3univ_rx rx;
	size_t pos;

	if (rx_parse(&rx, re) < 0)
		return -1;
	for (pos = 0; pos <= len; pos++) {
		if (rx_here(&rx, 0, text, pos, len))
			return 1;
		if (rx.start)
			break;
	}
	return 0;
}

/* ---- building ------------------------------------------------------------ */

struct z3univ_set {
	char **text;
	size_t *len;
	size_t n, cap;
	int full;
};

static void set_add(struct z3univ_set *set, const char *s, size_t len)
{
	if (set->n == set->cap) {
		if (set->cap >= Z3UNIV_MAX_STRINGS) {
			set->full = 1;
			return;
		}
		set->cap = set->cap ? 2 * set->cap : 64;
		set->text = realloc(set->text, set->cap * sizeof(*set->text));
		set->len = realloc(set->len, set->cap * sizeof(*set->len));
		if (!set->text || !set->len)
			abort();
	}
	set->text[set->n] = malloc(len + 1);
	if (!set->text[set->n])
		abort();
	memcpy(set->text[set->n], s, len);
	set->text[set->n][len] = '\0';
	set->len[set->n++] = len;
}

static void set_adds(struct z3univ_set *set, const char *s)
{
	set_add(set, s, strlen(s));
}

static int compare_text(const char *a, size_t alen, const char *b,
			size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n ? memcmp(a, b, n) : 0;

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static struct z3univ_set *sort_set;

static int by_text(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	return compare_text(sort_set->text[i], sort_set->len[i],
			    sort_set->text[j], sort_set->len[j]);
}

/* Sort SET and drop duplicates. */
static void set_sort(struct z3univ_set *set)
{
	size_t *order = malloc((set->n + 1) * sizeof(*order)), i, k = 0;
	char **text = malloc((set->n + 1) * sizeof(*text));
	size_t *len = malloc((set->n + 1) * sizeof(*len));

	if (!order || !text || !len)
		abort();
	for (i = 0; i < set->n; i++)
		order[i] = i;
	sort_set = set;
	qsort(order, set->n, sizeof(*order), by_text);
	for (i = 0; i < set->n; i++) {
		size_t o = order[i];

		if (k && compare_text(text[k - 1], len[k - 1], set->text[o],
				      set->len[o]) == 0) {
			free(set->text[o]);
			continue;
		}
		text[k] = set->text[o];
		len[k++] = set->len[o];
	}
	free(order);
	free(set->text);
	free(set->len);
	set->text = text;
	set->len = len;
	set->n = k;
	set->cap = set->n + 1;
}

/* Whether S holds an identity token or a probe value. */
static int holds_token(const char *s)
{
	size_t j;

	for (j = 0; j < Z3UNIV_UNDEFINED; j++)
		if (strstr(s, z3univ_marks[j]))
			return 1;
	return 0;
}

/* A plain string: no number, no point, no token. */
static int plain(const char *s, size_t len)
{
	int nan;
	double d;
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20)
			return 0;
	return z3univ_to_number(s, len, &nan, &d) == 0 && nan &&
	       !memchr(s, '.', len) && !holds_token(s);
}

static int in_gap(const char *s, size_t len, const char *a, size_t alen,
		  const char *b, size_t blen)
{
	return compare_text(a, alen, s, len) < 0 &&
	       (!b || compare_text(s, len, b, blen) < 0);
}

/* A plain string strictly between A and B (B NULL: above A) into OUT,
 * found among A with one or two characters added or one changed. */
static int between(const char *a, size_t alen, const char *b, size_t blen,
		   char *out, size_t size)
{
	const char *x, *y;
	size_t p;
	int nan;
	double d;

	if (alen + 3 > size)
		return 0;
	memcpy(out, a, alen);
	for (x = z3univ_alphabet; *x; x++) {
		out[alen] = *x;
		out[alen + 1] = '\0';
		if (in_gap(out, alen + 1, a, alen, b, blen) &&
		    plain(out, alen + 1))
			return 1;
		for (y = z3univ_alphabet; *y; y++) {
			out[alen + 1] = *y;
			out[alen + 2] = '\0';
			if (in_gap(out, alen + 2, a, alen, b, blen) &&
			    plain(out, alen + 2))
				return 1;
		}
	}
	for (p = alen; p-- > 0;) {
		memcpy(out, a, p + 1);
		for (x = z3univ_alphabet; *x; x++) {
			out[p] = *x;
			out[p + 1] = '\0';
			if (in_gap(out, p + 1, a, alen, b, blen) &&
			    plain(out, p + 1))
				return 1;
		}
	}
	/* below a blank only a control character fits, as the engine's
	 * strings between others have it: A and U+0001 */
	memcpy(out, a, alen);
	out[alen] = '\001';
	out[alen + 1] = '\0';
	return in_gap(out, alen + 1, a, alen, b, blen) && !holds_token(out) &&
	       !memchr(out, '.', alen + 1) && z3univ_to_number(out, alen + 1,
							  &nan, &d) == 0 &&
	       nan;
}

/* Fresh strings in every gap of the sorted ANCHORS, into SET. */
static void add_fresh(struct z3univ_set *set, const struct z3univ_set *anchors)
{
	char lo[160], out[160];
	size_t i, k, lolen;

	for (i = 0; i < anchors->n; i++) {
		int last = i + 1 == anchors->n;
		const char *b = last ? NULL : anchors->text[i + 1];
		size_t blen = last ? 0 : anchors->len[i + 1];

		if (anchors->len[i] >= sizeof(lo) - 4)
			continue;
		memcpy(lo, anchors->text[i], anchors->len[i]);
		lolen = anchors->len[i];
		for (k = 0; k < Z3UNIV_FRESH; k++) {
			if (!between(lo, lolen, b, blen, out, sizeof(out)))
				break;
			lolen = strlen(out);
			set_add(set, out, lolen);
			memcpy(lo, out, lolen);
		}
	}
}

struct z3univ_scan {
	struct z3univ *u;
	struct z3univ_set anchors, extra, literals;
	double numbers[Z3UNIV_NUMBERS];
	size_t nnumbers;
	const struct ast_node *consts[16], *prefixes[16];
	size_t nconsts, nprefixes;
	int bad;
};

static void add_number(struct z3univ_scan *sc, double d)
{
	size_t i;

	if (!isfinite(d) || fabs(d) >= Z3UNIV_BOUND)
		return;
	for (i = 0; i < sc->nnumbers; i++)
		if (sc->numbers[i] == d)
			return;
	if (sc->nnumbers < Z3UNIV_NUMBERS)
		sc->numbers[sc->nnumbers++] = d;
}

static void scan_string(struct z3univ_scan *sc, const struct ast_node *n)
{
	int nan;
	double d;
	size_t i;

	for (i = 0; i < n->len; i++)
		if ((unsigned char)n->text[i] < 0x20 ||
		    (unsigned char)n->text[i] > 0x7E)
			sc->bad = 1;
	if (holds_token(n->text))
		sc->bad = 1;
	set_add(&sc->anchors, n->text, n->len);
	set_add(&sc->literals, n->text, n->len);
	if (z3univ_to_number(n->text, n->len, &nan, &d) < 0)
		sc->bad = 1;
	else if (!nan)
		add_number(sc, d);
}

static void scan_regex(struct z3univ_scan *sc, const struct ast_node *n)
{
	struct z3univ *u = sc->u;

	if (z3univ_regex(u, n) >= 0)
		return;
	if (u->nregexes == Z3UNIV_MAX_REGEXES ||
	    z3univ_match(n, "", 0) < 0) {
		sc->bad = 1;
		return;
	}
	u->regexes[u->nregexes++] = n;
}

/* The literal prefix of a path or concatenation argument, or NULL. */
static const struct ast_node *prefix_of(const struct ast_node *arg)
{
	if (arg->kind == AST_BINARY && arg->op == AST_OP_ADD &&
	    arg->a->kind == AST_STRING)
		return arg->a;
	if (arg->kind == AST_TEMPLATE && arg->nlist >= 2 && arg->nlist <= 3 &&
	    arg->list[0]->kind == AST_STRING &&
	    (arg->nlist == 2 || (arg->list[2]->kind == AST_STRING &&
				 arg->list[2]->len == 0)))
		return arg->list[0];
	return NULL;
}

static void scan_get(struct z3univ_scan *sc, const struct ast_node *call)
{
	const struct ast_node *arg = call->nlist == 1 ? call->list[0] : NULL;
	const struct ast_node *p = arg ? prefix_of(arg) : NULL;

	if (arg && arg->kind == AST_TEMPLATE && arg->nlist == 1)
		arg = arg->list[0];
	if (arg && arg->kind == AST_STRING && sc->nconsts < 16)
		sc->consts[sc->nconsts++] = arg;
	else if (p && sc->nprefixes < 16)
		sc->prefixes[sc->nprefixes++] = p;
}

static void scan_concat(struct z3univ_scan *sc, const struct ast_node *n)
{
	struct z3univ *u = sc->u;
	const struct ast_node *p = prefix_of(n);

	if (!p || z3univ_concat(u, p->text, p->len))
		return;
	if (u->nconcats == Z3UNIV_MAX_CONCATS) {
		sc->bad = 1;
		return;
	}
	u->concats[u->nconcats].prefix = p->text;
	u->concats[u->nconcats++].len = p->len;
}

static int is_get(const struct ast_node *n)
{
	return n->kind == AST_CALL && n->a && n->a->kind == AST_IDENT &&
	       strcmp(n->a->text, "get") == 0;
}

static void scan(struct z3univ_scan *sc, const struct ast_node *n,
		 int in_get)
{
	size_t i;

	if (!n)
		return;
	if (n->kind == AST_STRING && n->text)
		scan_string(sc, n);
	else if (n->kind == AST_NUMBER)
		add_number(sc, n->number);
	else if (n->kind == AST_REGEX)
		scan_regex(sc, n);
	else if (n->kind == AST_MEMBER && n->text)
		set_adds(&sc->extra, n->text);
	if (is_get(n))
		scan_get(sc, n);
	if (!in_get && (n->kind == AST_TEMPLATE ||
			(n->kind == AST_BINARY && n->op == AST_OP_ADD)))
		scan_concat(sc, n);
	scan(sc, n->a, in_get || is_get(n));
	scan(sc, n->b, in_get);
	scan(sc, n->c, in_get);
	for (i = 0; i < n->nlist; i++)
		scan(sc, n->list[i], in_get || is_get(n));
}

/* What a constant path leaves after a prefix that it starts with. */
static void add_remainders(struct z3univ_scan *sc)
{
	size_t i, j;

	for (i = 0; i < sc->nconsts; i++) {
		for (j = 0; j < sc->nprefixes; j++) {
			const struct ast_node *c = sc->consts[i];
			const struct ast_node *p = sc->prefixes[j];

			if (c->len >= p->len &&
			    memcmp(c->text, p->text, p->len) == 0)
				set_add(&sc->anchors, c->text + p->len,
					c->len - p->len);
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Numerals of the numbers of the expression, their neighbours and the
 * points between them, each spelt canonically, with a leading zero and
 * with a leading blank. */
static void add_numerals(struct z3univ_scan *sc)
{
	double base[Z3UNIV_NUMBERS];
	char num[48], alt[56];
	size_t n, i;

	add_number(sc, 0);
	add_number(sc, 1);	/* what true compares as */
	n = sc->nnumbers;
	memcpy(base, sc->numbers, n * sizeof(*base));
	qsort(base, n, sizeof(*base), cmp_double);
	for (i = 0; i < n; i++) {
		add_number(sc, base[i] - 1);
		add_number(sc, base[i] + 1);
		if (i + 1 < n)
			add_number(sc, (base[i] + base[i + 1]) / 2);
	}
	for (i = 0; i < sc->nnumbers; i++) {
		z3univ_numeral(sc->numbers[i], num);
		set_adds(&sc->extra, num);
		snprintf(alt, sizeof(alt), " %s", num);
		set_adds(&sc->extra, alt);
		if (sc->numbers[i] >= 0) {
			snprintf(alt, sizeof(alt), "0%s", num);
			set_adds(&sc->extra, alt);
		}
	}
}

static void add_examples_of(struct z3univ_set *out, struct z3univ_set *near,
			    const struct z3univ_rx *rx, int many)
{
	char buf[160] = "";
	size_t i, k = 0, reps, r;
	int c, pick;

	for (i = 0; i < rx->n && k + 3 < sizeof(buf); i++) {
		const struct z3univ_item *it = &rx->items[i];

		reps = it->quant == Z3UNIV_ONE ? 1 :
		       it->quant == Z3UNIV_PLUS ? 1 + many :
		       it->quant == Z3UNIV_STAR ? 2 * many : many;
		for (pick = 0, c = 'a'; c < 128 && !pick; c++)
			pick = it->set[c] ? c : 0;
		for (c = ' '; c < 127 && !pick; c++)
			pick = it->set[c] ? c : 0;
		for (r = 0; r < reps && pick && k + 3 < sizeof(buf); r++)
			buf[k++] = (char)pick;
	}
	set_add(out, buf, k);
	/* Into NEAR, a character before and after too, anchored or not: a
	 * string that matches one pattern and not another sharing its
	 * example (x + "a/" matches /^[a-z]+\// but not /^a/). */
	if (k + 3 < sizeof(buf)) {
		memmove(buf + 1, buf, k);
		buf[0] = 'x';
		set_add(near, buf, k + 1);
		buf[k + 1] = 'x';
		set_add(near, buf + 1, k + 1);
	}
}

/* Strings that match the regexes, alone and two by two. */
static void add_examples(struct z3univ_scan *sc)
{
	struct z3univ_set ex = { NULL, NULL, 0, 0, 0 };
	struct z3univ_rx rx;
	size_t i, j, n;
	char buf[320];

	for (i = 0; i < sc->u->nregexes; i++) {
		if (rx_parse(&rx, sc->u->regexes[i]) < 0)
			continue;
		add_examples_of(&ex, &sc->anchors, &rx, 0);
		add_examples_of(&ex, &sc->anchors, &rx, 1);
	}
	n = ex.n;
	for (i = 0; i < n; i++) {
		set_add(&sc->anchors, ex.text[i], ex.len[i]);
		for (j = 0; j < n; j++) {
			if (i == j || ex.len[i] + ex.len[j] >= sizeof(buf))
				continue;
			memcpy(buf, ex.text[i], ex.len[i]);
			memcpy(buf + ex.len[i], ex.text[j], ex.len[j]);
			set_add(&sc->extra, buf, ex.len[i] + ex.len[j]);
		}
	}
	for (i = 0; i < ex.n; i++)
		free(ex.text[i]);
	free(ex.text);
	free(ex.len);
}

/* prefix + s for what an identity field can be: tokens, literals and
 * undefined. */
static void add_closure(struct z3univ_scan *sc, const struct z3univ_set *lits)
{
	char buf[320];
	size_t i, j;

	for (i = 0; i < sc->u->nconcats; i++) {
		const struct z3univ_concat *c = &sc->u->concats[i];

		for (j = 0; j < lits->n; j++) {
			if (c->len + lits->len[j] >= sizeof(buf))
				continue;
			memcpy(buf, c->prefix, c->len);
			memcpy(buf + c->len, lits->text[j], lits->len[j]);
			set_add(&sc->extra, buf, c->len + lits->len[j]);
		}
	}
}

static void fill_facts(struct z3univ *u, struct z3univ_string *s)
{
	char num[48];
	size_t j;

	if (z3univ_to_number(s->text, s->len, &s->nan, &s->number) < 0)
		s->nan = 1;
	if (!s->nan) {
		z3univ_numeral(s->number, num);
		s->canonical = strlen(num) == s->len &&
			       memcmp(num, s->text, s->len) == 0;
	}
	s->path_part = s->len > 0 && !memchr(s->text, '.', s->len);
	for (j = 0; j < u->nregexes; j++)
		if (z3univ_match(u->regexes[j], s->text, s->len) == 1)
			s->regex |= 1u << j;
	for (j = 0; j < Z3UNIV_MARKS; j++)
		if (strstr(s->text, z3univ_marks[j]))
			s->holds |= 1u << j;
}

static void fill_concats(struct z3univ *u)
{
	char buf[320];
	size_t i, k;

	for (i = 0; i < u->nconcats; i++) {
		struct z3univ_concat *c = &u->concats[i];

		c->result = malloc(u->n * sizeof(*c->result));
		if (!c->result)
			abort();
		for (k = 0; k < u->n; k++) {
			c->result[k] = -1;
			if (c->len + u->s[k].len >= sizeof(buf))
				continue;
			memcpy(buf, c->prefix, c->len);
			memcpy(buf + c->len, u->s[k].text, u->s[k].len);
			c->result[k] = z3univ_find(u, buf,
						   c->len + u->s[k].len);
		}
	}
}

static void take(struct z3univ *u, struct z3univ_set *all,
		 const struct z3univ_set *lits)
{
	size_t i;

	u->n = all->n;
	u->s = calloc(all->n + 1, sizeof(*u->s));
	if (!u->s)
		abort();
	for (i = 0; i < all->n; i++) {
		u->s[i].text = all->text[i];
		u->s[i].len = all->len[i];
	}
	for (i = 0; i < u->n; i++)
		fill_facts(u, &u->s[i]);
	for (i = 0; i < lits->n; i++)
		u->s[z3univ_find(u, lits->text[i], lits->len[i])].literal = 1;
	for (i = 0; i < Z3UNIV_MARKS; i++)
		u->marks[i] = z3univ_find(u, z3univ_marks[i],
					  strlen(z3univ_marks[i]));
	fill_concats(u);
	free(all->text);
	free(all->len);
}

static void set_free(struct z3univ_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		free(set->text[i]);
	free(set->text);
	free(set->len);
}

static void set_copy(struct z3univ_set *to, const struct z3univ_set *from)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		set_add(to, from->text[i], from->len[i]);
}

int z3univ_build(struct z3univ *u, const struct ast_node *root)
{
	struct z3univ_scan sc;
	struct z3univ_set idents;
	size_t i;

	memset(u, 0, sizeof(*u));
	memset(&sc, 0, sizeof(sc));
	sc.u = u;
	scan(&sc, root, 0);
	set_adds(&sc.anchors, "");
	for (i = 0; i < sizeof(z3univ_specials) / sizeof(*z3univ_specials); i++)
		set_adds(&sc.extra, z3univ_specials[i]);
	for (i = 0; i < Z3UNIV_MARKS; i++)
		set_adds(&sc.anchors, z3univ_marks[i]);
	add_remainders(&sc);
	add_examples(&sc);
	set_sort(&sc.anchors);
	add_fresh(&sc.extra, &sc.anchors);
	add_numerals(&sc);
	memset(&idents, 0, sizeof(idents));
	set_copy(&idents, &sc.literals);
	set_adds(&idents, "undefined");
	for (i = 0; i < Z3UNIV_MARKS; i++)
		set_adds(&idents, z3univ_marks[i]);
	add_closure(&sc, &idents);
	set_free(&idents);
	set_copy(&sc.extra, &sc.anchors);
	set_free(&sc.anchors);
	set_sort(&sc.extra);
	set_sort(&sc.literals);
	if (sc.bad || sc.extra.full || sc.literals.full) {
		set_free(&sc.extra);
		set_free(&sc.literals);
		return -1;
	}
	take(u, &sc.extra, &sc.literals);
	set_free(&sc.literals);
	return 0;
}

void z3univ_free(struct z3univ *u)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		free(u->s[i].text);
	free(u->s);
	for (i = 0; i < u->nconcats; i++)
		free(u->concats[i].result);
	memset(u, 0, sizeof(*u));
}

long z3univ_find(const struct z3univ *u, const char *text, size_t len)
{
	size_t lo = 0, hi = u->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = compare_text(u->s[mid].text, u->s[mid].len, text, len);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int z3univ_regex(const struct z3univ *u, const struct ast_node *re)
{
	size_t i;

	for (i = 0; i < u->nregexes; i++)
		if (u->regexes[i] == re)
			return (int)i;
	return -1;
}

const struct z3univ_concat *z3univ_concat(const struct z3univ *u,
					  const char *prefix, size_t len)
{
	size_t i;

	for (i = 0; i < u->nconcats; i++)
		if (u->concats[i].len == len &&
		    memcmp(u->concats[i].prefix, prefix, len) == 0)
			return &u->concats[i];
	return NULL;
}
