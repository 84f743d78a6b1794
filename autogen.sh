#!/bin/sh
# Generate configure and Makefile.in from a git checkout.  A release
# tarball has them already.
set -e
cd "$(dirname "$0")"
mkdir -p m4
autoreconf -fi "$@"
