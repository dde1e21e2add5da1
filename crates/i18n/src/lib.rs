//! Every text a person reads, in Simplified Chinese and English, from message catalogues.
//!
//! A text is a [`Message`]: one of the catalogue's ids ([`Msg`], the one list of them) with
//! its arguments, rendered in a [`Lang`] by [`Message::text`]. The catalogues are Fluent files
//! (`locales/zh/*.ftl`, `locales/en/*.ftl`, built into the binary), so a text can take
//! parameters and plural forms; a day is written as people write it in each language
//! (`2023年10月7日`, `2023-10-07`). A test fails when a message lacks either language, when
//! a catalogue holds an id the code does not know, or when the two languages take different
//! parameters.
//!
//! Pure: no I/O. The domain's errors render their texts from here, the API picks the language
//! of each answer (`Lang::negotiate`), the exports and the console theirs.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};
use unic_langid::langid;

mod msg;

pub use msg::Msg;

/// A language a text is written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// 中文 (the default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The language an `Accept-Language` header asks for first among those there are; Chinese
    /// when it names neither (or there is none).
    pub fn negotiate(accept_language: Option<&str>) -> Lang {
        let Some(header) = accept_language else {
            return Lang::default();
        };
        let mut asked: Vec<(f32, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(position, item)| {
                let mut parts = item.split(';');
                let tag = parts.next()?.trim().to_ascii_lowercase();
                let quality = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                let lang = match tag.split('-').next()? {
                    "zh" => Lang::Zh,
                    "en" => Lang::En,
                    _ => return None,
                };
                (quality > 0.0).then_some((quality, position, lang))
            })
            .collect();
        // The highest quality first; among equals, the one written first.
        asked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        asked.first().map_or(Lang::default(), |(_, _, lang)| *lang)
    }

    /// How a day is written in a text: `2023年10月7日` in Chinese, `2023-10-07` in English
    /// (unambiguous wherever the reader is).
    pub fn day(self, day: NaiveDate) -> String {
        match self {
            Lang::Zh => format!("{}年{}月{}日", day.year(), day.month(), day.day()),
            Lang::En => day.format("%Y-%m-%d").to_string(),
        }
    }

    /// How the items of a list are joined: `、` or `, `.
    pub fn separator(self) -> &'static str {
        match self {
            Lang::Zh => "、",
            Lang::En => ", ",
        }
    }
}

/// A value that is not one of the allowed choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownLang(pub String);

impl fmt::Display for UnknownLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not one of zh, en", self.0)
    }
}

impl std::error::Error for UnknownLang {}

impl FromStr for Lang {
    type Err = UnknownLang;

    fn from_str(value: &str) -> Result<Self, UnknownLang> {
        match value {
            "zh" => Ok(Lang::Zh),
            "en" => Ok(Lang::En),
            _ => Err(UnknownLang(value.to_string())),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An argument of a message. Kept (as JSON) with what it describes, e.g. a review finding in
/// the read model: `{"text": "…"}`, `{"int": 3}`, `{"day": "2023-10-07"}`, `{"message": …}`,
/// `{"list": […]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arg {
    /// Text given as it is (a name, a field, a reference).
    Text(String),
    /// A whole number (counts choose their plural form by it).
    Int(i64),
    /// A day, written as each language writes days.
    Day(NaiveDate),
    /// Another message, rendered in the same language.
    Message(Box<Message>),
    /// Several messages, joined as the language joins a list.
    List(Vec<Message>),
}

impl From<&str> for Arg {
    fn from(text: &str) -> Self {
        Arg::Text(text.to_string())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Self {
        Arg::Text(text)
    }
}

impl From<NaiveDate> for Arg {
    fn from(day: NaiveDate) -> Self {
        Arg::Day(day)
    }
}

impl From<Message> for Arg {
    fn from(message: Message) -> Self {
        Arg::Message(Box::new(message))
    }
}

impl From<Msg> for Arg {
    fn from(msg: Msg) -> Self {
        Arg::Message(Box::new(Message::new(msg)))
    }
}

macro_rules! int_args {
    ($($t:ty),*) => {
        $(impl From<$t> for Arg {
            fn from(n: $t) -> Self {
                Arg::Int(i64::try_from(n).unwrap_or(i64::MAX))
            }
        })*
    };
}

int_args!(i32, i64, u32, u64, usize);

/// A text to show: a message of the catalogue and its arguments.
///
/// As JSON (how the read model keeps one, and how the API shows it beside its rendered text)
/// it is `{"id": "review-late-step", "args": {"day": {"int": 2}, …}}`: the catalogue's id and
/// the arguments by name, so that a client may render it in a language of its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "MessageJson", try_from = "MessageJson")]
pub struct Message {
    pub msg: Msg,
    pub args: Vec<(Cow<'static, str>, Arg)>,
}

/// A [`Message`] as JSON.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Message))]
pub struct MessageJson {
    /// The catalogue's id of the message.
    pub id: String,
    /// Its arguments by name: each `{"text": …}`, `{"int": …}`, `{"day": "YYYY-MM-DD"}`,
    /// `{"message": <a message>}` or `{"list": [<messages>]}`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub args: BTreeMap<String, Arg>,
}

impl From<Message> for MessageJson {
    fn from(message: Message) -> Self {
        Self {
            id: message.msg.id().to_string(),
            args: message
                .args
                .into_iter()
                .map(|(name, value)| (name.into_owned(), value))
                .collect(),
        }
    }
}

impl TryFrom<MessageJson> for Message {
    type Error = String;

    fn try_from(json: MessageJson) -> Result<Self, String> {
        let msg = Msg::from_str(&json.id).map_err(|_| format!("no message {:?}", json.id))?;
        Ok(Self {
            msg,
            args: json
                .args
                .into_iter()
                .map(|(name, value)| (Cow::Owned(name), value))
                .collect(),
        })
    }
}

impl Message {
    pub fn new(msg: Msg) -> Self {
        Self {
            msg,
            args: Vec::new(),
        }
    }

    /// The message with this argument too (or instead of the one of that name). The
    /// arguments are kept in the order of their names, so that two messages with the same
    /// arguments are equal however they were given, and one read back from JSON equals the
    /// one written.
    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        let value = value.into();
        match self.args.binary_search_by(|(n, _)| n.as_ref().cmp(name)) {
            Ok(i) => self.args[i].1 = value,
            Err(i) => self.args.insert(i, (Cow::Borrowed(name), value)),
        }
        self
    }

    /// The text in `lang`. A text the catalogue cannot render whole (a missing argument) is
    /// rendered as far as it goes; the tests of every message make sure that does not happen.
    pub fn text(&self, lang: Lang) -> String {
        self.render(lang).0
    }

    /// The text in `lang`, and what the catalogue could not render (empty when all is well).
    pub fn render(&self, lang: Lang) -> (String, Vec<String>) {
        let bundle = CATALOGUE.bundle(lang);
        let id: &'static str = self.msg.into();
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return (id.to_string(), vec![format!("{lang}: no message {id}")]);
        };
        let mut args = FluentArgs::new();
        for (name, value) in &self.args {
            let value = match value {
                Arg::Text(text) => FluentValue::from(text.clone()),
                Arg::Int(n) => FluentValue::from(*n),
                Arg::Day(day) => FluentValue::from(lang.day(*day)),
                Arg::Message(message) => FluentValue::from(message.text(lang)),
                Arg::List(messages) => FluentValue::from(
                    messages
                        .iter()
                        .map(|m| m.text(lang))
                        .collect::<Vec<_>>()
                        .join(lang.separator()),
                ),
            };
            args.set(name.clone(), value);
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
        (
            text.into_owned(),
            errors
                .iter()
                .map(|e| format!("{lang}: {id}: {e}"))
                .collect(),
        )
    }
}

impl From<Msg> for Message {
    fn from(msg: Msg) -> Self {
        Message::new(msg)
    }
}

impl Msg {
    /// The message's text in `lang`, for a message without arguments.
    pub fn text(self, lang: Lang) -> String {
        Message::new(self).text(lang)
    }

    /// The catalogue's id of the message.
    pub fn id(self) -> &'static str {
        self.into()
    }
}

/// The catalogue files, as (language, file name, text).
pub const FILES: [(Lang, &str, &str); 12] = [
    (
        Lang::Zh,
        "errors.ftl",
        include_str!("../locales/zh/errors.ftl"),
    ),
    (
        Lang::Zh,
        "labels.ftl",
        include_str!("../locales/zh/labels.ftl"),
    ),
    (
        Lang::Zh,
        "console.ftl",
        include_str!("../locales/zh/console.ftl"),
    ),
    (
        Lang::Zh,
        "review.ftl",
        include_str!("../locales/zh/review.ftl"),
    ),
    (Lang::Zh, "cli.ftl", include_str!("../locales/zh/cli.ftl")),
    (
        Lang::Zh,
        "ledger.ftl",
        include_str!("../locales/zh/ledger.ftl"),
    ),
    (
        Lang::En,
        "errors.ftl",
        include_str!("../locales/en/errors.ftl"),
    ),
    (
        Lang::En,
        "labels.ftl",
        include_str!("../locales/en/labels.ftl"),
    ),
    (
        Lang::En,
        "console.ftl",
        include_str!("../locales/en/console.ftl"),
    ),
    (
        Lang::En,
        "review.ftl",
        include_str!("../locales/en/review.ftl"),
    ),
    (Lang::En, "cli.ftl", include_str!("../locales/en/cli.ftl")),
    (
        Lang::En,
        "ledger.ftl",
        include_str!("../locales/en/ledger.ftl"),
    ),
];

struct Catalogue {
    bundles: HashMap<Lang, FluentBundle<FluentResource>>,
}

impl Catalogue {
    fn load() -> Self {
        let mut bundles = HashMap::new();
        for lang in Lang::ALL {
            let id = match lang {
                Lang::Zh => langid!("zh-CN"),
                Lang::En => langid!("en-GB"),
            };
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // No Unicode isolation marks around arguments: the texts are left to right, and
            // the marks would show in spreadsheets and logs.
            bundle.set_use_isolating(false);
            for (file_lang, _, text) in FILES {
                if file_lang != lang {
                    continue;
                }
                // A file that does not parse, or an id given twice, keeps what it can; the
                // catalogue's tests refuse both.
                let resource = match FluentResource::try_new(text.to_string()) {
                    Ok(resource) | Err((resource, _)) => resource,
                };
                let _ = bundle.add_resource(resource);
            }
            bundles.insert(lang, bundle);
        }
        Self { bundles }
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        // Every language is loaded (`load`).
        &self.bundles[&lang]
    }
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(Catalogue::load);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_gets_the_language_it_asks_for_first_and_chinese_otherwise() {
        assert_eq!(Lang::negotiate(None), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("fr-FR, en;q=0.5")), Lang::En);
        assert_eq!(Lang::negotiate(Some("en;q=0.4, zh;q=0.6")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("de, fr")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("en;q=0")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("*")), Lang::Zh);
    }

    #[test]
    fn a_day_is_written_as_each_language_writes_days() {
        let day = NaiveDate::from_ymd_opt(2023, 10, 7).expect("a day");
        assert_eq!(Lang::Zh.day(day), "2023年10月7日");
        assert_eq!(Lang::En.day(day), "2023-10-07");
    }
}
