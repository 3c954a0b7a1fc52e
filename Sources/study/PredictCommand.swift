import Base
import ArgumentParser
import Foundation
import Inference

extension StudyCommand {
    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Classify clips with a saved model.")

        @Option(help: "Model file written by `study run`.")
        var model: String = "output/05-training/model.safetensors"

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        @Argument(help: "Audio files (WAV, AIFF, FLAC).")
        var clips: [String]

        func validate() throws {
            if clips.isEmpty { throw ValidationError("give at least one clip") }
        }

        func run() throws {
            var failed = false
            try runReportingErrors {
                let predictor = try Predictor(modelURL: URL(fileURLWithPath: model))
                // Which features the model reads, on stderr (stdout stays the table or the JSON).
                FileHandle.standardError.write(Data("\(visibleText(model)): \(predictor.featureSet.name) v\(predictor.featureSet.version) features (\(predictor.recipe.preset) preset), \(predictor.labels.count) classes\n".utf8))
                if predictor.collapsed {
                    FileHandle.standardError.write(Data("warning: \(visibleText(model)): its training collapsed to the uniform prediction; it answers one class for every clip\n".utf8))
                }
                var results: [[String: Any]] = []
                if !json {
                    print(["clip", "label", "name"].joined(separator: "\t") + "\t" + predictor.labels.map(visibleText).joined(separator: "\t"))
                }
                for clip in clips {
                    do {
                        if let raw = invalidUTF8Argument(matching: clip) {
                            throw InvalidFileName(shown: raw)
                        }
                        let p = try predictor.predict(URL(fileURLWithPath: clip))
                        // Features are checked finite; a network can still overflow (weights
                        // near Float's limit). No NaN reaches the table or the JSON writer.
                        guard p.probabilities.allSatisfy(\.isFinite) else { throw NonFiniteProbabilities(clip: clip, model: model) }
                        if json {
                            results.append(["clip": clip, "label": p.label, "name": predictor.classes.displayName(p.label),
                                            "probabilities": Dictionary(uniqueKeysWithValues: zip(predictor.labels, p.probabilities.map(Double.init)))])
                        } else {
                            print("\(visibleText(clip))\t\(visibleText(p.label))\t\(visibleText(predictor.classes.displayName(p.label)))\t" + p.probabilities.map { String(format: "%.4f", $0) }.joined(separator: "\t"))
                        }
                    } catch {
                        failed = true
                        FileHandle.standardError.write(Data("study: error: \(error)\n".utf8))
                        if json { results.append(["clip": clip, "error": "\(error)"]) }
                    }
                }
                if json {
                    let data = try JSONSerialization.data(withJSONObject: results, options: [.prettyPrinted, .sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}

/// The model gave NaN or infinite probabilities for a clip: said plainly, naming the clip,
/// instead of printing "nan" or failing in the JSON writer.
struct NonFiniteProbabilities: Error, CustomStringConvertible {
    let clip: String
    let model: String
    var description: String {
        "\(clip): the model's probabilities for this clip are NaN or infinite (its network overflows: "
            + "\(model) holds weights too large for Float arithmetic); the clip cannot be classified with this model"
    }
}

/// A file name that is not valid UTF-8: Swift's `CommandLine.arguments` replaces the bad bytes
/// with U+FFFD, so the name we would open is not the file's. Said plainly instead of "no such file".
struct InvalidFileName: Error, CustomStringConvertible {
    let shown: String
    var description: String {
        "\(shown): the file name is not valid UTF-8, and this program cannot open such names; "
            + "rename the file (e.g. with `convmv -f latin1 -t utf8`) and try again"
    }
}

/// The raw argument, with its invalid bytes shown as `\xFF`, when `argument` came from a
/// command-line argument that was not valid UTF-8 (nil otherwise).
func invalidUTF8Argument(matching argument: String) -> String? {
    guard argument.unicodeScalars.contains("\u{FFFD}") else { return nil }
    for i in 1..<Int(CommandLine.argc) {
        guard let c = CommandLine.unsafeArgv[i] else { continue }
        let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(c).assumingMemoryBound(to: UInt8.self), count: strlen(c)))
        guard String(validating: bytes, as: UTF8.self) == nil, String(decoding: bytes, as: UTF8.self) == argument else { continue }
        return bytes.map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : String(format: "\\x%02X", $0) }.joined()
    }
    return nil
}
