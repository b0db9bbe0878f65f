/// Reads Zeek's `dns.log` written as JSON lines (`redef LogAscii::use_json = T`).
///
/// Mapping to ``DNSRecord``, as for the tab-separated log (see ``ZeekReader``):
/// `query` → `rrname`; `qtype_name` → `rrtype` (else the `qtype` number's mnemonic);
/// `answers` → `rdata` (absent gives `[]`); `ts` → `time_first` and `time_last` (Unix
/// seconds as a number, or an ISO 8601 string when Zeek writes `JSON::TS_ISO8601`),
/// rounded down; `count` 1; `bailiwick` NULL. Zeek leaves unset fields out, so a line
/// without `query`, `ts` or a type is quarantined.
struct ZeekJSONReader: DNSLineParser {
    mutating func parse(_ line: UnsafeBufferPointer<UInt8>, base: UnsafePointer<UInt8>, into arena: inout RecordArena) -> LineOutcome {
        let object: JSONLineValue
        do {
            object = try JSONLineParser.parse(line)
        } catch {
            return .rejected(error.reason)
        }
        guard object.members != nil else { return .rejected("not a JSON object but \(object.typeName)") }
        guard let tsValue = object["ts"] else { return .rejected("missing ts") }
        let seconds: Int64?
        switch tsValue {
        case .number: seconds = tsValue.floorInt64
        case .string(let text): seconds = ISOTimestamp.unixSeconds(text)
        default: seconds = nil
        }
        guard let seconds else { return .rejected("ts is not a Unix time or ISO 8601 timestamp") }
        guard let query = object["query"]?.string, !query.isEmpty else { return .rejected("no query (missing or not a string)") }
        var rrtype = object["qtype_name"]?.string
        if rrtype == nil || rrtype == "-" {
            rrtype = object["qtype"]?.floorInt64.map { DNSTypeNames.name(of: Int($0)) }
        }
        guard let rrtype, !rrtype.isEmpty else { return .rejected("no query type (qtype_name and qtype are missing)") }
        var answers: [String] = []
        if let value = object["answers"], !value.isNull {
            guard let elements = value.array else { return .rejected("answers must be an array, found \(value.typeName)") }
            for element in elements {
                guard let answer = element.string else { return .rejected("answers must hold strings, found \(element.typeName)") }
                answers.append(answer)
            }
        }
        if query.utf8.contains(0) || rrtype.utf8.contains(0) || answers.contains(where: { $0.utf8.contains(0) }) {
            return .rejected("a NUL character (\\u0000) in the query, type or answers")
        }
        arena.writeObservation(rrname: query, rrtype: rrtype, answers: answers, at: seconds)
        return .record
    }
}
