//! The reducer (`state::reduce`) and the link's round trip to a state, natively: what each action does, as a table
//! of cases, and properties over random sequences of actions (proptest): the cursor always stays on a frame, a no-op
//! returns the same `Rc`, and a remote `set` from an embedding page equals its primitive actions applied in order.
#![cfg(not(target_arch = "wasm32"))]

use std::rc::Rc;

use proptest::prelude::*;
use syscall_explorer::link::{self, LinkState};
use syscall_explorer::model::frame::Executed;
use syscall_explorer::model::moments::{Focus, Granularity};
use syscall_explorer::model::program::Role;
use syscall_explorer::model::{LessonStep, Preset, Scenario};
use syscall_explorer::state::{key_action, reduce, Action, Mode, Radix, RemoteSet, Speed, State, Theme};

/// A state at a frame, stepping one frame at a time (every instruction), so the cases below count frames.
fn state_at(preset: Preset, cursor: usize) -> Rc<State> {
    let mut state = State::new(&Scenario::preset(preset));
    state.cursor = cursor.min(state.last());
    state.granularity = Granularity::Instructions;
    Rc::new(state)
}

fn apply(state: Rc<State>, actions: &[Action]) -> Rc<State> {
    actions.iter().cloned().fold(state, reduce)
}

#[test]
fn moving_the_cursor_clamps_to_the_frames_and_stops_playing() {
    let start = state_at(Preset::Read, 0);
    let last = start.last();
    // (actions, expected cursor, expected playing)
    let cases: Vec<(Vec<Action>, usize, bool)> = vec![
        (vec![Action::Next], 1, false),
        (vec![Action::Back], 0, false),
        (vec![Action::Next, Action::Next, Action::Back], 1, false),
        (vec![Action::JumpTo(usize::MAX)], last, false),
        (vec![Action::Last], last, false),
        (vec![Action::Last, Action::Next], last, false),
        (vec![Action::Last, Action::First], 0, false),
        (vec![Action::Play, Action::Next], 1, false),
        (vec![Action::Play, Action::Tick, Action::Tick], 2, true),
        (vec![Action::Tick], 0, false),
        (vec![Action::JumpToStep(LessonStep::Trap)], start.step_start(LessonStep::Trap).unwrap(), false),
    ];
    for (actions, cursor, playing) in cases {
        let after = apply(start.clone(), &actions);
        assert_eq!((after.cursor, after.playing), (cursor, playing), "{actions:?}");
    }
}

#[test]
fn playing_from_the_end_starts_again_and_the_last_tick_stops() {
    let at_end = state_at(Preset::Read, usize::MAX);
    let playing = reduce(at_end.clone(), Action::Play);
    assert_eq!((playing.cursor, playing.playing), (0, true));
    let near_end = reduce(state_at(Preset::Read, at_end.last() - 1), Action::Play);
    let ticked = reduce(near_end, Action::Tick);
    assert_eq!((ticked.cursor, ticked.playing), (at_end.last(), false), "the tick onto the last frame stops");
    let toggled = apply(at_end.clone(), &[Action::TogglePlay, Action::TogglePlay]);
    assert_eq!((toggled.cursor, toggled.playing), (0, false));
}

#[test]
fn no_ops_return_the_same_state() {
    let start = state_at(Preset::Read, 0);
    let no_ops = [
        Action::Back,
        Action::First,
        Action::Pause,
        Action::Tick,
        Action::SetSpeed(Speed::Normal),
        Action::SetTheme(Theme::Auto),
        Action::SetMode(Mode::Normal),
        Action::DismissNotices,
        Action::SetScenario(Rc::new(Scenario::preset(Preset::Read))),
        Action::Remote(RemoteSet::default()),
    ];
    for action in no_ops {
        assert!(Rc::ptr_eq(&start, &reduce(start.clone(), action.clone())), "{action:?}");
    }
    // The vDSO never traps: a jump to step 3 has nowhere to go.
    let vdso = state_at(Preset::VdsoClockGettime, 0);
    assert!(Rc::ptr_eq(&vdso, &reduce(vdso.clone(), Action::JumpToStep(LessonStep::Trap))));
}

#[test]
fn settings_and_triggers_change_what_they_name() {
    let start = state_at(Preset::Read, 3);
    let after = apply(
        start.clone(),
        &[
            Action::SetSpeed(Speed::Fast),
            Action::ToggleRadix,
            Action::SetTheme(Theme::Dark),
            Action::SetMode(Mode::Present),
            Action::ReplayCrossing,
            Action::RequestFrame,
            Action::Print,
        ],
    );
    assert_eq!(
        (after.speed, after.radix, after.theme, after.mode),
        (Speed::Fast, Radix::Decimal, Theme::Dark, Mode::Present)
    );
    assert_ne!(after.crossing_replay, start.crossing_replay);
    assert_ne!(after.frame_request, start.frame_request);
    assert!(after.handout && after.print_request.requested());
    assert_eq!(after.cursor, 3, "settings leave the frame alone");
    let handout = reduce(start.clone(), Action::PrepareHandout);
    assert!(handout.handout && !handout.print_request.requested(), "the browser's own print prints by itself");
}

#[test]
fn a_new_scenario_keeps_the_cursor_where_it_can_and_a_preset_starts_over() {
    let start = state_at(Preset::Read, 40);
    let mut edited = Scenario::preset(Preset::Read);
    edited.args[0] = 9; // a bad fd: a shorter run
    let after = reduce(start.clone(), Action::SetScenario(Rc::new(edited.clone())));
    assert_eq!(after.timeline.scenario, edited);
    assert_eq!(after.cursor, 40.min(after.last()), "clamped into the new run");
    assert_eq!(after.editor_reset, start.editor_reset, "an edit does not reset the editor that made it");
    let preset = reduce(start.clone(), Action::SetPreset(Preset::Getpid));
    assert_eq!((preset.cursor, preset.timeline.scenario.preset), (0, Preset::Getpid));
    assert_ne!(preset.editor_reset, start.editor_reset);
}

/// How many presses of Next take a fresh page (key moments, the default) from frame 1 to `target`.
fn presses_to(preset: Preset, target: impl Fn(&State) -> bool) -> usize {
    let mut state = Rc::new(State::new(&Scenario::preset(preset)));
    assert_eq!(state.granularity, Granularity::KeyMoments);
    for presses in 0..=state.last() {
        if target(&state) {
            return presses;
        }
        state = reduce(state, Action::Next);
    }
    panic!("{preset:?}: never reached");
}

#[test]
fn a_clicker_crosses_read_in_few_presses() {
    let trap = presses_to(
        Preset::Read,
        |state| matches!(state.frame().executed, Executed::Insn(insn) if insn.role == Role::Syscall),
    );
    assert!(trap <= 4, "the trap takes {trap} presses");
    let end = presses_to(Preset::Read, |state| state.cursor == state.last());
    assert!(end <= 25, "the end of read takes {end} presses");
    // The pushes are one stop, at the last push, with pt_regs complete; the clears are one stop.
    let state = State::new(&Scenario::preset(Preset::Read));
    let roles: Vec<Option<Role>> = state
        .stops()
        .iter()
        .map(|stop| match &state.timeline.frames[*stop].executed {
            Executed::Insn(insn) => Some(insn.role),
            _ => None,
        })
        .collect();
    assert_eq!(roles.iter().filter(|role| matches!(role, Some(Role::PushField(_)))).count(), 1, "{roles:?}");
    assert_eq!(roles.iter().filter(|role| matches!(role, Some(Role::ClearReg(_)))).count(), 1, "{roles:?}");
    assert!(!roles.contains(&Some(Role::Endbr)));
}

#[test]
fn every_granularity_stops_at_every_step_start_and_at_the_ends() {
    for preset in Preset::ALL {
        let state = State::new(&Scenario::preset(preset));
        for granularity in Granularity::ALL {
            let stops = state.timeline.stops(granularity);
            assert_eq!(stops.first(), Some(&0), "{preset:?} {granularity:?}");
            assert_eq!(stops.last(), Some(&state.last()), "{preset:?} {granularity:?}");
            assert!(stops.windows(2).all(|pair| pair[0] < pair[1]), "{preset:?} {granularity:?}: {stops:?}");
            if granularity == Granularity::Steps {
                for step in LessonStep::ALL {
                    if let Some(start) = state.step_start(step) {
                        assert!(stops.contains(&start), "{preset:?}: step {step:?} at {start}");
                    }
                }
            }
        }
        let all = state.timeline.stops(Granularity::Instructions).len();
        let key = state.timeline.stops(Granularity::KeyMoments).len();
        let steps = state.timeline.stops(Granularity::Steps).len();
        assert!(steps <= key && key <= all, "{preset:?}: {steps} {key} {all}");
    }
}

#[test]
fn each_frame_names_the_view_it_is_about() {
    let state = State::new(&Scenario::preset(Preset::Read));
    let focus_of = |key: &str| {
        let frame = state.timeline.frames.iter().find(|frame| frame.narration_key.starts_with(key));
        frame.unwrap_or_else(|| panic!("no {key}")).focus()
    };
    // (narration key, the view it is about)
    let cases = [
        ("start", Focus::Code),
        ("insn.load_arg", Focus::Registers),
        ("insn.call_wrapper", Focus::Code),
        ("insn.syscall", Focus::Wall),
        ("insn.push", Focus::Memory),
        ("insn.clear", Focus::Registers),
        ("kernel.bounds", Focus::SyscallTable),
        ("kernel.dispatch", Focus::SyscallTable),
        ("kernel.copy_to_user", Focus::Memory),
        ("insn.sysret", Focus::Wall),
    ];
    for (key, focus) in cases {
        assert_eq!(focus_of(key), focus, "{key}");
    }
}

#[test]
fn keys_map_to_frame_actions() {
    assert_eq!(key_action("PageDown"), Some(Action::Next));
    assert_eq!(key_action("ArrowLeft"), Some(Action::Back));
    assert_eq!(key_action("End"), Some(Action::Last));
    assert_eq!(key_action(" "), Some(Action::TogglePlay));
    assert_eq!(key_action("a"), None);
}

#[test]
fn a_link_restores_the_state_it_was_made_from() {
    let mut state = (*state_at(Preset::ReadBadFd, 7)).clone();
    state.theme = Theme::Light;
    state.mode = Mode::Embed;
    state.radix = Radix::Decimal;
    let (link, notices) = link::parse(&link::to_pairs(&LinkState::of(&state)));
    assert!(notices.is_empty(), "{notices:?}");
    let restored = link::restore(link, notices);
    assert_eq!(restored.timeline.scenario, state.timeline.scenario);
    assert_eq!(
        (restored.cursor, restored.theme, restored.mode, restored.radix),
        (state.cursor, state.theme, state.mode, state.radix)
    );
    // The frame wins over the step; a step the scenario skips is a notice.
    let pairs = |query: &[(&str, &str)]| -> Vec<(String, String)> {
        query.iter().map(|(key, value)| (key.to_string(), value.to_string())).collect()
    };
    let (link, notices) = link::parse(&pairs(&[("s", "read"), ("f", "3"), ("step", "5")]));
    assert_eq!(link::restore(link, notices).cursor, 2);
    let (link, notices) = link::parse(&pairs(&[("s", "vdso-clock-gettime"), ("step", "3")]));
    let restored = link::restore(link, notices);
    assert_eq!((restored.cursor, restored.notices.len()), (0, 1));
}

fn any_preset() -> impl Strategy<Value = Preset> {
    proptest::sample::select(Preset::ALL.to_vec())
}

fn any_step() -> impl Strategy<Value = LessonStep> {
    proptest::sample::select(LessonStep::ALL.to_vec())
}

fn any_remote_set() -> impl Strategy<Value = RemoteSet> {
    (
        proptest::option::of(any_preset()),
        proptest::option::of(0usize..200),
        proptest::option::of(any_step()),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(preset, frame, step, playing)| RemoteSet { preset, frame, step, playing })
}

fn any_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Next),
        Just(Action::Back),
        (0usize..500).prop_map(Action::JumpTo),
        any_step().prop_map(Action::JumpToStep),
        Just(Action::First),
        Just(Action::Last),
        Just(Action::Play),
        Just(Action::Pause),
        Just(Action::TogglePlay),
        Just(Action::Tick),
        Just(Action::ToggleRadix),
        any_preset().prop_map(Action::SetPreset),
        any_remote_set().prop_map(Action::Remote),
        (any_preset(), 0u64..20).prop_map(|(preset, fd)| {
            let mut scenario = Scenario::preset(preset);
            scenario.args[0] = fd;
            Action::SetScenario(Rc::new(scenario))
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_sequence_of_actions_keeps_the_cursor_on_a_frame(
        preset in any_preset(),
        actions in proptest::collection::vec(any_action(), 0..40),
    ) {
        let mut state = state_at(preset, 0);
        for action in actions {
            state = reduce(state, action.clone());
            prop_assert!(state.cursor <= state.last(), "{action:?} left the cursor at {} of {}", state.cursor, state.last());
            prop_assert!(!state.playing || state.cursor < state.last(), "playing on the last frame after {action:?}");
        }
    }

    #[test]
    fn a_remote_set_equals_its_primitive_actions_in_order(
        preset in any_preset(),
        cursor in 0usize..100,
        set in any_remote_set(),
    ) {
        let start = state_at(preset, cursor);
        let remote = reduce(start.clone(), Action::Remote(set.clone()));
        let mut primitive = start;
        if let Some(preset) = set.preset {
            primitive = reduce(primitive, Action::SetPreset(preset));
        }
        if let Some(frame) = set.frame {
            primitive = reduce(primitive, Action::JumpTo(frame));
        } else if let Some(step) = set.step {
            primitive = reduce(primitive, Action::JumpToStep(step));
        }
        if let Some(playing) = set.playing {
            primitive = reduce(primitive, if playing { Action::Play } else { Action::Pause });
        }
        prop_assert_eq!(remote.cursor, primitive.cursor);
        prop_assert_eq!(remote.playing, primitive.playing);
        prop_assert_eq!(&remote.timeline.scenario, &primitive.timeline.scenario);
        prop_assert_eq!(remote.editor_reset, primitive.editor_reset);
    }
}
