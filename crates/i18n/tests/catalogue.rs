//! The catalogues are whole: every message the code knows has its Chinese and its English,
//! neither language holds a message the code does not know, and the two languages of a
//! message take the same arguments.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast::{self, Entry, Expression, InlineExpression, PatternElement};
use notoneless_i18n::{FILES, Lang, Msg};
use strum::IntoEnumIterator;

/// Every message of a language's files, with the arguments its text uses (a selector alone,
/// which only chooses among the texts, is not counted).
fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for (file_lang, name, text) in FILES {
        if file_lang != lang {
            continue;
        }
        let resource = fluent_syntax::parser::parse(text)
            .unwrap_or_else(|(_, errors)| panic!("{lang}/{name} does not parse: {errors:?}"));
        for entry in resource.body {
            if let Entry::Message(message) = entry {
                let mut arguments = BTreeSet::new();
                if let Some(pattern) = &message.value {
                    arguments_of(pattern, &mut arguments);
                }
                let id = message.id.name.to_string();
                assert!(
                    out.insert(id.clone(), arguments).is_none(),
                    "{lang}: {id} twice"
                );
            }
        }
    }
    out
}

fn arguments_of(pattern: &ast::Pattern<&str>, into: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            match expression {
                Expression::Inline(inline) => inline_arguments(inline, into),
                Expression::Select { variants, .. } => {
                    for variant in variants {
                        arguments_of(&variant.value, into);
                    }
                }
            }
        }
    }
}

fn inline_arguments(expression: &InlineExpression<&str>, into: &mut BTreeSet<String>) {
    match expression {
        InlineExpression::VariableReference { id } => {
            into.insert(id.name.to_string());
        }
        InlineExpression::Placeable { expression } => {
            if let Expression::Inline(inline) = expression.as_ref() {
                inline_arguments(inline, into);
            }
        }
        _ => {}
    }
}

#[test]
fn every_message_the_code_knows_is_in_chinese_and_in_english() {
    for lang in Lang::ALL {
        let catalogue = messages(lang);
        let missing: Vec<&str> = Msg::iter()
            .map(Msg::id)
            .filter(|id| !catalogue.contains_key(*id))
            .collect();
        assert!(missing.is_empty(), "{lang} lacks {missing:?}");
    }
}

#[test]
fn the_catalogues_hold_no_message_the_code_does_not_know() {
    let known: BTreeSet<&str> = Msg::iter().map(Msg::id).collect();
    for lang in Lang::ALL {
        let strays: Vec<String> = messages(lang)
            .into_keys()
            .filter(|id| !known.contains(id.as_str()))
            .collect();
        assert!(
            strays.is_empty(),
            "{lang} holds messages no code uses: {strays:?}"
        );
    }
}

#[test]
fn a_message_takes_the_same_arguments_in_both_languages() {
    let (zh, en) = (messages(Lang::Zh), messages(Lang::En));
    for (id, arguments) in &zh {
        assert_eq!(Some(arguments), en.get(id), "{id}: zh uses {arguments:?}");
    }
}

#[test]
fn every_message_without_arguments_renders_without_error_in_both_languages() {
    for lang in Lang::ALL {
        let catalogue = messages(lang);
        for msg in Msg::iter().filter(|m| catalogue[m.id()].is_empty()) {
            let (text, errors) = notoneless_i18n::Message::new(msg).render(lang);
            assert!(errors.is_empty(), "{lang} {}: {errors:?}", msg.id());
            assert!(!text.trim().is_empty(), "{lang} {}", msg.id());
        }
    }
}

#[test]
fn a_message_renders_its_arguments_in_the_language_asked_for() {
    use notoneless_i18n::Message;
    let day = chrono::NaiveDate::from_ymd_opt(2023, 11, 8).unwrap();
    let message = Message::new(Msg::DayAfterToday)
        .with("date", day)
        .with("today", day.pred_opt().unwrap());
    assert_eq!(
        message.text(Lang::Zh),
        "2023年11月8日 晚于今天（2023年11月7日）"
    );
    assert_eq!(
        message.text(Lang::En),
        "2023-11-08 is after today (2023-11-07)"
    );
    let refused = Message::new(Msg::Forbidden)
        .with("role", "inspector")
        .with("role_label", Msg::UserRoleInspector)
        .with("action", Msg::ActionReportUpward);
    assert_eq!(refused.text(Lang::Zh), "督学无权向上级报告");
    assert_eq!(refused.text(Lang::En), "an inspector may not report upward");
}
