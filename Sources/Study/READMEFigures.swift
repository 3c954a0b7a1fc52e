import Base
import Foundation

/// The notebook README's figures, under their original file names (spelling included), copied
/// from the chapter outputs of the last run.
public enum READMEFigures {
    /// (file name in docs/images, path relative to the output folder).
    static func sources(_ options: StudyOptions) -> [(String, String)] {
        let eda = ChapterID.eda.rawValue
        let first = "\(eda)/figures/fear_\(firstSpeaker(options))"
        let second = "\(eda)/figures/angry_\(firstSpeaker(options))"
        return [
            ("example_data_1_wave.png", "\(first)_wave.png"),
            ("example_data_1_spectogram.png", "\(first)_spectrogram.png"),
            ("example_data_2_wave.png", "\(second)_wave.png"),
            ("example_data_2_spectogram.png", "\(second)_spectrogram.png"),
            ("target_dist.png", "\(ChapterID.targets.rawValue)/target_dist.png"),
            ("traning_hist.png", "\(ChapterID.training.rawValue)/training_history.png"),
            ("audio_recognition_architecture.png", "\(ChapterID.training.rawValue)/architecture.png"),
            ("confusion_matrix.png", "\(ChapterID.evaluation.rawValue)/confusion_matrix.png"),
            ("mfcc_mean_heatmap.png", "\(ChapterID.features.rawValue)/mfcc_mean_heatmap.png"),
        ]
    }

    /// The first speaker of chapter 2's examples (OAF on TESS, SOF on the synthetic corpus).
    static func firstSpeaker(_ options: StudyOptions) -> String {
        let record = ChapterRecord.read(.eda, from: options.chapterFolder(.eda))
        return (record?.output.summary["speakers"] as? [String])?.first ?? "OAF"
    }

    /// Copies the figures of the run in `options.outputDirectory` into `folder`; returns the
    /// written file names. Runs the study first (using its cache) when figures are missing.
    public static func export(options: StudyOptions, to folder: URL) throws -> [String] {
        func missing(_ pairs: [(String, String)]) -> Bool {
            !pairs.allSatisfy { FileManager.default.fileExists(atPath: options.outputDirectory.appendingPathComponent($0.1).path) }
        }
        var pairs = sources(options)
        if missing(pairs) {
            try StudyRunner(options: options).run()
            pairs = sources(options)  // the example speaker is known only once chapter 2 has run
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var written: [String] = []
        for (name, relative) in pairs {
            let src = options.outputDirectory.appendingPathComponent(relative)
            let data = try Data(contentsOf: src)
            try writeAtomically(data, to: folder.appendingPathComponent(name))
            written.append(name)
        }
        return written
    }
}

import Report
