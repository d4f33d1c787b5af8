/// Arithmetic on numbers that come from outside the library (headers,
/// bodies, stream data, files read back, the environment, option values,
/// callback results). Swift traps on overflow and on out-of-range
/// conversions, and a trap ends the host process, so every such number goes
/// through these helpers: they saturate instead.
extension Int64 {
    /// `self + other`, held at Int64.min/max instead of overflowing.
    @inline(__always)
    public func saturatingAdd(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    /// `self * other`, held at Int64.min/max instead of overflowing.
    @inline(__always)
    public func saturatingMultiply(_ other: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self < 0) == (other < 0) ? .max : .min) : product
    }

    /// The nearest Int64 to `value`: NaN gives nil, infinities and values
    /// beyond the range give Int64.min/max, fractions are rounded up.
    public init?(saturating value: Double) {
        guard !value.isNaN else { return nil }
        if value >= 9.223372036854775807e18 { self = .max } else if value <= -9.223372036854775808e18 {
            self = .min
        } else { self = Int64(value.rounded(.up)) }
    }
}

/// Limits for counts read from the network.
public enum Counts {
    /// The largest count taken as is: 2^53, the largest integer a double
    /// (and so JavaScript and Python's json) holds exactly. Token counts,
    /// sizes and timestamps beyond it are treated as absent.
    public static let largest: Int64 = 1 << 53

    /// `value` when it is a count (0 ... 2^53), else nil.
    @inline(__always)
    public static func valid(_ value: Int64?) -> Int64? {
        guard let value, value >= 0, value <= largest else { return nil }
        return value
    }

    /// An HTTP status code as sent (100 ... 999), else 0.
    @inline(__always)
    public static func httpStatus(_ value: Int64?) -> Int {
        guard let value, value >= 100, value <= 999 else { return 0 }
        return Int(value)
    }
}

/// Monotonic nanoseconds `ms` milliseconds after `start` (negative `ms`
/// counts as 0), held at UInt64.max: a wait as long as the caller likes
/// never wraps around into no wait at all.
@inline(__always)
func deadline(afterMs ms: Int64, from start: UInt64 = monotonicNanos()) -> UInt64 {
    let (nanos, overflow) = UInt64(max(ms, 0)).multipliedReportingOverflow(by: 1_000_000)
    if overflow { return .max }
    let (sum, overflow2) = start.addingReportingOverflow(nanos)
    return overflow2 ? .max : sum
}

/// Milliseconds left until `deadline` (rounded up), at most `cap`.
@inline(__always)
func millisecondsLeft(until deadline: UInt64, cap: Int32, now: UInt64 = monotonicNanos()) -> Int32 {
    guard deadline > now else { return 0 }
    let left = (deadline - now) / 1_000_000 + 1
    return left >= UInt64(cap) ? cap : Int32(left)
}

extension Int {
    /// `self + other`, held at Int.max/min instead of overflowing.
    @inline(__always)
    public func saturatingAdd(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}

/// A byte count as megabytes with one decimal, for messages ("100.5 MB").
func megabytes(_ bytes: Int) -> String {
    let tenths = bytes / (1_048_576 / 10)
    return "\(tenths / 10).\(tenths % 10) MB"
}
