import Foundation
import TestSupport
import Testing

/// A moto S3 server with test data, shared by the tests of one suite.
struct MotoFixture: Sendable {
    let server: LocalServer
    /// Keys of a user allowed `s3:*` (secure servers only).
    let keyID: String
    let secret: String
    /// Keys of a user without any policy (secure servers only).
    let deniedKeyID: String
    let deniedSecret: String

    var endpoint: String { server.baseURL }

    /// The environment a client of this server reads its S3 settings from.
    func environment(keyID: String? = nil, secret: String? = nil) -> [String: String] {
        var env = ["AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1"]
        if let keyID { env["AWS_ACCESS_KEY_ID"] = keyID }
        if let secret { env["AWS_SECRET_ACCESS_KEY"] = secret }
        return env
    }

    @TaskLocal static var current: MotoFixture?

    /// Objects under `pages/` and in bucket `pages`: enough for several pages at max-keys 2.
    static let pageKeys = (0..<5).map { "part-\($0).csv" }

    /// Uploads the data with boto3 while the server accepts anything, then (secure) creates two
    /// IAM users and switches signature checking on.
    static let setupScript = #"""
import json, sys, urllib.request
import boto3

endpoint, data_dir, mode = sys.argv[1], sys.argv[2], sys.argv[3]
kw = dict(endpoint_url=endpoint, region_name="us-east-1",
          aws_access_key_id="setup", aws_secret_access_key="setup")
s3 = boto3.client("s3", **kw)
s3.create_bucket(Bucket="data")
with open(data_dir + "/dns_events.json", "rb") as f:
    s3.put_object(Bucket="data", Key="dns_events.json", Body=f.read())
with open(data_dir + "/latest/dns_test_1.json", "rb") as f:
    s3.put_object(Bucket="data", Key="latest/dns_test_1.json", Body=f.read())
with open(data_dir + "/dns_events.json", "rb") as f:
    s3.put_object(Bucket="data", Key="public/dns_events.json", Body=f.read(), ACL="public-read")
s3.create_bucket(Bucket="pages")
for i in range(5):
    body = ("part %d\n" % i).encode()
    s3.put_object(Bucket="pages", Key="part-%d.csv" % i, Body=body)
    s3.put_object(Bucket="data", Key="pages/part-%d.csv" % i, Body=body)
s3.put_object(Bucket="data", Key="pages/", Body=b"")
result = {"keyID": "", "secret": "", "deniedKeyID": "", "deniedSecret": ""}
if mode == "secure":
    iam = boto3.client("iam", **kw)
    iam.create_user(UserName="runme")
    iam.put_user_policy(UserName="runme", PolicyName="s3-all", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="runme")["AccessKey"]
    iam.create_user(UserName="nobody")
    denied = iam.create_access_key(UserName="nobody")["AccessKey"]
    request = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0",
                                     headers={"Content-Type": "text/plain"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200, answer.status
    result = {"keyID": key["AccessKeyId"], "secret": key["SecretAccessKey"],
              "deniedKeyID": denied["AccessKeyId"], "deniedSecret": denied["SecretAccessKey"]}
print(json.dumps(result))
"""#

    static func start(secure: Bool) throws -> MotoFixture {
        let server = try LocalServers.motoServer()
        do {
            let output = try LocalServers.runPython(
                setupScript, arguments: [server.baseURL, LocalServers.sharedDataDirectory.path, secure ? "secure" : "open"],
                timeout: 60)
            let keys = try JSONDecoder().decode([String: String].self, from: Data(output.utf8))
            return MotoFixture(
                server: server, keyID: keys["keyID"] ?? "", secret: keys["secret"] ?? "",
                deniedKeyID: keys["deniedKeyID"] ?? "", deniedSecret: keys["deniedSecret"] ?? "")
        } catch {
            let log = server.logTail()
            server.stop()
            throw LocalServerError("moto setup failed: \(error)\n\(log)")
        }
    }
}

/// Starts one moto server for a whole suite and stops it when the suite is done.
struct MotoScope: SuiteTrait, TestScoping {
    let secure: Bool
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let fixture = try MotoFixture.start(secure: secure)
        defer { fixture.server.stop() }
        try await MotoFixture.$current.withValue(fixture) {
            try await function()
        }
    }
}

extension Trait where Self == MotoScope {
    /// A moto server that checks signatures and IAM policies.
    static var secureMoto: MotoScope { MotoScope(secure: true) }
    /// A moto server that accepts any request, signed or not.
    static var openMoto: MotoScope { MotoScope(secure: false) }
}
