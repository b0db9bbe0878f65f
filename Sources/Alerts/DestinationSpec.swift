import Fetch
import Foundation

/// Where an alert's notification goes. Credentials and webhook URLs are never in the
/// definition itself: it names the environment variables that hold them.
public struct DestinationSpec: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case stdout, file, email, slack, pagerduty, webhook
    }

    public var kind: Kind
    /// The name shown in the history (`name`, else the kind).
    public var name: String

    // file
    /// A JSON-lines file; relative paths are under the store directory.
    public var path: String?

    // email
    /// Variable holding `smtp://host:port[/ehlo-name]` or `smtps://…`.
    public var smtpURLEnv: String?
    public var usernameEnv: String?
    public var passwordEnv: String?
    public var from: String?
    public var fromEnv: String?
    public var to: [String] = []
    /// Variable holding comma-separated recipients (added to `to`).
    public var toEnv: String?
    public var startTLS: MailRequest.StartTLS = .opportunistic
    /// A PEM file of CA certificates to trust for the server's certificate (an internal CA).
    public var caFile: String?

    // slack, webhook, pagerduty
    /// Variable holding the webhook URL (Slack, generic webhook) or a PagerDuty Events API URL
    /// (optional for PagerDuty: its public endpoint is the default).
    public var urlEnv: String?
    /// PagerDuty: variable holding the integration's routing key.
    public var routingKeyEnv: String?
    /// PagerDuty: `critical`, `error`, `warning` or `info`.
    public var severity = "critical"
    /// Generic webhook: variable holding an `Authorization` header value.
    public var authorizationEnv: String?
    /// Generic webhook: a Mustache template of the whole JSON body (values JSON-escaped);
    /// nil: runme's standard payload.
    public var payloadTemplate: String?

    public static let pagerDutyEventsURL = "https://events.pagerduty.com/v2/enqueue"

    public init(kind: Kind, name: String? = nil) {
        self.kind = kind
        self.name = name ?? kind.rawValue
    }

    /// The variables this destination needs before it can deliver anything; when one is not
    /// set the delivery is skipped (and says which), not failed.
    var requiredEnvironment: [String] {
        switch kind {
        case .stdout, .file: return []
        case .email: return [smtpURLEnv].compactMap { $0 } + (to.isEmpty ? [toEnv].compactMap { $0 } : [])
        case .slack, .webhook: return [urlEnv].compactMap { $0 }
        case .pagerduty: return [routingKeyEnv].compactMap { $0 }
        }
    }

    /// Every variable whose value must never appear in logs, history or artifacts.
    var secretEnvironment: [String] {
        [smtpURLEnv, usernameEnv, passwordEnv, urlEnv, routingKeyEnv, authorizationEnv].compactMap { $0 }
    }
}
