//! A command line clap refused (`USAGE_ERROR`) in the desk's words
//! (docs/errors.md#usage_error-2): each kind of refusal is a message of the
//! catalogues whose arguments are what clap found (the flag, the value, the
//! command), never clap's English sentence; a hint names the command's
//! `--help`, which stays English (docs/commands.md#language). JSON keeps
//! clap's English words, as it always did.

use crate::error::{Code, Error};
use crate::text::{msg, Msg};
use clap::error::{ContextKind, ContextValue, ErrorKind};

/// What clap found under `kind`: a value, or several joined by `, `.
fn found(e: &clap::Error, kind: ContextKind) -> Option<String> {
    let text = match e.get(kind)? {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(v) => v.join(", "),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(v) => v
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        ContextValue::Number(n) => n.to_string(),
        _ => return None,
    };
    Some(text)
}

/// How many values clap found under `kind` (one, unless it listed several).
fn count(e: &clap::Error, kind: ContextKind) -> usize {
    match e.get(kind) {
        Some(ContextValue::Strings(v)) => v.len(),
        _ => 1,
    }
}

/// The command whose `--help` tells what it takes (`appt book`): from the
/// usage clap printed, else the words of `args` that name subcommands.
fn command(e: &clap::Error, args: &[std::ffi::OsString]) -> String {
    if let Some(usage) = found(e, ContextKind::Usage) {
        let words: Vec<&str> = usage
            .split_whitespace()
            .skip_while(|w| w.ends_with(':'))
            .take_while(|w| !w.starts_with(['[', '<', '-']) && !w.contains("..."))
            .collect();
        if !words.is_empty() {
            return words.join(" ");
        }
    }
    use clap::CommandFactory;
    let mut cmd = super::Cli::command();
    cmd.build();
    let mut words = vec![cmd.get_name().to_string()];
    let mut tokens = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(t) = tokens.next() {
        if t == "--" {
            break;
        }
        if let Some(flag) = t.strip_prefix('-') {
            // An option's value is no command (`--db FILE book`).
            let takes_value = cmd.get_arguments().any(|a| {
                let named = match flag.strip_prefix('-') {
                    Some(long) => !long.contains('=') && a.get_long() == Some(long),
                    None => {
                        flag.chars().count() == 1
                            && a.get_short().is_some_and(|c| flag.starts_with(c))
                    }
                };
                named && a.get_action().takes_values()
            });
            if takes_value {
                tokens.next();
            }
            continue;
        }
        let Some(sub) = cmd.find_subcommand(t.as_ref()).cloned() else {
            break;
        };
        words.push(sub.get_name().to_string());
        cmd = sub;
        cmd.build();
    }
    words.join(" ")
}

/// The argument clap names as the desk reads it: a flag without the
/// placeholder of its value (`--doctor`, not `--doctor <DOCTOR>`, whose
/// word is English); a positional argument as `--help` writes it (`<FILE>`).
fn flag(named: String) -> String {
    named
        .split(", ")
        .map(|one| match one.split_once(' ') {
            Some((f, _)) if f.starts_with('-') => f,
            _ => one,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The refusal's message, by what clap found: the argument, the value, the
/// command, suggestions and the values allowed.
pub fn message(e: &clap::Error) -> Msg {
    let arg = || flag(found(e, ContextKind::InvalidArg).unwrap_or_default());
    let value = found(e, ContextKind::InvalidValue);
    match e.kind() {
        ErrorKind::UnknownArgument => match found(e, ContextKind::SuggestedArg) {
            Some(like) => msg!("e-usage_unknown_argument_like", arg = arg(), like = like),
            None => msg!("e-usage_unknown_argument", arg = arg()),
        },
        ErrorKind::InvalidSubcommand => {
            let command = found(e, ContextKind::InvalidSubcommand).unwrap_or_default();
            match found(e, ContextKind::SuggestedSubcommand).filter(|s| !s.is_empty()) {
                Some(like) => msg!(
                    "e-usage_unknown_command_like",
                    command = command,
                    like = like
                ),
                None => msg!("e-usage_unknown_command", command = command),
            }
        }
        ErrorKind::InvalidValue if value.as_deref().unwrap_or("").is_empty() => {
            match found(e, ContextKind::ValidValue).filter(|v| !v.is_empty()) {
                Some(values) => msg!("e-usage_missing_value_of", arg = arg(), values = values),
                None => msg!("e-usage_missing_value", arg = arg()),
            }
        }
        ErrorKind::InvalidValue => {
            let value = value.unwrap_or_default();
            match found(e, ContextKind::ValidValue).filter(|v| !v.is_empty()) {
                Some(values) => msg!(
                    "e-usage_invalid_value_of",
                    arg = arg(),
                    value = value,
                    values = values
                ),
                None => msg!("e-usage_invalid_value", arg = arg(), value = value),
            }
        }
        ErrorKind::ValueValidation => msg!(
            "e-usage_invalid_value",
            arg = arg(),
            value = value.unwrap_or_default()
        ),
        ErrorKind::MissingRequiredArgument => msg!(
            "e-usage_missing_argument",
            n = count(e, ContextKind::InvalidArg),
            args = arg()
        ),
        ErrorKind::MissingSubcommand => msg!(
            "e-usage_missing_command",
            command = found(e, ContextKind::InvalidSubcommand).unwrap_or_default(),
            commands = found(e, ContextKind::ValidSubcommand).unwrap_or_default()
        ),
        ErrorKind::ArgumentConflict => msg!(
            "e-usage_conflict",
            arg = flag(
                found(e, ContextKind::InvalidArg)
                    .or_else(|| found(e, ContextKind::InvalidSubcommand))
                    .unwrap_or_default()
            ),
            other = flag(found(e, ContextKind::PriorArg).unwrap_or_default())
        ),
        ErrorKind::TooManyValues => {
            msg!("e-usage_once", arg = arg())
        }
        ErrorKind::NoEquals => msg!("e-usage_no_equals", arg = arg()),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            msg!("e-usage_values_count", arg = arg())
        }
        ErrorKind::InvalidUtf8 => msg!("e-usage_not_utf8"),
        _ => msg!("e-usage_invalid"),
    }
}

/// `USAGE_ERROR` for a command line clap refused: the message in the
/// desk's words, a hint to the command's `--help`; JSON's message is clap's
/// English name of the refusal and `details.usage` clap's whole text, as
/// scripts have always read them.
pub fn error(e: &clap::Error, args: &[std::ffi::OsString]) -> Error {
    let mut err = Error::new(Code::Usage, message(e))
        .detail("usage", e.to_string().trim())
        .hint(msg!("e-usage_help", command = command(e, args)));
    err.message = e.kind().as_str().unwrap_or("invalid arguments").to_string();
    err
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Lang;
    use clap::Parser;

    fn refused(line: &str) -> (Error, String) {
        let args: Vec<std::ffi::OsString> = line.split(' ').map(Into::into).collect();
        let Err(e) = super::super::Cli::try_parse_from(&args) else {
            panic!("{line}: parsed");
        };
        let err = error(&e, &args);
        let hint = err
            .hint
            .as_deref()
            .map(|h| h.render(Lang::Es))
            .unwrap_or_default();
        (err, hint)
    }

    #[test]
    fn each_refusal_names_what_clap_found_and_the_commands_help() {
        for (line, id, has) in [
            (
                "appt book --doctr x",
                "e-usage_unknown_argument_like",
                "--doctr",
            ),
            ("appt bok", "e-usage_unknown_command_like", "bok"),
            ("appt book --doctor", "e-usage_missing_value", "'--doctor'"),
            (
                "appt --db x.db book --doctor",
                "e-usage_missing_value",
                "'--doctor'",
            ),
            ("appt --width ancho list", "e-usage_invalid_value", "ancho"),
            ("appt backup", "e-usage_missing_argument", "<FILE>"),
        ] {
            let (err, hint) = refused(line);
            assert_eq!(err.code, Code::Usage, "{line}");
            assert_eq!(err.msg.id, id, "{line}");
            let es = err.msg.render(Lang::Es);
            assert!(es.contains(has), "{line}: {es}");
            assert!(hint.contains("--help"), "{line}: {hint}");
            // JSON's message stays clap's English name of the refusal.
            assert!(!err.message.is_empty() && err.message.is_ascii(), "{line}");
        }
        for line in [
            "appt book --doctr x",
            "appt --db x.db book --doctor",
            "appt -c Sur book -d",
        ] {
            let (_, hint) = refused(line);
            assert!(hint.contains("`appt book --help`"), "{line}: {hint}");
        }
    }
}
