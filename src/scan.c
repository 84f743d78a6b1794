/* Walking directories for rule files.  Symbolic links are followed, but a
 * directory already on the path from the root is not entered again, so a
 * link loop ends the walk with a message instead of running forever. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scan.h"

#define SCAN_MAX_DEPTH 256

struct dir_stack {
	dev_t dev[SCAN_MAX_DEPTH];
	ino_t ino[SCAN_MAX_DEPTH];
	size_t n;
};

static void push(struct scan_list *l, const char *path, int explicit)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	l->v[l->n].path = strdup(path);
	l->v[l->n++].explicit = explicit;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int skip_dir(const char *name)
{
	return strcmp(name, "node_modules") == 0 || name[0] == '.';
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted entry names of PATH; NULL (with errno) on failure. */
static char **read_dir(const char *path, size_t *count)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!dir)
		return NULL;
	while ((e = readdir(dir))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	*count = n;
	return names ? names : calloc(1, sizeof(*names));
}

static int on_stack(const struct dir_stack *s, const struct stat *st)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->dev[i] == st->st_dev && s->ino[i] == st->st_ino)
			return 1;
	return 0;
}

static void walk(struct scan_list *l, const char *path, int explicit,
		 struct dir_stack *stack);

static void walk_dir(struct scan_list *l, const char *path,
		     const struct stat *st, struct dir_stack *stack)
{
	size_t n = 0, i, len;
	char **names, *child;

	if (on_stack(stack, st) || stack->n == SCAN_MAX_DEPTH) {
		fprintf(stderr, "rulecheck: %s: directory loop or nesting "
			"too deep; not followed\n", path);
		l->trouble = 1;
		return;
	}
	names = read_dir(path, &n);
	if (!names) {
		fprintf(stderr, "rulecheck: %s: %s\n", path, strerror(errno));
		l->trouble = 1;
		return;
	}
	stack->dev[stack->n] = st->st_dev;
	stack->ino[stack->n++] = st->st_ino;
	for (i = 0; i < n; i++) {
		len = strlen(path) + strlen(names[i]) + 2;
		child = malloc(len);
		if (!child)
			abort();
		snprintf(child, len, "%s%s%s", path,
			 has_suffix(path, "/") ? "" : "/", names[i]);
		walk(l, child, 0, stack);
		free(child);
		free(names[i]);
	}
	stack->n--;
	free(names);
}

static void walk(struct scan_list *l, const char *path, int explicit,
		 struct dir_stack *stack)
{
	const char *base = strrchr(path, '/');
	struct stat st;

	base = base ? base + 1 : path;
	if (stat(path, &st) < 0) {
		if (explicit || lstat(path, &st) < 0) {
			fprintf(stderr, "rulecheck: %s: %s\n", path,
				strerror(errno));
			l->trouble = 1;
		}
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (explicit || !skip_dir(base))
			walk_dir(l, path, &st, stack);
		return;
	}
	if (explicit || (S_ISREG(st.st_mode) && has_suffix(base, ".json")))
		push(l, path, explicit);
}

void scan_add(struct scan_list *l, const char *path)
{
	struct dir_stack *stack;

	if (strcmp(path, "-") == 0) {
		push(l, path, 1);
		return;
	}
	stack = calloc(1, sizeof(*stack));
	if (!stack)
		abort();
	walk(l, path, 1, stack);
	free(stack);
}

void scan_free(struct scan_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
