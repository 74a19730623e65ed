//! The JSON of the PostgreSQL host imports (`wit/node.wit`: `pg-connect`, `pg-query`,
//! `pg-end`) and of their completions. Parameters travel as text (or null) and the server
//! infers their types, as `jsr:@db/postgres` does; result values travel as JSON decoded by
//! the guest according to each column's `kind`.

use serde::{Deserialize, Serialize};

/// `request` of `pg-connect`: what the node's `Client` options name. Every field is
/// optional; whatever is named must match one postgresql dependency the node may reach.
/// A password is never sent: the host uses the dependency's `auth.secret`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgConnectRequest {
    /// `hostname` (or the host of a connection string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// `port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// `database`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// `user`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `tls.enforce: true`: the node insists on TLS whatever the dependency's `sslmode`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tls_enforce: bool,
}

/// `meta` of a successful `pg-connect` completion.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgConnected {
    /// The session handle later calls name.
    pub session: u32,
    /// The contract dependency the session is connected to.
    pub dependency: String,
    /// Whether the connection is encrypted.
    pub tls: bool,
}

/// `request` of `pg-query`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgQueryRequest {
    /// A session from `pg-connect`.
    pub session: u32,
    /// The SQL text, with `$1`... placeholders.
    pub text: String,
    /// Each parameter's text form (the guest encodes it as the driver does), or null.
    #[serde(default)]
    pub params: Vec<Option<String>>,
}

/// One result column: its name, type OID, and how the guest decodes its values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgColumn {
    /// The column's name as the server reports it.
    pub name: String,
    /// The PostgreSQL type OID.
    pub type_oid: u32,
    /// The decoding: `bool`, `int`, `int8`, `float`, `numeric`, `text`, `json`,
    /// `timestamptz`, `timestamp`, `date`, `bytea`, each optionally followed by `[]` (an
    /// array of them, nested arrays as nested JSON arrays).
    pub kind: String,
}

/// `meta` of a successful `pg-query` completion.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgQueryResult {
    /// The command of the (last) statement: `SELECT`, `INSERT`, `CREATE`...
    pub command: String,
    /// Rows returned or affected, when the server reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_count: Option<u64>,
    /// The result's columns.
    pub columns: Vec<PgColumn>,
    /// The rows, each value encoded per its column's `kind` (null for SQL NULL).
    pub rows: Vec<Vec<serde_json::Value>>,
}

/// `meta` of a failed `pg-connect`, `pg-query` or `pg-end` completion.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgFailure {
    /// What the node's error says.
    pub message: String,
    /// The server's error fields, when the server sent the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<PgErrorFields>,
}

/// The fields of a PostgreSQL ErrorResponse, named as `jsr:@db/postgres` names them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PgErrorFields {
    /// `ERROR`, `FATAL`...
    pub severity: String,
    /// The SQLSTATE code, like `42601`.
    pub code: String,
    /// The primary message.
    pub message: String,
    /// Optional detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Optional hint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// 1-based character position in the query, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// Context (`where`).
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    pub where_: Option<String>,
    /// Schema name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Table name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Column name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Constraint name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
}
