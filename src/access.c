/* The symbolic checks.  Each check is a handful of questions put to the
 * engine about one rule object: which class an operation admits, whether
 * a write reaches further than the read, whether a sub-expression matters.
 * Every finding that claims access carries the engine's witness. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "memo.h"

static const char *const database_ops[] = {"read", "create", "update",
					   "delete"};
static const char *const storage_ops[] = {"read", "write"};
static const char *const function_ops[] = {"invoke"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_OPS 4
#define MAX_ORIGINS 64	/* findings of one object that can be kept */

static const char *const class_names[] = {
	"public", "anonymous", "any-user", "role", "owner", "nobody", "unknown"
};

const char *access_class_name(enum access_class cls)
{
	return class_names[cls];
}

/* One rule object under examination. */
struct ctx {
	struct diag_list *d;
	const struct rule_file *rf;
	const struct access_options *opt;
	const struct access_summary *summary;
	const struct rule_object *obj;
	const char *const *ops;
	size_t nops;
	const struct rule_value *effective[MAX_OPS]; /* of each operation */
	enum access_class widest[MAX_OPS];
	struct sym_witness witness[MAX_OPS];
	int text_witness;	/* witnesses are only printed: their text
				   is enough (sym_query.text_only) */
	const struct rule_value *current;	/* the value being asked about */
	const struct rule_value *unknown[16];	/* undecided values */
	size_t nunknown;
	unsigned long undecided;	/* questions answered unknown */
	int failed;
	unsigned long long work, work_limit;	/* over the whole file */
	/* The object's findings, as a verdict to keep: where each points,
	 * the work since the object began, the most work any question
	 * needed left, and whether the verdict depends on more than the
	 * object and the options (a question got less than its budget). */
	struct origin *origins;
	size_t norigins;
	/* The rules of the object in hand as questions hold them: their
	 * memo keys and sizes, worked out once. */
	struct tree {
		const struct ast_node *ast;
		const char *key;
		char *own;	/* KEY when the memo keeps no copy */
		size_t len;
		unsigned long long size;
	} trees[16];
	size_t ntrees;
	unsigned long long object_work, headroom;
	int uncacheable;
	int result;	/* kept with a verdict besides its findings */
};

struct origin;

static void ctx_init(struct ctx *c, const struct access_options *opt)
{
	unsigned long budget = opt->budget ? opt->budget : SYM_BUDGET_DEFAULT;

	memset(c, 0, sizeof(*c));
	c->opt = opt;
	c->text_witness = !opt->dump;
	c->work_limit = (unsigned long long)budget * ACCESS_FILE_WORK;
}

/* ---- asking the engine ------------------------------------------------ */

static const char *const want_names[] = {"allow", "deny", "false",
					 "error"};
static const char *const result_names[] = {"unsat", "sat", "unknown",
					   "failed"};

static void dump_query(FILE *out, const char *what, const struct sym_query *q,
		       enum sym_result r, const struct sym_witness *w)
{
	size_t i;
	char *text;
	cJSON *j;

	fprintf(out, "query %s: class %s, %s callers:", what,
		sym_class_name(q->cls), q->identity_absent ?
		"any" : "identified");
	for (i = 0; i < q->ngoals; i++)
		fprintf(out, " %s %s%s", q->goals[i].op,
			want_names[q->goals[i].want],
			q->goals[i].expr ? "" : " (literal)");
	fprintf(out, " -> %s (%lu evaluations)", result_names[r],
		w ? w->evaluations : 0ul);
	if (r == SYM_SAT && w) {
		j = sym_witness_json(w, q->kind);
		text = cJSON_PrintUnformatted(j);
		fprintf(out, "\n  witness %s", text);
		free(text);
		cJSON_Delete(j);
	}
	fputc('\n', out);
}

/* Put Q to the engine, under the project's platforms and budget. */
void access_limit_query(const struct access_options *opt, struct sym_query *q)
{
	q->budget = opt->budget;
	if (opt->callers)
		q->callers = (q->callers ? q->callers : SYM_CALLERS_ALL) &
			     (opt->callers | SYM_CALLER_BIT(SYM_CALLER_NONE));
}

static unsigned long long tree_size(const struct ast_node *n)
{
	unsigned long long size = 1;
	size_t i;

	if (!n)
		return 0;
	size += tree_size(n->a) + tree_size(n->b) + tree_size(n->c);
	for (i = 0; i < n->nlist; i++)
		size += tree_size(n->list[i]);
	return size;
}

/* The budget of Q: the per-question budget, or less when the file's work
 * is nearly spent.  Work counts each evaluation by the size of the goals'
 * trees, so that the whole file is bounded in time however many and long
 * its rules are; *COST receives the weight of one evaluation. */
/* What ask() knows of the goal expression E: when E is a rule of the
 * object in hand, its key and size; else NULL. */
/* The kept keys of the trees of recent texts, on each thread: a text's
 * tree, and so its key, is the same in every file that holds the text.
 * A long text is known by the address of its kept copy, which stays the
 * same for the whole run; a short one, which has none, by its bytes. */
#define TREES_SEEN 256

static _Thread_local struct tree_seen {
	const char *kept;		/* the text's kept copy, or NULL */
	char text[MEMO_INTERN_MIN + 1]; /* else the text */
	size_t text_len;
	const char *key; /* the tree's key, a kept copy; NULL: none */
	size_t len;
	unsigned long long size;
} trees_seen[TREES_SEEN];

/* The slot of TEXT, of LEN bytes, whose kept copy is KEPT (NULL: none),
 * and whether it holds that text. */
static struct tree_seen *tree_slot(const char *kept, const char *text,
				   size_t len, int *hit)
{
	struct tree_seen *seen;
	uint64_t h = 0xcbf29ce484222325u;
	size_t i;

	if (kept) {
		seen = &trees_seen[((uintptr_t)kept >> 4) % TREES_SEEN];
		*hit = seen->key && seen->kept == kept;
		return seen;
	}
	*hit = 0;
	if (len > MEMO_INTERN_MIN)
		return NULL; /* the memo keeps no more texts */
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)text[i]) * 0x100000001b3u;
	seen = &trees_seen[(h ^ h >> 32) % TREES_SEEN];
	*hit = seen->key && !seen->kept && seen->text_len == len &&
	       memcmp(seen->text, text, len) == 0;
	return seen;
}

/* Fill in T for the tree E compiled from TEXT, of LEN bytes, whose kept
 * copy is KEPT (NULL: none): its key, kept when the memo keeps it, and
 * its size. */
static void tree_of_text(struct tree *t, const struct ast_node *e,
			 const char *kept, const char *text, size_t len)
{
	struct tree_seen *seen;
	struct memo_key k;
	int hit;

	t->ast = e;
	t->own = NULL;
	seen = tree_slot(kept, text, len, &hit);
	if (seen && hit) {
		t->key = seen->key;
		t->len = seen->len;
		t->size = seen->size;
		return;
	}
	memo_key_init(&k);
	memo_tree_key(&k, e);
	t->key = NULL;
	t->len = 0;
	if (!k.full) {
		/* Interned as memo_key_bytes would intern it at every
		 * question, unless the memo keeps no more texts. */
		t->key = k.len > MEMO_INTERN_MIN ? memo_intern(k.buf, k.len) :
						   NULL;
		if (!t->key) {
			t->own = malloc(k.len ? k.len : 1);
			if (!t->own)
				abort();
			memcpy(t->own, k.buf, k.len);
			t->key = t->own;
		}
		t->len = k.len;
	}
	t->size = tree_size(e);
	if (seen && t->key && !t->own) {
		seen->kept = kept;
		if (!kept) {
			memcpy(seen->text, text, len);
			seen->text_len = len;
		}
		seen->key = t->key;
		seen->len = t->len;
		seen->size = t->size;
	}
}

static const struct tree *known_tree(struct ctx *c, const struct ast_node *e)
{
	const struct rule_value *v;
	struct tree *t;
	size_t i;

	if (!e || !c->obj)
		return NULL;
	for (i = 0; i < c->ntrees; i++)
		if (c->trees[i].ast == e)
			return &c->trees[i];
	for (i = 0; i < c->obj->nvalues && c->obj->values[i].ast != e; i++)
		;
	if (i == c->obj->nvalues || c->ntrees == COUNT(c->trees))
		return NULL;
	v = &c->obj->values[i];
	t = &c->trees[c->ntrees++];
	tree_of_text(t, e, v->kept, v->member->value->str.text,
		     v->member->value->str.len);
	return t;
}

/* Forget the trees of the object in hand, which is done with. */
static void forget_trees(struct ctx *c)
{
	while (c->ntrees)
		free(c->trees[--c->ntrees].own);
}

static unsigned long question_budget(const struct ctx *c,
				     const struct sym_query *q,
				     unsigned long long *cost)
{
	unsigned long budget = c->opt->budget ? c->opt->budget :
			       SYM_BUDGET_DEFAULT;
	unsigned long long left = 0;
	size_t i, j;

	*cost = 1;
	for (i = 0; i < q->ngoals; i++) {
		for (j = 0; j < c->ntrees &&
			    c->trees[j].ast != q->goals[i].expr; j++)
			;
		*cost += j < c->ntrees ? c->trees[j].size :
					 tree_size(q->goals[i].expr);
	}
	if (c->work < c->work_limit)
		left = (c->work_limit - c->work) / *cost;
	return left < budget ? (unsigned long)left : budget;
}

/* Remember that a question about V was left undecided. */
static void note_unknown(struct ctx *c, const struct rule_value *v)
{
	size_t i;

	if (!v || c->nunknown == COUNT(c->unknown))
		return;
	for (i = 0; i < c->nunknown && c->unknown[i] != v; i++)
		;
	if (i == c->nunknown)
		c->unknown[c->nunknown++] = v;
}

/* Put Q to the engine, under the project's platforms and budget; when
 * the file's work is spent, Q is answered unknown unasked. */
static enum sym_result ask(struct ctx *c, const char *what,
			   struct sym_query *q, struct sym_witness *w)
{
	struct sym_witness local, *out = w ? w : &local;
	unsigned long full = c->opt->budget ? c->opt->budget :
			     SYM_BUDGET_DEFAULT;
	const struct sym_goal *asked = q->goals;
	struct sym_goal goals[4];
	unsigned long long cost;
	enum sym_result r = SYM_UNKNOWN;
	size_t i;

	if (q->ngoals <= COUNT(goals)) {
		for (i = 0; i < q->ngoals; i++) {
			const struct tree *t = known_tree(c, asked[i].expr);

			goals[i] = asked[i];
			if (t && t->key) {
				goals[i].key = t->key;
				goals[i].key_len = t->len;
				goals[i].key_kept = !t->own;
			}
		}
		q->goals = goals;
	}
	q->kind = c->obj->kind;
	q->text_only = c->text_witness;
	access_limit_query(c->opt, q);
	q->budget = question_budget(c, q, &cost);
	if (q->budget < full)
		c->uncacheable = 1;
	else if (c->work - c->object_work + cost * full > c->headroom)
		c->headroom = c->work - c->object_work + cost * full;
	memset(out, 0, sizeof(*out));
	if (q->budget)
		r = sym_solve(q, out);
	c->work += out->evaluations * cost;
	if (c->opt->dump)
		dump_query(c->opt->dump, what, q, r, w ? w : &local);
	if (!w && r == SYM_SAT)
		sym_witness_free(&local);
	if (r == SYM_FAILED)
		c->failed = 1;
	if (r == SYM_UNKNOWN) {
		c->undecided++;
		note_unknown(c, c->current);
	}
	q->goals = asked;
	return r;
}

int access_goal(const struct rule_object *obj, const char *op,
		struct sym_goal *g)
{
	const struct rule_value *v = rules_effective(obj, op);

	memset(g, 0, sizeof(*g));
	g->op = op;
	g->want = SYM_WANT_ALLOW;
	if (!v)
		return 1;
	switch (v->member->value->type) {
	case JSON_TRUE:
		g->literal = 1;
		return 1;
	case JSON_FALSE:
		return 1;
	default:
		g->expr = v->ast;
		return v->ast != NULL;
	}
}

static enum access_class widest(struct ctx *c, const char *op,
				struct sym_witness *w)
{
	struct sym_goal g;
	struct sym_query q;
	char what[300];
	int cls;

	memset(w, 0, sizeof(*w));
	c->current = rules_effective(c->obj, op);
	if (!access_goal(c->obj, op, &g))
		return ACCESS_UNKNOWN;
	if (!g.expr && !g.literal)
		return ACCESS_NOBODY;
	if (c->opt->dump) /* the label of the question's dump */
		snprintf(what, sizeof(what), "%s %s", c->obj->pointer[0] ?
			 c->obj->pointer : "/", op);
	else
		what[0] = '\0';
	for (cls = SYM_PUBLIC; cls < SYM_CLASS_COUNT; cls++) {
		enum sym_result r;

		memset(&q, 0, sizeof(q));
		q.cls = (enum sym_class)cls;
		q.goals = &g;
		q.ngoals = 1;
		r = ask(c, what, &q, w);
		if (r == SYM_SAT)
			return (enum access_class)cls;
		if (r != SYM_UNSAT)
			return ACCESS_UNKNOWN;
	}
	return ACCESS_NOBODY;
}

void access_ops(enum rule_kind kind, const char *const **ops, size_t *n)
{
	if (kind == RULE_KIND_STORAGE) {
		*ops = storage_ops;
		*n = COUNT(storage_ops);
	} else if (kind == RULE_KIND_FUNCTION) {
		*ops = function_ops;
		*n = COUNT(function_ops);
	} else {
		*ops = database_ops;
		*n = COUNT(database_ops);
	}
}

enum access_class access_widest(const struct rule_object *obj,
				const char *op,
				const struct access_options *opt,
				struct sym_witness *w)
{
	struct ctx c;
	struct sym_witness local;
	enum access_class cls;

	ctx_init(&c, opt);
	c.text_witness = 0; /* the caller reads the witness itself */
	c.obj = obj;
	cls = widest(&c, op, w ? w : &local);
	forget_trees(&c);
	if (!w && cls < ACCESS_NOBODY)
		sym_witness_free(&local);
	return cls;
}

/* ---- reporting -------------------------------------------------------- */

/* Where a finding points: part of a value's expression, or its key.
 * Kept with the finding so that a replayed verdict finds its place in
 * another file. */
struct origin {
	size_t finding;		/* index in the file's list */
	size_t value;		/* index in the object's values */
	int key;		/* the member's key rather than its value */
	size_t start, end;	/* within the expression's text */
};

static struct finding *report_at(struct ctx *c, enum check_id check,
				 const struct rule_value *v, int key,
				 size_t start, size_t end, const char *op,
				 const char *fmt, const char *arg)
{
	const struct json_member *m = v->member;
	struct finding *f;
	size_t rs, re;

	if (key) {
		rs = m->key_span.start;
		re = m->key_span.end;
	} else {
		rules_raw_span(m->value, start, end, &rs, &re);
	}
	f = diag_add(c->d, check, &c->rf->src, rs, re, c->obj->pointer,
		     c->obj->name, op, fmt, arg);
	if (f && c->origins && c->norigins < MAX_ORIGINS) {
		struct origin *o = &c->origins[c->norigins++];

		o->finding = c->d->n - 1;
		o->value = (size_t)(v - c->obj->values);
		o->key = key;
		o->start = start;
		o->end = end;
	} else if (f && c->origins) {
		c->uncacheable = 1;
	}
	return f;
}

/* A finding on the whole of V: its expression inside the string, else
 * the value itself. */
static struct finding *report_value(struct ctx *c, enum check_id check,
				    const struct rule_value *v, const char *op,
				    const char *fmt, const char *arg)
{
	const struct json_node *n = v->member->value;

	return report_at(c, check, v, 0, 0,
			 n->type == JSON_STRING ? n->str.len : 0, op, fmt,
			 arg);
}

static void attach(struct ctx *c, struct finding *f, enum access_class cls,
		   const struct sym_witness *w)
{
	cJSON *j;
	char *text;

	if (!f)
		return;
	f->principal = access_class_name(cls);
	if (!w || (!w->auth && !w->doc && !w->text))
		return;
	if (w->text) {
		f->witness = diag_text(c->d, w->text, strlen(w->text));
		return;
	}
	j = sym_witness_json(w, c->obj->kind);
	text = cJSON_PrintUnformatted(j);
	if (!text)
		abort();
	f->witness = diag_text(c->d, text, strlen(text));
	free(text);
	cJSON_Delete(j);
}

/* Raise the severity of F to at least SEV under the compliance level. */
static void at_level(struct ctx *c, struct finding *f, int level,
		     enum severity sev)
{
	if (f && c->opt->level >= level && f->severity < sev)
		f->severity = sev;
}

/* Is CHECK enabled?  Questions only it would ask are skipped if not. */
static int on(const struct ctx *c, enum check_id check)
{
	return c->d->enabled[check];
}

static int op_index(const struct ctx *c, const char *op)
{
	size_t i;

	for (i = 0; i < c->nops; i++)
		if (strcmp(c->ops[i], op) == 0)
			return (int)i;
	return -1;
}

static int is_write_op(const char *op)
{
	return strcmp(op, "read") != 0;
}

/* ---- trees with a part replaced --------------------------------------- */

/* A copy of N in which each node of DROP is left out of its && or ||
 * (replaced by the other operand) and REPLACE, when set, stands for the
 * node AT. */
static struct ast_node *copy_tree(struct ast_arena *arena,
				  const struct ast_node *n,
				  const struct ast_node *const *drop,
				  size_t ndrop, const struct ast_node *at,
				  struct ast_node *replace)
{
	struct ast_node *c;
	size_t i;

	if (!n)
		return NULL;
	if (n == at)
		return replace;
	if (n->kind == AST_BINARY && (n->op == AST_OP_AND ||
				      n->op == AST_OP_OR)) {
		for (i = 0; i < ndrop; i++) {
			if (drop[i] == n->a)
				return copy_tree(arena, n->b, drop, ndrop, at,
						 replace);
			if (drop[i] == n->b)
				return copy_tree(arena, n->a, drop, ndrop, at,
						 replace);
		}
	}
	c = ast_alloc(arena, sizeof(*c));
	*c = *n;
	c->a = copy_tree(arena, n->a, drop, ndrop, at, replace);
	c->b = copy_tree(arena, n->b, drop, ndrop, at, replace);
	c->c = copy_tree(arena, n->c, drop, ndrop, at, replace);
	if (n->nlist) {
		c->list = ast_alloc(arena, n->nlist * sizeof(*c->list));
		for (i = 0; i < n->nlist; i++)
			c->list[i] = copy_tree(arena, n->list[i], drop, ndrop,
					       at, replace);
	}
	return c;
}

/* ---- the shape of expressions ----------------------------------------- */

static int is_ident(const struct ast_node *n, const char *name)
{
	return n && n->kind == AST_IDENT && strcmp(n->text, name) == 0;
}

/* "uid" or "openid" when N is auth.uid or auth.openid. */
static const char *identity_field(const struct ast_node *n)
{
	if (!n || n->kind != AST_MEMBER || !is_ident(n->a, "auth"))
		return NULL;
	if (strcmp(n->text, "uid") == 0)
		return "uid";
	if (strcmp(n->text, "openid") == 0)
		return "openid";
	return NULL;
}

/* The field F when N is doc.F. */
static const char *doc_field(const struct ast_node *n)
{
	if (!n || n->kind != AST_MEMBER || !is_ident(n->a, "doc"))
		return NULL;
	return n->text;
}

static int is_equality(const struct ast_node *n)
{
	return n->kind == AST_BINARY && (n->op == AST_OP_EQ ||
					 n->op == AST_OP_SEQ);
}

/* A visitor over every node of a tree. */
typedef void (*visit_fn)(struct ctx *c, const struct ast_node *n, void *arg);

static void visit(struct ctx *c, const struct ast_node *n, visit_fn fn,
		  void *arg)
{
	size_t i;

	if (!n)
		return;
	fn(c, n, arg);
	visit(c, n->a, fn, arg);
	visit(c, n->b, fn, arg);
	visit(c, n->c, fn, arg);
	for (i = 0; i < n->nlist; i++)
		visit(c, n->list[i], fn, arg);
}

/* ---- who may read and write ------------------------------------------- */

/* Ask whether class CLS passes goal OP of the object. */
static enum sym_result class_allows(struct ctx *c, const char *op,
				    enum sym_class cls, struct sym_witness *w)
{
	struct sym_goal g;
	struct sym_query q;
	char what[300];

	if (!access_goal(c->obj, op, &g))
		return SYM_UNKNOWN;
	memset(&q, 0, sizeof(q));
	q.cls = cls;
	q.goals = &g;
	q.ngoals = 1;
	if (c->opt->dump) /* the label of the question's dump */
		snprintf(what, sizeof(what), "%s %s", c->obj->pointer[0] ?
			 c->obj->pointer : "/", op);
	else
		what[0] = '\0';
	return ask(c, what, &q, w);
}

static void check_read(struct ctx *c)
{
	const struct rule_value *v = rules_effective(c->obj, "read");
	int i = op_index(c, "read");
	struct sym_witness w;
	struct finding *f;

	if (i < 0 || !v)
		return;
	if (c->widest[i] == ACCESS_PUBLIC) {
		/* a literal true is the platform's "all may read" preset: a
		 * choice, reported only under the level 3 profile */
		if (v->member->value->type == JSON_TRUE && c->opt->level < 3)
			return;
		f = report_value(c, CHECK_PUBLIC_READ, v, "read",
				 "unauthenticated callers may read%s", "");
		attach(c, f, ACCESS_PUBLIC, &c->witness[i]);
		return;
	}
	if (c->widest[i] == ACCESS_ANY_USER) {
		f = report_value(c, CHECK_ANY_USER_READ, v, "read",
				 "any signed-in caller may read documents "
				 "that are not theirs%s", "");
		attach(c, f, ACCESS_ANY_USER, &c->witness[i]);
		at_level(c, f, 3, SEV_WARNING);
		return;
	}
	if (c->widest[i] != ACCESS_ANONYMOUS || !on(c, CHECK_ANY_USER_READ) ||
	    class_allows(c, "read", SYM_ANY_USER, &w) != SYM_SAT)
		return;
	f = report_value(c, CHECK_ANY_USER_READ, v, "read",
			 "any signed-in caller may read documents that are "
			 "not theirs%s", "");
	attach(c, f, ACCESS_ANY_USER, &w);
	at_level(c, f, 3, SEV_WARNING);
	sym_witness_free(&w);
}

/* S after the *LEN bytes of OUT, of SIZE bytes, cut short to fit. */
static void append(char *out, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len >= size)
		return;
	if (n > size - *len - 1)
		n = size - *len - 1;
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
}

/* The write operations governed by V, as "create, update and delete", or
 * "write" when V is the write key governing all of them. */
static void ops_of_value(struct ctx *c, const struct rule_value *v,
			 char *out, size_t size, int *first)
{
	size_t i, n = 0, len = 0;
	int idx[MAX_OPS];

	for (i = 0; i < c->nops; i++)
		if (is_write_op(c->ops[i]) && c->effective[i] == v)
			idx[n++] = (int)i;
	*first = n ? idx[0] : -1;
	out[0] = '\0';
	if (strcmp(v->key, "write") == 0 && n == c->nops - 1) {
		append(out, size, &len, c->nops == 2 ? "write" :
			"create, update and delete");
		return;
	}
	for (i = 0; i < n; i++) {
		append(out, size, &len, i == 0 ? "" : i + 1 == n ? " and " :
			", ");
		append(out, size, &len, c->ops[idx[i]]);
	}
}

/* The narrowest-known widest class among the operations V governs. */
static enum access_class value_class(struct ctx *c, const struct rule_value *v,
				     int *at)
{
	enum access_class best = ACCESS_NOBODY;
	size_t i;

	*at = -1;
	for (i = 0; i < c->nops; i++) {
		if (!is_write_op(c->ops[i]) || c->effective[i] != v)
			continue;
		if (c->widest[i] < best || (*at < 0 &&
					    c->widest[i] == ACCESS_UNKNOWN)) {
			best = c->widest[i];
			*at = (int)i;
		}
	}
	return best;
}

static void check_any_user_write(struct ctx *c, const struct rule_value *v)
{
	static const char *const ops[] = {"update", "delete"};
	struct sym_witness w;
	struct finding *f;
	size_t i;
	int k;

	for (i = 0; i < COUNT(ops); i++) {
		k = op_index(c, ops[i]);
		if (k < 0 || rules_effective(c->obj, ops[i]) != v)
			continue;
		if (c->widest[k] > ACCESS_ANY_USER)
			continue;
		if (class_allows(c, ops[i], SYM_ANY_USER, &w) != SYM_SAT)
			continue;
		f = report_value(c, CHECK_ANY_USER_WRITE, v, ops[i],
				 "any signed-in caller may %s documents that "
				 "are not theirs", ops[i]);
		attach(c, f, ACCESS_ANY_USER, &w);
		sym_witness_free(&w);
	}
}

static void check_write_value(struct ctx *c, const struct rule_value *v)
{
	char ops[64];
	const char *op;
	int first, at;
	enum access_class cls = value_class(c, v, &at);
	struct finding *f;

	ops_of_value(c, v, ops, sizeof(ops), &first);
	if (at < 0)
		return;
	op = strchr(ops, ' ') ? v->key : c->ops[at];
	if (cls == ACCESS_PUBLIC) {
		f = report_value(c, CHECK_PUBLIC_WRITE, v, op,
				 "unauthenticated callers may %s", ops);
		attach(c, f, cls, &c->witness[at]);
		return;
	}
	if (cls == ACCESS_ANONYMOUS) {
		f = report_value(c, CHECK_ANONYMOUS_WRITE, v, op,
				 "anonymous-login callers may %s", ops);
		attach(c, f, cls, &c->witness[at]);
		at_level(c, f, 3, SEV_ERROR);
	}
	if (c->obj->kind == RULE_KIND_DATABASE && on(c, CHECK_ANY_USER_WRITE))
		check_any_user_write(c, v);
}

static void check_writes(struct ctx *c)
{
	const struct rule_value *seen[MAX_OPS];
	size_t i, j, nseen = 0;

	for (i = 0; i < c->nops; i++) {
		const struct rule_value *v = rules_effective(c->obj,
							     c->ops[i]);

		if (!is_write_op(c->ops[i]) || !v)
			continue;
		for (j = 0; j < nseen && seen[j] != v; j++)
			;
		if (j < nseen)
			continue;
		seen[nseen++] = v;
		check_write_value(c, v);
	}
}

static const struct rule_value *own_value(const struct rule_object *obj,
					  const char *key)
{
	size_t i;

	for (i = 0; i < obj->nvalues; i++)
		if (!obj->values[i].member->shadowed &&
		    strcmp(obj->values[i].key, key) == 0)
			return &obj->values[i];
	return NULL;
}

static void check_delete_inherits(struct ctx *c)
{
	const struct rule_value *w = own_value(c->obj, "write");
	int k = op_index(c, "delete");
	struct finding *f;

	if (c->obj->kind != RULE_KIND_DATABASE || k < 0 || !w ||
	    own_value(c->obj, "delete") || c->widest[k] > ACCESS_ANY_USER)
		return;
	f = report_at(c, CHECK_DELETE_INHERITS_WRITE, w, 1, 0, 0, "delete",
		      "delete has no rule of its own and inherits write, "
		      "which admits the %s class",
		      access_class_name(c->widest[k]));
	attach(c, f, c->widest[k], &c->witness[k]);
}

/* ---- writes beyond reads, and owner fields ---------------------------- */

static void check_write_exceeds_read(struct ctx *c)
{
	const struct rule_value *seen[MAX_OPS];
	struct sym_goal g[2];
	struct sym_query q;
	struct sym_witness w;
	struct finding *f;
	size_t i, j, nseen = 0;
	int cls;

	if (op_index(c, "read") < 0 || !on(c, CHECK_WRITE_EXCEEDS_READ))
		return;
	for (i = 0; i < c->nops; i++) {
		const struct rule_value *v = rules_effective(c->obj,
							     c->ops[i]);

		if (!is_write_op(c->ops[i]) || !v || c->widest[i] >=
		    ACCESS_NOBODY || !access_goal(c->obj, c->ops[i], &g[0]) ||
		    !access_goal(c->obj, "read", &g[1]))
			continue;
		for (j = 0; j < nseen && seen[j] != v; j++)
			;
		if (j < nseen)
			continue;
		g[1].want = SYM_WANT_DENY;
		/* No class narrower than the widest the write admits can
		 * write at all: widest() proved each of them unsatisfiable
		 * with this very goal. */
		for (cls = (int)c->widest[i]; cls < SYM_CLASS_COUNT; cls++) {
			memset(&q, 0, sizeof(q));
			q.cls = (enum sym_class)cls;
			q.goals = g;
			q.ngoals = 2;
			if (ask(c, "write-exceeds-read", &q, &w) == SYM_SAT)
				break;
		}
		if (cls == SYM_CLASS_COUNT)
			continue;
		seen[nseen++] = v;
		f = report_value(c, CHECK_WRITE_EXCEEDS_READ, v, c->ops[i],
				 "the %s class may write documents it may not "
				 "read", access_class_name((enum access_class)
							    cls));
		attach(c, f, (enum access_class)cls, &w);
		sym_witness_free(&w);
	}
}

/* An owner field: a document field that some rule compares with the
 * caller's identity, or one the configuration names, whose identity is
 * that of the platforms served (NULL: any identity of the caller). */
struct owner_field {
	const char *field;
	const char *identity;
};

struct owner_fields {
	struct owner_field v[16];
	size_t n;
};

static void add_owner(struct owner_fields *of, const char *field,
		      const char *identity)
{
	size_t i;

	if (!field || strcmp(field, "_openid") == 0 ||
	    strpbrk(field, "'\\\n") || of->n == COUNT(of->v))
		return;
	for (i = 0; i < of->n; i++)
		if (strcmp(of->v[i].field, field) == 0 &&
		    (!identity || strcmp(of->v[i].identity, identity) == 0))
			return;
	of->v[of->n].field = field;
	of->v[of->n++].identity = identity;
}

/* A field the rules compare with an identity. */
static void add_rule_owner(struct owner_fields *of, const char *field,
			   const char *identity)
{
	if (identity)
		add_owner(of, field, identity);
}

static void find_owner(struct ctx *c, const struct ast_node *n, void *arg)
{
	struct owner_fields *of = arg;
	size_t i;

	(void)c;
	if (is_equality(n)) {
		add_rule_owner(of, doc_field(n->a), identity_field(n->b));
		add_rule_owner(of, doc_field(n->b), identity_field(n->a));
	}
	if (n->kind == AST_BINARY && n->op == AST_OP_IN &&
	    n->b->kind == AST_ARRAY)
		for (i = 0; i < n->b->nlist; i++)
			add_rule_owner(of, doc_field(n->b->list[i]),
				       identity_field(n->a));
}

/* The identity an owner field of the configuration holds: the one the
 * platforms served give every signed-in caller, or NULL for both. */
static const char *platform_identity(unsigned callers)
{
	if (callers && !(callers & ~SYM_CALLERS_MINIPROGRAM))
		return "openid";
	if (callers && !(callers & ~SYM_CALLERS_WEB))
		return "uid";
	return NULL;
}

static void owner_fields(struct ctx *c, struct owner_fields *of)
{
	size_t i;

	of->n = 0;
	for (i = 0; i < c->obj->nvalues; i++)
		if (c->obj->values[i].ast &&
		    !c->obj->values[i].member->shadowed)
			visit(c, c->obj->values[i].ast, find_owner, of);
	for (i = 0; i < c->opt->nowner_fields; i++)
		add_owner(of, c->opt->owner_fields[i],
			  platform_identity(c->opt->callers));
}

/* Is there a request OP allows in which the extra condition TEXT holds? */
static enum sym_result allows_with(struct ctx *c, const char *op,
				   const char *text, struct sym_witness *w)
{
	struct ast_arena *arena = NULL;
	size_t len = strlen(text);
	struct expr_error err;
	struct sym_goal g[2];
	struct sym_query q;
	struct tree t = {0};
	enum sym_result r = SYM_UNKNOWN;

	if (!access_goal(c->obj, op, &g[0]) || (!g[0].expr && !g[0].literal))
		goto out;
	g[1] = g[0];
	g[1].literal = 0;
	/* The same few texts serve every owner field of every file. */
	g[1].expr = memo_compiled(text, len, 0);
	if (!g[1].expr) {
		arena = ast_arena_new();
		g[1].expr = arena ? expr_parse(arena, text, len, 0, &err)
				  : NULL;
	}
	if (!g[1].expr)
		goto out;
	if (!arena) { /* a kept tree: its key is made once a text */
		tree_of_text(&t, g[1].expr, memo_intern(text, len), text, len);
		g[1].key = t.key;
		g[1].key_len = t.len;
		g[1].key_kept = t.key && !t.own;
	}
	memset(&q, 0, sizeof(q));
	q.cls = SYM_ANY;
	q.goals = g;
	q.ngoals = 2;
	r = ask(c, text, &q, w);
out:
	free(t.own);
	ast_arena_free(arena);
	return r;
}

static void check_owner_fields(struct ctx *c)
{
	const struct rule_value *create = rules_effective(c->obj, "create");
	const struct rule_value *update = rules_effective(c->obj, "update");
	struct owner_fields of;
	struct sym_witness w;
	struct finding *f;
	char text[256];
	size_t i;

	if (c->obj->kind != RULE_KIND_DATABASE)
		return;
	owner_fields(c, &of);
	for (i = 0; i < of.n; i++) {
		const char *fd = of.v[i].field, *id = of.v[i].identity;

		if (id)
			snprintf(text, sizeof(text), "doc['%s'] != null && "
				 "doc['%s'] != auth.%s", fd, fd, id);
		else
			snprintf(text, sizeof(text), "doc['%s'] != null && "
				 "doc['%s'] != auth.openid && doc['%s'] != "
				 "auth.uid", fd, fd, fd);
		if (create && on(c, CHECK_CREATE_OWNER_UNBOUND) &&
		    allows_with(c, "create", text, &w) == SYM_SAT) {
			f = report_value(c, CHECK_CREATE_OWNER_UNBOUND, create,
					 "create", "create admits a record "
					 "whose owner field '%s' is another "
					 "user's", fd);
			attach(c, f, ACCESS_OWNER, &w);
			at_level(c, f, 3, SEV_ERROR);
			sym_witness_free(&w);
		}
		snprintf(text, sizeof(text), "request.data['%s'] != null && "
			 "request.data['%s'] != doc['%s']", fd, fd, fd);
		if (update && on(c, CHECK_OWNER_REASSIGNABLE) &&
		    allows_with(c, "update", text, &w) == SYM_SAT) {
			f = report_value(c, CHECK_OWNER_REASSIGNABLE, update,
					 "update", "update lets request.data "
					 "change the owner field '%s'", fd);
			attach(c, f, ACCESS_OWNER, &w);
			sym_witness_free(&w);
		}
	}
}

/* ---- identities ------------------------------------------------------- */

/* One question about the rule value V under its first operation. */
static enum sym_result ask_value(struct ctx *c, const struct rule_value *v,
				 const char *op, struct sym_query *q,
				 enum sym_want want, struct sym_witness *w)
{
	struct sym_goal g;
	char what[300];

	memset(&g, 0, sizeof(g));
	g.expr = v->ast;
	g.op = op;
	g.want = want;
	q->goals = &g;
	q->ngoals = 1;
	if (c->opt->dump)
		snprintf(what, sizeof(what), "%s/%s", c->obj->pointer, v->key);
	else
		what[0] = '\0';
	return ask(c, what, q, w);
}

/* The first operation whose effective rule is V. */
static const char *first_op(const struct ctx *c, const struct rule_value *v)
{
	size_t i;

	for (i = 0; i < c->nops; i++)
		if (c->effective[i] == v)
			return c->ops[i];
	return NULL;
}

static void check_null_identity(struct ctx *c, const struct rule_value *v,
				const char *op)
{
	static const struct {
		const char *field;
		enum sym_class cls;
		unsigned callers;
	} lacking[] = {
		{"uid", SYM_ANY_USER, SYM_CALLERS_MINIPROGRAM},
		{"openid", SYM_ANY_USER, SYM_CALLER_BIT(SYM_CALLER_EMAIL) |
					 SYM_CALLER_BIT(SYM_CALLER_CUSTOM)},
		{"openid", SYM_ANONYMOUS,
		 SYM_CALLER_BIT(SYM_CALLER_ANONYMOUS)},
	};
	int found = 0;
	struct sym_query q;
	struct sym_witness w;
	struct finding *f;
	size_t i;

	for (i = 0; i < COUNT(lacking) && !found; i++) {
		memset(&q, 0, sizeof(q));
		q.cls = lacking[i].cls;
		q.callers = lacking[i].callers;
		q.fill_absent = 1;
		if (ask_value(c, v, op, &q, SYM_WANT_ALLOW, NULL) != SYM_UNSAT)
			continue;
		q.fill_absent = 0;
		q.identity_absent = 1;
		if (ask_value(c, v, op, &q, SYM_WANT_ALLOW, &w) != SYM_SAT)
			continue;
		f = report_value(c, CHECK_NULL_IDENTITY_MATCH, v, op,
				 "callers without auth.%s get in only because "
				 "an absent value equals another", lacking[i].field);
		attach(c, f, (enum access_class)lacking[i].cls, &w);
		found = 1;
		sym_witness_free(&w);
	}
}

static void check_platforms(struct ctx *c, const struct rule_value *v,
			    const char *op)
{
	struct sym_query q;
	enum sym_result mini, web;

	if (c->opt->callers)
		return;
	memset(&q, 0, sizeof(q));
	q.cls = SYM_ANY;
	q.identity_absent = 1;
	q.callers = SYM_CALLERS_MINIPROGRAM;
	mini = ask_value(c, v, op, &q, SYM_WANT_ALLOW, NULL);
	q.callers = SYM_CALLERS_WEB;
	web = ask_value(c, v, op, &q, SYM_WANT_ALLOW, NULL);
	if (mini == SYM_UNSAT && web == SYM_SAT)
		report_value(c, CHECK_PLATFORM_MISMATCH, v, op,
			     "the rule never allows mini-program callers%s",
			     ", which have no auth.uid");
	else if (web == SYM_UNSAT && mini == SYM_SAT)
		report_value(c, CHECK_PLATFORM_MISMATCH, v, op,
			     "the rule never allows web callers%s",
			     ", which have no auth.openid unless they use "
			     "a WeChat login");
}

struct literal_scan {
	const struct rule_value *v;
	const char *op;
};

/* A comparison of the caller's identity with a literal that grants
 * access: removing it (making it false) denies some request it allows. */
static void literal_identity(struct ctx *c, const struct ast_node *n,
			     void *arg)
{
	const struct literal_scan *ls = arg;
	struct ast_arena *arena;
	struct ast_node *no, *copy;
	struct sym_goal g[2];
	struct sym_query q;
	struct sym_witness w;
	struct finding *f;
	enum sym_result r;
	size_t i;

	if (!is_equality(n) ||
	    !((identity_field(n->a) && n->b->kind == AST_STRING) ||
	      (identity_field(n->b) && n->a->kind == AST_STRING)))
		return;
	arena = ast_arena_new();
	no = ast_new(arena, AST_BOOL, n->start, n->end);
	copy = copy_tree(arena, ls->v->ast, NULL, 0, n, no);
	for (i = 0, r = SYM_UNSAT; i < c->nops && r != SYM_SAT; i++) {
		if (c->effective[i] != ls->v)
			continue;
		memset(g, 0, sizeof(g));
		g[0].expr = ls->v->ast;
		g[0].op = c->ops[i];
		g[1] = g[0];
		g[1].expr = copy;
		g[1].want = SYM_WANT_DENY;
		memset(&q, 0, sizeof(q));
		q.cls = SYM_ANY;
		q.identity_free = 1;
		q.goals = g;
		q.ngoals = 2;
		r = ask(c, "identity-literal", &q, &w);
	}
	if (r == SYM_SAT) {
		f = report_at(c, CHECK_IDENTITY_LITERAL, ls->v, 0, n->start,
			      n->end, ls->op,
			      "access hinges on the hard-coded identity '%s'",
			      n->a->kind == AST_STRING ? n->a->text :
			      n->b->text);
		attach(c, f, ACCESS_OWNER, &w);
		at_level(c, f, 3, SEV_WARNING);
		sym_witness_free(&w);
	}
	ast_arena_free(arena);
}

/* ---- logic ------------------------------------------------------------ */

/* Is there any request (any caller, any data) on which E, under each
 * operation V governs, gives WANT?  SYM_UNSAT means no operation has one. */
static enum sym_result any_request(struct ctx *c, const struct rule_value *v,
				   const struct ast_node *e, enum sym_want want)
{
	enum sym_result r, all = SYM_UNSAT;
	struct sym_goal g;
	struct sym_query q;
	size_t i;

	for (i = 0; i < c->nops; i++) {
		if (c->effective[i] != v)
			continue;
		memset(&g, 0, sizeof(g));
		g.expr = e;
		g.op = c->ops[i];
		g.want = want;
		memset(&q, 0, sizeof(q));
		q.cls = SYM_ANY;
		q.identity_free = 1;
		q.identity_absent = 1;
		q.goals = &g;
		q.ngoals = 1;
		r = ask(c, "always", &q, NULL);
		if (r == SYM_SAT)
			return r;
		if (r != SYM_UNSAT)
			all = r;
	}
	return all;
}

/* Returns 1 when the value is constant, so that nothing in it can be
 * called redundant. */
static int check_always(struct ctx *c, const struct rule_value *v)
{
	if (v->ast->kind == AST_BOOL)
		return 1;
	if (any_request(c, v, v->ast, SYM_WANT_ALLOW) == SYM_UNSAT) {
		report_value(c, CHECK_ALWAYS_FALSE, v, NULL, "the rule is true "
			     "for no request%s", "");
		return 1;
	}
	if (any_request(c, v, v->ast, SYM_WANT_FALSE) == SYM_UNSAT) {
		report_value(c, CHECK_ALWAYS_TRUE, v, NULL, "the rule is true "
			     "for every request on which it evaluates without "
			     "error%s", "");
		return 1;
	}
	return 0;
}

/* Do E and F give the same outcome (allow, false, or an error) on every
 * request, under every operation?  An error and false both deny, but a
 * guard that turns an error into false is kept: it is not redundant. */
static int equivalent(struct ctx *c, const struct rule_value *v,
		      const struct ast_node *e, const struct ast_node *f)
{
	static const enum sym_want pairs[4][2] = {
		{SYM_WANT_ALLOW, SYM_WANT_DENY},
		{SYM_WANT_DENY, SYM_WANT_ALLOW},
		{SYM_WANT_FALSE, SYM_WANT_ERROR},
		{SYM_WANT_ERROR, SYM_WANT_FALSE},
	};
	struct sym_goal g[2];
	struct sym_query q;
	size_t i;
	int k;

	for (i = 0; i < c->nops; i++) {
		if (c->effective[i] != v)
			continue;
		for (k = 0; k < 4; k++) {
			memset(g, 0, sizeof(g));
			g[0].expr = e;
			g[1].expr = f;
			g[0].op = g[1].op = c->ops[i];
			g[0].want = pairs[k][0];
			g[1].want = pairs[k][1];
			memset(&q, 0, sizeof(q));
			q.cls = SYM_ANY;
			q.identity_free = 1;
			q.identity_absent = 1;
			q.goals = g;
			q.ngoals = 2;
			if (ask(c, "redundant", &q, NULL) != SYM_UNSAT)
				return 0;
		}
	}
	return 1;
}

#define MAX_OPERANDS 64

struct operands {
	const struct ast_node *v[MAX_OPERANDS];
	const struct ast_node *parent[MAX_OPERANDS];
	size_t n;
	int overflow;
};

static void find_operands(struct ctx *c, const struct ast_node *n, void *arg)
{
	struct operands *o = arg;

	(void)c;
	if (n->kind != AST_BINARY || (n->op != AST_OP_AND &&
				      n->op != AST_OP_OR))
		return;
	if (o->n + 2 > MAX_OPERANDS) {
		o->overflow = 1;
		return;
	}
	o->parent[o->n] = n;
	o->v[o->n++] = n->a;
	o->parent[o->n] = n;
	o->v[o->n++] = n->b;
}

static int contains(const struct ast_node *n, const struct ast_node *target)
{
	size_t i;

	if (!n)
		return 0;
	if (n == target)
		return 1;
	if (contains(n->a, target) || contains(n->b, target) ||
	    contains(n->c, target))
		return 1;
	for (i = 0; i < n->nlist; i++)
		if (contains(n->list[i], target))
			return 1;
	return 0;
}

/* Operands of && and || that can go, removed one after another so that
 * what is reported can be removed together. */
static void check_redundant(struct ctx *c, const struct rule_value *v)
{
	struct operands o = {.n = 0};
	const struct ast_node *drop[MAX_OPERANDS];
	struct ast_arena *arena;
	size_t i, j, ndrop = 0;

	visit(c, v->ast, find_operands, &o);
	if (o.overflow)
		return;
	for (i = 0; i < o.n; i++) {
		for (j = 0; j < ndrop; j++)
			if (contains(drop[j], o.v[i]) || drop[j] == o.v[i ^ 1])
				break;
		if (j < ndrop)
			continue;
		arena = ast_arena_new();
		drop[ndrop] = o.v[i];
		if (equivalent(c, v, v->ast, copy_tree(arena, v->ast, drop,
						       ndrop + 1, NULL, NULL))) {
			report_at(c, CHECK_REDUNDANT_CONDITION, v, 0,
				  o.v[i]->start, o.v[i]->end, NULL,
				  "this condition is redundant: removing it "
				  "changes no verdict%s", "");
			ndrop++;
		}
		ast_arena_free(arena);
	}
}

/* ---- roles and functions ---------------------------------------------- */

/* The collection a get() path names, from the literal text it starts
 * with: 'database.roles.' + x, `database.roles.${x}`, 'database.roles.a'. */
static int get_collection(const struct ast_node *arg, char *out, size_t size)
{
	const struct ast_node *first = arg;
	const char *text, *dot;

	while (first->kind == AST_BINARY && first->op == AST_OP_ADD)
		first = first->a;
	if (first->kind == AST_TEMPLATE && first->nlist)
		first = first->list[0];
	if (first->kind != AST_STRING)
		return 0;
	text = first->text;
	if (strncmp(text, "database.", 9) != 0)
		return 0;
	text += 9;
	dot = strchr(text, '.');
	if (!dot || dot == text || (size_t)(dot - text) >= size)
		return 0;
	snprintf(out, size, "%.*s", (int)(dot - text), text);
	return 1;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
}

/* The widest definition of collection NAME beside FILE, else the widest
 * elsewhere in the scan. */
static const struct access_entry *summary_find(const struct access_summary *s,
					       const char *name,
					       const char *file)
{
	const struct access_entry *best = NULL;
	char *dir = dir_of(file);
	size_t i;
	int near = 0, here;

	for (i = 0; s && i < s->n; i++) {
		const struct access_entry *e = &s->v[i];

		if (strcmp(e->name, name) != 0)
			continue;
		here = strcmp(e->dir, dir) == 0;
		if (!best || here > near ||
		    (here == near && e->write < best->write)) {
			best = e;
			near = here;
		}
	}
	free(dir);
	return best;
}

static void role_doc(struct ctx *c, const struct ast_node *n, void *arg)
{
	const struct rule_value *v = arg;
	const struct access_entry *e;
	struct finding *f;
	char name[128];

	if (n->kind != AST_CALL || !is_ident(n->a, "get") || n->nlist != 1 ||
	    !get_collection(n->list[0], name, sizeof(name)))
		return;
	e = summary_find(c->summary, name, c->rf->src.name);
	if (!e || e->write == ACCESS_ROLE || e->write >= ACCESS_NOBODY)
		return;
	f = report_at(c, CHECK_ROLE_DOC_WRITABLE, v, 0, n->start, n->end, NULL,
		      "this rule trusts documents of '%s', which ordinary "
		      "users may write", name);
	if (f)
		f->principal = access_class_name(e->write);
}

static void check_invoke(struct ctx *c)
{
	const struct rule_value *v = rules_effective(c->obj, "invoke");
	struct finding *f;
	int wildcard = c->obj->name && strcmp(c->obj->name, "*") == 0;

	if (!v || c->widest[0] != ACCESS_PUBLIC)
		return;
	f = report_value(c, CHECK_PUBLIC_INVOKE, v, "invoke", wildcard ?
			 "unauthenticated callers may invoke every function "
			 "without a rule of its own%s" :
			 "unauthenticated callers may invoke this function%s",
			 "");
	if (f && !wildcard)
		f->severity = SEV_WARNING < f->severity ? SEV_WARNING :
			      f->severity;
	attach(c, f, ACCESS_PUBLIC, &c->witness[0]);
}

/* ---- per object ------------------------------------------------------- */

static void check_value(struct ctx *c, const struct rule_value *v)
{
	const char *op = first_op(c, v);
	struct literal_scan ls = {v, op};

	if (!op || !v->ast || v->member->shadowed)
		return;
	c->current = v;
	if ((on(c, CHECK_ALWAYS_TRUE) || on(c, CHECK_ALWAYS_FALSE) ||
	     on(c, CHECK_REDUNDANT_CONDITION)) && !check_always(c, v) &&
	    c->obj->kind != RULE_KIND_FUNCTION &&
	    on(c, CHECK_REDUNDANT_CONDITION))
		check_redundant(c, v);
	if (c->obj->kind != RULE_KIND_FUNCTION) {
		if (on(c, CHECK_NULL_IDENTITY_MATCH))
			check_null_identity(c, v, op);
		if (on(c, CHECK_PLATFORM_MISMATCH))
			check_platforms(c, v, op);
		if (on(c, CHECK_IDENTITY_LITERAL))
			visit(c, v->ast, literal_identity, &ls);
	}
}

static void report_unknown(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->nunknown; i++)
		report_value(c, CHECK_ANALYSIS_INCOMPLETE, c->unknown[i], NULL,
			     "the engine could not decide every question about "
			     "this rule within its budget; nothing is claimed "
			     "where it gave up%s", "");
}

/* OBJ is the object in hand, with its operations and the value that
 * decides each, which the checks ask for again and again. */
static void set_object(struct ctx *c, const struct rule_object *obj)
{
	size_t i;

	c->obj = obj;
	access_ops(obj->kind, &c->ops, &c->nops);
	for (i = 0; i < c->nops; i++)
		c->effective[i] = rules_effective(obj, c->ops[i]);
}

static void start_object(struct ctx *c, const struct rule_object *obj)
{
	size_t i;

	set_object(c, obj);
	c->nunknown = 0;
	for (i = 0; i < c->nops; i++)
		c->widest[i] = widest(c, c->ops[i], &c->witness[i]);
}

static void end_object(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->nops; i++)
		sym_witness_free(&c->witness[i]);
}

/* ---- verdicts kept for the run ---------------------------------------
 *
 * The findings of a rule object, and those of each of its values, depend
 * on nothing but their text and the options: an object seen before is
 * reported again from the memo, each finding put in its place through
 * its origin.  A verdict is kept only when every question behind it got
 * its whole budget; the work it needed left is kept with it, so that a
 * file whose work is nearly spent checks it afresh. */

/* A verdict being recorded, and the state of the enclosing one. */
struct recording {
	size_t first;			/* its first origin */
	unsigned long long start, headroom;
	int uncacheable;
	unsigned long undecided;
};

/* What every key starts with: the options, the enabled checks and their
 * severities, the kind of object and TAG, which tells keys of objects
 * from keys of values.  Returns NULL when nothing is to be kept. */
/* Keys are built in K, which the caller has on its stack: 8 KiB from
 * malloc each time cost hundreds of instructions and a merge of the free
 * chunks. */
static struct memo_key *key_start(const struct ctx *c, char tag,
				  struct memo_key *k)
{
	size_t i;

	if (c->opt->dump)
		return NULL;
	memo_key_init(k);
	memo_key_put(k, &tag, 1);
	memo_key_num(k, (unsigned)c->obj->kind);
	memo_key_num(k, (unsigned)c->opt->level);
	memo_key_num(k, c->opt->callers);
	memo_key_num(k, c->opt->budget);
	memo_key_num(k, c->opt->nowner_fields);
	for (i = 0; i < c->opt->nowner_fields; i++)
		memo_key_text(k, c->opt->owner_fields[i],
			      strlen(c->opt->owner_fields[i]));
	if (c->d) {
		memo_key_recent(k, (const char *)c->d->enabled,
			       sizeof(c->d->enabled));
		memo_key_recent(k, (const char *)c->d->severity,
			       sizeof(c->d->severity));
	}
	return k;
}

static void key_value(struct memo_key *k, const struct rule_value *v)
{
	const struct json_node *n = v->member->value;

	memo_key_text(k, v->key, strlen(v->key));
	memo_key_num(k, (unsigned)n->type | (unsigned)v->member->shadowed << 8 |
				(unsigned)(v->ast != NULL) << 9);
	if (n->type == JSON_STRING)
		memo_key_bytes(k, n->str.text, n->str.len, v->kept);
}

/* The key of the object in hand, under TAG: whether it is the wildcard
 * function, and every value. */
static struct memo_key *object_key(const struct ctx *c, char tag,
				   struct memo_key *room)
{
	struct memo_key *k = key_start(c, tag, room);
	size_t i;

	if (!k)
		return NULL;
	memo_key_num(k, c->obj->name && strcmp(c->obj->name, "*") == 0);
	memo_key_num(k, c->obj->nvalues);
	for (i = 0; i < c->obj->nvalues; i++)
		key_value(k, &c->obj->values[i]);
	return k;
}

/* The key of the summary of the object in hand: the values deciding
 * its operations OPS, the only ones the summary asks about, so that
 * objects differing elsewhere share it. */
static struct memo_key *summary_key(const struct ctx *c,
				    const char *const *ops, size_t nops,
				    struct memo_key *room)
{
	struct memo_key *k = key_start(c, 's', room);
	const struct rule_value *v;
	size_t i;

	if (!k)
		return NULL;
	for (i = 0; i < nops; i++) {
		v = rules_effective(c->obj, ops[i]);
		memo_key_num(k, v != NULL);
		if (v)
			key_value(k, v);
	}
	return k;
}

/* The key of value V: the operations it decides, and itself. */
static struct memo_key *value_key(const struct ctx *c,
				  const struct rule_value *v,
				  struct memo_key *room)
{
	struct memo_key *k = key_start(c, 'v', room);
	unsigned ops = 0;
	size_t i;

	if (!k)
		return NULL;
	for (i = 0; i < c->nops; i++)
		if (c->effective[i] == v)
			ops |= 1u << i;
	memo_key_num(k, ops);
	key_value(k, v);
	return k;
}

static void record_start(struct ctx *c, struct recording *r)
{
	r->first = c->norigins;
	r->start = c->object_work;
	r->headroom = c->headroom;
	r->uncacheable = c->uncacheable;
	r->undecided = c->undecided;
	c->object_work = c->work;
	c->headroom = 0;
	c->uncacheable = 0;
}

/* The work the enclosing verdict needs left grows by what one inside it,
 * begun at START, needed. */
static void need(struct ctx *c, unsigned long long start,
		 unsigned long long headroom)
{
	unsigned long long n = start - c->object_work + headroom;

	if (n > c->headroom)
		c->headroom = n;
}

/* Keep the verdict recorded since R under K, when it may be, and return
 * to the enclosing one. */
static void record_end(struct ctx *c, const struct recording *r,
		       const struct memo_key *k, const struct rule_value *value)
{
	struct memo_finding kept[MAX_ORIGINS];
	unsigned long long start = c->object_work, headroom = c->headroom;
	struct memo_verdict v;
	size_t i;

	if (k && !c->uncacheable && !c->failed) {
		for (i = r->first; i < c->norigins; i++) {
			const struct origin *o = &c->origins[i];
			const struct finding *f = &c->d->v[o->finding];
			struct memo_finding *m = &kept[i - r->first];

			if (value && o->value != (size_t)(value -
							  c->obj->values))
				k = NULL; /* kept only for its own value */

			m->check = f->check;
			m->severity = f->severity;
			m->value = o->value;
			m->key = o->key;
			m->start = o->start;
			m->end = o->end;
			m->operation = f->operation;
			m->principal = f->principal;
			m->message = f->message;
			m->witness = f->witness;
		}
		v.work = c->work - start;
		v.headroom = headroom;
		v.undecided = c->undecided != r->undecided;
		v.result = c->result;
		v.n = c->norigins - r->first;
		v.v = kept;
		if (k)
			memo_verdict_put(k, &v);
	}
	c->object_work = r->start;
	c->headroom = r->headroom;
	c->uncacheable |= r->uncacheable;
	need(c, start, headroom);
}

/* Report the kept verdict V, of value VALUE or of the whole object
 * (VALUE NULL), when the file has the work left that finding it needed.
 * The findings of a value's verdict are all on that value. */
static int replay(struct ctx *c, const struct memo_verdict *v,
		  const struct rule_value *value)
{
	size_t i;

	if (c->work > c->work_limit || v->headroom > c->work_limit - c->work)
		return 0;
	need(c, c->work, v->headroom);
	for (i = 0; i < v->n; i++) {
		const struct memo_finding *m = &v->v[i];
		struct finding *f;

		f = report_at(c, m->check,
			      value ? value : &c->obj->values[m->value],
			      m->key, m->start, m->end, m->operation, "%s",
			      m->message);
		if (!f)
			continue;
		f->severity = m->severity;
		f->principal = m->principal;
		if (m->witness)
			f->witness = diag_text(c->d, m->witness,
					       strlen(m->witness));
	}
	c->work += v->work;
	if (v->undecided) {
		c->undecided++;
		note_unknown(c, value);
	}
	return 1;
}

/* check_value, or its verdict. */
static void check_value_kept(struct ctx *c, const struct rule_value *v)
{
	const struct memo_verdict *kept;
	struct memo_key room, *k;
	struct recording r;

	if (!v->ast || v->member->shadowed || !first_op(c, v))
		return;
	k = value_key(c, v, &room);
	kept = k ? memo_verdict_get(k) : NULL;
	if (!kept || !replay(c, kept, v)) {
		record_start(c, &r);
		check_value(c, v);
		record_end(c, &r, k, v);
	}
}

static void check_object(struct ctx *c, const struct rule_object *obj)
{
	struct origin origins[MAX_ORIGINS];
	const struct memo_verdict *kept;
	struct memo_key room, *k;
	struct recording r;
	size_t i;

	forget_trees(c);
	c->obj = obj;
	c->origins = origins;
	c->norigins = 0;
	k = object_key(c, 'o', &room);
	kept = k ? memo_verdict_get(k) : NULL;
	if (!kept || !replay(c, kept, NULL)) {
		record_start(c, &r);
		start_object(c, obj);
		if (obj->kind == RULE_KIND_FUNCTION) {
			check_invoke(c);
		} else {
			check_read(c);
			check_writes(c);
			check_delete_inherits(c);
			check_write_exceeds_read(c);
			check_owner_fields(c);
		}
		for (i = 0; i < obj->nvalues; i++)
			check_value_kept(c, &obj->values[i]);
		report_unknown(c);
		end_object(c);
		record_end(c, &r, k, NULL);
	}
	c->origins = NULL;
	forget_trees(c);
}

int access_check(struct diag_list *d, const struct rule_file *rf,
		 const struct access_options *opt)
{
	struct ctx c;
	size_t i;

	ctx_init(&c, opt);
	c.d = d;
	c.rf = rf;
	for (i = 0; i < rf->nobjects; i++)
		check_object(&c, &rf->objects[i]);
	return c.failed ? -1 : 0;
}

void access_role_docs(struct diag_list *d, const struct rule_file *rf,
		      const struct access_options *opt,
		      const struct access_summary *summary)
{
	struct ctx c;
	size_t i, j;

	ctx_init(&c, opt);
	c.d = d;
	c.rf = rf;
	c.summary = summary;
	for (i = 0; i < rf->nobjects; i++) {
		set_object(&c, &rf->objects[i]);
		for (j = 0; j < c.obj->nvalues; j++) {
			const struct rule_value *v = &c.obj->values[j];

			if (v->ast && !v->member->shadowed && first_op(&c, v))
				visit(&c, v->ast, role_doc, (void *)v);
		}
	}
}

/* ---- the scan's summary ----------------------------------------------- */

void access_summarize(struct access_summary *s, const struct rule_file *rf,
		      const struct access_options *opt)
{
	static const char *const ops[] = {"create", "update"};
	const struct memo_verdict *kept;
	enum access_class cls, best;
	struct memo_key room, *key;
	struct sym_witness w;
	struct recording r;
	struct ctx c;
	size_t i, k;

	ctx_init(&c, opt);
	for (i = 0; i < rf->nobjects; i++) {
		const struct rule_object *obj = &rf->objects[i];

		if (obj->kind != RULE_KIND_DATABASE || !obj->name)
			continue;
		best = ACCESS_NOBODY;
		forget_trees(&c);
		c.obj = obj;
		key = summary_key(&c, ops, COUNT(ops), &room);
		kept = key ? memo_verdict_get(key) : NULL;
		if (kept && replay(&c, kept, NULL)) {
			best = (enum access_class)kept->result;
		} else {
			record_start(&c, &r);
			for (k = 0; k < COUNT(ops); k++) {
				cls = widest(&c, ops[k], &w);
				if (cls < ACCESS_NOBODY)
					sym_witness_free(&w);
				if (cls < best)
					best = cls;
			}
			c.result = (int)best;
			record_end(&c, &r, key, NULL);
		}
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 16;
			s->v = realloc(s->v, s->cap * sizeof(*s->v));
			if (!s->v)
				abort();
		}
		s->v[s->n].name = strdup(obj->name);
		s->v[s->n].dir = dir_of(rf->src.name);
		s->v[s->n++].write = best;
	}
	forget_trees(&c);
}

void access_summary_free(struct access_summary *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].dir);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}
