import Fetch
import Foundation

/// The outcome of one delivery, as kept in `alert_history.deliveries_json`.
public struct DeliveryRecord: Sendable, Codable, Equatable {
    public enum Outcome: String, Sendable, Codable {
        /// The destination accepted the notification.
        case sent
        /// Every attempt failed; `error` says why.
        case failed
        /// Not attempted: the destination is not configured (an environment variable is unset).
        case skipped
    }

    public var destination: String
    public var kind: String
    public var outcome: Outcome
    public var attempts: Int
    /// What went wrong (failed) or why it was skipped; never holds a secret.
    public var error: String?
}

/// What is being sent: the change the alert went through.
enum NotificationEvent: Equatable {
    /// A notification to every destination (TRIGGERED, the OK notice, UNKNOWN).
    case notify
    /// The alert returned to OK without `notify_on_ok`: only PagerDuty hears of it, to resolve its incident.
    case resolveOnly
}

/// Sends one notification to one destination, with retries and backoff.
struct Deliverer: Sendable {
    let environment: [String: String]
    let storeDirectory: URL
    let printer: @Sendable (String) -> Void

    func deliver(_ spec: DestinationSpec, _ n: AlertNotification) async -> DeliveryRecord {
        var record = DeliveryRecord(destination: spec.name, kind: spec.kind.rawValue, outcome: .skipped, attempts: 0, error: nil)
        let missing = spec.requiredEnvironment.filter { (environment[$0] ?? "").isEmpty }
        if !missing.isEmpty {
            record.error = "not configured: set \(missing.joined(separator: ", "))"
            return record
        }
        let secrets = spec.secretEnvironment.compactMap { environment[$0] }.filter { $0.count >= 4 }
        let policy = RetryPolicy(
            maxAttempts: n.alert.options.maxAttempts, initialDelay: .milliseconds(Int64(n.alert.options.backoffSeconds * 1000)),
            multiplier: 2, maxDelay: .seconds(60), maxRetryAfter: .seconds(60))
        while true {
            record.attempts += 1
            let attempt = await offload { self.attemptOnce(spec, n) }
            switch attempt {
            case .sent:
                record.outcome = .sent
                record.error = nil
                return record
            case let .failed(message, retryable, retryAfter):
                record.outcome = .failed
                record.error = Self.redact(message, secrets: secrets)
                if !retryable || record.attempts >= policy.maxAttempts || Task.isCancelled { return record }
                let pause = policy.delay(afterAttempt: record.attempts, retryAfter: retryAfter, jitter: Double.random(in: 0...1))
                try? await Task.sleep(for: pause)
            }
        }
    }

    enum Attempt {
        case sent
        case failed(String, retryable: Bool, retryAfter: Duration?)
    }

    private func attemptOnce(_ spec: DestinationSpec, _ n: AlertNotification) -> Attempt {
        switch spec.kind {
        case .stdout:
            printer("[\(n.alert.name)] \(NotificationRenderer.subject(n))\n\(NotificationRenderer.body(n).trimmingCharacters(in: .newlines))")
            return .sent
        case .file:
            return appendLine(spec, n)
        case .email:
            return sendMail(spec, n)
        case .slack:
            return post(url: environment[spec.urlEnv ?? ""] ?? "", body: Payloads.encode(Payloads.slack(n)), headers: ["Content-Type: application/json"])
        case .pagerduty:
            let action = n.state == AlertState.ok.rawValue ? "resolve" : "trigger"
            let payload = Payloads.pagerDuty(n, routingKey: environment[spec.routingKeyEnv ?? ""] ?? "", severity: spec.severity, action: action)
            let url = spec.urlEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 } ?? DestinationSpec.pagerDutyEventsURL
            return post(url: url, body: Payloads.encode(payload), headers: ["Content-Type: application/json"])
        case .webhook:
            let body: Data
            if let template = spec.payloadTemplate {
                let text = NotificationRenderer.render(template, channel: .json, n)
                guard (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil else {
                    return .failed("the payload_template did not render valid JSON (values are escaped for JSON strings: put {{VALUE}} inside quotes); fix the template", retryable: false, retryAfter: nil)
                }
                body = Data(text.utf8)
            } else {
                body = Payloads.encode(Payloads.standard(n))
            }
            var headers = ["Content-Type: application/json"]
            if let authorization = spec.authorizationEnv.flatMap({ environment[$0] }), !authorization.isEmpty {
                headers.append("Authorization: \(authorization)")
            }
            return post(url: environment[spec.urlEnv ?? ""] ?? "", body: body, headers: headers)
        }
    }

    private func appendLine(_ spec: DestinationSpec, _ n: AlertNotification) -> Attempt {
        let path = spec.path ?? "alerts/notifications.jsonl"
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : storeDirectory.appendingPathComponent(path)
        var line = Payloads.encode(Payloads.standard(n))
        line.append(0x0A)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: url.path) {
                _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
            return .sent
        } catch {
            return .failed("cannot append to \(url.path): \(error.localizedDescription)", retryable: true, retryAfter: nil)
        }
    }

    private func sendMail(_ spec: DestinationSpec, _ n: AlertNotification) -> Attempt {
        let smtpURL = environment[spec.smtpURLEnv ?? ""] ?? ""
        guard smtpURL.hasPrefix("smtp://") || smtpURL.hasPrefix("smtps://") else {
            return .failed("\(spec.smtpURLEnv ?? "the SMTP URL variable") must hold an smtp:// or smtps:// URL", retryable: false, retryAfter: nil)
        }
        let recipients = spec.to + (spec.toEnv.flatMap { environment[$0] }.map(AlertDefinitionParser.addresses) ?? [])
        guard !recipients.isEmpty, recipients.allSatisfy(AlertDefinitionParser.isAddress) else {
            return .failed("no usable recipients (\(spec.toEnv ?? "to") holds '\(recipients.joined(separator: ","))')", retryable: false, retryAfter: nil)
        }
        let from = spec.fromEnv.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 } ?? spec.from ?? "runme@localhost"
        guard AlertDefinitionParser.isAddress(from) else {
            return .failed("the sender '\(from)' is not an e-mail address", retryable: false, retryAfter: nil)
        }
        let message = MailMessage(
            from: from, to: recipients, subject: NotificationRenderer.subject(n), text: NotificationRenderer.body(n),
            html: NotificationRenderer.htmlBody(n), date: n.evaluatedAt)
        let request = MailRequest(
            url: smtpURL, from: from, recipients: recipients, message: message.encoded(),
            username: spec.usernameEnv.flatMap { environment[$0] }, password: spec.passwordEnv.flatMap { environment[$0] },
            startTLS: spec.startTLS, caFile: spec.caFile)
        let outcome = Uploads.sendMail(request)
        if outcome.succeeded { return .sent }
        let what = outcome.curlCode != 0
            ? "SMTP delivery failed: \(outcome.curlMessage) (curl error \(outcome.curlCode))"
            : "the SMTP server answered \(outcome.status)"
        return .failed(what, retryable: outcome.isRetryable, retryAfter: nil)
    }

    private func post(url: String, body: Data, headers: [String]) -> Attempt {
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            return .failed("the webhook URL variable must hold an http(s):// URL", retryable: false, retryAfter: nil)
        }
        let outcome = Uploads.post(url: url, body: body, headers: headers)
        if outcome.succeeded { return .sent }
        if outcome.curlCode != 0 {
            return .failed("POST failed: \(outcome.curlMessage) (curl error \(outcome.curlCode))", retryable: outcome.isRetryable, retryAfter: nil)
        }
        let answer = String(decoding: outcome.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let retryAfter = outcome.headers["retry-after"].flatMap { Int($0) }.map { Duration.seconds($0) }
        return .failed("the server answered HTTP \(outcome.status)\(answer.isEmpty ? "" : ": \(answer)")", retryable: outcome.isRetryable, retryAfter: retryAfter)
    }

    /// Replaces every secret value in a message with `***`.
    static func redact(_ message: String, secrets: [String]) -> String {
        secrets.sorted { $0.count > $1.count }.reduce(message) { $0.replacingOccurrences(of: $1, with: "***") }
    }
}

/// Runs blocking work (libcurl transfers, file writes) off Swift's cooperative threads.
func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: work()) }
    }
}
