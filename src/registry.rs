//! The entity registry (`entities/registry.yaml`): load, validate, resolve tombstones.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

/// A registry that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The registry file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The YAML does not parse or does not have the registry's shape.
    #[error("{path}:{line}: {message}")]
    Syntax {
        /// The registry file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A registry with no entity offered to tag an index whose items link
    /// registered entities: it would unlink them, all at once or one add at a time.
    #[error("{path} defines no entity: tagging with it would unlink items from the entities they link; fix the file, or build an index without entities with `dossier index`")]
    Empty {
        /// The registry file.
        path: String,
    },
    /// The registry parses but contradicts itself.
    #[error("{path}:{line}: entity `{key}`: {message}")]
    Invalid {
        /// The registry file.
        path: String,
        /// 1-based line of the entity's `key:`.
        line: usize,
        /// The entity key.
        key: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// One registry entity, as written. A field the engine does not know is refused
/// rather than ignored: a misspelled `aliases` would otherwise drop labels without
/// a word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    /// `type:slug`.
    pub key: String,
    /// actor, campaign, malware, tool, incident, report, trend, policy, product.
    #[serde(rename = "type")]
    pub kind: String,
    /// Display name; also a label the tagger matches.
    #[serde(deserialize_with = "label")]
    pub name: String,
    /// Other labels the tagger matches.
    #[serde(default, deserialize_with = "labels")]
    pub aliases: Vec<String>,
    /// Nexus (`iran-nexus`, …).
    #[serde(default)]
    pub nexus: Option<String>,
    /// One-paragraph summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// First date the source site covered it, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "date_string")]
    pub first_seen: Option<String>,
    /// Curated typed relations, each stored once.
    #[serde(default)]
    pub relations: Vec<Relation>,
    /// Canonical key when this entity is a tombstone.
    #[serde(default)]
    pub merged_into: Option<String>,
}

/// A curated edge between two entities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    /// Target entity key.
    pub to: String,
    /// uses, attributed-to, related-to, …
    #[serde(rename = "type")]
    pub kind: String,
    /// Id of the item that evidences the relation.
    #[serde(default)]
    pub source: Option<String>,
    /// Editor's note.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    /// The format version; this build reads [`SCHEMA`].
    #[serde(default)]
    schema: Option<u64>,
    /// `null` reads as none.
    #[serde(default)]
    entities: Option<Vec<Entity>>,
}

/// The registry format this build reads.
const SCHEMA: u64 = 1;

/// The validated registry: entities by key, tombstones resolved.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    entities: Vec<Entity>,
    by_key: HashMap<String, usize>,
    /// Non-fatal findings (alias collisions), for the operator.
    pub warnings: Vec<String>,
    /// A hash of the registry text: caches of derived pages keep apart what two
    /// registries would show differently.
    version: u64,
}

impl Registry {
    /// Equal for registries parsed from the same text.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Reads and validates a registry file.
    pub fn load(path: &Path) -> Result<Registry, RegistryError> {
        let text = std::fs::read_to_string(path).map_err(|source| RegistryError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Registry::parse(&path.display().to_string(), &text)
    }

    /// Parses and validates registry text; `path` names it in errors.
    pub fn parse(path: &str, text: &str) -> Result<Registry, RegistryError> {
        // A byte-order mark is an editor's habit; YAML would read a document before it.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let file: RegistryFile =
            serde_yaml_ng::from_str(text).map_err(|error| RegistryError::Syntax {
                path: path.to_string(),
                line: error.location().map_or(1, |location| location.line()),
                message: error.to_string(),
            })?;
        let invalid = |key: &str, message: String| RegistryError::Invalid {
            path: path.to_string(),
            line: line_of_key(text, key),
            key: key.to_string(),
            message,
        };

        if let Some(schema) = file.schema.filter(|&schema| schema != SCHEMA) {
            return Err(RegistryError::Syntax {
                path: path.to_string(),
                line: line_of_field(text, "schema:"),
                message: format!("schema {schema} is not one this build reads (schema {SCHEMA})"),
            });
        }

        let mut registry = Registry::default();
        let entities = file.entities.unwrap_or_default();
        for entity in entities {
            if let Some(problem) = problem(&entity, &registry) {
                return Err(invalid(&entity.key, problem));
            }
            registry
                .by_key
                .insert(entity.key.clone(), registry.entities.len());
            registry.entities.push(entity);
        }
        registry.check_tombstones(&invalid)?;
        registry.warnings = registry.alias_collisions();
        registry.warnings.extend(registry.dangling_relations());
        if registry.entities.is_empty() {
            registry
                .warnings
                .push("the registry defines no entity: nothing will be tagged".to_string());
        }
        registry.version = {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            std::hash::Hash::hash(text, &mut hasher);
            std::hash::Hasher::finish(&hasher)
        };
        Ok(registry)
    }

    fn check_tombstones(
        &self,
        invalid: &dyn Fn(&str, String) -> RegistryError,
    ) -> Result<(), RegistryError> {
        for entity in &self.entities {
            let Some(target) = &entity.merged_into else {
                continue;
            };
            match self.get(target) {
                _ if *target == entity.key => {
                    return Err(invalid(&entity.key, "merged_into names the entity itself; point it at the canonical entity".into()))
                }
                None => return Err(invalid(&entity.key, format!("merged_into `{target}` names no entity"))),
                Some(canonical) if canonical.merged_into.is_some() => {
                    return Err(invalid(
                        &entity.key,
                        format!("merged_into `{target}` is itself a tombstone; point it at the canonical entity"),
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// A relation to a key the registry does not define shows on the entity's page
    /// as a bare key that leads nowhere: a typo, or an entity not registered yet.
    /// A warning, as a shared label is: the relation is still shown.
    fn dangling_relations(&self) -> Vec<String> {
        self.live()
            .flat_map(|entity| {
                entity
                    .relations
                    .iter()
                    .filter(|relation| self.get(&relation.to).is_none())
                    .map(|relation| {
                        format!(
                            "{}: relation `{}` to `{}` names no entity",
                            entity.key, relation.kind, relation.to
                        )
                    })
            })
            .collect()
    }

    /// Two live entities sharing a label make every match of it ambiguous. This is a
    /// warning rather than an error: the registry is edited by people and an
    /// ingest should not stop for it; the tagger links both entities.
    fn alias_collisions(&self) -> Vec<String> {
        let mut owners: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for entity in self.live() {
            for label in entity.labels() {
                let owners = owners.entry(label.to_lowercase()).or_default();
                if !owners.contains(&entity.key.as_str()) {
                    owners.push(&entity.key);
                }
            }
        }
        owners
            .into_iter()
            .filter(|(_, keys)| keys.len() > 1)
            .map(|(label, keys)| {
                format!(
                    "label `{label}` belongs to {}; both are linked",
                    keys.join(" and ")
                )
            })
            .collect()
    }

    /// The entity with this exact key, tombstone or not.
    pub fn get(&self, key: &str) -> Option<&Entity> {
        self.by_key.get(key).map(|&at| &self.entities[at])
    }

    /// The canonical key for a key: a tombstone forwards, anything else is itself.
    pub fn canonical<'a>(&'a self, key: &'a str) -> &'a str {
        match self
            .get(key)
            .and_then(|entity| entity.merged_into.as_deref())
        {
            Some(target) => target,
            None => key,
        }
    }

    /// The live entities `text` names: a name or alias written in another case or
    /// with hyphens for spaces (`qilin`, `World-Leaks`), or a key's slug without its
    /// type (`apt42`). What to offer someone who typed a name where a key goes.
    pub fn named(&self, text: &str) -> Vec<&Entity> {
        let wanted = loose(text);
        if wanted.is_empty() {
            return Vec::new();
        }
        self.live()
            .filter(|entity| {
                let slug = key_parts(&entity.key).map(|(_, slug)| slug);
                entity.labels().any(|label| loose(label) == wanted)
                    || slug.is_some_and(|slug| loose(slug) == wanted)
            })
            .collect()
    }

    /// The live entities `text` may have meant when [`Registry::named`] finds
    /// nothing, best first, at most [`NEAR_SHOWN`]: a key's slug cut short
    /// (`instructure-canvas` for `instructure-canvas-breach-2026`), or a name,
    /// alias or slug misspelt by a letter or two (`quilin`, `muddywatter`). A
    /// merged entity's spellings lead to the entity it was merged into.
    ///
    /// Words of four to seven letters may be one edit away (a swap of two letters
    /// is one), longer ones two; shorter ones are too close to everything. Digits
    /// must be the same: `apt28` is not a misspelt `apt29`.
    pub fn near(&self, text: &str) -> Vec<&Entity> {
        let wanted = loose(text);
        let length = wanted.chars().count();
        let budget = match length {
            0..=3 => return Vec::new(),
            4..=7 => 1,
            _ => 2,
        };
        let digits = |text: &str| {
            text.chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
        };
        let wanted_digits = digits(&wanted);
        let rank = |spelling: &str, is_slug: bool| -> Option<usize> {
            let spelling = loose(spelling);
            let cut_short = is_slug
                && spelling
                    .strip_prefix(wanted.as_str())
                    .is_some_and(|rest| rest.starts_with(' '));
            if cut_short {
                return Some(1);
            }
            // The length check first: it spares the distance of every spelling
            // that cannot be near, and of a pasted paragraph against all of them.
            let near = spelling.chars().count().abs_diff(length) <= budget
                && digits(&spelling) == wanted_digits;
            near.then(|| strsim::damerau_levenshtein(&spelling, &wanted))
                .filter(|distance| *distance <= budget)
        };

        let mut found: Vec<(usize, &Entity)> = Vec::new();
        for entity in &self.entities {
            let slug = key_parts(&entity.key).map(|(_, slug)| slug);
            let best = entity
                .labels()
                .map(|label| rank(label, false))
                .chain(slug.map(|slug| rank(slug, true)))
                .flatten()
                .min();
            let meant = self.get(self.canonical(&entity.key));
            if let (Some(best), Some(meant)) = (best, meant) {
                found.push((best, meant));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.key.cmp(&b.1.key)));
        let mut near: Vec<&Entity> = Vec::new();
        for (_, entity) in found {
            if !near.iter().any(|kept| kept.key == entity.key) {
                near.push(entity);
            }
        }
        near.truncate(NEAR_SHOWN);
        near
    }

    /// Every entity that is not a tombstone.
    pub fn live(&self) -> impl Iterator<Item = &Entity> {
        self.entities
            .iter()
            .filter(|entity| entity.merged_into.is_none())
    }

    /// Every entity, tombstones included, in file order.
    pub fn all(&self) -> &[Entity] {
        &self.entities
    }

    /// Number of entities, tombstones included.
    pub fn len(&self) -> usize {
        self.entities.len()
    }

    /// `true` when the registry has no entity.
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }
}

impl Entity {
    /// The name and the aliases.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// Most suggestions [`Registry::near`] makes.
pub const NEAR_SHOWN: usize = 3;

/// `text` lower-cased with its hyphens and runs of spaces as one space.
fn loose(text: &str) -> String {
    text.to_lowercase()
        .split([' ', '-'])
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The type and slug of an entity key written `type:slug`: both non-empty, the
/// type of lower-case letters, digits and `-`, no white space anywhere.
pub fn key_parts(key: &str) -> Option<(&str, &str)> {
    let (prefix, slug) = key.split_once(':')?;
    let type_ok = !prefix.is_empty()
        && prefix
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-');
    let slug_ok = !slug.is_empty() && !slug.contains(char::is_whitespace);
    (type_ok && slug_ok).then_some((prefix, slug))
}

/// What is wrong with one entity on its own or beside those read before it.
fn problem(entity: &Entity, registry: &Registry) -> Option<String> {
    let Some((prefix, _)) = key_parts(&entity.key) else {
        return Some("a key is `type:slug`".into());
    };
    if registry.by_key.contains_key(&entity.key) {
        return Some("the key is defined twice; keep one definition".into());
    }
    if entity.kind != prefix {
        return Some(format!(
            "type `{}` differs from the key's `{prefix}`; they must agree",
            entity.kind
        ));
    }
    if entity.name.trim().is_empty() {
        return Some("the name is empty; every entity needs one (it is also a label)".into());
    }
    if let Some(problem) = entity.labels().find_map(label_problem) {
        return Some(problem);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match &entity.first_seen {
        Some(date) if time::Date::parse(date, &format).is_err() => {
            Some(format!("first_seen `{date}` is not a date; use YYYY-MM-DD"))
        }
        _ => None,
    }
}

/// Longest name or alias, in characters. The longest of the real registry has 96;
/// a label of thousands took the tagger's automaton seconds to minutes to build,
/// at every start of the server and every reload.
pub const MAX_LABEL_CHARS: usize = 200;

/// What makes a name or alias no label: too long, or nothing to match (an empty
/// alias, or one of punctuation alone).
fn label_problem(label: &str) -> Option<String> {
    let length = label.chars().count();
    if length > MAX_LABEL_CHARS {
        let start: String = label.chars().take(40).collect();
        return Some(format!(
            "the label `{start}…` is {length} characters long; a name or alias is at most {MAX_LABEL_CHARS}"
        ));
    }
    if !label.chars().any(char::is_alphanumeric) {
        return Some(format!(
            "the label `{label}` has no letter or digit, so it names nothing; remove it"
        ));
    }
    None
}

/// The line of the first line starting with `field`, 1-based; 1 when none does.
fn line_of_field(text: &str, field: &str) -> usize {
    text.lines()
        .position(|line| line.starts_with(field))
        .map_or(1, |at| at + 1)
}

/// A name or alias: YAML text, quoted or not, but not a number, a boolean or a
/// null, which YAML reads as something else (`aliases: [12345, true, null]` made
/// labels of "12345", "true" and "null", and `name: 42` linked every "42").
fn label<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    text_of(serde_yaml_ng::Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)
}

fn labels<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let values: Option<Vec<serde_yaml_ng::Value>> = Option::deserialize(deserializer)?;
    values
        .unwrap_or_default()
        .into_iter()
        .map(text_of)
        .collect::<Result<_, _>>()
        .map_err(serde::de::Error::custom)
}

fn text_of(value: serde_yaml_ng::Value) -> Result<String, String> {
    match value {
        serde_yaml_ng::Value::String(text) => Ok(text),
        other => Err(format!(
            "a name or alias must be text, not {}; quote it (\"{}\")",
            yaml_kind(&other),
            serde_yaml_ng::to_string(&other).unwrap_or_default().trim()
        )),
    }
}

fn yaml_kind(value: &serde_yaml_ng::Value) -> &'static str {
    match value {
        serde_yaml_ng::Value::Null => "null",
        serde_yaml_ng::Value::Bool(_) => "a boolean",
        serde_yaml_ng::Value::Number(_) => "a number",
        serde_yaml_ng::Value::String(_) => "text",
        serde_yaml_ng::Value::Sequence(_) => "a list",
        serde_yaml_ng::Value::Mapping(_) => "a mapping",
        serde_yaml_ng::Value::Tagged(_) => "a tagged value",
    }
}

/// `first_seen` is written as a bare YAML date or a string; keep the text.
fn date_string<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let value: Option<serde_yaml_ng::Value> = Option::deserialize(deserializer)?;
    Ok(match value {
        Some(serde_yaml_ng::Value::String(text)) => Some(text),
        Some(serde_yaml_ng::Value::Number(number)) => Some(number.to_string()),
        _ => None,
    })
}

fn line_of_key(text: &str, key: &str) -> usize {
    let quoted = format!("\"{key}\"");
    text.lines()
        .position(|line| {
            let line = line.trim_start().trim_start_matches("- ");
            line.strip_prefix("key:").is_some_and(|value| {
                let value = value.trim();
                value == key || value == quoted
            })
        })
        .map_or(1, |at| at + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "schema: 1\nentities:\n  - key: \"actor:a\"\n    type: actor\n    name: \"Alpha\"\n    aliases: [\"Al One\"]\n    first_seen: 2026-05-06\n  - key: \"actor:old\"\n    type: actor\n    name: \"Old\"\n    merged_into: \"actor:a\"\n";

    #[test]
    fn tombstones_forward_to_their_canonical_key() {
        let registry = Registry::parse("r.yaml", GOOD).unwrap();
        assert_eq!(registry.canonical("actor:old"), "actor:a");
        assert_eq!(registry.canonical("actor:a"), "actor:a");
        assert_eq!(registry.canonical("product:x"), "product:x");
        assert_eq!(registry.live().count(), 1);
        assert_eq!(
            registry.get("actor:a").unwrap().first_seen.as_deref(),
            Some("2026-05-06")
        );
    }

    #[test]
    fn duplicate_keys_are_named_with_their_line() {
        let text = format!("{GOOD}  - key: \"actor:a\"\n    type: actor\n    name: \"Again\"\n");
        let error = Registry::parse("r.yaml", &text).unwrap_err().to_string();
        assert_eq!(
            error,
            "r.yaml:3: entity `actor:a`: the key is defined twice; keep one definition"
        );
    }

    #[test]
    fn labels_are_text_of_a_name_s_length_with_a_letter_or_digit() {
        let with_aliases =
            |aliases: &str| GOOD.replace("aliases: [\"Al One\"]", &format!("aliases: {aliases}"));
        for (aliases, expected) in [
            (
                "[12345]",
                "a name or alias must be text, not a number; quote it (\"12345\")",
            ),
            (
                "[\"x\", true]",
                "a name or alias must be text, not a boolean; quote it (\"true\")",
            ),
            ("[null]", "a name or alias must be text, not null"),
        ] {
            let error = Registry::parse("r.yaml", &with_aliases(aliases)).unwrap_err();
            assert!(
                error.to_string().starts_with("r.yaml:3: ") && error.to_string().contains(expected),
                "{aliases}: {error}"
            );
        }
        let numbered = GOOD.replace("name: \"Alpha\"", "name: 42");
        let error = Registry::parse("r.yaml", &numbered)
            .unwrap_err()
            .to_string();
        assert!(error.contains("not a number; quote it (\"42\")"), "{error}");
        assert!(
            Registry::parse("r.yaml", &GOOD.replace("name: \"Alpha\"", "name: \"42\"")).is_ok()
        );

        let long = format!("[\"{}\"]", "q".repeat(MAX_LABEL_CHARS + 1));
        let error = Registry::parse("r.yaml", &with_aliases(&long))
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("r.yaml:3: entity `actor:a`: the label `qqqq"),
            "{error}"
        );
        assert!(
            error.ends_with("is 201 characters long; a name or alias is at most 200"),
            "{error}"
        );
        let longest = format!("[\"{}\"]", "q".repeat(MAX_LABEL_CHARS));
        assert!(Registry::parse("r.yaml", &with_aliases(&longest)).is_ok());

        for empty in ["[\"\"]", "[\"  \"]", "[\"-\"]"] {
            let error = Registry::parse("r.yaml", &with_aliases(empty))
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("has no letter or digit, so it names nothing"),
                "{empty}: {error}"
            );
        }
    }

    #[test]
    fn a_relation_to_no_entity_warns_and_a_self_merge_is_refused() {
        let related = GOOD.replace(
            "    first_seen: 2026-05-06\n",
            "    first_seen: 2026-05-06\n    relations:\n      - to: \"tool:nowhere\"\n        type: uses\n",
        );
        let registry = Registry::parse("r.yaml", &related).unwrap();
        assert_eq!(
            registry.warnings,
            ["actor:a: relation `uses` to `tool:nowhere` names no entity"]
        );
        let itself = GOOD.replace("merged_into: \"actor:a\"", "merged_into: \"actor:old\"");
        let error = Registry::parse("r.yaml", &itself).unwrap_err().to_string();
        assert!(
            error
                .ends_with("merged_into names the entity itself; point it at the canonical entity"),
            "{error}"
        );
    }

    #[test]
    fn a_byte_order_mark_is_read_past() {
        let registry = Registry::parse("r.yaml", &format!("\u{feff}{GOOD}")).unwrap();
        assert_eq!(registry.len(), 2);
    }

    #[test]
    fn dangling_and_chained_merges_are_errors() {
        let dangling = GOOD.replace("merged_into: \"actor:a\"", "merged_into: \"actor:zz\"");
        let error = Registry::parse("r.yaml", &dangling)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`actor:old`") && error.contains("names no entity"),
            "{error}"
        );

        let chained = format!("{GOOD}  - key: \"actor:older\"\n    type: actor\n    name: \"Older\"\n    merged_into: \"actor:old\"\n");
        let error = Registry::parse("r.yaml", &chained).unwrap_err().to_string();
        assert!(
            error.starts_with("r.yaml:12: entity `actor:older`")
                && error.contains("itself a tombstone"),
            "{error}"
        );
    }

    #[test]
    fn alias_collisions_warn() {
        let text = format!("{GOOD}  - key: \"actor:b\"\n    type: actor\n    name: \"Beta\"\n    aliases: [\"al one\"]\n");
        let registry = Registry::parse("r.yaml", &text).unwrap();
        assert_eq!(
            registry.warnings,
            ["label `al one` belongs to actor:a and actor:b; both are linked"]
        );
    }

    #[test]
    fn mistakes_that_would_pass_silently_are_named_with_their_line() {
        let error = |text: &str| Registry::parse("r.yaml", text).unwrap_err().to_string();
        let misspelled = GOOD.replace("aliases:", "alises:");
        let found = error(&misspelled);
        assert!(
            found.starts_with("r.yaml:6:") && found.contains("unknown field `alises`"),
            "{found}"
        );
        let found = error(&GOOD.replace("schema: 1", "schema: 2"));
        assert!(
            found.starts_with("r.yaml:1:")
                && found.contains("schema 2 is not one this build reads"),
            "{found}"
        );
        let found = error(&GOOD.replace("name: \"Alpha\"", "name: \"\""));
        assert!(
            found.starts_with("r.yaml:3: entity `actor:a`") && found.contains("the name is empty"),
            "{found}"
        );
        let found = error(&GOOD.replace(
            "type: actor\n    name: \"Alpha\"",
            "type: malware\n    name: \"Alpha\"",
        ));
        assert!(
            found.contains("type `malware` differs from the key's `actor`"),
            "{found}"
        );
        let found = error(&GOOD.replace("2026-05-06", "2026-13-45"));
        assert!(
            found.contains("first_seen `2026-13-45` is not a date"),
            "{found}"
        );
        let found = error(&GOOD.replace("key: \"actor:a\"", "key: \"actor:\""));
        assert!(found.contains("a key is `type:slug`"), "{found}");

        let empty = Registry::parse("r.yaml", "schema: 1\nentities:\n").unwrap();
        assert!(empty.is_empty());
        assert_eq!(
            empty.warnings,
            ["the registry defines no entity: nothing will be tagged"]
        );
    }

    #[test]
    fn broken_yaml_names_the_line() {
        let error = Registry::parse("r.yaml", "entities:\n  - key: [\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("r.yaml:"), "{error}");
    }
}
