import EngramHTTP

/// A body of the wrong shape: answered 422 with FastAPI's shape,
/// `{"detail": [{"loc": ["body", "query"], "msg": "Field required", "type": "missing"}]}`.
struct ValidationProblem: HTTPResponseError {
    struct Item: Encodable, Equatable {
        let loc: [String]
        let msg: String
        let type: String
    }

    let items: [Item]

    var response: HTTPResponse { .json(Body(detail: items), status: .unprocessableContent) }

    private struct Body: Encodable {
        let detail: [Item]
    }
}
