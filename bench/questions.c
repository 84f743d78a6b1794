/* The questions that the checks ask the symbolic engine about a corpus of
 * rule files: every compiled expression, every principal class, the
 * wanted outcomes the benchmark names.  Also the timing helpers. */
#include "questions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"

#define QUESTIONS_RUNS_MAX 100000

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "bench: out of memory\n");
		exit(2);
	}
	return p;
}

static struct question *grow(struct questions *qs)
{
	if (qs->n == qs->cap) {
		qs->cap = qs->cap ? 2 * qs->cap : 256;
		qs->v = xrealloc(qs->v, qs->cap * sizeof(*qs->v));
	}
	memset(&qs->v[qs->n], 0, sizeof(qs->v[0]));
	return &qs->v[qs->n++];
}

void questions_add(struct questions *qs, const struct ast_node *expr,
		   const char *text, const char *op, size_t rule,
		   const enum sym_want *wants, size_t nwants)
{
	struct question *q;
	size_t w;
	int cls;

	for (cls = 0; cls < SYM_CLASS_COUNT; cls++) {
		for (w = 0; w < nwants; w++) {
			q = grow(qs);
			q->file = "-";
			q->collection = "-";
			q->op = op;
			q->kind = RULE_KIND_DATABASE;
			q->expr = expr;
			q->text = text;
			q->rule = rule;
			q->cls = (enum sym_class)cls;
			q->want = wants[w];
		}
	}
	if (rule >= qs->nrules)
		qs->nrules = rule + 1;
}

/* The kind to ask about: the object's, else the file's, else database. */
static enum rule_kind kind_of(const struct rule_file *rf,
			      const struct rule_object *obj)
{
	if (obj->kind != RULE_KIND_UNKNOWN)
		return obj->kind;
	return rf->kind != RULE_KIND_UNKNOWN ? rf->kind : RULE_KIND_DATABASE;
}

static void add_object(struct questions *qs, const struct rule_file *rf,
		       const char *path, const struct rule_object *obj,
		       const enum sym_want *wants, size_t nwants)
{
	enum rule_kind kind = kind_of(rf, obj);
	const struct rule_value *v;
	size_t i, first;

	for (i = 0; i < obj->nvalues; i++) {
		v = &obj->values[i];
		if (!v->ast || !rules_is_op(kind, v->key))
			continue;
		first = qs->n;
		questions_add(qs, v->ast, v->member->value->str.text, v->key,
			      qs->nrules, wants, nwants);
		for (; first < qs->n; first++) {
			qs->v[first].file = path;
			qs->v[first].collection = obj->name ? obj->name : "-";
			qs->v[first].kind = kind;
		}
	}
}

void questions_load(struct questions *qs, char *const *paths, int npaths,
		    const enum sym_want *wants, size_t nwants)
{
	struct rule_options opt;
	struct diag_list d;
	struct rule_file *rf;
	char err[256];
	size_t j;
	int i;

	rules_default_options(&opt);
	qs->files = xrealloc(qs->files, (size_t)npaths * sizeof(*qs->files));
	for (i = 0; i < npaths; i++) {
		rf = &qs->files[qs->nfiles];
		diag_init(&d);
		if (rules_load(rf, paths[i], paths[i], &opt, &d, err,
			       sizeof(err)) < 0) {
			fprintf(stderr, "bench: %s\n", err);
			diag_free(&d);
			continue;
		}
		diag_free(&d);
		qs->nfiles++;
		for (j = 0; j < rf->nobjects; j++)
			add_object(qs, rf, paths[i], &rf->objects[j], wants,
				   nwants);
	}
}

void questions_free(struct questions *qs)
{
	size_t i;

	for (i = 0; i < qs->nfiles; i++)
		rules_free(&qs->files[i]);
	free(qs->files);
	free(qs->v);
	memset(qs, 0, sizeof(*qs));
}

enum sym_result questions_solve(const struct question *q)
{
	struct sym_goal goal;
	struct sym_query query;
	struct sym_witness w;
	enum sym_result r;

	memset(&goal, 0, sizeof(goal));
	goal.expr = q->expr;
	goal.op = q->op;
	goal.want = q->want;
	memset(&query, 0, sizeof(query));
	query.kind = q->kind;
	query.cls = q->cls;
	query.goals = &goal;
	query.ngoals = 1;
	r = sym_solve(&query, &w);
	if (r == SYM_SAT)
		sym_witness_free(&w);
	return r;
}

double questions_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double questions_time(void (*f)(void *arg), void *arg, double min_seconds,
		      unsigned min_runs, unsigned max_runs)
{
	static double runs[QUESTIONS_RUNS_MAX];
	double start = questions_clock(), t0, t1 = start;
	unsigned n = 0;

	if (max_runs > QUESTIONS_RUNS_MAX)
		max_runs = QUESTIONS_RUNS_MAX;
	while (n < max_runs && (n < min_runs || t1 - start < min_seconds)) {
		t0 = questions_clock();
		f(arg);
		t1 = questions_clock();
		runs[n++] = (t1 - t0) * 1e6;
	}
	qsort(runs, n, sizeof(runs[0]), cmp_double);
	return n ? runs[n / 2] : 0;
}

void questions_stats(double *v, size_t n, struct questions_stats *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	st->n = n;
	if (n == 0)
		return;
	qsort(v, n, sizeof(v[0]), cmp_double);
	for (i = 0; i < n; i++)
		st->total += v[i];
	st->median = v[n / 2];
	st->p99 = v[(99 * n + 99) / 100 - 1];
	st->max = v[n - 1];
}
