//! Asking for what the user left out. On a terminal (and without `--no-input`)
//! appt prompts with dialoguer; otherwise every missing value is collected and
//! reported at once as one `VALIDATION_ERROR` naming the flags.

use super::Ctx;
use crate::error::{Error, Result};
use dialoguer::{Input, Select};

pub struct Ask<'a> {
    ctx: &'a Ctx,
    missing: Vec<(String, String)>,
}

fn prompt_failed(e: dialoguer::Error) -> Error {
    Error::internal(format!("prompt failed: {e}"))
}

impl<'a> Ask<'a> {
    pub fn new(ctx: &'a Ctx) -> Self {
        Ask {
            ctx,
            missing: Vec::new(),
        }
    }

    pub fn interactive(&self) -> bool {
        self.ctx.interactive
    }

    /// Records a missing value without prompting.
    pub fn missing(&mut self, field: &str, flag: &str) {
        self.missing
            .push((field.to_string(), format!("{flag} is required")));
    }

    /// A required text value: as given, else typed at a prompt, else missing (None).
    pub fn text(
        &mut self,
        given: Option<String>,
        field: &str,
        flag: &str,
        label: &str,
    ) -> Result<Option<String>> {
        self.text_or(given, field, flag, label, None)
    }

    pub fn text_or(
        &mut self,
        given: Option<String>,
        field: &str,
        flag: &str,
        label: &str,
        default: Option<&str>,
    ) -> Result<Option<String>> {
        if let Some(v) = given {
            return Ok(Some(v));
        }
        if !self.ctx.interactive {
            self.missing(field, flag);
            return Ok(None);
        }
        let mut input = Input::<String>::new().with_prompt(label);
        if let Some(d) = default {
            input = input.default(d.to_string());
        }
        Ok(Some(input.interact_text().map_err(prompt_failed)?))
    }

    /// Picks one of `items` at a prompt (interactive only).
    pub fn pick(&self, label: &str, items: &[String]) -> Result<usize> {
        Select::new()
            .with_prompt(label)
            .items(items)
            .default(0)
            .interact()
            .map_err(prompt_failed)
    }

    /// Fails with every missing value named, if any.
    pub fn finish(self) -> Result<()> {
        if self.missing.is_empty() {
            Ok(())
        } else {
            Err(Error::fields(self.missing))
        }
    }
}
