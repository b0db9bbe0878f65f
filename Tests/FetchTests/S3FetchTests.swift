import Fetch
import Foundation
import TestSupport
import Testing

/// S3 against a moto server that checks signatures (auth switched on after the setup).
@Suite("S3 with signature checks", .secureMoto)
struct SecureS3Tests {
    private func moto() throws -> MotoFixture {
        try #require(MotoFixture.current, "the suite's moto server is missing")
    }

    @Test func getsAnObjectWithTheRightKey() async throws {
        let moto = try moto()
        try await Fixtures.withScratch { cache in
            let client = Fixtures.client(cache: cache, environment: moto.environment(keyID: moto.keyID, secret: moto.secret))
            let result = try await client.fetch("s3://data/dns_events.json", progress: nil)
            #expect(try Fixtures.contents(result.fileURL) == Fixtures.contents(Fixtures.dataFile("dns_events.json")))
            #expect(result.httpStatus == 200)
            #expect(result.attempts == 1)
            #expect(result.etag != nil)

            // The rerun sends If-None-Match with the ETag and gets 304.
            let again = try await client.fetch("s3://data/dns_events.json", progress: nil)
            #expect(again.fromCache)
            #expect(again.httpStatus == 304)
            #expect(again.bytesTransferred == 0)
            #expect(again.sha256 == result.sha256)
        }
    }

    @Test func readsCredentialsFromAProfile() async throws {
        let moto = try moto()
        try await Fixtures.withScratch { scratch in
            let file = scratch.appendingPathComponent("credentials")
            try """
            [default]
            aws_access_key_id = \(moto.deniedKeyID)
            aws_secret_access_key = \(moto.deniedSecret)
            [runme]
            aws_access_key_id = \(moto.keyID)
            aws_secret_access_key = \(moto.secret)
            """.write(to: file, atomically: true, encoding: .utf8)
            var env = moto.environment()
            env["AWS_SHARED_CREDENTIALS_FILE"] = file.path
            env["AWS_PROFILE"] = "runme"
            let cache = scratch.appendingPathComponent("cache")
            let result = try await Fixtures.client(cache: cache, environment: env).fetch("s3://data/latest/dns_test_1.json", progress: nil)
            #expect(try Fixtures.contents(result.fileURL) == Fixtures.contents(Fixtures.dataFile("latest/dns_test_1.json")))
        }
    }

    @Test func listsABucketPageByPage() async throws {
        let moto = try moto()
        try await Fixtures.withScratch { cache in
            let client = Fixtures.client(cache: cache, environment: moto.environment(keyID: moto.keyID, secret: moto.secret))
            // max-keys 2 over 5 objects: three pages, joined through continuation tokens.
            let listed = try await client.list("s3://pages/", maxKeys: 2)
            #expect(listed.map(\.source) == MotoFixture.pageKeys.map { "s3://pages/\($0)" })
            #expect(listed.allSatisfy { $0.size == 7 && $0.etag != nil && $0.lastModified != nil })
            #expect(try await client.expand("s3://pages", maxKeys: 1) == listed.map(\.source))
            let results = try await client.fetchAll("s3://pages/", progress: nil)
            #expect(results.map { String(decoding: (try? Fixtures.contents($0.fileURL)) ?? Data(), as: UTF8.self) }
                == (0..<5).map { "part \($0)\n" })
        }
    }

    @Test func wrongSecretIsSignatureDoesNotMatch() async throws {
        let moto = try moto()
        try await Fixtures.withScratch { cache in
            let client = Fixtures.client(cache: cache, environment: moto.environment(keyID: moto.keyID, secret: "wrong-secret"))
            let error = try #require(await Fixtures.fetchError(client, "s3://data/dns_events.json"))
            #expect(error.httpStatus == 403)
            #expect(error.s3ErrorCode == "SignatureDoesNotMatch")
            #expect(error.attempts == 1)
            #expect(error.description.contains("SignatureDoesNotMatch"))
            #expect(error.description.contains("s3://data/dns_events.json"))
            #expect(error.description.contains("secret access key"))
            #expect(!error.description.contains("wrong-secret"))
            #expect(Fixtures.hiddenFiles(in: cache).isEmpty)
        }
    }

    @Test func unknownKeyAndMissingPermissionAreNamed() async throws {
        let moto = try moto()
        try await Fixtures.withScratch { cache in
            let unknown = Fixtures.client(cache: cache, environment: moto.environment(keyID: "AKIAUNKNOWN000000000", secret: "x"))
            let unknownError = try #require(await Fixtures.fetchError(unknown, "s3://data/dns_events.json"))
            #expect(unknownError.s3ErrorCode == "InvalidAccessKeyId")

            let denied = Fixtures.client(cache: cache, environment: moto.environment(keyID: moto.deniedKeyID, secret: moto.deniedSecret))
            let deniedError = try #require(await Fixtures.fetchError(denied, "s3://data/dns_events.json"))
            #expect(deniedError.httpStatus == 403)
            #expect(deniedError.s3ErrorCode == "AccessDenied")

            // Without credentials the request goes unsigned, which this server refuses.
            let anonymous = Fixtures.client(cache: cache, environment: moto.environment())
            let anonymousError = try #require(await Fixtures.fetchError(anonymous, "s3://data/dns_events.json"))
            #expect(anonymousError.httpStatus == 403)
        }
    }

    @Test func missingKeyAndBucketAreNotRetried() async throws {
        let moto = try moto()
        try await Fixtures.withScratch { cache in
            let client = Fixtures.client(cache: cache, environment: moto.environment(keyID: moto.keyID, secret: moto.secret))
            let noKey = try #require(await Fixtures.fetchError(client, "s3://data/no/such/key.json"))
            #expect(noKey.httpStatus == 404)
            #expect(noKey.s3ErrorCode == "NoSuchKey")
            #expect(noKey.attempts == 1)
            #expect(noKey.description.contains("s3://data/no/such/key.json"))
            #expect(noKey.description.contains("The specified key does not exist"))

            let noBucket = try #require(await Fixtures.fetchError(client, "s3://no-such-bucket/key.json"))
            #expect(noBucket.s3ErrorCode == "NoSuchBucket")
            #expect(noBucket.description.contains("bucket name"))

            await #expect(throws: FetchError.self) { try await client.list("s3://no-such-bucket/") }
            // A prefix is not an object.
            let prefix = try #require(await Fixtures.fetchError(client, "s3://data/pages/"))
            guard case .invalidSource = prefix else {
                Issue.record("expected invalidSource, got \(prefix)")
                return
            }
        }
    }
}

/// S3 against a moto server that accepts anything: anonymous access and prefix listings.
///
/// moto 5.2 checks signatures over partly decoded paths and queries, so signed requests for keys
/// with `+`, `(` or `=` and signed listings of prefixes with `/` fail there even for boto3:
/// those are covered by `SigV4S3Tests`, and prefixes are listed unsigned here.
@Suite("S3 without signature checks", .openMoto)
struct OpenS3Tests {
    @Test func listsAPrefixAcrossPagesAnonymously() async throws {
        let moto = try #require(MotoFixture.current)
        try await Fixtures.withScratch { cache in
            let client = Fixtures.client(cache: cache, environment: moto.environment())
            let listed = try await client.expand("s3://data/pages/", maxKeys: 2)
            // The empty "pages/" folder marker is left out.
            #expect(listed == MotoFixture.pageKeys.map { "s3://data/pages/\($0)" })
            let latest = try await client.list("s3://data/latest/")
            #expect(latest.map(\.source) == ["s3://data/latest/dns_test_1.json"])
            #expect(try await client.expand("s3://data/nothing-here/").isEmpty)
        }
    }

    @Test func fetchesAnonymously() async throws {
        let moto = try #require(MotoFixture.current)
        try await Fixtures.withScratch { cache in
            let client = Fixtures.client(cache: cache, environment: moto.environment())
            let result = try await client.fetch("s3://data/public/dns_events.json", progress: nil)
            #expect(try Fixtures.contents(result.fileURL) == Fixtures.contents(Fixtures.dataFile("dns_events.json")))
            // moto refuses anonymous reads of private objects even with signature checks off.
            let error = try #require(await Fixtures.fetchError(client, "s3://data/dns_events.json"))
            #expect(error.httpStatus == 403)
        }
    }
}

/// S3 signing against a stub that verifies SigV4 as AWS specifies it (canonical request rebuilt
/// from the decoded path and query), for what moto cannot check.
@Suite("S3 signatures checked independently")
struct SigV4S3Tests {
    static let keyID = "AKIASTUBSTUBSTUBSTUB"
    static let secret = "stub/secret+key=with/special/chars"
    static let oddKey = "odd/a b+c (1)&=,;:@$!*'.txt"
    static let prefix = "logs/2024 01+x/"

    /// ROOT/sig-data/ holds a link to dns_events.json, an oddly named file and five log parts.
    private func makeRoot(_ scratch: URL) throws -> URL {
        let bucket = scratch.appendingPathComponent("root/sig-data", isDirectory: true)
        let logs = bucket.appendingPathComponent(Self.prefix, isDirectory: true)
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: bucket.appendingPathComponent("odd"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: bucket.appendingPathComponent("dns_events.json"), withDestinationURL: Fixtures.dataFile("dns_events.json"))
        try Data("odd key\n".utf8).write(to: bucket.appendingPathComponent(Self.oddKey))
        for index in 0..<5 {
            try Data("part \(index)\n".utf8).write(to: logs.appendingPathComponent("part-\(index).csv"))
        }
        return scratch.appendingPathComponent("root", isDirectory: true)
    }

    private func environment(_ server: LocalServer, secret: String = secret, region: String = "us-east-1") -> [String: String] {
        ["AWS_ACCESS_KEY_ID": Self.keyID, "AWS_SECRET_ACCESS_KEY": secret,
         "AWS_ENDPOINT_URL": server.baseURL, "AWS_REGION": region]
    }

    @Test func signsKeysThatNeedEncoding() async throws {
        try await Fixtures.withScratch { scratch in
            let server = try LocalServers.sigV4Server(root: try makeRoot(scratch), accessKeyID: Self.keyID, secretAccessKey: Self.secret)
            defer { server.stop() }
            let client = Fixtures.client(cache: scratch.appendingPathComponent("cache"), environment: environment(server))
            let odd = try await client.fetch("s3://sig-data/\(Self.oddKey)", progress: nil)
            #expect(String(decoding: try Fixtures.contents(odd.fileURL), as: UTF8.self) == "odd key\n")
            let events = try await client.fetch("s3://sig-data/dns_events.json", progress: nil)
            #expect(try Fixtures.contents(events.fileURL) == Fixtures.contents(Fixtures.dataFile("dns_events.json")))
        }
    }

    @Test func signsPrefixListingsAcrossPages() async throws {
        try await Fixtures.withScratch { scratch in
            let server = try LocalServers.sigV4Server(root: try makeRoot(scratch), accessKeyID: Self.keyID, secretAccessKey: Self.secret)
            defer { server.stop() }
            let client = Fixtures.client(cache: scratch.appendingPathComponent("cache"), environment: environment(server))
            let listed = try await client.expand("s3://sig-data/\(Self.prefix)", maxKeys: 2)
            #expect(listed == (0..<5).map { "s3://sig-data/\(Self.prefix)part-\($0).csv" })
            let results = try await client.fetchAll("s3://sig-data/\(Self.prefix)", progress: nil)
            #expect(results.map { String(decoding: (try? Fixtures.contents($0.fileURL)) ?? Data(), as: UTF8.self) }
                == (0..<5).map { "part \($0)\n" })
        }
    }

    @Test func sendsAndSignsTheSessionToken() async throws {
        try await Fixtures.withScratch { scratch in
            let token = "FwoGZXIvYXdzEJr//////////token+with/odd=chars"
            let server = try LocalServers.sigV4Server(root: try makeRoot(scratch), accessKeyID: Self.keyID,
                                                      secretAccessKey: Self.secret, sessionToken: token)
            defer { server.stop() }
            var env = environment(server)
            let cache = scratch.appendingPathComponent("cache")
            let missing = try #require(await Fixtures.fetchError(Fixtures.client(cache: cache, environment: env), "s3://sig-data/dns_events.json"))
            #expect(missing.s3ErrorCode == "InvalidToken")
            #expect(missing.description.contains("AWS_SESSION_TOKEN"))
            env["AWS_SESSION_TOKEN"] = token
            let result = try await Fixtures.client(cache: cache, environment: env).fetch("s3://sig-data/dns_events.json", progress: nil)
            #expect(result.httpStatus == 200)
        }
    }

    @Test func wrongSecretOrRegionIsSignatureDoesNotMatch() async throws {
        try await Fixtures.withScratch { scratch in
            let server = try LocalServers.sigV4Server(root: try makeRoot(scratch), accessKeyID: Self.keyID, secretAccessKey: Self.secret)
            defer { server.stop() }
            let cache = scratch.appendingPathComponent("cache")
            let wrongSecret = Fixtures.client(cache: cache, environment: environment(server, secret: "nope"))
            #expect(await Fixtures.fetchError(wrongSecret, "s3://sig-data/dns_events.json")?.s3ErrorCode == "SignatureDoesNotMatch")
            let wrongRegion = Fixtures.client(cache: cache, environment: environment(server, region: "eu-west-3"))
            #expect(await Fixtures.fetchError(wrongRegion, "s3://sig-data/dns_events.json")?.s3ErrorCode == "SignatureDoesNotMatch")
            let missing = Fixtures.client(cache: cache, environment: environment(server))
            #expect(await Fixtures.fetchError(missing, "s3://sig-data/nothing.json")?.s3ErrorCode == "NoSuchKey")
        }
    }
}
