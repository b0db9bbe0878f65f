/// The DNS log layouts runme reads into `bronze_dns`.
///
/// Every layout maps to ``DNSRecord``; the doc comment of each reader (in
/// `Sources/DNSData/Readers`) states its mapping.
public enum DNSLogFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Passive DNS Common Output Format, one JSON object a line (mapping: `COFReader`).
    case cof
    /// Zeek's `dns.log` in its tab-separated ASCII layout with `#fields` headers (mapping: `ZeekReader`).
    case zeek
    /// Zeek's `dns.log` written as JSON lines (`LogAscii::use_json`) (mapping: `ZeekReader`).
    case zeekJSON = "zeek-json"
    /// Suricata EVE JSON, `event_type` `dns`, logging versions 1 to 3 (mapping: `SuricataReader`).
    case suricata
    /// Domain names, one a line, optionally in a CSV column under a header (mapping: `DomainCSVReader`).
    case csv

    public var description: String { rawValue }

    /// The format named by `text` (its raw value, case-insensitive), or nil.
    public init?(name text: String) {
        self.init(rawValue: text.lowercased())
    }
}
