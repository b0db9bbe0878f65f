#if canImport(Glibc)
import CMalloc
import Glibc
#endif

/// glibc's malloc set up for the scoring pipeline's batches, once per process.
///
/// Each batch's rows (32,768 rows, about 10 MB) are allocated on the reading thread and freed
/// on the writing thread. With glibc's defaults (a dynamic mmap threshold, and the top of a
/// thread's heap handed back to the kernel once it passes twice that threshold) whether that
/// memory is kept or given back and faulted in again, zeroed page by page, depended on where
/// the allocations happened to fall: one build of the reading thread spent 0.25 to 0.6 s
/// of CPU per 1,000,000 records in the kernel's `clear_page_rep`, the build before it
/// almost none. A fixed mmap threshold of 32 MiB (glibc's largest) keeps the batches in the
/// heap, and a trim threshold of 256 MiB keeps the heap's top for the next batch.
/// Memory freed at the end of an update stays with the process (up to that much), which
/// a later update or the `--watch` loop reuses.
///
/// Left alone when the user tunes malloc (`GLIBC_TUNABLES` naming `glibc.malloc`).
enum AllocatorTuning {
    /// Whether the settings were applied (false elsewhere than glibc, or when the user tunes malloc).
    static let applied: Bool = {
        #if canImport(Glibc)
        if let tunables = getenv("GLIBC_TUNABLES"), String(cString: tunables).contains("glibc.malloc") { return false }
        return mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1
        #else
        return false
        #endif
    }()
}
