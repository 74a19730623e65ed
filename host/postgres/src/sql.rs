//! What the host needs to know about a query's text without parsing SQL: whether it holds
//! several statements (they must go through the simple query protocol, as
//! `jsr:@db/postgres` sends a query without arguments) and its command word.

/// True when `sql` has a `;` followed by more than whitespace or comments, outside quotes,
/// quoted identifiers, dollar quotes and comments.
pub(crate) fn has_several_statements(sql: &str) -> bool {
    let b = sql.as_bytes();
    let mut i = 0;
    let mut ended = false;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'-' && b.get(i + 1) == Some(&b'-') {
            i = sql[i..].find('\n').map_or(b.len(), |n| i + n + 1);
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i = skip_block_comment(b, i + 2);
            continue;
        }
        if ended {
            return true;
        }
        match c {
            b';' => ended = true,
            b'\'' => {
                let escapes = i > 0 && matches!(b[i - 1], b'e' | b'E');
                i = skip_quoted(b, i + 1, b'\'', escapes);
                continue;
            }
            b'"' => {
                i = skip_quoted(b, i + 1, b'"', false);
                continue;
            }
            b'$' => {
                if let Some(end) = skip_dollar_quote(sql, i) {
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

fn skip_block_comment(b: &[u8], mut i: usize) -> usize {
    // PostgreSQL block comments nest.
    let mut depth = 1;
    while i < b.len() && depth > 0 {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    i
}

fn skip_quoted(b: &[u8], mut i: usize, quote: u8, backslash_escapes: bool) -> usize {
    while i < b.len() {
        if backslash_escapes && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == quote {
            // A doubled quote is an escaped quote.
            if b.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    i
}

/// The end of a dollar-quoted string starting at `start` (`$tag$ ... $tag$`), or `None`
/// when the `$` starts no dollar quote (a `$1` placeholder).
fn skip_dollar_quote(sql: &str, start: usize) -> Option<usize> {
    let rest = &sql[start + 1..];
    let tag_len = rest.find('$')?;
    let tag = &rest[..tag_len];
    if !tag.chars().all(|c| c.is_alphanumeric() || c == '_')
        || tag.starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    let delimiter = &sql[start..start + tag_len + 2];
    let body = start + delimiter.len();
    Some(
        sql[body..]
            .find(delimiter)
            .map_or(sql.len(), |end| body + end + delimiter.len()),
    )
}

/// The command word of a statement, as PostgreSQL's command tag starts (`SELECT`,
/// `INSERT`, `CREATE`...); for `WITH ...` the word of the statement after the last
/// top-level parenthesis, else `SELECT`.
pub(crate) fn command(sql: &str) -> String {
    let words: Vec<String> = sql
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ';')
        .filter(|w| !w.is_empty() && !w.starts_with("--"))
        .map(str::to_ascii_uppercase)
        .collect();
    let first = words.first().cloned().unwrap_or_default();
    if first != "WITH" {
        return first;
    }
    // `WITH x AS (...) INSERT ...`: the data-modifying word after the CTEs, if any.
    let mut depth = 0i32;
    let mut after_ctes = String::new();
    for part in sql.split_inclusive(['(', ')']) {
        if depth == 0 && !part.trim_start().is_empty() {
            after_ctes = part.to_owned();
        }
        depth += part.matches('(').count() as i32 - part.matches(')').count() as i32;
    }
    after_ctes
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .find(|w| {
            matches!(
                w.as_str(),
                "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "SELECT"
            )
        })
        .unwrap_or_else(|| "SELECT".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_statement_with_or_without_a_trailing_semicolon() {
        assert!(!has_several_statements("SELECT 1"));
        assert!(!has_several_statements("SELECT 1;\n  -- done\n"));
        assert!(!has_several_statements(
            "INSERT INTO t VALUES ($1, $2) RETURNING id;"
        ));
    }

    #[test]
    fn semicolons_in_quotes_comments_and_dollar_quotes_do_not_split() {
        assert!(!has_several_statements("SELECT 'a;b', \"c;d\""));
        assert!(!has_several_statements("SELECT 'it''s; fine'"));
        assert!(!has_several_statements("SELECT E'\\'; still'"));
        assert!(!has_several_statements(
            "SELECT 1 /* a; /* nested; */ b; */"
        ));
        assert!(!has_several_statements(
            "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql"
        ));
        assert!(!has_several_statements("SELECT $$a;b$$"));
    }

    #[test]
    fn two_statements_are_seen() {
        assert!(has_several_statements(
            "CREATE TABLE IF NOT EXISTS t (id int);\nCREATE INDEX IF NOT EXISTS i ON t (id);"
        ));
        assert!(has_several_statements("SELECT 1; SELECT 2"));
    }

    #[test]
    fn command_words_follow_the_command_tag() {
        assert_eq!(command("  select 1"), "SELECT");
        assert_eq!(command("\nINSERT INTO t VALUES (1) RETURNING id"), "INSERT");
        assert_eq!(command("WITH a AS (SELECT 1) UPDATE t SET x = 1"), "UPDATE");
        assert_eq!(command("WITH a AS (SELECT 1) SELECT * FROM a"), "SELECT");
        assert_eq!(command("(SELECT 1)"), "SELECT");
    }
}
