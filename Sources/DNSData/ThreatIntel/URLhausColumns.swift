import Foundation

/// Where each URLhaus field sits in a row. URLhaus has shipped two layouts: the current one
/// with `last_online` after `url_status` (9 columns) and an older one without it (8 columns).
/// A dump names its columns in a commented header line; without one, the field count decides.
struct URLhausColumns: Equatable {
    var id: Int
    var dateadded: Int
    var url: Int
    var urlStatus: Int
    var lastOnline: Int?
    var threat: Int
    var tags: Int
    var urlhausLink: Int
    var reporter: Int
    /// How many fields a row must have.
    var count: Int

    static let current = URLhausColumns(id: 0, dateadded: 1, url: 2, urlStatus: 3, lastOnline: 4, threat: 5, tags: 6, urlhausLink: 7, reporter: 8, count: 9)
    static let withoutLastOnline = URLhausColumns(id: 0, dateadded: 1, url: 2, urlStatus: 3, lastOnline: nil, threat: 4, tags: 5, urlhausLink: 6, reporter: 7, count: 8)

    static let requiredNames = ["id", "dateadded", "url", "url_status", "threat", "tags", "urlhaus_link", "reporter"]

    /// The layout a row of `fieldCount` fields has when no header said.
    static func inferred(fieldCount: Int) -> URLhausColumns? {
        switch fieldCount {
        case current.count: return current
        case withoutLastOnline.count: return withoutLastOnline
        default: return nil
        }
    }
}

// In an extension, so that the struct keeps its synthesized memberwise initializer.
extension URLhausColumns {
    /// The layout a header names, or nil if it lacks a required column. Unknown columns are
    /// allowed (and ignored) so that a column added by URLhaus does not stop the feed.
    init?(header names: [String]) {
        let normalized = names.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func position(_ name: String) -> Int? { normalized.firstIndex(of: name) }
        guard let id = position("id"), let dateadded = position("dateadded"), let url = position("url"),
              let urlStatus = position("url_status"), let threat = position("threat"), let tags = position("tags"),
              let urlhausLink = position("urlhaus_link"), let reporter = position("reporter")
        else { return nil }
        self.init(id: id, dateadded: dateadded, url: url, urlStatus: urlStatus, lastOnline: position("last_online"),
                  threat: threat, tags: tags, urlhausLink: urlhausLink, reporter: reporter, count: names.count)
    }
}
