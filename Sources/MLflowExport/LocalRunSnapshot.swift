import Digest
import Foundation
import Tracking

/// Tags the export adds to every MLflow run, besides the run's own tags.
public enum ExportTags {
    /// The runme run id: how a later export finds the run it made (the idempotency key).
    public static let runID = "runme.run_id"
    /// A digest of everything exported for the run; equal means the run is unchanged.
    public static let exportDigest = "runme.export_digest"
    /// A digest of the run's artifact files (paths and SHA-256).
    public static let artifactsDigest = "runme.artifacts_digest"
    /// The job run and task that logged the run, when a job did.
    public static let jobRunID = "runme.job_run_id"
    public static let taskKey = "runme.task_key"
    /// MLflow's own tag for nested runs; the UI shows a run under the run this names.
    public static let parentRunID = "mlflow.parentRunId"
    /// On model versions: the runme version number the MLflow version stands for.
    public static let modelVersion = "runme.model_version"
}

/// Everything runme's store holds about one run, in the shape the export sends.
struct LocalRunSnapshot {
    let info: RunInfo
    let params: [MLflowKeyValue]
    /// The run's own tags plus `runme.run_id` and the job tags (not the parent tag, which
    /// needs the parent's MLflow id).
    let tags: [MLflowKeyValue]
    /// Every point of every metric, by key, then step, then timestamp.
    let metrics: [MLflowMetric]
    let artifacts: [Artifact]
    let artifactDirectory: URL

    init(store: TrackingStore, info: RunInfo) throws(MLflowExportError) {
        do {
            self.info = info
            params = try store.params(runID: info.runID).sorted { $0.key < $1.key }.map { MLflowKeyValue(key: $0.key, value: $0.value) }
            var tags = try store.tags(runID: info.runID)
            tags[ExportTags.runID] = info.runID
            if let job = info.jobRunID { tags[ExportTags.jobRunID] = String(job) }
            if let task = info.taskKey { tags[ExportTags.taskKey] = task }
            self.tags = tags.sorted { $0.key < $1.key }.map { MLflowKeyValue(key: $0.key, value: $0.value) }
            var metrics: [MLflowMetric] = []
            for key in try store.latestMetrics(runID: info.runID).keys.sorted() {
                for point in try store.metricHistory(runID: info.runID, key: key) {
                    metrics.append(MLflowMetric(key: key, value: point.value, timestamp: Self.milliseconds(point.timestamp), step: Int64(point.step)))
                }
            }
            self.metrics = metrics
            artifacts = try store.artifacts(runID: info.runID)
            artifactDirectory = try store.artifactDirectory(runID: info.runID)
        } catch let error as MLflowExportError {
            throw error
        } catch {
            throw .store(reason: "run \(info.runID): \(error)")
        }
    }

    /// MLflow keeps times in whole milliseconds.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    var startTime: Int64 { Self.milliseconds(info.startTime) }
    var endTime: Int64? { info.endTime.map(Self.milliseconds) }

    /// The digest of the artifact files: paths and contents.
    var artifactsDigest: String {
        SHA256.hex(of: artifacts.map { "\($0.path)\t\($0.sha256)\n" }.joined())
    }

    /// The digest of everything exported for the run, including the MLflow id of its parent
    /// (a parent exported anew means the child's parent tag must change).
    func exportDigest(parentMLflowRunID: String?) -> String {
        var text = "v1\nname=\(info.name)\nstatus=\(info.status.rawValue)\nstart=\(startTime)\nend=\(endTime.map(String.init) ?? "")\n"
        text += "parent=\(parentMLflowRunID ?? "")\n"
        for param in params { text += "p\t\(param.key)\t\(param.value)\n" }
        for tag in tags { text += "t\t\(tag.key)\t\(tag.value)\n" }
        for metric in metrics {
            text += "m\t\(metric.key)\t\(metric.step)\t\(metric.timestamp)\t\(MLflowMetric.canonical(metric.value))\n"
        }
        text += "a\t\(artifactsDigest)\n"
        return SHA256.hex(of: text)
    }

    /// A short name for messages: `run NAME (first 8 of the id)`.
    var label: String { "run \(info.name) (\(info.runID.prefix(8)))" }
}
