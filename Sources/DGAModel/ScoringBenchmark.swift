import Foundation

/// Throughput of scoring domain labels with a model bundle, for `runme bench score`: the
/// featurizer alone, featurize + compiled predict on one core and on all cores, and featurize +
/// the XGBoost library's predict on one core for comparison.
public enum ScoringBenchmark {
    /// The issue's target for featurize + predict, per core.
    public static let targetPerCore = 1_000_000.0

    /// One measured figure.
    public struct Figure: Sendable {
        /// What was measured.
        public let name: String
        /// Domains per second of wall-clock time.
        public let value: Double
        /// Domains per second of CPU time (all threads of the process): the per-core rate,
        /// which on a shared machine is the meaningful one, since wall-clock time also counts
        /// the time other processes had the cores.
        public let perCPUSecond: Double
        /// The target, when there is one (per core: compared with `perCPUSecond`).
        public let target: Double?
    }

    /// Measures on `labels` (cycled until at least `count` domains per figure), after one warm-up
    /// pass. The SHAP figure uses 20,000 domains (exact TreeSHAP costs O(leaves × depth²) per
    /// tree: hundreds of times dearer than prediction). The compiled figures need a compiled model; a bundle that falls back to the library
    /// gets the library figure only.
    public static func run(bundle: ModelBundle, labels: [String], count: Int, threads: Int = CompiledScorer.allCores,
                           progress: (String) -> Void) throws -> [Figure] {
        guard !labels.isEmpty, count > 0 else { throw AutoMLError.invalidSetting("nothing to score: no labels") }
        var batch: [String] = []
        batch.reserveCapacity(count)
        while batch.count < count { batch += labels.prefix(count - batch.count) }
        var figures: [Figure] = []
        if let compiled = bundle.compiled {
            progress("model: \(compiled.model.boosterName), \(compiled.model.treeCount) trees, "
                     + String(format: "%.0f split tests per prediction, ", compiled.model.splitTestsPerPrediction)
                     + "\(compiled.model.featureCount) columns; \(batch.count) domains per figure")
            _ = compiled.probabilities(labels: Array(batch.prefix(100_000)), threads: 1)
            let featurize = measure("featurize only, 1 core", batch.count, progress) { compiled.featurizeChecksum(labels: batch) }
            figures.append(Figure(name: "featurize only, 1 core", value: featurize.wall, perCPUSecond: featurize.cpu, target: nil))
            let one = measure("featurize + compiled predict, 1 core", batch.count, progress) {
                compiled.probabilities(labels: batch, threads: 1).reduce(0, +)
            }
            figures.append(Figure(name: "featurize + compiled predict, 1 core", value: one.wall, perCPUSecond: one.cpu, target: targetPerCore))
            let all = measure("featurize + compiled predict, \(threads) cores", batch.count, progress) {
                compiled.probabilities(labels: batch, threads: threads).reduce(0, +)
            }
            // The target is per core, so it is checked on the one-core figure only.
            figures.append(Figure(name: "featurize + compiled predict, \(threads) cores", value: all.wall, perCPUSecond: all.cpu, target: nil))
            let shapCount = min(batch.count, 20_000)
            let shap = measure("featurize + predict + top-3 SHAP, \(threads) cores", shapCount, progress) {
                Float(compiled.scores(labels: Array(batch.prefix(shapCount)), threads: threads).count)
            }
            figures.append(Figure(name: "featurize + predict + top-3 SHAP (exact TreeSHAP), \(threads) cores", value: shap.wall, perCPUSecond: shap.cpu, target: nil))
            let approximate = measure("featurize + predict + top-3 path attributions, \(threads) cores", batch.count, progress) {
                Float(compiled.scores(labels: batch, threads: threads, approximate: true).count)
            }
            figures.append(Figure(name: "featurize + predict + top-3 path attributions (--top-features approx), \(threads) cores",
                                  value: approximate.wall, perCPUSecond: approximate.cpu, target: nil))
        } else {
            progress("the model is not compiled (\(bundle.compiledFallbackReason ?? "?")): library figures only")
        }
        let libraryCount = min(batch.count, 100_000)
        let library = try measureThrowing("featurize + XGBoost library predict, 1 XGBoost thread", libraryCount, progress) {
            Float(try bundle.libraryProbabilities(labels: Array(batch.prefix(libraryCount))).reduce(0, +))
        }
        figures.append(Figure(name: "featurize + XGBoost library predict (DMatrix, 1 thread)", value: library.wall, perCPUSecond: library.cpu, target: nil))
        return figures
    }

    private static func measure(_ name: String, _ count: Int, _ progress: (String) -> Void, _ body: () -> Float) -> (wall: Double, cpu: Double) {
        // Never throws: the closure does not.
        (try? measureThrowing(name, count, progress, body)) ?? (0, 0)
    }

    private static func measureThrowing(_ name: String, _ count: Int, _ progress: (String) -> Void,
                                        _ body: () throws -> Float) throws -> (wall: Double, cpu: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = processCPUSeconds()
        let checksum = try body()
        let cpu = processCPUSeconds() - cpuStart
        let elapsed = start.duration(to: clock.now)
        let seconds = elapsed / .seconds(1)
        let rate = seconds > 0 ? Double(count) / seconds : 0
        let cpuRate = cpu > 0 ? Double(count) / cpu : 0
        progress("\(name): \(count) domains in \(String(format: "%.3f", seconds)) s wall, \(String(format: "%.3f", cpu)) s CPU = \(Int(rate)) domains/s, \(Int(cpuRate)) per CPU second (checksum \(checksum))")
        return (rate, cpuRate)
    }

    /// CPU time of every thread of this process, in seconds.
    static func processCPUSeconds() -> Double {
        var time = timespec()
        guard clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}

extension CompiledScorer {
    /// Featurizes `labels` on the calling thread, in chunks as scoring does, and sums the first
    /// two columns (so the work is not optimised away): the featurizer's share of scoring, for
    /// the benchmark.
    public func featurizeChecksum(labels: [String]) -> Float {
        let width = features.count
        var sum: Float = 0
        withUnsafeTemporaryAllocation(of: Float.self, capacity: Self.chunkSize * max(1, width)) { matrix in
            guard let base = matrix.baseAddress else { return }
            labels.withUnsafeBufferPointer { labels in
                var start = 0
                while start < labels.count {
                    let range = start..<min(labels.count, start + Self.chunkSize)
                    fillDense(labels, range, base)
                    for row in 0..<range.count where width > 0 {
                        sum += base[row * width] + (width > 1 ? base[row * width + 1] : 0)
                    }
                    start = range.upperBound
                }
            }
        }
        return sum
    }
}
