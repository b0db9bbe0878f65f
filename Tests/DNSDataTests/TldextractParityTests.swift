import DNSData
import Foundation
import TestSupport
import Testing

/// Splits every name of the sample data (and names made from every rule of the list, and
/// edge cases) with both PublicSuffixList and Python's tldextract 5, which the accelerator
/// uses, and requires the same subdomain, domain, suffix and private flag, with private
/// domains off and on. tldextract reads the same Debian list file, offline.
@Suite struct TldextractParityTests {
    /// Inputs where this implementation differs from tldextract on purpose, with what it
    /// gives instead: an unbracketed IPv6 address is an address, where tldextract reads it
    /// as host:port and keeps what is before the first colon (`2001`, or nothing for `::1`).
    static let deliberateDifferences: [String: DomainParts] = [
        "::": DomainParts(subdomain: "", domain: "::", suffix: "", isIPAddress: true),
        "::1": DomainParts(subdomain: "", domain: "::1", suffix: "", isIPAddress: true),
        "2001:db8::1": DomainParts(subdomain: "", domain: "2001:db8::1", suffix: "", isIPAddress: true),
        " fe80::1%eth0 ": DomainParts(subdomain: "", domain: "fe80::1%eth0", suffix: "", isIPAddress: true),
        "http://2001:db8::8a2e:370:7334/x": DomainParts(subdomain: "", domain: "2001:db8::8a2e:370:7334", suffix: "", isIPAddress: true),
        "::ffff:192.0.2.1": DomainParts(subdomain: "", domain: "::ffff:192.0.2.1", suffix: "", isIPAddress: true),
    ]

    /// tldextract over a JSON array of strings, both private settings, into a JSON object.
    static let script = #"""
    import json, sys
    try:
        import tldextract
    except ImportError:
        sys.exit(3)
    corpus_path, psl_path, cache_dir, out_path = sys.argv[1:5]
    with open(corpus_path, encoding="utf-8") as f:
        corpus = json.load(f)
    out = {"version": tldextract.__version__}
    for key, private in (("icann", False), ("private", True)):
        extract = tldextract.TLDExtract(
            cache_dir=cache_dir,
            suffix_list_urls=["file://" + psl_path],
            fallback_to_snapshot=False,
            include_psl_private_domains=private,
        )
        out[key] = [
            [r.subdomain, r.domain, r.suffix, "1" if r.is_private else "0"]
            for r in map(extract, corpus)
        ]
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)
    """#

    struct Reference: Decodable {
        var version: String
        var icann: [[String]]
        var `private`: [[String]]
    }

    @Test func agreesWithTldextractOnTheSampleData() throws {
        let pslPath = PublicSuffixList.debianPath
        var corpus = try HostCorpus.alexa() + HostCorpus.rrnames() + HostCorpus.dgaDomains() + HostCorpus.urlhausURLs()
        let rulesCorpus = try HostCorpus.fromRules(pslPath: pslPath)
        corpus += rulesCorpus + HostCorpus.edgeCases
        corpus += HostCorpus.variants(of: corpus, count: 20_000)
        corpus = corpus.filter { Self.deliberateDifferences[$0] == nil }

        let directory = try TemporaryDirectory("tldextract")
        try JSONEncoder().encode(corpus).write(to: directory.file("corpus.json"))
        try Data(Self.script.utf8).write(to: directory.file("reference.py"))
        let python = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", directory.file("reference.py").path, directory.file("corpus.json").path, pslPath,
             directory.file("cache").path, directory.file("reference.json").path],
            environment: ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""], timeout: 600)
        if python.status == 3 {
            Issue.record("Python's tldextract is not importable: pip install tldextract (5.x); the comparison needs it")
            return
        }
        try #require(python.status == 0, """
            the tldextract reference run failed (\(python.status)); it needs python3 with tldextract 5 \
            (pip install tldextract): \(python.stderr)
            """)
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: directory.file("reference.json")))
        try #require(reference.icann.count == corpus.count && reference.private.count == corpus.count)

        var mismatches: [String] = []
        for (setting, rows) in [(false, reference.icann), (true, reference.private)] {
            let psl = try PublicSuffixList(path: pslPath, includePrivateDomains: setting)
            for (host, expected) in zip(corpus, rows) {
                let parts = psl.extract(host)
                let actual = [parts.subdomain, parts.domain, parts.suffix, parts.isPrivate ? "1" : "0"]
                if actual != expected {
                    mismatches.append("private=\(setting) \(debugQuoted(host)): tldextract \(expected), PublicSuffixList \(actual)")
                }
            }
        }
        print("tldextract \(reference.version) parity: \(corpus.count) inputs × 2 settings, \(mismatches.count) mismatches")
        // A count, not the array, in the expectation: a broken build would print megabytes.
        let mismatchCount = mismatches.count
        #expect(mismatchCount == 0, "first mismatches:\n\(mismatches.prefix(40).joined(separator: "\n"))")
    }

    @Test func deliberateDifferencesGiveTheDocumentedParts() throws {
        let psl = try PublicSuffixList()
        for (input, expected) in Self.deliberateDifferences {
            #expect(psl.extract(input) == expected, "\(debugQuoted(input))")
        }
    }

    private func debugQuoted(_ text: String) -> String { String(reflecting: text) }
}
