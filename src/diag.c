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

/* Texts are taken from blocks that grow with the list. */
struct diag_block {
	struct diag_block *next;
	size_t used, size;
	char text[];
};

#define DIAG_BLOCK_MIN 2048
#define DIAG_BLOCK_MAX 65536

/* LEN bytes for a text of D, until D is freed. */
static char *room(struct diag_list *d, size_t len)
{
	struct diag_block *b = d->texts, *own;
	size_t size;

	if (b && b->size - b->used >= len) {
		b->used += len;
		return b->text + b->used - len;
	}
	if (b && len > b->size / 2) {
		/* a long text gets a block of its own; the open one stays */
		own = malloc(sizeof(*own) + len);
		if (!own)
			abort();
		own->used = own->size = len;
		own->next = b->next;
		b->next = own;
		return own->text;
	}
	size = !b ? DIAG_BLOCK_MIN :
	       b->size < DIAG_BLOCK_MAX ? 2 * b->size : b->size;
	if (size < len)
		size = len;
	b = malloc(sizeof(*b) + size);
	if (!b)
		abort();
	b->used = len;
	b->size = size;
	b->next = d->texts;
	d->texts = b;
	return b->text;
}

char *diag_text(struct diag_list *d, const char *s, size_t len)
{
	char *out = room(d, len + 1);

	memcpy(out, s, len);
	out[len] = '\0';
	return out;
}

static const char *dup_or_null(struct diag_list *d, const char *s)
{
	return s ? diag_text(d, s, strlen(s)) : NULL;
}

/* FMT filled in from AP when its only conversions are %s: the messages
 * of findings, of which a scan makes a hundred thousand, are built in
 * one pass and one allocation.  NULL for any other format. */
static char *format_strings(struct diag_list *d, const char *fmt,
			    va_list ap)
{
	const char *arg[8], *lit[9], *p, *pct;
	size_t len[8], litlen[9], n = 0, i, total = 0;
	char *out, *o;

	/* FMT is literal text between the conversions: LIT[i] before
	 * ARG[i], LIT[n] after the last */
	for (p = fmt;; p = pct + 2) {
		pct = strchr(p, '%');
		lit[n] = p;
		litlen[n] = pct ? (size_t)(pct - p) : strlen(p);
		total += litlen[n];
		if (!pct)
			break;
		if (pct[1] != 's' || n == 8)
			return NULL;
		arg[n] = va_arg(ap, const char *);
		if (!arg[n])
			return NULL;
		len[n] = strlen(arg[n]);
		total += len[n++];
	}
	out = o = room(d, total + 1);
	for (i = 0; i <= n; i++) {
		memcpy(o, lit[i], litlen[i]);
		o += litlen[i];
		if (i < n) {
			memcpy(o, arg[i], len[i]);
			o += len[i];
		}
	}
	*o = '\0';
	return out;
}

static const char *vformat(struct diag_list *d, const char *fmt,
			   va_list ap)
{
	va_list copy;
	char *s, *kept;
	int len;

	va_copy(copy, ap);
	s = format_strings(d, fmt, copy);
	va_end(copy);
	if (s)
		return s;
	if ((len = vasprintf(&s, fmt, ap)) < 0)
		abort();
	kept = diag_text(d, s, (size_t)len);
	free(s);
	return kept;
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
	f->pointer = dup_or_null(d, pointer);
	f->collection = dup_or_null(d, collection);
	f->operation = operation;
	f->witness = NULL;
	f->principal = NULL;
	f->seq = d->n;
	va_start(ap, fmt);
	f->message = vformat(d, fmt, ap);
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
	size_t i;

	/* the checks mostly report in order already */
	for (i = 1; i < d->n && by_position(&d->v[i - 1], &d->v[i]) < 0; i++)
		;
	if (i < d->n)
		qsort(d->v, d->n, sizeof(*d->v), by_position);
}

void diag_free(struct diag_list *d)
{
	struct diag_block *b, *next;

	for (b = d->texts; b; b = next) {
		next = b->next;
		free(b);
	}
	d->texts = NULL;
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}
