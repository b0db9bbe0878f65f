/// One DNS observation in the common schema every log format maps to: the passive DNS
/// Common Output Format's fields (`rrname, rrtype, rdata, time_first, time_last, count,
/// bailiwick`), as the accelerator's `bronze_dns` holds them.
public struct DNSRecord: Sendable, Equatable {
    /// The queried name as logged (passive DNS ends it with a dot).
    public var rrname: String
    /// The record type (`A`, `AAAA`, `CNAME`, …).
    public var rrtype: String
    /// The answers.
    public var rdata: [String]
    /// First and last time seen, Unix seconds.
    public var timeFirst: Int64
    public var timeLast: Int64
    /// How many times it was seen, when the format says.
    public var count: Int64?
    /// The zone the answer came from, when the format says.
    public var bailiwick: String?

    public init(rrname: String, rrtype: String, rdata: [String], timeFirst: Int64, timeLast: Int64, count: Int64? = nil, bailiwick: String? = nil) {
        self.rrname = rrname
        self.rrtype = rrtype
        self.rdata = rdata
        self.timeFirst = timeFirst
        self.timeLast = timeLast
        self.count = count
        self.bailiwick = bailiwick
    }

    /// The answers joined with commas, as the accelerator's `rdatastr` column.
    public var rdatastr: String { rdata.joined(separator: ",") }
}

/// A line that could not become a record: kept, with why, in a quarantine table, so that
/// nothing is dropped silently (records read = loaded + quarantined).
public struct QuarantinedLine: Sendable, Equatable {
    /// The source it came from (URI or path).
    public var source: String
    /// 1-based line number in the source.
    public var line: Int
    /// What was wrong, for a person to read.
    public var reason: String
    /// The raw text, truncated to ``QuarantinedLine/maxRawBytes`` bytes (invalid UTF-8 replaced).
    public var raw: String

    /// The most of a bad line kept in quarantine.
    public static let maxRawBytes = 4096

    public init(source: String, line: Int, reason: String, raw: String) {
        self.source = source
        self.line = line
        self.reason = reason
        self.raw = raw
    }
}
