import Fetch
import Foundation
import Tracking

/// Reads alert definitions from JSON, collecting every problem with its file and JSON path.
///
/// A document is one alert object, an array of them, or `{"alerts": [...]}`. Templates are
/// compiled here, so a template with a syntax error is refused before anything runs.
struct AlertDefinitionParser {
    let source: String
    private(set) var errors: [AlertDefinitionError] = []

    init(source: String) { self.source = source }

    mutating func parse(_ data: Data) -> [AlertDefinition] {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            fail("$", "not valid JSON (\(Self.describe(decodingError: error))); fix the syntax")
            return []
        }
        switch document {
        case .array(let items):
            return items.enumerated().compactMap { alert($0.element, "$[\($0.offset)]") }
        case .object(let object) where object["alerts"] != nil && object["name"] == nil:
            guard case .array(let items)? = object["alerts"] else {
                fail("$.alerts", "must be an array of alert objects, found \(object["alerts"]?.typeName ?? "nothing")")
                return []
            }
            for key in object.keys.sorted() where key != "alerts" && key != "description" {
                fail("$.\(key)", "unknown key; a definitions file holds \"alerts\" (and an optional \"description\")")
            }
            return items.enumerated().compactMap { alert($0.element, "$.alerts[\($0.offset)]") }
        case .object:
            return [alert(document, "$")].compactMap { $0 }
        default:
            fail("$", "must be an alert object, an array of them or {\"alerts\": [...]}, found \(document.typeName)")
            return []
        }
    }

    private mutating func alert(_ value: JSONValue, _ path: String) -> AlertDefinition? {
        guard case .object(let object) = value else {
            fail(path, "must be an alert object, found \(value.typeName)")
            return nil
        }
        let known: Set<String> = ["name", "description", "query_name", "query", "condition", "options", "template", "destinations"]
        for key in object.keys.sorted() where !known.contains(key) {
            fail("\(path).\(key)", "unknown key; an alert has \(known.sorted().joined(separator: ", "))")
        }
        let errorsBefore = errors.count
        let name = string(object["name"], "\(path).name", required: true) ?? ""
        if !name.isEmpty && (name.count > 200 || name.contains(where: { $0.isNewline })) {
            fail("\(path).name", "must be one line of at most 200 characters")
        }
        let query = string(object["query"], "\(path).query", required: true) ?? ""
        if object["query"] != nil && query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            fail("\(path).query", "is empty; give one SELECT statement on the results tables (e.g. dns_log_analytics)")
        }
        let condition = self.condition(object["condition"], "\(path).condition")
        let options = self.options(object["options"], "\(path).options")
        let template = self.template(object["template"], "\(path).template")
        var destinations: [DestinationSpec] = [DestinationSpec(kind: .stdout)]
        if let value = object["destinations"] {
            if case .array(let items) = value {
                destinations = items.enumerated().compactMap { destination($0.element, "\(path).destinations[\($0.offset)]") }
                var seen: [String: Int] = [:]
                for (index, destination) in destinations.enumerated() {
                    if let earlier = seen[destination.name] {
                        fail("\(path).destinations[\(index)].name", "destination name '\(destination.name)' is used twice (also destinations[\(earlier)]); give each a distinct \"name\"")
                    }
                    seen[destination.name] = index
                }
            } else {
                fail("\(path).destinations", "must be an array of destinations, found \(value.typeName)")
            }
        }
        guard errors.count == errorsBefore, let condition, let template else { return nil }
        return AlertDefinition(
            name: name, description: string(object["description"], "\(path).description", required: false) ?? "",
            queryName: string(object["query_name"], "\(path).query_name", required: false) ?? name,
            query: query, condition: condition, options: options, template: template, destinations: destinations,
            source: source)
    }

    private mutating func condition(_ value: JSONValue?, _ path: String) -> AlertCondition? {
        guard let value else {
            fail(path, "missing; say when the alert triggers, e.g. {\"column\": \"ioc_count\", \"op\": \">\", \"threshold\": 0}")
            return nil
        }
        guard case .object(let object) = value else {
            fail(path, "must be an object {column, op, threshold[, aggregation]}, found \(value.typeName)")
            return nil
        }
        for key in object.keys.sorted() where !["column", "op", "threshold", "aggregation"].contains(key) {
            fail("\(path).\(key)", "unknown key; a condition has column, op, threshold and aggregation")
        }
        let column = string(object["column"], "\(path).column", required: true) ?? ""
        var aggregation: AlertCondition.Aggregation?
        if let text = string(object["aggregation"], "\(path).aggregation", required: false), !text.isEmpty, text.uppercased() != "NONE" {
            aggregation = AlertCondition.Aggregation(rawValue: text.uppercased())
            if aggregation == nil {
                fail("\(path).aggregation", "unknown aggregation '\(text)'; use one of \(AlertCondition.Aggregation.allCases.map(\.rawValue).joined(separator: ", ")), or leave it out to compare the first row's value")
            }
        }
        let opText = string(object["op"], "\(path).op", required: true) ?? ""
        let op = AlertCondition.Operator(rawValue: opText.uppercased().split(separator: " ").joined(separator: " "))
        if op == nil && object["op"] != nil {
            fail("\(path).op", "unknown operator '\(opText)'; use one of \(AlertCondition.Operator.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var threshold: AlertCondition.Value?
        switch object["threshold"] {
        case .number(let n)?: threshold = .number(n)
        case .string(let s)?: threshold = .text(s)
        case .none, .null?:
            if op != nil && op != .isNull { fail("\(path).threshold", "missing; operator \(opText) compares with a threshold (a number or a string)") }
        case let other?: fail("\(path).threshold", "must be a number or a string, found \(other.typeName)")
        }
        guard let op else { return nil }
        return AlertCondition(column: column, aggregation: aggregation, op: op, threshold: op == .isNull ? nil : threshold)
    }

    private mutating func options(_ value: JSONValue?, _ path: String) -> AlertOptions {
        var options = AlertOptions()
        guard let value else { return options }
        guard case .object(let object) = value else {
            fail(path, "must be an object, found \(value.typeName)")
            return options
        }
        let known: Set<String> = [
            "notify_on_ok", "notify_on_unknown", "retrigger_seconds", "fail_job_on_delivery_failure",
            "query_timeout_seconds", "max_attempts", "backoff_seconds", "max_rows",
        ]
        for key in object.keys.sorted() where !known.contains(key) {
            fail("\(path).\(key)", "unknown option; the options are \(known.sorted().joined(separator: ", "))")
        }
        if let v = bool(object["notify_on_ok"], "\(path).notify_on_ok") { options.notifyOnOK = v }
        if let v = bool(object["notify_on_unknown"], "\(path).notify_on_unknown") { options.notifyOnUnknown = v }
        if let v = bool(object["fail_job_on_delivery_failure"], "\(path).fail_job_on_delivery_failure") { options.failJobOnDeliveryFailure = v }
        if let v = number(object["retrigger_seconds"], "\(path).retrigger_seconds", minimum: 0) { options.retriggerSeconds = v }
        if let v = number(object["query_timeout_seconds"], "\(path).query_timeout_seconds", minimum: 0.001) { options.queryTimeoutSeconds = v }
        if let v = number(object["backoff_seconds"], "\(path).backoff_seconds", minimum: 0) { options.backoffSeconds = v }
        if let v = number(object["max_attempts"], "\(path).max_attempts", minimum: 1, whole: true) { options.maxAttempts = Int(v) }
        if let v = number(object["max_rows"], "\(path).max_rows", minimum: 1, whole: true) { options.maxRows = Int(v) }
        return options
    }

    private mutating func template(_ value: JSONValue?, _ path: String) -> AlertTemplate? {
        var template = AlertTemplate(subject: AlertTemplate.defaultSubject, body: AlertTemplate.defaultBody, htmlBody: nil)
        guard let value else { return template }
        guard case .object(let object) = value else {
            fail(path, "must be an object {subject, body, html_body}, found \(value.typeName)")
            return nil
        }
        for key in object.keys.sorted() where !["subject", "body", "html_body"].contains(key) {
            fail("\(path).\(key)", "unknown key; a template has subject, body and html_body")
        }
        if let subject = mustache(object["subject"], "\(path).subject") { template.subject = subject }
        if let body = mustache(object["body"], "\(path).body") { template.body = body }
        template.htmlBody = mustache(object["html_body"], "\(path).html_body")
        return template
    }

    /// A template string, compiled to find syntax errors now rather than at notification time.
    private mutating func mustache(_ value: JSONValue?, _ path: String) -> String? {
        guard let text = string(value, path, required: false) else { return nil }
        if let problem = NotificationRenderer.syntaxProblem(in: text) {
            fail(path, "template syntax error: \(problem)")
            return nil
        }
        return text
    }

    private mutating func destination(_ value: JSONValue, _ path: String) -> DestinationSpec? {
        guard case .object(let object) = value else {
            fail(path, "must be a destination object {\"type\": ...}, found \(value.typeName)")
            return nil
        }
        let typeText = string(object["type"], "\(path).type", required: true) ?? ""
        guard let kind = DestinationSpec.Kind(rawValue: typeText.lowercased()) else {
            if object["type"] != nil {
                fail("\(path).type", "unknown destination type '\(typeText)'; use one of \(DestinationSpec.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return nil
        }
        var spec = DestinationSpec(kind: kind, name: string(object["name"], "\(path).name", required: false))
        let allowed: Set<String>
        switch kind {
        case .stdout:
            allowed = []
        case .file:
            allowed = ["path"]
            spec.path = string(object["path"], "\(path).path", required: false) ?? "alerts/notifications.jsonl"
        case .email:
            allowed = ["smtp_url_env", "username_env", "password_env", "from", "from_env", "to", "to_env", "starttls", "ca_file"]
            spec.caFile = string(object["ca_file"], "\(path).ca_file", required: false)
            spec.smtpURLEnv = envName(object["smtp_url_env"], "\(path).smtp_url_env", required: true)
            spec.usernameEnv = envName(object["username_env"], "\(path).username_env", required: false)
            spec.passwordEnv = envName(object["password_env"], "\(path).password_env", required: false)
            spec.from = string(object["from"], "\(path).from", required: false)
            spec.fromEnv = envName(object["from_env"], "\(path).from_env", required: false)
            spec.toEnv = envName(object["to_env"], "\(path).to_env", required: false)
            switch object["to"] {
            case .string(let s)?: spec.to = Self.addresses(s)
            case .array(let items)?:
                for (index, item) in items.enumerated() {
                    if case .string(let s) = item { spec.to += Self.addresses(s) } else { fail("\(path).to[\(index)]", "must be an e-mail address, found \(item.typeName)") }
                }
            case .none: break
            case let other?: fail("\(path).to", "must be an array of addresses, found \(other.typeName)")
            }
            if spec.to.isEmpty && spec.toEnv == nil {
                fail("\(path).to", "missing; give recipients in \"to\" or name a variable holding them in \"to_env\"")
            }
            for address in spec.to + [spec.from].compactMap({ $0 }) where !Self.isAddress(address) {
                fail("\(path)", "'\(address)' is not an e-mail address (local@domain, no spaces or angle brackets)")
            }
            if let text = string(object["starttls"], "\(path).starttls", required: false) {
                if let mode = MailRequest.StartTLS(rawValue: text.lowercased()) { spec.startTLS = mode } else {
                    fail("\(path).starttls", "unknown mode '\(text)'; use try, required or off")
                }
            }
        case .slack:
            allowed = ["url_env"]
            spec.urlEnv = envName(object["url_env"], "\(path).url_env", required: true)
        case .pagerduty:
            allowed = ["routing_key_env", "url_env", "severity"]
            spec.routingKeyEnv = envName(object["routing_key_env"], "\(path).routing_key_env", required: true)
            spec.urlEnv = envName(object["url_env"], "\(path).url_env", required: false)
            if let severity = string(object["severity"], "\(path).severity", required: false) {
                if ["critical", "error", "warning", "info"].contains(severity) { spec.severity = severity } else {
                    fail("\(path).severity", "unknown severity '\(severity)'; PagerDuty takes critical, error, warning or info")
                }
            }
        case .webhook:
            allowed = ["url_env", "authorization_env", "payload_template"]
            spec.urlEnv = envName(object["url_env"], "\(path).url_env", required: true)
            spec.authorizationEnv = envName(object["authorization_env"], "\(path).authorization_env", required: false)
            spec.payloadTemplate = mustache(object["payload_template"], "\(path).payload_template")
        }
        for key in object.keys.sorted() where !allowed.contains(key) && key != "type" && key != "name" {
            let hint = key.hasSuffix("url") || key.contains("password") || key.contains("key") && !key.hasSuffix("_env")
                ? "; secrets and URLs are not written in definitions: put them in an environment variable and name it in a *_env key"
                : "; a \(kind.rawValue) destination takes \((allowed.sorted() + ["name", "type"]).joined(separator: ", "))"
            fail("\(path).\(key)", "unknown key\(hint)")
        }
        return spec
    }

    // MARK: Values

    private mutating func string(_ value: JSONValue?, _ path: String, required: Bool) -> String? {
        switch value {
        case .string(let s)?: return s
        case .none:
            if required { fail(path, "missing; a string is required here") }
            return nil
        case let other?:
            fail(path, "must be a string, found \(other.typeName)")
            return nil
        }
    }

    private mutating func envName(_ value: JSONValue?, _ path: String, required: Bool) -> String? {
        guard let name = string(value, path, required: required) else { return nil }
        guard let first = name.first, first == "_" || first.isLetter,
              name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
            fail(path, "'\(name)' is not an environment variable name (letters, digits and _); name the variable that holds the value, not the value itself")
            return nil
        }
        return name
    }

    private mutating func bool(_ value: JSONValue?, _ path: String) -> Bool? {
        switch value {
        case .bool(let b)?: return b
        case .none: return nil
        case let other?:
            fail(path, "must be true or false, found \(other.typeName)")
            return nil
        }
    }

    private mutating func number(_ value: JSONValue?, _ path: String, minimum: Double, whole: Bool = false) -> Double? {
        switch value {
        case .number(let n)?:
            if n < minimum || (whole && n.rounded() != n) {
                fail(path, "must be \(whole ? "a whole number" : "a number") of at least \(AlertCondition.Value.format(minimum)), found \(AlertCondition.Value.format(n))")
                return nil
            }
            return n
        case .none: return nil
        case let other?:
            fail(path, "must be a number, found \(other.typeName)")
            return nil
        }
    }

    private mutating func fail(_ field: String, _ problem: String) {
        errors.append(AlertDefinitionError(file: source, field: field, problem: problem))
    }

    static func addresses(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && !text.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," || $0.isNewline })
    }

    static func describe(decodingError error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}
