import Foundation
import Tracking

/// The HTML page of `runme runs show RUN_ID --html FILE`, also written at the end of every
/// `runme run` and `runme repair`.
public enum JobRunPage {
    /// Where `runme run` writes the page of job run `id`: `<store>/reports/job-run-<id>.html`.
    public static func defaultLocation(storeDirectory: URL, jobRunID id: Int64) -> URL {
        storeDirectory.appendingPathComponent("reports", isDirectory: true).appendingPathComponent("job-run-\(id).html")
    }

    /// Renders the page; `location` (where it will be written) makes transcript links relative.
    public static func render(_ report: JobRunReport, location: URL?) -> String {
        let job = report.job
        let state = job.resultState?.rawValue ?? job.lifeCycleState.rawValue
        var body = overview(report, state: state)
        body += timeline(report)
        body += taskTable(report, location: location)
        if !job.parameters.isEmpty {
            body += HTML.section("parameters", "Job parameters", HTML.keyValues(job.parameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        }
        body += taskDetails(report)
        if !report.values.isEmpty { body += values(report) }
        body += dataQuality(report)
        body += models(report)
        body += alerts(report)
        if !report.missingTables.isEmpty {
            body += HTML.paragraph("Not in this store (so not shown): \(report.missingTables.joined(separator: ", ")).", className: "note")
        }
        return HTML.document(title: "Job run \(job.runID) of \(job.jobName): \(state)",
                             subtitle: "Generated \(ReportNumber.utc(report.generatedAt.timeIntervalSince1970)) by runme from the store; times are UTC.",
                             body: body)
    }

    private static func overview(_ report: JobRunReport, state: String) -> String {
        let job = report.job
        var pairs: [(String, String)] = [
            ("job run", String(job.runID)), ("job", job.jobName), ("state", "\(job.lifeCycleState.rawValue) / \(job.resultState?.rawValue ?? "–")"),
            ("started", ReportNumber.utc(job.startTime)), ("ended", ReportNumber.utc(job.endTime)), ("duration", ReportNumber.seconds(job.duration)),
            ("type", job.runType), ("process", "pid \(job.pid) on \(job.host)"), ("manifest", job.manifestPath),
        ]
        if !job.stateMessage.isEmpty { pairs.append(("message", job.stateMessage)) }
        var out = HTML.keyValues(pairs, caption: "The run")
        if !report.repairs.isEmpty {
            out += HTML.table(headers: [("repair", ["num"]), ("tasks rerun", []), ("started", []), ("ended", []), ("result", [])],
                              rows: report.repairs.map { repair in
                                  (cells: [.number(Double(repair.repairID), String(repair.repairID)), .text(repair.taskKeys.joined(separator: ", ")),
                                           .text(ReportNumber.utc(repair.startTime)), .text(ReportNumber.utc(repair.endTime)),
                                           .text(repair.resultState?.rawValue ?? "RUNNING")], classes: [])
                              }, caption: "Repairs")
        }
        return HTML.section("overview", "Overview", out)
    }

    private static func attemptLabel(_ task: TaskRunRecord) -> String {
        "\(task.taskKey) #\(task.attempt)" + (task.repairID.map { " (repair \($0))" } ?? "")
    }

    private static func timeline(_ report: JobRunReport) -> String {
        let rows = report.tasks.map { attempt -> TimelineChart.Row in
            let task = attempt.record
            let state = task.resultState?.rawValue ?? task.lifeCycleState.rawValue
            return TimelineChart.Row(label: attemptLabel(task), start: task.startTime, end: task.endTime ?? task.startTime, state: state,
                                     detail: task.startTime == nil ? "did not start" : ReportNumber.seconds(task.duration))
        }
        guard !rows.isEmpty else { return HTML.section("timeline", "Timeline", HTML.paragraph("No task ran.", className: "note")) }
        let chart = TimelineChart(title: "Task attempts over time", rows: rows, origin: report.job.startTime)
        return HTML.section("timeline", "Timeline", HTML.figure(chart.render(), caption: "One bar per task attempt, from its start to its end; the state is written beside each bar (failed attempts are also hatched)."))
    }

    private static func taskTable(_ report: JobRunReport, location: URL?) -> String {
        let rows = report.tasks.map { attempt -> (cells: [HTML.Cell], classes: [String]) in
            let task = attempt.record
            let state = task.resultState?.rawValue ?? task.lifeCycleState.rawValue
            return (cells: [
                HTML.Cell(html: HTML.escape(task.taskKey), sortKey: nil, header: true),
                .number(Double(task.attempt), String(task.attempt)),
                .text(task.repairID.map(String.init) ?? "–"),
                .raw("<span class=\"state-\(HTML.escape(state))\">\(HTML.escape(state))</span>", sortKey: state),
                .text(ReportNumber.utc(task.startTime)),
                .number(task.duration, ReportNumber.seconds(task.duration)),
                .text(task.stateMessage),
                .raw(attempt.transcript.map { HTML.link(to: $0, from: location, text: "transcript") } ?? "–"),
                .text(task.trackingRunID ?? "–"),
            ], classes: [])
        }
        let table = HTML.table(id: "task-table", headers: [("task", []), ("attempt", ["num"]), ("repair", []), ("state", []), ("started", []),
                                                          ("duration", ["num"]), ("message", []), ("transcript", []), ("tracking run", [])],
                               rows: rows, sortable: true)
        return HTML.section("tasks", "Tasks", table)
    }

    private static func taskDetails(_ report: JobRunReport) -> String {
        var out = ""
        for attempt in report.tasks {
            guard let run = attempt.run else { continue }
            out += "<h3>\(HTML.escape(attemptLabel(attempt.record)))</h3>\n"
            let params = run.data.params.sorted { $0.key < $1.key }
            out += "<div class=\"grid\">"
            out += params.isEmpty ? HTML.paragraph("No params.", className: "note") : HTML.keyValues(params.map { ($0.key, $0.value) }, caption: "Params")
            let metrics = run.data.metrics.sorted { $0.key < $1.key }
            if metrics.isEmpty {
                out += HTML.paragraph("No metrics.", className: "note")
            } else {
                out += HTML.table(headers: [("metric", []), ("value", ["num"]), ("step", ["num"])], rows: metrics.map { key, metric in
                    (cells: [HTML.Cell(html: HTML.escape(key), sortKey: nil, header: true), .number(metric.value, ReportNumber.metric(metric.value)),
                             .number(Double(metric.step), String(metric.step))], classes: [])
                }, caption: "Metrics (latest values)")
            }
            out += "</div>"
        }
        return HTML.section("task-runs", "Each task's parameters and metrics", out.isEmpty ? HTML.paragraph("No task logged a tracking run.", className: "note") : out)
    }

    private static func values(_ report: JobRunReport) -> String {
        let table = HTML.table(headers: [("task", []), ("name", []), ("value (JSON)", []), ("set", [])], rows: report.values.map { value in
            let shown = value.valueJSON.count > 400 ? String(value.valueJSON.prefix(400)) + "…" : value.valueJSON
            return (cells: [.text(value.taskKey), .text(value.name), .raw("<code>\(HTML.escape(shown))</code>"), .text(ReportNumber.utc(value.setTime))], classes: [])
        })
        return HTML.section("task-values", "Task values", table)
    }

    private static func dataQuality(_ report: JobRunReport) -> String {
        var out = ""
        if report.loads.isEmpty {
            out += HTML.paragraph("No loads were recorded for this job run.", className: "note")
        } else {
            out += HTML.table(id: "loads-table", headers: [("load", ["num"]), ("table", []), ("source", []), ("format", []), ("read", ["num"]),
                                                            ("loaded", ["num"]), ("quarantined", ["num"]), ("skipped lines", ["num"])],
                              rows: report.loads.map { load in
                                  (cells: [.number(Double(load.loadID), String(load.loadID)), .text(load.table), .text(load.source), .text(load.format ?? "–"),
                                           .number(Double(load.rowsRead), ReportNumber.count(load.rowsRead)),
                                           .number(Double(load.rowsLoaded), ReportNumber.count(load.rowsLoaded)),
                                           .number(Double(load.rowsQuarantined), ReportNumber.count(load.rowsQuarantined)),
                                           .number(Double(load.linesSkipped), ReportNumber.count(load.linesSkipped))], classes: [])
                              }, sortable: true, caption: "Loads (table loads, from the lakehouse's loads table)")
        }
        for update in report.updates {
            var caption = "Pipeline \(update.pipeline), update \(update.updateID): \(update.state); \(ReportNumber.count(update.files)) files, \(ReportNumber.count(update.rowsRead)) rows read, \(ReportNumber.count(update.rowsWritten)) written"
            if !update.message.isEmpty { caption += " (\(update.message))" }
            if update.expectations.isEmpty {
                out += HTML.paragraph(caption + ". No expectation results logged.", className: "note")
                continue
            }
            out += HTML.table(headers: [("table", []), ("expectation", []), ("action", []), ("passed", ["num"]), ("failed", ["num"]), ("dropped", ["num"]), ("quarantined", ["num"])],
                              rows: update.expectations.map { event in
                                  let quarantined = update.quarantined[event.name]
                                  return (cells: [.text(event.table), .text(event.name), .text(event.action),
                                                  .number(Double(event.passed), ReportNumber.count(event.passed)),
                                                  .number(Double(event.failed), ReportNumber.count(event.failed)),
                                                  .number(Double(event.dropped), ReportNumber.count(event.dropped)),
                                                  .number(quarantined.map(Double.init), quarantined.map(ReportNumber.count) ?? "–")], classes: [])
                              }, caption: caption)
        }
        if report.updates.isEmpty { out += HTML.paragraph("No scoring-pipeline update belongs to this job run.", className: "note") }
        return HTML.section("data-quality", "Data quality", out)
    }

    private static func models(_ report: JobRunReport) -> String {
        guard !report.models.isEmpty else {
            return HTML.section("model", "Model", HTML.paragraph("No task of this run named a registered model.", className: "note"))
        }
        let table = HTML.table(headers: [("model URI", []), ("named by", []), ("version", ["num"]), ("source", []), ("aliases now", [])],
                               rows: report.models.map { use in
                                   (cells: [.raw("<code>\(HTML.escape(use.uri))</code>"), .text(use.where_),
                                            .number(use.version.map { Double($0.version) }, use.version.map { String($0.version) } ?? "not in the registry"),
                                            .text(use.version?.source ?? "–"), .text(use.version?.aliases.joined(separator: ", ") ?? "–")], classes: [])
                               })
        return HTML.section("model", "Model", table)
    }

    private static func alerts(_ report: JobRunReport) -> String {
        guard !report.alerts.isEmpty else {
            return HTML.section("alerts", "Alerts", HTML.paragraph("No alert was evaluated in this job run.", className: "note"))
        }
        let table = HTML.table(id: "alert-table", headers: [("alert", []), ("evaluated", []), ("state", []), ("was", []), ("value", ["num"]), ("threshold", []),
                                                           ("reason", []), ("notified", []), ("deliveries", [])],
                               rows: report.alerts.map { alert in
                                   (cells: [.text(alert.name), .text(ReportNumber.utc(alert.evaluatedAt)),
                                            .raw("<strong>\(HTML.escape(alert.state))</strong>", sortKey: alert.state), .text(alert.previousState ?? "–"),
                                            .text(alert.value ?? "–", classes: ["num"]), .text(alert.threshold ?? "–"), .text(alert.reason),
                                            .text(alert.notified ? "yes" : "no"), .text(deliveries(alert.deliveriesJSON))], classes: [])
                               }, sortable: true)
        return HTML.section("alerts", "Alerts", table)
    }

    /// `[{"destination","kind","outcome","attempts","error"}]` as `email ops@x: sent (1 attempt)`.
    static func deliveries(_ json: String) -> String {
        guard let array = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] else { return json }
        if array.isEmpty { return "–" }
        return array.map { item in
            let kind = item["kind"] as? String ?? "", destination = item["destination"] as? String ?? ""
            let outcome = item["outcome"] as? String ?? "", attempts = item["attempts"].map { "\($0)" } ?? "?"
            let error = (item["error"] as? String).map { ", \($0)" } ?? ""
            return "\(kind) \(destination): \(outcome) (\(attempts) attempt\(attempts == "1" ? "" : "s")\(error))"
        }.joined(separator: "; ")
    }
}
