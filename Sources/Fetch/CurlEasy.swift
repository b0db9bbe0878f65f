import CCurl
import Foundation

/// libcurl's process-wide initialisation, done once: `curl_global_init` is not thread-safe, and a
/// Swift global `let` is initialised exactly once, under a lock, on first use.
let curlGlobalInit: CURLcode = runme_curl_global_init_default()

/// One libcurl easy handle. Each transfer uses its own handle, and a handle is used by one
/// thread at a time, which is what libcurl requires for thread safety.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// Why a handle could not be set up; these are programming or resource errors, not
    /// answers from a server.
    struct SetupError: Error {
        let message: String
    }

    init() throws(SetupError) {
        guard curlGlobalInit == CURLE_OK else {
            throw SetupError(message: "curl_global_init failed: \(String(cString: curl_easy_strerror(curlGlobalInit)))")
        }
        guard let handle = curl_easy_init() else {
            throw SetupError(message: "curl_easy_init failed (out of memory?)")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        // The buffer must outlive every call on the handle, so it is owned by this object.
        _ = runme_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
    }

    deinit {
        curl_easy_cleanup(handle)
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    func set(_ option: CURLoption, _ value: Int) throws(SetupError) {
        try check(runme_curl_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, _ value: Bool) throws(SetupError) {
        try set(option, value ? 1 : 0)
    }

    /// libcurl copies string options (since 7.17), so the C string only has to live for the call.
    func set(_ option: CURLoption, _ value: String) throws(SetupError) {
        let code = value.withCString { runme_curl_setopt_string(handle, option, $0) }
        try check(code, option)
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws(SetupError) {
        try check(runme_curl_setopt_pointer(handle, option, pointer), option)
    }

    /// Sets the request headers. libcurl does not copy the list, so it is kept until deinit.
    func setHeaders(_ headers: [String]) throws(SetupError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers {
            guard let appended = curl_slist_append(list, header) else {
                if let list { curl_slist_free_all(list) }
                throw SetupError(message: "curl_slist_append failed")
            }
            list = appended
        }
        if let old = headerList { curl_slist_free_all(old) }
        headerList = list
        try check(runme_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list), CURLOPT_HTTPHEADER)
    }

    func setWriteFunction(_ callback: runme_curl_data_callback, userData: UnsafeMutableRawPointer) throws(SetupError) {
        try check(runme_curl_setopt_write_function(handle, callback), CURLOPT_WRITEFUNCTION)
        try set(CURLOPT_WRITEDATA, pointer: userData)
    }

    func setHeaderFunction(_ callback: runme_curl_data_callback, userData: UnsafeMutableRawPointer) throws(SetupError) {
        try check(runme_curl_setopt_header_function(handle, callback), CURLOPT_HEADERFUNCTION)
        try set(CURLOPT_HEADERDATA, pointer: userData)
    }

    func setReadFunction(_ callback: runme_curl_data_callback, userData: UnsafeMutableRawPointer) throws(SetupError) {
        try check(runme_curl_setopt_read_function(handle, callback), CURLOPT_READFUNCTION)
        try set(CURLOPT_READDATA, pointer: userData)
    }

    /// Sets a `curl_off_t` option (sizes of uploads and bodies).
    func set(_ option: CURLoption, offset value: Int64) throws(SetupError) {
        try check(runme_curl_setopt_off(handle, option, curl_off_t(value)), option)
    }

    /// Sets a request body that libcurl copies (`CURLOPT_COPYPOSTFIELDS`); binary-safe because
    /// the size is set first.
    func setCopiedBody(_ body: Data) throws(SetupError) {
        try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(body.count))
        var bytes = [UInt8](body)
        // COPYPOSTFIELDS needs a non-null pointer even for an empty body.
        if bytes.isEmpty { bytes = [0] }
        let code = bytes.withUnsafeMutableBytes { runme_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
        try check(code, CURLOPT_COPYPOSTFIELDS)
    }

    func setProgressFunction(_ callback: runme_curl_xferinfo_callback, userData: UnsafeMutableRawPointer) throws(SetupError) {
        try check(runme_curl_setopt_xferinfo_function(handle, callback), CURLOPT_XFERINFOFUNCTION)
        try set(CURLOPT_XFERINFODATA, pointer: userData)
        try set(CURLOPT_NOPROGRESS, false)
    }

    /// Runs the transfer; blocks the calling thread until it ends.
    func perform() -> CURLcode {
        errorBuffer[0] = 0
        return curl_easy_perform(handle)
    }

    func longInfo(_ info: CURLINFO) -> Int? {
        var value = 0
        return runme_curl_getinfo_long(handle, info, &value) == CURLE_OK ? value : nil
    }

    func offsetInfo(_ info: CURLINFO) -> Int64? {
        var value: curl_off_t = 0
        return runme_curl_getinfo_off(handle, info, &value) == CURLE_OK ? Int64(value) : nil
    }

    func doubleInfo(_ info: CURLINFO) -> Double? {
        var value = 0.0
        return runme_curl_getinfo_double(handle, info, &value) == CURLE_OK ? value : nil
    }

    func stringInfo(_ info: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard runme_curl_getinfo_string(handle, info, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    /// curl's detailed error text for the last transfer, or its generic text for `code`.
    func errorText(for code: CURLcode) -> String {
        let detailed = String(cString: errorBuffer)
        return detailed.isEmpty ? String(cString: curl_easy_strerror(code)) : detailed
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(SetupError) {
        guard code == CURLE_OK else {
            throw SetupError(message: "curl_easy_setopt(\(option.rawValue)) failed: \(String(cString: curl_easy_strerror(code)))")
        }
    }
}

extension CurlEasy {
    /// Sets a list option other than the HTTP headers (for example `CURLOPT_MAIL_RCPT`); the
    /// list is returned for the caller to free after the transfer, since libcurl does not copy it.
    func setList(_ option: CURLoption, _ items: [String]) throws(SetupError) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for item in items {
            guard let appended = curl_slist_append(list, item) else {
                if let list { curl_slist_free_all(list) }
                throw SetupError(message: "curl_slist_append failed")
            }
            list = appended
        }
        let code = runme_curl_setopt_slist(handle, option, list)
        guard code == CURLE_OK else {
            if let list { curl_slist_free_all(list) }
            throw SetupError(message: "curl_easy_setopt(\(option.rawValue)) failed: \(String(cString: curl_easy_strerror(code)))")
        }
        return list
    }
}
