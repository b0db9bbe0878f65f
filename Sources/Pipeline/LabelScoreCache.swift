import Foundation
import Hashing

/// Scores by label: an open-addressing hash table keyed by the label's UTF-8 bytes, for
/// ``ScoringModel``'s cache.
///
/// Why not `[String: Double]`: a batch's lookups went through the dictionary three times per
/// new label (look up, claim a place among the labels to score, store the score), each time
/// hashing the whole string with SipHash, and the three were a tenth of the pipeline's
/// reading thread. Here a label is hashed once, found or added in one probe sequence, and its
/// score is stored later by entry number, without hashing again.
///
/// The hash is seeded at random per process (as Swift's `Hasher` is), so whoever writes the
/// names a log holds cannot work out ahead which of them share a slot (though it is not a
/// keyed cryptographic hash, as SipHash is). Labels are stored in one byte buffer; entries are
/// never removed one by one, only the newest ones together (``truncate(to:)``) or all.
struct LabelScoreCache {
    private struct Entry {
        var hash: UInt64
        var start: Int
        var length: Int
        var score: Double
    }

    /// Entry number + 1 per slot; 0 is empty. The slots are at most half full.
    private var slots: [UInt32] = []
    private var entries: [Entry] = []
    private var bytes: [UInt8] = []
    private let seed: UInt64

    init() {
        var generator = SystemRandomNumberGenerator()
        seed = generator.next()
    }

    /// Labels held.
    var count: Int { entries.count }

    /// The score stored for entry `entry` (NaN until ``setScore(_:of:)``).
    func score(of entry: Int) -> Double { entries[entry].score }

    /// Sets entry `entry`'s score.
    mutating func setScore(_ score: Double, of entry: Int) { entries[entry].score = score }

    /// The entry of `label`, added (with a NaN score) when it was not there: its number and
    /// whether it was there before.
    mutating func entry(for label: String) -> (entry: Int, existed: Bool) {
        if let found = label.utf8.withContiguousStorageIfAvailable({ find(orAdd: $0) }) { return found }
        let copy = Array(label.utf8)
        return copy.withUnsafeBufferPointer { find(orAdd: $0) }
    }

    /// Drops the entries numbered `count` and above (the newest), as if they were never added.
    ///
    /// Sound with linear probing because an entry's probe passed only slots taken before it
    /// was added: no older entry lies beyond a slot this frees.
    mutating func truncate(to count: Int) {
        guard count < entries.count else { return }
        let mask = slots.count - 1
        for number in count..<entries.count {
            var slot = Int(truncatingIfNeeded: entries[number].hash) & mask
            while slots[slot] != UInt32(number + 1) { slot = (slot + 1) & mask }
            slots[slot] = 0
        }
        bytes.removeSubrange(entries[count].start...)
        entries.removeSubrange(count...)
    }

    /// Empties the cache, keeping its memory.
    mutating func removeAll() {
        for index in slots.indices { slots[index] = 0 }
        entries.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }

    private mutating func find(orAdd key: UnsafeBufferPointer<UInt8>) -> (entry: Int, existed: Bool) {
        if 2 * (entries.count + 1) > slots.count { grow() }
        let hash = Self.hash(key, seed: seed)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let taken = slots[slot]
            if taken == 0 { break }
            let number = Int(taken) - 1
            if entries[number].hash == hash && equals(number, key) { return (number, true) }
            slot = (slot + 1) & mask
        }
        let number = entries.count
        entries.append(Entry(hash: hash, start: bytes.count, length: key.count, score: .nan))
        bytes.append(contentsOf: key)
        slots[slot] = UInt32(number + 1)
        return (number, false)
    }

    private func equals(_ number: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let entry = entries[number]
        guard entry.length == key.count else { return false }
        return bytes.withUnsafeBufferPointer { stored in
            guard let base = stored.baseAddress, let other = key.baseAddress else { return key.isEmpty }
            return memcmp(base + entry.start, other, key.count) == 0
        }
    }

    /// Doubles the slots (16,384 at first) and places every entry again by its stored hash.
    private mutating func grow() {
        let capacity = max(1 << 14, slots.count * 2)
        slots = [UInt32](repeating: 0, count: capacity)
        let mask = capacity - 1
        for number in entries.indices {
            var slot = Int(truncatingIfNeeded: entries[number].hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(number + 1)
        }
    }

    /// A seeded hash of `key`: eight bytes at a time, each word mixed in by a multiply and the
    /// result finished with SplitMix64's finaliser. Labels are short (a DNS label is at most 63 bytes).
    static func hash(_ key: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
        var state = seed ^ (UInt64(key.count) &* 0x9E37_79B9_7F4A_7C15)
        guard let base = key.baseAddress else { return SplitMix64.mix(state) }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset + 8 <= key.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            state = (state ^ word) &* 0xBF58_476D_1CE4_E5B9
            state ^= state >> 31
            offset += 8
        }
        if offset < key.count {
            var word: UInt64 = 0
            for index in offset..<key.count { word |= UInt64(base[index]) << UInt64(8 * (index - offset)) }
            state = (state ^ word) &* 0x94D0_49BB_1331_11EB
            state ^= state >> 29
        }
        return SplitMix64.mix(state)
    }
}
