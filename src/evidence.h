/* The MLPS evidence report (rulecheck report): the permission matrix,
 * the findings by control category, a checklist for GB/T 22239-2019
 * level 2 or 3, and the SHA-256 of every file analysed, as Markdown or
 * as one self-contained HTML page. */
#ifndef RULECHECK_EVIDENCE_H
#define RULECHECK_EVIDENCE_H

/* Run `rulecheck report'; ARGV[0] is "report".  Returns the exit status:
 * 0 every checklist item passes or does not apply, 1 an item fails, 2 a
 * usage, input or output error (no report is written then). */
int evidence_main(int argc, char **argv);

#endif
