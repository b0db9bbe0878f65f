import DNSData
import Foundation
import TestSupport

/// The strings the suffix-list tests split: every name in the shared sample data as it is
/// stored there (alexa URIs, passive-DNS rrnames with their root dot, DGA names with their
/// stray spaces, URLhaus URLs whole), names made from every rule of the list, and edge cases.
enum HostCorpus {
    static var data: URL { TestPaths.sharedData }

    static func alexa() throws -> [String] {
        let text = try String(contentsOf: data.appendingPathComponent("alexa_100k.txt"), encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
            line.firstIndex(of: ",").map { String(line[line.index(after: $0)...]) }
        }
    }

    static func rrnames() throws -> [String] {
        struct Event: Decodable { var rrname: String }
        let text = try String(contentsOf: data.appendingPathComponent("dns_events.json"), encoding: .utf8)
        return try text.split(whereSeparator: \.isNewline).map {
            try JSONDecoder().decode(Event.self, from: Data($0.utf8)).rrname
        }
    }

    /// The DGA list's lines as they are (mixed case, trailing spaces), header dropped.
    static func dgaDomains() throws -> [String] {
        let text = try String(contentsOf: data.appendingPathComponent("dga_domains_header.txt"), encoding: .utf8)
        return text.components(separatedBy: "\n").dropFirst().map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
            .filter { !$0.isEmpty }
    }

    /// The `url` column of the URLhaus dump (quoted CSV, comment header, CRLF).
    static func urlhausURLs() throws -> [String] {
        let text = try String(contentsOf: data.appendingPathComponent("urlhaus_recent.csv"), encoding: .utf8)
        return text.components(separatedBy: "\n").compactMap { line -> String? in
            guard line.hasPrefix("\"") else { return nil }
            let fields = quotedFields(line.trimmingCharacters(in: .whitespacesAndNewlines))
            return fields.count > 2 ? fields[2] : nil
        }
    }

    /// Fields of one CSV line whose fields are all quoted (`""` is a quote inside one).
    static func quotedFields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var inQuotes = false
        var characters = Array(line)[...]
        while let character = characters.popFirst() {
            if inQuotes {
                if character == "\"" {
                    if characters.first == "\"" {
                        current.append("\"")
                        characters.removeFirst()
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                inQuotes = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }

    /// For every rule of the list: a name under it, the suffix alone, and, for Unicode rules,
    /// the same names as A-labels and in upper case; wildcards stand for a label `wild`, and
    /// exception rules give the excepted name and one below it.
    static func fromRules(pslPath: String) throws -> [String] {
        let text = try String(contentsOf: URL(fileURLWithPath: pslPath), encoding: .utf8)
        var hosts: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            guard let rule = line.split(separator: " ").first, !rule.hasPrefix("//") else { continue }
            let name = rule.replacingOccurrences(of: "!", with: "").replacingOccurrences(of: "*", with: "wild")
            var variants = [name, "dom." + name, "sub.dom." + name]
            if name.unicodeScalars.contains(where: { !$0.isASCII }) {
                if let ace = IDNA.toASCII("sub.dom." + name) {
                    variants.append(ace)
                    variants.append(ace.uppercased())
                }
                variants.append(("sub.dom." + name).uppercased())
            }
            hosts.append(contentsOf: variants)
        }
        return hosts
    }

    /// Deterministic random variants of the given hosts (a fixed-seed generator, so a
    /// failure reproduces): case flips, URL wrappings, ports, root dots, white space,
    /// ideographic dots, IDN labels in both forms, stray URL punctuation.
    static func variants(of hosts: [String], count: Int) -> [String] {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let wrappers: [(String, String)] = [
            ("http://", "/"), ("https://user:pw@", ":8443/a?b#c"), ("//", ""), ("", ":53"), ("ftp://a@", "."),
            ("HTTP://", ".:80/x"), ("", ".."), (" ", "\t"), ("", "\u{3002}"), ("[", "]"), ("", "/path"), ("x://", "?q"),
        ]
        let labels = ["xn--55qx5d", "公司", "XN--P1AI", "рф", "xn--bcher-kva", "Bücher", "*", "!www", "www", "CK", "ddns", "s3",
                      "blogspot", "xn--", "1", "255", "xn--zz", "a-b", "_srv", "\u{FF0E}"]
        var result: [String] = []
        for _ in 0..<count {
            var host = Array(hosts[next(hosts.count)])
            switch next(6) {
            case 0: host = host.map { next(3) == 0 ? Character($0.uppercased()) : $0 }
            case 1: host = Array(labels[next(labels.count)] + "." + String(host))
            case 2: host = Array(String(host) + "." + labels[next(labels.count)])
            case 3:
                if let dot = host.firstIndex(of: ".") { host[dot] = ["\u{3002}", "\u{FF61}", "@", ":", "/", "%"][next(6)] }
            default: break
            }
            if next(2) == 0 {
                let wrapper = wrappers[next(wrappers.count)]
                host = Array(wrapper.0 + String(host) + wrapper.1)
            }
            result.append(String(host))
        }
        return result
    }

    /// Hand-written cases: the list's wildcard and exception rules, private-section hosts,
    /// IDN in both forms, IP literals, URLs, ports, root dots, case, white space, garbage.
    static let edgeCases: [String] = [
        // Wildcards and exceptions.
        "www.ck", "foo.www.ck", "a.b.ck", "b.ck", "ck", "WWW.CK",
        "city.kawasaki.jp", "foo.city.kawasaki.jp", "foo.bar.kawasaki.jp", "bar.kawasaki.jp", "kawasaki.jp",
        "x.y.sch.uk", "y.sch.uk", "sch.uk", "a.b.c.compute.amazonaws.com", "b.c.elb.amazonaws.com",
        // Private section.
        "foo.blogspot.com", "blogspot.com", "www.blogspot.com", "abc123.ddns.net", "ddns.net",
        "x.s3.amazonaws.com", "s3.amazonaws.com", "bucket.s3.us-east-1.amazonaws.com", "app.herokuapp.com",
        "user.github.io", "a.b.duckdns.org", "x.no-ip.org",
        // The accelerator's story.
        "ns1.asdklgb.cf.", "asdklgb.cf", "google.com", "www.googlee.com", "NS1.ASDKLGB.CF.",
        // Case and ordinary names.
        "WWW.Google.COM", "forums.news.cnn.com", "forums.bbc.co.uk", "www.worldbank.org.kg", "bbc.co.uk",
        "co.uk", "www.co.uk", "google.notavalidsuffix", "localhost", "com", "COM",
        // IDN, Unicode and A-labels, mixed.
        "www.食狮.公司.cn", "www.xn--85x722f.xn--55qx5d.cn", "WWW.XN--85X722F.XN--55QX5D.CN", "食狮.com.cn",
        "xn--85x722f.com.cn", "xn--85x722f.公司.cn", "食狮.xn--55qx5d.cn", "bücher.de", "xn--bcher-kva.de",
        "BÜCHER.DE", "пример.рф", "xn--e1afmkfd.xn--p1ai", "ПРИМЕР.РФ", "example.ελ", "example.xn--qxam",
        "點看.香港", "xn--c1yn36f.xn--j6w193g", "😀.com", "xn--ls8h.la", "ÄÖÜ.DE",
        "xn--.com", "xn---.com", "xn--abc-.com", "xn--a.com", "xn--zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.com",
        "xn--99999999999999999999999999.com", "foo.xn--55qx5d", "foo.XN--55QX5D", "Xn--55Qx5d.cn",
        "www。google。com", "google．com", "google｡com。", "食狮。公司。cn", "www.google.com。",
        // IP literals.
        "127.0.0.1", "http://127.0.0.1:8080/deployed/", "256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5",
        "1.2.3.4.", "0.0.0.0", "255.255.255.255", "1.2.3.04", "١.٢.٣.٤",
        "[::1]", "http://[2001:db8::1]:8080/x", "[aBcD:ef01:2345:6789:aBcD:ef01:127.0.0.1]",
        "[aBcD:ef01:2345:6789:aBcD:ef01:256.0.0.1]", "[fe80::1%eth0]", "[::ffff:1.2.3.4]",
        "[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6:7:8:9]", "[:1]", "[1::2::3]", "[]", "[::]", "[abcd]", "[1:2:3:4:5:6:7::]",
        "[::1:2:3:4:5:6:7]", "[::1:2:3:4:5:6:7:8]", "[12345::]", "[g::1]", "[fe80::1%]", "[1:2:3:4:5:6:1.2.3.4]",
        "[1:2:3:4:5:1.2.3.4]", "[::1.2.3.4]", "[1.2.3.4]", "[::1]:53", "user@[::1]:53/x", "[::1", "[example.com]",
        // URLs, ports, user info.
        "http://user@host.example.com:8080/path?q", "https://user:pass@www.example.co.uk:443/",
        "//cdn.example.org/lib.js", "ftp://files.example.net", "mailto:someone@example.com", "example.com:8080",
        "example.com/path", "example.com?x=1", "example.com#frag", "a+b://host.example.com", "1http://x.com",
        " http://x.com", "http:/x.com", "http//x.com", "HTTP://WWW.EXAMPLE.COM/", "http://a@b@c.example.com/",
        "http://example.com:80:90/", "http://.example.com/", "http://example.com./", "http://ex ample.com/",
        "https://www.example.com/a//b", "é://example.com",
        // Root dots, white space.
        "example.com.", "example.com..", "example.com. ", " example.com ", "\texample.com\n", "example.com\u{3000}",
        "\u{a0}example.com", "example.com\u{2003}", "example.com\u{1680}", "example.com\u{85}", "a..b.com", ".com",
        "..com", ".", "..", "", " ", "example.com . ",
        // Garbage.
        "!!!", "@@@", "::", ":", "[", "]", "a:b:c", "*.ck", "!www.ck", "foo.*.ck", "foo.!www.ck", "a b c",
        "\u{0}", "%%%", "?", "#", "/", "//", "http://", String(repeating: "a", count: 300) + ".com",
        String(repeating: "a.", count: 200) + "com",
    ]
}
