import Foundation

/// What PyTorch computes for small random `BertForSequenceClassification` models, made at test time by
/// Tests/Clients/cross_encoder_reference.py in the `.venv-bench` virtualenv (scripts/client-venvs.sh):
/// each model's folder (weights, config, vocabulary, tokenizer config) and, per (query, document) pair,
/// `BertTokenizer`'s ids and segments and the model's logit.
struct CrossEncoderReference: Decodable, Sendable {
    /// One model and the pairs it scored.
    struct Model: Decodable, Sendable {
        let name: String
        let directory: String
        /// The `max_length` the pairs were truncated to.
        let maxLength: Int
        let cases: [Case]

        private enum CodingKeys: String, CodingKey {
            case name, directory, cases
            case maxLength = "max_length"
        }
    }

    /// One pair with the reference's encoding and logit.
    struct Case: Decodable, Sendable {
        let query: String
        let document: String
        let inputIDs: [Int32]
        let tokenTypeIDs: [Int32]
        let logit: Double

        private enum CodingKeys: String, CodingKey {
            case query, document, logit
            case inputIDs = "input_ids"
            case tokenTypeIDs = "token_type_ids"
        }
    }

    /// Why the reference could not be made, with the command that fixes it.
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    let models: [Model]

    /// The Python of the benchmark virtualenv, which has torch and transformers.
    static let python = ReferenceFixture.packageRoot.appendingPathComponent(".venv-bench/bin/python")

    /// The reference, made once per test run in a temporary folder, or why it could not be.
    static let loaded: Result<CrossEncoderReference, any Error> = Result { try make() }

    private static func make() throws -> CrossEncoderReference {
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw Unavailable(description: "\(python.path) is missing: run `make clients` (scripts/client-venvs.sh) to create the .venv-bench virtualenv with torch and transformers")
        }
        let vocabulary = ReferenceFixture.modelDirectory + "/vocab.txt"
        guard FileManager.default.fileExists(atPath: vocabulary) else {
            throw Unavailable(description: "\(vocabulary) is missing: run `make model`")
        }
        // Under the git-ignored .tmp/, replaced on every run (the models take about 60 MB).
        let directory = ReferenceFixture.packageRoot.appendingPathComponent(".tmp/cross-encoder-reference")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = ReferenceFixture.packageRoot.appendingPathComponent("Tests/Clients/cross_encoder_reference.py")
        let result = try run(python, [script.path, directory.path, vocabulary], in: directory)
        guard result.status == 0 else {
            throw Unavailable(description: "\(script.path) exited \(result.status); run `make clients` if torch or transformers is missing\n\(result.stderr.suffix(4000))")
        }
        return try JSONDecoder().decode(
            CrossEncoderReference.self, from: Data(contentsOf: directory.appendingPathComponent("reference.json"))
        )
    }

    /// Runs `program` to completion, its output collected in files (a pipe could fill and stall it).
    private static func run(_ program: URL, _ arguments: [String], in directory: URL) throws -> (status: Int32, stderr: String) {
        let errors = directory.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging([
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error", "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1",
        ]) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }
}
