import DNSData
import Foundation
import TestSupport
import Testing

/// What the suffix list gives for the cases the product relies on, stated outright (the
/// parity suite checks the same and much more against tldextract).
@Suite struct PublicSuffixListTests {
    let psl: PublicSuffixList
    let icannOnly: PublicSuffixList

    init() throws {
        psl = try PublicSuffixList()
        icannOnly = try PublicSuffixList(includePrivateDomains: false)
    }

    /// subdomain | domain | suffix, for compact expectations.
    func split(_ host: String, _ list: PublicSuffixList? = nil) -> String {
        let parts = (list ?? psl).extract(host)
        return "\(parts.subdomain)|\(parts.domain)|\(parts.suffix)"
    }

    @Test func loadsBothSectionsOfTheDebianList() {
        #expect(psl.icannRuleCount > 5000)
        #expect(psl.privateRuleCount > 1000)
        #expect(psl.includePrivateDomains)
        #expect(!icannOnly.includePrivateDomains)
    }

    @Test func theAcceleratorsStory() {
        let agentTesla = psl.extract("ns1.asdklgb.cf.")
        #expect(agentTesla.subdomain == "ns1")
        #expect(agentTesla.domain == "asdklgb")
        #expect(agentTesla.suffix == "cf")
        #expect(agentTesla.registeredDomain == "asdklgb.cf")
        #expect(agentTesla.fqdn == "ns1.asdklgb.cf")
        #expect(psl.extract("www.googlee.com").registeredDomain == "googlee.com")
        #expect(split("forums.bbc.co.uk") == "forums|bbc|co.uk")
    }

    @Test func wildcardAndExceptionRules() {
        #expect(split("a.b.ck") == "|a|b.ck")
        #expect(split("www.ck") == "|www|ck")
        #expect(split("foo.www.ck") == "foo|www|ck")
        #expect(split("foo.bar.kawasaki.jp") == "|foo|bar.kawasaki.jp")
        #expect(split("foo.city.kawasaki.jp") == "foo|city|kawasaki.jp")
        #expect(split("x.y.sch.uk") == "|x|y.sch.uk")
    }

    @Test func privateDomainsExposeTheLabelADGAHidesIn() {
        let dynamic = psl.extract("abc123.ddns.net")
        #expect(dynamic.domain == "abc123")
        #expect(dynamic.suffix == "ddns.net")
        #expect(dynamic.isPrivate)
        #expect(dynamic.registrySuffix == "net")
        #expect(dynamic.registeredDomain == "abc123.ddns.net")

        let hidden = icannOnly.extract("abc123.ddns.net")
        #expect(hidden.subdomain == "abc123")
        #expect(hidden.domain == "ddns")
        #expect(!hidden.isPrivate)

        #expect(split("foo.blogspot.com") == "|foo|blogspot.com")
        #expect(split("foo.blogspot.com", icannOnly) == "foo|blogspot|com")
        #expect(split("x.s3.amazonaws.com") == "|x|s3.amazonaws.com")
        #expect(split("blogspot.com") == "||blogspot.com")
        // The per-call setting overrides the list's.
        #expect(psl.extract("abc123.ddns.net", includePrivateDomains: false).domain == "ddns")
    }

    @Test func caseAndRootDotsAreKeptOutOfTheWay() {
        #expect(split("WWW.Google.COM") == "WWW|Google|COM")
        #expect(split("NS1.ASDKLGB.CF.") == "NS1|ASDKLGB|CF")
        #expect(split("example.com..") == "|example|com")
        #expect(split(" example.com \t") == "|example|com")
    }

    @Test func internationalNamesMatchInBothForms() {
        #expect(split("www.食狮.公司.cn") == "www|食狮|公司.cn")
        #expect(split("www.xn--85x722f.xn--55qx5d.cn") == "www|xn--85x722f|xn--55qx5d.cn")
        #expect(split("WWW.XN--85X722F.XN--55QX5D.CN") == "WWW|XN--85X722F|XN--55QX5D.CN")
        #expect(split("пример.рф") == "|пример|рф")
        #expect(split("xn--e1afmkfd.xn--p1ai") == "|xn--e1afmkfd|xn--p1ai")
        #expect(split("www。google。com") == "www|google|com")
        #expect(IDNA.toUnicode("WWW.XN--85X722F.XN--55QX5D.CN") == "www.食狮.公司.cn")
        #expect(IDNA.toASCII("www.食狮.公司.CN") == "www.xn--85x722f.xn--55qx5d.cn")
        #expect(IDNA.matchingForm(ofLabel: "xn--abc-") == "xn--abc-")
    }

    @Test func ipAddressesAreTheDomain() {
        for (input, domain) in [("127.0.0.1", "127.0.0.1"), ("http://127.0.0.1:8080/deployed/", "127.0.0.1"),
                                ("[::1]", "[::1]"), ("http://[2001:db8::1]:8080/x", "[2001:db8::1]"),
                                ("2001:db8::1", "2001:db8::1"), ("[::ffff:1.2.3.4]", "[::ffff:1.2.3.4]")] {
            let parts = psl.extract(input)
            #expect(parts.domain == domain, "\(input)")
            #expect(parts.suffix.isEmpty && parts.subdomain.isEmpty && parts.isIPAddress, "\(input)")
            #expect(parts.registeredDomain.isEmpty)
        }
        #expect(!psl.extract("256.1.1.1").isIPAddress)
        #expect(split("01.2.3.4") == "01.2.3|4|")
    }

    @Test func urlsGiveTheirHost() {
        #expect(split("http://user@host.example.com:8080/path?q") == "host|example|com")
        #expect(split("https://user:pass@www.example.co.uk:443/") == "www|example|co.uk")
        #expect(split("//cdn.example.org/lib.js") == "cdn|example|org")
        #expect(split("example.com:8080") == "|example|com")
        #expect(HostNormalization.host(of: "HTTP://User@WWW.Example.com:8080/x?y#z") == "WWW.Example.com")
        #expect(HostNormalization.host(of: "[::1]:53") == "[::1]")
    }

    @Test func unknownSuffixesAndGarbageDoNotTrap() {
        #expect(split("google.notavalidsuffix") == "google|notavalidsuffix|")
        #expect(split("a17btkyb38gxe41pwd50nxmzjxiwjwdwfrp52") == "|a17btkyb38gxe41pwd50nxmzjxiwjwdwfrp52|")
        #expect(split("") == "||")
        #expect(split(".") == "||")
        #expect(split("a..com") == "a||com")
        for garbage in ["::", ":", "[", "]", "@@@", "http://", "xn--", "xn--zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.com", "\u{0}",
                        String(repeating: "a.", count: 10_000), String(repeating: "x", count: 100_000), "[\u{3002}]"] {
            _ = psl.extract(garbage)
            _ = icannOnly.extract(garbage)
        }
    }

    @Test func theDefaultRuleIsAnOption() throws {
        var strict = psl
        strict.applyDefaultRule = true
        #expect(strict.extract("foo.notatld").domain == "foo")
        #expect(strict.extract("foo.notatld").suffix == "notatld")
        #expect(strict.extract("ck").suffix == "ck")
        #expect(strict.extract("127.0.0.1").isIPAddress)
        #expect(strict.extract("www.google.com").registeredDomain == "google.com")
    }

    @Test func partsBuiltFromStringsCompareWithExtractedOnes() {
        #expect(psl.extract("ns1.asdklgb.cf.") == DomainParts(subdomain: "ns1", domain: "asdklgb", suffix: "cf"))
        #expect(psl.extract("a.ddns.net")
            == DomainParts(subdomain: "", domain: "a", suffix: "ddns.net", isPrivate: true, registrySuffix: "net"))
        #expect(Set([psl.extract("x.com"), DomainParts(subdomain: "", domain: "x", suffix: "com")]).count == 1)
        #expect(DomainParts(subdomain: "", domain: "x", suffix: "com").registeredDomain == "x.com")
    }

    @Test func rulesFromTextAndLoadErrors() throws {
        let list = try PublicSuffixList(text: """
            // ===BEGIN ICANN DOMAINS===
            com
            *.ck
            !www.ck
            // ===END ICANN DOMAINS===
            // ===BEGIN PRIVATE DOMAINS===
            ddns.net
            // ===END PRIVATE DOMAINS===
            """)
        #expect(list.icannRuleCount == 3)
        #expect(list.privateRuleCount == 1)
        #expect(list.extract("a.b.ck").suffix == "b.ck")
        #expect(list.extract("www.ck").suffix == "ck")
        #expect(list.extract("x.ddns.net").suffix == "ddns.net")
        #expect(list.extract("x.ddns.net", includePrivateDomains: false).suffix == "")

        #expect(throws: PublicSuffixList.LoadError.self) { try PublicSuffixList(path: "/nonexistent/psl.dat") }
        #expect(throws: PublicSuffixList.LoadError.noRules(source: "the given text")) {
            try PublicSuffixList(text: "// only a comment\n")
        }
        do {
            _ = try PublicSuffixList(path: "/nonexistent/psl.dat")
        } catch {
            #expect("\(error)".contains("/nonexistent/psl.dat"))
        }
    }

    @Test func sharedAcrossTasks() async throws {
        let list = psl
        let domains = try await withThrowingTaskGroup(of: String.self) { group in
            for host in ["a.example.com", "b.ddns.net", "c.co.uk"] {
                group.addTask { list.extract(host).domain }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(domains == ["example", "b", "c"])
    }
}
