import Foundation

/// The emotion vocabulary shared across corpora: every label of every corpus maps to one of
/// these (TESS `ps` → surprise, RAVDESS `06` fearful → fear, EmoDB `W` → angry, ...), so that
/// a report can line corpora up. A corpus's own labels (codes and display names) stay its own.
public enum CommonEmotion: String, CaseIterable, Codable, Sendable, Comparable {
    case angry, calm, boredom, disgust, fear, happy, neutral, sad, surprise

    /// The vocabulary in this order (the declaration order).
    public static var vocabulary: [String] { allCases.map(\.rawValue) }

    /// The common emotion a label word names, case-insensitively: the vocabulary itself and the
    /// usual spellings (`anger`, `fearful`, `happiness`, `sadness`, `surprised`, TESS's `ps` and
    /// `pleasant surprise`, ...). Nil for any other word. Manifests' labels are read with this.
    public init?(word: String) {
        let key = word.trimmingCharacters(in: .whitespaces).lowercased()
            .replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
        if let e = CommonEmotion(rawValue: key) { self = e; return }
        guard let e = Self.synonyms[key] else { return nil }
        self = e
    }

    static let synonyms: [String: CommonEmotion] = [
        "anger": .angry, "bored": .boredom, "disgusted": .disgust, "fearful": .fear, "afraid": .fear,
        "happiness": .happy, "sadness": .sad, "surprised": .surprise, "ps": .surprise,
        "pleasant surprise": .surprise, "pleasant surprised": .surprise, "pleasantsurprise": .surprise,
    ]

    public static func < (a: CommonEmotion, b: CommonEmotion) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Speaker, text (word, sentence or statement code) and label code read from a file name.
public struct ClipName: Sendable, Equatable {
    public var speaker: String
    public var text: String
    public var label: String

    public init(speaker: String, text: String, label: String) {
        self.speaker = speaker
        self.text = text
        self.label = label
    }
}

/// What a naming convention makes of one file.
public enum NameMatch: Sendable, Equatable {
    /// The name follows the convention: a clip (when the file is readable audio).
    case clip(ClipName)
    /// The name has the convention's shape, so it counts for the convention, but the file is not
    /// one of its speech clips: a RAVDESS song or video, a code the corpus does not use. The
    /// reason says which.
    case excluded(String)
    /// The name does not have the convention's shape; the reason says how.
    case mismatch(String)

    /// True when the name counts towards this convention (a clip or an excluded file).
    public var follows: Bool {
        if case .mismatch = self { return false }
        return true
    }
}

/// A corpus recognised by its file names. `allCases` is the detection order: the strictest
/// patterns first, TESS (the loosest) last, and a name belongs to the first that it follows.
public enum CorpusConvention: String, CaseIterable, Codable, Sendable {
    case ravdess, cremaD, savee, emoDB, tess

    /// The corpus's name, as `CorpusScan.name` carries it.
    public var name: String {
        switch self {
        case .ravdess: return "RAVDESS"
        case .cremaD: return "CREMA-D"
        case .savee: return "SAVEE"
        case .emoDB: return "EmoDB"
        case .tess: return "TESS"
        }
    }

    /// The naming, for people (error messages).
    public var pattern: String {
        switch self {
        case .ravdess:
            return "seven two-digit fields modality-channel-emotion-intensity-statement-repetition-actor, e.g. 03-01-05-01-02-01-12.wav"
        case .cremaD:
            return "<actor>_<sentence>_<emotion>_<level>, e.g. 1001_DFA_ANG_XX.wav"
        case .savee:
            return "<speaker>_<emotion><nn> or <emotion><nn> in a speaker folder, e.g. DC_a01.wav or DC/a01.wav"
        case .emoDB:
            return "<speaker><text><emotion><take>, e.g. 03a01Fa.wav"
        case .tess:
            return "<speaker>_<word>_<emotion>, e.g. OAF_back_angry.wav"
        }
    }

    /// The corpus's own labels (codes as in the file names, display names), sorted by code.
    public var labels: [CorpusLabel] {
        switch self {
        case .tess: return TESSCorpus.corpusLabels
        default: return table.map { CorpusLabel(code: $0.code, displayName: $0.display) }.sorted { $0.code < $1.code }
        }
    }

    /// Why holding out texts (the word-disjoint rungs of the leakage ladder) does not apply to
    /// the corpus, nil when it does.
    public var textHoldoutNotApplicable: String? {
        switch self {
        case .ravdess:
            return "not applicable to RAVDESS: its two statements cannot be split 80/20 (holding one out leaves one to train on)"
        case .savee:
            return "not applicable to SAVEE: its sentences differ by emotion (of 15 per emotion, 12 are the emotion's own), so a held-out text would be confounded with its emotion"
        default:
            return nil
        }
    }

    /// The common emotion of label `code`, nil when the corpus has no such label.
    public func commonLabel(_ code: String) -> CommonEmotion? {
        table.first { $0.code == code }?.common
    }

    /// Each label with its common emotion, in `labels` order: the corpus's mapping table.
    public var mapping: [LabelMapping] {
        labels.map { LabelMapping(code: $0.code, displayName: $0.displayName, common: commonLabel($0.code)!) }
    }

    private var table: [(code: String, display: String, common: CommonEmotion)] {
        switch self {
        case .ravdess:
            return [("01", "neutral", .neutral), ("02", "calm", .calm), ("03", "happy", .happy), ("04", "sad", .sad),
                    ("05", "angry", .angry), ("06", "fearful", .fear), ("07", "disgust", .disgust), ("08", "surprised", .surprise)]
        case .cremaD:
            return [("ANG", "anger", .angry), ("DIS", "disgust", .disgust), ("FEA", "fear", .fear),
                    ("HAP", "happy", .happy), ("NEU", "neutral", .neutral), ("SAD", "sad", .sad)]
        case .savee:
            return [("a", "anger", .angry), ("d", "disgust", .disgust), ("f", "fear", .fear), ("h", "happiness", .happy),
                    ("n", "neutral", .neutral), ("sa", "sadness", .sad), ("su", "surprise", .surprise)]
        case .emoDB:
            // German initials: Wut/Ärger, Langeweile, Ekel, Angst, Freude, Trauer, neutral.
            return [("W", "anger", .angry), ("L", "boredom", .boredom), ("E", "disgust", .disgust), ("A", "fear", .fear),
                    ("F", "happiness", .happy), ("T", "sadness", .sad), ("N", "neutral", .neutral)]
        case .tess:
            return [("angry", "angry", .angry), ("disgust", "disgust", .disgust), ("fear", "fear", .fear), ("happy", "happy", .happy),
                    ("neutral", "neutral", .neutral), ("ps", TESSCorpus.displayName("ps"), .surprise), ("sad", "sad", .sad)]
        }
    }

    /// Reads the file at `relativePath` (with `/`; only SAVEE looks at the folder). The
    /// extension is ignored: the format comes from the file's bytes.
    public func match(_ relativePath: String) -> NameMatch {
        let components = relativePath.split(separator: "/", omittingEmptySubsequences: true)
        let fileName = components.last.map(String.init) ?? relativePath
        let folder = components.count >= 2 ? String(components[components.count - 2]) : nil
        var stem = fileName
        if let dot = stem.lastIndex(of: "."), dot != stem.startIndex { stem = String(stem[..<dot]) }
        switch self {
        case .ravdess: return Self.matchRAVDESS(stem)
        case .cremaD: return Self.matchCREMAD(stem)
        case .savee: return Self.matchSAVEE(stem, folder: folder)
        case .emoDB: return Self.matchEmoDB(stem)
        case .tess:
            do {
                let n = try TESSCorpus.parseFileName(fileName)
                return .clip(ClipName(speaker: n.speaker, text: n.word, label: n.label))
            } catch {
                return .mismatch("\(error)")
            }
        }
    }

    /// The first convention (in detection order) that `relativePath` follows.
    public static func detect(_ relativePath: String) -> CorpusConvention? {
        allCases.first { $0.match(relativePath).follows }
    }

    // MARK: the parsers

    static func isDigits(_ s: Substring, count: Int) -> Bool {
        s.count == count && s.allSatisfy { $0.isASCII && $0.isNumber }
    }

    static func isUpper(_ s: Substring, count: Int) -> Bool {
        s.count == count && s.allSatisfy { $0.isASCII && $0.isUppercase }
    }

    static func matchRAVDESS(_ stem: String) -> NameMatch {
        let f = stem.split(separator: "-", omittingEmptySubsequences: false)
        guard f.count == 7, f.allSatisfy({ isDigits($0, count: 2) }) else {
            return .mismatch("name is not seven two-digit fields separated by '-' (e.g. 03-01-05-01-02-01-12)")
        }
        let (modality, channel, emotion, intensity, statement, repetition, actor) = (f[0], f[1], f[2], f[3], f[4], f[5], f[6])
        switch modality {
        case "03": break
        case "01", "02": return .excluded("RAVDESS video file (modality \(modality)); only audio-only files (modality 03) are used")
        default: return .excluded("RAVDESS modality \(modality) is not 01, 02 or 03")
        }
        switch channel {
        case "01": break
        case "02": return .excluded("RAVDESS song file (vocal channel 02); only speech (vocal channel 01) is used")
        default: return .excluded("RAVDESS vocal channel \(channel) is not 01 (speech) or 02 (song)")
        }
        guard CorpusConvention.ravdess.commonLabel(String(emotion)) != nil else {
            return .excluded("RAVDESS emotion \(emotion) is not one of 01...08")
        }
        guard intensity == "01" || intensity == "02" else { return .excluded("RAVDESS intensity \(intensity) is not 01 or 02") }
        guard statement == "01" || statement == "02" else { return .excluded("RAVDESS statement \(statement) is not 01 or 02") }
        guard repetition == "01" || repetition == "02" else { return .excluded("RAVDESS repetition \(repetition) is not 01 or 02") }
        guard let a = Int(actor), (1...24).contains(a) else { return .excluded("RAVDESS actor \(actor) is not one of 01...24") }
        return .clip(ClipName(speaker: String(actor), text: String(statement), label: String(emotion)))
    }

    /// The twelve CREMA-D sentences.
    public static let cremaDSentences = ["IEO", "TIE", "IOM", "IWW", "TAI", "MTI", "IWL", "ITH", "DFA", "ITS", "TSI", "WSI"]
    /// Low, medium, high, unspecified.
    public static let cremaDLevels = ["LO", "MD", "HI", "XX"]

    static func matchCREMAD(_ stem: String) -> NameMatch {
        let f = stem.split(separator: "_", omittingEmptySubsequences: false)
        guard f.count == 4, isDigits(f[0], count: 4), isUpper(f[1], count: 3), isUpper(f[2], count: 3), isUpper(f[3], count: 2) else {
            return .mismatch("name is not <4-digit actor>_<sentence>_<emotion>_<level> (e.g. 1001_DFA_ANG_XX)")
        }
        guard cremaDSentences.contains(String(f[1])) else {
            return .excluded("CREMA-D sentence '\(f[1])' is not one of \(cremaDSentences.joined(separator: ", "))")
        }
        guard CorpusConvention.cremaD.commonLabel(String(f[2])) != nil else {
            return .excluded("CREMA-D emotion '\(f[2])' is not one of ANG, DIS, FEA, HAP, NEU, SAD")
        }
        guard cremaDLevels.contains(String(f[3])) else {
            return .excluded("CREMA-D level '\(f[3])' is not one of \(cremaDLevels.joined(separator: ", "))")
        }
        return .clip(ClipName(speaker: String(f[0]), text: String(f[1]), label: String(f[2])))
    }

    /// The four SAVEE speakers.
    public static let saveeSpeakers = ["DC", "JE", "JK", "KL"]

    /// `(DC|JE|JK|KL)_(a|d|f|h|n|sa|su)\d\d`, or `(a|d|f|h|n|sa|su)\d\d` in a speaker folder.
    static func matchSAVEE(_ stem: String, folder: String?) -> NameMatch {
        func emotionAndNumber(_ s: Substring) -> (String, String)? {
            guard s.count >= 3, isDigits(s.suffix(2), count: 2) else { return nil }
            let code = String(s.dropLast(2))
            guard CorpusConvention.savee.commonLabel(code) != nil else { return nil }
            return (code, String(s.suffix(2)))
        }
        let shape = "name is not <speaker>_<emotion><nn> (speaker DC, JE, JK or KL; emotion a, d, f, h, n, sa or su), "
            + "or <emotion><nn> in a speaker folder"
        if let underscore = stem.firstIndex(of: "_") {
            let speaker = String(stem[..<underscore])
            guard saveeSpeakers.contains(speaker), let parsed = emotionAndNumber(stem[stem.index(after: underscore)...]) else {
                return .mismatch(shape)
            }
            return .clip(ClipName(speaker: speaker, text: parsed.1, label: parsed.0))
        }
        guard let parsed = emotionAndNumber(stem[...]) else { return .mismatch(shape) }
        guard let folder, saveeSpeakers.contains(folder) else {
            return .mismatch("a SAVEE name without a speaker prefix must be in a folder named DC, JE, JK or KL")
        }
        return .clip(ClipName(speaker: folder, text: parsed.1, label: parsed.0))
    }

    /// `\d\d[ab]\d\d[WLEAFTN][a-z]`: speaker, text, emotion, take.
    static func matchEmoDB(_ stem: String) -> NameMatch {
        let c = Array(stem)
        func digit(_ x: Character) -> Bool { x.isASCII && x.isNumber }
        guard c.count == 7, digit(c[0]), digit(c[1]), c[2] == "a" || c[2] == "b", digit(c[3]), digit(c[4]),
              "WLEAFTN".contains(c[5]), c[6].isASCII, c[6].isLowercase else {
            return .mismatch("name is not <2-digit speaker><text a01...b10><emotion W, L, E, A, F, T or N><take a-z> (e.g. 03a01Fa)")
        }
        let speaker = String(c[0...1])
        guard let s = Int(speaker), (3...16).contains(s) else { return .excluded("EmoDB speaker \(speaker) is not one of 03...16") }
        return .clip(ClipName(speaker: speaker, text: String(c[2...4]), label: String(c[5])))
    }
}

/// One row of a corpus's label mapping: its code and display name and the common emotion.
public struct LabelMapping: Codable, Sendable, Equatable {
    public var code: String
    public var displayName: String
    public var common: CommonEmotion

    public init(code: String, displayName: String, common: CommonEmotion) {
        self.code = code
        self.displayName = displayName
        self.common = common
    }
}
