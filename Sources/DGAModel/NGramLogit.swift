import CLinear
import CPrefetch
import Foundation

/// A logistic regression over a label's hashed character n-grams (`NGramHashing`), fitted on
/// the training labels of both classes with LIBLINEAR: the featurizer's `ngram_logit`, the
/// log-odds that a label is machine-made judged by its n-grams alone.
///
/// The dense features summarise n-grams (counts among popular labels and words, a trigram
/// model); this weighs every n-gram by what it says about the class, which the trees cannot
/// rebuild from those summaries. As a feature of the trees (stacking) it raised out-of-fold F1
/// by about 0.01 on the sample lists; as a model of its own (the search's `linear` trials) it is
/// far weaker than the trees. It is fitted like the popular n-gram table: on the whole training
/// split for the featurizer that is saved, and out of fold for the training rows' own features.
public struct NGramLogit: Sendable, Equatable {
    /// LIBLINEAR's inverse regularisation strength (its `-c`).
    public static let defaultCost = 1.0
    /// LIBLINEAR's stopping tolerance for L2-regularised logistic regression (its default).
    static let tolerance = 0.01
    /// Sets LIBLINEAR's print function (a process-wide pointer) to one that drops its solver's
    /// progress lines, once, before the first fit: folds are fitted on several threads.
    private static let quiet: Void = runme_linear_silence()

    /// One weight per hash bucket (0 for buckets no training label filled), as fitted.
    public let weights: [Float]
    /// The intercept.
    public let bias: Float
    /// The weights as the feature reads them: rounded to multiples of `step`, in 16 bits. Half
    /// the bytes of `weights` (128 KB for 2^16 buckets), so that fewer of a label's n-grams
    /// miss the cache, and summed as integers. Training rows and scored rows alike read these,
    /// so the rounding (at most half a step, about 1e-4 of a weight's range) is part of the
    /// feature's definition, not a difference between training and scoring.
    let packed: [Int16]
    /// The value of one unit of `packed`: the largest weight's magnitude over 32,767.
    let step: Float

    init(weights: [Float], bias: Float) {
        self.weights = weights
        self.bias = bias
        let largest = weights.reduce(Float(0)) { max($0, abs($1)) }
        let step = largest > 0 && largest.isFinite ? largest / 32_767 : 1
        self.step = step
        self.packed = weights.map { weight in
            let units = (weight / step).rounded()
            return units.isFinite ? Int16(max(-32_767, min(32_767, units))) : 0
        }
    }

    /// A bucket's weight as the feature reads it (`packed` times `step`).
    func weight(bucket: Int) -> Float { Float(packed[bucket]) * step }

    /// Fits the regression: L2-regularised logistic regression (LIBLINEAR's primal solver,
    /// `-s 0`) with a bias term, classes weighted inversely to their counts (as scikit-learn's
    /// `class_weight="balanced"`: ioc rows are a few percent of the training rows), over the
    /// rows `hashing` makes of each label.
    ///
    /// - Parameters:
    ///   - legitLabels: legit labels (duplicates are dropped).
    ///   - iocLabels: machine-made labels (duplicates are dropped).
    ///   - hashing: the n-grams and buckets.
    ///   - cost: LIBLINEAR's C.
    /// - Throws: `FeaturizerError.emptyReference` when a class has no label;
    ///   `FeaturizerError.invalidConfiguration` when LIBLINEAR refuses the problem.
    public static func fit(legitLabels: [String], iocLabels: [String], hashing: NGramHashing, cost: Double = defaultCost) throws -> NGramLogit {
        try hashing.validate()
        let legit = NGramTable.uniqueNormalized(legitLabels)
        let ioc = NGramTable.uniqueNormalized(iocLabels)
        guard !legit.isEmpty, !ioc.isEmpty else {
            throw FeaturizerError.emptyReference("the n-gram regression needs legit and ioc labels (\(legit.count) legit, \(ioc.count) ioc)")
        }
        var columns: [UInt32] = [], values: [Float] = [], offsets = [0]
        for label in legit + ioc {
            hashing.appendRow(label, columns: &columns, values: &values)
            offsets.append(values.count)
        }
        let rowCount = legit.count + ioc.count
        // LIBLINEAR's rows: 1-based feature indices, then the bias feature (index n), then -1.
        let biasIndex = Int32(hashing.bucketCount + 1)
        var nodes = [feature_node]()
        nodes.reserveCapacity(values.count + 2 * rowCount)
        var starts = [Int]()
        starts.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            starts.append(nodes.count)
            for position in offsets[row]..<offsets[row + 1] {
                nodes.append(feature_node(index: Int32(columns[position]) + 1, value: Double(values[position])))
            }
            nodes.append(feature_node(index: biasIndex, value: 1))
            nodes.append(feature_node(index: -1, value: 0))
        }
        var targets = [Double](repeating: 0, count: legit.count) + [Double](repeating: 1, count: ioc.count)
        var classLabels: [Int32] = [0, 1]
        var classWeights = [Double(rowCount) / (2 * Double(legit.count)), Double(rowCount) / (2 * Double(ioc.count))]

        return try nodes.withUnsafeMutableBufferPointer { nodeBuffer in
            guard let base = nodeBuffer.baseAddress else {
                throw FeaturizerError.emptyReference("the n-gram regression has no rows")
            }
            var rows: [UnsafeMutablePointer<feature_node>?] = starts.map { base + $0 }
            return try rows.withUnsafeMutableBufferPointer { rowBuffer in
                try targets.withUnsafeMutableBufferPointer { targetBuffer in
                    try classLabels.withUnsafeMutableBufferPointer { labelBuffer in
                        try classWeights.withUnsafeMutableBufferPointer { weightBuffer in
                            var task = problem(l: Int32(rowCount), n: biasIndex, y: targetBuffer.baseAddress,
                                               x: rowBuffer.baseAddress, bias: 1)
                            var settings = parameter(solver_type: Int32(L2R_LR), eps: tolerance, C: cost, nr_weight: 2,
                                                      weight_label: labelBuffer.baseAddress, weight: weightBuffer.baseAddress,
                                                      p: 0.1, init_sol: nil)
                            if let refusal = check_parameter(&task, &settings) {
                                throw FeaturizerError.invalidConfiguration("LIBLINEAR: \(String(cString: refusal))")
                            }
                            _ = quiet
                            var trained = train(&task, &settings)
                            defer { free_and_destroy_model(&trained) }
                            guard let fitted = trained else { throw FeaturizerError.invalidConfiguration("LIBLINEAR returned no model") }
                            return try extract(fitted, bucketCount: hashing.bucketCount)
                        }
                    }
                }
            }
        }
    }

    /// The ioc class's weights and intercept from a trained model (LIBLINEAR orients a binary
    /// model towards the first label it met, so the ioc side is looked up).
    private static func extract(_ trained: UnsafeMutablePointer<model>, bucketCount: Int) throws -> NGramLogit {
        var labels: [Int32] = [0, 0]
        guard get_nr_class(trained) == 2 else { throw FeaturizerError.invalidConfiguration("LIBLINEAR fitted \(get_nr_class(trained)) classes, not 2") }
        get_labels(trained, &labels)
        guard let iocSide = labels.firstIndex(of: 1) else { throw FeaturizerError.invalidConfiguration("LIBLINEAR lost the ioc class") }
        let side = Int32(iocSide)
        let featureCount = Int(get_nr_feature(trained))
        var weights = [Float](repeating: 0, count: bucketCount)
        for bucket in 0..<min(bucketCount, featureCount) {
            weights[bucket] = Float(get_decfun_coef(trained, Int32(bucket + 1), side))
        }
        return NGramLogit(weights: weights, bias: Float(get_decfun_bias(trained, side)))
    }

    /// The log-odds of ioc for a normalised label: the weights of the row `hashing.appendRow`
    /// makes (each bucket's count, the row scaled to unit length) summed, plus the bias.
    @inline(__always)
    func logit(_ bytes: UnsafeBufferPointer<UInt8>, hashing: NGramHashing) -> Float {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: hashing.bucketCapacity(length: bytes.count)) { buckets in
            logit(buckets: UnsafeBufferPointer(rebasing: buckets[0..<hashing.buckets(bytes, into: buckets)]))
        }
    }

    /// The log-odds from a label's buckets (as `NGramHashing.buckets` writes them): Σ over the n-grams of
    /// their bucket's weight (a bucket met c times adds c times its weight; summed exactly, in
    /// units of `step`) divided by the row's length √(Σc²), plus the bias.
    ///
    /// No sort and no row, as `appendRow` builds: it runs for every label scored. Σc² grows by
    /// 2c + 1 when a bucket comes again, c being its earlier occurrences; a 512-bit mask of
    /// buckets seen lets most n-grams skip the search for those (a label's buckets rarely
    /// repeat). With 128 bits, a label's 30-odd buckets set a quarter of them, and the searches
    /// the false matches started (each ending in a mispredicted branch) were an eighth of the
    /// featurizer's time.
    @inline(__always)
    func logit(buckets: UnsafeBufferPointer<UInt32>) -> Float {
        packed.withUnsafeBufferPointer { weights in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Self.maskWords) { mask in
                mask.initialize(repeating: 0)
                var sum = 0
                var squares = 0
                for index in 0..<buckets.count {
                    let bucket = buckets[index]
                    sum += Int(weights[Int(bucket)])
                    let word = Int(bucket >> 6) & (Self.maskWords - 1)
                    let bit: UInt64 = 1 << UInt64(bucket & 63)
                    var earlier = 0
                    if mask[word] & bit != 0 {
                        for previous in 0..<index where buckets[previous] == bucket { earlier += 1 }
                    } else {
                        mask[word] |= bit
                    }
                    squares += 2 * earlier + 1
                }
                return squares > 0 ? Float(sum) * step / Float(squares).squareRoot() + bias : bias
            }
        }
    }

    /// 64-bit words of `logit(buckets:)`'s mask of buckets seen (a power of two).
    private static let maskWords = 8
}

extension NGramLogit {
    /// A raw view of the weights for `prefetch`; valid only inside the body of `withPrefetcher`.
    struct Prefetcher {
        let weights: UnsafePointer<Int16>
        let hashing: NGramHashing

        /// Writes the label's buckets into `out` (see `NGramHashing.buckets`; at least
        /// `bucketCapacity` long) and asks for the cache lines of their weights; returns how
        /// many. The weights (128 KB with the AutoML's 2^16 buckets) fall out of the cache
        /// between labels, behind the n-gram index: a miss per n-gram, each waited for, doubled
        /// the featurizer's time until the batch path asked for them a few labels ahead, and
        /// kept the buckets for `logit(buckets:)` so that each n-gram is hashed once.
        @inline(__always)
        func prefetch(_ bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt32>) -> Int {
            var count = 0
            hashing.forEachBucket(bytes) { bucket in
                out[count] = bucket
                count += 1
                runme_prefetch(weights + Int(bucket))
            }
            return count
        }
    }

    func withPrefetcher<R>(hashing: NGramHashing, _ body: (Prefetcher?) -> R) -> R {
        packed.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count == hashing.bucketCount else { return body(nil) }
            return body(Prefetcher(weights: base, hashing: hashing))
        }
    }
}

extension NGramLogit {
    /// The regression's JSON form in `featurizer.json`: only the non-zero weights, as bucket and
    /// weight lists (most buckets no training label fills).
    struct Stored: Codable, Sendable {
        var bucketCount: Int
        var buckets: [Int]
        var weights: [Float]
        var bias: Float
    }

    /// The JSON form of this regression.
    var stored: Stored {
        var buckets: [Int] = [], nonZero: [Float] = []
        for (bucket, weight) in weights.enumerated() where weight != 0 {
            buckets.append(bucket)
            nonZero.append(weight)
        }
        return Stored(bucketCount: weights.count, buckets: buckets, weights: nonZero, bias: bias)
    }

    /// The regression from its JSON form, for a featurizer hashing into `bucketCount` buckets:
    /// the counts are compared before any table is allocated, so that a damaged file cannot ask
    /// for gigabytes.
    ///
    /// - Throws: `FeaturizerError.invalidReference` when the stored count is not `bucketCount`,
    ///   the lists differ in length, or a bucket is out of range or listed twice.
    init(stored: Stored, bucketCount: Int) throws {
        guard stored.bucketCount == bucketCount else {
            throw FeaturizerError.invalidReference("the n-gram regression has \(stored.bucketCount) weights for \(bucketCount) hash buckets")
        }
        guard stored.buckets.count == stored.weights.count, stored.buckets.count <= bucketCount else {
            throw FeaturizerError.invalidReference("the n-gram regression lists \(stored.buckets.count) buckets and \(stored.weights.count) weights")
        }
        var weights = [Float](repeating: 0, count: bucketCount)
        var listed = [Bool](repeating: false, count: bucketCount)
        for (bucket, weight) in zip(stored.buckets, stored.weights) {
            guard (0..<bucketCount).contains(bucket), !listed[bucket] else {
                throw FeaturizerError.invalidReference("the n-gram regression's bucket \(bucket) is out of 0..<\(bucketCount) or listed twice")
            }
            listed[bucket] = true
            weights[bucket] = weight
        }
        self.init(weights: weights, bias: stored.bias)
    }
}
