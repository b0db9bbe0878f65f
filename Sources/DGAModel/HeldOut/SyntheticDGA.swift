import Foundation
import Hashing

/// Seeded generators of domain labels shaped like DGA families that are not in the training
/// list, for the held-out evaluation: a model must catch machine-made names it has never seen.
///
/// These are not bit-exact reimplementations of the malware (their seeds, dates and constants
/// are not reproduced); each follows the construction public analyses document for the family:
/// its alphabet, length range and, for the word-based families, how words are glued together.
/// Word lists come from the machine, never from the training data: the held-out half of the
/// dictionary (`VocabularySplit`) for suppobox, matsnu and banjori (as they draw from English
/// word lists), so they share no word with the training rows' word-based augmentation
/// (`WordDGAAugmentation`, which draws from the other half), and a long English text for gozi,
/// which builds names from words of a public document (the GPL among them).
public enum SyntheticDGA {
    /// A DGA family and its construction.
    public enum Family: String, Sendable, CaseIterable, Codable {
        /// Two dictionary words from a fixed list of a few hundred, glued ("heavenshake").
        case suppobox
        /// Two or three dictionary words, a verb-noun style chain, sometimes hyphenated.
        case matsnu
        /// Two to four words of an English text, concatenated and cut to 12-23 characters.
        case gozi
        /// Alternating consonants and vowels, 7-12 characters (simda and symmi style).
        case simda
        /// A fixed word-based name whose first four letters change per domain (banjori).
        case banjori
        /// Twelve letters drawn uniformly (tinba).
        case tinba
        /// Letters and digits drawn uniformly, 16 characters (chinad style).
        case chinad
        /// One letter then 33 hex digits (dyre).
        case dyre
        /// Letters drawn uniformly, 6-15 characters (pykspa style).
        case pykspa

        /// Whether the family builds names from words (the hard kind for character statistics).
        public var isWordBased: Bool { [.suppobox, .matsnu, .gozi, .banjori].contains(self) }
    }

    /// `count` distinct labels of `family`.
    ///
    /// - Parameters:
    ///   - words: the dictionary (lowercase letters only); the word families use its held-out half only.
    ///   - textWords: the words of a running text, in order, for gozi.
    /// - Throws: `AutoMLError.notEnoughData` when a word family has too few words to draw from.
    public static func generate(_ family: Family, count: Int, seed: UInt64, words: [String], textWords: [String]) throws -> [String] {
        var generator = SplitMix64(seed: seed &+ UInt64(Family.allCases.firstIndex(of: family) ?? 0) &* 0x5851_F42D_4C95_7F2D)
        let vocabulary = VocabularySplit.heldOutWords(words).filter { (4...9).contains($0.count) && $0.allSatisfy { $0 >= "a" && $0 <= "z" } }
        let text = textWords.map { $0.lowercased().filter { $0 >= "a" && $0 <= "z" } }.filter { $0.count >= 3 }
        if family.isWordBased && family != .gozi && vocabulary.count < 400 {
            throw AutoMLError.notEnoughData("the \(family.rawValue) generator needs at least 400 dictionary words of 4-9 letters in the held-out half of the dictionary, found \(vocabulary.count)")
        }
        if family == .gozi && text.count < 100 {
            throw AutoMLError.notEnoughData("the gozi generator needs a text of at least 100 words, found \(text.count)")
        }
        // A family's fixed word list, as the malware ships one: a seeded sample.
        let list = family.isWordBased && family != .gozi ? (0..<384).map { _ in vocabulary[Int(generator.next() % UInt64(vocabulary.count))] } : []
        let banjoriBase = family == .banjori ? (0..<3).map { _ in list[Int(generator.next() % UInt64(list.count))] }.joined() : ""

        var seen = Set<String>()
        var labels: [String] = []
        var attempts = 0
        while labels.count < count && attempts < count * 50 {
            attempts += 1
            let label = make(family, &generator, list: list, text: text, banjoriBase: banjoriBase)
            if !label.isEmpty && seen.insert(label).inserted { labels.append(label) }
        }
        return labels
    }

    private static let letters = Array("abcdefghijklmnopqrstuvwxyz")
    private static let consonants = Array("bcdfghjklmnpqrstvwxz")
    private static let vowels = Array("aeiouy")
    private static let hexDigits = Array("0123456789abcdef")
    private static let alphanumerics = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    private static func make(_ family: Family, _ generator: inout SplitMix64, list: [String], text: [String], banjoriBase: String) -> String {
        func pick<T>(_ items: [T]) -> T { items[Int(generator.next() % UInt64(items.count))] }
        func between(_ low: Int, _ high: Int) -> Int { low + Int(generator.next() % UInt64(high - low + 1)) }
        switch family {
        case .suppobox:
            return pick(list) + pick(list)
        case .matsnu:
            let parts = (0..<between(2, 3)).map { _ in pick(list) }
            let joined = generator.next() % 3 == 0 ? parts.joined(separator: "-") : parts.joined()
            return String(joined.prefix(24))
        case .gozi:
            let start = Int(generator.next() % UInt64(text.count))
            var name = ""
            var index = start
            let target = between(12, 23)
            while name.count < target {
                name += text[index % text.count]
                index += between(1, 7)
            }
            return String(name.prefix(target))
        case .simda:
            let length = between(7, 12)
            let startWithVowel = generator.next() % 2 == 0
            return String((0..<length).map { position in (position % 2 == 0) == startWithVowel ? pick(vowels) : pick(consonants) })
        case .banjori:
            return String((0..<4).map { _ in pick(letters) }) + banjoriBase.dropFirst(4)
        case .tinba:
            return String((0..<12).map { _ in pick(letters) })
        case .chinad:
            return String((0..<16).map { _ in pick(alphanumerics) })
        case .dyre:
            return String(pick(letters)) + String((0..<33).map { _ in pick(hexDigits) })
        case .pykspa:
            return String((0..<between(6, 15)).map { _ in pick(letters) })
        }
    }
}
