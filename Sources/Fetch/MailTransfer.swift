import CCurl
import Foundation

/// One e-mail to send over SMTP with libcurl.
public struct MailRequest: Sendable {
    /// How hard to insist on TLS for an `smtp://` URL (`smtps://` is TLS from the start).
    public enum StartTLS: String, Sendable, CaseIterable {
        /// Use STARTTLS when the server offers it, plain text otherwise.
        case opportunistic = "try"
        /// Fail unless the server upgrades the connection with STARTTLS.
        case required
        /// Never upgrade (local relays that offer a broken STARTTLS).
        case off
    }

    /// `smtp://host[:port][/ehlo-name]` or `smtps://…`. libcurl takes the path as the EHLO name.
    public var url: String
    /// The envelope sender (`MAIL FROM`), a bare address.
    public var from: String
    /// The envelope recipients (`RCPT TO`), bare addresses.
    public var recipients: [String]
    /// The whole message, headers and body, with CRLF line ends (see `MailMessage`).
    public var message: Data
    public var username: String?
    public var password: String?
    public var startTLS: StartTLS
    /// A PEM file of the CA certificates to trust instead of the system's (an internal CA).
    public var caFile: String?
    public var connectTimeout: Duration
    public var timeout: Duration

    public init(
        url: String, from: String, recipients: [String], message: Data, username: String? = nil, password: String? = nil,
        startTLS: StartTLS = .opportunistic, caFile: String? = nil, connectTimeout: Duration = .seconds(10),
        timeout: Duration = .seconds(60)
    ) {
        self.url = url
        self.from = from
        self.recipients = recipients
        self.message = message
        self.username = username
        self.password = password
        self.startTLS = startTLS
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }
}

/// What one attempt to send a message or post a body came to.
public struct UploadOutcome: Sendable {
    /// libcurl's result code: 0 for a completed transfer.
    public var curlCode: Int
    /// curl's error text when `curlCode` is not 0.
    public var curlMessage: String
    /// The last SMTP reply code or HTTP status (0 when none arrived).
    public var status: Int
    /// The answer's body (HTTP), capped at 64 KiB.
    public var body: Data
    /// The answer's headers (HTTP), names in lower case.
    public var headers: [String: String]

    /// True when the transfer completed and the server accepted it (SMTP 2xx, HTTP 2xx).
    public var succeeded: Bool { curlCode == 0 && (200...299).contains(status) }
    /// Whether another attempt could end differently (connection errors, timeouts, 408, 429, 5xx, SMTP 4xx).
    public var isRetryable: Bool {
        // SMTP reply codes: 4xx are transient ("try again later"), 5xx permanent (no such mailbox).
        if isSMTP && status >= 400 { return status < 500 }
        if curlCode != 0 && status == 0 { return RetryPolicy.isRetryable(curlCode: curlCode) }
        return RetryPolicy.isRetryable(status: status)
    }
    var isSMTP = false
}

/// Sends mail and posts bodies with libcurl: the two uploads alert notifications need.
public enum Uploads {
    /// Sends one message. Blocks the calling thread for the transfer (at most `timeout`).
    ///
    /// `CURLOPT_UPLOAD` is set: without it libcurl only sends VRFY for each recipient and
    /// reports success without delivering anything.
    public static func sendMail(_ request: MailRequest) -> UploadOutcome {
        var outcome = UploadOutcome(curlCode: 0, curlMessage: "", status: 0, body: Data(), headers: [:])
        outcome.isSMTP = true
        let easy: CurlEasy
        do { easy = try CurlEasy() } catch {
            outcome.curlCode = Int(CURLE_FAILED_INIT.rawValue)
            outcome.curlMessage = error.message
            return outcome
        }
        let source = UploadSource(request.message)
        var recipientList: UnsafeMutablePointer<curl_slist>?
        defer { if let recipientList { curl_slist_free_all(recipientList) } }
        do {
            try easy.set(CURLOPT_URL, request.url)
            try easy.set(CURLOPT_NOSIGNAL, true)
            try easy.set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
            try easy.set(CURLOPT_SSL_VERIFYPEER, 1)
            try easy.set(CURLOPT_SSL_VERIFYHOST, 2)
            let useSSL: curl_usessl = switch request.startTLS {
            case .opportunistic: CURLUSESSL_TRY
            case .required: CURLUSESSL_ALL
            case .off: CURLUSESSL_NONE
            }
            try easy.set(CURLOPT_USE_SSL, Int(useSSL.rawValue))
            if let caFile = request.caFile { try easy.set(CURLOPT_CAINFO, caFile) }
            try easy.set(CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(request.connectTimeout.milliseconds)))
            try easy.set(CURLOPT_TIMEOUT_MS, max(1, Int(request.timeout.milliseconds)))
            try easy.set(CURLOPT_MAIL_FROM, "<\(request.from)>")
            recipientList = try easy.setList(CURLOPT_MAIL_RCPT, request.recipients.map { "<\($0)>" })
            if let username = request.username { try easy.set(CURLOPT_USERNAME, username) }
            if let password = request.password { try easy.set(CURLOPT_PASSWORD, password) }
            try easy.set(CURLOPT_UPLOAD, true)
            try easy.set(CURLOPT_INFILESIZE_LARGE, request.message.count)
            try easy.setReadFunction(uploadReadCallback, userData: Unmanaged.passUnretained(source).toOpaque())
        } catch {
            outcome.curlCode = Int(CURLE_FAILED_INIT.rawValue)
            outcome.curlMessage = error.message
            return outcome
        }
        let code = withExtendedLifetime(source) { easy.perform() }
        outcome.curlCode = Int(code.rawValue)
        outcome.status = easy.longInfo(CURLINFO_RESPONSE_CODE) ?? 0
        if code != CURLE_OK {
            outcome.curlMessage = easy.errorText(for: code)
        } else if outcome.status == 0 {
            // A completed SMTP transfer ends with the server's 250 for the message.
            outcome.status = 250
        }
        return outcome
    }

    /// POSTs a body over HTTP(S) (webhooks). Redirects are not followed: a webhook that
    /// redirects is misconfigured, and following would resend the body elsewhere.
    public static func post(
        url: String, body: Data, headers: [String], connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(30),
        userAgent: String = "runme/0.1"
    ) -> UploadOutcome {
        var outcome = UploadOutcome(curlCode: 0, curlMessage: "", status: 0, body: Data(), headers: [:])
        let easy: CurlEasy
        do { easy = try CurlEasy() } catch {
            outcome.curlCode = Int(CURLE_FAILED_INIT.rawValue)
            outcome.curlMessage = error.message
            return outcome
        }
        let source = UploadSource(body)
        let sink = ResponseSink()
        do {
            try easy.set(CURLOPT_URL, url)
            try easy.set(CURLOPT_NOSIGNAL, true)
            try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
            try easy.set(CURLOPT_SSL_VERIFYPEER, 1)
            try easy.set(CURLOPT_SSL_VERIFYHOST, 2)
            try easy.set(CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(connectTimeout.milliseconds)))
            try easy.set(CURLOPT_TIMEOUT_MS, max(1, Int(timeout.milliseconds)))
            try easy.set(CURLOPT_USERAGENT, userAgent)
            try easy.set(CURLOPT_POST, true)
            try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, body.count)
            try easy.setReadFunction(uploadReadCallback, userData: Unmanaged.passUnretained(source).toOpaque())
            // No "Expect: 100-continue" round trip for small bodies.
            try easy.setHeaders(headers + ["Expect:"])
            let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
            try easy.setWriteFunction({ data, size, count, userData in
                guard let data, let userData else { return 0 }
                let sink = Unmanaged<ResponseSink>.fromOpaque(userData).takeUnretainedValue()
                let length = size * count
                if sink.body.count < 65_536 {
                    sink.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: min(length, 65_536 - sink.body.count))
                }
                return length
            }, userData: sinkPointer)
            try easy.setHeaderFunction({ data, size, count, userData in
                guard let data, let userData else { return 0 }
                let sink = Unmanaged<ResponseSink>.fromOpaque(userData).takeUnretainedValue()
                let length = size * count
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                if line.hasPrefix("HTTP/") { sink.headers.removeAll() }
                if let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                    sink.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                }
                return length
            }, userData: sinkPointer)
        } catch {
            outcome.curlCode = Int(CURLE_FAILED_INIT.rawValue)
            outcome.curlMessage = error.message
            return outcome
        }
        let code = withExtendedLifetime((source, sink)) { easy.perform() }
        outcome.curlCode = Int(code.rawValue)
        outcome.status = easy.longInfo(CURLINFO_RESPONSE_CODE) ?? 0
        outcome.body = sink.body
        outcome.headers = sink.headers
        if code != CURLE_OK { outcome.curlMessage = easy.errorText(for: code) }
        return outcome
    }
}

/// The bytes libcurl reads for an upload, with how far it has read.
private final class UploadSource {
    let data: Data
    var offset = 0
    init(_ data: Data) { self.data = data }
}

private final class ResponseSink {
    var body = Data()
    var headers: [String: String] = [:]
}

private let uploadReadCallback: runme_curl_data_callback = { buffer, size, count, userData in
    guard let buffer, let userData else { return 0 }
    let source = Unmanaged<UploadSource>.fromOpaque(userData).takeUnretainedValue()
    let length = min(size * count, source.data.count - source.offset)
    guard length > 0 else { return 0 }
    source.data.withUnsafeBytes { bytes in
        guard let base = bytes.baseAddress else { return }
        UnsafeMutableRawPointer(buffer).copyMemory(from: base + source.offset, byteCount: length)
    }
    source.offset += length
    return length
}
