/* --changed-since REV: the files git says have changed since a revision
 * (committed, staged or not, and untracked files that are not ignored),
 * asked of git in the working directory, and the scan list cut down to
 * them. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "changed.h"
#include "conf.h"

#define CHANGED_MAX_OUTPUT ((size_t)64 << 20)	/* bytes read from git */

/* Run git with ARGV, standard error silenced; *OUT receives its standard
 * output, NUL-terminated.  Returns git's exit status, or -1 when it could
 * not be run or said too much. */
static int changed_git(char *const argv[], char **out, size_t *len)
{
	int fd[2], status, devnull;
	size_t cap = 4096;
	ssize_t got;
	pid_t pid;

	*out = conf_xrealloc(NULL, cap);
	*len = 0;
	if (pipe(fd) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		devnull = open("/dev/null", O_RDWR);
		dup2(fd[1], STDOUT_FILENO);
		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		close(fd[0]);
		close(fd[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	while ((got = read(fd[0], *out + *len, cap - *len - 1)) > 0) {
		*len += (size_t)got;
		if (*len + 1 == cap && cap < CHANGED_MAX_OUTPUT)
			*out = conf_xrealloc(*out, cap *= 2);
		else if (*len + 1 == cap)
			break;
	}
	close(fd[0]);
	(*out)[*len] = '\0';
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return *len + 1 == cap ? -1 : WEXITSTATUS(status);
}

static void changed_add(struct changed_set *s, const char *top,
			const char *name)
{
	size_t n = strlen(top) + strlen(name) + 2;

	s->v = conf_xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n] = conf_xrealloc(NULL, n);
	snprintf(s->v[s->n++], n, "%s/%s", top, name);
}

/* Add the NUL-separated names that git prints for ARGV. */
static int changed_list(struct changed_set *s, const char *top,
			char *const argv[])
{
	char *out, *p;
	size_t len;
	int rc = changed_git(argv, &out, &len);

	for (p = out; rc == 0 && p < out + len; p += strlen(p) + 1)
		if (*p)
			changed_add(s, top, p);
	free(out);
	return rc == 0 ? 0 : -1;
}

static int changed_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The top of the working tree, as git names it. */
static char *changed_top(void)
{
	char *argv[] = {"git", "rev-parse", "--show-toplevel", NULL};
	char *out;
	size_t len;

	if (changed_git(argv, &out, &len) != 0 || len < 2) {
		free(out);
		return NULL;
	}
	out[strcspn(out, "\n")] = '\0';
	return out;
}

/* Does SPEC name a commit? */
static int changed_known(char *spec)
{
	char *argv[] = {"git", "rev-parse", "--verify", "--quiet", spec, NULL};
	char *out;
	size_t len;
	int rc = changed_git(argv, &out, &len);

	free(out);
	return rc == 0;
}

static int changed_fail(const char *rev, const char *why)
{
	fprintf(stderr, "rulecheck: --changed-since %s: %s\n", rev, why);
	return -1;
}

int changed_since(struct changed_set *s, const char *rev)
{
	char *spec = conf_xrealloc(NULL, strlen(rev) + 10);
	char *diff[] = {"git", "diff", "--name-only", "-z", "--no-renames",
			"--no-relative", "--diff-filter=d", spec, "--", NULL};
	char *others[] = {"git", "ls-files", "--others", "--exclude-standard",
			  "--full-name", "-z", NULL};
	char *top = NULL;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	sprintf(spec, "%s^{commit}", rev);
	if (rev[0] == '-' || rev[0] == '\0')
		changed_fail(rev, "not a revision");
	else if (!(top = changed_top()))
		changed_fail(rev, "the working directory is not in a git "
			     "working tree (or git cannot be run)");
	else if (!changed_known(spec))
		changed_fail(rev, "git knows no such commit");
	else if (changed_list(s, top, diff) < 0 ||
		 changed_list(s, top, others) < 0)
		changed_fail(rev, "git could not list the changed files");
	else
		rc = 0;
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), changed_cmp);
	free(top);
	free(spec);
	return rc;
}

/* Is the file PATH, as named on the command line, in S? */
static int changed_has(const struct changed_set *s, const char *path)
{
	char *abs = conf_absolute(path);
	int found = 0;

	if (abs)
		found = bsearch(&abs, s->v, s->n, sizeof(*s->v),
				changed_cmp) != NULL;
	free(abs);
	return found;
}

void changed_filter(const struct changed_set *s, struct scan_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		l->v[i].context = strcmp(l->v[i].path, "-") != 0 &&
				  !changed_has(s, l->v[i].path);
}

void changed_free(struct changed_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
