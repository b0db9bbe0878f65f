import Fetch
import Foundation
import TestSupport
import Testing

@Suite("Local files and directories")
struct LocalFetchTests {
    @Test func fileURLsAndPlainPathsAreUsedInPlace() async throws {
        try await Fixtures.withScratch { cache in
            let original = Fixtures.dataFile("dns_events.json")
            let client = Fixtures.client(cache: cache)
            let byURL = try await client.fetch(original.absoluteString, progress: nil)
            let byPath = try await client.fetch(original.path, progress: nil)
            for result in [byURL, byPath] {
                #expect(result.fileURL.path == original.path)
                #expect(result.fromCache)
                #expect(result.httpStatus == nil)
                #expect(result.size == Int64(try Fixtures.contents(original).count))
                #expect(result.bytesTransferred == 0)
            }
            #expect(byURL.sha256 == byPath.sha256)
            #expect(byURL.sha256.count == 64)
            // Nothing is copied for local files.
            #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).isEmpty)
        }
    }

    @Test func expandsDirectoriesIntoTheirFiles() async throws {
        try await Fixtures.withScratch { cache in
            let client = Fixtures.client(cache: cache)
            let latest = Fixtures.dataDirectory.appendingPathComponent("latest", isDirectory: true)
            let byURL = try await client.expand(latest.absoluteString)
            #expect(byURL == [latest.appendingPathComponent("dns_test_1.json").absoluteString])
            let fetched = try await client.fetch(try #require(byURL.first), progress: nil)
            #expect(fetched.fileURL.path == latest.appendingPathComponent("dns_test_1.json").path)

            let all = try await client.list(Fixtures.dataDirectory.path)
            let names = all.map(\.source)
            #expect(names == names.sorted())
            #expect(names.contains(Fixtures.dataFile("dns_events.json").absoluteString))
            #expect(names.contains(Fixtures.dataFile("geoip/GeoLite2-City.mmdb").absoluteString))
            #expect(all.first { $0.source.hasSuffix("/dns_events.json") }?.size == 156_808)

            let single = try await client.expand(Fixtures.dataFile("dns_events.json").path)
            #expect(single == [Fixtures.dataFile("dns_events.json").absoluteString])
        }
    }

    @Test func missingFilesAndDirectoriesGiveClearErrors() async throws {
        try await Fixtures.withScratch { cache in
            let client = Fixtures.client(cache: cache)
            let missing = cache.appendingPathComponent("nope.csv").path
            let error = try #require(await Fixtures.fetchError(client, missing))
            guard case .localFile = error else {
                Issue.record("expected a local file error, got \(error)")
                return
            }
            #expect(error.description.contains(missing))
            let directory = try #require(await Fixtures.fetchError(client, Fixtures.dataDirectory.path))
            #expect(directory.description.contains("directory"))
            await #expect(throws: FetchError.self) { try await client.list(missing) }
        }
    }
}
