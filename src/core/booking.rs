//! The scheduling rules of docs/rules.md#booking that need no database: time (rule 5),
//! availability (rule 6), duplicates (rule 7) and capacity (rule 8: the day's
//! limits, docs/rules.md#daily-limits, then the time's places). The caller
//! runs them in that order inside one write transaction. A day's grid slots are
//! judged by the same rules, so a slot's refusal is what booking it would answer.

use super::resources;
use super::slots::{peak, Busy, DailyLimit, Day, LimitScope, Request, Slot, Span, Timeline};
use super::time;
use super::Settings;
use crate::error::{Code, Error, Result};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// Every grid slot of the day, in time order, each judged by the booking rules.
pub fn slots<'a>(day: &'a Day<'a>, req: &Request) -> Vec<Slot<'a>> {
    let mut out = Vec::new();
    let booked = Timeline::of(day.busy.iter());
    let when = When::of(day.now, day.settings);
    for span in &day.spans {
        for start in span.grid() {
            let minutes = req.duration.unwrap_or(span.window.slot_minutes);
            let end = start + Duration::minutes(minutes);
            let held = req.held(start, end);
            let taken = booked.peak(held.0, held.1);
            let remaining = span.window.capacity - taken;
            let refusal = refusal(day, &when, span, (start, end), req, held, taken);
            let buffer = matches!(refusal, Some(Code::AppointmentConflict | Code::SlotFull))
                && booked.peak_unbuffered(start, end) < span.window.capacity;
            out.push(Slot {
                span,
                start,
                end,
                remaining: remaining.max(0),
                refusal,
                buffer,
                offered: false,
            });
        }
    }
    out.sort_by_key(|s| s.start);
    offer(day, req, &mut out, booked);
    out
}

/// Marks the slots offered (docs/rules.md#windows-and-slots): in time
/// order, each bookable slot that is still bookable with every slot offered
/// before it booked too, so that the desk is never offered times that
/// cannot all be had. A slot as long as the grid's step (and no buffer)
/// meets no other, and every bookable one is offered.
fn offer(day: &Day, req: &Request, slots: &mut [Slot], booked: Timeline) {
    // The times held (with their buffers): the day's bookings, then each
    // slot offered.
    let mut held = booked;
    let mut needs = resources::Offered::new(&day.needs);
    for s in slots.iter_mut().filter(|s| s.refusal.is_none()) {
        let (from, to) = req.held(s.start, s.end);
        let cap = s.span.window.capacity;
        let fits = held.peak(from, to) < cap
            && !(cap > 1 && held.solo_meeting(from, to))
            && needs.room_for(from, to);
        if fits {
            s.offered = true;
            needs.take(from, to);
            let mut b = Busy::new(
                String::new(),
                s.start,
                s.end,
                req.buffer_before,
                req.buffer_after,
            );
            b.solo = cap == 1;
            held.add(&b);
        }
    }
}

/// The first rule of docs/rules.md#booking that a grid slot fails, in their
/// order, by its code: what booking it would answer. The two a day's grid
/// fails most (a time gone by, a time taken) are judged without making the
/// error booking would show.
/// `held` is the time the slot would hold (`req.held`), and `taken`
/// [`peak`] of it. A grid slot starts on the grid by how it was laid out:
/// only the rest of [`check_fit`] is asked.
fn refusal(
    day: &Day,
    when: &When,
    span: &Span,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    req: &Request,
    held: (DateTime<Utc>, DateTime<Utc>),
    taken: i64,
) -> Option<Code> {
    when.refusal(start)
        .or_else(|| check_open(day, span).err().map(|e| e.code))
        .or_else(|| check_inside(span, end, req).err().map(|e| e.code))
        .or_else(|| away_at(day, start, end, req).map(|_| Code::CalendarBusy))
        .or_else(|| daily_reached(day).map(|_| Code::DailyLimit))
        .or_else(|| held_in_the_way(day, span, held).map(|_| Code::SlotHeld))
        .or_else(|| places(day, span, held, taken).refusal(span))
        .or_else(|| {
            (!resources::room_for(&day.needs, held.0, held.1)).then_some(Code::ResourceBusy)
        })
}

/// The doctor's own busy time that `[start, end)` meets (docs/calendars.md),
/// unless the desk forces it: the visit's own time, not its buffers, which
/// the clinic keeps and the doctor need not be there for.
fn away_at<'d>(
    day: &'d Day,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    req: &Request,
) -> Option<&'d super::outside::Away> {
    if req.outside_ok {
        return None;
    }
    day.outside.iter().find(|a| a.meets(start, end))
}

/// Rule 6's last word (docs/calendars.md): the doctor is busy then in their
/// own calendar, `CALENDAR_BUSY` (never saying with what).
pub fn check_outside(
    day: &Day,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    req: &Request,
) -> Result<()> {
    match away_at(day, start, end, req) {
        None => Ok(()),
        Some(a) => Err(
            Error::new(Code::CalendarBusy, crate::text::msg!("e-calendar_busy"))
                .details(
                    json!({"busy_from": time::fmt_utc(a.start), "busy_to": time::fmt_utc(a.end)}),
                )
                .hint(crate::text::msg!("e-calendar_busy_hint")),
        ),
    }
}

/// The hold that alone keeps `[start, end)` from being booked
/// (docs/rules.md#holds): the time meets a live hold, and without the
/// holds it would have a place.
/// `(from, to)` is the time it would hold (`Request::held`).
fn held_in_the_way<'d>(
    day: &'d Day,
    span: &Span,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Option<&'d super::slots::Hold> {
    let hold = day.held.iter().find(|h| h.start < to && from < h.end)?;
    let held = |b: &&Busy| day.held.iter().any(|h| h.id == b.id);
    let others = peak(day.busy.iter().filter(|b| !held(b)), from, to);
    (others < span.window.capacity).then_some(hold)
}

/// The first three bookable slot starts after `after`, for the same request.
pub fn suggestions(day: &Day, after: DateTime<Utc>, req: &Request) -> Vec<DateTime<Utc>> {
    slots(day, req)
        .into_iter()
        .filter(|s| s.start > after && s.refusal.is_none())
        .take(3)
        .map(|s| s.start)
        .collect()
}

/// Rule 5: past, minimum notice, horizon.
pub fn check_time(now: DateTime<Utc>, start: DateTime<Utc>, s: &Settings) -> Result<()> {
    let when = When::of(now, s);
    let Some(code) = when.refusal(start) else {
        return Ok(());
    };
    let (earliest, latest) = (when.earliest, when.latest);
    Err(match code {
        Code::PastAppointment => Error::new(code, crate::text::msg!("e-appointment_time_is_in_the_past"))
            .details(json!({"now": time::fmt_utc(now)})),
        Code::InsufficientNotice => Error::new(
            code,
            crate::text::msg!("e-appointments_need_at_least_notice", a = time::format_duration(s.min_notice)),
        )
        .details(json!({"min_notice": time::format_duration(s.min_notice), "earliest": earliest.map(time::fmt_utc)})),
        _ => Error::new(
            code,
            crate::text::msg!("e-appointments_can_be_booked_at_most_ahead", a = time::format_duration(s.horizon)),
        )
        .details(json!({"horizon": time::format_duration(s.horizon), "latest": latest.map(time::fmt_utc)})),
    })
}

/// Rule 5's bounds at `now`, worked out once for a day's grid.
struct When {
    now: DateTime<Utc>,
    /// The earliest start the notice allows; None past the calendar's
    /// end: nothing is far enough ahead.
    earliest: Option<DateTime<Utc>>,
    /// The latest start the horizon allows; None past the calendar's end:
    /// nothing is too far (checked arithmetic, whatever is stored).
    latest: Option<DateTime<Utc>>,
}

impl When {
    fn of(now: DateTime<Utc>, s: &Settings) -> When {
        When {
            now,
            earliest: time::after_minutes(now, s.min_notice),
            latest: time::after_minutes(now, s.horizon),
        }
    }

    /// Rule 5's verdict alone: the code of the first of past, minimum
    /// notice and horizon that `start` fails.
    fn refusal(&self, start: DateTime<Utc>) -> Option<Code> {
        if start <= self.now {
            return Some(Code::PastAppointment);
        }
        if self.earliest.is_none_or(|e| start < e) {
            return Some(Code::InsufficientNotice);
        }
        if self.latest.is_some_and(|l| start > l) {
            return Some(Code::BeyondHorizon);
        }
        None
    }
}

fn closed_for(day: &Day, reason: &Option<String>) -> Error {
    let msg = match reason {
        Some(r) => crate::text::msg!("e-closed_on_reason", date = day.date, reason = r),
        None => crate::text::msg!("e-closed_on", date = day.date),
    };
    Error::new(Code::OutsideAvailability, msg)
        .details(json!({"closure_reason": reason, "date": day.date.to_string()}))
}

/// Rule 6, first half: the window whose time contains `start`.
pub fn locate<'d>(day: &'d Day<'d>, start: DateTime<Utc>) -> Result<&'d Span<'d>> {
    if let Some(reason) = &day.closure {
        return Err(closed_for(day, reason));
    }
    let containing: Vec<&Span> = day.spans.iter().filter(|s| s.contains(start)).collect();
    if let Some(open) = containing.iter().find(|s| s.window.open) {
        return Ok(open);
    }
    if let Some(closed) = containing.first() {
        return Err(Error::new(
            Code::SlotInactive,
            crate::text::msg!("e-the_window_for_this_time_is_closed"),
        )
        .details(json!({"window_id": closed.window.id})));
    }
    let windows: Vec<String> = day
        .spans
        .iter()
        .filter(|s| s.window.open)
        .map(Span::label)
        .collect();
    let msg = if windows.is_empty() {
        crate::text::msg!("e-no_availability_on", date = day.date)
    } else {
        crate::text::msg!(
            "e-outside_availability_on",
            date = day.date,
            open = windows.join(", ")
        )
    };
    Err(Error::new(Code::OutsideAvailability, msg)
        .details(json!({"windows": windows, "date": day.date.to_string()})))
}

/// Closure and open/closed, for a slot already known to sit in `span`.
pub fn check_open(day: &Day, span: &Span) -> Result<()> {
    if let Some(reason) = &day.closure {
        return Err(closed_for(day, reason));
    }
    if !span.window.open {
        return Err(Error::new(
            Code::SlotInactive,
            crate::text::msg!("e-the_window_for_this_time_is_closed"),
        )
        .details(json!({"window_id": span.window.id})));
    }
    Ok(())
}

/// Rule 6, second half: on the grid, inside the window, service and session allowed.
pub fn check_fit(
    span: &Span,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    req: &Request,
) -> Result<()> {
    let w = span.window;
    if !span.on_grid(start) {
        return refuse(
            span,
            crate::text::msg!(
                "e-off_the_grid",
                n = w.slot_minutes,
                from = time::format_hhmm(w.from)
            ),
            json!({"slot_minutes": w.slot_minutes}),
        );
    }
    check_inside(span, end, req)
}

/// [`check_fit`] for a start already on the grid (a day's grid slot):
/// inside the window, service and session allowed.
fn check_inside(span: &Span, end: DateTime<Utc>, req: &Request) -> Result<()> {
    let w = span.window;
    if end > span.end {
        return refuse(
            span,
            crate::text::msg!("e-past_the_windows_end", to = time::format_hhmm(w.to)),
            json!({}),
        );
    }
    check_offers(span, req)
}

/// `INVALID_TIME_SLOT` for `span`'s window, with `extra` details.
fn refuse(span: &Span, msg: crate::text::Msg, extra: serde_json::Value) -> Result<()> {
    let mut details = json!({"window_id": span.window.id, "window": span.label()});
    if let (Some(d), Some(e)) = (details.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    Err(Error::new(Code::InvalidTimeSlot, msg).details(details))
}

/// The window offers the service and session asked for: the service is
/// one the doctor does there (docs/rules.md#who-does-what).
fn check_offers(span: &Span, req: &Request) -> Result<()> {
    let w = span.window;
    if !span.offered.allows(req.service_id) {
        let ids = match &span.offered {
            super::offer::Offered::Only(ids) => ids.clone(),
            super::offer::Offered::Any => Vec::new(),
        };
        let msg = if ids.is_empty() {
            crate::text::msg!("e-window_offers_no_service")
        } else {
            crate::text::msg!("e-window_does_not_offer_service")
        };
        return refuse(span, msg, json!({"services": ids}));
    }
    if let (Some(want), Some(has)) = (req.session, &w.session) {
        if !want.eq_ignore_ascii_case(has) {
            return refuse(
                span,
                crate::text::msg!("e-time_belongs_to_session", session = has),
                json!({"session": has}),
            );
        }
    }
    Ok(())
}

/// Rule 8, first: a daily limit the day has reached (docs/rules.md#daily-limits), the
/// doctor's before the service's.
pub fn check_daily(day: &Day) -> Result<()> {
    match daily_reached(day) {
        None => Ok(()),
        Some(l) => Err(daily_limit_error(l, day.date)),
    }
}

/// The first daily limit the day has reached.
fn daily_reached<'d>(day: &'d Day) -> Option<&'d DailyLimit> {
    day.limits.iter().find(|l| l.taken >= l.limit)
}

fn daily_limit_error(l: &DailyLimit, date: chrono::NaiveDate) -> Error {
    let msg = match l.scope {
        LimitScope::Doctor => {
            crate::text::msg!("e-doctor_daily_limit_reached", a = l.limit, date = date)
        }
        LimitScope::Service => {
            crate::text::msg!("e-service_daily_limit_reached", a = l.limit, date = date)
        }
    };
    Error::new(Code::DailyLimit, msg)
        .details(json!({"limit": l.limit, "scope": l.scope.as_str()}))
        .hint(crate::text::msg!("e-the_day_is_full_try_another_day"))
}

/// Rule 8: the day's limits, then capacity over the whole time the
/// appointment would hold, its buffers included, against the time the
/// others hold with theirs (docs/rules.md#buffers). Returns the places left
/// after booking.
pub fn check_capacity(
    day: &Day,
    span: &Span,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    req: &Request,
) -> Result<i64> {
    check_daily(day)?;
    let (from, to) = req.held(start, end);
    if let Some(h) = held_in_the_way(day, span, (from, to)) {
        return Err(Error::new(
            Code::SlotHeld,
            crate::text::msg!("e-time_held_for_a_patient"),
        )
        .details(json!({"until": time::fmt_utc(h.until)})));
    }
    let cap = span.window.capacity;
    match places(day, span, (from, to), peak(day.busy.iter(), from, to)) {
        Places::Left(n) => {
            return match resources::assign(&day.needs, from, to, &[], req.resource) {
                Ok(_) => Ok(n),
                Err(busy) => Err(resource_busy(&busy)),
            }
        }
        Places::Solo(b) => {
            let msg = if span.window.doctor_id.is_some() {
                crate::text::msg!("e-too_close_to_another_appointment_buffer")
            } else {
                crate::text::msg!("e-too_close_to_another_booking_buffer")
            };
            return Err(Error::new(Code::AppointmentConflict, msg)
                .details(json!({"conflicting_appointment_id": b.id, "buffer": true})));
        }
        Places::Taken => {}
    }
    if cap == 1 {
        // The appointment in the way itself, else the one a buffer (its or
        // the one asked for) meets.
        let own = day.busy.iter().find(|b| b.start < end && start < b.end);
        let other = own.or_else(|| day.busy.iter().find(|b| b.holds(from, to)));
        let buffer = own.is_none() && other.is_some();
        let msg = match (span.window.doctor_id.is_some(), buffer) {
            (true, false) => crate::text::msg!("e-doctor_is_not_available_at_the_requested"),
            (false, false) => crate::text::msg!("e-this_time_is_already_booked"),
            (true, true) => {
                crate::text::msg!("e-too_close_to_another_appointment_buffer")
            }
            (false, true) => crate::text::msg!("e-too_close_to_another_booking_buffer"),
        };
        Err(Error::new(Code::AppointmentConflict, msg).details(json!({
            "conflicting_appointment_id": other.map(|b| b.id.clone()),
            "buffer": buffer
        })))
    } else {
        Err(Error::new(
            Code::SlotFull,
            crate::text::msg!("e-all_places_at_this_time_are_taken", cap = cap),
        )
        .details(json!({"capacity": cap})))
    }
}

/// `RESOURCE_BUSY`, naming the resources taken
/// (docs/rules.md#rooms-and-equipment); booking adds the times free.
fn resource_busy(busy: &[&str]) -> Error {
    Error::new(
        Code::ResourceBusy,
        crate::text::msg!("e-resource_busy", a = busy.join(", ")),
    )
    .details(json!({"resource": busy}))
}

/// The resources a visit of `[start, end)` gets once rule 8 has passed
/// (docs/rules.md#rooms-and-equipment): one per group; `prefer` those a
/// moved visit had.
pub fn assign_resources(
    day: &Day,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    req: &Request,
    prefer: &[String],
) -> Result<Vec<resources::Given>> {
    let (from, to) = req.held(start, end);
    match resources::assign(&day.needs, from, to, prefer, req.resource) {
        Ok(got) => Ok(got.into_iter().map(|h| h.given()).collect()),
        Err(busy) => Err(resource_busy(&busy)),
    }
}

/// An overbooking's resources (`book --overbook --overbook-resource`,
/// docs/rules.md#rooms-and-equipment): of each group, the one
/// [`assign_resources`] would give where one is free, else (past its
/// capacity) the one asked for, else the group's first. Returns them, and
/// the IDs of those given past their capacity.
pub fn overbook_resources(
    day: &Day,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    req: &Request,
) -> (Vec<resources::Given>, Vec<String>) {
    let (from, to) = req.held(start, end);
    let (mut given, mut past) = (Vec::new(), Vec::new());
    for group in day.needs.iter() {
        let one = std::slice::from_ref(group);
        match resources::assign(one, from, to, &[], req.resource) {
            Ok(got) => given.extend(got.first().map(|h| h.given())),
            Err(_) => {
                let asked = group
                    .iter()
                    .find(|h| req.resource.is_none_or(|c| h.id == c));
                if let Some(h) = asked.or(group.first()) {
                    past.push(h.id.clone());
                    given.push(h.given());
                }
            }
        }
    }
    (given, past)
}

/// The resources that keep `[start, end)` from being booked: those of
/// every group with none free (`slots --all`'s `RESOURCE_BUSY`).
pub fn busy_resources(
    day: &Day,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    req: &Request,
) -> Vec<String> {
    let (from, to) = req.held(start, end);
    match resources::assign(&day.needs, from, to, &[], req.resource) {
        Ok(_) => Vec::new(),
        Err(busy) => busy.into_iter().map(String::from).collect(),
    }
}

/// Rule 8's places at a time, the day's limits aside.
enum Places<'d> {
    /// Free: the places left after booking it.
    Left(i64),
    /// A one-at-a-time appointment's time meets it in a window that takes
    /// several: never shared, not even with a buffer.
    Solo(&'d Busy),
    /// Every place is taken.
    Taken,
}

impl Places<'_> {
    /// The code booking would answer, if it refuses.
    fn refusal(&self, span: &Span) -> Option<Code> {
        match self {
            Places::Left(_) => None,
            Places::Solo(_) => Some(Code::AppointmentConflict),
            Places::Taken if span.window.capacity == 1 => Some(Code::AppointmentConflict),
            Places::Taken => Some(Code::SlotFull),
        }
    }
}

/// The places left in `span` for the time `[from, to)` that an appointment
/// would hold with its buffers, where the others already hold `taken` at
/// once with theirs ([`peak`], docs/rules.md#buffers).
fn places<'d>(
    day: &'d Day,
    span: &Span,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    taken: i64,
) -> Places<'d> {
    let cap = span.window.capacity;
    // A one-at-a-time appointment's time is never shared: a buffer reaching
    // it from a window that takes several (next to its own) is refused as
    // booking beside it would be, whichever is booked first.
    if cap > 1 {
        if let Some(b) = day.busy.iter().find(|b| b.solo && b.holds(from, to)) {
            return Places::Solo(b);
        }
    }
    if taken < cap {
        Places::Left(cap - taken - 1)
    } else {
        Places::Taken
    }
}

/// Rule 8 as booking answers it: with `suggested_times` on a refusal of the
/// time (a full day has none to suggest).
pub fn check_capacity_suggesting(
    day: &Day,
    span: &Span,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    req: &Request,
) -> Result<i64> {
    check_daily(day)?;
    check_capacity(day, span, start, end, req).map_err(|mut e| {
        let suggested = suggestions(day, start, req);
        let hm: Vec<String> = suggested
            .iter()
            .map(|t| time::to_local(day.tz, *t).1)
            .collect();
        let at: Vec<String> = suggested.iter().map(|t| time::fmt_utc(*t)).collect();
        if let Some(d) = e.details.as_object_mut() {
            if e.code == Code::ResourceBusy {
                // The times every resource needed is free again.
                d.insert("next".into(), json!(at));
            }
            d.insert("suggested_times".into(), json!(hm));
            // On a fall-back night an HH:MM names two instants: these do not.
            d.insert("suggested_at".into(), json!(at));
        }
        if !suggested.is_empty() {
            let shown: Vec<String> = suggested
                .iter()
                .map(|t| time::local_hm(day.tz, *t))
                .collect();
            e = e.hint(crate::text::msg!(
                "e-free_later_that_day_at",
                a = shown.join(", ")
            ));
        }
        e
    })
}

/// Where a walk-in goes (docs/rules.md#walk-ins): into the window open at `now`, at `now`
/// itself when the window takes several patients at a time and has a place,
/// else at the first free grid slot from `now` on. No window open is the
/// availability error; a window with nothing left answers as booking its
/// last slot would (taken, with suggestions later in the day).
pub fn walk_in<'d>(
    day: &'d Day<'d>,
    now: DateTime<Utc>,
    req: &Request,
) -> Result<(&'d Span<'d>, DateTime<Utc>, DateTime<Utc>)> {
    let span = locate(day, now)?;
    let minutes = req.duration.unwrap_or(span.window.slot_minutes);
    let length = Duration::minutes(minutes);
    if span.window.capacity > 1
        && now + length <= span.end
        && check_capacity(day, span, now, now + length, req).is_ok()
    {
        // Off the grid on purpose: the patient is here now.
        check_offers(span, req)?;
        return Ok((span, now, now + length));
    }
    let mut unfit = None;
    let mut full = None;
    for start in span.grid().filter(|s| *s >= now) {
        let end = start + length;
        if let Err(e) = check_fit(span, start, end, req) {
            unfit.get_or_insert(e);
            continue;
        }
        if check_capacity(day, span, start, end, req).is_ok() {
            return Ok((span, start, end));
        }
        full = Some((start, end));
    }
    if let Some((start, end)) = full {
        // The last slot taken answers, with the times still free that day
        // (worked out once, not for every slot tried).
        check_capacity_suggesting(day, span, start, end, req)?;
        return Ok((span, start, end));
    }
    Err(unfit.unwrap_or_else(|| {
        Error::new(
            Code::OutsideAvailability,
            crate::text::msg!("e-no_slot_is_left_in_the_window", a = span.label()),
        )
        .details(json!({"windows": [span.label()], "date": day.date.to_string()}))
    }))
}

/// Rule 7: the first active appointment of the same patient, service and local
/// date (`others` are already narrowed to patient, date and active status).
pub fn find_duplicate<'a>(
    others: &'a [(String, Option<String>)],
    service_id: Option<&str>,
) -> Option<&'a str> {
    others
        .iter()
        .find(|(_, s)| s.as_deref() == service_id)
        .map(|(id, _)| id.as_str())
}

pub fn duplicate_error(existing: &str) -> Error {
    Error::new(
        Code::DuplicateBooking,
        crate::text::msg!("e-patient_already_has_an_active_appointment_for"),
    )
    .details(json!({"existing_appointment_id": existing}))
}

#[cfg(test)]
#[path = "booking_tests.rs"]
mod tests;
