import Foundation

/// Embeddings are stored as BLOBs of little-endian IEEE-754 float32, 4 bytes a dimension.
enum EmbeddingBlob {
    /// The BLOB of `vector`.
    static func data(from vector: [Float]) -> Data {
        var data = Data(count: vector.count * MemoryLayout<UInt32>.size)
        data.withUnsafeMutableBytes { raw in
            for (index, value) in vector.enumerated() {
                raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: index * 4, as: UInt32.self)
            }
        }
        return data
    }

    /// The vector of a BLOB; trailing bytes that do not make a whole float are ignored.
    static func vector(from bytes: UnsafeRawBufferPointer) -> [Float] {
        let count = bytes.count / 4
        guard count > 0 else { return [] }
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialised in
            append(bytes, dimension: count, into: buffer.baseAddress!)
            initialised = count
        }
    }

    /// Decodes `dimension` floats of `bytes` into `destination`.
    static func append(_ bytes: UnsafeRawBufferPointer, dimension: Int, into destination: UnsafeMutablePointer<Float>) {
        for index in 0..<dimension {
            let bits = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
            destination[index] = Float(bitPattern: bits)
        }
    }
}
