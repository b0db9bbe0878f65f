/// Lookalike domains of a monitored brand, made with dnstwist's fuzzers and giving the same
/// permutations as dnstwist 20250130 for ASCII brands (with the `idna` package installed and no
/// `tld` package, so the TLD is split by dnstwist's own rule, see ``permutations(of:)``).
///
/// A domain several fuzzers make is reported once, under the first fuzzer in
/// ``fuzzerNames`` that made it, and the brand itself is never reported.
public struct TyposquatGenerator: Sendable {
    /// The fuzzers in the order dnstwist runs them; earlier ones win duplicates.
    public static let fuzzerNames: [String] = [
        "addition", "bitsquatting", "cyrillic", "homoglyph", "hyphenation", "insertion", "omission",
        "plural", "repetition", "replacement", "subdomain", "transposition", "vowel-swap", "dictionary",
        "tld-swap", "various",
    ]

    /// Words the dictionary fuzzer joins to the brand (`login`, `secure`), used exactly as given.
    public var dictionary: [String]
    /// TLDs the tld-swap fuzzer puts in place of the brand's own, used exactly as given.
    public var tlds: [String]

    /// - Parameters:
    ///   - dictionary: words for the dictionary fuzzer; see ``wordList(from:)`` to read a file
    ///     the way dnstwist's command line does.
    ///   - tlds: TLDs for the tld-swap fuzzer; see ``tldList(from:)``.
    public init(dictionary: [String] = [], tlds: [String] = []) {
        self.dictionary = dictionary
        self.tlds = tlds
    }

    /// Every lookalike of `domain`, sorted as dnstwist sorts them: by fuzzer name, then domain.
    ///
    /// The domain is trimmed, a final root dot dropped and the rest lowercased. Its TLD is the
    /// last label, or the last two when the second-to-last is one of dnstwist's common
    /// second-level names (`co.uk`, `com.au`); the label before the TLD is the one permuted.
    /// - Throws: ``TyposquatInputError`` when `domain` is empty or not a host name.
    public func permutations(of domain: String) throws(TyposquatInputError) -> [Typosquat] {
        let brand = try BrandDomain(validating: domain)
        var seen: Set<String> = [brand.ascii]
        var result: [Typosquat] = []
        func add(_ fuzzer: String, _ candidate: [Unicode.Scalar]) {
            guard let ascii = TyposquatIDNA.asciiDomain(candidate), seen.insert(ascii).inserted else { return }
            result.append(Typosquat(fuzzer: fuzzer, domain: ascii))
        }
        func addLabels(_ fuzzer: String, _ labels: some Sequence<[Unicode.Scalar]>) {
            for label in labels { add(fuzzer, brand.assembled(label: label)) }
        }

        let label = brand.label
        addLabels("addition", TyposquatFuzzers.addition(label))
        addLabels("bitsquatting", TyposquatFuzzers.bitsquatting(label))
        addLabels("cyrillic", TyposquatFuzzers.cyrillic(label))
        addLabels("homoglyph", HomoglyphFuzzer(tld: brand.tld).candidates(of: label))
        addLabels("hyphenation", TyposquatFuzzers.hyphenation(label))
        addLabels("insertion", TyposquatFuzzers.insertion(label))
        addLabels("omission", TyposquatFuzzers.omission(label))
        addLabels("plural", TyposquatFuzzers.plural(label))
        addLabels("repetition", TyposquatFuzzers.repetition(label))
        addLabels("replacement", TyposquatFuzzers.replacement(label))
        addLabels("subdomain", TyposquatFuzzers.subdomain(label))
        addLabels("transposition", TyposquatFuzzers.transposition(label))
        addLabels("vowel-swap", TyposquatFuzzers.vowelSwap(label))
        addLabels("dictionary", TyposquatFuzzers.dictionary(label, words: dictionary.map { Array($0.unicodeScalars) }))
        for tld in swappedTLDs(for: brand.tld) { add("tld-swap", brand.assembled(tld: tld)) }
        for candidate in VariousFuzzer.candidates(for: brand) { add("various", candidate) }

        return result.sorted { lhs, rhs in
            lhs.fuzzer == rhs.fuzzer
                ? lhs.domain.unicodeScalars.lexicographicallyPrecedes(rhs.domain.unicodeScalars)
                : lhs.fuzzer.unicodeScalars.lexicographicallyPrecedes(rhs.fuzzer.unicodeScalars)
        }
    }

    /// The TLD list without the brand's own TLD (its first occurrence, as dnstwist removes it;
    /// a repeat would only remake the brand, which is never reported).
    private func swappedTLDs(for own: String) -> [String] {
        var list = tlds
        if let index = list.firstIndex(of: own) { list.remove(at: index) }
        return list
    }
}
