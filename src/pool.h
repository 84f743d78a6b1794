/* Running N jobs on worker threads while the calling thread prepares,
 * collects and emits them strictly in job order, so that the output of a
 * parallel run is the output of a serial one.  At most a window of jobs
 * is in flight, unless the job at the head waits for later ones. */
#ifndef RULECHECK_POOL_H
#define RULECHECK_POOL_H

#include <stddef.h>

struct pool_ops {
	void *arg;
	/* Calling thread, in job order, before the job may run. */
	void (*prepare)(void *arg, size_t k);
	/* A worker thread (the calling thread when there are none); jobs
	 * run in any order and must not share mutable state. */
	void (*work)(void *arg, size_t k);
	/* Calling thread, in job order, once the job ran. */
	void (*collect)(void *arg, size_t k);
	/* Calling thread, in job order, after collect: returns 0 when the
	 * job must wait for later jobs to be collected first. */
	int (*emit)(void *arg, size_t k);
	/* The thread that ran the job, some time after emit; may be NULL.
	 * What work allocated is best freed here. */
	void (*release)(void *arg, size_t k);
};

/* The number of online processors, at least 1. */
unsigned pool_default_threads(void);

/* Run jobs 0..N-1 on THREADS threads, the calling one among them (1 or
 * less: in the calling thread alone, with the same sequence of prepare,
 * collect and emit calls). */
void pool_run(const struct pool_ops *ops, size_t n, unsigned threads);

#endif
