/* Walking the paths given on the command line: directories recursively,
 * in name order, skipping .git, node_modules, hidden directories and what
 * the caller prunes, each directory and file once; every file is tagged
 * with its project, the unit cross-file checks look within. */
#ifndef RULECHECK_SCAN_H
#define RULECHECK_SCAN_H

#include <stddef.h>

struct scan_target {
	char *path;
	int explicit;	/* named by the user, not found in a directory */
	size_t project; /* index of the file's project */
	int context;	/* read for what other files need, not checked */
};

struct scan_seen;

struct scan_list {
	struct scan_target *v;
	size_t n, cap;
	int trouble; /* a path could not be read: exit status 2 */
	/* Optional: a directory found in a walk for which PRUNE returns
	 * nonzero is not entered. */
	int (*prune)(void *arg, const char *path);
	void *prune_arg;
	struct scan_seen *seen;	    /* directories and files met so far */
	struct scan_seen *projects; /* the root directory of each project */
	size_t nprojects;
	struct scan_seen *dirs;	/* directories whose project was sought, */
	size_t *dir_project;	/* and what was found, by index in dirs */
	size_t ndir_project;
	char *last_dir;		/* the directory of the last file named, */
	size_t last_project;	/* and its project */
};

/* A project is the nearest directory holding cloudbaserc.json,
 * project.config.json, .git or .rulecheck.json, else the directory of
 * the file itself; standard input belongs to the working directory's. */

/* Add PATH ("-" for standard input) and, for a directory, the .json
 * files beneath it.  Problems are reported on standard error. */
void scan_add(struct scan_list *l, const char *path);

void scan_free(struct scan_list *l);

#endif
