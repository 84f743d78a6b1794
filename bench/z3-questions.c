/* The corpus questions of the engine benchmark, asked of Z3 as well: each
 * rule expression is encoded over a datatype of JavaScript values, the
 * conversions that a rule cannot pin down (ToNumber of a string, objects
 * compared with primitives, get() documents, regular expressions) being
 * uninterpreted functions.  Prints both times and their ratio.
 * Usage: z3-questions [-v] [-t SECONDS] FILE... */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <z3.h>

#include "memo.h"
#include "questions.h"

#define Z3Q_TIMEOUT_MS "10000"
#define Z3Q_SLOW 0.1		/* seconds: a slower question runs once */
#define Z3Q_MIN_RUNS 3
#define Z3Q_MAX_RUNS 1000

/* Objects: auth, doc, request, resource and request.data have fixed
 * identities; array literals get their own. */
enum {
	OBJ_AUTH,
	OBJ_DOC,
	OBJ_REQUEST,
	OBJ_RESOURCE,
	OBJ_DATA,
	OBJ_PROBE,
	OBJ_LITERALS = 100
};

/* The caller's identity values, and those of the probe caller. */
static const char *const identities[] = {
	"uid", "openid", "puid", "popenid"
};

/* Callers, numbered as in sym.h. */
static const char *const preamble =
	"(declare-datatypes () ((V undef null (bool (bv Bool))"
	" (num (nv Real)) (str (sv String)) (obj (ov Int)))))\n"
	"(declare-fun member (Int String) V)\n"
	"(declare-fun getdoc (String) V)\n"
	"(declare-fun strnum (String) Real)\n"
	"(declare-fun strnan (String) Bool)\n"
	"(declare-fun numstr (Real) String)\n"
	"(declare-fun objstr (Int) String)\n"
	"(declare-fun objnum (Int) Real)\n"
	"(declare-fun objnan (Int) Bool)\n"
	"(declare-fun objeq (Int V) Bool)\n"
	"(declare-fun plain (Int) Bool)\n"
	"(declare-fun hasin (V Int) Bool)\n"
	"(declare-fun addnum (V V) V)\n"
	"(declare-fun rx (Int String) Bool)\n"
	"(define-fun nullish ((x V)) Bool (or (is-undef x) (is-null x)))\n"
	"(define-fun truthy ((x V)) Bool (or (and (is-bool x) (bv x))"
	" (and (is-num x) (not (= (nv x) 0.0)))"
	" (and (is-str x) (not (= (sv x) \"\"))) (is-obj x)))\n"
	"(define-fun tostr ((x V)) String (ite (is-str x) (sv x)"
	" (ite (is-undef x) \"undefined\" (ite (is-null x) \"null\""
	" (ite (is-bool x) (ite (bv x) \"true\" \"false\")"
	" (ite (is-num x) (numstr (nv x)) (objstr (ov x))))))))\n"
	"(define-fun isnan ((x V)) Bool (or (is-undef x)"
	" (and (is-str x) (strnan (sv x))) (and (is-obj x) (objnan (ov x)))))\n"
	"(define-fun tonum ((x V)) Real (ite (is-num x) (nv x)"
	" (ite (is-bool x) (ite (bv x) 1.0 0.0) (ite (is-str x) (strnum (sv x))"
	" (ite (is-obj x) (objnum (ov x)) 0.0)))))\n"
	"(define-fun prim ((x V)) Bool (or (is-bool x) (is-num x) (is-str x)))\n"
	"(define-fun objprim ((o Int) (y V)) Bool (ite (plain o)"
	" (= y (str \"[object Object]\")) (objeq o y)))\n"
	"(define-fun seq ((x V) (y V)) Bool (or (and (nullish x) (= x y))"
	" (and (is-bool x) (is-bool y) (= (bv x) (bv y)))"
	" (and (is-num x) (is-num y) (= (nv x) (nv y)))"
	" (and (is-str x) (is-str y) (= (sv x) (sv y)))"
	" (and (is-obj x) (is-obj y) (= (ov x) (ov y)))))\n"
	"(define-fun leq ((x V) (y V)) Bool (or (and (nullish x) (nullish y))"
	" (and (not (nullish x)) (not (nullish y)) (seq x y))"
	" (and (prim x) (prim y) (not (and (is-str x) (is-str y)))"
	" (not (isnan x)) (not (isnan y)) (= (tonum x) (tonum y)))"
	" (and (is-obj x) (prim y) (objprim (ov x) y))"
	" (and (is-obj y) (prim x) (objprim (ov y) x))))\n"
	"(define-fun lt ((x V) (y V)) Bool (ite (and (is-str x) (is-str y))"
	" (str.< (sv x) (sv y))"
	" (and (not (isnan x)) (not (isnan y)) (< (tonum x) (tonum y)))))\n"
	"(define-fun le ((x V) (y V)) Bool (ite (and (is-str x) (is-str y))"
	" (str.<= (sv x) (sv y))"
	" (and (not (isnan x)) (not (isnan y)) (<= (tonum x) (tonum y)))))\n"
	"(declare-fun validpath (String) Bool)\n"
	"(define-fun hasopenid ((c Int)) Bool (and (>= c 1) (<= c 3)))\n"
	"(define-fun hasuid ((c Int)) Bool (>= c 2))\n";

/* ---- the text of one query ------------------------------------------------ */

struct smt {
	char *buf;
	size_t len, cap;
	unsigned next;		/* the next node number */
	int skip;		/* a construct that is not encoded */
	const char *auth;	/* vauth, or vprobe for the probe caller */
	int unrelated;		/* the identity is in no value */
	unsigned terms[256];	/* nodes that read doc or request.data */
	size_t nterms;
	unsigned gets[16];	/* get() results keyed by the identity */
	size_t ngets;
	unsigned regexes;
};

__attribute__((format(printf, 2, 3)))
static void emit(struct smt *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			exit(2);
		if ((size_t)n < s->cap - s->len)
			break;
		s->cap = 2 * s->cap + (size_t)n + 1;
		s->buf = realloc(s->buf, s->cap);
		if (!s->buf)
			exit(2);
	}
	s->len += (size_t)n;
}

/* TEXT as an SMT-LIB string literal. */
static void emit_string(struct smt *s, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	const unsigned char *end = p + len;
	unsigned long cp;
	int more;

	emit(s, "\"");
	while (p < end) {
		cp = *p++;
		more = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
		cp &= more ? 0x3Fu >> more : 0xFFu;
		while (more-- > 0 && p < end)
			cp = cp << 6 | (*p++ & 0x3Fu);
		if (cp == '"')
			emit(s, "\"\"");
		else if (cp >= 0x20 && cp < 0x7F && cp != '\\')
			emit(s, "%c", (int)cp);
		else
			emit(s, "\\u{%lx}", cp);
	}
	emit(s, "\"");
}

/* Declare the value and the error flag of node N. */
static unsigned fresh(struct smt *s)
{
	unsigned n = s->next++;

	emit(s, "(declare-const v%u V)(declare-const e%u Bool)\n", n, n);
	return n;
}

static unsigned encode(struct smt *s, const struct ast_node *n);

static int is_ident(const struct ast_node *n, const char *name)
{
	return n && n->kind == AST_IDENT && strcmp(n->text, name) == 0;
}

/* doc, request.data and resource, and what they hold: the values of
 * the request. */
static int is_record(const struct ast_node *n)
{
	if (is_ident(n, "doc") || is_ident(n, "resource"))
		return 1;
	if (n->kind == AST_MEMBER && is_ident(n->a, "request"))
		return strcmp(n->text, "data") == 0;
	return (n->kind == AST_MEMBER || n->kind == AST_INDEX) &&
	       is_record(n->a);
}

static unsigned encode_leaf(struct smt *s, const struct ast_node *n)
{
	unsigned r = fresh(s);

	emit(s, "(assert (not e%u))(assert (= v%u ", r, r);
	switch (n->kind) {
	case AST_UNDEFINED: emit(s, "undef"); break;
	case AST_NULL: emit(s, "null"); break;
	case AST_BOOL: emit(s, "(bool %s)", n->boolean ? "true" : "false");
		break;
	case AST_NUMBER: emit(s, "(num %.17g)", n->number); break;
	case AST_STRING:
		emit(s, "(str ");
		emit_string(s, n->text, n->len);
		emit(s, ")");
		break;
	default: emit(s, "undef"); s->skip = 1; break;
	}
	emit(s, "))\n");
	return r;
}

static unsigned encode_ident(struct smt *s, const struct ast_node *n)
{
	static const char *const roots[] = {
		"auth", "doc", "request", "resource", "now", "undefined"
	};
	unsigned r = fresh(s);
	size_t i;

	for (i = 0; i < 6 && !is_ident(n, roots[i]); i++)
		;
	if (i == 6) {
		emit(s, "(assert e%u)(assert (= v%u undef))\n", r, r);
		return r;
	}
	emit(s, "(assert (not e%u))(assert (= v%u ", r, r);
	if (i == 0)
		emit(s, "%s", s->auth);
	else if (i == 4)
		emit(s, "(num now)");
	else if (i == 5)
		emit(s, "undef");
	else
		emit(s, "(obj %zu)", i);
	emit(s, "))\n");
	return r;
}

/* A member read: KEY is an SMT string term, ERR further error terms
 * (each with a leading space) or "". */
static unsigned member_of(struct smt *s, unsigned a, const char *key,
			  const char *err)
{
	unsigned r = fresh(s);

	emit(s, "(assert (= e%u (or e%u%s (nullish v%u))))\n", r, a, err, a);
	emit(s, "(assert (= v%u (ite (is-obj v%u) (member (ov v%u) %s)"
	     " (ite (and (is-str v%u) (= %s \"length\"))"
	     " (num (to_real (str.len (sv v%u)))) undef))))\n", r, a, a, key,
	     a, key, a);
	return r;
}

static unsigned encode_member(struct smt *s, const struct ast_node *n)
{
	unsigned a = encode(s, n->a), r;
	struct smt key = { 0 };

	emit_string(&key, n->text, n->len);
	r = member_of(s, a, key.buf, "");
	free(key.buf);
	if (is_ident(n->a, "request") && strcmp(n->text, "data") != 0)
		emit(s, "(assert (= v%u undef))\n", r);
	if (is_record(n->a) && s->nterms < 256)
		s->terms[s->nterms++] = r;
	return r;
}

static unsigned encode_index(struct smt *s, const struct ast_node *n)
{
	unsigned a = encode(s, n->a), b = encode(s, n->b), r;
	char key[32], err[16];

	snprintf(key, sizeof(key), "(tostr v%u)", b);
	snprintf(err, sizeof(err), " e%u", b);
	r = member_of(s, a, key, err);
	if (is_record(n->a) && s->nterms < 256)
		s->terms[s->nterms++] = r;
	return r;
}

/* Both operands are evaluated, left first; either error is the node's. */
static unsigned both(struct smt *s, const struct ast_node *n, unsigned *a,
		     unsigned *b)
{
	unsigned r;

	*a = encode(s, n->a);
	*b = encode(s, n->b);
	r = fresh(s);
	emit(s, "(assert (= e%u (or e%u e%u)))\n", r, *a, *b);
	return r;
}

static int is_get(const struct ast_node *n)
{
	return n->kind == AST_CALL && is_ident(n->a, "get");
}

static unsigned encode_in(struct smt *s, const struct ast_node *n)
{
	unsigned a, b, r;
	size_t i;

	if (n->b->kind != AST_ARRAY) {
		a = encode(s, n->a);
		b = encode(s, n->b);
		r = fresh(s);
		emit(s, "(assert (= e%u (or e%u e%u (not (is-obj v%u)))))\n",
		     r, a, b, b);
		emit(s, "(assert (= v%u (bool (hasin v%u (ov v%u)))))\n", r, a,
		     b);
		for (i = 0; i < 4 && s->unrelated &&
			    (is_record(n->b) || is_get(n->b)); i++)
			emit(s, "(assert (not (hasin (str %s) (ov v%u))))\n",
			     identities[i], b);
		return r;
	}
	a = encode(s, n->a);
	{
		unsigned el[64], k = 0;

		for (i = 0; i < n->b->nlist && k < 64; i++)
			el[k++] = encode(s, n->b->list[i]);
		s->skip |= n->b->nlist > 64;
		r = fresh(s);
		emit(s, "(assert (= e%u (or e%u", r, a);
		for (i = 0; i < k; i++)
			emit(s, " e%u", el[i]);
		emit(s, ")))(assert (= v%u (bool (or false", r);
		for (i = 0; i < k; i++)
			emit(s, " (seq v%u v%u)", a, el[i]);
		emit(s, "))))\n");
	}
	return r;
}

static unsigned encode_logic(struct smt *s, const struct ast_node *n)
{
	unsigned a = encode(s, n->a), b = encode(s, n->b), r = fresh(s);
	char go[48];

	/* the right operand runs when the left one does not decide */
	snprintf(go, sizeof(go), n->op == AST_OP_AND ? "(truthy v%u)" :
		 "(not (truthy v%u))", a);
	emit(s, "(assert (= e%u (or e%u (and %s e%u))))\n", r, a, go, b);
	emit(s, "(assert (= v%u (ite %s v%u v%u)))\n", r, go, b, a);
	return r;
}

static unsigned encode_binary(struct smt *s, const struct ast_node *n)
{
	static const char *const cmp[] = {
		[AST_OP_EQ] = "(leq", [AST_OP_SEQ] = "(leq",
		[AST_OP_NE] = "(not (leq", [AST_OP_SNE] = "(not (leq",
		[AST_OP_LT] = "(lt", [AST_OP_LE] = "(le",
		[AST_OP_GT] = "(lt", [AST_OP_GE] = "(le"
	};
	unsigned a, b, r, t;

	if (n->op == AST_OP_AND || n->op == AST_OP_OR)
		return encode_logic(s, n);
	if (n->op == AST_OP_IN)
		return encode_in(s, n);
	r = both(s, n, &a, &b);
	if (n->op == AST_OP_ADD) {
		emit(s, "(assert (= v%u (ite (or (is-str v%u) (is-str v%u))"
		     " (str (str.++ (tostr v%u) (tostr v%u))) (addnum v%u v%u))))"
		     "\n", r, a, b, a, b, a, b);
		return r;
	}
	if (n->op >= sizeof(cmp) / sizeof(cmp[0]) || !cmp[n->op]) {
		s->skip = 1;
		return r;
	}
	if (n->op == AST_OP_GT || n->op == AST_OP_GE) {
		t = a;
		a = b;
		b = t;
	}
	emit(s, "(assert (= v%u (bool %s v%u v%u)%s)))\n", r, cmp[n->op], a,
	     b, n->op == AST_OP_NE || n->op == AST_OP_SNE ? ")" : "");
	return r;
}

static unsigned encode_not(struct smt *s, const struct ast_node *n)
{
	unsigned a = encode(s, n->a), r = fresh(s);

	s->skip |= n->op != AST_OP_NOT;
	emit(s, "(assert (= e%u e%u))(assert (= v%u (bool (not (truthy v%u)))))"
	     "\n", r, a, r, a);
	return r;
}

/* Whether the literal path P is database.<collection>.<id>. */
static int path_valid(const struct ast_node *p)
{
	const char *rest = p->text + 9, *dot;

	if (p->len < 9 || strncmp(p->text, "database.", 9) != 0 ||
	    strlen(p->text) != p->len)
		return 0;
	dot = strchr(rest, '.');
	return dot && dot > rest && dot[1] && !strchr(dot + 1, '.');
}

static int reads_identity(const struct ast_node *n)
{
	size_t i;

	if (!n)
		return 0;
	if (n->kind == AST_MEMBER && is_ident(n->a, "auth") &&
	    (strcmp(n->text, "uid") == 0 || strcmp(n->text, "openid") == 0))
		return 1;
	if (reads_identity(n->a) || reads_identity(n->b))
		return 1;
	for (i = 0; i < n->nlist; i++)
		if (reads_identity(n->list[i]))
			return 1;
	return 0;
}

/* get(path): null or an object; documents whose path is built from the
 * identity are absent in the classes below role.  Whether a path is
 * well formed is left open. */
static unsigned encode_get(struct smt *s, const struct ast_node *n)
{
	unsigned p, r;

	if (n->nlist != 1) {
		r = fresh(s);
		emit(s, "(assert e%u)\n", r);
		return r;
	}
	p = encode(s, n->list[0]);
	r = fresh(s);
	emit(s, "(assert (= e%u (or e%u (not (is-str v%u))"
	     " (not (validpath (sv v%u))))))\n", r, p, p, p);
	emit(s, "(assert (= v%u (getdoc (sv v%u))))(assert (or (is-null v%u)"
	     " (and (is-obj v%u) (plain (ov v%u)))))\n", r, p, r, r, r);
	if (n->list[0]->kind == AST_STRING)
		emit(s, "(assert (= (validpath (sv v%u)) %s))\n", p,
		     path_valid(n->list[0]) ? "true" : "false");
	if (reads_identity(n->list[0]) && s->ngets < 16)
		s->gets[s->ngets++] = r;
	return r;
}

static unsigned encode_test(struct smt *s, const struct ast_node *n)
{
	unsigned a = encode(s, n->list[0]), r = fresh(s);

	emit(s, "(assert (= e%u e%u))(assert (= v%u (bool (rx %u (tostr v%u)))))"
	     "\n", r, a, r, s->regexes++, a);
	return r;
}

/* get() and regex tests; every other call is an evaluation error. */
static unsigned encode_call(struct smt *s, const struct ast_node *n)
{
	unsigned r;

	if (is_ident(n->a, "get"))
		return encode_get(s, n);
	if (n->a && n->a->kind == AST_MEMBER && n->a->a->kind == AST_REGEX &&
	    strcmp(n->a->text, "test") == 0 && n->nlist == 1)
		return encode_test(s, n);
	r = fresh(s);
	emit(s, "(assert e%u)(assert (= v%u undef))\n", r, r);
	return r;
}

static unsigned encode_template(struct smt *s, const struct ast_node *n)
{
	unsigned parts[64], r;
	size_t i, k = 0;

	for (i = 0; i < n->nlist && k < 64; i++)
		parts[k++] = encode(s, n->list[i]);
	s->skip |= n->nlist > 64;
	r = fresh(s);
	emit(s, "(assert (= e%u (or false", r);
	for (i = 0; i < k; i++)
		emit(s, " e%u", parts[i]);
	emit(s, ")))(assert (= v%u (str (str.++ \"\"", r);
	for (i = 0; i < k; i++)
		emit(s, " (tostr v%u)", parts[i]);
	emit(s, "))))\n");
	return r;
}

static unsigned encode_array(struct smt *s, const struct ast_node *n)
{
	unsigned r;
	size_t i;

	for (i = 0; i < n->nlist; i++)
		encode(s, n->list[i]);
	r = fresh(s);
	emit(s, "(assert (not e%u))(assert (= v%u (obj %u)))\n", r, r,
	     OBJ_LITERALS + r);
	return r;
}

static unsigned encode(struct smt *s, const struct ast_node *n)
{
	switch (n->kind) {
	case AST_IDENT: return encode_ident(s, n);
	case AST_MEMBER: return encode_member(s, n);
	case AST_INDEX: return encode_index(s, n);
	case AST_BINARY: return encode_binary(s, n);
	case AST_UNARY: return encode_not(s, n);
	case AST_CALL: return encode_call(s, n);
	case AST_TEMPLATE: return encode_template(s, n);
	case AST_ARRAY: return encode_array(s, n);
	default: return encode_leaf(s, n);
	}
}

/* ---- the request and the question ---------------------------------------- */

static const char *const class_callers[] = {
	[SYM_PUBLIC] = "(= c 0)",
	[SYM_ANONYMOUS] = "(= c 4)",
	[SYM_ANY_USER] = "(or (= c 1) (= c 2) (= c 3) (= c 5) (= c 6))",
	[SYM_ROLE] = "(or (= c 1) (= c 2) (= c 3) (= c 5) (= c 6))",
	[SYM_ANY] = "(and (>= c 0) (<= c 6))"
};

static void emit_request(struct smt *s, const struct question *q)
{
	int data = strcmp(q->op, "create") == 0 || strcmp(q->op, "update") == 0;

	emit(s, "(declare-const c Int)(declare-const uid String)"
	     "(declare-const openid String)(declare-const now Real)"
	     "(declare-const vauth V)(declare-const vprobe V)"
	     "(declare-const puid String)(declare-const popenid String)\n");
	emit(s, "(assert %s)\n", class_callers[q->cls]);
	emit(s, "(assert (= vauth (ite (= c 0) null (obj %d))))\n", OBJ_AUTH);
	emit(s, "(assert (= vprobe (ite (= c 0) null (obj %d))))\n",
	     OBJ_PROBE);
	emit(s, "(assert (= (member %d \"openid\") (str (ite (hasopenid c)"
	     " openid popenid))))\n", OBJ_PROBE);
	emit(s, "(assert (= (member %d \"uid\") (str (ite (hasuid c) uid"
	     " puid))))\n", OBJ_PROBE);
	emit(s, "(assert (= (member %d \"loginType\") (member %d"
	     " \"loginType\")))\n", OBJ_PROBE, OBJ_AUTH);
	emit(s, "(assert (= (member %d \"openid\") (ite (hasopenid c)"
	     " (str openid) undef)))\n", OBJ_AUTH);
	emit(s, "(assert (= (member %d \"uid\") (ite (hasuid c) (str uid)"
	     " undef)))\n", OBJ_AUTH);
	emit(s, "(assert (= (member %d \"loginType\") (ite (= c 2)"
	     " (str \"WECHAT_PUBLIC\") (ite (= c 3) (str \"WECHAT_OPEN\")"
	     " (ite (= c 4) (str \"ANONYMOUS\") (ite (= c 5) (str \"EMAIL\")"
	     " (ite (= c 6) (str \"CUSTOM\") undef)))))))\n", OBJ_AUTH);
	emit(s, "(assert (= (member %d \"data\") %s))\n", OBJ_REQUEST,
	     data ? "(obj 4)" : "undef");
	emit(s, "(assert (strnan uid))(assert (strnan openid))"
	     "(assert (strnan puid))(assert (strnan popenid))"
	     "(assert (distinct uid openid puid popenid))\n");
	emit(s, "(assert (and (plain %d) (plain %d) (plain %d) (plain %d)"
	     " (plain %d) (plain %d)))\n", OBJ_AUTH, OBJ_DOC, OBJ_REQUEST,
	     OBJ_RESOURCE, OBJ_DATA, OBJ_PROBE);
	emit(s, "(assert (not (is-undef (member %d \"_id\"))))"
	     "(assert (not (is-undef (member %d \"_openid\"))))"
	     "(assert (not (is-undef (member %d \"openid\"))))\n", OBJ_DOC,
	     OBJ_DOC, OBJ_RESOURCE);
}

static void collect_strings(struct smt *s, const struct ast_node *n)
{
	size_t i;

	if (!n)
		return;
	if (n->kind == AST_STRING) {
		emit(s, "(assert (not (or");
		for (i = 0; i < 4; i++) {
			emit(s, " (= %s ", identities[i]);
			emit_string(s, n->text, n->len);
			emit(s, ")");
		}
		emit(s, ")))\n");
	}
	collect_strings(s, n->a);
	collect_strings(s, n->b);
	collect_strings(s, n->c);
	for (i = 0; i < n->nlist; i++)
		collect_strings(s, n->list[i]);
}

/* The class's restrictions on the identity (sym.h). */
static void emit_identity(struct smt *s, const struct question *q)
{
	size_t i, k;

	collect_strings(s, q->expr);
	for (i = 0; i < s->nterms && q->cls != SYM_ANY; i++)
		for (k = 0; k < 4; k++)
			emit(s, "(assert (not (leq v%u (str %s))))\n",
			     s->terms[i], identities[k]);
	for (i = 0; i < s->ngets && q->cls < SYM_ROLE; i++)
		emit(s, "(assert (is-null v%u))\n", s->gets[i]);
}

static void emit_want(struct smt *s, enum sym_want want, unsigned top)
{
	if (want == SYM_WANT_ALLOW)
		emit(s, "(assert (and (not e%u) (truthy v%u)))\n", top, top);
	else if (want == SYM_WANT_FALSE)
		emit(s, "(assert (and (not e%u) (not (truthy v%u))))\n", top,
		     top);
	else
		emit(s, "(assert (or e%u (not (truthy v%u))))\n", top, top);
}

/* The query text for Q, or NULL when Q uses what is not encoded.  A
 * caller lacking an identity field belongs to the class only when the
 * outcome is the same with a fresh value in the field (the probe caller,
 * as the engine has it), so the expression is encoded for both. */
static char *query_text(const struct question *q)
{
	struct smt s = { 0 };

	s.unrelated = q->cls != SYM_ANY;
	emit(&s, "(push 1)\n");
	emit_request(&s, q);
	s.auth = "vauth";
	emit_want(&s, q->want, encode(&s, q->expr));
	s.auth = "vprobe";
	emit_want(&s, q->want, encode(&s, q->expr));
	emit_identity(&s, q);
	emit(&s, "(check-sat)\n(pop 1)\n");
	if (s.skip) {
		free(s.buf);
		return NULL;
	}
	return s.buf;
}

/* ---- timing ---------------------------------------------------------------- */

static const char *const want_names[] = { "allow", "deny", "false" };
static const char *const answer_names[] = {
	"unsat", "sat", "unknown", "error"
};
static int verbose;

struct z3q {
	Z3_context ctx;
	int failed;
};

static struct z3q z3;

static void z3_error(Z3_context ctx, Z3_error_code e)
{
	(void)ctx;
	(void)e;
	z3.failed = 1;
}

static void z3_start(void)
{
	Z3_config cfg;

	Z3_global_param_set("timeout", Z3Q_TIMEOUT_MS);
	cfg = Z3_mk_config();
	z3.ctx = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	Z3_set_error_handler(z3.ctx, z3_error);
	Z3_eval_smtlib2_string(z3.ctx, preamble);
	if (z3.failed) {
		fprintf(stderr, "z3-questions: the preamble is rejected\n");
		exit(2);
	}
}

/* 0 unsat, 1 sat, 2 unknown, 3 error */
static int z3_ask(const char *text)
{
	const char *out;

	z3.failed = 0;
	out = Z3_eval_smtlib2_string(z3.ctx, text);
	if (z3.failed) {
		Z3_eval_smtlib2_string(z3.ctx, "(reset)");
		Z3_eval_smtlib2_string(z3.ctx, preamble);
		return 3;
	}
	if (strncmp(out, "unsat", 5) == 0)
		return 0;
	return strncmp(out, "sat", 3) == 0 ? 1 : 2;
}

static void z3_once(void *arg)
{
	z3_ask(arg);
}

static void engine_once(void *arg)
{
	questions_solve(arg);
}

struct tally {
	double *engine, *z3;
	size_t n, skipped;
	unsigned long agree[4][4];	/* [engine][z3] */
};

static void bench_question(struct tally *t, const struct question *q,
			   double min_seconds)
{
	char *text = query_text(q);
	double t0;
	int e, z;

	if (!text) {
		t->skipped++;
		return;
	}
	e = questions_solve(q);
	t0 = questions_clock();
	z = z3_ask(text);
	t0 = questions_clock() - t0;
	t->agree[e][z]++;
	t->engine[t->n] = questions_time(engine_once, (void *)q, min_seconds,
					 Z3Q_MIN_RUNS, Z3Q_MAX_RUNS);
	t->z3[t->n++] = t0 > Z3Q_SLOW ? t0 * 1e6 :
			questions_time(z3_once, text, min_seconds,
				       Z3Q_MIN_RUNS, Z3Q_MAX_RUNS);
	if (verbose)
		fprintf(stderr, "%9.1f us %9.1f us %s/%s %s/%s %s %s: %s\n",
			t->engine[t->n - 1], t->z3[t->n - 1], answer_names[e],
			answer_names[z], q->file, q->op,
			sym_class_name(q->cls), want_names[q->want], q->text);
	free(text);
}

static void print_agreement(const struct tally *t)
{
	int e, z;

	printf("answers (engine / z3):");
	for (e = 0; e < 4; e++)
		for (z = 0; z < 4; z++)
			if (t->agree[e][z])
				printf(" %s/%s %lu", answer_names[e],
				       answer_names[z],
				       t->agree[e][z]);
	printf("\n");
}

static void print_ratio(struct tally *t)
{
	struct questions_stats se, sz;

	questions_stats(t->engine, t->n, &se);
	questions_stats(t->z3, t->n, &sz);
	printf("engine  median %9.1f us  p99 %9.1f us  max %9.1f us  total "
	       "%9.1f ms\n", se.median, se.p99, se.max, se.total / 1000);
	printf("z3      median %9.1f us  p99 %9.1f us  max %9.1f us  total "
	       "%9.1f ms\n", sz.median, sz.p99, sz.max, sz.total / 1000);
	if (se.total > 0 && se.median > 0)
		printf("engine is %.1fx faster than Z3 in total, %.1fx on the "
		       "median question\n", sz.total / se.total,
		       sz.median / se.median);
}

int main(int argc, char **argv)
{
	static const enum sym_want wants[] = {
		SYM_WANT_ALLOW, SYM_WANT_FALSE
	};
	double min_seconds = 0.002;
	struct questions qs;
	struct tally t;
	size_t i;
	int opt;

	memo_set_enabled(0);	/* time the engine, not the memo */
	while ((opt = getopt(argc, argv, "t:v")) != -1) {
		if (opt == 'v') {
			verbose = 1;
			continue;
		}
		if (opt != 't') {
			fprintf(stderr, "usage: z3-questions [-v] [-t SECONDS] "
				"FILE...\n");
			return 2;
		}
		min_seconds = strtod(optarg, NULL);
	}
	memset(&qs, 0, sizeof(qs));
	questions_load(&qs, argv + optind, argc - optind, wants, 2);
	memset(&t, 0, sizeof(t));
	t.engine = calloc(qs.n + 1, sizeof(double));
	t.z3 = calloc(qs.n + 1, sizeof(double));
	if (!t.engine || !t.z3)
		return 2;
	z3_start();
	for (i = 0; i < qs.n; i++)
		bench_question(&t, &qs.v[i], min_seconds);
	printf("corpus: %zu questions, %zu encoded for Z3 %s (%zu use what "
	       "the encoding leaves out)\n", qs.n, t.n, Z3_get_full_version(),
	       t.skipped);
	print_agreement(&t);
	print_ratio(&t);
	free(t.engine);
	free(t.z3);
	Z3_del_context(z3.ctx);
	questions_free(&qs);
	return 0;
}
