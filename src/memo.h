/* What a run remembers.  Real rule files repeat the same expressions
 * (the vendor's examples) and the same rule objects again and again: a
 * question asked twice has the same answer and witness, and an object
 * checked twice under the same options has the same findings.  Shared by
 * every thread, behind a lock, and bounded in size. */
#ifndef RULECHECK_MEMO_H
#define RULECHECK_MEMO_H

#include <stddef.h>

#include "checks.h"
#include "sym.h"

/* ---- keys: the bytes of everything an answer depends on ---- */

#define MEMO_MAX_KEY 8192 /* longer keys are not kept */

struct memo_key {
	size_t len;
	int full;		/* over MEMO_MAX_KEY: not kept */
	char buf[MEMO_MAX_KEY];
};

void memo_key_init(struct memo_key *k);
void memo_key_put(struct memo_key *k, const void *p, size_t n);

/* V at P in seven bits a byte, the last byte below 128, at most 10
 * bytes: most numbers in a key are small, and keys are kept by the
 * thousand.  Returns the end. */
static inline unsigned char *memo_num_at(unsigned char *p,
					 unsigned long long v)
{
	for (; v >= 0x80; v >>= 7)
		*p++ = (unsigned char)(v | 0x80);
	*p++ = (unsigned char)v;
	return p;
}

/* V into K as memo_num_at writes it.  Inline: a question's key is a
 * dozen of them. */
static inline void memo_key_num(struct memo_key *k, unsigned long long v)
{
	unsigned char *p = (unsigned char *)k->buf + k->len;

	if (k->full || k->len + 10 > MEMO_MAX_KEY) {
		k->full = 1;
		return;
	}
	p = memo_num_at(p, v);
	k->len = (size_t)(p - (unsigned char *)k->buf);
}
/* N bytes of S with their count, which tells them from what follows;
 * S may be NULL. */
void memo_key_text(struct memo_key *k, const char *s, size_t n);

/* The N bytes at S as one kept copy's address when they are more than
 * MEMO_INTERN_MIN and fit in the table of texts (the same bytes, the
 * same address, for the rest of the process), else the bytes
 * themselves: long texts met again and again cost a word each in the
 * keys that hold them, and short ones are cheaper to copy than to look
 * up.  KEPT is that copy when the caller holds it already (NULL: it is
 * looked up). */
#define MEMO_INTERN_MIN 40
void memo_key_bytes(struct memo_key *k, const char *s, size_t n,
		    const char *kept);

/* As memo_key_bytes, for bytes of any length that a thread puts in key
 * after key, such as the enabled checks: the last few are recognized by
 * comparing them, and always held as their kept copy's address. */
void memo_key_recent(struct memo_key *k, const char *s, size_t n);

/* The kept copy of the N bytes at S, or NULL when the table is full. */
const char *memo_intern(const char *s, size_t n);

/* Write the tree N as question keys hold it, for sym_goal.key. */
void memo_tree_key(struct memo_key *k, const struct ast_node *n);

/* ---- the engine's answers ---- */

/* The answer to Q when it was asked before: returns 1 and fills *R and,
 * when W is not NULL, W with a copy of the witness; 0 otherwise. */
int memo_get(const struct sym_query *q, enum sym_result *r,
	     struct sym_witness *w);

/* Record the answer R to Q, with W: the witness of a SYM_SAT, and the
 * work done in every case. */
void memo_put(const struct sym_query *q, enum sym_result r,
	      const struct sym_witness *w);

/* ---- the findings of a rule object ---- */

/* One finding, placed relative to its object: in value VALUE, its key or
 * the text from START to END of its expression. */
struct memo_finding {
	enum check_id check;
	enum severity severity;
	size_t value;
	int key;
	size_t start, end;
	const char *operation;	/* or NULL */
	const char *principal;	/* a static string, or NULL */
	const char *message;
	const char *witness;	/* or NULL */
};

struct memo_verdict {
	unsigned long long work;	/* the engine's work it cost */
	unsigned long long headroom;	/* the work it needs left */
	int undecided;			/* a question was left unknown */
	int result;			/* kept besides the findings */
	size_t n;
	struct memo_finding *v;
};

/* The verdict kept under K, or NULL.  It stays valid and unchanged until
 * the process ends. */
const struct memo_verdict *memo_verdict_get(const struct memo_key *k);

/* Keep a copy of V under K, unless the table is full. */
void memo_verdict_put(const struct memo_key *k, const struct memo_verdict *v);

/* ---- compiled rules ---- */

/* The tree of TEXT (LEN bytes) compiled with MAX_DEPTH, as expr_parse
 * would build it, shared by every file of the run that holds the same
 * text: it must never be changed, and lives until the process ends.
 * NULL when it is not kept (the table is full, or the text does not
 * compile); the caller then compiles it itself. */
struct ast_node *memo_compiled(const char *text, size_t len,
			       unsigned max_depth);

/* Turn the memos off (ON 0) or on again, for a benchmark of the engine
 * itself, which asks each question many times. */
void memo_set_enabled(int on);

#endif
