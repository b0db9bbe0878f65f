import Hashing
import Testing

/// The two functions' published reference values: seeded samples, splits and the
/// dictionary's halves depend on them staying exactly these.
@Suite struct HashingTests {
    /// SplitMix64 from seed 0 and seed 1234567, as the reference C code (Vigna's splitmix64.c) gives.
    @Test func splitMix64MatchesTheReferenceStreams() {
        var zero = SplitMix64(seed: 0)
        #expect((0..<3).map { _ in zero.next() } == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var other = SplitMix64(seed: 1_234_567)
        #expect((0..<2).map { _ in other.next() } == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973])
        // The finaliser alone is what next() applies to the advanced state.
        #expect(SplitMix64.mix(0x9E37_79B9_7F4A_7C15) == 0xE220_A839_7B1D_CDAF)
    }

    /// FNV-1a 64 test vectors (Fowler, Noll and Vo's published table).
    @Test func fnv1aMatchesThePublishedVectors() {
        #expect(FNV1a.hash64(utf8: "") == 0xCBF2_9CE4_8422_2325)
        #expect(FNV1a.hash64(utf8: "a") == 0xAF63_DC4C_8601_EC8C)
        #expect(FNV1a.hash64(utf8: "foobar") == 0x8594_4171_F739_67E8)
        // A bridged or non-contiguous string hashes its UTF-8 bytes all the same.
        let pieces = ["foo", "bar"].joined()
        #expect(FNV1a.hash64(utf8: pieces) == FNV1a.hash64(Array("foobar".utf8)))
        #expect(FNV1a.hash64(utf8: "é") == FNV1a.hash64([0xC3, 0xA9]))
    }
}
