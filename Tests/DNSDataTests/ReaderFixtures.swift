import DNSData
import Foundation
import Lakehouse
import TestSupport

/// Files and stores for the reader and loader tests.
enum ReaderFixtures {
    static let dnsEvents = TestPaths.sharedData.appendingPathComponent("dns_events.json")
    static let dnsTest1 = TestPaths.sharedData.appendingPathComponent("latest/dns_test_1.json")

    /// Writes `text` (UTF-8) to a file in `directory`.
    static func write(_ text: String, named name: String, in directory: TemporaryDirectory) throws -> URL {
        try write(Data(text.utf8), named: name, in: directory)
    }

    static func write(_ data: Data, named name: String, in directory: TemporaryDirectory) throws -> URL {
        let url = directory.file(name)
        try data.write(to: url)
        return url
    }

    /// A fresh lakehouse in `directory`.
    static func lakehouse(in directory: TemporaryDirectory) throws -> Database {
        try LakehouseSchema.open(storeDirectory: directory.url.appendingPathComponent("store", isDirectory: true))
    }

    /// A valid COF line, numbered so that rows can be told apart.
    static func cofLine(_ i: Int) -> String {
        #"{"rrname":"host\#(i).example\#(i % 97).com.","rrtype":"A","time_first":\#(1_597_000_000 + i),"time_last":\#(1_598_000_000 + i),"count":\#(i % 50 + 1),"bailiwick":"example\#(i % 97).com.","rdata":["10.\#(i % 256).\#(i / 256 % 256).1"]}"#
    }

    /// Every row of `bronze_dns` for a load, in line order.
    static func bronzeRows(_ db: Database, loadID: Int64) throws -> [Row] {
        try db.query("SELECT * FROM bronze_dns WHERE load_id = ? ORDER BY source_line", [loadID])
    }

    /// Every quarantine row of a load, in line order.
    static func quarantineRows(_ db: Database, loadID: Int64) throws -> [Row] {
        try db.query("SELECT * FROM bronze_dns_quarantine WHERE load_id = ? ORDER BY line", [loadID])
    }

    /// A JSON array text as strings (through Foundation, independently of the readers).
    static func jsonStrings(_ text: String?) -> [String]? {
        guard let data = text?.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String]
    }
}
