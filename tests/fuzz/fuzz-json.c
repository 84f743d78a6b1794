/* Fuzz target: the lenient JSON loader with positions.  Every span of the
 * tree, every event and the fault are mapped to lines and columns, and
 * every decoded string's map back to raw offsets is checked in range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "source.h"

static void fuzz_check(int cond)
{
	if (!cond)
		abort();
}

static void fuzz_span(const struct src_file *f, struct json_span s)
{
	struct src_pos a, b;
	const char *line;
	size_t len;

	fuzz_check(s.start <= s.end && s.end <= f->len);
	a = src_position(f, s.start);
	b = src_position(f, s.end);
	fuzz_check(a.line >= 1 && a.column >= 1 && a.line <= b.line);
	line = src_line(f, s.start, &len);
	fuzz_check(line >= f->buf && line + len <= f->buf + f->len);
}

static void fuzz_string(const struct src_file *f, const struct json_string *s)
{
	size_t i;

	fuzz_check(s->text[s->len] == '\0');
	for (i = 0; i <= s->len; i++)
		fuzz_check(json_raw(s, i) < f->len);
	for (i = 1; i <= s->len; i++)
		fuzz_check(json_raw(s, i - 1) <= json_raw(s, i));
}

static void fuzz_node(const struct src_file *f, const struct json_node *n)
{
	size_t i;

	fuzz_span(f, n->span);
	if (n->type == JSON_STRING)
		fuzz_string(f, &n->str);
	for (i = 0; i < n->nitems; i++)
		fuzz_node(f, n->items[i]);
	for (i = 0; i < n->nmembers; i++) {
		fuzz_span(f, n->members[i].key_span);
		fuzz_string(f, &n->members[i].key);
		fuzz_node(f, n->members[i].value);
		if (!n->members[i].shadowed)
			fuzz_check(json_lookup(n, n->members[i].key.text) ==
					   &n->members[i] ||
				   n->members[i].key.len !=
					   strlen(n->members[i].key.text));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct src_file f;
	struct json_doc doc;
	size_t i;

	if (src_from_memory(&f, "fuzz.json", (const char *)data, size) < 0)
		return 0;
	if (json_parse(&doc, f.buf, f.len, JSON_MAX_DEPTH_DEFAULT) == 0) {
		fuzz_check(doc.root != NULL);
		fuzz_node(&f, doc.root);
	} else {
		fuzz_check(doc.root == NULL && doc.err[0]);
		fuzz_span(&f, doc.err_span);
	}
	for (i = 0; i < doc.nevents; i++) {
		fuzz_span(&f, doc.events[i].span);
		if (doc.events[i].kind == JSON_EV_DUPLICATE_KEY)
			fuzz_span(&f, doc.events[i].other);
	}
	json_free(&doc);
	src_free(&f);
	return 0;
}
