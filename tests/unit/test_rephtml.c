/* Unit tests: common/rephtml.c */
#include <stdlib.h>
#include <string.h>
#include "rephtml.h"
#include "tap.h"
