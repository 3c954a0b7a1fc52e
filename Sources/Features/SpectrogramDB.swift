import Foundation

/// The notebook's spectrogram: `amplitude_to_db(abs(librosa.stft(y)))` (ref 1, top 80 dB),
/// returned bin-major (row 0 = 0 Hz) for the figure: `db[bin * cols + frame]`, `rows` bins,
/// `cols` frames, and the clip's length in seconds (the figure's time axis).
public func spectrogramDB(_ y: [Float], sampleRate: Int) -> (db: [Float], rows: Int, cols: Int, seconds: Double) {
    let magnitude = powerSpectrogram(stft(y), power: 1)
    let db = amplitudeToDB(magnitude, ref: .value(1))
    var rowMajor = [Float](repeating: 0, count: db.values.count)
    for f in 0..<db.frames {
        for b in 0..<db.bins { rowMajor[b * db.frames + f] = db.values[f * db.bins + b] }
    }
    return (rowMajor, db.bins, db.frames, Double(y.count) / Double(sampleRate))
}
