/// The dense features the featurizer computes for a domain label, in column order.
///
/// The raw value is the column name used in matrices, models and reports.
public enum DomainFeature: String, Sendable, Codable, CaseIterable {
    /// Characters in the label.
    case length
    /// Shannon entropy of the characters.
    case entropy
    /// The accelerator's popular-label n-gram score.
    case alexaGrams = "alexa_grams"
    /// The accelerator's dictionary n-gram score.
    case wordGrams = "word_grams"
    /// Character trigram log-probability per character.
    case characterModel = "char_lm"
    /// Share covered by dictionary words.
    case wordCoverage = "word_coverage"
    /// Longest dictionary word inside.
    case longestWord = "longest_word"
    /// Share of digits.
    case digitRatio = "digit_ratio"
    /// Share of vowels.
    case vowelRatio = "vowel_ratio"
    /// Longest consonant run.
    case longestConsonantRun = "consonant_run"
    /// All hex digits.
    case hexLike = "hex_like"
    /// Distinct characters per character.
    case distinctRatio = "distinct_ratio"
    /// Letter-digit boundaries.
    case letterDigitSwitches = "letter_digit_switches"
    /// Hyphen count.
    case hyphens
    /// Labels in the host name.
    case labelCount = "label_count"
    /// Character unigram log-probability per character (version 2).
    case unigramModel = "char_unigram"
    /// How much the trigram context raises the probability (version 2).
    case contextGain = "char_lm_gain"
    /// Total character trigram log-probability (version 2).
    case characterModelTotal = "char_lm_total"
    /// Share of unlikely character transitions (version 2).
    case unlikelyTransitions = "unlikely_transitions"
    /// Share of rare letters (version 2).
    case rareLetters = "rare_letters"
    /// Share of 3-grams seen among popular labels (version 2).
    case popularTrigramShare = "alexa_trigram_share"
    /// Share of 3-grams seen among dictionary words (version 2).
    case dictionaryTrigramShare = "word_trigram_share"
    /// Log-odds of ioc from the label's hashed n-grams (version 3).
    case ngramLogit = "ngram_logit"

    /// The accelerator's four features: length, entropy, alexa_grams, word_grams.
    public static let accelerator: [DomainFeature] = [.length, .entropy, .alexaGrams, .wordGrams]

    /// One line saying what the feature measures, for reports.
    public var summary: String {
        switch self {
        case .length: return "number of characters in the label"
        case .entropy: return "Shannon entropy of the label's characters, in bits"
        case .alexaGrams: return "sum of log10 counts of the label's 3-5 character n-grams among popular domain labels (the accelerator's alexa_grams)"
        case .wordGrams: return "the same sum against dictionary words (the accelerator's word_grams)"
        case .characterModel: return "mean log10 probability per character under a trigram model of popular labels and dictionary words"
        case .wordCoverage: return "share of characters covered by non-overlapping dictionary words of 3 or more letters"
        case .longestWord: return "length of the longest dictionary word (3 or more letters) inside the label"
        case .digitRatio: return "share of characters that are digits"
        case .vowelRatio: return "share of characters that are vowels (a, e, i, o, u)"
        case .longestConsonantRun: return "longest run of consecutive consonants"
        case .hexLike: return "1 when every character is a hex digit (0-9, a-f), else 0"
        case .distinctRatio: return "number of distinct characters divided by the length"
        case .letterDigitSwitches: return "number of places where a letter and a digit meet"
        case .hyphens: return "number of hyphens"
        case .labelCount: return "number of dot-separated labels in the full host name; missing when no host is given"
        case .unigramModel: return "mean log10 probability per character under a unigram model of the same texts (letter rarity without context)"
        case .contextGain: return "char_lm minus char_unigram: how much the two preceding characters help predict each one (low for random strings)"
        case .characterModelTotal: return "total log10 probability of the label under the trigram model (char_lm times length + 1)"
        case .unlikelyTransitions: return "share of characters whose trigram probability is below 1% given the two before"
        case .rareLetters: return "share of characters that are one of the rare letters j, k, q, v, w, x, z"
        case .popularTrigramShare: return "share of the label's 3-grams that occur among popular labels (at the accelerator's min_df)"
        case .dictionaryTrigramShare: return "share of the label's 3-grams that occur among dictionary words (at the accelerator's min_df)"
        case .ngramLogit: return "log-odds of ioc from a logistic regression on the label's hashed 2-4-grams, fitted on the training labels (out of fold for training rows); missing without ioc labels"
        }
    }

    /// Column of the feature in a full feature row (its position in `allCases`).
    public var columnIndex: Int {
        // A switch rather than a lookup: the featurizer's inner loop reads it for every feature
        // of every row.
        switch self {
        case .length: return 0
        case .entropy: return 1
        case .alexaGrams: return 2
        case .wordGrams: return 3
        case .characterModel: return 4
        case .wordCoverage: return 5
        case .longestWord: return 6
        case .digitRatio: return 7
        case .vowelRatio: return 8
        case .longestConsonantRun: return 9
        case .hexLike: return 10
        case .distinctRatio: return 11
        case .letterDigitSwitches: return 12
        case .hyphens: return 13
        case .labelCount: return 14
        case .unigramModel: return 15
        case .contextGain: return 16
        case .characterModelTotal: return 17
        case .unlikelyTransitions: return 18
        case .rareLetters: return 19
        case .popularTrigramShare: return 20
        case .dictionaryTrigramShare: return 21
        case .ngramLogit: return 22
        }
    }
}

/// A feature's name and what it measures.
public struct FeatureDescription: Sendable, Equatable, Codable {
    /// Column name.
    public let name: String
    /// One line of explanation.
    public let summary: String
}

/// What the featurizer reads: the registered-domain label the ETL extracted ("google" for
/// "www.google.com"), and optionally the full host it came from.
public struct DomainInput: Sendable, Hashable {
    /// The label left of the public suffix.
    public var label: String
    /// The full query name, for features about its structure (label count); nil when unknown.
    public var host: String?

    /// An input from a label and, optionally, its host.
    public init(label: String, host: String? = nil) {
        self.label = label
        self.host = host
    }
}
