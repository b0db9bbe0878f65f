import DGAModel
import Fetch
import Foundation
@testable import MLflowExport
import TestSupport
import Testing
import Tracking

/// Exports into a real MLflow server (started once for the suite) and checks the result with
/// MLflow's own Python client. A server that does not start fails these tests.
@Suite(.serialized) struct MLflowServerExportTests {
    static let server = Result { try MLflowServers.start() }

    func exporter(_ store: TrackingStore) throws -> MLflowExporter {
        let server = try Self.server.get()
        return MLflowExporter(store: store, client: MLflowClient(connection: try MLflowConnection(trackingURI: server.baseURL)))
    }

    @Test func automlAndEdgeCasesMatchTheStoreAndASecondExportChangesNothing() async throws {
        let server = try Self.server.get()
        let directory = try TemporaryDirectory("mlflow-export")
        let store = try TrackingStore.open(at: directory.url)
        let data = try AutoMLFixture.dataset()
        let (_, _, parentRunID) = try await AutoMLFixture.trainAndRegister(store: store, data: data, maxTrials: 3, budgetSeconds: 20)
        let made = try EdgeCaseStore.populate(store, experimentName: "export edge cases", modelName: "edge_model")
        let runCount = try store.runs().count
        #expect(try store.childRuns(of: parentRunID).count == 3)

        let first = try await exporter(store).export()
        #expect(first.failures.isEmpty, "\(first.failures)")
        #expect(first.experiments.created == 2)
        #expect(first.runs.created == runCount)
        #expect(first.registeredModels.created == 2)
        #expect(first.modelVersions.created == 3)
        #expect(first.aliases.created == 3)
        // 2,500 loss points need three requests; 150 params two; 123 tags two.
        #expect(try first.metricPointsLogged == totalPoints(store))
        #expect(first.artifactFilesUploaded == (try store.runs().reduce(0) { $0 + (try store.artifacts(runID: $1.runID).count) }))

        let experiments = ["automl-test", "export edge cases"], models = [ModelRegistration.modelName, made.modelName]
        let dump = try ServerDump.read(server.baseURL, experiments: experiments, models: models)
        let mapping = try StoreComparison.expectEqual(store: store, dump: dump, experiments: experiments, models: models)
        // The trials sit under their AutoML run; the grandchild under the child.
        let parentMLflowID = try #require(mapping[parentRunID]).runId
        #expect(mapping.values.filter { $0.tags[ExportTags.parentRunID] == parentMLflowID }.count == 3)
        #expect(mapping[made.grandchild.runID]?.tags[ExportTags.parentRunID] == mapping[made.child.runID]?.runId)
        #expect(mapping[made.runningRun.runID]?.status == "RUNNING")
        #expect(dump.models[ModelRegistration.modelName]?.aliases["champion"] != nil)

        let second = try await exporter(store).export()
        #expect(second.failures.isEmpty, "\(second.failures)")
        #expect(!second.changedAnything)
        #expect(second.runs == ExportCounts(skipped: runCount))
        #expect(second.experiments == ExportCounts(skipped: 2))
        #expect(second.modelVersions == ExportCounts(skipped: 3))
        #expect(second.aliases == ExportCounts(skipped: 3))
        #expect(second.metricPointsLogged == 0 && second.artifactFilesUploaded == 0 && second.logBatchRequests == 0)
        let again = try ServerDump.read(server.baseURL, experiments: experiments, models: models)
        #expect(again.experiments == dump.experiments)
        #expect(again.models == dump.models)
        for (runmeID, run) in dump.runsByRunmeID {
            #expect(again.runsByRunmeID[runmeID] == run, "run \(run.name) is the same after the second export")
        }
        #expect(again.runsByRunmeID.count == dump.runsByRunmeID.count)
    }

    @Test func changesAreSentAsUpdatesAndAnInterruptedExportIsCompletedWithoutDuplicates() async throws {
        let server = try Self.server.get()
        let directory = try TemporaryDirectory("mlflow-export")
        let store = try TrackingStore.open(at: directory.url)
        let made = try EdgeCaseStore.populate(store, experimentName: "export updates", modelName: "update_model")
        let first = try await exporter(store).export(MLflowExporter.Options(experimentNames: ["export updates"]))
        #expect(first.failures.isEmpty, "\(first.failures)")
        #expect(first.runs.created == 4)

        // What a later session does in runme: the running run logs more and finishes, the
        // long run gets a tag and a file, and the champion moves.
        let later = made.longRun.startTime.addingTimeInterval(100)
        try store.logMetric(runID: made.runningRun.runID, key: "progress", value: 1.0, step: 2, timestamp: later)
        try store.endRun(made.runningRun.runID, status: .finished, endTime: later)
        try store.setTag(runID: made.longRun.runID, key: "reviewed", value: "yes")
        try store.writeArtifact(runID: made.longRun.runID, data: Data("late note\n".utf8), artifactPath: "reports/late.txt")
        try store.setAlias(name: made.modelName, alias: "champion", version: 1)

        // An export that stopped before its last step for the child run: its digest tags are
        // missing on the server, so the next export must compare instead of skipping.
        let childMLflowID = try #require(try ServerDump.read(server.baseURL, experiments: ["export updates"], models: []).runsByRunmeID[made.child.runID]).runId
        _ = try LocalServers.runPython("""
            import os
            os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
            import sys
            from mlflow import MlflowClient
            client = MlflowClient(tracking_uri=sys.argv[1])
            client.delete_tag(sys.argv[2], "runme.export_digest")
            client.delete_tag(sys.argv[2], "runme.artifacts_digest")
            """, arguments: [server.baseURL, childMLflowID], timeout: 120)

        let second = try await exporter(store).export(MLflowExporter.Options(experimentNames: ["export updates"]))
        #expect(second.failures.isEmpty, "\(second.failures)")
        #expect(second.runs.updated == 2, "the running run and the long run changed")
        #expect(second.runs.skipped == 2, "the child had nothing missing; the grandchild is unchanged")
        #expect(second.metricPointsLogged == 1)
        #expect(second.artifactFilesUploaded == 1, "only the new file: the long run had a complete export before")
        #expect(second.aliases.updated == 1)
        #expect(second.experiments == ExportCounts(skipped: 1))

        // The server equals the store again: no duplicate points, files or runs.
        let dump = try ServerDump.read(server.baseURL, experiments: ["export updates"], models: [made.modelName])
        try StoreComparison.expectEqual(store: store, dump: dump, experiments: ["export updates"], models: [made.modelName])
        let third = try await exporter(store).export(MLflowExporter.Options(experimentNames: ["export updates"]))
        #expect(!third.changedAnything && third.failures.isEmpty)
    }

    @Test func aRunTheServerCannotTakeIsReportedAndTheOthersAreExported() async throws {
        let server = try Self.server.get()
        let directory = try TemporaryDirectory("mlflow-export")
        let store = try TrackingStore.open(at: directory.url)
        let experiment = try store.createExperiment(name: "export conflicts")
        let conflicted = try store.createRun(experimentID: experiment.id, name: "conflicted")
        try store.logBatch(runID: conflicted.runID, params: ["learning_rate": "0.1", "depth": "4"],
                           metrics: [Metric(key: "auc", value: 0.9, step: 0)])
        try store.endRun(conflicted.runID)
        let fine = try store.createRun(experimentID: experiment.id, name: "fine")
        try store.logParam(runID: fine.runID, key: "learning_rate", value: "0.2")
        try store.endRun(fine.runID)

        // Someone logged the run on the server before with another learning rate.
        _ = try LocalServers.runPython("""
            import os
            os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
            import sys
            from mlflow import MlflowClient
            client = MlflowClient(tracking_uri=sys.argv[1])
            experiment_id = client.create_experiment("export conflicts")
            run = client.create_run(experiment_id, tags={"runme.run_id": sys.argv[2]}, run_name="conflicted")
            client.log_param(run.info.run_id, "learning_rate", "0.5")
            """, arguments: [server.baseURL, conflicted.runID], timeout: 120)

        let summary = try await exporter(store).export(MLflowExporter.Options(experimentNames: ["export conflicts"]))
        #expect(summary.failures.count == 1)
        let failure = try #require(summary.failures.first)
        #expect(failure.object.contains("conflicted"))
        #expect(failure.error == .paramConflict(key: "learning_rate", server: "0.5", local: "0.1"))
        #expect(!failure.error.isTransient)
        #expect(failure.description.contains("MLflow params cannot change"))
        #expect(summary.runs == ExportCounts(created: 1, failed: 1))

        // The rest of the conflicted run still went out, and the run is not marked complete.
        let dump = try ServerDump.read(server.baseURL, experiments: ["export conflicts"], models: [])
        let runs = dump.runs["export conflicts"] ?? []
        #expect(runs.count == 2)
        let serverConflicted = try #require(runs.first { $0.tags[ExportTags.runID] == conflicted.runID })
        #expect(serverConflicted.params == ["learning_rate": "0.5", "depth": "4"])
        #expect(serverConflicted.metrics["auc"]?.count == 1)
        #expect(serverConflicted.tags[ExportTags.exportDigest] == nil)
        #expect(runs.first { $0.tags[ExportTags.runID] == fine.runID }?.params == ["learning_rate": "0.2"])

        // Running it again reports the same conflict and sends nothing twice.
        let again = try await exporter(store).export(MLflowExporter.Options(experimentNames: ["export conflicts"]))
        #expect(again.failures.map(\.error) == [.paramConflict(key: "learning_rate", server: "0.5", local: "0.1")])
        #expect(again.metricPointsLogged == 0 && again.paramsLogged == 0)
        #expect(again.runs == ExportCounts(skipped: 1, failed: 1))
    }

    @Test func selectingOneRunBringsItsTrialsAndParent() async throws {
        let server = try Self.server.get()
        let directory = try TemporaryDirectory("mlflow-export")
        let store = try TrackingStore.open(at: directory.url)
        let made = try EdgeCaseStore.populate(store, experimentName: "export one run", modelName: "one_run_model")
        let summary = try await exporter(store).export(MLflowExporter.Options(runIDs: [made.child.runID]))
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        // The child, the run it is nested in and its own nested run; not the running run.
        #expect(summary.runs.created == 3)
        #expect(summary.modelVersions.created == 2)
        let dump = try ServerDump.read(server.baseURL, experiments: ["export one run"], models: [made.modelName])
        let names = Set((dump.runs["export one run"] ?? []).map(\.name))
        let byRunmeID = dump.runsByRunmeID
        let versions = dump.models[made.modelName]?.versions ?? []
        #expect(Set(versions.map(\.runId)) == Set([made.child.runID, made.grandchild.runID].compactMap { byRunmeID[$0]?.runId }))
        #expect(dump.models[made.modelName]?.aliases.count == 2)
        #expect(names == ["long history ✓", "child", "grandchild"])
    }

    @Test func theCommandExportsReportsAndExitsAsDocumented() async throws {
        let server = try Self.server.get()
        let binary = try #require(TestPaths.runmeBinary, "the runme executable is not built next to the tests: run `swift build` first")
        let directory = try TemporaryDirectory("mlflow-cli")
        do {
            let store = try TrackingStore.open(at: directory.url)
            _ = try EdgeCaseStore.populate(store, experimentName: "export cli", modelName: "cli_model")
        }
        let arguments = ["mlflow", "export", "--store", directory.url.path, "--experiment", "export cli"]
        let first = try ChildProcess.run(binary, arguments, environment: ["MLFLOW_TRACKING_URI": server.baseURL], timeout: 300)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("experiment 'export cli': created"))
        #expect(first.stdout.contains("runs: 4 created, 0 updated, 0 unchanged"))
        #expect(first.stdout.contains("model versions: 2 created"))
        #expect(first.stdout.contains("aliases: 2 created"))

        let second = try ChildProcess.run(binary, arguments + ["--tracking-uri", server.baseURL], timeout: 300)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("runs: 0 created, 0 updated, 4 unchanged"))
        #expect(second.stdout.contains("sent: 0 params, 0 tags, 0 metric points in 0 log-batch requests; 0 artifact files"))

        let noServer = try ChildProcess.run(binary, Array(arguments.prefix(4)), environment: ["MLFLOW_TRACKING_URI": ""])
        #expect(noServer.status == 2)
        #expect(noServer.stderr.contains("MLFLOW_TRACKING_URI"))

        let port = try LocalServers.freePort()
        let closed = try ChildProcess.run(binary, Array(arguments.prefix(4)) + ["--tracking-uri", "http://127.0.0.1:\(port)"])
        #expect(closed.status == 1)
        #expect(closed.stderr.contains("127.0.0.1:\(port)") && closed.stderr.contains("Is the MLflow server running"))
    }

    private func totalPoints(_ store: TrackingStore) throws -> Int {
        var total = 0
        for run in try store.runs() {
            for key in try store.latestMetrics(runID: run.runID).keys {
                total += try store.metricHistory(runID: run.runID, key: key).count
            }
        }
        return total
    }
}
