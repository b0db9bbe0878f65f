import Foundation
import CXGBoost

/// What went wrong in the XGBoost layer: either XGBoost itself refused (with its own text), or
/// the input was caught before it reached XGBoost, so that the message names the problem in
/// this product's terms rather than as a C++ check failure.
public enum XGBoostError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A C API call failed; `message` is `XGBGetLastError()` without its stack trace.
    case library(operation: String, message: String)
    /// A matrix, label list or data set has no rows (or no columns).
    case emptyData(String)
    /// Two sizes that must agree do not (labels vs rows, columns vs the model's features, …).
    case shapeMismatch(what: String, expected: Int, actual: Int)
    /// A value XGBoost cannot use: a NaN or infinite label, a label outside [0, 1], a negative
    /// weight, an infinite feature value.
    case invalidValue(what: String, detail: String)
    /// A training parameter out of its range, or options that do not go together.
    case invalidParameter(name: String, detail: String)
    /// A model file name whose extension XGBoost would not read back as JSON or UBJSON.
    case unsupportedModelFormat(path: String)
    /// XGBoost answered with something this wrapper could not read (an evaluation line, a shape).
    case malformedOutput(operation: String, detail: String)

    public var description: String {
        switch self {
        case let .library(operation, message):
            return "XGBoost failed to \(operation): \(message)"
        case let .emptyData(what):
            return "no data: \(what)"
        case let .shapeMismatch(what, expected, actual):
            return "\(what): expected \(expected), got \(actual)"
        case let .invalidValue(what, detail):
            return "invalid \(what): \(detail)"
        case let .invalidParameter(name, detail):
            return "invalid parameter \(name): \(detail)"
        case let .unsupportedModelFormat(path):
            return "model path \(path) must end in .json or .ubj (XGBoost picks the format from the extension)"
        case let .malformedOutput(operation, detail):
            return "unexpected XGBoost output while trying to \(operation): \(detail)"
        }
    }
}

/// Turns a C API status into a thrown error carrying XGBoost's own message.
///
/// The operation is an autoclosure so that the happy path builds no strings.
@inline(__always)
func xgbCheck(_ status: Int32, _ operation: @autoclosure () -> String) throws {
    guard status != 0 else { return }
    throw XGBoostError.library(operation: operation(), message: lastXGBoostErrorMessage())
}

/// `XGBGetLastError()` trimmed for people: XGBoost appends a native stack trace and prefixes a
/// timestamp, neither of which helps a user tell what was wrong.
func lastXGBoostErrorMessage() -> String {
    guard let raw = XGBGetLastError() else { return "(no message)" }
    var text = String(cString: raw)
    if let range = text.range(of: "Stack trace:") {
        text = String(text[..<range.lowerBound])
    }
    text = text.trimmingCharacters(in: .whitespacesAndNewlines)
    // "[18:09:39] ./src/data/data.cc:461: Check failed: …": drop the clock, keep the source place.
    if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
        text = String(text[text.index(after: close)...]).trimmingCharacters(in: .whitespaces)
    }
    return text.isEmpty ? "(no message)" : text
}
