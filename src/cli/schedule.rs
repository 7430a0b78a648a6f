//! The flags that say when, shared by `book` and `reschedule`.

use crate::app::schedule::WhenInput;

/// `--date` with `--time`, or `--at`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct WhenArgs {
    /// Local date: YYYY-MM-DD, D/M (in the clinic's --date-order), today, tomorrow, a weekday (the next one), +N or -N, or in Spanish (hoy, mañana, pasado mañana, viernes)
    #[arg(
        short = 'D',
        long,
        value_name = "DATE",
        allow_negative_numbers = true,
        conflicts_with = "at"
    )]
    pub date: Option<String>,
    /// Local time, HH:MM (24 h)
    #[arg(short, long, value_name = "TIME", conflicts_with = "at")]
    pub time: Option<String>,
    /// The start as RFC 3339 with offset (picks either side of a DST fold)
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
}

impl From<WhenArgs> for WhenInput {
    fn from(w: WhenArgs) -> Self {
        WhenInput {
            date: w.date,
            time: w.time,
            at: w.at,
        }
    }
}
