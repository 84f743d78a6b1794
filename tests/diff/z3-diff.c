/* Differential test of the symbolic engine against Z3: random rule
 * expressions, the same satisfiability questions put to sym_solve and to
 * an independent Z3 encoding, every witness of either side checked with
 * the concrete evaluator and against its principal class.  Prints TAP. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ast.h"
#include "eval.h"
#include "gen.h"
#include "sym.h"
#include "z3enc.h"

#define DIFF_DEFAULT_COUNT 100000
#define DIFF_REPORTS 8		/* detailed reports per question */
#define DIFF_MINIMIZE 3		/* of which minimized */
#define DIFF_MINIMIZE_STEPS 200
#define DIFF_TIMEOUT_MS 10000

struct question {
	const char *name;
	enum rule_kind kind;
	const char *op;
	enum sym_class cls;
	enum sym_want want;
	int identity_free, identity_absent, fill_absent;
	int subgoal;		/* and a condition inside is false */
	unsigned every;		/* asked of every EVERY-th expression */
};

struct tally {
	unsigned long asked, sat, unsat, engine_unknown, engine_failed;
	unsigned long z3_unknown, unsupported;
	unsigned long engine_misses;	/* engine no, Z3 a confirmed yes */
	unsigned long z3_misses;	/* engine a confirmed yes, Z3 no */
	unsigned long bad_engine, bad_z3;	/* witnesses that fail */
	unsigned long reports, minimized;
	double engine_time, z3_time;
};

static const struct question questions[] = {
	{ "database read any allow", RULE_KIND_DATABASE, "read", SYM_ANY,
	  SYM_WANT_ALLOW, 0, 0, 0, 0, 1 },
	{ "database read any false", RULE_KIND_DATABASE, "read", SYM_ANY,
	  SYM_WANT_FALSE, 0, 0, 0, 0, 1 },
	{ "database read public allow", RULE_KIND_DATABASE, "read",
	  SYM_PUBLIC, SYM_WANT_ALLOW, 0, 0, 0, 0, 1 },
	{ "database read anonymous allow", RULE_KIND_DATABASE, "read",
	  SYM_ANONYMOUS, SYM_WANT_ALLOW, 0, 0, 0, 0, 1 },
	{ "database read any-user allow", RULE_KIND_DATABASE, "read",
	  SYM_ANY_USER, SYM_WANT_ALLOW, 0, 0, 0, 0, 1 },
	{ "database read role allow", RULE_KIND_DATABASE, "read", SYM_ROLE,
	  SYM_WANT_ALLOW, 0, 0, 0, 0, 2 },
	{ "database create any allow", RULE_KIND_DATABASE, "create", SYM_ANY,
	  SYM_WANT_ALLOW, 0, 0, 0, 0, 1 },
	{ "database create any false", RULE_KIND_DATABASE, "create", SYM_ANY,
	  SYM_WANT_FALSE, 0, 0, 0, 0, 1 },
	{ "database create public allow", RULE_KIND_DATABASE, "create",
	  SYM_PUBLIC, SYM_WANT_ALLOW, 0, 0, 0, 0, 1 },
	{ "database create anonymous allow", RULE_KIND_DATABASE, "create",
	  SYM_ANONYMOUS, SYM_WANT_ALLOW, 0, 0, 0, 0, 1 },
	{ "database create any-user allow", RULE_KIND_DATABASE, "create",
	  SYM_ANY_USER, SYM_WANT_ALLOW, 0, 0, 0, 0, 1 },
	{ "database read any deny", RULE_KIND_DATABASE, "read", SYM_ANY,
	  SYM_WANT_DENY, 0, 0, 0, 0, 2 },
	{ "database read any error", RULE_KIND_DATABASE, "read", SYM_ANY,
	  SYM_WANT_ERROR, 0, 0, 0, 0, 4 },
	{ "database read any allow, identity free", RULE_KIND_DATABASE,
	  "read", SYM_ANY, SYM_WANT_ALLOW, 1, 0, 0, 0, 2 },
	{ "database read any allow, identity absent", RULE_KIND_DATABASE,
	  "read", SYM_ANY, SYM_WANT_ALLOW, 0, 1, 0, 0, 2 },
	{ "database read any allow, fill absent", RULE_KIND_DATABASE,
	  "read", SYM_ANY, SYM_WANT_ALLOW, 0, 0, 1, 0, 2 },
	{ "database read anonymous allow, fill absent", RULE_KIND_DATABASE,
	  "read", SYM_ANONYMOUS, SYM_WANT_ALLOW, 0, 0, 1, 0, 2 },
	{ "database read any allow with a condition false",
	  RULE_KIND_DATABASE, "read", SYM_ANY, SYM_WANT_ALLOW, 0, 0, 0, 1, 2 },
	{ "storage read any allow", RULE_KIND_STORAGE, "read", SYM_ANY,
	  SYM_WANT_ALLOW, 0, 0, 0, 0, 1 },
	{ "storage read any false", RULE_KIND_STORAGE, "read", SYM_ANY,
	  SYM_WANT_FALSE, 0, 0, 0, 0, 1 },
	{ "storage read public allow", RULE_KIND_STORAGE, "read", SYM_PUBLIC,
	  SYM_WANT_ALLOW, 0, 0, 0, 0, 1 },
	{ "storage write anonymous allow", RULE_KIND_STORAGE, "write",
	  SYM_ANONYMOUS, SYM_WANT_ALLOW, 0, 0, 0, 0, 1 },
	{ "storage write any-user allow", RULE_KIND_STORAGE, "write",
	  SYM_ANY_USER, SYM_WANT_ALLOW, 0, 0, 0, 0, 1 },
};

#define NQUESTIONS (sizeof(questions) / sizeof(questions[0]))

/* Expressions on which the engine or the encoding once disagreed, asked
 * every question before the generated ones (by the first worker). */
static const struct fixed_case {
	enum rule_kind kind;
	const char *text;
} fixed_cases[] = {
	/* an unrelated identity is no key of an object either */
	{ RULE_KIND_DATABASE, "auth.uid in doc.arr" },
	/* any value may repeat the caller's login type */
	{ RULE_KIND_DATABASE, "auth.loginType in [true, doc.f1]" },
	{ RULE_KIND_DATABASE, "auth.loginType != doc._openid" },
	{ RULE_KIND_STORAGE, "resource.openid == auth.loginType" },
	/* a freed identity may be any literal, met through other values */
	{ RULE_KIND_DATABASE,
	  "auth.openid === auth.uid && auth.loginType == 'WECHAT_PUBLIC'" },
	{ RULE_KIND_DATABASE, "doc.f1 == 'x' && auth.uid == doc.f1" },
	/* no request holds the value filled in for an absent field */
	{ RULE_KIND_DATABASE, "auth.uid == doc.f4" },
	/* a creator without an openid may find its uid in doc._openid */
	{ RULE_KIND_DATABASE, "auth.uid == doc._openid" },
	/* on create doc._openid is the identity, compared by order */
	{ RULE_KIND_DATABASE,
	  "doc._openid < auth.loginType && (true || 1.5 == auth.openid)" },
	/* strings between others in the order */
	{ RULE_KIND_DATABASE,
	  "doc.f1 > doc.f2 && doc.f2 > doc.f3 && doc.f3 == 'b'" },
	{ RULE_KIND_DATABASE, "doc.f1 > 3 && doc.f1 < 'a'" },
	/* a numeral with a blank or a zero before it sorts elsewhere */
	{ RULE_KIND_DATABASE, "get('database.cfg.' + request.data.f1).role "
			      "<= '1' && get('database.cfg.' + "
			      "request.data.f1).role == 10" },
	/* a string literal reads as a number through blanks around it */
	{ RULE_KIND_DATABASE, "now > ' 2 '" },
	/* 'in' compares strictly: a numeral string differs from its number */
	{ RULE_KIND_STORAGE, "!(resource.path in [resource.openid, 0, null] "
			     "&& resource.path === 2)" },
	/* the universe has a string below the blank, as the engine has */
	{ RULE_KIND_DATABASE, "(true || true in [' 2 ', 1.5, 100]) && "
			      "doc.f1 < auth.openid && "
			      "get('database.cfg.' + doc.f1).open in doc.arr" },
	/* a string the pattern matches other than the example, a literal */
	{ RULE_KIND_STORAGE, "/^a/.test(resource.path) && "
			     "resource.openid === resource.path && "
			     "!(resource.openid in ['a', null, ' 2 '])" },
	/* the universe has the numerals around what true compares as */
	{ RULE_KIND_DATABASE, "doc.f1 > true && doc.f1 in doc.arr" },
	/* a numeral string equals false loosely, yet is not '' */
	{ RULE_KIND_STORAGE, "resource.path != '' && resource.path == false" },
	/* a string one anchored pattern matches and another does not */
	{ RULE_KIND_STORAGE, "!((/^[a-z]+\\//.test(resource.openid) == true "
			     "|| true === auth.openid) && "
			     "/^a/.test(resource.openid) == true)" },
	/* three patterns, each with its near strings: the universe fits */
	{ RULE_KIND_STORAGE,
	  "(resource.path && (resource.openid == "
	  "'WECHAT_PUBLIC' || "
	  "/^public\\//.test(resource.openid)) || (resource.path "
	  ">= 0 || /^a/.test(resource.path) == true) && "
	  "(/^[a-z]+\\//.test(resource.path) && "
	  "/^public\\//.test(resource.path) == true)) && "
	  "(/^a/.test(resource.path) === true && ('ANONYMOUS' "
	  "in ['b', 'a', resource.path] || "
	  "/^a/.test(resource.openid) || !(auth.loginType == "
	  "'WECHAT_OPEN')))" },
};

#define NFIXED (sizeof(fixed_cases) / sizeof(fixed_cases[0]))

struct options {
	unsigned long count;
	unsigned long long seed;
	long only;		/* one index, or -1 */
	const char *expr;	/* one expression given by hand */
	enum rule_kind kind;	/* its kind */
	unsigned timeout_ms;
	double slow;		/* show expressions Z3 spends longer on */
	unsigned jobs;		/* worker processes */
	unsigned long budget;	/* of the engine, per question; 0: its own */
	int dump;		/* show each Z3 problem in SMT-LIB */
	int verbose;
};

/* A request of either side, in the evaluator's terms. */
struct request {
	int caller;
	const cJSON *auth, *doc, *data;
	double now;
	struct eval_get *gets;
	size_t ngets;
};

/* One question about one expression, as both sides are asked it. */
struct ask {
	const struct question *q;
	const struct ast_node *root, *sub;
	enum rule_kind kind;
	struct sym_goal goals[2];
	struct z3enc_goal zgoals[2];
	size_t ngoals;
};

enum outcome {
	DIFF_AGREE,
	DIFF_ENGINE_MISSES,
	DIFF_Z3_MISSES,
	DIFF_BAD_ENGINE,
	DIFF_BAD_Z3,
	DIFF_UNDECIDED
};

/* What a run counts; workers send theirs back to the parent. */
struct totals {
	struct tally q[NQUESTIONS];
	unsigned long expressions, parse_failures, unsupported;
	double load_time;
};

static struct totals totals;
static struct z3enc *z3;
static int fixed_run;		/* asking the fixed cases */
static unsigned long budget;	/* the engine's, per question */

static double seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- printing expressions ------------------------------------------------ */

/* Text under construction; the subtree FROM is written as TO. */
struct text {
	char *p;
	size_t len, cap;
	const struct ast_node *from;
	const char *to;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = 2 * (t->len + n + 1);
		t->p = realloc(t->p, t->cap);
		if (!t->p)
			abort();
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static void puts_text(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

static void print_node(struct text *t, const struct ast_node *n);

static void print_quoted(struct text *t, const char *s, size_t len, char q)
{
	size_t i;

	put(t, &q, 1);
	for (i = 0; i < len; i++) {
		if (s[i] == q || s[i] == '\\')
			put(t, "\\", 1);
		put(t, s + i, 1);
	}
	put(t, &q, 1);
}

static void print_list(struct text *t, const struct ast_node *n,
		       const char *open, const char *close)
{
	size_t i;

	puts_text(t, open);
	for (i = 0; i < n->nlist; i++) {
		if (i)
			puts_text(t, ", ");
		print_node(t, n->list[i]);
	}
	puts_text(t, close);
}

static void print_template(struct text *t, const struct ast_node *n)
{
	size_t i;

	put(t, "`", 1);
	for (i = 0; i < n->nlist; i++) {
		if (n->list[i]->kind == AST_STRING) {
			put(t, n->list[i]->text, n->list[i]->len);
			continue;
		}
		puts_text(t, "${");
		print_node(t, n->list[i]);
		puts_text(t, "}");
	}
	put(t, "`", 1);
}

static void print_number(struct text *t, double d)
{
	char buf[40];

	snprintf(buf, sizeof(buf), "%.15g", d);
	if (strtod(buf, NULL) != d)
		snprintf(buf, sizeof(buf), "%.17g", d);
	puts_text(t, buf);
}

static const char *op_text(enum ast_op op)
{
	static const char *const ops[] = {
		[AST_OP_OR] = " || ", [AST_OP_AND] = " && ",
		[AST_OP_EQ] = " == ", [AST_OP_NE] = " != ",
		[AST_OP_SEQ] = " === ", [AST_OP_SNE] = " !== ",
		[AST_OP_LT] = " < ", [AST_OP_LE] = " <= ",
		[AST_OP_GT] = " > ", [AST_OP_GE] = " >= ",
		[AST_OP_IN] = " in ", [AST_OP_ADD] = " + ",
		[AST_OP_SUB] = " - ", [AST_OP_MUL] = " * ",
		[AST_OP_DIV] = " / ", [AST_OP_MOD] = " % ",
		[AST_OP_NOT] = "!", [AST_OP_NEG] = "-", [AST_OP_PLUS] = "+",
	};

	return op < sizeof(ops) / sizeof(ops[0]) && ops[op] ? ops[op] : " ? ";
}

static void print_leaf(struct text *t, const struct ast_node *n)
{
	switch (n->kind) {
	case AST_UNDEFINED:
		puts_text(t, "undefined");
		break;
	case AST_NULL:
		puts_text(t, "null");
		break;
	case AST_BOOL:
		puts_text(t, n->boolean ? "true" : "false");
		break;
	case AST_NUMBER:
		print_number(t, n->number);
		break;
	case AST_STRING:
		print_quoted(t, n->text, n->len, '\'');
		break;
	case AST_REGEX:
		put(t, "/", 1);
		put(t, n->text, n->len);
		put(t, "/", 1);
		puts_text(t, n->flags ? n->flags : "");
		break;
	case AST_IDENT:
		puts_text(t, n->text);
		break;
	default:
		puts_text(t, "<unprintable>");
		break;
	}
}

/* Text that parses back into N; binary operations are parenthesized. */
static void print_node(struct text *t, const struct ast_node *n)
{
	if (n == t->from) {
		puts_text(t, t->to);
		return;
	}
	switch (n->kind) {
	case AST_TEMPLATE:
		print_template(t, n);
		break;
	case AST_ARRAY:
		print_list(t, n, "[", "]");
		break;
	case AST_MEMBER:
		print_node(t, n->a);
		put(t, ".", 1);
		puts_text(t, n->text);
		break;
	case AST_INDEX:
		print_node(t, n->a);
		put(t, "[", 1);
		print_node(t, n->b);
		put(t, "]", 1);
		break;
	case AST_CALL:
		print_node(t, n->a);
		print_list(t, n, "(", ")");
		break;
	case AST_UNARY:
		puts_text(t, op_text(n->op));
		print_node(t, n->a);
		break;
	case AST_BINARY:
		put(t, "(", 1);
		print_node(t, n->a);
		puts_text(t, op_text(n->op));
		print_node(t, n->b);
		put(t, ")", 1);
		break;
	default:
		print_leaf(t, n);
		break;
	}
}

/* N as text, with the subtree FROM (when not NULL) written as TO. */
static char *print_replaced(const struct ast_node *n,
			    const struct ast_node *from, const char *to)
{
	struct text t = { NULL, 0, 0, from, to };

	puts_text(&t, "");
	print_node(&t, n);
	return t.p;
}

/* ---- checking a request -------------------------------------------------- */

static unsigned class_callers(enum sym_class cls)
{
	unsigned users = SYM_CALLERS_ALL & ~SYM_CALLER_BIT(SYM_CALLER_NONE) &
			 ~SYM_CALLER_BIT(SYM_CALLER_ANONYMOUS);

	switch (cls) {
	case SYM_PUBLIC:
		return SYM_CALLER_BIT(SYM_CALLER_NONE);
	case SYM_ANONYMOUS:
		return SYM_CALLER_BIT(SYM_CALLER_ANONYMOUS);
	case SYM_ANY_USER:
	case SYM_ROLE:
		return users;
	default:
		return SYM_CALLERS_ALL;
	}
}

static const char *const login_types[SYM_CALLER_COUNT] = {
	[SYM_CALLER_WECHAT_PUBLIC] = "WECHAT_PUBLIC",
	[SYM_CALLER_WECHAT_OPEN] = "WECHAT_OPEN",
	[SYM_CALLER_ANONYMOUS] = "ANONYMOUS",
	[SYM_CALLER_EMAIL] = "EMAIL",
	[SYM_CALLER_CUSTOM] = "CUSTOM",
};

static int has_openid(int c)
{
	return c == SYM_CALLER_MINIPROGRAM || c == SYM_CALLER_WECHAT_PUBLIC ||
	       c == SYM_CALLER_WECHAT_OPEN;
}

static int has_uid(int c)
{
	return c != SYM_CALLER_NONE && c != SYM_CALLER_MINIPROGRAM;
}

static const char *string_member(const cJSON *o, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(m) ? m->valuestring : NULL;
}

/* The values that stand for identity fields a caller lacks. */
#define PROBE_STEM "\001absent-"
#define PROBE_UID PROBE_STEM "uid"
#define PROBE_OPENID PROBE_STEM "openid"

/* The caller record has exactly the fields of the caller table, and
 * with FILL the identity fields it lacks, holding probe values. */
static const char *auth_shape(const struct request *r, int fill)
{
	const cJSON *a = r->auth;
	int c = r->caller, n = 0;

	if (c == SYM_CALLER_NONE)
		return a && !cJSON_IsNull(a) ? "auth is not null" : NULL;
	if (!cJSON_IsObject(a))
		return "auth is not a caller record";
	n += has_openid(c) + has_uid(c) + !!login_types[c];
	n += fill && !has_openid(c) && string_member(a, "openid") &&
	     strcmp(string_member(a, "openid"), PROBE_OPENID) == 0;
	n += fill && !has_uid(c) && string_member(a, "uid") &&
	     strcmp(string_member(a, "uid"), PROBE_UID) == 0;
	if (cJSON_GetArraySize(a) != n)
		return "auth has other fields than its caller's";
	if (has_openid(c) && !string_member(a, "openid"))
		return "auth lacks its openid";
	if (has_uid(c) && !string_member(a, "uid"))
		return "auth lacks its uid";
	if (login_types[c] && (!string_member(a, "loginType") ||
			       strcmp(string_member(a, "loginType"),
				      login_types[c]) != 0))
		return "auth has the wrong loginType";
	return NULL;
}

/* Whether V or a value inside it holds the string S, as a value or as
 * the key of a member (which 'x in obj' reads). */
static int holds_string(const cJSON *v, const char *s)
{
	const cJSON *c;

	if (!v || !s)
		return 0;
	if (cJSON_IsString(v) && strstr(v->valuestring, s))
		return 1;
	for (c = v->child; c; c = c->next)
		if ((cJSON_IsObject(v) && c->string && strstr(c->string, s)) ||
		    holds_string(c, s))
			return 1;
	return 0;
}

static int is_literal_text(const struct ast_node *n, const char *s)
{
	size_t i;

	if (!n)
		return 0;
	if (n->kind == AST_STRING && n->text && strlen(s) == n->len &&
	    memcmp(n->text, s, n->len) == 0)
		return 1;
	if (is_literal_text(n->a, s) || is_literal_text(n->b, s) ||
	    is_literal_text(n->c, s))
		return 1;
	for (i = 0; i < n->nlist; i++)
		if (is_literal_text(n->list[i], s))
			return 1;
	return 0;
}

static int creates(const struct ask *a)
{
	size_t i;

	for (i = 0; i < a->ngoals; i++)
		if (strcmp(a->goals[i].op, "create") == 0)
			return 1;
	return 0;
}

/* Whether DOC holds ID, leaving out doc._openid on create, which the
 * platform sets to the creator's openid. */
static int doc_holds(const struct ask *a, const cJSON *doc, const char *id)
{
	const cJSON *c;

	if (!cJSON_IsObject(doc))
		return holds_string(doc, id);
	for (c = doc->child; c; c = c->next)
		if (!(creates(a) && c->string &&
		      strcmp(c->string, "_openid") == 0) &&
		    holds_string(c, id))
			return 1;
	return 0;
}

/* The identity ID against the class of A. */
static const char *identity_check(const struct ask *a,
				  const struct request *r, const char *id)
{
	size_t i;

	if (!id)
		return NULL;
	if (!(a->q->cls == SYM_ANY && a->q->identity_free) &&
	    is_literal_text(a->root, id))
		return "the identity is a literal of the rule";
	if (a->q->cls == SYM_ANY || a->q->cls == SYM_PUBLIC)
		return NULL;
	if (holds_string(r->data, id) || doc_holds(a, r->doc, id))
		return "the request holds the identity";
	for (i = 0; i < r->ngets; i++)
		if (holds_string(r->gets[i].doc, id))
			return "a get() document holds the identity";
	return NULL;
}

static int keyed_path(const struct ask *a, const struct request *r,
		      const char *p, const char *uid, const char *openid)
{
	return (uid && strstr(p, uid)) || (openid && strstr(p, openid)) ||
	       strstr(p, PROBE_STEM) ||
	       (a->q->identity_absent && r->caller != SYM_CALLER_NONE &&
		strstr(p, "undefined"));
}

static const char *role_docs_check(const struct ask *a,
				   const struct request *r, const char *uid,
				   const char *openid)
{
	size_t i;

	if (a->q->cls >= SYM_ROLE)
		return NULL;
	for (i = 0; i < r->ngets; i++)
		if (keyed_path(a, r, r->gets[i].path, uid, openid) &&
		    r->gets[i].doc && !cJSON_IsNull(r->gets[i].doc))
			return "a document keyed by the identity is present";
	return NULL;
}

static const char *probe_check(const struct request *r)
{
	size_t i;

	if (holds_string(r->doc, PROBE_STEM) ||
	    holds_string(r->data, PROBE_STEM))
		return "the request holds a probe value";
	for (i = 0; i < r->ngets; i++)
		if (holds_string(r->gets[i].doc, PROBE_STEM))
			return "a get() document holds a probe value";
	return NULL;
}

/* Which identity fields N mentions: 1 uid, 2 openid. */
static unsigned reads_of(const struct ast_node *n)
{
	unsigned r = 0;
	size_t i;

	if (!n)
		return 0;
	if (n->kind == AST_MEMBER && n->a->kind == AST_IDENT &&
	    strcmp(n->a->text, "auth") == 0)
		r = strcmp(n->text, "uid") == 0 ? 1 :
		    strcmp(n->text, "openid") == 0 ? 2 : 0;
	r |= reads_of(n->a) | reads_of(n->b) | reads_of(n->c);
	for (i = 0; i < n->nlist; i++)
		r |= reads_of(n->list[i]);
	return r;
}

/* Unless the question admits them, a class holds no caller lacking an
 * identity field that the goals read. */
static int lacks_read_field(const struct ask *a, int caller)
{
	unsigned reads = 0;
	size_t i;

	if (a->q->identity_absent || a->q->fill_absent ||
	    caller == SYM_CALLER_NONE)
		return 0;
	for (i = 0; i < a->ngoals; i++)
		reads |= reads_of(a->goals[i].expr);
	return ((reads & 1) && !has_uid(caller)) ||
	       ((reads & 2) && !has_openid(caller));
}

/* Whether R is a request of A's class. */
static const char *class_check(const struct ask *a, const struct request *r)
{
	unsigned callers = class_callers(a->q->cls);
	const char *uid = string_member(r->auth, "uid");
	const char *openid = string_member(r->auth, "openid");
	const char *why;

	if (r->caller < 0 || r->caller >= SYM_CALLER_COUNT ||
	    !(callers & SYM_CALLER_BIT(r->caller)))
		return "the caller is not of the class";
	if (lacks_read_field(a, r->caller))
		return "the caller lacks an identity field the rule reads";
	why = auth_shape(r, a->q->fill_absent);
	if (!why)
		why = identity_check(a, r, uid);
	if (!why)
		why = identity_check(a, r, openid);
	if (!why)
		why = role_docs_check(a, r, uid, openid);
	if (!why)
		why = probe_check(r);
	return why;
}

static int has_data(const char *op)
{
	return strcmp(op, "create") == 0 || strcmp(op, "update") == 0;
}

static int wanted(const struct eval_outcome *out, enum sym_want want)
{
	switch (want) {
	case SYM_WANT_ALLOW:
		return out->verdict == EVAL_ALLOW;
	case SYM_WANT_DENY:
		return out->verdict == EVAL_DENY;
	case SYM_WANT_ERROR:
		return out->error;
	default:
		return out->verdict == EVAL_DENY && !out->error;
	}
}

/* Run the goals of A with the evaluator on R, whose caller record is
 * AUTH; NULL when all hold. */
static const char *run_goals(const struct ask *a, const struct request *r,
			     const cJSON *auth, const char *which)
{
	static char why[96];
	struct eval_request req;
	struct eval_outcome out;
	size_t i;

	for (i = 0; i < a->ngoals; i++) {
		memset(&req, 0, sizeof(req));
		req.op = a->goals[i].op;
		req.auth = auth;
		if (a->kind == RULE_KIND_STORAGE)
			req.resource = r->doc;
		else
			req.doc = r->doc;
		req.data = has_data(req.op) ? r->data : NULL;
		req.now = r->now;
		req.gets = r->gets;
		req.ngets = r->ngets;
		eval_expr(a->goals[i].expr, &req, &out);
		if (!wanted(&out, a->goals[i].want)) {
			snprintf(why, sizeof(why), "the evaluator denies goal "
				 "%zu %s", i + 1, which);
			return why;
		}
	}
	return NULL;
}

/* The goals must hold on R; with fill_absent the identity fields the
 * caller lacks hold probe values. */
static const char *goals_check(const struct ask *a, const struct request *r)
{
	const char *why;
	cJSON *filled;

	if (!a->q->fill_absent || !cJSON_IsObject(r->auth))
		return run_goals(a, r, r->auth, "on the request");
	filled = cJSON_Duplicate(r->auth, 1);
	if (!cJSON_GetObjectItemCaseSensitive(filled, "uid"))
		cJSON_AddStringToObject(filled, "uid", PROBE_UID);
	if (!cJSON_GetObjectItemCaseSensitive(filled, "openid"))
		cJSON_AddStringToObject(filled, "openid", PROBE_OPENID);
	why = run_goals(a, r, filled, "with the absent fields filled in");
	cJSON_Delete(filled);
	return why;
}

static const char *request_check(const struct ask *a, const struct request *r)
{
	const char *why = class_check(a, r);

	return why ? why : goals_check(a, r);
}

static struct request from_engine(const struct sym_witness *w)
{
	struct request r = { (int)w->caller, w->auth, w->doc, w->data, w->now,
			     NULL, w->ngets };
	size_t i;

	r.gets = calloc(w->ngets + 1, sizeof(*r.gets));
	if (!r.gets)
		abort();
	for (i = 0; i < w->ngets; i++) {
		r.gets[i].path = w->gets[i].path;
		r.gets[i].doc = w->gets[i].doc;
	}
	return r;
}

static struct request from_z3(const struct z3enc_witness *w)
{
	struct request r = { (int)w->caller, w->auth, w->doc, w->data, w->now,
			     NULL, w->ngets };
	size_t i;

	r.gets = calloc(w->ngets + 1, sizeof(*r.gets));
	if (!r.gets)
		abort();
	for (i = 0; i < w->ngets; i++) {
		r.gets[i].path = w->gets[i].path;
		r.gets[i].doc = w->gets[i].doc;
	}
	return r;
}

static char *request_text(const struct request *r)
{
	cJSON *o = cJSON_CreateObject(), *gets;
	char *text;
	size_t i;

	cJSON_AddStringToObject(o, "caller", sym_caller_name(r->caller));
	cJSON_AddItemToObject(o, "auth", r->auth ?
			      cJSON_Duplicate(r->auth, 1) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "doc", r->doc ? cJSON_Duplicate(r->doc, 1) :
			      cJSON_CreateObject());
	cJSON_AddItemToObject(o, "data", r->data ?
			      cJSON_Duplicate(r->data, 1) : cJSON_CreateNull());
	cJSON_AddNumberToObject(o, "now", r->now);
	gets = cJSON_AddObjectToObject(o, "get");
	for (i = 0; i < r->ngets; i++)
		cJSON_AddItemToObject(gets, r->gets[i].path,
				      r->gets[i].doc ?
				      cJSON_Duplicate(r->gets[i].doc, 1) :
				      cJSON_CreateNull());
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

/* ---- asking both sides --------------------------------------------------- */

/* The operands of && || ! under N, the conditions a rule is made of. */
static size_t conditions(const struct ast_node *n,
			 const struct ast_node **out, size_t max, size_t k)
{
	int logical = (n->kind == AST_BINARY &&
		       (n->op == AST_OP_AND || n->op == AST_OP_OR)) ||
		      (n->kind == AST_UNARY && n->op == AST_OP_NOT);

	if (!logical)
		return k;
	if (k < max)
		out[k++] = n->a;
	k = conditions(n->a, out, max, k);
	if (n->kind == AST_BINARY) {
		if (k < max)
			out[k++] = n->b;
		k = conditions(n->b, out, max, k);
	}
	return k;
}

/* Set up A for question Q on ROOT; 0 when Q is not asked of it. */
static int make_ask(struct ask *a, const struct question *q,
		    const struct ast_node *root, unsigned long index)
{
	const struct ast_node *conds[64];
	size_t n, i;

	memset(a, 0, sizeof(*a));
	a->q = q;
	a->root = root;
	a->kind = q->kind;
	a->goals[0].expr = root;
	a->goals[0].op = q->op;
	a->goals[0].want = q->want;
	a->ngoals = 1;
	if (q->subgoal) {
		n = conditions(root, conds, 64, 0);
		if (!n)
			return 0;
		a->sub = conds[index % n];
		a->goals[1].expr = a->sub;
		a->goals[1].op = q->op;
		a->goals[1].want = SYM_WANT_FALSE;
		a->ngoals = 2;
	}
	for (i = 0; i < a->ngoals; i++) {
		a->zgoals[i].expr = a->goals[i].expr;
		a->zgoals[i].op = a->goals[i].op;
		a->zgoals[i].want = a->goals[i].want;
	}
	return 1;
}

static enum sym_result ask_engine(const struct ask *a, struct sym_witness *w,
				  double *time)
{
	struct sym_query sq;
	enum sym_result r;
	double t0 = seconds();

	memset(&sq, 0, sizeof(sq));
	sq.kind = a->kind;
	sq.cls = a->q->cls;
	sq.identity_free = a->q->identity_free;
	sq.identity_absent = a->q->identity_absent;
	sq.fill_absent = a->q->fill_absent;
	sq.goals = a->goals;
	sq.ngoals = a->ngoals;
	sq.budget = budget;
	r = sym_solve(&sq, w);
	*time += seconds() - t0;
	return r;
}

static enum z3enc_result ask_z3(const struct ask *a,
				struct z3enc_witness *w, double *time)
{
	struct z3enc_question zq;
	enum z3enc_result r;
	double t0 = seconds();

	memset(&zq, 0, sizeof(zq));
	zq.cls = a->q->cls;
	zq.identity_free = a->q->identity_free;
	zq.identity_absent = a->q->identity_absent;
	zq.fill_absent = a->q->fill_absent;
	zq.goals = a->zgoals;
	zq.ngoals = a->ngoals;
	r = z3enc_ask(z3, &zq, w);
	*time += seconds() - t0;
	return r;
}

/* Both answers to one question and what they amount to. */
struct verdict {
	enum sym_result engine;
	enum z3enc_result z3;
	struct sym_witness ew;
	struct z3enc_witness zw;
	struct request ereq, zreq;
	const char *engine_why, *z3_why;	/* why a witness fails */
	enum outcome outcome;
};

static enum outcome judge(struct verdict *v)
{
	if (v->engine == SYM_FAILED || v->engine_why)
		return DIFF_BAD_ENGINE;
	if (v->z3_why)
		return DIFF_BAD_Z3;
	if (v->engine == SYM_UNKNOWN || v->z3 == Z3ENC_UNKNOWN ||
	    v->z3 == Z3ENC_UNSUPPORTED)
		return DIFF_UNDECIDED;
	if ((v->engine == SYM_SAT) == (v->z3 == Z3ENC_SAT))
		return DIFF_AGREE;
	return v->z3 == Z3ENC_SAT ? DIFF_ENGINE_MISSES : DIFF_Z3_MISSES;
}

static void decide(const struct ask *a, struct verdict *v,
		   struct tally *t)
{
	double scratch = 0;

	memset(v, 0, sizeof(*v));
	v->engine = ask_engine(a, &v->ew, t ? &t->engine_time : &scratch);
	v->z3 = ask_z3(a, &v->zw, t ? &t->z3_time : &scratch);
	if (v->engine == SYM_SAT) {
		v->ereq = from_engine(&v->ew);
		v->engine_why = request_check(a, &v->ereq);
	}
	if (v->z3 == Z3ENC_SAT) {
		v->zreq = from_z3(&v->zw);
		v->z3_why = request_check(a, &v->zreq);
	}
	v->outcome = judge(v);
}

static void release(struct verdict *v)
{
	if (v->engine == SYM_SAT)
		sym_witness_free(&v->ew);
	if (v->z3 == Z3ENC_SAT)
		z3enc_witness_free(&v->zw);
	free(v->ereq.gets);
	free(v->zreq.gets);
}

/* ---- reporting ----------------------------------------------------------- */

static const char *engine_name(enum sym_result r)
{
	static const char *const names[] = {
		"unsat", "sat", "unknown", "failed"
	};

	return names[r];
}

static const char *z3_name(enum z3enc_result r)
{
	static const char *const names[] = {
		"unsat", "sat", "unknown", "unsupported"
	};

	return names[r];
}

static const char *outcome_text(enum outcome o)
{
	switch (o) {
	case DIFF_ENGINE_MISSES:
		return "the engine proves no request, Z3 has one the "
		       "evaluator confirms: the engine is wrong";
	case DIFF_Z3_MISSES:
		return "the engine has a confirmed witness, Z3 proves none: "
		       "the encoding or the class definitions differ";
	case DIFF_BAD_ENGINE:
		return "the engine's witness fails the evaluator or its class";
	case DIFF_BAD_Z3:
		return "Z3's model fails the evaluator or its class: the "
		       "encoding is wrong";
	default:
		return "agree";
	}
}

static void comment_lines(const char *label, const char *text)
{
	const char *p = text, *nl;

	printf("#   %s:", label);
	while ((nl = strchr(p, '\n'))) {
		printf(" %.*s\n#     ", (int)(nl - p), p);
		p = nl + 1;
	}
	printf(" %s\n", p);
}

static void show_request(const char *label, const struct request *r,
			 const char *why)
{
	char *text = request_text(r);

	printf("#   %s: %s\n", label, text);
	if (why)
		printf("#     fails: %s\n", why);
	free(text);
}

static void report(const struct ask *a, const struct verdict *v,
		   const char *text, const struct options *o,
		   unsigned long index)
{
	printf("# %s: engine %s, z3 %s: %s\n", a->q->name,
	       engine_name(v->engine), z3_name(v->z3),
	       outcome_text(v->outcome));
	printf("#   expression: %s\n", text);
	if (a->sub) {
		char *sub = print_replaced(a->sub, NULL, NULL);

		printf("#   false condition: %s\n", sub);
		free(sub);
	}
	if (fixed_run)
		printf("#   reproduce: z3-diff -k %s -e \"%s\"\n",
		       rule_kind_name(a->kind), text);
	else if (!o->expr)
		printf("#   reproduce: z3-diff -s %llu -i %lu\n", o->seed,
		       index);
	if (v->engine == SYM_SAT)
		show_request("engine witness", &v->ereq, v->engine_why);
	if (v->z3 == Z3ENC_SAT) {
		show_request("z3 witness", &v->zreq, v->z3_why);
		if (o->verbose || v->outcome != DIFF_AGREE)
			comment_lines("z3 model", z3enc_model_text(z3));
	}
}

/* ---- minimizing a disagreement ------------------------------------------- */

struct minimizer {
	const struct question *q;
	enum rule_kind kind;
	enum outcome outcome;
	unsigned long index;
	unsigned steps;
};

/* Whether TEXT still shows the disagreement of M. */
static int reproduces(struct minimizer *m, const char *text)
{
	struct ast_arena *arena = ast_arena_new();
	struct expr_error err;
	struct ast_node *root;
	struct verdict v;
	struct ask a;
	int same = 0;

	m->steps++;
	root = expr_parse(arena, text, strlen(text), EXPR_MAX_DEPTH_DEFAULT,
			  &err);
	if (root && z3enc_load(z3, root, m->kind) == 0 &&
	    make_ask(&a, m->q, root, m->index)) {
		decide(&a, &v, NULL);
		same = v.outcome == m->outcome;
		release(&v);
	}
	ast_arena_free(arena);
	return same;
}

static int boolean_shaped(const struct ast_node *n)
{
	return n->kind == AST_BINARY || n->kind == AST_UNARY ||
	       n->kind == AST_CALL || n->kind == AST_MEMBER;
}

/* Try the smaller forms of node N within ROOT; a success replaces
 * *TEXT and returns 1. */
static int shrink_at(struct minimizer *m, const struct ast_node *root,
		     const struct ast_node *n, char **text)
{
	char *child[2] = { NULL, NULL }, *cand;
	const char *forms[4];
	size_t nforms = 0, i;
	int done = 0;

	if ((n->kind == AST_BINARY && (n->op == AST_OP_AND ||
				       n->op == AST_OP_OR)) ||
	    (n->kind == AST_UNARY && n->op == AST_OP_NOT)) {
		child[0] = print_replaced(n->a, NULL, NULL);
		forms[nforms++] = child[0];
		if (n->kind == AST_BINARY) {
			child[1] = print_replaced(n->b, NULL, NULL);
			forms[nforms++] = child[1];
		}
	}
	if (n != root && boolean_shaped(n)) {
		forms[nforms++] = "true";
		forms[nforms++] = "false";
	}
	for (i = 0; i < nforms && !done; i++) {
		if (m->steps >= DIFF_MINIMIZE_STEPS)
			break;
		cand = print_replaced(root, n, forms[i]);
		done = strlen(cand) < strlen(*text) && reproduces(m, cand);
		if (done) {
			free(*text);
			*text = cand;
		} else {
			free(cand);
		}
	}
	free(child[0]);
	free(child[1]);
	return done;
}

static int shrink_under(struct minimizer *m, const struct ast_node *root,
			const struct ast_node *n, char **text)
{
	size_t i;

	if (!n)
		return 0;
	if (shrink_at(m, root, n, text))
		return 1;
	if (shrink_under(m, root, n->a, text) ||
	    shrink_under(m, root, n->b, text))
		return 1;
	for (i = 0; i < n->nlist; i++)
		if (shrink_under(m, root, n->list[i], text))
			return 1;
	return 0;
}

/* A smaller expression with the same disagreement, greedily. */
static char *minimize(struct minimizer *m, const char *start)
{
	char *text = strdup(start);
	struct ast_arena *arena;
	struct expr_error err;
	struct ast_node *root;
	int progress = 1;

	while (progress && m->steps < DIFF_MINIMIZE_STEPS) {
		arena = ast_arena_new();
		root = expr_parse(arena, text, strlen(text),
				  EXPR_MAX_DEPTH_DEFAULT, &err);
		progress = root && shrink_under(m, root, root, &text);
		ast_arena_free(arena);
	}
	return text;
}

/* ---- the run ------------------------------------------------------------- */

struct pending {
	size_t question;
	enum outcome outcome;
};

static void count(struct tally *t, const struct verdict *v)
{
	t->asked++;
	t->engine_unknown += v->engine == SYM_UNKNOWN;
	t->engine_failed += v->engine == SYM_FAILED;
	t->z3_unknown += v->z3 == Z3ENC_UNKNOWN;
	t->unsupported += v->z3 == Z3ENC_UNSUPPORTED;
	switch (v->outcome) {
	case DIFF_AGREE:
		if (v->engine == SYM_SAT)
			t->sat++;
		else
			t->unsat++;
		break;
	case DIFF_ENGINE_MISSES:
		t->engine_misses++;
		break;
	case DIFF_Z3_MISSES:
		t->z3_misses++;
		break;
	case DIFF_BAD_ENGINE:
		t->bad_engine++;
		break;
	case DIFF_BAD_Z3:
		t->bad_z3++;
		break;
	default:
		break;
	}
}

static void minimize_all(const struct pending *p, size_t n,
			 const char *text, enum rule_kind kind,
			 unsigned long index)
{
	struct minimizer m;
	char *small;
	size_t i;

	for (i = 0; i < n; i++) {
		struct tally *t = &totals.q[p[i].question];

		if (t->minimized >= DIFF_MINIMIZE ||
		    questions[p[i].question].subgoal)
			continue;
		t->minimized++;
		memset(&m, 0, sizeof(m));
		m.q = &questions[p[i].question];
		m.kind = kind;
		m.outcome = p[i].outcome;
		m.index = index;
		small = minimize(&m, text);
		printf("# %s: minimal: %s\n", m.q->name, small);
		free(small);
	}
}

static void run_questions(const struct ast_node *root, const char *text,
			  enum rule_kind kind, unsigned long index,
			  const struct options *o)
{
	struct pending pending[NQUESTIONS];
	size_t npending = 0, i;
	double z3_before = 0, z3_after = 0;
	struct verdict v;
	struct ask a;

	for (i = 0; i < NQUESTIONS; i++)
		z3_before += totals.q[i].z3_time;

	for (i = 0; i < NQUESTIONS; i++) {
		const struct question *q = &questions[i];
		struct tally *t = &totals.q[i];

		if (q->kind != kind || (!o->expr && o->only < 0 &&
					!fixed_run && index % q->every) ||
		    !make_ask(&a, q, root, index))
			continue;
		decide(&a, &v, t);
		count(t, &v);
		if ((v.outcome != DIFF_AGREE && v.outcome != DIFF_UNDECIDED &&
		     t->reports++ < DIFF_REPORTS) || o->verbose)
			report(&a, &v, text, o, index);
		if (v.outcome != DIFF_AGREE && v.outcome != DIFF_UNDECIDED &&
		    v.outcome != DIFF_BAD_Z3)
			pending[npending++] = (struct pending){ i, v.outcome };
		release(&v);
	}
	for (i = 0; i < NQUESTIONS; i++)
		z3_after += totals.q[i].z3_time;
	if (o->slow > 0 && z3_after - z3_before > o->slow)
		printf("# slow: z3 %.2f s: %s\n", z3_after - z3_before, text);
	if (npending)
		minimize_all(pending, npending, text, kind, index);
}

static void run_one(const char *text, enum rule_kind kind,
		    unsigned long index, const struct options *o)
{
	struct ast_arena *arena = ast_arena_new();
	struct expr_error err;
	struct ast_node *root;
	double t0;
	int loaded;

	totals.expressions++;
	root = expr_parse(arena, text, strlen(text), EXPR_MAX_DEPTH_DEFAULT,
			  &err);
	if (!root) {
		totals.parse_failures++;
		printf("# does not parse: %s: %s\n", text, err.msg);
		ast_arena_free(arena);
		return;
	}
	t0 = seconds();
	loaded = z3enc_load(z3, root, kind);
	totals.load_time += seconds() - t0;
	if (loaded < 0) {
		totals.unsupported++;
		printf("# outside the encoded fragment: %s\n", text);
	} else {
		run_questions(root, text, kind, index, o);
	}
	ast_arena_free(arena);
}

static enum rule_kind kind_of(unsigned long index)
{
	return index % 5 == 4 ? RULE_KIND_STORAGE : RULE_KIND_DATABASE;
}

static uint64_t seed_of(unsigned long long seed, unsigned long index)
{
	return (uint64_t)seed * 0x100000001B3ull ^
	       ((uint64_t)index * 0x9E3779B97F4A7C15ull);
}

static void run_generated(const struct options *o, unsigned long index)
{
	char text[GEN_MAX_TEXT];
	struct gen g;

	gen_init(&g, seed_of(o->seed, index), kind_of(index));
	gen_expr(&g, text);
	if (o->verbose)
		printf("# [%lu] %s\n", index, text);
	run_one(text, kind_of(index), index, o);
}

/* ---- TAP ----------------------------------------------------------------- */

static int disagreements(const struct tally *t)
{
	return t->engine_misses + t->z3_misses + t->bad_engine + t->bad_z3 +
	       t->engine_failed > 0;
}

static void tap_question(unsigned n, size_t i)
{
	const struct tally *t = &totals.q[i];

	printf("%sok %u - %s: %lu asked, agree %lu sat %lu unsat, "
	       "engine unknown %lu, z3 unknown %lu",
	       disagreements(t) ? "not " : "", n, questions[i].name, t->asked,
	       t->sat, t->unsat, t->engine_unknown, t->z3_unknown);
	if (disagreements(t))
		printf(", engine wrong %lu, z3 wrong %lu, bad engine "
		       "witness %lu, bad z3 model %lu, engine failed %lu",
		       t->engine_misses, t->z3_misses, t->bad_engine,
		       t->bad_z3, t->engine_failed);
	putchar('\n');
}

static int summary(double total)
{
	struct tally all;
	unsigned n = 1;
	size_t i;
	int failed = totals.parse_failures || totals.unsupported;

	printf("%sok %u - %lu expressions parse\n",
	       totals.parse_failures ? "not " : "", n++, totals.expressions);
	printf("%sok %u - %lu expressions inside the encoded fragment\n",
	       totals.unsupported ? "not " : "", n++,
	       totals.expressions - totals.unsupported -
		       totals.parse_failures);
	memset(&all, 0, sizeof(all));
	for (i = 0; i < NQUESTIONS; i++) {
		const struct tally *t = &totals.q[i];

		tap_question(n++, i);
		failed |= disagreements(t);
		all.asked += t->asked;
		all.sat += t->sat;
		all.unsat += t->unsat;
		all.engine_unknown += t->engine_unknown;
		all.z3_unknown += t->z3_unknown;
		all.engine_misses += t->engine_misses + t->bad_engine +
				     t->engine_failed;
		all.z3_misses += t->z3_misses + t->bad_z3;
		all.engine_time += t->engine_time;
		all.z3_time += t->z3_time;
	}
	all.z3_time += totals.load_time;
	printf("# summary: %lu expressions, %lu questions: agree %lu "
	       "(%lu sat, %lu unsat), engine unknown %lu, z3 unknown %lu, "
	       "engine wrong %lu, z3 wrong %lu; engine %.2f s, z3 %.2f s, "
	       "z3/engine %.1f; total %.1f s\n",
	       totals.expressions, all.asked, all.sat + all.unsat, all.sat,
	       all.unsat,
	       all.engine_unknown, all.z3_unknown, all.engine_misses,
	       all.z3_misses, all.engine_time, all.z3_time,
	       all.engine_time > 0 ? all.z3_time / all.engine_time : 0.0,
	       total);
	return failed;
}

/* ---- options ------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: z3-diff [-n COUNT] [-s SEED] [-j JOBS] [-i INDEX] "
		   "[-e EXPR [-k KIND]] [-t MS] [-T SEC] [-b N] [-d] [-v]\n"
		   "  -n COUNT  expressions to generate (default %d, or "
		   "$Z3_DIFF_COUNT)\n"
		   "  -s SEED   seed of the generator (default 1)\n"
		   "  -j JOBS   share the expressions among JOBS processes\n"
		   "  -i INDEX  only the expression of that index\n"
		   "  -e EXPR   only EXPR, of kind KIND (database or "
		   "storage)\n"
		   "  -t MS     time limit of one Z3 check (default %d)\n"
		   "  -T SEC    show the expressions Z3 takes longer on\n"
		   "  -b N      the engine's budget of evaluations per question "
		   "(default %lu)\n"
		   "  -d        write every Z3 problem to stderr in SMT-LIB\n"
		   "  -v        show every question and answer\n",
		   DIFF_DEFAULT_COUNT, DIFF_TIMEOUT_MS, SYM_BUDGET_DEFAULT);
}

static unsigned long default_count(void)
{
	const char *env = getenv("Z3_DIFF_COUNT");
	const char *wrapper = getenv("RULECHECK_WRAPPER");
	const char *sanitizers = getenv("RULECHECK_SANITIZERS");
	unsigned long n = env && *env ? strtoul(env, NULL, 10) :
			  DIFF_DEFAULT_COUNT;

	/* under valgrind and the like, a token run; built with the
	 * sanitizers, which make the engine about four times slower, a
	 * quarter of the run */
	if (wrapper && *wrapper && n > 50)
		n = 50;
	else if (sanitizers && *sanitizers)
		n /= 4;
	return n;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->count = default_count();
	o->seed = 1;
	o->only = -1;
	o->kind = RULE_KIND_DATABASE;
	o->timeout_ms = DIFF_TIMEOUT_MS;
	o->jobs = 1;
	while ((c = getopt(argc, argv, "n:s:i:e:k:t:T:j:b:dvh")) != -1) {
		switch (c) {
		case 'b':
			o->budget = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			o->count = strtoul(optarg, NULL, 10);
			break;
		case 's':
			o->seed = strtoull(optarg, NULL, 10);
			break;
		case 'i':
			o->only = strtol(optarg, NULL, 10);
			break;
		case 'e':
			o->expr = optarg;
			break;
		case 'k':
			o->kind = rule_kind_by_name(optarg);
			break;
		case 't':
			o->timeout_ms = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'T':
			o->slow = strtod(optarg, NULL);
			break;
		case 'j':
			o->jobs = (unsigned)strtoul(optarg, NULL, 10);
			if (o->jobs < 1 || o->jobs > 64)
				return -1;
			break;
		case 'd':
			o->dump = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	return optind == argc && (o->kind == RULE_KIND_DATABASE ||
				  o->kind == RULE_KIND_STORAGE) ? 0 : -1;
}

/* ---- workers ------------------------------------------------------------- */

/* The fixed cases (worker 0), then the expressions of worker K of N:
 * every N-th from K. */
static void run_all(const struct options *o, unsigned k, unsigned n)
{
	unsigned long i;

	fixed_run = 1;
	for (i = 0; k == 0 && i < NFIXED; i++)
		run_one(fixed_cases[i].text, fixed_cases[i].kind, i, o);
	fixed_run = 0;
	for (i = k; i < o->count; i += n)
		run_generated(o, i);
}

/* The share of worker K of N. */
static void run_share(const struct options *o, unsigned k, unsigned n)
{
	z3 = z3enc_new(o->timeout_ms);
	if (!z3)
		exit(99);
	if (o->dump)
		z3enc_dump(z3, stderr);
	if (o->expr)
		run_one(o->expr, o->kind, 0, o);
	else if (o->only >= 0)
		run_generated(o, (unsigned long)o->only);
	else
		run_all(o, k, n);
	z3enc_free(z3);
	z3 = NULL;
}

static void add_tally(struct tally *t, const struct tally *u)
{
	t->asked += u->asked;
	t->sat += u->sat;
	t->unsat += u->unsat;
	t->engine_unknown += u->engine_unknown;
	t->engine_failed += u->engine_failed;
	t->z3_unknown += u->z3_unknown;
	t->unsupported += u->unsupported;
	t->engine_misses += u->engine_misses;
	t->z3_misses += u->z3_misses;
	t->bad_engine += u->bad_engine;
	t->bad_z3 += u->bad_z3;
	t->engine_time += u->engine_time;
	t->z3_time += u->z3_time;
}

static void add_totals(const struct totals *w)
{
	size_t i;

	for (i = 0; i < NQUESTIONS; i++)
		add_tally(&totals.q[i], &w->q[i]);
	totals.expressions += w->expressions;
	totals.parse_failures += w->parse_failures;
	totals.unsupported += w->unsupported;
	totals.load_time += w->load_time;
}

/* Collect worker K: its report text, then its totals.  Returns -1 when
 * it did not finish. */
static int collect(pid_t pid, FILE *text, FILE *counts)
{
	struct totals w;
	char buf[4096];
	size_t n;
	int status;

	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	rewind(text);
	while ((n = fread(buf, 1, sizeof(buf), text)) > 0)
		fwrite(buf, 1, n, stdout);
	rewind(counts);
	if (fread(&w, sizeof(w), 1, counts) != 1)
		return -1;
	add_totals(&w);
	return 0;
}

/* Worker K of N: its reports go to TEXT, its totals to COUNTS. */
static void worker(const struct options *o, unsigned k, unsigned n,
		   FILE *text, FILE *counts)
{
	if (dup2(fileno(text), STDOUT_FILENO) < 0)
		_exit(99);
	run_share(o, k, n);
	fflush(stdout);
	if (fwrite(&totals, sizeof(totals), 1, counts) != 1 ||
	    fflush(counts) != 0)
		_exit(99);
	_exit(0);
}

/* Run the expressions in N processes, each with its own Z3. */
static int run_workers(const struct options *o, unsigned n)
{
	FILE *text[64], *counts[64];
	pid_t pid[64];
	unsigned k;
	int failed = 0;

	fflush(stdout);
	for (k = 0; k < n; k++) {
		text[k] = tmpfile();
		counts[k] = tmpfile();
		if (!text[k] || !counts[k] || (pid[k] = fork()) < 0)
			return -1;
		if (pid[k] == 0)
			worker(o, k, n, text[k], counts[k]);
	}
	for (k = 0; k < n; k++) {
		failed |= collect(pid[k], text[k], counts[k]) < 0;
		fclose(text[k]);
		fclose(counts[k]);
	}
	return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct options o;
	double t0 = seconds();
	int failed;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	budget = o.budget;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("1..%zu\n", NQUESTIONS + 2);
	printf("# seed %llu, %lu expressions\n", o.seed,
	       o.expr || o.only >= 0 ? 1ul : o.count + NFIXED);
	if (o.jobs > 1 && !o.expr && o.only < 0) {
		if (run_workers(&o, o.jobs) < 0) {
			printf("Bail out! a worker failed\n");
			return 99;
		}
	} else {
		run_share(&o, 0, 1);
	}
	failed = summary(seconds() - t0);
	return failed;
}
