import Foundation

/// Where an OpenAI-compatible API lives and how it authenticates: a base URL with a bearer key (OpenAI
/// and the services that copy its API), or an Azure OpenAI deployment with an `api-key` header.
public struct OpenAIEndpoint: Sendable, Equatable {
    enum Style: Sendable, Equatable {
        case standard(baseURL: String)
        case azure(endpoint: String, deployment: String, apiVersion: String)
    }

    let style: Style
    let apiKey: String?

    /// An OpenAI-style API under `baseURL` (e.g. `https://api.openai.com/v1`), with
    /// `Authorization: Bearer <apiKey>` when a key is given (local servers often need none).
    public static func standard(baseURL: String, apiKey: String?) -> OpenAIEndpoint {
        OpenAIEndpoint(style: .standard(baseURL: baseURL), apiKey: apiKey)
    }

    /// An Azure OpenAI deployment: `{endpoint}/openai/deployments/{deployment}/...?api-version=...`,
    /// authenticated with the `api-key` header.
    public static func azure(endpoint: String, deployment: String, apiVersion: String, apiKey: String?) -> OpenAIEndpoint {
        OpenAIEndpoint(style: .azure(endpoint: endpoint, deployment: deployment, apiVersion: apiVersion), apiKey: apiKey)
    }

    /// The URL of an operation such as `chat/completions` or `embeddings`.
    func url(_ operation: String) -> String {
        switch style {
        case .standard(let baseURL):
            return "\(baseURL.trimmingTrailingSlashes)/\(operation)"
        case .azure(let endpoint, let deployment, let apiVersion):
            let segment = deployment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? deployment
            let version = apiVersion.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "+"])) ?? apiVersion
            return "\(endpoint.trimmingTrailingSlashes)/openai/deployments/\(segment)/\(operation)?api-version=\(version)"
        }
    }

    /// The header carrying the key, if there is a key.
    var authorization: [(name: String, value: String)] {
        guard let apiKey, !apiKey.isEmpty else { return [] }
        switch style {
        case .standard: return [("Authorization", "Bearer \(apiKey)")]
        case .azure: return [("api-key", apiKey)]
        }
    }
}

extension String {
    /// The string without trailing `/`s, so `base + "/" + path` never doubles a slash.
    var trimmingTrailingSlashes: String {
        var text = Substring(self)
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}
