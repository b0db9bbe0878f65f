import Fetch
import Foundation
@testable import MLflowExport
import TestSupport
import Testing
import Tracking

/// Batching, configuration, authentication, retries and unreachable servers, against stubs on
/// 127.0.0.1 (no MLflow needed).
@Suite struct MLflowClientTests {
    @Test func batchesStayWithinMLflowsLimitsAndKeepEveryEntityInOrder() throws {
        let params = (0..<250).map { MLflowKeyValue(key: "p\($0)", value: String(repeating: "v", count: $0)) }
        let tags = (0..<150).map { MLflowKeyValue(key: "t\($0)", value: "tag \($0)") }
        let metrics = (0..<2600).map { MLflowMetric(key: $0 < 1300 ? "a" : "b", value: Double($0) / 7, timestamp: 1_700_000_000_000 + Int64($0), step: Int64($0)) }
        let batches = LogBatchPlanner().plan(params: params, tags: tags, metrics: metrics)
        for batch in batches {
            #expect(batch.metrics.count <= 1000 && batch.params.count <= 100 && batch.tags.count <= 100 && batch.entityCount <= 1000)
        }
        #expect(batches.flatMap(\.params) == params)
        #expect(batches.flatMap(\.tags) == tags)
        #expect(batches.flatMap(\.metrics) == metrics)
        // 250 params need 3 requests, 150 tags 2, 2,600 points 3; params and tags share requests.
        #expect(batches.count == 6)
    }

    @Test func aBatchNeverExceedsTheByteLimit() throws {
        let limit = 20_000
        let tags = (0..<60).map { MLflowKeyValue(key: "t\($0)", value: String(repeating: "é", count: 1500)) }
        let metrics = (0..<500).map { MLflowMetric(key: "m", value: .nan, timestamp: Int64($0), step: Int64($0)) }
        let batches = LogBatchPlanner(limits: .init(bytes: limit)).plan(params: [], tags: tags, metrics: metrics)
        for batch in batches {
            struct Body: Encodable { var runId: String; var metrics: [MLflowMetric]; var params: [MLflowKeyValue]; var tags: [MLflowKeyValue] }
            let size = MLflowClient.encode(Body(runId: String(repeating: "f", count: 32), metrics: batch.metrics, params: batch.params, tags: batch.tags)).count
            #expect(size <= limit, "a request of \(size) bytes")
        }
        #expect(batches.flatMap(\.tags) == tags)
        #expect(batches.flatMap(\.metrics).count == 500)
        #expect(batches.count > 6)
    }

    @Test func nonFiniteValuesAreSentAsMLflowSpellsThem() throws {
        let json = String(decoding: MLflowClient.encode([
            MLflowMetric(key: "x", value: .nan, timestamp: 1, step: 0),
            MLflowMetric(key: "x", value: -.infinity, timestamp: 1, step: 1),
        ]), as: UTF8.self)
        #expect(json.contains("\"NaN\"") && json.contains("\"-Infinity\""))
    }

    @Test func theConnectionComesFromTheEnvironment() throws {
        let bearer = try MLflowConnection.from(trackingURI: nil, environment: ["MLFLOW_TRACKING_URI": "http://127.0.0.1:5000/", "MLFLOW_TRACKING_TOKEN": "t0k"])
        #expect(bearer.baseURL == "http://127.0.0.1:5000")
        #expect(bearer.authorizationHeader == "Authorization: Bearer t0k")
        let basic = try MLflowConnection.from(trackingURI: "https://mlflow.example/prefix",
                                              environment: ["MLFLOW_TRACKING_USERNAME": "ann", "MLFLOW_TRACKING_PASSWORD": "p:w"])
        #expect(basic.baseURL == "https://mlflow.example/prefix")
        #expect(basic.authorizationHeader == "Authorization: Basic \(Data("ann:p:w".utf8).base64EncodedString())")
        #expect(!basic.authenticationDescription.contains("p:w"))

        #expect(throws: MLflowExportError.self) { try MLflowConnection.from(trackingURI: nil, environment: [:]) }
        #expect(throws: MLflowExportError.self) { try MLflowConnection.from(trackingURI: "file:///tmp/mlruns", environment: [:]) }
        #expect(throws: MLflowExportError.self) { try MLflowConnection.from(trackingURI: "databricks", environment: [:]) }
        #expect(throws: MLflowExportError.self) {
            try MLflowConnection.from(trackingURI: "http://127.0.0.1:1", environment: ["MLFLOW_TRACKING_USERNAME": "ann"])
        }
    }

    @Test func artifactURIsMapToProxyPaths() {
        #expect(RunExport.proxyPath(artifactURI: "mlflow-artifacts:/3/abc/artifacts") == "3/abc/artifacts")
        #expect(RunExport.proxyPath(artifactURI: "mlflow-artifacts://host:5000/3/abc/artifacts") == "3/abc/artifacts")
        #expect(RunExport.proxyPath(artifactURI: "s3://bucket/3/abc/artifacts") == nil)
        #expect(RunExport.proxyPath(artifactURI: "/var/mlruns/3/abc/artifacts") == nil)
    }

    @Test func bearerTokenIsSentAndAWrongOneIsAnActionable401() async throws {
        let stub = try MLflowServers.authStub(expectedAuthorization: "Bearer right-token")
        let good = MLflowClient(connection: try MLflowConnection.from(trackingURI: stub.baseURL, environment: ["MLFLOW_TRACKING_TOKEN": "right-token"]))
        try await good.ping()

        let bad = MLflowClient(connection: try MLflowConnection.from(trackingURI: stub.baseURL, environment: ["MLFLOW_TRACKING_TOKEN": "wrong"]))
        do throws(MLflowExportError) {
            try await bad.ping()
            Issue.record("a wrong token was accepted")
        } catch {
            guard case let .server(_, endpoint, status, code, _, attempts, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(status == 401 && code == "UNAUTHENTICATED" && attempts == 1, "401 is not retried")
            #expect(endpoint == "/api/2.0/mlflow/experiments/search")
            #expect(error.description.contains("MLFLOW_TRACKING_TOKEN"))
            #expect(!error.description.contains("wrong"), "the token is never printed")
            #expect(!error.isTransient)
        }
    }

    @Test func basicCredentialsAreSentAndTransientFailuresAreRetried() async throws {
        let expected = "Basic " + Data("ann:s3cret".utf8).base64EncodedString()
        let stub = try MLflowServers.authStub(expectedAuthorization: expected, failFirst: 2)
        let connection = try MLflowConnection.from(trackingURI: stub.baseURL,
                                                   environment: ["MLFLOW_TRACKING_USERNAME": "ann", "MLFLOW_TRACKING_PASSWORD": "s3cret"])
        let client = MLflowClient(connection: connection, retryPolicy: RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(20)))
        try await client.ping()
        let answer = try await HTTPClient().send(HTTPRequest(url: stub.baseURL + "/stats"))
        let stats = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any]
        #expect(stats?["count"] as? Int == 3, "two 503 answers, then success")
        #expect((stats?["auth"] as? [String])?.allSatisfy { $0 == expected } == true)

        // With fewer attempts than failures the 503 is the answer, reported as transient.
        let stub2 = try MLflowServers.authStub(expectedAuthorization: expected, failFirst: 5)
        let impatient = MLflowClient(connection: try MLflowConnection(trackingURI: stub2.baseURL, authentication: connection.authentication),
                                     retryPolicy: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(10)))
        do throws(MLflowExportError) {
            try await impatient.ping()
            Issue.record("a 503 was taken for success")
        } catch {
            #expect(error.isTransient)
            #expect(error.description.contains("HTTP 503") && error.description.contains("after 2 attempts"))
        }
    }

    @Test func anUnreachableServerFailsTheWholeExportWithOneClearError() async throws {
        let directory = try TemporaryDirectory("mlflow-unreachable")
        let store = try TrackingStore.open(at: directory.url)
        let experiment = try store.createExperiment(name: "nowhere")
        _ = try store.createRun(experimentID: experiment.id, name: "r")
        let port = try LocalServers.freePort()
        let client = MLflowClient(connection: try MLflowConnection(trackingURI: "http://127.0.0.1:\(port)"),
                                  retryPolicy: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(10)))
        do throws(MLflowExportError) {
            _ = try await MLflowExporter(store: store, client: client).export()
            Issue.record("export to a closed port succeeded")
        } catch {
            guard case let .transport(inner) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(inner.curlCode == 7)
            #expect(error.isTransient)
            #expect(error.description.contains("127.0.0.1:\(port)") && error.description.contains("after 2 attempts"))
        }
    }

    @Test func aMissingExperimentOrRunIsAConfigurationError() async throws {
        let directory = try TemporaryDirectory("mlflow-selection")
        let store = try TrackingStore.open(at: directory.url)
        _ = try store.createExperiment(name: "present")
        let client = MLflowClient(connection: try MLflowConnection(trackingURI: "http://127.0.0.1:9"))
        await #expect(throws: MLflowExportError.configuration(reason: "the store has no experiment named 'absent' (it has 'present'); `runme experiments` lists them")) {
            _ = try await MLflowExporter(store: store, client: client).export(MLflowExporter.Options(experimentNames: ["absent"]))
        }
        await #expect(throws: MLflowExportError.self) {
            _ = try await MLflowExporter(store: store, client: client).export(MLflowExporter.Options(runIDs: [String(repeating: "a", count: 32)]))
        }
    }
}
