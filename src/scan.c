/* Walking directories for rule files.  Symbolic links are followed, but
 * every directory and file is visited once, by device and inode: a link
 * loop ends with a message instead of running forever, and a file reached
 * through two links is read once. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scan.h"

#define SCAN_MAX_DEPTH 256
#define SCAN_NO_PROJECT SIZE_MAX

static const char *const markers[] = {"cloudbaserc.json", "project.config.json",
				      ".git", ".rulecheck.json"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct scan_key {
	dev_t dev;
	ino_t ino;
};

/* A set of keys in insertion order, with an open-addressing index. */
struct scan_seen {
	struct scan_key *keys;
	size_t n, cap;
	size_t *slot; /* index + 1, or 0 when free */
	size_t nslots;
};

struct dir_stack {
	struct scan_key v[SCAN_MAX_DEPTH];
	size_t n;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

/* ---- the set of keys -------------------------------------------------- */

static size_t key_hash(const struct scan_key *k)
{
	uint64_t h = (uint64_t)k->dev * 0x9E3779B97F4A7C15u ^
		     (uint64_t)k->ino * 0xC2B2AE3D27D4EB4Fu;

	return (size_t)(h ^ (h >> 31));
}

static void seen_rehash(struct scan_seen *s)
{
	size_t i, j;

	free(s->slot);
	s->nslots = s->nslots ? 2 * s->nslots : 64;
	s->slot = calloc(s->nslots, sizeof(*s->slot));
	if (!s->slot)
		abort();
	for (i = 0; i < s->n; i++) {
		j = key_hash(&s->keys[i]) & (s->nslots - 1);
		while (s->slot[j])
			j = (j + 1) & (s->nslots - 1);
		s->slot[j] = i + 1;
	}
}

/* The index of K in S, adding it when absent; *ADDED tells which. */
static size_t seen_put(struct scan_seen *s, dev_t dev, ino_t ino, int *added)
{
	struct scan_key k = {dev, ino};
	size_t j;

	if (2 * (s->n + 1) > s->nslots)
		seen_rehash(s);
	j = key_hash(&k) & (s->nslots - 1);
	for (; s->slot[j]; j = (j + 1) & (s->nslots - 1)) {
		const struct scan_key *o = &s->keys[s->slot[j] - 1];

		if (o->dev == dev && o->ino == ino) {
			*added = 0;
			return s->slot[j] - 1;
		}
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->keys = xrealloc(s->keys, s->cap * sizeof(*s->keys));
	}
	s->keys[s->n] = k;
	s->slot[j] = ++s->n;
	*added = 1;
	return s->n - 1;
}

/* The index of K in S, or SCAN_NO_PROJECT. */
static size_t seen_find(const struct scan_seen *s, dev_t dev, ino_t ino)
{
	struct scan_key k = {dev, ino};
	size_t j;

	if (!s->nslots)
		return SCAN_NO_PROJECT;
	j = key_hash(&k) & (s->nslots - 1);
	for (; s->slot[j]; j = (j + 1) & (s->nslots - 1)) {
		const struct scan_key *o = &s->keys[s->slot[j] - 1];

		if (o->dev == dev && o->ino == ino)
			return s->slot[j] - 1;
	}
	return SCAN_NO_PROJECT;
}

static struct scan_seen *seen_new(void)
{
	struct scan_seen *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	return s;
}

static void seen_free(struct scan_seen *s)
{
	if (!s)
		return;
	free(s->keys);
	free(s->slot);
	free(s);
}

/* ---- projects --------------------------------------------------------- */

static size_t project_id(struct scan_list *l, const struct stat *dir)
{
	int added;
	size_t id = seen_put(l->projects, dir->st_dev, dir->st_ino, &added);

	l->nprojects = l->projects->n;
	return id;
}

static int has_marker_file(const char *dir)
{
	char path[PATH_MAX + 32];
	struct stat st;
	size_t i, len = strlen(dir), n;

	if (len + 1 >= PATH_MAX)
		return 0;
	memcpy(path, dir, len);
	path[len++] = '/';
	for (i = 0; i < COUNT(markers); i++) {
		n = strlen(markers[i]);
		memcpy(path + len, markers[i], n + 1);
		if (stat(path, &st) == 0)
			return 1;
	}
	return 0;
}

/* The answer of a search for a project: its root directory, if any. */
struct scan_root {
	int found;
	dev_t dev;
	ino_t ino;
};

static void lock(struct scan_list *l)
{
	if (l->lock)
		pthread_mutex_lock(l->lock);
}

static void unlock(struct scan_list *l)
{
	if (l->lock)
		pthread_mutex_unlock(l->lock);
}

/* The remembered answer for the directory ST, if any. */
static int cached_root(struct scan_list *l, const struct stat *st,
		       struct scan_root *root)
{
	size_t i;
	int hit = 0;

	lock(l);
	i = seen_find(l->dirs, st->st_dev, st->st_ino);
	if (i != SCAN_NO_PROJECT) {
		*root = l->dir_root[i];
		hit = 1;
	}
	unlock(l);
	return hit;
}

/* Remember ROOT as the answer for the N directories PASSED. */
static void remember(struct scan_list *l, const struct scan_key *passed,
		     size_t n, const struct scan_root *root)
{
	size_t i, k;
	int added;

	lock(l);
	for (k = 0; k < n; k++) {
		i = seen_put(l->dirs, passed[k].dev, passed[k].ino, &added);
		if (l->dirs->n > l->ndir_root) {
			l->ndir_root = 2 * l->dirs->n;
			l->dir_root = xrealloc(l->dir_root,
					       l->ndir_root *
						       sizeof(*l->dir_root));
		}
		if (added)
			l->dir_root[i] = *root;
	}
	unlock(l);
}

/* The root of the project of the directory DIR: the nearest directory
 * holding a marker, found by going up through "..", so that the parents
 * are the ones the system sees, links included, without resolving each
 * component of the path.  Every directory passed is remembered by device
 * and inode with the answer, so that the directories of many named files
 * are probed once: a parent met before answers at once.  *SELF receives
 * the status of DIR; -1 when it has none.  Threads may search at once
 * when L has a lock: a directory is remembered only once its answer is
 * known. */
static int find_root(struct scan_list *l, const char *dir, struct stat *self,
		     struct scan_root *root)
{
	char path[PATH_MAX];
	struct scan_key passed[SCAN_MAX_DEPTH];
	size_t npassed = 0, len = strlen(dir);
	struct stat st, up;

	memset(root, 0, sizeof(*root));
	if (len + 1 > sizeof(path) || stat(dir, &st) < 0)
		return -1;
	*self = st;
	memcpy(path, dir, len + 1);
	for (;;) {
		if (cached_root(l, &st, root))
			break;
		if (npassed < COUNT(passed)) {
			passed[npassed].dev = st.st_dev;
			passed[npassed++].ino = st.st_ino;
		}
		if (has_marker_file(path)) {
			root->found = 1;
			root->dev = st.st_dev;
			root->ino = st.st_ino;
			break;
		}
		if (len + 4 > sizeof(path))
			break;
		memcpy(path + len, "/..", 4);
		len += 3;
		if (stat(path, &up) < 0 ||
		    (up.st_dev == st.st_dev && up.st_ino == st.st_ino))
			break; /* the root */
		st = up;
	}
	remember(l, passed, npassed, root);
	return 0;
}

static size_t root_id(struct scan_list *l, const struct scan_root *root)
{
	int added;
	size_t id = seen_put(l->projects, root->dev, root->ino, &added);

	l->nprojects = l->projects->n;
	return id;
}

/* The project above the directory DIR, or SCAN_NO_PROJECT. */
static size_t project_above(struct scan_list *l, const char *dir)
{
	struct scan_root root;
	struct stat self;

	if (find_root(l, dir, &self, &root) < 0 || !root.found)
		return SCAN_NO_PROJECT;
	return root_id(l, &root);
}

/* The project of a file named on the command line, in a directory of
 * status SELF (zeroed when it has none) where ROOT was found. */
static size_t project_of(struct scan_list *l, const struct stat *self,
			 const struct scan_root *root)
{
	return root->found ? root_id(l, root) : project_id(l, self);
}

/* The project of a file named on the command line, in DIR. */
static size_t project_of_dir(struct scan_list *l, const char *dir)
{
	struct scan_root root;
	struct stat self;

	if (find_root(l, dir, &self, &root) < 0)
		memset(&self, 0, sizeof(self)); /* the file will not load */
	return project_of(l, &self, &root);
}

static char *dir_part(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static void init_sets(struct scan_list *l)
{
	if (!l->seen)
		l->seen = seen_new();
	if (!l->projects)
		l->projects = seen_new();
	if (!l->dirs)
		l->dirs = seen_new();
}

/* ---- looking up named files ahead, on several threads ----------------- */

/* The part of a status that the scan reads: what a file is and which. */
struct scan_status {
	mode_t mode;
	dev_t dev;
	ino_t ino;
};

static void keep_status(struct scan_status *to, const struct stat *st)
{
	to->mode = st->st_mode;
	to->dev = st->st_dev;
	to->ino = st->st_ino;
}

static void full_status(struct stat *to, const struct scan_status *from)
{
	memset(to, 0, sizeof(*to));
	to->st_mode = from->mode;
	to->st_dev = from->dev;
	to->st_ino = from->ino;
}

/* What scan_add needs to know of a named path, asked ahead.  Kept for
 * every path until the scan starts, so kept small: a whole struct stat
 * for the path and its directory made 3 MiB of 10 000 paths. */
struct scan_pre {
	const char *path;
	int err; /* of stat; 0 when ST holds the status */
	int dir_err;	       /* the directory has no status */
	struct scan_status st;
	struct scan_status dir; /* the status of the path's directory */
	struct scan_root root;	/* and the project above it */
};

#define SCAN_PREFETCH_MIN 64 /* fewer paths are looked up as added */
#define SCAN_PREFETCH_CHUNK 32

struct prefetch {
	struct scan_list *l;
	size_t n, next;
	pthread_mutex_t lock;
};

static void prefetch_chunk(struct scan_list *l, size_t from, size_t to)
{
	struct scan_pre *p, *prev = NULL;
	char *dir, *prev_dir = NULL;
	struct stat st;

	for (; from < to; from++) {
		p = &l->pre[from];
		if (strcmp(p->path, "-") == 0)
			continue;
		p->err = stat(p->path, &st) < 0 ? errno : 0;
		if (p->err)
			continue;
		keep_status(&p->st, &st);
		dir = dir_part(p->path);
		if (!dir)
			abort();
		if (prev && strcmp(dir, prev_dir) == 0) {
			p->dir_err = prev->dir_err;
			p->dir = prev->dir;
			p->root = prev->root;
			free(dir);
			continue;
		}
		p->dir_err = find_root(l, dir, &st, &p->root) < 0;
		if (!p->dir_err)
			keep_status(&p->dir, &st);
		free(prev_dir);
		prev_dir = dir;
		prev = p;
	}
	free(prev_dir);
}

static void *prefetch_thread(void *arg)
{
	struct prefetch *f = arg;
	size_t from;

	for (;;) {
		pthread_mutex_lock(&f->lock);
		from = f->next;
		f->next = from < f->n ? from + SCAN_PREFETCH_CHUNK : from;
		pthread_mutex_unlock(&f->lock);
		if (from >= f->n)
			return NULL;
		prefetch_chunk(f->l, from,
			       f->n - from < SCAN_PREFETCH_CHUNK ?
				       f->n :
				       from + SCAN_PREFETCH_CHUNK);
	}
}

void scan_prefetch(struct scan_list *l, char *const *paths, size_t n,
		   unsigned threads)
{
	struct prefetch f;
	pthread_t tid[64];
	size_t i, started = 0;

	init_sets(l);
	if (n < SCAN_PREFETCH_MIN || threads < 2 || l->pre)
		return;
	l->pre = calloc(n, sizeof(*l->pre));
	if (!l->pre)
		abort();
	for (i = 0; i < n; i++)
		l->pre[i].path = paths[i];
	l->npre = n;
	l->pre_next = 0;
	f.l = l;
	f.n = n;
	f.next = 0;
	pthread_mutex_init(&f.lock, NULL);
	l->lock = &f.lock;
	if (threads > COUNT(tid) + 1)
		threads = COUNT(tid) + 1;
	for (i = 0; i + 1 < threads; i++)
		if (pthread_create(&tid[started], NULL, prefetch_thread, &f) ==
		    0)
			started++;
	prefetch_thread(&f);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	l->lock = NULL;
	pthread_mutex_destroy(&f.lock);
}

/* The answers asked ahead for PATH, when it is the next path prefetched. */
static const struct scan_pre *take_pre(struct scan_list *l, const char *path)
{
	if (l->pre_next >= l->npre || l->pre[l->pre_next].path != path)
		return NULL;
	return &l->pre[l->pre_next++];
}

/* ---- the walk --------------------------------------------------------- */

static void push(struct scan_list *l, const char *path, int explicit,
		 size_t project)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	l->v[l->n].path = strdup(path);
	l->v[l->n].explicit = explicit;
	l->v[l->n++].project = project;
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
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	*count = n;
	return names ? names : calloc(1, sizeof(*names));
}

static int has_marker(char **names, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < COUNT(markers); k++)
			if (strcmp(names[i], markers[k]) == 0)
				return 1;
	return 0;
}

static int on_stack(const struct dir_stack *s, const struct stat *st)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].dev == st->st_dev && s->v[i].ino == st->st_ino)
			return 1;
	return 0;
}

struct walk {
	struct scan_list *l;
	struct dir_stack stack;
};

static void walk(struct walk *w, const char *path, int explicit,
		 size_t project);

static char *child_path(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *child = malloc(len);

	if (!child)
		abort();
	snprintf(child, len, "%s%s%s", dir, has_suffix(dir, "/") ? "" : "/",
		 name);
	return child;
}

/* Walk the directory PATH; PROJECT is the project of an enclosing
 * directory, or SCAN_NO_PROJECT. */
static void walk_dir(struct walk *w, const char *path, const struct stat *st,
		     size_t project)
{
	size_t n = 0, i;
	char **names, *child;

	names = read_dir(path, &n);
	if (!names) {
		fprintf(stderr, "rulecheck: %s: %s\n", path, strerror(errno));
		w->l->trouble = 1;
		return;
	}
	if (has_marker(names, n) || project == SCAN_NO_PROJECT)
		project = project_id(w->l, st);
	w->stack.v[w->stack.n].dev = st->st_dev;
	w->stack.v[w->stack.n++].ino = st->st_ino;
	for (i = 0; i < n; i++) {
		child = child_path(path, names[i]);
		walk(w, child, 0, project);
		free(child);
		free(names[i]);
	}
	w->stack.n--;
	free(names);
}

static void enter_dir(struct walk *w, const char *path, const struct stat *st,
		      size_t project)
{
	int added;

	if (on_stack(&w->stack, st) || w->stack.n == SCAN_MAX_DEPTH) {
		fprintf(stderr,
			"rulecheck: %s: directory loop or nesting "
			"too deep; not followed\n",
			path);
		w->l->trouble = 1;
		return;
	}
	seen_put(w->l->seen, st->st_dev, st->st_ino, &added);
	if (added)
		walk_dir(w, path, st, project);
}

/* A .json entry of a directory that stat cannot reach: a dangling link,
 * or a file removed since the directory was read. */
static void report_gone(struct walk *w, const char *path, int err)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		fprintf(stderr,
			"rulecheck: %s: %s (a symbolic link to "
			"nothing)\n",
			path, strerror(err));
	else
		fprintf(stderr,
			"rulecheck: %s: %s (removed during the "
			"scan)\n",
			path, strerror(err));
	w->l->trouble = 1;
}

/* Take PATH, of status ST, into the scan. */
static void walk_stat(struct walk *w, const char *path, const struct stat *st,
		      int explicit, size_t project)
{
	const char *base = strrchr(path, '/');
	int added;

	base = base ? base + 1 : path;
	if (S_ISDIR(st->st_mode)) {
		if (explicit ||
		    (!skip_dir(base) &&
		     !(w->l->prune && w->l->prune(w->l->prune_arg, path))))
			enter_dir(w, path, st, project);
		return;
	}
	if (!explicit && (!S_ISREG(st->st_mode) || !has_suffix(base, ".json")))
		return;
	seen_put(w->l->seen, st->st_dev, st->st_ino, &added);
	if (added || explicit)
		push(w->l, path, explicit, project);
}

static void walk(struct walk *w, const char *path, int explicit, size_t project)
{
	const char *base = strrchr(path, '/');
	struct stat st;

	base = base ? base + 1 : path;
	if (stat(path, &st) < 0) {
		if (explicit) {
			fprintf(stderr, "rulecheck: %s: %s\n", path,
				strerror(errno));
			w->l->trouble = 1;
		} else if (has_suffix(base, ".json")) {
			report_gone(w, path, errno);
		}
		return;
	}
	walk_stat(w, path, &st, explicit, project);
}

void scan_add(struct scan_list *l, const char *path)
{
	const struct scan_pre *pre;
	static const struct stat none;
	struct walk *w;
	struct stat st, dir_st;
	char *dir;
	size_t project;
	int err;

	init_sets(l);
	pre = take_pre(l, path);
	if (strcmp(path, "-") == 0) {
		push(l, path, 1, project_of_dir(l, "."));
		return;
	}
	w = malloc(sizeof(*w)); /* the stack is not cleared: 4 KiB */
	if (!w)
		abort();
	w->l = l;
	w->stack.n = 0;
	if (pre) {
		err = pre->err;
		full_status(&st, &pre->st);
	} else {
		err = stat(path, &st) < 0 ? errno : 0;
	}
	if (err) {
		fprintf(stderr, "rulecheck: %s: %s\n", path, strerror(err));
		l->trouble = 1;
	} else if (S_ISDIR(st.st_mode)) {
		dir = dir_part(path);
		if (!pre)
			project = project_above(l, dir);
		else if (pre->root.found)
			project = root_id(l, &pre->root);
		else
			project = SCAN_NO_PROJECT;
		free(dir);
		walk_stat(w, path, &st, 1, project);
	} else {
		/* Named files come by directory: look each one up once. */
		dir = dir_part(path);
		if (!l->last_dir || strcmp(l->last_dir, dir) != 0) {
			free(l->last_dir);
			l->last_dir = dir;
			if (pre && !pre->dir_err)
				full_status(&dir_st, &pre->dir);
			l->last_project = pre ? project_of(l,
							   pre->dir_err ?
								   &none :
								   &dir_st,
							   &pre->root) :
						project_of_dir(l, dir);
		} else {
			free(dir);
		}
		walk_stat(w, path, &st, 1, l->last_project);
	}
	free(w);
	if (l->pre && l->pre_next == l->npre) { /* all taken */
		free(l->pre);
		l->pre = NULL;
		l->npre = l->pre_next = 0;
	}
}

void scan_free(struct scan_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	seen_free(l->seen);
	seen_free(l->projects);
	seen_free(l->dirs);
	free(l->dir_root);
	free(l->pre);
	free(l->last_dir);
	memset(l, 0, sizeof(*l));
}
