import Foundation
import Synchronization
import Tracking

/// What a running step sees: its parameters, its tracking run, the task values of its
/// upstream tasks, and the cells it writes its transcript in.
public final class StepContext: Sendable {
    public let jobName: String
    public let jobRunID: Int64
    public let taskKey: String
    public let stepName: String
    /// 0 for the first attempt.
    public let attempt: Int
    /// The task's parameters, dynamic references resolved.
    public let parameters: [String: String]
    /// The job parameter each task parameter is, when the manifest sets it to exactly
    /// `{{job.parameters.NAME}}`: errors name what the user passes with `--param`.
    let jobParameterOrigins: [String: String]
    /// The experiment store.
    public let store: TrackingStore
    /// The tracking run that holds this attempt's params, metrics and artifacts.
    public let trackingRunID: String
    /// Where each upstream task's values are read from (its job run id).
    let valueSources: [String: Int64]
    let observer: any JobRunObserver
    let recorder: TranscriptRecorder

    init(
        jobName: String, jobRunID: Int64, taskKey: String, stepName: String, title: String, attempt: Int,
        parameters: [String: String], jobParameterOrigins: [String: String] = [:], store: TrackingStore, trackingRunID: String,
        valueSources: [String: Int64], observer: any JobRunObserver
    ) {
        self.jobName = jobName
        self.jobRunID = jobRunID
        self.taskKey = taskKey
        self.stepName = stepName
        self.attempt = attempt
        self.parameters = parameters
        self.jobParameterOrigins = jobParameterOrigins
        self.store = store
        self.trackingRunID = trackingRunID
        self.valueSources = valueSources
        self.observer = observer
        self.recorder = TranscriptRecorder(transcript: Transcript(
            jobName: jobName, jobRunID: jobRunID, taskKey: taskKey, stepName: stepName, title: title,
            attempt: attempt, parameters: parameters, startTime: Date().timeIntervalSince1970, endTime: nil,
            state: "RUNNING", cells: [], error: nil))
    }

    /// The store's directory (for the lakehouse database, cache and checkpoints).
    public var storeDirectory: URL { store.directory }

    // MARK: Parameters

    /// A parameter's value; a missing one is an error that names the task and the parameter.
    public func parameter(_ name: String) throws -> String {
        guard let value = parameters[name] else {
            throw StepError.missingParameter(task: taskKey, name: name, available: parameters.keys.sorted())
        }
        return value
    }

    /// A parameter parsed as an integer.
    public func intParameter(_ name: String) throws -> Int {
        let text = try parameter(name)
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw badParameter(name, value: text, expected: "a whole number")
        }
        return value
    }

    /// A parameter parsed as a number.
    public func doubleParameter(_ name: String) throws -> Double {
        let text = try parameter(name)
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)) else {
            throw badParameter(name, value: text, expected: "a number")
        }
        return value
    }

    /// The error for a parameter whose value the step cannot use, naming the job parameter it
    /// came from when there is one (that is what `--param` sets).
    public func badParameter(_ name: String, value: String, expected: String) -> StepError {
        if let origin = jobParameterOrigins[name] {
            return .badJobParameter(task: taskKey, name: name, jobParameter: origin, value: value, expected: expected)
        }
        return .badParameter(task: taskKey, name: name, value: value, expected: expected)
    }

    /// Task parameters set to exactly one `{{job.parameters.NAME}}`, with that NAME.
    static func jobParameterOrigins(_ baseParameters: [(name: String, value: String)]) -> [String: String] {
        var origins: [String: String] = [:]
        for (name, value) in baseParameters {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            let references = DynamicReference.scan(trimmed)
            guard references.count == 1, case let .jobParameter(job)? = references[0].reference,
                  trimmed == "{{" + references[0].raw + "}}" else { continue }
            origins[name] = job
        }
        return origins
    }

    // MARK: Cells

    /// Runs one named cell: its output, tables and duration go to the transcript; an error it
    /// throws is shown in place and ends the step, the cells before it intact.
    @discardableResult
    public func cell<T>(_ name: String, _ body: (CellWriter) async throws -> T) async throws -> T {
        try Task.checkCancellation()
        let index = recorder.beginCell(name)
        observer.handle(.cellStarted(taskKey: taskKey, index: index, name: name))
        let writer = CellWriter(context: self, index: index)
        let start = ContinuousClock.now
        do {
            let result = try await body(writer)
            let duration = (ContinuousClock.now - start).seconds
            recorder.endCell(index, state: .success, duration: duration, error: nil)
            observer.handle(.cellFinished(taskKey: taskKey, index: index, name: name, state: .success, duration: duration))
            return result
        } catch {
            let duration = (ContinuousClock.now - start).seconds
            let canceled = error is CancellationError || Task.isCancelled
            let state: CellRecord.State = canceled ? .canceled : .failed
            recorder.endCell(index, state: state, duration: duration, error: canceled ? "cancelled" : String(describing: error))
            observer.handle(.cellFinished(taskKey: taskKey, index: index, name: name, state: state, duration: duration))
            throw error
        }
    }

    /// Reports how far a long operation is (for example a download's bytes, rate and time
    /// left). The live view shows the latest report beside the task; it is not kept in the
    /// transcript, and nothing is shown when the output is not a terminal.
    public func reportProgress(_ text: String) {
        observer.handle(.progress(taskKey: taskKey, text: text))
    }

    // MARK: Tracking

    /// Logs a parameter of this attempt's run (immutable once set).
    public func logParam(_ key: String, _ value: String) throws {
        try store.logParam(runID: trackingRunID, key: key, value: value)
    }

    /// Logs several parameters in one transaction.
    public func logParams(_ params: [String: String]) throws {
        try store.logBatch(runID: trackingRunID, params: params)
    }

    /// Logs a metric of this attempt's run.
    public func logMetric(_ key: String, _ value: Double, step: Int = 0) throws {
        try store.logMetric(runID: trackingRunID, key: key, value: value, step: step)
    }

    /// Logs several metrics (step 0) in one transaction.
    public func logMetrics(_ metrics: [String: Double]) throws {
        let now = Date()
        try store.logBatch(runID: trackingRunID, metrics: metrics.sorted { $0.key < $1.key }.map { Metric(key: $0.key, value: $0.value, step: 0, timestamp: now) })
    }

    /// Copies a file into this run's artifacts.
    @discardableResult
    public func logArtifact(_ file: URL, as artifactPath: String) throws -> Artifact {
        try store.logArtifact(runID: trackingRunID, file: file, artifactPath: artifactPath)
    }

    /// Writes bytes as an artifact of this run.
    @discardableResult
    public func writeArtifact(_ data: Data, as artifactPath: String) throws -> Artifact {
        try store.writeArtifact(runID: trackingRunID, data: data, artifactPath: artifactPath)
    }

    // MARK: Task values

    /// Sets a task value (JSON, at most 48 KiB) that downstream tasks read by this task's key.
    public func setTaskValue(_ name: String, _ value: JSONValue) throws {
        try store.setTaskValue(jobRunID: jobRunID, taskKey: taskKey, name: name, json: value.jsonText)
    }

    /// Sets a string task value.
    public func setTaskValue(_ name: String, _ value: String) throws {
        try setTaskValue(name, JSONValue.string(value))
    }

    /// Reads a value an upstream task set, or nil when it set none.
    public func taskValue(task upstreamKey: String, name: String) throws -> JSONValue? {
        let runID = valueSources[upstreamKey] ?? jobRunID
        guard let text = try store.taskValue(jobRunID: runID, taskKey: upstreamKey, name: name) else { return nil }
        return try JSONValue.parse(Data(text.utf8))
    }

    /// The job run an upstream task's values come from (this run, or an earlier one for reruns of single tasks).
    public func valueSource(of upstreamKey: String) -> Int64 { valueSources[upstreamKey] ?? jobRunID }
}

/// Where a cell writes its output.
public struct CellWriter: Sendable {
    let context: StepContext
    let index: Int

    /// Prints a line (or several) into the cell's output.
    public func print(_ text: String) {
        context.recorder.append(index, text: text)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            context.observer.handle(.output(taskKey: context.taskKey, line: String(line)))
        }
    }

    /// Shows a small table in the cell's output.
    public func table(_ title: String? = nil, headers: [String], rows: [[String]]) {
        context.recorder.appendTable(index, title: title, headers: headers, rows: rows)
    }
}

/// Errors a step raises about its own inputs.
public enum StepError: Error, CustomStringConvertible, Sendable {
    case missingParameter(task: String, name: String, available: [String])
    case badParameter(task: String, name: String, value: String, expected: String)
    /// A task parameter set from a job parameter (`{{job.parameters.NAME}}`) has a value the
    /// step cannot use.
    case badJobParameter(task: String, name: String, jobParameter: String, value: String, expected: String)
    case missingTaskValue(task: String, upstream: String, name: String, jobRunID: Int64)
    case failed(String)

    public var description: String {
        switch self {
        case let .missingParameter(task, name, available):
            return "task '\(task)' needs parameter '\(name)', which its notebook_task.base_parameters do not set (it has: \(available.joined(separator: ", "))). Add it to the manifest."
        case let .badParameter(task, name, value, expected):
            return "task '\(task)': parameter '\(name)' is '\(value)', expected \(expected). Fix it in the manifest or with --param."
        case let .badJobParameter(task, name, jobParameter, value, expected):
            return "task '\(task)': parameter '\(name)' is '\(value)' (the job parameter \(jobParameter)), expected \(expected). "
                + "Fix it with --param \(jobParameter)=VALUE, or its default in the manifest."
        case let .missingTaskValue(task, upstream, name, jobRunID):
            return "task '\(task)' reads task value '\(name)' of '\(upstream)', which job run \(jobRunID) did not set. Rerun '\(upstream)' or check that it sets the value."
        case let .failed(message):
            return message
        }
    }
}

/// Collects a transcript from concurrent writers.
final class TranscriptRecorder: Sendable {
    static let maxLinesPerCell = 5_000
    private let state: Mutex<(transcript: Transcript, lines: [Int: Int])>

    init(transcript: Transcript) { state = Mutex((transcript, [:])) }

    var transcript: Transcript { state.withLock { $0.transcript } }

    func beginCell(_ name: String) -> Int {
        state.withLock { state in
            let index = state.transcript.cells.count + 1
            state.transcript.cells.append(CellRecord(index: index, name: name, state: .running, startTime: Date().timeIntervalSince1970, duration: nil, outputs: [], error: nil, droppedLines: 0))
            return index
        }
    }

    func endCell(_ index: Int, state cellState: CellRecord.State, duration: Double, error: String?) {
        state.withLock { state in
            guard index - 1 < state.transcript.cells.count else { return }
            state.transcript.cells[index - 1].state = cellState
            state.transcript.cells[index - 1].duration = duration
            state.transcript.cells[index - 1].error = error
        }
    }

    func append(_ index: Int, text: String) {
        state.withLock { state in
            guard index - 1 < state.transcript.cells.count else { return }
            let count = text.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
            let used = state.lines[index, default: 0]
            if used + count > Self.maxLinesPerCell {
                state.transcript.cells[index - 1].droppedLines += count
                return
            }
            state.lines[index] = used + count
            // Consecutive prints join into one block, as a notebook shows them.
            if case .text(let previous)? = state.transcript.cells[index - 1].outputs.last {
                state.transcript.cells[index - 1].outputs[state.transcript.cells[index - 1].outputs.count - 1] = .text(previous + "\n" + text)
            } else {
                state.transcript.cells[index - 1].outputs.append(.text(text))
            }
        }
    }

    func appendTable(_ index: Int, title: String?, headers: [String], rows: [[String]]) {
        state.withLock { state in
            guard index - 1 < state.transcript.cells.count else { return }
            state.transcript.cells[index - 1].outputs.append(.table(title: title, headers: headers, rows: rows))
        }
    }

    func finish(state resultState: String, error: String?) -> Transcript {
        state.withLock { state in
            state.transcript.endTime = Date().timeIntervalSince1970
            state.transcript.state = resultState
            state.transcript.error = error
            for i in state.transcript.cells.indices where state.transcript.cells[i].state == .running {
                state.transcript.cells[i].state = .canceled
                state.transcript.cells[i].error = state.transcript.cells[i].error ?? "stopped: \(resultState.lowercased())"
            }
            return state.transcript
        }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double {
        self / .seconds(1)
    }
}
