@testable import DNSData
import Foundation
import Testing

@Suite struct TyposquatGeneratorTests {
    static let dictionary = ["login", "secure", "mail", "pay", "google", "e-shop", "account"]
    /// `com` twice: dnstwist drops only the first copy of the brand's own TLD.
    static let tlds = ["com", "net", "org", "io", "co.uk", "uk", "de", "xn--p1ai", "com"]
    /// The brands the brief names, plus ones that reach the rarer paths: IDNA's ban on `--` in
    /// the third and fourth places (my-e-shop.com), a subdomain and a TLD with its own IDN set
    /// (www.example.de), and an internationalized brand given as its A-label.
    static let brands = [
        "google.com", "paypal.com", "microsoft.com", "bank-of-example.co.uk", "a1.io",
        "my-e-shop.com", "www.example.de", "xn--bcher-kva.ch",
    ]

    @Test func matchesDNSTwistPerFuzzer() throws {
        try compareWithDNSTwist(brands: Self.brands, dictionary: Self.dictionary, tlds: Self.tlds)
    }

    /// The product's default: no dictionary, no TLD list.
    @Test func matchesDNSTwistWithoutWordLists() throws {
        try compareWithDNSTwist(brands: ["google.com"], dictionary: [], tlds: [])
    }

    private func compareWithDNSTwist(brands: [String], dictionary: [String], tlds: [String]) throws {
        let oracle: [String: [Typosquat]]
        switch try DNSTwistOracle.permutations(brands: brands, dictionary: dictionary, tlds: tlds) {
        case let .permutations(result):
            oracle = result
        case let .unavailable(reason):
            Issue.record("dnstwist \(DNSTwistOracle.requiredVersion) is needed as the oracle (\(reason)): \(DNSTwistOracle.installHint)")
            return
        }
        let generator = TyposquatGenerator(dictionary: dictionary, tlds: tlds)
        for brand in brands {
            let ours = try generator.permutations(of: brand)
            let theirs = oracle[brand] ?? []
            let fuzzers = Set(ours.map(\.fuzzer)).union(theirs.map(\.fuzzer)).sorted()
            var counts: [String] = []
            for fuzzer in fuzzers {
                let mine = Set(ours.filter { $0.fuzzer == fuzzer }.map(\.domain))
                let reference = Set(theirs.filter { $0.fuzzer == fuzzer }.map(\.domain))
                counts.append("\(fuzzer)=\(reference.count)")
                let missing = reference.subtracting(mine).sorted()
                let extra = mine.subtracting(reference).sorted()
                if !missing.isEmpty || !extra.isEmpty {
                    Issue.record("\(brand) \(fuzzer): missing \(missing.count) \(missing.prefix(8)), extra \(extra.count) \(extra.prefix(8))")
                }
            }
            // Whole list, order included: dnstwist sorts by fuzzer, then domain.
            if ours != theirs {
                let firstDifference = zip(ours, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(ours.count, theirs.count)
                Issue.record("\(brand): ordered lists differ from row \(firstDifference) (ours \(ours.count) rows, dnstwist \(theirs.count))")
            }
            print("dnstwist oracle \(brand): \(theirs.count) permutations, ours \(ours.count) [\(counts.joined(separator: " "))]")
        }
    }

    @Test func googleeIsALookalikeOfGoogle() throws {
        let permutations = try TyposquatGenerator().permutations(of: "google.com")
        let hasGooglee = permutations.contains(Typosquat(fuzzer: "addition", domain: "googlee.com"))
        let hasBrand = permutations.contains { $0.domain == "google.com" }
        #expect(hasGooglee)
        #expect(!hasBrand)
        #expect(Set(permutations.map(\.domain)).count == permutations.count)
        // Without a dictionary or TLD list those two fuzzers have nothing to add.
        let fuzzers = Set(permutations.map(\.fuzzer))
        #expect(fuzzers.isDisjoint(with: ["dictionary", "tld-swap"]))
    }

    @Test func internationalizedLookalikesArePunycode() throws {
        let permutations = try TyposquatGenerator().permutations(of: "google.com")
        // Expectations on computed booleans: a failing one prints thousands of rows otherwise.
        let cyrillic = permutations.filter { $0.fuzzer == "cyrillic" }.map(\.domain)
        #expect(cyrillic == ["xn--e1ara49ctjc.com"])
        let homoglyphs = permutations.filter { $0.fuzzer == "homoglyph" }
        let hasScriptG = homoglyphs.contains { $0.domain == "xn--oogle-qmc.com" }
        let hasZeros = homoglyphs.contains { $0.domain == "g00gle.com" }
        #expect(hasScriptG)
        #expect(hasZeros)
        let allASCII = homoglyphs.allSatisfy { $0.domain.unicodeScalars.allSatisfy(\.isASCII) }
        #expect(allASCII)
    }

    @Test func brandIsNormalizedBeforeFuzzing() throws {
        let generator = TyposquatGenerator()
        let same = try generator.permutations(of: "  Google.COM.  ") == generator.permutations(of: "google.com")
        #expect(same)
    }

    @Test func rejectsWhatIsNotADomain() {
        let generator = TyposquatGenerator()
        #expect(throws: TyposquatInputError.empty) { try generator.permutations(of: "") }
        #expect(throws: TyposquatInputError.empty) { try generator.permutations(of: "  \n") }
        for text in ["com", "not a domain", "https://google.com/", "-bad.com", "bad-.com", "ab--cd.com", "a..com", "google.c", "under_score.com", String(repeating: "a", count: 64) + ".com"] {
            do {
                _ = try generator.permutations(of: text)
                Issue.record("\"\(text)\" was accepted as a domain")
            } catch {
                guard case let .notADomain(given, reason) = error else {
                    Issue.record("\"\(text)\": \(error)")
                    continue
                }
                #expect(given == text)
                #expect(!reason.isEmpty)
            }
        }
    }

    @Test func everyTableGlyphIsAPermittedIDNCharacter() {
        var glyphs = Set<Unicode.Scalar>(CyrillicLookalikes.twin.values)
        for tld in ["com", "info", "br", "dk", "de", "fi", "no", "fr", "ca"] {
            for replacements in HomoglyphTables.glyphs(forTLD: tld).values {
                for glyph in replacements { glyphs.formUnion(glyph) }
            }
        }
        for glyph in glyphs where !glyph.isASCII {
            #expect(TyposquatIDNA.isValidULabel(["a", glyph, "a"]), "U+\(String(glyph.value, radix: 16, uppercase: true))")
        }
    }

    @Test func wordAndTLDListsAreFilteredLikeDNSTwist() {
        #expect(TyposquatGenerator.wordList(from: "Login\nsecure\r\nit's\n\nlogin\nxn--p1ai\n") == ["login", "secure", "xn--p1ai"])
        #expect(TyposquatGenerator.tldList(from: "COM\nco.uk\na\nx.y.z\nnet\n") == ["co.uk", "com", "net"])
    }
}
