/* Differential test of the symbolic engine against the concrete
 * evaluator: random rule expressions over a small finite domain, every
 * question (class, want, operation) decided both by sym_solve and by
 * evaluating every request of the domain, every witness evaluated again.
 *
 * A question fails when the engine proves it unsatisfiable while the
 * domain holds a request (a false proof), when the witness does not give
 * the outcome asked for, or when it is no request of the class; the
 * smallest expression still failing is printed with the request.  A
 * witness beyond the domain is no failure (-v shows a few).  Questions
 * with two goals on one request, as the checks comparing operations ask,
 * have a TAP point of their own.
 *
 * Usage: brute [-a] [-n COUNT] [-s SEED] [-v] [-e EXPR]
 *   -n, -s  how many expressions, from which seed (deterministic)
 *   -a      ask for all four operations, not one of read/delete and one
 *           of create/update, which see the same requests
 *   -v      show witnesses beyond the domain and unknown answers
 *   -e      ask every question about EXPR alone and show the answers */

#include "ast.h"
#include "eval.h"
#include "rules.h"
#include "sym.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define COUNT_DEFAULT 20000
#define SEED_DEFAULT 1
#define MAX_NODES 64
#define MAX_TEXT 1024
#define MAX_ELEMS 3
#define SHOW_MAX 20		/* faults printed in a run */
#define SHOW_BEYOND 2		/* with -v, per question kind */
#define SHRINK_ROUNDS 400
#define MAX_GETS 16
#define PAIRS_PER_EXPR 2
#define PAIR_SPACE_MAX 2500	/* requests, for one caller */

/* ---- the finite domain ------------------------------------------------- */

/* The values of a document or request.data field, as JSON; 0 is absent.
 * The expression's own string literals join them.  "o1" and "u1" are
 * the callers' identities: a request holding them is related to a caller
 * with that identity. */
static const char *const base_values[] = {
	NULL, "null", "true", "false", "0", "1", "2", "\"a\"", "\"b\"",
	"\"\"", "\"1\"", "\"o1\"", "\"u1\""
};

#define NBASE (int)(sizeof(base_values) / sizeof(base_values[0]))
#define MAX_VALUES 24
#define NNOW 3
#define IDENT_OPENID 1u
#define IDENT_UID 2u

enum var_bit {
	V_F1 = 1u << 0,
	V_F2 = 1u << 1,
	V_F3 = 1u << 2,
	V_DATA = 1u << 3,
	V_NOW = 1u << 4,
	V_AUTH = 1u << 5,
	V_OPENID = 1u << 6,
	V_UID = 1u << 7,
	V_LOGIN = 1u << 8
};

#define V_VALUES (V_F1 | V_F2 | V_F3 | V_DATA | V_NOW)

static const char *const login_types[SYM_CALLER_COUNT] = {
	[SYM_CALLER_WECHAT_PUBLIC] = "WECHAT_PUBLIC",
	[SYM_CALLER_WECHAT_OPEN] = "WECHAT_OPEN",
	[SYM_CALLER_ANONYMOUS] = "ANONYMOUS",
	[SYM_CALLER_EMAIL] = "EMAIL",
	[SYM_CALLER_CUSTOM] = "CUSTOM"
};

/* Callers of each class, as analysis.md section 2 defines them. */
#define USERS (SYM_CALLERS_MINIPROGRAM | (SYM_CALLERS_WEB & \
	       ~SYM_CALLER_BIT(SYM_CALLER_ANONYMOUS)))

static const unsigned class_callers[SYM_CLASS_COUNT] = {
	[SYM_PUBLIC] = SYM_CALLER_BIT(SYM_CALLER_NONE),
	[SYM_ANONYMOUS] = SYM_CALLER_BIT(SYM_CALLER_ANONYMOUS),
	[SYM_ANY_USER] = USERS,
	[SYM_ROLE] = USERS,
	[SYM_ANY] = SYM_CALLERS_ALL
};

static const char *const want_names[] = {
	"allow", "deny", "false", "error"
};
static const char *const ops[] = { "read", "create", "update", "delete" };

#define NWANT 4
#define NOP 4

/* One question to the engine: a goal on one expression. */
struct question {
	enum sym_class cls;
	enum sym_want want;
	int op;
	int identity_free;
	int identity_absent;
};

/* The domain of one expression.  Document I has field fK set to value
 * I / NVAL^(K-1) % NVAL; only those that the expression's space reaches
 * are built. */
struct domain {
	cJSON *auth[SYM_CALLER_COUNT];
	cJSON *value[MAX_VALUES];
	unsigned ident[MAX_VALUES];
	int nval;
	cJSON **docs;
	cJSON *data[MAX_VALUES];
};

static struct domain dom;

static unsigned caller_ident(enum sym_caller c)
{
	if (c == SYM_CALLER_NONE)
		return 0;
	if (c == SYM_CALLER_MINIPROGRAM)
		return IDENT_OPENID;
	if (c == SYM_CALLER_WECHAT_PUBLIC || c == SYM_CALLER_WECHAT_OPEN)
		return IDENT_OPENID | IDENT_UID;
	return IDENT_UID;
}

static cJSON *make_auth(enum sym_caller c)
{
	cJSON *a;

	if (c == SYM_CALLER_NONE)
		return NULL;
	a = cJSON_CreateObject();
	if (caller_ident(c) & IDENT_OPENID)
		cJSON_AddStringToObject(a, "openid", "o1");
	if (caller_ident(c) & IDENT_UID)
		cJSON_AddStringToObject(a, "uid", "u1");
	if (login_types[c])
		cJSON_AddStringToObject(a, "loginType", login_types[c]);
	return a;
}

static void add_value(cJSON *obj, const char *key, int v)
{
	if (dom.value[v])
		cJSON_AddItemToObject(obj, key, cJSON_Duplicate(dom.value[v], 1));
}

static void add_string(const char *str)
{
	int i;

	for (i = 1; i < dom.nval; i++)
		if (cJSON_IsString(dom.value[i]) &&
		    strcmp(dom.value[i]->valuestring, str) == 0)
			return;
	if (dom.nval == MAX_VALUES)
		return;
	dom.value[dom.nval] = cJSON_CreateString(str);
	dom.ident[dom.nval++] = 0;
}

static void add_literals(const struct ast_node *n)
{
	size_t i;

	if (!n)
		return;
	if (n->kind == AST_STRING && strlen(n->text) == n->len)
		add_string(n->text);
	add_literals(n->a);
	add_literals(n->b);
	add_literals(n->c);
	for (i = 0; i < n->nlist; i++)
		add_literals(n->list[i]);
}

static void domain_init(void)
{
	int c;

	for (c = 0; c < SYM_CALLER_COUNT; c++)
		dom.auth[c] = make_auth(c);
}

static void domain_clear(void)
{
	int i;

	for (i = 0; dom.docs && i < dom.nval * dom.nval * dom.nval; i++)
		cJSON_Delete(dom.docs[i]);
	free(dom.docs);
	dom.docs = NULL;
	for (i = 0; i < dom.nval; i++) {
		cJSON_Delete(dom.value[i]);
		cJSON_Delete(dom.data[i]);
		dom.value[i] = dom.data[i] = NULL;
	}
	dom.nval = 0;
}

static void domain_free(void)
{
	int i;

	domain_clear();
	for (i = 0; i < SYM_CALLER_COUNT; i++)
		cJSON_Delete(dom.auth[i]);
}

static cJSON *make_doc(int i)
{
	cJSON *doc = cJSON_CreateObject();

	add_value(doc, "f1", i % dom.nval);
	add_value(doc, "f2", i / dom.nval % dom.nval);
	add_value(doc, "f3", i / (dom.nval * dom.nval));
	return doc;
}

/* The values for the NES expressions ES, and the documents that a space
 * over the values of f1, f2, f3 reaches (N[k]: field k+1 varies). */
static void domain_build(const struct ast_node *const *es, size_t nes,
			 const int n[3])
{
	int i, j, k, v;
	size_t x;

	domain_clear();
	for (v = 0; v < NBASE; v++) {
		dom.value[v] = base_values[v] ? cJSON_Parse(base_values[v]) :
			       NULL;
		dom.ident[v] = 0;
	}
	dom.nval = NBASE;
	dom.ident[NBASE - 2] = IDENT_OPENID;
	dom.ident[NBASE - 1] = IDENT_UID;
	for (x = 0; x < nes; x++)
		add_literals(es[x]);
	for (v = 0; v < dom.nval; v++) {
		dom.data[v] = cJSON_CreateObject();
		add_value(dom.data[v], "f1", v);
	}
	dom.docs = calloc((size_t)dom.nval * dom.nval * dom.nval,
			  sizeof(*dom.docs));
	if (!dom.docs)
		abort();
	for (i = 0; i < (n[0] ? dom.nval : 1); i++)
		for (j = 0; j < (n[1] ? dom.nval : 1); j++)
			for (k = 0; k < (n[2] ? dom.nval : 1); k++)
				dom.docs[i + dom.nval * (j + dom.nval * k)] =
					make_doc(i + dom.nval *
						 (j + dom.nval * k));
}

/* ---- random expressions ------------------------------------------------ */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32) % n;
}

struct term {
	const char *text;
	unsigned vars;
};

/* Terms 0..T_NVARS-1 read the request; the rest are literals. */
static const struct term terms[] = {
	{ "doc.f1", V_F1 }, { "doc.f2", V_F2 }, { "doc.f3", V_F3 },
	{ "request.data.f1", V_DATA }, { "now", V_NOW },
	{ "auth", V_AUTH }, { "auth.openid", V_AUTH | V_OPENID },
	{ "auth.uid", V_AUTH | V_UID },
	{ "auth.loginType", V_AUTH | V_LOGIN },
	{ "doc", 0 }, { "request.data", V_DATA },
	{ "null", 0 }, { "true", 0 }, { "false", 0 }, { "0", 0 },
	{ "1", 0 }, { "2", 0 }, { "'a'", 0 }, { "'b'", 0 },
	{ "undefined", 0 }, { "''", 0 }, { "'1'", 0 },
	{ "'ANONYMOUS'", 0 }, { "'EMAIL'", 0 },
	{ "'WECHAT_OPEN'", 0 }, { "'CUSTOM'", 0 }, { "'WECHAT_PUBLIC'", 0 }
};

enum {
	T_F1, T_F2, T_F3, T_DATA, T_NOW, T_AUTH, T_OPENID, T_UID, T_LOGIN,
	T_DOC, T_DATAOBJ, T_NULL, T_TRUE, T_FALSE,
	T_NVARS = T_NULL,
	T_LOGINS = T_NULL + 11,	/* 'ANONYMOUS' .. */
	T_COUNT = sizeof(terms) / sizeof(terms[0])
};

/* The objects that 'key in obj' may test, with their keys. */
static const char *const in_keys[] = {
	"'f1' in doc", "'f2' in doc", "'f3' in doc", "'f1' in request.data",
	"'openid' in auth", "'uid' in auth"
};

static const unsigned in_key_vars[] = {
	V_F1, V_F2, V_F3, V_DATA, V_AUTH | V_OPENID, V_AUTH | V_UID
};

enum gen_kind {
	G_TERM,			/* term */
	G_NOT,			/* !a */
	G_AND,			/* a && b */
	G_OR,			/* a || b */
	G_CMP,			/* term op term2 */
	G_IN,			/* term in [elems] */
	G_KEY			/* in_keys[term] */
};

static const char *const cmp_ops[] = { "==", "!=", "<", "<=", ">", ">=" };

struct gnode {
	enum gen_kind kind;
	int op;
	int term, term2;
	int elems[MAX_ELEMS];
	int nelems;
	int a, b;		/* children, node indices */
};

struct gexpr {
	struct gnode n[MAX_NODES];
	int nn, root;
	unsigned pool;		/* the terms it may use (bits of V_VALUES) */
	unsigned vars;		/* what the rendered text reads */
	char text[MAX_TEXT];
	size_t len;
	int overflow;
};

/* A term that reads the request, from the pool, or the auth terms. */
static int pick_var(const struct gexpr *g)
{
	int t;

	for (;;) {
		t = rnd(10) < 3 ? T_AUTH + (int)rnd(4) : (int)rnd(T_AUTH);
		if (rnd(40) == 0)
			t = rnd(2) ? T_DOC : T_DATAOBJ;
		if ((terms[t].vars & V_VALUES & ~g->pool) == 0)
			return t;
	}
}

/* Mostly the plain literals (null .. '1'), sometimes a login type. */
static int pick_literal(void)
{
	if (rnd(6) == 0)
		return T_LOGINS + (int)rnd(T_COUNT - T_LOGINS);
	return T_NULL + (int)rnd(T_LOGINS - T_NULL);
}

static int pick_term(const struct gexpr *g, int var_share)
{
	return (int)rnd(10) < var_share ? pick_var(g) : pick_literal();
}

static int new_node(struct gexpr *g, enum gen_kind kind)
{
	struct gnode *n = &g->n[g->nn];

	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->a = n->b = -1;
	return g->nn++;
}

static void gen_atom(struct gexpr *g, struct gnode *n)
{
	int r = rnd(100), i;

	if (r < 60) {
		n->kind = G_CMP;
		n->op = rnd(10) < 6 ? (int)rnd(2) : 2 + (int)rnd(4);
		n->term = pick_term(g, 9);
		n->term2 = pick_term(g, 3);
		if (rnd(8) == 0) {
			n->term = T_AUTH;
			n->term2 = T_NULL;
		}
	} else if (r < 75) {
		n->kind = G_TERM;
		n->term = pick_term(g, 9);
	} else if (r < 92) {
		n->kind = G_IN;
		n->term = pick_term(g, 8);
		n->nelems = 1 + rnd(MAX_ELEMS);
		for (i = 0; i < n->nelems; i++)
			n->elems[i] = pick_term(g, 3);
	} else {
		n->kind = G_KEY;
		do
			n->term = rnd(6);
		while ((in_key_vars[n->term] & V_VALUES & ~g->pool) != 0);
	}
}

static int gen_node(struct gexpr *g, int depth)
{
	int i = new_node(g, G_TERM), r = rnd(100);

	if (depth == 0 || r < 30 || g->nn + 2 >= MAX_NODES) {
		gen_atom(g, &g->n[i]);
		return i;
	}
	g->n[i].kind = r < 42 ? G_NOT : r < 72 ? G_AND : G_OR;
	g->n[i].a = gen_node(g, depth - 1);
	if (g->n[i].kind != G_NOT)
		g->n[i].b = gen_node(g, depth - 1);
	return i;
}

/* Up to four request values per expression keep the domain small. */
static unsigned gen_pool(void)
{
	static const unsigned bits[] = { V_F1, V_F2, V_F3, V_DATA, V_NOW };
	static const unsigned weight[] = { 4, 3, 2, 2, 2 };
	unsigned pool = 0, k, i, r;

	r = rnd(20);
	k = r < 7 ? 1 : r < 14 ? 2 : r < 18 ? 3 : 4;

	while (k > 0) {
		r = rnd(13);
		for (i = 0; r >= weight[i]; i++)
			r -= weight[i];
		if (!(pool & bits[i]))
			k--;
		pool |= bits[i];
	}
	return pool;
}

/* ---- rendering --------------------------------------------------------- */

static int level_of(const struct gnode *n)
{
	switch (n->kind) {
	case G_OR: return 1;
	case G_AND: return 2;
	case G_CMP: return n->op < 2 ? 3 : 4;
	case G_IN: return 4;
	case G_KEY: return 4;
	case G_NOT: return 6;
	default: return 7;
	}
}

static void put(struct gexpr *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (g->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(g->text + g->len, sizeof(g->text) - g->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(g->text) - g->len)
		g->overflow = 1;
	else
		g->len += (size_t)n;
}

static void put_term(struct gexpr *g, int t)
{
	g->vars |= terms[t].vars;
	put(g, "%s", terms[t].text);
}

static void render(struct gexpr *g, int i, int need);

static void render_atom(struct gexpr *g, const struct gnode *n)
{
	int i;

	if (n->kind == G_KEY) {
		g->vars |= in_key_vars[n->term];
		put(g, "%s", in_keys[n->term]);
		return;
	}
	put_term(g, n->term);
	if (n->kind == G_CMP) {
		put(g, " %s ", cmp_ops[n->op]);
		put_term(g, n->term2);
	} else if (n->kind == G_IN) {
		put(g, " in [");
		for (i = 0; i < n->nelems; i++) {
			put(g, i ? ", " : "");
			put_term(g, n->elems[i]);
		}
		put(g, "]");
	}
}

/* Render node I, parenthesised when it binds more loosely than NEED. */
static void render(struct gexpr *g, int i, int need)
{
	const struct gnode *n = &g->n[i];
	int paren = level_of(n) < need;

	put(g, paren ? "(" : "");
	if (n->kind == G_NOT) {
		put(g, "!");
		render(g, n->a, 6);
	} else if (n->kind == G_AND || n->kind == G_OR) {
		render(g, n->a, level_of(n));
		put(g, n->kind == G_AND ? " && " : " || ");
		render(g, n->b, level_of(n) + 1);
	} else {
		render_atom(g, n);
	}
	put(g, paren ? ")" : "");
}

static void render_text(struct gexpr *g)
{
	g->len = 0;
	g->vars = 0;
	g->overflow = 0;
	g->text[0] = '\0';
	render(g, g->root, 0);
}

static void gen_expr(struct gexpr *g)
{
	memset(g, 0, sizeof(*g));
	g->pool = gen_pool();
	g->root = gen_node(g, 1 + rnd(3));
	render_text(g);
}

/* ---- brute force -------------------------------------------------------- */

struct hit {
	int have;
	int caller, doc, data, now;
};

/* What the domain holds for one expression:
 * HITS[absent][group][class][want], where group 0 is without
 * request.data (read, delete) and 1 with it (create, update), and ABSENT
 * admits callers whose verdict rests on an identity field they lack. */
struct brute {
	struct hit hits[2][2][SYM_CLASS_COUNT][NWANT];
	unsigned long evaluations;
};

/* A packed status: the class question's copy (low bits) and the copy for
 * the question admitting absent identities (high bits); see evaluate(). */
static enum eval_status st_real(unsigned st)
{
	return (enum eval_status)(st % 16);
}

static enum eval_status st_probe(unsigned st)
{
	return (enum eval_status)(st / 16);
}

struct space {
	int ndoc[3], ndata, nnow;
	size_t size;
};

static void space_of(unsigned vars, int group, struct space *s)
{
	s->ndoc[0] = vars & V_F1 ? dom.nval : 1;
	s->ndoc[1] = vars & V_F2 ? dom.nval : 1;
	s->ndoc[2] = vars & V_F3 ? dom.nval : 1;
	s->ndata = group && (vars & V_DATA) ? dom.nval : 1;
	s->nnow = vars & V_NOW ? NNOW : 1;
	s->size = (size_t)s->ndoc[0] * s->ndoc[1] * s->ndoc[2] * s->ndata *
		  s->nnow;
}

/* Request IDX of space S: the document index, the data value, now. */
static void decode(const struct space *s, size_t idx, int *doc, int *data,
		   int *now)
{
	int f1 = idx % s->ndoc[0], f2, f3;

	idx /= s->ndoc[0];
	f2 = idx % s->ndoc[1];
	idx /= s->ndoc[1];
	f3 = idx % s->ndoc[2];
	idx /= s->ndoc[2];
	*data = idx % s->ndata;
	*now = idx / s->ndata;
	*doc = f1 + dom.nval * (f2 + dom.nval * f3);
}

static unsigned request_ident(int doc, int data)
{
	int n = dom.nval;

	return dom.ident[doc % n] | dom.ident[doc / n % n] |
	       dom.ident[doc / (n * n)] | dom.ident[data];
}

/* Callers that no evaluation of an expression reading VARS tells apart
 * share one representative. */
static enum sym_caller representative(enum sym_caller c, unsigned vars)
{
	if (!(vars & V_AUTH))
		return SYM_CALLER_NONE;
	if (vars & V_LOGIN)
		return c;
	if (c == SYM_CALLER_WECHAT_OPEN)
		return SYM_CALLER_WECHAT_PUBLIC;
	if (c == SYM_CALLER_EMAIL || c == SYM_CALLER_CUSTOM)
		return SYM_CALLER_ANONYMOUS;
	return c;
}

/* Whether caller C on a request holding identities IDENT belongs to CLS
 * (sym.h): in the classes with an unrelated identity only when no value
 * of the request equals the identity. */
static int member(enum sym_class cls, enum sym_caller c, unsigned ident)
{
	if (!(class_callers[cls] & SYM_CALLER_BIT(c)))
		return 0;
	if (cls == SYM_PUBLIC || cls == SYM_ANY)
		return 1;
	return (ident & caller_ident(c)) == 0;
}

static int status_wanted(enum eval_status st, enum sym_want want)
{
	if (want == SYM_WANT_ALLOW)
		return st == EVAL_ST_TRUE;
	if (want == SYM_WANT_FALSE)
		return st == EVAL_ST_FALSE;
	if (want == SYM_WANT_ERROR)
		return st == EVAL_ST_ERROR;
	return st == EVAL_ST_FALSE || st == EVAL_ST_ERROR;
}

/* Whether packed status ST gives WANT, both ways unless ABSENT. */
static int packed_wanted(unsigned st, enum sym_want want, int absent)
{
	return status_wanted(st_real(st), want) &&
	       (absent || status_wanted(st_probe(st), want));
}

static void fill_request(struct eval_request *r, enum sym_caller c, int doc,
			 int data, int now, int group)
{
	memset(r, 0, sizeof(*r));
	r->op = group ? "create" : "read";
	r->auth = dom.auth[c];
	r->doc = dom.docs[doc];
	r->data = group ? dom.data[data] : NULL;
	r->now = now;
}

/* Does caller C lack an identity field that an expression reading VARS
 * reads?  Such a caller is in no class unless absent identities are
 * admitted (sym.h). */
static int lacks_read(enum sym_caller c, unsigned vars)
{
	if (c == SYM_CALLER_NONE)
		return 0;
	return ((vars & V_UID) && !(caller_ident(c) & IDENT_UID)) ||
	       ((vars & V_OPENID) && !(caller_ident(c) & IDENT_OPENID));
}

static void record(struct brute *b, int group, enum sym_caller c,
		   size_t idx, const struct space *s, unsigned st, int absent,
		   unsigned vars)
{
	int doc, data, now, cls, w;
	unsigned ident;
	struct hit *h;

	if (!absent && lacks_read(c, vars))
		return;
	decode(s, idx, &doc, &data, &now);
	ident = request_ident(doc, data);
	for (cls = 0; cls < SYM_CLASS_COUNT; cls++) {
		if (!member(cls, c, ident))
			continue;
		for (w = 0; w < NWANT; w++) {
			h = &b->hits[absent][group][cls][w];
			if (h->have || !packed_wanted(st, w, absent))
				continue;
			h->have = 1;
			h->caller = c;
			h->doc = doc;
			h->data = data;
			h->now = now;
		}
	}
}

/* E on R with the caller C.  The packed status keeps one copy for the
 * class question and one for the question admitting absent identities;
 * they agree since classes are decided by which fields a rule reads. */
static unsigned evaluate(const struct ast_node *e, struct eval_request *r,
			 enum sym_caller c)
{
	unsigned st = eval_quick(e, r);

	(void)c;
	return st | st << 4;
}

static void brute_group(struct brute *b, const struct ast_node *e,
			unsigned vars, int group, unsigned char *st)
{
	struct eval_request r;
	struct space s;
	int c, rep, doc, data, now;
	size_t i;

	space_of(vars, group, &s);
	for (c = 0; c < SYM_CALLER_COUNT; c++) {
		rep = representative(c, vars);
		for (i = 0; i < s.size && rep == c; i++) {
			decode(&s, i, &doc, &data, &now);
			fill_request(&r, c, doc, data, now, group);
			st[c * s.size + i] = evaluate(e, &r, c);
			b->evaluations++;
		}
		for (i = 0; i < s.size; i++) {
			record(b, group, c, i, &s, st[rep * s.size + i], 0,
			       vars);
			record(b, group, c, i, &s, st[rep * s.size + i], 1,
			       vars);
		}
	}
}

static void build_for(const struct ast_node *const *es, size_t nes,
		      unsigned vars)
{
	const int dims[3] = {
		(vars & V_F1) != 0, (vars & V_F2) != 0, (vars & V_F3) != 0
	};

	domain_build(es, nes, dims);
}

static void brute_force(struct brute *b, const struct ast_node *e,
			unsigned vars)
{
	struct space s;
	unsigned char *st;

	memset(b, 0, sizeof(*b));
	build_for(&e, 1, vars);
	space_of(vars, 1, &s);
	st = malloc(s.size * SYM_CALLER_COUNT);
	if (!st)
		abort();
	brute_group(b, e, vars, 0, st);
	if (vars & V_DATA) {
		brute_group(b, e, vars, 1, st);
	} else {
		memcpy(b->hits[0][1], b->hits[0][0], sizeof(b->hits[0][1]));
		memcpy(b->hits[1][1], b->hits[1][0], sizeof(b->hits[1][1]));
	}
	free(st);
}

static int op_group(const char *op)
{
	return strcmp(op, "create") == 0 || strcmp(op, "update") == 0;
}

/* ---- witnesses ----------------------------------------------------------- */

static int string_member(const cJSON *obj, const char *key, const char *want)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!want)
		return m == NULL;
	return cJSON_IsString(m) && strcmp(m->valuestring, want) == 0;
}

static const char *auth_fault(const struct sym_witness *w)
{
	enum sym_caller c = w->caller;
	const cJSON *a = w->auth;
	unsigned id = caller_ident(c);

	if (c == SYM_CALLER_NONE)
		return a && !cJSON_IsNull(a) ? "auth of an unauthenticated "
		       "caller is not null" : NULL;
	if (!cJSON_IsObject(a))
		return "auth of a signed-in caller is not an object";
	if (!!(id & IDENT_OPENID) !=
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(a, "openid")))
		return "auth.openid does not match the caller";
	if (!!(id & IDENT_UID) !=
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(a, "uid")))
		return "auth.uid does not match the caller";
	if (!string_member(a, "loginType", login_types[c]))
		return "auth.loginType does not match the caller";
	return NULL;
}

/* Whether the identity string ID equals the scalar V under ==. */
static int loosely_equal(const char *id, const cJSON *v)
{
	char *end;
	double d;

	if (cJSON_IsString(v))
		return strcmp(id, v->valuestring) == 0;
	if (!cJSON_IsNumber(v) && !cJSON_IsBool(v))
		return 0;
	d = strtod(id, &end);
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (*end || end == id)
		d = *id ? NAN : 0;
	return d == (cJSON_IsNumber(v) ? v->valuedouble :
		     cJSON_IsTrue(v) ? 1 : 0);
}

/* Whether the identity ID is or is in one of the values under V. */
static int related_json(const char *id, const cJSON *v)
{
	const cJSON *m;

	if (!v)
		return 0;
	if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		cJSON_ArrayForEach(m, v)
			if (related_json(id, m))
				return 1;
		return 0;
	}
	return loosely_equal(id, v);
}

static int related_literal(const char *id, const struct ast_node *n)
{
	size_t i;

	if (!n)
		return 0;
	if (n->kind == AST_STRING && strlen(id) == n->len &&
	    memcmp(id, n->text, n->len) == 0)
		return 1;
	if (related_literal(id, n->a) || related_literal(id, n->b) ||
	    related_literal(id, n->c))
		return 1;
	for (i = 0; i < n->nlist; i++)
		if (related_literal(id, n->list[i]))
			return 1;
	return 0;
}

static const char *identity_fault(const struct sym_witness *w,
				   const struct ast_node *e, int values)
{
	static const char *const keys[] = { "openid", "uid" };
	const cJSON *id;
	int i;

	for (i = 0; i < 2 && w->auth; i++) {
		id = cJSON_GetObjectItemCaseSensitive(w->auth, keys[i]);
		if (!cJSON_IsString(id))
			continue;
		if (related_literal(id->valuestring, e))
			return "the identity equals a literal";
		if (values && (related_json(id->valuestring, w->doc) ||
			       related_json(id->valuestring, w->data)))
			return "the identity is related to a value";
	}
	return NULL;
}

static void witness_request(const struct sym_witness *w, const char *op,
			    struct eval_request *r, struct eval_get *gets)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->op = op;
	r->auth = w->auth;
	r->doc = w->doc;
	r->data = op_group(op) ? w->data : NULL;
	r->now = w->now;
	for (i = 0; i < w->ngets && i < MAX_GETS; i++) {
		gets[i].path = w->gets[i].path;
		gets[i].doc = w->gets[i].doc;
	}
	r->gets = gets;
	r->ngets = i;
}

/* The identity fields E reads: V_UID, V_OPENID. */
static unsigned identity_reads(const struct ast_node *e)
{
	unsigned r = 0;
	size_t i;

	if (!e)
		return 0;
	if (e->kind == AST_MEMBER && e->a && e->a->kind == AST_IDENT &&
	    strcmp(e->a->text, "auth") == 0 && e->text)
		r |= strcmp(e->text, "uid") == 0 ? V_UID :
		     strcmp(e->text, "openid") == 0 ? V_OPENID : 0;
	if (e->kind == AST_BINARY && e->op == AST_OP_IN && e->b &&
	    e->b->kind == AST_IDENT && strcmp(e->b->text, "auth") == 0 &&
	    e->a->kind == AST_STRING)
		r |= strcmp(e->a->text, "uid") == 0 ? V_UID :
		     strcmp(e->a->text, "openid") == 0 ? V_OPENID : 0;
	r |= identity_reads(e->a) | identity_reads(e->b) |
	     identity_reads(e->c);
	for (i = 0; i < e->nlist; i++)
		r |= identity_reads(e->list[i]);
	return r;
}

/* What is wrong with W as a request of the class of QN, or NULL; DATA:
 * another goal on the same request may give request.data members. */
static const char *witness_fault(const struct sym_witness *w,
				 const struct question *qn,
				 const struct ast_node *e, int data)
{
	enum sym_class cls = qn->cls;
	const char *op = ops[qn->op];
	const char *f;

	if ((unsigned)w->caller >= SYM_CALLER_COUNT ||
	    !(class_callers[cls] & SYM_CALLER_BIT(w->caller)))
		return "the caller is not of the class";
	f = auth_fault(w);
	if (f)
		return f;
	if (!qn->identity_absent && lacks_read(w->caller, identity_reads(e)))
		return "the caller lacks an identity field the rule reads";
	if (!data && !op_group(op) && w->data && w->data->child)
		return "request.data has members for an operation without it";
	if (cls == SYM_ANONYMOUS || cls == SYM_ANY_USER || cls == SYM_ROLE)
		return identity_fault(w, e, 1);
	if (cls == SYM_ANY && !qn->identity_free)
		return identity_fault(w, e, 0);
	return NULL;
}

/* Evaluate E again on W, as the platform would for OP. */
static enum eval_status witness_status(const struct sym_witness *w,
				       const struct ast_node *e, const char *op)
{
	struct eval_get gets[MAX_GETS];
	struct eval_request r;
	struct eval_outcome out;

	witness_request(w, op, &r, gets);
	eval_expr(e, &r, &out);
	if (out.error)
		return EVAL_ST_ERROR;
	return out.verdict == EVAL_ALLOW ? EVAL_ST_TRUE : EVAL_ST_FALSE;
}

static void print_json(const char *name, const cJSON *v)
{
	char *s = v ? cJSON_PrintUnformatted(v) : NULL;

	printf(" %s=%s", name, s ? s : "undefined");
	free(s);
}

static void print_witness(const struct sym_witness *w)
{
	size_t i;

	printf("#   witness: caller=%s", sym_caller_name(w->caller));
	print_json("auth", w->auth);
	print_json("doc", w->doc);
	print_json("data", w->data);
	printf(" now=%.17g", w->now);
	for (i = 0; i < w->ngets; i++) {
		printf(" get(%s)", w->gets[i].path);
		print_json("=", w->gets[i].doc);
	}
	printf("\n");
}

static void print_hit(const struct hit *h, int group)
{
	printf("#   request: caller=%s", sym_caller_name(h->caller));
	print_json("auth", dom.auth[h->caller]);
	print_json("doc", dom.docs[h->doc]);
	print_json("data", group ? dom.data[h->data] : NULL);
	printf(" now=%d\n", h->now);
}

/* ---- one question ------------------------------------------------------ */

enum fault {
	F_NONE,
	F_FALSE_PROOF,		/* UNSAT, yet the domain holds a request */
	F_BAD_WITNESS,		/* the witness does not give the outcome */
	F_WITNESS_CLASS,	/* the witness is not of the class */
	F_FAILED,		/* the engine reports an internal error */
	F_COUNT
};

static const char *const fault_names[] = {
	"", "false proof", "witness fails", "witness outside the class",
	"engine failed"
};

struct answer {
	enum sym_result res;
	enum fault fault;
	int beyond;		/* SAT, but the domain holds no such request */
	const char *why;
	struct sym_witness w;
	enum eval_status got;
};

static enum sym_result solve(const struct ast_node *e,
			     const struct question *qn, struct sym_witness *w)
{
	struct sym_goal goal;
	struct sym_query q;

	memset(&goal, 0, sizeof(goal));
	goal.expr = e;
	goal.op = ops[qn->op];
	goal.want = qn->want;
	memset(&q, 0, sizeof(q));
	q.kind = RULE_KIND_DATABASE;
	q.cls = qn->cls;
	q.identity_free = qn->cls == SYM_ANY && qn->identity_free;
	q.identity_absent = qn->identity_absent;
	q.goals = &goal;
	q.ngoals = 1;
	memset(w, 0, sizeof(*w));
	return sym_solve(&q, w);
}

static const struct hit *hit_of(const struct brute *b,
				const struct question *qn)
{
	return &b->hits[qn->identity_absent][op_group(ops[qn->op])][qn->cls]
		[qn->want];
}

/* Ask the engine QN about E and judge the answer against B. */
static void judge(const struct ast_node *e, const struct brute *b,
		  const struct question *qn, struct answer *an)
{
	const struct hit *h;

	memset(an, 0, sizeof(*an));
	h = hit_of(b, qn);
	an->res = solve(e, qn, &an->w);
	if (an->res == SYM_UNSAT && h->have)
		an->fault = F_FALSE_PROOF;
	if (an->res == SYM_FAILED)
		an->fault = F_FAILED;
	if (an->res != SYM_SAT)
		return;
	an->beyond = !h->have;
	an->got = witness_status(&an->w, e, ops[qn->op]);
	if (!status_wanted(an->got, qn->want)) {
		an->fault = F_BAD_WITNESS;
		return;
	}
	an->why = witness_fault(&an->w, qn, e, 0);
	if (an->why)
		an->fault = F_WITNESS_CLASS;
}

static void answer_free(struct answer *an)
{
	if (an->res == SYM_SAT)
		sym_witness_free(&an->w);
}

/* ---- shrinking ----------------------------------------------------------- */

struct compiled {
	struct ast_arena *arena;
	struct ast_node *e;
};

static int compile(const struct gexpr *g, struct compiled *c)
{
	struct expr_error err;

	c->arena = ast_arena_new();
	c->e = expr_parse(c->arena, g->text, g->len, EXPR_MAX_DEPTH_DEFAULT,
			  &err);
	if (!c->e) {
		printf("# test bug: '%s' does not parse: %s\n", g->text,
		       err.msg);
		ast_arena_free(c->arena);
		return -1;
	}
	return 0;
}

/* The fault that question QN shows on G, or F_NONE. */
static enum fault fault_of(const struct gexpr *g, const struct question *qn)
{
	struct compiled c;
	struct brute b;
	struct answer an;

	if (g->overflow || compile(g, &c) < 0)
		return F_NONE;
	brute_force(&b, c.e, g->vars);
	judge(c.e, &b, qn, &an);
	answer_free(&an);
	ast_arena_free(c.arena);
	return an.fault;
}

/* Candidate K for shrinking node I of G into T; 0 when there is none. */
static int shrink_candidate(const struct gexpr *g, int i, int k,
			    struct gexpr *t)
{
	const struct gnode *n = &g->n[i];
	struct gnode *m;

	*t = *g;
	m = &t->n[i];
	if (k == 0 && n->a >= 0)
		*m = g->n[n->a];
	else if (k == 1 && n->b >= 0)
		*m = g->n[n->b];
	else if (k == 2 || k == 3) {
		if (n->kind == G_TERM && n->term == T_TRUE + k - 2)
			return 0;
		memset(m, 0, sizeof(*m));
		m->kind = G_TERM;
		m->term = T_TRUE + k - 2;
		m->a = m->b = -1;
	} else if (k >= 4 && k < 4 + MAX_ELEMS && n->kind == G_IN &&
		   k - 4 < n->nelems && n->nelems > 1) {
		memmove(m->elems + k - 4, m->elems + k - 3,
			(size_t)(n->nelems - (k - 3)) * sizeof(int));
		m->nelems--;
	} else {
		return 0;
	}
	render_text(t);
	return 1;
}

/* One step: the first candidate that keeps fault F and shortens G. */
static int shrink_step(struct gexpr *g, const struct question *qn,
		       enum fault f)
{
	static struct gexpr t;
	int i, k;

	for (i = 0; i < g->nn; i++) {
		for (k = 0; k < 4 + MAX_ELEMS; k++) {
			if (!shrink_candidate(g, i, k, &t) || t.len >= g->len)
				continue;
			if (fault_of(&t, qn) == f) {
				*g = t;
				return 1;
			}
		}
	}
	return 0;
}

static void shrink(struct gexpr *g, const struct question *qn, enum fault f)
{
	int n;

	for (n = 0; n < SHRINK_ROUNDS && shrink_step(g, qn, f); n++)
		;
}

/* ---- two goals on one request ------------------------------------------- */

/* Questions with two goals, as the checks that compare operations ask
 * them: both goals must hold on one request, each goal seeing
 * request.data only for create and update. */
struct pair {
	const struct ast_node *e[2];
	const char *text[2];
	unsigned vars;
	struct question q[2];	/* the class and flags are q[0]'s */
};

struct pair_hit {
	struct hit h;
	int found;
};

/* The statuses of both expressions of P on every request of its space,
 * each as a goal without request.data (view 0) and with it (view 1),
 * filled in as the questions need them:
 * ST[(k * 2 + view) * SYM_CALLER_COUNT + caller][request]. */
struct pair_table {
	const struct pair *p;
	struct space s;
	unsigned char *st;
	int filled[4];
	unsigned long *evaluations;
};

static unsigned char *table_row(const struct pair_table *t, int k, int view,
				int c)
{
	return t->st + ((size_t)(k * 2 + view) * SYM_CALLER_COUNT + c) *
			       t->s.size;
}

/* Set up T for P; 0 when its space is too large to be worth it. */
static int pair_table_init(struct pair_table *t, const struct pair *p,
			   unsigned long *evaluations)
{
	memset(t, 0, sizeof(*t));
	t->p = p;
	t->evaluations = evaluations;
	build_for(p->e, 2, p->vars);
	space_of(p->vars, 1, &t->s);
	if (t->s.size > PAIR_SPACE_MAX)
		return 0;
	t->st = malloc(4 * SYM_CALLER_COUNT * t->s.size);
	if (!t->st)
		abort();
	return 1;
}

static void table_fill(struct pair_table *t, int k, int view)
{
	struct eval_request r;
	int c, doc, data, now;
	size_t i;

	if (t->filled[k * 2 + view]++)
		return;
	for (c = 0; c < SYM_CALLER_COUNT; c++) {
		if ((int)representative(c, t->p->vars) != c)
			continue;
		for (i = 0; i < t->s.size; i++) {
			decode(&t->s, i, &doc, &data, &now);
			fill_request(&r, c, doc, data, now, view);
			table_row(t, k, view, c)[i] =
				evaluate(t->p->e[k], &r, c);
		}
		*t->evaluations += t->s.size;
	}
}

/* The first request of the class on which both goals of P hold. */
static void brute_pair(const struct pair *p, struct pair_table *t,
		       struct pair_hit *ph)
{
	const struct question *q = p->q;
	const unsigned char *a, *b;
	int c, doc, data, now;
	unsigned sa, sb;
	size_t i;

	memset(ph, 0, sizeof(*ph));
	table_fill(t, 0, op_group(ops[q[0].op]));
	table_fill(t, 1, op_group(ops[q[1].op]));
	for (c = 0; c < SYM_CALLER_COUNT && !ph->found; c++) {
		a = table_row(t, 0, op_group(ops[q[0].op]),
			      representative(c, p->vars));
		b = table_row(t, 1, op_group(ops[q[1].op]),
			      representative(c, p->vars));
		for (i = 0; i < t->s.size && !ph->found; i++) {
			sa = a[i];
			sb = b[i];
			if (!packed_wanted(sa, q[0].want, q->identity_absent) ||
			    !packed_wanted(sb, q[1].want, q->identity_absent))
				continue;
			decode(&t->s, i, &doc, &data, &now);
			if (!member(q->cls, c, request_ident(doc, data)) ||
			    (!q->identity_absent && lacks_read(c, p->vars)))
				continue;
			ph->found = 1;
			ph->h = (struct hit){ 1, c, doc, data, now };
		}
	}
}

static enum sym_result solve_pair(const struct pair *p,
				  struct sym_witness *w)
{
	struct sym_goal goals[2];
	struct sym_query q;
	int k;

	memset(goals, 0, sizeof(goals));
	for (k = 0; k < 2; k++) {
		goals[k].expr = p->e[k];
		goals[k].op = ops[p->q[k].op];
		goals[k].want = p->q[k].want;
	}
	memset(&q, 0, sizeof(q));
	q.kind = RULE_KIND_DATABASE;
	q.cls = p->q[0].cls;
	q.identity_free = q.cls == SYM_ANY && p->q[0].identity_free;
	q.identity_absent = p->q[0].identity_absent;
	q.goals = goals;
	q.ngoals = 2;
	memset(w, 0, sizeof(*w));
	return sym_solve(&q, w);
}

static void judge_pair(const struct pair *p, const struct pair_hit *ph,
		       struct answer *an)
{
	int k, data = op_group(ops[p->q[0].op]) || op_group(ops[p->q[1].op]);

	memset(an, 0, sizeof(*an));
	an->res = solve_pair(p, &an->w);
	if (an->res == SYM_UNSAT && ph->found)
		an->fault = F_FALSE_PROOF;
	if (an->res == SYM_FAILED)
		an->fault = F_FAILED;
	if (an->res != SYM_SAT)
		return;
	an->beyond = !ph->found;
	for (k = 0; k < 2 && !an->fault; k++) {
		an->got = witness_status(&an->w, p->e[k], ops[p->q[k].op]);
		if (!status_wanted(an->got, p->q[k].want))
			an->fault = F_BAD_WITNESS;
	}
	for (k = 0; k < 2 && !an->fault; k++) {
		an->why = witness_fault(&an->w, &p->q[k], p->e[k], data);
		if (an->why)
			an->fault = F_WITNESS_CLASS;
	}
}

static void print_pair(const struct pair *p)
{
	int k;

	for (k = 0; k < 2; k++)
		printf("#   goal %d: %s %s: %s\n", k + 1,
		       want_names[p->q[k].want], ops[p->q[k].op], p->text[k]);
	printf("#   class %s%s%s\n", sym_class_name(p->q[0].cls),
	       p->q[0].cls == SYM_ANY && p->q[0].identity_free ?
	       ", identity free" : "",
	       p->q[0].identity_absent ? ", identity absent" : "");
}

static void show_pair_fault(const struct pair *p, const struct pair_hit *ph,
			    const struct answer *an)
{
	int data = op_group(ops[p->q[0].op]) || op_group(ops[p->q[1].op]);

	printf("# %s, two goals on one request:\n", fault_names[an->fault]);
	print_pair(p);
	if (an->fault == F_FALSE_PROOF)
		print_hit(&ph->h, data);
	if (an->res == SYM_SAT)
		print_witness(&an->w);
	if (an->why)
		printf("#   %s\n", an->why);
}

/* ---- the whole run ----------------------------------------------------- */

struct tally {
	unsigned long asked, sat, beyond, unsat, unknown;
	unsigned long faults[F_COUNT];
	unsigned shown_beyond, shown_unknown;
};

struct run {
	unsigned long count, seed;
	int verbose;
	int echo;		/* print every answer (-e) */
	int all_ops;		/* ask for every operation, not one of each
				   pair that sees the same request (-a) */
	struct tally t[SYM_CLASS_COUNT][NWANT][NOP];
	struct tally pairs;
	struct gexpr prev;	/* the expression before, for pairs */
	struct compiled prev_c;
	int have_prev;
	unsigned long inconsistent;
	unsigned long evaluations, expressions;
	unsigned shown, shown_inconsistent;
	int shown_this;		/* a fault of this expression was shown */
	double brute_time, engine_time, pair_time;
};

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_question(const struct question *qn)
{
	printf("#   question: %s %s %s%s%s\n", sym_class_name(qn->cls),
	       want_names[qn->want], ops[qn->op],
	       qn->cls == SYM_ANY && qn->identity_free ?
	       ", identity free" : "",
	       qn->identity_absent ? ", identity absent" : "");
}

static const char *status_name(enum eval_status st)
{
	static const char *const names[] = {
		"false", "true", "error", "suspended"
	};

	return names[st];
}

static void show_fault(const struct gexpr *g, const struct question *qn,
		       struct answer *an)
{
	struct gexpr small = *g;
	struct compiled c;
	struct brute b;
	struct answer sa;

	printf("# %s: %s\n", fault_names[an->fault], g->text);
	shrink(&small, qn, an->fault);
	if (small.len < g->len)
		printf("#   smallest: %s\n", small.text);
	print_question(qn);
	if (compile(&small, &c) < 0)
		return;
	brute_force(&b, c.e, small.vars);
	judge(c.e, &b, qn, &sa);
	if (sa.fault == F_FALSE_PROOF)
		print_hit(hit_of(&b, qn), op_group(ops[qn->op]));
	if (sa.res == SYM_SAT)
		print_witness(&sa.w);
	if (sa.fault == F_BAD_WITNESS)
		printf("#   the evaluator says %s\n", status_name(sa.got));
	if (sa.why)
		printf("#   %s\n", sa.why);
	answer_free(&sa);
	ast_arena_free(c.arena);
}

static void echo_answer(const struct gexpr *g, const struct question *qn,
			struct answer *an)
{
	static const char *const names[] = {
		"unsat", "sat", "unknown", "failed"
	};

	printf("# %s %s %s%s%s: %s%s\n", sym_class_name(qn->cls),
	       want_names[qn->want], ops[qn->op],
	       qn->cls == SYM_ANY && qn->identity_free ?
	       ", identity free" : "",
	       qn->identity_absent ? ", identity absent" : "", names[an->res],
	       an->beyond ? ", beyond the domain" : "");
	if (an->res == SYM_SAT)
		print_witness(&an->w);
	(void)g;
}

static void count(struct run *run, const struct gexpr *g,
		  const struct question *qn, struct answer *an)
{
	struct tally *t = &run->t[qn->cls][qn->want][qn->op];

	t->asked++;
	t->sat += an->res == SYM_SAT;
	t->unsat += an->res == SYM_UNSAT;
	t->unknown += an->res == SYM_UNKNOWN;
	t->beyond += an->beyond;
	t->faults[an->fault]++;
	if (run->echo)
		echo_answer(g, qn, an);
	if (an->fault && !run->shown_this && run->shown < SHOW_MAX) {
		run->shown++;
		run->shown_this = 1;
		show_fault(g, qn, an);
	}
	if (an->beyond && !an->fault && run->verbose &&
	    t->shown_beyond++ < SHOW_BEYOND) {
		printf("# beyond the domain: %s\n", g->text);
		print_question(qn);
		print_witness(&an->w);
	}
	if (an->res == SYM_UNKNOWN && run->verbose &&
	    t->shown_unknown++ < SHOW_BEYOND) {
		printf("# unknown: %s\n", g->text);
		print_question(qn);
	}
}

/* Implications between answers on one expression: a request of a class
 * is one of every wider class, read and delete see the same request, so
 * do create and update, and a falsy outcome or an error denies. */
static int implied(const struct question *p, const struct question *q)
{
	int twin = op_group(ops[p->op]) == op_group(ops[q->op]);
	int wider = q->cls == p->cls || q->cls == SYM_ANY ||
		    (p->cls == SYM_ANY_USER && q->cls == SYM_ROLE);

	if (p->want == q->want && wider && twin)
		return 1;
	return twin && p->cls == q->cls && q->want == SYM_WANT_DENY &&
	       (p->want == SYM_WANT_FALSE || p->want == SYM_WANT_ERROR);
}

static void check_consistency(struct run *run, const struct gexpr *g,
			      const struct question *qs,
			      const enum sym_result *res, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < n && res[i] == SYM_SAT; j++) {
			if (res[j] != SYM_UNSAT || !implied(&qs[i], &qs[j]))
				continue;
			run->inconsistent++;
			if (run->shown_inconsistent++ >= SHOW_MAX)
				continue;
			printf("# inconsistent: %s\n", g->text);
			print_question(&qs[i]);
			printf("#   is sat, but\n");
			print_question(&qs[j]);
			printf("#   is unsat\n");
		}
	}
}

static void ask_all(struct run *run, const struct gexpr *g,
		    const struct ast_node *e, const struct brute *b, int id_free,
		    int absent)
{
	struct question qs[SYM_CLASS_COUNT * NWANT * NOP];
	enum sym_result res[SYM_CLASS_COUNT * NWANT * NOP];
	struct answer an;
	size_t n = 0;
	int cls, w, op, asked[NOP];

	for (op = 0; op < NOP; op++)
		asked[op] = run->all_ops;
	asked[rnd(2) ? 0 : 3] = 1;	/* read or delete */
	asked[rnd(2) ? 1 : 2] = 1;	/* create or update */
	for (cls = 0; cls < SYM_CLASS_COUNT; cls++)
		for (w = 0; w < NWANT; w++)
			for (op = 0; op < NOP; op++) {
				if (!asked[op])
					continue;
				qs[n].cls = cls;
				qs[n].want = w;
				qs[n].op = op;
				qs[n].identity_free = id_free;
				qs[n].identity_absent = absent;
				judge(e, b, &qs[n], &an);
				res[n++] = an.res;
				count(run, g, &qs[n - 1], &an);
				answer_free(&an);
			}
	check_consistency(run, g, qs, res, n);
}

static void count_pair(struct run *run, const struct pair *p,
		       const struct pair_hit *ph, const struct answer *an)
{
	struct tally *t = &run->pairs;

	t->asked++;
	t->sat += an->res == SYM_SAT;
	t->unsat += an->res == SYM_UNSAT;
	t->unknown += an->res == SYM_UNKNOWN;
	t->beyond += an->beyond;
	t->faults[an->fault]++;
	if (an->fault && !run->shown_this && run->shown < SHOW_MAX) {
		run->shown++;
		run->shown_this = 1;
		show_pair_fault(p, ph, an);
	}
	if (an->res == SYM_UNKNOWN && run->verbose &&
	    t->shown_unknown++ < SHOW_BEYOND) {
		printf("# unknown, two goals on one request:\n");
		print_pair(p);
	}
}

static int popcount(unsigned v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/* Pair E with the expression before it when their union keeps the
 * domain small, else with itself, under random goals. */
static void ask_pairs(struct run *run, const struct gexpr *g,
		      const struct ast_node *e, int id_free, int absent)
{
	struct pair_table t;
	struct pair p;
	struct pair_hit ph;
	struct answer an;
	int i, k, other = run->have_prev &&
		popcount((run->prev.vars | g->vars) & V_VALUES) <= 3;

	memset(&p, 0, sizeof(p));
	p.e[0] = e;
	p.text[0] = g->text;
	p.e[1] = other ? run->prev_c.e : e;
	p.text[1] = other ? run->prev.text : g->text;
	p.vars = g->vars | (other ? run->prev.vars : 0);
	if (!pair_table_init(&t, &p, &run->evaluations))
		return;
	for (i = 0; i < PAIRS_PER_EXPR; i++) {
		for (k = 0; k < 2; k++) {
			p.q[k].cls = (enum sym_class)rnd(SYM_CLASS_COUNT);
			p.q[k].want = (enum sym_want)rnd(NWANT);
			p.q[k].op = (int)rnd(NOP);
			p.q[k].identity_free = id_free;
			p.q[k].identity_absent = absent;
		}
		p.q[1].cls = p.q[0].cls;
		brute_pair(&p, &t, &ph);
		judge_pair(&p, &ph, &an);
		count_pair(run, &p, &ph, &an);
		answer_free(&an);
	}
	free(t.st);
}

static void keep_prev(struct run *run, const struct gexpr *g,
		      struct compiled *c)
{
	if (run->have_prev)
		ast_arena_free(run->prev_c.arena);
	run->prev = *g;
	run->prev_c = *c;
	run->have_prev = 1;
}

static void run_one(struct run *run, struct gexpr *g)
{
	struct compiled c;
	struct brute b;
	double t0, t1;
	int id_free, absent;

	if (g->overflow || compile(g, &c) < 0) {
		run->expressions++;
		return;
	}
	run->shown_this = 0;
	t0 = seconds();
	brute_force(&b, c.e, g->vars);
	t1 = seconds();
	id_free = (int)rnd(2);
	absent = rnd(4) == 0;
	ask_all(run, g, c.e, &b, id_free, absent);
	run->brute_time += t1 - t0;
	run->engine_time += seconds() - t1;
	run->evaluations += b.evaluations;
	t0 = seconds();
	ask_pairs(run, g, c.e, id_free, absent);
	run->pair_time += seconds() - t0;
	run->expressions++;
	keep_prev(run, g, &c);
}

static void print_faults(const struct tally *t)
{
	if (t->asked == t->faults[F_NONE])
		return;
	printf("; %lu false proofs, %lu failing witnesses, %lu witnesses "
	       "outside the class, %lu engine failures",
	       t->faults[F_FALSE_PROOF], t->faults[F_BAD_WITNESS],
	       t->faults[F_WITNESS_CLASS], t->faults[F_FAILED]);
}

static unsigned tap_line(unsigned n, const struct tally *t,
			 const struct question *qn)
{
	unsigned long bad = t->asked - t->faults[F_NONE];

	printf("%sok %u - %s %s %s: %lu asked, %lu sat (%lu beyond the "
	       "domain), %lu unsat, %lu unknown", bad ? "not " : "", n,
	       sym_class_name(qn->cls), want_names[qn->want], ops[qn->op],
	       t->asked, t->sat, t->beyond, t->unsat, t->unknown);
	print_faults(t);
	printf("\n");
	return bad != 0;
}

static unsigned tap_pairs(unsigned n, const struct tally *t)
{
	unsigned long bad = t->asked - t->faults[F_NONE];

	printf("%sok %u - two goals on one request: %lu asked, %lu sat (%lu "
	       "beyond the domain), %lu unsat, %lu unknown", bad ? "not " : "",
	       n, t->asked, t->sat, t->beyond, t->unsat, t->unknown);
	print_faults(t);
	printf("\n");
	return bad != 0;
}

static int report(const struct run *run)
{
	struct question qn = { 0 };
	unsigned n = 0, failed = 0;

	printf("1..%d\n", SYM_CLASS_COUNT * NWANT * NOP + 2);
	for (qn.cls = 0; qn.cls < SYM_CLASS_COUNT; qn.cls++)
		for (qn.want = 0; qn.want < NWANT; qn.want++)
			for (qn.op = 0; qn.op < NOP; qn.op++)
				failed += tap_line(++n, &run->t[qn.cls]
						   [qn.want][qn.op], &qn);
	printf("%sok %u - answers agree across classes, wants and "
	       "operations: %lu inconsistent\n",
	       run->inconsistent ? "not " : "", ++n, run->inconsistent);
	failed += run->inconsistent != 0;
	failed += tap_pairs(++n, &run->pairs);
	printf("# %lu expressions, seed %lu; %lu evaluations by brute force; "
	       "one goal: brute force %.2f s, engine %.2f s; two goals: %.2f "
	       "s\n", run->expressions, run->seed, run->evaluations,
	       run->brute_time, run->engine_time, run->pair_time);
	return failed != 0;
}

/* ---- the command line -------------------------------------------------- */

static int usage(void)
{
	fprintf(stderr, "usage: brute [-a] [-n COUNT] [-s SEED] [-v] "
		"[-e EXPR]\n");
	return 2;
}

/* The variables EXPR reads, for an expression given with -e. */
static unsigned vars_of_text(const char *text)
{
	unsigned vars = 0;
	size_t i;

	for (i = 0; i < T_NVARS; i++)
		if (strstr(text, terms[i].text))
			vars |= terms[i].vars;
	for (i = 0; i < sizeof(in_keys) / sizeof(in_keys[0]); i++)
		if (strstr(text, in_keys[i]))
			vars |= in_key_vars[i];
	return vars;
}

static void run_text(struct run *run, const char *text)
{
	struct gexpr g;
	size_t len = strlen(text);

	memset(&g, 0, sizeof(g));
	if (len >= sizeof(g.text)) {
		g.overflow = 1;
		len = 0;
	}
	memcpy(g.text, text, len);
	g.len = len;
	g.vars = vars_of_text(text);
	run_one(run, &g);
}

/* Fewer expressions under a checker (valgrind through RULECHECK_WRAPPER,
 * or the sanitizers), which slow everything down tenfold or more. */
static unsigned long default_count(void)
{
	const char *wrapper = getenv("RULECHECK_WRAPPER");
	const char *san = getenv("RULECHECK_SANITIZERS");

	if (wrapper && *wrapper)
		return COUNT_DEFAULT / 200;
	if (san && *san)
		return COUNT_DEFAULT / 10;
	return COUNT_DEFAULT;
}

int main(int argc, char **argv)
{
	static struct run run;
	const char *text = NULL;
	struct gexpr g;
	unsigned long i;
	int opt;

	run.count = default_count();
	run.seed = SEED_DEFAULT;
	while ((opt = getopt(argc, argv, "an:s:ve:")) != -1) {
		if (opt == 'a')
			run.all_ops = 1;
		else if (opt == 'n')
			run.count = strtoul(optarg, NULL, 10);
		else if (opt == 's')
			run.seed = strtoul(optarg, NULL, 10);
		else if (opt == 'v')
			run.verbose = 1;
		else if (opt == 'e')
			text = optarg;
		else
			return usage();
	}
	if (optind != argc)
		return usage();

	rng_state = 0x9E3779B97F4A7C15ull ^ run.seed;
	domain_init();
	run.echo = text != NULL;
	run.all_ops |= run.echo;
	if (text)
		run_text(&run, text);
	for (i = 0; !text && i < run.count; i++) {
		gen_expr(&g);
		run_one(&run, &g);
	}
	if (run.have_prev)
		ast_arena_free(run.prev_c.arena);
	domain_free();
	return report(&run);
}
