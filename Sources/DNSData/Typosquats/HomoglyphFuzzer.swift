/// Lookalike spellings of a label: one or two rounds of swapping a character, or a pair of
/// adjacent characters, for a glyph that reads the same (`rn` for `m`, `ɡ` for `g`).
struct HomoglyphFuzzer {
    typealias Label = [Unicode.Scalar]

    let glyphs: HomoglyphTables.Table

    init(tld: String) {
        glyphs = HomoglyphTables.glyphs(forTLD: tld)
    }

    /// Every label one or two swaps away. The second round runs on each result of the first,
    /// so a glyph brought in by the first swap (`rn`) can itself be swapped back (`m`).
    func candidates(of label: Label) -> Set<Label> {
        let firstRound = swaps(of: label)
        var result = firstRound
        for candidate in firstRound { result.formUnion(swaps(of: candidate)) }
        return result
    }

    private func swaps(of label: Label) -> Set<Label> {
        var result = Set<Label>()
        for (index, character) in label.enumerated() {
            for glyph in glyphs[[character]] ?? [] {
                result.insert(Array(label[..<index]) + glyph + label[(index + 1)...])
            }
        }
        guard label.count > 1 else { return result }
        for index in 0..<(label.count - 1) {
            let pair = [label[index], label[index + 1]]
            // The pair's first character, its second, or both together may have lookalikes;
            // a single character is swapped wherever it occurs in the pair (`oo` becomes `00`).
            let keys: Set<Label> = [[pair[0]], [pair[1]], pair]
            for key in keys {
                for glyph in glyphs[key] ?? [] {
                    let swapped = key.count == 2 ? glyph : pair.flatMap { $0 == key[0] ? glyph : [$0] }
                    result.insert(Array(label[..<index]) + swapped + label[(index + 2)...])
                }
            }
        }
        return result
    }
}
