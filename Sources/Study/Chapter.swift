import Base
import Foundation
import Report

/// The notebook's chapters, in order, plus what the notebook lacked. Each writes its own
/// folder under the output directory and reads only the on-disk outputs of earlier chapters.
public enum ChapterID: String, CaseIterable, Sendable {
    case load = "01-load"
    case eda = "02-eda"
    case targets = "03-target-distribution"
    case features = "04-features"
    case training = "05-training"
    case evaluation = "06-evaluation"
    case beyond = "07-beyond"

    public var title: String {
        switch self {
        case .load: return "Load the data"
        case .eda: return "Exploratory data analysis"
        case .targets: return "Target distribution"
        case .features: return "MFCC features"
        case .training: return "Training the 1-D CNN"
        case .evaluation: return "Evaluation"
        case .beyond: return "Beyond the notebook: honest evaluation"
        }
    }

    public var purpose: String {
        switch self {
        case .load: return "walk the corpus, label each clip from its file name (files.csv, skipped.csv)"
        case .eda: return "counts per label and speaker, durations, waveform and spectrogram per emotion"
        case .targets: return "the class balance as a count plot"
        case .features: return "40 MFCC means per clip (features.csv), per-emotion profiles"
        case .training: return "80/20 split, the CNN, per-epoch history, early stopping, model.safetensors"
        case .evaluation: return "test loss/accuracy, per-class metrics, confusion matrix, errors"
        case .beyond: return "speaker-independent evaluation and the spread over seeds"
        }
    }

    /// The chapters whose records this one's cache key depends on.
    var upstream: [ChapterID] {
        switch self {
        case .load: return []
        case .eda, .targets, .features: return [.load]
        case .training: return [.features]
        case .evaluation: return [.training, .features]
        case .beyond: return [.features]
        }
    }

    /// Accepts "05-training", "05", "5" or "training".
    public init?(argument: String) {
        let a = argument.lowercased()
        if let c = ChapterID(rawValue: a) { self = c; return }
        for c in ChapterID.allCases {
            let parts = c.rawValue.split(separator: "-", maxSplits: 1)
            if a == parts[0] || a == String(Int(parts[0]) ?? -1) || a == parts[1] { self = c; return }
        }
        return nil
    }
}

/// What a chapter leaves for the report (template context) and for `summary.json`.
public struct ChapterOutput {
    public var context: [String: Any] = [:]
    public var summary: [String: Any] = [:]
    public init(context: [String: Any] = [:], summary: [String: Any] = [:]) {
        self.context = context
        self.summary = summary
    }
}

/// A finished chapter as stored in `<chapter>/chapter.json`: its cache key, its timing and its
/// output. A chapter is re-run when its record is missing, unreadable or has another key.
public struct ChapterRecord {
    public var id: ChapterID
    public var key: String
    public var seconds: Double
    public var output: ChapterOutput

    static let fileName = "chapter.json"

    func write(to folder: URL) throws {
        let object: [String: Any] = [
            "chapter": id.rawValue, "key": key, "seconds": seconds,
            "context": output.context, "summary": output.summary,
        ]
        let data = try JSONSerialization.data(withJSONObject: jsonSafe(object), options: [.prettyPrinted, .sortedKeys])
        try writeAtomically(data, to: folder.appendingPathComponent(Self.fileName))
    }

    static func read(_ id: ChapterID, from folder: URL) -> ChapterRecord? {
        let url = folder.appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: url),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let key = obj["key"] as? String, let seconds = obj["seconds"] as? Double else { return nil }
        return ChapterRecord(id: id, key: key, seconds: seconds,
                             output: ChapterOutput(context: obj["context"] as? [String: Any] ?? [:],
                                                   summary: obj["summary"] as? [String: Any] ?? [:]))
    }
}

/// JSON cannot hold NaN or infinity: they become null so a diverged run still writes its record.
func jsonSafe(_ value: Any) -> Any {
    switch value {
    case let d as Double: return d.isFinite ? d : NSNull()
    case let f as Float: return f.isFinite ? Double(f) : NSNull()
    case let dict as [String: Any]: return dict.mapValues(jsonSafe)
    case let arr as [Any]: return arr.map(jsonSafe)
    default: return value
    }
}
