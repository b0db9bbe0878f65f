import Foundation
@testable import MLflowExport
import Testing
import Tracking

/// Checks that what the server holds for the store's experiments equals the store:
/// run counts, names, status, times, params, tags, parent links, every metric point,
/// artifact contents, registered model versions (source, run) and aliases.
enum StoreComparison {
    /// Tags the export adds or MLflow sets itself; every other server tag must be runme's.
    static let addedTags: Set<String> = [
        ExportTags.runID, ExportTags.exportDigest, ExportTags.artifactsDigest, ExportTags.jobRunID, ExportTags.taskKey,
        ExportTags.parentRunID, "mlflow.runName", "mlflow.user",
    ]

    /// Returns runme run id → MLflow run, for further checks.
    @discardableResult
    static func expectEqual(store: TrackingStore, dump: ServerDump, experiments names: [String]? = nil,
                            models modelNames: [String]? = nil) throws -> [String: ServerDump.Run] {
        var mapping: [String: ServerDump.Run] = [:]
        let experiments = try store.experiments().map(\.experiment).filter { names?.contains($0.name) ?? true }
        #expect(!experiments.isEmpty)
        for experiment in experiments {
            let serverRuns = dump.runs[experiment.name] ?? []
            #expect(dump.experiments[experiment.name] != nil, "experiment \(experiment.name) is on the server")
            let localRuns = try store.runs(experimentID: experiment.id)
            #expect(serverRuns.count == localRuns.count, "run count of \(experiment.name)")
            for run in serverRuns {
                guard let runmeID = run.tags[ExportTags.runID] else {
                    Issue.record("server run \(run.runId) has no runme.run_id tag")
                    continue
                }
                #expect(mapping[runmeID] == nil, "run \(runmeID) exported once")
                mapping[runmeID] = run
            }
        }
        for experiment in experiments {
            for info in try store.runs(experimentID: experiment.id) {
                guard let server = mapping[info.runID] else {
                    Issue.record("run \(info.name) (\(info.runID)) is not on the server")
                    continue
                }
                let label = "run \(info.name)"
                #expect(server.name == info.name, "\(label) name")
                #expect(server.status == info.status.rawValue, "\(label) status")
                #expect(server.startTime == LocalRunSnapshot.milliseconds(info.startTime), "\(label) start")
                #expect(server.endTime == info.endTime.map(LocalRunSnapshot.milliseconds), "\(label) end")
                #expect(server.params == (try store.params(runID: info.runID)), "\(label) params")
                let localTags = try store.tags(runID: info.runID)
                for (key, value) in localTags { #expect(server.tags[key] == value, "\(label) tag \(key)") }
                for key in server.tags.keys where localTags[key] == nil {
                    #expect(addedTags.contains(key), "\(label) has an unexpected tag \(key)")
                }
                let parent = info.parentRunID.flatMap { mapping[$0]?.runId }
                #expect(server.tags[ExportTags.parentRunID] == parent, "\(label) parent link")
                if info.parentRunID != nil { #expect(parent != nil, "\(label) parent exported") }

                let latest = try store.latestMetrics(runID: info.runID)
                #expect(Set(server.metrics.keys) == Set(latest.keys), "\(label) metric keys")
                for key in latest.keys {
                    let local = try store.metricHistory(runID: info.runID, key: key).map {
                        ServerDump.Point(step: Int64($0.step), timestamp: LocalRunSnapshot.milliseconds($0.timestamp), value: $0.value)
                    }
                    let remote = server.metrics[key] ?? []
                    #expect(canonical(remote) == canonical(local), "\(label) metric \(key): \(remote.count) points on the server, \(local.count) in runme")
                }

                let artifacts = try store.artifacts(runID: info.runID)
                #expect(Set(server.artifacts.keys) == Set(artifacts.map(\.path)), "\(label) artifact paths")
                for artifact in artifacts {
                    #expect(server.artifacts[artifact.path] == ServerDump.FileInfo(size: artifact.size, sha256: artifact.sha256),
                            "\(label) artifact \(artifact.path)")
                }
            }
        }

        for model in try store.registeredModels() where modelNames?.contains(model.name) ?? true {
            guard let server = dump.models[model.name] else {
                Issue.record("model \(model.name) is not on the server")
                continue
            }
            #expect(server.description == model.description, "model \(model.name) description")
            let versions = try store.modelVersions(name: model.name)
            #expect(server.versions.count == versions.count, "model \(model.name) version count")
            var mlflowVersion: [Int64: String] = [:]
            for version in versions {
                let matches = server.versions.filter { $0.tags[ExportTags.modelVersion] == String(version.version) }
                #expect(matches.count == 1, "model \(model.name) version \(version.version) exported once")
                guard let match = matches.first, case let .run(runID, path)? = try? ArtifactURI(parsing: version.source),
                      let run = mapping[runID] else {
                    Issue.record("model \(model.name) version \(version.version) cannot be matched")
                    continue
                }
                mlflowVersion[version.version] = match.version
                #expect(match.runId == run.runId, "model \(model.name) version \(version.version) run")
                #expect(match.source == run.artifactUri + "/" + path, "model \(model.name) version \(version.version) source")
                #expect(match.description == version.description)
            }
            let expectedAliases = Dictionary(uniqueKeysWithValues: model.aliases.compactMap { alias, version in
                mlflowVersion[version].map { (alias, $0) }
            })
            #expect(server.aliases == expectedAliases, "model \(model.name) aliases")
        }
        return mapping
    }

    /// Points sorted, with ±infinity as SQL stores keep it (±Double.greatestFiniteMagnitude) and NaN comparable.
    static func canonical(_ points: [ServerDump.Point]) -> [[Int64]] {
        points.map { [$0.step, $0.timestamp, Int64(bitPattern: MLflowMetric.canonical($0.value))] }
            .sorted { $0.lexicographicallyPrecedes($1) }
    }
}
