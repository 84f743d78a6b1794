/* Fuzz target: the expression compiler (re2c lexer and bison grammar) on
 * one expression.  A compiled tree must keep every span inside the text;
 * a failure must carry exactly one fault with a span inside the text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ast.h"

static FILE *fuzz_sink;

static void fuzz_check(int cond)
{
	if (!cond)
		abort();
}

static void fuzz_tree(const struct ast_node *n, size_t start, size_t end)
{
	size_t i;

	if (!n)
		return;
	fuzz_check(start <= n->start && n->start <= n->end && n->end <= end);
	if (n->text)
		fuzz_check(n->text[n->len] == '\0');
	fuzz_tree(n->a, 0, end);
	fuzz_tree(n->b, 0, end);
	fuzz_tree(n->c, 0, end);
	for (i = 0; i < n->nlist; i++)
		fuzz_tree(n->list[i], 0, end);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ast_arena *arena;
	struct ast_node *root;
	struct expr_error err;

	if (size > EXPR_MAX_LENGTH_DEFAULT)
		return 0;
	if (!fuzz_sink)
		fuzz_sink = fopen("/dev/null", "w");
	arena = ast_arena_new();
	if (!arena)
		return 0;
	root = expr_parse(arena, (const char *)data, size, 0, &err);
	if (root) {
		fuzz_tree(root, 0, size);
		ast_dump(fuzz_sink, root, 0);
	} else {
		fuzz_check(err.msg[0] != '\0');
		fuzz_check(err.start <= err.end && err.end <= size);
	}
	ast_arena_free(arena);
	return 0;
}
