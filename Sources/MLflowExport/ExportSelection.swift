import Foundation
import Tracking

/// Which experiments and runs of the store an export covers.
struct ExportSelection {
    /// The experiments to create or find on the server, in id order.
    let experiments: [Experiment]
    /// The runs to export, parents before their nested runs, then by start time.
    let runs: [RunInfo]

    /// - `experimentNames` empty and `runIDs` empty: everything.
    /// - `experimentNames`: every run of those experiments.
    /// - `runIDs`: those runs, the runs nested in them (AutoML trials), and the runs they are
    ///   nested in (so the parent link can be made).
    /// Both together: the union.
    init(store: TrackingStore, experimentNames: [String], runIDs: [String]) throws(MLflowExportError) {
        do {
            var runs: [String: RunInfo] = [:]
            var experimentIDs = Set<Int64>()
            if experimentNames.isEmpty && runIDs.isEmpty {
                for summary in try store.experiments() { experimentIDs.insert(summary.experiment.id) }
                for run in try store.runs() { runs[run.runID] = run }
            }
            for name in experimentNames {
                guard let experiment = try store.experiment(named: name) else {
                    let known = try store.experiments().map { "'\($0.experiment.name)'" }.joined(separator: ", ")
                    throw MLflowExportError.configuration(reason: "the store has no experiment named '\(name)' (it has \(known.isEmpty ? "none" : known)); `runme experiments` lists them")
                }
                experimentIDs.insert(experiment.id)
                for run in try store.runs(experimentID: experiment.id) { runs[run.runID] = run }
            }
            for id in runIDs {
                let run: RunInfo
                do {
                    run = try store.runInfo(id: id)
                } catch TrackingError.runNotFound {
                    throw MLflowExportError.configuration(reason: "the store has no run '\(id)'; `runme runs` lists run ids")
                }
                runs[run.runID] = run
                var pending = [run.runID]
                while let next = pending.popLast() {
                    for child in try store.childRuns(of: next) where runs[child.runID] == nil {
                        runs[child.runID] = child
                        pending.append(child.runID)
                    }
                }
                var parent = run.parentRunID
                while let parentID = parent, runs[parentID] == nil {
                    let info = try store.runInfo(id: parentID)
                    runs[parentID] = info
                    parent = info.parentRunID
                }
            }
            for run in runs.values { experimentIDs.insert(run.experimentID) }
            var experiments: [Experiment] = []
            for id in experimentIDs.sorted() {
                if let experiment = try store.experiment(id: id) { experiments.append(experiment) }
            }
            self.experiments = experiments
            self.runs = Self.parentsFirst(Array(runs.values))
        } catch let error as MLflowExportError {
            throw error
        } catch {
            throw .store(reason: "\(error)")
        }
    }

    /// Orders runs so that every parent comes before the runs nested in it.
    static func parentsFirst(_ runs: [RunInfo]) -> [RunInfo] {
        let byID = Dictionary(uniqueKeysWithValues: runs.map { ($0.runID, $0) })
        var depth: [String: Int] = [:]
        func depthOf(_ run: RunInfo, seen: Set<String> = []) -> Int {
            if let known = depth[run.runID] { return known }
            var value = 0
            if let parentID = run.parentRunID, let parent = byID[parentID], !seen.contains(parentID) {
                value = depthOf(parent, seen: seen.union([run.runID])) + 1
            }
            depth[run.runID] = value
            return value
        }
        return runs.map { ($0, depthOf($0)) }
            .sorted { lhs, rhs in
                if lhs.1 != rhs.1 { return lhs.1 < rhs.1 }
                if lhs.0.startTime != rhs.0.startTime { return lhs.0.startTime < rhs.0.startTime }
                return lhs.0.runID < rhs.0.runID
            }
            .map(\.0)
    }
}
