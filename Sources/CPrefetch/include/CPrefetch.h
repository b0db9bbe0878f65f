#ifndef RUNME_CPREFETCH_H
#define RUNME_CPREFETCH_H

// Swift has no prefetch builtin. The featurizer's batch path asks for the cache lines of the
// next labels' n-gram slots while it works on the current label, so that their misses overlap
// with useful work instead of stalling it. A prefetch is a hint: it never faults and changes
// no result, only timing.
static inline __attribute__((always_inline)) void runme_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
