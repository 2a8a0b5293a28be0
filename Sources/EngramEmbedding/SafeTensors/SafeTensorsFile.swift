import Foundation

/// A safetensors file mapped read-only into memory: an 8-byte little-endian header length, a JSON
/// header, then the raw tensor data. Tensors are read in place, without copying; pages are loaded
/// by the kernel on first use.
///
/// `@unchecked Sendable`: the mapping is read-only and immutable from `init` until `deinit`, and
/// every pointer handed out points into it, so sharing the file between threads is safe as long as
/// the file object outlives the pointers (its owners keep it alive).
public final class SafeTensorsFile: @unchecked Sendable {
    /// Where a tensor is and what it holds.
    public struct TensorInfo: Sendable, Equatable {
        /// The element type, such as `F32`.
        public let dtype: String
        /// The size of each dimension.
        public let shape: [Int]
        /// The byte range of the data, relative to the start of the mapping.
        public let byteRange: Range<Int>
    }

    /// The largest header this reader accepts (the format's own limit).
    public static let maxHeaderLength = 100_000_000

    /// Every tensor of the file, by name.
    public let tensors: [String: TensorInfo]
    private let base: UnsafeRawPointer
    private let length: Int

    /// Maps the file at `path` and validates its header: every entry has a known element type and
    /// a byte range inside the file that matches its shape.
    public init(path: String) throws(SafeTensorsError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        let length = Int(status.st_size)
        guard length >= 8 else { throw .invalidHeader("the file has \(length) bytes, fewer than 8") }
        guard let mapping = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0),
              mapping != MAP_FAILED
        else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        do {
            tensors = try Self.readHeader(UnsafeRawPointer(mapping), length: length)
        } catch {
            munmap(mapping, length)
            throw error
        }
        self.base = UnsafeRawPointer(mapping)
        self.length = length
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), length)
    }

    /// The F32 tensor `name`, checked to have exactly `shape`, as a buffer into the mapping. The
    /// buffer stays valid while this file object is alive.
    public func floats(_ name: String, shape: [Int]) throws(SafeTensorsError) -> UnsafeBufferPointer<Float> {
        let start = try floatPointer(name, shape: shape)
        return UnsafeBufferPointer(start: start, count: shape.reduce(1, *))
    }

    /// The first element of the F32 tensor `name`, checked to have exactly `shape`. The pointer stays
    /// valid while this file object is alive.
    public func floatPointer(_ name: String, shape: [Int]) throws(SafeTensorsError) -> UnsafePointer<Float> {
        guard let info = tensors[name] else { throw .missingTensor(name) }
        guard info.dtype == "F32" else { throw .wrongElementType(tensor: name, expected: "F32", actual: info.dtype) }
        guard info.shape == shape else { throw .wrongShape(tensor: name, expected: shape, actual: info.shape) }
        let start = base + info.byteRange.lowerBound
        guard Int(bitPattern: start) % MemoryLayout<Float>.alignment == 0 else { throw .misaligned(name) }
        return start.assumingMemoryBound(to: Float.self)
    }

    /// Tells the kernel that the whole pages inside `count` floats from `start` (a pointer this file
    /// handed out) will not be read again, so they stop counting towards resident memory. Reading
    /// them later still works: the pages come back from the file.
    func discardPages(_ start: UnsafePointer<Float>, count: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (Int(bitPattern: start) + page - 1) / page * page
        let end = (Int(bitPattern: start + count)) / page * page
        guard end > first, first >= Int(bitPattern: base), end <= Int(bitPattern: base) + length,
              let pointer = UnsafeMutableRawPointer(bitPattern: first)
        else { return }
        madvise(pointer, end - first, MADV_DONTNEED)
    }

    /// Parses and validates the header at the start of a mapping of `length` bytes.
    private static func readHeader(_ base: UnsafeRawPointer, length: Int) throws(SafeTensorsError) -> [String: TensorInfo] {
        let declaredLength = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        guard declaredLength <= UInt64(maxHeaderLength), Int(declaredLength) <= length - 8 else {
            throw .invalidHeader("header length \(declaredLength) does not fit a file of \(length) bytes")
        }
        let headerLength = Int(declaredLength)
        guard headerLength > 0 else { throw .invalidHeader("the header is empty") }
        let json = Data(bytes: base + 8, count: headerLength)
        let header: SafeTensorsHeader
        do {
            header = try JSONDecoder().decode(SafeTensorsHeader.self, from: json)
        } catch {
            throw .invalidHeader("the header is not the expected JSON")
        }
        let dataStart = 8 + headerLength
        let dataLength = length - dataStart
        var tensors: [String: TensorInfo] = [:]
        for (name, entry) in header.entries {
            guard let elementSize = SafeTensorsHeader.elementSize(of: entry.dtype) else {
                throw .invalidHeader("tensor \(name) has unknown element type \(entry.dtype)")
            }
            guard entry.dataOffsets.count == 2, entry.shape.allSatisfy({ $0 >= 0 }) else {
                throw .invalidHeader("tensor \(name) has a malformed shape or offsets")
            }
            let begin = entry.dataOffsets[0], end = entry.dataOffsets[1]
            guard begin >= 0, begin <= end, end <= dataLength else {
                throw .invalidHeader("tensor \(name) lies outside the file, which may be truncated")
            }
            var elements = 1
            for dimension in entry.shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw .invalidHeader("tensor \(name) is too large") }
                elements = product
            }
            guard elements.multipliedReportingOverflow(by: elementSize) == (end - begin, false) else {
                throw .invalidHeader("tensor \(name) has \(end - begin) bytes, which does not match its shape")
            }
            tensors[name] = TensorInfo(dtype: entry.dtype, shape: entry.shape, byteRange: dataStart + begin..<dataStart + end)
        }
        return tensors
    }
}
