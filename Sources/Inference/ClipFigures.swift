import Audio
import Features
import Foundation
import Plot

/// The waveform and spectrogram of a clip, drawn as the study's EDA chapter draws them (the
/// whole clip, resampled with soxr HQ like `librosa.load`, the spectrogram being the notebook's
/// `amplitude_to_db(abs(stft(y)))`), at a size for a web page.
public struct ClipFigures {
    public var waveform: Figure
    public var spectrogram: Figure

    /// Draws both figures of the clip at `url`, decoded at `sampleRate` (pass the model's
    /// `FeatureRecipe.sampleRate`; librosa's default 22050 Hz is what the notebook drew at).
    ///
    /// `seconds` bounds the work: only the first `seconds` of the clip are decoded and drawn
    /// (nil: the whole clip). `Predictor.figures` passes the recipe's offset + duration, the
    /// part the features look at, so an upload's figures cost at most that much audio at the
    /// analysis rate, whatever its header claims.
    public static func draw(_ url: URL, sampleRate: Int = FeatureRecipe.notebook.sampleRate, seconds: Double? = nil,
                            titleSize: Double = 14, width: Int = 900,
                            waveformHeight: Int = 300, spectrogramHeight: Int = 360) throws -> ClipFigures {
        let signal = try Audio.load(url, sampleRate: sampleRate, duration: seconds, resampler: .soxrHQ)
        let wave = Charts.envelope(values: signal.samples, sampleRate: Double(signal.sampleRate), title: "Waveform",
                                   titleSize: titleSize, width: width, height: waveformHeight)
        let spec = spectrogramDB(signal.samples, sampleRate: signal.sampleRate)
        let spectrogram = Charts.spectrogram(db: spec.db, rows: spec.rows, cols: spec.cols, xMax: spec.seconds,
                                             yMax: Double(signal.sampleRate) / 2, title: "Spectrogram",
                                             titleSize: titleSize, width: width, height: spectrogramHeight)
        return ClipFigures(waveform: wave, spectrogram: spectrogram)
    }

    /// A figure as a `data:image/png;base64,…` URI, for inline `<img src>`.
    public static func dataURI(_ figure: Figure) throws -> String {
        "data:image/png;base64," + (try figure.pngData()).base64EncodedString()
    }
}
