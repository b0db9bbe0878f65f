import Foundation

/// Where and how to reach S3 or an S3-compatible store.
public struct S3Configuration: Sendable, Equatable {
    /// The key to sign with; nil sends unsigned (anonymous) requests.
    public var credentials: S3Credentials?
    /// The region used in the signature and, for AWS, in the host name.
    public var region: String
    /// A custom endpoint (MinIO, moto, Ceph, ...); nil means AWS. Custom endpoints are addressed
    /// path-style (`endpoint/bucket/key`) because most of them do not route bucket subdomains.
    public var endpoint: URL?

    /// Creates a configuration.
    public init(credentials: S3Credentials?, region: String = "us-east-1", endpoint: URL? = nil) {
        self.credentials = credentials
        self.region = region
        self.endpoint = endpoint
    }

    /// Reads the configuration from environment variables and the AWS shared files.
    ///
    /// Credentials as in `S3Credentials.resolve(environment:)`. Region: `AWS_REGION`, then
    /// `AWS_DEFAULT_REGION`, then `region` of the profile in `AWS_CONFIG_FILE` or
    /// `$HOME/.aws/config`, then `us-east-1`. Endpoint: `AWS_ENDPOINT_URL_S3`, then
    /// `AWS_ENDPOINT_URL` (the service-specific variable wins, as in the AWS SDKs).
    public static func fromEnvironment(_ environment: [String: String]) throws(FetchError) -> S3Configuration {
        let env = environment.filter { !$0.value.isEmpty }
        let credentials = try S3Credentials.resolve(environment: env)
        var region = env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"]
        if region == nil, let path = env["AWS_CONFIG_FILE"] ?? env["HOME"].map({ $0 + "/.aws/config" }),
           let text = try? String(contentsOfFile: path, encoding: .utf8) {
            let profile = env["AWS_PROFILE"] ?? "default"
            let sections = INIFile.parse(text)
            region = (sections["profile " + profile] ?? sections[profile])?["region"]
        }
        var endpoint: URL?
        if let text = env["AWS_ENDPOINT_URL_S3"] ?? env["AWS_ENDPOINT_URL"] {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty else {
                throw .configuration(source: "AWS_ENDPOINT_URL", reason: "'\(text)' is not an http(s) URL")
            }
            endpoint = url
        }
        return S3Configuration(credentials: credentials, region: region ?? "us-east-1", endpoint: endpoint)
    }

    /// The URL of one object.
    func objectURL(bucket: String, key: String) -> String {
        let path = S3Encoding.encodePath(key)
        if let base = customBase {
            return "\(base)/\(bucket)/\(path)"
        }
        if Self.isVirtualHostable(bucket) {
            return "https://\(bucket).\(awsHost)/\(path)"
        }
        return "https://\(awsHost)/\(bucket)/\(path)"
    }

    /// The URL of one ListObjectsV2 page. The query is built in canonical order and encoding
    /// because libcurl 7.88 signs the query string as it is, without sorting or re-encoding.
    func listURL(bucket: String, prefix: String, continuationToken: String?, maxKeys: Int) -> String {
        var parameters: [(String, String)] = [("list-type", "2"), ("max-keys", String(maxKeys)), ("prefix", prefix)]
        if let continuationToken { parameters.append(("continuation-token", continuationToken)) }
        let query = parameters
            .map { (S3Encoding.encodeQueryComponent($0.0), S3Encoding.encodeQueryComponent($0.1)) }
            .sorted { $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
        if let base = customBase {
            return "\(base)/\(bucket)?\(query)"
        }
        if Self.isVirtualHostable(bucket) {
            return "https://\(bucket).\(awsHost)/?\(query)"
        }
        return "https://\(awsHost)/\(bucket)?\(query)"
    }

    /// Headers every S3 request carries: the payload hash libcurl 7.88 does not add by itself
    /// (without it servers answer SignatureDoesNotMatch) and the session token. Both are
    /// signed because libcurl signs the custom headers it is given.
    var signedHeaders: [String] {
        guard let credentials else { return [] }
        var headers = ["x-amz-content-sha256: \(S3Encoding.emptyPayloadSHA256)"]
        if let token = credentials.sessionToken {
            headers.append("x-amz-security-token: \(token)")
        }
        return headers
    }

    private var customBase: String? {
        guard let endpoint else { return nil }
        var text = endpoint.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    private var awsHost: String {
        region.hasPrefix("cn-") ? "s3.\(region).amazonaws.com.cn" : "s3.\(region).amazonaws.com"
    }

    /// Buckets with dots break TLS on `*.s3.amazonaws.com` wildcard certificates, and upper case
    /// or underscores are not valid host names: those go path-style.
    private static func isVirtualHostable(_ bucket: String) -> Bool {
        bucket.count >= 3 && bucket.count <= 63
            && bucket.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            && !bucket.hasPrefix("-") && !bucket.hasSuffix("-")
    }
}

/// SigV4 URI encoding: everything but `A-Za-z0-9-._~` is percent-encoded with upper-case hex.
enum S3Encoding {
    static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    static func encodePath(_ key: String) -> String {
        encode(key, keepingSlash: true)
    }

    static func encodeQueryComponent(_ text: String) -> String {
        encode(text, keepingSlash: false)
    }

    private static func encode(_ text: String, keepingSlash: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepingSlash:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
