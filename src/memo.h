/* Answers of the symbolic engine kept for the rest of the run: real rule
 * files repeat the same expressions (the vendor's examples) again and
 * again, and a question asked twice has the same answer and witness.
 * Shared by every thread, behind a lock, and bounded in size. */
#ifndef RULECHECK_MEMO_H
#define RULECHECK_MEMO_H

#include "sym.h"

/* The answer to Q when it was asked before: returns 1 and fills *R and,
 * when W is not NULL, W with a copy of the witness; 0 otherwise. */
int memo_get(const struct sym_query *q, enum sym_result *r,
	     struct sym_witness *w);

/* Record the answer R to Q, with W: the witness of a SYM_SAT, and the
 * work done in every case. */
void memo_put(const struct sym_query *q, enum sym_result r,
	      const struct sym_witness *w);

/* Turn the memo off (ON 0) or on again, for a benchmark of the engine
 * itself, which asks each question many times. */
void memo_set_enabled(int on);

#endif
