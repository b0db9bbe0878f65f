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
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: bucketCapacity(length: bytes.count)) { buckets in
                var used = UnsafeMutableBufferPointer(rebasing: buckets[0..<self.buckets(bytes, into: buckets)])
                used.sort()
                let firstValue = values.count
                var index = 0
                var squares: Float = 0
                while index < used.count {
                    let column = used[index]
                    var run: Float = 0
                    while index < used.count && used[index] == column { run += 1; index += 1 }
                    columns.append(column)
                    values.append(run)
                    squares += run * run
                }
                let scale = squares > 0 ? 1 / squares.squareRoot() : 0
                for position in firstValue..<values.count { values[position] *= scale }
            }
        }
    }

    /// Room for the buckets of a normalised label of `length` bytes.
    @inline(__always)
    func bucketCapacity(length: Int) -> Int {
        max(1, (maxN - minN + 1) * (length + 2))
    }

    /// Writes the bucket of every `minN`…`maxN`-gram of `^label$` into `out` (at least
    /// `bucketCapacity` long), in `forEachBucket`'s order, and returns how many.
    @inline(__always)
    func buckets(_ bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt32>) -> Int {
        var count = 0
        forEachBucket(bytes) { bucket in
            out[count] = bucket
            count += 1
        }
        return count
    }

    /// Calls `body` with the bucket of every `minN`…`maxN`-gram of `^label$`, by end position
    /// and then length. Each key is `PackedKey.make` of the gram's bytes, taken from a rolling
    /// window, so that the label is read once (`NGramLogit` calls this for every label scored).
    @inline(__always)
    func forEachBucket(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UInt32) -> Void) {
        if isTwoToFour {
            var window = Self.framingWindow
            let length = bytes.count
            for position in 0...length {
                window = window << 8 | UInt64(position < length ? bytes[position] : UInt8(ascii: "$"))
                forEachTwoToFourBucket(endingAt: position, window: window, body)
            }
            return
        }
        let framedLength = bytes.count + 2
        var window: UInt64 = 0
        for position in 0..<framedLength {
            let byte = position == 0 ? UInt8(ascii: "^")
                : position == framedLength - 1 ? UInt8(ascii: "$") : bytes[position - 1]
            window = window << 8 | UInt64(byte)
            let longest = min(maxN, position + 1)
            guard longest >= minN else { continue }
            for n in minN...longest {
                let top: UInt64 = 1 << UInt64(8 * n)
                body(bucket(top | (window & (top &- 1))))
            }
        }
    }

    /// Whether the grams are 2 to 4 characters long (the job's setting), which
    /// `forEachTwoToFourBucket` spells out.
    var isTwoToFour: Bool { minN == 2 && maxN == 4 }

    /// The rolling window before the label's first byte: the framing `^`.
    static let framingWindow = UInt64(UInt8(ascii: "^"))

    /// For 2- to 4-grams: calls `body` with the buckets of the grams ending at the label's
    /// byte `position` (its length for the closing `$`), shortest first, `window` holding
    /// `^label$` up to that byte. Three grams a position from the third on, with no loop over
    /// the lengths (whose varying trip count the branch predictor missed).
    @inline(__always)
    func forEachTwoToFourBucket(endingAt position: Int, window: UInt64, _ body: (UInt32) -> Void) {
        body(bucket(1 << 16 | window & 0xFFFF))
        if position >= 1 { body(bucket(1 << 24 | window & 0xFF_FFFF)) }
        if position >= 2 { body(bucket(1 << 32 | window & 0xFFFF_FFFF)) }
    }

    /// SplitMix64's finaliser: spreads packed keys that differ in one byte across all buckets.
    @inline(__always)
    func bucket(_ key: UInt64) -> UInt32 {
        let z = SplitMix64.mix(key &+ 0x9E37_79B9_7F4A_7C15)
        return UInt32(truncatingIfNeeded: z >> UInt64(64 - bucketBits))
    }
}
