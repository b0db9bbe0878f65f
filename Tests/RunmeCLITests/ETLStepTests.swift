import Foundation
import Lakehouse
import TestSupport
import Testing
import Tracking

/// The ETL task run by the real binary on the shared sample data, fetched over HTTP, from a
/// signature-checking S3 server and from `file://`, the way a user points `data` at a copy.
@Suite(.serialized) struct ETLStepTests {
    let directory: TemporaryDirectory
    var store: URL { directory.file("store") }

    init() throws { directory = try TemporaryDirectory("etl") }

    func runETL(data: String, environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = try #require(TestPaths.runmeBinary, "the runme executable is not built next to the tests: run `swift build` first")
        return try ChildProcess.run(binary, ["run", "--store", store.path, "--task", "01_etl", "--param", "data=\(data)"],
                                    environment: environment, workingDirectory: TestPaths.packageRoot, timeout: 180)
    }

    /// What the accelerator's story needs from the tables, checked in the lakehouse.
    func checkTables() throws {
        let db = try Database(path: store.appendingPathComponent("lakehouse.db").path, mode: .readOnly)
        let events = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("dns_events.json"), encoding: .utf8)
        let records = events.split(separator: "\n").filter { $0.contains("\"rrname\"") }.count
        #expect(try db.scalar("SELECT count(*) FROM bronze_dns")?.int64Value == Int64(records))
        #expect(try db.scalar("SELECT count(*) FROM bronze_dns_quarantine")?.int64Value == 0)
        let tags = try db.query("SELECT tags FROM silver_threat_feeds WHERE registered_domain = 'asdklgb.cf'").compactMap { $0.string("tags") }
        #expect(!tags.isEmpty && tags.allSatisfy { $0.contains("AgentTesla") })
        // Every feed row points at the load that wrote it.
        #expect(try db.scalar("""
            SELECT count(*) FROM silver_threat_feeds t JOIN loads l ON l.load_id = t.load_id AND l.table_name = 'silver_threat_feeds'
            """)?.int64Value == db.scalar("SELECT count(*) FROM silver_threat_feeds")?.int64Value)
        #expect(try db.scalar("SELECT count(*) FROM silver_twisted_domain_brand WHERE domain = 'google.com' AND dnstwisted_domain = 'googlee.com'")?.int64Value == 1)
        let aRecords = try db.scalar("SELECT count(*) FROM silver_dns WHERE rrtype = 'A'")?.int64Value ?? 0
        let located = try db.scalar("SELECT count(*) FROM silver_dns WHERE rrtype = 'A' AND (country IS NOT NULL OR city IS NOT NULL)")?.int64Value ?? 0
        #expect(aRecords > 0 && located * 2 > aRecords, "\(located) of \(aRecords) A records located")
        #expect(try db.scalar("SELECT count(*) FROM silver_dns_training_dataset WHERE class = 'ioc'")?.int64Value ?? 0 > 2_000)
        #expect(try db.scalar("SELECT count(*) FROM silver_dns_training_dataset WHERE class = 'legit'")?.int64Value ?? 0 > 90_000)
    }

    /// The metrics the ETL task's tracking run logged, in the latest job run.
    func etlMetrics() throws -> [String: Double] {
        let tracking = try TrackingStore.openReadOnly(at: store)
        let run = try #require(try tracking.jobRuns(limit: 1).first)
        let task = try #require(try tracking.taskRuns(jobRunID: run.runID).last)
        return try tracking.latestMetrics(runID: try #require(task.trackingRunID)).mapValues(\.value)
    }

    @Test func overHTTPThenFromTheCache() throws {
        let server = try LocalServers.staticFileServer(directory: TestPaths.sharedData)
        defer { server.stop() }
        let first = try runETL(data: server.baseURL + "/")
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        try checkTables()
        let metrics = try etlMetrics()
        #expect(metrics["source.dns_logs.from_cache"] == 0)
        #expect(metrics["bronze_dns.rows"] == metrics["bronze_dns.records_read"])
        // A rerun asks again and the server's validators say nothing changed: nothing is downloaded.
        let second = try runETL(data: server.baseURL + "/")
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        let cached = try etlMetrics()
        for role in ["dns_logs", "threat_feed", "legit_domains", "dga_domains", "dnstwist_csv", "geoip_database"] {
            #expect(cached["source.\(role).from_cache"] == 1, "\(role) was downloaded again")
        }
        try checkTables()
    }

    @Test func fromFileURIs() throws {
        let result = try runETL(data: TestPaths.sharedData.absoluteString)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        try checkTables()
    }

    @Test func fromASignatureCheckingS3Server() throws {
        let moto = try LocalServers.motoServer()
        defer { moto.stop() }
        let keys = try LocalServers.runPython(Self.uploadScript, arguments: [moto.baseURL, TestPaths.sharedData.path], timeout: 120)
        let parts = keys.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").map(String.init)
        try #require(parts.count == 2, "moto setup printed \(keys)")
        var environment = ["AWS_ENDPOINT_URL": moto.baseURL, "AWS_REGION": "us-east-1",
                           "AWS_ACCESS_KEY_ID": parts[0], "AWS_SECRET_ACCESS_KEY": parts[1], "HOME": directory.url.path]
        let result = try runETL(data: "s3://dns-data/", environment: environment)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        try checkTables()

        environment["AWS_SECRET_ACCESS_KEY"] = "wrong" + parts[1]
        let refused = try runETL(data: "s3://dns-data/", environment: environment)
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("SignatureDoesNotMatch"), "\(refused.stdout)")
    }

    /// Uploads the sample folder to bucket `dns-data`, then turns moto's signature checks on
    /// with a user allowed everything; prints that user's key id and secret.
    static let uploadScript = #"""
import json, os, sys, urllib.request
import boto3
endpoint, data_dir = sys.argv[1], sys.argv[2]
kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
s3 = boto3.client("s3", **kw)
s3.create_bucket(Bucket="dns-data")
for root, _, files in os.walk(data_dir):
    for name in files:
        path = os.path.join(root, name)
        with open(path, "rb") as f:
            s3.put_object(Bucket="dns-data", Key=os.path.relpath(path, data_dir), Body=f.read())
iam = boto3.client("iam", **kw)
iam.create_user(UserName="etl")
iam.put_user_policy(UserName="etl", PolicyName="s3", PolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="etl")["AccessKey"]
request = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0", headers={"Content-Type": "text/plain"}, method="POST")
urllib.request.urlopen(request, timeout=10).read()
print(key["AccessKeyId"], key["SecretAccessKey"])
"""#
}
