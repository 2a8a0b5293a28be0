import EngramCore
import EngramHTTP

/// `POST /reset`: erases every memory and all history.
enum AdminRoutes {
    static func register(on router: inout Router, service: MemoryService) {
        router.add(.post, "/reset") { _ in
            try service.reset()
            return .json(JSONValue.object(["message": .string("All memories reset")]))
        }
    }
}
