/* The language server: rulecheck lsp speaks the Language Server Protocol
 * over a pair of streams, keeps the documents an editor opens, and
 * publishes the findings of every version of them as diagnostics. */
#ifndef RULECHECK_LSP_H
#define RULECHECK_LSP_H

#include <stdio.h>

#include "access.h"
#include "rules.h"

/* Bodies longer than this are refused (and skipped) unread. */
#define LSP_MAX_BODY ((size_t)16 << 20)

/* Serve one client reading IN and writing OUT until the exit
 * notification or the end of IN.  Returns the exit status: 0 when a
 * shutdown request came first, 1 otherwise. */
int lsp_main(FILE *in, FILE *out, const struct rule_options *ro,
	     const struct access_options *ao);

#endif
