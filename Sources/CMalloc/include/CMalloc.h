#ifndef RUNME_CMALLOC_H
#define RUNME_CMALLOC_H

// Swift's Glibc module leaves out <malloc.h>: this target makes glibc's malloc tuning
// (`mallopt` and its `M_*` parameters) visible to Swift. The scoring pipeline sets fixed
// mmap and trim thresholds once per process (Pipeline/AllocatorTuning.swift says why).
#include <malloc.h>

#endif
