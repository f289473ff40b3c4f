/* Unit tests: common/agents.c */
#include <stdlib.h>
#include "agents.h"
#include "tap.h"

static int faults;
static int last_line, first_line;

static void rep(const char *f, int line, const char *m)
{
	(void)f;
	(void)m;
	if (!faults++)
		first_line = line;
	last_line = line;
}

int main(void)
{
	const char *csv =
	    "# agents of the desk\n"
	    "login,name,email,groups,skills,languages,capacity,status,calendar\n"
	    "ana,\"Ribeiro, Ana\",ana@lumen.example,support;billing,refunds,pt;en,20,active,support-br\n"
	    "bob,Bob Marsh,bob@lumen.example,support,,en,,away,business\n";
	struct agents a;
	is_int(agents_parse(&a, csv, strlen(csv), rep), 0, "parses");
	is_int((long long)a.n, 2, "two agents");
	struct agent *g = agent_find(&a, "ana");
	ok(g && !strcmp(g->name, "Ribeiro, Ana"), "quoted name");
	ok(g && g->capacity == 20, "capacity");
	ok(agent_find(&a, "bob")->capacity == -1, "empty capacity: no limit");
	ok(agent_has(g->languages, "pt") && !agent_has(g->languages, "ru"), "language list");
	ok(agent_has(g->groups, "billing"), "group list");
	char *out = agents_render(&a);
	struct agents b;
	is_int(agents_parse(&b, out, strlen(out), rep), 0, "render parses back");
	ok(strncmp(out, "# agents of the desk\n", 21) == 0, "comments kept");
	ok(b.n == 2 && !strcmp(b.v[0].name, "Ribeiro, Ana"), "round trip");
	free(out);
	agents_free(&a);
	agents_free(&b);

	const char *bad =
	    "login,name,email,groups,skills,languages,capacity,status,calendar\n"
	    "Ana,A,a@x,,,,x,busy,\n"
	    "../bob,B,b@x,,,,,active,\n"
	    "carl,\"C,c@x,,,,,active,\n";
	faults = 0;
	agents_parse(&a, bad, strlen(bad), rep);
	ok(faults >= 3, "bad login, capacity, status, path and stray quote reported (%d)", faults);
	agents_free(&a);
	faults = 0;
	agents_parse(&a, "name,login\nx,y\n", 15, rep);
	ok(faults >= 1 && first_line == 1, "wrong header reported at line 1");
	agents_free(&a);

	const char *cu = "email,name,tier,language,notes\n"
	    "ana@cliente.com.br,Ana Souza,gold,pt,\n"
	    "bigcorp.example,Big Corp,vip,en,\"pays late, be nice\"\n";
	struct customers c;
	is_int(customers_parse(&c, cu, strlen(cu), rep), 0, "customers parse");
	ok(customer_find(&c, "ANA@cliente.com.br") && !strcmp(customer_find(&c, "ana@cliente.com.br")->tier, "gold"),
	    "address match, any case");
	ok(customer_find(&c, "joe@bigcorp.example") && !strcmp(customer_find(&c, "joe@bigcorp.example")->tier, "vip"),
	    "domain match");
	ok(customer_find(&c, "joe@other.example") == NULL, "no match");
	customers_free(&c);
	char fn[32];
	first_name("Ana Ribeiro", fn, sizeof fn);
	is_str(fn, "Ana", "first name");
	ok(agent_login_valid("dmitri.o") && !agent_login_valid("a/b") && !agent_login_valid(""), "logins");
	return done_testing();
}
