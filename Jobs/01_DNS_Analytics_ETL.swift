import Digest
import Foundation
import JobRunner

/// Step 01: ingest. Today it resolves the sources, checks the reference data (Public Suffix
/// List, dictionary) and reads local passive-DNS logs; fetching remote sources, the bronze
/// and silver tables and the enrichments arrive with the ETL issue.
let etlStep = Step(
    name: "01_DNS_Analytics_ETL",
    title: "Ingest and enrich passive DNS",
    parameters: [
        ("data", "builtin, public, or a base URI/directory holding the sample files"),
        ("public_suffix_list", "path of the Public Suffix List (Debian package publicsuffix)"),
        ("dictionary", "path of the word list (Debian package wamerican)"),
        ("monitored_brands", "comma-separated brand domains to watch for typosquats"),
        ("geoip_database", "path of a MaxMind DB; empty for none"),
    ]
) { context in
    let data = DataSet(parameter: try context.parameter("data"))

    try await context.cell("Resolve sources") { cell in
        let rows = DataSet.files.map { source in
            [source.role, data.location(of: source.role) ?? "built-in sample (generated)"]
        }
        cell.table("Sources", headers: ["source", "location"], rows: rows)
        try context.logParams(Dictionary(uniqueKeysWithValues: DataSet.files.map {
            ("source.\($0.role)", data.location(of: $0.role) ?? "builtin")
        }))
        if data == .builtin {
            cell.print("data=builtin: the synthetic sample generator arrives with the ETL issue; this run loads no DNS records.")
        }
    }

    try await context.cell("Check reference data") { cell in
        var rows: [[String]] = []
        for (parameter, package, countName) in [("public_suffix_list", "publicsuffix", "rules"), ("dictionary", "wamerican", "words")] {
            let path = try context.parameter(parameter)
            let url = URL(fileURLWithPath: path)
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw StepError.failed("\(parameter) \(path) is missing or unreadable: install the Debian package \(package) (apt-get install \(package)) or set --param \(parameter)=PATH")
            }
            let (sha256, size) = try SHA256.hexAndSize(ofFile: url)
            let entries = try ReferenceFiles.countEntries(url)
            try context.logParams(["\(parameter).path": path, "\(parameter).sha256": sha256])
            try context.logMetrics(["\(parameter).bytes": Double(size), "\(parameter).\(countName)": Double(entries)])
            rows.append([parameter, path, "\(size)", "\(entries) \(countName)", String(sha256.prefix(16)) + "…"])
        }
        cell.table(headers: ["input", "path", "bytes", "entries", "sha256"], rows: rows)
    }

    let summary = try await context.cell("Read passive DNS logs") { cell -> JSONValue in
        guard let location = data.location(of: "dns_logs") else {
            cell.print("No DNS log file to read with data=builtin.")
            return .object(["data": .string("builtin"), "dns_records": .number(0)])
        }
        guard let path = DataSet.localPath(location) else {
            throw StepError.failed("dns_logs \(location) is remote; fetching over HTTP(S) and S3 arrives with the ETL issue. Point data at a local directory for now.")
        }
        let counts = try ReferenceFiles.countJSONLines(URL(fileURLWithPath: path)) { try Task.checkCancellation() }
        let (sha256, size) = try SHA256.hexAndSize(ofFile: URL(fileURLWithPath: path))
        try context.logParams(["dns_logs.sha256": sha256])
        try context.logMetrics([
            "dns_logs.bytes": Double(size), "dns_logs.records": Double(counts.records),
            "dns_logs.malformed_lines": Double(counts.malformed), "dns_logs.distinct_rrnames": Double(counts.distinctNames),
        ])
        cell.table(headers: ["file", "bytes", "records", "malformed lines", "distinct rrname"],
                   rows: [[path, "\(size)", "\(counts.records)", "\(counts.malformed)", "\(counts.distinctNames)"]])
        return .object(["data": .string(location), "dns_records": .number(Double(counts.records))])
    }

    try await context.cell("Hand over to the next tasks") { cell in
        try context.setTaskValue("summary", summary)
        cell.print("task value summary = \(summary.jsonText)")
    }
}

/// Small readers for the reference files the ETL step checks.
enum ReferenceFiles {
    /// Non-empty lines that are not comments (`//` in the PSL, none in the word list).
    static func countEntries(_ url: URL) throws -> Int {
        var count = 0
        try forEachLine(url) { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty && !trimmed.hasPrefix("//") { count += 1 }
        }
        return count
    }

    /// Counts JSON-object lines with an `rrname`, malformed lines, and distinct names.
    static func countJSONLines(_ url: URL, check: () throws -> Void) throws -> (records: Int, malformed: Int, distinctNames: Int) {
        var records = 0
        var malformed = 0
        var names: Set<String> = []
        var seen = 0
        try forEachLine(url) { line in
            seen += 1
            if seen % 10_000 == 0 { try check() }
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
            if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
               let name = object["rrname"] as? String {
                records += 1
                names.insert(name.lowercased())
            } else {
                malformed += 1
            }
        }
        return (records, malformed, names.count)
    }

    /// Calls `body` with each line of a file, read in blocks (lines are decoded leniently).
    static func forEachLine(_ url: URL, _ body: (String) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw StepError.failed("cannot open \(url.path): no such file or not readable")
        }
        defer { try? handle.close() }
        var pending = Data()
        while true {
            let block = try handle.read(upToCount: 1 << 20) ?? Data()
            if block.isEmpty { break }
            pending.append(block)
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                try body(String(decoding: pending[start..<newline], as: UTF8.self))
                start = pending.index(after: newline)
            }
            pending = Data(pending[start...])
        }
        if !pending.isEmpty { try body(String(decoding: pending, as: UTF8.self)) }
    }
}
