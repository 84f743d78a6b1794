/* The job pool.  Jobs are handed out in order from a counter; a job is
 * available once the calling thread has prepared it, and the calling
 * thread prepares no further than a window past the last job emitted (or
 * collected, while the head job waits).  The calling thread is one of the
 * threads: while the job it waits for runs elsewhere, it runs the next.
 * A job is released by the thread that ran it: memory freed by another
 * thread than the one that took it from malloc contended for malloc's
 * locks, and cost a parallel scan a fifth of its time. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "pool.h"

#define POOL_WINDOW_PER_THREAD 32
#define NONE SIZE_MAX

struct pool {
	const struct pool_ops *ops;
	size_t n;
	size_t avail; /* jobs below this are prepared */
	size_t next;  /* the next job to hand out */
	unsigned char *done;
	unsigned *ran;	/* the thread that ran each job; 0 the caller */
	size_t *link;	/* the next job in the same release list */
	size_t *emitted; /* per thread, the jobs it is to release */
	int stop;
	int waiting;  /* the calling thread sleeps on done_cv */
	pthread_mutex_t lock;
	pthread_cond_t work_cv, done_cv;
};

struct worker {
	struct pool *p;
	unsigned id;
	pthread_t tid;
};

unsigned pool_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

/* Release the emitted jobs that thread ID ran.  P is locked, and is
 * unlocked meanwhile. */
static void release_mine(struct pool *p, unsigned id)
{
	size_t k = p->emitted[id], next;

	if (k == NONE)
		return;
	p->emitted[id] = NONE;
	pthread_mutex_unlock(&p->lock);
	for (; k != NONE; k = next) {
		next = p->link[k];
		if (p->ops->release)
			p->ops->release(p->ops->arg, k);
	}
	pthread_mutex_lock(&p->lock);
}

/* Run job K on thread ID.  P is locked, and is unlocked meanwhile. */
static void run(struct pool *p, size_t k, unsigned id)
{
	pthread_mutex_unlock(&p->lock);
	p->ops->work(p->ops->arg, k);
	pthread_mutex_lock(&p->lock);
	p->ran[k] = id;
	p->done[k] = 1;
}

static void *worker(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->p;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		release_mine(p, w->id);
		if (p->next < p->avail) {
			run(p, p->next++, w->id);
			if (p->waiting)
				pthread_cond_signal(&p->done_cv);
			continue;
		}
		if (p->stop && p->emitted[w->id] == NONE)
			break;
		if (!p->stop)
			pthread_cond_wait(&p->work_cv, &p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Prepare jobs up to LIMIT and make them available. */
static void prepare_to(struct pool *p, size_t limit, size_t *prepared)
{
	if (limit > p->n)
		limit = p->n;
	if (*prepared >= limit)
		return;
	while (*prepared < limit)
		p->ops->prepare(p->ops->arg, (*prepared)++);
	pthread_mutex_lock(&p->lock);
	p->avail = *prepared;
	pthread_cond_broadcast(&p->work_cv);
	pthread_mutex_unlock(&p->lock);
}

/* Wait until job K ran, running the jobs no thread took yet meanwhile. */
static void wait_for(struct pool *p, size_t k)
{
	pthread_mutex_lock(&p->lock);
	while (!p->done[k]) {
		if (p->next < p->avail) {
			run(p, p->next++, 0);
			continue;
		}
		p->waiting = 1;
		pthread_cond_wait(&p->done_cv, &p->lock);
		p->waiting = 0;
	}
	pthread_mutex_unlock(&p->lock);
}

/* Job K is emitted: release it here, or hand it to the thread that ran
 * it. */
static void hand_back(struct pool *p, size_t k)
{
	unsigned id;

	pthread_mutex_lock(&p->lock);
	id = p->ran[k];
	if (id) {
		/* Taken when that thread next looks for work. */
		p->link[k] = p->emitted[id];
		p->emitted[id] = k;
	}
	pthread_mutex_unlock(&p->lock);
	if (!id && p->ops->release)
		p->ops->release(p->ops->arg, k);
}

/* The loop of the calling thread. */
static void drive(struct pool *p, size_t window)
{
	size_t prepared = 0, collected = 0, emitted = 0;
	int blocked = 0;

	while (emitted < p->n) {
		prepare_to(p, (blocked ? collected : emitted) + window,
			   &prepared);
		if (collected < p->n) {
			wait_for(p, collected);
			p->ops->collect(p->ops->arg, collected++);
		}
		while (emitted < collected &&
		       p->ops->emit(p->ops->arg, emitted))
			hand_back(p, emitted++);
		blocked = emitted < collected;
		if (blocked && collected == p->n)
			abort(); /* nothing left that it could wait for */
	}
}

void pool_run(const struct pool_ops *ops, size_t n, unsigned threads)
{
	struct pool p = {0};
	struct worker *w = NULL;
	unsigned started = 0, i;
	size_t window = (size_t)(threads ? threads : 1) *
			POOL_WINDOW_PER_THREAD;

	if (threads < 1 || n < 2)
		threads = 1;
	p.ops = ops;
	p.n = n;
	p.done = calloc(n ? n : 1, 1);
	p.ran = calloc(n ? n : 1, sizeof(*p.ran));
	p.link = calloc(n ? n : 1, sizeof(*p.link));
	p.emitted = calloc(threads, sizeof(*p.emitted));
	w = calloc(threads, sizeof(*w));
	if (!p.done || !p.ran || !p.link || !p.emitted || !w)
		abort();
	for (i = 0; i < threads; i++)
		p.emitted[i] = NONE;
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.work_cv, NULL);
	pthread_cond_init(&p.done_cv, NULL);
	for (i = 1; i < threads; i++) {
		w[started].p = &p;
		w[started].id = i;
		if (pthread_create(&w[started].tid, NULL, worker,
				   &w[started]) != 0)
			break;
		started++;
	}
	drive(&p, window); /* with the threads that started */

	pthread_mutex_lock(&p.lock);
	p.stop = 1;
	pthread_cond_broadcast(&p.work_cv);
	pthread_mutex_unlock(&p.lock);
	for (i = 0; i < started; i++)
		pthread_join(w[i].tid, NULL);
	free(w);
	free(p.done);
	free(p.ran);
	free(p.link);
	free(p.emitted);
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.work_cv);
	pthread_cond_destroy(&p.done_cv);
}
