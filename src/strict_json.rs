//! JSON as a clinician's file must be read: a UTF-8 byte-order mark (as some Windows editors and
//! EHR exports write) is accepted, and a key written twice in one object is refused naming it,
//! instead of the last value silently winning (190 then 128 mmHg must not read as 128).

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::InputError;

/// Parses `text` into a JSON value: a leading byte-order mark is skipped; a duplicate key is a
/// field error naming its path (`cardiovascular.systolic_mmhg`); bad syntax is reported with its
/// line and column.
pub fn parse(text: &str) -> Result<Value, InputError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut duplicate: Option<String> = None;
    let mut path = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Node { path: &mut path, duplicate: &mut duplicate }.deserialize(&mut de).and_then(|v| {
        de.end()?;
        Ok(v)
    });
    if let Some(path) = duplicate {
        return Err(InputError::Field { path, message: "is given twice; give each field once".into() });
    }
    value.map_err(|e| InputError::Syntax {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })
}

/// [`parse`], then the value read as a `T`, a wrong field named by its path.
///
/// A file that is right is read without building an intermediate value or tracking each field's
/// path; only a file that is not is read again with each field's path tracked
/// (serde_path_to_error), to name what is wrong (issue 25, BENCHMARKS.md).
pub fn from_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, InputError> {
    // A file that is right (nearly every file) is read twice without building anything: once to
    // find a key given twice (or bad syntax), then straight into `T`. Anything wrong is read again
    // the careful way below, which names it.
    let plain = text.strip_prefix('\u{feff}').unwrap_or(text);
    if no_key_twice(plain) {
        if let Ok(read) = serde_json::from_str(plain) {
            return Ok(read);
        }
    }
    serde_path_to_error::deserialize(parse(text)?).map_err(|e| {
        let path = e.path().to_string();
        InputError::Field { path: if path == "." { String::new() } else { path }, message: e.into_inner().to_string() }
    })
}

/// Whether `text` is JSON in which no object gives a key twice (false for bad syntax too). Reads
/// without building the value: the keys of each object are compared as they lie in the text.
fn no_key_twice(text: &str) -> bool {
    let mut de = serde_json::Deserializer::from_str(text);
    Scan.deserialize(&mut de).is_ok() && de.end().is_ok()
}

/// A value read only to compare the keys of each object (see [`no_key_twice`]).
#[derive(Clone, Copy)]
struct Scan;

/// A key as it lies in the text (or unescaped, when it holds an escape).
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = std::borrow::Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = std::borrow::Cow<'de, str>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v.to_string()))
    }
}

impl<'de> DeserializeSeed<'de> for Scan {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Scan {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys: Vec<std::borrow::Cow<'de, str>> = Vec::new();
        while let Some(key) = map.next_key_seed(Key)? {
            if keys.contains(&key) {
                return Err(de::Error::custom("a key given twice"));
            }
            keys.push(key);
            map.next_value_seed(self)?;
        }
        Ok(())
    }
}

/// serde_json appends " at line L column C"; the position is reported separately.
pub(crate) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// A step of the path to a value: a key of an object or a position in a list.
enum Step {
    Key(String),
    Index(usize),
}

/// The path as the errors name it: `trials[1].drug`, then `.next` for `next`.
fn path_text(path: &[Step], last: &str) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) if out.is_empty() => out.push_str(k),
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    if !out.is_empty() {
        out.push('.');
    }
    out.push_str(last);
    out
}

/// One value at `path` (the steps to it, written out only for an error); the first duplicate key
/// found is written to `duplicate`.
struct Node<'a> {
    path: &'a mut Vec<Step>,
    duplicate: &'a mut Option<String>,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let Node { path, duplicate } = self;
        let mut out = Vec::new();
        loop {
            path.push(Step::Index(out.len()));
            let next = seq.next_element_seed(Node { path: &mut *path, duplicate: &mut *duplicate });
            path.pop();
            match next? {
                Some(v) => out.push(v),
                None => break,
            }
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Node { path, duplicate } = self;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            path.push(Step::Key(key));
            let value = map.next_value_seed(Node { path: &mut *path, duplicate: &mut *duplicate });
            let value = value?;
            let Some(Step::Key(key)) = path.pop() else {
                return Err(de::Error::custom("the path of the keys read lost its place"));
            };
            // One lookup per key: the entry tells a key given twice.
            match out.entry(key) {
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                serde_json::map::Entry::Occupied(given) => {
                    if duplicate.is_none() {
                        *duplicate = Some(path_text(path, given.key()));
                    }
                }
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_key_is_named_by_its_path_at_any_depth() {
        let e = parse(r#"{"cardiovascular": {"systolic_mmhg": 190, "systolic_mmhg": 128}}"#).unwrap_err();
        assert_eq!(e.path(), Some("cardiovascular.systolic_mmhg"), "{e}");
        let e = parse(r#"{"trials": [{"drug": "a"}, {"drug": "b", "drug": "c"}]}"#).unwrap_err();
        assert_eq!(e.path(), Some("trials[1].drug"), "{e}");
        // The same key in two objects is not a duplicate.
        assert!(parse(r#"{"a": {"x": 1}, "b": {"x": 1}}"#).is_ok());
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_bad_syntax_keeps_its_position() {
        assert_eq!(parse("\u{feff}{\"a\": 1.5}").unwrap(), serde_json::json!({"a": 1.5}));
        let e = parse("{\"a\": 1,\n \"b\": }").unwrap_err();
        assert!(matches!(e, InputError::Syntax { line: 2, .. }), "{e}");
        assert!(matches!(parse("{} x"), Err(InputError::Syntax { .. })));
    }

    /// The quick read of a file that is right gives what the careful read gives; what is wrong
    /// (a key given twice, at any depth or written with an escape; a wrong type) is still named.
    #[test]
    fn the_quick_read_gives_what_the_careful_read_gives_and_names_what_is_wrong() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct T {
            a: Option<f64>,
            b: Vec<String>,
            c: Option<Box<T>>,
        }
        for text in [
            r#"{"a": 1.5, "b": ["x", "y\u00e9"], "c": {"a": null, "b": []}}"#,
            "\u{feff}{\"a\": 2, \"b\": []}",
            r#"{"b": [], "a": 1e400}"#,
        ] {
            let careful: Option<T> = parse(text).ok().and_then(|v| serde_path_to_error::deserialize(v).ok());
            assert_eq!(from_str::<T>(text).ok(), careful, "{text}");
        }
        let e = from_str::<T>(r#"{"b": [], "c": {"b": [], "b": []}}"#).unwrap_err();
        assert_eq!(e.path(), Some("c.b"), "{e}");
        let e = from_str::<T>(r#"{"b": [], "\u0062": []}"#).unwrap_err();
        assert_eq!(e.path(), Some("b"), "{e}");
        let e = from_str::<T>(r#"{"b": [1]}"#).unwrap_err();
        assert_eq!(e.path(), Some("b[0]"), "{e}");
        assert!(matches!(from_str::<T>(r#"{"b": [] "#), Err(InputError::Syntax { .. })));
    }
}
