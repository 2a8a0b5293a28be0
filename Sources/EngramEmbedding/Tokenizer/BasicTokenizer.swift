import Foundation

/// BERT's basic tokenisation for uncased models: text cleaning, CJK ideographs split out, accent
/// stripping (NFD, then nonspacing marks dropped), lowercasing, then splitting on whitespace and
/// punctuation. The order of the steps is the reference's (Hugging Face `BertNormalizer` followed by
/// `BertPreTokenizer`).
enum BasicTokenizer {
    /// Words of a normalised text, stored flat: word `i` is `scalars[bounds[i]]`.
    struct Words {
        /// The scalars of every word, one after the other.
        var scalars: [Unicode.Scalar] = []
        /// The range of each word in `scalars`, in text order.
        var bounds: [Range<Int>] = []
    }

    /// Normalises `text` and splits it into words.
    static func words(in text: String) -> Words {
        var cleaned = String.UnicodeScalarView()
        var isASCII = true
        for scalar in text.unicodeScalars {
            if scalar.isBERTRemovable { continue }
            if scalar.isBERTWhitespace {
                cleaned.append(" ")
            } else if scalar.isCJKIdeograph {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
                isASCII = false
            } else {
                cleaned.append(scalar)
                isASCII = isASCII && scalar.isASCII
            }
        }
        let decomposed = isASCII ? String(cleaned) : String(cleaned).decomposedStringWithCanonicalMapping

        var words = Words()
        words.scalars.reserveCapacity(decomposed.unicodeScalars.count)
        var wordStart = 0
        func closeWord() {
            if words.scalars.count > wordStart {
                words.bounds.append(wordStart..<words.scalars.count)
            }
            wordStart = words.scalars.count
        }
        for scalar in decomposed.unicodeScalars {
            if scalar.isASCII {
                if scalar.isBERTWhitespace {
                    closeWord()
                } else if scalar.isBERTPunctuation {
                    closeWord()
                    words.scalars.append(scalar)
                    closeWord()
                } else if ("A"..."Z").contains(scalar) {
                    words.scalars.append(Unicode.Scalar(UInt8(scalar.value) + 0x20))
                } else {
                    words.scalars.append(scalar)
                }
                continue
            }
            if scalar.isNonspacingMark { continue }
            for lowered in scalar.properties.lowercaseMapping.unicodeScalars {
                if lowered.isBERTWhitespace {
                    closeWord()
                } else if lowered.isBERTPunctuation {
                    closeWord()
                    words.scalars.append(lowered)
                    closeWord()
                } else {
                    words.scalars.append(lowered)
                }
            }
        }
        closeWord()
        return words
    }
}
