//! Whom, how (docs/rules.md#which-channel): a patient's preferred channel
//! (`--channel`), and which of a clinic's channels, in the clinic's order,
//! carries a message to them. The words typed for a preference, in either
//! language, are [`super::words::preference`]'.

use super::channel::Kind;

/// A patient's preferred channel: a kind of channel, or none at all (the
/// patient is sent nothing through a channel). No preference at all is
/// `None` of an `Option<Preference>`: the clinic's order decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preference {
    Via(Kind),
    Nothing,
}

impl Preference {
    /// The codes, as stored and as JSON shows them.
    pub const CODES: [&'static str; 4] = ["whatsapp", "sms", "email", "none"];

    pub fn as_str(self) -> &'static str {
        match self {
            Preference::Via(k) => k.as_str(),
            Preference::Nothing => "none",
        }
    }

    /// The code as stored (`email`, `none`), nothing else.
    pub fn parse(code: &str) -> Option<Preference> {
        match code {
            "none" => Some(Preference::Nothing),
            k => Kind::parse(k).map(Preference::Via),
        }
    }
}

/// Whether a channel of `kind` can reach a patient: WhatsApp and SMS need
/// a phone, e-mail an address.
pub fn reaches(kind: Kind, phone: bool, email: bool) -> bool {
    match kind {
        Kind::WhatsApp | Kind::Sms => phone,
        Kind::Email => email,
    }
}

/// Which of a clinic's channels a message goes through, by its place in
/// `order`: each channel's kind, in the clinic's order, with whether it can
/// carry this message to this patient ([`reaches`], and whatever else its
/// provider needs of the message); None: no channel (the message goes as
/// without channels). A preference for `none` takes none; a preference for
/// a kind takes the first channel of that kind that can carry it, and when
/// the clinic has none, the clinic's order decides as without a
/// preference: the first channel that can.
pub fn choose(order: &[(Kind, bool)], preference: Option<Preference>) -> Option<usize> {
    let can = |(_, ok): &(Kind, bool)| *ok;
    match preference {
        Some(Preference::Nothing) => None,
        Some(Preference::Via(kind)) => order
            .iter()
            .position(|(k, ok)| *k == kind && *ok)
            .or_else(|| order.iter().position(can)),
        None => order.iter().position(can),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Kind::{Email, Sms, WhatsApp};

    #[test]
    fn a_preference_reads_back_from_its_code() {
        for code in Preference::CODES {
            assert_eq!(Preference::parse(code).map(|p| p.as_str()), Some(code));
        }
        assert_eq!(Preference::parse("correo"), None);
        assert_eq!(Preference::parse(""), None);
    }

    /// The clinic's order as each channel reaches a patient with a phone
    /// (and an address, when `email`).
    fn order(kinds: &[Kind], email: bool) -> Vec<(Kind, bool)> {
        kinds
            .iter()
            .map(|k| (*k, reaches(*k, true, email)))
            .collect()
    }

    #[test]
    fn a_channel_reaches_a_phone_or_an_address() {
        assert!(reaches(WhatsApp, true, false) && reaches(Sms, true, false));
        assert!(!reaches(Sms, false, true) && !reaches(Email, true, false));
        assert!(reaches(Email, false, true));
    }

    #[test]
    fn without_a_preference_the_first_channel_that_reaches_the_patient() {
        assert_eq!(choose(&order(&[WhatsApp, Sms], false), None), Some(0));
        assert_eq!(choose(&order(&[Email, Sms], false), None), Some(1));
        assert_eq!(choose(&order(&[Email, Sms], true), None), Some(0));
        assert_eq!(choose(&order(&[Email], false), None), None);
        assert_eq!(choose(&[(WhatsApp, false), (Sms, true)], None), Some(1));
        assert_eq!(choose(&[], None), None);
    }

    #[test]
    fn a_preference_takes_the_first_channel_of_its_kind() {
        let sms = Some(Preference::Via(Sms));
        assert_eq!(choose(&order(&[WhatsApp, Sms, Sms], false), sms), Some(1));
        let email = Some(Preference::Via(Email));
        assert_eq!(choose(&order(&[WhatsApp, Email], true), email), Some(1));
    }

    #[test]
    fn a_preference_the_clinic_cannot_meet_falls_back_to_its_order() {
        let sms = Some(Preference::Via(Sms));
        assert_eq!(choose(&order(&[WhatsApp], false), sms), Some(0));
        // An e-mail channel with no address to send to: the order, past it.
        let email = Some(Preference::Via(Email));
        assert_eq!(choose(&order(&[Email, Sms], false), email), Some(1));
        assert_eq!(choose(&order(&[WhatsApp, Sms], false), email), Some(0));
        // A WhatsApp channel that cannot carry this message: the next.
        let whatsapp = Some(Preference::Via(WhatsApp));
        assert_eq!(choose(&[(WhatsApp, false), (Sms, true)], whatsapp), Some(1));
    }

    #[test]
    fn a_preference_for_none_takes_no_channel() {
        let none = Some(Preference::Nothing);
        assert_eq!(choose(&order(&[WhatsApp, Sms, Email], true), none), None);
    }
}
