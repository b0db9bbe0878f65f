/// What one line of a log became.
enum LineOutcome {
    /// A record, now complete in the arena's current row.
    case record
    /// Not a record by design: a header, a comment, an event of another kind.
    case skipped
    /// A record that breaks the format or the schema: quarantined with this reason.
    case rejected(String)
}

/// Turns the lines of one log layout into records.
///
/// The loader and the reader share these parsers; the loader is generic over them so that
/// the hot path dispatches statically.
protocol DNSLineParser {
    /// Parses one line into `arena.current`. The line is not blank, is valid UTF-8 and holds
    /// no NUL byte (the caller checked); `base` is its first byte.
    ///
    /// Throws only when the whole input is unusable (for example a Zeek log of another
    /// kind), never for one bad line.
    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, base: UnsafePointer<UInt8>, into arena: inout RecordArena) throws -> LineOutcome
}

/// The whole input is unusable as the format it is read as (for example a Zeek log of
/// another kind); the loader reports it as ``DNSLogError/wrongLayout(path:format:reason:)``.
struct LayoutError: Error {
    var reason: String
}
