/// The typo models dnstwist applies to the registrable label of a brand (`google` in
/// `www.google.com`). Labels are arrays of Unicode scalars so that positions and comparisons
/// follow code points, as dnstwist's do, rather than grapheme clusters. Each fuzzer may repeat
/// a candidate or return the label itself; the generator removes both.
enum TyposquatFuzzers {
    typealias Label = [Unicode.Scalar]

    private static let hyphen: Unicode.Scalar = "-"
    private static let dot: Unicode.Scalar = "."
    /// Digits then lowercase letters: what may be appended to a label.
    private static let appendable: [Unicode.Scalar] = Array("0123456789abcdefghijklmnopqrstuvwxyz".unicodeScalars)
    private static let hostCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789-".unicodeScalars)
    private static let vowels: [Unicode.Scalar] = Array("aeiou".unicodeScalars)

    static func addition(_ label: Label) -> [Label] {
        var result: [Label] = []
        if label.contains(hyphen) {
            // A character slipped in before any of the hyphens, e.g. bank1-of-example.
            let parts = label.split(separator: hyphen, omittingEmptySubsequences: false).map(Array.init)
            for character in appendable {
                for cut in 1..<parts.count {
                    result.append(joined(parts[..<cut]) + [character, hyphen] + joined(parts[cut...]))
                }
            }
        }
        for character in appendable { result.append(label + [character]) }
        return result
    }

    /// One flipped bit in a character, as a faulty memory cell would resolve it.
    static func bitsquatting(_ label: Label) -> [Label] {
        var result: [Label] = []
        for (index, character) in label.enumerated() {
            for bit in 0..<8 {
                guard let flipped = Unicode.Scalar(character.value ^ (1 << bit)), hostCharacters.contains(flipped) else { continue }
                var candidate = label
                candidate[index] = flipped
                result.append(candidate)
            }
        }
        return result
    }

    /// The whole label in Cyrillic twins, or nothing if any character has no twin.
    static func cyrillic(_ label: Label) -> [Label] {
        var candidate: Label = []
        for character in label {
            guard let twin = CyrillicLookalikes.twin[character] else { return [] }
            candidate.append(twin)
        }
        return [candidate]
    }

    static func hyphenation(_ label: Label) -> [Label] {
        guard label.count > 1 else { return [] }
        return (1..<label.count).map { Array(label[..<$0]) + [hyphen] + label[$0...] }
    }

    /// A neighbouring key struck together with the intended one, before or after it.
    static func insertion(_ label: Label) -> [Label] {
        guard label.count > 1 else { return [] }
        var result: [Label] = []
        for index in 0..<(label.count - 1) {
            let intended = label[index]
            for layout in KeyboardLayouts.all {
                for neighbour in layout[intended] ?? [] {
                    result.append(Array(label[..<index]) + [neighbour, intended] + label[(index + 1)...])
                    result.append(Array(label[..<index]) + [intended, neighbour] + label[(index + 1)...])
                }
            }
        }
        return result
    }

    static func omission(_ label: Label) -> [Label] {
        label.indices.map { Array(label[..<$0]) + label[($0 + 1)...] }
    }

    /// A plural inserted inside the label (`goo` + `s` + `gle`), `es` after sibilants, never
    /// within two characters of either end.
    static func plural(_ label: Label) -> [Label] {
        guard label.count > 4 else { return [] }
        let sibilants: Set<Unicode.Scalar> = ["s", "x", "z"]
        return (2..<(label.count - 2)).map { index in
            let ending: Label = sibilants.contains(label[index]) ? ["e", "s"] : ["s"]
            return Array(label[...index]) + ending + label[(index + 1)...]
        }
    }

    static func repetition(_ label: Label) -> [Label] {
        label.indices.map { Array(label[..<$0]) + [label[$0]] + label[$0...] }
    }

    /// A neighbouring key struck instead of the intended one.
    static func replacement(_ label: Label) -> [Label] {
        var result: [Label] = []
        for (index, intended) in label.enumerated() {
            for layout in KeyboardLayouts.all {
                for neighbour in layout[intended] ?? [] {
                    var candidate = label
                    candidate[index] = neighbour
                    result.append(candidate)
                }
            }
        }
        return result
    }

    /// A dot inside the label, making its head a subdomain; never beside a hyphen or dot.
    static func subdomain(_ label: Label) -> [Label] {
        guard label.count > 2 else { return [] }
        var result: [Label] = []
        for index in 1..<(label.count - 1) {
            let separators: Set<Unicode.Scalar> = [hyphen, dot]
            if separators.contains(label[index]) || separators.contains(label[index - 1]) { continue }
            result.append(Array(label[..<index]) + [dot] + label[index...])
        }
        return result
    }

    static func transposition(_ label: Label) -> [Label] {
        guard label.count > 1 else { return [] }
        return (0..<(label.count - 1)).map { index in
            var candidate = label
            candidate.swapAt(index, index + 1)
            return candidate
        }
    }

    static func vowelSwap(_ label: Label) -> [Label] {
        var result: [Label] = []
        for (index, character) in label.enumerated() where vowels.contains(character) {
            for vowel in vowels {
                var candidate = label
                candidate[index] = vowel
                result.append(candidate)
            }
        }
        return result
    }

    /// The label combined with words a phishing domain would add (`google-login`), and, for a
    /// hyphenated label, its first or last part swapped for a word.
    static func dictionary(_ label: Label, words: [Label]) -> [Label] {
        var result: [Label] = []
        for word in words {
            // A word that is the label's both head and tail (the label itself, or empty) adds nothing.
            if label.starts(with: word) && label.reversed().starts(with: word.reversed()) { continue }
            result.append(label + [hyphen] + word)
            result.append(label + word)
            result.append(word + [hyphen] + label)
            result.append(word + label)
        }
        if label.contains(hyphen) {
            let parts = label.split(separator: hyphen, omittingEmptySubsequences: false).map(Array.init)
            for word in words {
                result.append(joined(parts.dropLast()) + [hyphen] + word)
                result.append(word + [hyphen] + joined(parts.dropFirst()))
            }
        }
        return result
    }

    private static func joined<S: Sequence>(_ parts: S) -> Label where S.Element == Label {
        Array(parts.joined(separator: [hyphen]))
    }
}
