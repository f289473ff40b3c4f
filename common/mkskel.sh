#!/bin/sh
# Turn the example desk (common/skel/) into C: one string per file, for
# mdesk init.  Usage: mkskel.sh SKELDIR > skel.c
dir=$1
echo '/* Generated from common/skel/ by common/mkskel.sh: do not edit. */'
echo '#include "skel.h"'
echo 'const struct skel_file skel_files[] = {'
(cd "$dir" && find . -type f ! -name '*~' | sed 's|^\./||' | LC_ALL=C sort) |
while IFS= read -r f; do
	printf '\t{ "%s", ""\n' "$f"
	LC_ALL=C awk '{
		gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t");
		printf "\t  \"%s\\n\"\n", $0
	}' "$dir/$f"
	printf '\t},\n'
done
echo '	{ 0, 0 }'
echo '};'
