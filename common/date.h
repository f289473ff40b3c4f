/* date.h: RFC 5322 dates, strict first, then lenient. */
#ifndef MDESK_DATE_H
#define MDESK_DATE_H

/* Parse a Date header value into seconds since the epoch (UTC).
 * RFC 5322 date-time with its obsolete syntax (2-digit years, GMT/EST/...
 * zones, no seconds, no zone = UTC, comments), checked strictly (day of
 * month, hours, zone range); then Mailutils' mu_parse_date (asctime, ISO 8601) with the clock pinned, so a
 * missing part never comes from "now".  Results outside 1971..9999 and
 * impossible dates are refused.  Returns 0 on success, -1 for no date. */
int date_parse(const char *s, long long *t);

#endif
