import Foundation
import Lakehouse
import Pipeline
import TestSupport
import Testing

/// An s3:// prefix as input, from a moto server on 127.0.0.1: listed, downloaded, checkpointed by ETag.
@Suite(.serialized) struct S3InputTests {
    static let upload = #"""
import sys
import boto3
endpoint, data_dir = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
s3.create_bucket(Bucket="logs")
with open(data_dir + "/latest/dns_test_1.json", "rb") as f:
    s3.put_object(Bucket="logs", Key="incoming/latest.json", Body=f.read())
with open(data_dir + "/dns_events.json", "rb") as f:
    s3.put_object(Bucket="logs", Key="elsewhere/events.json", Body=f.read())
print("ok")
"""#

    @Test func anS3PrefixIsReadIncrementally() async throws {
        let server = try LocalServers.motoServer()
        defer { server.stop() }
        _ = try LocalServers.runPython(Self.upload, arguments: [server.baseURL, TestPaths.sharedData.path])
        let directory = try TemporaryDirectory("pipeline-s3")
        let environment = ["AWS_ENDPOINT_URL": server.baseURL, "AWS_REGION": "us-east-1",
                           "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"]
        let (pipeline, db) = try await PipelineFixture.pipeline(input: directory.url, store: directory.file("store"),
                                                                location: "s3://logs/incoming/", environment: environment)
        let plan = try await pipeline.plan()
        #expect(plan.new.map(\.source) == ["s3://logs/incoming/latest.json"])
        let summary = try await pipeline.runUpdate(plan)
        #expect(summary.files.map(\.state) == [.processed])
        #expect(try PipelineFixture.count(db, "SELECT count(*) FROM dns_log_analytics WHERE source = 's3://logs/incoming/latest.json'") == 3)
        let etag = try db.scalar("SELECT etag FROM pipeline_checkpoints")?.stringValue ?? ""
        #expect(!etag.isEmpty)
        let again = try await pipeline.plan()
        #expect(again.new.isEmpty && again.changed.isEmpty && again.unchanged == 1)
    }
}
