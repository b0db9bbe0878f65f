import Foundation
import Mustache

/// Everything a notification says about one evaluation: the template variables' source.
public struct AlertNotification: Sendable {
    public var alert: AlertDefinition
    /// `OK`, `TRIGGERED` or `UNKNOWN`.
    public var state: String
    public var previousState: String?
    /// The value the condition compared (nil when there was none).
    public var value: AlertCondition.Value?
    /// Why UNKNOWN, or the condition as evaluated.
    public var reason: String
    /// The query's result; empty when the query failed.
    public var result: QueryResult
    public var evaluatedAt: Date
    public var jobRunID: Int64?

    public init(
        alert: AlertDefinition, state: String, previousState: String?, value: AlertCondition.Value?, reason: String,
        result: QueryResult, evaluatedAt: Date, jobRunID: Int64?
    ) {
        self.alert = alert
        self.state = state
        self.previousState = previousState
        self.value = value
        self.reason = reason
        self.result = result
        self.evaluatedAt = evaluatedAt
        self.jobRunID = jobRunID
    }
}

/// Renders the alert's Mustache templates for one channel, escaping values from the data for
/// that channel: HTML in the e-mail's HTML part, Slack's three characters for Slack, JSON string
/// escapes in webhook payload templates, nothing in plain text. The template's own text is
/// trusted (it is the alert author's); only values are escaped.
public enum NotificationRenderer {
    public enum Channel: Sendable {
        case text, html, slack, json

        /// The swift-mustache content type that escapes `{{value}}` for this channel.
        var contentTypeName: String {
            switch self {
            case .text: return "TEXT"
            case .html: return "HTML"
            case .slack: return "RUNME_SLACK"
            case .json: return "RUNME_JSON"
            }
        }
    }

    private struct SlackContentType: MustacheContentType {
        func escapeText(_ text: String) -> String { escapeSlack(text) }
    }

    private struct JSONContentType: MustacheContentType {
        func escapeText(_ text: String) -> String { escapeJSONString(text) }
    }

    /// A SQL NULL: renders as nothing and is false in a section.
    private struct NullValue: MustacheCustomRenderable {
        var renderText: String { "" }
        var isNull: Bool { true }
    }

    private static let registerContentTypes: Void = {
        MustacheContentTypes.register(SlackContentType(), named: "RUNME_SLACK")
        MustacheContentTypes.register(JSONContentType(), named: "RUNME_JSON")
    }()

    /// The template's syntax error (with line and column), or nil when it compiles.
    public static func syntaxProblem(in template: String) -> String? {
        do {
            _ = try MustacheTemplate(string: template)
            return nil
        } catch let error as MustacheTemplate.ParserError {
            return "\(error.error) at line \(error.context.lineNumber), column \(error.context.columnNumber): \(error.context.line.trimmingCharacters(in: .whitespacesAndNewlines))"
        } catch {
            return "\(error)"
        }
    }

    /// Renders `template` for `channel`. The template was compiled when the definitions loaded,
    /// so a failure here cannot come from its syntax; it is reported as the rendered text.
    public static func render(_ template: String, channel: Channel, _ notification: AlertNotification) -> String {
        _ = registerContentTypes
        // QUERY_RESULT_TABLE is built already escaped for the channel, so it is inserted as is.
        let source = "{{% CONTENT_TYPE: \(channel.contentTypeName)}}" + template.replacingOccurrences(
            of: #"(?<!\{)\{\{\s*QUERY_RESULT_TABLE\s*\}\}(?!\})"#, with: "{{{QUERY_RESULT_TABLE}}}", options: .regularExpression)
        do {
            return try MustacheTemplate(string: source).render(context(notification, channel: channel))
        } catch {
            return "(template could not be rendered: \(error))"
        }
    }

    /// The subject line: one line, whatever the data holds.
    public static func subject(_ notification: AlertNotification, channel: Channel = .text) -> String {
        let text = render(notification.alert.template.subject, channel: channel, notification)
        return text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
    }

    /// The text body (stdout, files, Slack, the e-mail's plain part).
    public static func body(_ notification: AlertNotification, channel: Channel = .text) -> String {
        render(notification.alert.template.body, channel: channel, notification)
    }

    /// The e-mail's HTML part: the `html_body` template, else the body rendered for HTML with
    /// its line breaks kept.
    public static func htmlBody(_ notification: AlertNotification) -> String {
        if let html = notification.alert.template.htmlBody {
            return render(html, channel: .html, notification)
        }
        let body = render(notification.alert.template.body, channel: .html, notification)
        let subject = escapeHTML(self.subject(notification))
        return """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>\(subject)</title></head>
            <body style="font-family: sans-serif">
            \(body.trimmingCharacters(in: .newlines).replacingOccurrences(of: "\n", with: "<br>\n"))
            </body></html>
            """
    }

    static func context(_ n: AlertNotification, channel: Channel) -> [String: Any] {
        let columns = n.result.columns
        let rows: [[String: Any]] = n.result.rows.map { row in
            var object: [String: Any] = [:]
            for (name, value) in zip(columns, row) { object[name] = mustacheValue(value) }
            return object
        }
        let table: String
        switch channel {
        case .html: table = ResultTables.html(n.result)
        case .text: table = ResultTables.text(n.result)
        case .slack: table = "```\n" + escapeSlack(ResultTables.text(n.result)) + "\n```"
        case .json: table = escapeJSONString(ResultTables.text(n.result))
        }
        let condition = n.alert.condition
        return [
            "ALERT_NAME": n.alert.name,
            "ALERT_DESCRIPTION": n.alert.description,
            "ALERT_STATUS": n.state,
            "ALERT_PREVIOUS_STATUS": n.previousState ?? "",
            "ALERT_TRIGGERED": n.state == AlertState.triggered.rawValue,
            "ALERT_OK": n.state == AlertState.ok.rawValue,
            "ALERT_UNKNOWN": n.state == AlertState.unknown.rawValue,
            "ALERT_REASON": n.reason,
            "ALERT_CONDITION": condition.op.rawValue,
            "ALERT_THRESHOLD": condition.threshold?.description ?? "",
            "ALERT_COLUMN": condition.subject,
            "ALERT_AGGREGATION": condition.aggregation?.rawValue ?? "",
            "QUERY_NAME": n.alert.queryName,
            "QUERY_RESULT_VALUE": n.value.map(mustacheValue) ?? NullValue(),
            "QUERY_RESULT_ROWS": rows,
            "QUERY_RESULT_COLS": columns,
            "QUERY_RESULT_ROW_COUNT": n.result.rows.count,
            "QUERY_RESULT_TABLE": table,
            "EVALUATED_AT": AlertTime.iso(n.evaluatedAt),
            "JOB_RUN_ID": n.jobRunID.map { String($0) } ?? "",
        ]
    }

    private static func mustacheValue(_ value: AlertCondition.Value) -> Any {
        switch value {
        case .null: return NullValue()
        case .number, .text: return value.description
        }
    }
}

/// The three states an alert can be in.
public enum AlertState: String, Sendable, CaseIterable {
    case ok = "OK", triggered = "TRIGGERED", unknown = "UNKNOWN"
}

enum AlertTime {
    /// UTC, ISO 8601 with milliseconds, as PagerDuty and most receivers parse.
    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
