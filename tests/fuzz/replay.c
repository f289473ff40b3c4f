/* replay.c: run a fuzz target over files without libFuzzer (for make check).
 * Usage: replay_TARGET FILE...; exits 0 when every input ran. */
#include <stdio.h>
#include <stdlib.h>
#include "fuzz.h"

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 66;
		}
		size_t cap = 1 << 16, n = 0, k;
		uint8_t *d = malloc(cap);
		while (d && (k = fread(d + n, 1, cap - n, f)) > 0) {
			n += k;
			if (n == cap)
				d = realloc(d, cap *= 2);
		}
		if (!d || ferror(f)) {
			perror(argv[i]);
			return 74;
		}
		fclose(f);
		/* exactly n bytes, as libFuzzer gives them: a read past the
		 * end shows under ASan and valgrind */
		uint8_t *x = malloc(n ? n : 1);
		if (!x)
			return 71;
		memcpy(x, d, n);
		free(d);
		LLVMFuzzerTestOneInput(x, n);
		free(x);
	}
	return 0;
}
