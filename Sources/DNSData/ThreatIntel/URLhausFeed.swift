import Foundation

/// Reads URLhaus's CSV dumps (`csv_recent`, `csv_online`, the full `csv`): `#` comment lines,
/// including the commented header that names the columns, then one quoted row per URL, with
/// CRLF or LF line ends, in the current 9-column layout or the older 8-column one.
public enum URLhausFeed {
    /// The entries of a dump, and the lines that could not become entries with why.
    ///
    /// A row is rejected, not fatal, when its quoting is broken, its field count does not fit
    /// the layout, its id is not a number or its URL has no host. Blank lines are skipped.
    /// - Parameters:
    ///   - data: the dump's bytes (UTF-8).
    ///   - source: where it came from, recorded with each rejected line.
    /// - Throws: ``URLhausFeedError`` when the header lacks URLhaus columns, or when nothing in
    ///   `data` looks like URLhaus (no header and no valid row among some data lines).
    public static func parse(_ data: Data, source: String) throws(URLhausFeedError) -> (entries: [ThreatFeedEntry], rejected: [QuarantinedLine]) {
        let bytes = [UInt8](data)
        var header: URLhausColumns?
        var entries: [ThreatFeedEntry] = []
        var rejected: [QuarantinedLine] = []

        for (number, line) in QuotedCSVLine.lines(of: bytes) {
            guard let first = line.first(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { continue }
            if first == UInt8(ascii: "#") {
                if let columns = try headerColumns(in: line, number: number, source: source) { header = columns }
                continue
            }
            switch entry(from: line, header: header) {
            case let .success(entry):
                entries.append(entry)
            case let .failure(problem):
                let raw = QuotedCSVLine.rawText(line, limit: QuarantinedLine.maxRawBytes)
                rejected.append(QuarantinedLine(source: source, line: number, reason: problem.reason, raw: raw))
            }
        }
        if entries.isEmpty, header == nil, let first = rejected.first {
            throw .notAFeed(source: source, firstProblem: "line \(first.line): \(first.reason)")
        }
        return (entries, rejected)
    }

    /// A rejected row's reason, as a type so `Result` can carry it.
    private struct RowProblem: Error {
        var reason: String
    }

    /// The columns a commented header line names, nil for any other comment.
    private static func headerColumns(in line: ArraySlice<UInt8>, number: Int, source: String) throws(URLhausFeedError) -> URLhausColumns? {
        let text = line.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "#") }
        guard case let .success(names) = QuotedCSVLine.fields(of: text), names.count > 1,
              names[0].trimmingCharacters(in: .whitespaces).lowercased() == "id"
        else { return nil }
        guard let columns = URLhausColumns(header: names) else {
            let present = Set(names.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            throw .unrecognizedHeader(source: source, line: number, missing: URLhausColumns.requiredNames.filter { !present.contains($0) })
        }
        return columns
    }

    private static func entry(from line: ArraySlice<UInt8>, header: URLhausColumns?) -> Result<ThreatFeedEntry, RowProblem> {
        let fields: [String]
        switch QuotedCSVLine.fields(of: line) {
        case let .success(parsed): fields = parsed
        case let .failure(problem): return .failure(RowProblem(reason: problem.description))
        }
        let columns: URLhausColumns
        if let header {
            guard fields.count == header.count else {
                return .failure(RowProblem(reason: "expected \(header.count) fields as the header names, found \(fields.count)"))
            }
            columns = header
        } else {
            guard let inferred = URLhausColumns.inferred(fieldCount: fields.count) else {
                return .failure(RowProblem(reason: "expected 9 fields (8 in the older layout), found \(fields.count)"))
            }
            columns = inferred
        }
        let idText = fields[columns.id].trimmingCharacters(in: .whitespaces)
        guard let id = Int64(idText) else {
            return .failure(RowProblem(reason: "id \"\(idText.prefix(40))\" is not a number"))
        }
        let url = fields[columns.url]
        guard !url.trimmingCharacters(in: .whitespaces).isEmpty else { return .failure(RowProblem(reason: "the url is empty")) }
        guard let host = URLHostExtractor.host(of: url) else {
            return .failure(RowProblem(reason: "no host in url \"\(url.prefix(200))\""))
        }
        let lastOnline = columns.lastOnline.map { fields[$0] }.flatMap { $0.isEmpty ? nil : $0 }
        return .success(ThreatFeedEntry(
            id: id, dateadded: fields[columns.dateadded], url: url, urlStatus: fields[columns.urlStatus],
            lastOnline: lastOnline, threat: fields[columns.threat], tags: fields[columns.tags],
            urlhausLink: fields[columns.urlhausLink], reporter: fields[columns.reporter], host: host
        ))
    }
}
