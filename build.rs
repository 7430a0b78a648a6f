//! Tells the integration tests which engine this build's test run covers.
//!
//! A test that only applies to one engine (the SQLite file's pragmas and
//! modes, PostgreSQL's advisory lock and exclusion constraint) is marked
//! `#[cfg_attr(appt_test_pg, ignore = …)]` or its opposite, so a run on the
//! other engine reports it as ignored (not run) rather than as passed.
//! `APPT_TEST_PG` naming a server selects the PostgreSQL run.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(appt_test_pg)");
    println!("cargo::rerun-if-env-changed=APPT_TEST_PG");
    if std::env::var_os("APPT_TEST_PG").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=appt_test_pg");
    }
}
