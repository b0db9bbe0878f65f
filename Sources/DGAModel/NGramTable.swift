import Foundation

/// Character n-gram counts of a reference list (popular domain labels, dictionary words), and
/// the accelerator's score of a label against them.
///
/// Fitting follows scikit-learn's `CountVectorizer(analyzer='char', ngram_range=(minN, maxN),
/// min_df=…, max_df=1.0)`: every window of `minN`…`maxN` characters of every document is a term;
/// a term is kept when it occurs in at least `minDocumentFrequency × documents` documents; its
/// weight is `log10` of its total number of occurrences over all documents. The score of a label
/// is `weights · counts(label)`: the weights of the label's n-grams summed, each as often as it
/// occurs, unknown n-grams adding nothing (the accelerator's `alexa_counts * vc.transform([d]).T`).
public struct NGramTable: Sendable {
    /// Shortest n-gram, in characters.
    public let minN: Int
    /// Longest n-gram, in characters (at most 7).
    public let maxN: Int
    /// Fraction of documents an n-gram must occur in to be kept.
    public let minDocumentFrequency: Double
    /// Documents the table was fitted on (after normalising and removing duplicates).
    public let documentCount: Int
    /// Factor applied to every count before its `log10` is taken: 1 for a fitted table. A table
    /// fitted on part of a reference list (an out-of-fold table on 80% of the training labels)
    /// holds proportionally smaller counts, so each matched n-gram would weigh `log10(0.8)`
    /// less than in the table of the whole list; scaling its counts by whole / part
    /// (`scaled(toDocumentCount:)`) puts its weights on the whole table's scale.
    public let countScale: Double
    /// Kept n-grams, sorted, with their total occurrence counts.
    let grams: [String]
    let counts: [Int]
    private let weights: PackedKeyTable<Float>
    /// Whether every kept n-gram's one-shorter prefix is kept too, which lets scoring stop
    /// extending a window at the first unknown n-gram. A fitted table always is: a document
    /// holding "abcd" holds "abc", so the prefix occurs in at least as many documents.
    let prefixClosed: Bool
    /// The 3-grams' weights in a dense array (NaN: not kept), indexed by `tripleIndex`, when
    /// `minN` is 3: the first probe at each position, which is most of them, then reads a table
    /// of a few hundred KiB that stays in cache instead of a hash table of megabytes.
    private let tripleIndex: ByteTripleIndex?
    private let tripleWeights: [Float]

    /// Number of n-grams kept.
    public var count: Int { grams.count }

    /// Fits the table on `documents` (normalised and de-duplicated first, as the accelerator
    /// drops duplicate domains and words).
    public static func fit(documents: [String], minN: Int = 3, maxN: Int = 5, minDocumentFrequency: Double) throws -> NGramTable {
        guard minN >= 1, maxN >= minN, maxN <= PackedKey.maximumLength else {
            throw FeaturizerError.invalidConfiguration("n-gram range \(minN)...\(maxN) must lie within 1...\(PackedKey.maximumLength)")
        }
        guard minDocumentFrequency >= 0, minDocumentFrequency <= 1 else {
            throw FeaturizerError.invalidConfiguration("minimum document frequency \(minDocumentFrequency) is not in [0, 1]")
        }
        let unique = uniqueNormalized(documents)
        guard !unique.isEmpty else { throw FeaturizerError.emptyReference("no documents to count n-grams in") }
        var total: [UInt64: Int] = [:]
        var documentFrequency: [UInt64: Int] = [:]
        var seen = Set<UInt64>()
        for document in unique {
            seen.removeAll(keepingCapacity: true)
            Array(document.utf8).withUnsafeBufferPointer { bytes in
                for n in minN...maxN where bytes.count >= n {
                    for start in 0...(bytes.count - n) {
                        let key = PackedKey.make(bytes, from: start, count: n)
                        total[key, default: 0] += 1
                        if seen.insert(key).inserted { documentFrequency[key, default: 0] += 1 }
                    }
                }
            }
        }
        // scikit-learn compares a float min_df as a proportion: df >= min_df * n_documents.
        let threshold = minDocumentFrequency * Double(unique.count)
        var kept: [(String, Int)] = []
        for (key, frequency) in documentFrequency where Double(frequency) >= threshold {
            kept.append((PackedKey.string(key), total[key] ?? 0))
        }
        kept.sort { $0.0 < $1.0 }
        return try NGramTable(minN: minN, maxN: maxN, minDocumentFrequency: minDocumentFrequency, documentCount: unique.count,
                              grams: kept.map(\.0), counts: kept.map(\.1))
    }

    /// This table with its counts scaled to a table of `documentCount` documents, as if it had
    /// been fitted on a list that many documents long drawn like the one it was fitted on.
    ///
    /// - Throws: `FeaturizerError.invalidReference` when `documentCount` is below 1.
    public func scaled(toDocumentCount target: Int) throws -> NGramTable {
        guard target >= 1 else { throw FeaturizerError.invalidReference("cannot scale an n-gram table to \(target) documents") }
        return try NGramTable(minN: minN, maxN: maxN, minDocumentFrequency: minDocumentFrequency, documentCount: documentCount,
                              grams: grams, counts: counts, countScale: Double(target) / Double(documentCount))
    }

    init(minN: Int, maxN: Int, minDocumentFrequency: Double, documentCount: Int, grams: [String], counts: [Int],
         countScale: Double = 1) throws {
        guard countScale > 0, countScale.isFinite else {
            throw FeaturizerError.invalidReference("n-gram count scale \(countScale) must be a positive number")
        }
        guard grams.count == counts.count else {
            throw FeaturizerError.invalidReference("n-gram table has \(grams.count) n-grams but \(counts.count) counts")
        }
        guard minN >= 1, maxN >= minN, maxN <= PackedKey.maximumLength else {
            throw FeaturizerError.invalidReference("n-gram range \(minN)...\(maxN)")
        }
        self.countScale = countScale
        var entries: [(key: UInt64, value: Float)] = []
        entries.reserveCapacity(grams.count)
        for (gram, count) in zip(grams, counts) {
            guard let key = PackedKey.make(gram), gram.utf8.count >= minN, gram.utf8.count <= maxN, count >= 1 else {
                throw FeaturizerError.invalidReference("n-gram '\(gram)' with count \(count) does not fit the table \(minN)...\(maxN)")
            }
            // For a scale of 1 this is exactly log10(count): fitted tables' weights are unchanged.
            entries.append((key, Float(log10(Double(count) * countScale))))
        }
        self.minN = minN
        self.maxN = maxN
        self.minDocumentFrequency = minDocumentFrequency
        self.documentCount = documentCount
        self.grams = grams
        self.counts = counts
        self.weights = PackedKeyTable(entries, placeholder: 0)
        let keys = Set(entries.map(\.key))
        prefixClosed = entries.allSatisfy { $0.key >> 8 < (1 << (8 * UInt64(minN))) || keys.contains($0.key >> 8) }
        let index = minN == 3 ? ByteTripleIndex(texts: grams) : nil
        var triples: [Float] = []
        if let index {
            triples = [Float](repeating: .nan, count: index.slotCount)
            for (gram, entry) in zip(grams, entries) where gram.utf8.count == 3 {
                let bytes = Array(gram.utf8)
                if let slot = bytes.withUnsafeBufferPointer({ index.slot($0, at: 0) }) { triples[slot] = entry.value }
            }
        }
        tripleIndex = index
        tripleWeights = triples
    }

    /// The score of a label: the summed `log10` counts of its n-grams.
    public func score(_ label: String) -> Double {
        LabelText.withNormalizedBytes(label) { Double(score(bytes: $0)) }
    }

    /// `log10` of an n-gram's total count, nil when the table does not hold it.
    public func logCount(of gram: String) -> Double? {
        PackedKey.make(LabelText.normalized(gram)).flatMap { weights.value(for: $0) }.map(Double.init)
    }

    @inline(__always)
    func score(bytes: UnsafeBufferPointer<UInt8>) -> Float {
        guard let tripleIndex else { return scoreByHash(bytes: bytes) }
        var sum: Float = 0
        let length = bytes.count
        guard length >= 3 else { return 0 }
        return tripleWeights.withUnsafeBufferPointer { triples in
            for start in 0...(length - 3) {
                // A byte in no kept n-gram: no n-gram starts here.
                guard let slot = tripleIndex.slot(bytes, at: start) else { continue }
                let weight = triples[slot]
                if !weight.isNaN {
                    sum += weight
                } else if prefixClosed {
                    continue
                }
                var end = start + 3
                guard end < length && end - start < maxN else { continue }
                var key = PackedKey.appending(PackedKey.make(bytes, from: start, count: 3), bytes[end])
                end += 1
                // Then exactly as `scoreByHash`, from the 4-gram on (same weights, same order).
                while true {
                    if let weight = weights.value(for: key) {
                        sum += weight
                    } else if prefixClosed {
                        break
                    }
                    guard end < length && end - start < maxN else { break }
                    key = PackedKey.appending(key, bytes[end])
                    end += 1
                }
            }
            return sum
        }
    }

    /// The score by hash probes only: the reference `score(bytes:)` must equal.
    func scoreByHash(bytes: UnsafeBufferPointer<UInt8>) -> Float {
        var sum: Float = 0
        let length = bytes.count
        guard length >= minN else { return 0 }
        for start in 0...(length - minN) {
            var key = PackedKey.make(bytes, from: start, count: minN)
            var end = start + minN
            while true {
                if let weight = weights.value(for: key) {
                    sum += weight
                } else if prefixClosed {
                    break
                }
                guard end < length && end - start < maxN else { break }
                key = PackedKey.appending(key, bytes[end])
                end += 1
            }
        }
        return sum
    }

    /// Share of the label's `minN`-grams the table holds (0 for labels shorter than `minN`):
    /// random strings are mostly made of n-grams no real name uses.
    @inline(__always)
    func seenShare(bytes: UnsafeBufferPointer<UInt8>) -> Float {
        let length = bytes.count
        guard length >= minN else { return 0 }
        var seen = 0
        if let tripleIndex {
            // minN is 3: the dense 3-gram weights say which are kept, without a hash probe.
            tripleWeights.withUnsafeBufferPointer { triples in
                for start in 0...(length - 3) {
                    if let slot = tripleIndex.slot(bytes, at: start), !triples[slot].isNaN { seen += 1 }
                }
            }
        } else {
            for start in 0...(length - minN) where weights.value(for: PackedKey.make(bytes, from: start, count: minN)) != nil {
                seen += 1
            }
        }
        return Float(seen) / Float(length - minN + 1)
    }

    static func uniqueNormalized(_ documents: [String]) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for document in documents {
            let text = LabelText.normalized(document)
            if !text.isEmpty, seen.insert(text).inserted { out.append(text) }
        }
        return out
    }
}

extension NGramTable: Codable {
    private enum CodingKeys: String, CodingKey {
        case minN, maxN, minDocumentFrequency, documentCount, grams, counts, countScale
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(minN: container.decode(Int.self, forKey: .minN), maxN: container.decode(Int.self, forKey: .maxN),
                      minDocumentFrequency: container.decode(Double.self, forKey: .minDocumentFrequency),
                      documentCount: container.decode(Int.self, forKey: .documentCount),
                      grams: container.decode([String].self, forKey: .grams), counts: container.decode([Int].self, forKey: .counts),
                      countScale: container.decodeIfPresent(Double.self, forKey: .countScale) ?? 1)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(minN, forKey: .minN)
        try container.encode(maxN, forKey: .maxN)
        try container.encode(minDocumentFrequency, forKey: .minDocumentFrequency)
        try container.encode(documentCount, forKey: .documentCount)
        try container.encode(grams, forKey: .grams)
        try container.encode(counts, forKey: .counts)
        // Saved featurizers hold fitted tables (scale 1), whose JSON stays as it was.
        if countScale != 1 { try container.encode(countScale, forKey: .countScale) }
    }
}
