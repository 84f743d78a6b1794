/* A deterministic generator of random rule expressions, as text, over the
 * fragment of the rule language that the symbolic engine decides: the
 * roots and fields of the request, literals, comparisons, membership,
 * logic, get() documents and, for storage, regular-expression tests. */
#ifndef RULECHECK_TESTS_GEN_H
#define RULECHECK_TESTS_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

#define GEN_MAX_TEXT 1024	/* the platform's limit on one expression */

struct gen {
	uint64_t state;
	enum rule_kind kind;	/* database or storage */
	unsigned gets;		/* get() calls in the expression so far */
	char *out;
	size_t len, size;
	int full;		/* the text did not fit */
};

/* Start the sequence of expressions for SEED; the same seed and kind
 * always give the same sequence. */
void gen_init(struct gen *g, uint64_t seed, enum rule_kind kind);

/* The next expression into BUF, NUL-terminated, at most GEN_MAX_TEXT
 * bytes with the NUL; returns its length. */
size_t gen_expr(struct gen *g, char buf[GEN_MAX_TEXT]);

#endif
