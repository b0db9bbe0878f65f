import Dispatch
import Foundation

/// The featurizer and a compiled model together: scores domain labels in batches on all cores,
/// in process, with no XGBoost call and no allocation per domain (each chunk of labels reuses
/// one feature buffer).
public struct CompiledScorer: Sendable {
    /// The featurizer the model was trained with.
    public let featurizer: Featurizer
    /// The compiled trees or weights.
    public let model: CompiledModel
    /// The dense features the model reads, in its column order (after the hash buckets when
    /// `hashed`).
    public let features: [DomainFeature]
    /// Whether the model reads hashed n-grams followed by the dense features.
    public let hashed: Bool
    /// Scores at or above this are ioc.
    public let threshold: Double
    /// Column names for contributions (`ngram_bucket_N`, then the features).
    let columnNames: [String]
    private let tables: Featurizer.TableUse
    var featureTables: Featurizer.TableUse { tables }
    private let columns: [Int]

    /// Labels per unit of work: large enough that the dispatch overhead vanishes, small enough
    /// that the feature buffer stays in cache and every core gets work.
    static let chunkSize = 2048
    /// Rows the trees walk at a time (see `margins`).
    static let predictionSlice = 256

    /// A scorer for a model over `features` (dense) or hashed n-grams then `features`.
    public init(featurizer: Featurizer, model: CompiledModel, features: [DomainFeature], hashed: Bool, threshold: Double) throws {
        let width = (hashed ? featurizer.configuration.hashing.bucketCount : 0) + features.count
        guard width == model.featureCount else {
            throw AutoMLError.badModel("the model reads \(model.featureCount) columns but its manifest describes \(width)")
        }
        self.featurizer = featurizer
        self.model = model
        self.features = features
        self.hashed = hashed
        self.threshold = threshold
        self.tables = Featurizer.TableUse(features)
        self.columns = features.map(\.columnIndex)
        let buckets = hashed ? featurizer.configuration.hashing.bucketCount : 0
        self.columnNames = (0..<width).map { $0 < buckets ? "ngram_bucket_\($0)" : features[$0 - buckets].rawValue }
    }

    /// Threads `concurrentPerform` uses: every core.
    public static var allCores: Int { ProcessInfo.processInfo.activeProcessorCount }

    // MARK: Probabilities

    /// Probabilities of the ioc class, in input order; `threads` 1 runs on the calling thread.
    public func probabilities(labels: [String], threads: Int = CompiledScorer.allCores) -> [Float] {
        var out = [Float](repeating: 0, count: labels.count)
        out.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let output = SendablePointer(base)
            forEachChunk(labels.count, threads: threads) { range in
                labels.withUnsafeBufferPointer { labels in
                    margins(labels, range, into: output.pointer + range.lowerBound)
                }
                for row in range { output.pointer[row] = CompiledModel.probability(margin: output.pointer[row]) }
            }
        }
        return out
    }

    /// Margins of `labels[range]` into `out` (one per label).
    func margins(_ labels: UnsafeBufferPointer<String>, _ range: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        if hashed {
            var indices: [UInt32] = []
            var values: [Float] = []
            indices.reserveCapacity(64)
            values.reserveCapacity(64)
            withRowBuffer { row in
                for (offset, index) in range.enumerated() {
                    sparseRow(labels[index], row, &indices, &values)
                    out[offset] = indices.withUnsafeBufferPointer { i in values.withUnsafeBufferPointer { v in model.margin(columns: i, values: v) } }
                }
            }
            return
        }
        let width = columns.count
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, range.count * width)) { matrix in
            guard let base = matrix.baseAddress else { return }
            fillDense(labels, range, base)
            // The trees over slices of rows small enough to stay in the L1 cache (256 rows of 22
            // features: 22 KiB) while every tree walks them: the chunk's 180 KiB would come
            // from L2 once per tree.
            var first = 0
            while first < range.count {
                let count = min(Self.predictionSlice, range.count - first)
                model.margins(dense: base + first * width, rowCount: count, into: out + first)
                first += count
            }
        }
    }

    // MARK: Scores with contributions

    /// Probability, class and the three largest contributions of each label, in input order:
    /// exact SHAP values, or (`approximate`) Saabas's path attributions, which cost a few
    /// times the prediction where exact SHAP costs hundreds (see
    /// `CompiledModel.approximateContributions`). A linear model on hashed n-grams always gets
    /// its exact values (weight × value), which cost no more.
    public func scores(labels: [String], threads: Int = CompiledScorer.allCores, approximate: Bool = false) -> [DomainScore] {
        var out = [DomainScore?](repeating: nil, count: labels.count)
        out.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let output = SendablePointer(base)
            forEachChunk(labels.count, threads: threads) { range in
                labels.withUnsafeBufferPointer { labels in
                    score(labels, range, approximate: approximate, into: output.pointer + range.lowerBound)
                }
            }
        }
        return out.map { $0 ?? DomainScore(probability: .nan, predictedClass: "legit", topFeatures: []) }
    }

    private func score(_ labels: UnsafeBufferPointer<String>, _ range: Range<Int>, approximate: Bool, into out: UnsafeMutablePointer<DomainScore?>) {
        var scratch = CompiledModel.SHAPScratch(for: model)
        let width = model.featureCount
        withUnsafeTemporaryAllocation(of: Float.self, capacity: width + 1) { phiBuffer in
            guard let phi = phiBuffer.baseAddress else { return }
            if hashed {
                var indices: [UInt32] = []
                var values: [Float] = []
                withRowBuffer { row in
                    for (offset, index) in range.enumerated() {
                        sparseRow(labels[index], row, &indices, &values)
                        indices.withUnsafeBufferPointer { i in
                            values.withUnsafeBufferPointer { v in
                                let margin = model.margin(columns: i, values: v)
                                model.contributions(columns: i, values: v, into: phi, scratch: &scratch)
                                out[offset] = result(margin: margin, phi: phi, candidates: i.map { Int($0) }, row: nil)
                            }
                        }
                    }
                }
                return
            }
            let dense = columns.count
            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, range.count * dense)) { matrix in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, range.count)) { marginBuffer in
                guard let base = matrix.baseAddress, let margins = marginBuffer.baseAddress else { return }
                fillDense(labels, range, base)
                // The whole chunk in one call (the prediction's walk: one tree's nodes stay in
                // cache for every row, and rows walk side by side), not row by row.
                model.margins(dense: base, rowCount: range.count, into: margins)
                if approximate {
                    let stride = width + 1
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: max(1, range.count * stride)) { phis in
                        guard let phis = phis.baseAddress else { return }
                        model.approximateContributions(dense: base, rowCount: range.count, into: phis)
                        for offset in 0..<range.count {
                            out[offset] = result(margin: margins[offset], phi: phis + offset * stride, candidates: nil,
                                                 row: UnsafeBufferPointer(start: base + offset * dense, count: dense))
                        }
                    }
                    return
                }
                for offset in 0..<range.count {
                    model.contributions(dense: base + offset * dense, into: phi, scratch: &scratch)
                    out[offset] = result(margin: margins[offset], phi: phi, candidates: nil,
                                         row: UnsafeBufferPointer(start: base + offset * dense, count: dense))
                }
            }
            }
        }
    }

    /// The score from a margin and its contributions: the three largest by magnitude (nonzero),
    /// ties to the lower column, as a stable sort of the library's output gives. `row` is the
    /// featurized row, when its columns are the model's: each contribution then carries its
    /// feature's value, which saves featurizing the label again to explain it.
    private func result(margin: Float, phi: UnsafeMutablePointer<Float>, candidates: [Int]?, row: UnsafeBufferPointer<Float>?) -> DomainScore {
        // The three kept in locals, largest first (an array here was a heap allocation per row).
        var columns = (-1, -1, -1)
        var magnitudes: (Float, Float, Float) = (-1, -1, -1)
        func consider(_ column: Int) {
            let value = phi[column]
            guard value != 0, !value.isNaN else { return }
            let magnitude = abs(value)
            // Strictly larger moves ahead: ties keep the lower column first.
            if magnitude > magnitudes.0 {
                columns = (column, columns.0, columns.1)
                magnitudes = (magnitude, magnitudes.0, magnitudes.1)
            } else if magnitude > magnitudes.1 {
                columns = (columns.0, column, columns.1)
                magnitudes = (magnitudes.0, magnitude, magnitudes.1)
            } else if magnitude > magnitudes.2 {
                columns.2 = column
                magnitudes.2 = magnitude
            }
        }
        if let candidates {
            // Sparse rows: only present columns can contribute (see `contributions(columns:…)`).
            for column in candidates where column < model.featureCount { consider(column) }
        } else {
            for column in 0..<model.featureCount { consider(column) }
        }
        var top: [FeatureContribution] = []
        for column in [columns.0, columns.1, columns.2] where column >= 0 {
            top.append(FeatureContribution(feature: columnNames[column], contribution: Double(phi[column]),
                                           value: row.flatMap { column < $0.count ? Double($0[column]) : nil }))
        }
        let probability = Double(CompiledModel.probability(margin: margin))
        return DomainScore(probability: probability, predictedClass: probability >= threshold ? "ioc" : "legit", topFeatures: top)
    }

    // MARK: Features

    /// Dense feature rows of `labels[range]`, row-major, into `out`.
    func fillDense(_ labels: UnsafeBufferPointer<String>, _ range: Range<Int>, _ out: UnsafeMutablePointer<Float>) {
        featurizer.fillRows(labels, range, columns: columns, tables: tables, into: out)
    }

    /// One hashed n-gram row then the dense features (NaN ones left out), as the training matrix.
    private func sparseRow(_ label: String, _ row: UnsafeMutableBufferPointer<Float>, _ indices: inout [UInt32], _ values: inout [Float]) {
        indices.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        let hashing = featurizer.configuration.hashing
        hashing.appendRow(label, columns: &indices, values: &values)
        guard !columns.isEmpty else { return }
        featurizer.computeAll(DomainInput(label: label), tables: tables, into: row)
        for (offset, column) in columns.enumerated() where !row[column].isNaN {
            indices.append(UInt32(hashing.bucketCount + offset))
            values.append(row[column])
        }
    }

    private func withRowBuffer<R>(_ body: (UnsafeMutableBufferPointer<Float>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: DomainFeature.allCases.count) { body($0) }
    }

    /// Runs `body` over chunks of `0..<count`, on `threads` threads at most.
    private func forEachChunk(_ count: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let chunks = (count + Self.chunkSize - 1) / Self.chunkSize
        guard chunks > 1, threads > 1 else {
            var start = 0
            while start < count {
                body(start..<min(count, start + Self.chunkSize))
                start += Self.chunkSize
            }
            return
        }
        // Spread the chunks over at most `threads` workers, each taking a contiguous run.
        let workers = min(threads, chunks)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var chunk = worker * chunks / workers
            let end = (worker + 1) * chunks / workers
            while chunk < end {
                let start = chunk * Self.chunkSize
                body(start..<min(count, start + Self.chunkSize))
                chunk += 1
            }
        }
    }
}

/// A pointer handed to `concurrentPerform` workers that write disjoint ranges of one buffer.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
