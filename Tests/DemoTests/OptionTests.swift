import DemoServer
import Foundation
import TestSupport
import XCTest

/// Numeric settings are range-checked: in the library (a `DemoConfiguration` or load-test
/// options built in code) and at the command line, where a bad value is a usage error (exit
/// code 64, a message naming the flag) instead of an overflow trap or a different port.
final class OptionTests: XCTestCase {
    func testConfigurationRanges() throws {
        let model = URL(fileURLWithPath: "/nonexistent/model.safetensors")
        for port in [0, 1, 8080, 65535] {
            XCTAssertNoThrow(try DemoConfiguration(modelURL: model, port: port).validate(), "port \(port)")
        }
        for port in [-1, 65536, 99999, Int.max] {
            XCTAssertThrowsError(try DemoConfiguration(modelURL: model, port: port).validate(), "port \(port)") { error in
                XCTAssertEqual(error as? OutOfRange,
                               OutOfRange(setting: "port", range: "0 and 65535", value: "\(port)"))
            }
        }
        XCTAssertNoThrow(try DemoConfiguration(modelURL: model, maxUploadBytes: 1).validate(), "code may ask for less than 1 MB")
        XCTAssertNoThrow(try DemoConfiguration(modelURL: model, maxUploadBytes: 1 << 30).validate(), "1024 MB is the cap")
        XCTAssertThrowsError(try DemoConfiguration(modelURL: model, maxUploadBytes: (1 << 30) + 1).validate())
        XCTAssertThrowsError(try DemoConfiguration(modelURL: model, maxUploadBytes: 0).validate())
        var config = DemoConfiguration(modelURL: model)
        config.workers = 257
        XCTAssertThrowsError(try config.validate())
        config.workers = 0
        XCTAssertThrowsError(try config.validate())
        config.workers = 256
        XCTAssertNoThrow(try config.validate())
    }

    /// Without --examples the demo offers the clips of the run that saved the model (a model
    /// trained on RAVDESS offers RAVDESS clips, not those of the default output folder).
    func testExamplesDefaultToTheModelsOwnRun() {
        XCTAssertEqual(DemoConfiguration.examplesDirectory(forModel: URL(fileURLWithPath: "/runs/ravdess/05-training/model.safetensors")).path,
                       "/runs/ravdess/02-eda/audio")
        XCTAssertEqual(DemoConfiguration.examplesDirectory(forModel: URL(fileURLWithPath: "output/05-training/model.safetensors")),
                       URL(fileURLWithPath: "output/02-eda/audio"), "the default model keeps the default folder")
    }

    func testLoadTestOptionRanges() {
        XCTAssertNoThrow(try LoadTest.Options().validate(), "the defaults are valid")
        let bad: [(String, (inout LoadTest.Options) -> Void)] = [
            ("clients", { $0.clients = 0 }), ("clients", { $0.clients = 1001 }),
            ("requests", { $0.requests = 0 }), ("sequentialRequests", { $0.sequentialRequests = -1 }),
            ("timeLimit", { $0.timeLimit = 0 }), ("timeLimit", { $0.timeLimit = .nan }),
            ("timeLimit", { $0.timeLimit = .infinity }),
        ]
        for (setting, change) in bad {
            var options = LoadTest.Options()
            change(&options)
            XCTAssertThrowsError(try options.validate(), setting) { error in
                XCTAssertEqual((error as? OutOfRange)?.setting, setting)
            }
        }
    }

    /// The in-process server refuses an out-of-range port rather than binding another one.
    func testServerRefusesOutOfRangePort() async throws {
        let files = try DemoFixture.files.get()
        do {
            let server = try await RunningDemo.start(DemoConfiguration(modelURL: files.model, examplesDirectory: files.examples,
                                                                       port: 65536, workers: 1))
            try await server.stop()
            XCTFail("port 65536 was accepted (listened on \(server.port))")
        } catch let error as OutOfRange {
            XCTAssertEqual(error.setting, "port")
        }
    }

    // MARK: The executable

    static var demoBinary: URL { BuiltProduct.url("study-demo") }

    /// Runs the built `study-demo` (which exits during argument parsing for every case here,
    /// before loading a model or binding a port) and returns its status and output.
    func demo(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try BuiltProduct.run(Self.demoBinary, args)
    }

    func testCommandLineRefusesOutOfRangeNumbers() throws {
        let cases: [(args: [String], message: String)] = [
            (["serve", "--max-upload-mb", "9223372036854775807"], "--max-upload-mb must be between 1 and 1024, not 9223372036854775807"),
            (["serve", "--max-upload-mb", "0"], "--max-upload-mb must be between 1 and 1024, not 0"),
            (["serve", "--port", "99999"], "--port must be between 0 and 65535, not 99999"),
            (["serve", "--port", "65536"], "--port must be between 0 and 65535, not 65536"),
            (["--port=-1"], "--port must be between 0 and 65535, not -1"),
            (["serve", "--workers", "0"], "--workers must be between 1 and 256, not 0"),
            (["serve", "--body-timeout", "0"], "--body-timeout must be between 0.1 and 3600.0, not 0.0"),
            (["load", "--body-timeout", "nan"], "--body-timeout must be between 0.1 and 3600.0, not nan"),
            (["load", "--clients", "0"], "--clients must be between 1 and 1000, not 0"),
            (["load", "--requests", "2000000"], "--requests must be between 1 and 1000000, not 2000000"),
            (["load", "--sequential=-5"], "--sequential must be between 0 and 100000, not -5"),
            (["load", "--time-limit", "0"], "--time-limit must be between 0.1 and 86400.0, not 0.0"),
        ]
        for c in cases {
            let (status, _, err) = try demo(c.args + ["--model", "/nonexistent/model.safetensors"])
            let line = c.args.joined(separator: " ")
            XCTAssertEqual(status, 64, "\(line): a usage error\n\(err)")
            XCTAssertTrue(err.contains(c.message), "\(line): stderr should say '\(c.message)':\n\(err)")
            XCTAssertFalse(err.contains("no model"), "\(line): refused before looking for the model")
        }
        let help = try demo(["serve", "--help"])
        XCTAssertEqual(help.status, 0, help.err)
        let text = help.out.split(whereSeparator: \.isWhitespace).joined(separator: " ")   // help wraps lines
        XCTAssertTrue(text.contains("in MB (1…1024)"), "--help documents the upload cap:\n\(help.out)")
        XCTAssertTrue(text.contains("(0…65535; 0 picks a free one)"), "--help documents the port range:\n\(help.out)")
    }
}
