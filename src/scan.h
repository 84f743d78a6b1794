/* Walking the paths given on the command line: directories recursively,
 * in name order, skipping .git, node_modules and hidden directories,
 * refusing directory loops; the result is the list of files to check. */
#ifndef RULECHECK_SCAN_H
#define RULECHECK_SCAN_H

#include <stddef.h>

struct scan_target {
	char *path;
	int explicit;		/* named by the user, not found in a directory */
};

struct scan_list {
	struct scan_target *v;
	size_t n, cap;
	int trouble;		/* a path could not be read: exit status 2 */
};

/* Add PATH ("-" for standard input) and, for a directory, the .json
 * files beneath it.  Problems are reported on standard error. */
void scan_add(struct scan_list *l, const char *path);

void scan_free(struct scan_list *l);

#endif
