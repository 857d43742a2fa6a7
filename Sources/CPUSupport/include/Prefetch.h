#ifndef ATTNLAB_PREFETCH_H
#define ATTNLAB_PREFETCH_H

/// A hint that the cache line holding `address` will be read soon: it is fetched towards the core into
/// the L2 cache (`prefetcht1` on x86-64, `prfm pldl2keep` on arm64) while other work runs. A hint only:
/// it never faults, whatever the address. Swift has no prefetch of its own; this inline function
/// compiles into the calling Swift code as the single instruction.
static inline void attnlab_prefetch(const void *address) { __builtin_prefetch(address, 0, 2); }

#endif
