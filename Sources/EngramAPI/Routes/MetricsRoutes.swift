import EngramCore
import EngramHTTP
import Foundation

/// `GET /metrics`: Prometheus text format. Needs the server's administrator key (an admin key of the
/// `default` project) when keys are configured, since it names every project; open with
/// `--metrics-public` (the gate lets it through) and, like every route, on a keyless loopback server.
enum MetricsRoutes {
    static let memories = Metrics.Family("engram_memories", .gauge, "Stored memories (active and superseded), by project.", labels: ["project"])
    static let jobs = Metrics.Family("engram_jobs", .gauge, "Async add jobs in the store, by status.", labels: ["status"])
    static let storeBytes = Metrics.Family("engram_store_bytes", .gauge, "Size of the store on disk, in bytes.")
    static let storeReads = Metrics.Family(
        "engram_store_reads_total", .counter, "Read requests answered by the read replica and by the primary (with a read replica).", labels: ["target"])
    static let storeUp = Metrics.Family("engram_store_up", .gauge, "1 when the store answered this scrape, else 0.")
    static let info = Metrics.Family("engram_build_info", .gauge, "The running version (always 1).", labels: ["version"])

    static func register(on router: inout Router, engine: MemoryService, public isPublic: Bool) {
        router.add(.get, "/metrics") { request in
            let principal = Principal(request)
            guard isPublic || (principal.admin && principal.project == Memory.defaultProject) else {
                throw HTTPError(.forbidden, "/metrics needs the administrator key")
            }
            var gauges = [Metrics.Gauge(info, [([EngramVersion.current], 1)])]
            if let statistics = try? engine.storeStatistics() {
                gauges.append(Metrics.Gauge(storeUp, [([], 1)]))
                gauges.append(Metrics.Gauge(memories, statistics.memoriesByProject.sorted { $0.key < $1.key }.map { ([$0.key], Double($0.value)) }))
                let statuses = Set(["PENDING", "RUNNING", "SUCCEEDED", "FAILED"]).union(statistics.jobsByStatus.keys).sorted()
                gauges.append(Metrics.Gauge(jobs, statuses.map { ([$0], Double(statistics.jobsByStatus[$0] ?? 0)) }))
                if let bytes = statistics.bytes { gauges.append(Metrics.Gauge(storeBytes, [([], Double(bytes))])) }
                if let reads = statistics.reads {
                    gauges.append(Metrics.Gauge(storeReads, [(["primary"], Double(reads.primary)), (["replica"], Double(reads.replica))]))
                }
            } else {
                gauges.append(Metrics.Gauge(storeUp, [([], 0)]))
            }
            gauges += ProcessMetrics.gauges()
            let body = engine.metrics.renderBytes(gauges: gauges)
            return HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: body)
        }
    }
}

/// Counts and times every request by the template of the route it went to (`route="unmatched"` for
/// none), refusals of the key gate included. Outermost, so the time covers authentication too; it
/// stops when the response head is ready (a stream's body is not waited for).
struct MetricsResponder: HTTPResponder {
    let router: Router
    let metrics: Metrics
    let next: any HTTPResponder

    func respond(to request: HTTPRequest) -> HTTPResponse {
        let start = DispatchTime.now().uptimeNanoseconds
        let response = next.respond(to: request)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let route = router.template(method: request.method, path: request.path) ?? "unmatched"
        let method = HTTPMethod.implemented.contains(request.method) ? request.method.rawValue : "other"
        metrics.increment(Metrics.httpRequests, [route, method, String(response.status.code)])
        metrics.observe(Metrics.httpDuration, [route], seconds)
        return response
    }

    func preflight(_ head: HTTPRequestHead, requestID: String) -> HTTPResponse? {
        next.preflight(head, requestID: requestID)
    }
}
