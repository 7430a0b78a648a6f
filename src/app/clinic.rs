//! Clinics and their settings (docs/commands.md#appt-clinic-addlistshowupdate).

use super::values::{check_name, parse_on_off, Problems};
use crate::core::message::{self, Refusal};
use crate::core::offer;
use crate::core::{booking_page, phone, time, Clinic, DateOrder, Language, QueueOrder, Settings};
use crate::error::{Error, Result};
use crate::store::db::Tx;
use crate::store::{self, clinics, Store};
use chrono::{DateTime, Utc};

/// The settings as typed; None leaves one as it is (or at its default).
#[derive(Debug, Clone, Default)]
pub struct SettingsInput {
    pub timezone: Option<String>,
    pub slot_minutes: Option<i64>,
    pub min_notice: Option<String>,
    pub horizon: Option<String>,
    pub cancel_window: Option<String>,
    pub reminders: Option<String>,
    pub duplicate_check: Option<String>,
    pub require_diagnosis: Option<String>,
    pub notify: Option<String>,
    /// `+503`; `none` (or blank) clears it.
    pub country_code: Option<String>,
    /// `en` or `es`: the language of the clinic's messages.
    pub language: Option<String>,
    /// `dmy` or `mdy`: how `4/12` is read at the clinic.
    pub date_order: Option<String>,
    /// The clinic's phone for messages; `none` clears it.
    pub phone: Option<String>,
    /// Where patients' phones reach `appt serve`; `none` clears it.
    pub public_url: Option<String>,
    /// `KIND=TEXT` each; `KIND=` restores the built-in text.
    pub templates: Vec<String>,
    /// How long messages are kept once a visit is over (`90d`); `none`
    /// keeps them for ever.
    pub retain_messages: Option<String>,
    /// `time` or `token`: the order the waiting room is called in.
    pub queue_order: Option<String>,
    /// Minutes past its start after which a visit nobody arrived for is
    /// late (`10`, or a duration such as `15m`).
    pub late_after: Option<String>,
    /// `Privado,ISSS,…`: the payers an appointment may name; blank clears them.
    pub payers: Option<String>,
    /// The link a telemedicine visit's messages give; `none` clears it.
    pub video_url: Option<String>,
    /// How many overbooked visits a doctor may have in a day (0 to 50).
    pub max_overbook_per_day: Option<i64>,
    /// `on` or `off`: whether `appt serve` offers the online booking page.
    pub online_booking: Option<String>,
    /// The end of the booking page's address; `none` takes the slug of the
    /// clinic's name again.
    pub slug: Option<String>,
    /// How far ahead the booking page offers times (`30d`).
    pub web_horizon: Option<String>,
    /// The least notice a booking on the page takes (`2h`; `0m` none).
    pub web_notice: Option<String>,
    /// How long the page holds a time while the patient types their code
    /// (`10m`, 1 minute to 1 hour).
    pub web_hold: Option<String>,
    /// `on` or `off`: whether `remind due` sends the clinic's due recalls.
    pub recalls: Option<String>,
    /// The country codes besides the clinic's own whose phones the page
    /// sends codes to (`+502,+504`; `none` for no other).
    pub web_countries: Option<String>,
    /// The most codes the page sends in an hour.
    pub web_codes_per_hour: Option<i64>,
    /// Hours, bare or with `h` (`8h`): how long a session lasts.
    pub session_hours: Option<String>,
}

/// One `--template KIND=TEXT`: the kind, and the text (None: the built-in
/// one), checked (docs/rules.md#messages).
fn template(arg: &str) -> Result<(String, Option<String>), crate::text::Msg> {
    let Some((kind, text)) = arg.split_once('=') else {
        return Err(crate::text::msg!(
            "e-template_is_kind_text",
            a = message::Kind::NAMES.join(", "),
            b = arg
        ));
    };
    let kind = kind.trim().to_ascii_lowercase();
    if !message::Kind::NAMES.contains(&kind.as_str()) {
        return Err(crate::text::msg!(
            "e-unknown_message_kind",
            a = kind,
            b = message::Kind::NAMES.join(", ")
        ));
    }
    if text.trim().is_empty() {
        return Ok((kind, None));
    }
    match message::check(text) {
        Ok(()) => Ok((kind, Some(text.to_string()))),
        Err(Refusal::Unknown(p)) => Err(crate::text::msg!(
            "e-unknown_placeholder",
            a = p,
            b = kind,
            c = message::PLACEHOLDERS.join(", ")
        )),
        Err(Refusal::Unmatched(c)) => {
            Err(crate::text::msg!("e-template_unmatched", a = kind, b = c))
        }
        Err(Refusal::Nested) => Err(crate::text::msg!("e-template_nested", a = kind)),
        Err(Refusal::TooLong) => Err(crate::text::msg!(
            "e-template_too_long",
            a = kind,
            b = message::TEMPLATE_LIMIT
        )),
    }
}

fn parse_reminders(s: &str) -> Result<Vec<i64>, crate::text::Msg> {
    if s.trim().eq_ignore_ascii_case("none") {
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    for part in s.split(',') {
        let m = time::parse_duration(part)?;
        if m <= 0 {
            return Err(crate::text::msg!(
                "e-reminder_offsets_must_be_longer_than_0m"
            ));
        }
        out.push(m);
    }
    out.sort_unstable_by(|a, b| b.cmp(a));
    out.dedup();
    Ok(out)
}

/// A retention (`90d`), or None for `none`: kept for ever.
fn retention(v: &str) -> Result<Option<i64>, crate::text::Msg> {
    if v.trim().eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    duration(v, true).map(Some)
}

/// Minutes past a visit's start before it is late: a whole number of
/// minutes or a duration, at most a day.
fn lateness(v: &str) -> Result<i64, crate::text::Msg> {
    let v = v.trim();
    let m = match v.parse::<i64>() {
        Ok(m) => m,
        Err(_) => time::parse_duration(v)?,
    };
    if !(0..=24 * 60).contains(&m) {
        return Err(crate::text::msg!("e-lateness_must_be", a = v));
    }
    Ok(m)
}

/// A duration setting, `positive` when 0m is not allowed.
fn duration(v: &str, positive: bool) -> Result<i64, crate::text::Msg> {
    let m = time::parse_duration(v)?;
    if positive && m == 0 {
        return Err(crate::text::msg!("e-must_be_longer_than_0m"));
    }
    Ok(m)
}

impl SettingsInput {
    /// Applies the given settings over `s` and `tz`, checking each; every bad field is reported.
    fn apply(&self, s: &mut Settings, tz: &mut crate::core::zone::Tz) -> Result<()> {
        let mut bad = Problems::default();
        if let Some(t) = &self.timezone {
            if let Some(t) = bad.check("timezone", time::parse_timezone(t)) {
                *tz = t;
            }
        }
        if let Some(m) = self.slot_minutes {
            if let Some(m) = bad.take(
                "slot_minutes",
                crate::app::values::length_minutes("slot_minutes", m),
            ) {
                s.slot_minutes = m;
            }
        }
        for (field, v, target, positive) in [
            ("min_notice", &self.min_notice, &mut s.min_notice, false),
            ("horizon", &self.horizon, &mut s.horizon, true),
            (
                "cancel_window",
                &self.cancel_window,
                &mut s.cancel_window,
                false,
            ),
            ("web_horizon", &self.web_horizon, &mut s.web_horizon, true),
            ("web_notice", &self.web_notice, &mut s.web_notice, false),
        ] {
            if let Some(m) = v
                .as_deref()
                .and_then(|v| bad.take(field, duration(v, positive)))
            {
                *target = m;
            }
        }
        if let Some(r) = &self.reminders {
            if let Some(r) = bad.take("reminders", parse_reminders(r)) {
                s.reminders = r;
            }
        }
        if let Some(r) = &self.retain_messages {
            if let Some(r) = bad.take("retain_messages", retention(r)) {
                s.retain_messages = r;
            }
        }
        if let Some(o) = &self.queue_order {
            if let Some(o) = bad.check("queue_order", QueueOrder::parse(o)) {
                s.queue_order = o;
            }
        }
        if let Some(l) = &self.late_after {
            if let Some(l) = bad.take("late_after", lateness(l)) {
                s.late_after = l;
            }
        }
        self.apply_web(s, &mut bad);
        if let Some(n) = self.max_overbook_per_day {
            let checked = crate::core::overbook::check_max(n);
            if let Some(n) = bad.take("max_overbook_per_day", checked) {
                s.max_overbook_per_day = n;
            }
        }
        for (field, v, target) in [
            (
                "duplicate_check",
                &self.duplicate_check,
                &mut s.duplicate_check,
            ),
            (
                "require_diagnosis",
                &self.require_diagnosis,
                &mut s.require_diagnosis,
            ),
            ("notify", &self.notify, &mut s.notify),
            (
                "online_booking",
                &self.online_booking,
                &mut s.online_booking,
            ),
            ("recalls", &self.recalls, &mut s.recalls),
        ] {
            if let Some(b) = v.as_deref().and_then(|v| bad.take(field, parse_on_off(v))) {
                *target = b;
            }
        }
        if let Some(c) = &self.country_code {
            if let Some(c) = bad.take("country_code", phone::country_code(c)) {
                s.country_code = c;
            }
        }
        if let Some(l) = &self.language {
            if let Some(l) = bad.check("language", Language::parse(l)) {
                s.language = l;
            }
        }
        if let Some(o) = &self.date_order {
            match DateOrder::parse(o) {
                Some(o) => s.date_order = Some(o),
                None => bad.add(
                    "date_order",
                    crate::text::msg!("e-date_order_must_be_dmy_or_mdy", o = o.trim()),
                ),
            }
        }
        self.apply_messages(s, &mut bad);
        bad.finish()
    }

    /// The booking page's settings (docs/booking.md).
    fn apply_web(&self, s: &mut Settings, bad: &mut Problems) {
        if let Some(h) = &self.web_hold {
            let checked = duration(h, true).and_then(booking_page::check_hold);
            if let Some(h) = bad.take("web_hold", checked) {
                s.web_hold = h;
            }
        }
        if let Some(c) = &self.web_countries {
            if let Some(c) = bad.take("web_countries", booking_page::countries(c)) {
                s.web_countries = c;
            }
        }
        if let Some(n) = self.web_codes_per_hour {
            let checked = booking_page::check_codes_per_hour(n);
            if let Some(n) = bad.take("web_codes_per_hour", checked) {
                s.web_codes_per_hour = n;
            }
        }
        if let Some(h) = &self.session_hours {
            if let Some(h) = bad.take("session_hours", crate::core::staff::session_hours(h)) {
                s.session_hours = h;
            }
        }
        if let Some(slug) = &self.slug {
            if let Some(slug) = bad.take("slug", booking_page::slug(slug)) {
                s.slug = slug;
            }
        }
    }

    /// What the clinic's messages carry: its phone, its links, its own
    /// templates (docs/rules.md#messages).
    fn apply_messages(&self, s: &mut Settings, bad: &mut Problems) {
        if let Some(p) = &self.phone {
            if let Some(p) = bad.take("phone", message::clinic_phone(p)) {
                s.phone = p;
            }
        }
        if let Some(u) = &self.public_url {
            if let Some(u) = bad.take("public_url", message::public_url(u)) {
                s.public_url = u;
            }
        }
        if let Some(p) = &self.payers {
            s.payers = crate::core::visit_kind::payers(p);
        }
        if let Some(u) = &self.video_url {
            if let Some(u) = bad.take("video_url", message::video_url(u)) {
                s.video_url = u;
            }
        }
        for t in &self.templates {
            match bad.take("template", template(t)) {
                Some((kind, Some(text))) => {
                    s.templates.insert(kind, text);
                }
                Some((kind, None)) => {
                    s.templates.remove(&kind);
                }
                None => {}
            }
        }
    }
}

pub fn add(
    st: &mut Store,
    name: &str,
    settings: &SettingsInput,
    now: DateTime<Utc>,
) -> Result<Clinic> {
    let name = check_name("name", name)?;
    if settings.timezone.is_none() {
        return Err(Error::field(
            "timezone",
            crate::text::msg!("e-timezone_is_required"),
        ));
    }
    let mut tz = crate::core::zone::UTC;
    let mut s = Settings::default();
    settings.apply(&mut s, &mut tz)?;
    let clinic = Clinic {
        id: store::new_id(),
        name,
        timezone: tz,
        settings: s,
        created_at: now,
        updated_at: now,
    };
    st.write(|tx| {
        // The name's own check first: a clinic of that name is refused as such.
        clinics::insert(tx, &clinic)?;
        ensure_slug_free(tx, &clinic)
    })?;
    Ok(clinic)
}

/// Refuses a clinic whose booking page would have the address another
/// clinic's has: two clinics never share a slug, given or of their name.
fn ensure_slug_free(tx: &store::db::Tx, c: &Clinic) -> Result<()> {
    let slug = c.settings.slug_or(&c.name);
    let other = clinics::list(tx)?
        .into_iter()
        .find(|o| o.id != c.id && o.settings.slug_or(&o.name) == slug);
    match other {
        None => Ok(()),
        Some(o) => Err(Error::field(
            "slug",
            crate::text::msg!("e-slug_taken", slug = slug, clinic = o.name),
        )),
    }
}

pub fn list(st: &mut Store) -> Result<Vec<Clinic>> {
    st.read(clinics::list)
}

pub fn show(st: &mut Store, clinic: &str) -> Result<Clinic> {
    st.read(|tx| clinics::find(tx, clinic))
}

/// What `clinic update --all-online` put on the booking page: the names of
/// the doctors and services that were not on it.
#[derive(Debug, Default)]
pub struct PutOnline {
    pub doctors: Vec<String>,
    pub services: Vec<String>,
}

/// `clinic update`; with `all_online`, every active doctor with a window
/// at the clinic and every active service one of them may do in one of
/// those windows (docs/rules.md#who-does-what) go online too, in the same
/// transaction.
pub fn update(
    st: &mut Store,
    clinic: &str,
    name: Option<&str>,
    settings: &SettingsInput,
    all_online: bool,
    now: DateTime<Utc>,
) -> Result<(Clinic, PutOnline)> {
    st.write(|tx| {
        let c = update_in(tx, clinic, name, settings, now)?;
        let online = match all_online {
            true => put_online(tx, &c, now)?,
            false => PutOnline::default(),
        };
        Ok((c, online))
    })
}

fn put_online(tx: &Tx, c: &Clinic, now: DateTime<Utc>) -> Result<PutOnline> {
    let windows = store::windows::list(tx, Some(&c.id), None)?;
    let mut done = PutOnline::default();
    let mut any = false;
    let mut ids: Vec<String> = Vec::new();
    for mut d in store::doctors::at_clinic(tx, &c.id)? {
        if !d.active {
            continue;
        }
        let theirs = windows
            .iter()
            .filter(|w| w.doctor_id.as_deref() == Some(d.id.as_str()));
        for w in theirs {
            match offer::offered(&d.services, &w.services) {
                offer::Offered::Any => any = true,
                offer::Offered::Only(only) => ids.extend(only),
            }
        }
        if !d.online {
            d.online = true;
            d.updated_at = now;
            store::doctors::update(tx, &d)?;
            done.doctors.push(d.full_name);
        }
    }
    for mut s in store::services::list(tx)? {
        if !s.online && (any || ids.contains(&s.id)) {
            s.online = true;
            s.updated_at = now;
            store::services::update(tx, &s)?;
            done.services.push(s.name);
        }
    }
    Ok(done)
}

fn update_in(
    tx: &Tx,
    clinic: &str,
    name: Option<&str>,
    settings: &SettingsInput,
    now: DateTime<Utc>,
) -> Result<Clinic> {
    {
        let mut c = clinics::find(tx, clinic)?;
        let old_slug = c.settings.slug_or(&c.name);
        if let Some(n) = name {
            c.name = check_name("name", n)?;
        }
        let old_tz = c.timezone;
        settings.apply(&mut c.settings, &mut c.timezone)?;

        if c.timezone != old_tz && clinics::has_appointments(tx, &c.id)? {
            // Stored local dates and tokens were computed in the old zone.
            return Err(Error::field(
                "timezone",
                crate::text::msg!("e-the_time_zone_cannot_change_once_the"),
            ));
        }
        c.updated_at = now;
        clinics::update(tx, &c)?;
        // A slug two clinics shared before this appt checked stays theirs
        // until one of them changes it (after the name's own check).
        if c.settings.slug_or(&c.name) != old_slug {
            ensure_slug_free(tx, &c)?;
        }
        Ok(c)
    }
}
