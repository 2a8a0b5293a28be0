/// Engram's release version, shown by `engram --version` and in the OpenAPI document.
public enum EngramVersion {
    /// The semantic version of this build.
    public static let current = "0.1.0"
}
