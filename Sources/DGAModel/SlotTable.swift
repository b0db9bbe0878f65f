/// The 4- and 5-gram slots of `GramIndex`: an open-addressing table of 8-byte entries with
/// linear probing, at most half full.
///
/// Half full, not 70% as before: over the alexa list's labels, the featurizer's lookups (about
/// nine a label, a quarter of them for grams in no table) read 1.25 slots for a present key and
/// 2.3 for an absent one, against 1.6 and 5.5 at 70%, and leave the prefetched home slot's
/// cache line half as often (0.6 times a label against 1.2); the table grows from 1.2 to 1.7
/// MB. Keys are placed in key order, which puts the grams of the most frequent characters
/// (the smallest classes) nearest their homes: most present keys sit in their home slot.
/// (Measured and dropped: an ordered table, Amble and Knuth's, the layout Robin Hood hashing
/// converges to, where a probe for an absent key stops at the first larger key: about two
/// slots for absent keys at 70%, but two for present keys too, since the order by hash undoes
/// the frequency order; featurizing was about 5% slower. Starting every probe at the first slot of
/// a cache-line bucket, measured earlier, cost more in probing than it saved in misses.)
///
/// A key's home slot is its mixed form (`mixed(_:)`, a bijection of 32-bit values) scaled to the
/// capacity; the slot stores the key itself (below 2³¹) and, in the top bit, whether some key
/// whose home this slot is lives further on (`displaced`). A lookup whose home slot holds
/// another key and no such mark is over after one slot: at half full, about nine in ten home
/// slots have no displaced key, so most lookups of absent grams (a quarter of the featurizer's)
/// no longer probe on to the next empty slot (2.3 slots on average), which was the index's
/// hottest loop. Probes never wrap: slots past the last home take the overflow, and the last
/// slot is always empty, which ends every probe.
///
/// 64-byte aligned memory of its own (so that a slot never straddles two cache lines). Built
/// at load time from the saved tables; immutable once built (hence Sendable); the memory is
/// freed with the table.
final class SlotTable: @unchecked Sendable {
    /// A slot: `stored` 0 marks an empty one (real keys are not 0: they carry a leading 1 bit).
    struct Entry: Sendable, Equatable {
        /// The key (bits 0-30) and `displaced` (bit 31).
        var stored: UInt32
        var info: UInt32

        /// The key held (0 for an empty slot).
        @inline(__always)
        var key: UInt32 { stored & SlotTable.keyMask }
    }

    /// Set in a home slot's `stored` when a key whose home it is was placed further on.
    static let displaced: UInt32 = 1 << 31
    static let keyMask: UInt32 = ~displaced

    /// The slots: `capacity` home slots then the overflow, the last one empty.
    let slots: UnsafeBufferPointer<Entry>
    /// Number of home slots.
    let capacity: UInt64
    /// Home slots per key.
    static let slotsPerKey = 2
    /// Number of keys.
    let count: Int

    /// A table of `values` by key; nil when a key is 0 or not below 2³¹ (the featurizer's gram
    /// keys are at most 31 bits).
    init?(_ values: [UInt32: UInt32]) {
        guard values.keys.allSatisfy({ $0 != 0 && $0 & Self.displaced == 0 }) else { return nil }
        let capacity = max(16, values.count * Self.slotsPerKey + 1)
        var slots = [Entry](repeating: Entry(stored: 0, info: 0), count: capacity + 1)
        // In key order: keys of frequent characters (small classes) first, nearest their homes.
        for (key, info) in values.sorted(by: { $0.key < $1.key }) {
            let home = Self.home(Self.mixed(key), capacity: UInt64(capacity))
            var slot = home
            while slot < slots.count && slots[slot].stored != 0 { slot += 1 }
            // Keep an empty slot after every entry: the probes' end.
            while slots.count < slot + 2 { slots.append(Entry(stored: 0, info: 0)) }
            slots[slot] = Entry(stored: key, info: info)
            if slot != home { slots[home].stored |= Self.displaced }
        }
        let memory = UnsafeMutableRawPointer.allocate(byteCount: slots.count * MemoryLayout<Entry>.stride, alignment: 64)
        let base = memory.bindMemory(to: Entry.self, capacity: slots.count)
        slots.withUnsafeBufferPointer { source in
            if let from = source.baseAddress { base.initialize(from: from, count: source.count) }
        }
        self.slots = UnsafeBufferPointer(start: base, count: slots.count)
        self.capacity = UInt64(capacity)
        self.count = values.count
    }

    deinit {
        UnsafeMutableRawPointer(mutating: slots.baseAddress)?.deallocate()
    }

    /// The stored form of `key`: multiplied by an odd constant (Knuth's multiplicative hash), a
    /// bijection of 32-bit values that spreads keys differing in their last 6-bit class.
    @inline(__always)
    static func mixed(_ key: UInt32) -> UInt32 { key &* 0x9E37_79B1 }

    /// The home slot of a mixed key in a table of `capacity` home slots: the mixed key scaled to
    /// the capacity (so homes rise with mixed keys).
    @inline(__always)
    static func home(_ mixed: UInt32, capacity: UInt64) -> Int {
        Int(truncatingIfNeeded: (UInt64(mixed) &* capacity) >> 32)
    }

    /// The entry of `key`, given its home slot's `first` read; nil when absent.
    @inline(__always)
    func find(_ key: UInt32, first: Entry) -> Entry? {
        if first.key == key { return first }
        // Another key or none at home, and no key of this home further on: absent. (An empty
        // home slot has no mark either.)
        guard first.stored & Self.displaced != 0 else { return nil }
        // Ends at the first empty slot at the latest, and the last slot is one.
        var slot = Self.home(Self.mixed(key), capacity: capacity)
        var found: Entry
        repeat {
            slot &+= 1
            found = slots[slot]
        } while found.key != key && found.stored != 0
        return found.key == key ? found : nil
    }

    /// The entry of `key`, nil when absent.
    func find(key: UInt32) -> Entry? {
        find(key, first: slots[Self.home(Self.mixed(key), capacity: capacity)])
    }
}
