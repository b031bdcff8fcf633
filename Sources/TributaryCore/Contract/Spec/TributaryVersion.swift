/// This build's version, as `tributary --version` prints it and a run lock records it.
public enum TributaryVersion {
    public static let current = "0.20.0"
}
