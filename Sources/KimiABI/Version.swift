import CKimiHeader
import Glibc
import KimiCore

/// Kept equal to KIMI_VERSION and Version.string by the ABI checks.
private let versionText: StaticString = "0.3.0"

@c @implementation
public func kimi_version() -> UnsafePointer<CChar>? { cString(versionText) }

@c @implementation
public func kimi_version_number() -> Int32 { Version.number }

@c @implementation
public func kimi_string_free(_ string: UnsafeMutablePointer<CChar>?) { free(string) }
