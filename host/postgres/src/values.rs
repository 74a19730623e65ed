//! Values across the boundary: parameters go to the server as text (it infers their types,
//! as `jsr:@db/postgres` lets it), and result values, which tokio-postgres receives in
//! binary, become JSON the guest decodes by each column's kind.
//!
//! | type | kind | JSON |
//! |---|---|---|
//! | bool | `bool` | `true`/`false` |
//! | int2, int4, oid | `int` | number |
//! | int8 | `int8` | number when it is a safe integer (within 2^53 - 1), else the decimal text (the guest makes a `bigint`) |
//! | float4, float8 | `float` | number; `"NaN"`, `"Infinity"`, `"-Infinity"` as text |
//! | numeric | `numeric` | the decimal text |
//! | text, varchar, bpchar, name, "char", citext, uuid, time | `text` | string |
//! | json, jsonb | `json` | the value itself |
//! | timestamptz, timestamp, date | `timestamptz`, `timestamp`, `date` | milliseconds since 1970 (UTC), or `"infinity"` / `"-infinity"` |
//! | bytea | `bytea` | base64 |
//! | void (`SELECT pg_sleep(1)`) | `text` | null |
//! | arrays of these | `<kind>[]` | nested JSON arrays, null elements as null |
//!
//! Any other type is refused when the result is described, naming the column and saying to
//! cast it to text in SQL.

use std::error::Error;

use base64::Engine;
use fallible_iterator::FallibleIterator;
use serde_json::Value;
use tokio_postgres::types::{Format, FromSql, IsNull, Kind as PgKind, ToSql, Type, to_sql_checked};

/// How a column's values are decoded (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Bool,
    Int2,
    Int4,
    Oid,
    Int8,
    Float4,
    Float8,
    Numeric,
    Text,
    Uuid,
    Time,
    Json,
    Jsonb,
    Timestamptz,
    Timestamp,
    Date,
    Bytea,
    /// `void` (a function returning nothing, like `pg_sleep`): always null.
    Void,
}

impl Kind {
    /// The scalar kind of `ty`, `None` when it is not supported.
    fn scalar(ty: &Type) -> Option<Kind> {
        Some(match *ty {
            Type::BOOL => Kind::Bool,
            Type::INT2 => Kind::Int2,
            Type::INT4 => Kind::Int4,
            Type::OID => Kind::Oid,
            Type::INT8 => Kind::Int8,
            Type::FLOAT4 => Kind::Float4,
            Type::FLOAT8 => Kind::Float8,
            Type::NUMERIC => Kind::Numeric,
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::CHAR => Kind::Text,
            Type::UUID => Kind::Uuid,
            Type::TIME => Kind::Time,
            Type::JSON => Kind::Json,
            Type::JSONB => Kind::Jsonb,
            Type::TIMESTAMPTZ => Kind::Timestamptz,
            Type::TIMESTAMP => Kind::Timestamp,
            Type::DATE => Kind::Date,
            Type::BYTEA => Kind::Bytea,
            Type::VOID => Kind::Void,
            _ if ty.name() == "citext" => Kind::Text,
            _ => return None,
        })
    }

    /// The name the guest decodes by.
    fn name(self) -> &'static str {
        match self {
            Kind::Bool => "bool",
            Kind::Int2 | Kind::Int4 | Kind::Oid => "int",
            Kind::Int8 => "int8",
            Kind::Float4 | Kind::Float8 => "float",
            Kind::Numeric => "numeric",
            Kind::Text | Kind::Uuid | Kind::Time | Kind::Void => "text",
            Kind::Json | Kind::Jsonb => "json",
            Kind::Timestamptz => "timestamptz",
            Kind::Timestamp => "timestamp",
            Kind::Date => "date",
            Kind::Bytea => "bytea",
        }
    }
}

/// A column's decoding: a scalar, or an array of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ColumnKind {
    pub(crate) scalar: Kind,
    pub(crate) array: bool,
}

impl ColumnKind {
    /// The decoding of a column of type `ty`, or a message saying it is not supported.
    pub(crate) fn of(column: &str, ty: &Type) -> Result<ColumnKind, String> {
        let found = match ty.kind() {
            PgKind::Array(element) => Kind::scalar(element).map(|scalar| ColumnKind {
                scalar,
                array: true,
            }),
            _ => Kind::scalar(ty).map(|scalar| ColumnKind {
                scalar,
                array: false,
            }),
        };
        found.ok_or_else(|| {
            format!(
                "column \"{column}\" has type {}, which tntc's PostgreSQL driver does not decode; \
                 cast it in SQL (for example `{column}::text`)",
                ty.name()
            )
        })
    }

    /// `int8`, `json[]`...
    pub(crate) fn name(self) -> String {
        if self.array {
            format!("{}[]", self.scalar.name())
        } else {
            self.scalar.name().to_owned()
        }
    }

    /// Decodes one non-null value in binary format.
    pub(crate) fn decode(self, raw: &[u8]) -> Result<Value, String> {
        if !self.array {
            return decode_scalar(self.scalar, raw);
        }
        let array = postgres_protocol::types::array_from_sql(raw).map_err(|e| e.to_string())?;
        let dims: Vec<usize> = array
            .dimensions()
            .map(|d| Ok(d.len.max(0) as usize))
            .collect()
            .map_err(|e| e.to_string())?;
        let mut values = array.values();
        let mut flat = Vec::new();
        while let Some(v) = values.next().map_err(|e| e.to_string())? {
            flat.push(match v {
                None => Value::Null,
                Some(bytes) => decode_scalar(self.scalar, bytes)?,
            });
        }
        if dims.is_empty() {
            return Ok(Value::Array(Vec::new()));
        }
        Ok(nest(&dims, &mut flat.into_iter()))
    }
}

/// Rebuilds nested arrays of `dims` from row-major `flat` values.
fn nest(dims: &[usize], flat: &mut impl Iterator<Item = Value>) -> Value {
    match dims {
        [] => flat.next().unwrap_or(Value::Null),
        [len, rest @ ..] => Value::Array((0..*len).map(|_| nest(rest, flat)).collect()),
    }
}

/// Microseconds between 1970-01-01 and 2000-01-01 (PostgreSQL's epoch).
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

fn be<const N: usize>(raw: &[u8]) -> Result<[u8; N], String> {
    raw.try_into()
        .map_err(|_| format!("expected {N} bytes, got {}", raw.len()))
}

fn float(v: f64) -> Value {
    if v.is_nan() {
        Value::from("NaN")
    } else if v.is_infinite() {
        Value::from(if v > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

fn micros_to_millis(micros: i64) -> Value {
    match micros {
        i64::MAX => Value::from("infinity"),
        i64::MIN => Value::from("-infinity"),
        // Milliseconds with the microseconds as a fraction; JavaScript's Date keeps whole ms.
        m => float((m as f64 + PG_EPOCH_MICROS as f64) / 1000.0),
    }
}

fn text(raw: &[u8]) -> Result<Value, String> {
    std::str::from_utf8(raw)
        .map(Value::from)
        .map_err(|_| "text that is not UTF-8".to_owned())
}

fn decode_scalar(kind: Kind, raw: &[u8]) -> Result<Value, String> {
    Ok(match kind {
        Kind::Bool => Value::Bool(raw.first().is_some_and(|&b| b != 0)),
        Kind::Int2 => Value::from(i16::from_be_bytes(be(raw)?)),
        Kind::Int4 => Value::from(i32::from_be_bytes(be(raw)?)),
        Kind::Oid => Value::from(u32::from_be_bytes(be(raw)?)),
        Kind::Int8 => {
            let v = i64::from_be_bytes(be(raw)?);
            if v.unsigned_abs() < (1u64 << 53) {
                Value::from(v)
            } else {
                Value::from(v.to_string())
            }
        }
        Kind::Float4 => float(f64::from(f32::from_be_bytes(be(raw)?))),
        Kind::Float8 => float(f64::from_be_bytes(be(raw)?)),
        Kind::Numeric => Value::from(numeric_text(raw)?),
        Kind::Text => text(raw)?,
        Kind::Uuid => {
            let b: [u8; 16] = be(raw)?;
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            Value::from(format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            ))
        }
        Kind::Time => {
            let us = i64::from_be_bytes(be(raw)?);
            let (s, frac) = (us / 1_000_000, us % 1_000_000);
            let mut t = format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
            if frac != 0 {
                t.push_str(format!(".{frac:06}").trim_end_matches('0'));
            }
            Value::from(t)
        }
        Kind::Json => serde_json::from_slice(raw).map_err(|e| format!("invalid json: {e}"))?,
        Kind::Jsonb => match raw.split_first() {
            Some((1, rest)) => {
                serde_json::from_slice(rest).map_err(|e| format!("invalid jsonb: {e}"))?
            }
            _ => return Err("unknown jsonb format version".to_owned()),
        },
        Kind::Timestamptz | Kind::Timestamp => micros_to_millis(i64::from_be_bytes(be(raw)?)),
        Kind::Date => match i32::from_be_bytes(be(raw)?) {
            i32::MAX => Value::from("infinity"),
            i32::MIN => Value::from("-infinity"),
            days => micros_to_millis(i64::from(days) * 86_400_000_000),
        },
        Kind::Bytea => Value::from(base64::engine::general_purpose::STANDARD.encode(raw)),
        Kind::Void => Value::Null,
    })
}

/// The text of a binary `numeric`: `ndigits, weight, sign, dscale` (i16/u16 each), then
/// base-10000 digits; `weight` is the power of 10000 of the first digit.
fn numeric_text(raw: &[u8]) -> Result<String, String> {
    let word = |i: usize| -> Result<u16, String> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "truncated numeric".to_owned())
    };
    let ndigits = usize::from(word(0)?);
    let weight = i32::from(word(1)? as i16);
    let sign = word(2)?;
    let dscale = usize::from(word(3)?);
    match sign {
        0xC000 => return Ok("NaN".into()),
        0xD000 => return Ok("Infinity".into()),
        0xF000 => return Ok("-Infinity".into()),
        _ => {}
    }
    let digits: Vec<u16> = (0..ndigits)
        .map(|i| word(4 + i))
        .collect::<Result<_, _>>()?;
    let digit = |power: i32| -> u16 {
        // The digit at 10000^power.
        let index = weight - power;
        if index < 0 {
            0
        } else {
            digits.get(index as usize).copied().unwrap_or(0)
        }
    };
    let mut out = String::new();
    if sign == 0x4000 {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        for power in (0..=weight).rev() {
            let d = digit(power);
            if power == weight {
                out.push_str(&d.to_string());
            } else {
                out.push_str(&format!("{d:04}"));
            }
        }
    }
    if dscale > 0 {
        let mut fraction = String::new();
        let mut power = -1;
        while fraction.len() < dscale {
            fraction.push_str(&format!("{:04}", digit(power)));
            power -= 1;
        }
        fraction.truncate(dscale);
        out.push('.');
        out.push_str(&fraction);
    }
    Ok(out)
}

/// A parameter as text: the server parses it as whatever type it inferred for the
/// placeholder, exactly as for an untyped parameter of `jsr:@db/postgres`.
#[derive(Debug)]
pub(crate) struct TextParam<'a>(pub(crate) Option<&'a str>);

impl ToSql for TextParam<'_> {
    fn to_sql(
        &self,
        _ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self.0 {
            None => Ok(IsNull::Yes),
            Some(text) => {
                out.extend_from_slice(text.as_bytes());
                Ok(IsNull::No)
            }
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn encode_format(&self, _ty: &Type) -> Format {
        Format::Text
    }

    to_sql_checked!();
}

/// A result value as the server sent it (binary), or SQL NULL.
pub(crate) struct Raw<'a>(pub(crate) Option<&'a [u8]>);

impl<'a> FromSql<'a> for Raw<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Raw(Some(raw)))
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Raw(None))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(words: &[u16]) -> String {
        let raw: Vec<u8> = words.iter().flat_map(|w| w.to_be_bytes()).collect();
        numeric_text(&raw).unwrap()
    }

    #[test]
    fn numeric_binary_becomes_its_decimal_text() {
        // 12345.678: digits 1, 2345, 6780; weight 1; scale 3.
        assert_eq!(numeric(&[3, 1, 0, 3, 1, 2345, 6780]), "12345.678");
        // -0.0012: digit 12 at 10000^-1; weight -1; scale 4.
        assert_eq!(numeric(&[1, (-1i16) as u16, 0x4000, 4, 12]), "-0.0012");
        // 0 with scale 2.
        assert_eq!(numeric(&[0, 0, 0, 2]), "0.00");
        // 10000000: digit 1000 at 10000^1 (trailing zero digits omitted); weight 1.
        assert_eq!(numeric(&[1, 1, 0, 0, 1000]), "10000000");
        assert_eq!(numeric(&[0, 0, 0xC000, 0]), "NaN");
    }

    #[test]
    fn int8_beyond_safe_integers_is_text() {
        let kind = ColumnKind {
            scalar: Kind::Int8,
            array: false,
        };
        assert_eq!(kind.decode(&42i64.to_be_bytes()).unwrap(), Value::from(42));
        assert_eq!(
            kind.decode(&i64::MAX.to_be_bytes()).unwrap(),
            Value::from("9223372036854775807")
        );
    }

    #[test]
    fn timestamps_are_milliseconds_since_1970() {
        let kind = ColumnKind {
            scalar: Kind::Timestamptz,
            array: false,
        };
        assert_eq!(
            kind.decode(&0i64.to_be_bytes()).unwrap(),
            Value::from(946_684_800_000.0)
        );
        assert_eq!(
            kind.decode(&i64::MAX.to_be_bytes()).unwrap(),
            Value::from("infinity")
        );
    }

    #[test]
    fn unsupported_types_name_the_column_and_the_cast() {
        let message = ColumnKind::of("span", &Type::INTERVAL).unwrap_err();
        assert!(message.contains("span::text"), "{message}");
        assert_eq!(
            ColumnKind::of("a", &Type::INT4_ARRAY).unwrap().name(),
            "int[]"
        );
    }

    #[test]
    fn nested_arrays_are_rebuilt_row_major() {
        let flat = (1..=6).map(Value::from).collect::<Vec<_>>();
        assert_eq!(
            nest(&[2, 3], &mut flat.into_iter()),
            serde_json::json!([[1, 2, 3], [4, 5, 6]])
        );
    }
}
