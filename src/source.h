/* Source files: the raw bytes of one input and the map from byte offsets
 * to 1-based lines and columns (a column counts UTF-8 characters; CRLF,
 * CR and LF each end a line; a leading byte-order mark takes no column). */
#ifndef RULECHECK_SOURCE_H
#define RULECHECK_SOURCE_H

#include <stddef.h>
#include <stdio.h>

/* Inputs larger than this are refused with a clear message. */
#define SRC_MAX_SIZE_DEFAULT ((size_t)8 << 20)

struct src_file {
	char *name;		/* display name, as given by the user */
	char *buf;		/* raw bytes plus a terminating NUL */
	size_t len;		/* number of raw bytes */
	size_t bom;		/* 3 when the file starts with a UTF-8 BOM */
	size_t *line_starts;	/* byte offset of the start of each line */
	size_t nlines;
};

struct src_pos {
	unsigned line;		/* 1-based */
	unsigned column;	/* 1-based, in characters */
};

/* Read PATH ("-" for standard input) under the display NAME.  On failure
 * returns -1 and writes a lower-case message (no file name) to ERR. */
int src_load(struct src_file *f, const char *path, const char *name,
	     size_t max_size, char *err, size_t errlen);

/* Take a copy of LEN bytes of memory as a source named NAME. */
int src_from_memory(struct src_file *f, const char *name,
		    const char *data, size_t len);

struct src_pos src_position(const struct src_file *f, size_t offset);

/* Where the last position asked through it was found: positions asked
 * in order of offset, as findings are printed, are counted on from
 * there instead of from the start of their line.  F NULL: none yet. */
struct src_cursor {
	const struct src_file *f;
	size_t line;
	size_t at;	/* a character boundary of that line */
	size_t chars;	/* the characters from the line's start to AT */
};

/* src_position, with the help of the cursor C (NULL: none), which it
 * moves to OFFSET. */
struct src_pos src_position_from(struct src_cursor *c,
				 const struct src_file *f, size_t offset);

/* The index of the line of F holding OFFSET (0 without lines). */
size_t src_find_line(const struct src_file *f, size_t offset);

/* The length of the character at S: a well-formed UTF-8 sequence, or
 * else one byte (so that an invalid byte takes one column). */
size_t src_char_len(const unsigned char *s, size_t avail);

/* The raw bytes of the line holding OFFSET, without its line break. */
const char *src_line(const struct src_file *f, size_t offset, size_t *len);

void src_free(struct src_file *f);

#endif
