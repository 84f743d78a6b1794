/* Unit tests of the findings list: messages built by the %s-only path
 * and by the general one, and texts kept by the list whatever their
 * length. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "tap.h"

static const struct src_file no_file;

static struct finding *add(struct diag_list *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A finding of D whose message FMT makes, and the same message by
 * vasprintf, to compare with. */
static char *expected;

static struct finding *add(struct diag_list *d, const char *fmt, ...)
{
	va_list ap;

	free(expected);
	va_start(ap, fmt);
	if (vasprintf(&expected, fmt, ap) < 0)
		abort();
	va_end(ap);
	return diag_add(d, CHECK_ALWAYS_TRUE, &no_file, 0, 0, NULL, NULL,
			NULL, "%s", expected);
}

static int formats_as_printf(struct diag_list *d, const char *fmt,
			     const char *a, const char *b)
{
	struct finding *f = diag_add(d, CHECK_ALWAYS_TRUE, &no_file, 0, 0,
				     NULL, NULL, NULL, fmt, a, b);
	char want[256];

	snprintf(want, sizeof(want), fmt, a, b);
	return f && strcmp(f->message, want) == 0;
}

static void test_formats(void)
{
	struct diag_list d;
	struct finding *f;

	diag_init(&d);
	ok(formats_as_printf(&d, "%s%s", "", "") &&
	   formats_as_printf(&d, "%s and %s", "read", "write") &&
	   formats_as_printf(&d, "the %s class may %s", "public", "write") &&
	   formats_as_printf(&d, "no conversion at all", "x", "y") &&
	   formats_as_printf(&d, "%s", "alone", "") &&
	   formats_as_printf(&d, "%s ends in text: %s.", "a", "b"),
	   "messages of %%s conversions read as printf writes them");
	ok(formats_as_printf(&d, "100%% of %s", "callers", "") &&
	   formats_as_printf(&d, "%s: %.3s", "cut", "abcdef") &&
	   formats_as_printf(&d, "%s%%%s", "a", "b"),
	   "other conversions and %%%% as printf writes them");
	f = diag_add(&d, CHECK_ALWAYS_TRUE, &no_file, 0, 0, NULL, NULL, NULL,
		     "%s %s %s %s %s %s %s %s %s", "1", "2", "3", "4", "5",
		     "6", "7", "8", "9");
	ok(f && strcmp(f->message, "1 2 3 4 5 6 7 8 9") == 0,
	   "nine conversions, one more than the fast path takes");
	f = diag_add(&d, CHECK_ALWAYS_TRUE, &no_file, 0, 0, NULL, NULL, NULL,
		     "value %d, %s", 42, "text");
	ok(f && strcmp(f->message, "value 42, text") == 0,
	   "a number among the arguments");
	diag_free(&d);
}

static void test_texts(void)
{
	struct diag_list d;
	struct finding *f;
	char *big = malloc(200000);
	size_t i, bad = 0, n = 5000;

	memset(big, 'x', 199999);
	big[199999] = '\0';
	diag_init(&d);
	for (i = 0; i < n; i++) {
		char ptr[32], coll[32];

		snprintf(ptr, sizeof(ptr), "/c%zu/read", i);
		snprintf(coll, sizeof(coll), "c%zu", i);
		f = diag_add(&d, CHECK_ALWAYS_TRUE, &no_file, i, i + 1, ptr,
			     coll, "read", "finding %s", coll);
		if (!f)
			bad++;
		else if (i % 500 == 7)
			f->witness = diag_text(&d, big, 199999 - i);
	}
	for (i = 0; i < n; i++) {
		char want[64];

		f = &d.v[i];
		snprintf(want, sizeof(want), "/c%zu/read", i);
		bad += strcmp(f->pointer, want) != 0;
		snprintf(want, sizeof(want), "finding c%zu", i);
		bad += strcmp(f->message, want) != 0;
		bad += strcmp(f->collection, want + 8) != 0;
		if (i % 500 == 7)
			bad += strlen(f->witness) != 199999 - i ||
			       f->witness[0] != 'x';
		else
			bad += f->witness != NULL;
	}
	ok(d.n == n && bad == 0, "%zu findings keep their texts, long "
	   "witnesses among them, until the list is freed", n);
	f = add(&d, "%s", big);
	ok(f && strcmp(f->message, expected) == 0,
	   "a message longer than a block");
	diag_free(&d);
	ok(d.n == 0 && d.v == NULL && d.texts == NULL,
	   "a freed list holds nothing");
	free(big);
	free(expected);
	expected = NULL;
}

int main(void)
{
	test_formats();
	test_texts();
	return tap_done();
}
