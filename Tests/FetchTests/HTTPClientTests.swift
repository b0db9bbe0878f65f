import Digest
@testable import Fetch
import Foundation
import TestSupport
import Testing

/// `HTTPClient`: methods, JSON and streamed file bodies, retries, connection errors.
@Suite struct HTTPClientTests {
    struct Echo: Decodable {
        var method: String
        var path: String
        var length: Int
        var sha256: String
        var content_type: String
        var expect: String
        var authorization: String
    }

    func echo(_ response: HTTPResponse) throws -> Echo {
        try JSONDecoder().decode(Echo.self, from: response.body)
    }

    @Test func sendsJSONAndStreamsFilesWithTheirMethods() async throws {
        let server = try EchoServer.start()
        let client = HTTPClient()
        let json = Data(#"{"name": "é", "value": 1}"#.utf8)
        let posted = try await client.send(.json(method: "POST", url: server.baseURL + "/api/x", headers: ["Authorization: Bearer t"], body: json))
        #expect(posted.status == 200 && posted.attempts == 1)
        let postEcho = try echo(posted)
        #expect(postEcho.method == "POST" && postEcho.length == json.count && postEcho.sha256 == SHA256.hex(of: json))
        #expect(postEcho.content_type == "application/json" && postEcho.authorization == "Bearer t")
        #expect(postEcho.expect.isEmpty, "no 100-continue wait")

        // A file larger than libcurl's 100-continue threshold, streamed with PUT.
        let directory = try TemporaryDirectory("http-client")
        let file = directory.file("upload.bin")
        var bytes = [UInt8](repeating: 0, count: 3 << 20)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 7) }
        try Data(bytes).write(to: file)
        let put = try echo(try await client.send(HTTPRequest(method: "PUT", url: server.baseURL + "/artifacts/a%20b.bin", body: .file(file))))
        #expect(put.method == "PUT" && put.length == bytes.count && put.sha256 == SHA256.hex(of: bytes))
        #expect(put.path == "/artifacts/a%20b.bin")

        let patched = try echo(try await client.send(.json(method: "PATCH", url: server.baseURL + "/p", body: Data("{}".utf8))))
        #expect(patched.method == "PATCH" && patched.length == 2)
        let deleted = try echo(try await client.send(HTTPRequest(method: "DELETE", url: server.baseURL + "/d?x=1")))
        #expect(deleted.method == "DELETE" && deleted.length == 0 && deleted.path == "/d?x=1")
    }

    @Test func retriesTransientAnswersAndReportsTheLastOne() async throws {
        let server = try EchoServer.start()
        let client = HTTPClient(retryPolicy: RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(10)))
        let ok = try await client.send(.json(method: "POST", url: server.baseURL + "/fail/2/a/x", body: Data("{}".utf8)))
        #expect(ok.status == 200 && ok.attempts == 3)
        let given = try await client.send(HTTPRequest(url: server.baseURL + "/fail/9/b/x"))
        #expect(given.status == 503 && given.attempts == 4 && !given.isSuccess)
    }

    @Test func aClosedPortIsATransportErrorAfterTheRetries() async throws {
        let port = try LocalServers.freePort()
        let client = HTTPClient(retryPolicy: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(10)))
        do throws(HTTPClientError) {
            _ = try await client.send(HTTPRequest(method: "POST", url: "http://127.0.0.1:\(port)/x", body: .data(Data("{}".utf8))))
            Issue.record("a closed port answered")
        } catch {
            #expect(error.curlCode == 7)
            #expect(error.description.contains("after 2 attempts"))
        }
        do throws(HTTPClientError) {
            _ = try await client.send(HTTPRequest(method: "PUT", url: "http://127.0.0.1:\(port)/x", body: .file(URL(fileURLWithPath: "/nonexistent/file"))))
            Issue.record("a missing upload file was sent")
        } catch {
            guard case .local = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
    }
}
