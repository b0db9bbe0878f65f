import Foundation
import JobRunner

/// Step 02: AutoML classification. Today it reads what the ETL task handed over and records
/// the search settings; training, the trials and the registered model arrive with the AutoML
/// issue. It sets no `model_uri`, so that no later step scores with a model that does not exist.
let automlStep = Step(
    name: "02_DNS_Analytics_AutoML",
    title: "AutoML classification of DGA domains",
    parameters: [
        ("timeout_minutes", "the search's time budget"),
        ("max_trials", "the most trials the search runs"),
        ("seed", "seed of the split and the search"),
        ("etl_run", "the ETL task's summary (a task value)"),
    ]
) { context in
    try await context.cell("Training data from the ETL task") { cell in
        let summary = try context.taskValue(task: "01_etl", name: "summary")
        cell.print("01_etl summary (job run \(context.valueSource(of: "01_etl"))): \(summary?.jsonText ?? "not set")")
        let rows = summary?["tables"]?["silver_dns_training_dataset"]?.doubleValue ?? 0
        try context.logMetric("training.rows", rows)
    }

    try await context.cell("Search settings") { cell in
        let timeout = try context.doubleParameter("timeout_minutes")
        let trials = try context.intParameter("max_trials")
        let seed = try context.intParameter("seed")
        guard timeout > 0, trials > 0 else {
            throw StepError.badParameter(task: context.taskKey, name: timeout > 0 ? "max_trials" : "timeout_minutes",
                                         value: timeout > 0 ? "\(trials)" : "\(timeout)", expected: "a value above 0")
        }
        cell.table(headers: ["setting", "value"], rows: [["timeout_minutes", "\(timeout)"], ["max_trials", "\(trials)"], ["seed", "\(seed)"]])
        cell.print("The model search arrives with the AutoML issue: no model is trained or registered in this run, and no model_uri is handed on.")
    }
}
