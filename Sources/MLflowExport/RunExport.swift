import Digest
import Foundation
import Tracking

/// Exports one run: creates or finds it, sends what the server lacks, uploads artifacts, sets
/// status and times, and last the digest tags that let the next export skip it.
struct RunExport {
    enum Result { case created, updated, unchanged }

    struct Outcome {
        var mlflowRunID: String
        var artifactURI: String
        var result: Result
        /// Parts that failed after the run existed on the server (params, artifacts, ...).
        var failures: [MLflowExportError] = []
        var params = 0
        var tags = 0
        var points = 0
        var files = 0
        var bytes: Int64 = 0

        var description: String {
            switch result {
            case .unchanged:
                return "unchanged (MLflow run \(mlflowRunID))"
            case .created, .updated:
                var parts: [String] = []
                if params > 0 { parts.append("\(params) params") }
                if tags > 0 { parts.append("\(tags) tags") }
                if points > 0 { parts.append("\(points) metric points") }
                if files > 0 { parts.append("\(files) files (\(MLflowExportSummary.bytes(bytes)))") }
                let what = parts.isEmpty ? "" : ": " + parts.joined(separator: ", ")
                return "\(result == .created ? "created" : "updated")\(what) (MLflow run \(mlflowRunID))"
            }
        }
    }

    let session: ExportSession
    let local: LocalRunSnapshot
    let experimentID: String
    let existing: MLflowRun?
    let parentMLflowRunID: String?

    var client: MLflowClient { session.client }

    func run() async throws(MLflowExportError) -> Outcome {
        let digest = local.exportDigest(parentMLflowRunID: parentMLflowRunID)
        if let existing, existing.tag(ExportTags.exportDigest) == digest {
            return Outcome(mlflowRunID: existing.info.runId, artifactURI: existing.info.artifactUri ?? "", result: .unchanged)
        }
        let server: MLflowRun
        let created: Bool
        if let existing {
            server = existing
            created = false
        } else {
            // Created with its runme id only, so that an export interrupted right after this
            // still finds the run next time.
            server = try await client.createRun(experimentID: experimentID, name: local.info.name, startTime: local.startTime,
                                                tags: [MLflowKeyValue(key: ExportTags.runID, value: local.info.runID)])
            created = true
        }
        var outcome = Outcome(mlflowRunID: server.info.runId, artifactURI: server.info.artifactUri ?? "", result: created ? .created : .unchanged)

        // Params: MLflow's are immutable, so a differing value is a failure to report.
        let serverParams = Dictionary((server.data?.params ?? []).map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        var params: [MLflowKeyValue] = []
        for param in local.params {
            if let value = serverParams[param.key] {
                if value != param.value { outcome.failures.append(.paramConflict(key: param.key, server: value, local: param.value)) }
            } else {
                params.append(param)
            }
        }
        var wanted = local.tags
        if let parentMLflowRunID { wanted.append(MLflowKeyValue(key: ExportTags.parentRunID, value: parentMLflowRunID)) }
        let serverTags = Dictionary((server.data?.tags ?? []).map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        let tags = wanted.filter { serverTags[$0.key] != $0.value }

        let metrics: [MLflowMetric]
        do throws(MLflowExportError) {
            metrics = try await missingMetricPoints(server: server, created: created)
        } catch {
            outcome.failures.append(error)
            metrics = []
        }
        for batch in session.exporter.batchPlanner.plan(params: params, tags: tags, metrics: metrics) {
            do throws(MLflowExportError) {
                try await client.logBatch(runID: server.info.runId, batch: batch)
                session.summary.logBatchRequests += 1
                session.summary.paramsLogged += batch.params.count
                session.summary.tagsLogged += batch.tags.count
                session.summary.metricPointsLogged += batch.metrics.count
                outcome.params += batch.params.count
                outcome.tags += batch.tags.count
                outcome.points += batch.metrics.count
            } catch {
                outcome.failures.append(error)
            }
        }

        do throws(MLflowExportError) {
            try await uploadArtifacts(server: server, created: created, outcome: &outcome)
        } catch {
            outcome.failures.append(error)
        }

        let endTime = local.endTime
        if server.info.runName != local.info.name || server.info.status != local.info.status.rawValue || server.info.endTime != endTime {
            do throws(MLflowExportError) {
                try await client.updateRun(runID: server.info.runId, name: local.info.name, status: local.info.status.rawValue, endTime: endTime)
                if !created { outcome.result = .updated }
            } catch {
                outcome.failures.append(error)
            }
        }
        if !created && (outcome.params + outcome.tags + outcome.points + outcome.files) > 0 { outcome.result = .updated }

        if outcome.failures.isEmpty {
            // Last, so that only a run exported in full is skipped next time.
            let marks = [MLflowKeyValue(key: ExportTags.artifactsDigest, value: local.artifactsDigest),
                         MLflowKeyValue(key: ExportTags.exportDigest, value: digest)]
            do throws(MLflowExportError) {
                try await client.logBatch(runID: server.info.runId, batch: LogBatch(tags: marks))
                session.summary.logBatchRequests += 1
            } catch {
                outcome.failures.append(error)
            }
        }
        return outcome
    }

    /// The points of the run's metrics the server does not have. A metric the server has no
    /// value for is sent whole; for the others the server's history is read and compared.
    private func missingMetricPoints(server: MLflowRun, created: Bool) async throws(MLflowExportError) -> [MLflowMetric] {
        if created { return local.metrics }
        let serverKeys = Set((server.data?.metrics ?? []).map(\.key))
        var missing: [MLflowMetric] = []
        var index = local.metrics.startIndex
        while index < local.metrics.endIndex {
            let key = local.metrics[index].key
            var end = index
            while end < local.metrics.endIndex && local.metrics[end].key == key { end += 1 }
            let points = local.metrics[index..<end]
            if serverKeys.contains(key) {
                let have = Set(try await client.metricHistory(runID: server.info.runId, key: key).map(\.identity))
                missing += points.filter { !have.contains($0.identity) }
            } else {
                missing += points
            }
            index = end
        }
        return missing
    }

    /// Uploads the artifact files the server lacks or holds with other contents, through the
    /// artifact proxy.
    ///
    /// Files of another size are sent without looking further. A file of the same size is
    /// downloaded and compared only when the run's artifacts changed since its last complete
    /// export (its digest tag differs); after an interrupted first export the sizes suffice.
    private func uploadArtifacts(server: MLflowRun, created: Bool, outcome: inout Outcome) async throws(MLflowExportError) {
        let previousDigest = server.tag(ExportTags.artifactsDigest)
        guard !local.artifacts.isEmpty, previousDigest != local.artifactsDigest else { return }
        let artifactURI = server.info.artifactUri ?? ""
        guard let root = Self.proxyPath(artifactURI: artifactURI) else {
            throw .artifactsNotProxied(artifactURI: artifactURI)
        }
        let present = created ? [:] : try await client.artifactFiles(under: root)
        for artifact in local.artifacts {
            if let size = present[artifact.path], size == artifact.size {
                guard previousDigest != nil else { continue }
                let remote = try await client.downloadArtifact(path: root + "/" + artifact.path)
                if SHA256.hex(of: remote) == artifact.sha256 { continue }
            }
            let file = local.artifactDirectory.appendingPathComponent(artifact.path)
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw .store(reason: "artifact '\(artifact.path)' of run \(local.info.runID) is recorded but missing at \(file.path)")
            }
            try await client.uploadArtifact(file: file, to: root + "/" + artifact.path)
            outcome.files += 1
            outcome.bytes += artifact.size
            session.summary.artifactFilesUploaded += 1
            session.summary.artifactBytesUploaded += artifact.size
        }
    }

    /// The path under the artifact proxy for an `mlflow-artifacts:` URI
    /// (`mlflow-artifacts:/1/RUN/artifacts` or `mlflow-artifacts://host:port/1/RUN/artifacts`).
    static func proxyPath(artifactURI: String) -> String? {
        let scheme = "mlflow-artifacts:"
        guard artifactURI.hasPrefix(scheme) else { return nil }
        var rest = artifactURI.dropFirst(scheme.count)
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            rest = rest[slash...]
        }
        let path = rest.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        return path.isEmpty ? nil : path
    }
}
