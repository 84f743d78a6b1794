## The differential test of the symbolic engine against the concrete
## evaluator (tests/diff/brute.c).  Include it after tests/local.mk: the
## test runs through TESTS = $(check_PROGRAMS) there.  Options for a
## manual run: tests/diff/brute -n COUNT -s SEED -v, or -e 'EXPR'.

check_PROGRAMS += tests/diff/brute
tests_diff_brute_SOURCES = tests/diff/brute.c
tests_diff_brute_LDADD = librulecheck.a $(CJSON_LIBS)
