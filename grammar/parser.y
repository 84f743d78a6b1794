/* The grammar of rule expressions: JavaScript operator precedence over
 * the tokens of lexer.re, one AST constructor call per action, and the
 * syntax-error messages (what was expected, after which token, and the
 * token found instead). */

%require "3.8"
%define api.pure full
%define api.prefix {expr_yy}
%define api.token.prefix {EXPR_}
%define api.value.type {struct ast_node *}
%define api.location.type {struct expr_loc}
%define parse.error custom
%define parse.lac full
%locations
%param {struct expr_ctx *ctx}
%expect 0

%code requires {
#include <stddef.h>

#include "ast.h"

/* A span of the expression text, in bytes: [start, end). */
struct expr_loc {
	size_t start;
	size_t end;
};

/* A bracket ('(', '[', '{' or a template's "${") still open, with the
 * nesting counters of the level around it. */
struct expr_open {
	int token;
	struct expr_loc loc;
	size_t template_start;	/* offset of the backquote, for "${" */
	unsigned depth, prefix, chain;
};

/* The state of the lexer over a NUL-terminated copy of the text. */
struct expr_lexer {
	char *buf;
	const unsigned char *base, *cur, *mar, *tok, *lim;
	int prev, last;		/* the two latest tokens, or EXPR_NONE */
	struct expr_loc prev_loc, last_loc;
	int last_effect;	/* +1 the latest token opened, -1 closed */
	struct expr_open *open;
	size_t nopen, capopen;
	unsigned depth;		/* current nesting, see lex_nest() */
	unsigned prefix;	/* pending prefix operators at this level */
	unsigned chain;		/* pending '?' and '=>' at this level */
	unsigned max_depth;
};

/* Everything one parse needs: the single parameter of the grammar. */
struct expr_ctx {
	struct expr_lexer lex;
	struct ast_arena *arena;
	struct expr_error *err;
	int failed;
	struct ast_node *root;
};
}

%code provides {
/* Bison's names for "no token" and "the lexer failed". */
#define EXPR_NONE EXPR_EXPR_YYEMPTY
#define EXPR_ERROR EXPR_EXPR_YYerror

int expr_yylex(EXPR_YYSTYPE *lval, EXPR_YYLTYPE *loc, struct expr_ctx *ctx);
int expr_lexer_init(struct expr_lexer *lx, const char *text, size_t len,
		    unsigned max_depth);
void expr_lexer_free(struct expr_lexer *lx);

/* Write TEXT[0..LEN) in single quotes for a message: control bytes
 * escaped, a long token cut at a character boundary. */
void expr_quote(char *out, size_t size, const unsigned char *text,
		size_t len);

/* Record the fault of this parse; only the first one is kept. */
void expr_fail(struct expr_ctx *ctx, struct expr_loc loc, const char *fmt,
	       ...) __attribute__((format(printf, 3, 4)));

/* The constructors the grammar calls (src/ast.c); NULL when out of
 * memory.  A sequence is an AST_ARRAY node whose list grows. */
struct ast_node *ast_leaf(struct ast_arena *arena, enum ast_kind kind,
			  struct expr_loc loc);
struct ast_node *ast_seq(struct ast_arena *arena, struct ast_node *seq,
			 struct ast_node *item);
struct ast_node *ast_binary(struct ast_arena *arena, enum ast_op op,
			    struct ast_node *a, struct ast_node *b,
			    struct expr_loc loc);
struct ast_node *ast_unary(struct ast_arena *arena, enum ast_op op,
			   struct ast_node *a, struct expr_loc loc);
struct ast_node *ast_cond(struct ast_arena *arena, struct ast_node *a,
			  struct ast_node *b, struct ast_node *c,
			  struct expr_loc loc);
struct ast_node *ast_arrow(struct ast_arena *arena, struct ast_node *params,
			   struct ast_node *body, struct expr_loc loc);
struct ast_node *ast_member(struct ast_arena *arena, struct ast_node *a,
			    struct ast_node *name, struct expr_loc loc);
struct ast_node *ast_index(struct ast_arena *arena, struct ast_node *a,
			   struct ast_node *b, struct expr_loc loc);
struct ast_node *ast_call(struct ast_arena *arena, struct ast_node *callee,
			  struct ast_node *args, struct expr_loc loc);
struct ast_node *ast_array(struct ast_arena *arena, struct ast_node *elems,
			   struct expr_loc loc);
struct ast_node *ast_object(struct ast_arena *arena, struct ast_node *props,
			    struct expr_loc loc);
struct ast_node *ast_pair(struct ast_arena *arena, struct ast_node *key,
			  struct ast_node *value, struct expr_loc loc);
struct ast_node *ast_template_parts(struct ast_arena *arena,
				    struct ast_node *seq,
				    struct ast_node *piece,
				    struct ast_node *expr);
struct ast_node *ast_template(struct ast_arena *arena, struct ast_node *seq,
			      struct ast_node *piece, struct expr_loc loc);
}

%code {
#include <stdio.h>
#include <string.h>

#define A (ctx->arena)

/* Store a constructor's result; a NULL one is a fault already reported
 * or an exhausted arena. */
#define NODE(lhs, e)							\
	do {								\
		if (!((lhs) = (e))) {					\
			expr_fail(ctx, ctx->lex.last_loc, "out of memory"); \
			YYABORT;					\
		}							\
	} while (0)

#define YYLLOC_DEFAULT(cur, rhs, n)					\
	do {								\
		if (n) {						\
			(cur).start = YYRHSLOC(rhs, 1).start;		\
			(cur).end = YYRHSLOC(rhs, n).end;		\
		} else {						\
			(cur).start = YYRHSLOC(rhs, 0).end;		\
			(cur).end = YYRHSLOC(rhs, 0).end;		\
		}							\
	} while (0)

/* Nesting is bounded by the lexer; this only leaves room for it. */
#define YYMAXDEPTH 100000

static void expr_yyerror(const EXPR_YYLTYPE *loc, struct expr_ctx *ctx,
			 const char *msg);
static struct ast_node *arrow_params(struct expr_ctx *ctx,
				     struct ast_node *expr);
}

%initial-action {
	@$.start = 0;
	@$.end = 0;
}

%token IDENT "name" NUMBER "number" STRING "string"
%token REGEX "regular expression"
%token TEMPLATE_FULL "template string" TEMPLATE_HEAD "template head"
%token TEMPLATE_MID "template middle" TEMPLATE_TAIL "template tail"
%token TRUE "true" FALSE "false" NULL "null" UNDEFINED "undefined"
%token IN "in"
%token OR "||" AND "&&" EQ "==" NE "!=" SEQ "===" SNE "!=="
%token LT "<" LE "<=" GT ">" GE ">="
%token PLUS "+" MINUS "-" STAR "*" SLASH "/" PERCENT "%" NOT "!"
%token LPAREN "(" RPAREN ")" LBRACKET "[" RBRACKET "]"
%token LBRACE "{" RBRACE "}"
%token COMMA "," DOT "." QUESTION "?" COLON ":" ARROW "=>"

%left "||"
%left "&&"
%left "==" "!=" "===" "!=="
%left "<" "<=" ">" ">=" "in"
%left "+" "-"
%left "*" "/" "%"

%%

input:
  expr				{ ctx->root = $1; }
;

expr:
  cond
| arrow
;

arrow:
  arrow_params "=>" expr	{ NODE($$, ast_arrow(A, $1, $3, @$)); }
;

arrow_params:
  IDENT				{ NODE($$, ast_seq(A, NULL, $1)); }
| "(" ")"			{ NODE($$, ast_leaf(A, AST_ARRAY, @$)); }
| "(" expr ")"			{ NODE($$, arrow_params(ctx, $2)); }
| "(" param_list ")"		{ $$ = $2; }
;

param_list:
  param "," IDENT		{ NODE($$, ast_seq(A, $1, $3)); }
| param_list "," IDENT		{ NODE($$, ast_seq(A, $1, $3)); }
;

param:
  IDENT				{ NODE($$, ast_seq(A, NULL, $1)); }
;

cond:
  binary
| binary "?" expr ":" expr	{ NODE($$, ast_cond(A, $1, $3, $5, @$)); }
;

binary:
  unary
| binary "||" binary	{ NODE($$, ast_binary(A, AST_OP_OR, $1, $3, @$)); }
| binary "&&" binary	{ NODE($$, ast_binary(A, AST_OP_AND, $1, $3, @$)); }
| binary "==" binary	{ NODE($$, ast_binary(A, AST_OP_EQ, $1, $3, @$)); }
| binary "!=" binary	{ NODE($$, ast_binary(A, AST_OP_NE, $1, $3, @$)); }
| binary "===" binary	{ NODE($$, ast_binary(A, AST_OP_SEQ, $1, $3, @$)); }
| binary "!==" binary	{ NODE($$, ast_binary(A, AST_OP_SNE, $1, $3, @$)); }
| binary "<" binary	{ NODE($$, ast_binary(A, AST_OP_LT, $1, $3, @$)); }
| binary "<=" binary	{ NODE($$, ast_binary(A, AST_OP_LE, $1, $3, @$)); }
| binary ">" binary	{ NODE($$, ast_binary(A, AST_OP_GT, $1, $3, @$)); }
| binary ">=" binary	{ NODE($$, ast_binary(A, AST_OP_GE, $1, $3, @$)); }
| binary "in" binary	{ NODE($$, ast_binary(A, AST_OP_IN, $1, $3, @$)); }
| binary "+" binary	{ NODE($$, ast_binary(A, AST_OP_ADD, $1, $3, @$)); }
| binary "-" binary	{ NODE($$, ast_binary(A, AST_OP_SUB, $1, $3, @$)); }
| binary "*" binary	{ NODE($$, ast_binary(A, AST_OP_MUL, $1, $3, @$)); }
| binary "/" binary	{ NODE($$, ast_binary(A, AST_OP_DIV, $1, $3, @$)); }
| binary "%" binary	{ NODE($$, ast_binary(A, AST_OP_MOD, $1, $3, @$)); }
;

unary:
  postfix
| "!" unary		{ NODE($$, ast_unary(A, AST_OP_NOT, $2, @$)); }
| "-" unary		{ NODE($$, ast_unary(A, AST_OP_NEG, $2, @$)); }
| "+" unary		{ NODE($$, ast_unary(A, AST_OP_PLUS, $2, @$)); }
;

postfix:
  primary
| postfix "." IDENT		{ NODE($$, ast_member(A, $1, $3, @$)); }
| postfix "[" expr "]"		{ NODE($$, ast_index(A, $1, $3, @$)); }
| postfix "(" ")"		{ NODE($$, ast_call(A, $1, NULL, @$)); }
| postfix "(" list ")"		{ NODE($$, ast_call(A, $1, $3, @$)); }
| postfix "(" list "," ")"	{ NODE($$, ast_call(A, $1, $3, @$)); }
;

primary:
  IDENT
| NUMBER
| STRING
| REGEX
| TRUE
| FALSE
| NULL
| UNDEFINED
| template
| array
| object
| "(" expr ")"			{ $$ = $2; }
;

list:
  expr				{ NODE($$, ast_seq(A, NULL, $1)); }
| list "," expr			{ NODE($$, ast_seq(A, $1, $3)); }
;

array:
  "[" "]"			{ NODE($$, ast_array(A, NULL, @$)); }
| "[" list "]"			{ NODE($$, ast_array(A, $2, @$)); }
| "[" list "," "]"		{ NODE($$, ast_array(A, $2, @$)); }
;

object:
  "{" "}"			{ NODE($$, ast_object(A, NULL, @$)); }
| "{" props "}"			{ NODE($$, ast_object(A, $2, @$)); }
| "{" props "," "}"		{ NODE($$, ast_object(A, $2, @$)); }
;

props:
  pair				{ NODE($$, ast_seq(A, NULL, $1)); }
| props "," pair		{ NODE($$, ast_seq(A, $1, $3)); }
;

pair:
  key ":" expr			{ NODE($$, ast_pair(A, $1, $3, @$)); }
| IDENT				{ NODE($$, ast_pair(A, $1, $1, @$)); }
;

key:
  IDENT
| STRING
| NUMBER
;

template:
  TEMPLATE_FULL		{ NODE($$, ast_template(A, NULL, $1, @$)); }
| template_parts TEMPLATE_TAIL	{ NODE($$, ast_template(A, $1, $2, @$)); }
;

template_parts:
  TEMPLATE_HEAD expr
	{ NODE($$, ast_template_parts(A, NULL, $1, $2)); }
| template_parts TEMPLATE_MID expr
	{ NODE($$, ast_template_parts(A, $1, $2, $3)); }
;

%%

/* The parameter list "(x)" of an arrow function, parsed as an expression
 * because "(x)" alone is one; anything but a name there is a fault. */
static struct ast_node *arrow_params(struct expr_ctx *ctx,
				     struct ast_node *expr)
{
	struct expr_loc loc = { expr->start, expr->end };

	if (expr->kind == AST_IDENT)
		return ast_seq(A, NULL, expr);
	expr_fail(ctx, loc, "expected a parameter name before '=>'");
	return NULL;
}

void expr_quote(char *out, size_t size, const unsigned char *text,
		size_t len)
{
	size_t n = 0, i, max = 32;

	out[n++] = '\'';
	for (i = 0; i < len && n + 8 < size; i++) {
		if (i >= max && (text[i] & 0xc0) != 0x80)
			break;
		if (text[i] < 0x20 || text[i] == 0x7f)
			n += snprintf(out + n, size - n, "\\x%02x", text[i]);
		else
			out[n++] = text[i];
	}
	if (i < len)
		n += snprintf(out + n, size - n, "...");
	snprintf(out + n, size - n, "'");
}

/* Describe the token SYM at LOC the way a message names it. */
static void describe(struct expr_ctx *ctx, int sym, struct expr_loc loc,
		     char *out, size_t size)
{
	const unsigned char *text = ctx->lex.base + loc.start;
	size_t len = loc.end - loc.start;

	switch (sym) {
	case YYSYMBOL_YYEOF:
		snprintf(out, size, "end of expression");
		return;
	case YYSYMBOL_STRING:
		memcpy(out, "string ", 7);
		expr_quote(out + 7, size - 7, text + 1, len - 2);
		return;
	case YYSYMBOL_TEMPLATE_FULL:
		snprintf(out, size, "template string");
		return;
	case YYSYMBOL_TEMPLATE_HEAD:
	case YYSYMBOL_TEMPLATE_MID:
		expr_quote(out, size, (const unsigned char *)"${", 2);
		return;
	case YYSYMBOL_TEMPLATE_TAIL:
		expr_quote(out, size, (const unsigned char *)"}", 1);
		return;
	}
	expr_quote(out, size, text, len);
}

/* The symbol of the token the lexer returned as CODE. */
static int token_symbol(int code)
{
	return code == EXPR_NONE ? YYSYMBOL_YYEMPTY : YYTRANSLATE(code);
}

static int expects(const yysymbol_kind_t *exp, int n, yysymbol_kind_t sym)
{
	int i;

	for (i = 0; i < n; i++)
		if (exp[i] == sym)
			return 1;
	return 0;
}

/* The bracket that was open before the latest token was read. */
static const struct expr_open *open_before(const struct expr_lexer *lx)
{
	size_t n = lx->nopen;

	if (lx->last_effect > 0)
		n--;
	else if (lx->last_effect < 0)
		n++;
	return n ? &lx->open[n - 1] : NULL;
}

/* The closing token of an open bracket, and how messages name both. */
static yysymbol_kind_t closer(const struct expr_open *o, const char **open,
			      const char **close)
{
	switch (o->token) {
	case EXPR_LPAREN:
		*open = "(", *close = ")";
		return YYSYMBOL_RPAREN;
	case EXPR_LBRACKET:
		*open = "[", *close = "]";
		return YYSYMBOL_RBRACKET;
	case EXPR_LBRACE:
		*open = "{", *close = "}";
		return YYSYMBOL_RBRACE;
	}
	*open = "${", *close = "}";
	return YYSYMBOL_TEMPLATE_TAIL;
}

/* A token name from bison's table, without its double quotes. */
static void symbol_text(yysymbol_kind_t sym, char *out, size_t size)
{
	const char *name = yysymbol_name(sym);
	size_t len = strlen(name);

	if (len >= 2 && name[0] == '"')
		snprintf(out, size, "%.*s", (int)(len - 2), name + 1);
	else
		snprintf(out, size, "%s", name);
}

/* Say what was expected after the previous token when FOUND came; the
 * alternatives are tried from the most to the least specific. */
static void syntax_message(struct expr_ctx *ctx, const yysymbol_kind_t *exp,
			   int n, const char *found, struct expr_loc loc)
{
	const struct expr_lexer *lx = &ctx->lex;
	const struct expr_open *o = open_before(lx);
	const char *open, *close;
	char prev[80], want[32];

	describe(ctx, token_symbol(lx->prev), lx->prev_loc, prev, sizeof(prev));
	if (lx->prev == EXPR_NONE)
		expr_fail(ctx, loc, "unexpected %s", found);
	else if (expects(exp, n, YYSYMBOL_NOT))
		expr_fail(ctx, loc, "expected an operand after %s, found %s",
			  prev, found);
	else if (expects(exp, n, YYSYMBOL_IDENT))
		expr_fail(ctx, loc, "expected a %s name after %s, found %s",
			  lx->prev == EXPR_DOT || (o && o->token == EXPR_LBRACE)
			  ? "property" : "parameter", prev, found);
	else if (o && expects(exp, n, closer(o, &open, &close)))
		expr_fail(ctx, loc, "expected '%s' to close '%s', found %s",
			  close, open, found);
	else if (n == 1 || expects(exp, n, YYSYMBOL_COLON)) {
		symbol_text(n == 1 ? exp[0] : YYSYMBOL_COLON, want,
			    sizeof(want));
		expr_fail(ctx, loc, "expected '%s', found %s", want, found);
	} else
		expr_fail(ctx, loc, "unexpected %s", found);
}

static int yyreport_syntax_error(const yypcontext_t *pc,
				 struct expr_ctx *ctx)
{
	yysymbol_kind_t exp[YYNTOKENS];
	struct expr_loc loc = *yypcontext_location(pc);
	char found[80];
	int n;

	n = yypcontext_expected_tokens(pc, exp, YYNTOKENS);
	if (n < 0)
		n = 0;
	describe(ctx, yypcontext_token(pc), loc, found, sizeof(found));
	syntax_message(ctx, exp, n, found, loc);
	return 0;
}

/* Bison's own faults: only an exhausted parser stack reaches here. */
static void expr_yyerror(const EXPR_YYLTYPE *loc, struct expr_ctx *ctx,
			 const char *msg)
{
	(void)msg;
	expr_fail(ctx, *loc, "expression too complex to compile");
}
