import Alerts
import Foundation
import TestSupport
import Testing
import Tracking

/// Notifications over the wire to local servers on 127.0.0.1: aiosmtpd for e-mail and an
/// HTTP receiver standing in for Slack, PagerDuty and a generic webhook.
@Suite("Alert deliveries", .serialized)
struct DeliveryTests {
    /// Parses a received message with Python's `email` package (an independent MIME parser).
    static let parseMail = #"""
import email, email.policy, json, sys
raw = open(sys.argv[1], "rb").read()
message = email.message_from_bytes(raw, policy=email.policy.default)
parts = []
for part in message.walk():
    if part.is_multipart():
        continue
    parts.append({"type": part.get_content_type(), "charset": part.get_content_charset(), "text": part.get_content()})
bare_lf = any(line.endswith(b"\n") and not line.endswith(b"\r\n") for line in raw.splitlines(keepends=True))
print(json.dumps({"content_type": message.get_content_type(), "subject": str(message["subject"]),
                  "from": str(message["from"]), "to": str(message["to"]), "parts": parts,
                  "bare_lf": bare_lf, "defects": [str(d) for d in message.defects]}))
"""#

    struct ParsedMail: Decodable {
        struct Part: Decodable { var type: String; var charset: String?; var text: String }
        var content_type: String
        var subject: String
        var from: String
        var to: String
        var parts: [Part]
        var bare_lf: Bool
        var defects: [String]
        func part(_ type: String) -> String { parts.first { $0.type == type }?.text ?? "" }
    }

    static func parse(_ file: URL) throws -> ParsedMail {
        let output = try LocalServers.runPython(parseMail, arguments: [file.path])
        return try JSONDecoder().decode(ParsedMail.self, from: Data(output.utf8))
    }

    struct Request: Decodable {
        var path: String
        var headers: [String: String]
        var body: String
        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        }
    }

    static func requests(_ receiver: NotificationReceiver) throws -> [Request] {
        try receiver.received().map { try JSONDecoder().decode(Request.self, from: Data(contentsOf: $0)) }
    }

    /// The environment the default definitions read, pointing at the local servers.
    static func environment(smtp: Int, http: Int) -> [String: String] {
        [
            "RUNME_ALERT_SMTP_URL": "smtp://127.0.0.1:\(smtp)/runme.test",
            "RUNME_ALERT_EMAIL_FROM": "runme@example.org",
            "RUNME_ALERT_EMAIL_TO": "soc@example.org, oncall@example.org",
            "RUNME_ALERT_SLACK_WEBHOOK_URL": "http://127.0.0.1:\(http)/slack/T000/B000/s3cr3tSlackToken",
            "RUNME_ALERT_PAGERDUTY_ROUTING_KEY": "R0UT1NGKEY0123456789abcdef012345",
            "RUNME_ALERT_PAGERDUTY_URL": "http://127.0.0.1:\(http)/pagerduty/v2/enqueue",
            "RUNME_ALERT_WEBHOOK_URL": "http://127.0.0.1:\(http)/webhook",
            "RUNME_ALERT_WEBHOOK_AUTHORIZATION": "Bearer w3bh00kT0ken",
        ]
    }

    @Test("The default alerts on the shared sample: e-mail lists ns1.asdklgb.cf. in a correct multipart; Slack, PagerDuty and the webhook get valid payloads; a second run sends nothing; aged-out IoCs send the OK notice and resolve")
    func fullCycle() async throws {
        let smtp = try NotificationReceivers.smtp()
        let http = try NotificationReceivers.http()
        defer { smtp.stop(); http.stop() }
        let fixture = try AlertFixture()
        try fixture.insertSampleRows()
        let alerts = try AlertFixture.defaultDefinitions()
        let environment = Self.environment(smtp: smtp.port, http: http.port)

        // 1. Both alerts change to TRIGGERED.
        let first = try await fixture.evaluator(environment: environment).evaluate(alerts)
        #expect(first.map(\.state) == [.triggered, .triggered])
        for evaluation in first {
            for delivery in evaluation.deliveries {
                #expect(delivery.outcome == .sent, "\(evaluation.alert) -> \(delivery.destination): \(delivery.error ?? "")")
            }
        }
        let mails = smtp.waitForItems(2).filter { $0.pathExtension == "eml" }
        #expect(mails.count == 1)
        let mail = try Self.parse(try #require(mails.first))
        #expect(mail.content_type == "multipart/alternative")
        #expect(mail.parts.map(\.type) == ["text/plain", "text/html"])
        #expect(mail.parts.allSatisfy { $0.charset == "utf-8" })
        #expect(!mail.bare_lf)
        #expect(mail.defects.isEmpty)
        #expect(mail.subject == #"Alert "dns_ioc_rows" changed status to TRIGGERED"#)
        #expect(mail.to == "soc@example.org, oncall@example.org")
        #expect(mail.part("text/plain").contains("There have been the following unexpected events on the last day"))
        #expect(mail.part("text/plain").contains("ns1.asdklgb.cf."))
        #expect(mail.part("text/plain").contains("AgentTesla,elf"))
        #expect(mail.part("text/html").contains("<td>ns1.asdklgb.cf.</td>"))
        #expect(!mail.part("text/plain").contains("google.com |"), "legit rows are not IoCs")
        let envelope = try JSONSerialization.jsonObject(with: Data(contentsOf: mails[0].deletingPathExtension().appendingPathExtension("envelope.json"))) as? [String: Any]
        #expect(envelope?["mail_from"] as? String == "runme@example.org")
        #expect(envelope?["rcpt_tos"] as? [String] == ["soc@example.org", "oncall@example.org"])

        let requests = try Self.requests(http)
        #expect(requests.count == 3)
        let slack = try #require(requests.first { $0.path.hasPrefix("/slack/") })
        #expect(slack.headers["content-type"] == "application/json")
        let slackJSON = try slack.json()
        #expect(slackJSON["text"] as? String == #"Alert "dns_ioc_count" changed status to TRIGGERED"#)
        let blocks = try #require(slackJSON["blocks"] as? [[String: Any]])
        #expect(blocks.map { $0["type"] as? String } == ["header", "section"])
        let section = try #require(blocks[1]["text"] as? [String: Any])
        #expect(section["type"] as? String == "mrkdwn")
        #expect((section["text"] as? String)?.contains("ioc_count") == true)

        let trigger = try #require(requests.first { $0.path.hasPrefix("/pagerduty/") }).json()
        #expect(trigger["routing_key"] as? String == "R0UT1NGKEY0123456789abcdef012345")
        #expect(trigger["event_action"] as? String == "trigger")
        #expect(trigger["dedup_key"] as? String == "runme/dns_ioc_count")
        let payload = try #require(trigger["payload"] as? [String: Any])
        #expect(payload["summary"] as? String == #"Alert "dns_ioc_count" changed status to TRIGGERED"#)
        #expect(payload["source"] as? String == "runme")
        #expect(payload["severity"] as? String == "critical")
        #expect((payload["timestamp"] as? String).flatMap { ISO8601DateFormatter.withFractionalSeconds.date(from: $0) } != nil)

        let webhook = try #require(requests.first { $0.path == "/webhook" })
        #expect(webhook.headers["authorization"] == "Bearer w3bh00kT0ken")
        let standard = try webhook.json()
        #expect(standard["alert"] as? String == "dns_ioc_rows")
        #expect(standard["status"] as? String == "TRIGGERED")
        let rows = try #require(standard["rows"] as? [[String: Any]])
        #expect(rows.map { $0["domain"] as? String } == ["ns1.asdklgb.cf."])
        #expect(rows.first?["threat"] as? String == "malware_download")

        // The JSON-lines file got one line per notification.
        let lines = try String(contentsOf: fixture.directory.url.appendingPathComponent("alerts/notifications.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        #expect(lines.count == 2)

        // 2. Nothing new: nothing is sent.
        let second = try await fixture.evaluator(environment: environment).evaluate(alerts)
        #expect(second.map(\.state) == [.triggered, .triggered])
        #expect(second.allSatisfy { $0.deliveries.isEmpty && !$0.notified })
        try await Task.sleep(for: .milliseconds(300))
        #expect(smtp.received().filter { $0.pathExtension == "eml" }.count == 1)
        #expect(try Self.requests(http).count == 3)

        // 3. The IoCs age out of the last day: the OK notice (notify_on_ok) and PagerDuty's resolve.
        try fixture.ageRows(by: 3 * 86_400)
        let third = try await fixture.evaluator(environment: environment).evaluate(alerts)
        #expect(third.map(\.state) == [.ok, .ok])
        #expect(third.allSatisfy { $0.notified })
        let okMails = smtp.waitForItems(4).filter { $0.pathExtension == "eml" }
        #expect(okMails.count == 2)
        let okMail = try Self.parse(try #require(okMails.last))
        #expect(okMail.subject == #"Alert "dns_ioc_rows" changed status to OK"#)
        #expect(okMail.part("text/plain").contains("no longer holds"))
        #expect(!okMail.part("text/plain").contains("ns1.asdklgb.cf."))
        _ = http.waitForItems(6)
        let resolve = try #require(try Self.requests(http).last { $0.path.hasPrefix("/pagerduty/") }).json()
        #expect(resolve["event_action"] as? String == "resolve")
        #expect(resolve["dedup_key"] as? String == "runme/dns_ioc_count")
        #expect(resolve["payload"] == nil)
    }

    @Test("A dead SMTP server: the delivery is retried, then recorded as failed; the evaluation succeeds and keeps no secret")
    func deadSMTPServer() async throws {
        let http = try NotificationReceivers.http()
        defer { http.stop() }
        let deadPort = try LocalServers.freePort()
        let fixture = try AlertFixture()
        try fixture.insertSampleRows()
        var environment = Self.environment(smtp: deadPort, http: http.port)
        environment["RUNME_ALERT_SMTP_PASSWORD"] = "pa55w0rdN0tInLogs"
        environment["RUNME_ALERT_SMTP_USER"] = "runme"
        environment["RUNME_ALERT_WEBHOOK_URL"] = "http://127.0.0.1:\(http.port)/fail/w3bh00kS3cretPath"
        var alerts = try AlertFixture.defaultDefinitions()
        alerts[1].options.backoffSeconds = 0.05
        let evaluations = try await fixture.evaluator(environment: environment).evaluate(alerts)
        let rows = try #require(evaluations.last)
        #expect(rows.state == .triggered)
        #expect(!rows.failsJob)
        let email = try #require(rows.deliveries.first { $0.kind == "email" })
        #expect(email.outcome == .failed)
        #expect(email.attempts == 3)
        #expect(email.error?.contains("curl error 7") == true)
        let webhook = try #require(rows.deliveries.first { $0.kind == "webhook" })
        #expect(webhook.outcome == .failed && webhook.attempts == 3)
        #expect(webhook.error?.contains("HTTP 500") == true)
        // stdout and the file still got the notification.
        #expect(rows.deliveries.filter { $0.outcome == .sent }.map(\.kind) == ["stdout", "file"])
        let history = try #require(try fixture.store.alertHistory(name: "dns_ioc_rows").first)
        #expect(history.deliveriesJSON.contains(#""outcome":"failed""#))
        for secret in ["pa55w0rdN0tInLogs", "w3bh00kS3cretPath", "s3cr3tSlackToken", "R0UT1NGKEY0123456789abcdef012345"] {
            for record in try fixture.store.alertHistory() {
                #expect(!record.deliveriesJSON.contains(secret) && !record.reason.contains(secret))
            }
            #expect(!fixture.printed.text.contains(secret))
        }
    }

    @Test("A delivery that fails once succeeds on its retry; fail_job_on_delivery_failure marks a failed one as failing the job")
    func retries() async throws {
        let http = try NotificationReceivers.http()
        defer { http.stop() }
        let fixture = try AlertFixture()
        try fixture.insertSampleRows()
        let json = #"""
        [{"name": "flaky", "query": "select count(*) as n from dns_log_analytics where class = 'ioc'",
          "condition": {"column": "n", "op": ">=", "threshold": 1}, "options": {"backoff_seconds": 0.05},
          "destinations": [{"type": "webhook", "url_env": "FLAKY_URL"}]},
         {"name": "strict", "query": "select count(*) as n from dns_log_analytics where class = 'ioc'",
          "condition": {"column": "n", "op": ">=", "threshold": 1}, "options": {"backoff_seconds": 0.05, "max_attempts": 2, "fail_job_on_delivery_failure": true},
          "destinations": [{"type": "webhook", "url_env": "FAIL_URL"}, {"type": "slack", "name": "team", "url_env": "UNSET_SLACK_URL"}]}]
        """#
        let alerts = try AlertDefinitionLoader.parse(json: json, source: "retries.json")
        let evaluations = try await fixture.evaluator(environment: [
            "FLAKY_URL": "http://127.0.0.1:\(http.port)/flaky", "FAIL_URL": "http://127.0.0.1:\(http.port)/fail",
        ]).evaluate(alerts)
        #expect(evaluations[0].deliveries.first?.outcome == .sent)
        #expect(evaluations[0].deliveries.first?.attempts == 2)
        #expect(evaluations[0].failsJob == false)
        #expect(evaluations[1].deliveries.first?.outcome == .failed)
        #expect(evaluations[1].deliveries.first?.attempts == 2)
        #expect(evaluations[1].deliveries.last?.outcome == .skipped)
        #expect(evaluations[1].deliveries.last?.error == "not configured: set UNSET_SLACK_URL")
        #expect(evaluations[1].failsJob)
    }

    @Test("A 429 answer's Retry-After is waited out before the retry")
    func retryAfter() async throws {
        let http = try NotificationReceivers.http()
        defer { http.stop() }
        let fixture = try AlertFixture()
        try fixture.insertSampleRows()
        let json = #"""
        {"name": "limited", "query": "select count(*) as n from dns_log_analytics where class = 'ioc'",
         "condition": {"column": "n", "op": ">", "threshold": 0}, "options": {"backoff_seconds": 0.01},
         "destinations": [{"type": "slack", "url_env": "SLACK"}]}
        """#
        let alerts = try AlertDefinitionLoader.parse(json: json, source: "limited.json")
        let start = Date()
        let evaluations = try await fixture.evaluator(environment: ["SLACK": "http://127.0.0.1:\(http.port)/ratelimited"]).evaluate(alerts)
        let delivery = try #require(evaluations.first?.deliveries.first)
        #expect(delivery.outcome == .sent && delivery.attempts == 2)
        // The computed backoff is 10 ms; only Retry-After explains a pause of a second.
        #expect(Date().timeIntervalSince(start) >= 1.0)
        #expect(http.received().count == 2)
    }

    @Test("Escaping: a domain with <script> and quotes cannot inject markup into the HTML e-mail or break a JSON payload template")
    func escaping() async throws {
        let smtp = try NotificationReceivers.smtp(username: "runme", password: "pa55")
        let http = try NotificationReceivers.http()
        defer { smtp.stop(); http.stop() }
        let fixture = try AlertFixture()
        let hostile = #"<script>alert("pwned")</script>.evil"}, "x": "y.cf."#
        try fixture.insertRow(domain: hostile, registered: "evil.cf", class: "ioc", score: 0.99, timestamp: AlertFixture.sqliteTime(Date()))
        let json = #"""
        {"name": "hostile", "query": "select domain, score from dns_log_analytics where class = 'ioc'",
         "condition": {"column": "domain", "aggregation": "COUNT", "op": ">", "threshold": 0},
         "destinations": [
           {"type": "email", "smtp_url_env": "SMTP", "username_env": "SMTP_USER", "password_env": "SMTP_PASSWORD", "to": ["soc@example.org"], "from": "runme@example.org"},
           {"type": "webhook", "name": "custom", "url_env": "HOOK", "payload_template": "{\"text\": \"{{ALERT_NAME}}: {{#QUERY_RESULT_ROWS}}{{domain}} {{/QUERY_RESULT_ROWS}}\", \"table\": \"{{QUERY_RESULT_TABLE}}\", \"count\": {{QUERY_RESULT_VALUE}}}"},
           {"type": "slack", "url_env": "SLACK"}
         ]}
        """#
        let alerts = try AlertDefinitionLoader.parse(json: json, source: "hostile.json")
        let evaluations = try await fixture.evaluator(environment: [
            "SMTP": "smtp://127.0.0.1:\(smtp.port)", "SMTP_USER": "runme", "SMTP_PASSWORD": "pa55",
            "HOOK": "http://127.0.0.1:\(http.port)/custom", "SLACK": "http://127.0.0.1:\(http.port)/slack",
        ]).evaluate(alerts)
        for delivery in try #require(evaluations.first).deliveries {
            #expect(delivery.outcome == .sent, "\(delivery.destination): \(delivery.error ?? "")")
        }
        let mailFile = try #require(smtp.waitForItems(2).first { $0.pathExtension == "eml" })
        let envelope = try JSONSerialization.jsonObject(with: Data(contentsOf: mailFile.deletingPathExtension().appendingPathExtension("envelope.json"))) as? [String: Any]
        #expect(envelope?["authenticated"] as? Bool == true)
        let mail = try Self.parse(mailFile)
        let html = mail.part("text/html")
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;.evil&quot;}, &quot;x&quot;: &quot;y.cf."))
        #expect(mail.part("text/plain").contains(hostile), "plain text carries the name as is")

        _ = http.waitForItems(2)
        let requests = try Self.requests(http)
        let custom = try #require(requests.first { $0.path == "/custom" }).json()
        #expect(custom.keys.sorted() == ["count", "table", "text"])
        #expect(custom["text"] as? String == "hostile: \(hostile) ")
        #expect((custom["table"] as? String)?.contains(hostile) == true)
        #expect(custom["count"] as? Int == 1)
        let slack = try #require(requests.first { $0.path == "/slack" }).json()
        let section = ((slack["blocks"] as? [[String: Any]])?.last?["text"] as? [String: Any])?["text"] as? String
        #expect(section?.contains("&lt;script&gt;") == true)
        #expect(section?.contains("<script>") == false)
    }
}

extension ISO8601DateFormatter {
    static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}

/// E-mail over TLS: STARTTLS required by the server, and smtps (TLS from the first byte), each
/// with login, the server's certificate checked against the destination's `ca_file`.
@Suite("Alert e-mail over TLS", .serialized)
struct MailTLSTests {
    func send(tls implicit: Bool, caFile: Bool) async throws -> (DeliveryRecord, NotificationReceiver) {
        let certificates = try TemporaryDirectory("runme-smtp-tls")
        let tls = try NotificationReceivers.SMTPTLS.selfSigned(in: certificates.url, implicit: implicit)
        let smtp = try NotificationReceivers.smtp(username: "runme", password: "s3cret", tls: tls)
        let fixture = try AlertFixture()
        try fixture.insertSampleRows()
        let json = #"""
        {"name": "tls", "query": "select domain from dns_log_analytics where class = 'ioc'",
         "condition": {"column": "domain", "aggregation": "COUNT", "op": ">", "threshold": 0}, "options": {"max_attempts": 1},
         "destinations": [{"type": "email", "smtp_url_env": "SMTP", "username_env": "USER", "password_env": "PASSWORD",
                           "to": ["soc@example.org"], "from": "runme@example.org", "starttls": "required"\#(caFile ? #", "ca_file": "\#(tls.certificate.path)""# : "")}]}
        """#
        let alerts = try AlertDefinitionLoader.parse(json: json, source: "tls.json")
        let scheme = implicit ? "smtps" : "smtp"
        let evaluations = try await fixture.evaluator(environment: [
            "SMTP": "\(scheme)://127.0.0.1:\(smtp.port)/runme.test", "USER": "runme", "PASSWORD": "s3cret",
        ]).evaluate(alerts)
        return (try #require(evaluations.first?.deliveries.first), smtp)
    }

    @Test("STARTTLS and smtps deliver with login when the CA is given; an untrusted certificate fails the delivery", arguments: [false, true])
    func tls(implicit: Bool) async throws {
        let (delivery, smtp) = try await send(tls: implicit, caFile: true)
        defer { smtp.stop() }
        #expect(delivery.outcome == .sent, "\(delivery.error ?? "")")
        let files = smtp.waitForItems(2)
        let envelope = try #require(files.first { $0.lastPathComponent.hasSuffix(".envelope.json") })
        let fields = try JSONSerialization.jsonObject(with: Data(contentsOf: envelope)) as? [String: Any]
        #expect(fields?["tls"] as? Bool == true)
        #expect(fields?["authenticated"] as? Bool == true)
        let mail = try DeliveryTests.parse(try #require(files.first { $0.pathExtension == "eml" }))
        #expect(mail.part("text/plain").contains("ns1.asdklgb.cf."))

        let (untrusted, other) = try await send(tls: implicit, caFile: false)
        defer { other.stop() }
        #expect(untrusted.outcome == .failed)
        #expect(untrusted.error?.contains("certificate") == true, "\(untrusted.error ?? "")")
        #expect(other.received().isEmpty)
    }
}
