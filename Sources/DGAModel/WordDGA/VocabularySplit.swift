import Hashing

/// The dictionary cut in two disjoint halves by a hash of each word: the training half, which
/// the word-based DGA augmentation of the training rows draws from, and the held-out half, which
/// the held-out word families (suppobox, matsnu, banjori) draw from, so that no held-out
/// word-based name is built from a word the augmentation used.
///
/// The cut depends on the word alone (FNV-1a 64 of its UTF-8 bytes, mixed), never on the
/// list's order or size: the same word lands in the same half on every machine and whatever
/// else the list holds.
public enum VocabularySplit {
    /// Which half a word belongs to.
    public enum Half: Sendable, Equatable {
        /// Words the training augmentation may use.
        case training
        /// Words the held-out generators may use.
        case heldOut
    }

    /// The half of `word`.
    public static func half(of word: String) -> Half {
        // FNV's low bits follow the last byte closely; SplitMix64's finaliser spreads every byte
        // over the bit the cut is made on.
        SplitMix64.mix(FNV1a.hash64(utf8: word)) & 1 == 0 ? .training : .heldOut
    }

    /// The words of `words` in the training half, in order.
    public static func trainingWords(_ words: [String]) -> [String] { words.filter { half(of: $0) == .training } }

    /// The words of `words` in the held-out half, in order.
    public static func heldOutWords(_ words: [String]) -> [String] { words.filter { half(of: $0) == .heldOut } }
}
