/* The expression lexer: splits the decoded text of one rule expression
 * into tokens for the grammar, builds the leaf nodes (names, literals),
 * follows open brackets and the nesting depth, and reports the first
 * lexical fault with its exact span. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

/*!re2c
	re2c:api:style = free-form;
	re2c:define:YYCTYPE = "unsigned char";
	re2c:define:YYCURSOR = "lx->cur";
	re2c:define:YYMARKER = "lx->mar";
	re2c:define:YYLIMIT = "lx->lim";
	re2c:yyfill:enable = 0;
	re2c:eof = 0;

	// UTF-8 spaces: U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029,
	// U+202F, U+205F, U+3000, U+FEFF.
	space_u8 = "\xc2\xa0" | "\xe1\x9a\x80" | "\xe2\x80" [\x80-\x8a]
		| "\xe2\x80" [\xa8\xa9\xaf] | "\xe2\x81\x9f" | "\xe3\x80\x80"
		| "\xef\xbb\xbf";
	space = [ \t\n\r\v\f] | space_u8;

	// Any other well-formed UTF-8 character is part of a name.
	cont = [\x80-\xbf];
	name_u8 = "\xc2" [\x80-\x9f\xa1-\xbf] | [\xc3-\xdf] cont
		| [\xe0\xe4-\xee] cont cont
		| "\xe1" ([\x80-\x99\x9b-\xbf] cont | "\x9a" [\x81-\xbf])
		| "\xe2" ("\x80" [\x8b-\xa7\xaa-\xae\xb0-\xbf]
			| "\x81" [\x80-\x9e\xa0-\xbf] | [\x82-\xbf] cont)
		| "\xe3" ("\x80" [\x81-\xbf] | [\x81-\xbf] cont)
		| "\xef" ([\x80-\xba\xbc-\xbf] cont | "\xbb" [\x80-\xbe])
		| [\xf0-\xf4] cont cont cont;
	name_start = [a-zA-Z_$] | name_u8;
	name_part = [a-zA-Z0-9_$] | name_u8;
	name = name_start name_part*;

	digits = [0-9]+;
	number = (digits ("." [0-9]*)? | "." digits) ([eE] [+-]? digits)?
		| "0" [xX] [0-9a-fA-F]+;

	escape = "\\" [^] | "\\\r\n";
	sq_char = [^'\\\n\r] | escape;
	dq_char = [^"\\\n\r] | escape;

	re_class = "[" ([^\]\\\n\r] | "\\" [^\n\r])* "]";
	re_first = [^\n\r\\/[*] | "\\" [^\n\r] | re_class;
	re_char = [^\n\r\\/[] | "\\" [^\n\r] | re_class;
	re_open = "[" ([^\]\\\n\r] | "\\" [^\n\r])*;
*/

static struct expr_loc lex_loc(const struct expr_lexer *lx)
{
	struct expr_loc loc = { lx->tok - lx->base, lx->cur - lx->base };

	return loc;
}

static struct expr_loc lex_span(const struct expr_lexer *lx,
				const unsigned char *p, const unsigned char *e)
{
	struct expr_loc loc = { p - lx->base, e - lx->base };

	return loc;
}

/* A token after which an operand is complete: '/' there divides, '+'
 * and '-' are binary. */
static int lex_after_operand(int tok)
{
	switch (tok) {
	case EXPR_IDENT: case EXPR_NUMBER: case EXPR_STRING: case EXPR_REGEX:
	case EXPR_TEMPLATE_FULL: case EXPR_TEMPLATE_TAIL:
	case EXPR_TRUE: case EXPR_FALSE: case EXPR_NULL: case EXPR_UNDEFINED:
	case EXPR_RPAREN: case EXPR_RBRACKET: case EXPR_RBRACE:
		return 1;
	}
	return 0;
}

static int lex_nomem(struct expr_ctx *ctx)
{
	expr_fail(ctx, lex_loc(&ctx->lex), "out of memory");
	return EXPR_ERROR;
}

/* A leaf node spanning [P, E), or NULL (reported) when out of memory. */
static struct ast_node *lex_node(struct expr_ctx *ctx, enum ast_kind kind,
				 const unsigned char *p, const unsigned char *e)
{
	struct ast_node *node;

	node = ast_leaf(ctx->arena, kind, lex_span(&ctx->lex, p, e));
	if (!node)
		lex_nomem(ctx);
	return node;
}

/* Copy [P, E) into the arena as NODE's NUL-terminated text. */
static int lex_text(struct expr_ctx *ctx, struct ast_node *node,
		    const unsigned char *p, const unsigned char *e)
{
	size_t len = e - p;

	node->text = ast_alloc(ctx->arena, len + 1);
	if (!node->text)
		return 0;
	memcpy(node->text, p, len);
	node->len = len;
	return 1;
}

static int lex_hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The value of exactly N hex digits at P, or -1. */
static long lex_hex(const unsigned char *p, const unsigned char *e, int n)
{
	long v = 0;
	int i, d;

	for (i = 0; i < n; i++) {
		if (p + i >= e || (d = lex_hexdigit(p[i])) < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Write code point CP as UTF-8; a lone surrogate keeps its three-byte
 * form so that nothing written is lost. */
static char *lex_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		*o++ = cp;
	} else if (cp < 0x800) {
		*o++ = 0xc0 | cp >> 6;
		*o++ = 0x80 | (cp & 0x3f);
	} else if (cp < 0x10000) {
		*o++ = 0xe0 | cp >> 12;
		*o++ = 0x80 | (cp >> 6 & 0x3f);
		*o++ = 0x80 | (cp & 0x3f);
	} else {
		*o++ = 0xf0 | cp >> 18;
		*o++ = 0x80 | (cp >> 12 & 0x3f);
		*o++ = 0x80 | (cp >> 6 & 0x3f);
		*o++ = 0x80 | (cp & 0x3f);
	}
	return o;
}

/* Report the malformed escape at P: the backslash, its letter and what
 * follows of a plausible escape, cut at the end of the literal. */
static size_t lex_bad_escape(struct expr_ctx *ctx, const unsigned char *p,
			     const unsigned char *e)
{
	size_t n = 2, max = p[1] == 'x' ? 4 : p[1] == 'u' && p[2] == '{'
		? 12 : 6;

	while (n < max && p + n < e && p[n] > 0x20 && p[n] < 0x7f) {
		n++;
		if (p[n - 1] == '}')
			break;
	}
	expr_fail(ctx, lex_span(&ctx->lex, p, p + n),
		  "invalid escape sequence '%.*s'", (int)n, (const char *)p);
	return 0;
}

/* "\u{...}" at P: its code point, and its length in *N; -1 if bad. */
static long lex_braced(const unsigned char *p, const unsigned char *e,
		       size_t *n)
{
	const unsigned char *q = p + 3;
	long v = 0;
	int d;

	while (q < e && (d = lex_hexdigit(*q)) >= 0 && v <= 0x10ffff) {
		v = v * 16 + d;
		q++;
	}
	if (q == p + 3 || q >= e || *q != '}' || v > 0x10ffff)
		return -1;
	*n = q + 1 - p;
	return v;
}

/* "\uXXXX", a surrogate pair of them, or "\u{X...}" at P. */
static size_t lex_unicode(struct expr_ctx *ctx, const unsigned char *p,
			  const unsigned char *e, char **o)
{
	size_t n = 6;
	long v, lo;

	if (p + 2 < e && p[2] == '{')
		v = lex_braced(p, e, &n);
	else
		v = lex_hex(p + 2, e, 4);
	if (v < 0)
		return lex_bad_escape(ctx, p, e);

	if (n == 6 && v >= 0xd800 && v < 0xdc00 && p + 7 < e && p[6] == '\\'
	    && p[7] == 'u') {
		lo = lex_hex(p + 8, e, 4);
		if (lo >= 0xdc00 && lo < 0xe000) {
			v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
			n = 12;
		}
	}
	*o = lex_utf8(*o, v);
	return n;
}

/* A legacy octal escape "\0" to "\377" at P. */
static size_t lex_octal(const unsigned char *p, const unsigned char *e,
			char **o)
{
	size_t n = 2, max = p[1] <= '3' ? 4 : 3;
	unsigned v = p[1] - '0';

	while (n < max && p + n < e && p[n] >= '0' && p[n] <= '7')
		v = v * 8 + (p[n++] - '0');
	*o = lex_utf8(*o, v);
	return n;
}

/* The control character of a one-letter escape, or -1. */
static int lex_letter_escape(int c)
{
	switch (c) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'b': return '\b';
	case 'f': return '\f';
	case 'v': return '\v';
	}
	return -1;
}

/* Decode the escape sequence at P (a backslash before E) into *O.
 * Returns the raw bytes it takes, 0 after reporting a malformed one. */
static size_t lex_escape(struct expr_ctx *ctx, const unsigned char *p,
			 const unsigned char *e, char **o)
{
	int c = lex_letter_escape(p[1]);

	if (c >= 0) {
		*(*o)++ = c;
		return 2;
	}
	switch (p[1]) {
	case 'x':
		if (lex_hex(p + 2, e, 2) < 0)
			return lex_bad_escape(ctx, p, e);
		*o = lex_utf8(*o, lex_hex(p + 2, e, 2));
		return 4;
	case 'u':
		return lex_unicode(ctx, p, e, o);
	case '\r':
		return p + 2 < e && p[2] == '\n' ? 3 : 2;
	case '\n':
		return 2;
	}
	if (p[1] >= '0' && p[1] <= '7')
		return lex_octal(p, e, o);
	if (p + 3 < e && p[1] == 0xe2 && p[2] == 0x80
	    && (p[3] == 0xa8 || p[3] == 0xa9))
		return 4;	/* a line continuation with U+2028 or U+2029 */
	*(*o)++ = p[1];
	return 2;
}

/* Give NODE the decoded value of the raw literal text [P, E).  The value
 * is never longer than the raw text. */
static int lex_cook(struct expr_ctx *ctx, struct ast_node *node,
		    const unsigned char *p, const unsigned char *e)
{
	char *out = ast_alloc(ctx->arena, e - p + 1), *o = out;
	size_t n;

	if (!out) {
		lex_nomem(ctx);
		return 0;
	}
	while (p < e) {
		if (*p != '\\' || p + 1 >= e) {
			*o++ = *p++;
			continue;
		}
		n = lex_escape(ctx, p, e, &o);
		if (!n)
			return 0;
		p += n;
	}
	node->text = out;
	node->len = o - out;
	return 1;
}

/* A quoted string literal, the current token. */
static int lex_string(struct expr_ctx *ctx, EXPR_YYSTYPE *lval)
{
	struct expr_lexer *lx = &ctx->lex;
	struct ast_node *node = lex_node(ctx, AST_STRING, lx->tok, lx->cur);

	if (!node || !lex_cook(ctx, node, lx->tok + 1, lx->cur - 1))
		return EXPR_ERROR;
	node->quote = *lx->tok;
	*lval = node;
	return EXPR_STRING;
}

static int lex_number(struct expr_ctx *ctx, EXPR_YYSTYPE *lval)
{
	struct expr_lexer *lx = &ctx->lex;
	struct ast_node *node = lex_node(ctx, AST_NUMBER, lx->tok, lx->cur);
	char *end = lx->buf + (lx->cur - lx->base), saved = *end;

	if (!node)
		return EXPR_ERROR;
	*end = '\0';
	node->number = strtod(lx->buf + (lx->tok - lx->base), NULL);
	*end = saved;
	*lval = node;
	return EXPR_NUMBER;
}

static int lex_ident(struct expr_ctx *ctx, EXPR_YYSTYPE *lval)
{
	struct expr_lexer *lx = &ctx->lex;
	struct ast_node *node = lex_node(ctx, AST_IDENT, lx->tok, lx->cur);

	if (!node)
		return EXPR_ERROR;
	if (!lex_text(ctx, node, lx->tok, lx->cur))
		return lex_nomem(ctx);
	*lval = node;
	return EXPR_IDENT;
}

/* A reserved word; after '.' it is only a property name. */
static int lex_word(struct expr_ctx *ctx, EXPR_YYSTYPE *lval, int tok)
{
	struct expr_lexer *lx = &ctx->lex;
	enum ast_kind kind = AST_UNDEFINED;

	if (lx->last == EXPR_DOT)
		return lex_ident(ctx, lval);
	if (tok == EXPR_IN)
		return tok;
	if (tok == EXPR_NULL)
		kind = AST_NULL;
	else if (tok == EXPR_TRUE || tok == EXPR_FALSE)
		kind = AST_BOOL;
	*lval = lex_node(ctx, kind, lx->tok, lx->cur);
	if (!*lval)
		return EXPR_ERROR;
	(*lval)->boolean = tok == EXPR_TRUE;
	return tok;
}

/* Flags after a regular expression: each of "dgimsuvy" at most once. */
static int lex_flags(struct expr_ctx *ctx, const unsigned char *p,
		     const unsigned char *e)
{
	const unsigned char *q;

	for (q = p; q < e; q++) {
		if (strchr("dgimsuvy", *q) && !memchr(p, *q, q - p))
			continue;
		expr_fail(ctx, lex_span(&ctx->lex, q, q + 1),
			  "invalid regular expression flag '%c'", *q);
		return 0;
	}
	return 1;
}

/* The regular expression /PATTERN/FLAGS that ends at the cursor. */
static int lex_regex_node(struct expr_ctx *ctx, EXPR_YYSTYPE *lval)
{
	struct expr_lexer *lx = &ctx->lex;
	const unsigned char *flags = lx->cur;
	struct ast_node *node;

	while (flags[-1] != '/')
		flags--;
	if (!lex_flags(ctx, flags, lx->cur))
		return EXPR_ERROR;
	node = lex_node(ctx, AST_REGEX, lx->tok, lx->cur);
	if (!node)
		return EXPR_ERROR;
	if (!lex_text(ctx, node, flags, lx->cur))
		return lex_nomem(ctx);
	node->flags = node->text;
	if (!lex_text(ctx, node, lx->tok + 1, flags - 1))
		return lex_nomem(ctx);
	*lval = node;
	return EXPR_REGEX;
}

/* Where an operand may start, '/' opens a regular expression; returns 0
 * (cursor unmoved) when the text there is not one. */
static int lex_regex(struct expr_ctx *ctx, EXPR_YYSTYPE *lval)
{
	struct expr_lexer *lx = &ctx->lex;

	/*!re2c
	"/" re_first re_char* "/" [a-zA-Z0-9_$]* {
		return lex_regex_node(ctx, lval);
	}
	"/" re_first re_char* re_open? "\\"? {
		expr_fail(ctx, lex_loc(lx), "unterminated regular expression");
		return EXPR_ERROR;
	}
	* {
		lx->cur = lx->tok;
		return 0;
	}
	$ { return 0; }
	*/
}

/* Where the template of the innermost "${" starts. */
static size_t lex_template_start(const struct expr_lexer *lx)
{
	return lx->open[lx->nopen - 1].template_start;
}

/* The template piece from the cursor (just past '`' or '}') to '`' or
 * "${".  FIRST tells whether the piece opens the template. */
static int lex_template(struct expr_ctx *ctx, EXPR_YYSTYPE *lval, int first)
{
	struct expr_lexer *lx = &ctx->lex;
	const unsigned char *piece = lx->cur, *end;
	int subst;

	for (;;) {
		/*!re2c
		"`" { end = lx->cur - 1; subst = 0; break; }
		"${" { end = lx->cur - 2; subst = 1; break; }
		"\\" [^] | [^] { continue; }
		$ {
			if (!first)
				lx->tok = lx->base + lex_template_start(lx);
			expr_fail(ctx, lex_loc(lx), "unterminated template");
			return EXPR_ERROR;
		}
		*/
	}
	*lval = lex_node(ctx, AST_STRING, piece, end);
	if (!*lval || !lex_cook(ctx, *lval, piece, end))
		return EXPR_ERROR;
	(*lval)->quote = '`';
	if (first)
		return subst ? EXPR_TEMPLATE_HEAD : EXPR_TEMPLATE_FULL;
	return subst ? EXPR_TEMPLATE_MID : EXPR_TEMPLATE_TAIL;
}

/* '}' closes an object, or the "${" of a template, which goes on. */
static int lex_rbrace(struct expr_ctx *ctx, EXPR_YYSTYPE *lval)
{
	struct expr_lexer *lx = &ctx->lex;
	int top = lx->nopen ? lx->open[lx->nopen - 1].token : 0;

	if (top == EXPR_TEMPLATE_HEAD || top == EXPR_TEMPLATE_MID)
		return lex_template(ctx, lval, 0);
	return EXPR_RBRACE;
}

/* A number run into a name, as in "1in x" or "3px". */
static int lex_bad_number(struct expr_ctx *ctx)
{
	struct expr_lexer *lx = &ctx->lex;
	char text[64];

	expr_quote(text, sizeof(text), lx->tok, lx->cur - lx->tok);
	expr_fail(ctx, lex_loc(lx), "invalid number %s", text);
	return EXPR_ERROR;
}

static int lex_invalid(struct expr_ctx *ctx)
{
	struct expr_lexer *lx = &ctx->lex;
	unsigned c = *lx->tok;

	if (c > 0x20 && c < 0x7f)
		expr_fail(ctx, lex_loc(lx), "invalid character '%c'", c);
	else
		expr_fail(ctx, lex_loc(lx), "invalid character '\\x%02x'", c);
	return EXPR_ERROR;
}

/* A lone '=', '&' or '|': a common slip for the doubled operator. */
static int lex_single(struct expr_ctx *ctx)
{
	struct expr_lexer *lx = &ctx->lex;
	char c = *lx->tok;

	expr_fail(ctx, lex_loc(lx),
		  "invalid operator '%c', did you mean '%c%c'", c, c, c);
	return EXPR_ERROR;
}

/* The next token from the cursor; its span is [tok, cur). */
static int lex_scan(struct expr_ctx *ctx, EXPR_YYSTYPE *lval)
{
	struct expr_lexer *lx = &ctx->lex;
	int tok;

	for (;;) {
		lx->tok = lx->cur;
		if (*lx->cur == '/' && !lex_after_operand(lx->last)
		    && (tok = lex_regex(ctx, lval)) != 0)
			return tok;
		/*!re2c
		$ { return EXPR_YYEOF; }
		space+ { continue; }

		"||" { return EXPR_OR; }
		"&&" { return EXPR_AND; }
		"==" { return EXPR_EQ; }
		"!=" { return EXPR_NE; }
		"===" { return EXPR_SEQ; }
		"!==" { return EXPR_SNE; }
		"<" { return EXPR_LT; }
		"<=" { return EXPR_LE; }
		">" { return EXPR_GT; }
		">=" { return EXPR_GE; }
		"+" { return EXPR_PLUS; }
		"-" { return EXPR_MINUS; }
		"*" { return EXPR_STAR; }
		"/" { return EXPR_SLASH; }
		"%" { return EXPR_PERCENT; }
		"!" { return EXPR_NOT; }
		"(" { return EXPR_LPAREN; }
		")" { return EXPR_RPAREN; }
		"[" { return EXPR_LBRACKET; }
		"]" { return EXPR_RBRACKET; }
		"{" { return EXPR_LBRACE; }
		"}" { return lex_rbrace(ctx, lval); }
		"," { return EXPR_COMMA; }
		"." { return EXPR_DOT; }
		"?" { return EXPR_QUESTION; }
		":" { return EXPR_COLON; }
		"=>" { return EXPR_ARROW; }
		"=" | "&" | "|" { return lex_single(ctx); }

		"'" sq_char* "'" { return lex_string(ctx, lval); }
		["] dq_char* ["] { return lex_string(ctx, lval); }
		"'" sq_char* "\\"? | ["] dq_char* "\\"? {
			expr_fail(ctx, lex_loc(lx),
				  "unterminated string starting here");
			return EXPR_ERROR;
		}
		"`" { return lex_template(ctx, lval, 1); }

		number { return lex_number(ctx, lval); }
		number name_part+ { return lex_bad_number(ctx); }

		"in" { return lex_word(ctx, lval, EXPR_IN); }
		"true" { return lex_word(ctx, lval, EXPR_TRUE); }
		"false" { return lex_word(ctx, lval, EXPR_FALSE); }
		"null" { return lex_word(ctx, lval, EXPR_NULL); }
		"undefined" { return lex_word(ctx, lval, EXPR_UNDEFINED); }
		name { return lex_ident(ctx, lval); }

		* { return lex_invalid(ctx); }
		*/
	}
}

static int lex_fail_depth(struct expr_ctx *ctx, struct expr_loc loc)
{
	expr_fail(ctx, loc, "expression nested deeper than %u levels",
		  ctx->lex.max_depth);
	return 0;
}

/* One more pending prefix operator, '?' or '=>' (COUNTER) at this level. */
static int lex_deeper(struct expr_ctx *ctx, struct expr_loc loc,
		      unsigned *counter)
{
	struct expr_lexer *lx = &ctx->lex;

	++*counter;
	if (++lx->depth > lx->max_depth)
		return lex_fail_depth(ctx, loc);
	return 1;
}

/* An infix token ends the operand before it, and with it its prefix
 * operators; a comma also ends the pending '?' and '=>'. */
static void lex_settle(struct expr_lexer *lx, int comma)
{
	lx->depth -= lx->prefix;
	lx->prefix = 0;
	if (comma) {
		lx->depth -= lx->chain;
		lx->chain = 0;
	}
}

static int lex_push(struct expr_ctx *ctx, int tok, struct expr_loc loc,
		    size_t template_start)
{
	struct expr_lexer *lx = &ctx->lex;
	struct expr_open *o;
	size_t cap = lx->capopen ? lx->capopen * 2 : 16;

	if (lx->nopen == lx->capopen) {
		o = realloc(lx->open, cap * sizeof(*o));
		if (!o) {
			lex_nomem(ctx);
			return 0;
		}
		lx->open = o;
		lx->capopen = cap;
	}

	o = &lx->open[lx->nopen++];
	o->token = tok;
	o->loc = loc;
	o->template_start = template_start;
	o->depth = lx->depth;
	o->prefix = lx->prefix;
	o->chain = lx->chain;
	lx->prefix = lx->chain = 0;
	lx->last_effect = 1;
	if (++lx->depth > lx->max_depth)
		return lex_fail_depth(ctx, loc);
	return 1;
}

static int lex_closes(int open, int tok)
{
	switch (open) {
	case EXPR_LPAREN:
		return tok == EXPR_RPAREN;
	case EXPR_LBRACKET:
		return tok == EXPR_RBRACKET;
	case EXPR_LBRACE:
		return tok == EXPR_RBRACE;
	}
	return tok == EXPR_TEMPLATE_MID || tok == EXPR_TEMPLATE_TAIL;
}

/* Close the innermost bracket if TOK matches it; returns the template
 * start of a closed "${". */
static size_t lex_pop(struct expr_lexer *lx, int tok)
{
	const struct expr_open *o;

	if (!lx->nopen || !lex_closes(lx->open[lx->nopen - 1].token, tok))
		return 0;

	o = &lx->open[--lx->nopen];
	lx->depth = o->depth;
	lx->prefix = o->prefix;
	lx->chain = o->chain;
	lx->last_effect = -1;
	return o->template_start;
}

static int lex_infix(int tok)
{
	switch (tok) {
	case EXPR_OR: case EXPR_AND: case EXPR_EQ: case EXPR_NE:
	case EXPR_SEQ: case EXPR_SNE: case EXPR_LT: case EXPR_LE:
	case EXPR_GT: case EXPR_GE: case EXPR_IN: case EXPR_PLUS:
	case EXPR_MINUS: case EXPR_STAR: case EXPR_SLASH: case EXPR_PERCENT:
	case EXPR_COLON:
		return 1;
	}
	return 0;
}

/* Follow the nesting of TOK.  The depth counts open brackets, pending
 * prefix operators and pending '?' and '=>' (which nest to the right);
 * it bounds both the parser stack and the depth of the tree, and is
 * checked on the token that crosses the limit, before anything deep is
 * built.  Returns 0 after reporting. */
static int lex_nest(struct expr_ctx *ctx, int tok, struct expr_loc loc)
{
	struct expr_lexer *lx = &ctx->lex;

	switch (tok) {
	case EXPR_LPAREN: case EXPR_LBRACKET: case EXPR_LBRACE:
	case EXPR_TEMPLATE_HEAD:
		return lex_push(ctx, tok, loc, loc.start);
	case EXPR_TEMPLATE_MID:
		return lex_push(ctx, tok, loc, lex_pop(lx, tok));
	case EXPR_RPAREN: case EXPR_RBRACKET: case EXPR_RBRACE:
	case EXPR_TEMPLATE_TAIL:
		lex_pop(lx, tok);
		return 1;
	case EXPR_NOT:
		return lex_deeper(ctx, loc, &lx->prefix);
	case EXPR_PLUS: case EXPR_MINUS:
		if (!lex_after_operand(lx->last))
			return lex_deeper(ctx, loc, &lx->prefix);
		break;
	case EXPR_QUESTION: case EXPR_ARROW:
		lex_settle(lx, 0);
		return lex_deeper(ctx, loc, &lx->chain);
	case EXPR_COMMA:
		lex_settle(lx, 1);
		return 1;
	}
	if (lex_infix(tok))
		lex_settle(lx, 0);
	return 1;
}

int expr_yylex(EXPR_YYSTYPE *lval, EXPR_YYLTYPE *loc, struct expr_ctx *ctx)
{
	struct expr_lexer *lx = &ctx->lex;
	int tok;

	*lval = NULL;
	lx->last_effect = 0;
	tok = lex_scan(ctx, lval);
	*loc = lex_loc(lx);
	if (tok != EXPR_ERROR && !lex_nest(ctx, tok, *loc))
		tok = EXPR_ERROR;

	lx->prev = lx->last;
	lx->prev_loc = lx->last_loc;
	lx->last = tok;
	lx->last_loc = *loc;
	return tok;
}

int expr_lexer_init(struct expr_lexer *lx, const char *text, size_t len,
		    unsigned max_depth)
{
	memset(lx, 0, sizeof(*lx));
	if (len == SIZE_MAX || !(lx->buf = malloc(len + 1)))
		return -1;
	if (len)
		memcpy(lx->buf, text, len);
	lx->buf[len] = '\0';

	lx->base = (const unsigned char *)lx->buf;
	lx->cur = lx->mar = lx->tok = lx->base;
	lx->lim = lx->base + len;
	lx->prev = lx->last = EXPR_NONE;
	lx->max_depth = max_depth;
	return 0;
}

void expr_lexer_free(struct expr_lexer *lx)
{
	free(lx->buf);
	free(lx->open);
	lx->buf = NULL;
	lx->open = NULL;
}
