/* Nearest-name hints: a bounded Levenshtein distance, case-insensitive,
 * so that 'openId' suggests 'openid' and 'reed' suggests 'read'. */
#include <ctype.h>
#include <string.h>

#include "hint.h"

#define HINT_MAX_LEN 64

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* The distance from S, of N bytes, to T; any number over BOUND when it
 * is over BOUND, found out as soon as a whole row is. */
static size_t distance(const char *s, size_t n, const char *t, size_t bound)
{
	size_t m = strlen(t), i, j, low;
	size_t row[HINT_MAX_LEN + 1], prev, tmp;

	if (n > HINT_MAX_LEN || m > HINT_MAX_LEN)
		return (size_t)-1;
	if ((n > m ? n - m : m - n) > bound)
		return bound + 1;
	for (j = 0; j <= m; j++)
		row[j] = j;
	for (i = 1; i <= n; i++) {
		prev = row[0];
		low = row[0] = i;
		for (j = 1; j <= m; j++) {
			int same = tolower((unsigned char)s[i - 1]) ==
				   tolower((unsigned char)t[j - 1]);
			tmp = row[j];
			row[j] = min3(row[j] + 1, row[j - 1] + 1,
				      prev + (same ? 0 : 1));
			prev = tmp;
			if (row[j] < low)
				low = row[j];
		}
		if (low > bound) /* no later row is lower */
			return bound + 1;
	}
	return row[m];
}

const char *hint_nearest(const char *name, const char *const *candidates,
			 size_t ncandidates)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, len = strlen(name), limit, i;

	limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	for (i = 0; i < ncandidates && best_d > 0; i++) {
		/* only a nearer one within the limit can change the answer */
		size_t d = distance(name, len, candidates[i],
				    best_d <= limit ? best_d - 1 : limit);

		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best_d <= limit ? best : NULL;
}
