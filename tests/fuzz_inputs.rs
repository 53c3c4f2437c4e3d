//! Robustness of everything a person (or a URL, or an embedding page) can type: at least 100,000 generated inputs
//! each for the URL parser, the field editor and the postMessage schema. No input panics, every rejection is a
//! message a person can read, and whatever is accepted runs.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use syscall_explorer::link::{self, MsgValue};
use syscall_explorer::model::input::{parse_number, set_field, FIELD_NAMES};
use syscall_explorer::model::{Preset, Scenario, Timeline};

/// The link's own parameters and a few near misses; the editable fields are added from `FIELD_NAMES` by [`keys`].
const OTHER_KEYS: [&str; 14] =
    ["s", "f", "step", "theme", "mode", "embed", "speed", "radix", "origins", "", "S", "f ", "zzz", "%00"];

fn keys() -> Vec<&'static str> {
    OTHER_KEYS.iter().chain(FIELD_NAMES.iter()).copied().collect()
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9]{0,25}",
        "-?0[xX][0-9a-fA-F_]{0,20}",
        "-?[0-9_]{1,22}",
        Just(String::new()),
        prop::sample::select(Preset::ALL.iter().map(|preset| preset.id().to_string()).collect::<Vec<_>>()),
        prop::sample::select(vec!["light".to_string(), "dark".into(), "embed".into(), "present".into(), "dec".into()]),
        "https?://[a-z.]{1,12}(:[0-9]{1,5})?(,[a-z:/.]{0,15})?",
    ]
}

fn is_message(text: &str) -> bool {
    !text.trim().is_empty() && text.len() < 300 && !text.contains("Err(") && !text.contains("Some(")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100_000, failure_persistence: None, ..ProptestConfig::default() })]

    /// 100,000 queries; each value also goes through the field editor's checks (`set_field`).
    #[test]
    fn any_query_parses_to_a_state_with_readable_notices(
        pairs in prop::collection::vec((prop::sample::select(keys()), value()), 0..8)
    ) {
        let pairs: Vec<(String, String)> = pairs.into_iter().map(|(key, value)| (key.to_string(), value)).collect();
        let (state, notices) = link::parse(&pairs);
        for notice in &notices {
            prop_assert!(is_message(&notice.message), "{notice:?}");
            prop_assert!(notice.param.chars().count() <= 33);
        }
        // What the parser accepted writes back to a query that parses to the same state, without notices.
        let (again, again_notices) = link::parse(&link::to_pairs(&state));
        prop_assert!(again_notices.is_empty(), "{again_notices:?}");
        prop_assert_eq!(again.scenario, state.scenario);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 30_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_number_text_parses_or_says_why(text in value()) {
        match parse_number(&text) {
            Ok(_) => {}
            Err(message) => prop_assert!(is_message(&message), "{message}"),
        }
    }

    #[test]
    fn any_field_edit_is_applied_or_explained(
        preset in prop::sample::select(Preset::ALL.to_vec()),
        field in prop::sample::select(FIELD_NAMES.to_vec()),
        text in value(),
    ) {
        let mut scenario = Scenario::preset(preset);
        let before = scenario.clone();
        match set_field(&mut scenario, field, &text) {
            Ok(()) => {}
            Err(message) => {
                prop_assert!(is_message(&message), "{message}");
                prop_assert_eq!(&scenario, &before, "a rejected edit leaves the scenario as it was");
            }
        }
    }

    #[test]
    fn any_message_is_accepted_ignored_or_answered_with_a_reason(
        kind in prop_oneof![Just("syscall-explorer:set".to_string()), Just("syscall-explorer:get".to_string()), any::<String>()],
        fields in prop::collection::vec(
            (
                prop::sample::select(vec!["scenario", "frame", "step", "playing", "type", "x"]),
                prop_oneof![
                    any::<String>().prop_map(MsgValue::Str),
                    any::<f64>().prop_map(MsgValue::Num),
                    (-5i32..2000).prop_map(|number| MsgValue::Num(f64::from(number))),
                    any::<bool>().prop_map(MsgValue::Bool),
                    Just(MsgValue::Other),
                ],
            ),
            0..5,
        ),
    ) {
        let mut message: Vec<(String, MsgValue)> = vec![("type".to_string(), MsgValue::Str(kind))];
        message.extend(fields.into_iter().filter(|(key, _)| *key != "type").map(|(key, value)| (key.to_string(), value)));
        match link::parse_message(&message) {
            Ok(_) => {}
            Err(reason) => prop_assert!(is_message(&reason), "{reason}"),
        }
    }
}

proptest! {
    // Fewer cases: each runs a whole timeline.
    #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn whatever_a_link_sets_runs_to_an_ending(
        pairs in prop::collection::vec((prop::sample::select(keys()), value()), 0..8)
    ) {
        let pairs: Vec<(String, String)> = pairs.into_iter().map(|(key, value)| (key.to_string(), value)).collect();
        let (state, _) = link::parse(&pairs);
        let timeline = Timeline::run(&state.scenario);
        prop_assert!(!timeline.frames.is_empty());
    }
}
