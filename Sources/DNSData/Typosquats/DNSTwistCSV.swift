import Foundation

/// dnstwist's CSV output, the accelerator's `domains_dnstwists.csv` (`PERMUTATIONTYPE,domain,meta`)
/// or dnstwist's own `--format csv` (`fuzzer,domain,…`): an alternative to generating the
/// permutations, for a list made elsewhere.
public enum DNSTwistCSV {
    /// Why a dnstwist CSV file could not be read.
    public enum ReadError: Error, Equatable, CustomStringConvertible {
        /// The file could not be opened or read.
        case unreadable(path: String, reason: String)
        /// The first line does not name a fuzzer column and a domain column.
        case missingHeader(path: String)
        /// A row (1-based `line`) is broken CSV, too short, or lists an invalid domain.
        case malformedRow(path: String, line: Int, reason: String)

        /// The error for a person: the file, the line when there is one, and what to fix.
        public var description: String {
            switch self {
            case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
            case let .missingHeader(path): return "\(path): the first line must name the columns, e.g. PERMUTATIONTYPE,domain,meta"
            case let .malformedRow(path, line, reason): return "\(path):\(line): \(reason)"
            }
        }
    }

    /// The permutations listed in the file at `url`, in file order. dnstwist's row for the
    /// brand itself (fuzzer `*original`) is skipped. Domains are trimmed, lowercased and
    /// written in ASCII: older dnstwist versions, like the one behind the accelerator's file,
    /// print internationalized lookalikes in Unicode (`googịe.com`), while DNS logs and
    /// ``TyposquatGenerator`` carry them as `xn--` A-labels.
    public static func read(_ url: URL) throws(ReadError) -> [Typosquat] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try parse(data, path: url.path)
    }

    /// The permutations in CSV `data`; `path` names it in errors.
    public static func parse(_ data: Data, path: String) throws(ReadError) -> [Typosquat] {
        var lines = QuotedCSVLine.lines(of: [UInt8](data)).filter { !$0.bytes.allSatisfy { $0 == UInt8(ascii: " ") } }[...]
        guard let headerLine = lines.popFirst(),
              case let .success(names) = QuotedCSVLine.fields(of: headerLine.bytes)
        else { throw .missingHeader(path: path) }
        let normalized = names.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let fuzzerColumn = normalized.firstIndex(where: { $0 == "permutationtype" || $0 == "fuzzer" }),
              let domainColumn = normalized.firstIndex(of: "domain")
        else { throw .missingHeader(path: path) }

        var result: [Typosquat] = []
        for (number, line) in lines {
            let fields: [String]
            switch QuotedCSVLine.fields(of: line) {
            case let .success(parsed): fields = parsed
            case let .failure(problem): throw .malformedRow(path: path, line: number, reason: problem.description)
            }
            guard fields.count > max(fuzzerColumn, domainColumn) else {
                throw .malformedRow(path: path, line: number, reason: "expected \(names.count) fields, found \(fields.count)")
            }
            let fuzzer = fields[fuzzerColumn].trimmingCharacters(in: .whitespaces)
            let domain = fields[domainColumn].trimmingCharacters(in: .whitespaces).lowercased()
            guard !fuzzer.isEmpty, !domain.isEmpty else {
                throw .malformedRow(path: path, line: number, reason: "empty fuzzer or domain")
            }
            if fuzzer == "*original" { continue }
            guard let ascii = TyposquatIDNA.asciiDomain(Array(domain.unicodeScalars)) else {
                throw .malformedRow(path: path, line: number, reason: "\"\(domain)\" is not a valid domain name")
            }
            result.append(Typosquat(fuzzer: fuzzer, domain: ascii))
        }
        return result
    }
}
