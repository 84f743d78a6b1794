/* Counting a scan and showing it: the summary and the progress bar.  The
 * bar is redrawn at most ten times a second and erased with a carriage
 * return and an erase-line sequence. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tally.h"

#define BAR_WIDTH 30
#define BAR_DELAY 1.0 /* seconds before the bar appears */
#define BAR_DELAY_ENV "RULECHECK_PROGRESS_DELAY"
#define BAR_PERIOD 0.1

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void tally_findings(struct tally *t, const struct diag_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		t->findings++;
		t->by_severity[d->v[i].severity]++;
		t->by_check[d->v[i].check]++;
	}
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void tally_print(const struct tally *t, FILE *out)
{
	size_t printed[CHECK_COUNT] = {0}, best;
	int i, k, pick;

	fprintf(out,
		"%zu %s read, %zu with rules, %zu rule %s; %zu %s: "
		"%zu %s, %zu %s, %zu %s\n",
		t->files, plural(t->files, "file", "files"), t->rule_files,
		t->objects, plural(t->objects, "object", "objects"),
		t->findings, plural(t->findings, "finding", "findings"),
		t->by_severity[SEV_ERROR],
		plural(t->by_severity[SEV_ERROR], "error", "errors"),
		t->by_severity[SEV_WARNING],
		plural(t->by_severity[SEV_WARNING], "warning", "warnings"),
		t->by_severity[SEV_NOTE],
		plural(t->by_severity[SEV_NOTE], "note", "notes"));
	for (k = 0; k < CHECK_COUNT; k++) {
		pick = -1;
		best = 0;
		for (i = 0; i < CHECK_COUNT; i++)
			if (!printed[i] && t->by_check[i] > best) {
				best = t->by_check[i];
				pick = i;
			}
		if (pick < 0)
			break;
		printed[pick] = 1;
		fprintf(out, "  %-26s %zu\n", check_table[pick].id, best);
	}
}

void tally_progress_start(struct tally *t, FILE *out, size_t total)
{
	const char *env = getenv(BAR_DELAY_ENV);
	char *end;

	t->delay = BAR_DELAY;
	if (env && *env) {
		t->delay = strtod(env, &end);
		if (*end || t->delay < 0)
			t->delay = BAR_DELAY;
	}
	t->bar = out;
	t->total = total;
	t->start = seconds();
	t->drawn = 0;
	t->visible = 0;
}

void tally_progress(struct tally *t, size_t done)
{
	double now;
	size_t fill, i;
	char bar[BAR_WIDTH + 1];

	if (!t->bar || !t->total)
		return;
	now = seconds();
	if (now - t->start < t->delay || now - t->drawn < BAR_PERIOD)
		return;
	fill = done * BAR_WIDTH / t->total;
	for (i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
	bar[BAR_WIDTH] = '\0';
	fflush(stdout);
	fprintf(t->bar, "\r[%s] %zu/%zu files", bar, done, t->total);
	fflush(t->bar);
	t->drawn = now;
	t->visible = 1;
}

void tally_progress_clear(struct tally *t)
{
	if (!t->bar || !t->visible)
		return;
	fflush(stdout);
	fputs("\r\033[K", t->bar);
	fflush(t->bar);
	t->visible = 0;
}
