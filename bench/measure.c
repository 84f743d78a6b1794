/* Run a command several times and print its median wall time, the CPU
 * time of that run and the largest peak resident set of all runs, from
 * the rusage of each child (wait4).  Standard output of the command goes
 * to /dev/null.
 *
 * usage: bench/measure [-r RUNS] -- COMMAND [ARG...]
 * prints: wall_s cpu_s maxrss_kib status */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct run {
	double wall, cpu;
	long maxrss;
	int status;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv(const struct timeval *t)
{
	return (double)t->tv_sec + (double)t->tv_usec / 1e6;
}

static int run_once(char **argv, struct run *r)
{
	struct rusage ru;
	double start = now();
	int status, fd;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, STDOUT_FILENO);
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return -1;
	r->wall = now() - start;
	r->cpu = tv(&ru.ru_utime) + tv(&ru.ru_stime);
	r->maxrss = ru.ru_maxrss;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	return 0;
}

static int by_wall(const void *a, const void *b)
{
	const struct run *x = a, *y = b;

	return x->wall < y->wall ? -1 : x->wall > y->wall;
}

int main(int argc, char **argv)
{
	struct run *runs;
	long peak = 0;
	int n = 3, i, ch;

	while ((ch = getopt(argc, argv, "+r:")) != -1) {
		if (ch != 'r')
			return 2;
		n = atoi(optarg);
	}
	if (n < 1 || optind >= argc) {
		fprintf(stderr,
			"usage: measure [-r RUNS] -- COMMAND [ARG...]\n");
		return 2;
	}
	runs = calloc((size_t)n, sizeof(*runs));
	if (!runs)
		return 2;
	for (i = 0; i < n; i++) {
		if (run_once(argv + optind, &runs[i]) < 0) {
			perror("measure");
			return 2;
		}
		if (runs[i].maxrss > peak)
			peak = runs[i].maxrss;
	}
	qsort(runs, (size_t)n, sizeof(*runs), by_wall);
	printf("%.4f %.4f %ld %d\n", runs[n / 2].wall, runs[n / 2].cpu, peak,
	       runs[n / 2].status);
	free(runs);
	return 0;
}
