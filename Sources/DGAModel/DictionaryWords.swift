import Foundation

/// Reading the dictionary the featurizer learns words from (Debian's `wamerican`,
/// `/usr/share/dict/words`).
public enum DictionaryWords {
    /// Debian's word list.
    public static let defaultPath = "/usr/share/dict/words"

    /// The words of a one-word-a-line file, cleaned as the accelerator does: only words made of
    /// letters alone (no apostrophes or digits), lowercased, duplicates dropped, order kept.
    public static func load(from url: URL = URL(fileURLWithPath: defaultPath)) throws -> [String] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw FeaturizerError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return clean(text.split(whereSeparator: \.isNewline).map(String.init))
    }

    /// The accelerator's cleaning of a word list.
    public static func clean(_ lines: [String]) -> [String] {
        var seen = Set<String>()
        var words: [String] = []
        for line in lines {
            let word = line.trimmingCharacters(in: .whitespaces)
            guard !word.isEmpty, word.allSatisfy(\.isLetter) else { continue }
            let lowered = word.lowercased()
            if seen.insert(lowered).inserted { words.append(lowered) }
        }
        return words
    }
}
