import Foundation

/// A SQL alert: a query on the results database, a condition on its result, where to send
/// the notification and how it reads. As Databricks SQL alerts, evaluated by step 04 and by
/// `runme alerts check`.
public struct AlertDefinition: Sendable {
    /// Unique across the loaded definitions; the key of its state and history.
    public var name: String
    public var description: String
    /// The query's name for templates (`QUERY_NAME`); defaults to the alert's name.
    public var queryName: String
    /// One read-only SQL statement on the results database (`lakehouse.db`).
    public var query: String
    public var condition: AlertCondition
    public var options: AlertOptions
    public var template: AlertTemplate
    public var destinations: [DestinationSpec]
    /// Where the definition was read from, for messages.
    public var source: String
}

/// When to notify, how long a query may run, how deliveries are retried.
public struct AlertOptions: Sendable, Equatable {
    /// Notify the return from TRIGGERED to OK (PagerDuty incidents are resolved regardless).
    public var notifyOnOK = false
    /// Notify when the alert becomes UNKNOWN (its query failed or gave nothing to compare).
    public var notifyOnUnknown = false
    /// Re-notify a standing TRIGGERED alert once this many seconds have passed since the last
    /// notification; 0: never again while it stays triggered.
    public var retriggerSeconds: Double = 0
    /// Fail the step (and the job) when a delivery of this alert fails after its retries.
    public var failJobOnDeliveryFailure = false
    /// The query's time limit.
    public var queryTimeoutSeconds: Double = 30
    /// Attempts per delivery, the first included.
    public var maxAttempts = 3
    /// The pause before the second attempt; doubled for each further one (with jitter).
    public var backoffSeconds: Double = 1
    /// Rows read from the query at most (aggregations see only these).
    public var maxRows = 10_000

    public init() {}
}

/// Mustache templates for the notification's subject and body.
public struct AlertTemplate: Sendable {
    public var subject: String
    /// The text body: the plain-text part of an e-mail, stdout, the file, Slack, PagerDuty details.
    public var body: String
    /// The HTML part of an e-mail; nil: the body, HTML-escaped, with the result as an HTML table.
    public var htmlBody: String?

    public static let defaultSubject = #"Alert "{{ALERT_NAME}}" changed status to {{ALERT_STATUS}}"#

    /// The accelerator blog's notification.
    public static let defaultBody = """
        Alert "{{ALERT_NAME}}" changed status to {{ALERT_STATUS}}.
        {{#ALERT_TRIGGERED}}
        There have been the following unexpected events on the last day:

        {{QUERY_RESULT_TABLE}}
        {{/ALERT_TRIGGERED}}
        {{#ALERT_OK}}
        {{QUERY_NAME}}: {{ALERT_COLUMN}} is {{QUERY_RESULT_VALUE}}; the condition {{ALERT_COLUMN}} {{ALERT_CONDITION}} {{ALERT_THRESHOLD}} no longer holds.
        {{/ALERT_OK}}
        {{#ALERT_UNKNOWN}}
        The alert could not be evaluated: {{ALERT_REASON}}
        {{/ALERT_UNKNOWN}}
        """
}
