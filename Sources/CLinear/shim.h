#ifndef RUNME_CLINEAR_SHIM_H
#define RUNME_CLINEAR_SHIM_H
// LIBLINEAR (liblinear-dev 2.3, no pkg-config file): the L2-regularised logistic regression
// behind the featurizer's ngram_logit. Its API imports as it is.
#include <linear.h>

// LIBLINEAR prints its solver's progress to stdout unless given a print function; this one
// drops it, so that training inside `runme run` or `score --stdin` writes nothing of its own.
static inline void runme_linear_quiet(const char *text) { (void)text; }
static inline void runme_linear_silence(void) { set_print_string_function(runme_linear_quiet); }
#endif
