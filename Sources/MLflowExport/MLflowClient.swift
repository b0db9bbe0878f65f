import Fetch
import Foundation

/// MLflow's REST API (`/api/2.0/mlflow/...`) and artifact proxy
/// (`/api/2.0/mlflow-artifacts/artifacts/...`) over libcurl, with `Fetch`'s retries.
///
/// Every call returns the decoded answer or throws `MLflowExportError`; "not found" answers
/// that mean "create it" come back as nil.
public struct MLflowClient: Sendable {
    /// The server and its credentials.
    public let connection: MLflowConnection
    let http: HTTPClient
    private static let api = "/api/2.0/mlflow"
    private static let artifactsAPI = "/api/2.0/mlflow-artifacts/artifacts"

    /// Creates a client; `retryPolicy` is the one `Fetch` uses for downloads by default.
    public init(connection: MLflowConnection, retryPolicy: RetryPolicy = .default,
                timeouts: Timeouts = Timeouts(connect: .seconds(15), total: .seconds(600), stall: .seconds(60))) {
        self.connection = connection
        http = HTTPClient(retryPolicy: retryPolicy, timeouts: timeouts, userAgent: "runme-mlflow-export/1.0")
    }

    // MARK: Experiments

    /// A cheap authenticated call that proves the server is there and answers as MLflow.
    func ping() async throws(MLflowExportError) {
        struct Body: Encodable { var maxResults = 1 }
        struct Answer: Decodable { var experiments: [MLflowExperiment]? }
        let _: Answer = try await post("experiments/search", Body())
    }

    func experiment(named name: String) async throws(MLflowExportError) -> MLflowExperiment? {
        struct Answer: Decodable { var experiment: MLflowExperiment }
        let answer: Answer? = try await getIfExists("experiments/get-by-name", ["experiment_name": name])
        return answer?.experiment
    }

    func createExperiment(name: String, tags: [MLflowKeyValue]) async throws(MLflowExportError) -> String {
        struct Body: Encodable { var name: String; var tags: [MLflowKeyValue] }
        struct Answer: Decodable { var experimentId: String }
        let answer: Answer = try await post("experiments/create", Body(name: name, tags: tags))
        return answer.experimentId
    }

    func setExperimentTag(experimentID: String, key: String, value: String) async throws(MLflowExportError) {
        struct Body: Encodable { var experimentId: String; var key: String; var value: String }
        try await postIgnoringAnswer("experiments/set-experiment-tag", Body(experimentId: experimentID, key: key, value: value))
    }

    // MARK: Runs

    /// Every active run of an experiment, with its data, page by page.
    func runs(experimentID: String) async throws(MLflowExportError) -> [MLflowRun] {
        struct Body: Encodable { var experimentIds: [String]; var maxResults: Int; var pageToken: String?; var runViewType = "ACTIVE_ONLY" }
        struct Answer: Decodable { var runs: [MLflowRun]?; var nextPageToken: String? }
        var all: [MLflowRun] = []
        var token: String?
        repeat {
            let answer: Answer = try await post("runs/search", Body(experimentIds: [experimentID], maxResults: 1000, pageToken: token))
            all += answer.runs ?? []
            token = answer.nextPageToken.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return all
    }

    func createRun(experimentID: String, name: String, startTime: Int64, tags: [MLflowKeyValue]) async throws(MLflowExportError) -> MLflowRun {
        struct Body: Encodable { var experimentId: String; var runName: String; var startTime: Int64; var tags: [MLflowKeyValue] }
        struct Answer: Decodable { var run: MLflowRun }
        let answer: Answer = try await post("runs/create", Body(experimentId: experimentID, runName: name, startTime: startTime, tags: tags))
        return answer.run
    }

    func updateRun(runID: String, name: String, status: String, endTime: Int64?) async throws(MLflowExportError) {
        struct Body: Encodable { var runId: String; var runName: String; var status: String; var endTime: Int64? }
        try await postIgnoringAnswer("runs/update", Body(runId: runID, runName: name, status: status, endTime: endTime))
    }

    /// One `runs/log-batch` request; the caller keeps it within MLflow's limits (`LogBatchPlanner`).
    func logBatch(runID: String, batch: LogBatch) async throws(MLflowExportError) {
        struct Body: Encodable { var runId: String; var metrics: [MLflowMetric]; var params: [MLflowKeyValue]; var tags: [MLflowKeyValue] }
        try await postIgnoringAnswer("runs/log-batch", Body(runId: runID, metrics: batch.metrics, params: batch.params, tags: batch.tags))
    }

    /// A metric's whole history, page by page.
    func metricHistory(runID: String, key: String) async throws(MLflowExportError) -> [MLflowMetric] {
        struct Answer: Decodable { var metrics: [MLflowMetric]?; var nextPageToken: String? }
        var all: [MLflowMetric] = []
        var token: String?
        repeat {
            var query = ["run_id": runID, "metric_key": key, "max_results": "25000"]
            if let token { query["page_token"] = token }
            let answer: Answer = try await get("metrics/get-history", query)
            all += answer.metrics ?? []
            token = answer.nextPageToken.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return all
    }

    // MARK: Artifacts (through the proxy)

    /// The files under `path` (relative to the proxy root), recursively: relative path → size.
    func artifactFiles(under path: String) async throws(MLflowExportError) -> [String: Int64] {
        struct Answer: Decodable { var files: [MLflowFileInfo]? }
        var result: [String: Int64] = [:]
        var pending = [""]
        while let relative = pending.popLast() {
            let full = relative.isEmpty ? path : "\(path)/\(relative)"
            let answer: Answer = try await get(Self.artifactsAPI, ["path": full], absolute: true)
            for file in answer.files ?? [] {
                // The proxy names entries relative to the listed directory.
                let name = file.path.split(separator: "/").last.map(String.init) ?? file.path
                let child = relative.isEmpty ? name : "\(relative)/\(name)"
                if file.isDir == true { pending.append(child) } else { result[child] = file.fileSize ?? -1 }
            }
        }
        return result
    }

    /// Uploads one file to `path` (relative to the proxy root), streaming it from disk.
    func uploadArtifact(file: URL, to path: String) async throws(MLflowExportError) {
        let endpoint = Self.artifactsAPI + "/" + Self.encodePath(path)
        let request = HTTPRequest(method: "PUT", url: connection.baseURL + endpoint,
                                  headers: baseHeaders + ["Content-Type: application/octet-stream"], body: .file(file))
        _ = try await send(request, endpoint: endpoint)
    }

    /// Downloads one artifact through the proxy, to compare its content.
    func downloadArtifact(path: String) async throws(MLflowExportError) -> Data {
        let endpoint = Self.artifactsAPI + "/" + Self.encodePath(path)
        return try await send(HTTPRequest(url: connection.baseURL + endpoint, headers: baseHeaders), endpoint: endpoint).body
    }

    // MARK: Model registry

    func registeredModel(named name: String) async throws(MLflowExportError) -> MLflowRegisteredModel? {
        struct Answer: Decodable { var registeredModel: MLflowRegisteredModel }
        let answer: Answer? = try await getIfExists("registered-models/get", ["name": name])
        return answer?.registeredModel
    }

    func createRegisteredModel(name: String, description: String) async throws(MLflowExportError) {
        struct Body: Encodable { var name: String; var description: String }
        try await postIgnoringAnswer("registered-models/create", Body(name: name, description: description))
    }

    func updateRegisteredModel(name: String, description: String) async throws(MLflowExportError) {
        struct Body: Encodable { var name: String; var description: String }
        try await postIgnoringAnswer("registered-models/update", Body(name: name, description: description), method: "PATCH")
    }

    func modelVersions(name: String) async throws(MLflowExportError) -> [MLflowModelVersion] {
        struct Answer: Decodable { var modelVersions: [MLflowModelVersion]?; var nextPageToken: String? }
        var all: [MLflowModelVersion] = []
        var token: String?
        repeat {
            var query = ["filter": "name='\(name.replacingOccurrences(of: "'", with: "\\'"))'", "max_results": "1000"]
            if let token { query["page_token"] = token }
            let answer: Answer = try await get("model-versions/search", query)
            all += answer.modelVersions ?? []
            token = answer.nextPageToken.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return all
    }

    func createModelVersion(name: String, source: String, runID: String, description: String,
                            tags: [MLflowKeyValue]) async throws(MLflowExportError) -> MLflowModelVersion {
        struct Body: Encodable { var name: String; var source: String; var runId: String; var description: String; var tags: [MLflowKeyValue] }
        struct Answer: Decodable { var modelVersion: MLflowModelVersion }
        let answer: Answer = try await post("model-versions/create", Body(name: name, source: source, runId: runID, description: description, tags: tags))
        return answer.modelVersion
    }

    func updateModelVersion(name: String, version: String, description: String) async throws(MLflowExportError) {
        struct Body: Encodable { var name: String; var version: String; var description: String }
        try await postIgnoringAnswer("model-versions/update", Body(name: name, version: version, description: description), method: "PATCH")
    }

    func setAlias(name: String, alias: String, version: String) async throws(MLflowExportError) {
        struct Body: Encodable { var name: String; var alias: String; var version: String }
        try await postIgnoringAnswer("registered-models/alias", Body(name: name, alias: alias, version: version))
    }

    func deleteAlias(name: String, alias: String) async throws(MLflowExportError) {
        let endpoint = Self.api + "/registered-models/alias"
        let url = connection.baseURL + endpoint + "?" + Self.query(["name": name, "alias": alias])
        _ = try await send(HTTPRequest(method: "DELETE", url: url, headers: baseHeaders), endpoint: endpoint)
    }

    // MARK: Plumbing

    private var baseHeaders: [String] {
        ["Accept: application/json"] + (connection.authorizationHeader.map { [$0] } ?? [])
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // MLflow's protobuf JSON spells non-finite doubles as these strings.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }()

    /// Encodes a request body; exposed to the batch planner, which measures request sizes.
    static func encode(_ value: some Encodable) -> Data {
        // Encoding these plain structs cannot fail: no custom encoders, non-finite doubles mapped.
        (try? encoder.encode(value)) ?? Data("{}".utf8)
    }

    private func post<Answer: Decodable>(_ method: String, _ body: some Encodable) async throws(MLflowExportError) -> Answer {
        let endpoint = Self.api + "/" + method
        let request = HTTPRequest.json(method: "POST", url: connection.baseURL + endpoint, headers: baseHeaders, body: Self.encode(body))
        return try decode(try await send(request, endpoint: endpoint).body, endpoint: endpoint)
    }

    private func postIgnoringAnswer(_ method: String, _ body: some Encodable, method httpMethod: String = "POST") async throws(MLflowExportError) {
        let endpoint = Self.api + "/" + method
        let request = HTTPRequest.json(method: httpMethod, url: connection.baseURL + endpoint, headers: baseHeaders, body: Self.encode(body))
        _ = try await send(request, endpoint: endpoint)
    }

    private func get<Answer: Decodable>(_ method: String, _ query: [String: String], absolute: Bool = false) async throws(MLflowExportError) -> Answer {
        let endpoint = absolute ? method : Self.api + "/" + method
        let url = connection.baseURL + endpoint + "?" + Self.query(query)
        return try decode(try await send(HTTPRequest(url: url, headers: baseHeaders), endpoint: endpoint).body, endpoint: endpoint)
    }

    /// A GET whose `RESOURCE_DOES_NOT_EXIST` answer means "there is none".
    private func getIfExists<Answer: Decodable>(_ method: String, _ query: [String: String]) async throws(MLflowExportError) -> Answer? {
        do {
            let answer: Answer = try await get(method, query)
            return answer
        } catch let error {
            if case let .server(_, _, status, code, _, _, _) = error, status == 404, code == "RESOURCE_DOES_NOT_EXIST" {
                return nil
            }
            throw error
        }
    }

    private func send(_ request: HTTPRequest, endpoint: String) async throws(MLflowExportError) -> HTTPResponse {
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw .transport(error)
        }
        guard response.isSuccess else {
            let parsed = try? Self.decoder.decode(MLflowErrorBody.self, from: response.body)
            let message = parsed?.message ?? String(decoding: response.body.prefix(300), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw .server(method: request.method, endpoint: endpoint, status: response.status, errorCode: parsed?.errorCode,
                          message: message, attempts: response.attempts, authentication: connection.authenticationDescription)
        }
        return response
    }

    private func decode<Answer: Decodable>(_ body: Data, endpoint: String) throws(MLflowExportError) -> Answer {
        do {
            return try Self.decoder.decode(Answer.self, from: body.isEmpty ? Data("{}".utf8) : body)
        } catch {
            throw .invalidResponse(endpoint: endpoint, reason: "\(error)".prefix(300).description)
        }
    }

    /// `application/x-www-form-urlencoded`-safe query: only unreserved characters stay as they are.
    static func query(_ items: [String: String]) -> String {
        items.sorted { $0.key < $1.key }.map { "\(encodeComponent($0.key))=\(encodeComponent($0.value))" }.joined(separator: "&")
    }

    static func encodeComponent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes each segment of a '/'-separated path.
    static func encodePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).map { encodeComponent(String($0)) }.joined(separator: "/")
    }
}
