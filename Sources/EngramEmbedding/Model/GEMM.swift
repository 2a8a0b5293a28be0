import CBLAS

/// Row-major single-precision matrix products through OpenBLAS.
enum GEMM {
    /// Computes `C = alpha · A · op(B) + beta · C`, with A of m×k, op(B) of k×n and C of m×n, all
    /// row-major with the given leading dimensions; `op(B)` is Bᵀ when `transposeB` is set (then B is
    /// stored n×k, as PyTorch stores a linear layer's weight).
    static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k),
            alpha, a, blasint(lda), b, blasint(ldb),
            beta, c, blasint(ldc)
        )
    }

    /// A linear layer over `rows` inputs: `output += input · weightᵀ`, where weight is stored
    /// `outputs × inputs`. The output is expected to hold the bias (and any residual) already.
    static func accumulateLinear(
        input: UnsafePointer<Float>, rows: Int, inputs: Int,
        weight: UnsafePointer<Float>, outputs: Int,
        output: UnsafeMutablePointer<Float>
    ) {
        multiply(
            m: rows, n: outputs, k: inputs,
            a: input, lda: inputs,
            b: weight, ldb: inputs, transposeB: true,
            c: output, ldc: outputs,
            beta: 1
        )
    }

    /// The OpenBLAS build and the kernel family it runs, such as `OpenBLAS 0.3.21 … (SkylakeX)`.
    static var libraryDescription: String {
        let configuration = openblas_get_config().map { String(cString: $0) } ?? "OpenBLAS"
        let core = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        return "\(configuration) (kernels: \(core))"
    }

    /// Sets the number of threads OpenBLAS uses for one product. The setting is process-wide.
    static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(count, 1)))
    }
}
