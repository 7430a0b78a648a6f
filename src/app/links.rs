// STUB (lead's page branch only; replaced by the messages branch)
use crate::error::{Error, Result};
use crate::store::db::Tx;
pub enum Target {
    Appointment(String),
    Offer(String),
}
pub fn open(_tx: &Tx, token: &str) -> Result<Target> {
    if let Some(id) = token.strip_prefix("A") {
        return Ok(Target::Appointment(id.to_string()));
    }
    if let Some(id) = token.strip_prefix("O") {
        return Ok(Target::Offer(id.to_string()));
    }
    Err(Error::not_found("Link"))
}
pub fn url(public_url: &str, token: &str) -> String {
    format!("{public_url}/p/{token}")
}
