import Base
import Foundation

/// Every figure kind, drawn from fixed synthetic data, and a contact sheet of them, so that a
/// reviewer can see the library's output at a glance (`docs/contact-sheet.png`). The sample data
/// is also what the benchmark draws.
public enum Gallery {
    /// A deterministic generator (64-bit LCG, Knuth's constants): same seed, same data.
    struct Random {
        var state: UInt64
        init(_ seed: UInt64) { state = seed &* 6364136223846793005 &+ 1442695040888963407 }
        mutating func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        mutating func normal() -> Double {
            let u = max(uniform(), 1e-300), v = uniform()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
    }

    /// Loudness of three syllables over `t` seconds.
    static func syllables(_ t: Double, seed: Int) -> Double {
        let shift = Double(seed % 5) * 0.04
        let bumps: [(Double, Double, Double)] = [(0.55 + shift, 0.16, 1.0), (1.2 + shift, 0.2, 0.75), (1.95 - shift, 0.24, 0.55)]
        return bumps.reduce(0) { $0 + $1.2 * exp(-pow((t - $1.0) / $1.1, 2)) }
    }

    /// Fundamental frequency contour, falling like a statement.
    static func pitch(_ t: Double, seed: Int) -> Double {
        (190 + 12 * Double(seed)) * (1 + 0.12 * sin(2 * .pi * t / 1.7)) * exp(-0.12 * t)
    }

    /// Formant resonances of an open vowel: weights of harmonics at `f` Hz.
    static func formants(_ f: Double) -> Double {
        exp(-pow((f - 650) / 300, 2)) + 0.6 * exp(-pow((f - 1700) / 400, 2)) + 0.25 * exp(-pow((f - 2800) / 500, 2))
    }

    /// A speech-like signal: harmonics of a falling pitch shaped by formants, under three
    /// syllables, with breath noise.
    public static func sampleSignal(seconds: Double = 3, sampleRate: Double = 22050, seed: Int = 0) -> [Float] {
        let n = Int(seconds * sampleRate)
        var rng = Random(UInt64(seed + 1))
        var phase = 0.0
        var out = [Float](repeating: 0, count: n)
        let harmonics = 16
        var weights = [Double](repeating: 0, count: harmonics + 1)
        for i in 0..<n {
            let t = Double(i) / sampleRate
            let f0 = pitch(t, seed: seed)
            if i % 256 == 0 {
                for h in 1...harmonics { weights[h] = (0.08 + formants(Double(h) * f0)) / Double(h).squareRoot() }
            }
            phase += 2 * .pi * f0 / sampleRate
            var s = 0.0
            for h in 1...harmonics { s += weights[h] * sin(Double(h) * phase) }
            let loud = syllables(t, seed: seed)
            out[i] = Float(0.3 * loud * s + (0.003 + 0.03 * loud) * rng.normal())
        }
        return out
    }

    /// A `bins × frames` dB spectrogram (row 0 = 0 Hz) of the same kind of voice, from −80 to 0 dB:
    /// harmonics with formant peaks, their energy following the syllables.
    public static func sampleSpectrogram(bins: Int = 1025, frames: Int = 130, sampleRate: Double = 22050,
                                         seed: Int = 0) -> [Float] {
        let nyquist = sampleRate / 2
        let hz = nyquist / Double(bins - 1)
        let seconds = 3.0
        var rng = Random(UInt64(seed + 101))
        var power = [Double](repeating: 0, count: bins * frames)
        for j in 0..<frames {
            let t = (Double(j) + 0.5) / Double(frames) * seconds
            let loud = syllables(t, seed: seed)
            let f0 = pitch(t, seed: seed)
            var h = 1
            while Double(h) * f0 < nyquist {
                let f = Double(h) * f0
                let amp = loud * (0.02 + formants(f)) / Double(h)
                let centre = f / hz
                for k in max(0, Int(centre) - 3)...min(bins - 1, Int(centre) + 4) {
                    let d = (Double(k) - centre) / 1.3
                    power[k * frames + j] += amp * amp * exp(-d * d)
                }
                h += 1
            }
            for k in 0..<bins {
                let noise = 1e-7 * (1 + loud * 30 * exp(-Double(k) * hz / 4000)) * (0.5 + rng.uniform())
                power[k * frames + j] += noise
            }
        }
        let peak = power.max() ?? 1
        return power.map { Float(max(-80, 10 * log10($0 / peak))) }
    }

    /// A plausible training run of `epochs` epochs: accuracies rise towards 0.99, losses fall,
    /// validation a little noisier.
    public static func sampleHistory(epochs: Int = 25) -> (trainAccuracy: [Double], valAccuracy: [Double],
                                                           trainLoss: [Double], valLoss: [Double], best: Int) {
        var rng = Random(7)
        var ta: [Double] = [], va: [Double] = [], tl: [Double] = [], vl: [Double] = []
        for e in 0..<epochs {
            let x = Double(e)
            ta.append(min(0.999, 0.995 - 0.78 * exp(-x / 2.8) + 0.004 * rng.normal()))
            va.append(min(0.999, 0.985 - 0.70 * exp(-x / 2.6) + 0.008 * rng.normal()))
            tl.append(max(0.005, 0.02 + 1.75 * exp(-x / 2.9) + 0.008 * rng.normal()))
            vl.append(max(0.01, 0.045 + 1.6 * exp(-x / 2.7) + 0.002 * x + 0.015 * rng.normal()))
        }
        let best = vl.indices.min { vl[$0] < vl[$1] }!
        return (ta, va, tl, vl, best)
    }

    /// A `classes`-class confusion matrix of 80 test clips per class, mostly right.
    public static func sampleConfusion(classes: Int = 7) -> [[Int]] {
        let pattern: [[Int: Int]] = [[1: 2], [0: 1, 4: 2], [6: 3, 5: 1], [5: 4], [6: 2], [3: 3], [4: 1, 2: 2]]
        return (0..<classes).map { i in
            var row = [Int](repeating: 0, count: classes)
            for (j, c) in pattern[i % pattern.count] where j % classes != i { row[j % classes] += c }
            row[i] = 80 - row.reduce(0, +)
            return row
        }
    }

    /// The study's 1-D CNN, as Keras' `model.summary()` names its layers.
    public static let sampleLayers: [(name: String, type: String, inputShape: String, outputShape: String)] = [
        ("conv1d", "Conv1D", "(None, 40, 1)", "(None, 40, 256)"),
        ("max_pooling1d", "MaxPooling1D", "(None, 40, 256)", "(None, 20, 256)"),
        ("conv1d_1", "Conv1D", "(None, 20, 256)", "(None, 20, 256)"),
        ("max_pooling1d_1", "MaxPooling1D", "(None, 20, 256)", "(None, 10, 256)"),
        ("conv1d_2", "Conv1D", "(None, 10, 256)", "(None, 10, 128)"),
        ("max_pooling1d_2", "MaxPooling1D", "(None, 10, 128)", "(None, 5, 128)"),
        ("dropout", "Dropout", "(None, 5, 128)", "(None, 5, 128)"),
        ("conv1d_3", "Conv1D", "(None, 5, 128)", "(None, 5, 64)"),
        ("max_pooling1d_3", "MaxPooling1D", "(None, 5, 64)", "(None, 3, 64)"),
        ("dropout_1", "Dropout", "(None, 3, 64)", "(None, 3, 64)"),
        ("conv1d_4", "Conv1D", "(None, 3, 64)", "(None, 3, 64)"),
        ("max_pooling1d_4", "MaxPooling1D", "(None, 3, 64)", "(None, 2, 64)"),
        ("flatten", "Flatten", "(None, 2, 64)", "(None, 128)"),
        ("dense", "Dense", "(None, 128)", "(None, 32)"),
        ("dropout_2", "Dropout", "(None, 32)", "(None, 32)"),
        ("dense_1", "Dense", "(None, 32)", "(None, 7)"),
    ]

    /// Per-group values of one coefficient (400 each, `groups` groups), and a `rows` × 40 matrix
    /// of mean coefficients.
    public static func sampleDistributions(groups: Int = 7) -> [[Float]] {
        var rng = Random(11)
        let means: [Double] = [-8, 2, 10, -2, 14, 4, 18]
        let spreads: [Double] = [9, 7, 8, 10, 5, 9, 6]
        return (0..<groups).map { g in (0..<400).map { _ in
            var v = means[g % means.count] + spreads[g % spreads.count] * rng.normal()
            if rng.uniform() < 0.01 { v += 35 * (rng.uniform() - 0.5) * 2 }
            return Float(v)
        } }
    }

    public static func sampleMeanMatrix(rows: Int = 7) -> [[Float]] {
        var rng = Random(13)
        return (0..<rows).map { g in (0..<40).map { c in
            let base = sin(Double(c) * 0.7 + Double(g)) * exp(-Double(c) / 18)
            return Float(1.6 * base + 0.35 * rng.normal())
        } }
    }

    /// Every general figure kind with its file name, the categorical ones over `categories` (at
    /// least one; the signal figures are titled with the third, or the last when there are
    /// fewer). A caller's own chart kinds (the study's, in Study) go in `renderAll`'s `extra`.
    public static func figures(categories: [String]) -> [(name: String, figure: Figure)] {
        precondition(!categories.isEmpty, "Gallery.figures: no categories")
        let k = categories.count
        let example = categories[min(2, k - 1)]
        let sr = 22050.0
        let history = sampleHistory()
        let epochs = Array(0..<history.trainAccuracy.count)
        let confusion = sampleConfusion(classes: k)
        let correct = (0..<k).reduce(0) { $0 + confusion[$1][$1] }
        let total = confusion.joined().reduce(0, +)
        let uar = (0..<k).map { Double(confusion[$0][$0]) / Double(confusion[$0].reduce(0, +)) }.reduce(0, +) / Double(k)
        return [
            ("envelope", Charts.envelope(values: sampleSignal(seed: 2), sampleRate: sr, title: example)),
            ("spectrogram", Charts.spectrogram(db: sampleSpectrogram(seed: 2), rows: 1025, cols: 130, xMax: 3, yMax: sr / 2,
                                               title: example)),
            ("count-plot", Charts.countPlot(categories: categories, counts: Array(repeating: 400, count: k))),
            ("training-history", Charts.trainingHistory(epochs: epochs, trainAccuracy: history.trainAccuracy,
                                                        valAccuracy: history.valAccuracy, trainLoss: history.trainLoss,
                                                        valLoss: history.valLoss, bestEpoch: history.best)),
            ("confusion-matrix", Charts.confusionMatrix(counts: confusion, labels: categories,
                                                        title: String(format: "UAR %.3f, accuracy %.3f", uar, Double(correct) / Double(total)))),
            ("layer-diagram", Charts.layerDiagram(layers: sampleLayers)),
            ("box-plot", Charts.boxPlot(groups: categories, values: sampleDistributions(groups: k), title: "MFCC 2 by emotion",
                                        yLabel: "MFCC 2")),
            ("heatmap", Charts.heatmap(matrix: sampleMeanMatrix(rows: k), rowLabels: categories, colLabels: (1...40).map(String.init),
                                       title: "Mean MFCC per emotion (z-scored per coefficient)", colormap: .rdBu,
                                       colorbarLabel: "z-score", xLabel: "MFCC coefficient", vmin: -3, vmax: 3)),
        ]
    }

    /// Renders every figure (`figures(categories:)`, then `extra`, e.g. a caller's own chart
    /// kinds) into `folder/plot-gallery/<name>.png` and the contact sheet into
    /// `folder/contact-sheet.png`; returns the contact sheet's URL.
    @discardableResult
    public static func renderAll(to folder: URL, categories: [String],
                                 extra: [(name: String, figure: Figure)] = []) throws -> URL {
        let galleryDir = folder.appendingPathComponent("plot-gallery")
        do {
            try FileManager.default.createDirectory(at: galleryDir, withIntermediateDirectories: true)
        } catch {
            throw PlotError.cannotWrite(path: galleryDir.path, reason: "cannot create the folder (\(SystemErrorText.describe(error)))")
        }
        var tiles: [(String, Canvas)] = []
        for (name, fig) in figures(categories: categories) + extra {
            let canvas = try fig.render().canvas
            try canvas.write(to: galleryDir.appendingPathComponent(name + ".png"), compression: .best)
            tiles.append((name, canvas))
        }
        let sheet = try contactSheet(tiles)
        let url = folder.appendingPathComponent("contact-sheet.png")
        try sheet.write(to: url, compression: .best)
        return url
    }

    /// Tiles in columns of `tileWidth` pixels (shrunk with area averaging, never enlarged), each
    /// under its caption, each placed in the currently shortest column.
    public static func contactSheet(_ tiles: [(String, Canvas)], columns: Int = 3, tileWidth: Int = 600) throws -> Canvas {
        let gap = 24, captionH = 26
        let scaled: [(String, Canvas)] = tiles.map { name, c in
            let scale = min(1, Double(tileWidth) / Double(c.width))
            return (name, shrink(c, width: max(1, Int((Double(c.width) * scale).rounded())),
                                 height: max(1, Int((Double(c.height) * scale).rounded()))))
        }
        var heights = [Int](repeating: gap, count: columns)
        var placed: [(String, Canvas, Int, Int)] = []
        for (name, c) in scaled {
            let col = heights.indices.min { heights[$0] < heights[$1] }!
            let x = gap + col * (tileWidth + gap) + (tileWidth - c.width) / 2
            placed.append((name, c, x, heights[col] + captionH))
            heights[col] += captionH + c.height + gap
        }
        let sheet = Canvas(width: gap + columns * (tileWidth + gap), height: heights.max()!, background: Color(gray: 0.93))
        let font = try Font.load(path: FontSet.dejaVu.bold, pixelSize: 14)
        for (name, c, x, y) in placed {
            sheet.draw(text: name, font: font, at: Point(Double(x), Double(y - 8)), color: Color(gray: 0.2))
            sheet.fill(Rect(x: Double(x - 1), y: Double(y - 1), width: Double(c.width + 2), height: Double(c.height + 2)),
                       color: Color(gray: 0.7))
            sheet.blit(rgb: rgbChannels(c), width: c.width, height: c.height, x: x, y: y)
        }
        return sheet
    }

    /// The colour components of an opaque canvas, three per pixel.
    static func rgbChannels(_ c: Canvas) -> [Float] {
        let n = c.width * c.height
        return [Float](unsafeUninitializedCapacity: 3 * n) { out, count in
            c.pixels.withUnsafeBufferPointer { px in
                for i in 0..<n { out[3 * i] = px[4 * i]; out[3 * i + 1] = px[4 * i + 1]; out[3 * i + 2] = px[4 * i + 2] }
            }
            count = 3 * n
        }
    }

    /// An opaque canvas shrunk by area averaging (the three channels as one matrix of 3·width
    /// columns, resampled with taps that move three columns at a time).
    static func shrink(_ c: Canvas, width: Int, height: Int) -> Canvas {
        let out = Canvas(width: width, height: height)
        if width == c.width && height == c.height { out.blit(rgb: rgbChannels(c), width: width, height: height, x: 0, y: 0); return out }
        let rowTaps = Resampler.taps(count: height, inputCount: c.height, start: 0, step: Double(c.height) / Double(height), interpolation: .smooth)
        let colTaps = Resampler.taps(count: width, inputCount: c.width, start: 0, step: Double(c.width) / Double(width), interpolation: .smooth)
        var interleaved = Resampler.Taps()
        for j in 0..<width {
            for k in 0..<3 {
                interleaved.offsets.append(interleaved.indices.count)
                for t in colTaps.offsets[j]..<colTaps.offsets[j + 1] {
                    interleaved.indices.append(3 * colTaps.indices[t] + k)
                    interleaved.weights.append(colTaps.weights[t])
                }
            }
        }
        interleaved.offsets.append(interleaved.indices.count)
        let rgb = Resampler.resample(rgbChannels(c), rows: c.height, cols: 3 * c.width, rowTaps: rowTaps, colTaps: interleaved)
        out.blit(rgb: rgb, width: width, height: height, x: 0, y: 0)
        return out
    }
}
