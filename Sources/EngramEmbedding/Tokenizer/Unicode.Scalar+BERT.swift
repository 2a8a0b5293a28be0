/// The character classes of BERT's text normalisation and pre-tokenisation, as the reference
/// tokenizer of all-MiniLM-L6-v2 (Hugging Face `BertNormalizer` and `BertPreTokenizer`) defines them.
extension Unicode.Scalar {
    /// Whether the scalar is dropped while cleaning text: NUL, U+FFFD and every "other" category
    /// (Cc, Cf, Cs, Co, Cn) except tab, line feed and carriage return, which count as whitespace.
    var isBERTRemovable: Bool {
        switch value {
        case 0, 0xFFFD: return true
        case 0x09, 0x0A, 0x0D: return false
        default: break
        }
        switch properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    /// Whether the scalar separates words: tab, line feed, carriage return and every scalar with the
    /// Unicode White_Space property.
    var isBERTWhitespace: Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20: return true
        case 0..<0x80: return false
        default: return properties.isWhitespace
        }
    }

    /// Whether the scalar is a word of its own: ASCII punctuation (33–47, 58–64, 91–96, 123–126) or
    /// any Unicode punctuation category (Pc, Pd, Ps, Pe, Pi, Pf, Po).
    var isBERTPunctuation: Bool {
        switch value {
        case 33...47, 58...64, 91...96, 123...126: return true
        case 0..<0x80: return false
        default: break
        }
        switch properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// Whether the scalar is a CJK ideograph, which BERT splits out as a word of its own. The ranges
    /// are the CJK Unified Ideographs blocks and extensions A–E plus the compatibility ideographs;
    /// Hiragana, Katakana and Hangul are not among them.
    var isCJKIdeograph: Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    /// Whether the scalar is a nonspacing mark (Mn), which accent stripping removes after NFD.
    var isNonspacingMark: Bool {
        value >= 0x300 && properties.generalCategory == .nonspacingMark
    }
}
