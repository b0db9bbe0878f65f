import DGAModel
import Dispatch
import Foundation
import Tracking

/// The model a pipeline scores with: resolved from its URI before any input is read, with
/// the registry version it stands for, and a cache of scores by label (log names repeat:
/// each distinct label is scored again only after the cache fills and is emptied).
///
/// Not thread-safe: one pipeline uses it from one task at a time.
public final class ScoringModel: @unchecked Sendable {
    /// The URI as given (`models:/dns_dga@champion`, `runs:/…/model`).
    public let uri: String
    /// The registered model version, when the URI names a registered model.
    public let version: Int64?
    /// The directory the URI resolved to.
    public let directory: URL
    public let bundle: ModelBundle
    /// How the three features behind a detection are found.
    public let topFeatureMethod: TopFeatureMethod
    private var scores = LabelScoreCache()
    private var explanations: [String: String] = [:]
    /// Labels a cache holds before it is emptied: a watch that runs for days meets machine-made
    /// names that never repeat, and an unbounded cache would grow with every one of them.
    static let cacheLimit = 1_000_000

    /// Resolves `uri` in `store` and loads the model.
    ///
    /// - Throws: ``PipelineError/modelUnavailable(uri:reason:)`` naming the URI when it does
    ///   not resolve or its artifact does not load.
    ///
    /// `threads` is XGBoost's: one by default, since OpenMP threads spin on a shared machine
    /// (PLATFORM.md measured ten times slower predictions with a busy second core).
    public init(uri: String, store: TrackingStore, threads: Int = 1, topFeatures: TopFeatureMethod = .pathAttributions) throws {
        self.uri = uri
        self.topFeatureMethod = topFeatures
        do {
            let parsed = try ArtifactURI(parsing: uri)
            switch parsed {
            case let .modelVersion(name, version): self.version = try store.modelVersion(name: name, version: version).version
            case let .modelAlias(name, alias): self.version = try store.modelVersion(name: name, alias: alias).version
            case let .latestModel(name): self.version = try store.latestModelVersion(name: name).version
            case .run: self.version = nil
            }
            directory = try store.resolve(parsed)
        } catch {
            throw PipelineError.modelUnavailable(uri: uri, reason: "\(error)")
        }
        do {
            bundle = try ModelBundle(directory: directory, nthread: max(1, threads))
        } catch {
            throw PipelineError.modelUnavailable(uri: uri, reason: "the artifact at \(directory.path) does not load: \(error)")
        }
    }

    /// The probability threshold of the ioc class.
    public var threshold: Double { bundle.manifest.threshold }

    /// The ioc probability of each label, scoring the labels not seen before in one batch.
    public func probabilities(_ labels: [String]) throws -> [Double] {
        // One lookup per label: a cached label's answer is filled in at once; a label new to
        // the cache is added to it (its score to come) and to the labels to score, each once.
        if scores.count + labels.count > Self.cacheLimit { scores.removeAll() }
        let firstNew = scores.count
        var answer = [Double](repeating: 0, count: labels.count)
        var missing: [String] = []
        var pending: [(position: Int, entry: Int)] = []
        for (position, label) in labels.enumerated() {
            let (entry, existed) = scores.entry(for: label)
            if entry < firstNew {
                answer[position] = scores.score(of: entry)
                continue
            }
            if !existed { missing.append(label) }
            pending.append((position, entry))
        }
        guard !missing.isEmpty else { return answer }
        let fresh: [Double]
        do {
            fresh = try bundle.probabilities(labels: missing)
        } catch {
            scores.truncate(to: firstNew)
            throw error
        }
        // The new entries were added in the order of `missing`.
        for (offset, score) in fresh.enumerated() { scores.setScore(score, of: firstNew + offset) }
        for (position, entry) in pending { answer[position] = scores.score(of: entry) }
        return answer
    }

    /// The three features that pushed each label's score hardest, as the JSON array
    /// `dns_ioc_latest.top_features` holds ({"feature", "value", "contribution"}).
    public func topFeatures(_ labels: [String]) throws -> [String] {
        var missing: [String] = []
        var seen = Set<String>()
        for label in labels where explanations[label] == nil && seen.insert(label).inserted { missing.append(label) }
        if !missing.isEmpty {
            var fresh: [String: String] = [:]
            for (label, text) in zip(missing, try explainAll(missing)) { fresh[label] = text }
            if explanations.count + fresh.count > Self.cacheLimit {
                let answer = labels.map { explanations[$0] ?? fresh[$0] ?? "[]" }
                explanations = fresh
                return answer
            }
            explanations.merge(fresh) { _, new in new }
        }
        return labels.map { explanations[$0] ?? "[]" }
    }

    /// Labels per part when explanations are spread over the cores.
    static let explainPart = 16

    /// The explanation of each label, in order. Path attributions cost about a prediction and
    /// the compiled scorer spreads them over the cores itself. Exact TreeSHAP costs hundreds of
    /// predictions per label, and a batch's detections are far fewer than the 2,048 labels the
    /// compiled scorer hands each core: those labels are split over the cores here (each
    /// label's values are computed alone, so the split changes no value).
    private func explainAll(_ labels: [String]) throws -> [String] {
        if topFeatureMethod == .pathAttributions {
            return zip(labels, try bundle.scoreApproximatingContributions(labels: labels)).map { explain($0, $1.topFeatures) }
        }
        let parts = bundle.compiled == nil ? 1 : min(CompiledScorer.allCores, labels.count / Self.explainPart)
        if parts <= 1 {
            return zip(labels, try bundle.score(labels: labels)).map { explain($0, $1.topFeatures) }
        }
        let results = JobResults<[String]>(count: parts)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = (part * labels.count / parts)..<((part + 1) * labels.count / parts)
            let slice = Array(labels[range])
            results.run(part) { zip(slice, try bundle.score(labels: slice)).map { explain($0, $1.topFeatures) } }
        }
        return try results.values().flatMap { $0 }
    }

    private func explain(_ label: String, _ features: [FeatureContribution]) -> String {
        // The scorer's own row values when it had them (every dense model): no second pass.
        if features.allSatisfy({ $0.value != nil }) {
            return Self.json(features, values: features.map(\.value))
        }
        let featurizer = bundle.featurizer
        var ngrams: [UInt32: Float]?
        func bucket(_ name: String) -> UInt32? { name.hasPrefix("ngram_bucket_") ? UInt32(name.dropFirst("ngram_bucket_".count)) : nil }
        // The dense features among the three, computed in one pass of the featurizer rather
        // than one pass each (each value is the same either way).
        let dense = features.compactMap { bucket($0.feature) == nil ? DomainFeature(rawValue: $0.feature) : nil }
        var denseValues = dense.isEmpty ? [] : featurizer.features(DomainInput(label: label), selecting: dense)[...]
        let values = features.map { contribution -> Double? in
            if let bucket = bucket(contribution.feature) {
                if ngrams == nil {
                    let row = featurizer.hashedNGrams(labels: [label])
                    ngrams = Dictionary(zip(row.columnIndices, row.values), uniquingKeysWith: +)
                }
                return Double(ngrams?[bucket] ?? 0)
            } else if DomainFeature(rawValue: contribution.feature) != nil {
                return denseValues.popFirst().map(Double.init)
            }
            return nil
        }
        return Self.json(features, values: values)
    }

    /// The `top_features` JSON array of `features` with their `values` (nil: null).
    private static func json(_ features: [FeatureContribution], values: [Double?]) -> String {
        // Written byte by byte into one buffer: built from interpolated strings, each
        // detection's text was some ten small strings made and joined, as much time as
        // computing its attributions.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 * features.count + 2)
        bytes.append(UInt8(ascii: "["))
        for index in features.indices {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: #"{"feature":"#.utf8)
            appendQuoted(features[index].feature, to: &bytes)
            bytes.append(contentsOf: #","value":"#.utf8)
            JSONNumber.append(index < values.count ? values[index] ?? .nan : .nan, to: &bytes)
            bytes.append(contentsOf: #","contribution":"#.utf8)
            JSONNumber.append(Double(features[index].contribution), to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `text` as a JSON string literal: as it is between quotes when no byte needs escaping
    /// (every feature name), else through ``JSONStringLiteral``.
    private static func appendQuoted(_ text: String, to bytes: inout [UInt8]) {
        let plain = text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        if plain {
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: text.utf8)
            bytes.append(UInt8(ascii: "\""))
        } else {
            bytes.append(contentsOf: JSONStringLiteral.quoted(text).utf8)
        }
    }
}

/// Tiny JSON writing for the few values the pipeline writes as JSON text.
enum JSONNumber {
    /// `value` as C's `%.6g` writes it (what `String(format: "%.6g")` gave), `null` when not
    /// finite. Most values take ``appendSixSignificant(_:to:)``'s exact arithmetic path; the
    /// rest (a value within a hair of a rounding tie, or beyond 1e±22) go through `vsnprintf`.
    static func text(_ value: Double) -> String {
        var bytes: [UInt8] = []
        append(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// ``text(_:)`` of `value`, appended to `bytes` without making a string.
    static func append(_ value: Double, to bytes: inout [UInt8]) {
        guard value.isFinite else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            let count = appendSixSignificant(value, to: buffer)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// Writes `%.6g` of a finite `value` at the start of `buffer` (at least 32 bytes) and
    /// returns its length.
    ///
    /// Why it is exact: the value is scaled to six integer digits by one multiplication or
    /// division by a power of ten that a double holds exactly (up to 1e22), so the scaled
    /// value is within one rounding (relative 1.1e-16, under 1.2e-10 absolute below 1e6) of
    /// the true product. Unless its fraction lies within 1e-6 of one half, or the scaled value
    /// within 1e-6 of a digit-count boundary, rounding it to the nearest integer gives the same
    /// six digits as rounding the exact value, which is what the C library prints. Those few
    /// cases, and magnitudes the table cannot scale, are handed to `vsnprintf`, which with its
    /// argument list cost about 0.1 s of the pipeline's reading thread per 1,000,000 records
    /// (the detections' explanations, six numbers each).
    static func appendSixSignificant(_ value: Double, to buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var count = 0
        func put(_ byte: UInt8) {
            buffer[count] = byte
            count += 1
        }
        let magnitude = value.magnitude
        if magnitude == 0 {
            if value.sign == .minus { put(UInt8(ascii: "-")) }
            put(UInt8(ascii: "0"))
            return count
        }
        guard let (digits, exponent) = sixDigits(magnitude) else { return formatted(value, into: buffer) }
        if value.sign == .minus { put(UInt8(ascii: "-")) }
        // Six digits, most significant first, then cut of their trailing zeros.
        var text: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        var significant = 6
        withUnsafeMutableBytes(of: &text) { bytes in
            var rest = digits
            for index in stride(from: 5, through: 0, by: -1) {
                bytes[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            while significant > 1 && bytes[significant - 1] == UInt8(ascii: "0") { significant -= 1 }
        }
        withUnsafeBytes(of: &text) { bytes in
            if exponent < -4 || exponent >= 6 {
                // d[.ddddd]e±XX: at least two exponent digits.
                put(bytes[0])
                if significant > 1 {
                    put(UInt8(ascii: "."))
                    for index in 1..<significant { put(bytes[index]) }
                }
                put(UInt8(ascii: "e"))
                put(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
                let power = abs(exponent)
                if power >= 100 { put(UInt8(ascii: "0") + UInt8(power / 100)) }
                put(UInt8(ascii: "0") + UInt8(power / 10 % 10))
                put(UInt8(ascii: "0") + UInt8(power % 10))
            } else if exponent >= 0 {
                // exponent + 1 digits before the point, the significant rest after it.
                for index in 0...exponent { put(bytes[index]) }
                if significant > exponent + 1 {
                    put(UInt8(ascii: "."))
                    for index in (exponent + 1)..<significant { put(bytes[index]) }
                }
            } else {
                put(UInt8(ascii: "0"))
                put(UInt8(ascii: "."))
                for _ in 0..<(-exponent - 1) { put(UInt8(ascii: "0")) }
                for index in 0..<significant { put(bytes[index]) }
            }
        }
        return count
    }

    /// The six significant digits of `magnitude` (positive, finite) rounded to nearest, as an
    /// integer from 100,000 to 999,999, and the decimal exponent of the first; nil when the
    /// arithmetic cannot be sure of them (see ``appendSixSignificant(_:to:)``).
    private static func sixDigits(_ magnitude: Double) -> (digits: Int, exponent: Int)? {
        var exponent = Int((log10(magnitude)).rounded(.down))
        for _ in 0..<2 {
            let shift = 5 - exponent
            guard abs(shift) < powersOfTen.count else { return nil }
            let scaled = shift >= 0 ? magnitude * powersOfTen[shift] : magnitude / powersOfTen[-shift]
            if scaled < 100_000 - 1e-6 {
                exponent -= 1
                continue
            }
            if scaled >= 1_000_000 + 1e-6 {
                exponent += 1
                continue
            }
            guard abs(scaled - 100_000) > 1e-6, abs(scaled - 1_000_000) > 1e-6 else { return nil }
            let whole = scaled.rounded(.down)
            let fraction = scaled - whole
            guard abs(fraction - 0.5) > 1e-6 else { return nil }
            var digits = Int(whole) + (fraction > 0.5 ? 1 : 0)
            if digits == 1_000_000 {
                digits = 100_000
                exponent += 1
            }
            return (digits, exponent)
        }
        return nil
    }

    /// 1e0 to 1e22: the powers of ten a double holds exactly.
    private static let powersOfTen: [Double] = (0...22).map { power in (0..<power).reduce(1.0) { value, _ in value * 10 } }

    /// `%.6g` by the C library, for the values the fast path leaves alone.
    private static func formatted(_ value: Double, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        // `%.6g` of a finite double is at most 13 bytes (`-1.23457e-308`).
        let count = withVaList([value]) { arguments in
            buffer.withMemoryRebound(to: CChar.self) { vsnprintf($0.baseAddress, $0.count, "%.6g", arguments) }
        }
        return Int(max(0, min(count, Int32(buffer.count - 1))))
    }
}
