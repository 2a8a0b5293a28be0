import Foundation

/// Synthetic but natural memory texts and questions: facts composed from small vocabularies with a
/// seeded generator, so every run embeds the same texts. The embeddings are the real model's.
enum Corpus {
    static let names = [
        "Maria", "John", "Aiko", "Carlos", "Fatima", "Liam", "Priya", "Noah", "Elena", "Kwame", "Sofia", "Mateo",
        "Yuki", "Omar", "Chloe", "Ivan", "Amara", "Lucas", "Hana", "Diego", "Nora", "Ravi", "Lena", "Tom",
    ]
    /// Surnames make the people (and so almost every text) distinct: with first names alone, a large
    /// corpus repeats the same sentences many times, and identical vectors are not what a memory store
    /// holds (they also make HNSW recall meaningless).
    static let surnames = [
        "Silva", "Tanaka", "Okafor", "Novak", "Haddad", "Murphy", "Iyer", "Berg", "Costa", "Mensah", "Rossi",
        "Alvarez", "Sato", "Khan", "Dubois", "Petrov", "Nwosu", "Schmidt", "Kim", "Ortega", "Larsen", "Gupta",
        "Walsh", "Moreau", "Fischer", "Reyes", "Ali", "Johansson", "Nakamura", "Hughes", "Mwangi", "Kowalski",
        "Santos", "Weber", "Lopez", "Andersen", "Chen", "Rahman", "Byrne", "Ferreira",
    ]
    static let facts = [
        "moved to %p last %t to study marine biology", "adopted a rescue dog named Biscuit in %p",
        "started learning the cello %t", "is allergic to peanuts and shellfish", "works as a nurse at a hospital in %p",
        "runs a small bakery near the station in %p", "prefers green tea over coffee in the morning",
        "is training for a marathon in %p %t", "collects vintage maps of %p", "visited %p with her sister %t",
        "bought a used electric car %t", "volunteers at the animal shelter every Saturday",
        "is writing a novel about a lighthouse keeper", "switched jobs to become a data analyst %t",
        "grows tomatoes and basil on the balcony", "plays chess online every evening", "has two kids who love football",
        "celebrated a tenth wedding anniversary in %p %t", "is vegetarian and avoids dairy",
        "takes the night train to %p for work", "repaired an old sailing boat %t", "speaks Portuguese and some Japanese",
        "hates crowded beaches but loves hiking in %p", "keeps bees in the garden behind the house",
        "broke a wrist skiing in %p %t", "teaches evening pottery classes", "saves money for a trip to %p",
        "watches documentaries about space before bed", "lost a grandmother %t and misses her cooking",
        "signed up for a photography course in %p",
    ]
    static let places = [
        "Lisbon", "Osaka", "Nairobi", "Denver", "Montreal", "Krakow", "Seville", "Hanoi", "Melbourne", "Bergen",
        "Cusco", "Tbilisi", "Porto", "Dublin", "Chennai", "Reykjavik", "Valparaiso", "Edinburgh", "Marrakesh", "Kyoto",
    ]
    static let times = ["last year", "in the spring", "two weeks ago", "this winter", "in 2019", "after graduating", "recently", "last summer"]
    static let questions = [
        "Where does %n live now?", "What pets does %n have?", "Which instrument is %n learning?", "What is %n allergic to?",
        "Where does %n work?", "What does %n drink in the morning?", "Is %n training for a race?", "What does %n collect?",
        "Where did %n travel recently?", "What car does %n drive?", "What does %n do on weekends?", "What is %n writing?",
        "What does %n grow at home?", "What games does %n play?", "How many children does %n have?", "Does %n eat meat?",
        "How does %n travel for work?", "What languages does %n speak?", "Where does %n like to hike?", "Did %n get injured?",
    ]

    /// `count` memory texts.
    static func texts(count: Int, seed: UInt64 = 1) -> [String] {
        var generator = SeededGenerator(state: seed)
        return (0..<count).map { _ in
            let name = (names.randomElement(using: &generator) ?? "Maria") + " " + (surnames.randomElement(using: &generator) ?? "Silva")
            var fact = facts.randomElement(using: &generator) ?? facts[0]
            fact = fact.replacingOccurrences(of: "%p", with: places.randomElement(using: &generator) ?? "Lisbon")
            fact = fact.replacingOccurrences(of: "%t", with: times.randomElement(using: &generator) ?? "recently")
            return "\(name) \(fact)."
        }
    }

    /// `count` questions.
    static func queries(count: Int, seed: UInt64 = 2) -> [String] {
        var generator = SeededGenerator(state: seed)
        return (0..<count).map { _ in
            (questions.randomElement(using: &generator) ?? questions[0])
                .replacingOccurrences(of: "%n", with: names.randomElement(using: &generator) ?? "Maria")
        }
    }
}

/// SplitMix64: the same sequence on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Corpus {
    /// LoCoMo's turns (`"{speaker}: {text}"`, as `make bench-retrieval` stores them) and its questions.
    static func locomo(path: String) throws -> (texts: [String], questions: [String]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let samples = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw BenchmarkOptions.UsageError(message: "\(path) is not LoCoMo's JSON (a list of conversations)")
        }
        var texts: [String] = []
        var questions: [String] = []
        for sample in samples {
            let conversation = sample["conversation"] as? [String: Any] ?? [:]
            let sessions = conversation.keys.filter { $0.hasPrefix("session_") && !$0.hasSuffix("date_time") }
                .sorted { (Int($0.dropFirst(8)) ?? 0) < (Int($1.dropFirst(8)) ?? 0) }
            for session in sessions {
                for turn in conversation[session] as? [[String: Any]] ?? [] {
                    if let speaker = turn["speaker"] as? String, let text = turn["text"] as? String { texts.append("\(speaker): \(text)") }
                }
            }
            for qa in sample["qa"] as? [[String: Any]] ?? [] {
                if let question = qa["question"] as? String { questions.append(question) }
            }
        }
        guard texts.count >= 1000, !questions.isEmpty else { throw BenchmarkOptions.UsageError(message: "\(path) holds too few turns") }
        return (texts, questions)
    }
}
