import Alerts
import ArgumentParser
import DNSAnalyticsJob
import Foundation
import Tracking

struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Evaluate the SQL alerts, list them with their states, show their history.",
        discussion: """
            Alerts are SQL queries on the results database (lakehouse.db) with a condition, \
            defined in Jobs/alerts/*.json (or the files given with --alerts). The job's last task \
            (04_alerts) evaluates them after scoring; `runme alerts check` does the same on its own. \
            See RUNME.md, "Alerts", for the definition format, templates and destinations.
            """,
        subcommands: [AlertsCheckCommand.self, AlertsListCommand.self, AlertsHistoryCommand.self],
        defaultSubcommand: AlertsListCommand.self
    )
}

/// `--alerts`: where the definitions are.
struct AlertLocationOptions: ParsableArguments {
    @Option(name: .customLong("alerts"), help: ArgumentHelp(
        "Alert definition files or directories of *.json (repeatable; default Jobs/alerts).", valueName: "path"))
    var locations: [String] = []

    func load() throws -> [AlertDefinition] {
        do {
            return try AlertsPreflight.load(parameter: locations.isEmpty ? nil : locations.joined(separator: ","))
        } catch let error as AlertDefinitionErrors {
            throw RunmeError(message: error.description)
        }
    }
}

struct AlertsCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Evaluate every alert now and notify as the job's alerts task would.",
        discussion: """
            Runs each alert's query on a read-only connection to the store's results database \
            (with the alert's time limit), moves its state (OK, TRIGGERED, UNKNOWN), notifies its \
            destinations when it changed to TRIGGERED (or back to OK with notify_on_ok, or again \
            after retrigger_seconds), and records the evaluation in the alert history. Secrets come \
            from the environment variables the definitions name.

            Exit codes: 0 evaluated (failed deliveries are recorded, not fatal); 1 a delivery failed \
            for an alert with fail_job_on_delivery_failure; 2 bad definitions, option or store.
            """
    )

    @OptionGroup var locations: AlertLocationOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let definitions = try locations.load()
        let store = try storeOptions.openForWriting()
        let json = output.json
        let evaluator = AlertEvaluator(store: store, printer: { text in
            // With --json, stdout carries only the JSON document: notifications go to stderr.
            if json { FileHandle.standardError.write(Data((text + "\n").utf8)) } else { print(text) }
        })
        let evaluations = try await evaluator.evaluate(definitions)
        if json {
            try JSONOutput.print(evaluations.map {
                AlertEvaluationJSON(evaluationID: $0.evaluationID, alert: $0.alert, state: $0.state.rawValue,
                                    previousState: $0.previousState?.rawValue, value: $0.value, threshold: $0.threshold,
                                    reason: $0.reason, notified: $0.notified, deliveries: $0.deliveries)
            })
        } else {
            var table = TextTable(["alert", "state", "was", "value", "notified", "deliveries", "reason"])
            for evaluation in evaluations {
                let deliveries = evaluation.deliveries.map { "\($0.destination):\($0.outcome.rawValue)" }.joined(separator: " ")
                table.add([evaluation.alert, evaluation.state.rawValue, evaluation.previousState?.rawValue ?? "-", evaluation.value ?? "",
                           evaluation.notified ? "yes" : "no", deliveries.isEmpty ? "-" : deliveries, evaluation.reason])
            }
            print(table.render(), terminator: "")
            for evaluation in evaluations {
                for delivery in evaluation.deliveries where delivery.outcome != .sent {
                    print("\(evaluation.alert) -> \(delivery.destination): \(delivery.outcome.rawValue) after \(delivery.attempts) attempt(s): \(delivery.error ?? "")")
                }
            }
        }
        if evaluations.contains(where: \.failsJob) { throw ExitCode.failure }
    }
}

struct AlertsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the alert definitions with their current states.",
        discussion: "Loading the definitions checks them: a problem (such as a template syntax error) is reported with its file and field, exit code 2."
    )

    @OptionGroup var locations: AlertLocationOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    struct AlertJSON: Encodable {
        var name: String
        var source: String
        var query: String
        var condition: String
        var destinations: [String]
        var state: String?
        var since: String?
        var lastEvaluated: String?
        var lastNotified: String?

        enum CodingKeys: String, CodingKey {
            case name, source, query, condition, destinations, state, since
            case lastEvaluated = "last_evaluated"
            case lastNotified = "last_notified"
        }
    }

    func run() throws {
        let definitions = try locations.load()
        // No store yet is not an error here: the alerts simply have no state.
        let states = (try? storeOptions.openForReading().alertStates()) ?? []
        let rows = definitions.map { definition in
            let state = states.first { $0.alertName == definition.name }
            return AlertJSON(
                name: definition.name, source: definition.source, query: definition.query, condition: definition.condition.text,
                destinations: definition.destinations.map { $0.name == $0.kind.rawValue ? $0.name : "\($0.name) (\($0.kind.rawValue))" },
                state: state?.state, since: state.flatMap { Format.iso($0.since.timeIntervalSince1970) },
                lastEvaluated: state.flatMap { Format.iso($0.lastEvaluated.timeIntervalSince1970) },
                lastNotified: state?.lastNotified.flatMap { Format.iso($0.timeIntervalSince1970) })
        }
        if output.json { return try JSONOutput.print(rows) }
        var table = TextTable(["alert", "state", "since", "condition", "destinations", "source"])
        for (row, definition) in zip(rows, definitions) {
            let state = states.first { $0.alertName == definition.name }
            table.add([row.name, row.state ?? "(never evaluated)", Format.timestamp(state?.since.timeIntervalSince1970),
                       row.condition, row.destinations.joined(separator: ", "), row.source])
        }
        print(table.render(), terminator: "")
    }
}

struct AlertsHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show past evaluations of the alerts (or of one), newest first, with each delivery's outcome."
    )

    @Argument(help: "Only this alert.")
    var name: String?

    @Option(name: .long, help: "How many evaluations to show.")
    var limit = 20

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try storeOptions.openForReading()
        let records = try store.alertHistory(name: name, limit: limit)
        let rows = records.map { record in
            AlertEvaluationJSON(
                evaluationID: record.evaluationID, alert: record.alertName, jobRunID: record.jobRunID,
                evaluatedAt: Format.iso(record.evaluatedAt.timeIntervalSince1970), state: record.state,
                previousState: record.previousState, value: record.value, threshold: record.threshold, reason: record.reason,
                notified: record.notified,
                deliveries: (try? JSONDecoder().decode([DeliveryRecord].self, from: Data(record.deliveriesJSON.utf8))) ?? [])
        }
        if output.json { return try JSONOutput.print(rows) }
        guard !rows.isEmpty else {
            print(name.map { "No evaluations of '\($0)' yet." } ?? "No alert evaluations yet: `runme alerts check` or `runme run` evaluates them.")
            return
        }
        var table = TextTable(["id", "evaluated", "alert", "state", "was", "value", "job run", "deliveries"])
        for (row, record) in zip(rows, records) {
            table.add([String(row.evaluationID), Format.timestamp(record.evaluatedAt.timeIntervalSince1970), row.alert, row.state,
                       row.previousState ?? "-", row.value ?? "", row.jobRunID.map { String($0) } ?? "-",
                       row.deliveries.isEmpty ? "-" : row.deliveries.map { d in
                           "\(d.destination):\(d.outcome.rawValue)" + (d.outcome == .failed ? " (\(d.error ?? ""))" : "")
                       }.joined(separator: " ")])
        }
        print(table.render(), terminator: "")
    }
}

/// One alert evaluation as `alerts check --json` and `alerts history --json` print it; the job
/// run and the time are known only once the evaluation is in the history (nil is left out).
struct AlertEvaluationJSON: Encodable {
    var evaluationID: Int64
    var alert: String
    var jobRunID: Int64?
    var evaluatedAt: String?
    var state: String
    var previousState: String?
    var value: String?
    var threshold: String?
    var reason: String
    var notified: Bool
    var deliveries: [DeliveryRecord]

    enum CodingKeys: String, CodingKey {
        case alert, state, value, threshold, reason, notified, deliveries
        case evaluationID = "evaluation_id"
        case jobRunID = "job_run_id"
        case evaluatedAt = "evaluated_at"
        case previousState = "previous_state"
    }
}
