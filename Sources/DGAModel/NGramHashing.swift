import Hashing

/// Character n-grams hashed into a fixed number of buckets: a sparse bag-of-n-grams input for
/// linear models, which need no reference tables and no vocabulary.
///
/// The label is framed as `^label$` so that prefixes and suffixes are n-grams of their own.
/// Each n-gram of `minN`…`maxN` characters adds 1 to bucket `mix(gram) mod 2^bucketBits`; the
/// row is then scaled to unit Euclidean length (as scikit-learn's `HashingVectorizer` does), so
/// that long and short labels weigh the same in a linear model.
public struct NGramHashing: Sendable, Equatable, Codable {
    /// log2 of the number of buckets (18 gives 262,144).
    public var bucketBits: Int
    /// Shortest n-gram, in characters.
    public var minN: Int
    /// Longest n-gram, in characters (at most 7).
    public var maxN: Int

    /// Hashing into `2^bucketBits` buckets of `minN`…`maxN`-grams.
    public init(bucketBits: Int = 18, minN: Int = 2, maxN: Int = 4) {
        self.bucketBits = bucketBits
        self.minN = minN
        self.maxN = maxN
    }

    /// Number of buckets (the sparse matrix's column count).
    public var bucketCount: Int { 1 << bucketBits }

    func validate() throws {
        guard (1...30).contains(bucketBits) else { throw FeaturizerError.invalidConfiguration("hash bucket bits \(bucketBits) not in 1...30") }
        guard minN >= 1, maxN >= minN, maxN <= PackedKey.maximumLength else {
            throw FeaturizerError.invalidConfiguration("hashed n-gram range \(minN)...\(maxN) must lie within 1...\(PackedKey.maximumLength)")
        }
    }

    /// Appends one row's sorted bucket indices and values.
    func appendRow(_ label: String, columns: inout [UInt32], values: inout [Float]) {
        LabelText.withNormalizedBytes(label) { bytes in
            let framedLength = bytes.count + 2
            let capacity = max(1, (maxN - minN + 1) * framedLength)
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: capacity) { buckets in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: framedLength) { framed in
                    framed[0] = UInt8(ascii: "^")
                    for index in 0..<bytes.count { framed[index + 1] = bytes[index] }
                    framed[framedLength - 1] = UInt8(ascii: "$")
                    let text = UnsafeBufferPointer(framed)
                    var count = 0
                    for n in minN...maxN where framedLength >= n {
                        for start in 0...(framedLength - n) {
                            buckets[count] = bucket(PackedKey.make(text, from: start, count: n))
                            count += 1
                        }
                    }
                    var used = UnsafeMutableBufferPointer(rebasing: buckets[0..<count])
                    used.sort()
                    let firstValue = values.count
                    var index = 0
                    var squares: Float = 0
                    while index < count {
                        let column = used[index]
                        var run: Float = 0
                        while index < count && used[index] == column { run += 1; index += 1 }
                        columns.append(column)
                        values.append(run)
                        squares += run * run
                    }
                    let scale = squares > 0 ? 1 / squares.squareRoot() : 0
                    for position in firstValue..<values.count { values[position] *= scale }
                }
            }
        }
    }

    /// SplitMix64's finaliser: spreads packed keys that differ in one byte across all buckets.
    @inline(__always)
    func bucket(_ key: UInt64) -> UInt32 {
        let z = SplitMix64.mix(key &+ 0x9E37_79B9_7F4A_7C15)
        return UInt32(truncatingIfNeeded: z >> UInt64(64 - bucketBits))
    }
}
