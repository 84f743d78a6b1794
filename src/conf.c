/* Configuration files: finding the nearest .rulecheck.json by walking up
 * from a file's directory (cached per directory), validating it with
 * positions for every fault, matching its globs, and layering its
 * settings, its overrides and the command line into one view per file. */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "hint.h"
#include "json.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define CONF_MAX_FIELD 64	/* bytes in an owner field's name */

void *conf_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

void *conf_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *conf_xstrdup(const char *s)
{
	char *t = strdup(s);

	if (!t)
		abort();
	return t;
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *s = conf_xmalloc(n);

	snprintf(s, n, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/",
		 name);
	return s;
}

const char *conf_errtext(int errnum)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s", strerror(errnum));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && buf[1] >= 'a' && buf[1] <= 'z')
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

/* ---- settings --------------------------------------------------------- */

void conf_settings_init(struct conf_settings *s)
{
	memset(s, 0, sizeof(*s));
	memset(s->enabled, -1, sizeof(s->enabled));
	memset(s->severity, -1, sizeof(s->severity));
}

/* Layer TOP over S: whatever TOP sets wins. */
static void settings_merge(struct conf_settings *s,
			   const struct conf_settings *top)
{
	int i;

	for (i = 0; i < CHECK_COUNT; i++) {
		if (top->enabled[i] >= 0)
			s->enabled[i] = top->enabled[i];
		if (top->severity[i] >= 0)
			s->severity[i] = top->severity[i];
	}
	if (top->level)
		s->level = top->level;
	if (top->callers_set) {
		s->callers_set = 1;
		s->callers = top->callers;
	}
}

/* ---- paths ------------------------------------------------------------ */

/* PATH made absolute, its directory through the one-entry cache
 * *LAST_DIR and *LAST_REAL when they are not NULL: the files of a scan
 * come by directory, and resolving each file's directory again cost
 * more system calls than reading the file. */
static char *absolute(const char *path, char **last_dir, char **last_real)
{
	const char *slash = strrchr(path, '/');
	char *dir, *real, *abs;

	if (!slash)
		dir = conf_xstrdup(".");
	else if (slash == path)
		dir = conf_xstrdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		abort();
	if (last_dir && *last_dir && strcmp(*last_dir, dir) == 0) {
		real = conf_xstrdup(*last_real);
	} else {
		real = realpath(dir, NULL);
		if (last_dir && real) {
			free(*last_dir);
			free(*last_real);
			*last_dir = conf_xstrdup(dir);
			*last_real = conf_xstrdup(real);
		}
	}
	free(dir);
	if (!real)
		return NULL;

	slash = slash ? slash + 1 : path;
	if (*slash == '\0')
		return real;
	abs = join(real, slash);
	free(real);
	return abs;
}

char *conf_absolute(const char *path)
{
	return absolute(path, NULL, NULL);
}

/* The non-empty segments of S other than ".", pointing into *COPY. */
static char **split(const char *s, char **copy, size_t *n)
{
	char **seg = conf_xmalloc((strlen(s) / 2 + 2) * sizeof(*seg));
	char *p, *save = NULL;

	*copy = conf_xstrdup(s);
	*n = 0;
	for (p = strtok_r(*copy, "/", &save); p; p = strtok_r(NULL, "/", &save))
		if (strcmp(p, ".") != 0)
			seg[(*n)++] = p;
	return seg;
}

static void append(char **s, size_t *len, const char *part)
{
	size_t n = strlen(part);

	*s = conf_xrealloc(*s, *len + n + 2);
	if (*len)
		(*s)[(*len)++] = '/';
	memcpy(*s + *len, part, n + 1);
	*len += n;
}

char *conf_relative(const char *dir, const char *abs)
{
	char *dcopy, *acopy, **d, **a, *out = NULL;
	size_t nd, na, k = 0, i, len = 0;

	d = split(dir, &dcopy, &nd);
	a = split(abs, &acopy, &na);
	while (k < nd && k < na && strcmp(d[k], a[k]) == 0)
		k++;
	for (i = k; i < nd; i++)
		append(&out, &len, "..");
	for (i = k; i < na; i++)
		append(&out, &len, a[i]);

	free(d);
	free(a);
	free(dcopy);
	free(acopy);
	return out ? out : conf_xstrdup(".");
}

/* ---- globs ------------------------------------------------------------ */

/* Match the segments P against the path segments S.  "**" takes any
 * number of segments; when the pattern runs out first, it matched a
 * directory holding the path.  One backtracking point suffices, since
 * every other segment takes exactly one, so the cost stays
 * quadratic. */
static int match_segments(char **p, size_t np, char **s, size_t ns)
{
	size_t i = 0, j = 0, star = SIZE_MAX, mark = 0;

	while (j < ns) {
		if (i == np)
			return 1;
		if (strcmp(p[i], "**") == 0) {
			star = i++;
			mark = j;
		} else if (fnmatch(p[i], s[j], 0) == 0) {
			i++;
			j++;
		} else if (star != SIZE_MAX) {
			i = star + 1;
			j = ++mark;
		} else {
			return 0;
		}
	}
	while (i < np && strcmp(p[i], "**") == 0)
		i++;
	return i == np;
}

static int glob_match(const char *pattern, const char *rel)
{
	char *pcopy, *scopy, **p, **s;
	size_t np, ns;
	int m;

	p = split(pattern, &pcopy, &np);
	s = split(rel, &scopy, &ns);
	m = np > 0 && match_segments(p, np, s, ns);
	free(p);
	free(s);
	free(pcopy);
	free(scopy);
	return m;
}

/* Does PATTERN have a segment, so that it names some path? */
static int names_path(const char *pattern)
{
	char *copy, **p;
	size_t n;

	p = split(pattern, &copy, &n);
	free(p);
	free(copy);
	return n > 0;
}

int conf_glob_match(const struct conf_globs *g, const char *rel)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (glob_match(g->v[i], rel))
			return 1;
	return 0;
}

static void globs_free(struct conf_globs *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->v[i]);
	free(g->v);
	memset(g, 0, sizeof(*g));
}

/* ---- the directory cache ---------------------------------------------- */

/* Open addressing from absolute directory names to an index into the
 * set's configurations, or -1 for none. */
struct conf_cache {
	char **keys;
	int *vals;
	size_t cap, n;
	char *last_dir, *last_real;	/* for absolute() */
};

static size_t hash(const char *s)
{
	uint64_t h = 14695981039346656037u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return (size_t)h;
}

static size_t cache_slot(const struct conf_cache *c, const char *key)
{
	size_t i = hash(key) & (c->cap - 1);

	while (c->keys[i] && strcmp(c->keys[i], key) != 0)
		i = (i + 1) & (c->cap - 1);
	return i;
}

static int cache_get(const struct conf_cache *c, const char *key, int *val)
{
	size_t i;

	if (!c->cap)
		return 0;
	i = cache_slot(c, key);
	if (!c->keys[i])
		return 0;
	*val = c->vals[i];
	return 1;
}

static void cache_grow(struct conf_cache *c)
{
	struct conf_cache old = *c;
	size_t i, j;

	c->cap = old.cap ? 2 * old.cap : 64;
	c->keys = calloc(c->cap, sizeof(*c->keys));
	c->vals = conf_xmalloc(c->cap * sizeof(*c->vals));
	if (!c->keys)
		abort();
	for (i = 0; i < old.cap; i++) {
		if (!old.keys[i])
			continue;
		j = cache_slot(c, old.keys[i]);
		c->keys[j] = old.keys[i];
		c->vals[j] = old.vals[i];
	}
	free(old.keys);
	free(old.vals);
}

static void cache_put(struct conf_cache *c, const char *key, int val)
{
	size_t i;

	if (2 * (c->n + 1) > c->cap)
		cache_grow(c);
	i = cache_slot(c, key);
	if (!c->keys[i]) {
		c->keys[i] = conf_xstrdup(key);
		c->n++;
	}
	c->vals[i] = val;
}

static void cache_free(struct conf_cache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->cap; i++)
		free(c->keys[i]);
	free(c->keys);
	free(c->vals);
	free(c->last_dir);
	free(c->last_real);
	free(c);
}

/* ---- loading ---------------------------------------------------------- */

struct loader {
	struct conf *cfg;
	struct conf_fault fault;
};

/* The faults of a loader, unknown keys among them. */
#define fail(l, ...) conf_fail(&(l)->fault, __VA_ARGS__)
#define unknown_key(l, ...) conf_unknown_key(&(l)->fault, __VA_ARGS__)

int conf_fail(struct conf_fault *f, size_t at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	f->at = at;
	return -1;
}

const char *conf_type_name(enum json_type t)
{
	static const char *const names[] = {
		"null", "a boolean", "a boolean", "a number", "a string",
		"an array", "an object"
	};

	return names[t];
}

static int expect(struct loader *l, const struct json_node *n,
		  enum json_type t, const char *what)
{
	if (n->type == t)
		return 0;
	return fail(l, n->span.start, "'%s' must be %s, not %s", what,
		    conf_type_name(t), conf_type_name(n->type));
}

/* A string value without NUL characters. */
static int expect_text(struct loader *l, const struct json_node *n,
		       const char *what)
{
	if (expect(l, n, JSON_STRING, what) < 0)
		return -1;
	if (strlen(n->str.text) != n->str.len)
		return fail(l, n->span.start, "'%s' holds a NUL character",
			    what);
	return 0;
}

/* An item of the list WHAT: a string without NUL characters. */
static int expect_item(struct loader *l, const struct json_node *n,
		       const char *what)
{
	if (n->type != JSON_STRING)
		return fail(l, n->span.start, "an item of '%s' must be a "
			    "string, not %s", what, conf_type_name(n->type));
	return expect_text(l, n, what);
}

int conf_unknown_key(struct conf_fault *f, const struct json_member *m,
		     const char *where, const char *const *keys,
		     size_t nkeys)
{
	const char *hint = hint_nearest(m->key.text, keys, nkeys);

	if (hint)
		return conf_fail(f, m->key_span.start, "unknown key '%.80s' "
				 "in %s; did you mean '%s'?", m->key.text,
				 where, hint);
	return conf_fail(f, m->key_span.start, "unknown key '%.80s' in %s",
			 m->key.text, where);
}

/* The check named TEXT at AT: its id, CHECK_COUNT for "all" when
 * ALLOW_ALL, or -1 after a fault. */
static int check_named(struct loader *l, const char *text, size_t at,
		       int allow_all)
{
	const char *ids[CHECK_COUNT], *hint;
	int id = check_by_name(text), i;

	if (id >= 0)
		return id;
	if (allow_all && strcmp(text, "all") == 0)
		return CHECK_COUNT;
	for (i = 0; i < CHECK_COUNT; i++)
		ids[i] = check_table[i].id;
	hint = hint_nearest(text, ids, CHECK_COUNT);
	if (hint)
		return fail(l, at, "unknown check '%.80s'; did you mean '%s'?",
			    text, hint);
	return fail(l, at, "unknown check '%.80s'; see --list-checks", text);
}

static int parse_switch(struct loader *l, const struct json_node *n,
			const char *what, struct conf_settings *s, int on)
{
	size_t i;
	int id;

	if (expect(l, n, JSON_ARRAY, what) < 0)
		return -1;
	for (i = 0; i < n->nitems; i++) {
		const struct json_node *item = n->items[i];

		if (expect_item(l, item, what) < 0)
			return -1;
		id = check_named(l, item->str.text, item->span.start, 1);
		if (id < 0)
			return -1;
		if (id == CHECK_COUNT)
			memset(s->enabled, on, sizeof(s->enabled));
		else
			s->enabled[id] = (signed char)on;
	}
	return 0;
}

int conf_severity_named(const char *s)
{
	if (strcmp(s, "note") == 0)
		return SEV_NOTE;
	if (strcmp(s, "warning") == 0)
		return SEV_WARNING;
	if (strcmp(s, "error") == 0)
		return SEV_ERROR;
	return -1;
}

static int parse_severities(struct loader *l, const struct json_node *n,
			    struct conf_settings *s)
{
	size_t i;
	int id, sev;

	if (expect(l, n, JSON_OBJECT, "severity") < 0)
		return -1;
	for (i = 0; i < n->nmembers; i++) {
		const struct json_member *m = &n->members[i];

		id = check_named(l, m->key.text, m->key_span.start, 0);
		if (id < 0 || expect_text(l, m->value, "severity") < 0)
			return -1;
		sev = conf_severity_named(m->value->str.text);
		if (sev < 0)
			return fail(l, m->value->span.start, "invalid severity "
				    "'%.80s'; use note, warning or error",
				    m->value->str.text);
		s->severity[id] = (signed char)sev;
	}
	return 0;
}

static int parse_level(struct loader *l, const struct json_node *n,
		       struct conf_settings *s)
{
	const char *raw = l->cfg->src.buf + n->span.start;
	int len = (int)(n->span.end - n->span.start);

	if (expect(l, n, JSON_NUMBER, "level") < 0)
		return -1;
	if (n->number != 2 && n->number != 3)
		return fail(l, n->span.start, "invalid level '%.*s'; use 2 "
			    "or 3", len < 32 ? len : 32, raw);
	s->level = (int)n->number;
	return 0;
}

int conf_platforms_named(const char *s, unsigned *callers)
{
	if (strcmp(s, "miniprogram") == 0)
		*callers = SYM_CALLERS_MINIPROGRAM;
	else if (strcmp(s, "web") == 0)
		*callers = SYM_CALLERS_WEB;
	else if (strcmp(s, "both") == 0)
		*callers = 0;
	else
		return -1;
	return 0;
}

static int parse_platforms(struct loader *l, const struct json_node *n,
			   struct conf_settings *s)
{
	const char *p;

	if (expect_text(l, n, "platforms") < 0)
		return -1;
	p = n->str.text;
	if (conf_platforms_named(p, &s->callers) < 0)
		return fail(l, n->span.start, "invalid platforms '%.80s'; use "
			    "miniprogram, web or both", p);
	s->callers_set = 1;
	return 0;
}

/* Returns 1 when M is a setting, now parsed into S, 0 when it is not a
 * setting, -1 after a fault. */
static int parse_setting(struct loader *l, const struct json_member *m,
			 struct conf_settings *s)
{
	const char *k = m->key.text;
	int rc;

	if (strcmp(k, "enable") == 0 || strcmp(k, "disable") == 0)
		rc = parse_switch(l, m->value, k, s, k[0] == 'e');
	else if (strcmp(k, "severity") == 0)
		rc = parse_severities(l, m->value, s);
	else if (strcmp(k, "level") == 0)
		rc = parse_level(l, m->value, s);
	else if (strcmp(k, "platforms") == 0)
		rc = parse_platforms(l, m->value, s);
	else
		return 0;
	return rc < 0 ? -1 : 1;
}

/* A list of non-empty strings; a single string too when SINGLE.  Globs
 * must name some path. */
static int parse_strings(struct loader *l, const struct json_node *n,
			 const char *what, int single, int globs,
			 struct conf_globs *out)
{
	const struct json_node *const *items = &n;
	size_t count = 1, i;

	if (!(single && n->type == JSON_STRING)) {
		if (expect(l, n, JSON_ARRAY, what) < 0)
			return -1;
		items = (const struct json_node *const *)n->items;
		count = n->nitems;
	}
	if (count == 0)
		return fail(l, n->span.start, "'%s' is empty", what);
	globs_free(out);
	out->v = conf_xmalloc(count * sizeof(*out->v));
	for (i = 0; i < count; i++) {
		if (expect_item(l, items[i], what) < 0)
			return -1;
		if (items[i]->str.len == 0)
			return fail(l, items[i]->span.start, "empty string "
				    "in '%s'", what);
		if (globs && !names_path(items[i]->str.text))
			return fail(l, items[i]->span.start, "pattern '%.80s' "
				    "in '%s' names no path",
				    items[i]->str.text, what);
		out->v[out->n++] = conf_xstrdup(items[i]->str.text);
	}
	return 0;
}

static const char *const override_keys[] = {
	"files", "enable", "disable", "severity", "level", "platforms"
};

static int parse_override(struct loader *l, const struct json_node *n,
			  struct conf_override *o)
{
	size_t i;
	int rc;

	conf_settings_init(&o->set);
	if (expect(l, n, JSON_OBJECT, "overrides") < 0)
		return -1;
	for (i = 0; i < n->nmembers; i++) {
		const struct json_member *m = &n->members[i];

		if (strcmp(m->key.text, "files") == 0)
			rc = parse_strings(l, m->value, "files", 1, 1,
					   &o->files);
		else if ((rc = parse_setting(l, m, &o->set)) == 0)
			rc = unknown_key(l, m, "an override", override_keys,
					 COUNT(override_keys));
		if (rc < 0)
			return -1;
	}
	if (o->files.n == 0)
		return fail(l, n->span.start, "an override needs 'files'");
	return 0;
}

static int parse_overrides(struct loader *l, const struct json_node *n)
{
	struct conf *cfg = l->cfg;
	size_t i;

	if (expect(l, n, JSON_ARRAY, "overrides") < 0)
		return -1;
	cfg->overrides = conf_xrealloc(cfg->overrides,
				  (cfg->noverrides + n->nitems) *
				  sizeof(*cfg->overrides));
	for (i = 0; i < n->nitems; i++) {
		struct conf_override *o = &cfg->overrides[cfg->noverrides++];

		memset(o, 0, sizeof(*o));
		if (parse_override(l, n->items[i], o) < 0)
			return -1;
	}
	return 0;
}

static int parse_pointer(struct loader *l, const struct json_node *n,
			 struct conf_suppression *s)
{
	if (expect_text(l, n, "pointer") < 0)
		return -1;
	if (n->str.len && n->str.text[0] != '/')
		return fail(l, n->span.start, "invalid pointer '%.80s'; a JSON "
			    "pointer is empty or starts with '/'",
			    n->str.text);
	free(s->pointer);
	s->pointer = conf_xstrdup(n->str.text);
	return 0;
}

static int parse_reason(struct loader *l, const struct json_node *n,
			struct conf_suppression *s)
{
	if (expect_text(l, n, "reason") < 0)
		return -1;
	if (strspn(n->str.text, " \t\r\n") == n->str.len)
		return fail(l, n->span.start, "the 'reason' of a suppression "
			    "is empty; say why the finding is accepted");
	free(s->reason);
	s->reason = conf_xstrdup(n->str.text);
	return 0;
}

static const char *const suppression_keys[] = {
	"files", "pointer", "check", "reason"
};

static int parse_suppression_member(struct loader *l,
				    const struct json_member *m,
				    struct conf_suppression *s)
{
	const char *k = m->key.text;
	int id;

	if (strcmp(k, "files") == 0)
		return parse_strings(l, m->value, "files", 1, 1, &s->files);
	if (strcmp(k, "pointer") == 0)
		return parse_pointer(l, m->value, s);
	if (strcmp(k, "reason") == 0)
		return parse_reason(l, m->value, s);
	if (strcmp(k, "check") != 0)
		return unknown_key(l, m, "a suppression", suppression_keys,
				   COUNT(suppression_keys));
	if (expect_text(l, m->value, "check") < 0)
		return -1;
	id = check_named(l, m->value->str.text, m->value->span.start, 0);
	if (id < 0)
		return -1;
	s->check = (enum check_id)id;
	return 0;
}

static int parse_suppression(struct loader *l, const struct json_node *n,
			     struct conf_suppression *s)
{
	size_t i;

	if (expect(l, n, JSON_OBJECT, "suppressions") < 0)
		return -1;
	s->start = n->span.start;
	s->end = n->span.end;
	for (i = 0; i < n->nmembers; i++)
		if (parse_suppression_member(l, &n->members[i], s) < 0)
			return -1;
	if (!json_lookup(n, "check"))
		return fail(l, n->span.start, "a suppression needs a 'check'");
	if (!s->reason)
		return fail(l, n->span.start, "a suppression needs a 'reason': "
			    "say why the finding is accepted");
	return 0;
}

static int parse_suppressions(struct loader *l, const struct json_node *n)
{
	struct conf *cfg = l->cfg;
	size_t i;

	if (expect(l, n, JSON_ARRAY, "suppressions") < 0)
		return -1;
	cfg->suppressions = conf_xrealloc(cfg->suppressions,
				     (cfg->nsuppressions + n->nitems) *
				     sizeof(*cfg->suppressions));
	for (i = 0; i < n->nitems; i++) {
		struct conf_suppression *s =
			&cfg->suppressions[cfg->nsuppressions++];

		memset(s, 0, sizeof(*s));
		if (parse_suppression(l, n->items[i], s) < 0)
			return -1;
	}
	return 0;
}

/* Is there a control character in S? */
static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* A top-level document field that the engine can name in doc['F']. */
static int check_owner_names(struct loader *l, const struct json_node *n,
			     const struct conf_globs *g)
{
	const char *f;
	size_t i;

	for (i = 0; i < g->n; i++) {
		f = g->v[i];
		if (strpbrk(f, "'\\.") || has_control(f))
			return fail(l, n->items[i]->span.start, "invalid owner "
				    "field '%.80s': a field name without "
				    "quotes, backslashes, dots or control "
				    "characters", f);
		if (strlen(f) > CONF_MAX_FIELD)
			return fail(l, n->items[i]->span.start, "owner field "
				    "'%.40s...' is longer than %d bytes", f,
				    CONF_MAX_FIELD);
		if (strcmp(f, "_openid") == 0)
			return fail(l, n->items[i]->span.start, "'_openid' is "
				    "not an extra owner field: the platform "
				    "sets it to the caller's openid");
	}
	return 0;
}

static int parse_owner_fields(struct loader *l, const struct json_node *n)
{
	struct conf_globs g = {NULL, 0};
	struct conf *cfg = l->cfg;
	size_t i;

	if (parse_strings(l, n, "ownerFields", 0, 0, &g) < 0 ||
	    check_owner_names(l, n, &g) < 0) {
		globs_free(&g);
		return -1;
	}
	for (i = 0; i < cfg->nowner_fields; i++)
		free(cfg->owner_fields[i]);
	free(cfg->owner_fields);
	cfg->owner_fields = g.v;
	cfg->nowner_fields = g.n;
	return 0;
}

static const char *const top_keys[] = {
	"enable", "disable", "severity", "level", "platforms",
	"ownerFields", "exclude", "overrides", "suppressions"
};

static int parse_member(struct loader *l, const struct json_member *m)
{
	const char *k = m->key.text;
	int rc = parse_setting(l, m, &l->cfg->set);

	if (rc != 0)
		return rc;
	if (strcmp(k, "ownerFields") == 0)
		return parse_owner_fields(l, m->value);
	if (strcmp(k, "exclude") == 0)
		return parse_strings(l, m->value, "exclude", 0, 1,
				     &l->cfg->exclude);
	if (strcmp(k, "overrides") == 0)
		return parse_overrides(l, m->value);
	if (strcmp(k, "suppressions") == 0)
		return parse_suppressions(l, m->value);
	return unknown_key(l, m, "the configuration", top_keys,
			   COUNT(top_keys));
}

/* The length of the raw key of a duplicate-key event, within reason. */
static int key_length(const struct json_event *ev)
{
	size_t n = ev->span.end - ev->span.start - 2;

	return n < 80 ? (int)n : 80;
}

static int parse_root(struct loader *l, const struct json_doc *doc)
{
	const struct json_node *root = doc->root;
	size_t i;

	for (i = 0; i < doc->nevents; i++) {
		const struct json_event *ev = &doc->events[i];

		if (ev->kind == JSON_EV_DUPLICATE_KEY)
			return fail(l, ev->span.start, "duplicate key '%.*s'",
				    key_length(ev), l->cfg->src.buf +
				    ev->span.start + 1);
	}
	if (root->type != JSON_OBJECT)
		return fail(l, root->span.start, "a configuration file holds "
			    "a JSON object, not %s",
			    conf_type_name(root->type));
	for (i = 0; i < root->nmembers; i++)
		if (parse_member(l, &root->members[i]) < 0)
			return -1;
	return 0;
}

static void conf_free(struct conf *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nowner_fields; i++)
		free(cfg->owner_fields[i]);
	free(cfg->owner_fields);
	globs_free(&cfg->exclude);
	for (i = 0; i < cfg->noverrides; i++)
		globs_free(&cfg->overrides[i].files);
	free(cfg->overrides);
	for (i = 0; i < cfg->nsuppressions; i++) {
		globs_free(&cfg->suppressions[i].files);
		free(cfg->suppressions[i].pointer);
		free(cfg->suppressions[i].reason);
	}
	free(cfg->suppressions);
	src_free(&cfg->src);
	free(cfg->dir);
	free(cfg);
}

/* Print the fault that stops the run, and keep it in S for a caller that
 * shows it another way (the language server, which sets S->quiet). */
static void fault(struct conf_set *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fault(struct conf_set *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->fault, sizeof(s->fault), fmt, ap);
	va_end(ap);
	if (!s->quiet)
		fprintf(stderr, "%s\n", s->fault);
}

/* Load PATH, shown as NAME, whose globs are relative to the absolute
 * directory DIR.  NULL after printing the fault. */
static struct conf *load(struct conf_set *s, const char *path,
			 const char *name, const char *dir)
{
	struct conf *cfg = calloc(1, sizeof(*cfg));
	struct loader l = {cfg, {0, ""}};
	struct json_doc doc;
	struct src_pos p;
	char err[256];

	if (!cfg)
		abort();
	conf_settings_init(&cfg->set);
	cfg->dir = conf_xstrdup(dir);
	if (src_load(&cfg->src, path, name, SRC_MAX_SIZE_DEFAULT, err,
		     sizeof(err)) < 0) {
		fault(s, "rulecheck: %s: %s", name, err);
		free(cfg->dir);
		free(cfg);
		return NULL;
	}

	if (json_parse(&doc, cfg->src.buf, cfg->src.len,
		       JSON_MAX_DEPTH_DEFAULT) < 0)
		conf_fail(&l.fault, doc.err_span.start, "%s", doc.err);
	else
		parse_root(&l, &doc);
	json_free(&doc);
	if (l.fault.msg[0] == '\0')
		return cfg;

	p = src_position(&cfg->src, l.fault.at);
	fault(s, "%s:%u:%u: error: %s", name, p.line, p.column, l.fault.msg);
	conf_free(cfg);
	return NULL;
}

/* ---- finding the configuration of a file ------------------------------ */

static int add_config(struct conf_set *s, struct conf *cfg)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4;
		s->v = conf_xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n] = cfg;
	return (int)s->n++;
}

/* The name to show for the file PATH: relative to the working
 * directory when it lies beneath it. */
static char *display_name(struct conf_set *s, const char *path)
{
	char *rel;

	if (!s->cwd)
		s->cwd = realpath(".", NULL);
	if (!s->cwd)
		return conf_xstrdup(path);
	rel = conf_relative(s->cwd, path);
	if (strncmp(rel, "../", 3) == 0 || strcmp(rel, "..") == 0) {
		free(rel);
		return conf_xstrdup(path);
	}
	return rel;
}

/* Is there a configuration file in DIR?  Returns its index, -1 for
 * none, -2 after a fault. */
static int probe(struct conf_set *s, const char *dir)
{
	char *path = join(dir, CONF_FILE_NAME), *name;
	struct conf *cfg = NULL;
	struct stat st;
	int rc = -1;

	if (stat(path, &st) == 0) {
		name = display_name(s, path);
		cfg = load(s, path, name, dir);
		free(name);
		rc = cfg ? add_config(s, cfg) : -2;
	}
	free(path);
	return rc;
}

static char *parent(const char *dir)
{
	const char *slash = strrchr(dir, '/');

	if (!slash || slash == dir)
		return conf_xstrdup("/");
	return strndup(dir, (size_t)(slash - dir));
}

/* The index of the configuration governing the absolute directory DIR,
 * -1 for none, -2 after a fault.  Every directory passed on the way up
 * is remembered. */
static int find_up(struct conf_set *s, const char *dir)
{
	char **seen = NULL, *cur = conf_xstrdup(dir), *up;
	size_t n = 0, i;
	int found = -1;

	for (;;) {
		if (cache_get(s->cache, cur, &found))
			break;
		seen = conf_xrealloc(seen, (n + 1) * sizeof(*seen));
		seen[n++] = cur;
		found = probe(s, cur);
		if (found != -1 || strcmp(cur, "/") == 0)
			break;
		up = parent(cur);
		if (!up)
			abort();
		cur = up;
	}
	for (i = 0; i < n && found != -2; i++)
		cache_put(s->cache, seen[i], found);
	if (n == 0 || seen[n - 1] != cur)
		free(cur);
	for (i = 0; i < n; i++)
		free(seen[i]);
	free(seen);
	return found;
}

static int forced(struct conf_set *s)
{
	char *abs, *dir;
	struct conf *cfg;

	if (s->n)
		return 0;
	abs = conf_absolute(s->forced);
	if (!abs) {
		fault(s, "rulecheck: %s: %s", s->forced, conf_errtext(errno));
		return -2;
	}
	dir = parent(abs);
	cfg = load(s, s->forced, s->forced, dir);
	free(abs);
	free(dir);
	return cfg ? add_config(s, cfg) : -2;
}

/* The index of the configuration of the file at ABS (NULL when its
 * directory does not resolve: the working directory's). */
static int lookup(struct conf_set *s, const char *abs)
{
	char *dir;
	int idx;

	if (s->disabled)
		return -1;
	if (s->failed)
		return -2;
	if (s->forced)
		return forced(s);
	if (!s->cache) {
		s->cache = calloc(1, sizeof(*s->cache));
		if (!s->cache)
			abort();
	}
	dir = abs ? parent(abs) : realpath(".", NULL);
	if (!dir)
		return -1;
	idx = find_up(s, dir);
	free(dir);
	return idx;
}

static void settings_for(struct conf_view *v,
			 const struct conf_settings *cli)
{
	const struct conf *cfg = v->cfg;
	size_t i;

	conf_settings_init(&v->set);
	if (cfg)
		settings_merge(&v->set, &cfg->set);
	for (i = 0; cfg && i < cfg->noverrides; i++)
		if (conf_glob_match(&cfg->overrides[i].files, v->rel))
			settings_merge(&v->set, &cfg->overrides[i].set);
	settings_merge(&v->set, cli);
}

int conf_view(struct conf_set *s, const char *path,
		const struct conf_settings *cli, struct conf_view *v)
{
	char *abs;
	int idx;

	if (!s->disabled && !s->cache) {
		s->cache = calloc(1, sizeof(*s->cache));
		if (!s->cache)
			abort();
	}
	abs = s->disabled ? NULL : absolute(path, &s->cache->last_dir,
					    &s->cache->last_real);
	idx = lookup(s, abs);
	memset(v, 0, sizeof(*v));
	if (idx == -2) {
		s->failed = 1;
		free(abs);
		return -1;
	}
	if (idx >= 0) {
		v->cfg = s->v[idx];
		v->rel = abs ? conf_relative(v->cfg->dir, abs) :
			       conf_xstrdup(path);
	} else {
		v->rel = conf_xstrdup(path);
	}
	free(abs);
	settings_for(v, cli);
	return 0;
}

void conf_self_view(struct conf *cfg, const struct conf_settings *cli,
		      struct conf_view *v)
{
	char *abs = conf_absolute(cfg->src.name);

	memset(v, 0, sizeof(*v));
	v->cfg = cfg;
	v->rel = abs ? conf_relative(cfg->dir, abs) :
		       conf_xstrdup(cfg->src.name);
	free(abs);
	settings_for(v, cli);
}

/* ---- using a view ----------------------------------------------------- */

int conf_excluded(const struct conf_view *v)
{
	const char *base = strrchr(v->rel, '/');

	base = base ? base + 1 : v->rel;
	if (strcmp(base, CONF_FILE_NAME) == 0)
		return 1;
	return v->cfg && conf_glob_match(&v->cfg->exclude, v->rel);
}

static void apply_access(const struct conf_view *v,
			 struct access_options *ao)
{
	if (v->cfg) {
		ao->owner_fields = (const char *const *)v->cfg->owner_fields;
		ao->nowner_fields = v->cfg->nowner_fields;
	}
	if (v->set.level)
		ao->level = v->set.level;
	if (v->set.callers_set)
		ao->callers = v->set.callers;
}

void conf_apply(const struct conf_view *v, struct diag_list *d,
		  struct access_options *ao)
{
	int i;

	for (i = 0; i < CHECK_COUNT; i++) {
		if (v->set.enabled[i] >= 0)
			d->enabled[i] = (unsigned char)v->set.enabled[i];
		if (v->set.severity[i] >= 0)
			d->severity[i] = (unsigned char)v->set.severity[i];
	}
	apply_access(v, ao);
}

int conf_access(struct conf_set *s, const char *path, int explicit,
		const struct conf_settings *cli, struct access_options *ao)
{
	struct conf_view v;
	int keep;

	if (conf_view(s, path, cli, &v) < 0)
		return -1;
	keep = explicit || !conf_excluded(&v);
	apply_access(&v, ao);
	conf_view_free(&v);
	return keep;
}

void conf_fix_severities(const struct conf_view *v, struct diag_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		signed char sev = v->set.severity[d->v[i].check];

		if (sev >= 0)
			d->v[i].severity = (enum severity)sev;
	}
}

void conf_view_free(struct conf_view *v)
{
	free(v->rel);
	v->rel = NULL;
}

void conf_set_free(struct conf_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		conf_free(s->v[i]);
	free(s->v);
	cache_free(s->cache);
	free(s->cwd);
	s->v = NULL;
	s->n = s->cap = 0;
	s->cache = NULL;
	s->cwd = NULL;
}
