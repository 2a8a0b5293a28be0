import Foundation
import Synchronization

/// mem0's platform categories and how a memory is filed under them without an LLM: by the similarity of
/// its embedding to each category's words (`Classifier`).
public enum Categories {
    /// The platform's default categories, in its order, described in words an embedder can match.
    public static let defaults: [CategoryDefinition] = [
        .init(name: "personal_details", description: "Personal details about someone: their name, age, birthday, where they live, where they come from, the languages they speak."),
        .init(name: "family", description: "Family and close relationships: parents, children, siblings, partner, spouse, relatives, pets."),
        .init(name: "professional_details", description: "Work and career: job, profession, employer, company, colleagues, projects at work, studies, school, skills."),
        .init(name: "sports", description: "Sports and exercise: playing, training, running, football, tennis, the gym, teams and matches followed."),
        .init(name: "travel", description: "Travel: trips, holidays, vacations, flights, hotels, destinations, countries and cities to visit."),
        .init(name: "food", description: "Food and drink: favourite dishes, cuisines, cooking, recipes, restaurants, diet, allergies, coffee, tea, wine."),
        .init(name: "music", description: "Music: favourite songs, artists, bands, genres, concerts, playing an instrument, singing."),
        .init(name: "health", description: "Health: illness, medical conditions, asthma, allergies, medication, doctors, symptoms, injuries, sleep, mental health."),
        .init(name: "technology", description: "Technology: computers, phones, software, programming, apps, gadgets, the internet, AI."),
        .init(name: "hobbies", description: "Hobbies and pastimes: reading, painting, gardening, games, crafts, photography, collecting, things done for fun."),
        .init(name: "fashion", description: "Fashion and appearance: clothes, shoes, style, brands worn, accessories, jewellery, make-up."),
        .init(name: "entertainment", description: "Entertainment: films, movies, TV shows, series, books, video games, podcasts, actors and authors."),
        .init(name: "milestones", description: "Milestones and life events: graduations, weddings, births, moving house, new jobs, anniversaries, achievements."),
        .init(name: "user_preferences", description: "Preferences: what someone likes, dislikes, prefers or wants, and how they like things done."),
        .init(name: "misc", description: "Anything else."),
    ]

    /// The category the classifier never picks unless the project defines it itself.
    static let fallback = "misc"

    /// Files memories under the categories whose words are closest to theirs. A category is embedded as
    /// its name and each phrase of its description (split at commas and "and"/"or"; the part before a
    /// colon is a heading): a memory's score for it is its best cosine with any of them, since a whole
    /// description's embedding is too diluted to match a short fact. Anchors are made once per embedder
    /// and category list, then shared by every project using it.
    final class Classifier: Sendable {
        /// A memory is filed under a category scoring at least `threshold`, and within `margin` of its
        /// best category, under at most `maximum`, best first. Measured with all-MiniLM-L6-v2 on short
        /// facts: the right category scores 0.3 to 0.7, the runner-up of a one-topic fact 0.1 to 0.3 below.
        let threshold: Double
        let margin: Double
        let maximum: Int
        private let cache = Mutex<[String: [(name: String, vector: [Float])]]>([:])
        private let computing = NSLock()

        init(threshold: Double = 0.3, margin: Double = 0.08, maximum: Int = 3) {
            self.threshold = threshold
            self.margin = margin
            self.maximum = maximum
        }

        /// The categories of each vector (unit length), embedding the anchors with `embedder` on first use.
        func categories(of vectors: [[Float]], among definitions: [CategoryDefinition], embedder: any Embedder, custom: Bool) throws -> [[String]] {
            guard !vectors.isEmpty else { return [] }
            let anchors = try self.anchors(among: definitions, embedder: embedder, custom: custom)
            guard !anchors.isEmpty else { return vectors.map { _ in [] } }
            return vectors.map { vector in
                var best: [String: Double] = [:]
                for anchor in anchors where anchor.vector.count == vector.count {
                    let score = Double(MemoryService.dot(vector, anchor.vector))
                    if score > best[anchor.name] ?? -1 { best[anchor.name] = score }
                }
                let top = best.values.max() ?? 0
                return best.filter { $0.value >= threshold && $0.value >= top - margin }
                    .sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }
                    .prefix(maximum).map(\.key)
            }
        }

        /// The embedded phrases of `definitions` (without `misc` unless `custom`), made once per embedder
        /// and list. Concurrent first calls make them once: the others wait for it.
        func anchors(among definitions: [CategoryDefinition], embedder: any Embedder, custom: Bool) throws -> [(name: String, vector: [Float])] {
            let usable = custom ? definitions : definitions.filter { $0.name != Categories.fallback }
            guard !usable.isEmpty else { return [] }
            let key = embedder.modelID + "\u{1}" + usable.map { $0.name + "\u{2}" + $0.description }.joined(separator: "\u{1}")
            if let cached = cache.withLock({ $0[key] }) { return cached }
            computing.lock()
            defer { computing.unlock() }
            if let cached = cache.withLock({ $0[key] }) { return cached }
            let phrases = usable.flatMap { definition in Self.phrases(of: definition).map { (name: definition.name, text: $0) } }
            let embedded = try embedder.embed(batch: phrases.map(\.text))
            let made = zip(phrases, embedded).map { (name: $0.name, vector: $1) }
            cache.withLock { cache in
                if cache.count > 64 { cache.removeAll() }
                cache[key] = made
            }
            return made
        }

        /// The texts a category is embedded as: its name in words, then its description's phrases.
        static func phrases(of definition: CategoryDefinition) -> [String] {
            var phrases = [definition.name.replacingOccurrences(of: "_", with: " ")]
            var body = Substring(definition.description)
            if let colon = body.firstIndex(of: ":") { body = body[body.index(after: colon)...] }
            let separated = body.replacingOccurrences(of: " and ", with: ",").replacingOccurrences(of: " or ", with: ",")
                .replacingOccurrences(of: ";", with: ",")
            for part in separated.split(separator: ",") {
                let phrase = part.trimmingCharacters(in: CharacterSet(charactersIn: " .\n\t"))
                if !phrase.isEmpty, !phrases.contains(phrase) { phrases.append(String(phrase.prefix(200))) }
                if phrases.count >= 12 { break }
            }
            if phrases.count == 1, !definition.description.isEmpty { phrases.append(String(definition.description.prefix(500))) }
            return phrases
        }
    }
}

extension MemoryService {
    /// Gives every inserted or re-texted memory without categories those the classifier finds, among
    /// the project's categories.
    func categorised(_ changes: MemoryChanges) throws -> MemoryChanges {
        let pending = changes.inserts.contains { $0.categories.isEmpty } || changes.updates.contains { $0.categories.isEmpty }
        guard pending else { return changes }
        let settings = try projectSettings()
        let definitions = changes.categoryDefinitions ?? settings.categories
        let custom = changes.categoryDefinitions != nil || settings.customCategories != nil
        let classifier = shared.classifier
        var changes = changes
        let embedder = self.embedder
        func file(_ memories: inout [Memory]) throws {
            let indices = memories.indices.filter { memories[$0].categories.isEmpty && memories[$0].embedding.count == embedder.dimension }
            let found = try classifier.categories(
                of: indices.map { memories[$0].embedding }, among: definitions, embedder: embedder, custom: custom)
            for (index, names) in zip(indices, found) { memories[index].categories = names }
        }
        try file(&changes.inserts)
        try file(&changes.updates)
        return changes
    }
}

extension MemoryService {
    /// Embeds the `default` project's category words now (about 0.1 s with the local embedder), so the
    /// first add does not wait for them; `engram serve` calls it before it listens.
    public func prepareCategories() throws {
        let settings = try projectSettings()
        _ = try shared.classifier.anchors(among: settings.categories, embedder: embedder, custom: settings.customCategories != nil)
    }
}

