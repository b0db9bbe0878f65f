import Foundation

/// An AWS access key, with a session token for temporary credentials.
public struct S3Credentials: Sendable, Equatable, CustomStringConvertible {
    /// The access key id (`AKIA...` or `ASIA...`).
    public var accessKeyID: String
    /// The secret access key.
    public var secretAccessKey: String
    /// The session token of temporary credentials, sent as `x-amz-security-token`.
    public var sessionToken: String?

    /// Creates credentials.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The key id only: the secret never reaches logs or error messages.
    public var description: String {
        "S3Credentials(\(accessKeyID), secret: <redacted>\(sessionToken == nil ? "" : ", session token: <redacted>"))"
    }

    /// Finds credentials the way the AWS CLI does, in a subset that covers static keys.
    ///
    /// 1. `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (with `AWS_SESSION_TOKEN`).
    /// 2. The profile `AWS_PROFILE` (default `default`) in the shared credentials file,
    ///    `AWS_SHARED_CREDENTIALS_FILE` or `$HOME/.aws/credentials`.
    ///
    /// Returns nil when there are none, which means anonymous access. A profile that was asked
    /// for by name but does not exist, or half a key pair, is an error rather than a silent
    /// fall back to anonymous access.
    ///
    /// - Parameter environment: the variables to read; `HOME` is taken from here too.
    public static func resolve(environment: [String: String]) throws(FetchError) -> S3Credentials? {
        let env = environment.filter { !$0.value.isEmpty }
        let keyID = env["AWS_ACCESS_KEY_ID"]
        let secret = env["AWS_SECRET_ACCESS_KEY"]
        if keyID != nil || secret != nil {
            guard let keyID, let secret else {
                throw .configuration(
                    source: "AWS environment",
                    reason: "only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set; set both, or neither for anonymous access")
            }
            return S3Credentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: env["AWS_SESSION_TOKEN"])
        }

        let explicitProfile = env["AWS_PROFILE"]
        let profile = explicitProfile ?? "default"
        guard let path = env["AWS_SHARED_CREDENTIALS_FILE"] ?? env["HOME"].map({ $0 + "/.aws/credentials" }) else {
            if let explicitProfile {
                throw .configuration(source: "AWS profile '\(explicitProfile)'", reason: "AWS_PROFILE is set but there is no HOME or AWS_SHARED_CREDENTIALS_FILE to find it in")
            }
            return nil
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            if FileManager.default.fileExists(atPath: path) {
                throw .configuration(source: "AWS profile '\(profile)'", reason: "the shared credentials file \(path) exists but cannot be read")
            }
            if let explicitProfile {
                throw .configuration(source: "AWS profile '\(explicitProfile)'", reason: "AWS_PROFILE is set but the shared credentials file \(path) does not exist")
            }
            return nil
        }
        let sections = INIFile.parse(text)
        guard let values = sections[profile] ?? sections["profile " + profile] else {
            if let explicitProfile {
                throw .configuration(source: "AWS profile '\(explicitProfile)'", reason: "there is no [\(explicitProfile)] section in \(path)")
            }
            return nil
        }
        guard let fileKeyID = values["aws_access_key_id"], let fileSecret = values["aws_secret_access_key"],
              !fileKeyID.isEmpty, !fileSecret.isEmpty else {
            throw .configuration(source: "AWS profile '\(profile)'", reason: "the [\(profile)] section in \(path) needs both aws_access_key_id and aws_secret_access_key")
        }
        let token = values["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
        return S3Credentials(accessKeyID: fileKeyID, secretAccessKey: fileSecret, sessionToken: token)
    }
}

/// The INI dialect of the AWS shared files: `[section]`, `key = value`, `#` and `;` comments.
enum INIFile {
    static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                // The config file writes [profile name]; normalise inner runs of spaces.
                let normalised = name.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                current = normalised
                if sections[normalised] == nil { sections[normalised] = [:] }
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key] = value
        }
        return sections
    }
}
