/* The checks on one file, in the order the pipeline runs them. */
#include <stdlib.h>
#include <string.h>

#include "exprlint.h"
#include "lint.h"
#include "memo.h"
#include "structure.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The place in V's text of the raw span START..END: the first index of
 * each, checked by mapping it back.  Returns 0 when there is none. */
static int text_span(const struct rule_value *v, size_t start, size_t end,
		     size_t *ts, size_t *te)
{
	const struct json_string *str = &v->member->value->str;
	size_t i, rs, re;

	for (i = 0; i <= str->len && json_raw(str, i) != start; i++)
		;
	*ts = i;
	for (i = *ts; i <= str->len && json_raw(str, i) != end; i++)
		;
	*te = i;
	if (*ts > str->len)
		return 0;
	if (*te > str->len)
		*te = *ts;
	rules_raw_span(v->member->value, *ts, *te, &rs, &re);
	return rs == start && re == end;
}

/* The key of V's lint verdict: its kind, key and text, and the checks
 * enabled with their severities. */
static void lint_key(struct memo_key *k, const struct diag_list *d,
		     enum rule_kind kind, const struct rule_value *v)
{
	const struct json_string *str = &v->member->value->str;

	memo_key_init(k);
	memo_key_put(k, "l", 1);
	memo_key_num(k, (unsigned)kind);
	memo_key_text(k, v->key, strlen(v->key));
	memo_key_bytes(k, str->text, str->len, v->kept);
	memo_key_recent(k, (const char *)d->enabled, sizeof(d->enabled));
	memo_key_recent(k, (const char *)d->severity, sizeof(d->severity));
}

/* exprlint_check on V, or its verdict: the findings depend on nothing
 * but the kind, the key and the text, which real files repeat. */
static void lint_value(struct diag_list *d, const struct rule_file *rf,
		       const struct rule_object *obj,
		       const struct rule_value *v)
{
	enum rule_kind kind = obj->kind != RULE_KIND_UNKNOWN ? obj->kind :
			      rf->kind;
	const struct memo_verdict *kept;
	struct memo_finding found[32];
	struct memo_verdict fresh;
	struct memo_key k;
	struct finding *f;
	size_t i, first = d->n, rs, re;

	lint_key(&k, d, kind, v);
	kept = memo_verdict_get(&k);
	for (i = 0; kept && i < kept->n; i++) {
		const struct memo_finding *m = &kept->v[i];

		rules_raw_span(v->member->value, m->start, m->end, &rs, &re);
		f = diag_add(d, m->check, &rf->src, rs, re, obj->pointer,
			     obj->name, v->key, "%s", m->message);
		if (f)
			f->severity = m->severity;
	}
	if (kept)
		return;
	exprlint_check(d, rf, obj, v);
	fresh.n = d->n - first;
	for (i = 0; i < fresh.n && i < COUNT(found); i++) {
		f = &d->v[first + i];
		if (f->witness || f->principal ||
		    !text_span(v, f->start, f->end, &found[i].start,
			       &found[i].end))
			break;
		found[i].check = f->check;
		found[i].severity = f->severity;
		found[i].value = 0;
		found[i].key = 0;
		found[i].operation = NULL;
		found[i].principal = NULL;
		found[i].message = f->message;
		found[i].witness = NULL;
	}
	if (i == fresh.n) {
		fresh.work = fresh.headroom = 0;
		fresh.undecided = fresh.result = 0;
		fresh.v = found;
		memo_verdict_put(&k, &fresh);
	}
}

static void lint_expressions(struct diag_list *d, const struct rule_file *rf)
{
	size_t i, j;

	for (i = 0; i < rf->nobjects; i++) {
		const struct rule_object *obj = &rf->objects[i];

		for (j = 0; j < obj->nvalues; j++)
			if (obj->values[j].ast &&
			    !obj->values[j].member->shadowed)
				lint_value(d, rf, obj, &obj->values[j]);
	}
}

/* In a directory scan, a file that is not JSON is reported only when its
 * content looks meant to hold rules: an operation key or a root of the
 * rule language, whatever the file is called. */
static int looks_like_rules(const struct rule_file *rf)
{
	static const char *const marks[] = {"\"read\"",	  "\"write\"",
					    "\"invoke\"", "auth.",
					    "doc.",	  "resource."};
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (memmem(rf->src.buf, rf->src.len, marks[i],
			   strlen(marks[i])))
			return 1;
	return 0;
}

static int calls_get(const struct ast_node *n)
{
	size_t i;

	if (!n)
		return 0;
	if (n->kind == AST_CALL && n->a && n->a->kind == AST_IDENT &&
	    strcmp(n->a->text, "get") == 0)
		return 1;
	if (calls_get(n->a) || calls_get(n->b) || calls_get(n->c))
		return 1;
	for (i = 0; i < n->nlist; i++)
		if (calls_get(n->list[i]))
			return 1;
	return 0;
}

int lint_reads_documents(const struct rule_file *rf)
{
	size_t i, j;

	for (i = 0; i < rf->nobjects; i++)
		for (j = 0; j < rf->objects[i].nvalues; j++)
			if (calls_get(rf->objects[i].values[j].ast))
				return 1;
	return 0;
}

enum lint_result lint_file(struct diag_list *d, struct rule_file *rf,
			   int explicit, const struct access_options *ao,
			   const struct access_summary *summary)
{
	if (!rf->json.root)
		return explicit || looks_like_rules(rf) ? LINT_DONE : LINT_SKIP;
	if (!structure_check(d, rf, explicit))
		return LINT_SKIP;
	lint_expressions(d, rf);
	if (access_check(d, rf, ao) < 0)
		return LINT_INTERNAL;
	if (summary)
		access_role_docs(d, rf, ao, summary);
	return LINT_DONE;
}
