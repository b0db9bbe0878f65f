import Foundation
import JobRunner

/// Step 03: the scoring pipeline. Today it finds the model to score with (the `model_uri`
/// parameter, else the AutoML task's task value) and lists the new log files it would read;
/// the declarative tables, scoring and enrichment joins arrive with the scoring issue.
let scoringStep = Step(
    name: "03_DNS_Analytics_Scoring",
    title: "Score new DNS logs",
    parameters: [
        ("data", "where the latest/ log files are (as the ETL task's data)"),
        ("model_uri", "the model to score with; empty: the AutoML task's model_uri task value"),
    ]
) { context in
    try await context.cell("Model") { cell in
        let parameter = try context.parameter("model_uri").trimmingCharacters(in: .whitespaces)
        let handed = try context.taskValue(task: "02_automl", name: "model_uri")?.stringValue
        if let uri = parameter.isEmpty ? handed : parameter {
            try context.logParam("model_uri", uri)
            cell.print("model_uri = \(uri)")
        } else {
            cell.print("No model: the AutoML task set no model_uri and none was given. Nothing is scored in this run.")
        }
    }

    try await context.cell("New log files") { cell in
        let data = DataSet(parameter: try context.parameter("data"))
        guard let location = data.location(of: "latest_logs") else {
            cell.print("data=builtin: the built-in latest/ sample arrives with the ETL issue.")
            return
        }
        guard let path = DataSet.localPath(location) else {
            cell.print("\(location) is remote; listing remote prefixes arrives with the scoring issue.")
            return
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted() ?? []
        var rows: [[String]] = []
        for name in names {
            let attributes = try? FileManager.default.attributesOfItem(atPath: (path as NSString).appendingPathComponent(name))
            rows.append([name, "\((attributes?[.size] as? NSNumber)?.intValue ?? 0)"])
        }
        cell.table("Files in \(path)", headers: ["file", "bytes"], rows: rows)
        try context.logMetric("input.files", Double(rows.count))
    }
}
