import CMaxMindDB
import Foundation

/// Where an IP address is, as a MaxMind DB (GeoLite2 City or Country) says.
public struct GeoLocation: Sendable, Equatable {
    public var city: String?
    public var country: String?
    /// ISO 3166-1 alpha-2.
    public var countryCode: String?

    public init(city: String? = nil, country: String? = nil, countryCode: String? = nil) {
        self.city = city
        self.country = country
        self.countryCode = countryCode
    }
}

/// A MaxMind DB opened with libmaxminddb (memory-mapped), for GeoIP enrichment of A and
/// AAAA answers. Lookups are thread-safe: the library only reads the mapped file.
public final class GeoIPDatabase: @unchecked Sendable {
    /// Why a database could not be opened.
    public struct OpenError: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String
        public var description: String {
            "cannot open the GeoIP database \(path): \(reason). Give the path of a MaxMind DB file (GeoLite2-City.mmdb) in the geoip_database parameter, or leave it empty to skip GeoIP."
        }
    }

    public let path: String
    /// The database type from its metadata, such as `GeoLite2-City`.
    public let databaseType: String
    /// When the database was built.
    public let buildDate: Date
    private var mmdb = MMDB_s()

    public init(path: String) throws {
        self.path = path
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw OpenError(path: path, reason: "no such file or not readable")
        }
        let status = MMDB_open(path, UInt32(MMDB_MODE_MMAP), &mmdb)
        guard status == MMDB_SUCCESS else {
            throw OpenError(path: path, reason: String(cString: MMDB_strerror(status)))
        }
        databaseType = mmdb.metadata.database_type.map { String(cString: $0) } ?? "unknown"
        buildDate = Date(timeIntervalSince1970: TimeInterval(mmdb.metadata.build_epoch))
    }

    deinit { MMDB_close(&mmdb) }

    /// The location of an IPv4 or IPv6 address; nil when the text is not an address or the
    /// database has no entry for it. English names are used.
    public func lookup(_ address: String) -> GeoLocation? {
        var gaiError: Int32 = 0
        var mmdbError: Int32 = 0
        var result = MMDB_lookup_string(&mmdb, address, &gaiError, &mmdbError)
        guard gaiError == 0, mmdbError == MMDB_SUCCESS, result.found_entry else { return nil }
        func string(_ keys: [String]) -> String? {
            var pointer: UnsafePointer<CChar>?
            let padded = keys + Array(repeating: "", count: 4 - keys.count)
            let length = padded[0].withCString { k1 in
                padded[1].withCString { k2 in
                    padded[2].withCString { k3 in
                        padded[3].withCString { k4 in
                            runme_mmdb_string(&result.entry, k1, k2, keys.count > 2 ? k3 : nil, keys.count > 3 ? k4 : nil, &pointer)
                        }
                    }
                }
            }
            guard length >= 0, let pointer else { return nil }
            return pointer.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
                String(decoding: UnsafeBufferPointer(start: $0, count: Int(length)), as: UTF8.self)
            }
        }
        let location = GeoLocation(
            city: string(["city", "names", "en"]),
            country: string(["country", "names", "en"]) ?? string(["registered_country", "names", "en"]),
            countryCode: string(["country", "iso_code"]) ?? string(["registered_country", "iso_code"]))
        return location.city == nil && location.country == nil && location.countryCode == nil ? nil : location
    }
}
