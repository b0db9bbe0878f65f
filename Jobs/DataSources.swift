import DNSData
import Foundation

/// The job's input files, named as in the accelerator's sample data set, and where the
/// `data` parameter (or a source's own parameter) says to find them.
enum DataSet: Equatable {
    /// A deterministic synthetic sample the project generates itself (offline).
    case builtin
    /// The accelerator's public sample files and URLhaus's recent dump.
    case `public`
    /// A base URI or directory holding files named as the sample set names them.
    case base(String)

    init(parameter: String) {
        switch parameter.trimmingCharacters(in: .whitespaces).lowercased() {
        case "", "builtin": self = .builtin
        case "public": self = .public
        default: self = .base(parameter.trimmingCharacters(in: .whitespaces))
        }
    }

    /// One input of the job.
    struct Source {
        /// The role, which is also the name of the parameter that overrides it.
        var role: String
        /// The file name in a sample set.
        var file: String
        /// Whether the job can do without it (it says so and goes on).
        var optional: Bool
    }

    static let sources: [Source] = [
        Source(role: "dns_logs", file: "dns_events.json", optional: false),
        Source(role: "threat_feed", file: "urlhaus_recent.csv", optional: false),
        Source(role: "legit_domains", file: "alexa_100k.txt", optional: false),
        Source(role: "dga_domains", file: "dga_domains_header.txt", optional: false),
        Source(role: "dnstwist_csv", file: "domains_dnstwists.csv", optional: true),
        Source(role: "geoip_database", file: "geoip/GeoLite2-City.mmdb", optional: true),
    ]

    static let publicBase = "https://raw.githubusercontent.com/zaferbil/dns-notebook-datasets/master/data/"
    static let urlhausRecent = "https://urlhaus.abuse.ch/downloads/csv_recent/"

    /// Where a role's file comes from in this data set; nil when the set has none.
    /// For the built-in set, `builtinDirectory` holds the generated files.
    func location(of source: Source, builtinDirectory: URL?) -> String? {
        switch self {
        case .builtin:
            // The generated set has no dnstwist CSV (the job generates lookalikes itself) and no GeoIP database.
            guard let builtinDirectory, !source.optional else { return nil }
            return builtinDirectory.appendingPathComponent(source.file).path
        case .public:
            if source.role == "geoip_database" { return nil }
            return source.role == "threat_feed" ? Self.urlhausRecent : Self.publicBase + source.file
        case .base(let base):
            return base.hasSuffix("/") ? base + source.file : base + "/" + source.file
        }
    }

    /// The directory or prefix of new logs for scoring.
    func latestLogs(builtinDirectory: URL?) -> String? {
        switch self {
        case .builtin: return builtinDirectory.map { $0.appendingPathComponent("latest").path + "/" }
        case .public: return Self.publicBase + "latest/dns_test_1.json"
        case .base(let base): return (base.hasSuffix("/") ? base : base + "/") + "latest/"
        }
    }

    /// A local file path for a location, when it is one (`file://` or a plain path).
    static func localPath(_ location: String) -> String? {
        if location.hasPrefix("file://") { return URL(string: location)?.path }
        if location.contains("://") { return nil }
        return location
    }
}
