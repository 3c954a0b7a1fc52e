// The notebook's model: layer names, output shapes, parameter counts, summary, initialisation law.
import NeuralNet
import XCTest

final class ModelStructureTests: XCTestCase {
    func testNotebookModelLayers() {
        let model = NotebookCNN.make(seed: 42)
        XCTAssertEqual(model.parameterCount, 559_367)
        let info = model.layerInfo
        XCTAssertEqual(info.map(\.name), ["conv1d", "max_pooling1d", "conv1d_1", "max_pooling1d_1", "conv1d_2",
                                          "max_pooling1d_2", "dropout", "conv1d_3", "max_pooling1d_3", "dropout_1",
                                          "conv1d_4", "max_pooling1d_4", "flatten", "dense", "dropout_2", "dense_1"])
        XCTAssertEqual(info.map(\.tag), ["00_conv1d", "01_maxpool", "02_conv1d", "03_maxpool", "04_conv1d", "05_maxpool",
                                         "06_dropout", "07_conv1d", "08_maxpool", "09_dropout", "10_conv1d", "11_maxpool",
                                         "12_flatten", "13_dense", "14_dropout", "15_dense"])
        XCTAssertEqual(info.map(\.parameters), [1536, 0, 327_936, 0, 163_968, 0, 0, 41024, 0, 0, 20544, 0, 0, 4128, 0, 231])
        XCTAssertEqual(info[0].outputShape, [nil, 40, 256])
        XCTAssertEqual(info[11].outputShape, [nil, 2, 64])
        XCTAssertEqual(info[12].outputShape, [nil, 128])
        XCTAssertEqual(info[15].outputShape, [nil, 7])
        XCTAssertEqual(info[15].activation, "softmax")
        XCTAssertEqual(model.parameters.map(\.key).prefix(4), ["conv1d_0.kernel", "conv1d_0.bias", "conv1d_1.kernel", "conv1d_1.bias"])
        let s = model.summary()
        print(s)
        XCTAssertTrue(s.contains("Total params: 559,367 (2.13 MB)"))
        XCTAssertTrue(s.contains("│ conv1d_1 (Conv1D)"))
        XCTAssertTrue(s.contains("(None, 20, 256)"))
    }

    func testGlorotUniformInitialisation() {
        let model = NotebookCNN.make(seed: 7)
        for layer in model.layers {
            for p in layer.parameters {
                let v = p.value.array
                if p.key.hasSuffix(".bias") { XCTAssertTrue(v.allSatisfy { $0 == 0 }, p.key); continue }
                let fanIn: Int, fanOut: Int
                if p.shape.count == 3 { fanIn = p.shape[0] * p.shape[1]; fanOut = p.shape[0] * p.shape[2] }
                else { fanIn = p.shape[0]; fanOut = p.shape[1] }
                let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
                XCTAssertLessThanOrEqual(v.map(abs).max()!, limit, p.key)
                let mean = v.reduce(0, +) / Float(v.count)
                let std = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(v.count)).squareRoot()
                // U(-a, a) has std a/sqrt(3); allow sampling error for the small kernels.
                XCTAssertEqual(std, limit / Float(3).squareRoot(), accuracy: limit * (v.count > 1000 ? 0.02 : 0.12), p.key)
            }
        }
        // Same seed → same weights; different seed → different weights.
        XCTAssertEqual(NotebookCNN.make(seed: 7).snapshot(), model.snapshot())
        XCTAssertNotEqual(NotebookCNN.make(seed: 8).snapshot(), model.snapshot())
    }
}
