import Foundation
import Tracking

/// What a step printed, cell by cell: the run output of a notebook.
public struct Transcript: Sendable, Codable {
    public var jobName: String
    public var jobRunID: Int64
    public var taskKey: String
    public var stepName: String
    public var title: String
    public var attempt: Int
    public var parameters: [String: String]
    public var startTime: Double
    public var endTime: Double?
    /// `SUCCESS`, `FAILED`, `TIMEDOUT`, `CANCELED` once ended; `RUNNING` while it runs.
    public var state: String
    public var cells: [CellRecord]
    /// An error raised outside any cell (for example a missing parameter).
    public var error: String?
}

/// One cell of a transcript.
public struct CellRecord: Sendable, Codable {
    public enum State: String, Sendable, Codable {
        case running = "RUNNING", success = "SUCCESS", failed = "FAILED", canceled = "CANCELED"
    }

    public var index: Int
    public var name: String
    public var state: State
    public var startTime: Double
    public var duration: Double?
    public var outputs: [CellOutput]
    /// The error the cell raised, shown in place.
    public var error: String?
    /// Lines not kept because the cell printed more than the transcript holds.
    public var droppedLines: Int
}

/// One piece of a cell's output.
public enum CellOutput: Sendable, Codable {
    case text(String)
    case table(title: String?, headers: [String], rows: [[String]])
}

extension Transcript {
    /// The transcript as Markdown, readable in a terminal or a code review.
    public func markdown() -> String {
        var out = "# \(taskKey): \(title)\n\n"
        out += "Job `\(jobName)` run \(jobRunID), task `\(taskKey)` (step `\(stepName)`), attempt \(attempt), **\(state)**"
        if let endTime { out += String(format: " in %.2f s", endTime - startTime) }
        out += ".\n\n"
        if !parameters.isEmpty {
            out += "| parameter | value |\n| --- | --- |\n"
            for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
                out += "| \(Self.markdownCell(name)) | \(Self.markdownCell(value)) |\n"
            }
            out += "\n"
        }
        for cell in cells {
            out += "## [\(cell.index)] \(cell.name)\n\n"
            let time = cell.duration.map { String(format: "%.3f s", $0) } ?? "not finished"
            out += "_\(cell.state.rawValue), \(time)_\n\n"
            for output in cell.outputs {
                switch output {
                case .text(let text):
                    out += "```\n\(text.replacingOccurrences(of: "```", with: "`\u{200B}``"))\n```\n\n"
                case let .table(title, headers, rows):
                    if let title { out += "**\(Self.markdownCell(title))**\n\n" }
                    out += "| " + headers.map(Self.markdownCell).joined(separator: " | ") + " |\n"
                    out += "|" + String(repeating: " --- |", count: headers.count) + "\n"
                    for row in rows { out += "| " + row.map(Self.markdownCell).joined(separator: " | ") + " |\n" }
                    out += "\n"
                }
            }
            if cell.droppedLines > 0 { out += "_(\(cell.droppedLines) more lines not kept)_\n\n" }
            if let error = cell.error { out += "**Error:**\n\n```\n\(error)\n```\n\n" }
        }
        if let error { out += "## Error\n\n```\n\(error)\n```\n" }
        return out
    }

    /// The transcript as a self-contained HTML page (no script, no network).
    public func html() -> String {
        var body = ""
        body += "<h1>\(Self.escape(taskKey)): \(Self.escape(title))</h1>\n"
        var summary = "Job <code>\(Self.escape(jobName))</code> run \(jobRunID), step <code>\(Self.escape(stepName))</code>, attempt \(attempt), <span class=\"state \(Self.escape(state.lowercased()))\">\(Self.escape(state))</span>"
        if let endTime { summary += String(format: " in %.2f s", endTime - startTime) }
        body += "<p>\(summary).</p>\n"
        if !parameters.isEmpty {
            body += "<table class=\"params\"><tr><th>parameter</th><th>value</th></tr>\n"
            for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
                body += "<tr><td>\(Self.escape(name))</td><td><code>\(Self.escape(value))</code></td></tr>\n"
            }
            body += "</table>\n"
        }
        for cell in cells {
            let time = cell.duration.map { String(format: "%.3f s", $0) } ?? "not finished"
            body += "<section class=\"cell \(cell.state.rawValue.lowercased())\">\n"
            body += "<h2><span class=\"index\">[\(cell.index)]</span> \(Self.escape(cell.name)) <small>\(cell.state.rawValue), \(time)</small></h2>\n"
            for output in cell.outputs {
                switch output {
                case .text(let text):
                    body += "<pre>\(Self.escape(text))</pre>\n"
                case let .table(title, headers, rows):
                    body += "<table>"
                    if let title { body += "<caption>\(Self.escape(title))</caption>" }
                    body += "<tr>" + headers.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>\n"
                    for row in rows { body += "<tr>" + row.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>\n" }
                    body += "</table>\n"
                }
            }
            if cell.droppedLines > 0 { body += "<p class=\"note\">\(cell.droppedLines) more lines not kept.</p>\n" }
            if let error = cell.error { body += "<pre class=\"error\">\(Self.escape(error))</pre>\n" }
            body += "</section>\n"
        }
        if let error { body += "<section class=\"cell failed\"><h2>Error</h2><pre class=\"error\">\(Self.escape(error))</pre></section>\n" }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escape(taskKey)) — run \(jobRunID)</title>
            <style>
            body { font: 15px/1.45 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #1b1f24; }
            h1 { font-size: 1.5em; } h2 { font-size: 1.1em; margin: 0 0 .5em; } h2 small { color: #57606a; font-weight: normal; }
            .cell { border: 1px solid #d0d7de; border-left: 5px solid #2da44e; border-radius: 6px; padding: .8em 1em; margin: 1em 0; }
            .cell.failed { border-left-color: #cf222e; } .cell.canceled, .cell.running { border-left-color: #bf8700; }
            .index { color: #57606a; font-family: ui-monospace, monospace; }
            pre { background: #f6f8fa; padding: .6em; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
            pre.error { background: #ffebe9; color: #82071e; }
            table { border-collapse: collapse; margin: .5em 0; } td, th { border: 1px solid #d0d7de; padding: .2em .6em; text-align: left; }
            th { background: #f6f8fa; } caption { text-align: left; font-weight: bold; }
            .state.success { color: #1a7f37; } .state.failed, .state.timedout { color: #cf222e; } .state.canceled { color: #9a6700; }
            @media print { .cell { break-inside: avoid; } }
            </style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    /// Escapes text for HTML element content and attribute values.
    public static func escape(_ text: String) -> String { HTMLText.escaped(text) }

    static func markdownCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
