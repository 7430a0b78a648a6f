//! The unit tests of [`super`] (core::booking).

use super::*;
use crate::core::slots::Busy;
use crate::core::zone::el_salvador;
use crate::core::{Recurrence, Window};
use chrono::{NaiveDate, TimeZone};

fn w(cap: i64) -> Window {
    Window {
        id: "w".into(),
        clinic_id: "c".into(),
        doctor_id: Some("d".into()),
        recurrence: Recurrence::Weekly(0b1111111),
        from: 9 * 60,
        to: 12 * 60,
        slot_minutes: 30,
        capacity: cap,
        session: Some("Morning".into()),
        batch: None,
        services: vec![],
        valid_from: None,
        valid_to: None,
        open: true,
        created_at: Utc::now(),
    }
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    el_salvador()
        .with_ymd_and_hms(2026, 6, 15, h, m, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
}

#[test]
fn time_rules_in_order() {
    let s = Settings {
        min_notice: 60,
        horizon: 7 * 1440,
        ..Settings::default()
    };
    let now = at(8, 0);
    assert_eq!(
        check_time(now, at(8, 0), &s).unwrap_err().code,
        Code::PastAppointment
    );
    assert_eq!(
        check_time(now, at(8, 30), &s).unwrap_err().code,
        Code::InsufficientNotice
    );
    assert!(check_time(now, at(9, 0), &s).is_ok());
    let far = now + Duration::days(7) + Duration::minutes(1);
    assert_eq!(
        check_time(now, far, &s).unwrap_err().code,
        Code::BeyondHorizon
    );
}

/// Each time rule's error names what it measured against: the clock,
/// the earliest time the notice allows, the latest the horizon does.
#[test]
fn the_time_rules_errors_carry_their_details() {
    let s = Settings {
        min_notice: 60,
        horizon: 7 * 1440,
        ..Settings::default()
    };
    let now = at(8, 0);
    let e = check_time(now, at(8, 0), &s).unwrap_err();
    assert_eq!(e.details, json!({"now": "2026-06-15T14:00:00Z"}));
    let e = check_time(now, at(8, 30), &s).unwrap_err();
    assert_eq!(
        e.details,
        json!({"min_notice": "1h", "earliest": "2026-06-15T15:00:00Z"})
    );
    let e = check_time(now, now + Duration::days(8), &s).unwrap_err();
    assert_eq!(
        e.details,
        json!({"horizon": "7d", "latest": "2026-06-22T14:00:00Z"})
    );
}

#[test]
fn availability_rules() {
    let s = Settings::default();
    let open = w(1);
    let mut closed = w(1);
    closed.open = false;
    closed.from = 14 * 60;
    closed.to = 15 * 60;
    let ws = [&open, &closed];
    let mut day = Day::new(el_salvador(), date(), at(7, 0), &s, &ws);
    assert!(locate(&day, at(9, 30)).is_ok());
    assert_eq!(
        locate(&day, at(13, 0)).unwrap_err().code,
        Code::OutsideAvailability
    );
    assert_eq!(
        locate(&day, at(14, 0)).unwrap_err().code,
        Code::SlotInactive
    );
    let span = locate(&day, at(9, 30)).unwrap().clone();
    let req = Request::default();
    assert_eq!(
        check_fit(&span, at(9, 10), at(9, 40), &req)
            .unwrap_err()
            .code,
        Code::InvalidTimeSlot
    );
    assert_eq!(
        check_fit(&span, at(11, 30), at(12, 30), &req)
            .unwrap_err()
            .code,
        Code::InvalidTimeSlot
    );
    let evening = Request {
        session: Some("Evening"),
        ..Request::default()
    };
    assert_eq!(
        check_fit(&span, at(9, 30), at(10, 0), &evening)
            .unwrap_err()
            .code,
        Code::InvalidTimeSlot
    );
    day.closure = Some(Some("Holiday".into()));
    let e = locate(&day, at(9, 30)).unwrap_err();
    assert_eq!(e.code, Code::OutsideAvailability);
    assert_eq!(e.details["closure_reason"], "Holiday");
}

#[test]
fn service_allow_list() {
    let mut win = w(1);
    win.services = vec!["vacc".into()];
    let span = Span::new(&win, el_salvador(), date());
    let other = Request {
        service_id: Some("other"),
        ..Request::default()
    };
    let vacc = Request {
        service_id: Some("vacc"),
        ..Request::default()
    };
    assert!(check_fit(&span, at(9, 0), at(9, 30), &other).is_err());
    assert!(check_fit(&span, at(9, 0), at(9, 30), &Request::default()).is_err());
    assert!(check_fit(&span, at(9, 0), at(9, 30), &vacc).is_ok());
}

#[test]
fn capacity_conflict_and_full() {
    let s = Settings::default();
    let one = w(1);
    let ws = [&one];
    let mut day = Day::new(el_salvador(), date(), at(7, 0), &s, &ws);
    day.busy
        .to_mut()
        .push(Busy::new("a1".into(), at(9, 0), at(10, 0), 0, 0));
    let span = day.spans[0].clone();
    let req = Request::default();
    let e = check_capacity_suggesting(&day, &span, at(9, 30), at(10, 0), &req).unwrap_err();
    assert_eq!(e.code, Code::AppointmentConflict);
    assert_eq!(e.details["conflicting_appointment_id"], "a1");
    assert_eq!(
        e.details["suggested_times"],
        json!(["10:00", "10:30", "11:00"])
    );
    assert!(check_capacity(&day, &span, at(10, 0), at(10, 30), &Request::default()).is_ok());

    let two = w(2);
    let ws = [&two];
    let mut day = Day::new(el_salvador(), date(), at(7, 0), &s, &ws);
    day.busy
        .to_mut()
        .push(Busy::new("a".into(), at(9, 0), at(9, 30), 0, 0));
    let span = day.spans[0].clone();
    assert_eq!(
        check_capacity(&day, &span, at(9, 0), at(9, 30), &Request::default()).unwrap(),
        0
    );
    day.busy
        .to_mut()
        .push(Busy::new("b".into(), at(9, 0), at(9, 30), 0, 0));
    let e = check_capacity(&day, &span, at(9, 0), at(9, 30), &Request::default()).unwrap_err();
    assert_eq!(e.code, Code::SlotFull);
    assert_eq!(e.details["capacity"], 2);
    // Over the whole length: 08:30-09:30 meets the two at 09:00.
    assert!(check_capacity(&day, &span, at(8, 30), at(9, 30), &Request::default()).is_err());
}

#[test]
fn a_reached_daily_limit_refuses_every_slot_before_the_times_places() {
    let s = Settings::default();
    let two = w(2);
    let ws = [&two];
    let mut day = Day::new(el_salvador(), date(), at(7, 0), &s, &ws);
    day.limits = vec![
        DailyLimit {
            limit: 3,
            scope: LimitScope::Doctor,
            taken: 2,
        },
        DailyLimit {
            limit: 1,
            scope: LimitScope::Service,
            taken: 1,
        },
    ];
    let span = day.spans[0].clone();
    let e = check_capacity(&day, &span, at(9, 0), at(9, 30), &Request::default()).unwrap_err();
    assert_eq!(e.code, Code::DailyLimit);
    assert_eq!(e.details, json!({"limit": 1, "scope": "service"}));
    // No suggestions: nothing that day is free.
    let e = check_capacity_suggesting(&day, &span, at(9, 0), at(9, 30), &Request::default())
        .unwrap_err();
    assert_eq!(e.details, json!({"limit": 1, "scope": "service"}));
    // The doctor's answers first when both are reached.
    day.limits[0].taken = 3;
    let e = check_daily(&day).unwrap_err();
    assert_eq!(e.details["scope"], "doctor");
    // Below every limit, the time's places decide.
    day.limits[0].taken = 2;
    day.limits[1].taken = 0;
    assert_eq!(
        check_capacity(&day, &span, at(9, 0), at(9, 30), &Request::default()).unwrap(),
        1
    );
    let req = Request::default();
    assert!(slots(&day, &req).iter().all(|s| s.refusal.is_none()));
    day.limits[1].taken = 1;
    assert!(slots(&day, &req)
        .iter()
        .all(|s| s.refusal == Some(Code::DailyLimit)));
}

#[test]
fn buffers_keep_the_time_around_an_appointment_free() {
    let s = Settings::default();
    let mut one = w(1);
    one.session = None;
    let ws = [&one];
    let mut day = Day::new(el_salvador(), date(), at(7, 0), &s, &ws);
    // 10:00-10:30 with 15 minutes after it holds until 10:45.
    day.busy
        .to_mut()
        .push(Busy::new("a".into(), at(10, 0), at(10, 30), 0, 15));
    let span = day.spans[0].clone();
    let plain = Request::default();
    let e = check_capacity(&day, &span, at(10, 30), at(11, 0), &plain).unwrap_err();
    assert_eq!(e.code, Code::AppointmentConflict);
    assert_eq!(
        e.details,
        json!({"conflicting_appointment_id": "a", "buffer": true})
    );
    assert!(e.message.contains("buffer"), "{}", e.message);
    // The appointment itself in the way is no buffer's doing.
    let e = check_capacity(&day, &span, at(10, 0), at(10, 30), &plain).unwrap_err();
    assert_eq!(e.details["buffer"], false);
    assert!(check_capacity(&day, &span, at(11, 0), at(11, 30), &plain).is_ok());
    // The one asked for brings its own: 20 minutes before 11:00 meets 10:45.
    let prepared = Request {
        buffer_before: 20,
        ..Request::default()
    };
    let e = check_capacity(&day, &span, at(11, 0), at(11, 30), &prepared).unwrap_err();
    assert_eq!(e.details["buffer"], true);
    let before = Request {
        buffer_before: 15,
        ..Request::default()
    };
    assert!(check_capacity(&day, &span, at(11, 0), at(11, 30), &before).is_ok());
    // Buffer against buffer: 09:30 with 10 after holds until 10:10, and
    // meets 10:00's nothing-before only through the request's own.
    let after = Request {
        buffer_after: 10,
        ..Request::default()
    };
    let e = check_capacity(&day, &span, at(9, 30), at(10, 0), &after).unwrap_err();
    assert_eq!(e.details["buffer"], true);
    // A buffer may reach outside the window: 09:00 with 30 before is fine.
    let early = Request {
        buffer_before: 30,
        ..Request::default()
    };
    assert!(check_capacity(&day, &span, at(9, 0), at(9, 30), &early).is_ok());
    // The grid counts them: 10:30 is not offered, 11:00 is; with 20
    // minutes before, 11:00 is not either.
    let refused = |req: &Request| -> Vec<String> {
        slots(&day, req)
            .iter()
            .filter(|s| s.refusal.is_some())
            .map(|s| time::to_local(el_salvador(), s.start).1)
            .collect()
    };
    assert_eq!(refused(&plain), ["10:00", "10:30"]);
    assert_eq!(refused(&prepared), ["10:00", "10:30", "11:00"]);
    assert_eq!(refused(&after), ["09:30", "10:00", "10:30"]);
    // Which of them only a buffer takes.
    let buffered: Vec<String> = slots(&day, &plain)
        .iter()
        .filter(|s| s.buffer)
        .map(|s| time::to_local(el_salvador(), s.start).1)
        .collect();
    assert_eq!(buffered, ["10:30"]);
}

#[test]
fn a_buffer_takes_a_place_in_a_window_of_several() {
    let s = Settings::default();
    let two = w(2);
    let ws = [&two];
    let mut day = Day::new(el_salvador(), date(), at(7, 0), &s, &ws);
    day.busy
        .to_mut()
        .push(Busy::new("a".into(), at(9, 0), at(9, 30), 0, 30));
    day.busy
        .to_mut()
        .push(Busy::new("b".into(), at(9, 30), at(10, 0), 0, 0));
    let span = day.spans[0].clone();
    let req = Request::default();
    // At 09:30 a's cleaning and b fill both places.
    let e = check_capacity(&day, &span, at(9, 30), at(10, 0), &req).unwrap_err();
    assert_eq!(e.code, Code::SlotFull);
    assert_eq!(
        check_capacity(&day, &span, at(10, 0), at(10, 30), &req).unwrap(),
        1
    );
    let remaining: Vec<i64> = slots(&day, &req).iter().map(|s| s.remaining).collect();
    assert_eq!(remaining, [1, 0, 2, 2, 2, 2]);
}

#[test]
fn duplicates_match_service_including_none() {
    let others = vec![
        ("a".to_string(), None),
        ("b".to_string(), Some("s1".to_string())),
    ];
    assert_eq!(find_duplicate(&others, None), Some("a"));
    assert_eq!(find_duplicate(&others, Some("s1")), Some("b"));
    assert_eq!(find_duplicate(&others, Some("s2")), None);
}

#[test]
fn slots_report_why_not() {
    let settings = Settings::default();
    let mut w = w(1);
    w.to = 11 * 60;
    w.session = None;
    let ws = [&w];
    let now = el_salvador()
        .with_ymd_and_hms(2026, 6, 15, 9, 10, 0)
        .unwrap()
        .with_timezone(&Utc);
    let mut day = Day::new(el_salvador(), date(), now, &settings, &ws);
    day.busy
        .to_mut()
        .push(Busy::new("x".into(), at(10, 0), at(10, 30), 0, 0));
    let req = Request::default();
    let got: Vec<(String, Option<&str>)> = slots(&day, &req)
        .iter()
        .map(|s| {
            (
                time::to_local(el_salvador(), s.start).1,
                s.refusal.map(crate::error::Code::as_str),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("09:00".into(), Some("PAST_APPOINTMENT")),
            ("09:30".into(), None),
            ("10:00".into(), Some("APPOINTMENT_CONFLICT")),
            ("10:30".into(), None),
        ]
    );
    let hm: Vec<String> = suggestions(&day, now, &req)
        .iter()
        .map(|t| time::to_local(day.tz, *t).1)
        .collect();
    assert_eq!(hm, ["09:30", "10:30"]);
}

/// A day's grid judges its slots without making booking's errors: what
/// it refuses with, and the places it counts, are what the booking
/// rules answer (check_time, check_open, check_fit, check_outside, check_capacity in
/// their order), and the places are the most held at once, minute by
/// minute.
#[test]
fn a_slots_refusal_is_what_booking_it_would_answer() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let appointment = (0i64..16, 1i64..5, 0i64..3, 0i64..3, any::<bool>());
    let case = (
        (1i64..4, any::<bool>(), any::<bool>(), any::<bool>()),
        proptest::collection::vec(appointment, 0..7),
        (0i64..24, 0i64..5, 0i64..3),
        (
            proptest::option::of(1i64..5),
            0i64..3,
            0i64..3,
            any::<bool>(),
        ),
        proptest::option::of((1i64..4, 0i64..4)),
        // A room the request needs: its capacity and the visits holding it.
        proptest::option::of((
            1i64..3,
            proptest::collection::vec((0i64..16, 1i64..5), 0..5),
        )),
        // The doctor's own busy times (docs/calendars.md), and the desk's --force.
        (
            proptest::collection::vec((0i64..16, 1i64..5), 0..3),
            any::<bool>(),
        ),
    );
    let mut runner = TestRunner::new(Config {
        cases: 512,
        ..Config::default()
    });
    runner
        .run(
            &case,
            |(window, busy, clock, request, limit, room, away)| {
                let (cap, open, offers, morning) = window;
                let mut win = w(cap);
                win.open = open;
                if !offers {
                    win.services = vec!["other".into()];
                }
                if !morning {
                    win.session = Some("Afternoon".into());
                }
                let (now_q, notice_q, horizon) = clock;
                let settings = Settings {
                    min_notice: notice_q * 15,
                    horizon: [60, 180, 7 * 1440][horizon as usize],
                    ..Settings::default()
                };
                let ws = [&win];
                let now = at(7, 0) + Duration::minutes(now_q * 15);
                let (away, forced) = away;
                let outside: Vec<crate::core::outside::Away> = away
                    .into_iter()
                    .map(|(q, len)| {
                        let start = at(8, 0) + Duration::minutes(q * 15);
                        crate::core::outside::Away {
                            start,
                            end: start + Duration::minutes(len * 15),
                        }
                    })
                    .collect();
                let mut day = Day::new(el_salvador(), date(), now, &settings, &ws);
                day.outside = &outside;
                for (i, (q, len, before, after, solo)) in busy.into_iter().enumerate() {
                    let start = at(8, 0) + Duration::minutes(q * 15);
                    let mut b = Busy::new(
                        format!("a{i}"),
                        start,
                        start + Duration::minutes(len * 15),
                        before * 10,
                        after * 10,
                    );
                    b.solo = solo;
                    day.busy.to_mut().push(b);
                }
                if let Some((cap, taken)) = limit {
                    day.limits.push(DailyLimit {
                        limit: cap,
                        scope: LimitScope::Doctor,
                        taken,
                    });
                }
                if let Some((capacity, held)) = room {
                    let busy = held
                        .into_iter()
                        .map(|(q, len)| {
                            let start = at(8, 0) + Duration::minutes(q * 15);
                            Busy::new("r".into(), start, start + Duration::minutes(len * 15), 0, 0)
                        })
                        .collect();
                    day.needs = std::borrow::Cow::Owned(vec![vec![crate::core::resources::Held {
                        id: "room".into(),
                        name: "Sala".into(),
                        kind: crate::core::resources::ResourceKind::Room,
                        capacity,
                        busy,
                        open: None,
                        holds: Vec::new(),
                    }]]);
                }
                let (duration, before, after, session) = request;
                let req = Request {
                    duration: duration.map(|d| d * 15),
                    service_id: None,
                    session: session.then_some("Morning"),
                    buffer_before: before * 10,
                    buffer_after: after * 10,
                    resource: None,
                    outside_ok: forced,
                };
                for slot in slots(&day, &req) {
                    let (start, end) = (slot.start, slot.end);
                    let booking = check_time(day.now, start, day.settings)
                        .and_then(|()| check_open(&day, slot.span))
                        .and_then(|()| check_fit(slot.span, start, end, &req))
                        .and_then(|()| check_outside(&day, start, end, &req))
                        .and_then(|()| check_capacity(&day, slot.span, start, end, &req))
                        .err()
                        .map(|e| e.code);
                    prop_assert_eq!(slot.refusal, booking, "{:?}", slot);
                    let (from, to) = req.held(start, end);
                    let mut most = 0;
                    let mut t = from;
                    while t < to {
                        let here = day
                            .busy
                            .iter()
                            .filter(|b| b.holds(t, t + Duration::minutes(1)));
                        most = most.max(here.count() as i64);
                        t += Duration::minutes(1);
                    }
                    prop_assert_eq!(slot.remaining, (cap - most).max(0), "{:?}", slot);
                }
                Ok(())
            },
        )
        .unwrap();
}
