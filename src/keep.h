/* Memory a thread keeps for itself from one call to the next: caches and
 * scratch space too large or too costly to build on every call.  Each
 * thread gets its own block, zeroed on first use and released when the
 * thread ends; until then every block stays on a list, so that none is
 * lost to a leak checker at exit. */
#ifndef RULECHECK_KEEP_H
#define RULECHECK_KEEP_H

#include <pthread.h>
#include <stddef.h>

struct keep_block;

struct keep {
	size_t size;			/* of each thread's block */
	void (*release)(void *block);	/* frees what a block holds */
	pthread_mutex_t lock;
	pthread_key_t key;
	int state;			/* 0 no key yet, 1 keyed, -1 failed */
	struct keep_block *blocks;
};

#define KEEP_INIT(size, release) \
	{ (size), (release), PTHREAD_MUTEX_INITIALIZER, 0, 0, NULL }

/* The calling thread's block of K, or NULL when none can be had. */
void *keep_get(struct keep *k);

/* A spare: one allocation a thread keeps for the next time it needs one
 * of the same size, such as the first block of an arena that is made
 * and freed hundreds of thousands of times.  K is KEEP_SPARE_INIT. */
#define KEEP_SPARE_INIT KEEP_INIT(sizeof(void *), keep_spare_release)
void keep_spare_release(void *block);

/* The calling thread's spare, now the caller's, or NULL. */
void *keep_spare_take(struct keep *k);

/* P as the calling thread's spare, or freed when it has one. */
void keep_spare_give(struct keep *k, void *p);

#endif
