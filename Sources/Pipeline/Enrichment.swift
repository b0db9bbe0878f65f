import DNSData
import Foundation
import Hashing
import Lakehouse

/// The joins of the scoring pipeline, held in memory for the length of an update: URLhaus
/// matches (`silver_threat_feeds`) and typosquat matches (`silver_twisted_domain_brand`),
/// both by registered domain, as the accelerator joins them.
public struct ReferenceData: Sendable {
    /// Registered domain → (threats, tags), each the distinct values comma-joined.
    public var threats: [String: (threat: String, tags: String)] = [:]
    /// Lookalike registered domain → (brand, fuzzer).
    public var typosquats: [String: (brand: String, fuzzer: String)] = [:]

    public init() {}

    /// Reads the silver tables the ETL task wrote.
    public static func load(from database: Database) throws -> ReferenceData {
        var data = ReferenceData()
        var threatSets: [String: ([String], [String])] = [:]
        for row in try database.query("SELECT registered_domain, threat, tags FROM silver_threat_feeds WHERE registered_domain <> '' ORDER BY rowid") {
            guard let domain = row.string("registered_domain") else { continue }
            var entry = threatSets[domain] ?? ([], [])
            if let threat = row.string("threat"), !threat.isEmpty, !entry.0.contains(threat) { entry.0.append(threat) }
            for tag in (row.string("tags") ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !tag.isEmpty && !entry.1.contains(tag) {
                entry.1.append(tag)
            }
            threatSets[domain] = entry
        }
        for (domain, entry) in threatSets {
            data.threats[domain] = (entry.0.joined(separator: ","), entry.1.joined(separator: ","))
        }
        for row in try database.query("SELECT dnstwisted_domain, domain, fuzzer FROM silver_twisted_domain_brand ORDER BY rowid") {
            guard let twisted = row.string("dnstwisted_domain"), data.typosquats[twisted] == nil else { continue }
            data.typosquats[twisted] = (row.string("domain") ?? "", row.string("fuzzer") ?? "")
        }
        return data
    }
}

/// Turns log lines into scored, enriched `dns_log_analytics` rows: the registered domain
/// (Public Suffix List), the model's class and score, threat-feed and typosquat matches, and
/// the location of the first A (else AAAA) answer.
///
/// Scores are cached by label (``ScoringModel``); not thread-safe: used from one task at a time.
public final class Enricher: @unchecked Sendable {
    public let model: ScoringModel
    public let suffixes: PublicSuffixList
    public let reference: ReferenceData
    public let geoIP: GeoIPDatabase?

    private struct NameInfo {
        var registered: String
        var label: String
        var isIP: Bool
        var threat: String?
        var tags: String?
        var brand: String?
        var fuzzer: String?
    }


    /// The threat-feed and typosquat matches of a registered domain, found with one lookup.
    private struct Matches {
        var threat: (threat: String, tags: String)?
        var typosquat: (brand: String, fuzzer: String)?
    }

    /// ``reference``'s two tables joined by registered domain: one hash of each name instead of two.
    private let matches: [String: Matches]
    /// One bit per ``MatchFilter`` hash of each key of ``matches``: a name whose bit is clear
    /// has no match, found without `matches`'s seeded hashing and probe (most logged names).
    private let matchFilter: MatchFilter

    public init(model: ScoringModel, suffixes: PublicSuffixList, reference: ReferenceData, geoIP: GeoIPDatabase?) {
        self.model = model
        self.suffixes = suffixes
        self.reference = reference
        self.geoIP = geoIP
        var matches: [String: Matches] = [:]
        for (domain, threat) in reference.threats { matches[domain, default: Matches()].threat = threat }
        for (domain, typosquat) in reference.typosquats { matches[domain, default: Matches()].typosquat = typosquat }
        self.matches = matches
        matchFilter = MatchFilter(matches.keys)
    }

    /// Enriches a batch of lines (one row per line, junk lines included so that the
    /// `parseable` expectation can count and quarantine them).
    public func enrich(_ lines: [LogLine]) throws -> [AnalyticsRow] {
        var rows: [AnalyticsRow] = []
        rows.reserveCapacity(lines.count)
        // Lines are read in place through a pointer: `for line in lines` copied each line, and
        // matching its record copied that again, every string retained and released twice.
        lines.withUnsafeBufferPointer { lines in
            for line in lines.indices {
                switch lines[line].row {
                case let .quarantined(bad): rows.append(Self.row(of: bad, source: lines[line].source))
                case let .record(record): appendRow(of: record, source: lines[line].source, to: &rows)
                }
            }
        }
        let scored = rows.indices.filter { !rows[$0].label.isEmpty && rows[$0].parseError == nil }
        let probabilities = try model.probabilities(scored.map { rows[$0].label })
        let threshold = model.threshold
        for (index, probability) in zip(scored, probabilities) {
            rows[index].score = probability
            rows[index].predictedClass = probability >= threshold ? "ioc" : "legit"
        }
        return rows
    }

    /// The row of a line that is not a record.
    private static func row(of bad: QuarantinedLine, source: String) -> AnalyticsRow {
        var row = AnalyticsRow(domain: "", domainTldextract: "", label: "", source: source, sourceLine: bad.line)
        row.parseError = bad.reason
        row.raw = bad.raw
        return row
    }

    /// Appends the row of a record, before scoring. The row goes into the array with its
    /// first fields and the rest are set in place: a row made whole and then stored was copied
    /// on the way (every string retained, then the original released), a twentieth of the
    /// reading thread's time.
    private func appendRow(of record: DNSRecordText, source: String, to rows: inout [AnalyticsRow]) {
        let info = nameInfo(record.rrname)
        rows.append(AnalyticsRow(domain: record.rrname, domainTldextract: info.registered, label: info.label, source: source, sourceLine: record.line))
        let last = rows.count - 1
        rows[last].isIPAddress = info.isIP
        rows[last].eventTime = record.timeLast
        rows[last].rrtype = record.rrtype
        rows[last].rdata = record.rdatastr
        if info.threat != nil {
            rows[last].threat = info.threat
            rows[last].tags = info.tags
        }
        if info.brand != nil {
            rows[last].brand = info.brand
            rows[last].fuzzer = info.fuzzer
        }
        // The reader gives the first answer of A and AAAA records only.
        if record.rrtype == "A" || record.rrtype == "AAAA", let address = record.address {
            rows[last].ipAddress = address
            if let place = location(address) {
                rows[last].city = place.city
                rows[last].country = place.country
                rows[last].countryCode = place.countryCode
            }
        }
    }

    // Not cached: the Public Suffix List split costs less than a dictionary of every name
    // seen (measured on the generated benchmark log, where most names are distinct).
    private func nameInfo(_ rrname: String) -> NameInfo {
        // The usual logged name (lower-case ASCII, nothing but a name and its root dot) is cut
        // as it is: the Public Suffix split drops the root dot itself, so a copy without it
        // (a heap allocation for most names) is not needed, and the parts cut from a
        // lower-case ASCII name are lower-case ASCII already.
        if Self.isPlainLowercaseName(rrname) {
            let parts = suffixes.extract(rrname)
            return matched(NameInfo(registered: parts.isIPAddress ? "" : parts.registeredDomain,
                                    label: parts.isIPAddress ? "" : parts.domain, isIP: parts.isIPAddress))
        }
        // Most logged names are lower-case ASCII already: `lowercased()` would copy them.
        var host: String
        if Self.isLowercaseASCII(rrname) {
            // ASCII: the trailing dots are the last bytes, cut in one slice (`removeLast` of a
            // `String` works out where its last character begins, dot after dot).
            host = rrname
            var end = rrname.utf8.endIndex
            while end > rrname.utf8.startIndex, rrname.utf8[rrname.utf8.index(before: end)] == UInt8(ascii: ".") {
                end = rrname.utf8.index(before: end)
            }
            if end != rrname.utf8.endIndex { host = String(Substring(rrname.utf8[..<end])) }
        } else {
            host = rrname.lowercased()
            while host.hasSuffix(".") { host.removeLast() }
        }
        let parts = suffixes.extract(host)
        let registered = parts.isIPAddress ? "" : parts.registeredDomain
        var label = ""
        if !parts.isIPAddress {
            let domain = parts.domain
            label = Self.isLowercaseASCII(domain) ? domain : domain.lowercased()
        }
        return matched(NameInfo(registered: registered, label: label, isIP: parts.isIPAddress))
    }

    /// `info` with the threat-feed and typosquat matches of its registered domain.
    private func matched(_ info: NameInfo) -> NameInfo {
        var info = info
        let registered = info.registered
        if !registered.isEmpty, matchFilter.mayContain(registered), let found = matches[registered] {
            if let match = found.threat { info.threat = match.threat; info.tags = match.tags }
            if let match = found.typosquat { info.brand = match.brand; info.fuzzer = match.fuzzer }
        }
        return info
    }

    /// Whether `text` is lower-case ASCII without a byte that could make it more than a bare
    /// name to the Public Suffix split (a space or control character, or one of `/ ? # @ [ :`,
    /// which `HostNormalization` looks for): then the split of `text` and of `text` without
    /// its trailing dots are the same. One pass, no early exit, a table lookup per byte.
    static func isPlainLowercaseName(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            plainNameBytes.withUnsafeBufferPointer { table in
                var found: UInt8 = 0
                for byte in bytes { found |= table[Int(byte)] }
                return found == 0
            }
        } ?? false
    }

    /// 1 for the bytes ``isPlainLowercaseName(_:)`` rejects: upper case, non-ASCII, spaces and
    /// control characters, and the delimiters of a URL or a port.
    private static let plainNameBytes: [UInt8] = (0...255).map { byte in
        byte <= 0x20 || byte >= 0x7F || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || "/?#@[:".utf8.contains(UInt8(byte)) ? 1 : 0
    }

    /// Whether `text` is ASCII without upper-case letters (then `lowercased()` gives it back unchanged).
    static func isLowercaseASCII(_ text: String) -> Bool {
        func check(_ byte: UInt8) -> Bool { byte < 0x80 && !(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) }
        return text.utf8.withContiguousStorageIfAvailable { $0.allSatisfy(check) } ?? text.utf8.allSatisfy(check)
    }

    private func location(_ address: String) -> GeoLocation? {
        geoIP?.lookup(address)
    }
}

/// A set of strings that can answer "certainly not in it" cheaply: one bit per FNV-1a hash
/// of each string's bytes. A set bit says "maybe" (the caller then asks the real set).
struct MatchFilter: Sendable {
    /// Bits of the hash used: 2^18 bits (32 KiB) leave about 1 % false positives for the
    /// few thousand threat-feed and typosquat domains of a store.
    static let hashBits = 18
    private var words: [UInt64]

    init(_ keys: some Sequence<String>) {
        words = [UInt64](repeating: 0, count: (1 << Self.hashBits) / 64)
        for key in keys {
            let bit = Self.bit(key)
            words[bit >> 6] |= 1 << UInt64(bit & 63)
        }
    }

    /// False when `text` is certainly not one of the keys.
    func mayContain(_ text: String) -> Bool {
        let bit = Self.bit(text)
        return words[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }

    /// The top ``hashBits`` of the 64-bit FNV-1a hash of the string's UTF-8 bytes.
    static func bit(_ text: String) -> Int {
        Int(truncatingIfNeeded: FNV1a.hash64(utf8: text) >> UInt64(64 - hashBits))
    }
}
