/* The abstract syntax tree of one rule expression.  Every node keeps its
 * span as byte offsets into the decoded expression text; the rule module
 * maps those through the JSON string back to the raw file. */
#ifndef RULECHECK_AST_H
#define RULECHECK_AST_H

#include <stddef.h>
#include <stdio.h>

enum ast_kind {
	AST_UNDEFINED,
	AST_NULL,
	AST_BOOL,		/* boolean */
	AST_NUMBER,		/* number */
	AST_STRING,		/* text, len; quote is '\'' or '"' */
	AST_TEMPLATE,		/* list: AST_STRING pieces and expressions */
	AST_REGEX,		/* text: pattern, flags: after the slash */
	AST_ARRAY,		/* list: elements */
	AST_OBJECT,		/* list: AST_PAIR (not in the rule language) */
	AST_PAIR,		/* text: key, a: value */
	AST_IDENT,		/* text */
	AST_MEMBER,		/* a.text */
	AST_INDEX,		/* a[b] */
	AST_CALL,		/* a(list) */
	AST_UNARY,		/* op a: AST_OP_NOT, AST_OP_NEG, AST_OP_PLUS */
	AST_BINARY,		/* a op b */
	AST_COND,		/* a ? b : c (not in the rule language) */
	AST_ARROW		/* (list) => a (not in the rule language) */
};

enum ast_op {
	AST_OP_NONE,
	AST_OP_OR,
	AST_OP_AND,
	AST_OP_EQ,		/* == */
	AST_OP_NE,		/* != */
	AST_OP_SEQ,		/* === */
	AST_OP_SNE,		/* !== */
	AST_OP_LT,
	AST_OP_LE,
	AST_OP_GT,
	AST_OP_GE,
	AST_OP_IN,
	AST_OP_ADD,
	AST_OP_SUB,
	AST_OP_MUL,
	AST_OP_DIV,
	AST_OP_MOD,
	AST_OP_NOT,
	AST_OP_NEG,
	AST_OP_PLUS
};

struct ast_node {
	enum ast_kind kind;
	enum ast_op op;
	size_t start;		/* decoded offset of the first byte */
	size_t end;		/* decoded offset just past the last byte */
	struct ast_node *a, *b, *c;
	struct ast_node **list;
	size_t nlist;
	char *text;		/* NUL-terminated, len bytes */
	size_t len;
	char *flags;		/* AST_REGEX */
	char quote;		/* AST_STRING: '\'', '"', or '`' in a template */
	int boolean;
	double number;
};

/* All nodes of one expression live in one arena, freed at once. */
struct ast_arena;

struct ast_arena *ast_arena_new(void);
void ast_arena_free(struct ast_arena *arena);
void *ast_alloc(struct ast_arena *arena, size_t size);
/* The bytes ARENA holds, for accounting. */
size_t ast_arena_size(const struct ast_arena *arena);
/* A copy of the tree N in ARENA, texts included; NULL when memory runs
 * out. */
struct ast_node *ast_copy(struct ast_arena *arena, const struct ast_node *n);
struct ast_node *ast_new(struct ast_arena *arena, enum ast_kind kind,
			 size_t start, size_t end);

/* Limits of the compiler; over them the expression is not compiled. */
#define EXPR_MAX_LENGTH_DEFAULT 16384
#define EXPR_MAX_DEPTH_DEFAULT 256

struct expr_error {
	size_t start, end;	/* decoded span of the fault */
	char msg[256];		/* lower case, no final period */
};

/* Compile TEXT (LEN bytes, may hold NUL bytes) into a tree allocated in
 * ARENA.  Returns NULL and fills ERR (exactly one fault) on failure. */
struct ast_node *expr_parse(struct ast_arena *arena, const char *text,
			    size_t len, unsigned max_depth,
			    struct expr_error *err);

/* The stable text form used by --dump-ast, one node per line. */
void ast_dump(FILE *out, const struct ast_node *node, int indent);

const char *ast_op_name(enum ast_op op);

#endif
