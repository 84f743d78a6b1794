## The differential test of the symbolic engine against Z3, included by
## Makefile.am after tests/local.mk.  libz3 is a test-only dependency:
## without it the test is skipped.  `make check' runs Z3_DIFF_COUNT
## random expressions, after the fixed cases of past disagreements, in
## about a minute (a quarter of them in a build with the sanitizers, 50
## under a RULECHECK_WRAPPER such as valgrind); the full run is
##   make check TESTS=tests/diff/z3-diff Z3_DIFF_COUNT=100000
## or, on two cores, tests/diff/z3-diff -j 2 (see tests/diff/z3-diff -h;
## -b lowers the engine's budget, which a question that ends "unknown"
## spends whole, for a quicker run).

Z3_DIFF_COUNT = 1000

if HAVE_Z3
check_PROGRAMS += tests/diff/z3-diff
tests_diff_z3_diff_SOURCES = \
	tests/diff/z3-diff.c \
	tests/diff/gen.c tests/diff/gen.h \
	tests/diff/z3enc.c tests/diff/z3enc.h \
	tests/diff/z3univ.c tests/diff/z3univ.h
tests_diff_z3_diff_LDADD = librulecheck.a $(CJSON_LIBS) $(Z3_LIBS)
else
TESTS += tests/diff/z3-skip.sh
endif

AM_TESTS_ENVIRONMENT += \
	Z3_DIFF_COUNT='$(Z3_DIFF_COUNT)'; export Z3_DIFF_COUNT;

EXTRA_DIST += tests/diff/z3-skip.sh
