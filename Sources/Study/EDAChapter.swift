import Base
import Audio
import Corpus
import Features
import Foundation
import Plot
import Report

/// Chapter 2: what the corpus looks like — counts, durations, and for each emotion the
/// waveform and spectrogram of one clip of each speaker (the notebook drew one per emotion).
enum EDAChapter {
    /// Notebook order of the example figures (its README's example_data_1 is fear, _2 angry).
    static let exampleOrder = ["fear", "angry", "disgust", "neutral", "sad", "ps", "happy"]

    static func run(_ ctx: StudyContext) throws -> ChapterOutput {
        let (root, clips) = try ClipRow.readAll(ctx)
        let folder = ctx.folder(.eda)
        let labels = TESSCorpus.labels
        let speakers = Array(Set(clips.map(\.speaker))).sorted()

        // Counts per label and speaker.
        var counts: [String: [String: Int]] = [:]
        for c in clips { counts[c.label, default: [:]][c.speaker, default: 0] += 1 }
        let countRows = labels.map { l in [l] + speakers.map { String(counts[l]?[$0] ?? 0) } + [String(counts[l]?.values.reduce(0, +) ?? 0)] }
        let countTable = Markdown.table(["label"] + speakers + ["total"], countRows, align: ["l"] + speakers.map { _ in "r" } + ["r"])

        // Durations per speaker and label.
        func stats(_ xs: [Double]) -> [String] {
            guard !xs.isEmpty else { return ["0", "", "", "", ""] }
            let s = xs.sorted()
            return [String(s.count), Markdown.fixed(s.first!, 2), Markdown.fixed(median(s), 2),
                    Markdown.fixed(s.reduce(0, +) / Double(s.count), 2), Markdown.fixed(s.last!, 2)]
        }
        var durationRows: [[String]] = []
        for l in labels {
            durationRows.append([l] + stats(clips.filter { $0.label == l }.map(\.duration)))
        }
        for sp in speakers { durationRows.append(["speaker \(sp)"] + stats(clips.filter { $0.speaker == sp }.map(\.duration))) }
        durationRows.append(["all"] + stats(clips.map(\.duration)))
        let durationTable = Markdown.table(["group", "clips", "min (s)", "median (s)", "mean (s)", "max (s)"], durationRows,
                                           align: ["l", "r", "r", "r", "r", "r"])
        let allDurations = clips.map(\.duration)
        let medianDuration = median(allDurations)
        let shorterThanOffset = allDurations.filter { $0 <= 0.5 }.count
        let longerThanWindow = allDurations.filter { $0 > 3.5 }.count

        // One example per emotion and speaker: the same word for all, when the corpus allows.
        let word = commonWord(clips, labels: labels, speakers: speakers)
        var examples: [[String: Any]] = []
        let figDir = folder.appendingPathComponent("figures")
        let audioDir = folder.appendingPathComponent("audio")
        try FileManager.default.createDirectory(at: figDir, withIntermediateDirectories: true)
        let ordered = exampleOrder.filter(labels.contains) + labels.filter { !exampleOrder.contains($0) }
        var jobs: [(label: String, speaker: String, clip: ClipRow)] = []
        for label in ordered {
            for sp in speakers {
                let candidates = clips.filter { $0.label == label && $0.speaker == sp }
                guard let clip = candidates.first(where: { $0.word == word }) ?? candidates.first else { continue }
                jobs.append((label, sp, clip))
            }
        }
        ctx.progress.start("drawing example clips", total: jobs.count)
        for (i, job) in jobs.enumerated() {
            let url = root.appendingPathComponent(job.clip.path)
            let stem = "\(job.label)_\(job.speaker)"
            // The notebook loads the whole clip at librosa's default 22050 Hz for both figures.
            let signal = try Audio.load(url, sampleRate: 22050, resampler: .soxrHQ)
            let wave = Charts.envelope(values: signal.samples, sampleRate: Double(signal.sampleRate),
                                       title: "\(TESSCorpus.displayName(job.label)) — \(job.speaker)")
            try wave.write(to: figDir.appendingPathComponent("\(stem)_wave.png"))
            let spec = spectrogramDB(signal.samples, sampleRate: signal.sampleRate)
            let specFigure = Charts.spectrogram(db: spec.db, rows: spec.rows, cols: spec.cols,
                                                xMax: spec.seconds, yMax: Double(signal.sampleRate) / 2,
                                                title: "\(TESSCorpus.displayName(job.label)) — \(job.speaker)")
            try specFigure.write(to: figDir.appendingPathComponent("\(stem)_spectrogram.png"))
            // A browser-playable copy of what the figures show (some TESS clips are AIFF, which
            // browsers do not play), from the samples already decoded.
            try AudioFile.writeWAV16(signal.samples, sampleRate: signal.sampleRate,
                                     to: audioDir.appendingPathComponent("\(stem).wav"))
            examples.append([
                "label": job.label, "label_name": TESSCorpus.displayName(job.label), "speaker": job.speaker,
                "path": job.clip.path, "duration": Markdown.fixed(job.clip.duration, 2),
                "wave": "\(ChapterID.eda.rawValue)/figures/\(stem)_wave.png",
                "spectrogram": "\(ChapterID.eda.rawValue)/figures/\(stem)_spectrogram.png",
                "audio": Markdown.audio("\(ChapterID.eda.rawValue)/audio/\(stem).wav", label: job.clip.path),
            ])
            ctx.progress.update("drawing example clips", done: i + 1, total: jobs.count)
        }
        let byLabel = ordered.map { label -> [String: Any] in
            ["label": label, "label_name": TESSCorpus.displayName(label), "clips": examples.filter { ($0["label"] as? String) == label }]
        }

        return ChapterOutput(
            context: [
                "count_table": countTable,
                "duration_table": durationTable,
                "speakers": speakers.joined(separator: ", "),
                "n_speakers": speakers.count,
                "example_word": word ?? "(varies)",
                "emotions": byLabel,
                "n_shorter_than_offset": shorterThanOffset,
                "n_longer_than_window": longerThanWindow,
                "median_duration": Markdown.fixed(medianDuration, 2),
            ],
            summary: [
                "speakers": speakers,
                "counts": counts,
                "duration_s": ["min": allDurations.min() ?? 0, "median": medianDuration, "max": allDurations.max() ?? 0],
                "examples": examples.map { ["label": $0["label"]!, "speaker": $0["speaker"]!, "path": $0["path"]!,
                                            "wave": $0["wave"]!, "spectrogram": $0["spectrogram"]!] },
            ])
    }

    /// A word spoken in every emotion by every speaker, so that examples differ only in emotion.
    static func commonWord(_ clips: [ClipRow], labels: [String], speakers: [String]) -> String? {
        var have: [String: Set<String>] = [:]
        for c in clips { have[c.word, default: []].insert("\(c.label)|\(c.speaker)") }
        let need = labels.count * speakers.count
        let complete = have.filter { $0.value.count == need }.keys.sorted()
        return complete.first(where: { $0 == "back" }) ?? complete.first
    }

    static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

/// The notebook's spectrogram: `amplitude_to_db(abs(librosa.stft(y)))` (ref 1, top 80 dB),
/// returned bin-major (row 0 = 0 Hz) for the figure.
public func spectrogramDB(_ y: [Float], sampleRate: Int) -> (db: [Float], rows: Int, cols: Int, seconds: Double) {
    let magnitude = powerSpectrogram(stft(y), power: 1)
    let db = amplitudeToDB(magnitude, ref: .value(1))
    var rowMajor = [Float](repeating: 0, count: db.values.count)
    for f in 0..<db.frames {
        for b in 0..<db.bins { rowMajor[b * db.frames + f] = db.values[f * db.bins + b] }
    }
    return (rowMajor, db.bins, db.frames, Double(y.count) / Double(sampleRate))
}

