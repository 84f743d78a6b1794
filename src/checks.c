/* The table of checks and lookups into it.  Ids are stable: they appear
 * in every output format, in configuration and in suppressions. */
#include <string.h>

#include "checks.h"

const struct check_info check_table[CHECK_COUNT] = {
	[CHECK_JSON_SYNTAX] = {"json-syntax", SEV_ERROR, CAT_STRUCTURE,
		"the file is not JSON, even leniently"},
	[CHECK_JSON_COMMENT] = {"json-comment", SEV_NOTE, CAT_STRUCTURE,
		"a comment, which strict JSON tools reject"},
	[CHECK_TRAILING_COMMA] = {"trailing-comma", SEV_NOTE, CAT_STRUCTURE,
		"a trailing comma, which strict JSON tools reject"},
	[CHECK_DUPLICATE_KEY] = {"duplicate-key", SEV_WARNING, CAT_STRUCTURE,
		"a key given twice; the earlier value is dead"},
	[CHECK_UNKNOWN_KEY] = {"unknown-key", SEV_ERROR, CAT_STRUCTURE,
		"a key that is not an operation of this kind of rule"},
	[CHECK_FIREBASE_SYNTAX] = {"firebase-syntax", SEV_ERROR,
		CAT_STRUCTURE,
		"Firebase Realtime Database syntax in a CloudBase rule"},
	[CHECK_INVALID_VALUE] = {"invalid-value", SEV_ERROR, CAT_STRUCTURE,
		"a rule value that is neither a boolean nor a string"},
	[CHECK_MISSING_WILDCARD] = {"missing-wildcard", SEV_ERROR,
		CAT_STRUCTURE, "function rules without the \"*\" entry"},
	[CHECK_UNSUPPORTED_FUNCTION_RULE] = {"unsupported-function-rule",
		SEV_ERROR, CAT_STRUCTURE,
		"a function-rule value outside the accepted set"},
	[CHECK_NO_RULE_OBJECT] = {"no-rule-object", SEV_NOTE, CAT_STRUCTURE,
		"a file named explicitly that holds no rule object"},
	[CHECK_EXPR_SYNTAX] = {"expr-syntax", SEV_ERROR, CAT_EXPRESSION,
		"the expression does not parse"},
	[CHECK_EXPR_TOO_LONG] = {"expr-too-long", SEV_ERROR, CAT_EXPRESSION,
		"an expression over 1024 characters"},
	[CHECK_UNKNOWN_VARIABLE] = {"unknown-variable", SEV_ERROR,
		CAT_EXPRESSION, "a variable that this kind of rule does not have"},
	[CHECK_UNKNOWN_FIELD] = {"unknown-field", SEV_ERROR, CAT_EXPRESSION,
		"a field that the variable does not have"},
	[CHECK_UNKNOWN_LOGIN_TYPE] = {"unknown-login-type", SEV_WARNING,
		CAT_EXPRESSION, "a login type outside the documented five"},
	[CHECK_UNSUPPORTED_CONSTRUCT] = {"unsupported-construct", SEV_ERROR,
		CAT_EXPRESSION,
		"arithmetic, ternary, arrow functions or other calls"},
	[CHECK_REQUEST_DATA_MISUSE] = {"request-data-misuse", SEV_WARNING,
		CAT_EXPRESSION,
		"request.data in read or delete, where it is undefined"},
	[CHECK_GET_LIMITS] = {"get-limits", SEV_ERROR, CAT_EXPRESSION,
		"a get() call beyond the platform's limits"},
	[CHECK_TEMPLATE_IN_QUOTES] = {"template-in-quotes", SEV_WARNING,
		CAT_EXPRESSION, "${ inside a quoted string is not interpolated"},
	[CHECK_STRICT_EQUALITY] = {"strict-equality", SEV_NOTE,
		CAT_EXPRESSION, "=== or !==, which the platform treats as == or !="},
	[CHECK_TYPE_MISMATCH] = {"type-mismatch", SEV_WARNING, CAT_EXPRESSION,
		"a comparison that types make impossible"},
	[CHECK_REGEX_TEST_NOT_COMPARED] = {"regex-test-not-compared",
		SEV_WARNING, CAT_EXPRESSION,
		"a storage .test() used without == true"},
};

int check_by_name(const char *id)
{
	int i;

	for (i = 0; i < CHECK_COUNT; i++)
		if (strcmp(check_table[i].id, id) == 0)
			return i;
	return -1;
}

const char *check_severity_name(enum severity sev)
{
	static const char *const names[] = {"note", "warning", "error"};

	return names[sev];
}

const char *check_category_name(enum check_category cat)
{
	static const char *const names[] = {
		"structure", "expression", "access", "logic"
	};

	return names[cat];
}
