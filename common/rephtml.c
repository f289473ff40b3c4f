/* rephtml.c: mreport's self-contained HTML page with SVG charts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rephtml.h"

const long long rephtml_bucket_max[REPHTML_NBUCKETS - 1] = { 900, 1800, 3600, 7200, 14400,
	28800, 86400, 172800 };
const char *const rephtml_bucket_name[REPHTML_NBUCKETS] = { "< 15m", "15-30m", "30m-1h",
	"1-2h", "2-4h", "4-8h", "8-24h", "1-2d", "> 2d" };

void rephtml_buckets(const struct rep_dist *d, long long out[REPHTML_NBUCKETS])
{
	memset(out, 0, REPHTML_NBUCKETS * sizeof *out);
	for (size_t i = 0; i < d->n; i++) {
		int k = 0;
		while (k < REPHTML_NBUCKETS - 1 && d->v[i] >= rephtml_bucket_max[k])
			k++;
		out[k]++;
	}
}

/* Text for HTML: & < > " ' escaped, invalid UTF-8 and controls cleaned. */
static void esc(FILE *f, const char *s)
{
	if (!s) {
		fputs("-", f);
		return;
	}
	char *c = utf8_clean(s, strlen(s), 1);
	for (const char *p = c; *p; p++)
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*p, f);
		}
	free(c);
}

static const char *dur(long long s, char *b)
{
	if (s < 0)
		return "-";
	return sla_fmt_duration(s, b);
}

static const char *pct(long long met, long long breached, char *b)
{
	if (met + breached == 0)
		return "-";
	snprintf(b, 16, "%.1f%%", 100.0 * (double)met / (double)(met + breached));
	return b;
}

#define W 720
#define H 260
#define L 48	/* left margin */
#define BOT 40	/* bottom margin */
#define TOP 16

/* The top of an axis of four ticks: v rounded up to a multiple of 4. */
static long long nice_max(long long v)
{
	return v < 4 ? 4 : (v + 3) / 4 * 4;
}

static void axis(FILE *f, long long max)
{
	for (int k = 0; k <= 4; k++) {
		double y = TOP + (H - TOP - BOT) * (1 - k / 4.0);
		fprintf(f, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
		    "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%lld</text>\n",
		    L, y, W - 8, y, L - 4, y + 4, max * k / 4);
	}
}

static void volume(FILE *f, struct report *r)
{
	size_t n = r->nrows;
	long long max = 1;
	for (size_t i = 0; i < n; i++) {
		const struct rep_row *w = r->rows[i];
		long long m = w->created > w->solved ? w->created : w->solved;
		if (w->backlog > m)
			m = w->backlog;
		if (m > max)
			max = m;
	}
	max = nice_max(max);
	fprintf(f, "<svg class=\"chart\" id=\"volume\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
	    " role=\"img\" aria-label=\"Volume and backlog\">\n", W, H, W, H);
	axis(f, max);
	double slot = n ? (double)(W - 8 - L) / (double)n : 1, bw = slot * 0.35;
	double ph = H - TOP - BOT;
	struct buf line = { 0 };
	for (size_t i = 0; i < n; i++) {
		const struct rep_row *w = r->rows[i];
		const char *lab = w->period >= 0 ? r->per.label[w->period] : "all";
		double x = L + slot * (double)i + slot * 0.15;
		double hc = ph * (double)w->created / (double)max;
		double hs = ph * (double)w->solved / (double)max;
		fprintf(f, "<rect class=\"created\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
		    "<title>", x, TOP + ph - hc, bw, hc);
		esc(f, lab);
		fprintf(f, ": %lld created</title></rect>\n", w->created);
		fprintf(f, "<rect class=\"solved\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
		    "<title>", x + bw, TOP + ph - hs, bw, hs);
		esc(f, lab);
		fprintf(f, ": %lld solved</title></rect>\n", w->solved);
		double cx = L + slot * ((double)i + 0.5), cy = TOP + ph - ph * (double)w->backlog / (double)max;
		char pt[64];
		snprintf(pt, sizeof pt, "%s%.1f,%.1f", i ? " " : "", cx, cy);
		buf_adds(&line, pt);
		fprintf(f, "<circle class=\"backlog\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>", cx, cy);
		esc(f, lab);
		fprintf(f, ": backlog %lld</title></circle>\n", w->backlog);
		if (n <= 16 || i % ((n + 15) / 16) == 0) {
			fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", cx,
			    H - BOT + 14);
			esc(f, lab);
			fputs("</text>\n", f);
		}
	}
	if (n)
		fprintf(f, "<polyline class=\"backlog\" points=\"%s\"/>\n", buf_cstr(&line));
	buf_free(&line);
	fprintf(f, "<rect class=\"created\" x=\"%d\" y=\"%d\" width=\"10\" height=\"10\"/>"
	    "<text x=\"%d\" y=\"%d\">created</text>"
	    "<rect class=\"solved\" x=\"%d\" y=\"%d\" width=\"10\" height=\"10\"/>"
	    "<text x=\"%d\" y=\"%d\">solved</text>"
	    "<line class=\"backlog\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
	    "<text x=\"%d\" y=\"%d\">backlog</text>\n",
	    L, H - 14, L + 14, H - 5, L + 80, H - 14, L + 94, H - 5, L + 160, H - 9, L + 172, H - 9,
	    L + 176, H - 5);
	fputs("</svg>\n", f);
}

static void first_reply(FILE *f, struct report *r)
{
	long long b[REPHTML_NBUCKETS], max = 1;
	rephtml_buckets(&r->all_first_reply, b);
	for (int i = 0; i < REPHTML_NBUCKETS; i++)
		if (b[i] > max)
			max = b[i];
	max = nice_max(max);
	fprintf(f, "<svg class=\"chart\" id=\"first-reply\" viewBox=\"0 0 %d %d\" width=\"%d\""
	    " height=\"%d\" role=\"img\" aria-label=\"First reply times\">\n", W, H, W, H);
	axis(f, max);
	double slot = (double)(W - 8 - L) / REPHTML_NBUCKETS, ph = H - TOP - BOT;
	for (int i = 0; i < REPHTML_NBUCKETS; i++) {
		double x = L + slot * i + slot * 0.1, h = ph * (double)b[i] / (double)max;
		fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
		    "<title>%s: %lld tickets</title></rect>\n"
		    "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
		    x, TOP + ph - h, slot * 0.8, h, rephtml_bucket_name[i], b[i],
		    x + slot * 0.4, H - BOT + 14, rephtml_bucket_name[i]);
	}
	fputs("</svg>\n", f);
}

static void sla_chart(FILE *f, struct report *r)
{
	static const int metrics[] = { SLA_FIRST_REPLY, SLA_NEXT_REPLY, SLA_RESOLUTION };
	size_t n = r->nrows;
	int rowh = 18, gap = 10, top = 24;
	int h = top + (int)n * (3 * rowh + gap) + 30;
	fprintf(f, "<svg class=\"chart\" id=\"sla\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
	    " role=\"img\" aria-label=\"SLA achievement by group\">\n", W, h, W, h);
	int x0 = 260, bw = W - 8 - x0 - 60;
	for (int k = 0; k <= 4; k++)
		fprintf(f, "<line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
		    "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d%%</text>\n",
		    x0 + bw * k / 4, top - 6, x0 + bw * k / 4, h - 24, x0 + bw * k / 4, top - 10,
		    25 * k);
	for (size_t i = 0; i < n; i++) {
		const struct rep_row *w = r->rows[i];
		int y = top + (int)i * (3 * rowh + gap);
		for (int k = 0; k < 3; k++) {
			int m = metrics[k];
			long long met = w->met[m], br = w->breached[m];
			double share = met + br ? (double)met / (double)(met + br) : 0;
			char p[16];
			fprintf(f, "<text x=\"%d\" y=\"%d\">", 4, y + k * rowh + 13);
			if (!k)
				esc(f, w->key[0]);
			fprintf(f, "</text><text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
			    x0 - 4, y + k * rowh + 13, sla_metric_names[m]);
			fprintf(f, "<rect class=\"met\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>",
			    x0, y + k * rowh + 2, bw * share, rowh - 4);
			esc(f, w->key[0]);
			fprintf(f, " %s: %lld met, %lld breached</title></rect>"
			    "<text class=\"tick\" x=\"%.1f\" y=\"%d\">%s</text>\n", sla_metric_names[m], met, br,
			    x0 + bw * share + 4, y + k * rowh + 13, pct(met, br, p));
		}
	}
	fputs("</svg>\n", f);
}

static void heatmap(FILE *f, struct report *r)
{
	long long max = 1;
	for (int d = 0; d < 7; d++)
		for (int hr = 0; hr < 24; hr++)
			if (r->heat[d][hr] > max)
				max = r->heat[d][hr];
	int cw = 26, ch = 22, x0 = 44, y0 = 20;
	int w = x0 + 24 * cw + 8, h = y0 + 7 * ch + 8;
	fprintf(f, "<svg class=\"chart\" id=\"heatmap\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
	    " role=\"img\" aria-label=\"Incoming mail by weekday and hour\">\n", w, h, w, h);
	for (int hr = 0; hr < 24; hr += 2)
		fprintf(f, "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%02d</text>\n",
		    x0 + hr * cw + cw / 2, y0 - 6, hr);
	for (int k = 0; k < 7; k++) {
		int d = (k + 1) % 7;
		fprintf(f, "<text class=\"tick\" x=\"%d\" y=\"%d\">%s</text>\n", 4, y0 + k * ch + 15,
		    rep_weekday[d]);
		for (int hr = 0; hr < 24; hr++) {
			long long v = r->heat[d][hr];
			fprintf(f, "<rect class=\"cell\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
			    " fill-opacity=\"%.3f\"><title>%s %02d:00: %lld</title></rect>\n",
			    x0 + hr * cw, y0 + k * ch, cw - 2, ch - 2,
			    v ? 0.12 + 0.88 * (double)v / (double)max : 0.04, rep_weekday[d], hr, v);
		}
	}
	fputs("</svg>\n", f);
}

static void agents_table(FILE *f, struct report *r)
{
	fputs("<table id=\"agents\">\n<thead><tr><th>agent</th><th>created</th><th>solved</th>"
	    "<th>reopened</th><th>backlog</th><th>first reply median</th>"
	    "<th>first reply p90</th><th>resolution median</th><th>replies per solved</th>"
	    "<th>one touch</th><th>first reply SLA</th></tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < r->nrows; i++) {
		struct rep_row *w = r->rows[i];
		char b[4][32];
		fputs("<tr><td>", f);
		esc(f, w->key[0]);
		fprintf(f, "</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td>"
		    "<td>%s</td><td>%s</td><td>%s</td>", w->created, w->solved, w->reopened,
		    w->backlog, dur(rep_dist_pct(&w->first_reply, 50), b[0]),
		    dur(rep_dist_pct(&w->first_reply, 90), b[1]),
		    dur(rep_dist_pct(&w->resolution, 50), b[2]));
		if (w->solved)
			fprintf(f, "<td>%.2f</td><td>%.1f%%</td>", (double)w->replies / (double)w->solved,
			    100.0 * (double)w->one_touch / (double)w->solved);
		else
			fputs("<td>-</td><td>-</td>", f);
		fprintf(f, "<td>%s</td></tr>\n", pct(w->met[SLA_FIRST_REPLY],
		    w->breached[SLA_FIRST_REPLY], b[3]));
	}
	fputs("</tbody></table>\n", f);
}

int rephtml_write(FILE *f, const struct rephtml *h)
{
	char a[32], b[32];
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
	esc(f, h->title);
	fputs(" report</title>\n<style>\n"
	    "body{font:14px/1.4 sans-serif;margin:24px;color:#222;background:#fff}\n"
	    "h1{font-size:20px}h2{font-size:16px;margin-top:28px}\n"
	    "svg.chart{display:block;max-width:100%;height:auto}\n"
	    "svg text{font:11px sans-serif;fill:#333}\n"
	    ".grid{stroke:#ddd;stroke-width:1}\n"
	    ".created{fill:#4e79a7}.solved{fill:#59a14f}.bar{fill:#f28e2b}.met{fill:#59a14f}\n"
	    "polyline.backlog,line.backlog{fill:none;stroke:#e15759;stroke-width:2}\n"
	    "circle.backlog{fill:#e15759}.cell{fill:#4e79a7;stroke:#fff}\n"
	    "table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}\n"
	    "th:first-child,td:first-child{text-align:left}\n"
	    "</style>\n</head>\n<body>\n<h1>", f);
	esc(f, h->title);
	fprintf(f, " report</h1>\n<p>From %s to %s, times of day in ",
	    h->since == REP_NOPERIOD ? "the first event" : fmt_rfc3339(h->since, a),
	    fmt_rfc3339(h->until, b));
	esc(f, h->tz);
	fputs(".</p>\n<h2>Volume and backlog</h2>\n", f);
	volume(f, h->time);
	fputs("<h2>First reply time</h2>\n", f);
	first_reply(f, h->time);
	fputs("<h2>SLA achievement by group</h2>\n", f);
	sla_chart(f, h->groups);
	fputs("<h2>Incoming mail by weekday and hour</h2>\n", f);
	heatmap(f, h->time);
	fputs("<h2>Agents</h2>\n", f);
	agents_table(f, h->agents);
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}
