@testable import DGAModel
import Foundation
import Hashing
import Testing
import TestSupport

/// `ngram_logit`: LIBLINEAR's logistic regression over hashed n-grams, on the real lists.
@Suite struct NGramLogitTests {
    /// Every fifth row of the sample lists held out; the rest fit the regression.
    static func fitted() throws -> (featurizer: Featurizer, heldOut: [String], heldOutIOC: [Bool]) {
        let (labels, isIOC) = try AutoMLFixture.rows(legit: 6000, ioc: 1200)
        let fit = labels.indices.filter { $0 % 5 != 0 }, held = labels.indices.filter { $0 % 5 == 0 }
        let featurizer = try Featurizer.fit(legitLabels: fit.filter { !isIOC[$0] }.map { labels[$0] },
                                            iocLabels: fit.filter { isIOC[$0] }.map { labels[$0] },
                                            dictionaryWords: ["word"], configuration: AutoMLDataset.featurizerConfiguration)
        return (featurizer, held.map { labels[$0] }, held.map { isIOC[$0] })
    }

    @Test func ranksUnseenDGANamesAbovePopularOnes() throws {
        let (featurizer, heldOut, truth) = try Self.fitted()
        let logits = featurizer.matrix(labels: heldOut, features: [.ngramLogit]).values.map(Double.init)
        #expect(logits.allSatisfy { $0.isFinite })
        // The ioc side is the positive one (LIBLINEAR orients a model by the first class it meets).
        let auc = try ClassificationMetrics.rocAUC(labels: truth, scores: logits)
        #expect(auc > 0.95, "held-out ROC AUC \(auc)")
        let meanIOC = zip(logits, truth).filter(\.1).map(\.0).reduce(0, +) / Double(truth.filter { $0 }.count)
        let meanLegit = zip(logits, truth).filter { !$0.1 }.map(\.0).reduce(0, +) / Double(truth.filter { !$0 }.count)
        #expect(meanIOC > 0 && meanLegit < 0, "mean logit ioc \(meanIOC), legit \(meanLegit)")
    }

    /// The feature is the regression's weights applied to the very row the linear trials read:
    /// `hashedNGrams`' counts, scaled to unit length, plus the intercept; the weights it reads
    /// are the fitted ones rounded to 16 bits, within half a step of them.
    @Test func isTheRegressionAppliedToTheHashedRow() throws {
        let (featurizer, heldOut, _) = try Self.fitted()
        let logit = try #require(featurizer.ngramLogit)
        let sample = Array(heldOut.prefix(500)) + ["", "a", "aaaaaaaaaaaa", "xn--bcher-kva", "Ab-Cd"]
        let rows = featurizer.hashedNGrams(labels: sample)
        let features = featurizer.matrix(labels: sample, features: [.ngramLogit])
        let largest = logit.weights.map(abs).max() ?? 0
        #expect(largest > 1 && abs(logit.step - largest / 32_767) < 1e-9)
        for bucket in logit.weights.indices {
            #expect(abs(logit.weight(bucket: bucket) - logit.weights[bucket]) <= logit.step / 2 * 1.0001, "bucket \(bucket)")
        }
        for (row, label) in sample.enumerated() {
            var expected = Double(logit.bias)
            for position in rows.rowOffsets[row]..<rows.rowOffsets[row + 1] {
                expected += Double(rows.values[position]) * Double(logit.weight(bucket: Int(rows.columnIndices[position])))
            }
            #expect(abs(Double(features[row, 0]) - expected) < 1e-4, "\(label): \(features[row, 0]) vs \(expected)")
        }
    }

    /// Buckets that come again, and buckets that share their low 9 bits (one bit of
    /// `logit(buckets:)`'s mask of buckets seen) with another, are counted exactly: the logit
    /// is the weights times the counts over √(Σ count²), as from a dictionary of counts.
    @Test func repeatedAndCollidingBucketsAreCountedExactly() throws {
        let (featurizer, _, _) = try Self.fitted()
        let logit = try #require(featurizer.ngramLogit)
        let buckets = logit.weights.count
        #expect(buckets > 4 * 512)
        var generator = SplitMix64(seed: 5)
        for trial in 0..<200 {
            // A few bases, each also met as base + 512·k (same place, another bucket), in a
            // random order and with repeats.
            let bases = (0..<(1 + trial % 6)).map { _ in Int(generator.next() % UInt64(buckets - 4 * 512)) }
            var list: [UInt32] = []
            for _ in 0..<(1 + trial % 40) {
                let base = bases[Int(generator.next() % UInt64(bases.count))]
                list.append(UInt32(base + 512 * Int(generator.next() % 4)))
            }
            var counts: [UInt32: Int] = [:]
            for bucket in list { counts[bucket, default: 0] += 1 }
            let norm = Double(counts.values.map { $0 * $0 }.reduce(0, +)).squareRoot()
            var expected = Double(logit.bias)
            for (bucket, count) in counts { expected += Double(count) * Double(logit.weight(bucket: Int(bucket))) / norm }
            let value = list.withUnsafeBufferPointer { logit.logit(buckets: $0) }
            #expect(abs(Double(value) - expected) < 1e-4, "trial \(trial): \(list): \(value) vs \(expected)")
        }
    }

    /// The rolling window that hashes a label's n-grams once gives the buckets of every
    /// `minN`…`maxN`-long substring of `^label$`, each packed on its own, by end position and
    /// then length: for the job's 2-4-grams (spelled out without a loop over the lengths) and
    /// for other ranges (the general loop).
    @Test func rollingBucketsAreThoseOfEverySubstring() throws {
        let hashings = [NGramHashing(bucketBits: 16), NGramHashing(bucketBits: 10, minN: 1, maxN: 7),
                        NGramHashing(bucketBits: 12, minN: 3, maxN: 3), NGramHashing(bucketBits: 18, minN: 2, maxN: 5)]
        for hashing in hashings {
            for label in ["", "a", "ab", "abc", "google", "aaaa", "xn--bcher-kva", String(repeating: "go", count: 40)] {
                let framed = Array("^\(label)$".utf8)
                var expected: [UInt32] = []
                framed.withUnsafeBufferPointer { text in
                    for end in 1...framed.count {
                        for n in hashing.minN...hashing.maxN where n <= end {
                            expected.append(hashing.bucket(PackedKey.make(text, from: end - n, count: n)))
                        }
                    }
                }
                let rolled = Array(label.utf8).withUnsafeBufferPointer { bytes in
                    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: hashing.bucketCapacity(length: bytes.count)) { out in
                        Array(out[0..<hashing.buckets(bytes, into: out)])
                    }
                }
                #expect(rolled == expected, "\(label) with \(hashing.minN)-\(hashing.maxN)-grams")
            }
        }
    }

    @Test func survivesTheFeaturizerFileAndRefusesBrokenWeights() throws {
        let (featurizer, heldOut, _) = try Self.fitted()
        let data = try featurizer.jsonData()
        let loaded = try Featurizer(jsonData: data)
        #expect(loaded.ngramLogit == featurizer.ngramLogit)
        #expect(loaded.matrix(labels: heldOut).values.elementsEqual(featurizer.matrix(labels: heldOut).values) {
            $0 == $1 || ($0.isNaN && $1.isNaN)
        })
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var logit = try #require(object["ngramLogit"] as? [String: Any])
        // Weights for another number of buckets than the hashing makes.
        logit["bucketCount"] = 1024
        logit["buckets"] = [3]
        logit["weights"] = [0.5]
        object["ngramLogit"] = logit
        #expect(throws: FeaturizerError.invalidReference("the n-gram regression has 1024 weights for 65536 hash buckets")) {
            try Featurizer(jsonData: JSONSerialization.data(withJSONObject: object))
        }
        // A count far beyond the hashing is refused before anything of that size is allocated.
        logit["bucketCount"] = 1 << 30
        logit["buckets"] = [Int]()
        logit["weights"] = [Double]()
        object["ngramLogit"] = logit
        #expect(throws: FeaturizerError.invalidReference("the n-gram regression has 1073741824 weights for 65536 hash buckets")) {
            try Featurizer(jsonData: JSONSerialization.data(withJSONObject: object))
        }
        // A bucket beyond the table, a bucket listed twice, lists of different lengths.
        logit["bucketCount"] = 65_536
        for (buckets, weights) in [([65_536], [0.5]), ([3, 3], [0.5, 0.25]), ([3, 4], [0.5])] {
            logit["buckets"] = buckets
            logit["weights"] = weights
            object["ngramLogit"] = logit
            #expect(throws: FeaturizerError.self, "\(buckets) \(weights)") {
                try Featurizer(jsonData: JSONSerialization.data(withJSONObject: object))
            }
        }
        // A featurizer of version 2 has no regression: the feature is missing, the rest stay.
        object.removeValue(forKey: "ngramLogit")
        object["version"] = 2
        let older = try Featurizer(jsonData: JSONSerialization.data(withJSONObject: object))
        #expect(older.ngramLogit == nil)
        let row = older.features(DomainInput(label: "google"))
        #expect(row[DomainFeature.ngramLogit.columnIndex].isNaN)
        #expect(row[DomainFeature.alexaGrams.columnIndex] == featurizer.features(DomainInput(label: "google"))[DomainFeature.alexaGrams.columnIndex])
    }

    @Test func needsLabelsOfBothClasses() throws {
        #expect(throws: FeaturizerError.emptyReference("the n-gram regression needs legit and ioc labels (2 legit, 0 ioc)")) {
            try NGramLogit.fit(legitLabels: ["google", "facebook", "Google"], iocLabels: [], hashing: NGramHashing())
        }
        // Without ioc labels (or with none that is more than dots and spaces) the featurizer
        // fits no regression, and the feature is missing.
        for ioc in [[], ["", ". "]] {
            let featurizer = try Featurizer.fit(legitLabels: ["google", "facebook"], iocLabels: ioc, dictionaryWords: ["word"])
            #expect(featurizer.ngramLogit == nil)
            #expect(featurizer.features(DomainInput(label: "google"))[DomainFeature.ngramLogit.columnIndex].isNaN)
        }
    }
}
