/* Findings: what a check found, where, and in which rule.  Positions are
 * raw byte offsets into the source file; reporters turn them into lines
 * and columns through the source map. */
#ifndef RULECHECK_DIAG_H
#define RULECHECK_DIAG_H

#include <stdarg.h>
#include <stddef.h>

#include "checks.h"
#include "source.h"

struct finding {
	enum check_id check;
	enum severity severity;
	const struct src_file *file;
	size_t start;		/* raw offset of the first byte */
	size_t end;		/* raw offset just past the last byte */
	/* The texts are held by the list (diag_text): never freed alone. */
	const char *pointer;	/* JSON pointer of the rule, or NULL */
	const char *collection; /* collection, bucket or function, or NULL */
	const char *operation;	/* read, create, ..., or NULL */
	const char *message;	/* lower case, no final period */
	const char *witness;	/* the witness request as JSON, or NULL */
	const char *principal;	/* the class that gets in, or NULL */
	size_t seq;		/* order of emission, for stable sorting */
};

struct diag_block;

struct diag_list {
	struct finding *v;
	size_t n, cap;
	struct diag_block *texts; /* the texts of the findings, newest first */
	unsigned char enabled[CHECK_COUNT];
	unsigned char severity[CHECK_COUNT];
};

void diag_init(struct diag_list *d);

/* Record a finding of CHECK unless the check is disabled, and return it
 * (NULL when disabled).  POINTER, COLLECTION and OPERATION may be NULL;
 * they are copied. */
struct finding *diag_add(struct diag_list *d, enum check_id check,
	      const struct src_file *file, size_t start, size_t end,
	      const char *pointer, const char *collection,
	      const char *operation, const char *fmt, ...)
	__attribute__((format(printf, 9, 10)));

/* A copy of the LEN bytes at S, terminated, held by D until diag_free:
 * a scan's hundred thousand findings would otherwise make four
 * allocations each. */
char *diag_text(struct diag_list *d, const char *s, size_t len);

/* Sort by file (in order of first appearance), position, then check. */
void diag_sort(struct diag_list *d);

void diag_free(struct diag_list *d);

#endif
