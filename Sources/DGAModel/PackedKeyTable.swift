/// A read-only open-addressing hash map from packed keys to values, for the featurizer's hot
/// loop: Swift's `Dictionary` hashes with a per-process random seed and costs several times more
/// per lookup than a multiply-shift probe into two flat arrays.
///
/// Keys must be non-zero (0 marks an empty slot); `PackedKey` keys always are.
struct PackedKeyTable<Value: Sendable>: Sendable {
    /// Key and value side by side, so that a hit costs one cache line, not two: the tables are
    /// megabytes, and the featurizer's time goes into cache misses.
    private struct Slot: Sendable {
        var key: UInt64
        var value: Value
    }

    private let slots: [Slot]
    private let shift: UInt64
    private let mask: Int
    /// Number of entries.
    let count: Int

    init(_ entries: [(key: UInt64, value: Value)], placeholder: Value) {
        // At most half full, so that probes stay short.
        var capacity = 16
        while capacity < entries.count * 2 { capacity <<= 1 }
        let bits = UInt64(capacity.trailingZeroBitCount)
        var slots = [Slot](repeating: Slot(key: 0, value: placeholder), count: capacity)
        let mask = capacity - 1
        var stored = 0
        for (key, value) in entries where key != 0 {
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> (64 - bits))
            while slots[slot].key != 0 && slots[slot].key != key { slot = (slot + 1) & mask }
            if slots[slot].key == 0 { stored += 1 }
            slots[slot] = Slot(key: key, value: value)
        }
        self.slots = slots
        self.shift = 64 - bits
        self.mask = mask
        self.count = stored
    }

    @inline(__always)
    func value(for key: UInt64) -> Value? {
        slots.withUnsafeBufferPointer { slots in
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while true {
                let found = slots[slot].key
                if found == key { return slots[slot].value }
                if found == 0 { return nil }
                slot = (slot + 1) & mask
            }
        }
    }
}

/// Packs up to seven bytes into a `UInt64` behind a leading 1 bit, so that grams of different
/// lengths never share a key and no key is 0.
enum PackedKey {
    static let maximumLength = 7

    @inline(__always)
    static func make(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, count: Int) -> UInt64 {
        var key: UInt64 = 1
        for index in start..<(start + count) { key = key << 8 | UInt64(bytes[index]) }
        return key
    }

    @inline(__always)
    static func appending(_ key: UInt64, _ byte: UInt8) -> UInt64 { key << 8 | UInt64(byte) }

    static func make(_ text: String) -> UInt64? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumLength else { return nil }
        return bytes.withUnsafeBufferPointer { make($0, from: 0, count: $0.count) }
    }

    static func string(_ key: UInt64) -> String {
        var bytes: [UInt8] = []
        var rest = key
        while rest > 1 {
            bytes.append(UInt8(truncatingIfNeeded: rest & 0xFF))
            rest >>= 8
        }
        return String(decoding: bytes.reversed(), as: UTF8.self)
    }
}
