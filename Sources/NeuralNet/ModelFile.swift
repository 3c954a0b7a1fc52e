// A trained model in one safetensors file: the weights (keyed conv1d_0.kernel … dense_1.bias, as in
// keras-golden.safetensors), the optional standardisation (tensors `standardizer.mean` and
// `standardizer.std`), and metadata that makes the file self-sufficient for prediction:
//
//   format         "tess-neuralnet-v1"
//   architecture   JSON {"inputShape": [40, 1], "layers": [LayerSpec…]} — rebuilds the Sequential
//   model          the model's name, e.g. "notebook-cnn-v1" (informative)
//   standardization "none" | "per-feature z-score (standardizer.mean, standardizer.std)"
//   parameters     total parameter count (informative)
// plus the caller's keys, by convention `classes` (comma-separated, in output order) and
// `feature_preset`. The caller's metadata may not use the reserved keys above.
import Foundation

public enum ModelFile {
    public static let format = "tess-neuralnet-v1"
    /// Conventional metadata keys shared with the Study module.
    public static let classesKey = "classes"
    public static let featurePresetKey = "feature_preset"
    static let reserved: Set<String> = ["format", "architecture", "model", "standardization", "parameters"]

    struct Architecture: Codable {
        var inputShape: [Int]
        var layers: [LayerSpec]
    }

    /// Saves atomically (temporary file + rename).
    public static func save(_ model: Sequential, standardizer: Standardizer? = nil, metadata: [String: String] = [:],
                            modelName: String = NotebookCNN.architecture, to url: URL) throws {
        if let bad = metadata.keys.first(where: { reserved.contains($0) }) {
            throw NeuralNetError.invalidModel("metadata key '\(bad)' is reserved by the model file format")
        }
        if let s = standardizer, s.features != model.inputSize {
            throw NeuralNetError.invalidModel("standardizer has \(s.features) features, the model takes \(model.inputSize)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let arch = String(decoding: try encoder.encode(Architecture(inputShape: model.inputShape, layers: model.specs)), as: UTF8.self)
        var meta = metadata
        meta["format"] = format
        meta["architecture"] = arch
        meta["model"] = modelName
        meta["parameters"] = String(model.parameterCount)
        meta["standardization"] = standardizer == nil ? "none" : "per-feature z-score (standardizer.mean, standardizer.std)"
        var tensors = model.weights().map { (name: $0.key, tensor: $0.tensor) }
        if let s = standardizer {
            tensors.append((name: "standardizer.mean", tensor: Tensor(shape: [s.features], data: s.mean)))
            tensors.append((name: "standardizer.std", tensor: Tensor(shape: [s.features], data: s.std)))
        }
        try SafeTensors.write(tensors, metadata: meta, to: url)
    }

    /// Loads a file written by `save`: the model with its weights, the standardizer if any, and
    /// the whole metadata map.
    public static func load(from url: URL) throws -> (model: Sequential, standardizer: Standardizer?, metadata: [String: String]) {
        let (tensors, meta) = try SafeTensors.read(url)
        guard let archJSON = meta["architecture"] else {
            throw NeuralNetError.invalidFile("\(url.path) is a safetensors file but not a model file (no 'architecture' metadata; format '\(meta["format"] ?? "?")')")
        }
        if let f = meta["format"], f != format {
            throw NeuralNetError.invalidFile("\(url.path): model file format '\(f)', this program reads '\(format)'")
        }
        let arch: Architecture
        do { arch = try JSONDecoder().decode(Architecture.self, from: Data(archJSON.utf8)) } catch {
            throw NeuralNetError.invalidFile("\(url.path): cannot parse the 'architecture' metadata: \(error)")
        }
        // A diverged training, or a damaged file, leaves NaN or infinite weights; the network
        // would then answer NaN for every clip and argmax would still name a class.
        for name in tensors.keys.sorted() {
            if let i = tensors[name]!.data.firstIndex(where: { !$0.isFinite }) {
                throw NeuralNetError.invalidFile("\(url.path): tensor '\(name)' holds \(tensors[name]!.data[i]) at index \(i); "
                                                 + "a model needs finite weights (a diverged training? retrain it)")
            }
        }
        let model = Sequential(inputShape: arch.inputShape, specs: arch.layers, seed: 0)
        do { try model.setWeights(tensors) } catch let e as NeuralNetError {
            throw NeuralNetError.invalidFile("\(url.path): \(e.description)")
        }
        var standardizer: Standardizer? = nil
        if let m = tensors["standardizer.mean"], let s = tensors["standardizer.std"] {
            guard m.count == model.inputSize, s.count == model.inputSize else {
                throw NeuralNetError.invalidFile("\(url.path): standardizer has \(m.count)/\(s.count) values for \(model.inputSize) inputs")
            }
            if let i = s.data.firstIndex(where: { !($0 > 0) }) {
                throw NeuralNetError.invalidFile("\(url.path): standardizer deviation \(i) is \(s.data[i]); deviations must be positive")
            }
            standardizer = Standardizer(mean: m.data, std: s.data)
        }
        return (model, standardizer, meta)
    }

    /// The class names stored under `classes` (comma-separated), if any.
    public static func classNames(_ metadata: [String: String]) -> [String]? {
        metadata[classesKey].map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
    }
}
