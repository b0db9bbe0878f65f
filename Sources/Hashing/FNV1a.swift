/// FNV-1a, 64-bit: a byte-at-a-time hash whose value depends on the bytes alone, so it is
/// the same on every machine and in every run (Swift's `Hasher` is seeded per process).
///
/// Its low bits follow the last bytes closely; callers that cut on a few bits take the top
/// ones or pass the hash through ``SplitMix64/mix(_:)``.
public enum FNV1a {
    /// The hash of `bytes`.
    @inlinable
    public static func hash64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// The hash of `text`'s UTF-8 bytes, read in place when the string is contiguous.
    @inlinable
    public static func hash64(utf8 text: String) -> UInt64 {
        text.utf8.withContiguousStorageIfAvailable { hash64($0) } ?? hash64(text.utf8)
    }
}
