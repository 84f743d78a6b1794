/* Checks on one compiled expression, from its syntax tree alone: the
 * variables and fields each kind of rule has, constructs the platform
 * lacks, the limits of get(), literal pitfalls, and comparisons that the
 * types of their operands make impossible.  One walk per expression. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "exprlint.h"
#include "hint.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define EXPRLINT_MAX_DEPTH 2048	/* deeper subtrees are not examined */
#define EXPRLINT_MAX_SEEN 32	/* names remembered, to report once */
#define EXPRLINT_SHOW 48	/* bytes of user text in a message */
#define EXPRLINT_TYPE_DEPTH 16	/* '+' levels typed through */
#define EXPRLINT_PATH_MAX 256	/* longer get() paths are not judged */
#define EXPRLINT_MAX_GETS 3
#define EXPRLINT_MAX_GET_NESTING 2
#define EXPRLINT_HOLE '\001'	/* a computed part of a get() path */

/* What is known of the value of an operand. */
enum exprlint_type {
	EXPRLINT_UNKNOWN,
	EXPRLINT_NUMBER,
	EXPRLINT_STRING,
	EXPRLINT_IDENTITY,	/* an identity string, or absent */
	EXPRLINT_BOOLEAN,
	EXPRLINT_NULL,
	EXPRLINT_UNDEFINED,
	EXPRLINT_ARRAY
};

struct seen {
	enum check_id check;
	const char *a, *b;
};

struct lint {
	struct diag_list *d;
	const struct rule_file *rf;
	const struct rule_object *obj;
	const struct rule_value *v;
	enum rule_kind kind;
	unsigned gets;		/* get() calls met so far */
	struct seen seen[EXPRLINT_MAX_SEEN];
	size_t nseen;
};

/* Where a node sits in the tree; passed down by value. */
struct place {
	unsigned depth;
	unsigned get_depth;	/* enclosing get() arguments */
	unsigned in_chain : 1;	/* inside a member chain already checked */
	unsigned compared : 1;	/* an operand of '== true' */
	unsigned in_call : 1;	/* an argument of a call already reported */
	unsigned in_arith : 1;	/* an operand of arithmetic already reported */
};

/* A Firebase name, and what a CloudBase rule of KIND says instead. */
struct firebase_name {
	const char *root, *field;
	enum rule_kind kind;	/* RULE_KIND_UNKNOWN: any kind */
	const char *advice;	/* quoted, or NULL */
};

/* Names that belong to another kind of rule, and the name in this one. */
struct moved_name {
	enum rule_kind kind;
	const char *name, *hint;
};

static const char *const database_roots[] = {
	"auth", "doc", "request", "now", "get"
};
static const char *const storage_roots[] = {"auth", "resource", "get"};
static const char *const function_roots[] = {"auth"};
static const char *const any_roots[] = {
	"auth", "doc", "request", "now", "resource", "get"
};

static const char *const auth_fields[] = {"openid", "uid", "loginType"};
static const char *const request_fields[] = {"data"};
static const char *const resource_fields[] = {"openid", "path"};

static const char *const login_types[] = {
	"WECHAT_PUBLIC", "WECHAT_OPEN", "ANONYMOUS", "EMAIL", "CUSTOM"
};

static const struct firebase_name firebase_names[] = {
	{"newData", NULL, RULE_KIND_DATABASE, "'request.data'"},
	{"newData", NULL, RULE_KIND_UNKNOWN, NULL},
	{"data", NULL, RULE_KIND_DATABASE, "'doc'"},
	{"data", NULL, RULE_KIND_UNKNOWN, NULL},
	{"oldData", NULL, RULE_KIND_DATABASE, "'doc'"},
	{"oldData", NULL, RULE_KIND_UNKNOWN, NULL},
	{"root", NULL, RULE_KIND_DATABASE, "'get()'"},
	{"root", NULL, RULE_KIND_UNKNOWN, NULL},
	{"resource", "data", RULE_KIND_DATABASE, "'doc'"},
	{"resource", "data", RULE_KIND_STORAGE,
	 "'resource.openid' and 'resource.path'"},
	{"resource", "data", RULE_KIND_UNKNOWN, NULL},
	{"request", "auth", RULE_KIND_UNKNOWN, "'auth'"},
	{"request", "resource", RULE_KIND_DATABASE, "'request.data'"},
	{"request", "resource", RULE_KIND_UNKNOWN, NULL},
	{"request", "time", RULE_KIND_DATABASE, "'now'"},
	{"request", "time", RULE_KIND_UNKNOWN, NULL},
};

static const struct moved_name moved_names[] = {
	{RULE_KIND_DATABASE, "resource", "doc"},
	{RULE_KIND_DATABASE, "_openid", "doc._openid"},
	{RULE_KIND_STORAGE, "doc", "resource"},
	{RULE_KIND_STORAGE, "_openid", "resource.openid"},
};

/* ---- reporting ---------------------------------------------------------- */

static void report(struct lint *l, enum check_id check, size_t start,
		   size_t end, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void report(struct lint *l, enum check_id check, size_t start,
		   size_t end, const char *fmt, ...)
{
	char msg[512];
	size_t rs, re;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	rules_raw_span(l->v->member->value, start, end, &rs, &re);
	diag_add(l->d, check, &l->rf->src, rs, re, l->obj->pointer,
		 l->obj->name, l->v->key, "%s", msg);
}

/* Has (CHECK, A, B) been reported in this expression?  Remembers it, so
 * that a name misspelt three times is reported once. */
static int seen_before(struct lint *l, enum check_id check, const char *a,
		       const char *b)
{
	size_t i;

	for (i = 0; i < l->nseen; i++) {
		const struct seen *s = &l->seen[i];

		if (s->check == check && strcmp(s->a, a) == 0 &&
		    (s->b == b || (s->b && b && strcmp(s->b, b) == 0)))
			return 1;
	}
	if (l->nseen < EXPRLINT_MAX_SEEN)
		l->seen[l->nseen++] = (struct seen){check, a, b};
	return 0;
}

/* TEXT (LEN bytes) for quoting in a message: a NUL byte shown as \0, and
 * cut to EXPRLINT_SHOW bytes at a character boundary, marked with "...". */
static const char *show(char out[EXPRLINT_SHOW + 4], const char *text,
			size_t len)
{
	size_t i = 0, k = 0;

	while (i < len && k < EXPRLINT_SHOW) {
		if (text[i] == '\0' && k + 2 > EXPRLINT_SHOW)
			break;
		if (text[i] == '\0') {
			out[k++] = '\\';
			out[k++] = '0';
		} else {
			out[k++] = text[i];
		}
		i++;
	}
	if (i < len) {
		while (k > 0 && ((unsigned char)text[i] & 0xC0) == 0x80) {
			k--;
			i--;
		}
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
	return out;
}

static const char *op_symbol(enum ast_op op)
{
	static const char *const sym[] = {
		[AST_OP_EQ] = "==", [AST_OP_NE] = "!=",
		[AST_OP_SEQ] = "===", [AST_OP_SNE] = "!==",
		[AST_OP_ADD] = "+", [AST_OP_SUB] = "-", [AST_OP_MUL] = "*",
		[AST_OP_DIV] = "/", [AST_OP_MOD] = "%",
		[AST_OP_NEG] = "-", [AST_OP_PLUS] = "+",
	};

	return (size_t)op < COUNT(sym) && sym[op] ? sym[op] : "?";
}

/* ---- names -------------------------------------------------------------- */

static int in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static const char *const *roots_of(enum rule_kind kind, size_t *n)
{
	switch (kind) {
	case RULE_KIND_DATABASE:
		*n = COUNT(database_roots);
		return database_roots;
	case RULE_KIND_STORAGE:
		*n = COUNT(storage_roots);
		return storage_roots;
	case RULE_KIND_FUNCTION:
		*n = COUNT(function_roots);
		return function_roots;
	default:
		*n = COUNT(any_roots);
		return any_roots;
	}
}

static int is_root(const struct lint *l, const char *name)
{
	size_t n;
	const char *const *roots = roots_of(l->kind, &n);

	return in_list(name, roots, n);
}

/* The fields of ROOT, or NULL when any field is allowed. */
static const char *const *fields_of(const char *root, size_t *n)
{
	if (strcmp(root, "auth") == 0) {
		*n = COUNT(auth_fields);
		return auth_fields;
	}
	if (strcmp(root, "request") == 0) {
		*n = COUNT(request_fields);
		return request_fields;
	}
	if (strcmp(root, "resource") == 0) {
		*n = COUNT(resource_fields);
		return resource_fields;
	}
	return NULL;
}

static int is_ident(const struct ast_node *n, const char *name)
{
	return n && n->kind == AST_IDENT && strcmp(n->text, name) == 0;
}

/* Is N a documented field of a root this kind has (auth.uid, ...)? */
static int is_known_field(const struct lint *l, const struct ast_node *n)
{
	const char *const *fields;
	size_t nfields;

	if (n->kind != AST_MEMBER || n->a->kind != AST_IDENT ||
	    !is_root(l, n->a->text))
		return 0;
	fields = fields_of(n->a->text, &nfields);
	return fields && in_list(n->text, fields, nfields);
}

/* auth.openid, auth.uid, auth.loginType, resource.openid, resource.path:
 * a string, or absent. */
static int is_identity(const struct lint *l, const struct ast_node *n)
{
	return is_known_field(l, n) && strcmp(n->a->text, "request") != 0;
}

static int is_login_type(const struct lint *l, const struct ast_node *n)
{
	return is_known_field(l, n) && strcmp(n->a->text, "auth") == 0 &&
	       strcmp(n->text, "loginType") == 0;
}

/* Does S (N bytes, may hold NUL bytes) contain the two bytes of PAIR? */
static int has_pair(const char *s, size_t n, const char *pair)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == pair[0] && s[i + 1] == pair[1])
			return 1;
	return 0;
}

/* The field named by the first link of a member chain, or NULL. */
static const char *link_name(const struct ast_node *link)
{
	if (!link)
		return NULL;
	if (link->kind == AST_MEMBER)
		return link->text;
	if (link->kind == AST_INDEX && link->b->kind == AST_STRING)
		return link->b->text;
	return NULL;
}

/* ---- types -------------------------------------------------------------- */

static enum exprlint_type type_of(const struct lint *l,
				  const struct ast_node *n, unsigned budget);

static int is_stringy(enum exprlint_type t)
{
	return t == EXPRLINT_STRING || t == EXPRLINT_IDENTITY ||
	       t == EXPRLINT_ARRAY;
}

static int is_numeric_operand(enum exprlint_type t)
{
	return t == EXPRLINT_NUMBER || t == EXPRLINT_BOOLEAN ||
	       t == EXPRLINT_NULL || t == EXPRLINT_UNDEFINED;
}

/* JavaScript '+': a string when either side is one, a number when both
 * sides convert to numbers, otherwise unknown. */
static enum exprlint_type type_of_add(const struct lint *l,
				      const struct ast_node *n,
				      unsigned budget)
{
	enum exprlint_type ta = type_of(l, n->a, budget - 1);
	enum exprlint_type tb = type_of(l, n->b, budget - 1);

	if (ta == EXPRLINT_STRING || ta == EXPRLINT_ARRAY ||
	    tb == EXPRLINT_STRING || tb == EXPRLINT_ARRAY)
		return EXPRLINT_STRING;
	if (is_numeric_operand(ta) && is_numeric_operand(tb))
		return EXPRLINT_NUMBER;
	return EXPRLINT_UNKNOWN;
}

static enum exprlint_type type_of_binary(const struct lint *l,
					 const struct ast_node *n,
					 unsigned budget)
{
	switch (n->op) {
	case AST_OP_ADD:
		return type_of_add(l, n, budget);
	case AST_OP_SUB:
	case AST_OP_MUL:
	case AST_OP_DIV:
	case AST_OP_MOD:
		return EXPRLINT_NUMBER;
	case AST_OP_OR:
	case AST_OP_AND:
		return EXPRLINT_UNKNOWN;
	default:
		return EXPRLINT_BOOLEAN;
	}
}

static enum exprlint_type type_of(const struct lint *l,
				  const struct ast_node *n, unsigned budget)
{
	if (budget == 0)
		return EXPRLINT_UNKNOWN;
	switch (n->kind) {
	case AST_NUMBER:
		return EXPRLINT_NUMBER;
	case AST_STRING:
	case AST_TEMPLATE:
		return EXPRLINT_STRING;
	case AST_BOOL:
		return EXPRLINT_BOOLEAN;
	case AST_NULL:
		return EXPRLINT_NULL;
	case AST_UNDEFINED:
		return EXPRLINT_UNDEFINED;
	case AST_ARRAY:
		return EXPRLINT_ARRAY;
	case AST_UNARY:
		return n->op == AST_OP_NOT ? EXPRLINT_BOOLEAN : EXPRLINT_NUMBER;
	case AST_IDENT:
		return strcmp(n->text, "now") == 0 && is_root(l, "now") ?
		       EXPRLINT_NUMBER : EXPRLINT_UNKNOWN;
	case AST_MEMBER:
		return is_identity(l, n) ? EXPRLINT_IDENTITY : EXPRLINT_UNKNOWN;
	case AST_BINARY:
		return type_of_binary(l, n, budget);
	default:
		return EXPRLINT_UNKNOWN;
	}
}

static const char *type_name(enum exprlint_type t)
{
	static const char *const names[] = {
		"a value", "a number", "a string", "a string", "a boolean",
		"null", "undefined", "an array"
	};

	return names[t];
}

/* The length of the JavaScript white space or line terminator that is
 * exactly the N bytes at S (UTF-8), or 0. */
static size_t space_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp;

	if (n == 1)
		return u[0] && strchr(" \t\n\v\f\r", u[0]) ? 1 : 0;
	if (n == 2)
		return u[0] == 0xC2 && u[1] == 0xA0 ? 2 : 0;
	if (n != 3 || (u[0] & 0xF0) != 0xE0)
		return 0;
	cp = (u[0] & 0x0Fu) << 12 | (u[1] & 0x3Fu) << 6 | (u[2] & 0x3Fu);
	if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
	    cp == 0x3000 || cp == 0xFEFF)
		return 3;
	return 0;
}

/* The length of the white space starting at S[I] (FORWARD) or ending at
 * S[J] (otherwise) within S[I..J), or 0. */
static size_t space_at(const char *s, size_t i, size_t j, int forward)
{
	size_t k;

	for (k = 1; k <= 3 && k <= j - i; k++)
		if (space_len(forward ? s + i : s + j - k, k))
			return k;
	return 0;
}

static size_t skip_digits(const char *s, size_t i, size_t n, int base)
{
	static const char digits[] = "0123456789abcdef";

	while (i < n && s[i] && memchr(digits, s[i] | 0x20, (size_t)base))
		i++;
	return i;
}

/* Is S (N bytes, no surrounding space) a decimal literal of JavaScript's
 * StringNumericLiteral: digits, a fraction, an exponent? */
static int is_decimal(const char *s, size_t n)
{
	size_t i = 0, j;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (n - i == 8 && memcmp(s + i, "Infinity", 8) == 0)
		return 1;
	j = skip_digits(s, i, n, 10);
	if (j < n && s[j] == '.')
		j = skip_digits(s, j + 1, n, 10);
	if (j == i || (j == i + 1 && s[i] == '.'))
		return 0;
	if (j < n && (s[j] == 'e' || s[j] == 'E')) {
		i = j + 1;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		j = skip_digits(s, i, n, 10);
		if (j == i)
			return 0;
	}
	return j == n;
}

/* Does Number(TEXT) give a number rather than NaN? */
static int is_numeric_string(const char *s, size_t len)
{
	size_t i = 0, j = len, k;
	int base = 0;

	while ((k = space_at(s, i, j, 1)))
		i += k;
	while ((k = space_at(s, i, j, 0)))
		j -= k;
	if (i == j)
		return 1;
	if (j - i > 2 && s[i] == '0') {
		char c = (char)(s[i + 1] | 0x20);

		base = c == 'x' ? 16 : c == 'o' ? 8 : c == 'b' ? 2 : 0;
	}
	if (base)
		return skip_digits(s, i + 2, j, base) == j;
	return is_decimal(s + i, j - i);
}

/* An operand whose value can never convert to a number: an identity
 * string, or a string literal that is not numeric. */
static int never_numeric(const struct ast_node *n, enum exprlint_type t)
{
	if (t == EXPRLINT_IDENTITY)
		return 1;
	return n->kind == AST_STRING && !is_numeric_string(n->text, n->len);
}

/* ---- checks on single nodes --------------------------------------------- */

static int report_firebase(struct lint *l, const struct ast_node *n,
			   const char *root, const char *field)
{
	const struct firebase_name *f;
	char name[EXPRLINT_SHOW + 4];
	size_t i;

	if (root[0] == '$') {
		report(l, CHECK_FIREBASE_SYNTAX, n->start, n->end,
		       "'%s' is Firebase syntax; CloudBase rules have no path "
		       "variables", show(name, root, strlen(root)));
		return 1;
	}
	for (i = 0; i < COUNT(firebase_names); i++) {
		f = &firebase_names[i];
		if (strcmp(f->root, root) != 0 ||
		    (f->field && (!field || strcmp(f->field, field) != 0)) ||
		    (f->kind != RULE_KIND_UNKNOWN && f->kind != l->kind))
			continue;
		if (f->advice)
			report(l, CHECK_FIREBASE_SYNTAX, n->start, n->end,
			       "'%s%s%s' is Firebase syntax; CloudBase rules "
			       "use %s", root, f->field ? "." : "",
			       f->field ? f->field : "", f->advice);
		else
			report(l, CHECK_FIREBASE_SYNTAX, n->start, n->end,
			       "'%s%s%s' is Firebase syntax, not part of "
			       "CloudBase rules", root, f->field ? "." : "",
			       f->field ? f->field : "");
		return 1;
	}
	return 0;
}

/* A name to suggest for the unknown variable NAME, or NULL. */
static const char *suggest_root(const struct lint *l, const char *name)
{
	const struct moved_name *m;
	const char *const *roots;
	size_t n, i;

	for (i = 0; i < COUNT(moved_names); i++) {
		m = &moved_names[i];
		if (m->kind == l->kind && strcmp(m->name, name) == 0)
			return m->hint;
	}
	roots = roots_of(l->kind, &n);
	return hint_nearest(name, roots, n);
}

static void check_ident(struct lint *l, const struct ast_node *n)
{
	char name[EXPRLINT_SHOW + 4], where[32] = "";
	const char *hint;

	if (report_firebase(l, n, n->text, NULL) || is_root(l, n->text))
		return;
	if (seen_before(l, CHECK_UNKNOWN_VARIABLE, n->text, NULL))
		return;

	show(name, n->text, strlen(n->text));
	if (l->kind != RULE_KIND_UNKNOWN)
		snprintf(where, sizeof(where), " in a %s rule",
			 rule_kind_name(l->kind));
	hint = suggest_root(l, n->text);
	if (hint)
		report(l, CHECK_UNKNOWN_VARIABLE, n->start, n->end,
		       "unknown variable '%s'%s; did you mean '%s'?", name,
		       where, hint);
	else
		report(l, CHECK_UNKNOWN_VARIABLE, n->start, n->end,
		       "unknown variable '%s'%s", name, where);
}

static void check_field(struct lint *l, const struct ast_node *n,
			const char *root, const char *field)
{
	char name[EXPRLINT_SHOW + 4];
	const char *const *fields;
	const char *hint;
	size_t nfields;

	fields = fields_of(root, &nfields);
	if (!fields || !is_root(l, root) || in_list(field, fields, nfields))
		return;
	if (seen_before(l, CHECK_UNKNOWN_FIELD, root, field))
		return;

	show(name, field, strlen(field));
	hint = hint_nearest(field, fields, nfields);
	if (hint)
		report(l, CHECK_UNKNOWN_FIELD, n->start, n->end,
		       "unknown field '%s' of '%s'; did you mean '%s'?", name,
		       root, hint);
	else
		report(l, CHECK_UNKNOWN_FIELD, n->start, n->end,
		       "unknown field '%s' of '%s'", name, root);
}

static void check_request_data(struct lint *l, const struct ast_node *n,
			       const char *root, const char *field)
{
	const char *key = l->v->key;

	if (strcmp(root, "request") != 0 || strcmp(field, "data") != 0 ||
	    !is_root(l, root))
		return;
	if (strcmp(key, "read") != 0 && strcmp(key, "delete") != 0)
		return;
	if (seen_before(l, CHECK_REQUEST_DATA_MISUSE, root, field))
		return;
	report(l, CHECK_REQUEST_DATA_MISUSE, n->start, n->end,
	       "'request.data' is always undefined in a '%s' rule", key);
}

/* auth.x, auth['x'] and the like, on the root itself. */
static void check_access(struct lint *l, const struct ast_node *n)
{
	const char *field = link_name(n);

	if (n->a->kind != AST_IDENT || !field)
		return;
	check_field(l, n, n->a->text, field);
	check_request_data(l, n, n->a->text, field);
}

static void check_string(struct lint *l, const struct ast_node *n,
			 struct place p)
{
	int quoted = n->quote == '\'' || n->quote == '"';

	if (quoted && has_pair(n->text, n->len, "${")) {
		report(l, CHECK_TEMPLATE_IN_QUOTES, n->start, n->end,
		       "'${' in a quoted string is not interpolated; use a "
		       "template string in backquotes");
		return;
	}
	if (p.get_depth > 0 && has_pair(n->text, n->len, "$("))
		report(l, CHECK_FIREBASE_SYNTAX, n->start, n->end,
		       "'$(...)' in a get() path is not interpolated; use a "
		       "template string in backquotes with '${...}'");
}

/* Is N arithmetic: - * / %, unary - and + on anything but a number
 * literal, or '+' with a number and no string among its operands? */
static int is_arithmetic(const struct lint *l, const struct ast_node *n)
{
	enum exprlint_type ta, tb;

	if (n->kind == AST_UNARY)
		return n->op != AST_OP_NOT && n->a->kind != AST_NUMBER;
	if (n->kind != AST_BINARY)
		return 0;
	switch (n->op) {
	case AST_OP_SUB:
	case AST_OP_MUL:
	case AST_OP_DIV:
	case AST_OP_MOD:
		return 1;
	case AST_OP_ADD:
		ta = type_of(l, n->a, EXPRLINT_TYPE_DEPTH);
		tb = type_of(l, n->b, EXPRLINT_TYPE_DEPTH);
		return !is_stringy(ta) && !is_stringy(tb) &&
		       (ta == EXPRLINT_NUMBER || tb == EXPRLINT_NUMBER);
	default:
		return 0;
	}
}

/* One finding per arithmetic expression: 'now - a - b' is one. */
static int check_arithmetic(struct lint *l, const struct ast_node *n,
			    struct place p)
{
	if (!is_arithmetic(l, n))
		return 0;
	if (!p.in_arith)
		report(l, CHECK_UNSUPPORTED_CONSTRUCT, n->start, n->end,
		       "arithmetic '%s' is not supported", op_symbol(n->op));
	return 1;
}

static void check_strict(struct lint *l, const struct ast_node *n)
{
	if (n->op == AST_OP_SEQ)
		report(l, CHECK_STRICT_EQUALITY, n->start, n->end,
		       "'===' is treated as '=='");
	else if (n->op == AST_OP_SNE)
		report(l, CHECK_STRICT_EQUALITY, n->start, n->end,
		       "'!==' is treated as '!='");
}

static void check_login_literal(struct lint *l, const struct ast_node *s)
{
	char text[EXPRLINT_SHOW + 4];
	const char *hint;

	if (s->kind != AST_STRING || (strlen(s->text) == s->len &&
	    in_list(s->text, login_types, COUNT(login_types))))
		return;
	show(text, s->text, s->len);
	hint = hint_nearest(s->text, login_types, COUNT(login_types));
	if (hint)
		report(l, CHECK_UNKNOWN_LOGIN_TYPE, s->start, s->end,
		       "'%s' is not a login type; did you mean '%s'?", text,
		       hint);
	else
		report(l, CHECK_UNKNOWN_LOGIN_TYPE, s->start, s->end,
		       "'%s' is not a login type; the login types are "
		       "WECHAT_PUBLIC, WECHAT_OPEN, ANONYMOUS, EMAIL and CUSTOM",
		       text);
}

static void check_login_type(struct lint *l, const struct ast_node *n)
{
	size_t i;

	switch (n->op) {
	case AST_OP_EQ:
	case AST_OP_NE:
	case AST_OP_SEQ:
	case AST_OP_SNE:
		if (is_login_type(l, n->a))
			check_login_literal(l, n->b);
		else if (is_login_type(l, n->b))
			check_login_literal(l, n->a);
		break;
	case AST_OP_IN:
		if (!is_login_type(l, n->a) || n->b->kind != AST_ARRAY)
			break;
		for (i = 0; i < n->b->nlist; i++)
			check_login_literal(l, n->b->list[i]);
		break;
	default:
		break;
	}
}

/* <, <=, >, >=: undefined converts to NaN, and so does a string that is
 * not numeric, so the comparison is false whatever the other side. */
static void check_order(struct lint *l, const struct ast_node *n,
			enum exprlint_type ta, enum exprlint_type tb)
{
	if (ta == EXPRLINT_UNDEFINED || tb == EXPRLINT_UNDEFINED)
		report(l, CHECK_TYPE_MISMATCH, n->start, n->end,
		       "comparison with undefined can never be true");
	else if ((ta == EXPRLINT_NUMBER && never_numeric(n->b, tb)) ||
		 (tb == EXPRLINT_NUMBER && never_numeric(n->a, ta)))
		report(l, CHECK_TYPE_MISMATCH, n->start, n->end,
		       "comparison of %s with %s can never be true",
		       type_name(ta), type_name(tb));
}

/* ==: a number equals neither a non-numeric string nor null/undefined.
 * Identity strings are not judged: '3' == 3 holds in JavaScript. */
static void check_equal(struct lint *l, const struct ast_node *n,
			enum exprlint_type ta, enum exprlint_type tb)
{
	int a_num = ta == EXPRLINT_NUMBER, b_num = tb == EXPRLINT_NUMBER;
	int a_none = ta == EXPRLINT_NULL || ta == EXPRLINT_UNDEFINED;
	int b_none = tb == EXPRLINT_NULL || tb == EXPRLINT_UNDEFINED;

	if ((a_num && tb == EXPRLINT_STRING && never_numeric(n->b, tb)) ||
	    (b_num && ta == EXPRLINT_STRING && never_numeric(n->a, ta)) ||
	    (a_num && b_none) || (b_num && a_none))
		report(l, CHECK_TYPE_MISMATCH, n->start, n->end,
		       "comparison of %s with %s can never be true",
		       type_name(ta), type_name(tb));
}

static void check_types(struct lint *l, const struct ast_node *n)
{
	enum exprlint_type ta = type_of(l, n->a, EXPRLINT_TYPE_DEPTH);
	enum exprlint_type tb = type_of(l, n->b, EXPRLINT_TYPE_DEPTH);

	switch (n->op) {
	case AST_OP_LT:
	case AST_OP_LE:
	case AST_OP_GT:
	case AST_OP_GE:
		check_order(l, n, ta, tb);
		break;
	case AST_OP_EQ:
	case AST_OP_SEQ:
		check_equal(l, n, ta, tb);
		break;
	case AST_OP_IN:
		if (tb != EXPRLINT_UNKNOWN && tb != EXPRLINT_ARRAY)
			report(l, CHECK_TYPE_MISMATCH, n->start, n->end,
			       "'in' with %s on its right can never be true",
			       type_name(tb));
		break;
	default:
		break;
	}
}

/* ---- get() -------------------------------------------------------------- */

/* The static text of a get() path, computed parts as EXPRLINT_HOLE. */
struct path {
	char text[EXPRLINT_PATH_MAX];
	size_t len;
	int overflow;
};

static void path_add(struct path *p, const char *s, size_t n)
{
	if (p->len + n >= sizeof(p->text)) {
		p->overflow = 1;
		return;
	}
	memcpy(p->text + p->len, s, n);
	p->len += n;
}

static void path_collect(struct path *p, const struct ast_node *n,
			 unsigned budget)
{
	size_t i;

	if (n->kind == AST_STRING) {
		path_add(p, n->text, n->len);
	} else if (n->kind == AST_TEMPLATE) {
		for (i = 0; i < n->nlist; i++)
			path_collect(p, n->list[i], 1);
	} else if (n->kind == AST_BINARY && n->op == AST_OP_ADD && budget) {
		path_collect(p, n->a, budget - 1);
		path_collect(p, n->b, budget - 1);
	} else {
		path_add(p, (char[]){EXPRLINT_HOLE}, 1);
	}
}

static size_t count_byte(const char *s, size_t n, char c)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

/* What is wrong with the path S (N bytes), or NULL when nothing is
 * certain.  A computed part may add dots, never remove them. */
static const char *path_fault(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);
	size_t first = dot ? (size_t)(dot - s) : n, dots, i;
	int holes = memchr(s, EXPRLINT_HOLE, n) != NULL;

	if (memchr(s, EXPRLINT_HOLE, first) || has_pair(s, n, "${") ||
	    has_pair(s, n, "$("))
		return NULL;
	if (first != 8 || memcmp(s, "database", 8) != 0)
		return "does not start with 'database.'";
	dots = count_byte(s, n, '.');
	if (dots >= 3)
		return "names a field; a path is 'database.<collection>.<id>'";
	for (i = 1; i < n; i++)
		if (s[i] == '.' && s[i - 1] == '.')
			return "is not 'database.<collection>.<id>'";
	if (s[n - 1] == '.' || (dots < 2 && !holes))
		return "has no document id";
	return NULL;
}

/* S with holes shown as ${...}, cut to a quotable length. */
static const char *show_path(char out[EXPRLINT_SHOW + 4], const char *s,
			     size_t n)
{
	char buf[EXPRLINT_SHOW * 2];
	size_t i, k = 0;

	for (i = 0; i < n && k + 7 < sizeof(buf); i++) {
		if (s[i] == EXPRLINT_HOLE) {
			memcpy(buf + k, "${...}", 6);
			k += 6;
		} else {
			buf[k++] = s[i] ? s[i] : '?';
		}
	}
	return show(out, buf, k);
}

static void check_get_path(struct lint *l, const struct ast_node *arg)
{
	struct path p = {.len = 0, .overflow = 0};
	char text[EXPRLINT_SHOW + 4];
	const char *fault;

	if (arg->kind != AST_STRING && arg->kind != AST_TEMPLATE &&
	    !(arg->kind == AST_BINARY && arg->op == AST_OP_ADD))
		return;
	path_collect(&p, arg, EXPRLINT_TYPE_DEPTH);
	if (p.overflow || p.len == 0)
		return;
	fault = path_fault(p.text, p.len);
	if (fault)
		report(l, CHECK_GET_LIMITS, arg->start, arg->end,
		       "get() path '%s' %s", show_path(text, p.text, p.len),
		       fault);
}

static void check_get(struct lint *l, const struct ast_node *n,
		      struct place p)
{
	if (++l->gets == EXPRLINT_MAX_GETS + 1)
		report(l, CHECK_GET_LIMITS, n->start, n->end,
		       "more than %d get() calls in one expression",
		       EXPRLINT_MAX_GETS);
	if (p.get_depth == EXPRLINT_MAX_GET_NESTING)
		report(l, CHECK_GET_LIMITS, n->start, n->end,
		       "get() nested more than %d deep",
		       EXPRLINT_MAX_GET_NESTING);
	if (n->nlist != 1)
		report(l, CHECK_GET_LIMITS, n->start, n->end,
		       "get() takes one argument, the document path, not %zu",
		       n->nlist);
	else
		check_get_path(l, n->list[0]);
}

/* ---- the walk ----------------------------------------------------------- */

static void walk(struct lint *l, const struct ast_node *n, struct place p);

static struct place child(struct place p)
{
	p.depth++;
	p.in_chain = 0;
	p.compared = 0;
	p.in_call = 0;
	p.in_arith = 0;
	return p;
}

/* The items of N at place P, which may carry in_call. */
static void walk_items(struct lint *l, const struct ast_node *n,
		       struct place p)
{
	size_t i;

	for (i = 0; i < n->nlist; i++)
		walk(l, n->list[i], p);
}

static void walk_list(struct lint *l, const struct ast_node *n,
		      struct place p)
{
	walk_items(l, n, child(p));
}

static int is_regex_test(const struct ast_node *callee)
{
	return callee->kind == AST_MEMBER && callee->a->kind == AST_REGEX &&
	       strcmp(callee->text, "test") == 0;
}

/* A call other than get() and <regex>.test(): reported from the method
 * name (or the whole call) through the closing parenthesis. */
static void report_call(struct lint *l, const struct ast_node *n)
{
	const struct ast_node *callee = n->a;
	char name[EXPRLINT_SHOW + 4];
	size_t start = n->start, len;

	if (callee->kind == AST_IDENT) {
		report(l, CHECK_UNSUPPORTED_CONSTRUCT, n->start, n->end,
		       "function call '%s()' is not supported in rules",
		       show(name, callee->text, strlen(callee->text)));
		return;
	}
	if (callee->kind != AST_MEMBER) {
		report(l, CHECK_UNSUPPORTED_CONSTRUCT, n->start, n->end,
		       "call of a computed function is not supported in rules");
		return;
	}
	len = strlen(callee->text);
	if (callee->end >= callee->start + len)
		start = callee->end - len;
	report(l, CHECK_UNSUPPORTED_CONSTRUCT, start, n->end,
	       "method call '.%s()' is not supported in rules",
	       show(name, callee->text, len));
}

static void walk_call(struct lint *l, const struct ast_node *n,
		      struct place p)
{
	const struct ast_node *callee = n->a;
	struct place args = child(p), object = child(p);

	object.in_chain = 1;
	if (is_ident(callee, "get")) {
		if (is_root(l, "get")) {
			check_get(l, n, p);
			args.get_depth++;
		} else {
			walk(l, callee, object);
		}
	} else if (is_regex_test(callee)) {
		if (l->kind == RULE_KIND_STORAGE && !p.compared)
			report(l, CHECK_REGEX_TEST_NOT_COMPARED, n->start,
			       n->end, "'.test()' should be compared with "
			       "'== true'");
	} else {
		report_call(l, n);
		args.in_call = 1;
		if (callee->kind == AST_MEMBER)
			walk(l, callee->a, object);
		else if (callee->kind != AST_IDENT)
			walk(l, callee, object);
	}
	walk_items(l, n, args);
}

/* A member access, index or call.  At the top of a chain the chain is
 * checked whole for Firebase syntax (newData.child('x').val()). */
static void walk_postfix(struct lint *l, const struct ast_node *n,
			 struct place p)
{
	const struct ast_node *root = n, *link = NULL;
	struct place object = child(p);

	if (!p.in_chain) {
		while (root->kind == AST_MEMBER || root->kind == AST_INDEX ||
		       root->kind == AST_CALL) {
			link = root;
			root = root->a;
		}
		if (root->kind == AST_IDENT &&
		    report_firebase(l, n, root->text, link_name(link)))
			return;
	}
	object.in_chain = 1;
	if (n->kind == AST_CALL) {
		walk_call(l, n, p);
		return;
	}
	check_access(l, n);
	walk(l, n->a, object);
	if (n->kind == AST_INDEX)
		walk(l, n->b, child(p));
}

static void walk_unary(struct lint *l, const struct ast_node *n,
		       struct place p)
{
	struct place pa = child(p);

	pa.in_arith = check_arithmetic(l, n, p);
	walk(l, n->a, pa);
}

static int is_true(const struct ast_node *n)
{
	return n->kind == AST_BOOL && n->boolean;
}

static void walk_binary(struct lint *l, const struct ast_node *n,
			struct place p)
{
	struct place pa = child(p), pb = child(p);

	pa.in_arith = pb.in_arith = check_arithmetic(l, n, p);
	check_strict(l, n);
	check_login_type(l, n);
	check_types(l, n);

	if (n->op == AST_OP_EQ || n->op == AST_OP_SEQ) {
		pa.compared = is_true(n->b);
		pb.compared = is_true(n->a);
	}
	walk(l, n->a, pa);
	walk(l, n->b, pb);
}

/* Constructs outside the rule language.  An arrow function's body is not
 * examined: its parameters would read as unknown variables.  An object or
 * a function passed to a call already reported is part of that call. */
static void walk_foreign(struct lint *l, const struct ast_node *n,
			 struct place p)
{
	size_t i;

	if (n->kind == AST_ARROW) {
		if (!p.in_call)
			report(l, CHECK_UNSUPPORTED_CONSTRUCT, n->start, n->end,
			       "arrow function is not supported");
		return;
	}
	if (n->kind == AST_COND) {
		report(l, CHECK_UNSUPPORTED_CONSTRUCT, n->start, n->end,
		       "conditional '?:' is not supported");
		walk(l, n->a, child(p));
		walk(l, n->b, child(p));
		walk(l, n->c, child(p));
		return;
	}
	if (!p.in_call)
		report(l, CHECK_UNSUPPORTED_CONSTRUCT, n->start, n->end,
		       "object literal is not supported");
	for (i = 0; i < n->nlist; i++)
		if (n->list[i]->kind == AST_PAIR)
			walk(l, n->list[i]->a, child(p));
}

static void walk(struct lint *l, const struct ast_node *n, struct place p)
{
	if (!n || p.depth > EXPRLINT_MAX_DEPTH)
		return;
	switch (n->kind) {
	case AST_IDENT:
		check_ident(l, n);
		break;
	case AST_STRING:
		check_string(l, n, p);
		break;
	case AST_TEMPLATE:
	case AST_ARRAY:
		walk_list(l, n, p);
		break;
	case AST_MEMBER:
	case AST_INDEX:
	case AST_CALL:
		walk_postfix(l, n, p);
		break;
	case AST_UNARY:
		walk_unary(l, n, p);
		break;
	case AST_BINARY:
		walk_binary(l, n, p);
		break;
	case AST_COND:
	case AST_ARROW:
	case AST_OBJECT:
		walk_foreign(l, n, p);
		break;
	default:
		break;
	}
}

void exprlint_check(struct diag_list *d, const struct rule_file *rf,
		    const struct rule_object *obj, const struct rule_value *v)
{
	struct lint l;
	struct place p = {0, 0, 0, 0, 0, 0};

	memset(&l, 0, sizeof(l));
	l.d = d;
	l.rf = rf;
	l.obj = obj;
	l.v = v;
	l.kind = obj->kind != RULE_KIND_UNKNOWN ? obj->kind : rf->kind;
	walk(&l, v->ast, p);
}
