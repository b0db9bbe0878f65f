import CPrefetch
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
/// at least 3 characters, at most 63 distinct bytes in all the reference text and at most
/// 32,767 distinct weights per table.
///
/// Layout, small so that it stays in cache (the time of the tables one by one went into cache
/// misses): bytes get 6-bit classes (by frequency, so that common trigrams share cache lines);
/// a gram's facts fit 32 bits (`Info`): each table's weight as an index into that table's
/// distinct weights, and whether the gram begins or is a dictionary word. A 3-gram indexes a
/// dense array of them (256 KiB for domain characters); a 4- or 5-gram is a 31-bit key into one
/// open-addressing table of 8-byte slots (`SlotTable`); words longer than 5 continue through the word trie,
/// packed depth first.
///
/// A class holding its tables in memory of its own, read through raw pointers: as a struct of
/// arrays, every label's `if let gramIndex` copied it (eight reference counts up and down, a
/// tenth of the featurizer's time), and the walk's closures over the arrays made the compiler
/// check exclusive access dynamically on every word found. Immutable once built (hence
/// Sendable); the memory is freed with the index.
final class GramIndex: @unchecked Sendable {
    /// A gram's facts: bits 0-14 the popular weight's index (0: not in the table), bits 15-29
    /// the dictionary weight's, `wordGoesOn` when a dictionary word begins with the gram,
    /// `wordEnds` when the gram is one.
    typealias Info = UInt32
    static let weightMask: UInt32 = 0x7FFF
    static let wordGoesOn: UInt32 = 1 << 30
    static let wordEnds: UInt32 = 1 << 31

    /// A 4- or 5-gram's slot (its key, and its facts).
    typealias Entry = SlotTable.Entry

    /// Class of each byte (256).
    private let byteClass: UnsafeBufferPointer<UInt8>
    private let side: Int
    /// Distinct weights by index; index 0 (absent) holds NaN and is never read.
    private let popularWeights: UnsafeBufferPointer<Float>
    private let dictionaryWeights: UnsafeBufferPointer<Float>
    /// 3-gram facts by `(a · side + b) · side + c` (side³).
    private let triples: UnsafeBufferPointer<Info>
    private let entries: SlotTable
    /// Keys of the 5-character word prefixes that longer words extend, to their packed records.
    private let deepStarts: SlotTable
    /// The word trie below depth 5: a node's record is its child count (with `wordEnds` when a
    /// word ends there) then its children as `byte << 24 | record`; its first child's record
    /// comes next, so that following a word (mostly one child after another) reads consecutive
    /// memory.
    private let deep: UnsafeBufferPointer<UInt32>
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

        var triples = [Info](repeating: 0, count: side * side * side)
        var longer: [UInt32: Info] = [:]
        var weightTables: [[Float]] = []
        for (table, shift) in [(popular, UInt32(0)), (dictionary, UInt32(15))] {
            // The very weights `NGramTable` stores, numbered.
            var weights: [Float] = [.nan]
            var number: [UInt32: UInt32] = [:]
            for (gram, count) in zip(table.grams, table.counts) {
                let weight = Float(log10(Double(count)))
                let index: UInt32
                if let known = number[weight.bitPattern] {
                    index = known
                } else {
                    guard weights.count <= Int(Self.weightMask) else { return nil }
                    index = UInt32(weights.count)
                    number[weight.bitPattern] = index
                    weights.append(weight)
                }
                let text = Substring(gram).utf8
                if text.count == 3 {
                    triples[slot3(text)] |= index << shift
                } else {
                    longer[key(text), default: 0] |= index << shift
                }
            }
            weightTables.append(weights)
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
        // Children of each node, sorted by byte: edges sorted by parent then byte, and where
        // each parent's run begins.
        let edges = children.map { (parent: UInt32(truncatingIfNeeded: $0.key >> 8), byte: UInt8(truncatingIfNeeded: $0.key), child: $0.value) }
            .sorted { ($0.parent, $0.byte) < ($1.parent, $1.byte) }
        var firstEdge = [Int](repeating: edges.count, count: isTerminal.count + 1)
        for (index, edge) in edges.enumerated().reversed() { firstEdge[Int(edge.parent)] = index }
        for node in stride(from: isTerminal.count - 1, through: 0, by: -1) where firstEdge[node] > firstEdge[node + 1] {
            firstEdge[node] = firstEdge[node + 1]
        }
        var deep: [UInt32] = []
        /// Packs the trie below `root` depth first, returning its record.
        func pack(_ root: UInt32) -> UInt32 {
            let rootRecord = UInt32(deep.count)
            var stack: [(node: UInt32, parentSlot: Int)] = [(root, -1)]
            while let (node, parentSlot) = stack.popLast() {
                let record = deep.count
                let range = firstEdge[Int(node)]..<firstEdge[Int(node) + 1]
                deep.append(UInt32(range.count) | (isTerminal[Int(node)] ? Self.wordEnds : 0))
                deep.append(contentsOf: repeatElement(0, count: range.count))
                if parentSlot >= 0 { deep[parentSlot] |= UInt32(record) }
                for (offset, index) in range.enumerated().reversed() {
                    deep[record + 1 + offset] = UInt32(edges[index].byte) << 24
                    stack.append((edges[index].child, record + 1 + offset))
                }
            }
            return rootRecord
        }
        var deepStarts: [UInt32: UInt32] = [:]
        for word in coverage.words {
            var node: UInt32 = 1
            for (offset, byte) in word.utf8.prefix(5).enumerated() {
                guard let child = children[UInt64(node) << 8 | UInt64(byte)] else { break }
                node = child
                let depth = offset + 1
                guard depth >= 3 else { continue }
                let prefix = Substring(word).utf8.prefix(depth)
                let facts = Self.wordGoesOn | (isTerminal[Int(node)] ? Self.wordEnds : 0)
                if depth == 3 {
                    triples[slot3(prefix)] |= facts
                } else {
                    longer[key(prefix), default: 0] |= facts
                }
                if depth == 5, firstEdge[Int(node)] < firstEdge[Int(node) + 1], deepStarts[key(prefix)] == nil {
                    deepStarts[key(prefix)] = pack(node)
                }
            }
        }
        guard deep.count < 1 << 24 else { return nil }
        // Gram keys are at most 31 bits (a leading 1 and five 6-bit classes), as the tables need.
        guard let entries = SlotTable(longer), let deepStartTable = SlotTable(deepStarts) else { return nil }

        self.byteClass = Self.frozen(byteClass)
        self.side = side
        self.popularWeights = Self.frozen(weightTables[0])
        self.dictionaryWeights = Self.frozen(weightTables[1])
        self.triples = Self.frozen(triples)
        self.entries = entries
        self.deepStarts = deepStartTable
        self.deep = Self.frozen(deep)
        self.popularMaxN = popular.maxN
        self.dictionaryMaxN = dictionary.maxN
    }

    deinit {
        for memory in [UnsafeRawPointer(byteClass.baseAddress), UnsafeRawPointer(popularWeights.baseAddress),
                       UnsafeRawPointer(dictionaryWeights.baseAddress), UnsafeRawPointer(triples.baseAddress),
                       UnsafeRawPointer(deep.baseAddress)] {
            UnsafeMutableRawPointer(mutating: memory)?.deallocate()
        }
    }

    /// A copy of `values` in 64-byte-aligned memory the index owns (at least one element, so
    /// that the base address is never nil).
    private static func frozen<T>(_ values: [T]) -> UnsafeBufferPointer<T> {
        let count = max(1, values.count)
        let memory = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<T>.stride, alignment: 64)
        let base = memory.bindMemory(to: T.self, capacity: count)
        values.withUnsafeBufferPointer { source in
            if let from = source.baseAddress { base.initialize(from: from, count: source.count) }
        }
        return UnsafeBufferPointer(start: base, count: values.count)
    }

    /// Raw views of the tables the walk reads first, for `prefetch`; valid only inside the body
    /// of `withPrefetcher`.
    struct Prefetcher {
        let byteClass: UnsafePointer<UInt8>
        let triples: UnsafePointer<Info>
        let entries: UnsafePointer<Entry>
        let side: Int
        let capacity: UInt64
        let deepStarts: UnsafePointer<Entry>
        let deepCapacity: UInt64

        /// Asks for the cache lines that the walk of `bytes` reads in its first pass: every start
        /// position's 3-gram facts and the home slots of its 4- and 5-gram. Issued a few labels
        /// ahead, their misses overlap the work on the labels in between, where the walk's own
        /// reads stall it (the index is larger than this core's L2 cache).
        @inline(__always)
        func prefetch(_ bytes: UnsafeBufferPointer<UInt8>) {
            // Bounds: a class is below `side` (so a 3-gram index is below side³, the size of
            // `triples`), a byte indexes the 256 classes, a home slot is below its table's size.
            var window: UInt32 = 0  // the classes of the last five bytes, 6 bits each
            for (position, byte) in bytes.enumerated() {
                let c = UInt32(byteClass[Int(byte)])
                window = (window << 6 | c) & 0x3FFF_FFFF
                if position >= 2 {
                    let a = Int((window >> 12) & 63), b = Int((window >> 6) & 63)
                    runme_prefetch(triples + ((a * side + b) * side + Int(c)))
                }
                if position >= 3 {
                    runme_prefetch(entries + SlotTable.home(SlotTable.mixed(1 << 24 | window & 0xFF_FFFF), capacity: capacity))
                }
                if position >= 4 {
                    let mixed5 = SlotTable.mixed(1 << 30 | window)
                    runme_prefetch(entries + SlotTable.home(mixed5, capacity: capacity))
                    // Where a word longer than five characters would go on (few 5-grams begin one).
                    runme_prefetch(deepStarts + SlotTable.home(mixed5, capacity: deepCapacity))
                }
            }
        }
    }

    /// Runs `body` with raw views of the tables for prefetching (nil if a table is empty, which
    /// a built index never has: 256 classes, side³ triples, at least 16 slots).
    func withPrefetcher<R>(_ body: (Prefetcher?) -> R) -> R {
        withExtendedLifetime(self) {
            guard let classBase = byteClass.baseAddress, byteClass.count == 256,
                  let tripleBase = triples.baseAddress, triples.count == side * side * side,
                  let entryBase = entries.slots.baseAddress, let deepBase = deepStarts.slots.baseAddress else { return body(nil) }
            return body(Prefetcher(byteClass: classBase, triples: tripleBase, entries: entryBase, side: side, capacity: entries.capacity,
                                   deepStarts: deepBase, deepCapacity: deepStarts.capacity))
        }
    }

    /// The six features' inputs for one normalised label.
    ///
    /// Two passes: the first reads, for every start position, the 3-gram's facts and the home
    /// slots of the 4- and 5-gram, none depending on another, so the CPU has them all in flight
    /// at once; the second walks the label as the tables define it, mostly from those reads.
    @inline(__always)
    func statistics(bytes: UnsafeBufferPointer<UInt8>) -> Statistics {
        var result = Statistics()
        let length = bytes.count
        guard length > 0 else { return result }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (length + 1)) { scratch in
            withUnsafeTemporaryAllocation(of: Info.self, capacity: length) { gathered3 in
                withUnsafeTemporaryAllocation(of: Entry.self, capacity: 2 * length) { gathered in
                    walk(bytes, scratch, gathered3, gathered, into: &result)
                }
            }
            return result
        }
    }

    /// A word of `size` characters at `start`: the longest so far, and a better cover of the
    /// first `start + size` characters when it extends the best cover of the first `start`.
    @inline(__always)
    private static func found(_ size: Int, at start: Int, _ best: UnsafeMutableBufferPointer<Int>, _ longest: inout Int) {
        longest = max(longest, size)
        if best[start] + size > best[start + size] { best[start + size] = best[start] + size }
    }

    @inline(__always)
    private func walk(_ bytes: UnsafeBufferPointer<UInt8>, _ scratch: UnsafeMutableBufferPointer<Int>,
                      _ gathered3: UnsafeMutableBufferPointer<Info>, _ gathered: UnsafeMutableBufferPointer<Entry>,
                      into result: inout Statistics) {
        let length = bytes.count
        // best[i]: most characters of the first i covered by non-overlapping words.
        let best = UnsafeMutableBufferPointer(rebasing: scratch[0...length])
        let classes = UnsafeMutableBufferPointer(rebasing: scratch[(length + 1)...])
        best.initialize(repeating: 0)
        for index in 0..<length { classes[index] = Int(byteClass[Int(bytes[index])]) }
        var popularSum: Float = 0, dictionarySum: Float = 0
        var popularSeen = 0, dictionarySeen = 0
        var longest = 0
        // No closures from here on (the tables are raw pointers): a local captured by one would
        // be boxed and its every write checked for exclusive access at run time.
        let triples = self.triples, popularWeights = self.popularWeights, dictionaryWeights = self.dictionaryWeights
        let entryTable = self.entries
        let entries = entryTable.slots
        let deep = self.deep
        let deepSlots = deepStarts.slots, deepCapacity = deepStarts.capacity
        // Pass 1: independent reads (a class 0, a byte in no reference text, reads facts of
        // nothing or a slot no key matches; pass 2 stops there anyway).
        if length >= 3 {
            for start in 0...(length - 3) {
                let a = classes[start], b = classes[start + 1], c = classes[start + 2]
                gathered3[start] = triples[(a * side + b) * side + c]
                if start + 4 <= length {
                    let key4 = UInt32(1 << 24 | a << 18 | b << 12 | c << 6 | classes[start + 3])
                    gathered[2 * start] = entries[SlotTable.home(SlotTable.mixed(key4), capacity: entryTable.capacity)]
                    if start + 5 <= length {
                        let key5 = key4 << 6 | UInt32(classes[start + 4])
                        let mixed5 = SlotTable.mixed(key5)
                        let entry5 = entries[SlotTable.home(mixed5, capacity: entryTable.capacity)]
                        gathered[2 * start + 1] = entry5
                        // A word going on past five characters: ask now for its trie record,
                        // which pass 2 would otherwise wait for (its start slot was
                        // prefetched labels ago). A prefetch only; the result is unchanged.
                        if start + 5 < length, entry5.key == key5, entry5.info & Self.wordGoesOn != 0 {
                            let start5 = deepSlots[SlotTable.home(mixed5, capacity: deepCapacity)]
                            if start5.key == key5, let deepBase = deep.baseAddress, Int(start5.info) < deep.count {
                                runme_prefetch(deepBase + Int(start5.info))
                            }
                        }
                    }
                }
            }
        }
        // Pass 2: the walk, each table's as `NGramTable.score` walks it (stop at the first
        // gram the table lacks), the words' as `WordCoverage.cover` does.
        for start in 0..<length {
            // best[start] is final here: every word ending at `start` began earlier.
            if best[start + 1] < best[start] { best[start + 1] = best[start] }
            guard start + 3 <= length else { continue }
            let a = classes[start], b = classes[start + 1], c = classes[start + 2]
            guard a != 0, b != 0, c != 0 else { continue }
            var facts = gathered3[start]
            var popularAlive = facts & Self.weightMask != 0
            var dictionaryAlive = (facts >> 15) & Self.weightMask != 0
            if popularAlive { popularSum += popularWeights[Int(facts & Self.weightMask)]; popularSeen += 1 }
            if dictionaryAlive { dictionarySum += dictionaryWeights[Int((facts >> 15) & Self.weightMask)]; dictionarySeen += 1 }
            if facts & Self.wordEnds != 0 { Self.found(3, at: start, best, &longest) }
            var key = UInt32(1 << 18 | a << 12 | b << 6 | c)
            var end = start + 3
            while (popularAlive || dictionaryAlive || facts & Self.wordGoesOn != 0) && end < length && end - start < 5 {
                let next = classes[end]
                guard next != 0 else { facts = 0; break }
                key = key << 6 | UInt32(next)
                end += 1
                // The home slot read in pass 1, then on along the probe sequence.
                guard let entry = entryTable.find(key, first: gathered[2 * start + (end - start - 4)]) else {
                    facts = 0
                    break
                }
                facts = entry.info
                let size = end - start
                if popularAlive {
                    let index = Int(facts & Self.weightMask)
                    if size <= popularMaxN && index != 0 { popularSum += popularWeights[index] } else { popularAlive = false }
                }
                if dictionaryAlive {
                    let index = Int((facts >> 15) & Self.weightMask)
                    if size <= dictionaryMaxN && index != 0 { dictionarySum += dictionaryWeights[index] } else { dictionaryAlive = false }
                }
                if facts & Self.wordEnds != 0 { Self.found(size, at: start, best, &longest) }
            }
            // Words longer than 5 go on through the packed trie.
            guard facts & Self.wordGoesOn != 0, end - start == 5, end < length else { continue }
            guard let entry = deepStarts.find(key, first: deepSlots[SlotTable.home(SlotTable.mixed(key), capacity: deepCapacity)]) else { continue }
            var record = Int(entry.info)
            while end < length {
                let byte = UInt32(bytes[end])
                let count = Int(deep[record] & ~Self.wordEnds)
                var child = -1
                for index in (record + 1)..<(record + 1 + count) where deep[index] >> 24 == byte {
                    child = Int(deep[index] & 0xFF_FFFF)
                    break
                }
                guard child >= 0 else { break }
                record = child
                end += 1
                if deep[record] & Self.wordEnds != 0 { Self.found(end - start, at: start, best, &longest) }
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
