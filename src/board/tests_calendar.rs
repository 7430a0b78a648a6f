//! The board's tests of issue 67: a time the doctor's own calendar says
//! they are busy shows as busy (never with what), and a calendar that could
//! not be read is said on the status line.

use super::*;
use crate::app::calendar::{self, AddRequest, Which};
use std::io::{Read, Write};

/// An ICS address on 127.0.0.1 answering `n` requests (a `PROPFIND`,
/// which it does not speak, then `GET`s) with García's surgery, Monday
/// 10:30–11:30, then gone.
fn hospital(n: usize) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/h.ics", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming().take(n) {
            let mut conn = conn.unwrap();
            let mut buf = [0u8; 4096];
            let got = conn.read(&mut buf).unwrap_or(0);
            let body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:s\r\n\
DTSTART:20260615T163000Z\r\nDTEND:20260615T173000Z\r\nSUMMARY:Cirugía\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
            let status = if buf[..got].starts_with(b"PROPFIND") {
                405
            } else {
                200
            };
            let _ = write!(
                conn,
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

/// Monday's clinic, García busy 10:30–11:30 in his own calendar, whose
/// last sync failed (its server gone).
fn away() -> Store {
    let before = at(SUNDAY);
    let mut st = clinic_in("America/El_Salvador", before);
    let r = AddRequest {
        name: "garcia-hospital".into(),
        doctor: "García".into(),
        url: hospital(2),
        user: None,
        password: None,
        write: false,
        key: None,
    };
    calendar::add(&mut st, &r, before).unwrap();
    let synced = calendar::sync(&mut st, &Which::All, None, before).unwrap();
    assert!(calendar::shortfall(&synced).is_some(), "the server is gone");
    st
}

#[test]
fn a_time_busy_in_the_doctors_own_calendar_shows_busy_and_a_stale_one_is_said() {
    let mut b = board(away(), MONDAY_1005, None, Language::Es);
    select(&mut b, "García", "10:30");
    let shown = screen(&mut b, 80, 24);
    assert!(
        shown.contains("10:30 ocupado en el calendario p"),
        "{shown}"
    );
    assert!(
        shown.contains("⚠ calendario desactualizado: garcia-hospital"),
        "{shown}"
    );
    let cells: Vec<&str> = shown.lines().filter(|l| l.contains("ocupado")).collect();
    assert!(cells.len() >= 2, "10:30 and 11:00 busy: {shown}");
    // Enter on it books nothing: it is not free.
    let before = appointments(&mut b).len();
    key(&mut b, KeyCode::Enter);
    assert_eq!(appointments(&mut b).len(), before);
}
