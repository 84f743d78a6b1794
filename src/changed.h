/* --changed-since REV: limit a run to the files that git reports as
 * changed since REV, in commits, in the index or in the working tree,
 * and to untracked files that git does not ignore. */
#ifndef RULECHECK_CHANGED_H
#define RULECHECK_CHANGED_H

#include <stddef.h>

#include "scan.h"

/* Absolute names (the top of the working tree, as git gives it, and the
 * path inside), sorted. */
struct changed_set {
	char **v;
	size_t n;
};

/* Ask git, in the working directory, which files changed since REV.
 * Returns -1 after printing why on standard error. */
int changed_since(struct changed_set *s, const char *rev);

/* Mark every file of L but standard input that S does not hold as
 * context: read for the checks that look across files, not reported. */
void changed_filter(const struct changed_set *s, struct scan_list *l);

void changed_free(struct changed_set *s);

#endif
