/// Numbers three-byte sequences densely, for small arrays indexed by a label's first three
/// characters at a position: bytes that occur in the reference text get classes 1…k, so a
/// table needs `(k + 1)^3` slots (about 60,000 for domain characters, a few hundred KiB)
/// and stays in cache, unlike the hash tables behind it.
struct ByteTripleIndex: Sendable {
    private let byteClass: [UInt8]
    private let side: Int

    /// Slots a table indexed by this needs.
    var slotCount: Int { side * side * side }

    /// An index over the bytes of `texts`; nil when they use more distinct bytes than a table
    /// of `maximumSlots` can cover.
    init?(texts: [String], maximumSlots: Int = 1 << 20) {
        var byteClass = [UInt8](repeating: 0, count: 256)
        var classes = 0
        for text in texts {
            for byte in text.utf8 where byteClass[Int(byte)] == 0 {
                guard classes < 255 else { return nil }
                classes += 1
                byteClass[Int(byte)] = UInt8(classes)
            }
        }
        let side = classes + 1
        guard side * side * side <= maximumSlots else { return nil }
        self.byteClass = byteClass
        self.side = side
    }

    /// The slot of `bytes[start..<start+3]`, or nil when one of them occurs in no reference text
    /// (so no entry can match).
    @inline(__always)
    func slot(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Int? {
        byteClass.withUnsafeBufferPointer { classes in
            let a = Int(classes[Int(bytes[start])]), b = Int(classes[Int(bytes[start + 1])]), c = Int(classes[Int(bytes[start + 2])])
            guard a != 0, b != 0, c != 0 else { return nil }
            return (a * side + b) * side + c
        }
    }
}
