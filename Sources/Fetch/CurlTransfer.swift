import CCurl
import Foundation

/// A request body: bytes in memory, or a file streamed from disk.
enum TransferUpload: Sendable {
    case data(Data)
    case file(path: String, size: Int64)
}

/// One HTTP request as libcurl should perform it (a GET unless `method` says otherwise).
struct TransferRequest: Sendable {
    /// SigV4 signing by libcurl (`CURLOPT_AWS_SIGV4`).
    struct Signing: Sendable {
        var region: String
        var accessKeyID: String
        var secretAccessKey: String
    }

    var url: String
    var headers: [String] = []
    var signing: Signing?
    var followRedirects = true
    /// S3 keys may contain `..` segments, which libcurl would otherwise normalise away.
    var pathAsIs = false
    /// Asks for any encoding libcurl can decode (gzip, deflate, ...), so bodies arrive decoded.
    var acceptEncoding = true
    var connectTimeout: Duration
    var timeout: Duration
    var stallTimeout: Duration
    var userAgent: String
    /// The HTTP method.
    var method = "GET"
    /// The body to send, if any.
    var upload: TransferUpload?
}

/// Where the body of a successful answer goes. Error bodies always go to memory (capped), so
/// that an S3 error document never lands in the download.
enum TransferSink: Sendable {
    case memory(limit: Int)
    /// Appends to the file after its first `resumeOffset` bytes (anything beyond is dropped).
    case file(path: String, resumeOffset: Int64)
}

/// What happened during one attempt.
struct TransferOutcome: Sendable {
    var curlCode = 0
    var curlMessage = ""
    var status = 0
    /// The final answer's headers, names in lower case.
    var headers: [String: String] = [:]
    /// The body of a memory sink, or the (capped) body of an answer that was not a success.
    var body = Data()
    /// The size of the file sink after the attempt.
    var fileSize: Int64 = 0
    /// Body bytes received in this attempt, after decoding.
    var bytesReceived: Int64 = 0
    /// The server ignored the Range request and sent the whole body, so the file restarted.
    var restartedFromZero = false
    /// A 206 answer that did not start where the partial file ends.
    var rangeMismatch: String?
    /// Writing the body locally failed (disk full, memory limit).
    var localWriteError: String?
    var cancelled = false
    var setupError: String?

    var succeeded: Bool { curlCode == 0 }

    /// Whether the body was sent with a content encoding that libcurl decoded; such a body
    /// cannot be resumed with Range, which counts bytes of the encoded form.
    var contentEncoded: Bool {
        guard let encoding = headers["content-encoding"]?.lowercased() else { return false }
        return !encoding.isEmpty && encoding != "identity"
    }
}

/// Set from a task's cancellation handler, read by libcurl's progress callback on the
/// transfer thread.
final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}

enum CurlTransfer {
    /// Runs one attempt on a thread of its own, so that a long blocking `curl_easy_perform`
    /// never holds one of the few threads of Swift's cooperative pool. Task cancellation is
    /// forwarded to the progress callback through a flag, which aborts the transfer.
    static func run(
        _ request: TransferRequest, sink: TransferSink, source: String,
        progress: (any ProgressReporter)?, fetchStart: ContinuousClock.Instant
    ) async -> TransferOutcome {
        let flag = CancelFlag()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<TransferOutcome, Never>) in
                let thread = Thread {
                    let outcome = perform(request, sink: sink, source: source, progress: progress,
                                          fetchStart: fetchStart, cancel: flag)
                    continuation.resume(returning: outcome)
                }
                thread.name = "runme.fetch"
                thread.start()
            }
        } onCancel: {
            flag.set()
        }
    }

    /// Runs one attempt on the calling thread.
    static func perform(
        _ request: TransferRequest, sink: TransferSink, source: String,
        progress: (any ProgressReporter)?, fetchStart: ContinuousClock.Instant, cancel: CancelFlag
    ) -> TransferOutcome {
        let state = TransferState(sink: sink, source: source, progress: progress, fetchStart: fetchStart, cancel: cancel)
        defer { state.closeFile() }
        if case let .file(path, _) = request.upload {
            if let problem = state.openUpload(path: path) {
                state.outcome.localWriteError = problem
                return state.outcome
            }
        }
        if case let .file(path, offset) = sink {
            if let problem = state.openFile(path: path, keeping: offset) {
                state.outcome.localWriteError = problem
                return state.outcome
            }
        }

        let easy: CurlEasy
        do {
            easy = try CurlEasy()
            try configure(easy, request: request, state: state)
        } catch {
            state.outcome.setupError = error.message
            return state.outcome
        }
        let code = withExtendedLifetime(state) { easy.perform() }
        state.outcome.curlCode = Int(code.rawValue)
        if code != CURLE_OK {
            state.outcome.curlMessage = easy.errorText(for: code)
        }
        if state.outcome.status == 0 {
            state.outcome.status = easy.longInfo(CURLINFO_RESPONSE_CODE) ?? 0
        }
        state.outcome.fileSize = state.fileSize
        return state.outcome
    }

    private static func configure(_ easy: CurlEasy, request: TransferRequest, state: TransferState) throws(CurlEasy.SetupError) {
        try easy.set(CURLOPT_URL, request.url)
        // Signals and threads do not mix; libcurl's threaded resolver keeps DNS timeouts working.
        try easy.set(CURLOPT_NOSIGNAL, true)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_FOLLOWLOCATION, request.followRedirects)
        try easy.set(CURLOPT_MAXREDIRS, 10)
        // These are libcurl's defaults; setting them states that verification is never off.
        try easy.set(CURLOPT_SSL_VERIFYPEER, 1)
        try easy.set(CURLOPT_SSL_VERIFYHOST, 2)
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(request.connectTimeout.milliseconds)))
        try easy.set(CURLOPT_TIMEOUT_MS, max(1, Int(request.timeout.milliseconds)))
        try easy.set(CURLOPT_LOW_SPEED_LIMIT, 1)
        try easy.set(CURLOPT_LOW_SPEED_TIME, max(1, Int(request.stallTimeout.seconds.rounded(.up))))
        try easy.set(CURLOPT_TCP_KEEPALIVE, true)
        try easy.set(CURLOPT_USERAGENT, request.userAgent)
        if request.acceptEncoding {
            try easy.set(CURLOPT_ACCEPT_ENCODING, "")
        }
        if request.pathAsIs {
            try easy.set(CURLOPT_PATH_AS_IS, true)
        }
        if let signing = request.signing {
            try easy.set(CURLOPT_AWS_SIGV4, "aws:amz:\(signing.region):s3")
            // Separate options rather than USERPWD, so a ':' in a key cannot split it wrongly.
            try easy.set(CURLOPT_USERNAME, signing.accessKeyID)
            try easy.set(CURLOPT_PASSWORD, signing.secretAccessKey)
        }
        try configureMethod(easy, request: request, state: state)
        try easy.setHeaders(request.headers)

        let userData = Unmanaged.passUnretained(state).toOpaque()
        try easy.setWriteFunction({ data, size, count, userData in
            let length = size * count
            guard let userData, let data else { return 0 }
            let state = Unmanaged<TransferState>.fromOpaque(userData).takeUnretainedValue()
            return state.receiveBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
        }, userData: userData)
        try easy.setHeaderFunction({ data, size, count, userData in
            let length = size * count
            guard let userData, let data else { return 0 }
            let state = Unmanaged<TransferState>.fromOpaque(userData).takeUnretainedValue()
            state.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
            return length
        }, userData: userData)
        try easy.setProgressFunction({ userData, downloadTotal, _, _, _ in
            guard let userData else { return 0 }
            let state = Unmanaged<TransferState>.fromOpaque(userData).takeUnretainedValue()
            return state.tick(downloadTotal: Int64(downloadTotal)) ? 0 : 1
        }, userData: userData)
    }
}

extension CurlTransfer {
    /// Sets the method and the body. A file body is streamed through the read callback so that
    /// large artifacts never sit in memory; a memory body is copied by libcurl.
    fileprivate static func configureMethod(_ easy: CurlEasy, request: TransferRequest, state: TransferState) throws(CurlEasy.SetupError) {
        switch request.upload {
        case nil:
            if request.method == "HEAD" {
                try easy.set(CURLOPT_NOBODY, true)
            } else if request.method != "GET" {
                try easy.set(CURLOPT_CUSTOMREQUEST, request.method)
            }
        case let .data(body):
            try easy.setCopiedBody(body)
            if request.method != "POST" { try easy.set(CURLOPT_CUSTOMREQUEST, request.method) }
        case let .file(_, size):
            try easy.set(CURLOPT_UPLOAD, true)
            try easy.set(CURLOPT_INFILESIZE_LARGE, offset: size)
            if request.method != "PUT" { try easy.set(CURLOPT_CUSTOMREQUEST, request.method) }
            let userData = Unmanaged.passUnretained(state).toOpaque()
            try easy.setReadFunction({ buffer, size, count, userData in
                guard let userData, let buffer else { return Int(CURL_READFUNC_ABORT) }
                let state = Unmanaged<TransferState>.fromOpaque(userData).takeUnretainedValue()
                return state.readUpload(into: buffer, capacity: size * count)
            }, userData: userData)
        }
    }
}

/// The per-transfer context libcurl's callbacks work on. Used only on the transfer's thread.
private final class TransferState {
    let sink: TransferSink
    let source: String
    let progress: (any ProgressReporter)?
    let fetchStart: ContinuousClock.Instant
    let cancel: CancelFlag
    var outcome = TransferOutcome()
    var fileSize: Int64 = 0
    private var resumeOffset: Int64 = 0
    private var fd: Int32 = -1
    private var uploadFD: Int32 = -1
    private var bodyStarted = false
    private var bodyIsPayload = false
    private var lastTotal: Int64 = 0
    private static let errorBodyLimit = 64 * 1024

    init(sink: TransferSink, source: String, progress: (any ProgressReporter)?,
         fetchStart: ContinuousClock.Instant, cancel: CancelFlag) {
        self.sink = sink
        self.source = source
        self.progress = progress
        self.fetchStart = fetchStart
        self.cancel = cancel
    }

    func openFile(path: String, keeping offset: Int64) -> String? {
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return "cannot open \(path): \(String(cString: strerror(errno)))" }
        guard ftruncate(fd, off_t(offset)) == 0, lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else {
            return "cannot prepare \(path): \(String(cString: strerror(errno)))"
        }
        resumeOffset = offset
        fileSize = offset
        return nil
    }

    func closeFile() {
        if fd >= 0 { close(fd) }
        fd = -1
        if uploadFD >= 0 { close(uploadFD) }
        uploadFD = -1
    }

    func openUpload(path: String) -> String? {
        uploadFD = open(path, O_RDONLY | O_CLOEXEC)
        guard uploadFD >= 0 else { return "cannot open \(path) to upload: \(String(cString: strerror(errno)))" }
        return nil
    }

    /// libcurl's read callback: the next bytes of the upload file, 0 at its end.
    func readUpload(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        while true {
            let count = read(uploadFD, buffer, capacity)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            outcome.localWriteError = "cannot read the file being uploaded: \(String(cString: strerror(errno)))"
            return Int(CURL_READFUNC_ABORT)
        }
    }

    func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            // A new answer begins (after a redirect or a 100 Continue): forget the last one's headers.
            let parts = line.split(separator: " ", maxSplits: 2)
            outcome.status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            outcome.headers = [:]
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        if let existing = outcome.headers[name] {
            outcome.headers[name] = existing + ", " + value
        } else {
            outcome.headers[name] = value
        }
    }

    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if !bodyStarted {
            bodyStarted = true
            guard startBody() else { return false }
        }
        outcome.bytesReceived += Int64(bytes.count)
        guard bodyIsPayload else {
            let room = Self.errorBodyLimit - outcome.body.count
            if room > 0 { outcome.body.append(contentsOf: bytes.prefix(room)) }
            return true
        }
        switch sink {
        case let .memory(limit):
            guard outcome.body.count + bytes.count <= limit else {
                outcome.localWriteError = "the answer is larger than \(limit) bytes"
                return false
            }
            outcome.body.append(contentsOf: bytes)
            return true
        case .file:
            return writeAll(bytes)
        }
    }

    /// Decides where the body of the final answer goes, once its headers are known.
    private func startBody() -> Bool {
        let status = outcome.status
        guard (200..<300).contains(status) else { return true }
        bodyIsPayload = true
        guard case .file = sink else { return true }
        if status == 206 {
            guard !outcome.contentEncoded else {
                outcome.rangeMismatch = "a range answer with Content-Encoding '\(outcome.headers["content-encoding"] ?? "")'"
                return false
            }
            guard let range = outcome.headers["content-range"].flatMap(ContentRange.init), range.start == resumeOffset else {
                outcome.rangeMismatch = "asked for bytes from \(resumeOffset), got Content-Range '\(outcome.headers["content-range"] ?? "")'"
                return false
            }
            return true
        }
        if fileSize > 0 {
            // The server ignored Range (or it was not sent) and sends the whole body: start over.
            guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
                outcome.localWriteError = "cannot truncate the partial download: \(String(cString: strerror(errno)))"
                return false
            }
            fileSize = 0
            outcome.restartedFromZero = true
        }
        return true
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard var pointer = bytes.baseAddress else { return true }
        var remaining = bytes.count
        while remaining > 0 {
            let written = write(fd, pointer, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                outcome.localWriteError = "cannot write the download: \(String(cString: strerror(errno)))"
                return false
            }
            remaining -= written
            pointer += written
            fileSize += Int64(written)
        }
        return true
    }

    /// libcurl calls this about once a second and whenever data arrives; a false return aborts.
    func tick(downloadTotal: Int64) -> Bool {
        if cancel.isSet || Task.isCancelled {
            outcome.cancelled = true
            return false
        }
        guard let progress, bodyIsPayload, case .file = sink else { return true }
        let base = fileSize - outcome.bytesReceived
        var expected: Int64?
        if outcome.status == 206, let range = outcome.headers["content-range"].flatMap(ContentRange.init) {
            expected = range.total
        } else if downloadTotal > 0 && !outcome.contentEncoded {
            expected = base + downloadTotal
        }
        let elapsed = ContinuousClock.now - fetchStart
        progress.update(TransferProgress(source: source, receivedBytes: fileSize, expectedBytes: expected,
                                         elapsed: elapsed, sessionBytes: outcome.bytesReceived))
        return true
    }
}

/// A `Content-Range: bytes START-END/TOTAL` header (TOTAL may be `*`).
struct ContentRange: Equatable {
    var start: Int64
    var end: Int64
    var total: Int64?

    init?(_ header: String) {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = trimmed.dropFirst("bytes ".count)
        let halves = spec.split(separator: "/", maxSplits: 1)
        guard halves.count == 2 else { return nil }
        let bounds = halves[0].split(separator: "-", maxSplits: 1)
        guard bounds.count == 2, let start = Int64(bounds[0].trimmingCharacters(in: .whitespaces)),
              let end = Int64(bounds[1].trimmingCharacters(in: .whitespaces)), start <= end else { return nil }
        self.start = start
        self.end = end
        total = Int64(halves[1].trimmingCharacters(in: .whitespaces))
    }
}
