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

/// Whether a text holds a Chinese character (the CJK unified ideographs).
fn has_chinese(text: &str) -> bool {
    text.chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c))
}

/// The literal text of a pattern (its arguments left out), variants included.
fn literal_text(pattern: &ast::Pattern<&str>, into: &mut String) {
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { value } => into.push_str(value),
            PatternElement::Placeable { expression } => match expression {
                Expression::Select { variants, .. } => {
                    for variant in variants {
                        literal_text(&variant.value, into);
                    }
                }
                Expression::Inline(InlineExpression::StringLiteral { value }) => {
                    into.push_str(value)
                }
                Expression::Inline(_) => {}
            },
        }
    }
}

#[test]
fn the_chinese_of_every_message_is_written_in_chinese() {
    // A message whose Chinese is only its arguments joined by punctuation has no words to
    // translate; every other must hold Chinese, so that an English text pasted into the
    // Chinese catalogue (a message "lacking its Chinese") fails here.
    for (file_lang, name, text) in FILES {
        if file_lang != Lang::Zh {
            continue;
        }
        let resource = fluent_syntax::parser::parse(text).unwrap();
        for entry in resource.body {
            let Entry::Message(message) = entry else {
                continue;
            };
            // The language switch names the other language in its own script ("English" on a
            // Chinese page), as every language switch does.
            if message.id.name == "console-other-language" {
                continue;
            }
            let mut literal = String::new();
            if let Some(pattern) = &message.value {
                literal_text(pattern, &mut literal);
            }
            let has_words = literal.chars().any(char::is_alphabetic);
            assert!(
                !has_words || has_chinese(&literal),
                "zh/{name}: {} is not written in Chinese: {literal:?}",
                message.id.name
            );
        }
    }
}

#[test]
fn a_finding_reads_as_a_person_writes_it_in_each_language() {
    use notoneless_i18n::Message;
    let due = chrono::NaiveDate::from_ymd_opt(2023, 10, 7).unwrap();
    let missed = Message::new(Msg::FindingStepMissed)
        .with("day", 2)
        .with("step", Msg::StepHomeVisit)
        .with("due", due);
    assert_eq!(
        missed.text(Lang::Zh),
        "第2天：未家访（应于2023年10月7日前完成）"
    );
    assert_eq!(
        missed.text(Lang::En),
        "Day 2: no home visit (due by 2023-10-07)"
    );
    let late = Message::new(Msg::FindingStepLate)
        .with("day", 1)
        .with("step", Msg::StepContactParents)
        .with("late", 1)
        .with("due", due);
    assert_eq!(
        late.text(Lang::En),
        "Day 1: contact with the parents done 1 day late (due by 2023-10-07)"
    );
    let fact = Message::new(Msg::EvidenceFact)
        .with("on", due.succ_opt().unwrap())
        .with("fact", Msg::FactParentContacted);
    assert_eq!(fact.text(Lang::Zh), "2023年10月8日 联系家长");
}

#[test]
fn a_message_kept_as_json_reads_back_the_same_and_names_its_id() {
    use notoneless_i18n::{Arg, Message};
    let day = chrono::NaiveDate::from_ymd_opt(2023, 10, 7).unwrap();
    let message = Message::new(Msg::FindingStepIncomplete)
        .with("day", 3)
        .with("step", Msg::StepHomeVisit)
        .with(
            "missing",
            Arg::List(vec![Message::new(Msg::CaseRolePrincipal)]),
        )
        .with("due", day);
    let json = serde_json::to_value(&message).unwrap();
    assert_eq!(json["id"], "finding-step-incomplete");
    assert_eq!(json["args"]["day"], serde_json::json!({"int": 3}));
    assert_eq!(
        json["args"]["due"],
        serde_json::json!({"day": "2023-10-07"})
    );
    let back: Message = serde_json::from_value(json).unwrap();
    assert_eq!(back.text(Lang::Zh), message.text(Lang::Zh));
    assert_eq!(
        back.text(Lang::Zh),
        "第3天：家访缺少校长参加（应于2023年10月7日前完成）"
    );
    let unknown = serde_json::json!({"id": "no-such-message", "args": {}});
    assert!(serde_json::from_value::<Message>(unknown).is_err());
}
