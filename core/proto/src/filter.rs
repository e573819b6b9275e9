//! Publication tags filters: which publications of a channel the server sends to this subscription.
//!
//! A [`TagsFilter`] is the wire `FilterNode` tree of `SubscribeRequest.tf` (JSON key `tf`, Protobuf
//! field 13). Every node is either
//!
//! - a **leaf** (`op` empty): compare the publication tag `key` using `cmp` with `val` or `vals`:
//!   `eq` / `neq` (equal / not equal to `val`), `in` / `nin` (one of / none of `vals`), `ex` / `nex`
//!   (the tag exists / does not), `sw` / `ew` / `ct` (starts with / ends with / contains `val`),
//!   `gt` / `gte` / `lt` / `lte` (decimal comparison with `val`; a tag that is not a number never
//!   matches);
//! - or a **logical node**: `and` / `or` over one or more `nodes`, `not` over exactly one.
//!
//! The JSON form is the wire form (`{"op","key","cmp","val","vals","nodes"}`, empty fields left out),
//! the same object centrifuge-js takes as `FilterNode`, so bindings hand their language's object over as
//! JSON ([`TagsFilter::from_json`]) and share one validator ([`TagsFilter::validate`], the server's own
//! rules: a filter it would refuse with error 107 is refused here before anything is sent).
//!
//! Things to know:
//! - the filter is fixed for the life of a subscription (changing it means a new subscription);
//! - filtered-out publications are never sent, so the offsets a filtered subscription sees have gaps;
//!   that is not loss, and recovery still works from the true stream position;
//! - a filter cannot be combined with delta compression: with delta negotiated the server sends
//!   non-matching publications anyway, so ceaseless refuses the combination;
//! - the namespace must allow it (`allow_tags_filter`), else the server answers 107.

use serde::{Deserialize, Serialize};

/// One node of a publication tags filter (the wire `FilterNode`). Build one with the constructors
/// ([`TagsFilter::eq`], [`TagsFilter::and`], ...) or parse the JSON form with [`TagsFilter::from_json`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TagsFilter {
    /// `""` for a leaf, else `"and"`, `"or"` or `"not"` (Protobuf field 1).
    #[serde(skip_serializing_if = "String::is_empty", deserialize_with = "null_as_empty")]
    pub op: String,
    /// The tag a leaf compares (field 2).
    #[serde(skip_serializing_if = "String::is_empty", deserialize_with = "null_as_empty")]
    pub key: String,
    /// A leaf's comparison: `eq neq in nin ex nex sw ew ct gt gte lt lte` (field 3).
    #[serde(skip_serializing_if = "String::is_empty", deserialize_with = "null_as_empty")]
    pub cmp: String,
    /// The operand of `eq neq sw ew ct gt gte lt lte` (field 4).
    #[serde(skip_serializing_if = "String::is_empty", deserialize_with = "null_as_empty")]
    pub val: String,
    /// The operands of `in nin` (field 5).
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_empty")]
    pub vals: Vec<String>,
    /// The children of `and or not` (field 6).
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_empty")]
    pub nodes: Vec<TagsFilter>,
}

/// Why a tags filter was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// The text is not the JSON form of a filter.
    #[error("not a tags filter object: {0}")]
    Json(String),
    /// A node breaks a rule; `path` says which (`root`, `root.nodes[1]`, ...).
    #[error("{path}: {reason}")]
    Invalid {
        /// Where in the tree.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// Comparisons that take one `val`.
const SINGLE_VALUE: &[&str] = &["eq", "neq", "sw", "ew", "ct", "gt", "gte", "lt", "lte"];
/// Comparisons that take a non-empty `vals`.
const MULTI_VALUE: &[&str] = &["in", "nin"];
/// Comparisons that take no operand.
const NO_VALUE: &[&str] = &["ex", "nex"];

impl TagsFilter {
    fn leaf(key: impl Into<String>, cmp: &str, val: impl Into<String>) -> Self {
        Self { key: key.into(), cmp: cmp.to_owned(), val: val.into(), ..Self::default() }
    }

    fn many(key: impl Into<String>, cmp: &str, vals: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let vals = vals.into_iter().map(Into::into).collect();
        Self { key: key.into(), cmp: cmp.to_owned(), vals, ..Self::default() }
    }

    fn logical(op: &str, nodes: Vec<TagsFilter>) -> Self {
        Self { op: op.to_owned(), nodes, ..Self::default() }
    }

    /// Tag `key` equals `val` (a missing tag does not match).
    pub fn eq(key: impl Into<String>, val: impl Into<String>) -> Self {
        Self::leaf(key, "eq", val)
    }

    /// Tag `key` differs from `val` (a missing tag matches).
    pub fn neq(key: impl Into<String>, val: impl Into<String>) -> Self {
        Self::leaf(key, "neq", val)
    }

    /// Tag `key` is one of `vals` (a missing tag compares as `""`).
    pub fn is_in(key: impl Into<String>, vals: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self::many(key, "in", vals)
    }

    /// Tag `key` is none of `vals` (a missing tag compares as `""`).
    pub fn not_in(key: impl Into<String>, vals: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self::many(key, "nin", vals)
    }

    /// Tag `key` is present.
    pub fn exists(key: impl Into<String>) -> Self {
        Self::leaf(key, "ex", "")
    }

    /// Tag `key` is absent.
    pub fn not_exists(key: impl Into<String>) -> Self {
        Self::leaf(key, "nex", "")
    }

    /// Tag `key` starts with `prefix`.
    pub fn starts_with(key: impl Into<String>, prefix: impl Into<String>) -> Self {
        Self::leaf(key, "sw", prefix)
    }

    /// Tag `key` ends with `suffix`.
    pub fn ends_with(key: impl Into<String>, suffix: impl Into<String>) -> Self {
        Self::leaf(key, "ew", suffix)
    }

    /// Tag `key` contains `part`.
    pub fn contains(key: impl Into<String>, part: impl Into<String>) -> Self {
        Self::leaf(key, "ct", part)
    }

    /// Tag `key`, read as a decimal number, is greater than `val`.
    pub fn gt(key: impl Into<String>, val: impl Into<String>) -> Self {
        Self::leaf(key, "gt", val)
    }

    /// Tag `key`, read as a decimal number, is at least `val`.
    pub fn gte(key: impl Into<String>, val: impl Into<String>) -> Self {
        Self::leaf(key, "gte", val)
    }

    /// Tag `key`, read as a decimal number, is less than `val`.
    pub fn lt(key: impl Into<String>, val: impl Into<String>) -> Self {
        Self::leaf(key, "lt", val)
    }

    /// Tag `key`, read as a decimal number, is at most `val`.
    pub fn lte(key: impl Into<String>, val: impl Into<String>) -> Self {
        Self::leaf(key, "lte", val)
    }

    /// Every one of `nodes` matches (at least one node is needed).
    pub fn and(nodes: Vec<TagsFilter>) -> Self {
        Self::logical("and", nodes)
    }

    /// At least one of `nodes` matches (at least one node is needed).
    pub fn or(nodes: Vec<TagsFilter>) -> Self {
        Self::logical("or", nodes)
    }

    /// `filter` does not match.
    #[allow(clippy::should_implement_trait)]
    pub fn not(filter: TagsFilter) -> Self {
        Self::logical("not", vec![filter])
    }

    /// Parses the JSON form (`{"key":"kind","cmp":"eq","val":"good"}`, nested through `op` and
    /// `nodes`) and validates it.
    ///
    /// # Errors
    /// [`FilterError::Json`] for text that is not such an object, [`FilterError::Invalid`] for a tree
    /// the server would refuse.
    pub fn from_json(text: &str) -> Result<Self, FilterError> {
        let filter: TagsFilter = serde_json::from_str(text).map_err(|e| FilterError::Json(e.to_string()))?;
        filter.validate()?;
        Ok(filter)
    }

    /// The JSON form (the wire form; empty fields left out).
    pub fn to_json(&self) -> String {
        // Plain strings and lists: serialization cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks the server's rules: a leaf needs a `key` and a known `cmp`; `val` is required and `vals`
    /// forbidden for `eq neq sw ew ct gt gte lt lte`; `vals` (non-empty) is required and `val` forbidden
    /// for `in nin`; neither is allowed for `ex nex`; `and` / `or` need at least one child, `not`
    /// exactly one; `op` is one of `"" and or not`.
    ///
    /// # Errors
    /// [`FilterError::Invalid`] naming the first node that breaks a rule.
    pub fn validate(&self) -> Result<(), FilterError> {
        self.validate_at("root")
    }

    fn validate_at(&self, path: &str) -> Result<(), FilterError> {
        let fail = |reason: String| Err(FilterError::Invalid { path: path.to_owned(), reason });
        match self.op.as_str() {
            "" => {
                if self.cmp.is_empty() {
                    return fail("a leaf needs a comparison (cmp)".to_owned());
                }
                if self.key.is_empty() {
                    return fail("a leaf needs a tag key".to_owned());
                }
                let cmp = self.cmp.as_str();
                if SINGLE_VALUE.contains(&cmp) {
                    if self.val.is_empty() {
                        return fail(format!("{cmp} needs val"));
                    }
                    if !self.vals.is_empty() {
                        return fail(format!("{cmp} takes val, not vals"));
                    }
                } else if MULTI_VALUE.contains(&cmp) {
                    if self.vals.is_empty() {
                        return fail(format!("{cmp} needs a non-empty vals"));
                    }
                    if !self.val.is_empty() {
                        return fail(format!("{cmp} takes vals, not val"));
                    }
                } else if NO_VALUE.contains(&cmp) {
                    if !self.val.is_empty() || !self.vals.is_empty() {
                        return fail(format!("{cmp} takes neither val nor vals"));
                    }
                } else {
                    return fail(format!("unknown comparison {cmp:?}"));
                }
                Ok(())
            }
            op @ ("and" | "or") if self.nodes.is_empty() => fail(format!("{op} needs at least one node")),
            "not" if self.nodes.len() != 1 => {
                fail(format!("not needs exactly one node, not {}", self.nodes.len()))
            }
            "and" | "or" | "not" => {
                for (i, node) in self.nodes.iter().enumerate() {
                    node.validate_at(&format!("{path}.nodes[{i}]"))?;
                }
                Ok(())
            }
            other => fail(format!("unknown operation {other:?} (expected and, or or not)")),
        }
    }
}

/// `null` reads as the empty value, as the server's JSON decoder does.
fn null_as_empty<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn invalid(filter: &TagsFilter) -> String {
        match filter.validate() {
            Err(FilterError::Invalid { path, reason }) => format!("{path}: {reason}"),
            other => panic!("{filter:?} should be invalid: {other:?}"),
        }
    }

    #[test]
    fn constructors_build_valid_wire_nodes() {
        let filter = TagsFilter::and(vec![
            TagsFilter::eq("kind", "good"),
            TagsFilter::gt("price", "10.5"),
            TagsFilter::not(TagsFilter::is_in("region", ["eu", "us"])),
            TagsFilter::or(vec![TagsFilter::exists("vip"), TagsFilter::not_exists("banned")]),
            TagsFilter::or(vec![
                TagsFilter::neq("a", "1"),
                TagsFilter::not_in("b", ["x"]),
                TagsFilter::starts_with("c", "p"),
                TagsFilter::ends_with("d", "s"),
                TagsFilter::contains("e", "m"),
                TagsFilter::gte("f", "1"),
                TagsFilter::lt("g", "2"),
                TagsFilter::lte("h", "3"),
            ]),
        ]);
        filter.validate().unwrap();
        assert_eq!(
            TagsFilter::and(vec![TagsFilter::eq("kind", "good"), TagsFilter::gt("price", "10.5")]).to_json(),
            r#"{"op":"and","nodes":[{"key":"kind","cmp":"eq","val":"good"},{"key":"price","cmp":"gt","val":"10.5"}]}"#
        );
        assert_eq!(TagsFilter::exists("vip").to_json(), r#"{"key":"vip","cmp":"ex"}"#);
        assert_eq!(
            TagsFilter::is_in("r", ["eu", "us"]).to_json(),
            r#"{"key":"r","cmp":"in","vals":["eu","us"]}"#
        );
        // The JSON form reads back as the same tree.
        assert_eq!(TagsFilter::from_json(&filter.to_json()).unwrap(), filter);
    }

    #[test]
    fn the_servers_rules() {
        let leaf = |cmp: &str| TagsFilter { key: "k".into(), cmp: cmp.into(), ..TagsFilter::default() };
        assert_eq!(
            invalid(&TagsFilter { key: "k".into(), ..TagsFilter::default() }),
            "root: a leaf needs a comparison (cmp)"
        );
        assert_eq!(
            invalid(&TagsFilter { cmp: "ex".into(), ..TagsFilter::default() }),
            "root: a leaf needs a tag key"
        );
        for cmp in SINGLE_VALUE {
            assert_eq!(invalid(&leaf(cmp)), format!("root: {cmp} needs val"));
            let both = TagsFilter { val: "v".into(), vals: vec!["v".into()], ..leaf(cmp) };
            assert_eq!(invalid(&both), format!("root: {cmp} takes val, not vals"));
            TagsFilter { val: "v".into(), ..leaf(cmp) }.validate().unwrap();
        }
        for cmp in MULTI_VALUE {
            assert_eq!(invalid(&leaf(cmp)), format!("root: {cmp} needs a non-empty vals"));
            let both = TagsFilter { val: "v".into(), vals: vec!["v".into()], ..leaf(cmp) };
            assert_eq!(invalid(&both), format!("root: {cmp} takes vals, not val"));
        }
        for cmp in NO_VALUE {
            leaf(cmp).validate().unwrap();
            let with_val = TagsFilter { val: "v".into(), ..leaf(cmp) };
            assert_eq!(invalid(&with_val), format!("root: {cmp} takes neither val nor vals"));
        }
        assert_eq!(invalid(&leaf("like")), r#"root: unknown comparison "like""#);
        assert_eq!(invalid(&TagsFilter::and(vec![])), "root: and needs at least one node");
        assert_eq!(invalid(&TagsFilter::or(vec![])), "root: or needs at least one node");
        let two = TagsFilter { nodes: vec![leaf("ex"), leaf("ex")], ..TagsFilter::not(leaf("ex")) };
        assert_eq!(invalid(&two), "root: not needs exactly one node, not 2");
        let xor = TagsFilter { op: "xor".into(), nodes: vec![leaf("ex")], ..TagsFilter::default() };
        assert_eq!(invalid(&xor), r#"root: unknown operation "xor" (expected and, or or not)"#);
        let deep = TagsFilter::and(vec![leaf("ex"), TagsFilter::or(vec![leaf("ex"), leaf("in")])]);
        assert_eq!(invalid(&deep), "root.nodes[1].nodes[1]: in needs a non-empty vals");
    }

    #[test]
    fn json_in_the_centrifuge_js_shape() {
        let filter = TagsFilter::from_json(
            r#"{"op":"and","nodes":[{"key":"ticker","cmp":"in","vals":["BTC","ETH"]},{"op":"","key":"price","cmp":"gt","val":"50000","vals":null,"nodes":null}]}"#,
        )
        .unwrap();
        assert_eq!(
            filter,
            TagsFilter::and(vec![
                TagsFilter::is_in("ticker", ["BTC", "ETH"]),
                TagsFilter::gt("price", "50000")
            ])
        );
        assert!(matches!(TagsFilter::from_json("[1]"), Err(FilterError::Json(_))));
        assert!(matches!(TagsFilter::from_json(r#"{"key":1}"#), Err(FilterError::Json(_))));
        let err = TagsFilter::from_json(r#"{"key":"k","cmp":"in","val":"x"}"#).unwrap_err();
        assert_eq!(err.to_string(), "root: in needs a non-empty vals");
    }
}
