import Hashing

/// The built-in sample's generator: SplitMix64 one step past `seed`, so that the sample is
/// the same on every machine for a given seed (and the same as samples made before).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var base: SplitMix64

    public init(seed: UInt64) { base = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15) }

    public mutating func next() -> UInt64 { base.next() }

    /// A uniformly chosen element; nil for an empty collection.
    public mutating func pick<C: Collection>(_ items: C) -> C.Element? where C.Index == Int {
        guard !items.isEmpty else { return nil }
        return items[items.startIndex + Int.random(in: 0..<items.count, using: &self)]
    }
}
