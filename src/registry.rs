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

/// One registry entity, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Entity {
    /// `type:slug`.
    pub key: String,
    /// actor, campaign, malware, tool, incident, report, trend, policy, product.
    #[serde(rename = "type")]
    pub kind: String,
    /// Display name; also a label the tagger matches.
    pub name: String,
    /// Other labels the tagger matches.
    #[serde(default)]
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
struct RegistryFile {
    entities: Vec<Entity>,
}

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

        let mut registry = Registry::default();
        for entity in file.entities {
            if registry.by_key.contains_key(&entity.key) {
                return Err(invalid(
                    &entity.key,
                    "the key is defined twice; keep one definition".into(),
                ));
            }
            if !entity.key.contains(':') {
                return Err(invalid(&entity.key, "a key is `type:slug`".into()));
            }
            registry
                .by_key
                .insert(entity.key.clone(), registry.entities.len());
            registry.entities.push(entity);
        }
        registry.check_tombstones(&invalid)?;
        registry.warnings = registry.alias_collisions();
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
    fn broken_yaml_names_the_line() {
        let error = Registry::parse("r.yaml", "entities:\n  - key: [\n")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("r.yaml:"), "{error}");
    }
}
