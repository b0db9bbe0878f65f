import Foundation
import Lakehouse

/// Writes `silver_dns_training_dataset(domain, class)` from the popular-domains list (class
/// `legit`) and the DGA list (class `ioc`), cleaned as the accelerator cleans them: each
/// name's domain label (the part left of the public suffix), lower case, trimmed,
/// deduplicated, empty ones dropped.
public struct TrainingSetTable {
    public struct Summary: Sendable, Equatable {
        public var legitRead: Int
        public var iocRead: Int
        public var legit: Int
        public var ioc: Int
        /// Labels found in both lists: dropped from both, since a label cannot teach both classes.
        public var inBothLists: Int
        /// Lines with no usable name (empty, the header, a NaN).
        public var dropped: Int
    }

    public let database: Database
    public let suffixes: PublicSuffixList

    public init(database: Database, suffixes: PublicSuffixList) {
        self.database = database
        self.suffixes = suffixes
    }

    /// Replaces the table's rows, in one transaction.
    ///
    /// - Parameters:
    ///   - legitList: a `rank,uri` CSV (the accelerator's `alexa_100k.txt`), or one name a line.
    ///   - dgaList: a `raw_domain` list (the accelerator's `dga_domains_header.txt`), one name a line.
    public func replace(legitList: URL, dgaList: URL) throws -> Summary {
        var summary = Summary(legitRead: 0, iocRead: 0, legit: 0, ioc: 0, inBothLists: 0, dropped: 0)
        let legit = try labels(in: legitList, read: &summary.legitRead, dropped: &summary.dropped)
        let ioc = try labels(in: dgaList, read: &summary.iocRead, dropped: &summary.dropped)
        let both = Set(legit).intersection(ioc)
        summary.inBothLists = both.count
        try database.transaction(.immediate) {
            try database.execute("DELETE FROM silver_dns_training_dataset")
            let insert = try database.prepare("INSERT INTO silver_dns_training_dataset(domain, class) VALUES (?, ?)")
            for (labels, label) in [(legit, "legit"), (ioc, "ioc")] {
                for domain in labels where !both.contains(domain) {
                    try insert.bind([domain, label])
                    try insert.run()
                    if label == "legit" { summary.legit += 1 } else { summary.ioc += 1 }
                }
            }
        }
        return summary
    }

    /// The distinct domain labels of a list, in file order.
    func labels(in url: URL, read: inout Int, dropped: inout Int) throws -> [String] {
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        var seen: Set<String> = []
        var result: [String] = []
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            // A `rank,uri` CSV: the name is the last column; its header and a bare header line are skipped.
            if let comma = line.lastIndex(of: ",") { line = String(line[line.index(after: comma)...]).trimmingCharacters(in: .whitespaces) }
            read += 1
            let lowered = line.lowercased()
            if index == 0 && (lowered == "uri" || lowered == "raw_domain" || lowered == "domain") { read -= 1; continue }
            if lowered == "nan" || lowered.isEmpty { dropped += 1; continue }
            let label = suffixes.extract(SilverDNSBuilder.domainName(lowered)).domain.lowercased()
            if label.isEmpty { dropped += 1; continue }
            if seen.insert(label).inserted { result.append(label) }
        }
        return result
    }
}
