/* Source files: read one input fully into memory (a file or standard
 * input, refused beyond a size cap) and map byte offsets to 1-based lines
 * and character columns by bisection over a table of line starts. */

#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SRC_FIRST_READ ((size_t)64 << 10)

/* The text of ERRNUM as a message: strerror's wording, lower case. */
static void src_errno(char *err, size_t errlen, int errnum)
{
	if (!err || !errlen)
		return;
	snprintf(err, errlen, "%s", strerror(errnum));
	if (err[0] >= 'A' && err[0] <= 'Z' && err[1] >= 'a' && err[1] <= 'z')
		err[0] = (char)(err[0] - 'A' + 'a');
}

static void src_too_large(char *err, size_t errlen, size_t max)
{
	if (err && errlen)
		snprintf(err, errlen, "file is larger than %zu bytes", max);
}

/* Grow F->buf so that it holds one more byte than *CAP (the room for the
 * terminating NUL); *CAP never exceeds MAX + 1. */
static int src_grow(struct src_file *f, size_t *cap, size_t max)
{
	size_t ncap = *cap <= max / 2 ? *cap * 2 : max + 1;
	char *nbuf;

	if (ncap < SRC_FIRST_READ)
		ncap = SRC_FIRST_READ <= max ? SRC_FIRST_READ : max + 1;
	nbuf = realloc(f->buf, ncap + 1);
	if (!nbuf)
		return -1;
	f->buf = nbuf;
	*cap = ncap;
	return 0;
}

/* Read FD to its end into F->buf, NUL-terminated.  HINT is the expected
 * size.  Returns 0, EFBIG as soon as more than MAX bytes arrive, or the
 * errno value of a failure. */
static int src_read_all(struct src_file *f, int fd, size_t hint, size_t max)
{
	size_t cap = hint + 1;
	ssize_t n;

	f->buf = malloc(cap + 1);
	if (!f->buf)
		return ENOMEM;
	for (;;) {
		if (f->len == cap && cap > max)
			return EFBIG;
		if (f->len == cap && src_grow(f, &cap, max) < 0)
			return ENOMEM;
		n = read(fd, f->buf + f->len, cap - f->len);
		if (n < 0 && errno != EINTR)
			return errno;
		if (n == 0)
			break;
		if (n > 0)
			f->len += (size_t)n;
	}
	f->buf[f->len] = '\0';
	return 0;
}

static int src_is_break(const char *buf, size_t i)
{
	return buf[i] == '\n' || (buf[i] == '\r' && buf[i + 1] != '\n');
}

/* The line index of F when its only line breaks are line feeds. */
static int index_feeds(struct src_file *f)
{
	const char *p, *end = f->buf + f->len;
	size_t n = 1, k = 0;

	for (p = f->buf + f->bom; (p = memchr(p, '\n', (size_t)(end - p)));
	     p++)
		n++;
	f->line_starts = malloc(n * sizeof(*f->line_starts));
	if (!f->line_starts)
		return -1;
	f->line_starts[k++] = f->bom;
	for (p = f->buf + f->bom; (p = memchr(p, '\n', (size_t)(end - p)));
	     p++)
		f->line_starts[k++] = (size_t)(p - f->buf) + 1;
	f->nlines = n;
	return 0;
}

/* Name the loaded buffer, note its byte-order mark and index its lines.
 * The first line starts after the mark; a final line break opens one
 * more, empty, line so that every offset up to the end has a line. */
static int src_index(struct src_file *f, const char *name)
{
	size_t n = 1, k = 0, i;

	f->name = strdup(name);
	if (!f->name)
		return -1;
	if (f->len >= 3 && !memcmp(f->buf, "\xef\xbb\xbf", 3))
		f->bom = 3;

	/* Without a carriage return, every break is a line feed, which
	 * memchr finds a word or more at a time. */
	if (!memchr(f->buf + f->bom, '\r', f->len - f->bom))
		return index_feeds(f);
	for (i = f->bom; i < f->len; i++)
		n += src_is_break(f->buf, i);
	f->line_starts = malloc(n * sizeof(*f->line_starts));
	if (!f->line_starts)
		return -1;

	f->line_starts[k++] = f->bom;
	for (i = f->bom; i < f->len; i++)
		if (src_is_break(f->buf, i))
			f->line_starts[k++] = i + 1;
	f->nlines = n;
	return 0;
}

/* Read FD unless it is a directory or a file of more than MAX bytes. */
static int src_read_fd(struct src_file *f, int fd, size_t max, char *err,
		       size_t errlen)
{
	struct stat st;
	int errnum;

	if (fstat(fd, &st) < 0)
		errnum = errno;
	else if (S_ISDIR(st.st_mode))
		errnum = EISDIR;
	else if (!S_ISREG(st.st_mode))
		errnum = src_read_all(f, fd, 0, max);
	else if ((uintmax_t)st.st_size > max)
		errnum = EFBIG;
	else
		errnum = src_read_all(f, fd, (size_t)st.st_size, max);

	if (errnum == EFBIG)
		src_too_large(err, errlen, max);
	else if (errnum)
		src_errno(err, errlen, errnum);
	return errnum ? -1 : 0;
}

int src_load(struct src_file *f, const char *path, const char *name,
	     size_t max_size, char *err, size_t errlen)
{
	int is_stdin = !strcmp(path, "-");
	int fd, rc = -1;

	memset(f, 0, sizeof(*f));
	if (!max_size || max_size > SIZE_MAX - 2)
		max_size = max_size ? SIZE_MAX - 2 : SRC_MAX_SIZE_DEFAULT;
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		src_errno(err, errlen, errno);
		return -1;
	}

	if (src_read_fd(f, fd, max_size, err, errlen) < 0)
		goto out;
	if (src_index(f, name ? name : path) < 0) {
		src_errno(err, errlen, ENOMEM);
		goto out;
	}
	rc = 0;
out:
	if (!is_stdin)
		close(fd);
	if (rc < 0)
		src_free(f);
	return rc;
}

int src_from_memory(struct src_file *f, const char *name,
		    const char *data, size_t len)
{
	memset(f, 0, sizeof(*f));
	f->buf = malloc(len + 1);
	if (!f->buf)
		return -1;
	if (len)
		memcpy(f->buf, data, len);
	f->buf[len] = '\0';
	f->len = len;

	if (src_index(f, name) < 0) {
		src_free(f);
		return -1;
	}
	return 0;
}

size_t src_find_line(const struct src_file *f, size_t offset)
{
	size_t lo = 0, hi = f->nlines;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->line_starts[mid] <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

size_t src_char_len(const unsigned char *s, size_t avail)
{
	size_t n, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 1;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (n > avail)
		return 1;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* The number of characters that end at or before TO, counted from
 * *FROM, which moves to the end of the last of them: an offset inside a
 * character thus gets that character's column. */
static size_t src_count_chars(const struct src_file *f, size_t *from,
			      size_t to)
{
	const unsigned char *s = (const unsigned char *)f->buf;
	size_t chars = 0, at = *from, n;

	while (at < to) {
		if (s[at] < 0x80) { /* most are */
			at++;
			chars++;
			continue;
		}
		n = src_char_len(s + at, f->len - at);
		if (at + n > to)
			break;
		at += n;
		chars++;
	}
	*from = at;
	return chars;
}

static size_t src_clamp(const struct src_file *f, size_t offset)
{
	if (offset > f->len)
		offset = f->len;
	return offset < f->bom ? f->bom : offset;
}

struct src_pos src_position_from(struct src_cursor *c,
				 const struct src_file *f, size_t offset)
{
	struct src_pos pos = { 1, 1 };
	size_t line, chars, from;

	if (!f->nlines)
		return pos;
	offset = src_clamp(f, offset);
	if (c && c->f == f && offset >= c->at &&
	    (c->line + 1 == f->nlines ||
	     offset < f->line_starts[c->line + 1])) {
		line = c->line;
		from = c->at;
		chars = c->chars;
	} else {
		line = src_find_line(f, offset);
		from = f->line_starts[line];
		chars = 0;
	}
	chars += src_count_chars(f, &from, offset);
	if (c) {
		c->f = f;
		c->line = line;
		c->at = from;
		c->chars = chars;
	}
	pos.line = line < UINT_MAX ? (unsigned)line + 1 : UINT_MAX;
	pos.column = chars < UINT_MAX ? (unsigned)chars + 1 : UINT_MAX;
	return pos;
}

struct src_pos src_position(const struct src_file *f, size_t offset)
{
	return src_position_from(NULL, f, offset);
}

const char *src_line(const struct src_file *f, size_t offset, size_t *len)
{
	size_t line, start, end;

	*len = 0;
	if (!f->nlines)
		return f->buf ? f->buf : "";
	offset = src_clamp(f, offset);
	line = src_find_line(f, offset);
	start = f->line_starts[line];
	end = line + 1 < f->nlines ? f->line_starts[line + 1] : f->len;

	if (end > start && f->buf[end - 1] == '\n')
		end--;
	if (end > start && f->buf[end - 1] == '\r')
		end--;
	*len = end - start;
	return f->buf + start;
}

void src_free(struct src_file *f)
{
	free(f->name);
	free(f->buf);
	free(f->line_starts);
	memset(f, 0, sizeof(*f));
}
