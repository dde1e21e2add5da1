//! Children found by name: the read model keeps each case's child (name, pinyin initials,
//! student number, ID number, grade, class), and the search finds them ranked, on both
//! databases.

#![allow(clippy::unwrap_used)]

use notoneless_domain::CaseAction;
use notoneless_domain::fixtures::*;
use notoneless_store::db::Backend;
use notoneless_store::read_model::{
    CaseFilter, QueueQuery, SearchRank, id_number_in, list_cases, pinyin_initials, search_cases,
    stored_case, work_queue,
};
use notoneless_store::testing::{FixedClock, TestDb, absent, run};
use notoneless_store::{Rules, Store, conformance};

async fn setup(backend: Backend) -> (TestDb, Store) {
    let test = TestDb::new(backend).await;
    let db = test.connect().await;
    let clock = FixedClock::at(at("2023-11-06", "09:00"));
    let rules = Rules {
        calendar: calendar(),
        ladder: ladder(),
    };
    (
        test,
        Store::new(db, rules, clock, notoneless_store::testing::test_key()),
    )
}

/// Opens a case for a child of this name and student number, at this school.
async fn child(store: &Store, case: &str, name: &str, number: &str, school: &str) {
    let mut opening = opening("2023-11-06");
    opening.student.name = name.into();
    opening.student.student_number = number.into();
    opening.student.school = school.into();
    run(store, case, CaseAction::OpenCase(opening)).await;
}

/// A valid national ID number (its check digit right).
fn id() -> String {
    notoneless_domain::compose_id_number(
        "211324",
        d("2011-01-01"),
        56,
        notoneless_domain::Gender::Male,
    )
    .unwrap()
}

async fn a_small_school(store: &Store) {
    child(store, "c-zxm", "张小明", &format!("G{}", id()), "school-a").await;
    child(store, "c-zxm2", "张晓敏", "L2023000002", "school-a").await;
    child(store, "c-wzx", "王张小", "L2023000003", "school-a").await;
    child(store, "c-other", "张小明", "L2023000004", "school-b").await;
    run(store, "c-zxm", absent("2023-11-06")).await;
    store.projector.catch_up().await.unwrap();
}

conformance!(
    a_row_keeps_the_child_the_lists_show_and_the_keys_a_search_finds_it_by,
    a_search_finds_a_child_by_pinyin_initials_name_part_and_numbers_best_match_first,
    a_search_keeps_to_the_schools_it_is_given_and_pages,
    a_search_takes_its_query_as_data_not_as_a_pattern,
);

async fn a_row_keeps_the_child_the_lists_show_and_the_keys_a_search_finds_it_by(backend: Backend) {
    let (_test, store) = setup(backend).await;
    a_small_school(&store).await;
    let row = stored_case(&store.db, "c-zxm").await.unwrap().unwrap();
    assert_eq!(
        (
            row.summary.name.as_str(),
            row.summary.grade,
            row.summary.class.as_str()
        ),
        ("张小明", 7, "7-2")
    );
    assert_eq!(row.keys.initials, "zxm");
    assert_eq!(row.keys.id_number.as_deref(), Some(id().as_str()));
    let (items, _) = list_cases(
        &store.db,
        &CaseFilter {
            schools: Some(vec!["school-a".into()]),
            limit: 10,
            ..CaseFilter::default()
        },
    )
    .await
    .unwrap();
    assert!(
        items
            .iter()
            .any(|c| c.name == "张晓敏" && c.student_number == "L2023000002")
    );
    let queue = work_queue(
        &store.db,
        &QueueQuery {
            role: Some("head_teacher".into()),
            kinds: vec!["contact_parents".into(), "home_visit".into()],
            ..QueueQuery::default()
        },
        Some(&["school-a".to_string()]),
        at("2023-11-06", "20:00"),
        10,
    )
    .await
    .unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(
        (queue[0].name.as_str(), queue[0].class.as_str()),
        ("张小明", "7-2")
    );
    // The rows are the projection's: a rebuild writes the same.
    assert_eq!(store.projector.check().await.unwrap(), vec![]);
}

async fn a_search_finds_a_child_by_pinyin_initials_name_part_and_numbers_best_match_first(
    backend: Backend,
) {
    let (_test, store) = setup(backend).await;
    a_small_school(&store).await;
    let a = vec!["school-a".to_string()];
    let found = |q: &'static str| {
        let store = &store;
        let a = a.clone();
        async move {
            let (hits, total) = search_cases(&store.db, Some(&a), q, 10, 0).await.unwrap();
            assert_eq!(total, hits.len() as i64, "{q}");
            hits.into_iter()
                .map(|h| (h.summary.case_id, h.rank))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        found("zxm").await,
        vec![
            ("c-zxm".into(), SearchRank::Exact),
            ("c-zxm2".into(), SearchRank::Exact)
        ]
    );
    assert_eq!(found("ZX").await[0].1, SearchRank::Prefix);
    // 张小明 exactly, then the names that begin with 张, then one that holds it.
    assert_eq!(
        found("张小明").await,
        vec![("c-zxm".into(), SearchRank::Exact)]
    );
    assert_eq!(
        found("张").await,
        vec![
            ("c-zxm".into(), SearchRank::Prefix),
            ("c-zxm2".into(), SearchRank::Prefix),
            ("c-wzx".into(), SearchRank::Contains),
        ]
    );
    assert_eq!(found("小").await.len(), 2);
    assert_eq!(
        found("l2023000003").await,
        vec![("c-wzx".into(), SearchRank::Exact)]
    );
    assert_eq!(
        found(Box::leak(id().into_boxed_str())).await,
        vec![("c-zxm".into(), SearchRank::Exact)]
    );
    // The last six of the ID number, as a clerk reads them off a card.
    let tail: &'static str = Box::leak(id()[12..].to_string().into_boxed_str());
    assert_eq!(
        found(tail).await,
        vec![("c-zxm".into(), SearchRank::Contains)]
    );
    // Three digits in the middle of a number are too few to search by.
    assert_eq!(found("000").await, vec![]);
    assert_eq!(found("李").await, vec![]);
}

async fn a_search_keeps_to_the_schools_it_is_given_and_pages(backend: Backend) {
    let (_test, store) = setup(backend).await;
    a_small_school(&store).await;
    let b = vec!["school-b".to_string()];
    let (hits, total) = search_cases(&store.db, Some(&b), "张小明", 10, 0)
        .await
        .unwrap();
    assert_eq!((hits.len(), total), (1, 1));
    assert_eq!(hits[0].summary.case_id, "c-other");
    let (none, total) = search_cases(&store.db, Some(&[]), "张小明", 10, 0)
        .await
        .unwrap();
    assert_eq!((none.len(), total), (0, 0));
    let (first, total) = search_cases(&store.db, None, "张", 2, 0).await.unwrap();
    let (second, _) = search_cases(&store.db, None, "张", 2, 2).await.unwrap();
    assert_eq!((first.len(), second.len(), total), (2, 2, 4));
    assert!(first.iter().all(|h| !second.contains(h)));
}

async fn a_search_takes_its_query_as_data_not_as_a_pattern(backend: Backend) {
    let (_test, store) = setup(backend).await;
    a_small_school(&store).await;
    for q in ["%", "_", "张%", "' OR 1=1 --", "\\"] {
        let (hits, total) = search_cases(&store.db, None, q, 10, 0).await.unwrap();
        assert_eq!((hits.len(), total), (0, 0), "{q}");
    }
}

#[test]
fn initials_and_id_numbers_are_computed_as_the_row_is_written() {
    assert_eq!(pinyin_initials("张小明"), "zxm");
    assert_eq!(
        pinyin_initials("阿依古丽·买买提"),
        "aygl".to_string() + "mmt"
    );
    assert_eq!(pinyin_initials("Li 小龙2"), "lixl2");
    assert_eq!(
        id_number_in(&format!("g{}", id())).as_deref(),
        Some(id().as_str())
    );
    let mut wrong = id();
    let last = if wrong.ends_with('0') { '1' } else { '0' };
    wrong.pop();
    wrong.push(last);
    assert_eq!(id_number_in(&format!("G{wrong}")), None);
    assert_eq!(id_number_in("L2023000002"), None);
}
