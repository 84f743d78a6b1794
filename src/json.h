/* Lenient JSON with positions: a tree in which every key and value knows
 * its byte span in the raw file, and every decoded string can map its
 * bytes back through escapes to the raw file.  Comments, trailing commas
 * and duplicate keys are accepted and recorded as events. */
#ifndef RULECHECK_JSON_H
#define RULECHECK_JSON_H

#include <stddef.h>

#define JSON_MAX_DEPTH_DEFAULT 512

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
};

struct json_span {
	size_t start;		/* raw byte offset of the first byte */
	size_t end;		/* raw byte offset just past the last byte */
};

/* A decoded string.  json_raw(s, i) is the raw file offset of the source
 * text that produced decoded byte i (the backslash of an escape; every
 * byte of a \uXXXX expansion maps to its backslash); json_raw(s, len) is
 * the offset of the closing quote.  The text is NUL-terminated and may
 * contain NUL bytes. */
struct json_string {
	char *text;
	size_t len;
	size_t base;	/* the offset of the first byte after the quote */
	size_t *raw;	/* the offsets, for a string with an escape; NULL
			   when byte i came from base + i, as in most */
};

static inline size_t json_raw(const struct json_string *s, size_t i)
{
	return s->raw ? s->raw[i] : s->base + i;
}

struct json_member;

struct json_node {
	enum json_type type;
	struct json_span span;	/* the whole value, quotes and brackets included */
	double number;
	struct json_string str;	/* JSON_STRING */
	struct json_member *members;	/* JSON_OBJECT, in document order */
	size_t nmembers;
	struct json_node **items;	/* JSON_ARRAY */
	size_t nitems;
};

struct json_member {
	struct json_string key;
	struct json_span key_span;	/* the key, quotes included */
	struct json_node *value;
	int shadowed;		/* a later member has the same key */
};

enum json_event_kind {
	JSON_EV_COMMENT,	/* span: the comment */
	JSON_EV_TRAILING_COMMA,	/* span: the comma */
	JSON_EV_DUPLICATE_KEY	/* span: the later key; other: the earlier */
};

struct json_event {
	enum json_event_kind kind;
	struct json_span span;
	struct json_span other;
};

struct json_doc {
	struct json_node *root;	/* NULL when the text is not JSON */
	struct json_event *events;	/* in document order */
	size_t nevents;
	struct json_span err_span;	/* the fault, when root is NULL */
	char err[256];		/* lower case, quotes the offending token */
	void *arena;		/* owns every node and string */
};

/* Parse BUF (LEN bytes, a leading BOM is skipped).  Returns 0 on success,
 * -1 when the text is not JSON even leniently (doc->err and err_span say
 * why and where).  Nesting deeper than MAX_DEPTH is such a fault. */
int json_parse(struct json_doc *doc, const char *buf, size_t len,
	       unsigned max_depth);

/* The last (winning) member named KEY, compared case-sensitively. */
struct json_member *json_lookup(const struct json_node *obj,
				const char *key);

void json_free(struct json_doc *doc);

#endif
