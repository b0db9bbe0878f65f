/// A small deterministic random number generator (SplitMix64), so that the built-in
/// sample is the same on every machine for a given seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniformly chosen element; nil for an empty collection.
    public mutating func pick<C: Collection>(_ items: C) -> C.Element? where C.Index == Int {
        guard !items.isEmpty else { return nil }
        return items[items.startIndex + Int.random(in: 0..<items.count, using: &self)]
    }
}
