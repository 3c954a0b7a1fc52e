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

    /// What a model file may ask for. Every size is checked (overflow-checked arithmetic)
    /// against these before a layer is built or a tensor read, so a hostile file cannot make
    /// the loader trap or allocate more than the limits imply.
    public struct Limits: Sendable, Equatable {
        /// Layers in the architecture.
        public var maxLayers = 64
        /// Dimensions of the input shape, and each dimension's largest value.
        public var maxInputRank = 3
        public var maxInputDimension = 65_536
        /// Values per input sample (the product of the input shape).
        public var maxInputSize = 65_536
        /// Conv1D filters, Dense units.
        public var maxFilters = 4096
        public var maxUnits = 65_536
        /// Conv1D kernel size, MaxPool1D pool size and stride.
        public var maxKernelSize = 64
        public var maxPoolSize = 64
        public var maxStride = 64
        /// Trainable parameters of the whole model.
        public var maxParameters = 50_000_000
        /// Values one layer outputs per sample, and all layers together.
        public var maxActivations = 1 << 22
        public var maxTotalActivations = 1 << 23
        /// Values of one Conv1D's im2col matrix per sample (length · kernel · input channels).
        public var maxIm2col = 1 << 23
        /// Bytes of the `architecture` metadata (JSON).
        public var maxArchitectureBytes = 1 << 20

        public init() {}
        public static let `default` = Limits()
    }

    /// A checked architecture: the parameter tensors it implies, in the order and with the keys
    /// and shapes `Sequential` gives them.
    struct Plan {
        var parameters: [(key: String, shape: [Int], layer: String)] = []
        var parameterCount = 0
        var inputSize = 0
        var outputShapes: [[Int]] = []
    }

    /// Checks `arch` against `limits` (`file` names the file in errors) without building a layer.
    static func plan(_ arch: Architecture, limits: Limits, file: String) throws -> Plan {
        func bad(_ what: String) -> NeuralNetError { .invalidFile("\(file): architecture \(what)") }
        func product(_ shape: [Int], _ what: String) throws -> Int {
            var n = 1
            for d in shape {
                let (p, o) = n.multipliedReportingOverflow(by: d)
                guard !o else { throw bad("\(what) \(shape) has more values than an Int holds") }
                n = p
            }
            return n
        }
        func mul(_ a: Int, _ b: Int, _ c: Int = 1, _ what: String) throws -> Int {
            let (ab, o1) = a.multipliedReportingOverflow(by: b)
            let (abc, o2) = ab.multipliedReportingOverflow(by: c)
            guard !o1, !o2 else { throw bad("\(what) overflows an Int") }
            return abc
        }
        func range(_ v: Int, _ lo: Int, _ hi: Int, _ what: String) throws {
            if v < lo { throw bad("\(what) \(v) is below the minimum \(lo)") }
            if v > hi { throw bad("\(what) \(v) is above the limit \(hi)") }
        }
        var plan = Plan()
        let input = arch.inputShape
        guard !input.isEmpty else { throw bad("inputShape is empty") }
        guard input.count <= limits.maxInputRank else {
            throw bad("inputShape has \(input.count) dimensions, above the limit \(limits.maxInputRank)")
        }
        for (i, d) in input.enumerated() { try range(d, 1, limits.maxInputDimension, "inputShape[\(i)]") }
        plan.inputSize = try product(input, "inputShape")
        try range(plan.inputSize, 1, limits.maxInputSize, "inputShape \(input): values per sample")
        guard !arch.layers.isEmpty else { throw bad("has no layers") }
        guard arch.layers.count <= limits.maxLayers else {
            throw bad("has \(arch.layers.count) layers, above the limit \(limits.maxLayers)")
        }
        var shape = input
        var keyCount: [String: Int] = [:]
        var activations = 0
        for (i, spec) in arch.layers.enumerated() {
            let layer = "layers[\(i)] (\(spec.kerasStem))"
            func needsRank(_ r: Int, _ what: String) throws {
                guard shape.count == r else { throw bad("\(layer) needs \(what) input, but the layer before gives \(shape)") }
            }
            func addParameters(_ kernel: [Int], _ bias: [Int]) throws {
                let stem = spec.kerasStem
                let key = "\(stem)_\(keyCount[stem, default: 0])"
                keyCount[stem, default: 0] += 1
                for (name, s) in [("kernel", kernel), ("bias", bias)] {
                    let n = try product(s, "\(layer) \(name) shape")
                    let (total, o) = plan.parameterCount.addingReportingOverflow(n)
                    guard !o, total <= limits.maxParameters else {
                        throw bad("\(layer) brings the parameter count above the limit \(limits.maxParameters) (its \(name) \(s) alone has \(n))")
                    }
                    plan.parameterCount = total
                    plan.parameters.append((key: "\(key).\(name)", shape: s, layer: layer))
                }
            }
            switch spec {
            case let .conv1D(filters, k, _):
                try needsRank(2, "a (length, channels)")
                try range(filters, 1, limits.maxFilters, "\(layer) filters")
                try range(k, 1, limits.maxKernelSize, "\(layer) kernelSize")
                let (length, cin) = (shape[0], shape[1])
                let cols = try mul(length, k, cin, "\(layer) im2col size")
                guard cols <= limits.maxIm2col else {
                    throw bad("\(layer) needs an im2col matrix of \(cols) values per sample (length \(length) × kernelSize \(k) × channels \(cin)), above the limit \(limits.maxIm2col)")
                }
                try addParameters([k, cin, filters], [filters])
                shape = [length, filters]
            case let .maxPool1D(pool, stride):
                try needsRank(2, "a (length, channels)")
                try range(pool, 1, limits.maxPoolSize, "\(layer) poolSize")
                try range(stride, 1, limits.maxStride, "\(layer) stride")
                shape = [MaxPool1DKernel.outputLength(shape[0], pool: pool, stride: stride), shape[1]]
            case let .dropout(rate):
                guard rate.isFinite, rate >= 0, rate < 1 else { throw bad("\(layer) rate \(rate) is outside [0, 1)") }
            case .flatten:
                shape = [try product(shape, "\(layer) input")]
            case .globalAveragePool1D:
                try needsRank(2, "a (length, channels)")
                shape = [shape[1]]
            case let .dense(units, _):
                try needsRank(1, "a flat (features)")
                try range(units, 1, limits.maxUnits, "\(layer) units")
                try addParameters([shape[0], units], [units])
                shape = [units]
            }
            let n = try product(shape, "\(layer) output shape")
            guard n <= limits.maxActivations else {
                throw bad("\(layer) outputs \(shape) = \(n) values per sample, above the limit \(limits.maxActivations)")
            }
            activations += n   // ≤ maxLayers × maxActivations: cannot overflow
            guard activations <= limits.maxTotalActivations else {
                throw bad("\(layer): the layers up to it output \(activations) values per sample, above the limit \(limits.maxTotalActivations)")
            }
            plan.outputShapes.append(shape)
        }
        guard shape.count == 1 else {
            throw bad("layers[\(arch.layers.count - 1)] (\(arch.layers.last!.kerasStem)) outputs \(shape), not a flat vector of class scores")
        }
        return plan
    }

    /// Loads a file written by `save`: the model with its weights, the standardizer if any, and
    /// the whole metadata map. Before any layer is built or any tensor read, the header is
    /// checked against the file (`SafeTensors.File`), the architecture against `limits`, and
    /// every tensor's shape against the architecture; errors name the file and the field.
    public static func load(from url: URL, limits: Limits = .default) throws
        -> (model: Sequential, standardizer: Standardizer?, metadata: [String: String]) {
        let file = try SafeTensors.File(url)
        let path = url.path
        let meta = file.header.metadata
        let entries = file.header.entries
        guard let archJSON = meta["architecture"] else {
            throw NeuralNetError.invalidFile("\(path) is a safetensors file but not a model file (no 'architecture' metadata; format '\(meta["format"]?.prefix(100) ?? "?")')")
        }
        if let f = meta["format"], f != format {
            throw NeuralNetError.invalidFile("\(path): model file format '\(f.prefix(100))', this program reads '\(format)'")
        }
        guard archJSON.utf8.count <= limits.maxArchitectureBytes else {
            throw NeuralNetError.invalidFile("\(path): the 'architecture' metadata has \(archJSON.utf8.count) bytes, above the limit \(limits.maxArchitectureBytes)")
        }
        let arch: Architecture
        do { arch = try JSONDecoder().decode(Architecture.self, from: Data(archJSON.utf8)) } catch let e as DecodingError {
            throw NeuralNetError.invalidFile("\(path): cannot parse the 'architecture' metadata: \(describe(e, json: Data(archJSON.utf8)))")
        } catch {
            throw NeuralNetError.invalidFile("\(path): cannot parse the 'architecture' metadata: \(error)")
        }
        let plan = try plan(arch, limits: limits, file: path)

        // Every tensor the architecture implies, with its shape, before anything is read.
        for p in plan.parameters {
            guard let e = entries[p.key] else {
                throw NeuralNetError.invalidFile("\(path): tensor '\(p.key)' is missing (architecture \(p.layer) needs it, shape \(p.shape))")
            }
            guard e.shape == p.shape else {
                throw NeuralNetError.invalidFile("\(path): tensor '\(p.key)' has shape \(e.shape), architecture \(p.layer) implies \(p.shape)")
            }
        }
        let stdKeys = ["standardizer.mean", "standardizer.std"]
        let present = stdKeys.filter { entries[$0] != nil }
        if present.count == 1 {
            throw NeuralNetError.invalidFile("\(path): tensor '\(present[0])' is there without '\(stdKeys.first { $0 != present[0] }!)'")
        }
        for k in present where entries[k]!.shape != [plan.inputSize] {
            throw NeuralNetError.invalidFile("\(path): tensor '\(k)' has shape \(entries[k]!.shape), the architecture's input implies [\(plan.inputSize)]")
        }

        // Now read them (sizes bounded by the plan). A diverged training, or a damaged file,
        // leaves NaN or infinite weights; the network would then answer NaN for every clip and
        // argmax would still name a class.
        var tensors: [String: Tensor] = [:]
        for name in (plan.parameters.map(\.key) + present).sorted() {
            let t = try file.tensor(name)!
            if let i = t.data.firstIndex(where: { !$0.isFinite }) {
                throw NeuralNetError.invalidFile("\(path): tensor '\(name)' holds \(t.data[i]) at index \(i); "
                                                 + "a model needs finite weights (a diverged training? retrain it)")
            }
            tensors[name] = t
        }
        let model = Sequential(inputShape: arch.inputShape, specs: arch.layers, seed: 0)
        guard model.parameterCount == plan.parameterCount, model.layers.map(\.outputShape) == plan.outputShapes else {
            throw NeuralNetError.invalidFile("\(path): internal error: the checked architecture and the built model differ")
        }
        do { try model.setWeights(tensors) } catch let e as NeuralNetError {
            throw NeuralNetError.invalidFile("\(path): \(e.description)")
        }
        var standardizer: Standardizer? = nil
        if let m = tensors["standardizer.mean"], let s = tensors["standardizer.std"] {
            if let i = s.data.firstIndex(where: { !($0 > 0) }) {
                throw NeuralNetError.invalidFile("\(path): standardizer deviation \(i) is \(s.data[i]); deviations must be positive")
            }
            standardizer = Standardizer(mean: m.data, std: s.data)
        }
        return (model, standardizer, meta)
    }

    /// The first number in the architecture JSON where an Int goes (inputShape's values, a
    /// layer's filters, kernelSize, poolSize, stride, units) that is not an Int: its place and value.
    static func badInteger(_ json: Data) -> (String, String)? {
        guard let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else { return nil }
        func check(_ v: Any, _ place: String) -> (String, String)? {
            guard let n = v as? NSNumber else { return nil }
            let d = n.doubleValue
            if d.rounded() != d || d >= 0x1p63 || d < -0x1p63 { return (place, "\(n)") }
            return nil
        }
        if let shape = root["inputShape"] as? [Any] {
            for (i, v) in shape.enumerated() { if let bad = check(v, "inputShape[\(i)]") { return bad } }
        }
        for (i, layer) in (root["layers"] as? [Any] ?? []).enumerated() {
            guard let l = layer as? [String: Any] else { continue }
            for (kind, body) in l {
                guard let fields = body as? [String: Any] else { continue }
                for key in ["filters", "kernelSize", "poolSize", "stride", "units"] {
                    if let v = fields[key], let bad = check(v, "layers[\(i)].\(kind).\(key)") { return bad }
                }
            }
        }
        return nil
    }

    /// A decoding error of the architecture as one line: the field and what is wrong with it.
    static func describe(_ e: DecodingError, json: Data? = nil) -> String {
        func expected(_ type: Any.Type) -> String {
            if type == Int.self { return "an integer" }
            if type == Float.self || type == Double.self { return "a number" }
            if type == String.self { return "a string" }
            if type == LayerSpec.self { return "a layer (one of conv1D, maxPool1D, dropout, flatten, dense, globalAveragePool1D)" }
            if type == Activation.self { return "an activation (linear, relu, softmax)" }
            return "a \(type)"
        }
        func place(_ path: [CodingKey]) -> String {
            var s = ""
            for k in path { s += k.intValue.map { "[\($0)]" } ?? (s.isEmpty ? k.stringValue : ".\(k.stringValue)") }
            return s.isEmpty ? "the JSON" : s
        }
        switch e {
        case let .typeMismatch(type, c): return "\(place(c.codingPath)) is not \(expected(type))"
        case let .valueNotFound(type, c): return "\(place(c.codingPath)) is null, not \(expected(type))"
        case let .keyNotFound(key, c): return "\(place(c.codingPath)) lacks '\(key.stringValue)'"
        case let .dataCorrupted(c):
            // Foundation's decoder says only "not valid JSON" for 1e30 or 2.5 where an Int goes.
            if c.codingPath.isEmpty, let json, let (where_, value) = badInteger(json) {
                return "\(where_) is \(value), not an integer in Int's range"
            }
            return "\(place(c.codingPath)): \(c.debugDescription.prefix(200))"
        @unknown default: return "\(e)"
        }
    }

    /// The class names stored under `classes` (comma-separated), if any.
    public static func classNames(_ metadata: [String: String]) -> [String]? {
        metadata[classesKey].map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
    }
}
