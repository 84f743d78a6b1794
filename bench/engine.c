/* Benchmark of the symbolic engine: the time of every question the checks
 * ask about a corpus of rule files, and of the worst case, expressions of
 * 1024 characters with as many atoms as fit.  Prints figures, asserts
 * nothing.  Usage: engine [-v] [-t SECONDS] FILE...; -t is the least time
 * spent on each question, -v shows every worst-case question. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memo.h"
#include "questions.h"

#define BENCH_MAX_TEXT 1024	/* the platform's limit on one expression */
#define BENCH_TARGET_MS 10.0	/* every rule fully analysed within it */
#define BENCH_SLOWEST 5
#define BENCH_MIN_RUNS 5
#define BENCH_MAX_RUNS 10000

static const enum sym_want wants[] = { SYM_WANT_ALLOW, SYM_WANT_FALSE };
static const char *const want_names[] = { "allow", "deny", "false" };
static const char *const result_names[] = {
	"unsat", "sat", "unknown", "failed"
};

static double min_seconds = 0.002;	/* per question */
static int verbose;

static void solve_once(void *arg)
{
	questions_solve(arg);
}

/* The median time of each question, into T; answers are counted in
 * RESULTS. */
static void time_all(const struct questions *qs, double *t,
		     unsigned long results[4])
{
	size_t i;

	for (i = 0; i < qs->n; i++) {
		results[questions_solve(&qs->v[i])]++;
		t[i] = questions_time(solve_once, &qs->v[i], min_seconds,
				      BENCH_MIN_RUNS, BENCH_MAX_RUNS);
	}
}

static void print_stats(const char *what, double *v, size_t n)
{
	struct questions_stats st;

	questions_stats(v, n, &st);
	printf("%-24s %6zu  median %9.1f us  p99 %9.1f us  max %9.1f us"
	       "  total %9.1f ms\n", what, st.n, st.median, st.p99, st.max,
	       st.total / 1000);
}

/* The time of each rule: the sum over its questions. */
static size_t rule_times(const struct questions *qs, const double *t,
			 double *rules)
{
	size_t i;

	for (i = 0; i < qs->nrules; i++)
		rules[i] = 0;
	for (i = 0; i < qs->n; i++)
		rules[qs->v[i].rule] += t[i];
	return qs->nrules;
}

static void print_slowest(const struct questions *qs, const double *t)
{
	size_t order[BENCH_SLOWEST], n = 0, i, j;

	for (i = 0; i < qs->n; i++) {
		for (j = n; j > 0 && t[order[j - 1]] < t[i]; j--)
			if (j < BENCH_SLOWEST)
				order[j] = order[j - 1];
		if (j < BENCH_SLOWEST)
			order[j] = i;
		if (n < BENCH_SLOWEST)
			n++;
	}
	printf("slowest questions:\n");
	for (i = 0; i < n; i++) {
		const struct question *q = &qs->v[order[i]];

		printf("  %9.1f us  %s %s %s/%s: %.60s\n", t[order[i]],
		       sym_class_name(q->cls), want_names[q->want], q->file,
		       q->op, q->text);
	}
}

static void bench_corpus(char *const *paths, int npaths)
{
	struct questions qs;
	unsigned long results[4] = { 0 };
	double *t, *rules;

	memset(&qs, 0, sizeof(qs));
	questions_load(&qs, paths, npaths, wants, 2);
	t = calloc(qs.n + 1, sizeof(*t));
	rules = calloc(qs.nrules + 1, sizeof(*rules));
	if (!t || !rules)
		exit(2);
	printf("corpus: %zu files, %zu rules, %zu questions (every class, "
	       "allow and false)\n", qs.nfiles, qs.nrules, qs.n);
	time_all(&qs, t, results);
	printf("answers: %lu sat, %lu unsat, %lu unknown, %lu failed\n",
	       results[SYM_SAT], results[SYM_UNSAT], results[SYM_UNKNOWN],
	       results[SYM_FAILED]);
	print_slowest(&qs, t);
	print_stats("per question", t, qs.n);
	print_stats("per rule (all questions)", rules,
		    rule_times(&qs, t, rules));
	free(t);
	free(rules);
	questions_free(&qs);
}

/* ---- the worst case ------------------------------------------------------ */

/* Atom I of each generated shape, and the operator that joins it to the
 * next one. */
static int atom_or(char *out, size_t size, unsigned i)
{
	return snprintf(out, size, "doc.f%u == 'a%u'", i, i);
}

static int atom_mixed(char *out, size_t size, unsigned i)
{
	switch (i % 4) {
	case 0: return snprintf(out, size, "(doc.f%u == auth.uid", i);
	case 1: return snprintf(out, size, "doc.f%u == 'a%u')", i, i);
	case 2: return snprintf(out, size, "(auth.openid != doc.f%u", i);
	default:
		return snprintf(out, size, "auth.loginType == 'EMAIL')");
	}
}

static int atom_linked(char *out, size_t size, unsigned i)
{
	return snprintf(out, size, "doc.f%u != doc.f%u", i, i + 1);
}

static int atom_get(char *out, size_t size, unsigned i)
{
	if (i < 3)
		return snprintf(out, size, "get('database.r%u.' + auth.uid)."
				"f%u == true", i, i);
	return snprintf(out, size, "doc.f%u == auth.openid", i);
}

struct shape {
	const char *name;
	int (*atom)(char *out, size_t size, unsigned i);
	const char *join[2];	/* after even and after odd atoms */
	unsigned group;		/* atoms per group: groups end evenly */
};

static const struct shape shapes[] = {
	{ "or of equalities", atom_or, { " || ", " || " }, 1 },
	{ "and of equalities", atom_or, { " && ", " && " }, 1 },
	{ "and of ors, with auth", atom_mixed, { " || ", " && " }, 2 },
	{ "or of linked fields", atom_linked, { " || ", " || " }, 1 },
	{ "and of linked fields", atom_linked, { " && ", " && " }, 1 },
	{ "get() and owner tests", atom_get, { " || ", " || " }, 1 }
};

/* The longest expression of SHAPE within BENCH_MAX_TEXT; returns the
 * number of atoms. */
static unsigned build(const struct shape *sh, char *text)
{
	char atom[128], tail[BENCH_MAX_TEXT + 1];
	size_t len = 0, len_done = 0;
	unsigned n = 0, done = 0;
	int k;

	text[0] = '\0';
	for (;;) {
		k = sh->atom(atom, sizeof(atom), n);
		snprintf(tail, sizeof(tail), "%s%s", n ? sh->join[(n - 1) % 2] :
			 "", atom);
		if (len + strlen(tail) > BENCH_MAX_TEXT || k < 0)
			break;
		memcpy(text + len, tail, strlen(tail) + 1);
		len += strlen(tail);
		if (++n % sh->group == 0) {
			done = n;
			len_done = len;
		}
	}
	text[len_done] = '\0';
	return done;
}

/* One line for shape SH (TEXT, ATOMS atoms), whose questions QS took T;
 * returns the total time. */
static double print_shape(const struct shape *sh, const char *text,
			  unsigned atoms, const struct questions *qs,
			  const double *t, const unsigned long results[4])
{
	double total = 0, max = 0;
	size_t i;

	for (i = 0; i < qs->n; i++) {
		total += t[i];
		max = t[i] > max ? t[i] : max;
	}
	printf("%-24s %4zu chars %3u atoms: %8.3f ms for %zu questions, "
	       "max %7.3f ms;", sh->name, strlen(text), atoms, total / 1000,
	       qs->n, max / 1000);
	for (i = 0; i < 4; i++)
		printf(" %lu %s", results[i], result_names[i]);
	printf("\n");
	for (i = 0; verbose && i < qs->n; i++)
		printf("  %9.1f us  %s %s\n", t[i],
		       sym_class_name(qs->v[i].cls), want_names[qs->v[i].want]);
	return total;
}

/* Time every question about one generated expression; WORST keeps the
 * longest analysis, UNDECIDED counts the questions left open. */
static void bench_shape(const struct shape *sh, double *worst,
			unsigned long *undecided)
{
	char text[BENCH_MAX_TEXT + 1];
	struct ast_arena *arena = ast_arena_new();
	struct questions qs;
	struct expr_error err;
	struct ast_node *e;
	unsigned long results[4] = { 0 };
	unsigned atoms = build(sh, text);
	double *t, total;

	e = expr_parse(arena, text, strlen(text), EXPR_MAX_DEPTH_DEFAULT,
		       &err);
	if (!e) {
		printf("%-24s does not compile: %s\n", sh->name, err.msg);
		ast_arena_free(arena);
		return;
	}
	memset(&qs, 0, sizeof(qs));
	questions_add(&qs, e, text, "update", 0, wants, 2);
	t = calloc(qs.n, sizeof(*t));
	if (!t)
		exit(2);
	time_all(&qs, t, results);
	total = print_shape(sh, text, atoms, &qs, t, results);
	*worst = total > *worst ? total : *worst;
	*undecided += results[SYM_UNKNOWN] + results[SYM_FAILED];
	free(t);
	questions_free(&qs);
	ast_arena_free(arena);
}

static void bench_worst(void)
{
	unsigned long undecided = 0;
	double worst = 0;
	size_t i;

	printf("worst case: expressions of up to %d characters, every class, "
	       "allow and false, for update\n", BENCH_MAX_TEXT);
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		bench_shape(&shapes[i], &worst, &undecided);
	printf("target: every rule of up to %d characters fully analysed in "
	       "under %.0f ms: %s (worst %.3f ms, %.2fx the target; %lu "
	       "questions undecided)\n", BENCH_MAX_TEXT, BENCH_TARGET_MS,
	       worst / 1000 < BENCH_TARGET_MS && !undecided ? "met" :
	       "missed", worst / 1000, worst / 1000 / BENCH_TARGET_MS,
	       undecided);
}

int main(int argc, char **argv)
{
	int opt;

	memo_set_enabled(0);	/* time the engine, not the memo */
	while ((opt = getopt(argc, argv, "t:v")) != -1) {
		if (opt == 'v') {
			verbose = 1;
			continue;
		}
		if (opt != 't') {
			fprintf(stderr, "usage: engine [-v] [-t SECONDS] "
				"FILE...\n");
			return 2;
		}
		min_seconds = strtod(optarg, NULL);
	}
	if (optind < argc)
		bench_corpus(argv + optind, argc - optind);
	bench_worst();
	return 0;
}
