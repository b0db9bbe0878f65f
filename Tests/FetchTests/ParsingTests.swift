@testable import Fetch
import Foundation
import TestSupport
import Testing

@Suite("Source URIs, S3 settings and small parsers")
struct ParsingTests {
    @Test func parsesEveryKindOfSource() throws {
        #expect(try SourceURI("https://example.org/a/b.csv") == .http(try #require(URL(string: "https://example.org/a/b.csv"))))
        #expect(try SourceURI("s3://bucket/dir/key.json") == .s3(bucket: "bucket", key: "dir/key.json"))
        #expect(try SourceURI("s3://bucket/dir/") == .s3(bucket: "bucket", key: "dir/"))
        #expect(try SourceURI("s3://bucket") == .s3(bucket: "bucket", key: ""))
        #expect(try SourceURI("s3://bucket/a b+c.txt") == .s3(bucket: "bucket", key: "a b+c.txt"))
        #expect(try SourceURI("file:///tmp/x.json") == .file(path: "/tmp/x.json"))
        #expect(try SourceURI("file:///tmp/dir/") == .file(path: "/tmp/dir/"))
        #expect(try SourceURI("file:///tmp/a%20b.txt") == .file(path: "/tmp/a b.txt"))
        #expect(try SourceURI("/var/data.csv") == .file(path: "/var/data.csv"))
        let relative = try SourceURI("some/file.txt")
        #expect(relative == .file(path: FileManager.default.currentDirectoryPath + "/some/file.txt"))
        #expect(try SourceURI("s3://bucket/dir/").isS3Prefix)
        #expect(try SourceURI("s3://bucket").isS3Prefix)
        #expect(try !SourceURI("s3://bucket/key").isS3Prefix)
    }

    @Test(arguments: ["", "ftp://host/file", "s3://", "s3:///key", "s3://bad bucket/key", "http://", "https://user:pw@host/x", "file://otherhost/x"])
    func rejectsBadSources(_ text: String) {
        #expect(throws: FetchError.self) { try SourceURI(text) }
        do {
            _ = try SourceURI(text)
        } catch {
            guard case .invalidSource = error else {
                Issue.record("expected invalidSource, got \(error)")
                return
            }
            #expect(error.description.contains("cannot fetch"))
        }
    }

    @Test func encodesS3PathsAndQueriesCanonically() {
        #expect(S3Encoding.encodePath("odd/a b+c (1)&=.txt") == "odd/a%20b%2Bc%20%281%29%26%3D.txt")
        #expect(S3Encoding.encodeQueryComponent("logs/2024 01") == "logs%2F2024%2001")
        #expect(S3Encoding.encodePath("caf\u{e9}/~x_y-z.") == "caf%C3%A9/~x_y-z.")
        let aws = S3Configuration(credentials: nil, region: "eu-west-1")
        #expect(aws.objectURL(bucket: "my-bucket", key: "a/b.json") == "https://my-bucket.s3.eu-west-1.amazonaws.com/a/b.json")
        #expect(aws.objectURL(bucket: "my.bucket", key: "a") == "https://s3.eu-west-1.amazonaws.com/my.bucket/a")
        #expect(aws.listURL(bucket: "my-bucket", prefix: "logs/", continuationToken: "a+b=", maxKeys: 2)
            == "https://my-bucket.s3.eu-west-1.amazonaws.com/?continuation-token=a%2Bb%3D&list-type=2&max-keys=2&prefix=logs%2F")
        let custom = S3Configuration(credentials: nil, region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:9000/"))
        #expect(custom.objectURL(bucket: "b", key: "k/x y") == "http://127.0.0.1:9000/b/k/x%20y")
        #expect(custom.listURL(bucket: "b", prefix: "", continuationToken: nil, maxKeys: 1000)
            == "http://127.0.0.1:9000/b?list-type=2&max-keys=1000&prefix=")
    }

    @Test func addsPayloadHashAndSessionTokenHeadersOnlyWhenSigning() {
        let anonymous = S3Configuration(credentials: nil)
        #expect(anonymous.signedHeaders.isEmpty)
        let session = S3Configuration(credentials: S3Credentials(accessKeyID: "AK", secretAccessKey: "SK", sessionToken: "TOKEN"))
        #expect(session.signedHeaders == [
            "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "x-amz-security-token: TOKEN",
        ])
        #expect(!String(describing: session.credentials).contains("SK"))
    }

    @Test func readsS3SettingsFromTheEnvironment() throws {
        let config = try S3Configuration.fromEnvironment([
            "AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK", "AWS_SESSION_TOKEN": "ST",
            "AWS_DEFAULT_REGION": "eu-central-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:1",
            "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:2",
        ])
        #expect(config.credentials == S3Credentials(accessKeyID: "AK", secretAccessKey: "SK", sessionToken: "ST"))
        #expect(config.region == "eu-central-1")
        #expect(config.endpoint?.absoluteString == "http://127.0.0.1:2")

        let anonymous = try S3Configuration.fromEnvironment(["HOME": "/nonexistent-home"])
        #expect(anonymous.credentials == nil)
        #expect(anonymous.region == "us-east-1")
        #expect(anonymous.endpoint == nil)

        #expect(throws: FetchError.self) { try S3Configuration.fromEnvironment(["AWS_ACCESS_KEY_ID": "AK"]) }
        #expect(throws: FetchError.self) { try S3Configuration.fromEnvironment(["AWS_ENDPOINT_URL": "ftp://x"]) }
    }

    @Test func readsProfilesFromTheSharedFiles() async throws {
        try await Fixtures.withScratch { directory in
            let aws = directory.appendingPathComponent(".aws")
            try FileManager.default.createDirectory(at: aws, withIntermediateDirectories: true)
            try """
            # comment
            [default]
            aws_access_key_id = DEFAULTKEY
            aws_secret_access_key = defaultsecret

            [work]
            aws_access_key_id=WORKKEY
            aws_secret_access_key=worksecret
            aws_session_token = worktoken
            [broken]
            aws_access_key_id = ONLYKEY
            """.write(to: aws.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
            try """
            [default]
            region = eu-north-1
            [profile work]
            region = ap-south-1
            """.write(to: aws.appendingPathComponent("config"), atomically: true, encoding: .utf8)
            let home = ["HOME": directory.path]

            let standard = try S3Configuration.fromEnvironment(home)
            #expect(standard.credentials == S3Credentials(accessKeyID: "DEFAULTKEY", secretAccessKey: "defaultsecret"))
            #expect(standard.region == "eu-north-1")

            var work = home
            work["AWS_PROFILE"] = "work"
            let workConfig = try S3Configuration.fromEnvironment(work)
            #expect(workConfig.credentials == S3Credentials(accessKeyID: "WORKKEY", secretAccessKey: "worksecret", sessionToken: "worktoken"))
            #expect(workConfig.region == "ap-south-1")
            work["AWS_REGION"] = "us-west-2"
            #expect(try S3Configuration.fromEnvironment(work).region == "us-west-2")

            // Environment keys win over the file.
            var both = home
            both["AWS_ACCESS_KEY_ID"] = "ENVKEY"
            both["AWS_SECRET_ACCESS_KEY"] = "envsecret"
            #expect(try S3Credentials.resolve(environment: both)?.accessKeyID == "ENVKEY")

            // An explicit file path overrides HOME.
            let moved = directory.appendingPathComponent("elsewhere")
            try FileManager.default.moveItem(at: aws.appendingPathComponent("credentials"), to: moved)
            #expect(try S3Credentials.resolve(environment: home) == nil)
            let explicit = ["AWS_SHARED_CREDENTIALS_FILE": moved.path, "AWS_PROFILE": "work"]
            #expect(try S3Credentials.resolve(environment: explicit)?.accessKeyID == "WORKKEY")

            // A named profile that is missing or incomplete is an error, not anonymous access.
            #expect(throws: FetchError.self) {
                try S3Credentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": moved.path, "AWS_PROFILE": "nope"])
            }
            #expect(throws: FetchError.self) {
                try S3Credentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": moved.path, "AWS_PROFILE": "broken"])
            }
            #expect(throws: FetchError.self) {
                try S3Credentials.resolve(environment: ["HOME": directory.path, "AWS_PROFILE": "work"])
            }
        }
    }

    @Test func backoffGrowsIsCappedAndHonoursRetryAfter() {
        let policy = RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(100), multiplier: 2,
                                 maxDelay: .milliseconds(300), maxRetryAfter: .seconds(5))
        #expect(policy.delay(afterAttempt: 1, jitter: 1) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 2, jitter: 1) == .milliseconds(200))
        #expect(policy.delay(afterAttempt: 3, jitter: 1) == .milliseconds(300))
        #expect(policy.delay(afterAttempt: 9, jitter: 1) == .milliseconds(300))
        #expect(policy.delay(afterAttempt: 2, jitter: 0) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(2), jitter: 0.3) == .seconds(2))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(3600), jitter: 0.3) == .seconds(5))
        #expect(RetryPolicy.parseRetryAfter("7") == .seconds(7))
        let now = Date(timeIntervalSince1970: 784_111_777)
        #expect(RetryPolicy.parseRetryAfter("Sun, 06 Nov 1994 08:49:47 GMT", now: now) == .seconds(10))
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
        #expect(RetryPolicy.isRetryable(status: 503) && RetryPolicy.isRetryable(status: 429) && RetryPolicy.isRetryable(status: 408))
        #expect(!RetryPolicy.isRetryable(status: 404) && !RetryPolicy.isRetryable(status: 403))
        #expect(RetryPolicy.isRetryable(curlCode: 7) && RetryPolicy.isRetryable(curlCode: 18) && RetryPolicy.isRetryable(curlCode: 28))
        #expect(!RetryPolicy.isRetryable(curlCode: 60) && !RetryPolicy.isRetryable(curlCode: 42))
    }

    @Test func parsesContentRange() {
        #expect(ContentRange("bytes 100-199/200")?.start == 100)
        #expect(ContentRange("bytes 100-199/200")?.end == 199)
        #expect(ContentRange("bytes 100-199/200")?.total == 200)
        #expect(ContentRange("bytes 0-9/*")?.total == nil)
        #expect(ContentRange("bytes */200") == nil)
        #expect(ContentRange("items 1-2/3") == nil)
    }

    @Test func parsesS3Documents() throws {
        let list = Data("""
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>b</Name><Prefix>logs/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
          <IsTruncated>true</IsTruncated>
          <Contents><Key>logs/a&amp;b.txt</Key><LastModified>2024-01-02T03:04:05.000Z</LastModified>
            <ETag>&quot;abc&quot;</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
          <Contents><Key>logs/c.txt</Key><Size>0</Size></Contents>
          <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
        </ListBucketResult>
        """.utf8)
        let page = try #require(S3XML.parseListPage(list))
        #expect(page.objects.map(\.key) == ["logs/a&b.txt", "logs/c.txt"])
        #expect(page.objects.first?.size == 12)
        #expect(page.objects.first?.etag == "\"abc\"")
        #expect(page.objects.first?.lastModified == Date(timeIntervalSince1970: 1_704_164_645))
        #expect(page.isTruncated)
        #expect(page.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")

        let error = Data("""
        <?xml version="1.0" encoding="UTF-8"?>
        <Error><Code>PermanentRedirect</Code><Message>Use the endpoint.</Message>
        <Endpoint>b.s3.eu-west-1.amazonaws.com</Endpoint><Region>eu-west-1</Region></Error>
        """.utf8)
        let detail = try #require(S3XML.parseError(error))
        #expect(detail == S3ErrorDetail(code: "PermanentRedirect", message: "Use the endpoint.", region: "eu-west-1",
                                        endpoint: "b.s3.eu-west-1.amazonaws.com"))
        #expect(S3XML.parseError(Data("not xml".utf8)) == nil)
        #expect(S3XML.parseError(list) == nil)
        #expect(S3XML.parseListPage(error) == nil)
    }

    @Test func errorsNameTheSourceTheAnswerAndWhatToCheck() {
        let error = FetchError.httpStatus(
            source: "s3://b/k", url: "http://127.0.0.1:1/b/k", status: 403,
            s3: S3ErrorDetail(code: "SignatureDoesNotMatch", message: "The signature does not match"), attempts: 1)
        #expect(error.description.contains("s3://b/k"))
        #expect(error.description.contains("403"))
        #expect(error.description.contains("SignatureDoesNotMatch"))
        #expect(error.description.contains("AWS_SECRET_ACCESS_KEY"))
        #expect(error.s3ErrorCode == "SignatureDoesNotMatch")
        let transport = FetchError.transport(source: "https://x/y", url: "https://x/y", curlCode: 6,
                                             message: "Could not resolve host: x", attempts: 3)
        #expect(transport.description.contains("Could not resolve host: x"))
        #expect(transport.description.contains("after 3 attempts"))
        // The S3 endpoint variable is named where it can be the cause, and only there.
        #expect(transport.description.hasSuffix("Check the host name in the URL and DNS."))
        let refusedS3 = FetchError.transport(source: "s3://b/k", url: "http://127.0.0.1:1/b/k", curlCode: 7, message: "Couldn't connect to server", attempts: 1)
        #expect(refusedS3.description.hasSuffix("Check that the endpoint (AWS_ENDPOINT_URL) is running, its port, and firewalls or proxies."))
        let refusedHTTP = FetchError.transport(source: "http://127.0.0.1:1/x", url: "http://127.0.0.1:1/x", curlCode: 7, message: "Couldn't connect to server", attempts: 1)
        #expect(refusedHTTP.description.hasSuffix("Check that the server is running, its port, and firewalls or proxies."))
        let requestRefused = HTTPClientError.transport(method: "POST", url: "http://127.0.0.1:1/api", curlCode: 7, message: "Couldn't connect to server", attempts: 5)
        #expect(!requestRefused.description.contains("AWS_ENDPOINT_URL"))
    }

    @Test func progressBarRendersBytesRateAndETA() {
        let progress = TransferProgress(source: "https://h/dir/big.bin", receivedBytes: 512 * 1024,
                                        expectedBytes: 2 * 1024 * 1024, elapsed: .seconds(2), sessionBytes: 512 * 1024)
        let line = ProgressBar.render(progress, width: 10)
        #expect(line.hasPrefix("big.bin [==>       ]  25%"))
        #expect(line.contains("512.0 KiB / 2.0 MiB"))
        #expect(line.contains("256.0 KiB/s"))
        #expect(line.contains("ETA 0:06"))
        let unknown = TransferProgress(source: "x", receivedBytes: 10, expectedBytes: nil, elapsed: .seconds(1), sessionBytes: 10)
        #expect(ProgressBar.render(unknown, width: 10) == "x  10 B  10 B/s")
    }

    @Test func progressBarIsQuietWhenNotATerminal() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        #expect(!ProgressBar(fileDescriptor: fds[1]).isEnabled)
        let forced = ProgressBar(fileDescriptor: fds[1], delay: .zero, force: true)
        forced.update(TransferProgress(source: "f", receivedBytes: 1, expectedBytes: 2, elapsed: .seconds(1), sessionBytes: 1))
        forced.finish(nil, succeeded: true)
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = read(fds[0], &buffer, buffer.count)
        let text = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self)
        #expect(text.hasPrefix("\rf ["))
        #expect(text.hasSuffix("\n"))
    }
}
