//! Links the `appt` executable at a fixed address (not position-independent).
//!
//! chrono-tz's zone tables hold some 29,000 pointers (every transition names
//! its abbreviation). A position-independent executable has the dynamic
//! loader relocate each of them at every start: about 300 page faults and
//! 0.9 ms, a third of what a `show` or `slots` costs in all (measured by the
//! benchmark, `benches/million.rs`). Linked at a fixed address they are
//! resolved once, by the linker. What it costs: the executable's own code and
//! data are not address-randomised; its libraries, stack and heap still are.
fn main() {
    println!("cargo:rustc-link-arg-bins=-no-pie");
}
