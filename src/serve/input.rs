//! What a request says, read field by field: a query string or a JSON body
//! whose every bad field is named (`VALIDATION_ERROR`, one entry per field,
//! docs/api.md#errors), and whose unknown fields are refused rather than
//! ignored (a typo must not book without the flag the caller meant).

use crate::error::{Error, Result};
use serde_json::{Map, Value};

/// Problems found so far, one per field.
#[derive(Default)]
struct Problems(Vec<(String, crate::text::Msg)>);

impl Problems {
    fn add(&mut self, field: &str, problem: crate::text::Msg) {
        if !self.0.iter().any(|(f, _)| f == field) {
            self.0.push((field.to_string(), problem));
        }
    }

    fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::fields(self.0))
        }
    }
}

/// Text with a NUL character is refused as it arrives: no name, phone or
/// note holds one, and PostgreSQL cannot store one (it failed the request as
/// `DATABASE_ERROR` there, while SQLite kept it).
fn has_nul(text: &str) -> bool {
    text.contains('\0')
}

fn nul(name: &str) -> crate::text::Msg {
    crate::text::msg!("e-field_must_not_contain_nul", name = name)
}

/// A query string's parameters, taken one by one; [`Query::finish`] refuses
/// the ones nobody took and any value that could not be read.
pub struct Query {
    pairs: Vec<(String, String)>,
    taken: Vec<String>,
    bad: Problems,
}

impl Query {
    pub fn parse(query: Option<&str>) -> Query {
        let pairs = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Query {
            pairs,
            taken: Vec::new(),
            bad: Problems::default(),
        }
    }

    /// A parameter's text; given twice, or with a NUL, it is refused.
    pub fn text(&mut self, name: &str) -> Option<String> {
        self.taken.push(name.to_string());
        let mut given = self.pairs.iter().filter(|(k, _)| k == name);
        let first = given.next().map(|(_, v)| v.clone());
        if given.next().is_some() {
            self.bad.add(
                name,
                crate::text::msg!("e-field_given_more_than_once", name = name),
            );
            return None;
        }
        if first.as_deref().is_some_and(has_nul) {
            self.bad.add(name, nul(name));
            return None;
        }
        first.filter(|v| !v.is_empty())
    }

    pub fn int(&mut self, name: &str) -> Option<i64> {
        let v = self.text(name)?;
        match v.trim().parse() {
            Ok(n) => Some(n),
            Err(_) => {
                self.bad.add(
                    name,
                    crate::text::msg!("e-field_must_be_a_whole_number", name = name),
                );
                None
            }
        }
    }

    /// A parameter that is `true` or `false`; absent (or empty) is `None`.
    pub fn bool(&mut self, name: &str) -> Option<bool> {
        match self.text(name).as_deref() {
            None => None,
            Some("false") => Some(false),
            Some("true") => Some(true),
            Some(_) => {
                self.bad.add(
                    name,
                    crate::text::msg!("e-field_must_be_true_or_false", name = name),
                );
                None
            }
        }
    }

    /// A switch: `true` sets it, absent or `false` leaves it off.
    pub fn flag(&mut self, name: &str) -> bool {
        self.bool(name).unwrap_or(false)
    }

    pub fn finish(mut self) -> Result<()> {
        for (k, _) in &self.pairs {
            if !self.taken.iter().any(|t| t == k) {
                self.bad.add(
                    k,
                    crate::text::msg!("e-not_a_parameter_of_this_endpoint", name = k),
                );
            }
        }
        self.bad.finish()
    }
}

/// A JSON object body, taken field by field; [`Body::finish`] refuses the
/// fields nobody took and any of the wrong type.
pub struct Body {
    map: Map<String, Value>,
    bad: Problems,
}

impl Body {
    /// An empty body is `{}`; anything else must be one JSON object.
    pub fn parse(bytes: &[u8]) -> Result<Body> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body {
                map: Map::new(),
                bad: Problems::default(),
            });
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Body {
                map,
                bad: Problems::default(),
            }),
            Ok(_) => Err(Error::field(
                "body",
                crate::text::msg!("e-body_must_be_json_object"),
            )),
            Err(e) => Err(Error::field(
                "body",
                crate::text::msg!(
                    "e-body_not_valid_json",
                    line = e.line(),
                    column = e.column()
                ),
            )),
        }
    }

    /// Whether the body gives `name` (even as null).
    pub fn has(&self, name: &str) -> bool {
        self.map.get(name).is_some_and(|v| !v.is_null())
    }

    pub fn text(&mut self, name: &str) -> Option<String> {
        match self.map.remove(name)? {
            Value::Null => None,
            Value::String(s) if has_nul(&s) => {
                self.bad.add(name, nul(name));
                None
            }
            Value::String(s) => Some(s),
            _ => {
                self.bad.add(
                    name,
                    crate::text::msg!("e-field_must_be_a_string", name = name),
                );
                None
            }
        }
    }

    pub fn int(&mut self, name: &str) -> Option<i64> {
        match self.map.remove(name)? {
            Value::Null => None,
            Value::Number(n) if n.is_i64() => n.as_i64(),
            _ => {
                self.bad.add(
                    name,
                    crate::text::msg!("e-field_must_be_a_whole_number", name = name),
                );
                None
            }
        }
    }

    /// An object field, read as a body of its own (`"overbook": {…}`).
    pub fn object(&mut self, name: &str) -> Option<Body> {
        match self.map.remove(name)? {
            Value::Null => None,
            Value::Object(map) => Some(Body {
                map,
                bad: Problems::default(),
            }),
            _ => {
                self.bad.add(
                    name,
                    crate::text::msg!("e-field_must_be_an_object", name = name),
                );
                None
            }
        }
    }

    pub fn flag(&mut self, name: &str) -> Option<bool> {
        match self.map.remove(name)? {
            Value::Null => None,
            Value::Bool(b) => Some(b),
            _ => {
                self.bad.add(
                    name,
                    crate::text::msg!("e-field_must_be_true_or_false", name = name),
                );
                None
            }
        }
    }

    pub fn finish(mut self) -> Result<()> {
        let unknown: Vec<String> = self.map.keys().cloned().collect();
        for k in unknown {
            self.bad.add(
                &k,
                crate::text::msg!("e-not_a_field_of_this_endpoint", name = k),
            );
        }
        self.bad.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_names_every_bad_or_unknown_parameter() {
        let mut q = Query::parse(Some("date=2026-06-15&limit=ten&colour=red&all=maybe"));
        assert_eq!(q.text("date").as_deref(), Some("2026-06-15"));
        assert_eq!(q.int("limit"), None);
        assert!(!q.flag("all"));
        let e = q.finish().unwrap_err();
        assert_eq!(e.details["limit"], "limit must be a whole number");
        assert_eq!(e.details["all"], "all must be true or false");
        assert_eq!(
            e.details["colour"],
            "colour is not a parameter of this endpoint"
        );
    }

    #[test]
    fn a_true_or_false_parameter_tells_absent_from_false_and_refuses_anything_else() {
        let mut q = Query::parse(Some("force=false&send_notification=no"));
        assert_eq!(q.bool("force"), Some(false));
        assert_eq!(q.bool("send_notification"), None);
        assert_eq!(q.bool("absent"), None);
        let e = q.finish().unwrap_err();
        assert_eq!(
            e.details["send_notification"],
            "send_notification must be true or false"
        );
    }

    #[test]
    fn text_with_a_nul_character_is_refused_naming_its_field() {
        let mut q = Query::parse(Some("doctor=Ana%00&date=2026-06-15"));
        assert_eq!(q.text("doctor"), None);
        assert_eq!(q.text("date").as_deref(), Some("2026-06-15"));
        let e = q.finish().unwrap_err();
        assert_eq!(
            e.details["doctor"],
            "doctor must not contain a NUL character"
        );
        let mut b = Body::parse(br#"{"name":"A\u0000B","notes":"fine"}"#).unwrap();
        assert_eq!(b.text("name"), None);
        assert_eq!(b.text("notes").as_deref(), Some("fine"));
        let e = b.finish().unwrap_err();
        assert_eq!(e.details["name"], "name must not contain a NUL character");
    }

    #[test]
    fn a_body_names_wrong_types_and_unknown_fields() {
        let mut b =
            Body::parse(br#"{"doctor":"Ana","duration":"30","walk_in":1,"colour":"red"}"#).unwrap();
        assert_eq!(b.text("doctor").as_deref(), Some("Ana"));
        assert_eq!(b.int("duration"), None);
        assert_eq!(b.flag("walk_in"), None);
        let e = b.finish().unwrap_err();
        assert_eq!(e.details["duration"], "duration must be a whole number");
        assert_eq!(e.details["walk_in"], "walk_in must be true or false");
        assert_eq!(
            e.details["colour"],
            "colour is not a field of this endpoint"
        );
        assert!(Body::parse(b"  ").unwrap().finish().is_ok());
        assert_eq!(
            Body::parse(b"[1]").err().unwrap().details["body"],
            "The body must be a JSON object"
        );
        assert!(Body::parse(b"{\"a\":").err().unwrap().details["body"]
            .as_str()
            .unwrap()
            .starts_with("The body is not valid JSON"));
    }
}
