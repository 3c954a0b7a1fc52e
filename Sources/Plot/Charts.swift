import Foundation

/// Ready-made general figures in the look of common Python plotting libraries (librosa.display,
/// seaborn, matplotlib, Keras' plot_model). They know nothing of audio, models or any study:
/// callers pass plain numbers and strings. A caller's own chart kinds extend `Charts` in the
/// caller's module (the study's live in `Sources/Study/Charts`).
public enum Charts {
    // MARK: Envelope (librosa waveshow)

    /// A dense signal as a filled min/max envelope at one span per pixel column, x in seconds.
    /// `outline` (points) thickens the envelope like the 1 pt edge matplotlib strokes around
    /// librosa's `waveshow` fill; 0 draws the bare per-column extremes.
    public static func envelope(values: [Float], sampleRate: Double, title: String, xLabel: String = "Time (s)",
                                yLabel: String? = "Amplitude", color: Color = Palette.tab10[0], outline: Double = 1,
                                titleSize: Double = 20, width: Int = 1170, height: Int = 600) -> Figure {
        precondition(sampleRate > 0, "Charts.envelope: sampleRate must be positive")
        let fig = Figure(width: width, height: height)
        let ax = fig.addAxes()
        ax.envelope(values, x0: 0, dx: 1 / sampleRate, color: color, outline: outline)
        var peak: Float = 0
        for v in values where v.isFinite { peak = max(peak, abs(v)) }
        let m = Double(peak > 0 ? peak : 1) * 1.05
        ax.yLimits = (-m, m)
        ax.xLimits = (0, Double(max(1, values.count)) / sampleRate)
        ax.title = title
        ax.titleSize = titleSize
        ax.xLabel = xLabel
        ax.yLabel = yLabel
        return fig
    }

    // MARK: Spectrogram (librosa specshow)

    /// A `rows × cols` matrix of dB values (row-major, row 0 the lowest frequency) over time
    /// 0…xMax s and frequency 0…yMax Hz, through `magma`, with a colorbar as tall as the image.
    public static func spectrogram(db: [Float], rows: Int, cols: Int, xMax: Double, yMax: Double, title: String,
                                   xLabel: String = "Time (s)", yLabel: String = "Hz", colorbarLabel: String? = "dB",
                                   format: String = "%+2.0f dB", vmin: Double? = nil, vmax: Double? = nil,
                                   colormap: Colormap = .magma, titleSize: Double = 20,
                                   width: Int = 1170, height: Int = 600) -> Figure {
        let fig = Figure(width: width, height: height)
        let ax = fig.addAxes()
        ax.image(db, rows: rows, cols: cols, extent: DataRect(x0: 0, x1: xMax, y0: 0, y1: yMax), colormap: colormap,
                 vmin: vmin, vmax: vmax, origin: .lower, interpolation: .smooth)
        ax.colorbar(label: colorbarLabel, format: .printf(format))
        ax.title = title
        ax.titleSize = titleSize
        ax.xLabel = xLabel
        ax.yLabel = yLabel
        return fig
    }

    // MARK: Count plot (seaborn countplot)

    /// One bar per category, seaborn's `deep` palette at its 0.75 saturation.
    public static func countPlot(categories: [String], counts: [Int], xLabel: String = "label", yLabel: String = "count",
                                 title: String? = nil, width: Int = 390, height: Int = 260) -> Figure {
        precondition(categories.count == counts.count, "Charts.countPlot: \(categories.count) categories but \(counts.count) counts")
        let fig = Figure(width: width, height: height)
        let ax = fig.addAxes()
        let x = categories.indices.map(Double.init)
        let colors = categories.indices.map { Palette.deep[$0 % Palette.deep.count].desaturated(0.75) }
        ax.bar(x: x, heights: counts.map(Double.init), width: 0.8, colors: colors)
        ax.xLimits = (-0.5, Double(categories.count) - 0.5)
        ax.xTicks = .fixed(x, labels: categories)
        ax.xLabel = xLabel
        ax.yLabel = yLabel
        ax.title = title
        return fig
    }

    // MARK: Training history

    /// Accuracy and loss per epoch, training against validation, one panel each; the best epoch
    /// (if given) is marked by a dashed line and dots on the validation curves.
    public static func trainingHistory(epochs: [Int], trainAccuracy: [Double], valAccuracy: [Double],
                                       trainLoss: [Double], valLoss: [Double], bestEpoch: Int? = nil,
                                       width: Int = 700, height: Int = 760) -> Figure {
        let fig = Figure(width: width, height: height)
        let axs = fig.subplots(rows: 2, columns: 1)
        let x = epochs.map(Double.init)
        let panels: [(Axes, String, String, [Double], [Double])] = [
            (axs[0], "Accuracy", "accuracy", trainAccuracy, valAccuracy),
            (axs[1], "Loss", "loss", trainLoss, valLoss),
        ]
        for (ax, title, name, train, val) in panels {
            precondition(train.count == x.count && val.count == x.count,
                         "Charts.trainingHistory: \(x.count) epochs but \(train.count)/\(val.count) \(name) values")
            ax.line(x: x, y: train, color: Palette.tab10[0], label: "train \(name)")
            ax.line(x: x, y: val, color: Palette.tab10[1], label: "val \(name)")
            if let best = bestEpoch, let i = epochs.firstIndex(of: best) {
                ax.verticalLine(x: Double(best), color: Color(gray: 0.35), width: 1, dash: .dashed, label: "best epoch (\(best))")
                ax.scatter(x: [Double(best)], y: [val[i]], color: Palette.tab10[1], size: 7, edgeColor: .black)
            }
            ax.title = title
            ax.xLabel = "epochs"
            ax.yLabel = name
            ax.legend()
        }
        return fig
    }

    // MARK: Confusion matrix

    /// Counts with row percentages in every cell (text black or white, whichever contrasts), true
    /// classes down the side, predicted along the bottom; summary scores go in `title`.
    public static func confusionMatrix(counts: [[Int]], labels: [String], title: String,
                                       xLabel: String = "Predicted", yLabel: String = "True",
                                       colormap: Colormap = .blues, width: Int = 640, height: Int = 560) -> Figure {
        let n = labels.count
        precondition(counts.count == n && counts.allSatisfy { $0.count == n },
                     "Charts.confusionMatrix: counts must be \(n)×\(n) for \(n) labels")
        let fig = Figure(width: width, height: height)
        let ax = fig.addAxes()
        let values = counts.flatMap { $0.map(Float.init) }
        let vmax = Double(values.max() ?? 1)
        ax.image(values, rows: n, cols: n, extent: DataRect(x0: 0, x1: Double(n), y0: 0, y1: Double(n)), colormap: colormap,
                 vmin: 0, vmax: max(vmax, 1), origin: .lower, interpolation: .nearest)
        ax.yInverted = true
        ax.colorbar()
        let centres = (0..<n).map { Double($0) + 0.5 }
        ax.xTicks = .fixed(centres, labels: labels)
        ax.yTicks = .fixed(centres, labels: labels)
        ax.xLabel = xLabel
        ax.yLabel = yLabel
        ax.title = title
        // Annotation size: 10 pt, smaller if the cells are small.
        let cellPx = Double(min(width, height)) * 0.7 / Double(max(n, 1))
        let size = min(10, max(5, cellPx / 4.2 * 72 / fig.dpi))
        for (r, row) in counts.enumerated() {
            let total = row.reduce(0, +)
            for (c, count) in row.enumerated() {
                let share = total > 0 ? 100 * Double(count) / Double(total) : 0
                let cell = colormap.color(at: Double(count) / max(vmax, 1))
                let ink = cell.relativeLuminance > 0.408 ? Color(gray: 0.15) : .white
                // Empty cells say just "0", so that the errors stand out.
                let label = count == 0 ? "0" : "\(count)\n\(String(format: "%.1f", share))%"
                ax.text(label, x: Double(c) + 0.5, y: Double(r) + 0.5, size: size, color: ink,
                        horizontal: .center, vertical: count == 0 ? .centerBaseline : .center)
            }
        }
        return fig
    }

    // MARK: Layer diagram (Keras plot_model)

    /// A vertical chain of boxes "name: Type | input: … | output: …" joined by arrows, sized to its
    /// text (measured with DejaVu Sans; if the font is missing, rendering reports it).
    public static func layerDiagram(layers: [(name: String, type: String, inputShape: String, outputShape: String)],
                                    title: String? = nil) -> Figure {
        let fontSize = 10.0, dpi = 100.0
        let font = try? Font.load(path: FontSet.dejaVu.regular, pixelSize: fontSize * dpi / 72)
        func width(_ s: String) -> Double { font?.layout(s).width ?? Double(s.count) * fontSize * 0.62 * dpi / 72 }
        let lineH = (font.map { $0.ascent + $0.descent } ?? fontSize * 1.2) + 8
        let padX = 10.0
        let nameW = (layers.map { width("\($0.name): \($0.type)") }.max() ?? 0) + 2 * padX
        let keyW = max(width("input:"), width("output:")) + 2 * padX
        let shapeW = (layers.flatMap { [width($0.inputShape), width($0.outputShape)] }.max() ?? 0) + 2 * padX
        let boxW = (nameW + keyW + shapeW).rounded(.up)
        let boxH = (2 * lineH).rounded(.up)
        let gap = 34.0
        let margin = 12.0
        let titleH = title == nil ? 0.0 : 30.0
        let figW = Int(boxW + 2 * margin)
        let figH = Int(margin * 2 + titleH + Double(layers.count) * boxH + Double(max(0, layers.count - 1)) * gap)
        let fig = Figure(width: figW, height: max(figH, 40), dpi: dpi)
        let ax = fig.addAxes(frame: Rect(x: 0, y: 0, width: Double(fig.width), height: Double(fig.height)))
        // Data coordinates are pixel coordinates, y downwards.
        ax.xLimits = (0.5, Double(fig.width) - 0.5)
        ax.yLimits = (Double(fig.height) - 0.5, 0.5)
        ax.axisOff = true
        if let title {
            ax.text(title, x: Double(fig.width) / 2, y: margin + titleH / 2, size: 12, horizontal: .center, vertical: .center)
        }
        let border = Color(gray: 0.1)
        for (i, layer) in layers.enumerated() {
            let x0 = margin, y0 = margin + titleH + Double(i) * (boxH + gap)
            let xKey = x0 + nameW, xShape = xKey + keyW, x1 = x0 + boxW, yMid = y0 + lineH, y1 = y0 + boxH
            ax.rectangle(DataRect(x0: x0, x1: x1, y0: y0, y1: y1), fill: .white, edge: border, edgeWidth: 0.72)
            // Dividers one pixel wide, on pixel centres.
            func crisp(_ v: Double) -> Double { v.rounded(.down) + 0.5 }
            for x in [xKey, xShape] {
                ax.line(x: [crisp(x), crisp(x)], y: [y0, y1], color: border, width: 0.72)
            }
            ax.line(x: [xKey, x1], y: [crisp(yMid), crisp(yMid)], color: border, width: 0.72)
            ax.text("\(layer.name): \(layer.type)", x: x0 + nameW / 2, y: y0 + boxH / 2, size: fontSize,
                    horizontal: .center, vertical: .centerBaseline)
            ax.text("input:", x: xKey + keyW / 2, y: y0 + lineH / 2, size: fontSize, horizontal: .center, vertical: .centerBaseline)
            ax.text("output:", x: xKey + keyW / 2, y: yMid + lineH / 2, size: fontSize, horizontal: .center, vertical: .centerBaseline)
            ax.text(layer.inputShape, x: xShape + shapeW / 2, y: y0 + lineH / 2, size: fontSize, horizontal: .center,
                    vertical: .centerBaseline)
            ax.text(layer.outputShape, x: xShape + shapeW / 2, y: yMid + lineH / 2, size: fontSize, horizontal: .center,
                    vertical: .centerBaseline)
            if i + 1 < layers.count {
                let cx = (x0 + boxW / 2).rounded(.down) + 0.5
                ax.arrow(from: (cx, y1 + 1), to: (cx, y1 + gap - 1), color: border, width: 1, headLength: 7, headWidth: 6)
            }
        }
        return fig
    }

    // MARK: Distributions (seaborn boxplot)

    /// One box per group: quartiles, median, whiskers to the furthest points within 1.5 IQR, and
    /// the points beyond as small diamonds.
    public static func boxPlot(groups: [String], values: [[Float]], title: String, yLabel: String,
                               xLabel: String? = nil, width: Int = 700, height: Int = 420) -> Figure {
        precondition(groups.count == values.count, "Charts.boxPlot: \(groups.count) groups but \(values.count) value lists")
        let fig = Figure(width: width, height: height)
        let ax = fig.addAxes()
        let line = Color(gray: 0.24)
        let lw = 1.5
        for (i, vs) in values.enumerated() {
            let s = vs.filter { $0.isFinite }.map(Double.init).sorted()
            guard !s.isEmpty else { continue }
            let q1 = quantile(s, 0.25), med = quantile(s, 0.5), q3 = quantile(s, 0.75)
            let iqr = q3 - q1
            let lowFence = q1 - 1.5 * iqr, highFence = q3 + 1.5 * iqr
            let whiskLo = s.first { $0 >= lowFence } ?? q1, whiskHi = s.last { $0 <= highFence } ?? q3
            let x = Double(i), half = 0.4
            ax.rectangle(DataRect(x0: x - half, x1: x + half, y0: q1, y1: q3),
                         fill: Palette.deep[i % Palette.deep.count].desaturated(0.75), edge: line, edgeWidth: lw)
            ax.line(x: [x - half, x + half], y: [med, med], color: line, width: lw)
            ax.line(x: [x, x], y: [q1, whiskLo], color: line, width: lw)
            ax.line(x: [x, x], y: [q3, whiskHi], color: line, width: lw)
            ax.line(x: [x - half / 2, x + half / 2], y: [whiskLo, whiskLo], color: line, width: lw)
            ax.line(x: [x - half / 2, x + half / 2], y: [whiskHi, whiskHi], color: line, width: lw)
            let outliers = s.filter { $0 < whiskLo || $0 > whiskHi }
            if !outliers.isEmpty {
                ax.scatter(x: Array(repeating: x, count: outliers.count), y: outliers, color: line, size: 5, marker: .diamond)
            }
        }
        let x = groups.indices.map(Double.init)
        ax.xLimits = (-0.5, Double(groups.count) - 0.5)
        ax.xTicks = .fixed(x, labels: groups)
        ax.title = title
        ax.yLabel = yLabel
        ax.xLabel = xLabel
        return fig
    }

    /// numpy's default (linear) quantile of sorted values.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let pos = q * Double(sorted.count - 1)
        let i = Int(floor(pos)), f = pos - Double(i)
        return i + 1 < sorted.count ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i]
    }

    // MARK: Heatmap (seaborn heatmap)

    /// A labelled matrix of crisp cells, first row on top, with a colorbar.
    public static func heatmap(matrix: [[Float]], rowLabels: [String], colLabels: [String], title: String,
                               colormap: Colormap = .viridis, colorbarLabel: String? = nil, xLabel: String? = nil,
                               yLabel: String? = nil, vmin: Double? = nil, vmax: Double? = nil,
                               width: Int = 1000, height: Int = 420) -> Figure {
        let rows = matrix.count, cols = matrix.first?.count ?? 0
        precondition(rows > 0 && cols > 0 && matrix.allSatisfy { $0.count == cols }, "Charts.heatmap: matrix must be rectangular and non-empty")
        precondition(rowLabels.count == rows && colLabels.count == cols,
                     "Charts.heatmap: \(rowLabels.count)×\(colLabels.count) labels for a \(rows)×\(cols) matrix")
        let fig = Figure(width: width, height: height)
        let ax = fig.addAxes()
        ax.image(matrix.flatMap { $0 }, rows: rows, cols: cols, extent: DataRect(x0: 0, x1: Double(cols), y0: 0, y1: Double(rows)),
                 colormap: colormap, vmin: vmin, vmax: vmax, origin: .lower, interpolation: .nearest)
        ax.yInverted = true
        ax.colorbar(label: colorbarLabel)
        ax.xTicks = .fixed((0..<cols).map { Double($0) + 0.5 }, labels: colLabels)
        ax.yTicks = .fixed((0..<rows).map { Double($0) + 0.5 }, labels: rowLabels)
        ax.title = title
        ax.xLabel = xLabel
        ax.yLabel = yLabel
        return fig
    }
}
