//! A clinic's channels, for humans: `channel list` and `channel order`.
//! Never a secret, nor anything that tells its length.

use super::{clean, short};
use crate::app::outbox::channel::Configured;
use crate::core::channel::Settings;
use crate::output::fit::{col, text, Sheet, Step};
use crate::output::lang::tr;

/// `channel list`: in the clinic's order.
pub fn channels(all: &[Configured]) -> String {
    if all.is_empty() {
        return tr!("h-no_channels");
    }
    let mut t = Sheet::new(vec![
        col("#"),
        text("Name", 8),
        col("Kind"),
        text("From", 12),
        text("URL", 12),
        col("ID"),
    ])
    .steps(&[Step::Drop("URL"), Step::Drop("ID")]);
    for c in all {
        let (from, url) = match &c.stored.settings {
            Settings::WhatsApp {
                phone_number_id,
                api_url,
                ..
            } => (phone_number_id.clone(), api_url.clone()),
            Settings::Sms { from, api_url, .. } => (from.clone(), api_url.clone()),
            Settings::Email { from, smtp_url, .. } => (from.clone(), smtp_url.clone()),
        };
        t.row(vec![
            c.stored.position.to_string().into(),
            clean(&c.stored.name).into(),
            c.stored.settings.kind().as_str().into(),
            clean(&from).into(),
            clean(&url).into(),
            short(&c.stored.id).into(),
        ]);
    }
    t.render()
}
