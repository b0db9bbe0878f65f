import Foundation
import JobRunner
import TestSupport
import Tracking

/// A step whose behaviour each task sets through its parameters, so that one manifest can
/// exercise ordering, failures, retries, timeouts and task values:
/// - `sleep`: seconds to sleep in the cell (cancellable);
/// - `fail`: `true` to throw in the second cell;
/// - `fail_attempts`: fail while the attempt number is below this;
/// - `set`: `name=value` task values to set, comma-separated;
/// - `expect`: `task.name=value` task values that must read as given, comma-separated;
/// - `count`: read as a whole number (`intParameter`), when set.
let testStep = Step(name: "test_step", title: "A configurable test step") { context in
    try await context.cell("Start") { cell in
        cell.print("task \(context.taskKey) attempt \(context.attempt) starts")
        if context.parameters["count"] != nil { _ = try context.intParameter("count") }
        if let seconds = context.parameters["sleep"].flatMap(Double.init) {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        }
    }
    try await context.cell("Work") { cell in
        if context.parameters["fail"] == "true" {
            throw StepError.failed("told to fail")
        }
        if let attempts = context.parameters["fail_attempts"].flatMap(Int.init), context.attempt < attempts {
            throw StepError.failed("failing attempt \(context.attempt) of \(attempts)")
        }
        cell.print("worked")
        try context.logMetric("worked", 1)
    }
    try await context.cell("Values") { cell in
        for assignment in (context.parameters["set"] ?? "").split(separator: ",") {
            let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            try context.setTaskValue(parts[0], parts[1])
        }
        for expectation in (context.parameters["expect"] ?? "").split(separator: ",") {
            let parts = expectation.split(separator: "=", maxSplits: 1).map(String.init)
            let reference = parts[0].split(separator: ".").map(String.init)
            guard parts.count == 2, reference.count == 2 else { continue }
            let value = try context.taskValue(task: reference[0], name: reference[1])?.stringValue
            cell.print("\(parts[0]) = \(value ?? "nil")")
            if value != parts[1] { throw StepError.failed("expected \(parts[0]) = \(parts[1]), read \(value ?? "nothing")") }
        }
    }
}

let testSteps = StepRegistry([testStep])

/// Builds manifests of test_step tasks.
struct TestManifest {
    var name = "test_job"
    var tasks: [[String: Any]] = []
    var extra: [String: Any] = [:]
    var parameters: [[String: String]] = [["name": "greeting", "default": "hello"]]

    mutating func task(_ key: String, dependsOn: [String] = [], params: [String: String] = [:], extra: [String: Any] = [:]) {
        var task: [String: Any] = [
            "task_key": key,
            "notebook_task": ["notebook_path": "test_step", "base_parameters": params],
        ]
        if !dependsOn.isEmpty { task["depends_on"] = dependsOn.map { ["task_key": $0] } }
        for (k, v) in extra { task[k] = v }
        tasks.append(task)
    }

    func json() throws -> Data {
        var job: [String: Any] = ["name": name, "parameters": parameters, "tasks": tasks]
        for (k, v) in extra { job[k] = v }
        return try JSONSerialization.data(withJSONObject: job, options: [.prettyPrinted, .sortedKeys])
    }

    func manifest() throws -> JobManifest {
        try JobManifest.parse(try json(), path: "test.json", knownSteps: testSteps.names)
    }
}

/// Collects events, for assertions on what an observer sees.
final class EventLog: JobRunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var events: [JobRunEvent] = []
    func handle(_ event: JobRunEvent) { lock.lock(); events.append(event); lock.unlock() }
    var all: [JobRunEvent] { lock.lock(); defer { lock.unlock() }; return events }
    /// True once the task has reported RUNNING.
    func started(_ key: String) -> Bool {
        all.contains { if case let .taskState(k, _, lifeCycle, _, _) = $0 { return k == key && lifeCycle == .running } else { return false } }
    }
}

/// The latest attempt of each task of a run, by key.
func latestAttempts(_ store: TrackingStore, _ runID: Int64) throws -> [String: TaskRunRecord] {
    var latest: [String: TaskRunRecord] = [:]
    for attempt in try store.taskRuns(jobRunID: runID) { latest[attempt.taskKey] = attempt }
    return latest
}
