import Foundation
import Inference

/// The demo's one page, in the spirit of the notebook's Gradio app: choose an example or
/// upload a clip, submit, read the confidences. Everything is inline (no fonts, scripts or
/// styles from elsewhere) so it works offline; it uses plain form controls, so the keyboard
/// and screen readers work as with any form, and a few lines of plain JavaScript.
enum Page {
    /// The page for `model`: example and class names from the model's `classes`, the analysis
    /// window from its `recipe`.
    static func html(examples: [ExampleCatalog.Example], model: ModelSummary, classes: ModelClasses,
                     recipe: FeatureRecipe) -> String {
        let options = examples.map { e in
            let text = [e.label.map(classes.displayName), e.speaker].compactMap { $0 }.joined(separator: " — ")
            return "<option value=\"\(escape(e.name))\">\(escape(text.isEmpty ? e.name : text)) (\(escape(e.name)))</option>"
        }.joined(separator: "\n")
        let noExamples = examples.isEmpty ? "<p class=\"note\">No example clips were found; upload a clip of your own.</p>" : ""
        return template
            .replacingOccurrences(of: "{{style}}", with: style)
            .replacingOccurrences(of: "{{names}}", with: scriptJSON(displayNames(classes)))
            .replacingOccurrences(of: "{{features}}", with: escape(model.featureSet == "mfcc-means"
                ? "\(recipe.nMFCC) MFCC means (mfcc-means)" : model.featureSet))
            .replacingOccurrences(of: "{{corpus}}", with: escape(model.corpus ?? "the corpus of its study run"))
            .replacingOccurrences(of: "{{duration}}", with: seconds(recipe.duration))
            .replacingOccurrences(of: "{{offset}}", with: seconds(recipe.offset))
            .replacingOccurrences(of: "{{figure_rate}}", with: String(recipe.sampleRate))
            .replacingOccurrences(of: "{{no_examples}}", with: noExamples)
            .replacingOccurrences(of: "{{example_checked}}", with: examples.isEmpty ? "disabled" : "checked")
            .replacingOccurrences(of: "{{file_checked}}", with: examples.isEmpty ? "checked" : "")
            .replacingOccurrences(of: "{{model}}", with: escape("\(model.file), \(model.featureSet) features (\(model.featurePreset) preset), \(model.classes.count) classes"))
            .replacingOccurrences(of: "{{options}}", with: options)
    }

    /// The text of every inline `<script>` element of `html`, as the browser hashes it for the
    /// Content-Security-Policy (everything between `<script>` and `</script>`).
    static func inlineScripts(_ html: String) -> [String] {
        var scripts: [String] = []
        var rest = html[...]
        while let open = rest.range(of: "<script>"), let close = rest.range(of: "</script>", range: open.upperBound..<rest.endIndex) {
            scripts.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return scripts
    }

    /// Code → display name for the page's script, from the model file.
    static func displayNames(_ classes: ModelClasses) -> [String: String] {
        Dictionary(zip(classes.codes, classes.displayNames), uniquingKeysWith: { first, _ in first })
    }

    /// A JSON object safe inside `<script>`: `<`, `>` and `&` escaped so that no value can end
    /// the script element.
    static func scriptJSON(_ value: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return json.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
            .replacingOccurrences(of: "&", with: "\\u0026")
    }

    /// Seconds as people write them: 3, 0.5, 2.25.
    static func seconds(_ s: Double) -> String { String(format: "%g", s) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }

    /// The page that `POST /predict` (the page's form, sent without JavaScript) answers: the
    /// verdict, the confidences highest first as a table with CSS bars, the figures inline, and
    /// a link back. Every name from the model or the upload is escaped.
    static func result(_ report: ClipReport, classes: ModelClasses, clipName: String?) -> String {
        let ranked = report.confidences.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        let rows = ranked.enumerated().map { i, pair in
            let pct = String(format: "%.1f%%", Double(pair.value) * 100)
            let width = String(format: "%.1f%%", min(100, max(0, Double(pair.value) * 100)))
            return "<tr\(i == 0 ? " class=\"top\"" : "")><th scope=\"row\">\(escape(classes.displayName(pair.key)))</th>"
                + "<td class=\"pct\">\(pct)</td>"
                + "<td class=\"bar\"><span class=\"track\"><span class=\"fill\" style=\"width: \(width)\"></span></span></td></tr>"
        }.joined(separator: "\n")
        let clip = clipName.map { "\(escape($0)): " } ?? ""
        let info = clip + String(format: "%.2f s at %d Hz", report.durationSeconds, report.sampleRate)
            + " · model \(escape(report.model.file)) (\(escape(report.model.featurePreset)) features)"
        let figures = report.figures.map { f in
            """
            <figure><img src="\(escape(f.waveform))" alt="Waveform of the clip"><figcaption>Waveform (whole clip)</figcaption></figure>
            <figure><img src="\(escape(f.spectrogram))" alt="Spectrogram of the clip"><figcaption>Spectrogram (dB)</figcaption></figure>
            """
        } ?? ""
        let name = escape(classes.displayName(report.label))
        return standalone(title: "Predicted emotion: \(name)", body: """
          <section class="card" aria-labelledby="verdict">
            <h2 id="verdict">Predicted emotion: <strong id="label">\(name)</strong></h2>
            <table class="confidences">
              <caption>Confidence per emotion, highest first</caption>
              <thead><tr><th scope="col">Emotion</th><th scope="col">Confidence</th><th scope="col"><span class="sr">Bar</span></th></tr></thead>
              <tbody>
        \(rows)
              </tbody>
            </table>
            <p class="note">\(info)</p>
            \(figures)
          </section>
        """)
    }

    /// The page for a failed form upload; the server sends it with `status`, the API's status
    /// for the same error.
    static func error(status: Int, reason: String, message: String) -> String {
        standalone(title: "Could not classify the clip", body: """
          <section class="card">
            <h2>Could not classify the clip</h2>
            <p id="error" role="alert">\(escape(message))</p>
            <p class="note">HTTP \(status) \(escape(reason))</p>
          </section>
        """)
    }

    /// A page around `body` with the demo's heading, its styles and the link back; nothing loaded
    /// from elsewhere.
    private static func standalone(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) — TESS study demo</title>
        <style>
        \(style)</style>
        </head>
        <body>
        <main>
          <h1>Speech emotion recognition</h1>
        \(body)
          <p><a href="/">← Classify another clip</a></p>
        </main>
        </body>
        </html>

        """
    }

    static let style = #"""
  :root { --fg:#1d2330; --muted:#5b6475; --accent:#1f77b4; --bg:#f6f7f9; --card:#fff; }
  * { box-sizing: border-box; }
  body { margin:0; font:16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); }
  main { max-width: 980px; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
  h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
  .muted, .note { color: var(--muted); }
  .card { background: var(--card); border: 1px solid #dde1e8; border-radius: 10px; padding: 1rem 1.25rem; margin-top: 1rem; }
  fieldset { border: 0; padding: 0; margin: 0 0 .75rem; }
  legend { font-weight: 600; margin-bottom: .4rem; }
  .choice { display: grid; grid-template-columns: auto 1fr; gap: .5rem .75rem; align-items: center; }
  select, input[type=file] { font: inherit; max-width: 100%; }
  button { font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 6px; padding: .55rem 1.4rem; cursor: pointer; }
  button[disabled] { opacity: .6; cursor: progress; }
  :focus-visible { outline: 3px solid #ff7f0e; outline-offset: 2px; }
  #error { color: #a4161a; font-weight: 600; }
  #verdict { font-size: 1.35rem; margin: 0 0 .75rem; }
  ol.bars { list-style: none; padding: 0; margin: 0; }
  ol.bars li { display: grid; grid-template-columns: 10rem 1fr 4.5rem; gap: .75rem; align-items: center; margin: .3rem 0; }
  .track { background: #e8ebf0; border-radius: 4px; height: 1.1rem; overflow: hidden; }
  .fill { background: var(--accent); height: 100%; }
  li.top .fill { background: #ff7f0e; }
  .pct { text-align: right; font-variant-numeric: tabular-nums; }
  figure { margin: 1rem 0 0; }
  figure img { width: 100%; height: auto; border: 1px solid #e3e6eb; }
  figcaption { color: var(--muted); font-size: .9rem; }
  audio { width: 100%; margin-top: .5rem; }
  [hidden] { display: none !important; }
  table.confidences { border-collapse: collapse; width: 100%; }
  table.confidences caption { text-align: left; color: var(--muted); margin-bottom: .4rem; }
  table.confidences th, table.confidences td { text-align: left; padding: .25rem .75rem .25rem 0; font-weight: normal; }
  table.confidences thead th { font-weight: 600; }
  table.confidences td.pct { text-align: right; }
  td.bar { width: 60%; }
  td .track, td .fill { display: block; }
  tr.top .fill { background: #ff7f0e; }
  tr.top th { font-weight: 600; }
  .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  a { color: var(--accent); }

"""#

    static let template = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Speech emotion — TESS study demo</title>
<style>
{{style}}</style>
</head>
<body>
<main>
  <h1>Speech emotion recognition</h1>
  <p class="muted">A model over {{features}} (from the TESS study), trained on {{corpus}}.
     Model: {{model}}. Analysis uses {{duration}} s of audio from {{offset}} s into the clip.</p>

  <form id="form" class="card" method="post" action="/predict" enctype="multipart/form-data" aria-describedby="hint">
    <fieldset>
      <legend>Clip</legend>
      <div class="choice">
        <input type="radio" id="src-example" name="source" value="example" {{example_checked}}>
        <label for="src-example">Example clip:</label>
        <span></span>
        <select id="example" name="example" aria-label="Example clip">
{{options}}
        </select>
        <input type="radio" id="src-file" name="source" value="file" {{file_checked}}>
        <label for="src-file">Upload your own (WAV, AIFF or FLAC):</label>
        <span></span>
        <input type="file" id="file" name="file" accept=".wav,.aif,.aiff,.flac,audio/*" aria-label="Audio file to upload">
      </div>
      {{no_examples}}
    </fieldset>
    <p id="hint" class="note">Choosing a file selects “upload”; press Submit (or Enter) to classify.</p>
    <button type="submit" id="submit">Submit</button>
    <p id="error" role="alert" hidden></p>
  </form>

  <section id="result" class="card" hidden aria-live="polite" aria-labelledby="verdict">
    <h2 id="verdict"></h2>
    <ol class="bars" id="bars" aria-label="Confidence per emotion, highest first"></ol>
    <audio id="player" controls></audio>
    <p class="note" id="clipinfo"></p>
    <figure><img id="wave" alt="Waveform of the clip"><figcaption>Waveform (whole clip, {{figure_rate}} Hz)</figcaption></figure>
    <figure><img id="spec" alt="Spectrogram of the clip"><figcaption>Spectrogram (dB)</figcaption></figure>
  </section>
</main>
<script>
(function () {
  "use strict";
  var form = document.getElementById("form"), fileInput = document.getElementById("file");
  var select = document.getElementById("example"), button = document.getElementById("submit");
  var errorBox = document.getElementById("error"), result = document.getElementById("result");
  var player = document.getElementById("player"), playerURL = null;
  var names = {{names}};

  fileInput.addEventListener("change", function () { document.getElementById("src-file").checked = true; });
  select.addEventListener("change", function () { document.getElementById("src-example").checked = true; });

  function showError(message) { errorBox.textContent = message; errorBox.hidden = false; }

  function chosenClip() {
    var source = form.elements.source.value;
    if (source === "file") {
      if (!fileInput.files.length) { return Promise.reject(new Error("Choose an audio file to upload first.")); }
      return Promise.resolve(fileInput.files[0]);
    }
    if (!select.value) { return Promise.reject(new Error("No example clip is available; upload a file.")); }
    return fetch("/api/examples/" + encodeURIComponent(select.value)).then(function (r) {
      if (!r.ok) { throw new Error("Could not load the example (" + r.status + ")."); }
      return r.blob();
    });
  }

  function render(report, clip) {
    var ranked = Object.keys(report.confidences).map(function (k) { return [k, report.confidences[k]]; })
      .sort(function (a, b) { return b[1] - a[1]; });
    document.getElementById("verdict").textContent = "Predicted emotion: " + (names[report.label] || report.label);
    var bars = document.getElementById("bars");
    bars.textContent = "";
    ranked.forEach(function (pair, i) {
      var pct = (pair[1] * 100).toFixed(1) + "%";
      var li = document.createElement("li");
      if (i === 0) { li.className = "top"; }
      var name = document.createElement("span"); name.textContent = names[pair[0]] || pair[0];
      var track = document.createElement("span"); track.className = "track";
      track.setAttribute("role", "img"); track.setAttribute("aria-label", (names[pair[0]] || pair[0]) + " " + pct);
      var fill = document.createElement("span"); fill.className = "fill"; fill.style.display = "block";
      fill.style.width = Math.max(0, Math.min(100, pair[1] * 100)) + "%";
      track.appendChild(fill);
      var value = document.createElement("span"); value.className = "pct"; value.textContent = pct;
      li.appendChild(name); li.appendChild(track); li.appendChild(value);
      bars.appendChild(li);
    });
    document.getElementById("clipinfo").textContent = report.duration_s.toFixed(2) + " s at " + report.sample_rate +
      " Hz · model " + report.model.file + " (" + report.model.feature_preset + " features)";
    if (report.figures) {
      document.getElementById("wave").src = report.figures.waveform;
      document.getElementById("spec").src = report.figures.spectrogram;
    }
    if (playerURL) { URL.revokeObjectURL(playerURL); }
    playerURL = URL.createObjectURL(clip);
    player.src = playerURL;
    result.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    button.disabled = true;
    button.textContent = "Classifying…";
    var clip;
    chosenClip().then(function (blob) {
      clip = blob;
      return fetch("/api/predict?figures=1", { method: "POST", body: blob,
                                               headers: { "Content-Type": "application/octet-stream" } });
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error(body.error || ("HTTP " + r.status)); }
        return body;
      });
    }).then(function (report) { render(report, clip); })
      .catch(function (e) { showError(e.message); })
      .then(function () { button.disabled = false; button.textContent = "Submit"; });
  });
})();
</script>
</body>
</html>
"""#
}
