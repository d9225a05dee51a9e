# lib.sh — the valgrind command line shared by wrap.sh and popview.sh
# (sourced).  Memcheck counts invalid reads and writes, uses of
# uninitialised values, and definite and indirect leaks as errors; any
# error makes the program exit 99.  The report goes to
# $POPVIEW_VALGRIND_LOG_DIR/NAME.PID.log when that is set (run-all.sh
# reads those files), else to stderr.  popview.supp holds the
# suppressions, for libraries only.
# shellcheck shell=bash

VALGRIND_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# valgrind_cmd NAME: sets the array vg to the command line for a program
# called NAME (the log file's name).
valgrind_cmd() {
    # shellcheck disable=SC2054 # the commas are valgrind's list syntax
    vg=(valgrind --tool=memcheck -q --leak-check=full --show-leak-kinds=definite,indirect
        --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=30
        --suppressions="$VALGRIND_HERE/popview.supp")
    if [[ -n ${POPVIEW_VALGRIND_LOG_DIR:-} ]]; then
        mkdir -p "$POPVIEW_VALGRIND_LOG_DIR"
        vg+=(--log-file="$POPVIEW_VALGRIND_LOG_DIR/$1.%p.log")
    fi
}
