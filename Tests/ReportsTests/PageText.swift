import Foundation

/// Reads tables back out of a rendered page (the DOM Chromium dumped), so tests can compare
/// what the page shows with what the store holds.
enum PageText {
    /// The body rows of the table with `id`, each a list of cell texts (tags stripped,
    /// entities decoded, whitespace collapsed).
    static func tableRows(_ html: String, id: String) -> [[String]] {
        guard let start = html.range(of: "<table id=\"\(id)\"") ?? html.range(of: "<table class=\"sortable\" id=\"\(id)\""),
              let end = html.range(of: "</table>", range: start.upperBound..<html.endIndex) else { return [] }
        let table = String(html[start.lowerBound..<end.upperBound])
        guard let bodyStart = table.range(of: "<tbody>") else { return [] }
        let body = table[bodyStart.upperBound...]
        return matches(String(body), #"<tr[^>]*>(.*?)</tr>"#).map { row in
            matches(row, #"<t[dh][^>]*>(.*?)</t[dh]>"#).map(text)
        }
    }

    /// The header texts of the table with `id`.
    static func tableHeaders(_ html: String, id: String) -> [String] {
        guard let start = html.range(of: "id=\"\(id)\""), let end = html.range(of: "</thead>", range: start.upperBound..<html.endIndex) else { return [] }
        return matches(String(html[start.upperBound..<end.lowerBound]), #"<th[^>]*>(.*?)</th>"#).map(text)
    }

    /// Text of an HTML fragment.
    static func text(_ fragment: String) -> String {
        var out = fragment.replacingOccurrences(of: "<br>", with: " ")
        out = out.replacingOccurrences(of: #"<[^>]+>"#, with: "", options: .regularExpression)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", " "), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: character)
        }
        return out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func matches(_ text: String, _ pattern: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
