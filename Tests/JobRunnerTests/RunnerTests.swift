import Foundation
import JobRunner
import TestSupport
import Testing
import Tracking

@Suite struct RunnerTests {
    let directory: TemporaryDirectory
    let store: TrackingStore

    init() throws {
        directory = try TemporaryDirectory("runner")
        store = try TrackingStore.open(at: directory.url)
    }

    func run(_ builder: TestManifest, selection: RunRequest.Selection = .all, overrides: [String: String] = [:], observer: any JobRunObserver = SilentObserver()) async throws -> JobRunOutcome {
        let runner = JobRunner(store: store, steps: testSteps, observer: observer)
        return try await runner.run(RunRequest(manifest: try builder.manifest(), parameterOverrides: overrides, selection: selection))
    }

    @Test func runsTasksInDependencyOrder() async throws {
        var builder = TestManifest()
        builder.task("d", dependsOn: ["b", "c"])
        builder.task("b", dependsOn: ["a"], params: ["sleep": "0.2"])
        builder.task("c", dependsOn: ["a"], params: ["sleep": "0.1"])
        builder.task("a", params: ["sleep": "0.05"])
        let outcome = try await run(builder)
        #expect(outcome.result == .success)
        let tasks = try latestAttempts(store, outcome.jobRunID)
        #expect(Set(tasks.keys) == ["a", "b", "c", "d"])
        for (key, task) in tasks {
            #expect(task.resultState == .success, "\(key)")
            for dependency in try builder.manifest().task(key)?.dependsOn ?? [] {
                let upstream = try #require(tasks[dependency])
                #expect((upstream.endTime ?? .infinity) <= (task.startTime ?? 0), "\(key) started before \(dependency) ended")
            }
        }
        // b and c are independent: they ran at the same time.
        let b = try #require(tasks["b"]), c = try #require(tasks["c"])
        #expect((b.startTime ?? 0) < (c.endTime ?? 0) && (c.startTime ?? 0) < (b.endTime ?? 0))
        let run = try store.jobRun(id: outcome.jobRunID)
        #expect(run.lifeCycleState == .terminated && run.resultState == .success)
        #expect(run.parameters == ["greeting": "hello"])
    }

    @Test func failureStopsDependentsAndRunIfDecides() async throws {
        var builder = TestManifest()
        builder.task("a")
        builder.task("boom", dependsOn: ["a"], params: ["fail": "true"])
        builder.task("after_success", dependsOn: ["boom"])
        builder.task("cleanup", dependsOn: ["boom"], extra: ["run_if": "ALL_DONE"])
        builder.task("on_failure", dependsOn: ["boom"], extra: ["run_if": "AT_LEAST_ONE_FAILED"])
        builder.task("only_if_all_failed", dependsOn: ["a", "boom"], extra: ["run_if": "ALL_FAILED"])
        builder.task("downstream", dependsOn: ["after_success"])
        let outcome = try await run(builder)
        #expect(outcome.result == .failed)
        let tasks = try latestAttempts(store, outcome.jobRunID)
        #expect(tasks["a"]?.resultState == .success)
        #expect(tasks["boom"]?.resultState == .failed)
        #expect(tasks["boom"]?.stateMessage.contains("told to fail") == true)
        #expect(tasks["after_success"]?.resultState == .upstreamFailed)
        #expect(tasks["after_success"]?.lifeCycleState == .skipped)
        #expect(tasks["downstream"]?.resultState == .upstreamFailed)
        #expect(tasks["cleanup"]?.resultState == .success)
        #expect(tasks["on_failure"]?.resultState == .success)
        #expect(tasks["only_if_all_failed"]?.resultState == .excluded)
        #expect(outcome.message.contains("boom FAILED"))
    }

    @Test func retriesWithInterval() async throws {
        var builder = TestManifest()
        builder.task("flaky", params: ["fail_attempts": "2"], extra: ["max_retries": 3, "min_retry_interval_millis": 300])
        builder.task("never", params: ["fail": "true"], extra: ["max_retries": 1])
        let outcome = try await run(builder)
        let attempts = try store.taskRuns(jobRunID: outcome.jobRunID)
        let flaky = attempts.filter { $0.taskKey == "flaky" }
        #expect(flaky.map(\.attempt) == [0, 1, 2])
        #expect(flaky.map(\.resultState) == [.failed, .failed, .success])
        for (earlier, later) in zip(flaky, flaky.dropFirst()) {
            #expect((later.startTime ?? 0) - (earlier.endTime ?? 0) >= 0.29, "retry came sooner than min_retry_interval_millis")
        }
        // Every attempt is its own tracking run.
        #expect(Set(flaky.compactMap(\.trackingRunID)).count == 3)
        let never = attempts.filter { $0.taskKey == "never" }
        #expect(never.map(\.resultState) == [.failed, .failed])
        #expect(outcome.result == .failed)
    }

    @Test func taskTimeoutCancelsTheStep() async throws {
        var builder = TestManifest()
        builder.task("slow", params: ["sleep": "30"], extra: ["timeout_seconds": 1])
        builder.task("next", dependsOn: ["slow"])
        let started = Date()
        let outcome = try await run(builder)
        #expect(Date().timeIntervalSince(started) < 10)
        let tasks = try latestAttempts(store, outcome.jobRunID)
        #expect(tasks["slow"]?.resultState == .timedOut)
        #expect(tasks["slow"]?.stateMessage.contains("timed out after 1 s") == true)
        #expect(tasks["next"]?.resultState == .upstreamFailed)
        #expect(outcome.result == .failed)
        let trackingRun = try store.runInfo(id: try #require(tasks["slow"]?.trackingRunID))
        #expect(trackingRun.status == .failed)
    }

    @Test func retryOnTimeout() async throws {
        var builder = TestManifest()
        builder.task("slow", params: ["sleep": "30"], extra: ["timeout_seconds": 1, "max_retries": 1, "retry_on_timeout": true])
        let outcome = try await run(builder)
        let attempts = try store.taskRuns(jobRunID: outcome.jobRunID)
        #expect(attempts.map(\.resultState) == [.timedOut, .timedOut])
    }

    @Test func jobTimeout() async throws {
        var builder = TestManifest()
        builder.extra = ["timeout_seconds": 1]
        builder.task("slow", params: ["sleep": "30"])
        builder.task("later", dependsOn: ["slow"])
        let outcome = try await run(builder)
        #expect(outcome.result == .timedOut)
        let tasks = try latestAttempts(store, outcome.jobRunID)
        #expect(tasks["slow"]?.resultState == .timedOut)
        #expect(tasks["later"]?.resultState == .canceled)
        #expect(try store.jobRun(id: outcome.jobRunID).stateMessage.contains("timeout_seconds"))
    }

    @Test func cancellationRecordsCanceledAndKeepsTranscript() async throws {
        var builder = TestManifest()
        builder.task("slow", params: ["sleep": "30"])
        builder.task("later", dependsOn: ["slow"])
        let events = EventLog()
        let runner = JobRunner(store: store, steps: testSteps, observer: events)
        let manifest = try builder.manifest()
        let task = Task { try await runner.run(RunRequest(manifest: manifest)) }
        for _ in 0..<200 where !events.started("slow") { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let outcome = try await task.value
        #expect(outcome.result == .canceled)
        let tasks = try latestAttempts(store, outcome.jobRunID)
        #expect(tasks["slow"]?.resultState == .canceled)
        #expect(tasks["later"]?.resultState == .canceled)
        let runID = try #require(tasks["slow"]?.trackingRunID)
        #expect(try store.runInfo(id: runID).status == .killed)
        let transcript = try String(contentsOf: try store.artifactDirectory(runID: runID).appendingPathComponent("transcript/transcript.md"), encoding: .utf8)
        #expect(transcript.contains("**CANCELED**"))
        #expect(transcript.contains("## [1] Start"))
        #expect(!transcript.contains("## [2] Work"))
        #expect(try store.jobRun(id: outcome.jobRunID).resultState == .canceled)
    }

    @Test func transcriptShowsTheFailingCellInPlace() async throws {
        var builder = TestManifest()
        builder.task("boom", params: ["fail": "true"])
        let outcome = try await run(builder)
        let task = try #require(try latestAttempts(store, outcome.jobRunID)["boom"])
        let artifacts = try store.artifactDirectory(runID: try #require(task.trackingRunID))
        let markdown = try String(contentsOf: artifacts.appendingPathComponent("transcript/transcript.md"), encoding: .utf8)
        let html = try String(contentsOf: artifacts.appendingPathComponent("transcript/transcript.html"), encoding: .utf8)
        #expect(markdown.contains("## [1] Start\n\n_SUCCESS"))
        #expect(markdown.contains("task boom attempt 0 starts"))
        #expect(markdown.contains("## [2] Work\n\n_FAILED"))
        #expect(markdown.contains("told to fail"))
        #expect(!markdown.contains("## [3]"))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<section class=\"cell failed\">"))
        let recorded = try store.artifacts(runID: try #require(task.trackingRunID)).map(\.path).sorted()
        #expect(recorded == ["transcript/transcript.html", "transcript/transcript.json", "transcript/transcript.md"])
    }

    @Test func taskValuesFlowDownstreamAndIntoParameters() async throws {
        var builder = TestManifest()
        builder.task("producer", params: ["set": "model_uri=models:/dga/1,threshold=0.5"])
        builder.task("consumer", dependsOn: ["producer"], params: [
            "expect": "producer.model_uri=models:/dga/1", "uri": "{{tasks.producer.values.model_uri}}",
            "run": "{{job.run_id}}", "greeting": "{{job.parameters.greeting}}",
        ])
        let outcome = try await run(builder, overrides: ["greeting": "hi"])
        #expect(outcome.result == .success)
        let consumer = try #require(try latestAttempts(store, outcome.jobRunID)["consumer"])
        #expect(consumer.parameters["uri"] == "models:/dga/1")
        #expect(consumer.parameters["run"] == String(outcome.jobRunID))
        #expect(consumer.parameters["greeting"] == "hi")
        #expect(try store.params(runID: try #require(consumer.trackingRunID))["uri"] == "models:/dga/1")
        let values = try store.taskValues(jobRunID: outcome.jobRunID)
        #expect(values.map(\.name) == ["model_uri", "threshold"])
    }

    @Test func oversizedTaskValueFailsTheTask() async throws {
        var builder = TestManifest()
        builder.task("big", params: ["set": "blob=" + String(repeating: "x", count: 50_000)])
        let outcome = try await run(builder)
        let task = try #require(try latestAttempts(store, outcome.jobRunID)["big"])
        #expect(task.resultState == .failed)
        #expect(task.stateMessage.contains("limited to 49152 bytes"))
    }

    /// A task parameter that is exactly a job parameter names it, as that is what a user sets
    /// with --param; one that only contains a reference is named as the task's own.
    @Test func aBadValueNamesTheJobParameterItCameFrom() async throws {
        var builder = TestManifest()
        builder.task("whole", params: ["count": "{{job.parameters.greeting}}"])
        builder.task("part", params: ["count": "n{{job.parameters.greeting}}"])
        let outcome = try await run(builder, overrides: ["greeting": "abc"])
        #expect(outcome.result == .failed)
        let tasks = try latestAttempts(store, outcome.jobRunID)
        #expect(tasks["whole"]?.stateMessage == "task 'whole': parameter 'count' is 'abc' (the job parameter greeting), expected a whole number. "
            + "Fix it with --param greeting=VALUE, or its default in the manifest.")
        #expect(tasks["part"]?.stateMessage == "task 'part': parameter 'count' is 'nabc', expected a whole number. Fix it in the manifest or with --param.")
    }

    @Test func unknownParameterOverrideIsRefused() async throws {
        var builder = TestManifest()
        builder.task("a")
        await #expect(throws: RunRequestError.self) { try await run(builder, overrides: ["nope": "1"]) }
        #expect(try store.jobRuns().isEmpty)
    }

    @Test func selectedTasksReadUpstreamValuesFromTheLatestSuccess() async throws {
        var builder = TestManifest()
        builder.task("a", params: ["set": "v=first"])
        builder.task("b", dependsOn: ["a"], params: ["expect": "a.v=first", "echo": "{{tasks.a.values.v}}"])
        builder.task("c", dependsOn: ["b"])
        // Nothing upstream has run yet: a rerun of b alone is refused before it starts.
        await #expect(throws: RunRequestError.self) { try await run(builder, selection: .tasks(["b"])) }
        let first = try await run(builder)
        #expect(first.result == .success)
        let rerun = try await run(builder, selection: .tasks(["b"]))
        #expect(rerun.result == .success)
        #expect(rerun.jobRunID != first.jobRunID)
        let attempts = try store.taskRuns(jobRunID: rerun.jobRunID)
        #expect(attempts.map(\.taskKey) == ["b"])
        #expect(attempts.first?.parameters["echo"] == "first")
        #expect(try store.jobRun(id: rerun.jobRunID).runType == "SUBMIT_RUN")

        let fromB = try await run(builder, selection: .from("b"))
        #expect(try store.taskRuns(jobRunID: fromB.jobRunID).map(\.taskKey) == ["b", "c"])
        await #expect(throws: RunRequestError.self) { try await run(builder, selection: .tasks(["zz"])) }
    }

    @Test func repairRerunsFailedTasksAndDependentsInTheSameRun() async throws {
        let flag = directory.file("fail-flag")
        #expect(FileManager.default.createFile(atPath: flag.path, contents: Data()))
        let flagStep = Step(name: "flag_step", title: "fails while a file exists") { context in
            try await context.cell("Check flag") { _ in
                if FileManager.default.fileExists(atPath: context.parameters["flag"] ?? "") { throw StepError.failed("flag is set") }
            }
        }
        let steps = StepRegistry([testStep, flagStep])
        let text = """
            {"name": "repair_job", "tasks": [
              {"task_key": "a", "notebook_task": {"notebook_path": "test_step", "base_parameters": {"set": "v=from-a"}}},
              {"task_key": "b", "depends_on": [{"task_key": "a"}], "notebook_task": {"notebook_path": "flag_step", "base_parameters": {"flag": "\(flag.path)"}}},
              {"task_key": "c", "depends_on": [{"task_key": "b"}], "notebook_task": {"notebook_path": "test_step", "base_parameters": {"expect": "a.v=from-a"}}},
              {"task_key": "side", "notebook_task": {"notebook_path": "test_step"}}]}
            """
        let manifest = try JobManifest.parse(Data(text.utf8), path: "repair.json", knownSteps: steps.names)
        let runner = JobRunner(store: store, steps: steps)
        let first = try await runner.run(RunRequest(manifest: manifest))
        #expect(first.result == .failed)
        #expect(first.taskResults["c"] == .upstreamFailed)
        await #expect(throws: RunRequestError.self) {
            // Nothing to repair in a run that succeeded.
            var ok = TestManifest(); ok.task("x")
            let good = try await JobRunner(store: store, steps: testSteps).run(RunRequest(manifest: try ok.manifest()))
            _ = try await JobRunner(store: store, steps: testSteps).repair(jobRunID: good.jobRunID)
        }
        try FileManager.default.removeItem(at: flag)
        let repaired = try await runner.repair(jobRunID: first.jobRunID)
        #expect(repaired.jobRunID == first.jobRunID)
        #expect(repaired.result == .success)
        #expect(repaired.repairID != nil)
        let attempts = try store.taskRuns(jobRunID: first.jobRunID)
        #expect(attempts.filter { $0.repairID != nil }.map(\.taskKey) == ["b", "c"])
        #expect(attempts.filter { $0.taskKey == "b" }.map(\.attempt) == [0, 1])
        #expect(attempts.filter { $0.taskKey == "a" }.count == 1)
        let run = try store.jobRun(id: first.jobRunID)
        #expect(run.resultState == .success)
        let repairs = try store.repairs(jobRunID: first.jobRunID)
        #expect(repairs.map(\.taskKeys) == [["b", "c"]])
        #expect(repairs.first?.resultState == .success)
    }

    @Test func maxConcurrentRunsHoldsWhileARunIsLive() async throws {
        var builder = TestManifest()
        builder.task("slow", params: ["sleep": "2"])
        let events = EventLog()
        let runner = JobRunner(store: store, steps: testSteps, observer: events)
        let manifest = try builder.manifest()
        let first = Task { try await runner.run(RunRequest(manifest: manifest)) }
        for _ in 0..<200 where !events.started("slow") { try await Task.sleep(for: .milliseconds(10)) }
        do {
            _ = try await runner.run(RunRequest(manifest: manifest))
            Issue.record("a second run started while the first held max_concurrent_runs = 1")
        } catch let error as JobRunStoreError {
            #expect("\(error)".contains("run 1"))
            #expect("\(error)".contains("max_concurrent_runs"))
        }
        #expect(try await first.value.result == .success)
        // Once the first has ended, a new run starts.
        #expect(try await runner.run(RunRequest(manifest: manifest)).result == .success)
    }

    @Test func observerSeesTheStory() async throws {
        var builder = TestManifest()
        builder.task("a")
        let events = EventLog()
        _ = try await run(builder, observer: events)
        let kinds = events.all.map { event -> String in
            switch event {
            case .runStarted: return "runStarted"
            case .taskState(_, _, let lifeCycle, _, _): return "task:\(lifeCycle.rawValue)"
            case .cellFinished(_, _, let name, _, _): return "cell:\(name)"
            case .runFinished: return "runFinished"
            default: return ""
            }
        }.filter { !$0.isEmpty }
        #expect(kinds == ["runStarted", "task:RUNNING", "cell:Start", "cell:Work", "cell:Values", "task:TERMINATED", "runFinished"])
    }
}
