//! The unit tests of `store::keys`: sealing, the key policy and the key files.

use super::*;

fn keys(kf: &Path) -> Keys {
    Keys::new(None, Some(kf.to_path_buf()))
}

fn nothing() -> SealedState {
    SealedState::default()
}

/// The state of a database that recorded `ring` and sealed `rows`.
fn recorded(ring: &Keyring, rows: &[(&str, &[u8])]) -> SealedState {
    SealedState {
        check: Some(ring.check_value().unwrap()),
        any_sealed: !rows.is_empty(),
        sample: Vec::new(),
    }
}

#[test]
fn seals_and_opens_and_detects_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let kf = dir.path().join("k.key");
    let ring = keys(&kf).for_sealing(&nothing()).unwrap();
    assert!(ring.needs_record());
    let mut sealed = ring.seal("p1", "0123456-7").unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains("0123456-7"));
    assert_eq!(sealed_version(&sealed), Some(1));
    // The key file persists: a second load opens the same data.
    let state = recorded(&ring, &[("p1", &sealed)]);
    let again = keys(&kf).for_opening(&state).unwrap();
    assert!(!again.needs_record());
    assert_eq!(again.open("p1", &sealed).unwrap(), "0123456-7");
    let last = sealed.len() - 1;
    sealed[last] ^= 1;
    assert_eq!(ring.open("p1", &sealed), Err(Unopened::NotForPatient));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&kf).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let short = Keys::new(Some("short".into()), None).for_sealing(&nothing());
    assert_eq!(short.err().unwrap().code, Code::Validation);
    // A key "file" that cannot be read is an error, not a loop.
    let dir_key = dir.path().join("d.key");
    std::fs::create_dir(&dir_key).unwrap();
    let e = keys(&dir_key).for_sealing(&nothing()).err().unwrap();
    assert_eq!(e.code, Code::Database);
    // Only the key file is left: no temporary files.
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["d.key", "k.key"]);
}

#[test]
fn a_sealed_id_opens_only_for_its_patient() {
    let ring = Keys::new(Some("ab".repeat(32)), None)
        .for_sealing(&nothing())
        .unwrap();
    let ana = ring.seal("ana", "A-1").unwrap();
    let bea = ring.seal("bea", "B-2").unwrap();
    assert_eq!(ring.open("ana", &ana).unwrap(), "A-1");
    assert_eq!(ring.open("bea", &ana), Err(Unopened::NotForPatient));
    assert_eq!(ring.open("ana", &bea), Err(Unopened::NotForPatient));
    // The version in the header is bound too: changing it breaks the value.
    let mut other = ana.clone();
    other[4] = 2;
    assert_eq!(ring.open("ana", &other), Err(Unopened::UnknownVersion(2)));
    assert_eq!(ring.open("ana", &[7u8; 40]), Err(Unopened::Damaged));
    assert_eq!(ring.open("ana", &[]), Err(Unopened::Damaged));
}

#[test]
fn unbound_values_open_until_the_key_is_recorded() {
    let env = Keys::new(Some("cd".repeat(32)), None);
    let ring = env.for_sealing(&nothing()).unwrap();
    // As an older appt sealed it (nonce and body, no associated data),
    // marked format 0 by the schema upgrade.
    let key = ring.key(1).unwrap();
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let mut old = vec![FORMAT_UNBOUND];
    old.extend_from_slice(&nonce);
    old.extend(key.aead().encrypt(&nonce, b"OLD-1".as_ref()).unwrap());
    let legacy = SealedState {
        check: None,
        any_sealed: true,
        sample: vec![("ana".into(), old.clone())],
    };
    let ring = env.for_opening(&legacy).unwrap();
    assert_eq!(ring.open("ana", &old).unwrap(), "OLD-1");
    assert!(ring.needs_record());
    // Once recorded, an unbound value is refused: one copied in from an
    // old copy of the database cannot stand in for a bound one.
    let state = recorded(&ring, &[("ana", &old)]);
    let ring = env.for_opening(&state).unwrap();
    assert_eq!(ring.open("ana", &old), Err(Unopened::Unbound));
    // A wrong key is told from sampled rows in an older database.
    let wrong = Keys::new(Some("ef".repeat(32)), None).for_opening(&legacy);
    assert_eq!(wrong.err().unwrap().code, Code::Database);
}

#[test]
fn a_wrong_key_is_told_by_the_check_value_even_when_every_row_is_swapped() {
    let right = Keys::new(Some("12".repeat(32)), None);
    let ring = right.for_sealing(&nothing()).unwrap();
    let (a, b) = (ring.seal("a", "A").unwrap(), ring.seal("b", "B").unwrap());
    // Every row swapped: none opens for its patient, yet the key is right.
    let state = SealedState {
        sample: vec![("a".into(), b.clone()), ("b".into(), a.clone())],
        ..recorded(&ring, &[("a", &b), ("b", &a)])
    };
    let opened = right.for_opening(&state).unwrap();
    assert_eq!(opened.open("a", &b), Err(Unopened::NotForPatient));
    let e = Keys::new(Some("34".repeat(32)), None)
        .for_opening(&state)
        .err()
        .unwrap();
    assert_eq!(e.code, Code::Database);
    assert!(
        e.message.contains("APPT_KEY does not open"),
        "{}",
        e.message
    );
}

#[test]
fn versions_are_named_and_a_rotation_keeps_every_id_open() {
    let dir = tempfile::tempdir().unwrap();
    let kf = dir.path().join("k.key");
    let k = keys(&kf);
    let v1 = k.for_sealing(&nothing()).unwrap();
    let old = v1.seal("ana", "A-1").unwrap();
    let state = recorded(&v1, &[("ana", &old)]);
    let from = k.for_rotation(&state).unwrap();
    let to = from.next(0);
    assert_eq!(to.version(), 2);
    let kept = k.keep_old(&from).unwrap();
    assert_eq!(kept, [dir.path().join("k.key.1")]);
    k.write_keyring(&to).unwrap();
    // Mid-rotation, the key file opens the old values and the new.
    let mid = k.for_opening(&state).unwrap();
    assert_eq!(mid.version(), 1, "the database's version still seals");
    let new = to.seal("ana", "A-1").unwrap();
    assert_eq!(sealed_version(&new), Some(2));
    assert_eq!(mid.open("ana", &old).unwrap(), "A-1");
    assert_eq!(mid.open("ana", &new).unwrap(), "A-1");
    let after = recorded(&to, &[("ana", &new)]);
    assert!(k.finish_rotation(&to).unwrap());
    let done = k.for_opening(&after).unwrap();
    assert_eq!(done.versions(), [2]);
    assert_eq!(done.open("ana", &new).unwrap(), "A-1");
    // The old key alone no longer opens the database, and says why.
    let e = k.for_opening(&state).err().unwrap();
    assert!(e.message.contains("key version 1"), "{}", e.message);
    let text = std::fs::read_to_string(&kf).unwrap();
    assert!(text.starts_with("2:"), "{text}");
    let old_key = Keys::new(Some(std::fs::read_to_string(&kept[0]).unwrap()), None);
    let e = old_key.for_opening(&after).err().unwrap();
    assert!(
        e.message.contains("sealed under key version 2"),
        "{}",
        e.message
    );
    // A file changed meanwhile is not overwritten by a late finish.
    k.write_keyring(&to).unwrap();
    std::fs::write(&kf, "3:".to_string() + &"ab".repeat(32)).unwrap();
    assert!(!k.finish_rotation(&to).unwrap());
}

#[test]
fn keys_are_written_and_read_with_their_versions() {
    let hex = "0f".repeat(32);
    let keys = parse_keys(&format!(
        "{hex}\n 3:{}, 2:{}\n",
        "1a".repeat(32),
        "2B".repeat(32)
    ))
    .unwrap();
    assert_eq!(
        keys.iter().map(|k| k.version).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(keys[0].text(), hex);
    assert_eq!(keys[1].text(), format!("2:{}", "2b".repeat(32)));
    for bad in [
        "",
        "abc",
        &format!("0:{hex}"),
        &format!("x:{hex}"),
        &format!("1:{hex} 1:{}", "1a".repeat(32)),
    ] {
        let e = parse_keys(bad).unwrap_err().english();
        assert!(!e.contains(&hex), "the key is never echoed: {e}");
    }
}

#[test]
fn key_files_others_can_read_or_another_user_owns_are_refused() {
    let p = Path::new("/srv/appt.db.key");
    assert_eq!(refusal(p, 1000, 0o100600, 1000), None);
    assert_eq!(refusal(p, 1000, 0o100400, 1000), None);
    for mode in [0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666] {
        let why = refusal(p, 1000, 0o100000 | mode, 1000).unwrap().english();
        assert!(why.contains("chmod 600 /srv/appt.db.key"), "{why}");
        assert!(why.contains(&format!("{mode:04o}")), "{why}");
    }
    // Another user's file, even a private one, even for root.
    for me in [0, 1001] {
        let why = refusal(p, 1000, 0o100600, me).unwrap().english();
        assert!(why.contains("another user (uid 1000)"), "{why}");
        assert!(why.contains("chown"), "{why}");
        assert!(
            !why.contains("chmod"),
            "not the fix for someone else's file: {why}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_readable_key_file_is_refused_and_left_as_it_is() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let kf = dir.path().join("k.key");
    std::fs::write(&kf, "ab".repeat(32)).unwrap();
    std::fs::set_permissions(&kf, std::fs::Permissions::from_mode(0o644)).unwrap();
    // Planted before the first seal: not adopted.
    let e = keys(&kf).for_sealing(&nothing()).err().unwrap();
    assert_eq!(e.code, Code::Database);
    assert!(e.message.contains("chmod 600"), "{}", e.message);
    let mode = std::fs::metadata(&kf).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o644, "never changed");
    // A FIFO does not hang appt.
    let fifo = dir.path().join("f.key");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string; mkfifo has no other preconditions.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let e = keys(&fifo).for_sealing(&nothing()).err().unwrap();
    assert!(e.message.contains("not a regular file"), "{}", e.message);
}

#[test]
fn opening_never_makes_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let kf = dir.path().join("k.key");
    assert_eq!(
        keys(&kf).for_opening(&nothing()).err().unwrap().code,
        Code::Database
    );
    assert!(!kf.exists());
    // Nor while sealing, when IDs are sealed already.
    let sealed = SealedState {
        any_sealed: true,
        ..nothing()
    };
    let e = keys(&kf).for_sealing(&sealed).err().unwrap();
    assert!(e.message.contains("missing"), "{}", e.message);
    assert!(!kf.exists());
}

#[test]
fn racing_makers_agree_on_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let kf = dir.path().join("k.key");
    let sealed: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    let keys = create_key_file(&kf).unwrap();
                    Keyring::new(keys, 1, false, true).seal("p", "x").unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ring = Keyring::new(read_key_file(&kf).unwrap().unwrap(), 1, false, true);
    for s in &sealed {
        assert_eq!(ring.open("p", s).unwrap(), "x");
    }
}

#[test]
fn leftover_temporary_key_files_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let kf = dir.path().join("k.key");
    let tmp = dir.path().join(format!("k.key.{}.tmp", new_id()));
    let other = dir.path().join("k.key.notes.tmp");
    std::fs::write(&tmp, "x").unwrap();
    std::fs::write(&other, "x").unwrap();
    keys(&kf).remove_leftovers();
    assert!(!tmp.exists());
    assert!(other.exists(), "only appt's own temporary names");
}
