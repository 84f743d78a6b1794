/* The questions that the checks ask the symbolic engine about a corpus of
 * rule files, and the timing helpers the benchmarks share: a monotonic
 * clock, repeated runs, and summary statistics. */
#ifndef RULECHECK_BENCH_QUESTIONS_H
#define RULECHECK_BENCH_QUESTIONS_H

#include <stddef.h>

#include "ast.h"
#include "rules.h"
#include "sym.h"

/* One question: a goal on one rule expression for one class. */
struct question {
	const char *file;
	const char *collection;	/* or "-" */
	const char *op;		/* the rule's key: read, write, ... */
	enum rule_kind kind;
	const struct ast_node *expr;
	const char *text;	/* the expression as written */
	size_t rule;		/* which rule (file, object, key) it is about */
	enum sym_class cls;
	enum sym_want want;
};

struct questions {
	struct rule_file *files;
	size_t nfiles;
	struct question *v;
	size_t n, cap;
	size_t nrules;
};

/* Load PATHS and add, for every compiled rule expression, one question per
 * class and per want in WANTS (NWANTS of them).  Files that cannot be
 * read are reported on stderr and skipped. */
void questions_load(struct questions *qs, char *const *paths, int npaths,
		    const enum sym_want *wants, size_t nwants);

/* Add the questions for one expression EXPR (kind database, op OP) that
 * the caller owns, as rule number RULE. */
void questions_add(struct questions *qs, const struct ast_node *expr,
		   const char *text, const char *op, size_t rule,
		   const enum sym_want *wants, size_t nwants);

void questions_free(struct questions *qs);

/* Ask the engine question Q; the witness, if any, is released. */
enum sym_result questions_solve(const struct question *q);

/* Seconds on a monotonic clock. */
double questions_clock(void);

/* Time F(ARG) by repeating it until MIN_SECONDS have passed (at least
 * MIN_RUNS and at most MAX_RUNS times); returns the median run in
 * microseconds. */
double questions_time(void (*f)(void *arg), void *arg, double min_seconds,
		      unsigned min_runs, unsigned max_runs);

struct questions_stats {
	double median, p99, max, total;	/* microseconds */
	size_t n;
};

/* Summarise the N microsecond figures V (V is sorted in place). */
void questions_stats(double *v, size_t n, struct questions_stats *st);

#endif
