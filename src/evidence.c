/* The evidence report.  It runs the checks exactly as a scan does (the
 * configuration, suppressions and --level included), asks the engine for
 * the permission matrix as `rulecheck matrix' does, judges the checklist
 * from both, and writes the result atomically. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "conf.h"
#include "evidence.h"
#include "lint.h"
#include "scan.h"
#include "sha256.h"
#include "suppress.h"

enum {
	EV_EXIT_PASS = 0,
	EV_EXIT_FAIL = 1,
	EV_EXIT_TROUBLE = 2
};

enum ev_verdict {
	EV_PASS,
	EV_FAIL,
	EV_NA
};

enum ev_item_id {
	EV_ITEM_DATABASE,
	EV_ITEM_STORAGE,
	EV_ITEM_LEAST_PRIVILEGE,
	EV_ITEM_WRITES,
	EV_ITEM_ANONYMOUS,
	EV_ITEM_COUNT
};

/* One file analysed: its findings point into its source. */
struct ev_file {
	struct rule_file rf;
	struct diag_list d;
	struct access_options ao;
	char sha[SHA256_HEX_SIZE];
	size_t suppressed;
};

/* One row of the matrix. */
struct ev_row {
	const struct ev_file *file;
	const struct rule_object *obj;
	enum access_class cls[4];
};

struct ev_item {
	enum ev_verdict verdict;
	char *reason;
	char **evidence;
	size_t n, cap;
};

struct evidence {
	struct rule_options rules;
	struct access_options access;
	struct conf_settings given;
	struct conf_set configs;
	struct access_summary *summaries; /* one a project of the scan */
	enum severity fail_level;
	int level;		/* 0 until known */
	int html;
	int no_suppressions;
	const char *output;	/* -o FILE, or NULL */
	time_t date;
	struct scan_list targets;
	struct ev_file *files;
	size_t nfiles;
	struct ev_row *rows;
	size_t nrows;
	struct diag_list unused;	/* suppressions that matched nothing */
	struct ev_item items[EV_ITEM_COUNT];
};

static void *ev_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

static char *ev_format(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static char *ev_format(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

/* ---- options ------------------------------------------------------------ */

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "rulecheck: report: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'rulecheck report --help' for more "
		"information.\n");
	exit(EV_EXIT_TROUBLE);
}

static void print_help(void)
{
	fputs("Usage: rulecheck report [OPTIONS] PATH...\n"
	      "Write the MLPS (GB/T 22239-2019) evidence report of the rules "
	      "in PATH: the\npermission matrix, the findings by control "
	      "category, the checklist of the\nlevel and the SHA-256 of "
	      "every file analysed.\n\n"
	      "Options:\n"
	      "      --level N           2 or 3 (default: the configuration's "
	      "level, else 2)\n"
	      "  -f, --format FORMAT     markdown or html (default: markdown)\n"
	      "  -o, --output FILE       write to FILE (replaced atomically) "
	      "instead of\n                          standard output\n"
	      "      --fail-level SEV    lowest severity of a finding that "
	      "fails an item\n                          (default: warning)\n"
	      "      --platforms P       miniprogram, web or both\n"
	      "      --config FILE, --no-config, --no-suppressions, --kind K,\n"
	      "      --enable IDS, --disable IDS, --max-evaluations N,\n"
	      "      --max-file-size N, --max-rule-objects N\n"
	      "                          as for checking\n"
	      "  -h, --help              show this help and exit\n\n"
	      "The date is SOURCE_DATE_EPOCH when it is set, else now.\n"
	      "Exit status: 0 the checklist passes, 1 an item fails, 2 usage, "
	      "input/output\nor internal error.\n",
	      stdout);
}

static void set_checks(struct evidence *ev, const char *list, int on)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int id;

	if (!copy)
		abort();
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "all") == 0) {
			memset(ev->given.enabled, on,
			       sizeof(ev->given.enabled));
			continue;
		}
		id = check_by_name(tok);
		if (id < 0) {
			free(copy);
			usage_error("unknown check '%s'; see rulecheck "
				    "--list-checks", tok);
		}
		ev->given.enabled[id] = (signed char)on;
	}
	free(copy);
}

static unsigned long parse_count(const char *s, const char *opt)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (*s == '\0' || *s == '-' || *end != '\0' || errno || n == 0)
		usage_error("%s needs a positive number", opt);
	return n;
}

static enum severity parse_severity(const char *s)
{
	if (strcmp(s, "note") == 0)
		return SEV_NOTE;
	if (strcmp(s, "warning") == 0)
		return SEV_WARNING;
	if (strcmp(s, "error") != 0)
		usage_error("invalid severity '%s'; use note, warning or "
			    "error", s);
	return SEV_ERROR;
}

static void set_platforms(struct evidence *ev, const char *s)
{
	if (strcmp(s, "miniprogram") == 0)
		ev->given.callers = SYM_CALLERS_MINIPROGRAM;
	else if (strcmp(s, "web") == 0)
		ev->given.callers = SYM_CALLERS_WEB;
	else if (strcmp(s, "both") == 0)
		ev->given.callers = 0;
	else
		usage_error("invalid platforms '%s'; use miniprogram, web or "
			    "both", s);
	ev->given.callers_set = 1;
	ev->access.callers = ev->given.callers;
}

enum {
	OPT_LEVEL = 256,
	OPT_FAIL_LEVEL,
	OPT_PLATFORMS,
	OPT_CONFIG,
	OPT_NO_CONFIG,
	OPT_NO_SUPPRESSIONS,
	OPT_KIND,
	OPT_ENABLE,
	OPT_DISABLE,
	OPT_MAX_EVALUATIONS,
	OPT_MAX_FILE_SIZE,
	OPT_MAX_RULE_OBJECTS
};

static const struct option ev_longopts[] = {
	{"level", required_argument, NULL, OPT_LEVEL},
	{"format", required_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"fail-level", required_argument, NULL, OPT_FAIL_LEVEL},
	{"platforms", required_argument, NULL, OPT_PLATFORMS},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"no-config", no_argument, NULL, OPT_NO_CONFIG},
	{"no-suppressions", no_argument, NULL, OPT_NO_SUPPRESSIONS},
	{"kind", required_argument, NULL, OPT_KIND},
	{"enable", required_argument, NULL, OPT_ENABLE},
	{"disable", required_argument, NULL, OPT_DISABLE},
	{"max-evaluations", required_argument, NULL, OPT_MAX_EVALUATIONS},
	{"max-file-size", required_argument, NULL, OPT_MAX_FILE_SIZE},
	{"max-rule-objects", required_argument, NULL, OPT_MAX_RULE_OBJECTS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0}
};

static void parse_option(struct evidence *ev, int ch)
{
	switch (ch) {
	case OPT_LEVEL:
		if (strcmp(optarg, "2") != 0 && strcmp(optarg, "3") != 0)
			usage_error("invalid level '%s'; use 2 or 3", optarg);
		ev->level = optarg[0] - '0';
		break;
	case 'f':
		if (strcmp(optarg, "html") != 0 &&
		    strcmp(optarg, "markdown") != 0)
			usage_error("invalid format '%s'; use markdown or html",
				    optarg);
		ev->html = strcmp(optarg, "html") == 0;
		break;
	case 'o': ev->output = optarg; break;
	case OPT_FAIL_LEVEL: ev->fail_level = parse_severity(optarg); break;
	case OPT_PLATFORMS: set_platforms(ev, optarg); break;
	case OPT_CONFIG:
		ev->configs.forced = optarg;
		ev->configs.disabled = 0;
		break;
	case OPT_NO_CONFIG:
		ev->configs.forced = NULL;
		ev->configs.disabled = 1;
		break;
	case OPT_NO_SUPPRESSIONS: ev->no_suppressions = 1; break;
	case OPT_KIND:
		ev->rules.kind = rule_kind_by_name(optarg);
		if (ev->rules.kind == RULE_KIND_UNKNOWN)
			usage_error("invalid kind '%s'; use database, storage "
				    "or function", optarg);
		break;
	case OPT_ENABLE: set_checks(ev, optarg, 1); break;
	case OPT_DISABLE: set_checks(ev, optarg, 0); break;
	case OPT_MAX_EVALUATIONS:
		ev->access.budget = parse_count(optarg, "--max-evaluations");
		break;
	case OPT_MAX_FILE_SIZE:
		ev->rules.max_file_size = parse_count(optarg,
						      "--max-file-size");
		break;
	case OPT_MAX_RULE_OBJECTS:
		ev->rules.max_objects = parse_count(optarg,
						    "--max-rule-objects");
		break;
	case 'h':
		print_help();
		exit(EV_EXIT_PASS);
	default:
		fprintf(stderr, "Try 'rulecheck report --help' for more "
			"information.\n");
		exit(EV_EXIT_TROUBLE);
	}
}

/* SOURCE_DATE_EPOCH (reproducible-builds.org): a decimal count of
 * seconds since 1970; an invalid value is an error, not ignored. */
static int report_date(time_t *t)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	unsigned long long n;
	char *end;

	if (!s) {
		*t = time(NULL);
		return 0;
	}
	errno = 0;
	n = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno ||
	    n > (unsigned long long)INT32_MAX * 64) {
		fprintf(stderr, "rulecheck: report: SOURCE_DATE_EPOCH is not "
			"a number of seconds: '%s'\n", s);
		return -1;
	}
	*t = (time_t)n;
	return 0;
}

static void ev_init(struct evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
	rules_default_options(&ev->rules);
	conf_settings_init(&ev->given);
	ev->fail_level = SEV_WARNING;
	diag_init(&ev->unused);
}

static void parse_args(struct evidence *ev, int argc, char **argv)
{
	int ch, i;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:o:h", ev_longopts, NULL)) !=
	       -1)
		parse_option(ev, ch);
	if (optind == argc)
		usage_error("%s", "no PATH given");
	if (ev->output && ev->output[0] == '\0')
		usage_error("%s", "-o needs a file name");
	for (i = optind; i < argc; i++)
		scan_add(&ev->targets, argv[i]);
}

/* ---- analysis ----------------------------------------------------------- */

static const char *target_name(const struct scan_target *t)
{
	return strcmp(t->path, "-") == 0 ? "<stdin>" : t->path;
}

/* Load every configuration before anything is analysed, and settle the
 * level: --level, else the one level the configurations agree on, else
 * 2.  It then holds for every file, as --level does in a scan. */
static int prepare(struct evidence *ev)
{
	struct conf_view v;
	int seen = 0;
	size_t i;

	for (i = 0; i < ev->targets.n; i++) {
		if (conf_view(&ev->configs, target_name(&ev->targets.v[i]),
			      &ev->given, &v) < 0)
			return -1;
		if (v.set.level && seen && v.set.level != seen) {
			fprintf(stderr, "rulecheck: report: the configurations "
				"ask for levels %d and %d; choose one with "
				"--level\n", seen, v.set.level);
			conf_view_free(&v);
			return -1;
		}
		seen = v.set.level ? v.set.level : seen;
		conf_view_free(&v);
	}
	if (!ev->level)
		ev->level = seen ? seen : 2;
	ev->given.level = ev->level;
	ev->access.level = ev->level;
	return 0;
}

/* The engine's options for T under its configuration; 0 when a
 * directory scan passes over T. */
static int options_for(struct evidence *ev, const struct scan_target *t,
		       struct access_options *ao)
{
	struct conf_view v;
	struct diag_list d;
	int keep;

	*ao = ev->access;
	if (conf_view(&ev->configs, t->path, &ev->given, &v) < 0)
		return 0;
	keep = t->explicit || !conf_excluded(&v);
	diag_init(&d);
	conf_apply(&v, &d, ao);
	conf_view_free(&v);
	return keep;
}

/* What each collection lets users write, for role-doc-writable, as the
 * scan computes it: one summary for each project. */
static void summarize(struct evidence *ev)
{
	struct access_options ao;
	struct rule_file rf;
	struct diag_list d;
	char err[256];
	size_t i;

	ev->summaries = calloc(ev->targets.nprojects + 1,
			       sizeof(*ev->summaries));
	if (!ev->summaries)
		abort();
	for (i = 0; i < ev->targets.n; i++) {
		const struct scan_target *t = &ev->targets.v[i];

		if (strcmp(t->path, "-") == 0 || !options_for(ev, t, &ao))
			continue;
		diag_init(&d);
		if (rules_load(&rf, t->path, t->path, &ev->rules, &d, err,
			       sizeof(err)) == 0) {
			if (rf.json.root)
				access_summarize(&ev->summaries[t->project], &rf,
						 &ao);
			rules_free(&rf);
		}
		diag_free(&d);
	}
}

/* Suppress as a scan does, counting the findings that disappear: the
 * findings present before are marked through their sequence numbers,
 * which only order findings of one file and are restored after. */
static size_t suppress_counted(struct diag_list *d, const struct rule_file *rf,
			       struct conf_view *v)
{
	const size_t mark = SIZE_MAX / 2;
	size_t i, before = d->n, kept = 0;

	for (i = 0; i < d->n; i++)
		d->v[i].seq += mark;
	suppress_file(d, rf, v);
	for (i = 0; i < d->n; i++) {
		if (d->v[i].seq >= mark) {
			d->v[i].seq -= mark;
			kept++;
		}
	}
	return before - kept;
}

/* Check one target into F, as the scan's check_file does.  Returns -1 on
 * an input or internal error, 0 when the file is kept, 1 when skipped. */
static int analyse(struct evidence *ev, const struct scan_target *t,
		   struct ev_file *f)
{
	const char *name = target_name(t);
	struct conf_view v;
	enum lint_result keep;
	char err[256];
	int rc = 1;

	if (conf_view(&ev->configs, name, &ev->given, &v) < 0)
		return -1;
	diag_init(&f->d);
	f->ao = ev->access;
	if (!t->explicit && conf_excluded(&v))
		goto out;
	conf_apply(&v, &f->d, &f->ao);
	if (rules_load(&f->rf, t->path, name, &ev->rules, &f->d, err,
		       sizeof(err)) < 0) {
		fprintf(stderr, "rulecheck: %s: %s\n", name, err);
		rc = -1;
		goto out;
	}
	keep = lint_file(&f->d, &f->rf, t->explicit, &f->ao,
			 &ev->summaries[t->project]);
	if (keep == LINT_INTERNAL)
		fprintf(stderr, "rulecheck: %s: internal error: a witness did "
			"not hold on re-evaluation\n", name);
	if (keep != LINT_DONE) {
		rules_free(&f->rf);
		rc = keep == LINT_SKIP ? 1 : -1;
		goto out;
	}
	conf_fix_severities(&v, &f->d);
	if (!ev->no_suppressions)
		f->suppressed = suppress_counted(&f->d, &f->rf, &v);
	diag_sort(&f->d);
	sha256_hex(f->rf.src.buf, f->rf.src.len, f->sha);
	conf_view_free(&v);
	return 0;
out:
	diag_free(&f->d);
	conf_view_free(&v);
	return rc;
}

/* The suppressions of each configuration that matched nothing, as the
 * scan reports them at the end. */
static void collect_unused(struct evidence *ev)
{
	struct access_options ao;
	struct conf_view v;
	size_t i;

	for (i = 0; i < ev->configs.n && !ev->no_suppressions; i++) {
		ao = ev->access;
		conf_self_view(ev->configs.v[i], &ev->given, &v);
		conf_apply(&v, &ev->unused, &ao);
		suppress_unused(&ev->unused, ev->configs.v[i]);
		conf_fix_severities(&v, &ev->unused);
		conf_view_free(&v);
	}
	diag_sort(&ev->unused);
}

static const enum rule_kind ev_kinds[] = {
	RULE_KIND_DATABASE, RULE_KIND_STORAGE, RULE_KIND_FUNCTION
};

/* The matrix, kind by kind, in the order `rulecheck matrix' prints it;
 * each cell is access_widest under the file's own options. */
static void build_matrix(struct evidence *ev)
{
	const char *const *ops;
	size_t i, j, k, n, op, cap = 16;

	ev->rows = ev_xmalloc(cap * sizeof(*ev->rows));
	for (k = 0; k < 3; k++) {
		access_ops(ev_kinds[k], &ops, &n);
		for (i = 0; i < ev->nfiles; i++) {
			struct ev_file *f = &ev->files[i];

			for (j = 0; j < f->rf.nobjects; j++) {
				struct ev_row *r;

				if (f->rf.objects[j].kind != ev_kinds[k])
					continue;
				if (ev->nrows == cap) {
					cap *= 2;
					ev->rows = realloc(ev->rows,
							   cap * sizeof(*r));
					if (!ev->rows)
						abort();
				}
				r = &ev->rows[ev->nrows++];
				r->file = f;
				r->obj = &f->rf.objects[j];
				for (op = 0; op < n; op++)
					r->cls[op] = access_widest(r->obj,
						ops[op], &f->ao, NULL);
			}
		}
	}
}

static int run_analysis(struct evidence *ev)
{
	size_t i;
	int rc;

	ev->files = calloc(ev->targets.n ? ev->targets.n : 1,
			   sizeof(*ev->files));
	if (!ev->files)
		abort();
	summarize(ev);
	for (i = 0; i < ev->targets.n; i++) {
		rc = analyse(ev, &ev->targets.v[i], &ev->files[ev->nfiles]);
		if (rc < 0)
			return -1;
		if (rc == 0)
			ev->nfiles++;
	}
	collect_unused(ev);
	build_matrix(ev);
	return 0;
}

/* ---- the checklist ------------------------------------------------------ */

static const char *const ev_item_titles[EV_ITEM_COUNT] = {
	"Database rules configured",
	"Storage rules configured",
	"Least privilege",
	"Role- or owner-based access for writes",
	"No anonymous writes"
};

/* The clause of each item, at level 2 and at level 3. */
static const char *const ev_item_clauses[EV_ITEM_COUNT][2] = {
	{"7.1.4.2 a", "8.1.4.2 a, 8.1.4.2 e"},
	{"7.1.4.2 a", "8.1.4.2 a, 8.1.4.2 e"},
	{"7.1.4.2 d", "8.1.4.2 d"},
	{"7.1.4.2 a", "8.1.4.2 e, 8.1.4.2 f"},
	{"8.1.4.2 a (level 3)", "8.1.4.2 a"}
};

/* The clauses each control category gives evidence for. */
static const char *const ev_control_clauses[CONTROL_COUNT][2] = {
	{"7.1.4.1 a", "8.1.4.1 a"},
	{"7.1.4.2 a", "8.1.4.2 a, 8.1.4.2 e, 8.1.4.2 f"},
	{"7.1.4.2 d", "8.1.4.2 d"},
	{"no level 2 clause", "8.1.4.2 g"},
	{"7.1.4.7", "8.1.4.7"}
};

static const char *const ev_verdict_names[] = {
	"pass", "fail", "not applicable"
};

static void item_add(struct ev_item *it, char *text)
{
	if (it->n == it->cap) {
		it->cap = it->cap ? it->cap * 2 : 8;
		it->evidence = realloc(it->evidence,
				       it->cap * sizeof(*it->evidence));
		if (!it->evidence)
			abort();
	}
	it->evidence[it->n++] = text;
}

static void item_set(struct ev_item *it, enum ev_verdict v, char *reason)
{
	it->verdict = v;
	it->reason = reason;
}

static char *pos_text(const struct src_file *src, size_t offset)
{
	struct src_pos p = src_position(src, offset);

	return ev_format("%s:%u:%u", src->name, p.line, p.column);
}

static char *finding_text(const struct finding *f)
{
	char *pos = pos_text(f->file, f->start), *s;

	s = ev_format("%s: %s: %s [%s]", pos, check_severity_name(f->severity),
		      f->message, check_table[f->check].id);
	free(pos);
	return s;
}

/* The collection, bucket or function; else the pointer; else the file,
 * as `rulecheck matrix' names a row. */
static const char *row_name(const struct ev_row *r)
{
	return r->obj->name ? r->obj->name : r->obj->pointer[0] ?
	       r->obj->pointer : r->file->rf.src.name;
}

/* "NAME: FILE:LINE:COL" of the rule object of R, or with OP, "NAME OP:
 * CLASS (FILE:LINE:COL)" of the rule that governs OP. */
static char *row_text(const struct ev_row *r, const char *op)
{
	const struct rule_value *v = op ? rules_effective(r->obj, op) : NULL;
	const struct json_node *n = v ? v->member->value : r->obj->node;
	char *pos = pos_text(&r->file->rf.src, n->span.start), *s;
	const char *const *ops;
	size_t i, nops;

	if (!op) {
		s = ev_format("%s: %s", row_name(r), pos);
		free(pos);
		return s;
	}
	access_ops(r->obj->kind, &ops, &nops);
	for (i = 0; i + 1 < nops && strcmp(ops[i], op) != 0; i++)
		;
	s = ev_format("%s %s: %s (%s%s)", row_name(r), op,
		      access_class_name(r->cls[i]), v ? "" : "no rule; ", pos);
	free(pos);
	return s;
}

/* The kind of rule a finding of F concerns: that of the rule object
 * whose pointer is the longest prefix of the finding's, else the file's
 * (RULE_KIND_UNKNOWN for a file that is not JSON). */
static enum rule_kind finding_kind(const struct ev_file *f,
				   const struct finding *fd)
{
	enum rule_kind kind = f->rf.kind;
	size_t i, best = 0, n;

	for (i = 0; i < f->rf.nobjects && fd->pointer; i++) {
		const struct rule_object *o = &f->rf.objects[i];

		n = strlen(o->pointer);
		if (strncmp(fd->pointer, o->pointer, n) == 0 &&
		    (fd->pointer[n] == '\0' || fd->pointer[n] == '/') &&
		    (n >= best || kind == RULE_KIND_UNKNOWN)) {
			best = n;
			kind = o->kind;
		}
	}
	return kind;
}

/* Is FD, in F, an error of a structure or expression check about rules
 * of KIND? */
static int refuses(const struct ev_file *f, const struct finding *fd,
		   enum rule_kind kind)
{
	enum check_category cat = check_table[fd->check].category;
	enum rule_kind fk;

	if (fd->severity != SEV_ERROR ||
	    (cat != CAT_STRUCTURE && cat != CAT_EXPRESSION))
		return 0;
	fk = finding_kind(f, fd);
	return fk == kind || fk == RULE_KIND_UNKNOWN;
}

/* Rules of KIND are configured when some exist and nothing that the
 * structure and expression checks report as an error touches them: the
 * platform would refuse such a file, or a rule would not say what it
 * is read to say. */
static void judge_configured(struct evidence *ev, enum rule_kind kind,
			     struct ev_item *it)
{
	size_t i, j, objs = 0, bad = 0;

	for (i = 0; i < ev->nfiles; i++) {
		const struct ev_file *f = &ev->files[i];

		for (j = 0; j < f->d.n; j++) {
			if (!refuses(f, &f->d.v[j], kind))
				continue;
			item_add(it, finding_text(&f->d.v[j]));
			bad++;
		}
	}
	for (i = 0; i < ev->nrows; i++) {
		if (ev->rows[i].obj->kind != kind)
			continue;
		objs++;
		if (!bad)
			item_add(it, row_text(&ev->rows[i], NULL));
	}
	if (bad)
		item_set(it, EV_FAIL, ev_format("%zu error%s that the platform "
			 "refuses or that change what a rule means", bad,
			 bad == 1 ? "" : "s"));
	else if (!objs)
		item_set(it, EV_NA, ev_format("no %s rule object in the files "
			 "analysed", rule_kind_name(kind)));
	else
		item_set(it, EV_PASS, ev_format("%zu %s rule object%s, with no "
			 "error of the structure or expression checks", objs,
			 rule_kind_name(kind), objs == 1 ? "" : "s"));
}

/* Least privilege fails on a finding of its checks at or above the fail
 * level, and cannot be shown while one of them is disabled. */
static void judge_least_privilege(struct evidence *ev, struct ev_item *it)
{
	char names[256] = "", off[256] = "";
	size_t i, j, bad = 0, low = 0;
	int c;

	for (c = 0; c < CHECK_COUNT; c++) {
		if (check_table[c].control != CONTROL_LEAST_PRIVILEGE)
			continue;
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 "%s%s", names[0] ? ", " : "", check_table[c].id);
		for (i = 0; i < ev->nfiles; i++)
			if (!ev->files[i].d.enabled[c])
				break;
		if (i < ev->nfiles)
			snprintf(off + strlen(off), sizeof(off) - strlen(off),
				 "%s%s", off[0] ? ", " : "", check_table[c].id);
	}
	for (i = 0; i < ev->nfiles; i++) {
		for (j = 0; j < ev->files[i].d.n; j++) {
			const struct finding *fd = &ev->files[i].d.v[j];

			if (check_table[fd->check].control !=
			    CONTROL_LEAST_PRIVILEGE)
				continue;
			if (fd->severity < ev->fail_level) {
				low++;
				continue;
			}
			item_add(it, finding_text(fd));
			bad++;
		}
	}
	if (!ev->nrows)
		item_set(it, EV_NA, ev_format("no rule object in the files "
			 "analysed"));
	else if (bad)
		item_set(it, EV_FAIL, ev_format("%zu finding%s of %s at or "
			 "above %s", bad, bad == 1 ? "" : "s", names,
			 check_severity_name(ev->fail_level)));
	else if (off[0])
		item_set(it, EV_FAIL, ev_format("not shown: %s disabled for "
			 "some files", off));
	else
		item_set(it, EV_PASS, ev_format("no finding of %s at or above "
			 "%s (%zu below it)", names,
			 check_severity_name(ev->fail_level), low));
}

/* Is CLS acceptable for write operation OP under the writes item?  At
 * level 2 a create may be open to every signed-in caller; everything
 * else must be owner- or role-based, or closed. */
static int write_ok(const struct evidence *ev, const char *op,
		    enum access_class cls)
{
	if (cls == ACCESS_OWNER || cls == ACCESS_ROLE || cls == ACCESS_NOBODY)
		return 1;
	return ev->level == 2 && strcmp(op, "create") == 0 &&
	       (cls == ACCESS_ANY_USER || cls == ACCESS_ANONYMOUS);
}

static int anonymous_ok(const struct evidence *ev, const char *op,
			enum access_class cls)
{
	(void)ev;
	(void)op;
	return cls != ACCESS_PUBLIC && cls != ACCESS_ANONYMOUS &&
	       cls != ACCESS_UNKNOWN;
}

/* Walk the write cells of the database and storage rows, adding those
 * OK refuses to IT.  Returns the number of cells; *BAD the refused. */
static size_t scan_writes(struct evidence *ev, struct ev_item *it,
			  int (*ok)(const struct evidence *, const char *,
				    enum access_class),
			  size_t *bad)
{
	const char *const *ops;
	size_t i, op, n, cells = 0;

	*bad = 0;
	for (i = 0; i < ev->nrows; i++) {
		const struct ev_row *r = &ev->rows[i];

		if (r->obj->kind == RULE_KIND_FUNCTION)
			continue;
		access_ops(r->obj->kind, &ops, &n);
		for (op = 1; op < n; op++) {
			cells++;
			if (ok(ev, ops[op], r->cls[op]))
				continue;
			item_add(it, row_text(r, ops[op]));
			(*bad)++;
		}
	}
	return cells;
}

static void judge_writes(struct evidence *ev, struct ev_item *it)
{
	size_t bad, cells = scan_writes(ev, it, write_ok, &bad);

	if (!cells)
		item_set(it, EV_NA, ev_format("no database collection or "
			 "storage bucket in the files analysed"));
	else if (bad)
		item_set(it, EV_FAIL, ev_format("%zu of %zu write operations "
			 "admit callers who are neither owner nor role "
			 "holder%s", bad, cells, ev->level == 2 ?
			 " (a create may admit any signed-in caller)" : ""));
	else
		item_set(it, EV_PASS, ev_format("all %zu write operations are "
			 "owner, role or nobody%s", cells, ev->level == 2 ?
			 ", or a create open to signed-in callers" : ""));
}

static void judge_anonymous(struct evidence *ev, struct ev_item *it)
{
	size_t bad, cells;

	if (ev->level < 3) {
		item_set(it, EV_NA, ev_format("an item of level 3; at level 2 "
			 "anonymous writes are anonymous-write findings under "
			 "access control"));
		return;
	}
	cells = scan_writes(ev, it, anonymous_ok, &bad);
	if (!cells)
		item_set(it, EV_NA, ev_format("no database collection or "
			 "storage bucket in the files analysed"));
	else if (bad)
		item_set(it, EV_FAIL, ev_format("%zu of %zu write operations "
			 "admit unauthenticated or anonymous-login callers, or "
			 "could not be decided", bad, cells));
	else
		item_set(it, EV_PASS, ev_format("none of %zu write operations "
			 "admits unauthenticated or anonymous-login callers",
			 cells));
}

/* Judge every item; returns the number that fail. */
static size_t judge(struct evidence *ev)
{
	size_t i, failed = 0;

	judge_configured(ev, RULE_KIND_DATABASE, &ev->items[EV_ITEM_DATABASE]);
	judge_configured(ev, RULE_KIND_STORAGE, &ev->items[EV_ITEM_STORAGE]);
	judge_least_privilege(ev, &ev->items[EV_ITEM_LEAST_PRIVILEGE]);
	judge_writes(ev, &ev->items[EV_ITEM_WRITES]);
	judge_anonymous(ev, &ev->items[EV_ITEM_ANONYMOUS]);
	for (i = 0; i < EV_ITEM_COUNT; i++)
		failed += ev->items[i].verdict == EV_FAIL;
	return failed;
}

/* ---- writing Markdown and HTML ------------------------------------------ */

/* A document being written: the same calls make either format.  Text is
 * always escaped for the format; invalid UTF-8 becomes U+FFFD and control
 * characters spaces, so that no input can break the markup. */
struct ev_out {
	FILE *f;
	int html;
	int in_table;
	int cell;		/* cells written in the current row */
};

static void raw(struct ev_out *o, const char *s)
{
	fputs(s, o->f);
}

/* The length of the valid UTF-8 sequence at S (N bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	len = s[0] >= 0xf5 ? 0 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 :
	      s[0] >= 0xc2 ? 2 : 0;
	if (!len || len > n)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* One ASCII character of text or code, escaped for the format. */
static void put_ascii(struct ev_out *o, char c, int code)
{
	static const char md_special[] = "\\`*_[]<>|&~#";

	if ((unsigned char)c < 0x20 || c == 0x7f)
		c = ' ';
	if (o->html) {
		switch (c) {
		case '&': raw(o, "&amp;"); return;
		case '<': raw(o, "&lt;"); return;
		case '>': raw(o, "&gt;"); return;
		case '"': raw(o, "&quot;"); return;
		case '\'': raw(o, "&#39;"); return;
		}
	} else if (code ? c == '|' && o->in_table :
			  strchr(md_special, c) != NULL) {
		fputc('\\', o->f);
	}
	fputc(c, o->f);
}

static void put_bytes(struct ev_out *o, const char *s, size_t n, int code)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	while (i < n) {
		len = utf8_len(p + i, n - i);
		if (len == 1)
			put_ascii(o, s[i], code);
		else if (len)
			fwrite(s + i, 1, len, o->f);
		else
			raw(o, "\xef\xbf\xbd");
		i += len ? len : 1;
	}
}

static void text(struct ev_out *o, const char *s)
{
	put_bytes(o, s, strlen(s), 0);
}

static void textf(struct ev_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void textf(struct ev_out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	text(o, s);
	free(s);
}

/* A code span: in Markdown, fenced by one backtick more than the longest
 * run inside, and padded where the content would eat the fence. */
static void code(struct ev_out *o, const char *s, size_t n)
{
	size_t i, run = 0, longest = 0, fence;
	int pad;

	if (o->html) {
		raw(o, "<code>");
		put_bytes(o, s, n, 1);
		raw(o, "</code>");
		return;
	}
	for (i = 0; i < n; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	pad = n == 0 || s[0] == '`' || s[n - 1] == '`' ||
	      (s[0] == ' ' && s[n - 1] == ' ');
	for (fence = 0; fence <= longest; fence++)
		fputc('`', o->f);
	raw(o, pad ? " " : "");
	put_bytes(o, s, n, 1);
	raw(o, pad ? " " : "");
	for (fence = 0; fence <= longest; fence++)
		fputc('`', o->f);
}

static void code_str(struct ev_out *o, const char *s)
{
	code(o, s, strlen(s));
}

static void heading(struct ev_out *o, int level, const char *id,
		    const char *title)
{
	if (o->html) {
		fprintf(o->f, "<h%d id=\"%s\">", level, id);
		text(o, title);
		fprintf(o->f, "</h%d>\n", level);
		return;
	}
	fprintf(o->f, "%.*s ", level, "######");
	text(o, title);
	raw(o, "\n\n");
}

static void para_begin(struct ev_out *o)
{
	raw(o, o->html ? "<p>" : "");
}

static void para_end(struct ev_out *o)
{
	raw(o, o->html ? "</p>\n" : "\n\n");
}

static void para(struct ev_out *o, const char *s)
{
	para_begin(o);
	text(o, s);
	para_end(o);
}

static void list_begin(struct ev_out *o)
{
	raw(o, o->html ? "<ul>\n" : "");
}

static void item_begin(struct ev_out *o)
{
	raw(o, o->html ? "<li>" : "- ");
}

static void item_end(struct ev_out *o)
{
	raw(o, o->html ? "</li>\n" : "\n");
}

static void list_end(struct ev_out *o)
{
	raw(o, o->html ? "</ul>\n" : "\n");
}

static void table_begin(struct ev_out *o, const char *id,
			const char *const *heads, size_t n)
{
	size_t i;

	if (o->html) {
		fprintf(o->f, "<table id=\"%s\">\n<thead><tr>", id);
		for (i = 0; i < n; i++) {
			raw(o, "<th>");
			text(o, heads[i]);
			raw(o, "</th>");
		}
		raw(o, "</tr></thead>\n<tbody>\n");
	} else {
		for (i = 0; i < n; i++) {
			raw(o, "| ");
			text(o, heads[i]);
			raw(o, " ");
		}
		raw(o, "|\n");
		for (i = 0; i < n; i++)
			raw(o, "|---");
		raw(o, "|\n");
	}
	o->in_table = 1;
}

static void row_begin(struct ev_out *o)
{
	raw(o, o->html ? "<tr>" : "");
	o->cell = 0;
}

static void cell_begin(struct ev_out *o, const char *class)
{
	if (o->html && class)
		fprintf(o->f, "<td class=\"%s\">", class);
	else
		raw(o, o->html ? "<td>" : "| ");
	o->cell++;
}

static void cell_end(struct ev_out *o)
{
	raw(o, o->html ? "</td>" : " ");
}

static void row_end(struct ev_out *o)
{
	raw(o, o->html ? "</tr>\n" : "|\n");
}

static void table_end(struct ev_out *o)
{
	raw(o, o->html ? "</tbody>\n</table>\n" : "\n");
	o->in_table = 0;
}

static void cell_text(struct ev_out *o, const char *s, const char *class)
{
	cell_begin(o, class);
	text(o, s);
	cell_end(o);
}

static void cell_code(struct ev_out *o, const char *s)
{
	cell_begin(o, NULL);
	code_str(o, s);
	cell_end(o);
}

/* ---- the sections ------------------------------------------------------- */

static const char ev_css[] =
	"body{font:15px/1.45 system-ui,sans-serif;color:#111;margin:2em auto;"
	"max-width:72em;padding:0 1em}\n"
	"h1{font-size:1.6em}h2{font-size:1.3em;border-bottom:1px solid #999}"
	"h3{font-size:1.1em}\n"
	"table{border-collapse:collapse;margin:.5em 0 1.2em;width:100%}\n"
	"th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;"
	"vertical-align:top}\n"
	"th{background:#eee}\n"
	"code{font:13px/1.3 ui-monospace,monospace;white-space:pre-wrap;"
	"word-break:break-all}\n"
	"td.pass{background:#dfd}td.fail{background:#fdd;font-weight:bold}"
	"td.na{background:#eee}\n"
	"td.public,td.anonymous,td.any-user,td.unknown{background:#fdd}\n"
	"td.role,td.owner,td.nobody{background:#efe}\n"
	"@page{size:A4;margin:15mm}\n"
	"@media print{body{font-size:10pt;margin:0;max-width:none}"
	"section{break-before:page}section:first-of-type{break-before:auto}"
	"h2,h3{break-after:avoid}thead{display:table-header-group}"
	"tr,li{break-inside:avoid}"
	"td,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

static const char *level_text(int level)
{
	return level == 3 ? "3 (GB/T 22239-2019, chapter 8)" :
	       "2 (GB/T 22239-2019, chapter 7)";
}

static const char *platforms_text(const struct evidence *ev)
{
	unsigned callers = ev->nfiles ? ev->files[0].ao.callers : 0;
	size_t i;

	for (i = 1; i < ev->nfiles; i++)
		if (ev->files[i].ao.callers != callers)
			return "as each file's configuration says";
	return callers == SYM_CALLERS_MINIPROGRAM ? "miniprogram" :
	       callers == SYM_CALLERS_WEB ? "web" : "both";
}

static void count_findings(const struct evidence *ev, size_t count[3],
			   size_t *suppressed)
{
	size_t i, j;

	memset(count, 0, 3 * sizeof(count[0]));
	*suppressed = 0;
	for (i = 0; i < ev->nfiles; i++) {
		for (j = 0; j < ev->files[i].d.n; j++)
			count[ev->files[i].d.v[j].severity]++;
		*suppressed += ev->files[i].suppressed;
	}
	for (j = 0; j < ev->unused.n; j++)
		count[ev->unused.v[j].severity]++;
}

static void summary_row(struct ev_out *o, const char *key, char *value)
{
	row_begin(o);
	cell_text(o, key, NULL);
	cell_text(o, value, NULL);
	row_end(o);
	free(value);
}

static void write_summary(struct evidence *ev, struct ev_out *o,
			  size_t failed)
{
	static const char *const heads[] = {"property", "value"};
	char date[32];
	struct tm tm;
	size_t count[3], suppressed, objs = ev->nrows;

	gmtime_r(&ev->date, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	count_findings(ev, count, &suppressed);
	heading(o, 1, "top", "MLPS evidence report");
	para(o, "The access rules of a CloudBase project, analysed against "
	     "the baseline for classified protection of cybersecurity, "
	     "GB/T 22239-2019. Every class of the permission matrix and "
	     "every finding is computed from the rules themselves.");
	table_begin(o, "summary", heads, 2);
	summary_row(o, "tool", ev_format("rulecheck %s", PACKAGE_VERSION));
	summary_row(o, "date", ev_format("%s", date));
	summary_row(o, "level", ev_format("%s", level_text(ev->level)));
	summary_row(o, "platforms", ev_format("%s", platforms_text(ev)));
	summary_row(o, "files analysed", ev_format("%zu", ev->nfiles));
	summary_row(o, "rule objects", ev_format("%zu", objs));
	summary_row(o, "findings", ev_format("errors: %zu, warnings: %zu, "
		    "notes: %zu; suppressed: %zu", count[SEV_ERROR],
		    count[SEV_WARNING], count[SEV_NOTE], suppressed));
	summary_row(o, "checklist", failed ? ev_format("fail: %zu of %d "
		    "items fail", failed, EV_ITEM_COUNT) :
		    ev_format("pass: no item fails"));
	table_end(o);
}

static const char *const ev_verdict_classes[] = {"pass", "fail", "na"};

static void write_item_evidence(struct ev_out *o, const struct ev_item *it,
				size_t k)
{
	char id[32];
	char *title;
	size_t i;

	snprintf(id, sizeof(id), "item-%zu", k + 1);
	title = ev_format("%zu. %s: %s", k + 1, ev_item_titles[k],
			  ev_verdict_names[it->verdict]);
	heading(o, 3, id, title);
	free(title);
	para(o, it->reason);
	if (!it->n)
		return;
	list_begin(o);
	for (i = 0; i < it->n; i++) {
		item_begin(o);
		text(o, it->evidence[i]);
		item_end(o);
	}
	list_end(o);
}

static void write_checklist(struct evidence *ev, struct ev_out *o)
{
	static const char *const heads[] = {
		"no.", "item", "clause", "verdict", "reason"
	};
	size_t k;
	char num[8];

	heading(o, 2, "checklist", "Checklist");
	para(o, "Each item is a requirement of the level that access rules "
	     "can show. An item fails on the evidence listed under it; not "
	     "applicable says why the rules cannot speak to it.");
	table_begin(o, "checklist-table", heads, 5);
	for (k = 0; k < EV_ITEM_COUNT; k++) {
		const struct ev_item *it = &ev->items[k];

		snprintf(num, sizeof(num), "%zu", k + 1);
		row_begin(o);
		cell_text(o, num, NULL);
		cell_text(o, ev_item_titles[k], NULL);
		cell_text(o, ev_item_clauses[k][ev->level == 3], NULL);
		cell_text(o, ev_verdict_names[it->verdict],
			  ev_verdict_classes[it->verdict]);
		cell_text(o, it->reason, NULL);
		row_end(o);
	}
	table_end(o);
	for (k = 0; k < EV_ITEM_COUNT; k++)
		write_item_evidence(o, &ev->items[k], k);
}

static const char *const ev_kind_ids[] = {"database", "storage", "function"};
static const char *const ev_kind_titles[] = {
	"Database collections", "Storage buckets", "Cloud functions"
};
static const char *const ev_kind_columns[] = {
	"collection", "bucket", "function"
};

static void matrix_row_out(struct ev_out *o, const struct ev_row *r,
			   size_t nops)
{
	struct src_pos p = src_position(&r->file->rf.src,
					r->obj->node->span.start);
	char pos[32];
	size_t i;

	row_begin(o);
	cell_text(o, row_name(r), NULL);
	for (i = 0; i < nops; i++)
		cell_text(o, access_class_name(r->cls[i]),
			  access_class_name(r->cls[i]));
	cell_text(o, r->file->rf.src.name, NULL);
	snprintf(pos, sizeof(pos), "%u:%u", p.line, p.column);
	cell_text(o, pos, NULL);
	row_end(o);
}

/* The rule governing one operation: where it is and what it says. */
static void rule_row_out(struct ev_out *o, const struct ev_row *r,
			 const char *op, enum access_class cls)
{
	const struct rule_value *v = rules_effective(r->obj, op);
	const struct json_node *n;
	struct src_pos p;

	row_begin(o);
	cell_text(o, row_name(r), NULL);
	cell_text(o, op, NULL);
	cell_text(o, access_class_name(cls), access_class_name(cls));
	if (!v) {
		cell_text(o, "", NULL);
		cell_text(o, "no rule: denied", NULL);
		row_end(o);
		return;
	}
	n = v->member->value;
	p = src_position(&r->file->rf.src, n->span.start);
	cell_begin(o, NULL);
	textf(o, "%s:%u:%u%s%s%s", r->file->rf.src.name, p.line, p.column,
	      strcmp(v->key, op) ? " (" : "", strcmp(v->key, op) ? v->key : "",
	      strcmp(v->key, op) ? ")" : "");
	cell_end(o);
	if (n->type == JSON_STRING) {
		cell_begin(o, NULL);
		code(o, n->str.text, n->str.len);
		cell_end(o);
	} else {
		cell_code(o, n->type == JSON_TRUE ? "true" : n->type ==
			  JSON_FALSE ? "false" : "(not a rule value)");
	}
	row_end(o);
}

static void write_kind(struct evidence *ev, struct ev_out *o, size_t k)
{
	static const char *const rule_heads[] = {
		"name", "operation", "class", "rule at", "rule"
	};
	const char *heads[8], *const *ops;
	char id[32];
	size_t i, j, nops, any = 0;

	for (i = 0; i < ev->nrows; i++)
		any += ev->rows[i].obj->kind == ev_kinds[k];
	if (!any)
		return;
	access_ops(ev_kinds[k], &ops, &nops);
	heads[0] = ev_kind_columns[k];
	for (i = 0; i < nops; i++)
		heads[i + 1] = ops[i];
	heads[nops + 1] = "file";
	heads[nops + 2] = "line:col";
	heading(o, 3, ev_kind_ids[k], ev_kind_titles[k]);
	snprintf(id, sizeof(id), "matrix-%s", ev_kind_ids[k]);
	table_begin(o, id, heads, nops + 3);
	for (i = 0; i < ev->nrows; i++)
		if (ev->rows[i].obj->kind == ev_kinds[k])
			matrix_row_out(o, &ev->rows[i], nops);
	table_end(o);
	snprintf(id, sizeof(id), "rules-%s", ev_kind_ids[k]);
	table_begin(o, id, rule_heads, 5);
	for (i = 0; i < ev->nrows; i++)
		for (j = 0; ev->rows[i].obj->kind == ev_kinds[k] && j < nops;
		     j++)
			rule_row_out(o, &ev->rows[i], ops[j],
				     ev->rows[i].cls[j]);
	table_end(o);
}

static void write_matrix(struct evidence *ev, struct ev_out *o)
{
	size_t k;

	heading(o, 2, "matrix", "Permission matrix");
	para(o, "For each collection, bucket and function, the widest class "
	     "of callers that the rule of each operation admits, from public "
	     "(no sign-in) through anonymous, any-user and role to owner and "
	     "nobody; unknown where the engine could not decide. The second "
	     "table of each kind gives the rule behind every cell, after the "
	     "write fallback.");
	for (k = 0; k < 3; k++)
		write_kind(ev, o, k);
}

static void finding_row(struct ev_out *o, const struct finding *f)
{
	struct src_pos p = src_position(f->file, f->start);

	row_begin(o);
	cell_text(o, check_severity_name(f->severity),
		  check_severity_name(f->severity));
	cell_text(o, check_table[f->check].id, NULL);
	cell_begin(o, NULL);
	textf(o, "%s:%u:%u", f->file->name, p.line, p.column);
	cell_end(o);
	cell_text(o, f->pointer ? f->pointer : "", NULL);
	cell_text(o, f->principal ? f->principal : "", NULL);
	cell_text(o, f->message, NULL);
	if (f->witness)
		cell_code(o, f->witness);
	else
		cell_text(o, "", NULL);
	row_end(o);
}

static size_t control_findings(const struct diag_list *d,
			       enum check_control c, struct ev_out *o)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++) {
		if (check_table[d->v[i].check].control != c)
			continue;
		if (o)
			finding_row(o, &d->v[i]);
		n++;
	}
	return n;
}

static const char *const ev_control_ids[] = {
	"findings-identification", "findings-access",
	"findings-least-privilege", "findings-marking", "findings-integrity"
};

static void write_control(struct evidence *ev, struct ev_out *o,
			  enum check_control c)
{
	static const char *const heads[] = {
		"severity", "check", "position", "rule", "class", "message",
		"witness"
	};
	char *title = ev_format("%c%s (%s)", toupper(check_control_name(c)[0]),
				check_control_name(c) + 1,
				ev_control_clauses[c][ev->level == 3]);
	size_t i, n = control_findings(&ev->unused, c, NULL);
	char id[48];

	for (i = 0; i < ev->nfiles; i++)
		n += control_findings(&ev->files[i].d, c, NULL);
	heading(o, 3, ev_control_ids[c], title);
	free(title);
	if (!n) {
		para(o, "No findings.");
		return;
	}
	snprintf(id, sizeof(id), "%s-table", ev_control_ids[c]);
	table_begin(o, id, heads, 7);
	for (i = 0; i < ev->nfiles; i++)
		control_findings(&ev->files[i].d, c, o);
	control_findings(&ev->unused, c, o);
	table_end(o);
}

static void write_findings(struct evidence *ev, struct ev_out *o)
{
	int c;

	heading(o, 2, "findings", "Findings by control category");
	para(o, "The findings of the checks, as a scan with the same options "
	     "reports them, grouped by the control they give evidence about. "
	     "A witness is a request that the rule allows, evaluated again "
	     "before it is reported.");
	for (c = 0; c < CONTROL_COUNT; c++)
		write_control(ev, o, (enum check_control)c);
}

static void digest_row(struct ev_out *o, const char *name, const char *kind,
		       size_t objs, size_t len, const char *sha)
{
	char num[32];

	row_begin(o);
	cell_text(o, name, NULL);
	if (kind) {
		cell_text(o, kind, NULL);
		snprintf(num, sizeof(num), "%zu", objs);
		cell_text(o, num, NULL);
	}
	snprintf(num, sizeof(num), "%zu", len);
	cell_text(o, num, NULL);
	cell_code(o, sha);
	row_end(o);
}

static void write_files(struct evidence *ev, struct ev_out *o)
{
	static const char *const heads[] = {
		"file", "kind", "rule objects", "bytes", "SHA-256"
	};
	static const char *const conf_heads[] = {"file", "bytes", "SHA-256"};
	char sha[SHA256_HEX_SIZE];
	size_t i;

	heading(o, 2, "files", "Files analysed");
	para(o, "The SHA-256 digest of the bytes of every file analysed, so "
	     "that the report can be tied to the rules it describes: "
	     "sha256sum FILE gives the same digest.");
	table_begin(o, "files-table", heads, 5);
	for (i = 0; i < ev->nfiles; i++) {
		const struct rule_file *rf = &ev->files[i].rf;

		digest_row(o, rf->src.name, rf->json.root ?
			   rule_kind_name(rf->kind) : "not JSON",
			   rf->nobjects, rf->src.len, ev->files[i].sha);
	}
	table_end(o);
	if (!ev->configs.n)
		return;
	para(o, "The configuration files that set the checks, severities "
	     "and suppressions:");
	table_begin(o, "configuration-table", conf_heads, 3);
	for (i = 0; i < ev->configs.n; i++) {
		const struct src_file *src = &ev->configs.v[i]->src;

		sha256_hex(src->buf, src->len, sha);
		digest_row(o, src->name, NULL, 0, src->len, sha);
	}
	table_end(o);
}

static void write_method(struct ev_out *o)
{
	static const char *const heads[] = {
		"check", "control category", "summary"
	};
	int c;

	heading(o, 2, "method", "Checks and control categories");
	para(o, "Every check of rulecheck and the control category under "
	     "which its findings are listed.");
	table_begin(o, "controls-table", heads, 3);
	for (c = 0; c < CHECK_COUNT; c++) {
		row_begin(o);
		cell_text(o, check_table[c].id, NULL);
		cell_text(o, check_control_name(check_table[c].control), NULL);
		cell_text(o, check_table[c].summary, NULL);
		row_end(o);
	}
	table_end(o);
}

static void section_begin(struct ev_out *o, const char *id)
{
	if (o->html)
		fprintf(o->f, "<section id=\"%s-section\">\n", id);
}

static void section_end(struct ev_out *o)
{
	raw(o, o->html ? "</section>\n" : "");
}

static void write_document(struct evidence *ev, FILE *f, size_t failed)
{
	struct ev_out o = {f, ev->html, 0, 0};

	if (o.html) {
		raw(&o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		    "<meta charset=\"utf-8\">\n<title>MLPS evidence report"
		    "</title>\n<style>\n");
		raw(&o, ev_css);
		raw(&o, "</style>\n</head>\n<body>\n");
	}
	section_begin(&o, "summary");
	write_summary(ev, &o, failed);
	section_end(&o);
	section_begin(&o, "checklist");
	write_checklist(ev, &o);
	section_end(&o);
	section_begin(&o, "matrix");
	write_matrix(ev, &o);
	section_end(&o);
	section_begin(&o, "findings");
	write_findings(ev, &o);
	section_end(&o);
	section_begin(&o, "files");
	write_files(ev, &o);
	section_end(&o);
	section_begin(&o, "method");
	write_method(&o);
	section_end(&o);
	if (o.html)
		raw(&o, "</body>\n</html>\n");
}

/* ---- output ------------------------------------------------------------- */

/* Refuse to write the report over one of the files it describes. */
static int output_is_input(const struct evidence *ev)
{
	struct stat out, in;
	size_t i;

	if (stat(ev->output, &out) < 0)
		return 0;
	for (i = 0; i < ev->targets.n; i++)
		if (stat(ev->targets.v[i].path, &in) == 0 &&
		    in.st_dev == out.st_dev && in.st_ino == out.st_ino)
			return 1;
	return 0;
}

/* The mode of the file replaced, else what the umask gives. */
static mode_t output_mode(const char *path)
{
	struct stat st;
	mode_t mask;

	if (stat(path, &st) == 0)
		return st.st_mode & 07777;
	mask = umask(022);
	umask(mask);
	return 0666 & ~mask;
}

/* Write to a temporary file beside PATH and rename it over PATH, so that
 * PATH holds either its old content or the whole report. */
static int write_atomically(struct evidence *ev, size_t failed)
{
	const char *slash = strrchr(ev->output, '/');
	char *tmp = ev_format("%.*s.%s.XXXXXX",
			      slash ? (int)(slash - ev->output + 1) : 0,
			      ev->output, slash ? slash + 1 : ev->output);
	int fd = mkstemp(tmp), err = 0;
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");

	if (!f) {
		err = errno;
		if (fd >= 0)
			close(fd);
	} else {
		write_document(ev, f, failed);
		if (fflush(f) != 0 || ferror(f) || fsync(fd) != 0 ||
		    fchmod(fd, output_mode(ev->output)) != 0)
			err = errno ? errno : EIO;
		if (fclose(f) != 0 && !err)
			err = errno;
		if (!err && rename(tmp, ev->output) != 0)
			err = errno;
	}
	if (err) {
		if (fd >= 0)
			unlink(tmp);
		fprintf(stderr, "rulecheck: %s: cannot write the report: %s\n",
			ev->output, strerror(err));
	}
	free(tmp);
	return err ? -1 : 0;
}

static int write_report(struct evidence *ev, size_t failed)
{
	if (ev->output && strcmp(ev->output, "-") != 0) {
		if (output_is_input(ev)) {
			fprintf(stderr, "rulecheck: %s: is one of the files "
				"analysed; not overwritten\n", ev->output);
			return -1;
		}
		return write_atomically(ev, failed);
	}
	write_document(ev, stdout, failed);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "rulecheck: cannot write the report: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

static void ev_release(struct evidence *ev)
{
	size_t i, j;

	for (i = 0; i < ev->nfiles; i++) {
		diag_free(&ev->files[i].d);
		rules_free(&ev->files[i].rf);
	}
	free(ev->files);
	free(ev->rows);
	for (i = 0; i < EV_ITEM_COUNT; i++) {
		for (j = 0; j < ev->items[i].n; j++)
			free(ev->items[i].evidence[j]);
		free(ev->items[i].evidence);
		free(ev->items[i].reason);
	}
	diag_free(&ev->unused);
	for (i = 0; ev->summaries && i <= ev->targets.nprojects; i++)
		access_summary_free(&ev->summaries[i]);
	free(ev->summaries);
	conf_set_free(&ev->configs);
	scan_free(&ev->targets);
}

/* Files that are not JSON: a report on them alone still has a verdict. */
static size_t unparsed(const struct evidence *ev)
{
	size_t i, n = 0;

	for (i = 0; i < ev->nfiles; i++)
		n += !ev->files[i].rf.json.root;
	return n;
}

int evidence_main(int argc, char **argv)
{
	struct evidence ev;
	size_t failed;
	int rc = EV_EXIT_TROUBLE;

	ev_init(&ev);
	parse_args(&ev, argc, argv);
	if (ev.targets.trouble || report_date(&ev.date) < 0 ||
	    prepare(&ev) < 0 || run_analysis(&ev) < 0)
		goto out;
	if (!ev.nrows && !unparsed(&ev)) {
		fprintf(stderr, "rulecheck: report: no rule object in the "
			"paths given; nothing to report\n");
		goto out;
	}
	failed = judge(&ev);
	if (write_report(&ev, failed) == 0)
		rc = failed ? EV_EXIT_FAIL : EV_EXIT_PASS;
out:
	ev_release(&ev);
	return rc;
}
