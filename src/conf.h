/* Configuration files: the .rulecheck.json nearest to each checked file,
 * or one named with --config.  A file turns checks on and off, sets their
 * severities, the compliance level and the platforms, excludes paths from
 * directory scans and overrides these per glob; an invalid file is a
 * usage error.  The command line wins over every file. */
#ifndef RULECHECK_CONF_H
#define RULECHECK_CONF_H

#include <stddef.h>

#include "access.h"
#include "diag.h"
#include "json.h"
#include "source.h"

#define CONF_FILE_NAME ".rulecheck.json"

/* What one layer (a file, an override, the command line) sets: -1 in
 * the arrays and 0 in level mean "not set here". */
struct conf_settings {
	signed char enabled[CHECK_COUNT];
	signed char severity[CHECK_COUNT];
	int level;
	int callers_set;
	unsigned callers;	/* SYM_CALLERS_*, or 0 for both platforms */
};

/* Glob patterns relative to the directory of the configuration file:
 * fnmatch(3) per '/'-separated segment, "**" for any number of segments;
 * a pattern matching a directory matches everything beneath it. */
struct conf_globs {
	char **v;
	size_t n;
};

struct conf_override {
	struct conf_globs files;
	struct conf_settings set;
};

struct conf_suppression {
	struct conf_globs files;	/* none: every file */
	char *pointer;		/* JSON pointer of a rule or object; NULL: any */
	enum check_id check;
	char *reason;
	size_t start, end;	/* the entry, as raw offsets in the file */
	int covered;		/* a file it names was checked with the check on */
	int used;		/* it suppressed a finding */
};

struct conf {
	struct src_file src;	/* src.name: the name shown in messages */
	char *dir;		/* absolute directory, the base of every glob */
	struct conf_settings set;
	char **owner_fields;	/* "ownerFields", for the engine */
	size_t nowner_fields;
	struct conf_globs exclude;
	struct conf_override *overrides;
	size_t noverrides;
	struct conf_suppression *suppressions;
	size_t nsuppressions;
};

struct conf_cache;

/* A fault in a JSON file that rulecheck reads for itself (a
 * configuration, a baseline): its raw offset, and why. */
struct conf_fault {
	size_t at;
	char msg[320];
};

/* Record a fault in F; returns -1. */
int conf_fail(struct conf_fault *f, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* malloc, realloc and strdup that abort when memory runs out. */
void *conf_xmalloc(size_t n);
void *conf_xrealloc(void *p, size_t n);
char *conf_xstrdup(const char *s);

/* SEV_NOTE, SEV_WARNING or SEV_ERROR for "note", "warning" or "error";
 * else -1. */
int conf_severity_named(const char *s);

/* The callers of "miniprogram", "web" or "both" (0) in *CALLERS; -1 for
 * any other name. */
int conf_platforms_named(const char *s, unsigned *callers);

/* The text of ERRNUM, lower case like every message. */
const char *conf_errtext(int errnum);

/* "a string", "an object", ... */
const char *conf_type_name(enum json_type t);

/* Record that the key of M is none of KEYS, with the nearest as a hint;
 * WHERE names the object.  Returns -1. */
int conf_unknown_key(struct conf_fault *f, const struct json_member *m,
		     const char *where, const char *const *keys,
		     size_t nkeys);

/* Every configuration a run has loaded, and which one governs each
 * directory seen so far. */
struct conf_set {
	const char *forced;	/* --config FILE, or NULL */
	int disabled;		/* --no-config */
	int failed;		/* a file was invalid: every lookup fails */
	struct conf **v;
	size_t n, cap;
	struct conf_cache *cache;
	char *cwd;		/* for the names of configuration files */
	char fault[400];	/* the message of the fault, once failed */
	int quiet;		/* keep the fault, print nothing */
};

/* The configuration of one file and the settings that result. */
struct conf_view {
	struct conf *cfg;	/* NULL: no configuration */
	char *rel;		/* the file relative to cfg->dir */
	struct conf_settings set;	/* cfg, its overrides, the command line */
};

void conf_settings_init(struct conf_settings *s);

/* Find (loading and caching) the configuration of PATH and compute the
 * settings for it, CLI last.  Returns -1 after printing why on standard
 * error when a configuration file is unreadable or invalid. */
int conf_view(struct conf_set *s, const char *path,
		const struct conf_settings *cli, struct conf_view *v);

/* Is the file excluded from directory scans? */
int conf_excluded(const struct conf_view *v);

/* The enabled checks and severities of D and the level and platforms of
 * AO, from the view's settings; D and AO start from their defaults. */
void conf_apply(const struct conf_view *v, struct diag_list *d,
		  struct access_options *ao);

/* The level, platforms and owner fields of PATH's configuration (and
 * the command line) applied to AO.  Returns 1, or 0 when a directory scan
 * passes over the file (not EXPLICIT, and excluded), or -1 after printing
 * why a configuration file could not be used. */
int conf_access(struct conf_set *s, const char *path, int explicit,
		const struct conf_settings *cli, struct access_options *ao);

/* After the checks ran: a severity set explicitly wins over the one a
 * compliance level chose. */
void conf_fix_severities(const struct conf_view *v, struct diag_list *d);

/* The settings of the configuration file itself, for findings reported
 * against it. */
void conf_self_view(struct conf *cfg, const struct conf_settings *cli,
		      struct conf_view *v);

int conf_glob_match(const struct conf_globs *g, const char *rel);

/* PATH as an absolute name whose directory part is resolved, or NULL
 * when the directory cannot be resolved. */
char *conf_absolute(const char *path);

/* The absolute ABS relative to the absolute directory DIR, with "../"
 * where ABS lies outside DIR. */
char *conf_relative(const char *dir, const char *abs);

void conf_view_free(struct conf_view *v);
void conf_set_free(struct conf_set *s);

#endif
