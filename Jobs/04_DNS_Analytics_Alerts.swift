import Alerts
import Foundation
import JobRunner

/// Step 04: SQL alerts on the scored results, as Databricks SQL alerts. Each definition's query
/// runs on a read-only connection to the results database; its condition moves the alert
/// between OK, TRIGGERED and UNKNOWN; a change (or a re-trigger) notifies its destinations.
/// Every evaluation and delivery lands in the store's alert history.
let alertsStep = Step(
    name: "04_DNS_Analytics_Alerts",
    title: "Evaluate alerts on the scored results",
    parameters: [
        ("alerts", "alert definition files or directories of *.json, comma-separated (default Jobs/alerts)"),
    ]
) { context in
    let definitions = try await context.cell("Alert definitions") { cell in
        let definitions = try AlertsPreflight.load(parameter: context.parameters["alerts"])
        cell.table(
            "\(definitions.count) alerts", headers: ["alert", "condition", "destinations", "source"],
            rows: definitions.map { [$0.name, $0.condition.text, $0.destinations.map(\.name).joined(separator: ", "), $0.source] })
        try context.logParam("alert_names", definitions.map(\.name).joined(separator: ","))
        return definitions
    }

    let evaluations = try await context.cell("Evaluate and notify") { cell in
        let evaluator = AlertEvaluator(store: context.store, jobRunID: context.jobRunID, printer: { cell.print($0) })
        let evaluations = try await evaluator.evaluate(definitions)
        cell.table(
            "Alert states", headers: ["alert", "state", "was", "value", "notified", "reason"],
            rows: evaluations.map { [$0.alert, $0.state.rawValue, $0.previousState?.rawValue ?? "-", $0.value ?? "", $0.notified ? "yes" : "no", $0.reason] })
        let deliveries = evaluations.flatMap { evaluation in
            evaluation.deliveries.map { [evaluation.alert, $0.destination, $0.outcome.rawValue, String($0.attempts), $0.error ?? ""] }
        }
        if deliveries.isEmpty {
            cell.print("No notification was due: no alert changed to TRIGGERED (or back to OK with notify_on_ok).")
        } else {
            cell.table("Deliveries", headers: ["alert", "destination", "outcome", "attempts", "detail"], rows: deliveries)
        }
        return evaluations
    }

    try await context.cell("Metrics") { cell in
        let all = evaluations.flatMap(\.deliveries)
        try context.logMetrics([
            "alerts.evaluated": Double(evaluations.count),
            "alerts.triggered": Double(evaluations.filter { $0.state == .triggered }.count),
            "alerts.ok": Double(evaluations.filter { $0.state == .ok }.count),
            "alerts.unknown": Double(evaluations.filter { $0.state == .unknown }.count),
            "alerts.notified": Double(evaluations.filter(\.notified).count),
            "deliveries.sent": Double(all.filter { $0.outcome == .sent }.count),
            "deliveries.failed": Double(all.filter { $0.outcome == .failed }.count),
            "deliveries.skipped": Double(all.filter { $0.outcome == .skipped }.count),
        ])
        let failing = evaluations.filter(\.failsJob)
        if !failing.isEmpty {
            throw StepError.failed("delivery failed for \(failing.map(\.alert).joined(separator: ", ")), which set fail_job_on_delivery_failure; see `runme alerts history`")
        }
        let failed = all.filter { $0.outcome == .failed }.count
        cell.print(failed == 0
            ? "\(evaluations.count) alerts evaluated; \(all.filter { $0.outcome == .sent }.count) deliveries sent."
            : "\(failed) deliveries failed (recorded in the alert history; the job goes on).")
    }
}
