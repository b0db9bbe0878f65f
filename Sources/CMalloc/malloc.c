// Declarations only (include/CMalloc.h); SwiftPM wants a source file in a C target.
#include "CMalloc.h"
