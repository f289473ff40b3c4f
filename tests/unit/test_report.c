/* Unit tests: common/report.c */
#include "report.h"
#include "tap.h"
int main(void) { done_testing(); }
