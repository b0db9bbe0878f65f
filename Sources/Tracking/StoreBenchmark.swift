import Foundation

/// One measured figure of a benchmark.
public struct BenchmarkFigure: Sendable, Equatable, CustomStringConvertible {
    /// What was measured, for example "runs/s, one call at a time".
    public let name: String
    /// The measured rate.
    public let value: Double
    /// The unit of `value` (and of the reference and target).
    public let unit: String
    /// The same workload through MLflow 3.17's Python client and local store, measured on
    /// the development machine, when there is one.
    public let mlflowReference: Double?
    /// The product requirement, when there is one.
    public let target: Double?

    /// A figure; reference and target are in the same unit as the value.
    public init(name: String, value: Double, unit: String, mlflowReference: Double? = nil, target: Double? = nil) {
        self.name = name
        self.value = value
        self.unit = unit
        self.mlflowReference = mlflowReference
        self.target = target
    }

    /// Whether the value reaches the target; nil when there is no target.
    public var meetsTarget: Bool? { target.map { value >= $0 } }

    /// One line: the value, whether it meets the target, and the ratio to MLflow.
    public var description: String {
        var text = "\(name): \(Self.format(value)) \(unit)"
        if let target { text += " (target \(Self.format(target)): \(value >= target ? "met" : "NOT met"))" }
        if let mlflowReference { text += " (MLflow \(Self.format(mlflowReference)), ×\(Self.format(value / mlflowReference)))" }
        return text
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String(format: "%.1f", value)
    }
}

/// Measures the tracking store on the workloads of the product requirements, in a fresh
/// store. Meaningful only in a release build.
public enum StoreBenchmark {
    /// How much work each measurement does.
    public struct Sizes: Sendable {
        /// Runs logged one call at a time (createRun, 10 logParam, 20 logMetric, endRun each).
        public var runs: Int
        /// Runs logged with one logBatch each (10 params and 20 metric points).
        public var batchedRuns: Int
        /// Points of one metric logged one logMetric call at a time.
        public var steps: Int
        /// Points logged in one logBatch call.
        public var batchPoints: Int

        /// Custom sizes; see `standard` and `smoke`.
        public init(runs: Int, batchedRuns: Int, steps: Int, batchPoints: Int) {
            self.runs = runs
            self.batchedRuns = batchedRuns
            self.steps = steps
            self.batchPoints = batchPoints
        }

        /// The sizes of the requirements: 2,000 runs each way, 10,000 steps, 100,000 points.
        public static let standard = Sizes(runs: 2_000, batchedRuns: 2_000, steps: 10_000, batchPoints: 100_000)
        /// A quick pass that exercises every path (for tests).
        public static let smoke = Sizes(runs: 20, batchedRuns: 20, steps: 200, batchPoints: 2_000)
    }

    /// Runs the measurements in a new store under `directory` (a subdirectory that is
    /// removed afterwards; `directory` is created if needed) and returns one figure each.
    ///
    /// - Parameter progress: called with a line of text before and after each measurement.
    public static func run(in directory: URL, sizes: Sizes = .standard, progress: (String) -> Void) throws -> [BenchmarkFigure] {
        let storeDirectory = directory.appendingPathComponent("runme-store-benchmark-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: storeDirectory) }
        let store = try TrackingStore.open(at: storeDirectory)
        let experiment = try store.createExperiment(name: "benchmark")
        var figures: [BenchmarkFigure] = []

        func measure(_ name: String, count: Int, unit: String, mlflow: Double?, target: Double?, _ body: () throws -> Void) throws {
            progress("\(name): \(count) \(unit.replacingOccurrences(of: "/s", with: ""))…")
            let clock = ContinuousClock()
            let elapsed = try clock.measure(body)
            let seconds = elapsed / .seconds(1)
            let figure = BenchmarkFigure(name: name, value: Double(count) / max(seconds, 1e-9), unit: unit, mlflowReference: mlflow, target: target)
            progress("  \(figure)")
            figures.append(figure)
        }

        let paramNames = (0..<10).map { "param_\($0)" }
        let metricNames = (0..<4).map { "metric_\($0)" }

        try measure("runs, one call at a time", count: sizes.runs, unit: "runs/s", mlflow: 4.8, target: 1_000) {
            for index in 0..<sizes.runs {
                let run = try store.createRun(experimentID: experiment.id, name: "run-\(index)")
                for (offset, name) in paramNames.enumerated() {
                    try store.logParam(runID: run.runID, key: name, value: "value-\(index)-\(offset)")
                }
                // 20 points: 4 metrics over 5 steps, the shape of a short training loop.
                for step in 0..<5 {
                    for (offset, name) in metricNames.enumerated() {
                        try store.logMetric(runID: run.runID, key: name, value: Double(index * 100 + step * 4 + offset), step: step)
                    }
                }
                try store.endRun(run.runID, status: .finished)
            }
        }

        try measure("runs, batched (one logBatch per run)", count: sizes.batchedRuns, unit: "runs/s", mlflow: 23.5, target: nil) {
            for index in 0..<sizes.batchedRuns {
                let run = try store.createRun(experimentID: experiment.id, name: "batched-\(index)")
                var params: [String: String] = [:]
                for (offset, name) in paramNames.enumerated() { params[name] = "value-\(index)-\(offset)" }
                let now = Date()
                var metrics: [Metric] = []
                metrics.reserveCapacity(20)
                for (offset, name) in metricNames.enumerated() {
                    for step in 0..<5 {
                        metrics.append(Metric(key: name, value: Double(index * 100 + step * 4 + offset), step: step, timestamp: now))
                    }
                }
                try store.logBatch(runID: run.runID, params: params, metrics: metrics)
                try store.endRun(run.runID, status: .finished)
            }
        }

        let stepsRun = try store.createRun(experimentID: experiment.id, name: "steps")
        try measure("metric points, one call at a time", count: sizes.steps, unit: "points/s", mlflow: 129, target: 20_000) {
            for step in 0..<sizes.steps {
                try store.logMetric(runID: stepsRun.runID, key: "loss", value: 1.0 / Double(step + 1), step: step)
            }
        }

        let batchRun = try store.createRun(experimentID: experiment.id, name: "batch")
        let start = Date()
        let points = (0..<sizes.batchPoints).map { step in
            Metric(key: "loss", value: 1.0 / Double(step + 1), step: step, timestamp: start.addingTimeInterval(Double(step) * 1e-3))
        }
        try measure("metric points, one logBatch", count: sizes.batchPoints, unit: "points/s", mlflow: 4_700, target: 200_000) {
            try store.logBatch(runID: batchRun.runID, metrics: points)
        }

        var history: [Metric] = []
        try measure("metric history read", count: sizes.batchPoints, unit: "points/s", mlflow: nil, target: nil) {
            history = try store.metricHistory(runID: batchRun.runID, key: "loss")
        }
        // A benchmark that silently lost data would measure nothing.
        guard history.count == sizes.batchPoints,
              try store.metricHistory(runID: stepsRun.runID, key: "loss").count == sizes.steps,
              try store.runs(experimentID: experiment.id).count == sizes.runs + sizes.batchedRuns + 2 else {
            throw TrackingError.invalidArgument("the store benchmark read back fewer rows than it wrote; the store at \(storeDirectory.path) is inconsistent.")
        }
        return figures
    }
}
