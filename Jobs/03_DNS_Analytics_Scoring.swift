import Foundation
import JobRunner

/// Step 03: the scoring pipeline. Today it finds the model to score with (the `model_uri`
/// parameter, else the AutoML task's task value) and lists the new log files the ETL task
/// named; the declarative tables, scoring and enrichment joins arrive with the scoring issue.
let scoringStep = Step(
    name: "03_DNS_Analytics_Scoring",
    title: "Score new DNS logs",
    parameters: [
        ("etl_summary", "the ETL task's summary (a task value), which names the new log files"),
        ("model_uri", "the model to score with; empty: the AutoML task's model_uri task value"),
    ]
) { context in
    try await context.cell("Model") { cell in
        let parameter = try context.parameter("model_uri").trimmingCharacters(in: .whitespaces)
        let handed = try context.taskValue(task: "02_automl", name: "model_uri")?.stringValue
        if let uri = parameter.isEmpty ? handed : parameter {
            // The runner already logged the (possibly empty) model_uri parameter; params are immutable.
            try context.logParam("resolved_model_uri", uri)
            cell.print("model_uri = \(uri)")
        } else {
            cell.print("No model: the AutoML task set no model_uri and none was given. Nothing is scored in this run.")
        }
    }

    try await context.cell("New log files") { cell in
        guard let location = try context.taskValue(task: "01_etl", name: "summary")?["latest_logs"]?.stringValue else {
            cell.print("The ETL task named no new log files.")
            return
        }
        guard let path = DataSet.localPath(location) else {
            cell.print("\(location) is remote; reading remote prefixes arrives with the scoring issue.")
            return
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            cell.print("\(path) does not exist.")
            return
        }
        let names = isDirectory.boolValue ? ((try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted() ?? []) : [(path as NSString).lastPathComponent]
        let directory = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
        var rows: [[String]] = []
        for name in names {
            let attributes = try? FileManager.default.attributesOfItem(atPath: (directory as NSString).appendingPathComponent(name))
            rows.append([name, "\((attributes?[.size] as? NSNumber)?.intValue ?? 0)"])
        }
        cell.table("Files in \(directory)", headers: ["file", "bytes"], rows: rows)
        try context.logMetric("input.files", Double(rows.count))
    }
}
