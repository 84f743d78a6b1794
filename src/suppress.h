/* Suppressions and baselines.  A finding is accepted by an entry of the
 * configuration file or by a rulecheck-disable comment before its rule,
 * each with a reason; a suppression that matches nothing is reported.  A
 * baseline records the findings of a run by fingerprints (check, file,
 * pointer, expression) that survive moving a rule to another line. */
#ifndef RULECHECK_SUPPRESS_H
#define RULECHECK_SUPPRESS_H

#include <stddef.h>

#include "conf.h"
#include "diag.h"
#include "rules.h"

/* One fingerprint: the file is relative to the baseline's directory and
 * the expression is the rule value's text without white space. */
struct suppress_entry {
	char *check;
	char *file;
	char *pointer;
	char *expression;
	int used;		/* it matched a finding of this run */
};

struct suppress_baseline {
	char *path;		/* as given; "-" is standard output */
	char *target;		/* the file written, links resolved */
	char *dir;		/* absolute; the base of the file names */
	struct suppress_entry *v;
	size_t n, cap;
};

/* Remove from D the findings of RF that the configuration of V or a
 * rulecheck-disable comment suppresses, and report the comments that are
 * malformed or suppress nothing.  Marks the configuration's entries
 * that applied to RF and those that matched. */
void suppress_file(struct diag_list *d, const struct rule_file *rf,
		   struct conf_view *v);

/* Report the entries of CFG that applied to a checked file but matched
 * no finding there. */
void suppress_unused(struct diag_list *d, const struct conf *cfg);

/* Read the baseline PATH.  Returns -1 after printing why. */
int suppress_baseline_read(struct suppress_baseline *b, const char *path);

/* Prepare an empty baseline to be written to PATH, refusing a file that
 * exists and is not a baseline.  Returns -1 after printing why. */
int suppress_baseline_open(struct suppress_baseline *b, const char *path);

/* Remove from D the findings that B holds, each entry taking one.  RF,
 * when not NULL, is the rule file the findings are in. */
void suppress_baseline_filter(struct suppress_baseline *b,
			      struct diag_list *d,
			      const struct rule_file *rf);

/* Add the fingerprints of the findings of D to B. */
void suppress_baseline_record(struct suppress_baseline *b,
			      const struct diag_list *d,
			      const struct rule_file *rf);

/* Write B, sorted, replacing the target in one rename.  Returns -1 after
 * printing why; the earlier file is then left as it was. */
int suppress_baseline_write(struct suppress_baseline *b);

void suppress_baseline_free(struct suppress_baseline *b);

#endif
