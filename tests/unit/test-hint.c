/* Unit tests of the nearest-name hints: known answers, and agreement
 * with a plain edit distance on random names, which the hints' early
 * stops must not change. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "hint.h"
#include "tap.h"

/* The case-insensitive edit distance, every cell computed. */
static size_t plain_distance(const char *s, const char *t)
{
	size_t n = strlen(s), m = strlen(t), i, j, d[16][16];

	for (i = 0; i <= n; i++)
		d[i][0] = i;
	for (j = 0; j <= m; j++)
		d[0][j] = j;
	for (i = 1; i <= n; i++)
		for (j = 1; j <= m; j++) {
			size_t sub = d[i - 1][j - 1] +
				     (tolower((unsigned char)s[i - 1]) !=
				      tolower((unsigned char)t[j - 1]));
			size_t del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;

			d[i][j] = sub < del ? sub : del;
			if (ins < d[i][j])
				d[i][j] = ins;
		}
	return d[n][m];
}

/* The first nearest candidate, if within the limit hint_nearest uses. */
static const char *plain_nearest(const char *name, const char *const *c,
				 size_t n)
{
	size_t len = strlen(name), limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	size_t best_d = (size_t)-1, i, d;
	const char *best = NULL;

	for (i = 0; i < n; i++) {
		d = plain_distance(name, c[i]);
		if (d < best_d) {
			best_d = d;
			best = c[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

static unsigned next(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

static void random_name(unsigned *seed, char *out)
{
	static const char letters[] = "abcdAB";
	size_t len = next(seed) % 10, i;

	for (i = 0; i < len; i++)
		out[i] = letters[next(seed) % (sizeof(letters) - 1)];
	out[len] = '\0';
}

int main(void)
{
	static const char *const ops[] = {"read", "write", "create",
					  "update", "delete"};
	static const char *const fields[] = {"openid", "uid", "loginType"};
	char names[12][16], name[16];
	const char *c[12];
	unsigned seed = 7;
	size_t i, k, n, bad = 0, runs = 100000;

	ok(hint_nearest("reed", ops, 5) == ops[0] &&
	   hint_nearest("craete", ops, 5) == ops[2] &&
	   hint_nearest("openId", fields, 3) == fields[0] &&
	   hint_nearest("logintype", fields, 3) == fields[2],
	   "misspellings find their names");
	ok(!hint_nearest("xyz", ops, 5) && !hint_nearest("", ops, 5) &&
	   !hint_nearest("permissions", ops, 5),
	   "names far from every candidate find none");
	for (k = 0; k < runs; k++) {
		n = 1 + next(&seed) % 12;
		for (i = 0; i < n; i++) {
			random_name(&seed, names[i]);
			c[i] = names[i];
		}
		random_name(&seed, name);
		bad += hint_nearest(name, c, n) != plain_nearest(name, c, n);
	}
	ok(bad == 0, "%zu random names get the answer of a plain edit "
	   "distance", runs);
	return tap_done();
}
