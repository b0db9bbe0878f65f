import Foundation
import JobRunner
import TestSupport
import Testing

@Suite struct ManifestTests {
    func errors(_ text: String, steps: Set<String> = ["test_step"]) -> [ManifestError] {
        do {
            _ = try JobManifest.parse(Data(text.utf8), path: "job.json", knownSteps: steps)
            return []
        } catch let error as ManifestErrors {
            return error.errors
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    @Test func theProjectManifestParses() throws {
        let manifest = try JobManifest.load(path: TestPaths.jobManifest.path, knownSteps: ["01_DNS_Analytics_ETL", "02_DNS_Analytics_AutoML", "03_DNS_Analytics_Scoring", "04_DNS_Analytics_Alerts"])
        #expect(manifest.name == "dns_analytics")
        #expect(manifest.tasks.map(\.taskKey) == ["01_etl", "02_automl", "03_scoring", "04_alerts"])
        #expect(manifest.task("02_automl")?.dependsOn == ["01_etl"])
        #expect(manifest.maxConcurrentRuns == 1)
        #expect(manifest.ignoredKeys.contains("$.job_clusters"))
        #expect(manifest.ignoredKeys.contains("$.tags"))
        #expect(manifest.ignoredKeys.contains("$.tasks[0].job_cluster_key"))
        #expect(manifest.task("01_etl")?.maxRetries == 1)
        #expect(manifest.task("01_etl")?.minRetryIntervalMillis == 2000)
    }

    @Test func fieldsAndDefaults() throws {
        var builder = TestManifest()
        builder.task("a", params: ["x": "{{job.parameters.greeting}}"], extra: ["timeout_seconds": 30, "max_retries": 2, "min_retry_interval_millis": 100, "retry_on_timeout": true])
        builder.task("b", dependsOn: ["a"], extra: ["run_if": "ALL_DONE"])
        builder.extra = ["timeout_seconds": 600, "max_concurrent_runs": 3]
        let manifest = try builder.manifest()
        #expect(manifest.timeoutSeconds == 600)
        #expect(manifest.maxConcurrentRuns == 3)
        let a = try #require(manifest.task("a"))
        #expect(a.timeoutSeconds == 30 && a.maxRetries == 2 && a.minRetryIntervalMillis == 100 && a.retryOnTimeout)
        #expect(a.runIf == .allSuccess)
        #expect(manifest.task("b")?.runIf == .allDone)
        #expect(manifest.parameterDefaults == ["greeting": "hello"])
    }

    @Test func invalidJSONNamesWhere() {
        let found = errors("{\n  \"name\": \"x\",\n  \"tasks\": [ }\n")
        #expect(found.count == 1)
        #expect(found.first?.jsonPath == "$")
        #expect(found.first?.problem.contains("invalid JSON") == true)
        #expect(found.first?.description.hasPrefix("job.json: $: invalid JSON") == true)
    }

    /// The default manifest path is relative: from another folder, the error says where it
    /// looked and what to do, in one sentence each (no doubled period from the system's text).
    @Test func aMissingManifestSaysWhereItLookedAndWhatToDo() throws {
        let directory = try TemporaryDirectory("manifest-missing")
        let path = directory.file("Jobs/dns_analytics.json").path
        #expect {
            _ = try JobManifest.load(path: path, knownSteps: ["test_step"])
        } throws: { error in
            guard let found = (error as? ManifestErrors)?.errors, found.count == 1 else { return false }
            return found[0].problem == "no such file (looked for \(URL(fileURLWithPath: path).standardizedFileURL.path)). "
                + "Run runme from the folder that holds Jobs/, or pass --job with the path of a job manifest."
        }
        // A folder where the file should be: it exists but cannot be read as a file.
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        #expect {
            _ = try JobManifest.load(path: path, knownSteps: ["test_step"])
        } throws: { error in
            guard let problem = (error as? ManifestErrors)?.errors.first?.problem else { return false }
            return problem.hasPrefix("cannot read the file: ") && problem.hasSuffix(". Pass --job with the path of a job manifest.")
                && !problem.contains("..")
        }
    }

    @Test func unknownStep() {
        let found = errors(#"{"name": "j", "tasks": [{"task_key": "a", "notebook_task": {"notebook_path": "nope"}}]}"#)
        #expect(found.map(\.jsonPath) == ["$.tasks[0].notebook_task.notebook_path"])
        #expect(found.first?.problem.contains("unknown step \"nope\"") == true)
    }

    @Test func duplicateTaskKey() {
        let found = errors(#"{"name": "j", "tasks": [{"task_key": "a", "notebook_task": {"notebook_path": "test_step"}}, {"task_key": "a", "notebook_task": {"notebook_path": "test_step"}}]}"#)
        #expect(found.map(\.jsonPath) == ["$.tasks[1].task_key"])
        #expect(found.first?.problem.contains("duplicate task_key") == true)
    }

    @Test func dependencyOnNoTask() {
        let found = errors(#"{"name": "j", "tasks": [{"task_key": "a", "depends_on": [{"task_key": "ghost"}], "notebook_task": {"notebook_path": "test_step"}}]}"#)
        #expect(found.map(\.jsonPath) == ["$.tasks[0].depends_on[0].task_key"])
        #expect(found.first?.problem.contains("\"ghost\", which is not a task") == true)
    }

    @Test func cycle() {
        let found = errors(#"""
            {"name": "j", "tasks": [
              {"task_key": "a", "depends_on": [{"task_key": "c"}], "notebook_task": {"notebook_path": "test_step"}},
              {"task_key": "b", "depends_on": [{"task_key": "a"}], "notebook_task": {"notebook_path": "test_step"}},
              {"task_key": "c", "depends_on": [{"task_key": "b"}], "notebook_task": {"notebook_path": "test_step"}}]}
            """#)
        #expect(found.count == 1)
        #expect(found.first?.problem.contains("dependency cycle: a -> c -> b -> a") == true)
        let selfLoop = errors(#"{"name": "j", "tasks": [{"task_key": "a", "depends_on": [{"task_key": "a"}], "notebook_task": {"notebook_path": "test_step"}}]}"#)
        #expect(selfLoop.first?.problem.contains("depends on itself") == true)
    }

    @Test func taskValueReferenceMustBeUpstream() {
        let found = errors(#"""
            {"name": "j", "tasks": [
              {"task_key": "a", "notebook_task": {"notebook_path": "test_step"}},
              {"task_key": "b", "notebook_task": {"notebook_path": "test_step", "base_parameters": {"m": "{{tasks.a.values.model_uri}}"}}},
              {"task_key": "c", "depends_on": [{"task_key": "b"}], "notebook_task": {"notebook_path": "test_step"}},
              {"task_key": "d", "depends_on": [{"task_key": "c"}], "notebook_task": {"notebook_path": "test_step", "base_parameters": {"m": "{{tasks.b.values.x}}", "n": "{{tasks.zz.values.x}}"}}}]}
            """#)
        #expect(found.map(\.jsonPath) == ["$.tasks[1].notebook_task.base_parameters.m", "$.tasks[3].notebook_task.base_parameters.n"])
        #expect(found.first?.problem.contains("not upstream of \"b\"") == true)
        #expect(found.last?.problem.contains("\"zz\", which is not a task") == true)
    }

    @Test func referencesToUndeclaredParametersAndUnknownForms() {
        let found = errors(#"{"name": "j", "tasks": [{"task_key": "a", "notebook_task": {"notebook_path": "test_step", "base_parameters": {"p": "{{job.parameters.nope}}", "q": "{{jobs.run_id}}"}}}]}"#)
        #expect(found.count == 2)
        #expect(found.contains { $0.jsonPath.hasSuffix(".p") && $0.problem.contains("does not declare") })
        #expect(found.contains { $0.jsonPath.hasSuffix(".q") && $0.problem.contains("unknown reference {{jobs.run_id}}") })
    }

    @Test func wrongTypesAndUnsupportedTasks() {
        let found = errors(#"{"name": 3, "max_concurrent_runs": 0, "tasks": [{"task_key": "a", "max_retries": "2", "run_if": "SOMETIMES", "notebook_task": {"notebook_path": "test_step"}}, {"task_key": "b", "sql_task": {}}, {"task_key": "c d", "notebook_task": {"notebook_path": 7}}]}"#)
        let paths = Set(found.map(\.jsonPath))
        #expect(paths == ["$.name", "$.max_concurrent_runs", "$.tasks[0].max_retries", "$.tasks[0].run_if", "$.tasks[1].sql_task", "$.tasks[1]", "$.tasks[2].task_key", "$.tasks[2].notebook_task.notebook_path"])
        #expect(found.contains { $0.problem.contains("sql_task is not supported") })
        #expect(found.contains { $0.problem == "must be a string, found a number" })
    }

    @Test func unknownKeysAreIgnoredWithANotice() throws {
        let manifest = try JobManifest.parse(Data(#"{"name": "j", "job_clusters": [], "tags": {"a": "b"}, "bogus": 1, "tasks": [{"task_key": "a", "job_cluster_key": "c", "colour": "red", "notebook_task": {"notebook_path": "test_step", "source": "WORKSPACE"}}]}"#.utf8), path: "j.json", knownSteps: ["test_step"])
        #expect(manifest.ignoredKeys == ["$.bogus", "$.job_clusters", "$.tags", "$.tasks[0].colour", "$.tasks[0].job_cluster_key", "$.tasks[0].notebook_task.source"])
    }

    @Test func jobsAPIExportShape() throws {
        let manifest = try JobManifest.parse(Data(#"{"job_id": 1, "settings": {"name": "j", "tasks": [{"task_key": "a", "notebook_task": {"notebook_path": "test_step"}}]}}"#.utf8), path: "j.json", knownSteps: ["test_step"])
        #expect(manifest.name == "j")
        let found = errors(#"{"settings": {"name": "j", "tasks": [{"task_key": "a", "notebook_task": {"notebook_path": "x"}}]}}"#)
        #expect(found.first?.jsonPath == "$.settings.tasks[0].notebook_task.notebook_path")
    }

    @Test func missingFile() {
        #expect(throws: ManifestErrors.self) { try JobManifest.load(path: "/nonexistent/job.json", knownSteps: []) }
    }
}

@Suite struct GraphAndRunIfTests {
    @Test func topologicalOrderKeepsManifestOrderAmongFreeTasks() throws {
        var builder = TestManifest()
        builder.task("d", dependsOn: ["b", "c"])
        builder.task("b", dependsOn: ["a"])
        builder.task("c", dependsOn: ["a"])
        builder.task("a")
        let graph = TaskGraph(tasks: try builder.manifest().tasks)
        #expect(graph.topologicalOrder() == ["a", "b", "c", "d"])
        #expect(graph.ancestors(of: "d") == ["a", "b", "c"])
        #expect(graph.descendants(of: "b") == ["d"])
    }

    @Test func runIfDecisions() {
        #expect(RunIf.allSuccess.decide(dependencies: [.success, .success]) == nil)
        #expect(RunIf.allSuccess.decide(dependencies: [.success, .failed]) == .upstreamFailed)
        #expect(RunIf.allSuccess.decide(dependencies: [.success, .canceled]) == .upstreamCanceled)
        #expect(RunIf.allSuccess.decide(dependencies: [.success, .excluded]) == .excluded)
        #expect(RunIf.allSuccess.decide(dependencies: [.timedOut]) == .upstreamFailed)
        #expect(RunIf.atLeastOneSuccess.decide(dependencies: [.failed, .success]) == nil)
        #expect(RunIf.atLeastOneSuccess.decide(dependencies: [.failed, .failed]) == .upstreamFailed)
        #expect(RunIf.noneFailed.decide(dependencies: [.success, .excluded]) == nil)
        #expect(RunIf.noneFailed.decide(dependencies: [.success, .upstreamFailed]) == .upstreamFailed)
        #expect(RunIf.noneFailed.decide(dependencies: [.excluded]) == .excluded)
        #expect(RunIf.allDone.decide(dependencies: [.failed, .success, .excluded]) == nil)
        #expect(RunIf.atLeastOneFailed.decide(dependencies: [.success, .failed]) == nil)
        #expect(RunIf.atLeastOneFailed.decide(dependencies: [.success, .success]) == .excluded)
        #expect(RunIf.allFailed.decide(dependencies: [.failed, .timedOut]) == nil)
        #expect(RunIf.allFailed.decide(dependencies: [.failed, .success]) == .excluded)
        #expect(RunIf.allSuccess.decide(dependencies: []) == nil)
    }

    @Test func dynamicReferenceParsing() {
        #expect(DynamicReference("job.parameters.data") == .jobParameter("data"))
        #expect(DynamicReference(" job.run_id ") == .jobRunID)
        #expect(DynamicReference("tasks.02_automl.values.model_uri") == .taskValue(taskKey: "02_automl", name: "model_uri"))
        #expect(DynamicReference("tasks.x.value.y") == nil)
        #expect(DynamicReference("job.parameters.") == nil)
        let text = DynamicReference.substitute("run {{job.run_id}} of {{job.name}}, {{unknown}}") { reference in
            reference == .jobRunID ? "7" : "dns"
        }
        #expect(text == "run 7 of dns, {{unknown}}")
    }
}
