import ArgumentParser
import DGAModel
import DNSData
import Foundation
import Lakehouse

struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run read-only SQL on the results database, with the accelerator's functions.",
        discussion: """
            Opens the store's lakehouse.db read-only and runs QUERY (SQLite's dialect; several \
            statements separated by ';' run in order, the last one's rows are printed). A statement \
            that would write (INSERT, UPDATE, DELETE, CREATE, DROP, PRAGMA x=y) is refused \
            before it runs. Tables: bronze_dns, silver_dns, silver_threat_feeds, \
            silver_twisted_domain_brand, silver_dns_training_dataset (after 01_etl), \
            dns_log_analytics and dns_ioc_latest (after 03_scoring), and the pipeline_* tables.

            Functions, as the accelerator's UDFs:
              domain_extract(name)             the label left of the public suffix (tldextract's domain); NULL without a suffix
              registered_domain_extract(name)  domain + suffix, e.g. asdklgb.cf; NULL without a suffix
              ioc_detect(name)                 'ioc' or 'legit' from the model (--model, default the champion; or --model-dir);
                                               a name with a dot is cut at its public suffix first, a bare label is scored as it is
              ioc_score(name)                  the model's probability of ioc
              geoip_country(ip), geoip_city(ip), geoip_country_code(ip)
                                               from the MaxMind DB given by --geoip (or $RUNME_GEOIP); NULL when unknown
            The model and the GeoIP database are loaded at the first call, so queries that do not \
            use them need neither.

            Output: an aligned table, or --json (an array of objects), or --csv (RFC 4180, with a \
            header). Exit codes: 0 success; 2 no store, an SQL error, or a refused write.
            """
    )

    @Argument(help: "The SQL to run, e.g. \"SELECT count(DISTINCT domain) FROM dns_log_analytics\".")
    var query: String

    @Flag(name: .long, help: "Print the rows as a JSON array of objects.")
    var json = false

    @Flag(name: .long, help: "Print the rows as CSV with a header line.")
    var csv = false

    @Option(name: .long, help: ArgumentHelp("The MaxMind DB for geoip_* (default: $RUNME_GEOIP).", valueName: "path"))
    var geoip: String?

    @Option(name: .customLong("public-suffix-list"), help: ArgumentHelp("The Public Suffix List.", valueName: "path"))
    var publicSuffixList = PublicSuffixList.debianPath

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        if json && csv { throw ValidationError("give --json or --csv, not both") }
    }

    func run() throws {
        let database = try LakehouseSchema.openReadOnly(storeDirectory: storeOptions.directory)
        let suffixes = try PublicSuffixList(path: publicSuffixList)
        try AcceleratorFunctions(suffixes: suffixes, model: { try modelOptions.load(store: storeOptions) },
                                 geoIPPath: geoip ?? ProcessInfo.processInfo.environment["RUNME_GEOIP"]).register(on: database)
        let result: (columns: [String], rows: [[SQLiteValue]])
        do {
            result = try database.readOnlyQuery(query)
        } catch let error as SQLiteError {
            throw RunmeError(message: "SQL error: \(error.message)" + (error.sql.map { "\n  in: \($0)" } ?? ""))
        }
        if json {
            // Column order is kept by writing each object by hand around JSONSerialization values.
            var text = "[\n"
            for (index, row) in result.rows.enumerated() {
                let fields = zip(result.columns, row).map { column, value -> String in
                    let key = (try? String(decoding: JSONSerialization.data(withJSONObject: column, options: [.fragmentsAllowed]), as: UTF8.self)) ?? "\"\""
                    let encoded = (try? String(decoding: JSONSerialization.data(withJSONObject: Self.jsonValue(value), options: [.fragmentsAllowed]), as: UTF8.self)) ?? "null"
                    return "\(key): \(encoded)"
                }
                text += "  {" + fields.joined(separator: ", ") + "}" + (index + 1 < result.rows.count ? ",\n" : "\n")
            }
            text += "]"
            print(text)
        } else if csv {
            print(result.columns.map(Self.csvField).joined(separator: ","))
            for row in result.rows { print(row.map { Self.csvField(Self.text($0)) }.joined(separator: ",")) }
        } else {
            guard !result.columns.isEmpty else { return }
            var table = TextTable(result.columns)
            for row in result.rows { table.add(row.map(Self.text)) }
            print(table.render(), terminator: "")
            print("(\(result.rows.count) row\(result.rows.count == 1 ? "" : "s"))")
        }
    }

    static func text(_ value: SQLiteValue) -> String {
        switch value {
        case .null: return "NULL"
        case let .integer(number): return String(number)
        case let .real(number): return String(number)
        case let .text(string): return string
        case let .blob(bytes): return "x'" + bytes.map { String(format: "%02x", $0) }.joined() + "'"
        }
    }

    static func jsonValue(_ value: SQLiteValue) -> Any {
        switch value {
        case .null: return NSNull()
        case let .integer(number): return number
        case let .real(number): return number.isFinite ? number as Any : String(number) as Any
        case let .text(string): return string
        case let .blob(bytes): return Data(bytes).base64EncodedString()
        }
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// The accelerator's UDFs as SQLite functions: domain extraction, the DGA model and GeoIP.
final class AcceleratorFunctions {
    let suffixes: PublicSuffixList
    private let loadModel: () throws -> ModelBundle
    private var model: Result<ModelBundle, any Error>?
    private let geoIPPath: String?
    private var geoIP: Result<GeoIPDatabase, any Error>?

    init(suffixes: PublicSuffixList, model: @escaping () throws -> ModelBundle, geoIPPath: String?) {
        self.suffixes = suffixes
        self.loadModel = model
        self.geoIPPath = geoIPPath
    }

    /// Registers every function on `database`.
    func register(on database: Database) throws {
        try database.registerFunction("domain_extract", argumentCount: 1) { [suffixes] arguments in
            guard case let .text(name) = arguments[0] else { return .null }
            let parts = suffixes.extract(name)
            return parts.suffix.isEmpty || parts.domain.isEmpty ? .null : .text(parts.domain)
        }
        try database.registerFunction("registered_domain_extract", argumentCount: 1) { [suffixes] arguments in
            guard case let .text(name) = arguments[0] else { return .null }
            let registered = suffixes.extract(name).registeredDomain
            return registered.isEmpty ? .null : .text(registered)
        }
        try database.registerFunction("ioc_detect", argumentCount: 1) { [self] arguments in
            try self.probability(arguments[0]).map { .text($0.probability >= $0.threshold ? "ioc" : "legit") } ?? .null
        }
        try database.registerFunction("ioc_score", argumentCount: 1) { [self] arguments in
            try self.probability(arguments[0]).map { .real($0.probability) } ?? .null
        }
        for (name, field) in [("geoip_country", \GeoLocation.country), ("geoip_city", \GeoLocation.city),
                              ("geoip_country_code", \GeoLocation.countryCode)] {
            try database.registerFunction(name, argumentCount: 1) { [self] arguments in
                guard case let .text(address) = arguments[0] else { return .null }
                return try self.geoDatabase().lookup(address)?[keyPath: field].map { .text($0) } ?? .null
            }
        }
    }

    /// The model's probability for a name (cut at its public suffix) or a bare label, and the
    /// model's threshold; nil for NULL. Probabilities only: no contributions to pay for.
    private func probability(_ value: SQLiteValue) throws -> (probability: Double, threshold: Double)? {
        guard case let .text(name) = value else { return nil }
        let label: String
        if name.contains(".") {
            switch DomainLabel.extract(name, with: suffixes) {
            case let .success(domain): label = domain
            case let .failure(failure): throw RunmeError(message: "'\(name)': \(failure.message)")
            }
        } else {
            label = name.lowercased()
        }
        let bundle = try modelBundle()
        guard let probability = try bundle.probabilities(labels: [label]).first else { return nil }
        return (probability, bundle.manifest.threshold)
    }

    private func modelBundle() throws -> ModelBundle {
        if model == nil { model = Result { try loadModel() } }
        return try (model ?? .failure(RunmeError(message: "no model"))).get()
    }

    private func geoDatabase() throws -> GeoIPDatabase {
        if geoIP == nil {
            geoIP = Result {
                guard let geoIPPath, !geoIPPath.isEmpty else {
                    throw RunmeError(message: "no GeoIP database: give --geoip PATH (a MaxMind DB such as GeoLite2-City.mmdb) or set RUNME_GEOIP")
                }
                return try GeoIPDatabase(path: geoIPPath)
            }
        }
        return try (geoIP ?? .failure(RunmeError(message: "no GeoIP database"))).get()
    }
}

extension RunmeError: CustomStringConvertible {
    var description: String { message }
}
