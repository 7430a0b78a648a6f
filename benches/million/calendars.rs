//! The calendars figures (docs/performance.md#calendars): `slots` and
//! `next` where each of the clinic's doctors has an own calendar of 2,000
//! busy times (docs/calendars.md), against the same questions without them,
//! on the same copy. The busy times are what appt keeps of a calendar: the
//! span it reads (yesterday to a week past the horizon), each 15 minutes,
//! spread over the whole day, so that about a third of a doctor's time is
//! busy. The two tables are swapped between runs (a table of the busy
//! times and an empty one of the same shape), which both engines do in an
//! instant: the questions are the same, only what they read differs.

use super::*;

/// Busy times in each doctor's calendar.
const BUSY: i64 = 2_000;

impl Bench<'_> {
    /// Sets the calendars up on the copy, then the two pairs.
    pub(super) fn calendars(&self) -> Vec<(&'static str, Res<Row>)> {
        if let Err(e) = self.calendars_set_up() {
            return vec![("calendars", Err(e))];
        }
        let p = self.plan;
        let day = p.day.to_string();
        let day = day.as_str();
        let slots =
            move |_| self.appt_args(&["slots", "--doctor", &p.doctor, "--date", day, "--json"]);
        let next = move |_| self.appt_args(&["--clinic", &p.clinic, "next", "--json"]);
        // Even runs read the busy times, odd ones the empty table.
        let swap: Prepare = &|i| self.calendars_swap(i % 2 == 0);
        let pair = |cmd: &dyn Fn(usize) -> Command, name| {
            self.pair((2, self.runs), cmd, cmd, swap)
                .map(|x| self.ratio_row(name, &x, 1.2, "the same without calendars"))
        };
        let rows = vec![
            (
                "calendars slots",
                pair(&slots, "slots (2,000 busy times a doctor)"),
            ),
            (
                "calendars next",
                pair(&next, "next (2,000 busy times a doctor)"),
            ),
        ];
        // The copy goes on without them, as the other figures expect.
        if let Err(e) = self.calendars_swap(false) {
            return vec![("calendars", Err(e))];
        }
        rows
    }

    /// Whether the busy times are read (else the empty table is).
    fn calendars_swap(&self, on: bool) -> Res<()> {
        let full = self.engine.count("SELECT count(*) FROM calendar_busy")? > 0;
        if full == on {
            return Ok(());
        }
        self.engine.exec(
            "ALTER TABLE calendar_busy RENAME TO calendar_busy_swap; \
             ALTER TABLE calendar_busy_other RENAME TO calendar_busy; \
             ALTER TABLE calendar_busy_swap RENAME TO calendar_busy_other;",
        )
    }

    fn calendars_set_up(&self) -> Res<()> {
        let p = self.plan;
        let t = Instant::now();
        // A clinic's and a doctor's ID are kept as their 16 bytes.
        let clinic_id = self.engine.id_literal(&p.clinic_id);
        let doctors = self.engine.strings(&format!(
            "SELECT DISTINCT {} FROM windows WHERE clinic_id = {clinic_id} AND doctor_id IS NOT NULL \
             ORDER BY 1",
            self.engine.id_text("doctor_id")
        ))?;
        let horizon = self.engine.count(&format!(
            "SELECT horizon FROM clinics WHERE id = {clinic_id}"
        ))?;
        let from = now() - Duration::days(1);
        let span = Duration::minutes(horizon) + Duration::days(8);
        let step = span.num_seconds() / BUSY;
        let n = now().timestamp();
        // A sealed value nobody opens here (the figures never read it).
        let sealed = if self.engine.pg() {
            "'\\x00'::bytea"
        } else {
            "X'00'"
        };
        for (k, d) in doctors.iter().enumerate() {
            let id = format!("bench-cal-{k}");
            let d = self.engine.id_literal(d);
            self.engine.exec(&format!(
                "INSERT INTO calendars (id, name, name_key, doctor_id, kind, host, secrets, \
                   busy_count, due_at, created_at) \
                 VALUES ('{id}', '{id}', '{id}', {d}, 'ics', 'https://calendar.example', \
                   {sealed}, {BUSY}, 4102444800, {n})"
            ))?;
            // Each doctor's busy times a little apart from the others'.
            let offset = (k as i64 * 601) % step.max(1);
            let rows: Vec<String> = (0..BUSY)
                .map(|i| {
                    let start = from.timestamp() + offset + i * step;
                    format!("('{id}', {d}, {start}, {})", start + 15 * 60)
                })
                .collect();
            for chunk in rows.chunks(500) {
                self.engine.exec(&format!(
                    "INSERT INTO calendar_busy (calendar_id, doctor_id, starts_at, ends_at) VALUES {}",
                    chunk.join(", ")
                ))?;
            }
        }
        // The empty table the odd runs read, of the same shape and index.
        self.engine.exec(
            "CREATE TABLE calendar_busy_other AS SELECT * FROM calendar_busy WHERE 1 = 0; \
             CREATE INDEX calendar_busy_other_doctor \
               ON calendar_busy_other(doctor_id, starts_at, ends_at);",
        )?;
        eprintln!(
            "  calendars: {} doctors, {} busy times each, in {:.1} s",
            doctors.len(),
            BUSY,
            t.elapsed().as_secs_f64()
        );
        Ok(())
    }
}
