/// Branch-free scalar versions of the transcendental functions the encoder applies to every
/// activation. Written without calls or branches so the optimiser vectorises the loops that use
/// them, and with plain `Float` arithmetic so unoptimised (debug) builds stay fast enough to test.
enum ScalarMath {
    /// eˣ within about 2 ulp of `expf`; the input is clamped to [-87.3, 88.3], where the result
    /// is a normal float.
    @inline(__always)
    static func exponential(_ value: Float) -> Float {
        let x = min(max(value, -87.3), 88.3)
        // n = round(x / ln 2), rounded by adding and subtracting 1.5·2²³.
        let roundingShift: Float = 12_582_912
        let shifted = x * 1.442_695_04 + roundingShift
        let n = shifted - roundingShift
        // r = x − n·ln 2, with ln 2 split in two parts so the product is exact.
        let r = x - n * 0.693_145_751_953_125 - n * 1.428_606_765_330_187e-6
        // Minimax polynomial for eʳ on |r| ≤ ln 2 / 2.
        var p: Float = 1.987_569_150_0e-4
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * r * r + r + 1
        // 2ⁿ built from its bits: the low bits of `shifted` hold n.
        let exponent = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000
        return p * Float(bitPattern: UInt32(bitPattern: (exponent &+ 127) &<< 23))
    }

    /// GELU in its exact form, `x · ½ · (1 + erf(x / √2))`. erf is evaluated as Abramowitz and
    /// Stegun 7.1.26 (absolute error below 1.5·10⁻⁷); for negative x, 1 + erf is computed directly
    /// as erfc(|x| / √2), so small outputs keep their relative precision.
    @inline(__always)
    static func gelu(_ x: Float) -> Float {
        let z = x * 0.707_106_781_186_547_5
        let magnitude = abs(z)
        let t = 1 / (1 + 0.327_591_1 * magnitude)
        var p: Float = 1.061_405_429
        p = p * t - 1.453_152_027
        p = p * t + 1.421_413_741
        p = p * t - 0.284_496_736
        p = p * t + 0.254_829_592
        let complement = p * t * exponential(-(magnitude * magnitude))
        let onePlusErf = z < 0 ? complement : 2 - complement
        return 0.5 * x * onePlusErf
    }
}
