import Foundation
import JobRunner

/// Step 04: alerts. The SQL alert definitions, their states and notifications arrive with
/// the alerts issue; today the step says so and evaluates nothing.
let alertsStep = Step(
    name: "04_DNS_Analytics_Alerts",
    title: "Evaluate alerts on the scored results"
) { context in
    try await context.cell("Alerts") { cell in
        cell.print("No alerts are defined yet: alert definitions, states and notifications arrive with the alerts issue.")
    }
}
