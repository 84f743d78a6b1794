/* The job pool.  Jobs are handed out in order from a counter; a job is
 * available to the workers once the calling thread has prepared it, and
 * the calling thread prepares no further than a window past the last job
 * emitted (or collected, while the head job waits). */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "pool.h"

#define POOL_WINDOW_PER_THREAD 8

struct pool {
	const struct pool_ops *ops;
	size_t n;
	size_t avail; /* jobs below this are prepared */
	size_t next;  /* the next job to hand out */
	unsigned char *done;
	int stop;
	pthread_mutex_t lock;
	pthread_cond_t work_cv, done_cv;
};

unsigned pool_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	size_t k;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->next >= p->avail && !p->stop)
			pthread_cond_wait(&p->work_cv, &p->lock);
		if (p->next >= p->avail)
			break;
		k = p->next++;
		pthread_mutex_unlock(&p->lock);
		p->ops->work(p->ops->arg, k);
		pthread_mutex_lock(&p->lock);
		p->done[k] = 1;
		pthread_cond_signal(&p->done_cv);
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

/* Wait until job K ran; without workers, run jobs until it has. */
static void wait_for(struct pool *p, size_t k, int threaded)
{
	size_t j;

	if (!threaded) {
		while (!p->done[k]) {
			j = p->next++;
			p->ops->work(p->ops->arg, j);
			p->done[j] = 1;
		}
		return;
	}
	pthread_mutex_lock(&p->lock);
	while (!p->done[k])
		pthread_cond_wait(&p->done_cv, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

/* The loop of the calling thread. */
static void drive(struct pool *p, size_t window, int threaded)
{
	size_t prepared = 0, collected = 0, emitted = 0;
	int blocked = 0;

	while (emitted < p->n) {
		prepare_to(p, (blocked ? collected : emitted) + window,
			   &prepared);
		if (collected < p->n) {
			wait_for(p, collected, threaded);
			p->ops->collect(p->ops->arg, collected++);
		}
		while (emitted < collected &&
		       p->ops->emit(p->ops->arg, emitted))
			emitted++;
		blocked = emitted < collected;
		if (blocked && collected == p->n)
			abort(); /* nothing left that it could wait for */
	}
}

static unsigned start_workers(struct pool *p, pthread_t *tid, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (pthread_create(&tid[i], NULL, worker, p) != 0)
			break;
	return i;
}

void pool_run(const struct pool_ops *ops, size_t n, unsigned threads)
{
	struct pool p = {0};
	pthread_t *tid = NULL;
	unsigned started = 0, i;
	size_t window = (size_t)(threads ? threads : 1) *
			POOL_WINDOW_PER_THREAD;

	p.ops = ops;
	p.n = n;
	p.done = calloc(n ? n : 1, 1);
	if (!p.done)
		abort();
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.work_cv, NULL);
	pthread_cond_init(&p.done_cv, NULL);
	if (threads > 1 && n > 1) {
		tid = calloc(threads, sizeof(*tid));
		if (!tid)
			abort();
		started = start_workers(&p, tid, threads);
	}
	drive(&p, window, started > 0);
	pthread_mutex_lock(&p.lock);
	p.stop = 1;
	pthread_cond_broadcast(&p.work_cv);
	pthread_mutex_unlock(&p.lock);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	free(tid);
	free(p.done);
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.work_cv);
	pthread_cond_destroy(&p.done_cv);
}
