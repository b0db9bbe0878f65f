/// Dictionary words found inside a label: the share of its characters covered by
/// non-overlapping dictionary words (best cover by dynamic programming), and the longest word.
///
/// Human-made names are mostly words glued together ("facebook", "weatherchannel"); random
/// strings contain short words only by chance.
public struct WordCoverage: Sendable {
    /// Shortest word counted; two-letter "words" match almost anything.
    public let minimumWordLength: Int
    /// The words, normalised, sorted and unique.
    let words: [String]
    /// Trie edges keyed by `(node << 8) | byte`, node 1 being the root.
    private let edges: PackedKeyTable<Int32>
    private let terminal: [Bool]
    /// The trie node after the first three characters, by their byte classes, so that each start
    /// position costs one read of a small array instead of three hash probes (most start
    /// positions of a random label end there). Empty when words shorter than three count, or
    /// when the words use too many distinct bytes for a small table.
    private let firstThree: [Int32]
    private let tripleIndex: ByteTripleIndex?

    /// Number of words held.
    public var count: Int { words.count }

    /// Builds the cover from `words`, keeping those of at least `minimumWordLength` characters.
    public init(words: [String], minimumWordLength: Int = 3) throws {
        guard minimumWordLength >= 1 else { throw FeaturizerError.invalidConfiguration("minimum word length must be at least 1") }
        let kept = Set(words.map(LabelText.normalized).filter { $0.utf8.count >= minimumWordLength }).sorted()
        guard !kept.isEmpty else { throw FeaturizerError.emptyReference("no dictionary words of \(minimumWordLength) or more characters") }
        var edgeEntries: [(key: UInt64, value: Int32)] = []
        var children: [UInt64: Int32] = [:]
        var terminal = [false, false]  // node 0 unused, node 1 the root
        for word in kept {
            var node: Int32 = 1
            for byte in word.utf8 {
                let key = UInt64(node) << 8 | UInt64(byte)
                if let child = children[key] {
                    node = child
                } else {
                    let child = Int32(terminal.count)
                    terminal.append(false)
                    children[key] = child
                    edgeEntries.append((key, child))
                    node = child
                }
            }
            terminal[Int(node)] = true
        }
        self.minimumWordLength = minimumWordLength
        self.words = kept
        self.edges = PackedKeyTable(edgeEntries, placeholder: 0)
        self.terminal = terminal

        let index = minimumWordLength >= 3 ? ByteTripleIndex(texts: kept) : nil
        var firstThree: [Int32] = []
        if let index {
            firstThree = [Int32](repeating: 0, count: index.slotCount)
            for word in kept where word.utf8.count >= 3 {
                let bytes = Array(word.utf8.prefix(3))
                var node: Int32 = 1
                for byte in bytes { node = children[UInt64(node) << 8 | UInt64(byte)] ?? 0 }
                if let slot = bytes.withUnsafeBufferPointer({ index.slot($0, at: 0) }) { firstThree[slot] = node }
            }
        }
        self.tripleIndex = index
        self.firstThree = firstThree
    }

    /// Share of the label's characters covered by dictionary words, and the longest word's length.
    public func cover(_ label: String) -> (coverage: Double, longestWord: Int) {
        LabelText.withNormalizedBytes(label) { bytes in
            let result = cover(bytes: bytes)
            return (Double(result.coverage), result.longestWord)
        }
    }

    @inline(__always)
    func cover(bytes: UnsafeBufferPointer<UInt8>) -> (coverage: Float, longestWord: Int) {
        let length = bytes.count
        guard length > 0 else { return (0, 0) }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: length + 1) { best in
            best.initialize(repeating: 0)
            var longest = 0
            terminal.withUnsafeBufferPointer { terminal in
                firstThree.withUnsafeBufferPointer { firstThree in
                        for start in 0..<length {
                            // best[start] is final here: every word ending at `start` began earlier.
                            if best[start + 1] < best[start] { best[start + 1] = best[start] }
                            var node: Int32 = 1
                            var end = start
                            if let tripleIndex {
                                guard start + 3 <= length, let slot = tripleIndex.slot(bytes, at: start) else { continue }
                                node = firstThree[slot]
                                guard node != 0 else { continue }
                                end = start + 3
                                if terminal[Int(node)] {
                                    longest = max(longest, 3)
                                    if best[start] + 3 > best[end] { best[end] = best[start] + 3 }
                                }
                            }
                            while end < length {
                                guard let child = edges.value(for: UInt64(node) << 8 | UInt64(bytes[end])) else { break }
                                node = child
                                end += 1
                                let size = end - start
                                if terminal[Int(node)] && size >= minimumWordLength {
                                    if size > longest { longest = size }
                                    if best[start] + size > best[end] { best[end] = best[start] + size }
                                }
                            }
                        }
                }
            }
            return (Float(best[length]) / Float(length), longest)
        }
    }
}

extension WordCoverage: Codable {
    private enum CodingKeys: String, CodingKey {
        case minimumWordLength, words
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(words: container.decode([String].self, forKey: .words),
                      minimumWordLength: container.decode(Int.self, forKey: .minimumWordLength))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(minimumWordLength, forKey: .minimumWordLength)
        try container.encode(words, forKey: .words)
    }
}
