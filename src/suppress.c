/* Suppressions and baselines: which rule a finding belongs to (by the
 * member of a rule object that holds it), rulecheck-disable comments and
 * the lines they govern, the entries of a configuration file, and
 * baseline files of fingerprints, written by rename so that a failed run
 * never leaves half a file. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hint.h"
#include "json.h"
#include "suppress.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define KEYWORD "rulecheck-disable"
#define PRINT_MAX 512		/* longer expressions are cut and hashed */
#define PRINT_KEEP 480

/* ---- where a finding sits --------------------------------------------- */

/* A member of a rule object: its key through the end of its value. */
struct site {
	size_t start, end;
	size_t parent;		/* the enclosing site, or SIZE_MAX */
	const struct rule_object *obj;
	const struct json_member *m;
};

struct sites {
	struct site *v;
	size_t n;
	size_t *owner;		/* per rule object: the raw offset of the key
				   naming it, or SIZE_MAX */
};

static int by_start(const void *pa, const void *pb)
{
	const struct site *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->end > b->end ? -1 : a->end < b->end;
}

/* Sites nest like the objects holding them; each learns its parent by
 * one sweep over the sorted list. */
static void link_parents(struct sites *s)
{
	size_t *stack = conf_xmalloc(s->n * sizeof(*stack)), top = 0, i;

	for (i = 0; i < s->n; i++) {
		while (top && s->v[stack[top - 1]].end <= s->v[i].start)
			top--;
		s->v[i].parent = top ? stack[top - 1] : SIZE_MAX;
		stack[top++] = i;
	}
	free(stack);
}

/* The key whose value is the rule object OBJ, as a raw offset: members
 * are in document order, so bisection finds it. */
static size_t owner_key(const struct rule_object *obj)
{
	const struct json_node *p = obj->parent;
	size_t lo = 0, hi, mid, at = obj->node->span.start;

	if (!p || p->type != JSON_OBJECT)
		return SIZE_MAX;
	hi = p->nmembers;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (p->members[mid].value->span.start < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->nmembers && p->members[lo].value == obj->node)
		return p->members[lo].key_span.start;
	return SIZE_MAX;
}

static void sites_build(struct sites *s, const struct rule_file *rf)
{
	size_t i, j, n = 0;

	memset(s, 0, sizeof(*s));
	if (!rf)
		return;
	s->owner = conf_xmalloc(rf->nobjects * sizeof(*s->owner));
	for (i = 0; i < rf->nobjects; i++)
		s->owner[i] = owner_key(&rf->objects[i]);
	for (i = 0; i < rf->nobjects; i++)
		n += rf->objects[i].node->nmembers;
	s->v = conf_xmalloc(n * sizeof(*s->v));
	for (i = 0; i < rf->nobjects; i++) {
		const struct rule_object *obj = &rf->objects[i];

		for (j = 0; j < obj->node->nmembers; j++) {
			const struct json_member *m = &obj->node->members[j];
			struct site st = {m->key_span.start, m->value->span.end,
					  SIZE_MAX, obj, m};

			s->v[s->n++] = st;
		}
	}
	qsort(s->v, s->n, sizeof(*s->v), by_start);
	link_parents(s);
}

static void sites_free(struct sites *s)
{
	free(s->v);
	free(s->owner);
}

/* The innermost site holding the finding F, or NULL. */
static const struct site *site_of(const struct sites *s,
				  const struct rule_file *rf,
				  const struct finding *f)
{
	size_t lo = 0, hi = s->n, i;

	if (!rf || f->file != &rf->src)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].start <= f->start)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo ? lo - 1 : SIZE_MAX; i != SIZE_MAX; i = s->v[i].parent)
		if (f->start < s->v[i].end)
			return &s->v[i];
	return NULL;
}

/* The JSON pointer of a site: its object's, then the key (RFC 6901). */
static char *site_pointer(const struct site *st)
{
	const struct json_string *k = &st->m->key;
	size_t n = strlen(st->obj->pointer), i;
	char *p = conf_xmalloc(n + 2 * k->len + 2), *q = p + n;

	memcpy(p, st->obj->pointer, n);
	*q++ = '/';
	for (i = 0; i < k->len; i++) {
		if (k->text[i] == '~' || k->text[i] == '/') {
			*q++ = '~';
			*q++ = k->text[i] == '~' ? '0' : '1';
		} else {
			*q++ = k->text[i];
		}
	}
	*q = '\0';
	return p;
}

/* The pointer of the rule holding F: the member's when F sits in a rule
 * object, else the finding's own. */
static char *pointer_of(const struct finding *f, const struct site *st)
{
	if (st)
		return site_pointer(st);
	return conf_xstrdup(f->pointer ? f->pointer : "");
}

/* ---- fingerprints ----------------------------------------------------- */

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

/* TEXT without white space and control characters; past PRINT_MAX
 * bytes, the start of it and a hash of the whole. */
static char *squeeze(const char *text, size_t len)
{
	char *out = conf_xmalloc(len + 1);
	size_t i, n = 0, keep = PRINT_KEEP;
	uint64_t h;

	for (i = 0; i < len; i++)
		if ((unsigned char)text[i] > 0x20 && text[i] != 0x7f)
			out[n++] = text[i];
	out[n] = '\0';
	if (n <= PRINT_MAX)
		return out;

	h = fnv1a(out, n);
	while (keep > 0 && ((unsigned char)out[keep] & 0xC0) == 0x80)
		keep--;
	snprintf(out + keep, n + 1 - keep, "#%016llx", (unsigned long long)h);
	return out;
}

static char *expression_of(const struct finding *f, const struct site *st)
{
	const struct json_node *v;

	if (!st)
		return squeeze(f->file->buf + f->start, f->end - f->start);
	v = st->m->value;
	if (v->type == JSON_STRING)
		return squeeze(v->str.text, v->str.len);
	return squeeze(f->file->buf + v->span.start,
		       v->span.end - v->span.start);
}

/* The name of the file of F relative to the directory DIR. */
static char *file_key(const char *dir, const struct src_file *file)
{
	char *abs = conf_absolute(file->name), *rel;

	if (!abs)
		return conf_xstrdup(file->name);
	rel = conf_relative(dir, abs);
	free(abs);
	return rel;
}

static void fingerprint(struct suppress_entry *e, const struct finding *f,
			const struct site *st, const char *file)
{
	e->check = (char *)check_table[f->check].id;
	e->file = (char *)file;
	e->pointer = pointer_of(f, st);
	e->expression = expression_of(f, st);
	e->used = 0;
}

/* ---- removing findings ------------------------------------------------ */

/* Keep the findings of D whose KEEP flag is set, in their order; the
 * texts of the others stay with D until it is freed. */
static void compact(struct diag_list *d, const unsigned char *keep)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		if (keep[i])
			d->v[n++] = d->v[i];
	d->n = n;
}

/* ---- rulecheck-disable comments --------------------------------------- */

struct directive {
	size_t start, end;	/* the comment */
	unsigned target;	/* the line it governs */
	unsigned char named[CHECK_COUNT];
	unsigned char used[CHECK_COUNT];
};

struct directives {
	struct directive *v;
	size_t n;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_blank(const char *p, const char *end)
{
	while (p < end && is_blank(*p))
		p++;
	return p;
}

static int is_id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static void malformed(struct diag_list *d, const struct rule_file *rf,
		      const struct directive *dir, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void malformed(struct diag_list *d, const struct rule_file *rf,
		      const struct directive *dir, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(d, CHECK_UNUSED_SUPPRESSION, &rf->src, dir->start, dir->end,
		 NULL, NULL, NULL, "%s", msg);
}

/* The check named by the N bytes at P, or -1 after reporting. */
static int directive_check(struct diag_list *d, const struct rule_file *rf,
			   const struct directive *dir, const char *p,
			   size_t n)
{
	const char *ids[CHECK_COUNT], *hint;
	char name[64];
	int i, id;

	snprintf(name, sizeof(name), "%.*s", (int)(n < 63 ? n : 63), p);
	id = n < 63 ? check_by_name(name) : -1;
	if (id >= 0)
		return id;
	for (i = 0; i < CHECK_COUNT; i++)
		ids[i] = check_table[i].id;
	hint = hint_nearest(name, ids, CHECK_COUNT);
	if (hint)
		malformed(d, rf, dir, "unknown check '%s' in a suppression "
			  "comment; did you mean '%s'?", name, hint);
	else
		malformed(d, rf, dir, "unknown check '%s' in a suppression "
			  "comment; see --list-checks", name);
	return -1;
}

/* Parse "ID[, ID...]: REASON" from P to END into DIR.  Returns 1, or 0
 * after reporting a malformed directive. */
static int parse_ids(struct diag_list *d, const struct rule_file *rf,
		     struct directive *dir, const char *p, const char *end)
{
	const char *q;
	int id, first = -1;

	for (;;) {
		p = skip_blank(p, end);
		for (q = p; q < end && is_id_char(*q); q++)
			;
		if (q == p) {
			malformed(d, rf, dir, "suppression comment names no "
				  "check; write '" KEYWORD " ID: REASON'");
			return 0;
		}
		id = directive_check(d, rf, dir, p, (size_t)(q - p));
		if (id < 0)
			return 0;
		dir->named[id] = 1;
		first = first < 0 ? id : first;
		p = skip_blank(q, end);
		if (p == end || *p != ',')
			break;
		p++;
	}
	if (p < end && *p == ':' && skip_blank(p + 1, end) < end)
		return 1;
	malformed(d, rf, dir, "suppression comment gives no reason; write '"
		  KEYWORD " %s: REASON'", check_table[first].id);
	return 0;
}

/* Is the comment EV a directive?  Returns 1 with DIR filled in, 0 for
 * another comment or a malformed directive (reported). */
static int parse_directive(struct diag_list *d, const struct rule_file *rf,
			   const struct json_event *ev, struct directive *dir)
{
	const char *buf = rf->src.buf, *p = buf + ev->span.start + 2;
	const char *end = buf + ev->span.end;
	size_t n = strlen(KEYWORD);

	if (buf[ev->span.start + 1] == '*' && end - p >= 2 &&
	    memcmp(end - 2, "*/", 2) == 0)
		end -= 2;
	if (end < p)
		end = p;
	p = skip_blank(p, end);
	if ((size_t)(end - p) < n || memcmp(p, KEYWORD, n) != 0)
		return 0;
	p += n;
	if (p < end && !is_blank(*p) && *p != ':')
		return 0;

	memset(dir, 0, sizeof(*dir));
	dir->start = ev->span.start;
	dir->end = ev->span.end;
	return parse_ids(d, rf, dir, p, end);
}

static int at_line_end(const struct src_file *src, size_t pos)
{
	return pos >= src->len || src->buf[pos] == '\n' ||
	       src->buf[pos] == '\r';
}

static size_t skip_blank_at(const struct src_file *src, size_t pos)
{
	while (pos < src->len && is_blank(src->buf[pos]))
		pos++;
	return pos;
}

/* The line the comment I governs, given NEXT, the comment after it
 * (SIZE_MAX for none), and T, the lines governed by those after I. */
static unsigned follow(const struct rule_file *rf, size_t i, size_t next,
		       const unsigned *t)
{
	const struct src_file *src = &rf->src;
	const struct json_event *ev = rf->json.events;
	unsigned line = src_position(src, ev[i].span.end - 1).line + 1;
	size_t pos;

	if (line > src->nlines)
		return line;
	pos = skip_blank_at(src, src->line_starts[line - 1]);
	if (next == SIZE_MAX || ev[next].span.start != pos)
		return line;
	pos = skip_blank_at(src, ev[next].span.end);
	if (pos >= src->len)
		return (unsigned)src->nlines + 1;
	if (!at_line_end(src, pos))
		return src_position(src, pos).line;
	return t[next];
}

/* The line each comment governs: the next line, passing over lines that
 * hold only comments, so that directives can be stacked.  Computed from
 * the last comment back, each from the one after it. */
static unsigned *comment_targets(const struct rule_file *rf)
{
	const struct json_doc *doc = &rf->json;
	unsigned *t = conf_xmalloc(doc->nevents * sizeof(*t));
	size_t i = doc->nevents, next = SIZE_MAX;

	while (i-- > 0) {
		if (doc->events[i].kind != JSON_EV_COMMENT)
			continue;
		t[i] = follow(rf, i, next, t);
		next = i;
	}
	return t;
}

static int by_target(const void *pa, const void *pb)
{
	const struct directive *a = pa, *b = pb;

	if (a->target != b->target)
		return a->target < b->target ? -1 : 1;
	return a->start < b->start ? -1 : a->start > b->start;
}

static void directives_parse(struct directives *ds, struct diag_list *d,
			     const struct rule_file *rf)
{
	const struct json_doc *doc = &rf->json;
	unsigned *targets = comment_targets(rf);
	size_t i;

	ds->n = 0;
	ds->v = conf_xmalloc(doc->nevents * sizeof(*ds->v));
	for (i = 0; i < doc->nevents; i++) {
		struct directive *dir = &ds->v[ds->n];

		if (doc->events[i].kind != JSON_EV_COMMENT ||
		    !parse_directive(d, rf, &doc->events[i], dir))
			continue;
		dir->target = targets[i];
		ds->n++;
	}
	free(targets);
	if (ds->n > 1)
		qsort(ds->v, ds->n, sizeof(*ds->v), by_target);
}

/* Mark and count the directives governing LINE that name CHECK. */
static int directive_match(struct directives *ds, unsigned line,
			   enum check_id check)
{
	size_t lo = 0, hi = ds->n;
	int hit = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ds->v[mid].target < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ds->n && ds->v[lo].target == line; lo++) {
		if (!ds->v[lo].named[check])
			continue;
		ds->v[lo].used[check] = 1;
		hit = 1;
	}
	return hit;
}

static void directives_unused(struct directives *ds, struct diag_list *d,
			      const struct rule_file *rf)
{
	size_t i;
	int c;

	if (!rf->json.root)
		return;
	for (i = 0; i < ds->n; i++)
		for (c = 0; c < CHECK_COUNT; c++)
			if (ds->v[i].named[c] && !ds->v[i].used[c] &&
			    d->enabled[c])
				diag_add(d, CHECK_UNUSED_SUPPRESSION, &rf->src,
					 ds->v[i].start, ds->v[i].end, NULL,
					 NULL, NULL, "nothing to suppress: no "
					 "'%s' finding on line %u",
					 check_table[c].id, ds->v[i].target);
}

/* ---- suppressions of the configuration -------------------------------- */

/* Is the pointer Q at or beneath P? */
static int within(const char *q, const char *p)
{
	size_t n = strlen(p);

	return strncmp(q, p, n) == 0 && (q[n] == '\0' || q[n] == '/');
}

/* Does RF hold a rule object or a rule at or beneath POINTER? */
static int holds(const struct rule_file *rf, const struct sites *s,
		 const char *pointer)
{
	size_t i;
	char *p;
	int hit = 0;

	for (i = 0; i < rf->nobjects; i++)
		if (within(rf->objects[i].pointer, pointer))
			return 1;
	for (i = 0; i < s->n && !hit; i++) {
		p = site_pointer(&s->v[i]);
		hit = within(p, pointer);
		free(p);
	}
	return hit;
}

/* Which entries of the configuration apply to this file.  An entry is
 * covered, and so reported when it matches nothing, when the file has
 * the rule it points to, or, without a pointer, when its files name
 * the file; its check must be on and the file must be JSON. */
static unsigned char *applicable(struct conf_view *v,
				 const struct diag_list *d,
				 const struct rule_file *rf,
				 const struct sites *sites)
{
	struct conf *cfg = v->cfg;
	unsigned char *app;
	size_t i;

	app = conf_xmalloc(cfg ? cfg->nsuppressions : 0);
	for (i = 0; cfg && i < cfg->nsuppressions; i++) {
		struct conf_suppression *s = &cfg->suppressions[i];

		app[i] = s->files.n == 0 ||
			 conf_glob_match(&s->files, v->rel);
		if (!app[i] || !d->enabled[s->check] || !rf->json.root)
			continue;
		if (s->pointer ? holds(rf, sites, s->pointer) : s->files.n > 0)
			s->covered = 1;
	}
	return app;
}

static int conf_match(struct conf *cfg, const unsigned char *app,
			const struct finding *f, const char *pointer)
{
	size_t i;
	int hit = 0;

	for (i = 0; cfg && i < cfg->nsuppressions; i++) {
		struct conf_suppression *s = &cfg->suppressions[i];

		if (!app[i] || s->check != f->check ||
		    (s->pointer && !within(pointer, s->pointer)))
			continue;
		s->used = 1;
		hit = 1;
	}
	return hit;
}

struct file_state {
	const struct rule_file *rf;
	struct sites sites;
	struct directives dirs;
	struct conf *cfg;
	unsigned char *app;
};

static int suppressed(struct file_state *fs, const struct finding *f)
{
	const struct src_file *src = &fs->rf->src;
	const struct site *st;
	unsigned own, key, line;
	size_t owner;
	char *pointer;
	int hit;

	if (f->check == CHECK_UNUSED_SUPPRESSION || f->file != src)
		return 0;
	st = site_of(&fs->sites, fs->rf, f);
	own = key = src_position(src, f->start).line;
	if (st)
		key = src_position(src, st->m->key_span.start).line;
	hit = directive_match(&fs->dirs, own, f->check);
	if (key != own)
		hit |= directive_match(&fs->dirs, key, f->check);
	owner = st ? fs->sites.owner[st->obj - fs->rf->objects] : SIZE_MAX;
	if (owner != SIZE_MAX &&
	    (line = src_position(src, owner).line) != own && line != key)
		hit |= directive_match(&fs->dirs, line, f->check);

	pointer = pointer_of(f, st);
	hit |= conf_match(fs->cfg, fs->app, f, pointer);
	free(pointer);
	return hit;
}

void suppress_file(struct diag_list *d, const struct rule_file *rf,
		   struct conf_view *v)
{
	struct file_state fs;
	unsigned char *keep;
	size_t i;

	fs.rf = rf;
	fs.cfg = v->cfg;
	directives_parse(&fs.dirs, d, rf);
	if (fs.dirs.n == 0 && !(v->cfg && v->cfg->nsuppressions)) {
		free(fs.dirs.v); /* nothing here can suppress a finding */
		return;
	}
	sites_build(&fs.sites, rf);
	fs.app = applicable(v, d, rf, &fs.sites);

	keep = conf_xmalloc(d->n);
	for (i = 0; i < d->n; i++)
		keep[i] = !suppressed(&fs, &d->v[i]);
	compact(d, keep);
	directives_unused(&fs.dirs, d, rf);

	free(keep);
	free(fs.app);
	free(fs.dirs.v);
	sites_free(&fs.sites);
}

void suppress_unused(struct diag_list *d, const struct conf *cfg)
{
	char pointer[48];
	size_t i;

	for (i = 0; i < cfg->nsuppressions; i++) {
		const struct conf_suppression *s = &cfg->suppressions[i];

		if (!s->covered || s->used)
			continue;
		snprintf(pointer, sizeof(pointer), "/suppressions/%zu", i);
		diag_add(d, CHECK_UNUSED_SUPPRESSION, &cfg->src, s->start,
			 s->end, pointer, NULL, NULL, "suppression of '%s' "
			 "matches no finding", check_table[s->check].id);
	}
}

/* ---- reading baselines ------------------------------------------------ */

struct reader {
	const struct src_file *src;
	struct conf_fault fault;	/* at SIZE_MAX: the file could not
					   be read */
	struct src_pos pos;	/* the fault as a line and column */
};

#define bad(r, ...) conf_fail(&(r)->fault, __VA_ARGS__)

static int key_index(struct reader *r, const struct json_member *m,
		     const char *const *keys, size_t n, const char *where)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(m->key.text, keys[i]) == 0)
			return (int)i;
	return conf_unknown_key(&r->fault, m, where, keys, n);
}

static const char *const entry_keys[] = {
	"check", "file", "pointer", "expression"
};

static int read_entry(struct reader *r, const struct json_node *n,
		      struct suppress_entry *e)
{
	char **slot[] = {&e->check, &e->file, &e->pointer, &e->expression};
	size_t i;
	int k;

	if (n->type != JSON_OBJECT)
		return bad(r, n->span.start, "a baseline entry is an object, "
			   "not %s", conf_type_name(n->type));
	for (i = 0; i < n->nmembers; i++) {
		const struct json_member *m = &n->members[i];

		k = key_index(r, m, entry_keys, COUNT(entry_keys),
			      "a baseline entry");
		if (k < 0)
			return -1;
		if (m->value->type != JSON_STRING)
			return bad(r, m->value->span.start, "'%s' must be a "
				   "string, not %s", entry_keys[k],
				   conf_type_name(m->value->type));
		free(*slot[k]);
		*slot[k] = conf_xstrdup(m->value->str.text);
	}
	for (k = 0; k < (int)COUNT(entry_keys); k++)
		if (!*slot[k])
			return bad(r, n->span.start, "a baseline entry needs "
				   "'%s'", entry_keys[k]);
	return 0;
}

static int read_entries(struct reader *r, const struct json_node *n,
			struct suppress_baseline *b)
{
	size_t i;

	if (n->type != JSON_ARRAY)
		return bad(r, n->span.start, "'findings' must be an array, "
			   "not %s", conf_type_name(n->type));
	b->v = conf_xmalloc(n->nitems * sizeof(*b->v));
	b->cap = n->nitems;
	for (i = 0; i < n->nitems; i++) {
		memset(&b->v[b->n], 0, sizeof(b->v[b->n]));
		b->n++;
		if (read_entry(r, n->items[i], &b->v[b->n - 1]) < 0)
			return -1;
	}
	return 0;
}

static int read_version(struct reader *r, const struct json_node *n)
{
	int len = (int)(n->span.end - n->span.start);

	if (n->type == JSON_NUMBER && n->number == 1)
		return 0;
	return bad(r, n->span.start, "unsupported baseline version '%.*s'; "
		   "this rulecheck reads version 1", len < 32 ? len : 32,
		   r->src->buf + n->span.start);
}

static const char *const root_keys[] = {"version", "findings"};

static int read_root(struct reader *r, const struct json_doc *doc,
		     struct suppress_baseline *b)
{
	const struct json_node *root = doc->root;
	size_t i;
	int k;

	for (i = 0; i < doc->nevents; i++)
		if (doc->events[i].kind == JSON_EV_DUPLICATE_KEY)
			return bad(r, doc->events[i].span.start,
				   "duplicate key in a baseline");
	if (root->type != JSON_OBJECT)
		return bad(r, root->span.start, "a baseline is a JSON object, "
			   "not %s", conf_type_name(root->type));
	for (i = 0; i < root->nmembers; i++) {
		const struct json_member *m = &root->members[i];

		k = key_index(r, m, root_keys, COUNT(root_keys), "a baseline");
		if (k < 0 || (k == 0 ? read_version(r, m->value) :
			      read_entries(r, m->value, b)) < 0)
			return -1;
	}
	if (!json_lookup(root, "findings"))
		return bad(r, root->span.start, "a baseline needs 'findings'");
	return 0;
}

static int by_print(const void *pa, const void *pb)
{
	const struct suppress_entry *a = pa, *b = pb;
	int c = strcmp(a->file, b->file);

	if (!c)
		c = strcmp(a->pointer, b->pointer);
	if (!c)
		c = strcmp(a->check, b->check);
	if (!c)
		c = strcmp(a->expression, b->expression);
	return c;
}

static void entries_free(struct suppress_baseline *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->v[i].check);
		free(b->v[i].file);
		free(b->v[i].pointer);
		free(b->v[i].expression);
	}
	free(b->v);
	b->v = NULL;
	b->n = b->cap = 0;
}

/* Read the entries of PATH into B.  On failure R says why and where. */
static int load(struct suppress_baseline *b, const char *path,
		struct reader *r)
{
	struct src_file src;
	struct json_doc doc;
	int rc;

	r->src = &src;
	if (src_load(&src, path, path, SRC_MAX_SIZE_DEFAULT, r->fault.msg,
		     sizeof(r->fault.msg)) < 0) {
		r->fault.at = SIZE_MAX;
		return -1;
	}
	if (json_parse(&doc, src.buf, src.len, JSON_MAX_DEPTH_DEFAULT) < 0)
		rc = bad(r, doc.err_span.start, "%s", doc.err);
	else
		rc = read_root(r, &doc, b);
	if (rc < 0 && r->fault.at != SIZE_MAX)
		r->pos = src_position(&src, r->fault.at);
	json_free(&doc);
	src_free(&src);
	if (rc == 0 && b->n > 1)
		qsort(b->v, b->n, sizeof(*b->v), by_print);
	return rc;
}

static void print_fault(const char *path, const struct reader *r)
{
	if (r->fault.at == SIZE_MAX)
		fprintf(stderr, "rulecheck: %s: %s\n", path, r->fault.msg);
	else
		fprintf(stderr, "%s:%u:%u: error: %s\n", path, r->pos.line,
			r->pos.column, r->fault.msg);
}

/* The absolute directory of PATH's absolute name ABS. */
static char *dir_of(const char *abs)
{
	const char *slash = strrchr(abs, '/');
	char *dir;

	if (slash == abs)
		return conf_xstrdup("/");
	dir = strndup(abs, (size_t)(slash - abs));
	if (!dir)
		abort();
	return dir;
}

int suppress_baseline_read(struct suppress_baseline *b, const char *path)
{
	struct reader r;
	char *abs = conf_absolute(path);

	memset(b, 0, sizeof(*b));
	b->path = conf_xstrdup(path);
	if (!abs) {
		fprintf(stderr, "rulecheck: %s: %s\n", path,
			conf_errtext(errno));
		return -1;
	}
	b->dir = dir_of(abs);
	free(abs);
	if (load(b, path, &r) == 0)
		return 0;
	print_fault(path, &r);
	return -1;
}

/* ---- matching --------------------------------------------------------- */

/* An entry of B equal to E that no finding has taken yet, or NULL. */
static struct suppress_entry *take(struct suppress_baseline *b,
				   const struct suppress_entry *e)
{
	struct suppress_entry *hit;
	size_t i;

	hit = b->n ? bsearch(e, b->v, b->n, sizeof(*b->v), by_print) : NULL;
	if (!hit)
		return NULL;
	for (i = (size_t)(hit - b->v); i > 0 && !by_print(e, &b->v[i - 1]);)
		i--;
	for (; i < b->n && !by_print(e, &b->v[i]); i++)
		if (!b->v[i].used)
			return &b->v[i];
	return NULL;
}

/* The file name of F for B, computed once per file. */
static const char *file_name(const struct suppress_baseline *b,
			     const struct finding *f,
			     const struct src_file **last, char **name)
{
	if (*last != f->file) {
		free(*name);
		*name = file_key(b->dir, f->file);
		*last = f->file;
	}
	return *name;
}

/* Call FN with the fingerprint of each finding of D, in order; FN owns
 * the pointer and expression of the entry, the other strings are
 * borrowed. */
static void each_fingerprint(struct suppress_baseline *b,
			     const struct diag_list *d,
			     const struct rule_file *rf,
			     void (*fn)(struct suppress_baseline *b,
					struct suppress_entry *e, size_t i,
					void *arg),
			     void *arg)
{
	const struct src_file *last = NULL;
	struct suppress_entry e;
	struct sites s;
	char *name = NULL;
	size_t i;

	sites_build(&s, rf);
	for (i = 0; i < d->n; i++) {
		const struct finding *f = &d->v[i];

		fingerprint(&e, f, site_of(&s, rf, f),
			    file_name(b, f, &last, &name));
		fn(b, &e, i, arg);
	}
	free(name);
	sites_free(&s);
}

/* Keep finding I unless the baseline holds E, which then is used. */
static void filter_one(struct suppress_baseline *b, struct suppress_entry *e,
		       size_t i, void *keep)
{
	struct suppress_entry *hit = take(b, e);

	if (hit)
		hit->used = 1;
	((unsigned char *)keep)[i] = !hit;
	free(e->pointer);
	free(e->expression);
}

void suppress_baseline_filter(struct suppress_baseline *b,
			      struct diag_list *d,
			      const struct rule_file *rf)
{
	unsigned char *keep = conf_xmalloc(d->n);

	each_fingerprint(b, d, rf, filter_one, keep);
	compact(d, keep);
	free(keep);
}

/* Add E to the baseline. */
static void record_one(struct suppress_baseline *b, struct suppress_entry *e,
		       size_t i, void *arg)
{
	(void)i;
	(void)arg;
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 32;
		b->v = conf_xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	b->v[b->n] = *e;
	b->v[b->n].check = conf_xstrdup(e->check);
	b->v[b->n++].file = conf_xstrdup(e->file);
}

void suppress_baseline_record(struct suppress_baseline *b,
			      const struct diag_list *d,
			      const struct rule_file *rf)
{
	each_fingerprint(b, d, rf, record_one, NULL);
}

/* ---- writing baselines ------------------------------------------------ */

static void put_string(FILE *out, const char *s)
{
	putc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			putc(c, out);
	}
	putc('"', out);
}

/* One entry a line, so that a baseline under version control changes
 * line by line. */
static int write_entries(FILE *out, const struct suppress_baseline *b)
{
	size_t i;

	fputs("{\n  \"version\": 1,\n  \"findings\": [", out);
	for (i = 0; i < b->n; i++) {
		fputs(i ? ",\n    {\"check\": " : "\n    {\"check\": ", out);
		put_string(out, b->v[i].check);
		fputs(", \"file\": ", out);
		put_string(out, b->v[i].file);
		fputs(", \"pointer\": ", out);
		put_string(out, b->v[i].pointer);
		fputs(", \"expression\": ", out);
		put_string(out, b->v[i].expression);
		putc('}', out);
	}
	fputs(b->n ? "\n  ]\n}\n" : "]\n}\n", out);
	return ferror(out) ? -1 : 0;
}

/* Is the existing file PATH a baseline? */
static int is_baseline(const char *path)
{
	struct suppress_baseline tmp;
	struct reader r;
	int ok;

	memset(&tmp, 0, sizeof(tmp));
	ok = load(&tmp, path, &r) == 0;
	entries_free(&tmp);
	return ok;
}

/* Decide where B goes: a link is followed, and an existing file must be
 * a regular file holding a baseline, or empty. */
static int choose_target(struct suppress_baseline *b, const char *abs)
{
	struct stat st;

	if (lstat(b->path, &st) < 0) {
		int absent = errno == ENOENT;

		b->target = conf_xstrdup(abs);
		return absent ? 0 : -1;
	}
	b->target = S_ISLNK(st.st_mode) ? realpath(b->path, NULL) :
					  conf_xstrdup(abs);
	if (!b->target || stat(b->target, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "rulecheck: %s: not a regular file; the "
			"baseline is not written\n", b->path);
		return -2;
	}
	if (st.st_size > 0 && !is_baseline(b->target)) {
		fprintf(stderr, "rulecheck: %s: exists and is not a rulecheck "
			"baseline; it is left unchanged\n", b->path);
		return -2;
	}
	return 0;
}

int suppress_baseline_open(struct suppress_baseline *b, const char *path)
{
	char *abs;
	int rc;

	memset(b, 0, sizeof(*b));
	b->path = conf_xstrdup(path);
	if (strcmp(path, "-") == 0) {
		b->dir = realpath(".", NULL);
		return b->dir ? 0 : -1;
	}
	abs = conf_absolute(path);
	rc = abs ? choose_target(b, abs) : -1;
	if (abs)
		b->dir = dir_of(abs);
	if (rc == -1)
		fprintf(stderr, "rulecheck: %s: %s\n", path,
			conf_errtext(errno));
	free(abs);
	return rc < 0 ? -1 : 0;
}

static mode_t new_mode(const char *target)
{
	struct stat st;
	mode_t mask;

	if (stat(target, &st) == 0)
		return st.st_mode & 07777;
	mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
}

/* Write B to OUT and close it; errno tells why when it returns -1. */
static int write_file(FILE *out, const struct suppress_baseline *b)
{
	int fd = fileno(out), rc = 0, err = 0;

	if (write_entries(out, b) < 0 || fflush(out) != 0 ||
	    fchmod(fd, new_mode(b->target)) < 0 || fsync(fd) < 0) {
		rc = -1;
		err = errno;
	} else if (ftell(out) > (long)SRC_MAX_SIZE_DEFAULT) {
		rc = -1;
		err = EFBIG;	/* --baseline could not read it back */
	}
	if (fclose(out) != 0 && rc == 0) {
		rc = -1;
		err = errno;
	}
	errno = err;
	return rc;
}

/* Write B to a new file beside its target and rename it over the
 * target, so that the target is either the old file or the new one. */
static int replace(const struct suppress_baseline *b)
{
	const char *base = strrchr(b->target, '/') + 1;
	size_t n = strlen(b->target) + 16;
	char *tmp = conf_xmalloc(n);
	FILE *out;
	int fd, err = 0;

	snprintf(tmp, n, "%.*s.%s.XXXXXX", (int)(base - b->target),
		 b->target, base);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = errno;
		goto out;
	}
	out = fdopen(fd, "w");
	if (!out) {
		err = errno;
		close(fd);
	}
	if (!out || write_file(out, b) < 0 || rename(tmp, b->target) < 0) {
		err = err ? err : errno;
		unlink(tmp);
	}
out:
	if (err)
		fprintf(stderr, "rulecheck: %s: cannot write the baseline: %s\n",
			b->path, conf_errtext(err));
	free(tmp);
	return err ? -1 : 0;
}

int suppress_baseline_write(struct suppress_baseline *b)
{
	if (b->n > 1)
		qsort(b->v, b->n, sizeof(*b->v), by_print);
	if (strcmp(b->path, "-") != 0)
		return replace(b);
	if (write_entries(stdout, b) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "rulecheck: cannot write the baseline: %s\n",
			conf_errtext(errno));
		return -1;
	}
	return 0;
}

void suppress_baseline_free(struct suppress_baseline *b)
{
	entries_free(b);
	free(b->path);
	free(b->target);
	free(b->dir);
	memset(b, 0, sizeof(*b));
}
