import Base
import Foundation

/// The notebook README's figures, under their original file names (spelling included), copied
/// from the chapter outputs of the last run.
public enum READMEFigures {
    /// (file name in docs/images, path relative to the output folder).
    static func sources(speaker: String) -> [(String, String)] {
        let eda = ChapterID.eda.rawValue
        let first = "\(eda)/figures/fear_\(speaker)"
        let second = "\(eda)/figures/angry_\(speaker)"
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
            ("reliability_diagram.png", "\(ChapterID.evaluation.rawValue)/reliability_diagram.png"),
        ]
    }

    /// Runs the study (cached chapters are reused, so this is quick after `make study`), then
    /// copies the figures into `folder`; returns the written file names.
    public static func export(options: StudyOptions, to folder: URL) throws -> [String] {
        let runner = StudyRunner(options: options)
        try runner.run()
        // The first speaker of chapter 2's examples (OAF on TESS, SOF on the synthetic corpus).
        guard let speaker = runner.reportContext.output(of: EDAChapter.self)?.speakers.first else {
            throw StudyError.missingOutput(path: options.chapterFolder(.eda).path)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var written: [String] = []
        var files = sources(speaker: speaker)
        // The ladder figure exists when chapter 7 ran with the ladder on.
        if runner.reportContext.output(of: BeyondChapter.self)?.ladderFigure != nil {
            files.append(("leakage_ladder.png", "\(ChapterID.beyond.rawValue)/leakage_ladder.png"))
        }
        if runner.reportContext.output(of: BeyondChapter.self)?.survivalFigure != nil {
            files.append(("what_survives.png", "\(ChapterID.beyond.rawValue)/what_survives.png"))
        }
        for (name, relative) in files {
            let data = try Data(contentsOf: options.outputDirectory.appendingPathComponent(relative))
            try writeAtomically(data, to: folder.appendingPathComponent(name))
            written.append(name)
        }
        return written
    }
}
