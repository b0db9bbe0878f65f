import Foundation
import Tracking

/// The query result as a table for `QUERY_RESULT_TABLE`: HTML for the e-mail's HTML part,
/// aligned text for every other channel. At most `rowLimit` rows, then a line saying how many more.
enum ResultTables {
    static let rowLimit = 100

    static func html(_ result: QueryResult) -> String {
        // One line: the HTML body turns newlines into <br>, which must not land inside a table.
        var html = #"<table border="1" cellpadding="4" cellspacing="0" style="border-collapse:collapse">"#
        html += "<tr>" + result.columns.map { "<th>\(escapeHTML($0))</th>" }.joined() + "</tr>"
        for row in result.rows.prefix(rowLimit) {
            html += "<tr>" + row.map { "<td>\(escapeHTML(cell($0)))</td>" }.joined() + "</tr>"
        }
        html += "</table>"
        if let more = moreRows(result) { html += "<p>\(escapeHTML(more))</p>" }
        return html
    }

    static func text(_ result: QueryResult) -> String {
        let rows = result.rows.prefix(rowLimit).map { $0.map(cell) }
        var widths = result.columns.map(\.count)
        for row in rows {
            for (index, value) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], min(value.count, 80))
            }
        }
        func line(_ values: [String]) -> String {
            values.enumerated().map { index, value in
                let clipped = value.count > 80 ? String(value.prefix(79)) + "…" : value
                return index == values.count - 1 ? clipped : clipped.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: " | ")
        }
        var lines = [line(result.columns), widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-")]
        lines += rows.map(line)
        if rows.isEmpty { lines.append("(no rows)") }
        if let more = moreRows(result) { lines.append(more) }
        return lines.joined(separator: "\n")
    }

    static func cell(_ value: AlertCondition.Value) -> String {
        switch value {
        case .null: return ""
        // Control characters from the data would break lines and columns of a text table.
        case .text(let t): return String(t.map { $0.isNewline || $0 == "\t" ? " " : $0 })
        case .number: return value.description
        }
    }

    private static func moreRows(_ result: QueryResult) -> String? {
        if result.rows.count > rowLimit {
            return "… and \(result.rows.count - rowLimit)\(result.truncated ? "+" : "") more rows"
        }
        return result.truncated ? "… and more rows (the query returned more than max_rows)" : nil
    }
}

/// HTML text and attribute values.
func escapeHTML(_ text: String) -> String { HTMLText.escaped(text) }

/// Slack's mrkdwn treats `<…>` as links and mentions and `&` as an entity: exactly these three
/// are escaped, as Slack documents.
func escapeSlack(_ text: String) -> String {
    replacing(text) { character in
        switch character {
        case "<": return "&lt;"
        case ">": return "&gt;"
        case "&": return "&amp;"
        default: return nil
        }
    }
}

/// `text` with each character that `replacement` maps replaced by its mapping.
private func replacing(_ text: String, _ replacement: (Character) -> String?) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for character in text {
        if let replaced = replacement(character) { out += replaced } else { out.append(character) }
    }
    return out
}

/// The inside of a JSON string literal (without the quotes); `<`, `>` and `&` are escaped too,
/// so that a payload pasted into HTML cannot open a tag.
func escapeJSONString(_ text: String) -> String {
    JSONStringLiteral.escaped(text, htmlSafe: true)
}
