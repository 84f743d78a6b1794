/* The permission matrix and the diff.  Both read rule files quietly (the
 * findings are the main command's business) and put questions to the
 * engine through the access module. */
#include <stdlib.h>
#include <string.h>

#include "matrix.h"

/* A file loaded for the matrix; its findings are dropped. */
static int load(struct rule_file *rf, const char *path,
		const struct rule_options *ro)
{
	struct diag_list d;
	char err[256];
	int rc;

	diag_init(&d);
	rc = rules_load(rf, path, path, ro, &d, err, sizeof(err));
	diag_free(&d);
	if (rc < 0) {
		fprintf(stderr, "rulecheck: %s: %s\n", path, err);
		return -1;
	}
	if (!rf->json.root) {
		struct src_pos p = src_position(&rf->src,
						rf->json.err_span.start);

		fprintf(stderr, "rulecheck: %s:%u:%u: %s\n", path, p.line,
			p.column, rf->json.err);
		rules_free(rf);
		return -1;
	}
	return 0;
}

/* The collection, bucket or function; else the pointer; else the file. */
static const char *display_name(const struct rule_file *rf,
				const struct rule_object *obj)
{
	return obj->name ? obj->name : obj->pointer[0] ? obj->pointer :
	       rf->src.name;
}

static void print_header(FILE *out, enum rule_kind kind)
{
	const char *const *ops;
	size_t n, i;

	access_ops(kind, &ops, &n);
	fprintf(out, "%-24s", kind == RULE_KIND_STORAGE ? "bucket" :
		kind == RULE_KIND_FUNCTION ? "function" : "collection");
	for (i = 0; i < n; i++)
		fprintf(out, i + 1 < n ? " %-10s" : " %s\n", ops[i]);
}

/* One row: the widest class of each operation.  Returns -1 when one of
 * them could not be decided. */
static int matrix_row(const struct rule_file *rf, const struct rule_object *obj,
		      const struct access_options *ao, FILE *out, cJSON *rows)
{
	const char *const *ops;
	struct src_pos p = src_position(&rf->src, obj->node->span.start);
	cJSON *row = NULL, *o = NULL;
	size_t n, i;
	int rc = 0;

	access_ops(obj->kind, &ops, &n);
	if (rows) {
		row = cJSON_CreateObject();
		cJSON_AddStringToObject(row, "name", display_name(rf, obj));
		cJSON_AddStringToObject(row, "kind", rule_kind_name(obj->kind));
		cJSON_AddStringToObject(row, "file", rf->src.name);
		cJSON_AddNumberToObject(row, "line", p.line);
		cJSON_AddStringToObject(row, "pointer", obj->pointer);
		o = row;
		cJSON_AddItemToArray(rows, row);
	} else {
		fprintf(out, "%-24s", display_name(rf, obj));
	}
	for (i = 0; i < n; i++) {
		enum access_class cls = access_widest(obj, ops[i], ao, NULL);

		rc |= cls == ACCESS_UNKNOWN ? -1 : 0;
		if (o)
			cJSON_AddStringToObject(o, ops[i],
						access_class_name(cls));
		else
			fprintf(out, i + 1 < n ? " %-10s" : " %s\n",
				access_class_name(cls));
	}
	return rc;
}

static int print_kind(struct rule_file *files, size_t nfiles,
		      enum rule_kind kind, const struct access_options *ao,
		      FILE *out, cJSON *rows, int *any)
{
	size_t i, k;
	int rc = 0, header = 0;

	for (i = 0; i < nfiles; i++) {
		for (k = 0; k < files[i].nobjects; k++) {
			if (files[i].objects[k].kind != kind)
				continue;
			if (!rows && !header) {
				if ((*any)++)
					fputc('\n', out);
				print_header(out, kind);
				header = 1;
			}
			rc |= matrix_row(&files[i], &files[i].objects[k],
					 &ao[i], out, rows);
		}
	}
	return rc;
}

/* The options of every file of L that is not excluded, in *AOS, before
 * anything is read: an invalid configuration stops the run.  Returns the
 * number of files, or -1. */
static long matrix_options(const struct scan_list *l,
			   const struct access_options *ao,
			   const struct matrix_config *mc,
			   struct access_options *aos, size_t *keep)
{
	size_t i, n = 0;
	int r;

	for (i = 0; i < l->n; i++) {
		aos[n] = *ao;
		r = conf_access(mc->set, l->v[i].path, l->v[i].explicit,
				mc->cli, &aos[n]);
		if (r < 0)
			return -1;
		if (r > 0)
			keep[n++] = i;
	}
	return (long)n;
}

static void print_json(FILE *out, cJSON *root)
{
	char *text = cJSON_Print(root);

	fprintf(out, "%s\n", text);
	free(text);
	cJSON_Delete(root);
}

int matrix_print(const struct scan_list *l, const struct rule_options *ro,
		 const struct access_options *ao,
		 const struct matrix_config *mc, int json, FILE *out)
{
	static const enum rule_kind kinds[] = {
		RULE_KIND_DATABASE, RULE_KIND_STORAGE, RULE_KIND_FUNCTION
	};
	size_t cap = l->n ? l->n : 1, *keep = calloc(cap, sizeof(*keep));
	struct rule_file *files = calloc(cap, sizeof(*files));
	struct access_options *aos = calloc(cap, sizeof(*aos));
	cJSON *root = json ? cJSON_CreateObject() : NULL;
	cJSON *rows = json ? cJSON_AddArrayToObject(root, "matrix") : NULL;
	long nkeep;
	size_t i, n = 0;
	int rc = 0, any = 0;

	if (!files || !aos || !keep)
		abort();
	nkeep = matrix_options(l, ao, mc, aos, keep);
	for (i = 0; nkeep > 0 && i < (size_t)nkeep; i++) {
		aos[n] = aos[i];
		if (load(&files[n], l->v[keep[i]].path, ro) < 0)
			rc = -1;
		else
			n++;
	}
	for (i = 0; nkeep >= 0 && i < 3; i++)
		rc |= print_kind(files, n, kinds[i], aos, out, rows, &any);
	if (json && nkeep >= 0)
		print_json(out, root);
	else
		cJSON_Delete(root);
	for (i = 0; i < n; i++)
		rules_free(&files[i]);
	free(files);
	free(aos);
	free(keep);
	return rc < 0 || nkeep < 0 ? 2 : 0;
}

/* ---- diff ------------------------------------------------------------- */

/* The object of OLD that corresponds to OBJ of NEW: same kind and name,
 * or, when unnamed, the same pointer. */
static const struct rule_object *counterpart(const struct rule_file *old,
					     const struct rule_object *obj)
{
	size_t i;

	for (i = 0; i < old->nobjects; i++) {
		const struct rule_object *o = &old->objects[i];

		if (o->kind != obj->kind)
			continue;
		if (obj->name && o->name && strcmp(obj->name, o->name) == 0)
			return o;
		if (!obj->name && !o->name &&
		    strcmp(obj->pointer, o->pointer) == 0)
			return o;
	}
	return NULL;
}

/* Is there a request of class CLS that NEW allows and OLD denies? */
static enum sym_result new_access(const struct rule_object *obj,
				  const struct rule_object *was,
				  const char *op, int cls,
				  const struct access_options *ao,
				  struct sym_witness *w)
{
	struct sym_goal g[2];
	struct sym_query q;

	if (!access_goal(obj, op, &g[0]))
		return SYM_UNKNOWN;
	memset(&g[1], 0, sizeof(g[1]));
	g[1].op = op;
	if (was && !access_goal(was, op, &g[1]))
		return SYM_UNKNOWN;
	g[1].want = SYM_WANT_DENY;
	memset(&q, 0, sizeof(q));
	q.kind = obj->kind;
	q.cls = cls < SYM_CLASS_COUNT ? (enum sym_class)cls : SYM_ANY;
	q.identity_absent = cls == SYM_CLASS_COUNT;
	q.identity_free = cls >= SYM_ANY;
	q.goals = g;
	q.ngoals = 2;
	access_limit_query(ao, &q);
	return sym_solve(&q, w);
}

static void print_change(FILE *out, cJSON *changes,
			 const struct rule_file *rf,
			 const struct rule_object *obj, const char *op,
			 int cls, const struct sym_witness *w)
{
	cJSON *wj = sym_witness_json(w, obj->kind), *c;
	const char *name = cls < SYM_CLASS_COUNT ?
			   sym_class_name((enum sym_class)cls) :
			   "null-identity";
	char *text;

	if (changes) {
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "name", display_name(rf, obj));
		cJSON_AddStringToObject(c, "kind", rule_kind_name(obj->kind));
		cJSON_AddStringToObject(c, "operation", op);
		cJSON_AddStringToObject(c, "class", name);
		cJSON_AddStringToObject(c, "file", rf->src.name);
		cJSON_AddStringToObject(c, "pointer", obj->pointer);
		cJSON_AddItemToObject(c, "witness", wj);
		cJSON_AddItemToArray(changes, c);
		return;
	}
	text = cJSON_PrintUnformatted(wj);
	fprintf(out, "%s: %s %s: new access for %s\n  witness %s\n",
		rf->src.name, obj->pointer[0] ? obj->pointer : "/", op, name,
		text);
	free(text);
	cJSON_Delete(wj);
}

/* Compare one object of NEW with OLD; returns 1 new access, 0 none, -1
 * undecided. */
static int diff_object(const struct rule_file *rf, const struct rule_file *old,
		       const struct rule_object *obj,
		       const struct access_options *ao, FILE *out,
		       cJSON *changes)
{
	const struct rule_object *was = counterpart(old, obj);
	const char *const *ops;
	struct sym_witness w;
	size_t n, i;
	int rc = 0, cls;
	enum sym_result r = SYM_UNSAT;

	access_ops(obj->kind, &ops, &n);
	for (i = 0; i < n; i++) {
		for (cls = SYM_PUBLIC; cls <= SYM_CLASS_COUNT; cls++) {
			r = new_access(obj, was, ops[i], cls, ao, &w);
			if (r != SYM_UNSAT)
				break;
		}
		if (r == SYM_SAT) {
			print_change(out, changes, rf, obj, ops[i], cls, &w);
			sym_witness_free(&w);
			rc = rc < 0 ? rc : 1;
		} else if (r != SYM_UNSAT) {
			fprintf(stderr, "rulecheck: %s: %s %s: could not be "
				"decided\n", rf->src.name, display_name(rf, obj),
				ops[i]);
			rc = -1;
		}
	}
	return rc;
}

int matrix_diff(const char *old, const char *new,
		const struct rule_options *ro,
		const struct access_options *ao,
		const struct matrix_config *mc, int json, FILE *out)
{
	struct access_options opt = *ao;
	struct rule_file a, b;
	cJSON *root, *changes;
	int rc = 0, r;
	size_t i;

	if (conf_access(mc->set, new, 1, mc->cli, &opt) < 0)
		return 2;
	if (load(&a, old, ro) < 0)
		return 2;
	if (load(&b, new, ro) < 0) {
		rules_free(&a);
		return 2;
	}
	root = json ? cJSON_CreateObject() : NULL;
	changes = json ? cJSON_AddArrayToObject(root, "diff") : NULL;
	for (i = 0; i < b.nobjects; i++) {
		r = diff_object(&b, &a, &b.objects[i], &opt, out, changes);
		rc = rc < 0 || r < 0 ? -1 : rc | r;
	}
	if (json)
		print_json(out, root);
	rules_free(&a);
	rules_free(&b);
	return rc < 0 ? 2 : rc;
}
