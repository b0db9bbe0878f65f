import Hashing

/// Synthetic word-built DGA names for the training rows: what a user adds when they take known
/// word-based families (from DGArchive, say) into training, made here from the training half of
/// the dictionary (`VocabularySplit`) because the accelerator's DGA list holds almost none.
///
/// The construction is deliberately generic rather than one family's: two to four words of
/// 3-10 letters drawn uniformly from the training half (a DGA's word list samples a dictionary
/// without regard to how common a word is), glued together or, for one name in four, joined by
/// hyphens, at most 24 characters. It does not cut names mid-word (gozi) nor mutate letters of
/// a fixed base (banjori), so the held-out figures show how far the model generalises beyond
/// the shapes it was shown.
public enum WordDGAAugmentation {
    /// Words fewer than this in the training half make the augmentation refuse to run.
    public static let minimumVocabulary = 1000
    /// The longest name built.
    public static let maximumLength = 24

    /// `count` distinct word-built labels, none in `excluding` (the real labels, so that no
    /// synthetic row duplicates a real one in any part of the split).
    ///
    /// - Parameter dictionaryWords: the whole dictionary; only its training half is used.
    /// - Throws: `AutoMLError.notEnoughData` when the training half has too few words of 3-10 letters.
    public static func labels(count: Int, dictionaryWords: [String], seed: UInt64, excluding: Set<String> = []) throws -> [String] {
        guard count > 0 else { return [] }
        let vocabulary = VocabularySplit.trainingWords(dictionaryWords)
            .filter { (3...10).contains($0.count) && $0.allSatisfy { $0 >= "a" && $0 <= "z" } }
        guard vocabulary.count >= minimumVocabulary else {
            throw AutoMLError.notEnoughData("the word-based DGA augmentation needs at least \(minimumVocabulary) dictionary words of 3-10 letters in its half of the dictionary, found \(vocabulary.count); use a larger dictionary, or set word_dga_examples (job parameter automl_word_dga_examples) to 0 to train without them")
        }
        var generator = SplitMix64(seed: seed ^ 0x3D5A_77C1_9B0E_4F21)
        func below(_ bound: Int) -> Int { Int(generator.next() % UInt64(bound)) }
        var seen = excluding
        var labels: [String] = []
        var attempts = 0
        while labels.count < count && attempts < count * 50 {
            attempts += 1
            // Two words most often (as most word DGAs), three or four less often.
            let wordCount = [2, 2, 2, 2, 3, 3, 4][below(7)]
            var words: [String] = []
            var length = 0
            for _ in 0..<wordCount {
                let word = vocabulary[below(vocabulary.count)]
                if length + word.count > maximumLength && words.count >= 2 { break }
                words.append(word)
                length += word.count
            }
            let label = below(4) == 0 ? words.joined(separator: "-") : words.joined()
            guard label.count <= maximumLength + 3, seen.insert(label).inserted else { continue }
            labels.append(label)
        }
        return labels
    }
}
