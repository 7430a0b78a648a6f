//! The rooms figures (docs/performance.md#rooms): `slots` and `next` for a
//! service that needs one of twenty rooms, against the same questions for a
//! service of the same length that needs none, on the same copy. The
//! clinic's doctors' visits are each given a room first (a doctor's room
//! by their rank, the doctors shared out among the twenty, each room taking
//! as many at once as doctors share it), so the rooms hold the data's whole
//! history: what `slots` reads of them is a real day's.

use super::*;

/// Rooms in the clinic.
const ROOMS: usize = 20;

impl Bench<'_> {
    /// Sets the rooms up on the copy, then the two pairs.
    pub(super) fn rooms(&self) -> Vec<(&'static str, Res<Row>)> {
        if let Err(e) = self.rooms_set_up() {
            return vec![("rooms", Err(e))];
        }
        let p = self.plan;
        let day = p.day.to_string();
        let day = day.as_str();
        let slots = |service: &'static str| {
            move |_| {
                self.appt_args(&[
                    "slots", "--doctor", &p.doctor, "--date", day, "-s", service, "--json",
                ])
            }
        };
        let next = |service: &'static str| {
            move |_| self.appt_args(&["--clinic", &p.clinic, "next", "-s", service, "--json"])
        };
        let none: Prepare = &|_| Ok(());
        let pair = |a: &dyn Fn(usize) -> Command, b: &dyn Fn(usize) -> Command, name| {
            self.pair((2, self.runs), a, b, none)
                .map(|x| self.ratio_row(name, &x, 1.3, "the same without rooms"))
        };
        vec![
            (
                "rooms slots",
                pair(
                    &slots("Con sala"),
                    &slots("Sin sala"),
                    "slots -s (needs 1 of 20 rooms)",
                ),
            ),
            (
                "rooms next",
                pair(
                    &next("Con sala"),
                    &next("Sin sala"),
                    "next -s (needs 1 of 20 rooms)",
                ),
            ),
        ]
    }

    fn rooms_set_up(&self) -> Res<()> {
        let p = self.plan;
        // A clinic's ID is kept as its 16 bytes.
        let clinic_id = self.engine.id_literal(&p.clinic_id);
        // Each room takes its doctors' visits at once: as many places as
        // doctors share it (25 doctors: two; 50: three).
        let doctors = self.engine.count(&format!(
            "SELECT count(DISTINCT doctor_id) FROM appointments WHERE clinic_id = {clinic_id}"
        ))?;
        let capacity = ((doctors as usize).div_ceil(ROOMS)).max(1).to_string();
        let mut group = Vec::new();
        for k in 0..ROOMS {
            let name = format!("Sala {k}");
            run_ok(self.appt_args(&[
                "--clinic",
                &p.clinic,
                "resource",
                "add",
                &name,
                "--kind",
                "room",
                "--capacity",
                &capacity,
            ]))?;
            group.push(name);
        }
        for s in ["Con sala", "Sin sala"] {
            run_ok(self.appt_args(&["service", "add", s, "--minutes", "15"]))?;
        }
        run_ok(self.appt_args(&[
            "--clinic",
            &p.clinic,
            "service",
            "update",
            "Con sala",
            "--needs",
            &group.join("|"),
        ]))?;
        // Every visit of the clinic's doctors holds its doctor's room; the
        // schema's guard checks each row as it goes in.
        let t = Instant::now();
        self.engine.exec(&format!(
            "INSERT INTO appointment_resources \
               (appointment_id, grp, resource_id, held_from, held_to, active) \
             SELECT a.id, 0, r.id, a.starts_at - a.buffer_before * 60, a.ends_at + a.buffer_after * 60, \
               CASE WHEN a.status IN {} \
               THEN 1 ELSE 0 END \
             FROM appointments a \
             JOIN (SELECT doctor_id, (ROW_NUMBER() OVER (ORDER BY doctor_id) - 1) % {ROOMS} AS k \
                   FROM (SELECT DISTINCT doctor_id FROM appointments \
                         WHERE clinic_id = {c} AND doctor_id IS NOT NULL) d) m \
               ON m.doctor_id = a.doctor_id \
             JOIN resources r ON r.name = 'Sala ' || m.k \
             WHERE a.clinic_id = {c}",
            super::ACTIVE,
            c = clinic_id
        ))?;
        let given = self
            .engine
            .count("SELECT count(*) FROM appointment_resources")?;
        eprintln!(
            "  rooms: {given} visits given a room in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        Ok(())
    }
}
