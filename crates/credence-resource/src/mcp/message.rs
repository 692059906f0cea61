//! What one MCP POST asks for, read once from its JSON-RPC body: a tool
//! call (and which tool), another request or notification, or a response.

use serde::Deserialize;

/// One JSON-RPC message of an MCP POST, as far as authorization needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum McpMessage {
    /// `tools/call` of the named tool.
    ToolCall {
        /// The tool's name (`params.name`).
        tool: String,
    },
    /// Any other request or notification (`initialize`, `tools/list`, …).
    Other {
        /// The JSON-RPC method.
        method: String,
    },
    /// A response or error the client sends back to the server.
    Response,
}

/// Why a POST body was refused before any token was looked at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// Not one JSON-RPC message (bad JSON, a duplicate member, or a batch).
    #[error("not one JSON-RPC message: {0}")]
    Malformed(String),
    /// A `tools/call` without a string `params.name`.
    #[error("tools/call without a tool name")]
    NoToolName,
}

#[derive(Deserialize)]
struct Envelope {
    method: Option<String>,
}

// Read straight from the body (not through a `Value`, which keeps the
// last of two equal keys): serde's derived structs refuse a duplicate
// `params` or `name`, so the tool the layer authorizes is the one rmcp
// (also serde) dispatches to.
#[derive(Deserialize)]
struct ToolCallEnvelope {
    params: ToolCallParams,
}

#[derive(Deserialize)]
struct ToolCallParams {
    name: String,
}

impl McpMessage {
    /// Reads one JSON-RPC message. Batches (JSON arrays) are refused: MCP
    /// removed them, and one token check per POST must cover one call.
    pub fn parse(body: &[u8]) -> Result<Self, MessageError> {
        let envelope: Envelope =
            serde_json::from_slice(body).map_err(|e| MessageError::Malformed(e.to_string()))?;
        let Some(method) = envelope.method else {
            return Ok(Self::Response);
        };
        if method != "tools/call" {
            return Ok(Self::Other { method });
        }
        let call: ToolCallEnvelope =
            serde_json::from_slice(body).map_err(|_| MessageError::NoToolName)?;
        Ok(Self::ToolCall {
            tool: call.params.name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tool_calls_and_other_methods() {
        let call = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay_invoice","arguments":{}}}"#;
        assert_eq!(
            McpMessage::parse(call),
            Ok(McpMessage::ToolCall {
                tool: "pay_invoice".into()
            })
        );
        let list = br#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#;
        assert_eq!(
            McpMessage::parse(list),
            Ok(McpMessage::Other {
                method: "tools/list".into()
            })
        );
        let response = br#"{"jsonrpc":"2.0","id":2,"result":{}}"#;
        assert_eq!(McpMessage::parse(response), Ok(McpMessage::Response));
    }

    #[test]
    fn refuses_batches_duplicates_and_nameless_calls() {
        let batch = br#"[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]"#;
        assert!(matches!(
            McpMessage::parse(batch),
            Err(MessageError::Malformed(_))
        ));
        let two_methods =
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call","params":{"name":"x"}}"#;
        assert!(matches!(
            McpMessage::parse(two_methods),
            Err(MessageError::Malformed(_))
        ));
        let two_names = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_invoices","name":"pay_invoice"}}"#;
        assert_eq!(McpMessage::parse(two_names), Err(MessageError::NoToolName));
        let nameless = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}"#;
        assert_eq!(McpMessage::parse(nameless), Err(MessageError::NoToolName));
        let no_params = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call"}"#;
        assert_eq!(McpMessage::parse(no_params), Err(MessageError::NoToolName));
        assert!(matches!(
            McpMessage::parse(b"not json"),
            Err(MessageError::Malformed(_))
        ));
    }
}
