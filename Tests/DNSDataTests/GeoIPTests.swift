import DNSData
import Foundation
import TestSupport
import Testing

@Suite struct GeoIPTests {
    let database = TestPaths.sharedData.appendingPathComponent("geoip/GeoLite2-City.mmdb").path

    @Test func looksUpCityAndCountry() throws {
        let geo = try GeoIPDatabase(path: database)
        #expect(geo.databaseType == "GeoLite2-City")
        // 8.8.8.8 is in the United States in every GeoLite2 edition.
        let google = try #require(geo.lookup("8.8.8.8"))
        #expect(google.countryCode == "US")
        #expect(google.country == "United States")
        // 81.2.69.142 is MaxMind's London test block; the July 2018 edition names the district.
        let london = try #require(geo.lookup("81.2.69.142"))
        #expect(london.countryCode == "GB")
        #expect(london.country == "United Kingdom")
        #expect(london.city == "Willesden")
        #expect(geo.lookup("2001:4860:4860::8888")?.countryCode == "US")
    }

    @Test func privateAndInvalidAddressesHaveNoLocation() throws {
        let geo = try GeoIPDatabase(path: database)
        #expect(geo.lookup("10.1.2.3") == nil)
        #expect(geo.lookup("not an address") == nil)
        #expect(geo.lookup("") == nil)
    }

    @Test func missingOrCorruptDatabaseIsAClearError() throws {
        #expect(throws: GeoIPDatabase.OpenError.self) { try GeoIPDatabase(path: "/nonexistent.mmdb") }
        let junk = try TemporaryDirectory("geoip")
        try Data("not a maxmind database".utf8).write(to: junk.file("bad.mmdb"))
        do {
            _ = try GeoIPDatabase(path: junk.file("bad.mmdb").path)
            Issue.record("a junk file opened as a MaxMind DB")
        } catch let error as GeoIPDatabase.OpenError {
            #expect(error.description.contains("bad.mmdb"))
        }
    }
}
