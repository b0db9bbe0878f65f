import Hashing

/// Writes realistic, deterministic passive-DNS COF lines for the ingest benchmark: varied
/// names (subdomains, public suffixes of one and two labels, a share of DGA-like names),
/// record types in the mix a resolver sees, answers of each type's shape (TXT with escaped
/// quotes), key orders of both sample files, and now and then a count beyond Int64.
struct COFSampleGenerator {
    /// Fast, and the same sequence on every platform.
    private var random: SplitMix64

    init(seed: UInt64 = 0x5EED_D45) { random = SplitMix64(seed: seed) }

    private mutating func next() -> UInt64 { random.next() }

    private mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    private mutating func pick(_ items: [String]) -> String { items[below(items.count)] }

    private static let syllables = ["ka", "lo", "mi", "net", "tor", "shop", "web", "data", "cloud", "sec", "mail", "pro",
                                    "tech", "info", "star", "blue", "soft", "zen", "max", "geo", "bit", "fox", "ray", "lin",
                                    "auto", "home", "city", "bank", "media", "game", "art", "eco", "med", "tel", "sol", "nova"]
    private static let suffixes = ["com", "com", "com", "com", "net", "net", "org", "de", "ru", "co.uk", "com.br", "cf",
                                   "info", "io", "fr", "jp", "cn", "xyz", "eu", "nl", "in", "com.au", "co.jp", "ir", "ch"]
    private static let subdomains = ["", "", "", "", "www.", "www.", "www.", "mail.", "ns1.", "ns2.", "api.", "cdn.", "m.",
                                     "blog.", "webmail.", "static.", "vpn.", "shop.", "login.", "img."]
    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func registeredDomain() -> String {
        var label = ""
        if below(100) < 6 {
            // DGA-like: a long run of hex, as in the sample's IOC class.
            for _ in 0..<(10 + below(22)) { label.append(Character(Unicode.Scalar(Self.hex[below(16)]))) }
        } else {
            for _ in 0..<(2 + below(3)) { label += pick(Self.syllables) }
            if below(10) == 0 { label += String(below(100)) }
            if below(12) == 0 { label = pick(Self.syllables) + "-" + label }
        }
        return label + "." + pick(Self.suffixes)
    }

    private mutating func ipv4() -> String {
        "\(1 + below(223)).\(below(256)).\(below(256)).\(1 + below(254))"
    }

    private mutating func ipv6() -> String {
        let prefix = pick(["2001:db8", "2a00:1450", "2606:4700", "2a03:2880", "2400:cb00"])
        return "\(prefix):\(String(below(65536), radix: 16))::\(String(1 + below(65535), radix: 16))"
    }

    /// Appends one line (with its newline) to `out`.
    mutating func appendLine(to out: inout ByteBuffer) {
        let domain = registeredDomain()
        let rrname = pick(Self.subdomains) + domain + "."
        let roll = below(100)
        let rrtype: String
        var rdata: [String] = []
        switch roll {
        case 0..<55:
            rrtype = "A"
            for _ in 0..<(1 + (below(4) == 0 ? below(4) : 0)) { rdata.append(ipv4()) }
        case 55..<70:
            rrtype = "AAAA"
            for _ in 0..<(1 + below(2)) { rdata.append(ipv6()) }
        case 70..<80:
            rrtype = "CNAME"
            rdata.append(pick(["", "edge.", "cdn.", "lb."]) + registeredDomain() + ".")
        case 80..<87:
            rrtype = "NS"
            let provider = pick(["domaincontrol.com", "cloudflare.com", "awsdns-\(below(64)).net", domain])
            for i in 1...(2 + below(3)) { rdata.append("ns\(i).\(provider).") }
        case 87..<92:
            rrtype = "MX"
            for i in 1...(1 + below(2)) { rdata.append("\(i * 10) mx\(i).\(domain).") }
        case 92..<96:
            rrtype = "TXT"
            rdata.append(pick(["\"v=spf1 include:_spf.google.com ~all\"", "\"google-site-verification=\(registeredDomain())\"",
                               "\"v=spf1 ip4:\(ipv4()) -all\"", "\"MS=ms\(below(100_000_000))\""]))
        default:
            rrtype = "SOA"
            rdata.append("ns1.\(domain). hostmaster.\(domain). \(2019_000_000 + below(2_000_000)) 7200 3600 1209600 3600")
        }
        let timeFirst = 1_560_000_000 + below(50_000_000)
        let timeLast = timeFirst + below(3_000_000)
        let countRoll = below(10_000)
        let count: String
        switch countRoll {
        case 0: count = "18446744073709551615"  // beyond Int64: clamped on load
        case 1..<100: count = String(100_000_000 + below(9_000_000_000))
        default: count = String(1 + below(below(10) == 0 ? 100_000 : 1000))
        }
        let bailiwick = below(20) == 0 ? pick([".", "com.", "cf."]) : domain + "."

        var rdataJSON = "["
        for (i, value) in rdata.enumerated() {
            if i > 0 { rdataJSON += "," }
            rdataJSON += JSONText.quoted(value)
        }
        rdataJSON += "]"
        let line: String
        if below(10) == 0 {
            // The key order of latest/dns_test_1.json.
            line = "{\"count\":\(count),\"time_first\":\(timeFirst),\"time_last\":\(timeLast),\"rrname\":\"\(rrname)\",\"rrtype\":\"\(rrtype)\",\"bailiwick\":\"\(bailiwick)\",\"rdata\":\(rdataJSON)}\n"
        } else {
            // The key order of dns_events.json.
            line = "{\"rrname\":\"\(rrname)\",\"rrtype\":\"\(rrtype)\",\"time_first\":\(timeFirst),\"time_last\":\(timeLast),\"count\":\(count),\"bailiwick\":\"\(bailiwick)\",\"rdata\":\(rdataJSON)}\n"
        }
        out.append(line)
    }
}
