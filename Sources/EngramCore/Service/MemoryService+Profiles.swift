import Crypto
import Foundation

/// A user's structured profile (mem0's platform profiles): JSON following the project's profile schema,
/// written by the LLM from the user's memories.
public struct UserProfile: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case succeeded, pending, failed
        case notEnabled = "not_enabled"
        case insufficientData = "insufficient_data"
    }

    public var profile: JSONValue?
    public var status: Status
    public var updatedAt: Date?
    public var generationCount: Int
    /// Why the last generation failed, client-safe.
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case profile, status, error
        case updatedAt = "updated_at"
        case generationCount = "generation_count"
    }

    public init(profile: JSONValue? = nil, status: Status, updatedAt: Date? = nil, generationCount: Int = 0, error: String? = nil) {
        self.profile = profile
        self.status = status
        self.updatedAt = updatedAt
        self.generationCount = generationCount
        self.error = error
    }
}

/// A profile generation job's request, stored as a job payload (beside async adds, in the same durable
/// queue): `trigger` for one user, `sample` for a few.
public struct ProfileJobRequest: Sendable, Equatable, Codable {
    public enum Operation: String, Sendable, Codable {
        case trigger, sample
    }

    /// Always "profile": tells this payload from an add's.
    public var kind: String
    public var operation: Operation
    public var userIDs: [String]

    enum CodingKeys: String, CodingKey {
        case kind, operation
        case userIDs = "user_ids"
    }

    public init(operation: Operation, userIDs: [String]) {
        self.kind = "profile"
        self.operation = operation
        self.userIDs = userIDs
    }

    /// The request in a job's payload, nil when the job is an add.
    public static func from(_ job: AddJob) -> ProfileJobRequest? {
        guard let request = try? JSONDecoder().decode(ProfileJobRequest.self, from: Data(job.payload.utf8)), request.kind == "profile" else {
            return nil
        }
        return request
    }
}

/// What a profile job did: `{"total", "completed", "succeeded", "failed", "skipped"}`.
public struct ProfileJobResults: Sendable, Equatable, Codable {
    public var total: Int
    public var completed: Int
    public var succeeded: Int
    public var failed: Int
    public var skipped: Int
}

extension MemoryService {
    /// A user needs this many memories before a profile is worth writing.
    public static let profileMinimumMemories = 3
    /// Most users one `sample` job profiles.
    public static let maxProfileSample = 10

    /// Whether profiles can be generated in this project: enabled, with a schema, and an LLM configured.
    public func profilesReady() throws -> Bool {
        guard chatModel != nil, let settings = try projectSettings().profile, settings.enabled, settings.schema != nil else { return false }
        return true
    }

    /// The profile of `userID`: 404 (`notFound`) for a user without memories in this project. When
    /// profiles are ready and the user has enough memories but no profile, a generation is queued and
    /// the answer is `pending`.
    public func profile(userID: String) throws -> UserProfile {
        guard let entity = try entities().first(where: { $0.kind == .user && $0.id == userID }) else {
            throw MemoryError.entityNotFound("User '\(userID)'")
        }
        let stored = try storedProfile(userID)
        guard try profilesReady() else {
            var profile = stored ?? UserProfile(status: .notEnabled)
            profile.status = .notEnabled
            profile.error = chatModel == nil ? "Profiles need an LLM provider, and none is configured"
                : "Profiles are not enabled for this project, or it has no profile schema (POST /v2/profiles/settings/)"
            return profile
        }
        if let stored { return stored }
        guard entity.totalMemories >= Self.profileMinimumMemories else { return UserProfile(status: .insufficientData) }
        // One automatic generation per life of the user (a reset or delete ends one: the entity is new).
        _ = try enqueueProfileJob(.trigger, userIDs: [userID], idempotencyKey: "auto/\(userID)/\(entity.createdAt.timeIntervalSince1970)")
        return try storedProfile(userID) ?? UserProfile(status: .pending)
    }

    /// Queues a profile job; the same `idempotencyKey` returns the first job (`replayed` true) instead of
    /// starting another. Refused (`invalid`) unless profiles are ready.
    public func enqueueProfileJob(_ operation: ProfileJobRequest.Operation, userIDs: [String], idempotencyKey: String?) throws -> (job: AddJob, request: ProfileJobRequest, replayed: Bool) {
        guard chatModel != nil else { throw MemoryError.invalid("Profiles need an LLM provider, and none is configured") }
        guard try profilesReady() else {
            throw MemoryError.invalid("Profiles are not enabled for this project, or it has no profile schema (POST /v2/profiles/settings/)")
        }
        // The job's id follows from the key, so a retry racing the first create still finds one job.
        let id = idempotencyKey.map { Self.jobID(project: project, key: $0) } ?? Self.newID()
        if let existing = try store.job(id: id, project: project), let request = ProfileJobRequest.from(existing) {
            return (existing, request, true)
        }
        let request = ProfileJobRequest(operation: operation, userIDs: userIDs)
        let payload = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        let job = AddJob(id: id, project: project, payload: payload, createdAt: now())
        do {
            try store.enqueueJob(job)
        } catch {
            if let existing = try store.job(id: id, project: project), let request = ProfileJobRequest.from(existing) {
                return (existing, request, true)
            }
            throw error
        }
        for userID in userIDs {
            var profile = try storedProfile(userID) ?? UserProfile(status: .pending)
            if profile.profile == nil { profile.status = .pending }
            try store(profile, for: userID)
        }
        jobSignal.notify()
        return (job, request, false)
    }

    /// The users a `sample` job would profile: those with the most memories, at least the minimum.
    public func profileSample(limit: Int) throws -> [String] {
        try entities().filter { $0.kind == .user && $0.totalMemories >= Self.profileMinimumMemories }
            .sorted { ($0.totalMemories, $1.id) > ($1.totalMemories, $0.id) }
            .prefix(max(1, min(limit, Self.maxProfileSample))).map(\.id)
    }

    /// Runs a profile job: one LLM call per user; a user's failure fails that user, not the job.
    func runProfileJob(_ job: AddJob, _ request: ProfileJobRequest) throws {
        var results = ProfileJobResults(total: request.userIDs.count, completed: 0, succeeded: 0, failed: 0, skipped: 0)
        let settings = try projectSettings().profile
        for userID in request.userIDs {
            defer { results.completed += 1 }
            guard let chat = chatModel, let settings, settings.enabled, let schema = settings.schema else {
                results.skipped += 1
                continue
            }
            let memories = try list(filter: .compare(.field(.userID), .eq, .string(userID)), page: 1, pageSize: 500,
                                    showExpired: false, includeSuperseded: false).items
            var profile = try storedProfile(userID) ?? UserProfile(status: .pending)
            guard memories.count >= Self.profileMinimumMemories else {
                profile.status = .insufficientData
                try store(profile, for: userID)
                results.skipped += 1
                continue
            }
            do {
                profile.profile = try writeProfile(chat, schema: schema, instructions: settings.customInstructions, memories: memories)
                profile.status = .succeeded
                profile.error = nil
                profile.generationCount += 1
                profile.updatedAt = now()
                results.succeeded += 1
            } catch let error as ProviderError {
                profile.status = profile.profile == nil ? .failed : .succeeded
                profile.error = error.message
                results.failed += 1
            }
            try store(profile, for: userID)
            if profile.status == .succeeded, profile.error == nil { try queueProfileEvent(userID: userID, profile: profile) }
        }
        let encoded = String(decoding: try JSONEncoder().encode(results), as: UTF8.self)
        let status: AddJob.Status = results.failed > 0 && results.succeeded == 0 ? .failed : .succeeded
        try store.finishJob(JobCompletion(
            id: job.id, status: status, results: encoded, error: status == .failed ? "Every profile generation failed" : nil, at: now()))
    }

    private func writeProfile(_ chat: any ChatModel, schema: JSONValue, instructions: String?, memories: [Memory]) throws -> JSONValue {
        let schemaText = String(decoding: (try? JSONEncoder().encode(schema)) ?? Data("{}".utf8), as: UTF8.self)
        var system = """
            You write a structured profile of a person from what a memory system knows about them. Fill in the \
            JSON Schema you are given using only what the memories state; set to null or leave out what they \
            do not say; never guess. Reply with one JSON object that follows the schema, and nothing else.
            """
        if let instructions, !instructions.isEmpty { system += "\n\nAdditional instructions:\n\(instructions.prefix(Self.maxInstructionBytes))" }
        let lines = memories.enumerated().map { "\($0.offset + 1). \($0.element.text.prefix(2000))" }.joined(separator: "\n")
        let answer = try chat.complete(ChatRequest(messages: [
            ChatMessage(role: .system, text: system),
            ChatMessage(role: .user, text: "JSON Schema:\n\(schemaText.prefix(64 * 1024))\n\nMemories:\n\(lines)"),
        ], jsonOutput: true))
        guard let object = ModelOutput.jsonObject(answer.text) else {
            throw ProviderError(.unavailable, "The model's profile is not a JSON object")
        }
        return .object(object)
    }

    func storedProfile(_ userID: String) throws -> UserProfile? {
        guard let text = try store.setting(Self.profileKey(project, userID)) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(UserProfile.self, from: Data(text.utf8))
    }

    private func store(_ profile: UserProfile, for userID: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try store.setSetting(Self.profileKey(project, userID), value: String(decoding: try encoder.encode(profile), as: UTF8.self))
    }

    static func profileKey(_ project: String, _ userID: String) -> String { "profile/\(project)/\(userID)" }

    /// A UUID-shaped id from the project and an idempotency key.
    static func jobID(project: String, key: String) -> String {
        var bytes = Array(SHA256.hash(data: Data("profile-job\u{0}\(project)\u{0}\(key)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
