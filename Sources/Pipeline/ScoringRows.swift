import DNSData

/// One log line on its way into `dns_log_analytics`: a record scored and enriched, or a line
/// that was not a record (which the `parseable` expectation quarantines).
public struct AnalyticsRow: Sendable {
    /// The name as logged, e.g. `ns1.asdklgb.cf.`.
    public var domain: String
    /// Its registered domain (`asdklgb.cf`); empty when it has none.
    public var domainTldextract: String
    /// The label the model scored (`asdklgb`); empty when there is none.
    public var label: String
    public var isIPAddress = false
    public var predictedClass = "legit"
    public var score = 0.0
    /// Unix seconds of the record (its `time_last`).
    public var eventTime: Int64?
    public var rrtype = ""
    public var rdata = ""
    public var ipAddress: String?
    public var threat: String?
    public var tags: String?
    public var brand: String?
    public var fuzzer: String?
    public var city: String?
    public var country: String?
    public var countryCode: String?
    public var source: String
    public var sourceLine: Int
    /// Why the line is not a record (the reader's reason), for a junk line.
    public var parseError: String?
    /// The raw line of a junk line.
    public var raw: String?

    public init(domain: String, domainTldextract: String, label: String, source: String, sourceLine: Int) {
        self.domain = domain
        self.domainTldextract = domainTldextract
        self.label = label
        self.source = source
        self.sourceLine = sourceLine
    }

    /// A record's row before scoring, every field given at once: the enricher returns it as
    /// it is made (a row assembled field by field in a variable was copied on its way out).
    init(domain: String, domainTldextract: String, label: String, isIPAddress: Bool, eventTime: Int64?, rrtype: String, rdata: String,
         ipAddress: String?, threat: String?, tags: String?, brand: String?, fuzzer: String?,
         city: String?, country: String?, countryCode: String?, source: String, sourceLine: Int) {
        self.domain = domain
        self.domainTldextract = domainTldextract
        self.label = label
        self.isIPAddress = isIPAddress
        self.eventTime = eventTime
        self.rrtype = rrtype
        self.rdata = rdata
        self.ipAddress = ipAddress
        self.threat = threat
        self.tags = tags
        self.brand = brand
        self.fuzzer = fuzzer
        self.city = city
        self.country = country
        self.countryCode = countryCode
        self.source = source
        self.sourceLine = sourceLine
    }

    /// A short description for error messages.
    public var summary: String {
        if let parseError { return "\(source) line \(sourceLine) (\(parseError))" }
        return "\(source) line \(sourceLine) ('\(domain)', class \(predictedClass), score \(score))"
    }
}

/// One row of the gold table `dns_ioc_latest`: a detection with its reasons.
public struct DetectionRow: Sendable {
    public var row: AnalyticsRow
    /// `model`, `threat_feed`, `typosquat`, comma-joined.
    public var reason: String
    /// JSON array of {"feature", "value", "contribution"}, strongest first.
    public var topFeatures: String
}

/// An input line of the pipeline: a record or a quarantined line of a file.
public struct LogLine: Sendable {
    /// The record's text fields (the reader's ``DNSLogReader/forEachRow(_:)``), or the bad line.
    public var row: DNSLogRow
    public var source: String
}
