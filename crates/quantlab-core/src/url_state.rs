//! Lab state ⇄ URL query string, through serde.
//!
//! A lab's state is one flat-ish serde struct (its fields, plus the fields of any nested
//! struct such as [`crate::Scheme`], become query parameters of the same name). Encoding
//! uses `form_urlencoded`; decoding is typed by the struct's own default value, so
//! `bits=8` becomes a number because `bits` is a number in the default, and a value that
//! does not fit its field (`bits=abc`, `mode=banana`) is dropped with a warning and the
//! default kept. Unknown parameters are ignored, so links survive new and old versions.
//!
//! A nested struct whose field name ends with a dot (`#[serde(rename = "cmp.")]`) keeps its
//! own namespace: its fields are written with that prefix (`cmp.bits=8`), so a state can
//! hold two structs of the same type (the Signal lab's second scheme in compare mode).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Encodes `state` as a query string (without the leading `?`).
///
/// Fields of nested structs are written at the top level; `None` fields are omitted.
pub fn to_query<T: Serialize>(state: &T) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    if let Ok(Value::Object(map)) = serde_json::to_value(state) {
        write_pairs(&map, "", &mut ser);
    }
    ser.finish()
}

fn write_pairs(
    map: &Map<String, Value>,
    prefix: &str,
    ser: &mut form_urlencoded::Serializer<'_, String>,
) {
    for (k, v) in map {
        match v {
            Value::Object(inner) if k.ends_with('.') => {
                write_pairs(inner, &format!("{prefix}{k}"), ser)
            }
            Value::Object(inner) => write_pairs(inner, prefix, ser),
            Value::Null => {}
            Value::String(s) => {
                ser.append_pair(&format!("{prefix}{k}"), s);
            }
            other => {
                ser.append_pair(&format!("{prefix}{k}"), &other.to_string());
            }
        }
    }
}

/// Decodes a query string (with or without the leading `?`) into `T`, starting from
/// `T::default()`. Returns the state and one warning per parameter that was ignored
/// because its value did not fit.
pub fn from_query<T>(query: &str) -> (T, Vec<String>)
where
    T: Serialize + DeserializeOwned + Default,
{
    let query = query.strip_prefix('?').unwrap_or(query);
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let Ok(Value::Object(template)) = serde_json::to_value(T::default()) else {
        return (T::default(), Vec::new());
    };
    let mut state = Value::Object(template.clone());
    let mut warnings = Vec::new();
    for (key, raw) in pairs {
        let Some(path) = find_path(&template, &key) else {
            continue;
        };
        let Some(kind) = lookup(&template, &path) else {
            continue;
        };
        let Some(parsed) = parse_like(kind, &raw) else {
            warnings.push(format!("ignored {key}={raw}: not a valid value"));
            continue;
        };
        let mut candidate = state.clone();
        set(&mut candidate, &path, parsed);
        if serde_json::from_value::<T>(candidate.clone()).is_ok() {
            state = candidate;
        } else {
            warnings.push(format!("ignored {key}={raw}: not a valid value"));
        }
    }
    match serde_json::from_value(state) {
        Ok(v) => (v, warnings),
        Err(e) => {
            warnings.push(format!("could not read the link: {e}"));
            (T::default(), warnings)
        }
    }
}

/// The path of `key` in the template: itself at the top, or inside a nested object.
fn find_path(map: &Map<String, Value>, key: &str) -> Option<Vec<String>> {
    if let Some(v) = map.get(key)
        && !v.is_object()
    {
        return Some(vec![key.to_string()]);
    }
    for (k, v) in map {
        let Value::Object(inner) = v else { continue };
        // A prefixed namespace (`cmp.`) only takes keys that carry its prefix.
        let rest_key = if k.ends_with('.') {
            match key.strip_prefix(k.as_str()) {
                Some(rest) => rest,
                None => continue,
            }
        } else {
            key
        };
        if let Some(mut rest) = find_path(inner, rest_key) {
            rest.insert(0, k.clone());
            return Some(rest);
        }
    }
    None
}

fn lookup<'a>(map: &'a Map<String, Value>, path: &[String]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let v = map.get(first)?;
    if rest.is_empty() {
        Some(v)
    } else {
        lookup(v.as_object()?, rest)
    }
}

fn set(value: &mut Value, path: &[String], new: Value) {
    let mut cur = value;
    for key in path {
        let Some(next) = cur.as_object_mut().and_then(|m| m.get_mut(key)) else {
            return;
        };
        cur = next;
    }
    *cur = new;
}

/// Parses `raw` as the same JSON type as `like`.
fn parse_like(like: &Value, raw: &str) -> Option<Value> {
    match like {
        Value::Bool(_) => match raw {
            "true" | "1" => Some(Value::Bool(true)),
            "false" | "0" => Some(Value::Bool(false)),
            _ => None,
        },
        Value::Number(n) if n.is_u64() => raw.parse::<u64>().ok().map(Value::from),
        Value::Number(n) if n.is_i64() => raw.parse::<i64>().ok().map(Value::from),
        Value::Number(_) => raw
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Value::from),
        // Strings, and optional fields that default to null, take the raw text.
        _ => Some(Value::String(raw.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::scheme::Scheme;
    use crate::quant::types::Mode;
    use serde::Deserialize;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(default)]
    struct Demo {
        lab: String,
        n: u32,
        amp: f64,
        flag: bool,
        scheme: Scheme,
    }

    impl Default for Demo {
        fn default() -> Self {
            Demo {
                lab: "signal".into(),
                n: 1024,
                amp: 1.0,
                flag: false,
                scheme: Scheme::default(),
            }
        }
    }

    #[test]
    fn a_state_survives_the_round_trip() {
        let mut s = Demo {
            n: 77,
            amp: 0.25,
            flag: true,
            ..Demo::default()
        };
        s.scheme.bits = 3;
        s.scheme.mode = Mode::MidRise;
        let q = to_query(&s);
        assert!(q.contains("bits=3"));
        assert!(q.contains("mode=mid-rise"));
        let (back, warnings) = from_query::<Demo>(&q);
        assert_eq!(back, s);
        assert!(warnings.is_empty());
    }

    #[test]
    fn bad_values_keep_the_default_and_warn() {
        let (s, w) = from_query::<Demo>("?n=abc&mode=banana&bits=4&amp=NaN&zzz=1");
        assert_eq!(s.n, 1024);
        assert_eq!(s.scheme.mode, Mode::Asym);
        assert_eq!(s.scheme.bits, 4);
        assert_eq!(s.amp, 1.0);
        assert_eq!(w.len(), 3);
    }

    #[test]
    fn an_empty_query_is_the_default_state() {
        assert_eq!(from_query::<Demo>("").0, Demo::default());
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
    #[serde(default)]
    struct Two {
        scheme: Scheme,
        #[serde(rename = "cmp.")]
        cmp: Scheme,
    }

    #[test]
    fn a_prefixed_namespace_holds_a_second_struct_of_the_same_type() {
        let mut s = Two::default();
        s.scheme.bits = 3;
        s.cmp.bits = 8;
        s.cmp.mode = Mode::Sym;
        let q = to_query(&s);
        assert!(q.contains("&bits=3") || q.starts_with("bits=3"), "{q}");
        assert!(q.contains("cmp.bits=8"), "{q}");
        assert!(q.contains("cmp.mode=sym"), "{q}");
        let (back, warnings) = from_query::<Two>(&q);
        assert_eq!(back, s);
        assert!(warnings.is_empty());
        // Unprefixed keys never reach the prefixed struct, and the reverse.
        let (only, _) = from_query::<Two>("bits=5");
        assert_eq!(
            (only.scheme.bits, only.cmp.bits),
            (5, Scheme::default().bits)
        );
        let (only, _) = from_query::<Two>("cmp.bits=6");
        assert_eq!(
            (only.scheme.bits, only.cmp.bits),
            (Scheme::default().bits, 6)
        );
    }
}
