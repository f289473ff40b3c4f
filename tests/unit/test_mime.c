/* Unit tests: common/mime.c */
#include <stdlib.h>
#include "mime.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

int main(void)
{
	char *t = mime_text(S(
	    "From: a@b\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/alternative; boundary=\"XX\"\n\n"
	    "--XX\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
	    "Ol=C3=A1, meu pedido n=C3=A3o chegou.=\nAinda.\n"
	    "--XX\nContent-Type: text/html; charset=utf-8\n\n<p>HTML</p>\n--XX--\n"));
	ok(strstr(t, "Olá, meu pedido não chegou.Ainda.") != NULL, "QP text/plain chosen and decoded: %s", t);
	free(t);
	t = mime_text(S(
	    "From: a@b\nContent-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: base64\n\n"
	    "8NLJ18XU\n"));
	is_str(t, "Привет", "base64 KOI8-R converted to UTF-8");
	free(t);
	t = mime_text(S(
	    "From: a@b\nContent-Type: multipart/mixed; boundary=b1\n\n"
	    "--b1\nContent-Type: text/html\n\n<html><style>x{}</style><p>Hello&nbsp;<b>world</b> &amp; you</p><br>Bye&#33;</html>\n"
	    "--b1\nContent-Type: application/pdf\nContent-Disposition: attachment\n\nJVBERi0=\n--b1--\n"));
	is_str(t, "Hello world & you\nBye!\n", "HTML only: converted to text");
	free(t);
	t = mime_text(S("Subject: plain\n\nJust text\r\nwith CRLF\n"));
	is_str(t, "Just text\nwith CRLF\n", "no MIME: the body, CR dropped");
	free(t);
	t = mime_text(S("Content-Type: multipart/mixed; boundary=z\n\n--z\nContent-Type: multipart/mixed; boundary=z\n\n--z\n"));
	ok(t != NULL, "self-nested multipart: no crash");
	free(t);
	t = mime_text(S("Content-Type: text/plain; charset=x-unknown\n\ncaf\xe9 \x80\n"));
	is_str(t, "café €\n", "unknown charset: read as windows-1252");
	free(t);
	t = mime_text(S("Content-Type: text/plain; charset=\"GB2312\"\nContent-Transfer-Encoding: base64\n\nzfWI0g==\n"));
	is_str(t, "王堃", "GBK bytes labelled GB2312");
	free(t);
	t = mime_text(S("Content-Type: text/plain; charset=iso-8859-1\n\nGr\xc3\xb6\xc3\x9f" "e\n"));
	is_str(t, "Größe\n", "UTF-8 labelled Latin-1");
	free(t);
	t = html_to_text(S("<ul><li>one</li><li>two</li></ul>"));
	is_str(t, "- one\n- two\n", "lists");
	free(t);
	return done_testing();
}
