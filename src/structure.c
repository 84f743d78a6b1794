/* Structural checks: comments, trailing commas and duplicate keys from
 * the lenient loader; unknown keys, invalid values, function-rule sets
 * and Firebase syntax from the rule objects. */
#include <stdio.h>
#include <string.h>

#include "hint.h"
#include "structure.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The values the platform accepts, white space removed; the conjunction
 * is accepted in either order, since the two mean the same. */
static const char *const accepted_invoke[] = {
	"auth!=null",
	"auth.loginType!='ANONYMOUS'&&auth!=null",
	"auth!=null&&auth.loginType!='ANONYMOUS'",
};

static void check_events(struct diag_list *d, struct rule_file *rf)
{
	size_t i;

	for (i = 0; i < rf->json.nevents; i++) {
		const struct json_event *ev = &rf->json.events[i];
		struct src_pos p;

		switch (ev->kind) {
		case JSON_EV_COMMENT:
			diag_add(d, CHECK_JSON_COMMENT, &rf->src,
				 ev->span.start, ev->span.end, NULL, NULL,
				 NULL, "comment in JSON; strict JSON parsers "
				 "reject it");
			break;
		case JSON_EV_TRAILING_COMMA:
			diag_add(d, CHECK_TRAILING_COMMA, &rf->src,
				 ev->span.start, ev->span.end, NULL, NULL,
				 NULL, "trailing comma; strict JSON parsers "
				 "reject it");
			break;
		case JSON_EV_DUPLICATE_KEY:
			p = src_position(&rf->src, ev->other.start);
			diag_add(d, CHECK_DUPLICATE_KEY, &rf->src,
				 ev->span.start, ev->span.end, NULL, NULL,
				 NULL, "duplicate key '%.*s'; the earlier value "
				 "at line %u is ignored",
				 (int)(ev->span.end - ev->span.start - 2),
				 rf->src.buf + ev->span.start + 1, p.line);
			break;
		}
	}
}

/* ---- Firebase syntax ---------------------------------------------------- */

/* '.read', '.write', '.validate', '.indexOn', and '$uid'-style path
 * variables, which hold rules (MongoDB's '$or' holds an array). */
static int is_firebase_key(const struct json_member *m)
{
	const char *key = m->key.text;

	if (key[0] == '.' && key[1] != '\0')
		return 1;
	return key[0] == '$' && key[1] != '\0' &&
	       m->value->type == JSON_OBJECT;
}

struct firebase_scan {
	const struct json_member *first;
	size_t count;
	int report;
	struct diag_list *d;
	struct rule_file *rf;
};

static void scan_firebase(struct firebase_scan *fs, const struct json_node *n)
{
	size_t i;

	if (n->type == JSON_ARRAY)
		for (i = 0; i < n->nitems; i++)
			scan_firebase(fs, n->items[i]);
	if (n->type != JSON_OBJECT)
		return;
	for (i = 0; i < n->nmembers; i++) {
		const struct json_member *m = &n->members[i];

		if (is_firebase_key(m)) {
			if (!fs->first)
				fs->first = m;
			fs->count++;
			if (fs->report)
				diag_add(fs->d, CHECK_FIREBASE_SYNTAX,
					 &fs->rf->src, m->key_span.start,
					 m->key_span.end, NULL, NULL, NULL,
					 "'%s' is Firebase syntax; CloudBase "
					 "rules use read, write, create, update "
					 "and delete", m->key.text);
		}
		scan_firebase(fs, m->value);
	}
}

/* Returns 1 when the file still counts as a rule file. */
static int check_firebase(struct diag_list *d, struct rule_file *rf,
			  int explicit)
{
	struct firebase_scan fs = {NULL, 0, rf->nobjects > 0, d, rf};

	scan_firebase(&fs, rf->json.root);
	if (!fs.first)
		return rf->nobjects > 0 || explicit;
	rf->firebase = 1;
	if (rf->nobjects > 0)
		return 1;
	if (!explicit)
		return 0;
	diag_add(d, CHECK_FIREBASE_SYNTAX, &rf->src, fs.first->key_span.start,
		 fs.first->key_span.end, NULL, NULL, NULL,
		 "'%s' makes this a Firebase Realtime Database rules "
		 "document, not CloudBase rules", fs.first->key.text);
	return 1;
}

/* ---- rule objects ------------------------------------------------------- */

static const char *value_type_name(enum json_type t)
{
	static const char *const names[] = {
		"null", "a boolean", "a boolean", "a number", "a string", "an array",
		"an object"
	};

	return names[t];
}

static void check_key(struct diag_list *d, struct rule_file *rf,
		      const struct rule_object *obj,
		      const struct json_member *m)
{
	const char *const *ops;
	const char *hint;
	size_t nops;

	if (is_firebase_key(m))
		return;
	ops = rules_ops(obj->kind, &nops);
	hint = hint_nearest(m->key.text, ops, nops);
	if (hint)
		diag_add(d, CHECK_UNKNOWN_KEY, &rf->src, m->key_span.start,
			 m->key_span.end, obj->pointer, obj->name, NULL,
			 "unknown key '%s' in a %s rule; did you mean '%s'?",
			 m->key.text, rule_kind_name(obj->kind), hint);
	else
		diag_add(d, CHECK_UNKNOWN_KEY, &rf->src, m->key_span.start,
			 m->key_span.end, obj->pointer, obj->name, NULL,
			 "unknown key '%s' in a %s rule", m->key.text,
			 rule_kind_name(obj->kind));
}

static void check_value(struct diag_list *d, struct rule_file *rf,
			const struct rule_object *obj,
			const struct json_member *m)
{
	const struct json_node *v = m->value;

	if (v->type == JSON_TRUE || v->type == JSON_FALSE ||
	    v->type == JSON_STRING)
		return;
	diag_add(d, CHECK_INVALID_VALUE, &rf->src, v->span.start,
		 v->span.end, obj->pointer, obj->name, m->key.text,
		 "value of '%s' must be a boolean or an expression string, "
		 "not %s", m->key.text, value_type_name(v->type));
}

/* The text of S without white space, double quotes made single. */
static void squeeze(const struct json_string *s, char *out, size_t outlen)
{
	size_t i, n = 0;

	for (i = 0; i < s->len && n + 1 < outlen; i++) {
		char c = s->text[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		out[n++] = c == '"' ? '\'' : c;
	}
	out[n] = '\0';
}

static void check_invoke(struct diag_list *d, struct rule_file *rf,
			 const struct rule_object *obj,
			 const struct json_member *m)
{
	const struct json_node *v = m->value;
	char text[64];
	size_t i;

	if (v->type != JSON_STRING)
		return;
	if (v->str.len < sizeof(text)) {
		squeeze(&v->str, text, sizeof(text));
		for (i = 0; i < COUNT(accepted_invoke); i++)
			if (strcmp(text, accepted_invoke[i]) == 0)
				return;
	}
	diag_add(d, CHECK_UNSUPPORTED_FUNCTION_RULE, &rf->src, v->span.start,
		 v->span.end, obj->pointer, obj->name, "invoke",
		 "the platform accepts only true, false, \"auth != null\" and "
		 "\"auth.loginType != 'ANONYMOUS' && auth != null\" as a "
		 "function rule");
}

static void check_object(struct diag_list *d, struct rule_file *rf,
			 const struct rule_object *obj)
{
	size_t i;

	for (i = 0; i < obj->node->nmembers; i++) {
		const struct json_member *m = &obj->node->members[i];

		if (!rules_is_op(obj->kind, m->key.text)) {
			check_key(d, rf, obj, m);
			continue;
		}
		check_value(d, rf, obj, m);
		if (obj->kind == RULE_KIND_FUNCTION && !m->shadowed)
			check_invoke(d, rf, obj, m);
	}
}

/* Is SET a map from function names to rules, rather than, say, one
 * function's entry in a deployment config that holds its rule? */
static int is_function_set(const struct json_node *set)
{
	size_t i;

	if (set->type != JSON_OBJECT)
		return 0;
	for (i = 0; i < set->nmembers; i++)
		if (set->members[i].value->type != JSON_OBJECT)
			return 0;
	return 1;
}

/* A set of function rules must hold the "*" entry. */
static void check_wildcards(struct diag_list *d, struct rule_file *rf)
{
	const struct json_node *last = NULL;
	size_t i;

	for (i = 0; i < rf->nobjects; i++) {
		const struct rule_object *obj = &rf->objects[i];
		const struct json_node *set = obj->parent;

		if (obj->kind != RULE_KIND_FUNCTION || !set || set == last)
			continue;
		last = set;
		if (!is_function_set(set) || json_lookup(set, "*"))
			continue;
		diag_add(d, CHECK_MISSING_WILDCARD, &rf->src, set->span.start,
			 set->span.start + 1, NULL, NULL, "invoke",
			 "function rules have no '*' entry, which the "
			 "platform requires");
	}
}

int structure_check(struct diag_list *d, struct rule_file *rf, int explicit)
{
	size_t i;

	if (!check_firebase(d, rf, explicit))
		return 0;
	if (rf->nobjects == 0 && !explicit)
		return 0;

	check_events(d, rf);
	if (rf->nobjects == 0 && !rf->firebase)
		diag_add(d, CHECK_NO_RULE_OBJECT, &rf->src,
			 rf->json.root->span.start,
			 rf->json.root->span.start + 1, NULL, NULL, NULL,
			 "no rule object found: no object here has read, "
			 "write, create, update, delete or invoke keys");
	for (i = 0; i < rf->nobjects; i++)
		check_object(d, rf, &rf->objects[i]);
	check_wildcards(d, rf);
	return 1;
}
