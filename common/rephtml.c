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

long long rephtml_step(long long max)
{
	static const int mant[] = { 10, 20, 25, 50 };	/* tenths */
	if (max < 1)
		max = 1;
	for (long long p = 1; p <= (long long)1e17; p *= 10)
		for (int i = 0; i < 4; i++) {
			if (mant[i] == 25 && p == 1)
				continue;	/* 2.5: not a whole number */
			long long s = mant[i] * p / 10;
			if ((max + s - 1) / s <= 4)
				return s;
		}
	return (long long)1e18;
}

/* Text for HTML: & < > " ' escaped, invalid UTF-8 and controls cleaned. */
static void esc(FILE *f, const char *s)
{
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

/* A grouping value for people: none ("-") is the word given. */
static void esc_key(FILE *f, const char *key, const char *none)
{
	if (!key || !strcmp(key, "-"))
		fputs(none, f);
	else
		esc(f, key);
}

static const char *dur(long long s, char *b)
{
	if (s < 0)
		return "-";
	return sla_fmt_duration(s, b);
}

static const char *const metric_word[SLA_NMETRICS] = { "First reply", "Next reply",
	"Periodic update", "Resolution" };

/* The charts' frame, in the units of their viewBox. */
#define W 640
#define L 60	/* left margin: ticks and the axis title */
#define R 12
#define BOT 56	/* bottom margin: labels and the axis title */

static void svg_open(FILE *f, const char *id, int h, const char *label)
{
	fprintf(f, "<svg class=\"chart\" id=\"%s\" viewBox=\"0 0 %d %d\" role=\"img\""
	    " aria-label=\"%s\" preserveAspectRatio=\"xMinYMin meet\">\n", id, W, h, label);
}

/* The y axis of 0..top in steps, grid lines from L to W - R between y
 * top0 (value top) and y bot (value 0), and its title. */
static void y_axis(FILE *f, long long step, long long top, int top0, int bot, const char *title)
{
	for (long long v = 0; v <= top; v += step) {
		double y = bot - (double)(bot - top0) * (double)v / (double)top;
		fprintf(f, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
		    "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%lld</text>\n",
		    L, y, W - R, y, L - 6, y + 4, v);
	}
	fprintf(f, "<text class=\"axis\" transform=\"translate(14 %d) rotate(-90)\""
	    " text-anchor=\"middle\">%s</text>\n", (top0 + bot) / 2, title);
}

static void x_title(FILE *f, int y, const char *title, const char *tz)
{
	fprintf(f, "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s", (L + W - R) / 2,
	    y, title);
	if (tz) {
		fputs(" (", f);
		esc(f, tz);
		fputc(')', f);
	}
	fputs("</text>\n", f);
}

/* A period's label, short: "14 Nov", "W47", "Nov 2026". */
static const char *short_label(const struct report *r, const struct rep_row *w, char *b)
{
	static const char *const mon[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
		"Aug", "Sep", "Oct", "Nov", "Dec" };
	if (w->period < 0)
		return "All";
	const char *s = r->per.label[w->period];
	int y, m, d;
	if (r->period == REP_DAY && sscanf(s, "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12)
		snprintf(b, 32, "%d %s", d, mon[m - 1]);
	else if (r->period == REP_MONTH && sscanf(s, "%4d-%2d", &y, &m) == 2 && m >= 1 && m <= 12)
		snprintf(b, 32, "%s %d", mon[m - 1], y);
	else if (r->period == REP_WEEK && strchr(s, 'W'))
		snprintf(b, 32, "%s", strchr(s, 'W'));
	else
		snprintf(b, 32, "%s", s);
	return b;
}

/* --- volume and backlog ------------------------------------------------ */

#define VH 300
#define VTOP 16

static void volume(FILE *f, const struct report *r, const char *tz)
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
	long long step = rephtml_step(max), top = (max + step - 1) / step * step;
	int bot = VH - BOT;
	fputs("<div class=\"legend\"><span><i class=\"sw created\"></i>Created</span>"
	    "<span><i class=\"sw solved\"></i>Solved</span><span><i class=\"sw backlog\"></i>"
	    "Backlog (open at the end)</span></div>\n", f);
	svg_open(f, "volume", VH, "Tickets created and solved, and the backlog, per period");
	y_axis(f, step, top, VTOP, bot, "Tickets");
	double slot = n ? (double)(W - R - L) / (double)n : 1, bw = slot * 0.36;
	double ph = bot - VTOP;
	size_t every = n <= 10 ? 1 : (n + 9) / 10;
	struct buf line = { 0 };
	for (size_t i = 0; i < n; i++) {
		const struct rep_row *w = r->rows[i];
		const char *lab = w->period >= 0 ? r->per.label[w->period] : "all";
		double x = L + slot * (double)i + slot * 0.14;
		double hc = ph * (double)w->created / (double)top;
		double hs = ph * (double)w->solved / (double)top;
		fprintf(f, "<rect class=\"created\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
		    "<title>", x, bot - hc, bw, hc);
		esc(f, lab);
		fprintf(f, ": %lld created</title></rect>\n", w->created);
		fprintf(f, "<rect class=\"solved\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
		    "<title>", x + bw, bot - hs, bw, hs);
		esc(f, lab);
		fprintf(f, ": %lld solved</title></rect>\n", w->solved);
		double cx = L + slot * ((double)i + 0.5);
		double cy = bot - ph * (double)w->backlog / (double)top;
		char pt[64];
		snprintf(pt, sizeof pt, "%s%.1f,%.1f", i ? " " : "", cx, cy);
		buf_adds(&line, pt);
		fprintf(f, "<circle class=\"backlog\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"><title>", cx, cy);
		esc(f, lab);
		fprintf(f, ": %lld open at the end</title></circle>\n", w->backlog);
		if (i % every == 0) {
			/* every other label is left out on a phone ("alt") */
			char b[32];
			fprintf(f, "<text class=\"tick%s\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
			    n / every > 5 && i / every % 2 ? " alt" : "", cx, bot + 18);
			esc(f, short_label(r, w, b));
			fputs("</text>\n", f);
		}
	}
	if (n)
		fprintf(f, "<polyline class=\"backlog\" points=\"%s\"/>\n", buf_cstr(&line));
	buf_free(&line);
	x_title(f, VH - 10, r->period == REP_DAY ? "Day" : r->period == REP_MONTH ? "Month" :
	    r->period == REP_WEEK ? "Week (from Monday)" : "Period", tz);
	fputs("</svg>\n", f);
}

/* --- first reply times ------------------------------------------------- */

#define FH 300

/* Where duration v falls on the buckets' axis, as a share of a slot from
 * the left: bucket k plus the fraction of the way through it. */
static double bucket_pos(long long v)
{
	int k = 0;
	while (k < REPHTML_NBUCKETS - 1 && v >= rephtml_bucket_max[k])
		k++;
	long long lo = k ? rephtml_bucket_max[k - 1] : 0;
	long long hi = k < REPHTML_NBUCKETS - 1 ? rephtml_bucket_max[k] : 2 * lo;
	double fr = (double)(v - lo) / (double)(hi - lo);
	return k + (fr > 1 ? 1 : fr);
}

struct mark {
	long long at;
	int target;		/* a target (else the median) */
	char names[64];		/* the policies of the target */
};

/* The marks of the chart: the median, then each first-reply target of
 * the policies counting calendar time (policies of one target together). */
static size_t marks(const struct rephtml *h, long long median, struct mark *m, size_t max)
{
	size_t n = 0;
	if (median >= 0)
		m[n++] = (struct mark){ median, 0, "" };
	for (size_t i = 0; h->sla && i < h->sla->npol && n < max; i++) {
		const struct sla_policy *p = &h->sla->pol[i];
		long long t = p->target[SLA_FIRST_REPLY];
		if (!t || p->business)
			continue;
		size_t k = 0;
		while (k < n && !(m[k].target && m[k].at == t))
			k++;
		if (k == n)
			m[n++] = (struct mark){ t, 1, "" };
		size_t l = strlen(m[k].names);
		if (l + strlen(p->name) + 3 < sizeof m->names)
			snprintf(m[k].names + l, sizeof m->names - l, "%s%s", l ? ", " : "", p->name);
	}
	return n;
}

static void first_reply(FILE *f, const struct rephtml *h, struct rep_dist *d)
{
	/* the buckets' lower bounds, under the axis */
	static const char *const bound[REPHTML_NBUCKETS] = { "0", "15m", "30m", "1h", "2h", "4h",
		"8h", "1d", "2d" };
	long long b[REPHTML_NBUCKETS], max = 1;
	rephtml_buckets(d, b);
	for (int i = 0; i < REPHTML_NBUCKETS; i++)
		if (b[i] > max)
			max = b[i];
	long long step = rephtml_step(max), top = (max + step - 1) / step * step;
	struct mark mk[8];
	size_t nm = marks(h, rep_dist_pct(d, 50), mk, 8);
	int top0 = 16 + 20 * (int)nm, hh = FH + 20 * (int)nm, bot = hh - BOT;
	svg_open(f, "first-reply", hh, "First reply times");
	y_axis(f, step, top, top0, bot, "Tickets");
	double slot = (double)(W - R - L) / REPHTML_NBUCKETS, ph = bot - top0;
	for (int i = 0; i < REPHTML_NBUCKETS; i++) {
		double x = L + slot * i + slot * 0.1, bh = ph * (double)b[i] / (double)top;
		fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
		    "<title>%s: %lld tickets</title></rect>\n"
		    "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
		    x, bot - bh, slot * 0.8, bh, rephtml_bucket_name[i], b[i],
		    L + slot * i, bot + 18, bound[i]);
	}
	for (size_t i = 0; i < nm; i++) {
		double x = L + slot * bucket_pos(mk[i].at);
		int ly = 16 + 20 * (int)i;
		fprintf(f, "<line class=\"%s\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
		    "<text class=\"%s\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">", mk[i].target ?
		    "target" : "median", x, ly + 4, x, bot, mk[i].target ? "target" : "median",
		    x > W / 2 ? x - 4 : x + 4, ly, x > W / 2 ? "end" : "start");
		char b2[32];
		if (mk[i].target) {
			esc(f, mk[i].names);
			fprintf(f, ": target %s</text>\n", sla_fmt_duration(mk[i].at, b2));
		} else
			fprintf(f, "Median %s</text>\n", sla_fmt_duration(mk[i].at, b2));
	}
	x_title(f, hh - 10, "Time to the first reply (calendar time)", NULL);
	fputs("</svg>\n", f);
}

/* --- SLA achievement --------------------------------------------------- */

/* The class of an achievement against the target: met the target, within
 * 10 points of it, below; "none" without clocks. */
static const char *grade(long long met, long long all, int target)
{
	if (!all)
		return "none";
	double p = 100.0 * (double)met / (double)all;
	return p >= target ? "ok" : p >= target - 10 ? "near" : "low";
}

#define SX0 182	/* the bars' left end */
#define SBW 300	/* the bars' length at 100% */

static void sla_bar(FILE *f, const struct rep_row *w, int m, int y, int target)
{
	long long met = w->met[m], all = met + w->breached[m];
	double share = all ? (double)met / (double)all : 0;
	fprintf(f, "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
	    "<rect class=\"track\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"14\"/>\n",
	    SX0 - 8, y + 12, metric_word[m], SX0, y + 1, SBW);
	if (!all) {
		fprintf(f, "<text class=\"tick none\" x=\"%d\" y=\"%d\">no tickets</text>\n",
		    SX0 + SBW + 8, y + 12);
		return;
	}
	fprintf(f, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"14\"><title>",
	    grade(met, all, target), SX0, y + 1, SBW * share);
	esc_key(f, w->key[0], "No group");
	fprintf(f, ", %s: %lld met, %lld breached</title></rect>\n"
	    "<text class=\"tick\" x=\"%d\" y=\"%d\">%lld of %lld, %.0f%%</text>\n",
	    metric_word[m], met, all - met, SX0 + SBW + 8, y + 12, met, all, 100 * share);
}

static void sla_chart(FILE *f, const struct report *r, int target)
{
	if (!r->nrows) {
		fputs("<p class=\"note\">No tickets in this period.</p>\n", f);
		return;
	}
	int show[SLA_NMETRICS], ns = 0;
	for (int m = 0; m < SLA_NMETRICS; m++) {
		int any = 0;
		for (size_t i = 0; i < r->nrows; i++)
			any |= r->rows[i]->met[m] + r->rows[i]->breached[m] > 0;
		if (any || m == SLA_FIRST_REPLY)
			show[ns++] = m;
	}
	int rowh = 24, head = 24, gap = 12, top = 40;
	int blk = head + ns * rowh + gap;
	int h = top + (int)r->nrows * blk + 30;
	fprintf(f, "<div class=\"legend\"><span><i class=\"sw ok\"></i>At or above the target"
	    " (%d%%)</span><span><i class=\"sw near\"></i>Up to 10 points below</span>"
	    "<span><i class=\"sw low\"></i>Further below</span></div>\n", target);
	svg_open(f, "sla", h, "SLA achievement by agent group");
	for (int k = 0; k <= 4; k++)
		fprintf(f, "<line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
		    "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d%%</text>\n",
		    SX0 + SBW * k / 4, top - 8, SX0 + SBW * k / 4, h - 26, SX0 + SBW * k / 4, top - 14,
		    25 * k);
	for (size_t i = 0; i < r->nrows; i++) {
		const struct rep_row *w = r->rows[i];
		int y = top + (int)i * blk;
		fprintf(f, "<text class=\"group\" x=\"4\" y=\"%d\">", y + 15);
		esc_key(f, w->key[0], "No group");
		fputs("</text>\n", f);
		for (int k = 0; k < ns; k++)
			sla_bar(f, w, show[k], y + head + k * rowh, target);
	}
	int tx = SX0 + SBW * target / 100;
	fprintf(f, "<line class=\"target\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
	    "<text class=\"target\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">Target %d%%</text>\n",
	    tx, top - 6, tx, h - 26, tx, h - 8, target);
	fputs("</svg>\n", f);
}

/* --- incoming mail by weekday and hour ----------------------------------- */

#define NLEVEL 5

static int level(long long v, long long max)
{
	return v <= 0 || max <= 0 ? 0 : (int)((v * NLEVEL + max - 1) / max);
}

static void heatmap(FILE *f, const struct report *r)
{
	static const char *const day[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	long long max = 0;
	for (int d = 0; d < 7; d++)
		for (int hr = 0; hr < 24; hr++)
			if (r->heat[d][hr] > max)
				max = r->heat[d][hr];
	int cw = 22, ch = 24, x0 = 52, y0 = 24;
	int h = y0 + 7 * ch + 4;
	svg_open(f, "heatmap", h, "Incoming mail by weekday and hour");
	for (int hr = 0; hr < 24; hr += 3)	/* on a phone every 6 hours ("alt") */
		fprintf(f, "<text class=\"tick%s\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%02d:00</text>\n",
		    hr % 6 ? " alt" : "", x0 + hr * cw + cw / 2, y0 - 8, hr);
	for (int k = 0; k < 7; k++) {
		int d = (k + 1) % 7;
		fprintf(f, "<text class=\"tick\" x=\"%d\" y=\"%d\">%s</text>\n", 4, y0 + k * ch + 16,
		    day[d]);
		for (int hr = 0; hr < 24; hr++) {
			long long v = r->heat[d][hr];
			fprintf(f, "<rect class=\"cell l%d\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">"
			    "<title>%s %02d:00-%02d:00: %lld messages</title></rect>\n", level(v, max),
			    x0 + hr * cw, y0 + k * ch, cw - 2, ch - 2, day[d], hr, (hr + 1) % 24, v);
		}
	}
	fputs("</svg>\n", f);
	/* the scale: a swatch per level with the messages it stands for */
	fputs("<div class=\"legend\">Messages an hour:", f);
	for (int k = 0; k <= NLEVEL; k++) {
		long long lo = k ? (k - 1) * max / NLEVEL + 1 : 0, hi = k * max / NLEVEL;
		if (k && lo > hi)
			continue;	/* fewer messages than levels, or none */
		fprintf(f, "<span><i class=\"sw l%d\"></i>", k);
		if (lo == hi)
			fprintf(f, "%lld</span>", hi);
		else
			fprintf(f, "%lld-%lld</span>", lo, hi);
	}
	fputs("</div>\n", f);
}

/* --- agents ------------------------------------------------------------ */

static void agents_table(FILE *f, const struct report *r, int target)
{
	fputs("<div class=\"scroll\"><table id=\"agents\">\n<thead><tr><th>Agent</th>"
	    "<th>Created</th><th>Solved</th><th>Reopened</th><th>Backlog</th>"
	    "<th>First reply, median</th><th>First reply, 90%</th><th>Resolution, median</th>"
	    "<th>Replies per solve</th><th>One-touch</th><th>First-reply SLA</th></tr></thead>\n"
	    "<tbody>\n", f);
	for (size_t i = 0; i < r->nrows; i++) {
		struct rep_row *w = r->rows[i];
		char b[3][32];
		fputs("<tr><td>", f);
		esc_key(f, w->key[0], "Unassigned");
		fprintf(f, "</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td>"
		    "<td>%s</td><td>%s</td><td>%s</td>", w->created, w->solved, w->reopened,
		    w->backlog, dur(rep_dist_pct(&w->first_reply, 50), b[0]),
		    dur(rep_dist_pct(&w->first_reply, 90), b[1]),
		    dur(rep_dist_pct(&w->resolution, 50), b[2]));
		if (w->solved)
			fprintf(f, "<td>%.2f</td><td>%.0f%%</td>", (double)w->replies / (double)w->solved,
			    100.0 * (double)w->one_touch / (double)w->solved);
		else
			fputs("<td>-</td><td>-</td>", f);
		long long met = w->met[SLA_FIRST_REPLY], all = met + w->breached[SLA_FIRST_REPLY];
		if (all)
			fprintf(f, "<td class=\"%s\">%.0f%% <small>(%lld of %lld)</small></td></tr>\n",
			    grade(met, all, target), 100.0 * (double)met / (double)all, met, all);
		else
			fputs("<td>-</td></tr>\n", f);
	}
	if (!r->nrows)
		fputs("<tr><td colspan=\"11\">No tickets in this period.</td></tr>\n", f);
	fputs("</tbody></table></div>\n", f);
}

/* --- the headline ------------------------------------------------------ */

enum { K_COUNT, K_DURATION, K_SHARE };

struct kpi {
	const char *id, *field, *label;
	int kind;
	int better;		/* 1: more is better, -1: less, 0: neither */
};

static const struct kpi kpis[] = {
	{ "kpi-created", "created", "Created", K_COUNT, 0 },
	{ "kpi-solved", "solved", "Solved", K_COUNT, 1 },
	{ "kpi-backlog", "backlog", "Backlog", K_COUNT, -1 },
	{ "kpi-first-reply", "first_reply_median_s", "First reply, median", K_DURATION, -1 },
	{ "kpi-first-reply-sla", "sla_first_reply_achievement", "First-reply SLA", K_SHARE, 1 },
	{ "kpi-one-touch", "one_touch_rate", "One-touch solves", K_SHARE, 1 },
};
#define NKPI (sizeof kpis / sizeof *kpis)

/* Figure k of row w: the value (count, seconds or share), its parts (of a
 * share: a of b); 0 when it does not exist. */
static int kpi_value(size_t k, struct rep_row *w, double *v, long long *a, long long *b)
{
	*a = *b = 0;
	switch (k) {
	case 0: *v = (double)w->created; return 1;
	case 1: *v = (double)w->solved; return 1;
	case 2: *v = (double)w->backlog; return 1;
	case 3: {
		long long m = rep_dist_pct(&w->first_reply, 50);
		*v = (double)m;
		return m >= 0;
	}
	case 4:
		*a = w->met[SLA_FIRST_REPLY];
		*b = *a + w->breached[SLA_FIRST_REPLY];
		break;
	default:
		*a = w->one_touch;
		*b = w->solved;
	}
	*v = *b ? (double)*a / (double)*b : 0;
	return *b > 0;
}

/* The figure as mreport's JSON has it. */
static void kpi_json(FILE *f, int kind, int ok, double v)
{
	if (!ok)
		fputs("null", f);
	else if (kind == K_SHARE)
		fprintf(f, "%.4f", v);
	else
		fprintf(f, "%lld", (long long)v);
}

static void kpi_text(FILE *f, int kind, int ok, double v)
{
	char b[32];
	if (!ok)
		fputs("-", f);
	else if (kind == K_SHARE)
		fprintf(f, "%.0f%%", 100 * v);
	else if (kind == K_DURATION)
		fputs(sla_fmt_duration((long long)v, b), f);
	else
		fprintf(f, "%lld", (long long)v);
}

/* The change against the previous period: percent of counts and
 * durations, points of shares. */
static void kpi_delta(FILE *f, const struct kpi *k, double v, double p, const char *span)
{
	double d = k->kind == K_SHARE ? 100 * (v - p) : p ? 100 * (v - p) / p : 0;
	const char *dir = d > 0.05 ? "up" : d < -0.05 ? "down" : "same";
	const char *mood = !k->better || !strcmp(dir, "same") ? "neutral" :
	    (d > 0) == (k->better > 0) ? "good" : "bad";
	fprintf(f, "<div class=\"delta %s %s\">%s ", dir, mood,
	    !strcmp(dir, "up") ? "&#9650;" : !strcmp(dir, "down") ? "&#9660;" : "=");
	if (k->kind == K_SHARE)
		fprintf(f, "%+.1f points", d);
	else if (p)
		fprintf(f, "%+.0f%%", d);
	else
		fputs(v ? "from none" : "none either", f);
	fputs(" <span>against ", f);
	kpi_text(f, k->kind, 1, p);
	fprintf(f, " in the previous %s</span></div>\n", span);
}

/* "7 days", "12 hours", "1h30m": the length of the report. */
static const char *span_words(long long len, char *b)
{
	long long d = (len + 43200) / 86400;
	if (d >= 1 && llabs(len - d * 86400) <= 3600)
		snprintf(b, 32, "%lld day%s", d, d == 1 ? "" : "s");
	else if (len % 3600 == 0)
		snprintf(b, 32, "%lld hours", len / 3600);
	else
		sla_fmt_duration(len, b);
	return b;
}

static void headline(FILE *f, const struct rephtml *h)
{
	struct rep_row *w = h->total->rows[0];
	struct rep_row *pw = h->prev && h->prev->nrows ? h->prev->rows[0] : NULL;
	char span[32];
	span_words(h->until - h->since, span);
	fputs("<section id=\"headline\">\n", f);
	for (size_t k = 0; k < NKPI; k++) {
		double v, p = 0;
		long long a, b, pa, pb;
		int ok = kpi_value(k, w, &v, &a, &b), pok = pw && kpi_value(k, pw, &p, &pa, &pb);
		fprintf(f, "<div class=\"kpi\" id=\"%s\" data-field=\"%s\" data-value=\"", kpis[k].id,
		    kpis[k].field);
		kpi_json(f, kpis[k].kind, ok, v);
		fputs("\" data-previous=\"", f);
		kpi_json(f, kpis[k].kind, pok, p);
		fprintf(f, "\">\n<div class=\"label\">%s</div>\n<div class=\"value\">", kpis[k].label);
		kpi_text(f, kpis[k].kind, ok, v);
		if (kpis[k].kind == K_SHARE && b)
			fprintf(f, " <small>%lld of %lld</small>", a, b);
		fputs("</div>\n", f);
		if (ok && pok)
			kpi_delta(f, &kpis[k], v, p, span);
		else if (pw)
			fputs("<div class=\"delta neutral\">nothing to compare with</div>\n", f);
		fputs("</div>\n", f);
	}
	fputs("</section>\n", f);
}

/* --- the page ---------------------------------------------------------- */

static const char css[] =
    "*{box-sizing:border-box}\n"
    "body{font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;margin:0;"
    "color:#1f2933;background:#f5f7fa}\n"
    "main{max-width:1200px;margin:0 auto;padding:24px}\n"
    "h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:0 0 8px}\n"
    ".range{color:#52606d;margin:0 0 20px}\n"
    "#headline{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;"
    "margin-bottom:20px}\n"
    ".kpi,.card{background:#fff;border:1px solid #e4e7eb;border-radius:8px;padding:12px 14px}\n"
    ".kpi .label{color:#52606d;font-size:13px}\n"
    ".kpi .value{font-size:28px;font-weight:600;line-height:1.2}\n"
    ".kpi .value small{font-size:12px;font-weight:400;color:#52606d;display:block}\n"
    ".delta{font-size:13px}.delta span{color:#7b8794;display:block;font-size:12px}\n"
    ".delta.good{color:#1e7b34}.delta.bad{color:#b42318}.delta.neutral{color:#52606d}\n"
    ".grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:16px}\n"
    ".card{margin-bottom:16px;break-inside:avoid}\n"
    ".note{color:#52606d;font-size:13px;margin:6px 0 0}\n"
    "svg.chart{display:block;width:100%;height:auto}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:2px 16px;font-size:13px;color:#52606d;margin:2px 0 6px}\n"
    ".sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;"
    "vertical-align:-1px}.sw.backlog{height:3px;width:16px;vertical-align:3px;background:#e15759}\n"
    "svg text{font-size:16px;fill:#323f4b}svg .tick{fill:#52606d}\n"
    "svg .axis{font-weight:600;fill:#323f4b}svg .group{font-weight:600}\n"
    ".grid{stroke:#e4e7eb;stroke-width:1}.track{fill:#f0f2f5}\n"
    ".created{fill:#4e79a7;background:#4e79a7}.solved{fill:#59a14f;background:#59a14f}.bar{fill:#76a5d8}\n"
    "polyline.backlog,line.backlog{fill:none;stroke:#e15759;stroke-width:2.5}\n"
    "circle.backlog{fill:#e15759}\n"
    "line.median{stroke:#1f2933;stroke-width:2}text.median{font-weight:600}\n"
    "line.target{stroke:#b42318;stroke-width:1.5;stroke-dasharray:5 4}text.target{fill:#b42318}\n"
    ".ok{fill:#2f9e44;background:#2f9e44}.near{fill:#f0a202;background:#f0a202}.low{fill:#d64545;background:#d64545}text.none{fill:#9aa5b1}\n"
    "td.ok,td.near,td.low{background:none}td.ok{color:#1e7b34}td.near{color:#a15c00}td.low{color:#b42318}\n"
    ".cell{stroke:#fff}.l0{fill:#eef1f5;background:#eef1f5}.l1{fill:#d6e4f0;background:#d6e4f0}"
    ".l2{fill:#a9c8e2;background:#a9c8e2}.l3{fill:#6fa3cf;background:#6fa3cf}"
    ".l4{fill:#3a78b3;background:#3a78b3}.l5{fill:#1b4f8a;background:#1b4f8a}\n"
    ".scroll{overflow-x:auto}\n"
    "table{border-collapse:collapse;width:100%;background:#fff;font-size:14px}\n"
    "th,td{border-bottom:1px solid #e4e7eb;padding:6px 8px;text-align:right;white-space:nowrap}\n"
    "th{font-size:12px;color:#52606d;font-weight:600;white-space:normal;vertical-align:bottom}\n"
    "th:first-child,td:first-child{text-align:left}td small{color:#7b8794}\n"
    "@media (max-width:600px){main{padding:12px}h1{font-size:20px}"
    "#headline{grid-template-columns:1fr 1fr;gap:8px}.kpi .value{font-size:22px}"
    ".grid2{grid-template-columns:1fr}svg text{font-size:21px}svg .alt{display:none}}\n"
    "@media print{body{background:#fff;font-size:11pt}main{max-width:none;padding:0}"
    ".kpi,.card{border-color:#ccc;break-inside:avoid}"
    "#headline{grid-template-columns:repeat(3,1fr)}.grid2{grid-template-columns:1fr 1fr}"
    ".kpi .value{font-size:20pt}.scroll{overflow:visible}table{font-size:8.5pt}"
    "th,td{padding:3px 4px}"
    "h2{break-after:avoid}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "@page{margin:12mm}}\n";

static void range(FILE *f, const struct rephtml *h)
{
	char a[32], b[32], c[32];
	fputs("<p class=\"range\">", f);
	if (h->since == REP_NOPERIOD)
		fputs("From the first ticket", f);
	else
		fprintf(f, "From <time datetime=\"%s\">%s</time>", fmt_rfc3339(h->since, c),
		    sla_fmt_local(h->since, h->tz, a));
	fprintf(f, " to <time datetime=\"%s\">%s</time>; days and hours in ",
	    fmt_rfc3339(h->until, c), sla_fmt_local(h->until, h->tz, b));
	esc(f, h->tz);
	fputs(".", f);
	if (h->prev)
		fprintf(f, " Changes are against the %s before, from %s.",
		    span_words(h->until - h->since, b),
		    sla_fmt_local(h->since - (h->until - h->since), h->tz, a));
	else
		fputs(" Give a start (--since) to compare with the period before.", f);
	fputs("</p>\n", f);
}

/* The first-reply targets of the policies counting business time: not on
 * the chart's axis of calendar time. */
static void business_note(FILE *f, const struct sla *s)
{
	int n = 0;
	char b[32];
	for (size_t i = 0; s && i < s->npol; i++) {
		const struct sla_policy *p = &s->pol[i];
		if (!p->business || !p->target[SLA_FIRST_REPLY])
			continue;
		fputs(n++ ? ", " : "<p class=\"note\">Targets in business hours, not marked: ", f);
		esc(f, p->name);
		fprintf(f, " %s", sla_fmt_duration(p->target[SLA_FIRST_REPLY], b));
	}
	if (n)
		fputs(".</p>\n", f);
}

int rephtml_write(FILE *f, const struct rephtml *h)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", f);
	esc(f, h->title);
	fprintf(f, ": support report</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>", css);
	esc(f, h->title);
	fputs(": support report</h1>\n", f);
	range(f, h);
	headline(f, h);
	fputs("<div class=\"grid2\">\n<div class=\"card\"><h2>Volume and backlog</h2>\n", f);
	volume(f, h->time, h->tz);
	fputs("</div>\n<div class=\"card\"><h2>Time to the first reply</h2>\n", f);
	first_reply(f, h, &h->total->rows[0]->first_reply);
	business_note(f, h->sla);
	fputs("</div>\n<div class=\"card\"><h2>SLA achievement by agent group</h2>\n", f);
	sla_chart(f, h->groups, h->target);
	fputs("<p class=\"note\">Tickets whose clock met its target, of those whose clock stopped"
	    " or ran late in the period.</p>\n</div>\n"
	    "<div class=\"card\"><h2>Incoming mail by weekday and hour</h2>\n", f);
	heatmap(f, h->time);
	fputs("</div>\n</div>\n<div class=\"card\"><h2>Agents</h2>\n", f);
	agents_table(f, h->agents, h->target);
	fputs("</div>\n</main>\n</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}
