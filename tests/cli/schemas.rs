//! Tests: the schema's upgrades, one list for both engines
//! (src/store/migrations.rs) — the step that changes data rather than tables.

use crate::common::{on_postgres, Env};

// ------------------------------------------------ the step that refolds names

/// The schema version `env`'s database records.
fn version(env: &Env) -> String {
    let sql = if on_postgres() {
        "SELECT max(version) FROM appt_schema"
    } else {
        "SELECT user_version FROM pragma_user_version"
    };
    env.rows(sql).remove(0).remove(0)
}

/// A clinic whose stored search key is as an appt before schema v4 made
/// it (case folded, accents kept), in a database taken back to schema 18,
/// with the mark appt then wrote once it had folded the names again, or
/// without it; and the version this appt's databases have.
fn unfolded_at_18(marked: bool) -> (Env, String) {
    let env = Env::new();
    env.ok(&[
        "clinic",
        "add",
        "Clínica Ñandú",
        "--timezone",
        "America/El_Salvador",
    ]);
    let current = version(&env);
    env.exec("UPDATE clinics SET name_key = 'clínica ñandú'");
    if marked {
        crate::common::undo_schema_19(&env);
    }
    crate::common::set_schema_version(&env, 18);
    (env, current)
}

#[test]
fn the_upgrade_to_19_folds_names_an_older_appt_left_unfolded() {
    let (env, current) = unfolded_at_18(false);
    let shown = env.ok(&["clinic", "show", "clinica nandu"]);
    assert_eq!(shown["name"], "Clínica Ñandú");
    assert_eq!(version(&env), current);
    assert_eq!(
        env.rows("SELECT name_key FROM clinics")[0][0],
        "clinica nandu"
    );
    assert!(env
        .rows("SELECT key FROM meta WHERE key = 'name_fold'")
        .is_empty());
}

#[test]
fn the_upgrade_to_19_leaves_names_an_appt_of_18_already_folded() {
    // The mark says this database's names were folded (on opening, as appt
    // did before the step): the step reads none of them again.
    let (env, current) = unfolded_at_18(true);
    env.ok(&["clinic", "list"]);
    assert_eq!(version(&env), current);
    assert_eq!(
        env.rows("SELECT name_key FROM clinics")[0][0],
        "clínica ñandú"
    );
    assert!(
        env.rows("SELECT key FROM meta WHERE key = 'name_fold'")
            .is_empty(),
        "the schema version says it now"
    );
}
