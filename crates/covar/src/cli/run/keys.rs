//! The keys of the `--config` file, and the nearest one to a typo.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::config::RunConfig;

/// The keys a configuration file may hold, as serde names them (the
/// fields of [`RunConfig`] in kebab case), in declaration order.
pub fn keys() -> &'static [&'static str] {
    struct_fields::<RunConfig>()
}

/// The field names of a struct deriving `Deserialize`: the list serde's
/// derive hands to `deserialize_struct`, caught by a deserializer that
/// reads nothing.
fn struct_fields<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    /// Records the fields and stops.
    struct Fields(&'static [&'static str]);
    impl<'de> Deserializer<'de> for &mut Fields {
        type Error = de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("only a struct's field names are read"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = fields;
            self.deserialize_any(visitor)
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    let mut fields = Fields(&[]);
    let _ = T::deserialize(&mut fields);
    fields.0
}

/// The key of `keys` nearest to `word`, if one is near enough to be what
/// was meant: the same once `_` is read as `-` and case is ignored, or at
/// most two edits away (one for words of up to four letters).
pub fn did_you_mean<'a>(word: &str, keys: &[&'a str]) -> Option<&'a str> {
    let norm = word.to_ascii_lowercase().replace('_', "-");
    if let Some(k) = keys.iter().find(|k| **k == norm) {
        return Some(k);
    }
    let limit = if norm.chars().count() <= 4 { 1 } else { 2 };
    keys.iter()
        .map(|k| (edit_distance(&norm, k), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance (insertions, deletions, substitutions).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diag + usize::from(ca != *cb));
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_config_fields_in_kebab_case() {
        let k = keys();
        for want in [
            "preset",
            "t-end",
            "energy-every",
            "checkpoint-every",
            "leaf-size",
        ] {
            assert!(k.contains(&want), "{want} missing from {k:?}");
        }
        // Every key is accepted by the parser.
        for key in k {
            let text = format!("{key} = 1\n");
            let e = toml::from_str::<RunConfig>(&text)
                .err()
                .map(|e| e.to_string());
            assert!(
                !e.as_deref().unwrap_or("").contains("unknown field"),
                "{key}: {e:?}"
            );
        }
    }

    #[test]
    fn typos_find_their_key() {
        let k = keys();
        assert_eq!(did_you_mean("snapshot_every", k), Some("snapshot-every"));
        assert_eq!(did_you_mean("dtt", k), Some("dt"));
        assert_eq!(did_you_mean("Softening", k), Some("softening"));
        assert_eq!(did_you_mean("integrater", k), Some("integrator"));
        assert_eq!(did_you_mean("tend", k), Some("t-end"));
        assert_eq!(did_you_mean("frobnicate", k), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
