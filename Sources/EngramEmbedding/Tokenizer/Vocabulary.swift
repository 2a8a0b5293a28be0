/// The WordPiece vocabulary: token strings and their ids, as listed one per line in `vocab.txt`
/// (the line number, from 0, is the id).
public struct Vocabulary: Sendable {
    /// Ids of word-initial pieces, keyed by their UTF-8 bytes (compared byte for byte, as the
    /// reference does, not by Unicode canonical equivalence as `String` would).
    private let initialPieces: [[UInt8]: Int32]
    /// Ids of continuation pieces (`##piece` in the file), keyed by their UTF-8 bytes without `##`.
    private let continuationPieces: [[UInt8]: Int32]

    /// The id of `[CLS]`, which opens every sequence.
    public let classifierID: Int32
    /// The id of `[SEP]`, which closes every sequence.
    public let separatorID: Int32
    /// The id of `[UNK]`, which stands for a word the vocabulary cannot spell.
    public let unknownID: Int32
    /// The number of tokens in the vocabulary.
    public let count: Int

    /// Builds a vocabulary from its tokens in id order.
    public init(tokens: [String]) throws(VocabularyError) {
        var initial: [[UInt8]: Int32] = [:]
        var continuation: [[UInt8]: Int32] = [:]
        initial.reserveCapacity(tokens.count)
        let marker = Array("##".utf8)
        for (index, token) in tokens.enumerated() {
            let id = Int32(truncatingIfNeeded: index)
            let bytes = Array(token.utf8)
            if bytes.count > marker.count, bytes.starts(with: marker) {
                continuation[Array(bytes.dropFirst(marker.count))] = id
            } else {
                initial[bytes] = id
            }
        }
        func special(_ token: String) throws(VocabularyError) -> Int32 {
            guard let id = initial[Array(token.utf8)] else { throw .missingSpecialToken(token) }
            return id
        }
        classifierID = try special("[CLS]")
        separatorID = try special("[SEP]")
        unknownID = try special("[UNK]")
        initialPieces = initial
        continuationPieces = continuation
        count = tokens.count
    }

    /// Parses the contents of a `vocab.txt` file: one token per line, `\n` or `\r\n` line ends.
    public init(fileContents: [UInt8]) throws(VocabularyError) {
        var lines = fileContents.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else { throw .empty }
        let tokens = lines.map { line in
            String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        try self.init(tokens: tokens)
    }

    /// The id of a piece given as UTF-8 bytes, looked up among continuation pieces when
    /// `isContinuation` is set.
    func id(of piece: [UInt8], isContinuation: Bool) -> Int32? {
        isContinuation ? continuationPieces[piece] : initialPieces[piece]
    }
}

/// Why a vocabulary could not be built.
public enum VocabularyError: Error, Equatable, Sendable {
    /// The file lists no token.
    case empty
    /// One of `[CLS]`, `[SEP]` or `[UNK]` is absent.
    case missingSpecialToken(String)
}

extension VocabularyError: CustomStringConvertible {
    /// A one-line description for start-up errors.
    public var description: String {
        switch self {
        case .empty: "the file lists no token"
        case let .missingSpecialToken(token): "the token \(token) is missing"
        }
    }
}
