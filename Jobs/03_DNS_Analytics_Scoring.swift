import DNSData
import Fetch
import Foundation
import JobRunner
import Lakehouse
import Pipeline

/// Step 03: the scoring pipeline, as the accelerator's Delta Live Tables pipeline and its
/// streaming notebook: new DNS log files are read incrementally (a checkpoint per file),
/// every name is scored with the model the AutoML task handed over, joined with the threat
/// feed, the typosquats and GeoIP, and written to `dns_log_analytics` and the gold
/// `dns_ioc_latest`, each held to its declared expectations.
let scoringStep = Step(
    name: "03_DNS_Analytics_Scoring",
    title: "Score new DNS logs",
    parameters: [
        ("etl_summary", "the ETL task's summary (a task value): its latest_logs is the default input"),
        ("model_uri", "the model to score with; empty: the AutoML task's model_uri task value"),
        ("input", "a directory, file or s3:// prefix of DNS logs; empty: the data set's latest/ files"),
        ("top_features", "how dns_ioc_latest's three strongest features are found: approx (path attributions, a few times the prediction's cost) or shap (exact TreeSHAP, about 1 ms per new detection)"),
        ("watch", "true: keep polling the input and process files as they land, until Ctrl-C"),
        ("poll_seconds", "seconds between listings in watch mode"),
        ("min_file_age_seconds", "a local file is complete once unmodified this long (and unchanged while read)"),
        ("reprocess_changed", "true: process files that changed since they were processed again (their rows are replaced)"),
        ("data, geoip_database", "where the GeoIP database is, as for the ETL task"),
        ("public_suffix_list, psl_private_domains", "the Public Suffix List, as for the ETL task"),
    ]
) { context in
    let lakehouse = try LakehouseSchema.open(storeDirectory: context.storeDirectory)

    // The model first: a URI that does not resolve fails the step before any input is read.
    let model: ScoringModel = try await context.cell("Model") { cell in
        let parameter = try context.parameter("model_uri").trimmingCharacters(in: .whitespaces)
        let handed = try context.taskValue(task: "02_automl", name: "model_uri")?.stringValue
        guard let uri = parameter.isEmpty ? handed : parameter else { throw PipelineError.noModel }
        let model = try ScoringModel(uri: uri, store: context.store, topFeatures: try ScoringInputs.topFeatures(context))
        try context.logParams(["resolved_model_uri": uri, "model_version": model.version.map(String.init) ?? "",
                               "model_algorithm": model.bundle.manifest.algorithm.rawValue,
                               "top_features_method": model.topFeatureMethod.rawValue])
        cell.table(headers: ["model_uri", "version", "algorithm", "threshold", "from"], rows: [[
            uri, model.version.map(String.init) ?? "— (a run's artifact)", model.bundle.manifest.algorithm.rawValue,
            String(format: "%.4f", model.threshold), parameter.isEmpty ? "task value of 02_automl" : "model_uri parameter",
        ]])
        return model
    }

    let enricher: Enricher = try await context.cell("Reference data") { cell in
        let path = context.parameters["public_suffix_list"] ?? PublicSuffixList.debianPath
        let privateDomains = (context.parameters["psl_private_domains"] ?? "true").lowercased() != "false"
        let suffixes = try PublicSuffixList(path: path, includePrivateDomains: privateDomains)
        let reference = try ReferenceData.load(from: lakehouse)
        var geoIP: GeoIPDatabase?
        if let location = ScoringInputs.geoIPLocation(context) {
            let client = FetchClient(cacheDirectory: context.storeDirectory.appendingPathComponent("cache", isDirectory: true))
            geoIP = try GeoIPDatabase(path: try await client.fetch(location, progress: nil).fileURL.path)
        }
        cell.table(headers: ["threat-feed domains", "typosquat domains", "GeoIP", "Public Suffix List"], rows: [[
            "\(reference.threats.count)", "\(reference.typosquats.count)", geoIP?.path ?? "none (city and country stay empty)", path,
        ]])
        if reference.threats.isEmpty && reference.typosquats.isEmpty {
            cell.print("silver_threat_feeds and silver_twisted_domain_brand are empty: run 01_etl first for the threat-feed and typosquat joins.")
        }
        return Enricher(model: model, suffixes: suffixes, reference: reference, geoIP: geoIP)
    }

    // The pipeline's tables, declared as DLT declares them.
    let analytics = PipelineTable<LogLine, AnalyticsRow>(
        name: "dns_log_analytics", source: "DNS log files (input)", quarantineTable: "dns_log_analytics_quarantine",
        expectations: [
            .expectOrQuarantine("parseable") { $0.parseError == nil },
            .expectOrQuarantine("valid_domain") { $0.parseError != nil || (!$0.label.isEmpty && !$0.isIPAddress) },
            .expectOrFail("score_is_probability") { $0.score >= 0 && $0.score <= 1 },
            .expect("event_time_not_in_future") { ($0.eventTime ?? 0) <= Int64(Date().timeIntervalSince1970) + 86_400 },
            .expect("known_rrtype") { $0.parseError != nil || !$0.rrtype.isEmpty },
        ],
        transform: { try enricher.enrich($0) })
    let detections = PipelineTable<AnalyticsRow, DetectionRow>(
        name: "dns_ioc_latest", source: "dns_log_analytics",
        expectations: [
            .expectOrFail("has_reason") { !$0.reason.isEmpty },
            .expect("explained") { $0.topFeatures != "[]" },
        ],
        transform: { try Detections.detect($0, model: model) })
    let definition = ScoringPipelineDefinition(name: "dns_scoring", analytics: analytics, detections: detections)

    let pipeline: ScoringPipeline = try await context.cell("Input") { cell in
        let location = try ScoringInputs.location(context)
        var options = ScoringPipeline.Options()
        options.jobRunID = context.jobRunID
        options.minFileAge = try ScoringInputs.number(context, "min_file_age_seconds", default: 2)
        options.reprocessChanged = ScoringInputs.flag(context, "reprocess_changed")
        let client = FetchClient(cacheDirectory: context.storeDirectory.appendingPathComponent("cache", isDirectory: true))
        try context.logParams(["resolved_input": location])
        cell.print("input = \(location); checkpoint: pipeline_checkpoints (pipeline dns_scoring)")
        return try ScoringPipeline(database: lakehouse, definition: definition, model: model,
                                   input: InputLocation(location, client: client), client: client, options: options)
    }

    let watch = ScoringInputs.flag(context, "watch")
    let pollSeconds = max(0.2, try ScoringInputs.number(context, "poll_seconds", default: 5))
    var updateCount = 0
    try await context.cell(watch ? "Watch and score" : "Score new files") { cell in
        if watch { cell.print("Watching \(pipeline.input.location) every \(pollSeconds) s; Ctrl-C stops (an update in flight is rolled back).") }
        var reportedChanged = Set<String>()
        var reportedEmpty = Set<String>()
        while true {
            var plan = try await pipeline.plan()
            if !watch {
                // Run once: wait for files still settling rather than leaving them for a later run.
                var waited = 0.0
                while !plan.settling.isEmpty && waited < 60 {
                    try await Task.sleep(for: .milliseconds(Int(pipeline.options.minFileAge * 500) + 100))
                    waited += pipeline.options.minFileAge / 2 + 0.1
                    plan = try await pipeline.plan()
                }
            }
            for change in plan.changed where !pipeline.options.reprocessChanged && reportedChanged.insert(change.file.source).inserted {
                cell.print("changed since processed (update \(change.checkpoint.updateID), \(change.checkpoint.size) → \(change.file.size) bytes): \(change.file.source); not reprocessed (set reprocess_changed=true to replace its rows)")
            }
            for file in plan.empty where reportedEmpty.insert(file.source).inserted {
                cell.print("empty, nothing to read yet: \(file.source)")
            }
            if plan.hasWork(reprocessChanged: pipeline.options.reprocessChanged) {
                let summary = try await pipeline.runUpdate(plan) { context.reportProgress($0) }
                updateCount += 1
                try ScoringReport.log(summary, step: updateCount, context: context, cell: cell)
            } else if !watch {
                cell.print("No new files (\(plan.unchanged) already processed\(plan.settling.isEmpty ? "" : ", \(plan.settling.count) still being written")).")
            }
            if !watch { break }
            try await Task.sleep(for: .milliseconds(Int(pollSeconds * 1000)))
        }
    }

    try await context.cell("Detections") { cell in
        let rows = try lakehouse.query("""
            SELECT domain, class, printf('%.4f', score) AS score, reason, coalesce(tags, '') AS tags,
                   coalesce(brand || ' (' || fuzzer || ')', '') AS typosquat, coalesce(country, '') AS country
            FROM dns_ioc_latest ORDER BY timestamp DESC, domain LIMIT 20
            """)
        cell.table("dns_ioc_latest (latest 20)", headers: ["domain", "class", "score", "reason", "tags", "typosquat of", "country"],
                   rows: rows.map { row in ["domain", "class", "score", "reason", "tags", "typosquat", "country"].map { row.string($0) ?? "" } })
        let total = try lakehouse.scalar("SELECT count(*) FROM dns_ioc_latest")?.int64Value ?? 0
        try context.logMetrics(["dns_ioc_latest.rows": Double(total)])
        try context.setTaskValue("summary", .object([
            "updates": .number(Double(updateCount)), "dns_ioc_latest": .number(Double(total)), "model_uri": .string(model.uri),
        ]))
    }
}

/// The step's parameters that need more than a lookup.
enum ScoringInputs {
    static func flag(_ context: StepContext, _ name: String) -> Bool {
        ["true", "1", "yes"].contains((context.parameters[name] ?? "").trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// The `top_features` parameter: approx (the default) or shap.
    static func topFeatures(_ context: StepContext) throws -> TopFeatureMethod {
        let text = (context.parameters["top_features"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        if text.isEmpty { return .pathAttributions }
        guard let method = TopFeatureMethod(rawValue: text) else {
            throw context.badParameter("top_features", value: text,
                                         expected: "approx (path attributions) or shap (exact TreeSHAP)")
        }
        return method
    }

    static func number(_ context: StepContext, _ name: String, default value: Double) throws -> Double {
        let text = (context.parameters[name] ?? "").trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return value }
        guard let number = Double(text), number >= 0 else {
            throw context.badParameter(name, value: text, expected: "a number of seconds, 0 or more")
        }
        return number
    }

    /// The input: the `input` parameter, else the ETL task's `latest_logs`.
    static func location(_ context: StepContext) throws -> String {
        let given = (context.parameters["input"] ?? "").trimmingCharacters(in: .whitespaces)
        if !given.isEmpty { return given }
        if let latest = try context.taskValue(task: "01_etl", name: "summary")?["latest_logs"]?.stringValue { return latest }
        throw StepError.failed("no input: the ETL task named no latest_logs and the input parameter is empty. Set --param scoring_input=DIRECTORY or s3://bucket/prefix/.")
    }

    /// The GeoIP database, found as the ETL task finds it; nil when there is none.
    static func geoIPLocation(_ context: StepContext) -> String? {
        let override = (context.parameters["geoip_database"] ?? "").trimmingCharacters(in: .whitespaces)
        if override.lowercased() == "none" { return nil }
        if !override.isEmpty { return override }
        guard let data = context.parameters["data"], let source = DataSet.sources.first(where: { $0.role == "geoip_database" }) else { return nil }
        let location = DataSet(parameter: data).location(of: source, builtinDirectory: nil)
        if let location, let path = DataSet.localPath(location), !FileManager.default.fileExists(atPath: path) { return nil }
        return location
    }
}

/// How an update is shown and logged.
enum ScoringReport {
    static func log(_ summary: UpdateSummary, step: Int, context: StepContext, cell: CellWriter) throws {
        cell.table("Update \(summary.updateID): \(summary.state) in \(String(format: "%.2f", summary.seconds)) s",
                   headers: ["file", "state", "format", "lines", "rows", "quarantined", "detections", "note"],
                   rows: summary.files.map { [$0.file.source, $0.state.rawValue, $0.format, "\($0.linesRead)", "\($0.rowsWritten)",
                                              "\($0.quarantined)", "\($0.detections)", $0.message] })
        cell.table("Expectations", headers: ["table", "expectation", "action", "passed", "failed", "dropped"],
                   rows: summary.expectations.map { [$0.table, $0.expectation, $0.action.rawValue, "\($0.counts.passed)", "\($0.counts.failed)", "\($0.counts.dropped)"] })
        var metrics: [String: Double] = [
            "update.files": Double(summary.files.count), "update.rows_read": Double(summary.rowsRead),
            "update.rows_written": Double(summary.rowsWritten), "update.quarantined": Double(summary.quarantined),
            "update.detections": Double(summary.detections), "update.seconds": summary.seconds,
            "update.files_failed": Double(summary.files.filter { $0.state == .failed || $0.state == .unstable }.count),
        ]
        for entry in summary.expectations {
            let key = "expectation.\(entry.table).\(entry.expectation)"
            metrics[key + ".passed"] = Double(entry.counts.passed)
            metrics[key + ".failed"] = Double(entry.counts.failed)
            metrics[key + ".dropped"] = Double(entry.counts.dropped)
        }
        for (key, value) in metrics.sorted(by: { $0.key < $1.key }) { try context.logMetric(key, value, step: step) }
    }
}
