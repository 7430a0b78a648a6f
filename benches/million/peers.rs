//! The peers figure (docs/performance.md#peers): appt's `agenda --date`
//! beside two calendar programs showing the same day of the same
//! appointments — calcurse (`calcurse -Q`) and khal (`khal list`).
//!
//! The first clinic's appointments are exported from the work database with
//! `appt export --format ics --include-patient`; the cancelled ones are left
//! out (the agenda leaves them out too). That file goes into each peer,
//! untimed, in folders of the bench's own under
//! `target/bench-data/peers/<cached database's name>/<window>/`, in the
//! peer's own storage: calcurse gets every appointment of the clinic as the
//! lines of its `apts` file (its `-i` import slows down with every
//! appointment it holds and does not finish at this size); khal gets the
//! figure's day and 91 days either side (`PEER_DAYS`) as one `.ics` per event
//! in a vdir (`khal import` adds one event at a time, far too slowly here)
//! and builds its cache on a first, untimed `khal list` (99 s for the
//! window). A later run with the same cached database reuses both. Then appt
//! and each peer alternate, and every peer run must print exactly the day's
//! appointments.

use super::*;
use std::io::{BufRead, BufReader, BufWriter, Write};

/// How appt must compare with each peer: at least this many times faster.
const PEER_GOAL: f64 = 20.0;
/// khal gets the appointments of the figure's day and this many days either
/// side (`APPT_BENCH_PEER_DAYS`, a number or `all`): building its cache of a
/// window's 62,883 took 99 s. calcurse gets them all: its `-i` import slows
/// down with every appointment it holds (10,000 took 1.5 s, 40,000 12.7 s,
/// 62,883 59 s; the clinic's 321,921 had a third in after 10 minutes), so
/// they are written as its `apts` file.
const PEER_DAYS: i64 = 91;

/// One peer: how its name reads, how it is started, what to install.
struct Peer {
    name: &'static str,
    program: String,
    install: &'static str,
}

/// The peers' copy of the appointments, ready for import.
struct PeerData {
    /// Everything of the peers for this cached database.
    dir: PathBuf,
    /// The first clinic's appointments, cancelled ones left out.
    ics: PathBuf,
    /// Events in `ics`, and of those, on the figure's day.
    events: usize,
    on_day: usize,
}

impl Bench<'_> {
    /// The peers figure: the data exported (untimed), then one row per peer.
    pub(super) fn peers(&self) -> Vec<(String, Res<Row>)> {
        let t = Instant::now();
        // The window: the figure's day and `days` either side, or all dates.
        let window = match std::env::var("APPT_BENCH_PEER_DAYS").as_deref() {
            Ok("all") => None,
            Ok(v) => match v.parse::<i64>() {
                Ok(days) => Some(days),
                Err(_) => {
                    let why =
                        format!("APPT_BENCH_PEER_DAYS must be a number of days or all, not {v:?}");
                    return vec![("peers".into(), Err(why))];
                }
            },
            Err(_) => Some(PEER_DAYS),
        };
        let (all, data) = match (self.peer_data(None), self.peer_data(window)) {
            (Ok(all), Ok(d)) => (all, d),
            (Err(e), _) | (_, Err(e)) => {
                return vec![("peers".into(), Err(format!("exporting the data: {e}")))]
            }
        };
        eprintln!(
            "  (peers: {} appointments of {} ({} in khal's window), {} on {}, ready in {:.1} s)",
            all.events,
            self.plan.clinic,
            data.events,
            data.on_day,
            self.plan.day,
            t.elapsed().as_secs_f64()
        );
        let calcurse = Peer {
            name: "calcurse",
            program: "calcurse".into(),
            install: "apt-get install calcurse",
        };
        let khal = Peer {
            name: "khal",
            program: std::env::var("APPT_BENCH_KHAL").unwrap_or_else(|_| "khal".into()),
            install: "pip install khal (or apt-get install khal), or set APPT_BENCH_KHAL",
        };
        vec![
            ("peer calcurse".into(), self.peer_calcurse(&calcurse, &all)),
            ("peer khal".into(), self.peer_khal(&khal, &data)),
        ]
    }

    /// Exports the first clinic's appointments as ICS (once per cached
    /// database) and counts those on the figure's day.
    fn peer_data(&self, window: Option<i64>) -> Res<PeerData> {
        let root = self
            .out
            .parent()
            .ok_or("the output folder has no parent")?
            .join("peers");
        let dir = root.join(&self.plan.stem).join(match window {
            Some(days) => format!("day-{days}-to-day+{days}"),
            None => "all".into(),
        });
        fs::create_dir_all(&dir).map_err(err)?;
        let ics = dir.join("appointments.ics");
        if !ics.exists() {
            let raw = dir.join("export.ics");
            let _ = fs::remove_file(&raw);
            let t = Instant::now();
            let f = raw.to_string_lossy().into_owned();
            let mut export = self.appt_args(&[
                "--clinic",
                &self.plan.clinic,
                "export",
                "--format",
                "ics",
                "--include-patient",
                "--output",
                &f,
            ]);
            if let Some(days) = window {
                let d = Duration::days(days);
                let from = (self.plan.day - d).to_string();
                let to = (self.plan.day + d).to_string();
                export.args(["--from", &from, "--to", &to]);
            }
            run_ok(export)?;
            let tmp = dir.join("appointments.ics.part");
            let kept = filter_cancelled(&raw, &tmp)?;
            fs::rename(&tmp, &ics).map_err(err)?;
            let _ = fs::remove_file(&raw);
            eprintln!(
                "  (peers: exported {kept} appointments as ICS in {:.1} s)",
                t.elapsed().as_secs_f64()
            );
        }
        let start = instant_of(appt::core::zone::el_salvador(), self.plan.day, 0).timestamp();
        let (mut events, mut on_day) = (0, 0);
        each_event(&ics, &mut |lines: &[String]| {
            events += 1;
            let at = lines
                .iter()
                .find_map(|l| l.strip_prefix("DTSTART:"))
                .and_then(|v| chrono::NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%SZ").ok())
                .map(|t| t.and_utc().timestamp());
            if at.is_some_and(|at| at >= start && at < start + 86400) {
                on_day += 1;
            }
            Ok(())
        })?;
        if on_day == 0 {
            return Err(format!(
                "no appointment of {} on {}",
                ics.display(),
                self.plan.day
            ));
        }
        Ok(PeerData {
            dir,
            ics,
            events,
            on_day,
        })
    }

    /// calcurse: every appointment written as a line of its `apts` file (its
    /// own storage), then `-Q` for the day.
    fn peer_calcurse(&self, peer: &Peer, data: &PeerData) -> Res<Row> {
        installed(peer)?;
        let home = data.dir.join("calcurse");
        let calcurse = |args: &[&str]| {
            let mut c = peer_command(peer, &home);
            c.arg("-D").arg(home.join("data")).args(args);
            c
        };
        cached_import(peer, data, &home, &|| {
            fs::create_dir_all(home.join("data")).map_err(err)?;
            // calcurse will not start without its to-do list.
            fs::write(home.join("data/todo"), "").map_err(err)?;
            let n = write_apts(&data.ics, &home.join("data/apts"))?;
            if n != data.events {
                return Err(format!("calcurse got {n} appointments of {}", data.events));
            }
            Ok(())
        })?;
        let day = self.plan.day.to_string();
        let query = [
            "--read-only",
            "-Q",
            "--input-datefmt",
            "4",
            "--from",
            &day,
            "--days",
            "1",
        ];
        // Each appointment is a line " - 08:00 -> 08:15" and its title.
        // calcurse takes most of a minute to load the clinic's appointments
        // (it sorts them into a list one by one): three runs, no warm-up.
        self.peer_pair(
            peer,
            data,
            &|_| calcurse(&query),
            &|l: &str| l.starts_with(" - "),
            (0, 3),
        )
    }

    /// khal: one file per event in a vdir, its cache built by a first
    /// (untimed) `khal list`, then `khal list DAY DAY`.
    fn peer_khal(&self, peer: &Peer, data: &PeerData) -> Res<Row> {
        installed(peer)?;
        let home = data.dir.join("khal");
        let config = home.join("config");
        let day = self.plan.day.to_string();
        let list = || {
            let mut c = peer_command(peer, &home);
            c.arg("-c").arg(&config).args(["list", &day, &day]);
            c
        };
        cached_import(peer, data, &home, &|| {
            let vdir = home.join("calendar");
            fs::create_dir_all(&vdir).map_err(err)?;
            fs::write(
                &config,
                format!(
                    "[calendars]\n[[appt]]\npath = {}\ntype = calendar\n\n\
                     [locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\n\
                     longdateformat = %Y-%m-%d\ndatetimeformat = %Y-%m-%d %H:%M\n\
                     longdatetimeformat = %Y-%m-%d %H:%M\n\
                     default_timezone = America/El_Salvador\nlocal_timezone = America/El_Salvador\n\n\
                     [sqlite]\npath = {}\n",
                    vdir.display(),
                    home.join("khal.db").display()
                ),
            )
            .map_err(err)?;
            let t = Instant::now();
            let n = split_events(&data.ics, &vdir)?;
            eprintln!(
                "  (khal: {n} files written in {:.1} s; building its cache)",
                t.elapsed().as_secs_f64()
            );
            let shown = run_ok(list())?;
            let n = shown.lines().filter(|l| khal_item(l)).count();
            if n != data.on_day {
                return Err(format!("khal listed {n} appointments of {}", data.on_day));
            }
            Ok(())
        })?;
        self.peer_pair(peer, data, &|_| list(), &khal_item, (1, self.runs.min(5)))
    }

    /// appt's agenda of the day and the peer, alternating; each peer run
    /// must print the day's appointments (`item` tells its lines).
    fn peer_pair(
        &self,
        peer: &Peer,
        data: &PeerData,
        peer_cmd: &dyn Fn(usize) -> Command,
        item: &dyn Fn(&str) -> bool,
        runs: (usize, usize),
    ) -> Res<Row> {
        let p = self.plan;
        let day = p.day.to_string();
        // `pair` writes each run's output to these files; every run is checked
        // before the next one starts, and the last after the loop.
        let (appt_out, peer_out) = (self.file("appt.out"), self.file("ref.out"));
        let check = |i: usize| -> Res<()> {
            if i == 0 {
                return Ok(());
            }
            if i % 2 == 1 {
                // appt's agenda: at least a line per appointment.
                let n = fs::read_to_string(&appt_out).map_err(err)?.lines().count();
                if n < data.on_day {
                    return Err(format!(
                        "appt's agenda printed {n} lines for {} appointments",
                        data.on_day
                    ));
                }
            } else {
                let text = fs::read_to_string(&peer_out).map_err(err)?;
                let n = text.lines().filter(|l| item(l)).count();
                if n != data.on_day {
                    return Err(format!(
                        "{} showed {n} appointments of {} on {day}",
                        peer.name, data.on_day
                    ));
                }
            }
            Ok(())
        };
        let x = self.pair(
            runs,
            &|_| self.appt_args(&["--clinic", &p.clinic, "agenda", "--date", &day]),
            peer_cmd,
            &check,
        )?;
        check(2)?;
        let faster = x.reference / x.appt;
        Ok(Row {
            figure: format!(
                "peer: {}, one day ({} appointments of {})",
                peer.name, data.on_day, data.events
            ),
            appt: ms(x.appt),
            reference: format!(
                "{} ({}; appt {})",
                ms(x.reference),
                peer.name,
                if faster >= 1.0 {
                    format!("{faster:.1}× faster")
                } else {
                    format!("{:.1}× slower", 1.0 / faster)
                }
            ),
            ratio: Some(x.appt / x.reference),
            rss_kb: x.rss_kb,
            goal: format!("appt ≥ {PEER_GOAL}× faster (≤ {:.2}×)", 1.0 / PEER_GOAL),
            met: Some(faster >= PEER_GOAL),
        })
    }
}

/// Writes each event of `ics` as a line of calcurse's `apts` file, in start
/// order: `MM/DD/YYYY @ HH:MM -> MM/DD/YYYY @ HH:MM |summary`, local times
/// of the clinic's zone (the peers run in it); returns how many.
fn write_apts(ics: &Path, apts: &Path) -> Res<usize> {
    let tz = appt::core::zone::el_salvador();
    let at = |lines: &[String], key: &str| -> Res<chrono::DateTime<Tz>> {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| chrono::NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%SZ").ok())
            .map(|t| t.and_utc().with_timezone(&tz))
            .ok_or_else(|| format!("an event without {key} in UTC"))
    };
    let mut lines: Vec<(i64, String)> = Vec::new();
    each_event(ics, &mut |ev: &[String]| {
        let (start, end) = (at(ev, "DTSTART:")?, at(ev, "DTEND:")?);
        let summary = ev
            .iter()
            .find_map(|l| l.strip_prefix("SUMMARY:"))
            .unwrap_or("Appointment")
            .replace("\\,", ",");
        lines.push((
            start.timestamp(),
            format!(
                "{} -> {} |{summary}\n",
                start.format("%m/%d/%Y @ %H:%M"),
                end.format("%m/%d/%Y @ %H:%M")
            ),
        ));
        Ok(())
    })?;
    lines.sort();
    let mut w = BufWriter::new(File::create(apts).map_err(err)?);
    for (_, l) in &lines {
        w.write_all(l.as_bytes()).map_err(err)?;
    }
    w.flush().map_err(err)?;
    Ok(lines.len())
}

/// Fails, naming what to install, unless the peer starts.
fn installed(peer: &Peer) -> Res<()> {
    match Command::new(&peer.program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
    {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "{} --version failed ({}): {}; install it: {}",
            peer.program,
            o.status,
            String::from_utf8_lossy(&o.stderr).trim(),
            peer.install
        )),
        Err(e) => Err(format!(
            "{} is not installed ({e}): {}",
            peer.name, peer.install
        )),
    }
}

/// The peer, with a home, configuration and data folders of the bench's
/// own, in the first clinic's time zone.
fn peer_command(peer: &Peer, home: &Path) -> Command {
    let mut c = Command::new(&peer.program);
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("TZ", "America/El_Salvador")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    c
}

/// Runs `import` into an emptied `home` unless a finished import is there.
fn cached_import(
    peer: &Peer,
    data: &PeerData,
    home: &Path,
    import: &dyn Fn() -> Res<()>,
) -> Res<()> {
    let done = home.join("imported");
    if let Ok(note) = fs::read_to_string(&done) {
        eprintln!(
            "  ({}: using its cached import: {})",
            peer.name,
            note.trim()
        );
        return Ok(());
    }
    let _ = fs::remove_dir_all(home);
    fs::create_dir_all(home).map_err(err)?;
    let t = Instant::now();
    import().map_err(|e| format!("importing into {}: {e}", peer.name))?;
    let note = format!(
        "{} appointments imported in {:.1} s",
        data.events,
        t.elapsed().as_secs_f64()
    );
    eprintln!("  ({}: {note})", peer.name);
    fs::write(&done, note).map_err(err)
}

/// A `khal list` line that starts an appointment: "08:00-08:15 …".
fn khal_item(l: &str) -> bool {
    let b = l.as_bytes();
    b.len() > 12
        && b[2] == b':'
        && b[5] == b'-'
        && b[8] == b':'
        && [0, 1, 3, 4, 6, 7, 9, 10]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
}

/// Calls `f` with each VEVENT's lines (unfolded lines are not needed: only
/// DTSTART, STATUS and UID are read, which appt never folds).
fn each_event(ics: &Path, f: &mut dyn FnMut(&[String]) -> Res<()>) -> Res<()> {
    let r = BufReader::new(File::open(ics).map_err(err)?);
    let mut event: Option<Vec<String>> = None;
    for line in r.lines() {
        let line = line.map_err(err)?;
        if line == "BEGIN:VEVENT" {
            event = Some(vec![line]);
        } else if let Some(ev) = event.as_mut() {
            ev.push(line);
            if ev.last().is_some_and(|l| l == "END:VEVENT") {
                f(ev)?;
                event = None;
            }
        }
    }
    Ok(())
}

/// The lines of the calendar before its first event (VCALENDAR, VERSION…).
fn calendar_head(ics: &Path) -> Res<Vec<String>> {
    let r = BufReader::new(File::open(ics).map_err(err)?);
    let mut head = Vec::new();
    for line in r.lines() {
        let line = line.map_err(err)?;
        if line == "BEGIN:VEVENT" {
            break;
        }
        head.push(line);
    }
    Ok(head)
}

fn write_lines(w: &mut dyn Write, lines: &[String]) -> Res<()> {
    for l in lines {
        w.write_all(l.as_bytes()).map_err(err)?;
        w.write_all(b"\r\n").map_err(err)?;
    }
    Ok(())
}

/// Copies `from` to `to` without its cancelled events; returns how many it kept.
fn filter_cancelled(from: &Path, to: &Path) -> Res<usize> {
    let mut w = BufWriter::new(File::create(to).map_err(err)?);
    write_lines(&mut w, &calendar_head(from)?)?;
    let mut kept = 0;
    each_event(from, &mut |ev: &[String]| {
        if ev.iter().any(|l| l == "STATUS:CANCELLED") {
            return Ok(());
        }
        kept += 1;
        write_lines(&mut w, ev)
    })?;
    write_lines(&mut w, &["END:VCALENDAR".to_string()])?;
    w.flush().map_err(err)?;
    Ok(kept)
}

/// Writes each event of `ics` into `vdir` as a calendar of its own, named by
/// its UID, as khal (vdirsyncer's vdir) stores them; returns how many.
fn split_events(ics: &Path, vdir: &Path) -> Res<usize> {
    let head = calendar_head(ics)?;
    let mut n = 0;
    each_event(ics, &mut |ev: &[String]| {
        let uid = ev
            .iter()
            .find_map(|l| l.strip_prefix("UID:"))
            .filter(|u| !u.is_empty() && u.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .ok_or_else(|| format!("an event without a usable UID: {ev:?}"))?;
        let mut w = BufWriter::new(File::create(vdir.join(format!("{uid}.ics"))).map_err(err)?);
        write_lines(&mut w, &head)?;
        write_lines(&mut w, ev)?;
        write_lines(&mut w, &["END:VCALENDAR".to_string()])?;
        w.flush().map_err(err)?;
        n += 1;
        Ok(())
    })?;
    Ok(n)
}
