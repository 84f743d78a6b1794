/* The command line: option parsing, walking the paths given, running the
 * pipeline on each rule file, and the eval subcommand.  Exit status: 0 no
 * finding at or above --fail-level, 1 findings, 2 usage, I/O or internal
 * error. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "config.h"
#ifdef HAVE_MALLOC_H
#include <malloc.h>
#endif
#include "access.h"
#include "changed.h"
#include "eval.h"
#include "evidence.h"
#include "lint.h"
#include "lsp.h"
#include "matrix.h"
#include "pool.h"
#include "report.h"
#include "rules.h"
#include "scan.h"
#include "suppress.h"
#include "tally.h"

enum {
	EXIT_CLEAN = 0,
	EXIT_FINDINGS = 1,
	EXIT_TROUBLE = 2
};

struct cli {
	struct rule_options rules;
	struct access_options access;
	struct report report;
	enum report_format format;
	int format_set;
	int color;		/* -1 auto, 0 never, 1 always */
	enum severity fail_level;
	unsigned char enabled[CHECK_COUNT];
	int dump_ast;
	const char *stdin_name;
	int trouble;		/* an I/O or internal error happened */
	size_t failing;		/* findings at or above fail_level */
	struct tally tally;
	unsigned jobs;		/* -j: worker threads */
	int progress;		/* a progress bar on a terminal */
	int summary;		/* -1 auto, 0 never, 1 always */
	struct conf_settings given;	/* what the options set: wins */
	struct conf_set configs;
	int no_suppressions;
	int only_rules;		/* named files are judged as a scan would */
	const char *changed_since;	/* --changed-since REV */
	const char *baseline_path, *record_path;
	struct suppress_baseline baseline, record;
	struct changed_set changed;
};

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "rulecheck: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'rulecheck --help' for more information.\n");
	exit(EXIT_TROUBLE);
}

static void print_help(void)
{
	fputs("Usage: rulecheck [OPTIONS] PATH...\n"
	      "       rulecheck matrix [OPTIONS] PATH...\n"
	      "       rulecheck diff [OPTIONS] OLD NEW\n"
	      "       rulecheck report [--level 2|3] [--format markdown|html] "
	      "[-o FILE] PATH...\n"
	      "       rulecheck eval FILE --op OP [REQUEST OPTIONS]\n"
	      "Check CloudBase safety rules.  A directory is scanned "
	      "recursively; '-' reads\nstandard input.\n\n"
	      "Options:\n"
	      "  -f, --format FORMAT     tty, gcc, json, sarif, checkstyle "
	      "or github\n                          (default: tty on a "
	      "terminal, else gcc)\n"
	      "      --fail-level SEV    note, warning or error "
	      "(default: warning)\n"
	      "      --kind KIND         database, storage or function\n"
	      "      --enable IDS        enable checks (comma-separated, "
	      "or 'all')\n"
	      "      --disable IDS       disable checks (comma-separated, "
	      "or 'all')\n"
	      "      --level N           compliance profile: 2 or 3\n"
	      "      --platforms P       miniprogram, web or both "
	      "(default: both)\n"
	      "      --config FILE       read settings from FILE instead of "
	      "the nearest\n                          .rulecheck.json\n"
	      "      --no-config         read no configuration file\n"
	      "      --no-suppressions   report suppressed findings too\n"
	      "      --changed-since REV  check only the files changed since "
	      "the git\n                          revision REV, and untracked "
	      "files\n"
	      "      --only-rules        skip named files that a directory "
	      "scan would pass\n                          over (not rules, "
	      "or excluded)\n"
	      "      --baseline FILE     report only findings that FILE does "
	      "not hold\n"
	      "      --write-baseline FILE  record the findings in FILE; "
	      "report none\n"
	      "      --list-checks       list the checks and exit\n"
	      "      --dump-ast          print the syntax tree of every rule\n"
	      "      --dump-queries      print every question put to the "
	      "engine\n"
	      "      --stdin-filename N  the name of standard input\n"
	      "      --color WHEN        auto, always or never\n"
	      "  -j, --jobs N            check N files at a time (default: "
	      "the number of\n                          processors)\n"
	      "      --summary WHEN      totals at the end: auto, always or "
	      "never\n"
	      "      --no-progress       no progress bar on a terminal\n"
	      "      --max-file-size N   refuse files over N bytes "
	      "(default: 8 MiB)\n"
	      "      --max-rule-objects N  refuse files with more rule "
	      "objects (default: 10000)\n"
	      "      --max-evaluations N  the engine's budget per question "
	      "(default: 200000)\n"
	      "  -h, --help              show this help and exit\n"
	      "  -V, --version           show the version and exit\n\n"
	      "Request options of eval:\n"
	      "  --op OP  --auth JSON|null  --doc JSON  --data JSON  --now N\n"
	      "  --get PATH=JSON  --collection NAME  --kind KIND\n"
	      "  --config FILE  --no-config\n\n"
	      "Exit status: 0 no finding at or above the fail level, "
	      "1 findings,\n2 usage, input/output or internal error.  "
	      "diff: 1 when NEW grants new access.\n",
	      stdout);
}

static void list_checks(void)
{
	int i;

	for (i = 0; i < CHECK_COUNT; i++)
		printf("%-26s %-8s %-11s %s\n", check_table[i].id,
		       check_severity_name(check_table[i].severity),
		       check_category_name(check_table[i].category),
		       check_table[i].summary);
}

static void set_checks(struct cli *c, const char *list, int on)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int id;

	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "all") == 0) {
			memset(c->enabled, on, sizeof(c->enabled));
			memset(c->given.enabled, on, sizeof(c->given.enabled));
			continue;
		}
		id = check_by_name(tok);
		if (id < 0) {
			free(copy);
			usage_error("unknown check '%s'; see --list-checks",
				    tok);
		}
		c->enabled[id] = (unsigned char)on;
		c->given.enabled[id] = (signed char)on;
	}
	free(copy);
}

static enum severity parse_severity(const char *s)
{
	int sev = conf_severity_named(s);

	if (sev < 0)
		usage_error("invalid severity '%s'; use note, warning or "
			    "error", s);
	return (enum severity)sev;
}

static enum report_format parse_format(const char *s)
{
	if (strcmp(s, "tty") == 0)
		return REPORT_TTY;
	if (strcmp(s, "gcc") == 0)
		return REPORT_GCC;
	if (strcmp(s, "json") == 0)
		return REPORT_JSON;
	if (strcmp(s, "sarif") == 0)
		return REPORT_SARIF;
	if (strcmp(s, "checkstyle") == 0)
		return REPORT_CHECKSTYLE;
	if (strcmp(s, "github") == 0)
		return REPORT_GITHUB;
	usage_error("invalid format '%s'; use tty, gcc, json, sarif, "
		    "checkstyle or github", s);
	return REPORT_GCC;
}

static enum rule_kind parse_kind(const char *s)
{
	enum rule_kind k = rule_kind_by_name(s);

	if (k == RULE_KIND_UNKNOWN)
		usage_error("invalid kind '%s'; use database, storage or "
			    "function", s);
	return k;
}

static int parse_level(const char *s)
{
	if (strcmp(s, "2") != 0 && strcmp(s, "3") != 0)
		usage_error("invalid level '%s'; use 2 or 3", s);
	return s[0] - '0';
}

static unsigned parse_platforms(const char *s)
{
	unsigned callers = 0;

	if (conf_platforms_named(s, &callers) < 0)
		usage_error("invalid platforms '%s'; use miniprogram, web or "
			    "both", s);
	return callers;
}

static unsigned long parse_count(const char *s, const char *opt)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (*s == '\0' || *s == '-' || *end != '\0' || errno || n == 0)
		usage_error("%s needs a positive number", opt);
	return n;
}

/* auto, always or never, for the option named WHAT: -1, 1 or 0. */
static int parse_when(const char *s, const char *what)
{
	char msg[128];

	if (strcmp(s, "auto") == 0)
		return -1;
	if (strcmp(s, "always") == 0)
		return 1;
	if (strcmp(s, "never") != 0) {
		snprintf(msg, sizeof(msg), "invalid %s '%.40s'; use auto, "
			 "always or never", what, s);
		usage_error("%s", msg);
	}
	return 0;
}

/* ---- checking files ------------------------------------------------------ */

static void dump_ast(const struct rule_file *rf)
{
	size_t i, j;

	for (i = 0; i < rf->nobjects; i++) {
		const struct rule_object *obj = &rf->objects[i];

		for (j = 0; j < obj->nvalues; j++) {
			const struct rule_value *v = &obj->values[j];
			struct src_pos p;

			if (!v->ast)
				continue;
			p = src_position(&rf->src, v->member->value->span.start);
			printf("%s:%u:%u: %s/%s\n", rf->src.name, p.line,
			       p.column, obj->pointer, v->key);
			ast_dump(stdout, v->ast, 1);
		}
	}
}

static void count_failing(struct cli *c, const struct diag_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].severity >= c->fail_level)
			c->failing++;
}

/* Suppressions, then the baseline: a baseline being written records
 * the findings instead of reporting them. */
static void filter_findings(struct cli *c, struct diag_list *d,
			    const struct rule_file *rf, struct conf_view *v)
{
	conf_fix_severities(v, d);
	if (!c->no_suppressions && rf)
		suppress_file(d, rf, v);
	if (c->record_path)
		suppress_baseline_record(&c->record, d, rf);
	else if (c->baseline_path)
		suppress_baseline_filter(&c->baseline, d, rf);
}

static void report_list(struct cli *c, struct diag_list *d)
{
	if (c->record_path)
		return;
	diag_sort(d);
	report_findings(&c->report, d);
	count_failing(c, d);
	tally_findings(&c->tally, d);
}

/* ---- the scan: one job per file, run by the pool ------------------------ */

static const char *target_name(const struct cli *c, const struct scan_target *t)
{
	return strcmp(t->path, "-") == 0 ? c->stdin_name : t->path;
}

/* What the scan knows of one project: the collections its files define,
 * and how many of its files are yet to be collected and emitted. */
struct project {
	struct access_summary summary;
	size_t uncollected, unemitted;
};

struct job {
	const struct scan_target *t;
	const char *name;
	struct conf_view view;
	int skip; /* excluded, or its configuration failed */
	struct access_options ao;
	struct diag_list d;
	struct rule_file rf;
	int loaded;
	char err[256];
	enum lint_result keep;
	int deferred; /* role-doc-writable once its project is collected */
	struct access_summary entries;
	char *dump; /* --dump-queries output of the job */
	size_t dumplen;
	struct job *next_spare;
};

/* Jobs are taken from malloc by the calling thread and released by the
 * thread that ran them: freed there, each would wait for the lock of the
 * calling thread's arena, so released jobs are kept for the next ones. */
struct scan {
	struct cli *c;
	const struct scan_list *l;
	struct job **jobs;
	struct project *projects;
	pthread_mutex_t spare_lock;
	struct job *spare;
};

static struct job *job_new(struct scan *s)
{
	struct job *j;

	pthread_mutex_lock(&s->spare_lock);
	j = s->spare;
	if (j)
		s->spare = j->next_spare;
	pthread_mutex_unlock(&s->spare_lock);
	if (j)
		memset(j, 0, sizeof(*j));
	else if (!(j = calloc(1, sizeof(*j))))
		abort();
	return j;
}

static void job_free(struct scan *s, struct job *j)
{
	pthread_mutex_lock(&s->spare_lock);
	j->next_spare = s->spare;
	s->spare = j;
	pthread_mutex_unlock(&s->spare_lock);
}

static void scan_prepare(void *arg, size_t k)
{
	struct scan *s = arg;
	struct cli *c = s->c;
	struct job *j = job_new(s);

	s->jobs[k] = j;
	j->t = &s->l->v[k];
	j->name = target_name(c, j->t);
	j->ao = c->access;
	diag_init(&j->d);
	if (conf_view(&c->configs, j->name, &c->given, &j->view) < 0) {
		c->trouble = 1;
		j->skip = 1;
		return;
	}
	j->skip = !j->t->explicit && conf_excluded(&j->view);
	if (j->t->context && !c->enabled[CHECK_ROLE_DOC_WRITABLE])
		j->skip = 1;
	conf_apply(&j->view, &j->d, &j->ao);
}

/* Load the file once: its collections for the project's summary, then
 * its checks, unless they need that summary. */
static void scan_work(void *arg, size_t k)
{
	struct scan *s = arg;
	struct cli *c = s->c;
	struct job *j = s->jobs[k];
	struct access_options quiet = j->ao;
	FILE *dump = NULL;

	if (j->skip)
		return;
	if (rules_load(&j->rf, j->t->path, j->name, &c->rules, &j->d, j->err,
		       sizeof(j->err)) < 0)
		return;
	j->loaded = 1;
	quiet.dump = NULL;
	if (c->enabled[CHECK_ROLE_DOC_WRITABLE] && j->rf.json.root)
		access_summarize(&j->entries, &j->rf, &quiet);
	if (j->t->context)
		return;
	j->deferred = j->d.enabled[CHECK_ROLE_DOC_WRITABLE] &&
		      lint_reads_documents(&j->rf);
	if (j->ao.dump) {
		dump = open_memstream(&j->dump, &j->dumplen);
		if (!dump)
			abort();
		j->ao.dump = dump;
	}
	j->keep = lint_file(&j->d, &j->rf, j->t->explicit, &j->ao, NULL);
	if (dump)
		fclose(dump);
}

static void merge_summary(struct access_summary *to,
			  struct access_summary *from)
{
	if (!from->n)
		return;
	if (to->n + from->n > to->cap) {
		to->cap = to->n + from->n + 16;
		to->v = realloc(to->v, to->cap * sizeof(*to->v));
		if (!to->v)
			abort();
	}
	memcpy(to->v + to->n, from->v, from->n * sizeof(*from->v));
	to->n += from->n;
	from->n = 0; /* the array is freed with the job, on its thread */
}

static void scan_collect(void *arg, size_t k)
{
	struct scan *s = arg;
	struct job *j = s->jobs[k];
	struct project *p = &s->projects[j->t->project];

	merge_summary(&p->summary, &j->entries);
	p->uncollected--;
}

static void finish_job(struct scan *s, struct job *j)
{
	struct cli *c = s->c;

	if (j->keep == LINT_INTERNAL) {
		fprintf(stderr,
			"rulecheck: %s: internal error: a witness did "
			"not hold on re-evaluation\n",
			j->name);
		c->trouble = 1;
	}
	if (j->dump)
		fwrite(j->dump, 1, j->dumplen, stdout);
	if (j->keep == LINT_SKIP)
		return;
	c->tally.rule_files++;
	c->tally.objects += j->rf.nobjects;
	if (c->dump_ast)
		dump_ast(&j->rf);
	filter_findings(c, &j->d, &j->rf, &j->view);
	report_list(c, &j->d);
}

static int scan_emit(void *arg, size_t k)
{
	struct scan *s = arg;
	struct cli *c = s->c;
	struct job *j = s->jobs[k];
	struct project *p = &s->projects[j->t->project];

	if (j->deferred && p->uncollected)
		return 0;
	tally_progress_clear(&c->tally);
	if (j->deferred && j->keep != LINT_SKIP)
		access_role_docs(&j->d, &j->rf, &j->ao, &p->summary);
	if (!j->skip && !j->loaded && !j->t->context) {
		fprintf(stderr, "rulecheck: %s: %s\n", j->name, j->err);
		c->trouble = 1;
	} else if (j->loaded && !j->t->context) {
		c->tally.files++;
		finish_job(s, j);
	}
	if (--p->unemitted == 0)
		access_summary_free(&p->summary);
	conf_view_free(&j->view);
	tally_progress(&c->tally, k + 1);
	return 1;
}

static void scan_release(void *arg, size_t k)
{
	struct scan *s = arg;
	struct job *j = s->jobs[k];

	if (j->loaded)
		rules_free(&j->rf);
	diag_free(&j->d);
	access_summary_free(&j->entries);
	free(j->dump);
	job_free(s, j);
	s->jobs[k] = NULL;
}

/* Check every file of L, in order, on c->jobs threads. */
static void scan_files(struct cli *c, const struct scan_list *l)
{
	struct pool_ops ops = {NULL, scan_prepare, scan_work, scan_collect,
			       scan_emit, scan_release};
	struct scan s;
	size_t i, np = l->nprojects;

	s.c = c;
	s.l = l;
	s.spare = NULL;
	pthread_mutex_init(&s.spare_lock, NULL);
	s.jobs = calloc(l->n + 1, sizeof(*s.jobs));
	s.projects = calloc(np + 1, sizeof(*s.projects));
	if (!s.jobs || !s.projects)
		abort();
	for (i = 0; i < l->n; i++) {
		s.projects[l->v[i].project].uncollected++;
		s.projects[l->v[i].project].unemitted++;
	}
	ops.arg = &s;
	if (c->progress && isatty(STDERR_FILENO))
		tally_progress_start(&c->tally, stderr, l->n);
	pool_run(&ops, l->n, c->jobs);
	tally_progress_clear(&c->tally);
	while (s.spare) {
		struct job *next = s.spare->next_spare;

		free(s.spare);
		s.spare = next;
	}
	pthread_mutex_destroy(&s.spare_lock);
	free(s.jobs);
	free(s.projects);
}

/* ---- the eval command ----------------------------------------------------- */

struct eval_args {
	const char *file, *op, *collection;
	cJSON *auth, *doc, *data;
	double now;
	struct eval_get gets[16];
	cJSON *get_docs[16];
	size_t ngets;
};

static cJSON *parse_json_arg(const char *opt, const char *text)
{
	cJSON *v = cJSON_Parse(text);

	if (!v) {
		fprintf(stderr, "rulecheck: %s: not valid JSON: '%s'\n", opt,
			text);
		exit(EXIT_TROUBLE);
	}
	return v;
}

static void add_get(struct eval_args *a, char *arg)
{
	char *eq = strchr(arg, '=');

	if (!eq)
		usage_error("--get needs PATH=JSON, not '%s'", arg);
	if (a->ngets == 16)
		usage_error("at most 16 --get documents, not '%s'", arg);
	*eq = '\0';
	a->get_docs[a->ngets] = parse_json_arg("--get", eq + 1);
	a->gets[a->ngets].path = arg;
	a->gets[a->ngets].doc = a->get_docs[a->ngets];
	a->ngets++;
}

static double now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec * 1000.0 + (double)(tv.tv_usec / 1000);
}

/* --config FILE, or --no-config when FILE is NULL. */
static void use_config(struct cli *c, const char *file)
{
	c->configs.forced = file;
	c->configs.disabled = !file;
}

static void parse_eval_args(struct cli *c, struct eval_args *a, int argc,
			    char **argv)
{
	static const struct option longopts[] = {
		{"op", required_argument, NULL, 'o'},
		{"auth", required_argument, NULL, 'a'},
		{"doc", required_argument, NULL, 'd'},
		{"data", required_argument, NULL, 'D'},
		{"now", required_argument, NULL, 'n'},
		{"get", required_argument, NULL, 'g'},
		{"collection", required_argument, NULL, 'c'},
		{"kind", required_argument, NULL, 'k'},
		{"config", required_argument, NULL, 'C'},
		{"no-config", no_argument, NULL, 'N'},
		{NULL, 0, NULL, 0}
	};
	char *end;
	int ch;

	a->now = now_ms();
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o': a->op = optarg; break;
		case 'a': a->auth = parse_json_arg("--auth", optarg); break;
		case 'd': a->doc = parse_json_arg("--doc", optarg); break;
		case 'D': a->data = parse_json_arg("--data", optarg); break;
		case 'g': add_get(a, optarg); break;
		case 'c': a->collection = optarg; break;
		case 'k': c->rules.kind = parse_kind(optarg); break;
		case 'C': use_config(c, optarg); break;
		case 'N': use_config(c, NULL); break;
		case 'n':
			a->now = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0')
				usage_error("--now needs a number, not '%s'",
					    optarg);
			break;
		default:
			exit(EXIT_TROUBLE);
		}
	}
	if (optind != argc - 1)
		usage_error("%s", "eval needs exactly one FILE");
	a->file = argv[optind];
	if (!a->op)
		usage_error("%s", "eval needs --op");
}

static int is_op_of(enum rule_kind kind, const char *op)
{
	if (kind == RULE_KIND_STORAGE)
		return strcmp(op, "read") == 0 || strcmp(op, "write") == 0;
	if (kind == RULE_KIND_FUNCTION)
		return strcmp(op, "invoke") == 0;
	return strcmp(op, "read") == 0 || strcmp(op, "create") == 0 ||
	       strcmp(op, "update") == 0 || strcmp(op, "delete") == 0;
}

static const struct rule_object *find_named(const struct rule_file *rf,
					    const char *name)
{
	size_t i;

	for (i = 0; i < rf->nobjects; i++)
		if (rf->objects[i].name && strcmp(rf->objects[i].name, name) == 0)
			return &rf->objects[i];
	return NULL;
}

/* The rule object a request addresses: by --collection (for functions,
 * the exact name, then "*"), or the only one in the file. */
static const struct rule_object *select_object(const struct rule_file *rf,
					       const char *collection)
{
	const struct rule_object *obj;
	size_t i;

	if (collection) {
		obj = find_named(rf, collection);
		if (!obj && rf->nobjects && rf->objects[0].kind ==
		    RULE_KIND_FUNCTION)
			obj = find_named(rf, "*");
		if (obj)
			return obj;
		fprintf(stderr, "rulecheck: %s: no rule object named '%s'\n",
			rf->src.name, collection);
		return NULL;
	}
	if (rf->nobjects == 1)
		return &rf->objects[0];
	fprintf(stderr, "rulecheck: %s: %zu rule objects; choose one with "
		"--collection:", rf->src.name, rf->nobjects);
	for (i = 0; i < rf->nobjects && i < 20; i++)
		fprintf(stderr, " %s", rf->objects[i].name ?
			rf->objects[i].name : rf->objects[i].pointer);
	fputc('\n', stderr);
	return NULL;
}

static void print_decider(const struct rule_file *rf,
			  const struct rule_value *v,
			  const struct eval_outcome *out)
{
	const struct json_node *s = v->member->value;
	size_t rs, re;
	struct src_pos p;

	rules_raw_span(s, out->decider->start, out->decider->end, &rs, &re);
	p = src_position(&rf->src, rs);
	printf("%s:%u:%u: %.*s\n", rf->src.name, p.line, p.column,
	       (int)(out->decider->end - out->decider->start),
	       s->str.text + out->decider->start);
	printf("%s\n", out->reason);
}

static int run_eval_value(const struct rule_file *rf,
			  const struct rule_object *obj,
			  const struct rule_value *v, struct eval_args *a)
{
	struct eval_request req;
	struct eval_outcome out;
	int storage = obj->kind == RULE_KIND_STORAGE;

	memset(&req, 0, sizeof(req));
	req.op = a->op;
	req.auth = a->auth;
	req.doc = storage ? NULL : a->doc;
	req.resource = storage ? a->doc : NULL;
	req.data = a->data;
	req.now = a->now;
	req.gets = a->gets;
	req.ngets = a->ngets;
	eval_expr(v->ast, &req, &out);
	printf("%s\n", out.verdict == EVAL_ALLOW ? "allow" : "deny");
	if (out.decider)
		print_decider(rf, v, &out);
	else
		printf("%s\n", out.reason);
	return out.verdict == EVAL_ALLOW ? EXIT_CLEAN : EXIT_FINDINGS;
}

static int run_eval_object(const struct rule_file *rf,
			   const struct rule_object *obj, struct eval_args *a)
{
	const struct rule_value *v;
	const struct json_node *n;
	struct src_pos p;

	if (!is_op_of(obj->kind, a->op)) {
		fprintf(stderr, "rulecheck: '%s' is not an operation of a %s "
			"rule\n", a->op, rule_kind_name(obj->kind));
		return EXIT_TROUBLE;
	}
	v = rules_effective(obj, a->op);
	if (!v) {
		printf("deny\nno rule governs '%s'; an absent rule denies\n",
		       a->op);
		return EXIT_FINDINGS;
	}
	n = v->member->value;
	p = src_position(&rf->src, n->span.start);
	if (n->type == JSON_TRUE || n->type == JSON_FALSE) {
		printf("%s\n%s:%u:%u: %s\n", n->type == JSON_TRUE ? "allow" :
		       "deny", rf->src.name, p.line, p.column,
		       n->type == JSON_TRUE ? "true" : "false");
		printf("the rule is the literal %s\n",
		       n->type == JSON_TRUE ? "true" : "false");
		return n->type == JSON_TRUE ? EXIT_CLEAN : EXIT_FINDINGS;
	}
	if (!v->ast) {
		fprintf(stderr, "rulecheck: %s:%u:%u: the rule of '%s' does "
			"not compile; run rulecheck on the file\n",
			rf->src.name, p.line, p.column, v->key);
		return EXIT_TROUBLE;
	}
	return run_eval_value(rf, obj, v, a);
}

/* A request from a caller that the configuration of the file says the
 * project does not serve gets a note: the verdict stands, but no such
 * request reaches the rules.  Returns -1 when the configuration is
 * invalid. */
static int eval_platforms(struct cli *c, const struct eval_args *a)
{
	struct access_options ao = c->access;
	int web;

	if (conf_access(&c->configs, a->file, 1, &c->given, &ao) < 0)
		return -1;
	if (!cJSON_IsObject(a->auth) || !ao.callers)
		return 0;
	web = cJSON_HasObjectItem(a->auth, "uid");
	if (web && !(ao.callers & SYM_CALLERS_WEB))
		fprintf(stderr, "rulecheck: note: the configuration serves "
			"mini-program callers only, and an --auth with a "
			"uid is a web caller\n");
	else if (!web && !(ao.callers & SYM_CALLERS_MINIPROGRAM))
		fprintf(stderr, "rulecheck: note: the configuration serves "
			"web callers only, and an --auth without a uid is a "
			"mini-program caller\n");
	return 0;
}

static int run_eval(struct cli *c, int argc, char **argv)
{
	struct eval_args a;
	struct rule_file rf;
	struct diag_list d;
	const struct rule_object *obj;
	char err[256];
	int rc = EXIT_TROUBLE;
	size_t i;

	memset(&a, 0, sizeof(a));
	parse_eval_args(c, &a, argc, argv);
	diag_init(&d);
	if (eval_platforms(c, &a) < 0)
		goto out;
	if (rules_load(&rf, a.file, a.file, &c->rules, &d, err,
		       sizeof(err)) < 0) {
		fprintf(stderr, "rulecheck: %s: %s\n", a.file, err);
		goto out;
	}
	if (!rf.json.root) {
		struct src_pos p = src_position(&rf.src,
						rf.json.err_span.start);
		fprintf(stderr, "rulecheck: %s:%u:%u: %s\n", a.file, p.line,
			p.column, rf.json.err);
	} else if ((obj = select_object(&rf, a.collection))) {
		rc = run_eval_object(&rf, obj, &a);
	}
	rules_free(&rf);
out:
	diag_free(&d);
	cJSON_Delete(a.auth);
	cJSON_Delete(a.doc);
	cJSON_Delete(a.data);
	for (i = 0; i < a.ngets; i++)
		cJSON_Delete(a.get_docs[i]);
	conf_set_free(&c->configs);
	return rc;
}

/* ---- main ---------------------------------------------------------------- */

enum {
	OPT_FAIL_LEVEL = 256,
	OPT_KIND,
	OPT_ENABLE,
	OPT_DISABLE,
	OPT_LIST_CHECKS,
	OPT_DUMP_AST,
	OPT_STDIN_FILENAME,
	OPT_COLOR,
	OPT_LEVEL,
	OPT_DUMP_QUERIES,
	OPT_PLATFORMS,
	OPT_MAX_EVALUATIONS,
	OPT_MAX_FILE_SIZE,
	OPT_MAX_RULE_OBJECTS,
	OPT_CONFIG,
	OPT_NO_CONFIG,
	OPT_NO_SUPPRESSIONS,
	OPT_BASELINE,
	OPT_WRITE_BASELINE,
	OPT_ONLY_RULES,
	OPT_CHANGED_SINCE,
	OPT_NO_PROGRESS,
	OPT_SUMMARY
};

static void parse_options(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"fail-level", required_argument, NULL, OPT_FAIL_LEVEL},
		{"kind", required_argument, NULL, OPT_KIND},
		{"enable", required_argument, NULL, OPT_ENABLE},
		{"disable", required_argument, NULL, OPT_DISABLE},
		{"list-checks", no_argument, NULL, OPT_LIST_CHECKS},
		{"dump-ast", no_argument, NULL, OPT_DUMP_AST},
		{"stdin-filename", required_argument, NULL, OPT_STDIN_FILENAME},
		{"color", required_argument, NULL, OPT_COLOR},
		{"colour", required_argument, NULL, OPT_COLOR},
		{"level", required_argument, NULL, OPT_LEVEL},
		{"dump-queries", no_argument, NULL, OPT_DUMP_QUERIES},
		{"platforms", required_argument, NULL, OPT_PLATFORMS},
		{"max-evaluations", required_argument, NULL,
		 OPT_MAX_EVALUATIONS},
		{"max-file-size", required_argument, NULL, OPT_MAX_FILE_SIZE},
		{"max-rule-objects", required_argument, NULL,
		 OPT_MAX_RULE_OBJECTS},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"no-config", no_argument, NULL, OPT_NO_CONFIG},
		{"no-suppressions", no_argument, NULL, OPT_NO_SUPPRESSIONS},
		{"baseline", required_argument, NULL, OPT_BASELINE},
		{"write-baseline", required_argument, NULL, OPT_WRITE_BASELINE},
		{"only-rules", no_argument, NULL, OPT_ONLY_RULES},
		{"changed-since", required_argument, NULL, OPT_CHANGED_SINCE},
		{"jobs", required_argument, NULL, 'j'},
		{"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
		{"summary", required_argument, NULL, OPT_SUMMARY},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "f:hVj:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			c->format = parse_format(optarg);
			c->format_set = 1;
			break;
		case OPT_FAIL_LEVEL:
			c->fail_level = parse_severity(optarg);
			break;
		case OPT_KIND:
			c->rules.kind = parse_kind(optarg);
			break;
		case OPT_ENABLE:
			set_checks(c, optarg, 1);
			break;
		case OPT_DISABLE:
			set_checks(c, optarg, 0);
			break;
		case OPT_LIST_CHECKS:
			list_checks();
			exit(EXIT_CLEAN);
		case OPT_DUMP_AST:
			c->dump_ast = 1;
			break;
		case OPT_STDIN_FILENAME:
			c->stdin_name = optarg;
			break;
		case OPT_COLOR:
			c->color = parse_when(optarg, "colour");
			break;
		case OPT_LEVEL:
			c->access.level = parse_level(optarg);
			c->given.level = c->access.level;
			break;
		case OPT_DUMP_QUERIES:
			c->access.dump = stdout;
			break;
		case OPT_PLATFORMS:
			c->access.callers = parse_platforms(optarg);
			c->given.callers = c->access.callers;
			c->given.callers_set = 1;
			break;
		case OPT_MAX_EVALUATIONS:
			c->access.budget = parse_count(optarg,
						       "--max-evaluations");
			break;
		case OPT_MAX_FILE_SIZE:
			c->rules.max_file_size = parse_count(optarg,
							     "--max-file-size");
			break;
		case OPT_MAX_RULE_OBJECTS:
			c->rules.max_objects = parse_count(optarg,
							   "--max-rule-objects");
			break;
		case OPT_CONFIG:
			use_config(c, optarg);
			break;
		case OPT_NO_CONFIG:
			use_config(c, NULL);
			break;
		case OPT_NO_SUPPRESSIONS:
			c->no_suppressions = 1;
			break;
		case OPT_BASELINE:
			c->baseline_path = optarg;
			break;
		case OPT_WRITE_BASELINE:
			c->record_path = optarg;
			break;
		case OPT_ONLY_RULES:
			c->only_rules = 1;
			break;
		case OPT_CHANGED_SINCE:
			c->changed_since = optarg;
			break;
		case 'j':
			c->jobs = (unsigned)parse_count(optarg, "--jobs");
			break;
		case OPT_NO_PROGRESS:
			c->progress = 0;
			break;
		case OPT_SUMMARY:
			c->summary = parse_when(optarg, "summary");
			break;
		case 'h':
			print_help();
			exit(EXIT_CLEAN);
		case 'V':
			printf("rulecheck %s\n", PACKAGE_VERSION);
			exit(EXIT_CLEAN);
		default:
			fprintf(stderr, "Try 'rulecheck --help' for more "
				"information.\n");
			exit(EXIT_TROUBLE);
		}
	}
}

static void cli_init(struct cli *c)
{
	memset(c, 0, sizeof(*c));
	rules_default_options(&c->rules);
	memset(c->enabled, 1, sizeof(c->enabled));
	c->fail_level = SEV_WARNING;
	c->color = -1;
	c->stdin_name = "<stdin>";
	c->jobs = pool_default_threads();
	c->progress = 1;
	c->summary = -1;
	conf_settings_init(&c->given);
}

/* Load every configuration and baseline before any output, so that an
 * invalid one stops the run before it reports anything. */
static int prepare(struct cli *c, const struct scan_list *l)
{
	struct conf_view v;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (conf_view(&c->configs, target_name(c, &l->v[i]),
				&c->given, &v) < 0)
			return -1;
		conf_view_free(&v);
	}
	if (c->baseline_path && !c->record_path &&
	    suppress_baseline_read(&c->baseline, c->baseline_path) < 0)
		return -1;
	if (c->record_path &&
	    suppress_baseline_open(&c->record, c->record_path) < 0)
		return -1;
	if (c->changed_since &&
	    changed_since(&c->changed, c->changed_since) < 0)
		return -1;
	return 0;
}

/* The entries of each configuration file that applied to some file
 * checked but suppressed nothing, reported against that file. */
static void report_unused(struct cli *c)
{
	struct access_options ao = c->access;
	struct conf_view v;
	struct diag_list d;
	size_t i;

	for (i = 0; i < c->configs.n && !c->no_suppressions; i++) {
		conf_self_view(c->configs.v[i], &c->given, &v);
		diag_init(&d);
		conf_apply(&v, &d, &ao);
		suppress_unused(&d, c->configs.v[i]);
		filter_findings(c, &d, NULL, &v);
		report_list(c, &d);
		diag_free(&d);
		conf_view_free(&v);
	}
}

/* Write the baseline being recorded, unless an error means that some
 * findings may be missing from it. */
static void finish_baseline(struct cli *c)
{
	if (!c->record_path)
		return;
	if (c->trouble) {
		fprintf(stderr, "rulecheck: %s: not written, because of the "
			"errors above\n", c->record_path);
		return;
	}
	if (suppress_baseline_write(&c->record) < 0)
		c->trouble = 1;
	else if (strcmp(c->record_path, "-") != 0)
		fprintf(stderr, "rulecheck: %s: %zu findings recorded\n",
			c->record_path, c->record.n);
}

static void release(struct cli *c, struct scan_list *l)
{
	scan_free(l);
	conf_set_free(&c->configs);
	suppress_baseline_free(&c->baseline);
	suppress_baseline_free(&c->record);
	changed_free(&c->changed);
}

/* A directory that the configuration excludes is not entered. */
static int prune_excluded(void *arg, const char *path)
{
	struct cli *c = arg;
	struct conf_view v;
	int excluded;

	if (conf_view(&c->configs, path, &c->given, &v) < 0)
		return 0;
	excluded = conf_excluded(&v);
	conf_view_free(&v);
	return excluded;
}

/* The summary goes to standard output in the tty format, which is for
 * people; in the machine-readable formats to standard error, when that
 * is a terminal or --summary=always asks for it. */
static void print_summary(struct cli *c)
{
	int tty_format = c->format == REPORT_TTY && !c->record_path;

	if (c->summary == 0)
		return;
	if (tty_format) {
		tally_print(&c->tally, stdout);
		fflush(stdout);
	} else if (c->summary > 0 || isatty(STDERR_FILENO)) {
		tally_print(&c->tally, stderr);
	}
}

static char out_buffer[64 << 10];

static int check_paths(struct cli *c, int argc, char **argv)
{
	struct scan_list l = {0};
	int i, tty = isatty(STDOUT_FILENO);
	size_t k;

	if (optind == argc)
		usage_error("%s", "no PATH given");
	if (c->changed_since && c->record_path)
		usage_error("%s", "--write-baseline records every file; it "
			    "cannot be combined with --changed-since");
	if (!c->format_set)
		c->format = tty ? REPORT_TTY : REPORT_GCC;
	if (!tty) /* a scan may write megabytes: fewer, larger writes */
		setvbuf(stdout, out_buffer, _IOFBF, sizeof(out_buffer));
	l.prune = prune_excluded;
	l.prune_arg = c;
	scan_prefetch(&l, argv + optind, (size_t)(argc - optind), c->jobs);
	for (i = optind; i < argc; i++)
		scan_add(&l, argv[i]);
	for (k = 0; k < l.n && c->only_rules; k++)
		l.v[k].explicit = strcmp(l.v[k].path, "-") == 0;
	c->trouble |= l.trouble;
	if (prepare(c, &l) < 0) {
		release(c, &l);
		return EXIT_TROUBLE;
	}
	/* a baseline being written is the only output */
	report_init(&c->report, c->record_path ? REPORT_GCC : c->format,
		    c->color < 0 ? tty && !getenv("NO_COLOR") : c->color,
		    stdout);
	if (c->changed_since)
		changed_filter(&c->changed, &l);
	scan_files(c, &l);
	report_unused(c);
	finish_baseline(c);
	release(c, &l);
	if (report_finish(&c->report) < 0) {
		fprintf(stderr, "rulecheck: cannot write the report: %s\n",
			strerror(errno));
		return EXIT_TROUBLE;
	}
	print_summary(c);
	if (c->trouble)
		return EXIT_TROUBLE;
	return c->failing ? EXIT_FINDINGS : EXIT_CLEAN;
}

static int run_matrix(struct cli *c, int argc, char **argv, int diff)
{
	struct matrix_config mc = {&c->configs, &c->given};
	struct scan_list l = {0};
	int json = c->format == REPORT_JSON, i, rc;

	if (diff && argc - optind != 2)
		usage_error("%s", "diff needs OLD and NEW");
	if (!diff && optind == argc)
		usage_error("%s", "no PATH given");
	for (i = optind; i < argc && !diff; i++)
		scan_add(&l, argv[i]);
	if (diff)
		rc = matrix_diff(argv[optind], argv[optind + 1], &c->rules,
				 &c->access, &mc, json, stdout);
	else
		rc = matrix_print(&l, &c->rules, &c->access, &mc, json,
				  stdout);
	if (l.trouble && rc == EXIT_CLEAN)
		rc = EXIT_TROUBLE;
	scan_free(&l);
	conf_set_free(&c->configs);
	return rc;
}

/* Every question of the engine takes and gives back a few blocks of
 * 100 KiB and more.  With glibc's defaults they are mapped and unmapped,
 * or the top of the heap is trimmed and grown again, each time: a fresh,
 * zeroed page per touch, two thirds of a scan's page faults.  Blocks of
 * up to 4 MiB now come from the heap, which keeps up to 16 MiB free at
 * its top; the peak stays that of the memory in use. */
static void tune_allocator(void)
{
#if defined(HAVE_MALLOPT) && defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
#endif
}

int main(int argc, char **argv)
{
	struct cli c;
	const char *cmd = argc > 1 ? argv[1] : "";

	tune_allocator();
	cli_init(&c);
	if (strcmp(cmd, "lsp") == 0)
		return lsp_main(stdin, stdout, &c.rules, &c.access);
	if (strcmp(cmd, "eval") == 0)
		return run_eval(&c, argc - 1, argv + 1);
	if (strcmp(cmd, "report") == 0)
		return evidence_main(argc - 1, argv + 1);
	if (strcmp(cmd, "matrix") == 0 || strcmp(cmd, "diff") == 0) {
		parse_options(&c, argc - 1, argv + 1);
		return run_matrix(&c, argc - 1, argv + 1,
				  strcmp(cmd, "diff") == 0);
	}
	parse_options(&c, argc, argv);
	return check_paths(&c, argc, argv);
}
