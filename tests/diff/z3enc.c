/* Rule expressions as Z3 formulas, for the differential test of the
 * symbolic engine.  Values are a datatype (undefined, null, boolean,
 * number, string, array, object); every sub-expression becomes a term for
 * its value and one for whether its evaluation raises an error.  Strings
 * are indices into the expression's universe (z3univ.h), whose facts are
 * terms over the index; the request is a tree of free slots. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <z3.h>

#include "z3enc.h"
#include "z3univ.h"

#define Z3ENC_MAX_ELEMS 4	/* elements of an array value */
#define Z3ENC_MAX_KEYS 64	/* 'x in obj' tests in one expression */
#define Z3ENC_MAX_NUMERALS 64
#define Z3ENC_MEMO 1024
#define Z3ENC_REFRESH 200	/* loads before a fresh context */
#define Z3ENC_NUM_BOUND "1000000000000000"	/* |number| below 1e15 */

enum z3enc_type {
	Z3ENC_T_UNDEF,
	Z3ENC_T_NULL,
	Z3ENC_T_BOOL,
	Z3ENC_T_NUM,
	Z3ENC_T_STR,
	Z3ENC_T_ARR,
	Z3ENC_T_OBJ,
	Z3ENC_T_COUNT
};

#define M(t) (1u << Z3ENC_T_##t)
#define M_ANY ((1u << Z3ENC_T_COUNT) - 1)

/* How an expression is evaluated: with request.data (create, update),
 * and with probe values in the identity fields the caller lacks. */
enum z3enc_mode {
	Z3ENC_MODE_DATA = 1,
	Z3ENC_MODE_FILL = 2,
	Z3ENC_MODES = 4
};

/* Identities of the objects that the request itself holds. */
enum z3enc_id {
	Z3ENC_ID_DOC = 1,
	Z3ENC_ID_RESOURCE,
	Z3ENC_ID_DATA,
	Z3ENC_ID_AUTH,
	Z3ENC_ID_REQUEST,
	Z3ENC_ID_FIRST_SLOT = 16,
	Z3ENC_ID_FIRST_GET = 100000
};

enum z3enc_slot_kind {
	Z3ENC_SLOT_VALUE,	/* any value */
	Z3ENC_SLOT_ROOT,	/* doc, resource, request.data: an object */
	Z3ENC_SLOT_AUTH,	/* null or the caller record */
	Z3ENC_SLOT_GET		/* a get() document: null or an object */
};

/* A get() path: a constant, or a literal prefix and a string. */
struct z3enc_path {
	const char *constant, *prefix;
	size_t len;		/* of the constant or of the prefix */
	Z3_ast part;		/* the string after the prefix */
};

/* A place in the request that holds a value. */
struct z3enc_slot {
	struct z3enc_slot *next;	/* every slot of the load */
	struct z3enc_slot *parent, *child, *sibling;
	char *name;		/* doc.f1, get2.admin: for the model text */
	const char *key;	/* the member name under the parent */
	enum z3enc_slot_kind kind;
	Z3_ast v;
	unsigned mask;
	int id;
	Z3_ast join;		/* ToPrimitive when an array */
	Z3_ast len, elem[Z3ENC_MAX_ELEMS];
	int elems;		/* the elements exist */
	int join_checked;	/* join agrees with the elements */
	Z3_func_decl has;	/* own keys, once 'in' asks */
	int has_checked;	/* the parent's has() agrees with v */
	/* get() documents */
	struct z3enc_path path;
	Z3_ast absent, gid;
};

/* What a sub-expression evaluates to. */
struct z3enc_val {
	Z3_ast err;		/* an error is raised */
	Z3_ast v;		/* the value, meaningful without err */
	Z3_ast pstr;		/* ToPrimitive of an array or object, or NULL */
	unsigned mask;		/* the types v may have */
	struct z3enc_slot *slot;	/* the array or object v may be */
	int request;		/* the request object itself */
};

struct z3enc_keytest {
	struct z3enc_slot *slot;
	Z3_ast key;
};

struct z3enc_numeral {
	Z3_ast number, string;
};

struct z3enc_memo {
	const struct ast_node *node;
	int mode;
	struct z3enc_val val;
};

struct z3enc {
	Z3_context c;
	Z3_solver s;
	unsigned timeout_ms, loads;
	Z3_sort value, real, integer, boolean;
	Z3_func_decl con[Z3ENC_T_COUNT], rec[Z3ENC_T_COUNT];
	Z3_func_decl acc[Z3ENC_T_COUNT];

	/* the loaded expression */
	enum rule_kind kind;
	struct z3univ u;
	double *values;		/* scratch for lookup trees */
	int unsupported;
	struct z3enc_slot *slots;
	size_t nslots, nslots_final;
	struct z3enc_slot *doc, *resource, *data, *auth;
	Z3_ast caller, uid, openid, now;
	struct z3enc_keytest keys[Z3ENC_MAX_KEYS];
	size_t nkeys;
	struct z3enc_numeral numerals[Z3ENC_MAX_NUMERALS];
	size_t nnumerals;
	struct z3enc_memo memo[Z3ENC_MEMO];
	int next_id, next_get;
	char *model_text;
	FILE *dump;
};

static struct z3enc_val enc(struct z3enc *z, const struct ast_node *n,
			    int mode);

/* ---- terms --------------------------------------------------------------- */

static Z3_ast t_true(struct z3enc *z)
{
	return Z3_mk_true(z->c);
}

static Z3_ast t_false(struct z3enc *z)
{
	return Z3_mk_false(z->c);
}

static int is_const(struct z3enc *z, Z3_ast a, Z3_lbool value)
{
	return Z3_get_bool_value(z->c, a) == value;
}

static Z3_ast t_not(struct z3enc *z, Z3_ast a)
{
	if (is_const(z, a, Z3_L_TRUE))
		return t_false(z);
	if (is_const(z, a, Z3_L_FALSE))
		return t_true(z);
	return Z3_mk_not(z->c, a);
}

static Z3_ast t_and(struct z3enc *z, Z3_ast a, Z3_ast b)
{
	Z3_ast args[2] = { a, b };

	if (is_const(z, a, Z3_L_FALSE) || is_const(z, b, Z3_L_FALSE))
		return t_false(z);
	if (is_const(z, a, Z3_L_TRUE))
		return b;
	if (is_const(z, b, Z3_L_TRUE))
		return a;
	return Z3_mk_and(z->c, 2, args);
}

static Z3_ast t_or(struct z3enc *z, Z3_ast a, Z3_ast b)
{
	Z3_ast args[2] = { a, b };

	if (is_const(z, a, Z3_L_TRUE) || is_const(z, b, Z3_L_TRUE))
		return t_true(z);
	if (is_const(z, a, Z3_L_FALSE))
		return b;
	if (is_const(z, b, Z3_L_FALSE))
		return a;
	return Z3_mk_or(z->c, 2, args);
}

static Z3_ast t_ite(struct z3enc *z, Z3_ast c, Z3_ast a, Z3_ast b)
{
	if (is_const(z, c, Z3_L_TRUE) || a == b)
		return a;
	if (is_const(z, c, Z3_L_FALSE))
		return b;
	return Z3_mk_ite(z->c, c, a, b);
}

/* A == B, folded when both are the same term or two numerals (terms are
 * shared, so equal numerals are the same term). */
static Z3_ast t_eq(struct z3enc *z, Z3_ast a, Z3_ast b)
{
	if (a == b)
		return t_true(z);
	if (Z3_is_numeral_ast(z->c, a) && Z3_is_numeral_ast(z->c, b))
		return t_false(z);
	return Z3_mk_eq(z->c, a, b);
}

static Z3_ast t_implies(struct z3enc *z, Z3_ast a, Z3_ast b)
{
	return t_or(z, t_not(z, a), b);
}

static Z3_ast t_int(struct z3enc *z, int n)
{
	return Z3_mk_int(z->c, n, z->integer);
}

static Z3_ast t_real(struct z3enc *z, const char *numeral)
{
	return Z3_mk_numeral(z->c, numeral, z->real);
}

static Z3_ast t_const(struct z3enc *z, const char *name, Z3_sort sort)
{
	return Z3_mk_fresh_const(z->c, name, sort);
}

static Z3_ast t_lt(struct z3enc *z, Z3_ast a, Z3_ast b)
{
	return Z3_mk_lt(z->c, a, b);
}

static Z3_ast t_le(struct z3enc *z, Z3_ast a, Z3_ast b)
{
	return Z3_mk_le(z->c, a, b);
}

static void t_assert(struct z3enc *z, Z3_ast a)
{
	if (!is_const(z, a, Z3_L_TRUE))
		Z3_solver_assert(z->c, z->s, a);
}

static Z3_ast t_app1(struct z3enc *z, Z3_func_decl f, Z3_ast x)
{
	return Z3_mk_app(z->c, f, 1, &x);
}

/* An exact rational for the double D, or NULL when it has none here. */
static Z3_ast t_number(struct z3enc *z, double d)
{
	char num[64];
	int e;
	double m;

	if (!isfinite(d))
		return NULL;
	if (d == floor(d) && fabs(d) < 1e15) {
		snprintf(num, sizeof(num), "%.0f", d);
		return t_real(z, num);
	}
	m = ldexp(frexp(d, &e), 53);
	if (53 - e > 62 || 53 - e < 0)
		return NULL;
	snprintf(num, sizeof(num), "%.0f/%llu", m, 1ull << (53 - e));
	return t_real(z, num);
}

/* ---- the context --------------------------------------------------------- */

static void init_datatype(struct z3enc *z)
{
	static const char *const names[Z3ENC_T_COUNT] = {
		"undef", "null", "bool", "num", "str", "arr", "obj"
	};
	Z3_sort sorts[Z3ENC_T_COUNT] = {
		NULL, NULL, z->boolean, z->real, z->integer, z->integer,
		z->integer
	};
	Z3_constructor cons[Z3ENC_T_COUNT];
	char rec[16], acc[16];
	unsigned ref = 0;
	int t;

	for (t = 0; t < Z3ENC_T_COUNT; t++) {
		Z3_symbol field;

		snprintf(rec, sizeof(rec), "is_%s", names[t]);
		snprintf(acc, sizeof(acc), "%s_of", names[t]);
		field = Z3_mk_string_symbol(z->c, acc);
		cons[t] = Z3_mk_constructor(z->c,
					    Z3_mk_string_symbol(z->c, names[t]),
					    Z3_mk_string_symbol(z->c, rec),
					    sorts[t] ? 1 : 0, &field, &sorts[t],
					    &ref);
	}
	z->value = Z3_mk_datatype(z->c, Z3_mk_string_symbol(z->c, "Value"),
				  Z3ENC_T_COUNT, cons);
	for (t = 0; t < Z3ENC_T_COUNT; t++) {
		z->acc[t] = NULL;
		Z3_query_constructor(z->c, cons[t], sorts[t] ? 1 : 0,
				     &z->con[t], &z->rec[t], &z->acc[t]);
		Z3_del_constructor(z->c, cons[t]);
	}
}

/* A Z3 error is a fault of the encoding: stop loudly. */
static void error_handler(Z3_context c, Z3_error_code e)
{
	fprintf(stderr, "z3enc: Z3 error: %s\n", Z3_get_error_msg(c, e));
	abort();
}

static void open_context(struct z3enc *z)
{
	Z3_config cfg = Z3_mk_config();
	Z3_params p;

	Z3_set_param_value(cfg, "model", "true");
	z->c = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	Z3_set_error_handler(z->c, error_handler);
	z->real = Z3_mk_real_sort(z->c);
	z->integer = Z3_mk_int_sort(z->c);
	z->boolean = Z3_mk_bool_sort(z->c);
	init_datatype(z);
	z->s = Z3_mk_solver(z->c);
	Z3_solver_inc_ref(z->c, z->s);
	p = Z3_mk_params(z->c);
	Z3_params_inc_ref(z->c, p);
	if (z->timeout_ms)
		Z3_params_set_uint(z->c, p,
				   Z3_mk_string_symbol(z->c, "timeout"),
				   z->timeout_ms);
	Z3_solver_set_params(z->c, z->s, p);
	Z3_params_dec_ref(z->c, p);
}

static void close_context(struct z3enc *z)
{
	if (!z->c)
		return;
	Z3_solver_dec_ref(z->c, z->s);
	Z3_del_context(z->c);
	z->c = NULL;
}

struct z3enc *z3enc_new(unsigned timeout_ms)
{
	struct z3enc *z = calloc(1, sizeof(*z));

	if (!z)
		return NULL;
	z->timeout_ms = timeout_ms;
	return z;
}

static void free_slots(struct z3enc *z)
{
	struct z3enc_slot *s, *next;

	for (s = z->slots; s; s = next) {
		next = s->next;
		free(s->name);
		free(s);
	}
	z->slots = NULL;
	z->nslots = z->nslots_final = 0;
}

void z3enc_free(struct z3enc *z)
{
	if (!z)
		return;
	free_slots(z);
	z3univ_free(&z->u);
	close_context(z);
	free(z->model_text);
	free(z->values);
	free(z);
}

/* ---- strings ------------------------------------------------------------- */

/* The index of the string TEXT; outside the universe the expression is
 * unsupported. */
static Z3_ast t_index(struct z3enc *z, const char *text, size_t len)
{
	long i = z3univ_find(&z->u, text, len);

	if (i < 0) {
		z->unsupported = 1;
		i = 0;
	}
	return t_int(z, (int)i);
}

static Z3_ast t_indexs(struct z3enc *z, const char *text)
{
	return t_index(z, text, strlen(text));
}

static Z3_ast str_domain(struct z3enc *z, Z3_ast i)
{
	return t_and(z, t_le(z, t_int(z, 0), i),
		     t_lt(z, i, t_int(z, (int)z->u.n)));
}

static Z3_ast t_bool(struct z3enc *z, int b)
{
	return b ? t_true(z) : t_false(z);
}

/* The facts of the universe, by the index of a string. */
enum z3enc_fact {
	Z3ENC_F_NAN,
	Z3ENC_F_NUM,
	Z3ENC_F_CANONICAL,
	Z3ENC_F_PART,
	Z3ENC_F_LITERAL,
	Z3ENC_F_REGEX,		/* + k */
	Z3ENC_F_HOLDS = Z3ENC_F_REGEX + Z3UNIV_MAX_REGEXES,	/* + mark */
	Z3ENC_F_CONCAT = Z3ENC_F_HOLDS + Z3UNIV_MARKS	/* + concat */
};

static double fact_value(const struct z3univ *u, size_t i, int f)
{
	const struct z3univ_string *s = &u->s[i];

	if (f >= Z3ENC_F_CONCAT)
		return (double)u->concats[f - Z3ENC_F_CONCAT].result[i];
	if (f >= Z3ENC_F_HOLDS)
		return (s->holds >> (f - Z3ENC_F_HOLDS)) & 1;
	if (f >= Z3ENC_F_REGEX)
		return (s->regex >> (f - Z3ENC_F_REGEX)) & 1;
	switch (f) {
	case Z3ENC_F_NAN:
		return s->nan;
	case Z3ENC_F_NUM:
		return s->nan ? 0 : s->number;
	case Z3ENC_F_CANONICAL:
		return s->canonical;
	case Z3ENC_F_PART:
		return s->path_part;
	default:
		return s->literal;
	}
}

static Z3_ast fact_leaf(struct z3enc *z, int f, double v)
{
	Z3_ast r;

	if (f == Z3ENC_F_NUM) {
		r = t_number(z, v);
		if (!r)
			z->unsupported = 1;
		return r ? r : t_real(z, "0");
	}
	if (f >= Z3ENC_F_CONCAT)
		return t_int(z, (int)v);
	return t_bool(z, v != 0);
}

/* The fact over indices [LO, HI) of the scratch values, as a balanced
 * tree of tests on I splitting at the borders of equal runs. */
static Z3_ast fact_tree(struct z3enc *z, Z3_ast i, int f, size_t lo,
			size_t hi)
{
	size_t mid = lo + (hi - lo) / 2, a, b;

	for (a = lo + 1; a < hi && z->values[a] == z->values[lo]; a++)
		;
	if (a == hi)
		return fact_leaf(z, f, z->values[lo]);
	for (b = mid; b > lo && z->values[b - 1] == z->values[b]; b--)
		;
	if (b == lo)
		for (b = mid; b < hi && z->values[b - 1] == z->values[b]; b++)
			;
	return t_ite(z, t_lt(z, i, t_int(z, (int)b)),
		     fact_tree(z, i, f, lo, b), fact_tree(z, i, f, b, hi));
}

/* Fact F of the string whose index is I, which lies in the universe. */
static Z3_ast fact(struct z3enc *z, int f, Z3_ast i)
{
	size_t k;
	int known;

	if (Z3_is_numeral_ast(z->c, i) && Z3_get_numeral_int(z->c, i, &known) &&
	    known >= 0 && (size_t)known < z->u.n)
		return fact_leaf(z, f, fact_value(&z->u, (size_t)known, f));
	for (k = 0; k < z->u.n; k++)
		z->values[k] = fact_value(&z->u, k, f);
	return fact_tree(z, i, f, 0, z->u.n);
}

/* Whether the string I holds identity ID, one of the tokens. */
static Z3_ast holds_identity(struct z3enc *z, Z3_ast i, Z3_ast id)
{
	Z3_ast r = t_false(z);
	int j;

	for (j = 0; j < Z3UNIV_TOKENS; j++) {
		Z3_ast token = t_int(z, (int)z->u.marks[j]);

		r = t_or(z, r, t_and(z, t_eq(z, id, token),
				     fact(z, Z3ENC_F_HOLDS + j, i)));
	}
	return r;
}

static Z3_ast holds_mark(struct z3enc *z, Z3_ast i, int mark)
{
	return fact(z, Z3ENC_F_HOLDS + mark, i);
}

/* ---- values -------------------------------------------------------------- */

static Z3_ast v_make(struct z3enc *z, enum z3enc_type t, Z3_ast arg)
{
	return Z3_mk_app(z->c, z->con[t], arg ? 1 : 0, &arg);
}

static Z3_ast v_undef(struct z3enc *z)
{
	return v_make(z, Z3ENC_T_UNDEF, NULL);
}

static Z3_ast v_bool(struct z3enc *z, Z3_ast b)
{
	return v_make(z, Z3ENC_T_BOOL, b);
}

static Z3_ast v_is(struct z3enc *z, Z3_ast v, enum z3enc_type t)
{
	return t_app1(z, z->rec[t], v);
}

static Z3_ast v_get(struct z3enc *z, Z3_ast v, enum z3enc_type t)
{
	return t_app1(z, z->acc[t], v);
}

/* Whether X has type T, folded by its mask. */
static Z3_ast x_is(struct z3enc *z, const struct z3enc_val *x,
		   enum z3enc_type t)
{
	if (!(x->mask & (1u << t)))
		return t_false(z);
	if (x->mask == (1u << t))
		return t_true(z);
	return v_is(z, x->v, t);
}

static Z3_ast x_nullish(struct z3enc *z, const struct z3enc_val *x)
{
	return t_or(z, x_is(z, x, Z3ENC_T_UNDEF), x_is(z, x, Z3ENC_T_NULL));
}

static struct z3enc_val x_make(struct z3enc *z, Z3_ast v, unsigned mask)
{
	struct z3enc_val x;

	memset(&x, 0, sizeof(x));
	x.err = t_false(z);
	x.v = v;
	x.mask = mask;
	return x;
}

static struct z3enc_val x_undef(struct z3enc *z)
{
	return x_make(z, v_undef(z), M(UNDEF));
}

/* The value of an expression outside the fragment. */
static struct z3enc_val x_unsupported(struct z3enc *z)
{
	z->unsupported = 1;
	return x_undef(z);
}

/* R raises the errors of A and B, evaluated one after the other. */
static void x_seq(struct z3enc *z, struct z3enc_val *r,
		  const struct z3enc_val *a, const struct z3enc_val *b)
{
	r->err = t_or(z, a->err, b->err);
}

static Z3_ast truthy(struct z3enc *z, const struct z3enc_val *x)
{
	Z3_ast t = t_or(z, x_is(z, x, Z3ENC_T_ARR), x_is(z, x, Z3ENC_T_OBJ));

	if (x->mask & M(BOOL))
		t = t_or(z, t, t_and(z, x_is(z, x, Z3ENC_T_BOOL),
				     v_get(z, x->v, Z3ENC_T_BOOL)));
	if (x->mask & M(NUM))
		t = t_or(z, t, t_and(z, x_is(z, x, Z3ENC_T_NUM),
				     t_not(z, t_eq(z, v_get(z, x->v,
							     Z3ENC_T_NUM),
						   t_real(z, "0")))));
	if (x->mask & M(STR))
		t = t_or(z, t, t_and(z, x_is(z, x, Z3ENC_T_STR),
				     t_not(z, t_eq(z, v_get(z, x->v,
							     Z3ENC_T_STR),
						   t_indexs(z, "")))));
	return t;
}

/* ---- slots --------------------------------------------------------------- */

static struct z3enc_slot *slot_new(struct z3enc *z, const char *name,
				   enum z3enc_slot_kind kind)
{
	struct z3enc_slot *s = calloc(1, sizeof(*s));

	if (!s || !(s->name = strdup(name)))
		abort();
	s->kind = kind;
	s->id = z->next_id++;
	s->next = z->slots;
	z->slots = s;
	z->nslots++;
	return s;
}

static Z3_ast num_domain(struct z3enc *z, Z3_ast r)
{
	Z3_ast bound = t_real(z, Z3ENC_NUM_BOUND);

	return t_and(z, t_lt(z, Z3_mk_unary_minus(z->c, bound), r),
		     t_lt(z, r, bound));
}

/* No value holds a probe value: the probes stand for identity fields
 * that the caller lacks. */
static Z3_ast probe_free(struct z3enc *z, Z3_ast i)
{
	return t_not(z, t_or(z, holds_mark(z, i, Z3UNIV_PROBE_UID),
			     holds_mark(z, i, Z3UNIV_PROBE_OPENID)));
}

static Z3_ast string_domain(struct z3enc *z, Z3_ast i)
{
	return t_and(z, str_domain(z, i), probe_free(z, i));
}

/* What every free value obeys: arrays and objects are the slot's own,
 * numbers are bounded, strings are of the universe. */
static void value_domain(struct z3enc *z, Z3_ast v, int id)
{
	t_assert(z, t_implies(z, v_is(z, v, Z3ENC_T_ARR),
			      t_eq(z, v_get(z, v, Z3ENC_T_ARR),
				   t_int(z, id))));
	t_assert(z, t_implies(z, v_is(z, v, Z3ENC_T_OBJ),
			      t_eq(z, v_get(z, v, Z3ENC_T_OBJ),
				   t_int(z, id))));
	t_assert(z, t_implies(z, v_is(z, v, Z3ENC_T_NUM),
			      num_domain(z, v_get(z, v, Z3ENC_T_NUM))));
	t_assert(z, t_implies(z, v_is(z, v, Z3ENC_T_STR),
			      string_domain(z, v_get(z, v, Z3ENC_T_STR))));
}

static struct z3enc_slot *slot_value(struct z3enc *z, const char *name)
{
	struct z3enc_slot *s = slot_new(z, name, Z3ENC_SLOT_VALUE);

	s->v = t_const(z, name, z->value);
	s->mask = M_ANY;
	value_domain(z, s->v, s->id);
	return s;
}

static struct z3enc_slot *slot_root(struct z3enc *z, const char *name,
				    int id)
{
	struct z3enc_slot *s = slot_new(z, name, Z3ENC_SLOT_ROOT);

	s->id = id;
	s->v = v_make(z, Z3ENC_T_OBJ, t_int(z, id));
	s->mask = M(OBJ);
	return s;
}

static struct z3enc_slot *find_child(struct z3enc_slot *p, const char *key)
{
	struct z3enc_slot *c;

	for (c = p->child; c; c = c->sibling)
		if (strcmp(c->key, key) == 0)
			return c;
	return NULL;
}

/* The fields the platform fills in on every record and file, which are
 * non-empty strings: doc._id, doc._openid, resource.openid. */
static int system_field(struct z3enc *z, const struct z3enc_slot *p,
			const char *key)
{
	if (p == z->doc)
		return strcmp(key, "_id") == 0 || strcmp(key, "_openid") == 0;
	return p == z->resource && strcmp(key, "openid") == 0;
}

static struct z3enc_slot *slot_child(struct z3enc *z, struct z3enc_slot *p,
				     const char *key)
{
	struct z3enc_slot *c = find_child(p, key);
	char name[256];

	if (c)
		return c;
	snprintf(name, sizeof(name), "%s.%s", p->name, key);
	c = slot_value(z, name);
	if (system_field(z, p, key))
		t_assert(z, t_and(z, v_is(z, c->v, Z3ENC_T_STR),
				  t_not(z, t_eq(z, v_get(z, c->v, Z3ENC_T_STR),
						t_indexs(z, "")))));
	c->parent = p;
	c->key = c->name + strlen(c->name) - strlen(key);
	c->sibling = p->child;
	p->child = c;
	return c;
}

/* An element of an array: no undefined, no nested array or object. */
static void element_domain(struct z3enc *z, Z3_ast e)
{
	t_assert(z, t_not(z, v_is(z, e, Z3ENC_T_UNDEF)));
	t_assert(z, t_not(z, v_is(z, e, Z3ENC_T_ARR)));
	t_assert(z, t_not(z, v_is(z, e, Z3ENC_T_OBJ)));
	t_assert(z, t_implies(z, v_is(z, e, Z3ENC_T_NUM),
			      num_domain(z, v_get(z, e, Z3ENC_T_NUM))));
	t_assert(z, t_implies(z, v_is(z, e, Z3ENC_T_STR),
			      string_domain(z, v_get(z, e, Z3ENC_T_STR))));
}

static void slot_elements(struct z3enc *z, struct z3enc_slot *s)
{
	char name[300];
	int i;

	if (s->elems)
		return;
	s->elems = 1;
	snprintf(name, sizeof(name), "%s.length", s->name);
	s->len = t_const(z, name, z->integer);
	t_assert(z, t_le(z, t_int(z, 0), s->len));
	t_assert(z, t_le(z, s->len, t_int(z, Z3ENC_MAX_ELEMS)));
	for (i = 0; i < Z3ENC_MAX_ELEMS; i++) {
		snprintf(name, sizeof(name), "%s[%d]", s->name, i);
		s->elem[i] = t_const(z, name, z->value);
		element_domain(z, s->elem[i]);
	}
}

/* ToPrimitive of the array in S: a string of the universe, which is the
 * join of the elements when they exist (finalize() says so), and else
 * the one element of the array. */
static Z3_ast slot_join(struct z3enc *z, struct z3enc_slot *s)
{
	char name[300];

	if (s->join)
		return s->join;
	snprintf(name, sizeof(name), "%s.join", s->name);
	s->join = t_const(z, name, z->integer);
	t_assert(z, string_domain(z, s->join));
	return s->join;
}

/* ---- conversions --------------------------------------------------------- */

/* Number::toString of R: one of the universe's canonical numerals, which
 * bounds the numbers that a rule turns into strings.  The same number has
 * the same numeral. */
static Z3_ast num_string(struct z3enc *z, Z3_ast is_num, Z3_ast r)
{
	Z3_ast w;
	size_t i;

	for (i = 0; i < z->nnumerals; i++)
		if (z->numerals[i].number == r)
			return z->numerals[i].string;
	w = t_const(z, "numeral", z->integer);
	if (z->nnumerals < Z3ENC_MAX_NUMERALS) {
		z->numerals[z->nnumerals].number = r;
		z->numerals[z->nnumerals++].string = w;
	}
	t_assert(z, str_domain(z, w));
	t_assert(z, t_implies(z, is_num,
			      t_and(z, fact(z, Z3ENC_F_CANONICAL, w),
				    t_eq(z, fact(z, Z3ENC_F_NUM, w), r))));
	return w;
}

static Z3_ast bool_string(struct z3enc *z, Z3_ast b)
{
	return t_ite(z, b, t_indexs(z, "true"), t_indexs(z, "false"));
}

/* ToPrimitive of X when it is of type T, an array or an object. */
static Z3_ast x_pstr(struct z3enc *z, const struct z3enc_val *x,
		     enum z3enc_type t)
{
	if (t == Z3ENC_T_OBJ)
		return t_indexs(z, "[object Object]");
	if (x->slot)
		return slot_join(z, x->slot);
	if (x->pstr)
		return x->pstr;
	z->unsupported = 1;
	return t_int(z, 0);
}

/* ToPrimitive of X, whichever of array or object it is. */
static Z3_ast x_pstr_any(struct z3enc *z, const struct z3enc_val *x)
{
	if (!(x->mask & M(ARR)))
		return t_indexs(z, "[object Object]");
	if (x->pstr)
		return x->pstr;
	return t_ite(z, x_is(z, x, Z3ENC_T_ARR), x_pstr(z, x, Z3ENC_T_ARR),
		     t_indexs(z, "[object Object]"));
}

/* ToString of X, as a string of the universe. */
static Z3_ast x_string(struct z3enc *z, const struct z3enc_val *x)
{
	Z3_ast r = t_indexs(z, "undefined");

	if (x->mask & (M(ARR) | M(OBJ)))
		r = t_ite(z, t_or(z, x_is(z, x, Z3ENC_T_ARR),
				  x_is(z, x, Z3ENC_T_OBJ)),
			  x_pstr_any(z, x), r);
	if (x->mask & M(STR))
		r = t_ite(z, x_is(z, x, Z3ENC_T_STR),
			  v_get(z, x->v, Z3ENC_T_STR), r);
	if (x->mask & M(NUM))
		r = t_ite(z, x_is(z, x, Z3ENC_T_NUM),
			  num_string(z, x_is(z, x, Z3ENC_T_NUM),
				     v_get(z, x->v, Z3ENC_T_NUM)),
			  r);
	if (x->mask & M(BOOL))
		r = t_ite(z, x_is(z, x, Z3ENC_T_BOOL),
			  bool_string(z, v_get(z, x->v, Z3ENC_T_BOOL)), r);
	if (x->mask & M(NULL))
		r = t_ite(z, x_is(z, x, Z3ENC_T_NULL), t_indexs(z, "null"), r);
	return r;
}

/* A number as JavaScript converts it: NaN, or a value. */
struct z3enc_num {
	Z3_ast nan, val;
};

static struct z3enc_num tonum_str(struct z3enc *z, Z3_ast i)
{
	struct z3enc_num n = { fact(z, Z3ENC_F_NAN, i),
			       fact(z, Z3ENC_F_NUM, i) };

	return n;
}

static void num_case(struct z3enc *z, struct z3enc_num *acc, Z3_ast is,
		     struct z3enc_num n)
{
	acc->nan = t_ite(z, is, n.nan, acc->nan);
	acc->val = t_ite(z, is, n.val, acc->val);
}

static struct z3enc_num num_plain(struct z3enc *z, Z3_ast val)
{
	struct z3enc_num n = { t_false(z), val };

	return n;
}

/* ToNumber(ToPrimitive(X)). */
static struct z3enc_num tonum(struct z3enc *z, const struct z3enc_val *x)
{
	struct z3enc_num acc = { t_true(z), t_real(z, "0") };

	if (x->mask & (M(ARR) | M(OBJ)))
		num_case(z, &acc, t_or(z, x_is(z, x, Z3ENC_T_ARR),
				       x_is(z, x, Z3ENC_T_OBJ)),
			 tonum_str(z, x_pstr_any(z, x)));
	if (x->mask & M(STR))
		num_case(z, &acc, x_is(z, x, Z3ENC_T_STR),
			 tonum_str(z, v_get(z, x->v, Z3ENC_T_STR)));
	if (x->mask & M(NUM))
		num_case(z, &acc, x_is(z, x, Z3ENC_T_NUM),
			 num_plain(z, v_get(z, x->v, Z3ENC_T_NUM)));
	if (x->mask & M(BOOL))
		num_case(z, &acc, x_is(z, x, Z3ENC_T_BOOL),
			 num_plain(z, t_ite(z, v_get(z, x->v, Z3ENC_T_BOOL),
					    t_real(z, "1"), t_real(z, "0"))));
	if (x->mask & M(NULL))
		num_case(z, &acc, x_is(z, x, Z3ENC_T_NULL),
			 num_plain(z, t_real(z, "0")));
	return acc;
}

/* ---- equality and order -------------------------------------------------- */

/* R == Y for a number R and Y of type T, as == converts. */
static Z3_ast num_equals(struct z3enc *z, Z3_ast r,
			 const struct z3enc_val *y, enum z3enc_type t)
{
	struct z3enc_num n;

	switch (t) {
	case Z3ENC_T_NUM:
		return t_eq(z, r, v_get(z, y->v, Z3ENC_T_NUM));
	case Z3ENC_T_BOOL:
		return t_eq(z, r, t_ite(z, v_get(z, y->v, Z3ENC_T_BOOL),
					t_real(z, "1"), t_real(z, "0")));
	case Z3ENC_T_STR:
		n = tonum_str(z, v_get(z, y->v, Z3ENC_T_STR));
		break;
	default:
		n = tonum_str(z, x_pstr(z, y, t));
		break;
	}
	return t_and(z, t_not(z, n.nan), t_eq(z, r, n.val));
}

static Z3_ast same_type_equal(struct z3enc *z, const struct z3enc_val *x,
			      const struct z3enc_val *y, enum z3enc_type t)
{
	if (t == Z3ENC_T_UNDEF || t == Z3ENC_T_NULL)
		return t_true(z);
	return t_eq(z, v_get(z, x->v, t), v_get(z, y->v, t));
}

/* X == Y for X of type TX and Y of type TY, TX before TY. */
static Z3_ast pair_equal(struct z3enc *z, const struct z3enc_val *x,
			 enum z3enc_type tx, const struct z3enc_val *y,
			 enum z3enc_type ty)
{
	if (tx == ty)
		return same_type_equal(z, x, y, tx);
	if (tx == Z3ENC_T_UNDEF || tx == Z3ENC_T_NULL)
		return t_bool(z, ty == Z3ENC_T_NULL);
	if (tx == Z3ENC_T_BOOL)
		return num_equals(z, t_ite(z, v_get(z, x->v, Z3ENC_T_BOOL),
					   t_real(z, "1"), t_real(z, "0")),
				  y, ty);
	if (tx == Z3ENC_T_NUM)
		return num_equals(z, v_get(z, x->v, Z3ENC_T_NUM), y, ty);
	if (tx == Z3ENC_T_STR)
		return t_eq(z, v_get(z, x->v, Z3ENC_T_STR), x_pstr(z, y, ty));
	return t_false(z);	/* an array and an object */
}

/* The abstract equality comparison. */
static Z3_ast loose_equal(struct z3enc *z, const struct z3enc_val *x,
			  const struct z3enc_val *y)
{
	Z3_ast r = t_false(z), c;
	int tx, ty;

	for (tx = 0; tx < Z3ENC_T_COUNT; tx++) {
		for (ty = 0; ty < Z3ENC_T_COUNT; ty++) {
			if (!(x->mask & (1u << tx)) || !(y->mask & (1u << ty)))
				continue;
			c = tx <= ty ? pair_equal(z, x, tx, y, ty) :
				       pair_equal(z, y, ty, x, tx);
			c = t_and(z, t_and(z, x_is(z, x, tx), x_is(z, y, ty)),
				  c);
			r = t_or(z, r, c);
		}
	}
	return r;
}

static Z3_ast x_stringlike(struct z3enc *z, const struct z3enc_val *x)
{
	return t_or(z, x_is(z, x, Z3ENC_T_STR),
		    t_or(z, x_is(z, x, Z3ENC_T_ARR),
			 x_is(z, x, Z3ENC_T_OBJ)));
}

static Z3_ast x_prim_string(struct z3enc *z, const struct z3enc_val *x)
{
	Z3_ast r = t_int(z, 0);

	if (x->mask & (M(ARR) | M(OBJ)))
		r = x_pstr_any(z, x);
	if (x->mask & M(STR))
		r = t_ite(z, x_is(z, x, Z3ENC_T_STR),
			  v_get(z, x->v, Z3ENC_T_STR), r);
	return r;
}

static Z3_ast order(struct z3enc *z, enum ast_op op, Z3_ast a, Z3_ast b)
{
	switch (op) {
	case AST_OP_LT:
		return t_lt(z, a, b);
	case AST_OP_LE:
		return t_le(z, a, b);
	case AST_OP_GT:
		return t_lt(z, b, a);
	default:
		return t_le(z, b, a);
	}
}

/* < <= > >=: strings by code points (index order in the universe),
 * anything else as numbers. */
static Z3_ast relational(struct z3enc *z, enum ast_op op,
			 const struct z3enc_val *x, const struct z3enc_val *y)
{
	Z3_ast both = t_and(z, x_stringlike(z, x), x_stringlike(z, y));
	struct z3enc_num nx = tonum(z, x), ny = tonum(z, y);
	Z3_ast numbers = t_and(z, t_and(z, t_not(z, nx.nan), t_not(z, ny.nan)),
			       order(z, op, nx.val, ny.val));
	Z3_ast strings = t_false(z);

	if (!is_const(z, both, Z3_L_FALSE))
		strings = order(z, op, x_prim_string(z, x),
				x_prim_string(z, y));
	return t_ite(z, both, strings, numbers);
}

/* ---- the roots and members ----------------------------------------------- */

static int caller_has_uid(int c)
{
	return c != SYM_CALLER_NONE && c != SYM_CALLER_MINIPROGRAM;
}

static int caller_has_openid(int c)
{
	return c == SYM_CALLER_MINIPROGRAM || c == SYM_CALLER_WECHAT_PUBLIC ||
	       c == SYM_CALLER_WECHAT_OPEN;
}

static Z3_ast caller_in(struct z3enc *z, int (*has)(int))
{
	Z3_ast r = t_false(z);
	int c;

	for (c = 0; c < SYM_CALLER_COUNT; c++)
		if (has(c))
			r = t_or(z, r, t_eq(z, z->caller, t_int(z, c)));
	return r;
}

static const char *const z3enc_login_types[SYM_CALLER_COUNT] = {
	[SYM_CALLER_WECHAT_PUBLIC] = "WECHAT_PUBLIC",
	[SYM_CALLER_WECHAT_OPEN] = "WECHAT_OPEN",
	[SYM_CALLER_ANONYMOUS] = "ANONYMOUS",
	[SYM_CALLER_EMAIL] = "EMAIL",
	[SYM_CALLER_CUSTOM] = "CUSTOM",
};

static Z3_ast login_type(struct z3enc *z)
{
	Z3_ast r = v_undef(z);
	int c;

	for (c = 0; c < SYM_CALLER_COUNT; c++)
		if (z3enc_login_types[c])
			r = t_ite(z, t_eq(z, z->caller, t_int(z, c)),
				  v_make(z, Z3ENC_T_STR,
					 t_indexs(z, z3enc_login_types[c])),
				  r);
	return r;
}

/* An identity field the caller lacks reads undefined, or in the probe
 * evaluation (MODE bit 1) the probe value MARK. */
static Z3_ast absent_identity(struct z3enc *z, int mode, int mark)
{
	if (!(mode & Z3ENC_MODE_FILL))
		return v_undef(z);
	return v_make(z, Z3ENC_T_STR, t_int(z, (int)z->u.marks[mark]));
}

/* auth.KEY of the record in B. */
static struct z3enc_val auth_member(struct z3enc *z,
				    const struct z3enc_val *b,
				    const char *key, int mode)
{
	struct z3enc_val r = x_make(z, v_undef(z), M(UNDEF) | M(STR));

	if (strcmp(key, "uid") == 0)
		r.v = t_ite(z, caller_in(z, caller_has_uid),
			    v_make(z, Z3ENC_T_STR, z->uid),
			    absent_identity(z, mode, Z3UNIV_PROBE_UID));
	else if (strcmp(key, "openid") == 0)
		r.v = t_ite(z, caller_in(z, caller_has_openid),
			    v_make(z, Z3ENC_T_STR, z->openid),
			    absent_identity(z, mode, Z3UNIV_PROBE_OPENID));
	else if (strcmp(key, "loginType") == 0)
		r.v = login_type(z);
	else
		r.mask = M(UNDEF);
	r.err = t_or(z, b->err, x_nullish(z, b));
	return r;
}

static int special_key(const char *key)
{
	size_t i;

	if (strcmp(key, "length") == 0 || !key[0])
		return 1;
	for (i = 0; key[i]; i++)
		if (key[i] < '0' || key[i] > '9')
			return 0;
	return 1;
}

static struct z3enc_val request_member(struct z3enc *z,
				       const struct z3enc_val *b,
				       const char *key, int mode)
{
	struct z3enc_val r = x_undef(z);

	if (strcmp(key, "data") == 0 && (mode & Z3ENC_MODE_DATA)) {
		r = x_make(z, z->data->v, M(OBJ));
		r.slot = z->data;
	}
	r.err = b->err;
	return r;
}

static struct z3enc_val member(struct z3enc *z, const struct ast_node *n,
			       int mode)
{
	struct z3enc_val b = enc(z, n->a, mode), r;
	struct z3enc_slot *c;

	if (!n->text || special_key(n->text))
		return x_unsupported(z);
	if (b.request)
		return request_member(z, &b, n->text, mode);
	if (b.slot && b.slot->kind == Z3ENC_SLOT_AUTH)
		return auth_member(z, &b, n->text, mode);
	if (!(b.mask & ~(M(UNDEF) | M(NULL)))) {
		r = x_undef(z);
		r.err = t_true(z);
		return r;
	}
	if (!b.slot)
		return x_unsupported(z);
	c = slot_child(z, b.slot, n->text);
	r = x_make(z, c->v, c->mask);
	if (b.mask & ~(M(OBJ) | M(UNDEF) | M(NULL))) {
		r.v = t_ite(z, x_is(z, &b, Z3ENC_T_OBJ), c->v, v_undef(z));
		r.mask |= M(UNDEF);
	}
	r.slot = c;
	r.err = t_or(z, b.err, x_nullish(z, &b));
	return r;
}

static struct z3enc_val ident(struct z3enc *z, const struct ast_node *n)
{
	struct z3enc_slot *s;
	struct z3enc_val r;

	if (strcmp(n->text, "auth") == 0) {
		r = x_make(z, z->auth->v, M(NULL) | M(OBJ));
		r.slot = z->auth;
	} else if (strcmp(n->text, "doc") == 0 ||
		   strcmp(n->text, "resource") == 0) {
		s = n->text[0] == 'd' ? z->doc : z->resource;
		r = x_make(z, s->v, M(OBJ));
		r.slot = s;
	} else if (strcmp(n->text, "request") == 0) {
		r = x_make(z, v_make(z, Z3ENC_T_OBJ,
				     t_int(z, Z3ENC_ID_REQUEST)), M(OBJ));
		r.request = 1;
	} else if (strcmp(n->text, "now") == 0) {
		r = x_make(z, v_make(z, Z3ENC_T_NUM, z->now), M(NUM));
	} else if (strcmp(n->text, "undefined") == 0) {
		r = x_undef(z);
	} else {
		r = x_unsupported(z);
	}
	return r;
}

/* ---- strings built by + and templates ------------------------------------ */

/* The literal prefix and the operand after it of 'P' + x or `P${x}`. */
static const struct ast_node *split_concat(const struct ast_node *n,
					   const struct ast_node **rest)
{
	if (n->kind == AST_BINARY && n->op == AST_OP_ADD &&
	    n->a->kind == AST_STRING) {
		*rest = n->b;
		return n->a;
	}
	if (n->kind == AST_TEMPLATE && n->nlist >= 2 && n->nlist <= 3 &&
	    n->list[0]->kind == AST_STRING &&
	    (n->nlist == 2 || (n->list[2]->kind == AST_STRING &&
			       n->list[2]->len == 0))) {
		*rest = n->list[1];
		return n->list[0];
	}
	return NULL;
}

/* 'P' + x as a value: the universe holds P + s for what x can be, and
 * bounds x to that. */
static struct z3enc_val concat(struct z3enc *z, const struct ast_node *n,
			       int mode)
{
	const struct ast_node *rest, *p = split_concat(n, &rest);
	const struct z3univ_concat *c;
	struct z3enc_val x, r;
	Z3_ast joined;

	if (n->kind == AST_TEMPLATE && n->nlist == 1 &&
	    n->list[0]->kind == AST_STRING)
		return x_make(z, v_make(z, Z3ENC_T_STR,
					t_index(z, n->list[0]->text,
						n->list[0]->len)),
			      M(STR));
	c = p ? z3univ_concat(&z->u, p->text, p->len) : NULL;
	if (!c)
		return x_unsupported(z);
	x = enc(z, rest, mode);
	joined = fact(z, Z3ENC_F_CONCAT + (int)(c - z->u.concats),
		      x_string(z, &x));
	t_assert(z, Z3_mk_ge(z->c, joined, t_int(z, 0)));
	r = x_make(z, v_make(z, Z3ENC_T_STR, joined), M(STR));
	r.err = x.err;
	return r;
}

/* ---- get() --------------------------------------------------------------- */

/* Whether TEXT is database.<collection>.<id>, or with ID_FOLLOWS the
 * prefix database.<collection>. of such a path. */
static int path_shape(const char *text, size_t len, int id_follows)
{
	const char *rest = text + 9, *dot, *end = text + len;

	if (len < 9 || memcmp(text, "database.", 9) != 0)
		return 0;
	dot = memchr(rest, '.', (size_t)(end - rest));
	if (!dot || dot == rest)
		return 0;
	if (id_follows)
		return dot == end - 1;
	return dot < end - 1 && !memchr(dot + 1, '.', (size_t)(end - dot - 1));
}

/* The path of get(ARG): its constant text, or prefix and part, with
 * the errors and reads of the part in X; the validity in *VALID. */
static int get_path(struct z3enc *z, const struct ast_node *arg, int mode,
		    struct z3enc_path *p, struct z3enc_val *x, Z3_ast *valid)
{
	const struct ast_node *rest, *pre;

	memset(p, 0, sizeof(*p));
	*x = x_undef(z);
	if (arg->kind == AST_TEMPLATE && arg->nlist == 1)
		arg = arg->list[0];
	if (arg->kind == AST_STRING) {
		p->constant = arg->text;
		p->len = arg->len;
		*valid = t_bool(z, path_shape(arg->text, arg->len, 0));
		return 0;
	}
	pre = split_concat(arg, &rest);
	if (!pre || !path_shape(pre->text, pre->len, 1))
		return -1;
	p->prefix = pre->text;
	p->len = pre->len;
	*x = enc(z, rest, mode);
	p->part = x_string(z, x);
	*valid = fact(z, Z3ENC_F_PART, p->part);
	return 0;
}

static int same_path_form(const struct z3enc_path *a,
			  const struct z3enc_path *b)
{
	const char *ta = a->constant ? a->constant : a->prefix;
	const char *tb = b->constant ? b->constant : b->prefix;

	return !a->constant == !b->constant && a->len == b->len &&
	       memcmp(ta, tb, a->len) == 0 && a->part == b->part;
}

/* The document at PATH: calls whose paths are the same term share it. */
static struct z3enc_slot *get_slot(struct z3enc *z,
				   const struct z3enc_path *path)
{
	struct z3enc_slot *s;
	char name[32];

	for (s = z->slots; s; s = s->next)
		if (s->kind == Z3ENC_SLOT_GET && same_path_form(&s->path, path))
			return s;
	snprintf(name, sizeof(name), "get%d", z->next_get++);
	s = slot_new(z, name, Z3ENC_SLOT_GET);
	s->path = *path;
	s->absent = t_const(z, "absent", z->boolean);
	s->gid = t_const(z, "gid", z->integer);
	t_assert(z, Z3_mk_ge(z->c, s->gid, t_int(z, Z3ENC_ID_FIRST_GET)));
	s->v = t_ite(z, s->absent, v_make(z, Z3ENC_T_NULL, NULL),
		     v_make(z, Z3ENC_T_OBJ, s->gid));
	s->mask = M(NULL) | M(OBJ);
	return s;
}

static struct z3enc_val get_call(struct z3enc *z, const struct ast_node *n,
				 int mode)
{
	struct z3enc_path path;
	struct z3enc_val x, r;
	struct z3enc_slot *s;
	Z3_ast valid;

	if (n->nlist != 1 || get_path(z, n->list[0], mode, &path, &x,
				      &valid) < 0)
		return x_unsupported(z);
	s = get_slot(z, &path);
	r = x_make(z, s->v, s->mask);
	r.slot = s;
	r.err = t_or(z, x.err, t_not(z, valid));
	return r;
}

/* Whether the paths of get() documents A and B are the same string. */
static Z3_ast same_path(struct z3enc *z, const struct z3enc_path *a,
			const struct z3enc_path *b)
{
	const struct z3enc_path *c = a->constant ? a : b, *v = c == a ? b : a;

	if (a->constant && b->constant)
		return t_bool(z, a->len == b->len &&
				      memcmp(a->constant, b->constant,
					     a->len) == 0);
	if (c->constant) {
		long i;

		if (c->len < v->len || memcmp(c->constant, v->prefix,
					      v->len) != 0)
			return t_false(z);
		i = z3univ_find(&z->u, c->constant + v->len, c->len - v->len);
		return i < 0 ? t_false(z) : t_eq(z, v->part, t_int(z, (int)i));
	}
	if (a->len == b->len && memcmp(a->prefix, b->prefix, a->len) == 0)
		return t_eq(z, a->part, b->part);
	if (memcmp(a->prefix, b->prefix, a->len < b->len ? a->len : b->len) ==
	    0)
		z->unsupported = 1;
	return t_false(z);
}

/* ---- calls --------------------------------------------------------------- */

static int is_regex_test(const struct ast_node *n)
{
	return n->a && n->a->kind == AST_MEMBER && n->a->text &&
	       strcmp(n->a->text, "test") == 0 && n->a->a &&
	       n->a->a->kind == AST_REGEX && n->nlist == 1;
}

static struct z3enc_val regex_test(struct z3enc *z, const struct ast_node *n,
				   int mode)
{
	int k = z3univ_regex(&z->u, n->a->a);
	struct z3enc_val arg, r;

	if (k < 0)
		return x_unsupported(z);
	arg = enc(z, n->list[0], mode);
	r = x_make(z, v_bool(z, fact(z, Z3ENC_F_REGEX + k, x_string(z, &arg))),
		   M(BOOL));
	r.err = arg.err;
	return r;
}

static struct z3enc_val call(struct z3enc *z, const struct ast_node *n,
			     int mode)
{
	if (n->a && n->a->kind == AST_IDENT && strcmp(n->a->text, "get") == 0)
		return get_call(z, n, mode);
	if (is_regex_test(n))
		return regex_test(z, n, mode);
	return x_unsupported(z);
}

/* ---- operators ----------------------------------------------------------- */

static struct z3enc_val logical(struct z3enc *z, const struct ast_node *n,
				int mode)
{
	struct z3enc_val a = enc(z, n->a, mode), b = enc(z, n->b, mode);
	struct z3enc_val r = a;
	Z3_ast t = truthy(z, &a);
	Z3_ast go_on = n->op == AST_OP_AND ? t : t_not(z, t);

	r.err = t_or(z, a.err, t_and(z, go_on, b.err));
	r.v = t_ite(z, go_on, b.v, a.v);
	r.mask = a.mask | b.mask;
	r.slot = NULL;
	r.request = 0;
	r.pstr = NULL;
	if (r.mask & (M(ARR) | M(OBJ)))
		r.pstr = t_ite(z, go_on,
			       b.mask & (M(ARR) | M(OBJ)) ?
				       x_pstr_any(z, &b) : t_int(z, 0),
			       a.mask & (M(ARR) | M(OBJ)) ?
				       x_pstr_any(z, &a) : t_int(z, 0));
	if (a.request || b.request)
		z->unsupported = 1;
	return r;
}

static struct z3enc_val array_in(struct z3enc *z, const struct z3enc_val *x,
				 const struct ast_node *arr, int mode)
{
	struct z3enc_val r = *x, e;
	Z3_ast found = t_false(z);
	size_t i;

	for (i = 0; i < arr->nlist; i++) {
		e = enc(z, arr->list[i], mode);
		x_seq(z, &r, &r, &e);
		found = t_or(z, found, t_eq(z, x->v, e.v));
	}
	r.v = v_bool(z, found);
	r.mask = M(BOOL);
	r.slot = NULL;
	r.pstr = NULL;
	r.request = 0;
	return r;
}

static void add_keytest(struct z3enc *z, struct z3enc_slot *s, Z3_ast key)
{
	size_t i;

	for (i = 0; i < z->nkeys; i++)
		if (z->keys[i].slot == s && z->keys[i].key == key)
			return;
	if (z->nkeys == Z3ENC_MAX_KEYS) {
		z->unsupported = 1;
		return;
	}
	z->keys[z->nkeys].slot = s;
	z->keys[z->nkeys++].key = key;
}

/* X in Y for a Y that is a value of the request. */
static struct z3enc_val value_in(struct z3enc *z, const struct z3enc_val *x,
				 const struct z3enc_val *y)
{
	struct z3enc_slot *s = y->slot;
	Z3_ast member = t_false(z), key, has, ok;
	struct z3enc_val r;
	int i;

	if (!s || s->kind != Z3ENC_SLOT_VALUE || y->request)
		return x_unsupported(z);
	slot_elements(z, s);
	for (i = 0; i < Z3ENC_MAX_ELEMS; i++)
		member = t_or(z, member, t_and(z, t_lt(z, t_int(z, i), s->len),
					       t_eq(z, s->elem[i], x->v)));
	if (!s->has)
		s->has = Z3_mk_fresh_func_decl(z->c, "has", 1, &z->integer,
					       z->boolean);
	key = x_string(z, x);
	add_keytest(z, s, key);
	has = t_app1(z, s->has, key);
	r = x_make(z, v_bool(z, t_ite(z, x_is(z, y, Z3ENC_T_ARR), member,
				      t_and(z, x_is(z, y, Z3ENC_T_OBJ), has))),
		   M(BOOL));
	x_seq(z, &r, x, y);
	ok = t_or(z, x_is(z, y, Z3ENC_T_ARR), x_is(z, y, Z3ENC_T_OBJ));
	r.err = t_or(z, r.err, t_not(z, ok));
	return r;
}

static struct z3enc_val in_op(struct z3enc *z, const struct ast_node *n,
			      int mode)
{
	struct z3enc_val x = enc(z, n->a, mode), y;

	if (n->b->kind == AST_ARRAY)
		return array_in(z, &x, n->b, mode);
	y = enc(z, n->b, mode);
	return value_in(z, &x, &y);
}

static struct z3enc_val binary(struct z3enc *z, const struct ast_node *n,
			       int mode)
{
	struct z3enc_val a, b, r;
	Z3_ast v;

	if (n->op == AST_OP_AND || n->op == AST_OP_OR)
		return logical(z, n, mode);
	if (n->op == AST_OP_IN)
		return in_op(z, n, mode);
	if (n->op == AST_OP_ADD)
		return concat(z, n, mode);
	a = enc(z, n->a, mode);
	b = enc(z, n->b, mode);
	switch (n->op) {
	case AST_OP_EQ:
	case AST_OP_SEQ:
		v = v_bool(z, loose_equal(z, &a, &b));
		break;
	case AST_OP_NE:
	case AST_OP_SNE:
		v = v_bool(z, t_not(z, loose_equal(z, &a, &b)));
		break;
	case AST_OP_LT:
	case AST_OP_LE:
	case AST_OP_GT:
	case AST_OP_GE:
		v = v_bool(z, relational(z, n->op, &a, &b));
		break;
	default:
		return x_unsupported(z);
	}
	r = x_make(z, v, M(BOOL));
	x_seq(z, &r, &a, &b);
	return r;
}

static struct z3enc_val leaf(struct z3enc *z, const struct ast_node *n)
{
	Z3_ast num;

	switch (n->kind) {
	case AST_UNDEFINED:
		return x_undef(z);
	case AST_NULL:
		return x_make(z, v_make(z, Z3ENC_T_NULL, NULL), M(NULL));
	case AST_BOOL:
		return x_make(z, v_bool(z, t_bool(z, n->boolean)), M(BOOL));
	case AST_NUMBER:
		num = t_number(z, n->number);
		return num ? x_make(z, v_make(z, Z3ENC_T_NUM, num), M(NUM)) :
			     x_unsupported(z);
	case AST_STRING:
		return x_make(z, v_make(z, Z3ENC_T_STR,
					t_index(z, n->text, n->len)),
			      M(STR));
	case AST_IDENT:
		return ident(z, n);
	default:
		return x_unsupported(z);
	}
}

static struct z3enc_val enc_node(struct z3enc *z, const struct ast_node *n,
				 int mode)
{
	struct z3enc_val r;

	switch (n->kind) {
	case AST_MEMBER:
		return member(z, n, mode);
	case AST_CALL:
		return call(z, n, mode);
	case AST_TEMPLATE:
		return concat(z, n, mode);
	case AST_BINARY:
		return binary(z, n, mode);
	case AST_UNARY:
		if (n->op != AST_OP_NOT)
			return x_unsupported(z);
		r = enc(z, n->a, mode);
		r.v = v_bool(z, t_not(z, truthy(z, &r)));
		r.mask = M(BOOL);
		r.slot = NULL;
		r.pstr = NULL;
		r.request = 0;
		return r;
	default:
		return leaf(z, n);
	}
}

static struct z3enc_memo *memo_slot(struct z3enc *z,
				    const struct ast_node *n, int mode)
{
	size_t h = ((size_t)n >> 4) * Z3ENC_MODES + (size_t)mode, i;

	for (i = 0; i < Z3ENC_MEMO; i++) {
		struct z3enc_memo *m = &z->memo[(h + i) % Z3ENC_MEMO];

		if (!m->node || (m->node == n && m->mode == mode))
			return m;
	}
	return NULL;
}

static struct z3enc_val enc(struct z3enc *z, const struct ast_node *n,
			    int mode)
{
	struct z3enc_memo *m = memo_slot(z, n, mode);
	struct z3enc_val r;

	if (m && m->node)
		return m->val;
	r = enc_node(z, n, mode);
	if (m) {
		m->node = n;
		m->mode = mode;
		m->val = r;
	}
	return r;
}

/* ---- loading an expression ----------------------------------------------- */

static void finalize_keys(struct z3enc *z)
{
	struct z3enc_slot *p, *c;

	for (p = z->slots; p; p = p->next) {
		if (!p->has)
			continue;
		for (c = p->child; c; c = c->sibling) {
			if (c->has_checked)
				continue;
			c->has_checked = 1;
			t_assert(z, t_eq(z, t_app1(z, p->has,
						   t_indexs(z, c->key)),
					 t_not(z, v_is(z, c->v,
						       Z3ENC_T_UNDEF))));
		}
	}
}

/* ToString of an element of an array. */
static Z3_ast element_string(struct z3enc *z, Z3_ast e)
{
	struct z3enc_val x = x_make(z, e, M(NULL) | M(BOOL) | M(NUM) | M(STR));

	return t_ite(z, v_is(z, e, Z3ENC_T_NULL), t_indexs(z, ""),
		     x_string(z, &x));
}

/* An array whose elements are read and that is also turned into a
 * string has at most one element here, whose string is the join. */
static void finalize_joins(struct z3enc *z)
{
	struct z3enc_slot *s;

	for (s = z->slots; s; s = s->next) {
		if (!s->join || !s->elems || s->join_checked)
			continue;
		s->join_checked = 1;
		t_assert(z, t_implies(z, v_is(z, s->v, Z3ENC_T_ARR),
				      t_le(z, s->len, t_int(z, 1))));
		t_assert(z, t_eq(z, s->join,
				 t_ite(z, t_eq(z, s->len, t_int(z, 0)),
				       t_indexs(z, ""),
				       element_string(z, s->elem[0]))));
	}
}

/* The same path gives the same document: the same object, the same
 * fields. */
static void congruent(struct z3enc *z, struct z3enc_slot *a,
		      struct z3enc_slot *b)
{
	Z3_ast same = same_path(z, &a->path, &b->path);
	struct z3enc_slot *ca, *cb;

	if (is_const(z, same, Z3_L_FALSE)) {
		t_assert(z, t_not(z, t_eq(z, a->gid, b->gid)));
		return;
	}
	t_assert(z, t_eq(z, same, t_eq(z, a->gid, b->gid)));
	t_assert(z, t_implies(z, same, t_eq(z, a->absent, b->absent)));
	for (ca = a->child; ca; ca = ca->sibling) {
		cb = find_child(b, ca->key);
		if (cb)
			t_assert(z, t_implies(z, same, t_eq(z, ca->v, cb->v)));
	}
}

static void finalize(struct z3enc *z)
{
	struct z3enc_slot *a, *b;

	finalize_keys(z);
	finalize_joins(z);
	for (a = z->slots; a; a = a->next) {
		if (a->kind != Z3ENC_SLOT_GET)
			continue;
		for (b = a->next; b; b = b->next)
			if (b->kind == Z3ENC_SLOT_GET)
				congruent(z, a, b);
	}
	z->nslots_final = z->nslots;
}

static void request_roots(struct z3enc *z)
{
	Z3_ast is_none;

	z->caller = t_const(z, "caller", z->integer);
	t_assert(z, t_le(z, t_int(z, 0), z->caller));
	t_assert(z, t_lt(z, z->caller, t_int(z, SYM_CALLER_COUNT)));
	z->uid = t_const(z, "uid", z->integer);
	z->openid = t_const(z, "openid", z->integer);
	t_assert(z, str_domain(z, z->uid));
	t_assert(z, str_domain(z, z->openid));
	z->now = t_const(z, "now", z->real);
	t_assert(z, num_domain(z, z->now));
	z->doc = slot_root(z, "doc", Z3ENC_ID_DOC);
	z->resource = slot_root(z, "resource", Z3ENC_ID_RESOURCE);
	z->data = slot_root(z, "request.data", Z3ENC_ID_DATA);
	z->auth = slot_new(z, "auth", Z3ENC_SLOT_AUTH);
	is_none = t_eq(z, z->caller, t_int(z, SYM_CALLER_NONE));
	z->auth->v = t_ite(z, is_none, v_make(z, Z3ENC_T_NULL, NULL),
			   v_make(z, Z3ENC_T_OBJ, t_int(z, Z3ENC_ID_AUTH)));
	z->auth->mask = M(NULL) | M(OBJ);
}

static void reset(struct z3enc *z)
{
	free_slots(z);
	z3univ_free(&z->u);
	if (!z->c || z->loads % Z3ENC_REFRESH == 0) {
		close_context(z);
		open_context(z);
	}
	z->loads++;
	Z3_solver_reset(z->c, z->s);
	memset(z->memo, 0, sizeof(z->memo));
	z->nkeys = 0;
	z->nnumerals = 0;
	z->unsupported = 0;
	z->next_id = Z3ENC_ID_FIRST_SLOT;
	z->next_get = 0;
}

int z3enc_load(struct z3enc *z, const struct ast_node *root,
	       enum rule_kind kind)
{
	reset(z);
	z->kind = kind;
	if (z3univ_build(&z->u, root) < 0) {
		z->unsupported = 1;
		return -1;
	}
	z->values = realloc(z->values, (z->u.n + 1) * sizeof(*z->values));
	if (!z->values)
		abort();
	request_roots(z);
	enc(z, root, 0);
	finalize(z);
	return z->unsupported ? -1 : 0;
}

/* ---- the principal classes ----------------------------------------------- */

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

/* An identity is an opaque token, which no literal spells or contains;
 * where the question frees it, it may also be any string literal. */
static Z3_ast identity_domain(struct z3enc *z, Z3_ast id, int free)
{
	Z3_ast r = t_false(z);
	int j;

	for (j = 0; j < Z3UNIV_TOKENS; j++)
		r = t_or(z, r, t_eq(z, id, t_int(z, (int)z->u.marks[j])));
	return free ? t_or(z, r, fact(z, Z3ENC_F_LITERAL, id)) : r;
}

static Z3_ast holds_any_identity(struct z3enc *z, Z3_ast i, Z3_ast has_uid,
				 Z3_ast has_openid)
{
	return t_or(z, t_and(z, has_uid, holds_identity(z, i, z->uid)),
		    t_and(z, has_openid, holds_identity(z, i, z->openid)));
}

static void unrelated_value(struct z3enc *z, Z3_ast v, Z3_ast has_uid,
			    Z3_ast has_openid)
{
	t_assert(z, t_implies(z, v_is(z, v, Z3ENC_T_STR),
			      t_not(z, holds_any_identity(
					       z, v_get(z, v, Z3ENC_T_STR),
					       has_uid, has_openid))));
}

static int creates(const struct z3enc_question *q);

/* No value that the request or the database holds is, or holds, the
 * identity; on create, doc._openid is the platform's, exempt. */
static void unrelated(struct z3enc *z, Z3_ast has_uid, Z3_ast has_openid,
		      int create)
{
	struct z3enc_slot *s;
	int i;

	for (s = z->slots; s; s = s->next) {
		if (s->kind != Z3ENC_SLOT_VALUE ||
		    (create && s == find_child(z->doc, "_openid")))
			continue;
		unrelated_value(z, s->v, has_uid, has_openid);
		for (i = 0; s->elems && i < Z3ENC_MAX_ELEMS; i++)
			unrelated_value(z, s->elem[i], has_uid, has_openid);
		if (s->join && !s->elems)
			t_assert(z, t_implies(z, v_is(z, s->v, Z3ENC_T_ARR),
					      t_not(z, holds_any_identity(
							       z, s->join,
							       has_uid,
							       has_openid))));
	}
}

/* Whether the path of get() document S is keyed by the identity: it
 * holds the identity, a probe value, or with absent fields admitted,
 * the "undefined" that an absent field reads as. */
static Z3_ast keyed(struct z3enc *z, const struct z3enc_slot *s,
		    Z3_ast has_uid, Z3_ast has_openid, int identity_absent)
{
	const struct z3enc_path *p = &s->path;
	Z3_ast caller = t_not(z, t_eq(z, z->caller,
				       t_int(z, SYM_CALLER_NONE)));
	Z3_ast r, undef;

	if (p->constant)
		return identity_absent &&
			       memmem(p->constant, p->len, "undefined", 9) ?
			       caller : t_false(z);
	r = t_or(z, holds_any_identity(z, p->part, has_uid, has_openid),
		 t_not(z, probe_free(z, p->part)));
	undef = t_and(z, caller, holds_mark(z, p->part, Z3UNIV_UNDEFINED));
	return identity_absent ? t_or(z, r, undef) : r;
}

/* Documents keyed by the identity are absent. */
static void absent_role_docs(struct z3enc *z, Z3_ast has_uid,
			     Z3_ast has_openid, int identity_absent)
{
	struct z3enc_slot *s;

	for (s = z->slots; s; s = s->next)
		if (s->kind == Z3ENC_SLOT_GET)
			t_assert(z, t_implies(z, keyed(z, s, has_uid,
						       has_openid,
						       identity_absent),
					      s->absent));
}

/* Keys that 'in' finds in objects are values too: none is a probe
 * value, and none holds an unrelated identity. */
static void keys_unrelated(struct z3enc *z, const struct z3enc_question *q,
			   Z3_ast has_uid, Z3_ast has_openid)
{
	int unrelated = q->cls == SYM_ANONYMOUS || q->cls == SYM_ANY_USER ||
			q->cls == SYM_ROLE;
	Z3_ast bad;
	size_t i;

	for (i = 0; i < z->nkeys; i++) {
		const struct z3enc_keytest *k = &z->keys[i];

		bad = t_not(z, probe_free(z, k->key));
		if (unrelated)
			bad = t_or(z, bad,
				   holds_any_identity(z, k->key, has_uid,
						      has_openid));
		t_assert(z, t_implies(z, t_app1(z, k->slot->has, k->key),
				      t_not(z, bad)));
	}
}

static int creates(const struct z3enc_question *q)
{
	size_t i;

	for (i = 0; i < q->ngoals; i++)
		if (q->goals[i].op && strcmp(q->goals[i].op, "create") == 0)
			return 1;
	return 0;
}

/* On create the platform sets doc._openid to the creator's openid. */
static void creator(struct z3enc *z)
{
	struct z3enc_slot *s = find_child(z->doc, "_openid");

	if (s)
		t_assert(z, t_implies(z, caller_in(z, caller_has_openid),
				      t_eq(z, s->v, v_make(z, Z3ENC_T_STR,
							   z->openid))));
}

static unsigned question_callers(const struct z3enc_question *q);

static void assert_class(struct z3enc *z, const struct z3enc_question *q)
{
	unsigned callers = question_callers(q);
	Z3_ast in = t_false(z), has_uid = caller_in(z, caller_has_uid);
	Z3_ast has_openid = caller_in(z, caller_has_openid);
	int c, free = q->cls == SYM_ANY && q->identity_free;

	for (c = 0; c < SYM_CALLER_COUNT; c++)
		if (callers & SYM_CALLER_BIT(c))
			in = t_or(z, in, t_eq(z, z->caller, t_int(z, c)));
	t_assert(z, in);
	t_assert(z, identity_domain(z, z->uid, free));
	t_assert(z, identity_domain(z, z->openid, free));
	t_assert(z, t_implies(z, t_eq(z, z->uid, z->openid),
			      t_and(z, t_bool(z, free),
				    fact(z, Z3ENC_F_LITERAL, z->uid))));
	keys_unrelated(z, q, has_uid, has_openid);
	if (creates(q))
		creator(z);
	if (q->cls == SYM_ANONYMOUS || q->cls == SYM_ANY_USER ||
	    q->cls == SYM_ROLE)
		unrelated(z, has_uid, has_openid, creates(q));
	if (q->cls < SYM_ROLE)
		absent_role_docs(z, has_uid, has_openid, q->identity_absent);
}

static int has_data(const char *op)
{
	return op && (strcmp(op, "create") == 0 || strcmp(op, "update") == 0);
}

static Z3_ast wanted(struct z3enc *z, const struct z3enc_val *x,
		     enum sym_want want)
{
	Z3_ast t = truthy(z, x);

	if (want == SYM_WANT_ALLOW)
		return t_and(z, t_not(z, x->err), t);
	if (want == SYM_WANT_FALSE)
		return t_and(z, t_not(z, x->err), t_not(z, t));
	if (want == SYM_WANT_ERROR)
		return x->err;
	return t_or(z, x->err, t_not(z, t));
}

/* Goal G on the request, evaluated with probe values in the identity
 * fields the caller lacks when FILL is set. */
static Z3_ast goal_holds(struct z3enc *z, const struct z3enc_goal *g,
			 int fill)
{
	int mode = (has_data(g->op) ? Z3ENC_MODE_DATA : 0) |
		   (fill ? Z3ENC_MODE_FILL : 0);
	struct z3enc_val x = enc(z, g->expr, mode);

	return wanted(z, &x, g->want);
}

/* Which identity fields the expression N mentions: 1 uid, 2 openid. */
static unsigned identity_reads(const struct ast_node *n)
{
	unsigned r = 0;
	size_t i;

	if (!n)
		return 0;
	if (n->kind == AST_MEMBER && n->a->kind == AST_IDENT && n->text &&
	    strcmp(n->a->text, "auth") == 0)
		r |= strcmp(n->text, "uid") == 0 ? 1 :
		     strcmp(n->text, "openid") == 0 ? 2 : 0;
	if (n->kind == AST_INDEX && n->a->kind == AST_IDENT &&
	    strcmp(n->a->text, "auth") == 0)
		r |= 3;
	r |= identity_reads(n->a) | identity_reads(n->b) |
	     identity_reads(n->c);
	for (i = 0; i < n->nlist; i++)
		r |= identity_reads(n->list[i]);
	return r;
}

/* The callers of Q: those of its class, and unless absent identity
 * fields are admitted, only those that have every field the goals read. */
static unsigned question_callers(const struct z3enc_question *q)
{
	unsigned callers = class_callers(q->cls), reads = 0;
	size_t i;
	int c;

	if (q->callers)
		callers &= q->callers;
	if (q->identity_absent || q->fill_absent)
		return callers;
	for (i = 0; i < q->ngoals; i++)
		reads |= identity_reads(q->goals[i].expr);
	for (c = SYM_CALLER_MINIPROGRAM; c < SYM_CALLER_COUNT; c++)
		if (((reads & 1) && !caller_has_uid(c)) ||
		    ((reads & 2) && !caller_has_openid(c)))
			callers &= ~SYM_CALLER_BIT(c);
	return callers;
}

/* ---- models as requests -------------------------------------------------- */

static Z3_ast eval(struct z3enc *z, Z3_model m, Z3_ast t)
{
	Z3_ast r = NULL;

	if (!Z3_model_eval(z->c, m, t, 1, &r) || !r)
		return t;
	return r;
}

static int eval_true(struct z3enc *z, Z3_model m, Z3_ast t)
{
	return Z3_get_bool_value(z->c, eval(z, m, t)) == Z3_L_TRUE;
}

static double real_value(struct z3enc *z, Z3_model m, Z3_ast r)
{
	Z3_string s;

	r = eval(z, m, r);
	if (!Z3_is_numeral_ast(z->c, r))
		return 0;
	s = Z3_get_numeral_decimal_string(z->c, r, 30);
	return s ? strtod(s, NULL) : 0;
}

/* The text of the string whose index is I in the model. */
static const struct z3univ_string *string_of(struct z3enc *z, Z3_model m,
					     Z3_ast i)
{
	double d = real_value(z, m, i);

	if (d < 0 || d >= (double)z->u.n)
		return NULL;
	return &z->u.s[(size_t)d];
}

static cJSON *string_json(struct z3enc *z, Z3_model m, Z3_ast i)
{
	const struct z3univ_string *s = string_of(z, m, i);

	return cJSON_CreateString(s ? s->text : "?");
}

static enum z3enc_type type_in_model(struct z3enc *z, Z3_model m, Z3_ast v)
{
	int t;

	for (t = 0; t < Z3ENC_T_COUNT; t++)
		if (eval_true(z, m, v_is(z, v, (enum z3enc_type)t)))
			return (enum z3enc_type)t;
	return Z3ENC_T_UNDEF;
}

static cJSON *value_json(struct z3enc *z, Z3_model m, Z3_ast v,
			 struct z3enc_slot *s);

static cJSON *array_json(struct z3enc *z, Z3_model m, struct z3enc_slot *s)
{
	cJSON *a = cJSON_CreateArray();
	int i, n = 0;

	if (s && !s->elems && s->join) {
		cJSON_AddItemToArray(a, string_json(z, m, s->join));
		return a;
	}
	if (s && s->elems)
		n = (int)real_value(z, m, s->len);
	for (i = 0; i < n && i < Z3ENC_MAX_ELEMS; i++)
		cJSON_AddItemToArray(a, value_json(z, m, s->elem[i], NULL));
	return a;
}

/* The members that 'in' found in S beyond those read by name. */
static void key_members(struct z3enc *z, Z3_model m, struct z3enc_slot *s,
			cJSON *obj)
{
	const struct z3univ_string *key;
	size_t i;

	for (i = 0; i < z->nkeys; i++) {
		if (z->keys[i].slot != s ||
		    !eval_true(z, m, t_app1(z, s->has, z->keys[i].key)))
			continue;
		key = string_of(z, m, z->keys[i].key);
		if (key && !cJSON_GetObjectItemCaseSensitive(obj, key->text))
			cJSON_AddNullToObject(obj, key->text);
	}
}

static cJSON *object_json(struct z3enc *z, Z3_model m, struct z3enc_slot *s)
{
	cJSON *o = cJSON_CreateObject(), *v;
	struct z3enc_slot *c;

	for (c = s ? s->child : NULL; c; c = c->sibling) {
		v = value_json(z, m, c->v, c);
		if (v)
			cJSON_AddItemToObject(o, c->key, v);
	}
	if (s && s->has)
		key_members(z, m, s, o);
	return o;
}

/* V in the model as JSON; NULL for undefined. */
static cJSON *value_json(struct z3enc *z, Z3_model m, Z3_ast v,
			 struct z3enc_slot *s)
{
	switch (type_in_model(z, m, v)) {
	case Z3ENC_T_NULL:
		return cJSON_CreateNull();
	case Z3ENC_T_BOOL:
		return cJSON_CreateBool(eval_true(z, m, v_get(z, v,
							     Z3ENC_T_BOOL)));
	case Z3ENC_T_NUM:
		return cJSON_CreateNumber(real_value(z, m,
						     v_get(z, v, Z3ENC_T_NUM)));
	case Z3ENC_T_STR:
		return string_json(z, m, v_get(z, v, Z3ENC_T_STR));
	case Z3ENC_T_ARR:
		return array_json(z, m, s);
	case Z3ENC_T_OBJ:
		return object_json(z, m, s);
	default:
		return NULL;
	}
}

static cJSON *auth_json(struct z3enc *z, Z3_model m, int caller)
{
	cJSON *auth;

	if (caller == SYM_CALLER_NONE)
		return NULL;
	auth = cJSON_CreateObject();
	if (caller_has_openid(caller))
		cJSON_AddItemToObject(auth, "openid",
				      string_json(z, m, z->openid));
	if (caller_has_uid(caller))
		cJSON_AddItemToObject(auth, "uid", string_json(z, m, z->uid));
	if (z3enc_login_types[caller])
		cJSON_AddStringToObject(auth, "loginType",
					z3enc_login_types[caller]);
	return auth;
}

static char *path_text(struct z3enc *z, Z3_model m, const struct z3enc_path *p)
{
	const struct z3univ_string *part;
	char *text;

	if (p->constant)
		return strndup(p->constant, p->len);
	part = string_of(z, m, p->part);
	text = malloc(p->len + (part ? part->len : 0) + 1);
	if (!text)
		abort();
	memcpy(text, p->prefix, p->len);
	if (part)
		memcpy(text + p->len, part->text, part->len);
	text[p->len + (part ? part->len : 0)] = '\0';
	return text;
}

/* Calls with paths that are different terms may still read the same
 * document: its members are those of all of them. */
static void merge_members(cJSON *doc, cJSON *more)
{
	cJSON *c;

	while (cJSON_IsObject(doc) && more->child) {
		c = cJSON_DetachItemViaPointer(more, more->child);
		if (cJSON_GetObjectItemCaseSensitive(doc, c->string))
			cJSON_Delete(c);
		else
			cJSON_AddItemToObject(doc, c->string, c);
	}
	cJSON_Delete(more);
}

static void add_get(struct z3enc *z, Z3_model m, struct z3enc_witness *w,
		    struct z3enc_slot *s)
{
	char *path = path_text(z, m, &s->path);
	size_t i;

	for (i = 0; i < w->ngets; i++)
		if (strcmp(w->gets[i].path, path) == 0)
			break;
	if (i < w->ngets) {
		merge_members(w->gets[i].doc, object_json(z, m, s));
		free(path);
		return;
	}
	w->gets = realloc(w->gets, (w->ngets + 1) * sizeof(*w->gets));
	if (!w->gets)
		abort();
	w->gets[i].path = path;
	w->gets[i].doc = eval_true(z, m, s->absent) ? cJSON_CreateNull() :
						      object_json(z, m, s);
	w->ngets++;
}

static void witness(struct z3enc *z, Z3_model m, struct z3enc_witness *w)
{
	struct z3enc_slot *s;
	int caller = (int)real_value(z, m, z->caller);

	memset(w, 0, sizeof(*w));
	w->caller = (enum sym_caller)caller;
	w->auth = auth_json(z, m, caller);
	w->doc = object_json(z, m, z->kind == RULE_KIND_STORAGE ?
					   z->resource : z->doc);
	w->data = object_json(z, m, z->data);
	w->now = real_value(z, m, z->now);
	for (s = z->slots; s; s = s->next)
		if (s->kind == Z3ENC_SLOT_GET)
			add_get(z, m, w, s);
}

void z3enc_witness_free(struct z3enc_witness *w)
{
	size_t i;

	cJSON_Delete(w->auth);
	cJSON_Delete(w->doc);
	cJSON_Delete(w->data);
	for (i = 0; i < w->ngets; i++) {
		free(w->gets[i].path);
		cJSON_Delete(w->gets[i].doc);
	}
	free(w->gets);
	memset(w, 0, sizeof(*w));
}

void z3enc_dump(struct z3enc *z, FILE *out)
{
	z->dump = out;
}

const char *z3enc_model_text(struct z3enc *z)
{
	return z->model_text ? z->model_text : "";
}

/* ---- questions ----------------------------------------------------------- */

static void keep_model(struct z3enc *z, Z3_model m)
{
	free(z->model_text);
	z->model_text = strdup(Z3_model_to_string(z->c, m));
}

enum z3enc_result z3enc_ask(struct z3enc *z, const struct z3enc_question *q,
			    struct z3enc_witness *w)
{
	Z3_ast goals = t_true(z);
	enum z3enc_result r;
	Z3_lbool sat;
	Z3_model m;
	size_t i;

	if (z->unsupported)
		return Z3ENC_UNSUPPORTED;
	for (i = 0; i < q->ngoals; i++)
		goals = t_and(z, goals, goal_holds(z, &q->goals[i],
						   q->fill_absent));
	if (z->unsupported)
		return Z3ENC_UNSUPPORTED;
	if (z->nslots != z->nslots_final)
		finalize(z);
	Z3_solver_push(z->c, z->s);
	assert_class(z, q);
	t_assert(z, goals);
	if (z->dump)
		fprintf(z->dump, "%s(check-sat)\n",
			Z3_solver_to_string(z->c, z->s));
	sat = Z3_solver_check(z->c, z->s);
	r = sat == Z3_L_TRUE ? Z3ENC_SAT :
	    sat == Z3_L_FALSE ? Z3ENC_UNSAT : Z3ENC_UNKNOWN;
	if (r == Z3ENC_SAT) {
		m = Z3_solver_get_model(z->c, z->s);
		Z3_model_inc_ref(z->c, m);
		keep_model(z, m);
		if (w)
			witness(z, m, w);
		Z3_model_dec_ref(z->c, m);
	}
	Z3_solver_pop(z->c, z->s, 1);
	return r;
}
