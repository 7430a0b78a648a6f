//! A picker's choice and the field of the command it goes into. On a
//! terminal, a reference that found several rows or a name that found none
//! is picked from a list ([`super::prompt::recover`]); the row's ID then
//! takes the place of what was typed in the parsed command's own field —
//! a doctor picked goes into `--doctor`, never into another value spelt
//! the same (a patient's `--name García`) — and the command runs again.

use super::Cli;

/// What a reference names: the kind of row a lookup looked for.
pub use crate::error::Entity as Kind;

/// A row picked for a reference: what it is, what was typed, its ID.
#[derive(Debug, Clone)]
pub struct Choice {
    pub kind: Kind,
    pub typed: String,
    pub id: String,
}

/// What a command's arguments reference: each argument struct says which
/// of its fields hold references, and of what kind.
pub(super) trait References {
    /// The fields that hold references, with their kinds (what a picker's
    /// choice goes into).
    fn references(&mut self) -> Vec<(Kind, &mut String)>;
}

/// Of `fields`, the ones given.
pub(super) fn given<const N: usize>(
    fields: [(Kind, Option<&mut String>); N],
) -> Vec<(Kind, &mut String)> {
    fields
        .into_iter()
        .filter_map(|(kind, value)| Some((kind, value?)))
        .collect()
}

impl Cli {
    /// Puts `choice` into the field of this command that holds a reference
    /// of its kind and what was typed; false when none does (the reference
    /// came from the environment or a prompt, and the error stands).
    pub(super) fn take(&mut self, choice: &Choice) -> bool {
        let typed = choice.typed.trim();
        let field = self
            .references()
            .into_iter()
            .find(|(kind, value)| *kind == choice.kind && value.trim() == typed);
        match field {
            Some((_, value)) => {
                value.clone_from(&choice.id);
                true
            }
            None => false,
        }
    }
}
