/*
 * genmbox: write a deterministic synthetic support mailbox for benchmarks.
 *
 *   genmbox [-uv] [N [SEED]]          mboxrd of N messages on stdout
 *   genmbox [-uv] -m DIR [N [SEED]]   the same messages as a maildir in DIR
 *   -t TRUTH                          also write "MESSAGE-ID THREAD" lines
 *
 * N defaults to 200000 (about 500 MB), SEED to 1.  The output depends only on
 * N and SEED: no clock, no locale, no libc random numbers, so it is the same
 * on every machine.  The messages form a stream in time order that does not
 * depend on N: the first K messages of any run with K <= N are exactly the
 * messages of `genmbox K`, so a smaller run is a subset of a larger one.
 *
 * Threads: a support desk.  New threads arrive every ~6.5 minutes on average
 * (a customer writes), replies follow after minutes to days; thread sizes
 * are mostly 1-3 messages with a long tail (up to 300).  About 60% of the
 * messages are replies, with In-Reply-To and folded References (at most 10
 * ids: the root and the 9 nearest ancestors).  About a third of the people
 * have non-ASCII names and a third of the threads non-ASCII subjects, written
 * as RFC 2047 encoded words in the field's charsets (see LOC), some split
 * mid-character, some labelled wrongly; those customers' bodies are in their
 * charset, quoted-printable or base64.  Outlook senders write Thread-Index,
 * a few replies an exmh/MH In-Reply-To, a few a broken header line.  -u
 * writes UTF-8, US-ASCII and Latin-1 only, as earlier versions did.  Bodies are 0.5-6 KB of plain text; a few lines
 * start with "From " (written ">From " in the mbox) and a few quoted lines
 * start with ">From " (written ">>From ").  -v prints statistics on stderr.
 *
 * Build: cc -O2 -std=c11 -Wall -Wextra -Werror -o genmbox genmbox.c
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------ PRNG */

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t hash3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t s = a;
	s = splitmix(&s) ^ b;
	s = splitmix(&s) ^ c;
	return splitmix(&s);
}

static uint32_t rnd(uint64_t *s, uint32_t n)
{
	return (uint32_t)((splitmix(s) >> 11) % n);
}

static double frand(uint64_t *s)
{
	return (double)(splitmix(s) >> 11) * (1.0 / 9007199254740992.0);
}

static int chance(uint64_t *s, double p)
{
	return frand(s) < p;
}

/* Natural logarithm of x in (0, 1], without libm. */
static double ln01(double x)
{
	double r = 0, y, y2, t, sum = 0;
	int i;
	if (x <= 0)
		x = 1e-300;
	while (x < 0.5) {
		x *= 2;
		r -= 0.6931471805599453;
	}
	y = (x - 1) / (x + 1); /* ln x = 2 atanh y, |y| <= 1/3 */
	y2 = y * y;
	t = y;
	for (i = 1; i < 40; i += 2) {
		sum += t / i;
		t *= y2;
	}
	return r + 2 * sum;
}

/* Exponentially distributed with the given mean. */
static double expo(uint64_t *s, double mean)
{
	return -mean * ln01(1.0 - frand(s));
}

/* ---------------------------------------------------------------- buffer */

struct buf {
	char *p;
	size_t len, cap;
};

static void need(struct buf *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return;
	while (b->len + n + 1 > b->cap)
		b->cap = b->cap ? b->cap * 2 : 4096;
	b->p = realloc(b->p, b->cap);
	if (!b->p) {
		fputs("genmbox: out of memory\n", stderr);
		exit(1);
	}
}

static void bput(struct buf *b, const char *s, size_t n)
{
	need(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void bputs(struct buf *b, const char *s)
{
	bput(b, s, strlen(s));
}

static void bputc(struct buf *b, char c)
{
	bput(b, &c, 1);
}

static void bprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	need(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* ------------------------------------------------------------------ dates */

static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

struct tmv {
	int year;
	unsigned mon, day, hour, min, sec, wday;
};

static struct tmv civil(int64_t t)
{
	struct tmv r;
	int64_t z = (t >= 0 ? t : t - 86399) / 86400, era;
	int64_t secs = t - z * 86400;
	unsigned doe, yoe, doy, mp;
	r.wday = (unsigned)(((z % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
	r.hour = (unsigned)(secs / 3600);
	r.min = (unsigned)(secs / 60 % 60);
	r.sec = (unsigned)(secs % 60);
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	r.day = doy - (153 * mp + 2) / 5 + 1;
	r.mon = mp < 10 ? mp + 3 : mp - 9;
	r.year = (int)((int64_t)yoe + era * 400 + (r.mon <= 2));
	return r;
}

static const char *const WDAY[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const MON[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* RFC 5322 date of UTC time t shown in zone tz (minutes east of UTC). */
static void rfcdate(struct buf *b, int64_t t, int tz, int pad, const char *comment)
{
	struct tmv c = civil(t + tz * 60);
	int a = tz < 0 ? -tz : tz;
	bprintf(b, pad ? "%s, %02u %s %d %02u:%02u:%02u %c%02d%02d" :
			 "%s, %u %s %d %02u:%02u:%02u %c%02d%02d",
		WDAY[c.wday], c.day, MON[c.mon - 1], c.year, c.hour, c.min, c.sec,
		tz < 0 ? '-' : '+', a / 60, a % 60);
	if (comment)
		bprintf(b, " (%s)", comment);
}

/* ------------------------------------------------------------ vocabulary */

static const char *const FIRST[] = {
	"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda",
	"William", "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph",
	"Jessica", "Thomas", "Sarah", "Charles", "Karen", "Daniel", "Nancy", "Matthew",
	"Lisa", "Anthony", "Betty", "Mark", "Margaret", "Paul", "Sandra", "Steven",
	"Ashley", "Andrew", "Emily", "Kevin", "Donna", "Brian", "Michelle", "George",
	"Carol", "Anna", "Lukas", "Sofia", "Noah", "Emma", "Liam", "Olivia", "Mateo",
	"Priya", "Rahul", "Wei", "Yuki", "Kenji", "Aisha", "Omar", "Fatima", "Ivan",
	"Olga", "Pieter", "Sanne", "Lars", "Ingrid", "Marco", "Giulia", "Pablo", "Lucia"};
static const char *const LAST[] = {
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
	"Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
	"Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson",
	"White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
	"Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Schmidt", "Fischer", "Weber", "Dubois", "Laurent", "Rossi", "Bianchi", "Jansen",
	"de Vries", "Nielsen", "Hansen", "Kowalski", "Novak", "Sato", "Tanaka", "Chen",
	"Wang", "Kumar", "Patel", "Singh", "O'Brien", "Murphy", "Kelly", "Svensson"};
/* Non-ASCII display names (UTF-8) and an ASCII local part for each. */
static const char *const UNAME[][2] = {
	{"Jos\xc3\xa9 Garc\xc3\xad" "a", "jose.garcia"},
	{"J\xc3\xbcrgen M\xc3\xbcller", "juergen.mueller"},
	{"Fran\xc3\xa7ois Lef\xc3\xa8vre", "francois.lefevre"},
	{"Bj\xc3\xb6rn \xc3\x85ngstr\xc3\xb6m", "bjorn.angstrom"},
	{"S\xc3\xb8ren Kierkeg\xc3\xa5rd", "soren.k"},
	{"Zo\xc3\xab Bront\xc3\xab", "zoe.bronte"},
	{"\xc5\x81ukasz Wr\xc3\xb3" "bel", "lukasz.wrobel"},
	{"Ren\xc3\xa9" "e Fa\xc3\xbc" "re", "renee.faure"},
	{"Ana Mar\xc3\xad" "a Pe\xc3\xb1" "a", "anamaria.pena"},
	{"Jo\xc3\xa3o Gon\xc3\xa7" "alves", "joao.goncalves"},
	{"\xc3\x89milie Ch\xc3\xa2telet", "emilie.chatelet"},
	{"G\xc3\xbcl \xc3\x96zt\xc3\xbcrk", "gul.ozturk"},
	{"\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd \xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2",
	 "ivan.petrov"},
	{"\xd0\x9e\xd0\xbb\xd1\x8c\xd0\xb3\xd0\xb0 \xd0\xa1\xd0\xbc\xd0\xb8\xd1\x80\xd0\xbd"
	 "\xd0\xbe\xd0\xb2\xd0\xb0",
	 "olga.smirnova"},
	{"\xe7\x8e\x8b\xe4\xbc\x9f", "wang.wei"},
	{"\xe7\x94\xb0\xe4\xb8\xad \xe5\xa4\xaa\xe9\x83\x8e", "tanaka.taro"},
	{"\xea\xb9\x80\xec\xa7\x80\xec\x88\x98", "jisoo.kim"},
	{"\xce\x9d\xce\xaf\xce\xba\xce\xbf\xcf\x82 \xce\xa0\xce\xb1\xcf\x80\xce\xb1\xce\xb4"
	 "\xcf\x8c\xcf\x80\xce\xbf\xcf\x85\xce\xbb\xce\xbf\xcf\x82",
	 "nikos.papadopoulos"},
	{"\xd7\x93\xd7\xa0\xd7\x94 \xd7\x9c\xd7\x95\xd7\x99", "dana.levi"},
	{"Ma\xc3\xaft\xc3\xa9 \xc3\x87" "elik", "maite.celik"}};
static const char *const DOMAIN[] = {
	"gmail.com", "gmail.com", "gmail.com", "outlook.com", "hotmail.com", "yahoo.com",
	"icloud.com", "web.de", "gmx.de", "orange.fr", "example.com", "example.org",
	"example.net", "acme-logistics.example", "northwind.example", "contoso.example",
	"globex.example", "initech.example", "umbrella-health.example",
	"bluesky-travel.example", "fabrikam.example", "tailspin.example",
	"wingtip-toys.example", "adventure-works.example"};
/* Sender software: decides Message-ID shape and a few headers. */
enum { GMAIL, OUTLOOK, THUNDERBIRD, APPLE, WEBMAIL, DESK };
static const int TZS[] = {-480, -420, -360, -300, -240, -180, 0, 0, 60, 60, 60, 120,
			  120, 180, 330, 480, 540, 600, 720};

static const char *const AGENT[] = {
	"Anna Berg", "Tom Becker", "Maya Lindqvist", "Jonas Weber", "Chloe Martin",
	"Samir Haddad", "Eva Novak", "Felix Hofmann", "Grace Okafor", "Hugo Moreau",
	"Ines Costa", "Jack Murphy", "Kira Sato", "Leo Fischer", "Mia Rossi",
	"Nils Berg", "Olivia Chen", "Paul Wagner", "Rosa Diaz", "Sven Larsen"};

static const char *const TOPIC[] = {
	"Invoice %u not received", "Cannot log in to my account",
	"Refund request for order %u", "Question about the Pro plan",
	"Password reset link expired", "Order %u arrived damaged",
	"How do I export my data?", "Billing address change",
	"Two-factor authentication problem", "Delivery delayed - order %u",
	"Feature request: dark mode", "Error 500 when uploading files",
	"Cancel my subscription", "Wrong item in order %u",
	"API rate limit questions", "Charged twice this month",
	"Cannot connect the mobile app", "Upgrade from Basic to Team",
	"Missing VAT number on invoice %u", "Account locked after update",
	"Sync not working since yesterday", "Data import fails with CSV",
	"Urgent: production outage", "Question about your privacy policy",
	"License key %u does not work", "Change of contact person",
	"Slow performance in the dashboard", "Request for a quote (%u seats)"};
/* Non-ASCII subjects (UTF-8), with the reply prefix their mailer uses. */
static const char *const USUBJ[][2] = {
	{"Rechnung %u f\xc3\xbcr M\xc3\xa4rz nicht erhalten", "AW: "},
	{"Probl\xc3\xa8me de connexion \xc3\xa0 mon compte", "RE: "},
	{"\xc2\xbf" "D\xc3\xb3nde est\xc3\xa1 mi pedido %u?", "RE: "},
	{"\xd0\x97\xd0\xb0\xd0\xba\xd0\xb0\xd0\xb7 %u \xd0\xbd\xd0\xb5 \xd0\xb4\xd0\xbe\xd1"
	 "\x81\xd1\x82\xd0\xb0\xd0\xb2\xd0\xbb\xd0\xb5\xd0\xbd",
	 "Re: "},
	{"\xe6\xb3\xa8\xe6\x96\x87 %u \xe3\x81\xab\xe3\x81\xa4\xe3\x81\x84\xe3\x81\xa6", "Re: "},
	{"K\xc3\xbcndigung meines Abonnements zum Monatsende", "AW: "},
	{"R\xc3\xa9" "clamation commande n\xc2\xb0 %u \xe2\x80\x93 colis ab\xc3\xae" "m\xc3\xa9",
	 "RE: "},
	{"Fattura %u: importo errato \xe2\x82\xac", "R: "},
	{"Zw\xc3\xa9ryfikowa\xc4\x87 konto \xe2\x80\x94 b\xc5\x82\xc4\x85" "d 2FA", "Odp: "},
	{"\xed\x99\x98\xeb\xb6\x88 \xec\x9a\x94\xec\xb2\xad (\xec\xa3\xbc\xeb\xac\xb8 %u)",
	 "Re: "},
	{"Lieferung versp\xc3\xa4tet \xe2\x80\x93 Bestellung %u", "AW: "},
	{"\xce\x95\xcf\x81\xcf\x8e\xcf\x84\xce\xb7\xcf\x83\xce\xb7 \xcf\x83\xcf\x87\xce\xb5"
	 "\xcf\x84\xce\xb9\xce\xba\xce\xac \xce\xbc\xce\xb5 \xcf\x84\xce\xbf \xcf\x84\xce\xb9"
	 "\xce\xbc\xce\xbf\xce\xbb\xcf\x8c\xce\xb3\xce\xb9\xce\xbf %u",
	 "RE: "}};

static const char *const WORDS[] = {
	"the", "account", "invoice", "order", "we", "you", "please", "can", "not",
	"could", "would", "update", "since", "yesterday", "today", "payment", "card",
	"team", "support", "issue", "problem", "error", "message", "screen", "page",
	"settings", "button", "after", "before", "when", "while", "again", "still",
	"already", "customer", "delivery", "package", "tracking", "number", "refund",
	"credit", "plan", "subscription", "license", "user", "users", "admin", "login",
	"password", "browser", "version", "app", "phone", "email", "address", "data",
	"export", "import", "file", "report", "dashboard", "system", "server", "week",
	"month", "contract", "price", "discount", "quote", "seats", "our", "my", "your",
	"this", "that", "it", "is", "was", "has", "have", "had", "been", "will", "to",
	"of", "and", "in", "on", "for", "with", "from", "at", "by", "about", "as", "but",
	"or", "if", "so", "also", "just", "only", "all", "any", "some", "more", "less",
	"new", "old", "same", "different", "correct", "wrong", "missing", "broken",
	"working", "fixed", "changed", "checked", "tried", "received", "sent", "shows",
	"see", "need", "know", "think", "help", "thanks", "quickly", "soon", "later",
	"colleague", "manager", "department", "office", "project", "access", "backup",
	"calendar", "notification", "integration", "token", "key", "link", "field",
	"column", "line", "total", "amount", "tax", "currency", "shipping", "warehouse"};
static const char *const OPENER[] = {
	"I", "We", "Our team", "My colleague", "The app", "Your system", "Since Monday",
	"Unfortunately", "As discussed", "Just to confirm", "In addition",
	"Thank you for", "I checked and", "It seems that", "Could you", "Please"};
/* Sentences that start a paragraph with "From ": escaped in an mbox. */
static const char *const FROMLINE[] = {
	"From what I can see in the logs, the",
	"From my side everything looks fine, but the",
	"From Monday on, our",
	"From the screenshot you sent, the",
	"From: line in the forwarded mail shows that the",
	"From now on we will use the",
	"From our accounting department: the"};
static const char *const GREETING[] = {
	"Hello,", "Hi,", "Dear support team,", "Hello %s,", "Hi %s,", "Dear %s,",
	"Good morning,", "Hey there,"};
static const char *const IGREETING[] = {
	"Guten Tag,", "Bonjour,", "Hola,", "\xd0\x97\xd0\xb4\xd1\x80\xd0\xb0\xd0\xb2\xd1"
	"\x81\xd1\x82\xd0\xb2\xd1\x83\xd0\xb9\xd1\x82\xd0\xb5,",
	"\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf\xe3\x80\x81",
	"Buongiorno,", "Dzie\xc5\x84 dobry,", "Ol\xc3\xa1,"};
static const char *const CLOSING[] = {
	"Best regards,", "Thanks,", "Kind regards,", "Cheers,", "Thank you,",
	"Regards,", "Many thanks,"};

/* The charsets of the field's mail (-u leaves them out): a subject, a
 * display name and a sentence in each, as the bytes of that charset. */
struct loc {
	const char *cs;	  /* label */
	char mode;	  /* RFC 2047 encoding its mailers use */
	const char *subj; /* printf format: %u is the number */
	const char *pre;  /* reply prefix */
	const char *name, *local;
	const char *body;
};
static const struct loc LOC[] = {
	{"iso-8859-1", 'Q',
	 "Probl\xe8me de facturation n\xb0 %u",
	 "RE: ",
	 "H\xe9l\xe8ne Dupr\xe9", "helene.dupre",
	 "Bonjour, je n'ai pas re\xe7u la facture du mois dernier. Pourriez-vous v\xe9rifier ma commande ? Merci d'avance, \xe0 bient\xf4t."},
	{"iso-8859-2", 'Q',
	 "Zam\xf3wienie %u nie dotar\xb3o",
	 "Odp: ",
	 "\xa3ukasz Wr\xf3" "bel", "lukasz.wrobel",
	 "Dzie\xf1 dobry, moje zam\xf3wienie jeszcze nie dotar\xb3o. Prosz\xea o sprawdzenie statusu przesy\xb3ki. Pozdrawiam serdecznie."},
	{"iso-8859-15", 'Q',
	 "R\xfc" "ckerstattung von %u \xa4 f\xfcr meine Bestellung",
	 "AW: ",
	 "J\xfcrgen Gr\xf6\xdf" "er", "juergen.groesser",
	 "Guten Tag, ich habe die R\xfc" "ckerstattung \xfc" "ber 49 \xa4 noch nicht erhalten. K\xf6nnen Sie bitte nachsehen? Mit freundlichen Gr\xfc\xdf" "en."},
	{"windows-1250", 'Q',
	 "Objedn\xe1vka %u \x96 \x9apatn\xe9 zbo\x9e\xed",
	 "Odp: ",
	 "Tom\xe1\x9a Dvo\xf8\xe1k", "tomas.dvorak",
	 "Dobr\xfd den, obdr\x9e" "el jsem \x9apatn\xe9 zbo\x9e\xed. Pros\xedm o v\xfdm\xecnu co nejd\xf8\xedve. D\xeckuji za pochopen\xed."},
	{"windows-1251", 'B',
	 "\xcd\xe5 \xf0\xe0\xe1\xee\xf2\xe0\xe5\xf2 \xe2\xf5\xee\xe4 \xe2 \xe0\xea\xea\xe0\xf3\xed\xf2 %u",
	 "Re: ",
	 "\xc4\xec\xe8\xf2\xf0\xe8\xe9 \xd1\xee\xea\xee\xeb\xee\xe2", "dmitry.sokolov",
	 "\xc7\xe4\xf0\xe0\xe2\xf1\xf2\xe2\xf3\xe9\xf2\xe5, \xff \xed\xe5 \xec\xee\xe3\xf3 \xe2\xee\xe9\xf2\xe8 \xe2 \xf1\xe2\xee\xe9 \xe0\xea\xea\xe0\xf3\xed\xf2 \xef\xee\xf1\xeb\xe5 \xee\xe1\xed\xee\xe2\xeb\xe5\xed\xe8\xff. \xcf\xee\xe6\xe0\xeb\xf3\xe9\xf1\xf2\xe0, \xef\xee\xec\xee\xe3\xe8\xf2\xe5. \xd1\xef\xe0\xf1\xe8\xe1\xee."},
	{"windows-1252", 'Q',
	 "Pedido %u \x96 \x93urgente\x94",
	 "RE: ",
	 "Jos\xe9 Mu\xf1oz", "jose.munoz",
	 "Hola, el pedido todav\xed" "a no ha llegado y necesito una soluci\xf3n \x93urgente\x94. Gracias por su ayuda\x85"},
	{"windows-1256", 'B',
	 "\xe3\xd4\xdf\xe1\xc9 \xdd\xed \xc7\xe1\xdd\xc7\xca\xe6\xd1\xc9 \xd1\xde\xe3 %u",
	 "\xd1\xcf: ",
	 "\xe3\xcd\xe3\xcf \xc7\xe1\xda\xe1\xed", "mohammed.alali",
	 "\xe3\xd1\xcd\xc8\xc7\xa1 \xe1\xe3 \xc3\xd3\xca\xe1\xe3 \xc7\xe1\xdd\xc7\xca\xe6\xd1\xc9 \xcd\xca\xec \xc7\xe1\xc2\xe4. \xc3\xd1\xcc\xe6 \xc7\xe1\xe3\xd3\xc7\xda\xcf\xc9 \xdd\xed \xc3\xde\xd1\xc8 \xe6\xde\xca. \xd4\xdf\xd1\xc7 \xe1\xdf\xe3."},
	{"koi8-r", 'B',
	 "\xf7\xcf\xda\xd7\xd2\xc1\xd4 \xd3\xd2\xc5\xc4\xd3\xd4\xd7 \xd0\xcf \xda\xc1\xcb\xc1\xda\xd5 %u",
	 "Re: ",
	 "\xe1\xce\xce\xc1 \xeb\xd5\xda\xce\xc5\xc3\xcf\xd7\xc1", "anna.kuznetsova",
	 "\xe4\xcf\xc2\xd2\xd9\xca \xc4\xc5\xce\xd8, \xd0\xd2\xcf\xdb\xd5 \xd7\xc5\xd2\xce\xd5\xd4\xd8 \xc4\xc5\xce\xd8\xc7\xc9 \xda\xc1 \xda\xc1\xcb\xc1\xda. \xf4\xcf\xd7\xc1\xd2 \xd0\xd2\xc9\xdb\xa3\xcc \xd0\xcf\xd7\xd2\xc5\xd6\xc4\xa3\xce\xce\xd9\xcd. \xf3 \xd5\xd7\xc1\xd6\xc5\xce\xc9\xc5\xcd."},
	{"gb2312", 'B',
	 "\xb6\xa9\xb5\xa5 %u \xc3\xbb\xd3\xd0\xca\xd5\xb5\xbd",
	 "\xbb\xd8\xb8\xb4: ",
	 "\xc0\xee\xc4\xc8", "li.na",
	 "\xc4\xfa\xba\xc3\xa3\xac\xce\xd2\xb5\xc4\xb6\xa9\xb5\xa5\xbb\xb9\xc3\xbb\xd3\xd0\xca\xd5\xb5\xbd\xa3\xac\xc7\xeb\xb0\xef\xce\xd2\xb2\xe9\xd2\xbb\xcf\xc2\xce\xef\xc1\xf7\xd0\xc5\xcf\xa2\xa1\xa3\xd0\xbb\xd0\xbb\xa3\xa1"},
	{"gbk", 'B',
	 "\xb7\xa2\xc6\xb1 %u \xbd\xf0\xb6\xee\xb4\xed\xce\xf3",
	 "\xb4\xf0\xb8\xb4: ",
	 "\xcd\xf5\x88\xd2", "wang.kun",
	 "\xc4\xfa\xba\xc3\xa3\xac\xb7\xa2\xc6\xb1\xc9\xcf\xb5\xc4\xbd\xf0\xb6\xee\xb2\xbb\xb6\xd4\xa3\xac\xc7\xeb\xd6\xd8\xd0\xc2\xbf\xaa\xbe\xdf\xa1\xa3\xc2\xe9\xb7\xb3\xc1\xcb\xa3\xac\xd0\xbb\xd0\xbb\xa1\xa3"},
	{"big5", 'B',
	 "\xb1" "b\xa4\xe1 %u \xb5L\xaak\xb5n\xa4J",
	 "\xa6^\xc2\xd0: ",
	 "\xb3\xaf\xa7\xd3\xa9\xfa", "chen.zhiming",
	 "\xb1z\xa6n\xa1" "A\xa7\xda\xaa\xba\xb1" "b\xa4\xe1\xb5L\xaak\xb5n\xa4J\xa1" "A\xb1K\xbdX\xad\xab\xb3]\xb3s\xb5\xb2\xa4]\xa5\xa2\xae\xc4\xa4" "F\xa1" "C\xbd\xd0\xa8\xf3\xa7U\xb3" "B\xb2z\xa1" "A\xc1\xc2\xc1\xc2\xa1" "C"},
	{"iso-2022-jp", 'B',
	 "\x1b$BCmJ8\x1b(B %u \x1b$B$NG[Aw$K$D$$$F\x1b(B",
	 "Re: ",
	 "\x1b$B:4F#\x1b(B \x1b$B2V;R\x1b(B", "hanako.sato",
	 "\x1b$B$*@$OC$K$J$C$F$*$j$^$9!#CmJ8$7$?>&IJ$,$^$@FO$$$F$$$^$;$s!#3NG'$r$*4j$$$$$?$7$^$9!#\x1b(B"},
	{"shift_jis", 'B',
	 "\x90\xbf\x8b\x81\x8f\x91 %u \x82\xcc\x8d\xc4\x94\xad\x8ds",
	 "RE: ",
	 "\x97\xe9\x96\xd8 \x88\xea\x98Y", "ichiro.suzuki",
	 "\x82\xa2\x82\xc2\x82\xe0\x82\xa8\x90\xa2\x98" "b\x82\xc9\x82\xc8\x82\xc1\x82\xc4\x82\xa8\x82\xe8\x82\xdc\x82\xb7\x81" "B\x90\xbf\x8b\x81\x8f\x91\x82\xcc\x8d\xc4\x94\xad\x8ds\x82\xf0\x82\xa8\x8a\xe8\x82\xa2\x82\xc5\x82\xab\x82\xdc\x82\xb7\x82\xc5\x82\xb5\x82\xe5\x82\xa4\x82\xa9\x81" "B\x82\xe6\x82\xeb\x82\xb5\x82\xad\x82\xa8\x8a\xe8\x82\xa2\x82\xb5\x82\xdc\x82\xb7\x81" "B"},
	{"euc-kr", 'B',
	 "\xc1\xd6\xb9\xae %u \xc8\xaf\xba\xd2 \xbf\xe4\xc3\xbb",
	 "RE: ",
	 "\xb9\xda\xb9\xce\xc1\xd8", "minjun.park",
	 "\xbe\xc8\xb3\xe7\xc7\xcf\xbc\xbc\xbf\xe4, \xc1\xd6\xb9\xae\xc7\xd1 \xbb\xf3\xc7\xb0\xc0\xbb \xc8\xaf\xba\xd2\xc7\xcf\xb0\xed \xbd\xcd\xbd\xc0\xb4\xcf\xb4\xd9. \xba\xfc\xb8\xa5 \xc3\xb3\xb8\xae \xba\xce\xc5\xb9\xb5\xe5\xb8\xb3\xb4\xcf\xb4\xd9. \xb0\xa8\xbb\xe7\xc7\xd5\xb4\xcf\xb4\xd9."},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define NLOC ((uint32_t)NELEM(LOC))

/* -u: only UTF-8, US-ASCII and Latin-1 (the mail of earlier versions) */
static int fastmix;

/* The label a mailer wrote for charset cs: now and then a wrong or an
 * unknown one, as in the field. */
static const char *label(const char *cs, uint64_t *r)
{
	static const char *const wrong[][2] = {
		{"iso-8859-1", "us-ascii"}, {"windows-1252", "unknown-8bit"},
		{"gbk", "gb2312"}, {"euc-kr", "ks_c_5601-1987"},
		{"windows-1251", "x-cp1251"}, {"utf-8", "iso-8859-1"},
		{"windows-1250", "x-unknown"}};
	size_t i;
	if (!chance(r, 0.06))
		return cs;
	for (i = 0; i < NELEM(wrong); i++)
		if (!strcmp(wrong[i][0], cs))
			return wrong[i][1];
	return cs;
}

/* ---------------------------------------------------------------- people */

#define NCUSTOMERS 60000u
#define AGENT_BASE 0x40000000u

struct person {
	char name[96];  /* display name, UTF-8, may be empty */
	char addr[128]; /* local@domain */
	int enc;	/* name needs RFC 2047 */
	int style;	/* GMAIL .. DESK */
	int tz;		/* minutes east of UTC */
	int quote_nospace; /* quotes with ">" and no space */
	int pad;	/* zero-padded day in Date */
	int loc;	/* name in LOC[loc]'s charset (enc 2), else -1 */
	const char *domain;
};

static void lower_ascii(char *s)
{
	for (; *s; s++) {
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
		else if (*s == ' ' || *s == '\'')
			*s = '.';
	}
}

static void person(uint64_t seed, uint32_t id, struct person *p)
{
	uint64_t r = hash3(seed, 0x9e50, id), r2 = hash3(seed, 0x9e51, id);
	memset(p, 0, sizeof *p);
	p->loc = -1;
	if (id >= AGENT_BASE) {
		const char *n = AGENT[(id - AGENT_BASE) % NELEM(AGENT)];
		char local[64];
		snprintf(p->name, sizeof p->name, "%s", n);
		snprintf(local, sizeof local, "%s", n);
		lower_ascii(local);
		snprintf(p->addr, sizeof p->addr, "%s@support.example.com", local);
		p->domain = "support.example.com";
		p->style = DESK;
		p->tz = (id - AGENT_BASE) % 5 == 4 ? -300 : 60;
		p->pad = 1;
		return;
	}
	p->domain = DOMAIN[rnd(&r, NELEM(DOMAIN))];
	if (chance(&r, 0.10)) {
		uint32_t i = rnd(&r, NELEM(UNAME));
		p->enc = 1;
		snprintf(p->name, sizeof p->name, "%s", UNAME[i][0]);
		snprintf(p->addr, sizeof p->addr, "%s%u@%s", UNAME[i][1], id % 97, p->domain);
	} else {
		const char *f = FIRST[rnd(&r, NELEM(FIRST))];
		const char *l = LAST[rnd(&r, NELEM(LAST))];
		char local[96];
		uint32_t form = rnd(&r, 10);
		if (form == 0)
			snprintf(p->name, sizeof p->name, "%s, %s", l, f);
		else if (form == 1)
			p->name[0] = 0; /* bare address */
		else
			snprintf(p->name, sizeof p->name, "%s %s", f, l);
		if (rnd(&r, 3) == 0)
			snprintf(local, sizeof local, "%c%s%u", f[0], l, id % 1000);
		else
			snprintf(local, sizeof local, "%s.%s", f, l);
		lower_ascii(local);
		snprintf(p->addr, sizeof p->addr, "%s@%s", local, p->domain);
	}
	if (!fastmix && !p->enc && chance(&r2, 0.25)) {
		p->loc = (int)rnd(&r2, NLOC);
		p->enc = 2;
		snprintf(p->name, sizeof p->name, "%s", LOC[p->loc].name);
		snprintf(p->addr, sizeof p->addr, "%s%u@%s", LOC[p->loc].local, id % 97, p->domain);
	}
	if (!strcmp(p->domain, "gmail.com"))
		p->style = GMAIL;
	else if (!strcmp(p->domain, "outlook.com") || !strcmp(p->domain, "hotmail.com"))
		p->style = OUTLOOK;
	else if (!strcmp(p->domain, "icloud.com"))
		p->style = APPLE;
	else if (!strcmp(p->domain, "web.de") || !strcmp(p->domain, "gmx.de") ||
		 !strcmp(p->domain, "orange.fr") || !strcmp(p->domain, "yahoo.com"))
		p->style = WEBMAIL;
	else {
		static const int corp[] = {OUTLOOK, OUTLOOK, THUNDERBIRD, APPLE, WEBMAIL};
		p->style = corp[rnd(&r, NELEM(corp))];
	}
	p->tz = TZS[rnd(&r, NELEM(TZS))];
	p->quote_nospace = chance(&r, 0.15);
	p->pad = p->style == OUTLOOK || p->style == WEBMAIL;
}

/* ------------------------------------------------------------- RFC 2047 */

/* n bytes as base64; wrap: in lines of 76 characters, each ended. */
static void put_b64(struct buf *b, const unsigned char *s, size_t n, int wrap)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, col = 0;
	for (i = 0; i < n; i += 3) {
		size_t left = n - i;
		unsigned v = (unsigned)s[i] << 16;
		if (left > 1)
			v |= (unsigned)s[i + 1] << 8;
		if (left > 2)
			v |= s[i + 2];
		bputc(b, b64[v >> 18 & 63]);
		bputc(b, b64[v >> 12 & 63]);
		bputc(b, left > 1 ? b64[v >> 6 & 63] : '=');
		bputc(b, left > 2 ? b64[v & 63] : '=');
		if (wrap && ((col += 4) == 76 || i + 3 >= n)) {
			bputc(b, '\n');
			col = 0;
		}
	}
}

/* Append str as RFC 2047 encoded words ('B' or 'Q' encoding), each at most
 * 75 characters and never splitting a UTF-8 character (bytewise: any
 * character of another charset may be split); the second and later
 * words go on folded continuation lines.  col: the column where the first
 * word starts (it is made shorter to keep that line within 78). */
static void enc2047(struct buf *b, const char *str, int mode, const char *cs, size_t col,
		    int bytewise)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0, over = strlen(cs) + 7; /* =?cs?X? ?= */
	while (i < n) {
		size_t j = i, pay = 0, maxpay = 75 - over, k;
		if (i == 0 && col + 75 > 78 && 78 - col > over + 16)
			maxpay = 78 - col - over;
		while (j < n) {
			size_t cl = 1, cost = 0;
			if (bytewise)
				cl = 1;
			else if (s[j] >= 0xf0)
				cl = 4;
			else if (s[j] >= 0xe0)
				cl = 3;
			else if (s[j] >= 0xc0)
				cl = 2;
			if (j + cl > n)
				cl = n - j;
			if (mode == 'B')
				cost = (j + cl - i + 2) / 3 * 4;
			else {
				for (k = j; k < j + cl; k++)
					cost += s[k] == ' ' || (s[k] > ' ' && s[k] < 0x7f &&
								s[k] != '=' && s[k] != '?' &&
								s[k] != '_') ? 1 : 3;
				cost += pay;
			}
			if (cost > maxpay && j > i)
				break;
			pay = cost;
			j += cl;
		}
		if (i > 0)
			bputs(b, "\n ");
		bprintf(b, "=?%s?%c?", cs, mode);
		if (mode == 'B')
			put_b64(b, s + i, j - i, 0);
		else {
			for (k = i; k < j; k++) {
				if (s[k] == ' ')
					bputc(b, '_');
				else if (s[k] > ' ' && s[k] < 0x7f && s[k] != '=' && s[k] != '?' &&
					 s[k] != '_')
					bputc(b, (char)s[k]);
				else
					bprintf(b, "=%02X", s[k]);
			}
		}
		bputs(b, "?=");
		i = j;
	}
}

/* ---------------------------------------------------------------- threads */

struct tmsg {
	int64_t t;	 /* sent, UTC seconds */
	uint32_t parent; /* index in thread; UINT32_MAX for the root */
	uint32_t who;	 /* person id */
	char id[112];	 /* Message-ID with <> */
};

struct thread {
	uint64_t no, h;
	uint32_t size, n;
	uint32_t cust, coll, agent, agent2;
	int has_coll, intl;
	int loc;	/* subject and customer's bodies in LOC[loc]'s charset, or -1 */
	uint32_t topic, num;
	struct tmsg *m;
};

struct ev {
	int64_t t;
	uint64_t seq;
	struct thread *th;
};

static struct ev *heap;
static size_t nheap, capheap;

static int evless(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void hpush(struct ev e)
{
	size_t i;
	if (nheap == capheap) {
		capheap = capheap ? capheap * 2 : 1024;
		heap = realloc(heap, capheap * sizeof *heap);
		if (!heap) {
			fputs("genmbox: out of memory\n", stderr);
			exit(1);
		}
	}
	i = nheap++;
	while (i > 0 && evless(&e, &heap[(i - 1) / 2])) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = e;
}

static struct ev hpop(void)
{
	struct ev top = heap[0], last = heap[--nheap];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= nheap)
			break;
		if (c + 1 < nheap && evless(&heap[c + 1], &heap[c]))
			c++;
		if (!evless(&heap[c], &last))
			break;
		heap[i] = heap[c];
		i = c;
	}
	if (nheap)
		heap[i] = last;
	return top;
}

/* Thread size: many 1-3, a long tail; mean about 2.6 (60% replies). */
static uint32_t thread_size(uint64_t *r)
{
	double u = frand(r);
	if (u < 0.58)
		return 1;
	if (u < 0.78)
		return 2;
	if (u < 0.88)
		return 3;
	if (u < 0.95)
		return 4 + rnd(r, 3);
	if (u < 0.99)
		return 7 + rnd(r, 14);
	if (u < 0.999)
		return 21 + rnd(r, 60);
	return 81 + rnd(r, 220);
}

/* Delay before the next message of a thread, seconds. */
static int64_t reply_delay(uint64_t *r)
{
	double u = frand(r);
	if (u < 0.35)
		return 60 + rnd(r, 3600);
	if (u < 0.80)
		return 3600 + rnd(r, 86400);
	if (u < 0.97)
		return 86400 + rnd(r, 5 * 86400);
	return 6 * 86400 + rnd(r, 20 * 86400);
}

static void make_msgid(struct thread *th, uint32_t k, const struct person *p, uint64_t h)
{
	static const char b64u[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_-";
	char *id = th->m[k].id;
	size_t sz = sizeof th->m[k].id;
	uint64_t r = h ^ 0x1d;
	uint64_t a = splitmix(&r), b = splitmix(&r), c = splitmix(&r);
	struct tmv d = civil(th->m[k].t);
	switch (p->style) {
	case GMAIL: {
		char s[48];
		int i;
		for (i = 0; i < 40; i++)
			s[i] = b64u[splitmix(&r) & 63];
		s[40] = 0;
		snprintf(id, sz, "<CA%c%s@mail.gmail.com>", "BCJ"[a % 3], s);
		break;
	}
	case OUTLOOK: {
		unsigned pod = (unsigned)(b % 9000 + 1000);
		snprintf(id, sz, "<AM9PR04MB%u%08llX%04llX@AM9PR04MB%u.eurprd04.prod.outlook.com>",
			 pod, (unsigned long long)(a & 0xffffffff), (unsigned long long)(c & 0xffff),
			 pod);
		break;
	}
	case THUNDERBIRD:
		snprintf(id, sz, "<%08llx-%04llx-%04llx-%04llx-%012llx@%s>",
			 (unsigned long long)(a >> 32), (unsigned long long)(a & 0xffff),
			 (unsigned long long)(0x4000 | (b & 0x0fff)),
			 (unsigned long long)(0x8000 | (b >> 20 & 0x3fff)),
			 (unsigned long long)(c & 0xffffffffffffULL), p->domain);
		break;
	case APPLE:
		snprintf(id, sz, "<%08llX-%04llX-%04llX-%04llX-%012llX@%s>",
			 (unsigned long long)(a >> 32), (unsigned long long)(a & 0xffff),
			 (unsigned long long)(b & 0xffff), (unsigned long long)(b >> 48),
			 (unsigned long long)(c & 0xffffffffffffULL), p->domain);
		break;
	case WEBMAIL:
		snprintf(id, sz, "<%04d%02u%02u%02u%02u%02u.%llX@%s>", d.year, d.mon, d.day,
			 d.hour, d.min, d.sec, (unsigned long long)(a & 0xffffffffffULL),
			 p->domain);
		break;
	default:
		snprintf(id, sz, "<desk.%llu.%llx@support.example.com>",
			 (unsigned long long)th->no, (unsigned long long)(a & 0xffffffffffULL));
		break;
	}
}

/* ------------------------------------------------------------------ body */

static void text_word(struct buf *line, struct buf *out, const char *w)
{
	size_t n = strlen(w);
	if (line->len && line->len + 1 + n > 72) {
		bput(out, line->p, line->len);
		bputc(out, '\n');
		line->len = 0;
	}
	if (line->len)
		bputc(line, ' ');
	bput(line, w, n);
}

/* The sender's own words: paragraphs of sentences, about len bytes.
 * Returns how many lines begin with "From ". */
static int own_text(struct buf *out, uint64_t h, size_t len, const struct person *from,
		    const struct person *to, int intl)
{
	uint64_t r = h ^ 0x7e47;
	static struct buf line;
	size_t start = out->len;
	int froms = 0, fromp = -1, para = 0;
	char tmp[160];
	if (chance(&r, 0.04))
		fromp = (int)rnd(&r, 3); /* this paragraph starts with "From " */
	if (intl && chance(&r, 0.6))
		bputs(out, IGREETING[rnd(&r, NELEM(IGREETING))]);
	else {
		const char *g = GREETING[rnd(&r, NELEM(GREETING))];
		char first[64] = "";
		if (!strcmp(to->addr, "support@example.com") && strstr(g, "%s"))
			g = GREETING[2];
		sscanf(to->name[0] && to->enc != 2 ? to->name : "there", "%63s", first);
		if (strchr(first, ','))
			*strchr(first, ',') = 0;
		snprintf(tmp, sizeof tmp, g, first);
		bputs(out, tmp);
	}
	bputs(out, "\n\n");
	while (out->len - start < len) {
		int s, ns = 1 + (int)rnd(&r, 5);
		line.len = 0;
		for (s = 0; s < ns; s++) {
			int w, nw = 5 + (int)rnd(&r, 12);
			const char *op;
			if (s == 0 && para == fromp) {
				op = FROMLINE[rnd(&r, NELEM(FROMLINE))];
				froms++;
			} else
				op = OPENER[rnd(&r, NELEM(OPENER))];
			/* an opener may hold several words; wrap them one by one */
			snprintf(tmp, sizeof tmp, "%s", op);
			{
				char *save = tmp, *tok;
				while ((tok = save) != NULL) {
					char *sp = strchr(tok, ' ');
					if (sp)
						*sp = 0, save = sp + 1;
					else
						save = NULL;
					text_word(&line, out, tok);
				}
			}
			for (w = 0; w < nw; w++) {
				const char *wd = WORDS[rnd(&r, NELEM(WORDS))];
				if (w == nw - 1) {
					snprintf(tmp, sizeof tmp, "%s%s", wd,
						 chance(&r, 0.15) ? "?" : ".");
					text_word(&line, out, tmp);
				} else if (chance(&r, 0.03)) {
					snprintf(tmp, sizeof tmp, "#%u",
						 (unsigned)(10000 + rnd(&r, 90000)));
					text_word(&line, out, tmp);
				} else
					text_word(&line, out, wd);
			}
		}
		bput(out, line.p, line.len);
		bputs(out, "\n\n");
		para++;
	}
	snprintf(tmp, sizeof tmp, "%s\n", CLOSING[rnd(&r, NELEM(CLOSING))]);
	bputs(out, tmp);
	if (from->style == DESK)
		bprintf(out, "%s\n-- \nExample Support | support@example.com\n"
			     "Mon-Fri 8:00-18:00 CET | https://support.example.com/\n",
			from->name);
	else {
		char first[64] = "";
		sscanf(from->name[0] && from->enc != 2 ? from->name : from->addr, "%63s", first);
		if (strchr(first, ','))
			*strchr(first, ',') = 0;
		bprintf(out, "%s\n", first);
	}
	return froms;
}

/* Body sizes: 0.5-6 KB, skewed to short. */
static size_t body_len(uint64_t h)
{
	uint64_t r = h ^ 0xb0d1;
	double u = frand(&r);
	return 500 + (size_t)(5500.0 * u * u * u * u * u);
}

/* ------------------------------------------------------------------ main */

struct stats {
	uint64_t msgs, threads, replies, bytes, fromlines, quotedfrom, encnames, encsubj;
	uint32_t longest;
};

static const char *maildir;
static FILE *truth;
static struct stats st;

/* Who message k of a thread is written to: the sender of its parent, or the
 * desk for a root. */
static void recipient(uint64_t seed, const struct thread *th, uint32_t k, struct person *p)
{
	uint32_t parent = th->m[k].parent;
	if (parent != UINT32_MAX && th->m[parent].who != th->m[k].who) {
		person(seed, th->m[parent].who, p);
		return;
	}
	if (th->m[k].who != th->cust) {
		person(seed, th->cust, p);
		return;
	}
	person(seed, AGENT_BASE, p);
	snprintf(p->name, sizeof p->name, "Example Support");
	snprintf(p->addr, sizeof p->addr, "support@example.com");
}

/* Length of the sender's own words in message with hash h. */
static size_t own_len(uint64_t h, int reply)
{
	size_t len = body_len(h);
	return reply ? len * (4 + (size_t)(h >> 40) % 5) / 10 : len;
}

static void put_addr(struct buf *b, const char *hdr, const struct person *p, int mode)
{
	bputs(b, hdr);
	if (p->enc) {
		if (p->enc == 2) {
			uint64_t r = hash3(0x1abe1, (uint64_t)p->loc, strlen(p->addr) + (uint64_t)hdr[0]);
			enc2047(b, p->name, LOC[p->loc].mode, label(LOC[p->loc].cs, &r), strlen(hdr), 1);
		} else
			enc2047(b, p->name, mode, p->style == OUTLOOK ? "utf-8" : "UTF-8", strlen(hdr),
				0);
		bprintf(b, " <%s>\n", p->addr);
		st.encnames++;
	} else if (!p->name[0])
		bprintf(b, "%s\n", p->addr);
	else if (strchr(p->name, ',') || strchr(p->name, '\''))
		bprintf(b, "\"%s\" <%s>\n", p->name, p->addr);
	else
		bprintf(b, "%s <%s>\n", p->name, p->addr);
}

/* Outlook's Thread-Index: 22 bytes of the thread's first message, 5 more
 * for every reply on the way to message k; and Thread-Topic when the
 * subject is plain. */
static void thread_index(struct buf *b, const struct thread *th, uint32_t k, uint64_t seed,
			 const char *subject)
{
	unsigned char ti[22 + 5 * 64];
	uint32_t chain[64], nc = 0, p, i;
	size_t n = 0;
	uint64_t r = hash3(seed, 0x7171, th->no);
	for (p = k; p != UINT32_MAX && nc < 64; p = th->m[p].parent)
		chain[nc++] = p;
	for (i = 0; i < 22; i++)
		ti[n++] = (unsigned char)splitmix(&r);
	for (i = nc - 1; i-- > 0;) {
		uint64_t q = hash3(seed, th->no, chain[i]) ^ 0x71;
		for (int j = 0; j < 5; j++)
			ti[n++] = (unsigned char)splitmix(&q);
	}
	if (subject[0])
		bprintf(b, "Thread-Topic: %s\n", subject);
	bputs(b, "Thread-Index: ");
	put_b64(b, ti, n, 0);
	bputc(b, '\n');
}

/* src as quoted-printable (mode 'Q') or base64 lines into b. */
static void put_encoded(struct buf *b, const struct buf *src, int mode)
{
	const unsigned char *s = (const unsigned char *)src->p;
	size_t n = src->len, i, col = 0;
	if (mode != 'Q') {
		put_b64(b, s, n, 1);
		return;
	}
	for (i = 0; i < n; i++) {
		int lit = s[i] >= 33 && s[i] <= 126 && s[i] != '=';
		lit |= s[i] == ' ' && i + 1 < n && s[i + 1] != '\n';
		if (s[i] == '\n') {
			bputc(b, '\n');
			col = 0;
			continue;
		}
		if (col + (lit ? 1 : 3) > 75) {
			bputs(b, "=\n");
			col = 0;
		}
		if (lit)
			bputc(b, (char)s[i]);
		else
			bprintf(b, "=%02X", s[i]);
		col += lit ? 1 : 3;
	}
}

/* Message k of thread th (headers and body, without From_ line) into b;
 * *recv: when the desk's mail server received it. */
static void build(struct buf *b, struct thread *th, uint32_t k, uint64_t seed,
		  int64_t *recv)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char *const nets[] = {"192.0.2", "198.51.100", "203.0.113"};
	static struct buf tmp, own, quoted, bodyb;
	struct buf *body;
	struct tmsg *m = &th->m[k];
	uint64_t h = hash3(seed, th->no, k), r = h, r2;
	struct person from, to;
	int reply = m->parent != UINT32_MAX;
	char subject[256];
	int i, j;

	person(seed, m->who, &from);
	recipient(seed, th, k, &to);
	*recv = m->t + 1 + rnd(&r, 40);

	/* trace headers */
	bprintf(b, "Return-Path: <%s>\n", from.addr);
	if (from.style == DESK) {
		bprintf(b, "Received: by mail.support.example.com (Postfix, from userid 1001)\n"
			   "\tid 4%c%c%llX; ",
			"BCDFGHJKLMNPQRSTVWXZ"[rnd(&r, 20)], "bcdfghjklmnpqrstvwxz"[rnd(&r, 20)],
			(unsigned long long)(splitmix(&r) & 0xffffffffffULL));
	} else {
		unsigned ip = rnd(&r, 254) + 1;
		const char *net = nets[rnd(&r, 3)];
		char host[64];
		snprintf(host, sizeof host, "mail-%c%c1-f%u.%s", 'a' + (int)(ip % 26),
			 'a' + (int)(ip % 23), ip, from.domain);
		bprintf(b, "Received: from %s (%s [%s.%u])\n"
			   "\tby mx1.support.example.com (Postfix) with ESMTPS id 4%c%llX\n"
			   "\tfor <support@example.com>; ",
			host, host, net, ip, "BCDFGHJKLMNPQRSTVWXZ"[rnd(&r, 20)],
			(unsigned long long)(splitmix(&r) & 0xffffffffffffULL));
	}
	rfcdate(b, *recv, 0, 0, "UTC");
	bputc(b, '\n');
	if (from.style == GMAIL || from.style == OUTLOOK) {
		bprintf(b, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
			   "        d=%s; s=%s; t=%lld; x=%lld; darn=example.com;\n"
			   "        h=to:subject:message-id:date:from:in-reply-to:references\n"
			   "         :mime-version:from:to:cc:subject:date:message-id:reply-to;\n"
			   "        bh=",
			from.domain, from.style == GMAIL ? "20230601" : "selector1",
			(long long)m->t, (long long)m->t + 604800);
		for (i = 0; i < 43; i++)
			bputc(b, b64[splitmix(&r) & 63]);
		bputs(b, "=;\n        b=");
		for (j = 0; j < 5; j++) {
			for (i = 0; i < (j ? 70 : 66); i++)
				bputc(b, b64[splitmix(&r) & 63]);
			bputs(b, j < 4 ? "\n         " : "==\n");
		}
	}

	/* originator fields */
	make_msgid(th, k, &from, h);
	bprintf(b, "Message-ID: %s\n", m->id);
	bputs(b, "Date: ");
	rfcdate(b, m->t, from.tz, from.pad,
		from.style == WEBMAIL && from.tz == 60 ? "CET" : NULL);
	bputc(b, '\n');
	put_addr(b, "From: ", &from, k % 2 ? 'B' : 'Q');
	put_addr(b, "To: ", &to, 'Q');
	if (th->has_coll && (m->who == th->cust || m->who == th->coll) && chance(&r, 0.7)) {
		struct person cc;
		person(seed, m->who == th->cust ? th->coll : th->cust, &cc);
		put_addr(b, "Cc: ", &cc, 'Q');
	}

	/* Subject: replies keep the root's subject behind a prefix */
	r2 = hash3(h, 0x5b1, 0);
	if (th->loc >= 0) {
		const struct loc *l = &LOC[th->loc];
		const char *pre = reply ? l->pre : "";
		snprintf(subject, sizeof subject, l->subj, th->num);
		tmp.len = 0;
		if (chance(&r2, 0.02)) /* raw bytes: no encoded words */
			bprintf(b, "Subject: %s%s", pre, subject);
		else if (reply && (k % 3 == 0 || (unsigned char)pre[0] >= 0x80)) {
			bputs(&tmp, pre);
			bputs(&tmp, subject);
			bputs(b, "Subject: ");
			enc2047(b, tmp.p, l->mode, label(l->cs, &r2), 9, 1);
		} else {
			bprintf(b, "Subject: %s", pre);
			enc2047(b, subject, k % 2 ? l->mode : 'B', label(l->cs, &r2), 9 + strlen(pre),
				1);
		}
		bputc(b, '\n');
		st.encsubj++;
		subject[0] = 0;
	} else if (th->intl) {
		const char *pre = reply ? USUBJ[th->topic][1] : "";
		snprintf(subject, sizeof subject, USUBJ[th->topic][0], th->num);
		if (reply && k % 3 == 0) { /* prefix inside the encoded text */
			tmp.len = 0;
			bputs(&tmp, pre);
			bputs(&tmp, subject);
			bputs(b, "Subject: ");
			enc2047(b, tmp.p, 'B', fastmix ? "utf-8" : label("utf-8", &r2), 9, 0);
		} else {
			bprintf(b, "Subject: %s", pre);
			enc2047(b, subject, k % 2 ? 'Q' : 'B', "UTF-8", 9 + strlen(pre), 0);
		}
		subject[0] = 0;
		bputc(b, '\n');
		st.encsubj++;
	} else {
		snprintf(subject, sizeof subject, TOPIC[th->topic], th->num);
		bprintf(b, "Subject: %s%s\n",
			reply ? (from.style == OUTLOOK ? "RE: " : "Re: ") : "", subject);
	}

	/* In-Reply-To and References: root, then at most 9 nearest ancestors */
	if (reply) {
		uint32_t chain[10], nc = 0, p, depth = 0, idx;
		size_t col = 11, n;
		int noirt = chance(&r, 0.03), norefs = !noirt && chance(&r, 0.02);
		for (p = m->parent; p != UINT32_MAX; p = th->m[p].parent, depth++)
			if (nc < 9)
				chain[nc++] = p; /* nearest first */
		if (depth > 9)
			chain[nc++] = 0; /* the root */
		if (!noirt && !fastmix && chance(&r2, 0.02)) {
			/* exmh/MH: the parent's sender, date and id */
			struct person pp;
			person(seed, th->m[m->parent].who, &pp);
			bputs(b, "In-Reply-To: Message from ");
			if (pp.name[0] && !pp.enc)
				bprintf(b, "%s <%s>", pp.name, pp.addr);
			else
				bputs(b, pp.addr);
			bputs(b, " \n   of \"");
			rfcdate(b, th->m[m->parent].t, pp.tz, 0, NULL);
			bprintf(b, ".\" %s\n", th->m[m->parent].id);
		} else if (!noirt)
			bprintf(b, "In-Reply-To: %s\n", th->m[m->parent].id);
		if (!norefs) {
			bputs(b, "References:");
			for (idx = nc; idx-- > 0;) {
				const char *id = th->m[chain[idx]].id;
				n = strlen(id);
				if (col + 1 + n > 78 && col > 11) {
					bputs(b, "\n ");
					col = 1;
				} else {
					bputc(b, ' ');
					col++;
				}
				bputs(b, id);
				col += n;
			}
			bputc(b, '\n');
		}
	}
	switch (from.style) {
	case THUNDERBIRD:
		bputs(b, "User-Agent: Mozilla Thunderbird\nContent-Language: en-US\n");
		break;
	case APPLE:
		bputs(b, "X-Mailer: Apple Mail (2.3774.300.61.1.2)\n");
		break;
	case OUTLOOK:
		if (!fastmix)
			thread_index(b, th, k, seed, subject);
		bputs(b, "Accept-Language: en-US\nContent-Language: en-US\n"
			 "X-MS-Has-Attach:\nX-MS-TNEF-Correlator:\n");
		break;
	case DESK:
		bprintf(b, "X-Desk-Agent: %s\n", from.addr);
		break;
	default:
		break;
	}
	bputs(b, "MIME-Version: 1.0\n");
	if (!fastmix && chance(&r2, 0.005)) /* a broken line: no field */
		bputs(b, "X-Mailer Microsoft Outlook 16.0\n");
	body = b;
	if (th->loc >= 0 && from.style != DESK) {
		const struct loc *l = &LOC[th->loc];
		bprintf(b, "Content-Type: text/plain; charset=\"%s\"\n"
			   "Content-Transfer-Encoding: %s\n\n",
			label(l->cs, &r2), l->mode == 'Q' ? "quoted-printable" : "base64");
		body = &bodyb;
		bodyb.len = 0;
		bputs(body, l->body);
		bputs(body, "\n\n");
	} else if (from.style == THUNDERBIRD)
		bputs(b, "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
			 "Content-Transfer-Encoding: 8bit\n\n");
	else if (th->intl || from.enc)
		bputs(b, "Content-Type: text/plain; charset=\"utf-8\"\n"
			 "Content-Transfer-Encoding: 8bit\n\n");
	else
		bputs(b, "Content-Type: text/plain; charset=\"us-ascii\"\n"
			 "Content-Transfer-Encoding: 7bit\n\n");

	/* body: own words, then for replies the parent's own words quoted */
	own.len = 0;
	st.fromlines += (uint64_t)own_text(&own, h, own_len(h, reply), &from, &to, th->intl);
	bput(body, own.p, own.len);
	if (reply) {
		uint32_t pk = m->parent;
		const struct tmsg *pm = &th->m[pk];
		uint64_t ph = hash3(seed, th->no, pk);
		size_t len = body_len(h), q = 0, budget = len > own.len ? len - own.len : 300;
		struct person pfrom, pto;
		const char *s;
		person(seed, pm->who, &pfrom);
		recipient(seed, th, pk, &pto);
		quoted.len = 0;
		own_text(&quoted, ph, own_len(ph, pm->parent != UINT32_MAX), &pfrom, &pto,
			 th->intl);
		bputs(body, "\nOn ");
		rfcdate(body, pm->t, from.tz, 0, NULL);
		bprintf(body, ", %s <%s> wrote:\n",
			pfrom.name[0] && !pfrom.enc ? pfrom.name : pfrom.addr, pfrom.addr);
		for (s = quoted.p; *s && q < budget;) {
			const char *e = strchr(s, '\n');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			if (n == 0)
				bputs(body, ">\n");
			else {
				bputs(body, from.quote_nospace ? ">" : "> ");
				bput(body, s, n);
				bputc(body, '\n');
				if (from.quote_nospace && n >= 5 && !memcmp(s, "From ", 5))
					st.quotedfrom++;
			}
			q += n + 2;
			s = e ? e + 1 : s + n;
		}
	}
	if (body != b)
		put_encoded(b, body, LOC[th->loc].mode);
}

/* Write msg as one mboxrd entry: From_ line, ">*From " lines escaped, blank line. */
static void write_mbox(FILE *f, const struct buf *b, const char *sender, int64_t recv)
{
	struct tmv c = civil(recv);
	const char *s = b->p, *end = b->p + b->len;
	fprintf(f, "From %s %s %s %2u %02u:%02u:%02u %d\n", sender, WDAY[c.wday], MON[c.mon - 1],
		c.day, c.hour, c.min, c.sec, c.year);
	while (s < end) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		const char *t = s;
		size_t n = e ? (size_t)(e - s + 1) : (size_t)(end - s);
		while (t < s + n && *t == '>')
			t++;
		if ((size_t)(s + n - t) >= 5 && !memcmp(t, "From ", 5))
			fputc('>', f);
		fwrite(s, 1, n, f);
		s += n;
	}
	fputc('\n', f);
}

static void write_maildir(const char *dir, uint64_t i, const struct buf *b, int64_t recv,
			  int isnew)
{
	char path[4096];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s/%lld.M%lluP4242.genmbox.example%s", dir,
		 isnew ? "new" : "cur", (long long)recv, (unsigned long long)i,
		 isnew ? "" : ":2,S");
	f = fopen(path, "w");
	if (!f || fwrite(b->p, 1, b->len, f) != b->len || fclose(f) != 0) {
		fprintf(stderr, "genmbox: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void mkdir_or_die(const char *d)
{
	if (mkdir(d, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "genmbox: %s: %s\n", d, strerror(errno));
		exit(1);
	}
}

static int usage(void)
{
	fputs("usage: genmbox [-uv] [-t TRUTH] [-m DIR] [N [SEED]]\n", stderr);
	return 64;
}

static int number(const char *s, unsigned long long *v)
{
	char *e;
	errno = 0;
	*v = strtoull(s, &e, 10);
	return !(errno || e == s || *e || *s == '-');
}

int main(int argc, char **argv)
{
	unsigned long long n = 200000, seed = 1;
	int verbose = 0, i;
	int64_t start, next_root;
	uint64_t arrive, seq = 0, emitted = 0, threadno = 0;
	static struct buf msg;
	static char obuf[1 << 20];

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (!strcmp(argv[i], "-u"))
			fastmix = 1;
		else if (!strcmp(argv[i], "-t") && i + 1 < argc) {
			truth = fopen(argv[++i], "w");
			if (!truth) {
				fprintf(stderr, "genmbox: %s: %s\n", argv[i], strerror(errno));
				return 1;
			}
		}
		else if (!strcmp(argv[i], "-m") && i + 1 < argc)
			maildir = argv[++i];
		else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else
			return usage();
	}
	if (i < argc && !number(argv[i++], &n))
		return usage();
	if (i < argc && !number(argv[i++], &seed))
		return usage();
	if (i < argc)
		return usage();
	if (maildir) {
		char d[4096];
		mkdir_or_die(maildir);
		snprintf(d, sizeof d, "%s/cur", maildir);
		mkdir_or_die(d);
		snprintf(d, sizeof d, "%s/new", maildir);
		mkdir_or_die(d);
		snprintf(d, sizeof d, "%s/tmp", maildir);
		mkdir_or_die(d);
	} else
		setvbuf(stdout, obuf, _IOFBF, sizeof obuf);

	start = days_from_civil(2025, 1, 6) * 86400 + 7 * 3600;
	arrive = hash3(seed, 0xa771, 0);
	next_root = start;
	while (emitted < n) {
		struct thread *th;
		uint32_t k;
		int64_t recv;
		struct person fp;
		if (nheap && heap[0].t < next_root) {
			struct ev e = hpop();
			uint64_t r;
			struct tmsg *pm;
			double u;
			th = e.th;
			k = th->n++;
			r = hash3(seed, th->no, k) ^ 0x5eed;
			th->m[k].t = e.t;
			/* parent: mostly the latest message, sometimes an earlier one */
			u = frand(&r);
			th->m[k].parent = u < 0.75 ? k - 1 : u < 0.95 ? rnd(&r, k) : 0;
			pm = &th->m[th->m[k].parent];
			if (pm->who == th->agent || pm->who == th->agent2) {
				u = frand(&r);
				th->m[k].who = th->has_coll && u < 0.12 ? th->coll :
					       u < 0.95		       ? th->cust :
					       pm->who == th->agent    ? th->agent2 :
									 th->agent;
			} else {
				u = frand(&r);
				th->m[k].who = u < 0.85 ? (k > 6 && chance(&r, 0.3) ? th->agent2 :
											th->agent) :
					       u < 0.95 || !th->has_coll ? pm->who :
									   (pm->who == th->cust ? th->coll :
												   th->cust);
			}
			st.replies++;
		} else {
			uint64_t r;
			th = calloc(1, sizeof *th);
			if (!th) {
				fputs("genmbox: out of memory\n", stderr);
				return 1;
			}
			th->no = threadno++;
			th->h = hash3(seed, 0x7d, th->no);
			r = th->h;
			th->size = thread_size(&r);
			th->m = calloc(th->size, sizeof *th->m);
			if (!th->m) {
				fputs("genmbox: out of memory\n", stderr);
				return 1;
			}
			th->cust = rnd(&r, NCUSTOMERS);
			th->has_coll = chance(&r, 0.15);
			th->coll = rnd(&r, NCUSTOMERS);
			th->agent = AGENT_BASE + rnd(&r, NELEM(AGENT));
			th->agent2 = AGENT_BASE + rnd(&r, NELEM(AGENT));
			if (th->agent2 == th->agent)
				th->agent2 = AGENT_BASE + (th->agent - AGENT_BASE + 1) % NELEM(AGENT);
			th->intl = chance(&r, 0.10);
			th->topic = rnd(&r, th->intl ? NELEM(USUBJ) : NELEM(TOPIC));
			th->num = 10000 + rnd(&r, 890000);
			th->loc = -1;
			if (!fastmix) {
				uint64_t r2 = hash3(seed, 0xc5e7, th->no);
				if (chance(&r2, 0.25)) {
					th->loc = (int)rnd(&r2, NLOC);
					th->intl = 0;
				}
			}
			/* a few threads start with the desk writing to a customer */
			th->m[0].who = chance(&r, 0.05) ? th->agent : th->cust;
			th->m[0].parent = UINT32_MAX;
			th->m[0].t = next_root;
			th->n = 1;
			k = 0;
			st.threads++;
			next_root += 1 + (int64_t)expo(&arrive, 390.0);
		}
		msg.len = 0;
		build(&msg, th, k, seed, &recv);
		if (truth) /* the conversation each message belongs to */
			fprintf(truth, "%.*s %llu\n", (int)strlen(th->m[k].id) - 2, th->m[k].id + 1,
				(unsigned long long)th->no);
		if (maildir)
			write_maildir(maildir, emitted, &msg, recv, emitted % 10 == 9);
		else {
			person(seed, th->m[k].who, &fp);
			write_mbox(stdout, &msg, fp.addr, recv);
		}
		st.bytes += msg.len;
		emitted++;
		if (th->n > st.longest)
			st.longest = th->n;
		if (th->n < th->size) {
			uint64_t r = hash3(seed, th->no, th->n) ^ 0xde1a;
			struct ev e;
			e.t = th->m[th->n - 1].t + reply_delay(&r);
			e.seq = seq++;
			e.th = th;
			hpush(e);
		} else {
			free(th->m);
			free(th);
		}
	}
	if (truth && fclose(truth) != 0) {
		fprintf(stderr, "genmbox: truth: %s\n", strerror(errno));
		return 1;
	}
	if (!maildir && (fflush(stdout) != 0 || ferror(stdout))) {
		fprintf(stderr, "genmbox: write error: %s\n", strerror(errno));
		return 1;
	}
	if (verbose) {
		struct tmv a = civil(start), z = civil(next_root);
		fprintf(stderr,
			"genmbox: %llu messages, %llu threads, %.1f%% replies, %llu bytes "
			"(%.0f per message, From_ lines not counted)\n"
			"genmbox: longest thread so far %u; %llu \"From \" body lines, "
			"%llu quoted \">From \"; %llu encoded names, %llu encoded subjects\n"
			"genmbox: dates %d-%02u-%02u .. %d-%02u-%02u\n",
			(unsigned long long)n, (unsigned long long)st.threads,
			n ? 100.0 * (double)st.replies / (double)n : 0.0,
			(unsigned long long)st.bytes, n ? (double)st.bytes / (double)n : 0.0,
			st.longest, (unsigned long long)st.fromlines,
			(unsigned long long)st.quotedfrom, (unsigned long long)st.encnames,
			(unsigned long long)st.encsubj, a.year, a.mon, a.day, z.year, z.mon,
			z.day);
	}
	return 0;
}
