/* The engine's memo.  A question is keyed by an exact serialization of
 * everything the engine reads: the kind, class, callers, flags, budget,
 * and per goal the operation, the wanted outcome and the expression tree
 * (kinds, operators, texts and numbers byte for byte, regular expression
 * flags); spans are left out, since the engine never reads
 * them.  The table stops growing at a fixed number of entries and bytes. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memo.h"

#define MEMO_SLOTS 8192 /* a power of two */
#define MEMO_MAX_ENTRIES (MEMO_SLOTS / 2)
#define MEMO_MAX_BYTES ((size_t)4 << 20)
#define MEMO_MAX_KEY 8192 /* longer questions are not kept */

struct memo_entry {
	char *key;
	size_t len;
	uint64_t hash;
	enum sym_result r;
	unsigned long evaluations;
	struct sym_witness w; /* SYM_SAT only */
};

static struct memo_entry *memo_table; /* MEMO_SLOTS, or NULL */
static size_t memo_entries, memo_bytes;
static int memo_off;
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;

void memo_set_enabled(int on)
{
	pthread_mutex_lock(&memo_lock);
	memo_off = !on;
	pthread_mutex_unlock(&memo_lock);
}

struct key {
	char buf[MEMO_MAX_KEY];
	size_t len;
	int full;
};

static void put(struct key *k, const void *p, size_t n)
{
	if (k->full || k->len + n > MEMO_MAX_KEY) {
		k->full = 1;
		return;
	}
	memcpy(k->buf + k->len, p, n);
	k->len += n;
}

static void put_num(struct key *k, unsigned long long v)
{
	put(k, &v, sizeof(v));
}

static void put_node(struct key *k, const struct ast_node *n)
{
	size_t i;

	if (!n) {
		put(k, "~", 1);
		return;
	}
	put(k, "(", 1);
	put_num(k, (unsigned)n->kind | (unsigned long long)n->op << 8 |
			   (unsigned long long)(n->boolean != 0) << 16 |
			   (unsigned long long)(unsigned char)n->quote << 24 |
			   (unsigned long long)n->nlist << 32);
	put(k, &n->number, sizeof(n->number));
	put_num(k, n->text ? n->len : (unsigned long long)-1);
	if (n->text)
		put(k, n->text, n->len);
	if (n->flags)
		put(k, n->flags, strlen(n->flags) + 1);
	else
		put(k, "", 1);
	put_node(k, n->a);
	put_node(k, n->b);
	put_node(k, n->c);
	for (i = 0; i < n->nlist; i++)
		put_node(k, n->list[i]);
	put(k, ")", 1);
}

/* The key of Q in K (k->full when it is too long to keep). */
static void make_key(struct key *k, const struct sym_query *q)
{
	size_t i;

	put_num(k, (unsigned)q->kind);
	put_num(k, (unsigned)q->cls);
	put_num(k, q->callers);
	put_num(k, (unsigned)q->identity_free);
	put_num(k, (unsigned)q->identity_absent);
	put_num(k, (unsigned)q->fill_absent);
	put_num(k, q->budget);
	put_num(k, q->ngoals);
	for (i = 0; i < q->ngoals; i++) {
		const struct sym_goal *g = &q->goals[i];

		put(k, g->op ? g->op : "", g->op ? strlen(g->op) + 1 : 1);
		put_num(k, (unsigned)g->want);
		put_num(k, (unsigned)g->literal);
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

/* The slot of KEY: its entry, or the free slot where it would go. */
static struct memo_entry *slot(const struct key *k, uint64_t h)
{
	size_t j = (size_t)h & (MEMO_SLOTS - 1);

	for (;; j = (j + 1) & (MEMO_SLOTS - 1)) {
		struct memo_entry *e = &memo_table[j];

		if (!e->key || (e->hash == h && e->len == k->len &&
				memcmp(e->key, k->buf, k->len) == 0))
			return e;
	}
}

static int build(struct key *k, const struct sym_query *q)
{
	k->len = 0;
	k->full = 0;
	make_key(k, q);
	return !k->full;
}

int memo_get(const struct sym_query *q, enum sym_result *r,
	     struct sym_witness *w)
{
	struct key k;
	struct memo_entry *e;
	uint64_t h;
	int found = 0;

	if (!build(&k, q))
		return 0;
	h = hash(k.buf, k.len);
	pthread_mutex_lock(&memo_lock);
	if (memo_table && !memo_off) {
		e = slot(&k, h);
		if (e->key) {
			found = 1;
			*r = e->r;
			if (w && e->r == SYM_SAT) {
				copy_witness(w, &e->w);
			} else if (w) {
				memset(w, 0, sizeof(*w));
				w->evaluations = e->evaluations;
			}
		}
	}
	pthread_mutex_unlock(&memo_lock);
	return found;
}

void memo_put(const struct sym_query *q, enum sym_result r,
	      const struct sym_witness *w)
{
	struct key k;
	struct memo_entry *e;
	uint64_t h;

	if (r == SYM_FAILED || !build(&k, q))
		return;
	h = hash(k.buf, k.len);
	pthread_mutex_lock(&memo_lock);
	if (!memo_table)
		memo_table = calloc(MEMO_SLOTS, sizeof(*memo_table));
	if (memo_table && !memo_off && memo_entries < MEMO_MAX_ENTRIES &&
	    memo_bytes + k.len < MEMO_MAX_BYTES) {
		e = slot(&k, h);
		if (!e->key) {
			e->key = malloc(k.len ? k.len : 1);
			if (!e->key)
				abort();
			memcpy(e->key, k.buf, k.len);
			e->len = k.len;
			e->hash = h;
			e->r = r;
			e->evaluations = w->evaluations;
			if (r == SYM_SAT)
				copy_witness(&e->w, w);
			memo_entries++;
			memo_bytes += k.len + 512;
		}
	}
	pthread_mutex_unlock(&memo_lock);
}
