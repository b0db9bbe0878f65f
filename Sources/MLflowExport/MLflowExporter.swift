import Foundation
import Tracking

/// Publishes runme's experiment store to an MLflow tracking server: experiments, runs (AutoML
/// trials nested under their parent), params, every metric point, artifacts, registered models,
/// their versions and aliases.
///
/// Idempotent: every MLflow run carries `runme.run_id`; a later export finds it, sends only what
/// the server lacks, and skips a run whose `runme.export_digest` tag matches. A failure is
/// reported for its object and the export goes on; the digest is written only after a run was
/// exported completely, so running the export again finishes what failed.
public struct MLflowExporter: Sendable {
    /// What to export.
    public struct Options: Sendable, Equatable {
        /// Experiment names; empty means all (unless `runIDs` narrows the export).
        public var experimentNames: [String]
        /// Run ids; each brings its nested runs and the runs it is nested in.
        public var runIDs: [String]
        /// Whether registered models, versions and aliases are exported.
        public var includeModels: Bool

        public init(experimentNames: [String] = [], runIDs: [String] = [], includeModels: Bool = true) {
            self.experimentNames = experimentNames
            self.runIDs = runIDs
            self.includeModels = includeModels
        }
    }

    public let store: TrackingStore
    public let client: MLflowClient
    public var batchPlanner: LogBatchPlanner

    public init(store: TrackingStore, client: MLflowClient, batchPlanner: LogBatchPlanner = LogBatchPlanner()) {
        self.store = store
        self.client = client
        self.batchPlanner = batchPlanner
    }

    /// Runs the export.
    ///
    /// - Throws: `MLflowExportError` only when nothing can be exported: a bad selection, an
    ///   unreadable store, or a server that cannot be reached or refuses the credentials.
    ///   Failures of single objects are in the summary's `failures`.
    public func export(_ options: Options = Options(), progress: (any MLflowExportProgress)? = nil) async throws(MLflowExportError) -> MLflowExportSummary {
        let start = ContinuousClock.now
        let selection = try ExportSelection(store: store, experimentNames: options.experimentNames, runIDs: options.runIDs)
        // One cheap call first, so an unreachable server or bad credentials is one clear error
        // rather than one per object.
        try await client.ping()
        let models = options.includeModels ? try registeredModels() : []
        let session = ExportSession(exporter: self, progress: progress, total: selection.runs.count + models.count)
        progress?.begin(total: selection.runs.count + models.count)
        await session.exportExperiments(selection.experiments)
        for run in selection.runs {
            await session.exportRun(run)
        }
        for model in models {
            await session.exportModel(model)
        }
        progress?.end()
        session.summary.duration = ContinuousClock.now - start
        return session.summary
    }

    private func registeredModels() throws(MLflowExportError) -> [RegisteredModel] {
        do {
            return try store.registeredModels()
        } catch {
            throw .store(reason: "\(error)")
        }
    }
}

/// The state of one export: counts, and the MLflow ids of what it has exported or found.
final class ExportSession {
    let exporter: MLflowExporter
    let progress: (any MLflowExportProgress)?
    let total: Int
    var done = 0
    var summary = MLflowExportSummary()
    /// runme experiment id → MLflow experiment id (nil after a failure).
    var experimentIDs: [Int64: String] = [:]
    /// MLflow experiment id → its active runs by `runme.run_id`.
    var serverRuns: [String: [String: MLflowRun]] = [:]
    /// runme run id → the MLflow run, for runs exported (or found unchanged) in this export.
    var exportedRuns: [String: (runID: String, artifactURI: String)] = [:]
    /// runme run ids whose export failed, so their nested runs are not exported without parent.
    var failedRuns = Set<String>()

    var client: MLflowClient { exporter.client }
    var store: TrackingStore { exporter.store }

    init(exporter: MLflowExporter, progress: (any MLflowExportProgress)?, total: Int) {
        self.exporter = exporter
        self.progress = progress
        self.total = total
    }

    func fail(_ object: String, _ error: MLflowExportError) {
        let failure = ExportFailure(object: object, error: error)
        summary.failures.append(failure)
        progress?.failed(failure)
    }

    // MARK: Experiments

    func exportExperiments(_ experiments: [Experiment]) async {
        for experiment in experiments {
            let object = "experiment '\(experiment.name)'"
            do throws(MLflowExportError) {
                var created = false
                var updated = false
                let id: String
                if let existing = try await client.experiment(named: experiment.name) {
                    guard existing.lifecycleStage != "deleted" else {
                        throw MLflowExportError.experimentDeleted(name: experiment.name, id: existing.experimentId)
                    }
                    id = existing.experimentId
                    let serverTags = Dictionary((existing.tags ?? []).map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
                    for (key, value) in experiment.tags.sorted(by: { $0.key < $1.key }) where serverTags[key] != value {
                        try await client.setExperimentTag(experimentID: id, key: key, value: value)
                        updated = true
                    }
                } else {
                    id = try await client.createExperiment(
                        name: experiment.name,
                        tags: experiment.tags.sorted { $0.key < $1.key }.map { MLflowKeyValue(key: $0.key, value: $0.value) })
                    created = true
                }
                experimentIDs[experiment.id] = id
                // Runs a previous export made, found by their runme id.
                var runs: [String: MLflowRun] = [:]
                if !created {
                    for run in try await client.runs(experimentID: id) {
                        if let runmeID = run.tag(ExportTags.runID) { runs[runmeID] = run }
                    }
                }
                serverRuns[id] = runs
                if created { summary.experiments.created += 1 } else if updated { summary.experiments.updated += 1 } else { summary.experiments.skipped += 1 }
                progress?.finished(object: "\(object): \(created ? "created" : updated ? "tags updated" : "found") (MLflow id \(id))",
                                   changed: created || updated, done: done, total: total)
            } catch {
                summary.experiments.failed += 1
                fail(object, error)
            }
        }
    }

    // MARK: Runs

    func exportRun(_ info: RunInfo) async {
        defer { done += 1 }
        var label = "run \(info.name) (\(info.runID.prefix(8)))"
        guard let experimentID = experimentIDs[info.experimentID] else {
            summary.runs.failed += 1
            failedRuns.insert(info.runID)
            fail(label, .configuration(reason: "its experiment could not be created or found on the server (see above)"))
            return
        }
        if let parent = info.parentRunID, failedRuns.contains(parent) {
            summary.runs.failed += 1
            failedRuns.insert(info.runID)
            fail(label, .configuration(reason: "the run it is nested in (\(parent.prefix(8))) failed to export; it is exported with it next time"))
            return
        }
        do throws(MLflowExportError) {
            let local = try LocalRunSnapshot(store: store, info: info)
            label = local.label
            let parentMLflowID = info.parentRunID.flatMap { exportedRuns[$0]?.runID }
            let outcome = try await RunExport(session: self, local: local, experimentID: experimentID,
                                              existing: serverRuns[experimentID]?[info.runID], parentMLflowRunID: parentMLflowID).run()
            // The run exists on the server even when part of it failed: nested runs and model
            // versions can point at it, and the next export completes it.
            exportedRuns[info.runID] = (outcome.mlflowRunID, outcome.artifactURI)
            guard outcome.failures.isEmpty else {
                summary.runs.failed += 1
                for failure in outcome.failures { fail(label, failure) }
                return
            }
            switch outcome.result {
            case .created: summary.runs.created += 1
            case .updated: summary.runs.updated += 1
            case .unchanged: summary.runs.skipped += 1
            }
            progress?.finished(object: "\(label): \(outcome.description)", changed: outcome.result != .unchanged, done: done + 1, total: total)
        } catch {
            summary.runs.failed += 1
            failedRuns.insert(info.runID)
            fail(label, error)
        }
    }

    // MARK: Models

    func exportModel(_ model: RegisteredModel) async {
        defer { done += 1 }
        let object = "model '\(model.name)'"
        do throws(MLflowExportError) {
            let outcome = try await ModelExport(session: self, model: model).run()
            if let line = outcome {
                progress?.finished(object: "\(object): \(line.text)", changed: line.changed, done: done + 1, total: total)
            }
        } catch {
            summary.registeredModels.failed += 1
            fail(object, error)
        }
    }
}
