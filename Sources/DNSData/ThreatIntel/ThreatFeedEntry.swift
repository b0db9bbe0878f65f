import Foundation

/// One URL from a threat feed (URLhaus's columns), with the host it points at. The registered
/// domain is left for the caller to fill with a Public Suffix List extractor.
public struct ThreatFeedEntry: Sendable, Equatable {
    /// The feed's id for the URL.
    public var id: Int64
    /// When the feed added it, as the feed writes it (`2020-08-21 08:53:20`, UTC).
    public var dateadded: String
    /// The malicious URL.
    public var url: String
    /// `online`, `offline` or `unknown`.
    public var urlStatus: String
    /// When it was last seen serving, if the feed's layout has the column and it is not empty.
    public var lastOnline: String?
    /// What it serves (`malware_download`).
    public var threat: String
    /// The tags as the feed writes them, comma-separated (`AgentTesla,zip`); see ``tagList``.
    public var tags: String
    /// The feed's page about the URL.
    public var urlhausLink: String
    /// Who reported it.
    public var reporter: String
    /// The URL's host, lowercased, without port or brackets; see ``URLHostExtractor``.
    public var host: String
    /// The host's registered domain (`asdklgb.cf`), for the caller to fill; nil until then and
    /// for IP addresses.
    public var registeredDomain: String?

    /// An entry with every field given; `registeredDomain` is usually filled in later.
    public init(
        id: Int64, dateadded: String, url: String, urlStatus: String, lastOnline: String?, threat: String,
        tags: String, urlhausLink: String, reporter: String, host: String, registeredDomain: String? = nil
    ) {
        self.id = id
        self.dateadded = dateadded
        self.url = url
        self.urlStatus = urlStatus
        self.lastOnline = lastOnline
        self.threat = threat
        self.tags = tags
        self.urlhausLink = urlhausLink
        self.reporter = reporter
        self.host = host
        self.registeredDomain = registeredDomain
    }

    /// The tags one by one, blanks dropped.
    public var tagList: [String] {
        tags.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
