import Foundation

/// Reads lists of domain names: one a line, or one column of a CSV file, as the
/// accelerator's scoring step reads `_c0`.
///
/// The first non-blank, non-comment line is a header when one of its fields is a known
/// column name (`domain`, `domain_name`, `raw_domain`, `uri`, `url`, `host`, `hostname`,
/// `fqdn`, `name`, `rrname`, `query`, `qname`, `_c0`, case-insensitive): the names are then
/// read from that column, and the header is skipped. Otherwise every line is data and the
/// names are in the first column. So `rank,uri` (Alexa), `raw_domain` (a DGA list) and
/// `PERMUTATIONTYPE,domain,meta` (dnstwist) all read their domains. Lines starting with `#`
/// are comments and skipped. Fields may be quoted (`"a,b"`, `""` for a quote).
///
/// A value written as a URL or a host with a path (`http://a.example:8080/x`,
/// `youtube.com/user/x`: Alexa's `uri` column has some) gives its host name, as
/// tldextract reads it in the accelerator.
///
/// Mapping to ``DNSRecord``: the name (trimmed of whitespace, case kept) → `rrname`;
/// a list says nothing else, and the `bronze_dns` columns are NOT NULL, so `rrtype` is the
/// empty string (unknown), `rdata` is `[]`, `time_first` and `time_last` are 0 (unknown;
/// the load's own time is in `loads`), `count` and `bailiwick` are NULL.
///
/// A line whose name is empty, contains characters no domain name has (space, `/`, `:`,
/// `@`, `<`, quotes, control characters), or is longer than 253 characters is quarantined.
struct DomainCSVReader: DNSLineParser {
    static let knownHeaders: Set<String> = [
        "domain", "domain_name", "domainname", "raw_domain", "uri", "url", "host", "hostname",
        "fqdn", "name", "rrname", "query", "qname", "_c0",
    ]

    private var column = 0
    private var sawFirstLine = false

    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, base: UnsafePointer<UInt8>, into arena: inout RecordArena) -> LineOutcome {
        if line[0] == UInt8(ascii: "#") { return .skipped }
        let fields = Self.fields(of: line)
        if !sawFirstLine {
            sawFirstLine = true
            let names = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            if let index = names.firstIndex(where: { Self.knownHeaders.contains($0) }) {
                column = index
                return .skipped
            }
        }
        guard column < fields.count else {
            return .rejected("no column \(column + 1) (the line has \(fields.count) field\(fields.count == 1 ? "" : "s"))")
        }
        let name = Self.host(of: fields[column].trimmingCharacters(in: .whitespaces))
        if let problem = Self.problem(with: name) { return .rejected(problem) }
        arena.current.rrname = arena.write(name)
        arena.current.rrtype = arena.write("")
        arena.setNoRData()
        arena.current.timeFirst = 0
        arena.current.timeLast = 0
        arena.current.hasCount = false
        return .record
    }

    /// The host part of a value: without a `scheme://`, a path, query or fragment, or a `:port`.
    static func host(of value: String) -> String {
        var host = Substring(value)
        if let scheme = host.range(of: "://"),
           host[..<scheme.lowerBound].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+.-".contains($0)) }) {
            host = host[scheme.upperBound...]
        }
        if let end = host.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            host = host[..<end]
        }
        // One colon followed by digits is a port; more colons would be an IPv6 address.
        if let colon = host.firstIndex(of: ":"), host.filter({ $0 == ":" }).count == 1,
           host[host.index(after: colon)...].allSatisfy(\.isASCII), host[host.index(after: colon)...].allSatisfy(\.isNumber) {
            host = host[..<colon]
        }
        return String(host)
    }

    /// Why `name` cannot be a domain name, or nil when it can.
    static func problem(with name: String) -> String? {
        if name.isEmpty { return "no domain name (the field is empty)" }
        let dotless = name.hasSuffix(".") ? name.dropLast() : Substring(name)
        if dotless.utf8.count > 253 && dotless.utf8.allSatisfy({ $0 < 0x80 }) {
            return "not a domain name: longer than 253 characters"
        }
        for scalar in name.unicodeScalars {
            let v = scalar.value
            if v >= 0x80 { continue }  // internationalised names in Unicode form
            let c = UInt8(v)
            let allowed = (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "*")
            if !allowed {
                let shown = c >= 0x20 && c < 0x7F ? "'\(Character(scalar))'" : "control character 0x\(String(c, radix: 16))"
                return "not a domain name: contains \(shown)"
            }
        }
        return nil
    }

    /// The fields of a CSV line: comma-separated, optionally quoted.
    static func fields(of line: UnsafeBufferPointer<UInt8>) -> [String] {
        var fields: [String] = []
        var current: [UInt8] = []
        var quoted = false
        var i = 0
        while i < line.count {
            let c = line[i]
            if quoted {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < line.count && line[i + 1] == UInt8(ascii: "\"") {
                        current.append(c)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(c)
                }
            } else if c == UInt8(ascii: "\"") && current.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                current.removeAll()
                quoted = true
            } else if c == UInt8(ascii: ",") {
                fields.append(String(decoding: current, as: UTF8.self))
                current.removeAll()
            } else {
                current.append(c)
            }
            i += 1
        }
        fields.append(String(decoding: current, as: UTF8.self))
        return fields
    }
}
