#!/bin/sh
# Stands in for the differential test of the symbolic engine when
# configure found no libz3: the test is skipped, not failed.
echo "1..0 # SKIP libz3 not found"
exit 0
