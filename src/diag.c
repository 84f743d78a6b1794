/* Findings: collection, filtering by the enabled checks, and a stable
 * order for reporting. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

void diag_init(struct diag_list *d)
{
	int i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < CHECK_COUNT; i++) {
		d->enabled[i] = 1;
		d->severity[i] = (unsigned char)check_table[i].severity;
	}
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* FMT filled in from AP when its only conversions are %s: the messages
 * of findings, of which a scan makes a hundred thousand, are built in
 * one pass and one allocation.  NULL for any other format. */
static char *format_strings(const char *fmt, va_list ap)
{
	const char *arg[8], *p;
	size_t len[8], n = 0, total = 0;
	char *out, *o;

	for (p = fmt; *p; p++) {
		if (*p != '%') {
			total++;
			continue;
		}
		if (p[1] != 's' || n == 8)
			return NULL;
		arg[n] = va_arg(ap, const char *);
		if (!arg[n])
			return NULL;
		len[n] = strlen(arg[n]);
		total += len[n++];
		p++;
	}
	out = malloc(total + 1);
	if (!out)
		abort();
	n = 0;
	for (p = fmt, o = out; *p; p++) {
		if (*p != '%') {
			*o++ = *p;
			continue;
		}
		memcpy(o, arg[n], len[n]);
		o += len[n++];
		p++;
	}
	*o = '\0';
	return out;
}

static char *vformat(const char *fmt, va_list ap)
{
	va_list copy;
	char *s;

	va_copy(copy, ap);
	s = format_strings(fmt, copy);
	va_end(copy);
	if (!s && vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

struct finding *diag_add(struct diag_list *d, enum check_id check,
	      const struct src_file *file, size_t start, size_t end,
	      const char *pointer, const char *collection,
	      const char *operation, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (!d->enabled[check])
		return NULL;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->v = realloc(d->v, d->cap * sizeof(*d->v));
		if (!d->v)
			abort();
	}

	f = &d->v[d->n];
	f->check = check;
	f->severity = (enum severity)d->severity[check];
	f->file = file;
	f->start = start;
	f->end = end < start ? start : end;
	f->pointer = dup_or_null(pointer);
	f->collection = dup_or_null(collection);
	f->operation = operation;
	f->witness = NULL;
	f->principal = NULL;
	f->seq = d->n;
	va_start(ap, fmt);
	f->message = vformat(fmt, ap);
	va_end(ap);
	d->n++;
	return f;
}

static int by_position(const void *pa, const void *pb)
{
	const struct finding *a = pa, *b = pb;

	if (a->file != b->file)
		return a->seq < b->seq ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->check != b->check)
		return a->check < b->check ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diag_sort(struct diag_list *d)
{
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), by_position);
}

void diag_free(struct diag_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].pointer);
		free(d->v[i].collection);
		free(d->v[i].message);
		free(d->v[i].witness);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}
