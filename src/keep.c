/* Per-thread blocks; see keep.h. */
#include <stdlib.h>

#include "keep.h"

struct keep_block {
	struct keep *owner;
	struct keep_block *prev, *next;
	max_align_t data[]; /* the caller's block */
};

static void unlink_block(struct keep_block *b)
{
	struct keep *k = b->owner;

	pthread_mutex_lock(&k->lock);
	if (b->prev)
		b->prev->next = b->next;
	else
		k->blocks = b->next;
	if (b->next)
		b->next->prev = b->prev;
	pthread_mutex_unlock(&k->lock);
}

/* The key's destructor: the thread ends. */
static void thread_end(void *arg)
{
	struct keep_block *b = arg;

	unlink_block(b);
	if (b->owner->release)
		b->owner->release(b->data);
	free(b);
}

static int keyed(struct keep *k)
{
	int state = __atomic_load_n(&k->state, __ATOMIC_ACQUIRE);

	if (state)
		return state > 0;
	pthread_mutex_lock(&k->lock);
	if (!k->state) {
		state = pthread_key_create(&k->key, thread_end) == 0 ? 1 : -1;
		__atomic_store_n(&k->state, state, __ATOMIC_RELEASE);
	}
	state = k->state;
	pthread_mutex_unlock(&k->lock);
	return state > 0;
}

void *keep_get(struct keep *k)
{
	struct keep_block *b;

	if (!keyed(k))
		return NULL;
	b = pthread_getspecific(k->key);
	if (b)
		return b->data;
	b = calloc(1, sizeof(*b) + k->size);
	if (!b)
		return NULL;
	b->owner = k;
	if (pthread_setspecific(k->key, b) != 0) {
		free(b);
		return NULL;
	}
	pthread_mutex_lock(&k->lock);
	b->next = k->blocks;
	if (k->blocks)
		k->blocks->prev = b;
	k->blocks = b;
	pthread_mutex_unlock(&k->lock);
	return b->data;
}

void keep_spare_release(void *block)
{
	free(*(void **)block);
}

void *keep_spare_take(struct keep *k)
{
	void **spare = keep_get(k), *p;

	if (!spare)
		return NULL;
	p = *spare;
	*spare = NULL;
	return p;
}

void keep_spare_give(struct keep *k, void *p)
{
	void **spare = keep_get(k);

	if (spare && !*spare)
		*spare = p;
	else
		free(p);
}
