/* Unit tests: common/msgid.c */
#include <stdlib.h>
#include "msgid.h"
#include "tap.h"

static char got[4096];

static void cat(void *ctx, const char *id, size_t len)
{
	(void)ctx;
	if (*got)
		strcat(got, " ");
	strncat(got, id, len);
}

static const char *list(const char *s)
{
	got[0] = 0;
	msgid_each(s, strlen(s), cat, NULL);
	return got;
}

int main(void)
{
	char out[MSGID_MAX + 1];
	is_str(list("<a@b> <c@d>"), "a@b c@d", "two ids");
	is_str(list("<a@b>\n\t<c@d>"), "a@b c@d", "folded");
	is_str(list("<a@b> (comment <x@y>) <c@d>"), "a@b c@d", "comments skipped");
	is_str(list("< a@b >"), "a@b", "inner whitespace dropped");
	is_str(list("<yes> <a@b>"), "a@b", "ids without @ ignored");
	is_str(list("Your message of Mon, 2 Nov 2026 <m1@x>"), "m1@x", "id inside prose");
	is_str(list("\"quoted <q@x>\" <r@x>"), "r@x", "quoted strings skipped");
	is_str(list("bare@id"), "bare@id", "bare id without brackets");
	is_str(list("<a@b"), "", "unterminated id refused");
	is_str(list("<a\001@b>"), "", "control character refused");
	is_str(list("<@b> <a@>"), "", "empty local or domain part refused");
	is_str(list("<null@localhost> <UNDEFINED@x> <(null)@x> <none@x> <yes@x> <000@x> <0@x>"), "",
	    "placeholder ids refused");
	is_str(list("<1290172868.4768.2.camel@localhost> <nullx@x> <0a@x> <no-reply.1@x>"),
	    "1290172868.4768.2.camel@localhost nullx@x 0a@x no-reply.1@x", "ids that only begin like one kept");
	ok(msgid_self("<undefined>", 11, out) == 0 && msgid_self("<null@x>", 8, out) == 0,
	    "a placeholder is no own Message-ID either");
	ok(msgid_strict("<a@b>", 5, out) == 3, "strict single id");
	ok(msgid_strict(" <a@b> ", 7, out) == 3, "strict allows surrounding space");
	ok(msgid_strict("<a@b> <c@d>", 11, out) == 0 && out[0] == 0, "strict refuses two ids, leaves nothing");
	ok(msgid_strict("<a@b> (Bob's message of Mon)", 26, out) == 3, "strict allows comments");
	ok(msgid_strict("Your message <a@b>", 18, out) == 0, "strict refuses prose");
	ok(msgid_self("<xxxx>", 6, out) == 4 && !strcmp(out, "xxxx"),
	    "own Message-ID without @ accepted");
	{
		static const char mh[] = "Message from Tom Lane <tgl@sss.example> of \"Wed, 07 Aug "
		    "2002 01:38:55 EDT.\" <12948.1028698735@sss.example>";
		ok(msgid_last(mh, sizeof mh - 1, out) > 0 && !strcmp(out, "12948.1028698735@sss.example"),
		    "last id of an exmh/MH In-Reply-To: the parent, not the sender");
		ok(msgid_last("<a@b> <yes>", 11, out) == 3 && !strcmp(out, "a@b"), "last valid id");
		ok(msgid_last("<yes>", 5, out) == 0 && out[0] == 0, "no valid id: nothing");
	}
	char *longid = malloc(2100);
	longid[0] = '<';
	memset(longid + 1, 'a', 2000);
	strcpy(longid + 2001, "@x>");
	is_str(list(longid), "", "overlong id refused");
	free(longid);
	return done_testing();
}
