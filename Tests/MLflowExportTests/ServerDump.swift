import Foundation
import TestSupport

/// What an MLflow server holds, as MLflow's own Python client reads it.
struct ServerDump: Decodable, Equatable {
    struct Run: Decodable, Equatable {
        var runId: String
        var experimentId: String
        var name: String
        var status: String
        var startTime: Int64
        var endTime: Int64?
        var artifactUri: String
        var params: [String: String]
        var tags: [String: String]
        /// Key → points as [step, timestamp, value]; values "NaN"/"Infinity" as strings.
        var metrics: [String: [Point]]
        /// Path → [size, sha256], from downloading every file.
        var artifacts: [String: FileInfo]
    }

    struct Point: Decodable, Equatable {
        var step: Int64
        var timestamp: Int64
        var value: Double

        /// NaN equals NaN here: two dumps of one server must compare equal.
        static func == (lhs: Point, rhs: Point) -> Bool {
            lhs.step == rhs.step && lhs.timestamp == rhs.timestamp && lhs.value.bitPattern == rhs.value.bitPattern
                || (lhs.step == rhs.step && lhs.timestamp == rhs.timestamp && lhs.value.isNaN && rhs.value.isNaN)
        }
    }

    /// runme run id → the server's run, over every experiment.
    var runsByRunmeID: [String: Run] {
        var result: [String: Run] = [:]
        for runs in runs.values {
            for run in runs { if let id = run.tags["runme.run_id"] { result[id] = run } }
        }
        return result
    }

    struct FileInfo: Decodable, Equatable {
        var size: Int64
        var sha256: String
    }

    struct Version: Decodable, Equatable {
        var version: String
        var source: String
        var runId: String
        var description: String
        var tags: [String: String]
    }

    struct Model: Decodable, Equatable {
        var description: String
        var aliases: [String: String]
        var versions: [Version]
    }

    /// Experiment name → id.
    var experiments: [String: String]
    /// Experiment name → its active runs.
    var runs: [String: [Run]]
    var models: [String: Model]

    /// Reads the server at `trackingURI` with `mlflow.MlflowClient`: the named experiments and
    /// models (the suite's tests share one server, so each reads only its own).
    static func read(_ trackingURI: String, experiments: [String], models: [String]) throws -> ServerDump {
        let selection = String(decoding: try JSONEncoder().encode(["experiments": experiments, "models": models]), as: UTF8.self)
        let output = try LocalServers.runPython(script, arguments: [trackingURI, selection], timeout: 300)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(ServerDump.self, from: Data(output.utf8))
    }

    static let script = #"""
import os
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ["DO_NOT_TRACK"] = "true"
import hashlib, json, math, sys, tempfile
import mlflow
from mlflow import MlflowClient

uri = sys.argv[1]
selection = json.loads(sys.argv[2])
client = MlflowClient(tracking_uri=uri)

def number(value):
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value

def files(run_id, path=None):
    for item in client.list_artifacts(run_id, path):
        if item.is_dir:
            yield from files(run_id, item.path)
        else:
            yield item.path

out = {"experiments": {}, "runs": {}, "models": {}}
for experiment in client.search_experiments():
    if experiment.name not in selection["experiments"]:
        continue
    out["experiments"][experiment.name] = experiment.experiment_id
    runs = []
    for run in client.search_runs([experiment.experiment_id], max_results=50000):
        info, data = run.info, run.data
        metrics = {}
        for key in data.metrics:
            history = client.get_metric_history(info.run_id, key)
            metrics[key] = [{"step": m.step, "timestamp": m.timestamp, "value": number(m.value)} for m in history]
        artifacts = {}
        with tempfile.TemporaryDirectory() as scratch:
            for path in files(info.run_id):
                local = mlflow.artifacts.download_artifacts(run_id=info.run_id, artifact_path=path, dst_path=scratch, tracking_uri=uri)
                with open(local, "rb") as handle:
                    content = handle.read()
                artifacts[path] = {"size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
        runs.append({
            "run_id": info.run_id, "experiment_id": info.experiment_id, "name": info.run_name, "status": info.status,
            "start_time": info.start_time, "end_time": info.end_time, "artifact_uri": info.artifact_uri,
            "params": data.params, "tags": data.tags, "metrics": metrics, "artifacts": artifacts,
        })
    out["runs"][experiment.name] = runs
for model in client.search_registered_models():
    if model.name not in selection["models"]:
        continue
    versions = client.search_model_versions("name='%s'" % model.name)
    out["models"][model.name] = {
        "description": model.description or "",
        "aliases": {alias: str(version) for alias, version in model.aliases.items()},
        "versions": [{"version": str(v.version), "source": v.source, "run_id": v.run_id or "",
                      "description": v.description or "", "tags": v.tags} for v in versions],
    }
print(json.dumps(out))
"""#
}
