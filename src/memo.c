/* What a run remembers: the engine's answers and the verdicts of whole
 * rule objects.  Both are keyed by an exact serialization of everything
 * the answer depends on; spans are left out, since neither the engine
 * nor a verdict reads them.  For a question: the kind, class, callers,
 * flags, budget, and per goal the operation, the wanted outcome and the
 * expression tree (kinds, operators, texts and numbers byte for byte,
 * regular expression flags).  A verdict's key is built by its caller.
 * Each table stops growing at a fixed number of entries and bytes, and
 * an entry, once in, stays unchanged until the process ends, so a
 * verdict can be read outside the lock. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memo.h"

/* ---- keys ------------------------------------------------------------- */

void memo_key_init(struct memo_key *k)
{
	k->len = 0;
	k->full = 0;
}

void memo_key_put(struct memo_key *k, const void *p, size_t n)
{
	if (k->full || k->len + n > MEMO_MAX_KEY) {
		k->full = 1;
		return;
	}
	memcpy(k->buf + k->len, p, n);
	k->len += n;
}

/* KEPT, a copy memo_intern gave: a 1, then the address's bytes as they
 * are. */
static void key_kept(struct memo_key *k, const char *kept)
{
	memo_key_num(k, 1);
	memo_key_put(k, &kept, sizeof(kept));
}

void memo_key_text(struct memo_key *k, const char *s, size_t n)
{
	memo_key_num(k, s ? n : (unsigned long long)-1);
	if (s)
		memo_key_put(k, s, n);
}

/* A node as a prefix code: '~' for none, or '(' and the node's own
 * fields, then its children in order.  The room for the fields is
 * checked once: keys are made of hundreds of thousands of nodes. */
static void put_node(struct memo_key *k, const struct ast_node *n)
{
	static const double zero = 0;
	size_t i, tlen = n && n->text ? n->len : 0,
		  flen = n && n->flags ? strlen(n->flags) : 0;
	unsigned char *p;
	int number;

	if (k->full || k->len + 5 + 3 * 10 + 8 + tlen + flen > MEMO_MAX_KEY) {
		k->full = 1;
		return;
	}
	p = (unsigned char *)k->buf + k->len;
	if (!n) {
		*p = '~';
		k->len++;
		return;
	}
	number = memcmp(&n->number, &zero, sizeof(zero)) != 0; /* -0 too */
	*p++ = '(';
	*p++ = (unsigned char)n->kind;
	*p++ = (unsigned char)n->op;
	*p++ = (unsigned char)n->quote;
	*p++ = (unsigned char)((n->boolean != 0) | number << 1 |
			       (n->text != NULL) << 2 | (n->flags != NULL) << 3);
	p = memo_num_at(p, n->nlist);
	if (number) {
		memcpy(p, &n->number, sizeof(n->number));
		p += sizeof(n->number);
	}
	p = memo_num_at(p, tlen);
	memcpy(p, n->text ? n->text : "", tlen);
	p = memo_num_at(p + tlen, flen);
	memcpy(p, n->flags ? n->flags : "", flen);
	k->len = (size_t)(p + flen - (unsigned char *)k->buf);
	put_node(k, n->a);
	put_node(k, n->b);
	put_node(k, n->c);
	for (i = 0; i < n->nlist; i++)
		put_node(k, n->list[i]);
}

void memo_tree_key(struct memo_key *k, const struct ast_node *n)
{
	put_node(k, n);
}

static void question_key(struct memo_key *k, const struct sym_query *q)
{
	size_t i;

	memo_key_init(k);
	memo_key_num(k, (unsigned)q->kind);
	memo_key_num(k, (unsigned)q->cls);
	memo_key_num(k, q->callers);
	memo_key_num(k, (unsigned)q->identity_free);
	memo_key_num(k, (unsigned)q->identity_absent);
	memo_key_num(k, (unsigned)q->fill_absent);
	memo_key_num(k, q->budget);
	memo_key_num(k, q->ngoals);
	for (i = 0; i < q->ngoals; i++) {
		const struct sym_goal *g = &q->goals[i];

		memo_key_text(k, g->op, g->op ? strlen(g->op) : 0);
		memo_key_num(k, (unsigned)g->want);
		memo_key_num(k, (unsigned)g->literal);
		if (g->key)
			memo_key_bytes(k, g->key, g->key_len,
				       g->key_kept ? g->key : NULL);
		else
			put_node(k, g->expr);
	}
}

/* A word at a time: keys run to hundreds of bytes. */
static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15u;
		h ^= h >> 29;
	}
	for (; n > 0; s++, n--)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h ^ (h >> 32);
}

/* ---- tables ----------------------------------------------------------- */

struct entry {
	char *key;		/* NULL: a free slot */
	size_t len;
	uint64_t hash;
	void *value;
};

struct table {
	struct entry *slots;	/* NSLOTS, a power of two, or NULL */
	size_t nslots;
	size_t entries, bytes;	/* at most half the slots, and MAX_BYTES */
	size_t max_bytes;
};

/* The slot of KEY (LEN bytes, hash H): its entry, or the free slot where
 * it would go.  T has its slots. */
static struct entry *slot(struct table *t, const char *key, size_t len,
			  uint64_t h)
{
	size_t j = (size_t)h & (t->nslots - 1);

	for (;; j = (j + 1) & (t->nslots - 1)) {
		struct entry *e = &t->slots[j];

		if (!e->key || (e->hash == h && e->len == len &&
				memcmp(e->key, key, len) == 0))
			return e;
	}
}

static struct entry *lookup(struct table *t, const char *key, size_t len,
			    uint64_t h)
{
	struct entry *e;

	if (!t->slots)
		return NULL;
	e = slot(t, key, len, h);
	return e->key ? e : NULL;
}

/* Room for an entry of SIZE bytes under KEY: its free slot, or NULL when
 * KEY is in already or T is full. */
static struct entry *room(struct table *t, const char *key, size_t len,
			  uint64_t h, size_t size)
{
	struct entry *e;

	if (!t->slots) {
		t->slots = calloc(t->nslots, sizeof(*t->slots));
		if (!t->slots)
			return NULL;
	}
	if (t->entries >= t->nslots / 2 || t->bytes + size > t->max_bytes)
		return NULL;
	e = slot(t, key, len, h);
	if (e->key)
		return NULL;
	e->key = malloc(len ? len : 1);
	if (!e->key)
		abort();
	memcpy(e->key, key, len);
	e->len = len;
	e->hash = h;
	t->entries++;
	t->bytes += size;
	return e;
}

/* One lock for lookups and insertions, held for a probe or a copy.  It
 * spins a little before it sleeps: with a read-write lock, which sleeps
 * at once, two threads slept 1 700 times in a scan of 10 000 files, each
 * time for longer than the whole wait would have been.  What an entry
 * holds is read after the lock is given up, since it never changes. */
#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
static pthread_mutex_t memo_lock = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;
#else
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
#endif
static int memo_off;

/* Each thread remembers the entries it found, by hash, and finds them
 * again without the lock: taking even a lock shared by readers a
 * million times made two threads slower than one, each taking the
 * lock's cache line from the other. */
#define NEAR_SLOTS 512 /* a power of two */

struct near {
	const struct entry *e[NEAR_SLOTS];
};

static _Thread_local struct near near_answers, near_verdicts, near_texts,
	near_trees;

static const struct entry *find(struct table *t, struct near *nr,
				const char *key, size_t len, uint64_t h)
{
	const struct entry **c = &nr->e[h & (NEAR_SLOTS - 1)];
	const struct entry *e = *c;

	if (e && e->hash == h && e->len == len &&
	    memcmp(e->key, key, len) == 0)
		return e;
	pthread_mutex_lock(&memo_lock);
	e = memo_off ? NULL : lookup(t, key, len, h);
	pthread_mutex_unlock(&memo_lock);
	if (e)
		*c = e;
	return e;
}

void memo_set_enabled(int on)
{
	pthread_mutex_lock(&memo_lock);
	memo_off = !on;
	pthread_mutex_unlock(&memo_lock);
}

/* ---- the engine's answers --------------------------------------------- */

struct answer {
	enum sym_result r;
	unsigned long evaluations;
	struct sym_witness w;	/* SYM_SAT only */
	char *text;		/* w as JSON: a hit is printed as often */
};

static struct table answers = {NULL, 16384, 0, 0, (size_t)8 << 20};

static void copy_witness(struct sym_witness *to, const struct sym_witness *w)
{
	size_t i;

	memset(to, 0, sizeof(*to));
	to->caller = w->caller;
	to->auth = w->auth ? cJSON_Duplicate(w->auth, 1) : NULL;
	to->doc = w->doc ? cJSON_Duplicate(w->doc, 1) : NULL;
	to->data = w->data ? cJSON_Duplicate(w->data, 1) : NULL;
	to->now = w->now;
	to->evaluations = w->evaluations;
	to->gets = calloc(w->ngets ? w->ngets : 1, sizeof(*to->gets));
	if (!to->gets)
		abort();
	for (i = 0; i < w->ngets; i++) {
		to->gets[i].path = strdup(w->gets[i].path);
		to->gets[i].doc = cJSON_Duplicate(w->gets[i].doc, 1);
	}
	to->ngets = w->ngets;
}

int memo_get(const struct sym_query *q, enum sym_result *r,
	     struct sym_witness *w)
{
	const struct answer *a;
	const struct entry *e;
	struct memo_key k;
	uint64_t h;

	question_key(&k, q);
	if (k.full)
		return 0;
	h = hash(k.buf, k.len);
	e = find(&answers, &near_answers, k.buf, k.len, h);
	a = e ? e->value : NULL;
	if (!a)
		return 0;
	*r = a->r;
	if (w && a->r == SYM_SAT && q->text_only && a->text &&
	    (a->w.auth || a->w.doc)) {
		memset(w, 0, sizeof(*w));
		w->caller = a->w.caller;
		w->now = a->w.now;
		w->evaluations = a->w.evaluations;
		w->text = a->text;
	} else if (w && a->r == SYM_SAT) {
		copy_witness(w, &a->w);
		w->text = a->text;
	} else if (w) {
		memset(w, 0, sizeof(*w));
		w->evaluations = a->evaluations;
	}
	return 1;
}

void memo_put(const struct sym_query *q, enum sym_result r,
	      const struct sym_witness *w)
{
	struct memo_key k;
	struct answer *a;
	struct entry *e;
	uint64_t h;
	cJSON *j;

	if (r == SYM_FAILED)
		return;
	question_key(&k, q);
	if (k.full)
		return;
	h = hash(k.buf, k.len);
	a = malloc(sizeof(*a));
	if (!a)
		abort();
	a->r = r;
	a->evaluations = w->evaluations;
	memset(&a->w, 0, sizeof(a->w));
	a->text = NULL;
	if (r == SYM_SAT) {
		copy_witness(&a->w, w);
		j = sym_witness_json(w, q->kind);
		a->text = j ? cJSON_PrintUnformatted(j) : NULL;
		cJSON_Delete(j);
	}
	pthread_mutex_lock(&memo_lock);
	e = memo_off ? NULL : room(&answers, k.buf, k.len, h, k.len + 512);
	if (e) {
		e->value = a;
		a = NULL;
	}
	pthread_mutex_unlock(&memo_lock);
	if (a) {
		sym_witness_free(&a->w);
		free(a->text);
		free(a);
	}
}

/* ---- verdicts of rule objects ----------------------------------------- */

static struct table verdicts = {NULL, 32768, 0, 0, (size_t)4 << 20};

/* The messages and witnesses of verdicts, and the texts of keys: a few
 * hundred distinct texts serve thousands of objects. */
static struct table texts = {NULL, 16384, 0, 0, (size_t)2 << 20};

/* The kept copy of the LEN bytes at S, or NULL when the table is full.
 * The caller holds the lock for writing. */
static const char *intern_locked(const char *s, size_t len)
{
	uint64_t h = hash(s, len);
	struct entry *e = lookup(&texts, s, len, h);

	if (!e)
		e = room(&texts, s, len, h, len + sizeof(*e));
	return e ? e->key : NULL;
}

static const char *intern(const char *s)
{
	return s ? intern_locked(s, strlen(s) + 1) : NULL;
}

const char *memo_intern(const char *s, size_t len)
{
	const struct entry *e;
	const char *kept;
	uint64_t h = hash(s, len);

	e = find(&texts, &near_texts, s, len, h);
	kept = e ? e->key : NULL;
	if (kept || memo_off)
		return kept;
	pthread_mutex_lock(&memo_lock);
	kept = intern_locked(s, len);
	pthread_mutex_unlock(&memo_lock);
	return kept;
}

void memo_key_bytes(struct memo_key *k, const char *s, size_t n,
		    const char *kept)
{
	if (!kept && n > MEMO_INTERN_MIN)
		kept = memo_intern(s, n);
	if (kept) {
		key_kept(k, kept);
	} else {
		memo_key_num(k, 0);
		memo_key_text(k, s, n);
	}
}

#define RECENT 2 /* enough for the enabled checks and their severities */

static _Thread_local struct recent {
	const char *kept;
	size_t len;
} recent[RECENT];
static _Thread_local unsigned recent_next;

void memo_key_recent(struct memo_key *k, const char *s, size_t n)
{
	const char *kept = NULL;
	size_t i;

	for (i = 0; i < RECENT && !kept; i++)
		if (recent[i].kept && recent[i].len == n &&
		    memcmp(recent[i].kept, s, n) == 0)
			kept = recent[i].kept;
	if (!kept && (kept = memo_intern(s, n))) {
		recent[recent_next].kept = kept;
		recent[recent_next].len = n;
		recent_next = (recent_next + 1) % RECENT;
	}
	if (kept) {
		key_kept(k, kept);
	} else {
		memo_key_num(k, 0);
		memo_key_text(k, s, n);
	}
}

const struct memo_verdict *memo_verdict_get(const struct memo_key *k)
{
	const struct entry *e = NULL;

	if (k->full)
		return NULL;
	e = find(&verdicts, &near_verdicts, k->buf, k->len,
		 hash(k->buf, k->len));
	return e ? e->value : NULL;
}

void memo_verdict_put(const struct memo_key *k, const struct memo_verdict *v)
{
	size_t size = sizeof(*v) + v->n * sizeof(*v->v), i;
	struct memo_verdict *copy;
	struct entry *e;

	if (k->full)
		return;
	copy = malloc(size);
	if (!copy)
		abort();
	*copy = *v;
	copy->v = (struct memo_finding *)(copy + 1);
	memcpy(copy->v, v->v, v->n * sizeof(*v->v));
	pthread_mutex_lock(&memo_lock);
	for (i = 0; i < v->n && !memo_off; i++) {
		copy->v[i].operation = intern(v->v[i].operation);
		copy->v[i].message = intern(v->v[i].message);
		copy->v[i].witness = intern(v->v[i].witness);
		if (!copy->v[i].message ||
		    (v->v[i].operation && !copy->v[i].operation) ||
		    (v->v[i].witness && !copy->v[i].witness))
			break;
	}
	e = NULL;
	if (i == v->n && !memo_off)
		e = room(&verdicts, k->buf, k->len, hash(k->buf, k->len),
			 k->len + size);
	if (e) {
		e->value = copy;
		copy = NULL;
	}
	pthread_mutex_unlock(&memo_lock);
	free(copy);
}

/* ---- compiled rules --------------------------------------------------- */

static struct table trees = {NULL, 8192, 0, 0, (size_t)2 << 20};
static struct ast_arena *tree_arena;	/* every tree kept */

struct ast_node *memo_compiled(const char *text, size_t len,
			       unsigned max_depth)
{
	struct memo_key key, *k = &key;
	struct ast_node *tree, *kept = NULL;
	struct ast_arena *arena;
	struct expr_error err;
	const struct entry *found;
	struct entry *e;
	size_t before;
	uint64_t h;
	int full;

	memo_key_init(k);
	memo_key_num(k, max_depth);
	memo_key_put(k, text, len);
	if (k->full || memo_off)
		return NULL;
	h = hash(k->buf, k->len);
	found = find(&trees, &near_trees, k->buf, k->len, h);
	if (found)
		return found->value;
	pthread_mutex_lock(&memo_lock);
	full = trees.entries >= trees.nslots / 2 ||
	       trees.bytes >= trees.max_bytes;
	pthread_mutex_unlock(&memo_lock);
	arena = full ? NULL : ast_arena_new();
	tree = arena ? expr_parse(arena, text, len, max_depth, &err) : NULL;
	if (tree) {
		/* Copied into the arena of kept trees, whose blocks fill
		 * up: one arena a tree would hold 16 KiB for each. */
		pthread_mutex_lock(&memo_lock);
		found = lookup(&trees, k->buf, k->len, h);
		if (!found && !tree_arena)
			tree_arena = ast_arena_new();
		if (found) {
			kept = found->value;
		} else if (tree_arena) {
			before = ast_arena_size(tree_arena);
			kept = ast_copy(tree_arena, tree);
			e = kept ? room(&trees, k->buf, k->len, h,
					k->len + ast_arena_size(tree_arena) -
						before) : NULL;
			if (e) {
				e->value = kept;
			} else {
				/* The copy stays in the arena unused: take
				 * no more, or every later tree would add
				 * one, past the bound. */
				kept = NULL;
				trees.max_bytes = trees.bytes;
			}
		}
		pthread_mutex_unlock(&memo_lock);
	}
	ast_arena_free(arena);
	return kept;
}
