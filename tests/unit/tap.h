/* TAP for the unit tests: one numbered point per check, with its
 * description, and the plan at the end.  Each test program includes this
 * once and returns tap_done() from main. */
#ifndef RULECHECK_TAP_H
#define RULECHECK_TAP_H

#include <stdarg.h>
#include <stdio.h>

static unsigned tap_run;
static unsigned tap_failed;

/* One point: passed when COND holds.  Returns COND. */
__attribute__((format(printf, 2, 3), unused))
static int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_run++;
	if (!cond)
		tap_failed++;
	printf("%sok %u - ", cond ? "" : "not ", tap_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return cond;
}

/* Print the plan; the exit status of the program. */
__attribute__((unused))
static int tap_done(void)
{
	printf("1..%u\n", tap_run);
	if (tap_failed)
		fprintf(stderr, "%u of %u tests failed\n", tap_failed,
			tap_run);
	return tap_failed ? 1 : 0;
}

#endif
