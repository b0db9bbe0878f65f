import Foundation

/// The JSON bodies runme sends: its standard payload (JSON-lines file, generic webhook),
/// Slack's incoming-webhook message, and PagerDuty Events API v2 events. All are built as
/// objects and serialized, so no value from the data can change their structure.
enum Payloads {
    /// runme's standard payload: the evaluation, the rendered subject and body, the first 100 rows.
    static func standard(_ n: AlertNotification) -> [String: Any] {
        let rows: [[String: Any]] = n.result.rows.prefix(ResultTables.rowLimit).map { row in
            var object: [String: Any] = [:]
            for (name, value) in zip(n.result.columns, row) { object[name] = json(value) }
            return object
        }
        return [
            "alert": n.alert.name,
            "status": n.state,
            "previous_status": n.previousState.map { $0 as Any } ?? NSNull(),
            "evaluated_at": AlertTime.iso(n.evaluatedAt),
            "job_run_id": n.jobRunID.map { $0 as Any } ?? NSNull(),
            "query_name": n.alert.queryName,
            "condition": n.alert.condition.text,
            "column": n.alert.condition.subject,
            "op": n.alert.condition.op.rawValue,
            "threshold": n.alert.condition.threshold.map(json) ?? NSNull(),
            "value": n.value.map(json) ?? NSNull(),
            "reason": n.reason,
            "subject": NotificationRenderer.subject(n),
            "body": NotificationRenderer.body(n),
            "columns": n.result.columns,
            "rows": rows,
            "row_count": n.result.rows.count,
        ]
    }

    /// A Slack incoming-webhook message: `text` (the fallback and notification line) and
    /// blocks with the subject and body in mrkdwn, values escaped for Slack.
    static func slack(_ n: AlertNotification) -> [String: Any] {
        let subject = NotificationRenderer.subject(n, channel: .slack)
        // Slack limits a section's text to 3000 characters.
        var body = NotificationRenderer.body(n, channel: .slack)
        if body.count > 2900 { body = String(body.prefix(2900)) + "\n…" }
        return [
            "text": subject,
            "blocks": [
                ["type": "header", "text": ["type": "plain_text", "text": String(NotificationRenderer.subject(n).prefix(150))]],
                ["type": "section", "text": ["type": "mrkdwn", "text": body]],
            ],
        ]
    }

    /// A PagerDuty Events API v2 event: `trigger` with the summary and details, or `resolve`;
    /// both carry one dedup key per alert, so a resolve closes the incident its trigger opened.
    static func pagerDuty(_ n: AlertNotification, routingKey: String, severity: String, action: String) -> [String: Any] {
        var event: [String: Any] = [
            "routing_key": routingKey,
            "event_action": action,
            "dedup_key": dedupKey(n.alert.name),
        ]
        if action == "trigger" {
            event["payload"] = [
                "summary": String(NotificationRenderer.subject(n).prefix(1024)),
                "source": "runme",
                "severity": n.state == AlertState.unknown.rawValue ? "warning" : severity,
                "timestamp": AlertTime.iso(n.evaluatedAt),
                "component": "dns_analytics",
                "group": n.alert.queryName,
                "class": "alert",
                "custom_details": [
                    "alert": n.alert.name,
                    "status": n.state,
                    "condition": n.alert.condition.text,
                    "value": n.value.map(json) ?? NSNull(),
                    "reason": n.reason,
                    "body": NotificationRenderer.body(n),
                    "row_count": n.result.rows.count,
                ] as [String: Any],
            ] as [String: Any]
        }
        return event
    }

    static func dedupKey(_ alertName: String) -> String {
        String("runme/\(alertName)".prefix(255))
    }

    static func json(_ value: AlertCondition.Value) -> Any {
        switch value {
        case .null: return NSNull()
        case .number(let n): return n.rounded() == n && abs(n) < 1e15 ? Int64(n) as Any : n as Any
        case .text(let t): return t
        }
    }

    static func encode(_ object: [String: Any]) -> Data {
        // Every value put in the object is a JSON type, so serialization cannot fail; an empty
        // object is the fallback rather than a crash.
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }
}
