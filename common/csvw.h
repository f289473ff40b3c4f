/* csvw.h: RFC 4180 CSV output through libcsv. */
#ifndef MDESK_CSVW_H
#define MDESK_CSVW_H
#include <stddef.h>
#include <stdio.h>

/* Write one row: fields quoted as needed (libcsv), "," between, CRLF at
 * the end.  NULL fields are empty.  Returns 0, or -1 on a write error. */
int csvw_row(FILE *f, const char *const *fields, size_t n);
/* The same with LF line ends (files kept in git). */
int csvw_row_lf(FILE *f, const char *const *fields, size_t n);

/* Parse a CSV buffer (RFC 4180, strict quoting); cb gets each row's
 * fields (NUL-terminated) and its 1-based line number.  Returns 0, or the
 * line number of the first malformed row. */
long csvw_parse(const char *buf, size_t len,
    void (*cb)(void *ctx, char **fields, size_t n, long line), void *ctx);

#endif
