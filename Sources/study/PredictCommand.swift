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
                var results: [[String: Any]] = []
                if !json {
                    print(["clip", "label"].joined(separator: "\t") + "\t" + predictor.labels.joined(separator: "\t"))
                }
                for clip in clips {
                    do {
                        let p = try predictor.predict(URL(fileURLWithPath: clip))
                        if json {
                            results.append(["clip": clip, "label": p.label,
                                            "probabilities": Dictionary(uniqueKeysWithValues: zip(predictor.labels, p.probabilities.map(Double.init)))])
                        } else {
                            print("\(clip)\t\(p.label)\t" + p.probabilities.map { String(format: "%.4f", $0) }.joined(separator: "\t"))
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
