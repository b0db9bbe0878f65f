import Foundation

/// How many objects of one kind an export created, updated, left as they were, or failed on.
public struct ExportCounts: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var skipped = 0
    public var failed = 0

    public init(created: Int = 0, updated: Int = 0, skipped: Int = 0, failed: Int = 0) {
        self.created = created
        self.updated = updated
        self.skipped = skipped
        self.failed = failed
    }

    /// Whether anything was written.
    public var changedAnything: Bool { created + updated > 0 }
}

/// One object the export could not (fully) write, and why.
public struct ExportFailure: Sendable, Equatable, CustomStringConvertible {
    /// What it was, e.g. `run trial-3-xgboost (3f2a19c0…)` or `model dns_dga version 2`.
    public var object: String
    public var error: MLflowExportError

    public var description: String { "\(object): \(error)" }
}

/// What an export did.
public struct MLflowExportSummary: Sendable, Equatable {
    public var experiments = ExportCounts()
    public var runs = ExportCounts()
    public var registeredModels = ExportCounts()
    public var modelVersions = ExportCounts()
    public var aliases = ExportCounts()
    /// Entities sent through `runs/log-batch`.
    public var paramsLogged = 0
    public var tagsLogged = 0
    public var metricPointsLogged = 0
    public var logBatchRequests = 0
    /// Files uploaded through the artifact proxy, and their bytes.
    public var artifactFilesUploaded = 0
    public var artifactBytesUploaded: Int64 = 0
    /// Model versions left out because their run is not part of this export, or their source is
    /// not a `runs:/` URI.
    public var modelVersionsNotInExport = 0
    public var failures: [ExportFailure] = []
    public var duration: Duration = .zero

    public init() {}

    /// Whether a second export would have nothing to do (everything skipped, nothing failed).
    public var changedAnything: Bool {
        experiments.changedAnything || runs.changedAnything || registeredModels.changedAnything
            || modelVersions.changedAnything || aliases.changedAnything
    }

    /// The lines the CLI prints at the end.
    public var lines: [String] {
        func row(_ name: String, _ counts: ExportCounts) -> String {
            var text = "\(name): \(counts.created) created, \(counts.updated) updated, \(counts.skipped) unchanged"
            if counts.failed > 0 { text += ", \(counts.failed) failed" }
            return text
        }
        var lines = [
            row("experiments", experiments), row("runs", runs), row("registered models", registeredModels),
            row("model versions", modelVersions), row("aliases", aliases),
            "sent: \(paramsLogged) params, \(tagsLogged) tags, \(metricPointsLogged) metric points in \(logBatchRequests) log-batch requests; \(artifactFilesUploaded) artifact files (\(Self.bytes(artifactBytesUploaded)))",
        ]
        if modelVersionsNotInExport > 0 {
            lines.append("\(modelVersionsNotInExport) model versions left out: their runs are not part of this export")
        }
        let seconds = duration / .seconds(1)
        lines.append(String(format: "took %.1f s", seconds))
        return lines
    }

    static func bytes(_ count: Int64) -> String {
        if count < 1024 { return "\(count) B" }
        if count < 1 << 20 { return String(format: "%.1f KiB", Double(count) / 1024) }
        return String(format: "%.1f MiB", Double(count) / 1_048_576)
    }
}

/// Receives what an export is doing, for a progress bar and per-object lines.
public protocol MLflowExportProgress: Sendable {
    /// The export has `total` objects (runs and registered models) to go through.
    func begin(total: Int)
    /// One object is done; `line` says what happened to it, `changed` whether anything was written.
    func finished(object line: String, changed: Bool, done: Int, total: Int)
    /// An object failed.
    func failed(_ failure: ExportFailure)
    /// The export ended.
    func end()
}
