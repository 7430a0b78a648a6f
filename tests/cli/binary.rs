//! Tests: the executable is built as every Rust and Debian binary is —
//! position-independent, full RELRO, immediate binding (docs/security.md).

/// What the ELF headers of a 64-bit little-endian executable say about its hardening.
#[derive(Debug, Default)]
struct Hardening {
    /// `ET_DYN` with an interpreter: a position-independent executable.
    pie: bool,
    /// A `PT_GNU_RELRO` segment: relocations made read-only after start-up.
    relro: bool,
    /// `DF_BIND_NOW` or `DF_1_NOW`: every symbol bound at start, so the whole
    /// GOT can be read-only (full RELRO).
    bind_now: bool,
}

fn u16_at(b: &[u8], at: usize) -> u64 {
    u64::from(u16::from_le_bytes(b[at..at + 2].try_into().unwrap()))
}
fn u32_at(b: &[u8], at: usize) -> u64 {
    u64::from(u32::from_le_bytes(b[at..at + 4].try_into().unwrap()))
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

fn hardening(elf: &[u8]) -> Hardening {
    assert_eq!(&elf[..4], b"\x7fELF", "an ELF file");
    assert_eq!(elf[4], 2, "64-bit");
    assert_eq!(elf[5], 1, "little-endian");
    const ET_DYN: u64 = 3;
    const PT_DYNAMIC: u64 = 2;
    const PT_INTERP: u64 = 3;
    const PT_GNU_RELRO: u64 = 0x6474_e552;
    const DT_FLAGS: u64 = 30;
    const DT_FLAGS_1: u64 = 0x6fff_fffb;
    const DF_BIND_NOW: u64 = 0x8;
    const DF_1_NOW: u64 = 0x1;
    let e_type = u16_at(elf, 16);
    let phoff = u64_at(elf, 32) as usize;
    let phentsize = u16_at(elf, 54) as usize;
    let phnum = u16_at(elf, 56) as usize;
    let mut h = Hardening::default();
    let mut interp = false;
    for i in 0..phnum {
        let ph = phoff + i * phentsize;
        match u32_at(elf, ph) {
            PT_INTERP => interp = true,
            PT_GNU_RELRO => h.relro = true,
            PT_DYNAMIC => {
                let (off, size) = (u64_at(elf, ph + 8) as usize, u64_at(elf, ph + 32) as usize);
                for d in (off..off + size).step_by(16) {
                    let (tag, val) = (u64_at(elf, d), u64_at(elf, d + 8));
                    if (tag == DT_FLAGS && val & DF_BIND_NOW != 0)
                        || (tag == DT_FLAGS_1 && val & DF_1_NOW != 0)
                    {
                        h.bind_now = true;
                    }
                }
            }
            _ => {}
        }
    }
    h.pie = e_type == ET_DYN && interp;
    h
}

#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn the_executable_is_position_independent_with_full_relro() {
    let bin = assert_cmd::cargo::cargo_bin("appt");
    let h = hardening(&std::fs::read(&bin).expect("read the appt executable"));
    assert!(
        h.pie && h.relro && h.bind_now,
        "{}: {h:?} (expected PIE, RELRO and BIND_NOW)",
        bin.display()
    );
}
