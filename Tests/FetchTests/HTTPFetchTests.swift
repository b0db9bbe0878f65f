import Fetch
import Foundation
import TestSupport
import Testing

@Suite("HTTP downloads against local servers")
struct HTTPFetchTests {
    static let eventsName = "dns_events.json"

    @Test func downloadsAFileWithTheOriginalsSizeAndHash() async throws {
        let server = try LocalServers.staticFileServer(directory: Fixtures.dataDirectory)
        defer { server.stop() }
        try await Fixtures.withScratch { cache in
            let original = Fixtures.dataFile(Self.eventsName)
            let expected = try await Fixtures.client(cache: cache).fetch(original.path, progress: nil)
            let result = try await Fixtures.client(cache: cache).fetch("\(server.baseURL)/\(Self.eventsName)", progress: nil)
            #expect(result.size == expected.size)
            #expect(result.size == Int64(try Fixtures.contents(original).count))
            #expect(result.sha256 == expected.sha256)
            #expect(try Fixtures.contents(result.fileURL) == Fixtures.contents(original))
            #expect(result.httpStatus == 200)
            #expect(result.attempts == 1)
            #expect(!result.fromCache)
            #expect(result.bytesTransferred == result.size)
            #expect(result.lastModified != nil)
            #expect(result.fileURL.path.hasPrefix(cache.path))
            #expect(result.fileURL.lastPathComponent.hasSuffix("-" + Self.eventsName))
            #expect(Fixtures.hiddenFiles(in: cache).isEmpty)
            let sidecars = try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { $0.hasSuffix(".meta.json") }
            #expect(sidecars.count == 1)
        }
    }

    @Test func rerunWithLastModifiedIsAnsweredFromTheCache() async throws {
        // python's http.server answers If-Modified-Since with 304.
        let server = try LocalServers.staticFileServer(directory: Fixtures.dataDirectory)
        defer { server.stop() }
        try await Fixtures.withScratch { cache in
            let client = Fixtures.client(cache: cache)
            let first = try await client.fetch("\(server.baseURL)/\(Self.eventsName)", progress: nil)
            let second = try await client.fetch("\(server.baseURL)/\(Self.eventsName)", progress: nil)
            #expect(!first.fromCache)
            #expect(second.fromCache)
            #expect(second.httpStatus == 304)
            #expect(second.bytesTransferred == 0)
            #expect(second.fileURL == first.fileURL)
            #expect(second.sha256 == first.sha256)
            #expect(second.size == first.size)
        }
    }

    @Test func retriesServerErrorsThenSucceeds() async throws {
        let server = try LocalServers.faultServer(directory: Fixtures.dataDirectory)
        defer { server.stop() }
        try await Fixtures.withScratch { cache in
            let result = try await Fixtures.client(cache: cache)
                .fetch("\(server.baseURL)/flaky/2/\(Fixtures.token())/\(Self.eventsName)", progress: nil)
            #expect(result.attempts == 3)
            #expect(result.httpStatus == 200)
            #expect(try Fixtures.contents(result.fileURL) == Fixtures.contents(Fixtures.dataFile(Self.eventsName)))
        }
    }

    @Test func givesUpAfterMaxAttemptsAndSaysSo() async throws {
        let server = try LocalServers.faultServer(directory: Fixtures.dataDirectory)
        defer { server.stop() }
        try await Fixtures.withScratch { cache in
            let url = "\(server.baseURL)/flaky/10/\(Fixtures.token())/\(Self.eventsName)"
            let error = try #require(await Fixtures.fetchError(Fixtures.client(cache: cache), url))
            #expect(error.httpStatus == 503)
            #expect(error.attempts == Fixtures.fastRetries.maxAttempts)
            #expect(error.description.contains("after \(Fixtures.fastRetries.maxAttempts) attempts"))
            #expect(Fixtures.hiddenFiles(in: cache).isEmpty)
        }
    }

    @Test func honoursRetryAfterUpToTheCap() async throws {
        let server = try LocalServers.faultServer(directory: Fixtures.dataDirectory)
        defer { server.stop() }
        try await Fixtures.withScratch { cache in
            let honoured = try await Fixtures.client(cache: cache)
                .fetch("\(server.baseURL)/flaky/1/\(Fixtures.token())/\(Self.eventsName)?retry_after=1", progress: nil)
            #expect(honoured.attempts == 2)
            #expect(honoured.duration >= .milliseconds(950))

            var capped = Fixtures.fastRetries
            capped.maxRetryAfter = .milliseconds(100)
            let client = FetchClient(cacheDirectory: cache, environment: [:], retryPolicy: capped, timeouts: Fixtures.shortTimeouts)
            let quick = try await client
                .fetch("\(server.baseURL)/flaky/1/\(Fixtures.token())/\(Self.eventsName)?retry_after=3600", progress: nil)
            #expect(quick.attempts == 2)
            // Unbounded, the Retry-After would wait an hour; loose bound for shared CI machines.
            #expect(quick.duration < .seconds(60))
        }
    }

    @Test func doesNotRetryANotFound() async throws {
        let server = try LocalServers.faultServer(directory: Fixtures.dataDirectory)
        defer { server.stop() }
        try await Fixtures.withScratch { cache in
            let token = Fixtures.token()
            let url = "\(server.baseURL)/status/404/\(token)/missing.json"
            let error = try #require(await Fixtures.fetchError(Fixtures.client(cache: cache), url))
            #expect(error.httpStatus == 404)
            #expect(error.attempts == 1)
            #expect(error.description.contains("404"))
            #expect(error.description.contains(url))
            #expect(error.source == url)
            // The server saw exactly one request.
            let count = try await Fixtures.client(cache: cache).fetch("\(server.baseURL)/count/0/\(token)", progress: nil)
            #expect(String(decoding: try Fixtures.contents(count.fileURL), as: UTF8.self) == "1")
        }
    }

    @Test func resumesABrokenTransferWithRange() async throws {
        let server = try LocalServers.faultServer(directory: Fixtures.dataDirectory)
        defer { server.stop() }
        try await Fixtures.withScratch { cache in
            let original = try Fixtures.contents(Fixtures.dataFile(Self.eventsName))
            let result = try await Fixtures.client(cache: cache)
                .fetch("\(server.baseURL)/cut/50000/\(Fixtures.token())/\(Self.eventsName)", progress: nil)
            #expect(result.attempts == 2)
            #expect(result.httpStatus == 206)
            #expect(result.bytesTransferred == Int64(original.count))
            #expect(try Fixtures.contents(result.fileURL) == original)
            #expect(result.etag != nil)
        }
    }

    @Test func restartsCleanlyWhenTheServerIgnoresRange() async throws {
        let server = try LocalServers.faultServer(directory: Fixtures.dataDirectory)
        defer { server.stop() }
        try await Fixtures.withScratch { cache in
            let original = try Fixtures.contents(Fixtures.dataFile(Self.eventsName))
            let client = Fixtures.client(cache: cache)
            let ignored = try await client.fetch("\(server.baseURL)/norange/50000/\(Fixtures.token())/\(Self.eventsName)", progress: nil)
            #expect(ignored.attempts == 2)
            #expect(ignored.httpStatus == 200)
            #expect(ignored.bytesTransferred == Int64(50000 + original.count))
            #expect(try Fixtures.contents(ignored.fileURL) == original)

            let wrong = try await client.fetch("\(server.baseURL)/badrange/50000/\(Fixtures.token())/\(Self.eventsName)", progress: nil)
            #expect(wrong.attempts == 3)
            #expect(try Fixtures.contents(wrong.fileURL) == original)
        }
    }

    @Test func answersFromTheCacheWhenTheETagMatches() async throws {
        let server = try LocalServers.faultServer(directory: Fixtures.dataDirectory)
        defer { server.stop() }
        try await Fixtures.withScratch { cache in
            let token = Fixtures.token()
            let url = "\(server.baseURL)/etag/0/\(token)/\(Self.eventsName)"
            let client = Fixtures.client(cache: cache)
            let first = try await client.fetch(url, progress: nil)
            let second = try await client.fetch(url, progress: nil)
            #expect(!first.fromCache && first.httpStatus == 200)
            #expect(second.fromCache && second.httpStatus == 304)
            #expect(second.bytesTransferred == 0)
            #expect(second.etag == first.etag)
            #expect(second.fileURL == first.fileURL)
            #expect(try Fixtures.contents(second.fileURL) == Fixtures.contents(Fixtures.dataFile(Self.eventsName)))

            // A cached file changed on disk is not trusted: the next fetch downloads again.
            try Data("tampered".utf8).write(to: second.fileURL)
            let third = try await client.fetch(url, progress: nil)
            #expect(!third.fromCache && third.httpStatus == 200)
            #expect(third.sha256 == first.sha256)
        }
    }

    @Test func decodesGzipContentEncoding() async throws {
        let server = try LocalServers.faultServer(directory: Fixtures.dataDirectory)
        defer { server.stop() }
        try await Fixtures.withScratch { cache in
            let result = try await Fixtures.client(cache: cache)
                .fetch("\(server.baseURL)/gzip/0/\(Fixtures.token())/\(Self.eventsName)", progress: nil)
            #expect(try Fixtures.contents(result.fileURL) == Fixtures.contents(Fixtures.dataFile(Self.eventsName)))
            #expect(!result.decompressed)
        }
    }

    @Test func decompressesGzipFilesByNameAndMagic() async throws {
        try await Fixtures.withScratch { scratch in
            let served = scratch.appendingPathComponent("served")
            let cache = scratch.appendingPathComponent("cache")
            try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
            // Two gzip members in one file, as `cat a.gz b.gz` makes; both must come out.
            _ = try LocalServers.runPython("""
            import gzip, sys
            data = open(sys.argv[1], "rb").read()
            half = len(data) // 2
            with open(sys.argv[2], "wb") as out:
                out.write(gzip.compress(data[:half]))
                out.write(gzip.compress(data[half:]))
            open(sys.argv[3], "wb").write(b"not gzip at all")
            """, arguments: [Fixtures.dataFile(Self.eventsName).path, served.appendingPathComponent("events.json.gz").path,
                             served.appendingPathComponent("plain.gz").path])
            let server = try LocalServers.staticFileServer(directory: served)
            defer { server.stop() }
            let client = Fixtures.client(cache: cache)
            let original = try Fixtures.contents(Fixtures.dataFile(Self.eventsName))

            let remote = try await client.fetch("\(server.baseURL)/events.json.gz", progress: nil)
            #expect(remote.decompressed)
            #expect(remote.fileURL.lastPathComponent.hasSuffix("-events.json"))
            #expect(try Fixtures.contents(remote.fileURL) == original)
            #expect(remote.size == Int64(original.count))

            let local = try await client.fetch(served.appendingPathComponent("events.json.gz").path, progress: nil)
            #expect(local.decompressed && local.fromCache)
            #expect(local.sha256 == remote.sha256)
            let again = try await client.fetch(served.appendingPathComponent("events.json.gz").path, progress: nil)
            #expect(again.fileURL == local.fileURL)

            // A .gz name without the magic bytes is kept as it is.
            let plain = try await client.fetch("\(server.baseURL)/plain.gz", progress: nil)
            #expect(!plain.decompressed)
            #expect(String(decoding: try Fixtures.contents(plain.fileURL), as: UTF8.self) == "not gzip at all")
        }
    }

    @Test func reportsConnectionErrorsWithCurlsText() async throws {
        let port = try LocalServers.freePort()
        try await Fixtures.withScratch { cache in
            var policy = Fixtures.fastRetries
            policy.maxAttempts = 2
            let client = FetchClient(cacheDirectory: cache, environment: [:], retryPolicy: policy, timeouts: Fixtures.shortTimeouts)
            let error = try #require(await Fixtures.fetchError(client, "http://127.0.0.1:\(port)/x.json"))
            guard case let .transport(_, _, code, message, attempts) = error else {
                Issue.record("expected a transport error, got \(error)")
                return
            }
            #expect(code == 7)
            #expect(attempts == 2)
            #expect(message.contains("127.0.0.1"))
            #expect(error.description.contains(message))
        }
    }

    @Test func stopsAtTheTotalTimeout() async throws {
        let server = try LocalServers.faultServer(directory: Fixtures.dataDirectory)
        defer { server.stop() }
        try await Fixtures.withScratch { cache in
            let timeouts = Timeouts(connect: .seconds(5), total: .milliseconds(700), stall: .seconds(20))
            let client = Fixtures.client(cache: cache, timeouts: timeouts)
            let started = ContinuousClock.now
            let error = try #require(await Fixtures.fetchError(client, "\(server.baseURL)/slow/100/\(Fixtures.token())/\(Self.eventsName)"))
            guard case .timedOut = error else {
                Issue.record("expected a total timeout, got \(error)")
                return
            }
            // The whole body at this rate takes minutes; stopping within seconds shows the limit worked
            // (the bound is loose because CI machines are shared).
            #expect(ContinuousClock.now - started < .seconds(20))
            #expect(Fixtures.hiddenFiles(in: cache).isEmpty)
        }
    }

    @Test func cancellationAbortsTheTransferAndRemovesThePartialFile() async throws {
        let server = try LocalServers.faultServer(directory: Fixtures.dataDirectory)
        defer { server.stop() }
        try await Fixtures.withScratch { cache in
            let client = Fixtures.client(cache: cache)
            let progress = RecordingProgress()
            let url = "\(server.baseURL)/slow/50/\(Fixtures.token())/\(Self.eventsName)"
            let task = Task { try await client.fetch(url, progress: progress) }
            // Wait until data flows, so the cancellation hits a running transfer.
            for _ in 0..<200 where progress.updates.isEmpty {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(!progress.updates.isEmpty)
            let cancelled = ContinuousClock.now
            task.cancel()
            let result = await task.result
            #expect(ContinuousClock.now - cancelled < .seconds(10))
            switch result {
            case .success:
                Issue.record("the download finished despite cancellation")
            case let .failure(error):
                #expect((error as? FetchError) == .cancelled(source: url))
            }
            #expect(progress.finished == [false])
            #expect(Fixtures.hiddenFiles(in: cache).isEmpty)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: cache.path)
            #expect(leftovers.isEmpty, "left behind: \(leftovers)")
        }
    }

    @Test func reportsProgressUpToTheFullSize() async throws {
        let server = try LocalServers.faultServer(directory: Fixtures.dataDirectory)
        defer { server.stop() }
        try await Fixtures.withScratch { cache in
            let progress = RecordingProgress()
            let result = try await Fixtures.client(cache: cache)
                .fetch("\(server.baseURL)/slow/2/\(Fixtures.token())/\(Self.eventsName)", progress: progress)
            let updates = progress.updates
            #expect(!updates.isEmpty)
            #expect(updates.map(\.receivedBytes) == updates.map(\.receivedBytes).sorted())
            #expect(updates.last?.receivedBytes == result.size)
            #expect(updates.allSatisfy { $0.expectedBytes == result.size })
            #expect(progress.finished == [true])
        }
    }
}
