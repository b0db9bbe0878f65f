import Foundation

/// The job's input files, named as in the accelerator's sample data set, and where the
/// `data` parameter says to find them.
enum DataSet: Equatable {
    /// A deterministic sample the project generates itself (offline).
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

    /// The sample set's file names, by the role each plays.
    static let files: [(role: String, file: String)] = [
        ("dns_logs", "dns_events.json"),
        ("threat_feed", "urlhaus_recent.csv"),
        ("legit_domains", "alexa_100k.txt"),
        ("dga_domains", "dga_domains_header.txt"),
        ("dnstwist_csv", "domains_dnstwists.csv"),
        ("latest_logs", "latest/"),
    ]

    static let publicBase = "https://raw.githubusercontent.com/zaferbil/dns-notebook-datasets/master/data/"
    static let urlhausRecent = "https://urlhaus.abuse.ch/downloads/csv_recent/"

    /// Where the file for `role` comes from, or nil for the built-in sample.
    func location(of role: String) -> String? {
        guard let file = Self.files.first(where: { $0.role == role })?.file else { return nil }
        switch self {
        case .builtin: return nil
        case .public: return role == "threat_feed" ? Self.urlhausRecent : Self.publicBase + file
        case .base(let base): return base.hasSuffix("/") ? base + file : base + "/" + file
        }
    }

    /// A local file path for a location, when it is one (`file://` or a plain path).
    static func localPath(_ location: String) -> String? {
        if location.hasPrefix("file://") { return URL(string: location)?.path }
        if location.contains("://") { return nil }
        return location
    }
}
