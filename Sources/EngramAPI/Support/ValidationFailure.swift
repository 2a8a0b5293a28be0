import EngramHTTP

/// A request body of the wrong shape: answered 422 with
/// `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`, one entry per problem (API.md).
struct ValidationFailure: HTTPResponseError, Equatable {
    /// One step of the path to the offending value: an object key or an array index.
    enum Location: Encodable, Equatable {
        case key(String)
        case index(Int)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .key(let key): try container.encode(key)
            case .index(let index): try container.encode(index)
            }
        }
    }

    /// One problem: where, what, and a machine-readable kind such as `missing` or `string_type`.
    struct Issue: Encodable, Equatable {
        let loc: [Location]
        let msg: String
        let type: String
    }

    /// Every problem found.
    let issues: [Issue]

    var response: HTTPResponse {
        .json(Body(detail: issues), status: .unprocessableContent)
    }

    private struct Body: Encodable {
        let detail: [Issue]
    }
}
