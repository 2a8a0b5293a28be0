import Foundation

/// BERT's basic tokenisation: text cleaning, CJK ideographs split out, for uncased models accent
/// stripping (NFD, then nonspacing marks dropped) and lowercasing, then splitting on whitespace and
/// punctuation. The order of the steps is the reference's (Hugging Face `BertNormalizer` followed by
/// `BertPreTokenizer`); a cased model (`do_lower_case` false) skips the accent stripping and the
/// lowercasing, as the reference does when `strip_accents` is not set.
enum BasicTokenizer {
    /// Words of a normalised text, stored flat: word `i` is `scalars[bounds[i]]`.
    struct Words {
        /// The scalars of every word, one after the other.
        var scalars: [Unicode.Scalar] = []
        /// The range of each word in `scalars`, in text order.
        var bounds: [Range<Int>] = []
    }

    /// Normalises `text`, lowercased and without accents when `lowercasing` (an uncased model), and
    /// splits it into words.
    static func words(in text: String, lowercasing: Bool = true) -> Words {
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
        let decomposed = isASCII || !lowercasing ? String(cleaned) : String(cleaned).decomposedStringWithCanonicalMapping

        var words = Words()
        words.scalars.reserveCapacity(decomposed.unicodeScalars.count)
        var wordStart = 0
        func closeWord() {
            if words.scalars.count > wordStart {
                words.bounds.append(wordStart..<words.scalars.count)
            }
            wordStart = words.scalars.count
        }
        /// Adds a scalar past normalisation: whitespace ends a word, punctuation is a word of its own.
        func append(_ scalar: Unicode.Scalar) {
            if scalar.isBERTWhitespace {
                closeWord()
            } else if scalar.isBERTPunctuation {
                closeWord()
                words.scalars.append(scalar)
                closeWord()
            } else {
                words.scalars.append(scalar)
            }
        }
        for scalar in decomposed.unicodeScalars {
            if scalar.isASCII {
                if scalar.isBERTWhitespace {
                    closeWord()
                } else if scalar.isBERTPunctuation {
                    closeWord()
                    words.scalars.append(scalar)
                    closeWord()
                } else if lowercasing, ("A"..."Z").contains(scalar) {
                    words.scalars.append(Unicode.Scalar(UInt8(scalar.value) + 0x20))
                } else {
                    words.scalars.append(scalar)
                }
                continue
            }
            guard lowercasing else {
                append(scalar)
                continue
            }
            if scalar.isNonspacingMark { continue }
            for lowered in scalar.properties.lowercaseMapping.unicodeScalars {
                append(lowered)
            }
        }
        closeWord()
        return words
    }
}
