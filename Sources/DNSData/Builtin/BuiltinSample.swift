import Foundation

/// The built-in data set: a deterministic, synthetic sample that the project generates
/// itself, so that the whole job runs offline on a fresh machine. It writes the files of
/// the accelerator's sample set, with the same names and formats, into a directory that
/// the ETL step then reads like any other data set:
///
/// - `alexa_100k.txt`: legit-looking domains built from dictionary words (`rank,uri`);
/// - `dga_domains_header.txt`: DGA-style domains of four kinds (hex hashes, random letters
///   and digits, consonant-vowel pseudo-words, word concatenations);
/// - `dns_events.json`: passive-DNS COF lines resolving a mix of both, typosquats of the
///   monitored brands, and the accelerator's Agent Tesla domain `ns1.asdklgb.cf.`;
/// - `urlhaus_recent.csv`: a URLhaus-format feed (comment header, quoted, CRLF) tagging some
///   of the DGA domains, `asdklgb.cf` with `AgentTesla`;
/// - `latest/dns_test_1.json`: new logs for the scoring step: `ns1.asdklgb.cf.`,
///   `google.com`, `www.googlee.com` and more.
///
/// Names, answers and feed rows depend only on the seed and the dictionary; times are laid
/// out backwards from `now`, so that "the last day" in alerts means the day of the run.
public struct BuiltinSample: Sendable {
    public struct Sizes: Sendable {
        public var legitDomains = 20_000
        public var dgaDomains = 4_000
        public var dnsEvents = 3_000
        public var feedRows = 300
        public var latestEvents = 60
        public init() {}
    }

    /// What was written.
    public struct Summary: Sendable, Equatable {
        public var directory: URL
        public var legitDomains: Int
        public var dgaDomains: Int
        public var dnsEvents: Int
        public var feedRows: Int
        public var latestEvents: Int
    }

    public enum GenerationError: Error, CustomStringConvertible {
        case dictionaryUnreadable(path: String, reason: String)
        case dictionaryTooSmall(path: String, usable: Int)
        public var description: String {
            switch self {
            case let .dictionaryUnreadable(path, reason):
                return "cannot read the dictionary \(path): \(reason). Install the Debian package wamerican (apt-get install wamerican) or set the dictionary parameter to a word list."
            case let .dictionaryTooSmall(path, usable):
                return "the dictionary \(path) has only \(usable) usable words (lower-case ASCII, 3 to 10 letters); the built-in sample needs at least 1,000. Install the Debian package wamerican or point the dictionary parameter at a larger word list."
            }
        }
    }

    public var seed: UInt64
    public var brands: [String]
    public var sizes: Sizes
    public var now: Date

    public init(seed: UInt64, brands: [String], sizes: Sizes = Sizes(), now: Date = Date()) {
        self.seed = seed
        self.brands = brands
        self.sizes = sizes
        self.now = now
    }

    static let legitSuffixes = ["com", "com", "com", "com", "org", "net", "de", "co.uk", "io", "fr", "nl", "com.au", "ca", "edu", "info"]
    static let dgaSuffixes = ["com", "net", "org", "info", "biz", "ru", "cf", "tk", "xyz", "top", "pw", "cc", "in"]
    static let subdomains = ["", "", "", "www.", "www.", "mail.", "api.", "cdn.", "static.", "ns1.", "m."]

    /// Writes the sample files into `directory` (created if needed), replacing earlier ones.
    public func write(to directory: URL, dictionary: URL) throws -> Summary {
        var rng = SeededGenerator(seed: seed)
        let words = try Self.usableWords(dictionary)
        let legit = makeLegit(words: words, rng: &rng)
        let dga = makeDGA(words: words, rng: &rng)
        let squats = brands.flatMap { Self.simpleSquats(of: $0) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("latest"), withIntermediateDirectories: true)

        var alexa = "rank,uri\n"
        for (rank, domain) in legit.enumerated() { alexa += "\(rank + 1),\(domain)\n" }
        try write(alexa, to: directory.appendingPathComponent("alexa_100k.txt"))

        var dgaText = "raw_domain\n"
        for domain in dga { dgaText += domain + "\n" }
        try write(dgaText, to: directory.appendingPathComponent("dga_domains_header.txt"))

        let end = Int64(now.timeIntervalSince1970)
        var events: [String] = []
        events.reserveCapacity(sizes.dnsEvents + 2)
        events.append(Self.cof(name: "ns1.asdklgb.cf.", type: "A", answers: ["162.241.29.141"], first: end - 6 * 86_400, last: end - 3_600, count: 7_986, bailiwick: "cf."))
        for index in 0..<sizes.dnsEvents {
            let roll = Int.random(in: 0..<100, using: &rng)
            let base: String
            if roll < 84 { base = rng.pick(legit) ?? "example.com" }
            else if roll < 96 { base = rng.pick(dga) ?? "example.com" }
            else { base = rng.pick(squats) ?? "example.com" }
            let sub = rng.pick(Self.subdomains) ?? ""
            let name = sub + base + "."
            let (type, answers) = Self.answers(for: name, rng: &rng)
            let first = end - Int64(30 * 86_400) + Int64(index * (29 * 86_400) / max(sizes.dnsEvents, 1))
            let last = min(end, first + Int64.random(in: 60...(7 * 86_400), using: &rng))
            events.append(Self.cof(name: name, type: type, answers: answers, first: first, last: last,
                                   count: Int64.random(in: 1...5_000, using: &rng), bailiwick: Self.zone(of: base) + "."))
        }
        try write(events.joined(separator: "\n") + "\n", to: directory.appendingPathComponent("dns_events.json"))

        var latest: [String] = [
            Self.cof(name: "ns1.asdklgb.cf.", type: "A", answers: ["162.241.29.141"], first: end - 1_800, last: end - 60, count: 12, bailiwick: "cf."),
            Self.cof(name: "google.com.", type: "A", answers: ["142.250.185.78"], first: end - 3_000, last: end - 120, count: 4_211, bailiwick: "google.com."),
            Self.cof(name: "www.googlee.com.", type: "A", answers: ["198.51.100.23"], first: end - 2_400, last: end - 300, count: 3, bailiwick: "googlee.com."),
        ]
        for index in 0..<max(0, sizes.latestEvents - latest.count) {
            let base = index % 4 == 0 ? (rng.pick(dga) ?? "example.com") : (rng.pick(legit) ?? "example.com")
            let name = (rng.pick(Self.subdomains) ?? "") + base + "."
            let (type, answers) = Self.answers(for: name, rng: &rng)
            latest.append(Self.cof(name: name, type: type, answers: answers, first: end - 3_600 + Int64(index * 50), last: end - 30,
                                   count: Int64.random(in: 1...300, using: &rng), bailiwick: Self.zone(of: base) + "."))
        }
        try write(latest.joined(separator: "\n") + "\n", to: directory.appendingPathComponent("latest/dns_test_1.json"))

        try write(feed(dga: dga, rng: &rng), to: directory.appendingPathComponent("urlhaus_recent.csv"))
        return Summary(directory: directory, legitDomains: legit.count, dgaDomains: dga.count, dnsEvents: events.count,
                       feedRows: sizes.feedRows, latestEvents: latest.count)
    }

    // MARK: Names

    /// Lower-case ASCII words of 3 to 10 letters (the dictionary's possessives and proper
    /// nouns are left out), deduplicated, in file order.
    public static func usableWords(_ dictionary: URL) throws -> [String] {
        let text: String
        do {
            text = String(decoding: try Data(contentsOf: dictionary), as: UTF8.self)
        } catch {
            throw GenerationError.dictionaryUnreadable(path: dictionary.path, reason: (error as NSError).localizedDescription)
        }
        var seen: Set<String> = []
        var words: [String] = []
        for line in text.split(separator: "\n") {
            let word = line.trimmingCharacters(in: .whitespaces)
            guard (3...10).contains(word.utf8.count), word.utf8.allSatisfy({ $0 >= 97 && $0 <= 122 }) else { continue }
            if seen.insert(word).inserted { words.append(word) }
        }
        guard words.count >= 1_000 else { throw GenerationError.dictionaryTooSmall(path: dictionary.path, usable: words.count) }
        return words
    }

    func makeLegit(words: [String], rng: inout SeededGenerator) -> [String] {
        var names: [String] = []
        var seen: Set<String> = []
        // The monitored brands are popular: they lead the list, as they would in a real one.
        for brand in brands where seen.insert(brand).inserted { names.append(brand) }
        while names.count < sizes.legitDomains {
            let first = rng.pick(words) ?? "web"
            let label: String
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5: label = first
            case 5..<8: label = first + (rng.pick(words) ?? "site")
            case 8: label = first + "-" + (rng.pick(words) ?? "site")
            default: label = first + String(Int.random(in: 1...99, using: &rng))
            }
            let name = label + "." + (rng.pick(Self.legitSuffixes) ?? "com")
            if seen.insert(name).inserted { names.append(name) }
        }
        return names
    }

    func makeDGA(words: [String], rng: inout SeededGenerator) -> [String] {
        let hex = Array("0123456789abcdef")
        let alnum = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let consonants = Array("bcdfghjklmnpqrstvwxz")
        let vowels = Array("aeiouy")
        var names: [String] = []
        var seen: Set<String> = []
        while names.count < sizes.dgaDomains {
            let label: String
            switch names.count % 4 {
            case 0: // hex hashes (e.g. Mirai/Necurs-like md5 prefixes)
                label = String((0..<Int.random(in: 12...32, using: &rng)).map { _ in hex[Int.random(in: 0..<16, using: &rng)] })
            case 1: // random letters and digits (e.g. Conficker, Ramnit)
                label = String((0..<Int.random(in: 8...20, using: &rng)).map { _ in alnum[Int.random(in: 0..<alnum.count, using: &rng)] })
            case 2: // consonant-vowel pseudo-words (e.g. Pykspa, Qakbot-like)
                let pairs = Int.random(in: 4...9, using: &rng)
                label = (0..<pairs).map { _ in
                    String(consonants[Int.random(in: 0..<consonants.count, using: &rng)]) + String(vowels[Int.random(in: 0..<vowels.count, using: &rng)])
                }.joined()
            default: // word concatenations (e.g. Suppobox, Matsnu)
                label = (0..<Int.random(in: 2...3, using: &rng)).map { _ in rng.pick(words) ?? "word" }.joined()
            }
            let name = label + "." + (rng.pick(Self.dgaSuffixes) ?? "com")
            if seen.insert(name).inserted { names.append(name) }
        }
        return names
    }

    /// A few lookalikes of a brand (the full dnstwist-style generation is the ETL's job; these
    /// only make sure the logs contain some).
    static func simpleSquats(of brand: String) -> [String] {
        guard let dot = brand.firstIndex(of: ".") else { return [] }
        let label = String(brand[..<dot])
        let suffix = String(brand[dot...])
        guard let last = label.last, label.count > 2 else { return [] }
        let doubled = label + String(last)
        let swapped = String(label.dropLast(2)) + String(label.suffix(1)) + String(label.dropLast().suffix(1))
        return [doubled + suffix, swapped + suffix, label + "-login" + suffix, String(label.dropFirst()) + suffix]
    }

    /// The zone a name's answer comes from: its last two labels (three for a two-label suffix).
    static func zone(of domain: String) -> String {
        let labels = domain.split(separator: ".")
        let keep = labels.count >= 3 && ["co", "com"].contains(labels[labels.count - 2]) ? 3 : 2
        return labels.suffix(keep).joined(separator: ".")
    }

    static func answers(for name: String, rng: inout SeededGenerator) -> (String, [String]) {
        switch Int.random(in: 0..<20, using: &rng) {
        case 0..<14:
            let count = Int.random(in: 1...3, using: &rng)
            return ("A", (0..<count).map { _ in publicIPv4(&rng) })
        case 14..<16:
            return ("AAAA", [String(format: "2a0%x:%x:%x::%x", Int.random(in: 0..<16, using: &rng), Int.random(in: 0..<65_536, using: &rng), Int.random(in: 0..<65_536, using: &rng), Int.random(in: 1..<65_536, using: &rng))])
        case 16..<18:
            return ("CNAME", ["edge-\(Int.random(in: 1...99, using: &rng)).cdn.example.net."])
        case 18:
            return ("NS", ["ns1." + zone(of: String(name.dropLast())) + ".", "ns2." + zone(of: String(name.dropLast())) + "."])
        default:
            return ("MX", ["10 mail." + zone(of: String(name.dropLast())) + "."])
        }
    }

    /// A public unicast IPv4 address (no private, loopback, multicast or reserved ranges).
    static func publicIPv4(_ rng: inout SeededGenerator) -> String {
        while true {
            let a = Int.random(in: 1...223, using: &rng)
            let b = Int.random(in: 0...255, using: &rng)
            if a == 10 || a == 127 || a == 0 || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168) || (a == 169 && b == 254) || (a == 100 && (64...127).contains(b)) {
                continue
            }
            return "\(a).\(b).\(Int.random(in: 0...255, using: &rng)).\(Int.random(in: 1...254, using: &rng))"
        }
    }

    static func cof(name: String, type: String, answers: [String], first: Int64, last: Int64, count: Int64, bailiwick: String) -> String {
        let rdata = answers.map { "\"\(jsonEscape($0))\"" }.joined(separator: ",")
        return "{\"rrname\":\"\(jsonEscape(name))\",\"rrtype\":\"\(type)\",\"time_first\":\(first),\"time_last\":\(last),\"count\":\(count),\"bailiwick\":\"\(jsonEscape(bailiwick))\",\"rdata\":[\(rdata)]}"
    }

    static func jsonEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    // MARK: The feed

    func feed(dga: [String], rng: inout SeededGenerator) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var lines = [
            "################################################################",
            "# abuse.ch URLhaus Database Dump (CSV - recent URLs only)      #",
            "# Last updated: \(formatter.string(from: now)) (UTC)                      #",
            "#                                                              #",
            "# runme built-in sample: synthetic rows in URLhaus's layout    #",
            "################################################################",
            "#",
            "# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter",
        ]
        let paths = ["/bins/mozi.m", "/update.zip", "/invoice.doc", "/x86", "/wp-content/load.php", "/a/b.exe"]
        let tags = ["elf,Mozi", "exe,Emotet", "doc,heodo", "AsyncRAT,exe", "elf,mirai", "zip,QakBot"]
        let reporters = ["abuse_ch", "Cryptolaemus1", "anonymous", "zbetcheckin", "geenensp"]
        var id = 3_900_000
        func row(_ url: String, tag: String, online: Bool, added: Date) -> String {
            id += 1
            let fields = [String(id), formatter.string(from: added), url, online ? "online" : "offline",
                          online ? formatter.string(from: now) : "", "malware_download", tag,
                          "https://urlhaus.abuse.ch/url/\(id)/", rng.pick(reporters) ?? "anonymous"]
            return fields.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
        }
        lines.append(row("https://ns1.asdklgb.cf/update.zip", tag: "AgentTesla,elf", online: false, added: now.addingTimeInterval(-5 * 86_400)))
        lines.append(row("http://asdklgb.cf/Mozi.m", tag: "AgentTesla,exe", online: true, added: now.addingTimeInterval(-4 * 86_400)))
        while lines.count - 8 < sizes.feedRows {
            let host: String
            if Int.random(in: 0..<3, using: &rng) == 0 {
                host = "\(Int.random(in: 1...223, using: &rng)).\(Int.random(in: 0...255, using: &rng)).\(Int.random(in: 0...255, using: &rng)).\(Int.random(in: 1...254, using: &rng)):\([80, 8080, 443, 5555].randomElement(using: &rng) ?? 80)"
            } else {
                host = rng.pick(dga) ?? "example.com"
            }
            let scheme = Bool.random(using: &rng) ? "http" : "https"
            let added = now.addingTimeInterval(-Double(Int.random(in: 3_600...(20 * 86_400), using: &rng)))
            lines.append(row("\(scheme)://\(host)\(rng.pick(paths) ?? "/")", tag: rng.pick(tags) ?? "exe", online: Int.random(in: 0..<4, using: &rng) == 0, added: added))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url, options: .atomic)
    }
}
