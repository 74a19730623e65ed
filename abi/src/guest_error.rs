//! The error every runtime export returns in its `err` case.

use serde::{Deserialize, Serialize};

/// JSON `{"message": string, "stack"?: string}`: what `compile`, `load-node` and `run`
/// return when they fail (a syntax error, a throwing top-level, a rejected promise).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestError {
    /// The error's `message` (for a thrown non-`Error`, the value as a string).
    pub message: String,
    /// QuickJS's stack trace of the emitted JavaScript, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
}

impl GuestError {
    /// Reads an error the runtime returned. Text that is not the expected JSON (a runtime
    /// that broke its own contract) becomes the message as it is, never a second error.
    pub fn parse(json: &str) -> GuestError {
        match serde_json::from_str::<GuestError>(json) {
            Ok(mut error) => {
                error.stack = error.stack.filter(|s| !s.trim().is_empty());
                error
            }
            Err(_) => GuestError {
                message: json.to_string(),
                stack: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_with_a_blank_stack_has_none() {
        let error = GuestError::parse(r#"{"message":"boom","stack":"  \n"}"#);
        assert_eq!(error.message, "boom");
        assert_eq!(error.stack, None);
    }

    #[test]
    fn text_that_is_not_the_json_shape_is_the_message() {
        let error = GuestError::parse("it broke");
        assert_eq!(error.message, "it broke");
        assert_eq!(error.stack, None);
    }
}
