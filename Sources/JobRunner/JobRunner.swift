import Foundation
import Tracking

/// Runs jobs: tasks in dependency order (independent ones at once), with run-if conditions,
/// retries, timeouts, cancellation, task values, reruns of selected tasks and repairs. Every
/// state change is written to the store as it happens, so that another process (or the
/// next run, after a crash) sees the truth.
public final class JobRunner: Sendable {
    public let store: TrackingStore
    public let steps: StepRegistry
    let observer: any JobRunObserver

    public init(store: TrackingStore, steps: StepRegistry, observer: any JobRunObserver = SilentObserver()) {
        self.store = store
        self.steps = steps
        self.observer = observer
    }

    // MARK: Entry points

    /// Runs a job (or the selected tasks of it). Throws before anything starts when the request
    /// cannot run (``RunRequestError``, ``JobRunStoreError``); once started, the outcome says
    /// how it ended.
    public func run(_ request: RunRequest) async throws -> JobRunOutcome {
        let manifest = request.manifest
        let parameters = try Self.resolveJobParameters(manifest, overrides: request.parameterOverrides)
        let graph = TaskGraph(tasks: manifest.tasks)
        guard let order = graph.topologicalOrder() else {
            throw StepError.failed("the manifest's tasks form a cycle")
        }
        let known = manifest.tasks.map(\.taskKey)
        let selected: Set<String>
        switch request.selection {
        case .all:
            selected = Set(known)
        case .tasks(let keys):
            for key in keys where manifest.task(key) == nil {
                throw RunRequestError.unknownTask(key: key, job: manifest.name, known: known)
            }
            selected = Set(keys)
        case .from(let key):
            guard manifest.task(key) != nil else {
                throw RunRequestError.unknownTask(key: key, job: manifest.name, known: known)
            }
            selected = graph.descendants(of: key).union([key])
        }
        // Upstream tasks that do not run now lend their values from their latest success.
        var valueSources: [String: Int64] = [:]
        var prefilled: [String: ResultState] = [:]
        for key in order where selected.contains(key) {
            for upstream in graph.ancestors(of: key) where !selected.contains(upstream) && valueSources[upstream] == nil {
                guard let previous = try store.latestSuccessfulTaskRun(jobName: manifest.name, taskKey: upstream) else {
                    throw RunRequestError.noSuccessfulUpstream(task: key, upstream: upstream)
                }
                valueSources[upstream] = previous.jobRunID
                prefilled[upstream] = .success
            }
        }
        for notice in Self.notices(manifest) { observer.handle(.notice(notice)) }
        let experiment = try store.getOrCreateExperiment(named: manifest.name)
        let jobRun = try store.beginJobRun(
            jobName: manifest.name, manifestPath: URL(fileURLWithPath: manifest.sourcePath).standardizedFileURL.path, manifestJSON: manifest.sourceText,
            parameters: parameters, experimentID: experiment.id, maxConcurrentRuns: manifest.maxConcurrentRuns,
            runType: request.selection == .all ? "JOB_RUN" : "SUBMIT_RUN")
        let plan = ExecutionPlan(
            manifest: manifest, jobRunID: jobRun.runID, repairID: nil, experimentID: experiment.id,
            order: order.filter(selected.contains), prefilled: prefilled, valueSources: valueSources,
            jobParameters: parameters, firstAttempt: [:], startTime: jobRun.startTime)
        return await execute(plan)
    }

    /// Reruns the failed, cancelled and timed-out tasks of a run and everything downstream of
    /// them, with the manifest and parameters the run used, recorded as a repair of that run.
    public func repair(jobRunID: Int64) async throws -> JobRunOutcome {
        let original = try store.jobRun(id: jobRunID)
        let manifest: JobManifest
        do {
            manifest = try JobManifest.parse(Data(original.manifestJSON.utf8), path: original.manifestPath, knownSteps: steps.names)
        } catch {
            throw RunRequestError.storedManifestUnreadable(jobRunID: jobRunID, reason: "\(error)")
        }
        let graph = TaskGraph(tasks: manifest.tasks)
        guard let order = graph.topologicalOrder() else { throw StepError.failed("the manifest's tasks form a cycle") }
        let attempts = try store.taskRuns(jobRunID: jobRunID)
        var latest: [String: TaskRunRecord] = [:]
        var nextAttempt: [String: Int] = [:]
        for attempt in attempts {
            latest[attempt.taskKey] = attempt
            nextAttempt[attempt.taskKey] = max(nextAttempt[attempt.taskKey] ?? 0, attempt.attempt + 1)
        }
        // A task of a SUBMIT_RUN that was not selected has no attempt and nothing to repair.
        let ranTasks = original.runType == "JOB_RUN" ? Set(manifest.tasks.map(\.taskKey)) : Set(latest.keys)
        var toRerun: Set<String> = []
        for key in ranTasks {
            let result = latest[key]?.resultState
            if result == nil || result?.needsRepair == true { toRerun.insert(key) }
        }
        for key in toRerun { toRerun.formUnion(graph.descendants(of: key).intersection(ranTasks)) }
        guard !toRerun.isEmpty else {
            throw RunRequestError.nothingToRepair(jobRunID: jobRunID, state: "every task of it succeeded or was excluded")
        }
        var prefilled: [String: ResultState] = [:]
        for key in order where !toRerun.contains(key) {
            if let result = latest[key]?.resultState {
                prefilled[key] = result
            } else if !ranTasks.contains(key) {
                // Upstream of a single-task run: its values came from an earlier run, as then.
                prefilled[key] = .success
            }
        }
        var valueSources: [String: Int64] = [:]
        if original.runType != "JOB_RUN" {
            for key in toRerun {
                for upstream in graph.ancestors(of: key) where !ranTasks.contains(upstream) && valueSources[upstream] == nil {
                    if let previous = try store.latestSuccessfulTaskRun(jobName: manifest.name, taskKey: upstream) {
                        valueSources[upstream] = previous.jobRunID
                    }
                }
            }
        }
        let rerunOrder = order.filter(toRerun.contains)
        let (jobRun, repair) = try store.beginRepair(jobRunID: jobRunID, taskKeys: rerunOrder)
        let plan = ExecutionPlan(
            manifest: manifest, jobRunID: jobRunID, repairID: repair.repairID,
            experimentID: try jobRun.experimentID ?? store.getOrCreateExperiment(named: manifest.name).id,
            order: rerunOrder, prefilled: prefilled, valueSources: valueSources, jobParameters: original.parameters,
            firstAttempt: nextAttempt, startTime: repair.startTime)
        return await execute(plan)
    }

    /// Job parameters: defaults, then `--param` overrides; an unknown name is refused.
    public static func resolveJobParameters(_ manifest: JobManifest, overrides: [String: String]) throws -> [String: String] {
        var values = manifest.parameterDefaults
        for (name, value) in overrides {
            guard values[name] != nil else {
                throw RunRequestError.unknownParameter(name: name, job: manifest.name, known: manifest.parameters.map(\.name))
            }
            values[name] = value
        }
        return values
    }

    static func notices(_ manifest: JobManifest) -> [String] {
        guard !manifest.ignoredKeys.isEmpty else { return [] }
        return ["\(manifest.sourcePath): ignoring keys runme does not use: \(manifest.ignoredKeys.joined(separator: ", "))"]
    }

    // MARK: Execution

    struct ExecutionPlan: Sendable {
        var manifest: JobManifest
        var jobRunID: Int64
        var repairID: Int64?
        var experimentID: Int64
        /// The tasks to run, in dependency order.
        var order: [String]
        /// Results of tasks that do not run now (earlier results, or lent upstream successes).
        var prefilled: [String: ResultState]
        var valueSources: [String: Int64]
        var jobParameters: [String: String]
        var firstAttempt: [String: Int]
        var startTime: Double
    }

    private func execute(_ plan: ExecutionPlan) async -> JobRunOutcome {
        observer.handle(.runStarted(jobRunID: plan.jobRunID, jobName: plan.manifest.name, tasks: plan.order, repairID: plan.repairID))
        let control = RunControl()
        let limit = plan.manifest.timeoutSeconds.map { Duration.seconds($0) }
        let deadlineOutcome = await runWithDeadline(limit, onTimeout: { control.stop(.jobTimedOut) }) { [self] in
            await self.schedule(plan, control: control)
        }
        var results: [String: ResultState]
        switch deadlineOutcome {
        case .finished(.success(let finished)):
            results = finished
        case .finished(.failure), .timedOut:
            control.stop(.jobTimedOut)
            results = plan.prefilled
        }
        // The scheduler records every task; after a job timeout, read what it recorded.
        if case .timedOut = deadlineOutcome {
            results = (try? latestResults(plan)) ?? results
        }
        let canceled = Task.isCancelled
        // A repair reports on every task of the run; a run of selected tasks on those it ran.
        let reported = plan.manifest.tasks.map(\.taskKey).filter { plan.repairID != nil ? results[$0] != nil : plan.order.contains($0) }
        var (result, message) = Self.jobResult(results: results, order: reported, timedOut: control.stopReason == .jobTimedOut, canceled: canceled)
        if control.stopReason == .jobTimedOut, let seconds = plan.manifest.timeoutSeconds {
            message = "the job exceeded its timeout_seconds (\(seconds) s); " + message
        }
        do {
            try store.finishJobRun(plan.jobRunID, lifeCycle: .terminated, result: result, message: message, repairID: plan.repairID)
        } catch {
            message += " (recording the end of the run failed: \(error))"
        }
        observer.handle(.runFinished(jobRunID: plan.jobRunID, lifeCycle: .terminated, result: result, message: message))
        return JobRunOutcome(jobRunID: plan.jobRunID, repairID: plan.repairID, lifeCycle: .terminated, result: result, message: message, taskResults: results)
    }

    private func latestResults(_ plan: ExecutionPlan) throws -> [String: ResultState] {
        var results = plan.prefilled
        for attempt in try store.taskRuns(jobRunID: plan.jobRunID) where plan.order.contains(attempt.taskKey) {
            if let result = attempt.resultState { results[attempt.taskKey] = result }
        }
        return results
    }

    /// Starts every task whose dependencies have ended, as soon as they have.
    private func schedule(_ plan: ExecutionPlan, control: RunControl) async -> [String: ResultState] {
        var results = plan.prefilled
        var waiting = plan.order
        await withTaskGroup(of: (String, ResultState).self) { group in
            var running = 0
            while true {
                // Launch (or skip) whatever is ready; skipping one may make others ready.
                var progressed = true
                while progressed {
                    progressed = false
                    for key in waiting {
                        guard let spec = plan.manifest.task(key) else { continue }
                        let dependencyResults = spec.dependsOn.compactMap { results[$0] }
                        guard dependencyResults.count == spec.dependsOn.count else { continue }
                        waiting.removeAll { $0 == key }
                        progressed = true
                        if Task.isCancelled || control.stopReason != nil {
                            let reason = control.stopReason == .jobTimedOut ? "the job timed out before this task started" : "the run was cancelled before this task started"
                            results[key] = .canceled
                            recordSkipped(spec, plan: plan, result: .canceled, message: reason)
                        } else if let skip = spec.runIf.decide(dependencies: dependencyResults) {
                            results[key] = skip
                            let message = "run_if \(spec.runIf.rawValue) not met: " + spec.dependsOn.map { "\($0) \(results[$0]?.rawValue ?? "?")" }.joined(separator: ", ")
                            recordSkipped(spec, plan: plan, result: skip, message: message)
                        } else {
                            running += 1
                            group.addTask { [self] in
                                (key, await self.executeTask(spec, plan: plan, control: control))
                            }
                        }
                        break
                    }
                }
                guard running > 0, let (key, result) = await group.next() else { break }
                running -= 1
                results[key] = result
            }
        }
        return results
    }

    private func recordSkipped(_ spec: TaskSpec, plan: ExecutionPlan, result: ResultState, message: String) {
        let now = Date().timeIntervalSince1970
        let record = TaskRunRecord(
            taskRunID: 0, jobRunID: plan.jobRunID, taskKey: spec.taskKey, notebookPath: spec.notebookPath,
            attempt: plan.firstAttempt[spec.taskKey] ?? 0, repairID: plan.repairID, lifeCycleState: .skipped,
            resultState: result, stateMessage: message, parameters: [:], trackingRunID: nil, startTime: now, endTime: now)
        _ = try? store.insertTaskRun(record)
        observer.handle(.taskState(taskKey: spec.taskKey, attempt: record.attempt, lifeCycle: .skipped, result: result, message: message))
    }

    /// One task, with its retries.
    private func executeTask(_ spec: TaskSpec, plan: ExecutionPlan, control: RunControl) async -> ResultState {
        var attempt = plan.firstAttempt[spec.taskKey] ?? 0
        var retriesLeft = spec.maxRetries
        while true {
            let result = await executeAttempt(spec, attempt: attempt, plan: plan, control: control)
            let retryable = result == .failed || (result == .timedOut && spec.retryOnTimeout)
            guard retryable, retriesLeft != 0, !Task.isCancelled, control.stopReason == nil else { return result }
            if retriesLeft > 0 { retriesLeft -= 1 }
            let wait = Double(spec.minRetryIntervalMillis) / 1000
            observer.handle(.taskState(taskKey: spec.taskKey, attempt: attempt + 1, lifeCycle: .pending, result: nil,
                                       message: String(format: "retrying after %@ (attempt %d) in %.1f s", result.rawValue, attempt + 1, wait)))
            do {
                try await Task.sleep(for: .milliseconds(spec.minRetryIntervalMillis))
            } catch {
                return result
            }
            attempt += 1
        }
    }

    /// One attempt of a task: a tracking run, the step's cells under the task's timeout, the
    /// transcript saved as artifacts, and the outcome recorded.
    private func executeAttempt(_ spec: TaskSpec, attempt: Int, plan: ExecutionPlan, control: RunControl) async -> ResultState {
        let key = spec.taskKey
        let startTime = Date().timeIntervalSince1970
        var record = TaskRunRecord(
            taskRunID: 0, jobRunID: plan.jobRunID, taskKey: key, notebookPath: spec.notebookPath, attempt: attempt,
            repairID: plan.repairID, lifeCycleState: .running, resultState: nil, stateMessage: "", parameters: [:],
            trackingRunID: nil, startTime: startTime, endTime: nil)
        let context: StepContext
        let parameters: [String: String]
        let parameterError: (any Error)?
        do {
            let tracking = try store.createRun(
                experimentID: plan.experimentID, name: "\(key) (run \(plan.jobRunID), attempt \(attempt))", parentRunID: nil,
                jobRunID: plan.jobRunID, taskKey: key,
                tags: ["runme.job_run_id": String(plan.jobRunID), "runme.task_key": key, "runme.attempt": String(attempt),
                       "runme.step": spec.notebookPath, "runme.repair_id": plan.repairID.map(String.init) ?? ""])
            record.trackingRunID = tracking.runID
            do {
                parameters = try resolveTaskParameters(spec, plan: plan)
                parameterError = nil
            } catch {
                parameters = Dictionary(spec.baseParameters.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
                parameterError = error
            }
            record.parameters = parameters
            record = try store.insertTaskRun(record)
            try store.clearTaskValues(jobRunID: plan.jobRunID, taskKey: key)
            if parameterError == nil, !parameters.isEmpty {
                // The task run keeps every value whole; a tracking param holds at most
                // TrackingLimits.maxParamValueLength characters, as in MLflow.
                try store.logBatch(runID: tracking.runID, params: parameters.mapValues { Self.paramText($0) })
            }
            context = StepContext(
                jobName: plan.manifest.name, jobRunID: plan.jobRunID, taskKey: key, stepName: spec.notebookPath,
                title: steps[spec.notebookPath]?.title ?? spec.notebookPath, attempt: attempt, parameters: parameters,
                jobParameterOrigins: StepContext.jobParameterOrigins(spec.baseParameters),
                store: store, trackingRunID: tracking.runID, valueSources: plan.valueSources, observer: observer)
        } catch {
            record.lifeCycleState = .internalError
            record.resultState = .failed
            record.stateMessage = "could not start the task: \(error)"
            record.endTime = Date().timeIntervalSince1970
            if record.taskRunID == 0 { _ = try? store.insertTaskRun(record) } else { try? store.updateTaskRun(record) }
            observer.handle(.taskState(taskKey: key, attempt: attempt, lifeCycle: .internalError, result: .failed, message: record.stateMessage))
            return .failed
        }
        observer.handle(.taskState(taskKey: key, attempt: attempt, lifeCycle: .running, result: nil, message: ""))

        let result: ResultState
        var message = ""
        var outsideCellError: String?
        if let parameterError {
            result = .failed
            message = "\(parameterError)"
            outsideCellError = message
        } else if let step = steps[spec.notebookPath] {
            let limit = spec.timeoutSeconds.map { Duration.seconds($0) }
            let outcome = await runWithDeadline(limit) { try await step.body(context) }
            switch outcome {
            case .timedOut:
                result = .timedOut
                message = "timed out after \(spec.timeoutSeconds ?? 0) s (timeout_seconds)"
            case .finished(.success):
                result = .success
            case .finished(.failure(let error)):
                if control.stopReason == .jobTimedOut {
                    result = .timedOut
                    message = "stopped: the job exceeded its timeout_seconds"
                } else if error is CancellationError || Task.isCancelled {
                    result = .canceled
                    message = "cancelled"
                } else {
                    result = .failed
                    message = "\(error)"
                    // An error raised between cells has no cell to show it in.
                    if !context.recorder.transcript.cells.contains(where: { $0.error != nil }) { outsideCellError = message }
                }
            }
        } else {
            result = .failed
            message = "this runme has no step named \(spec.notebookPath)"
            outsideCellError = message
        }

        let transcript = context.recorder.finish(state: result.rawValue, error: outsideCellError)
        do {
            try saveTranscript(transcript, runID: context.trackingRunID)
        } catch {
            message += (message.isEmpty ? "" : "; ") + "saving the transcript failed: \(error)"
        }
        do {
            try store.endRun(context.trackingRunID, status: result == .success ? .finished : (result == .canceled ? .killed : .failed))
        } catch {
            message += (message.isEmpty ? "" : "; ") + "ending the tracking run failed: \(error)"
        }
        record.lifeCycleState = .terminated
        record.resultState = result
        record.stateMessage = message
        record.endTime = Date().timeIntervalSince1970
        do {
            try store.updateTaskRun(record)
        } catch {
            observer.handle(.notice("could not record the end of task \(key): \(error)"))
        }
        observer.handle(.taskState(taskKey: key, attempt: attempt, lifeCycle: .terminated, result: result, message: message))
        return result
    }

    static func paramText(_ value: String) -> String {
        let limit = TrackingLimits.maxParamValueLength
        return value.count <= limit ? value : String(value.prefix(limit - 1)) + "…"
    }

    /// Transcript artifacts: Markdown, a self-contained HTML page, and JSON for reports.
    private func saveTranscript(_ transcript: Transcript, runID: String) throws {
        try store.writeArtifact(runID: runID, data: Data(transcript.markdown().utf8), artifactPath: "transcript/transcript.md")
        try store.writeArtifact(runID: runID, data: Data(transcript.html().utf8), artifactPath: "transcript/transcript.html")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try store.writeArtifact(runID: runID, data: try encoder.encode(transcript), artifactPath: "transcript/transcript.json")
    }

    /// Resolves `{{…}}` references in a task's base parameters.
    private func resolveTaskParameters(_ spec: TaskSpec, plan: ExecutionPlan) throws -> [String: String] {
        var resolved: [String: String] = [:]
        let start = Date(timeIntervalSince1970: plan.startTime)
        for (name, value) in spec.baseParameters {
            resolved[name] = try DynamicReference.substitute(value) { reference in
                switch reference {
                case .jobParameter(let parameter):
                    guard let value = plan.jobParameters[parameter] else {
                        throw StepError.failed("task '\(spec.taskKey)': parameter '\(name)' refers to job parameter '\(parameter)', which is not set")
                    }
                    return value
                case .jobRunID: return String(plan.jobRunID)
                case .jobName: return plan.manifest.name
                case .jobStartDate:
                    return ISO8601DateFormatter.string(from: start, timeZone: TimeZone(identifier: "UTC") ?? .current, formatOptions: [.withFullDate])
                case .jobStartDateTime:
                    return ISO8601DateFormatter.string(from: start, timeZone: TimeZone(identifier: "UTC") ?? .current, formatOptions: [.withInternetDateTime])
                case .taskName: return spec.taskKey
                case .taskRunID: return String(plan.jobRunID) + "." + spec.taskKey
                case let .taskValue(upstream, valueName):
                    let source = plan.valueSources[upstream] ?? plan.jobRunID
                    guard let text = try store.taskValue(jobRunID: source, taskKey: upstream, name: valueName) else {
                        throw StepError.missingTaskValue(task: spec.taskKey, upstream: upstream, name: valueName, jobRunID: source)
                    }
                    return (try? JSONValue.parse(Data(text.utf8)))?.substitutionText ?? text
                }
            }
        }
        return resolved
    }

    /// The job's result from its tasks' results: failed if any task failed or timed out,
    /// cancelled if the user stopped it, timed out if the job's own limit passed.
    static func jobResult(results: [String: ResultState], order: [String], timedOut: Bool, canceled: Bool) -> (ResultState, String) {
        let failing = order.filter { [.failed, .timedOut, .upstreamFailed].contains(results[$0]) }
        let stopped = order.filter { [.canceled, .upstreamCanceled].contains(results[$0]) }
        let done = order.filter { results[$0] == .success }.count
        let summary = "\(done) of \(order.count) tasks succeeded"
        if timedOut { return (.timedOut, summary) }
        if canceled { return (.canceled, "cancelled by the user; " + summary) }
        if !failing.isEmpty {
            return (.failed, summary + "; not successful: " + failing.map { "\($0) \(results[$0]?.rawValue ?? "")" }.joined(separator: ", "))
        }
        if !stopped.isEmpty { return (.canceled, summary + "; cancelled: " + stopped.joined(separator: ", ")) }
        return (.success, summary)
    }
}
