/* Reporters.  Every position is turned into 1-based lines and columns
 * through the source map here and nowhere else; control characters from
 * user files are escaped so that one finding is one line. */
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define COLOR_BOLD "\033[1m"
#define COLOR_RESET "\033[0m"

static const char *const severity_color[] = {
	"\033[1;36m", "\033[1;35m", "\033[1;31m"
};

void report_init(struct report *r, enum report_format format, int color,
		 FILE *out)
{
	memset(r, 0, sizeof(*r));
	r->format = format;
	r->color = color && format == REPORT_TTY;
	r->out = out;
	if (format == REPORT_JSON) {
		r->root = cJSON_CreateObject();
		r->findings = cJSON_AddArrayToObject(r->root, "findings");
	}
}

void report_doc_path(char *buf, size_t len, enum check_id check)
{
	snprintf(buf, len, "doc/checks/%s.md", check_table[check].id);
}

/* Write S with control characters escaped. */
static void put_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			putc(c, out);
	}
}

static void print_gcc(struct report *r, const struct finding *f)
{
	struct src_pos p = src_position(f->file, f->start);
	const char *sev = check_severity_name(f->severity);

	if (r->color)
		fprintf(r->out, COLOR_BOLD);
	put_text(r->out, f->file->name);
	fprintf(r->out, ":%u:%u:", p.line, p.column);
	if (r->color)
		fprintf(r->out, " %s%s:" COLOR_RESET COLOR_BOLD,
			severity_color[f->severity], sev);
	else
		fprintf(r->out, " %s:", sev);
	putc(' ', r->out);
	put_text(r->out, f->message);
	fprintf(r->out, " [%s]", check_table[f->check].id);
	if (r->color)
		fprintf(r->out, COLOR_RESET);
	putc('\n', r->out);
	if (f->witness) {
		fprintf(r->out, "    witness (%s): ", f->principal);
		put_text(r->out, f->witness);
		putc('\n', r->out);
	}
}

static int is_lead(unsigned char c)
{
	return (c & 0xC0) != 0x80;
}

/* The source line of F and a caret line under its span. */
static void print_excerpt(struct report *r, const struct finding *f)
{
	size_t len, i, start, end;
	const char *line = src_line(f->file, f->start, &len);
	const char *base = f->file->buf;
	struct src_pos p = src_position(f->file, f->start);

	start = f->start - (size_t)(line - base);
	end = f->end - (size_t)(line - base);
	if (end > len)
		end = len;
	fprintf(r->out, "%5u | ", p.line);
	for (i = 0; i < len; i++)
		putc((unsigned char)line[i] < 0x20 && line[i] != '\t' ?
		     ' ' : line[i], r->out);
	fprintf(r->out, "\n      | ");
	for (i = 0; i < start && i < len; i++)
		if (is_lead((unsigned char)line[i]))
			putc(line[i] == '\t' ? '\t' : ' ', r->out);
	if (r->color)
		fprintf(r->out, "%s", severity_color[f->severity]);
	putc('^', r->out);
	for (i = start + 1; i < end; i++)
		if (is_lead((unsigned char)line[i]))
			putc('~', r->out);
	if (r->color)
		fprintf(r->out, COLOR_RESET);
	putc('\n', r->out);
}

static void add_json(struct report *r, const struct finding *f)
{
	struct src_pos p = src_position(f->file, f->start);
	struct src_pos e = src_position(f->file, f->end);
	cJSON *o = cJSON_CreateObject();
	char doc[128];

	report_doc_path(doc, sizeof(doc), f->check);
	cJSON_AddStringToObject(o, "check", check_table[f->check].id);
	cJSON_AddStringToObject(o, "severity",
				check_severity_name(f->severity));
	cJSON_AddStringToObject(o, "file", f->file->name);
	cJSON_AddNumberToObject(o, "line", p.line);
	cJSON_AddNumberToObject(o, "column", p.column);
	cJSON_AddNumberToObject(o, "end_line", e.line);
	cJSON_AddNumberToObject(o, "end_column", e.column);
	if (f->pointer)
		cJSON_AddStringToObject(o, "pointer", f->pointer);
	else
		cJSON_AddNullToObject(o, "pointer");
	if (f->collection)
		cJSON_AddStringToObject(o, "collection", f->collection);
	else
		cJSON_AddNullToObject(o, "collection");
	if (f->operation)
		cJSON_AddStringToObject(o, "operation", f->operation);
	else
		cJSON_AddNullToObject(o, "operation");
	cJSON_AddStringToObject(o, "message", f->message);
	if (f->principal)
		cJSON_AddStringToObject(o, "class", f->principal);
	if (f->witness)
		cJSON_AddItemToObject(o, "witness", cJSON_Parse(f->witness));
	cJSON_AddStringToObject(o, "doc", doc);
	cJSON_AddItemToArray(r->findings, o);
}

void report_findings(struct report *r, const struct diag_list *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct finding *f = &d->v[i];

		r->count[f->severity]++;
		if (r->format == REPORT_JSON) {
			add_json(r, f);
			continue;
		}
		print_gcc(r, f);
		if (r->format == REPORT_TTY)
			print_excerpt(r, f);
	}
}

int report_finish(struct report *r)
{
	char *text;
	int rc = 0;

	if (r->format == REPORT_JSON) {
		text = cJSON_Print(r->root);
		if (!text)
			rc = -1;
		else
			fprintf(r->out, "%s\n", text);
		free(text);
		cJSON_Delete(r->root);
		r->root = NULL;
	}
	if (fflush(r->out) != 0 || ferror(r->out))
		rc = -1;
	return rc;
}
