/* Rule documents: the rule objects of one JSON document in every layout
 * seen in practice (a single object, function rules, a collection map,
 * objects nested in a project's own config), each with its JSON pointer,
 * its collection name and its kind; then the compiled expressions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memo.h"
#include "rules.h"

static const char *const kind_names[] = {
	"unknown", "database", "storage", "function"
};

/* Operation keys, per kind. */
static const char *const database_ops[] = {
	"read", "write", "create", "update", "delete"
};
static const char *const storage_ops[] = {"read", "write"};
static const char *const function_ops[] = {"invoke"};

/* Keys that wrap rule objects without naming a collection. */
static const char *const wrapper_keys[] = {
	"rules", "rule", "collections", "securityRule", "securityRules",
	"security_rules", "security", "aclRule", "acl", "permissions",
	"permission", "database", "storage", "functions", "function", "default"
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *rule_kind_name(enum rule_kind kind)
{
	return kind_names[kind];
}

enum rule_kind rule_kind_by_name(const char *name)
{
	size_t i;

	for (i = 1; i < COUNT(kind_names); i++)
		if (strcmp(kind_names[i], name) == 0)
			return (enum rule_kind)i;
	return RULE_KIND_UNKNOWN;
}

/* Keys are looked up for every member of every document: the first
 * byte, which tells most keys apart, is compared first. */
static int in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[0] == list[i][0] && strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

int rules_is_op(enum rule_kind kind, const char *key)
{
	switch (kind) {
	case RULE_KIND_STORAGE:
		return in_list(key, storage_ops, COUNT(storage_ops));
	case RULE_KIND_FUNCTION:
		return in_list(key, function_ops, COUNT(function_ops));
	case RULE_KIND_DATABASE:
		return in_list(key, database_ops, COUNT(database_ops));
	default:
		return in_list(key, database_ops, COUNT(database_ops)) ||
		       in_list(key, function_ops, COUNT(function_ops));
	}
}

const char *const *rules_ops(enum rule_kind kind, size_t *n)
{
	switch (kind) {
	case RULE_KIND_STORAGE:
		*n = COUNT(storage_ops);
		return storage_ops;
	case RULE_KIND_FUNCTION:
		*n = COUNT(function_ops);
		return function_ops;
	default:
		*n = COUNT(database_ops);
		return database_ops;
	}
}

int rules_is_wrapper_key(const char *key)
{
	return in_list(key, wrapper_keys, COUNT(wrapper_keys));
}

const struct rule_value *rules_effective(const struct rule_object *obj,
					 const char *op)
{
	const struct rule_value *write = NULL;
	size_t i;

	/* Asked for every question: the first byte is compared first. */
	for (i = 0; i < obj->nvalues; i++) {
		const char *key = obj->values[i].key;

		if (obj->values[i].member->shadowed)
			continue;
		if (key[0] == op[0] && strcmp(key, op) == 0)
			return &obj->values[i];
		if (key[0] == 'w' && strcmp(key, "write") == 0)
			write = &obj->values[i];
	}
	if (obj->kind == RULE_KIND_DATABASE && write &&
	    (strcmp(op, "create") == 0 || strcmp(op, "update") == 0 ||
	     strcmp(op, "delete") == 0))
		return write;
	return NULL;
}

void rules_raw_span(const struct json_node *value, size_t start, size_t end,
		    size_t *raw_start, size_t *raw_end)
{
	const struct json_string *s = &value->str;

	if (value->type != JSON_STRING) {
		*raw_start = value->span.start;
		*raw_end = value->span.end;
		return;
	}
	if (start > s->len)
		start = s->len;
	if (end > s->len)
		end = s->len;
	*raw_start = json_raw(s, start);
	*raw_end = end > start ? json_raw(s, end) : *raw_start;
}

void rules_default_options(struct rule_options *opt)
{
	opt->kind = RULE_KIND_UNKNOWN;
	opt->max_file_size = SRC_MAX_SIZE_DEFAULT;
	opt->max_json_depth = JSON_MAX_DEPTH_DEFAULT;
	opt->max_expr_length = EXPR_MAX_LENGTH_DEFAULT;
	opt->max_expr_depth = EXPR_MAX_DEPTH_DEFAULT;
	opt->max_objects = RULES_MAX_OBJECTS_DEFAULT;
}

/* ---- discovery --------------------------------------------------------- */

struct walk {
	struct rule_file *rf;
	const struct rule_options *opt;
	char *ptr;		/* the JSON pointer of the current node */
	size_t len, cap;
	size_t cap_objects;
	const char *file_name;	/* collection named by the file, or NULL */
	enum rule_kind file_kind;	/* kind suggested by the file name */
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

static void ptr_reserve(struct walk *w, size_t extra)
{
	if (w->len + extra + 1 <= w->cap)
		return;
	w->cap = (w->len + extra + 1) * 2;
	w->ptr = xrealloc(w->ptr, w->cap);
}

/* Append "/KEY" with RFC 6901 escapes; returns the previous length. */
static size_t ptr_push(struct walk *w, const char *key, size_t n)
{
	size_t old = w->len, i;

	ptr_reserve(w, 2 * n + 1);
	w->ptr[w->len++] = '/';
	for (i = 0; i < n; i++) {
		if (key[i] == '~' || key[i] == '/') {
			w->ptr[w->len++] = '~';
			w->ptr[w->len++] = key[i] == '~' ? '0' : '1';
		} else {
			w->ptr[w->len++] = key[i];
		}
	}
	w->ptr[w->len] = '\0';
	return old;
}

static size_t ptr_push_index(struct walk *w, size_t index)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%zu", index);

	return ptr_push(w, buf, (size_t)n);
}

static int is_scalar_rule_value(const struct json_node *v)
{
	return v->type == JSON_TRUE || v->type == JSON_FALSE ||
	       v->type == JSON_STRING;
}

/* An object is a rule object when an operation key holds a boolean or a
 * string, or when all of its keys are operation keys. */
static int is_rule_object(const struct json_node *obj)
{
	size_t i, ops = 0, scalar_ops = 0;

	for (i = 0; i < obj->nmembers; i++) {
		const struct json_member *m = &obj->members[i];

		if (!rules_is_op(RULE_KIND_UNKNOWN, m->key.text))
			continue;
		ops++;
		if (is_scalar_rule_value(m->value))
			scalar_ops++;
	}
	return scalar_ops > 0 || (ops > 0 && ops == obj->nmembers);
}

static enum rule_kind kind_of_key(const char *key)
{
	if (key[0] != 's' && key[0] != 'd' && key[0] != 'c' && key[0] != 'f')
		return RULE_KIND_UNKNOWN;
	if (strcmp(key, "storage") == 0)
		return RULE_KIND_STORAGE;
	if (strcmp(key, "database") == 0 || strcmp(key, "collections") == 0)
		return RULE_KIND_DATABASE;
	if (strcmp(key, "functions") == 0 || strcmp(key, "function") == 0)
		return RULE_KIND_FUNCTION;
	return RULE_KIND_UNKNOWN;
}

static int is_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '$';
}

/* Does TEXT use the identifier ROOT (not as a field after a dot)? */
static int mentions_root(const char *text, size_t len, const char *root)
{
	size_t n = strlen(root), i;
	const char *p;

	for (i = 0; i + n <= len; i++) {
		p = memchr(text + i, root[0], len - n + 1 - i);
		if (!p)
			return 0;
		i = (size_t)(p - text);
		if (memcmp(p, root, n) != 0)
			continue;
		if (i > 0 && (is_ident_char(text[i - 1]) || text[i - 1] == '.'))
			continue;
		if (i + n < len && is_ident_char(text[i + n]))
			continue;
		return 1;
	}
	return 0;
}

static enum rule_kind kind_of_expressions(const struct json_node *obj)
{
	size_t i;

	for (i = 0; i < obj->nmembers; i++) {
		const struct json_node *v = obj->members[i].value;

		if (v->type != JSON_STRING)
			continue;
		if (mentions_root(v->str.text, v->str.len, "resource"))
			return RULE_KIND_STORAGE;
		if (mentions_root(v->str.text, v->str.len, "doc") ||
		    mentions_root(v->str.text, v->str.len, "request") ||
		    mentions_root(v->str.text, v->str.len, "now"))
			return RULE_KIND_DATABASE;
	}
	return RULE_KIND_UNKNOWN;
}

static enum rule_kind infer_kind(const struct walk *w,
				 const struct json_node *obj,
				 enum rule_kind hint)
{
	enum rule_kind k;

	if (w->opt->kind != RULE_KIND_UNKNOWN)
		return w->opt->kind;
	if (json_lookup(obj, "invoke"))
		return RULE_KIND_FUNCTION;
	if (json_lookup(obj, "create") || json_lookup(obj, "update") ||
	    json_lookup(obj, "delete"))
		return RULE_KIND_DATABASE;
	if (hint != RULE_KIND_UNKNOWN)
		return hint;
	k = kind_of_expressions(obj);
	if (k != RULE_KIND_UNKNOWN)
		return k;
	if (w->file_kind != RULE_KIND_UNKNOWN)
		return w->file_kind;
	return RULE_KIND_DATABASE;
}

static void add_object(struct walk *w, struct json_node *obj,
		       struct json_node *parent, const char *name,
		       enum rule_kind hint)
{
	struct rule_file *rf = w->rf;
	struct rule_object *ro;

	if (rf->nobjects == w->cap_objects) {
		w->cap_objects = w->cap_objects ? 2 * w->cap_objects : 8;
		rf->objects = xrealloc(rf->objects,
				       w->cap_objects * sizeof(*ro));
	}
	ro = &rf->objects[rf->nobjects++];
	memset(ro, 0, sizeof(*ro));
	ro->node = obj;
	ro->parent = parent;
	ro->kind = infer_kind(w, obj, hint);
	ro->pointer = strdup(w->ptr);
	ro->name = name ? strdup(name) : NULL;
}

static const char *array_item_name(const struct json_node *item)
{
	static const char *const keys[] = {"collectionName", "collection",
					   "name", "path"};
	struct json_member *m;
	size_t i;

	if (item->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < COUNT(keys); i++) {
		m = json_lookup(item, keys[i]);
		if (m && m->value->type == JSON_STRING)
			return m->value->str.text;
	}
	return NULL;
}

static void walk_node(struct walk *w, struct json_node *node,
		      struct json_node *parent, const char *name,
		      enum rule_kind hint);

static void walk_members(struct walk *w, struct json_node *obj,
			 const char *name, enum rule_kind hint)
{
	size_t i, old;

	for (i = 0; i < obj->nmembers; i++) {
		struct json_member *m = &obj->members[i];
		const char *key = m->key.text;
		enum rule_kind k = kind_of_key(key);
		const char *child = rules_is_wrapper_key(key) ? name : key;

		if (m->shadowed)
			continue;
		old = ptr_push(w, key, m->key.len);
		walk_node(w, m->value, obj, child,
			  k != RULE_KIND_UNKNOWN ? k : hint);
		w->len = old;
		w->ptr[old] = '\0';
	}
}

/* An empty object denies everything: it is a rule object at the root
 * and beside other rule objects, and merely empty anywhere else. */
static int is_empty_rule(const struct json_node *node,
			 const struct json_node *parent)
{
	size_t i;

	if (node->type != JSON_OBJECT || node->nmembers > 0)
		return 0;
	if (!parent)
		return 1;
	for (i = 0; i < parent->nmembers; i++) {
		const struct json_node *v = parent->members[i].value;

		if (v->type == JSON_OBJECT && is_rule_object(v))
			return 1;
	}
	return 0;
}

static void walk_node(struct walk *w, struct json_node *node,
		      struct json_node *parent, const char *name,
		      enum rule_kind hint)
{
	size_t i, old;

	if (node->type == JSON_OBJECT) {
		if (is_rule_object(node) || is_empty_rule(node, parent))
			add_object(w, node, parent, name, hint);
		else
			walk_members(w, node, name, hint);
		return;
	}
	if (node->type != JSON_ARRAY)
		return;
	for (i = 0; i < node->nitems; i++) {
		const char *item_name = array_item_name(node->items[i]);

		old = ptr_push_index(w, i);
		walk_node(w, node->items[i], node,
			  item_name ? item_name : name, hint);
		w->len = old;
		w->ptr[old] = '\0';
	}
}

/* ---- file names -------------------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static enum rule_kind kind_of_file_name(const char *base)
{
	if (strstr(base, "storage"))
		return RULE_KIND_STORAGE;
	if (strstr(base, "function"))
		return RULE_KIND_FUNCTION;
	if (strstr(base, "database"))
		return RULE_KIND_DATABASE;
	return RULE_KIND_UNKNOWN;
}

/* A file named after its collection (security-rules/orders.json) names
 * the rule object at its root; generic names do not. */
static char *collection_of_file_name(const char *base)
{
	static const char *const generic[] = {
		"rule", "security", "permission", "cloudbase", "database",
		"storage", "function", "config", "acl", "policy", "policies",
		"setting", "stdin", "-"
	};
	const char *dot = strchr(base, '.');
	size_t n = dot ? (size_t)(dot - base) : strlen(base), i;
	char *name;

	if (n == 0)
		return NULL;
	name = strndup(base, n);
	for (i = 0; i < COUNT(generic); i++) {
		if (strstr(name, generic[i])) {
			free(name);
			return NULL;
		}
	}
	return name;
}

/* ---- compiling --------------------------------------------------------- */

static size_t utf8_length(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static void report_at(struct diag_list *d, struct rule_file *rf,
		      const struct rule_object *obj,
		      const struct rule_value *v, enum check_id check,
		      size_t start, size_t end, const char *msg)
{
	size_t rs, re;

	rules_raw_span(v->member->value, start, end, &rs, &re);
	diag_add(d, check, &rf->src, rs, re, obj->pointer, obj->name,
		 v->key, "%s", msg);
}

static void compile_value(struct rule_file *rf, struct rule_object *obj,
			  struct rule_value *v, const struct rule_options *opt,
			  struct diag_list *d)
{
	const struct json_string *s = &v->member->value->str;
	/* never more characters than bytes: counted only when it matters */
	size_t chars = s->len > 1024 ? utf8_length(s->text, s->len) : s->len;
	struct expr_error err;
	char msg[128];

	/* looked up once here, not at every key that holds the text */
	if (s->len > MEMO_INTERN_MIN)
		v->kept = memo_intern(s->text, s->len);
	if (chars > 1024) {
		snprintf(msg, sizeof(msg), "expression of %zu characters is "
			 "over the platform's limit of 1024%s", chars,
			 s->len > opt->max_expr_length ?
			 "; not analysed" : "");
		report_at(d, rf, obj, v, CHECK_EXPR_TOO_LONG, 0, s->len, msg);
	}
	if (s->len > opt->max_expr_length)
		return;

	v->ast = memo_compiled(s->text, s->len, opt->max_expr_depth);
	if (!v->ast)
		v->ast = expr_parse(rf->arena, s->text, s->len,
				    opt->max_expr_depth, &err);
	if (v->ast)
		v->compiled = 1;
	else
		report_at(d, rf, obj, v, CHECK_EXPR_SYNTAX, err.start,
			  err.end, err.msg);
}

static void collect_values(struct rule_file *rf, struct rule_object *obj,
			   const struct rule_options *opt,
			   struct diag_list *d)
{
	size_t i;

	obj->values = xrealloc(NULL, obj->node->nmembers *
				      sizeof(*obj->values));
	for (i = 0; i < obj->node->nmembers; i++) {
		struct json_member *m = &obj->node->members[i];
		struct rule_value *v;

		if (!rules_is_op(obj->kind, m->key.text))
			continue;
		v = &obj->values[obj->nvalues++];
		memset(v, 0, sizeof(*v));
		v->member = m;
		v->key = m->key.text;
		if (m->value->type == JSON_STRING)
			compile_value(rf, obj, v, opt, d);
	}
}

/* ---- loading ----------------------------------------------------------- */

static void find_objects(struct rule_file *rf, const char *path,
			 const struct rule_options *opt)
{
	struct walk w;
	char *file_name;

	memset(&w, 0, sizeof(w));
	w.rf = rf;
	w.opt = opt;
	ptr_reserve(&w, 16);
	w.ptr[0] = '\0';
	w.file_kind = kind_of_file_name(base_name(path));
	file_name = collection_of_file_name(base_name(path));
	walk_node(&w, rf->json.root, NULL, file_name, RULE_KIND_UNKNOWN);
	free(file_name);
	free(w.ptr);
}

static enum rule_kind file_kind(const struct rule_file *rf)
{
	enum rule_kind k = RULE_KIND_UNKNOWN;
	size_t i;

	for (i = 0; i < rf->nobjects; i++) {
		if (k != RULE_KIND_UNKNOWN && rf->objects[i].kind != k)
			return RULE_KIND_UNKNOWN;
		k = rf->objects[i].kind;
	}
	return k;
}

/* Parse the source in place, find its rule objects, compile them. */
static int analyse(struct rule_file *rf, const char *name,
		   const struct rule_options *opt, struct diag_list *d,
		   char *err, size_t errlen)
{
	size_t i;

	rf->arena = ast_arena_new();
	if (json_parse(&rf->json, rf->src.buf, rf->src.len,
		       opt->max_json_depth) < 0) {
		diag_add(d, CHECK_JSON_SYNTAX, &rf->src,
			 rf->json.err_span.start, rf->json.err_span.end,
			 NULL, NULL, NULL, "%s", rf->json.err);
		return 0;
	}

	find_objects(rf, name, opt);
	if (rf->nobjects > opt->max_objects) {
		snprintf(err, errlen, "%zu rule objects, more than the limit "
			 "of %zu; not analysed (see --max-rule-objects)",
			 rf->nobjects, opt->max_objects);
		rules_free(rf);
		return -1;
	}
	for (i = 0; i < rf->nobjects; i++)
		collect_values(rf, &rf->objects[i], opt, d);
	rf->kind = file_kind(rf);
	return 0;
}

int rules_load(struct rule_file *rf, const char *path, const char *name,
	       const struct rule_options *opt, struct diag_list *d,
	       char *err, size_t errlen)
{
	memset(rf, 0, sizeof(*rf));
	if (src_load(&rf->src, path, name, opt->max_file_size, err,
		     errlen) < 0)
		return -1;
	return analyse(rf, name, opt, d, err, errlen);
}

int rules_load_memory(struct rule_file *rf, const char *name,
		      const char *data, size_t len,
		      const struct rule_options *opt, struct diag_list *d,
		      char *err, size_t errlen)
{
	memset(rf, 0, sizeof(*rf));
	if (len > opt->max_file_size) {
		snprintf(err, errlen, "file is larger than %zu bytes",
			 opt->max_file_size);
		return -1;
	}
	if (src_from_memory(&rf->src, name, data, len) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return analyse(rf, name, opt, d, err, errlen);
}

void rules_free(struct rule_file *rf)
{
	size_t i;

	for (i = 0; i < rf->nobjects; i++) {
		free(rf->objects[i].values);
		free(rf->objects[i].pointer);
		free(rf->objects[i].name);
	}
	free(rf->objects);
	json_free(&rf->json);
	if (rf->arena)
		ast_arena_free(rf->arena);
	src_free(&rf->src);
	memset(rf, 0, sizeof(*rf));
}
