import Alerts
import Foundation
import Lakehouse
import TestSupport
import Tracking

/// A store with a results database holding scored rows built from the shared sample:
/// `latest/dns_test_1.json` scored as the accelerator's story has it, joined with the URLhaus
/// dump (`urlhaus_recent.csv`) on the registered domain.
final class AlertFixture: @unchecked Sendable {
    let directory: TemporaryDirectory
    let store: TrackingStore
    let lakehouse: Database
    /// What the stdout destination printed.
    let printed = Printed()

    final class Printed: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ text: String) { lock.lock(); lines.append(text); lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return lines.joined(separator: "\n") }
    }

    init() throws {
        directory = try TemporaryDirectory("runme-alerts")
        store = try TrackingStore.open(at: directory.url)
        lakehouse = try LakehouseSchema.open(storeDirectory: directory.url)
    }

    /// The model's verdicts for the three names of `latest/dns_test_1.json`, as the accelerator
    /// reports them: the Agent Tesla DGA name is an ioc, google.com and its typosquat are legit
    /// by the model (the typosquat is caught by the brand check).
    static let verdicts: [String: (class: String, score: Double, brand: String?)] = [
        "ns1.asdklgb.cf.": ("ioc", 0.9871, nil),
        "google.com": ("legit", 0.0123, nil),
        "www.googlee.com": ("legit", 0.2210, "google.com"),
    ]

    /// Inserts the scored rows of the shared sample with `timestamp` set to `age` seconds ago.
    func insertSampleRows(age: TimeInterval = 60, updateID: Int = 1) throws {
        let lines = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("latest/dns_test_1.json"), encoding: .utf8)
            .split(whereSeparator: \.isNewline)
        let feed = try Self.urlhausByRegisteredDomain()
        let timestamp = Self.sqliteTime(Date().addingTimeInterval(-age))
        for (index, line) in lines.enumerated() {
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            let rrname = record["rrname"] as? String ?? ""
            let registered = Self.registeredDomain(rrname)
            let verdict = Self.verdicts[rrname] ?? ("legit", 0.01, nil)
            let rdata = (record["rdata"] as? [String] ?? []).joined(separator: ",")
            let eventTime = Self.sqliteTime(Date(timeIntervalSince1970: record["time_last"] as? Double ?? 0))
            try insertRow(
                domain: rrname, registered: registered, class: verdict.class, score: verdict.score, timestamp: timestamp,
                eventTime: eventTime, rrtype: record["rrtype"] as? String, rdata: rdata, threat: feed[registered]?.threat,
                tags: feed[registered]?.tags, brand: verdict.brand, sourceLine: index + 1, updateID: updateID)
        }
    }

    func insertRow(
        domain: String, registered: String, class: String, score: Double, timestamp: String, eventTime: String? = nil,
        rrtype: String? = "A", rdata: String? = nil, threat: String? = nil, tags: String? = nil, brand: String? = nil,
        sourceLine: Int = 1, updateID: Int = 1
    ) throws {
        try lakehouse.execute("""
            INSERT INTO dns_log_analytics(domain, domain_tldextract, class, score, timestamp, event_time, rrtype, rdata,
                ip_address, threat, tags, brand, fuzzer, model_uri, source, source_line, update_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [
            domain, registered, `class`, score, timestamp, eventTime, rrtype, rdata,
            rdata?.split(separator: ",").first.map(String.init), threat, tags, brand, brand == nil ? nil : "addition",
            "models:/dns_dga/1", "latest/dns_test_1.json", sourceLine, updateID,
        ])
    }

    /// Moves every row's processing time back by `seconds` (the IoCs age out of "the last day").
    func ageRows(by seconds: Int) throws {
        try lakehouse.execute("UPDATE dns_log_analytics SET timestamp = strftime('%Y-%m-%d %H:%M:%f', timestamp, '-\(seconds) seconds')")
    }

    func evaluator(environment: [String: String] = [:], jobRunID: Int64? = nil) -> AlertEvaluator {
        let printed = self.printed
        return AlertEvaluator(store: store, environment: environment, jobRunID: jobRunID, printer: { printed.append($0) })
    }

    /// The job's own definitions (Jobs/alerts).
    static func defaultDefinitions() throws -> [AlertDefinition] {
        try AlertDefinitionLoader.load(locations: ["Jobs/alerts"], baseDirectory: TestPaths.packageRoot)
    }

    static func sqliteTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        return formatter.string(from: date)
    }

    /// The last two labels: right for every name of the sample (cf, com).
    static func registeredDomain(_ name: String) -> String {
        let labels = name.lowercased().split(separator: ".")
        return labels.suffix(2).joined(separator: ".")
    }

    /// URLhaus rows by registered domain: the threat and the tags of the first row naming it.
    static func urlhausByRegisteredDomain() throws -> [String: (threat: String, tags: String)] {
        let text = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("urlhaus_recent.csv"), encoding: .utf8)
        var feed: [String: (threat: String, tags: String)] = [:]
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("\"") {
            // Quoted columns: id, dateadded, url, url_status, last_online, threat, tags, urlhaus_link, reporter.
            let columns = line.dropFirst().dropLast(line.hasSuffix("\"") ? 1 : 0).components(separatedBy: "\",\"")
            guard columns.count >= 7, let host = URL(string: columns[2])?.host else { continue }
            let registered = registeredDomain(host)
            if feed[registered] == nil { feed[registered] = (columns[5], columns[6]) }
        }
        return feed
    }
}
