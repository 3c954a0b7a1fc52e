import Foundation

// Legends, sized like matplotlib's (paddings in fractions of the font size) and placed, for
// `.best`, where they cover the fewest data vertices and segments.

enum LegendHandle {
    case line(color: Color, width: Double, dash: [Double], marker: Marker?, markerSize: Double)
    case patch(Color)
    case marker(Marker, Color, size: Double)
}

extension FigureRenderer {
    func legendEntries(_ ax: Axes) -> [(String, LegendHandle)] {
        var out: [(String, LegendHandle)] = []
        for element in ax.elements {
            switch element {
            case .line(let l):
                guard let label = l.label else { continue }
                let w = figure.points(l.width)
                out.append((label, .line(color: l.color, width: w, dash: l.dash.pattern(width: w, dpi: figure.dpi),
                                         marker: l.marker, markerSize: figure.points(l.markerSize))))
            case .referenceLine(let r):
                guard let label = r.label else { continue }
                let w = figure.points(r.width)
                out.append((label, .line(color: r.color, width: w, dash: r.dash.pattern(width: w, dpi: figure.dpi),
                                         marker: nil, markerSize: 0)))
            case .fill(let f):
                if let label = f.label { out.append((label, .patch(f.color))) }
            case .envelope(let e):
                if let label = e.label { out.append((label, .patch(e.color))) }
            case .bars(let b):
                if let label = b.label { out.append((label, .patch(b.colors[0]))) }
            case .rect(let r):
                if let label = r.label, let fill = r.fill { out.append((label, .patch(fill))) }
            case .scatter(let s):
                if let label = s.label { out.append((label, .marker(s.marker, s.colors[0], size: figure.points(s.size)))) }
            case .image, .text, .arrow:
                continue
            }
        }
        return out
    }

    /// How much data a legend box at `box` would hide.
    func badness(_ box: Rect, ax: Axes, tr: Transform, frame f: Rect) -> Int {
        var score = 0
        func segments(_ pts: [Point]) {
            for p in pts where box.contains(p) { score += 1 }
            for k in 1..<max(1, pts.count) where segmentIntersects(pts[k - 1], pts[k], box) { score += 1 }
        }
        for element in ax.elements {
            switch element {
            case .line(let l):
                segments(zip(l.x, l.y).filter { $0.0.isFinite && $0.1.isFinite }.map { tr.apply($0.0, $0.1) })
            case .referenceLine(let r):
                segments(r.vertical ? [Point(tr.px(r.value), f.minY), Point(tr.px(r.value), f.maxY)]
                                    : [Point(f.minX, tr.py(r.value)), Point(f.maxX, tr.py(r.value))])
            case .fill(let fl):
                for i in fl.x.indices {
                    if box.contains(tr.apply(fl.x[i], fl.upper[i])) { score += 1 }
                    if box.contains(tr.apply(fl.x[i], fl.lower[i])) { score += 1 }
                }
            case .envelope(let e):
                // One count per pixel column of the envelope that the box would cover.
                let n = e.values.count
                let step = max(1, Int(Double(n) / max(1, f.width)))
                var i = 0
                while i < n {
                    let chunk = e.values[i..<min(n, i + step)]
                    let x = tr.px(e.x0 + Double(i) * e.dx)
                    if x >= box.minX && x <= box.maxX, let lo = chunk.min(), let hi = chunk.max() {
                        let a = tr.py(Double(hi)), b = tr.py(Double(lo))
                        if max(a, b) >= box.minY && min(a, b) <= box.maxY { score += 1 }
                    }
                    i += step
                }
            case .bars(let b):
                for (x, h) in zip(b.x, b.heights) {
                    let r = Rect(corners: tr.apply(x - b.width / 2, b.bottom), tr.apply(x + b.width / 2, b.bottom + h))
                    if r.intersects(box) { score += 1 }
                }
            case .rect(let r):
                if Rect(corners: tr.apply(r.rect.x0, r.rect.y0), tr.apply(r.rect.x1, r.rect.y1)).intersects(box) { score += 1 }
            case .scatter(let s):
                for (x, y) in zip(s.x, s.y) where box.contains(tr.apply(x, y)) { score += 1 }
            case .text(let t):
                let p = t.coordinates == .data ? tr.apply(t.x, t.y) : tr.fraction(t.x, t.y)
                if box.insetBy(dx: -10, dy: -10).contains(p) { score += 1 }
            case .image, .arrow:
                continue
            }
        }
        return score
    }

    func drawLegend(_ ax: Axes, location: LegendLocation, tr: Transform, frame f: Rect, axesIndex: Int) throws {
        let entries = legendEntries(ax)
        guard !entries.isEmpty else { return }
        let font = try self.font(ax.legendFontSize)
        let fs = font.pixelSize
        let borderPad = 0.4 * fs, labelSpacing = 0.5 * fs, handleLength = 2 * fs, handleTextPad = 0.8 * fs
        let axesPad = 0.5 * fs
        let layouts = entries.map { font.layout($0.0) }
        let rowH = layouts.map(\.height).max() ?? fs
        let w = (2 * borderPad + handleLength + handleTextPad + (layouts.map(\.width).max() ?? 0)).rounded(.up)
        let h = (2 * borderPad + Double(entries.count) * rowH + Double(entries.count - 1) * labelSpacing).rounded(.up)
        func box(_ loc: LegendLocation) -> Rect {
            let left = f.minX + axesPad, right = f.maxX - axesPad - w, midX = f.midX - w / 2
            let top = f.minY + axesPad, bottom = f.maxY - axesPad - h, midY = f.midY - h / 2
            let (x, y): (Double, Double)
            switch loc {
            case .best, .upperRight: (x, y) = (right, top)
            case .upperLeft: (x, y) = (left, top)
            case .lowerLeft: (x, y) = (left, bottom)
            case .lowerRight: (x, y) = (right, bottom)
            case .right, .centerRight: (x, y) = (right, midY)
            case .centerLeft: (x, y) = (left, midY)
            case .lowerCenter: (x, y) = (midX, bottom)
            case .upperCenter: (x, y) = (midX, top)
            case .center: (x, y) = (midX, midY)
            }
            return Rect(x: x.rounded(), y: y.rounded(), width: w, height: h)
        }
        var chosen = box(location)
        if location == .best {
            let order: [LegendLocation] = [.upperRight, .upperLeft, .lowerLeft, .lowerRight, .right, .centerLeft,
                                           .centerRight, .lowerCenter, .upperCenter, .center]
            var best = Int.max
            for loc in order {
                let b = box(loc)
                let score = badness(b, ax: ax, tr: tr, frame: f)
                if score < best { best = score; chosen = b }
                if score == 0 { break }
            }
        }
        canvas.fill(roundedRect(chosen, radius: 0.2 * fs), color: Color(1, 1, 1, 0.8))
        strokeRect(chosen, color: Color(gray: 0.8), width: 1, radius: 0.2 * fs, clip: nil)
        for (k, (label, handle)) in entries.enumerated() {
            let yc = chosen.minY + borderPad + Double(k) * (rowH + labelSpacing) + rowH / 2
            let x0 = chosen.minX + borderPad
            switch handle {
            case .line(let color, let width, let dash, let marker, let markerSize):
                canvas.stroke([Point(x0, yc), Point(x0 + handleLength, yc)], width: width, color: color, dash: dash)
                if let marker { drawMarker(marker, at: Point(x0 + handleLength / 2, yc), diameter: markerSize, color: color, edge: nil, clip: nil) }
            case .patch(let color):
                canvas.fill(Rect(x: x0, y: yc - 0.35 * fs, width: handleLength, height: 0.7 * fs), color: color)
            case .marker(let m, let color, let size):
                drawMarker(m, at: Point(x0 + handleLength / 2, yc), diameter: size, color: color, edge: nil, clip: nil)
            }
            text(label, font: font, at: Point(x0 + handleLength + handleTextPad, yc), horizontal: .left, vertical: .centerBaseline,
                 role: .legend, axes: axesIndex)
        }
    }
}

/// True when segment a–b meets rectangle r (Liang–Barsky).
func segmentIntersects(_ a: Point, _ b: Point, _ r: Rect) -> Bool {
    var t0 = 0.0, t1 = 1.0
    let dx = b.x - a.x, dy = b.y - a.y
    for (p, q) in [(-dx, a.x - r.minX), (dx, r.maxX - a.x), (-dy, a.y - r.minY), (dy, r.maxY - a.y)] {
        if p == 0 {
            if q < 0 { return false }
        } else {
            let t = q / p
            if p < 0 { if t > t1 { return false }; t0 = max(t0, t) } else { if t < t0 { return false }; t1 = min(t1, t) }
        }
    }
    return true
}
