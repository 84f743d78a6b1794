/* Walking the paths given on the command line: directories recursively,
 * in name order, skipping .git, node_modules, hidden directories and what
 * the caller prunes, each directory and file once; every file is tagged
 * with its project, the unit cross-file checks look within. */
#ifndef RULECHECK_SCAN_H
#define RULECHECK_SCAN_H

#include <pthread.h>
#include <stddef.h>

struct scan_target {
	char *path;
	int explicit;	/* named by the user, not found in a directory */
	size_t project; /* index of the file's project */
	int context;	/* read for what other files need, not checked */
};

struct scan_seen;
struct scan_root;
struct scan_pre;

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
	struct scan_seen *dirs;	    /* directories whose project was sought, */
	struct scan_root *dir_root; /* and what was found, by index in dirs */
	size_t ndir_root;
	pthread_mutex_t *lock; /* while threads look up projects */
	struct scan_pre *pre;  /* named paths looked up ahead */
	size_t npre, pre_next;
	char *last_dir;	     /* the directory of the last file named, */
	size_t last_project; /* and its project */
};

/* A project is the nearest directory holding cloudbaserc.json,
 * project.config.json, .git or .rulecheck.json, else the directory of
 * the file itself; standard input belongs to the working directory's. */

/* Add PATH ("-" for standard input) and, for a directory, the .json
 * files beneath it.  Problems are reported on standard error. */
void scan_add(struct scan_list *l, const char *path);

/* Look up ahead, on THREADS threads, what scan_add will ask the system
 * about the N PATHS it is about to be given in this order: the status of
 * each and the project above its directory.  A long list of named files
 * (a commit's, a CI job's) is then not looked up one stat at a time on
 * the calling thread.  Short lists are left to scan_add. */
void scan_prefetch(struct scan_list *l, char *const *paths, size_t n,
		   unsigned threads);

void scan_free(struct scan_list *l);

#endif
