//! Which vector instructions the fused engine runs with on this CPU (for `kindling info` and
//! bug reports).

/// The vector instruction set the fused engine's loops use on this machine, as it is chosen
/// at run time: "AVX2+FMA (x86-64-v3)" on most x86-64 CPUs of the last decade, "NEON" on
/// 64-bit ARM, "scalar" where neither is available.
pub fn fused_engine_instructions() -> &'static str {
    describe(crate::dispatch(Probe))
}

/// A pass that does nothing but report the instruction set it was dispatched to.
struct Probe;

impl pulp::WithSimd for Probe {
    type Output = &'static str;

    fn with_simd<S: pulp::Simd>(self, _simd: S) -> &'static str {
        std::any::type_name::<S>()
    }
}

/// A reader's name for one of pulp's instruction-set types (named by their Rust path).
fn describe(type_name: &'static str) -> &'static str {
    match type_name.rsplit("::").next().unwrap_or(type_name) {
        "V4" => "AVX-512 (x86-64-v4)",
        "V3" => "AVX2+FMA (x86-64-v3)",
        "V2" => "SSE4.2 (x86-64-v2)",
        "V1" => "SSE2 (x86-64-v1)",
        "NeonFcma" => "NEON with FCMA",
        "Neon" => "NEON",
        "Scalar" => "scalar (no vector instructions)",
        _ => type_name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pulps_instruction_sets_get_readable_names() {
        assert_eq!(describe("pulp::x86::V3"), "AVX2+FMA (x86-64-v3)");
        assert_eq!(describe("pulp::aarch64::Neon"), "NEON");
        assert_eq!(describe("pulp::Scalar"), "scalar (no vector instructions)");
        // Anything newer is shown as pulp names it rather than guessed at.
        assert_eq!(describe("pulp::riscv::Rvv"), "pulp::riscv::Rvv");
    }

    #[test]
    fn this_machine_is_reported_as_one_of_the_known_sets() {
        let level = fused_engine_instructions();
        assert!(!level.starts_with("pulp::"), "{level}");
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            assert_eq!(level, "AVX2+FMA (x86-64-v3)");
        }
    }
}
