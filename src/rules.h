/* Rule documents: finding the rule objects of a JSON document in every
 * layout seen in practice, naming their collection, inferring the kind,
 * and compiling their expressions. */
#ifndef RULECHECK_RULES_H
#define RULECHECK_RULES_H

#include <stddef.h>

#include "ast.h"
#include "diag.h"
#include "json.h"
#include "source.h"

enum rule_kind {
	RULE_KIND_UNKNOWN,
	RULE_KIND_DATABASE,
	RULE_KIND_STORAGE,
	RULE_KIND_FUNCTION
};

/* One key of a rule object with its value. */
struct rule_value {
	struct json_member *member;
	const char *key;
	struct ast_node *ast;	/* compiled expression, or NULL; it may be
				   shared with other files (memo_compiled)
				   and is never changed */
	int compiled;		/* the value is a string that compiled */
	const char *kept;	/* the string's kept copy (memo_intern) when
				   it is long enough to have one, or NULL */
};

struct rule_object {
	enum rule_kind kind;
	char *name;		/* collection, bucket or function, or NULL */
	char *pointer;		/* JSON pointer of the object ("" for root) */
	struct json_node *node;
	struct json_node *parent;	/* the enclosing object, or NULL */
	struct rule_value *values;
	size_t nvalues;
};

struct rule_file {
	struct src_file src;
	struct json_doc json;
	enum rule_kind kind;	/* the file's kind, after --kind */
	struct rule_object *objects;
	size_t nobjects;
	struct ast_arena *arena;
	int firebase;		/* the document is Firebase-style */
};

#define RULES_MAX_OBJECTS_DEFAULT 10000

struct rule_options {
	enum rule_kind kind;	/* --kind, or RULE_KIND_UNKNOWN to infer */
	size_t max_file_size;
	unsigned max_json_depth;
	size_t max_expr_length;	/* longer expressions are not compiled */
	size_t max_objects;	/* more rule objects: the file is refused */
	unsigned max_expr_depth;
};

void rules_default_options(struct rule_options *opt);

/* Load and parse PATH, find its rule objects and compile their
 * expressions, reporting json-syntax, expr-syntax and expr-too-long into
 * D.  Returns -1 with a message in ERR when the file cannot be read. */
int rules_load(struct rule_file *rf, const char *path, const char *name,
	       const struct rule_options *opt, struct diag_list *d,
	       char *err, size_t errlen);

/* The same for LEN bytes of DATA (an editor's buffer) named NAME. */
int rules_load_memory(struct rule_file *rf, const char *name,
		      const char *data, size_t len,
		      const struct rule_options *opt, struct diag_list *d,
		      char *err, size_t errlen);

void rules_free(struct rule_file *rf);

const char *rule_kind_name(enum rule_kind kind);
enum rule_kind rule_kind_by_name(const char *name);

int rules_is_op(enum rule_kind kind, const char *key);
const char *const *rules_ops(enum rule_kind kind, size_t *n);
int rules_is_wrapper_key(const char *key);

/* The effective value governing OP in OBJ after the write fallback, or
 * NULL when the operation is denied by absence. */
const struct rule_value *rules_effective(const struct rule_object *obj,
					 const char *op);

/* Map the decoded span [START, END) of the string VALUE to raw offsets. */
void rules_raw_span(const struct json_node *value, size_t start, size_t end,
		    size_t *raw_start, size_t *raw_end);

#endif
