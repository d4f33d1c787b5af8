/// The library version. `make` checks that these equal the header's
/// KIMI_VERSION_* macros, the Python package and the pkg-config file.
public enum Version {
    public static let major = 0
    public static let minor = 3
    public static let patch = 0
    public static let string = "\(major).\(minor).\(patch)"
    public static let number = Int32(major * 1_000_000 + minor * 1_000 + patch)
}
