/* The strings the Z3 encoding may use for one expression: its literals,
 * identity tokens, numerals around its numbers, examples of its regular
 * expressions and fresh strings in every gap of their order, sorted so
 * that string order is index order.  With each string come the facts the
 * encoding needs (ToNumber, regex membership, ...), computed here by a
 * small JavaScript model of its own, apart from the evaluator's. */
#ifndef RULECHECK_TESTS_Z3UNIV_H
#define RULECHECK_TESTS_Z3UNIV_H

#include <stddef.h>

#include "ast.h"

/* Strings whose presence inside every string is tabulated: identity
 * tokens at several places of the string order, the two probe values
 * that stand for an absent uid and openid, and "undefined". */
#define Z3UNIV_TOKENS 8
#define Z3UNIV_PROBE_UID 8
#define Z3UNIV_PROBE_OPENID 9
#define Z3UNIV_UNDEFINED 10
#define Z3UNIV_MARKS 11
#define Z3UNIV_MAX_REGEXES 8
#define Z3UNIV_MAX_CONCATS 8
#define Z3UNIV_MAX_STRINGS 1024

struct z3univ_string {
	char *text;
	size_t len;
	int nan;		/* ToNumber */
	double number;
	int canonical;		/* text is Number::toString of number */
	int path_part;		/* non-empty and without a dot */
	unsigned regex;		/* bit k: matches regexes[k] */
	unsigned holds;		/* bit j: contains the mark j */
	int literal;		/* a string literal of the expression */
};

/* 'prefix' + x, outside get(): the result for each x it is defined on. */
struct z3univ_concat {
	const char *prefix;
	size_t len;
	long *result;		/* per string: index of prefix + it, or -1 */
};

struct z3univ {
	struct z3univ_string *s;
	size_t n;
	long marks[Z3UNIV_MARKS];	/* their indices */
	const struct ast_node *regexes[Z3UNIV_MAX_REGEXES];
	size_t nregexes;
	struct z3univ_concat concats[Z3UNIV_MAX_CONCATS];
	size_t nconcats;
};

/* Build the universe of ROOT; -1 when ROOT is outside what it covers. */
int z3univ_build(struct z3univ *u, const struct ast_node *root);
void z3univ_free(struct z3univ *u);

/* The index of the string TEXT, or -1. */
long z3univ_find(const struct z3univ *u, const char *text, size_t len);

/* The regex among u->regexes that is node RE, or -1. */
int z3univ_regex(const struct z3univ *u, const struct ast_node *re);

/* The concatenation with PREFIX, or NULL. */
const struct z3univ_concat *z3univ_concat(const struct z3univ *u,
					  const char *prefix, size_t len);

/* JavaScript's ToNumber of TEXT; -1 for what the encoding cannot hold
 * (the infinities). */
int z3univ_to_number(const char *text, size_t len, int *nan, double *d);

/* Number::toString of the finite D into OUT (at least 40 bytes). */
void z3univ_numeral(double d, char *out);

/* Whether the regex literal RE matches TEXT: 1, 0, or -1 when RE uses
 * more than the subset understood here. */
int z3univ_match(const struct ast_node *re, const char *text, size_t len);

#endif
