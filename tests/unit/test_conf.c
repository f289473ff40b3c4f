/* Unit tests: common/conf.c */
#include "conf.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

int main(void)
{
	struct conf c;
	const char *err = NULL;
	int line = conf_parse(&c, "t.conf", S(
	    "# comment\n"
	    "name = Lumen Books   # trailing comment\n"
	    "quoted = \"a # b \"\n"
	    "\n"
	    "[queue support]\n"
	    "address = support@lumen.example\n"
	    "[ack]\n"
	    "enabled = yes\n"), &err);
	is_int(line, 0, "parses");
	is_str(conf_get(&c, "", "", "name"), "Lumen Books", "top level, comment stripped");
	is_str(conf_get(&c, "", "", "quoted"), "a # b ", "quoted value kept");
	is_str(conf_get(&c, "queue", "support", "address"), "support@lumen.example", "named section");
	is_str(conf_get(&c, "ack", "", "enabled"), "yes", "plain section");
	ok(conf_get(&c, "queue", "sales", "address") == NULL, "absent");
	is_int(conf_line(&c, "queue", "support", "address"), 6, "line numbers");
	conf_free(&c);

	is_int(conf_parse(&c, "t", S("a = 1\nb\n"), &err), 2, "missing '=' at line 2");
	conf_free(&c);
	is_int(conf_parse(&c, "t", S("[x\n"), &err), 1, "bad section");
	conf_free(&c);
	is_int(conf_parse(&c, "t", S("a = 1\na = 2\n"), &err), 2, "duplicate key");
	conf_free(&c);
	is_int(conf_parse(&c, "t", S("Bad Key = 1\n"), &err), 1, "bad key");
	conf_free(&c);
	ok(conf_parse(&c, "t", S("a = \xff\n"), &err) != 0, "invalid UTF-8 refused");
	conf_free(&c);

	long long d;
	ok(conf_duration("90s", &d) == 0 && d == 90, "90s");
	ok(conf_duration("1h30m", &d) == 0 && d == 5400, "1h30m");
	ok(conf_duration("2d", &d) == 0 && d == 172800, "2d");
	ok(conf_duration("1w", &d) == 0 && d == 604800, "1w");
	ok(conf_duration("5", &d) != 0, "a unit is required");
	ok(conf_duration("h", &d) != 0, "a number is required");
	ok(conf_duration("", &d) != 0, "empty");
	int b;
	ok(conf_bool("Yes", &b) == 0 && b == 1, "yes");
	ok(conf_bool("off", &b) == 0 && b == 0, "off");
	ok(conf_bool("maybe", &b) != 0, "maybe");
	unsigned long long sz;
	ok(conf_size("64M", &sz) == 0 && sz == 64ULL << 20, "size 64M");
	ok(conf_size("1048576", &sz) == 0 && sz == 1048576, "size in bytes");
	ok(conf_size("2G", &sz) == 0 && sz == 2ULL << 30, "size 2G");
	ok(conf_size("12x", &sz) != 0 && conf_size("M", &sz) != 0 && conf_size("", &sz) != 0 &&
	    conf_size("-1M", &sz) != 0 && conf_size("99999999999999G", &sz) != 0, "not sizes refused");
	long rc;
	long long rw;
	ok(conf_rate("3/1d", &rc, &rw) == 0 && rc == 3 && rw == 86400, "rate 3/1d");
	ok(conf_rate("3", &rc, &rw) != 0 && conf_rate("x/1d", &rc, &rw) != 0 &&
	    conf_rate("3/0", &rc, &rw) != 0 && conf_rate("-1/1h", &rc, &rw) != 0, "not rates refused");
	struct conf mc = { 0 };
	conf_parse(&mc, "desk.conf", "fsync = no\n", 11, &err);
	ok(conf_message_max(&mc) == (size_t)64 << 20, "message_max: 64M by default");
	conf_free(&mc);
	return done_testing();
}
