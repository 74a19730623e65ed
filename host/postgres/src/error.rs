//! What a node sees when a PostgreSQL call fails: the message (the server's own for an
//! error the server sent, as `jsr:@db/postgres`'s `PostgresError`) and the server's fields.
//! Messages never hold the password: tokio-postgres does not print it, and
//! [`CallError::redact`] removes it anyway.

use tntc_abi::postgres::{PgErrorFields, PgFailure};

/// A failed `pg-connect`, `pg-query` or `pg-end`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CallError {
    /// The message the node's error carries.
    pub message: String,
    /// The server's error fields, when the server sent the error (boxed: most errors are
    /// the host's own, and results carrying this error stay small).
    pub fields: Option<Box<PgErrorFields>>,
}

impl CallError {
    /// An error of the host's own (refused, capped, timed out, malformed request).
    pub fn new(message: impl Into<String>) -> Self {
        CallError {
            message: message.into(),
            fields: None,
        }
    }

    /// A tokio-postgres error: the server's message and fields when the server sent it,
    /// else `context: <error>`.
    pub(crate) fn from_pg(error: &tokio_postgres::Error, context: &str) -> Self {
        match error.as_db_error() {
            Some(db) => {
                let fields = PgErrorFields {
                    severity: db.severity().to_owned(),
                    code: db.code().code().to_owned(),
                    message: db.message().to_owned(),
                    detail: db.detail().map(str::to_owned),
                    hint: db.hint().map(str::to_owned),
                    position: db.position().map(|p| match p {
                        tokio_postgres::error::ErrorPosition::Original(at) => at.to_string(),
                        tokio_postgres::error::ErrorPosition::Internal { position, .. } => {
                            position.to_string()
                        }
                    }),
                    where_: db.where_().map(str::to_owned),
                    schema: db.schema().map(str::to_owned),
                    table: db.table().map(str::to_owned),
                    column: db.column().map(str::to_owned),
                    constraint: db.constraint().map(str::to_owned),
                };
                CallError {
                    message: db.message().to_owned(),
                    fields: Some(Box::new(fields)),
                }
            }
            None => {
                // tokio-postgres's Display says only "error connecting to server"; the
                // cause (refused, reset, TLS) is in the source chain.
                let mut text = error.to_string();
                let mut source = std::error::Error::source(error);
                while let Some(cause) = source {
                    text.push_str(": ");
                    text.push_str(&cause.to_string());
                    source = cause.source();
                }
                CallError::new(format!("{context}: {text}"))
            }
        }
    }

    /// Removes every occurrence of `secret` from the message and fields.
    pub(crate) fn redact(mut self, secret: Option<&str>) -> Self {
        let Some(secret) = secret.filter(|s| !s.is_empty()) else {
            return self;
        };
        let clean = |s: &mut String| {
            if s.contains(secret) {
                *s = s.replace(secret, "[redacted]");
            }
        };
        clean(&mut self.message);
        if let Some(fields) = &mut self.fields {
            clean(&mut fields.message);
            for s in [&mut fields.detail, &mut fields.hint, &mut fields.where_]
                .into_iter()
                .flatten()
            {
                clean(s);
            }
        }
        self
    }

    /// The completion's `meta` (tntc-abi PgFailure).
    pub fn to_json(&self) -> String {
        let failure = PgFailure {
            message: self.message.clone(),
            fields: self.fields.as_deref().cloned(),
        };
        // Strings only: always serializes.
        serde_json::to_string(&failure).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_removes_the_secret_everywhere() {
        let error = CallError {
            message: "bad pw s3cret".into(),
            fields: Some(Box::new(PgErrorFields {
                message: "s3cret".into(),
                detail: Some("x s3cret".into()),
                ..PgErrorFields::default()
            })),
        }
        .redact(Some("s3cret"));
        assert!(!error.to_json().contains("s3cret"), "{}", error.to_json());
    }
}
