/// The Public Suffix List's rules as a trie over labels read right to left (`com` → `co`
/// → …), the shape tldextract matches with, so that wildcard and exception rules behave the
/// same: `*` and `!label` are ordinary children of the node they hang under.
///
/// One trie holds both sections; per-node flags say which section made a node exist or end
/// a rule, so turning private domains off needs no second trie. Children live in one
/// open-addressing hash table keyed by (parent node, label) rather than a dictionary per
/// node: one probe per label, and labels hashed and compared eight bytes at a time with
/// ASCII letters folded in the word, so hot-path lookups allocate nothing.
///
/// Storage is raw memory owned by this object and never written after `init`, which is
/// what makes sharing it across threads safe (hence `@unchecked Sendable`); arrays would
/// cost a bounds check and a retain per probe on a path that runs millions of times a second.
final class SuffixTrie: @unchecked Sendable {
    /// Node flag: the node exists when private rules are left out.
    static let existsInICANN: UInt8 = 1 << 0
    /// Node flag: a rule ends here when private rules are left out.
    static let endsICANNRule: UInt8 = 1 << 1
    /// Node flag: a rule ends here when private rules are included.
    static let endsAnyRule: UInt8 = 1 << 2
    /// Node flag: with private rules included, the rule ending here is a private one.
    static let isPrivateRule: UInt8 = 1 << 3

    static let root: Int32 = 0

    /// An edge from `parent` to `child`, its label in the arena.
    struct Edge {
        var parent: Int32
        var child: Int32
        /// The label's first word in the arena.
        var offset: Int32
        /// The label's length in bytes.
        var length: Int32
    }

    let flags: UnsafeMutableBufferPointer<UInt8>
    /// The `*` child of each node, or -1: wanted on every miss, so kept out of the table.
    let wildcardChild: UnsafeMutableBufferPointer<Int32>
    /// The hash table: 0 for empty, else the hash's top 32 bits over the edge index + 1.
    /// Eight bytes a slot keep it small enough to stay cached; the edges themselves are
    /// read only when the tag matches.
    let slots: UnsafeMutableBufferPointer<UInt64>
    let edges: UnsafeMutableBufferPointer<Edge>
    /// A Bloom filter over the same (parent, label) hashes, two bits per edge out of 16:
    /// small enough to stay in L1/L2, it turns away most misses (every registrable label,
    /// `google` under `com`) before they touch the table.
    let bloom: UnsafeMutableBufferPointer<UInt64>
    let bloomMask: Int
    /// Every edge label, zero-padded to whole little-endian 64-bit words.
    let arena: UnsafeMutableBufferPointer<UInt64>
    let mask: Int

    /// How many rules each section contributed.
    let icannRuleCount: Int
    let privateRuleCount: Int

    /// Builds the trie; ICANN rules go in first and private ones after, as tldextract adds
    /// them, so a rule listed in both sections counts as private.
    init(icannRules: [[UInt8]], privateRules: [[UInt8]]) {
        var builder = Builder()
        for rule in icannRules { builder.insert(rule, isPrivate: false) }
        for rule in privateRules { builder.insert(rule, isPrivate: true) }
        flags = Self.copy(builder.flags)
        wildcardChild = Self.copy(builder.wildcardChild)
        arena = Self.copy(builder.arena)
        let (table, mask) = builder.table()
        slots = Self.copy(table)
        edges = Self.copy(builder.edges.map { Edge(parent: $0.parent, child: $0.child, offset: $0.offset, length: $0.length) })
        let (filter, bloomMask) = builder.bloomFilter()
        bloom = Self.copy(filter)
        self.bloomMask = bloomMask
        self.mask = mask
        icannRuleCount = icannRules.count
        privateRuleCount = privateRules.count
    }

    deinit {
        flags.deallocate()
        wildcardChild.deallocate()
        slots.deallocate()
        edges.deallocate()
        bloom.deallocate()
        arena.deallocate()
    }

    private static func copy<Element>(_ array: [Element]) -> UnsafeMutableBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: max(array.count, 1))
        _ = buffer.initialize(from: array)
        return buffer
    }

    /// The key under which the exception rules (`!label`) below `node` are also filed, so
    /// that the wildcard check finds them without building `"!" + label`.
    @inline(__always)
    static func exceptionParent(_ node: Int32) -> Int32 { -2 - node }

    /// The child of `parent` whose label is `bytes[range]` with ASCII letters folded to
    /// lower case, or -1. Bytes of `bytes` outside `range` may be read (never past its ends).
    @inline(__always)
    func child(of parent: Int32, in bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int32 {
        guard let base = bytes.baseAddress else { return childOfEmpty(parent) }
        let length = range.count
        var hash = Self.seed(parent, length: length)
        // Most labels fit one word: keep it for the comparison instead of loading it again.
        var firstWord: UInt64 = 0
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + 8, range.upperBound)
            let word = Self.foldASCII(Self.word(base, start, end, bytes.count))
            if start == range.lowerBound { firstWord = word }
            hash = Self.mix(hash, word)
            start = end
        }
        guard mayContain(hash) else { return -1 }
        let tag = hash >> 32
        var index = Self.slotIndex(hash) & mask
        while true {
            let slot = slots[index]
            if slot == 0 { return -1 }
            if slot >> 32 == tag {
                let edge = edges[Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1]
                if edge.parent == parent && Int(edge.length) == length
                    && (length == 0 || arena[Int(edge.offset)] == firstWord)
                    && (length <= 8 || matches(Int(edge.offset), base, range, bytes.count)) {
                    return edge.child
                }
            }
            index = (index + 1) & mask
        }
    }

    /// Two 6-bit slices of the hash's top half pick the bits, bits from 12 up the word (the
    /// table's index comes from the low bits, so the two draw on different parts).
    @inline(__always)
    private func mayContain(_ hash: UInt64) -> Bool {
        let word = bloom[Int(truncatingIfNeeded: hash >> 12) & bloomMask]
        let bits = Self.bloomBits(hash)
        return word & bits == bits
    }

    @inline(__always)
    static func bloomBits(_ hash: UInt64) -> UInt64 {
        (1 << ((hash >> 32) & 63)) | (1 << ((hash >> 38) & 63))
    }

    private func childOfEmpty(_ parent: Int32) -> Int32 {
        var index = Self.slotIndex(Self.seed(parent, length: 0)) & mask
        while slots[index] != 0 {
            let edge = edges[Int(truncatingIfNeeded: slots[index] & 0xFFFF_FFFF) - 1]
            if edge.parent == parent && edge.length == 0 { return edge.child }
            index = (index + 1) & mask
        }
        return -1
    }

    @inline(__always)
    private func matches(_ offset: Int, _ base: UnsafePointer<UInt8>, _ range: Range<Int>, _ count: Int) -> Bool {
        var wordIndex = offset
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + 8, range.upperBound)
            if arena[wordIndex] != Self.foldASCII(Self.word(base, start, end, count)) { return false }
            wordIndex += 1
            start = end
        }
        return true
    }

    /// The bytes `start..<end` (1 to 8 of them) as a little-endian word, zero-padded. Reads
    /// whole words where the buffer allows, overlapping neighbouring bytes and shifting or
    /// masking them away, because one load beats eight.
    @inline(__always)
    static func word(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ count: Int) -> UInt64 {
        let length = end - start
        let raw = UnsafeRawPointer(base)
        if length == 8 {
            return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt64.self))
        }
        if end >= 8 {
            return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self)) >> UInt64(64 - 8 * length)
        }
        if start + 8 <= count {
            return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt64.self)) & ((1 << UInt64(8 * length)) - 1)
        }
        var word: UInt64 = 0
        for index in 0..<length { word |= UInt64(base[start + index]) << UInt64(8 * index) }
        return word
    }

    /// Sets bit 5 of every byte that is an ASCII capital, all eight bytes at once; other
    /// bytes, non-ASCII ones included, are left alone.
    @inline(__always)
    static func foldASCII(_ word: UInt64) -> UInt64 {
        let low = word & 0x7F7F_7F7F_7F7F_7F7F
        let atLeastA = low &+ 0x3F3F_3F3F_3F3F_3F3F
        let pastZ = low &+ 0x2525_2525_2525_2525
        let capitals = atLeastA & ~pastZ & ~word & 0x8080_8080_8080_8080
        return word | (capitals >> 2)
    }

    /// One byte folded the same way.
    @inline(__always)
    static func fold(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    @inline(__always)
    static func seed(_ parent: Int32, length: Int) -> UInt64 {
        (UInt64(UInt32(bitPattern: parent)) << 16 ^ UInt64(length)) &* 0xFF51_AFD7_ED55_8CCD
    }

    @inline(__always)
    static func mix(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        let mixed = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
        return mixed ^ (mixed >> 32)
    }

    @inline(__always)
    static func slotIndex(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }

    /// Grows the trie one rule at a time, then lays the edges out in a table sized for them.
    private struct Builder {
        var flags: [UInt8] = [SuffixTrie.existsInICANN]
        var wildcardChild: [Int32] = [-1]
        var arena: [UInt64] = []
        var edges: [(parent: Int32, child: Int32, offset: Int32, length: Int32, hash: UInt64)] = []
        var edgeIndex: [EdgeKey: Int32] = [:]

        struct EdgeKey: Hashable {
            var parent: Int32
            var label: [UInt8]
        }

        mutating func insert(_ rule: [UInt8], isPrivate: Bool) {
            var node = SuffixTrie.root
            for label in rule.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).reversed() {
                let parent = node
                node = child(of: parent, label: Array(label))
                if label.first == UInt8(ascii: "!") {
                    addEdge(from: SuffixTrie.exceptionParent(parent), to: node, label: Array(label.dropFirst()))
                }
                if !isPrivate { flags[Int(node)] |= SuffixTrie.existsInICANN }
            }
            flags[Int(node)] |= SuffixTrie.endsAnyRule
            if isPrivate {
                flags[Int(node)] |= SuffixTrie.isPrivateRule
            } else {
                flags[Int(node)] |= SuffixTrie.endsICANNRule
            }
        }

        private mutating func child(of parent: Int32, label: [UInt8]) -> Int32 {
            if let existing = edgeIndex[EdgeKey(parent: parent, label: label)] { return existing }
            let node = Int32(flags.count)
            flags.append(0)
            wildcardChild.append(-1)
            addEdge(from: parent, to: node, label: label)
            if label == [UInt8(ascii: "*")] { wildcardChild[Int(parent)] = node }
            return node
        }

        private mutating func addEdge(from parent: Int32, to node: Int32, label: [UInt8]) {
            let key = EdgeKey(parent: parent, label: label)
            guard edgeIndex[key] == nil else { return }
            edgeIndex[key] = node
            // Hash and store the label exactly as lookups will see it: words, unfolded (a
            // rule with capitals can never match, as in tldextract, which lower-cases only
            // the host).
            var hash = SuffixTrie.seed(parent, length: label.count)
            let offset = Int32(arena.count)
            label.withUnsafeBufferPointer { bytes in
                guard let base = bytes.baseAddress else { return }
                var start = 0
                while start < bytes.count {
                    let end = min(start + 8, bytes.count)
                    let word = SuffixTrie.word(base, start, end, bytes.count)
                    hash = SuffixTrie.mix(hash, word)
                    arena.append(word)
                    start = end
                }
            }
            edges.append((parent, node, offset, Int32(label.count), hash))
        }

        /// 16 bits per edge (about 1.5% false positives), a power of two of whole words.
        func bloomFilter() -> ([UInt64], Int) {
            var words = 1
            while words * 64 < edges.count * 16 { words *= 2 }
            var filter = [UInt64](repeating: 0, count: words)
            for edge in edges {
                filter[Int(truncatingIfNeeded: edge.hash >> 12) & (words - 1)] |= SuffixTrie.bloomBits(edge.hash)
            }
            return (filter, words - 1)
        }

        /// Open addressing at a load of at most one half keeps probe runs short.
        func table() -> ([UInt64], Int) {
            var capacity = 64
            while capacity < edges.count * 2 { capacity *= 2 }
            let mask = capacity - 1
            var slots = [UInt64](repeating: 0, count: capacity)
            for (number, edge) in edges.enumerated() {
                var index = SuffixTrie.slotIndex(edge.hash) & mask
                while slots[index] != 0 { index = (index + 1) & mask }
                slots[index] = (edge.hash >> 32) << 32 | UInt64(number + 1)
            }
            return (slots, mask)
        }
    }
}
