//! Portable SQL: the records' queries written once, run on the workstation's SQLite file and, with
//! the `postgres` feature, on a clinic's PostgreSQL server ([`postgres`]).
//!
//! An aggregate's queries take any connection that implements [`Sql`] and are written in the
//! dialect both engines read alike:
//! - placeholders `$1`, `$2`, … (SQLite reads them as `?1`, `?2`, …);
//! - a new row's id from `INSERT … RETURNING id`, not `last_insert_rowid()`;
//! - `INSERT … ON CONFLICT DO NOTHING`, not `INSERT OR IGNORE`; `TRUE`, not `1`, as a condition;
//! - text compared and sorted byte by byte (SQLite's default; PostgreSQL's text columns are
//!   declared `COLLATE "C"`), so a search and its order are the same on both;
//! - values are integers, reals, text and blobs ([`Value`]); times are RFC 3339 text.
//!
//! What differs between the engines stays out of the queries: each engine has its own schema
//! (SQLite's migrations in [`super::migrations`], PostgreSQL's in [`postgres::SCHEMA`]) and its own
//! way to open a connection and a transaction.

#[cfg(feature = "postgres")]
pub mod postgres;

use std::borrow::Cow;

use super::{Result, StorageError};

/// A value bound to a query or read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Integer(_) => "an integer",
            Value::Real(_) => "a real",
            Value::Text(_) => "text",
            Value::Blob(_) => "a blob",
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Integer(v)
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Value {
        Value::Integer(v.into())
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Real(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Integer(v.into())
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(v.clone())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// The values of a query's placeholders, in order: `params![mrn, key]`.
#[macro_export]
#[doc(hidden)]
macro_rules! sql_params {
    ($($value:expr),* $(,)?) => {
        &[$($crate::records::sql::Value::from($value)),*][..]
    };
}
pub use crate::sql_params as params;

/// A row read back: its values by column, in the order of the query's `SELECT`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// Column `index` as `T`; a value of another type is an error naming the column.
    pub fn get<T: FromValue>(&self, index: usize) -> Result<T> {
        let value = self.0.get(index).ok_or_else(|| StorageError::Column {
            index,
            message: format!("the query returns {} columns", self.0.len()),
        })?;
        T::from_value(value).ok_or_else(|| StorageError::Column {
            index,
            message: format!("expected {}, found {}", T::EXPECTED, value.kind()),
        })
    }
}

impl Row {
    /// A JSON column read back into its type (`None` for null); text that does not parse is an
    /// error naming the column and where in the text, never what the text holds (serde's own
    /// message quotes the value: a patient's name or note would reach the error shown).
    pub fn json<T: for<'de> serde::Deserialize<'de>>(&self, index: usize) -> Result<Option<T>> {
        self.get::<Option<String>>(index)?
            .map(|text| {
                serde_json::from_str(&text).map_err(|e| StorageError::Column {
                    index,
                    message: format!(
                        "the stored JSON does not read as it should ({:?} error at line {}, column {})",
                        e.classify(),
                        e.line(),
                        e.column()
                    ),
                })
            })
            .transpose()
    }
}

/// A type a column can be read as.
pub trait FromValue: Sized {
    const EXPECTED: &'static str;
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    const EXPECTED: &'static str = "an integer";
    fn from_value(value: &Value) -> Option<i64> {
        match value {
            Value::Integer(v) => Some(*v),
            _ => None,
        }
    }
}
impl FromValue for u32 {
    const EXPECTED: &'static str = "a whole number from 0 to 4294967295";
    fn from_value(value: &Value) -> Option<u32> {
        match value {
            Value::Integer(v) => u32::try_from(*v).ok(),
            _ => None,
        }
    }
}
impl FromValue for f64 {
    const EXPECTED: &'static str = "a real";
    fn from_value(value: &Value) -> Option<f64> {
        match value {
            Value::Real(v) => Some(*v),
            Value::Integer(v) => Some(*v as f64),
            _ => None,
        }
    }
}
impl FromValue for String {
    const EXPECTED: &'static str = "text";
    fn from_value(value: &Value) -> Option<String> {
        match value {
            Value::Text(v) => Some(v.clone()),
            _ => None,
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    fn from_value(value: &Value) -> Option<Option<T>> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// A connection (or a transaction) that runs portable SQL. The records' aggregates are written
/// against this, so that each query is defined once for every engine.
pub trait Sql {
    /// Runs a statement that returns no rows; the number of rows it changed.
    fn run(&self, sql: &str, params: &[Value]) -> Result<u64>;

    /// Calls `each` with every row of a query, in order, without holding them all.
    fn each_row(&self, sql: &str, params: &[Value], each: &mut dyn FnMut(Row) -> Result<()>) -> Result<()>;

    /// Every row of a query.
    fn rows(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let mut out = Vec::new();
        self.each_row(sql, params, &mut |row| {
            out.push(row);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of a query, if any.
    fn row(&self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }

    /// The SQL expression of this engine for the value at `path` (keys joined by dots, as in
    /// `dose.dose_mg`) of the JSON text in `column`, NULL when it is absent or null: the one
    /// thing the engines write differently. Used for text (a date) and for `IS NULL` only: a
    /// number or a boolean reads differently on each.
    fn json_text(&self, column: &str, path: &str) -> String {
        format!("json_extract({column}, '$.{path}')")
    }
}

/// The one value of a query that always returns one row (a count, a `MAX`): an error naming the
/// query's first column when it returns none.
pub fn scalar<T: FromValue>(db: &(impl Sql + ?Sized), sql: &str, params: &[Value]) -> Result<T> {
    db.row(sql, params)?
        .ok_or_else(|| StorageError::Column { index: 0, message: "the query returned no row".into() })?
        .get(0)
}

/// The id an `INSERT … RETURNING id` gave back.
pub fn returned_id(row: Option<Row>) -> Result<i64> {
    row.ok_or_else(|| StorageError::Server("the new row's id was not returned".into()))?.get(0)
}

/// The query as SQLite reads it: `$1` written `?1` (SQLite numbers `$1` by its first appearance,
/// not by its digits).
fn sqlite_text(sql: &str) -> Cow<'_, str> {
    if !sql.contains('$') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Integer(v) => ValueRef::Integer(*v),
            Value::Real(v) => ValueRef::Real(*v),
            Value::Text(v) => ValueRef::Text(v.as_bytes()),
            Value::Blob(v) => ValueRef::Blob(v),
        }))
    }
}

fn sqlite_value(value: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(v) => Value::Integer(v),
        ValueRef::Real(v) => Value::Real(v),
        ValueRef::Text(v) => Value::Text(String::from_utf8_lossy(v).into_owned()),
        ValueRef::Blob(v) => Value::Blob(v.to_vec()),
    }
}

impl Sql for rusqlite::Connection {
    fn run(&self, sql: &str, params: &[Value]) -> Result<u64> {
        let mut stmt = self.prepare_cached(&sqlite_text(sql))?;
        Ok(stmt.execute(rusqlite::params_from_iter(params))? as u64)
    }

    fn each_row(&self, sql: &str, params: &[Value], each: &mut dyn FnMut(Row) -> Result<()>) -> Result<()> {
        let mut stmt = self.prepare_cached(&sqlite_text(sql))?;
        let columns = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            let values = (0..columns).map(|i| row.get_ref(i).map(sqlite_value)).collect::<rusqlite::Result<_>>()?;
            each(Row(values))?;
        }
        Ok(())
    }
}

impl Sql for rusqlite::Transaction<'_> {
    fn run(&self, sql: &str, params: &[Value]) -> Result<u64> {
        (**self).run(sql, params)
    }

    fn each_row(&self, sql: &str, params: &[Value], each: &mut dyn FnMut(Row) -> Result<()>) -> Result<()> {
        (**self).each_row(sql, params, each)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_reads_numbered_placeholders_by_their_number() {
        assert_eq!(sqlite_text("SELECT $2, $1, $10 WHERE a = '$'"), "SELECT ?2, ?1, ?10 WHERE a = '$'");
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let row = conn.row("SELECT $2, $1", params![1_i64, "two"]).unwrap().unwrap();
        assert_eq!(row.get::<String>(0).unwrap(), "two");
        assert_eq!(row.get::<i64>(1).unwrap(), 1);
    }

    /// A stored JSON column that does not read is an error naming the column and the place, not
    /// quoting what it holds (it may be a patient's name).
    #[test]
    fn a_json_column_that_does_not_read_is_named_without_its_content() {
        let row = Row(vec![Value::Text(r#"{"name": "Ana Pérez"}"#.into())]);
        let e = row.json::<std::collections::BTreeMap<String, f64>>(0).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, StorageError::Column { index: 0, .. }), "{text}");
        assert!(text.contains("line 1") && !text.contains("Ana"), "{text}");
    }

    #[test]
    fn a_column_of_another_type_is_an_error_naming_it() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let row = conn.row("SELECT 'x', NULL", &[]).unwrap().unwrap();
        let err = row.get::<i64>(0).unwrap_err().to_string();
        assert!(err.contains("column 0") && err.contains("expected an integer, found text"), "{err}");
        assert_eq!(row.get::<Option<i64>>(1).unwrap(), None);
        assert!(row.get::<i64>(1).is_err(), "a null is not an integer");
    }
}
