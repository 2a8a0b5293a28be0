import EngramEmbedding
import Foundation
import Testing

@Suite("Safetensors reader")
struct SafeTensorsFileTests {
    /// Writes a safetensors file with the given header JSON and data bytes; returns its path.
    private func write(header: String, data: [UInt8]) throws -> String {
        var bytes: [UInt8] = []
        var padded = Array(header.utf8)
        while (8 + padded.count) % 8 != 0 { padded.append(0x20) }
        withUnsafeBytes(of: UInt64(padded.count).littleEndian) { bytes += $0 }
        bytes += padded + data
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("engram-\(UUID()).safetensors").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func floatBytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    private let validHeader = """
        {"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},\
        "ids":{"dtype":"I64","shape":[1],"data_offsets":[24,32]}}
        """

    @Test("F32 tensors are read by name, in place, with their shapes")
    func readsTensors() throws {
        let path = try write(header: validHeader, data: floatBytes([1, 2, 3, 4, 5, 6]) + [UInt8](repeating: 0, count: 8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try SafeTensorsFile(path: path)
        #expect(Array(try file.floats("w", shape: [2, 3])) == [1, 2, 3, 4, 5, 6])
        #expect(file.tensors["ids"]?.shape == [1])
    }

    @Test("a missing tensor, a wrong shape or a wrong type is a clear error")
    func rejectsWrongRequests() throws {
        let path = try write(header: validHeader, data: floatBytes([1, 2, 3, 4, 5, 6]) + [UInt8](repeating: 0, count: 8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try SafeTensorsFile(path: path)
        #expect(throws: SafeTensorsError.missingTensor("v")) { try file.floats("v", shape: [2, 3]) }
        #expect(throws: SafeTensorsError.wrongShape(tensor: "w", expected: [3, 2], actual: [2, 3])) {
            try file.floats("w", shape: [3, 2])
        }
        #expect(throws: SafeTensorsError.wrongElementType(tensor: "ids", expected: "F32", actual: "I64")) {
            try file.floats("ids", shape: [1])
        }
    }

    @Test("a truncated file, a header longer than the file, or bad JSON is rejected at open")
    func rejectsBrokenFiles() throws {
        let truncated = try write(header: validHeader, data: floatBytes([1, 2, 3]))
        let badJSON = try write(header: "{\"w\": [1, 2", data: [])
        let mismatched = try write(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}}"#, data: floatBytes([1, 2]))
        defer { [truncated, badJSON, mismatched].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        for path in [truncated, badJSON, mismatched] {
            #expect {
                try SafeTensorsFile(path: path)
            } throws: { error in
                guard case SafeTensorsError.invalidHeader = error else { return false }
                return true
            }
        }
        let tiny = FileManager.default.temporaryDirectory.appendingPathComponent("engram-\(UUID()).safetensors").path
        try Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]).write(to: URL(fileURLWithPath: tiny))
        defer { try? FileManager.default.removeItem(atPath: tiny) }
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(path: tiny) }
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(path: tiny + ".absent") }
    }
}
