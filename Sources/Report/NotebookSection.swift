import Foundation

/// A report section (Markdown) as a notebook's pair of cells: its prose for a Markdown cell, its
/// tables, figures and audio players for a code cell's outputs, each shown once. Where a block
/// left the prose, the Markdown says what follows below ("*(Below: a table, 2 figures.)*"), so
/// that the text still points at its figures; headings stay, so the notebook's table of contents
/// is the report's.
///
/// Outputs: a table as `text/html` (the report's renderer) with its Markdown as `text/plain`; a
/// figure as `image/png` (base64) with its alt text as `text/plain`; a paragraph with an audio
/// player as `text/html` with the clip as a data URI, as the report embeds it. A table whose cells
/// are images (chapter 2's waveforms and spectrograms) gives its images, one output each.
public struct NotebookSection: Equatable, Sendable {
    public var markdown: String
    public var outputs: [Notebook.Output]

    /// One block of a section, in its order.
    enum Block: Equatable {
        case prose(String)
        case table(String)
        case imageTable(String)
        case figure(alt: String, path: String)
        case audio(String)
    }

    /// `markdown` split; local files (figures, clips) are read from `renderer.baseDirectory`.
    public init(markdown: String, renderer: HTMLReport) {
        var prose: [String] = []
        var outputs: [Notebook.Output] = []
        // What left the prose since its last paragraph, in order: (kind, figure alt text).
        var pending: [(kind: String, alt: String)] = []
        func flushMarker() {
            var parts: [String] = []
            var i = 0
            while i < pending.count {
                let kind = pending[i].kind
                let n = pending[i...].prefix { $0.kind == kind }.count
                switch kind {
                case "figure": parts.append(n == 1 ? "the figure “\(pending[i].alt)”" : "\(n) figures")
                case "table": parts.append(n == 1 ? "a table" : "\(n) tables")
                default: parts.append(n == 1 ? "an audio player" : "\(n) audio players")
                }
                i += n
            }
            if !parts.isEmpty { prose.append("*(Below: \(parts.joined(separator: ", ")).)*") }
            pending = []
        }
        func figure(alt: String, path: String, width: Int? = nil) {
            pending.append(("figure", alt))
            outputs.append(Self.figureOutput(alt: alt, path: path, width: width, renderer: renderer))
        }
        for block in Self.blocks(markdown) {
            switch block {
            case .prose(let text):
                flushMarker()
                prose.append(text)
            case .table(let table):
                pending.append(("table", ""))
                outputs.append(.displayData(data: ["text/html": renderer.renderFragment(markdown: table), "text/plain": table]))
            case .imageTable(let table):
                // Half width, as the report's table shows them side by side.
                for m in table.matches(of: Self.image) { figure(alt: String(m.output.1), path: String(m.output.2), width: Self.tableFigureWidth) }
            case .figure(let alt, let path):
                figure(alt: alt, path: path)
            case .audio(let paragraph):
                pending.append(("audio", ""))
                outputs.append(.displayData(data: ["text/html": renderer.renderFragment(markdown: paragraph),
                                                   "text/plain": Self.plainText(paragraph.replacing(Self.tag, with: ""))]))
            }
        }
        flushMarker()
        self.markdown = prose.joined(separator: "\n\n") + "\n"
        self.outputs = outputs
    }

    /// An image in Markdown as the report writes it: alt text escaped (`Escape.markdown`: no
    /// unescaped `]`), path a URL (`Escape.url`: no space or parenthesis).
    nonisolated(unsafe) static let image = #/!\[((?:\\.|[^\]\\])*)\]\(([^()\s]*)\)/#
    nonisolated(unsafe) static let tag = #/<[^>]*>/#
    /// The display width, in pixels, of a figure from a table of figures.
    static let tableFigureWidth = 560

    /// The blocks of `markdown`: paragraphs (split at blank lines outside fenced code), each a
    /// table (its lines start with `|`), a figure (one image alone), a paragraph with a player,
    /// or prose; consecutive prose is one block.
    static func blocks(_ markdown: String) -> [Block] {
        var paragraphs: [[String]] = []
        var current: [String] = []
        var fence: String?
        func flush() { if !current.isEmpty { paragraphs.append(current); current = [] } }
        for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let f = fence {
                current.append(line)
                if trimmed.hasPrefix(f) { fence = nil }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = String(trimmed.prefix(3))
                current.append(line)
                continue
            }
            if trimmed.isEmpty { flush(); continue }
            // A table starts a paragraph of its own, and prose after it another.
            let isTableLine = trimmed.hasPrefix("|")
            if let last = current.last, last.trimmingCharacters(in: .whitespaces).hasPrefix("|") != isTableLine {
                flush()
            }
            current.append(line)
        }
        flush()

        var out: [Block] = []
        for p in paragraphs {
            let text = p.joined(separator: "\n")
            let block: Block
            let figures = p.compactMap { $0.trimmingCharacters(in: .whitespaces).wholeMatch(of: image) }
            if p.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).hasPrefix("|") }) {
                block = text.contains(image) ? .imageTable(text + "\n") : .table(text + "\n")
            } else if figures.count == p.count {
                // Images alone on their lines (chapter 8's confusion matrices, one a line).
                out += figures.map { .figure(alt: String($0.output.1), path: String($0.output.2)) }
                continue
            } else if text.contains("<audio ") {
                block = .audio(text + "\n")
            } else {
                block = .prose(text)
            }
            if case .prose(let more) = block, case .prose(let before)? = out.last {
                out[out.count - 1] = .prose(before + "\n\n" + more)
            } else {
                out.append(block)
            }
        }
        return out
    }

    /// A figure's output: the PNG file as base64 with its alt text; a file that cannot be read
    /// (missing, too large, not a PNG) stays a link, as in the report.
    static func figureOutput(alt: String, path: String, width: Int?, renderer: HTMLReport) -> Notebook.Output {
        let plain = plainText(alt)
        if let file = renderer.localFile(path), file.pathExtension.lowercased() == "png",
           let data = try? Data(contentsOf: file), data.count <= renderer.maxEmbeddedBytes {
            return .displayData(data: ["image/png": data.base64EncodedString(), "text/plain": plain],
                                metadata: width.map { ["image/png": ["width": .int($0)]] } ?? [:])
        }
        return .displayData(data: ["text/html": renderer.renderFragment(markdown: "![\(alt)](\(path))"), "text/plain": plain])
    }

    /// Inline Markdown as the report escapes it (`Escape.markdown`) back to its text: character
    /// references and backslash escapes decoded, emphasis and code marks dropped.
    static func plainText(_ markdown: String) -> String {
        var out = ""
        var chars = markdown.makeIterator()
        while let ch = chars.next() {
            if ch == "\\", let next = chars.next() {
                if next.isASCII && (next.isPunctuation || next.isSymbol) { out.append(next) } else { out.append(ch); out.append(next) }
            } else if ch != "*" && ch != "`" {
                out.append(ch)
            }
        }
        for (reference, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#92;", "\\"), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: reference, with: character)
        }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
