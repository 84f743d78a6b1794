/* Rule expressions as Z3 formulas, for the differential test of the
 * symbolic engine.  Values are a datatype (undefined, null, boolean,
 * number, string, array, object); every sub-expression becomes terms for
 * its value, whether evaluating it raises an error, and whether it reads
 * an identity field the caller lacks.  The request is a tree of slots:
 * free values, created as the expression reads them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <z3.h>

#include "z3enc.h"

#define Z3ENC_MAX_ELEMS 6	/* elements of an array value */
#define Z3ENC_MAX_LITERALS 128
#define Z3ENC_MAX_KEYS 64	/* 'x in obj' tests in one expression */
#define Z3ENC_MEMO 1024
#define Z3ENC_REFRESH 100	/* loads before a fresh context */
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
#define M_ELEM (M(NULL) | M(BOOL) | M(NUM) | M(STR))

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
	Z3_ast len, elem[Z3ENC_MAX_ELEMS];
	int elems;		/* the elements exist */
	Z3_func_decl has;	/* own keys, once 'in' asks */
	int has_checked;	/* the parent's has() agrees with v */
	/* get() documents */
	const struct ast_node *site;
	int data_op;
	Z3_ast path, absent, gid;
};

/* What a sub-expression evaluates to. */
struct z3enc_val {
	Z3_ast err;		/* an error is raised */
	Z3_ast out;		/* it reads an identity field the caller lacks */
	Z3_ast v;		/* the value, meaningful without err and out */
	Z3_ast pstr;		/* ToPrimitive of an array or object, or NULL */
	unsigned mask;		/* the types v may have */
	struct z3enc_slot *slot;	/* the array or object v may be */
	int request;		/* the request object itself */
};

struct z3enc_literal {
	const char *text;
	size_t len;
	int nan;		/* JavaScript's ToNumber */
	double number;
	int special;		/* the generic conversion gets it wrong */
};

struct z3enc_keytest {
	struct z3enc_slot *slot;
	Z3_ast key;
};

struct z3enc_memo {
	const struct ast_node *node;
	int data_op;
	struct z3enc_val val;
};

struct z3enc {
	Z3_context c;
	Z3_solver s;
	unsigned timeout_ms, loads;
	Z3_sort value, string, real, integer, boolean;
	Z3_func_decl con[Z3ENC_T_COUNT], rec[Z3ENC_T_COUNT];
	Z3_func_decl acc[Z3ENC_T_COUNT];
	Z3_func_decl numstr;	/* ToString of a number that is no integer */
	Z3_ast re_any, re_domain, re_token, re_digits, re_negative, re_blank;

	/* the loaded expression */
	enum rule_kind kind;
	int unsupported;
	struct z3enc_slot *slots;
	size_t nslots, nslots_final;
	struct z3enc_slot *doc, *resource, *data, *auth;
	Z3_ast caller, uid, openid, now;
	struct z3enc_literal lits[Z3ENC_MAX_LITERALS];
	size_t nlits;
	struct z3enc_keytest keys[Z3ENC_MAX_KEYS];
	size_t nkeys;
	struct z3enc_memo memo[Z3ENC_MEMO];
	int next_id, next_get;
	char *model_text;
};

static struct z3enc_val enc(struct z3enc *z, const struct ast_node *n,
			    int data_op);

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
	if (is_const(z, c, Z3_L_TRUE))
		return a;
	if (is_const(z, c, Z3_L_FALSE))
		return b;
	return Z3_mk_ite(z->c, c, a, b);
}

static Z3_ast t_eq(struct z3enc *z, Z3_ast a, Z3_ast b)
{
	return Z3_mk_eq(z->c, a, b);
}

static Z3_ast t_implies(struct z3enc *z, Z3_ast a, Z3_ast b)
{
	return t_or(z, t_not(z, a), b);
}

static Z3_ast t_str(struct z3enc *z, const char *s)
{
	return Z3_mk_lstring(z->c, (unsigned)strlen(s), s);
}

static Z3_ast t_concat(struct z3enc *z, Z3_ast a, Z3_ast b)
{
	Z3_ast args[2] = { a, b };

	return Z3_mk_seq_concat(z->c, 2, args);
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

static Z3_ast t_in_re(struct z3enc *z, Z3_ast s, Z3_ast re)
{
	return Z3_mk_seq_in_re(z->c, s, re);
}

static void t_assert(struct z3enc *z, Z3_ast a)
{
	if (!is_const(z, a, Z3_L_TRUE))
		Z3_solver_assert(z->c, z->s, a);
}

/* ---- regular expressions over strings ------------------------------------- */

static Z3_ast re_char_range(struct z3enc *z, char lo, char hi)
{
	char a[2] = { lo, '\0' }, b[2] = { hi, '\0' };

	return Z3_mk_re_range(z->c, t_str(z, a), t_str(z, b));
}

static Z3_ast re_lit(struct z3enc *z, const char *s)
{
	return Z3_mk_seq_to_re(z->c, t_str(z, s));
}

static Z3_ast re_union2(struct z3enc *z, Z3_ast a, Z3_ast b)
{
	Z3_ast args[2] = { a, b };

	return Z3_mk_re_union(z->c, 2, args);
}

static Z3_ast re_concat2(struct z3enc *z, Z3_ast a, Z3_ast b)
{
	Z3_ast args[2] = { a, b };

	return Z3_mk_re_concat(z->c, 2, args);
}

static Z3_ast re_inter2(struct z3enc *z, Z3_ast a, Z3_ast b)
{
	Z3_ast args[2] = { a, b };

	return Z3_mk_re_intersect(z->c, 2, args);
}

static Z3_ast re_digit(struct z3enc *z)
{
	return re_char_range(z, '0', '9');
}

/* Printable ASCII without the backslash: what free strings are made of. */
static Z3_ast re_printable(struct z3enc *z)
{
	return re_union2(z, re_char_range(z, ' ', '['),
			 re_char_range(z, ']', '~'));
}

/* A superset of the strings that read as numbers other than NaN, as far
 * as printable ASCII goes: blanks, a sign, then a digit or a point (or
 * Infinity), then anything a numeral may hold, then blanks. */
static Z3_ast re_numeric_superset(struct z3enc *z)
{
	Z3_ast blanks = Z3_mk_re_star(z->c, re_lit(z, " "));
	Z3_ast sign = Z3_mk_re_option(z->c, re_union2(z, re_lit(z, "+"),
						       re_lit(z, "-")));
	Z3_ast tail = re_union2(z, re_char_range(z, '0', '9'),
				re_char_range(z, 'a', 'z'));
	Z3_ast body, args[4];

	tail = re_union2(z, tail, re_char_range(z, 'A', 'Z'));
	tail = re_union2(z, tail, re_union2(z, re_lit(z, "."),
					    re_lit(z, "+")));
	tail = Z3_mk_re_star(z->c, re_union2(z, tail, re_lit(z, "-")));
	body = re_concat2(z, re_union2(z, re_digit(z), re_lit(z, ".")), tail);
	body = re_union2(z, body, re_lit(z, "Infinity"));
	args[0] = blanks;
	args[1] = sign;
	args[2] = body;
	args[3] = blanks;
	return Z3_mk_re_concat(z->c, 4, args);
}

static void init_regexes(struct z3enc *z)
{
	Z3_ast digits15 = Z3_mk_re_loop(z->c, re_digit(z), 1, 15);

	z->re_any = Z3_mk_re_full(z->c, Z3_mk_re_sort(z->c, z->string));
	z->re_digits = Z3_mk_re_plus(z->c, re_digit(z));
	z->re_negative = re_concat2(z, re_lit(z, "-"), z->re_digits);
	z->re_blank = Z3_mk_re_star(z->c, re_lit(z, " "));
	z->re_token = re_concat2(z, re_char_range(z, 'a', 'z'),
				 Z3_mk_re_star(z->c,
					       re_union2(z,
							 re_char_range(z, 'a',
								       'z'),
							 re_union2(z,
								   re_digit(z),
								   re_lit(z,
									  "-")))));
	z->re_domain = re_union2(z, digits15,
				 re_concat2(z, re_lit(z, "-"), digits15));
}

/* The strings a free value may hold: printable, and either exactly
 * converted by tonum_str() or a literal of the expression. */
static void load_domain(struct z3enc *z)
{
	Z3_ast exact = z->re_domain, odd, dom;
	size_t i;

	odd = re_inter2(z, re_numeric_superset(z),
			Z3_mk_re_complement(z->c, exact));
	dom = re_inter2(z, Z3_mk_re_star(z->c, re_printable(z)),
			Z3_mk_re_complement(z->c, odd));
	for (i = 0; i < z->nlits; i++)
		dom = re_union2(z, dom,
				Z3_mk_seq_to_re(z->c,
						Z3_mk_lstring(z->c,
							      (unsigned)z->lits[i].len,
							      z->lits[i].text)));
	z->re_domain = dom;
}

/* ---- the context ---------------------------------------------------------- */

static void init_datatype(struct z3enc *z)
{
	static const char *const names[Z3ENC_T_COUNT] = {
		"undef", "null", "bool", "num", "str", "arr", "obj"
	};
	Z3_sort sorts[Z3ENC_T_COUNT] = {
		NULL, NULL, z->boolean, z->real, z->string, z->integer,
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

static void open_context(struct z3enc *z)
{
	Z3_config cfg = Z3_mk_config();
	Z3_params p;

	Z3_set_param_value(cfg, "model", "true");
	z->c = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	z->string = Z3_mk_string_sort(z->c);
	z->real = Z3_mk_real_sort(z->c);
	z->integer = Z3_mk_int_sort(z->c);
	z->boolean = Z3_mk_bool_sort(z->c);
	init_datatype(z);
	z->numstr = Z3_mk_func_decl(z->c, Z3_mk_string_symbol(z->c, "numstr"),
				    1, &z->real, z->string);
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
	close_context(z);
	free(z->model_text);
	free(z);
}

/* ---- values ---------------------------------------------------------------- */

static Z3_ast v_make(struct z3enc *z, enum z3enc_type t, Z3_ast arg)
{
	return Z3_mk_app(z->c, z->con[t], arg ? 1 : 0, &arg);
}

static Z3_ast v_bool(struct z3enc *z, Z3_ast b)
{
	return v_make(z, Z3ENC_T_BOOL, b);
}

static Z3_ast v_is(struct z3enc *z, Z3_ast v, enum z3enc_type t)
{
	return Z3_mk_app(z->c, z->rec[t], 1, &v);
}

static Z3_ast v_get(struct z3enc *z, Z3_ast v, enum z3enc_type t)
{
	return Z3_mk_app(z->c, z->acc[t], 1, &v);
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
	x.out = t_false(z);
	x.v = v;
	x.mask = mask;
	return x;
}

/* The value of an expression outside the fragment. */
static struct z3enc_val x_unsupported(struct z3enc *z)
{
	z->unsupported = 1;
	return x_make(z, v_make(z, Z3ENC_T_UNDEF, NULL), M(UNDEF));
}

/* R takes the errors and identity reads of A then B, in that order. */
static void x_seq(struct z3enc *z, struct z3enc_val *r,
		  const struct z3enc_val *a, const struct z3enc_val *b)
{
	Z3_ast err = t_or(z, a->err, b->err);
	Z3_ast out = t_or(z, a->out, t_and(z, t_not(z, a->err), b->out));

	r->err = err;
	r->out = out;
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
						   t_str(z, "")))));
	return t;
}

/* ---- slots ------------------------------------------------------------------ */

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
	Z3_ast tiny = t_real(z, "1/1000000");
	Z3_ast big = t_and(z, t_lt(z, Z3_mk_unary_minus(z->c, bound), r),
			   t_lt(z, r, bound));
	Z3_ast args[3] = {
		Z3_mk_is_int(z->c, r), t_le(z, tiny, r),
		t_le(z, r, Z3_mk_unary_minus(z->c, tiny))
	};

	return t_and(z, big, Z3_mk_or(z->c, 3, args));
}

/* The constraints every free value obeys: identity of arrays and
 * objects, and the numbers and strings that the encoding converts
 * exactly. */
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
			      t_in_re(z, v_get(z, v, Z3ENC_T_STR),
				      z->re_domain)));
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

static struct z3enc_slot *slot_child(struct z3enc *z, struct z3enc_slot *p,
				     const char *key)
{
	struct z3enc_slot *c;
	char name[256];

	for (c = p->child; c; c = c->sibling)
		if (strcmp(c->key, key) == 0)
			return c;
	snprintf(name, sizeof(name), "%s.%s", p->name, key);
	c = slot_value(z, name);
	c->parent = p;
	c->key = strrchr(c->name, '.') + 1;
	if (strlen(c->key) != strlen(key))
		z->unsupported = 1;
	c->sibling = p->child;
	p->child = c;
	return c;
}

/* An element of an array: no undefined, no nested arrays or objects,
 * integers only, so that joining is exact. */
static void element_domain(struct z3enc *z, Z3_ast e)
{
	t_assert(z, t_not(z, v_is(z, e, Z3ENC_T_UNDEF)));
	t_assert(z, t_not(z, v_is(z, e, Z3ENC_T_ARR)));
	t_assert(z, t_not(z, v_is(z, e, Z3ENC_T_OBJ)));
	t_assert(z, t_implies(z, v_is(z, e, Z3ENC_T_NUM),
			      t_and(z, Z3_mk_is_int(z->c,
						    v_get(z, e, Z3ENC_T_NUM)),
				    num_domain(z, v_get(z, e,
							Z3ENC_T_NUM)))));
	t_assert(z, t_implies(z, v_is(z, e, Z3ENC_T_STR),
			      t_in_re(z, v_get(z, e, Z3ENC_T_STR),
				      z->re_domain)));
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

/* ---- conversions ------------------------------------------------------------- */

static Z3_ast int_string(struct z3enc *z, Z3_ast r)
{
	Z3_ast i = Z3_mk_real2int(z->c, r);

	return t_ite(z, Z3_mk_ge(z->c, i, t_int(z, 0)),
		     Z3_mk_int_to_str(z->c, i),
		     t_concat(z, t_str(z, "-"),
			      Z3_mk_int_to_str(z->c,
					       Z3_mk_unary_minus(z->c, i))));
}

/* Number::toString: exact for integers; other numbers are left to an
 * uninterpreted function that at least puts a point in them. */
static Z3_ast num_string(struct z3enc *z, Z3_ast r)
{
	Z3_ast other = Z3_mk_app(z->c, z->numstr, 1, &r);

	t_assert(z, t_implies(z, t_not(z, Z3_mk_is_int(z->c, r)),
			      Z3_mk_seq_contains(z->c, other,
						 t_str(z, "."))));
	return t_ite(z, Z3_mk_is_int(z->c, r), int_string(z, r), other);
}

static Z3_ast bool_string(struct z3enc *z, Z3_ast b)
{
	return t_ite(z, b, t_str(z, "true"), t_str(z, "false"));
}

static Z3_ast element_string(struct z3enc *z, Z3_ast e)
{
	return t_ite(z, v_is(z, e, Z3ENC_T_NULL), t_str(z, ""),
		     t_ite(z, v_is(z, e, Z3ENC_T_BOOL),
			   bool_string(z, v_get(z, e, Z3ENC_T_BOOL)),
			   t_ite(z, v_is(z, e, Z3ENC_T_NUM),
				 int_string(z, v_get(z, e, Z3ENC_T_NUM)),
				 v_get(z, e, Z3ENC_T_STR))));
}

/* Array.prototype.join of the elements of S. */
static Z3_ast slot_join(struct z3enc *z, struct z3enc_slot *s)
{
	Z3_ast joined[Z3ENC_MAX_ELEMS + 1], r;
	int i;

	slot_elements(z, s);
	joined[0] = t_str(z, "");
	for (i = 0; i < Z3ENC_MAX_ELEMS; i++) {
		Z3_ast e = element_string(z, s->elem[i]);

		joined[i + 1] = i ? t_concat(z, t_concat(z, joined[i],
							 t_str(z, ",")), e) :
				    e;
	}
	r = joined[Z3ENC_MAX_ELEMS];
	for (i = Z3ENC_MAX_ELEMS; i-- > 0;)
		r = t_ite(z, t_eq(z, s->len, t_int(z, i)), joined[i], r);
	return r;
}

/* ToPrimitive of X when it is of type T, an array or an object. */
static Z3_ast x_pstr(struct z3enc *z, const struct z3enc_val *x,
		     enum z3enc_type t)
{
	if (t == Z3ENC_T_OBJ)
		return t_str(z, "[object Object]");
	if (x->slot)
		return slot_join(z, x->slot);
	if (x->pstr)
		return x->pstr;
	z->unsupported = 1;
	return t_str(z, "");
}

/* ToPrimitive of X, whichever of array or object it is. */
static Z3_ast x_pstr_any(struct z3enc *z, const struct z3enc_val *x)
{
	if (!(x->mask & M(ARR)))
		return t_str(z, "[object Object]");
	if (x->pstr)
		return x->pstr;
	return t_ite(z, x_is(z, x, Z3ENC_T_ARR), x_pstr(z, x, Z3ENC_T_ARR),
		     t_str(z, "[object Object]"));
}

static Z3_ast x_string(struct z3enc *z, const struct z3enc_val *x)
{
	Z3_ast r = t_str(z, "undefined");

	if (x->mask & (M(ARR) | M(OBJ)))
		r = t_ite(z, t_or(z, x_is(z, x, Z3ENC_T_ARR),
				  x_is(z, x, Z3ENC_T_OBJ)),
			  x_pstr_any(z, x), r);
	if (x->mask & M(STR))
		r = t_ite(z, x_is(z, x, Z3ENC_T_STR),
			  v_get(z, x->v, Z3ENC_T_STR), r);
	if (x->mask & M(NUM))
		r = t_ite(z, x_is(z, x, Z3ENC_T_NUM),
			  num_string(z, v_get(z, x->v, Z3ENC_T_NUM)), r);
	if (x->mask & M(BOOL))
		r = t_ite(z, x_is(z, x, Z3ENC_T_BOOL),
			  bool_string(z, v_get(z, x->v, Z3ENC_T_BOOL)), r);
	if (x->mask & M(NULL))
		r = t_ite(z, x_is(z, x, Z3ENC_T_NULL), t_str(z, "null"), r);
	return r;
}

/* A number as JavaScript converts it: NaN, or a value. */
struct z3enc_num {
	Z3_ast nan, val;
};

static struct z3enc_num num_const(struct z3enc *z, int nan, const char *r)
{
	struct z3enc_num n = { nan ? t_true(z) : t_false(z), t_real(z, r) };

	return n;
}

/* ToNumber of the string S.  Free strings are digits, a minus and
 * digits, blanks, a literal of the expression, or text that cannot be a
 * number; the literals that the general rule gets wrong are listed. */
static struct z3enc_num tonum_str(struct z3enc *z, Z3_ast s)
{
	Z3_ast digits = t_in_re(z, s, z->re_digits);
	Z3_ast negative = t_in_re(z, s, z->re_negative);
	Z3_ast blank = t_in_re(z, s, z->re_blank);
	Z3_ast one = t_int(z, 1), len = Z3_mk_seq_length(z->c, s), tail;
	struct z3enc_num n;
	char num[64];
	size_t i;

	tail = Z3_mk_seq_extract(z->c, s, one, Z3_mk_sub(z->c, 2,
						(Z3_ast[]){ len, one }));
	n.nan = t_not(z, t_or(z, digits, t_or(z, negative, blank)));
	n.val = t_ite(z, digits, Z3_mk_int2real(z->c, Z3_mk_str_to_int(z->c, s)),
		      t_ite(z, negative,
			    Z3_mk_unary_minus(z->c, Z3_mk_int2real(
				    z->c, Z3_mk_str_to_int(z->c, tail))),
			    t_real(z, "0")));
	for (i = 0; i < z->nlits; i++) {
		const struct z3enc_literal *l = &z->lits[i];
		Z3_ast is = t_eq(z, s, Z3_mk_lstring(z->c, (unsigned)l->len,
						     l->text));

		if (!l->special)
			continue;
		snprintf(num, sizeof(num), "%.17g", l->nan ? 0 : l->number);
		n.nan = t_ite(z, is, l->nan ? t_true(z) : t_false(z), n.nan);
		n.val = t_ite(z, is, t_real(z, num), n.val);
	}
	return n;
}

static void num_case(struct z3enc *z, struct z3enc_num *acc, Z3_ast is,
		     struct z3enc_num n)
{
	acc->nan = t_ite(z, is, n.nan, acc->nan);
	acc->val = t_ite(z, is, n.val, acc->val);
}

/* ToNumber(ToPrimitive(X)). */
static struct z3enc_num tonum(struct z3enc *z, const struct z3enc_val *x)
{
	struct z3enc_num acc = num_const(z, 1, "0"), n;

	if (x->mask & M(ARR))
		num_case(z, &acc, x_is(z, x, Z3ENC_T_ARR),
			 tonum_str(z, x_pstr(z, x, Z3ENC_T_ARR)));
	if (x->mask & M(STR))
		num_case(z, &acc, x_is(z, x, Z3ENC_T_STR),
			 tonum_str(z, v_get(z, x->v, Z3ENC_T_STR)));
	if (x->mask & M(NUM)) {
		n.nan = t_false(z);
		n.val = v_get(z, x->v, Z3ENC_T_NUM);
		num_case(z, &acc, x_is(z, x, Z3ENC_T_NUM), n);
	}
	if (x->mask & M(BOOL)) {
		n.nan = t_false(z);
		n.val = t_ite(z, v_get(z, x->v, Z3ENC_T_BOOL), t_real(z, "1"),
			      t_real(z, "0"));
		num_case(z, &acc, x_is(z, x, Z3ENC_T_BOOL), n);
	}
	if (x->mask & M(NULL))
		num_case(z, &acc, x_is(z, x, Z3ENC_T_NULL),
			 num_const(z, 0, "0"));
	return acc;
}

/* ---- equality and order ------------------------------------------------------ */

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
		return ty == Z3ENC_T_NULL ? t_true(z) : t_false(z);
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
	Z3_ast r = t_str(z, "");

	if (x->mask & (M(ARR) | M(OBJ)))
		r = x_pstr_any(z, x);
	if (x->mask & M(STR))
		r = t_ite(z, x_is(z, x, Z3ENC_T_STR),
			  v_get(z, x->v, Z3ENC_T_STR), r);
	return r;
}

static Z3_ast order(struct z3enc *z, enum ast_op op, Z3_ast a, Z3_ast b,
		    int strings)
{
	switch (op) {
	case AST_OP_LT:
		return strings ? Z3_mk_str_lt(z->c, a, b) : t_lt(z, a, b);
	case AST_OP_LE:
		return strings ? Z3_mk_str_le(z->c, a, b) : t_le(z, a, b);
	case AST_OP_GT:
		return strings ? Z3_mk_str_lt(z->c, b, a) : t_lt(z, b, a);
	default:
		return strings ? Z3_mk_str_le(z->c, b, a) : t_le(z, b, a);
	}
}

/* < <= > >=: strings by code points, anything else as numbers. */
static Z3_ast relational(struct z3enc *z, enum ast_op op,
			 const struct z3enc_val *x, const struct z3enc_val *y)
{
	Z3_ast both = t_and(z, x_stringlike(z, x), x_stringlike(z, y));
	struct z3enc_num nx = tonum(z, x), ny = tonum(z, y);
	Z3_ast numbers = t_and(z, t_and(z, t_not(z, nx.nan), t_not(z, ny.nan)),
			       order(z, op, nx.val, ny.val, 0));
	Z3_ast strings = t_false(z);

	if (!is_const(z, both, Z3_L_FALSE))
		strings = order(z, op, x_prim_string(z, x),
				x_prim_string(z, y), 1);
	return t_ite(z, both, strings, numbers);
}

/* ---- the roots and members ---------------------------------------------------- */

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
	Z3_ast r = v_make(z, Z3ENC_T_UNDEF, NULL);
	int c;

	for (c = 0; c < SYM_CALLER_COUNT; c++)
		if (z3enc_login_types[c])
			r = t_ite(z, t_eq(z, z->caller, t_int(z, c)),
				  v_make(z, Z3ENC_T_STR,
					 t_str(z, z3enc_login_types[c])),
				  r);
	return r;
}

/* auth.KEY of the record in B. */
static struct z3enc_val auth_member(struct z3enc *z,
				    const struct z3enc_val *b,
				    const char *key)
{
	struct z3enc_val r = x_make(z, v_make(z, Z3ENC_T_UNDEF, NULL),
				    M(UNDEF));
	int (*has)(int) = NULL;
	Z3_ast id = NULL, lacks;

	if (strcmp(key, "uid") == 0) {
		has = caller_has_uid;
		id = z->uid;
	} else if (strcmp(key, "openid") == 0) {
		has = caller_has_openid;
		id = z->openid;
	} else if (strcmp(key, "loginType") == 0) {
		r.v = login_type(z);
		r.mask = M(UNDEF) | M(STR);
	}
	r.err = t_or(z, b->err, x_nullish(z, b));
	r.out = b->out;
	if (!has)
		return r;
	r.v = t_ite(z, caller_in(z, has), v_make(z, Z3ENC_T_STR, id),
		    r.v);
	r.mask = M(UNDEF) | M(STR);
	lacks = t_and(z, x_is(z, b, Z3ENC_T_OBJ), t_not(z, caller_in(z, has)));
	r.out = t_or(z, b->out, t_and(z, t_not(z, b->err), lacks));
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

static struct z3enc_val member(struct z3enc *z, const struct ast_node *n,
			       int data_op)
{
	struct z3enc_val b = enc(z, n->a, data_op), r;
	struct z3enc_slot *c;

	if (!n->text || special_key(n->text) || strchr(n->text, '.'))
		return x_unsupported(z);
	if (b.request) {
		r = strcmp(n->text, "data") || !data_op ?
			    x_make(z, v_make(z, Z3ENC_T_UNDEF, NULL), M(UNDEF)) :
			    x_make(z, z->data->v, M(OBJ));
		r.slot = r.mask == M(OBJ) ? z->data : NULL;
		r.err = b.err;
		r.out = b.out;
		return r;
	}
	if (b.slot && b.slot->kind == Z3ENC_SLOT_AUTH)
		return auth_member(z, &b, n->text);
	if (!b.slot)
		return x_unsupported(z);
	c = slot_child(z, b.slot, n->text);
	r = x_make(z, c->v, c->mask);
	if (b.mask & ~(M(OBJ) | M(UNDEF) | M(NULL))) {
		r.v = t_ite(z, x_is(z, &b, Z3ENC_T_OBJ), c->v,
			    v_make(z, Z3ENC_T_UNDEF, NULL));
		r.mask |= M(UNDEF);
	}
	r.slot = c;
	r.err = t_or(z, b.err, x_nullish(z, &b));
	r.out = b.out;
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
		r = x_make(z, v_make(z, Z3ENC_T_UNDEF, NULL), M(UNDEF));
	} else {
		r = x_unsupported(z);
	}
	return r;
}

/* ---- get() -------------------------------------------------------------------- */

/* Whether the string P is database.<collection>.<id>. */
static Z3_ast valid_path(struct z3enc *z, Z3_ast p)
{
	Z3_ast nine = t_int(z, 9), one = t_int(z, 1), dot = t_str(z, ".");
	Z3_ast len = Z3_mk_sub(z->c, 2, (Z3_ast[]){
				       Z3_mk_seq_length(z->c, p), nine });
	Z3_ast rest = Z3_mk_seq_extract(z->c, p, nine, len);
	Z3_ast i = Z3_mk_seq_index(z->c, rest, dot, t_int(z, 0));
	Z3_ast after = Z3_mk_add(z->c, 2, (Z3_ast[]){ i, one });
	Z3_ast args[4] = {
		Z3_mk_seq_prefix(z->c, t_str(z, "database."), p),
		Z3_mk_ge(z->c, i, one),
		t_lt(z, after, Z3_mk_seq_length(z->c, rest)),
		t_eq(z, Z3_mk_seq_index(z->c, rest, dot, after),
		     t_int(z, -1))
	};

	return Z3_mk_and(z->c, 4, args);
}

static struct z3enc_slot *get_slot(struct z3enc *z,
				   const struct ast_node *site, int data_op,
				   Z3_ast path)
{
	struct z3enc_slot *s;
	char name[32];

	for (s = z->slots; s; s = s->next)
		if (s->kind == Z3ENC_SLOT_GET && s->site == site &&
		    s->data_op == data_op)
			return s;
	snprintf(name, sizeof(name), "get%d", z->next_get++);
	s = slot_new(z, name, Z3ENC_SLOT_GET);
	s->site = site;
	s->data_op = data_op;
	s->path = path;
	s->absent = t_const(z, "absent", z->boolean);
	s->gid = t_const(z, "gid", z->integer);
	t_assert(z, Z3_mk_ge(z->c, s->gid, t_int(z, Z3ENC_ID_FIRST_GET)));
	s->v = t_ite(z, s->absent, v_make(z, Z3ENC_T_NULL, NULL),
		     v_make(z, Z3ENC_T_OBJ, s->gid));
	s->mask = M(NULL) | M(OBJ);
	return s;
}

static struct z3enc_val get_call(struct z3enc *z, const struct ast_node *n,
				 int data_op)
{
	struct z3enc_val p, r;
	struct z3enc_slot *s;
	Z3_ast path;

	if (n->nlist != 1)
		return x_unsupported(z);
	p = enc(z, n->list[0], data_op);
	if (p.mask != M(STR))
		return x_unsupported(z);
	path = v_get(z, p.v, Z3ENC_T_STR);
	s = get_slot(z, n, data_op, path);
	r = x_make(z, s->v, s->mask);
	r.slot = s;
	r.err = t_or(z, p.err, t_not(z, valid_path(z, path)));
	r.out = p.out;
	return r;
}

/* ---- regular expressions -------------------------------------------------------- */

struct z3enc_rx {
	struct z3enc *z;
	const char *p, *end;
	int bad;
};

static Z3_ast rx_escape(struct z3enc_rx *rx, char c)
{
	struct z3enc *z = rx->z;
	char s[2] = { c, '\0' };

	if (c == 'd')
		return re_digit(z);
	if (c == 'w')
		return re_union2(z, re_union2(z, re_digit(z),
					      re_char_range(z, 'a', 'z')),
				 re_union2(z, re_char_range(z, 'A', 'Z'),
					   re_lit(z, "_")));
	if (strchr("/.\\-[]()*+?{}|^$", c))
		return re_lit(z, s);
	rx->bad = 1;
	return re_lit(z, s);
}

/* [...] without negation: ranges and single characters. */
static Z3_ast rx_class(struct z3enc_rx *rx)
{
	struct z3enc *z = rx->z;
	Z3_ast set = NULL, one;
	char lo;

	if (rx->p < rx->end && *rx->p == '^')
		rx->bad = 1;
	while (rx->p < rx->end && *rx->p != ']' && !rx->bad) {
		lo = *rx->p++;
		if (lo == '\\' && rx->p < rx->end) {
			one = rx_escape(rx, *rx->p++);
		} else if (rx->p + 1 < rx->end && rx->p[0] == '-' &&
			   rx->p[1] != ']') {
			one = re_char_range(z, lo, rx->p[1]);
			rx->p += 2;
		} else {
			one = re_lit(z, (char[]){ lo, '\0' });
		}
		set = set ? re_union2(z, set, one) : one;
	}
	if (rx->p >= rx->end || !set)
		rx->bad = 1;
	else
		rx->p++;
	return set ? set : re_lit(z, "");
}

static Z3_ast rx_atom(struct z3enc_rx *rx)
{
	struct z3enc *z = rx->z;
	char c = *rx->p++;

	if (c == '\\' && rx->p < rx->end)
		return rx_escape(rx, *rx->p++);
	if (c == '[')
		return rx_class(rx);
	if (c == '.')
		return re_printable(z);
	if (strchr("()|{}*+?^$\\", c))
		rx->bad = 1;
	return re_lit(z, (char[]){ c, '\0' });
}

static Z3_ast rx_quantified(struct z3enc_rx *rx, Z3_ast a)
{
	if (rx->p >= rx->end)
		return a;
	switch (*rx->p) {
	case '*':
		rx->p++;
		return Z3_mk_re_star(rx->z->c, a);
	case '+':
		rx->p++;
		return Z3_mk_re_plus(rx->z->c, a);
	case '?':
		rx->p++;
		return Z3_mk_re_option(rx->z->c, a);
	default:
		return a;
	}
}

/* The language of the regular-expression literal RE as a test: a match
 * anywhere, unless anchored.  NULL when the pattern is outside the small
 * subset the generator writes. */
static Z3_ast translate_regex(struct z3enc *z, const struct ast_node *re)
{
	struct z3enc_rx rx = { z, re->text, re->text + re->len, 0 };
	Z3_ast r = re_lit(z, "");
	int start = 0, end = 0;

	if (!re->text || (re->flags && re->flags[0]))
		return NULL;
	if (rx.p < rx.end && *rx.p == '^') {
		start = 1;
		rx.p++;
	}
	if (rx.end > rx.p && rx.end[-1] == '$' &&
	    (rx.end - 1 == rx.p || rx.end[-2] != '\\')) {
		end = 1;
		rx.end--;
	}
	while (rx.p < rx.end && !rx.bad)
		r = re_concat2(z, r, rx_quantified(&rx, rx_atom(&rx)));
	if (rx.bad)
		return NULL;
	if (!start)
		r = re_concat2(z, z->re_any, r);
	if (!end)
		r = re_concat2(z, r, z->re_any);
	return r;
}

static int is_regex_test(const struct ast_node *n)
{
	return n->a && n->a->kind == AST_MEMBER && n->a->text &&
	       strcmp(n->a->text, "test") == 0 && n->a->a &&
	       n->a->a->kind == AST_REGEX && n->nlist == 1;
}

static struct z3enc_val regex_test(struct z3enc *z, const struct ast_node *n,
				   int data_op)
{
	Z3_ast re = translate_regex(z, n->a->a);
	struct z3enc_val arg, r;

	if (!re)
		return x_unsupported(z);
	arg = enc(z, n->list[0], data_op);
	r = x_make(z, v_bool(z, t_in_re(z, x_string(z, &arg), re)), M(BOOL));
	r.err = arg.err;
	r.out = arg.out;
	return r;
}

static struct z3enc_val call(struct z3enc *z, const struct ast_node *n,
			     int data_op)
{
	if (n->a && n->a->kind == AST_IDENT && strcmp(n->a->text, "get") == 0)
		return get_call(z, n, data_op);
	if (is_regex_test(n))
		return regex_test(z, n, data_op);
	return x_unsupported(z);
}

/* ---- operators ---------------------------------------------------------------- */

static struct z3enc_val logical(struct z3enc *z, const struct ast_node *n,
				int data_op)
{
	struct z3enc_val a = enc(z, n->a, data_op), b = enc(z, n->b, data_op);
	struct z3enc_val r = a;
	Z3_ast t = truthy(z, &a);
	Z3_ast go_on = n->op == AST_OP_AND ? t : t_not(z, t);

	r.err = t_or(z, a.err, t_and(z, go_on, b.err));
	r.out = t_or(z, a.out, t_and(z, t_and(z, t_not(z, a.err), go_on),
				     b.out));
	r.v = t_ite(z, go_on, b.v, a.v);
	r.mask = a.mask | b.mask;
	r.slot = NULL;
	r.request = 0;
	r.pstr = NULL;
	if (r.mask & M(ARR))
		r.pstr = t_ite(z, go_on,
			       b.mask & M(ARR) ? x_pstr_any(z, &b) :
						  t_str(z, ""),
			       a.mask & M(ARR) ? x_pstr_any(z, &a) :
						  t_str(z, ""));
	if (a.request || b.request)
		z->unsupported = 1;
	return r;
}

static struct z3enc_val array_in(struct z3enc *z, const struct z3enc_val *x,
				 const struct ast_node *arr, int data_op)
{
	struct z3enc_val r = *x, e;
	Z3_ast found = t_false(z);
	size_t i;

	for (i = 0; i < arr->nlist; i++) {
		e = enc(z, arr->list[i], data_op);
		x_seq(z, &r, &r, &e);
		found = t_or(z, found, t_eq(z, x->v, e.v));
	}
	r.v = v_bool(z, found);
	r.mask = M(BOOL);
	r.slot = NULL;
	r.pstr = NULL;
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
	struct z3enc_val r;
	struct z3enc_slot *s = y->slot;
	Z3_ast member = t_false(z), key, has;
	int i;

	if (!s || s->kind != Z3ENC_SLOT_VALUE || y->request)
		return x_unsupported(z);
	slot_elements(z, s);
	for (i = 0; i < Z3ENC_MAX_ELEMS; i++)
		member = t_or(z, member, t_and(z, t_lt(z, t_int(z, i), s->len),
					       t_eq(z, s->elem[i], x->v)));
	if (!s->has)
		s->has = Z3_mk_fresh_func_decl(z->c, "has", 1, &z->string,
					       z->boolean);
	key = x_string(z, x);
	add_keytest(z, s, key);
	has = Z3_mk_app(z->c, s->has, 1, &key);
	r = x_make(z, v_bool(z, t_ite(z, x_is(z, y, Z3ENC_T_ARR), member,
				      t_and(z, x_is(z, y, Z3ENC_T_OBJ), has))),
		   M(BOOL));
	x_seq(z, &r, x, y);
	r.err = t_or(z, r.err, t_not(z, t_or(z, x_is(z, y, Z3ENC_T_ARR),
					     x_is(z, y, Z3ENC_T_OBJ))));
	return r;
}

static struct z3enc_val in_op(struct z3enc *z, const struct ast_node *n,
			      int data_op)
{
	struct z3enc_val x = enc(z, n->a, data_op), y;

	if (n->b->kind == AST_ARRAY)
		return array_in(z, &x, n->b, data_op);
	y = enc(z, n->b, data_op);
	return value_in(z, &x, &y);
}

static struct z3enc_val binary(struct z3enc *z, const struct ast_node *n,
			       int data_op)
{
	struct z3enc_val a, b, r;
	Z3_ast v;

	if (n->op == AST_OP_AND || n->op == AST_OP_OR)
		return logical(z, n, data_op);
	if (n->op == AST_OP_IN)
		return in_op(z, n, data_op);
	a = enc(z, n->a, data_op);
	b = enc(z, n->b, data_op);
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
	case AST_OP_ADD:
		if (a.mask != M(STR) && b.mask != M(STR))
			return x_unsupported(z);
		v = v_make(z, Z3ENC_T_STR, t_concat(z, x_string(z, &a),
						    x_string(z, &b)));
		r = x_make(z, v, M(STR));
		x_seq(z, &r, &a, &b);
		return r;
	default:
		return x_unsupported(z);
	}
	r = x_make(z, v, M(BOOL));
	x_seq(z, &r, &a, &b);
	return r;
}

static struct z3enc_val template(struct z3enc *z, const struct ast_node *n,
				 int data_op)
{
	struct z3enc_val r = x_make(z, NULL, M(STR)), part;
	Z3_ast s = t_str(z, "");
	size_t i;

	for (i = 0; i < n->nlist; i++) {
		part = enc(z, n->list[i], data_op);
		x_seq(z, &r, &r, &part);
		s = t_concat(z, s, x_string(z, &part));
	}
	r.v = v_make(z, Z3ENC_T_STR, s);
	return r;
}

static struct z3enc_val literal_number(struct z3enc *z, double d)
{
	char num[64];

	snprintf(num, sizeof(num), "%.17g", d);
	if (!isfinite(d) || strchr(num, 'e'))
		return x_unsupported(z);
	if (d == floor(d))
		snprintf(num, sizeof(num), "%.0f", d);
	return x_make(z, v_make(z, Z3ENC_T_NUM, t_real(z, num)), M(NUM));
}

static struct z3enc_val leaf(struct z3enc *z, const struct ast_node *n)
{
	switch (n->kind) {
	case AST_UNDEFINED:
		return x_make(z, v_make(z, Z3ENC_T_UNDEF, NULL), M(UNDEF));
	case AST_NULL:
		return x_make(z, v_make(z, Z3ENC_T_NULL, NULL), M(NULL));
	case AST_BOOL:
		return x_make(z, v_bool(z, n->boolean ? t_true(z) : t_false(z)),
			      M(BOOL));
	case AST_NUMBER:
		return literal_number(z, n->number);
	case AST_STRING:
		return x_make(z, v_make(z, Z3ENC_T_STR,
					Z3_mk_lstring(z->c, (unsigned)n->len,
						      n->text)),
			      M(STR));
	case AST_IDENT:
		return ident(z, n);
	default:
		return x_unsupported(z);
	}
}

static struct z3enc_val enc_node(struct z3enc *z, const struct ast_node *n,
				 int data_op)
{
	struct z3enc_val r;

	switch (n->kind) {
	case AST_MEMBER:
		return member(z, n, data_op);
	case AST_CALL:
		return call(z, n, data_op);
	case AST_TEMPLATE:
		return template(z, n, data_op);
	case AST_BINARY:
		return binary(z, n, data_op);
	case AST_UNARY:
		if (n->op != AST_OP_NOT)
			return x_unsupported(z);
		r = enc(z, n->a, data_op);
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
				    const struct ast_node *n, int data_op)
{
	size_t h = ((size_t)n >> 4) * 2 + (size_t)data_op, i;

	for (i = 0; i < Z3ENC_MEMO; i++) {
		struct z3enc_memo *m = &z->memo[(h + i) % Z3ENC_MEMO];

		if (!m->node || (m->node == n && m->data_op == data_op))
			return m;
	}
	return NULL;
}

static struct z3enc_val enc(struct z3enc *z, const struct ast_node *n,
			    int data_op)
{
	struct z3enc_memo *m = memo_slot(z, n, data_op);
	struct z3enc_val r;

	if (m && m->node)
		return m->val;
	r = enc_node(z, n, data_op);
	if (m) {
		m->node = n;
		m->data_op = data_op;
		m->val = r;
	}
	return r;
}

/* ---- literals ------------------------------------------------------------------ */

static int js_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int digits_only(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return len > 0;
}

/* Whether S is a decimal numeral: sign, digits, point, exponent. */
static int decimal_numeral(const char *s, size_t len)
{
	size_t i = 0, before = 0, after = 0, exp = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		before++;
	if (i < len && s[i] == '.')
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			after++;
	if (before + after == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			exp++;
		if (!exp)
			return 0;
	}
	return i == len;
}

/* ToNumber of the literal L, from the ECMAScript grammar of numeric
 * strings restricted to ASCII.  Returns -1 for values the encoding has
 * no number for (the infinities). */
static int literal_number_of(struct z3enc_literal *l)
{
	const char *s = l->text, *e = l->text + l->len;
	char buf[128];
	char *end;

	while (s < e && js_space(*s))
		s++;
	while (e > s && js_space(e[-1]))
		e--;
	l->nan = 0;
	l->number = 0;
	if (s == e)
		return 0;
	if ((size_t)(e - s) >= sizeof(buf) || memchr(s, 'I', (size_t)(e - s)))
		return -1;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	if (e - s > 2 && buf[0] == '0' && strchr("xXoObB", buf[1])) {
		int base = strchr("xX", buf[1]) ? 16 : strchr("oO", buf[1]) ?
							   8 : 2;

		l->number = (double)strtoull(buf + 2, &end, base);
		l->nan = *end != '\0';
		return 0;
	}
	if (!decimal_numeral(buf, (size_t)(e - s))) {
		l->nan = 1;
		return 0;
	}
	l->number = strtod(buf, NULL);
	return isfinite(l->number) ? 0 : -1;
}

/* Whether tonum_str()'s general rule converts L right. */
static int generic_right(const struct z3enc_literal *l)
{
	size_t i;
	int blank = 1;

	for (i = 0; i < l->len; i++)
		blank &= l->text[i] == ' ';
	if (blank)
		return !l->nan && l->number == 0;
	if (digits_only(l->text, l->len) ||
	    (l->len > 1 && l->text[0] == '-' &&
	     digits_only(l->text + 1, l->len - 1)))
		return !l->nan && l->len <= 16;
	return l->nan;
}

static int add_literal(struct z3enc *z, const struct ast_node *n)
{
	struct z3enc_literal *l;
	size_t i;

	for (i = 0; i < n->len; i++)
		if ((unsigned char)n->text[i] < 0x20 ||
		    (unsigned char)n->text[i] >= 0x7F)
			return -1;
	for (i = 0; i < z->nlits; i++)
		if (z->lits[i].len == n->len &&
		    memcmp(z->lits[i].text, n->text, n->len) == 0)
			return 0;
	if (z->nlits == Z3ENC_MAX_LITERALS)
		return -1;
	l = &z->lits[z->nlits++];
	l->text = n->text;
	l->len = n->len;
	if (literal_number_of(l) < 0)
		return -1;
	l->special = !generic_right(l);
	return 0;
}

static int collect_literals(struct z3enc *z, const struct ast_node *n)
{
	size_t i;

	if (!n)
		return 0;
	if (n->kind == AST_STRING && (!n->text || add_literal(z, n) < 0))
		return -1;
	if (collect_literals(z, n->a) < 0 || collect_literals(z, n->b) < 0 ||
	    collect_literals(z, n->c) < 0)
		return -1;
	for (i = 0; i < n->nlist; i++)
		if (collect_literals(z, n->list[i]) < 0)
			return -1;
	return 0;
}

/* ---- loading an expression -------------------------------------------------------- */

static void finalize_keys(struct z3enc *z)
{
	struct z3enc_slot *p, *c;
	Z3_ast key;

	for (p = z->slots; p; p = p->next) {
		if (!p->has)
			continue;
		for (c = p->child; c; c = c->sibling) {
			if (c->has_checked)
				continue;
			c->has_checked = 1;
			key = t_str(z, c->key);
			t_assert(z, t_eq(z, Z3_mk_app(z->c, p->has, 1, &key),
					 t_not(z, v_is(z, c->v,
						       Z3ENC_T_UNDEF))));
		}
	}
}

static struct z3enc_slot *find_child(struct z3enc_slot *p, const char *key)
{
	struct z3enc_slot *c;

	for (c = p->child; c; c = c->sibling)
		if (strcmp(c->key, key) == 0)
			return c;
	return NULL;
}

/* The same path gives the same document: the same object, the same
 * fields. */
static void congruent(struct z3enc *z, struct z3enc_slot *a,
		      struct z3enc_slot *b)
{
	Z3_ast same = t_eq(z, a->path, b->path);
	struct z3enc_slot *ca, *cb;

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
	z->uid = t_const(z, "uid", z->string);
	z->openid = t_const(z, "openid", z->string);
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

static void error_handler(Z3_context c, Z3_error_code e)
{
	(void)c;
	(void)e;
}

static void reset(struct z3enc *z)
{
	free_slots(z);
	if (!z->c || z->loads % Z3ENC_REFRESH == 0) {
		close_context(z);
		open_context(z);
		Z3_set_error_handler(z->c, error_handler);
	}
	z->loads++;
	Z3_solver_reset(z->c, z->s);
	memset(z->memo, 0, sizeof(z->memo));
	z->nkeys = z->nlits = 0;
	z->unsupported = 0;
	z->next_id = Z3ENC_ID_FIRST_SLOT;
	z->next_get = 0;
}

int z3enc_load(struct z3enc *z, const struct ast_node *root,
	       enum rule_kind kind)
{
	reset(z);
	z->kind = kind;
	if (collect_literals(z, root) < 0) {
		z->unsupported = 1;
		return -1;
	}
	init_regexes(z);
	load_domain(z);
	request_roots(z);
	enc(z, root, 0);
	enc(z, root, 1);
	finalize(z);
	return z->unsupported ? -1 : 0;
}

/* ---- the principal classes ---------------------------------------------------------- */

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

static Z3_ast is_literal(struct z3enc *z, Z3_ast s)
{
	Z3_ast r = t_false(z);
	size_t i;

	for (i = 0; i < z->nlits; i++)
		r = t_or(z, r, t_eq(z, s, Z3_mk_lstring(z->c,
							 (unsigned)z->lits[i].len,
							 z->lits[i].text)));
	return r;
}

/* An identity is an opaque token that no literal spells or contains;
 * where the question frees it, it may also be any string literal. */
static Z3_ast identity_domain(struct z3enc *z, Z3_ast id, int free)
{
	Z3_ast fresh = t_in_re(z, id, z->re_token);
	size_t i;

	for (i = 0; i < z->nlits; i++)
		fresh = t_and(z, fresh,
			      t_not(z, Z3_mk_seq_contains(
					       z->c,
					       Z3_mk_lstring(z->c,
							     (unsigned)z->lits[i].len,
							     z->lits[i].text),
					       id)));
	return free ? t_or(z, fresh, is_literal(z, id)) : fresh;
}

static Z3_ast differs(struct z3enc *z, Z3_ast v, Z3_ast id, Z3_ast has)
{
	return t_implies(z, has, t_not(z, t_and(z, v_is(z, v, Z3ENC_T_STR),
						  t_eq(z, v_get(z, v,
								Z3ENC_T_STR),
						       id))));
}

/* No value that the request or the database holds is the identity. */
static void unrelated(struct z3enc *z, Z3_ast has_uid, Z3_ast has_openid)
{
	struct z3enc_slot *s;
	int i;

	for (s = z->slots; s; s = s->next) {
		if (s->kind != Z3ENC_SLOT_VALUE)
			continue;
		t_assert(z, differs(z, s->v, z->uid, has_uid));
		t_assert(z, differs(z, s->v, z->openid, has_openid));
		for (i = 0; s->elems && i < Z3ENC_MAX_ELEMS; i++) {
			t_assert(z, differs(z, s->elem[i], z->uid, has_uid));
			t_assert(z, differs(z, s->elem[i], z->openid,
					    has_openid));
		}
	}
}

/* Documents whose path holds the identity are absent. */
static void absent_role_docs(struct z3enc *z, Z3_ast has_uid,
			     Z3_ast has_openid)
{
	struct z3enc_slot *s;
	Z3_ast keyed;

	for (s = z->slots; s; s = s->next) {
		if (s->kind != Z3ENC_SLOT_GET)
			continue;
		keyed = t_or(z, t_and(z, has_uid,
				      Z3_mk_seq_contains(z->c, s->path,
							 z->uid)),
			     t_and(z, has_openid,
				   Z3_mk_seq_contains(z->c, s->path,
						      z->openid)));
		t_assert(z, t_implies(z, keyed, s->absent));
	}
}

static void assert_class(struct z3enc *z, const struct z3enc_question *q)
{
	unsigned callers = class_callers(q->cls) &
			   (q->callers ? q->callers : SYM_CALLERS_ALL);
	Z3_ast in = t_false(z), has_uid = caller_in(z, caller_has_uid);
	Z3_ast has_openid = caller_in(z, caller_has_openid);
	int c, free = q->cls == SYM_ANY && q->identity_free;

	for (c = 0; c < SYM_CALLER_COUNT; c++)
		if (callers & SYM_CALLER_BIT(c))
			in = t_or(z, in, t_eq(z, z->caller, t_int(z, c)));
	t_assert(z, in);
	t_assert(z, identity_domain(z, z->uid, free));
	t_assert(z, identity_domain(z, z->openid, free));
	if (!free)
		t_assert(z, t_not(z, t_eq(z, z->uid, z->openid)));
	if (q->cls == SYM_ANONYMOUS || q->cls == SYM_ANY_USER ||
	    q->cls == SYM_ROLE)
		unrelated(z, has_uid, has_openid);
	if (q->cls < SYM_ROLE)
		absent_role_docs(z, has_uid, has_openid);
}

static int has_data(const char *op)
{
	return op && (strcmp(op, "create") == 0 || strcmp(op, "update") == 0);
}

static Z3_ast goal_holds(struct z3enc *z, const struct z3enc_val *x,
			 enum sym_want want, int identity_absent)
{
	Z3_ast t = truthy(z, x), r;

	if (want == SYM_WANT_ALLOW)
		r = t_and(z, t_not(z, x->err), t);
	else if (want == SYM_WANT_FALSE)
		r = t_and(z, t_not(z, x->err), t_not(z, t));
	else if (want == SYM_WANT_ERROR)
		r = x->err;
	else
		r = t_or(z, x->err, t_not(z, t));
	return identity_absent ? r : t_and(z, t_not(z, x->out), r);
}

/* ---- models as requests ---------------------------------------------------------- */

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

static cJSON *string_json(struct z3enc *z, Z3_model m, Z3_ast s)
{
	unsigned len = 0;
	Z3_string p;
	char *copy;
	cJSON *r;

	s = eval(z, m, s);
	if (!Z3_is_string(z->c, s))
		return cJSON_CreateString("?");
	p = Z3_get_lstring(z->c, s, &len);
	copy = malloc((size_t)len + 1);
	if (!copy)
		abort();
	if (p)
		memcpy(copy, p, len);
	copy[p ? len : 0] = '\0';
	r = cJSON_CreateString(copy);
	free(copy);
	return r;
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
	cJSON *key;
	size_t i;

	for (i = 0; i < z->nkeys; i++) {
		if (z->keys[i].slot != s ||
		    !eval_true(z, m, Z3_mk_app(z->c, s->has, 1,
					       &z->keys[i].key)))
			continue;
		key = string_json(z, m, z->keys[i].key);
		if (cJSON_IsString(key) &&
		    !cJSON_GetObjectItemCaseSensitive(obj, key->valuestring))
			cJSON_AddNullToObject(obj, key->valuestring);
		cJSON_Delete(key);
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

static void add_get(struct z3enc *z, Z3_model m, struct z3enc_witness *w,
		    struct z3enc_slot *s)
{
	cJSON *path = string_json(z, m, s->path);
	size_t i;

	for (i = 0; i < w->ngets; i++)
		if (strcmp(w->gets[i].path, path->valuestring) == 0)
			break;
	if (i == w->ngets) {
		w->gets = realloc(w->gets, (w->ngets + 1) * sizeof(*w->gets));
		if (!w->gets || !(w->gets[i].path = strdup(path->valuestring)))
			abort();
		w->gets[i].doc = eval_true(z, m, s->absent) ?
					 cJSON_CreateNull() :
					 object_json(z, m, s);
		w->ngets++;
	}
	cJSON_Delete(path);
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

const char *z3enc_model_text(struct z3enc *z)
{
	return z->model_text ? z->model_text : "";
}

/* ---- questions -------------------------------------------------------------------- */

static void keep_model(struct z3enc *z, Z3_model m)
{
	free(z->model_text);
	z->model_text = strdup(Z3_model_to_string(z->c, m));
}

enum z3enc_result z3enc_ask(struct z3enc *z, const struct z3enc_question *q,
			    struct z3enc_witness *w)
{
	struct z3enc_val goals[8];
	enum z3enc_result r;
	Z3_lbool sat;
	Z3_model m;
	size_t i;

	if (z->unsupported || q->ngoals > 8)
		return Z3ENC_UNSUPPORTED;
	for (i = 0; i < q->ngoals; i++)
		goals[i] = enc(z, q->goals[i].expr, has_data(q->goals[i].op));
	if (z->unsupported)
		return Z3ENC_UNSUPPORTED;
	if (z->nslots != z->nslots_final)
		finalize(z);
	Z3_solver_push(z->c, z->s);
	assert_class(z, q);
	for (i = 0; i < q->ngoals; i++)
		t_assert(z, goal_holds(z, &goals[i], q->goals[i].want,
				       q->identity_absent));
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
