/* The syntax tree of rule expressions: the arena its nodes live in, the
 * constructors the grammar calls, the entry point of the expression
 * compiler, and the stable text dump behind --dump-ast. */

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "parser.h"

/* ---- the arena ---------------------------------------------------------- */

#define ARENA_BLOCK 16384

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	max_align_t data[];
};

struct ast_arena {
	struct arena_block *head;
};

struct ast_arena *ast_arena_new(void)
{
	return calloc(1, sizeof(struct ast_arena));
}

void ast_arena_free(struct ast_arena *arena)
{
	struct arena_block *b, *next;

	if (!arena)
		return;
	for (b = arena->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(arena);
}

size_t ast_arena_size(const struct ast_arena *arena)
{
	const struct arena_block *b;
	size_t n = sizeof(*arena);

	for (b = arena->head; b; b = b->next)
		n += sizeof(*b) + b->size;
	return n;
}

static char *copy_bytes(struct ast_arena *arena, const char *s, size_t n)
{
	char *c = ast_alloc(arena, n + 1);

	if (c) {
		memcpy(c, s, n);
		c[n] = '\0';
	}
	return c;
}

struct ast_node *ast_copy(struct ast_arena *arena, const struct ast_node *n)
{
	struct ast_node *c;
	size_t i;

	if (!n)
		return NULL;
	c = ast_alloc(arena, sizeof(*c));
	if (!c)
		return NULL;
	*c = *n;
	if ((n->text && !(c->text = copy_bytes(arena, n->text, n->len))) ||
	    (n->flags && !(c->flags = copy_bytes(arena, n->flags,
						 strlen(n->flags)))) ||
	    (n->a && !(c->a = ast_copy(arena, n->a))) ||
	    (n->b && !(c->b = ast_copy(arena, n->b))) ||
	    (n->c && !(c->c = ast_copy(arena, n->c))))
		return NULL;
	if (n->nlist) {
		c->list = ast_alloc(arena, n->nlist * sizeof(*c->list));
		if (!c->list)
			return NULL;
		for (i = 0; i < n->nlist; i++)
			if (n->list[i] &&
			    !(c->list[i] = ast_copy(arena, n->list[i])))
				return NULL;
	}
	return c;
}

/* A new block holding NEED bytes.  A large request gets a block of its
 * own behind the current one, whose free room stays usable. */
static void *arena_grow(struct ast_arena *arena, size_t need)
{
	size_t size = need > ARENA_BLOCK / 4 ? need : ARENA_BLOCK;
	struct arena_block *b = malloc(sizeof(*b) + size);

	if (!b)
		return NULL;
	b->size = size;
	b->used = need;
	memset(b->data, 0, need);
	if (size == need && arena->head) {
		b->next = arena->head->next;
		arena->head->next = b;
	} else {
		b->next = arena->head;
		arena->head = b;
	}
	return b->data;
}

/* Zero-filled memory that lives until the arena is freed; NULL when the
 * system is out of memory. */
void *ast_alloc(struct ast_arena *arena, size_t size)
{
	const size_t align = _Alignof(max_align_t);
	struct arena_block *b = arena->head;
	size_t need;
	void *p;

	if (size > SIZE_MAX / 4)
		return NULL;
	need = size ? (size + align - 1) & ~(align - 1) : align;
	if (!b || b->size - b->used < need)
		return arena_grow(arena, need);

	p = (char *)b->data + b->used;
	b->used += need;
	return memset(p, 0, need);
}

struct ast_node *ast_new(struct ast_arena *arena, enum ast_kind kind,
			 size_t start, size_t end)
{
	struct ast_node *n = ast_alloc(arena, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = kind;
	n->start = start;
	n->end = end;
	return n;
}

/* ---- constructors for the grammar ---------------------------------------- */

struct ast_node *ast_leaf(struct ast_arena *arena, enum ast_kind kind,
			  struct expr_loc loc)
{
	return ast_new(arena, kind, loc.start, loc.end);
}

/* Append ITEM to the list of SEQ (a new AST_ARRAY node when SEQ is NULL).
 * The capacity of a list is implied by its length: 4, then the next
 * power of two, so growing copies each element a bounded number of
 * times. */
struct ast_node *ast_seq(struct ast_arena *arena, struct ast_node *seq,
			 struct ast_node *item)
{
	struct ast_node **list;
	size_t n;

	if (!seq && !(seq = ast_new(arena, AST_ARRAY, item->start, item->end)))
		return NULL;
	n = seq->nlist;
	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
		list = ast_alloc(arena, (n ? 2 * n : 4) * sizeof(*list));
		if (!list)
			return NULL;
		if (n)
			memcpy(list, seq->list, n * sizeof(*list));
		seq->list = list;
	}
	seq->list[seq->nlist++] = item;
	seq->end = item->end;
	return seq;
}

/* Turn the sequence SEQ (or a new empty node) into a KIND node at LOC. */
static struct ast_node *seq_as(struct ast_arena *arena, struct ast_node *seq,
			       enum ast_kind kind, struct expr_loc loc)
{
	if (!seq && !(seq = ast_leaf(arena, kind, loc)))
		return NULL;
	seq->kind = kind;
	seq->start = loc.start;
	seq->end = loc.end;
	return seq;
}

struct ast_node *ast_binary(struct ast_arena *arena, enum ast_op op,
			    struct ast_node *a, struct ast_node *b,
			    struct expr_loc loc)
{
	struct ast_node *n = ast_leaf(arena, AST_BINARY, loc);

	if (n) {
		n->op = op;
		n->a = a;
		n->b = b;
	}
	return n;
}

struct ast_node *ast_unary(struct ast_arena *arena, enum ast_op op,
			   struct ast_node *a, struct expr_loc loc)
{
	struct ast_node *n = ast_leaf(arena, AST_UNARY, loc);

	if (n) {
		n->op = op;
		n->a = a;
	}
	return n;
}

struct ast_node *ast_cond(struct ast_arena *arena, struct ast_node *a,
			  struct ast_node *b, struct ast_node *c,
			  struct expr_loc loc)
{
	struct ast_node *n = ast_leaf(arena, AST_COND, loc);

	if (n) {
		n->a = a;
		n->b = b;
		n->c = c;
	}
	return n;
}

struct ast_node *ast_arrow(struct ast_arena *arena, struct ast_node *params,
			   struct ast_node *body, struct expr_loc loc)
{
	struct ast_node *n = seq_as(arena, params, AST_ARROW, loc);

	if (n)
		n->a = body;
	return n;
}

struct ast_node *ast_member(struct ast_arena *arena, struct ast_node *a,
			    struct ast_node *name, struct expr_loc loc)
{
	struct ast_node *n = ast_leaf(arena, AST_MEMBER, loc);

	if (n) {
		n->a = a;
		n->text = name->text;
		n->len = name->len;
	}
	return n;
}

struct ast_node *ast_index(struct ast_arena *arena, struct ast_node *a,
			   struct ast_node *b, struct expr_loc loc)
{
	struct ast_node *n = ast_leaf(arena, AST_INDEX, loc);

	if (n) {
		n->a = a;
		n->b = b;
	}
	return n;
}

struct ast_node *ast_call(struct ast_arena *arena, struct ast_node *callee,
			  struct ast_node *args, struct expr_loc loc)
{
	struct ast_node *n = seq_as(arena, args, AST_CALL, loc);

	if (n)
		n->a = callee;
	return n;
}

struct ast_node *ast_array(struct ast_arena *arena, struct ast_node *elems,
			   struct expr_loc loc)
{
	return seq_as(arena, elems, AST_ARRAY, loc);
}

struct ast_node *ast_object(struct ast_arena *arena, struct ast_node *props,
			    struct expr_loc loc)
{
	return seq_as(arena, props, AST_OBJECT, loc);
}

static void number_text(double v, char *buf, size_t size);

/* A property; KEY is the name, string or number before the colon. */
struct ast_node *ast_pair(struct ast_arena *arena, struct ast_node *key,
			  struct ast_node *value, struct expr_loc loc)
{
	struct ast_node *n = ast_leaf(arena, AST_PAIR, loc);
	char num[40];

	if (!n)
		return NULL;
	n->a = value;
	n->text = key->text;
	n->len = key->len;
	if (key->kind == AST_NUMBER) {
		number_text(key->number, num, sizeof(num));
		n->len = strlen(num);
		n->text = ast_alloc(arena, n->len + 1);
		if (!n->text)
			return NULL;
		memcpy(n->text, num, n->len);
	}
	return n;
}

struct ast_node *ast_template_parts(struct ast_arena *arena,
				    struct ast_node *seq,
				    struct ast_node *piece,
				    struct ast_node *expr)
{
	seq = ast_seq(arena, seq, piece);
	return seq ? ast_seq(arena, seq, expr) : NULL;
}

/* A template: string pieces alternating with expressions, first and last
 * a piece (possibly empty); PIECE is the last one. */
struct ast_node *ast_template(struct ast_arena *arena, struct ast_node *seq,
			      struct ast_node *piece, struct expr_loc loc)
{
	seq = ast_seq(arena, seq, piece);
	return seq ? seq_as(arena, seq, AST_TEMPLATE, loc) : NULL;
}

/* ---- compiling -------------------------------------------------------- */

void expr_fail(struct expr_ctx *ctx, struct expr_loc loc, const char *fmt,
	       ...)
{
	va_list ap;

	if (ctx->failed)
		return;
	ctx->failed = 1;
	ctx->err->start = loc.start;
	ctx->err->end = loc.end;
	va_start(ap, fmt);
	vsnprintf(ctx->err->msg, sizeof(ctx->err->msg), fmt, ap);
	va_end(ap);
}

/* A MAX_DEPTH of 0 means EXPR_MAX_DEPTH_DEFAULT.  The length limit is the
 * caller's to enforce; time and memory here are linear in LEN. */
struct ast_node *expr_parse(struct ast_arena *arena, const char *text,
			    size_t len, unsigned max_depth,
			    struct expr_error *err)
{
	struct expr_error spare;
	struct expr_ctx ctx;
	struct expr_loc none = { 0, 0 };

	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = arena;
	ctx.err = err ? err : &spare;
	memset(ctx.err, 0, sizeof(*ctx.err));
	if (!max_depth)
		max_depth = EXPR_MAX_DEPTH_DEFAULT;

	if (expr_lexer_init(&ctx.lex, text, len, max_depth) != 0)
		expr_fail(&ctx, none, "out of memory");
	else if (expr_yyparse(&ctx) != 0)
		expr_fail(&ctx, ctx.lex.last_loc, "out of memory");
	expr_lexer_free(&ctx.lex);
	return ctx.failed ? NULL : ctx.root;
}

/* ---- the text dump ----------------------------------------------------
 *
 * One node per line, each child indented two spaces more than its
 * parent:
 *
 *	<kind> [detail] @<start>-<end>
 *
 * <kind> is one of undefined, null, bool, number, string, template,
 * regex, array, object, pair, ident, member, index, call, unary, binary,
 * cond, arrow.  <start>-<end> is the node's span in bytes of the decoded
 * expression.  The detail, present only for these kinds, is:
 *
 *	bool		true or false
 *	number		the shortest digits that read back as the same
 *			double, written as JavaScript does: 10, 1.5, 1e-7,
 *			1e+21, Infinity
 *	string		the value in double quotes, with \" \\ \a \b \f
 *			\n \r \t \v and three-digit octal escapes for the
 *			other control bytes; other bytes as they are
 *	regex		the pattern, then the flags, each quoted as a
 *			string
 *	ident		the name
 *	member		the property name
 *	pair		the key, quoted as a string
 *	unary, binary	the operator, as ast_op_name() spells it
 *
 * Children, in this order: member, unary and pair: the operand or value;
 * index: object, index; binary: left, right; cond: test, then, else;
 * call: callee, then the arguments; arrow: the parameters, then the body;
 * template, array, object: the elements (a template alternates string
 * pieces and expressions, starting and ending with a piece).
 */

static const char *const kind_names[] = {
	"undefined", "null", "bool", "number", "string", "template", "regex",
	"array", "object", "pair", "ident", "member", "index", "call",
	"unary", "binary", "cond", "arrow"
};

static const char *const op_names[] = {
	"", "||", "&&", "==", "!=", "===", "!==", "<", "<=", ">", ">=", "in",
	"+", "-", "*", "/", "%", "!", "-", "+"
};

const char *ast_op_name(enum ast_op op)
{
	if ((size_t)op >= sizeof(op_names) / sizeof(op_names[0]))
		return "?";
	return op_names[op];
}

/* Append N zeros at O. */
static char *zeros(char *o, int n)
{
	while (n-- > 0)
		*o++ = '0';
	return o;
}

/* The shortest significant digits that read back as V (positive, finite)
 * into DIGITS; returns the decimal exponent of the first one. */
static int shortest_digits(double v, char *digits)
{
	char tmp[40], *p;
	int prec, k = 0;

	for (prec = 1; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
	for (p = tmp; *p != 'e'; p++)
		if (*p != '.')
			digits[k++] = *p;
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = '\0';
	return atoi(p + 1);
}

/* V as JavaScript's Number.prototype.toString() writes it. */
static void number_text(double v, char *buf, size_t size)
{
	char digits[24], out[64], *o = out;
	int k, n;

	if (isnan(v) || v == 0) {
		snprintf(buf, size, "%s", v == 0 ? "0" : "NaN");
		return;
	}
	if (v < 0)
		*o++ = '-';
	if (isinf(v)) {
		snprintf(buf, size, "%.*sInfinity", (int)(o - out), out);
		return;
	}

	n = shortest_digits(fabs(v), digits) + 1;
	k = strlen(digits);
	if (k <= n && n <= 21)
		o = zeros(o + sprintf(o, "%s", digits), n - k);
	else if (n > 0 && n <= 21)
		o += sprintf(o, "%.*s.%s", n, digits, digits + n);
	else if (n > -6 && n <= 0) {
		o = zeros(o + sprintf(o, "0."), -n);
		o += sprintf(o, "%s", digits);
	} else
		o += sprintf(o, "%c%s%se%c%d", digits[0], k > 1 ? "." : "",
			     digits + 1, n > 0 ? '+' : '-', abs(n - 1));
	*o = '\0';
	snprintf(buf, size, "%s", out);
}

static void dump_string(FILE *out, const char *s, size_t len)
{
	static const char from[] = "\"\\\a\b\f\n\r\t\v", to[] = "\"\\abfnrtv";
	const char *c;
	size_t i;

	fputc('"', out);
	for (i = 0; i < len; i++) {
		unsigned char b = s[i];

		if (b && (c = strchr(from, b)))
			fprintf(out, "\\%c", to[c - from]);
		else if (b < 0x20 || b == 0x7f)
			fprintf(out, "\\%03o", b);
		else
			fputc(b, out);
	}
	fputc('"', out);
}

static void dump_detail(FILE *out, const struct ast_node *n)
{
	char num[40];

	switch (n->kind) {
	case AST_BOOL:
		fputs(n->boolean ? " true" : " false", out);
		break;
	case AST_NUMBER:
		number_text(n->number, num, sizeof(num));
		fprintf(out, " %s", num);
		break;
	case AST_STRING:
	case AST_PAIR:
		fputc(' ', out);
		dump_string(out, n->text, n->len);
		break;
	case AST_REGEX:
		fputc(' ', out);
		dump_string(out, n->text, n->len);
		fputc(' ', out);
		dump_string(out, n->flags, strlen(n->flags));
		break;
	case AST_IDENT:
	case AST_MEMBER:
		fprintf(out, " %.*s", (int)n->len, n->text);
		break;
	case AST_UNARY:
	case AST_BINARY:
		fprintf(out, " %s", ast_op_name(n->op));
		break;
	default:
		break;
	}
}

void ast_dump(FILE *out, const struct ast_node *node, int indent)
{
	size_t i;

	if (!node)
		return;
	fprintf(out, "%*s%s", 2 * indent, "", kind_names[node->kind]);
	dump_detail(out, node);
	fprintf(out, " @%zu-%zu\n", node->start, node->end);

	if (node->kind != AST_ARROW)
		ast_dump(out, node->a, indent + 1);
	ast_dump(out, node->b, indent + 1);
	ast_dump(out, node->c, indent + 1);
	for (i = 0; i < node->nlist; i++)
		ast_dump(out, node->list[i], indent + 1);
	if (node->kind == AST_ARROW)
		ast_dump(out, node->a, indent + 1);
}
