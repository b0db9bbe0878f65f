import Foundation

/// Where an MLflow tracking server is and how to authenticate to it.
public struct MLflowConnection: Sendable, Equatable {
    /// How requests authenticate.
    public enum Authentication: Sendable, Equatable {
        case none
        /// `Authorization: Bearer TOKEN` (`MLFLOW_TRACKING_TOKEN`).
        case bearer(token: String)
        /// HTTP Basic (`MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`), as MLflow's
        /// basic-auth app expects.
        case basic(username: String, password: String)
    }

    /// The server's base URL without a trailing slash, e.g. `http://127.0.0.1:5000` or
    /// `https://host/mlflow` (a path prefix is kept).
    public let baseURL: String
    /// How requests authenticate.
    public let authentication: Authentication

    /// Creates a connection to `trackingURI` (http or https).
    ///
    /// - Throws: `MLflowExportError.configuration` for a URI MLflow's REST API cannot be
    ///   reached through (a `file:` store, `databricks`, a missing host).
    public init(trackingURI: String, authentication: Authentication = .none) throws(MLflowExportError) {
        let trimmed = trackingURI.trimmingCharacters(in: .whitespaces)
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            throw .configuration(reason: "the tracking URI '\(trackingURI)' is not an http:// or https:// URL of an MLflow tracking server (for example http://127.0.0.1:5000); pass --tracking-uri or set MLFLOW_TRACKING_URI")
        }
        guard components.query == nil, components.fragment == nil else {
            throw .configuration(reason: "the tracking URI '\(trackingURI)' has a query or fragment; give the server's base URL only")
        }
        var base = trimmed
        while base.hasSuffix("/") { base.removeLast() }
        baseURL = base
        self.authentication = authentication
    }

    /// The connection the environment describes: `MLFLOW_TRACKING_URI` (unless `trackingURI`
    /// is given), then `MLFLOW_TRACKING_TOKEN`, else `MLFLOW_TRACKING_USERNAME` and
    /// `MLFLOW_TRACKING_PASSWORD`.
    public static func from(trackingURI: String?, environment: [String: String]) throws(MLflowExportError) -> MLflowConnection {
        guard let uri = trackingURI ?? environment["MLFLOW_TRACKING_URI"], !uri.isEmpty else {
            throw .configuration(reason: "no tracking server given: pass --tracking-uri URL or set MLFLOW_TRACKING_URI")
        }
        let token = environment["MLFLOW_TRACKING_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let username = environment["MLFLOW_TRACKING_USERNAME"].flatMap { $0.isEmpty ? nil : $0 }
        let password = environment["MLFLOW_TRACKING_PASSWORD"]
        let authentication: Authentication
        if let token {
            authentication = .bearer(token: token)
        } else if let username {
            guard let password else {
                throw .configuration(reason: "MLFLOW_TRACKING_USERNAME is set but MLFLOW_TRACKING_PASSWORD is not; set both for HTTP Basic authentication")
            }
            authentication = .basic(username: username, password: password)
        } else if password != nil && !(password ?? "").isEmpty {
            throw .configuration(reason: "MLFLOW_TRACKING_PASSWORD is set but MLFLOW_TRACKING_USERNAME is not; set both for HTTP Basic authentication")
        } else {
            authentication = .none
        }
        return try MLflowConnection(trackingURI: uri, authentication: authentication)
    }

    /// The `Authorization` header line, if any. Never printed.
    var authorizationHeader: String? {
        switch authentication {
        case .none:
            return nil
        case let .bearer(token):
            return "Authorization: Bearer \(token)"
        case let .basic(username, password):
            return "Authorization: Basic \(Data("\(username):\(password)".utf8).base64EncodedString())"
        }
    }

    /// What the authentication is, for messages (no secrets).
    var authenticationDescription: String {
        switch authentication {
        case .none: return "no credentials"
        case .bearer: return "the token in MLFLOW_TRACKING_TOKEN"
        case let .basic(username, _): return "user '\(username)' (MLFLOW_TRACKING_USERNAME/PASSWORD)"
        }
    }
}
