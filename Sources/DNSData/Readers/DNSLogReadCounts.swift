/// Counts of what a read went through; records read = loaded + quarantined.
public struct DNSLogReadCounts: Sendable, Equatable {
    /// Lines in the input (the last one counts even without a line end).
    public var linesRead = 0
    /// Lines that are not records by design: blank, headers, comments, other events.
    public var linesSkipped = 0
    /// Lines that became records.
    public var records = 0
    /// Lines that were quarantined.
    public var quarantined = 0
    /// Bytes of the input read.
    public var bytes: Int64 = 0

    /// All zero.
    public init() {}

    /// Records read: the lines that were meant to be records, good or bad.
    public var recordsRead: Int { records + quarantined }
}
