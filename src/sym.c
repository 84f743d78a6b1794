/* The symbolic engine.  A query is decided by a depth-first search over
 * requests that are built lazily: the concrete evaluator runs on the
 * partial request, and when it first reads a value the request leaves
 * open (a document field, now, a get() document) the search branches over
 * a finite set of candidate values that covers every outcome of the
 * comparisons the rule makes with it.  Candidates that no comparison can
 * tell apart are merged, so that independent fields cost a sum, not a
 * product.  Every witness is evaluated again before it is returned. */
#include <locale.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "keep.h"
#include "memo.h"
#include "sym.h"

#define SYM_MAX_OPEN 256
#define SYM_MAX_ASSIGNED 512
#define SYM_MAX_GETS 16
#define SYM_MAX_LITERALS 256
#define SYM_MAX_CANDIDATES 512
#define SYM_MAX_OCCURRENCES 1024
#define SYM_PATH_MAX 256
#define ABSENT_STEM "\001absent-"	/* identity values filled in */

/* ---- names ------------------------------------------------------------ */

static const char *const class_names[] = {
	"public", "anonymous", "any-user", "role", "owner"
};

static const char *const caller_names[] = {
	"unauthenticated", "mini-program", "web-wechat-public",
	"web-wechat-open", "web-anonymous", "web-email", "web-custom"
};

const char *sym_class_name(enum sym_class cls)
{
	return class_names[cls];
}

const char *sym_caller_name(enum sym_caller caller)
{
	return caller_names[caller];
}

static const unsigned class_callers[SYM_CLASS_COUNT] = {
	[SYM_PUBLIC] = SYM_CALLER_BIT(SYM_CALLER_NONE),
	[SYM_ANONYMOUS] = SYM_CALLER_BIT(SYM_CALLER_ANONYMOUS),
	[SYM_ANY_USER] = (SYM_CALLERS_WEB &
			  ~SYM_CALLER_BIT(SYM_CALLER_ANONYMOUS)) |
			 SYM_CALLERS_MINIPROGRAM,
	[SYM_ROLE] = (SYM_CALLERS_WEB & ~SYM_CALLER_BIT(SYM_CALLER_ANONYMOUS)) |
		     SYM_CALLERS_MINIPROGRAM,
	[SYM_ANY] = SYM_CALLERS_ALL,
};

/* ---- the state of one search ------------------------------------------ */

/* A syntactic occurrence of a static path (doc.a.b, request.data.x, now)
 * and the node whose value depends on it alone, if there is one. */
struct occurrence {
	char path[SYM_PATH_MAX];
	const struct ast_node *node;
	const struct ast_node *context;	/* NULL: no merging for this path */
	int base;		/* the occurrence is the base of a member */
	int dynamic;		/* a computed key reads any member of path */
	int in_path;		/* only part of a get() path */
};

/* An open object: its members are decided when first read. */
struct open_object {
	cJSON *obj;
	char path[SYM_PATH_MAX];	/* "" when not a static path */
	int identity;		/* the auth object */
};

/* A decision, to be undone on backtracking. */
struct assignment {
	cJSON *obj;		/* NULL for now and get() */
	char *key;
	int absent;		/* decided absent: no member added */
	size_t nopen;		/* open objects before it */
	size_t ngets;
	int now;
};

enum need_kind {
	NEED_NONE,
	NEED_MEMBER,
	NEED_GET,
	NEED_NOW
};

struct need {
	enum need_kind kind;
	cJSON *obj;
	char key[SYM_PATH_MAX];
	const struct ast_node *at;
};

/* The merged candidates of a path, kept for the rest of one search: the
 * classes of a mergeable path depend only on values fixed for it. */
struct merged {
	char path[SYM_PATH_MAX];
	cJSON *v[SYM_MAX_CANDIDATES];
	int absent[SYM_MAX_CANDIDATES];
	size_t n;
};

#define SYM_MAX_MERGED 32

struct search {
	const struct sym_query *q;
	struct spare *spare;	/* the thread's memory, or NULL */
	enum sym_caller caller;
	int unrelated;		/* identity differs from all other values */
	int absent_role_docs;	/* get() documents keyed by identity */
	char uid[64], openid[64];	/* the identity values */

	cJSON *auth, *doc, *data;
	double now;
	int now_set;
	struct sym_get gets[SYM_MAX_GETS];
	size_t ngets;

	struct open_object open[SYM_MAX_OPEN];
	size_t nopen;
	struct assignment trail[SYM_MAX_ASSIGNED];
	size_t ntrail;

	struct eval_hook hook;
	struct need need;
	unsigned reads;		/* identity fields read: 1 uid, 2 openid */

	const struct ast_node *lit_strings[SYM_MAX_LITERALS];
	size_t nlit_strings;
	double lit_numbers[SYM_MAX_LITERALS];
	size_t nlit_numbers;
	const struct ast_node *regexes[32];
	size_t nregexes;
	char *examples[64];	/* strings that regexes match */
	size_t nexamples;

	struct occurrence *occ;
	size_t nocc;
	struct merged *merged;	/* SYM_MAX_MERGED of them */
	size_t nmerged;
	char fresh[32];
	unsigned long evaluations, budget;
	int over_budget;
	int overflow;		/* a fixed table ran out: not decided */
	int identity_order;	/* identities compared by order, or values
				   compared with strings built at run time:
				   a no is then no proof */
	int string_order;	/* two values that may be strings are
				   compared by order */
	int strict;		/* 'in' compares strictly: a string that
				   reads as a number differs from it */
	int loose_number;	/* == or != with a side that is no string:
				   '0' equals false, yet differs from '' */
};

/* ---- static paths and occurrences ------------------------------------- */

static int is_literal(const struct ast_node *n)
{
	return n && (n->kind == AST_STRING || n->kind == AST_NUMBER ||
		     n->kind == AST_BOOL || n->kind == AST_NULL ||
		     n->kind == AST_UNDEFINED);
}

static int append(char *buf, size_t *len, const char *s, size_t n)
{
	if (*len + n + 1 >= SYM_PATH_MAX || memchr(s, '.', n) ||
	    memchr(s, '\0', n) || n == 0)
		return 0;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
	return 1;
}

/* The key of an index node with a literal key, as JavaScript spells it. */
static int literal_key(const struct ast_node *k, char *out, size_t size)
{
	if (k->kind == AST_STRING) {
		if (k->len >= size)
			return 0;
		memcpy(out, k->text, k->len);
		out[k->len] = '\0';
		return 1;
	}
	if (k->kind == AST_NUMBER && k->number >= 0 && k->number < 1e9 &&
	    k->number == floor(k->number)) {
		snprintf(out, size, "%.0f", k->number);
		return 1;
	}
	return 0;
}

/* The static path of N (doc.a.b, request.data.x, resource.path, now,
 * auth.uid) into BUF, or 0 when N is not such a path. */
static int static_path(const struct ast_node *n, char *buf, size_t *len)
{
	char key[SYM_PATH_MAX];

	if (n->kind == AST_IDENT) {
		*len = 0;
		return (strcmp(n->text, "doc") == 0 ||
			strcmp(n->text, "resource") == 0 ||
			strcmp(n->text, "now") == 0 ||
			strcmp(n->text, "auth") == 0) &&
		       append(buf, len, n->text, n->len);
	}
	if (n->kind == AST_CALL && n->nlist == 1 && n->a &&
	    n->a->kind == AST_IDENT && strcmp(n->a->text, "get") == 0) {
		/* every get() document is one path: a field read from any of
		 * them counts as an occurrence of each */
		*len = 0;
		return append(buf, len, "get*", 4);
	}
	if (n->kind == AST_MEMBER && n->a->kind == AST_IDENT &&
	    strcmp(n->a->text, "request") == 0 && strcmp(n->text, "data") == 0) {
		*len = 0;
		return append(buf, len, "request", 7) &&
		       (buf[(*len)++] = '#', append(buf, len, "data", 4));
	}
	if (n->kind == AST_MEMBER)
		return static_path(n->a, buf, len) &&
		       (buf[(*len)++] = '.', append(buf, len, n->text, n->len));
	if (n->kind == AST_INDEX && literal_key(n->b, key, sizeof(key)))
		return static_path(n->a, buf, len) &&
		       (buf[(*len)++] = '.',
			append(buf, len, key, strlen(key)));
	return 0;
}

static int is_comparison(enum ast_op op)
{
	return op == AST_OP_EQ || op == AST_OP_NE || op == AST_OP_SEQ ||
	       op == AST_OP_SNE || op == AST_OP_LT || op == AST_OP_LE ||
	       op == AST_OP_GT || op == AST_OP_GE;
}

/* A value fixed for the whole of one search: a literal, or a field of
 * the caller, whose record is settled before the search starts. */
static int is_fixed(const struct ast_node *n)
{
	return is_literal(n) || (n && n->kind == AST_MEMBER &&
				 n->a->kind == AST_IDENT &&
				 strcmp(n->a->text, "auth") == 0);
}

static int all_fixed(const struct ast_node *arr)
{
	size_t i;

	if (arr->kind != AST_ARRAY)
		return 0;
	for (i = 0; i < arr->nlist; i++)
		if (!is_fixed(arr->list[i]))
			return 0;
	return 1;
}

static int is_regex_test(const struct ast_node *call)
{
	return call->kind == AST_CALL && call->a &&
	       call->a->kind == AST_MEMBER && call->a->a->kind == AST_REGEX &&
	       strcmp(call->a->text, "test") == 0 && call->nlist == 1;
}

/* A, SEP and B into OUT, of SIZE bytes, cut short as snprintf cuts: paths
 * are joined for every member a rule reads, too often for printf. */
static void join(char *out, size_t size, const char *a, const char *sep,
		 const char *b)
{
	const char *part[3] = {a, sep, b};
	size_t len = 0, n, i;

	for (i = 0; i < 3 && len + 1 < size; i++) {
		n = strlen(part[i]);
		if (n > size - 1 - len)
			n = size - 1 - len;
		memcpy(out + len, part[i], n);
		len += n;
	}
	out[len] = '\0';
}

/* The node whose value depends on occurrence N alone, given its parent
 * P: the comparison with a literal, the regular-expression test, or N
 * itself where only its truthiness counts.  NULL when N meets other
 * values (then its candidates are never merged). */
static const struct ast_node *context_of(const struct ast_node *n,
					 const struct ast_node *p, int *base)
{
	*base = 0;
	if (!p || (p->kind == AST_UNARY && p->op == AST_OP_NOT) ||
	    (p->kind == AST_BINARY && (p->op == AST_OP_AND ||
				       p->op == AST_OP_OR)))
		return n;
	if ((p->kind == AST_MEMBER || p->kind == AST_INDEX) && p->a == n) {
		if (p->kind == AST_INDEX || strcmp(p->text, "length") == 0)
			return NULL;
		*base = 1;
		return n;
	}
	if (p->kind == AST_BINARY && is_comparison(p->op) &&
	    is_fixed(p->a == n ? p->b : p->a))
		return p;
	if (p->kind == AST_BINARY && p->op == AST_OP_IN && p->a == n &&
	    all_fixed(p->b))
		return p;
	if (is_regex_test(p) && p->list[0] == n)
		return p;
	return NULL;
}

static void add_occurrence(struct search *s, const struct ast_node *n,
			   const struct ast_node *p, const char *path,
			   int dynamic, int in_path)
{
	struct occurrence *o;

	if (s->nocc == SYM_MAX_OCCURRENCES) {
		s->overflow = 1;
		return;
	}
	o = &s->occ[s->nocc++];
	join(o->path, sizeof(o->path), path, "", "");
	o->node = n;
	o->dynamic = dynamic;
	o->in_path = in_path;
	o->context = dynamic || in_path ? NULL : context_of(n, p, &o->base);
}

static void add_literal(struct search *s, const struct ast_node *n)
{
	if (n->kind == AST_STRING && s->nlit_strings < SYM_MAX_LITERALS)
		s->lit_strings[s->nlit_strings++] = n;
	else if (n->kind == AST_NUMBER && s->nlit_numbers < SYM_MAX_LITERALS)
		s->lit_numbers[s->nlit_numbers++] = n->number;
	else if (n->kind == AST_REGEX && s->nregexes < 32)
		s->regexes[s->nregexes++] = n;
	else if (n->kind == AST_STRING || n->kind == AST_NUMBER ||
		 n->kind == AST_REGEX)
		s->overflow = 1;
}

/* Does N hold the caller's identity (auth.uid, auth.openid), alone or
 * inside a concatenation? */
static int reads_identity(const struct ast_node *n)
{
	if (!n)
		return 0;
	if (n->kind == AST_MEMBER && n->a->kind == AST_IDENT &&
	    strcmp(n->a->text, "auth") == 0)
		return strcmp(n->text, "uid") == 0 ||
		       strcmp(n->text, "openid") == 0;
	if (n->kind == AST_BINARY && n->op == AST_OP_ADD)
		return reads_identity(n->a) || reads_identity(n->b);
	return 0;
}

/* Whether N may evaluate to a string (or to an array or object, whose
 * primitive is one): anything but a literal of another type, now, and
 * arithmetic other than +. */
static int may_be_string(const struct ast_node *n)
{
	if (n->kind == AST_NUMBER || n->kind == AST_BOOL ||
	    n->kind == AST_NULL || n->kind == AST_UNDEFINED)
		return 0;
	if (n->kind == AST_IDENT && strcmp(n->text, "now") == 0)
		return 0;
	if (n->kind == AST_UNARY)
		return 0;
	if (n->kind == AST_BINARY)
		return n->op == AST_OP_ADD || n->op == AST_OP_AND ||
		       n->op == AST_OP_OR;
	return 1;
}

/* A string built from parts at run time, which no candidate spells. */
static int is_built(const struct ast_node *n)
{
	return n->kind == AST_TEMPLATE ||
	       (n->kind == AST_BINARY && n->op == AST_OP_ADD);
}

/* 'k' in OBJ tests a member of OBJ for presence: with a literal key, an
 * occurrence of that member that no candidate merging may rely on;
 * with a computed one, any member. */
static void add_key_test(struct search *s, const struct ast_node *n,
			 const char *path)
{
	char member[2 * SYM_PATH_MAX + 2];

	if (n->a->kind != AST_STRING || strchr(n->a->text, '.') ||
	    n->a->len == 0 || n->a->len != strlen(n->a->text)) {
		add_occurrence(s, n, NULL, path, 1, 0);
		return;
	}
	join(member, sizeof(member), path, ".", n->a->text);
	if (strlen(member) < SYM_PATH_MAX)
		add_occurrence(s, n, n, member, 0, 1);
	else
		add_occurrence(s, n, NULL, path, 1, 0);
}

static int is_get_call(const struct ast_node *n)
{
	return n->kind == AST_CALL && n->nlist == 1 && n->a &&
	       n->a->kind == AST_IDENT && strcmp(n->a->text, "get") == 0;
}

/* Collect literals and occurrences of static paths under N.  IN_PATH is
 * set while N is the argument of get() or a piece of one, built by + or
 * a template: there a value only matters as the text of a path. */
static void scan(struct search *s, const struct ast_node *n,
		 const struct ast_node *parent, int in_path)
{
	char path[SYM_PATH_MAX];
	size_t len = 0, i;
	int pieces;

	if (!n)
		return;
	add_literal(s, n);
	if (n->kind == AST_BINARY && n->op >= AST_OP_LT && n->op <= AST_OP_GE &&
	    (reads_identity(n->a) || reads_identity(n->b)))
		s->identity_order = 1;
	if (n->kind == AST_BINARY && is_comparison(n->op) &&
	    (is_built(n->a) || is_built(n->b)))
		s->identity_order = 1;	/* a value built at run time */
	if (n->kind == AST_BINARY && n->op >= AST_OP_LT && n->op <= AST_OP_GE &&
	    may_be_string(n->a) && may_be_string(n->b))
		s->string_order = 1;
	if (n->kind == AST_BINARY && n->op == AST_OP_IN)
		s->strict = 1;
	if (n->kind == AST_BINARY &&
	    n->op >= AST_OP_EQ && n->op <= AST_OP_SNE &&
	    (!may_be_string(n->a) || !may_be_string(n->b)))
		s->loose_number = 1;
	in_path = in_path && (n->kind == AST_TEMPLATE || (n->kind ==
		  AST_BINARY && n->op == AST_OP_ADD) || n->kind != AST_BINARY);
	if (n->kind != AST_IDENT && static_path(n, path, &len))
		add_occurrence(s, n, parent, path, 0, in_path);
	else if (n->kind == AST_IDENT && strcmp(n->text, "now") == 0)
		add_occurrence(s, n, parent, "now", 0, in_path);
	else if (n->kind == AST_INDEX && static_path(n->a, path, &len))
		add_occurrence(s, n, NULL, path, 1, 0);
	else if (n->kind == AST_BINARY && n->op == AST_OP_IN &&
		 n->b->kind != AST_ARRAY && static_path(n->b, path, &len))
		add_key_test(s, n, path);
	pieces = in_path && (n->kind == AST_TEMPLATE || n->kind == AST_BINARY);
	scan(s, n->a, n, pieces);
	scan(s, n->b, n, pieces);
	scan(s, n->c, n, 0);
	for (i = 0; i < n->nlist; i++)
		scan(s, n->list[i], n, pieces || is_get_call(n));
}

/* ---- open objects, the hook and the trail ----------------------------- */

static struct open_object *find_open(struct search *s, const cJSON *obj)
{
	size_t i;

	for (i = s->nopen; i-- > 0;)
		if (s->open[i].obj == obj)
			return &s->open[i];
	return NULL;
}

static void add_open(struct search *s, cJSON *obj, const char *path)
{
	size_t len = strlen(path);

	if (s->nopen == SYM_MAX_OPEN) {
		s->overflow = 1;	/* the object stays closed: all absent */
		return;
	}
	s->open[s->nopen].obj = obj;
	if (len >= SYM_PATH_MAX)
		len = 0;	/* too long to be a static path */
	memcpy(s->open[s->nopen].path, path, len);
	s->open[s->nopen].path[len] = '\0';
	s->open[s->nopen].identity = 0;
	s->nopen++;
}

/* KEY holds LEN bytes and need not end in a NUL. */
static int decided_absent(const struct search *s, const cJSON *obj,
			  const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < s->ntrail; i++)
		if (s->trail[i].absent && s->trail[i].obj == obj &&
		    strncmp(s->trail[i].key, key, len) == 0 &&
		    s->trail[i].key[len] == '\0')
			return 1;
	return 0;
}

/* A member named by the identity is absent where the identity is
 * unrelated, and one named by a probe value is absent everywhere:
 * nothing else holds those values, not even as a key. */
static int identity_key(const struct search *s, const char *key,
			size_t len)
{
	char k[SYM_PATH_MAX];

	memcpy(k, key, len);
	k[len] = '\0';
	return strstr(k, ABSENT_STEM) ||
	       (s->unrelated && ((s->uid[0] && strstr(k, s->uid)) ||
				 (s->openid[0] && strstr(k, s->openid))));
}

static int hook_missing(void *ctx, const cJSON *obj, const char *key,
			size_t len, const struct ast_node *at)
{
	struct search *s = ctx;
	struct need *nd = &s->need;

	if (key && (len >= SYM_PATH_MAX || memchr(key, '\0', len)))
		return 0;
	if (obj && obj == s->auth)
		return 0;
	if (obj && key && identity_key(s, key, len))
		return 0;
	if (obj && (!find_open(s, obj) || decided_absent(s, obj, key, len)))
		return 0;
	if (s->ntrail == SYM_MAX_ASSIGNED ||
	    (!obj && key && s->ngets == SYM_MAX_GETS)) {
		s->overflow = 1;
		return 0;
	}
	nd->kind = obj ? NEED_MEMBER : key ? NEED_GET : NEED_NOW;
	nd->obj = (cJSON *)obj;
	nd->at = at;
	if (key)
		memcpy(nd->key, key, len);
	nd->key[key ? len : 0] = '\0';
	return 1;
}

static void undo(struct search *s)
{
	struct assignment *a = &s->trail[--s->ntrail];

	if (a->obj && !a->absent)
		cJSON_Delete(cJSON_DetachItemFromObjectCaseSensitive(a->obj,
								     a->key));
	while (s->ngets > a->ngets) {
		s->ngets--;
		free(s->gets[s->ngets].path);
		cJSON_Delete(s->gets[s->ngets].doc);
	}
	if (a->now)
		s->now_set = 0;
	s->nopen = a->nopen;
	free(a->key);
}

static struct assignment *push(struct search *s)
{
	struct assignment *a = &s->trail[s->ntrail++];

	memset(a, 0, sizeof(*a));
	a->nopen = s->nopen;
	a->ngets = s->ngets;
	return a;
}

/* Decide the need with value V (NULL: absent), which the request takes
 * over. */
static void apply(struct search *s, cJSON *v)
{
	const struct need *nd = &s->need;
	struct assignment *a = push(s);
	char path[2 * SYM_PATH_MAX + 2];
	const struct open_object *parent;

	if (nd->kind == NEED_NOW) {
		a->now = 1;
		s->now = v->valuedouble;
		s->now_set = 1;
		cJSON_Delete(v);
		return;
	}
	if (nd->kind == NEED_GET) {
		s->gets[s->ngets].path = strdup(nd->key);
		s->gets[s->ngets++].doc = v;
		if (cJSON_IsObject(v))
			add_open(s, v, "get*");
		return;
	}
	a->obj = nd->obj;
	a->key = strdup(nd->key);
	if (!v) {
		a->absent = 1;
		return;
	}
	cJSON_AddItemToObject(nd->obj, nd->key, v);
	parent = find_open(s, nd->obj);
	if (!cJSON_IsObject(v))
		return;
	if (parent && parent->path[0] && !strchr(nd->key, '.'))
		join(path, sizeof(path), parent->path, ".", nd->key);
	else
		path[0] = '\0';
	add_open(s, v, strlen(path) < SYM_PATH_MAX ? path : "");
}

/* ---- candidate values ------------------------------------------------- */

struct pool {
	cJSON *v[SYM_MAX_CANDIDATES];
	int absent[SYM_MAX_CANDIDATES];	/* the candidate "no member" */
	size_t n;
	double nums[SYM_MAX_CANDIDATES];
	size_t nnums;
	const char *strs[SYM_MAX_CANDIDATES];
	size_t nstrs;
	char *own[SYM_MAX_CANDIDATES];	/* strings made for the pool */
	size_t nown;
	struct pool *next;		/* in the thread's spare pools */
};

/* An empty pool.  Only the counts are cleared: every table is read up
 * to its count, and a pool is 36 KiB, too much to clear per choice. */
static void pool_init(struct pool *p)
{
	p->n = 0;
	p->nnums = 0;
	p->nstrs = 0;
	p->nown = 0;
}

static void pool_add(struct search *s, struct pool *p, cJSON *v, int absent)
{
	if (p->n == SYM_MAX_CANDIDATES) {
		s->overflow = 1;
		cJSON_Delete(v);
		return;
	}
	p->absent[p->n] = absent;
	p->v[p->n++] = v;
}

static void add_num(struct pool *p, double d)
{
	size_t i;

	if (!isfinite(d) || p->nnums == SYM_MAX_CANDIDATES)
		return;
	for (i = 0; i < p->nnums; i++)
		if (p->nums[i] == d)
			return;
	p->nums[p->nnums++] = d;
}

static void add_str(struct pool *p, const char *str)
{
	size_t i;

	if (p->nstrs == SYM_MAX_CANDIDATES)
		return;
	for (i = 0; i < p->nstrs; i++)
		if (strcmp(p->strs[i], str) == 0)
			return;
	p->strs[p->nstrs++] = str;
}

/* A string that P keeps until pool_release. */
static void add_owned(struct pool *p, char *str)
{
	size_t n = p->nstrs;

	if (!str)
		abort();
	if (p->nown == SYM_MAX_CANDIDATES) {
		free(str);
		return;
	}
	add_str(p, str);
	if (p->nstrs == n) {
		free(str);
		return;
	}
	p->own[p->nown++] = str;
}

static void pool_release(struct pool *p)
{
	while (p->nown)
		free(p->own[--p->nown]);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A string strictly between A and B (A < B in byte order), or NULL when
 * there is none: after A when A is no prefix of B, else A followed by a
 * character below the one of B that follows A. */
static char *string_between(const char *a, const char *b)
{
	size_t n = strlen(a);
	int prefix = strncmp(a, b, n) == 0;
	unsigned char c = prefix ? (unsigned char)b[n] : 0;
	char *out;

	if (!prefix || c > 0x7f)
		c = '~' + 1;
	else if (c == 1 && b[n + 1] == '\0')
		return NULL;
	else if (c <= 0x21)
		c = 2;
	out = malloc(n + 2);
	if (!out)
		abort();
	memcpy(out, a, n);
	out[n] = (char)(c - 1);
	out[n + 1] = '\0';
	return out;
}

/* Where strings are compared by order, a number spelt with a blank or
 * a zero before it too: the same number, elsewhere in the order. */
static void numeral_spellings(const struct search *s, struct pool *p,
			      const char *text)
{
	size_t len = strlen(text) + 2;
	char *blank, *zero;

	if (!s->string_order)
		return;
	blank = malloc(len);
	if (!blank)
		abort();
	snprintf(blank, len, " %s", text);
	add_owned(p, blank);
	if (text[0] == '-')
		return;
	zero = malloc(len);
	if (!zero)
		abort();
	snprintf(zero, len, "0%s", text);
	add_owned(p, zero);
}

/* Where values are compared by order as strings, strictly, or loosely
 * with a value that is no string, the numbers of P spelt as strings,
 * which equal those numbers loosely but differ from them strictly and
 * as text ('0' == false, yet '0' != ''); where by order, also one string
 * in every gap of the order of P's strings and one above them all, so
 * that every order between a new string and the others, as strings and
 * as numbers, is reachable. */
/* D as "%.15g" writes it when that reads back as D, else as "%.17g":
 * the pool's numbers are mostly small integers, written here without
 * printf, which took a tenth of a search. */
/* D into OUT, of SIZE bytes, when it is an integer that %.15g and %.17g
 * print in full, as they would print it; 0 otherwise. */
static int integer_text(double d, char *out, size_t size)
{
	char digits[24];
	unsigned long long u;
	size_t n = 0, k = 0;

	if (d != floor(d) || fabs(d) >= 1e15 || (d == 0 && signbit(d)) ||
	    size <= sizeof(digits))
		return 0;
	u = (unsigned long long)fabs(d);
	do
		digits[n++] = (char)('0' + u % 10);
	while ((u /= 10));
	if (d < 0)
		out[k++] = '-';
	while (n)
		out[k++] = digits[--n];
	out[k] = '\0';
	return 1;
}

static void number_text(double d, char *out, size_t size)
{
	if (integer_text(d, out, size))
		return;
	snprintf(out, size, "%.15g", d);
	if (strtod(out, NULL) != d)
		snprintf(out, size, "%.17g", d);
}

static void order_gaps(const struct search *s, struct pool *p)
{
	const char *sorted[SYM_MAX_CANDIDATES];
	char text[40];
	size_t i, n;

	for (i = 0, n = p->nnums;
	     (s->string_order || s->strict || s->loose_number) && i < n; i++) {
		number_text(p->nums[i], text, sizeof(text));
		add_owned(p, strdup(text));
		numeral_spellings(s, p, text);
	}
	if (!s->string_order)
		return;
	n = p->nstrs;
	memcpy(sorted, p->strs, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	for (i = 0; i + 1 < n; i++) {
		char *mid = string_between(sorted[i], sorted[i + 1]);

		if (mid)
			add_owned(p, mid);
	}
	if (n) {
		char *top = malloc(strlen(sorted[n - 1]) + 2);

		if (!top)
			abort();
		sprintf(top, "%s~", sorted[n - 1]);
		add_owned(p, top);
	}
}

/* A value filled in for an identity field the caller lacks. */
static int is_probe(const char *str)
{
	return strncmp(str, ABSENT_STEM, strlen(ABSENT_STEM)) == 0;
}

static int is_identity(const struct search *s, const char *str)
{
	return is_probe(str) ||
	       (s->uid[0] && strcmp(str, s->uid) == 0) ||
	       (s->openid[0] && strcmp(str, s->openid) == 0);
}

/* The scalars a request already holds, which a new value may repeat. */
static void collect_scalars(struct search *s, struct pool *p, const cJSON *v)
{
	const cJSON *c;

	if (!v)
		return;
	if (cJSON_IsNumber(v))
		add_num(p, v->valuedouble);
	else if (cJSON_IsString(v) && !is_probe(v->valuestring) &&
		 (!s->unrelated || !is_identity(s, v->valuestring)))
		add_str(p, v->valuestring);
	for (c = v->child; c; c = c->next)
		collect_scalars(s, p, c);
}

/* A string literal that reads as a number compares as that number. */
static void add_numeric_text(struct pool *p, const struct ast_node *lit)
{
	char *end;
	double d;

	if (lit->len == 0 || lit->len > 32)
		return;
	d = strtod(lit->text, &end);
	while (end != lit->text && *end && strchr(" \t\n\r\v\f", *end))
		end++;		/* ToNumber ignores white space around */
	if (end != lit->text && *end == '\0')
		add_num(p, d);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Add the points between the numbers of P and beside each of them, so
 * that any order among them and a new value is reachable. */
static void spread(struct pool *p)
{
	double sorted[SYM_MAX_CANDIDATES];
	size_t i, n = p->nnums;

	memcpy(sorted, p->nums, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	for (i = 0; i + 1 < n; i++)
		add_num(p, sorted[i] + (sorted[i + 1] - sorted[i]) / 2);
	for (i = 0; i < n; i++) {
		add_num(p, sorted[i] - 1);
		add_num(p, sorted[i] + 1);
	}
}

/* Numbers: the literals and those held, each with its neighbours, the
 * points between them and beyond them, so any order is reachable. */
static void number_pool(struct search *s, struct pool *p)
{
	size_t i;

	add_num(p, 0);
	add_num(p, 1);		/* what true and '1' compare as */
	for (i = 0; i < s->nlit_numbers; i++)
		add_num(p, s->lit_numbers[i]);
	for (i = 0; i < s->nlit_strings; i++)
		add_numeric_text(p, s->lit_strings[i]);
	collect_scalars(s, p, s->doc);
	collect_scalars(s, p, s->data);
	for (i = 0; i < s->ngets; i++)
		collect_scalars(s, p, s->gets[i].doc);
	if (s->now_set)
		add_num(p, s->now);
	spread(p);
}

/* A string that is no literal and no value held, for "something else". */
static const char *fresh_string(struct search *s, const struct pool *p)
{
	unsigned k;
	size_t i;

	for (k = (unsigned)s->ntrail;; k++) {
		snprintf(s->fresh, sizeof(s->fresh), "v%u", k);
		for (i = 0; i < p->nstrs; i++)
			if (strcmp(p->strs[i], s->fresh) == 0)
				break;
		if (i == p->nstrs && !is_identity(s, s->fresh))
			return s->fresh;
	}
}

/* The caller's login type, which any value may repeat. */
static void login_type(const struct search *s, struct pool *p)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(s->auth,
							  "loginType");

	if (cJSON_IsString(v))
		add_str(p, v->valuestring);
}

static void string_pool(struct search *s, struct pool *p)
{
	size_t i;

	for (i = 0; i < s->nlit_strings; i++)
		if (!s->unrelated || !is_identity(s, s->lit_strings[i]->text))
			add_str(p, s->lit_strings[i]->text);
	for (i = 0; i < s->nexamples; i++)
		add_str(p, s->examples[i]);
	collect_scalars(s, p, s->doc);
	collect_scalars(s, p, s->data);
	for (i = 0; i < s->ngets; i++)
		collect_scalars(s, p, s->gets[i].doc);
	if (!s->unrelated) {
		if (s->uid[0])
			add_str(p, s->uid);
		if (s->openid[0])
			add_str(p, s->openid);
	}
	add_str(p, fresh_string(s, p));
	add_str(p, "");
	login_type(s, p);
	order_gaps(s, p);
}

static void array_pool(struct search *s, struct pool *p, struct pool *all)
{
	cJSON *every = cJSON_CreateArray();
	size_t i, plain = all->nstrs - all->nown;	/* gaps come last */

	pool_add(s, p, cJSON_CreateArray(), 0);
	for (i = 0; i < plain; i++) {
		cJSON *a = cJSON_CreateArray();

		cJSON_AddItemToArray(a, cJSON_CreateString(all->strs[i]));
		pool_add(s, p, a, 0);
		if (all->strs[i][0])
			cJSON_AddItemToArray(every,
					     cJSON_CreateString(all->strs[i]));
	}
	for (i = 0; i < all->nnums; i++) {
		cJSON *a = cJSON_CreateArray();

		cJSON_AddItemToArray(a, cJSON_CreateNumber(all->nums[i]));
		pool_add(s, p, a, 0);
	}
	pool_add(s, p, every, 0);
}

/* The candidates "no member" and the scalars of SC: its strings, its
 * numbers, null and the booleans, then the strings made for SC (gaps of
 * the order, numerals), so that a witness takes a plain value first. */
static void add_scalars(struct search *s, struct pool *p,
			const struct pool *sc)
{
	size_t i, plain = sc->nstrs - sc->nown;

	pool_add(s, p, NULL, 1);
	for (i = 0; i < plain; i++)
		pool_add(s, p, cJSON_CreateString(sc->strs[i]), 0);
	for (i = 0; i < sc->nnums; i++)
		pool_add(s, p, cJSON_CreateNumber(sc->nums[i]), 0);
	pool_add(s, p, cJSON_CreateNull(), 0);
	pool_add(s, p, cJSON_CreateTrue(), 0);
	pool_add(s, p, cJSON_CreateFalse(), 0);
	for (i = plain; i < sc->nstrs; i++)
		pool_add(s, p, cJSON_CreateString(sc->strs[i]), 0);
}

/* Every candidate for a document field, a get() field or request data. */
static void value_pool(struct search *s, struct pool *p)
{
	struct pool scalars;

	pool_init(&scalars);
	number_pool(s, &scalars);
	string_pool(s, &scalars);
	add_scalars(s, p, &scalars);
	array_pool(s, p, &scalars);
	pool_add(s, p, cJSON_CreateObject(), 0);
	pool_release(&scalars);
}

static void now_pool(struct search *s, struct pool *p)
{
	struct pool nums;
	size_t i;

	pool_init(&nums);
	number_pool(s, &nums);
	for (i = 0; i < nums.nnums; i++)
		pool_add(s, p, cJSON_CreateNumber(nums.nums[i]), 0);
}

/* A get() document keyed by the caller's identity is absent for an
 * ordinary user; any other may be absent or hold anything. */
static void get_pool(struct search *s, struct pool *p)
{
	int keyed = (s->uid[0] && strstr(s->need.key, s->uid)) ||
		    (s->openid[0] && strstr(s->need.key, s->openid)) ||
		    strstr(s->need.key, ABSENT_STEM) ||
		    (s->q->identity_absent && s->caller != SYM_CALLER_NONE &&
		     strstr(s->need.key, "undefined"));

	pool_add(s, p, cJSON_CreateNull(), 0);
	if (!(keyed && s->absent_role_docs))
		pool_add(s, p, cJSON_CreateObject(), 0);
}

/* ---- merging candidates that no comparison tells apart ---------------- */

/* The static path of the value the need asks for, or 0. */
static int need_path(const struct search *s, char *out)
{
	char buf[2 * SYM_PATH_MAX + 2];
	const struct open_object *o;

	if (s->need.kind == NEED_NOW) {
		strcpy(out, "now");
		return 1;
	}
	if (s->need.kind != NEED_MEMBER)
		return 0;
	o = find_open((struct search *)s, s->need.obj);
	if (!o || !o->path[0] || strchr(s->need.key, '.') ||
	    strlen(o->path) + strlen(s->need.key) + 2 > SYM_PATH_MAX)
		return 0;
	join(buf, sizeof(buf), o->path, ".", s->need.key);
	memcpy(out, buf, SYM_PATH_MAX);
	return 1;
}

static int has_prefix(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 && path[n] == '.';
}

/* The number of occurrences of PATH, or 0 when a computed key may read
 * it or one of them fails OK. */
static size_t count_if(const struct search *s, const char *path,
		       int (*ok)(const struct occurrence *))
{
	size_t i, seen = 0;

	for (i = 0; i < s->nocc; i++) {
		const struct occurrence *o = &s->occ[i];

		if (o->dynamic && (strcmp(o->path, path) == 0 ||
				   has_prefix(path, o->path)))
			return 0;
		if (strcmp(o->path, path) != 0)
			continue;
		if (!ok(o))
			return 0;
		seen++;
	}
	return seen;
}

static int alone(const struct occurrence *o)
{
	return o->context != NULL;
}

static int in_get_path(const struct occurrence *o)
{
	return o->in_path;
}

/* Is every occurrence of PATH one whose outcome depends on it alone? */
static int mergeable(const struct search *s, const char *path)
{
	size_t n = count_if(s, path, alone);

	return n > 0 && n <= 64;
}

static int type_class(const cJSON *v)
{
	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsObject(v))
		return 1;
	if (cJSON_IsArray(v))
		return 2;
	if (cJSON_IsString(v))
		return 3;
	return 4;
}

/* The outcome of CONTEXT when its occurrence NODE holds V, for the
 * caller of the search. */
static enum eval_status eval_alone(const cJSON *auth,
				   const struct ast_node *context,
				   const struct ast_node *node,
				   const cJSON *v)
{
	struct eval_request req;

	memset(&req, 0, sizeof(req));
	req.op = "update";
	req.auth = auth;
	req.override = node;
	req.override_value = v;
	return eval_quick(context, &req);
}

/* Drop from P the candidates whose outcomes on every occurrence of PATH
 * equal those of an earlier candidate. */
static void merge(struct search *s, struct pool *p, const char *path)
{
	unsigned char sig[SYM_MAX_CANDIDATES][128];
	const struct occurrence *at[128];
	size_t i, j, k, n = 0, kept = 0;

	/* mergeable() let through at most 64 occurrences of PATH */
	for (j = 0; j < s->nocc && n < sizeof(at) / sizeof(*at); j++)
		if (strcmp(s->occ[j].path, path) == 0)
			at[n++] = &s->occ[j];
	for (i = 0; i < p->n; i++)
		for (k = 0; k < n; k++)
			sig[i][k] = (unsigned char)(at[k]->base ?
				type_class(p->v[i]) :
				(int)eval_alone(s->auth, at[k]->context,
						at[k]->node, p->v[i]));
	for (i = 0; i < p->n; i++) {
		for (j = 0; j < kept; j++)
			if (memcmp(sig[i], sig[j], n) == 0)
				break;
		if (j < kept) {
			cJSON_Delete(p->v[i]);
			continue;
		}
		memcpy(sig[kept], sig[i], n);
		p->absent[kept] = p->absent[i];
		p->v[kept++] = p->v[i];
	}
	p->n = kept;
}

/* ---- the search ------------------------------------------------------- */

static int has_data(const char *op)
{
	return op && (strcmp(op, "create") == 0 || strcmp(op, "update") == 0);
}

static void make_request(const struct search *s, const struct sym_goal *g,
			 struct eval_request *req, int hooked)
{
	int storage = s->q->kind == RULE_KIND_STORAGE;

	memset(req, 0, sizeof(*req));
	req->op = g->op;
	req->auth = s->auth;
	req->doc = storage ? NULL : s->doc;
	req->resource = storage ? s->doc : NULL;
	req->data = has_data(g->op) ? s->data : NULL;
	req->now = s->now;
	req->now_open = hooked && !s->now_set;
	req->gets = (const struct eval_get *)s->gets;
	req->ngets = s->ngets;
	req->hook = hooked ? &s->hook : NULL;
}

static int wanted(enum eval_status st, enum sym_want want)
{
	switch (want) {
	case SYM_WANT_ALLOW:
		return st == EVAL_ST_TRUE;
	case SYM_WANT_DENY:
		return st == EVAL_ST_FALSE || st == EVAL_ST_ERROR;
	case SYM_WANT_ERROR:
		return st == EVAL_ST_ERROR;
	default:
		return st == EVAL_ST_FALSE;
	}
}

/* Run every goal on the request as decided so far: 1 all hold, 0 one
 * fails, -1 suspended on a need. */
static int run_goals(struct search *s, int hooked)
{
	struct eval_request req;
	enum eval_status st;
	size_t i;

	for (i = 0; i < s->q->ngoals; i++) {
		const struct sym_goal *g = &s->q->goals[i];

		if (!g->expr) {
			st = g->literal ? EVAL_ST_TRUE : EVAL_ST_FALSE;
		} else {
			make_request(s, g, &req, hooked);
			s->need.kind = NEED_NONE;
			st = eval_quick(g->expr, &req);
			s->evaluations++;
		}
		if (st == EVAL_ST_SUSPENDED)
			return -1;
		if (!wanted(st, g->want))
			return 0;
	}
	return 1;
}

/* The fields the platform fills in on every record and file: the id,
 * the creator's openid, the uploader's openid. */
static int system_field(const char *path)
{
	return strcmp(path, "doc._openid") == 0 ||
	       strcmp(path, "doc._id") == 0 ||
	       strcmp(path, "resource.openid") == 0;
}

static int creates(const struct search *s)
{
	size_t i;

	for (i = 0; i < s->q->ngoals; i++)
		if (s->q->goals[i].op && strcmp(s->q->goals[i].op, "create") == 0)
			return 1;
	return 0;
}

/* The platform sets doc._openid on create to the creator's openid; for
 * a creator without one it is the platform's choice, the uid among the
 * choices, and never the caller's to make. */
static void system_pool(struct search *s, struct pool *p, const char *path)
{
	struct pool scalars;
	size_t i;
	int creator = strcmp(path, "doc._openid") == 0 && creates(s);

	if (s->openid[0] && creator) {
		pool_add(s, p, cJSON_CreateString(s->openid), 0);
		return;
	}
	if (creator && s->uid[0])
		pool_add(s, p, cJSON_CreateString(s->uid), 0);
	pool_init(&scalars);
	string_pool(s, &scalars);
	for (i = 0; i < scalars.nstrs; i++)
		if (scalars.strs[i][0])
			pool_add(s, p, cJSON_CreateString(scalars.strs[i]), 0);
	number_pool(s, &scalars);	/* ids that compare as numbers */
	for (i = 0; i < scalars.nnums; i++) {
		char text[40];

		if (!integer_text(scalars.nums[i], text, sizeof(text)))
			snprintf(text, sizeof(text), "%.17g", scalars.nums[i]);
		pool_add(s, p, cJSON_CreateString(text), 0);
	}
	pool_release(&scalars);
}

/* Is every occurrence of PATH a piece of a get() path? */
static int path_only(const struct search *s, const char *path)
{
	return count_if(s, path, in_get_path) > 0;
}

/* A value that only names a document matters only as text: absent, or
 * a string equal to one held or spelled elsewhere, or a fresh one. */
static void path_pool(struct search *s, struct pool *p)
{
	struct pool scalars;
	size_t i;

	pool_init(&scalars);
	string_pool(s, &scalars);
	pool_add(s, p, NULL, 1);
	for (i = 0; i < scalars.nstrs; i++)
		pool_add(s, p, cJSON_CreateString(scalars.strs[i]), 0);
	pool_release(&scalars);
}

static int cached_pool(struct search *s, struct pool *p, const char *path)
{
	size_t i, k;

	for (i = 0; i < s->nmerged; i++) {
		const struct merged *m = &s->merged[i];

		if (strcmp(m->path, path) != 0)
			continue;
		for (k = 0; k < m->n; k++) {
			p->absent[k] = m->absent[k];
			p->v[k] = m->v[k] ? cJSON_Duplicate(m->v[k], 1) : NULL;
		}
		p->n = m->n;
		return 1;
	}
	return 0;
}

static void keep_pool(struct search *s, const struct pool *p,
		      const char *path)
{
	struct merged *m;
	size_t k;

	if (s->nmerged == SYM_MAX_MERGED)
		return;
	m = &s->merged[s->nmerged++];
	join(m->path, sizeof(m->path), path, "", "");
	for (k = 0; k < p->n; k++) {
		m->absent[k] = p->absent[k];
		m->v[k] = p->v[k] ? cJSON_Duplicate(p->v[k], 1) : NULL;
	}
	m->n = p->n;
}

static void drop_merged(struct search *s)
{
	size_t i, k;

	for (i = 0; i < s->nmerged; i++)
		for (k = 0; k < s->merged[i].n; k++)
			cJSON_Delete(s->merged[i].v[k]);
	s->nmerged = 0;
}

static void build_pool(struct search *s, struct pool *p, int known,
		       const char *path)
{
	if (s->need.kind == NEED_NOW)
		now_pool(s, p);
	else if (s->need.kind == NEED_GET)
		get_pool(s, p);
	else if (known && system_field(path))
		system_pool(s, p, path);
	else if (known && path_only(s, path))
		path_pool(s, p);
	else
		value_pool(s, p);
}

/* The value of a fixed operand (a literal or a field of the caller) as
 * seen from the pool: strings and numbers join P's scalars. */
static void fixed_value(struct search *s, struct pool *p,
			const struct ast_node *n)
{
	const cJSON *v;

	if (n->kind == AST_STRING) {
		add_str(p, n->text);
		add_numeric_text(p, n);
	} else if (n->kind == AST_NUMBER) {
		add_num(p, n->number);
	} else if (n->kind == AST_MEMBER && s->auth && !s->unrelated) {
		v = cJSON_GetObjectItemCaseSensitive(s->auth, n->text);
		if (cJSON_IsString(v) && !is_probe(v->valuestring))
			add_str(p, v->valuestring);
	} else if (n->kind == AST_MEMBER && s->auth &&
		   strcmp(n->text, "loginType") == 0) {
		v = cJSON_GetObjectItemCaseSensitive(s->auth, n->text);
		if (cJSON_IsString(v))
			add_str(p, v->valuestring);
	}
}

/* The candidates of a path whose every occurrence meets only fixed
 * values: those values, their neighbours, and one of each kind.  Any
 * value outside behaves, in every context of the path, like one inside. */
static void local_pool(struct search *s, struct pool *p, const char *path)
{
	struct pool sc;
	size_t i, k;

	pool_init(&sc);
	add_num(&sc, 0);
	add_num(&sc, 1);
	for (i = 0; i < s->nocc; i++) {
		const struct ast_node *c = s->occ[i].context;

		if (strcmp(s->occ[i].path, path) != 0 || !c ||
		    s->occ[i].base)
			continue;
		if (c->kind == AST_BINARY && c->op == AST_OP_IN &&
		    c->b->kind == AST_ARRAY)
			for (k = 0; k < c->b->nlist; k++)
				fixed_value(s, &sc, c->b->list[k]);
		else if (c->kind == AST_BINARY)
			fixed_value(s, &sc, c->a == s->occ[i].node ? c->b :
				    c->a);
		else if (c->kind == AST_CALL)
			for (k = 0; k < s->nexamples; k++)
				add_str(&sc, s->examples[k]);
	}
	spread(&sc);
	add_str(&sc, fresh_string(s, &sc));
	add_str(&sc, "");
	order_gaps(s, &sc);
	add_scalars(s, p, &sc);
	pool_add(s, p, cJSON_CreateArray(), 0);
	pool_add(s, p, cJSON_CreateObject(), 0);
	pool_release(&sc);
}

static void candidates(struct search *s, struct pool *p)
{
	char path[SYM_PATH_MAX];
	int known = need_path(s, path);

	pool_init(p);
	if (known && mergeable(s, path)) {
		if (cached_pool(s, p, path))
			return;
		if (s->need.kind == NEED_MEMBER && !system_field(path))
			local_pool(s, p, path);
		else
			build_pool(s, p, known, path);
		merge(s, p, path);
		keep_pool(s, p, path);
		return;
	}
	build_pool(s, p, known, path);
}

/* What a thread keeps from one question to the next: the memory of its
 * last search and the pools of its choices.  A pool is 36 KiB and a
 * search over 200 KiB; taken from malloc for every question, they cost
 * more than a small question itself, glibc consolidating its fast bins
 * before each large request. */
#define SYM_SPARE_POOLS 16

struct spare {
	struct search *search;
	struct pool *pools;
	size_t npools;
};

static void spare_release(void *arg)
{
	struct spare *sp = arg;
	struct pool *p;

	if (sp->search) {
		free(sp->search->occ);
		free(sp->search->merged);
		free(sp->search);
	}
	while ((p = sp->pools)) {
		sp->pools = p->next;
		free(p);
	}
}

static struct keep spares = KEEP_INIT(sizeof(struct spare), spare_release);

static struct pool *pool_take(struct search *s)
{
	struct pool *p = s->spare ? s->spare->pools : NULL;

	if (p) {
		s->spare->pools = p->next;
		s->spare->npools--;
		return p;
	}
	p = malloc(sizeof(*p));
	if (!p)
		abort();
	return p;
}

static void pool_give(struct search *s, struct pool *p)
{
	if (!s->spare || s->spare->npools == SYM_SPARE_POOLS) {
		free(p);
		return;
	}
	p->next = s->spare->pools;
	s->spare->pools = p;
	s->spare->npools++;
}

/* 1: a witness is in place; 0: none below this point; -1: undecided. */
static int search(struct search *s)
{
	struct need need;
	struct pool *p;
	size_t i;
	int r = 0, undecided = 0;

	if (s->evaluations >= s->budget) {
		s->over_budget = 1;
		return -1;
	}
	r = run_goals(s, 1);
	if (r >= 0)
		return r;
	need = s->need;
	p = pool_take(s);
	candidates(s, p);
	for (i = 0; i < p->n && r != 1; i++) {
		s->need = need;
		apply(s, p->absent[i] ? NULL : p->v[i]);
		p->v[i] = NULL;
		r = search(s);
		if (r == 1)
			continue;
		undo(s);
		undecided |= r < 0;
		if (s->over_budget)
			break;
	}
	while (i < p->n)
		cJSON_Delete(p->v[i++]);
	pool_give(s, p);
	if (r == 1)
		return 1;
	return undecided ? -1 : 0;
}

/* ---- regular expressions ---------------------------------------------- */

/* A string the pattern of regex literal RE matches, built from its
 * simplest reading: the first alternative, each quantifier at its
 * minimum (once for +), the first member of each class.  The search
 * confirms each example with the evaluator, so a wrong guess only costs
 * completeness, which regex_complete then reports. */
static char *regex_example(const char *pat, int skip_optional)
{
	size_t n = strlen(pat), i, o = 0;
	char *out = malloc(2 * n + 2), last = 'a';
	int depth = 0;

	if (!out)
		abort();
	for (i = 0; i < n; i++) {
		char c = pat[i];

		if (c == '^' || c == '$' || c == '(' || c == ')') {
			depth += c == '(' ? 1 : c == ')' ? -1 : 0;
			if (c == '(' && pat[i + 1] == '?' && pat[i + 2] == ':')
				i += 2;
			continue;
		}
		if (c == '|') {		/* skip the other alternatives */
			int d = 0;

			for (; i + 1 < n; i++) {
				if (pat[i + 1] == '(')
					d++;
				if (pat[i + 1] == ')' && d-- == 0)
					break;
			}
			continue;
		}
		if (c == '*' || c == '?' || (c == '{' && pat[i + 1] == '0')) {
			if (o > 0 && skip_optional)
				o--;
			if (c == '{')
				while (i < n && pat[i] != '}')
					i++;
			continue;
		}
		if (c == '+')
			continue;
		if (c == '{') {
			while (i < n && pat[i] != '}')
				i++;
			continue;
		}
		if (c == '[') {
			i++;
			if (pat[i] == '^') {
				last = '~';
				while (i < n && pat[i] != ']')
					i++;
			} else {
				last = pat[i] == '\\' ? pat[++i] : pat[i];
				while (i < n && pat[i] != ']')
					i++;
			}
		} else if (c == '\\' && i + 1 < n) {
			c = pat[++i];
			last = c == 'd' ? '0' : c == 'w' ? 'a' : c == 's' ? ' ' :
			       c == 'D' || c == 'W' || c == 'S' ? '-' : c;
		} else {
			last = c == '.' ? 'a' : c;
		}
		out[o++] = last;
	}
	out[o] = '\0';
	(void)depth;
	return out;
}

static void add_example(struct search *s, char *ex)
{
	size_t i;

	for (i = 0; i < s->nexamples; i++)
		if (strcmp(s->examples[i], ex) == 0)
			break;
	if (i < s->nexamples || s->nexamples == 64) {
		free(ex);
		return;
	}
	s->examples[s->nexamples++] = ex;
}

/* Two strings beside example EX, which a pattern open at one end also
 * matches: another match where the example is a literal of the rule. */
static void example_variants(struct search *s, const char *ex)
{
	size_t len = strlen(ex) + 2;
	char *after = malloc(len), *before = malloc(len);

	if (!after || !before)
		abort();
	snprintf(after, len, "%sx", ex);
	snprintf(before, len, "x%s", ex);
	add_example(s, after);
	add_example(s, before);
}

static void regex_examples(struct search *s)
{
	size_t i, j, n;

	for (i = 0; i < s->nregexes; i++) {
		add_example(s, regex_example(s->regexes[i]->text, 1));
		add_example(s, regex_example(s->regexes[i]->text, 0));
	}
	n = s->nexamples;
	for (i = 0; i < n; i++)
		example_variants(s, s->examples[i]);
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			size_t len = strlen(s->examples[i]) +
				     strlen(s->examples[j]) + 1;
			char *both;

			if (i == j || !(both = malloc(len)))
				continue;
			snprintf(both, len, "%s%s", s->examples[i],
				 s->examples[j]);
			add_example(s, both);
		}
	}
}

/* Whether values compared by order may hold the identity: any value
 * may in the owner class, and doc._openid does on create. */
static int identity_flows(const struct search *s)
{
	size_t i;

	if (s->q->cls == SYM_ANY && s->reads)
		return 1;
	if (!creates(s))
		return 0;
	for (i = 0; i < s->nocc; i++)
		if (strcmp(s->occ[i].path, "doc._openid") == 0)
			return 1;
	return 0;
}

/* A "no" is a proof only where the candidates met every outcome of every
 * regular-expression test and every comparison of strings by order. */
static int complete(const struct search *s)
{
	size_t i, j;

	/* identities are opaque strings: their order is anyone's */
	if (s->identity_order || (s->string_order && identity_flows(s)))
		return 0;
	/* a string in a gap of the order may match a pattern or not */
	if (s->string_order && s->nregexes)
		return 0;
	for (i = 0; i < s->nregexes; i++) {
		int yes = 0;

		for (j = 0; j < s->nexamples && !yes; j++) {
			struct eval_request req;
			cJSON *res = cJSON_CreateObject();
			struct ast_node call, member, arg;

			memset(&req, 0, sizeof(req));
			memset(&call, 0, sizeof(call));
			memset(&member, 0, sizeof(member));
			memset(&arg, 0, sizeof(arg));
			cJSON_AddStringToObject(res, "p", s->examples[j]);
			req.resource = res;
			arg.kind = AST_STRING;
			arg.text = s->examples[j];
			arg.len = strlen(s->examples[j]);
			member.kind = AST_MEMBER;
			member.a = (struct ast_node *)s->regexes[i];
			member.text = "test";
			member.len = 4;
			call.kind = AST_CALL;
			call.a = &member;
			call.list = (struct ast_node *[]){&arg};
			call.nlist = 1;
			yes = eval_quick(&call, &req) == EVAL_ST_TRUE;
			cJSON_Delete(res);
		}
		if (!yes)
			return 0;
	}
	return 1;
}

/* ---- callers and the query -------------------------------------------- */

static const char *const login_types[SYM_CALLER_COUNT] = {
	[SYM_CALLER_WECHAT_PUBLIC] = "WECHAT_PUBLIC",
	[SYM_CALLER_WECHAT_OPEN] = "WECHAT_OPEN",
	[SYM_CALLER_ANONYMOUS] = "ANONYMOUS",
	[SYM_CALLER_EMAIL] = "EMAIL",
	[SYM_CALLER_CUSTOM] = "CUSTOM",
};

static int is_literal_string(const struct search *s, const char *str)
{
	size_t i;

	for (i = 0; i < s->nlit_strings; i++)
		if (strcmp(s->lit_strings[i]->text, str) == 0)
			return 1;
	return 0;
}

/* An identity value that no literal of the rule spells. */
static void pick_identity(const struct search *s, char *out, size_t size,
			  const char *stem)
{
	unsigned k;

	snprintf(out, size, "%s", stem);
	for (k = 2; is_literal_string(s, out); k++)
		snprintf(out, size, "%s%u", stem, k);
}

static int has_openid(enum sym_caller c)
{
	return c == SYM_CALLER_MINIPROGRAM || c == SYM_CALLER_WECHAT_PUBLIC ||
	       c == SYM_CALLER_WECHAT_OPEN;
}

static void copy_id(char *out, size_t size, const char *id)
{
	size_t n = strnlen(id, size - 1);

	memcpy(out, id, n);
	out[n] = '\0';
}

static cJSON *make_auth(struct search *s, enum sym_caller c,
			const char *uid, const char *openid)
{
	cJSON *auth;

	s->uid[0] = s->openid[0] = '\0';
	if (c == SYM_CALLER_NONE)
		return NULL;
	auth = cJSON_CreateObject();
	if (has_openid(c)) {
		copy_id(s->openid, sizeof(s->openid), openid);
		cJSON_AddStringToObject(auth, "openid", s->openid);
	}
	if (c != SYM_CALLER_MINIPROGRAM) {
		copy_id(s->uid, sizeof(s->uid), uid);
		cJSON_AddStringToObject(auth, "uid", s->uid);
	}
	if (login_types[c])
		cJSON_AddStringToObject(auth, "loginType", login_types[c]);
	return auth;
}

static void reset_request(struct search *s)
{
	while (s->ntrail)
		undo(s);
	cJSON_Delete(s->auth);
	cJSON_Delete(s->doc);
	cJSON_Delete(s->data);
	s->auth = s->doc = s->data = NULL;
	s->nopen = 0;
	s->now = 0;
	s->now_set = 0;
	drop_merged(s);
}

static void start_request(struct search *s, enum sym_caller c,
			  const char *uid, const char *openid)
{
	int storage = s->q->kind == RULE_KIND_STORAGE;

	reset_request(s);
	s->caller = c;
	s->auth = make_auth(s, c, uid, openid);
	if (s->auth && s->q->fill_absent) {
		if (!s->uid[0])
			cJSON_AddStringToObject(s->auth, "uid",
						ABSENT_STEM "uid");
		if (!s->openid[0])
			cJSON_AddStringToObject(s->auth, "openid",
						ABSENT_STEM "openid");
	}
	s->doc = cJSON_CreateObject();
	add_open(s, s->doc, storage ? "resource" : "doc");
	s->data = cJSON_CreateObject();
	add_open(s, s->data, "request#data");
}

/* Confirm the witness in place with the plain evaluator. */
static int confirm(struct search *s)
{
	return run_goals(s, 0) == 1;
}

static void take_witness(struct search *s, struct sym_witness *w)
{
	size_t i;

	memset(w, 0, sizeof(*w));
	w->caller = s->caller;
	w->auth = s->auth ? cJSON_Duplicate(s->auth, 1) : NULL;
	w->doc = cJSON_Duplicate(s->doc, 1);
	w->data = cJSON_Duplicate(s->data, 1);
	w->now = s->now;
	w->gets = calloc(s->ngets ? s->ngets : 1, sizeof(*w->gets));
	for (i = 0; w->gets && i < s->ngets; i++) {
		w->gets[i].path = strdup(s->gets[i].path);
		w->gets[i].doc = cJSON_Duplicate(s->gets[i].doc, 1);
	}
	w->ngets = w->gets ? s->ngets : 0;
	w->evaluations = s->evaluations;
}

/* ---- solving ---------------------------------------------------------- */

/* Which identity fields the expressions read: a static auth.uid or
 * auth.openid, or any computed access to auth. */
static unsigned identity_reads(const struct search *s)
{
	unsigned r = 0;
	size_t i;

	for (i = 0; i < s->nocc; i++) {
		const struct occurrence *o = &s->occ[i];

		if (strcmp(o->path, "auth.uid") == 0)
			r |= 1;
		else if (strcmp(o->path, "auth.openid") == 0)
			r |= 2;
		else if (o->dynamic && strcmp(o->path, "auth") == 0)
			r |= 3;
	}
	return r;
}

/* A search with every field cleared but the tables of open objects and
 * decisions, which are filled before they are read, each up to its
 * count: clearing them took most of the time of a small question. */
static struct search *alloc_search(void)
{
	struct spare *sp = keep_get(&spares);
	struct search *s = sp ? sp->search : NULL;
	struct occurrence *occ;
	struct merged *merged;
	char *base;
	size_t after_open = offsetof(struct search, nopen);
	size_t after_trail = offsetof(struct search, ntrail);

	if (s) {
		sp->search = NULL;
		occ = s->occ;
		merged = s->merged;
	} else {
		s = malloc(sizeof(*s));
		occ = malloc(SYM_MAX_OCCURRENCES * sizeof(*occ));
		merged = malloc(SYM_MAX_MERGED * sizeof(*merged));
		if (!s || !occ || !merged)
			abort();
	}
	base = (char *)s;
	memset(base, 0, offsetof(struct search, open));
	memset(base + after_open, 0,
	       offsetof(struct search, trail) - after_open);
	memset(base + after_trail, 0, sizeof(*s) - after_trail);
	s->spare = sp;
	s->occ = occ;
	s->merged = merged;
	return s;
}

static struct search *new_search(const struct sym_query *q)
{
	struct search *s = alloc_search();
	size_t i;

	s->q = q;
	s->budget = q->budget ? q->budget : SYM_BUDGET_DEFAULT;
	s->hook.missing = hook_missing;
	s->hook.ctx = s;
	for (i = 0; i < q->ngoals; i++)
		scan(s, q->goals[i].expr, NULL, 0);
	regex_examples(s);
	s->reads = identity_reads(s);
	s->unrelated = q->cls != SYM_ANY;
	s->absent_role_docs = q->cls < SYM_ROLE;
	return s;
}

static void free_search(struct search *s)
{
	size_t i;

	reset_request(s);
	for (i = 0; i < s->nexamples; i++)
		free(s->examples[i]);
	if (s->spare && !s->spare->search) {
		s->spare->search = s;
		return;
	}
	free(s->occ);
	free(s->merged);
	free(s);
}

static size_t add_identity(char out[][64], size_t n, const struct ast_node *lit)
{
	if (lit->kind == AST_STRING && lit->len < 64 &&
	    !memchr(lit->text, '\0', lit->len))
		snprintf(out[n++], 64, "%s", lit->text);
	return n;
}

/* The identity values to try: one that nothing else holds, and in the
 * widest question with the identity freed also every string literal of
 * the rule, which the identity may meet through any chain of equalities
 * (a field equal to a literal and to the identity, the other identity
 * field equal to it).  BIT is the field's bit in the reads. */
static size_t identities(struct search *s, const char *stem, unsigned bit,
			 char out[][64], size_t max)
{
	size_t n = 1, i, k;

	pick_identity(s, out[0], 64, stem);
	if (s->q->cls != SYM_ANY || !s->q->identity_free || !(s->reads & bit))
		return 1;
	for (i = 0; i < s->nlit_strings && n < max; i++) {
		const struct ast_node *lit = s->lit_strings[i];

		for (k = 1; k < n; k++)
			if (strlen(out[k]) == lit->len &&
			    memcmp(out[k], lit->text, lit->len) == 0)
				break;
		if (k == n)
			n = add_identity(out, n, lit);
	}
	if (n == max && i < s->nlit_strings)
		s->overflow = 1;
	return n;
}

/* The callers of the query: those of its class and of the query's
 * choice; unless the query admits absent identities, only those who
 * have every identity field the expressions read (analysis.md 2). */
static unsigned query_callers(const struct search *s)
{
	unsigned callers = class_callers[s->q->cls];
	int c;

	if (s->q->callers)
		callers &= s->q->callers;
	if (s->q->identity_absent || s->q->fill_absent)
		return callers;
	for (c = SYM_CALLER_MINIPROGRAM; c < SYM_CALLER_COUNT; c++)
		if (((s->reads & 1) && c == SYM_CALLER_MINIPROGRAM) ||
		    ((s->reads & 2) && !has_openid((enum sym_caller)c)))
			callers &= ~SYM_CALLER_BIT(c);
	return callers;
}

/* Search every caller of the class with every identity to try. */
static enum sym_result solve_callers(struct search *s, struct sym_witness *w)
{
	char uids[16][64], openids[16][64];
	size_t nu = identities(s, "uid-1", 1, uids, 16);
	size_t no = identities(s, "openid-1", 2, openids, 16);
	size_t i, j;
	unsigned callers = query_callers(s);
	int c, r, undecided = 0;

	for (c = 0; c < SYM_CALLER_COUNT; c++) {
		if (!(callers & SYM_CALLER_BIT(c)))
			continue;
		for (i = 0; i < nu; i++) {
			for (j = 0; j < no; j++) {
				start_request(s, (enum sym_caller)c, uids[i],
					      openids[j]);
				r = search(s);
				if (r == 1 && !confirm(s))
					return SYM_FAILED;
				if (r == 1) {
					if (w)
						take_witness(s, w);
					return SYM_SAT;
				}
				undecided |= r < 0;
				if (s->over_budget)
					return SYM_UNKNOWN;
			}
		}
	}
	return undecided || s->overflow || !complete(s) ? SYM_UNKNOWN :
	       SYM_UNSAT;
}

enum sym_result sym_solve(const struct sym_query *q, struct sym_witness *w)
{
	locale_t c_locale, old;
	struct sym_witness found;
	struct search *s;
	enum sym_result r;

	if (memo_get(q, &r, w))
		return r;
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	old = c_locale ? uselocale(c_locale) : (locale_t)0;
	s = new_search(q);
	memset(&found, 0, sizeof(found));
	r = solve_callers(s, &found);
	found.evaluations = s->evaluations;
	free_search(s);
	if (c_locale) {
		uselocale(old);
		freelocale(c_locale);
	}
	memo_put(q, r, &found);
	if (w)
		*w = found;
	else
		sym_witness_free(&found);
	return r;
}

void sym_witness_free(struct sym_witness *w)
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

cJSON *sym_witness_json(const struct sym_witness *w, enum rule_kind kind)
{
	cJSON *o = cJSON_CreateObject(), *gets;
	size_t i;

	cJSON_AddItemToObject(o, "auth", w->auth ?
			      cJSON_Duplicate(w->auth, 1) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "doc", w->doc ? cJSON_Duplicate(w->doc, 1) :
			      cJSON_CreateObject());
	if (kind == RULE_KIND_DATABASE && w->data && w->data->child)
		cJSON_AddItemToObject(o, "data", cJSON_Duplicate(w->data, 1));
	else
		cJSON_AddNullToObject(o, "data");
	cJSON_AddNumberToObject(o, "now", w->now);
	gets = cJSON_AddObjectToObject(o, "get");
	for (i = 0; i < w->ngets; i++)
		cJSON_AddItemToObject(gets, w->gets[i].path,
				      cJSON_Duplicate(w->gets[i].doc, 1));
	return o;
}
