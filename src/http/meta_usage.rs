//! Meta's usage headers (`X-App-Usage`, `X-Page-Usage`, `X-Business-Use-Case-Usage`), read
//! without building a JSON tree.
//!
//! Meta sends them on every Graph API answer
//! (<https://developers.facebook.com/docs/graph-api/overview/rate-limiting/>): the app and page
//! headers are one object `{"call_count":28,"total_cputime":25,"total_time":25}`, the
//! business use case header maps business ids to lists of such objects, each with
//! `estimated_time_to_regain_access` (minutes). Only four numbers are read, so the values are
//! visited in place: building a `serde_json::Value` of them cost a Facebook publish about 18k
//! instructions (`benches/publish.rs`).

use std::fmt;

use serde::Deserializer;
use serde::de::{self, Deserialize, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::ratelimit::max_opt;

/// (highest usage percentage, regain minutes) of one `X-App-Usage` / `X-Page-Usage` value;
/// `(None, None)` for anything but a JSON object.
pub(crate) fn app_usage(v: &str) -> (Option<f64>, Option<f64>) {
    match serde_json::from_str::<Item>(v) {
        Ok(Item(Some(usage))) => usage.pair(),
        _ => (None, None),
    }
}

/// (highest usage percentage, highest regain minutes) over every entry of one
/// `X-Business-Use-Case-Usage` value: `{"<business-id>":[{"type":"pages","call_count":100,…,
/// "estimated_time_to_regain_access":5}]}` (a single object in place of the list is read
/// too).
pub(crate) fn business_usage(v: &str) -> (Option<f64>, Option<f64>) {
    serde_json::from_str::<Business>(v).map_or((None, None), |b| (b.usage, b.regain))
}

/// The numbers of one usage object (the last value of a repeated key counts, as in a JSON
/// object read whole).
#[derive(Default)]
struct Usage {
    call_count: Option<f64>,
    total_cputime: Option<f64>,
    total_time: Option<f64>,
    regain: Option<f64>,
}

impl Usage {
    fn pair(&self) -> (Option<f64>, Option<f64>) {
        let usage = max_opt(
            max_opt(self.call_count, self.total_cputime),
            self.total_time,
        );
        (usage, self.regain)
    }
}

/// The keys of a usage object that are read.
enum Key {
    CallCount,
    TotalCputime,
    TotalTime,
    Regain,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "call_count" => Key::CallCount,
                    "total_cputime" => Key::TotalCputime,
                    "total_time" => Key::TotalTime,
                    "estimated_time_to_regain_access" => Key::Regain,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// A number given as a JSON number or a numeric string, finite and not negative; anything
/// else is `None` (and never an error).
struct Lenient(Option<f64>);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct LenientVisitor;
        impl<'de> Visitor<'de> for LenientVisitor {
            type Value = Option<f64>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Option<f64>, E> {
                Ok(Some(v as f64))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Option<f64>, E> {
                Ok(Some(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Option<f64>, E> {
                Ok(Some(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Option<f64>, E> {
                Ok(v.trim().parse::<f64>().ok())
            }
            fn visit_bool<E>(self, _: bool) -> Result<Option<f64>, E> {
                Ok(None)
            }
            fn visit_unit<E>(self) -> Result<Option<f64>, E> {
                Ok(None)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<f64>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(None)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<f64>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(None)
            }
        }
        let v = d.deserialize_any(LenientVisitor)?;
        Ok(Lenient(v.filter(|f| f.is_finite() && *f >= 0.0)))
    }
}

/// Reads a usage object's entries.
fn visit_usage<'de, A: MapAccess<'de>>(mut map: A) -> Result<Usage, A::Error> {
    let mut u = Usage::default();
    while let Some(key) = map.next_key::<Key>()? {
        match key {
            Key::CallCount => u.call_count = map.next_value::<Lenient>()?.0,
            Key::TotalCputime => u.total_cputime = map.next_value::<Lenient>()?.0,
            Key::TotalTime => u.total_time = map.next_value::<Lenient>()?.0,
            Key::Regain => u.regain = map.next_value::<Lenient>()?.0,
            Key::Other => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    Ok(u)
}

/// The business use case header, folded as it is read.
#[derive(Default)]
struct Business {
    usage: Option<f64>,
    regain: Option<f64>,
}

impl Business {
    fn add(&mut self, u: &Usage) {
        let (usage, regain) = u.pair();
        self.usage = max_opt(self.usage, usage);
        self.regain = max_opt(self.regain, regain);
    }
}

/// The `visit_*` methods of a visitor for which a number, a string, a boolean or `null` counts
/// for nothing: each returns `$none`.
macro_rules! ignore_scalars {
    ($value:ty, $none:expr) => {
        fn visit_u64<E>(self, _: u64) -> Result<$value, E> {
            Ok($none)
        }
        fn visit_i64<E>(self, _: i64) -> Result<$value, E> {
            Ok($none)
        }
        fn visit_f64<E>(self, _: f64) -> Result<$value, E> {
            Ok($none)
        }
        fn visit_str<E>(self, _: &str) -> Result<$value, E> {
            Ok($none)
        }
        fn visit_bool<E>(self, _: bool) -> Result<$value, E> {
            Ok($none)
        }
        fn visit_unit<E>(self) -> Result<$value, E> {
            Ok($none)
        }
    };
}

/// One entry of the business header (a list of usage objects, one usage object, or anything
/// else, which counts for nothing), folded into `into`.
struct Entry<'a>(&'a mut Business);

impl<'de> DeserializeSeed<'de> for Entry<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(EntryVisitor(self.0))
    }
}

struct EntryVisitor<'a>(&'a mut Business);

impl<'de> Visitor<'de> for EntryVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("usage objects")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let u = visit_usage(map)?;
        self.0.add(&u);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<Item>()? {
            if let Item(Some(u)) = item {
                self.0.add(&u);
            }
        }
        Ok(())
    }
    ignore_scalars!((), ());
}

/// One element of a list entry: a usage object, or anything else (nothing).
struct Item(Option<Usage>);

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ItemVisitor;
        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = Item;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a usage object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Item, A::Error> {
                visit_usage(map).map(|u| Item(Some(u)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Item, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Item(None))
            }
            ignore_scalars!(Item, Item(None));
        }
        d.deserialize_any(ItemVisitor)
    }
}

impl<'de> Deserialize<'de> for Business {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct BusinessVisitor;
        impl<'de> Visitor<'de> for BusinessVisitor {
            type Value = Business;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a business use case usage object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Business, A::Error> {
                let mut b = Business::default();
                while map.next_key::<IgnoredAny>()?.is_some() {
                    map.next_value_seed(Entry(&mut b))?;
                }
                Ok(b)
            }
        }
        d.deserialize_map(BusinessVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy as _;

    /// The former reading through `serde_json::Value`, kept as the reference.
    fn number(value: &serde_json::Value) -> Option<f64> {
        let f = match value {
            serde_json::Value::Number(n) => n.as_f64(),
            serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        }?;
        (f.is_finite() && f >= 0.0).then_some(f)
    }

    fn usage_object(obj: &serde_json::Value) -> (Option<f64>, Option<f64>) {
        let usage = ["call_count", "total_cputime", "total_time"]
            .iter()
            .filter_map(|k| obj.get(*k).and_then(number))
            .fold(None, |acc, x| max_opt(acc, Some(x)));
        let regain = obj.get("estimated_time_to_regain_access").and_then(number);
        (usage, regain)
    }

    fn reference_app(v: &str) -> (Option<f64>, Option<f64>) {
        match serde_json::from_str::<serde_json::Value>(v) {
            Ok(obj) if obj.is_object() => usage_object(&obj),
            _ => (None, None),
        }
    }

    fn reference_business(v: &str) -> (Option<f64>, Option<f64>) {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(v)
        else {
            return (None, None);
        };
        let (mut usage, mut regain) = (None, None);
        for entries in map.values() {
            let list: Vec<&serde_json::Value> = match entries {
                serde_json::Value::Array(a) => a.iter().collect(),
                obj @ serde_json::Value::Object(_) => vec![obj],
                _ => continue,
            };
            for entry in list {
                let (u, r) = usage_object(entry);
                usage = max_opt(usage, u);
                regain = max_opt(regain, r);
            }
        }
        (usage, regain)
    }

    const SAMPLES: &[&str] = &[
        r#"{"call_count":28,"total_time":25,"total_cputime":25}"#,
        r#"{"call_count":"28","total_time":" 7 ","total_cputime":-3,"x":[1,{"a":2}]}"#,
        r#"{"call_count":1e400,"total_time":null,"total_cputime":true}"#,
        r#"{"call_count":5,"call_count":2,"estimated_time_to_regain_access":4}"#,
        r#"{"123":[{"type":"pages","call_count":100,"total_cputime":3,"total_time":9,"estimated_time_to_regain_access":5}]}"#,
        r#"{"1":[{"call_count":10},{"call_count":30,"estimated_time_to_regain_access":2}],"2":{"total_time":50},"3":7,"4":[1,"a",null,[2],{"total_cputime":"60"}]}"#,
        r#"[1,2,3]"#,
        r#""text""#,
        r#"{"call_count":5"#,
        r#"{"call_count":5} trailing"#,
        "",
        "{}",
        r#"{"a\"b":1,"call_count":12}"#,
        r#"{"\u0063all_count":44}"#,
    ];

    #[test]
    fn agrees_with_reading_the_whole_json() {
        for s in SAMPLES {
            assert_eq!(app_usage(s), reference_app(s), "app {s}");
            assert_eq!(business_usage(s), reference_business(s), "business {s}");
        }
    }

    /// The one difference from reading the whole JSON: a business id given twice counts with
    /// both its entries (Meta never repeats one; counting both can only make the client wait
    /// longer, never less).
    #[test]
    fn a_repeated_business_id_counts_every_time() {
        let v = r#"{"1":[{"call_count":90}],"1":[{"call_count":10}]}"#;
        assert_eq!(business_usage(v), (Some(90.0), None));
        assert_eq!(reference_business(v), (Some(10.0), None));
    }

    proptest::proptest! {
        #[test]
        fn agrees_on_generated_values(
            // Keys once each: with a repeated key a JSON object read whole keeps only the last
            // value, while the business header is folded entry by entry (see
            // `a_repeated_business_id_counts_every_time`).
            keys in proptest::sample::subsequence(
                vec![
                    "call_count", "total_cputime", "total_time",
                    "estimated_time_to_regain_access", "type", "id",
                ],
                0..6,
            ).prop_shuffle(),
            values in proptest::collection::vec(
                proptest::sample::select(vec![
                    "1", "0", "-1", "99.5", "\"42\"", "\"x\"", "null", "true", "[1,2]",
                    "{\"call_count\":3}", "1e308", "\" 8 \"",
                ]),
                6,
            ),
            wrap in 0usize..3,
        ) {
            let body: Vec<String> = keys
                .iter()
                .zip(&values)
                .map(|(k, v)| format!("\"{k}\":{v}"))
                .collect();
            let object = format!("{{{}}}", body.join(","));
            let text = match wrap {
                0 => object,
                1 => format!("{{\"b1\":[{object},{object}]}}"),
                _ => format!("{{\"b1\":{object},\"b2\":[7,{object}]}}"),
            };
            proptest::prop_assert_eq!(app_usage(&text), reference_app(&text));
            proptest::prop_assert_eq!(business_usage(&text), reference_business(&text));
        }
    }
}
