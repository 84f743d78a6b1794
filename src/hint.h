/* Nearest-name hints for misspelt keys and fields. */
#ifndef RULECHECK_HINT_H
#define RULECHECK_HINT_H

#include <stddef.h>

/* The candidate closest to NAME by case-insensitive edit distance, or NULL
 * when none is close enough to be a plausible misspelling. */
const char *hint_nearest(const char *name, const char *const *candidates,
			 size_t ncandidates);

#endif
