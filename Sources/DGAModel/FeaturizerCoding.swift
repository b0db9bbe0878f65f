import Digest
import Foundation

/// The featurizer's JSON form: a format tag, the computation version, the configuration and
/// every reference table, so that a scoring job rebuilds the very featurizer training used.
extension Featurizer: Codable {
    /// The `format` tag of a featurizer file.
    public static let formatName = "runme-dga-featurizer"

    private enum CodingKeys: String, CodingKey {
        case format, version, configuration, popularGrams, dictionaryGrams, characterModel, dictionary, ngramLogit
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let format = try container.decodeIfPresent(String.self, forKey: .format)
        guard format == Self.formatName else {
            throw FeaturizerError.notAFeaturizer("format is \(format.map { "'\($0)'" } ?? "missing"), expected '\(Self.formatName)'")
        }
        let version = try container.decode(Int.self, forKey: .version)
        guard Self.readableVersions.contains(version) else {
            throw FeaturizerError.unsupportedVersion(found: version, supported: Self.currentVersion)
        }
        let configuration = try container.decode(Configuration.self, forKey: .configuration)
        try configuration.hashing.validate()
        let logit = try container.decodeIfPresent(NGramLogit.Stored.self, forKey: .ngramLogit).map {
            try NGramLogit(stored: $0, bucketCount: configuration.hashing.bucketCount)
        }
        self.init(version: version, configuration: configuration,
                  popularGrams: try container.decode(NGramTable.self, forKey: .popularGrams),
                  dictionaryGrams: try container.decode(NGramTable.self, forKey: .dictionaryGrams),
                  characterModel: try container.decode(CharacterModel.self, forKey: .characterModel),
                  dictionary: try container.decode(WordCoverage.self, forKey: .dictionary),
                  ngramLogit: logit)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.formatName, forKey: .format)
        try container.encode(version, forKey: .version)
        try container.encode(configuration, forKey: .configuration)
        try container.encode(popularGrams, forKey: .popularGrams)
        try container.encode(dictionaryGrams, forKey: .dictionaryGrams)
        try container.encode(characterModel, forKey: .characterModel)
        try container.encode(dictionary, forKey: .dictionary)
        try container.encodeIfPresent(ngramLogit?.stored, forKey: .ngramLogit)
    }

    /// The featurizer as JSON with sorted keys: the same tables always give the same bytes.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// A featurizer from `jsonData()` output.
    public init(jsonData: Data) throws {
        do {
            self = try JSONDecoder().decode(Featurizer.self, from: jsonData)
        } catch let error as FeaturizerError {
            throw error
        } catch {
            throw FeaturizerError.notAFeaturizer("\(error)")
        }
    }

    /// Writes the JSON form to a file.
    public func write(to url: URL) throws {
        try jsonData().write(to: url, options: .atomic)
    }

    /// Reads a featurizer written by `write(to:)`.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw FeaturizerError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        try self.init(jsonData: data)
    }

    /// SHA-256 of the JSON form: names this exact featurizer in run records and model metadata.
    public func fingerprint() throws -> String {
        SHA256.hex(of: try jsonData())
    }
}
