import Foundation

// Layout: data limits from the data, tick positions from the axis lengths, decoration extents
// from measured text, and panel frames from those extents. Ticks depend on the frames and the
// frames on the tick labels, so the two are iterated until the frames stop moving.

struct AxisTicks {
    var values: [Double] = []
    var labels: [String] = []
    var layouts: [TextLayout] = []
    var rotation: Double = 0
}

struct AxesPlan {
    var xLim: (Double, Double) = (0, 1)
    var yLim: (Double, Double) = (0, 1)
    var frame = Rect(x: 0, y: 0, width: 1, height: 1)
    var xTicks = AxisTicks()
    var yTicks = AxisTicks()
    var colorbarTicks = AxisTicks()
    /// Room the decorations need beyond each side of the frame, in pixels.
    var left = 0.0, right = 0.0, top = 0.0, bottom = 0.0
    /// Room the tick labels alone take below and left of the frame; the axis labels of a grid
    /// row (column) go beyond the largest of them, so that they line up.
    var xTickExtent = 0.0, yTickExtent = 0.0
    var xLabelOffset = 0.0, yLabelOffset = 0.0

    var transform: Transform { Transform(frame: frame, x: xLim, y: yLim) }
}

/// A range of data values with matplotlib's "sticky edges": margins never push a limit past a
/// sticky value that bounds the data (bars stay on y = 0, images fill their extent).
struct Span {
    var lo = Double.infinity
    var hi = -Double.infinity
    var sticky: [Double] = []

    mutating func add(_ v: Double) {
        if v.isFinite { lo = min(lo, v); hi = max(hi, v) }
    }

    func limits(margin: Double) -> (Double, Double) {
        guard lo <= hi else { return (0, 1) }
        if lo == hi {
            let d = lo == 0 ? 1 : abs(lo) * 0.05
            return (lo - d, hi + d)
        }
        var a = lo - margin * (hi - lo), b = hi + margin * (hi - lo)
        let tol = 1e-12 * max(abs(lo), abs(hi))
        if let s = sticky.filter({ $0 <= lo + tol }).max() { a = max(a, s) }
        if let s = sticky.filter({ $0 >= hi - tol }).min() { b = min(b, s) }
        return (a, b)
    }
}

extension FigureRenderer {
    func dataLimits(_ ax: Axes) -> (x: (Double, Double), y: (Double, Double)) {
        var sx = Span(), sy = Span()
        for element in ax.elements {
            switch element {
            case .line(let l):
                for (x, y) in zip(l.x, l.y) where x.isFinite && y.isFinite { sx.add(x); sy.add(y) }
            case .fill(let f):
                for i in f.x.indices { sx.add(f.x[i]); sy.add(f.lower[i]); sy.add(f.upper[i]) }
            case .envelope(let e):
                let end = e.x0 + Double(max(0, e.values.count - 1)) * e.dx
                sx.add(e.x0); sx.add(end); sx.sticky += [e.x0, end]
                if e.minimum <= e.maximum { sy.add(Double(e.minimum)); sy.add(Double(e.maximum)) }
            case .bars(let b):
                for (x, h) in zip(b.x, b.heights) {
                    sx.add(x - b.width / 2); sx.add(x + b.width / 2)
                    sy.add(b.bottom); sy.add(b.bottom + h)
                }
                sy.sticky.append(b.bottom)
            case .scatter(let s):
                for (x, y) in zip(s.x, s.y) where x.isFinite && y.isFinite { sx.add(x); sy.add(y) }
            case .image(let img):
                let e = img.extent
                sx.add(e.x0); sx.add(e.x1); sy.add(e.y0); sy.add(e.y1)
                sx.sticky += [e.x0, e.x1]; sy.sticky += [e.y0, e.y1]
            case .rect(let r):
                sx.add(r.rect.x0); sx.add(r.rect.x1); sy.add(r.rect.y0); sy.add(r.rect.y1)
            case .referenceLine(let r):
                if r.vertical { sx.add(r.value) } else { sy.add(r.value) }
            case .arrow(let a):
                sx.add(a.from.x); sx.add(a.to.x); sy.add(a.from.y); sy.add(a.to.y)
            case .text:
                break
            }
        }
        let x = ax.xLimits ?? sx.limits(margin: ax.xMargin)
        var y = ax.yLimits ?? sy.limits(margin: ax.yMargin)
        if ax.yInverted && y.0 < y.1 { y = (y.1, y.0) }
        return (x, y)
    }

    /// Tick values and labels for one axis of `lengthPx` pixels, mapped by `toPixel`.
    func ticks(spec: TickSpec, format: TickFormat, limits: (Double, Double), lengthPx: Double, horizontal: Bool,
               rotation: Double?, font: Font, toPixel: (Double) -> Double) -> AxisTicks {
        let lo = min(limits.0, limits.1), hi = max(limits.0, limits.1)
        let tol = 1e-9 * max(hi - lo, 1e-300)
        let fontPt = font.pixelSize * 72 / figure.dpi
        let minGap = 0.4 * font.pixelSize
        func build(_ values: [Double], _ labels: [String], rotation: Double) -> AxisTicks {
            AxisTicks(values: values, labels: labels, layouts: labels.map { font.layout($0) }, rotation: rotation)
        }
        /// True when neighbouring labels (sorted along the axis) come closer than `minGap`.
        func overlaps(_ t: AxisTicks) -> Bool {
            let spans: [(Double, Double)] = zip(t.values, t.layouts).map { v, l in
                let p = toPixel(v)
                let extent: Double
                if horizontal {
                    extent = t.rotation == 0 ? l.width : (t.rotation == 90 ? l.height : l.height / sin(t.rotation * .pi / 180))
                } else {
                    extent = l.height
                }
                return (p - extent / 2, p + extent / 2)
            }.sorted { $0.0 < $1.0 }
            for i in 1..<max(1, spans.count) where spans[i].0 < spans[i - 1].1 + minGap { return true }
            return false
        }
        switch spec {
        case .none:
            return AxisTicks()
        case .fixed(let values, let labels):
            var v: [Double] = [], l: [String] = []
            let formatted = labels ?? format.labels(for: values)
            for (i, x) in values.enumerated() where x >= lo - tol && x <= hi + tol {
                v.append(x)
                l.append(i < formatted.count ? formatted[i] : "")
            }
            var t = build(v, l, rotation: rotation ?? 0)
            if horizontal && rotation == nil && overlaps(t) { t.rotation = 90 }
            // Still crowded: label every k-th tick only (seaborn's "auto" tick labels).
            var k = 2
            while overlaps(t) && k < v.count {
                let keep = v.indices.filter { $0 % k == 0 }
                t = build(keep.map { v[$0] }, keep.map { l[$0] }, rotation: t.rotation)
                k += 1
            }
            return t
        case .auto:
            let lengthPt = lengthPx * 72 / figure.dpi
            var bins = Int(floor(lengthPt / (fontPt * (horizontal ? 3 : 2))))
            bins = min(9, max(1, bins))
            while true {
                let v = TickLocator.ticks(lo, hi, maxBins: bins)
                let t = build(v, format.labels(for: v), rotation: rotation ?? 0)
                if bins == 1 || !overlaps(t) { return t }
                bins -= 1
            }
        }
    }

    func xTickPlacement(_ t: AxisTicks) -> HorizontalAlignment {
        t.rotation == 0 || t.rotation == 90 ? .center : .right
    }

    /// Computes ticks and decoration extents of panel `i` for its current frame.
    func measure(_ i: Int) throws {
        let ax = figure.axes[i]
        var plan = plans[i]
        let f = plan.frame
        let tr = plan.transform
        var left = 0.0, right = 0.0, top = 0.0, bottom = 0.0
        let tickFont = try font(ax.tickFontSize)
        let labelFont = try font(ax.labelFontSize)
        if !ax.axisOff {
            plan.xTicks = ticks(spec: ax.xTicks, format: ax.xTickFormat, limits: plan.xLim, lengthPx: f.width,
                                horizontal: true, rotation: ax.xTickRotation, font: tickFont, toPixel: tr.px)
            plan.yTicks = ticks(spec: ax.yTicks, format: ax.yTickFormat, limits: plan.yLim, lengthPx: f.height,
                                horizontal: false, rotation: 0, font: tickFont, toPixel: tr.py)
            var below = ax.showFrame ? 1.0 : 0
            for (v, l) in zip(plan.xTicks.values, plan.xTicks.layouts) {
                let box = l.placement(at: Point(tr.px(v), f.maxY + tickLength + tickPad),
                                      horizontal: xTickPlacement(plan.xTicks), vertical: .top,
                                      rotation: plan.xTicks.rotation).box
                below = max(below, box.maxY - f.maxY)
                left = max(left, f.minX - box.minX)
                right = max(right, box.maxX - f.maxX)
            }
            if !plan.xTicks.values.isEmpty { below = max(below, tickLength) }
            plan.xTickExtent = below
            if let xl = ax.xLabel, !xl.isEmpty { below += labelPad + labelFont.layout(xl).height }
            bottom = below
            var beside = ax.showFrame ? 1.0 : 0
            for (v, l) in zip(plan.yTicks.values, plan.yTicks.layouts) {
                let box = l.placement(at: Point(f.minX - tickLength - tickPad, tr.py(v)), horizontal: .right,
                                      vertical: .centerBaseline, rotation: 0).box
                beside = max(beside, f.minX - box.minX)
                top = max(top, f.minY - box.minY)
                bottom = max(bottom, box.maxY - f.maxY)
            }
            if !plan.yTicks.values.isEmpty { beside = max(beside, tickLength) }
            plan.yTickExtent = beside
            if let yl = ax.yLabel, !yl.isEmpty { beside += labelPad + labelFont.layout(yl).height }
            left = max(left, beside)
        }
        if let title = ax.title, !title.isEmpty {
            top = max(top, titlePad + (try font(ax.titleSize)).layout(title).height)
        }
        if let cb = ax.colorbarSpec {
            let cbFrame = colorbarFrame(f)
            let cbTr = Transform(frame: cbFrame, x: (0, 1), y: (cb.vmin, cb.vmax))
            plan.colorbarTicks = ticks(spec: .auto, format: cb.format, limits: (cb.vmin, cb.vmax), lengthPx: cbFrame.height,
                                       horizontal: false, rotation: 0, font: tickFont, toPixel: cbTr.py)
            var extent = cbFrame.maxX - f.maxX + tickLength + tickPad
            var widest = 0.0
            for (v, l) in zip(plan.colorbarTicks.values, plan.colorbarTicks.layouts) {
                widest = max(widest, l.width)
                let box = l.placement(at: Point(cbFrame.maxX + tickLength + tickPad, cbTr.py(v)), horizontal: .left,
                                      vertical: .centerBaseline, rotation: 0).box
                top = max(top, f.minY - box.minY)
                bottom = max(bottom, box.maxY - f.maxY)
            }
            extent += widest
            if let label = cb.label, !label.isEmpty { extent += labelPad + labelFont.layout(label).height }
            right = max(right, extent)
        }
        plan.left = left; plan.right = right; plan.top = top; plan.bottom = bottom
        plans[i] = plan
    }

    /// The colorbar beside a frame: as tall as the frame, a twentieth of that wide.
    func colorbarFrame(_ f: Rect) -> Rect {
        let pad = max(figure.points(8), 0.025 * f.width).rounded()
        let w = min(max(f.height / 20, 8), figure.points(18)).rounded()
        return Rect(x: f.maxX + pad, y: f.minY, width: w, height: f.height)
    }

    /// Places the grid panels so that every decoration fits inside the figure, with panels of a
    /// column sharing their left and right edges and panels of a row their top and bottom.
    func solveGrid() throws {
        let fig = figure
        for (i, ax) in fig.axes.enumerated() {
            if let fixed = ax.fixedFrame { plans[i].frame = fixed }
        }
        let rows = fig.rows, cols = fig.columns
        guard rows > 0, cols > 0 else { return }
        let pad = fig.points(fig.padding), gap = fig.points(fig.spacing)
        var topStart = pad
        if let t = fig.title, !t.isEmpty { topStart += (try font(fig.titleSize)).layout(t).height + fig.points(6) }
        var colL = [Double](repeating: 0, count: cols), colR = colL
        var rowT = [Double](repeating: 0, count: rows), rowB = rowT
        var colTicks = [Double](repeating: 0, count: cols), rowTicks = [Double](repeating: 0, count: rows)
        for (i, ax) in fig.axes.enumerated() where ax.fixedFrame == nil {
            colTicks[ax.column] = max(colTicks[ax.column], plans[i].yTickExtent)
            rowTicks[ax.row] = max(rowTicks[ax.row], plans[i].xTickExtent)
        }
        for (i, ax) in fig.axes.enumerated() where ax.fixedFrame == nil {
            // Aligning the labels may push them out: account for that in the extents.
            plans[i].yLabelOffset = colTicks[ax.column]
            plans[i].xLabelOffset = rowTicks[ax.row]
            plans[i].left += colTicks[ax.column] - plans[i].yTickExtent
            plans[i].bottom += rowTicks[ax.row] - plans[i].xTickExtent
            plans[i].yTickExtent = colTicks[ax.column]
            plans[i].xTickExtent = rowTicks[ax.row]
            colL[ax.column] = max(colL[ax.column], plans[i].left)
            colR[ax.column] = max(colR[ax.column], plans[i].right)
            rowT[ax.row] = max(rowT[ax.row], plans[i].top)
            rowB[ax.row] = max(rowB[ax.row], plans[i].bottom)
        }
        let wr = fig.columnWidths?.count == cols ? fig.columnWidths! : Array(repeating: 1, count: cols)
        let hr = fig.rowHeights?.count == rows ? fig.rowHeights! : Array(repeating: 1, count: rows)
        let availW = max(Double(cols) * 10, Double(fig.width) - 2 * pad - colL.reduce(0, +) - colR.reduce(0, +) - Double(cols - 1) * gap)
        let availH = max(Double(rows) * 10, Double(fig.height) - topStart - pad - rowT.reduce(0, +) - rowB.reduce(0, +) - Double(rows - 1) * gap)
        var xs: [(Double, Double)] = [], ys: [(Double, Double)] = []
        var x = pad
        for c in 0..<cols {
            x += colL[c]
            let w = availW * wr[c] / wr.reduce(0, +)
            xs.append((x.rounded(), (x + w).rounded()))
            x += w + colR[c] + gap
        }
        var y = topStart
        for r in 0..<rows {
            y += rowT[r]
            let h = availH * hr[r] / hr.reduce(0, +)
            ys.append((y.rounded(), (y + h).rounded()))
            y += h + rowB[r] + gap
        }
        for (i, ax) in fig.axes.enumerated() where ax.fixedFrame == nil {
            let (x0, x1) = xs[ax.column], (y0, y1) = ys[ax.row]
            plans[i].frame = Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
        }
    }

    func layout() throws {
        plans = figure.axes.map { ax in
            var p = AxesPlan()
            (p.xLim, p.yLim) = dataLimits(ax)
            return p
        }
        try solveGrid()
        for _ in 0..<4 {
            let before = plans.map(\.frame)
            for i in plans.indices { try measure(i) }
            try solveGrid()
            if plans.map(\.frame) == before { break }
        }
        for i in plans.indices { try measure(i) }
    }
}
