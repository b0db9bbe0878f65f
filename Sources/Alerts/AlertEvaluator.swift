import Foundation
import Tracking

/// What one evaluation of one alert came to.
public struct AlertEvaluation: Sendable {
    public var alert: String
    public var state: AlertState
    public var previousState: AlertState?
    /// The compared value as text (nil when there was none).
    public var value: String?
    public var threshold: String?
    public var reason: String
    /// True when a notification was due and sent to at least one destination.
    public var notified: Bool
    public var deliveries: [DeliveryRecord]
    /// The `alert_history` row.
    public var evaluationID: Int64
    /// True when a delivery failed and the alert asks for that to fail the job.
    public var failsJob: Bool
}

/// Evaluates alerts: runs each query on a read-only connection with its time limit, applies the
/// condition, moves the alert's state, notifies when the state change (or a re-trigger) calls
/// for it, and records the evaluation and every delivery's outcome in the store.
///
/// An alert whose query fails, writes, times out or gives nothing to compare becomes UNKNOWN
/// with the reason; the other alerts still run. Delivery failures are recorded, never thrown.
public struct AlertEvaluator: Sendable {
    public let store: TrackingStore
    public let storeDirectory: URL
    public let environment: [String: String]
    public let jobRunID: Int64?
    /// Where the `stdout` destination writes (the step's transcript, or the terminal).
    public let printer: @Sendable (String) -> Void
    let now: @Sendable () -> Date

    public init(
        store: TrackingStore, environment: [String: String] = ProcessInfo.processInfo.environment, jobRunID: Int64? = nil,
        printer: @escaping @Sendable (String) -> Void, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.storeDirectory = store.directory
        self.environment = environment
        self.jobRunID = jobRunID
        self.printer = printer
        self.now = now
    }

    /// Evaluates every alert in order and returns what each came to.
    public func evaluate(_ alerts: [AlertDefinition]) async throws -> [AlertEvaluation] {
        let runner = AlertQueryRunner(storeDirectory: storeDirectory)
        var evaluations: [AlertEvaluation] = []
        for alert in alerts {
            try Task.checkCancellation()
            evaluations.append(try await evaluate(alert, runner: runner))
        }
        return evaluations
    }

    private func evaluate(_ alert: AlertDefinition, runner: AlertQueryRunner) async throws -> AlertEvaluation {
        let evaluatedAt = now()
        let previous = try store.alertState(name: alert.name)
        let previousState = previous.flatMap { AlertState(rawValue: $0.state) }

        var result = QueryResult(columns: [], rows: [])
        var state = AlertState.unknown
        var value: AlertCondition.Value?
        var reason: String
        do {
            result = try runner.run(alert.query, timeLimit: .milliseconds(Int64(alert.options.queryTimeoutSeconds * 1000)), maxRows: alert.options.maxRows)
            switch alert.condition.evaluate(result) {
            case .met(let v):
                state = .triggered
                value = v
                reason = "\(alert.condition.subject) = \(v): \(alert.condition.text) holds"
            case .notMet(let v):
                state = .ok
                value = v
                reason = "\(alert.condition.subject) = \(v): \(alert.condition.text) does not hold"
            case .unknown(let why):
                reason = why
            }
        } catch {
            reason = error.description
        }

        let event = Self.event(state: state, previous: previousState, lastNotified: previous?.lastNotified, options: alert.options, now: evaluatedAt)
        let notification = AlertNotification(
            alert: alert, state: state.rawValue, previousState: previousState?.rawValue, value: value, reason: reason,
            result: result, evaluatedAt: evaluatedAt, jobRunID: jobRunID)
        var deliveries: [DeliveryRecord] = []
        if let event {
            let deliverer = Deliverer(environment: environment, storeDirectory: storeDirectory, printer: printer)
            for destination in alert.destinations where event == .notify || destination.kind == .pagerduty {
                deliveries.append(await deliverer.deliver(destination, notification))
            }
        }
        let sent = deliveries.contains { $0.outcome == .sent }
        let notified = event == .notify && sent
        let sameState = previousState == state
        let stateRecord = AlertStateRecord(
            alertName: alert.name, state: state.rawValue, value: value.map(\.description),
            since: sameState ? (previous?.since ?? evaluatedAt) : evaluatedAt, lastEvaluated: evaluatedAt,
            lastNotified: sent ? evaluatedAt : (sameState ? previous?.lastNotified : nil))
        let deliveriesJSON = String(decoding: (try? JSONEncoder().encode(deliveries)) ?? Data("[]".utf8), as: UTF8.self)
        let history = AlertHistoryRecord(
            alertName: alert.name, jobRunID: jobRunID, evaluatedAt: evaluatedAt, state: state.rawValue,
            previousState: previousState?.rawValue, value: value.map(\.description),
            threshold: alert.condition.threshold?.description, reason: reason, notified: notified, deliveriesJSON: deliveriesJSON)
        let id = try store.recordAlertEvaluation(history, state: stateRecord)
        return AlertEvaluation(
            alert: alert.name, state: state, previousState: previousState, value: value.map(\.description),
            threshold: alert.condition.threshold?.description, reason: reason, notified: notified, deliveries: deliveries,
            evaluationID: id, failsJob: alert.options.failJobOnDeliveryFailure && deliveries.contains { $0.outcome == .failed })
    }

    /// Whether this evaluation notifies: a change to TRIGGERED, a re-trigger of a standing one
    /// after `retrigger_seconds`, the return to OK (all destinations with `notify_on_ok`, else
    /// only PagerDuty's resolve), or a change to UNKNOWN with `notify_on_unknown`.
    static func event(state: AlertState, previous: AlertState?, lastNotified: Date?, options: AlertOptions, now: Date) -> NotificationEvent? {
        switch state {
        case .triggered:
            if previous != .triggered { return .notify }
            guard options.retriggerSeconds > 0 else { return nil }
            guard let lastNotified else { return .notify }
            return now.timeIntervalSince(lastNotified) >= options.retriggerSeconds ? .notify : nil
        case .ok:
            guard previous == .triggered else { return nil }
            return options.notifyOnOK ? .notify : .resolveOnly
        case .unknown:
            return options.notifyOnUnknown && previous != .unknown ? .notify : nil
        }
    }
}
