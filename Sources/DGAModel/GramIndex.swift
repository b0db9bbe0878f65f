import Foundation

/// The popular n-grams, the dictionary n-grams and the dictionary words in one index, so that
/// the featurizer walks a label once for six features (alexa_grams, word_grams, their 3-gram
/// shares, word_coverage, longest_word) and pays one memory access per n-gram where the
/// separate tables pay up to three (one per table, the word trie's own).
///
/// Built at load time from the saved tables (`NGramTable`, `WordCoverage`); nothing of it is
/// saved. It gives exactly the separate tables' results (the same weights, added in the same
/// order: see `FeaturizerFastPathTests`), and is built only where that holds: both n-gram
/// tables 3-grams and up, at most 5 long and prefix-closed (every fitted table is), words of
/// at least 3 characters, and at most 63 distinct bytes in all the reference text.
///
/// Layout: bytes get 6-bit classes (by frequency, so that common trigrams share cache lines);
/// a 3-gram indexes a dense array; a 4- or 5-gram is a 31-bit key into one open-addressing
/// table holding both weights and whether the gram begins or is a dictionary word; longer
/// words continue through the word trie, packed depth first.
struct GramIndex: Sendable {
    /// A 3-gram's weights (NaN: not in that table) and word-trie reference (0: begins no word).
    struct Triple: Sendable {
        var popular: Float
        var dictionary: Float
        var word: UInt32
    }

    /// A 4- or 5-gram's entry; `key` 0 marks an empty slot (real keys carry a leading 1 bit).
    struct Entry: Sendable {
        var key: UInt32
        var popular: Float
        var dictionary: Float
        var word: UInt32
    }

    /// Set in a word-trie node reference when the node ends a word.
    static let terminal: UInt32 = 1 << 31

    private let byteClass: [UInt8]
    private let side: Int
    private let triples: [Triple]
    private let entries: [Entry]
    private let capacity: UInt64
    /// The word trie below depth 5, packed depth first (see `init`).
    private let deep: [UInt32]
    private let popularMaxN: Int
    private let dictionaryMaxN: Int

    /// What the walk of one label yields.
    struct Statistics {
        var popularScore: Float = 0
        var dictionaryScore: Float = 0
        var popularShare: Float = 0
        var dictionaryShare: Float = 0
        var coverage: Float = 0
        var longestWord = 0
    }

    /// The index over the three tables, or nil when they fall outside what it covers (then the
    /// featurizer uses the tables one by one).
    init?(popular: NGramTable, dictionary: NGramTable, coverage: WordCoverage) {
        guard popular.minN == 3, dictionary.minN == 3, popular.maxN <= 5, dictionary.maxN <= 5,
              popular.prefixClosed, dictionary.prefixClosed, coverage.minimumWordLength >= 3 else { return nil }
        // Classes by frequency in the reference text, most frequent first (class 1).
        var frequency = [Int](repeating: 0, count: 256)
        for text in [popular.grams, dictionary.grams, coverage.words].joined() {
            for byte in text.utf8 { frequency[Int(byte)] += 1 }
        }
        let used = (0..<256).filter { frequency[$0] > 0 }.sorted { frequency[$0] > frequency[$1] || (frequency[$0] == frequency[$1] && $0 < $1) }
        guard used.count <= 63 else { return nil }
        var byteClass = [UInt8](repeating: 0, count: 256)
        for (rank, byte) in used.enumerated() { byteClass[byte] = UInt8(rank + 1) }
        let side = used.count + 1

        func key(_ text: Substring.UTF8View) -> UInt32 {
            var key: UInt32 = 1
            for byte in text { key = key << 6 | UInt32(byteClass[Int(byte)]) }
            return key
        }
        func slot3(_ text: Substring.UTF8View) -> Int {
            var slot = 0
            for byte in text { slot = slot * side + Int(byteClass[Int(byte)]) }
            return slot
        }

        var triples = [Triple](repeating: Triple(popular: .nan, dictionary: .nan, word: 0), count: side * side * side)
        var longer: [UInt32: Entry] = [:]
        func entry(_ key: UInt32) -> Entry { longer[key] ?? Entry(key: key, popular: .nan, dictionary: .nan, word: 0) }
        for (table, isPopular) in [(popular, true), (dictionary, false)] {
            for (gram, count) in zip(table.grams, table.counts) {
                // The very weight `NGramTable` stores.
                let weight = Float(log10(Double(count)))
                let text = Substring(gram).utf8
                if text.count == 3 {
                    if isPopular { triples[slot3(text)].popular = weight } else { triples[slot3(text)].dictionary = weight }
                } else {
                    var value = entry(key(text))
                    if isPopular { value.popular = weight } else { value.dictionary = weight }
                    longer[value.key] = value
                }
            }
        }

        // The word trie (node 1 the root), as `WordCoverage` builds it.
        var children: [UInt64: UInt32] = [:]
        var isTerminal = [false, false]
        for word in coverage.words {
            var node: UInt32 = 1
            for byte in word.utf8 {
                let edge = UInt64(node) << 8 | UInt64(byte)
                if let child = children[edge] {
                    node = child
                } else {
                    let child = UInt32(isTerminal.count)
                    isTerminal.append(false)
                    children[edge] = child
                    node = child
                }
            }
            isTerminal[Int(node)] = true
        }
        guard isTerminal.count < Int(Self.terminal) else { return nil }
        // Below depth 5 (words of 6 characters and more) the trie is packed depth first: a
        // node's record (child count, terminal flag) is followed by its children's
        // `byte << 24 | record`, and its first child's record comes next, so that following a
        // word (mostly one child after another) reads consecutive memory, not a hash slot per
        // character.
        var kids: [UInt32: [(byte: UInt8, child: UInt32)]] = [:]
        for (edge, child) in children { kids[UInt32(truncatingIfNeeded: edge >> 8), default: []].append((UInt8(truncatingIfNeeded: edge), child)) }
        var deep: [UInt32] = []
        func pack(_ node: UInt32) -> UInt32 {
            let record = deep.count
            let list = (kids[node] ?? []).sorted { $0.byte < $1.byte }
            deep.append(UInt32(list.count) | (isTerminal[Int(node)] ? Self.terminal : 0))
            deep.append(contentsOf: repeatElement(0, count: list.count))
            for (offset, kid) in list.enumerated() {
                let packed = pack(kid.child)
                deep[record + 1 + offset] = UInt32(kid.byte) << 24 | packed
            }
            return UInt32(record)
        }
        // A reference: 1 (a word goes on) or, at depth 5, 1 + the packed record; with the flag
        // when a word ends here.
        func reference(_ node: UInt32, depth: Int) -> UInt32 {
            (depth == 5 ? pack(node) + 1 : 1) | (isTerminal[Int(node)] ? Self.terminal : 0)
        }
        for word in coverage.words {
            var node: UInt32 = 1
            for (offset, byte) in word.utf8.prefix(5).enumerated() {
                let edge = UInt64(node) << 8 | UInt64(byte)
                guard let child = children[edge] else { break }
                let depth = offset + 1
                let prefix = Substring(word).utf8.prefix(depth)
                if depth == 3 {
                    triples[slot3(prefix)].word = reference(child, depth: 3)
                } else if depth == 4 || (depth == 5 && entry(key(prefix)).word == 0) {
                    var value = entry(key(prefix))
                    value.word = reference(child, depth: depth)
                    longer[value.key] = value
                }
                node = child
            }
        }
        guard deep.count < 1 << 24 else { return nil }

        // Open addressing at most 60% full (short probes for the many absent grams of random
        // labels), sized freely: the slot is the hash scaled to the capacity.
        let capacity = max(16, longer.count * 5 / 3 + 1)
        var entries = [Entry](repeating: Entry(key: 0, popular: .nan, dictionary: .nan, word: 0), count: capacity)
        for value in longer.values {
            var slot = Self.home(value.key, capacity: UInt64(capacity))
            while entries[slot].key != 0 { slot = slot + 1 == capacity ? 0 : slot + 1 }
            entries[slot] = value
        }
        self.byteClass = byteClass
        self.side = side
        self.triples = triples
        self.entries = entries
        self.capacity = UInt64(capacity)
        self.deep = deep
        self.popularMaxN = popular.maxN
        self.dictionaryMaxN = dictionary.maxN
    }

    @inline(__always)
    private static func home(_ key: UInt32, capacity: UInt64) -> Int {
        Int(truncatingIfNeeded: (UInt64(key &* 0x9E37_79B1) &* capacity) >> 32)
    }

    /// The six features' inputs for one normalised label.
    ///
    /// Two passes: the first reads, for every start position, the 3-gram's entry and the home
    /// slots of the 4- and 5-gram, none depending on another, so the CPU has them all in flight
    /// at once; the second walks the label as the tables define it, mostly from those reads.
    /// The tables are megabytes and the time goes into cache misses: taken one after the other
    /// as the walk meets them, they cost several times more.
    @inline(__always)
    func statistics(bytes: UnsafeBufferPointer<UInt8>) -> Statistics {
        var result = Statistics()
        let length = bytes.count
        guard length > 0 else { return result }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (length + 1)) { scratch in
            withUnsafeTemporaryAllocation(of: Triple.self, capacity: length) { gathered3 in
                withUnsafeTemporaryAllocation(of: Entry.self, capacity: 2 * length) { gathered in
                    walk(bytes, scratch, gathered3, gathered, into: &result)
                }
            }
            return result
        }
    }

    @inline(__always)
    private func walk(_ bytes: UnsafeBufferPointer<UInt8>, _ scratch: UnsafeMutableBufferPointer<Int>,
                      _ gathered3: UnsafeMutableBufferPointer<Triple>, _ gathered: UnsafeMutableBufferPointer<Entry>,
                      into result: inout Statistics) {
        let length = bytes.count
        // best[i]: most characters of the first i covered by non-overlapping words.
        let best = UnsafeMutableBufferPointer(rebasing: scratch[0...length])
        let classes = UnsafeMutableBufferPointer(rebasing: scratch[(length + 1)...])
        best.initialize(repeating: 0)
        byteClass.withUnsafeBufferPointer { byteClass in
            for index in 0..<length { classes[index] = Int(byteClass[Int(bytes[index])]) }
        }
        var popularSum: Float = 0, dictionarySum: Float = 0
        var popularSeen = 0, dictionarySeen = 0
        var longest = 0
        triples.withUnsafeBufferPointer { triples in
            entries.withUnsafeBufferPointer { entries in
                // Pass 1: independent reads (a class 0, a byte in no reference text, reads an
                // empty entry or a slot no key matches; pass 2 stops there anyway).
                if length >= 3 {
                    for start in 0...(length - 3) {
                        let a = classes[start], b = classes[start + 1], c = classes[start + 2]
                        gathered3[start] = triples[(a * side + b) * side + c]
                        let key3 = UInt32(1 << 18 | a << 12 | b << 6 | c)
                        if start + 4 <= length {
                            let key4 = key3 << 6 | UInt32(classes[start + 3])
                            gathered[2 * start] = entries[Self.home(key4, capacity: capacity)]
                            if start + 5 <= length {
                                gathered[2 * start + 1] = entries[Self.home(key4 << 6 | UInt32(classes[start + 4]), capacity: capacity)]
                            }
                        }
                    }
                }
                // Pass 2: the walk.
                for start in 0..<length {
                    // best[start] is final here: every word ending at `start` began earlier.
                    if best[start + 1] < best[start] { best[start + 1] = best[start] }
                    guard start + 3 <= length else { continue }
                    let a = classes[start], b = classes[start + 1], c = classes[start + 2]
                    guard a != 0, b != 0, c != 0 else { continue }
                    let triple = gathered3[start]
                    var popularAlive = !triple.popular.isNaN
                    var dictionaryAlive = !triple.dictionary.isNaN
                    if popularAlive { popularSum += triple.popular; popularSeen += 1 }
                    if dictionaryAlive { dictionarySum += triple.dictionary; dictionarySeen += 1 }
                    var word = triple.word
                    if word & Self.terminal != 0 {
                        longest = max(longest, 3)
                        if best[start] + 3 > best[start + 3] { best[start + 3] = best[start] + 3 }
                    }
                    var key = UInt32(1 << 18 | a << 12 | b << 6 | c)
                    var end = start + 3
                    while (popularAlive || dictionaryAlive || word != 0) && end < length && end - start < 5 {
                        let next = classes[end]
                        guard next != 0 else { word = 0; break }
                        key = key << 6 | UInt32(next)
                        end += 1
                        // The home slot read in pass 1, then on along the probe sequence.
                        var found = gathered[2 * start + (end - start - 4)]
                        if found.key != key && found.key != 0 {
                            var slot = Self.home(key, capacity: capacity)
                            repeat {
                                slot = slot + 1 == entries.count ? 0 : slot + 1
                                found = entries[slot]
                            } while found.key != key && found.key != 0
                        }
                        guard found.key != 0 else { word = 0; break }
                        let size = end - start
                        if popularAlive {
                            if size <= popularMaxN && !found.popular.isNaN { popularSum += found.popular } else { popularAlive = false }
                        }
                        if dictionaryAlive {
                            if size <= dictionaryMaxN && !found.dictionary.isNaN { dictionarySum += found.dictionary } else { dictionaryAlive = false }
                        }
                        word = found.word
                        if word & Self.terminal != 0 {
                            longest = max(longest, size)
                            if best[start] + size > best[end] { best[end] = best[start] + size }
                        }
                    }
                    // Words longer than 5 go on through the packed trie.
                    guard word != 0, end - start == 5 else { continue }
                    deep.withUnsafeBufferPointer { deep in
                        var record = Int(word & ~Self.terminal) - 1
                        while end < length {
                            let byte = UInt32(bytes[end])
                            let count = Int(deep[record] & ~Self.terminal)
                            var child = -1
                            for index in (record + 1)..<(record + 1 + count) where deep[index] >> 24 == byte {
                                child = Int(deep[index] & 0xFF_FFFF)
                                break
                            }
                            guard child >= 0 else { break }
                            record = child
                            end += 1
                            if deep[record] & Self.terminal != 0 {
                                let size = end - start
                                longest = max(longest, size)
                                if best[start] + size > best[end] { best[end] = best[start] + size }
                            }
                        }
                    }
                }
            }
        }
        result.popularScore = popularSum
        result.dictionaryScore = dictionarySum
        if length >= 3 {
            result.popularShare = Float(popularSeen) / Float(length - 2)
            result.dictionaryShare = Float(dictionarySeen) / Float(length - 2)
        }
        result.coverage = Float(best[length]) / Float(length)
        result.longestWord = longest
    }
}
