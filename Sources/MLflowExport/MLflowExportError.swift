import Fetch
import Foundation

/// What went wrong while talking to an MLflow server or reading the local store.
///
/// Each case says which request or object failed, what the server (or curl) said, and what to
/// check; `isTransient` tells whether running the export again may succeed by itself.
public enum MLflowExportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The command line or environment cannot describe a usable server.
    case configuration(reason: String)
    /// The server answered a request with an error status (after retrying 5xx and 429).
    /// `errorCode` and `message` come from MLflow's JSON error body when there is one.
    case server(method: String, endpoint: String, status: Int, errorCode: String?, message: String, attempts: Int, authentication: String)
    /// No answer came: connection refused, DNS, TLS, timeouts (after retrying).
    case transport(HTTPClientError)
    /// The server answered 2xx with a body the export cannot use.
    case invalidResponse(endpoint: String, reason: String)
    /// The server keeps this run's artifacts where the artifact proxy cannot reach them.
    case artifactsNotProxied(artifactURI: String)
    /// A parameter already on the server differs from runme's; MLflow params are immutable.
    case paramConflict(key: String, server: String, local: String)
    /// The experiment exists on the server but is deleted (in its trash).
    case experimentDeleted(name: String, id: String)
    /// Reading runme's store failed.
    case store(reason: String)

    /// Whether the failure may go away by itself (network, 5xx, 429), so that running the
    /// export again is the fix.
    public var isTransient: Bool {
        switch self {
        case let .server(_, _, status, _, _, _, _): return RetryPolicy.isRetryable(status: status)
        case let .transport(error): return error.curlCode.map(RetryPolicy.isRetryable(curlCode:)) ?? true
        default: return false
        }
    }

    /// One paragraph: what failed, what the server said, what to do.
    public var description: String {
        switch self {
        case let .configuration(reason):
            return reason
        case let .server(method, endpoint, status, errorCode, message, attempts, authentication):
            var text = "\(method) \(endpoint) answered HTTP \(status)"
            if let errorCode { text += " \(errorCode)" }
            // Servers end their messages with a period or not; the hint follows after one.
            var trimmed = Substring(message)
            while trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
            if !trimmed.isEmpty { text += ": \(trimmed)" }
            if attempts > 1 { text += " (after \(attempts) attempts)" }
            return text + ". " + Self.hint(status: status, errorCode: errorCode, authentication: authentication)
        case let .transport(error):
            return error.description + " Is the MLflow server running at the tracking URI?"
        case let .invalidResponse(endpoint, reason):
            return "\(endpoint) sent an answer the export cannot use: \(reason). Check that the tracking URI points at an MLflow tracking server (2.x or 3.x)."
        case let .artifactsNotProxied(artifactURI):
            return "the server keeps this run's artifacts at '\(artifactURI)', which its artifact proxy does not serve; start the server with artifact serving (`mlflow server --serve-artifacts`, the default, with --artifacts-destination or --default-artifact-root mlflow-artifacts:/) and export into an experiment created after that"
        case let .paramConflict(key, server, local):
            return "param '\(key)' is '\(server)' on the server but '\(local)' in runme; MLflow params cannot change: delete the run on the server (or its runme.run_id tag) and export again"
        case let .experimentDeleted(name, id):
            return "experiment '\(name)' (id \(id)) is deleted on the server; restore it (`mlflow experiments restore --experiment-id \(id)`) or delete it for good (`mlflow gc`), then export again"
        case let .store(reason):
            return "reading the runme store failed: \(reason)"
        }
    }

    static func hint(status: Int, errorCode: String?, authentication: String) -> String {
        switch status {
        case 401:
            return "The server wants credentials (sent: \(authentication)); set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD."
        case 403:
            return "The credentials (\(authentication)) may not do this; ask the server's admin for write permission on the experiment or model."
        case 404 where errorCode == nil || errorCode == "ENDPOINT_NOT_FOUND":
            return "The endpoint does not exist: check that the tracking URI is the MLflow server's base URL, and for artifacts that the server serves them (--serve-artifacts)."
        case 429:
            return "The server is rate limiting; run the export again later."
        case 500...599:
            return "The server is failing; run the export again later (it resumes where it stopped) and check the server's log."
        default:
            return "Check the value in the message against MLflow's limits; running the export again retries this object."
        }
    }
}
