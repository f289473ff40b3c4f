/* fuzz_event: the fold of a ticket's events.jsonl (common/event.c).
 * Checks: the folded state has a valid status and priority, events come
 * out sorted by (at, id) with every id once, and tags sorted; and a fold
 * of the first lines followed by ticket_fold_more of the rest, when it
 * takes them, is the same state as the fold of all. */
#include "fuzz.h"
#include "event.h"

static void quiet(const char *id, int line, const char *err)
{
	(void)id, (void)line, (void)err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ticket t;
	ticket_on_bad_line(quiet);
	ticket_fold(&t, "FUZZ01", (const char *)data, size, 0);
	FUZZ_CHECK(status_valid(t.status));
	FUZZ_CHECK(priority_valid(t.priority));
	size_t n = json_array_size(t.events);
	for (size_t i = 0; i + 1 < n; i++) {
		json_t *x = json_array_get(t.events, i), *y = json_array_get(t.events, i + 1);
		const char *xa = json_string_value(json_object_get(x, "at"));
		const char *ya = json_string_value(json_object_get(y, "at"));
		FUZZ_CHECK(xa && ya && strcmp(xa, ya) <= 0);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			const char *a = json_string_value(json_object_get(json_array_get(t.events, i), "id"));
			const char *b = json_string_value(json_object_get(json_array_get(t.events, j), "id"));
			FUZZ_CHECK(strcmp(a, b) != 0);
		}
	size_t nt = json_array_size(t.tags);
	for (size_t i = 0; i + 1 < nt; i++)
		FUZZ_CHECK(strcmp(json_string_value(json_array_get(t.tags, i)),
		    json_string_value(json_array_get(t.tags, i + 1))) < 0);
	json_t *j = ticket_json(&t);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	FUZZ_CHECK(s != NULL);
	json_decref(j);
	/* cut after the middle line */
	const char *mid = memchr(data + size / 2, '\n', size - size / 2);
	if (mid) {
		size_t k = (size_t)(mid + 1 - (const char *)data);
		struct ticket u;
		ticket_fold(&u, "FUZZ01", (const char *)data, k, 0);
		if (ticket_fold_more(&u, (const char *)data + k, size - k) == 0) {
			json_t *uj = ticket_json(&u);
			char *us = json_dumps(uj, JSON_COMPACT | JSON_SORT_KEYS);
			FUZZ_CHECK(us && !strcmp(us, s));
			FUZZ_CHECK(json_array_size(u.events) == n);
			free(us);
			json_decref(uj);
		}
		ticket_free(&u);
	}
	free(s);
	ticket_free(&t);
	return 0;
}
