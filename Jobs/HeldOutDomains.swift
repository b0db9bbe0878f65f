import DGAModel
import DNSData
import Foundation

/// The held-out set's inputs from this machine: legitimate domain labels from the `Homepage:`
/// fields of Debian's package records (real project and company sites, outside the popular
/// list), the dictionary for the word-based DGA families and an English text (the GPL-3) for gozi.
public enum HeldOutDomains {
    /// The text gozi-style names are cut from (Debian's `base-files` installs it).
    public static let textPath = "/usr/share/common-licenses/GPL-3"
    /// Package records of the installed packages, present on every Debian system.
    public static let dpkgStatusPath = "/var/lib/dpkg/status"

    /// Package records: every package apt knows (`apt-cache dumpavail`), or, when apt has no
    /// lists, the installed ones from dpkg's status file. Returns the text and its source.
    public static func packageRecords() throws -> (text: String, source: String) {
        if let text = try? aptDumpAvail(), text.utf8.count > 1_000_000 {
            return (text, "Homepage fields of Debian's package records (apt-cache dumpavail)")
        }
        do {
            return (try String(contentsOfFile: dpkgStatusPath, encoding: .utf8), "Homepage fields of \(dpkgStatusPath)")
        } catch {
            throw AutoMLError.notEnoughData("no Debian package records for held-out legit domains: apt-cache dumpavail failed and \(dpkgStatusPath) is unreadable (\(error.localizedDescription))")
        }
    }

    /// Registered-domain labels of the `Homepage:` URLs in package records, distinct, in order.
    public static func homepageLabels(records: String, suffixes: PublicSuffixList) -> [String] {
        var seen = Set<String>()
        var labels: [String] = []
        for line in records.split(whereSeparator: \.isNewline) where line.hasPrefix("Homepage:") {
            var url = line.dropFirst("Homepage:".count).trimmingCharacters(in: .whitespaces).lowercased()
            if let scheme = url.range(of: "://") { url = String(url[scheme.upperBound...]) }
            let host = url.prefix { $0 != "/" && $0 != ":" && $0 != "?" && $0 != "#" }
            guard !host.isEmpty else { continue }
            let parts = suffixes.extract(String(host))
            let label = parts.domain
            guard !label.isEmpty, !parts.suffix.isEmpty, !parts.isIPAddress else { continue }
            if seen.insert(label).inserted { labels.append(label) }
        }
        return labels
    }

    /// The words of a text file (for gozi), in order.
    public static func textWords(path: String = textPath) throws -> [String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AutoMLError.notEnoughData("cannot read \(path) for gozi-style names: \(error.localizedDescription)")
        }
        return text.split { !$0.isLetter }.map { $0.lowercased() }
    }

    /// The held-out set for a model trained on `trainingLabels`.
    public static func heldOutSet(trainingLabels: Set<String>, dictionaryWords: [String], suffixes: PublicSuffixList,
                                  perFamily: Int = 200, seed: UInt64 = 7) throws -> HeldOutSet {
        let records = try packageRecords()
        return try HeldOutSet.build(legitLabels: homepageLabels(records: records.text, suffixes: suffixes), legitSource: records.source,
                                    excluding: trainingLabels, dictionaryWords: dictionaryWords, textWords: textWords(),
                                    perFamily: perFamily, seed: seed)
    }

    private static func aptDumpAvail() throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/apt-cache")
        process.arguments = ["dumpavail"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw AutoMLError.notEnoughData("apt-cache dumpavail exited with \(process.terminationStatus)") }
        return String(decoding: data, as: UTF8.self)
    }
}
